"""Helpers of the building-and-central tests: the real processes and a link that can be cut.

`LinkProxy` stands for the building's internet link: a loopback TCP proxy between the
building's outbox and central that can be cut (every open connection reset, new ones reset as
soon as they arrive) and mended. `CentralProcess` and `BuildingProcess` are the real `antre
central` and `antre server` as subprocesses, each restartable on the same port: the building's
clock is carried on across its restarts (it starts each life where the wall clock says the
last one would be), so the day's times never go backwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import socket
import sqlite3
import struct
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from server.config import demo_building_path
from server.report.cli import report_main

__all__ = [
    "BuildingProcess",
    "CentralProcess",
    "LinkProxy",
    "position",
    "report_lines",
]


class LinkProxy:
    """127.0.0.1:`port` → 127.0.0.1:`target`; `cut()` and `mend()` the link."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.up = True
        self.cuts = 0
        self.reset_in_flight = 0  # connections reset while they were open
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._server: asyncio.Server | None = None
        self.port = 0
        self.request_seen = asyncio.Event()  # set by the building's next bytes on their way

    async def in_flight(self) -> None:
        """Until a request of the building is on its way to central (its first bytes are)."""
        self.request_seen.clear()
        await asyncio.wait_for(self.request_seen.wait(), 30)

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cut(self) -> None:
        """The link goes down: what is on its way is lost, the building sees a reset."""
        self.up = False
        self.cuts += 1
        for client, upstream in list(self._pairs):
            self.reset_in_flight += 1
            _reset(client)
            _reset(upstream)
        self._pairs.clear()

    def mend(self) -> None:
        self.up = True

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            _reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            _reset(writer)  # central is down: the building's connection fails as a refusal would
            return
        pair = (writer, up_writer)
        self._pairs.add(pair)
        try:
            await asyncio.gather(
                _pipe(reader, up_writer, self.request_seen), _pipe(up_reader, writer)
            )
        finally:
            self._pairs.discard(pair)
            for w in pair:
                with contextlib.suppress(Exception):
                    w.close()


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: asyncio.Event | None = None
) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            if seen is not None:
                seen.set()
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(OSError):
        writer.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a link that drops does to its ends."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(OSError):
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CentralProcess:
    """`antre central --config CONFIG --port PORT`, its output in a log file."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config, self.log, self.port = config, log, _free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.lives = 0

    def start(self) -> CentralProcess:
        cmd = [sys.executable, "-m", "server.cli", "central", "--config", str(self.config)]
        cmd += ["--port", str(self.port)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        self.lives += 1
        _wait_for_count(self.log, "listening on", self.lives, self.proc)
        return self

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _wait_for_count(log: Path, text: str, n: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if log.read_text(errors="replace").count(text) >= n:
            return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"{text!r} never came:\n{log.read_text(errors='replace')[-3000:]}")


def building_file(folder: Path, central_url: str, key: bytes, batch_size: int) -> Path:
    """The demo building delivering to `central_url` with `key`, in batches of `batch_size`."""
    (folder / "central.key").write_bytes(key + b"\n")
    text = demo_building_path().read_text(encoding="utf-8")
    text += f'\n[central]\nurl = "{central_url}"\nkey_file = "central.key"\n'
    text += f"batch_size = {batch_size}\n"
    path = folder / "gedung.toml"
    path.write_text(text, encoding="utf-8")
    return path


class BuildingProcess:
    """`antre server --config … --db …`, its clock from `start_at` on, carried across lives."""

    def __init__(self, config: Path, db: Path, log: Path, start_at: datetime) -> None:
        self.config, self.db, self.log, self.port = config, db, log, _free_port()
        self.start_at = start_at
        self._first_wall: float | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.lives = 0

    def start(self) -> BuildingProcess:
        wall = time.monotonic()
        if self._first_wall is None:
            self._first_wall = wall
        clock = self.start_at + timedelta(seconds=wall - self._first_wall)
        cmd = [sys.executable, "-m", "server.cli", "server", "--config", str(self.config)]
        cmd += ["--db", str(self.db), "--port", str(self.port), "--clock", clock.isoformat()]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        self.lives += 1
        _wait_for_count(self.log, "antre.server: serving", self.lives, self.proc)
        return self

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def position(db: Path, destination: str = "central") -> int:
    """The destination's delivered position, read-only as an operator reads it."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        row = conn.execute(
            "SELECT position FROM deliveries WHERE destination = ?", (destination,)
        ).fetchone()
    return 0 if row is None else int(row[0])


def report_lines(db: Path, day: date, out: Path) -> dict[str, dict[str, str]]:
    """`antre report`'s lines.csv of the building's store for `day`, by line key."""
    assert report_main(["--day", day.isoformat(), "--db", str(db), "--out", str(out),
                        "--quiet"]) == 0  # fmt: skip
    with (out / "lines.csv").open(newline="") as f:
        return {r["key"]: r for r in csv.DictReader(f)}
