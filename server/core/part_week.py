"""Part-week services and shared desks: what serves, and who owns a desk, on a given day.

Theory of operation: a line (or its agency) may serve on some weekdays only and within its own
hours (`ServiceHours`: Imigrasi Monday–Thursday 08.00–14.00). On a day the building is open, a
line that does not serve that weekday is refused with `service_off_day`, whose message says
when it does serve ("Hari ini tidak melayani — buka Senin–Kamis, pukul 08.00–14.00 WITA");
on a day it serves, its hours are the building's hours of that day (weekly, or special hours
such as Ramadan) narrowed to its own, the building's breaks kept. A holiday still closes all.

A counter with a schedule is one physical desk that belongs to different agencies by weekday
(`Counter.on`); an officer works at it only on a day it belongs to their agency, and on a day
it belongs to nobody it stays closed. `desk_refusal` says why not, for the core and the hub.

Pure: no clock, no I/O; the day is always passed in.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date

from server.core.building import Building, Counter, DayHours, Line
from server.core.calendar import DayPlan
from server.core.errors import error, format_clock
from server.core.model import DomainError

__all__ = [
    "WEEKDAY_NAMES_ID",
    "days_text",
    "desk_on",
    "desk_refusal",
    "line_hours",
    "off_day_refusal",
    "serves_on",
]

# Monday first, as `date.weekday()` counts, in KBBI spelling (Jumat, not Jum'at).
WEEKDAY_NAMES_ID: tuple[str, ...] = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def _listed(items: list[str]) -> str:
    """Indonesian list: "A", "A dan B", "A, B, dan C"."""
    if len(items) <= 2:
        return " dan ".join(items)
    return f"{', '.join(items[:-1])}, dan {items[-1]}"


def days_text(days: Iterable[int]) -> str:
    """Weekdays as a citizen reads them, Monday first: three or more days in a row collapse
    into a range ("Senin–Kamis"), the rest are listed ("Selasa dan Kamis")."""
    ordered = sorted(set(days))
    parts: list[str] = []
    # Consecutive weekdays share (weekday - position): each group is one run.
    for _, group in itertools.groupby(enumerate(ordered), key=lambda pair: pair[1] - pair[0]):
        run = [day for _, day in group]
        if len(run) >= 3:
            parts.append(f"{WEEKDAY_NAMES_ID[run[0]]}–{WEEKDAY_NAMES_ID[run[-1]]}")
        else:
            parts.extend(WEEKDAY_NAMES_ID[day] for day in run)
    return _listed(parts)


def serves_on(line: Line, weekday: int) -> bool:
    """Whether the line serves on a weekday, 0 = Monday (the building's own calendar aside)."""
    own = line.service_hours
    return own is None or own.days is None or weekday in own.days


def line_hours(hours: DayHours, line: Line) -> DayHours | None:
    """The building's hours of a day narrowed to the line's own; None when nothing is left
    (special hours that end before the line opens)."""
    own = line.service_hours
    if own is None or (own.open is None and own.close is None):
        return hours
    opens = max(hours.open, own.open) if own.open is not None else hours.open
    closes = min(hours.close, own.close) if own.close is not None else hours.close
    if opens >= closes:
        return None
    breaks = tuple(b for b in hours.breaks if b.start < closes and b.end > opens)
    return DayHours(open=opens, close=closes, breaks=breaks)


def off_day_refusal(plan: DayPlan, line: Line) -> DomainError | None:
    """`service_off_day` when the line does not serve on the plan's weekday, naming its days
    (and its own hours, with the zone, when it has them); None when it serves that day."""
    own = line.service_hours
    if own is None or own.days is None or plan.day.weekday() in own.days:
        return None
    hours = ""
    if own.open is not None and own.close is not None:
        hours = f", pukul {format_clock(own.open)}–{format_clock(own.close)} {plan.zone}".rstrip()
    return error("service_off_day", days=days_text(own.days), hours=hours, line=line.name)


def desk_on(building: Building, counter: Counter, day: date) -> Counter:
    """The counter as it stands on `day`; `desk_unassigned` on a day a shared desk is nobody's."""
    desk = building.counters_on(day).get(counter.id, counter)
    if desk is None:
        raise _unassigned(building, counter)
    return desk


def desk_refusal(
    building: Building, counter: Counter, agency: str, day: date
) -> DomainError | None:
    """Why an officer of `agency` may not work at `counter` on `day`, or None when they may.

    A shared desk is its day's agency's; on a day it belongs to nobody it stays closed.
    """
    desk = building.counters_on(day).get(counter.id, counter)
    if desk is None:
        return _unassigned(building, counter)
    if desk.agency == agency:
        return None
    own_days = frozenset().union(*(p.days for p in counter.schedule if p.agency == agency))
    if own_days:
        return error(
            "desk_other_day",
            counter=counter.name,
            agency=_short(building, desk.agency),
            own=_short(building, agency),
            days=days_text(own_days),
        )
    return error("desk_other_agency", counter=counter.name, agency=_short(building, desk.agency))


def _unassigned(building: Building, counter: Counter) -> DomainError:
    schedule = _listed(
        [f"{_short(building, p.agency)} pada hari {days_text(p.days)}" for p in counter.schedule]
    )
    return error("desk_unassigned", counter=counter.name, schedule=schedule)


def _short(building: Building, code: str) -> str:
    agency = building.agency(code)
    return agency.short_name if agency is not None else code
