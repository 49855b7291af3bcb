"""Schema 9 (issue 20): whom a visit is filed under, complaints and their contacts, the replay's
reads of survey answers and complaints, on real SQLite files.

What is promised (docs/architecture.md "store", docs/operations.md "Personal data"): a
complaint's contact never in the log's JSON but read back with its event until the purge,
`booking.retention_days` after the complaint closed; the restart reads every answer about a
visit since a given day and every event of each complaint not closed or closed lately, and
nothing after the last day close (that is the tail's).
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from server.core.events import (
    COMPLAINT_KINDS,
    ComplaintAnswered,
    ComplaintClosed,
    ComplaintFiled,
    ComplaintTaken,
    DayClosed,
    Event,
    SurveyAnswered,
)
from server.core.model import Ticket, TicketState
from server.store import LATEST_VERSION, Store, StoredEvent, StoreReader

WIB = timezone(timedelta(hours=7), "WIB")
SCORES = (4, 3, 3, 4, 2, 4, 4, 3, 1)


def day_of(instant: datetime) -> date:
    return instant.astimezone(WIB).date()


def on(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=WIB)


def answer(visit: date, answered: date, number: str = "A-001") -> SurveyAnswered:
    ticket = f"{visit.isoformat()}/{number}"
    return SurveyAnswered(
        on(answered), ticket, visit, "A", "DUKCAPIL", "L01", "DKP01", "phone", SCORES
    )


def filed(cid: str, day: date, name: str | None = None, phone: str | None = None) -> ComplaintFiled:
    return ComplaintFiled(
        on(day, 9),
        cid,
        "waktu",
        "Menunggu tiga jam — tanpa kabar.",
        "phone",
        f"{day.isoformat()}/A-001",
        "A",
        "DUKCAPIL",
        "L01",
        "DKP01",
        on(day + timedelta(days=3), 23),
        name,
        phone,
    )


def closed(cid: str, day: date) -> ComplaintClosed:
    return ComplaintClosed(on(day, 11), cid, "LANTAI", "selesai")


def numbered(events: list[Event], first: int = 1) -> list[StoredEvent]:
    return [StoredEvent(first + i, e, "system", None) for i, e in enumerate(events)]


def ticket(day: date, number: str, token: str, officer: str | None) -> Ticket:
    return Ticket(
        id=f"{day.isoformat()}/{number}",
        day=day,
        number=number,
        seq=int(number[2:]),
        line="A",
        priority=None,
        state=TicketState.DONE,
        issued_at=on(day, 8),
        queued_at=on(day, 8),
        token=token,
        kiosk="KIOSK-1",
        counter="L01",
        officer=officer,
    )


@pytest.fixture
async def store(tmp_path: Path):
    s = await Store.open(tmp_path / "antre.db")
    yield s
    await s.close()


D1, D2, D3 = date(2026, 11, 2), date(2026, 11, 20), date(2026, 12, 3)


async def test_a_schema_8_store_gains_the_voice_tables(tmp_path: Path) -> None:
    """Migration 9: a ticket written before reads with no officer; the complaints table and
    the partial index of exactly the core's complaint kinds appear."""
    from server.store.schema import COMPLAINT_KINDS_SQL

    path = tmp_path / "eight.db"
    old = await Store.open(path, target_version=8)
    await old.close()
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO tickets (id, day, number, seq, line, state, token, issued_at, queued_at) "
        "VALUES ('2026-11-02/A-001', '2026-11-02', 'A-001', 1, 'A', 'done', 'tok-1', ?, ?)",
        (on(D1).isoformat(), on(D1).isoformat()),
    )
    db.commit()
    db.close()
    s = await Store.open(path)
    try:
        assert await s.schema_version() == LATEST_VERSION  # 9, then 10 (the outbox)
        old_ticket = await s.ticket("2026-11-02/A-001")
        assert old_ticket is not None and old_ticket.officer is None
    finally:
        await s.close()
    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    assert "complaints" in tables
    assert set(re.findall(r"'(\w+)'", COMPLAINT_KINDS_SQL)) == COMPLAINT_KINDS


async def test_a_tickets_row_keeps_its_officer_and_is_found_by_number_or_token(
    store: Store,
) -> None:
    """An earlier day's ticket: by its token (the phone page) and by day and number (the
    exit page), with whom its service was filed under."""
    old = ticket(D1, "A-017", "tok-old", "DKP02")
    today = ticket(D3, "A-017", "tok-new", None)
    await store.append(numbered([answer(D1, D1)]), [old, today], [], day_of)
    assert await store.ticket_by_token("tok-old") == old
    assert await store.ticket_by_number(D1, "A-017") == old
    assert await store.ticket_by_number(D3, "A-017") == today
    assert await store.ticket_by_number(D2, "A-017") is None
    assert await store.ticket_by_token("tok-nope") is None


async def test_a_complaints_contact_is_kept_apart_and_read_back(
    store: Store, tmp_path: Path
) -> None:
    """The contact is in no payload; it reads back with its event, and by the complaint's id."""
    with_contact = filed("ADU-261102-001", D1, "Siti Aminah", "0812 3456 7890")
    anonymous = filed("ADU-261102-002", D1)
    await store.append(numbered([with_contact, anonymous]), [], [], day_of)
    loaded = await store.load_day(D1)
    assert [s.event for s in loaded] == [with_contact, anonymous]
    assert (loaded[0].event.name, loaded[0].event.phone) == ("Siti Aminah", "0812 3456 7890")
    assert (loaded[1].event.name, loaded[1].event.phone) == (None, None)
    assert await store.complaint_contact("ADU-261102-001") == ("Siti Aminah", "0812 3456 7890")
    assert await store.complaint_contact("ADU-261102-002") is None  # anonymous: no row at all
    db = sqlite3.connect(tmp_path / "antre.db")
    payloads = [p for (p,) in db.execute("SELECT payload FROM events")]
    contacts = db.execute("SELECT count(*) FROM booking_contacts").fetchone()[0]
    db.close()
    assert contacts == 1
    for raw in payloads:
        assert "Siti" not in raw and "0812" not in raw
        assert {"name", "phone"}.isdisjoint(json.loads(raw))


async def test_a_complaints_row_follows_its_steps(store: Store, tmp_path: Path) -> None:
    cid = "ADU-261102-001"
    steps = [
        filed(cid, D1),
        ComplaintTaken(on(D1, 13), cid, "LANTAI", None, on(D1 + timedelta(days=7), 23)),
        ComplaintAnswered(on(D2), cid, "LANTAI", "Loket ditambah.", on(D2 + timedelta(10))),
    ]
    await store.append(numbered(steps[:2]), [], [], day_of)
    await store.append(numbered(steps[2:], 3), [], [], day_of)
    await store.append(numbered([closed(cid, D3)], 4), [], [], day_of)
    db = sqlite3.connect(tmp_path / "antre.db")
    row = db.execute(
        "SELECT id, ticket, state, filed_day, filed_seq, updated_seq, closed_day FROM complaints"
    ).fetchall()
    db.close()
    assert row == [(cid, "2026-11-02/A-001", "closed", "2026-11-02", 1, 4, "2026-12-03")]


async def test_the_replay_reads_open_and_lately_closed_complaints_up_to_the_close(
    store: Store,
) -> None:
    """Closed on D1 (before the cut D2): left out; closed on D2: in; open: in; an event after
    `until_seq` (the tail's): left out; a survey answer is no complaint's."""
    gone, late, still = "ADU-261102-001", "ADU-261102-002", "ADU-261102-003"
    log = numbered(
        [
            filed(gone, D1),  # 1
            filed(late, D1, "Budi", "0813"),  # 2
            filed(still, D1),  # 3
            answer(D1, D1),  # 4
            closed(gone, D1),  # 5
            closed(late, D2),  # 6
            DayClosed(on(D2, 23), D2),  # 7
            ComplaintTaken(on(D3), still, "LANTAI", None, on(D3 + timedelta(days=7))),  # 8
        ]
    )
    await store.append(log, [], [], day_of)
    replayed = await store.complaint_events(7, D2)
    assert [s.seq for s in replayed] == [2, 3, 6]
    assert replayed[0].event == log[1].event  # with its contact, as made
    assert [s.seq for s in await store.complaint_events(8, D1)] == [1, 2, 3, 5, 6, 8]


async def test_the_replay_reads_answers_about_visits_since_a_day(store: Store) -> None:
    """By the visit's day, whenever answered: a visit before the day is left out even when
    answered after it; an answer after `until_seq` is the tail's."""
    log = numbered(
        [
            answer(D1, D1, "A-001"),  # 1: visit D1
            answer(D1, D2, "A-002"),  # 2: visit D1, answered on D2
            answer(D2, D2, "A-003"),  # 3: visit D2
            filed("ADU-261120-001", D2),  # 4
            answer(D2, D3, "A-004"),  # 5: visit D2, answered on D3
            answer(D3, D3, "A-005"),  # 6
        ]
    )
    await store.append(log, [], [], day_of)
    assert [s.seq for s in await store.survey_events(5, D2)] == [3, 5]
    assert [s.seq for s in await store.survey_events(6, D1)] == [1, 2, 3, 5, 6]
    assert await store.survey_events(2, D3) == []


async def test_the_purge_deletes_a_contact_once_its_complaint_closed_long_enough(
    store: Store,
) -> None:
    """`purge_contacts(before)` deletes the contact of a complaint closed before `before`,
    never of one open or closed on it; the event then reads without it."""
    old, recent, open_ = "ADU-261102-001", "ADU-261102-002", "ADU-261102-003"
    log = numbered(
        [
            filed(old, D1, "Ani", "0811"),
            filed(recent, D1, "Budi", "0812"),
            filed(open_, D1, "Cici", "0813"),
            closed(old, D1),
            closed(recent, D2),
        ]
    )
    await store.append(log, [], [], day_of)
    assert await store.purge_contacts(D2) == 1
    assert await store.complaint_contact(old) is None
    assert await store.complaint_contact(recent) == ("Budi", "0812")
    assert await store.complaint_contact(open_) == ("Cici", "0813")
    first = (await store.load_day(D1))[0].event
    assert isinstance(first, ComplaintFiled) and (first.name, first.phone) == (None, None)
    assert first.text == "Menunggu tiga jam — tanpa kabar."  # the complaint itself stays


async def test_the_offline_reader_gives_the_reports_their_periods(
    store: Store, tmp_path: Path
) -> None:
    """Answers by visit day; complaints filed in the period with all their later steps, and
    never a contact in what it reads."""
    log = numbered(
        [
            answer(D1, D2, "A-001"),
            answer(D2, D2, "A-002"),
            filed("ADU-261102-001", D1, "Ani", "0811"),
            filed("ADU-261120-001", D2),
            closed("ADU-261102-001", D3),
        ]
    )
    await store.append(log, [], [], day_of)
    with StoreReader.open(tmp_path / "antre.db") as reader:
        assert [e.seq for e in reader.survey_log(D1, D1)] == [1]
        assert [e.seq for e in reader.survey_log(D2, D3)] == [2]
        entries = reader.complaint_log(D1, D1)
        assert [e.seq for e in entries] == [3, 5]
        assert all({"name", "phone"}.isdisjoint(e.event) for e in entries)
        assert reader.complaint_contact("ADU-261102-001") == ("Ani", "0811")
