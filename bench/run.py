"""`make bench`: every figure of docs/benchmarks.md, each beside a baseline from the same run.

    .venv/bin/python -m bench.run [--only throughput,fanout,day,phones,startup,fairness,bookings,
                                          visits,storm,outbox,central]
                                  [--dir var/bench]

Each part starts its own server process (`bench.serverproc`) on loopback and drives it from this
process with real websocket clients; parts run one after another so that they never share the
two cores. Stores live under `--dir` on the project's disk (not /tmp, which may be RAM: fsync
must cost what it costs in production). Results are printed and written to `<dir>/results.json`.
Takes about six minutes (plus one minute the first time, to build the year of history and
central's backlog); central's part alone (`--only central`) about three.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import websockets

from server.allocator import tune_for_socket_reads

__all__ = ["main"]

PARTS = (
    *("throughput", "fanout", "day", "phones", "startup", "fairness", "bookings", "visits"),
    "storm",
    "outbox",
    "central",
)


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "websockets": websockets.__version__,
        "kernel": platform.release(),
    }


def throughput(folder: Path, out: dict[str, Any]) -> None:
    from bench.throughput import run_throughput

    r = run_throughput(folder)
    ok = r.tickets_per_s >= 2000 and r.share_of_raw >= 0.6
    print(
        f"durable tickets/s, 20 kiosks, request -> ack, median of {len(r.rounds)} rounds of "
        f"{r.tickets:,} tickets: {r.tickets_per_s:,.0f} (per ticket {r.latency.ms()})"
    )
    print(
        f"  baseline raw sqlite3 single-row commits/s (WAL, FULL), before and after each round: "
        f"{r.raw_commits_per_s:,.0f} -> {r.share_of_raw:.0%} of raw"
    )
    for k, rd in enumerate(r.rounds, 1):
        print(
            f"    round {k}: {rd.tickets_per_s:,.0f}/s against raw {rd.raw_before:,.0f} / "
            f"{rd.raw_after:,.0f} -> {rd.share_of_raw:.0%}"
        )
    print(
        f"  the same with the kiosk app's client (AntreClient) as generator: "
        f"{r.app_client_per_s:,.0f}/s (raw just before: {r.app_client_raw:,.0f})"
    )
    print("  every acknowledged ticket in the store, once: checked")
    print(f"  target >= 2,000/s and >= 60 % of raw: {_verdict(ok)}")
    out["throughput"] = {
        "tickets_per_s": r.tickets_per_s,
        "raw_commits_per_s": r.raw_commits_per_s,
        "share_of_raw": r.share_of_raw,
        "latency_p50_ms": r.latency.p50 * 1e3,
        "latency_p99_ms": r.latency.p99 * 1e3,
        "rounds": [
            {"tickets_per_s": x.tickets_per_s, "raw_before": x.raw_before, "raw_after": x.raw_after}
            for x in r.rounds
        ],
        "app_client_per_s": r.app_client_per_s,
        "met": ok,
    }


def fanout(folder: Path, out: dict[str, Any]) -> None:
    from bench.fanout import run_fanout

    r = run_fanout(folder)
    ok = r.antre.p99 <= 0.050 and r.missing == 0
    print(
        f"call -> last of {r.displays} TVs, {r.counters} counters calling "
        f"{r.rate_per_s:g} calls/s ({r.calls} calls): {r.antre.ms()}; missing {r.missing}"
    )
    print(
        f"  baseline bare websockets broadcast, {r.frame_bytes}-byte frames to {r.displays} "
        f"clients: {r.bare.ms()}"
    )
    print(f"  target p99 <= 50 ms: {_verdict(ok)}")
    out["fanout"] = {
        "counters": r.counters,
        "displays": r.displays,
        "calls": r.calls,
        "rate_per_s": r.rate_per_s,
        "antre_ms": {"p50": r.antre.p50 * 1e3, "p99": r.antre.p99 * 1e3, "max": r.antre.max * 1e3},
        "bare_ms": {"p50": r.bare.p50 * 1e3, "p99": r.bare.p99 * 1e3, "max": r.bare.max * 1e3},
        "missing": r.missing,
        "met": ok,
    }


def day(folder: Path, out: dict[str, Any]) -> None:
    from bench.day import run_day

    r = run_day(folder)
    ok_day = r.seconds <= 30 and not r.problems
    ok_mem = r.peak_rss_mib <= 150
    print(
        f"full day, {r.tickets:,} tickets, 20 kiosks, 31 counters, 3 TVs: {r.seconds:.1f} s "
        f"wall; {r.report.summary()}"
    )
    print(
        "  checks (acked tickets on disk, numbers unique, one call each, every TV every call "
        f"once in seq order): {'all passed' if not r.problems else r.problems}"
    )
    print(f"  baseline: the day itself spans 8.5 h of opening; target <= 30 s: {_verdict(ok_day)}")
    print(
        f"server peak memory (VmHWM) with {r.connections:,} connections and the day's tickets: "
        f"{r.peak_rss_mib:.0f} MiB (resident after: {r.rss_after_mib:.0f} MiB); "
        f"target <= 150 MB: {_verdict(ok_mem)}"
    )
    out["day"] = {
        "tickets": r.tickets,
        "seconds": r.seconds,
        "problems": r.problems,
        "summary": r.report.summary(),
        "met": ok_day,
    }
    out["memory"] = {
        "connections": r.connections,
        "peak_rss_mib": r.peak_rss_mib,
        "rss_after_mib": r.rss_after_mib,
        "met": ok_mem,
    }


def phones(folder: Path, out: dict[str, Any]) -> None:
    from bench.phones import run_phones

    r = run_phones(folder)
    print(
        f"call -> the called citizen's phone page, {r.phones:,} phones open, {r.tvs} TVs, "
        f"{r.counters} counters calling {r.rate_per_s:g} calls/s ({r.calls} calls): "
        f"{r.antre.ms()}; missing {r.missing}; {r.frames_per_call:.0f} phone frames a call"
    )
    print(
        f"  baseline bare websockets broadcast, {r.frame_bytes}-byte frames to {r.phones:,} "
        f"clients: one client {r.bare_one.ms()}; the last {r.bare_last.ms()}"
    )
    print(
        f"  server memory (VmRSS): {r.rss_before_mib:.0f} MiB before the phones, "
        f"{r.rss_phones_mib:.0f} MiB with them ({r.kib_per_phone:.0f} KiB a phone); "
        f"peak {r.peak_rss_mib:.0f} MiB"
    )
    ms = {"p50": r.antre.p50 * 1e3, "p99": r.antre.p99 * 1e3, "max": r.antre.max * 1e3}
    out["phones"] = {
        "phones": r.phones,
        "tvs": r.tvs,
        "counters": r.counters,
        "calls": r.calls,
        "rate_per_s": r.rate_per_s,
        "antre_ms": ms,
        "bare_one_ms": {"p50": r.bare_one.p50 * 1e3, "p99": r.bare_one.p99 * 1e3},
        "bare_last_ms": {"p50": r.bare_last.p50 * 1e3, "p99": r.bare_last.p99 * 1e3},
        "frame_bytes": r.frame_bytes,
        "missing": r.missing,
        "frames_per_call": r.frames_per_call,
        "rss_before_mib": r.rss_before_mib,
        "rss_phones_mib": r.rss_phones_mib,
        "peak_rss_mib": r.peak_rss_mib,
    }


def startup(folder: Path, out: dict[str, Any]) -> None:
    from bench.startup import run_startup

    r = run_startup(folder)
    ok = r.year_s <= 3
    built = f" (year built in {r.build_s:.0f} s)" if r.build_s > 1 else ""
    print(
        f"start-up (spawn -> serving) on a year of history, {r.events:,} events: "
        f"{r.year_s:.2f} s{built}"
    )
    print(f"  baseline on an empty store: {r.empty_s:.2f} s; target <= 3 s: {_verdict(ok)}")
    out["startup"] = {"events": r.events, "year_s": r.year_s, "empty_s": r.empty_s, "met": ok}


def fairness(folder: Path, out: dict[str, Any]) -> None:
    """The calling policy's three targets on every listed day (docs/calling-policy.md): the
    1,000-ticket days also run in `make test` (tests/simulate/test_fairness_days.py), the
    4,000-ticket ones only here. No timing: seeded figures, a few seconds of CPU."""
    from server.config import load_demo_building
    from server.simulate.fairness import FAIRNESS_DAYS, check_days, format_days

    building = load_demo_building()
    rows = check_days(building, FAIRNESS_DAYS)
    print("fairness, demo building, every listed day against FIFO (antre simulate --compare-fifo):")
    print(format_days(rows))
    days = []
    for r in rows:
        c = r.check
        days.append(
            {
                "tickets": r.day.tickets,
                "seed": r.day.seed,
                "quotas": r.day.quotas,
                "priority_p90_min": c.priority_p90_s / 60,
                "regular_p90_min": c.regular_p90_s / 60,
                "fifo_priority_p90_min": c.fifo_priority_p90_s / 60,
                "fifo_regular_p90_min": c.fifo_regular_p90_s / 60,
                "estimated_over": c.estimated_over,
                "regular_over_allowance": c.regular_over_allowance,
                "regular_tickets": c.regular_tickets,
                "worst_excess_min": c.worst_excess_s / 60,
                "met": c.passed,
            }
        )
    out["fairness"] = {"days": days, "met": all(d["met"] for d in days)}


def bookings(folder: Path, out: dict[str, Any]) -> None:
    """Booked and walk-in citizens in one queue (issue 19, docs/calling-policy.md): the mixed
    days of `antre simulate --booked 0.4 --lapse 0.1`, each beside the same day without
    bookings. No timing: seeded figures, a few seconds of CPU."""
    from server.config import load_demo_building
    from server.simulate.bookings import MIXED_DAYS, format_mixed_rows, measure_mixed_days

    rows = measure_mixed_days(load_demo_building(), MIXED_DAYS)
    print("bookings, demo building, 40 % of A, B, G, P booked, 10 % lapsing (simulate --booked):")
    print(format_mixed_rows(rows))
    days = []
    for day, result in rows:
        f = result.figures
        days.append(
            {
                "tickets": day.tickets,
                "seed": day.seed,
                "booked_from_slot_p50_min": f.booked_from_slot.p50_s / 60,
                "booked_from_slot_p90_min": f.booked_from_slot.p90_s / 60,
                "booked_within_15": f.booked_within_15,
                "booked": f.booked_from_slot.count,
                "walk_in_p50_min": f.booking_line_walk_ins.p50_s / 60,
                "walk_in_p90_min": f.booking_line_walk_ins.p90_s / 60,
                "walk_in_without_p50_min": f.booking_line_walk_ins_without.p50_s / 60,
                "walk_in_without_p90_min": f.booking_line_walk_ins_without.p90_s / 60,
                "estimated_over": f.estimated_over,
                "over": f.over,
                "walk_in_regular": f.walk_in_regular,
            }
        )
    out["bookings"] = {"days": days, "met": all(d["estimated_over"] == 0 for d in days)}


def visits(folder: Path, out: dict[str, Any]) -> None:
    """One visit, several agencies (issue 22, docs/calling-policy.md): `antre simulate --visits`
    on seeds 1–3. No timing: seeded figures, about a second of CPU."""
    from bench.visits import run_visits

    print("visits, demo building, 700 citizens, 15 % on 2 or 3 stops (simulate --visits):")
    out["visits"] = run_visits()
    print(
        "  our rule shorter for the visits, singles +1 min at most:", _verdict(out["visits"]["met"])
    )


def storm(folder: Path, out: dict[str, Any]) -> None:
    """The booking storm (issue 19): 5,000 attempts in 10 s for a day's 300 places."""
    from bench.storm import run_storm

    r = run_storm(folder)
    refused = ", ".join(f"{n:,} {code}" for code, n in r.refused.most_common())
    print(
        f"booking storm, {r.attempts:,} attempts offered over {r.seconds:g} s "
        f"({r.offered_per_s:,.0f}/s) for {r.places} places: {r.booked} booked, {refused}; "
        f"{r.attempts_per_s:,.0f} attempts/s achieved"
    )
    print(
        f"  before it, every citizen opened the form (GET /pesan, 50 at a time): "
        f"{r.forms_s:.1f} s, each {r.form_latency.ms()}"
    )
    print(f"  POST /pesan answered, booked (303):  {r.latency_booked.ms()}")
    print(f"  POST /pesan answered, refused (409): {r.latency_refused.ms()}")
    print(
        f"  of which: sent -> at the booking desk {r.to_desk.ms()}; decided and committed "
        f"{r.in_server.ms()}; answer back {r.back.ms()}"
    )
    by_second = ", ".join(f"{q.p99 * 1e3:,.0f}" for q in r.by_second())
    print(f"  answered, p99 by second of the storm (ms): {by_second}")
    print(f"  the booked citizen's page, after the 303: {r.page_latency.ms()}")
    loop_us = r.loop_cpu_s / r.attempts * 1e6
    print(
        f"  server CPU {r.server_cpu_s / r.attempts * 1e6:,.0f} us an attempt, of which its "
        f"event loop {loop_us:,.0f} us (busy {r.loop_cpu_s / r.storm_s:.0%} of the storm; "
        f"that loop alone would answer at most {1e6 / loop_us:,.0f} attempts/s)"
    )
    print(
        f"  {r.overtaken} attempts reached the booking desk behind one sent after them "
        f"(by at most {r.overtaken_by_s * 1e3:.1f} ms)"
    )
    print(
        f"  baseline raw sqlite3 single-row commits/s (WAL, FULL), before / after: "
        f"{r.raw_before:,.0f} / {r.raw_after:,.0f} -> attempts/s {r.share_of_raw:.0%} of raw"
    )
    for c in r.checks:
        print(f"  {c.name}: {_verdict(c.met)} ({c.detail})")
    out["storm"] = {
        "attempts": r.attempts,
        "seconds": r.seconds,
        "places": r.places,
        "booked": r.booked,
        "refused": dict(r.refused),
        "errors": len(r.errors),
        "attempts_per_s": r.attempts_per_s,
        "booked_ms": {"p50": r.latency_booked.p50 * 1e3, "p99": r.latency_booked.p99 * 1e3},
        "refused_ms": {"p50": r.latency_refused.p50 * 1e3, "p99": r.latency_refused.p99 * 1e3},
        "in_server_ms": {"p50": r.in_server.p50 * 1e3, "p99": r.in_server.p99 * 1e3},
        "p99_by_second_ms": [q.p99 * 1e3 for q in r.by_second()],
        "server_cpu_us_per_attempt": r.server_cpu_s / r.attempts * 1e6,
        "loop_cpu_us_per_attempt": r.loop_cpu_s / r.attempts * 1e6,
        "raw_commits_per_s": r.raw_commits_per_s,
        "share_of_raw": r.share_of_raw,
        "checks": {c.name: c.met for c in r.checks},
        "met": r.met,
    }


def outbox(folder: Path, out: dict[str, Any]) -> None:
    """Issue 21: the outbox never slows a kiosk; figures side by side, no target."""
    from bench.outbox import run_outbox

    r = run_outbox(folder)
    print("issue latency, 10 kiosks x 300 tickets back to back, with deliveries (issue 21):")
    for s in r.scenarios:
        print(
            f"  {s.name:<8} {s.tickets_per_s:,.0f} tickets/s, per ticket {s.latency.ms()}; "
            f"server CPU {s.server_cpu_ms:.2f} ms a ticket; "
            f"receiver: {s.delivered:,} of {s.events:,} events when the last ticket was "
            "acknowledged"
        )
    out["outbox"] = {
        s.name: {
            "tickets_per_s": s.tickets_per_s,
            "latency_p50_ms": s.latency.p50 * 1e3,
            "latency_p99_ms": s.latency.p99 * 1e3,
            "latency_max_ms": s.latency.max * 1e3,
            "delivered": s.delivered,
            "events": s.events,
            "server_cpu_ms_per_ticket": s.server_cpu_ms,
        }
        for s in r.scenarios
    }


def central(folder: Path, out: dict[str, Any]) -> None:
    """Issue 21: central on PostgreSQL — a building's backlog, 300 buildings at once."""
    from bench.central import run_backlog, run_crowd

    b = run_backlog(folder)
    print(
        f"central, a building's backlog of {b.days} {b.tickets_per_day:,}-ticket days "
        f"({b.events:,} events) delivered by the real outbox: {b.wall_s:.1f} s, "
        f"{b.events_per_s:,.0f} events/s (server start-up {b.startup_s:.1f} s before it)"
    )
    print(
        f"  baseline raw batched INSERT of the same rows, same PostgreSQL: {b.raw_s:.1f} s, "
        f"{b.raw_per_s:,.0f} rows/s -> the delivery at {b.events_per_s / b.raw_per_s:.0%} of raw"
    )
    print(
        f"  central's ingest alone (same batches, no HTTP, no outbox): {b.direct_s:.1f} s, "
        f"{b.direct_per_s:,.0f} events/s"
    )
    c = run_crowd(folder)
    print(
        f"central, {c.buildings} buildings posting a normal day at once ({c.events:,} events, "
        f"the day in {c.day_s:.0f} s: {c.offered_per_s:,.0f} events/s offered): ingested in "
        f"{c.wall_s:.1f} s, {c.ingest_per_s:,.0f} events/s; {c.refused} batches sent again"
    )
    print(
        f"  lag behind the buildings, per batch: p50 {c.lag.p50:.2f} s, p99 {c.lag.p99:.2f} s, "
        f"max {c.lag.max:.2f} s"
    )
    print(f"  GET /healthz while ingesting: {c.healthz.ms()}; dashboard page: {c.dashboard}")
    out["central"] = {
        "backlog": dataclasses.asdict(b),
        "crowd": {
            **{k: v for k, v in dataclasses.asdict(c).items() if k not in ("lag", "healthz")},
            "lag_s": {"p50": c.lag.p50, "p99": c.lag.p99, "max": c.lag.max},
            "healthz_ms": {
                "p50": c.healthz.p50 * 1e3,
                "p99": c.healthz.p99 * 1e3,
                "max": c.healthz.max * 1e3,
            },
        },
    }


RUNNERS: dict[str, Callable[[Path, dict[str, Any]], None]] = {
    "throughput": throughput,
    "fanout": fanout,
    "day": day,
    "phones": phones,
    "startup": startup,
    "fairness": fairness,
    "bookings": bookings,
    "visits": visits,
    "storm": storm,
    "outbox": outbox,
    "central": central,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--only", default=",".join(PARTS), help="comma-separated parts")
    ap.add_argument("--dir", default="var/bench", help="where the stores go (default var/bench)")
    args = ap.parse_args(argv)
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    # The load generator reads 500 TVs' frames: the same allocator setting as the servers
    # (server.allocator), so that its reads stay cheap for Antre's run and the baseline's alike.
    tune_for_socket_reads()
    machine = _machine()
    print(
        f"machine: {machine['cpu']}, {machine['cores']} cores, Python {machine['python']}, "
        f"websockets {machine['websockets']}, Linux {machine['kernel']}"
    )
    out: dict[str, Any] = {"machine": machine, "at": time.strftime("%Y-%m-%d %H:%M:%S")}
    for part in args.only.split(","):
        if part not in RUNNERS:
            ap.error(f"unknown part {part!r}; choose from {', '.join(PARTS)}")
        started = time.perf_counter()
        RUNNERS[part](folder, out)
        print(f"  ({part}: {time.perf_counter() - started:.0f} s)", flush=True)
    # Other processes on the machine skew every figure: say how busy it was.
    out["load_average"] = os.getloadavg()
    print("load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    (folder / "results.json").write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
