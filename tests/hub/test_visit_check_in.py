"""A visit of several services booked online, checked in once at a kiosk, over real websockets
(issue 22's online part; tests/hub/hubtest.py).

The demo building: B (Kartu Keluarga, Dukcapil, counter L04; hourly slots 07:30, 08:30 …) and
J (BPJS Kesehatan, requires B, counter L14; 30-minute slots). At 06:00 on Monday 23 November
2026 (WIB) a citizen books "B 09:30, then J" through the web room's API: J is booked at 09:30
(09:30 + B's 12 minutes = 09:42, on J's grid 09:30). They check in at 09:10.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time

from hubtest import WIB, FakeClock, Server, StartServer, hello_for

MONDAY = date(2026, 11, 23)


def at(hhmm: str) -> datetime:
    return datetime.combine(MONDAY, time.fromisoformat(hhmm), tzinfo=WIB)


async def test_checking_in_a_visit_booking_prints_the_itinerary_and_uses_the_booked_place(
    start_server: StartServer, clock: FakeClock
) -> None:
    clock.now = at("06:00")
    server: Server = await start_server()
    view = await server.running.bookings.book_visit(
        ["B", "J"],
        MONDAY,
        time(9, 30),
        name="Siti Aminah",
        phone="0812 3456 7890",
        nik="3171012301900001",
    )
    member = server.engine.state.bookings.members[view.code][0]
    server.clock.now = at("09:10")
    kiosk = await server.client("KIOSK-1")
    dukcapil = await server.officer_at_work("DKP01@L04")
    bpjs = await server.officer_at_work("BKS01@L14")
    reply = await kiosk.request("check_in", code=view.code)
    ticket, visit = reply["ticket"], reply["visit"]
    assert (ticket["number"], ticket["line"], ticket["state"]) == ("B-001", "B", "printing")
    assert ticket["booking"] == {"code": view.code, "slot": "09.30 WIB"}
    assert (visit["id"], visit["label"], visit["current"]) == (
        "2026-11-23/KJ-001",
        "KJ-001",
        0,
    )
    assert [(s["line"], s["state"], s["number"]) for s in visit["stops"]] == [
        ("B", "printing", "B-001"),
        ("J", "pending", None),
    ]
    assert [e["event"]["kind"] for e in reply["events"]] == [
        "ticket_issued",
        "visit_started",
        "booking_checked_in",
    ]
    await kiosk.confirm_printed(ticket["id"])

    called = await dukcapil.act("call_next")
    assert called["ticket"]["number"] == "B-001"
    await dukcapil.act("start_service")
    server.clock.now = at("09:50")
    finished = await dukcapil.act("finish_service")
    assert [e["event"]["kind"] for e in finished["events"]] == [
        "service_finished",
        "visit_handed_on",
        "ticket_issued",
        "booking_checked_in",
        "ticket_printed",
    ]
    # J's ticket is the booked place: the member's booking, not J's walk-in quota.
    j_issued = finished["events"][2]["event"]
    assert (j_issued["number"], j_issued["booking"]) == ("J-001", member)
    state = server.engine.state
    assert (state.used_walk_in["J"], state.used_priority["J"]) == (0, 0)
    # Queued at max(the slot's start 09:30, 09:50 − 15 min credit) = 09:35.
    assert state.tickets[j_issued["ticket"]].queued_at == at("09:35")
    next_call = await bpjs.act("call_next")
    assert next_call["ticket"]["number"] == "J-001"
    after = await server.running.bookings.booking(view.token)
    assert after is not None
    assert [(s.line, s.state, s.ticket_number) for s in after.stops] == [
        ("B", "checked_in", "B-001"),
        ("J", "checked_in", "J-001"),
    ]


async def test_a_plain_check_in_has_no_visit(start_server: StartServer, clock: FakeClock) -> None:
    clock.now = at("06:00")
    server: Server = await start_server()
    view = await server.running.bookings.book(
        "J", MONDAY, time(9, 30), name="Budi", phone="0813 1111 2222", nik="3171012301900002"
    )
    server.clock.now = at("09:10")
    kiosk = await server.client("KIOSK-1")
    reply = await kiosk.request("check_in", code=view.code)
    assert reply["ticket"]["booking"]["code"] == view.code
    assert "visit" not in reply


async def test_no_push_to_a_later_stops_agency_carries_the_lead_code(
    start_server: StartServer, clock: FakeClock
) -> None:
    """The lead code is what the citizen holds (their booking page, check-in): BPJS Kesehatan's
    officers, of the visit's second stop, hear of the member's booking, the visit's start and
    the hand-on to J, but never of the code of B's booking. The core keeps it."""
    clock.now = at("06:00")
    server: Server = await start_server()
    bpjs = await server.raw(hello_for("BKS01@L14"))
    view = await server.running.bookings.book_visit(
        ["B", "J"],
        MONDAY,
        time(9, 30),
        name="Siti Aminah",
        phone="0812 3456 7890",
        nik="3171012301900001",
    )
    member = server.engine.state.bookings.members[view.code][0]
    server.clock.now = at("09:10")
    kiosk = await server.client("KIOSK-1")
    dukcapil = await server.officer_at_work("DKP01@L04")
    reply = await kiosk.request("check_in", code=view.code)
    await kiosk.confirm_printed(reply["ticket"]["id"])
    await dukcapil.act("call_next")
    await dukcapil.act("start_service")
    server.clock.now = at("09:50")
    await dukcapil.act("finish_service")
    await bpjs.reply({"type": "ping", "id": "last"})  # every push before it has arrived
    heard = [m["event"] for m in bpjs.seen if m.get("type") == "event"]
    kinds = {e["kind"] for e in heard}
    assert {"booking_made", "visit_started", "booking_checked_in", "ticket_issued"} <= kinds
    assert member in json.dumps(heard)  # the member's own code is J's business
    assert view.code not in json.dumps(bpjs.seen)
    assert server.engine.state.bookings.get(member).lead == view.code  # type: ignore[union-attr]
