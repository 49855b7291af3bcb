"""The outbox's rows (issue 21): each destination's position and state, the delivery log, and
the pending events read for a destination.

The event log is the outbox: nothing is copied. A destination's row says up to which seq its
events are delivered; what it has still to get is every event after that. Positions and the
log are written on the store's one writer connection (`Store.open_deliveries`,
`Store.record_delivery`), so nothing else ever writes the file; the pending events are read by
a read-only connection of the outbox's own (`PendingReader`), so that reading a backlog of a
thousand events never waits behind, nor delays, the engine's commits or the server's other
reads. A position only moves forward (`max`), whatever order two writes land in — with one
exception, `rewind_delivery`: central answering that it lacks events below the position (a new
central, or its database restored), the position goes back to what central has.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from server.store.schema import BUSY_TIMEOUT_MS, CONTACT_KINDS_SQL, _in_transaction

__all__ = ["LOG_KEPT", "Attempt", "DeliveryState", "PendingEvent", "PendingReader"]

LOG_KEPT = 10_000  # delivery_log rows kept: weeks of a failing destination's retries


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """A destination's row: how far it has got and how it is going."""

    destination: str
    position: int  # the last seq delivered or skipped: it gets the events after it
    added_at: str  # ISO instant it was first configured (a webhook starts at the log's end)
    delivered_at: str | None  # its last success
    failing_since: str | None  # its first failure since the last success
    last_error: str | None
    attempts: int  # failed attempts since `failing_since`
    profile_digest: str | None  # central: the building profile it last acknowledged


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at a destination, for the delivery log."""

    at: str
    destination: str
    first_seq: int | None
    last_seq: int | None
    outcome: str  # "delivered", "skipped" (nothing it wants), "failed", "profile"
    status: int | None  # the HTTP status, when there was an answer
    ms: float | None
    error: str | None  # why it failed, with the receiver's answer when it gave one


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """One event as a destination gets it: the log's row, and the personal data kept beside
    it (booking_made's, complaint_filed's) for a destination that may have it."""

    seq: int
    at: str
    day: str
    actor: str
    kind: str
    payload: str  # the log's JSON: no personal fields (rows.py keeps them apart)
    personal: Mapping[str, str | None] | None  # name, phone, nik_last4; None: nothing kept


_STATE_COLUMNS = (
    "destination, position, added_at, delivered_at, failing_since, last_error, attempts, "
    "profile_digest"
)
DELIVERY_STATES_SQL = f"SELECT {_STATE_COLUMNS} FROM deliveries ORDER BY destination"


def open_deliveries(
    db: sqlite3.Connection, starts: Mapping[str, int | None], at: str
) -> dict[str, DeliveryState]:
    """On the writer: a row for each destination not seen before, starting at `starts[id]`
    (None: the log's last seq, i.e. from now on); every destination's row."""

    def add() -> None:
        for destination, start in starts.items():
            db.execute(
                "INSERT OR IGNORE INTO deliveries (destination, position, added_at) "
                "VALUES (?, coalesce(?, (SELECT coalesce(max(seq), 0) FROM events)), ?)",
                (destination, start, at),
            )

    _in_transaction(db, add)
    rows = db.execute(DELIVERY_STATES_SQL).fetchall()
    return {row[0]: DeliveryState(*row) for row in rows}


def record_delivery(
    db: sqlite3.Connection,
    attempt: Attempt,
    position: int | None,
    profile_digest: str | None,
    keep: int = LOG_KEPT,
    earlier: Sequence[Attempt] = (),
) -> None:
    """On the writer, in one transaction: the attempts in the log (`earlier`, then `attempt`;
    trimmed to `keep` rows) and the destination's state after `attempt` (its position moved up
    to `position` when given)."""

    def write() -> None:
        for one in (*earlier, attempt):
            cursor = db.execute(
                "INSERT INTO delivery_log (at, destination, first_seq, last_seq, outcome, "
                "status, ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (one.at, one.destination, one.first_seq, one.last_seq, one.outcome, one.status,
                 one.ms, one.error),
            )  # fmt: skip
            if cursor.lastrowid is not None and cursor.lastrowid % 100 == 0:
                db.execute("DELETE FROM delivery_log WHERE id <= ?", (cursor.lastrowid - keep,))
        if attempt.outcome == "failed":
            db.execute(
                "UPDATE deliveries SET failing_since = coalesce(failing_since, ?), "
                "last_error = ?, attempts = attempts + 1 WHERE destination = ?",
                (attempt.at, attempt.error, attempt.destination),
            )
        else:
            db.execute(
                "UPDATE deliveries SET position = max(position, coalesce(?, position)), "
                "delivered_at = ?, failing_since = NULL, last_error = NULL, attempts = 0, "
                "profile_digest = coalesce(?, profile_digest) WHERE destination = ?",
                (position, attempt.at, profile_digest, attempt.destination),
            )

    _in_transaction(db, write)


def rewind_delivery(db: sqlite3.Connection, attempt: Attempt, position: int) -> None:
    """On the writer, in one transaction: the one way a position goes back. Central said it has
    every event only up to `position` (its `contiguous_seq`), below what the building had
    delivered: the events after it go again, and so does the profile (its digest forgotten).
    `attempt` (outcome "rewound") says so in the delivery log."""

    def write() -> None:
        db.execute(
            "INSERT INTO delivery_log (at, destination, first_seq, last_seq, outcome, status, "
            "ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (attempt.at, attempt.destination, attempt.first_seq, attempt.last_seq,
             attempt.outcome, attempt.status, attempt.ms, attempt.error),
        )  # fmt: skip
        db.execute(
            "UPDATE deliveries SET position = ?, profile_digest = NULL WHERE destination = ?",
            (position, attempt.destination),
        )

    _in_transaction(db, write)


# A destination's newest attempts, newest first (tests, audits): read on the store's reader.
DELIVERY_LOG_SQL = (
    "SELECT at, destination, first_seq, last_seq, outcome, status, ms, error "
    "FROM delivery_log WHERE destination = ? ORDER BY id DESC LIMIT ?"
)


class PendingReader:
    """The outbox's own read-only connection: the events after a position, in seq order."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    @classmethod
    async def open(cls, path: str) -> PendingReader:
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        db = await aiosqlite.connect(uri, uri=True, isolation_level=None)
        try:
            await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await db.execute("PRAGMA query_only = ON")
        except BaseException:
            await db.close()
            raise
        return cls(db)

    async def close(self) -> None:
        await self._db.close()

    async def count_after(self, position: int, kinds: frozenset[str]) -> int:
        """How many committed events of these kinds come after seq `position` (a filtered
        webhook's backlog: the kinds it skips are not waiting for it)."""
        marks = ", ".join("?" * len(kinds))
        rows = await self._db.execute_fetchall(
            f"SELECT count(*) FROM events WHERE seq > ? AND kind IN ({marks})",
            (position, *sorted(kinds)),
        )
        return int(rows[0][0])

    async def after(self, position: int, limit: int) -> list[PendingEvent]:
        """Up to `limit` committed events after seq `position`, in seq order, each with the
        personal data kept beside it (None once purged, or for a kind that has none)."""
        rows = await self._db.execute_fetchall(
            "SELECT e.seq, e.at, e.service_day, e.actor, e.kind, e.payload, "
            "p.seq, p.name, p.phone, p.nik_last4 FROM events e "
            f"LEFT JOIN booking_contacts p ON e.kind IN ({CONTACT_KINDS_SQL}) AND p.seq = e.seq "
            "WHERE e.seq > ? ORDER BY e.seq LIMIT ?",
            (position, limit),
        )
        return [
            PendingEvent(
                *row[:6],
                None if row[6] is None else {"name": row[7], "phone": row[8], "nik_last4": row[9]},
            )
            for row in rows
        ]
