"""The day's figures from the event log: pure functions, no disk, no clock.

Theory of operation: `replay_tickets` walks one service day's log entries (sequence order) and
builds one `TicketRecord` per ticket with every instant it went through, plus the waiting periods
and service periods it spent, each attributed to the line it was on and the counter and officer
that ended it. `summarize` folds many days of records into `GroupStats` per line, agency, counter
and officer, and `half_hours` counts arrivals and calls per half hour of local time.

Definitions (docs/reports.md writes them out for the reader):

- a *waiting period* starts when the ticket is issued, transferred into a line, or reactivated
  after a no-show, and ends at the next call; periods that end otherwise (cancelled, expired)
  are not waits anyone was served after, so they are left out of the wait figures. A ticket
  checked in from a booking starts waiting at its slot's start, or at its check-in when that
  was later (early, the citizen waits for their slot, not in the queue: the server queues the
  ticket at the slot's start); called before its slot, it waited 0;
- a *service period* runs from `service_started` to `service_finished`, or to a transfer made
  while serving (the officer worked that long on it too);
- p90 is the nearest-rank percentile: the ceil(0.9·n)-th smallest value.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from server.core.estimates import quantile
from server.core.events import (
    Event,
    OfficerLoggedIn,
    OfficerLoggedOut,
    ServiceFinished,
    ServiceStarted,
    TicketCalled,
    TicketCancelled,
    TicketExpired,
    TicketIssued,
    TicketNoShow,
    TicketPrinted,
    TicketPrintFailed,
    TicketReactivated,
    TicketRecalled,
    TicketReprinted,
    TicketTransferred,
    VisitStarted,
    read_event,
)
from server.store import LogEntry

__all__ = [
    "RECORD_KINDS",
    "Call",
    "GroupStats",
    "LineTargets",
    "Period",
    "TicketRecord",
    "half_hour_slot",
    "half_hours",
    "replay_tickets",
    "summarize",
]

# The kinds a ticket's record is made of (`replay_tickets`, `_file`): central folds these alone
# (server/central/batch.py), so its figures and the report's read the same events.
RECORD_KINDS: frozenset[str] = frozenset(
    cls.kind
    for cls in (
        OfficerLoggedIn,
        OfficerLoggedOut,
        TicketIssued,
        TicketPrinted,
        TicketPrintFailed,
        TicketReprinted,
        TicketCalled,
        TicketRecalled,
        ServiceStarted,
        ServiceFinished,
        TicketNoShow,
        TicketReactivated,
        TicketTransferred,
        TicketCancelled,
        TicketExpired,
    )
)


@dataclass(frozen=True, slots=True)
class LineTargets:
    """What a line is measured against: its published service time and the wait target."""

    agency: str
    name: str
    target_service_s: float | None
    target_wait_s: float | None


@dataclass(frozen=True, slots=True)
class Call:
    at: datetime
    counter: str
    officer: str | None
    reason: str  # fifo / prioritas / batas_tunggu / pesanan / dipilih_petugas, or "recall"
    note: str | None  # the officer's reason for an out-of-order call


@dataclass(frozen=True, slots=True)
class Period:
    """A stretch of waiting or of service, filed under a line, a counter and an officer."""

    line: str
    start: datetime
    end: datetime
    counter: str | None
    officer: str | None

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(slots=True)
class TicketRecord:
    """Everything the log says about one ticket: the audit trail's row."""

    id: str
    day: str
    number: str
    first_line: str
    line: str  # where it is (or ended)
    priority: str | None
    kiosk: str | None
    issued_at: datetime
    state: str = "printing"
    printed_at: datetime | None = None
    print_failed_at: datetime | None = None
    print_failed_reason: str | None = None
    reprints: list[tuple[datetime, str]] = field(default_factory=list)  # (at, kiosk) per copy
    calls: list[Call] = field(default_factory=list)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    counter: str | None = None
    officer: str | None = None  # who called or served it last
    no_show_at: list[datetime] = field(default_factory=list)
    reactivated: list[tuple[datetime, str]] = field(default_factory=list)  # (at, actor)
    transfers: list[tuple[datetime, str, str, str]] = field(default_factory=list)  # at,from,to,ctr
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    cancelled_by: str | None = None
    expired_at: datetime | None = None
    expired_reason: str | None = None
    # Checked in from a booking (issue 19): its code and its slot's start (aware).
    booking: str | None = None
    slot: datetime | None = None
    # A stop of a visit (issue 22): the visit's id and the stop's index in it (0-based; the
    # index never moves, a stop added later goes after the current one).
    visit: str | None = None
    stop: int | None = None
    waits: list[Period] = field(default_factory=list)
    services: list[Period] = field(default_factory=list)
    # The open waiting period's (line, start); None while called, served or finished.
    _waiting_since: tuple[str, datetime] | None = None


def replay_tickets(entries: Iterable[LogEntry]) -> dict[str, TicketRecord]:
    """One service day's log (in sequence order) → a record per ticket, in issue order."""
    tickets: dict[str, TicketRecord] = {}
    officer_at: dict[str, str | None] = {}  # counter -> officer logged in there now
    for entry in entries:
        event = read_event(entry.event)
        match event:
            case OfficerLoggedIn(counter=counter, officer=officer):
                officer_at[counter] = officer
            case OfficerLoggedOut(counter=counter):
                officer_at[counter] = None
            case TicketIssued():
                tickets[event.ticket] = TicketRecord(
                    id=event.ticket,
                    day=event.day.isoformat(),
                    number=event.number,
                    first_line=event.line,
                    line=event.line,
                    priority=event.priority.value if event.priority else None,
                    kiosk=event.kiosk,
                    issued_at=event.at,
                    booking=event.booking,
                    slot=event.slot,
                    visit=event.visit,
                    stop=event.stop,
                    _waiting_since=(event.line, max(event.at, event.slot or event.at)),
                )
            case _:
                # Every other ticket event names its ticket; counter events and day_closed do
                # not, and a ticket of an earlier day has no record here: nothing to file.
                t = tickets.get(getattr(event, "ticket", ""))
                if t is not None:
                    _file(t, event, entry.actor, officer_at)
    return tickets


def _file(t: TicketRecord, event: Event, actor: str, officer_at: dict[str, str | None]) -> None:
    """Move one ticket's record by one of its events (other than its issue)."""
    at = event.at
    match event:
        case VisitStarted(visit=visit) if t.visit is None:
            # A plain ticket an officer added a stop to: it becomes the visit's first stop.
            t.visit, t.stop = visit, 0
        case TicketPrinted():
            t.printed_at, t.state = at, "waiting"
        case TicketPrintFailed(reason=reason):
            t.print_failed_at, t.print_failed_reason, t.state = at, reason, "cancelled"
            t._waiting_since = None
        case TicketReprinted(kiosk=kiosk):
            t.reprints.append((at, kiosk))
        case TicketCalled(counter=counter, reason=reason, note=note):
            officer = officer_at.get(counter)
            t.calls.append(Call(at, counter, officer, reason.value, note))
            t.counter, t.officer, t.state = counter, officer, "called"
            if t._waiting_since is not None:
                line, start = t._waiting_since
                # min: a booked ticket called before its slot started waited no time for it.
                t.waits.append(Period(line, min(start, at), at, counter, officer))
                t._waiting_since = None
        case TicketRecalled(counter=counter):
            officer = officer_at.get(counter)
            t.calls.append(Call(at, counter, officer, "recall", None))
            t.counter, t.officer, t.state = counter, officer, "called"
        case ServiceStarted():
            t.started_at, t.state = at, "serving"
        case ServiceFinished():
            t.finished_at, t.state = at, "done"
            _close_service(t, at)
        case TicketNoShow():
            t.no_show_at.append(at)
            t.state = "no_show"
        case TicketReactivated():
            t.reactivated.append((at, actor))
            t.state = "waiting"
            t._waiting_since = (t.line, at)
        case TicketTransferred(from_line=from_line, to_line=to_line, counter=counter):
            if t.state == "serving":
                _close_service(t, at)
            t.transfers.append((at, from_line, to_line, counter))
            t.line, t.state = to_line, "waiting"
            t.started_at = None
            t._waiting_since = (t.line, at)
        case TicketCancelled(reason=reason):
            t.cancelled_at, t.cancel_reason, t.cancelled_by = at, reason, actor
            t.state, t._waiting_since = "cancelled", None
        case TicketExpired(reason=reason):
            t.expired_at, t.expired_reason = at, reason
            t.state, t._waiting_since = "expired", None


def _close_service(t: TicketRecord, end: datetime) -> None:
    if t.started_at is not None:
        t.services.append(Period(t.line, t.started_at, end, t.counter, t.officer))


# --------------------------------------------------------------------------------------------
# Aggregates
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class GroupStats:
    """The figures of one line, agency, counter or officer over the report's days."""

    scope: str  # "line", "agency", "counter", "officer"
    key: str
    issued: int = 0
    print_failed: int = 0
    called: int = 0
    recalls: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    expired: int = 0
    transferred_out: int = 0
    transferred_in: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    waits_within: int = 0  # waits at most the line's wait target
    waits_with_target: int = 0  # waits that had a target to compare with
    services_within: int = 0
    services_with_target: int = 0
    # The agencies of the lines it worked on: a desk shared by agencies on different days
    # belongs, in a report, to those whose tickets it called in the report's range.
    agencies: set[str] = field(default_factory=set)

    def stats(self, which: str) -> dict[str, float | None]:
        """mean / median / p90 / max of "waits" or "services", in seconds (None when empty)."""
        values = self.waits if which == "waits" else self.services
        if not values:
            return {"mean": None, "median": None, "p90": None, "max": None}
        return {
            "mean": math.fsum(values) / len(values),
            "median": float(statistics.median(values)),
            "p90": quantile(values, 0.9),
            "max": max(values),
        }

    def share(self, which: str) -> float | None:
        """Share (0..1) of waits or services within their line's target; None with no target."""
        if which == "waits":
            within, total = self.waits_within, self.waits_with_target
        else:
            within, total = self.services_within, self.services_with_target
        return within / total if total else None


def summarize(
    days: Iterable[Mapping[str, TicketRecord]],
    targets: Mapping[str, LineTargets],
) -> dict[str, dict[str, GroupStats]]:
    """Fold days of ticket records into {scope: {key: GroupStats}} for the four scopes."""
    out: dict[str, dict[str, GroupStats]] = {
        s: {} for s in ("line", "agency", "counter", "officer")
    }

    def group(scope: str, key: str | None) -> GroupStats | None:
        if not key:
            return None
        table = out[scope]
        if key not in table:
            table[key] = GroupStats(scope, key)
        return table[key]

    def for_line(line: str, counter: str | None = None, officer: str | None = None):
        agency = targets[line].agency if line in targets else None
        desk = group("counter", counter)
        if desk is not None and agency is not None:
            desk.agencies.add(agency)
        return [
            g
            for g in (group("line", line), group("agency", agency), desk, group("officer", officer))
            if g is not None
        ]

    for tickets in days:
        for t in tickets.values():
            for g in for_line(t.first_line):
                g.issued += 1
                g.print_failed += t.print_failed_at is not None
            for c in t.calls:
                line = _line_at(t, c.at)
                for g in for_line(line, c.counter, c.officer):
                    if c.reason == "recall":
                        g.recalls += 1
                    else:
                        g.called += 1
            for p in t.waits:
                target = targets[p.line].target_wait_s if p.line in targets else None
                for g in for_line(p.line, p.counter, p.officer):
                    g.waits.append(p.seconds)
                    if target is not None:
                        g.waits_with_target += 1
                        g.waits_within += p.seconds <= target
            for p in t.services:
                target = targets[p.line].target_service_s if p.line in targets else None
                for g in for_line(p.line, p.counter, p.officer):
                    g.services.append(p.seconds)
                    if target is not None:
                        g.services_with_target += 1
                        g.services_within += p.seconds <= target
            if t.finished_at is not None:
                for g in for_line(t.line, t.counter, t.officer):
                    g.served += 1
            for at in t.no_show_at:
                counter, officer = _caller_before(t, at)
                for g in for_line(_line_at(t, at), counter, officer):
                    g.no_show += 1
            for at, src, dst, counter in t.transfers:
                officer = _caller_before(t, at)[1]
                for g in for_line(src, counter, officer):
                    g.transferred_out += 1
                for g in for_line(dst):
                    g.transferred_in += 1
            if t.cancelled_at is not None:
                for g in for_line(t.line):
                    g.cancelled += 1
            if t.expired_at is not None:
                for g in for_line(t.line):
                    g.expired += 1
    return out


def _line_at(t: TicketRecord, at: datetime) -> str:
    """The line a ticket was on at an instant (transfers move it)."""
    line = t.first_line
    for when, _src, dst, _counter in t.transfers:
        if when <= at:
            line = dst
    return line


def _caller_before(t: TicketRecord, at: datetime) -> tuple[str | None, str | None]:
    """The counter and officer of the last call at or before an instant."""
    last = None
    for c in t.calls:
        if c.at <= at:
            last = c
    return (last.counter, last.officer) if last else (None, None)


def half_hour_slot(instant: datetime, tz: tzinfo) -> str:
    """The local half hour an instant falls in, as "HH:MM" (09:00, 09:30…)."""
    local = instant.astimezone(tz)
    return f"{local.hour:02d}:{30 if local.minute >= 30 else 0:02d}"


def half_hours(
    tickets: Mapping[str, TicketRecord], tz: tzinfo
) -> dict[tuple[str, str], dict[str, int]]:
    """{(slot, line): {"arrivals": n, "calls": n}} for one day; calls exclude recalls."""
    arrivals: Tally[tuple[str, str]] = Tally()
    calls: Tally[tuple[str, str]] = Tally()
    for t in tickets.values():
        arrivals[(half_hour_slot(t.issued_at, tz), t.first_line)] += 1
        for c in t.calls:
            if c.reason != "recall":
                calls[(half_hour_slot(c.at, tz), _line_at(t, c.at))] += 1
    out: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"arrivals": 0, "calls": 0})
    for key, n in arrivals.items():
        out[key]["arrivals"] = n
    for key, n in calls.items():
        out[key]["calls"] = n
    return dict(sorted(out.items()))
