"""The guard's edges, worked by hand: the cost it falls back on, its floors (one overtaking, and
the optional regular_delay_min), lines it must not skip, and the overtakings a preview counts as
it goes.

Rule 0 of docs/calling-policy.md: a priority ticket may overtake a waiting regular ticket that has
waited w, has i tickets ahead on its line and has absorbed k overtakings while
(k + 1)·d ≤ max(regular_delay_pct % of F, d, regular_delay_min), with F = w − k·d + i·d and d what
one overtaking costs the line. A first overtaking (k = 0) is always allowed, so the cases below
give the regular ticket one it has already absorbed. `choose_next`'s contract (its docstring): a
line left out of `costs` costs its target over the counters serving it, a counter shared by n
lines counting 1/n.

These cases were written for the mutants `make mutate` found alive (docs/testing.md): each expected
call below is computed on paper in its comment, never by the policy.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from policy_kit import T0, building, lines_of, tk

from server.core.building import Building, Counter, Line, PolicySettings
from server.core.model import Ticket
from server.core.policy import choose_next, preview


def guarded(
    counters: tuple[Counter, ...], *, target_a: float = 4, pct: float = 25.0, floor_min: float = 0
) -> Building:
    """Lines A (target `target_a` min), B and C (10 min); the guard on with the given promise and
    max wait far away, so rule 1 never steps in."""
    b = building(max_wait_min=600)
    return Building(
        name=b.name,
        timezone=b.timezone,
        weekly=b.weekly,
        zones=b.zones,
        agencies=b.agencies,
        lines=(Line("A", "AG", "Layanan A", target_a), *b.lines[1:]),
        counters=counters,
        policy=PolicySettings(
            max_wait_min=600,
            protect_regular=True,
            regular_delay_pct=pct,
            regular_delay_min=floor_min,
        ),
    )


# ---------------------------------------------------------------------------------------------
# The fallback cost: target over the counters' shares
# ---------------------------------------------------------------------------------------------

# K1 serves A alone (share 1), K2 serves A and B (share 1/2): A has 1.5 counters' worth, so with
# A's target of 4 min one overtaking costs d = 240 s / 1.5 = 160 s. With no floor but d itself,
# A-001 (nobody ahead, one overtaking absorbed) lets the priority ticket A-002 go first once
# 2 × 160 = 320 ≤ 25 % of F, F = w − 160: from w = 1,440 s on. A cost from a 10-minute target
# (400 s: from w = 3,600), from no counters (240 s: from 2,160) or from a 61-second minute
# (162.7 s: from 1,464) each move that threshold.
SHARED = (
    Counter("K1", "Loket 1", 1, "1", "AG", ("A",)),
    Counter("K2", "Loket 2", 2, "1", "AG", ("A", "B")),
)


def once_overtaken(number: str, minute: float) -> Ticket:
    """A waiting regular ticket that has already absorbed one overtaking."""
    return replace(tk(number, minute), overtaken=1)


@pytest.mark.parametrize(
    ("waited_s", "called"),
    [
        (1445, "A-002"),  # 320 ≤ 25 % × 1,285 = 321.25: the priority ticket goes first
        (1440, "A-002"),  # 320 ≤ 320: exactly on the promise still goes
        (1435, "A-001"),  # 320 > 318.75: the regular ticket keeps its turn
    ],
)
def test_a_line_without_a_measured_cost_costs_its_target_over_its_counters(
    waited_s: int, called: str
) -> None:
    b = guarded(SHARED)
    waiting = lines_of(once_overtaken("A-001", 0), tk("A-002", 1, priority=True))
    now = T0 + timedelta(seconds=waited_s)
    choice = choose_next(b.counters[0], waiting, {}, b, now)
    assert choice is not None and choice.ticket.number == called


# ---------------------------------------------------------------------------------------------
# The floors: one overtaking always, and regular_delay_min minutes of 60 seconds
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overtaken", "called"),
    [
        (0, "A-002"),  # 1 × 1,000 ≤ max(0, 1,000): the first overtaking, however costly
        (1, "A-001"),  # 2 × 1,000 > max(0, 1,000): not a second
    ],
)
def test_the_floor_is_one_overtaking_even_with_no_percentage(overtaken: int, called: str) -> None:
    # 0 % and no regular_delay_min: the cost of one overtaking (1,000 s) alone is the allowance.
    b = guarded(SHARED[:1], pct=0, floor_min=0)
    regular = replace(tk("A-001", 0), overtaken=overtaken)
    waiting = lines_of(regular, tk("A-002", 1, priority=True))
    now = T0 + timedelta(minutes=30)
    choice = choose_next(b.counters[0], waiting, {}, b, now, costs={"A": 1000})
    assert choice is not None and choice.ticket.number == called


@pytest.mark.parametrize(
    ("cost_s", "called"),
    [
        (150, "A-002"),  # 2 × 150 = 300 ≤ 5 min: within the floor
        (151, "A-001"),  # 302 > 300 s (and > one overtaking, 151): two seconds past the floor
    ],
)
def test_the_extra_floor_is_regular_delay_min_whole_minutes(cost_s: int, called: str) -> None:
    # No percentage (0 %), so the floors alone decide: max(0, cost, 5 × 60 s) = 300 s, and the
    # regular ticket has absorbed one overtaking already, so a second costs 2 × cost.
    b = guarded(SHARED[:1], pct=0, floor_min=5)
    waiting = lines_of(once_overtaken("A-001", 0), tk("A-002", 1, priority=True))
    now = T0 + timedelta(minutes=30)
    choice = choose_next(b.counters[0], waiting, {}, b, now, costs={"A": cost_s})
    assert choice is not None and choice.ticket.number == called


# ---------------------------------------------------------------------------------------------
# Every line of the counter is asked, an empty one first included
# ---------------------------------------------------------------------------------------------


def test_an_empty_first_line_does_not_end_the_guard() -> None:
    # K3 lists B first; B is empty. On A, A-001 has waited 10 min and absorbed one overtaking;
    # one costs 1,000 s, so a second (2,000 s) is more than max(25 % of 600 − 1,000 s, 1,000 s):
    # the priority ticket A-002 must not go first.
    b = guarded((Counter("K3", "Loket 3", 3, "1", "AG", ("B", "A")),))
    waiting = lines_of(once_overtaken("A-001", 0), tk("A-002", 1, priority=True))
    now = T0 + timedelta(minutes=10)
    choice = choose_next(b.counters[0], waiting, {}, b, now, costs={"A": 1000, "B": 60})
    assert choice is not None and choice.ticket.number == "A-001"


# ---------------------------------------------------------------------------------------------
# A preview counts the overtakings its own calls add
# ---------------------------------------------------------------------------------------------


def test_a_preview_counts_each_overtaking_it_adds() -> None:
    # A priority counter on A (priority first, no ratio), d = 100 s, 25 %, no extra floor.
    # A-001 has waited w = 1,000 s when four priority tickets wait behind it.
    #   1st call: k = 0: a first overtaking is always allowed → A-002 goes first (absorbs 1)
    #   2nd call: k = 1: 200 ≤ max(25 % × (1,000 − 100) = 225, 100) → A-003 goes (absorbs 2)
    #   3rd call: k = 2: 300 > max(25 % × (1,000 − 200) = 200, 100) → A-001 is called
    #   4th call: nobody older waits                      → A-004
    priority_counter = Counter("KP", "Loket 9", 9, "1", "AG", ("A",), priority=True)
    b = guarded((priority_counter,))
    tickets = [tk("A-001", 0)] + [tk(f"A-00{n}", n, priority=True) for n in (2, 3, 4, 5)]
    now = T0 + timedelta(seconds=1000)
    order = preview(priority_counter, lines_of(*tickets), {}, b, now, 4, costs={"A": 100})
    assert [t.number for t in order] == ["A-002", "A-003", "A-001", "A-004"]
    assert [t.priority is not None for t in order] == [True, True, False, True]
