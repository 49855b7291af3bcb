"""Durable tickets per second, end to end, against raw SQLite commits on the same disk.

- Baseline: raw `sqlite3` single-row commits per second with the store's pragmas (WAL,
  synchronous=FULL), one INSERT of an event-sized row per transaction, on the same file system.
- Antre: 20 kiosks (`AntreClient`, the kiosk app's client) each issue tickets back to back over
  real websockets; a ticket counts when its `ok` arrives, i.e. when it is committed (fsync'd).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from bench.building import TOWER_LINES, tower_building
from bench.common import Quantiles, quantiles
from bench.serverproc import ServerProcess, fresh_db
from server import protocol as p
from server.client import AntreClient

__all__ = ["ThroughputResult", "raw_commits_per_s", "run_throughput"]


def raw_commits_per_s(path: Path, n: int = 3000) -> float:
    """Single-row commits per second: WAL, synchronous=FULL, one INSERT per transaction."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY, at TEXT, service_day TEXT, actor TEXT, "
        "kind TEXT, request_id TEXT, payload TEXT)"
    )
    payload = (
        '{"kind":"ticket_issued","at":"2026-11-23T09:00:00+07:00","ticket":"2026-11-23/A-001",'
        '"day":"2026-11-23","number":"A-001","seq":1,"line":"A","priority":null,'
        '"token":"Fwl6noCLF-rEgp4iVfFVXA","kiosk":"KIOSK-1"}'
    )
    start = time.perf_counter()
    for i in range(n):
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                i + 1,
                "2026-11-23T09:00:00+07:00",
                "2026-11-23",
                "kiosk:K1",
                "ticket_issued",
                f"r{i}",
                payload,
            ),
        )
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return n / elapsed


@dataclass(frozen=True)
class ThroughputResult:
    raw_commits_per_s: float
    tickets: int
    seconds: float
    tickets_per_s: float
    latency: Quantiles  # issue_ticket request -> ok, per ticket
    commits: int | None  # transactions the server committed (group commit), when known

    @property
    def share_of_raw(self) -> float:
        return self.tickets_per_s / self.raw_commits_per_s


async def _kiosks(url: str, tokens: list[str], per_kiosk: int) -> tuple[float, list[float]]:
    clients = [
        AntreClient(url, p.hello_kiosk(t), heartbeat_s=None, request_timeout_s=60) for t in tokens
    ]
    await asyncio.gather(*(c.connect(timeout=60) for c in clients))
    latencies: list[float] = []

    async def kiosk(k: int, c: AntreClient) -> None:
        for i in range(per_kiosk):
            line = TOWER_LINES[(k + i) % len(TOWER_LINES)]
            t0 = time.perf_counter()
            await c.issue_ticket(line)
            latencies.append(time.perf_counter() - t0)

    # A short warm-up so that connection set-up and first-use costs stay out of the figure.
    await asyncio.gather(*(c.issue_ticket("A") for c in clients))
    start = time.perf_counter()
    await asyncio.gather(*(kiosk(k, c) for k, c in enumerate(clients)))
    elapsed = time.perf_counter() - start
    await asyncio.gather(*(c.close() for c in clients))
    return elapsed, latencies


def run_throughput(folder: Path, kiosks: int = 20, per_kiosk: int = 500) -> ThroughputResult:
    raw = raw_commits_per_s(folder / "raw.db")
    bb = tower_building(counters=20, displays=1, kiosks=kiosks)
    server = ServerProcess(
        "tower", fresh_db(folder / "throughput.db"), extra=["--counters", "20", "--displays", "1"]
    ).start()
    try:
        tokens = list(bb.kiosks.values())[:kiosks]
        elapsed, lat = asyncio.run(_kiosks(server.url, tokens, per_kiosk))
    finally:
        server.stop()
    n = kiosks * per_kiosk
    return ThroughputResult(raw, n, elapsed, n / elapsed, quantiles(lat), None)
