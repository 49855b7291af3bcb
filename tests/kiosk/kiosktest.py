"""Helpers for the kiosk tests: a loopback ESC/POS printer, the kiosk app, polling, screen text.

`LoopbackPrinter` is a TCP server on 127.0.0.1 that records the bytes of every connection and
answers DLE EOT status queries the way an Epson TM printer does, in one of several moods: ready,
paper near its end, no paper, offline (cover open), silent (accepts connections, never answers),
or reset (drops the connection with a RST after N bytes of a job).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from enum import StrEnum
from typing import Any

import pytest
from hubtest import Server, demo_credentials
from textual.pilot import Pilot
from textual.widgets import Button, Static

from kiosk.app import KioskApp, KioskConfig
from kiosk.printer import PrinterSpec, Timeouts, open_printer

__all__ = [
    "TEST_TIMEOUTS",
    "LoopbackPrinter",
    "Mood",
    "alert",
    "choose",
    "click",
    "floor_lines",
    "http_get",
    "kiosk_app",
    "on_screen",
    "printer",
    "screen_text",
    "started",
    "track_screens",
    "until",
]


class Mood(StrEnum):
    READY = "ready"
    NEAR_END = "near_end"
    NO_PAPER = "no_paper"
    OFFLINE = "offline"  # the cover is open
    SILENT = "silent"
    RESET = "reset"


# (DLE EOT 1 printer, DLE EOT 2 offline cause, DLE EOT 4 paper) per mood; bits per Epson's
# reference: fixed bits 0x12; 0x08 offline; cause 0x04 cover open, 0x20 paper end; paper 0x0C
# near end, 0x60 out.
_REPLIES: dict[Mood, tuple[int, int, int]] = {
    Mood.READY: (0x12, 0x12, 0x12),
    Mood.NEAR_END: (0x12, 0x12, 0x1E),
    Mood.NO_PAPER: (0x1A, 0x32, 0x72),
    Mood.OFFLINE: (0x1A, 0x16, 0x12),
    Mood.RESET: (0x12, 0x12, 0x12),
}


class LoopbackPrinter:
    """A fake network printer on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        self.mood = Mood.READY
        self.reset_after = 64  # bytes of job data before a RESET printer drops the connection
        # Each connection's data, status queries taken out; filled as it arrives, so a job is
        # here by the time the printer has answered the status query that follows it.
        self._received: list[bytearray] = []
        self.queries: list[int] = []  # every DLE EOT n received, in order
        self.connections = 0
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def spec(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def jobs(self) -> list[bytes]:
        return [bytes(data) for data in self._received]

    @property
    def tickets(self) -> list[bytes]:
        """The jobs that carried data (not bare status checks)."""
        return [job for job in self.jobs if job]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        data = bytearray()
        self._received.append(data)
        buf = b""
        try:
            while True:
                chunk = await reader.read(4096)
                if not chunk:
                    return
                buf += chunk
                i = 0
                while i < len(buf):
                    if buf[i] == 0x10:
                        if len(buf) - i < 3:
                            break  # the rest of a DLE EOT is still on its way
                        if buf[i + 1] == 0x04:
                            self._answer(writer, buf[i + 2])
                            i += 3
                            continue
                    data.append(buf[i])
                    i += 1
                    if self.mood is Mood.RESET and len(data) >= self.reset_after:
                        # SO_LINGER 0: closing sends a RST, as a printer that reboots mid-job.
                        sock = writer.get_extra_info("socket")
                        sock.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                        writer.transport.abort()
                        return
                buf = buf[i:]
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def _answer(self, writer: asyncio.StreamWriter, n: int) -> None:
        self.queries.append(n)
        if self.mood is Mood.SILENT:
            return
        printer, cause, paper = _REPLIES[self.mood]
        writer.write(bytes([{1: printer, 2: cause, 4: paper}.get(n, 0x12)]))


@pytest.fixture
async def printer() -> AsyncIterator[LoopbackPrinter]:
    lp = LoopbackPrinter()
    await lp.start()
    yield lp
    await lp.stop()


# Longer than the real status timeout (1 s): `make test` runs four workers on two cores, and at a
# load of ~7 a loopback printer's answer took over a second — a "silent" printer that was not.
# Only the few tests of a silent printer wait this long.
TEST_TIMEOUTS = Timeouts(connect_s=3.0, status_s=3.0, write_s=3.0)


def kiosk_app(
    server: Server, printer_spec: str, token: str | None = None, **config: Any
) -> KioskApp:
    """A kiosk for KIOSK-1 of the demo building, with test-sized times unless given."""
    defaults: dict[str, Any] = {
        "idle_timeout_s": 60.0,
        "result_timeout_s": 60.0,
        "printer_check_s": 60.0,  # the tests ask the printer through presses, not the clock
        "printer_recheck_s": 0.1,
        "outage_grace_s": 0.0,
        "issue_timeout_s": 10.0,  # a busy test machine is not a server that went away
        "backoff_max_s": 0.3,
    }
    token = token or demo_credentials()["KIOSK-1"]
    cfg = KioskConfig(server.url, token, **(defaults | config))
    device = open_printer(PrinterSpec.parse(printer_spec))
    if hasattr(device, "timeouts"):
        device.timeouts = replace(TEST_TIMEOUTS)
    return KioskApp(cfg, device)


# How long a condition may take to hold before the test fails. A bound, not a pace: a passing
# test waits only as long as the app takes. 10 s was hit under a load of ~9 (several suites
# sharing two cores), never on an idle machine; 30 s keeps a stalled test from passing while
# a busy one does not fail for it.
PATIENCE_S = 30.0


async def until(
    pilot: Pilot[Any], condition: Callable[[], Any], what: str = "", timeout: float = PATIENCE_S
) -> None:
    """Wait (letting the app run) until `condition()` holds; fail after `timeout` seconds.

    pilot.pause() does not wait for network round trips: the state is polled instead.
    """
    try:
        async with asyncio.timeout(timeout):
            while not condition():
                await pilot.pause(0.02)
    except TimeoutError:
        app = pilot.app
        raise AssertionError(
            f"timed out waiting for {what or condition}; screen {type(app.screen).__name__}: "
            f"{screen_text(app)!r}"
        ) from None


def screen_text(app: KioskApp) -> str:
    """Every word on the current screen (Statics and button labels), one widget a line."""
    parts: list[str] = []
    for widget in app.screen.query("*"):
        if isinstance(widget, Button):
            parts.append(widget.label.plain)
        elif isinstance(widget, Static):
            parts.append(str(widget.render()))
    return "\n".join(p for p in parts if p)


async def floor_lines(server: Server) -> dict[str, dict[str, Any]]:
    """The line figures as the floor manager sees them now, by prefix."""
    clients = [c for c in server.clients if c.welcome and c.welcome.get("role") == "floor"]
    floor = clients[0] if clients else await server.client("LANTAI")
    return {view["prefix"]: view for view in await floor.list_lines()}


@contextlib.asynccontextmanager
async def started(app: KioskApp, size: tuple[int, int] = (140, 50)) -> AsyncIterator[Pilot[Any]]:
    """Run the kiosk headless until it shows the agencies, connected and with a printer state."""
    async with app.run_test(size=size) as pilot:
        await until(
            pilot,
            lambda: (
                app.building is not None
                and app.server_ok
                and app.issuer.printer_status is not None
                and type(app.screen).__name__ == "AgencyScreen"
                and bool(app.screen.query(".agency"))
            ),
            "the start screen",
        )
        yield pilot


async def on_screen(pilot: Pilot[Any], name: str, timeout: float = PATIENCE_S) -> None:
    """Wait until the screen class named `name` is on top and has composed its widgets.

    A pushed screen is on top before its children are mounted: reading its words at once
    returned '' on a busy machine, so the screen counts as shown only when it has some.
    """

    def shown() -> bool:
        return type(pilot.app.screen).__name__ == name and bool(screen_text(pilot.app))

    await until(pilot, shown, name, timeout)


async def click(pilot: Pilot[Any], selector: str) -> None:
    """Click a widget of the current screen once it is there and would receive the click.

    Screens compose after a push and lay out after that: under load a click sent to a widget
    already in the DOM but not yet placed lands on whatever is at its corner (the pilot clicks
    the widget's top-left cell), and the test then waits in vain for the next screen.
    """
    await until(pilot, lambda: _clickable(pilot.app, selector), selector)
    await pilot.click(selector)


def _clickable(app: Any, selector: str) -> bool:
    found = app.screen.query(selector)
    if not found:
        return False
    widget = found.first()
    region = widget.region
    if not region.area:
        return False
    try:
        hit, _ = app.get_widget_at(region.x, region.y)
    except Exception:  # outside the screen, or the screen is changing under us
        return False
    return hit is widget or widget in hit.ancestors


async def choose(pilot: Pilot[Any], agency: str, line: str, priority: str | None = "skip") -> None:
    """Click through agency and line (and a priority, unless "skip"), as a citizen does."""
    await click(pilot, f"#agency-{agency}")
    await on_screen(pilot, "LinesScreen")
    await click(pilot, f"#line-{line}")
    await on_screen(pilot, "PriorityScreen")
    if priority != "skip":
        await click(pilot, f"#prio-{priority or 'none'}")


async def alert(floor: Any, status: str, timeout: float = PATIENCE_S) -> dict[str, Any]:
    """The next printer alert with this status that a floor session receives."""
    async with asyncio.timeout(timeout):
        while True:
            msg = await floor.next_message("alert")
            if msg.get("status") == status:
                return msg


async def http_get(server: Server, path: str) -> tuple[int, str]:
    """A plain HTTP GET on the server's port: (status, body)."""
    reader, writer = await asyncio.open_connection(server.running.host, server.running.port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: kiosk-test\r\nConnection: close\r\n\r\n".encode())
    raw = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, body = raw.decode("utf-8", "replace").partition("\r\n\r\n")
    return int(head.split()[1]), body


def track_screens(app: KioskApp) -> list[str]:
    """The names of the screens the app shows from now on, in order (pushed or switched to)."""
    seen: list[str] = []
    push, switch = app.push_screen, app.switch_screen

    def pushed(screen: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(type(screen).__name__)
        return push(screen, *args, **kwargs)

    def switched(screen: Any) -> Any:
        seen.append(type(screen).__name__)
        return switch(screen)

    app.push_screen = pushed  # type: ignore[method-assign]
    app.switch_screen = switched  # type: ignore[method-assign]
    return seen
