"""Durable tickets per second, end to end, against raw SQLite commits on the same disk.

- Baseline: raw `sqlite3` single-row commits per second with the store's pragmas (WAL,
  synchronous=FULL), one INSERT of an event-sized row per transaction, on the same file system.
- Antre: 20 kiosks each issue tickets back to back over real websockets; a ticket counts when
  its reply arrives, i.e. when it is committed (fsync'd). After the run the store is opened and
  every acknowledged ticket must be in it, once.

Three rounds, each between two raw measurements (the disk's rate drifts within minutes), and the
medians are the figure. The kiosks are `BenchKiosk`: the kiosk's protocol (hello with its token,
`issue_ticket` with a fresh `request_id`, wait for the reply that names the request; every frame
decoded) on a plain `websockets` client. One more round uses `AntreClient`, the kiosk app's own
client, whose reconnect and resend machinery costs more Python per ticket: 20 of them share the
generator's core here, where in an MPP each kiosk is its own computer. Both are printed.
Before the generator's socket reads were fixed (server.allocator), AntreClient kiosks took half
a core and capped the figure; since, the two differ by less than the noise between runs
(docs/benchmarks.md, "The 256 KiB read").
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from bench.building import TOWER_LINES, tower_building
from bench.common import Quantiles, quantiles
from bench.serverproc import ServerProcess, fresh_db
from server import protocol as p
from server.client import AntreClient
from server.store import StoreReader

__all__ = ["Round", "ThroughputResult", "check_store", "raw_commits_per_s", "run_throughput"]


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
class Round:
    """One run of the kiosks between two raw measurements."""

    tickets_per_s: float
    raw_before: float
    raw_after: float

    @property
    def raw_commits_per_s(self) -> float:
        return (self.raw_before + self.raw_after) / 2

    @property
    def share_of_raw(self) -> float:
        return self.tickets_per_s / self.raw_commits_per_s


@dataclass(frozen=True)
class ThroughputResult:
    rounds: list[Round]
    tickets: int  # per round
    latency: Quantiles  # issue_ticket request -> ok, per ticket, every round
    app_client_per_s: float  # one more round with AntreClient kiosks
    app_client_raw: float  # raw commits/s measured just before that round

    @property
    def tickets_per_s(self) -> float:
        return statistics.median(r.tickets_per_s for r in self.rounds)

    @property
    def raw_commits_per_s(self) -> float:
        return statistics.median(r.raw_commits_per_s for r in self.rounds)

    @property
    def share_of_raw(self) -> float:
        return statistics.median(r.share_of_raw for r in self.rounds)


class BenchKiosk:
    """A kiosk as the server sees it, on a plain websockets client: hello, then tickets."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.ws: ClientConnection | None = None
        self._ids = 0

    async def connect(self) -> None:
        self.ws = await connect(self.url, compression=None, open_timeout=60)
        await self.ws.send(p.encode({**p.hello_kiosk(self.token), "id": 0}))
        while (msg := json.loads(await self.ws.recv()))["type"] != "synced":
            if msg["type"] == "error":
                raise RuntimeError(f"hello refused: {msg}")

    async def issue_ticket(self, line: str) -> str:
        """The issued ticket's id, once its reply (sent after the commit) arrives."""
        assert self.ws is not None
        self._ids += 1
        rid = self._ids
        request = {"type": "issue_ticket", "line": line, "priority": None}
        await self.ws.send(p.encode({**request, "request_id": uuid.uuid4().hex, "id": rid}))
        while True:  # pushed events may come first; each is decoded, as a kiosk would
            msg: dict[str, Any] = json.loads(await self.ws.recv())
            if msg.get("ref") == rid:
                if msg["type"] == "error":
                    raise RuntimeError(f"issue_ticket refused: {msg}")
                return msg["ticket"]["id"]

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


class _AppKiosk:
    """`AntreClient` with BenchKiosk's interface."""

    def __init__(self, url: str, token: str) -> None:
        self.client = AntreClient(url, p.hello_kiosk(token), heartbeat_s=None, request_timeout_s=60)

    async def connect(self) -> None:
        await self.client.connect(timeout=60)

    async def issue_ticket(self, line: str) -> str:
        return (await self.client.issue_ticket(line))["id"]

    async def close(self) -> None:
        await self.client.close()


async def _kiosks(
    kiosks: list[BenchKiosk] | list[_AppKiosk], per_kiosk: int
) -> tuple[float, list[float], list[str]]:
    """Every kiosk issues `per_kiosk` tickets back to back: (seconds, latencies, ticket ids)."""
    await asyncio.gather(*(k.connect() for k in kiosks))
    latencies: list[float] = []
    issued: list[str] = []

    async def kiosk(n: int, k: BenchKiosk | _AppKiosk) -> None:
        for i in range(per_kiosk):
            line = TOWER_LINES[(n + i) % len(TOWER_LINES)]
            t0 = time.perf_counter()
            issued.append(await k.issue_ticket(line))
            latencies.append(time.perf_counter() - t0)

    # A short warm-up so that connection set-up and first-use costs stay out of the figure.
    issued += await asyncio.gather(*(k.issue_ticket("A") for k in kiosks))
    start = time.perf_counter()
    await asyncio.gather(*(kiosk(n, k) for n, k in enumerate(kiosks)))
    elapsed = time.perf_counter() - start
    await asyncio.gather(*(k.close() for k in kiosks))
    return elapsed, latencies, issued


def check_store(db: Path, issued: list[str]) -> None:
    """Every acknowledged ticket is in the stopped server's store, once; nothing else is."""
    with StoreReader.open(db) as store:
        stored = Counter(e.event["ticket"] for e in store.log("ticket_issued"))
    problems = []
    if len(set(issued)) != len(issued):
        problems.append("a ticket id was acknowledged twice")
    missing = [t for t in issued if t not in stored]
    if missing:
        problems.append(f"{len(missing)} acknowledged tickets missing, e.g. {missing[:3]}")
    if sum(stored.values()) != len(issued) or any(n > 1 for n in stored.values()):
        problems.append(f"{sum(stored.values())} issued in the store, {len(issued)} acknowledged")
    if problems:
        raise AssertionError(f"throughput store check ({db}): " + "; ".join(problems))


def _run_kiosks(
    folder: Path, name: str, make: type[BenchKiosk] | type[_AppKiosk], kiosks: int, per: int
) -> tuple[float, list[float]]:
    bb = tower_building(counters=20, displays=1, kiosks=kiosks)
    db = fresh_db(folder / f"{name}.db")
    server = ServerProcess("tower", db, extra=["--counters", "20", "--displays", "1"]).start()
    try:
        tokens = list(bb.kiosks.values())[:kiosks]
        elapsed, lat, issued = asyncio.run(_kiosks([make(server.url, t) for t in tokens], per))
    finally:
        server.stop()
    check_store(db, issued)
    return elapsed, lat


def run_throughput(
    folder: Path,
    kiosks: int = 20,
    per_kiosk: int = 500,
    raw_commits: int = 3000,
    rounds: int = 3,
) -> ThroughputResult:
    """`rounds` kiosk runs, each between two raw measurements; then one AntreClient run.

    The disk's commit rate drifts by half within minutes on a shared VM (2,900 to 4,800 raw
    commits/s in one session), so each round is held against the raw rate measured just before
    and just after it, and the medians are reported.
    """
    raw_db = folder / "raw.db"
    raws = [raw_commits_per_s(raw_db, raw_commits)]
    results: list[Round] = []
    latencies: list[float] = []
    n = kiosks * per_kiosk
    for _ in range(rounds):
        elapsed, lat = _run_kiosks(folder, "throughput", BenchKiosk, kiosks, per_kiosk)
        raws.append(raw_commits_per_s(raw_db, raw_commits))
        results.append(Round(n / elapsed, raws[-2], raws[-1]))
        latencies += lat
    app_elapsed, _ = _run_kiosks(folder, "throughput-app", _AppKiosk, kiosks, per_kiosk)
    return ThroughputResult(results, n, quantiles(latencies), n / app_elapsed, raws[-1])
