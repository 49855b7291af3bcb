"""The dashboard's second screens: one line's waiting list, and the confirmation of an action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Static

from display.floor_model import FloorModel

__all__ = ["ConfirmScreen", "WaitingScreen", "fill_table", "mmss"]

PRIORITY_LABELS = {
    "lansia": "lansia",
    "disabilitas": "disabilitas",
    "ibu_hamil": "ibu hamil/menyusui",
    "balita": "membawa balita",
}


def mmss(seconds: float | None) -> str:
    """12:05 for 725 s; a dash when there is no figure."""
    if seconds is None:
        return "–"
    s = int(seconds)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def fill_table(table: DataTable, rows: list[tuple[str, list[str]]]) -> None:
    """Replace a table's rows, keeping the cursor where it was."""
    row = table.cursor_row
    table.clear()
    for key, cells in rows:
        # Markup becomes styled Text: the table shows the colours, tests read `.plain`.
        table.add_row(*(Text.from_markup(c) for c in cells), key=key)
    if table.row_count:
        table.move_cursor(row=min(row, table.row_count - 1))


class ConfirmScreen(ModalScreen[str | None]):
    """Ask before acting; returns the reason typed (or "" when none is asked), None to cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "Batal")]

    def __init__(self, question: str, reason: str | None = None) -> None:
        super().__init__()
        self.question = question  # what will happen, in words the manager checks before "Ya"
        self.reason = reason  # a prefilled reason to edit, or None when the action takes none

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            # The question repeats typed texts (a reason, a note, names): shown, never markup.
            yield Label(self.question, id="question", markup=False)
            if self.reason is not None:
                yield Input(self.reason, id="reason", placeholder="Alasan")
            with Horizontal(id="buttons"):
                yield Button("Ya", variant="error", id="yes")
                yield Button("Batal", id="no")

    @on(Button.Pressed, "#yes")
    def yes(self) -> None:
        if self.reason is None:
            self.dismiss("")
            return
        text = self.query_one("#reason", Input).value.strip()
        if text:
            self.dismiss(text)
        else:
            self.notify("Alasan wajib diisi.", severity="warning", markup=False)

    @on(Button.Pressed, "#no")
    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class WaitingScreen(Screen[None]):
    """One line's waiting list: numbers, priority, waited so far; cancel or reactivate."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Kembali"),
        Binding("b", "cancel_ticket", "Batalkan nomor"),
        Binding("a", "reactivate", "Aktifkan kembali"),
    ]

    def __init__(self, model: FloorModel, prefix: str, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.model = model  # shared with the app: frames keep arriving while this is shown
        self.prefix = prefix
        self.now = now

    def compose(self) -> ComposeResult:
        name = next(
            (ln["name"] for ln in self.model.line_defs() if ln["prefix"] == self.prefix), ""
        )
        yield Static(f"Daftar tunggu layanan {self.prefix} — {name}", id="waiting-title")
        yield DataTable(id="waiting", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#waiting", DataTable)
        table.add_columns("No.", "Nomor", "Prioritas", "Menunggu", "Status")
        self.refresh_view()
        self.set_interval(1.0, self.refresh_view)

    def refresh_view(self) -> None:
        table = self.query_one("#waiting", DataTable)
        row = table.cursor_row
        table.clear()
        for i, w in enumerate(self.model.waiting_list(self.prefix, self.now()), 1):
            table.add_row(
                str(i),
                w.number,
                PRIORITY_LABELS.get(w.priority or "", "–"),
                mmss(w.waited_s),
                "menunggu" if w.state == "waiting" else "tidak hadir",
                key=w.id,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def _selected(self) -> tuple[str, str, str] | None:
        table = self.query_one("#waiting", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        row = table.get_row(key)
        return key, str(row[1]), str(row[4])

    def action_cancel_ticket(self) -> None:
        picked = self._selected()
        if picked is not None:
            self.app.run_action_on_ticket("cancel_ticket", picked[0], picked[1])  # type: ignore[attr-defined]

    def action_reactivate(self) -> None:
        picked = self._selected()
        if picked is None:
            return
        if picked[2] != "tidak hadir":
            self.notify(
                f"{picked[1]} masih menunggu: tidak perlu diaktifkan kembali.", markup=False
            )
            return
        self.app.run_action_on_ticket("reactivate", picked[0], picked[1])  # type: ignore[attr-defined]
