"""`antre report`: the day's (or a range's) figures and the ticket journal, from the event log.

The figures are computed by `server.report.stats` and `server.report.booking_stats` (pure) and
shaped into CSV rows by `server.report.tables` and into the terminal's tables by
`server.report.summary`; this module is the command around them: it reads the store through its
read-only API (`server.store.StoreReader`), so a report can run next to a live server without
ever taking its write lock, one service day at a time, and writes CSV files and a readable
summary in Indonesian. `--skm` adds the SKM survey's and the complaints' files
(`server.report.skm_report`). docs/reports.md documents every CSV column.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from server.building_identity import EXIT_WRONG_BUILDING, WrongBuilding
from server.config import ConfigError, demo_building_path, load_building_file
from server.core.building import Building
from server.live_building import DROPPED_THROUGH
from server.report.booking_stats import add_places, add_tickets, replay_bookings, totals
from server.report.closure_stats import EDITED, day_closures, with_edits
from server.report.edit_rows import EDIT_COLUMNS, dropped_edits, edit_rows, edit_summary
from server.report.skm_report import skm_summary, write_skm_report
from server.report.skm_stats import VisitRecord, finished_visits
from server.report.stats import GroupStats, TicketRecord, half_hours, replay_tickets, summarize
from server.report.summary import closure_summary, print_summary, visit_summary
from server.report.tables import (
    BOOKING_COLUMNS,
    CLOSURE_COLUMNS,
    GROUP_COLUMNS,
    HALF_HOUR_COLUMNS,
    JOURNAL_COLUMNS,
    VISIT_COLUMNS,
    booking_rows,
    closure_rows,
    group_rows,
    journal_rows,
    targets_of,
    visit_rows,
    write_csv,
)
from server.report.visit_stats import (
    ItineraryRecord,
    handoff_pairs,
    median_total_s,
    replay_visits,
)
from server.store import LogEntry, StoreReader
from server.store.offline import NoStoreFile, NotAStore

__all__ = [
    "DEFAULT_TARGET_WAIT_MIN",
    "BuildingFileUnusable",
    "ReportError",
    "ReportFigures",
    "build_parser",
    "building_for",
    "compile_report",
    "open_store",
    "print_summary",
    "read_days",
    "report_main",
]

# The wait a line is measured against when the building file gives none: the tax-office standard
# quoted in DOMAIN.md is 10 minutes for a counter visit; MPP lines wait longer, and 30 minutes is
# the figure the floor dashboard uses too. `--target-wait-min` overrides it.
DEFAULT_TARGET_WAIT_MIN = 30.0

# A range longer than this shows a progress bar (each day is one read and one replay).
_PROGRESS_AFTER_DAYS = 7


class ReportError(Exception):
    """The report cannot be made as asked (no such file, not an Antre store, bad dates)."""


# --------------------------------------------------------------------------------------------
# Reading the log
# --------------------------------------------------------------------------------------------


def open_store(db: str | Path) -> StoreReader:
    """The store, read-only; ReportError when there is none or it is not an Antre store."""
    try:
        return StoreReader.open(db)
    except NoStoreFile:
        raise ReportError(f"{db}: tidak ada berkas basis data") from None
    except NotAStore as exc:
        raise ReportError(f"{db}: bukan basis data Antre ({exc.detail})") from None


def read_days(store: StoreReader, first: date, last: date) -> Iterator[tuple[str, list[LogEntry]]]:
    """(service day, its log entries in sequence order) for each day in range that has events."""
    for day in store.service_days(first, last):
        yield day, store.day_log(day)


# --------------------------------------------------------------------------------------------
# Which building: the one the store records (docs/reports.md, "Which building file")
# --------------------------------------------------------------------------------------------


class BuildingFileUnusable(ReportError):
    """The store records a building whose file cannot be used now, and none was given."""


def building_for(
    store: StoreReader, config: str | None, *, accept: bool = False
) -> tuple[Building, str | None]:
    """The building to name the report with, and a note for the operator (or None).

    With `config`: that file, if it is the store's building (else WrongBuilding). Without: the
    file the store records, if it is still there and still that building; the demo building
    for a store that records none (or records the demo by name only).
    Raises ConfigError for a broken file given, BuildingFileUnusable when the recorded one
    cannot be used.
    """
    if config is not None:
        building, identity = load_building_file(config)
        store.check_building(identity, accept=accept)
        return building, None
    recorded = store.building()
    demo = demo_building_path()
    if recorded is None:
        return load_building_file(demo)[0], None
    mine = recorded.identity
    path = mine.path or (str(demo.resolve()) if mine.name == _demo_name() else "")
    if not path:
        raise BuildingFileUnusable(
            "basis data ini tidak mencatat letak berkas gedungnya (disimpan oleh Antre versi "
            "lama); berikan berkasnya dengan --config, sekali saja: server yang berikutnya "
            "dijalankan dengan --config akan mencatatnya",
            mine.name,
        )
    try:
        building, identity = load_building_file(path)
    except ConfigError as exc:
        reason = "tidak ada lagi" if not Path(path).exists() else f"tidak dapat dipakai ({exc})"
        raise BuildingFileUnusable(f"berkasnya {path} {reason}", mine.name) from None
    if identity.name != mine.name:
        raise BuildingFileUnusable(
            f"berkasnya {path} kini berisi gedung “{identity.name}”", mine.name
        )
    note = None if Path(path) == demo.resolve() else f"Memakai berkas gedung {path} (tercatat)"
    return building, note


def _demo_name() -> str:
    from server.config import load_demo_building

    return load_demo_building().name


def wrong_building_message(exc: WrongBuilding) -> str:
    """The refusal of a --config that is another building's, and what to type instead."""
    mine, theirs = exc.recorded, exc.given
    give = f"--config {mine.path}" if mine.path else "--config BERKAS-GEDUNGNYA"
    return (
        f"antre report: {exc.db} adalah basis data gedung “{mine.name}”, bukan “{theirs.name}” "
        f"({theirs.path}). Laporan tidak dibuat.\n"
        f"  Berikan berkas gedungnya: antre report {give} --db {exc.db} …\n"
        f"  Jika gedung itu berganti nama menjadi “{theirs.name}”, tambahkan --accept-building."
    )


def unusable_file_message(db: str, exc: BuildingFileUnusable) -> str:
    reason, name = exc.args
    return (
        f"antre report: {db} adalah basis data gedung “{name}”, tetapi {reason}. "
        "Laporan tidak dibuat.\n"
        f"  Berikan berkas gedungnya: antre report --config BERKAS --db {db} …"
    )


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bukan tanggal ISO (YYYY-MM-DD): {text!r}") from None


def build_parser(prog: str = "antre report") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Laporan harian dari log peristiwa: angka per layanan, instansi, loket, "
        "petugas; CSV dan ringkasan di terminal.",
    )
    parser.add_argument("--day", type=_date, help="one service day (default: today)")
    parser.add_argument("--from", dest="first", type=_date, help="first day of a range")
    parser.add_argument("--to", dest="last", type=_date, help="last day of a range (inclusive)")
    parser.add_argument("--db", default="var/antre.db", help="SQLite store (default: %(default)s)")
    parser.add_argument(
        "--config",
        help="building TOML file (default: the one the store records, else the demo building)",
    )
    parser.add_argument(
        "--accept-building",
        action="store_true",
        help="use --config although the store records another building's name (renamed)",
    )
    parser.add_argument("--out", metavar="DIR", help="write the CSV files into this folder")
    parser.add_argument(
        "--journal",
        action="store_true",
        help="also write the ticket journal (audit trail) of each day: journal-DAY.csv",
    )
    parser.add_argument(
        "--target-wait-min",
        type=float,
        default=DEFAULT_TARGET_WAIT_MIN,
        help="the wait each line is measured against (default: %(default)s)",
    )
    parser.add_argument(
        "--skm",
        action="store_true",
        help="also write the SKM survey's files (skm.csv, skm_waits.csv, skm_channels.csv, "
        "skm.html) and complaints.csv for the range's visits (needs --out)",
    )
    parser.add_argument(
        "--officers",
        action="store_true",
        help="with --skm: add a row per officer to skm.csv and name the officer of each "
        "complaint (for managers only)",
    )
    parser.add_argument("--quiet", action="store_true", help="no summary in the terminal")
    return parser


def report_main(
    argv: Sequence[str] | None = None, *, today: date | None = None, now: datetime | None = None
) -> int:
    """`antre report …`: 0 done; 2 a usage or input problem; 78 not this store's building.

    `today` and `now` stand in for the clock (tests): the default day, and when the report
    runs (whether the SKM survey of the range is still open)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        store = open_store(args.db)
    except ReportError as exc:
        print(exc, file=sys.stderr)
        return 2
    with store:
        try:
            building, note = building_for(store, args.config, accept=args.accept_building)
        except ConfigError as exc:
            print(exc, file=sys.stderr)
            return 2
        except WrongBuilding as exc:
            print(wrong_building_message(exc), file=sys.stderr)
            return EXIT_WRONG_BUILDING
        except BuildingFileUnusable as exc:
            print(unusable_file_message(args.db, exc), file=sys.stderr)
            return EXIT_WRONG_BUILDING
        if note is not None and not args.quiet:
            print(note, file=sys.stderr)
        return _report(parser, args, store, building, today, now)


@dataclass(slots=True)
class ReportFigures:
    """Everything a report writes, as CSV rows (server/report/tables.py)."""

    days_with_data: int
    scopes: dict[str, list[dict[str, Any]]]  # "agency", "line", "counter", "officer"
    half_hours: list[dict[str, Any]]
    bookings: list[dict[str, Any]]  # bookings.csv: per line and day
    visits: list[dict[str, Any]] = field(default_factory=list)  # visits.csv: per visit
    # The hand-ons between agencies (from name, to name, count), most first; the median total
    # time in the building of the complete visits (seconds; None: none).
    handoffs: list[tuple[str, str, int]] = field(default_factory=list)
    visit_median_s: float | None = None
    # edits.csv: the building's live edits (issue 23), in the log's order.
    edits: list[dict[str, Any]] = field(default_factory=list)
    # closures.csv: counters closed in service hours, requested or not (issue 23).
    closures: list[dict[str, Any]] = field(default_factory=list)


def compile_report(
    store: StoreReader,
    building: Building,
    first: date,
    last: date,
    target_wait_min: float = DEFAULT_TARGET_WAIT_MIN,
    on_day: Callable[[str, dict[str, TicketRecord], dict[str, ItineraryRecord]], None]
    | None = None,
) -> ReportFigures:
    """The figures of the days `first` to `last` from the store's log, named by `building`.

    Reads one service day at a time and calls `on_day(day, tickets, visits)` after each (the
    journal, the progress bar); then the bookings of the range, whenever they were made.
    """
    tz = building.tz
    targets = targets_of(building, target_wait_min)
    days: list[dict[str, TicketRecord]] = []
    slots: list[dict[str, Any]] = []
    # The day logs' events a booking's story needs (a release, a check-in's failed print):
    # merged with the booking log below, by sequence number.
    day_entries: list[LogEntry] = []
    day_tickets: list[tuple[date, dict[str, TicketRecord]]] = []
    day_visits: list[tuple[dict[str, ItineraryRecord], dict[str, TicketRecord]]] = []
    visits_csv: list[dict[str, Any]] = []
    edits_csv: list[dict[str, Any]] = []
    closures_csv: list[dict[str, Any]] = []
    dropped = dropped_edits(store)
    # closures.csv judges each closure by the live building of its instant, as the server's
    # rule did: the file's plus the live edits (closure_stats). The edits through `history`
    # are history to the server too (a --take-file start dropped them): the file stands.
    history = int(store.meta(DROPPED_THROUGH) or 0)
    live: Building | None = None
    for day, entries in read_days(store, first, last):
        edits_csv += edit_rows(day, entries, tz, dropped)
        if live is None:  # the first day's start: the live edits logged before it
            earlier = (e for e in store.log(EDITED) if e.seq < entries[0].seq)
            live = with_edits(building, earlier, history)
        closures, live = day_closures(entries, live, history)
        closures_csv += closure_rows(closures, live)
        tickets = replay_tickets(entries)
        visits = replay_visits(entries, tickets)
        days.append(tickets)
        day_visits.append((visits, tickets))
        visits_csv += visit_rows(visits, tickets, tz)
        day_tickets.append((date.fromisoformat(day), tickets))
        day_entries += (e for e in entries if e.event["kind"] in _BOOKING_STORY)
        for (slot, line), n in half_hours(tickets, tz).items():
            agency = targets[line].agency if line in targets else ""
            slots.append({"day": day, "slot": slot, "line": line, "agency": agency, **n})
        if on_day is not None:
            on_day(day, tickets, visits)

    merged = {e.seq: e for e in (*store.booking_log(first, last), *day_entries)}
    booking_days = replay_bookings((merged[seq] for seq in sorted(merged)), first, last)
    for day, tickets in day_tickets:
        add_tickets(booking_days, day, tickets)
    add_places(booking_days, building, sorted({day for _line, day in booking_days}))

    names = {f"agency:{a.code}": a.name for a in building.agencies}
    names |= {f"counter:{c.id}": c.name for c in building.counters}
    names |= {f"counter-agency:{c.id}": c.agency for c in building.counters}
    names |= {f"officer:{o.id}": o.name for o in building.officers}
    names |= {f"officer-agency:{o.id}": o.agency for o in building.officers}
    groups = summarize(days, targets)
    agency_of = {line: t.agency for line, t in targets.items()}
    booking_totals = {
        "line": totals(booking_days),
        "agency": totals(booking_days, agency_of),
    }
    for scope, by_key in booking_totals.items():
        for key, b in by_key.items():
            if b.booked:  # a line whose every booking lapsed, with no ticket: a row too
                groups[scope].setdefault(key, GroupStats(scope, key))
    scopes = {
        scope: group_rows(groups[scope], targets, names, first, last, booking_totals.get(scope, {}))
        for scope in ("agency", "line", "counter", "officer")
    }
    agency_names = {a.code: a.short_name for a in building.agencies}
    agency_name_of = {line: agency_names.get(a, a) for line, a in agency_of.items()}
    return ReportFigures(
        len(days),
        scopes,
        slots,
        booking_rows(booking_days, targets),
        visits_csv,
        handoff_pairs((v for v, _t in day_visits), agency_name_of),
        median_total_s(day_visits),
        edits_csv,
        closures_csv,
    )


# The kinds of a day's log that a booking's story needs besides the booking log's own.
_BOOKING_STORY = frozenset(
    {"booking_places_released", "ticket_printed", "ticket_print_failed", "ticket_expired"}
)


def _report(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    store: StoreReader,
    building: Building,
    today: date | None,
    now: datetime | None = None,
) -> int:
    tz = building.tz
    now = now or datetime.now(tz)
    today = today or now.astimezone(tz).date()
    if args.day and (args.first or args.last):
        parser.error("--day cannot be combined with --from/--to")
    if args.day:
        first = last = args.day
    elif args.first or args.last:
        first = args.first or args.last
        last = args.last or args.first
    else:
        first = last = today
    if last < first:
        parser.error("--to is before --from")
    if args.target_wait_min <= 0:
        parser.error("--target-wait-min must be positive")
    if args.journal and not args.out:
        parser.error("--journal needs --out DIR")
    if args.skm and not args.out:
        parser.error("--skm needs --out DIR")
    if args.officers and not args.skm:
        parser.error("--officers goes with --skm")
    targets = targets_of(building, args.target_wait_min)
    out = Path(args.out) if args.out else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)

    n_days = (last - first).days + 1
    progress = task = None
    if n_days > _PROGRESS_AFTER_DAYS and not args.quiet:
        from rich.console import Console
        from rich.progress import Progress

        progress = Progress(console=Console(stderr=True), transient=True)
        task = progress.add_task("Membaca log peristiwa", total=n_days)
        progress.start()
    done_until = first - timedelta(days=1)
    visits: dict[str, VisitRecord] = {}  # the range's finished visits: the survey's population

    def on_day(
        day: str, tickets: dict[str, TicketRecord], day_visits: dict[str, ItineraryRecord]
    ) -> None:
        nonlocal done_until
        if args.skm:
            visits.update(finished_visits(tickets))
        if out is not None and args.journal:
            write_csv(
                out / f"journal-{day}.csv",
                JOURNAL_COLUMNS,
                journal_rows(tickets, targets, tz, day_visits),
            )
        if progress is not None and task is not None:
            d = date.fromisoformat(day)
            progress.update(task, advance=(d - done_until).days)
            done_until = d

    try:
        figures = compile_report(store, building, first, last, args.target_wait_min, on_day)
    except ReportError as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        if progress is not None:
            progress.stop()

    if out is not None:
        files = {
            "agency": "agencies",
            "line": "lines",
            "counter": "counters",
            "officer": "officers",
        }
        for scope, rows in figures.scopes.items():
            write_csv(out / f"{files[scope]}.csv", GROUP_COLUMNS, rows)
        write_csv(out / "halfhours.csv", HALF_HOUR_COLUMNS, figures.half_hours)
        write_csv(out / "bookings.csv", BOOKING_COLUMNS, figures.bookings)
        write_csv(out / "visits.csv", VISIT_COLUMNS, figures.visits)
        write_csv(out / "edits.csv", EDIT_COLUMNS, figures.edits)
        write_csv(out / "closures.csv", CLOSURE_COLUMNS, figures.closures)
    skm = None
    if args.skm and out is not None:
        skm = write_skm_report(
            store, building, first, last, visits, out, now=now, officers=args.officers
        )
    if not args.quiet:
        span = (
            first.isoformat() if first == last else f"{first.isoformat()} s.d. {last.isoformat()}"
        )
        print_summary(
            f"{building.name} — laporan {span} ({figures.days_with_data} hari berisi data)",
            figures.scopes,
            footer=f"Berkas CSV ditulis ke:\n  {out}/" if out is not None else None,
            visits=visit_summary(figures.visits, figures.visit_median_s, figures.handoffs),
        )
        edits = edit_summary(figures.edits)
        if edits is not None:
            print(edits)
        closures = closure_summary(figures.closures)
        if closures is not None:
            print(closures)
        if skm is not None:
            print(skm_summary(skm))
    return 0
