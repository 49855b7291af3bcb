"""The console through races, lost replies, server restarts and console restarts."""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta
from pathlib import Path
from typing import Any

from countertest import (
    SIZE,
    at_work,
    call_and_start,
    events_of,
    free_port,
    issue,
    log_in,
    server_process,
    text,
    ticket_of,
    until,
)
from hubtest import MONDAY_9AM, FakeClock, Server, hello_for

from counter.app import CounterApp
from server.client import AntreClient


def offline(app: CounterApp) -> bool:
    """The red "disconnected" marker is on screen."""
    return app.screen_stack[0].has_class("-offline") and "Terputus" in text(app, "connection")


async def test_two_consoles_sharing_a_line_never_get_the_same_ticket(server: Server) -> None:
    """Loket 1 and Loket 2 both serve line A; pressed together, they call different numbers."""
    await issue(server, "A", 4)
    async with at_work(server, "DKP01@L01") as (one, p1), at_work(server, "DKP02@L02") as (two, p2):
        shown: list[str] = []
        for _ in range(2):
            await asyncio.gather(p1.press("n"), p2.press("n"))
            for app, pilot in ((one, p1), (two, p2)):
                await until(pilot, lambda app=app: app.model.active is not None, "a call")
                shown.append(app.model.active["number"])
                assert shown[-1] in text(app, "ticket-detail")
            await asyncio.gather(p1.press("s"), p2.press("s"))
            for app, pilot in ((one, p1), (two, p2)):
                await until(pilot, lambda app=app: "SEDANG" in text(app, "ticket-detail"), "start")
            await asyncio.gather(p1.press("f"), p2.press("f"))
            for app, pilot in ((one, p1), (two, p2)):
                await until(pilot, lambda app=app: app.model.active is None, "finish")
    assert sorted(shown) == ["A-001", "A-002", "A-003", "A-004"]
    called = await events_of(server, "ticket_called")
    assert sorted(e.number for e in called) == ["A-001", "A-002", "A-003", "A-004"]


async def test_a_lost_reply_is_retried_with_the_same_request_id_and_acts_once(
    server: Server,
) -> None:
    """The connection dies after the server called a ticket: the retry calls nothing more."""
    await issue(server, "C", 2)
    hub = server.hub
    original = hub.requests.handlers["call_next"]
    seen: list[str] = []

    async def call_then_cut(session: Any, msg: dict[str, Any]) -> dict[str, Any]:
        reply = await original(session, msg)
        seen.append(msg["request_id"])
        if len(seen) == 1:
            session.ws.transport.abort()  # the reply never reaches the console
        return reply

    hub.requests.handlers["call_next"] = call_then_cut
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await pilot.press("n")
        await until(pilot, lambda: len(seen) == 2, "the retry after the reconnect")
        await until(pilot, lambda: "C-001 dipanggil ke Loket 5" in text(app, "notice"), "call")
        assert "C-001" in text(app, "ticket-detail") and not offline(app)
    assert seen[0] == seen[1]
    assert [e.number for e in await events_of(server, "ticket_called")] == ["C-001"]
    assert ticket_of(server, "C-002").state.value == "waiting"


async def test_server_restart_mid_service_resumes_the_same_ticket_and_timer(
    start_server, tmp_path, clock: FakeClock
) -> None:
    """Killed mid-service, the server restarts; the console shows the same ticket and timer."""
    db = str(tmp_path / "antre.db")
    server = await start_server(db=db)
    port = server.running.port
    await issue(server, "C")
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await call_and_start(pilot, "C-001")
        assert "SEDANG DILAYANI  00:00" in text(app, "ticket-detail")

        await start_server.stop(server)
        await until(pilot, lambda: offline(app), "the disconnected marker")
        assert "SEDANG DILAYANI" in text(app, "ticket-detail")  # the last picture stays
        clock.advance(90)
        server = await start_server(db=db, port=port)
        await until(pilot, lambda: not offline(app), "the reconnect")
        # The timer runs on the server's clock, learnt again at the new welcome.
        await until(pilot, lambda: "SEDANG DILAYANI  01:30" in text(app, "ticket-detail"), "timer")
        assert "C-001" in text(app, "ticket-detail")

        await start_server.stop(server)
        await until(pilot, lambda: offline(app), "the second outage")
        await pilot.press("f")  # pressed while the server is away: sent once it is back
        assert app.pending is not None
        server = await start_server(db=db, port=port)
        await until(pilot, lambda: "C-001 selesai dilayani" in text(app, "notice"), "finish")
        assert not offline(app) and app.model.active is None
    finished = await events_of(server, "service_finished")
    assert [e.ticket for e in finished] == [ticket_of(server, "C-001").id]


async def test_a_restarted_console_shows_the_ticket_being_served_and_its_timer(
    server: Server, clock: FakeClock
) -> None:
    """A console closed mid-service and opened again finds the same ticket, timer running."""
    await issue(server, "C", 2, priority="lansia")
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await call_and_start(pilot, "C-001")
    assert server.engine.state.counters["L05"].officer == "DKP01"  # closing is no logout
    clock.advance(125)
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await until(pilot, lambda: "C-001" in text(app, "ticket-detail"), "the same ticket")
        detail = text(app, "ticket-detail")
        assert "SEDANG DILAYANI  02:05" in detail and "Lansia" in detail
        await until(pilot, lambda: "C-002★" in text(app, "next"), "the next numbers")
        await pilot.press("f")
        await until(pilot, lambda: app.model.active is None, "finish")
    assert ticket_of(server, "C-001").state.value == "done"


async def test_sigkilled_server_process_comes_back_to_the_same_ticket(tmp_path: Path) -> None:
    """SIGKILL the real server mid-service: the console reconnects to the same ticket."""
    db, log, port = tmp_path / "antre.db", tmp_path / "server.log", free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    proc = await server_process(db, port, MONDAY_9AM, log)
    try:
        async with AntreClient(url, hello_for("KIOSK-1"), heartbeat_s=None) as kiosk:
            ticket = await kiosk.issue_ticket("C")
            await kiosk.confirm_printed(ticket["id"])
        app = CounterApp(url, "L05", client_options={"backoff_initial_s": 0.05})
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "DKP01")
            # As at_work: the console under the login screen shows BUKA from the snapshot a
            # moment before the login completes; keys count only once the officer is in.
            await until(
                pilot,
                lambda: app.logged_in and "BUKA" in text(app, "counter-state"),
                "the open counter",
            )
            await call_and_start(pilot, "C-001")
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            await until(pilot, lambda: offline(app), "the disconnected marker")
            # A real clock moves on while the server is down.
            proc = await server_process(db, port, MONDAY_9AM + timedelta(minutes=5), log)
            await until(pilot, lambda: not offline(app), "the reconnect")
            assert "C-001" in text(app, "ticket-detail")
            assert "SEDANG DILAYANI" in text(app, "ticket-detail")
            await pilot.press("f")
            await until(pilot, lambda: "C-001 selesai dilayani" in text(app, "notice"), "finish")
        async with AntreClient(url, hello_for("LANTAI"), heartbeat_s=None) as floor:
            snap = await floor.snapshot()
        (served,) = [t for t in snap["tickets"] if t["number"] == "C-001"]
        assert served["state"] == "done" and served["calls"] == 1
    finally:
        proc.kill()
        proc.wait()
