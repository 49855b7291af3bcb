"""The two promises of the calling policy, measured against FIFO on the same simulated day.

Priority is fast (priority p90 <= regular p90 / 3) and nobody pays much for it (every regular
ticket waits at most its FIFO wait + max(25 %, 5 min)); `format_comparison` is the table
`antre simulate --compare-fifo` prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from server.core.building import Building
from server.simulate.day import TicketPlan
from server.simulate.run import SimResult, WaitStats, run_plan

__all__ = [
    "FairnessCheck",
    "compare_with_fifo",
    "format_comparison",
    "format_guard_alternative",
    "with_guard",
]


@dataclass(frozen=True, slots=True)
class FairnessCheck:
    """The two promises, measured: priority is fast, and nobody pays much for it.

    Targets: priority p90 <= regular p90 / 3, and every regular ticket's wait <= its FIFO wait
    + max(25 %, 5 min) (the same citizen, same seed, FIFO baseline).
    """

    priority_p90_s: float
    regular_p90_s: float
    fifo_priority_p90_s: float
    fifo_regular_p90_s: float
    worst_excess_s: float  # max over regular tickets of wait - allowance; <= 0 keeps the promise
    worst_ticket: str | None  # the regular ticket that came closest to (or past) its allowance
    regular_over_allowance: int

    @property
    def priority_fast(self) -> bool:
        return self.priority_p90_s <= self.regular_p90_s / 3

    @property
    def regular_protected(self) -> bool:
        return self.regular_over_allowance == 0

    @property
    def passed(self) -> bool:
        return self.priority_fast and self.regular_protected


def compare_with_fifo(policy_run: SimResult, fifo_run: SimResult) -> FairnessCheck:
    """Check the fairness targets of a policy run against the FIFO run of the same plan."""
    worst = -math.inf
    worst_id: str | None = None
    over = 0
    for t in policy_run.tickets:
        if t.priority or t.no_show:
            continue
        base = fifo_run.by_id[t.id].wait_s
        excess = t.wait_s - (base + max(0.25 * base, 300.0))
        if excess > worst:
            worst, worst_id = excess, t.id
        if excess > 0:
            over += 1
    return FairnessCheck(
        priority_p90_s=policy_run.summary.priority.p90_s,
        regular_p90_s=policy_run.summary.regular.p90_s,
        fifo_priority_p90_s=fifo_run.summary.priority.p90_s,
        fifo_regular_p90_s=fifo_run.summary.regular.p90_s,
        worst_excess_s=worst if worst_id is not None else 0.0,
        worst_ticket=worst_id,
        regular_over_allowance=over,
    )


def with_guard(building: Building, on: bool) -> Building:
    """The same building with the regular-ticket guard (`protect_regular`) switched on or off."""
    return replace(building, policy=replace(building.policy, protect_regular=on))


def format_guard_alternative(building: Building, plan: TicketPlan, fifo_run: SimResult) -> str:
    """One line: the same day with the guard the other way, so a manager sees the trade-off."""
    on = not building.policy.protect_regular
    other = compare_with_fifo(run_plan(with_guard(building, on), plan), fifo_run)
    return (
        f"  with protect_regular = {'true' if on else 'false'}: priority p90 "
        f"{other.priority_p90_s / 60:.1f} vs {other.regular_p90_s / 180:.1f} min "
        f"({'yes' if other.priority_fast else 'NO'}); "
        f"{other.regular_over_allowance} regular over their allowance"
    )


def format_comparison(policy_run: SimResult, fifo_run: SimResult) -> str:
    """A plain-text table for `antre simulate`: waits in minutes, policy against FIFO."""

    def row(name: str, s: WaitStats) -> str:
        return (
            f"  {name:<18} {s.count:>5}  {s.p50_s / 60:>6.1f}  {s.p90_s / 60:>6.1f}"
            f"  {s.max_s / 60:>6.1f}  {s.estimate_bias_s / 60:>+7.1f}"
        )

    check = compare_with_fifo(policy_run, fifo_run)
    ps, fs = policy_run.summary, fifo_run.summary
    lines = [
        f"tickets {ps.tickets} (refused {ps.refused}, no-shows {ps.no_shows}); "
        f"last call {ps.last_call_s / 3600:.1f} h after opening",
        "  waits in minutes     count     p50     p90     max  est.bias",
        row("policy: priority", ps.priority),
        row("policy: regular", ps.regular),
        row("FIFO:   priority", fs.priority),
        row("FIFO:   regular", fs.regular),
        "  calls by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(ps.reasons.items())),
        f"  priority p90 <= regular p90 / 3: {'yes' if check.priority_fast else 'NO'} "
        f"({check.priority_p90_s / 60:.1f} vs {check.regular_p90_s / 180:.1f} min)",
        f"  regular within FIFO + max(25 %, 5 min): "
        f"{'yes' if check.regular_protected else 'NO'} "
        f"({check.regular_over_allowance} over; closest {check.worst_ticket} "
        f"at {check.worst_excess_s / 60:+.1f} min)",
    ]
    return "\n".join(lines)
