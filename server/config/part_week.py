"""Part-week services and shared desks in the building file: `days`, `open`, `close`, `schedule`.

An agency or a line may say on which weekdays it serves and within which hours
(`days = ["monday", "tuesday"]`, `open = "08:00"`, `close = "14:00"`); a line inherits from its
agency what it does not say. A counter may be a desk shared by agencies on different days: a
`[[counters.schedule]]` table per agency, each with its `days`, `agency` and `serves`.

Reading a table's own keys happens with its section (server/config/layout.py calls
`read_service_hours` and `read_schedule`); `resolve_part_week` then checks what needs the whole
building — hours inside the building's, a line inside its agency's, a desk's agency present on
its days, every open day of a line covered by a counter — and gives each line its resolved hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from server.config.hours import WEEKDAYS, hhmm, opens_after_closing
from server.config.serves import check_serves
from server.config.toml_reader import Key, Reader, describe, suggest
from server.core.building import Agency, Counter, DayHours, DeskDays, Line, ServiceHours

__all__ = [
    "SERVICE_KEYS",
    "check_days_served",
    "read_schedule",
    "read_service_hours",
    "resolve_part_week",
]

SERVICE_KEYS = ("days", "open", "close")
_SCHEDULE_KEYS = ("days", "agency", "serves")
Week = tuple[DayHours | None, ...]


def _names(days: frozenset[int] | set[int]) -> str:
    return ", ".join(WEEKDAYS[d] for d in sorted(days))


def read_days(value: object, key: Key, r: Reader) -> frozenset[int] | None:
    """A non-empty list of weekday names ("monday" … "sunday"), each once."""
    names = r.strings(value, key)
    if names is None:
        return None
    days: set[int] = set()
    ok = True
    for name in names:
        if name not in WEEKDAYS:
            hint = suggest(name, WEEKDAYS) or "; write " + ", ".join(f'"{d}"' for d in WEEKDAYS)
            r.problem(key, f'"{name}" is not a day of the week{hint}')
            ok = False
        elif WEEKDAYS.index(name) in days:
            r.problem(key, f'lists "{name}" more than once')
            ok = False
        else:
            days.add(WEEKDAYS.index(name))
    return frozenset(days) if ok else None


def read_service_hours(
    table: dict[str, Any], key: Key, r: Reader
) -> tuple[bool, ServiceHours | None]:
    """An agency's or a line's own `days`, `open`, `close`: (True, hours or None when it has
    none), or (False, None) when one of them is bad."""
    if not any(name in table for name in SERVICE_KEYS):
        return True, None
    before = len(r.problems)
    days = r.get(table, key, "days", lambda v, k: read_days(v, k, r), None)
    opens = r.get(table, key, "open", r.clock, None)
    closes = r.get(table, key, "close", r.closing, None)
    if opens is not None and closes is not None and opens >= closes:
        r.problem(key / "open", opens_after_closing(opens, closes))
    if len(r.problems) > before:
        return False, None
    return True, ServiceHours(days=days, open=opens, close=closes)


def read_schedule(
    value: object,
    key: Key,
    r: Reader,
    agency_codes: Mapping[str, str | None],
    prefixes: Mapping[str, tuple[str | None, Key]],
    served: set[str],
) -> tuple[DeskDays, ...] | None:
    """A shared desk's `[[counters.schedule]]`: one table per agency, no day given twice.

    Every prefix named is added to `served`, valid or not, so that a bad entry does not also
    report its lines as served by nobody.
    """
    if isinstance(value, dict):
        r.problem(key, "expected an array of tables: write [[counters.schedule]], one per agency")
        named = value.get("serves")
        if isinstance(named, list):  # not reported again as served by nobody
            served.update(p for p in named if isinstance(p, str))
        return None
    if not isinstance(value, list) or not value:
        r.problem(
            key,
            "expected one [[counters.schedule]] table per agency, with days, agency and "
            f"serves; got {describe(value)}",
        )
        return None
    parts: list[DeskDays] = []
    taken: dict[int, Key] = {}
    ok = True
    for i, entry in enumerate(value):
        part_key = key.item(i)
        if not isinstance(entry, dict):
            r.problem(part_key, f"expected a table, got {describe(entry)}")
            ok = False
            continue
        before = len(r.problems)
        r.table(entry, part_key, _SCHEDULE_KEYS)
        days = r.get(entry, part_key, "days", lambda v, k: read_days(v, k, r))
        agency = r.get(entry, part_key, "agency", r.ident)
        agency_ok = r.exists(agency, agency_codes, part_key / "agency", "agency")
        serves = r.get(entry, part_key, "serves", r.strings)
        belongs = f"on these days the desk belongs to {agency}"
        check_serves(r, part_key, serves, prefixes, served, agency, agency_ok, belongs)
        for day in sorted(days or ()):
            if day in taken:
                first = r.first_at(taken[day], taken[day] / "days")
                r.problem(
                    part_key / "days",
                    f"{WEEKDAYS[day]} is already given to another agency by {first}; "
                    "a desk belongs to one agency a day",
                )
            else:
                taken[day] = part_key
        if len(r.problems) > before or days is None or agency is None or serves is None:
            ok = False
            continue
        parts.append(DeskDays(days=days, agency=agency, serves=tuple(serves)))
    return tuple(parts) if ok else None


def resolve_part_week(
    week: Week | None,
    agencies: list[tuple[Agency, Key]],
    lines: list[tuple[Line, Key]],
    counters: list[tuple[Counter, Key]],
    r: Reader,
) -> list[tuple[Line, Key]]:
    """Check part-week hours against the building's and give each line its agency's days and
    hours where it says nothing itself; returns the lines so resolved."""
    own = {a.code: a.service_hours for a, _ in agencies}
    if week is not None:
        for agency, key in agencies:
            if agency.service_hours is not None:
                _inside_building(agency.service_hours, week, key, r, "the building")
    resolved: list[tuple[Line, Key]] = []
    for line, key in lines:
        mine, theirs = line.service_hours, own.get(line.agency)
        if mine is not None and theirs is not None:
            _inside_agency(mine, theirs, line.agency, key, r)
        if mine is not None and week is not None:
            _inside_building(mine, week, key, r, "the building")
        merged = _merge(mine, theirs)
        resolved.append((replace(line, service_hours=merged) if merged else line, key))
    if week is not None:
        for counter, key in counters:
            for i, part in enumerate(counter.schedule):
                _desk_days(part, own.get(part.agency), week, key / "schedule", i, r)
    return resolved


def _merge(mine: ServiceHours | None, theirs: ServiceHours | None) -> ServiceHours | None:
    if mine is None or theirs is None:
        return mine or theirs
    return ServiceHours(
        days=mine.days if mine.days is not None else theirs.days,
        open=mine.open if mine.open is not None else theirs.open,
        close=mine.close if mine.close is not None else theirs.close,
    )


def _inside_building(hours: ServiceHours, week: Week, key: Key, r: Reader, what: str) -> None:
    """A service's days must be days the building is open, its hours inside the building's."""
    days = hours.days if hours.days is not None else {d for d, h in enumerate(week) if h}
    closed = {d for d in days if week[d] is None}
    if closed:
        r.problem(
            key / "days",
            f"{what} is closed on {_names(closed)} (see [hours]); a service cannot open then",
        )
    for d in sorted(days - closed):
        day_hours = week[d]
        assert day_hours is not None
        if hours.open is not None and hours.open < day_hours.open:
            r.problem(
                key / "open",
                f"opens at {hhmm(hours.open)}, before {what} opens at "
                f"{hhmm(day_hours.open)} on {WEEKDAYS[d]}; open within the building's hours",
            )
            break
        if hours.close is not None and hours.close > day_hours.close:
            r.problem(
                key / "close",
                f"closes at {hhmm(hours.close)}, after {what} closes at "
                f"{hhmm(day_hours.close)} on {WEEKDAYS[d]}; close within the building's hours",
            )
            break


def _inside_agency(
    mine: ServiceHours, theirs: ServiceHours, agency: str, key: Key, r: Reader
) -> None:
    """A line serves only when its agency is there."""
    if mine.days is not None and theirs.days is not None and not mine.days <= theirs.days:
        extra = mine.days - theirs.days
        r.problem(
            key / "days",
            f"{agency} does not come on {_names(extra)} (its days: {_names(theirs.days)}); "
            "a line serves only on its agency's days",
        )
    if mine.open is not None and theirs.open is not None and mine.open < theirs.open:
        r.problem(
            key / "open",
            f"opens at {hhmm(mine.open)}, before {agency} opens at {hhmm(theirs.open)}",
        )
    if mine.close is not None and theirs.close is not None and mine.close > theirs.close:
        r.problem(
            key / "close",
            f"closes at {hhmm(mine.close)}, after {agency} closes at {hhmm(theirs.close)}",
        )


def _desk_days(
    part: DeskDays, agency: ServiceHours | None, week: Week, key: Key, i: int, r: Reader
) -> None:
    """Each day a shared desk gives to an agency is a day the building and the agency are in."""
    days_key = key.item(i) / "days"
    closed = {d for d in part.days if week[d] is None}
    if closed:
        r.problem(days_key, f"the building is closed on {_names(closed)} (see [hours])")
    if agency is not None and agency.days is not None and not part.days <= agency.days:
        away = part.days - agency.days - closed
        if away:
            r.problem(
                days_key,
                f"{part.agency} does not come on {_names(away)} (its days: {_names(agency.days)})",
            )


def check_days_served(
    week: Week | None,
    lines: list[tuple[Line, Key]],
    counters: list[Counter],
    served: set[str],
    r: Reader,
) -> None:
    """Each day a line is open, some counter serves it: else its tickets would wait all day."""
    if week is None:
        return
    for line, key in lines:
        if line.prefix not in served:
            continue  # check_served reports a line no counter serves on any day
        own = line.service_hours
        days = own.days if own is not None and own.days is not None else range(7)
        for day in sorted(days):
            if week[day] is None:
                continue
            if not any(
                (desk := c.on(day)) is not None and line.prefix in desk.serves for c in counters
            ):
                r.problem(
                    key,
                    f'line "{line.prefix}" is open on {WEEKDAYS[day]} but no counter serves it '
                    f"that day; give it a counter on {WEEKDAYS[day]} (a counter's serves, or "
                    "a shared desk's schedule) or leave the day out of its days",
                )
                break
