"""The calling policy: who is next for a counter. STUB — the policy helper fills it in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from server.core.building import Building, Counter
from server.core.model import CallReason, Ticket

__all__ = ["Choice", "choose_next", "preview"]


@dataclass(frozen=True, slots=True)
class Choice:
    ticket: Ticket
    reason: CallReason


def choose_next(
    counter: Counter,
    waiting: Mapping[str, Sequence[Ticket]],
    regular_since_priority: Mapping[str, int],
    building: Building,
    now: datetime,
) -> Choice | None:
    """The ticket this counter should call now, and why; None when nothing waits on its lines.

    `waiting` maps each line prefix to its WAITING tickets in FIFO order (queued_at, then seq).
    `regular_since_priority[prefix]` counts regular calls on that line since its last priority call
    (a line with no priority call yet today counts as building.policy.regular_per_priority).
    """
    raise NotImplementedError


def preview(
    counter: Counter,
    waiting: Mapping[str, Sequence[Ticket]],
    regular_since_priority: Mapping[str, int],
    building: Building,
    now: datetime,
    n: int,
) -> list[Ticket]:
    """The next n tickets this counter would call if nobody else called meanwhile."""
    raise NotImplementedError
