"""One visit, several agencies (issue 22) over the wire: plan_visit, issue_visit, add_stop,
skip_stop and visit against a real server on 127.0.0.1, with their refusals.

The demo building (server/demo/mpp-kota-contoh.toml): B (Kartu Keluarga, Dukcapil, zone 1,
counter L04) is needed before J (BPJS Kesehatan, zone 1, L14); T (BPHTB at Bapenda, zone 2, L27)
before S (BPN, zone 2, L26); E (Samsat, zone 1, L08) needs nothing. The clock is a Monday 09:00
WIB with no counter open unless a test opens one.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from hubtest import Server, StartServer, demo_building

from server import protocol as p
from server.client import RequestError


async def _visit(server: Server, lines: list[str]) -> tuple[object, dict]:
    """A kiosk's visit of `lines`, printed: (the kiosk, the issue_visit reply)."""
    kiosk = await server.client("KIOSK-1")
    reply = await kiosk.request("issue_visit", lines=lines)
    await kiosk.confirm_printed(reply["ticket"]["id"])
    return kiosk, reply


async def test_plan_visit_puts_kk_before_bpjs_and_changes_nothing(server: Server) -> None:
    """J needs B: the plan puts B first whatever the citizen's order, with each stop's figures;
    nothing is issued."""
    await server.officer_at_work("DKP01@L04")  # B has an open counter, J none
    kiosk = await server.client("KIOSK-1")
    before = server.engine.last_seq
    plan = await kiosk.request("plan_visit", lines=["J", "B"])
    assert plan["order"] == ["B", "J"]
    b, j = plan["stops"]
    assert (b["line"], b["name"], b["agency"]) == (
        "B",
        "Kartu Keluarga dan Pindah Datang",
        "DUKCAPIL",
    )
    assert b["requires"] == [] and j["requires"] == ["B"]
    assert b["problem"] is None and j["problem"] is None
    # The kiosk's own estimate: nobody ahead, one open counter assumed busy, so one service
    # time (the demo's B: 12 minutes, no history yet).
    assert b["wait_s"] == 720
    assert j["wait_s"] is None  # no counter of J open: nothing is promised
    assert (b["service_s"], j["service_s"]) == (720, 720)  # target_service_min 12 and 12
    assert plan["total_s"] == 720 + 720 + 720  # J's unknown wait counts as none
    assert server.engine.last_seq == before
    assert server.engine.state.itineraries == {}


async def test_issue_visit_prints_the_first_stop_and_holds_the_rest(server: Server) -> None:
    kiosk = await server.client("KIOSK-1")
    reply = await kiosk.request("issue_visit", lines=["B", "J"])
    ticket, visit = reply["ticket"], reply["visit"]
    assert ticket["number"] == "B-001" and ticket["state"] == "printing"
    assert len(ticket["token"]) >= 16
    assert visit["id"] == "2026-11-23/KJ-001" and visit["label"] == "KJ-001"
    assert visit["current"] == 0
    assert [(s["line"], s["state"], s["number"]) for s in visit["stops"]] == [
        ("B", "printing", "B-001"),
        ("J", "pending", None),
    ]
    assert visit["stops"][1]["agency_name"] == "BPJS Kesehatan"
    assert [e["event"]["kind"] for e in reply["events"]] == ["ticket_issued", "visit_started"]
    await kiosk.confirm_printed(ticket["id"])
    assert server.engine.state.tickets[ticket["id"]].state.value == "waiting"


async def test_finishing_the_first_stop_hands_on_to_the_next_line(server: Server) -> None:
    """B-001 served at L04: the same finish queues J-001 for BPJS Kesehatan, which L14 calls."""
    dukcapil = await server.officer_at_work("DKP01@L04")
    bpjs = await server.officer_at_work("BKS01@L14")
    await _visit(server, ["B", "J"])
    called = await dukcapil.act("call_next")
    assert called["ticket"]["number"] == "B-001"
    assert called["ticket"]["visit"] == {
        "id": "2026-11-23/KJ-001",
        "label": "KJ-001",
        "stop": 0,
        "stops": 2,
    }
    # Not in the next queue while being served at the first.
    with pytest.raises(RequestError) as empty:
        await bpjs.act("call_next")
    assert empty.value.code == "queue_empty"
    await dukcapil.act("start_service")
    server.clock.advance(600)
    finished = await dukcapil.act("finish_service")
    assert [e["event"]["kind"] for e in finished["events"]] == [
        "service_finished",
        "visit_handed_on",
        "ticket_issued",
        "ticket_printed",
    ]
    handed = finished["events"][1]["event"]
    assert (handed["from_number"], handed["number"], handed["line"], handed["counter"]) == (
        "B-001",
        "J-001",
        "J",
        "L04",
    )
    next_call = await bpjs.act("call_next")
    assert next_call["ticket"]["number"] == "J-001"
    assert next_call["ticket"]["visit"]["stop"] == 1
    seen = await bpjs.request("visit", ticket="J-001")
    assert [(s["number"], s["state"]) for s in seen["visit"]["stops"]] == [
        ("B-001", "done"),
        ("J-001", "called"),
    ]
    assert seen["visit"]["current"] == 1


async def test_an_officer_adds_and_skips_stops_of_the_citizen_at_the_desk(server: Server) -> None:
    """A plain ticket becomes a visit when Samsat is added; BPJS added after it, then skipped."""
    dukcapil = await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    t = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(t["id"])
    await dukcapil.act("call_next")
    added = await dukcapil.act("add_stop", line="E")
    assert [e["event"]["kind"] for e in added["events"]] == ["visit_started", "stop_added"]
    assert [(s["line"], s["state"], s["added"]) for s in added["visit"]["stops"]] == [
        ("A", "called", False),
        ("E", "pending", True),
    ]
    assert added["ticket"]["visit"] == {
        "id": "2026-11-23/KJ-001",
        "label": "KJ-001",
        "stop": 0,
        "stops": 2,
    }
    again = await dukcapil.act("add_stop", line="J")
    assert [s["line"] for s in again["visit"]["stops"]] == ["A", "J", "E"]
    skipped = await dukcapil.act("skip_stop", line="J", reason="sudah punya kartu")
    assert [e["event"]["kind"] for e in skipped["events"]] == ["stop_skipped"]
    assert [(s["line"], s["state"]) for s in skipped["visit"]["stops"]] == [
        ("A", "called"),
        ("J", "skipped"),
        ("E", "pending"),
    ]
    floor = await server.client("LANTAI")
    seen = await floor.request("visit", ticket="A-001")
    assert seen["visit"] == skipped["visit"]
    by_floor = await floor.request(
        "skip_stop", visit="KJ-001", line="E", reason="pajak sudah dibayar daring"
    )
    assert [s["state"] for s in by_floor["visit"]["stops"]] == ["called", "skipped", "skipped"]


async def _served_at(officer, number: str) -> dict:
    """Call, start and finish the next ticket at an officer's counter (it must be `number`)."""
    called = await officer.act("call_next")
    assert called["ticket"]["number"] == number
    await officer.act("start_service")
    return await officer.act("finish_service")


async def test_the_phone_page_follows_the_citizen_to_the_next_stop(server: Server) -> None:
    """The QR's token is the visit's: after the hand-on the phone hears `visit_handed_on` (its
    public form) and then watches J-001."""
    dukcapil = await server.officer_at_work("DKP01@L04")
    _, issued = await _visit(server, ["B", "J"])
    phone = await server.raw(p.hello_ticket(issued["ticket"]["token"]))
    await _served_at(dukcapil, "B-001")
    handed = await phone.expect("event")
    assert handed["event"] == {
        "kind": "visit_handed_on",
        "at": handed["event"]["at"],
        "from_number": "B-001",
        "from_line": "B",
        "counter": "L04",
        "ticket": "2026-11-23/J-001",
        "number": "J-001",
        "line": "J",
    }
    view = (await phone.expect("ticket"))["ticket"]
    assert (view["number"], view["state"]) == ("J-001", "waiting")
    # It goes on following J-001: its call rings the phone.
    bpjs = await server.officer_at_work("BKS01@L14")
    await bpjs.act("call_next")
    called = (await phone.expect("ticket"))["ticket"]
    while called["state"] == "waiting":  # L14 opening moved the wait estimate first
        called = (await phone.expect("ticket"))["ticket"]
    assert (called["number"], called["state"]) == ("J-001", "called")
    # A phone opened now (the same QR) lands on the current stop.
    later = await server.raw(p.hello_ticket(issued["ticket"]["token"]))
    assert later.welcome is not None and later.welcome["principal"]["name"] == "J-001"


async def test_a_hand_on_is_announced_where_the_citizen_leaves_and_where_they_go(
    server: Server,
) -> None:
    """B (zone 1, L04) then T (Bapenda, zone 2): both zones' TVs get the public form; the
    officers of both agencies and the floor the staff form; another agency hears nothing."""
    dukcapil = await server.officer_at_work("DKP01@L04")
    tv1 = await server.client("TV-1")
    tv2 = await server.client("TV-2")
    bapenda = await server.client("BPD01@L27")
    bpn = await server.client("BPN01@L26")
    floor = await server.client("LANTAI")
    await _visit(server, ["B", "T"])
    started = await bapenda.next_message("event", timeout=5)
    while started["event"]["kind"] != "visit_started":
        started = await bapenda.next_message("event", timeout=5)
    assert started["event"]["stops"] == ["B", "T"]
    await _served_at(dukcapil, "B-001")
    for tv in (tv1, tv2):
        msg = await tv.next_message("event", timeout=5)
        while msg["event"]["kind"] != "visit_handed_on":
            msg = await tv.next_message("event", timeout=5)
        assert "visit" not in msg["event"] and "from_ticket" not in msg["event"]
        assert (msg["event"]["from_number"], msg["event"]["number"]) == ("B-001", "T-001")
    for staff in (bapenda, floor):
        msg = await staff.next_message("event", timeout=5)
        while msg["event"]["kind"] != "visit_handed_on":
            msg = await staff.next_message("event", timeout=5)
        assert msg["event"]["visit"] == "2026-11-23/KJ-001"
        assert msg["event"]["from_ticket"] == "2026-11-23/B-001"
    # BPN (zone 2, not in the visit) heard none of it: a ping answered after the hand-on's
    # commit proves every earlier frame was sent.
    await bpn.request("ping")
    kinds = []
    while not bpn._messages.empty():
        msg = bpn._messages.get_nowait()
        if isinstance(msg, dict) and msg.get("type") == "event":
            kinds.append(msg["event"]["kind"])
    assert not {"visit_started", "visit_handed_on"} & set(kinds), kinds


async def test_finishing_a_stop_while_the_next_line_calls_never_calls_it_early(
    server: Server,
) -> None:
    """The race of issue 22, 40 times: L04 finishes B-nnn of a visit while L14 (BPJS) presses
    call_next at the same instant. L14 gets `queue_empty`, a plain J ticket, or the visit's
    hand-on ticket — never a stop whose previous stop was not yet finished — and each hand-on
    ticket is called exactly once in all."""
    rng = random.Random(22)
    dukcapil = await server.officer_at_work("DKP01@L04")
    bpjs = await server.officer_at_work("BKS01@L14")
    kiosk = await server.client("KIOSK-1")
    outcomes: dict[str, int] = {}
    for round_ in range(40):
        visit = await kiosk.request("issue_visit", lines=["B", "J"])
        await kiosk.confirm_printed(visit["ticket"]["id"])
        if round_ % 3 == 0:  # sometimes a plain J ticket is already waiting
            plain = await kiosk.issue_ticket("J")
            await kiosk.confirm_printed(plain["id"])
        called = await dukcapil.act("call_next")
        assert called["ticket"]["id"] == visit["ticket"]["id"]
        await dukcapil.act("start_service")

        async def finish() -> dict:
            await asyncio.sleep(rng.uniform(0, 0.003))
            return await dukcapil.act("finish_service")

        async def call() -> dict | str:
            await asyncio.sleep(rng.uniform(0, 0.003))
            try:
                return await bpjs.act("call_next")
            except RequestError as exc:
                return exc.code

        finished, raced = await asyncio.gather(finish(), call())
        handed = next(
            e["event"] for e in finished["events"] if e["event"]["kind"] == "visit_handed_on"
        )
        if raced == "queue_empty":
            outcomes["empty"] = outcomes.get("empty", 0) + 1
        else:
            assert isinstance(raced, dict)
            got = raced["ticket"]
            assert got["visit"] is None or got["id"] == handed["ticket"], got
            kind = "hand_on" if got["id"] == handed["ticket"] else "plain"
            outcomes[kind] = outcomes.get(kind, 0) + 1
            await bpjs.act("start_service")
            await bpjs.act("finish_service")
        # Whatever L14 got, the J queue drains to empty: the hand-on ticket is called once.
        while True:
            try:
                await bpjs.act("call_next")
            except RequestError as exc:
                assert exc.code == "queue_empty"
                break
            await bpjs.act("start_service")
            await bpjs.act("finish_service")
    log = [s for s in await server.engine.events_since(0)]
    finished_at = {s.event.ticket: s.seq for s in log if s.event.kind == "service_finished"}
    calls: dict[str, list[int]] = {}
    for s in log:
        if s.event.kind == "ticket_called":
            calls.setdefault(s.event.ticket, []).append(s.seq)
    hand_ons = [s.event for s in log if s.event.kind == "visit_handed_on"]
    assert len(hand_ons) == 40
    for h in hand_ons:
        assert len(calls[h.ticket]) == 1, h.ticket  # called exactly once
        assert finished_at[h.from_ticket] < calls[h.ticket][0]  # and only after B was done
    assert sum(outcomes.values()) == 40
    # It really was a race: L14's press landed on either side of the finish (seen: 15 empty,
    # 11 hand-on, 14 plain).
    assert len(outcomes) >= 2, outcomes


# -- refusals: each changes nothing ---------------------------------------------------------


async def _refused(client, kind: str, **fields) -> RequestError:
    with pytest.raises(RequestError) as refused:
        await client.request(kind, **fields)
    return refused.value


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"lines": "B,J"}, "bad_message"),  # not a list
        ({"lines": ["B", 7]}, "bad_message"),  # not text
        ({"lines": ["B", ""]}, "bad_message"),  # empty
        ({"lines": ["B", "JJJJJJJJJ"]}, "bad_message"),  # too long an item
        ({"lines": ["A", "B", "C", "D", "E", "F", "G", "H", "J"]}, "bad_message"),  # 9 items
        ({"lines": ["B", "J"], "priority": "vip"}, "bad_message"),
        ({"lines": ["B", "Z"]}, "not_found"),  # no such line
        ({"lines": ["B"]}, "visit_too_short"),
        ({"lines": []}, "visit_too_short"),  # none at all: the core's refusal, as documented
        ({"lines": ["A", "B", "C", "E", "J"]}, "visit_too_long"),  # the demo allows 4
        ({"lines": ["B", "B"]}, "visit_duplicate_line"),
    ],
)
async def test_a_bad_visit_is_refused_by_plan_and_issue_alike(
    server: Server, fields: dict, code: str
) -> None:
    kiosk = await server.client("KIOSK-1")
    before = server.state_copy()
    for kind in ("plan_visit", "issue_visit"):
        assert (await _refused(kiosk, kind, **fields)).code == code, kind
    assert server.state_copy() == before


async def test_issue_visit_refuses_an_order_against_requires_naming_both(server: Server) -> None:
    kiosk = await server.client("KIOSK-1")
    before = server.state_copy()
    refused = await _refused(kiosk, "issue_visit", lines=["J", "B"])
    assert refused.code == "visit_order"
    assert refused.message == (
        "Layanan Pendaftaran dan Perubahan Data memerlukan hasil layanan Kartu Keluarga dan "
        "Pindah Datang; Kartu Keluarga dan Pindah Datang harus lebih dulu"
    )
    assert server.state_copy() == before


async def test_a_stop_that_cannot_be_issued_now_is_the_plans_problem_and_refuses_the_visit(
    server: Server,
) -> None:
    """At 13:30 Perpanjangan SIM (H) has stopped issuing (cutoff 13:00): the plan says so for
    that stop, naming it, and the visit is refused with nothing issued."""
    server.clock.advance(4.5 * 3600)  # 13:30 WIB
    kiosk = await server.client("KIOSK-1")
    before = server.state_copy()
    plan = await kiosk.request("plan_visit", lines=["G", "H"])
    problems = {s["line"]: s["problem"] for s in plan["stops"]}
    assert problems["G"] is None
    assert problems["H"] == (
        "Perpanjangan SIM: Pengambilan nomor antrean untuk layanan ini sudah ditutup pukul "
        "13.00 WIB"
    )
    refused = await _refused(kiosk, "issue_visit", lines=["G", "H"])
    assert (refused.code, refused.message) == ("after_cutoff", problems["H"])
    assert server.state_copy() == before


async def test_officer_visit_requests_stay_in_their_scope(server: Server) -> None:
    """add_stop/skip_stop act only on the officer's own counter's active ticket; `visit` shows
    only a visit through the officer's agency; unknown lines and bad shapes change nothing."""
    dukcapil = await server.officer_at_work("DKP01@L04")
    samsat = await server.officer_at_work("SMS01@L08")
    await _visit(server, ["B", "J"])
    before = server.state_copy()
    # Nothing at the desk yet.
    assert (await _refused(dukcapil, "add_stop", line="E")).code == "no_active_ticket"
    assert (await _refused(dukcapil, "skip_stop", line="J", reason="x")).code == "no_active_ticket"
    assert server.state_copy() == before
    await dukcapil.act("call_next")
    before = server.state_copy()
    cases = [
        (dukcapil, "add_stop", {"line": "E", "counter": "L08"}, "forbidden"),
        (dukcapil, "add_stop", {"line": "Z"}, "not_found"),
        (dukcapil, "add_stop", {"line": ""}, "bad_message"),
        (dukcapil, "add_stop", {"line": "J"}, "stop_already_planned"),
        (dukcapil, "skip_stop", {"line": "J", "reason": ""}, "bad_message"),
        (dukcapil, "skip_stop", {"line": "J", "reason": "   "}, "reason_required"),
        (dukcapil, "skip_stop", {"line": "E", "reason": "x"}, "stop_unknown"),
        (dukcapil, "skip_stop", {"line": "B", "reason": "x"}, "stop_not_pending"),
        (dukcapil, "skip_stop", {"line": "J", "reason": "x", "visit": "KJ-009"}, "forbidden"),
        (samsat, "add_stop", {"line": "E"}, "no_active_ticket"),  # not B-001's counter
        (samsat, "visit", {"ticket": "B-001"}, "forbidden"),  # Samsat is not in the visit
        (dukcapil, "visit", {"ticket": "B-999"}, "not_found"),
        (dukcapil, "visit", {"ticket": 17}, "bad_message"),
    ]
    for client, kind, fields, code in cases:
        refused = await _refused(client, kind, **fields)
        assert refused.code == code, (kind, fields, refused.code, refused.message)
    assert (await _refused(samsat, "visit", ticket="B-001")).message == (
        "Kunjungan nomor B-001 tidak melewati layanan instansi Anda."
    )
    assert server.state_copy() == before
    # BPJS Kesehatan is in the visit: its officer may read it.
    bpjs = await server.client("BKS01@L14")
    seen = await bpjs.request("visit", ticket="B-001")
    assert [s["line"] for s in seen["visit"]["stops"]] == ["B", "J"]


async def test_the_floor_skips_by_naming_the_visit(server: Server) -> None:
    """Without a visit the floor is refused; an unknown one is the core's visit_unknown; the
    current stop while it waits is skipped and the next handed on at once."""
    await _visit(server, ["B", "J"])
    floor = await server.client("LANTAI")
    before = server.state_copy()
    assert (await _refused(floor, "skip_stop", line="B", reason="x")).code == "bad_message"
    assert (await _refused(floor, "skip_stop", visit="KJ-009", line="B", reason="x")).code == (
        "visit_unknown"
    )
    kiosk = await server.client("KIOSK-2")
    assert (await _refused(kiosk, "skip_stop", visit="KJ-001", line="B", reason="x")).code == (
        "forbidden"
    )
    assert server.state_copy() == before
    skipped = await floor.request(
        "skip_stop", visit="2026-11-23/KJ-001", line="B", reason="berkas KK sudah ada"
    )
    assert [e["event"]["kind"] for e in skipped["events"]] == [
        "stop_skipped",  # first: the cancel that follows is then no end of the visit
        "ticket_cancelled",
        "visit_handed_on",
        "ticket_issued",
        "ticket_printed",
    ]
    assert [(s["line"], s["state"], s["number"]) for s in skipped["visit"]["stops"]] == [
        ("B", "skipped", "B-001"),
        ("J", "waiting", "J-001"),
    ]
    assert skipped["events"][2]["event"]["counter"] is None  # nobody's counter was left


# -- what the counters, the floor and the tablet see -----------------------------------------


async def test_snapshots_carry_the_visit_of_each_ticket(server: Server) -> None:
    await _visit(server, ["B", "J"])
    officer = await server.client("DKP01@L04")
    mine = {t["number"]: t["visit"] for t in (await officer.snapshot())["tickets"]}
    assert mine == {"B-001": {"id": "2026-11-23/KJ-001", "label": "KJ-001", "stop": 0, "stops": 2}}
    floor = await server.client("LANTAI")
    snap = await floor.snapshot()
    assert [(v["label"], [s["state"] for s in v["stops"]]) for v in snap["visits"]] == [
        ("KJ-001", ["waiting", "pending"])
    ]


async def test_the_counter_tablet_offers_the_survey_only_at_the_visits_last_stop(
    server: Server,
) -> None:
    """TABLET-L01 faces L01 (KTP-el, A). A visit A then E: A finishing at L01 is not the end,
    no offer. A visit E then A: A is the last stop, the tablet offers it and its answer is the
    whole visit's, filed under A."""
    tablet = await server.client("TABLET-L01")
    dukcapil = await server.officer_at_work("DKP01@L01")
    samsat = await server.officer_at_work("SMS01@L08")
    await _visit(server, ["A", "E"])
    await _served_at(dukcapil, "A-001")  # E-001 queued: the visit goes on
    await _visit(server, ["E", "A"])
    await _served_at(samsat, "E-001")  # the first visit's E
    await _served_at(samsat, "E-002")  # the second visit's E: A-002 queued
    await _served_at(dukcapil, "A-002")  # the second visit's last stop
    offer = await tablet.next_message("survey_offer", timeout=5)
    assert offer["number"] == "A-002"
    answered = await tablet.answer_survey(offer["ticket"], [4] * 9)
    assert answered["ticket"] == "2026-11-23/A-002"
    survey = [s.event for s in await server.engine.events_since(0)]
    answers = [e for e in survey if e.kind == "survey_answered"]
    assert [(a.ticket, a.visit, a.line) for a in answers] == [
        ("2026-11-23/A-002", "2026-11-23/KJ-002", "A")
    ]
    # No offer was made for A-001: the only offer the tablet got is A-002's.
    assert not [m for m in tablet_messages(tablet) if m.get("type") == "survey_offer"]


def tablet_messages(client) -> list[dict]:
    out = []
    while not client._messages.empty():
        msg = client._messages.get_nowait()
        if isinstance(msg, dict):
            out.append(msg)
    return out


async def test_the_phones_of_one_printed_visit_are_bounded_together(server: Server) -> None:
    """The bound on phones is per printed QR: the phones that watched B-001 follow the visit
    to J-001, and a new phone on the same QR then replaces the oldest of them."""
    dukcapil = await server.officer_at_work("DKP01@L04")
    _, issued = await _visit(server, ["B", "J"])
    token = issued["ticket"]["token"]
    limit = server.hub.limits.phones_per_ticket
    phones = [await server.raw(p.hello_ticket(token)) for _ in range(limit)]
    await _served_at(dukcapil, "B-001")
    for raw in phones:
        assert (await raw.expect("event"))["event"]["number"] == "J-001"
    newest = await server.raw(p.hello_ticket(token))
    assert newest.welcome is not None and newest.welcome["principal"] == {
        "id": "2026-11-23/J-001",
        "name": "J-001",
    }
    assert await phones[0].closed() == p.CLOSE_REPLACED  # the oldest made room
    for raw in [*phones[1:], newest]:
        assert (await raw.reply({"type": "ping", "id": "still"}))["type"] == "pong"


async def test_a_plain_tickets_phones_stay_bounded_when_it_becomes_a_visit(server: Server) -> None:
    """Phones opened on plain ticket A-001, then the officer adds a stop (a visit now): a new
    phone on the same printed QR still counts with the earlier ones, and the oldest makes room."""
    dukcapil = await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    t = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(t["id"])
    limit = server.hub.limits.phones_per_ticket
    phones = [await server.raw(p.hello_ticket(t["token"])) for _ in range(limit)]
    await dukcapil.act("call_next")
    await dukcapil.act("add_stop", line="E")
    newest = await server.raw(p.hello_ticket(t["token"]))
    assert newest.welcome is not None
    assert await phones[0].closed() == p.CLOSE_REPLACED  # one QR, one bound
    for raw in [*phones[1:], newest]:
        assert (await raw.reply({"type": "ping", "id": "still"}))["type"] == "pong"


async def test_a_stop_finished_past_closing_ends_the_visit_and_the_tablet_offers_the_survey(
    server: Server,
) -> None:
    """A visit A then E; A-001 is served at L01 from 15:50 and finished at 17:30, past the 16:00
    closing and its hour of grace: E is not handed on but ended in the same reply ("layanan
    sudah tutup"), so the visit is over and TABLET-L01 offers its survey for A-001."""
    tablet = await server.client("TABLET-L01")
    dukcapil = await server.officer_at_work("DKP01@L01")
    await _visit(server, ["A", "E"])
    server.clock.advance(6 * 3600 + 50 * 60)  # 15:50 WIB
    await dukcapil.act("call_next")
    await dukcapil.act("start_service")
    server.clock.advance(100 * 60)  # 17:30 WIB
    finished = await dukcapil.act("finish_service")
    assert [e["event"]["kind"] for e in finished["events"]] == ["service_finished", "stop_skipped"]
    assert finished["events"][1]["event"]["reason"] == "layanan sudah tutup"
    offer = await tablet.next_message("survey_offer", timeout=5)
    assert offer["number"] == "A-001"


async def test_a_hand_on_to_a_line_whose_own_hours_ended_skips_it_as_closed(
    start_server: StartServer,
) -> None:
    """The demo building with E (Samsat) on its own hours until 14:00. A visit A then E from
    09:00; A-001 served at L01 from 15:50 and finished at 16:30 — inside the building's closing
    and grace (16:00–17:00), but past E's 14:00 and its hour of grace: E is ended in the same
    reply ("layanan sudah tutup"), no E ticket is queued on the closed line, the visit is over
    and TABLET-L01 offers its survey."""
    from dataclasses import replace
    from datetime import time

    from server.core.building import ServiceHours

    base = demo_building()
    own = ServiceHours(close=time(14, 0))
    lines = tuple(replace(ln, service_hours=own) if ln.prefix == "E" else ln for ln in base.lines)
    server = await start_server(building=replace(base, lines=lines))
    tablet = await server.client("TABLET-L01")
    dukcapil = await server.officer_at_work("DKP01@L01")
    await _visit(server, ["A", "E"])
    server.clock.advance(6 * 3600 + 50 * 60)  # 15:50 WIB
    await dukcapil.act("call_next")
    await dukcapil.act("start_service")
    server.clock.advance(40 * 60)  # 16:30 WIB
    finished = await dukcapil.act("finish_service")
    assert [e["event"]["kind"] for e in finished["events"]] == ["service_finished", "stop_skipped"]
    skipped = finished["events"][1]["event"]
    assert (skipped["line"], skipped["reason"]) == ("E", "layanan sudah tutup")
    assert server.engine.state.seq["E"] == 0  # no E number was issued
    offer = await tablet.next_message("survey_offer", timeout=5)
    assert offer["number"] == "A-001"


async def test_after_a_hand_on_the_phones_logs_name_the_ticket_they_follow(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    """Phones opened on A-001's printed QR (a visit A then E) up to the bound; A-001 is served
    and handed on to E-001. One more phone makes the oldest room: the log line names the ticket
    that phone followed then, E-001 — not A-001, left two stops of logs ago."""
    dukcapil = await server.officer_at_work("DKP01@L01")
    _kiosk, reply = await _visit(server, ["A", "E"])
    token = reply["ticket"]["token"]
    limit = server.hub.limits.phones_per_ticket
    phones = [await server.raw(p.hello_ticket(token)) for _ in range(limit)]
    await dukcapil.act("call_next")
    await dukcapil.act("start_service")
    finished = await dukcapil.act("finish_service")
    issued = finished["events"][2]["event"]
    assert (issued["kind"], issued["number"]) == ("ticket_issued", "E-001")
    caplog.set_level("INFO", logger="antre.hub")
    newest = await server.raw(p.hello_ticket(token))
    assert newest.welcome is not None
    assert await phones[0].closed() == p.CLOSE_REPLACED
    (line,) = [r.getMessage() for r in caplog.records if "newer phone" in r.getMessage()]
    assert f"ticket:{issued['ticket']}" in line
    assert reply["ticket"]["id"] not in line
