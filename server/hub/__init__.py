"""The realtime hub: websocket sessions, hello, role checks, dispatch, replay and broadcast.

Theory of operation, for one connection (server/hub/connection.py):

1. `handler` wraps the websocket in a `Session` (bounded send queue, writer task, rate limits).
2. The first frame must be a `hello` within `HubLimits.hello_timeout_s`. The `Authenticator`
   checks it; a refusal is an `error` frame followed by a close (4001/4002/4003).
3. Sync (server/hub/sync.py): the session joins its broadcast audience first, holding live
   events aside, then gets either the events after its `last_seq` (replay) or a snapshot, then
   the held events it has not seen, then `synced`.
4. Live (server/hub/requests.py): each frame is checked against the role table, the protocol
   table, the building and today's queue (server/hub/scope.py), and only then turned into a core
   command for `Engine.execute`. Any refusal changes nothing.

Every state change reaches clients through `on_commit`, which the engine calls after each
committed batch: the `Broadcaster` (server/broadcast/) encodes each event once per audience and
queues it. Derived frames follow on its paced tick: line figures per audience, and each officer
session's `next` (its counter's next numbers, also sent after `synced` and carried by every
counter reply).

Tablet sessions (hello role `tablet`, the SKM survey's tablet at a counter; issue 20) join no
broadcast audience: `SurveyOffers` (server/broadcast/survey_offers.py) pushes `survey_offer` when a
service finishes at its counter, and the tablet may answer only that ticket.

Ticket sessions (hello role `ticket`, the citizen's phone page) are bound to one ticket by its
public token and join no broadcast audience: after `welcome`, a snapshot of just that ticket's
public view and `synced`, they get `ticket` frames from the `TicketWatch`
(server/broadcast/ticket_watch.py) when the view changes, paced like the line figures. They may
only `ping`.

Who holds which seat (one officer session per counter, one per kiosk, a few phones per ticket)
is server/hub/seats.py; which kiosks and TVs are connected, server/hub/presence.py.

`Hub` wires these together and is what the server (server/app.py, server/web/routes.py) sees.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection

from server import protocol as p
from server.broadcast.broadcaster import Broadcaster
from server.broadcast.survey_offers import SurveyOffers
from server.broadcast.ticket_watch import TicketWatch
from server.core.building import Building
from server.core.events import VisitHandedOn
from server.core.model import Command
from server.engine import Engine, StoredEvent
from server.hub.connection import Connections
from server.hub.edited_sessions import closing
from server.hub.limits import HubLimits
from server.hub.presence import Presence
from server.hub.requests import Requests
from server.hub.seats import Seats
from server.hub.sync import InFlight, Snapshots, Sync, refuse, today
from server.roles import Authenticator, Role
from server.sessions import SessionState

if TYPE_CHECKING:
    from server.outbox import Outbox

__all__ = ["Hub", "HubLimits"]

log = logging.getLogger("antre.hub")


class Hub:
    """Serves every websocket client of one building."""

    def __init__(
        self,
        engine: Engine,
        building: Building,
        *,
        clock: Callable[[], datetime] | None = None,
        limits: HubLimits | None = None,
    ) -> None:
        self.engine = engine
        self.building = building
        self.limits = limits = limits or HubLimits()
        # The same clock as the engine's, so that line figures and lockout times agree with it.
        self._clock = clock = clock or (lambda: datetime.now(UTC))
        self.auth = Authenticator(
            building,
            lockout=limits.lockout,
            wall_clock=clock,
            tickets=lambda token: engine.state.ticket_by_token(token),
            # Someone guessing PINs: the floor's alert, whenever the list changes.
            on_guessing=lambda guessing: self.broadcaster.send_to_floor(self.pin_alert(guessing)),
        )
        self.broadcaster = Broadcaster(
            building,
            lambda: engine.state,
            clock,
            lines_flush_s=limits.lines_flush_s,
            lines_refresh_s=limits.lines_refresh_s,
        )
        # The citizen's phone pages: each ticket session's own ticket, on the lines' pacing.
        self.ticket_watch = TicketWatch(
            building,
            lambda: engine.state,
            clock,
            flush_s=limits.lines_flush_s,
            refresh_s=limits.lines_refresh_s,
        )
        # The counter tablets' SKM survey offers (issue 20): pushed when a service finishes.
        self.survey_offers = SurveyOffers(building, lambda: engine.state)
        # Last reported status of each kiosk's printer, for the floor's snapshot and alerts.
        self.printers: dict[str, dict[str, Any]] = {}
        # The outbox's floor view (issue 21), set by the server when it has destinations.
        self.outbox: Outbox | None = None
        self._inflight = InFlight(engine, limits.snapshot_quiet_s)
        self.presence = Presence(building, clock, self.broadcaster)
        snapshots = Snapshots(
            engine,
            building,
            clock,
            inflight=self._inflight,
            presence=self.presence,
            printers=self.printers,
            survey_offers=self.survey_offers,
            deliveries=lambda: [] if self.outbox is None else self.outbox.status(),
        )
        self.requests = Requests(
            engine,
            building,
            clock,
            broadcaster=self.broadcaster,
            inflight=self._inflight,
            snapshots=snapshots,
            printers=self.printers,
            unlock=self.auth.unlock,
            survey_offers=self.survey_offers,
        )
        sync = Sync(
            engine,
            building,
            limits,
            clock,
            broadcaster=self.broadcaster,
            ticket_watch=self.ticket_watch,
            survey_offers=self.survey_offers,
            presence=self.presence,
            inflight=self._inflight,
            snapshots=snapshots,
            pin_alert=lambda: self.pin_alert(self.auth.guessing()),
            delivery_alert=lambda: None if self.outbox is None else self.outbox.alert(),
        )
        self._snapshots, self._sync = snapshots, sync
        # Told of each live building after the hub's own parts (server/app.py: the web pages
        # and the outbox).
        self.building_listeners: list[Callable[[Building], None]] = []
        engine.on_building_swap(self.set_building)  # before any command runs again
        engine.on_building(self.building_edited)
        self.connections = Connections(
            limits,
            self.auth,
            seats=Seats(limits.phones_per_ticket),
            presence=self.presence,
            broadcaster=self.broadcaster,
            ticket_watch=self.ticket_watch,
            survey_offers=self.survey_offers,
            sync=sync,
            requests=self.requests,
        )

    def set_building(self, building: Building) -> None:
        """Swap the building in every part of the hub that holds one (issue 23), and close
        every session the new building would not let act as it did (server/hub/edited_sessions):
        here, synchronously, inside the engine's swap, so that none of them runs one more
        command — commands waiting for the edit resume only after this returns."""
        old, self.building = self.building, building
        self._close_edited(old, building)
        for part in (
            self.auth,
            self.broadcaster,
            self.ticket_watch,
            self.survey_offers,
            self.presence,
            self._snapshots,
            self.requests,
            self._sync,
        ):
            part.set_building(building)
        for listener in self.building_listeners:
            listener(building)

    def _close_edited(self, old: Building, new: Building) -> None:
        edits = self.engine.edits  # the edit being made is in it already (Engine._swap)
        editor = getattr(edits[-1].event, "by", None) if edits else None
        for session in self.connections.sessions():
            principal = session.principal
            if principal is None or session.state is SessionState.CLOSED:
                continue
            ending = closing(principal, old, new, editor)
            if ending is None:
                continue
            log.warning("closing %s: the building edit changed or removed it (%s)",
                        principal.actor, ending.message)  # fmt: skip
            refuse(session, p.ERR_FORBIDDEN, ending.message, ending.close_code)

    async def building_edited(self, building: Building) -> None:
        """After a live edit (the building already swapped by `set_building`, the sessions it
        ends closed): every other session a fresh snapshot of its role, so that kiosks, TVs,
        counters and the floor show the new building without reconnecting."""
        for session in self.connections.sessions():
            principal = session.principal
            if principal is None or session.state is not SessionState.LIVE:
                continue  # not yet synced: its sync takes the new building's snapshot
            if principal.role is Role.TICKET:
                continue  # its ticket frames follow the state on their own
            try:
                snap = await self._snapshots.take(principal)
            except Exception:
                log.exception("fresh snapshot for %s failed", principal.actor)
                continue
            if session.state is SessionState.LIVE:
                session.send_message(snap)

    def start(self) -> None:
        """Subscribe to the engine and start the periodic line refresh."""
        self.engine.subscribe(self.on_commit)
        self.broadcaster.start()
        self.ticket_watch.start()

    async def close(self) -> None:
        """Close every connection with 1001 (going away) and stop background work."""
        self.engine.unsubscribe(self.on_commit)
        self.connections.close_all(p.CLOSE_GOING_AWAY, "server shutting down")
        await self.broadcaster.stop()
        await self.ticket_watch.stop()

    def on_commit(self, batch: list[StoredEvent]) -> None:
        """Engine subscriber: called with every committed batch, in sequence order."""
        try:
            self.broadcaster.publish(batch)
        except Exception:  # a bug here must never break the engine's commit path
            log.exception("broadcast of seq %s failed", batch[0].seq if batch else None)
        try:
            self.ticket_watch.publish(batch)
        except Exception:
            log.exception("ticket views after seq %s failed", batch[-1].seq if batch else None)
        try:
            self._follow_hand_ons(batch)  # apart: a phone follows its visit whatever the views do
        except Exception:
            log.exception("phone sessions after seq %s failed", batch[-1].seq if batch else None)
        try:
            self.survey_offers.publish(batch)
        except Exception:
            log.exception("survey offers after seq %s failed", batch[-1].seq if batch else None)

    def _follow_hand_ons(self, batch: list[StoredEvent]) -> None:
        """A visit handed on (issue 22): the phone sessions of the stop just left now speak for
        the next stop's ticket, as the ticket watch follows it and as their token's hello would
        after a reconnect (`ticket_by_token`: the visit's latest ticket). The principal's id is
        only what the logs name (a session's repr, "replaced by a newer phone"): without this
        they would name the first stop's ticket for the rest of the visit. The phones' bound
        counts per the printed QR (`qr`), which a hand-on keeps."""
        handed = {
            e.from_ticket: e for stored in batch if isinstance(e := stored.event, VisitHandedOn)
        }
        if not handed:
            return
        for session in self.connections.sessions():
            principal = session.principal
            if principal is None or principal.role is not Role.TICKET or principal.qr is None:
                continue
            now = principal
            while (event := handed.get(now.id)) is not None:  # several hand-ons in one batch
                now = replace(
                    now, id=event.ticket, name=event.number, actor=f"ticket:{event.ticket}"
                )
            if now is not principal:
                session.principal = now

    async def handler(self, ws: ServerConnection) -> None:
        """websockets' connection handler: one call per client, returns when it is gone."""
        await self.connections.handler(ws)

    def stats(self) -> dict[str, Any]:
        by_role = self.broadcaster.count_by_role()
        tickets = self.ticket_watch.count()
        if tickets:
            by_role["ticket"] = tickets
        tablets = self.survey_offers.count()
        if tablets:
            by_role["tablet"] = tablets
        return {"total": len(self.connections), **by_role}

    async def execute(
        self, command: Command, actor: str, request_id: str | None = None
    ) -> list[StoredEvent]:
        """Engine.execute, counted while in flight so that snapshots can wait for the disk."""
        return await self._inflight.execute(command, actor, request_id)

    def now(self) -> datetime:
        return self._clock()

    def pin_alert(self, guessing: list[dict[str, Any]]) -> dict[str, Any]:
        """The floor's `pin_guessing` alert: every id being guessed now (docs/protocol.md)."""
        return {
            "type": "alert",
            "alert": "pin_guessing",
            "at": self._clock().isoformat(),
            "guessing": guessing,
        }

    def today(self) -> str:
        """The service day the queue is on, ISO date."""
        return today(self.engine, self.building, self._clock)
