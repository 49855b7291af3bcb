"""The calling policy: who is next for a counter, and why.

Theory of operation (docs/calling-policy.md tells the same story for managers, with figures).
The candidates are the WAITING tickets of the lines the counter serves. "FIFO order" across those
lines is the key (queued_at, seq, line prefix); the FIFO head is the oldest candidate.

1. Max wait. A candidate that has waited at least `Building.max_wait_min(line)` minutes is
   overdue. If any is, the counter serves the line of the longest-waiting overdue ticket: it
   calls that ticket, unless that line's ratio has a priority turn due (see 3; a turn needs at
   least one regular call since the last priority call even where the ratio is 0), in which
   case the line's oldest priority ticket goes first. Overdue tickets thus beat strict priority,
   the priority counter and other lines, but do not cancel the ratio: on an overloaded day every
   head is overdue, and priority citizens would otherwise wait exactly as long as everyone.
2. Priority counter. A counter with `priority=True` (when `priority_counter_first` is on) calls
   the oldest priority ticket of its lines, ignoring the ratio; else the FIFO head.
3. Ratio, per line. Take the FIFO head. If it is a regular ticket on line L and L's
   `regular_since_priority` has reached `regular_per_priority`, L's oldest priority ticket (if
   any) is called instead; otherwise the head. A priority ticket only ever jumps regular tickets
   of its own line, and only as often as that line's ratio allows, so the jumps a citizen
   suffers are exactly the ones the line's count records; across lines a shared counter stays
   FIFO and does not favour the line that happens to hold more priority tickets.

Reasons say why *this* ticket and not the FIFO head: FIFO when the chosen ticket is the head
(whatever rule found it), PRIORITY when a priority ticket went ahead of older tickets, MAX_WAIT
when the max-wait rule changed the outcome (a priority jump or a priority counter's preference
was held back, or an overdue ticket of a line with a shorter limit went first).

Bookkeeping belongs to the caller: after every call of a ticket on a line (any reason, recalls
excluded), `regular_since_priority[line]` becomes `ratio_count_after(old, ticket, r)`: 0 after a
priority ticket, old + 1 after a regular one. A line with no entry counts as `r` (the first
priority ticket of the day may go ahead at once).

Cost: O(lines of the counter) plus, per line looked at, a scan for its first priority ticket.
The scan stops at the first priority ticket, so it is short while priority tickets wait and a
full pass (~1,000 tickets, tens of microseconds) when none does. A caller that keeps a priority
index may pass a sequence with a `first_priority()` method (`PriorityIndexed`); it is used
instead of the scan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from server.core.building import Building, Counter
from server.core.model import CallReason, Ticket

__all__ = [
    "Choice",
    "PriorityIndexed",
    "choose_next",
    "fifo_key",
    "first_priority",
    "preview",
    "ratio_count_after",
]


@dataclass(frozen=True, slots=True)
class Choice:
    ticket: Ticket
    reason: CallReason


@runtime_checkable
class PriorityIndexed(Protocol):
    """A FIFO-ordered line that can name its oldest priority ticket without a scan."""

    def first_priority(self) -> Ticket | None: ...


def fifo_key(ticket: Ticket) -> tuple[datetime, int, str]:
    """The order FIFO calls tickets in, across lines: queued_at, then seq, then line prefix."""
    return (ticket.queued_at, ticket.seq, ticket.line)


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
) -> Choice | None:
    """The ticket this counter should call now, and why; None when nothing waits on its lines.

    `waiting` maps each line prefix to its WAITING tickets in FIFO order (queued_at, then seq).
    `regular_since_priority[prefix]` counts regular calls on that line since its last priority call
    (a line with no priority call yet today counts as building.policy.regular_per_priority).
    """
    found = _choose(counter, waiting, regular_since_priority, building, now)
    return None if found is None else Choice(found[0], found[1])


def preview(
    counter: Counter,
    waiting: Mapping[str, Sequence[Ticket]],
    regular_since_priority: Mapping[str, int],
    building: Building,
    now: datetime,
    n: int,
) -> list[Ticket]:
    """The next n tickets this counter would call if nobody else called meanwhile."""
    # Indexed copies of the counter's own lines: the inputs stay untouched, each line is scanned
    # once rather than once per previewed call. Every call happens "at now": a preview orders,
    # it does not forecast when, so a ticket that becomes overdue later is not anticipated.
    lines = {p: _LineCopy(waiting.get(p, ())) for p in dict.fromkeys(counter.serves)}
    counts = dict(regular_since_priority)
    r = building.policy.regular_per_priority
    out: list[Ticket] = []
    while len(out) < n:
        found = _choose(counter, lines, counts, building, now)
        if found is None:
            break
        ticket, _reason, prefix = found
        lines[prefix].take(ticket)
        counts[prefix] = ratio_count_after(counts.get(prefix), ticket, r)
        out.append(ticket)
    return out


# ------------------------------------------------------------------------------------------------


def _index_of(tickets: Sequence[Ticket], ticket: Ticket) -> int:
    # By identity: dataclass equality compares every field, which is slow and says nothing more.
    for i, t in enumerate(tickets):
        if t is ticket:
            return i
    raise ValueError(f"{ticket.id} is not in this line")


class _LineCopy(list[Ticket]):
    """preview's own copy of a line, its priority tickets listed apart (PriorityIndexed)."""

    __slots__ = ("priority",)

    def __init__(self, tickets: Sequence[Ticket]) -> None:
        super().__init__(tickets)
        self.priority = [t for t in self if t.priority is not None]

    def first_priority(self) -> Ticket | None:
        return self.priority[0] if self.priority else None

    def take(self, ticket: Ticket) -> None:
        del self[_index_of(self, ticket)]
        if ticket.priority is not None:
            del self.priority[_index_of(self.priority, ticket)]


def _choose(
    counter: Counter,
    waiting: Mapping[str, Sequence[Ticket]],
    regular_since_priority: Mapping[str, int],
    building: Building,
    now: datetime,
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

    # Rules 2 and 3: what the counter would call if nobody were overdue.
    ticket, prefix = head, head_prefix
    if counter.priority and policy.priority_counter_first:
        oldest: tuple[tuple[datetime, int, str], str, Ticket] | None = None
        for _key, line_prefix, _head in heads:
            p = first_priority(waiting[line_prefix])
            if p is not None:
                key = (p.queued_at, p.seq, line_prefix)
                if oldest is None or key < oldest[0]:
                    oldest = (key, line_prefix, p)
        if oldest is not None:
            ticket, prefix = oldest[2], oldest[1]
    elif head.priority is None:
        count = regular_since_priority.get(head_prefix, policy.regular_per_priority)
        if count >= policy.regular_per_priority:
            p = first_priority(waiting[head_prefix])
            if p is not None:
                ticket = p

    # Anything but the FIFO head went ahead of someone older: only a priority ticket can.
    reason = CallReason.FIFO if ticket is head else CallReason.PRIORITY
    if overdue is None:
        return ticket, reason, prefix

    # Rule 1: serve the line of the longest-waiting overdue ticket. Its line keeps its ratio
    # turn (never two priority calls in a row, even where the ratio is 0), so that on an
    # overloaded day, when every head is overdue, priority citizens are not reduced to FIFO.
    _okey, o_prefix, o_ticket = overdue
    pick, pick_prefix = o_ticket, o_prefix
    if o_ticket.priority is None:
        count = regular_since_priority.get(o_prefix, policy.regular_per_priority)
        if count >= max(policy.regular_per_priority, 1):
            p = first_priority(waiting[o_prefix])
            if p is not None:
                pick = p
    if pick is ticket:
        return ticket, reason, prefix  # the rule changed nothing: say why the ticket was due
    if pick is not o_ticket:
        return pick, CallReason.PRIORITY, pick_prefix
    return o_ticket, CallReason.MAX_WAIT, o_prefix
