"""One websocket connection's life: the session, the hello, the catch-up, the requests, the end.

1. `handler` wraps the websocket in a `Session` (bounded send queue, writer task, rate limits).
2. The first frame must be a `hello` within `HubLimits.hello_timeout_s`. The `Authenticator`
   checks it; a refusal is an `error` frame followed by a close (4001/4002/4003).
3. The session takes its seat (server/hub/seats.py), counts toward its device's presence, and is
   caught up (server/hub/sync.py).
4. Live: each frame goes to the request table (server/hub/requests.py).
5. However it ends, the session is forgotten everywhere it was registered.
"""

from __future__ import annotations

import asyncio
import logging
import socket

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from server import protocol as p
from server import refusals
from server.broadcast.broadcaster import Broadcaster
from server.broadcast.survey_offers import SurveyOffers
from server.broadcast.ticket_watch import TicketWatch
from server.hub.limits import HubLimits
from server.hub.presence import Presence
from server.hub.requests import Requests
from server.hub.seats import Seats
from server.hub.sync import Sync, refuse
from server.roles import Authenticator, AuthError, Role
from server.sessions import Session, SessionState, TokenBucket

__all__ = ["Connections"]

log = logging.getLogger("antre.hub")


class Connections:
    """Every open connection, authenticated or not, from its hello to its end."""

    def __init__(
        self,
        limits: HubLimits,
        auth: Authenticator,
        *,
        seats: Seats,
        presence: Presence,
        broadcaster: Broadcaster,
        ticket_watch: TicketWatch,
        survey_offers: SurveyOffers,
        sync: Sync,
        requests: Requests,
    ) -> None:
        self._limits = limits
        self._auth = auth
        self._seats = seats
        self._presence = presence
        self._broadcaster = broadcaster
        self._ticket_watch = ticket_watch
        self._survey_offers = survey_offers
        self._sync = sync
        self._requests = requests
        # Every open connection, for shutdown and /healthz.
        self._sessions: set[Session] = set()

    def __len__(self) -> int:
        return len(self._sessions)

    def sessions(self) -> list[Session]:
        """Every open connection now (a copy: sessions come and go while it is walked)."""
        return list(self._sessions)

    def close_all(self, code: int, reason: str) -> None:
        for s in list(self._sessions):
            s.drop(code, reason)

    async def handler(self, ws: ServerConnection) -> None:
        """websockets' connection handler: one call per client, returns when it is gone."""
        limits = self._limits
        if limits.socket_send_buffer is not None:
            sock = ws.transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, limits.socket_send_buffer)
        session = Session(
            ws,
            queue_max=limits.send_queue_max,
            rate=TokenBucket(limits.rate_per_s, limits.rate_burst),
            abuse=TokenBucket(limits.abuse_refill_per_s, limits.abuse_budget),
            close_timeout_s=limits.close_timeout_s,
            held_max=limits.replay_limit,
            on_drop=self._forget,
        )
        self._sessions.add(session)
        try:
            if await self._greet(session):
                requests = self._requests
                async for frame in ws:
                    if session.state is SessionState.CLOSED:
                        break
                    await requests.handle(session, frame)
        except ConnectionClosed:
            pass
        except Exception:
            log.exception("session %r failed", session)
            session.drop(p.CLOSE_INTERNAL_ERROR, "internal error")
        finally:
            self._forget(session)
            self._sessions.discard(session)
            await session.finish()

    def _forget(self, session: Session) -> None:
        self._broadcaster.remove(session)
        self._ticket_watch.remove(session)
        self._survey_offers.remove(session)
        self._seats.leave(session)
        self._presence.left(session)

    async def _greet(self, session: Session) -> bool:
        """Read and check the hello, then sync the session. False when the session was refused."""
        try:
            async with asyncio.timeout(self._limits.hello_timeout_s):
                frame = await session.ws.recv()
        except TimeoutError:
            refuse(
                session,
                p.ERR_HELLO_REQUIRED,
                refusals.say("hello_timeout"),
                p.CLOSE_HELLO_REQUIRED,
            )
            return False
        ref = None
        try:
            msg = p.decode(frame)
            ref = p.message_ref(msg)
            if isinstance(msg, dict) and msg.get("type") == "hello":
                version = msg.get("version")
                if (
                    isinstance(version, int)
                    and not isinstance(version, bool)
                    and version not in p.SUPPORTED_VERSIONS
                ):
                    refuse(
                        session,
                        p.ERR_UNSUPPORTED_VERSION,
                        refusals.say("version", version=version, server_version=p.PROTOCOL_VERSION),
                        p.CLOSE_UNSUPPORTED_VERSION,
                        ref,
                        supported=sorted(p.SUPPORTED_VERSIONS),
                    )
                    return False
            kind = p.validate(msg)
        except p.ProtocolError as exc:
            refuse(session, exc.code, exc.message, p.CLOSE_HELLO_REQUIRED, ref)
            return False
        if kind != "hello":
            refuse(
                session,
                p.ERR_HELLO_REQUIRED,
                refusals.say("hello_first"),
                p.CLOSE_HELLO_REQUIRED,
                ref,
            )
            return False
        try:
            principal = await self._auth.authenticate(msg, _address(session))
        except AuthError as exc:
            extra = {} if exc.retry_after_s is None else {"retry_after_s": exc.retry_after_s}
            log.info("hello refused from %s: %s", session.ws.remote_address, exc.code)
            refuse(session, exc.code, exc.message, exc.close_code, ref, **extra)
            return False
        session.principal = principal
        # Counted before an older session of the same kiosk is replaced: the device stays
        # connected throughout instead of blinking off and on.
        self._presence.joined(session)
        self._seats.take(session)
        log.info(
            "%s connected from %s (%s)",
            principal.actor,
            session.ws.remote_address,
            msg.get("client") or "unnamed client",
        )
        if principal.role is Role.TICKET:
            await self._sync.catch_up_ticket(session, ref)
        elif principal.role is Role.TABLET:
            await self._sync.catch_up_tablet(session, ref)
        else:
            await self._sync.catch_up(session, ref, msg.get("last_seq"), msg.get("day"))
        return session.state is SessionState.LIVE


def _address(session: Session) -> str:
    """The peer's IP address: what tells one unknown device from another (server/lockout.py)."""
    peer = session.ws.remote_address
    return str(peer[0]) if peer else "unknown"
