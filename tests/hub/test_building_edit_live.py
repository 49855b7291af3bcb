"""A building file edited mid-day and the server restarted on it, with real clients.

The demo building's morning: Samsat's counter L08 has called E-001, and F-001 and F-002 (line
F, "STNK Lima Tahunan") wait. The operator then removes line F and counter L08 from the file
and restarts. What must hold is docs/operations.md, "Changing the building file": the server
starts; it says what of today the file no longer has; the officer of the removed counter works
elsewhere; the floor cancels the orphan tickets (and sees them on its dashboard); TVs, the
phone page and the report go on; the day's numbers are not issued again.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import logging
import re
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hubtest import FakeClock, Server, hello_for

from display.floor_model import FloorModel
from server.app import Running, serve
from server.client import AntreClient, RequestError
from server.config import demo_building_path, load_building_file
from server.hub import HubLimits
from server.report.cli import report_main

DEMO_TEXT = demo_building_path().read_text(encoding="utf-8")


def without_line_f_and_counter_l08(text: str) -> str:
    """The demo file with the [[lines]] block of F and the [[counters]] block of L08 cut out,
    and L10 serving E only: the edit an operator makes by hand."""
    blocks = re.split(r"\n(?=\[\[)", text)
    kept = [b for b in blocks if 'prefix = "F"' not in b and 'id = "L08"' not in b]
    assert len(kept) == len(blocks) - 2
    out = "\n".join(kept)
    assert out.count('serves = ["E", "F"]') == 1
    return out.replace('serves = ["E", "F"]', 'serves = ["E"]')


StartOn = Callable[[Path], Awaitable[Server]]


@pytest.fixture
async def start_on(tmp_path: Path) -> AsyncIterator[StartOn]:
    """Start a real server on one store with the building file given; stop it with .stop()."""
    clock = FakeClock()
    tasks: list[asyncio.Task[None]] = []
    servers: list[Server] = []

    async def start(config: Path) -> Server:
        building, identity = load_building_file(config)
        ready: asyncio.Future[Running] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(
            serve(
                building,
                str(tmp_path / "antre.db"),
                ready=ready.set_result,
                clock=clock,
                port=0,
                limits=HubLimits(rate_per_s=10_000.0, rate_burst=10_000.0, lines_flush_s=0.01),
                tick_s=None,
                identity=identity,
            )
        )
        tasks.append(task)
        done, _ = await asyncio.wait({task, ready}, timeout=20, return_when="FIRST_COMPLETED")
        if task in done:
            task.result()
        server = Server(ready.result(), clock)
        servers.append(server)
        return server

    async def stop() -> None:
        for server in servers:
            for c in server.clients:
                await c.close()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    start.stop = stop  # type: ignore[attr-defined]
    yield start
    await stop()


async def _http(url: str) -> tuple[int, str]:
    def get() -> tuple[int, str]:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8")

    return await asyncio.to_thread(get)


async def test_removing_a_used_line_and_counter_then_restarting(
    start_on, tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture
) -> None:
    """The restart serves; the orphans are named in the log, ended by the floor, shown to it."""
    full = tmp_path / "building.toml"
    full.write_text(DEMO_TEXT, encoding="utf-8")
    server = await start_on(full)
    kiosk = await server.client("KIOSK-1")
    tickets = {}
    for line in ("E", "F", "F"):
        t = await kiosk.issue_ticket(line)
        await kiosk.confirm_printed(t["id"])
        tickets[t["number"]] = t
    assert sorted(tickets) == ["E-001", "F-001", "F-002"]
    officer = await server.officer_at_work("SMS01@L08")
    called = await officer.act("call_next")
    assert called["ticket"]["number"] == "E-001"
    await start_on.stop()  # type: ignore[attr-defined]

    full.write_text(without_line_f_and_counter_l08(DEMO_TEXT), encoding="utf-8")
    server.clock.advance(600)
    caplog.set_level(logging.INFO, logger="server.engine")
    server = await start_on(full)

    # The log names what of today the file no longer has, and what happens to it.
    text = caplog.text
    assert "line F is not in the building file" in text and "(F-001, F-002)" in text
    assert "counter L08 is not in the building file: closing it, logging out SMS01" in text
    assert "E-001 stays called there until a floor manager cancels it" in text

    # The officer of the removed counter works at another counter of the agency.
    moved = AntreClient(server.url, hello_for("SMS01@L09"), heartbeat_s=None)
    server.clients.append(moved)
    await moved.connect(timeout=10)
    await moved.act("login")
    await moved.act("open_counter")

    # Nobody may take a number on F any more; numbering on E goes on after E-001.
    kiosk = await server.client("KIOSK-1")
    with pytest.raises(RequestError):
        await kiosk.issue_ticket("F")
    assert (await kiosk.issue_ticket("E"))["number"] == "E-002"

    # The phone page of an orphan ticket still answers, without promising a wait.
    status, page = await _http(f"{server.running.http_url}/t/{tickets['F-002']['token']}")
    assert status == 200 and "F-002" in page and "menit" not in page

    # The floor sees line F on its dashboard and cancels F-001 and the E-001 left at L08.
    manager = await server.client("LANTAI")
    model = FloorModel()
    model.load_snapshot(await manager.snapshot())
    row = next(lf for lf in model.lines(server.clock.now) if lf.prefix == "F")
    assert (row.name, row.waiting) == ("F (tidak ada lagi di berkas gedung)", 2)
    await manager.act("cancel_ticket", ticket=tickets["F-001"]["id"], reason="layanan ditutup")
    await manager.act("cancel_ticket", ticket=tickets["E-001"]["id"], reason="loket ditutup")
    snap = await manager.snapshot()
    states = {t["number"]: t["state"] for t in snap["tickets"]}
    assert states["F-001"] == states["E-001"] == "cancelled" and states["F-002"] == "waiting"

    # A TV of the zone gets its snapshot.
    tv = await server.client("TV-1")
    assert (await tv.snapshot())["type"] == "snapshot"

    # The report names what the file no longer has by its key, and says it is gone.
    out = tmp_path / "laporan"
    rc = report_main(["--db", str(tmp_path / "antre.db"), "--day", "2026-11-23", "--out", str(out)])
    assert rc == 0
    summary = capsys.readouterr().out
    assert "(tidak ada di berkas gedung)" in summary
    rows = {r["key"]: r for r in csv.DictReader((out / "lines.csv").open(encoding="utf-8-sig"))}
    assert (rows["F"]["name"], rows["F"]["issued"], rows["F"]["cancelled"]) == ("", "2", "1")
    counters = {
        r["key"]: r for r in csv.DictReader((out / "counters.csv").open(encoding="utf-8-sig"))
    }
    assert counters["L08"]["name"] == "" and counters["L08"]["called"] == "1"

    # A third start on the same file has nothing left to retire: no warning about L08.
    await start_on.stop()  # type: ignore[attr-defined]
    caplog.clear()
    server.clock.advance(timedelta(minutes=5).total_seconds())
    await start_on(full)
    assert "counter L08" not in caplog.text and "line F is not in the building file" in caplog.text
