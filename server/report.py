"""`antre report`: the day's (or a range's) figures and the ticket journal, from the event log.

The figures are computed by `server.report_stats` (pure); this module is the thin edge around
it: it opens the SQLite store READ-ONLY (`file:…?mode=ro`), so a report can run next to a live
server without ever taking its write lock, reads one service day at a time, and writes CSV files
and a readable summary in Indonesian. docs/reports.md documents every CSV column.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from server.report_stats import (
    GroupStats,
    LineTargets,
    LogEntry,
    TicketRecord,
    half_hours,
    replay_tickets,
    summarize,
)

__all__ = [
    "DEFAULT_TARGET_WAIT_MIN",
    "GROUP_COLUMNS",
    "HALF_HOUR_COLUMNS",
    "JOURNAL_COLUMNS",
    "ReportError",
    "build_parser",
    "group_rows",
    "journal_rows",
    "read_days",
    "report_main",
    "targets_of",
]

# The wait a line is measured against when the building file gives none: the tax-office standard
# quoted in DOMAIN.md is 10 minutes for a counter visit; MPP lines wait longer, and 30 minutes is
# the figure the floor dashboard uses too. `--target-wait-min` overrides it.
DEFAULT_TARGET_WAIT_MIN = 30.0

# A range longer than this shows a progress bar (each day is one read and one replay).
_PROGRESS_AFTER_DAYS = 7

GROUP_COLUMNS = (
    "scope",
    "key",
    "name",
    "agency",
    "from",
    "to",
    "issued",
    "print_failed",
    "called",
    "recalls",
    "served",
    "no_show",
    "cancelled",
    "expired",
    "transferred_out",
    "transferred_in",
    "waits",
    "wait_mean_s",
    "wait_median_s",
    "wait_p90_s",
    "wait_max_s",
    "target_wait_s",
    "waits_within_target_pct",
    "services",
    "service_mean_s",
    "service_median_s",
    "service_p90_s",
    "service_max_s",
    "target_service_s",
    "services_within_target_pct",
)
HALF_HOUR_COLUMNS = ("day", "slot", "line", "agency", "arrivals", "calls")
JOURNAL_COLUMNS = (
    "day",
    "ticket",
    "number",
    "line_issued",
    "line",
    "agency",
    "priority",
    "kiosk",
    "state",
    "issued_at",
    "printed_at",
    "print_failed_at",
    "print_failed_reason",
    "reprints",
    "first_called_at",
    "calls",
    "call_log",
    "started_at",
    "finished_at",
    "counter",
    "officer",
    "no_show_at",
    "reactivated",
    "transfers",
    "cancelled_at",
    "cancel_reason",
    "cancelled_by",
    "expired_at",
    "expired_reason",
    "wait_s",
    "service_s",
)


class ReportError(Exception):
    """The report cannot be made as asked (no such file, not an Antre store, bad dates)."""


# --------------------------------------------------------------------------------------------
# Reading the log
# --------------------------------------------------------------------------------------------


def _connect_read_only(db: str | Path) -> sqlite3.Connection:
    path = Path(db)
    if not path.is_file():
        raise ReportError(f"{db}: tidak ada berkas basis data")
    # mode=ro: never the writer's lock, never a stray write, whatever a bug here would do. Under
    # WAL a reader sees the last committed state while the server keeps writing.
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        conn.execute("SELECT 1 FROM events LIMIT 1")
    except sqlite3.Error as exc:
        raise ReportError(f"{db}: bukan basis data Antre ({exc})") from None
    return conn


def read_days(db: str | Path, first: date, last: date) -> Iterator[tuple[str, list[LogEntry]]]:
    """(service day, its log entries in sequence order) for each day in range that has events."""
    conn = _connect_read_only(db)
    try:
        days = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT service_day FROM events WHERE service_day BETWEEN ? AND ? "
                "ORDER BY service_day",
                (first.isoformat(), last.isoformat()),
            )
        ]
        for day in days:
            rows = conn.execute(
                "SELECT seq, actor, payload FROM events WHERE service_day = ? ORDER BY seq",
                (day,),
            )
            yield day, [LogEntry(seq, actor, json.loads(payload)) for seq, actor, payload in rows]
    finally:
        conn.close()


def targets_of(building: Any, target_wait_min: float) -> dict[str, LineTargets]:
    """Each line's agency, name and targets, from a `Building`."""
    return {
        ln.prefix: LineTargets(
            agency=ln.agency,
            name=ln.name,
            target_service_s=ln.target_service_min * 60.0,
            target_wait_s=target_wait_min * 60.0,
        )
        for ln in building.lines
    }


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


def _r(value: float | None, digits: int = 1) -> float | str:
    return "" if value is None else round(value, digits)


def group_rows(
    groups: Mapping[str, GroupStats],
    targets: Mapping[str, LineTargets],
    names: Mapping[str, str],
    first: date,
    last: date,
) -> list[dict[str, Any]]:
    """CSV rows (GROUP_COLUMNS) of one scope, sorted by key."""
    rows = []
    for key in sorted(groups):
        g = groups[key]
        line = targets.get(key) if g.scope == "line" else None
        waits, services = g.stats("waits"), g.stats("services")
        share_w, share_s = g.share("waits"), g.share("services")
        rows.append(
            {
                "scope": g.scope,
                "key": key,
                "name": names.get(f"{g.scope}:{key}", line.name if line else ""),
                "agency": line.agency if line else names.get(f"{g.scope}-agency:{key}", ""),
                "from": first.isoformat(),
                "to": last.isoformat(),
                "issued": g.issued,
                "print_failed": g.print_failed,
                "called": g.called,
                "recalls": g.recalls,
                "served": g.served,
                "no_show": g.no_show,
                "cancelled": g.cancelled,
                "expired": g.expired,
                "transferred_out": g.transferred_out,
                "transferred_in": g.transferred_in,
                "waits": len(g.waits),
                "wait_mean_s": _r(waits["mean"]),
                "wait_median_s": _r(waits["median"]),
                "wait_p90_s": _r(waits["p90"]),
                "wait_max_s": _r(waits["max"]),
                "target_wait_s": _r(line.target_wait_s) if line else "",
                "waits_within_target_pct": _r(None if share_w is None else share_w * 100),
                "services": len(g.services),
                "service_mean_s": _r(services["mean"]),
                "service_median_s": _r(services["median"]),
                "service_p90_s": _r(services["p90"]),
                "service_max_s": _r(services["max"]),
                "target_service_s": _r(line.target_service_s) if line else "",
                "services_within_target_pct": _r(None if share_s is None else share_s * 100),
            }
        )
    return rows


def _ts(value: datetime | None, tz: tzinfo) -> str:
    return value.astimezone(tz).isoformat() if value is not None else ""


def _hms(value: datetime, tz: tzinfo) -> str:
    return value.astimezone(tz).strftime("%H:%M:%S")


def journal_rows(
    tickets: Mapping[str, TicketRecord], targets: Mapping[str, LineTargets], tz: tzinfo
) -> list[dict[str, Any]]:
    """The audit trail of one day: a row per ticket, every instant, the reason of each call."""
    rows = []
    for t in tickets.values():
        calls = "; ".join(
            f"{_hms(c.at, tz)} {c.counter} {c.officer or '-'} {c.reason}"
            + (f" ({c.note})" if c.note else "")
            for c in t.calls
        )
        transfers = "; ".join(
            f"{_hms(at, tz)} {src}>{dst} {counter}" for at, src, dst, counter in t.transfers
        )
        reactivated = "; ".join(f"{_hms(at, tz)} {actor}" for at, actor in t.reactivated)
        first_call = next((c.at for c in t.calls if c.reason != "recall"), None)
        rows.append(
            {
                "day": t.day,
                "ticket": t.id,
                "number": t.number,
                "line_issued": t.first_line,
                "line": t.line,
                "agency": targets[t.line].agency if t.line in targets else "",
                "priority": t.priority or "",
                "kiosk": t.kiosk or "",
                "state": t.state,
                "issued_at": _ts(t.issued_at, tz),
                "printed_at": _ts(t.printed_at, tz),
                "print_failed_at": _ts(t.print_failed_at, tz),
                "print_failed_reason": t.print_failed_reason or "",
                "reprints": "; ".join(f"{_hms(at, tz)} {kiosk}" for at, kiosk in t.reprints),
                "first_called_at": _ts(first_call, tz),
                "calls": len(t.calls),
                "call_log": calls,
                "started_at": _ts(t.services[-1].start if t.services else t.started_at, tz),
                "finished_at": _ts(t.finished_at, tz),
                "counter": t.counter or "",
                "officer": t.officer or "",
                "no_show_at": "; ".join(_ts(at, tz) for at in t.no_show_at),
                "reactivated": reactivated,
                "transfers": transfers,
                "cancelled_at": _ts(t.cancelled_at, tz),
                "cancel_reason": t.cancel_reason or "",
                "cancelled_by": t.cancelled_by or "",
                "expired_at": _ts(t.expired_at, tz),
                "expired_reason": t.expired_reason or "",
                "wait_s": _r(sum(p.seconds for p in t.waits)) if t.waits else "",
                "service_s": _r(sum(p.seconds for p in t.services)) if t.services else "",
            }
        )
    return rows


def _write_csv(path: Path, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    # utf-8-sig: a spreadsheet on the office PC opens it with the right characters.
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)


# --------------------------------------------------------------------------------------------
# The terminal summary
# --------------------------------------------------------------------------------------------


def _mmss(seconds: float | str | None) -> str:
    if seconds in (None, ""):
        return "–"
    s = round(float(seconds))  # type: ignore[arg-type]
    return f"{s // 60}:{s % 60:02d}"


def _pct(value: float | str) -> str:
    return "–" if value == "" else f"{value:.0f}%"


def print_summary(
    title: str, scopes: Mapping[str, list[dict[str, Any]]], out: TextIO | None = None
) -> None:
    """A readable summary in Indonesian: one table per scope."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out or sys.stdout, width=160 if out is not None else None)
    console.print(f"[b]{title}[/b]")
    headings = {
        "agency": "Per instansi",
        "line": "Per layanan",
        "counter": "Per loket",
        "officer": "Per petugas",
    }
    for scope, rows in scopes.items():
        if not rows:
            continue
        table = Table(title=headings[scope], title_justify="left")
        for col in (
            "Kode",
            "Nama",
            "Ambil",
            "Dilayani",
            "Tidak hadir",
            "Batal",
            "Dialihkan",
            "Tunggu rata²",
            "median",
            "p90",
            "maks",
            "≤ target",
            "Layanan rata²",
            "p90",
            "≤ target",
        ):
            table.add_column(col, justify="left" if col in ("Kode", "Nama") else "right")
        for r in rows:
            table.add_row(
                r["key"],
                str(r["name"])[:32],
                str(r["issued"]) if scope in ("line", "agency") else "–",
                str(r["served"]),
                str(r["no_show"]),
                str(r["cancelled"]) if scope in ("line", "agency") else "–",
                str(r["transferred_out"]),
                _mmss(r["wait_mean_s"]),
                _mmss(r["wait_median_s"]),
                _mmss(r["wait_p90_s"]),
                _mmss(r["wait_max_s"]),
                _pct(r["waits_within_target_pct"]),
                _mmss(r["service_mean_s"]),
                _mmss(r["service_p90_s"]),
                _pct(r["services_within_target_pct"]),
            )
        console.print(table)


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
    parser.add_argument("--config", help="building TOML file (default: the demo building)")
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
    parser.add_argument("--quiet", action="store_true", help="no summary in the terminal")
    return parser


def report_main(argv: Sequence[str] | None = None, *, today: date | None = None) -> int:
    """`antre report …`: 0 on success, 2 on a usage or input problem."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from server.config import ConfigError, demo_building_path, load_building

    try:
        building = load_building(Path(args.config) if args.config else demo_building_path())
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    tz = building.tz
    if args.day and (args.first or args.last):
        parser.error("--day cannot be combined with --from/--to")
    if args.day:
        first = last = args.day
    elif args.first or args.last:
        first = args.first or args.last
        last = args.last or args.first
    else:
        first = last = today or datetime.now(tz).date()
    if last < first:
        parser.error("--to is before --from")
    if args.target_wait_min <= 0:
        parser.error("--target-wait-min must be positive")
    if args.journal and not args.out:
        parser.error("--journal needs --out DIR")
    targets = targets_of(building, args.target_wait_min)
    out = Path(args.out) if args.out else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)

    days: list[dict[str, TicketRecord]] = []
    slots: list[dict[str, Any]] = []
    try:
        n_days = (last - first).days + 1
        if n_days > _PROGRESS_AFTER_DAYS and not args.quiet:
            from rich.console import Console
            from rich.progress import Progress

            progress = Progress(console=Console(stderr=True), transient=True)
            task = progress.add_task("Membaca log peristiwa", total=n_days)
            progress.start()
        else:
            progress = None
        try:
            done_until = first - timedelta(days=1)
            for day, entries in read_days(args.db, first, last):
                tickets = replay_tickets(entries)
                days.append(tickets)
                for (slot, line), n in half_hours(tickets, tz).items():
                    agency = targets[line].agency if line in targets else ""
                    slots.append({"day": day, "slot": slot, "line": line, "agency": agency, **n})
                if out is not None and args.journal:
                    _write_csv(
                        out / f"journal-{day}.csv",
                        JOURNAL_COLUMNS,
                        journal_rows(tickets, targets, tz),
                    )
                if progress is not None:
                    d = date.fromisoformat(day)
                    progress.update(task, advance=(d - done_until).days)
                    done_until = d
        finally:
            if progress is not None:
                progress.stop()
    except ReportError as exc:
        print(exc, file=sys.stderr)
        return 2

    names = {f"agency:{a.code}": a.name for a in building.agencies}
    names |= {f"counter:{c.id}": c.name for c in building.counters}
    names |= {f"counter-agency:{c.id}": c.agency for c in building.counters}
    names |= {f"officer:{o.id}": o.name for o in building.officers}
    names |= {f"officer-agency:{o.id}": o.agency for o in building.officers}
    groups = summarize(days, targets)
    scopes = {
        scope: group_rows(groups[scope], targets, names, first, last)
        for scope in ("agency", "line", "counter", "officer")
    }
    if out is not None:
        files = {
            "agency": "agencies",
            "line": "lines",
            "counter": "counters",
            "officer": "officers",
        }
        for scope, rows in scopes.items():
            _write_csv(out / f"{files[scope]}.csv", GROUP_COLUMNS, rows)
        _write_csv(out / "halfhours.csv", HALF_HOUR_COLUMNS, slots)
    if not args.quiet:
        span = (
            first.isoformat() if first == last else f"{first.isoformat()} s.d. {last.isoformat()}"
        )
        print_summary(f"{building.name} — laporan {span} ({len(days)} hari berisi data)", scopes)
        if out is not None:
            print(f"Berkas CSV ditulis ke {out}/")
    return 0
