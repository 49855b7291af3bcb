"""Helpers for the hub tests: a real server on 127.0.0.1, demo building, tmp SQLite, fake clock."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from server import protocol as p
from server.app import Running, serve
from server.client import AntreClient
from server.config import load_demo_building, load_demo_credentials
from server.core.building import Building
from server.core.queue import QueueState
from server.hub import HubLimits
from server.outbox import Timing

WIB = timezone(timedelta(hours=7))
# A Monday that is no holiday in the demo building: the MPP is open 07:30–16:00.
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)


class FakeClock:
    """The engine's and hub's clock; tests move it by hand."""

    def __init__(self, now: datetime = MONDAY_9AM) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@cache
def demo_building() -> Building:
    return load_demo_building()


@cache
def demo_credentials() -> dict[str, str]:
    return load_demo_credentials()


def hello_for(who: str, **extra: Any) -> dict[str, Any]:
    """The hello of a demo principal: "KIOSK-1", "TV-1", "DKP01@L01", "LANTAI", "TABLET-L01"."""
    creds = demo_credentials()
    if who.startswith("KIOSK"):
        return p.hello_kiosk(creds[who]) | extra
    if who.startswith("TABLET"):
        return p.hello_tablet(creds[who]) | extra
    if who.startswith("TV"):
        return p.hello_display(creds[who]) | extra
    if "@" in who:
        officer, counter = who.split("@")
        return p.hello_officer(counter, officer, creds[officer]) | extra
    return p.hello_manager(who, creds[who]) | extra


@dataclass
class Server:
    """A running server plus what tests need to look inside it."""

    running: Running
    clock: FakeClock
    clients: list[AntreClient] = field(default_factory=list)
    raws: list[ClientConnection] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.running.url

    @property
    def engine(self):
        return self.running.engine

    @property
    def hub(self):
        return self.running.hub

    def state_copy(self) -> tuple[int, QueueState]:
        """The committed position and a deep copy of the queue state, to compare later."""
        return self.engine.last_seq, copy.deepcopy(self.engine.state)

    async def client(self, who: str, **kwargs: Any) -> AntreClient:
        """A connected AntreClient for a demo principal, closed at teardown."""
        kwargs.setdefault("heartbeat_s", None)
        kwargs.setdefault("backoff_initial_s", 0.05)
        c = AntreClient(self.url, hello_for(who), **kwargs)
        self.clients.append(c)
        await c.connect(timeout=10)
        return c

    async def raw(self, hello: dict[str, Any] | None = None, **connect_kwargs: Any) -> Raw:
        """A bare websocket, optionally past hello (its welcome…synced frames consumed)."""
        connect_kwargs.setdefault("max_size", 16 * 2**20)
        ws = await websockets.connect(self.url, compression=None, **connect_kwargs)
        self.raws.append(ws)
        raw = Raw(ws)
        if hello is not None:
            await raw.send({**hello, "id": "hello"})
            raw.welcome = await raw.expect("welcome")
            raw.synced = await raw.expect("synced")
        return raw

    async def officer_at_work(self, who: str) -> AntreClient:
        """An officer logged in at an open counter."""
        c = await self.client(who)
        await c.act("login")
        await c.act("open_counter")
        return c


class Raw:
    """A websocket speaking frames directly: for hostile and exact tests."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.welcome: dict[str, Any] | None = None
        self.synced: dict[str, Any] | None = None
        self.seen: list[dict[str, Any]] = []  # every frame received, in order

    async def send(self, msg: Any) -> None:
        await self.ws.send(msg if isinstance(msg, str | bytes) else json.dumps(msg))

    async def recv(self, timeout: float = 5) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            msg = json.loads(await self.ws.recv())
        self.seen.append(msg)
        return msg

    async def expect(self, *types: str, timeout: float = 5) -> dict[str, Any]:
        """The next frame of one of these types, skipping pushed frames of other types."""
        while True:
            msg = await self.recv(timeout)
            if msg.get("type") in types:
                return msg

    async def reply(self, msg: dict[str, Any], timeout: float = 5) -> dict[str, Any]:
        """Send a request and return the frame answering it (matched by ref)."""
        await self.send(msg)
        while True:
            got = await self.recv(timeout)
            if got.get("type") in ("ok", "error", "pong", "snapshot") and got.get("ref") == msg.get(
                "id"
            ):
                return got
            if got.get("type") == "error" and got.get("ref") is None and "id" not in msg:
                return got

    async def closed(self, timeout: float = 10) -> int | None:
        """Read until the server closes; return the close code."""
        with contextlib.suppress(websockets.ConnectionClosed):
            async with asyncio.timeout(timeout):
                while True:
                    self.seen.append(json.loads(await self.ws.recv()))
        return self.ws.close_code


async def until(predicate: Callable[[], bool], what: str, timeout: float = 20) -> None:
    """Wait for a condition of the running server: a bound on a hang, not a timed assertion."""
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.005)
    except TimeoutError:
        raise AssertionError(f"never happened: {what}") from None


StartServer = Callable[..., Awaitable[Server]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def start_server(tmp_path, clock: FakeClock) -> AsyncIterator[StartServer]:
    """Start a server with given HubLimits fields (and `tick_s`: the real ticker, off by default);
    every one started is stopped at teardown."""
    tasks: list[asyncio.Task[None]] = []
    servers: list[Server] = []

    async def start(
        *,
        port: int = 0,
        db: str | None = None,
        tick_s: float | None = None,
        building: Building | None = None,  # another building than the demo (its credentials)
        delivery_timing: Timing | None = None,  # the outbox's retries (tests/outbox/)
        **limits: Any,
    ) -> Server:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[Running] = loop.create_future()
        limits.setdefault("lines_flush_s", 0.01)
        # Tests press buttons faster than people; the rate-limit tests set their own limits.
        limits.setdefault("rate_per_s", 10_000.0)
        limits.setdefault("rate_burst", 10_000.0)
        task = asyncio.create_task(
            serve(
                building or demo_building(),
                db or str(tmp_path / f"antre-{len(tasks)}.db"),
                "127.0.0.1",
                port,
                ready=ready.set_result,
                clock=clock,
                limits=HubLimits(**limits),
                # Tests tick by hand (state must not move on its own), unless they test the ticker.
                tick_s=tick_s,
                delivery_timing=delivery_timing,
            )
        )
        tasks.append(task)
        done, _ = await asyncio.wait({task, ready}, timeout=20, return_when="FIRST_COMPLETED")
        if task in done:
            task.result()  # raises what went wrong
        server = Server(ready.result(), clock)
        servers.append(server)
        return server

    async def stop(server: Server) -> None:
        """Stop one server (its clients stay, to see what they do about it)."""
        task = tasks[servers.index(server)]
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    start.stop = stop  # type: ignore[attr-defined]
    yield start
    for server in servers:
        for c in server.clients:
            await c.close()
        for ws in server.raws:
            with contextlib.suppress(Exception):
                await ws.close()
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def server(start_server: StartServer) -> Server:
    return await start_server()


# One well-formed request of every type (ids exist in the demo building; tickets may not).
EXAMPLES: dict[str, dict[str, Any]] = {
    "ping": {},
    "snapshot": {},
    "list_lines": {},
    "issue_ticket": {"request_id": "r-issue", "line": "A", "priority": None},
    "confirm_printed": {"request_id": "r-conf", "ticket": "A-001"},
    "print_failed": {"request_id": "r-fail", "ticket": "A-001", "reason": "paper_out"},
    "record_reprint": {"request_id": "r-reprint", "ticket": "A-001"},
    "printer_status": {"status": "ok"},
    "check_in": {"request_id": "r-checkin", "code": "K7QM-4TXA"},
    "plan_visit": {"lines": ["B", "J"]},
    "issue_visit": {"request_id": "r-visit", "lines": ["B", "J"]},
    "login": {"request_id": "r-login"},
    "logout": {"request_id": "r-logout"},
    "open_counter": {"request_id": "r-open"},
    "pause_counter": {"request_id": "r-pause", "reason": "istirahat"},
    "resume_counter": {"request_id": "r-resume"},
    "close_counter": {"request_id": "r-close", "counter": "L01"},
    "request_closure": {"request_id": "r-reqclose", "reason": "Gangguan sistem instansi"},
    "withdraw_closure": {"request_id": "r-withdraw"},
    "decide_closure": {"request_id": "r-decide", "counter": "L01", "approve": True},
    "call_next": {"request_id": "r-next"},
    "call_ticket": {"request_id": "r-callt", "ticket": "A-001", "reason": "berkas"},
    "recall": {"request_id": "r-recall"},
    "start_service": {"request_id": "r-start"},
    "finish_service": {"request_id": "r-finish"},
    "no_show": {"request_id": "r-noshow"},
    "transfer": {"request_id": "r-transfer", "line": "E"},
    "reactivate": {"request_id": "r-react", "ticket": "A-001"},
    "booking_holder": {"ticket": "A-001"},
    "add_stop": {"request_id": "r-addstop", "line": "E"},
    "skip_stop": {"request_id": "r-skipstop", "line": "E", "reason": "tidak perlu"},
    "visit": {"ticket": "A-001"},
    "cancel_ticket": {"request_id": "r-cancel", "ticket": "A-001", "reason": "salah layanan"},
    "unlock_pin": {"person": "DKP01"},
    "answer_survey": {"request_id": "r-answer", "ticket": "A-001", "scores": [3] * 9},
    "take_complaint": {"request_id": "r-take", "complaint": "ADU-261123-001"},
    "answer_complaint": {
        "request_id": "r-answerc",
        "complaint": "ADU-261123-001",
        "answer": "Loket ditambah.",
    },
    "close_complaint": {"request_id": "r-closec", "complaint": "ADU-261123-001", "note": "ok"},
    "complaint_contact": {"complaint": "ADU-261123-001"},
    "file_complaint": {"request_id": "r-file", "category": "waktu", "text": "Lama sekali."},
    # Live administration (issue 23): a stale edit (version 0's running text is not "…"),
    # undo of an edit that does not exist, a PIN and a token of nobody, a device of no kind.
    "admin_state": {},
    "admin_edit": {
        "request_id": "r-edit",
        "target": "running_text",
        "before": "…",
        "after": "Selamat datang.",
        "version": 0,
    },
    "admin_undo": {"request_id": "r-undo", "version": 99},
    "admin_history": {"limit": 5},
    "admin_reset_pin": {"request_id": "r-pin", "officer": "NOBODY"},
    "admin_new_device": {"request_id": "r-dev", "kind": "kiosk", "device": "KIOSK-1"},
    "admin_new_token": {"request_id": "r-tok", "device": "NOBODY"},
}

# A demo principal of each role.
ROLE_PRINCIPALS = {
    "kiosk": "KIOSK-1",
    "display": "TV-1",
    "officer": "DKP01@L01",
    "floor": "LANTAI",
    "admin": "ADMIN",
    "tablet": "TABLET-L01",
}
