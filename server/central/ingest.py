"""A building's batch stored, and its figures brought up to date, in one transaction.

Theory of operation (docs/central.md, "Ingest"): the building's row is locked (`FOR UPDATE`), so
two deliveries of one building never interleave while different buildings ingest side by side. The
batch's sequence numbers already stored as the same event (day, type, instant, data) are duplicates
(an event's id is its building and seq): they change nothing; one stored as another event is a
conflict (`SeqConflict`: nothing is stored). The others are inserted. Then `contiguous_seq`
advances over every seq now stored without a gap below it, and the events between `folded_seq` and
it are folded, in sequence order, into the tickets, their line shares and the line figures of the
days they touch (server/central/fold.py). A later batch that came first is stored and waits for its
gap: the figures never depend on the order batches arrive in. Everything commits together or not at
all, so a central or a PostgreSQL killed mid-batch leaves either the whole batch or none of it, and
the sender's retry fills in the rest.

A building's profile (`store_profile`) is its name, zone, agencies and lines with their
standards; when a line's standard changes, the building's figures are worked out again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import psycopg
from psycopg.types.json import Jsonb

from server.central.batch import Batch, Profile
from server.central.fold import (
    COUNT_FIELDS,
    Fold,
    StoredEvent,
    line_figures,
    line_shares,
    record_from_json,
    record_to_json,
    ticket_of,
)
from server.central.schema import ensure_partitions
from server.central.voice import fold_voice
from server.report.stats import GroupStats, LineTargets, TicketRecord

__all__ = [
    "IngestResult",
    "SeqConflict",
    "StaleProfile",
    "UnknownBuilding",
    "forget_after",
    "ingest_batch",
    "register_buildings",
    "store_profile",
]

FOLD_CHUNK: Final = 5000  # events read for the fold at a time (a long backlog's gap filled)


class UnknownBuilding(LookupError):
    """A building central.toml does not list."""


class StaleProfile(ValueError):
    """A profile signed before the one central keeps: a replayed older request."""


class SeqConflict(ValueError):
    """A sequence number already stored as another event (another day, type, instant or data):
    the sender's log is not the one central has — a store restored from a back-up numbers its
    new events again from the back-up's last seq. Absorbing them as duplicates would lose them
    silently; refusing keeps the sender failing, and its floor alert says so."""


@dataclass(frozen=True, slots=True)
class IngestResult:
    stored: int
    duplicates: int
    contiguous_seq: int

    def as_json(self) -> dict[str, int]:
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "contiguous_seq": self.contiguous_seq,
        }


def register_buildings(conn: psycopg.Connection, buildings: Iterable[tuple[str, str, str]]) -> None:
    """Make (or rename) the rows of central.toml's buildings: (id, name, region)."""
    with conn.transaction():
        for building, name, region in buildings:
            conn.execute(
                "INSERT INTO buildings (id, name, region) VALUES (%s, %s, %s) "
                "ON CONFLICT (id) DO UPDATE SET name = excluded.name, region = excluded.region",
                (building, name, region),
            )


def _targets(profile: Mapping[str, Any] | None) -> dict[str, LineTargets]:
    if not profile:
        return {}
    return {
        ln["line"]: LineTargets(
            ln["agency"], ln["name"], ln.get("target_service_s"), ln.get("target_wait_s")
        )
        for ln in profile.get("lines", [])
    }


def _lock_building(conn: psycopg.Connection, building: str) -> tuple[int, int, dict | None]:
    row = conn.execute(
        "SELECT contiguous_seq, folded_seq, profile FROM buildings WHERE id = %s FOR UPDATE",
        (building,),
    ).fetchone()
    if row is None:
        raise UnknownBuilding(building)
    return row[0], row[1], row[2]


def ingest_batch(conn: psycopg.Connection, batch: Batch) -> IngestResult:
    """Store a batch idempotently and fold what became contiguous (module docstring)."""
    ensure_partitions(conn, {e.day for e in batch.events})
    with conn.transaction():
        contiguous, folded, profile = _lock_building(conn, batch.building)
        seqs = [e.seq for e in batch.events]
        stored = {
            seq: (day, type_, at, data)
            for seq, day, type_, at, data in conn.execute(
                "SELECT seq, day, type, at, data FROM events WHERE building = %s AND seq = ANY(%s)",
                (batch.building, seqs),
            )
        }
        for e in batch.events:
            if e.seq in stored and stored[e.seq] != (e.day, e.type, e.at, e.data):
                raise SeqConflict(_conflict(e, stored[e.seq]))
        new = [e for e in batch.events if e.seq not in stored]
        if new:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO events (building, day, seq, type, at, actor, data, personal) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    [
                        (
                            batch.building,
                            e.day,
                            e.seq,
                            e.type,
                            e.at,
                            e.actor,
                            Jsonb(e.data),
                            None if e.personal is None else Jsonb(e.personal),
                        )
                        for e in new
                    ],
                )
        contiguous = _advance(conn, batch.building, contiguous)
        if contiguous > folded:
            _fold(conn, batch.building, folded, contiguous, _targets(profile))
        conn.execute(
            "UPDATE buildings SET contiguous_seq = %s, folded_seq = %s, "
            "last_received_at = now() WHERE id = %s",
            (contiguous, contiguous, batch.building),
        )
    return IngestResult(len(new), len(batch.events) - len(new), contiguous)


def _conflict(e: Any, stored: tuple[date, str, Any, Any]) -> str:
    day, type_, at, _ = stored
    if day != e.day:
        return f"seq {e.seq} is stored under day {day}, not {e.day}"
    return (
        f"seq {e.seq} is stored as another event ({type_} at {at.isoformat()}; this one is "
        f"{e.type} at {e.at.isoformat()}): was the building's store restored from a back-up? "
        'docs/operations.md, "Restoring a store that delivers"'
    )


def _advance(conn: psycopg.Connection, building: str, contiguous: int) -> int:
    """The highest seq reached from `contiguous` with no gap."""
    while True:
        seqs = [
            r[0]
            for r in conn.execute(
                "SELECT seq FROM events WHERE building = %s AND seq > %s ORDER BY seq LIMIT %s",
                (building, contiguous, FOLD_CHUNK),
            )
        ]
        for seq in seqs:
            if seq != contiguous + 1:
                return contiguous
            contiguous = seq
        if len(seqs) < FOLD_CHUNK:
            return contiguous


def _fold(
    conn: psycopg.Connection,
    building: str,
    folded: int,
    contiguous: int,
    targets: Mapping[str, LineTargets],
) -> None:
    fold = Fold({}, {})
    position = folded
    while position < contiguous:
        events = [
            StoredEvent(*row)
            for row in conn.execute(
                "SELECT seq, type, at, day, actor, data FROM events "
                "WHERE building = %s AND seq > %s AND seq <= %s ORDER BY seq LIMIT %s",
                (building, position, contiguous, FOLD_CHUNK),
            )
        ]
        wanted = {t for e in events if (t := ticket_of(e)) and t not in fold.tickets}
        if wanted:
            for (record,) in conn.execute(
                "SELECT record FROM tickets WHERE building = %s AND ticket = ANY(%s)",
                (building, list(wanted)),
            ):
                t = record_from_json(record)
                fold.tickets[t.id] = t
        days = {e.day for e in events} - fold.officers.keys()
        for day in days:
            fold.officers[day] = {}
        if days:
            for day, counter, officer in conn.execute(
                "SELECT day, counter, officer FROM fold_officers "
                "WHERE building = %s AND day = ANY(%s)",
                (building, list(days)),
            ):
                fold.officers[day][counter] = officer
        for e in events:
            fold.apply(e)
        fold_voice(conn, building, [(e.seq, e.type, e.data) for e in events])
        position = events[-1].seq
    _write(conn, building, fold, targets)


def _write(
    conn: psycopg.Connection, building: str, fold: Fold, targets: Mapping[str, LineTargets]
) -> None:
    """Write back what the fold changed, then the figures of the (day, line)s it touched."""
    changed = [fold.tickets[tid] for tid in sorted(fold.changed_tickets)]
    touched: set[tuple[date, str]] = set()
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO tickets (building, ticket, day, number, first_line, line, state, "
            "issued_at, record) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (building, ticket) DO UPDATE SET line = excluded.line, "
            "state = excluded.state, record = excluded.record",
            [
                (building, t.id, t.day, t.number, t.first_line, t.line, t.state, t.issued_at,
                 Jsonb(record_to_json(t)))
                for t in changed
            ],
        )  # fmt: skip
        if changed:
            cur.execute(
                "DELETE FROM ticket_lines WHERE building = %s AND ticket = ANY(%s) "
                "RETURNING day, line",
                (building, [t.id for t in changed]),
            )
            touched.update((day, line) for day, line in cur.fetchall())
        rows = []
        for t in changed:
            day = date.fromisoformat(t.day)
            for line, share in line_shares(t).items():
                touched.add((day, line))
                rows.append(
                    (building, t.id, line, day, *(getattr(share, f) for f in COUNT_FIELDS),
                     share.waits, share.services)
                )  # fmt: skip
        cur.executemany(
            "INSERT INTO ticket_lines (building, ticket, line, day, "
            + ", ".join(COUNT_FIELDS)
            + ", waits, services) VALUES (%s, %s, %s, %s, "
            + ", ".join(["%s"] * len(COUNT_FIELDS))
            + ", %s, %s)",
            rows,
        )
        for day in sorted(fold.changed_days):
            cur.execute(
                "DELETE FROM fold_officers WHERE building = %s AND day = %s", (building, day)
            )
            cur.executemany(
                "INSERT INTO fold_officers (building, day, counter, officer) "
                "VALUES (%s, %s, %s, %s)",
                [(building, day, c, o) for c, o in fold.officers[day].items()],
            )
    refresh_figures(conn, building, touched, targets)


_FIGURE_COLUMNS: Final = (
    "agency",
    "name",
    *COUNT_FIELDS,
    "waits",
    "wait_mean_s",
    "wait_median_s",
    "wait_p90_s",
    "wait_max_s",
    "target_wait_s",
    "waits_within_target",
    "services",
    "service_mean_s",
    "service_median_s",
    "service_p90_s",
    "service_max_s",
    "target_service_s",
    "services_within_target",
)


def refresh_figures(
    conn: psycopg.Connection,
    building: str,
    touched: Iterable[tuple[date, str]],
    targets: Mapping[str, LineTargets],
) -> None:
    """Work out again the line figures of the given (day, line)s from their tickets' shares."""
    by_day: dict[date, set[str]] = defaultdict(set)
    for day, line in touched:
        by_day[day].add(line)
    upsert = (
        "INSERT INTO line_figures (building, day, line, "
        + ", ".join(_FIGURE_COLUMNS)
        + ") VALUES (%s, %s, %s, "
        + ", ".join(["%s"] * len(_FIGURE_COLUMNS))
        + ") ON CONFLICT (building, day, line) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in _FIGURE_COLUMNS)
        + ", updated_at = now()"
    )
    for day, lines in sorted(by_day.items()):
        shares: dict[str, list[GroupStats]] = defaultdict(list)
        for line, *counts, waits, services in conn.execute(
            "SELECT line, " + ", ".join(COUNT_FIELDS) + ", waits, services FROM ticket_lines "
            "WHERE building = %s AND day = %s AND line = ANY(%s)",
            (building, day, sorted(lines)),
        ):
            g = GroupStats("line", line, waits=list(waits), services=list(services))
            for name, value in zip(COUNT_FIELDS, counts, strict=True):
                setattr(g, name, value)
            shares[line].append(g)
        rows = []
        for line in sorted(lines):
            figures = line_figures(line, shares[line], targets.get(line))
            rows.append((building, day, line, *(figures[c] for c in _FIGURE_COLUMNS)))
        with conn.cursor() as cur:
            cur.executemany(upsert, rows)


def store_profile(conn: psycopg.Connection, profile: Profile, signed_at: int) -> bool:
    """Keep a building's profile, signed at `signed_at` (its `Antre-Timestamp`); True when a
    line's standard changed (figures redone). One signed before the profile kept is refused
    (`StaleProfile`): a captured older request replayed within its five minutes would put the
    old targets back."""
    with conn.transaction():
        _, _, before = _lock_building(conn, profile.building)
        (kept_at,) = conn.execute(
            "SELECT profile_signed_at FROM buildings WHERE id = %s", (profile.building,)
        ).fetchone()
        if kept_at is not None and signed_at < kept_at:
            raise StaleProfile(
                f"this profile was signed at {signed_at}, before the one kept ({kept_at})"
            )
        conn.execute(
            "UPDATE buildings SET profile = %s, zone = %s, profile_at = now(), "
            "profile_signed_at = %s WHERE id = %s",
            (Jsonb(dict(profile.raw)), profile.zone, signed_at, profile.building),
        )
        old, new = _targets(before), _targets(profile.raw)
        if old == new:
            return False
        touched = [
            (day, line)
            for day, line in conn.execute(
                "SELECT DISTINCT day, line FROM ticket_lines WHERE building = %s",
                (profile.building,),
            )
        ]
        refresh_figures(conn, profile.building, touched, new)
        return True


_FOLDED_TABLES: Final = (
    "tickets",
    "ticket_lines",
    "fold_officers",
    "line_figures",
    "survey_answers",
    "bookings",
)


def forget_after(conn: psycopg.Connection, building: str, seq: int) -> tuple[int, int]:
    """Delete a building's events after `seq` and fold its figures again from seq 1:
    (events deleted, the new contiguous_seq). What an operator runs after restoring the
    building's store from a back-up whose last seq is `seq` (docs/operations.md, "Restoring a
    store that delivers"): the restored store numbers its new events from there. The fold only
    moves forward, so the building's fold is redone whole (a year of a busy building's events
    is a few minutes of it); other buildings are not touched."""
    with conn.transaction():
        _lock_building(conn, building)
        deleted = conn.execute(
            "DELETE FROM events WHERE building = %s AND seq > %s", (building, seq)
        ).rowcount
        for table in _FOLDED_TABLES:  # names from the list above, not input
            conn.execute(f"DELETE FROM {table} WHERE building = %s", (building,))
        _, _, profile = _lock_building(conn, building)
        contiguous = _advance(conn, building, 0)
        if contiguous > 0:
            _fold(conn, building, 0, contiguous, _targets(profile))
        conn.execute(
            "UPDATE buildings SET contiguous_seq = %s, folded_seq = %s WHERE id = %s",
            (contiguous, contiguous, building),
        )
    return deleted, contiguous


def figures_of(conn: psycopg.Connection, building: str, day: date) -> dict[str, dict[str, Any]]:
    """{line: figures} of a building's day, as stored (what a dashboard reads)."""
    cur = conn.execute(
        "SELECT line, " + ", ".join(_FIGURE_COLUMNS) + " FROM line_figures "
        "WHERE building = %s AND day = %s ORDER BY line",
        (building, day),
    )
    return {row[0]: dict(zip(_FIGURE_COLUMNS, row[1:], strict=True)) for row in cur}


def ticket_record(conn: psycopg.Connection, building: str, ticket: str) -> TicketRecord | None:
    row = conn.execute(
        "SELECT record FROM tickets WHERE building = %s AND ticket = %s", (building, ticket)
    ).fetchone()
    return None if row is None else record_from_json(row[0])
