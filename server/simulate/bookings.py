"""A simulated day that mixes booked and walk-in citizens (issue 19), and what it costs whom.

The plan (who books which slot, `server.simulate.booked_day`, re-exported here) gives two plans
of the same citizens: with bookings, and the same day without. `measure_mixed_day` serves both
under the building's policy (and the day with bookings under plain FIFO too, the arrival order
the promise to walk-ins is stated against) and reports: booked citizens' calls relative to
their slot's start (p50/p90, share within 15 minutes), walk-in waits with and without bookings,
the promise to walk-ins (docs/calling-policy.md: as the guard estimated and as it turned out),
and the calls by reason. `format_mixed_day` is what `antre simulate --booked` prints;
`MIXED_DAYS` are the days docs/calling-policy.md tabulates and `make bench` prints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from server.core.building import Building
from server.core.estimates import quantile
from server.core.policy import allowance_s
from server.simulate.booked_day import (
    BookingParams,
    LineBookings,
    MixedPlan,
    assign_slots,
    plan_mixed_day,
    slot_starts,
)
from server.simulate.day import SimParams
from server.simulate.run import SimResult, SimTicket, fifo_choose, run_plan

__all__ = [
    "MIXED_DAYS",
    "BookingParams",
    "LineBookings",
    "MixedDay",
    "MixedDaySpec",
    "MixedFigures",
    "MixedPlan",
    "Waits",
    "assign_slots",
    "format_mixed_day",
    "format_mixed_rows",
    "measure_mixed_day",
    "measure_mixed_days",
    "mixed_figures",
    "plan_mixed_day",
    "slot_starts",
    "walk_in_allowance_s",
]

CALLED_NEAR_S = 15 * 60.0  # "called within 15 minutes of the slot's start"


# ------------------------------------------------------------------------------------------------
# The figures
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Waits:
    """p50/p90 of a group's waits in seconds (nearest rank); count 0: no such citizen."""

    count: int
    p50_s: float
    p90_s: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Waits:
        if not values:
            return cls(0, 0.0, 0.0)
        return cls(len(values), quantile(values, 0.5), quantile(values, 0.9))


@dataclass(frozen=True, slots=True)
class MixedFigures:
    """What the mixed day measured; every wait is until the call, no-shows left out."""

    booked_from_slot: Waits  # booked citizens: call minus slot start (< 0: before it)
    booked_within_15: int  # booked citizens called at most 15 minutes after their slot's start
    booked_before_slot: int  # ... called before it (an idle counter, nobody older)
    booked_as_walk_ins: Waits  # the same citizens' waits on the day without bookings
    walk_ins: Waits  # every walk-in citizen, with bookings
    walk_ins_without: Waits  # the same citizens on the day without bookings
    booking_line_walk_ins: Waits  # the walk-ins of the booking lines, with bookings
    booking_line_walk_ins_without: Waits
    priority: Waits  # priority citizens (booked or not), with bookings
    priority_without: Waits
    # The promise to walk-ins (regular walk-in tickets): over an allowance as the guard
    # estimated at an overtaking (2a), and, as it turned out, over both allowances together
    # against arrival order, i.e. the same day with bookings served by plain FIFO (2b).
    walk_in_regular: int
    estimated_over: int
    over: int
    worst_excess_s: float
    worst_ticket: str | None
    reasons: dict[str, int]  # calls by reason, with bookings


@dataclass(frozen=True, slots=True)
class MixedDay:
    plan: MixedPlan
    with_bookings: SimResult
    without: SimResult
    arrival_order: SimResult  # the plan with bookings served by plain FIFO
    figures: MixedFigures


def measure_mixed_day(building: Building, plan: MixedPlan) -> MixedDay:
    """Serve the plan with and without bookings (and in arrival order), and measure."""
    with_bookings = run_plan(building, plan.booked)
    without = run_plan(building, plan.walk_in)
    fifo = run_plan(building, plan.booked, fifo_choose)
    return MixedDay(
        plan,
        with_bookings,
        without,
        fifo,
        mixed_figures(with_bookings, without, fifo, building, {ln.prefix for ln in plan.lines}),
    )


def mixed_figures(
    with_bookings: SimResult,
    without: SimResult,
    arrival_order: SimResult,
    building: Building,
    booking_lines: set[str],
) -> MixedFigures:
    shown = [t for t in with_bookings.tickets if not t.no_show]
    booked = [t for t in shown if t.booked]
    walk_ins = [t for t in shown if not t.booked]
    from_slot = [t.from_slot_s for t in booked]

    def waits(tickets: Iterable[SimTicket], run: SimResult | None = None) -> Waits:
        return Waits.of([(run.by_id[t.id] if run else t).wait_s for t in tickets])

    on_lines = [t for t in walk_ins if t.line in booking_lines]
    priority = [t for t in walk_ins if t.priority]
    estimated_over = over = regular = 0
    worst, worst_id = -math.inf, None
    for t in with_bookings.tickets:
        if t.priority or t.booked:
            continue
        if t.estimated_excess_s is not None and t.estimated_excess_s > 0:
            estimated_over += 1
        if t.no_show:
            continue
        regular += 1
        base = arrival_order.by_id[t.id].wait_s
        excess = t.wait_s - (base + walk_in_allowance_s(base, t.overtaking_cost_s, building))
        if excess > worst:
            worst, worst_id = excess, t.id
        over += excess > 0
    return MixedFigures(
        booked_from_slot=Waits.of(from_slot),
        booked_within_15=sum(d <= CALLED_NEAR_S for d in from_slot),
        booked_before_slot=sum(d < 0 for d in from_slot),
        booked_as_walk_ins=waits(booked, without),
        walk_ins=waits(walk_ins),
        walk_ins_without=waits(walk_ins, without),
        booking_line_walk_ins=waits(on_lines),
        booking_line_walk_ins_without=waits(on_lines, without),
        priority=waits(priority),
        priority_without=waits(priority, without),
        walk_in_regular=regular,
        estimated_over=estimated_over,
        over=over,
        worst_excess_s=worst if worst_id is not None else 0.0,
        worst_ticket=worst_id,
        reasons=dict(with_bookings.summary.reasons),
    )


def walk_in_allowance_s(fifo_wait_s: float, cost_s: float, building: Building) -> float:
    """What the promise lets a regular walk-in ticket pay in all: its priority allowance plus
    its booking allowance (docs/calling-policy.md, "The promise to walk-in citizens")."""
    policy = building.policy
    return allowance_s(fifo_wait_s, cost_s, policy) + allowance_s(
        fifo_wait_s, cost_s, policy, policy.booking_delay_pct
    )


def format_mixed_day(building: Building, day: MixedDay, booking: BookingParams) -> str:
    """The plain-text report of `antre simulate --booked`."""
    f = day.figures
    ls = day.plan.lines
    booked = sum(x.booked for x in ls)
    lapsed = sum(x.lapsed for x in ls)
    citizens = sum(x.citizens for x in ls)

    def m(seconds: float) -> str:
        return f"{seconds / 60:.1f}"

    def row(name: str, with_: Waits, without: Waits) -> str:
        return (
            f"  {name:<34} {with_.count:>5}  {m(with_.p50_s):>6} {m(with_.p90_s):>6}"
            f"   {m(without.p50_s):>6} {m(without.p90_s):>6}"
        )

    share = f.booked_within_15 / f.booked_from_slot.count if f.booked_from_slot.count else 0.0
    unplaced = sum(x.unplaced for x in ls)
    lines = [
        f"{building.name}: {len(day.plan.booked.tickets)} citizens came; bookings on "
        f"{', '.join(x.prefix for x in ls)}: {booked} of their {citizens} citizens booked "
        f"(asked: {100 * booking.booked_share:.0f} %), {lapsed} of the bookings lapsed"
        + (f", {unplaced} found no place" if unplaced else ""),
        "  line  citizens  booked  lapsed  slots  places/slot",
        *(
            f"  {x.prefix:<4}  {x.citizens:>8}  {x.booked:>6}  {x.lapsed:>6}  "
            f"{x.slots:>2} x {x.slot_min} min  {x.places}"
            + (f" + {x.priority_places} priority" if x.priority_places else "")
            for x in ls
        ),
        f"booked citizens, call minus slot start (min): p50 {m(f.booked_from_slot.p50_s)}, "
        f"p90 {m(f.booked_from_slot.p90_s)}; called within 15 min: {f.booked_within_15} of "
        f"{f.booked_from_slot.count} ({100 * share:.1f} %), before the slot: "
        f"{f.booked_before_slot}",
        "  waits in minutes                   count     p50    p90      without bookings",
        row("walk-in citizens", f.walk_ins, f.walk_ins_without),
        row("  of the booking lines", f.booking_line_walk_ins, f.booking_line_walk_ins_without),
        row("priority walk-in citizens", f.priority, f.priority_without),
        row("booked citizens (from check-in)", _from_check_in(day), f.booked_as_walk_ins),
        "  calls by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(f.reasons.items())),
        f"the promise to walk-ins: {f.estimated_over} over their allowance as the guard "
        f"estimated; {f.over} of {f.walk_in_regular} ({_pct(f.over, f.walk_in_regular)}) as "
        f"it turned out against arrival order, largest excess "
        f"{(f.worst_ticket or '-').rsplit('/', 1)[-1]} at {f.worst_excess_s / 60:+.1f} min",
    ]
    return "\n".join(lines)


def _from_check_in(day: MixedDay) -> Waits:
    return Waits.of([t.wait_s for t in day.with_bookings.tickets if t.booked and not t.no_show])


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f} %" if whole else "-"


# ------------------------------------------------------------------------------------------------
# The listed mixed days (docs/calling-policy.md's tables, `make bench`'s part "bookings")
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MixedDaySpec:
    tickets: int
    seed: int


# A day the demo building can serve (700 tickets) and one it cannot (1,000), seeds 1-3, with 40 %
# of the citizens of the four lines the demo building takes bookings on booking, 10 % lapsing.
MIXED_DAYS: tuple[MixedDaySpec, ...] = tuple(
    MixedDaySpec(tickets, seed) for tickets in (700, 1000) for seed in (1, 2, 3)
)
MIXED_LINES = ("A", "B", "G", "P")


def measure_mixed_days(
    building: Building, days: Iterable[MixedDaySpec] = MIXED_DAYS
) -> list[tuple[MixedDaySpec, MixedDay]]:
    booking = BookingParams(booked_share=0.4, lapse_share=0.1, lines=MIXED_LINES)
    out: list[tuple[MixedDaySpec, MixedDay]] = []
    for d in days:
        plan = plan_mixed_day(building, d.seed, SimParams(d.tickets), booking)
        out.append((d, measure_mixed_day(building, plan)))
    return out


def format_mixed_rows(rows: Iterable[tuple[MixedDaySpec, MixedDay]]) -> str:
    """One line per listed mixed day: the booked citizens' calls against their slot, the
    walk-ins of the booking lines with and without bookings, the promise."""
    lines = [
        "  day                     booked: call - slot p50 / p90, within 15 min"
        "   walk-ins of the booking lines p50 / p90 (without)   promise 2a; 2b",
    ]
    for d, day in rows:
        f = day.figures
        n = f.booked_from_slot.count
        booked = (
            f"{f.booked_from_slot.p50_s / 60:6.1f} / {f.booked_from_slot.p90_s / 60:6.1f}, "
            f"{f.booked_within_15:3d} of {n:3d} ({_pct(f.booked_within_15, n)})"
        )
        walk_ins = (
            f"{f.booking_line_walk_ins.p50_s / 60:6.1f} / {f.booking_line_walk_ins.p90_s / 60:6.1f}"
            f" ({f.booking_line_walk_ins_without.p50_s / 60:.1f} / "
            f"{f.booking_line_walk_ins_without.p90_s / 60:.1f})"
        )
        promise = f"{f.estimated_over}; {f.over} of {f.walk_in_regular}"
        label = f"{d.tickets:,} tickets, seed {d.seed}"
        lines.append(f"  {label:<23} {booked}   {walk_ins}   {promise}")
    return "\n".join(lines)
