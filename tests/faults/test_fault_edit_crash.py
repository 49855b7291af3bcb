"""SIGKILL a real `antre server` right after it acknowledged a building edit (issue 23): on
restart the edit is there (the event was on disk before the reply), at the same version, and
the building it made is served: the kiosk is refused past the lowered quota."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from faultkit import demo_hello, free_port, quick_client, start_server, stop_server

from server.client import RequestError

MONDAY_0900 = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


async def test_an_acknowledged_edit_survives_sigkill(tmp_path: Path) -> None:
    db, log, port = tmp_path / "antre.db", tmp_path / "server.log", free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    proc = await asyncio.to_thread(start_server, db, port, MONDAY_0900, log)
    try:
        admin = quick_client(url, demo_hello("ADMIN"))
        await admin.connect(timeout=20)
        state = await admin.request("admin_state")
        line = next(e["value"] for e in state["entities"]["line"] if e["target"] == "line:K")
        reply = await admin.request(
            "admin_edit", target="line:K", before=line, after={**line, "quota_walk_in": 1},
            version=0,
        )  # fmt: skip
        assert reply["version"] == 1
        proc.kill()  # SIGKILL, the instant the acknowledgement arrived
        await asyncio.to_thread(proc.wait, 20)
        await admin.close()

        proc = await asyncio.to_thread(start_server, db, port, MONDAY_0900, log)
        admin = quick_client(url, demo_hello("ADMIN"))
        await admin.connect(timeout=20)
        state = await admin.request("admin_state")
        assert state["version"] == 1
        line = next(e["value"] for e in state["entities"]["line"] if e["target"] == "line:K")
        assert line["quota_walk_in"] == 1
        history = (await admin.request("admin_history"))["history"]
        assert [(h["version"], h["target"], h["by"]) for h in history] == [
            (1, "line:K", "manager:ADMIN")
        ]
        kiosk = quick_client(url, demo_hello("KIOSK-1"))
        await kiosk.connect(timeout=20)
        assert (await kiosk.issue_ticket("K"))["number"] == "K-001"
        with pytest.raises(RequestError) as refused:
            await kiosk.issue_ticket("K")
        assert refused.value.code == "quota_exhausted"
        await kiosk.close()
        await admin.close()
    finally:
        if proc.poll() is None:
            await stop_server(proc)
