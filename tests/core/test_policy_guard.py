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
    overtaking_estimate,
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
        (0, 2, 0, 4, True),  # a first overtaking: 4 min ≤ max(25 % of 2, 4)
        (0, 2, 0, 30, True),  # however much it costs: 30 ≤ max(0.5, 30)
        (1, 2, 0, 2, False),  # a second: 4 > max(25 % of (2 − 2), 2) = 2
        (2, 2, 0, 2, False),  # a third: 6 > 2
        (0, 40, 0, 8, True),
        (1, 40, 0, 8, False),  # FIFO wait 40 - 8 = 32 min: max(8, 8) allowed, 16 asked
        (1, 72, 0, 8, True),  # FIFO wait 72 - 8 = 64: 16 allowed, 16 asked: within
        (1, 2, 20, 8, True),  # 20 tickets ahead: FIFO wait 2 + 19·8 = 154 min, 38.5 allowed
        (4, 40, 0, 8, False),
    ],
)
def test_may_overtake_keeps_each_regular_ticket_within_its_allowance(
    overtaken: int, waited_min: float, ahead: int, cost_min: float, allowed: bool
) -> None:
    """One more overtaking is allowed while k+1 overtakings cost at most max(25 % of the
    estimated FIFO wait, one overtaking); the FIFO wait counts the tickets still ahead."""
    ticket = replace(tk("A-001", 0), overtaken=overtaken)
    now = T0 + timedelta(minutes=waited_min)
    settings_ = PolicySettings()
    assert may_overtake(ticket, ahead, cost_min * MIN, settings_, now) is allowed


def test_overtaking_estimate_names_the_delay_and_the_allowance() -> None:
    """Waited 40 min, one overtaking absorbed, 8 min each: a second brings the delay to 16 min;
    the allowance is max(25 % of 40 − 8, 8) = 8 min; 8 min over."""
    ticket = replace(tk("A-001", 0), overtaken=1)
    est = overtaking_estimate(ticket, 0, 8 * MIN, PolicySettings(), T0 + timedelta(minutes=40))
    assert (est.delay_s, est.allowance_s, est.excess_s, est.within) == (960, 480, 480, False)


def test_may_overtake_counts_pending_overtakings_and_follows_the_settings() -> None:
    """A preview's pending overtakings count like recorded ones; the percentage and the extra
    floor are the building's settings; the floor of one overtaking is not a setting."""
    ticket = tk("A-001", 0)
    now = T0 + timedelta(minutes=40)
    default = PolicySettings()
    assert may_overtake(ticket, 0, 8 * MIN, default, now, pending=0)
    # One pending: F = 40 - 8 = 32, 25 % = 8 < 16.
    assert not may_overtake(ticket, 0, 8 * MIN, default, now, pending=1)
    assert not may_overtake(replace(ticket, overtaken=1), 0, 8 * MIN, default, now)
    assert may_overtake(ticket, 0, 8 * MIN, PolicySettings(regular_delay_pct=50), now, pending=1)
    assert may_overtake(ticket, 0, 8 * MIN, PolicySettings(regular_delay_min=16), now, pending=1)
    strict = PolicySettings(regular_delay_pct=0, regular_delay_min=0)
    assert may_overtake(ticket, 0, 8 * MIN, strict, now)
    assert not may_overtake(ticket, 0, 1.0, strict, now, pending=1)


def test_the_guard_lets_one_jump_past_a_fresh_regular_ticket_and_holds_the_next() -> None:
    """Strict priority, a regular ticket queued 2 minutes ago: the first priority ticket goes
    ahead whatever it costs; once it has absorbed one, a second (8 min against an allowance of
    max(25 % of 2 - 4, 4) = 4 min) is held."""
    b = building(r=0, protect_regular=True)
    now = T0 + timedelta(minutes=2)
    counter = b.counter("K1")
    assert counter is not None
    waiting = lines_of(tk("A-001", 0), tk("A-101", 1, True))
    # Line A's default cost: its 10-minute target over 1 + 1/2 + 1/3 counters = 5.45 min.
    assert choose_next(counter, waiting, {}, b, now) == Choice(waiting["A"][1], P)
    waiting = lines_of(replace(tk("A-001", 0), overtaken=1), tk("A-101", 1, True))
    assert choose_next(counter, waiting, {}, b, now, {"A": 4 * MIN}) == Choice(waiting["A"][0], F)
    # The guard off: the priority ticket goes whatever it costs.
    off = building(r=0, protect_regular=False)
    assert choose_next(counter, waiting, {}, off, now) == Choice(waiting["A"][1], P)


def test_a_held_priority_ticket_goes_once_the_tickets_that_held_it_are_called() -> None:
    """A-001 has absorbed its allowance; A-002 has not. The priority ticket waits behind A-001
    only, then overtakes A-002 (a first overtaking for it)."""
    b = building(r=0, protect_regular=True)
    now = T0 + timedelta(minutes=10)
    a1 = replace(tk("A-001", 0), overtaken=1)
    waiting = lines_of(a1, tk("A-002", 1), tk("A-101", 2, True))
    got = call_sequence_with_costs(b, "K1", waiting, now, {"A": 4 * MIN})
    assert got == seq("A-001:F A-101:P A-002:F")


def test_the_priority_counter_calls_the_oldest_priority_ticket_the_guard_allows() -> None:
    """KP serves A, B, C. A-001 has waited 30 min and absorbed one overtaking; B-001 none. A's
    priority ticket would cost A-001 a second overtaking: at 8 min, 16 > max(25 % of 22, 8);
    B-101 overtakes A-001 too (older, on the counter's lines) at A's cost: held as well. At
    1 min: 2 ≤ max(25 % of 29, 1): A-101, the oldest, goes."""
    b = building(protect_regular=True)
    now = T0 + timedelta(minutes=30)
    a1 = replace(tk("A-001", 0), overtaken=1)
    waiting = lines_of(a1, tk("A-101", 1, True), tk("B-001", 1.5), tk("B-101", 2, True))
    costs = {"A": 8 * MIN, "B": 1 * MIN, "C": 1 * MIN}
    counter = b.counter("KP")
    assert counter is not None
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
