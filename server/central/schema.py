"""Central's PostgreSQL schema: every table, and the migrations that make them (one module).

As the building's store does (server/store/schema.py), `MIGRATIONS` is an ordered list applied
on start, each in its own transaction together with its version row in `schema_version`; a
database written by a newer Antre is refused, never guessed at. Two starts at once are
serialised by an advisory lock.

The tables (docs/central.md, "The schema"):

- `buildings`: one row per building of central.toml, its profile (the building's own PUT:
  name, zone, agencies, lines and their standards) and two positions: `contiguous_seq`, the
  highest sequence number below which every event is stored, and `folded_seq`, the highest one
  folded into the rows below (the ingest keeps them equal at every commit).
- `events`: every event of every building, `PARTITION BY RANGE (day)` on its service day, one
  partition a month (`events_2026_11`), made ahead by `ensure_partitions`. The key is
  (building, day, seq): an event's day never changes, so a re-delivered event meets itself in
  its own partition. A sequence number is unique per building over all partitions too: the
  ingest checks it before inserting (`events_building_seq`).
- `tickets`: one row per ticket, with `record`, the report's `TicketRecord` as the fold left it.
- `ticket_lines`: a ticket's share of each line's figures (counts, waits, service times):
  the report's own attribution (`server.report.stats.summarize`) of that ticket alone.
- `fold_officers`: who is logged in at each counter on a day, as the fold has read it.
- `line_figures`: per building × line × day, the figures of `antre report`'s line rows.
- `survey_answers` (migration 2): one SKM answer per ticket (the first, as the report keeps
  it), filed under the visit's day and line: the IKM per line and day is a sum over them.
- `bookings` (migration 2): each booking's line, day and last state, as the report's
  `replay_bookings` follows it; `printing` is the ticket of a check-in not printed yet (a
  paper that never came out makes the booking booked again).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

import psycopg

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "Migration",
    "SchemaTooNew",
    "ensure_partitions",
    "migrate",
    "month_of",
    "partition_name",
]

_MIGRATE_LOCK: Final = 21_0001  # pg_advisory_xact_lock key: one migrating process at a time
_PARTITION_LOCK: Final = 21_0002  # and one creating partitions


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    why: str
    statements: tuple[str, ...]


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer Antre: this one does not know its tables."""


MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(
        1,
        "buildings, the partitioned event log, tickets, their line shares and the line figures",
        (
            """CREATE TABLE buildings (
                id text PRIMARY KEY,
                name text NOT NULL,
                region text NOT NULL DEFAULT '',
                zone text,
                profile jsonb,
                profile_at timestamptz,
                contiguous_seq bigint NOT NULL DEFAULT 0,
                folded_seq bigint NOT NULL DEFAULT 0,
                last_received_at timestamptz
            )""",
            # `data`: the event's fields without kind, at and token (the delivery's "data");
            # `personal`: what a destination with personal_data gets (central: normally null).
            """CREATE TABLE events (
                building text NOT NULL,
                day date NOT NULL,
                seq bigint NOT NULL,
                type text NOT NULL,
                at timestamptz NOT NULL,
                actor text NOT NULL,
                data jsonb NOT NULL,
                personal jsonb,
                received_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (building, day, seq)
            ) PARTITION BY RANGE (day)""",
            # Contiguity and the fold read a building's events in sequence order.
            "CREATE INDEX events_building_seq ON events (building, seq)",
            """CREATE TABLE tickets (
                building text NOT NULL,
                ticket text NOT NULL,
                day date NOT NULL,
                number text NOT NULL,
                first_line text NOT NULL,
                line text NOT NULL,
                state text NOT NULL,
                issued_at timestamptz NOT NULL,
                record jsonb NOT NULL,
                PRIMARY KEY (building, ticket)
            )""",
            "CREATE INDEX tickets_day ON tickets (building, day)",
            """CREATE TABLE ticket_lines (
                building text NOT NULL,
                ticket text NOT NULL,
                line text NOT NULL,
                day date NOT NULL,
                issued integer NOT NULL,
                print_failed integer NOT NULL,
                called integer NOT NULL,
                recalls integer NOT NULL,
                served integer NOT NULL,
                no_show integer NOT NULL,
                cancelled integer NOT NULL,
                expired integer NOT NULL,
                transferred_out integer NOT NULL,
                transferred_in integer NOT NULL,
                waits double precision[] NOT NULL,
                services double precision[] NOT NULL,
                PRIMARY KEY (building, ticket, line)
            )""",
            "CREATE INDEX ticket_lines_day ON ticket_lines (building, day, line)",
            """CREATE TABLE fold_officers (
                building text NOT NULL,
                day date NOT NULL,
                counter text NOT NULL,
                officer text,
                PRIMARY KEY (building, day, counter)
            )""",
            """CREATE TABLE line_figures (
                building text NOT NULL,
                day date NOT NULL,
                line text NOT NULL,
                agency text,
                name text,
                issued integer NOT NULL,
                print_failed integer NOT NULL,
                called integer NOT NULL,
                recalls integer NOT NULL,
                served integer NOT NULL,
                no_show integer NOT NULL,
                cancelled integer NOT NULL,
                expired integer NOT NULL,
                transferred_out integer NOT NULL,
                transferred_in integer NOT NULL,
                waits integer NOT NULL,
                wait_mean_s double precision,
                wait_median_s double precision,
                wait_p90_s double precision,
                wait_max_s double precision,
                target_wait_s double precision,
                waits_within_target integer,
                services integer NOT NULL,
                service_mean_s double precision,
                service_median_s double precision,
                service_p90_s double precision,
                service_max_s double precision,
                target_service_s double precision,
                services_within_target integer,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (building, day, line)
            )""",
        ),
    ),
    Migration(
        2,
        "the SKM answers and the bookings per line and day (the dashboard's IKM and bookings)",
        (
            """CREATE TABLE survey_answers (
                building text NOT NULL,
                ticket text NOT NULL,
                day date NOT NULL,
                line text NOT NULL,
                agency text NOT NULL,
                scores smallint[] NOT NULL,
                score_sum integer NOT NULL,
                seq bigint NOT NULL,
                PRIMARY KEY (building, ticket)
            )""",
            "CREATE INDEX survey_answers_day ON survey_answers (building, day, line)",
            """CREATE TABLE bookings (
                building text NOT NULL,
                code text NOT NULL,
                line text NOT NULL,
                day date NOT NULL,
                state text NOT NULL,
                printing text,
                PRIMARY KEY (building, code)
            )""",
            "CREATE INDEX bookings_day ON bookings (building, day, line)",
            "CREATE INDEX bookings_printing ON bookings (building, printing) "
            "WHERE printing IS NOT NULL",
        ),
    ),
    Migration(
        3,
        "the profile's signed timestamp: an older profile replayed is refused",
        ("ALTER TABLE buildings ADD COLUMN profile_signed_at bigint",),
    ),
)
LATEST_VERSION: Final = MIGRATIONS[-1].version


def month_of(day: date) -> date:
    return day.replace(day=1)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"events_{month.year:04d}_{month.month:02d}"


def migrate(conn: psycopg.Connection) -> int:
    """Apply the migrations this database lacks; its version. Refuses a newer database."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version integer PRIMARY KEY, why text NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())"
        )
        row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
        current = (row[0] if row else None) or 0
    if current > LATEST_VERSION:
        raise SchemaTooNew(
            f"the central database is at schema version {current}; this Antre knows "
            f"{LATEST_VERSION}: run the newer Antre"
        )
    for migration in MIGRATIONS:
        if migration.version <= current:
            continue
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
            done = conn.execute(
                "SELECT 1 FROM schema_version WHERE version = %s", (migration.version,)
            ).fetchone()
            if done:
                continue  # another process applied it meanwhile
            for statement in migration.statements:
                conn.execute(statement)  # type: ignore[arg-type]
            conn.execute(
                "INSERT INTO schema_version (version, why) VALUES (%s, %s)",
                (migration.version, migration.why),
            )
    return LATEST_VERSION


def ensure_partitions(conn: psycopg.Connection, days: Iterable[date]) -> list[str]:
    """Make the monthly partitions of `events` the given days fall in; the names made.

    In a transaction of its own, before the batch's: creating a partition locks the parent
    table, which a batch's transaction should not hold while it works.
    """
    months = sorted({month_of(d) for d in days})
    if not months:
        return []
    made = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PARTITION_LOCK,))
        existing = {
            r[0]
            for r in conn.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'events'::regclass"
            )
        }
        for month in months:
            name = partition_name(month)
            if name in existing:
                continue
            conn.execute(
                f"CREATE TABLE {name} PARTITION OF events "  # name made from a date, not input
                f"FOR VALUES FROM ('{month.isoformat()}') TO ('{_next_month(month).isoformat()}')"
            )
            made.append(name)
    return made
