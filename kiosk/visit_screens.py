"""One visit, several agencies (issue 22): the kiosk's "Beberapa layanan sekaligus" path.

start → `VisitScreen` (the services chosen so far, each with "Hapus"; "Tambah layanan",
"Lanjut: lihat urutan", "Batal") → `VisitAgencyScreen` → `VisitLinesScreen` (agency → line, as
in the single path; a line already chosen is greyed) → back to `VisitScreen` with it added → …
→ "Lanjut" → `VisitPriorityScreen` (the single path's question, for the whole visit) →
`VisitPlanScreen` (`plan_visit` with that priority: the order the kiosk proposes, each stop's
estimated wait, why a dependency decides the order, a stop that cannot be taken now with "Hapus
… dari kunjungan") → "Setuju, cetak tiket" → the app prints (`KioskApp.start_visit`:
`issue_visit` with the same priority, then the printer and confirm_printed / print_failed as
for one ticket).

The priority is asked before the plan because whether a stop can be taken depends on it: a line
whose walk-in numbers are gone still has priority places, and a priority citizen must not be
told "Tidak dapat diambil" for it.

The choice lives in `VisitScreen.lines`, at the bottom of the path's screens: Escape or
"Kembali" goes back one step and keeps it ("Ubah pilihan" on the plan goes back to the list);
"Batal" (or Escape on `VisitScreen`) leaves the path with nothing asked of the server
(`plan_visit` changes nothing). The server has the last word on every rule (how many stops, the
order, quota and hours); the kiosk only keeps the citizen from choosing a line twice or more
than the building's `visit_max_stops` (the snapshot's), and shows the server's refusals in its
words.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, LoadingIndicator, Static

from kiosk.building import short_name
from kiosk.screens import (
    AgencyTilesScreen,
    KioskScreen,
    LinesScreen,
    PriorityScreen,
)
from kiosk.texts import format_duration, priority_label, refusal_text
from server.client import ClientClosed, ConnectionLost, RequestError

__all__ = [
    "VisitAgencyScreen",
    "VisitLinesScreen",
    "VisitPlanScreen",
    "VisitPriorityScreen",
    "VisitScreen",
]


class VisitScreen(KioskScreen):
    """The services chosen for one visit, in the order chosen; add, remove, go on or cancel."""

    AUTO_FOCUS = "#add"

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []  # line prefixes, in the order the citizen chose them

    def compose(self) -> ComposeResult:
        yield Static(self.tr("visit_start"), id="visit-title", classes="title")
        yield Static(self.tr("visit_intro", max=self.visit_max_stops), classes="subtitle")
        with VerticalScroll(id="visit-list"):
            if not self.lines:
                yield Static(self.tr("visit_empty"), id="visit-empty", classes="note")
            for step, prefix in enumerate(self.lines, 1):
                with Horizontal(classes="visit-row"):
                    yield Static(self.line_words(step, prefix), classes="visit-stop")
                    yield Button(self.tr("visit_remove"), id=f"remove-{prefix}", classes="remove")
            if len(self.lines) < 2:
                yield Static(self.tr("visit_need_more"), id="visit-hint", classes="note")
            elif len(self.lines) >= self.visit_max_stops:
                hint = self.tr("visit_full", max=self.visit_max_stops)
                yield Static(hint, id="visit-hint", classes="note")
        with Horizontal(classes="bar"):
            full = len(self.lines) >= self.visit_max_stops
            yield Button(self.tr("visit_add"), id="add", disabled=full)
            enough = len(self.lines) >= 2
            yield Button(self.tr("visit_plan"), id="plan", variant="primary", disabled=not enough)
            yield Button(self.tr("cancel"), id="cancel", classes="home")
        yield Footer()

    def line_words(self, step: int, prefix: str) -> Content:
        """ "1.  B  Dukcapil · Kartu Keluarga dan Pindah Datang"."""
        view = self.kiosk.lines.get(prefix, {})
        agency = self.kiosk.building.agency(view.get("agency", "")) if self.kiosk.building else None
        where = short_name(agency) if agency else view.get("agency", "")
        return Content.assemble(
            f"{step}. ", (f" {prefix} ", "bold reverse"), f"  {where} · {view.get('name', '')}"
        )

    def add_line(self, prefix: str) -> None:
        """A line chosen on the lines screen: added once, then this screen again."""
        if prefix not in self.lines and len(self.lines) < self.visit_max_stops:
            self.lines.append(prefix)
        # The next thing to do has the focus: another service, or the order once there are two.
        self.AUTO_FOCUS = "#plan" if len(self.lines) >= 2 else "#add"
        self.call_later(self.redraw)

    def remove_line(self, prefix: str) -> None:
        if prefix in self.lines:
            self.lines.remove(prefix)
        self.AUTO_FOCUS = "#plan" if len(self.lines) >= 2 else "#add"
        self.call_later(self.redraw)

    @on(Button.Pressed, "#add")
    def add_service(self) -> None:
        self.kiosk.push_screen(VisitAgencyScreen(len(self.lines) + 1))

    @on(Button.Pressed, ".remove")
    def remove_service(self, event: Button.Pressed) -> None:
        self.remove_line((event.button.id or "").removeprefix("remove-"))

    @on(Button.Pressed, "#plan")
    def see_order(self) -> None:
        """ "Lanjut": the priority question first, then the plan made for that answer."""
        if len(self.lines) >= 2:
            self.kiosk.push_screen(VisitPriorityScreen(tuple(self.lines)))

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.kiosk.go_home()


class VisitAgencyScreen(AgencyTilesScreen):
    """The agency of the visit's next service: the start's tiles, without its other ways."""

    def __init__(self, step: int) -> None:
        super().__init__()
        self.step = step

    def compose(self) -> ComposeResult:
        yield Static(self.tr("visit_start"), classes="title")
        with VerticalScroll(id="agencies"):
            yield from self.agency_tiles(self.tr("visit_choose_agency", n=self.step))
        with Horizontal(classes="bar"):
            yield Button(self.tr("back"), id="back", classes="back")
        yield Footer()

    @on(Button.Pressed, ".agency")
    def choose(self, event: Button.Pressed) -> None:
        code = (event.button.id or "").removeprefix("agency-")
        self.kiosk.push_screen(VisitLinesScreen(code))

    @on(Button.Pressed, "#back")
    def back(self) -> None:
        self.kiosk.action_back()


class VisitLinesScreen(LinesScreen):
    """An agency's lines for the visit, as in the single path; a line already in the visit is
    greyed ("Sudah dipilih"). Choosing one adds it and returns to the visit's list."""

    def chosen(self) -> list[str]:
        visit = self.kiosk.visit_screen()
        return visit.lines if visit is not None else []

    def usable(self, view: dict[str, Any]) -> bool:
        return super().usable(view) and view["prefix"] not in self.chosen()

    def label(self, view: dict[str, Any]) -> Content:
        if view["prefix"] in self.chosen():
            head = Content.assemble((f" {view['prefix']} ", "bold reverse"), f"  {view['name']}")
            return Content.assemble(head, "\n", self.tr("visit_chosen"))
        return super().label(view)

    @on(Button.Pressed, ".line")
    def choose(self, event: Button.Pressed) -> None:
        event.prevent_default()  # not LinesScreen's choice: no priority question per line
        prefix = (event.button.id or "").removeprefix("line-")
        self.kiosk.visit_line_chosen(prefix)


class VisitPlanScreen(KioskScreen):
    """The order the kiosk proposes (`plan_visit`), each stop's wait and the why; accept it,
    drop a stop that cannot be taken now, or go back and change the choice."""

    AUTO_FOCUS = "#accept"

    def __init__(self, lines: tuple[str, ...], priority: str | None = None) -> None:
        super().__init__()
        self.lines = lines  # as chosen
        self.priority = priority  # the citizen's answer to the priority question (None: no)
        self.plan: dict[str, Any] | None = None  # the server's answer, once it came
        self.failure: str | None = None  # why there is no plan (in the citizen's language)
        self.retry = False  # the failure was the network's: "Coba lagi" may help
        self.refused: str | None = None  # issue_visit's refusal that brought the citizen back

    def compose(self) -> ComposeResult:
        yield Static(self.tr("visit_plan_title"), id="plan-title", classes="title")
        if self.priority is not None:
            group = priority_label(self.priority, lang=self.kiosk.lang)
            yield Static(self.tr("visit_as_priority", group=group), id="plan-priority")
        if self.refused:
            yield Static(self.refused, id="visit-refused", classes="problem")
        plan = self.plan
        with VerticalScroll(id="plan-stops"):
            if plan is None and self.failure is None:
                with Vertical(id="planning"):
                    yield Static(self.tr("visit_planning"), classes="subtitle")
                    yield LoadingIndicator()
            elif plan is None:
                yield Static(self.failure or "", id="plan-failure", classes="message")
            else:
                yield from self.stops(plan)
        with Horizontal(classes="bar"):
            if plan is not None:
                blocked = any(stop.get("problem") for stop in plan["stops"])
                yield Button(
                    self.tr("visit_accept"), id="accept", variant="primary", disabled=blocked
                )
            elif self.retry:
                yield Button(self.tr("retry"), id="again", variant="primary")
            yield Button(self.tr("visit_change"), id="back", classes="back")
            yield Button(self.tr("cancel"), id="cancel", classes="home")
        yield Footer()

    def stops(self, plan: dict[str, Any]) -> ComposeResult:
        """One block per stop in the proposed order; the reasons; the total."""
        stops = plan["stops"]
        names = {stop["line"]: stop.get("name", stop["line"]) for stop in stops}
        lang = self.kiosk.lang
        for step, stop in enumerate(stops, 1):
            where = self.agency_name(stop)
            rows: list[Content | str] = [
                Content.assemble(
                    (f"{step}. ", "bold"),
                    (f" {stop['line']} ", "bold reverse"),
                    (f"  {where} · {stop.get('name', '')}", "bold"),
                ),
                "\n" + self.tr("visit_step_wait", duration=format_duration(stop["wait_s"], lang)),
            ]
            if step > 1:
                rows.append(" · " + self.tr("visit_later", k=step - 1))
            for before in stop.get("requires") or []:
                reason = self.tr("visit_reason", after=where, before=names.get(before, before))
                rows.append("\n" + reason)
            problem = stop.get("problem")
            classes = "plan-stop"
            if problem:
                rows.append("\n" + self.tr("visit_problem", problem=problem))
                classes += " has-problem"
            yield Static(Content.assemble(*rows), id=f"stop-{stop['line']}", classes=classes)
            if problem:
                label = self.tr("visit_drop", line=f"{where} · {stop.get('name', '')}")
                yield Button(label, id=f"drop-{stop['line']}", classes="drop")
        if self.reordered_for_time(plan):
            yield Static(self.tr("visit_shortest"), id="plan-shortest", classes="note")
        total = format_duration(plan.get("total_s"), lang)
        yield Static(self.tr("visit_total", duration=total), id="plan-total", classes="subtitle")
        if any(stop.get("problem") for stop in stops):
            yield Static(self.tr("visit_fix_first"), id="plan-fix", classes="problem")

    def reordered_for_time(self, plan: dict[str, Any]) -> bool:
        """Whether the proposed order swaps two services the citizen chose the other way round
        without one needing the other: then the order is the quickest one, and is said so."""
        order = list(plan["order"])
        needs = {stop["line"]: set(stop.get("requires") or ()) for stop in plan["stops"]}
        for i, first in enumerate(order):
            for later in order[i + 1 :]:
                swapped = self.lines.index(later) < self.lines.index(first)
                if swapped and first not in needs.get(later, set()):
                    return True
        return False

    def agency_name(self, stop: dict[str, Any]) -> str:
        building = self.kiosk.building
        agency = building.agency(stop.get("agency", "")) if building else None
        return short_name(agency) if agency else str(stop.get("agency", ""))

    def on_mount(self) -> None:
        self.ask()

    @work(exclusive=True, group="plan")
    async def ask(self) -> None:
        """`plan_visit` (changes nothing on the server), then show its answer."""
        app = self.kiosk
        self.plan, self.failure, self.retry = None, None, False
        try:
            self.plan = await app.client.request(
                "plan_visit",
                lines=list(self.lines),
                priority=self.priority,  # a priority citizen may take priority places
                timeout=app.config.issue_timeout_s,
            )
        except RequestError as exc:
            details = exc.reply.get("details")
            facts = details if isinstance(details, dict) else None
            self.failure = refusal_text(exc.code, exc.message, app.lang, facts)
        except (TimeoutError, ConnectionLost, ClientClosed):
            self.failure = self.tr("server_down")
            self.retry = True
        # The keyboard lands on what to do next: accept, drop the stop that cannot be taken,
        # try again, or change the choice.
        if self.plan is not None:
            problem = any(stop.get("problem") for stop in self.plan["stops"])
            self.AUTO_FOCUS = ".drop" if problem else "#accept"
        else:
            self.AUTO_FOCUS = "#again" if self.retry else "#back"
        await self.redraw()

    def accepted_order(self) -> tuple[str, ...]:
        assert self.plan is not None
        return tuple(self.plan["order"])

    @on(Button.Pressed, "#accept")
    def accept(self) -> None:
        if self.plan is None or any(stop.get("problem") for stop in self.plan["stops"]):
            return
        self.kiosk.start_visit(self.accepted_order(), self.priority)

    @on(Button.Pressed, ".drop")
    def drop(self, event: Button.Pressed) -> None:
        prefix = (event.button.id or "").removeprefix("drop-")
        self.kiosk.visit_drop(prefix, self.priority)

    @on(Button.Pressed, "#again")
    def again(self) -> None:
        self.ask()
        self.call_later(self.redraw)

    @on(Button.Pressed, "#back")
    def back(self) -> None:
        """ "Ubah pilihan": the visit's list, as chosen (Escape goes back to the question)."""
        self.kiosk.visit_change()

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.kiosk.go_home()

    def refusal(self, text: str) -> None:
        """`issue_visit` said no (a stop's quota went while the citizen chose): say so on top
        and ask for the plan again, which names the stop and offers to drop it."""
        self.refused = text
        self.ask()


class VisitPriorityScreen(PriorityScreen):
    """The single path's priority question, for the whole visit; then the plan for that answer.

    "Tidak" is always offered, even when a chosen line has only priority places left (the
    single path then leaves it out, as such a ticket could only be refused): here the plan
    names that stop and offers to drop it, and the citizen keeps the rest of the visit."""

    def __init__(self, lines: tuple[str, ...]) -> None:
        super().__init__(lines[0])
        self.visit_lines = lines  # as chosen; the plan proposes their order

    def heading(self) -> str:
        """The visit's services as chosen, not its first line alone."""
        views = [self.kiosk.lines.get(prefix, {}) for prefix in self.visit_lines]
        return " + ".join(f"{v.get('prefix', '?')} · {v.get('name', '')}" for v in views)

    @on(Button.Pressed, ".prio")
    def choose(self, event: Button.Pressed) -> None:
        event.prevent_default()  # the visit's answer, not PriorityScreen's single ticket
        group = (event.button.id or "").removeprefix("prio-")
        priority = None if group == "none" else group
        self.kiosk.push_screen(VisitPlanScreen(self.visit_lines, priority))
