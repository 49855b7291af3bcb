"""Small helpers shared by the benchmarks: quantiles, display readers, connection fan-in."""

from __future__ import annotations

import asyncio
import base64
import json
import math
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from server import protocol as p
from server.core.estimates import quantile

__all__ = ["DisplayReader", "Quantiles", "gather_limited", "quantiles"]

T = TypeVar("T")


@dataclass(frozen=True)
class Quantiles:
    n: int
    p50: float
    p99: float
    max: float

    def ms(self) -> str:
        return (
            f"p50 {self.p50 * 1e3:.1f} ms, p99 {self.p99 * 1e3:.1f} ms, max {self.max * 1e3:.1f} ms"
        )


def quantiles(values: Sequence[float]) -> Quantiles:
    """p50, p99 and max (nearest rank, as the reports quote them); NaN for no values."""
    if not values:
        return Quantiles(0, math.nan, math.nan, math.nan)
    return Quantiles(len(values), quantile(values, 0.5), quantile(values, 0.99), max(values))


async def gather_limited(factories: Iterable[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    """Run coroutine factories with at most `limit` in flight (connect storms hit the backlog)."""
    sem = asyncio.Semaphore(limit)

    async def one(f: Callable[[], Awaitable[T]]) -> T:
        async with sem:
            return await f()

    return await asyncio.gather(*(one(f) for f in factories))


@dataclass
class DisplayReader:
    """A TV-like client: says hello, then reads every frame and notes when each call arrived.

    The TV is a browser, whose WebSocket is native code: reading a frame costs it next to
    nothing. Here 500 readers share one core of the two with the officers and kiosks, so each is
    a bare RFC 6455 client on an asyncio protocol (`_FrameReader`: the upgrade request, frames
    parsed from the byte stream, pings answered) rather than a websockets client, whose
    per-frame machinery (assembler, queue, `recv`) made the load generator, not the server, the
    tail of the fan-out figure. Only frames that carry a call are decoded. The bare-broadcast
    baseline reads with the same code.
    """

    url: str
    hello: dict[str, Any] | None  # None: a bare-broadcast baseline client
    marker: str = '"ticket_called"'
    key: str = "ticket"
    # call key -> perf_counter at arrival
    seen: dict[str, float] = field(default_factory=dict)
    frames: int = 0
    last_seq: int = 0
    seqs: list[int] = field(default_factory=list)
    keep_seqs: bool = False  # record every event seq (for lost/doubled checks)
    frame_bytes: int = 0  # size of the last marked frame
    _wire: _FrameReader | None = None

    async def connect(self, timeout: float = 60.0) -> None:
        loop = asyncio.get_running_loop()
        url = urlsplit(self.url)
        wire = _FrameReader(self, loop)
        await asyncio.wait_for(
            loop.create_connection(lambda: wire, url.hostname, url.port or 80), timeout
        )
        wire.upgrade(url.netloc, url.path or "/")
        self._wire = wire
        await asyncio.wait_for(asyncio.shield(wire.opened), timeout)
        if self.hello is not None:
            wire.send_text(p.encode({**self.hello, "id": "hello"}).encode())
            await asyncio.wait_for(asyncio.shield(wire.synced), timeout)

    def on_text(self, payload: bytes, now: float, wire: _FrameReader) -> None:
        if not wire.synced.done():
            if self.hello is None:
                return
            msg = json.loads(payload)
            if msg["type"] == "synced":
                self.last_seq = msg["seq"]
                wire.synced.set_result(None)
            elif msg["type"] == "error":
                wire.synced.set_exception(RuntimeError(msg))
            return
        self.frames += 1
        if self.keep_seqs and payload.startswith(b'{"type":"event"'):
            self.seqs.append(json.loads(payload)["seq"])
        if self.marker.encode() in payload:
            msg = json.loads(payload)
            ident = msg.get("event", msg).get(self.key)
            if ident is not None and ident not in self.seen:
                self.seen[ident] = now
                self.frame_bytes = len(payload)

    @property
    def connected(self) -> bool:
        """Past hello and not hung up."""
        wire = self._wire
        return wire is not None and wire.synced.done() and not wire.lost.done()

    async def close(self) -> None:
        if self._wire is not None:
            await self._wire.close()


def _client_frame(opcode: int, payload: bytes) -> bytes:
    """One final client frame: a client masks what it sends (RFC 6455 5.3)."""
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, 0x80 | n])
    elif n < 1 << 16:
        head = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
    key = os.urandom(4)
    stream = (key * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")
    return head + key + masked


class _FrameReader(asyncio.Protocol):
    """The byte stream of one TV connection: the HTTP upgrade, then server frames (unmasked)."""

    def __init__(self, reader: DisplayReader, loop: asyncio.AbstractEventLoop) -> None:
        self.reader = reader
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.opened: asyncio.Future[None] = loop.create_future()  # the 101 arrived
        self.synced: asyncio.Future[None] = loop.create_future()  # hello answered (or no hello)
        self.lost: asyncio.Future[None] = loop.create_future()
        if reader.hello is None:
            self.synced.set_result(None)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def upgrade(self, host: str, path: str) -> None:
        assert self.transport is not None
        key = base64.b64encode(os.urandom(16)).decode()
        self.transport.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )

    def send_text(self, payload: bytes) -> None:
        assert self.transport is not None
        self.transport.write(_client_frame(0x1, payload))

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        buf = self.buf
        buf += data
        if not self.opened.done():
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buf[: buf.find(b"\r\n")])
            del buf[: end + 4]
            if b" 101 " not in status:
                self.opened.set_exception(RuntimeError(f"upgrade refused: {status!r}"))
                return
            self.opened.set_result(None)
        pos, size = 0, len(buf)
        while size - pos >= 2:
            b0, length, head = buf[pos], buf[pos + 1] & 0x7F, 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            if size - pos < head + length:
                break
            payload = bytes(buf[pos + head : pos + head + length])
            pos += head + length
            opcode = b0 & 0x0F
            if opcode == 0x1:
                self.reader.on_text(payload, now, self)
            elif opcode == 0x9:  # ping: the server drops a client that never answers
                assert self.transport is not None
                self.transport.write(_client_frame(0xA, payload))
            elif opcode == 0x8:
                assert self.transport is not None
                self.transport.close()
        del buf[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        for future in (self.opened, self.synced):
            if not future.done():
                future.set_exception(ConnectionError("connection lost"))
        if not self.lost.done():
            self.lost.set_result(None)

    async def close(self) -> None:
        """Close as a client should (a close frame, then wait for the server to hang up)."""
        if self.transport is None or self.transport.is_closing():
            await self.lost
            return
        self.transport.write(_client_frame(0x8, (1000).to_bytes(2, "big")))
        try:
            await asyncio.wait_for(asyncio.shield(self.lost), 5)
        except TimeoutError:
            self.transport.abort()
