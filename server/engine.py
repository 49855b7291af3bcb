"""The engine: the one place where a command becomes durable events. STUB — store helper fills it.

The hub (and tests, and the simulator with a store) call `Engine.execute`. The engine runs the
pure core synchronously on the event loop (so commands are serialised without locks), hands the
events to the store's single writer, which commits them in batches (group commit), and returns
only after the batch holding them is on disk. Subscribers (the hub's broadcaster) are told of
every committed batch, in sequence order, before `execute` returns to its caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from server.core.building import Building
from server.core.model import Command, Event
from server.core.queue import QueueState

__all__ = ["Engine", "StoredEvent"]


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int  # the store's sequence number: gapless, increasing, the order of everything
    event: Event
    actor: str  # "kiosk:K1", "officer:OF001@L05", "manager:M1", "system"
    request_id: str | None  # the client's idempotency key, when it sent one


class Engine:
    state: QueueState
    last_seq: int  # the sequence number of the newest committed event (0 for an empty store)

    def __init__(
        self, building: Building, db_path: str, clock: Callable[[], datetime] | None = None
    ) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        """Open the store, migrate, rebuild today's state, close a day left open by a crash."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def execute(
        self, command: Command, actor: str, request_id: str | None = None
    ) -> list[StoredEvent]:
        """Run a command; return its events once they are on disk.

        Raises DomainError (nothing changed). A request_id already executed today returns the
        events of its first execution without running it again (also across restarts).
        """
        raise NotImplementedError

    def subscribe(self, callback: Callable[[list[StoredEvent]], None]) -> None:
        """Call back with every committed batch, in sequence order."""
        raise NotImplementedError

    async def events_since(self, seq: int, limit: int = 10_000) -> list[StoredEvent] | None:
        """Committed events after seq, in order; None when more than `limit` (send a snapshot)."""
        raise NotImplementedError
