"""A real Antre server in its own process, configured for load generation.

    python -m bench.serverproc --building tower|day|storm --db PATH [--clock ISO] [--port N]
                               [--arrivals PATH]

Runs `server.app.serve` (the same code `antre server` runs) with a bench building and with the
per-connection rate limits lifted: one bench kiosk sends hundreds of requests a second, which the
default limits (20/s, made for a person at a touch screen) would refuse. Everything else — the
engine, the hub, send queues, ticks — is as in production. The load generator lives in another
process so that the server has one core of the two to itself, as in a real deployment.

For the booking storm (bench/storm.py), `--arrivals` logs the order in which booking attempts
reach the server's booking entry point (bench/storm_log.py).

`ServerProcess` starts it, waits for "READY <port>" on stdout, and reads the process's memory and
open file descriptors from /proc (Linux): no psutil needed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

__all__ = [
    "BENCH_LIMITS",
    "BENCH_WEBHOOK_SECRET",
    "ServerProcess",
    "fresh_db",
    "open_fds",
    "proc_status_kib",
]

# HubLimits fields for load: no request-rate limit, a deeper send queue for 1,000 clients.
BENCH_LIMITS: dict[str, float] = {
    "rate_per_s": 1_000_000.0,
    "rate_burst": 1_000_000.0,
    "abuse_budget": 1_000_000.0,
}


# The secret of `--webhook` (bench/outbox.py): a bench needs no secrecy.
BENCH_WEBHOOK_SECRET = b"bench-webhook-secret-0123456789abcdef"
# The building key of `--central` (bench/central.py), as central.toml's key file holds it.
BENCH_CENTRAL_KEY = b"bench-central-key-0123456789abcdef-01"


def proc_status_kib(pid: int, field: str) -> int:
    """A `VmHWM` / `VmRSS` line of /proc/PID/status, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def fresh_db(path: Path) -> Path:
    """Remove a store and its WAL files left by an earlier run; return the path."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class ServerProcess:
    """`python -m bench.serverproc` as a child process."""

    def __init__(
        self,
        building: str,
        db: Path,
        *,
        clock: datetime | None = None,
        log: Path | None = None,
        extra: list[str] | None = None,
        command: list[str] | None = None,
    ) -> None:
        self.building = building
        self.db = db
        self.clock = clock
        self.log = log or db.with_suffix(".log")
        self.extra = extra or []
        self.command = command  # replaces the bench.serverproc command line (the bare baseline)
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.started_s = 0.0  # spawn to READY, seconds

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 120.0) -> ServerProcess:
        cmd = [sys.executable, "-m", "bench.serverproc", "--building", self.building]
        cmd += ["--db", str(self.db), *self.extra]
        if self.clock is not None:
            cmd += ["--clock", self.clock.isoformat()]
        if self.command is not None:
            cmd = self.command
        t0 = time.perf_counter()
        with self.log.open("ab") as err:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err)
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline().decode()
            if line.startswith("READY "):
                self.port = int(line.split()[1])
                self.started_s = time.perf_counter() - t0
                return self
            if not line and self.proc.poll() is not None:
                break
        self.kill()
        raise RuntimeError(f"bench server did not start; see {self.log}")

    def peak_rss_mib(self) -> float:
        return proc_status_kib(self.pid, "VmHWM") / 1024

    def rss_mib(self) -> float:
        return proc_status_kib(self.pid, "VmRSS") / 1024

    def fds(self) -> int:
        return open_fds(self.pid)

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait: the server commits and closes its store."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return -9

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _trace_commits() -> None:
    """Log, at exit, how the store's writes went and where the time went.

    - writes: `Store.write` calls (the engine hands over each loop turn's commands in one), from
      the call to the report that it is committed, i.e. the wait of the commands in it;
    - transactions: the writer thread's commits (it merges the writes queued while it was busy)
      and the time each took on the thread (`_write_rows`: the statement, COMMIT and fsync);
    - subscribers: the engine's callbacks after each commit (the hub's broadcast);
    - the event loop thread's CPU time per event, between the first and the last write.
    """
    import atexit
    import time

    from server import engine, store
    from server.core.estimates import quantile
    from server.store import writer as store_writer

    writes: list[tuple[float, int]] = []  # (seconds from write to its report, events)
    cpu: list[float] = []  # the event loop thread's CPU time at each write
    sql: list[tuple[float, int]] = []  # (seconds in _write_rows, rows), on the writer thread
    told: list[float] = []  # seconds in the engine's subscribers, per call
    write, subscribe = store.Store.write, engine.Engine.subscribe
    write_rows = store_writer._write_rows

    def timed_write(self, batch, tickets, counters, day_of, then):  # type: ignore[no-untyped-def]
        cpu.append(time.thread_time())
        t0, n = time.perf_counter(), len(batch)

        def timed_then(exc):  # type: ignore[no-untyped-def]
            writes.append((time.perf_counter() - t0, n))
            then(exc)

        write(self, batch, tickets, counters, day_of, timed_then)

    def timed_write_rows(db, max_rows, rows, params):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        write_rows(db, max_rows, rows, params)
        sql.append((time.perf_counter() - t0, rows))  # list.append is atomic under the GIL

    def timed_subscribe(self, callback):  # type: ignore[no-untyped-def]
        def timed_callback(batch):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            callback(batch)
            told.append(time.perf_counter() - t0)

        subscribe(self, timed_callback)

    store.Store.write = timed_write  # type: ignore[method-assign]
    store_writer._write_rows = timed_write_rows
    engine.Engine.subscribe = timed_subscribe  # type: ignore[method-assign]

    def p(values: list[float], share: float) -> float:
        # The one nearest-rank quantile (server.core.estimates), in milliseconds.
        return quantile(values, share) * 1e3 if values else float("nan")

    def report() -> None:
        if not writes or not sql:
            return
        waits = [s for s, _n in writes]
        events = sum(n for _s, n in writes)
        on_thread = [s for s, _r in sql]
        rows = sum(r for _s, r in sql)
        print(
            f"TRACE writes {len(writes)}, events {events} ({events / len(writes):.1f} a write), "
            f"write -> reported ms p50 {p(waits, 0.5):.2f} p99 {p(waits, 0.99):.2f}; "
            f"transactions {len(sql)} ({rows / len(sql):.1f} rows each), on the writer thread "
            f"ms p50 {p(on_thread, 0.5):.2f} p99 {p(on_thread, 0.99):.2f}, busy "
            f"{sum(on_thread):.2f} s; subscribers ms p50 {p(told, 0.5):.2f}, {sum(told):.2f} s; "
            f"event loop CPU per event {(cpu[-1] - cpu[0]) / max(1, events) * 1e6:.0f} us",
            file=sys.stderr,
        )

    atexit.register(report)
    _trace_gc()


def _trace_gc() -> None:
    """Log, at exit, the garbage collector's passes by generation: how many, how long, the
    longest, what they found; and how many objects it tracks then. A full (generation 2) pass
    walks every tracked object, and the event loop waits for it."""
    import atexit
    import gc
    import time

    passes: dict[int, list[tuple[float, int]]] = {0: [], 1: [], 2: []}
    started = [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            passes[info["generation"]].append((time.perf_counter() - started[0], info["collected"]))

    gc.callbacks.append(timed)

    def report() -> None:
        parts = []
        for gen, done in passes.items():
            total = sum(s for s, _c in done)
            longest = max((s for s, _c in done), default=0.0)
            found = sum(c for _s, c in done)
            parts.append(
                f"gen{gen} {len(done)} passes {total * 1e3:.0f} ms (longest {longest * 1e3:.1f} "
                f"ms, {found} collected)"
            )
        tracked, frozen = len(gc.get_objects()), gc.get_freeze_count()
        print(
            f"TRACE gc: {'; '.join(parts)}; at exit {tracked} objects tracked, {frozen} frozen",
            file=sys.stderr,
        )

    atexit.register(report)


def _main() -> int:
    ap = argparse.ArgumentParser(prog="bench.serverproc")
    ap.add_argument("--building", choices=("tower", "day", "storm"), required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--clock", type=datetime.fromisoformat)
    ap.add_argument("--counters", type=int, default=300)
    ap.add_argument("--displays", type=int, default=500)
    # The storm building's places per slot (bench/building.py), and its arrival log.
    ap.add_argument("--places", type=int, default=20)
    ap.add_argument("--priority-places", type=int, default=5)
    ap.add_argument("--arrivals", type=Path, default=None, metavar="PATH")
    # A webhook receiving every event (issue 21's outbox, bench/outbox.py).
    ap.add_argument("--webhook", default=None, metavar="URL")
    # Central receiving every event, in batches of 500 (bench/central.py).
    ap.add_argument("--central", default=None, metavar="URL")
    # An experiment knob (profile finding, docs/benchmarks.md): the GIL hand-off interval.
    ap.add_argument("--switch-interval", type=float, default=None, metavar="S")
    args = ap.parse_args()
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    if os.environ.get("ANTRE_BENCH_TRACE"):
        _trace_commits()
    if args.arrivals is not None:
        from bench.storm_log import record_arrivals

        record_arrivals(args.arrivals)
    # The log (stderr, kept in the ServerProcess's log file) says what start-up replayed.
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    from bench.building import day_building, storm_building, tower_building
    from server.app import Running, serve
    from server.cli import running_clock
    from server.hub import HubLimits

    if args.building == "tower":
        building = tower_building(args.counters, args.displays).building
    elif args.building == "storm":
        building = storm_building(args.places, args.priority_places).building
    else:
        building = day_building().building
    clock = running_clock(args.clock) if args.clock else None
    if args.webhook is not None:
        from dataclasses import replace

        from server.core.building import Destination, DestinationKind

        hook = Destination("BENCH", DestinationKind.WEBHOOK, args.webhook, BENCH_WEBHOOK_SECRET)
        building = replace(building, id="bench", destinations=(hook,))
    if args.central is not None:
        from dataclasses import replace

        from server.core.building import Destination, DestinationKind

        central = Destination("central", DestinationKind.CENTRAL, args.central,
                              BENCH_CENTRAL_KEY, batch_size=500)  # fmt: skip
        building = replace(building, id="bench", destinations=(central,))

    def ready(running: Running) -> None:
        print(f"READY {running.port}", flush=True)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.create_task(
            serve(
                building,
                args.db,
                "127.0.0.1",
                args.port,
                ready=ready,
                clock=clock,
                limits=HubLimits(**BENCH_LIMITS),  # type: ignore[arg-type]
                own_process=True,  # as `antre server` does
            )
        )
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(main())
    return 0


if __name__ == "__main__":
    sys.exit(_main())
