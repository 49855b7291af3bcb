"""One connected client: its bounded send queue, its writer task, its rate limit, its position.

Theory of operation: replies, snapshots and broadcast events reach a session as already-encoded
text, and sending never waits: a broadcast to a hundred TVs is a hundred `send` calls, whatever
the network does. A frame goes straight into the connection's socket buffer when nothing of this
session is waiting anywhere (its queue is empty, its writer task holds no frame, and the
transport's own buffer is empty: the kernel took everything so far), which is the common case of
a client that keeps up. Otherwise it is put on the session's bounded queue, and one writer task
per session sends the queue in order with websockets' flow control. Either way frames leave in
the order they were sent. A session whose queue is full has fallen behind; it is dropped with
close code 4008 and resynchronises from its last sequence number when it reconnects, so one slow
client never delays the others and never grows the server's memory.

Why the direct write: a frame through the queue costs a writer task wake-up, a `Queue.get` and
websockets' `send` context manager, several times the frame's own cost (docs/benchmarks.md,
Profile findings); the direct write is `websockets.asyncio.connection.broadcast` to this one
connection, which does no more than put the frame in the transport.

A frame for many sessions (an event for 500 TVs, the line figures) may also come with its wire
bytes, made once by `wire_frame`: a server's frames are not masked (RFC 6455 §5.1) and the
server negotiates no extension (no compression), so the bytes are the same for every client, and
a direct write hands them to the transport as they are, where `broadcast` would build and
serialise a frame per connection (docs/benchmarks.md, "Fan-out: one frame, many sockets").

`position` is the session's place in the event stream: every event with a sequence number up to
it that the session may see has been queued. While the session is catching up (replay or snapshot
after hello) live events are held in a side buffer and released, without duplicates, once the
catch-up is queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from websockets.asyncio.connection import broadcast
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from server import protocol as p
from server.roles import Principal

__all__ = ["Session", "SessionState", "TokenBucket", "wire_frame"]

log = logging.getLogger("antre.hub")


class SessionState(StrEnum):
    GREETING = "greeting"  # waiting for hello
    SYNCING = "syncing"  # authenticated; snapshot or replay being queued, live events buffered
    LIVE = "live"
    CLOSED = "closed"


class TokenBucket:
    """Allows `rate` operations a second on average and bursts of up to `burst`."""

    def __init__(
        self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst  # start full: a client's first burst after connecting is normal
        self._stamp = clock()

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def wait_s(self) -> float:
        """Seconds from the last `take` until the next one would succeed (0: it would now)."""
        return max(0.0, (1 - self._tokens) / self.rate)

    def now(self) -> float:
        return self._clock()


def wire_frame(text: str) -> bytes:
    """A text frame from server to client as it goes on the wire: unmasked, no extension."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])


@dataclass(frozen=True, slots=True)
class _Close:
    code: int
    reason: str


class Session:
    """A websocket connection as the hub sees it."""

    def __init__(
        self,
        ws: ServerConnection,
        *,
        queue_max: int,
        rate: TokenBucket,
        abuse: TokenBucket,
        close_timeout_s: float,
        held_max: int,
        on_drop: Callable[[Session], None],
    ) -> None:
        self.ws = ws
        # Set by hello; None while GREETING.
        self.principal: Principal | None = None
        self.state = SessionState.GREETING
        # Highest sequence number whose visible events are all queued for this client.
        self.position = 0
        # Live events that arrive while SYNCING, as (seq, encoded frame); None when not syncing.
        self._held: deque[tuple[int, str]] | None = None
        # A client that lets this many pile up while catching up is too slow to ever catch up.
        self._held_max = held_max
        # Bounded: a client that cannot keep up is dropped rather than buffered without limit.
        self._queue: asyncio.Queue[str | _Close] = asyncio.Queue(maxsize=queue_max)
        # Requests allowed per second, and the budget of refused ones before we give up on it.
        self.rate = rate
        self.abuse = abuse
        # The rate clock's instant this client was last told to wait for (`retry_after_s`):
        # only a request sent before it is flooding, and only flooding spends the budget.
        self.retry_at = 0.0
        self._close_timeout_s = close_timeout_s
        # Lets the hub forget a dropped session at once (registries, audiences).
        self._on_drop = on_drop
        self._writer = asyncio.create_task(self._write(), name=f"antre-writer-{ws.id}")
        # True while the writer task holds a frame it took from the queue (websockets may be
        # waiting for the socket to drain): a direct write now would overtake that frame.
        self._writing = False
        # True once a close is queued behind the last frames (see finish()).
        self._graceful = False
        # Keeps the task that closes a dropped connection alive until it is done.
        self._closer: asyncio.Task[None] | None = None
        self.connected_at = time.time()
        # A frame's shared wire bytes fit this connection only if it negotiated no extension.
        self._plain = not ws.protocol.extensions

    @property
    def role(self) -> str | None:
        return self.principal.role.value if self.principal else None

    def __repr__(self) -> str:
        who = self.principal.actor if self.principal else "anonymous"
        return f"<Session {who} {self.state} {self.ws.remote_address}>"

    # -- sending ----------------------------------------------------------------------------

    def send(self, frame: str, wire: bytes | None = None) -> bool:
        """Send an encoded frame now or queue it; drop the client (4008) if its queue is full.

        `wire`, if given, is `wire_frame(frame)`, made once for all the frame's sessions.
        """
        if self.state is SessionState.CLOSED:
            return False
        if not self._writing and self._queue.empty() and self._idle_transport():
            # Nothing of ours is waiting anywhere: this frame cannot overtake another.
            if wire is not None and self._plain and self.ws.protocol.state is State.OPEN:
                self.ws.transport.write(wire)
            else:  # (broadcast skips a connection that is closing, as the check above does)
                broadcast((self.ws,), frame)
            return True
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.drop(p.CLOSE_TOO_SLOW, "too slow: reconnect with last_seq")
            return False
        return True

    def _idle_transport(self) -> bool:
        """The kernel took every byte written so far (asyncio's write buffer is empty).

        Only then is a direct write as bounded as the queue: as soon as the client falls behind,
        frames go through the queue and the writer's flow control, which fills the queue.
        """
        transport = self.ws.transport
        return transport is not None and transport.get_write_buffer_size() == 0

    def send_message(self, msg: dict[str, Any]) -> bool:
        return self.send(p.encode(msg))

    async def send_wait(self, frame: str, timeout_s: float) -> bool:
        """Queue a frame, waiting for room (catch-up only); drop the client (4008) on timeout.

        A replay may be far longer than the queue; the session's own handler sends it at the
        pace the client reads, and gives up on a client that stops reading altogether.
        """
        if self.state is SessionState.CLOSED:
            return False
        try:
            async with asyncio.timeout(timeout_s):
                await self._queue.put(frame)
        except TimeoutError:
            self.drop(p.CLOSE_TOO_SLOW, "too slow to catch up: reconnect with last_seq")
            return False
        return self.state is not SessionState.CLOSED

    def push_event(self, seq: int, frame: str, wire: bytes | None = None) -> None:
        """A live event for this session's audience, encoded once for all of it (`send`)."""
        if self.state is SessionState.SYNCING:
            assert self._held is not None
            self._held.append((seq, frame))
            if len(self._held) > self._held_max:
                self.drop(p.CLOSE_TOO_SLOW, "too slow to catch up: reconnect with last_seq")
        elif self.state is SessionState.LIVE and seq > self.position:
            self.send(frame, wire)

    def advance(self, seq: int) -> None:
        """Every event up to seq has been offered to this session (it may have seen none)."""
        if self.state is SessionState.LIVE and seq > self.position:
            self.position = seq

    def start_sync(self) -> None:
        self.state = SessionState.SYNCING
        self._held = deque()

    async def finish_sync(
        self,
        position: int,
        latest: Callable[[], int],
        closing: Callable[[int], list[str]],
        timeout_s: float,
    ) -> bool:
        """Release held events after `position`, queue `closing(position)`, go live.

        Returns False if the client was dropped meanwhile. Events committed while this waits
        for room are held and released in order; the switch to LIVE happens with nothing held
        and no await in between, so every event is sent exactly once.
        """
        self.position = position
        if not await self._release_held(timeout_s):
            return False
        # Nothing is held and nothing awaits until `closing` is built: every committed batch has
        # been offered to this session, so its position is the store's last sequence number.
        self.position = max(self.position, latest())
        for frame in closing(self.position):
            if not await self.send_wait(frame, timeout_s):
                return False
        if not await self._release_held(timeout_s) or self.state is not SessionState.SYNCING:
            return False
        self._held = None
        self.state = SessionState.LIVE
        return True

    async def _release_held(self, timeout_s: float) -> bool:
        while self._held:
            seq, frame = self._held.popleft()
            if seq > self.position:
                if not await self.send_wait(frame, timeout_s):
                    return False
                self.position = seq
        return self.state is SessionState.SYNCING

    # -- closing ----------------------------------------------------------------------------

    def close(self, code: int, reason: str) -> None:
        """Close after everything already queued has been sent (an error, then the close)."""
        if self.state is SessionState.CLOSED:
            return
        try:
            self._queue.put_nowait(_Close(code, reason))
        except asyncio.QueueFull:
            self.drop(code, reason)
            return
        self.state = SessionState.CLOSED
        self._graceful = True
        self._on_drop(self)

    def drop(self, code: int, reason: str) -> None:
        """Close now, discarding whatever is queued (the client resyncs when it returns)."""
        if self.state is SessionState.CLOSED and self._closer is not None:
            return
        level = logging.INFO if code == p.CLOSE_GOING_AWAY else logging.WARNING
        log.log(level, "dropping %r: %s (%d)", self, reason, code)
        self.state = SessionState.CLOSED
        self._writer.cancel()
        self._closer = asyncio.create_task(self._close_now(code, reason))
        self._on_drop(self)

    async def _close_now(self, code: int, reason: str) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer
        await self._close_ws(code, reason)

    async def _close_ws(self, code: int, reason: str) -> None:
        # websockets' close() waits for the write buffer to drain; a client that stopped reading
        # never drains it, so bound the wait and then cut the connection.
        try:
            async with asyncio.timeout(self._close_timeout_s):
                await self.ws.close(code, reason)
        except TimeoutError:
            self.ws.transport.abort()
        except Exception:  # the connection is going away anyway
            log.debug("error closing %r", self, exc_info=True)

    async def finish(self) -> None:
        """The handler is done: let a pending close go out, then stop the writer."""
        self.state = SessionState.CLOSED
        if self._graceful and not self._writer.done():
            # An error frame and its close code are queued: websockets would close with 1000
            # if the handler returned before they were written.
            with contextlib.suppress(TimeoutError, asyncio.CancelledError, Exception):
                async with asyncio.timeout(self._close_timeout_s + 1):
                    await asyncio.shield(self._writer)
        if not self._writer.done():
            self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._writer
        if self._closer is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._closer

    async def _write(self) -> None:
        try:
            while True:
                item = await self._queue.get()
                self._writing = True
                if isinstance(item, _Close):
                    await self._close_ws(item.code, item.reason)
                    return
                await self.ws.send(item)
                self._writing = False
        except ConnectionClosed:
            pass
