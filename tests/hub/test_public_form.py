"""What TVs may see: no officer's free text, and recent calls in the order they were made."""

from __future__ import annotations

import json

from hubtest import Raw, Server, hello_for

from server.core import estimates

# Free text typed by an officer: staff may read it, a waiting room's TV must not show it.
REASON = "anak saya sakit, pulang sebentar"


async def event_of(raw: Raw, kind: str) -> dict:
    """The next event frame of this kind (earlier frames stay in raw.seen)."""
    while True:
        msg = await raw.expect("event")
        if msg["event"]["kind"] == kind:
            return msg


async def snapshot_of(raw: Raw, ref: str) -> dict:
    return await raw.reply({"type": "snapshot", "id": ref})


def counter_in(snapshot: dict, counter_id: str) -> dict:
    return next(c for c in snapshot["counters"] if c["id"] == counter_id)


async def test_a_display_never_receives_a_pause_reason_while_floor_does(server: Server) -> None:
    """Live, replayed or in a snapshot, a TV learns that L01 is paused, never why; floor does."""
    tv = await server.raw(hello_for("TV-1"))
    away = await server.raw(hello_for("TV-1"))  # leaves now, resumes after the pause
    assert away.synced is not None
    left_at = away.synced["seq"]
    await away.ws.close()
    floor = await server.raw(hello_for("LANTAI"))
    officer = await server.officer_at_work("DKP01@L01")

    await officer.act("pause_counter", reason=REASON)

    staff = (await event_of(floor, "counter_paused"))["event"]
    assert (staff["counter"], staff["reason"]) == ("L01", REASON)
    public = (await event_of(tv, "counter_paused"))["event"]
    assert public == {"kind": "counter_paused", "at": public["at"], "counter": "L01"}

    tv_counter = counter_in(await snapshot_of(tv, "snap-tv"), "L01")
    assert tv_counter["state"] == "paused" and "pause_reason" not in tv_counter
    floor_counter = counter_in(await snapshot_of(floor, "snap-floor"), "L01")
    assert (floor_counter["state"], floor_counter["pause_reason"]) == ("paused", REASON)

    back = await server.raw(hello_for("TV-1", last_seq=left_at, day="2026-11-23"))
    assert back.welcome is not None and back.welcome["resume"] == "replay"
    replayed = [m["event"] for m in back.seen if m["type"] == "event"]
    assert any(e["kind"] == "counter_paused" and "reason" not in e for e in replayed)

    # Nothing any TV received, in any frame, carries the officer's words.
    for raw in (tv, back):
        for msg in raw.seen:
            assert REASON not in json.dumps(msg, ensure_ascii=False), msg


async def test_recent_calls_are_newest_first_in_the_order_they_were_made(server: Server) -> None:
    """Three calls and a recall at one frozen instant: the snapshot lists them as they happened."""
    kiosk = await server.client("KIOSK-1")
    officers = {
        "L01": await server.officer_at_work("DKP01@L01"),
        "L02": await server.officer_at_work("DKP02@L02"),
        "L08": await server.officer_at_work("SMS01@L08"),
    }
    for line in ("A", "A", "E"):
        ticket = await kiosk.issue_ticket(line)
        await kiosk.confirm_printed(ticket["id"])
    # Called in issue order, all at 09:00:00 sharp (the fake clock does not move by itself).
    for counter in ("L01", "L02", "L08"):
        await officers[counter].act("call_next")
    tv = await server.raw(hello_for("TV-1"))
    floor = await server.raw(hello_for("LANTAI"))

    async def calls() -> list[tuple[str, str]]:
        seen = []
        for raw, ref in ((tv, "calls-tv"), (floor, "calls-floor")):
            snap = await snapshot_of(raw, ref)
            seen.append([(c["number"], c["counter"]) for c in snap["calls"]])
        assert seen[0] == seen[1]  # TV-1 shows zone 1, where all three counters are
        return seen[0]

    assert {c["at"] for c in (await snapshot_of(floor, "at"))["calls"]} == {
        server.clock.now.isoformat()
    }
    assert await calls() == [("E-001", "L08"), ("A-002", "L02"), ("A-001", "L01")]

    await officers["L01"].act("recall")
    assert await calls() == [("A-001", "L01"), ("E-001", "L08"), ("A-002", "L02")]

    # Later, a new call goes on top; the rest keep their order (a no-show stays, as no_show).
    server.clock.advance(30)
    await officers["L02"].act("no_show")
    ticket = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(ticket["id"])
    await officers["L02"].act("call_next")
    assert await calls() == [
        ("A-003", "L02"),
        ("A-001", "L01"),
        ("E-001", "L08"),
        ("A-002", "L02"),
    ]


async def test_a_recalled_call_shows_the_time_of_the_recall(server: Server) -> None:
    """A TV that loads after a recall sees the recall's time, the call it is showing on top."""
    kiosk = await server.client("KIOSK-1")
    officer = await server.officer_at_work("DKP01@L01")
    ticket = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(ticket["id"])
    await officer.act("call_next")
    first = server.clock.now.isoformat()
    server.clock.advance(45)
    await officer.act("recall")
    tv = await server.raw(hello_for("TV-1"))
    (call,) = (await snapshot_of(tv, "recalled"))["calls"]
    assert (call["number"], call["at"]) == ("A-001", server.clock.now.isoformat())
    assert call["at"] != first


STAFFING = {"arrivals_per_h", "mean_service_s", "staffing_waits"}


async def test_only_the_floor_gets_the_staffing_figures(server: Server) -> None:
    """The floor's line figures carry the Erlang C waits of its staffing hint; a TV's, a kiosk's
    and an officer's carry none of the three staffing fields, in a snapshot or a reply."""
    kiosk = await server.client("KIOSK-1")
    for _ in range(3):
        await kiosk.issue_ticket("A")
    floor = await server.raw(hello_for("LANTAI"))
    floor_a = next(
        ln for ln in (await snapshot_of(floor, "s-floor"))["lines"] if ln["prefix"] == "A"
    )
    # Three tickets in the first quarter hour: 12 an hour; no service yet, so the line's target.
    assert floor_a["arrivals_per_h"] == 12
    waits = estimates.staffing_waits(12, floor_a["mean_service_s"])
    assert floor_a["staffing_waits"] == [list(pair) for pair in waits] and waits

    for who in ("TV-1", "KIOSK-2", "DKP01@L01"):
        raw = await server.raw(hello_for(who))
        lines = (await snapshot_of(raw, f"s-{who}"))["lines"]
        assert lines and not any(STAFFING & set(ln) for ln in lines), who
    listed = (
        await (await server.raw(hello_for("KIOSK-2"))).reply({"type": "list_lines", "id": "l"})
    )["lines"]
    assert not any(STAFFING & set(ln) for ln in listed)
