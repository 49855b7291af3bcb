"""Helpers for the counter console tests: a console on a test server, polling, reading it."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hubtest import MONDAY_9AM, Server, demo_building, demo_credentials
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from counter.app import CounterApp
from counter.screens import PickScreen
from counter.view import ConsoleModel

__all__ = [
    "NINE",
    "SIZE",
    "SNAPSHOT",
    "at_work",
    "building_closing_freely",
    "call_and_start",
    "choose",
    "console",
    "ev",
    "events_of",
    "free_port",
    "issue",
    "log_in",
    "model",
    "picker",
    "screen_text",
    "server_process",
    "text",
    "ticket_of",
    "type_choice",
    "until",
]

SIZE = (120, 34)


def console(server: Server, counter: str, **kwargs) -> CounterApp:
    """A console for one counter of the test server, quick to reconnect, on the server's clock."""
    kwargs.setdefault("client_options", {"backoff_initial_s": 0.05, "backoff_max_s": 0.2})
    kwargs.setdefault("clock", lambda: MONDAY_9AM)
    return CounterApp(server.url, counter, **kwargs)


def building_closing_freely():
    """The demo building without `[policy] closure_approval` (the demo turns it on): an
    officer closes their counter, or logs out, on their own in service hours (same PINs)."""
    building = demo_building()
    policy = dataclasses.replace(building.policy, closure_approval=False)
    return dataclasses.replace(building, policy=policy)


def text(app: CounterApp, widget_id: str) -> str:
    """The text a console widget shows now."""
    return str(app.part(widget_id).render())


def screen_text(app: CounterApp) -> str:
    """Everything the main console shows, for assertion messages."""
    parts = ("identity", "counter-state", "connection", "ticket-detail", "lines", "next", "notice")
    return "\n".join(f"{p}: {text(app, p)}" for p in parts)


async def until(
    pilot: Pilot, check: Callable[[], object], what: str = "", timeout: float = 10
) -> None:
    """Poll until `check()` is true: pilot.pause() does not wait for network round trips."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            app = pilot.app
            assert isinstance(app, CounterApp)
            raise AssertionError(f"timed out waiting for {what}\n{screen_text(app)}")
        await pilot.pause(0.02)


async def call_and_start(pilot: Pilot, number: str) -> None:
    """Press N, wait for the call on the console, press S: one key at a time, as an officer
    reads the console. A key pressed while the last action is unanswered is refused (`pending`),
    and on a busy machine the answer can come after the next key."""
    app = pilot.app
    assert isinstance(app, CounterApp)
    await pilot.press("n")
    await until(pilot, lambda: app.pending is None and number in text(app, "ticket-detail"), "call")
    await pilot.press("s")
    await until(pilot, lambda: "SEDANG DILAYANI" in text(app, "ticket-detail"), "service")


async def log_in(pilot: Pilot, officer: str, pin: str | None = None) -> None:
    """Type the officer id and PIN on the login screen and press Enter."""
    screen = pilot.app.screen
    screen.query_one("#officer", Input).value = officer
    screen.query_one("#pin", Input).focus()
    await pilot.press(*(pin if pin is not None else demo_credentials()[officer]), "enter")


async def issue(
    server: Server, line: str, count: int = 1, priority: str | None = None
) -> list[str]:
    """Issue and print `count` tickets on a line from KIOSK-1; their numbers."""
    kiosk = next((c for c in server.clients if c.welcome and c.welcome["role"] == "kiosk"), None)
    if kiosk is None:
        kiosk = await server.client("KIOSK-1")
    numbers = []
    for _ in range(count):
        ticket = await kiosk.issue_ticket(line, priority)
        await kiosk.confirm_printed(ticket["id"])
        numbers.append(ticket["number"])
    return numbers


async def picker(pilot: Pilot) -> PickScreen:
    """Wait for the console's picker to be on screen."""
    await until(pilot, lambda: isinstance(pilot.app.screen, PickScreen), "the picker")
    screen = pilot.app.screen
    assert isinstance(screen, PickScreen)
    return screen


async def choose(pilot: Pilot, value: str) -> None:
    """Choose an option of the picker with the arrow keys and Enter."""
    screen = await picker(pilot)
    options = screen.query_one(OptionList)
    options.focus()
    target = options.get_option_index(value)
    await pilot.press("home", *["down"] * target, "enter")
    await until(pilot, lambda: pilot.app.screen is not screen, "the picker to close")


async def type_choice(pilot: Pilot, text_: str) -> None:
    """Type into the picker's line and press Enter."""
    screen = await picker(pilot)
    field = screen.query_one("#pick-text", Input)
    field.focus()
    await pilot.press(*text_, "enter")
    await until(pilot, lambda: pilot.app.screen is not screen, "the picker to close")


@contextlib.asynccontextmanager
async def at_work(server: Server, who: str) -> AsyncIterator[tuple[CounterApp, Pilot]]:
    """A console logged in as "DKP01@L05", its counter open."""
    officer, counter = who.split("@")
    app = console(server, counter)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, officer)
        await until(
            pilot,
            lambda: app.logged_in and "BUKA" in text(app, "counter-state"),
            f"{who} at work",
        )
        yield app, pilot


def ticket_of(server: Server, number: str):
    """Today's ticket with this number, as the server has it."""
    return next(t for t in server.engine.state.tickets.values() if t.number == number)


async def events_of(server: Server, kind: str) -> list:
    """Every committed event of one kind today, oldest first."""
    stored = await server.engine.events_since(0) or []
    return [s.event for s in stored if s.event.kind == kind]


# --------------------------------------------------------------------------------------------
# A console model without a server: an officer snapshot as the hub sends it, cut down.
# --------------------------------------------------------------------------------------------

NINE = MONDAY_9AM


def at(minutes: float) -> str:
    return (NINE + timedelta(minutes=minutes)).isoformat()


def ticket(number: str, state: str = "waiting", **extra: Any) -> dict[str, Any]:
    return {
        "id": f"2026-11-23/{number}",
        "number": number,
        "line": number[0],
        "state": state,
        "priority": None,
        "issued_at": at(0),
        "queued_at": at(0),
        "calls": 0,
        **extra,
    }


# An officer snapshot as the hub sends it, cut down to one agency with two lines.
SNAPSHOT: dict[str, Any] = {
    "type": "snapshot",
    "seq": 10,
    "day": "2026-11-23",
    "building": {
        "agencies": [
            {"code": "DUKCAPIL", "name": "Dinas Dukcapil", "short_name": "Dukcapil"},
            {"code": "SAMSAT", "name": "Samsat", "short_name": "Samsat"},
        ],
        "lines": [
            {"prefix": "C", "agency": "DUKCAPIL", "name": "Akta Kelahiran dan Kematian"},
            {"prefix": "D", "agency": "DUKCAPIL", "name": "Aktivasi IKD dan Konsultasi"},
            {"prefix": "E", "agency": "SAMSAT", "name": "Pajak Kendaraan Tahunan"},
        ],
        "counters": [{"id": "L06", "name": "Loket 6", "agency": "DUKCAPIL", "serves": ["C", "D"]}],
    },
    "lines": [
        {"prefix": "C", "waiting": 2, "waiting_priority": 1, "longest_wait_s": 1260},
        {"prefix": "D", "waiting": 0, "waiting_priority": 0, "longest_wait_s": 0},
    ],
    "counters": [{"id": "L06", "state": "open", "pause_reason": None, "ticket": None}],
    "tickets": [ticket("C-001", priority="lansia"), ticket("C-002")],
    "next": [ticket("C-001", priority="lansia"), ticket("C-002")],
}


def ev(kind: str, minute: float, number: str | None = None, **fields: Any) -> dict[str, Any]:
    """An event in the staff form; `number` fills in the ticket id and number."""
    out = {"kind": kind, "at": at(minute), **fields}
    if number is not None:
        out.update(ticket=f"2026-11-23/{number}", number=number)
    return out


def model() -> ConsoleModel:
    m = ConsoleModel("L06")
    m.apply_welcome({"id": "DKP02", "name": "Budi Santoso", "agency": "DUKCAPIL"})
    m.apply_snapshot(copy.deepcopy(SNAPSHOT))
    return m


# --------------------------------------------------------------------------------------------
# A real `antre server` process, to kill with SIGKILL
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def server_process(db: Path, port: int, clock: datetime, log: Path) -> subprocess.Popen:
    """Start `antre server` on the demo building with its clock at `clock`; wait until healthy."""
    cmd = [sys.executable, "-m", "server.cli", "server", "--db", str(db), "--port", str(port)]
    cmd += ["--clock", clock.isoformat()]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while loop.time() < deadline and proc.poll() is None:
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return proc
        await asyncio.sleep(0.05)
    proc.kill()
    raise AssertionError(f"server did not start:\n{log.read_text(errors='replace')}")
