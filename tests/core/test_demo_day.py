"""A whole busy day in the demo building "MPP Kota Contoh", driven through QueueState."""

from __future__ import annotations

import random
from collections import Counter as Tally
from datetime import date, datetime, time, timedelta

import pytest
from factory import replay

from server.core.building import Building
from server.core.calendar import at_local
from server.core.events import DayClosed, Event, PriorityGroup, TicketIssued
from server.core.model import (
    CallNext,
    ConfirmPrinted,
    CounterState,
    DomainError,
    FinishService,
    IssueTicket,
    LogIn,
    MarkNoShow,
    OpenCounter,
    StartService,
    Tick,
    TicketState,
)
from server.core.queue import QueueState

DAY = date(2026, 11, 24)  # a Tuesday


def _demo() -> Building:
    try:
        from server.config import load_demo_building
    except ImportError:  # the config module is another part's; the core does not need it
        pytest.skip("server.config is not available")
    return load_demo_building()


def test_a_busy_day_in_the_demo_building() -> None:
    """1,500 citizens, every officer at a counter: unique numbers, quotas kept, clean replay."""
    building = _demo()
    rng = random.Random(20261124)
    q = QueueState(building)
    log: list[Event] = []

    def run(command: object, now: datetime) -> list[Event]:
        events = q.handle(command, now)  # type: ignore[arg-type]
        log.extend(events)
        return events

    start = at_local(building, DAY, time(7, 30))
    # Each officer takes a free counter of their agency and opens it.
    for officer in building.officers:
        for counter in building.counters:
            status = q.counters[counter.id]
            if counter.agency == officer.agency and status.officer is None:
                run(LogIn(counter.id, officer.id), start)
                run(OpenCounter(counter.id), start)
                break
    staffed = [cid for cid, c in q.counters.items() if c.state is CounterState.OPEN]
    assert staffed

    prefixes = [ln.prefix for ln in building.lines]
    busy_until: dict[str, datetime] = {}
    refused: Tally[str] = Tally()
    now = start
    issued = 0
    while now < at_local(building, DAY, time(17, 30)):
        if now < at_local(building, DAY, time(14, 0)):
            for _ in range(rng.choice([2, 3, 4, 5])):
                line = rng.choice(prefixes)
                priority = PriorityGroup.LANSIA if rng.random() < 0.08 else None
                try:
                    (ev,) = run(IssueTicket(line, priority, f"tok{issued}", "K1"), now)
                except DomainError as exc:
                    refused[exc.code] += 1
                    continue
                issued += 1
                run(ConfirmPrinted(ev.ticket), now)  # type: ignore[attr-defined]
        for cid in staffed:
            status = q.counters[cid]
            if status.ticket is not None and busy_until.get(cid, now) <= now:
                if q.tickets[status.ticket].state is TicketState.CALLED:
                    if rng.random() < 0.06:
                        run(MarkNoShow(cid), now)
                    else:
                        run(StartService(cid), now)
                        service = rng.lognormvariate(0, 0.5) * 8
                        busy_until[cid] = now + timedelta(minutes=service)
                        continue
                else:
                    run(FinishService(cid), now)
            if q.counters[cid].ticket is None:
                try:
                    run(CallNext(cid), now)
                except DomainError as exc:
                    assert exc.code == "queue_empty"
        run(Tick(), now)
        now += timedelta(minutes=1)

    issued_events = [e for e in log if isinstance(e, TicketIssued)]
    assert len(issued_events) == issued > 1000
    assert len({e.ticket for e in issued_events}) == issued  # never the same number twice
    per_line = Tally(e.line for e in issued_events)
    for line in building.lines:
        cap = (line.quota_walk_in or 10**9) + (line.quota_priority or 0)
        assert per_line[line.prefix] <= cap
    assert set(refused) <= {"quota_exhausted", "on_break", "after_cutoff", "no_more_today"}
    assert replay(building, log) == q

    closing = run(Tick(), at_local(building, DAY + timedelta(days=1), time(0)))
    assert isinstance(closing[-1], DayClosed) and closing[-1].day == DAY
    assert q == QueueState(building)
