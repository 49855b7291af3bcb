"""Rule 0 of the calling policy: the guard that bounds what regular tickets pay for priority
overtakings (docs/calling-policy.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from policy_kit import (
    T0,
    F,
    P,
    building,
    lines_of,
    seq,
    tk,
)

from server.core.building import Building, PolicySettings
from server.core.events import CallReason
from server.core.model import Ticket
from server.core.policy import (
    Choice,
    choose_next,
    may_overtake,
    overtaking_cost_s,
    passed_over,
    ratio_count_after,
)

# ------------------------------------------------------------------------------------------------
# Rule 0: the guard that bounds what regular tickets pay for overtakings
# ------------------------------------------------------------------------------------------------

MIN = 60.0  # seconds


@pytest.mark.parametrize(
    ("overtaken", "waited_min", "ahead", "cost_min", "allowed"),
    [
        (0, 2, 0, 4, True),  # 4 min <= the 5-minute floor
        (0, 2, 0, 6, False),  # 6 min > 5 min, and 25 % of a 2-minute FIFO wait is less
        (1, 2, 0, 2, True),  # two overtakings of 2 min: 4 min <= 5 min
        (2, 2, 0, 2, False),  # a third: 6 min > 5 min
        (0, 40, 0, 8, True),  # 25 % of 40 min = 10 min >= 8 min
        (1, 40, 0, 8, False),  # FIFO wait 40 - 8 = 32 min: 8 min allowed, 16 asked
        (1, 2, 20, 8, True),  # 20 tickets ahead: FIFO wait 2 + 19·8 = 154 min, 38.5 allowed
        (4, 40, 0, 8, False),
    ],
)
def test_may_overtake_keeps_each_regular_ticket_within_its_allowance(
    overtaken: int, waited_min: float, ahead: int, cost_min: float, allowed: bool
) -> None:
    """One more overtaking is allowed while k+1 overtakings cost at most max(25 % of the
    estimated FIFO wait, 5 min); the FIFO wait counts the tickets still ahead."""
    ticket = replace(tk("A-001", 0), overtaken=overtaken)
    now = T0 + timedelta(minutes=waited_min)
    settings_ = PolicySettings()
    assert may_overtake(ticket, ahead, cost_min * MIN, settings_, now) is allowed


def test_may_overtake_counts_pending_overtakings_and_follows_the_settings() -> None:
    """A preview's pending overtakings count like recorded ones; the percentage and floor are
    the building's settings."""
    ticket = tk("A-001", 0)
    now = T0 + timedelta(minutes=2)
    default = PolicySettings()
    assert may_overtake(ticket, 0, 2 * MIN, default, now, pending=1)
    assert not may_overtake(ticket, 0, 2 * MIN, default, now, pending=2)
    generous = PolicySettings(regular_delay_min=10)
    assert may_overtake(ticket, 0, 6 * MIN, generous, now, pending=0)
    strict = PolicySettings(regular_delay_pct=0, regular_delay_min=0)
    assert not may_overtake(ticket, 0, 1.0, strict, now)


def test_the_guard_holds_a_jump_that_costs_a_fresh_regular_ticket_too_much() -> None:
    """Strict priority, a regular ticket queued 2 minutes ago: an overtaking that costs it more
    than 5 minutes is held (FIFO), one that costs less goes ahead."""
    b = building(r=0, protect_regular=True)
    now = T0 + timedelta(minutes=2)
    waiting = lines_of(tk("A-001", 0), tk("A-101", 1, True))
    counter = b.counter("K1")
    assert counter is not None
    # Line A's default cost: its 10-minute target over 1 + 1/2 + 1/3 counters = 5.45 min.
    assert choose_next(counter, waiting, {}, b, now) == Choice(waiting["A"][0], F)
    assert choose_next(counter, waiting, {}, b, now, {"A": 4 * MIN}) == Choice(waiting["A"][1], P)
    # The guard off: the priority ticket goes whatever it costs.
    off = building(r=0, protect_regular=False)
    assert choose_next(counter, waiting, {}, off, now) == Choice(waiting["A"][1], P)


def test_a_held_priority_ticket_goes_once_the_tickets_that_held_it_are_called() -> None:
    """A-001 has absorbed its allowance; A-002 has not. The priority ticket waits behind A-001
    only, then overtakes A-002."""
    b = building(r=0, protect_regular=True)
    now = T0 + timedelta(minutes=10)
    a1 = replace(tk("A-001", 0), overtaken=1)
    waiting = lines_of(a1, tk("A-002", 1), tk("A-101", 2, True))
    got = call_sequence_with_costs(b, "K1", waiting, now, {"A": 4 * MIN})
    assert got == seq("A-001:F A-101:P A-002:F")


def test_the_priority_counter_calls_the_oldest_priority_ticket_the_guard_allows() -> None:
    """KP serves A, B, C: A's priority ticket would cost A-001 too much, B's costs little."""
    b = building(protect_regular=True)
    now = T0 + timedelta(minutes=3)
    waiting = lines_of(tk("A-001", 0), tk("A-101", 1, True), tk("B-001", 1.5), tk("B-101", 2, True))
    costs = {"A": 8 * MIN, "B": 1 * MIN, "C": 1 * MIN}
    counter = b.counter("KP")
    assert counter is not None
    # B-101 overtakes A-001 too (older, on the counter's lines): A's cost applies to it, 8 min.
    assert choose_next(counter, waiting, {}, b, now, costs) == Choice(waiting["A"][0], F)
    costs["A"] = 1 * MIN
    assert choose_next(counter, waiting, {}, b, now, costs) == Choice(waiting["A"][1], P)


def test_passed_over_names_the_older_regular_tickets_of_the_counters_lines() -> None:
    """A priority call overtakes the regular tickets older than it on every line of its counter,
    not the priority ones, nor younger ones, nor lines the counter does not serve."""
    waiting = lines_of(
        tk("A-001", 0),
        tk("B-001", 1),
        tk("B-101", 1.5, True),
        tk("C-001", 0.5),
        tk("A-101", 2, True),
        tk("A-002", 3),
    )
    b = building()
    called = waiting["A"][1]
    got = passed_over(b.counter("K2"), waiting, called)  # type: ignore[arg-type]
    assert [t.number for t in got] == ["A-001", "B-001"]
    assert passed_over(b.counter("K2"), waiting, waiting["A"][0]) == []  # type: ignore[arg-type]


def test_overtaking_cost_is_a_service_over_the_counters() -> None:
    """One overtaking costs a service shared by the line's open counters (none counts as one)."""
    assert overtaking_cost_s(600.0, 2.0) == 300.0
    assert overtaking_cost_s(600.0, 0.5) == 1200.0
    assert overtaking_cost_s(600.0, 0.0) == 600.0


def call_sequence_with_costs(
    b: Building,
    counter_id: str,
    waiting: dict[str, list[Ticket]],
    now: datetime,
    costs: dict[str, float],
) -> list[tuple[str, CallReason]]:
    """call_sequence, keeping each ticket's overtakings as the queue core does."""
    counts: dict[str, int] = {}
    counter = b.counter(counter_id)
    assert counter is not None
    out: list[tuple[str, CallReason]] = []
    while (choice := choose_next(counter, waiting, counts, b, now, costs)) is not None:
        t = choice.ticket
        waiting[t.line].remove(t)
        counts[t.line] = ratio_count_after(counts.get(t.line), t, b.policy.regular_per_priority)
        for passed in passed_over(counter, waiting, t):
            passed.overtaken += 1
        out.append((t.number, choice.reason))
    return out
