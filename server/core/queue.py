"""The queue state machine: `QueueState.handle(command, now) -> events`.

Theory of operation: see server/core/model.py. `QueueState` is the one object the engine, the
hub and the tests hold; it is made of three rooms:

- server/core/state.py, `DayState`: one service day in memory and `apply(event)`, the fold that
  is the one way state changes, for live commands and for a replay after a restart alike;
- server/core/decide.py: what each command decides, read off the state without changing it;
- server/core/figures.py: the figures the clients show (`LineView`, place in line, waits…).

`handle(command, now)` first closes the day in memory if `now` falls on a later local day, then
decides the command against the state (building its events without touching the state), and
only then applies those events. A refusal (`DomainError`) therefore changes nothing — not even
the pending day close, which the next command or `Tick` performs. Replaying `handle`'s events
into a fresh `QueueState` gives an equal state (`==`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time

from server.core import figures
from server.core.booking_rules import SlotAvailability, bookable_days, slot_availability
from server.core.closures import closing_events
from server.core.decide import DECISIONS, day_close_events
from server.core.events import Event
from server.core.figures import LineView
from server.core.model import Command, Ticket
from server.core.state import DayState

__all__ = ["QueueState"]


class QueueState(DayState):
    """Today's queue: every ticket and counter of one service day.

    `handle` validates a command against the state: it raises `DomainError` and changes nothing,
    or returns the events that happened, already applied. `apply` replays an event (restart).
    """

    def handle(self, command: Command, now: datetime) -> list[Event]:
        """Run a command at `now` (aware); return its events, applied. DomainError: no change."""
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        local = now.astimezone(self.tz)
        decide = DECISIONS.get(type(command))
        if decide is None:
            raise TypeError(f"not a queue command: {command!r}")
        if self.day is not None and local.date() > self.day:
            # A new day: the command runs against the state the day close leaves behind, which
            # is a fresh day with the books (bookings, survey, complaints) as the close leaves
            # them. Deciding it on a scratch state keeps handle() atomic.
            events = day_close_events(self, self.day)
            scratch = DayState(self.building)
            scratch.bookings = self.bookings.copy()
            scratch.surveys = self.surveys.copy()
            scratch.complaints = self.complaints.copy()
            for event in events:
                scratch.bookings.apply(event)
                scratch.surveys.apply(event)
                scratch.complaints.apply(event)
            events.extend(decide(scratch, command, now, local))
        else:
            events = decide(self, command, now, local)
        for event in events:
            self.apply(event)
        if self.closures:
            # An approved counter closure happens in the command that leaves its counter idle
            # (the approval itself, a finish, a no-show, a transfer, a cancel, an expiry…):
            # checked here once for every command (server/core/closures.py).
            closing = closing_events(self, now)
            for event in closing:
                self.apply(event)
            events.extend(closing)
        return events

    # ----------------------------------------------------------------------------------------
    # The figures (server/core/figures.py), asked of the queue by the hub, the broadcaster and
    # the phone page: pure reads.
    # ----------------------------------------------------------------------------------------

    def calls_newest_first(self) -> Iterator[Ticket]:
        return figures.calls_newest_first(self)

    def waiting(self, prefix: str) -> list[Ticket]:
        return figures.waiting(self, prefix)

    def people_ahead(self, ticket_id: str, now: datetime) -> int:
        return figures.people_ahead(self, ticket_id, now)

    def calling_order(self, prefix: str, now: datetime) -> list[Ticket]:
        return figures.calling_order(self, prefix, now)

    def ticket_by_token(self, token: str) -> Ticket | None:
        return figures.ticket_by_token(self, token)

    def line_view(self, prefix: str, now: datetime) -> LineView:
        return figures.line_view(self, prefix, now)

    def next_for(self, counter_id: str, now: datetime, n: int = 5) -> list[Ticket]:
        return figures.next_for(self, counter_id, now, n)

    def estimated_wait_s(self, ticket_id: str, now: datetime) -> float | None:
        return figures.estimated_wait_s(self, ticket_id, now)

    # -- online bookings (server/core/bookings.py, booking_rules.py) ----------------------------

    def slot_availability(
        self, prefix: str, day: date, now: datetime, only: time | None = None
    ) -> list[SlotAvailability]:
        """The slots of a line on a day with their places left (what a booking page lists);
        `only`: that one slot."""
        line = self.known_line(prefix)
        return slot_availability(self.building, line, day, self.bookings, now, only)

    def bookable_days(self, prefix: str, now: datetime) -> list[date]:
        """The days a line may be booked for now (today to the furthest open day)."""
        return bookable_days(self.building, self.known_line(prefix), now)
