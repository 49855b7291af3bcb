"""How the engine hands commands to the store: one write a loop turn, callers acked after it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from mpp_uji import WIB, FakeClock, small_building

from server.core.model import IssueTicket
from server.engine import Engine, StoredEvent

KIOSK = "kiosk:K1"


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[Engine]:
    e = Engine(
        small_building(),
        str(tmp_path / "antre.db"),
        FakeClock(datetime(2026, 11, 23, 8, 0, tzinfo=WIB)),
    )
    await e.start()
    yield e
    await e.close()


async def issue(engine: Engine, n: int, request_id: str | None = None) -> list[StoredEvent]:
    return await engine.execute(IssueTicket("A", None, f"tok-w{n}", "K1"), KIOSK, request_id)


async def test_commands_of_one_loop_turn_are_one_write_and_one_commit(engine: Engine) -> None:
    """Twenty commands run in the same turn of the loop reach the disk in one transaction."""
    heard: list[list[StoredEvent]] = []
    engine.subscribe(heard.append)
    before = engine.commits
    results = await asyncio.gather(*(issue(engine, n) for n in range(20)))
    assert engine.commits - before == 1
    assert len(heard) == 1  # one write, told once, with every event in seq order
    assert [s.seq for s in heard[0]] == [s.seq for r in results for s in r]


async def test_a_retry_that_gives_up_leaves_the_first_caller_and_the_commit(engine: Engine):
    """Cancelling a retry waiting on an in-flight request cancels nothing but that retry."""
    first = asyncio.ensure_future(issue(engine, 1, "req-1"))
    await asyncio.sleep(0)  # the command ran and is queued for the store
    retry = asyncio.ensure_future(issue(engine, 2, "req-1"))
    await asyncio.sleep(0)  # the retry waits on the first one's batch
    retry.cancel()
    with pytest.raises(asyncio.CancelledError):
        await retry
    stored = await first
    assert [s.event.number for s in stored] == ["A-001"]  # type: ignore[attr-defined]
    again = await issue(engine, 3, "req-1")
    assert again == stored
    assert await engine.store.last_seq() == stored[-1].seq
