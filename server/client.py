"""The Antre client: connect, say hello, stay connected, resume where you left off.

The kiosk, the counter console and the displays all use this; it imports only the standard
library, websockets and `server.protocol`, so a client machine needs nothing else of the server.

Theory of operation: `AntreClient` runs one background task that keeps a connection up. Each
connection starts with `hello` (plus `last_seq` and `day` once the client has seen events) and is
in sync after the server's `synced` frame. When the connection drops, the task reconnects with
exponential backoff and jitter, and the server replays exactly the events missed (or sends a
snapshot when the gap is too large or the day changed). A close code in
`protocol.CLIENT_FATAL_CLOSE_CODES` (refused credentials, wrong version, replaced by a newer
session) stops the client instead: retrying could not help.

`request()` sends one request and waits for its reply (`ok`, `pong`, `snapshot`), raising
`RequestError` on an `error` reply. A mutating request gets a `request_id` once, before the first
attempt; if the connection drops before the reply, the same request — same `request_id` — is sent
again on the next connection, and the server answers a repeated `request_id` with the first
result: one press, one ticket, however the network behaves. A `rate_limited` reply says when to
retry (`retry_after_s`): the request waits that long and is sent again, the same, while its
timeout allows; otherwise it raises with the delay (`RequestError.retry_after_s`). Everything
the server pushes (events, snapshots, line figures, alerts) arrives through `messages()` or an
`on_message` callback.

An officer's or manager's device keeps the device cookie each welcome gives it (`DeviceCookies`,
in memory or in a file) and sends it in its next hellos for the same id: the server then knows
the device, and nobody else's wrong PINs can hold it up (docs/protocol.md, "Guessing PINs").

We run our own reconnect loop around `websockets.connect` rather than `async for ws in connect()`
because the decision to stop depends on the close code and the backoff must reset only after a
successful hello, not after a bare TCP connect.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import itertools
import json
import logging
import os
import random
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from server import protocol as p

__all__ = [
    "AntreClient",
    "ClientClosed",
    "ConnectionLost",
    "ConnectionState",
    "DeviceCookies",
    "HelloRefused",
    "RequestError",
    "default_device_file",
]

log = logging.getLogger("antre.client")


class ConnectionState(StrEnum):
    CONNECTING = "connecting"  # first attempt, nothing shown yet
    CONNECTED = "connected"  # hello accepted and caught up (after `synced`)
    RECONNECTING = "reconnecting"  # lost the connection; retrying with backoff
    CLOSED = "closed"  # closed by the application or refused for good


class RequestError(Exception):
    """The server answered a request with an `error` frame."""

    def __init__(self, reply: dict[str, Any]) -> None:
        self.reply = reply
        self.code: str = reply.get("code", "")
        self.message: str = reply.get("message", "")
        # `rate_limited` and `locked`: seconds until a retry can succeed; None when not said.
        self.retry_after_s: float | None = _seconds(reply.get("retry_after_s"))
        super().__init__(f"{self.code}: {self.message}")


def _seconds(value: Any) -> float | None:
    """A non-negative finite number of seconds from a frame, or None."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1e9:
        return float(value)
    return None


def default_device_file() -> Path:
    """Where the counter console and the floor dashboard keep their device cookies."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return Path(state) / "antre" / "device-cookies.json"


class DeviceCookies:
    """The device cookies this device was given, by officer or manager id.

    Kept in memory, and in `path` when given (a JSON object, replaced atomically, readable by its
    owner only), so that a counter's computer stays a known device across restarts of the console.
    A missing or unreadable file is an empty one: a lost cookie only makes the device unknown to
    the server again until its next correct PIN.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._cookies: dict[str, str] = self._read() if self.path is not None else {}

    def _read(self) -> dict[str, str]:
        assert self.path is not None
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(loaded, dict):
            return {}
        return {k: v for k, v in loaded.items() if isinstance(v, str)}

    def get(self, person: str) -> str | None:
        return self._cookies.get(person)

    def put(self, person: str, cookie: str) -> None:
        if self._cookies.get(person) == cookie:
            return
        self._cookies[person] = cookie
        if self.path is None:
            return
        try:
            self._write(person, cookie)
        except OSError as exc:
            log.warning("could not keep the device cookie in %s: %s", self.path, exc)

    def _write(self, person: str, cookie: str) -> None:
        """Add one cookie to the file. The counter console and the floor dashboard share the
        file on one computer: under an exclusive lock, read what the others wrote, add this
        one, and replace the file through a temporary file of our own, so that no writer
        loses another's cookie (which would make that computer an unknown device again)."""
        assert self.path is not None
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock_fd = os.open(
            self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600
        )
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            merged = self._read()
            merged[person] = cookie
            fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(merged, f, indent=1, sort_keys=True)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            self._cookies = {**merged, **self._cookies}
        finally:
            os.close(lock_fd)  # closing releases the lock


class HelloRefused(RequestError):
    """The server refused the hello (credentials, lockout, version): the client has stopped."""

    def __init__(self, reply: dict[str, Any], close_code: int | None) -> None:
        super().__init__(reply)
        self.close_code = close_code


class ConnectionLost(Exception):
    """The connection dropped before a reply and the request was not to be retried."""


class ClientClosed(Exception):
    """The client is closed (by the application, or for good by the server)."""


class _Fatal(Exception):
    def __init__(self, close_code: int | None, reply: dict[str, Any] | None) -> None:
        super().__init__(close_code)
        self.close_code = close_code
        self.reply = reply


_END = object()


class AntreClient:
    """A reconnecting, resuming connection to an Antre server."""

    def __init__(
        self,
        url: str,
        hello: dict[str, Any],
        *,
        on_state: Callable[[ConnectionState], None] | None = None,
        on_message: Callable[[dict[str, Any]], None] | None = None,
        request_timeout_s: float = 10.0,
        backoff_initial_s: float = 0.25,
        backoff_max_s: float = 10.0,
        heartbeat_s: float | None = 15.0,
        open_timeout_s: float = 5.0,
        max_size: int = 16 * 2**20,
        device_cookies: DeviceCookies | None = None,
    ) -> None:
        self.url = url
        # The credentials part of the hello; last_seq and day are added on every connect.
        self._hello = {k: v for k, v in hello.items() if k not in ("last_seq", "day", "id")}
        # Whose PIN the hello carries (officer or manager), for its device cookie; None: a device.
        self._person: str | None = hello.get("officer") or hello.get("manager")
        # This device's cookies (shared with the app's other clients, maybe kept in a file).
        self.device_cookies = device_cookies if device_cookies is not None else DeviceCookies()
        # The position in the event stream: every event up to it has been received.
        self.last_seq: int | None = hello.get("last_seq")
        # The service day of last_seq, so that a client back after midnight gets a snapshot.
        self.day: str | None = hello.get("day")
        # The latest welcome: role, principal and server time of the current connection.
        self.welcome: dict[str, Any] | None = None
        self.state = ConnectionState.CONNECTING
        self._on_state = on_state
        self._on_message = on_message
        self._request_timeout_s = request_timeout_s
        self._backoff = (backoff_initial_s, backoff_max_s)
        self._heartbeat_s = heartbeat_s
        self._open_timeout_s = open_timeout_s
        # Server frames are bounded by the server, but a floor snapshot of a busy day is large.
        self._max_size = max_size
        self._ws: ClientConnection | None = None
        self._ids = itertools.count(1)
        # Replies awaited, by the id we sent.
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._messages: asyncio.Queue[Any] = asyncio.Queue()
        self._synced = asyncio.Event()
        # Set once the client has stopped for good, to release everyone waiting for a connection.
        self._stopped = asyncio.Event()
        self._first: asyncio.Future[None] | None = None
        self._runner: asyncio.Task[None] | None = None
        self._closing = False
        self._refusal: dict[str, Any] | None = None  # the error frame answering our hello
        # Loop time before which no request is sent: the latest `rate_limited` said so, and
        # requests sent earlier would only be refused again (and count as flooding).
        self._not_before = 0.0
        self.close_code: int | None = None  # of the last connection

    # -- lifecycle --------------------------------------------------------------------------

    async def __aenter__(self) -> AntreClient:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def start(self) -> None:
        """Start connecting in the background; watch `on_state` or await `wait_connected`."""
        if self._runner is None:
            self._first = asyncio.get_running_loop().create_future()
            self._runner = asyncio.create_task(self._run(), name=f"antre-client-{self.url}")

    async def connect(self, timeout: float | None = None) -> None:
        """Start and wait until the first hello is accepted and synced; raise HelloRefused."""
        self.start()
        assert self._first is not None
        async with asyncio.timeout(timeout):
            await asyncio.shield(self._first)

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until connected and in sync; raise ClientClosed if the client stops instead."""
        async with asyncio.timeout(timeout):
            while not self._synced.is_set():
                if self._stopped.is_set():
                    raise ClientClosed()
                waiters = [
                    asyncio.ensure_future(self._synced.wait()),
                    asyncio.ensure_future(self._stopped.wait()),
                ]
                try:
                    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for w in waiters:
                        w.cancel()

    async def close(self) -> None:
        """Close the connection and stop reconnecting."""
        self._closing = True
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner
        self._set_state(ConnectionState.CLOSED)
        self._stopped.set()
        self._fail_pending(ClientClosed())
        self._messages.put_nowait(_END)

    @property
    def refusal(self) -> dict[str, Any] | None:
        """The `error` frame that answered the last hello, if the server refused it."""
        return self._refusal

    def drop_connection(self) -> None:
        """Cut the current connection without a closing handshake (tests, "cable pulled")."""
        if self._ws is not None:
            self._synced.clear()
            self._ws.transport.abort()

    # -- requests ---------------------------------------------------------------------------

    async def request(
        self, type: str, *, timeout: float | None = None, retry: bool = True, **fields: Any
    ) -> dict[str, Any]:
        """Send one request and return its reply; raise RequestError on an error reply.

        A mutating request gets a request_id (unless given) and is re-sent with the same one
        after a reconnect until `timeout` runs out, so it takes effect at most once.
        """
        msg: dict[str, Any] = {"type": type, **fields}
        if type in p.MUTATING_TYPES and "request_id" not in msg:
            msg["request_id"] = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (timeout if timeout is not None else self._request_timeout_s)
        async with asyncio.timeout_at(deadline):
            while True:
                # The server said when it would take requests again: none before then.
                if (early := self._not_before - loop.time()) > 0:
                    await asyncio.sleep(early)
                await self.wait_connected()
                ws = self._ws
                if ws is None:
                    # Synced but no socket: the connection loop is between two states. Yield to
                    # it; `continue` alone would spin without ever letting it run.
                    await asyncio.sleep(0.01)
                    continue
                rid = next(self._ids)
                future: asyncio.Future[dict[str, Any]] = loop.create_future()
                self._pending[rid] = future
                try:
                    await ws.send(p.encode({**msg, "id": rid}))
                    reply = await future
                except (ConnectionClosed, ConnectionLost):
                    if not retry:
                        raise ConnectionLost() from None
                    # Wait for the next connection and send the same request again. send() on a
                    # dead socket raises without yielding, and the connection loop may not have
                    # cleared `_synced` yet: clear it here (only for this same socket, not a
                    # newer one), or wait_connected() returns at once and this loop spins for
                    # ever, starving the event loop so that not even its timeout can fire.
                    if self._ws is ws:
                        self._synced.clear()
                    continue
                finally:
                    self._pending.pop(rid, None)
                if reply.get("type") == "error":
                    refusal = RequestError(reply)
                    wait = refusal.retry_after_s
                    # Rate-limited, nothing was done: the same request after the time the server
                    # named, unless that is past the deadline (then the caller hears the delay).
                    if (
                        refusal.code == p.ERR_RATE_LIMITED
                        and wait is not None
                        and loop.time() + wait < deadline
                    ):
                        log.info("%s rate-limited: sending it again in %.2f s", type, wait)
                        self._not_before = max(self._not_before, loop.time() + wait)
                        continue
                    raise refusal
                return reply

    async def ping(self) -> dict[str, Any]:
        return await self.request("ping")

    async def snapshot(self) -> dict[str, Any]:
        return await self.request("snapshot")

    async def list_lines(self) -> list[dict[str, Any]]:
        return (await self.request("list_lines"))["lines"]

    async def issue_ticket(
        self, line: str, priority: str | None = None, request_id: str | None = None
    ) -> dict[str, Any]:
        """Issue a ticket; returns the ticket to print (number, token, people ahead…)."""
        fields: dict[str, Any] = {"line": line, "priority": priority}
        if request_id is not None:
            fields["request_id"] = request_id
        return (await self.request("issue_ticket", **fields))["ticket"]

    async def check_in(self, code: str, request_id: str | None = None) -> dict[str, Any]:
        """Check a booked citizen in by the booking code (with or without its dash, any case);
        returns the ticket to print, as `issue_ticket` does, with its `booking`."""
        fields: dict[str, Any] = {"code": code}
        if request_id is not None:
            fields["request_id"] = request_id
        return (await self.request("check_in", **fields))["ticket"]

    async def booking_holder(self, ticket: str) -> dict[str, Any]:
        """Who booked a ticket of the officer's agency: `name` and `nik_masked`."""
        return await self.request("booking_holder", ticket=ticket)

    async def confirm_printed(self, ticket: str) -> dict[str, Any]:
        return await self.request("confirm_printed", ticket=ticket)

    async def print_failed(self, ticket: str, reason: str) -> dict[str, Any]:
        return await self.request("print_failed", ticket=ticket, reason=reason)

    async def record_reprint(self, ticket: str, timeout: float | None = None) -> dict[str, Any]:
        return await self.request("record_reprint", ticket=ticket, timeout=timeout)

    async def printer_status(self, status: str, detail: str | None = None) -> dict[str, Any]:
        fields = {"status": status} | ({"detail": detail} if detail else {})
        return await self.request("printer_status", **fields)

    async def act(self, type: str, **fields: Any) -> dict[str, Any]:
        """A counter or manager action: call_next, recall, pause_counter(reason=…), …"""
        return await self.request(type, **fields)

    # -- the citizen's voice (issue 20) -------------------------------------------------------

    async def answer_survey(
        self, ticket: str, scores: list[int] | tuple[int, ...], **profile: str | None
    ) -> dict[str, Any]:
        """A counter tablet's answer to the survey it was offered (`survey_offer`): the nine
        scores, and optionally age, sex, education, occupation (codes) and suggestion."""
        fields = {k: v for k, v in profile.items() if v is not None}
        return await self.request("answer_survey", ticket=ticket, scores=list(scores), **fields)

    async def take_complaint(self, complaint: str, note: str | None = None) -> dict[str, Any]:
        """Take a received complaint in hand; the reply's `complaint` is its new view."""
        fields = {"note": note} if note else {}
        return await self.request("take_complaint", complaint=complaint, **fields)

    async def answer_complaint(self, complaint: str, answer: str) -> dict[str, Any]:
        """Answer a complaint taken in hand; the citizen reads it on the phone page."""
        return await self.request("answer_complaint", complaint=complaint, answer=answer)

    async def close_complaint(self, complaint: str, note: str | None = None) -> dict[str, Any]:
        """Close a complaint (a note is required unless it was answered)."""
        fields = {"note": note} if note else {}
        return await self.request("close_complaint", complaint=complaint, **fields)

    async def complaint_contact(self, complaint: str) -> dict[str, Any]:
        """The contact a complaint left (`name`, `phone`): personal data, asked for, logged."""
        return await self.request("complaint_contact", complaint=complaint)

    async def file_complaint(
        self,
        category: str,
        text: str,
        number: str | None = None,
        name: str | None = None,
        phone: str | None = None,
    ) -> dict[str, Any]:
        """File a complaint at the help desk, about today's ticket `number` or none; the
        reply's `complaint` is the tracking id to give the citizen."""
        extra = {"number": number, "name": name, "phone": phone}
        fields = {k: v for k, v in extra.items() if v}
        return await self.request("file_complaint", category=category, text=text, **fields)

    # -- pushed messages --------------------------------------------------------------------

    async def messages(self) -> AsyncIterator[dict[str, Any]]:
        """Every pushed frame (event, snapshot, synced, lines, alert…) in arrival order."""
        while True:
            msg = await self._messages.get()
            if msg is _END:
                self._messages.put_nowait(_END)  # let other readers end too
                return
            yield msg

    async def next_message(self, *types: str, timeout: float | None = None) -> dict[str, Any]:
        """The next pushed frame of one of these types (any type when none given)."""
        async with asyncio.timeout(timeout):
            while True:
                msg = await self._messages.get()
                if msg is _END:
                    self._messages.put_nowait(_END)
                    raise ClientClosed()
                if not types or msg.get("type") in types:
                    return msg

    # -- the connection loop ----------------------------------------------------------------

    def _set_state(self, state: ConnectionState) -> None:
        if state is self.state:
            return
        self.state = state
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:
                log.exception("on_state callback failed")

    async def _run(self) -> None:
        initial, ceiling = self._backoff
        delay = initial
        try:
            while not self._closing:
                synced = False
                try:
                    async with websockets.connect(
                        self.url,
                        compression=None,
                        max_size=self._max_size,
                        open_timeout=self._open_timeout_s,
                        close_timeout=2,
                    ) as ws:
                        self._ws = ws
                        synced = await self._session(ws)
                except _Fatal as fatal:
                    reply = fatal.reply or {
                        "type": "error",
                        "code": "closed",
                        "message": f"closed by the server ({fatal.close_code})",
                    }
                    self._finish(HelloRefused(reply, fatal.close_code))
                    return
                except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError) as exc:
                    log.info("connection to %s failed: %r", self.url, exc)
                except InvalidURI as exc:
                    self._finish(exc)
                    return
                finally:
                    self._ws = None
                    self._synced.clear()
                    self._fail_pending(ConnectionLost())
                if self._closing:
                    break
                if synced:
                    delay = initial
                self._set_state(ConnectionState.RECONNECTING)
                # Equal jitter: many kiosks and TVs restarted by one power cut spread out.
                await asyncio.sleep(delay / 2 + random.uniform(0, delay / 2))
                delay = min(delay * 2, ceiling)
        finally:
            self._set_state(ConnectionState.CLOSED)

    def _finish(self, exc: BaseException) -> None:
        """Stop for good: fail the first connect, pending requests and the message iterator."""
        self._closing = True
        self._stopped.set()
        if self._first is not None and not self._first.done():
            self._first.set_exception(exc)
            self._first.exception()  # retrieved: start() alone must not log a stray warning
        self._fail_pending(ClientClosed())
        self._messages.put_nowait(_END)

    def _fail_pending(self, exc: BaseException) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(exc)
        self._pending.clear()

    async def _session(self, ws: ClientConnection) -> bool:
        """Run one connection until it closes; True if it got in sync."""
        hello = {**self._hello, "id": "hello"}
        cookie = self.device_cookies.get(self._person) if self._person else None
        if cookie is not None:
            hello["device_cookie"] = cookie
        if self.last_seq is not None:
            hello["last_seq"] = self.last_seq
            if self.day is not None:
                hello["day"] = self.day
        self._refusal = None
        heartbeat: asyncio.Task[None] | None = None
        synced = False
        try:
            await ws.send(p.encode(hello))
            async for frame in ws:
                try:
                    msg = json.loads(frame)
                except ValueError:
                    log.warning("ignoring a frame that is not JSON from %s", self.url)
                    continue
                if not isinstance(msg, dict):
                    continue
                if msg.get("type") == "synced" and not synced:
                    synced = True
                    if self._heartbeat_s:
                        heartbeat = asyncio.create_task(self._heartbeat())
                self._dispatch(msg)
        except ConnectionClosed:
            pass
        finally:
            if heartbeat is not None:
                heartbeat.cancel()
        self.close_code = ws.close_code
        if ws.close_code in p.CLIENT_FATAL_CLOSE_CODES:
            raise _Fatal(ws.close_code, self._refusal)
        return synced

    async def _heartbeat(self) -> None:
        # Keeps proxies from idling the connection out and moves last_seq forward (pong.seq)
        # for clients that see few events, so that their replay after a blink stays short.
        assert self._heartbeat_s is not None
        while True:
            await asyncio.sleep(self._heartbeat_s)
            with contextlib.suppress(Exception):
                await self.request("ping", retry=False, timeout=self._heartbeat_s)

    def _advance(self, seq: Any) -> None:
        if isinstance(seq, int) and (self.last_seq is None or seq > self.last_seq):
            self.last_seq = seq

    def _dispatch(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        ref = msg.get("ref")
        if kind == "welcome":
            self.welcome = msg
            cookie = msg.get("device_cookie")
            if self._person and isinstance(cookie, str):
                self.device_cookies.put(self._person, cookie)
            return
        if kind == "error" and ref == "hello":
            self._refusal = msg
            return
        if kind == "synced":
            # The replay or snapshot is complete: this is our position now.
            self.last_seq = msg.get("seq", self.last_seq)
            if self.welcome is not None:
                self.day = self.welcome.get("day", self.day)
            self._synced.set()
            self._set_state(ConnectionState.CONNECTED)
            if self._first is not None and not self._first.done():
                self._first.set_result(None)
        elif kind == "event":
            self._advance(msg.get("seq"))
            event = msg.get("event") or {}
            if event.get("kind") == "day_closed":
                self.day = None  # the next connect must not claim yesterday's position
        elif kind == "snapshot":
            if ref is None:
                self.last_seq = msg.get("seq", self.last_seq)
            else:
                self._advance(msg.get("seq"))
            self.day = msg.get("day", self.day)
        elif kind == "pong":
            self._advance(msg.get("seq"))
        if isinstance(ref, int) and ref in self._pending:
            future = self._pending.pop(ref)
            if not future.done():
                future.set_result(msg)
            if kind in ("ok", "error", "pong"):
                return
        self._deliver(msg)

    def _deliver(self, msg: dict[str, Any]) -> None:
        if self._on_message is not None:
            try:
                self._on_message(msg)
            except Exception:
                log.exception("on_message callback failed")
        else:
            self._messages.put_nowait(msg)
