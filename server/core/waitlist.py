"""One line's waiting tickets, kept in calling order, and where each one stands.

`QueueState` keeps one `WaitingLine` per service line; the calling policy's preview and the
day simulator use it too. It is a `list[Ticket]` sorted by
`queue_key` (queued_at, then seq, then id), so the calling policy reads it as the plain FIFO
sequence its interface asks for, and call-next reads the head without sorting anything. Beside
the tickets it keeps their keys and the priority subset, so that inserting a reactivated or
transferred ticket at its original place, removing a called one, finding the oldest priority
ticket and working out a ticket's position are binary searches over C-level tuple comparisons,
never a scan of the day's tickets.

Only its owner mutates a `WaitingLine` (`QueueState` its own; a preview or a simulation its
copy); everybody else must treat it as read-only.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import datetime

from server.core.model import Ticket

__all__ = ["WaitingLine", "queue_key"]


def queue_key(ticket: Ticket) -> tuple[datetime, int, str]:
    """The FIFO calling order on a line: queued_at, then seq (then id, to make it total).

    The id only matters when a transferred ticket meets a ticket of its new line with the same
    queued_at and seq; it keeps every key unique, so a ticket is found by binary search.
    """
    return (ticket.queued_at, ticket.seq, ticket.id)


class WaitingLine(list[Ticket]):
    """A line's WAITING tickets in calling order, indexed for the queue's hot paths."""

    __slots__ = ("keys", "priority", "priority_keys")

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[tuple[datetime, int, str]] = []  # queue_key of each ticket, same order
        self.priority: list[Ticket] = []  # the priority tickets of this line, same order
        self.priority_keys: list[tuple[datetime, int, str]] = []

    @classmethod
    def of(cls, tickets: Sequence[Ticket]) -> WaitingLine:
        """A line holding these tickets (a copy when given a WaitingLine: its lists are copied)."""
        line = cls()
        if isinstance(tickets, WaitingLine):
            line.extend(tickets)
            line.keys = list(tickets.keys)
            line.priority = list(tickets.priority)
            line.priority_keys = list(tickets.priority_keys)
        else:
            for ticket in tickets:
                line.add(ticket)
        return line

    def first_priority(self) -> Ticket | None:
        """The oldest priority ticket: `policy.PriorityIndexed`, so the policy need not scan."""
        return self.priority[0] if self.priority else None

    def add(self, ticket: Ticket) -> None:
        """Put a ticket at its place by queue_key (usually the back)."""
        key = queue_key(ticket)
        _insert(self, self.keys, ticket, key)
        if ticket.priority is not None:
            _insert(self.priority, self.priority_keys, ticket, key)

    def discard(self, ticket: Ticket) -> None:
        """Take a waiting ticket out (called, cancelled, expired)."""
        key = queue_key(ticket)
        _delete(self, self.keys, key)
        if ticket.priority is not None:
            _delete(self.priority, self.priority_keys, key)

    def calls_before(
        self, ticket: Ticket | None, is_priority: bool, ratio: int, regular_since: int
    ) -> int:
        """How many of these tickets are called before `ticket` (None: one joining now).

        Within one line `server.core.policy` calls regular tickets in FIFO order and priority
        tickets in FIFO order; only the interleaving needs working out. After priority call
        k-1, regular calls go on until `ratio` of them have happened or priority ticket k is
        the head. So with A_k the regular tickets older than priority ticket k, the regular
        calls made before it number cum_k = min(A_k, cum_(k-1) + ratio), starting from
        min(A_0, ratio - regular_since). This is exact for a counter that is not a priority
        counter while no ticket is past its maximum wait (a counter serving several lines does
        not change the order within each line); otherwise it is an estimate. Cost: one binary
        search per priority ticket called before it, and priority tickets are few.
        """
        if ticket is None:
            fifo_pos, priority_pos = len(self), len(self.priority)
        else:
            key = queue_key(ticket)
            fifo_pos = bisect_left(self.keys, key)
            priority_pos = bisect_left(self.priority_keys, key)
        regular_pos = fifo_pos - priority_pos  # regular tickets older than this one
        step = max(ratio, 0)
        budget = max(0, ratio - regular_since)  # cum_(k-1) + ratio, for k = 0
        keys = self.keys
        if is_priority:
            for k in range(priority_pos):
                older_regular = bisect_left(keys, self.priority_keys[k]) - k
                budget = min(older_regular, budget) + step
            return priority_pos + min(regular_pos, budget)
        called = 0
        for k, pkey in enumerate(self.priority_keys):
            regular_calls = min(bisect_left(keys, pkey) - k, budget)
            if regular_calls > regular_pos:
                break  # this priority ticket, and every later one, comes after ours
            called += 1
            budget = regular_calls + step
        return regular_pos + called

    def calling_order(self, ratio: int, regular_since: int) -> list[Ticket]:
        """All these tickets in the order they would be called (see `calls_before`). O(n)."""
        regular = [t for t in self if t.priority is None]
        priority, pkeys = self.priority, self.priority_keys
        out: list[Ticket] = []
        i = j = 0
        count = regular_since
        while i < len(regular) or j < len(priority):
            if j < len(priority) and (
                i >= len(regular) or count >= ratio or pkeys[j] < queue_key(regular[i])
            ):
                out.append(priority[j])
                j += 1
                count = 0
            else:
                out.append(regular[i])
                i += 1
                count += 1
        return out


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
