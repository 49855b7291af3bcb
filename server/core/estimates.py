"""Waiting-time figures: the service time of a line, a ticket's expected wait, a staffing hint.

Pure arithmetic; docs/calling-policy.md writes every formula out. Times are in seconds unless a
name says otherwise.

- `mean_service_s` shrinks the mean of recent counter times toward the line's published target:
  with k samples the weight of the data is k / (k + 5), so one odd service cannot swing the
  estimate and the target fades out after a couple of dozen services.
- `estimate_wait_s` is the M/M/c conditional wait: with every open counter busy, a ticket with
  `ahead` tickets before it is called at the (ahead + 1)-th departure, and c busy counters
  release someone every s / c seconds on average, so the wait is (ahead + 1) · s / c.
- `quantile` is the nearest-rank quantile that reports, the simulator and the benchmarks quote
  (p50, p90, p99): the smallest value with at least a share q of the values at or below it.
- `erlang_c_wait_probability` and `staffing_hint` are the textbook M/M/c (Erlang C) results,
  computed through the Erlang B recursion so no factorial or power is ever formed.
  `staffing_waits` is the same walk written out (the mean wait with c counters, for each stable
  c): the server publishes it so that a floor dashboard with its own target wait finds its hint
  by a lookup, and `arrival_window_min` is the window its arrival rate is measured over.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

__all__ = [
    "ARRIVAL_WINDOW_MIN",
    "MIN_ARRIVAL_WINDOW_MIN",
    "PRIOR_WEIGHT",
    "arrival_window_min",
    "erlang_c_mean_wait",
    "erlang_c_wait_probability",
    "estimate_wait_s",
    "mean_service_s",
    "quantile",
    "staffing_hint",
    "staffing_waits",
]

# How many services the target counts as (k / (k + PRIOR_WEIGHT) is the data's weight): five
# keeps the first few services of the morning from swinging every estimate on the line.
PRIOR_WEIGHT = 5

# The staffing hint's arrival rate counts the tickets issued over the last hour, or since the
# day's first ticket when that is shorter, but never over less than a quarter hour, so the first
# minutes of the morning do not spike it.
ARRIVAL_WINDOW_MIN = 60.0
MIN_ARRIVAL_WINDOW_MIN = 15.0


def mean_service_s(recent_service_s: Sequence[float], target_service_min: float) -> float:
    """Expected counter time on a line: recent services, falling back to the target."""
    target_s = target_service_min * 60.0
    k = len(recent_service_s)
    if k == 0:
        return target_s
    # The mean, not the median: waits add service times up, so the mean is what they add to.
    observed = math.fsum(recent_service_s) / k
    weight = k / (k + PRIOR_WEIGHT)
    return weight * observed + (1.0 - weight) * target_s


def quantile(values: Sequence[float], q: float) -> float:
    """Nearest-rank quantile (q in 0..1): the ceil(q·n)-th smallest value; ValueError if none."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def estimate_wait_s(ahead: int, counters_open: float, service_s: float) -> float:
    """Expected wait of a ticket with `ahead` tickets before it, given the line's capacity.

    `counters_open` may be fractional: a counter shared by k lines counts as its share.
    With no open counter (0 or less) the formula assumes one counter will open rather than
    "unknown" or infinity; what citizens are told is no figure then (server.core.figures).
    """
    capacity = counters_open if counters_open > 0 else 1.0
    # Assumes the open counters are busy, as they are whenever people wait; a caller that knows
    # a counter is idle and nobody is ahead may show 0 instead.
    return (max(ahead, 0) + 1) * service_s / capacity


def erlang_c_wait_probability(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Probability that an arrival has to wait in an M/M/c queue (Erlang C); 1.0 when unstable.

    Rates share one time unit (e.g. per second). Computed from the Erlang B recursion
    B(0) = 1, B(k) = a·B(k-1) / (k + a·B(k-1)) with a = λ/μ, then C = c·B / (c - a·(1 - B)).
    """
    if arrival_rate < 0 or service_rate <= 0 or servers < 0:
        raise ValueError("rates must be non-negative (service rate positive), servers >= 0")
    if arrival_rate == 0:
        return 0.0
    a = arrival_rate / service_rate
    if servers <= a:
        return 1.0  # the queue grows without bound: everyone waits
    b = _erlang_b(a, servers)
    return servers * b / (servers - a * (1.0 - b))


def erlang_c_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c system, W_q = C / (c·μ - λ); infinity when unstable."""
    c_prob = erlang_c_wait_probability(arrival_rate, service_rate, servers)
    if arrival_rate == 0:
        return 0.0
    if servers * service_rate <= arrival_rate:
        return math.inf
    return c_prob / (servers * service_rate - arrival_rate)


def arrival_window_min(since_first_issue_min: float) -> float:
    """Minutes the arrival rate is measured over, given the time since the day's first ticket."""
    return min(ARRIVAL_WINDOW_MIN, max(MIN_ARRIVAL_WINDOW_MIN, since_first_issue_min))


def staffing_hint(arrival_rate_per_h: float, mean_service_s: float, target_wait_s: float) -> int:
    """The fewest counters whose Erlang C mean wait is at most target_wait_s (0 for no arrivals)."""
    if arrival_rate_per_h < 0 or mean_service_s <= 0:
        raise ValueError("arrival rate must be >= 0 and mean service time > 0")
    if arrival_rate_per_h == 0:
        return 0
    if target_wait_s <= 0:
        # Erlang C waits shrink toward 0 as counters are added but never reach it.
        raise ValueError("target wait must be positive")
    for c, wait_s in _stable_waits(arrival_rate_per_h, mean_service_s):
        if wait_s <= target_wait_s:
            return c
    raise AssertionError("unreachable: the waits fall toward 0")  # pragma: no cover


def staffing_waits(
    arrival_rate_per_h: float, mean_service_s: float, down_to_s: float = 1.0
) -> list[tuple[int, float]]:
    """(c, Erlang C mean wait with c counters) for each stable c, until a wait is under down_to_s.

    The first pair whose wait is at most a target is `staffing_hint` for that target (the same
    walk, the same floats); empty for no arrivals.
    """
    if arrival_rate_per_h < 0 or mean_service_s <= 0 or down_to_s <= 0:
        raise ValueError("arrival rate >= 0, mean service time and down_to_s > 0")
    if arrival_rate_per_h == 0:
        return []
    out = []
    for c, wait_s in _stable_waits(arrival_rate_per_h, mean_service_s):
        out.append((c, wait_s))
        if wait_s < down_to_s:
            return out
    raise AssertionError("unreachable: the waits fall toward 0")  # pragma: no cover


def _stable_waits(arrival_rate_per_h: float, mean_service_s: float) -> Iterator[tuple[int, float]]:
    """(c, mean wait in queue) for c = the fewest stable counters, and one more each step."""
    lam = arrival_rate_per_h / 3600.0
    mu = 1.0 / mean_service_s
    a = lam / mu
    # Walk c upward keeping B(c) from the recursion: each step is O(1), so the whole search is
    # O(answer) even for loads of hundreds of erlangs.
    b = 1.0
    c = 0
    while True:
        c += 1
        b = a * b / (c + a * b)
        # Unstable (c <= a): the wait is unbounded. At a whole load (135 an hour of 12-minute
        # services is 27 erlangs) a can round to just under c while c*mu - lam is exactly 0:
        # that c is the unstable boundary too, not a division by zero.
        spare = c * mu - lam
        if c <= a or spare <= 0:
            continue
        prob = c * b / (c - a * (1.0 - b))
        yield c, prob / spare


def _erlang_b(a: float, servers: int) -> float:
    """Erlang B blocking probability by the stable recursion (no factorials, no overflow)."""
    b = 1.0
    for k in range(1, servers + 1):
        b = a * b / (k + a * b)
    return b
