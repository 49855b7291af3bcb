"""The building's calendar: which hours apply on a given local day, and local instants.

Precedence, most specific first: a holiday closes the whole day; otherwise a special-hours range
(Ramadan…) covering the day gives that day's hours (the first listed range wins when ranges
overlap); otherwise the weekly hours. `None` hours means no service that day.

Times of day in the building are naive local times; Indonesia has no daylight saving, so joining a
local date and time with the building's fixed offset gives an exact instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from server.core.building import Building, DayHours, Holiday, SpecialHours, TimeRange

__all__ = [
    "DayPlan",
    "at_local",
    "break_at",
    "day_last_instant",
    "day_start",
    "plan_for",
    "reopens_at",
]

_ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class DayPlan:
    """What one local day looks like: its hours and why (holiday, special range, weekday)."""

    day: date
    hours: DayHours | None  # None: no service at all that day
    holiday: Holiday | None = None
    special: SpecialHours | None = None
    zone: str = ""  # WIB / WITA / WIT: refusals that name a time name the zone


def plan_for(building: Building, day: date) -> DayPlan:
    """The hours that apply on `day`: holiday, else special hours, else the weekly hours."""
    zone = building.zone_label
    for holiday in building.holidays:
        if holiday.day == day:
            return DayPlan(day, None, holiday=holiday, zone=zone)
    weekday = day.weekday()
    for special in building.special_hours:
        if special.start <= day <= special.end:
            return DayPlan(day, special.weekly[weekday], special=special, zone=zone)
    return DayPlan(day, building.weekly[weekday], zone=zone)


def at_local(building: Building, day: date, t: time) -> datetime:
    """The aware instant of local time `t` on local day `day`."""
    return datetime.combine(day, t, tzinfo=building.tz)


def day_start(building: Building, day: date) -> datetime:
    """Local midnight opening `day`: where the numbering resets."""
    return at_local(building, day, time(0))


def day_last_instant(building: Building, day: date) -> datetime:
    """The last instant of `day` (next local midnight minus 1 µs): when a day's close is stamped.

    `building.service_day` of this instant is `day`, so closing events land in the day they close.
    """
    return day_start(building, day + timedelta(days=1)) - _ONE_MICROSECOND


def break_at(hours: DayHours, t: time) -> TimeRange | None:
    """The break `t` falls in, if any."""
    for brk in hours.breaks:
        if brk.contains(t):
            return brk
    return None


def reopens_at(hours: DayHours, t: time) -> time:
    """When service resumes after the break holding `t`; back-to-back breaks are joined."""
    resume = t
    brk = break_at(hours, resume)
    # Bounded by the number of breaks: each step moves past one break's end.
    for _ in range(len(hours.breaks)):
        if brk is None:
            break
        resume = brk.end
        brk = break_at(hours, resume)
    return resume
