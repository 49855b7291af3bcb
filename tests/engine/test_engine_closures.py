"""Counter-closure requests (issue 23) through the engine and a real SQLite file: what a restart
rebuilds from the log equals what was live, and an approval waiting for its ticket survives it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from mpp_uji import WIB, FakeClock, small_building

from server.core.building import Manager, ManagerRole
from server.core.model import (
    CallNext,
    ConfirmPrinted,
    CounterState,
    DecideClosure,
    FinishService,
    IssueTicket,
    LogIn,
    OpenCounter,
    RequestClosure,
    StartService,
)
from server.engine import Engine

StartEngine = Callable[[], Awaitable[Engine]]


@pytest.fixture
async def start_engine(tmp_path: Path) -> AsyncIterator[StartEngine]:
    base = small_building()
    building = replace(
        base,
        policy=replace(base.policy, closure_approval=True),
        managers=(Manager("LANTAI", "Bambang Sutrisno", ManagerRole.FLOOR, "x"),),
    )
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=WIB))
    running: list[Engine] = []

    async def start() -> Engine:
        engine = Engine(building, str(tmp_path / "antre.db"), clock=clock)
        await engine.start()
        running.append(engine)
        return engine

    yield start
    for engine in running:
        await engine.close()


async def test_a_restart_rebuilds_pending_and_approved_requests(start_engine: StartEngine) -> None:
    engine = await start_engine()
    for counter, officer in (("L01", "DKP01"), ("L02", "DKP02")):
        actor = f"officer:{officer}@{counter}"
        await engine.execute(LogIn(counter=counter, officer=officer), actor)
        await engine.execute(OpenCounter(counter=counter), actor)
    issued = await engine.execute(IssueTicket("A", None, "tok-closure", "K1"), "kiosk:K1")
    ticket = issued[0].event.ticket  # type: ignore[attr-defined]
    await engine.execute(ConfirmPrinted(ticket), "kiosk:K1")
    await engine.execute(CallNext("L01"), "officer:DKP01@L01")
    await engine.execute(RequestClosure("L01", "Gangguan sistem instansi"), "officer:DKP01@L01")
    await engine.execute(DecideClosure("L01", True, "LANTAI"), "manager:LANTAI")
    await engine.execute(RequestClosure("L02", "Petugas sakit"), "officer:DKP02@L02")
    live, last_seq = engine.state, engine.last_seq
    await engine.close()

    again = await start_engine()
    assert again.last_seq == last_seq
    assert again.state == live
    assert again.state.closures["L01"].by == "LANTAI"
    assert again.state.closures["L02"].approved_at is None
    # The approval still holds: the service's end closes Loket 1 in its own command.
    await again.execute(StartService("L01"), "officer:DKP01@L01")
    finished = await again.execute(FinishService("L01"), "officer:DKP01@L01")
    assert [s.event.kind for s in finished] == ["service_finished", "counter_closed"]
    assert again.state.counters["L01"].state is CounterState.CLOSED
