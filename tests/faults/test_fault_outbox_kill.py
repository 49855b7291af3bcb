"""SIGKILL of a real `antre server` while webhook batches are in flight (issue 21).

The building file is the demo's with a `[[webhooks]]` entry pointing at a real receiver on
127.0.0.1 (tools/webhook_receiver.py, verifying each signature), slow enough that a batch is
always in flight, in batches of five so that there are many. Kiosks and officers keep working
across the kills (faultkit's `Crew`). Each kill lands while the receiver holds a request: it
may have stored the batch without the building hearing the 200. After the last restart every
event of the store has arrived at the receiver, in seq order, once each by id (a re-sent batch
is absorbed by the receiver's dedup), and the destination's position never went backwards nor
ever passed what the receiver had stored.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from faultkit import MONDAY_0900, Acks, Crew, free_port, health, stop_server

from server.config import demo_building_path
from tools.webhook_receiver import WebhookReceiver

SECRET = b"rahasia-webhook-uji-kill-0123456789abcdef"
KILLS = 3


class SlowReceiver(WebhookReceiver):
    """Holds each request `delay_s` before storing its batch and again after, before the 200:
    a kill lands while a batch is in its hands, not yet stored or stored and unanswered."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SECRET)
        self.delay_s = 0.05
        self.holding = {"before": threading.Event(), "after": threading.Event()}

    def answer_first(self, method: str, path: str) -> int | None:
        self._hold("before")  # the request is here, its batch not yet stored
        return None

    def store(self, doc, body) -> None:  # type: ignore[no-untyped-def]
        super().store(doc, body)
        self._hold("after")  # stored: the 200 is not yet on its way

    def _hold(self, when: str) -> None:
        self.holding[when].set()
        threading.Event().wait(self.delay_s)
        self.holding[when].clear()

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        pass  # the building was killed while we answered: expected here


def _building_file(tmp_path: Path, url: str) -> Path:
    (tmp_path / "portal.secret").write_bytes(SECRET + b"\n")
    text = demo_building_path().read_text(encoding="utf-8")
    text += f'\n[[webhooks]]\nid = "PORTAL-KAB"\nurl = "{url}/"\n'
    text += 'secret_file = "portal.secret"\nbatch_size = 5\n'
    path = tmp_path / "gedung.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _start(config: Path, db: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "server.cli", "server", "--config", str(config)]
    cmd += ["--db", str(db), "--port", str(port), "--clock", MONDAY_0900.isoformat()]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            health(port)
            return proc
        except (OSError, ValueError):
            if proc.poll() is not None:
                break
            threading.Event().wait(0.05)
    proc.kill()
    raise AssertionError(f"server did not start:\n{log.read_text(errors='replace')}")


def _position(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT position FROM deliveries WHERE destination = 'PORTAL-KAB'")
        found = row.fetchone()
    return 0 if found is None else int(found[0])


async def test_sigkill_mid_delivery_loses_nothing_and_the_receiver_gets_each_event_once(
    tmp_path: Path,
) -> None:
    receiver = SlowReceiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    config = _building_file(tmp_path, f"http://127.0.0.1:{receiver.server_port}")
    db, port, log = tmp_path / "antre.db", free_port(), tmp_path / "server.log"
    acks = Acks()
    proc = _start(config, db, port, log)
    crew = Crew(f"ws://127.0.0.1:{port}/ws", acks)
    positions: list[int] = []
    try:
        await crew.start()
        for kill in range(1, KILLS + 1):
            # Some work delivered in this life, then a batch in the receiver's hands: stored,
            # its 200 not yet sent (kills 1 and 3), or not yet stored (kill 2). Kill now.
            await asyncio.wait_for(_until_delivered(receiver, 15 * kill, exact=False), 60)
            holding = receiver.holding["before" if kill % 2 == 0 else "after"]
            await asyncio.wait_for(asyncio.to_thread(holding.wait, 30), 35)
            proc.send_signal(signal.SIGKILL)
            await asyncio.to_thread(proc.wait, 20)
            with receiver.lock:
                stored = max(receiver.arrivals, default=0)
            positions.append(_position(db))
            assert positions[-1] <= stored  # never past what the receiver has
            proc = _start(config, db, port, log)
        last, _ = await crew.finish(port)
        await asyncio.wait_for(_until_delivered(receiver, last), 60)
        assert receiver.arrivals == list(range(1, last + 1))  # in order, each once, no gap
        assert receiver.refused == []
        # The 200 of the last batch comes after the receiver stored it: wait for the position.
        await asyncio.wait_for(_until_position(db, last), 60)
        positions.append(_position(db))
        await stop_server(proc)
        assert positions == sorted(positions) and positions[-1] == last
        print(f"kills {KILLS}, events {last}, re-sent duplicates {receiver.duplicates}")
    finally:
        await crew.close()
        if proc.poll() is None:
            proc.kill()
        receiver.shutdown()
        receiver.server_close()


async def _until_delivered(receiver: SlowReceiver, last: int, *, exact: bool = True) -> None:
    """Until the receiver has stored seq `last` (or, not `exact`, anything from it on)."""
    while True:
        with receiver.lock:
            newest = receiver.arrivals[-1] if receiver.arrivals else 0
        if newest == last or (not exact and newest >= last):
            return
        await asyncio.sleep(0.02)


async def _until_position(db: Path, last: int) -> None:
    while _position(db) != last:
        await asyncio.sleep(0.02)
