"""`antre report`'s summary in the terminal, in Indonesian: the tables an operator reads.

Per agency, line, counter and officer the counts and the times (server/report/tables.py's rows,
written as m:ss), and for the lines that take online bookings a table of their bookings and the
split between booked and walk-in tickets. On a wide terminal one table per scope; narrower, and
in a pipe or a file (80 columns), two that fit 80 columns. docs/reports.md describes it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from server.report.closure_stats import (
    APPROVED,
    BY_MANAGER,
    BY_OFFICER,
    REFUSED,
    UNDECIDED,
    WITHDRAWN,
)

__all__ = ["booking_lines", "closure_summary", "print_summary", "visit_summary"]


def _mmss(seconds: float | str | None) -> str:
    if seconds in (None, ""):
        return "–"
    s = round(float(seconds))  # type: ignore[arg-type]
    return f"{s // 60}:{s % 60:02d}"


def _pct(value: float | str) -> str:
    return "–" if value == "" else f"{value:.0f}%"


def _signed_mmss(seconds: float | str | None) -> str:
    """A call against its slot: "+4:10" after the slot's start, "-2:30" before it."""
    if seconds in (None, ""):
        return "–"
    s = round(float(seconds))  # type: ignore[arg-type]
    return ("-" if s < 0 else "+") + _mmss(abs(s))


# The one table per scope (15 columns) needs about this many terminal columns; on a narrower
# terminal, and when the summary goes into a pipe or a file (80 columns), each scope is printed
# as two tables that fit 80 columns: the counts with the names, then the times.
_WIDE_MIN_COLUMNS = 150
_HEADINGS = {
    "agency": "Per instansi",
    "line": "Per layanan",
    "counter": "Per loket",
    "officer": "Per petugas",
}
# A key the building file does not have (a line or counter removed since: docs/operations.md).
_NO_NAME = "(tidak ada di berkas gedung)"


def _counts(scope: str, r: Mapping[str, Any]) -> list[str]:
    """Issued, served, no-show, cancelled, transferred; "–" where the scope has no such count."""
    per_line = scope in ("line", "agency")
    return [
        str(r["issued"]) if per_line else "–",
        str(r["served"]),
        str(r["no_show"]),
        str(r["cancelled"]) if per_line else "–",
        str(r["transferred_out"]),
    ]


def _times(r: Mapping[str, Any]) -> list[str]:
    return [
        _mmss(r["wait_mean_s"]),
        _mmss(r["wait_median_s"]),
        _mmss(r["wait_p90_s"]),
        _mmss(r["wait_max_s"]),
        _pct(r["waits_within_target_pct"]),
        _mmss(r["service_mean_s"]),
        _mmss(r["service_p90_s"]),
        _pct(r["services_within_target_pct"]),
    ]


def print_summary(
    title: str,
    scopes: Mapping[str, list[dict[str, Any]]],
    out: TextIO | None = None,
    width: int | None = None,
    footer: str | None = None,
    visits: str | None = None,
) -> None:
    """A readable summary in Indonesian: per scope one wide table, or two that fit 80 columns.

    The width is the terminal's (or $COLUMNS); 80 when the output is not a terminal; `width`
    or, for `out`, 160 when given.
    """
    from rich.console import Console

    stream = out or sys.stdout
    console = Console(file=stream, width=width or (160 if out is not None else None))
    wide = console.width >= _WIDE_MIN_COLUMNS
    with console.capture() as captured:  # to drop the tables' trailing padding, below
        _print_tables(console, title, scopes, wide, footer, visits)
    # A table pads each line to its width: trailing blanks that a pipe or a file keeps.
    stream.write("".join(line.rstrip(" ") + "\n" for line in captured.get().splitlines()))
    stream.flush()


def _print_tables(
    console: Any,
    title: str,
    scopes: Mapping[str, list[dict[str, Any]]],
    wide: bool,
    footer: str | None,
    visits: str | None = None,
) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console.print(Text(title, style="bold"))

    def table(heading: str, columns: Sequence[str]) -> Table:
        t = Table(
            title=heading,
            title_justify="left",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            collapse_padding=True,
            expand=False,
        )
        for col in columns:
            if col == "Nama":
                t.add_column(col, overflow="fold", ratio=1, min_width=12)
            elif col == "Kode":
                t.add_column(col, overflow="fold")  # a long code wraps; figures never do
            else:
                t.add_column(col, justify="right", no_wrap=True)
        return t

    counts = ("Ambil", "Dilayani", "Tidak\nhadir", "Batal", "Dialihkan")
    times = ("Tunggu\nrata²", "\nmedian", "\np90", "\nmaks", "\n≤ target")
    times += ("Layanan\nrata²", "\np90", "\n≤ target")
    for scope, rows in scopes.items():
        if not rows:
            continue
        console.print()
        heading = _HEADINGS[scope]
        names = [str(r["name"]) or _NO_NAME for r in rows]
        if wide:
            t = table(heading, ("Kode", "Nama", *counts, *times))
            for r, name in zip(rows, names, strict=True):
                t.add_row(r["key"], name, *_counts(scope, r), *_times(r))
            console.print(t)
            continue
        t = table(f"{heading}: jumlah tiket", ("Kode", "Nama", *counts))
        for r, name in zip(rows, names, strict=True):
            t.add_row(r["key"], name, *_counts(scope, r))
        console.print(t)
        console.print()
        t = table(f"{heading}: waktu (menit:detik)", ("Kode", *times))
        for r in rows:
            t.add_row(r["key"], *_times(r))
        console.print(t)
    _print_bookings(console, table, scopes.get("line", []), wide)
    if visits is not None:
        console.print()
        console.print(Text(visits))
    if footer is not None:
        console.print()
        console.print(Text(footer))


# The booking table's columns: the bookings of the lines, then their tickets and calls.
_BOOKING_COUNTS = (
    "Kuota",
    "Dipesan",
    "Lapor\nhadir",
    "Hangus",
    "Batal",
    "Ubah\njadwal",
    "Dilepas",
)
_BOOKING_TICKETS = ("Tiket\npesanan", "Tiket\nlangsung", "%\npesanan", "Dipanggil−jadwal\nmedian")
_BOOKING_TICKETS += ("\np90",)
_BOOKING_NOTE = (
    "Dilepas: tempat pesanan tak terpakai yang diberikan ke kuota datang langsung. "
    "Dipanggil−jadwal: panggilan pertama tiket pesanan dikurangi awal jadwalnya "
    "(menit:detik; - berarti sebelum jadwal)."
)


def booking_lines(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The line rows the booking table shows: lines that offered places or had bookings."""
    return [
        r
        for r in rows
        if r["places_offered"] != "" or r["booked"] or r["tickets_booked"]  # "" or 0: none
    ]


def _booking_counts(r: Mapping[str, Any]) -> list[str]:
    keys = ("places_offered", "booked", "booking_checked_in", "booking_lapsed")
    keys += ("booking_cancelled", "booking_rescheduled", "places_released")
    return ["–" if r[k] == "" else str(r[k]) for k in keys]


def _booking_tickets(r: Mapping[str, Any]) -> list[str]:
    return [
        str(r["tickets_booked"]),
        str(r["tickets_walk_in"]),
        _pct(r["booked_pct"]),
        _signed_mmss(r["call_vs_slot_median_s"]),
        _signed_mmss(r["call_vs_slot_p90_s"]),
    ]


def _print_bookings(console: Any, table: Any, line_rows: Sequence[Mapping[str, Any]], wide: bool):
    """The lines' online bookings, and the whole building's split of tickets (when any line
    takes bookings or any ticket came from one)."""
    from rich.text import Text

    rows = booking_lines(line_rows)
    if not rows:
        return
    heading = "Pesanan online per layanan"
    console.print()
    if wide:
        t = table(heading, ("Kode", "Nama", *_BOOKING_COUNTS, *_BOOKING_TICKETS))
        for r in rows:
            name = str(r["name"]) or _NO_NAME
            t.add_row(r["key"], name, *_booking_counts(r), *_booking_tickets(r))
        console.print(t)
    else:
        t = table(f"{heading}: pesanan", ("Kode", "Nama", *_BOOKING_COUNTS))
        for r in rows:
            t.add_row(r["key"], str(r["name"]) or _NO_NAME, *_booking_counts(r))
        console.print(t)
        console.print()
        t = table(f"{heading}: tiket dan panggilan", ("Kode", *_BOOKING_TICKETS))
        for r in rows:
            t.add_row(r["key"], *_booking_tickets(r))
        console.print(t)
    booked = sum(int(r["tickets_booked"] or 0) for r in line_rows)
    walk_in = sum(int(r["tickets_walk_in"] or 0) for r in line_rows)
    share = f"; {booked / (booked + walk_in) * 100:.0f}% dari pesanan" if booked + walk_in else ""
    console.print()
    console.print(
        Text(
            f"Seluruh gedung: {booked} tiket dari pesanan online dan {walk_in} tiket datang "
            f"langsung{share}."
        )
    )
    console.print(Text(_BOOKING_NOTE))


# How many of the commonest hand-off pairs the visits' line names.
_TOP_PAIRS = 3


def visit_summary(
    rows: Sequence[Mapping[str, Any]],
    median_total_s: float | None,
    handoffs: Sequence[tuple[str, str, int]],
) -> str | None:
    """The line about visits with several stops (visits.csv's rows); None when there were none.

    "Kunjungan beberapa layanan: 3 (2 selesai), waktu di gedung median 52:00. Perpindahan
    terbanyak: Dukcapil → BPJS Kesehatan 2, Dukcapil → Dukcapil 1."
    """
    if not rows:
        return None
    complete = sum(1 for r in rows if r["total_min"] != "")
    text = f"Kunjungan beberapa layanan: {len(rows)} ({complete} selesai)"
    if median_total_s is not None:
        text += f", waktu di gedung median {_mmss(median_total_s)} (menit:detik)"
    text += "."
    if handoffs:
        pairs = ", ".join(f"{a} → {b} {n}" for a, b, n in handoffs[:_TOP_PAIRS])
        text += f" Perpindahan terbanyak: {pairs}."
    return text


def closure_summary(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """The line about counters closed in service hours (closures.csv's rows); None when none.

    "Tutup loket pada jam layanan: 3 (disetujui 1, ditolak 1, ditarik 0, tidak diputuskan 0,
    tanpa pengajuan 1)." — a closure without a request is a manager's or an officer's own.
    """
    if not rows:
        return None
    outcomes = [r["outcome"] for r in rows]
    counts = ", ".join(
        f"{word} {outcomes.count(word)}" for word in (APPROVED, REFUSED, WITHDRAWN, UNDECIDED)
    )
    without = sum(1 for o in outcomes if o in (BY_MANAGER, BY_OFFICER))
    return f"Tutup loket pada jam layanan: {len(rows)} ({counts}, tanpa pengajuan {without})"
