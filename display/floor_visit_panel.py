"""The dashboard's panel "Kunjungan beberapa layanan" (issue 22). Drawing only: the figures are
display/floor_visits.py's.

First the day's figures — how many visits, finished, in progress, ended; the finished visits'
total time in the building (median, p90); the commonest hand-offs between agencies — then each
visit with its stops in order ("B-002 selesai → J-003 menunggu"), its status and its time
(finished: in the building; in progress: so far). Hidden while the day has no visit.
"""

from __future__ import annotations

from datetime import datetime

from rich.markup import escape
from textual.widgets import DataTable

from display.floor_model import FloorModel
from display.floor_screens import fill_table, mmss
from display.floor_visits import STOP_WORDS

__all__ = ["VISITS_TITLE", "draw_visits", "mount_visits", "visits_table"]

VISITS_TITLE = "Kunjungan beberapa layanan"
_STATUS = {"finished": "selesai", "in_progress": "berjalan", "ended": "berakhir"}
_TOP_PAIRS = 3


def visits_table() -> DataTable:
    return DataTable(id="visits", cursor_type="row", zebra_stripes=True)


def mount_visits(table: DataTable) -> None:
    table.add_columns("Kunjungan", "Langkah", "Status", "Waktu")
    table.border_title = VISITS_TITLE
    table.display = False


def draw_visits(table: DataTable, model: FloorModel, now: datetime) -> None:
    f = model.visit_figures(now)
    table.display = f.started > 0
    rows: list[tuple[str, list[str]]] = [
        (
            "visits:count",
            [
                "[b]Hari ini[/b]",
                f"{f.started} kunjungan: {f.finished} selesai, {f.in_progress} berjalan, "
                f"{f.ended} berakhir",
                "",
                "",
            ],
        ),
        (
            "visits:time",
            [
                "[b]Di gedung[/b]",
                f"yang selesai: median {mmss(f.total_median_s)}, p90 {mmss(f.total_p90_s)}",
                "",
                "",
            ],
        ),
    ]
    for i, (a, b, n) in enumerate(f.pairs[:_TOP_PAIRS]):
        rows.append((f"pair:{i}", ["[b]Pindah[/b]", escape(f"{a} → {b}"), "", str(n)]))
    for r in model.visit_rows(now):
        route = " → ".join(
            f"{number or line} {STOP_WORDS.get(state, state)}" for line, state, number in r.stops
        )
        rows.append((f"visit:{r.id}", [r.label, escape(route), _STATUS[r.status], mmss(r.seconds)]))
    fill_table(table, rows)
