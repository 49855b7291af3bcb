"""Start-up time on a store holding a year of history (about 1.5 million events).

The year is made once and kept in `var/bench/` (it takes a minute): one ordinary day of 1,200
tickets is played on the pure queue core (every counter staffed, arrivals and counter times from
the day plan, no-shows, the day closed by the next morning's first tick), then copied onto 250
working days with its dates moved, through `Store.append` (the store's own writer, one
transaction a day). Today holds the first half of such a day, not closed: start-up must replay it.

The figure is the time from spawning the server process to its READY line (after the engine has
rebuilt today's state and the port is bound), against the same on an empty store: the baseline
is what Python, the imports and the building cost before any history.
"""

from __future__ import annotations

import asyncio
import dataclasses
import heapq
import json
import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bench.building import day_building
from bench.serverproc import ServerProcess, fresh_db
from server.core.building import Building
from server.core.events import (
    Event,
    PriorityGroup,
    TicketCalled,
    TicketIssued,
    event_to_dict,
    read_event,
)
from server.core.model import (
    CallNext,
    ConfirmPrinted,
    DomainError,
    FinishService,
    IssueTicket,
    LogIn,
    MarkNoShow,
    OpenCounter,
    StartService,
    Tick,
    Ticket,
)
from server.core.queue import QueueState
from server.simulate.day import SIM_DAY, SimParams, plan_day
from server.store import LATEST_VERSION, Store, StoredEvent

__all__ = ["TODAY", "StartupResult", "make_year", "run_startup", "template_day"]

TODAY = SIM_DAY  # a Monday
_DAYS = 250  # working days in a year, give or take holidays
_TICKETS_PER_DAY = 1200


def template_day(building: Building, tickets: int = _TICKETS_PER_DAY, seed: int = 7):
    """One day played on the pure core: [(event, actor, request_id)], and the day's tickets."""
    plan = plan_day(building, seed, SimParams(tickets=tickets))
    state = QueueState(building)
    start = datetime.combine(SIM_DAY, time(7, 30), tzinfo=building.tz)
    out: list[tuple[Event, str, str | None]] = []
    n = 0

    def run(cmd: object, t: float, actor: str) -> list[Event]:
        nonlocal n
        events = state.handle(cmd, start + timedelta(seconds=t))  # type: ignore[arg-type]
        n += 1
        out.extend((e, actor, f"{SIM_DAY}-r{n}") for e in events)
        return events

    officers = {c.id: f"B{c.id}" for c in building.counters}
    for cid, oid in officers.items():
        run(LogIn(cid, oid), 0, f"officer:{oid}@{cid}")
        run(OpenCounter(cid), 0, f"officer:{oid}@{cid}")
    heap: list[tuple[float, int, str, object]] = []
    order = 0
    for pt in plan.tickets:
        heap.append((pt.arrival_s, order, "arrive", pt))
        order += 1
    heapq.heapify(heap)
    idle = list(officers)
    planned = {}
    while heap:
        t, _o, kind, data = heapq.heappop(heap)
        if kind == "arrive":
            pt = data
            kiosk = f"KIOSK-B{1 + pt.seq % 20}"  # type: ignore[attr-defined]
            prio = PriorityGroup.LANSIA if pt.priority else None  # type: ignore[attr-defined]
            issued = run(
                IssueTicket(pt.line, prio, f"{SIM_DAY}-t{order}", kiosk),
                t,  # type: ignore[attr-defined]
                f"kiosk:{kiosk}",
            )
            order += 1
            tid = next(e.ticket for e in issued if isinstance(e, TicketIssued))
            planned[tid] = pt
            run(ConfirmPrinted(tid), t + 5, f"kiosk:{kiosk}")
        else:
            cid = data  # type: ignore[assignment]
            cmd = {"start": StartService, "finish": FinishService, "noshow": MarkNoShow}[kind]
            try:
                run(cmd(cid), t, f"officer:{officers[cid]}@{cid}")  # type: ignore[arg-type]
            except DomainError:
                # A long day (bench/central.py's 4,000 tickets) runs past closing, where the
                # core has already ended what the counter had.
                if kind != "start":  # its finish (or no-show) frees it, once
                    idle.append(cid)  # type: ignore[arg-type]
                continue
            if kind == "start":
                continue
            idle.append(cid)  # type: ignore[arg-type]
        for cid in list(idle):
            try:
                called = run(CallNext(cid), t, f"officer:{officers[cid]}@{cid}")
            except DomainError:
                continue
            idle.remove(cid)
            pt = planned[next(e.ticket for e in called if isinstance(e, TicketCalled))]
            if pt.no_show:
                heapq.heappush(heap, (t + 120, order, "noshow", cid))
            else:
                heapq.heappush(heap, (t + pt.walk_s, order, "start", cid))
                heapq.heappush(heap, (t + pt.walk_s + pt.service_s, order + 1, "finish", cid))
            order += 2
    tickets_of_day = dict(state.tickets)
    run(Tick(), (24 - 7.5) * 3600 + 1, "system")  # the next morning closes the day
    return out, tickets_of_day


def _shift_ticket(t: Ticket, old: str, new: str, delta: timedelta) -> Ticket:
    def move(value: datetime | None) -> datetime | None:
        return None if value is None else value + delta

    return dataclasses.replace(
        t,
        id=t.id.replace(old, new),
        day=t.day + delta,
        token=t.token.replace(old, new),
        issued_at=t.issued_at + delta,
        queued_at=t.queued_at + delta,
        called_at=move(t.called_at),
        started_at=move(t.started_at),
        finished_at=move(t.finished_at),
        no_show_at=move(t.no_show_at),
    )


async def _write_year(path: Path, building: Building) -> int:
    events, tickets = template_day(building)
    old = SIM_DAY.isoformat()
    texts = [json.dumps(event_to_dict(e), separators=(",", ":")) for e, _a, _r in events]
    days: list[date] = []
    d = TODAY - timedelta(days=1)
    while len(days) < _DAYS:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    store = await Store.open(path)
    seq = 0
    try:
        for day in [*reversed(days), TODAY]:
            new = day.isoformat()
            delta = day - SIM_DAY
            todays = day == TODAY
            # Today: the morning only (half the day's events), and no close.
            count = len(events) // 2 if todays else len(events)
            batch = []
            for (_e, actor, rid), text in zip(events[:count], texts[:count], strict=True):
                seq += 1
                # Shifting the whole text moves every date: the instant, ids, tokens, the day.
                moved = read_event(json.loads(text.replace(old, new)))
                batch.append(StoredEvent(seq, moved, actor, rid.replace(old, new) if rid else None))
            rows = [] if todays else [_shift_ticket(t, old, new, delta) for t in tickets.values()]
            await store.append(batch, rows, [], building.service_day)
    finally:
        await store.close()
    return seq


def make_year(folder: Path) -> tuple[Path, int]:
    """The year-of-history store (cached); its path and event count."""
    path = folder / f"year-v{LATEST_VERSION}.db"
    marker = path.with_suffix(".events")
    if path.exists() and marker.exists():
        return path, int(marker.read_text())
    fresh_db(path)
    count = asyncio.run(_write_year(path, day_building().building))
    marker.write_text(str(count))
    return path, count


@dataclass(frozen=True)
class StartupResult:
    events: int
    empty_s: float  # spawn -> READY on an empty store
    year_s: float  # spawn -> READY on the year
    build_s: float  # making the year (0 when cached)


def run_startup(folder: Path, runs: int = 3) -> StartupResult:
    t0 = clock.perf_counter()
    year, events = make_year(folder)
    build = clock.perf_counter() - t0
    noon = datetime.combine(TODAY, time(12, 0), tzinfo=day_building().building.tz)

    def best(db: Path, fresh: bool) -> float:
        times = []
        for _ in range(runs):
            if fresh:
                fresh_db(db)
            server = ServerProcess("day", db, clock=noon).start()
            times.append(server.started_s)
            server.stop()
        return min(times)

    empty = best(folder / "empty.db", True)
    # A copy: a server that starts on the year writes to it (meta, a Tick), and the cached file
    # must stay the same for the next run.
    work = fresh_db(folder / "year-run.db")
    work.write_bytes(year.read_bytes())
    full = best(work, False)
    return StartupResult(events, empty, full, build)
