"""The citizen's kiosk: a full-screen Textual app at the entrance that prints queue tickets.

The app owns the connection (`server.client.AntreClient`; pushed frames become Messages), the
printer watch, the idle timer, the language, and the navigation between the screens of
`kiosk.screens`, `kiosk.checkin_screens` (a booked citizen's check-in) and `kiosk.visit_screens`
(one visit, several services). What one press, check-in or visit does — check the printer,
reserve, print, confirm or release — lives in `kiosk.issuer.Issuer`; this file only decides what
the citizen sees next.

Out of order: when the server has been unreachable for `outage_grace_s`, or the printer cannot
print, the maintenance screen covers the start (never a ticket being printed or a message being
read) and goes away by itself when both are back.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Button, Input

from kiosk.building import BuildingInfo
from kiosk.checkin_screens import CheckInRefusedScreen, CheckInScreen
from kiosk.issuer import Issuer, Outcome, PressResult, visit_stops
from kiosk.printer import Printer
from kiosk.printer_status import PrinterStatus
from kiosk.screens import (
    AgencyScreen,
    AgencyTilesScreen,
    KioskScreen,
    LinesScreen,
    MaintenanceScreen,
    MessageScreen,
    PrintingScreen,
    PriorityScreen,
    ResultScreen,
)
from kiosk.texts import Lang, printer_problem, refusal_text, t
from kiosk.visit_screens import (
    VisitAgencyScreen,
    VisitPlanScreen,
    VisitScreen,
)
from server import protocol as p
from server.client import AntreClient, ConnectionState

__all__ = ["KioskApp", "KioskConfig", "http_base", "run", "ws_url"]

log = logging.getLogger("antre.kiosk")


@dataclass(frozen=True, slots=True)
class KioskConfig:
    """How one kiosk runs; every time is in seconds (tests shorten them)."""

    server_url: str  # ws://host:port/ws (or http://host:port, or host:port)
    token: str  # the kiosk's device token from the building file
    public_url: str | None = None  # base of the QR address; default: the server's http address
    idle_timeout_s: float = 45.0  # untouched this long, the kiosk returns to the start
    result_timeout_s: float = 12.0  # the "take your ticket" screen stays this long
    printer_check_s: float = 30.0  # how often an idle kiosk asks the printer how it is
    printer_recheck_s: float = 3.0  # the same while out of order, to come back quickly
    outage_grace_s: float = 3.0  # a network blink shorter than this is not shown
    issue_timeout_s: float = 8.0  # a press waits this long for the server
    backoff_max_s: float = 10.0  # reconnect attempts are spread up to this far apart


def ws_url(server: str) -> str:
    """The websocket address for --server: accepts ws(s)://…, http(s)://… or host:port."""
    if "://" not in server:
        server = f"ws://{server}"
    parts = urlsplit(server)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, parts.path or p.WS_PATH, "", ""))


def http_base(server: str) -> str:
    """The server's plain HTTP address, where /t/<token> is served."""
    parts = urlsplit(ws_url(server))
    scheme = "https" if parts.scheme == "wss" else "http"
    return urlunsplit((scheme, parts.netloc, "", "", ""))


class ServerState(Message):
    def __init__(self, state: ConnectionState) -> None:
        super().__init__()
        self.state = state


class ServerPush(Message):
    def __init__(self, msg: dict[str, Any]) -> None:
        super().__init__()
        self.msg = msg


class PrinterChanged(Message):
    def __init__(self, status: PrinterStatus) -> None:
        super().__init__()
        self.status = status


class KioskApp(App[None]):
    """The kiosk. `printer` is a `kiosk.printer` printer; kiosk/cli.py builds both from argv."""

    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False  # citizens must not stumble into it
    TITLE = "Antre"
    BINDINGS = [  # noqa: RUF012 - Textual reads this class attribute
        Binding("escape", "back", "Kembali / Back"),
        Binding("f2", "toggle_language", "Bahasa / Language"),
        Binding("f9", "reprint", "Cetak ulang", show=False),  # floor staff only
    ]

    lang: reactive[Lang] = reactive(Lang.ID)

    def __init__(self, config: KioskConfig, printer: Printer) -> None:
        super().__init__()
        self.config = config
        self.printer = printer
        # What the server told us: the building (from the first snapshot) and the line figures.
        self.building: BuildingInfo | None = None
        self.lines: dict[str, dict[str, Any]] = {}
        self.server_ok = False
        # Unreachable for longer than outage_grace_s: out of order until it is back.
        self.server_down = False
        # The connection's state as last told by a ServerState message (the client's own
        # attribute may be ahead of the messages still queued for this app).
        self.connection = ConnectionState.CONNECTING
        self.client = AntreClient(
            ws_url(config.server_url),
            p.hello_kiosk(config.token) | {"client": "antre-kiosk"},
            on_state=lambda state: self.post_message(ServerState(state)),
            on_message=lambda msg: self.post_message(ServerPush(msg)),
            backoff_max_s=config.backoff_max_s,
        )
        self.issuer = Issuer(
            self.client,
            printer,
            printer.spec.layout(),
            public_base=config.public_url or http_base(config.server_url),
            issue_timeout_s=config.issue_timeout_s,
            on_printer=lambda status: self.post_message(PrinterChanged(status)),
        )
        self._idle: Timer | None = None
        self._outage: Timer | None = None
        self._busy = False  # a press is between the printer, the server and the paper
        self._checking = False  # a printer status check is under way

    # -- lifecycle --------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(AgencyScreen())
        self.client.start()
        self.issuer.start()
        self.poll_printer()
        self.set_interval(self.config.printer_check_s, self.poll_printer)
        self._touch()

    async def on_unmount(self) -> None:
        await self.issuer.close()
        await self.client.close()

    # -- server ----------------------------------------------------------------------------

    @on(ServerState)
    def server_state(self, message: ServerState) -> None:
        self.connection = message.state
        if message.state is ConnectionState.CONNECTED:
            self.server_ok = True
            self.server_down = False
            if self._outage is not None:
                self._outage.stop()
                self._outage = None
            self.issuer.reconnected()
            self.update_service()
        elif message.state is not ConnectionState.CONNECTING:
            # Reconnecting, or closed for good (the token was refused): out of order either way,
            # once the outage has lasted longer than a blink.
            self.server_ok = False
            if self._outage is None and not self.server_down:
                # (A zero-second Textual timer divides by zero: no grace means now.)
                grace = max(self.config.outage_grace_s, 0.001)
                self._outage = self.set_timer(grace, self._outage_lasted)

    def _outage_lasted(self) -> None:
        self._outage = None
        if not self.server_ok:
            self.server_down = True
            self.update_service()

    @on(ServerPush)
    def server_push(self, message: ServerPush) -> None:
        msg = message.msg
        kind = msg.get("type")
        if kind == "snapshot" and "building" in msg:
            first = self.building is None
            before = self.building
            self.building = BuildingInfo.from_snapshot(msg["building"])
            self.issuer.building = self.building
            self._set_lines(msg.get("lines", []))
            if first:
                for screen in self.screen_stack:
                    if isinstance(screen, AgencyScreen):
                        screen.building_arrived()
            elif before is not None and _agency_tiles(before) != _agency_tiles(self.building):
                # A live building edit (issue 23): an agency added, removed or renamed, or a
                # line moved between agencies. The start screen shows the new tiles at once.
                for screen in self.screen_stack:
                    if isinstance(screen, AgencyScreen):
                        screen.call_later(screen.redraw)
        elif kind == "lines":
            self._set_lines(msg.get("lines", []))

    def _set_lines(self, lines: list[dict[str, Any]]) -> None:
        self.lines = {view["prefix"]: view for view in lines}
        for screen in self.screen_stack:
            if isinstance(screen, LinesScreen | AgencyTilesScreen):
                screen.refresh_lines()

    # -- printer ---------------------------------------------------------------------------

    def poll_printer(self) -> None:
        """Ask the printer how it is (not during a press: the press asks it itself).

        A check still waiting for a silent printer is left to finish, not replaced: cancelling
        it would leave the kiosk never knowing.
        """
        if not self._busy and not self._checking:
            self._checking = True
            self._check_printer()

    @work(group="printer")
    async def _check_printer(self) -> None:
        try:
            await self.issuer.check_printer()
        finally:
            self._checking = False

    @on(PrinterChanged)
    def printer_changed(self, message: PrinterChanged) -> None:
        self.update_service()

    def update_service(self) -> None:
        """Cover the start with the maintenance screen while out of order; lift it after."""
        status = self.issuer.printer_status
        printer_down = status is not None and not status.printable
        down = self.server_down or printer_down
        top = self.screen
        if isinstance(top, MaintenanceScreen):
            if down:
                top.refresh_detail()
            else:
                self.go_home()
        elif down and isinstance(top, _CHOOSING):
            self.push_screen(MaintenanceScreen())

    # -- presses ---------------------------------------------------------------------------

    def start_press(self, line: str, priority: str | None) -> None:
        self._start(PrintingScreen(), partial(self.issuer.press, line, priority), f"line {line}")

    def open_check_in(self, scanned: str = "") -> None:
        """The start's "Sudah pesan online": the screen that reads the booking code; with the
        code a citizen scanned on a choosing screen, checked in at once."""
        self.push_screen(CheckInScreen(scanned))

    def start_check_in(self, code: str) -> None:
        """A well-formed booking code was scanned or typed: check it in, print its ticket.

        The check-in screen stays under the answer, so that "Ketik ulang kode" after a refusal
        is the same screen again, its field focused and empty, at once.
        """
        run = partial(self.issuer.check_in, code)
        self._start(PrintingScreen("checking"), run, f"booking {code}", push=True)

    def retry_press(self) -> None:
        pending = self.issuer.pending
        if pending is None:
            self.go_home()
        elif pending.booking is not None:
            self.pop_screen()  # the message: the check-in screen is under it
            self.start_check_in(pending.booking)
        elif pending.lines is not None:
            self.start_visit(pending.lines, pending.priority)
        else:
            self.start_press(pending.line or "", pending.priority)

    # -- a visit of several services (kiosk/visit_screens.py) --------------------------------

    def action_visit(self) -> None:
        """ "Beberapa layanan sekaligus" (F3 on the start): the visit's list, empty."""
        if isinstance(self.screen, AgencyScreen) and self.building is not None:
            self.push_screen(VisitScreen())

    def visit_screen(self) -> VisitScreen | None:
        """The visit being chosen (its list holds the choice), if any."""
        return next((s for s in self.screen_stack if isinstance(s, VisitScreen)), None)

    def _back_to(self, screen: KioskScreen) -> None:
        while self.screen is not screen and len(self.screen_stack) > 2:
            self.pop_screen()

    def visit_line_chosen(self, prefix: str) -> None:
        """A line chosen for the visit: added to its list, which is shown again."""
        visit = self.visit_screen()
        if visit is None:  # pragma: no cover - the lines screen is opened from the list
            self.go_home()
            return
        self._back_to(visit)
        visit.add_line(prefix)

    def visit_drop(self, prefix: str, priority: str | None) -> None:
        """A stop the plan says cannot be taken now, dropped: the plan of the rest for the
        same priority answer, or the list when fewer than two are left."""
        visit = self.visit_screen()
        if visit is None:  # pragma: no cover
            self.go_home()
            return
        self._back_to(visit)
        visit.remove_line(prefix)
        if len(visit.lines) >= 2:
            self.push_screen(VisitPlanScreen(tuple(visit.lines), priority))

    def visit_change(self) -> None:
        """The plan's "Ubah pilihan": the visit's list, as chosen."""
        visit = self.visit_screen()
        if visit is None:  # pragma: no cover
            self.go_home()
            return
        self._back_to(visit)

    def start_visit(self, lines: tuple[str, ...], priority: str | None) -> None:
        """The priority answered and the plan accepted: issue it, print its first ticket.

        From the plan, the printing screen goes over it (a refusal comes back to the plan);
        a retry after an outage replaces the message, as for one ticket."""
        run = partial(self.issuer.visit, lines, priority)
        over_plan = isinstance(self.screen, VisitPlanScreen)
        self._start(PrintingScreen(), run, f"visit {'+'.join(lines)}", push=over_plan)

    def _start(
        self,
        screen: PrintingScreen,
        run: Callable[[], Awaitable[PressResult]],
        what: str,
        *,
        push: bool = False,
    ) -> None:
        if push:
            self.push_screen(screen)
        else:
            self.switch_screen(screen)
        self._busy = True
        self._press(run, what)

    def cancel_press(self) -> None:
        self.issuer.abandon()
        self.go_home()

    @work(exclusive=True, group="press")
    async def _press(self, run: Callable[[], Awaitable[PressResult]], what: str) -> None:
        try:
            result = await run()
        except Exception:
            # A bug must not leave a citizen before a frozen "printing" screen or end the app:
            # say so, log it, and start afresh (an unconfirmed reservation expires by itself).
            log.exception("press for %s failed", what)
            self.issuer.abandon()
            self.switch_screen(MessageScreen("out_of_order", t("out_of_order", self.lang)))
            return
        finally:
            self._busy = False
        self.show_result(result)

    def show_result(self, result: PressResult) -> None:
        lang = self.lang
        if result.outcome is Outcome.PRINTED:
            assert result.ticket is not None
            stops = visit_stops(result.visit, self.building) if self.building else ()
            self.switch_screen(ResultScreen(result.ticket, stops))
        elif result.outcome is Outcome.REFUSED and result.lines is not None:
            self.visit_refused(result)
        elif result.outcome is Outcome.REFUSED and result.booking is not None:
            # Any refusal of a check-in, a booking's own or the day's hours (a holiday announced
            # after the booking): on the check-in's answer screen, with "Ketik ulang kode".
            code = result.code or ""
            self.switch_screen(CheckInRefusedScreen(code, result.message, result.details))
        elif result.outcome is Outcome.REFUSED:
            text = refusal_text(result.code, result.message, lang, result.details)
            self.switch_screen(MessageScreen("sorry", text))
        elif result.outcome is Outcome.PRINT_FAILED:
            assert result.printer is not None
            reason = printer_problem(result.printer.state.value, lang)
            booked = bool((result.ticket or {}).get("booking"))
            key = "booking_print_failed" if booked else "print_failed"
            if result.lines is not None:
                key = "visit_print_failed"  # the server ends the whole visit
            self.switch_screen(MessageScreen("sorry", t(key, lang, reason=reason)))
        elif result.outcome is Outcome.SERVER_DOWN:
            body = t("server_down", lang) + "\n" + t("retry_hint", lang)
            self.switch_screen(MessageScreen("out_of_order", body, retry=True))
        else:  # PRINTER_DOWN: nothing was reserved; the maintenance screen says the rest
            self.go_home()
        self._touch()

    def visit_refused(self, result: PressResult) -> None:
        """`issue_visit` said no (a stop's quota or hours changed since the plan): back on the
        plan, which says why on top and asks again, naming the stop and offering to drop it."""
        lang = self.lang
        text = refusal_text(result.code, result.message, lang, result.details)
        service = (result.details or {}).get("service")
        if lang is Lang.EN and isinstance(service, str) and service not in text:
            text = f"{service}: {text}"  # the English words are by code: name the stop
        text = t("visit_refused", lang, reason=text)
        plan = next((s for s in self.screen_stack if isinstance(s, VisitPlanScreen)), None)
        if plan is None:  # pragma: no cover - a visit is printed from its plan
            self.switch_screen(MessageScreen("sorry", text))
            return
        self._back_to(plan)
        plan.refusal(text)

    # -- navigation, idle, language, reprint ------------------------------------------------

    def go_home(self) -> None:
        """Back to the agencies (then out of order, if the kiosk is)."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, AgencyScreen):
            self.pop_screen()
        if not isinstance(self.screen, AgencyScreen):
            self.switch_screen(AgencyScreen())
        self._touch()
        self.update_service()

    def action_back(self) -> None:
        if isinstance(self.screen, LinesScreen | PriorityScreen | VisitAgencyScreen):
            self.pop_screen()
        elif isinstance(self.screen, VisitPlanScreen):
            self.pop_screen()  # to the priority question (or, after a drop, the visit's list)
        elif isinstance(self.screen, CheckInScreen | VisitScreen):
            self.go_home()  # the visit's list: "Batal", nothing was asked of the server
        elif isinstance(self.screen, ResultScreen | MessageScreen | CheckInRefusedScreen):
            self.cancel_press()

    def _touch(self) -> None:
        """Someone is here: restart the idle countdown."""
        if self._idle is not None:
            self._idle.stop()
        self._idle = self.set_timer(self.config.idle_timeout_s, self._idle_timeout)

    def _idle_timeout(self) -> None:
        top = self.screen
        if self._busy or isinstance(top, AgencyScreen | MaintenanceScreen | PrintingScreen):
            self._touch()
            return
        log.info("idle on %s: back to the start", type(top).__name__)
        self.issuer.abandon()
        self.go_home()

    @on(Button.Pressed)
    def _pressed(self) -> None:
        self._touch()

    def on_key(self) -> None:
        self._touch()

    @on(Input.Changed)
    def _typed(self) -> None:
        # A field keeps the keys it takes (they never reach on_key): typing is activity too.
        self._touch()

    def action_toggle_language(self) -> None:
        self.lang = Lang.EN if self.lang is Lang.ID else Lang.ID

    def watch_lang(self) -> None:
        self._touch()
        screen = self.screen if self.is_mounted else None
        if isinstance(screen, KioskScreen) and not isinstance(screen, PrintingScreen):
            screen.call_later(screen.redraw)

    @work(exclusive=True, group="press")
    async def action_reprint(self) -> None:
        if self._busy:
            return
        result = await self.issuer.reprint()
        copy, status = result.copy, result.printer
        if copy is None:
            self.notify("Belum ada tiket untuk dicetak ulang.", severity="warning")
        elif result.refused is not None:
            self.notify(f"Cetak ulang {copy.number} ditolak: {result.refused}", severity="error")
        elif status is None or not status.printable:
            problem = printer_problem(status.state.value) if status else "printer tidak menjawab"
            self.notify(f"Cetak ulang {copy.number} gagal: {problem}", severity="error")
        elif result.recorded:
            self.notify(f"Tiket {copy.number} dicetak ulang dan dicatat.")
        else:
            self.notify(
                f"Tiket {copy.number} dicetak ulang, tetapi server belum mencatatnya.",
                severity="warning",
            )


# The screens where a citizen is choosing: out of order covers them (never a ticket printing).
_CHOOSING = (
    AgencyScreen,
    LinesScreen,
    PriorityScreen,
    CheckInScreen,
    VisitScreen,
    VisitAgencyScreen,
    VisitPlanScreen,
)


def run(config: KioskConfig, printer: Printer) -> int:
    """Run the kiosk full screen until it is stopped (ctrl+q); the exit status."""
    KioskApp(config, printer).run()
    return 0


def _agency_tiles(building: BuildingInfo) -> list[tuple[Any, tuple[str, ...]]]:
    """What the start screen's tiles show: each agency and its lines' letters."""
    return [(a, building.prefixes(a["code"])) for a in building.agencies]
