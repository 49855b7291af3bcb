"""The outbox (issue 21): the building's events delivered, signed, to webhooks and central.

The event log is the outbox (server/store/deliveries.py keeps each destination's position);
`Outbox` runs one `Sender` task per destination beside the engine, wakes them when the engine
commits, and tells the floor when a destination has been failing for its `alert_after_minutes`
(the `delivery` alert, docs/protocol.md) and what each destination's backlog is (the floor's
snapshot). Nothing here is ever awaited by a command: a kiosk or a counter never waits for a
destination, and a destination that is down for days catches up from its position.

Where a destination starts when it is first configured: central from seq 1 (it wants the
building's history), a webhook from the log's end then (an integrator wants what happens from
now on). A webhook's id keeps its position: renaming it starts afresh, changing its URL not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from server.core.building import Building, DestinationKind
from server.engine import Engine, StoredEvent
from server.outbox.body import profile
from server.outbox.sender import Sender, Timing
from server.store.deliveries import PendingReader

__all__ = ["Outbox", "Timing"]

log = logging.getLogger("antre.outbox")

# While a destination's alert is up, the floor hears its backlog again at most this often.
_ALERT_REFRESH_S = 5.0


class Outbox:
    """Every destination of the building file, each its own task."""

    def __init__(
        self,
        building: Building,
        engine: Engine,
        *,
        digest: str = "",
        clock: Callable[[], datetime] | None = None,
        timing: Timing | None = None,
        on_alert: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.building = building
        self._engine = engine
        self._digest = digest  # the building file's, in central's profile
        self._clock = clock or (lambda: datetime.now(UTC))
        self._timing = timing or Timing()
        self.on_alert = on_alert  # the floor's `delivery` alert, whenever it changes
        self.senders: list[Sender] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._reader: PendingReader | None = None
        self._client: httpx.AsyncClient | None = None
        self._alerting: tuple[str, ...] = ()  # the ids in the last alert sent
        self._alert_sent_at = 0.0

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): the building its deliveries name from now on. Its
        destinations stay those it started with (a new webhook starts with the next restart)."""
        self.building = building
        for sender in self.senders:
            sender.building = building

    async def start(self) -> None:
        """Open the positions (adding new destinations), start one task per destination."""
        if not self.building.destinations:
            return
        store = self._engine.store
        starts = {
            d.id: 0 if d.kind is DestinationKind.CENTRAL else None
            for d in self.building.destinations
        }
        states = await store.open_deliveries(starts, self._clock().isoformat())
        self._reader = await PendingReader.open(self._engine.db_path)
        self._client = httpx.AsyncClient(follow_redirects=False)
        for d in self.building.destinations:
            body = (
                profile(self.building, self._digest) if d.kind is DestinationKind.CENTRAL else None
            )
            self.senders.append(
                Sender(
                    self.building,
                    d,
                    states[d.id],
                    store=store,
                    reader=self._reader,
                    client=self._client,
                    last_seq=lambda: self._engine.last_seq,
                    clock=self._clock,
                    timing=self._timing,
                    on_change=self._changed,
                    profile=body,
                )
            )
        self._engine.subscribe(self._on_commit)
        for sender in self.senders:
            name = f"antre-outbox-{sender.destination.id}"
            self._tasks.append(asyncio.create_task(sender.run(), name=name))
        log.info(
            "delivering to %s",
            ", ".join(f"{s.destination.id} (from seq {s.position + 1})" for s in self.senders),
        )

    async def close(self) -> None:
        """Stop every task (a request in flight is abandoned: it is sent again next time)."""
        self._engine.unsubscribe(self._on_commit)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        for sender in self.senders:
            try:
                await sender.close()
            except Exception:
                log.exception("could not write %s's position", sender.destination.id)
        if self._client is not None:
            await self._client.aclose()
        if self._reader is not None:
            await self._reader.close()

    def _on_commit(self, _batch: list[StoredEvent]) -> None:
        for sender in self.senders:
            sender.wake.set()

    # -- the floor ------------------------------------------------------------------------------

    def status(self) -> list[dict[str, Any]]:
        """Each destination's state and backlog, for the floor's snapshot."""
        return [sender.status() for sender in self.senders]

    def alert(self) -> dict[str, Any]:
        """The floor's `delivery` alert: every destination whose alert is up (may be none)."""
        return {
            "type": "alert",
            "alert": "delivery",
            "at": self._clock().isoformat(),
            "destinations": [s.status() for s in self.senders if s.alerting],
        }

    def _changed(self) -> None:
        alerting = tuple(s.destination.id for s in self.senders if s.alerting)
        now = time.monotonic()
        if alerting == self._alerting and (
            not alerting or now - self._alert_sent_at < _ALERT_REFRESH_S
        ):
            return
        self._alerting, self._alert_sent_at = alerting, now
        if self.on_alert is not None:
            try:
                self.on_alert(self.alert())
            except Exception:  # the floor's trouble must never stop a delivery
                log.exception("the delivery alert could not be sent")
