"""Bookings on a real SQLite file: the log rebuilds the book, personal data stays out of the log's
JSON and is purged on time, the hashes' key is the store's, and racing citizens never get one
place twice.

The building (tests/engine/mpp_uji.py, `booking_building`): line A has hourly slots 07:30 …
15:30 every day, two places each, bookable 7 days ahead, until 30 minutes before the slot.
Monday 23 November 2026, WIB.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from mpp_uji import WIB, FakeClock, booking_building

from server.bookings_api import BookingsApi
from server.core.bookings import BookingState
from server.core.events import (
    BookingCancelled,
    BookingLapsed,
    BookingMade,
    BookingRescheduled,
    Event,
    PriorityGroup,
)
from server.core.model import DomainError, IssueTicket, Tick
from server.core.queue import QueueState
from server.engine import Engine
from server.store import Store, StoreReader

MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
THURSDAY = MONDAY + timedelta(days=3)
NIK = "3171012301900001"  # a NIK of the right form (Jakarta Pusat, born 23 Jan 1990)


def wib(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=WIB)


def nik(n: int) -> str:
    """Citizen n's NIK: Jakarta Pusat, born 23 January 1990, serial n; citizen 0 gets serial
    9999, since a serial of 0000 is no NIK (server/core/nik.py)."""
    assert 0 <= n < 9999
    return f"317101230190{n or 9999:04d}"


async def started(path: Path, clock: FakeClock, **building: int) -> Engine:
    engine = Engine(booking_building(**building), str(path), clock=clock)
    await engine.start()
    return engine


async def whole_log(path: Path) -> list[Event]:
    store = await Store.open(path)
    try:
        log = await store.events_since(0, limit=10**6)
        assert log is not None
        return [s.event for s in log]
    finally:
        await store.close()


async def test_a_restart_rebuilds_every_booking_of_today_and_later(tmp_path: Path) -> None:
    """Booked on Monday for Wednesday, rescheduled, cancelled; two day closes later the
    restarted engine holds the same book as the live one, and as the whole log replayed."""
    path = tmp_path / "antre.db"
    clock = FakeClock(wib(MONDAY, "08:00"))
    engine = await started(path, clock)
    api = BookingsApi(engine)
    try:
        await engine.execute(IssueTicket("B", None, "tok-walk", "K1"), "kiosk:K1")
        kept = await api.book(
            "A", WEDNESDAY, time(9, 30), name="Siti Aminah", phone="0812 3456 7890", nik=nik(1)
        )
        moved = await api.book(
            "A", TUESDAY, time(9, 30), name="Budi", phone="0813 1111 2222", nik=nik(2)
        )
        gone = await api.book(
            "A", WEDNESDAY, time(10, 30), name="Wayan", phone="0813 3333 4444", nik=nik(3)
        )
        lapsed = await api.book(
            "A", MONDAY, time(10, 30), name="Made", phone="0813 5555 6666", nik=nik(4)
        )
        await api.reschedule(moved.token, THURSDAY, time(13, 30))
        await api.cancel(gone.token)
        clock.now = wib(TUESDAY, "08:00")
        await engine.execute(Tick(), "system")  # closes Monday: Made's booking lapses
        await engine.execute(IssueTicket("B", None, "tok-walk-2", "K1"), "kiosk:K1")
        clock.now = wib(WEDNESDAY, "07:00")
        await engine.execute(Tick(), "system")  # closes Tuesday
        live = engine.state
    finally:
        await engine.close()

    clock.now = wib(WEDNESDAY, "07:05")
    again = await started(path, clock)
    try:
        book = again.state.bookings
        # Wednesday's and later, the cancelled one too (its day has not closed yet).
        assert sorted(book.by_code) == sorted([kept.code, moved.code, gone.code])
        assert book.get(moved.code).day == THURSDAY  # type: ignore[union-attr]
        assert book.get(kept.code).name == "Siti Aminah"  # type: ignore[union-attr]
        assert book.get(kept.code).nik_last4 == "0001"  # type: ignore[union-attr]
        assert again.state == live
        replayed = QueueState(again.building)
        for event in await whole_log(path):
            replayed.apply(event)
        assert replayed.bookings == book
        # The citizen's page of a booking no longer in memory reads its row.
        past = await BookingsApi(again).booking(lapsed.token)
        assert past is not None and past.state is BookingState.LAPSED and past.name is None
    finally:
        await again.close()


async def test_personal_data_is_never_in_the_logs_json(tmp_path: Path) -> None:
    """Name, phone, NIK's last digits and the hashes are in booking_contacts, not in events."""
    path = tmp_path / "antre.db"
    engine = await started(path, FakeClock(wib(MONDAY, "08:00")))
    try:
        made = await BookingsApi(engine).book(
            "A", TUESDAY, time(9, 30), name="Ni Luh Putu Ayu", phone="+62 812-9876-5432", nik=NIK
        )
    finally:
        await engine.close()
    db = sqlite3.connect(path)
    try:
        payloads = [json.loads(p) for (p,) in db.execute("SELECT payload FROM events")]
        contacts = db.execute(
            "SELECT code, name, phone, nik_last4, length(nik_hash) FROM booking_contacts"
        ).fetchall()
        raw = "".join(text for (text,) in db.execute("SELECT payload FROM events"))
    finally:
        db.close()
    booking = next(p for p in payloads if p["kind"] == "booking_made")
    # lead and stop: a visit booking's group (issue 22), null for this plain booking.
    assert set(booking) == {"kind", "at", "code", "token", "line", "day", "slot", "priority",
                            "channel", "lead", "stop"}  # fmt: skip
    assert contacts == [(made.code, "Ni Luh Putu Ayu", "+6281298765432", "0001", 64)]
    for secret in ("Ni Luh", "9876", NIK, NIK[-4:]):
        assert secret not in raw, secret
    assert made.nik_masked == "•••• •••• •••• 0001"


async def test_the_retention_purge_runs_at_the_day_close_and_at_start(tmp_path: Path) -> None:
    """retention_days = 2: Monday's personal data lives through Wednesday, gone on Thursday."""
    path = tmp_path / "antre.db"
    clock = FakeClock(wib(MONDAY, "06:00"))
    engine = await started(path, clock, retention_days=2)
    api = BookingsApi(engine)
    try:
        monday = await api.book("A", MONDAY, time(9, 30), name="A", phone="081234567", nik=nik(1))
        tuesday = await api.book("A", TUESDAY, time(9, 30), name="B", phone="081234568", nik=nik(2))
        for day in (TUESDAY, WEDNESDAY):
            clock.now = wib(day, "08:00")
            await engine.execute(IssueTicket("B", None, f"tok-{day}", "K1"), "kiosk:K1")
        assert await engine.store.booking_contacts(monday.code) is not None  # Wednesday: kept
        clock.now = wib(THURSDAY, "07:00")
        await engine.execute(Tick(), "system")  # closes Wednesday; the purge follows
    finally:
        await engine.close()  # waits for the purge
    store = await Store.open(path)
    try:
        assert await store.booking_contacts(monday.code) is None
        assert await store.booking_contacts(tuesday.code) is not None  # kept until Friday
        # Nor left in the file's free pages or its write-ahead log (Monday's "+6281234567").
        for part in (path, path.with_name(path.name + "-wal")):
            raw = part.read_bytes() if part.exists() else b""
            assert b"6281234567" not in raw, part
        made = [e for e in await store.load_day(MONDAY) if isinstance(e.event, BookingMade)]
        purged = next(s.event for s in made if s.event.code == monday.code)  # type: ignore[attr-defined]
        assert (purged.name, purged.phone, purged.nik_hash) == (None, None, None)  # type: ignore[attr-defined]
        assert purged.token is not None  # the rest of the event is kept
    finally:
        await store.close()
    # A server down over Friday's close purges at start.
    clock.now = wib(THURSDAY + timedelta(days=2), "07:00")
    again = await started(path, clock, retention_days=2)
    try:
        assert await again.store.booking_contacts(tuesday.code) is None
    finally:
        await again.close()


async def test_the_hash_key_is_the_stores_own(tmp_path: Path) -> None:
    clock = FakeClock(wib(MONDAY, "08:00"))
    first = await started(tmp_path / "a.db", clock)
    key = first.booking_key
    await first.close()
    again = await started(tmp_path / "a.db", clock)
    other = await started(tmp_path / "b.db", clock)
    try:
        assert len(key) == 32 and again.booking_key == key
        assert other.booking_key != key
        # The same NIK books once per line and day in one store, by its keyed hash.
        api = BookingsApi(again)
        await api.book("A", TUESDAY, time(9, 30), name="X", phone="081211111", nik=NIK)
        with pytest.raises(DomainError) as caught:
            await api.book("A", TUESDAY, time(12, 30), name="Y", phone="081222222", nik=NIK)
        assert caught.value.code == "booking_nik_taken"
    finally:
        await again.close()
        await other.close()


def _fold_places(log: list[Event]) -> Counter:
    """The most places ever held at once per slot, counted from the log alone."""
    holding: Counter = Counter()
    where: dict[str, tuple] = {}
    most: Counter = Counter()
    for event in log:
        match event:
            case BookingMade():
                where[event.code] = (event.line, event.day, event.slot)
                holding[where[event.code]] += 1
            case BookingRescheduled():
                holding[where[event.code]] -= 1
                where[event.code] = (event.line, event.day, event.slot)
                holding[where[event.code]] += 1
            case BookingCancelled() | BookingLapsed():
                holding[where[event.code]] -= 1
            case _:
                continue
        for slot, n in holding.items():
            most[slot] = max(most[slot], n)
    return most


async def test_citizens_racing_for_the_last_places_get_each_once(tmp_path: Path) -> None:
    """Sixty citizens at once for a slot with two places left: exactly two are booked."""
    path = tmp_path / "antre.db"
    engine = await started(path, FakeClock(wib(MONDAY, "08:00")), places=3)
    api = BookingsApi(engine)
    try:
        await api.book("A", TUESDAY, time(9, 30), name="Awal", phone="0811000000", nik=nik(999))

        async def citizen(i: int) -> str:
            try:
                await api.book(
                    "A", TUESDAY, time(9, 30), name=f"Warga {i}", phone=f"08120000{i:03d}",
                    nik=nik(i),
                )  # fmt: skip
                return "booked"
            except DomainError as refused:
                return refused.code

        results = Counter(await asyncio.gather(*(citizen(i) for i in range(60))))
        assert results == Counter({"booked": 2, "slot_full": 58})
    finally:
        await engine.close()
    assert _fold_places(await whole_log(path))[("A", TUESDAY, time(9, 30))] == 3


async def test_cancel_and_rebook_races_never_overfill(tmp_path: Path) -> None:
    """Holders cancel while others rebook and move in, all at once, round after round: no slot
    ever holds more than its two places, and every freed place is taken again."""
    path = tmp_path / "antre.db"
    engine = await started(path, FakeClock(wib(MONDAY, "08:00")))
    api = BookingsApi(engine)
    slots = [time(9, 30), time(10, 30)]
    try:
        holders = [
            await api.book("A", TUESDAY, s, name="H", phone=f"0811000{i}{j}", nik=nik(10 * i + j))
            for i, s in enumerate(slots)
            for j in range(2)
        ]
        n = 100
        for _ in range(5):

            async def cancel(view):  # type: ignore[no-untyped-def]
                await api.cancel(view.token)

            async def rebook(i: int, slot: time):  # type: ignore[no-untyped-def]
                try:
                    return await api.book(
                        "A", TUESDAY, slot, name="R", phone=f"0812{i:06d}", nik=nik(i)
                    )
                except DomainError as refused:
                    assert refused.code == "slot_full"
                    return None

            async def move(view, slot: time):  # type: ignore[no-untyped-def]
                try:
                    await api.reschedule(view.token, TUESDAY, slot)
                except DomainError as refused:
                    assert refused.code == "slot_full"

            tasks = [cancel(h) for h in holders[:2]]
            tasks += [rebook(n + i, slots[i % 2]) for i in range(12)]
            tasks += [move(h, slots[0]) for h in holders[2:]]
            n += 12
            got = await asyncio.gather(*tasks)
            holders = [h for h in got[2:14] if h is not None] + holders[2:]
            taken = engine.state.bookings.taken
            assert [sum(taken.get(("A", TUESDAY, s), [0, 0])) for s in slots] == [2, 2]
    finally:
        await engine.close()
    most = _fold_places(await whole_log(path))
    assert max(most.values()) == 2


@pytest.mark.parametrize(
    ("name", "phone", "nik", "code"),
    [
        ("  ", "0812 3456 7890", NIK, "booking_name_required"),
        ("Siti\x07", "0812 3456 7890", NIK, "booking_name_required"),
        ("Siti", "12345", NIK, "booking_phone_invalid"),
        ("Siti", "0812 3456 7890", "3171 0123 0190 000", "booking_nik_invalid"),
        ("Siti", "0812 3456 7890", "31710123019000AB", "booking_nik_invalid"),
    ],
)
async def test_a_bad_form_is_refused_and_changes_nothing(
    tmp_path: Path, name: str, phone: str, nik: str, code: str
) -> None:
    engine = await started(tmp_path / "antre.db", FakeClock(wib(MONDAY, "08:00")))
    try:
        with pytest.raises(DomainError) as caught:
            await BookingsApi(engine).book(
                "A", TUESDAY, time(9, 30), name=name, phone=phone, nik=nik
            )
        assert caught.value.code == code
        assert engine.last_seq == 0
    finally:
        await engine.close()


async def test_a_retried_request_books_once(tmp_path: Path) -> None:
    """The same request id from the same channel returns the first booking."""
    engine = await started(tmp_path / "antre.db", FakeClock(wib(MONDAY, "08:00")))
    api = BookingsApi(engine)
    try:
        form = {"name": "Siti", "phone": "0812 3456 7890", "nik": NIK, "channel": "api:kab"}
        first = await api.book("A", TUESDAY, time(9, 30), request_id="r-1", **form)
        again = await api.book("A", TUESDAY, time(9, 30), request_id="r-1", **form)
        assert again == first
        assert len(engine.state.bookings.by_code) == 1
    finally:
        await engine.close()


async def test_the_bookings_row_follows_a_check_in_and_a_failed_print(tmp_path: Path) -> None:
    """Check-in, then a failed print: the row says booked again, with no ticket."""
    from server.core.model import CheckIn, PrintFailed

    path = tmp_path / "antre.db"
    clock = FakeClock(wib(MONDAY, "07:00"))
    engine = await started(path, clock)
    try:
        view = await BookingsApi(engine).book(
            "A", MONDAY, time(9, 30), name="Siti", phone="0812 3456 7890", nik=NIK
        )
        clock.now = wib(MONDAY, "09:10")
        stored = await engine.execute(CheckIn(view.code, "K1", "tt-1"), "kiosk:K1")
        ticket = stored[0].event.ticket  # type: ignore[attr-defined]
        rows = sqlite3.connect(path)
        try:
            row = "SELECT state, ticket FROM bookings WHERE code = ?"
            assert rows.execute(row, (view.code,)).fetchone() == ("checked_in", ticket)
            assert rows.execute("SELECT booking, slot FROM tickets").fetchone() == (
                view.code,
                "2026-11-23T09:30:00+07:00",
            )
            await engine.execute(PrintFailed(ticket, "paper_out"), "kiosk:K1")
            assert rows.execute(row, (view.code,)).fetchone() == ("booked", None)
        finally:
            rows.close()
    finally:
        await engine.close()


async def test_the_offline_reader_lists_a_days_bookings_with_the_holders_nik_hash(
    tmp_path: Path,
) -> None:
    """StoreReader.day_bookings (the booking storm's check): a day's bookings in any state, in
    the order made, each with its holder's NIK hash: one NIK, one hash, whatever the day."""
    path = tmp_path / "antre.db"
    engine = await started(path, FakeClock(wib(MONDAY, "08:00")))
    api = BookingsApi(engine)
    try:
        budi = await api.book(
            "A", TUESDAY, time(9, 30), name="Budi", phone="0813 1111 2222", nik=nik(1)
        )
        siti = await api.book(
            "A", TUESDAY, time(10, 30), name="Siti", phone="0813 3333 4444", nik=nik(2),
            priority=PriorityGroup.LANSIA,
        )  # fmt: skip
        again = await api.book(
            "A", WEDNESDAY, time(9, 30), name="Budi", phone="0813 1111 2222", nik=nik(1)
        )
        await api.cancel(budi.token)
    finally:
        await engine.close()
    with StoreReader.open(path) as store:
        tuesday = store.day_bookings(TUESDAY)
        wednesday = store.day_bookings(WEDNESDAY)
    assert [(r.code, r.line, r.day, r.slot, r.priority, r.state) for r in tuesday] == [
        (budi.code, "A", "2026-11-24", "09:30", None, "cancelled"),
        (siti.code, "A", "2026-11-24", "10:30", "lansia", "booked"),
    ]
    assert tuesday[0].made_seq < tuesday[1].made_seq
    assert [r.code for r in wednesday] == [again.code]
    assert wednesday[0].nik_hash == tuesday[0].nik_hash != tuesday[1].nik_hash
    assert all(len(r.nik_hash or "") == 64 for r in (*tuesday, *wednesday))  # HMAC-SHA256, hex
