"""`make soak`: a compressed eight-hour peak day with reconnecting TVs and kiosks.

    .venv/bin/python -m bench.soak [--speed 120] [--tickets 1000] [--tvs 60]

The demo building's normal day of 1,000 tickets (`drive_day`, as in the benchmark) is played
at `--speed` simulated seconds per second (120: the 8.5 opening hours in about four minutes, and
the counters' work after closing in another minute or two) through 20 kiosks and 31 counters,
while `--tvs` TV clients watch. Every second a few random TVs and kiosks have their connection
cut without a closing handshake (`AntreClient.drop_connection`, "cable pulled"); they reconnect
and resume from their last sequence number while requests in flight are retried with the same
request id. The server's resident memory and open file descriptors are sampled every 2 s.

Passes when: every check of the benchmark's day holds (nothing lost, nothing doubled); every TV
received every call of the day exactly once despite the cuts; open descriptors return to their
start-of-day count once the clients leave; resident memory in the last quarter of the day grows
less than 20 MiB over the second quarter (the day's tickets themselves take a few MiB).
Exit status 0 on pass, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path
from typing import Any

from bench.building import day_building
from bench.day import MONDAY_0730, check_store
from bench.serverproc import ServerProcess, fresh_db
from server import protocol as p
from server.client import AntreClient
from server.simulate.day import SimParams, plan_day
from server.simulate.live import Seats, drive_day

__all__ = ["main"]


class _TV:
    """A TV on `AntreClient` that counts the calls it was shown."""

    def __init__(self, url: str, token: str) -> None:
        self.calls: dict[str, int] = {}
        self.seqs: list[int] = []
        self.client = AntreClient(
            url,
            p.hello_display(token),
            heartbeat_s=15.0,
            backoff_initial_s=0.1,
            backoff_max_s=1.0,
            on_message=self._on,
        )

    def _on(self, msg: dict[str, Any]) -> None:
        if msg.get("type") == "event":
            self.seqs.append(msg["seq"])
            if msg["event"].get("kind") == "ticket_called":
                ticket = msg["event"]["ticket"]
                self.calls[ticket] = self.calls.get(ticket, 0) + 1


async def _soak(server: ServerProcess, args: argparse.Namespace) -> tuple[list[str], dict]:
    bb = day_building()
    plan = plan_day(bb.building, args.seed, SimParams(tickets=args.tickets))
    seats = Seats(list(bb.kiosks.values()), bb.officers)
    tvs = [_TV(server.url, t) for t in list(bb.displays.values())[: args.tvs]]
    await asyncio.gather(*(tv.client.connect(timeout=60) for tv in tvs))
    fds_before = server.fds()
    samples: list[tuple[float, float, int]] = []  # (seconds, RSS MiB, fds)
    drivers: list[AntreClient] = []
    cuts = 0
    rng = random.Random(args.seed)
    done = asyncio.Event()

    async def chaos() -> None:
        nonlocal cuts
        start = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(1.0)
            samples.append((time.perf_counter() - start, server.rss_mib(), server.fds()))
            kiosks = drivers[: len(seats.kiosks)]
            for c in rng.sample([tv.client for tv in tvs], k=min(3, len(tvs))):
                c.drop_connection()
                cuts += 1
            if kiosks:
                rng.choice(kiosks).drop_connection()
                cuts += 1

    chaos_task = asyncio.create_task(chaos())
    report = await drive_day(server.url, plan, seats, speed=args.speed, clients_out=drivers)
    done.set()
    await chaos_task
    for tv in tvs:
        await tv.client.wait_connected(timeout=60)
        await tv.client.ping()
    await asyncio.sleep(1.0)
    problems = []
    called = {t for t, _c in report.calls}
    for i, tv in enumerate(tvs):
        if set(tv.calls) != called or any(n != 1 for n in tv.calls.values()):
            problems.append(
                f"TV {i}: {len(tv.calls)} of {len(called)} calls, "
                f"{sum(n > 1 for n in tv.calls.values())} doubled"
            )
        if any(b <= a for a, b in zip(tv.seqs, tv.seqs[1:], strict=False)):
            problems.append(f"TV {i}: events out of order or doubled")
    await asyncio.gather(*(tv.client.close() for tv in tvs))
    await asyncio.sleep(2.0)  # the server notices the closes
    fds_after = server.fds()
    quarter = max(1, len(samples) // 4)
    second = max(s[1] for s in samples[quarter : 2 * quarter] or samples)
    last = max(s[1] for s in samples[-quarter:])
    if fds_after > fds_before:
        problems.append(f"descriptors: {fds_before} at the start, {fds_after} after")
    if last - second > 20:
        problems.append(f"memory grew {last - second:.1f} MiB from the 2nd to the 4th quarter")
    figures = {
        "report": report,
        "cuts": cuts,
        "fds": (fds_before, max(s[2] for s in samples), fds_after),
        "rss": (samples[0][1], second, last, server.peak_rss_mib()),
    }
    return problems, figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n")[0])
    ap.add_argument("--speed", type=float, default=120.0)
    ap.add_argument("--tickets", type=int, default=1000)
    ap.add_argument("--tvs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", default="var/bench")
    args = ap.parse_args(argv)
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    db = fresh_db(folder / "soak.db")
    server = ServerProcess("day", db, clock=MONDAY_0730).start()
    try:
        problems, fig = asyncio.run(_soak(server, args))
    finally:
        server.stop()
    report = fig["report"]
    problems = check_store(db, report) + problems
    fds, rss = fig["fds"], fig["rss"]
    print(f"soak: {report.summary()}")
    print(
        f"  {fig['cuts']} connections cut; fds {fds[0]} at start, {fds[1]} at most, "
        f"{fds[2]} after the clients left"
    )
    print(
        f"  RSS MiB: {rss[0]:.0f} at start, {rss[1]:.0f} (2nd quarter max), "
        f"{rss[2]:.0f} (last quarter max), peak {rss[3]:.0f}"
    )
    print("  " + ("PASSED" if not problems else "FAILED: " + "; ".join(problems)))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
