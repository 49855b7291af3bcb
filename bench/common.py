"""Small helpers shared by the benchmarks: quantiles, display readers, connection fan-in."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import websockets
from websockets.asyncio.client import ClientConnection

from server import protocol as p

__all__ = ["DisplayReader", "Quantiles", "gather_limited", "q", "quantiles"]

T = TypeVar("T")


def q(values: Sequence[float], share: float) -> float:
    """Nearest-rank quantile: the smallest value with at least `share` of them at or below."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


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
    return Quantiles(len(values), q(values, 0.5), q(values, 0.99), max(values, default=math.nan))


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

    Written on bare websockets, as the TV page is a browser rather than `AntreClient`. Only
    frames that carry a call are decoded: a TV must decode them all, but here the reader shares
    one core with 499 others and should cost as little as possible, for the server's sake and
    for the baseline's, which reads with the same code.
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
    ws: ClientConnection | None = None
    task: asyncio.Task[None] | None = None
    frame_bytes: int = 0  # size of the last marked frame

    async def connect(self) -> None:
        self.ws = await websockets.connect(
            self.url, compression=None, max_size=16 * 2**20, open_timeout=60, ping_interval=None
        )
        if self.hello is not None:
            await self.ws.send(p.encode({**self.hello, "id": "hello"}))
            while True:
                msg = json.loads(await self.ws.recv())
                if msg["type"] == "synced":
                    self.last_seq = msg["seq"]
                    break
                if msg["type"] == "error":
                    raise RuntimeError(msg)
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        marker, key, seen = self.marker, self.key, self.seen
        try:
            async for frame in self.ws:
                now = time.perf_counter()
                self.frames += 1
                if (
                    self.keep_seqs
                    and isinstance(frame, str)
                    and frame.startswith('{"type":"event"')
                ):
                    msg = json.loads(frame)
                    self.seqs.append(msg["seq"])
                if marker in frame:
                    msg = json.loads(frame)
                    ident = msg.get("event", msg).get(key)
                    if ident is not None and ident not in seen:
                        seen[ident] = now
                        self.frame_bytes = len(frame)
        except websockets.ConnectionClosed:
            pass

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await self.task
