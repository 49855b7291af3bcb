"""The realtime hub: websocket sessions, hello, role checks, dispatch, replay and broadcast.

Theory of operation, for one connection:

1. `handler` wraps the websocket in a `Session` (bounded send queue, writer task, rate limits).
2. The first frame must be a `hello` within `HubLimits.hello_timeout_s`. The `Authenticator`
   checks it; a refusal is an `error` frame followed by a close (4001/4002/4003).
3. Sync: the session joins its broadcast audience first, holding live events aside, then gets
   either the events after its `last_seq` (replay) or a snapshot, then the held events it has not
   seen, then `synced`. Subscribing before reading the log is what makes the hand-over exact:
   an event committed meanwhile is in the held list, the replay, or both, and never sent twice.
4. Live: each frame is decoded, its type checked against the role table (`forbidden`), its
   fields against the protocol table (`bad_message`), its ids against the building and today's
   queue (`not_found`, or `forbidden` when outside the officer's counter or agency), and only then
   turned into a core command for `Engine.execute`. Any refusal changes nothing.

Every state change reaches clients through `on_commit`, which the engine calls after each
committed batch: the `Broadcaster` encodes each event once per audience and queues it. Derived
frames follow on its paced tick: line figures per audience, and each officer session's `next`
(its counter's next numbers, also sent after `synced` and carried by every counter reply).

Ticket sessions (hello role `ticket`, the citizen's phone page) are bound to one ticket by its
public token and join no broadcast audience: after `welcome`, a snapshot of just that ticket's
public view and `synced`, they get `ticket` frames from the `TicketWatch` (server/ticket_watch.py)
when the view changes, paced like the line figures. They may only `ping`.

Presence: the hub counts the authenticated sessions of each kiosk and TV. A device is connected
while it has at least one (so a replacing session never makes it blink off), and its `since` moves
when that changes. Floor and admin sessions get every device in a `presence` frame right after
`synced` (and in their snapshot), then a `presence` frame naming one device whenever one of its
sessions authenticates or ends. Like printer status, this is in memory: a restart forgets it.

Idempotency: a mutating request carries a `request_id`; the hub scopes it by the actor
("kiosk:K1#<request_id>") so two clients can never collide, and the engine returns the first
result for a key it has seen today, even while the first attempt is still being committed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from server import protocol as p
from server.broadcast.broadcaster import Broadcaster
from server.broadcast.ticket_watch import TicketWatch
from server.broadcast.views import (
    NEXT_COUNT,
    counter_view,
    line_view,
    next_view,
    snapshot,
    ticket_view,
)
from server.core.building import Building, DeviceKind
from server.core.errors import error as core_error
from server.core.model import (
    CallNext,
    CallTicket,
    CancelTicket,
    CloseCounter,
    Command,
    ConfirmPrinted,
    DayClosed,
    DomainError,
    FinishService,
    IssueTicket,
    LogIn,
    LogOut,
    MarkNoShow,
    OpenCounter,
    PauseCounter,
    PrintFailed,
    PriorityGroup,
    Reactivate,
    Recall,
    RecordReprint,
    ResumeCounter,
    StartService,
    Ticket,
    TicketIssued,
    Transfer,
)
from server.engine import Engine, EngineFailed, StoredEvent
from server.roles import ALLOWED, Authenticator, AuthError, LockoutPolicy, Principal, Role
from server.sessions import Session, SessionState, TokenBucket

__all__ = ["Hub", "HubLimits"]

log = logging.getLogger("antre.hub")


@dataclass(frozen=True, slots=True)
class HubLimits:
    """Every bound the hub enforces, in one place (docs/protocol.md lists the defaults)."""

    hello_timeout_s: float = 10.0
    # Frames queued for one client before it counts as too slow. A TV gets a few frames per call;
    # a floor snapshot is one frame. 512 is minutes of a busy day's events.
    send_queue_max: int = 512
    # Requests per second per connection, with bursts; a person presses a few buttons a second.
    rate_per_s: float = 20.0
    rate_burst: float = 40.0
    # Refused (rate-limited) frames tolerated, refilling at abuse_refill_per_s, before closing 1008.
    abuse_budget: float = 50.0
    abuse_refill_per_s: float = 1.0
    # How long closing a client may wait for its socket before cutting it.
    close_timeout_s: float = 5.0
    # Replay at most this many events; further behind gets a snapshot.
    replay_limit: int = 10_000
    # While catching up, a client that reads nothing for this long is dropped (4008).
    catch_up_stall_s: float = 10.0
    # A snapshot waits (at most this long) until no command is between core and disk, so that
    # the state it shows is exactly the committed state at its sequence number.
    snapshot_quiet_s: float = 1.0
    lines_flush_s: float = 0.25
    lines_refresh_s: float = 15.0
    # Phone pages open on one ticket at once. The QR code is printed on paper that others can
    # see or photograph: without a bound, one ticket's token would open connections without
    # end. A fifth phone replaces the oldest (4009), so the citizen's own newest phone always
    # gets in and a copied token cannot shut them out.
    phones_per_ticket: int = 4
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    # websockets' write buffer high-water mark per connection (bytes) before send() waits.
    write_limit: int = 32 * 1024
    # Kernel send buffer per client socket; None leaves the OS default. Tests shrink it so that
    # a client that stops reading is noticed after a few frames instead of a few megabytes.
    socket_send_buffer: int | None = None


Handler = Callable[[Session, dict[str, Any]], Awaitable[dict[str, Any] | None]]

# A ticket's public token: 16 random bytes, URL-safe base64 (as `secrets.token_urlsafe(16)`).
_TOKEN_BYTES = 16
_TOKENS_PER_READ = 256


class TokenSource:
    """Public ticket tokens, `secrets.token_urlsafe(16)` alike, from one `os.urandom` read per
    `_TOKENS_PER_READ` tokens instead of one per ticket.

    Why: each read is a system call that lets go of the GIL, and the store's writer thread,
    waiting for it, then holds up the event loop until its own next release (docs/benchmarks.md,
    Profile findings). The bytes are the kernel's CSPRNG either way; unused ones stay in memory
    only until their tickets are issued.
    """

    def __init__(self) -> None:
        self._pool = b""
        self._at = 0

    def take(self) -> str:
        if self._at >= len(self._pool):
            self._pool, self._at = os.urandom(_TOKEN_BYTES * _TOKENS_PER_READ), 0
        raw = self._pool[self._at : self._at + _TOKEN_BYTES]
        self._at += _TOKEN_BYTES
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


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
        self.limits = limits or HubLimits()
        # The same clock as the engine's, so that line figures and lockout times agree with it.
        self._clock = clock or (lambda: datetime.now(UTC))
        self.auth = Authenticator(
            building,
            lockout=self.limits.lockout,
            wall_clock=self._clock,
            tickets=lambda token: engine.state.ticket_by_token(token),
        )
        self.broadcaster = Broadcaster(
            building,
            lambda: engine.state,
            self._clock,
            lines_flush_s=self.limits.lines_flush_s,
            lines_refresh_s=self.limits.lines_refresh_s,
        )
        # The citizen's phone pages: each ticket session's own ticket, on the lines' pacing.
        self.ticket_watch = TicketWatch(
            building,
            lambda: engine.state,
            self._clock,
            flush_s=self.limits.lines_flush_s,
            refresh_s=self.limits.lines_refresh_s,
        )
        # One live session per officer at a counter and per kiosk: a newer hello replaces an older
        # one (its connection is usually already dead but not yet noticed).
        self._by_seat: dict[str, Session] = {}
        # Phone sessions per ticket id, oldest first (HubLimits.phones_per_ticket).
        self._phones: dict[str, list[Session]] = {}
        # Every open connection, authenticated or not, for shutdown and /healthz.
        self._sessions: set[Session] = set()
        self._tokens = TokenSource()
        # Commands between the core and the disk; a snapshot waits for zero (see HubLimits).
        self._inflight = 0
        self._quiet = asyncio.Event()
        self._quiet.set()
        # Last reported status of each kiosk's printer, for the floor's snapshot and alerts.
        self.printers: dict[str, dict[str, Any]] = {}
        # Presence of each kiosk and TV: its authenticated sessions, and when it last connected
        # or disconnected (None: not seen since the server started). See the module docstring.
        self._device_kinds = {
            d.id: d.kind
            for d in building.devices
            if d.kind in (DeviceKind.KIOSK, DeviceKind.DISPLAY)
        }
        self._device_sessions: dict[str, set[Session]] = {d: set() for d in self._device_kinds}
        self._device_since: dict[str, datetime | None] = dict.fromkeys(self._device_kinds)
        # Moves on every presence change: a floor session that went live after its full list was
        # built, and may have missed a change meanwhile, is sent the list again.
        self._presence_version = 0
        self._handlers: dict[str, Handler] = {
            "ping": self._ping,
            "snapshot": self._snapshot,
            "list_lines": self._list_lines,
            "issue_ticket": self._issue_ticket,
            "confirm_printed": self._confirm_printed,
            "print_failed": self._print_failed,
            "record_reprint": self._record_reprint,
            "printer_status": self._printer_status,
            "login": self._counter_command,
            "logout": self._counter_command,
            "open_counter": self._counter_command,
            "pause_counter": self._counter_command,
            "resume_counter": self._counter_command,
            "close_counter": self._close_counter,
            "call_next": self._counter_command,
            "call_ticket": self._call_ticket,
            "recall": self._counter_command,
            "start_service": self._counter_command,
            "finish_service": self._counter_command,
            "no_show": self._counter_command,
            "transfer": self._transfer,
            "reactivate": self._reactivate,
            "cancel_ticket": self._cancel_ticket,
        }
        missing = p.REQUEST_TYPES - set(self._handlers) - {"hello"}
        assert not missing, f"request types without a handler: {missing}"

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Subscribe to the engine and start the periodic line refresh."""
        self.engine.subscribe(self.on_commit)
        self.broadcaster.start()
        self.ticket_watch.start()

    async def close(self) -> None:
        """Close every connection with 1001 (going away) and stop background work."""
        self.engine.unsubscribe(self.on_commit)
        for s in list(self._sessions):
            s.drop(p.CLOSE_GOING_AWAY, "server shutting down")
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

    def stats(self) -> dict[str, Any]:
        by_role = self.broadcaster.count_by_role()
        tickets = self.ticket_watch.count()
        if tickets:
            by_role["ticket"] = tickets
        return {"total": len(self._sessions), **by_role}

    async def execute(
        self, command: Command, actor: str, request_id: str | None = None
    ) -> list[StoredEvent]:
        """Engine.execute, counted while in flight so that snapshots can wait for the disk."""
        self._inflight += 1
        self._quiet.clear()
        try:
            return await self.engine.execute(command, actor, request_id)
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self._quiet.set()

    # -- connection -------------------------------------------------------------------------

    async def handler(self, ws: ServerConnection) -> None:
        """websockets' connection handler: one call per client, returns when it is gone."""
        limits = self.limits
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
                async for frame in ws:
                    if session.state is SessionState.CLOSED:
                        break
                    await self._on_frame(session, frame)
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
        self.broadcaster.remove(session)
        self.ticket_watch.remove(session)
        seat = self._seat(session.principal)
        if seat is not None and self._by_seat.get(seat) is session:
            del self._by_seat[seat]
        principal = session.principal
        if principal is not None and principal.role is Role.TICKET:
            phones = self._phones.get(principal.id, [])
            if session in phones:
                phones.remove(session)
            if not phones:
                self._phones.pop(principal.id, None)
        self._device_left(session)

    def _seat_phone(self, session: Session, ticket_id: str) -> None:
        """Count a phone on its ticket; past the bound, the oldest phone makes room (4009)."""
        phones = self._phones.setdefault(ticket_id, [])
        phones.append(session)
        while len(phones) > self.limits.phones_per_ticket:
            oldest = phones.pop(0)
            log.info("ticket %s: %r replaced by a newer phone", ticket_id, oldest)
            oldest.close(p.CLOSE_REPLACED, "replaced by a newer phone")

    # -- device presence --------------------------------------------------------------------

    def _device_id(self, session: Session) -> str | None:
        """The kiosk or TV a session speaks for, if it is one of the building's devices."""
        principal = session.principal
        if principal is None or principal.role not in (Role.KIOSK, Role.DISPLAY):
            return None
        return principal.id if principal.id in self._device_kinds else None

    def _device_joined(self, session: Session) -> None:
        """A kiosk or TV session authenticated: the device is connected (if it was not)."""
        device = self._device_id(session)
        if device is None or session.state is SessionState.CLOSED:
            return
        members = self._device_sessions[device]
        if session in members:
            return
        members.add(session)
        if len(members) == 1:
            self._device_since[device] = self._clock()
        self._push_presence(device)

    def _device_left(self, session: Session) -> None:
        """A kiosk or TV session ended: the device is disconnected when it was the last one."""
        device = self._device_id(session)
        if device is None:
            return
        members = self._device_sessions[device]
        if session not in members:
            return  # never counted, or already forgotten (_forget runs on drop and at the end)
        members.discard(session)
        if not members:
            self._device_since[device] = self._clock()
        self._push_presence(device)

    def _device_view(self, device: str) -> dict[str, Any]:
        since = self._device_since[device]
        return {
            "id": device,
            "kind": self._device_kinds[device].value,
            "connected": bool(self._device_sessions[device]),
            "since": self.building.local(since).isoformat() if since is not None else None,
        }

    def devices(self) -> list[dict[str, Any]]:
        """Every kiosk and TV of the building with its presence, in the building's order."""
        return [self._device_view(d) for d in self._device_kinds]

    def _presence(self, devices: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "type": "presence",
            "at": self.building.local(self._clock()).isoformat(),
            "devices": devices,
        }

    def _push_presence(self, device: str) -> None:
        self._presence_version += 1
        self.broadcaster.send_to_floor(self._presence([self._device_view(device)]))

    @staticmethod
    def _seat(principal: Principal | None) -> str | None:
        if principal is None:
            return None
        if principal.role is Role.OFFICER:
            # The same officer again at the same counter: the old connection is stale. A colleague
            # at that counter is not a replacement; the core's login rules settle who works there.
            return f"counter:{principal.counter}:{principal.id}"
        if principal.role is Role.KIOSK:
            return f"kiosk:{principal.id}"
        return None

    async def _greet(self, session: Session) -> bool:
        """Read and check the hello, then sync the session. False when the session was refused."""
        try:
            async with asyncio.timeout(self.limits.hello_timeout_s):
                frame = await session.ws.recv()
        except TimeoutError:
            self._refuse(
                session,
                p.ERR_HELLO_REQUIRED,
                "Tidak ada pesan hello; koneksi ditutup.",
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
                    self._refuse(
                        session,
                        p.ERR_UNSUPPORTED_VERSION,
                        f"Versi protokol {version} tidak didukung; server memakai versi "
                        f"{p.PROTOCOL_VERSION}. Perbarui aplikasi.",
                        p.CLOSE_UNSUPPORTED_VERSION,
                        ref,
                        supported=sorted(p.SUPPORTED_VERSIONS),
                    )
                    return False
            kind = p.validate(msg)
        except p.ProtocolError as exc:
            self._refuse(session, exc.code, exc.message, p.CLOSE_HELLO_REQUIRED, ref)
            return False
        if kind != "hello":
            self._refuse(
                session,
                p.ERR_HELLO_REQUIRED,
                "Pesan pertama harus hello.",
                p.CLOSE_HELLO_REQUIRED,
                ref,
            )
            return False
        try:
            principal = await self.auth.authenticate(msg)
        except AuthError as exc:
            extra = {} if exc.retry_after_s is None else {"retry_after_s": exc.retry_after_s}
            log.info("hello refused from %s: %s", session.ws.remote_address, exc.code)
            self._refuse(session, exc.code, exc.message, exc.close_code, ref, **extra)
            return False
        session.principal = principal
        # Counted before an older session of the same kiosk is replaced: the device stays
        # connected throughout instead of blinking off and on.
        self._device_joined(session)
        seat = self._seat(principal)
        if seat is not None:
            old = self._by_seat.get(seat)
            if old is not None and old is not session:
                old.close(p.CLOSE_REPLACED, "replaced by a newer session")
            self._by_seat[seat] = session
        if principal.role is Role.TICKET:
            self._seat_phone(session, principal.id)
        log.info(
            "%s connected from %s (%s)",
            principal.actor,
            session.ws.remote_address,
            msg.get("client") or "unnamed client",
        )
        if principal.role is Role.TICKET:
            await self._sync_ticket(session, ref)
        else:
            await self._sync(session, ref, msg.get("last_seq"), msg.get("day"))
        return session.state is SessionState.LIVE

    def _refuse(
        self,
        session: Session,
        code: str,
        message: str,
        close_code: int,
        ref: str | int | None = None,
        **extra: Any,
    ) -> None:
        session.send_message(p.error_message(code, message, ref, **extra))
        session.close(close_code, code)

    async def _sync(
        self, session: Session, ref: str | int | None, last_seq: int | None, day: str | None
    ) -> None:
        """Queue welcome, then a replay or a snapshot, then held live events, then `synced`."""
        principal = session.principal
        assert principal is not None
        session.start_sync()
        self.broadcaster.add(session)  # from here on, every committed event reaches the session
        engine = self.engine
        events: list[StoredEvent] | None = None
        if last_seq is not None and last_seq <= engine.last_seq:
            today = self.today()
            if day is None or day == today:
                events = await engine.events_since(last_seq, self.limits.replay_limit)
                if events is not None and any(isinstance(e.event, DayClosed) for e in events):
                    events = None  # the client's picture is of another day: start afresh
        welcome = {
            "type": "welcome",
            "ref": ref,
            "version": p.PROTOCOL_VERSION,
            "role": principal.role.value,
            "principal": principal.describe(),
            "seq": engine.last_seq,
            "day": self.today(),
            "resume": "snapshot" if events is None else "replay",
            "server_time": self._clock().isoformat(),
        }
        stall = self.limits.catch_up_stall_s
        if events is None:
            await self._wait_quiet()
            snap = snapshot(
                principal,
                self.building,
                engine.state,
                self._clock(),
                engine.last_seq,
                self.printers,
                self.devices(),
            )
            frames = [p.encode(welcome), p.encode(snap)]
            position, replayed = snap["seq"], 0
        else:
            assert last_seq is not None
            replay = self.broadcaster.frames_for(principal.audience, events)
            frames = [p.encode(welcome), *(frame for _, frame in replay)]
            position = max(last_seq, events[-1].seq if events else last_seq)
            replayed = len(replay)
        # A catch-up may be longer than the send queue: it goes at the pace the client reads.
        for frame in frames:
            if not await session.send_wait(frame, stall):
                return

        managing = principal.role in (Role.FLOOR, Role.ADMIN)
        presence_version = self._presence_version

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
                presence_version = self._presence_version
                frames.append(p.encode(self._presence(self.devices())))
            frames.append(self.broadcaster.lines_frame(principal.audience))
            next_frame = self.broadcaster.next_frame(session)  # officers: their counter's
            if next_frame is not None:
                frames.append(next_frame)
            return frames

        if not await session.finish_sync(position, lambda: engine.last_seq, closing, stall):
            return
        # The next numbers sent above may have moved before the session went live.
        self.broadcaster.watch_next(session)
        if managing and self._presence_version != presence_version:
            # A device came or went while the list above was being sent (presence pushes reach
            # live sessions only): send the whole list again, now that this session is live.
            session.send_message(self._presence(self.devices()))

    async def _sync_ticket(self, session: Session, ref: str | int | None) -> None:
        """A phone page: welcome, a snapshot of just its ticket's public view, `synced`.

        No replay (there are no events to see) and no broadcast audience: the `TicketWatch`
        pushes the view whenever it changes. `last_seq` in the hello is ignored.
        """
        principal = session.principal
        assert principal is not None and principal.role is Role.TICKET
        session.start_sync()
        await self._wait_quiet()
        engine = self.engine
        view = self.ticket_watch.add(session)  # noted as sent: pushes compare with it
        if view is None:  # the day closed during the hello
            self._refuse(
                session,
                p.ERR_AUTH_FAILED,
                "Nomor antrean tidak ditemukan. Tiket hanya berlaku pada hari diterbitkan.",
                p.CLOSE_AUTH_FAILED,
                ref,
            )
            return
        position = engine.last_seq
        welcome = {
            "type": "welcome",
            "ref": ref,
            "version": p.PROTOCOL_VERSION,
            "role": principal.role.value,
            "principal": principal.describe(),
            "seq": position,
            "day": self.today(),
            "resume": "snapshot",
            "server_time": self._clock().isoformat(),
        }
        snap = {"type": "snapshot", "seq": position, "day": self.today(), "ticket": view}
        stall = self.limits.catch_up_stall_s
        for frame in (p.encode(welcome), p.encode(snap)):
            if not await session.send_wait(frame, stall):
                return

        def closing(position: int) -> list[str]:
            synced = {"type": "synced", "seq": position, "replayed": 0, "resume": "snapshot"}
            return [p.encode(synced)]

        if not await session.finish_sync(position, lambda: engine.last_seq, closing, stall):
            return
        # The view may have moved while the session was syncing (pushes skip such sessions).
        self.ticket_watch.schedule()

    async def _wait_quiet(self) -> None:
        try:
            async with asyncio.timeout(self.limits.snapshot_quiet_s):
                await self._quiet.wait()
        except TimeoutError:
            # Under sustained load: the snapshot may show a change whose event follows it.
            log.warning("snapshot taken with %d commands in flight", self._inflight)

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> str:
        """The service day the queue is on, ISO date."""
        state = self.engine.state
        day = state.day or self.building.service_day(self._clock())
        return day.isoformat()

    # -- one request ------------------------------------------------------------------------

    async def _on_frame(self, session: Session, frame: str | bytes) -> None:
        principal = session.principal
        assert principal is not None
        ref: str | int | None = None
        try:
            msg = p.decode(frame)
            ref = p.message_ref(msg)
            if not session.rate.take():
                if not session.abuse.take():
                    session.drop(p.CLOSE_POLICY_VIOLATION, "too many requests")
                    return
                raise p.ProtocolError(
                    p.ERR_RATE_LIMITED, "Terlalu banyak permintaan; tunggu sebentar.", ref
                )
            kind = msg.get("type") if isinstance(msg, dict) else None
            if kind == "hello":
                raise p.ProtocolError(
                    p.ERR_ALREADY_AUTHENTICATED, "Sesi ini sudah diperkenalkan (hello).", ref
                )
            if (
                isinstance(kind, str)
                and kind in p.REQUEST_TYPES
                and kind not in ALLOWED[principal.role]
            ):
                raise p.ProtocolError(
                    p.ERR_FORBIDDEN,
                    f"Perintah {kind!r} tidak diizinkan untuk peran {principal.role.value}.",
                    ref,
                )
            kind = p.validate(msg)
            reply = await self._handlers[kind](session, msg)
        except p.ProtocolError as exc:
            session.send_message(p.error_message(exc.code, exc.message, ref))
            return
        except DomainError as exc:
            extra = {"details": _jsonable(exc.details)} if exc.details else {}
            session.send_message(p.error_message(exc.code, exc.message, ref, **extra))
            return
        except EngineFailed:
            # Logged once, with its cause, by the engine; the server is stopping (server/app.py).
            log.warning("request from %r not done: the store failed", session)
            session.send_message(
                p.error_message(p.ERR_INTERNAL, "Terjadi kesalahan di server; coba lagi.", ref)
            )
            return
        except Exception:
            log.exception("request from %r failed", session)
            session.send_message(
                p.error_message(p.ERR_INTERNAL, "Terjadi kesalahan di server; coba lagi.", ref)
            )
            return
        if reply is not None:
            # Handlers return the reply's fields; a reply of another type (pong, snapshot) names it.
            session.send_message({"type": reply.pop("type", "ok"), "ref": ref, **reply})

    # -- lookups ----------------------------------------------------------------------------

    def _ticket(self, ref: str) -> Ticket:
        """A ticket of today by id ("2026-11-23/A-017") or by number ("A-017")."""
        tickets = self.engine.state.tickets
        found = tickets.get(ref)
        if found is None and "/" not in ref:
            found = next((t for t in tickets.values() if t.number == ref), None)
        if found is None:
            raise p.ProtocolError(p.ERR_NOT_FOUND, f"Tiket {ref} tidak ditemukan hari ini.")
        return found

    def _line(self, prefix: str) -> str:
        if self.building.line(prefix) is None:
            raise p.ProtocolError(p.ERR_NOT_FOUND, f"Layanan {prefix!r} tidak dikenal.")
        return prefix

    def _own_counter(self, session: Session, msg: dict[str, Any]) -> str:
        """An officer's bound counter; naming another counter is forbidden."""
        principal = session.principal
        assert principal is not None and principal.counter is not None
        named = msg.get("counter")
        if named is not None and named != principal.counter:
            raise p.ProtocolError(
                p.ERR_FORBIDDEN,
                f"Anda masuk di loket {principal.counter}, bukan {named}.",
            )
        return principal.counter

    def _seated(self, session: Session, counter: str) -> None:
        """A counter action needs this officer logged in at the counter (not a colleague)."""
        principal = session.principal
        assert principal is not None
        status = self.engine.state.counters.get(counter)
        if status is None or status.officer == principal.id:
            return  # an unknown counter is the core's to refuse
        name = self.building.counter(counter)
        label = name.name if name else counter
        if status.officer is None:
            raise core_error("not_logged_in", counter=label)
        raise core_error("counter_occupied", counter=label)

    def _own_agency(self, session: Session, ticket: Ticket) -> None:
        principal = session.principal
        assert principal is not None
        if principal.role is not Role.OFFICER:
            return
        line = self.building.line(ticket.line)
        if line is None or line.agency != principal.agency:
            raise p.ProtocolError(
                p.ERR_FORBIDDEN, f"Tiket {ticket.number} bukan antrean instansi Anda."
            )

    async def _run(
        self, session: Session, msg: dict[str, Any], command: Command
    ) -> list[StoredEvent]:
        principal = session.principal
        assert principal is not None
        key = f"{principal.actor}#{msg['request_id']}"
        return await self.execute(command, principal.actor, key)

    def _events_reply(self, session: Session, events: list[StoredEvent]) -> dict[str, Any]:
        assert session.principal is not None
        frames = []
        for stored in events:
            # The staff form the broadcast of these events made (no token), not a second one.
            frames.append({"seq": stored.seq, "event": self.broadcaster.staff_view(stored)})
        return {"seq": events[-1].seq if events else self.engine.last_seq, "events": frames}

    # -- handlers: every role ---------------------------------------------------------------

    async def _ping(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "pong",
            "seq": session.position,
            "server_time": self._clock().isoformat(),
        }

    async def _snapshot(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        assert session.principal is not None
        await self._wait_quiet()
        return snapshot(
            session.principal,
            self.building,
            self.engine.state,
            self._clock(),
            self.engine.last_seq,
            self.printers,
            self.devices(),
        )

    async def _list_lines(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        state, now = self.engine.state, self._clock()
        return {
            "lines": [
                line_view(state.line_view(ln.prefix, now), self.building)
                for ln in self.building.lines
            ]
        }

    # -- handlers: kiosk --------------------------------------------------------------------

    async def _issue_ticket(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        principal = session.principal
        assert principal is not None
        line = self._line(msg["line"])
        priority = PriorityGroup(msg["priority"]) if msg.get("priority") else None
        # The public token is made here, at the edge; a retried request returns the first one.
        command = IssueTicket(
            line=line, priority=priority, token=self._tokens.take(), kiosk=principal.id
        )
        events = await self._run(session, msg, command)
        issued = next((e.event for e in events if isinstance(e.event, TicketIssued)), None)
        if issued is None:  # pragma: no cover - the core always reports the issue
            raise DomainError("internal_error", "Tiket tidak diterbitkan.")
        return {**self._events_reply(session, events), "ticket": self._issued_view(issued)}

    def _issued_view(self, issued: TicketIssued) -> dict[str, Any]:
        """What the kiosk prints: the number, the line, the QR token, the wait ahead."""
        state, now = self.engine.state, self._clock()
        line = self.building.line(issued.line)
        ticket = state.tickets.get(issued.ticket)
        out: dict[str, Any] = {
            "id": issued.ticket,
            "number": issued.number,
            "line": issued.line,
            "line_name": line.name if line else issued.line,
            "agency": line.agency if line else None,
            "priority": issued.priority.value if issued.priority else None,
            "token": issued.token,
            "issued_at": issued.at.isoformat(),
            "day": issued.day.isoformat(),
            "state": ticket.state.value if ticket else None,
        }
        if ticket is not None:
            out["people_ahead"] = state.people_ahead(ticket.id)
            out["estimated_wait_s"] = round(state.estimated_wait_s(ticket.id, now))
        return out

    def _kiosk_ticket(self, session: Session, ref: str) -> Ticket:
        principal = session.principal
        assert principal is not None
        ticket = self._ticket(ref)
        if ticket.kiosk != principal.id:
            raise p.ProtocolError(
                p.ERR_FORBIDDEN, f"Tiket {ticket.number} tidak dicetak oleh kios ini."
            )
        return ticket

    async def _confirm_printed(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        ticket = self._kiosk_ticket(session, msg["ticket"])
        events = await self._run(session, msg, ConfirmPrinted(ticket=ticket.id))
        return self._events_reply(session, events)

    async def _print_failed(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        ticket = self._kiosk_ticket(session, msg["ticket"])
        events = await self._run(session, msg, PrintFailed(ticket=ticket.id, reason=msg["reason"]))
        return self._events_reply(session, events)

    async def _record_reprint(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        principal = session.principal
        assert principal is not None
        ticket = self._kiosk_ticket(session, msg["ticket"])
        command = RecordReprint(ticket=ticket.id, kiosk=principal.id)
        events = await self._run(session, msg, command)
        return self._events_reply(session, events)

    async def _printer_status(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        principal = session.principal
        assert principal is not None
        previous = self.printers.get(principal.id, {}).get("status")
        report = {
            "status": msg["status"],
            "detail": msg.get("detail"),
            "at": self._clock().isoformat(),
        }
        self.printers[principal.id] = report
        if report["status"] != previous:
            log.info("printer of %s: %s", principal.id, report["status"])
            self.broadcaster.send_to_floor(
                {"type": "alert", "alert": "printer", "kiosk": principal.id, **report}
            )
        return {}

    # -- handlers: counter ------------------------------------------------------------------

    async def _counter_command(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        principal = session.principal
        assert principal is not None
        counter = self._own_counter(session, msg)
        kind = msg["type"]
        command: Command
        if kind == "login":
            command = LogIn(counter=counter, officer=principal.id)
        elif kind == "logout":
            command = LogOut(counter=counter)
        elif kind == "open_counter":
            command = OpenCounter(counter=counter)
        elif kind == "pause_counter":
            command = PauseCounter(counter=counter, reason=msg["reason"])
        elif kind == "resume_counter":
            command = ResumeCounter(counter=counter)
        elif kind == "close_counter":
            command = CloseCounter(counter=counter)
        elif kind == "call_next":
            command = CallNext(counter=counter)
        elif kind == "recall":
            command = Recall(counter=counter)
        elif kind == "start_service":
            command = StartService(counter=counter)
        elif kind == "finish_service":
            command = FinishService(counter=counter)
        elif kind == "no_show":
            command = MarkNoShow(counter=counter)
        else:  # pragma: no cover - the dispatch table routes only the kinds above here
            raise p.ProtocolError(p.ERR_UNKNOWN_TYPE, f"Jenis pesan tidak dikenal: {kind!r}.")
        if kind != "login":
            self._seated(session, counter)
        events = await self._run(session, msg, command)
        return self._counter_reply(session, counter, events)

    def _counter_reply(
        self, session: Session, counter: str, events: list[StoredEvent]
    ) -> dict[str, Any]:
        state = self.engine.state
        status = state.counters.get(counter)
        active = state.tickets.get(status.ticket) if status and status.ticket else None
        # The officer's console shows the next numbers at once from here; the paced `next` push
        # follows, as ever, if the list differs from the last one pushed to the session.
        upcoming = state.next_for(counter, self._clock(), NEXT_COUNT)
        return {
            **self._events_reply(session, events),
            "counter": counter_view(status, state, self.building, staff=True) if status else None,
            "ticket": ticket_view(active, staff=True) if active else None,
            "next": next_view(upcoming),
        }

    async def _close_counter(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        principal = session.principal
        assert principal is not None
        if principal.role is Role.OFFICER:
            return await self._counter_command(session, msg)
        counter = msg.get("counter")
        if counter is None:
            raise p.ProtocolError(p.ERR_BAD_MESSAGE, "kolom 'counter' wajib diisi")
        if self.building.counter(counter) is None:
            raise p.ProtocolError(p.ERR_NOT_FOUND, f"Loket {counter!r} tidak dikenal.")
        events = await self._run(session, msg, CloseCounter(counter=counter))
        return self._counter_reply(session, counter, events)

    async def _call_ticket(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        counter = self._own_counter(session, msg)
        self._seated(session, counter)
        ticket = self._ticket(msg["ticket"])
        self._own_agency(session, ticket)
        command = CallTicket(counter=counter, ticket=ticket.id, reason=msg["reason"])
        events = await self._run(session, msg, command)
        return self._counter_reply(session, counter, events)

    async def _transfer(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        # Any line of the building is a valid target (Dukcapil may send a citizen on to Samsat);
        # only the ticket at the officer's own counter can be transferred.
        counter = self._own_counter(session, msg)
        self._seated(session, counter)
        line = self._line(msg["line"])
        events = await self._run(session, msg, Transfer(counter=counter, line=line))
        return self._counter_reply(session, counter, events)

    async def _reactivate(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        ticket = self._ticket(msg["ticket"])
        self._own_agency(session, ticket)
        events = await self._run(session, msg, Reactivate(ticket=ticket.id))
        return self._events_reply(session, events)

    # -- handlers: floor --------------------------------------------------------------------

    async def _cancel_ticket(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        ticket = self._ticket(msg["ticket"])
        events = await self._run(session, msg, CancelTicket(ticket=ticket.id, reason=msg["reason"]))
        return self._events_reply(session, events)


def _jsonable(value: Any) -> Any:
    """Domain error details as plain JSON (dates and enums as strings)."""
    return json.loads(json.dumps(value, default=str))
