"""A full peak day of the demo building as fast as the server allows, then 1,000 connections.

The day: 4,000 tickets drawn by `server.simulate.day.plan_day` (the arrival profile, demand per
line, 8 % priority, 6 % no-shows and lognormal counter times of ../shared/data, shipped inside
`server/simulate/day.py`), driven by `server.simulate.live.drive_day` at speed 0 through 20
kiosks and all 31 counters of the demo building, with three TVs watching. Wall time is from the
first arrival to the last counter finding nothing left.

Checks, against what the clients were told and what the store holds afterwards: every
acknowledged ticket is on disk with its number; no number twice on a line and day; every ticket
called exactly once and ended (done or no-show); every TV received every call exactly once with
strictly increasing sequence numbers.

Memory: the same server process, holding the day, then gets 1,000 TV connections (each says
hello and gets a snapshot of the day) and a few more calls fanned out to all of them; the
figure is the process's peak resident set (VmHWM), which covers the whole day too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.building import day_building
from bench.common import DisplayReader, gather_limited
from bench.serverproc import ServerProcess, fresh_db
from server import protocol as p
from server.client import AntreClient
from server.simulate.day import SimParams, plan_day
from server.simulate.live import DayReport, Seats, drive_day
from server.store import StoreReader

__all__ = ["DayResult", "check_store", "run_day"]

MONDAY_0730 = datetime.fromisoformat("2026-11-23T07:30:00+07:00")


@dataclass
class DayResult:
    tickets: int
    seconds: float
    report: DayReport
    problems: list[str] = field(default_factory=list)  # empty: nothing lost, nothing doubled
    connections: int = 0
    peak_rss_mib: float = 0.0
    rss_after_mib: float = 0.0


def check_store(db: Path, report: DayReport) -> list[str]:
    """What the store holds against what clients were acknowledged; a list of problems."""
    problems: list[str] = []
    with StoreReader.open(db) as store:
        rows = store.tickets()
        called = [e.event for e in store.log("ticket_called")]
    tickets = {t.id: t for t in rows}
    lost = [t for t in report.issued if t not in tickets]
    if lost:
        problems.append(f"{len(lost)} acknowledged tickets missing, e.g. {lost[:3]}")
    wrong = [t for t, n in report.issued.items() if t in tickets and tickets[t].number != n]
    if wrong:
        problems.append(f"{len(wrong)} tickets with another number than acknowledged")
    numbers = [(t.day, t.line, t.number) for t in rows]
    if len(numbers) != len(set(numbers)):
        problems.append(f"{len(numbers) - len(set(numbers))} numbers issued twice")
    counts: dict[str, int] = {}
    for ev in called:
        counts[ev["ticket"]] = counts.get(ev["ticket"], 0) + 1
    twice = [t for t, n in counts.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} tickets called twice, e.g. {twice[:3]}")
    uncalled = [t for t in report.issued if counts.get(t) != 1]
    if uncalled:
        problems.append(f"{len(uncalled)} issued tickets not called exactly once")
    lost_calls = [t for t, _c in report.calls if counts.get(t) != 1]
    if lost_calls:
        problems.append(f"{len(lost_calls)} acknowledged calls not in the log once")
    open_ = [
        t
        for t in report.issued
        if t not in tickets or tickets[t].state.value not in ("done", "no_show")
    ]
    if open_:
        problems.append(f"{len(open_)} tickets neither done nor no-show")
    return problems


def check_displays(readers: list[DisplayReader], report: DayReport) -> list[str]:
    problems = []
    calls = {t for t, _c in report.calls}
    for i, r in enumerate(readers):
        if any(b <= a for a, b in zip(r.seqs, r.seqs[1:], strict=False)):
            problems.append(f"TV {i}: sequence numbers not strictly increasing (a double?)")
        if set(r.seen) != calls:
            problems.append(f"TV {i}: saw {len(set(r.seen) & calls)} of {len(calls)} calls")
    return problems


async def _day(url: str, tickets: int, seed: int) -> tuple[DayReport, list[str]]:
    bb = day_building()
    plan = plan_day(bb.building, seed, SimParams(tickets=tickets))
    seats = Seats(list(bb.kiosks.values()), bb.officers)
    tvs = [
        DisplayReader(url, p.hello_display(t), keep_seqs=True)
        for t in list(bb.displays.values())[:3]
    ]
    await asyncio.gather(*(r.connect() for r in tvs))
    report = await drive_day(url, plan, seats, speed=0)
    await asyncio.sleep(1.0)  # the last frames in flight to the TVs
    problems = check_displays(tvs, report)
    await asyncio.gather(*(r.close() for r in tvs))
    return report, problems


async def _thousand(url: str, connections: int) -> int:
    """Hold `connections` TV connections while a few more tickets are issued and called."""
    bb = day_building()
    tokens = list(bb.displays.values())
    readers = [
        DisplayReader(url, p.hello_display(tokens[i % len(tokens)])) for i in range(connections - 2)
    ]
    await gather_limited([r.connect for r in readers], 50)
    cid, (oid, pin) = next(iter(bb.officers.items()))
    line = bb.building.counter(cid).serves[0]  # type: ignore[union-attr]
    kiosk = AntreClient(url, p.hello_kiosk(next(iter(bb.kiosks.values()))), heartbeat_s=None)
    officer = AntreClient(url, p.hello_officer(cid, oid, pin), heartbeat_s=None)
    await kiosk.connect(timeout=60)
    await officer.connect(timeout=60)
    for _ in range(20):
        t = await kiosk.issue_ticket(line)
        await kiosk.confirm_printed(t["id"])
        await officer.act("call_next")
        await officer.act("start_service")
        await officer.act("finish_service")
    await asyncio.sleep(1.0)
    held = sum(1 for r in readers if r.connected) + 2
    await kiosk.close()
    await officer.close()
    await asyncio.gather(*(r.close() for r in readers))
    return held


def run_day(folder: Path, tickets: int = 4000, seed: int = 1, connections: int = 1000) -> DayResult:
    db = fresh_db(folder / "day.db")
    server = ServerProcess("day", db, clock=MONDAY_0730).start()
    try:
        report, problems = asyncio.run(_day(server.url, tickets, seed))
        held = asyncio.run(_thousand(server.url, connections))
        peak, after = server.peak_rss_mib(), server.rss_mib()
    finally:
        server.stop()
    problems = check_store(db, report) + problems
    if len(report.issued) != tickets:
        problems.append(f"{len(report.issued)} of {tickets} tickets issued: {report.refused}")
    return DayResult(tickets, report.seconds, report, problems, held, peak, after)
