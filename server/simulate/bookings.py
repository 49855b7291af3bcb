"""A simulated day that mixes booked and walk-in citizens (issue 19), and what it costs whom.

`plan_mixed_day` takes a seeded day (`day.plan_day`) and lets a share of each booking line's
citizens book a slot; a share of the bookings lapse (the citizen never comes). It returns two
plans of the same citizens:

- `booked`: a booked citizen checks in a little before its slot (or a little late, within the
  grace period) and is queued at the slot's start, as the booking core queues it;
- `walk_in`: the same day without bookings, every citizen a walk-in arriving when it arrives
  in `booked` (the booked citizens at their check-in), the lapsed ones absent in both.

`measure_mixed_day` serves both under the building's policy (and `booked` under plain FIFO, the
arrival order the promise to walk-ins is stated against) and reports: booked citizens' calls
relative to their slot's start (p50/p90, share within 15 minutes), walk-in waits with and
without bookings, the promise to walk-ins (docs/calling-policy.md: as the guard estimated and
as it turned out), and the calls by reason. `format_mixed_day` is what `antre simulate --booked`
prints.

Slots follow the line's booking rules when the building has them (`Line.booking`: slot length,
places, priority places, check-in window); otherwise `BookingParams` gives the slot length and
the places per slot are sized so that every citizen who wants to book finds a place (the
demand spread evenly over the day's slots, rounded up). A citizen wants the slot holding the
instant it would have come; the first later slot with a place left when that one is full, else
the latest earlier one. The assumptions (*assumed*, no source gives them): bookings are made in
random order; 85 % of booked citizens arrive 0 to `check_in_early_min` early, uniformly, the
others 0 to `check_in_late_min` late; nobody checks in before the doors open.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from server.core.building import Building, Line
from server.core.calendar import plan_for
from server.core.estimates import quantile
from server.core.part_week import line_hours, serves_on
from server.core.policy import allowance_s
from server.simulate.day import OPENING, SIM_DAY, PlannedTicket, SimParams, TicketPlan, plan_day
from server.simulate.run import SimResult, SimTicket, fifo_choose, run_plan

__all__ = [
    "BookingParams",
    "LineBookings",
    "MixedDay",
    "MixedFigures",
    "MixedPlan",
    "assign_slots",
    "format_mixed_day",
    "measure_mixed_day",
    "mixed_figures",
    "plan_mixed_day",
    "walk_in_allowance_s",
]

CALLED_NEAR_S = 15 * 60.0  # "called within 15 minutes of the slot's start"
LATE_SHARE = 0.15  # *assumed*: booked citizens who come a little late, within the grace period


@dataclass(frozen=True, slots=True)
class BookingParams:
    """The mixed day's assumptions; the slot figures apply to lines without booking rules."""

    booked_share: float = 0.4  # of each booking line's citizens
    lapse_share: float = 0.1  # of the bookings: the citizen never comes
    slot_min: int = 30
    places: int | None = None  # per slot; None: sized so that every booking finds a place
    check_in_early_min: float = 30.0
    check_in_late_min: float = 15.0
    lines: tuple[str, ...] | None = None  # None: the lines with booking rules, else every line


_DAY = SimParams()  # frozen: shared defaults are safe
_BOOKING = BookingParams()


@dataclass(frozen=True, slots=True)
class LineBookings:
    """One booking line of the mixed day."""

    prefix: str
    citizens: int  # of the day's plan on this line
    booked: int  # citizens who booked a slot (lapsed ones included)
    lapsed: int
    unplaced: int  # wanted to book but found no place: they came as walk-ins
    slots: int
    slot_min: int
    places: int  # regular places per slot
    priority_places: int


@dataclass(frozen=True, slots=True)
class MixedPlan:
    booked: TicketPlan  # booked citizens queued at their slot's start
    walk_in: TicketPlan  # the same citizens, every one a walk-in
    lines: tuple[LineBookings, ...]


# ------------------------------------------------------------------------------------------------
# The plan
# ------------------------------------------------------------------------------------------------


def assign_slots(
    wanted: Sequence[tuple[float, bool]],
    slot_starts: Sequence[float],
    slot_s: float,
    places: int,
    priority_places: int,
) -> list[int | None]:
    """The slot (index) each booking gets, in the order given; None when every slot is full.

    `wanted`: (the instant the citizen would have come, in seconds after opening; priority).
    It wants the slot holding that instant (the first or last slot when outside them); when
    full, the first later slot with a place, else the latest earlier one. A priority citizen
    takes a priority place when its slot has one left, else a regular place.
    """
    left = [places] * len(slot_starts)
    left_priority = [priority_places] * len(slot_starts)
    out: list[int | None] = []
    for instant, priority in wanted:
        want = 0
        for i, start in enumerate(slot_starts):
            last = i == len(slot_starts) - 1
            if start <= instant < start + slot_s or (last and instant >= start):
                want = i
                break
        order = [*range(want, len(slot_starts)), *range(want - 1, -1, -1)]
        got = None
        for i in order:
            if priority and left_priority[i] > 0:
                left_priority[i] -= 1
                got = i
                break
            if left[i] > 0:
                left[i] -= 1
                got = i
                break
        out.append(got)
    return out


def slot_starts(building: Building, line: Line, slot_min: int) -> list[float]:
    """The line's slots on the simulated day, seconds after opening: from its opening every
    `slot_min` while a slot starts before min(close, cutoff), skipping those in a break."""
    hours = plan_for(building, SIM_DAY).hours
    if hours is None or not serves_on(line, SIM_DAY.weekday()):
        return []
    own = line_hours(hours, line)
    if own is None:
        return []
    end = own.close if line.cutoff is None else min(own.close, line.cutoff)
    out: list[float] = []
    at = datetime.combine(SIM_DAY, own.open)
    while at.time() < end and at.date() == SIM_DAY:
        if not any(b.start <= at.time() < b.end for b in own.breaks):
            out.append(_after_opening(at.time()))
        at += timedelta(minutes=slot_min)
    return out


def plan_mixed_day(
    building: Building,
    seed: int,
    params: SimParams = _DAY,
    booking: BookingParams = _BOOKING,
) -> MixedPlan:
    """The seed's day with bookings, and the same day without; see the module's docstring."""
    base = plan_day(building, seed, params)
    rng = random.Random(f"{seed}/bookings")  # its own stream: the day's citizens do not move
    prefixes = _booking_lines(building, booking)
    by_line: dict[str, list[int]] = {}
    for n, pt in enumerate(base.tickets):
        if pt.line in prefixes:
            by_line.setdefault(pt.line, []).append(n)
    chosen: dict[int, tuple[float, bool]] = {}  # plan index -> (slot start, lapsed)
    arrival: dict[int, float] = {}
    summaries: list[LineBookings] = []
    for prefix in prefixes:
        line = building.line(prefix)
        assert line is not None
        rules = getattr(line, "booking", None)  # `Line.booking` (issue 19's booking core)
        slot_min = int(rules.slot_min) if rules is not None else booking.slot_min
        early = float(rules.check_in_early_min) if rules is not None else booking.check_in_early_min
        late = float(rules.check_in_late_min) if rules is not None else booking.check_in_late_min
        starts = slot_starts(building, line, slot_min)
        members = by_line.get(prefix, [])
        # Drawn for every member in a fixed order, whatever the outcome, as plan_day does.
        draws = [(rng.random(), rng.random(), rng.random(), rng.random()) for _ in members]
        bookers = [n for n, d in zip(members, draws, strict=True) if d[0] < booking.booked_share]
        if rules is not None:
            places, priority_places = int(rules.places), int(rules.priority_places)
        elif booking.places is not None:
            places, priority_places = booking.places, 0
        else:
            # Enough for every booking, but never more than the line's counters serve in a
            # slot at its target service time: no building sells places it cannot serve.
            share = sum(1 / len(c.serves) for c in building.counters_serving(prefix))
            serves = max(1, math.floor(share * slot_min / line.target_service_min))
            places = min(math.ceil(len(bookers) / len(starts)), serves) if starts else 0
            priority_places = 0
        order = list(bookers)
        rng.shuffle(order)  # bookings are made in no particular order
        wanted = [(base.tickets[n].arrival_s, base.tickets[n].priority) for n in order]
        slot_s = 60.0 * slot_min
        got = assign_slots(wanted, starts, slot_s, places, priority_places)
        lapsed = unplaced = 0
        draw_of = dict(zip(members, draws, strict=True))
        for n, slot in zip(order, got, strict=True):
            if slot is None:
                unplaced += 1
                continue
            _wants, lapse_draw, late_draw, when_draw = draw_of[n]
            start = starts[slot]
            gone = lapse_draw < booking.lapse_share
            lapsed += gone
            chosen[n] = (start, gone)
            if late_draw < LATE_SHARE:
                arrival[n] = start + when_draw * 60.0 * late
            else:
                arrival[n] = max(0.0, start - when_draw * 60.0 * early)
        summaries.append(
            LineBookings(
                prefix=prefix,
                citizens=len(members),
                booked=len(bookers) - unplaced,
                lapsed=lapsed,
                unplaced=unplaced,
                slots=len(starts),
                slot_min=slot_min,
                places=places,
                priority_places=priority_places,
            )
        )

    booked: list[PlannedTicket] = []
    walk_in: list[PlannedTicket] = []
    for n, pt in enumerate(base.tickets):
        if n in chosen:
            start, gone = chosen[n]
            if gone:
                continue
            came = replace(pt, arrival_s=arrival[n])
            booked.append(replace(came, slot_s=start))
            walk_in.append(came)
        else:
            booked.append(pt)
            walk_in.append(pt)
    return MixedPlan(
        TicketPlan(_numbered(booked), base.refused),
        TicketPlan(_numbered(walk_in), base.refused),
        tuple(summaries),
    )


def _booking_lines(building: Building, booking: BookingParams) -> tuple[str, ...]:
    if booking.lines is not None:
        unknown = [p for p in booking.lines if building.line(p) is None]
        if unknown:
            raise ValueError(f"no such line: {', '.join(unknown)}")
        return booking.lines
    ruled = tuple(ln.prefix for ln in building.lines if getattr(ln, "booking", None) is not None)
    return ruled or tuple(ln.prefix for ln in building.lines)


def _numbered(tickets: Iterable[PlannedTicket]) -> tuple[PlannedTicket, ...]:
    """In arrival (check-in) order, numbered per line as the kiosk numbers them."""
    seqs: dict[str, int] = {}
    out: list[PlannedTicket] = []
    for pt in sorted(tickets, key=lambda t: t.arrival_s):
        seqs[pt.line] = seqs.get(pt.line, 0) + 1
        out.append(replace(pt, seq=seqs[pt.line]))
    return tuple(out)


def _after_opening(t: time) -> float:
    opening = OPENING.hour * 3600 + OPENING.minute * 60
    return float(t.hour * 3600 + t.minute * 60 + t.second - opening)


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
