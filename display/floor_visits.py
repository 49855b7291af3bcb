"""The floor's visits with several stops (issue 22): how many today, the hand-offs between
agencies, and the total time in the building of the finished ones.

Theory of operation: `VisitBook` keeps today's visits, each as its stops in order (the line, the
stop's ticket once its turn came, skipped or not) and its hand-ons (from which line to which).
It starts from the floor snapshot — its `visits` (each an itinerary view: the stops with their
state and ticket), or, from a server that sends no such list, the `visit` summary on each staff
ticket view (which visit, which stop of how many; a stop with no ticket yet then counts as still
to come) — and moves with the staff forms of `visit_started`, `stop_added`, `stop_skipped`,
`visit_handed_on` and the `ticket_issued` of a next stop. A hand-on in the snapshot is read off
the stops: each stop that got a ticket after the first came from the nearest earlier one that
had a ticket (the core hands on from the current stop). Only a hand-on from a served stop is a
hand-off between agencies: after the floor skips a current stop whose ticket waits or is a
no-show (`stop_skipped`, then its `ticket_cancelled`, then `visit_handed_on`), the citizen never
left a counter there.

A stop's state is its ticket's in the model's own copy of today's tickets, exact to the last
event, so the figures need no copy of the core's itinerary rules. `visit_figures` answers with
pure arithmetic, worked the way `antre report` does (docs/reports.md, "Visits with several
stops"): a visit is *finished* when every stop is done or skipped and one at least is done; its
total time in the building runs from its first ticket's issue to its last stop's finish; p90 is
the nearest-rank percentile (the ⌈0.9·n⌉-th smallest). A visit neither finished nor able to go
on (its first ticket's print failed, a stop cancelled or expired with nothing left) has *ended*.

Pure: reads frames and a `FloorModel`'s tickets, no clock, no socket.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from server import protocol as p

if TYPE_CHECKING:
    from display.floor_model import FloorModel

__all__ = [
    "VISIT_MOVES",
    "VisitBook",
    "VisitFigures",
    "VisitRow",
    "skippable",
    "visit_figures",
    "visit_rows",
]

# The events that move the book (a `ticket_issued` only when it is a visit's next stop).
VISIT_MOVES = (p.VisitStarted, p.TicketIssued, p.StopAdded, p.StopSkipped, p.VisitHandedOn)
PENDING, SKIPPED, DONE = "pending", "skipped", "done"
# A stop whose ticket is in one of these may still be served: the visit goes on.
_LIVE = frozenset({"printing", "waiting", "called", "serving", "no_show"})
# How a stop reads on the dashboard.
STOP_WORDS = {
    PENDING: "belum",
    SKIPPED: "dilewati",
    "printing": "dicetak",
    "waiting": "menunggu",
    "called": "dipanggil",
    "serving": "dilayani",
    DONE: "selesai",
    "no_show": "tidak hadir",
    "cancelled": "batal",
    "expired": "kedaluwarsa",
}


@dataclass(slots=True)
class _Stop:
    line: str
    ticket: str | None = None
    skipped: bool = False


@dataclass(slots=True)
class _Visit:
    id: str
    label: str
    stops: list[_Stop]
    # The hand-offs between agencies (from line, to line): hand-ons from a served stop.
    hand_ons: list[tuple[str, str]] = field(default_factory=list)


def _label(vid: str) -> str:
    return vid.rsplit("/", 1)[-1]


@dataclass(slots=True)
class VisitBook:
    """Today's visits of several stops, as the floor has heard of them."""

    visits: dict[str, _Visit] = field(default_factory=dict)

    def clear(self) -> None:
        self.visits.clear()

    def load(self, snap: Mapping[str, Any]) -> None:
        """Start over from a floor snapshot: its `visits`, else its tickets' `visit`."""
        self.visits.clear()
        views = snap.get("visits")
        if isinstance(views, list):
            for view in views:
                if not isinstance(view, dict) or not view.get("id"):
                    continue
                stops = [
                    _Stop(s.get("line", ""), s.get("ticket"), s.get("state") == SKIPPED)
                    for s in view.get("stops") or []
                    if isinstance(s, dict)
                ]
                self._add(view["id"], view.get("label") or _label(view["id"]), stops)
            return
        cancelled = frozenset(
            t.get("id")
            for t in snap.get("tickets") or []
            if isinstance(t, dict) and t.get("state") == "cancelled"
        )
        for t in snap.get("tickets") or []:
            summary = t.get("visit") if isinstance(t, dict) else None
            if not isinstance(summary, dict) or not summary.get("id"):
                continue
            k, n = summary.get("stop"), summary.get("stops")
            if not isinstance(k, int):
                continue
            vid = summary["id"]
            v = self.visits.get(vid) or self._add(vid, summary.get("label") or _label(vid), [])
            while len(v.stops) < max(k + 1, n if isinstance(n, int) else 0):
                v.stops.append(_Stop(""))  # a stop whose line the summary does not name
            v.stops[k] = _Stop(t.get("line", ""), t.get("id"))
        for v in self.visits.values():
            v.hand_ons = _hand_ons_of(v.stops, cancelled)

    def _add(self, vid: str, label: str, stops: list[_Stop]) -> _Visit:
        v = self.visits[vid] = _Visit(vid, label, stops, _hand_ons_of(stops))
        return v

    def apply(self, event: p.Event, ticket_states: Mapping[str, str]) -> None:
        """Move by one pushed event (read by the protocol's reader); `ticket_states`: the
        model's tickets' states by id, as they stand after the event."""
        match event:
            case p.VisitStarted(visit=vid) if vid not in self.visits:
                stops = [_Stop(line) for line in event.stops]
                if stops:
                    stops[0].ticket = event.ticket
                self._add(vid, _label(vid), stops)
            case p.TicketIssued(visit=str(vid), stop=int(k)) if vid in self.visits:
                stops = self.visits[vid].stops
                if k < len(stops):
                    stops[k].ticket = event.ticket
            case p.StopAdded(visit=vid) if vid in self.visits:
                stops = self.visits[vid].stops
                stops.insert(min(event.position, len(stops)), _Stop(event.line))
            case p.StopSkipped(visit=vid) if vid in self.visits:
                # The stop the core skips: the first of that line neither done nor skipped.
                for stop in self.visits[vid].stops:
                    if (
                        stop.line == event.line
                        and not stop.skipped
                        and ticket_states.get(stop.ticket or "") != DONE
                    ):
                        stop.skipped = True
                        break
            case p.VisitHandedOn(visit=vid) if vid in self.visits:
                # A hand-off between agencies only from a stop that was served: not after the
                # floor skipped a stop whose ticket waited (no counter) or was a no-show (its
                # ticket cancelled just before, `stop_skipped` then `ticket_cancelled`).
                left = ticket_states.get(event.from_ticket)
                if event.counter is not None and left in (None, DONE):
                    self.visits[vid].hand_ons.append((event.from_line, event.line))


def _hand_ons_of(
    stops: Sequence[_Stop], unserved: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """The hand-offs a visit's stops show: each ticketed stop after the first came from the
    nearest earlier ticketed one — a hand-off between agencies when that one was served, not
    when the floor skipped it (skipped, or its ticket in `unserved`: cancelled)."""
    out = []
    previous: str | None = None
    for stop in stops:
        if stop.ticket is None:
            continue
        if previous is not None:
            out.append((previous, stop.line))
        previous = None if stop.skipped or stop.ticket in unserved else stop.line
    return out


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitRow:
    """One visit as the dashboard lists it."""

    id: str
    label: str
    stops: tuple[tuple[str, str, str | None], ...]  # (line, state, number) in order
    status: str  # "finished", "in_progress", "ended"
    seconds: float | None  # finished: total time in the building; in progress: so far


@dataclass(frozen=True, slots=True)
class VisitFigures:
    started: int
    finished: int
    in_progress: int
    ended: int
    total_median_s: float | None  # over the finished visits
    total_p90_s: float | None
    pairs: tuple[tuple[str, str, int], ...]  # (from agency, to agency, hand-ons), most first


def _stop_state(stop: _Stop, model: FloorModel) -> str:
    if stop.skipped:
        return SKIPPED
    t = model.tickets.get(stop.ticket or "")
    return t.state if t is not None else PENDING


def visit_rows(model: FloorModel, now: datetime) -> list[VisitRow]:
    """Today's visits in the order they started."""
    rows = []
    for v in model.visits.visits.values():
        states = [_stop_state(s, model) for s in v.stops]
        tickets = [model.tickets[s.ticket] for s in v.stops if s.ticket in model.tickets]
        done = states.count(DONE)
        if done and done + states.count(SKIPPED) == len(states):
            status = "finished"
        elif any(s in _LIVE for s in states) or (
            PENDING in states and not any(s in ("cancelled", "expired") for s in states)
        ):
            status = "in_progress"
        else:
            status = "ended"
        first = min((t.issued_at for t in tickets), default=None)
        finishes = [t.finished_at for t in tickets if t.finished_at is not None]
        seconds = None
        if first is not None and status == "finished" and finishes:
            seconds = (max(finishes) - first).total_seconds()
        elif first is not None and status == "in_progress":
            seconds = max(0.0, (now - first).total_seconds())
        numbers = {
            s.ticket: model.tickets[s.ticket].number for s in v.stops if s.ticket in model.tickets
        }
        rows.append(
            VisitRow(
                v.id,
                v.label,
                tuple(
                    (s.line, state, numbers.get(s.ticket))
                    for s, state in zip(v.stops, states, strict=True)
                ),
                status,
                seconds,
            )
        )
    return rows


def skippable(row: VisitRow, index: int) -> bool:
    """Whether the floor may skip a visit's stop: one still to come, or the current one while
    its ticket waits or is a no-show (the core's rule; the server says no in words otherwise)."""
    _line, state, _number = row.stops[index]
    if state == PENDING:
        return True
    later = row.stops[index + 1 :]
    return state in ("waiting", "no_show") and all(s in (PENDING, SKIPPED) for _l, s, _n in later)


def _p90(values: Sequence[float]) -> float:
    """Nearest rank: the ⌈0.9·n⌉-th smallest, as `antre report` takes it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def visit_figures(model: FloorModel, now: datetime) -> VisitFigures:
    rows = visit_rows(model, now)
    totals = [r.seconds for r in rows if r.status == "finished" and r.seconds is not None]
    agency_of = {ln["prefix"]: ln.get("agency", "") for ln in model.line_defs()}
    names = model.agency_names()
    pairs: Counter[tuple[str, str]] = Counter()
    for v in model.visits.visits.values():
        for src, dst in v.hand_ons:
            a, b = agency_of.get(src) or src, agency_of.get(dst) or dst
            pairs[(names.get(a, a), names.get(b, b))] += 1
    status = Counter(r.status for r in rows)
    return VisitFigures(
        started=len(rows),
        finished=status["finished"],
        in_progress=status["in_progress"],
        ended=status["ended"],
        total_median_s=float(statistics.median(totals)) if totals else None,
        total_p90_s=_p90(totals) if totals else None,
        pairs=tuple(
            (a, b, n) for (a, b), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
    )
