"""A visit of several services booked online, on a real SQLite file (issue 22's online part).

The demo building (server/demo/mpp-kota-contoh.toml): B Kartu Keluarga (60-minute slots 07:30,
08:30 …, 4 + 1 places), J BPJS Kesehatan (requires B; 30-minute slots 07:30 … 15:00, 3 + 1).
Booked on Friday 4 December 2026 at 10:00 WIB for Monday 7 December. B 09:30 (12 min) puts J's
expected arrival at 09:42: J is booked at 09:30.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from datetime import date, datetime, time
from pathlib import Path

from mpp_uji import FakeClock

from server.bookings_api import BookingsApi
from server.config import load_demo_building
from server.core.bookings import BookingState
from server.core.calendar import at_local
from server.core.model import DomainError, Tick
from server.core.queue import QueueState
from server.engine import Engine
from server.store import Store

MONDAY = date(2026, 12, 7)
FRIDAY = date(2026, 12, 4)
NIK = "3171012301900001"
WORKER = Path(__file__).resolve().parent / "visit_booking_crash_worker.py"
DEMO = load_demo_building()


def wib(day: date, hhmm: str) -> datetime:
    return at_local(DEMO, day, time.fromisoformat(hhmm))


async def test_book_a_visit_read_its_slots_and_cancel_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "antre.db"
    engine = Engine(DEMO, str(path), clock=FakeClock(wib(FRIDAY, "10:00")))
    await engine.start()
    api = BookingsApi(engine)
    try:
        assert api.visit_order(["J", "B"]) == ("B", "J")
        days = api.visit_days(["B", "J"])
        assert MONDAY in days and date(2026, 12, 5) not in days  # Saturday: closed
        choices = {c.slot: c for c in api.visit_slots(["B", "J"], MONDAY)}
        nine = choices[time(9, 30)]
        assert nine.bookable and nine.message is None
        assert [(s.line, s.slot, s.places_left) for s in nine.stops] == [
            ("B", time(9, 30), 4),
            ("J", time(9, 30), 3),
        ]
        view = await api.book_visit(
            ["B", "J"], MONDAY, time(9, 30), name="Siti Aminah", phone="0812 3456 7890", nik=NIK
        )
        assert (view.line, view.slot, view.state) == ("B", time(9, 30), BookingState.BOOKED)
        assert [(s.line, s.line_name, s.slot, s.slot_end, s.state) for s in view.stops] == [
            ("B", "Kartu Keluarga dan Pindah Datang", time(9, 30), time(10, 30), "booked"),
            ("J", "Pendaftaran dan Perubahan Data", time(9, 30), time(10, 0), "booked"),
        ]
        nine = {c.slot: c for c in api.visit_slots(["B", "J"], MONDAY)}[time(9, 30)]
        assert [s.places_left for s in nine.stops] == [3, 2]
        # The same NIK again: J's day is held by the first visit's member, named by service.
        try:
            await api.book_visit(
                ["B", "J"], MONDAY, time(8, 30), name="Siti", phone="0812 3456 7890", nik=NIK
            )
        except DomainError as refused:
            assert refused.code == "booking_nik_taken"
        else:
            raise AssertionError("a second visit with the same NIK was booked")
        # The row of each stop names the lead and the stop.
        member = engine.state.bookings.members[view.code][0]
        con = sqlite3.connect(path)
        rows = con.execute("SELECT code, line, lead, stop FROM bookings ORDER BY stop").fetchall()
        con.close()
        assert rows == [(view.code, "B", view.code, 0), (member, "J", view.code, 1)]
        after = await api.cancel(view.token)
        assert [s.state for s in after.stops] == ["cancelled", "cancelled"]
        nine = {c.slot: c for c in api.visit_slots(["B", "J"], MONDAY)}[time(9, 30)]
        assert [s.places_left for s in nine.stops] == [4, 3]
    finally:
        await engine.close()


async def test_a_schema_11_store_gains_the_lead_and_stop_of_its_bookings(tmp_path: Path) -> None:
    path = tmp_path / "eleven.db"
    old = await Store.open(path, target_version=11)
    await old.close()
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO bookings (code, token, line, day, slot, priority, state, ticket, channel, "
        "made_at, made_seq, updated_seq) VALUES ('K7QM4TXA', 'tok', 'B', '2026-12-07', '09:30', "
        "NULL, 'booked', NULL, 'web', '2026-12-04T10:00:00+07:00', 1, 1)"
    )
    con.commit()
    con.close()
    store = await Store.open(path)
    try:
        assert await store.schema_version() >= 12  # 12, then any later migration
        booking = await store.booking("tok")
        assert booking is not None and (booking.lead, booking.stop) == (None, None)
    finally:
        await store.close()


async def _run_until(db: Path, phase: str, stderr: Path) -> list[str]:
    """Run the worker's phase, read its acknowledgement, SIGKILL it; the acknowledged words."""
    with stderr.open("ab") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(WORKER), str(db), phase, stdout=asyncio.subprocess.PIPE, stderr=err
        )
        assert proc.stdout is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), 60)
        finally:
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
    words = line.decode().split()
    assert words, f"the worker said nothing; see {stderr}"
    return words


async def test_a_server_killed_after_a_visit_booking_and_its_check_in_restarts_whole(
    tmp_path: Path,
) -> None:
    db, err = tmp_path / "antre.db", tmp_path / "worker.log"
    booked, lead, member, token = await _run_until(db, "book", err)
    assert booked == "BOOKED"
    engine = Engine(DEMO, str(db), clock=FakeClock(wib(FRIDAY, "10:01")))
    await engine.start()
    try:
        book = engine.state.bookings
        assert book.members == {lead: (member,)}
        view = await BookingsApi(engine).booking(token)
        assert view is not None and [s.line for s in view.stops] == ["B", "J"]
    finally:
        await engine.close()

    checked, ticket, visit = await _run_until(db, "check_in", err)
    assert (checked, visit) == ("CHECKED", "2026-12-07/KJ-001")
    engine = Engine(DEMO, str(db), clock=FakeClock(wib(MONDAY, "09:11")))
    await engine.start()
    try:
        state = engine.state
        itinerary = state.itineraries[visit]
        assert (itinerary.booking, [s.line for s in itinerary.stops]) == (lead, ["B", "J"])
        assert itinerary.started_at == wib(MONDAY, "09:30")
        assert state.tickets[ticket].booking == lead
        assert state.bookings.get(lead).state is BookingState.CHECKED_IN  # type: ignore[union-attr]
        assert state.bookings.get(member).state is BookingState.BOOKED  # type: ignore[union-attr]
        assert (state.used_walk_in["J"], state.used_priority["J"]) == (0, 0)
        # The log replayed from the start gives the same state.
        store = engine.store
        log = await store.events_since(0, limit=10**6)
        assert log is not None
        fresh = QueueState(DEMO)
        for stored in log:
            fresh.apply(stored.event)
        assert fresh.bookings == state.bookings
        assert fresh.itineraries == state.itineraries
    finally:
        await engine.close()


async def test_a_past_visits_member_token_shows_no_page_of_its_own(tmp_path: Path) -> None:
    """Monday's visit closed and gone from the state: the lead's token still reads its row from
    the store, but a member's token (never shown, a random credential) reads nothing — not a
    page naming the member's own code."""
    path = str(tmp_path / "antre.db")
    engine = Engine(DEMO, path, clock=FakeClock(wib(FRIDAY, "10:00")))
    await engine.start()
    view = await BookingsApi(engine).book_visit(
        ["B", "J"], MONDAY, time(9, 30), name="Siti Aminah", phone="0812 3456 7890", nik=NIK
    )
    member = engine.state.bookings.members[view.code][0]
    member_token = engine.state.bookings.get(member).token  # type: ignore[union-attr]
    await engine.close()
    tuesday = wib(date(2026, 12, 8), "09:00")
    for now in (wib(MONDAY, "17:00"), tuesday):  # Monday's ticks lapse it, Tuesday's close it
        engine = Engine(DEMO, path, clock=FakeClock(now))
        await engine.start()
        await engine.execute(Tick(), "system")
        await engine.close()
    engine = Engine(DEMO, path, clock=FakeClock(tuesday))
    await engine.start()
    try:
        assert engine.state.bookings.get(view.code) is None  # read from the store, then
        api = BookingsApi(engine)
        lead = await api.booking(view.token)
        assert lead is not None and lead.code == view.code
        assert await api.booking(member_token) is None
    finally:
        await engine.close()
