"""A live building edit leaves the engine exactly where a restart on the same store does
(issue 23): the building is the file's plus the logged edits, today's state is replayed with
it, a removed counter that is busy is kept until its ticket ends, a disabled officer is out."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from mpp_uji import WIB, FakeClock

from server.config import load_demo_building
from server.config.edits import Edit, apply_edits, entity
from server.core.building import Building
from server.core.events import BuildingEdited, TicketIssued
from server.core.model import (
    CallNext,
    ConfirmPrinted,
    FinishService,
    IssueTicket,
    LogIn,
    OpenCounter,
    StartService,
)
from server.engine import Engine, EngineFailed

DEMO = load_demo_building()
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
_tokens = itertools.count(1)
StartEngine = Callable[[], Awaitable[Engine]]


@pytest.fixture
async def start_engine(tmp_path: Path) -> AsyncIterator[StartEngine]:
    clock = FakeClock(MONDAY_9AM)
    running: list[Engine] = []

    async def start() -> Engine:
        engine = Engine(DEMO, str(tmp_path / "antre.db"), clock=clock)
        await engine.start()
        running.append(engine)
        return engine

    yield start
    for engine in running:
        await engine.close()


async def issue(engine: Engine, line: str) -> str:
    stored = await engine.execute(
        IssueTicket(line=line, priority=None, token=f"tok-{next(_tokens):08d}", kiosk="KIOSK-1"),
        "kiosk:KIOSK-1",
    )
    ticket = next(s.event.ticket for s in stored if isinstance(s.event, TicketIssued))
    await engine.execute(ConfirmPrinted(ticket=ticket), "kiosk:KIOSK-1")
    return ticket


async def at_work(engine: Engine, officer: str, counter: str) -> str:
    actor = f"officer:{officer}@{counter}"
    await engine.execute(LogIn(counter=counter, officer=officer), actor)
    await engine.execute(OpenCounter(counter=counter), actor)
    return actor


def edited(changes: list[tuple[str, Any]]) -> Callable[[Building, int], Any]:
    """An EditMaker: each (target, after) applied to the entity as it is now."""

    def make(building: Building, version: int) -> tuple[Building, list[BuildingEdited]]:
        edits = [Edit(t, entity(building, t), after) for t, after in changes]
        events = [
            BuildingEdited(at=MONDAY_9AM, by="manager:ADMIN", version=version + i,
                           target=e.target, before=e.before, after=e.after)
            for i, e in enumerate(edits, start=1)
        ]  # fmt: skip
        return apply_edits(building, edits), events

    return make


def picture(engine: Engine) -> dict[str, Any]:
    """What of the engine a restart must give back the same."""
    state = engine.state
    return {
        "version": engine.version,
        "building": engine.building,
        "serving": sorted(c.id for c in engine.serving.counters),
        "tickets": {t.number: (t.state.value, t.counter) for t in state.tickets.values()},
        "counters": {
            cid: (s.state.value, s.officer, s.ticket)
            for cid, s in state.counters.items()
            if s.officer or s.ticket or s.state.value != "closed"
        },
        "issued": dict(state.issued),
    }


async def test_live_edits_and_a_restart_agree(start_engine: StartEngine) -> None:
    engine = await start_engine()
    for line in ("K", "K", "A"):
        await issue(engine, line)
    btk = await at_work(engine, "BTK01", "L17")
    await engine.execute(CallNext(counter="L17"), btk)
    await engine.execute(StartService(counter="L17"), btk)
    await at_work(engine, "DKP01", "L01")
    line_a = entity(engine.building, "line:A")
    dkp01 = entity(engine.building, "officer:DKP01")
    await engine.edit(
        edited([
            ("counter:L17", None),
            ("line:A", {**line_a, "quota_walk_in": 1}),
            ("officer:DKP01", {**dkp01, "disabled": True}),
        ]),
        "manager:ADMIN",
    )  # fmt: skip
    live = picture(engine)
    # Hand-worked: L17 kept (K-001 in service there), DKP01 logged out of L01 (idle), version 3.
    assert live["version"] == 3
    assert "L17" in live["serving"] and engine.building.counter("L17") is None
    assert live["counters"]["L17"][1:] == ("BTK01", "2026-11-23/K-001")
    assert "L01" not in live["counters"]
    assert engine.building.line("A").quota_walk_in == 1  # type: ignore[union-attr]
    await engine.close()

    again = await start_engine()
    assert picture(again) == live

    # K-001 finished at the removed L17: then L17 goes, and a restart agrees again.
    await again.execute(FinishService(counter="L17"), btk)
    for _ in range(100):
        if again.state.counters["L17"].officer is None:
            break
        await asyncio.sleep(0.01)
    done = picture(again)
    assert "L17" not in done["serving"] and "L17" not in done["counters"]
    await again.close()
    third = await start_engine()
    assert picture(third) == done


async def test_an_edit_that_cannot_be_made_live_stops_the_engine(
    start_engine: StartEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edit is on disk, then today's replay fails (a read error, injected): the engine
    does not go on with half a building — it fails as on a store failure, every later command
    refused — and a restart serves the edit whole."""
    engine = await start_engine()
    await issue(engine, "K")
    line_k = entity(engine.building, "line:K")

    async def read_error() -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr(engine, "_rebuild_today", read_error)
    with pytest.raises(EngineFailed):
        await engine.edit(edited([("line:K", {**line_k, "quota_walk_in": 5})]), "manager:ADMIN")
    assert engine.failed.is_set()
    with pytest.raises(EngineFailed):
        await issue(engine, "K")
    await engine.close()

    again = await start_engine()
    assert again.version == 1 and again.building.line("K").quota_walk_in == 5  # type: ignore[union-attr]
    assert again.state.issued["K"] == 1
