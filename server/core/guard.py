"""The guard's estimates (rule 0 of the calling policy, server/core/policy.py).

What one more overtaking would cost a waiting regular ticket, and what the promise lets it pay:
a priority citizen's overtakings and a booked citizen's are bounded apart, each against its own
share of the ticket's estimated wait in arrival order (docs/calling-policy.md, "How the guard
estimates"). Pure arithmetic on a ticket's counts; the policy asks it at every call, the line's
calling order (server/core/calling_order.py) when it plays calls forward, and the simulator when
it checks the promise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.core.building import PolicySettings
from server.core.model import Ticket

__all__ = [
    "OvertakingEstimate",
    "allowance_s",
    "may_overtake",
    "overtaking_cost_s",
    "overtaking_estimate",
    "waited_s",
]


def waited_s(ticket: Ticket, now: datetime) -> float:
    """Seconds the ticket has waited in line: 0 for a booked ticket before its slot starts
    (checked in early, it is queued at the slot's start, in the future)."""
    return max(0.0, (now - ticket.queued_at).total_seconds())


@dataclass(frozen=True, slots=True)
class OvertakingEstimate:
    """What one more overtaking would cost a waiting regular ticket, as the guard estimates it.

    `delay_s`: its delay by overtakings once this one is counted, (k + 1)·cost; `allowance_s`:
    what the promise lets it pay. The guard allows the overtaking while delay ≤ allowance.
    """

    delay_s: float
    allowance_s: float

    @property
    def within(self) -> bool:
        return self.delay_s <= self.allowance_s

    @property
    def excess_s(self) -> float:
        """delay − allowance: > 0 is an overtaking the promise does not allow."""
        return self.delay_s - self.allowance_s


def overtaking_estimate(
    ticket: Ticket,
    ahead: int,
    cost_s: float,
    settings: PolicySettings,
    now: datetime,
    pending: int = 0,
    *,
    booking: bool = False,
    pending_booked: int = 0,
) -> OvertakingEstimate:
    """The guard's estimate for one more overtaking of the waiting regular `ticket` (rule 0).

    `ahead`: tickets before it on its line; `cost_s`: what an overtaking costs its line
    (`overtaking_cost_s`); `pending`: overtakings not yet in `ticket.overtaken` (a preview's),
    `pending_booked` of them a booking's. `booking`: the overtaking asked about is a booking's.
    Having waited w (`waited_s`) and absorbed k overtakings in all, it would have waited about
    F = w - k·cost + ahead·cost under plain arrival order (the time it has not lost, plus the
    tickets before it at a cost each). The two kinds are bounded apart. A priority citizen's
    overtaking brings the priority ones to (k_p + 1)·cost, which must stay within
    max(regular_delay_pct % of F, cost, regular_delay_min): a quarter of the wait arrival order
    would have given it, or one overtaking, whichever is more. A booked citizen's brings the
    booking ones to (k_b + 1)·cost, within max(booking_delay_pct % of F, cost,
    regular_delay_min): half of it by default. Estimates, not certainties: services vary,
    which the simulator measures.
    """
    absorbed = ticket.overtaken + pending
    fifo_wait = waited_s(ticket, now) + (ahead - absorbed) * cost_s
    booked = ticket.booked_ahead + pending_booked
    if booking:
        pct, kind = settings.booking_delay_pct, booked
    else:
        pct, kind = settings.regular_delay_pct, absorbed - booked
    return OvertakingEstimate((kind + 1) * cost_s, allowance_s(fifo_wait, cost_s, settings, pct))


def allowance_s(
    fifo_wait_s: float, cost_s: float, settings: PolicySettings, pct: float | None = None
) -> float:
    """What the promise lets a regular ticket pay for one kind of overtaking: max(`pct` % of
    its wait in arrival order, one overtaking on its line, `regular_delay_min`); `pct` is the
    priority citizens' `regular_delay_pct` unless given (the booked ones' `booking_delay_pct`)."""
    share = settings.regular_delay_pct if pct is None else pct
    return max(share / 100.0 * fifo_wait_s, cost_s, 60.0 * settings.regular_delay_min)


def may_overtake(
    ticket: Ticket,
    ahead: int,
    cost_s: float,
    settings: PolicySettings,
    now: datetime,
    pending: int = 0,
    *,
    booking: bool = False,
    pending_booked: int = 0,
) -> bool:
    """May a priority (or, `booking`, a booked) ticket go ahead of this waiting regular
    `ticket`? (Rule 0, the guard.) True while `overtaking_estimate` stays within the
    allowance: a first overtaking of each kind always is.
    """
    estimate = overtaking_estimate(
        ticket,
        ahead,
        cost_s,
        settings,
        now,
        pending,
        booking=booking,
        pending_booked=pending_booked,
    )
    return estimate.within


def overtaking_cost_s(service_s: float, counters: float) -> float:
    """The delay one overtaking adds to a line's waiting tickets: a service over the counters.

    With `counters` counters' worth serving the line (a counter shared by k lines counts 1/k),
    one more ticket ahead is called, on average, a service time divided by the counters later.
    """
    return service_s / counters if counters > 0 else service_s
