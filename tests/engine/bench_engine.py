"""Throughput of the engine against raw SQLite on the same disk. A measurement, not a test.

    .venv/bin/python tests/engine/bench_engine.py [DIR]

Prints:
- raw sqlite3 single-row commits/s (WAL, synchronous=FULL, one INSERT per transaction);
- Engine.execute(IssueTicket) per second with 20 concurrent tasks (each awaits its commit);
- start-up (replay) time for a 4,000-ticket day (issued, printed, called, started, finished).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from mpp_uji import WIB, FakeClock, small_building

from server.core.model import (
    CallNext,
    ConfirmPrinted,
    FinishService,
    IssueTicket,
    LogIn,
    OpenCounter,
    StartService,
)
from server.engine import Engine

MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=WIB)


def raw_sqlite_commits_per_s(path: Path, n: int = 3000) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY, at TEXT, service_day TEXT, actor TEXT, "
        "kind TEXT, request_id TEXT, payload TEXT)"
    )
    payload = '{"kind":"ticket_issued","ticket":"2026-11-23/A-001","number":"A-001"}'
    start = time.perf_counter()
    for i in range(n):
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
            (i + 1, MORNING.isoformat(), "2026-11-23", "kiosk:K1", "ticket_issued", None, payload),
        )
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return n / elapsed


async def engine_issues_per_s(
    path: Path, tasks: int = 20, per_task: int = 500
) -> tuple[float, int]:
    clock = FakeClock(MORNING)
    engine = Engine(small_building(), str(path), clock=clock)
    await engine.start()

    async def kiosk(k: int) -> None:
        for i in range(per_task):
            clock.advance(milliseconds=1)
            await engine.execute(
                IssueTicket("ABC"[k % 3], None, f"tok-{k}-{i}", f"K{k}"), f"kiosk:K{k}", f"{k}-{i}"
            )

    start = time.perf_counter()
    await asyncio.gather(*(kiosk(k) for k in range(tasks)))
    elapsed = time.perf_counter() - start
    commits = engine.commits
    await engine.close()
    return tasks * per_task / elapsed, commits


async def replay_seconds(path: Path, tickets: int = 4000) -> tuple[float, int]:
    """Build a day of `tickets` full services, then time a fresh engine's start()."""
    clock = FakeClock(MORNING)
    engine = Engine(small_building(), str(path), clock=clock)
    await engine.start()
    for counter, officer in (("L01", "DKP01"), ("L02", "DKP02")):
        await engine.execute(LogIn(counter, officer), "officer")
        await engine.execute(OpenCounter(counter), "officer")

    async def one(i: int, counter: str) -> None:
        clock.advance(seconds=1)
        stored = await engine.execute(IssueTicket("AB"[i % 2], None, f"t{i}", "K1"), "kiosk:K1")
        await engine.execute(ConfirmPrinted(stored[-1].event.ticket), "kiosk:K1")  # type: ignore[attr-defined]
        await engine.execute(CallNext(counter), "officer")
        await engine.execute(StartService(counter), "officer")
        await engine.execute(FinishService(counter), "officer")

    for i in range(0, tickets, 2):
        await asyncio.gather(one(i, "L01"), one(i + 1, "L02"))
    events = engine.last_seq
    await engine.close()

    clock.now = MORNING + timedelta(hours=7)
    again = Engine(small_building(), str(path), clock=clock)
    start = time.perf_counter()
    await again.start()
    elapsed = time.perf_counter() - start
    assert len(again.state.tickets) == tickets
    await again.close()
    return elapsed, events


async def main(folder: Path) -> None:
    raw = raw_sqlite_commits_per_s(folder / "raw.db")
    print(f"raw sqlite3 single-row commits/s (WAL, FULL): {raw:,.0f}")
    rate, commits = await engine_issues_per_s(folder / "engine.db")
    print(
        f"Engine.execute(IssueTicket)/s, 20 concurrent tasks: {rate:,.0f} "
        f"({rate / raw:.0%} of raw; 10,000 tickets in {commits:,} transactions)"
    )
    seconds, events = await replay_seconds(folder / "day.db")
    print(f"start-up replay of a 4,000-ticket day ({events:,} events): {seconds:.2f} s")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.mkdir(parents=True, exist_ok=True)
        asyncio.run(main(target))
    else:
        with tempfile.TemporaryDirectory(dir=os.getcwd()) as tmp:
            asyncio.run(main(Path(tmp)))
