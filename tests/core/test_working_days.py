"""Working days and deadlines (server/core/working_days.py) across weekends and a building
holiday: the test building (tests/core/factory.py) has Christmas, Friday 25 December 2026."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from server.core.working_days import add_working_days, deadline_end, is_working_day
from tests.core.factory import make_building

BUILDING = make_building()


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 11, 23), 3, date(2026, 11, 26)),  # Monday + 3: Thursday
        (date(2026, 11, 27), 3, date(2026, 12, 2)),  # Friday + 3: Mon, Tue, Wed
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # Saturday + 1: Monday
        (date(2026, 11, 29), 5, date(2026, 12, 4)),  # Sunday + 5: Friday
        (date(2026, 12, 23), 3, date(2026, 12, 29)),  # Wed + 3: Thu 24, (Christmas), Mon, Tue
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # Thursday + 1 skips Christmas and a weekend
        (date(2026, 11, 23), 0, date(2026, 11, 23)),
        (date(2026, 12, 28), -1, date(2026, 12, 24)),  # back: Monday - 1 is Thursday 24th
        (date(2026, 12, 3), -1, date(2026, 12, 2)),
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n, BUILDING) == expected


def test_which_days_are_working_days() -> None:
    week = [date(2026, 12, 21) + timedelta(days=i) for i in range(7)]
    assert [is_working_day(d, BUILDING) for d in week] == [
        True,  # Monday 21
        True,
        True,
        True,  # Thursday 24
        False,  # Christmas
        False,  # Saturday
        False,  # Sunday
    ]


def test_a_deadline_ends_at_the_last_second_of_its_day_in_the_buildings_zone() -> None:
    end = deadline_end(date(2026, 12, 2), BUILDING)
    assert end == datetime(2026, 12, 2, 16, 59, 59, tzinfo=UTC)  # 23:59:59 WIB
    assert end.utcoffset() == timedelta(hours=7)
    wit = deadline_end(date(2026, 12, 2), make_building("WIT"))
    assert wit == datetime(2026, 12, 2, 14, 59, 59, tzinfo=UTC)  # 23:59:59 WIT
