"""Working days (hari kerja) and the deadlines counted in them: complaints' (DOMAIN §10).

A working day is Monday to Friday and not one of the building's holidays (`Building.holidays`),
whatever hours the building keeps (an MPP open on Saturday still counts SP4N-LAPOR!'s deadlines
in working days). A deadline of n working days after day D is the end of the n-th working day
after D, D itself not counted: a complaint received on Friday with 3 working days is due on
Wednesday at 23:59:59 local time. Pure: the day is passed in.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from server.core.building import Building

__all__ = ["add_working_days", "deadline_end", "is_working_day"]

_END: time = time(23, 59, 59)


def is_working_day(day: date, building: Building) -> bool:
    """Monday–Friday and not a building holiday."""
    return day.weekday() < 5 and all(h.day != day for h in building.holidays)


def add_working_days(day: date, n: int, building: Building) -> date:
    """The n-th working day after `day` (`day` itself not counted); n = 0 is `day`; a negative
    n counts back (the floor's warning: the working day n days before a deadline)."""
    step = timedelta(days=1 if n >= 0 else -1)
    left = abs(n)
    while left:
        day += step
        if is_working_day(day, building):
            left -= 1
    return day


def deadline_end(day: date, building: Building) -> datetime:
    """The end of `day` in the building's zone (23:59:59 local, aware): when a deadline passes."""
    return datetime.combine(day, _END, tzinfo=building.tz)
