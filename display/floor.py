"""`antre floor`: the floor manager's live dashboard of the whole building.

Frames from the server become `Frame` messages; `display.floor_model.FloorModel` turns them into
figures and alerts (pure, tested without sockets) and this app only draws them and sends the
manager's actions — each asked for confirmation first; the server logs it as `manager:<id>`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static
from textual_plotext import PlotextPlot

from display.floor_alerts import AlertKind
from display.floor_bookings import day_split, line_bookings, split_text
from display.floor_closure_screens import ClosureScreen
from display.floor_closures import state_words
from display.floor_complaint_screens import ComplaintScreen, ContactScreen, FileComplaintScreen
from display.floor_model import FloorModel, FloorSettings
from display.floor_screens import ConfirmScreen, WaitingScreen, fill_table, mmss
from display.floor_visit_panel import VisitScreen, draw_visits, mount_visits, visits_table
from display.floor_voice import (
    complaints_table,
    draw_complaints,
    draw_survey,
    mount_complaints,
    mount_survey,
    survey_table,
)
from server import protocol as p
from server.client import (
    AntreClient,
    ConnectionState,
    DeviceCookies,
    RequestError,
    default_device_file,
)

__all__ = ["CONNECTION_WORDS", "FloorApp", "Frame", "build_parser", "main", "run"]

_STATES = {"open": "buka", "paused": "jeda", "closed": "tutup"}
# How a connection's state reads on the status line (the admin app's too).
CONNECTION_WORDS = {
    ConnectionState.CONNECTING: "menghubungkan…",
    ConnectionState.CONNECTED: "terhubung",
    ConnectionState.RECONNECTING: "koneksi terputus, menghubungkan ulang…",
    ConnectionState.CLOSED: "terputus",
}


class Frame(Message):
    """A frame pushed by the server."""

    def __init__(self, msg: dict[str, Any]) -> None:
        super().__init__()
        self.msg = msg


# The app keys that act on a main table's selected row: see FloorApp.check_action.
_MAIN_TABLE_ACTIONS = frozenset({"drill", "close_counter", "open_counter", "unlock_pin"})


class FloorApp(App[int]):
    CSS_PATH = "floor.tcss"
    TITLE = "Antre — Dasbor Lantai"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "drill", "Rincian", show=True),
        Binding("t", "close_counter", "Tutup loket"),
        Binding("o", "open_counter", "Buka loket"),
        Binding("u", "unlock_pin", "Buka kunci PIN"),
        Binding("n", "file_complaint", "Pengaduan baru"),
        Binding("p", "closures", "Permintaan tutup"),
        Binding("q", "quit", "Keluar"),
    ]

    def __init__(
        self,
        server_url: str,
        manager: str,
        pin: str,
        *,
        settings: FloorSettings | None = None,
        clock: Callable[[], datetime] | None = None,
        device_file: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__()
        self.manager = manager
        self.model = FloorModel(settings or FloorSettings())
        # The server's clock, not this PC's: waits are measured against the server's instants.
        self._clock = clock
        self._offset = timedelta(0)  # server time minus local time, from welcome and pongs
        # Kept by reference: frames keep arriving while a second screen is on top.
        self.lines_table = DataTable(id="lines", cursor_type="row", zebra_stripes=True)
        # Today's online bookings per line, shown when a line takes bookings.
        self.bookings_table = DataTable(id="bookings", cursor_type="row", zebra_stripes=True)
        self.counters_table = DataTable(id="counters", cursor_type="row", zebra_stripes=True)
        self.alerts_table = DataTable(id="alerts", cursor_type="row")
        # The citizen's voice (issue 20): today's IKM so far, and the complaints.
        self.survey_table = survey_table()
        self.complaints_table = complaints_table()
        # Today's visits of several stops (issue 22): hidden until the day has one.
        self.visits_table = visits_table()
        self.chart = PlotextPlot(id="chart")
        self.client = AntreClient(
            server_url,
            p.hello_manager(manager, pin),
            on_message=lambda msg: self.post_message(Frame(msg)),
            on_state=self._on_state,
            # With a file, this PC stays a known device for the manager's id across restarts:
            # nobody else's wrong PINs can then hold the manager up here.
            device_cookies=DeviceCookies(device_file),
        )

    def now(self) -> datetime:
        return self._clock() if self._clock else datetime.now(UTC) + self._offset

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("menghubungkan…", id="status")
        with Horizontal():
            with Vertical(id="left"):
                yield self.lines_table
                yield self.bookings_table
                yield self.counters_table
                yield self.complaints_table
            with Vertical(id="right"):
                yield self.alerts_table
                yield self.visits_table
                yield self.survey_table
                yield self.chart
        yield Footer()

    def on_mount(self) -> None:
        self.lines_table.add_columns(
            "Layanan", "Nama", "Tunggu", "Terlama", "Rata² tunggu", "Rata² layanan", "Target",
            "Ambil", "Dilayani", "Absen", "Batal", "Kuota", "B/J/T", "Saran",
        )  # fmt: skip
        self.bookings_table.add_columns(
            "Layanan", "Nama", "Kuota", "Belum datang", "Lapor hadir", "Hangus",
            "Tidak dilayani", "Batal", "Sisa tempat", "Dilepas", "Tiket pesanan/langsung",
        )  # fmt: skip
        self.bookings_table.display = False
        self.counters_table.add_columns(
            "Loket", "Layanan", "Status", "Sejak", "Petugas", "Nomor aktif"
        )
        self.alerts_table.add_columns("Mulai", "Peringatan")
        mount_survey(self.survey_table)
        mount_complaints(self.complaints_table)
        mount_visits(self.visits_table)
        self.client.start()
        self.set_interval(1.0, self.refresh_view)

    async def on_unmount(self) -> None:
        await self.client.close()

    def _on_state(self, state: ConnectionState) -> None:
        if state is ConnectionState.CONNECTED and self.client.welcome:
            self._sync_clock(self.client.welcome.get("server_time"))
        self.call_later(self._show_status, state)

    def _sync_clock(self, server_time: str | None) -> None:
        if server_time:
            self._offset = datetime.fromisoformat(server_time) - datetime.now(UTC)

    def _show_status(self, state: ConnectionState) -> None:
        self.screen_stack[0].query_one("#status", Static).update(
            f"{self.manager} · {CONNECTION_WORDS[state]}"
        )
        if state is ConnectionState.CLOSED and self.client.close_code == p.CLOSE_AUTH_FAILED:
            refusal = self.client.refusal or {}
            if refusal.get("code") == p.ERR_LOCKED:  # it says until when, and what to do
                self.notify(
                    refusal.get("message", ""),
                    title="Masuk ditolak",
                    severity="error",
                    markup=False,
                )
            else:
                self.notify(
                    "Masuk ditolak: periksa ID pengelola dan PIN.", severity="error", markup=False
                )

    @on(Frame)
    def frame(self, message: Frame) -> None:
        if message.msg.get("type") == "snapshot":
            self.sub_title = message.msg.get("building", {}).get("name", "")
        if self.model.handle(message.msg, self.now()):
            self.refresh_view()
            # A step just taken shows at once on the complaint's screen. (The stack, not
            # `self.screen`: a frame may still arrive while the app shuts down, stack empty.)
            top = self.screen_stack[-1] if self.screen_stack else None
            if isinstance(top, ComplaintScreen | ClosureScreen):
                top.refresh_view()
        event = message.msg.get("event") or {}
        if message.msg.get("type") == "event" and event.get("kind") == "complaint_filed":
            # A new complaint: the take-in-hand deadline starts now; say so once.
            self.notify(f"Pengaduan baru {event.get('complaint')}", title="Pengaduan", markup=False)
        if message.msg.get("type") == "event" and event.get("kind") == "closure_requested":
            # An officer waits for an answer at their desk: say so once, the alert stays.
            self._notify_closure(str(event.get("counter")))

    # -- drawing -------------------------------------------------------------------------------

    def refresh_view(self) -> None:
        if not self.model.building:
            return
        now = self.now()
        lines = self.model.lines(now)
        rows: list[tuple[str, list[str]]] = []
        for agency in self.model.agency_rows(lines):
            rows.append(
                (
                    f"agency:{agency['agency']}",
                    [f"[b]{escape(agency['name'])}[/b]", "", str(agency["waiting"]),
                     mmss(agency["longest_wait_s"]), mmss(agency["avg_wait_s"]), "", "",
                     str(agency["issued"]), str(agency["served"]), str(agency["no_show"]),
                     str(agency["cancelled"]), "", "", ""],
                )
            )  # fmt: skip
            for lf in (lf for lf in lines if lf.agency == agency["agency"]):
                over = lf.avg_service_s is not None and lf.avg_service_s > lf.target_service_s
                quota = "–" if lf.quota_left_walk_in is None else str(lf.quota_left_walk_in)
                rows.append(
                    (
                        f"line:{lf.prefix}",
                        [f"  {lf.prefix}", escape(lf.name[:22]), str(lf.waiting),
                         mmss(lf.longest_wait_s), mmss(lf.avg_wait_s),
                         f"[red]{mmss(lf.avg_service_s)}[/red]" if over else mmss(lf.avg_service_s),
                         mmss(lf.target_service_s), str(lf.issued), str(lf.served),
                         str(lf.no_show), str(lf.cancelled), quota,
                         f"{lf.counters_open}/{lf.counters_paused}/{lf.counters_closed}",
                         "[i]tidak melayani hari ini[/i]" if lf.off_today
                         else _hint(lf.staffing, lf.counters_open)],
                    )
                )  # fmt: skip
        fill_table(self.lines_table, rows)
        self._draw_bookings()
        counters = []
        for c in self.model.counter_figures():
            state = _STATES.get(c.state, c.state)
            if c.state == "paused":
                took = mmss((now - c.since).total_seconds()) if c.since else ""
                state = f"jeda ({c.pause_reason}) {took}"
            if (asked := state_words(self.model.closures.requests.get(c.id))) is not None:
                state = f"{state} · {asked}"
            since = p.format_clock(c.since.astimezone(self.model.tz)) if c.since else "–"
            active = f"{c.number} ({c.ticket_state})" if c.number else "–"
            counters.append(
                (
                    c.id,
                    [
                        escape(c.name),
                        ",".join(c.serves),
                        escape(state),
                        since,
                        escape(c.officer or "–"),
                        active,
                    ],
                )
            )
        fill_table(self.counters_table, counters)
        alerts = [
            (
                f"{a.kind}:{a.subject}",
                [p.format_clock(a.started.astimezone(self.model.tz)),
                 f"[{'b red' if a.severe else 'yellow'}]{escape(a.message)}[/]"],
            )
            for a in self.model.alerts(now)
        ]  # fmt: skip
        fill_table(self.alerts_table, alerts)
        draw_survey(self.survey_table, self.model)
        draw_complaints(self.complaints_table, self.model, now)
        draw_visits(self.visits_table, self.model, now)
        self._draw_chart(now)

    def _draw_bookings(self) -> None:
        """Today's bookings per line that takes them, and the day's booked/walk-in split."""
        table = self.bookings_table
        bookings = line_bookings(self.model)
        table.display = bool(bookings)
        table.border_title = f"Pesanan online · {split_text(day_split(self.model))}"
        rows = [
            (
                f"booking:{b.prefix}",
                [f"  {b.prefix}", escape(b.name[:22]), str(b.places), str(b.expected),
                 str(b.checked_in), str(b.lapsed), str(b.not_reached), str(b.cancelled),
                 str(b.places_left),
                 str(b.released), f"{b.split.booked}/{b.split.walk_in}"],
            )
            for b in bookings
        ]  # fmt: skip
        fill_table(table, rows)

    def _draw_chart(self, now: datetime) -> None:
        slots, issued, served = self.model.chart(now)
        chart = self.chart
        plt = chart.plt
        plt.clear_data()
        plt.title("Nomor diambil dan dilayani per setengah jam")
        if slots:
            plt.multiple_bar(slots, [issued, served], labels=["diambil", "dilayani"])
        chart.refresh()

    # -- actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The app's keys stay live under every second screen: those acting on a main table's
        # selected row (T, O, U, Enter) only act while the main tables are shown, never on a
        # hidden row behind the requests' or a waiting list's screen (nor in their footers).
        if action in _MAIN_TABLE_ACTIONS:
            return len(self.screen_stack) == 1
        return True

    def action_drill(self) -> None:
        """A line's waiting list, a complaint with its steps, or a visit with its stops."""
        table = self.focused
        tables = (self.lines_table, self.complaints_table, self.visits_table)
        if table not in tables or not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        if table is self.complaints_table:
            self.push_screen(ComplaintScreen(self.model, key, self.now))
        elif key.startswith("visit:"):
            self.push_screen(VisitScreen(self.model, key.removeprefix("visit:"), self.now))
        elif key.startswith("line:"):
            self.push_screen(WaitingScreen(self.model, key.removeprefix("line:"), self.now))

    @on(DataTable.RowSelected, "#lines")
    @on(DataTable.RowSelected, "#complaints")
    @on(DataTable.RowSelected, "#visits")
    def row_selected(self) -> None:
        self.action_drill()

    def _counter_selected(self) -> str | None:
        table = self.counters_table
        if self.focused is not table or not table.row_count:
            self.notify("Pilih loket di tabel loket dahulu.", markup=False)
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _notify_closure(self, counter: str) -> None:
        row = next(
            (r for r in self.model.closure_rows(self.now()) if r.request.counter == counter), None
        )
        if row is not None:
            self.notify(
                f"{row.counter_name} ({row.officer_words}): {row.request.reason}. "
                "Tekan P untuk menyetujui atau menolak.",
                title="Permintaan tutup loket",
                timeout=15,
                markup=False,
            )

    def action_closures(self) -> None:
        """The closure requests; from a selected `tutup` alert, its counter first."""
        if isinstance(self.screen, ClosureScreen):
            return  # already shown (the app's keys stay live under its screens)
        table = self.alerts_table
        counter = None
        if self.focused is table and table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
            if key.startswith(f"{AlertKind.CLOSURE}:"):
                counter = key.split(":", 1)[1]
        self.push_screen(ClosureScreen(self.model, self.now, counter))

    def action_open_counter(self) -> None:
        # The protocol opens a counter only for the officer logged in there: an open counter
        # without an officer would call citizens to an empty desk.
        self.notify(
            "Loket hanya dapat dibuka oleh petugas yang masuk di loket itu. "
            "Minta petugas masuk dan membuka loket dari konsol loket.",
            title="Buka loket",
            markup=False,
        )

    def action_close_counter(self) -> None:
        counter = self._counter_selected()
        if counter is None:
            return
        name = next((c.name for c in self.model.counter_figures() if c.id == counter), counter)
        question = f"Tutup {name}? Petugasnya tetap tercatat masuk."
        request = self.model.closures.requests.get(counter)
        if request is not None and not request.approved:
            # The server counts this close as approving the officer's request (one command).
            question += f" Permintaan tutup dari petugas ({request.reason}) ikut disetujui."

        def confirmed(answer: str | None) -> None:
            if answer is not None:
                self._act("close_counter", f"{name} ditutup", counter=counter)

        self.push_screen(ConfirmScreen(question), confirmed)

    def action_unlock_pin(self) -> None:
        """Forget the wrong PINs of the id in the selected `PIN …` alert, after confirmation."""
        table = self.alerts_table
        key = ""
        if self.focused is table and table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        if not key.startswith(f"{AlertKind.PIN}:"):
            self.notify("Pilih peringatan PIN di tabel peringatan dahulu.", markup=False)
            return
        person = key.split(":", 1)[1]
        entry = next((g for g in self.model.pin_guessing if g.get("person") == person), {})
        who = f"{person} ({entry['name']})" if entry.get("name") else person

        def confirmed(answer: str | None) -> None:
            if answer is not None:
                self._act("unlock_pin", f"Kunci PIN {who} dibuka", person=person)

        self.push_screen(
            ConfirmScreen(
                f"Buka kunci PIN {who}? Semua percobaan yang salah dilupakan, juga yang dari "
                "perangkat penebak: buka hanya untuk pemilik ID yang ada di depan Anda."
            ),
            confirmed,
        )

    def run_action_on_ticket(self, kind: str, ticket: str, number: str) -> None:
        """Cancel or reactivate a ticket after confirmation (called from the waiting list)."""
        if kind == "cancel_ticket":
            question, reason = f"Batalkan nomor {number}?", "dibatalkan pengelola lantai"
        else:
            question, reason = f"Aktifkan kembali nomor {number} di tempat semula?", None

        def confirmed(answer: str | None) -> None:
            if answer is None:
                return
            fields: dict[str, Any] = {"ticket": ticket}
            if kind == "cancel_ticket":
                fields["reason"] = answer
            done = "dibatalkan" if kind == "cancel_ticket" else "diaktifkan kembali"
            self._act(kind, f"Nomor {number} {done}", **fields)

        self.push_screen(ConfirmScreen(question, reason), confirmed)

    def action_file_complaint(self) -> None:
        """A complaint taken at the help desk, on a citizen's behalf."""

        def filled(fields: dict[str, Any] | None) -> None:
            if fields is not None:
                self._file_complaint(fields)

        self.push_screen(FileComplaintScreen(), filled)

    @work(group="actions")
    async def _file_complaint(self, fields: dict[str, Any]) -> None:
        try:
            reply = await self.client.act("file_complaint", **fields)
        except RequestError as exc:
            self.notify(exc.message or exc.code, title="Ditolak", severity="error", markup=False)
        except Exception as exc:  # a lost connection: nothing is known to be filed
            self.notify(f"Tidak terkirim: {exc!r}", severity="error", markup=False)
        else:
            # The tracking id to give the citizen, and the deadline to take it in hand.
            take_by = datetime.fromisoformat(reply["take_by"]).astimezone(self.model.tz)
            zone = self.model.building.get("timezone", "")
            self.notify(
                f"Pengaduan {reply.get('complaint')} diterima (dicatat atas nama "
                f"{self.manager}); batas diproses {p.format_date_time(take_by, zone)}.",
                timeout=30,
                markup=False,
            )

    @work(group="actions")
    async def show_contact(self, complaint: str) -> None:
        """Ask the server for a complaint's contact and show it once (never kept here)."""
        try:
            reply = await self.client.act("complaint_contact", complaint=complaint)
        except RequestError as exc:
            self.notify(exc.message or exc.code, title="Ditolak", severity="error", markup=False)
        except Exception as exc:
            self.notify(f"Tidak terkirim: {exc!r}", severity="error", markup=False)
        else:
            self.push_screen(ContactScreen(complaint, reply.get("name"), reply.get("phone")))

    def send_action(self, kind: str, done: str, **fields: Any) -> None:
        """Send a manager's action chosen on a second screen; the reply is a notification."""
        self._act(kind, done, **fields)

    @work(group="actions")
    async def _act(self, kind: str, done: str, **fields: Any) -> None:
        try:
            await self.client.act(kind, **fields)
        except RequestError as exc:
            self.notify(exc.message or exc.code, title="Ditolak", severity="error", markup=False)
        except Exception as exc:  # a lost connection: the request may be retried by hand
            self.notify(f"Tidak terkirim: {exc!r}", severity="error", markup=False)
        else:
            self.notify(f"{done} (dicatat atas nama {self.manager}).", markup=False)


def _hint(staffing: int, open_now: int) -> str:
    if staffing > open_now:
        return f"[b red]{staffing}[/]"
    return str(staffing)


def build_parser(prog: str = "antre floor") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Dasbor pengelola lantai.")
    parser.add_argument("--server", default="ws://127.0.0.1:8700/ws", help="server websocket URL")
    parser.add_argument("--manager", required=True, help="manager id, e.g. LANTAI")
    parser.add_argument("--pin", help="PIN (asked for when omitted)")
    parser.add_argument("--target-wait-min", type=float, default=30.0)
    parser.add_argument("--wait-alert-min", type=float, default=60.0)
    parser.add_argument("--pause-alert-min", type=float, default=30.0)
    parser.add_argument(
        "--complaint-warn-days",
        type=int,
        default=1,
        help="warn of a complaint's deadline this many working days before it, when the "
        "server does not say (default: %(default)s)",
    )
    parser.add_argument(
        "--device-file",
        default=str(default_device_file()),
        help="where this computer keeps its device cookies (default: %(default)s)",
    )
    return parser


def run(
    server_url: str,
    manager: str,
    pin: str,
    settings: FloorSettings | None = None,
    device_file: str | os.PathLike[str] | None = None,
) -> int:
    """Run the dashboard until the manager quits; 0 on a normal exit."""
    app = FloorApp(server_url, manager, pin, settings=settings, device_file=device_file)
    app.run()
    return 0 if app.return_code in (None, 0) else int(app.return_code)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    pin = args.pin
    if pin is None:
        import getpass

        pin = getpass.getpass("PIN: ")
    settings = FloorSettings(
        target_wait_min=args.target_wait_min,
        wait_alert_min=args.wait_alert_min,
        pause_alert_min=args.pause_alert_min,
        complaint_warn_days=args.complaint_warn_days,
    )
    return run(args.server, args.manager, pin, settings, args.device_file)


if __name__ == "__main__":
    sys.exit(main())
