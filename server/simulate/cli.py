"""`antre simulate`: the fairness of the calling policy, and a day driven through a live server.

    antre simulate [--tickets 4000] [--seed 1] [--quotas] [--config FILE]
    antre simulate --compare-fifo [--tickets N] [--seed S] [--quotas | --no-quotas]
                   [--accumulating RATE] [--config FILE]
    antre simulate --booked 0.4 [--lapse 0.1] [--slot-min 30] [--places N]
                   [--booking-lines A,B,G,P] [--tickets N] [--seed S] [--quotas] [--config FILE]
    antre simulate --live --server ws://127.0.0.1:8700/ws [--speed 60] [--tickets 1000]
    antre simulate --survey 30 --db var/skm-demo.db [--from 2026-11-01] [--seed S] [--config FILE]
    antre simulate --visits [SHARE] [--tickets 700] [--seed S] [--config FILE]

Offline, a day (`server.simulate.day`) is served by the simulator (`server.simulate.run`) under
the building's calling policy. With `--compare-fifo` every listed day (`fairness.FAIRNESS_DAYS`:
1,000 and 4,000 tickets, seeds 1–6, with and without quotas; `--tickets`, `--seed` and
`--quotas` narrow the list) is also served by plain FIFO for the same citizens, and the three
targets of docs/calling-policy.md are checked on each: priority p90 <= regular p90 / 3, no
regular ticket over its allowance as the guard estimated, at most 1 % over it as it turned out
(`server.simulate.fairness`). The exit status is 1 when a target is missed on any day. One day
gets its full table (waits of both groups under both choosers, and the same day with the guard
the other way); several get one line each. `--accumulating RATE` serves the days with the
alternative rule tried beside the building's (`server.simulate.alternatives`). `--booked SHARE`
serves a day that mixes booked and walk-in citizens (`server.simulate.bookings`): that share of
each booking line's citizens booked a slot, `--lapse` of the bookings lapse; it prints booked
citizens' calls relative to their slot's start and walk-in waits against the same day without
bookings, and exits 1 when a walk-in paid more than its allowance as the guard estimated.
`--live` plays a day through a running server (`server.simulate.live`). `--survey DAYS` plays
that many days of visits with SKM answers and complaints through the real engine into a new
store (`server.simulate.survey_week`), for `antre report --skm` to report on. `--visits` serves
a day where a share of the citizens (15 %) come for two or three services, three ways: one visit
with the credit rule, separate tickets taken at once, separate tickets taken one after another,
and the credit rule's sweep (`server.simulate.visits`; docs/calling-policy.md, "A visit's next
stop"); `--tickets` counts citizens there.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from server.client import RequestError
from server.core.building import Building
from server.simulate.alternatives import accumulating_priority
from server.simulate.bookings import (
    BookingParams,
    format_mixed_day,
    measure_mixed_day,
    plan_mixed_day,
)
from server.simulate.day import SimParams, plan_day
from server.simulate.fairness import (
    FAIRNESS_DAYS,
    SimDay,
    check_days,
    format_comparison,
    format_days,
    format_guard_alternative,
)
from server.simulate.live import demo_seats, drive_day
from server.simulate.run import run_plan

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
    ap.add_argument("--seed", type=int, default=None, help="the day's random seed (default 1)")
    ap.add_argument(
        "--quotas",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="refuse tickets past a line's cutoff or quota, as the kiosk would",
    )
    ap.add_argument(
        "--compare-fifo",
        action="store_true",
        help="serve every listed day (or those --tickets/--seed/--quotas name) also by plain "
        "FIFO and check the fairness targets",
    )
    ap.add_argument(
        "--accumulating",
        type=float,
        metavar="RATE",
        help="with --compare-fifo: serve the days by accumulating priority at this rate (the "
        "guard on top) instead of the building's policy",
    )
    ap.add_argument(
        "--booked",
        type=float,
        metavar="SHARE",
        help="a day mixing bookings and walk-ins: this share (0-1) of each booking line's "
        "citizens booked a slot",
    )
    ap.add_argument(
        "--lapse",
        type=float,
        default=0.1,
        metavar="SHARE",
        help="with --booked: the share of bookings that lapse (default 0.1)",
    )
    ap.add_argument(
        "--slot-min",
        type=int,
        default=30,
        help="with --booked: slot length of a line without booking rules (default 30)",
    )
    ap.add_argument(
        "--places",
        type=int,
        help="with --booked: places per slot of a line without booking rules (default: "
        "enough for every booking)",
    )
    ap.add_argument(
        "--booking-lines",
        metavar="A,B,...",
        help="with --booked: the lines that take bookings (default: those with booking rules, "
        "else every line)",
    )
    ap.add_argument(
        "--booking-delay-pct",
        type=float,
        metavar="PCT",
        help="with --booked: serve the day with this [policy] booking_delay_pct instead of "
        "the building's",
    )
    ap.add_argument(
        "--survey",
        type=int,
        metavar="DAYS",
        help="play DAYS days of visits, SKM answers and complaints into a new store (--db)",
    )
    ap.add_argument("--db", help="with --survey: the store to write (a new file)")
    ap.add_argument(
        "--from",
        dest="first",
        type=date.fromisoformat,
        help="with --survey: the first day (default: the first of last month)",
    )
    ap.add_argument(
        "--visits",
        type=float,
        nargs="?",
        const=0.15,
        metavar="SHARE",
        help="a day where this share (default 0.15) of the citizens come for 2 or 3 services, "
        "served as one visit, as separate tickets at once, and one after another",
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
    if args.accumulating is not None and (not args.compare_fifo or args.accumulating < 1):
        print("antre simulate: --accumulating wants --compare-fifo, rate >= 1", file=sys.stderr)
        return 2
    if args.booked is not None:
        return _mixed(building, args)
    if args.visits is not None:
        return _visits(building, args)
    if args.survey is not None:
        return _survey(building, args)
    if args.compare_fifo and not args.live:
        return _compare(building, args)
    tickets = args.tickets or (1000 if args.live else 4000)
    plan = plan_day(
        building, args.seed or 1, SimParams(tickets=tickets, apply_limits=bool(args.quotas))
    )

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

    s = run_plan(building, plan).summary
    print(
        f"tickets {s.tickets}, no-shows {s.no_shows}; waits (min) "
        f"priority p50 {s.priority.p50_s / 60:.1f} p90 {s.priority.p90_s / 60:.1f} "
        f"max {s.priority.max_s / 60:.1f}; regular p50 {s.regular.p50_s / 60:.1f} "
        f"p90 {s.regular.p90_s / 60:.1f} max {s.regular.max_s / 60:.1f}"
    )
    return 0


def _survey(building: Building, args: argparse.Namespace) -> int:
    """`--survey DAYS`: the days played into a new store, and the report's command to type."""
    from server.core.skm import Tally, format_ikm, grade
    from server.simulate.survey_week import VoiceParams, play_voice_days

    if args.db is None or args.survey < 1:
        print("antre simulate: --survey DAYS (1 or more) needs --db NEW-FILE", file=sys.stderr)
        return 2
    if Path(args.db).exists():
        print(f"antre simulate: {args.db} already exists; give a new file", file=sys.stderr)
        return 2
    today = datetime.now(building.tz).date()
    first = args.first or (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    params = VoiceParams(first, days=args.survey, seed=args.seed or 1)
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    drawn = asyncio.run(play_voice_days(building, args.db, params))
    tally = Tally()
    for a in drawn.answers:
        tally.add(a.scores)
    ikm = tally.ikm()
    mark = "" if ikm is None else f": IKM {format_ikm(ikm)} ({grade(ikm).letter})"
    print(
        f"{len(drawn.finished)} kunjungan selesai, {tally.respondents} jawaban survei{mark}, "
        f"{len(drawn.complaints)} pengaduan ({first.isoformat()} s.d. {drawn.last.isoformat()})"
    )
    print(
        f"Laporan: antre report --skm --db {args.db} --from {first.isoformat()} "
        f"--to {drawn.last.isoformat()} --out laporan-skm/"
    )
    return 0


def _visits(building: Building, args: argparse.Namespace) -> int:
    """--visits: the day of several-service visits, three ways, and the credit sweep."""
    from server.simulate.visits import VisitParams, format_visits, measure_visits

    if args.live or args.compare_fifo or args.accumulating is not None:
        print(
            "antre simulate: --visits is a day of its own (no --live, --compare-fifo)",
            file=sys.stderr,
        )
        return 2
    if not 0 <= args.visits <= 1 or (args.tickets is not None and args.tickets < 1):
        print("antre simulate: --visits is a share from 0 to 1, --tickets >= 1", file=sys.stderr)
        return 2
    params = VisitParams(citizens=args.tickets or VisitParams().citizens, multi_share=args.visits)
    report = measure_visits(building, args.seed or 1, params)
    print(f"{building.name}, [policy] visit_credit_min {building.policy.visit_credit_min:g}")
    print(format_visits(report))
    return 0


def _mixed(building: Building, args: argparse.Namespace) -> int:
    """--booked: a day mixing booked and walk-in citizens, beside the same day without."""
    if args.live or args.compare_fifo or args.accumulating is not None:
        print(
            "antre simulate: --booked is a day of its own (no --live, --compare-fifo)",
            file=sys.stderr,
        )
        return 2
    if not (0 <= args.booked <= 1 and 0 <= args.lapse <= 1):
        print("antre simulate: --booked and --lapse are shares from 0 to 1", file=sys.stderr)
        return 2
    if not 5 <= args.slot_min <= 240 or (args.places is not None and args.places < 0):
        print("antre simulate: --slot-min 5..240, --places >= 0", file=sys.stderr)
        return 2
    lines = None
    if args.booking_lines:
        lines = tuple(p.strip().upper() for p in args.booking_lines.split(",") if p.strip())
        unknown = [p for p in lines if building.line(p) is None]
        if unknown:
            print(f"antre simulate: no such line: {', '.join(unknown)}", file=sys.stderr)
            return 2
    booking = BookingParams(
        booked_share=args.booked,
        lapse_share=args.lapse,
        slot_min=args.slot_min,
        places=args.places,
        lines=lines,
    )
    if args.booking_delay_pct is not None:
        if args.booking_delay_pct < 0:
            print("antre simulate: --booking-delay-pct >= 0", file=sys.stderr)
            return 2
        policy = replace(building.policy, booking_delay_pct=args.booking_delay_pct)
        building = replace(building, policy=policy)
    tickets = args.tickets or 4000
    params = SimParams(tickets=tickets, apply_limits=bool(args.quotas))
    plan = plan_mixed_day(building, args.seed or 1, params, booking)
    day = measure_mixed_day(building, plan)
    print(
        f"seed {args.seed or 1}, {tickets} tickets drawn"
        f"{' (quotas and cutoffs)' if args.quotas else ''}, {100 * args.lapse:.0f} % of "
        f"bookings lapsing, booking_delay_pct {building.policy.booking_delay_pct:g}"
    )
    print(format_mixed_day(building, day, booking))
    return 0 if day.figures.estimated_over == 0 else 1


def _compare(building: Building, args: argparse.Namespace) -> int:
    """--compare-fifo: the listed days (or the one named) both ways, and the three targets."""
    days = [
        d
        for d in FAIRNESS_DAYS
        if (args.tickets is None or d.tickets == args.tickets)
        and (args.seed is None or d.seed == args.seed)
        and (args.quotas is None or d.quotas == args.quotas)
    ] or [SimDay(args.tickets or 4000, args.seed or 1, bool(args.quotas))]
    rate = args.accumulating
    chooser = None if rate is None else accumulating_priority(rate)
    rule = "the building's policy" if rate is None else f"accumulating priority, rate {rate:g}"
    started = time.perf_counter()
    rows = check_days(building, days, chooser)
    elapsed = time.perf_counter() - started
    if len(rows) == 1:
        (row,) = rows
        day = row.day
        print(
            f"{building.name}, seed {day.seed}, {day.tickets} tickets drawn"
            f"{' (quotas and cutoffs)' if day.quotas else ''}, {rule} ({elapsed:.1f} s)"
        )
        print(format_comparison(row.policy_run, row.fifo_run, building.policy))
        if chooser is None:
            plan = plan_day(
                building, day.seed, SimParams(tickets=day.tickets, apply_limits=day.quotas)
            )
            print(format_guard_alternative(building, plan, row.fifo_run))
    else:
        print(f"{building.name}: {rule} against FIFO, {len(rows)} days ({elapsed:.1f} s)")
        print(format_days(rows))
    return 0 if all(r.check.passed for r in rows) else 1


if __name__ == "__main__":
    sys.exit(simulate_main())
