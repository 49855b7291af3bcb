"""The plan of a day that mixes booked and walk-in citizens (issue 19): who books which slot.

`plan_mixed_day` takes a seeded day (`day.plan_day`) and lets a share of each booking line's
citizens book a slot; a share of the bookings lapse (the citizen never comes). It returns two
plans of the same citizens:

- `booked`: a booked citizen checks in a little before its slot (or a little late, within the
  grace period) and is queued at the slot's start, as the booking core queues it;
- `walk_in`: the same day without bookings, every citizen a walk-in arriving when it arrives
  in `booked` (the booked citizens at their check-in), the lapsed ones absent in both.

Slots follow the line's booking rules when the building has them (`Line.booking`: slot length,
places, priority places, check-in window); otherwise `BookingParams` gives the slot length and
the places per slot are sized so that every citizen who wants to book finds a place (the
demand spread evenly over the day's slots, rounded up), never more than the line's counters
serve in a slot. A citizen wants the slot holding the instant it would have come; the first
later slot with a place left when that one is full, else the latest earlier one. The
assumptions (*assumed*, no source gives them): bookings are made in random order; 85 % of
booked citizens arrive 0 to `check_in_early_min` early, uniformly, the others 0 to
`check_in_late_min` late; nobody checks in before the doors open. `server.simulate.bookings`
serves and measures the two plans.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from server.core.building import Building, Line
from server.core.calendar import plan_for
from server.core.part_week import line_hours, serves_on
from server.simulate.day import OPENING, SIM_DAY, PlannedTicket, SimParams, TicketPlan, plan_day

__all__ = [
    "BookingParams",
    "LineBookings",
    "MixedPlan",
    "assign_slots",
    "plan_mixed_day",
    "slot_starts",
]

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
