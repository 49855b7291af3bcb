"""The calling policy: who is next for a counter, and why.

Theory of operation (docs/calling-policy.md tells the same story for managers, with figures).
The candidates are the WAITING tickets of the lines the counter serves. "FIFO order" across those
lines is the key (queued_at, seq, line prefix); the FIFO head is the oldest candidate. A ticket
checked in from a booking is queued at its slot's start (`Ticket.slot`): before then it is not
*due*, and nothing waiting is behind it, so it is only called as the FIFO head (an idle counter
need not wait for the slot). Every wait is max(0, now - queued_at) (`waited_s`).

1. Max wait. A candidate that has waited at least `Building.max_wait_min(line)` minutes is
   overdue. If any is, the counter serves the line of the longest-waiting overdue ticket: it
   calls that ticket, unless that line's ratio has a priority turn due (see 4; a turn needs at
   least one regular call since the last priority call even where the ratio is 0), in which
   case the line's oldest priority ticket goes first. Overdue tickets thus beat strict priority,
   the priority counter and other lines, but do not cancel the ratio, nor a booking the guard
   lets through (3): on an overloaded day every head is overdue, and priority and booked
   citizens would otherwise wait exactly as long as everyone.
2. Priority counter. A counter with `priority=True` (when `priority_counter_first` is on) calls
   the oldest due priority ticket of its lines, ignoring the ratio; with none, as 3 and 4.
3. Booking, per line. Take the FIFO head. If its line L has a due booked ticket (checked in
   for L, its slot started), the oldest one takes the head's place: it goes ahead of every
   ticket of L queued before its slot. Like a priority jump, it only jumps its own line, asks
   the guard (0) for the regular tickets it would pass, and each of them counts it as an
   overtaking, a booking's (`Ticket.booked_ahead`).
4. Ratio, per line. If the ticket found so far (3) is a regular ticket and L's
   `regular_since_priority` has reached `regular_per_priority`, L's oldest due priority ticket
   (if any) is called instead. A booked citizen counts as a regular call. A priority ticket only
   ever jumps tickets of its own line, and only as often as that line's ratio allows, so the
   jumps a citizen suffers are exactly the ones the line's count records; across lines a shared
   counter stays FIFO and does not favour the line that happens to hold more priority tickets.

0. The guard (`protect_regular`, on by default), which rules 1–4 consult whenever they would
   call a priority or booked ticket ahead of older ones: it may not go ahead if one of the
   regular tickets it would overtake (those older than it on the counter's lines) would then
   have paid more than its allowance for that kind of overtaking: max(`regular_delay_pct` % of
   its FIFO wait, the cost of one overtaking on its line, `regular_delay_min`) for priority
   citizens, the same with `booking_delay_pct` (50 %) for booked ones, each kind counted apart
   so that bookings do not use up what the law gives priority citizens. The middle term is the
   promise's floor: one citizen of each kind may always go first ("at most one priority
   citizen goes before you, or a quarter of your wait, whichever is more"), so the guard never
   holds a ticket for less than the price of a single overtaking, and the last term is an
   optional extra floor (0 by default). Each ticket counts the overtakings it absorbed
   (`Ticket.overtaken`, the bookings' among them `Ticket.booked_ahead`, kept by the caller with
   `passed_over` and `booking_jump`); one costs its line a service over the open counters
   (`overtaking_cost_s`), and its FIFO wait is estimated from its wait so far, its place and
   all its overtakings (`overtaking_estimate`). A held ticket is not lost: the guard is asked
   again at every call, and the ticket goes as soon as the tickets that held it are called, or
   reaches the head and goes by plain FIFO. The priority counter calls the oldest priority
   ticket the guard lets through.

Reasons say why *this* ticket and not the FIFO head: FIFO when the chosen ticket is the head
(whatever rule found it), PRIORITY when a priority ticket went ahead of older tickets by rule 2
or 4, BOOKING when a booked ticket did by rule 3, MAX_WAIT when the max-wait rule changed the
outcome (a jump or a priority counter's preference was held back, or an overdue ticket of a
line with a shorter limit went first).

Bookkeeping belongs to the caller: after every call of a ticket on a line (any reason, recalls
excluded), `regular_since_priority[line]` becomes `ratio_count_after(old, ticket, r)`: 0 after a
priority ticket, old + 1 after a regular one (a booked citizen's included). A line with no entry
counts as `r` (the first priority ticket of the day may go ahead at once).

`server.core.calling_order.line_calling_order` is the same rules played forward on one line: the
order its waiting tickets would be called in (the kiosk's and the phone page's people ahead),
exact for a line served by its own ordinary counters (see its docstring for the limits).

Cost: O(lines of the counter) plus, per line looked at, a scan for its first priority ticket
and its first booked one, and, when a ticket would go ahead, one pass over the tickets it would
overtake. The scans stop at the first such ticket, so they are short while one waits and a
full pass (~1,000 tickets, tens of microseconds) when none does. A caller that keeps an index
may pass sequences with `first_priority()` and `first_booked()` methods (`PriorityIndexed`,
as `WaitingLine` does); they are used instead of the scans.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from server.core.building import Building, Counter
from server.core.events import CallReason
from server.core.guard import (
    OvertakingEstimate,
    allowance_s,
    may_overtake,
    overtaking_cost_s,
    overtaking_estimate,
    waited_s,
)
from server.core.model import Ticket
from server.core.waitlist import WaitingLine, booked_here

__all__ = [
    "Choice",
    "OvertakingEstimate",
    "PriorityIndexed",
    "allowance_s",
    "booked_here",
    "booking_jump",
    "choose_next",
    "fifo_key",
    "first_booked",
    "first_priority",
    "may_overtake",
    "overtaking_cost_s",
    "overtaking_estimate",
    "passed_over",
    "preview",
    "ratio_count_after",
    "waited_s",
]


@dataclass(frozen=True, slots=True)
class Choice:
    ticket: Ticket
    reason: CallReason


@runtime_checkable
class PriorityIndexed(Protocol):
    """A FIFO-ordered line that names its oldest priority and booked tickets without a scan."""

    def first_priority(self) -> Ticket | None: ...

    def first_booked(self) -> Ticket | None: ...


def fifo_key(ticket: Ticket) -> tuple[datetime, int, str]:
    """The order FIFO calls tickets in, across lines: queued_at, then seq, then line prefix."""
    return (ticket.queued_at, ticket.seq, ticket.line)


def first_booked(tickets: Sequence[Ticket]) -> Ticket | None:
    """The oldest ticket of a FIFO-ordered line booked for it (`booked_here`), due or not."""
    fast = getattr(tickets, "first_booked", None)
    if fast is not None:
        return fast()
    for ticket in tickets:
        if booked_here(ticket):
            return ticket
    return None


def _first_due(found: Ticket | None, now: datetime) -> Ticket | None:
    # A line's tickets are in queued_at order: when its first priority (or booked) ticket is
    # not due yet, none of the others is.
    return found if found is not None and found.queued_at <= now else None


def first_priority(tickets: Sequence[Ticket]) -> Ticket | None:
    """The oldest priority ticket of a FIFO-ordered line, or None."""
    # Duck-typed rather than isinstance(PriorityIndexed): a hot path, and a plain list must not
    # pay for a runtime protocol check.
    fast = getattr(tickets, "first_priority", None)
    if fast is not None:
        return fast()
    for ticket in tickets:
        if ticket.priority is not None:
            return ticket
    return None


def ratio_count_after(count: int | None, ticket: Ticket, regular_per_priority: int) -> int:
    """A line's regular_since_priority after `ticket` of that line was called (None = no entry)."""
    if ticket.priority is not None:
        return 0
    return (regular_per_priority if count is None else count) + 1


def choose_next(
    counter: Counter,
    waiting: Mapping[str, Sequence[Ticket]],
    regular_since_priority: Mapping[str, int],
    building: Building,
    now: datetime,
    costs: Mapping[str, float] | None = None,
) -> Choice | None:
    """The ticket this counter should call now, and why; None when nothing waits on its lines.

    `waiting` maps each line prefix to its WAITING tickets in FIFO order (queued_at, then seq).
    `regular_since_priority[prefix]` counts regular calls on that line since its last priority call
    (a line with no priority call yet today counts as building.policy.regular_per_priority).
    `costs[prefix]` is what one overtaking costs that line's regular tickets, in seconds
    (`overtaking_cost_s`); a line left out costs its target over all the counters serving it.
    """
    found = _choose(counter, waiting, regular_since_priority, building, now, costs)
    return None if found is None else Choice(found[0], found[1])


def preview(
    counter: Counter,
    waiting: Mapping[str, Sequence[Ticket]],
    regular_since_priority: Mapping[str, int],
    building: Building,
    now: datetime,
    n: int,
    costs: Mapping[str, float] | None = None,
) -> list[Ticket]:
    """The next n tickets this counter would call if nobody else called meanwhile."""
    # Indexed copies of the counter's own lines: the inputs stay untouched, each line is scanned
    # once rather than once per previewed call. Every call happens "at now": a preview orders,
    # it does not forecast when, so a ticket that becomes overdue later, or a booked ticket whose
    # slot starts later, is not anticipated.
    lines = {p: WaitingLine.of(waiting.get(p, ())) for p in dict.fromkeys(counter.serves)}
    counts = dict(regular_since_priority)
    # Overtakings the previewed calls add, by ticket id: (all of them, the booked ones).
    extra: dict[str, tuple[int, int]] = {}
    r = building.policy.regular_per_priority
    out: list[Ticket] = []
    while len(out) < n:
        found = _choose(counter, lines, counts, building, now, costs, extra)
        if found is None:
            break
        ticket, reason, prefix = found
        lines[prefix].discard(ticket)
        counts[prefix] = ratio_count_after(counts.get(prefix), ticket, r)
        booked = int(booking_jump(ticket, reason))
        for passed in passed_over(counter, lines, ticket):
            every, by_booking = extra.get(passed.id, (0, 0))
            extra[passed.id] = (every + 1, by_booking + booked)
        out.append(ticket)
    return out


def passed_over(
    counter: Counter, waiting: Mapping[str, Sequence[Ticket]], called: Ticket
) -> list[Ticket]:
    """The regular tickets that calling `called` at `counter` overtakes.

    Those waiting on the counter's lines that are older than it in FIFO order, when `called` is
    a priority ticket or a ticket booked for its line (none for a regular walk-in ticket, which
    is only ever called as a head): the counter would have called them first. After such a
    call the caller adds one to each one's `overtaken`, and to its `booked_ahead` when it was a
    booking's jump (`booking_jump`): `QueueState` does, and so does the simulator. Whether
    `called` is still in `waiting` does not matter.
    """
    if called.priority is None and not booked_here(called):
        return []
    key = fifo_key(called)
    out: list[Ticket] = []
    for prefix in dict.fromkeys(counter.serves):
        for ticket in waiting.get(prefix, ()):
            if fifo_key(ticket) >= key:
                break
            if ticket.priority is None:
                out.append(ticket)
    return out


def booking_jump(called: Ticket, reason: CallReason) -> bool:
    """Whether the overtakings of this call are a booking's (`Ticket.booked_ahead`): a ticket
    the booking rule called (`pesanan`), or a regular booked ticket called out of order some
    other way (by the officer); a priority ticket's jumps are otherwise priority ones."""
    return reason is CallReason.BOOKING or (called.priority is None and booked_here(called))


# ------------------------------------------------------------------------------------------------


def _choose(
    counter: Counter,
    waiting: Mapping[str, Sequence[Ticket]],
    regular_since_priority: Mapping[str, int],
    building: Building,
    now: datetime,
    costs: Mapping[str, float] | None = None,
    overtaken: Mapping[str, tuple[int, int]] | None = None,
) -> tuple[Ticket, CallReason, str] | None:
    """The choice plus the prefix of the list it came from (preview needs to remove it)."""
    policy = building.policy
    # Line heads: each line's oldest ticket. dict.fromkeys drops a prefix listed twice.
    heads: list[tuple[tuple[datetime, int, str], str, Ticket]] = []
    for prefix in dict.fromkeys(counter.serves):
        tickets = waiting.get(prefix)
        if tickets:
            head = tickets[0]
            heads.append(((head.queued_at, head.seq, prefix), prefix, head))
    if not heads:
        return None
    _key, head_prefix, head = min(heads, key=lambda h: h[0])

    # The head is a line's longest waiter, so only heads can be overdue first.
    overdue: tuple[tuple[datetime, int, str], str, Ticket] | None = None
    for entry in heads:
        limit = timedelta(minutes=building.max_wait_min(entry[1]))
        if now - entry[2].queued_at >= limit and (overdue is None or entry[0] < overdue[0]):
            overdue = entry

    guard = _Guard(counter, waiting, building, now, costs, overtaken)

    # Rules 2 to 4: what the counter would call if nobody were overdue.
    ticket, prefix, reason = head, head_prefix, CallReason.FIFO
    priority_counter = counter.priority and policy.priority_counter_first
    if priority_counter:
        firsts: list[tuple[tuple[datetime, int, str], str, Ticket]] = []
        for _key, line_prefix, _head in heads:
            p = _first_due(first_priority(waiting[line_prefix]), now)
            if p is not None:
                firsts.append(((p.queued_at, p.seq, line_prefix), line_prefix, p))
        # The oldest priority ticket that may go ahead; a held-back one waits its turn.
        for _key, line_prefix, p in sorted(firsts, key=lambda f: f[0]):
            if guard.allows(p):
                ticket, prefix, reason = p, line_prefix, CallReason.PRIORITY
                break
    if ticket is head:
        tickets = waiting[head_prefix]
        b = _first_due(first_booked(tickets), now)
        if b is not None and b is not head and guard.allows(b, booking=True):
            ticket, reason = b, CallReason.BOOKING
        # (A priority counter's guard has already held every due priority ticket back.)
        if ticket.priority is None and not priority_counter:
            count = regular_since_priority.get(head_prefix, policy.regular_per_priority)
            if count >= policy.regular_per_priority:
                p = _first_due(first_priority(tickets), now)
                if p is not None and guard.allows(p):
                    ticket, reason = p, CallReason.PRIORITY

    # Anything but the FIFO head went ahead of someone older.
    if ticket is head:
        reason = CallReason.FIFO
    if overdue is None or reason is CallReason.BOOKING:
        # A booking the guard lets through goes even past an overdue ticket: max wait does not
        # cancel bookings, as it does not cancel the ratio; the guard's booking allowance is
        # what bounds them there (docs/calling-policy.md, rule 1).
        return ticket, reason, prefix

    # Rule 1: serve the line of the longest-waiting overdue ticket. Its line keeps its ratio
    # turn (never two priority calls in a row, even where the ratio is 0), so that on an
    # overloaded day, when every head is overdue, priority citizens are not reduced to FIFO.
    _okey, o_prefix, o_ticket = overdue
    pick, pick_prefix = o_ticket, o_prefix
    if o_ticket.priority is None:
        count = regular_since_priority.get(o_prefix, policy.regular_per_priority)
        if count >= max(policy.regular_per_priority, 1):
            p = _first_due(first_priority(waiting[o_prefix]), now)
            if p is not None and guard.allows(p):
                pick = p
    if pick is ticket:
        return ticket, reason, prefix  # the rule changed nothing: say why the ticket was due
    if pick is not o_ticket:
        return pick, CallReason.PRIORITY, pick_prefix
    return o_ticket, CallReason.MAX_WAIT, o_prefix


_NONE = (0, 0)


class _Guard:
    """Rule 0 for one choice: may a ticket overtake the regular tickets older than it?"""

    __slots__ = ("_building", "_costs", "_counter", "_extra", "_now", "_waiting")

    def __init__(
        self,
        counter: Counter,
        waiting: Mapping[str, Sequence[Ticket]],
        building: Building,
        now: datetime,
        costs: Mapping[str, float] | None,
        extra: Mapping[str, tuple[int, int]] | None,
    ) -> None:
        self._counter = counter
        self._waiting = waiting
        self._building = building
        self._now = now
        self._costs = costs or {}
        self._extra = extra or {}

    def allows(self, candidate: Ticket, booking: bool = False) -> bool:
        """May `candidate` go ahead (a booking's jump if `booking`, else a priority one's)?"""
        settings = self._building.policy
        if not settings.protect_regular:
            return True
        key = fifo_key(candidate)
        now, extra = self._now, self._extra
        for prefix in dict.fromkeys(self._counter.serves):
            tickets = self._waiting.get(prefix)
            if not tickets:
                continue
            cost = self._cost(prefix)
            for ahead, ticket in enumerate(tickets):
                if fifo_key(ticket) >= key:
                    break
                if ticket.priority is None:
                    every, by_booking = extra.get(ticket.id, _NONE)
                    if not may_overtake(
                        ticket,
                        ahead,
                        cost,
                        settings,
                        now,
                        every,
                        booking=booking,
                        pending_booked=by_booking,
                    ):
                        return False
        return True

    def _cost(self, prefix: str) -> float:
        cost = self._costs.get(prefix)
        if cost is not None:
            return cost
        line = self._building.line(prefix)
        target_s = 60.0 * (line.target_service_min if line is not None else 10.0)
        share = sum(1 / len(c.serves) for c in self._building.counters_serving(prefix))
        return overtaking_cost_s(target_s, share)
