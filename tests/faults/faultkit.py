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
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
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
    "Watcher",
    "called_events",
    "demo_hello",
    "free_port",
    "health",
    "kiosk_loop",
    "officer_loop",
    "quick_client",
    "start_server",
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


def start_server(db: Path, port: int, clock: datetime, log: Path) -> subprocess.Popen[bytes]:
    """`antre server` on the demo building, its clock starting at `clock`; wait for /healthz."""
    cmd = [sys.executable, "-m", "server.cli", "server", "--db", str(db)]
    cmd += ["--port", str(port), "--clock", clock.isoformat()]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
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
