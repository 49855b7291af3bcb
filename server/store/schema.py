"""The store's schema: its versioned migrations and the pragmas that make a commit durable.

`MIGRATIONS` is an ordered list applied on open, each in its own transaction with the version
bump. A file written by a newer Antre is refused, never guessed at. Only the store's writer
(`server.store.writer`) runs these; every other connection opens the file read-only.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "BOOKING_KINDS_SQL",
    "BUSY_TIMEOUT_MS",
    "COMPLAINT_KINDS_SQL",
    "CONTACT_KINDS_SQL",
    "LATEST_VERSION",
    "MIGRATIONS",
    "Migration",
    "SchemaTooNew",
    "StoreError",
]

logger = logging.getLogger("server.store")

# The kinds of a booking's own events (server.core.events.BOOKING_KINDS), as an SQL list: the
# partial index and the query that reads it must spell it the same (SQLite matches the terms).
BOOKING_KINDS_SQL = ", ".join(
    f"'{kind}'"
    for kind in (
        "booking_made",
        "booking_rescheduled",
        "booking_cancelled",
        "booking_checked_in",
        "booking_lapsed",
    )
)

# The complaints' own events (server.core.events.COMPLAINT_KINDS), for their partial index and
# the replay that reads it; and the kinds whose personal data `booking_contacts` keeps.
COMPLAINT_KINDS_SQL = ", ".join(
    f"'{kind}'"
    for kind in ("complaint_filed", "complaint_taken", "complaint_answered", "complaint_closed")
)
CONTACT_KINDS_SQL = "'booking_made', 'complaint_filed'"

# How long a connection waits for another process's write lock before failing (ms). Only one
# server writes, but a backup tool or `sqlite3` shell may briefly hold the lock.
BUSY_TIMEOUT_MS = 5_000


class StoreError(Exception):
    """The database cannot be used as it is (wrong version, not an Antre file…)."""


class SchemaTooNew(StoreError):
    """The file was written by a newer Antre; opening it could corrupt what that version wrote."""


# --------------------------------------------------------------------------------------------
# Schema and migrations
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Migration:
    version: int  # the schema version after this migration
    description: str
    statements: tuple[str, ...]  # run in order inside one transaction with the version bump


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "event log, current-state tables, meta",
        (
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            # `at` is the event's aware ISO instant; `service_day` the building's local date it is
            # filed under (closing events are stamped inside the day they close).
            """CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                service_day TEXT NOT NULL,
                actor TEXT NOT NULL,
                kind TEXT NOT NULL,
                request_id TEXT,
                payload TEXT NOT NULL
            )""",
            "CREATE INDEX events_service_day ON events (service_day)",
            "CREATE INDEX events_request_id ON events (request_id) WHERE request_id IS NOT NULL",
            """CREATE TABLE tickets (
                id TEXT PRIMARY KEY,
                day TEXT NOT NULL,
                number TEXT NOT NULL,
                seq INTEGER NOT NULL,
                line TEXT NOT NULL,
                state TEXT NOT NULL,
                priority TEXT,
                token TEXT NOT NULL,
                kiosk TEXT,
                issued_at TEXT NOT NULL,
                queued_at TEXT NOT NULL,
                called_at TEXT,
                started_at TEXT,
                finished_at TEXT,
                no_show_at TEXT,
                counter TEXT,
                calls INTEGER NOT NULL DEFAULT 0,
                call_reason TEXT,
                transfers TEXT NOT NULL DEFAULT '[]'
            )""",
            # Deferred: a counter's ticket row and the ticket may arrive in either order within
            # one transaction; the check runs at COMMIT.
            """CREATE TABLE counters (
                id TEXT PRIMARY KEY,
                state TEXT NOT NULL,
                officer TEXT,
                pause_reason TEXT,
                since TEXT,
                ticket TEXT REFERENCES tickets (id) DEFERRABLE INITIALLY DEFERRED
            )""",
        ),
    ),
    Migration(
        2,
        "row freshness (updated_seq); lookup indexes for the ticket page, reports, start-up",
        (
            # The seq of the last event that changed the row: a report can check that the
            # current-state tables are as fresh as the log it compares them with.
            "ALTER TABLE tickets ADD COLUMN updated_seq INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE counters ADD COLUMN updated_seq INTEGER NOT NULL DEFAULT 0",
            # Not UNIQUE: a (vanishingly unlikely) token collision must not fail a commit.
            "CREATE INDEX tickets_token ON tickets (token)",
            "CREATE INDEX tickets_day_line ON tickets (day, line)",
            # Start-up finds the last day close without scanning the whole log.
            "CREATE INDEX events_day_closed ON events (seq) WHERE kind = 'day_closed'",
        ),
    ),
    Migration(
        3,
        "drop the unused request-id index: it cost a third of the pages a commit writes",
        (
            # No query looks events up by request id: idempotency reads a day's ids through
            # events_service_day (`request_ids`). Request ids are random, so each new event
            # landed on a different leaf page of this index: about 11 of the 40 pages that a
            # group commit of 9 tickets wrote to the WAL (and fsync'd), for nothing.
            "DROP INDEX IF EXISTS events_request_id",
        ),
    ),
    Migration(
        4,
        "tickets keep the latest call time and the overtakings absorbed, as the ticket does",
        (
            # Ticket.last_call_at (a recall's time, what a TV shows) and Ticket.overtaken (what
            # the calling policy bounds) came after schema 2: without them a row is not the
            # ticket it stands for. Rows written before stay NULL and 0.
            "ALTER TABLE tickets ADD COLUMN last_call_at TEXT",
            "ALTER TABLE tickets ADD COLUMN overtaken INTEGER NOT NULL DEFAULT 0",
        ),
    ),
    Migration(
        5,
        "tickets count the copies the floor staff printed",
        (
            # Ticket.reprints (TicketReprinted events); rows written before count none.
            "ALTER TABLE tickets ADD COLUMN reprints INTEGER NOT NULL DEFAULT 0",
        ),
    ),
    Migration(
        6,
        "the store knows which building it belongs to: each building file it was opened with",
        (
            # One row each time the server accepts a building file that differs from the last
            # row's (server/building_identity.py): the last row is the store's building. A
            # history, not a value: an audit of when the file changed, and events after
            # `after_seq` were made under that row's file.
            """CREATE TABLE buildings (
                id INTEGER PRIMARY KEY,
                recorded_at TEXT NOT NULL,
                after_seq INTEGER NOT NULL,
                name TEXT NOT NULL,
                digest TEXT NOT NULL,
                path TEXT NOT NULL,
                how TEXT NOT NULL
            )""",
            # A store from before knows its building's name only (meta `building`, set when the
            # server first opened it): the digest and path are learnt at the next start.
            """INSERT INTO buildings (recorded_at, after_seq, name, digest, path, how)
                SELECT coalesce((SELECT value FROM meta WHERE key = 'created_at'), ''), 0,
                       value, '', '', 'legacy'
                FROM meta WHERE key = 'building'""",
        ),
    ),
    Migration(
        7,
        "online booking: booked tickets, the bookings, their personal data apart from the log",
        (
            # Ticket.booking and Ticket.slot: a ticket checked in from a booking (issue 19).
            "ALTER TABLE tickets ADD COLUMN booking TEXT",
            "ALTER TABLE tickets ADD COLUMN slot TEXT",
            # One row per booking, as its events left it: what a restart replays (bookings of
            # today or later, from `made_seq` on), what the retention purge reads the day of,
            # and what a citizen's page shows of a booking no longer in memory. No personal data.
            """CREATE TABLE bookings (
                code TEXT PRIMARY KEY,
                token TEXT NOT NULL,
                line TEXT NOT NULL,
                day TEXT NOT NULL,
                slot TEXT NOT NULL,
                priority TEXT,
                state TEXT NOT NULL,
                ticket TEXT,
                channel TEXT NOT NULL,
                made_at TEXT NOT NULL,
                made_seq INTEGER NOT NULL,
                updated_seq INTEGER NOT NULL
            )""",
            "CREATE INDEX bookings_day ON bookings (day)",
            "CREATE INDEX bookings_token ON bookings (token)",
            # The personal data of each booking_made event (name, phone, NIK's last four digits,
            # the keyed hashes), never in the event's JSON: written in the same transaction as
            # the event, joined back when the event is read, deleted by the retention purge
            # (UU 27/2022; docs/operations.md, "Personal data of bookings").
            """CREATE TABLE booking_contacts (
                seq INTEGER PRIMARY KEY,
                code TEXT NOT NULL,
                name TEXT,
                phone TEXT,
                nik_last4 TEXT,
                nik_hash TEXT,
                phone_hash TEXT
            )""",
            "CREATE INDEX booking_contacts_code ON booking_contacts (code)",
            # A restart reads a booking's events from before the last day close by this index,
            # without walking the tickets' events in between.
            f"CREATE INDEX events_booking ON events (seq) WHERE kind IN ({BOOKING_KINDS_SQL})",
        ),
    ),
    Migration(
        8,
        "a ticket's row keeps the booked citizens that went ahead of it",
        (
            # Ticket.booked_ahead: the overtakings by booked citizens among `overtaken`, which
            # the walk-in's own allowance bounds (docs/calling-policy.md). A row equals its
            # ticket in memory, as the report and the offline reader assume.
            "ALTER TABLE tickets ADD COLUMN booked_ahead INTEGER NOT NULL DEFAULT 0",
        ),
    ),
    Migration(
        9,
        "the citizen's voice: whom a visit is filed under, the complaints, their replay indexes",
        (
            # Ticket.officer (issue 20): the officer at the counter when its service started,
            # whom the survey's answer and a complaint are filed under. Earlier rows stay NULL.
            "ALTER TABLE tickets ADD COLUMN officer TEXT",
            # One row per complaint, as its events left it: which complaints a restart replays
            # (not closed, or closed lately: from `filed_seq` on), and whose contact the
            # retention purge deletes (`closed_day`, the service day it closed). Its contact
            # (name, phone) is in booking_contacts under `code` = the complaint's id.
            """CREATE TABLE complaints (
                id TEXT PRIMARY KEY,
                ticket TEXT,
                state TEXT NOT NULL,
                filed_day TEXT NOT NULL,
                filed_seq INTEGER NOT NULL,
                updated_seq INTEGER NOT NULL,
                closed_day TEXT
            )""",
            # A restart reads the survey answers of the last months and the complaints' events
            # from before the last day close by these, without walking the tickets' events.
            "CREATE INDEX events_survey ON events (service_day) WHERE kind = 'survey_answered'",
            f"CREATE INDEX events_complaint ON events (seq) WHERE kind IN ({COMPLAINT_KINDS_SQL})",
        ),
    ),
    Migration(
        10,
        "the outbox: each destination's delivered position and state, and the delivery log",
        (
            # Issue 21: the event log IS the outbox. Per destination (a webhook's id, "central")
            # the seq up to which its events were delivered (or skipped by its filter), and its
            # state: failing since when, the last error, the failed attempts since; for central
            # the digest of the building profile it last acknowledged. Written by the writer
            # only (server/outbox/ through Store), a row per destination ever configured.
            """CREATE TABLE deliveries (
                destination TEXT PRIMARY KEY,
                position INTEGER NOT NULL,
                added_at TEXT NOT NULL,
                delivered_at TEXT,
                failing_since TEXT,
                last_error TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                profile_digest TEXT
            )""",
            # Each attempt: when, where, which seqs, how it went (outcome "delivered",
            # "skipped", "failed"; "profile" for central's profile), the HTTP status, how long
            # it took, the error or the receiver's answer. Trimmed to the newest rows.
            """CREATE TABLE delivery_log (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                destination TEXT NOT NULL,
                first_seq INTEGER,
                last_seq INTEGER,
                outcome TEXT NOT NULL,
                status INTEGER,
                ms REAL,
                error TEXT
            )""",
        ),
    ),
    Migration(
        11,
        "a ticket's row names the visit of several stops it belongs to, and which stop it is",
        (
            # Ticket.visit and Ticket.stop (issue 22): "2026-12-04/KJ-007" and the stop's index
            # in its itinerary, NULL for a plain ticket; a row equals its ticket in memory. The
            # phone page of an earlier day finds a visit's stops by their shared token, and the
            # survey's answer about the whole visit from them (server/voice_api.py).
            "ALTER TABLE tickets ADD COLUMN visit TEXT",
            "ALTER TABLE tickets ADD COLUMN stop INTEGER",
        ),
    ),
    Migration(
        12,
        "a booking's row names the visit booking it is a stop of (its lead's code) and which stop",
        (
            # Booking.lead and Booking.stop (issue 22, a visit of several services booked
            # online): the lead's code on every stop of the group, the lead's own included, and
            # the stop's index (0 on the lead); NULL for a plain booking. A row equals its
            # booking in memory (personal data apart); a restart rebuilds the group from the
            # booking_made events, which carry both too.
            "ALTER TABLE bookings ADD COLUMN lead TEXT",
            "ALTER TABLE bookings ADD COLUMN stop INTEGER",
        ),
    ),
    Migration(
        13,
        "start-up reads the building's live edits by their own index, not a scan of the log",
        (
            # Issue 23: every start replays each `building_edited` event (the file's building
            # plus these is the live building; `Store.edit_events`). Few, but without this a
            # year's log (1.5 million events) was scanned by kind at each start.
            "CREATE INDEX events_building_edited ON events (seq) WHERE kind = 'building_edited'",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def _writer_pragmas(db: sqlite3.Connection) -> None:
    """The writer's settings, applied on its own thread when it opens."""
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    # journal_mode is stored in the file; synchronous is per connection. FULL: fsync the WAL at
    # every commit, so an acknowledged change survives a power cut, not only a crash.
    mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode != "wal":
        raise StoreError(f"cannot switch the database to WAL (journal_mode is {mode!r})")
    db.execute("PRAGMA synchronous = FULL")
    # A deleted row's bytes are overwritten, not left in free pages: the retention purge of a
    # booking's personal data (UU 27/2022) must not leave names and phone numbers readable in
    # the file. Deletes are rare here (the purge only), so it costs nothing else.
    db.execute("PRAGMA secure_delete = ON")


def _in_transaction(db: sqlite3.Connection, statements: Callable[[], None]) -> None:
    """BEGIN IMMEDIATE, run `statements`, COMMIT; ROLLBACK on any failure."""
    db.execute("BEGIN IMMEDIATE")
    try:
        statements()
        db.execute("COMMIT")
    except BaseException:
        # A failed COMMIT may already have rolled back; ROLLBACK then says "no transaction".
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _migrate(db: sqlite3.Connection, path: str, target: int = LATEST_VERSION) -> int:
    """Bring the schema to `target`; returns the version found before migrating."""
    found = 0

    def read_version() -> None:
        nonlocal found
        db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        found = db.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
        if found == 0:
            (has_events,) = db.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'"
            ).fetchone()
            if has_events:
                raise StoreError(f"{path}: has an events table but no schema version")
            db.execute("DELETE FROM schema_version")
            db.execute("INSERT INTO schema_version (version) VALUES (0)")
        if found > LATEST_VERSION:
            raise SchemaTooNew(
                f"{path}: schema version {found} was written by a newer Antre; this one knows "
                f"versions up to {LATEST_VERSION}. Upgrade Antre, or restore a backup made by "
                "this version."
            )

    # BEGIN IMMEDIATE before reading the version: two processes opening one fresh file must not
    # both run migration 1.
    _in_transaction(db, read_version)
    for migration in MIGRATIONS:
        if found < migration.version <= target:

            def apply(migration: Migration = migration) -> None:
                for statement in migration.statements:
                    db.execute(statement)
                db.execute("UPDATE schema_version SET version = ?", (migration.version,))

            _in_transaction(db, apply)
            logger.info(
                "%s: migrated to schema %d (%s)", path, migration.version, migration.description
            )
    return found
