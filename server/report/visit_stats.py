"""The day's visits with several stops (issue 22), from the event log: pure, no disk, no clock.

Theory of operation: `replay_visits` walks one service day's log entries (sequence order) next to
the ticket records `server.report.stats.replay_tickets` made of the same entries, and builds one
`ItineraryRecord` per visit: its stops in order (the line, the ticket once its turn came, added at
a counter, skipped), how many it started with, and its hand-ons (from which line to which; the
hand-offs between agencies are those from a stop that was served).
The figures read the stops' ticket records: a stop is *done* when its ticket's service finished.

Definitions (docs/reports.md writes them out for the reader):

- a visit is *complete* when every stop is done or skipped and at least one is done; its *total
  time in the building* runs from its first ticket's issue to its last stop's finish;
- a stop's *time since the previous stop* runs from the finish of the latest earlier stop that
  was served to this stop's first call (not a recall): the walk plus the wait at the next line.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from server.core.events import (
    ServiceFinished,
    StopAdded,
    StopSkipped,
    TicketIssued,
    VisitHandedOn,
    VisitStarted,
    read_event,
)
from server.report.stats import TicketRecord
from server.store import LogEntry

__all__ = [
    "VISIT_KINDS_READ",
    "ItineraryRecord",
    "VisitStop",
    "handoff_pairs",
    "median_total_s",
    "replay_visits",
    "since_previous_stop_s",
]

# The kinds `replay_visits` reads (besides the ticket records it is given).
VISIT_KINDS_READ: frozenset[str] = frozenset(
    cls.kind
    for cls in (VisitStarted, StopAdded, StopSkipped, VisitHandedOn, TicketIssued, ServiceFinished)
)


@dataclass(slots=True)
class VisitStop:
    line: str
    ticket: str | None = None  # set once its turn came
    added: bool = False  # added at a counter, not chosen at the kiosk
    skipped: bool = False


@dataclass(slots=True)
class ItineraryRecord:
    """One visit of the day as the log tells it."""

    id: str  # "2026-12-04/KJ-007"
    day: str
    started_at: datetime
    planned: int  # the stops it started with
    stops: list[VisitStop] = field(default_factory=list)
    hand_ons: list[tuple[datetime, str, str]] = field(default_factory=list)  # at, from, to line
    # The hand-ons from a stop that was served (its ticket's service finished): the hand-offs
    # between agencies. A hand-on after the floor skipped a stop whose ticket waited or was a
    # no-show sends the citizen on, but they never left a counter there.
    handoffs: list[tuple[str, str]] = field(default_factory=list)  # from, to line

    def done(self, tickets: Mapping[str, TicketRecord]) -> int:
        return sum(1 for s in self.stops if _finished(s, tickets) is not None)

    @property
    def skipped(self) -> int:
        return sum(s.skipped for s in self.stops)

    @property
    def added(self) -> int:
        return sum(s.added for s in self.stops)

    def first_issued_at(self, tickets: Mapping[str, TicketRecord]) -> datetime | None:
        issued = [tickets[s.ticket].issued_at for s in self.stops if s.ticket in tickets]
        return min(issued) if issued else None

    def last_finished_at(self, tickets: Mapping[str, TicketRecord]) -> datetime | None:
        finished = [f for s in self.stops if (f := _finished(s, tickets)) is not None]
        return max(finished) if finished else None

    def complete(self, tickets: Mapping[str, TicketRecord]) -> bool:
        """Every stop done or skipped, at least one done: the citizen's visit is over."""
        done = self.done(tickets)
        return done > 0 and done + self.skipped == len(self.stops)

    def total_s(self, tickets: Mapping[str, TicketRecord]) -> float | None:
        """First issue to last finish, for a complete visit; None otherwise."""
        first, last = self.first_issued_at(tickets), self.last_finished_at(tickets)
        if not self.complete(tickets) or first is None or last is None:
            return None
        return (last - first).total_seconds()


def _finished(stop: VisitStop, tickets: Mapping[str, TicketRecord]) -> datetime | None:
    t = tickets.get(stop.ticket or "")
    return None if t is None or stop.skipped else t.finished_at


def replay_visits(
    entries: Iterable[LogEntry], tickets: Mapping[str, TicketRecord]
) -> dict[str, ItineraryRecord]:
    """One service day's log (in sequence order) → a record per visit, in start order."""
    visits: dict[str, ItineraryRecord] = {}
    finished: set[str] = set()  # tickets served so far (a skip never names a served stop)
    for entry in entries:
        if entry.event.get("kind") not in VISIT_KINDS_READ:
            continue
        event = read_event(entry.event)
        match event:
            case VisitStarted():
                stops = [VisitStop(line) for line in event.stops]
                stops[0].ticket = event.ticket
                day = tickets[event.ticket].day if event.ticket in tickets else event.visit[:10]
                visits[event.visit] = ItineraryRecord(
                    event.visit, day, event.started_at, len(stops), stops
                )
            case TicketIssued(visit=str(vid), stop=int(k)) if vid in visits:
                # A hand-on: the stop's turn came (the first stop's issue precedes VisitStarted).
                if k < len(visits[vid].stops):
                    visits[vid].stops[k].ticket = event.ticket
            case StopAdded() if event.visit in visits:
                visits[event.visit].stops.insert(event.position, VisitStop(event.line, added=True))
            case StopSkipped() if event.visit in visits:
                for stop in visits[event.visit].stops:
                    if stop.line == event.line and not stop.skipped and stop.ticket not in finished:
                        stop.skipped = True
                        break
            case VisitHandedOn() if event.visit in visits:
                visits[event.visit].hand_ons.append((event.at, event.from_line, event.line))
                if event.from_ticket in finished:  # its ServiceFinished came first
                    visits[event.visit].handoffs.append((event.from_line, event.line))
            case ServiceFinished():
                finished.add(event.ticket)
    return visits


def since_previous_stop_s(
    t: TicketRecord, visit: ItineraryRecord | None, tickets: Mapping[str, TicketRecord]
) -> float | None:
    """From the latest earlier served stop's finish to this stop's first call; None for a
    ticket outside a visit, a first stop, one never called, or with no earlier stop served."""
    if visit is None or t.stop is None or t.stop == 0:
        return None
    call = next((c.at for c in t.calls if c.reason != "recall"), None)
    earlier = [f for s in visit.stops[: t.stop] if (f := _finished(s, tickets)) is not None]
    if call is None or not earlier:
        return None
    return (call - max(earlier)).total_seconds()


def handoff_pairs(
    days: Iterable[Mapping[str, ItineraryRecord]], agency_of: Mapping[str, str]
) -> list[tuple[str, str, int]]:
    """(from agency, to agency, hand-offs) over the days, most first, then by name: the
    hand-ons from a served stop (not those after the floor skipped a stop never served); a
    hand-off within one agency counts as that agency to itself; a line not in the building file
    counts under its own prefix."""
    pairs: Counter[tuple[str, str]] = Counter()
    for visits in days:
        for v in visits.values():
            for src, dst in v.handoffs:
                pairs[(agency_of.get(src, src), agency_of.get(dst, dst))] += 1
    return [(a, b, n) for (a, b), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))]


def median_total_s(
    days: Iterable[tuple[Mapping[str, ItineraryRecord], Mapping[str, TicketRecord]]],
) -> float | None:
    """The median total time in the building of the complete visits (None: none)."""
    totals = [
        s
        for visits, tickets in days
        for v in visits.values()
        if (s := v.total_s(tickets)) is not None
    ]
    return float(statistics.median(totals)) if totals else None
