"""The outbox never slows a kiosk (issue 21): issue latency with no destination, beside one that
works and one that fails, in the same run.

Each scenario starts its own server process (`bench.serverproc`, the tower building with 20
counters) and has kiosks issue tickets back to back, each timed from request to its
acknowledgement (after the commit). "working": a webhook receiving every event on 127.0.0.1
(tools/webhook_receiver.py in a process of its own, verifying each signature and printing each
event); "failing": a webhook whose every connection is refused (a link down), so the building
retries with back-off. Figures, not
assertions: the three are read side by side (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.building import tower_building
from bench.common import Quantiles, quantiles
from bench.serverproc import BENCH_WEBHOOK_SECRET, ServerProcess, fresh_db
from bench.throughput import BenchKiosk, _kiosks

__all__ = ["OutboxResult", "run_outbox"]

SCENARIOS = ("none", "working", "failing")
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    tickets_per_s: float
    latency: Quantiles
    events: int  # committed in the run (tickets issued: one event each)
    delivered: int  # events the receiver had when the last ticket was acknowledged
    server_cpu_ms: float  # the server process's CPU time (user + system) per ticket issued


@dataclass(frozen=True, slots=True)
class OutboxResult:
    scenarios: list[Scenario]


def _scenario(folder: Path, name: str, kiosks: int, per_kiosk: int) -> Scenario:
    extra = ["--counters", "20", "--displays", "1"]
    receiver: subprocess.Popen[bytes] | None = None
    printed = folder / f"outbox-{name}-received.txt"
    port = _free_port()
    if name == "working":
        secret = folder / "outbox-webhook.secret"
        secret.write_bytes(BENCH_WEBHOOK_SECRET)
        cmd = [sys.executable, str(REPO / "tools" / "webhook_receiver.py")]
        cmd += ["--secret-file", str(secret), "--port", str(port)]
        with printed.open("wb") as out:
            receiver = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _wait_listening(port)
    if name != "none":  # "failing": nothing listens there, every connection is refused
        extra += ["--webhook", f"http://127.0.0.1:{port}/"]
    bb = tower_building(counters=20, displays=1, kiosks=kiosks)
    db = fresh_db(folder / f"outbox-{name}.db")
    server = ServerProcess("tower", db, extra=extra).start()
    try:
        tokens = list(bb.kiosks.values())[:kiosks]
        made = [BenchKiosk(server.url, t) for t in tokens]
        started_cpu_s = _cpu_s(server.pid)  # start-up's CPU is not the tickets'
        elapsed, latencies, issued = asyncio.run(_kiosks(made, per_kiosk))
        delivered = _received(printed) if receiver is not None else 0
        cpu_s = _cpu_s(server.pid) - started_cpu_s
    finally:
        server.stop()
        if receiver is not None:
            receiver.terminate()
            receiver.wait()
    rate = kiosks * per_kiosk / elapsed
    per = cpu_s / len(issued) * 1e3
    return Scenario(name, rate, quantiles(latencies), len(issued), delivered, per)


def _cpu_s(pid: int) -> float:
    """A process's CPU time so far (user + system), from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _received(printed: Path) -> int:
    """Events the receiver printed (one line each, after its first line)."""
    return max(0, len(printed.read_bytes().splitlines()) - 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int) -> None:
    for _ in range(400):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
            return
        time.sleep(0.025)
    raise RuntimeError("the webhook receiver did not start")


def run_outbox(folder: Path, kiosks: int = 10, per_kiosk: int = 300) -> OutboxResult:
    return OutboxResult([_scenario(folder, name, kiosks, per_kiosk) for name in SCENARIOS])
