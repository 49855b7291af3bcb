"""The durable store against real SQLite files: schema, migrations, the log, backups."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from server.backup import backup
from server.core.events import (
    EVENT_TYPES,
    PERSONAL_FIELDS,
    BookingCancelled,
    BookingCheckedIn,
    BookingLapsed,
    BookingMade,
    BookingPlacesReleased,
    BookingRescheduled,
    BuildingEdited,
    CallReason,
    ClosureDecided,
    ClosureRequested,
    ClosureWithdrawn,
    ComplaintAnswered,
    ComplaintClosed,
    ComplaintFiled,
    ComplaintTaken,
    CounterClosed,
    CounterOpened,
    CounterPaused,
    CounterResumed,
    DayClosed,
    Event,
    OfficerLoggedIn,
    OfficerLoggedOut,
    PriorityGroup,
    ServiceFinished,
    ServiceStarted,
    StopAdded,
    StopSkipped,
    SurveyAnswered,
    TicketCalled,
    TicketCancelled,
    TicketExpired,
    TicketIssued,
    TicketNoShow,
    TicketPrinted,
    TicketPrintFailed,
    TicketReactivated,
    TicketRecalled,
    TicketReprinted,
    TicketTransferred,
    VisitHandedOn,
    VisitStarted,
    event_to_dict,
    read_event,
)
from server.core.model import CounterState, CounterStatus, Ticket, TicketState
from server.store import (
    LATEST_VERSION,
    LogPosition,
    SchemaTooNew,
    Store,
    StoredEvent,
    StoreError,
    StoreReader,
)

WIB = timezone(timedelta(hours=7), "WIB")
DAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=WIB)
TID = "2026-11-23/A-001"


def day_of(instant: datetime) -> date:
    return instant.astimezone(WIB).date()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def one_of_each_kind() -> list[Event]:
    """Every event kind once, with awkward values (None, enums, non-ASCII text)."""
    return [
        OfficerLoggedIn(at(0), counter="L01", officer="DKP01"),
        CounterOpened(at(0), counter="L01"),
        TicketIssued(at(1), TID, DAY, "A-001", 1, "A", PriorityGroup.LANSIA, "tok-1", "K1"),
        TicketPrinted(at(1), ticket=TID),
        TicketPrintFailed(at(1), ticket="2026-11-23/A-002", reason="paper_out"),
        TicketReprinted(at(1), ticket=TID, kiosk="K1"),
        TicketCalled(at(2), TID, "A-001", "A", "L01", CallReason.PRIORITY),
        TicketCalled(at(2), TID, "A-001", "A", "L01", CallReason.OFFICER, note="dipanggil ulang"),
        TicketRecalled(at(3), TID, "A-001", "A", "L01"),
        TicketNoShow(at(4), ticket=TID, counter="L01"),
        TicketReactivated(at(5), ticket=TID),
        ServiceStarted(at(6), ticket=TID, counter="L01"),
        TicketTransferred(at(7), ticket=TID, from_line="A", to_line="B", counter="L01"),
        ServiceFinished(at(8), ticket=TID, counter="L02"),
        TicketCancelled(at(9), ticket="2026-11-23/A-003", reason="warga pulang — batal"),
        TicketExpired(at(10), ticket="2026-11-23/A-004", reason="closing"),
        CounterPaused(at(11), counter="L01", reason="sholat"),
        CounterResumed(at(12), counter="L01"),
        # Counter-closure requests (issue 23): free text, a bool, names and a null note.
        ClosureRequested(
            at(12),
            counter="L01",
            officer="DKP01",
            reason="blanko habis — tutup",
            officer_name="Siti Rahmawati",
        ),
        ClosureWithdrawn(at(12), counter="L01", officer="DKP01"),
        ClosureDecided(
            at(12),
            counter="L01",
            officer="DKP01",
            approved=True,
            by="LANTAI",
            note=None,
            by_name="Bambang Sutrisno",
        ),
        CounterClosed(at(13), counter="L01"),
        OfficerLoggedOut(at(13), counter="L01", officer="DKP01"),
        # Online booking: the personal fields go to booking_contacts and come back joined.
        BookingMade(
            at(14),
            "K7QM4TXA",
            "btok-1",
            "A",
            DAY,
            time(9, 30),
            None,
            "web",
            "Siti Aminah — Ibu",
            "0812 3456 7890",
            "1234",
            "nh",
            "ph",
        ),
        BookingRescheduled(at(14), "K7QM4TXA", "A", DAY, time(9, 30), DAY, time(10, 30)),
        TicketIssued(
            at(15),
            "2026-11-23/A-005",
            DAY,
            "A-005",
            5,
            "A",
            None,
            "tok-5",
            "K1",
            booking="K7QM4TXA",
            slot=at(15),
        ),
        BookingCheckedIn(at(15), "K7QM4TXA", "A", DAY, time(10, 30), "2026-11-23/A-005", "K1"),
        BookingCancelled(at(16), "ACDE3467", "A", DAY, time(11, 30), "berhalangan"),
        BookingLapsed(at(16), "ACDE3468", "A", DAY, time(11, 30)),
        BookingPlacesReleased(at(17), "A", DAY, 12),
        # The citizen's voice (issue 20). An anonymous complaint: a contact's round trip through
        # its own table is the store room's test.
        SurveyAnswered(
            at(18),
            "2026-11-23/A-005",
            DAY,
            "A",
            "DKP",
            "L01",
            "DKP01",
            "phone",
            (4, 3, 3, 4, 2, 4, 4, 3, 1),
            "30-39",
            "p",
            "sma",
            "swasta",
            "Ruang tunggu panas.",
        ),
        ComplaintFiled(
            at(18),
            "ADU-261123-001",
            "waktu",
            "Menunggu 3 jam.",
            "phone",
            "2026-11-23/A-005",
            "A",
            "DKP",
            "L01",
            "DKP01",
            at(19),
        ),
        ComplaintTaken(at(19), "ADU-261123-001", "M01", None, at(20)),
        ComplaintAnswered(at(20), "ADU-261123-001", "M01", "Loket ditambah.", at(21)),
        ComplaintClosed(at(21), "ADU-261123-001", "system", None),
        # One visit, several agencies (issue 22).
        VisitStarted(
            at(22), "2026-11-23/KJ-001", "2026-11-23/B-001", ("B", "J"), None, "K1", at(22)
        ),
        StopAdded(at(23), "2026-11-23/KJ-001", "E", 2, "L04", "DKP01"),
        StopSkipped(at(24), "2026-11-23/KJ-001", "E", "L04", "DKP01", "sudah tidak perlu"),
        VisitHandedOn(
            at(25),
            "2026-11-23/KJ-001",
            "2026-11-23/B-001",
            "B-001",
            "B",
            "L04",
            "2026-11-23/J-001",
            "J-001",
            "J",
        ),
        # Issue 23: a live building edit; its entity tables round-trip as JSON.
        BuildingEdited(
            at(26),
            "manager:ADMIN",
            1,
            "line:K",
            {"prefix": "K", "quota_walk_in": 60, "booking": {"slot_min": 30}},
            {"prefix": "K", "quota_walk_in": 20, "booking": {"slot_min": 30}},
            None,
        ),
        DayClosed(datetime(2026, 11, 23, 23, 59, 59, 999999, tzinfo=WIB), day=DAY),
    ]


def without(data: dict, names: frozenset[str]) -> dict:
    """The dict as its JSON reads back (a tuple, the SKM's scores, reads as a list)."""
    return json.loads(json.dumps({k: v for k, v in data.items() if k not in names}))


def payload(event: Event) -> str:
    return json.dumps(event_to_dict(event))


def stored(events: list[Event], first_seq: int = 1, actor: str = "system") -> list[StoredEvent]:
    return [StoredEvent(first_seq + i, e, actor, None) for i, e in enumerate(events)]


def a_ticket(**changes: object) -> Ticket:
    fields: dict[str, object] = dict(
        id=TID,
        day=DAY,
        number="A-001",
        seq=1,
        line="A",
        priority=None,
        state=TicketState.WAITING,
        issued_at=at(1),
        queued_at=at(1),
        token="tok-1",
        kiosk="K1",
    )
    fields.update(changes)
    return Ticket(**fields)  # type: ignore[arg-type]


@pytest.fixture
async def store(tmp_path: Path):
    s = await Store.open(tmp_path / "antre.db")
    yield s
    await s.close()


async def test_fresh_file_is_migrated_to_the_latest_schema(tmp_path: Path) -> None:
    """Opening a new file creates every table and records the latest schema version."""
    s = await Store.open(tmp_path / "new.db")
    try:
        assert await s.schema_version() == LATEST_VERSION
        assert await s.last_seq() == 0
        assert await s.last_day() is None
    finally:
        await s.close()
    db = sqlite3.connect(tmp_path / "new.db")
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    assert {"schema_version", "meta", "events", "tickets", "counters"} <= tables


async def test_v1_file_with_data_migrates_to_latest_and_keeps_its_data(tmp_path: Path) -> None:
    """A file at schema 1 holding events and rows opens at the latest version, data intact."""
    path = tmp_path / "v1.db"
    old = await Store.open(path, target_version=1)
    assert await old.schema_version() == 1
    await old.close()
    # Write as a version-1 Antre would have: its tables had no updated_seq column yet.
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO events VALUES (1, ?, '2026-11-23', 'kiosk:K1', 'ticket_issued', 'r1', ?)",
        (at(1).isoformat(), payload(one_of_each_kind()[2])),
    )
    db.execute(
        "INSERT INTO tickets (id, day, number, seq, line, state, token, issued_at, queued_at) "
        "VALUES (?, '2026-11-23', 'A-001', 1, 'A', 'waiting', 'tok-1', ?, ?)",
        (TID, at(1).isoformat(), at(1).isoformat()),
    )
    db.commit()
    db.close()

    s = await Store.open(path)
    try:
        assert await s.schema_version() == LATEST_VERSION
        assert [e.event for e in await s.load_day(DAY)] == [one_of_each_kind()[2]]
        ticket = await s.ticket(TID)
        assert ticket is not None and ticket.state is TicketState.WAITING
        assert (await s.ticket_by_token("tok-1")) == ticket  # v2's token index serves lookups
    finally:
        await s.close()
    db = sqlite3.connect(path)
    columns = {r[1] for r in db.execute("PRAGMA table_info(tickets)")}
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    db.close()
    assert "updated_seq" in columns
    assert {"tickets_token", "tickets_day_line", "events_day_closed"} <= indexes


async def test_file_from_a_newer_version_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    """A schema version above the latest raises SchemaTooNew naming both versions."""
    path = tmp_path / "future.db"
    s = await Store.open(path)
    await s.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = ?", (LATEST_VERSION + 5,))
    db.commit()
    db.close()
    with pytest.raises(SchemaTooNew) as refused:
        await Store.open(path)
    assert str(LATEST_VERSION + 5) in str(refused.value)
    assert "newer Antre" in str(refused.value)


async def test_pragmas_are_wal_and_full(store: Store) -> None:
    """The writer runs in WAL mode with synchronous=FULL, a busy timeout and foreign keys on."""
    pragmas = await store.pragmas()
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["synchronous"] == 2  # FULL
    assert pragmas["busy_timeout"] > 0
    assert pragmas["foreign_keys"] == 1
    # WAL is recorded in the file itself: any other connection sees it too.
    other = sqlite3.connect(store.path)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()


async def test_an_in_memory_database_is_refused() -> None:
    """Store.open(":memory:") raises StoreError: durability needs a file."""
    with pytest.raises(StoreError):
        await Store.open(":memory:")


async def test_every_event_kind_round_trips_through_the_log(store: Store) -> None:
    """append then load_day returns each kind's event equal to what was written."""
    events = one_of_each_kind()
    assert {e.kind for e in events} == set(EVENT_TYPES)
    batch = [
        StoredEvent(i + 1, e, f"actor-{i}", f"req-{i}" if i % 2 else None)
        for i, e in enumerate(events)
    ]
    await store.append(batch, [], [], day_of)
    loaded = await store.load_day(DAY)
    assert loaded == batch
    # And the stored payload is exactly the shared dict form.
    assert [read_event(event_to_dict(s.event)) for s in loaded] == events
    assert await store.last_seq() == len(events)
    assert await store.last_day() == DAY


async def test_events_are_filed_under_their_local_service_day(store: Store) -> None:
    """An event at 23:30 WIB (16:30 UTC) goes under that WIB date, the next under the next."""
    late = TicketExpired(datetime(2026, 11, 23, 16, 30, tzinfo=UTC), TID, "day_end")
    early = CounterOpened(datetime(2026, 11, 23, 17, 30, tzinfo=UTC), counter="L01")
    await store.append(stored([late, early]), [], [], day_of)
    assert [e.event for e in await store.load_day(DAY)] == [late]
    assert [e.event for e in await store.load_day(DAY + timedelta(days=1))] == [early]
    assert await store.last_day() == DAY + timedelta(days=1)


async def test_events_since_returns_the_tail_or_none_when_too_many(store: Store) -> None:
    """events_since gives events after a seq in order, and None when more than the limit."""
    events = one_of_each_kind()
    await store.append(stored(events[:10]), [], [], day_of)
    await store.append(stored(events[10:], first_seq=11), [], [], day_of)
    tail = await store.events_since(15, limit=100)
    assert tail is not None
    assert [s.seq for s in tail] == list(range(16, len(events) + 1))
    assert await store.events_since(len(events), limit=0) == []
    assert await store.events_since(0, limit=len(events)) is not None
    assert await store.events_since(0, limit=len(events) - 1) is None


async def test_events_after_last_close_is_the_open_tail_of_the_log(store: Store) -> None:
    """events_after_last_close returns the whole log without a close, else what follows it."""
    events = one_of_each_kind()  # ends with DayClosed
    assert await store.events_after_last_close() == []
    await store.append(stored(events[:5]), [], [], day_of)
    assert await store.events_after_last_close() == stored(events[:5])
    await store.append(stored(events[5:], first_seq=6), [], [], day_of)
    assert await store.events_after_last_close() == []
    n = len(events)
    await store.append(stored(events[:2], first_seq=n + 1), [], [], day_of)
    assert await store.events_after_last_close() == stored(events[:2], first_seq=n + 1)


async def test_request_ids_group_a_days_events_by_request(store: Store) -> None:
    """request_ids(day) maps each request id to its events, in seq order, ignoring None."""
    events = one_of_each_kind()[:4]
    batch = [
        StoredEvent(1, events[0], "officer:DKP01@L01", "r-login"),
        StoredEvent(2, events[1], "officer:DKP01@L01", "r-open"),
        StoredEvent(3, events[2], "kiosk:K1", "r-issue"),
        StoredEvent(4, events[3], "kiosk:K1", "r-issue"),
    ]
    await store.append(batch, [], [], day_of)
    await store.append(stored([events[0]], first_seq=5), [], [], day_of)
    ids = await store.request_ids(DAY)
    assert ids == {"r-login": [batch[0]], "r-open": [batch[1]], "r-issue": batch[2:]}
    assert await store.request_ids(DAY + timedelta(days=1)) == {}


async def test_current_state_rows_follow_the_last_append(store: Store) -> None:
    """Ticket and counter rows are upserted with the batch and read back as written."""
    waiting = a_ticket(priority=PriorityGroup.BALITA)
    counter = CounterStatus("L01", CounterState.OPEN, officer="DKP01", since=at(0))
    await store.append(stored(one_of_each_kind()[:3]), [waiting], [counter], day_of)
    assert await store.ticket(TID) == waiting
    assert await store.counters() == [counter]

    called = a_ticket(
        priority=PriorityGroup.BALITA,
        state=TicketState.CALLED,
        counter="L01",
        called_at=at(2),
        calls=1,
        call_reason=CallReason.PRIORITY,
        transfers=("C",),
    )
    busy = CounterStatus("L01", CounterState.OPEN, officer="DKP01", since=at(0), ticket=TID)
    await store.append(stored([one_of_each_kind()[5]], first_seq=4), [called], [busy], day_of)
    assert await store.ticket(TID) == called
    assert await store.ticket_by_token("tok-1") == called
    assert await store.tickets_of_day(DAY) == [called]
    assert await store.counters() == [busy]
    assert await store.ticket("2026-11-23/Z-999") is None


async def test_a_failed_append_leaves_nothing_behind(store: Store) -> None:
    """When a statement fails mid-batch the whole transaction rolls back; the store stays usable."""
    events = one_of_each_kind()
    await store.append(stored(events[:2]), [], [], day_of)
    with pytest.raises(sqlite3.IntegrityError):  # seq 2 again: the primary key refuses it
        await store.append(stored(events[2:5], first_seq=2), [a_ticket()], [], day_of)
    assert await store.last_seq() == 2
    assert await store.ticket(TID) is None
    await store.append(stored(events[2:5], first_seq=3), [a_ticket()], [], day_of)
    assert await store.last_seq() == 5


async def test_backup_while_serving_opens_with_the_same_events(store: Store, tmp_path: Path):
    """`antre backup` of an open store writes a file that opens with identical events and rows."""
    events = one_of_each_kind()
    await store.append(stored(events), [a_ticket()], [], day_of)
    await store.set_meta({"building": "MPP Kota Contoh"})
    dest = tmp_path / "backups" / "antre-2026-11-23.db"
    dest.parent.mkdir()
    info = await asyncio.to_thread(backup, store.path, dest)
    assert (info.path, info.events, info.last_seq) == (dest, len(events), len(events))
    assert [f.name for f in dest.parent.iterdir()] == [dest.name], "a partial file was left"
    # The store keeps serving after the backup; the copy is the earlier instant.
    await store.append(stored([events[0]], first_seq=len(events) + 1), [], [], day_of)

    copy = await Store.open(dest)
    try:
        assert await copy.load_day(DAY) == stored(events)
        assert await copy.ticket(TID) == a_ticket()
        assert (await copy.meta())["building"] == "MPP Kota Contoh"
        assert await copy.schema_version() == LATEST_VERSION
    finally:
        await copy.close()


async def test_the_offline_reader_sees_the_live_stores_log(store: Store, tmp_path: Path):
    """StoreReader (reports, back-up) reads what Store wrote, read-only, while it is open."""
    events = one_of_each_kind()
    await store.append(stored(events, actor="kiosk:K1"), [a_ticket()], [], day_of)
    with StoreReader.open(store.path) as reader:
        assert reader.tickets() == [a_ticket()]
        assert reader.service_days(DAY, DAY) == [DAY.isoformat()]
        assert reader.service_days(DAY + timedelta(days=1), DAY + timedelta(days=9)) == []
        log = reader.day_log(DAY.isoformat())
        # The log's own JSON: a booking's personal data is not in it (booking_contacts).
        assert [(e.seq, e.actor, e.event) for e in log] == [
            (i + 1, "kiosk:K1", without(event_to_dict(ev), PERSONAL_FIELDS))
            for i, ev in enumerate(events)
        ]
        assert reader.log() == log
        assert [e.seq for e in reader.log("ticket_called")] == [
            i + 1 for i, ev in enumerate(events) if ev.kind == "ticket_called"
        ]
        assert reader.log_position() == LogPosition(len(events), len(events))
        with pytest.raises(sqlite3.OperationalError):  # mode=ro: not even by mistake
            reader._db.execute("DELETE FROM events")
    with pytest.raises(StoreError, match="no store"):
        StoreReader.open(tmp_path / "missing.db")
    (tmp_path / "notes.db").write_text("not sqlite")
    with pytest.raises(StoreError, match="not an Antre store"):
        StoreReader.open(tmp_path / "notes.db")


async def test_meta_keeps_existing_values_when_asked(store: Store) -> None:
    """set_meta(only_missing=True) fills absent keys and leaves present ones alone."""
    await store.set_meta({"building": "MPP A", "created_at": "2026-11-23T08:00:00+07:00"})
    await store.set_meta({"building": "MPP B", "extra": "x"}, only_missing=True)
    assert await store.meta() == {
        "building": "MPP A",
        "created_at": "2026-11-23T08:00:00+07:00",
        "extra": "x",
    }


async def test_a_schema_6_store_gains_the_booking_tables(tmp_path: Path) -> None:
    """Migration 7: tickets gain booking and slot; bookings and booking_contacts appear; the
    partial index lists exactly the core's booking kinds."""
    from server.core.events import BOOKING_KINDS
    from server.store.schema import BOOKING_KINDS_SQL

    path = tmp_path / "six.db"
    old = await Store.open(path, target_version=6)
    await old.close()
    db = sqlite3.connect(path)  # a ticket as schema 6 wrote it (this Antre writes schema 7)
    db.execute(
        "INSERT INTO tickets (id, day, number, seq, line, state, token, issued_at, queued_at) "
        "VALUES (?, '2026-11-23', 'A-001', 1, 'A', 'waiting', 'tok-1', ?, ?)",
        (TID, at(1).isoformat(), at(1).isoformat()),
    )
    db.commit()
    db.close()
    s = await Store.open(path)
    try:
        assert await s.schema_version() == LATEST_VERSION  # 7, then 8 (booked_ahead)
        ticket = await s.ticket(TID)
        assert ticket is not None and (ticket.booking, ticket.slot) == (None, None)
        assert ticket.booked_ahead == 0
    finally:
        await s.close()
    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    assert {"bookings", "booking_contacts"} <= tables
    assert set(re.findall(r"'(\w+)'", BOOKING_KINDS_SQL)) == BOOKING_KINDS


async def test_a_booked_tickets_row_keeps_its_booking_and_slot(store: Store) -> None:
    booked = a_ticket(booking="K7QM4TXA", slot=at(30), queued_at=at(30))
    booked.overtaken, booked.booked_ahead = 3, 2  # two of its three overtakings were bookings
    await store.append(stored(one_of_each_kind()[:1]), [booked], [], day_of)
    assert await store.ticket(TID) == booked


async def test_a_schema_12_store_reads_its_live_edits_by_their_index(tmp_path: Path) -> None:
    """Migration 13: a store of schema 12 holding a live edit gains the partial index of
    `building_edited`; `edit_events` finds the edit, and SQLite reads it by that index, not by
    a scan of the log."""
    from server.store.rows import _EVENTS

    path = tmp_path / "twelve.db"
    old = await Store.open(path, target_version=12)
    await old.close()
    edit = {
        "kind": "building_edited", "at": "2026-11-23T09:00:00+07:00", "by": "manager:ADMIN",
        "version": 1, "target": "running_text", "before": "", "after": "Selamat datang",
        "undoes": None,
    }  # fmt: skip
    db = sqlite3.connect(path)
    for seq, payload in ((1, {"kind": "day_closed", "day": "2026-11-22"}), (2, edit)):
        db.execute(
            "INSERT INTO events (seq, at, service_day, actor, kind, request_id, payload) "
            "VALUES (?, '2026-11-23T09:00:00+07:00', '2026-11-23', 'manager:ADMIN', ?, NULL, ?)",
            (seq, payload["kind"], json.dumps(payload)),
        )
    db.commit()
    db.close()
    s = await Store.open(path)
    try:
        assert await s.schema_version() == LATEST_VERSION >= 13
        assert [(e.seq, e.event.kind) for e in await s.edit_events()] == [(2, "building_edited")]
    finally:
        await s.close()
    db = sqlite3.connect(path)
    plan = " ".join(
        str(row[-1])
        for row in db.execute(
            f"EXPLAIN QUERY PLAN {_EVENTS} WHERE e.kind = 'building_edited' ORDER BY e.seq"
        )
    )
    db.close()
    assert "USING INDEX events_building_edited" in plan, plan


async def test_a_visits_bookings_are_read_back_stop_by_stop(tmp_path: Path) -> None:
    """A visit's rows (issue 22) by its lead's code and day, in stop order whatever order they
    were written in: not another visit's, not a plain booking's, not another day's."""
    path = tmp_path / "antre.db"
    store = await Store.open(path)
    try:
        con = sqlite3.connect(path)
        rows = [  # code, line, day, lead, stop
            ("MEMBER02", "J", "2026-11-23", "LEADAAAA", 2),
            ("LEADAAAA", "B", "2026-11-23", "LEADAAAA", 0),
            ("OTHERLED", "B", "2026-11-23", "OTHERLED", 0),
            ("MEMBER01", "A", "2026-11-23", "LEADAAAA", 1),
            ("PLAINONE", "B", "2026-11-23", None, None),
            ("LATERDAY", "J", "2026-11-24", "LEADAAAA", 1),
        ]
        for seq, (code, line, day, lead, stop) in enumerate(rows, 1):
            con.execute(
                "INSERT INTO bookings (code, token, line, day, slot, priority, state, ticket, "
                "channel, made_at, made_seq, updated_seq, lead, stop) VALUES (?, ?, ?, ?, "
                "'09:30', NULL, 'booked', NULL, 'web', '2026-11-20T10:00:00+07:00', ?, ?, ?, ?)",
                (code, "tok-" + code, line, day, seq, seq, lead, stop),
            )
        con.commit()
        con.close()
        group = await store.booking_group("LEADAAAA", date(2026, 11, 23))
        assert [(b.code, b.line, b.stop) for b in group] == [
            ("LEADAAAA", "B", 0),
            ("MEMBER01", "A", 1),
            ("MEMBER02", "J", 2),
        ]
        assert await store.booking_group("PLAINONE", date(2026, 11, 23)) == []
    finally:
        await store.close()
