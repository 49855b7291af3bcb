"""A booking line's time slots on a day: when a booked citizen's place in the queue begins.

Theory of operation: slots start at the line's opening on that day (its own hours inside the
building's: server/core/part_week.py) and every `BookingRules.slot_min` minutes after, as long as
a slot *starts* before the line stops issuing tickets (its closing, or its cutoff when earlier).
A slot that would start inside a break (Friday prayer) is left out, and the next one starts where
it would have: slots keep one grid per day, so "09.00" means the same on every day with the same
hours. The calendar applies as it does to tickets: a holiday or a closed weekday has no slots,
special hours (Ramadan) narrow them, a part-week line has none on its days off.

Pure: the day is passed in; slots are naive local times of that day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from server.core.building import Building, Line
from server.core.calendar import break_at, plan_for
from server.core.part_week import line_hours, off_day_refusal

__all__ = ["day_slots", "slot_end"]


def day_slots(building: Building, line: Line, day: date) -> tuple[time, ...]:
    """The start times of `line`'s booking slots on `day`, in order; () without booking."""
    rules = line.booking
    if rules is None:
        return ()
    plan = plan_for(building, day)
    if plan.hours is None or off_day_refusal(plan, line) is not None:
        return ()
    hours = line_hours(plan.hours, line)
    if hours is None:
        return ()
    last = hours.close if line.cutoff is None else min(hours.close, line.cutoff)
    step = timedelta(minutes=rules.slot_min)
    start = datetime.combine(day, hours.open)
    stop = datetime.combine(day, last)
    out: list[time] = []
    while start < stop:
        t = start.time()
        if break_at(hours, t) is None:
            out.append(t)
        start += step
    return tuple(out)


def slot_end(line: Line, day: date, slot: time) -> time:
    """Where a slot of `line` ends (its start plus the slot length), for display."""
    rules = line.booking
    minutes = rules.slot_min if rules is not None else 0
    return (datetime.combine(day, slot) + timedelta(minutes=minutes)).time()
