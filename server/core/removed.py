"""What of today still uses a line, counter or officer that the building file no longer has.

After a mid-day edit of the building file the replayed day keeps such lines and counters
(server/core/state.py, "orphans"); the engine asks this at start to say so in its log and to
retire them (`RetireRemoved`; docs/operations.md, "Changing the building file"). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.core.model import CounterState
from server.core.state import DayState

__all__ = ["RemovedInUse", "removed_in_use"]


@dataclass(frozen=True, slots=True)
class RemovedInUse:
    """What of today still uses a line, counter or officer the building file no longer has."""

    # A removed line's tickets still open today (their numbers, in issue order).
    lines: dict[str, tuple[str, ...]]
    # A removed counter not yet closed and empty: (officer logged in, active ticket's number).
    counters: dict[str, tuple[str | None, str | None]]
    # A removed officer still logged in: the counter they are at.
    officers: dict[str, str]

    def __bool__(self) -> bool:
        return bool(self.lines or self.counters or self.officers)


def removed_in_use(state: DayState) -> RemovedInUse:
    """What today's tickets and counters use that `state.building` lacks (empty: nothing)."""
    lines: dict[str, list[str]] = {}
    for ticket in state.open_tickets.values():
        if ticket.line not in state.lines:
            lines.setdefault(ticket.line, []).append(ticket.number)
    counters: dict[str, tuple[str | None, str | None]] = {}
    officers: dict[str, str] = {}
    for cid, status in state.counters.items():
        active = state.tickets[status.ticket].number if status.ticket is not None else None
        in_use = status.state is not CounterState.CLOSED or status.officer or active
        if cid not in state.counter_defs and in_use:
            counters[cid] = (status.officer, active)
        if status.officer is not None and status.officer not in state.officer_ids:
            officers[status.officer] = cid
    return RemovedInUse({p: tuple(n) for p, n in lines.items()}, counters, officers)
