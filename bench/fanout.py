"""Call → last display received, with 300 counters calling and 500 displays connected.

Antre: a tower building (300 counters over 20 lines, one zone) in its own process. 300 officers
(`AntreClient`, the counter console's client) log in and open; kiosks fill every line; 500 TV
clients say hello and read. Then counters call in turn at a steady rate; each call is followed
by start_service and finish_service from the same counter, as at a real counter, so every TV
gets three events per call plus the `lines` figures. The latency of one call is from just
before its `call_next` is sent to the moment the last of the 500 TVs has its `ticket_called`.

Baseline: `bench.bare` (a bare websockets relay) with 500 clients connected; a sender sends
three frames per "call" at the same rate, the first of the same size as Antre's TV frame; the
latency is from send to the last client's receipt, read by the same reader code.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import websockets

from bench.building import TOWER_LINES, tower_building
from bench.common import DisplayReader, Quantiles, gather_limited, quantiles
from bench.serverproc import ServerProcess, fresh_db
from server import protocol as p
from server.client import AntreClient

__all__ = ["FanoutResult", "run_fanout"]


@dataclass(frozen=True)
class FanoutResult:
    counters: int
    displays: int
    calls: int
    rate_per_s: float
    antre: Quantiles
    bare: Quantiles
    frame_bytes: int
    missing: int  # (call, display) pairs never received: must be 0


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """No garbage collection in the load generator while calls are timed.

    The generator holds 500 readers and 320 clients: one of its full collections stops every
    reader for 50-100 ms, which the figure would book to the server. The server keeps its
    collector as in production; the baseline's generator gets the same treatment as Antre's.
    """
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def _antre(
    url: str, counters: int, displays: int, calls: int, rate: float, trace: Path | None = None
) -> tuple[Quantiles, int, int, float]:
    bb = tower_building(counters, displays)
    # Officers at work.
    officers: list[AntreClient] = []

    async def officer(cid: str, oid: str, pin: str) -> AntreClient:
        c = AntreClient(url, p.hello_officer(cid, oid, pin), heartbeat_s=None, request_timeout_s=60)
        await c.connect(timeout=60)
        await c.act("login")
        await c.act("open_counter")
        return c

    officers = await gather_limited(
        [lambda c=cid, s=seat: officer(c, *s) for cid, seat in bb.officers.items()], 50
    )
    # Enough waiting tickets on every line for every call (calls rotate over the counters).
    kiosks = [
        AntreClient(url, p.hello_kiosk(t), heartbeat_s=None, request_timeout_s=60)
        for t in bb.kiosks.values()
    ]
    await asyncio.gather(*(k.connect(timeout=60) for k in kiosks))
    per_line = calls // len(TOWER_LINES) + 5

    async def fill(k: int, kiosk: AntreClient) -> None:
        for i in range(k, per_line * len(TOWER_LINES), len(kiosks)):
            ticket = await kiosk.issue_ticket(TOWER_LINES[i % len(TOWER_LINES)])
            await kiosk.confirm_printed(ticket["id"])

    await asyncio.gather(*(fill(k, kiosk) for k, kiosk in enumerate(kiosks)))
    # The TVs.
    hellos = [p.hello_display(t) for t in bb.displays.values()]
    readers = [DisplayReader(url, h) for h in hellos]
    await gather_limited([r.connect for r in readers], 50)
    await asyncio.sleep(1.0)  # let the connect storm's lines frames drain

    sent: dict[str, float] = {}
    acked: dict[str, float] = {}
    gaps: list[float] = []  # start_service round trips: the baseline spaces its frames so
    cycles: list[asyncio.Task[None]] = []

    async def cycle(c: AntreClient) -> None:
        t0 = time.perf_counter()
        reply = await c.act("call_next")
        sent[reply["ticket"]["id"]] = t0
        t1 = time.perf_counter()
        acked[reply["ticket"]["id"]] = t1
        await c.act("start_service")
        gaps.append(time.perf_counter() - t1)
        await c.act("finish_service")

    with _no_gc_pauses():
        start = time.perf_counter()
        for i in range(calls):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            cycles.append(asyncio.create_task(cycle(officers[i % len(officers)])))
        await asyncio.gather(*cycles)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(len(r.seen) < len(sent) for r in readers):
        await asyncio.sleep(0.1)
    latencies, missing = _latencies(sent, readers)
    if trace is not None:
        _write_trace(trace, start, sent, acked, readers)
    frame_bytes = max(r.frame_bytes for r in readers)
    for c in [*officers, *kiosks]:
        await c.close()
    await asyncio.gather(*(r.close() for r in readers))
    return quantiles(latencies), frame_bytes, missing, statistics.median(gaps)


def _write_trace(
    path: Path,
    start: float,
    sent: dict[str, float],
    acked: dict[str, float],
    readers: list[DisplayReader],
) -> None:
    """Per call (ANTRE_BENCH_TRACE): when it was sent, and ms to the officer's ack and to the
    first, median and last TV: a late first TV is the server (or the generator) busy before the
    fan-out began, a wide first-to-last the fan-out itself."""
    rows = ["sent_s\tack_ms\tfirst_tv_ms\tmedian_tv_ms\tlast_tv_ms"]
    for key, t0 in sorted(sent.items(), key=lambda kv: kv[1]):
        tvs = sorted(r.seen[key] - t0 for r in readers if key in r.seen) or [math.nan]
        ms = [(acked[key] - t0) * 1e3, tvs[0] * 1e3, tvs[len(tvs) // 2] * 1e3, tvs[-1] * 1e3]
        rows.append(f"{t0 - start:.3f}\t" + "\t".join(f"{v:.1f}" for v in ms))
    path.write_text("\n".join(rows) + "\n")


def _latencies(sent: dict[str, float], readers: list[DisplayReader]) -> tuple[list[float], int]:
    out, missing = [], 0
    for key, t0 in sent.items():
        arrivals = [r.seen[key] for r in readers if key in r.seen]
        missing += len(readers) - len(arrivals)
        if arrivals:
            out.append(max(arrivals) - t0)
    return out, missing


async def _bare(
    url: str, displays: int, calls: int, rate: float, frame_bytes: int, gap_s: float
) -> Quantiles:
    readers = [DisplayReader(url, None) for _ in range(displays)]
    await gather_limited([r.connect for r in readers], 50)
    sender = await websockets.connect(url, compression=None)
    await asyncio.sleep(0.5)
    sent: dict[str, float] = {}

    def frame(key: str, kind: str) -> str:
        body = {"type": "event", "seq": 1, "event": {"kind": kind, "ticket": key, "pad": ""}}
        pad = max(0, frame_bytes - len(json.dumps(body, separators=(",", ":"))))
        body["event"]["pad"] = "x" * pad
        return json.dumps(body, separators=(",", ":"))

    async def cycle(key: str) -> None:
        sent[key] = time.perf_counter()
        await sender.send(frame(key, "ticket_called"))
        # The start and finish that follow every call at a counter, a request round trip
        # apart as at Antre's counters: the same traffic, spaced the same way.
        for kind in ("service_started", "service_finished"):
            await asyncio.sleep(gap_s)
            await sender.send(frame(key, kind))

    cycles: list[asyncio.Task[None]] = []
    with _no_gc_pauses():
        start = time.perf_counter()
        for i in range(calls):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            cycles.append(asyncio.create_task(cycle(f"call-{i}")))
        await asyncio.gather(*cycles)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(len(r.seen) < len(sent) for r in readers):
        await asyncio.sleep(0.1)
    latencies, _missing = _latencies(sent, readers)
    await sender.close()
    await asyncio.gather(*(r.close() for r in readers))
    return quantiles(latencies)


def run_fanout(
    folder: Path, counters: int = 300, displays: int = 500, calls: int = 400, rate: float = 10.0
) -> FanoutResult:
    server = ServerProcess(
        "tower",
        fresh_db(folder / "fanout.db"),
        extra=["--counters", str(counters), "--displays", str(displays)],
    ).start()
    # With ANTRE_BENCH_TRACE, each call's timings go beside the store (see _write_trace).
    trace = folder / "fanout-calls.tsv" if os.environ.get("ANTRE_BENCH_TRACE") else None
    try:
        antre, frame_bytes, missing, gap_s = asyncio.run(
            _antre(server.url, counters, displays, calls, rate, trace)
        )
    finally:
        server.stop()
    bare_proc = ServerProcess(
        "bare", folder / "bare.db", command=[sys.executable, "-m", "bench.bare"]
    ).start()
    try:
        bare = asyncio.run(_bare(bare_proc.url, displays, calls, rate, frame_bytes, gap_s))
    finally:
        bare_proc.stop()
    return FanoutResult(counters, displays, calls, rate, antre, bare, frame_bytes, missing)
