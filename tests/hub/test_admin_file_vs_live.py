"""The building file against the live building (issue 23; docs/operations.md, "Editing the
building live"): a file changed after live edits refuses to start, naming what differs;
`--take-file` serves the file and drops the edits; `antre config export --db` writes the live
building, which starts the same building."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from hubtest import FakeClock, Server

from server.app import EXIT_WRONG_BUILDING, Running, serve
from server.cli import export_live_main
from server.client import AntreClient, RequestError
from server.config import demo_building_path, load_building_file
from server.hub import HubLimits
from server.live_building import LiveEditsDiffer
from server.report.cli import report_main

DEMO_TEXT = demo_building_path().read_text(encoding="utf-8")
StartOn = Callable[..., Awaitable[Server]]


@pytest.fixture
async def start_on(tmp_path: Path) -> AsyncIterator[StartOn]:
    """A real server on one store, with the building file given (stop it with .stop())."""
    clock = FakeClock()
    tasks: list[asyncio.Task[None]] = []
    servers: list[Server] = []

    async def start(config: Path, **kwargs: Any) -> Server:
        building, identity = load_building_file(config)
        ready: asyncio.Future[Running] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(
            serve(building, str(tmp_path / "antre.db"), ready=ready.set_result, clock=clock,
                  port=0, limits=HubLimits(rate_per_s=1e4, rate_burst=1e4, lines_flush_s=0.01),
                  tick_s=None, identity=identity, **kwargs)
        )  # fmt: skip
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
            with contextlib.suppress(asyncio.CancelledError, LiveEditsDiffer):
                await task
        servers.clear()
        tasks.clear()

    start.stop = stop  # type: ignore[attr-defined]
    yield start
    await stop()


async def admin(server: Server) -> AntreClient:
    return await server.client("ADMIN")


async def test_file_changed_after_live_edits(start_on, tmp_path: Path, capsys) -> None:
    file = tmp_path / "gedung.toml"
    file.write_text(DEMO_TEXT, encoding="utf-8")
    server = await start_on(file)
    a = await admin(server)
    state = await a.request("admin_state")
    line = next(e["value"] for e in state["entities"]["line"] if e["target"] == "line:K")
    await a.request("admin_edit", target="line:K", before=line,
                    after={**line, "quota_walk_in": 20}, version=0)  # fmt: skip
    await start_on.stop()  # type: ignore[attr-defined]

    # The live building, exported from the store, is a building file of the edited building.
    live = tmp_path / "live.toml"
    assert export_live_main(str(tmp_path / "antre.db"), str(live)) == 0
    assert load_building_file(live)[0].line("K").quota_walk_in == 20  # type: ignore[union-attr]

    # Someone edits the file by hand meanwhile: the running text.
    file.write_text(
        DEMO_TEXT.replace('running_text = "Selamat datang', 'running_text = "Halo, selamat datang'),
        encoding="utf-8",
    )
    with pytest.raises(LiveEditsDiffer) as refused:
        await start_on(file)
    said = refused.value.message()
    assert "line:K: quota_walk_in 60 (file) vs 20 (live)" in said
    assert "running_text: Halo, selamat datang" in said
    assert "--take-file" in said and "antre config export --db" in said
    # `antre server` says it and exits 78, like a store of another building.
    cli = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.cli", "server", "--config", str(file),
        "--db", str(tmp_path / "antre.db"), "--port", "0",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output = (await cli.communicate())[0].decode()
    assert cli.returncode == EXIT_WRONG_BUILDING == 78
    assert "line:K: quota_walk_in 60 (file) vs 20 (live)" in output and "Traceback" not in output

    # --take-file: the file wins, the edit is dropped (and stays dropped at the next start).
    # The file's building stands past the highest version recorded (1): 2, never a version
    # that named the live building (docs/operations.md).
    server = await start_on(file, take_file=True)
    assert server.engine.version == 2
    assert server.engine.building.line("K").quota_walk_in == 60  # type: ignore[union-attr]
    await start_on.stop()  # type: ignore[attr-defined]
    server = await start_on(file)
    assert server.engine.version == 2 and server.engine.edits == []
    history = (await (await admin(server)).request("admin_history"))["history"]
    assert history == []


async def quota_cut_to_20(start_on: StartOn, file: Path) -> None:
    """A server on `file`, K's walk-in quota cut live from 60 to 20, stopped."""
    server = await start_on(file)
    a = await admin(server)
    state = await a.request("admin_state")
    line = next(e["value"] for e in state["entities"]["line"] if e["target"] == "line:K")
    await a.request("admin_edit", target="line:K", before=line,
                    after={**line, "quota_walk_in": 20}, version=0)  # fmt: skip
    await start_on.stop()  # type: ignore[attr-defined]


async def test_the_exported_live_building_starts(start_on, tmp_path: Path) -> None:
    """The documented way to keep the live building: export it, start on the exported file.
    It starts, serving quota 20 (the file holds the edit now), and a plain restart too."""
    file = tmp_path / "gedung.toml"
    file.write_text(DEMO_TEXT, encoding="utf-8")
    await quota_cut_to_20(start_on, file)
    live = tmp_path / "live.toml"
    assert export_live_main(str(tmp_path / "antre.db"), str(live)) == 0
    server = await start_on(live)
    assert server.engine.building.line("K").quota_walk_in == 20  # type: ignore[union-attr]
    await start_on.stop()  # type: ignore[attr-defined]
    server = await start_on(live)
    assert server.engine.building.line("K").quota_walk_in == 20  # type: ignore[union-attr]


async def test_export_after_take_file_has_no_live_building(
    start_on, tmp_path: Path, capsys
) -> None:
    """After --take-file dropped the edits, `antre config export --db` must not hand back the
    dropped building (quota 20) as if it were live: it says there is none."""
    file = tmp_path / "gedung.toml"
    file.write_text(DEMO_TEXT, encoding="utf-8")
    await quota_cut_to_20(start_on, file)
    edited = DEMO_TEXT.replace('running_text = "Selamat datang', 'running_text = "Halo, selamat')
    file.write_text(edited, encoding="utf-8")
    await start_on(file, take_file=True)
    await start_on.stop()  # type: ignore[attr-defined]
    out = tmp_path / "after.toml"
    capsys.readouterr()
    assert export_live_main(str(tmp_path / "antre.db"), str(out)) == 1
    assert not out.exists()
    assert "has no live edits" in capsys.readouterr().err


async def test_without_the_live_text_the_refusal_still_says_take_file(
    start_on, tmp_path: Path
) -> None:
    """A store whose live building text is missing (kept by no older server): the refusal
    cannot list differences, says so, and names --take-file."""
    file = tmp_path / "gedung.toml"
    file.write_text(DEMO_TEXT, encoding="utf-8")
    await quota_cut_to_20(start_on, file)
    with sqlite3.connect(tmp_path / "antre.db") as db:
        db.execute("DELETE FROM meta WHERE key = 'live_building'")
    file.write_text(DEMO_TEXT.replace("Selamat datang", "Halo, selamat datang"), encoding="utf-8")
    with pytest.raises(LiveEditsDiffer) as refused:
        await start_on(file)
    said = refused.value.message()
    assert "the differences cannot be listed; --take-file is the way to start" in said


async def test_versions_never_repeat_across_take_file(start_on, tmp_path: Path) -> None:
    """After `--take-file` dropped version 1, the file's building is version 2 (the take
    consumes a number) and the next edit is version 3 (never a second version 1 or 2); an edit
    made against the file before (version 0) or the dropped live building (version 1) is stale
    across the restart, one against the building served now is not; a plain restart keeps it
    all."""
    file = tmp_path / "gedung.toml"
    file.write_text(DEMO_TEXT, encoding="utf-8")
    await quota_cut_to_20(start_on, file)  # version 1
    file.write_text(DEMO_TEXT.replace("Selamat datang", "Halo, selamat datang"), encoding="utf-8")
    server = await start_on(file, take_file=True)
    a = await admin(server)
    state = await a.request("admin_state")
    assert state["version"] == 2
    line = next(e["value"] for e in state["entities"]["line"] if e["target"] == "line:K")
    assert line["quota_walk_in"] == 60
    # Made against version 0 or 1 before the restart: the building it saw is gone. Version 1
    # was the live building (K at 20): a screen of it must not edit the file's building.
    for seen in (0, 1):
        with pytest.raises(RequestError) as stale:
            await a.request("admin_edit", target="line:K", before=line,
                            after={**line, "quota_walk_in": 30}, version=seen)  # fmt: skip
        assert stale.value.code == "edit_stale"
        assert f"Versi {seen} sudah tidak berlaku" in str(stale.value)
        assert "(versi 2)" in str(stale.value)
    reply = await a.request("admin_edit", target="line:K", before=line,
                            after={**line, "quota_walk_in": 30}, version=2)  # fmt: skip
    assert reply["version"] == 3
    history = (await a.request("admin_history"))["history"]
    assert [row["version"] for row in history] == [3]
    await start_on.stop()  # type: ignore[attr-defined]

    # A plain restart: version 3 live, the dropped building still stale, the next edit 4.
    server = await start_on(file)
    a = await admin(server)
    assert (await a.request("admin_state"))["version"] == 3
    after = {**line, "quota_walk_in": 30}
    for seen in (0, 1):
        with pytest.raises(RequestError) as stale:
            await a.request("admin_edit", target="line:K", before=after,
                            after={**line, "quota_walk_in": 40}, version=seen)  # fmt: skip
        assert stale.value.code == "edit_stale"
    reply = await a.request("admin_edit", target="line:K", before=after,
                            after={**line, "quota_walk_in": 40}, version=3)  # fmt: skip
    assert reply["version"] == 4
    await start_on.stop()  # type: ignore[attr-defined]
    with sqlite3.connect(tmp_path / "antre.db") as db:
        versions = [v for (v,) in db.execute(
            "SELECT json_extract(payload, '$.version') FROM events "
            "WHERE kind = 'building_edited' ORDER BY seq")]  # fmt: skip
    assert versions == [1, 3, 4]


async def test_the_exported_live_building_takes_the_next_version(start_on, tmp_path: Path) -> None:
    """Started on the exported live building of version 1 (adopted), the building stands at
    version 2, as any start that takes the file over the edits: the next edit is version 3."""
    file = tmp_path / "gedung.toml"
    file.write_text(DEMO_TEXT, encoding="utf-8")
    await quota_cut_to_20(start_on, file)
    live = tmp_path / "live.toml"
    assert export_live_main(str(tmp_path / "antre.db"), str(live)) == 0
    server = await start_on(live)
    a = await admin(server)
    state = await a.request("admin_state")
    assert state["version"] == 2
    line = next(e["value"] for e in state["entities"]["line"] if e["target"] == "line:K")
    reply = await a.request("admin_edit", target="line:K", before=line,
                            after={**line, "quota_walk_in": 25}, version=2)  # fmt: skip
    assert reply["version"] == 3


async def test_edits_csv_marks_the_edits_take_file_dropped(start_on, tmp_path: Path) -> None:
    """Version 1 taken back into the file (its export, started as it is: the file's building
    is version 2) stays; version 3, dropped by a `--take-file` start (the file's building
    version 4), reads `dropped` "ya" in edits.csv; version 5 made after it stays
    (docs/reports.md, edits.csv)."""
    file = tmp_path / "gedung.toml"
    file.write_text(DEMO_TEXT, encoding="utf-8")
    await quota_cut_to_20(start_on, file)  # version 1
    live = tmp_path / "live.toml"
    assert export_live_main(str(tmp_path / "antre.db"), str(live)) == 0

    async def quota(server: Server, old: int, new: int, version: int) -> None:
        a = await admin(server)
        state = await a.request("admin_state")
        line = next(e["value"] for e in state["entities"]["line"] if e["target"] == "line:K")
        assert line["quota_walk_in"] == old
        await a.request("admin_edit", target="line:K", before=line,
                        after={**line, "quota_walk_in": new}, version=version)  # fmt: skip
        await start_on.stop()  # type: ignore[attr-defined]

    await quota(await start_on(live), 20, 30, 2)  # version 3
    live.write_text(live.read_text().replace("Selamat datang", "Halo, selamat datang"))
    await quota(await start_on(live, take_file=True), 20, 40, 4)  # version 5

    out = tmp_path / "out"
    with contextlib.redirect_stdout(io.StringIO()):
        rc = report_main(["--day", "2026-11-23", "--db", str(tmp_path / "antre.db"),
                          "--out", str(out)])  # fmt: skip
    assert rc == 0
    with (out / "edits.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["version"], r["change"], r["dropped"]) for r in rows] == [
        ("1", "Kuota harian K: 60 → 20", ""),
        ("3", "Kuota harian K: 20 → 30", "ya"),
        ("5", "Kuota harian K: 20 → 40", ""),
    ]
