"""The kiosk's screens, one per step: agencies → lines → priority → printing → result.

(A booked citizen's way, from the start's "Sudah pesan online" button, is kiosk/checkin_screens.py;
a visit of several services, from "Beberapa layanan sekaligus", is kiosk/visit_screens.py.)

Plus a message screen (refusals, a failed print, an outage during a press) and the maintenance
screen shown while the server or the printer is down. Screens read what they show from the app
(`KioskApp.building`, `.lines`, `.lang`) and tell it what the citizen chose; the app owns the
network, the printer and the navigation. All words come from `kiosk.texts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, LoadingIndicator, Static

from kiosk.bigtext import big_text
from kiosk.booking_code import show_code
from kiosk.building import VISIT_MAX_STOPS, badge, short_name
from kiosk.texts import (
    PRIORITY_CHOICES,
    Lang,
    days_in,
    format_duration,
    printer_problem,
    priority_label,
    refusal_text,
    t,
)
from kiosk.ticket import VisitStop
from server.client import ConnectionState

if TYPE_CHECKING:
    from kiosk.app import KioskApp

__all__ = [
    "AgencyScreen",
    "AgencyTilesScreen",
    "KioskScreen",
    "LinesScreen",
    "MaintenanceScreen",
    "MessageScreen",
    "PrintingScreen",
    "PriorityScreen",
    "ResultScreen",
    "line_is_open",
    "priority_only",
]


def priority_only(view: dict[str, Any]) -> bool:
    """Walk-in quota gone but priority quota left: only priority visitors may still take one."""
    left = view.get("quota_left_priority")
    return view.get("refusal_code") == "quota_exhausted" and (left is None or left > 0)


def line_is_open(view: dict[str, Any]) -> bool:
    return bool(view.get("issuing")) or priority_only(view)


def off_today(views: list[dict[str, Any]], lang: Lang) -> str | None:
    """What an agency's tile says when none of its lines serves today (a part-week agency on
    another day): "Tutup hari ini · buka Senin–Kamis"; None when any of them does."""
    if not views or any(v.get("refusal_code") != "service_off_day" for v in views):
        return None
    days = {days_in(v.get("refusal_message") or "", lang, with_hours=False) for v in views}
    if len(days) == 1 and "" not in days:
        return t("off_today_days", lang, days=days.pop())
    return t("off_today", lang)


class KioskScreen(Screen[None]):
    """A screen that knows its app and re-composes itself when the language changes."""

    # A scan on a screen without the code field (a booked citizen who did not touch "Sudah
    # pesan online" first, or the next citizen while the last one's answer is still up): the
    # scanner's characters would be dropped and its Enter would press the focused button —
    # open the first agency, or print a "Lansia" ticket on the priority question. On the
    # screens that take a scan, characters typed and then Enter are a booking code instead:
    # the Enter is kept from the button, and the code is checked in (`scanned`).
    TAKES_SCAN: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self._scanned = ""  # characters typed here since the last other key (TAKES_SCAN)

    @property
    def kiosk(self) -> KioskApp:
        return self.app  # type: ignore[return-value]

    def tr(self, key: str, **params: object) -> str:
        return t(key, self.kiosk.lang, **params)

    @property
    def visit_max_stops(self) -> int:
        """How many services one visit may hold: the building's figure from the snapshot."""
        building = self.kiosk.building
        return building.visit_max_stops if building is not None else VISIT_MAX_STOPS

    async def redraw(self) -> None:
        """Compose again (new language, or the building just arrived), keeping a focus."""
        await self.recompose()
        if isinstance(self.AUTO_FOCUS, str):
            for widget in self.query(self.AUTO_FOCUS):
                if widget.focusable:
                    widget.focus()
                    break

    def on_key(self, event: events.Key) -> None:
        """On a choosing screen, characters then Enter are a scan (see `TAKES_SCAN`)."""
        if not self.TAKES_SCAN:
            return
        if event.is_printable and event.character:
            self._scanned += event.character
        elif event.key == "enter" and self._scanned:
            event.stop()  # before it reaches the app, where it would press the focused button
            event.prevent_default()
            typed, self._scanned = self._scanned, ""
            self.scanned(typed)
        else:
            self._scanned = ""

    def scanned(self, typed: str) -> None:
        """A code scanned here: check it in on a check-in screen opened over this one."""
        self.kiosk.open_check_in(typed)


class AgencyTilesScreen(KioskScreen):
    """Every agency as a tile, grouped by zone, with its ticket letters and short name: the
    start, and the agency step of a visit's choice (kiosk/visit_screens.py)."""

    AUTO_FOCUS = ".agency"  # a keyboard user starts on the first agency
    TAKES_SCAN = True

    def agency_tiles(self, prompt: str) -> ComposeResult:
        """The zones and their agencies' tiles under `prompt` (the building is known)."""
        building = self.kiosk.building
        assert building is not None
        yield Static(prompt, classes="subtitle")
        for zone_id, zone_name in building.zones:
            agencies = [a for a in building.agencies if a.get("zone") == zone_id]
            if not agencies:
                continue
            yield Static(zone_name, classes="zone")
            with Grid(classes="agency-grid"):
                for a in agencies:
                    note = self.note(a["code"])
                    yield Button(
                        self.label(a, note),
                        id=f"agency-{a['code']}",
                        classes="agency off-today" if note else "agency",
                    )

    def note(self, agency: str) -> str | None:
        """The tile's note when the agency does not serve today."""
        views = [v for v in self.kiosk.lines.values() if v.get("agency") == agency]
        return off_today(views, self.kiosk.lang)

    def label(self, agency: Any, note: str | None) -> Content:
        building = self.kiosk.building
        letters = badge(agency, building.prefixes(agency["code"]) if building else ())
        head = Content.assemble((f" {letters:^4} ", "bold reverse"), f"  {short_name(agency)}")
        return Content.assemble(head, f"\n{note}") if note else head

    def refresh_lines(self) -> None:
        """A part-week agency's tile says so, in place, as the line figures change (midnight)."""
        building = self.kiosk.building
        for button in self.query(".agency").results(Button):
            code = (button.id or "").removeprefix("agency-")
            agency = building.agency(code) if building else None
            if agency is None:
                continue
            note = self.note(agency["code"])
            button.label = self.label(agency, note)
            button.set_class(note is not None, "off-today")


class AgencyScreen(AgencyTilesScreen):
    """The start: every agency, grouped by zone; "Sudah pesan online" and "Beberapa layanan
    sekaligus" (one visit, several agencies; also F3) under them."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("f3", "app.visit", "Beberapa layanan")]

    def compose(self) -> ComposeResult:
        building = self.kiosk.building
        self.has_building = building is not None
        name = building.name if building else "Antre"
        yield Static(self.tr("welcome", building=name), id="welcome", classes="title")
        with VerticalScroll(id="agencies"):
            if building is None:
                yield Static(self.tr("connecting"), id="connecting", classes="subtitle")
            else:
                yield from self.agency_tiles(self.tr("choose_agency"))
        with Horizontal(classes="bar"):
            if building is not None:
                # As tall as the agencies' tiles and always in sight, under them: a booked
                # citizen has nothing to choose among them.
                label = Content.assemble(
                    (self.tr("booked_online"), "bold"), "\n", self.tr("booked_online_note")
                )
                yield Button(label, id="booked", variant="primary")
                several = Content.assemble(
                    (self.tr("visit_start"), "bold"),
                    "\n",
                    self.tr("visit_start_note", max=self.visit_max_stops),
                )
                yield Button(several, id="visit")
            yield Button(self.tr("switch_language"), id="lang", classes="lang")
        yield Footer()

    def on_mount(self) -> None:
        self.building_arrived()  # it may have come while this screen was being composed

    def building_arrived(self) -> None:
        """Show the agencies once the server's snapshot is here (the start says "connecting")."""
        if not getattr(self, "has_building", True) and self.kiosk.building is not None:
            self.has_building = True
            self.call_later(self.redraw)

    @on(Button.Pressed, ".agency")
    def choose(self, event: Button.Pressed) -> None:
        code = (event.button.id or "").removeprefix("agency-")
        self.kiosk.push_screen(LinesScreen(code))

    @on(Button.Pressed, "#lang")
    def switch_language(self) -> None:
        self.kiosk.action_toggle_language()

    @on(Button.Pressed, "#booked")
    def booked_online(self) -> None:
        self.kiosk.open_check_in()

    @on(Button.Pressed, "#visit")
    def several_services(self) -> None:
        self.kiosk.action_visit()


class LinesScreen(KioskScreen):
    """An agency's lines: people waiting, estimated wait, quota left; closed ones greyed."""

    AUTO_FOCUS = ".line"
    TAKES_SCAN = True

    def __init__(self, agency: str) -> None:
        super().__init__()
        self.agency = agency

    def compose(self) -> ComposeResult:
        building = self.kiosk.building
        agency = building.agency(self.agency) if building else None
        title = short_name(agency) if agency else self.agency
        yield Static(self.tr("choose_line", agency=title), id="line-title", classes="title")
        with VerticalScroll(id="lines"):
            for prefix, view in self.kiosk.lines.items():
                if view.get("agency") == self.agency:
                    usable = self.usable(view)
                    yield Button(
                        self.label(view),
                        id=f"line-{prefix}",
                        classes="line" if usable else "line closed",
                        disabled=not usable,
                    )
        with Horizontal(classes="bar"):
            yield Button(self.tr("back"), id="back", classes="back")
        yield Footer()

    def usable(self, view: dict[str, Any]) -> bool:
        """Whether the line may be chosen here (a visit's choice also leaves out the chosen)."""
        return line_is_open(view)

    def label(self, view: dict[str, Any]) -> Content:
        head = Content.assemble((f" {view['prefix']} ", "bold reverse"), f"  {view['name']}")
        lang = self.kiosk.lang
        if not line_is_open(view):
            code = view.get("refusal_code")
            reason = refusal_text(code, view.get("refusal_message"), lang)
            if code == "service_off_day":  # "Hari ini tidak melayani — buka …" says it all
                return Content.assemble(head, "\n", reason)
            return Content.assemble(head, "\n", f"{self.tr('closed')}: {reason}")
        facts = [self.tr("waiting", n=view.get("waiting", 0))]
        if view.get("estimated_wait_s") is not None:  # none while no counter is open: see below
            wait = format_duration(view["estimated_wait_s"], lang)
            facts.append(self.tr("estimated_wait", duration=wait))
        if view.get("quota_left_walk_in") is not None:
            facts.append(self.tr("quota_left", n=view["quota_left_walk_in"]))
        lines = [" · ".join(facts)]
        if priority_only(view):
            lines = [self.tr("priority_only")]
        elif not view.get("counters_open"):
            lines.append(self.tr("no_counter_open"))
        return Content.assemble(head, *("\n" + line for line in lines))

    def refresh_lines(self) -> None:
        """Show the newest figures the server pushed, in place (focus stays where it is)."""
        for button in self.query(".line").results(Button):
            view = self.kiosk.lines.get((button.id or "").removeprefix("line-"))
            if view is None:
                continue
            button.label = self.label(view)
            button.disabled = not self.usable(view)
            button.set_class(not self.usable(view), "closed")

    @on(Button.Pressed, ".line")
    def choose(self, event: Button.Pressed) -> None:
        prefix = (event.button.id or "").removeprefix("line-")
        view = self.kiosk.lines.get(prefix, {})
        self.kiosk.push_screen(PriorityScreen(prefix, only_priority=priority_only(view)))

    @on(Button.Pressed, "#back")
    def back(self) -> None:
        self.kiosk.action_back()


class PriorityScreen(KioskScreen):
    """The question "Apakah Anda termasuk layanan prioritas?": four groups, or no."""

    AUTO_FOCUS = ".prio"
    TAKES_SCAN = True

    def __init__(self, line: str, *, only_priority: bool = False) -> None:
        super().__init__()
        self.line = line
        self.only_priority = only_priority

    def compose(self) -> ComposeResult:
        yield Static(self.heading(), id="prio-line", classes="subtitle")
        yield Static(self.tr("ask_priority"), id="prio-title", classes="title")
        with Grid(id="priorities"):
            for group in PRIORITY_CHOICES:
                yield Button(
                    priority_label(group, lang=self.kiosk.lang),
                    id=f"prio-{group}",
                    classes="prio",
                )
        if not self.only_priority:
            yield Button(self.tr("prio_none"), id="prio-none", classes="prio", variant="primary")
        yield Static(self.tr("priority_note"), classes="note")
        with Horizontal(classes="bar"):
            yield Button(self.tr("back"), id="back", classes="back")
        yield Footer()

    def heading(self) -> str:
        """What the question is about: "A · Perekaman dan Cetak KTP-el"."""
        return f"{self.line} · {self.kiosk.lines.get(self.line, {}).get('name', '')}"

    @on(Button.Pressed, ".prio")
    def choose(self, event: Button.Pressed) -> None:
        group = (event.button.id or "").removeprefix("prio-")
        self.kiosk.start_press(self.line, None if group == "none" else group)

    @on(Button.Pressed, "#back")
    def back(self) -> None:
        self.kiosk.action_back()


class PrintingScreen(KioskScreen):
    """While the printer checks, the server reserves and the ticket prints (or, "checking",
    while the server looks at a booking first)."""

    def __init__(self, title_key: str = "printing") -> None:
        super().__init__()
        self.title_key = title_key

    def compose(self) -> ComposeResult:
        with Vertical(id="printing-box"):
            yield Static(self.tr(self.title_key), id="printing", classes="title")
            yield LoadingIndicator()


class ResultScreen(KioskScreen):
    """The result: "Silakan ambil tiket Anda", the number large, then back to the start."""

    TAKES_SCAN = True  # the next citizen may scan before this one's number has gone

    def __init__(self, ticket: dict[str, Any], stops: tuple[VisitStop, ...] = ()) -> None:
        super().__init__()
        self.ticket = ticket
        self.stops = stops  # a visit's stops, as its paper lists them; () for one service

    def compose(self) -> ComposeResult:
        ticket = self.ticket
        yield Static(self.tr("take_ticket"), id="result-title", classes="title")
        with Center():
            yield Static(big_text(ticket["number"]), id="big-number")
        yield Static(ticket["number"], id="number")
        yield Static(ticket.get("line_name", ""), id="result-line", classes="subtitle")
        booking = ticket.get("booking")
        if isinstance(booking, dict) and booking.get("slot"):
            slot = self.tr("booked_slot", slot=booking["slot"])
            yield Static(slot, id="result-booking", classes="subtitle")
        if isinstance(booking, dict) and isinstance(booking.get("code"), str):
            # The server sends the code bare (K7QM4TXA); people read it as on their booking.
            code = self.tr("booked_code", code=show_code(booking["code"]))
            yield Static(code, id="result-code", classes="subtitle")
        if ticket.get("priority"):
            yield Static(priority_label(ticket["priority"], lang=self.kiosk.lang), classes="note")
        ahead = self.tr("people_ahead", n=ticket.get("people_ahead", 0))
        seconds = ticket.get("estimated_wait_s")
        if seconds is None:  # no counter serving the line is open: no figure is promised
            wait = self.tr("wait_for_counter")
        else:
            wait = self.tr("estimated_wait", duration=format_duration(seconds, self.kiosk.lang))
        yield Static(f"{ahead} · {wait}", id="result-ahead", classes="subtitle")
        if self.stops:
            with Center():
                yield Static(self.itinerary(), id="result-visit", classes="itinerary")
        yield Static(self.tr("wait_called"), id="wait-called", classes="subtitle")
        with Horizontal(classes="bar"):
            yield Button(self.tr("done"), id="done", classes="home", variant="primary")

    def itinerary(self) -> Content:
        """ "Kunjungan Anda:" and the stops, as on the paper (the first one in bold)."""
        lang = self.kiosk.lang
        rows: list[Content | str] = [Content.styled(self.tr("visit_yours"), "bold")]
        for step, stop in enumerate(self.stops, 1):
            what = f"{step}. {stop.agency} · {stop.service}"
            if step == 1:
                when = t("visit_now", lang, number=stop.number or "")
            else:
                when = t("visit_later", lang, k=step - 1)
            rows += ["\n", Content.styled(what, "bold" if step == 1 else ""), f"\n   {when}"]
        rows += ["\n", self.tr("visit_auto")]
        return Content.assemble(*rows)

    def on_mount(self) -> None:
        self.set_timer(self.kiosk.config.result_timeout_s, self.kiosk.go_home)

    @on(Button.Pressed, "#done")
    def done(self) -> None:
        self.kiosk.go_home()

    def scanned(self, typed: str) -> None:
        self.kiosk.go_home()  # this citizen is done: the next one's check-in from the start
        self.kiosk.open_check_in(typed)


class MessageScreen(KioskScreen):
    """A plain refusal or failure, with the way back (and a retry when one makes sense)."""

    def __init__(self, title_key: str, body: str, *, retry: bool = False) -> None:
        super().__init__()
        self.title_key = title_key
        self.body = body  # already in the citizen's language
        self.retry = retry

    def compose(self) -> ComposeResult:
        yield Static(self.tr(self.title_key), id="message-title", classes="title")
        yield Static(self.body, id="message-body", classes="message")
        with Horizontal(classes="bar"):
            if self.retry:
                yield Button(self.tr("retry"), id="retry", variant="primary")
                yield Button(self.tr("cancel"), id="home", classes="home")
            else:
                yield Button(self.tr("back"), id="home", classes="home", variant="primary")

    @on(Button.Pressed, "#retry")
    def again(self) -> None:
        self.kiosk.retry_press()

    @on(Button.Pressed, "#home")
    def home(self) -> None:
        self.kiosk.cancel_press()


class MaintenanceScreen(KioskScreen):
    """Out of order: says so plainly, names the cause for the staff, and waits for recovery."""

    def compose(self) -> ComposeResult:
        with Vertical(id="maintenance"):
            yield Static(self.tr("out_of_order"), id="out-of-order", classes="title")
            yield Static(self.detail(), id="detail", classes="message")
            yield Static(self.tr("recovers"), classes="note")

    def detail(self) -> str:
        app = self.kiosk
        parts = []
        if app.connection is ConnectionState.CLOSED:
            parts.append(self.tr("server_refused"))
        elif not app.server_ok:
            parts.append(self.tr("server_down"))
        status = app.issuer.printer_status if app.issuer else None
        if status is not None and not status.printable:
            reason = printer_problem(status.state.value, app.lang)
            parts.append(self.tr("printer_down", reason=reason))
        return "\n".join(parts)

    def on_mount(self) -> None:
        # While out of order, look at the printer more often: the staff just changed the roll.
        self.set_interval(self.kiosk.config.printer_recheck_s, self.kiosk.poll_printer)

    def refresh_detail(self) -> None:
        for detail in self.query("#detail").results(Static):  # none before the first compose
            detail.update(self.detail())
