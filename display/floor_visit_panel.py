"""The dashboard's panel "Kunjungan beberapa layanan" (issue 22), and one visit's screen. Drawing
and the manager's action only: the figures are display/floor_visits.py's.

First the day's figures — how many visits, finished, in progress, ended; the finished visits'
total time in the building (median, p90); the commonest hand-offs between agencies — then each
visit with its stops in order ("B-002 selesai → J-003 menunggu"), its status and its time
(finished: in the building; in progress: so far). Hidden while the day has no visit.

Enter on a visit opens `VisitScreen`: its stops, and `l` to skip one (a stop still to come, or
the current one while its ticket waits or is a no-show: the server then hands the citizen on at
once), with a reason, after confirmation; the server logs it as `manager:<id>`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from display.floor_model import FloorModel
from display.floor_screens import ConfirmScreen, fill_table, mmss
from display.floor_visits import STOP_WORDS, VisitRow, skippable

__all__ = ["VISITS_TITLE", "VisitScreen", "draw_visits", "mount_visits", "visits_table"]

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


class VisitScreen(Screen[None]):
    """One visit's stops in order, with the skip action."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Kembali"),
        Binding("l", "skip_stop", "Lewati langkah"),
    ]

    def __init__(self, model: FloorModel, visit: str, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.model = model  # shared with the app: frames keep arriving while this is shown
        self.visit = visit
        self.now = now

    def compose(self) -> ComposeResult:
        yield Static(f"Kunjungan {self.visit.rsplit('/', 1)[-1]}", id="visit-title")
        yield DataTable(id="visit-stops", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#visit-stops", DataTable).add_columns(
            "Langkah", "Layanan", "Instansi", "Nomor", "Status"
        )
        self.refresh_view()
        self.set_interval(1.0, self.refresh_view)

    def _row(self) -> VisitRow | None:
        return next((r for r in self.model.visit_rows(self.now()) if r.id == self.visit), None)

    def _names(self, line: str) -> tuple[str, str]:
        """A line's name and its agency's short name."""
        ln = next((d for d in self.model.line_defs() if d["prefix"] == line), {})
        agency = ln.get("agency", "")
        return ln.get("name", line), self.model.agency_names().get(agency, agency)

    def refresh_view(self) -> None:
        row = self._row()
        rows = []
        for i, (line, state, number) in enumerate(row.stops if row else ()):
            name, agency = self._names(line)
            rows.append(
                (
                    str(i),
                    [str(i + 1), escape(f"{line} {name}"), escape(agency), number or "–",
                     STOP_WORDS.get(state, state)],
                )
            )  # fmt: skip
        fill_table(self.query_one("#visit-stops", DataTable), rows)

    def action_skip_stop(self) -> None:
        table = self.query_one("#visit-stops", DataTable)
        row = self._row()
        if row is None or not table.row_count:
            return
        index = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or 0)
        line = row.stops[index][0]
        name, agency = self._names(line)
        if not skippable(row, index):
            self.notify(
                "Yang dapat dilewati hanya langkah yang belum tiba gilirannya, atau langkah "
                "sekarang selama nomornya menunggu atau tidak hadir.",
                severity="warning",
                markup=False,
            )
            return

        def confirmed(reason: str | None) -> None:
            if reason is not None:
                self.app.send_action(  # type: ignore[attr-defined]
                    "skip_stop",
                    f"{name} dilewati dalam kunjungan {row.label}",
                    visit=row.id,
                    line=line,
                    reason=reason,
                )

        self.app.push_screen(
            ConfirmScreen(f"Lewati {name} ({agency}) dalam kunjungan {row.label}?", ""),
            confirmed,
        )
