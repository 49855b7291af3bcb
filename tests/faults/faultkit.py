"""Helpers for the fault tests: the real `antre server` process, and clients that keep working.

Clients are `AntreClient`s, the reconnecting and resuming client the kiosk, counter and floor
apps use: a crash of the server is, for them, a lost connection followed by a resume from their
last sequence number. What they were acknowledged is recorded in `Acks`: the truth the store
must hold after any crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from server import protocol as p
from server.client import AntreClient, ConnectionState, RequestError
from server.config import load_demo_credentials

__all__ = [
    "MONDAY_0900",
    "Acks",
    "Crew",
    "KillMoment",
    "Watcher",
    "called_events",
    "check_store",
    "demo_hello",
    "free_port",
    "health",
    "kill_moments",
    "kiosk_loop",
    "officer_loop",
    "quick_client",
    "serving",
    "start_server",
    "stop_server",
]

MONDAY_0900 = datetime.fromisoformat("2026-11-23T09:00:00+07:00")


@dataclass
class Acks:
    """What clients were told, i.e. what must survive any crash."""

    issued: dict[str, str] = field(default_factory=dict)  # ticket id -> number
    printed: set[str] = field(default_factory=set)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (ticket id, counter)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def health(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
        return json.loads(r.read())


def start_server(
    db: Path,
    port: int,
    clock: datetime,
    log: Path,
    *,
    file_size_limit: int | None = None,
    wrap: Sequence[str] = (),
) -> subprocess.Popen[bytes]:
    """`antre server` on the demo building, its clock starting at `clock`; wait for /healthz.

    `file_size_limit` (bytes) is the process's RLIMIT_FSIZE: no file it writes may grow past
    it, which is what a full disk looks like to SQLite (a write that cannot be completed).
    `wrap` goes before the command (strace); the process returned is then the wrapper.
    """
    cmd = [*wrap, sys.executable, "-m", "server.cli", "server", "--db", str(db)]
    cmd += ["--port", str(port), "--clock", clock.isoformat()]

    def limit_files() -> None:  # runs in the child, before exec
        assert file_size_limit is not None
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    preexec = None if file_size_limit is None else limit_files
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, preexec_fn=preexec)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            health(port)
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"server did not start:\n{log.read_text(errors='replace')}")


async def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM a server still running and wait for it; kill it if it hangs (and fail)."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.to_thread(proc.wait, 20)
    except subprocess.TimeoutExpired:
        proc.kill()  # never leave a server behind a failed test
        raise


async def serving(
    acks: Acks, life: int, *, tickets: int = 1, calls: int = 1, stall_s: float = 60.0
) -> None:
    """Return once `tickets` tickets and `calls` calls more are acknowledged than when called.

    A count, not a time: a busy machine only takes longer. It fails only when nothing at all is
    acknowledged for `stall_s` seconds, that is when the server stopped serving.
    """
    loop = asyncio.get_running_loop()
    start = (len(acks.issued), len(acks.calls))
    seen, last_progress = start, loop.time()
    while len(acks.issued) - start[0] < tickets or len(acks.calls) - start[1] < calls:
        now = (len(acks.issued), len(acks.calls))
        if now != seen:
            seen, last_progress = now, loop.time()
        elif loop.time() - last_progress > stall_s:
            raise AssertionError(
                f"life {life}: nothing acknowledged for {stall_s} s "
                f"({now[0] - start[0]} of {tickets} tickets, {now[1] - start[1]} of {calls} calls)"
            )
        await asyncio.sleep(0.02)


@dataclass(frozen=True)
class KillMoment:
    """When a fault strikes, in acknowledgements: after this life has acknowledged `tickets`
    tickets and `calls` calls, and then `then_s` seconds more, so that it lands anywhere in a
    request's path (the load goes on meanwhile)."""

    tickets: int
    calls: int
    then_s: float

    async def wait(self, acks: Acks, life: int) -> tuple[int, int]:
        """Wait for this moment; return the tickets and calls acknowledged meanwhile."""
        before = len(acks.issued), len(acks.calls)
        await serving(acks, life, tickets=self.tickets, calls=self.calls)
        await asyncio.sleep(self.then_s)
        return len(acks.issued) - before[0], len(acks.calls) - before[1]

    def under_load(self, acknowledged: tuple[int, int]) -> bool:
        """Whether a life that acknowledged so much before its kill was killed under load."""
        return acknowledged[0] >= self.tickets and acknowledged[1] >= self.calls


def kill_moments(
    rng: random.Random, n: int, tickets: tuple[int, int], calls: int = 1, then_s: float = 0.1
) -> list[KillMoment]:
    """`n` moments, drawn from `rng` (the seeded fixture) and printed, so a failure replays."""
    moments = [
        KillMoment(rng.randint(*tickets), calls, round(rng.uniform(0, then_s), 3)) for _ in range(n)
    ]
    print(
        "kill moments (tickets, calls, then s):",
        [(m.tickets, m.calls, m.then_s) for m in moments],
    )
    return moments


def quick_client(url: str, hello: dict[str, Any], **kwargs: Any) -> AntreClient:
    """A client that reconnects fast (tests restart servers in well under a second)."""
    kwargs.setdefault("heartbeat_s", None)
    kwargs.setdefault("backoff_initial_s", 0.05)
    kwargs.setdefault("backoff_max_s", 0.5)
    kwargs.setdefault("request_timeout_s", 60)
    return AntreClient(url, hello, **kwargs)


async def kiosk_loop(client: AntreClient, acks: Acks, stop: asyncio.Event) -> None:
    """Issue and confirm tickets (lines A, B and D) until told to stop.

    A and B have daily quotas (300 and 200 in the demo building) that a long run uses up within
    seconds; D has none, so the load goes on however long the run.
    """
    n = 0
    while not stop.is_set():
        n += 1
        pause = 0.03
        try:
            ticket = await client.issue_ticket("ABD"[n % 3], request_id=uuid.uuid4().hex)
            acks.issued[ticket["id"]] = ticket["number"]
            await client.confirm_printed(ticket["id"])
            acks.printed.add(ticket["id"])
        except RequestError:
            # A quota used up, or a reservation that expired while the server was down: slow
            # down rather than trip the kiosk's request-rate limit.
            pause = 0.2
        await asyncio.sleep(pause)


async def officer_loop(client: AntreClient, counter: str, acks: Acks, stop: asyncio.Event) -> None:
    """Log in, open, then call, start and finish until told to stop."""
    for kind in ("login", "open_counter"):
        with contextlib.suppress(RequestError):  # already done in an earlier life
            await client.act(kind)
    while not stop.is_set():
        try:
            reply = await client.act("call_next")
        except RequestError as refused:
            if refused.code == "counter_busy":
                # A ticket is still called or being served here: a finish refused earlier (the
                # rate limit, say) left it. The officer sees it on the console and finishes it.
                await _finish_active(client)
            else:
                await asyncio.sleep(0.05)  # nothing waiting yet
            continue
        acks.calls.append((reply["ticket"]["id"], counter))
        await _finish_active(client)
        await asyncio.sleep(0.03)


async def _finish_active(client: AntreClient) -> None:
    """Start and finish the counter's active ticket; a step already done is refused, harmlessly."""
    for kind in ("start_service", "finish_service"):
        with contextlib.suppress(RequestError):
            await client.act(kind)


class Crew:
    """Two kiosks and two officers (L01 on line A, L06 on C and D) of the demo building.

    `start` connects them and sets them working (`kiosk_loop`, `officer_loop`); they go on across
    server restarts, as the apps do. `finish` stops the work and brings every client up to the
    store's last sequence number; `close` (in a `finally`) ends everything.
    """

    def __init__(self, url: str, acks: Acks) -> None:
        self.acks = acks
        self.kiosks = [quick_client(url, demo_hello(k)) for k in ("KIOSK-1", "KIOSK-2")]
        seats = (("L01", "DKP01"), ("L06", "DKP02"))
        self.officers = {c: quick_client(url, demo_hello(f"{o}@{c}")) for c, o in seats}
        self.clients = [*self.kiosks, *self.officers.values()]
        self.stop = asyncio.Event()
        self.work: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await asyncio.gather(*(c.connect(timeout=30) for c in self.clients))
        self.work += [asyncio.create_task(kiosk_loop(k, self.acks, self.stop)) for k in self.kiosks]
        self.work += [
            asyncio.create_task(officer_loop(c, cid, self.acks, self.stop))
            for cid, c in self.officers.items()
        ]

    async def finish(self, port: int) -> tuple[int, list[int]]:
        """Stop working; (the server's last seq, each client's position after a final ping)."""
        self.stop.set()
        await asyncio.wait_for(asyncio.gather(*self.work), 60)
        for c in self.clients:
            await c.wait_connected(timeout=30)
            await c.ping()  # a pong moves the position up to the store's last seq
        return health(port)["seq"], [c.last_seq for c in self.clients]

    async def close(self) -> None:
        self.stop.set()
        for task in self.work:
            task.cancel()
        for c in self.clients:
            await c.close()


class Watcher:
    """A display (or any client) that records every event and every welcome it gets."""

    def __init__(self, url: str, hello: dict[str, Any]) -> None:
        self.seqs: list[int] = []  # every event's seq, in arrival order, across connections
        self.calls: list[str] = []  # ticket ids of ticket_called events, in arrival order
        self.resumes: list[str] = []  # welcome["resume"] of each connection
        self.client = quick_client(url, hello, on_message=self._on_message, on_state=self._on_state)

    def _on_message(self, msg: dict[str, Any]) -> None:
        if msg.get("type") == "event":
            self.seqs.append(msg["seq"])
            if msg["event"].get("kind") == "ticket_called":
                self.calls.append(msg["event"]["ticket"])

    def _on_state(self, state: ConnectionState) -> None:
        if state is ConnectionState.CONNECTED and self.client.welcome is not None:
            self.resumes.append(self.client.welcome["resume"])


def called_events(db: Path) -> list[tuple[str, str]]:
    """(ticket id, counter) of every ticket_called event in the store, in seq order."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT payload FROM events WHERE kind = 'ticket_called' ORDER BY seq"
        ).fetchall()
    finally:
        con.close()
    return [(json.loads(r[0])["ticket"], json.loads(r[0])["counter"]) for r in rows]


def check_store(db: Path, acks: Acks) -> list[tuple[str, str]]:
    """Assert the store keeps every promise made to clients; return its calls (`called_events`).

    The store is intact; every acknowledged ticket is on disk with its number and every
    acknowledged print is no longer "printing"; no number was issued twice on a line and day;
    no ticket was called twice, and every acknowledged call is there.
    """
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = con.execute("SELECT id, day, line, number, state FROM tickets").fetchall()
    finally:
        con.close()
    on_disk = {r[0]: r for r in rows}
    assert not [t for t in acks.issued if t not in on_disk], "acknowledged tickets lost"
    assert all(on_disk[t][3] == n for t, n in acks.issued.items()), "a number changed"
    assert not [t for t in acks.printed if on_disk[t][4] == "printing"], "acked prints lost"
    numbers = [(r[1], r[2], r[3]) for r in rows]
    assert len(numbers) == len(set(numbers)), "a number was issued twice"
    calls = called_events(db)
    called = [t for t, _c in calls]
    assert len(called) == len(set(called)), "a ticket was called twice"
    assert all(t in set(called) for t, _c in acks.calls), "an acknowledged call was lost"
    return calls


def demo_hello(who: str) -> dict[str, Any]:
    """The hello of a demo principal: "KIOSK-1", "TV-1", "DKP01@L01", "LANTAI"."""
    creds = load_demo_credentials()
    if who.startswith("KIOSK"):
        return p.hello_kiosk(creds[who])
    if who.startswith("TV"):
        return p.hello_display(creds[who])
    if "@" in who:
        officer, counter = who.split("@")
        return p.hello_officer(counter, officer, creds[officer])
    return p.hello_manager(who, creds[who])
