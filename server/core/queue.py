"""The queue state machine: `QueueState.handle(command, now) -> events`.

STUB — the interface is fixed; the core helper fills it in. See server/core/model.py for the
theory of operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from server.core.building import Building
from server.core.model import Command, CounterStatus, Event, Ticket

__all__ = ["LineView", "QueueState"]


@dataclass(frozen=True, slots=True)
class LineView:
    """What a kiosk, TV or dashboard needs to know about one line right now. No personal data."""

    prefix: str
    name: str
    agency: str
    issuing: bool  # a new ticket would be issued now (walk-in)
    refusal_code: str | None  # why not: "closed_hours", "on_break", "holiday", "after_cutoff",
    #                           "quota_exhausted", "no_counter_open"… (None when issuing)
    refusal_message: str | None  # Indonesian, for the citizen
    waiting: int  # tickets in WAITING state on this line
    waiting_priority: int
    longest_wait_s: float  # of the tickets waiting now; 0 when none
    quota_left_walk_in: int | None  # None = no quota
    quota_left_priority: int | None
    counters_open: int  # open (not paused/closed) counters serving this line
    estimated_wait_s: float  # for a walk-in ticket issued now
    issued: int  # tickets issued today (all states, including cancelled)
    served: int  # tickets finished today on this line


class QueueState:
    """Today's queue: every ticket and counter of one service day.

    `handle` validates a command against the state: it raises `DomainError` and changes nothing,
    or returns the events that happened, already applied. `apply` replays an event (restart).
    """

    building: Building
    day: date | None  # the service day in memory; None before the first event
    tickets: dict[str, Ticket]  # today's tickets by id
    counters: dict[str, CounterStatus]  # every counter of the building by id

    def __init__(self, building: Building) -> None:
        raise NotImplementedError

    def handle(self, command: Command, now: datetime) -> list[Event]:
        raise NotImplementedError

    def apply(self, event: Event) -> None:
        raise NotImplementedError

    # Queries: pure reads, used by the hub, the kiosk, the TV and the floor dashboard.
    def waiting(self, prefix: str) -> list[Ticket]:
        """Tickets waiting on a line, in the order FIFO would call them."""
        raise NotImplementedError

    def people_ahead(self, ticket_id: str) -> int:
        """How many tickets would be called before this one on its line (0 when called)."""
        raise NotImplementedError

    def ticket_by_token(self, token: str) -> Ticket | None:
        raise NotImplementedError

    def line_view(self, prefix: str, now: datetime) -> LineView:
        raise NotImplementedError

    def next_for(self, counter_id: str, now: datetime, n: int = 5) -> list[Ticket]:
        """The next n tickets this counter would call, by the calling policy (a preview)."""
        raise NotImplementedError

    def estimated_wait_s(self, ticket_id: str, now: datetime) -> float:
        raise NotImplementedError
