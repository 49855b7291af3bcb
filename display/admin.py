"""`antre admin`: the building's live administration, keyboard first (issue 23).

The administrator logs in as the floor dashboard does (a manager's id and PIN; the server gives
an `admin` manager the admin role, a floor manager may change only the running text, holidays
and special hours). The screen has three columns: the kinds of the building (Layanan, Loket,
Petugas …), the selected kind's entities, and the selected entity's fields as `key = value`
rows. Enter on a field types its new value into the form; Ctrl+S sends the form as one
`admin_edit` naming the version and the value the admin saw, so a change made meanwhile by
someone else is refused (stale) and shown, never overwritten. `a` starts a new entity from its
kind's template, `d` removes one (after a confirmation), `r` gives an officer a new PIN and `t` a
device a new token — each shown once, big — and `h` opens the history, where `u` undoes a change.

The model (display/admin_model.py) turns the server's replies into lists and forms and what is
typed back into values; this app draws them and sends the requests. Every refusal shows the
server's own Indonesian message.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Static

from display.admin_model import (
    AdminModel,
    Kind,
    ValueError_,
    form_rows,
    kind_of,
    new_target,
    parse_value,
    read_refusal,
    show_value,
)
from display.admin_screens import FieldScreen, HistoryScreen, OnceScreen, RefusalScreen, ValueScreen
from display.floor import CONNECTION_WORDS, Frame
from display.floor_screens import ConfirmScreen, fill_table
from server import protocol as p
from server.client import (
    AntreClient,
    ConnectionState,
    DeviceCookies,
    RequestError,
    default_device_file,
)

__all__ = ["AdminApp", "build_parser", "main", "run"]

# The actions of the main screen: not while the history or a dialog is on top of it.
_MAIN_ACTIONS = frozenset(
    {
        "add",
        "remove",
        "reset_pin",
        "new_token",
        "save",
        "keep",
        "new_field",
        "drop_field",
        "discard",
        "history",
    }
)


class AdminApp(App[int]):
    CSS_PATH = "admin.tcss"
    TITLE = "Antre — Admin Gedung"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Simpan", priority=True),
        Binding("k,K", "keep", "Tahan"),
        Binding("a,A", "add", "Tambah"),
        Binding("d,D", "remove", "Hapus"),
        Binding("n,N", "new_field", "Kolom baru"),
        Binding("x,X", "drop_field", "Hapus kolom"),
        Binding("r,R", "reset_pin", "Atur ulang PIN"),
        Binding("t,T", "new_token", "Token baru"),
        Binding("h,H", "history", "Riwayat"),
        Binding("escape", "discard", "Batalkan isian"),
        Binding("f5", "reload", "Muat ulang"),
        Binding("q,Q", "quit", "Keluar"),
    ]

    def __init__(
        self,
        server_url: str,
        manager: str,
        pin: str,
        *,
        device_file: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__()
        self.manager = manager
        self.model = AdminModel()
        self.kinds_table = DataTable(id="kinds", cursor_type="row")
        self.entities_table = DataTable(id="entities", cursor_type="row", zebra_stripes=True)
        self.form_table = DataTable(id="form", cursor_type="row", zebra_stripes=True)
        self.kind: Kind | None = None
        # The form: the entity being edited (None while adding a new one), the value the admin
        # saw (sent back as `before`), and the value being typed (sent as `after`).
        self.target: str | None = None
        self.before: Any = None
        self.draft: Any = None
        self.dirty = False
        # The building version the form's value was read at: the edit names it, so a change
        # of the same entry made since (by anyone) refuses it as stale rather than losing one.
        self.seen = 0
        # Changes kept aside with `k`, sent with the next Ctrl+S in one request.
        self.kept: list[dict[str, Any]] = []
        self.client = AntreClient(
            server_url,
            p.hello_manager(manager, pin),
            on_message=lambda msg: self.post_message(Frame(msg)),
            on_state=self._on_state,
            device_cookies=DeviceCookies(device_file),
        )

    # -- layout and connection -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("menghubungkan…", id="status")
        with Horizontal():
            yield self.kinds_table
            yield self.entities_table
            yield self.form_table
        yield Static("", id="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.kinds_table.add_column("Bagian")
        self.kinds_table.border_title = "Bagian"
        self.entities_table.add_column("Isi")
        self.entities_table.border_title = "Isi"
        self.form_table.add_columns("Kolom", "Nilai")
        self.form_table.border_title = "Formulir"
        self._hint()
        self.client.start()

    async def on_unmount(self) -> None:
        await self.client.close()

    def _on_state(self, state: ConnectionState) -> None:
        self.call_later(self._show_status, state)

    def _show_status(self, state: ConnectionState) -> None:
        self._status_line(state)
        if state is ConnectionState.CONNECTED:
            self.action_reload()  # after every reconnect: the building may have changed
        if state is ConnectionState.CLOSED and self.client.close_code == p.CLOSE_AUTH_FAILED:
            refusal = self.client.refusal or {}
            message = refusal.get("message") or "Masuk ditolak: periksa ID pengelola dan PIN."
            self.notify(message, title="Masuk ditolak", severity="error", timeout=30)

    @on(Frame)
    def frame(self, message: Frame) -> None:
        event = message.msg.get("event") or {}
        if message.msg.get("type") == "event" and event.get("kind") == "building_edited":
            # A change by anyone (this app's own too): the lists follow at once.
            version = event.get("version")
            if not isinstance(version, int) or version > self.model.version:
                self.action_reload()

    # -- drawing -------------------------------------------------------------------------------

    def _line(self, widget: str, text: str) -> None:
        # The main screen's; a frame or reply may still arrive while the app shuts down.
        for found in self.screen_stack[:1]:
            for line in found.query(f"#{widget}").results(Static):
                line.update(text)

    def _status_line(self, state: ConnectionState) -> None:
        status = f"{self.manager} · {CONNECTION_WORDS[state]}"
        if self.model.loaded:
            status += f" · versi gedung {self.model.version}"
        self._line("status", status)

    def refresh_view(self) -> None:
        kinds = self.model.kinds()
        fill_table(self.kinds_table, [(k.name, [escape(k.label)]) for k in kinds])
        if self.kind is None and kinds:
            self.kind = kinds[0]
        for i, k in enumerate(kinds):  # the kind shown, e.g. after saving a change of another
            if self.kind and k.name == self.kind.name and self.kinds_table.cursor_row != i:
                self.kinds_table.move_cursor(row=i)
        self._draw_entities()
        self._draw_form()
        self._status_line(self.client.state)

    def _draw_entities(self) -> None:
        rows = self.model.targets(self.kind.name) if self.kind else []
        fill_table(self.entities_table, [(t, [escape(label)]) for t, label in rows])
        if self.kind:
            self.entities_table.border_title = f"{self.kind.label} ({len(rows)})"

    def _draw_form(self) -> None:
        name = self.target.split(":", 1)[0] if self.target else "running_text"
        fill_table(
            self.form_table,
            [(k, [escape(k), escape(v)]) for k, v in form_rows(self.draft, name)],
        )
        title = self.target or (f"{self.kind.label} baru" if self.kind and self.draft else "")
        if self.dirty:
            title += " · belum disimpan (Ctrl+S)"
        if self.kept:
            title += f" · {len(self.kept)} ditahan: {', '.join(e['target'] for e in self.kept)}"
        self.form_table.border_title = f"Formulir {title}".strip()
        self._hint()

    def _hint(self) -> None:
        if self.dirty:
            text = "Ctrl+S: simpan · k: tahan, simpan bersama yang berikutnya · Esc: batalkan isian"
        elif self.focused is self.form_table:
            text = "Enter: ubah nilai · n: kolom baru · x: hapus kolom · Ctrl+S: simpan"
        else:
            text = "Panah: pilih · Enter: buka · a: tambah · d: hapus · h: riwayat · q: keluar"
        self._line("hint", text)

    def _open(self, target: str | None, value: Any = None) -> None:
        """Show an entity's form (or a new one's, target None) with no unsaved typing."""
        self.target = target
        self.before = self.model.value(target) if target else None
        self.draft = copy.deepcopy(self.before) if target else value
        self.dirty = target is None
        self.seen = self.model.version
        self._draw_form()

    # -- moving around -------------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#kinds")
    def kind_highlighted(self, event: DataTable.RowHighlighted) -> None:
        name = event.row_key.value or ""
        if self.kind is not None and self.kind.name == name:
            return
        if self.dirty:
            return  # the typing is kept until saved or dropped with Esc
        self.kind = kind_of(name)
        self._draw_entities()
        rows = self.model.targets(name)
        self._open(rows[0][0] if rows else None) if rows else self._clear_form()

    def _clear_form(self) -> None:
        self.target, self.before, self.draft, self.dirty = None, None, None, False
        self._draw_form()

    @on(DataTable.RowHighlighted, "#entities")
    def entity_highlighted(self, event: DataTable.RowHighlighted) -> None:
        target = event.row_key.value
        if self.dirty or target == self.target:
            return
        self._open(target)

    @on(DataTable.RowSelected, "#kinds")
    def kind_selected(self) -> None:
        self.entities_table.focus()

    @on(DataTable.RowSelected, "#entities")
    def entity_selected(self) -> None:
        self.form_table.focus()

    @on(DataTable.RowSelected, "#form")
    def field_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        current = self.draft.get(key) if isinstance(self.draft, dict) else self.draft

        def typed(text: str | None) -> None:
            if text is not None:
                self.set_field(key, text)

        self.push_screen(ValueScreen(key, show_value(current)), typed)

    def on_descendant_focus(self) -> None:
        self._hint()

    def set_field(self, key: str, text: str) -> bool:
        """One field typed into the form; a value that cannot be read is said, not kept."""
        old = self.draft.get(key) if isinstance(self.draft, dict) else self.draft
        try:
            value = parse_value(text, old)
        except ValueError_ as exc:
            self.notify(str(exc), title="Nilai tidak dipakai", severity="warning")
            return False
        if isinstance(self.draft, dict):
            self.draft[key] = value
        else:
            self.draft = value
        self.dirty = True
        self._draw_form()
        return True

    # -- actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Letters on the history screen are its own: `h` there must not open a second history.
        return not (action in _MAIN_ACTIONS and len(self.screen_stack) > 1)

    @work(group="state", exclusive=True)
    async def action_reload(self) -> None:
        try:
            reply = await self.client.request("admin_state")
        except RequestError as exc:
            self.push_screen(RefusalScreen(read_refusal(exc.reply)))
            return
        except Exception as exc:  # a lost connection: the client reconnects and we load again
            self.notify(f"Data gedung tidak termuat: {exc!r}", severity="error")
            return
        self.model.load_state(reply)
        if not self.dirty:
            if self.target is not None and self.model.value(self.target) is None:
                self.target = None  # removed meanwhile
            if self.target is None and self.kind is not None:
                rows = self.model.targets(self.kind.name)
                self.target = rows[0][0] if rows else None
            self.before = self.model.value(self.target) if self.target else None
            self.draft = copy.deepcopy(self.before)
            self.seen = self.model.version
        self.refresh_view()

    def _form_edit(self) -> dict[str, Any] | None:
        """The form's change as one edit `{target, before, after}`; None (said) if unnamed."""
        assert self.kind is not None
        target = self.target
        if target is None:
            try:
                target = new_target(self.kind, self.draft)
            except ValueError_ as exc:
                self.notify(str(exc), severity="warning")
                return None
        return {
            "target": target,
            "before": self.before,
            "after": copy.deepcopy(self.draft),
            "seen": self.seen,
        }

    def action_save(self) -> None:
        """The form's change and every change kept aside (`k`), as one request: the server
        checks them together, so a new line and the counter serving it go in at once."""
        edits = list(self.kept)
        if self.dirty and self.kind is not None:
            if self.kind.by_device_request and self.target is None:
                if edits:
                    self.notify("Simpan dahulu perubahan yang ditahan, lalu perangkat baru.")
                else:
                    self._new_device(dict(self.draft))
                return
            edit = self._form_edit()
            if edit is None:
                return
            edits.append(edit)
        if not edits:
            self.notify("Tidak ada perubahan untuk disimpan.")
            return
        self._send(edits)

    def action_keep(self) -> None:
        """Keep the form's change aside, to be saved with the next Ctrl+S (nothing sent yet)."""
        if not self.dirty or self.kind is None:
            self.notify("Tidak ada isian untuk ditahan.")
            return
        if self.kind.by_device_request and self.target is None:
            self.notify("Perangkat baru disimpan sendiri dengan Ctrl+S.")
            return
        edit = self._form_edit()
        if edit is None:
            return
        self.kept.append(edit)
        rows = self.model.targets(self.kind.name)
        self._open(rows[0][0]) if rows else self._clear_form()
        self.notify(
            f"{edit['target']} ditahan ({len(self.kept)} perubahan). Lanjutkan, lalu Ctrl+S "
            "menyimpan semuanya sekaligus; Esc tanpa isian membuang yang ditahan."
        )

    def action_discard(self) -> None:
        if self.dirty:
            self._open(self.target) if self.target else self._clear_form()
            self.notify("Isian dibatalkan; tidak ada yang diubah.")
        elif self.kept:
            self.kept.clear()
            self._draw_form()
            self.notify("Perubahan yang ditahan dibuang; tidak ada yang diubah.")

    async def action_quit(self) -> None:
        """Quit; with typing not yet saved or changes kept aside, only once confirmed."""
        unsaved = [
            *(["isian yang belum disimpan"] if self.dirty else []),
            *([f"{len(self.kept)} perubahan yang ditahan"] if self.kept else []),
        ]
        if not unsaved:
            self.exit()
            return

        def confirmed(answer: str | None) -> None:
            if answer is not None:
                self.exit()

        self.push_screen(
            ConfirmScreen(f"Keluar? {' dan '.join(unsaved).capitalize()} akan hilang."), confirmed
        )

    def action_add(self) -> None:
        kind = self.kind
        if kind is None or kind.key is None or kind.template is None:
            label = kind.label if kind else "bagian ini"
            self.notify(f"{label} tidak dapat ditambah; ubah isinya dengan Enter.")
            return
        self._open(None, copy.deepcopy(kind.template))
        self.form_table.focus()
        self.notify(f"Isi {kind.label.lower()} baru, lalu Ctrl+S. Esc membatalkan.")

    def action_remove(self) -> None:
        target = self.target
        if target is None or self.kind is None or self.kind.key is None:
            self.notify("Pilih yang akan dihapus di daftar dahulu.")
            return
        label = next((lb for t, lb in self.model.targets(self.kind.name) if t == target), target)

        def confirmed(answer: str | None) -> None:
            if answer is not None:
                gone = {"target": target, "before": self.before, "after": None, "seen": self.seen}
                self._send([*self.kept, gone])

        also = f" (bersama {len(self.kept)} perubahan yang ditahan)" if self.kept else ""
        self.push_screen(ConfirmScreen(f"Hapus {label}{also}? Perubahan ini dicatat."), confirmed)

    def action_new_field(self) -> None:
        if not isinstance(self.draft, dict):
            return

        def added(pair: tuple[str, str] | None) -> None:
            if pair is not None:
                self.set_field(*pair)

        self.push_screen(FieldScreen(), added)

    def action_drop_field(self) -> None:
        table = self.form_table
        if not isinstance(self.draft, dict) or self.focused is not table or not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        self.draft.pop(key, None)
        self.dirty = True
        self._draw_form()

    def action_reset_pin(self) -> None:
        target = self.target
        if target is None or not target.startswith("officer:"):
            self.notify("Pilih petugas di daftar Petugas dahulu.")
            return
        officer = target.split(":", 1)[1]

        def confirmed(answer: str | None) -> None:
            if answer is not None:
                self._secret("admin_reset_pin", f"PIN baru {officer}", officer=officer)

        self.push_screen(
            ConfirmScreen(f"Atur ulang PIN {officer}? PIN lama tidak berlaku lagi."), confirmed
        )

    def action_new_token(self) -> None:
        target = self.target
        if target is None or not target.startswith("device:"):
            self.notify("Pilih perangkat di daftar Perangkat dahulu.")
            return
        device = target.split(":", 1)[1]

        def confirmed(answer: str | None) -> None:
            if answer is not None:
                self._secret("admin_new_token", f"Token baru {device}", device=device)

        self.push_screen(
            ConfirmScreen(
                f"Buat token baru untuk {device}? Token lama tidak berlaku lagi: perangkat itu "
                "harus diatur ulang dengan token baru."
            ),
            confirmed,
        )

    def action_history(self) -> None:
        self.push_screen(HistoryScreen(self._history, self._ask_undo))

    async def _history(self) -> dict[str, Any]:
        return await self.client.request("admin_history", limit=200)

    def _ask_undo(self, version: int, text: str) -> None:
        def confirmed(answer: str | None) -> None:
            if answer is not None:
                self._undo(version)

        self.push_screen(ConfirmScreen(f"Batalkan perubahan versi {version}: {text}?"), confirmed)

    # -- requests ------------------------------------------------------------------------------

    def _refused(self, exc: RequestError) -> None:
        refusal = read_refusal(exc.reply)
        if refusal.stale:
            # Someone else changed it first: the form starts again from the value as it is.
            self.dirty = False
            self.action_reload()
        self.push_screen(RefusalScreen(refusal))

    @work(group="actions", exclusive=False)
    async def _send(self, edits: list[dict[str, Any]]) -> None:
        """One `admin_edit`: one entity, or several (`edits`) checked and applied together."""
        # One version for the request: the oldest any of its forms was read at.
        version = min(e["seen"] for e in edits)
        sent = [{k: e[k] for k in ("target", "before", "after")} for e in edits]
        fields: dict[str, Any] = sent[0] if len(sent) == 1 else {"edits": sent}
        try:
            reply = await self.client.request("admin_edit", **fields, version=version)
        except RequestError as exc:
            self._refused(exc)  # what was kept aside stays kept, to be mended and sent again
            return
        except Exception as exc:  # a lost connection: nothing is known to be saved
            self.notify(f"Tidak terkirim: {exc!r}", severity="error")
            return
        self.kept.clear()
        done = reply.get("edits") or [reply]
        for one in done:
            self.model.saved(str(one.get("target")), one)
        target, after = edits[-1]["target"], edits[-1]["after"]
        self.kind = kind_of(target.split(":", 1)[0]) if ":" in target else self.kind
        if after is None:
            rows = self.model.targets(self.kind.name) if self.kind else []
            self.target = None
            self._open(rows[0][0]) if rows else self._clear_form()
        else:
            self._open(target)
        self.refresh_view()
        self._select_entity(self.target)
        # The server's own words for each change ("Kuota harian A: 300 → 250").
        said = "; ".join(str(one.get("text") or one.get("target")) for one in done)
        self.notify(f"{said} (versi {self.model.version}, atas nama {self.manager}).")
        # A person added without a PIN: the server made one, shown here once and not kept.
        for person, pin in (reply.get("pins") or {}).items():
            self.push_screen(OnceScreen(f"PIN {person}", str(pin)))

    def _select_entity(self, target: str | None) -> None:
        for i, key in enumerate(self.entities_table.rows):
            if key.value == target:
                self.entities_table.move_cursor(row=i)
                return

    @work(group="actions", exclusive=False)
    async def _new_device(self, fields: dict[str, Any]) -> None:
        # `device`, not `id`: `id` is every frame's correlation id on the wire.
        wanted = {"kind": "kind", "id": "device", "zone": "zone", "counter": "counter"}
        sent = {wanted[k]: v for k, v in fields.items() if k in wanted and v not in ("", None)}
        try:
            reply = await self.client.request("admin_new_device", **sent)
        except RequestError as exc:
            self._refused(exc)
            return
        except Exception as exc:
            self.notify(f"Tidak terkirim: {exc!r}", severity="error")
            return
        self.dirty = False
        self.target = f"device:{sent.get('device', '')}"
        self.push_screen(OnceScreen(f"Token perangkat {sent.get('device', '')}", reply["token"]))
        self.action_reload()

    @work(group="actions", exclusive=False)
    async def _secret(self, kind: str, title: str, **fields: Any) -> None:
        """A new PIN or token: shown once, never kept (the reply is dropped with the screen)."""
        try:
            reply = await self.client.request(kind, **fields)
        except RequestError as exc:
            self._refused(exc)
            return
        except Exception as exc:
            self.notify(f"Tidak terkirim: {exc!r}", severity="error")
            return
        secret = reply.get("pin") or reply.get("token") or ""
        self.push_screen(OnceScreen(title, str(secret)))

    @work(group="actions", exclusive=False)
    async def _undo(self, version: int) -> None:
        try:
            reply = await self.client.request("admin_undo", version=version)
        except RequestError as exc:
            self._refused(exc)
            return
        except Exception as exc:
            self.notify(f"Tidak terkirim: {exc!r}", severity="error")
            return
        self.notify(f"Perubahan versi {version} dibatalkan (versi {reply.get('version')}).")
        top = self.screen_stack[-1]
        if isinstance(top, HistoryScreen):
            top.action_reload()
        self.action_reload()


def build_parser(prog: str = "antre admin") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Admin gedung: ubah gedung langsung.")
    parser.add_argument("--server", default="ws://127.0.0.1:8700/ws", help="server websocket URL")
    parser.add_argument("--manager", required=True, help="admin (manager) id, e.g. ADMIN")
    parser.add_argument("--pin", help="PIN (asked for when omitted)")
    parser.add_argument(
        "--device-file",
        default=str(default_device_file()),
        help="where this computer keeps its device cookies (default: %(default)s)",
    )
    return parser


def run(
    server_url: str, manager: str, pin: str, device_file: str | os.PathLike[str] | None = None
) -> int:
    """Run the admin app until the administrator quits; 0 on a normal exit."""
    app = AdminApp(server_url, manager, pin, device_file=device_file)
    app.run()
    return 0 if app.return_code in (None, 0) else int(app.return_code)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    pin = args.pin
    if pin is None:
        import getpass

        pin = getpass.getpass("PIN: ")
    return run(args.server, args.manager, pin, args.device_file)


if __name__ == "__main__":
    sys.exit(main())
