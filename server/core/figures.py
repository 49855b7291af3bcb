"""The figures the clients show, read off the day's state: pure reads, no refusal but DomainError
for an unknown line or ticket.

The kiosk's wait estimate and place in line, a line's `LineView` for the kiosk, TV and floor
dashboard, a counter's preview of its next calls, the TVs' recent calls, the phone page's
ticket by token; and what one overtaking costs each line, which the calling policy reads both
when previewing here and when deciding a call (server/core/decide.py).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.core import estimates, policy
from server.core.booking_rules import BookingFigures, day_figures
from server.core.building import Counter, Line
from server.core.calling_order import line_calling_order
from server.core.issuing import issue_refusal, quota_left, walk_in_quota
from server.core.model import Ticket, TicketState
from server.core.state import DayState
from server.core.waitlist import WaitingLine, booked_here, queue_key

__all__ = [
    "LineView",
    "calling_order",
    "calls_newest_first",
    "estimated_wait_s",
    "line_view",
    "next_for",
    "overtaking_costs",
    "people_ahead",
    "ticket_by_token",
    "waiting",
]

_WAITING = TicketState.WAITING
_PRINTING = TicketState.PRINTING


@dataclass(frozen=True, slots=True)
class LineView:
    """What a kiosk, TV or dashboard needs to know about one line right now. No personal data."""

    prefix: str
    name: str
    agency: str
    issuing: bool  # a new ticket would be issued now (walk-in)
    refusal_code: str | None  # why not: "holiday", "closed_day", "not_open_yet", "closed_hours",
    #                           "on_break", "no_more_today", "after_cutoff", "quota_exhausted"
    #                           (None when issuing; see server.core.issuing). A closed counter
    #                           does not stop issuing: see counters_open.
    refusal_message: str | None  # Indonesian, for the citizen
    waiting: int  # tickets in WAITING state on this line
    waiting_priority: int
    longest_wait_s: float  # of the tickets waiting now; 0 when none
    quota_left_walk_in: int | None  # None = no quota
    quota_left_priority: int | None
    counters_open: int  # open (not paused/closed) counters serving this line
    # For a walk-in ticket issued now; None while no counter serving the line is open: nobody
    # can say when one opens, so nothing is promised (see `_estimate`).
    estimated_wait_s: float | None
    issued: int  # tickets issued today (all states, including cancelled)
    served: int  # tickets finished today on this line
    # The staffing hint's inputs (server.core.estimates): tickets first issued on this line per
    # hour over the recent window, and the expected service time the wait estimates use. The
    # Erlang C waits built from them are the floor's alone (server/broadcast/views.line_view).
    arrivals_per_h: float
    mean_service_s: float
    # Today's online bookings of the line (server/core/booking_rules.py); None without booking.
    # The floor's alone, like the staffing inputs (server/broadcast/views.line_view).
    bookings: BookingFigures | None = None


def calls_newest_first(state: DayState) -> Iterator[Ticket]:
    """Tickets with a standing call (called_at set), by their latest call or recall, newest
    first: the order the calls and recalls were committed in, even at one instant."""
    for tid in reversed(state.call_order):
        ticket = state.tickets[tid]
        if ticket.called_at is not None:
            yield ticket


def waiting(state: DayState, prefix: str) -> list[Ticket]:
    """Tickets waiting on a line, in the order FIFO would call them."""
    return list(state.waiting_lines.get(prefix, ()))


def _ahead(state: DayState, ticket: Ticket, now: datetime) -> int:
    line = state.waiting_lines[ticket.line]
    removed = ticket.line not in state.lines  # removed from the file mid-day: no policy calls it
    if ticket.state is _WAITING:
        key = queue_key(ticket)
        place = bisect_left(line.keys, key)
        if removed or _in_arrival_order(line, ticket, key):
            return place
        return _places(state, ticket.line, now)[ticket.id]
    if ticket.state is _PRINTING:
        # Not queued yet: as if it joined now where its queued_at puts it (the kiosk's figure as
        # it prints): a walk-in ticket at the back, but before the booked tickets whose slots
        # start later (they may still go ahead of it); a booked one at its slot's start.
        key = queue_key(ticket)
        place = bisect_left(line.keys, key)
        if removed or _in_arrival_order(line, ticket, key):
            return place
        return _joining_ahead(state, line, ticket, place, now)
    return 0


def _in_arrival_order(line: WaitingLine, ticket: Ticket, key: tuple) -> bool:
    """A regular walk-in ticket with no priority or booked ticket behind it: it is only ever
    called as its line's head, so everyone older goes first and nobody younger can jump it."""
    return (
        ticket.priority is None
        and not booked_here(ticket)
        and bisect_right(line.priority_keys, key) == len(line.priority)
        and bisect_right(line.booked_keys, key) == len(line.booked)
    )


def _joining_ahead(
    state: DayState, line: WaitingLine, ticket: Ticket, place: int, now: datetime
) -> int:
    """People ahead of a ticket not yet in `line`, were it to join at `place` now."""
    order = line_calling_order(
        [*line[:place], ticket, *line[place:]],
        ticket.line,
        state.regular_since_priority[ticket.line],
        state.building,
        now,
        _overtaking_cost_s(state, ticket.line),
        until=ticket,
    )
    return len(order) - 1


def _walk_in_ahead(state: DayState, prefix: str, now: datetime) -> int:
    """People ahead of a walk-in ticket issued now: everyone waiting, but for the tickets
    queued later (booked ones whose slots start later) that would not go ahead of it."""
    queue = state.waiting_lines[prefix]
    if not queue or queue.keys[-1][0] <= now:
        return len(queue)  # nothing waiting is behind a ticket taken now
    key = (state.changes, now, state.regular_since_priority[prefix])
    cached = state.figure_cache.get(prefix + " baru")
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[return-value]
    local = now.astimezone(state.tz)
    seq = state.seq[prefix] + 1
    walk_in = Ticket(
        id=f"{local.date().isoformat()}/{prefix}-baru",
        day=local.date(),
        number=f"{prefix}-{seq:03d}",
        seq=seq,
        line=prefix,
        priority=None,
        state=_PRINTING,
        issued_at=now,
        queued_at=now,
        token="",
    )
    place = bisect_left(queue.keys, queue_key(walk_in))
    ahead = _joining_ahead(state, queue, walk_in, place, now)
    state.figure_cache[prefix + " baru"] = (key, ahead)
    return ahead


def _order(state: DayState, prefix: str, now: datetime) -> tuple[list[Ticket], dict[str, int]]:
    """A line's calling order at `now` and each ticket's place in it, worked out once per state
    and instant: every phone watching the line asks at the same instant of one refresh."""
    key = (state.changes, now, state.regular_since_priority[prefix])
    cached = state.figure_cache.get(prefix)
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[return-value]
    order = line_calling_order(
        state.waiting_lines[prefix],
        prefix,
        state.regular_since_priority[prefix],
        state.building,
        now,
        _overtaking_cost_s(state, prefix),
    )
    found = (order, {t.id: place for place, t in enumerate(order)})
    state.figure_cache[prefix] = (key, found)
    return found


def _places(state: DayState, prefix: str, now: datetime) -> dict[str, int]:
    return _order(state, prefix, now)[1]


def people_ahead(state: DayState, ticket_id: str, now: datetime) -> int:
    """How many tickets would be called before this one on its line (0 when called).

    By the calling policy's order within the line, guard and bookings included
    (`calling_order.line_calling_order`: exact for a line served by its own ordinary counters,
    an estimate where a priority counter or a shared counter serves it). DomainError for an
    unknown ticket.
    """
    return _ahead(state, state.known_ticket(ticket_id), now)


def calling_order(state: DayState, prefix: str, now: datetime) -> list[Ticket]:
    """A line's waiting tickets in the order they would be called (people_ahead for all)."""
    return list(_order(state, state.known_line(prefix).prefix, now)[0])


def ticket_by_token(state: DayState, token: str) -> Ticket | None:
    tid = state.tokens.get(token)
    return None if tid is None else state.tickets[tid]


def _estimate(state: DayState, line: Line, ahead: int) -> float | None:
    """The wait a citizen is told, or None while no counter serving the line is open.

    With no counter open the formula would assume one opens this instant and promise a ticket
    with nobody ahead "± 10 menit" before the doors of any counter open; the ticket and the
    phone page say "menunggu loket dibuka" instead (issue 17).
    """
    share = state.open_share[line.prefix]
    if share <= 0:
        return None
    service_s = estimates.mean_service_s(
        state.recent_service_s[line.prefix], line.target_service_min
    )
    return estimates.estimate_wait_s(ahead, share, service_s)


def line_view(state: DayState, prefix: str, now: datetime) -> LineView:
    line = state.known_line(prefix)
    local = now.astimezone(state.tz)
    used_walk_in = state.used_walk_in[prefix]
    used_priority = state.used_priority[prefix]
    released = state.released.get(prefix, 0)
    refusal = issue_refusal(
        state.plan(local.date()), line, None, local.time(), used_walk_in, used_priority, released
    )
    queue = state.waiting_lines[prefix]
    priority_total = len(queue.priority)
    service_s = estimates.mean_service_s(state.recent_service_s[prefix], line.target_service_min)
    arrivals = _arrivals_per_h(state, prefix, now)
    return LineView(
        prefix=prefix,
        name=line.name,
        agency=line.agency,
        issuing=refusal is None,
        refusal_code=None if refusal is None else refusal.code,
        refusal_message=None if refusal is None else refusal.message,
        waiting=len(queue),
        waiting_priority=priority_total,
        longest_wait_s=max(0.0, (now - queue[0].queued_at).total_seconds()) if queue else 0.0,
        quota_left_walk_in=quota_left(walk_in_quota(line, released), used_walk_in),
        quota_left_priority=quota_left(line.quota_priority, used_priority),
        counters_open=state.open_count[prefix],
        # A walk-in ticket issued now joins at the back, before only the booked tickets whose
        # slots start later; those of them the guard lets through will still go ahead of it.
        estimated_wait_s=_estimate(state, line, _walk_in_ahead(state, prefix, now)),
        issued=state.issued[prefix],
        served=state.served[prefix],
        arrivals_per_h=arrivals,
        mean_service_s=service_s,
        bookings=day_figures(
            state.building, line, state.day or local.date(), state.bookings, released, now
        ),
    )


def _arrivals_per_h(state: DayState, prefix: str, now: datetime) -> float:
    """Tickets first issued on the line per hour over `estimates.arrival_window_min`.

    A ticket keeps the line it was issued on here across transfers. Two bisections over the
    line's issue times, computed on every `lines` push, never a scan of the day's tickets.
    """
    first = state.first_issued_at
    if first is None:
        return 0.0
    window_min = estimates.arrival_window_min((now - first).total_seconds() / 60.0)
    times = state.issue_times[prefix]
    since = now - timedelta(minutes=window_min)
    return (bisect_right(times, now) - bisect_left(times, since)) * 60.0 / window_min


def next_for(state: DayState, counter_id: str, now: datetime, n: int = 5) -> list[Ticket]:
    """The next n tickets this counter would call, by the calling policy (a preview).

    Empty for an unknown counter, or a shared desk on a day it is nobody's: a query has nothing
    to refuse.
    """
    day = state.day or now.astimezone(state.tz).date()
    counter = state.desk(counter_id, day)  # a shared desk calls that day's agency's lines
    if counter is None:
        return []
    return policy.preview(
        counter,
        state.waiting_lines,
        state.regular_since_priority,
        state.building,
        now,
        n,
        overtaking_costs(state, counter),
    )


def overtaking_costs(state: DayState, counter: Counter) -> dict[str, float]:
    """What one overtaking costs each of the counter's lines now: the guard's input."""
    return {prefix: _overtaking_cost_s(state, prefix) for prefix in counter.serves}


def _overtaking_cost_s(state: DayState, prefix: str) -> float:
    """A line's current service estimate over its open counters, the same figures the kiosk's
    wait estimate uses; a counter that is not open still counts as one."""
    return policy.overtaking_cost_s(
        estimates.mean_service_s(
            state.recent_service_s[prefix], state.lines[prefix].target_service_min
        ),
        state.open_share[prefix],
    )


def estimated_wait_s(state: DayState, ticket_id: str, now: datetime) -> float | None:
    """Expected seconds until this ticket is called; 0 once called or finished (or when its
    line was removed from the building file: nobody will call it); None while it waits on a
    line no open counter serves."""
    ticket = state.known_ticket(ticket_id)
    if ticket.state is not _WAITING and ticket.state is not _PRINTING:
        return 0.0
    line = state.lines.get(ticket.line)
    if line is None:
        return 0.0  # a line removed from the file mid-day: no counter serves it, no estimate
    return _estimate(state, line, _ahead(state, ticket, now))
