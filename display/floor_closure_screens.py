"""The dashboard's "Permintaan tutup loket" screen (issue 23, key `p`): the counters whose
officer asks to close, and the manager's answer. Drawing and the manager's actions only: what
each request means for the lines is display/floor_closures.py's.

Each request shows its counter, agency, officer, reason and how long ago it was asked, and for
every line the counter serves the citizens waiting and the other counters open for it; a line
with people waiting and no other open counter is named in the warning below the table (red).
`s` approves after a confirmation that repeats that warning; `x` refuses and asks the note the
officer will read (required). The server logs both as `manager:<id>`.
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

from display.floor_closures import ClosureRow, ago_words
from display.floor_model import FloorModel
from display.floor_screens import ConfirmScreen, fill_table
from server.protocol import format_clock

__all__ = ["CLOSURES_TITLE", "ClosureScreen"]

CLOSURES_TITLE = "Permintaan tutup loket"
NONE_WORDS = "Tidak ada permintaan tutup loket."
ALL_COVERED = (
    "Setiap layanan loket ini masih punya loket lain yang buka, atau tidak ada warga yang menunggu."
)


class ClosureScreen(Screen[None]):
    """The pending (then approved, still finishing) closure requests; approve or refuse."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Kembali"),
        Binding("s", "approve", "Setujui"),
        Binding("x", "refuse", "Tolak"),
    ]

    def __init__(
        self, model: FloorModel, now: Callable[[], datetime], counter: str | None = None
    ) -> None:
        super().__init__()
        self.model = model  # shared with the app: frames keep arriving while this is shown
        self.now = now
        self.first = counter  # the counter of the alert the manager came from, if any

    def compose(self) -> ComposeResult:
        yield Static(CLOSURES_TITLE, id="closure-title")
        yield DataTable(id="closures", cursor_type="row", zebra_stripes=True)
        yield Static("", id="closure-warning")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#closures", DataTable)
        table.add_columns("Loket", "Instansi", "Petugas", "Alasan", "Diajukan", "Status", "Layanan")
        self.refresh_view()
        if self.first is not None and self.first in table.rows:
            table.move_cursor(row=table.get_row_index(self.first))
            self._draw_warning()
        self.set_interval(1.0, self.refresh_view)

    def refresh_view(self) -> None:
        table = next(self.query("#closures").results(DataTable), None)
        if table is None:  # a frame came before the screen was composed: on_mount draws it
            return
        now = self.now()
        rows = self.model.closure_rows(now)
        drawn = []
        for r in rows:
            q = r.request
            asked = (
                f"{format_clock(q.requested_at.astimezone(self.model.tz))} ({ago_words(r.ago_s)})"
            )
            if q.approved:
                status = f"disetujui oleh {escape(q.by_name or q.by or '–')}"
            else:
                status = "[b]menunggu[/b]"
            lines = "; ".join(
                f"[b red]{escape(ln.words())}[/]" if ln.left_alone else escape(ln.words())
                for ln in r.lines
            )
            drawn.append(
                (
                    q.counter,
                    [escape(r.counter_name), escape(r.agency), escape(r.officer_words),
                     escape(q.reason), asked, status, lines or "–"],
                )
            )  # fmt: skip
        fill_table(table, drawn)
        self._draw_warning(rows)

    def _draw_warning(self, rows: list[ClosureRow] | None = None) -> None:
        """Below the table: the selected request's warning, or that no line is left alone."""
        warning = self.query_one("#closure-warning", Static)
        row = self._selected(rows)
        if row is None:
            warning.update(NONE_WORDS)
        elif (text := row.warning()) is not None:
            warning.update(f"[b red]Peringatan: {escape(text)}[/]")
        else:
            warning.update(ALL_COVERED)

    def on_data_table_row_highlighted(self) -> None:
        self._draw_warning()

    def _selected(self, rows: list[ClosureRow] | None = None) -> ClosureRow | None:
        table = self.query_one("#closures", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        rows = self.model.closure_rows(self.now()) if rows is None else rows
        return next((r for r in rows if r.request.counter == key), None)

    def _pending(self) -> ClosureRow | None:
        """The selected request if it still awaits a decision; else say why not."""
        row = self._selected()
        if row is None:
            self.notify(NONE_WORDS, markup=False)
            return None
        if row.request.approved:
            self.notify(
                f"Penutupan {row.counter_name} sudah disetujui: loket ditutup setelah "
                "layanan yang sedang berjalan selesai.",
                severity="warning",
                markup=False,
            )
            return None
        return row

    def action_approve(self) -> None:
        row = self._pending()
        if row is None:
            return
        q = row.request
        question = f"Setujui penutupan {row.counter_name} ({row.officer_words}: {q.reason})?"
        if (text := row.warning()) is not None:
            question += f" Peringatan: {text}"
        counter, name = q.counter, row.counter_name

        def confirmed(answer: str | None) -> None:
            if answer is not None:
                self.app.send_action(  # type: ignore[attr-defined]
                    "decide_closure",
                    f"Penutupan {name} disetujui",
                    counter=counter,
                    approve=True,
                )

        self.app.push_screen(ConfirmScreen(question), confirmed)

    def action_refuse(self) -> None:
        row = self._pending()
        if row is None:
            return
        q = row.request
        counter, name = q.counter, row.counter_name

        def confirmed(note: str | None) -> None:
            if note is not None:
                self.app.send_action(  # type: ignore[attr-defined]
                    "decide_closure",
                    f"Permintaan tutup {name} ditolak",
                    counter=counter,
                    approve=False,
                    note=note,
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Tolak permintaan tutup {name} ({row.officer_words}: {q.reason})? Tuliskan "
                "alasan penolakan: petugas membacanya di konsol loket.",
                "",
            ),
            confirmed,
        )
