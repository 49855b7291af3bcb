"""The README's "Receive a signed webhook", step by step, with every part a real process.

The building file is made as the README's shell lines make it (its TOML block appended to a copy
of the demo building), the receiver is `python tools/webhook_receiver.py --secret-file …`, the
building `antre server --config …`; a kiosk takes a number. The receiver prints the lines the
README shows; stopped and started again, it gets what it missed, in order, once each.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from server.client import AntreClient
from server.config import demo_building_path, load_demo_credentials
from server.protocol import hello_kiosk

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _readme_webhook_block(port: int) -> str:
    section = README.split("## Receive a signed webhook", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"<<'EOF'\n(.*?)^\s*EOF", section, re.DOTALL | re.MULTILINE)
    text = "\n".join(line.strip() for line in block.splitlines()) + "\n"
    return text.replace("127.0.0.1:8800", f"127.0.0.1:{port}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _position(db: Path, seq: int) -> None:
    """Until the store says PORTAL-KAB's position is `seq` (read-only, as an operator would)."""
    async with asyncio.timeout(30):
        while True:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                row = conn.execute("SELECT position FROM deliveries").fetchone()
            if row is not None and row[0] == seq:
                return
            await asyncio.sleep(0.02)


class Lines:
    """A process's output lines, read as they come."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.seen: list[str] = []

    async def next_line(self) -> str:
        assert self.proc.stdout is not None
        async with asyncio.timeout(30):
            line = (await self.proc.stdout.readline()).decode().rstrip()
        self.seen.append(line)
        return line


async def _receiver(secret_file: Path, port: int) -> Lines:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(REPO / "tools" / "webhook_receiver.py"),
        "--secret-file", str(secret_file), "--port", str(port),
        stdout=subprocess.PIPE, cwd=REPO,
    )  # fmt: skip
    lines = Lines(proc)
    assert await lines.next_line() == f"receiving on http://127.0.0.1:{port}/ (Ctrl-C to stop)"
    return lines


async def _stop(proc: asyncio.subprocess.Process) -> None:
    proc.terminate()
    await proc.wait()


async def test_the_readme_steps_deliver_a_signed_webhook(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    (var / "portal.secret").write_text(secrets.token_hex(32) + "\n")  # openssl rand -hex 32
    port_in = _free_port()
    config = var / "gedung.toml"
    config.write_text(
        demo_building_path().read_text(encoding="utf-8") + "\n" + _readme_webhook_block(port_in)
    )
    receiver = await _receiver(var / "portal.secret", port_in)
    port = _free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.cli", "server", "--config", str(config),
        "--db", str(var / "webhook.db"), "--port", str(port),
        "--clock", "2026-11-23T09:00+07:00",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    kiosk = AntreClient(
        f"ws://127.0.0.1:{port}/ws",
        hello_kiosk(load_demo_credentials()["KIOSK-1"]),
        heartbeat_s=None,
        backoff_initial_s=0.05,
    )
    try:
        await kiosk.connect(timeout=30)

        async def take_a_number() -> str:
            ticket = await kiosk.issue_ticket("A")
            await kiosk.confirm_printed(ticket["id"])
            return str(ticket["number"])

        assert await take_a_number() == "A-001"
        issued = re.compile(r"mpp-kota-contoh:1 {8}09\.00\.\d\d WIB  ticket_issued {10}A-001 A")
        assert issued.fullmatch(await receiver.next_line()), receiver.seen
        printed = re.compile(r"mpp-kota-contoh:2 {8}09\.00\.\d\d WIB  ticket_printed {9}A-001")
        assert printed.fullmatch(await receiver.next_line()), receiver.seen

        # Once the building has heard the 200s (else it sends seq 2 again, and a receiver
        # started afresh, remembering nothing, prints it again: at least once, by design).
        await _position(var / "webhook.db", 2)
        await _stop(receiver.proc)  # the receiver is down: the building keeps serving
        assert [await take_a_number() for _ in range(2)] == ["A-002", "A-003"]
        receiver = await _receiver(var / "portal.secret", port_in)
        got = [(await receiver.next_line()).split()[0] for _ in range(4)]
        assert got == [f"mpp-kota-contoh:{seq}" for seq in (3, 4, 5, 6)]
    finally:
        await kiosk.close()
        await _stop(server)
        await _stop(receiver.proc)
