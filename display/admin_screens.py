"""The admin app's second screens: a value typed, a new field, a secret shown once, a refusal,
and the history of changes (the audit view) with undo."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Digits, Footer, Input, Label, Static

from display.admin_model import Refusal, form_rows, history_list, history_rows
from display.floor_screens import fill_table

__all__ = ["FieldScreen", "HistoryScreen", "OnceScreen", "RefusalScreen", "ValueScreen"]


class ValueScreen(ModalScreen[str | None]):
    """One field's new value, typed over the old one; Enter keeps it, Escape drops it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "Batal")]

    def __init__(self, key: str, text: str) -> None:
        super().__init__()
        self.key = key
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="value-box", classes="dialog"):
            yield Label(f"Ubah [b]{escape(self.key)}[/b] (Enter: simpan ke formulir, Esc: batal)")
            yield Input(self.text, id="value")

    @on(Input.Submitted, "#value")
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class FieldScreen(ModalScreen[tuple[str, str] | None]):
    """A field the form does not have yet (e.g. `disabled = true`): its key, then its value."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", "Batal")]

    def compose(self) -> ComposeResult:
        with Vertical(id="field-box", classes="dialog"):
            yield Label("Kolom baru: nama kolom, lalu nilainya (Enter)")
            yield Input(id="field-key", placeholder="nama kolom, mis. disabled")
            yield Input(id="field-value", placeholder="nilai, mis. true")

    @on(Input.Submitted, "#field-key")
    def key_done(self) -> None:
        self.query_one("#field-value", Input).focus()

    @on(Input.Submitted, "#field-value")
    def value_done(self) -> None:
        key = self.query_one("#field-key", Input).value.strip()
        if not key:
            self.notify("Nama kolom wajib diisi.", severity="warning")
            self.query_one("#field-key", Input).focus()
            return
        self.dismiss((key, self.query_one("#field-value", Input).value))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class OnceScreen(ModalScreen[None]):
    """A new PIN or device token: shown here once, big, never kept by the app."""

    # Enter only: the screen says "Tekan Enter bila sudah dicatat", and Esc (pressed out of
    # habit to leave a dialog) must not lose a PIN that is shown nowhere else. Esc is held here
    # so that it never reaches the app's "Batalkan isian" below either.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "close", "Sudah dicatat"),
        Binding("escape", "stay", show=False),
    ]

    def __init__(self, title: str, secret: str) -> None:
        super().__init__()
        self.title_text = title
        self.secret = secret

    def compose(self) -> ComposeResult:
        with Vertical(id="once", classes="dialog"):
            yield Label(self.title_text, id="once-title")
            if self.secret.isdigit():
                yield Digits(self.secret, id="secret")
            else:
                yield Static(f"[b]{escape(self.secret)}[/b]", id="secret")
            yield Label(
                "[b]Catat sekarang.[/b] Nilai ini hanya ditampilkan sekali dan tidak disimpan "
                "di aplikasi ini. Tekan Enter bila sudah dicatat.",
                id="once-note",
            )

    def action_close(self) -> None:
        self.dismiss(None)

    def action_stay(self) -> None:
        self.notify("Tekan Enter bila sudah dicatat.")


class RefusalScreen(ModalScreen[None]):
    """Why the server refused: its message, the config check's problems by field, and for a
    stale edit the value as it is now (someone else changed it first)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Tutup"),
        Binding("enter", "close", "Tutup"),
    ]

    def __init__(self, refusal: Refusal) -> None:
        super().__init__()
        self.refusal = refusal

    def compose(self) -> ComposeResult:
        r = self.refusal
        with Vertical(id="refusal", classes="dialog"):
            yield Label("[b]Ditolak[/b]")
            yield Label(escape(r.message), id="refusal-message")
            if r.problems:
                text = "\n".join(f"• {escape(f)}: {escape(m)}" for f, m in r.problems)
                yield Static(text, id="refusal-problems")
            if r.stale:
                yield Label("Nilai sekarang (sudah diubah orang lain):")
                rows = form_rows(r.current)
                text = "\n".join(f"{escape(k)} = {escape(v)}" for k, v in rows) or "(dihapus)"
                yield Static(text, id="refusal-current")
                yield Label("Formulir dimuat ulang dengan nilai sekarang; ubah lagi bila perlu.")

    def action_close(self) -> None:
        self.dismiss(None)


class HistoryScreen(Screen[None]):
    """The audit view: every change of the building, newest first; `u` undoes the selected."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Kembali"),
        Binding("u", "undo", "Batalkan perubahan"),
        Binding("f5", "reload", "Muat ulang"),
    ]

    def __init__(
        self,
        load: Callable[[], Awaitable[dict[str, Any]]],
        undo: Callable[[int, str], None],
        tz: Any = None,
    ) -> None:
        super().__init__()
        self._load = load  # the app's admin_history request
        self._undo = undo  # the app asks to confirm, sends admin_undo, then reloads this
        self.tz = tz
        self.rows: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Static("Riwayat perubahan gedung (terbaru di atas)", id="history-title")
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#history", DataTable)
        table.add_columns("Versi", "Waktu", "Oleh", "Perubahan", "Catatan")
        table.focus()
        self.action_reload()

    @work(group="history", exclusive=True)
    async def action_reload(self) -> None:
        try:
            reply = await self._load()
        except Exception as exc:  # a refusal or a lost connection: said, nothing shown
            self.notify(getattr(exc, "message", "") or repr(exc), severity="error")
            return
        self.rows = history_list(reply)
        fill_table(
            self.query_one("#history", DataTable),
            [(k, [escape(c) for c in cells]) for k, cells in history_rows(self.rows, self.tz)],
        )

    def action_undo(self) -> None:
        table = self.query_one("#history", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        row = next((r for r in self.rows if str(r.get("version")) == key), None)
        if row is None:
            return
        self._undo(int(key), str(row.get("text", "")))
