"""The calendar's edges: the first and last day of special hours, breaks back to back, a break
that runs to closing time, and the counter named in a refused counter move.

Expectations from docs/configuration.md ("`[[special_hours]]`: `start` first day, inclusive;
`end` last day, inclusive"; breaks lie within open–close and must not overlap, so two may touch)
and from the day worked by hand: a citizen at the kiosk during a break is told when service
resumes, and is told "no more today" when nothing resumes before closing. These were the
survivors of `make mutate` in calendar.py, issuing.py and transitions.py (docs/testing.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest
from factory import make_building

from server.core.building import DayHours, TimeRange
from server.core.calendar import plan_for, reopens_at
from server.core.issuing import hours_refusal
from server.core.model import CounterState, DomainError
from server.core.transitions import CounterAction, counter_move

# The test building's Ramadan hours (08.00–14.00) run from Monday 8 February to Tuesday
# 9 March 2027, both days inclusive; the weekly hours open at 07.30.
RAMADAN_FIRST_DAY = date(2027, 2, 8)
RAMADAN_LAST_DAY = date(2027, 3, 9)
DAY_BEFORE = date(2027, 2, 5)  # the Friday before: weekly hours
DAY_AFTER = date(2027, 3, 10)  # a Wednesday: weekly hours again


def _refusal(day: date, hhmm: str, line: str = "A") -> tuple[str, str] | None:
    building = make_building()
    refused = hours_refusal(plan_for(building, day), building.line(line), time.fromisoformat(hhmm))
    return None if refused is None else (refused.code, refused.message)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (DAY_BEFORE, None),
        (RAMADAN_FIRST_DAY, ("not_open_yet", "Layanan dibuka pukul 08.00 WIB")),
        (RAMADAN_LAST_DAY, ("not_open_yet", "Layanan dibuka pukul 08.00 WIB")),
        (DAY_AFTER, None),
    ],
    ids=["day-before", "first-day", "last-day", "day-after"],
)
def test_special_hours_hold_from_their_first_to_their_last_day(
    day: date, expected: tuple[str, str] | None
) -> None:
    """At 07.45 a ticket is issued on weekly hours, refused on Ramadan's (opens 08.00)."""
    assert _refusal(day, "07:45") == expected


def test_special_hours_close_early_on_their_first_day() -> None:
    assert _refusal(RAMADAN_FIRST_DAY, "14:10") == (
        "closed_hours",
        "Layanan hari ini sudah tutup pukul 14.00 WIB",
    )


def _hours_with_breaks(*breaks: tuple[str, str]) -> DayHours:
    return DayHours(
        open=time(7, 30),
        close=time(16, 0),
        breaks=tuple(TimeRange(time.fromisoformat(a), time.fromisoformat(b)) for a, b in breaks),
    )


def test_back_to_back_breaks_reopen_after_the_last_of_them() -> None:
    # Friday prayers 11.30–12.00 then lunch 12.00–13.00: no service from 11.30 to 13.00.
    hours = _hours_with_breaks(("11:30", "12:00"), ("12:00", "13:00"))
    assert reopens_at(hours, time(11, 45)) == time(13, 0)
    assert reopens_at(hours, time(12, 30)) == time(13, 0)
    assert reopens_at(hours, time(13, 0)) == time(13, 0)
    building = make_building()
    monday = plan_for(building, date(2026, 11, 23))
    plan = replace(monday, hours=hours)
    refused = hours_refusal(plan, building.line("B"), time(11, 45))
    assert refused is not None
    assert (refused.code, refused.message) == ("on_break", "Layanan dibuka kembali pukul 13.00 WIB")


def test_three_breaks_in_a_row_are_joined() -> None:
    hours = _hours_with_breaks(("10:00", "10:15"), ("10:15", "10:30"), ("10:30", "11:00"))
    assert reopens_at(hours, time(10, 5)) == time(11, 0)


def test_a_break_that_runs_to_closing_time_means_no_more_today() -> None:
    # A line without a cutoff, a last break 15.00–16.00 and closing at 16.00: nothing resumes.
    building = make_building()
    line = replace(building.line("B"), cutoff=None)
    plan = replace(
        plan_for(building, date(2026, 11, 23)), hours=_hours_with_breaks(("15:00", "16:00"))
    )
    refused = hours_refusal(plan, line, time(15, 30))
    assert refused is not None
    assert refused.code == "no_more_today"
    # One minute earlier the break ends before closing: the citizen is told when to come back.
    plan = replace(plan, hours=_hours_with_breaks(("15:00", "15:59")))
    refused = hours_refusal(plan, line, time(15, 30))
    assert refused is not None
    assert (refused.code, refused.message) == ("on_break", "Layanan dibuka kembali pukul 15.59 WIB")


def test_a_refused_counter_move_names_the_counter() -> None:
    """The officer reads which counter could not move ("… karena Loket 1 sedang tutup")."""
    with pytest.raises(DomainError) as refused:
        counter_move(CounterState.CLOSED, CounterAction.PAUSE, "Loket 1")
    assert refused.value.code == "illegal_transition"
    assert "Loket 1" in refused.value.message
