"""The dashboard against a real server on loopback, fed by scripted kiosk and counter clients."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hubtest import Server, demo_credentials
from keyburst import ENTER, TAB, send_burst
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from display.floor import FloorApp
from display.floor_screens import ConfirmScreen, WaitingScreen
from server.client import AntreClient

SIZE = (220, 60)


def dashboard(server: Server) -> FloorApp:
    """A dashboard logged in as the demo floor manager, on the server's fake clock."""
    return FloorApp(server.url, "LANTAI", demo_credentials()["LANTAI"], clock=server.clock)


async def until(pilot: Pilot, cond: Callable[[], Any], timeout: float = 10.0) -> None:
    """Poll until cond() is true: frames arrive over the network, pause() does not wait."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            if cond():
                return
        except Exception:  # a row not there yet
            pass
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(0.05)


def cells(app: FloorApp, table: str, key: str) -> list[str]:
    """The plain text of one row of a dashboard table."""
    t = (
        app.screen.query_one(f"#{table}", DataTable)
        if table == "waiting"
        else app.query_one(f"#{table}", DataTable)
    )
    return [getattr(c, "plain", str(c)) for c in t.get_row(key)]


def alert_keys(app: FloorApp) -> set[str]:
    table = app.query_one("#alerts", DataTable)
    return {str(k.value) for k in table.rows}


async def issue(kiosk: AntreClient, line: str, n: int = 1) -> list[str]:
    """Issue and print n tickets; their ids."""
    ids = []
    for _ in range(n):
        ticket = await kiosk.issue_ticket(line)
        await kiosk.confirm_printed(ticket["id"])
        ids.append(ticket["id"])
    return ids


async def test_figures_match_the_script(server):
    """Waiting, issued, served, no-show, averages and counter states match what was done."""
    kiosk = await server.client("KIOSK-1")
    officer = await server.officer_at_work("DKP01@L01")
    await issue(kiosk, "A", 3)
    server.clock.advance(600)
    await officer.act("call_next")
    await officer.act("start_service")
    server.clock.advance(480)
    await officer.act("finish_service")
    await officer.act("call_next")
    await officer.act("no_show")
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: cells(app, "lines", "line:A")[2] == "1")
        row = cells(app, "lines", "line:A")
        # waiting, longest, avg wait, avg service, target, issued, served, no-show, cancelled
        assert row[2:11] == ["1", "18:00", "14:00", "8:00", "10:00", "3", "1", "1", "0"]
        assert row[11] == "297" and row[12] == "1/0/3"
        counter = cells(app, "counters", "L01")
        assert counter[2] == "buka" and counter[4] == "DKP01"
        await officer.act("pause_counter", reason="sholat")
        await until(pilot, lambda: cells(app, "counters", "L01")[2].startswith("jeda (sholat)"))


async def test_alerts_start_and_clear(server):
    """Each alert appears when its condition starts and leaves when it ends."""
    kiosk = await server.client("KIOSK-1")
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model.building)
        await issue(kiosk, "E")
        await until(pilot, lambda: "tanpa_loket:E" in alert_keys(app))
        await kiosk.printer_status("paper_out")
        await until(pilot, lambda: "printer:KIOSK-1" in alert_keys(app))
        await kiosk.printer_status("ok")
        await until(pilot, lambda: "printer:KIOSK-1" not in alert_keys(app))
        server.clock.advance(61 * 60)  # past the 60-minute wait threshold
        await until(pilot, lambda: "tunggu:E" in alert_keys(app))
        officer = await server.officer_at_work("SMS01@L08")
        await until(pilot, lambda: "tanpa_loket:E" not in alert_keys(app))
        await officer.act("call_next")
        await until(pilot, lambda: "tunggu:E" not in alert_keys(app))
        await officer.act("start_service")
        server.clock.advance(15 * 60)  # over twice the 7-minute target
        await until(pilot, lambda: "layanan:L08" in alert_keys(app))
        await officer.act("finish_service")
        await until(pilot, lambda: "layanan:L08" not in alert_keys(app))
        await officer.act("pause_counter", reason="istirahat")
        server.clock.advance(31 * 60)
        await until(pilot, lambda: "jeda:L08" in alert_keys(app))
        await officer.act("resume_counter")
        await until(pilot, lambda: "jeda:L08" not in alert_keys(app))


async def _actors(server: Server, kind: str) -> list[str]:
    events = await server.engine._store.load_day(server.clock.now.date())
    return [s.actor for s in events if s.event.kind == kind]


async def test_manager_actions_take_effect_and_are_logged(server):
    """Close a counter, cancel and reactivate a ticket: confirmed, done, logged as the manager."""
    kiosk = await server.client("KIOSK-1")
    officer = await server.officer_at_work("DKP01@L01")
    a1, a2, _a3 = await issue(kiosk, "A", 3)
    await officer.act("call_next")
    await officer.act("no_show")  # A-001 can be reactivated
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: cells(app, "counters", "L01")[2] == "buka")
        # Close L01.
        table = app.query_one("#counters", DataTable)
        app.set_focus(table)
        table.move_cursor(row=table.get_row_index("L01"))
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await until(pilot, lambda: cells(app, "counters", "L01")[2] == "tutup")
        assert server.engine.state.counters["L01"].state.value == "closed"
        # "Open" is the officer's: the dashboard says so and sends nothing.
        await pilot.press("o")
        # Drill into line A and cancel A-002.
        lines = app.query_one("#lines", DataTable)
        app.set_focus(lines)
        lines.move_cursor(row=lines.get_row_index("line:A"))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, WaitingScreen))
        waiting = app.screen.query_one("#waiting", DataTable)
        await until(pilot, lambda: waiting.row_count == 3)
        assert [cells(app, "waiting", k)[1] for k in (a2, a1)] == ["A-002", "A-001"]
        waiting.move_cursor(row=waiting.get_row_index(a2))
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await until(pilot, lambda: server.engine.state.tickets[a2].state.value == "cancelled")
        await until(pilot, lambda: waiting.row_count == 2)
        # Reactivate the no-show A-001.
        waiting.move_cursor(row=waiting.get_row_index(a1))
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await until(pilot, lambda: server.engine.state.tickets[a1].state.value == "waiting")
        await until(pilot, lambda: cells(app, "waiting", a1)[4] == "menunggu")
    assert await _actors(server, "counter_closed") == ["manager:LANTAI"]
    assert await _actors(server, "ticket_cancelled") == ["manager:LANTAI"]
    assert await _actors(server, "ticket_reactivated") == ["manager:LANTAI"]


async def test_reason_tab_enter_typed_in_one_burst_confirms(server):
    """The cancel question's reason, Tab, Enter typed at once (a busy dashboard queues a fast
    typist's keys, as the counter console's login once lost a Tab so): every key lands where it
    was typed, and the ticket is cancelled with the reason as typed (it replaces the prefilled
    one, which is selected when the question opens)."""
    kiosk = await server.client("KIOSK-1")
    (a1,) = await issue(kiosk, "A")
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: cells(app, "lines", "line:A")[2] == "1")
        app.run_action_on_ticket("cancel_ticket", a1, "A-001")
        await until(pilot, lambda: isinstance(app.focused, Input))
        send_burst(app, f"warga pulang sebelum dipanggil{TAB}{ENTER}")
        # The dashboard hears of the cancellation once it is on disk (the engine's state moves
        # before the commit: reading the log right after it could miss the event).
        await until(pilot, lambda: app.model.tickets[a1].state == "cancelled")
    stored = await server.engine.events_since(0) or []
    (event,) = [s.event for s in stored if s.event.kind == "ticket_cancelled"]
    assert event.reason == "warga pulang sebelum dipanggil"


async def test_staffing_hint_on_screen(server):
    """The line's staffing hint on screen is the Erlang C answer for its arrivals and service."""
    kiosk = await server.client("KIOSK-1")
    await issue(kiosk, "A", 12)  # 12 tickets at one instant: 48 per hour over the 15-min floor
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: cells(app, "lines", "line:A")[2] == "12")
        # 48/h at the 10-minute target: a = 8 erlangs; Wq(9) = 13.7 min, Wq(10) = 4.9 min, and
        # the target wait is 30 min, so 9 counters (estimates.py's tests hold the textbook table).
        from server.core.estimates import staffing_hint

        assert staffing_hint(48, 600, 1800) == 9
        assert cells(app, "lines", "line:A")[13] == "9"
