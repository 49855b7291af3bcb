"""Waiting-time figures: service-time blend, wait estimate, Erlang C and the staffing hint."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.estimates import (
    arrival_window_min,
    erlang_c_mean_wait,
    erlang_c_wait_probability,
    estimate_wait_s,
    mean_service_s,
    quantile,
    staffing_hint,
    staffing_waits,
)


def erlang_c_exact(lam: Fraction, mu: Fraction, c: int) -> Fraction:
    """The textbook formula, term by term in exact arithmetic: an oracle, not an implementation.

    C(c, a) = (a^c / c!) · c/(c - a)  /  ( Σ_{k<c} a^k / k!  +  (a^c / c!) · c/(c - a) ),  a = λ/μ.
    """
    a = lam / mu
    top = a**c / math.factorial(c) * Fraction(c) / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


# ------------------------------------------------------------------------------------------------
# Service time and wait estimate
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recent", "target_min", "expected_s"),
    [
        ([], 10, 600.0),  # no data: the target
        ([300.0] * 5, 10, 450.0),  # five samples weigh as much as the target
        ([300.0], 10, 550.0),  # one sample moves it a sixth of the way
        ([300.0] * 45, 10, 330.0),  # 45 samples: 90 % data
        ([200.0, 400.0], 5, 300.0),  # data that average to the target leave it unchanged
    ],
)
def test_mean_service_shrinks_recent_services_toward_the_target(
    recent: list[float], target_min: float, expected_s: float
) -> None:
    """The mean of k recent services is weighted k/(k+5) against the line's target."""
    assert mean_service_s(recent, target_min) == pytest.approx(expected_s)


@pytest.mark.parametrize(
    ("ahead", "counters", "service_s", "expected_s"),
    [
        (0, 1, 600, 600),  # next in line: one service, the time the counter takes to free
        (4, 1, 600, 3000),
        (4, 2, 600, 1500),
        (9, 2.5, 300, 1200),  # fractional capacity: shared counters count as their share
        (3, 0, 600, 2400),  # no counter open: assume one will open
        (3, -1, 600, 2400),
        (-2, 1, 600, 600),  # a nonsensical negative count is read as nobody ahead
    ],
)
def test_estimate_wait_is_the_mmc_conditional_wait(
    ahead: int, counters: float, service_s: float, expected_s: float
) -> None:
    """estimate_wait_s = (ahead + 1) · service / counters, with at least one counter assumed."""
    assert estimate_wait_s(ahead, counters, service_s) == pytest.approx(expected_s)


@given(st.integers(0, 500), st.floats(0.1, 40), st.floats(1, 3600))
def test_estimate_wait_grows_with_the_people_ahead(ahead: int, counters: float, s: float) -> None:
    """One more ticket ahead never shortens the estimate; more counters never lengthen it."""
    assert estimate_wait_s(ahead + 1, counters, s) >= estimate_wait_s(ahead, counters, s)
    assert estimate_wait_s(ahead, counters + 1, s) <= estimate_wait_s(ahead, counters, s)


# ------------------------------------------------------------------------------------------------
# Erlang C
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lam", "mu", "c", "p_wait", "w_q"),
    [
        # Hillier & Lieberman, Introduction to Operations Research, "County Hospital" emergency
        # room (M/M/s chapter): λ = 2 patients/h, μ = 3/h. One doctor: P(wait) = ρ = 2/3,
        # W_q = 2/3 h. Two doctors: P0 = 1/2, P(wait) = 1/6, W_q = 1/24 h.
        (2, 3, 1, 2 / 3, 2 / 3),
        (2, 3, 2, 1 / 6, 1 / 24),
        # M/M/1 in general: P(wait) = ρ and W_q = ρ / (μ - λ).
        (0.9, 1, 1, 0.9, 9.0),
        # M/M/2 with a = 1: P0 = 1/3, P(wait) = 1/3, W_q = 1/3.
        (1, 1, 2, 1 / 3, 1 / 3),
    ],
)
def test_erlang_c_matches_textbook_values(
    lam: float, mu: float, c: int, p_wait: float, w_q: float
) -> None:
    """Erlang C probability and mean wait equal published M/M/c worked examples."""
    assert erlang_c_wait_probability(lam, mu, c) == pytest.approx(p_wait, rel=1e-12)
    assert erlang_c_mean_wait(lam, mu, c) == pytest.approx(w_q, rel=1e-12)


def test_erlang_c_call_centre_example_matches_the_exact_formula() -> None:
    """The classic 360 calls per half hour, 240 s each, 55 agents example (48 erlangs).

    Worked step by step at mitan.co.uk/erlang/elgcmath.htm (archived on web.archive.org); here
    checked against the textbook formula evaluated exactly rather than the page's rounding.
    """
    lam, mu = Fraction(360, 1800), Fraction(1, 240)
    expected = erlang_c_exact(lam, mu, 55)
    assert erlang_c_wait_probability(0.2, 1 / 240, 55) == pytest.approx(float(expected), rel=1e-12)
    assert erlang_c_mean_wait(0.2, 1 / 240, 55) == pytest.approx(
        float(expected / (55 * mu - lam)), rel=1e-12
    )


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 120), st.fractions(Fraction(1, 100), Fraction(99, 100)))
def test_erlang_c_agrees_with_the_exact_formula(c: int, occupancy: Fraction) -> None:
    """The stable recursion equals the factorial formula (evaluated exactly) for any stable load."""
    mu = Fraction(1, 300)
    lam = occupancy * c * mu
    got = erlang_c_wait_probability(float(lam), float(mu), c)
    assert got == pytest.approx(float(erlang_c_exact(lam, mu, c)), rel=1e-9, abs=1e-300)


def test_erlang_c_is_stable_for_hundreds_of_servers() -> None:
    """900 erlangs on 1,000 servers: no overflow, a probability strictly between 0 and 1."""
    p = erlang_c_wait_probability(900, 1, 1000)
    assert 0 < p < 1
    assert p == pytest.approx(float(erlang_c_exact(Fraction(900), Fraction(1), 1000)), rel=1e-9)


@pytest.mark.parametrize(("lam", "c", "expected"), [(0, 3, 0.0), (3, 3, 1.0), (5, 3, 1.0)])
def test_erlang_c_edges(lam: float, c: int, expected: float) -> None:
    """No arrivals never wait; a load at or above the servers always waits."""
    assert erlang_c_wait_probability(lam, 1, c) == expected


def test_erlang_c_mean_wait_is_infinite_when_unstable() -> None:
    """With arrivals at or above capacity the mean wait is unbounded."""
    assert erlang_c_mean_wait(3, 1, 3) == math.inf


@pytest.mark.parametrize(
    "args", [(-1, 1, 1), (1, 0, 1), (1, 1, -1)], ids=["negative λ", "zero μ", "negative c"]
)
def test_erlang_c_refuses_nonsense(args: tuple[float, float, int]) -> None:
    """Negative rates, a zero service rate or negative servers raise ValueError."""
    with pytest.raises(ValueError):
        erlang_c_wait_probability(*args)


# ------------------------------------------------------------------------------------------------
# Staffing hint
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_h", "service_s", "target_s", "expected"),
    [
        # County Hospital: one doctor waits 40 min on average, two wait 2.5 min.
        (2, 1200, 360, 2),
        (2, 1200, 2400, 1),
        # The call-centre example: 55 agents wait 8.2 s on average, 54 wait longer than 10 s.
        (720, 240, 10, 55),
        # A Dukcapil morning: 60 tickets/h at 8 min each is 8 erlangs; 15 minutes is the target.
        (60, 480, 900, 9),
        (0, 600, 60, 0),  # nobody comes: no counter needed
    ],
)
def test_staffing_hint_is_the_fewest_counters_meeting_the_target(
    per_h: float, service_s: float, target_s: float, expected: int
) -> None:
    """staffing_hint returns the smallest c whose Erlang C mean wait is within the target."""
    assert staffing_hint(per_h, service_s, target_s) == expected


@settings(max_examples=200, deadline=None)
@given(st.floats(1, 2000), st.floats(30, 3600), st.floats(1, 3600))
def test_staffing_hint_is_minimal(per_h: float, service_s: float, target_s: float) -> None:
    """The hinted c meets the target and c - 1 does not."""
    c = staffing_hint(per_h, service_s, target_s)
    lam, mu = per_h / 3600, 1 / service_s
    assert erlang_c_mean_wait(lam, mu, c) <= target_s
    assert c == 1 or erlang_c_mean_wait(lam, mu, c - 1) > target_s


def test_staffing_hint_textbook() -> None:
    """a = 2 erlangs: C(3) = 4/9 → Wq = 53.3 s, C(4) = 4/23 → Wq = 10.4 s (service 120 s)."""
    assert staffing_hint(60, 120, 60) == 3
    assert staffing_hint(60, 120, 53.4) == 3
    assert staffing_hint(60, 120, 53.2) == 4
    assert staffing_hint(60, 120, 10.5) == 4
    assert staffing_hint(60, 120, 10.3) == 5
    assert staffing_hint(0, 120, 60) == 0


@pytest.mark.parametrize("rate", [0, 1, 7, 30, 60, 240, 900])
@pytest.mark.parametrize("service", [45, 120, 600, 1800])
@pytest.mark.parametrize("target", [1, 10, 60, 600, 1800])
def test_staffing_waits_give_the_staffing_hint(rate: float, service: float, target: float) -> None:
    """The first published (c, wait) within a target is staffing_hint's answer for it, exactly:
    what the floor dashboard looks up is what the hint would compute."""
    waits = staffing_waits(rate, service)
    hint = next((c for c, wait_s in waits if wait_s <= target), 0)
    assert hint == staffing_hint(rate, service, target)
    assert all(w1 > w2 for (_, w1), (_, w2) in pairwise(waits))
    assert not waits or waits[-1][1] < 1.0


def test_arrival_window_is_an_hour_but_never_under_a_quarter() -> None:
    """The arrival rate's window: since the first ticket, at least 15 and at most 60 minutes."""
    assert [arrival_window_min(m) for m in (0, 10, 15, 40, 60, 300)] == [15, 15, 15, 40, 60, 60]


def test_staffing_hint_refuses_a_zero_target() -> None:
    """A zero wait target cannot be met by any number of counters: ValueError."""
    with pytest.raises(ValueError):
        staffing_hint(60, 300, 0)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([5.0], 0.9, 5.0), ([7.0], 0.9, 7.0), ([1, 2, 3, 4], 0.5, 2), ([*range(1, 11)], 0.9, 9)],
)
def test_quantile_is_nearest_rank(values: list[float], q: float, expected: float) -> None:
    """The one quantile of reports, simulator and benchmarks: the smallest value with at least
    a share q of the values at or below it (p90 of 1..10 is 9; of a single value, that value)."""
    assert quantile(values, q) == expected


def test_quantile_of_nothing_is_refused() -> None:
    """No values, no quantile: callers say what an empty group shows (none, zero, NaN)."""
    with pytest.raises(ValueError):
        quantile([], 0.5)


@pytest.mark.parametrize(
    ("rate", "service_s", "load"),
    [(135, 720, 27), (294, 600, 49), (460, 900, 115)],  # a = rate × service / 3600, by hand
)
def test_a_whole_load_needs_one_counter_more_than_the_load(
    rate: float, service_s: float, load: int
) -> None:
    """At exactly `load` erlangs, `load` counters never catch up (the boundary is unstable):
    the first counter count offered is load + 1, and nothing divides by zero. (135 tickets an
    hour on a line whose 12-minute target stands in for its services crashed the floor's sync.)"""
    waits = staffing_waits(rate, service_s)
    assert waits[0][0] == load + 1
    assert staffing_hint(rate, service_s, 3600) >= load + 1
