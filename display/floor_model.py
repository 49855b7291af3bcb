"""The floor manager's picture of the building: a copy of today kept from a snapshot and events.

Theory of operation: `FloorModel` is fed the frames a floor session receives (`snapshot`,
`event`, `lines`, `alert` — a printer's, or the ids whose PIN is being guessed —, `synced`, and
`presence`) through `handle(msg, now)`, and
answers questions with the time passed in: `lines(now)`, `counter_figures()`, `alerts(now)`,
`waiting_list(prefix, now)`, `chart(now)`. It keeps its own light copy of today's tickets and
counters, moved by the same events the core emits, so every count and wait is exact to the last
event and nothing here reads a clock, a socket or the server's code (clients import only
`server.protocol` and `server.client`). Each question is answered by the module of its job:
display/floor_figures.py (lines, counters, agencies, the waiting list), display/floor_alerts.py
and display/floor_chart.py; the citizen's voice (issue 20) by display/floor_survey.py (today's
IKM) and display/floor_complaints.py (complaints and their deadlines), whose state spans days
as the server's survey and complaint books do; today's visits of several stops (issue 22) by
display/floor_visits.py; the officers' counter-closure requests (issue 23) by
display/floor_closures.py, kept from the snapshot's counters' `closure` and three events.

The staffing hint is the server's arithmetic, not a copy of it: each `lines` push carries the
line's arrival rate, its expected service time (the figure behind the server's own wait
estimates) and the Erlang C mean wait with c counters for each stable c, all from
`server.core.estimates`, and the dashboard picks the fewest counters within its target. The
target wait stays a dashboard setting (`--target-wait-min`, 30 as in the reports): the building
has no mean-wait target, and its `max_wait_min` is another figure (the calling policy's bound on
any one citizen's wait, 60 by default), so computing the hint against it would double the target
behind the manager's back. The hint therefore moves with each `lines` push (after changes, and
every 15 s with the clock), not with each event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from display.floor_alerts import Alert, AlertKind, find_alerts
from display.floor_chart import half_hour_chart
from display.floor_closures import ClosureBook, ClosureRow, closure_rows
from display.floor_complaints import ComplaintDesk, ComplaintRow, complaint_rows
from display.floor_figures import (
    CounterFigures,
    LineFigures,
    WaitingTicket,
    agency_rows,
    counter_figures,
    line_figures,
    waiting_list,
)
from display.floor_survey import SkmRow, SkmToday, survey_rows
from display.floor_visits import (
    VISIT_MOVES,
    VisitBook,
    VisitFigures,
    VisitRow,
    visit_figures,
    visit_rows,
)
from server import protocol as p

__all__ = ["REMOVED_LINE_NAME", "FloorModel", "FloorSettings"]

# Ticket states that are in the queue or past it: the ticket printed.
_IN_QUEUE = frozenset({"waiting", "called", "serving", "done", "no_show"})

# The name shown for a line that today's tickets use but the building file no longer has.
REMOVED_LINE_NAME = "{} (tidak ada lagi di berkas gedung)"


@dataclass(frozen=True, slots=True)
class FloorSettings:
    """The dashboard's thresholds; docs/operations.md ("Floor dashboard") explains each."""

    wait_alert_min: float = 60.0  # a line's wait threshold when the building gives none
    target_wait_min: float = 30.0  # the wait the staffing hint keeps the mean under
    service_over_factor: float = 2.0  # "far over the target": this many times the target
    pause_alert_min: float = 30.0  # a pause longer than this is an alert
    silent_after_s: float = 60.0  # a kiosk or TV disconnected this long is an alert
    # A complaint's deadline is warned of from this many working days before it, when the
    # snapshot does not give the building's own `[complaints] warn_days`.
    complaint_warn_days: int = 1


@dataclass(slots=True)
class _Ticket:
    id: str
    number: str
    line: str
    state: str
    priority: str | None
    issued_at: datetime
    queued_at: datetime
    counter: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    wait_start: datetime | None = None  # start of the current waiting period, when waiting
    # Checked in from an online booking: its code and its slot's start (= queued_at).
    booking: str | None = None
    slot: datetime | None = None
    printed: bool = False  # it entered the queue (the booked/walk-in split counts these)


@dataclass(slots=True)
class _Counter:
    id: str
    state: str = "closed"
    officer: str | None = None
    since: datetime | None = None
    pause_reason: str | None = None
    ticket: str | None = None


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _wait_start(issued_at: datetime, slot: datetime | None) -> datetime:
    """Where a ticket's first wait starts: its issue, or for a booked ticket its slot's start
    (its check-in when that was later): as `antre report` measures it (docs/reports.md)."""
    return issued_at if slot is None else max(issued_at, slot)


@dataclass(slots=True)
class FloorModel:
    """Today's building as a floor manager sees it; fed frames, asked with `now`."""

    settings: FloorSettings = field(default_factory=FloorSettings)
    building: dict[str, Any] = field(default_factory=dict)
    day: str | None = None
    tz: tzinfo = timezone(timedelta(hours=7))
    tickets: dict[str, _Ticket] = field(default_factory=dict)
    counters: dict[str, _Counter] = field(default_factory=dict)
    # The server's `lines` figures by prefix: quota left, issuing and the
    # staffing hint's inputs come from there.
    line_push: dict[str, dict[str, Any]] = field(default_factory=dict)
    printers: dict[str, dict[str, Any]] = field(default_factory=dict)
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)  # from `presence`
    # The ids someone is guessing the PIN of, as the last `pin_guessing` alert listed them.
    pin_guessing: list[dict[str, Any]] = field(default_factory=list)
    # The building's delivery destinations (issue 21): the snapshot's `deliveries`, and the
    # ones whose alert is up, as the last `delivery` alert listed them.
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    delivery_alerts: list[dict[str, Any]] = field(default_factory=list)
    # Completed waits and services per line, (end instant, seconds), in the order they ended.
    waits: dict[str, list[tuple[datetime, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    services: dict[str, list[tuple[datetime, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    no_shows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # When each alert's condition was first seen, for the ones that start with an event.
    alert_starts: dict[tuple[AlertKind, str], datetime] = field(default_factory=dict)
    # The citizen's voice (issue 20): today's SKM counts, and the complaints not closed (and
    # those closed today). Both span what the server's books keep, not only today's tickets.
    skm: SkmToday = field(default_factory=SkmToday)
    complaints: ComplaintDesk = field(default_factory=ComplaintDesk)
    # Today's visits of several stops (issue 22): display/floor_visits.py.
    visits: VisitBook = field(default_factory=VisitBook)
    # Counter-closure requests pending or approved (issue 23): display/floor_closures.py.
    closures: ClosureBook = field(default_factory=ClosureBook)

    # -- feeding -----------------------------------------------------------------------------

    def handle(self, msg: Mapping[str, Any], now: datetime) -> bool:
        """Take one pushed frame; True if the picture may have changed."""
        kind = msg.get("type")
        if kind == "snapshot":
            self.load_snapshot(msg)
            self.alerts(now)
        elif kind == "event":
            event = msg.get("event") or {}
            self.apply(event)
            self.alerts(_dt(event.get("at")) or now)
        elif kind == "lines":
            self.line_push.update({ln["prefix"]: ln for ln in msg.get("lines", [])})
        elif kind == "alert" and msg.get("alert") == "printer":
            self.printers[msg["kiosk"]] = {k: msg.get(k) for k in ("status", "detail", "at")}
            self.alerts(now)
        elif kind == "presence":
            self.devices.update({d["id"]: d for d in msg.get("devices", [])})
            self.alerts(now)
        elif kind == "alert" and msg.get("alert") == "pin_guessing":
            self.pin_guessing = [g for g in msg.get("guessing") or [] if isinstance(g, dict)]
        elif kind == "alert" and msg.get("alert") == "delivery":
            listed = [d for d in msg.get("destinations") or [] if isinstance(d, dict)]
            self.delivery_alerts = listed
            by_id = {d.get("id"): d for d in listed}
            self.deliveries = [by_id.get(d.get("id"), d) for d in self.deliveries]
        elif kind == "synced":
            # A new session: the server sends the lists again right after this if they are not
            # empty, so lists kept from before a reconnect may be over.
            self.pin_guessing = []
            self.delivery_alerts = []
        else:
            return False
        return True

    def load_snapshot(self, snap: Mapping[str, Any]) -> None:
        """Start over from a floor snapshot."""
        self.building = dict(snap.get("building") or {})
        self.day = snap.get("day")
        self.tz = timezone(timedelta(minutes=self.building.get("utc_offset_min", 7 * 60)))
        self.tickets.clear()
        self.waits.clear()
        self.services.clear()
        self.no_shows.clear()
        self.alert_starts.clear()
        self.deliveries = [d for d in snap.get("deliveries") or [] if isinstance(d, dict)]
        self.counters = {c["id"]: _Counter(c["id"]) for c in self.building.get("counters", [])}
        for c in snap.get("counters", []):
            self.counters[c["id"]] = _Counter(
                id=c["id"],
                state=c.get("state", "closed"),
                officer=c.get("officer"),
                since=_dt(c.get("since")),
                pause_reason=c.get("pause_reason"),
                ticket=c.get("ticket"),
            )
        for t in snap.get("tickets", []):
            ticket = _Ticket(
                id=t["id"],
                number=t["number"],
                line=t["line"],
                state=t["state"],
                priority=t.get("priority"),
                issued_at=_dt(t["issued_at"]),  # type: ignore[arg-type]
                queued_at=_dt(t.get("queued_at")) or _dt(t["issued_at"]),  # type: ignore[arg-type]
                counter=t.get("counter"),
                called_at=_dt(t.get("called_at")),
                started_at=_dt(t.get("started_at")),
                finished_at=_dt(t.get("finished_at")),
                booking=t.get("booking"),
                slot=_dt(t.get("slot")),
            )
            # In the queue, or called once: it printed. (A ticket cancelled or expired before
            # any call may or may not have printed; the snapshot does not say, and the split
            # leaves it out. Replayed events, the usual resume, stay exact.)
            ticket.printed = ticket.state in _IN_QUEUE or ticket.called_at is not None
            start = (
                ticket.queued_at
                if ticket.slot is None
                else _wait_start(ticket.issued_at, ticket.slot)
            )
            if ticket.state == "waiting":
                ticket.wait_start = start
            # The snapshot keeps the last call only: a ticket transferred or reactivated counts
            # one wait, from its queue time. Replayed events (the usual resume) stay exact.
            if ticket.called_at is not None:
                self.waits[ticket.line].append(
                    (ticket.called_at, max(0.0, (ticket.called_at - start).total_seconds()))
                )
            if ticket.finished_at is not None and ticket.started_at is not None:
                self.services[ticket.line].append(
                    (ticket.finished_at, (ticket.finished_at - ticket.started_at).total_seconds())
                )
            if ticket.state == "no_show":
                self.no_shows[ticket.line] += 1
            self.tickets[ticket.id] = ticket
        for series in (*self.waits.values(), *self.services.values()):
            series.sort(key=lambda pair: pair[0])
        self.printers = dict(snap.get("printers") or {})
        self.devices = {d["id"]: d for d in snap.get("devices", [])}
        self.line_push = {ln["prefix"]: ln for ln in snap.get("lines", [])}
        self.skm.load(snap.get("skm_today"))
        self.complaints.load(snap.get("complaints"))
        self.visits.load(snap)
        self.closures.load(snap.get("counters", []))

    def apply(self, ev: Mapping[str, Any]) -> None:
        """Move the picture by one pushed event (its staff form), read by the protocol's reader.

        A frame the reader cannot read (a newer server's kind, a damaged frame) moves nothing:
        the next snapshot brings the picture back.
        """
        try:
            event = p.read_event(dict(ev))
        except (KeyError, TypeError, ValueError):
            return
        at = event.at
        match event:
            case p.DayClosed():
                self._close_day(at)
                self.complaints.new_day(event.day + timedelta(days=1), self.tz)
            case p.SurveyAnswered():
                # Today's IKM counts the answers about today's visits, as the server's
                # `skm_today` does (answers are filed under the visit's day): one given now
                # about an earlier visit counts in that day's figures, in the reports.
                if event.day == at.astimezone(self.tz).date():
                    self.skm.add(event.agency, event.scores)
            case (
                p.ComplaintFiled()
                | p.ComplaintTaken()
                | p.ComplaintAnswered()
                | (p.ComplaintClosed())
            ):
                self.complaints.apply(event)
            case p.OfficerLoggedIn(counter=cid, officer=officer) if cid in self.counters:
                self.counters[cid].officer = officer
            case p.OfficerLoggedOut(counter=cid) if cid in self.counters:
                c = self.counters[cid]
                c.officer, c.state, c.since = None, "closed", at
            case p.CounterOpened(counter=cid) | p.CounterResumed(counter=cid) if (
                cid in self.counters
            ):
                c = self.counters[cid]
                c.state, c.since, c.pause_reason = "open", at, None
            case p.CounterPaused(counter=cid, reason=reason) if cid in self.counters:
                c = self.counters[cid]
                c.state, c.since, c.pause_reason = "paused", at, reason
            case p.CounterClosed(counter=cid) if cid in self.counters:
                c = self.counters[cid]
                c.state, c.since, c.pause_reason = "closed", at, None
            case p.TicketIssued(slot=slot):
                self.tickets[event.ticket] = _Ticket(
                    id=event.ticket,
                    number=event.number,
                    line=event.line,
                    state="printing",
                    priority=event.priority.value if event.priority else None,
                    issued_at=at,
                    # Checked in from a booking: queued at its slot's start, as on the server.
                    queued_at=slot or at,
                    wait_start=_wait_start(at, slot),
                    booking=event.booking,
                    slot=slot,
                )
            case _:
                ticket = self.tickets.get(getattr(event, "ticket", ""))
                if ticket is not None:
                    self._move_ticket(ticket, event, at)
        if isinstance(event, VISIT_MOVES):
            self.visits.apply(event, {tid: t.state for tid, t in self.tickets.items()})
        self.closures.apply(event)

    def _close_day(self, at: datetime) -> None:
        self.skm.clear()
        self.visits.clear()
        self.tickets.clear()
        self.waits.clear()
        self.services.clear()
        self.no_shows.clear()
        for c in self.counters.values():
            c.state, c.officer, c.ticket, c.pause_reason, c.since = "closed", None, None, None, at

    def _move_ticket(self, t: _Ticket, event: p.Event, at: datetime) -> None:
        match event:
            case p.TicketPrinted():
                t.state, t.printed = "waiting", True
            case p.TicketCalled(counter=cid):
                if t.wait_start is not None and t.state == "waiting":
                    # A booked ticket called before its slot waited no time for it.
                    self.waits[t.line].append((at, max(0.0, (at - t.wait_start).total_seconds())))
                if t.counter != cid:
                    t.called_at = at
                t.state, t.counter, t.wait_start = "called", cid, None
                if cid in self.counters:
                    self.counters[cid].ticket = t.id
            case p.ServiceStarted():
                t.state, t.started_at = "serving", at
            case p.ServiceFinished():
                t.state, t.finished_at = "done", at
                if t.started_at is not None:
                    self.services[t.line].append((at, (at - t.started_at).total_seconds()))
                self._release(t)
            case p.TicketNoShow():
                t.state = "no_show"
                self.no_shows[t.line] += 1
                self._release(t)
            case p.TicketReactivated():
                t.state, t.counter, t.called_at, t.wait_start = "waiting", None, None, at
            case p.TicketTransferred(to_line=to_line):
                self._release(t)
                t.line, t.state, t.counter, t.wait_start = to_line, "waiting", None, at
                t.called_at = t.started_at = None
            case p.TicketExpired():
                self._release(t)
                t.state, t.wait_start = "expired", None
            case p.TicketCancelled() | p.TicketPrintFailed():
                self._release(t)
                t.state, t.wait_start = "cancelled", None

    def _release(self, t: _Ticket) -> None:
        for c in self.counters.values():
            if c.ticket == t.id:
                c.ticket = None

    # -- questions ---------------------------------------------------------------------------

    def line_defs(self) -> list[dict[str, Any]]:
        """The building's lines, then any line today's tickets name that the building file no
        longer has: the server keeps such tickets after a mid-day edit (docs/operations.md,
        "Changing the building file"), and the floor must see them to cancel them."""
        defs = list(self.building.get("lines", []))
        known = {ln["prefix"] for ln in defs}
        for prefix in sorted({t.line for t in self.tickets.values()} - known):
            defs.append({"prefix": prefix, "agency": "", "name": REMOVED_LINE_NAME.format(prefix)})
        return defs

    def counter_defs(self) -> list[dict[str, Any]]:
        return list(self.building.get("counters", []))

    def wait_threshold_s(self, line: Mapping[str, Any]) -> float:
        """A line's wait alert threshold: its own max_wait_min if the building gives it."""
        return 60.0 * float(line.get("max_wait_min") or self.settings.wait_alert_min)

    def waiting_list(self, prefix: str, now: datetime) -> list[WaitingTicket]:
        return waiting_list(self, prefix, now)

    def lines(self, now: datetime) -> list[LineFigures]:
        return line_figures(self, now)

    def counter_figures(self) -> list[CounterFigures]:
        return counter_figures(self)

    def agency_rows(self, lines: Iterable[LineFigures]) -> list[dict[str, Any]]:
        return agency_rows(self, lines)

    def alerts(self, now: datetime) -> list[Alert]:
        return find_alerts(self, now)

    def agency_names(self) -> dict[str, str]:
        """Each agency's short name by its code, as the floor names agencies."""
        return {
            a["code"]: a.get("short_name") or a["name"] for a in self.building.get("agencies", [])
        }

    def visit_rows(self, now: datetime) -> list[VisitRow]:
        return visit_rows(self, now)

    def visit_figures(self, now: datetime) -> VisitFigures:
        return visit_figures(self, now)

    def survey_rows(self) -> list[SkmRow]:
        return survey_rows(self.skm, self.building)

    def warn_days(self) -> int:
        """The building's `[complaints] warn_days` when the snapshot gives it, else the
        dashboard's setting."""
        given = (self.building.get("complaints") or {}).get("warn_days")
        return given if isinstance(given, int) else self.settings.complaint_warn_days

    def holidays(self) -> frozenset[date]:
        """The building's holidays when the snapshot names them (ISO dates)."""
        out = set()
        for h in self.building.get("holidays") or ():
            text = h.get("day") if isinstance(h, dict) else h
            try:
                out.add(date.fromisoformat(str(text)))
            except ValueError:
                continue
        return frozenset(out)

    def complaint_rows(self, now: datetime) -> list[ComplaintRow]:
        return complaint_rows(
            self.complaints.items.values(), now, self.tz, self.warn_days(), self.holidays()
        )

    def closure_rows(self, now: datetime) -> list[ClosureRow]:
        return closure_rows(self, now)

    def chart(self, now: datetime) -> tuple[list[str], list[int], list[int]]:
        """Half-hour slots of today up to now, with tickets issued and served in each."""
        tickets = self.tickets.values()
        return half_hour_chart(
            (t.issued_at for t in tickets),
            (t.finished_at for t in tickets if t.finished_at is not None),
            now,
            self.tz,
        )
