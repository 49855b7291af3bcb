"""`antre simulate`: the fairness of the calling policy, and a day driven through a live server.

    antre simulate [--tickets 4000] [--seed 1] [--compare-fifo] [--config FILE]
    antre simulate --live --server ws://127.0.0.1:8700/ws [--speed 60] [--tickets 1000]

Offline, the day (`server.simulate.day`) is served by the simulator (`server.simulate.run`)
under the building's calling policy and, with `--compare-fifo`, under plain FIFO for the same
citizens; the table shows p50 / p90 / max waits of priority and regular tickets and whether the
two promises hold (`server.simulate.fairness`; exit status 1 when one does not). `--live` plays
the same day through a running server (`server.simulate.live`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from server.client import RequestError
from server.core.building import Building
from server.simulate.day import SimParams, plan_day
from server.simulate.fairness import compare_with_fifo, format_comparison, format_guard_alternative
from server.simulate.live import demo_seats, drive_day
from server.simulate.run import fifo_choose, run_plan

__all__ = ["simulate_main"]


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="antre simulate",
        description="Replay a day of the building: offline on the queue core, or live.",
    )
    ap.add_argument(
        "--tickets",
        type=int,
        default=None,
        help="tickets in the day (default 4000 offline, 1000 live)",
    )
    ap.add_argument("--seed", type=int, default=1, help="the day's random seed (default 1)")
    ap.add_argument(
        "--compare-fifo",
        action="store_true",
        help="also serve the same day by plain FIFO; check the fairness targets",
    )
    ap.add_argument("--config", help="building TOML file (default: the demo building)")
    ap.add_argument("--live", action="store_true", help="drive a running server instead")
    ap.add_argument("--server", default="ws://127.0.0.1:8700/ws", help="websocket URL (live)")
    ap.add_argument(
        "--speed",
        type=float,
        default=60.0,
        help="simulated seconds per second (live; 0 = no pauses)",
    )
    ap.add_argument(
        "--credentials",
        help="file of `kind id secret` lines "
        "(live; default: the demo building's public credentials)",
    )
    return ap


def _load(config: str | None) -> Building:
    from server.config import load_building, load_demo_building

    return load_building(Path(config)) if config else load_demo_building()


def _secrets(path: str | None) -> dict[str, str]:
    from server.config import load_demo_credentials

    if path is None:
        return load_demo_credentials()
    out: dict[str, str] = {}
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            _kind, ident, secret = line.split()
            out[ident] = secret
    return out


def simulate_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `antre simulate`; returns the exit status."""
    from server.config import ConfigError

    args = _parser().parse_args(argv)
    try:
        building = _load(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    tickets = args.tickets or (1000 if args.live else 4000)
    plan = plan_day(building, args.seed, SimParams(tickets=tickets))

    if args.live:
        seats = demo_seats(building, _secrets(args.credentials))
        print(
            f"driving {args.server}: {len(plan.tickets)} tickets, {len(seats.kiosks)} kiosks, "
            f"{len(seats.officers)} staffed counters, speed {args.speed:g}",
            file=sys.stderr,
        )
        try:
            report = asyncio.run(drive_day(args.server, plan, seats, speed=args.speed))
        except (OSError, TimeoutError, RequestError) as exc:
            print(f"antre simulate: {exc}", file=sys.stderr)
            return 1
        print(report.summary())
        return 0

    started = time.perf_counter()
    policy_run = run_plan(building, plan)
    if not args.compare_fifo:
        s = policy_run.summary
        print(
            f"tickets {s.tickets}, no-shows {s.no_shows}; waits (min) "
            f"priority p50 {s.priority.p50_s / 60:.1f} p90 {s.priority.p90_s / 60:.1f} "
            f"max {s.priority.max_s / 60:.1f}; regular p50 {s.regular.p50_s / 60:.1f} "
            f"p90 {s.regular.p90_s / 60:.1f} max {s.regular.max_s / 60:.1f}"
        )
        return 0
    fifo_run = run_plan(building, plan, fifo_choose)
    print(
        f"{building.name}, seed {args.seed}, {tickets} tickets drawn "
        f"({time.perf_counter() - started:.1f} s)"
    )
    print(format_comparison(policy_run, fifo_run))
    print(format_guard_alternative(building, plan, fifo_run))
    return 0 if compare_with_fifo(policy_run, fifo_run).passed else 1


if __name__ == "__main__":
    sys.exit(simulate_main())
