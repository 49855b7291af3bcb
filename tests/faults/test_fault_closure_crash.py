"""An acknowledged counter-closure request survives a SIGKILL of the real server (issue 23).

A real `antre server` process on the demo building (whose `[policy] closure_approval` is on) is
killed with SIGKILL right after the floor manager's approval of a busy counter was acknowledged,
with another counter's request still pending. After the restart both are in the floor's and the
officers' snapshots as they were, Loket 1 still refuses a call, and the end of its service
closes it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

from faultkit import MONDAY_0900, demo_hello, free_port, quick_client, start_server, stop_server

from server.client import AntreClient, RequestError


def closure(snapshot: dict[str, Any], counter: str) -> dict[str, Any] | None:
    return next(c for c in snapshot["counters"] if c["id"] == counter)["closure"]


async def test_an_acknowledged_approval_and_request_survive_a_sigkill(tmp_path: Path) -> None:
    db, log = tmp_path / "antre.db", tmp_path / "server.log"
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    clients: list[AntreClient] = []

    async def client(who: str) -> AntreClient:
        c = quick_client(url, demo_hello(who))
        clients.append(c)
        await c.connect(timeout=30)
        return c

    proc: subprocess.Popen[bytes] = await asyncio.to_thread(
        start_server, db, port, MONDAY_0900, log
    )
    try:
        kiosk, floor = await client("KIOSK-1"), await client("LANTAI")
        loket1, loket2 = await client("DKP01@L01"), await client("DKP02@L02")
        for officer in (loket1, loket2):
            await officer.act("login")
            await officer.act("open_counter")
        ticket = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(ticket["id"])
        await loket1.act("call_next")
        await loket1.act("request_closure", reason="Gangguan sistem instansi")
        await loket2.act("request_closure", reason="Petugas sakit")
        approved = await floor.act("decide_closure", counter="L01", approve=True)
        os.kill(proc.pid, signal.SIGKILL)  # the very next thing after the acknowledgement
        await asyncio.to_thread(proc.wait)
        before = approved["counter"]["closure"]
        assert before["by"] == "LANTAI" and before["approved_at"] is not None

        proc = await asyncio.to_thread(start_server, db, port, MONDAY_0900, log)
        fresh = await client("LANTAI")
        snapshot = await fresh.snapshot()
        assert closure(snapshot, "L01") == before
        pending = closure(snapshot, "L02")
        assert pending is not None and pending["reason"] == "Petugas sakit"
        assert pending["approved_at"] is None
        assert closure(await loket1.snapshot(), "L01") == before
        try:
            await loket1.act("call_next")
            raise AssertionError("a call at an approved closure went through")
        except RequestError as refusal:
            assert refusal.code == "closure_approved"
        await loket1.act("start_service")
        finished = await loket1.act("finish_service")
        assert [f["event"]["kind"] for f in finished["events"]] == [
            "service_finished",
            "counter_closed",
        ]
    finally:
        for c in clients:
            await c.close()
        await stop_server(proc)
