"""When the building is open: the week, breaks, holidays, special hours, and the lines' cutoffs.

The sections `[hours]`, `[[holidays]]` and `[[special_hours]]` of the building file, and the check
that a line's cutoff falls inside opening hours on at least one open day.
"""

from __future__ import annotations

import itertools
from datetime import date, time
from typing import Any

from server.config.toml_reader import MISSING, Key, Reader, Seen, describe
from server.core.building import END_OF_DAY, DayHours, Holiday, Line, SpecialHours, TimeRange
from server.core.part_week import line_hours, serves_on

__all__ = [
    "WEEKDAYS",
    "check_cutoffs",
    "hhmm",
    "opens_after_closing",
    "read_holidays",
    "read_hours",
    "read_special_hours",
]

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_DAY_KEYS = ("open", "close", "breaks")
_HOLIDAY_KEYS = ("date", "name")
_SPECIAL_KEYS = ("name", "start", "end", *WEEKDAYS)
_CLOSED = "closed"


def hhmm(t: time) -> str:
    """A time as the building file writes it: "07:30", and "24:00" for the end of the day."""
    return _hhmm(t)


def _hhmm(t: time) -> str:
    return "24:00" if t == END_OF_DAY else t.strftime("%H:%M")


def _span(r: TimeRange) -> str:
    return f"{_hhmm(r.start)}–{_hhmm(r.end)}"


def _read_day(value: object, key: Key, r: Reader) -> tuple[bool, DayHours | None]:
    """One weekday: (True, hours), (True, None) for "closed", or (False, None) when bad."""
    if value == _CLOSED:
        return True, None
    if not isinstance(value, dict):
        r.problem(
            key,
            f'expected "closed" or a table such as {{ open = "07:30", close = "16:00" }}, '
            f"got {describe(value)}",
        )
        return False, None
    r.table(value, key, _DAY_KEYS)
    table = value
    problems_before = len(r.problems)
    opens = r.get(table, key, "open", r.clock)
    closes = r.get(table, key, "close", r.closing)
    if opens is not None and closes is not None and opens >= closes:
        r.problem(key, opens_after_closing(opens, closes))
    breaks = _read_breaks(table.get("breaks", []), key / "breaks", r, opens, closes)
    if len(r.problems) > problems_before or opens is None or closes is None or breaks is None:
        return False, None
    return True, DayHours(open=opens, close=closes, breaks=breaks)


def opens_after_closing(opens: time, closes: time) -> str:
    """The problem of hours that close before they open, with the way to write a long day."""
    message = f"opens at {_hhmm(opens)} but closes at {_hhmm(closes)}; close after open"
    if closes < opens:
        # Most likely a service meant to run past midnight.
        message += (
            '. A service day ends at local midnight (numbers restart then): close at "24:00" '
            'and open again at "00:00" the next day'
        )
    return message


def _read_breaks(
    value: object, key: Key, r: Reader, opens: time | None, closes: time | None
) -> tuple[TimeRange, ...] | None:
    shape = 'an array of ["start", "end"] pairs such as [["11:30", "13:00"]]'
    if not isinstance(value, list):
        r.problem(key, f"expected {shape}, got {describe(value)}")
        return None
    spans: list[TimeRange] = []
    ok = True
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2):
            r.problem(key, f"expected {shape}; one entry is {describe(pair)}")
            ok = False
            continue
        start, end = r.clock(pair[0], key), r.clock(pair[1], key)
        if start is None or end is None:
            ok = False
            continue
        span = TimeRange(start, end)
        if start >= end:
            r.problem(key, f"break {_span(span)} ends before it starts")
            ok = False
        elif opens is not None and closes is not None and not (opens <= start and end <= closes):
            r.problem(
                key,
                f"break {_span(span)} is not inside opening hours {_hhmm(opens)}–{_hhmm(closes)}",
            )
            ok = False
        spans.append(span)
    ordered = sorted(spans, key=lambda s: s.start)
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            r.problem(key, f"break {_span(after)} overlaps break {_span(before)}")
            ok = False
    return tuple(ordered) if ok else None


def read_hours(
    doc: dict[str, Any], r: Reader
) -> tuple[tuple[DayHours | None, ...] | None, list[DayHours]]:
    """The week (None if any day is bad), and the open days that were read correctly."""
    key = Key() / "hours"
    value = doc.get("hours", MISSING)
    if value is MISSING:
        r.problem(key, 'required: add an [hours] table, e.g. monday = { open = "07:30", ... }')
        return None, []
    table = r.table(value, key, WEEKDAYS, header="hours")
    if table is None:
        return None, []
    week: list[DayHours | None] = []
    ok = True
    for day in WEEKDAYS:
        if day not in table:
            r.problem(key / day, f'missing; write {day} = "closed" if the building is closed then')
            ok = False
            continue
        day_ok, hours = _read_day(table[day], key / day, r)
        ok = ok and day_ok
        week.append(hours)
    if ok and all(h is None for h in week):
        r.problem(key, "the building is closed every day of the week")
        ok = False
    return (tuple(week) if ok else None), [h for h in week if h is not None]


def read_holidays(doc: dict[str, Any], r: Reader) -> list[Holiday]:
    holidays: list[Holiday] = []
    seen: dict[date, Seen] = {}
    for i, table in r.entries(doc, "holidays", required=False):
        day_value = table.get("date")
        label = day_value.isoformat() if type(day_value) is date else None
        key = (Key() / "holidays").item(i, label)
        r.table(table, key, _HOLIDAY_KEYS)
        day = r.get(table, key, "date", r.day)
        name = r.get(table, key, "name", r.string)
        r.unique(seen, day, key, "date", "holiday date")
        if day is not None and name is not None:
            holidays.append(Holiday(day=day, name=name))
    return holidays


def read_special_hours(
    doc: dict[str, Any], r: Reader, regular: tuple[DayHours | None, ...] | None
) -> list[SpecialHours]:
    """Special periods; weekdays a period does not list keep their regular hours."""
    out: list[SpecialHours] = []
    spans: list[tuple[date, date, Key]] = []
    for i, table in r.entries(doc, "special_hours", required=False):
        key = (Key() / "special_hours").item(i)
        r.table(table, key, _SPECIAL_KEYS)
        name = r.get(table, key, "name", r.string)
        start = r.get(table, key, "start", r.day)
        end = r.get(table, key, "end", r.day)
        ok = name is not None and start is not None and end is not None
        if start is not None and end is not None:
            if end < start:
                r.problem(key / "end", f"ends on {end} before it starts on {start}")
                ok = False
            else:
                spans.append((start, end, key))
        week: list[DayHours | None] = []
        for n, day in enumerate(WEEKDAYS):
            if day in table:
                day_ok, hours = _read_day(table[day], key / day, r)
                ok = ok and day_ok
                week.append(hours)
            else:
                week.append(regular[n] if regular is not None else None)
        if ok and regular is not None and name and start and end:
            out.append(SpecialHours(name=name, start=start, end=end, weekly=tuple(week)))
    spans.sort(key=lambda s: s[0])
    # Compare each period with the one reaching furthest so far, not just its neighbour.
    furthest: tuple[date, Key] | None = None
    for start, end, key in spans:
        if furthest is not None and start <= furthest[0]:
            earlier = furthest[1]
            r.problem(
                key / "start",
                f"overlaps {r.first_at(earlier, earlier / 'start')}; periods must not overlap",
            )
        if furthest is None or end > furthest[0]:
            furthest = (end, key)
    return out


def check_cutoffs(
    lines: list[tuple[Line, Key]],
    open_days: list[DayHours],
    r: Reader,
    week: tuple[DayHours | None, ...] | None = None,
) -> None:
    """A cutoff that falls outside opening hours on every open day is a typo, not a policy.

    With the `week`, a part-week line is held to its own days and hours inside the building's.
    """
    for line, key in lines:
        if week is not None:
            line_days = [
                h
                for d, day in enumerate(week)
                if day is not None and serves_on(line, d)
                if (h := line_hours(day, line)) is not None
            ]
        else:
            line_days = open_days
        if line_days:
            _check_cutoff(line, key, line_days, r)


def _check_cutoff(line: Line, key: Key, open_days: list[DayHours], r: Reader) -> None:
    cutoff = line.cutoff
    if cutoff is None or any(h.open < cutoff <= h.close for h in open_days):
        return
    latest_close = max(h.close for h in open_days)
    earliest_open = min(h.open for h in open_days)
    if cutoff > latest_close:
        r.problem(
            key / "cutoff",
            f"cutoff {_hhmm(cutoff)} is after closing time on every open day "
            f"(latest close {_hhmm(latest_close)}), so it would never apply",
        )
    else:
        r.problem(
            key / "cutoff",
            f"cutoff {_hhmm(cutoff)} is not after opening time on any open day "
            f"(earliest open {_hhmm(earliest_open)}), so no ticket could ever be issued",
        )
