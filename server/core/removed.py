"""What of today still uses a line, counter or officer that the building file no longer has,
and which officer is at a counter the file no longer gives their agency today (a shared desk's
days moved, an officer moved to another agency).

After a mid-day edit of the building file the replayed day keeps such lines and counters
(server/core/state.py, "orphans"); the engine asks this at start to say so in its log and to
retire them (`RetireRemoved`; docs/operations.md, "Changing the building file"). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from server.core.model import CounterState
from server.core.state import DayState

__all__ = ["RemovedInUse", "misplaced_at", "removed_in_use"]


@dataclass(frozen=True, slots=True)
class RemovedInUse:
    """What of today still uses a line, counter or officer the building file no longer has."""

    # A removed line's tickets still open today (their numbers, in issue order).
    lines: dict[str, tuple[str, ...]]
    # A removed counter not yet closed and empty: (officer logged in, active ticket's number).
    counters: dict[str, tuple[str | None, str | None]]
    # A removed officer still logged in: the counter they are at.
    officers: dict[str, str]
    # An officer still logged in at a kept shared desk that the file gives another agency today
    # (or nobody): the desk. Left there, they would call the other agency's
    # lines (a shared desk calls the lines of its agency of the day).
    misplaced: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.lines or self.counters or self.officers or self.misplaced)


def removed_in_use(state: DayState) -> RemovedInUse:
    """What today's tickets and counters use that `state.building` lacks (empty: nothing)."""
    lines: dict[str, list[str]] = {}
    for ticket in state.open_tickets.values():
        if ticket.line not in state.lines:
            lines.setdefault(ticket.line, []).append(ticket.number)
    counters: dict[str, tuple[str | None, str | None]] = {}
    officers: dict[str, str] = {}
    misplaced: dict[str, str] = {}
    for cid, status in state.counters.items():
        active = state.tickets[status.ticket].number if status.ticket is not None else None
        in_use = status.state is not CounterState.CLOSED or status.officer or active
        if cid not in state.counter_defs and in_use:
            counters[cid] = (status.officer, active)
        if status.officer is not None and status.officer not in state.officer_ids:
            officers[status.officer] = cid
        elif status.officer is not None and misplaced_at(state, cid, status.officer):
            misplaced[status.officer] = cid
    return RemovedInUse({p: tuple(n) for p, n in lines.items()}, counters, officers, misplaced)


def misplaced_at(state: DayState, cid: str, officer: str) -> bool:
    """Whether a known officer at a kept shared desk works for an agency the file does not give
    that desk today (a removed counter is `counters`' business). Only shared desks: the core
    decides from the desk's agency of the day which lines it calls; at a counter of one agency
    an officer of another is the hub's to refuse (server/hub/scope.py), at hello and on
    every request."""
    counter = state.counter_defs.get(cid)
    if counter is None or not counter.schedule or state.day is None:
        return False
    desk = state.desk(cid, state.day)  # None: a shared desk that is nobody's today
    return desk is None or desk.agency != state.officer_agency.get(officer)
