"""A calling policy tried beside the building's in the simulator: accumulating priority.

Issue 18 asked whether a different rule meets the fairness targets better than the ratio and
its guard (server/core/policy.py). The candidate is accumulating priority (Stanford, Taylor and
Ziedins, "Waiting time distributions in the accumulating priority queue", Queueing Systems 77,
2014), the linear case of Kleinrock's delay-dependent priority (1964): a waiting ticket's urgency
grows with its wait at a rate set per group — 1 for a regular ticket, `rate` for a priority
ticket — and a free counter calls the most urgent ticket of its lines (ties by FIFO order). A
priority ticket thus goes ahead of a regular one that has waited less than `rate` times as
long; there is no ratio, no priority counter and no max-wait rule (nobody starves: a regular
ticket's urgency grows too). With `guard`, rule 0 of the building's policy, unchanged, may hold
a priority ticket back, and the next most urgent ticket is called instead.

Only the simulator uses it (`antre simulate --compare-fifo --accumulating RATE`): the figures of
both rules are in docs/calling-policy.md, which says why the building keeps its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from server.core.building import Building, Counter
from server.core.events import CallReason
from server.core.model import Ticket
from server.core.policy import Choice, fifo_key, first_priority, may_overtake, overtaking_cost_s
from server.simulate.run import Chooser

__all__ = ["accumulating_priority"]


def accumulating_priority(rate: float, guard: bool = True) -> Chooser:
    """A chooser calling the most urgent ticket: wait × (rate for priority, 1 for regular)."""
    if rate < 1:
        raise ValueError("a priority ticket's rate must be at least a regular ticket's (1)")

    def choose(
        counter: Counter,
        waiting: Mapping[str, Sequence[Ticket]],
        regular_since_priority: Mapping[str, int],
        building: Building,
        now: datetime,
        costs: Mapping[str, float] | None = None,
    ) -> Choice | None:
        candidates: list[tuple[float, tuple[datetime, int, str], Ticket]] = []
        head: Ticket | None = None
        for prefix in dict.fromkeys(counter.serves):
            tickets = waiting.get(prefix)
            if not tickets:
                continue
            if head is None or fifo_key(tickets[0]) < fifo_key(head):
                head = tickets[0]
            # Within a group the oldest ticket is the most urgent: one candidate per group.
            regular = next((t for t in tickets if t.priority is None), None)
            for t in (regular, first_priority(tickets)):
                if t is not None:
                    waited = (now - t.queued_at).total_seconds()
                    urgency = waited * (rate if t.priority is not None else 1.0)
                    candidates.append((-urgency, fifo_key(t), t))
        if head is None:
            return None
        for _urgency, _key, ticket in sorted(candidates, key=lambda c: (c[0], c[1])):
            if ticket is head:
                return Choice(ticket, CallReason.FIFO)
            if not guard or _guard_allows(counter, waiting, building, now, costs or {}, ticket):
                return Choice(ticket, CallReason.PRIORITY)
        return Choice(head, CallReason.FIFO)

    return choose


def _guard_allows(
    counter: Counter,
    waiting: Mapping[str, Sequence[Ticket]],
    building: Building,
    now: datetime,
    costs: Mapping[str, float],
    candidate: Ticket,
) -> bool:
    """Rule 0 as the building's policy asks it: every older regular ticket must agree."""
    key = fifo_key(candidate)
    for prefix in dict.fromkeys(counter.serves):
        cost = costs.get(prefix)
        if cost is None:
            line = building.line(prefix)
            share = sum(1 / len(c.serves) for c in building.counters_serving(prefix))
            cost = overtaking_cost_s(60.0 * (line.target_service_min if line else 10.0), share)
        for ahead, ticket in enumerate(waiting.get(prefix, ())):
            if fifo_key(ticket) >= key:
                break
            if ticket.priority is None and not may_overtake(
                ticket, ahead, cost, building.policy, now
            ):
                return False
    return True
