"""One line's calling order played forward: who of its waiting tickets is called when.

The kiosk's "orang di depan Anda", the phone page's "Antrean di depan Anda" and the waits built
on them count the tickets of a line that will be called before a ticket, in the order the
calling policy (`server.core.policy`) calls them, guard and bookings included. `choose_next`
answers "who now, for this counter"; this module answers "in what order, for this line", by
playing the same rules forward (docs/calling-policy.md, "People ahead").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from server.core.building import Building
from server.core.model import Ticket
from server.core.policy import allowance_s, booked_here

__all__ = ["line_calling_order"]


def line_calling_order(
    tickets: Sequence[Ticket],
    prefix: str,
    regular_since_priority: int | None,
    building: Building,
    now: datetime,
    cost_s: float,
    until: Ticket | None = None,
) -> list[Ticket]:
    """One line's waiting tickets in the order its counters would call them (rules 0, 1, 3, 4).

    `tickets`: the line's waiting tickets in FIFO order; `regular_since_priority`: the line's
    count (None: no entry, counts as the ratio); `cost_s`: what one overtaking costs the line
    (`overtaking_cost_s`), also the pace of its calls. Stops once `until` is placed.

    The rules are played forward as if the line's counters called one ticket every `cost_s`
    seconds from `now` (a service over the open counters: the pace the guard's estimates
    assume) and nobody new arrived. At each call's instant `at`: the FIFO head; or the line's
    oldest booked ticket whose slot has started by `at` (rule 3), so that a booked ticket
    checked in early takes its place once its slot starts; or, when the ticket so found is
    regular and the ratio turn is due, the oldest priority ticket due by `at` (rule 4); unless
    a booking goes, while the head is overdue at `at`, the head or the priority ticket of a due
    ratio turn (rule 1). Each jump asks the guard (rule 0) for its kind's allowance, with the
    overtakings the earlier calls added. Exact —
    call for call what `choose_next` does, up to rounding — for a line served by its own
    ordinary counters whose calls come at that pace (tests/core/test_people_ahead.py,
    tests/core/test_booking_order.py). Not modelled, so an estimate there: a priority counter
    (rule 2), a counter shared with other lines (their tickets take turns, and the guard also
    asks their regular tickets), calls at another pace (the guard's allowances do not depend on
    the pace; the max-wait rule and the slots' starts do), and citizens not yet checked in.
    Cost: O(tickets) plus, per ticket called ahead of older ones, one pass over those.
    """
    policy = building.policy
    guarded = policy.protect_regular
    ratio = policy.regular_per_priority
    count = ratio if regular_since_priority is None else regular_since_priority
    limit = timedelta(minutes=building.max_wait_min(prefix))
    n = len(tickets)
    priority_at = [place for place, t in enumerate(tickets) if t.priority is not None]
    booked_at = [place for place, t in enumerate(tickets) if booked_here(t)]
    called = [False] * n
    # The guard's allowances of each regular ticket (priority, booking), worked out when first
    # needed. They do not change over the calls played here: at the pace of one call per
    # `cost_s`, a call ahead of a ticket adds `cost_s` to its wait and takes one ticket off those
    # ahead, and an overtaking adds `cost_s` to its wait and one to its overtakings, so its
    # estimated FIFO wait F = w + (ahead - overtaken)·cost stays what it is now. That holds for
    # a booked ticket whose slot starts later too: until then nobody can pass it (whoever goes
    # ahead of anyone is due, so older), every call is one ahead of it, and F is the one the
    # guard will see once it is due, with w counted from its slot's start: now - slot +
    # (ahead - overtaken)·cost, negative w included. Only the overtakings grow.
    allowance: list[tuple[float, float] | None] = [None] * n
    absorbed = [t.overtaken for t in tickets]  # all overtakings, with those the order adds
    by_booking = [t.booked_ahead for t in tickets]  # the bookings' among them

    def may_pass(jumper: int, head: int, booking: bool) -> bool:
        """Rule 0: every regular ticket older than `jumper` still waiting must agree."""
        if not guarded:
            return True
        for x in range(head, jumper):
            ticket = tickets[x]
            if called[x] or ticket.priority is not None:
                continue
            limits = allowance[x]
            if limits is None:
                waited = (now - ticket.queued_at).total_seconds()  # < 0 before a slot: kept
                fifo_wait = waited + (x - ticket.overtaken) * cost_s
                limits = allowance[x] = (
                    allowance_s(fifo_wait, cost_s, policy),
                    allowance_s(fifo_wait, cost_s, policy, policy.booking_delay_pct),
                )
            if booking:
                if (by_booking[x] + 1) * cost_s > limits[1]:
                    return False
            elif (absorbed[x] - by_booking[x] + 1) * cost_s > limits[0]:
                return False
        return True

    step = timedelta(seconds=cost_s)
    out: list[Ticket] = []
    h = j = k = 0  # the head, the next priority ticket and the next booked ticket, by place
    while len(out) < n:
        while called[h]:
            h += 1
        while j < len(priority_at) and called[priority_at[j]]:
            j += 1
        while k < len(booked_at) and called[booked_at[k]]:
            k += 1
        at = now + step * len(out)
        head = tickets[h]
        # The oldest priority ticket and the oldest booked one, if due at this call.
        p = priority_at[j] if j < len(priority_at) else None
        if p is not None and tickets[p].queued_at > at:
            p = None
        b = booked_at[k] if k < len(booked_at) else None
        if b is not None and (b == h or tickets[b].queued_at > at):
            b = None
        pick, booking = h, False
        if b is not None and may_pass(b, h, booking=True):
            pick, booking = b, True  # rule 3
        turn = tickets[pick].priority is None and count >= ratio
        if turn and p is not None and may_pass(p, h, booking=False):
            pick, booking = p, False  # rule 4
        if pick == h:
            booking = False
        if at - head.queued_at >= limit and not booking:
            # Rule 1: the overdue head, or its line's priority ticket on a due ratio turn; a
            # booking the guard let through goes all the same.
            pick = h
            turn = head.priority is None and count >= max(ratio, 1)
            if turn and p is not None and may_pass(p, h, booking=False):
                pick = p
        ticket = tickets[pick]
        if pick != h:
            booked = booking or (ticket.priority is None and booked_here(ticket))
            for x in range(h, pick):
                if not called[x] and tickets[x].priority is None:
                    absorbed[x] += 1
                    by_booking[x] += booked
        called[pick] = True
        count = 0 if ticket.priority is not None else count + 1
        out.append(ticket)
        if ticket is until:
            break
    return out
