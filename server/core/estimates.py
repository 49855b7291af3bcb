"""Waiting-time figures. STUB — the policy helper fills it in."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["estimate_wait_s", "mean_service_s"]


def mean_service_s(recent_service_s: Sequence[float], target_service_min: float) -> float:
    """Expected counter time on a line: recent services, falling back to the target."""
    raise NotImplementedError


def estimate_wait_s(ahead: int, counters_open: float, service_s: float) -> float:
    """Expected wait of a ticket with `ahead` tickets before it, given the line's capacity.

    `counters_open` may be fractional: a counter shared by k lines counts as its share.
    """
    raise NotImplementedError
