"""The simulated day served: a discrete-event loop over the building's counters and a chooser.

Theory of operation. `run_plan` serves a planned day (`server.simulate.day`): tickets join their
line's waiting list at their arrival instant; a free counter asks the chooser
(`policy.choose_next`, or `fifo_choose` for the baseline) for its next ticket and stays busy for
the walk plus the service (or `no_show_timeout_s` for a no-show); the loop keeps
`regular_since_priority` itself with `policy.ratio_count_after`, and each ticket's overtakings
with `policy.passed_over`. At each overtaking it also records what the guard estimated for every
regular ticket passed (`policy.overtaking_estimate`, as the guard would see it at that call), so
that the promise can be checked both as decided and as it turned out
(`server.simulate.fairness`). Every counter of the building is open from 07:30 until nobody
waits. A booked citizen (`PlannedTicket.slot_s`) checks in at its arrival and is queued at its
slot's start, as the booking core queues it. Nothing here uses `server.core.queue`, the clock or the
disk: the simulator drives the pure policy directly, deterministically for a seed.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from server.core.building import Building, Counter
from server.core.estimates import estimate_wait_s, mean_service_s, quantile
from server.core.events import CallReason, PriorityGroup
from server.core.model import Ticket, TicketState
from server.core.policy import (
    Choice,
    booking_jump,
    choose_next,
    fifo_key,
    overtaking_cost_s,
    overtaking_estimate,
    passed_over,
    ratio_count_after,
)
from server.core.waitlist import WaitingLine, queue_key
from server.simulate.day import (
    NO_SHOW_TIMEOUT_S,
    OPENING,
    SIM_DAY,
    PlannedTicket,
    SimParams,
    TicketPlan,
    plan_day,
)

__all__ = [
    "Chooser",
    "SimResult",
    "SimSummary",
    "SimTicket",
    "WaitStats",
    "fifo_choose",
    "run_plan",
    "simulate_day",
]


_DEFAULT_PARAMS = SimParams()  # frozen: a shared default is safe

# (counter, waiting, regular_since_priority, building, now, overtaking costs) -> choice
Chooser = Callable[
    [
        Counter,
        Mapping[str, Sequence[Ticket]],
        Mapping[str, int],
        Building,
        datetime,
        Mapping[str, float] | None,
    ],
    Choice | None,
]


def fifo_choose(
    counter: Counter,
    waiting: Mapping[str, Sequence[Ticket]],
    regular_since_priority: Mapping[str, int],
    building: Building,
    now: datetime,
    costs: Mapping[str, float] | None = None,
) -> Choice | None:
    """The baseline: the oldest ticket of the counter's lines, ignoring priority and max wait."""
    heads = [waiting[p][0] for p in counter.serves if waiting.get(p)]
    return Choice(min(heads, key=fifo_key), CallReason.FIFO) if heads else None


@dataclass(frozen=True, slots=True)
class SimTicket:
    """What happened to one planned ticket."""

    id: str
    line: str
    priority: bool
    no_show: bool
    arrival_s: float
    called_s: float
    counter: str
    reason: CallReason
    call_index: int  # 0 for the day's first call, 1 for the next…
    estimated_wait_s: float  # what the kiosk would have printed (estimates.py)
    overtaken: int = 0  # priority tickets called before it though queued after it
    overtaking_cost_s: float = 0.0  # what one overtaking cost its line when it was called
    # The largest (delay - allowance) the guard estimated at one of its overtakings (> 0: an
    # overtaking the promise did not allow); None when it was never overtaken.
    estimated_excess_s: float | None = None
    slot_s: float | None = None  # a booked citizen's slot start (then arrival_s is the check-in)

    @property
    def wait_s(self) -> float:
        return self.called_s - self.arrival_s

    @property
    def booked(self) -> bool:
        return self.slot_s is not None

    @property
    def from_slot_s(self) -> float:
        """A booked citizen's call relative to its slot's start (< 0: called before it)."""
        assert self.slot_s is not None, "a walk-in ticket has no slot"
        return self.called_s - self.slot_s


@dataclass(frozen=True, slots=True)
class WaitStats:
    """Waits until the call, of the tickets whose citizen showed up."""

    count: int
    p50_s: float
    p90_s: float
    max_s: float
    mean_s: float
    estimate_bias_s: float  # mean of (actual - estimated): > 0 means the kiosk promised too little
    estimate_mae_s: float  # mean absolute error of the kiosk's estimate


@dataclass(frozen=True, slots=True)
class SimSummary:
    tickets: int  # issued (called, since every ticket is called eventually)
    refused: int
    no_shows: int
    priority: WaitStats
    regular: WaitStats
    reasons: dict[str, int]  # calls by CallReason value
    last_call_s: float  # seconds after opening of the day's last call


@dataclass(frozen=True, slots=True)
class SimResult:
    tickets: tuple[SimTicket, ...]  # in plan (arrival) order
    summary: SimSummary
    by_id: dict[str, SimTicket] = field(repr=False, compare=False)


def run_plan(
    building: Building,
    plan: TicketPlan,
    chooser: Chooser = choose_next,
    *,
    no_show_timeout_s: float = NO_SHOW_TIMEOUT_S,
    indexed: bool = True,
) -> SimResult:
    """Serve a planned day with every counter open; `indexed=False` passes plain lists."""
    start = datetime.combine(SIM_DAY, OPENING, tzinfo=building.tz)
    r = building.policy.regular_per_priority
    waiting: dict[str, WaitingLine | list[Ticket]] = {
        ln.prefix: (WaitingLine() if indexed else []) for ln in building.lines
    }
    capacity = {
        ln.prefix: sum(1 / len(c.serves) for c in building.counters_serving(ln.prefix))
        for ln in building.lines
    }
    targets = {ln.prefix: ln.target_service_min for ln in building.lines}
    window = building.policy.estimate_window
    recent: dict[str, deque[float]] = {ln.prefix: deque(maxlen=window) for ln in building.lines}
    # What one overtaking costs each line's regular tickets, kept as the policy's server does.
    costs = {p: overtaking_cost_s(60.0 * targets[p], capacity[p]) for p in targets}
    counts: dict[str, int] = {}
    counters = building.counters
    idle_since: dict[int, float] = dict.fromkeys(range(len(counters)), 0.0)
    busy: list[tuple[float, int]] = []  # heap of (free at, counter index)
    serving: dict[int, PlannedTicket] = {}

    planned: dict[str, PlannedTicket] = {}
    estimates: dict[str, float] = {}
    calls: dict[str, tuple[float, str, CallReason, int, float]] = {}
    excess: dict[str, float] = {}  # the guard's worst estimated excess, by ticket id
    tickets: dict[str, Ticket] = {}
    todo = plan.tickets
    next_arrival = 0
    call_index = 0
    while next_arrival < len(todo) or busy:
        t = min(
            todo[next_arrival].arrival_s if next_arrival < len(todo) else math.inf,
            busy[0][0] if busy else math.inf,
        )
        # Counters that finish now go first, in the order they finished: a counter freed at the
        # same instant as an arrival sees that arrival.
        freed: list[int] = []
        while busy and busy[0][0] <= t:
            _free_at, idx = heapq.heappop(busy)
            done = serving.pop(idx)
            if not done.no_show:
                recent[done.line].append(done.service_s)
                costs[done.line] = overtaking_cost_s(
                    mean_service_s(recent[done.line], targets[done.line]), capacity[done.line]
                )
            freed.append(idx)
        while next_arrival < len(todo) and todo[next_arrival].arrival_s <= t:
            pt = todo[next_arrival]
            next_arrival += 1
            ticket = _ticket(pt, start)
            queue = waiting[pt.line]
            # What a kiosk knows: a regular ticket has its whole line ahead, a priority ticket
            # the priority tickets only (a rough figure: it ignores the ratio).
            ahead = sum(1 for w in queue if w.priority is not None) if pt.priority else len(queue)
            service = mean_service_s(recent[pt.line], targets[pt.line])
            estimates[ticket.id] = estimate_wait_s(ahead, capacity[pt.line], service)
            planned[ticket.id] = pt
            tickets[ticket.id] = ticket
            if isinstance(queue, WaitingLine):
                queue.add(ticket)
            else:
                queue.append(ticket)
        now = start + timedelta(seconds=t)
        # Idle counters in the order they fell idle (then by position), then the freed ones.
        order = sorted(idle_since, key=lambda i: (idle_since[i], i)) + freed
        for idx in order:
            choice = chooser(counters[idx], waiting, counts, building, now, costs)
            if choice is None:
                idle_since.setdefault(idx, t)
                continue
            idle_since.pop(idx, None)
            ticket = choice.ticket
            queue = waiting[ticket.line]
            if isinstance(queue, WaitingLine):
                queue.discard(ticket)
            else:
                del queue[_index_of(queue, ticket)]
            counts[ticket.line] = ratio_count_after(counts.get(ticket.line), ticket, r)
            booked = booking_jump(ticket, choice.reason)
            for passed in passed_over(counters[idx], waiting, ticket):
                # What the guard estimated for this overtaking, before counting it.
                line = waiting[passed.line]
                ahead = (
                    bisect_left(line.keys, queue_key(passed))
                    if isinstance(line, WaitingLine)
                    else _index_of(line, passed)
                )
                est = overtaking_estimate(
                    passed, ahead, costs[passed.line], building.policy, now, booking=booked
                )
                excess[passed.id] = max(excess.get(passed.id, -math.inf), est.excess_s)
                passed.overtaken += 1
                passed.booked_ahead += booked
            pt = planned[ticket.id]
            calls[ticket.id] = (t, counters[idx].id, choice.reason, call_index, costs[ticket.line])
            call_index += 1
            serving[idx] = pt
            hold = no_show_timeout_s if pt.no_show else pt.walk_s + pt.service_s
            heapq.heappush(busy, (t + hold, idx))

    results: list[SimTicket] = []
    for tid, pt in planned.items():
        called_s, counter_id, reason, index, cost_s = calls[tid]
        results.append(
            SimTicket(
                id=tid,
                line=pt.line,
                priority=pt.priority,
                no_show=pt.no_show,
                arrival_s=pt.arrival_s,
                called_s=called_s,
                counter=counter_id,
                reason=reason,
                call_index=index,
                estimated_wait_s=estimates[tid],
                overtaken=tickets[tid].overtaken,
                overtaking_cost_s=cost_s,
                estimated_excess_s=excess.get(tid),
                slot_s=pt.slot_s,
            )
        )
    return SimResult(tuple(results), _summarise(results, plan.refused), {t.id: t for t in results})


def simulate_day(
    building: Building,
    seed: int,
    params: SimParams = _DEFAULT_PARAMS,
    chooser: Chooser = choose_next,
) -> SimResult:
    """Plan a day from the seed and serve it with the chooser."""
    plan = plan_day(building, seed, params)
    return run_plan(building, plan, chooser, no_show_timeout_s=params.no_show_timeout_s)


def _ticket(pt: PlannedTicket, start: datetime) -> Ticket:
    at = start + timedelta(seconds=pt.arrival_s)
    slot = None if pt.slot_s is None else start + timedelta(seconds=pt.slot_s)
    number = f"{pt.line}-{pt.seq:03d}"
    return Ticket(
        id=f"{SIM_DAY.isoformat()}/{number}",
        day=SIM_DAY,
        number=number,
        seq=pt.seq,
        line=pt.line,
        priority=PriorityGroup.LANSIA if pt.priority else None,
        state=TicketState.WAITING,
        issued_at=at,
        queued_at=at if slot is None else slot,  # a booked ticket is queued at its slot's start
        token=f"sim-{number}",
        booking=None if slot is None else f"SIM{number}",
        slot=slot,
    )


def _index_of(tickets: Sequence[Ticket], ticket: Ticket) -> int:
    for i, t in enumerate(tickets):
        if t is ticket:
            return i
    raise ValueError(f"{ticket.id} is not waiting")


# ------------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------------


def _stats(tickets: Sequence[SimTicket]) -> WaitStats:
    waits = [t.wait_s for t in tickets]
    if not waits:
        return WaitStats(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    errors = [t.wait_s - t.estimated_wait_s for t in tickets]
    return WaitStats(
        count=len(waits),
        p50_s=quantile(waits, 0.5),
        p90_s=quantile(waits, 0.9),
        max_s=max(waits),
        mean_s=math.fsum(waits) / len(waits),
        estimate_bias_s=math.fsum(errors) / len(errors),
        estimate_mae_s=math.fsum(abs(e) for e in errors) / len(errors),
    )


def _summarise(tickets: Sequence[SimTicket], refused: int) -> SimSummary:
    shown = [t for t in tickets if not t.no_show]
    reasons: dict[str, int] = {}
    for t in tickets:
        reasons[t.reason.value] = reasons.get(t.reason.value, 0) + 1
    return SimSummary(
        tickets=len(tickets),
        refused=refused,
        no_shows=len(tickets) - len(shown),
        priority=_stats([t for t in shown if t.priority]),
        regular=_stats([t for t in shown if not t.priority]),
        reasons=reasons,
        last_call_s=max((t.called_s for t in tickets), default=0.0),
    )
