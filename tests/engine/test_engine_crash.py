"""SIGKILL a real engine process mid-flight, again and again: nothing acknowledged is lost.

Each kill comes after a drawn number of acknowledged results (lines the worker printed after
their commit), counted from its first, and then up to 50 ms more: a count rather than a time, so
that a slow machine delays the kill but never lands it before the work began. The numbers, and the
workers' own seeds, come from the `rng` fixture (tests/conftest.py): a failure names its seed, and
`ANTRE_TEST_SEED` draws them again.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sys
import time
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from mpp_uji import WIB, FakeClock, small_building

from server.core.events import (
    TicketCalled,
    TicketIssued,
    TicketNoShow,
    TicketReactivated,
    TicketTransferred,
)
from server.core.model import CounterState, IssueTicket, TicketState
from server.engine import Engine
from server.store import Store, StoredEvent

WORKER = Path(__file__).resolve().parent / "crash_worker.py"
KILLS = 5
STALL_S = 60.0  # a worker that prints nothing for this long has stopped working: fail


async def run_and_kill(
    db_path: Path, epoch: float, seed: int, stderr_path: Path, results: int, then_s: float
) -> list[list[str]]:
    """Start a worker, let it acknowledge `results` results and work `then_s` s more, SIGKILL it;
    return every line it printed."""
    with stderr_path.open("ab") as stderr:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            str(db_path),
            repr(epoch),
            str(seed),
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
        assert proc.stdout is not None
        lines: list[list[str]] = []
        started = (await proc.stdout.readline()).decode().split()
        assert started[:1] == ["STARTED"], f"worker did not start; see {stderr_path}"
        lines.append(started)
        # Kill at a random instant: between two commits, in the middle of one, anywhere; but
        # only once the worker has acknowledged `results` results.
        deadline = None
        while deadline is None or (left := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                wait = STALL_S if deadline is None else left
                raw = await asyncio.wait_for(proc.stdout.readline(), wait)
            except TimeoutError as silent:
                if deadline is None:
                    proc.kill()
                    await proc.wait()
                    raise AssertionError(
                        f"worker silent for {STALL_S} s; see {stderr_path}"
                    ) from silent
                break
            if not raw:
                break  # EOF: the worker died on its own; the assertion below says so
            if raw.endswith(b"\n"):
                lines.append(raw.decode().split())
            if deadline is None and len(lines) - 1 >= results:
                deadline = asyncio.get_running_loop().time() + then_s
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        # Lines already in the pipe were printed after their commit: they count too.
        for raw in (await proc.stdout.read()).splitlines(keepends=True):
            if raw.endswith(b"\n"):
                lines.append(raw.decode().split())
        returncode = await proc.wait()
    assert returncode == -signal.SIGKILL, stderr_path.read_text()[-3000:]
    return lines


def number_of(ticket_id: str) -> tuple[str, int]:
    """'2026-11-23/A-017' -> ('A', 17)."""
    line, n = ticket_id.split("/")[1].split("-")
    return line, int(n)


async def test_sigkill_at_random_moments_loses_nothing_acknowledged(
    tmp_path: Path, rng: random.Random
) -> None:
    """Five SIGKILLs mid-flight: every acknowledged issue and call is in the log, numbers unique."""
    db_path = tmp_path / "antre.db"
    epoch = time.time()
    # About as many results as the 0.2-1.2 s of old gave on an idle machine (~1,400 a second).
    # Distinct worker seeds: a worker's request ids are made from its seed.
    seeds = rng.sample(range(2**31), KILLS)
    moments = [(s, rng.randint(20, 1500), round(rng.uniform(0, 0.05), 3)) for s in seeds]
    print("kill moments (worker seed, results, then s):", moments)
    runs: list[list[list[str]]] = []
    for seed, results, then_s in moments:
        runs.append(
            await run_and_kill(db_path, epoch, seed, tmp_path / "worker.err", results, then_s)
        )
    for run, (_seed, results, _then) in zip(runs, moments, strict=True):
        assert len(run) - 1 >= results, "a kill landed before its results were acknowledged"

    store = await Store.open(db_path)
    try:
        log = await store.events_since(0, limit=10**7)
        assert log is not None
        tickets = {t.id: t for t in await store.tickets_of_day(date(2026, 11, 23))}
    finally:
        await store.close()

    # The log itself: gapless seqs, and per line each number once, 1..n with no hole.
    assert [s.seq for s in log] == list(range(1, len(log) + 1))
    issued = [s.event for s in log if isinstance(s.event, TicketIssued)]
    per_line: dict[str, list[int]] = defaultdict(list)
    for event in issued:
        per_line[event.line].append(event.seq)
    for line, seqs in per_line.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"line {line} numbers"

    # Every acknowledged result is on disk.
    calls = {(s.event.ticket, s.event.counter) for s in log if isinstance(s.event, TicketCalled)}
    finished = {s.event.ticket for s in log if s.event.kind == "service_finished"}
    acked = [line for run in runs for line in run]
    assert sum(1 for words in acked if words[0] == "ISSUED") > 0
    for words in acked:
        if words[0] == "ISSUED":
            assert words[1] in tickets
        elif words[0] == "CALLED":
            assert (words[1], words[2]) in calls
        elif words[0] == "FINISHED":
            assert words[1] in finished
            assert tickets[words[1]].state is TicketState.DONE

    # No ticket was called twice without a no-show, transfer or reactivation in between.
    open_call: dict[str, bool] = {}
    for stored in log:
        event = stored.event
        if isinstance(event, TicketCalled):
            assert not open_call.get(event.ticket), (
                f"{event.ticket} called twice (seq {stored.seq})"
            )
            open_call[event.ticket] = True
        elif isinstance(event, TicketNoShow | TicketTransferred | TicketReactivated):
            open_call[event.ticket] = False

    # Each restart continued after the last number acknowledged before it.
    highest: dict[str, int] = defaultdict(int)
    for run in runs:
        first_in_run: dict[str, int] = {}
        for words in run:
            if words[0] == "ISSUED":
                line, n = number_of(words[1])
                first_in_run.setdefault(line, n)
        for line, n in first_in_run.items():
            assert n > highest[line], f"line {line}: {n} issued again after a restart"
        for words in run:
            if words[0] == "ISSUED":
                line, n = number_of(words[1])
                highest[line] = max(highest[line], n)

    # And one more engine on the file picks up exactly where the log ends.
    clock = FakeClock(datetime(2026, 11, 23, 8, 30, tzinfo=WIB))
    engine = Engine(small_building(), str(db_path), clock=clock)
    await engine.start()
    try:
        assert engine.last_seq == log[-1].seq
        for counter_id in ("L01", "L02"):
            status = engine.state.counters[counter_id]
            assert status.state is CounterState.OPEN
            active = [
                t
                for t in engine.state.tickets.values()
                if t.counter == counter_id and t.state in (TicketState.CALLED, TicketState.SERVING)
            ]
            assert [t.id for t in active] == ([status.ticket] if status.ticket else [])
        stored: list[StoredEvent] = await engine.execute(
            IssueTicket("A", None, "tok-after", "K1"), "kiosk:K1"
        )
        new = next(s.event for s in stored if isinstance(s.event, TicketIssued))
        assert new.seq == len(per_line["A"]) + 1
    finally:
        await engine.close()
