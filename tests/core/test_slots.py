"""A booking line's slots on a day, against slot lists written out by hand.

The test building (tests/core/factory.py) opens 07:30–16:00 on weekdays, with a Friday prayer
break 11:30–13:00, Christmas as a holiday and Ramadan hours 08:00–14:00. Line A's cutoff is
14:30, line P's 13:00.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from server.core.building import BookingRules, Building, Line, ServiceHours
from server.core.slots import day_slots, slot_end
from tests.core.factory import CHRISTMAS, FRIDAY, MONDAY, RAMADAN_MONDAY, SATURDAY, make_building


def _with_booking(prefix: str, rules: BookingRules | None, **line: object) -> Building:
    building = make_building()
    lines = tuple(
        replace(ln, booking=rules, **line) if ln.prefix == prefix else ln  # type: ignore[arg-type]
        for ln in building.lines
    )
    return replace(building, lines=lines)


def _line(building: Building, prefix: str) -> Line:
    line = building.line(prefix)
    assert line is not None
    return line


def _times(*hhmm: str) -> tuple[time, ...]:
    return tuple(time.fromisoformat(t) for t in hhmm)


HOURLY = BookingRules(slot_min=60, places=4)


def test_a_monday_runs_from_opening_while_slots_start_before_the_cutoff() -> None:
    building = _with_booking("A", HOURLY)
    # 07:30 … 13:30 start before the 14:30 cutoff; 14:30 does not.
    expected = _times("07:30", "08:30", "09:30", "10:30", "11:30", "12:30", "13:30")
    assert day_slots(building, _line(building, "A"), MONDAY) == expected


def test_a_slot_starting_in_the_friday_break_is_left_out_and_the_grid_kept() -> None:
    building = _with_booking("A", BookingRules(slot_min=30, places=2))
    slots = day_slots(building, _line(building, "A"), FRIDAY)
    # Break 11:30–13:00: 11:30, 12:00 and 12:30 start inside it; 13:00 is the first after.
    assert time(11, 0) in slots and time(13, 0) in slots
    assert not {time(11, 30), time(12, 0), time(12, 30)} & set(slots)
    assert slots[0] == time(7, 30) and slots[-1] == time(14, 0)
    assert len(slots) == 8 + 3  # 07:30…11:00 is eight slots, 13:00…14:00 three


def test_no_slots_on_a_holiday_a_weekend_or_without_booking() -> None:
    building = _with_booking("A", HOURLY)
    assert day_slots(building, _line(building, "A"), CHRISTMAS) == ()
    assert day_slots(building, _line(building, "A"), SATURDAY) == ()
    assert day_slots(building, _line(building, "B"), MONDAY) == ()  # B takes no bookings


def test_ramadan_hours_narrow_the_slots() -> None:
    building = _with_booking("A", HOURLY)
    # Ramadan 08:00–14:00, the cutoff 14:30 is past closing: 08:00 … 13:00.
    expected = _times("08:00", "09:00", "10:00", "11:00", "12:00", "13:00")
    assert day_slots(building, _line(building, "A"), RAMADAN_MONDAY) == expected


def test_a_part_week_line_has_slots_only_on_its_days_and_within_its_hours() -> None:
    own = ServiceHours(days=frozenset({1, 3}), open=time(8, 0), close=time(12, 0))
    building = _with_booking("P", HOURLY, service_hours=own)
    line = _line(building, "P")
    assert day_slots(building, line, MONDAY) == ()  # Monday is not one of its days
    tuesday = MONDAY.replace(day=MONDAY.day + 1)
    assert day_slots(building, line, tuesday) == _times("08:00", "09:00", "10:00", "11:00")


def test_a_slot_ends_one_slot_length_after_its_start() -> None:
    building = _with_booking("A", BookingRules(slot_min=45, places=1))
    assert slot_end(_line(building, "A"), MONDAY, time(9, 30)) == time(10, 15)


def test_capacity_counts_regular_and_priority_places() -> None:
    assert BookingRules(slot_min=30, places=6, priority_places=1).capacity == 7
