"""Checking a booked citizen in at a kiosk, and an officer reading who booked, over real
websockets (tests/hub/hubtest.py).

The demo building with `[lines.booking]` on line A (Dukcapil: hourly slots from 07:30, two
places, check-in from 30 minutes before the slot to 15 after) and line G (Polres SKCK, walk-in
quota cut to 1 here). Bookings are made through `Running.bookings`, the web room's API, at
06:00 on Monday 23 November 2026 (WIB); the kiosk comes later.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from hubtest import WIB, FakeClock, Server, StartServer, demo_building

from server.bookings_api import BookingView
from server.client import RequestError
from server.core.building import BookingRules, Building
from server.core.model import Tick

MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)
RULES = BookingRules(slot_min=60, places=2, days_ahead=7, closes_min_before=30)


def booking_demo() -> Building:
    building = demo_building()
    lines = tuple(
        replace(ln, booking=RULES, quota_walk_in=1 if ln.prefix == "G" else ln.quota_walk_in)
        if ln.prefix in ("A", "G")
        else ln
        for ln in building.lines
    )
    return replace(building, lines=lines)


def at(hhmm: str, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=WIB)


@pytest.fixture
async def booked(start_server: StartServer, clock: FakeClock) -> Server:
    clock.now = at("06:00")
    return await start_server(building=booking_demo())


async def book(server: Server, line: str, slot: str, n: int, day: date = MONDAY) -> BookingView:
    return await server.running.bookings.book(
        line,
        day,
        time.fromisoformat(slot),
        name=f"Siti Aminah {n}",
        phone=f"0812345678{n:02d}",
        nik=f"31710123019000{n:02d}",
    )


async def refusal(kiosk, code: str) -> RequestError:  # type: ignore[no-untyped-def]
    with pytest.raises(RequestError) as caught:
        await kiosk.check_in(code)
    return caught.value


async def test_on_time_the_kiosk_gets_a_ticket_queued_at_the_slot(booked: Server) -> None:
    """In the window: issue_ticket's reply, with the booking's code and slot; officers see both."""
    view = await book(booked, "A", "09:30", 1)
    booked.clock.now = at("09:10")
    kiosk = await booked.client("KIOSK-1")
    officer = await booked.officer_at_work("DKP01@L01")
    walk_in = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(walk_in["id"])
    typed = f"{view.code[:4].lower()}-{view.code[4:].lower()}"  # as a citizen may type it
    ticket = await kiosk.check_in(typed)
    assert (ticket["number"], ticket["state"], ticket["line"]) == ("A-002", "printing", "A")
    assert ticket["booking"] == {"code": view.code, "slot": "09.30 WIB"}
    assert ticket["token"] and ticket["people_ahead"] == 1  # the 09:10 walk-in is before 09:30
    await kiosk.confirm_printed(ticket["id"])
    staff = booked.engine.state.tickets[ticket["id"]]
    assert staff.queued_at == at("09:30")
    reply = await officer.act("call_next")
    assert reply["ticket"]["number"] == "A-001"
    assert [(t["number"], t["booking"], t["slot"]) for t in reply["next"]] == [
        ("A-002", view.code, "2026-11-23T09:30:00+07:00")
    ]
    assert (await booked.running.bookings.booking(view.token)).ticket_number == "A-002"  # type: ignore[union-attr]


async def test_scanning_twice_shows_the_first_number_and_prints_nothing(booked: Server) -> None:
    view = await book(booked, "A", "09:30", 1)
    booked.clock.now = at("09:00")
    kiosk = await booked.client("KIOSK-1")
    first = await kiosk.check_in(view.code)
    other = await booked.client("KIOSK-2")
    refused = await refusal(other, view.code)  # the first kiosk still prints
    assert (refused.code, refused.reply["details"]) == (
        "booking_printing",
        {"number": first["number"]},
    )
    await kiosk.confirm_printed(first["id"])
    refused = await refusal(other, view.code)
    assert refused.code == "booking_checked_in"
    assert refused.reply["details"] == {"number": first["number"]}
    assert refused.message == (
        f"Pesanan ini sudah lapor kedatangan dengan nomor antrean {first['number']}"
    )
    assert len(booked.engine.state.tickets) == 1


async def test_early_lapsed_unknown_cancelled_and_other_day(booked: Server) -> None:
    """Each refusal with its code and details, as the kiosk shows them."""
    soon = await book(booked, "A", "09:30", 1)
    gone = await book(booked, "A", "10:30", 2)
    tomorrow = await book(booked, "A", "09:30", 3, day=TUESDAY)
    late = await book(booked, "A", "08:30", 4)
    await booked.running.bookings.cancel(gone.token)
    booked.clock.now = at("08:59")
    kiosk = await booked.client("KIOSK-1")

    early = await refusal(kiosk, soon.code)
    assert (early.code, early.reply["details"]) == ("booking_too_early", {"time": "09.00 WIB"})
    assert early.message == (
        "Lapor kedatangan untuk pesanan ini dibuka pukul 09.00 WIB; silakan kembali nanti"
    )
    lapsed = await refusal(kiosk, late.code)  # 08:30 + 15 min passed: no tick needed
    assert (lapsed.code, lapsed.reply["details"]) == (
        "booking_lapsed",
        {"line": "A", "walk_in": True},
    )
    assert (await refusal(kiosk, "ACDE-FGHJ")).code == "booking_not_found"
    assert (await refusal(kiosk, gone.code)).code == "booking_cancelled"
    other_day = await refusal(kiosk, tomorrow.code)
    assert (other_day.code, other_day.reply["details"]) == (
        "booking_other_day",
        {"day": "Selasa, 24 November 2026"},
    )
    assert booked.engine.state.tickets == {}


async def test_a_lapsed_booking_says_when_no_walk_in_ticket_is_left(booked: Server) -> None:
    """Line G's walk-in quota (1 here) is used up: the kiosk must not offer a walk-in ticket."""
    late = await book(booked, "G", "08:30", 1)
    booked.clock.now = at("08:50")
    kiosk = await booked.client("KIOSK-1")
    await kiosk.issue_ticket("G")
    await booked.hub.execute(Tick(), "system")  # lapses it
    refused = await refusal(kiosk, late.code)
    assert (refused.code, refused.reply["details"]) == (
        "booking_lapsed",
        {"line": "G", "walk_in": False},
    )


async def test_an_officer_reads_the_holder_of_the_booked_ticket_at_the_own_counter_only(
    booked: Server,
) -> None:
    view = await book(booked, "A", "09:30", 7)
    other = await book(booked, "A", "09:30", 8)
    booked.clock.now = at("09:05")
    kiosk = await booked.client("KIOSK-1")
    ticket = await kiosk.check_in(view.code)
    await kiosk.confirm_printed(ticket["id"])
    waiting = await kiosk.check_in(other.code)
    await kiosk.confirm_printed(waiting["id"])
    walk_in = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(walk_in["id"])
    dukcapil = await booked.officer_at_work("DKP01@L01")
    # Before the citizen is at the desk, no name: an officer cannot list who booked today.
    for number in (ticket["number"], waiting["number"]):
        with pytest.raises(RequestError) as caught:
            await dukcapil.booking_holder(number)
        assert (caught.value.code, caught.value.message) == (
            "not_found",
            f"Nomor {number} tidak sedang dilayani di loket Anda.",
        )
    await dukcapil.act("call_ticket", ticket=ticket["id"], reason="KTP dicocokkan")
    holder = await dukcapil.booking_holder(ticket["number"])
    assert {k: holder[k] for k in ("number", "booking", "name", "nik_masked")} == {
        "number": ticket["number"],
        "booking": view.code,
        "name": "Siti Aminah 7",
        "nik_masked": "•••• •••• •••• 0007",
    }
    with pytest.raises(RequestError) as caught:  # the other booked citizen still waits
        await dukcapil.booking_holder(waiting["number"])
    assert caught.value.code == "not_found"
    await dukcapil.act("start_service")
    await dukcapil.act("finish_service")
    await dukcapil.act("call_ticket", ticket=walk_in["id"], reason="urut")
    with pytest.raises(RequestError) as caught:
        await dukcapil.booking_holder(walk_in["number"])
    assert (caught.value.code, caught.value.message) == (
        "not_found",
        f"Nomor {walk_in['number']} bukan nomor dari pesanan.",
    )
    polres = await booked.client("POL01@L11")
    with pytest.raises(RequestError) as caught:
        await polres.booking_holder(ticket["id"])
    assert caught.value.code == "forbidden"


async def test_booking_events_reach_staff_without_personal_data_and_nobody_else(
    booked: Server,
) -> None:
    """The floor hears of a booking, without name, phone, NIK or token; TVs and kiosks don't."""
    floor = await booked.client("LANTAI")
    tv = await booked.client("TV-1")
    kiosk = await booked.client("KIOSK-2")
    view = await book(booked, "A", "09:30", 5)
    msg = await floor.next_message("event", timeout=5)
    event = msg["event"]
    assert event["kind"] == "booking_made" and event["code"] == view.code
    assert not {"name", "phone", "nik_last4", "nik_hash", "phone_hash", "token"} & set(event)
    booked.clock.now = at("09:10")
    other = await booked.client("KIOSK-1")
    await other.check_in(view.code)
    assert (await tv.next_message("event", timeout=5))["event"]["kind"] == "ticket_issued"
    await booked.hub.execute(Tick(), "system")
    await asyncio.sleep(0.05)
    for client in (tv, kiosk):
        while not client._messages.empty():  # what else arrived: nothing of a booking
            frame = client._messages.get_nowait()
            assert not str(frame.get("event", {}).get("kind", "")).startswith("booking"), frame
    lines = await floor.list_lines()
    figures = next(ln for ln in lines if ln["prefix"] == "A")["bookings"]
    # Slots 07:30 … 13:30 (cutoff 14:30): seven of two places.
    assert (figures["places"], figures["expected"], figures["checked_in"]) == (14, 0, 1)
    assert "bookings" not in (await other.list_lines())[0]
