"""SIGKILL the real `antre server` process under load, speaking the raw protocol over websockets.

Unlike test_fault_crash.py (which uses AntreClient and its retries), these clients send each
request once on a plain websocket: what is acknowledged is exactly what a minimal third-party
client would have been told.

Two kiosks issue and confirm tickets while two officers on counters sharing line A call, start
and finish them, all over real websockets. The server is killed at a random moment five times,
counted in acknowledgements (a drawn number of tickets and two calls in that life, then up to
0.1 s more), so that a slow machine delays a kill but never lets it land on an idle server; the
moments come from the `rng` fixture, and `ANTRE_TEST_SEED` replays them (tests/conftest.py).
Afterwards the store must hold every ticket and every call that a client was told about, no
number may exist twice, no ticket may have been called twice, and numbering must continue after
the last acknowledged number.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import signal
import sqlite3
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import websockets
from faultkit import MONDAY_0900, Acks, KillMoment, free_port, kill_moments, start_server

from server.config import load_demo_credentials
from server.protocol import WS_PATH, decode, encode, hello_kiosk, hello_officer

KILLS = 5


class Session:
    """One websocket client that sends requests one at a time and waits for their reply."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    async def hello(self, msg: dict[str, Any]) -> None:
        await self.ws.send(encode(msg))
        while (reply := decode(await self.ws.recv()))["type"] != "synced":
            assert reply["type"] != "error", reply

    async def request(self, kind: str, **fields: Any) -> dict[str, Any]:
        ref = next(self.ids)
        await self.ws.send(encode({"type": kind, "id": ref, **fields}))
        while True:
            reply = decode(await self.ws.recv())
            if reply.get("ref") == ref and reply["type"] in ("ok", "error"):
                return reply


async def kiosk_loop(url: str, token: str, acks: Acks) -> None:
    async with websockets.connect(url) as ws:
        s = Session(ws)
        await s.hello(hello_kiosk(token))
        for n in itertools.count():
            line = "A" if n % 3 else "B"
            reply = await s.request("issue_ticket", request_id=str(uuid.uuid4()), line=line)
            if reply["type"] == "ok":
                ticket = reply["ticket"]
                acks.issued[ticket["id"]] = ticket["number"]
                done = await s.request(
                    "confirm_printed", request_id=str(uuid.uuid4()), ticket=ticket["id"]
                )
                if done["type"] == "ok":
                    acks.printed.add(ticket["id"])
            await asyncio.sleep(0.1)  # stay under the per-connection request rate


async def officer_loop(url: str, counter: str, officer: str, pin: str, acks: Acks) -> None:
    async with websockets.connect(url) as ws:
        s = Session(ws)
        await s.hello(hello_officer(counter, officer, pin))
        # After a restart the counter is still logged in and open: these may be refused.
        await s.request("login", request_id=str(uuid.uuid4()))
        await s.request("open_counter", request_id=str(uuid.uuid4()))
        while True:
            reply = await s.request("call_next", request_id=str(uuid.uuid4()))
            if reply["type"] == "ok":
                acks.calls.append((reply["ticket"]["id"], counter))
            await s.request("start_service", request_id=str(uuid.uuid4()))
            await s.request("finish_service", request_id=str(uuid.uuid4()))
            await asyncio.sleep(0.15)


async def load_until_killed(
    port: int, proc: subprocess.Popen[bytes], acks: Acks, moment: KillMoment, life: int
) -> tuple[int, int]:
    """Load the server until `moment`, SIGKILL it; the tickets and calls acknowledged first."""
    url = f"ws://127.0.0.1:{port}{WS_PATH}"
    creds = load_demo_credentials()
    clients = [
        kiosk_loop(url, creds["KIOSK-1"], acks),
        kiosk_loop(url, creds["KIOSK-2"], acks),
        officer_loop(url, "L01", "DKP01", creds["DKP01"], acks),
        officer_loop(url, "L02", "DKP02", creds["DKP02"], acks),
    ]
    tasks = [asyncio.create_task(c) for c in clients]
    acknowledged = await moment.wait(acks, life)  # (on a stall, asyncio.run cancels the clients)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # Every client must now fail with a closed connection; nothing else is acceptable.
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        assert isinstance(result, websockets.exceptions.WebSocketException | OSError), result
    return acknowledged


def called_counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT payload FROM events WHERE kind = 'ticket_called'").fetchall()
    finally:
        con.close()
    counts: dict[str, int] = {}
    for (payload,) in rows:
        ticket = json.loads(payload)["ticket"]
        counts[ticket] = counts.get(ticket, 0) + 1
    return counts


def test_sigkill_under_load_loses_nothing_acknowledged(tmp_path: Path, rng: random.Random) -> None:
    """Five SIGKILLs of a loaded server: every acknowledged ticket and call is on disk."""
    db, log, port = tmp_path / "antre.db", tmp_path / "server.log", free_port()
    acks = Acks()
    # About as many tickets per life as the one-to-two-second waits of old gave on an idle machine.
    moments = kill_moments(rng, KILLS, tickets=(5, 50), calls=2)
    per_life: list[tuple[int, int]] = []  # (tickets, calls) acknowledged before each kill
    for kill, moment in enumerate(moments):
        # Each life starts its clock later than the last ended, as a real clock would.
        proc = start_server(db, port, MONDAY_0900 + timedelta(minutes=5 * kill), log)
        try:
            per_life.append(asyncio.run(load_until_killed(port, proc, acks, moment, kill + 1)))
        finally:
            if proc.poll() is None:  # a life that stalled: leave no server behind
                proc.kill()
                proc.wait()

    print(f"{KILLS} kills: {len(acks.issued)} tickets, {len(acks.calls)} calls acknowledged")
    # Every kill landed under load: its life had acknowledged its drawn tickets (5 or more) and
    # two calls, however slowly the machine went.
    assert all(map(KillMoment.under_load, moments, per_life)), ("too little load", per_life)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT id, number, state FROM tickets").fetchall()
    finally:
        con.close()
    on_disk = {tid: (number, state) for tid, number, state in rows}

    missing = [tid for tid in acks.issued if tid not in on_disk]
    assert not missing, f"acknowledged tickets lost: {missing}"
    assert all(on_disk[tid][0] == number for tid, number in acks.issued.items())
    unconfirmed = [tid for tid in acks.printed if on_disk[tid][1] == "printing"]
    assert not unconfirmed, f"acknowledged prints lost: {unconfirmed}"

    numbers = [number for number, _state in on_disk.values()]
    assert len(numbers) == len(set(numbers)), "a number was issued twice"

    counts = called_counts(db)
    assert all(n == 1 for n in counts.values()), f"called twice: {counts}"
    for tid, _counter in acks.calls:
        assert counts.get(tid) == 1, f"acknowledged call of {tid} lost"

    # Numbering continues after the last acknowledged number, also after the last crash.
    proc = start_server(db, port, MONDAY_0900 + timedelta(minutes=5 * KILLS), log)
    try:

        async def one_more() -> str:
            async with websockets.connect(f"ws://127.0.0.1:{port}{WS_PATH}") as ws:
                s = Session(ws)
                await s.hello(hello_kiosk(load_demo_credentials()["KIOSK-1"]))
                reply = await s.request("issue_ticket", request_id="after-crash", line="A")
                assert reply["type"] == "ok", reply
                return str(reply["ticket"]["number"])

        number = asyncio.run(one_more())
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    highest_a = max(int(n.split("-")[1]) for n in numbers if n.startswith("A-"))
    assert int(number.split("-")[1]) > highest_a
    assert proc.returncode == 0, "the server did not stop cleanly on SIGTERM"
