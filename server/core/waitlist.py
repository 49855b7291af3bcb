"""One line's waiting tickets, kept in calling order, and where each one stands.

`QueueState` keeps one `WaitingLine` per service line; the calling policy's preview and the
day simulator use it too. It is a `list[Ticket]` sorted by
`queue_key` (queued_at, then seq, then id), so the calling policy reads it as the plain FIFO
sequence its interface asks for, and call-next reads the head without sorting anything. Beside
the tickets it keeps their keys and the priority subset, so that inserting a reactivated or
transferred ticket at its original place, removing a called one, finding the oldest priority
ticket and finding a ticket's place are binary searches over C-level tuple comparisons,
never a scan of the day's tickets. Where a ticket stands in the calling order is the calling
policy's business (`policy.line_calling_order`), not this list's.

Only its owner mutates a `WaitingLine` (`QueueState` its own; a preview or a simulation its
copy); everybody else must treat it as read-only.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import datetime

from server.core.model import Ticket

__all__ = ["WaitingLine", "booked_here", "queue_key"]


def queue_key(ticket: Ticket) -> tuple[datetime, int, str]:
    """The FIFO calling order on a line: queued_at, then seq (then id, to make it total).

    The id only matters when a transferred ticket meets a ticket of its new line with the same
    queued_at and seq; it keeps every key unique, so a ticket is found by binary search.
    """
    return (ticket.queued_at, ticket.seq, ticket.id)


def booked_here(ticket: Ticket) -> bool:
    """Checked in from a booking for the line it waits in (the calling policy's rule 3).

    A booked ticket transferred to another line keeps its place there by its queued_at (the
    slot's start), as any transferred ticket does, but its booking was not for that line: there
    it is an ordinary ticket and never goes ahead by the booking rule.
    """
    return ticket.slot is not None and not ticket.transfers


class WaitingLine(list[Ticket]):
    """A line's WAITING tickets in calling order, indexed for the queue's hot paths."""

    __slots__ = ("booked", "booked_keys", "keys", "priority", "priority_keys")

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[tuple[datetime, int, str]] = []  # queue_key of each ticket, same order
        self.priority: list[Ticket] = []  # the priority tickets of this line, same order
        self.priority_keys: list[tuple[datetime, int, str]] = []
        self.booked: list[Ticket] = []  # the tickets booked for this line (booked_here)
        self.booked_keys: list[tuple[datetime, int, str]] = []

    @classmethod
    def of(cls, tickets: Sequence[Ticket]) -> WaitingLine:
        """A line holding these tickets (a copy when given a WaitingLine: its lists are copied)."""
        line = cls()
        if isinstance(tickets, WaitingLine):
            line.extend(tickets)
            line.keys = list(tickets.keys)
            line.priority = list(tickets.priority)
            line.priority_keys = list(tickets.priority_keys)
            line.booked = list(tickets.booked)
            line.booked_keys = list(tickets.booked_keys)
        else:
            for ticket in tickets:
                line.add(ticket)
        return line

    def first_priority(self) -> Ticket | None:
        """The oldest priority ticket: `policy.PriorityIndexed`, so the policy need not scan."""
        return self.priority[0] if self.priority else None

    def first_booked(self) -> Ticket | None:
        """The oldest ticket booked for this line, due or not (`policy.PriorityIndexed`)."""
        return self.booked[0] if self.booked else None

    def add(self, ticket: Ticket) -> None:
        """Put a ticket at its place by queue_key (usually the back)."""
        key = queue_key(ticket)
        _insert(self, self.keys, ticket, key)
        if ticket.priority is not None:
            _insert(self.priority, self.priority_keys, ticket, key)
        if booked_here(ticket):
            _insert(self.booked, self.booked_keys, ticket, key)

    def discard(self, ticket: Ticket) -> None:
        """Take a waiting ticket out (called, cancelled, expired)."""
        key = queue_key(ticket)
        _delete(self, self.keys, key)
        if ticket.priority is not None:
            _delete(self.priority, self.priority_keys, key)
        if booked_here(ticket):
            _delete(self.booked, self.booked_keys, key)


def _insert(
    tickets: list[Ticket], keys: list[tuple[datetime, int, str]], ticket: Ticket, key: tuple
) -> None:
    # Tickets mostly arrive in order: appending skips the search.
    if not keys or keys[-1] < key:
        tickets.append(ticket)
        keys.append(key)
    else:
        i = bisect_left(keys, key)
        tickets.insert(i, ticket)
        keys.insert(i, key)


def _delete(tickets: list[Ticket], keys: list[tuple[datetime, int, str]], key: tuple) -> None:
    i = bisect_left(keys, key)
    if i == len(keys) or keys[i] != key:
        raise ValueError(f"not waiting here: {key}")
    del tickets[i]
    del keys[i]
