"""Bringing a session up to date after its hello: a replay or a snapshot, then live.

The session joins its broadcast audience first, holding live events aside, then gets either the
events after its `last_seq` (replay) or a snapshot, then the held events it has not seen, then
`synced`. Subscribing before reading the log is what makes the hand-over exact: an event
committed meanwhile is in the held list, the replay, or both, and never sent twice.

A snapshot shows the committed state at its sequence number: it waits (`InFlight.quiet`, at most
`HubLimits.snapshot_quiet_s`) until no command is between the core and the disk.

Ticket sessions (the citizen's phone page) get a snapshot of just their ticket's public view and
join no audience: the `TicketWatch` pushes the view whenever it changes. Tablet sessions (a
counter's SKM survey tablet) get a snapshot of their counter and the survey they show, if any,
and join no audience either: `SurveyOffers` pushes each offer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from server import protocol as p
from server.broadcast.broadcaster import Broadcaster
from server.broadcast.survey_offers import SurveyOffers
from server.broadcast.ticket_watch import TicketWatch
from server.broadcast.views import snapshot, tablet_snapshot
from server.core.building import Building
from server.core.events import DayClosed
from server.core.model import Command
from server.engine import Engine, StoredEvent
from server.hub.limits import HubLimits
from server.hub.presence import Presence
from server.roles import Principal, Role
from server.sessions import Session

__all__ = ["InFlight", "Snapshots", "Sync", "refuse", "today"]

log = logging.getLogger("antre.hub")


class InFlight:
    """`Engine.execute`, counted while in flight so that snapshots can wait for the disk."""

    def __init__(self, engine: Engine, quiet_s: float) -> None:
        self._engine = engine
        self._quiet_s = quiet_s
        self._count = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    async def execute(
        self, command: Command, actor: str, request_id: str | None = None
    ) -> list[StoredEvent]:
        self._count += 1
        self._quiet.clear()
        try:
            return await self._engine.execute(command, actor, request_id)
        finally:
            self._count -= 1
            if self._count == 0:
                self._quiet.set()

    async def quiet(self) -> None:
        """Wait until no command is between the core and the disk (or `quiet_s` has passed)."""
        try:
            async with asyncio.timeout(self._quiet_s):
                await self._quiet.wait()
        except TimeoutError:
            # Under sustained load: the snapshot may show a change whose event follows it.
            log.warning("snapshot taken with %d commands in flight", self._count)


class Snapshots:
    """A role's whole picture as of the last committed sequence number (see `InFlight.quiet`)."""

    def __init__(
        self,
        engine: Engine,
        building: Building,
        clock: Callable[[], datetime],
        *,
        inflight: InFlight,
        presence: Presence,
        printers: dict[str, dict[str, Any]],
        survey_offers: SurveyOffers,
        deliveries: Callable[[], list[dict[str, Any]]] = list,
    ) -> None:
        self._engine = engine
        # Each destination of the outbox (issue 21): its state and backlog, for the floor.
        self._deliveries = deliveries
        self._building = building
        self._clock = clock
        self._inflight = inflight
        self._presence = presence
        self._printers = printers  # the hub's, shared: kiosks report into it
        self._survey_offers = survey_offers  # what each tablet shows (its snapshot's `offer`)

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): answer with the new building from now on."""
        self._building = building

    async def take(self, principal: Principal) -> dict[str, Any]:
        await self._inflight.quiet()
        engine = self._engine
        now = self._clock()
        if principal.role is Role.TABLET:
            return tablet_snapshot(
                principal,
                self._building,
                engine.state,
                now,
                engine.last_seq,
                self._survey_offers.current(principal, now),
            )
        snap = snapshot(
            principal,
            self._building,
            engine.state,
            now,
            engine.last_seq,
            self._printers,
            self._presence.devices(),
        )
        if principal.role in (Role.FLOOR, Role.ADMIN):
            snap["deliveries"] = self._deliveries()
        return snap


def today(engine: Engine, building: Building, clock: Callable[[], datetime]) -> str:
    """The service day the queue is on, ISO date."""
    day = engine.state.day or building.service_day(clock())
    return day.isoformat()


def refuse(
    session: Session,
    code: str,
    message: str,
    close_code: int,
    ref: str | int | None = None,
    **extra: Any,
) -> None:
    """Refuse a session during its hello or sync: an `error` frame, then the close."""
    session.send_message(p.error_message(code, message, ref, **extra))
    session.close(close_code, code)


class Sync:
    """Catches a session up from its hello to the live stream."""

    def __init__(
        self,
        engine: Engine,
        building: Building,
        limits: HubLimits,
        clock: Callable[[], datetime],
        *,
        broadcaster: Broadcaster,
        ticket_watch: TicketWatch,
        survey_offers: SurveyOffers,
        presence: Presence,
        inflight: InFlight,
        snapshots: Snapshots,
        pin_alert: Callable[[], dict[str, Any]],
        delivery_alert: Callable[[], dict[str, Any] | None] = lambda: None,
    ) -> None:
        self._engine = engine
        self._building = building
        self._limits = limits
        # The floor's `pin_guessing` alert as of now: a floor session gets it after `synced`.
        self._pin_alert = pin_alert
        # The outbox's `delivery` alert as of now (issue 21): sent after `synced` when up.
        self._delivery_alert = delivery_alert
        self._clock = clock
        self._broadcaster = broadcaster
        self._ticket_watch = ticket_watch
        self._survey_offers = survey_offers
        self._presence = presence
        self._inflight = inflight
        self._snapshots = snapshots

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): answer with the new building from now on."""
        self._building = building

    def _today(self) -> str:
        return today(self._engine, self._building, self._clock)

    def _welcome(
        self, principal: Principal, ref: str | int | None, seq: int, resume: str
    ) -> dict[str, Any]:
        welcome = {
            "type": "welcome",
            "ref": ref,
            "version": p.PROTOCOL_VERSION,
            "role": principal.role.value,
            "principal": principal.describe(),
            "seq": seq,
            "day": self._today(),
            "resume": resume,
            "server_time": self._clock().isoformat(),
        }
        if principal.device_cookie is not None:
            # This device is now known for this id: keep it and send it in the next hellos.
            welcome["device_cookie"] = principal.device_cookie
        return welcome

    async def catch_up(
        self, session: Session, ref: str | int | None, last_seq: int | None, day: str | None
    ) -> None:
        """Queue welcome, then a replay or a snapshot, then held live events, then `synced`."""
        principal = session.principal
        assert principal is not None
        session.start_sync()
        self._broadcaster.add(session)  # from here on, every committed event reaches the session
        engine = self._engine
        events: list[StoredEvent] | None = None
        if last_seq is not None and last_seq <= engine.last_seq:
            service_day = self._today()
            if day is None or day == service_day:
                events = await engine.events_since(last_seq, self._limits.replay_limit)
                if events is not None and any(isinstance(e.event, DayClosed) for e in events):
                    events = None  # the client's picture is of another day: start afresh
        resume = "snapshot" if events is None else "replay"
        welcome = self._welcome(principal, ref, engine.last_seq, resume)
        stall = self._limits.catch_up_stall_s
        if events is None:
            snap = await self._snapshots.take(principal)
            frames = [p.encode(welcome), p.encode(snap)]
            position, replayed = snap["seq"], 0
        else:
            assert last_seq is not None
            replay = self._broadcaster.frames_for(principal.audience, events)
            frames = [p.encode(welcome), *(frame for _, frame in replay)]
            position = max(last_seq, events[-1].seq if events else last_seq)
            replayed = len(replay)
        # A catch-up may be longer than the send queue: it goes at the pace the client reads.
        for frame in frames:
            if not await session.send_wait(frame, stall):
                return

        presence = self._presence
        managing = principal.role in (Role.FLOOR, Role.ADMIN)
        presence_version = presence.version

        def closing(position: int) -> list[str]:
            nonlocal presence_version
            synced = {
                "type": "synced",
                "seq": position,
                "replayed": replayed,
                "resume": welcome["resume"],
            }
            frames = [p.encode(synced)]
            if managing:
                presence_version = presence.version
                frames.append(p.encode(presence.frame(presence.devices())))
                guessing = self._pin_alert()
                if guessing["guessing"]:  # PINs being guessed now (else: none, as after synced)
                    frames.append(p.encode(guessing))
                delivery = self._delivery_alert()
                if delivery is not None and delivery["destinations"]:
                    frames.append(p.encode(delivery))
            frames.append(self._broadcaster.lines_frame(principal.audience))
            next_frame = self._broadcaster.next_frame(session)  # officers: their counter's
            if next_frame is not None:
                frames.append(next_frame)
            return frames

        if not await session.finish_sync(position, lambda: engine.last_seq, closing, stall):
            return
        # The next numbers sent above may have moved before the session went live.
        self._broadcaster.watch_next(session)
        if managing and presence.version != presence_version:
            # A device came or went while the list above was being sent (presence pushes reach
            # live sessions only): send the whole list again, now that this session is live.
            session.send_message(presence.frame(presence.devices()))

    async def catch_up_ticket(self, session: Session, ref: str | int | None) -> None:
        """A phone page: welcome, a snapshot of just its ticket's public view, `synced`.

        No replay (there are no events to see) and no broadcast audience: the `TicketWatch`
        pushes the view whenever it changes. `last_seq` in the hello is ignored.
        """
        principal = session.principal
        assert principal is not None and principal.role is Role.TICKET
        session.start_sync()
        await self._inflight.quiet()
        engine = self._engine
        view = self._ticket_watch.add(session)  # noted as sent: pushes compare with it
        if view is None:  # the day closed during the hello
            refuse(
                session,
                p.ERR_AUTH_FAILED,
                "Nomor antrean tidak ditemukan. Tiket hanya berlaku pada hari diterbitkan.",
                p.CLOSE_AUTH_FAILED,
                ref,
            )
            return
        position = engine.last_seq
        welcome = self._welcome(principal, ref, position, "snapshot")
        snap = {"type": "snapshot", "seq": position, "day": self._today(), "ticket": view}
        stall = self._limits.catch_up_stall_s
        for frame in (p.encode(welcome), p.encode(snap)):
            if not await session.send_wait(frame, stall):
                return

        def closing(position: int) -> list[str]:
            synced = {"type": "synced", "seq": position, "replayed": 0, "resume": "snapshot"}
            return [p.encode(synced)]

        if not await session.finish_sync(position, lambda: engine.last_seq, closing, stall):
            return
        # The view may have moved while the session was syncing (pushes skip such sessions).
        self._ticket_watch.schedule()

    async def catch_up_tablet(self, session: Session, ref: str | int | None) -> None:
        """A counter's survey tablet: welcome, a snapshot of its counter and of the survey it
        shows (if any), `synced`. No replay and no audience: `SurveyOffers` pushes each offer,
        from the moment the session is registered (an offer made during the hello is in the
        snapshot or pushed after it, and a tablet shows the newer one)."""
        principal = session.principal
        assert principal is not None and principal.role is Role.TABLET
        session.start_sync()
        await self._inflight.quiet()
        engine = self._engine
        position = engine.last_seq
        welcome = self._welcome(principal, ref, position, "snapshot")
        snap = await self._snapshots.take(principal)
        stall = self._limits.catch_up_stall_s
        for frame in (p.encode(welcome), p.encode(snap)):
            if not await session.send_wait(frame, stall):
                return

        def closing(position: int) -> list[str]:
            synced = {"type": "synced", "seq": position, "replayed": 0, "resume": "snapshot"}
            return [p.encode(synced)]

        if not await session.finish_sync(position, lambda: engine.last_seq, closing, stall):
            return
        self._survey_offers.add(session)
        # An offer made while the session was syncing was not pushed to it (pushes go to live
        # sessions): send the current one again, now that it is live.
        offer = self._survey_offers.current(principal, self._clock())
        if offer is not None and offer != snap.get("offer"):
            session.send_message(offer)
