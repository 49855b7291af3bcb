"""Counter-closure requests (issue 23): an officer asks to close their counter with a reason, a
floor manager or admin approves or refuses; and the building's rule (`[policy]
closure_approval`) that an officer may not close an open or paused counter in its service hours
on their own.

Theory of operation: a request is state (`DayState.closures`, counter id -> `ClosureRequest`),
made and ended by events only — `ClosureRequested`, `ClosureWithdrawn`, `ClosureDecided` — and
dropped, without an event of its own, when the counter closes (any cause), its officer logs
out, or the day ends. An approved request closes the counter at once when it is idle; when it
is busy with a called or served ticket, calls are refused (`closure_approved`) and the command
that releases that ticket (finish, no-show, transfer, cancel, expiry, a visit's hand-on…)
closes it, in the same command: `closing_events`, which `QueueState.handle` runs after every
command's own events, once, for all commands alike.

"Service hours" of a counter at an instant (`in_service_hours`): the instant is within the
opening and closing time of at least one line the counter serves that day — the building's
hours of the day (a holiday closes it, special hours replace the week's), narrowed to a
part-week line's own, on a day the line serves; a shared desk serves the lines of that day's
schedule entry, and none on a day it is nobody's. A break inside the hours is still service
hours (a break is what a pause is for). Start inclusive, end exclusive, as every time range of
the building.

Pure: the building and the instant are passed in.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from server.core.building import Building, Counter, TimeRange
from server.core.calendar import at_local, plan_for
from server.core.errors import error
from server.core.events import (
    ClosureDecided,
    ClosureRequested,
    ClosureWithdrawn,
    CounterClosed,
    Event,
)
from server.core.model import (
    ClosureRequest,
    CounterState,
    DecideClosure,
    RequestClosure,
    WithdrawClosure,
)
from server.core.part_week import line_hours, serves_on
from server.core.state import DayState
from server.core.transitions import CounterAction, counter_move

__all__ = [
    "CLOSURE_DECISIONS",
    "closing_events",
    "in_service_hours",
    "needs_approval",
    "service_minutes_left",
    "service_spans",
]


def service_spans(building: Building, counter: Counter, day: date) -> tuple[TimeRange, ...]:
    """The counter's service hours on `day`: the union of the hours of the lines it serves that
    day, as disjoint ranges in time order (empty: no service that day)."""
    hours = plan_for(building, day).hours
    if hours is None:
        return ()
    desk = building.counters_on(day).get(counter.id, counter)
    if desk is None:
        return ()  # a shared desk nobody has today
    ranges: list[tuple[time, time]] = []
    for prefix in desk.serves:
        line = building.line(prefix)
        if line is None or not serves_on(line, day.weekday()):
            continue
        own = line_hours(hours, line)
        if own is not None:
            ranges.append((own.open, own.close))
    merged: list[TimeRange] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1].end:
            if end > merged[-1].end:
                merged[-1] = TimeRange(merged[-1].start, end)
        else:
            merged.append(TimeRange(start, end))
    return tuple(merged)


def in_service_hours(building: Building, counter: Counter, local: datetime) -> bool:
    """Whether the local instant is within the counter's service hours of its day."""
    t = local.time()
    return any(span.contains(t) for span in service_spans(building, counter, local.date()))


def service_minutes_left(building: Building, counter: Counter, local: datetime) -> float | None:
    """Minutes from the local instant to the end of the counter's service hours that day (the
    last line's closing time); None when the instant is not before it (or no service that
    day). The day's report reads it for a closure (`closures.csv`'s `minutes_left`)."""
    spans = service_spans(building, counter, local.date())
    if not spans:
        return None
    end = at_local(building, local.date(), spans[-1].end)
    left = end - local
    return left / timedelta(minutes=1) if left > timedelta(0) else None


def needs_approval(state: DayState, counter: Counter, local: datetime) -> bool:
    """Whether an officer closing this counter now (close_counter, logout) must ask first: the
    building's rule is on, the counter open or paused, and in its service hours."""
    if not state.building.policy.closure_approval:
        return False
    if state.counters[counter.id].state is CounterState.CLOSED:
        return False
    return in_service_hours(state.building, counter, local)


def _text(value: str) -> str:
    return value.strip()


def _request_closure(
    state: DayState, cmd: RequestClosure, now: datetime, local: datetime
) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    # Only an open or paused counter is closed: a closed one reads "… karena Loket 3 sedang tutup".
    counter_move(status.state, CounterAction.CLOSE, counter.name)
    if status.officer is None:
        raise error("not_logged_in", counter=counter.name)
    existing = state.closures.get(counter.id)
    if existing is not None:
        if existing.approved_at is not None:
            raise error("closure_approved", counter=counter.name)
        raise error("closure_pending")
    reason = _text(cmd.reason)
    if not reason:
        raise error("reason_required")
    officer = status.officer
    name = state.building.person_name(officer)
    return [
        ClosureRequested(
            at=now, counter=counter.id, officer=officer, reason=reason, officer_name=name
        )
    ]


def _pending(state: DayState, cid: str, name: str) -> ClosureRequest:
    """The counter's undecided request; `no_closure_request` when none (or it is approved)."""
    request = state.closures.get(cid)
    if request is None or request.approved_at is not None:
        raise error("no_closure_request", counter=name)
    return request


def _withdraw_closure(
    state: DayState, cmd: WithdrawClosure, now: datetime, local: datetime
) -> list[Event]:
    counter, _ = state.known_counter(cmd.counter)
    request = _pending(state, counter.id, counter.name)
    return [ClosureWithdrawn(at=now, counter=counter.id, officer=request.officer)]


def _decide_closure(
    state: DayState, cmd: DecideClosure, now: datetime, local: datetime
) -> list[Event]:
    counter, _ = state.known_counter(cmd.counter)
    request = _pending(state, counter.id, counter.name)
    note = _text(cmd.note) if cmd.note is not None else ""
    if not cmd.approve and not note:
        raise error("closure_note_required")
    # An approved request closes an idle counter in this same command (`closing_events`).
    return [
        ClosureDecided(
            at=now,
            counter=counter.id,
            officer=request.officer,
            approved=cmd.approve,
            by=cmd.by,
            note=note or None,
            by_name=state.building.person_name(cmd.by),
        )
    ]


def approval_by_close(state: DayState, cid: str, by: str, now: datetime) -> list[Event]:
    """A floor manager's or admin's close_counter of a counter with an undecided request counts
    as approving it: its ClosureDecided, before the CounterClosed."""
    request = state.closures.get(cid)
    if request is None or request.approved_at is not None:
        return []
    return [
        ClosureDecided(
            at=now,
            counter=cid,
            officer=request.officer,
            approved=True,
            by=by,
            note=None,
            by_name=state.building.person_name(by),
        )
    ]


def closing_events(state: DayState, now: datetime) -> list[Event]:
    """The counters whose approved closure can now happen: approved, not closed, no active
    ticket. Run after each command's events are applied (`QueueState.handle`)."""
    events: list[Event] = []
    for cid, request in state.closures.items():
        if request.approved_at is None:
            continue
        status = state.counters.get(cid)
        if status is not None and status.ticket is None and status.state is not CounterState.CLOSED:
            events.append(CounterClosed(at=now, counter=cid))
    return events


CLOSURE_DECISIONS = {
    RequestClosure: _request_closure,
    WithdrawClosure: _withdraw_closure,
    DecideClosure: _decide_closure,
}
