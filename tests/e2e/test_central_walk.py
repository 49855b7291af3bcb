"""Issue 21's "Done when", walked as the README tells a newcomer, every part a real process.

`make run-central`'s program (server.central.demo_building: its own PostgreSQL, central, the
demo building delivering to it), here with the README's webhook too, pointed at
tools/webhook_receiver.py; then `antre simulate --live` for a short compressed stretch. Central
moves — the line the README says to watch ("central: N events …: T tickets, S served") comes
again and again with more — and catches up with every event the building committed; the
receiver prints the signed events, every seq once, in order. Ctrl-C stops it all, its
PostgreSQL too. (The central dashboard is another room's: its page is not walked here.)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest

from server.central.localpg import LocalPostgres

pytestmark = pytest.mark.walk

REPO = Path(__file__).resolve().parents[2]
WATCHED = re.compile(
    r"^central: (\d+) events of mpp-kota-contoh; 2026-11-23: (\d+) tickets, (\d+) served$"
)
PRINTED = re.compile(r"^mpp-kota-contoh:(\d+)\s+\d\d\.\d\d\.\d\d WIB\s+(\w+)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seq(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
        return int(json.loads(r.read())["seq"])


async def _line(proc: asyncio.subprocess.Process, seen: list[str]) -> str:
    assert proc.stdout is not None
    async with asyncio.timeout(90):
        raw = await proc.stdout.readline()
    assert raw, "the process ended:\n" + "\n".join(seen[-20:])
    seen.append(raw.decode().rstrip())
    return seen[-1]


async def test_the_newcomer_watches_central_move_and_receives_a_signed_webhook(tmp_path):
    secret = tmp_path / "portal.secret"
    secret.write_text(secrets.token_hex(32) + "\n")
    hook_port, building_port = _free_port(), _free_port()
    central_port, pg_port = _free_port(), _free_port()
    receiver = await asyncio.create_subprocess_exec(
        sys.executable, str(REPO / "tools" / "webhook_receiver.py"),
        "--secret-file", str(secret), "--port", str(hook_port),
        stdout=subprocess.PIPE, cwd=REPO,
    )  # fmt: skip
    printed: list[str] = []
    # PostgreSQL runs as `nobody` when we are root: its directory must be reachable by it.
    home = Path(tempfile.mkdtemp(prefix="antre-walk-"))
    os.chmod(home, 0o755)
    demo = None
    try:
        assert (await _line(receiver, printed)).startswith("receiving on")
        demo = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "server.central.demo_building", "--dir", str(home),
            "--pg-port", str(pg_port), "--central-port", str(central_port),
            "--port", str(building_port), "--clock", "2026-11-23T09:00+07:00",
            "--webhook", f"http://127.0.0.1:{hook_port}/", "--webhook-secret", str(secret),
            stdout=subprocess.PIPE, stderr=(tmp_path / "demo.log").open("wb"), cwd=REPO,
            start_new_session=True,  # its group, the building with it, is ended in `finally`
        )  # fmt: skip
        said: list[str] = []
        while "listening on" not in await _line(demo, said):
            pass
        async with asyncio.timeout(90):  # the building starts once central answers
            while True:
                try:
                    await asyncio.to_thread(_seq, building_port)
                    break
                except OSError:
                    await asyncio.sleep(0.1)
        simulate = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "server.cli", "simulate", "--live",
            "--server", f"ws://127.0.0.1:{building_port}/ws", "--tickets", "60",
            "--speed", "3000", stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "simulate.log").open("wb"),
        )  # fmt: skip
        # Central moves while the day runs: the watched line, again and again, with more.
        watched: list[tuple[int, int, int]] = []
        # Two lines at least while the day still runs (central polls every 2 s: a first line
        # may already show three served), so the test sees it move, not one catch-up.
        while len(watched) < 2 or watched[-1][2] < 3:
            m = WATCHED.match(await _line(demo, said))
            if m:
                watched.append((int(m[1]), int(m[2]), int(m[3])))
        simulate.terminate()  # the short stretch is over
        await asyncio.wait_for(simulate.wait(), 30)
        last = await asyncio.to_thread(_seq, building_port)
        while watched[-1][0] != last:  # central catches up with every committed event
            m = WATCHED.match(await _line(demo, said))
            if m:
                watched.append((int(m[1]), int(m[2]), int(m[3])))
        assert len(watched) >= 2 and watched == sorted(watched), watched
        assert watched[-1][1] >= watched[-1][2] >= 3  # tickets taken and served, at central

        # The webhook: every event signed, verified and printed once, in seq order.
        seqs: list[int] = []
        kinds: set[str] = set()
        while not seqs or seqs[-1] < last:
            m = PRINTED.match(await _line(receiver, printed))
            if m:
                seqs.append(int(m[1]))
                kinds.add(m[2])
        assert seqs == list(range(1, last + 1))
        assert {"ticket_issued", "ticket_called", "service_finished"} <= kinds, kinds

        demo.send_signal(signal.SIGINT)  # Ctrl-C
        async with asyncio.timeout(60):
            assert await demo.wait() == 0
        assert not LocalPostgres(home / "pg", pg_port).running()  # its PostgreSQL stopped too
        with pytest.raises(OSError):  # and the building: nothing answers on its port
            await asyncio.to_thread(_seq, building_port)
    finally:
        if demo is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(demo.pid, signal.SIGKILL)  # the pair, and a building left behind
        for proc in (demo, receiver):
            if proc is not None and proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(proc.wait(), 30)
        if demo is not None and LocalPostgres(home / "pg", pg_port).running():
            LocalPostgres(home / "pg", pg_port).stop("immediate")
        shutil.rmtree(home, ignore_errors=True)
