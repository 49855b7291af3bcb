"""SIGKILL a process full of citizens booking and cancelling, again and again: every
acknowledged booking and cancellation is on disk, and no slot ever held more than its places.

The worker (tests/engine/booking_crash_worker.py) races twelve citizens for six places (three
slots of two); each kill comes after a drawn number of acknowledged results plus up to 30 ms
(a count, not a time: a slow machine delays the kill but never lands it before the work began).
The numbers come from the `rng` fixture: a failure names its seed, `ANTRE_TEST_SEED` replays it.
The places held are counted from the log alone, event by event, not by the code under test.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sys
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from mpp_uji import WIB, FakeClock, booking_building

from server.core.events import BookingCancelled, BookingMade, BookingRescheduled
from server.core.queue import QueueState
from server.engine import Engine
from server.store import Store

WORKER = Path(__file__).resolve().parent / "booking_crash_worker.py"
KILLS = 4
STALL_S = 60.0
TUESDAY = date(2026, 11, 24)


async def run_and_kill(
    db_path: Path, epoch: float, seed: int, stderr_path: Path, results: int, then_s: float
) -> list[list[str]]:
    """Start a worker, let it acknowledge `results` results and work `then_s` s more, SIGKILL it;
    every line it printed."""
    with stderr_path.open("ab") as stderr:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(WORKER), str(db_path), repr(epoch), str(seed),
            stdout=asyncio.subprocess.PIPE, stderr=stderr,
        )  # fmt: skip
        assert proc.stdout is not None
        lines: list[list[str]] = []
        started = (await proc.stdout.readline()).decode().split()
        assert started[:1] == ["STARTED"], f"worker did not start; see {stderr_path}"
        deadline = None
        loop = asyncio.get_running_loop()
        while deadline is None or (left := deadline - loop.time()) > 0:
            try:
                raw = await asyncio.wait_for(
                    proc.stdout.readline(), STALL_S if deadline is None else left
                )
            except TimeoutError:
                if deadline is None:
                    proc.kill()
                    await proc.wait()
                    raise AssertionError(f"worker silent; see {stderr_path}") from None
                break
            if not raw:
                break
            if raw.endswith(b"\n"):
                lines.append(raw.decode().split())
            if deadline is None and len(lines) >= results:
                deadline = loop.time() + then_s
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        for raw in (await proc.stdout.read()).splitlines(keepends=True):
            if raw.endswith(b"\n"):
                lines.append(raw.decode().split())
        returncode = await proc.wait()
    assert returncode == -signal.SIGKILL, stderr_path.read_text()[-3000:]
    return lines


async def test_sigkill_mid_booking_keeps_every_acknowledged_booking_and_no_more(
    tmp_path: Path, rng: random.Random
) -> None:
    db_path = tmp_path / "antre.db"
    epoch = time.time()
    seeds = rng.sample(range(2**31), KILLS)
    moments = [(s, rng.randint(5, 120), round(rng.uniform(0, 0.03), 3)) for s in seeds]
    print("kill moments (worker seed, results, then s):", moments)
    acked: list[list[str]] = []
    for seed, results, then_s in moments:
        acked += await run_and_kill(db_path, epoch, seed, tmp_path / "w.err", results, then_s)
    assert sum(1 for words in acked if words[0] == "BOOKED") >= KILLS

    store = await Store.open(db_path)
    try:
        log = await store.events_since(0, limit=10**7)
    finally:
        await store.close()
    assert log is not None
    assert [s.seq for s in log] == list(range(1, len(log) + 1))
    made = {s.event.code: s.event for s in log if isinstance(s.event, BookingMade)}
    cancelled = {s.event.code for s in log if isinstance(s.event, BookingCancelled)}
    for words in acked:
        if words[0] == "BOOKED":
            assert words[1] in made, f"acknowledged booking {words[1]} lost"
            assert made[words[1]].slot.isoformat(timespec="minutes") == words[2]
        elif words[0] == "CANCELLED":
            assert words[1] in cancelled, f"acknowledged cancellation {words[1]} lost"

    # Places held, counted from the log event by event: never more than two in a slot.
    holding: Counter = Counter()
    where: dict[str, object] = {}
    for stored in log:
        event = stored.event
        if isinstance(event, BookingMade):
            where[event.code] = event.slot
            holding[event.slot] += 1
        elif isinstance(event, BookingRescheduled):
            holding[where[event.code]] -= 1
            where[event.code] = event.slot
            holding[event.slot] += 1
        elif isinstance(event, BookingCancelled):
            holding[where[event.code]] -= 1
        assert max(holding.values(), default=0) <= 2, f"seq {stored.seq}: {holding}"

    # One more engine on the file holds exactly the book the log makes.
    clock = FakeClock(datetime(2026, 11, 23, 7, 0, tzinfo=WIB))
    engine = Engine(booking_building(), str(db_path), clock=clock)
    await engine.start()
    try:
        replayed = QueueState(engine.building)
        for stored in log:
            replayed.apply(stored.event)
        assert engine.state.bookings == replayed.bookings
        taken = engine.state.bookings.taken
        assert all(sum(n) <= 2 for n in taken.values())
        assert {k[1] for k in taken} <= {TUESDAY}
    finally:
        await engine.close()
