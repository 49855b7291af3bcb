"""SIGKILL a process full of citizens answering the survey and filing complaints, on three
days in a row: every acknowledged answer, complaint (with its contact) and step is on disk and
in the rebuilt books, and no ticket is ever answered twice.

The worker (tests/engine/voice_crash_worker.py) serves three desks at once; each kill comes after
a drawn number of acknowledged results plus up to 30 ms. The first run is on Monday, the next on
Tuesday and Wednesday: each restart closes the day before and replays the earlier days' answers
and complaints from before that close (docs/architecture.md, "How one command flows"). The
numbers come from the `rng` fixture: a failure names its seed, `ANTRE_TEST_SEED` replays it.
What was acknowledged is counted from the worker's own lines, what is kept from the log.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from mpp_uji import WIB, FakeClock, small_building

from server.core.building import BookingSettings
from server.core.events import ComplaintFiled, SurveyAnswered
from server.core.model import DomainError, visit_of
from server.core.queue import QueueState
from server.engine import Engine
from server.store import Store
from server.voice_api import VoiceApi

WORKER = Path(__file__).resolve().parent / "voice_crash_worker.py"
STALL_S = 60.0
MONDAY = date(2026, 11, 23)


async def run_and_kill(
    db_path: Path, start: datetime, seed: int, stderr_path: Path, results: int, then_s: float
) -> list[list[str]]:
    """Start a worker, let it acknowledge `results` results and work `then_s` s more, SIGKILL it;
    every line it printed."""
    with stderr_path.open("ab") as stderr:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(WORKER), str(db_path), start.isoformat(), repr(time.time()),
            str(seed), stdout=asyncio.subprocess.PIPE, stderr=stderr,
        )  # fmt: skip
        assert proc.stdout is not None
        lines: list[list[str]] = []
        first = (await proc.stdout.readline()).decode().split()
        assert first[:1] == ["STARTED"], f"worker did not start; see {stderr_path}"
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


async def test_sigkill_mid_answers_and_complaints_keeps_each_acknowledged_one_once(
    tmp_path: Path, rng: random.Random
) -> None:
    db_path = tmp_path / "antre.db"
    acked: list[list[str]] = []
    for n in range(3):
        start = datetime.combine(MONDAY + timedelta(days=n), datetime.min.time(), WIB)
        results, then_s = rng.randint(10, 60), round(rng.uniform(0, 0.03), 3)
        print(f"run {n}: kill after {results} results + {then_s} s")
        start = start.replace(hour=9)
        acked += await run_and_kill(
            db_path, start, rng.randrange(2**31), tmp_path / "w.err", results, then_s
        )
    answered = [words[1] for words in acked if words[0] == "ANSWERED"]
    filed = {words[1]: words[3] for words in acked if words[0] == "FILED"}
    taken = {words[1] for words in acked if words[0] == "TAKEN"}
    assert len({t.split("/")[0] for t in answered}) == 3, "each day saw acknowledged answers"

    store = await Store.open(db_path)
    try:
        log = await store.events_since(0, limit=10**7)
        contacts = {cid: await store.complaint_contact(cid) for cid in filed}
    finally:
        await store.close()
    assert log is not None
    assert [s.seq for s in log] == list(range(1, len(log) + 1))
    per_ticket = Counter(s.event.ticket for s in log if isinstance(s.event, SurveyAnswered))
    assert max(per_ticket.values()) == 1, "a ticket answered twice"
    assert set(answered) <= set(per_ticket), "an acknowledged answer was lost"
    assert set(filed) <= {s.event.complaint for s in log if isinstance(s.event, ComplaintFiled)}
    assert all(contacts[cid] is not None and contacts[cid][0] == filed[cid] for cid in filed)

    # One more engine on Wednesday afternoon holds exactly the books the whole log makes.
    clock = FakeClock(datetime.combine(MONDAY + timedelta(days=2), datetime.min.time(), WIB))
    clock.now = clock.now.replace(hour=15)
    building = replace(small_building(), booking=BookingSettings(retention_days=30))
    engine = Engine(building, str(db_path), clock=clock)
    await engine.start()
    try:
        state = engine.state
        replayed = QueueState(engine.building)
        for stored in log:
            replayed.apply(stored.event)
        assert (state.surveys, state.complaints) == (replayed.surveys, replayed.complaints)
        assert all(state.surveys.answered(t) for t in answered)
        for cid in filed:
            complaint = state.complaints.get(cid)
            assert complaint is not None and complaint.has_contact
        assert all(state.complaints.get(cid).state.value != "received" for cid in taken)  # type: ignore[union-attr]
        # Monday's acknowledged answer, asked again on Wednesday: refused, never twice.
        monday = next(t for t in answered if t.startswith(MONDAY.isoformat()))
        row = await engine.store.ticket(monday)
        assert row is not None
        with pytest.raises(DomainError) as refused:
            await VoiceApi(engine).answer(visit_of(row), "phone", (3,) * 9)
        assert refused.value.code == "survey_answered"
    finally:
        await engine.close()
