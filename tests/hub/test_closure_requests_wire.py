"""Counter-closure requests (issue 23) over a real websocket, on the demo building.

The demo building turns `[policy] closure_approval` on, and the hub tests' clock stands on Monday
23 November 2026, 09:00 WIB: Loket 1 (Dukcapil, Siti Rahmawati) is in its service hours
(07:30–16:00). The floor manager is Bambang Sutrisno (LANTAI). What each side reads is written
out by hand from docs/protocol.md ("Counter-closure requests").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hubtest import WIB, Server, StartServer

from server.client import AntreClient, RequestError

REASON = "Gangguan sistem instansi"
CLOSURE_KINDS = {"closure_requested", "closure_withdrawn", "closure_decided"}


def kinds(reply: dict[str, Any]) -> list[str]:
    return [frame["event"]["kind"] for frame in reply["events"]]


async def pushed(client: AntreClient, kind: str) -> dict[str, Any]:
    """The next pushed event of a kind (others skipped)."""
    while True:
        msg = await client.next_message("event", timeout=5)
        if msg["event"]["kind"] == kind:
            return msg["event"]


async def refused(call: Any) -> RequestError:
    with pytest.raises(RequestError) as refusal:
        await call
    return refusal.value


async def officer_and_floor(server: Server) -> tuple[AntreClient, AntreClient]:
    officer = await server.officer_at_work("DKP01@L01")
    floor = await server.client("LANTAI")
    return officer, floor


async def test_an_officer_asks_and_the_floor_approves_an_idle_counter(server: Server) -> None:
    officer, floor = await officer_and_floor(server)
    asked = await officer.act("request_closure", reason=f"  {REASON} ")
    assert kinds(asked) == ["closure_requested"]
    assert asked["counter"]["state"] == "open"
    assert asked["counter"]["closure"] == {
        "officer": "DKP01",
        "officer_name": "Siti Rahmawati",
        "reason": REASON,
        "requested_at": "2026-11-23T09:00:00+07:00",
        "approved_at": None,
        "by": None,
        "by_name": None,
    }
    heard = await pushed(floor, "closure_requested")
    assert heard == {
        "kind": "closure_requested",
        "at": "2026-11-23T09:00:00+07:00",
        "counter": "L01",
        "officer": "DKP01",
        "reason": REASON,
        "officer_name": "Siti Rahmawati",
    }
    server.clock.advance(240)
    decided = await floor.act("decide_closure", counter="L01", approve=True)
    assert kinds(decided) == ["closure_decided", "counter_closed"]
    assert decided["counter"]["state"] == "closed"
    assert decided["counter"]["officer"] == "DKP01"
    assert decided["counter"]["closure"] is None
    told = await pushed(officer, "closure_decided")
    assert told == {
        "kind": "closure_decided",
        "at": "2026-11-23T09:04:00+07:00",
        "counter": "L01",
        "officer": "DKP01",
        "approved": True,
        "by": "LANTAI",
        "note": None,
        "by_name": "Bambang Sutrisno",
    }
    await pushed(officer, "counter_closed")
    # Closed now: the officer leaves freely, in service hours.
    out = await officer.act("logout")
    assert out["counter"]["officer"] is None


async def test_approving_a_busy_counter_closes_it_when_the_service_ends(server: Server) -> None:
    officer, floor = await officer_and_floor(server)
    kiosk = await server.client("KIOSK-1")
    for _ in range(2):
        ticket = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(ticket["id"])
    await officer.act("call_next")
    await officer.act("request_closure", reason="Petugas sakit")
    decided = await floor.act("decide_closure", counter="L01", approve=True)
    assert kinds(decided) == ["closure_decided"]
    closure = decided["counter"]["closure"]
    assert closure["approved_at"] == "2026-11-23T09:00:00+07:00"
    assert (closure["by"], closure["by_name"]) == ("LANTAI", "Bambang Sutrisno")
    assert decided["counter"]["state"] == "open" and decided["counter"]["number"] == "A-001"
    await officer.act("start_service")
    refusal = await refused(officer.act("call_next"))
    assert (refusal.code, refusal.message) == (
        "closure_approved",
        "Penutupan Loket 1 sudah disetujui: selesaikan layanan ini, lalu loket ditutup",
    )
    finished = await officer.act("finish_service")
    assert kinds(finished) == ["service_finished", "counter_closed"]
    assert finished["counter"]["state"] == "closed" and finished["counter"]["closure"] is None
    assert server.engine.state.tickets["2026-11-23/A-002"].state.value == "waiting"


async def test_the_floor_refuses_with_a_note_and_the_officer_reads_it(server: Server) -> None:
    officer, floor = await officer_and_floor(server)
    await officer.act("request_closure", reason="Blanko/formulir habis")
    no_note = await refused(floor.act("decide_closure", counter="L01", approve=False))
    assert (no_note.code, no_note.message) == ("closure_note_required", "Tuliskan alasan penolakan")
    note = "Blanko diantar pukul 10.00 WIB"
    decided = await floor.act("decide_closure", counter="L01", approve=False, note=note)
    assert kinds(decided) == ["closure_decided"]
    assert decided["counter"]["state"] == "open" and decided["counter"]["closure"] is None
    told = await pushed(officer, "closure_decided")
    assert (told["approved"], told["note"], told["by"]) == (False, note, "LANTAI")


async def test_an_officer_withdraws_and_nothing_is_left_to_decide(server: Server) -> None:
    officer, floor = await officer_and_floor(server)
    await officer.act("request_closure", reason=REASON)
    second = await refused(officer.act("request_closure", reason="Petugas sakit"))
    assert (second.code, second.message) == (
        "closure_pending",
        "Permintaan tutup loket sudah diajukan; tunggu keputusan pengelola",
    )
    withdrawn = await officer.act("withdraw_closure")
    assert kinds(withdrawn) == ["closure_withdrawn"]
    assert withdrawn["counter"]["closure"] is None
    heard = await pushed(floor, "closure_withdrawn")
    assert (heard["counter"], heard["officer"]) == ("L01", "DKP01")
    for call in (
        officer.act("withdraw_closure"),
        floor.act("decide_closure", counter="L01", approve=True),
    ):
        none = await refused(call)
        assert (none.code, none.message) == (
            "no_closure_request",
            "Tidak ada permintaan tutup loket untuk Loket 1",
        )


async def test_who_may_ask_and_who_may_decide(server: Server) -> None:
    officer, floor = await officer_and_floor(server)
    samsat = await server.officer_at_work("SMS01@L08")
    tv = await server.client("TV-1")
    await officer.act("request_closure", reason=REASON)
    before = server.state_copy()
    # An officer decides nothing; a TV and a manager ask nothing; a Samsat officer names no
    # Dukcapil counter.
    for client, call in (
        (officer, officer.act("decide_closure", counter="L01", approve=True)),
        (tv, tv.act("request_closure", reason=REASON)),
        (floor, floor.act("request_closure", reason=REASON, counter="L01")),
        (samsat, samsat.act("withdraw_closure", counter="L01")),
        (samsat, samsat.act("request_closure", reason=REASON, counter="L01")),
    ):
        refusal = await refused(call)
        assert refusal.code == "forbidden", (client, refusal)
    unknown = await refused(floor.act("decide_closure", counter="L99", approve=True))
    assert (unknown.code, unknown.message) == (
        "not_found",
        "Loket dengan kode L99 tidak terdaftar.",
    )
    assert server.state_copy()[0] == before[0]
    assert server.engine.state.closures["L01"].officer == "DKP01"


async def test_with_the_rule_logout_waits_for_approval_in_service_hours(server: Server) -> None:
    officer = await server.officer_at_work("DKP01@L01")
    for action in ("logout", "close_counter"):
        refusal = await refused(officer.act(action))
        assert (refusal.code, refusal.message) == (
            "closure_needs_approval",
            "Loket 1 masih dalam jam layanan: ajukan penutupan kepada pengelola lebih dulu "
            "(tombol U), atau jeda loket (P)",
        )
    assert server.engine.state.counters["L01"].state.value == "open"
    paused = await officer.act("pause_counter", reason="salat")  # a break stays free
    assert paused["counter"]["state"] == "paused"
    await officer.act("resume_counter")
    server.clock.now = datetime(2026, 11, 23, 16, 0, tzinfo=WIB)  # closing time: hours over
    out = await officer.act("logout")
    assert kinds(out) == ["counter_closed", "officer_logged_out"]


async def test_a_managers_close_approves_the_pending_request(server: Server) -> None:
    officer, floor = await officer_and_floor(server)
    await officer.act("request_closure", reason="Pergantian petugas")
    closed = await floor.act("close_counter", counter="L01")
    assert kinds(closed) == ["closure_decided", "counter_closed"]
    decided = closed["events"][0]["event"]
    assert (decided["approved"], decided["by"], decided["note"]) == (True, "LANTAI", None)


async def test_snapshots_carry_the_request_after_a_reconnect_and_a_restart(
    start_server: StartServer, tmp_path: Any
) -> None:
    db = str(tmp_path / "closures.db")
    server = await start_server(db=db)
    officer = await server.officer_at_work("DKP01@L01")
    await officer.act("request_closure", reason=REASON)
    expected = {
        "officer": "DKP01",
        "officer_name": "Siti Rahmawati",
        "reason": REASON,
        "requested_at": "2026-11-23T09:00:00+07:00",
        "approved_at": None,
        "by": None,
        "by_name": None,
    }
    floor = await server.client("LANTAI")
    first = await floor.next_message("snapshot", timeout=5)
    assert _counter(first, "L01")["closure"] == expected
    await start_server.stop(server)  # type: ignore[attr-defined]
    again = await start_server(db=db)
    for who in ("LANTAI", "DKP01@L01"):
        client = await again.client(who)
        assert _counter(await client.snapshot(), "L01")["closure"] == expected


async def test_a_tv_never_hears_of_a_request_nor_reads_its_reason(server: Server) -> None:
    tv = await server.client("TV-1")
    snapshot = await tv.next_message("snapshot", timeout=5)
    officer, floor = await officer_and_floor(server)
    await officer.act("request_closure", reason=REASON)
    await floor.act("decide_closure", counter="L01", approve=True)
    seen: list[dict[str, Any]] = []
    while not seen or seen[-1]["kind"] != "counter_closed":
        seen.append((await tv.next_message("event", timeout=5))["event"])
    assert not CLOSURE_KINDS & {event["kind"] for event in seen}
    assert seen[-1] == {
        "kind": "counter_closed",
        "at": "2026-11-23T09:00:00+07:00",
        "counter": "L01",
    }
    assert REASON not in str(seen)
    for counter in snapshot["counters"] + (await tv.snapshot())["counters"]:
        assert "closure" not in counter and "pause_reason" not in counter


def _counter(snapshot: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in snapshot["counters"] if c["id"] == cid)


async def events_until(client: AntreClient, kind: str) -> list[dict[str, Any]]:
    """Every pushed event up to and including the first of a kind."""
    seen: list[dict[str, Any]] = []
    while not seen or seen[-1]["kind"] != kind:
        seen.append((await client.next_message("event", timeout=5))["event"])
    return seen


async def test_only_the_counters_agency_and_the_floor_hear_of_a_request(server: Server) -> None:
    """docs/protocol.md: staff pushes reach the officers of the agency whose counter it touches.
    Budi (Dukcapil, Loket 2) hears Loket 1's request, refusal, second request and withdrawal;
    Samsat's officer at Loket 8 hears none of it, only their own pause that comes after."""
    officer, floor = await officer_and_floor(server)
    colleague = await server.officer_at_work("DKP02@L02")
    samsat = await server.officer_at_work("SMS01@L08")
    note = "Antrean masih panjang"
    await officer.act("request_closure", reason=REASON)
    await floor.act("decide_closure", counter="L01", approve=False, note=note)
    await officer.act("request_closure", reason="Petugas sakit")
    await officer.act("withdraw_closure")
    await samsat.act("pause_counter", reason="istirahat")
    heard = await events_until(colleague, "closure_withdrawn")
    said = [
        (e["kind"], e.get("reason"), e.get("note")) for e in heard if e["kind"] in CLOSURE_KINDS
    ]
    assert said == [
        ("closure_requested", REASON, None),
        ("closure_decided", None, note),
        ("closure_requested", "Petugas sakit", None),
        ("closure_withdrawn", None, None),
    ]  # fmt: skip
    other = await events_until(samsat, "counter_paused")
    assert not CLOSURE_KINDS & {event["kind"] for event in other}
    assert REASON not in str(other) and note not in str(other)
    assert other[-1]["counter"] == "L08"
