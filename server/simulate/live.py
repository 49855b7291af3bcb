"""A planned day driven through a live server by real protocol clients (`antre simulate --live`).

`--live` drives a running server with real protocol clients, kiosks and counter consoles alike
(`AntreClient`), following the same day plan: a ticket is issued and confirmed at its arrival,
counters call the next ticket when free, the citizen walks up (or never comes: a no-show after
the timeout) and is served for the planned time. `--speed 60` plays a simulated minute per
second (a day in about nine minutes); `--speed 1` is human pace; `--speed 0` means as fast as
the server answers, which needs a server started without request-rate limits (the benchmark's,
see docs/benchmarks.md). Only the building's own credentials are used; the demo building's are
public and are the default.

`drive_day` is also what `bench/` uses for the full-day figure.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from server import protocol as p
from server.client import AntreClient, RequestError
from server.core.building import Building, DeviceKind
from server.simulate.day import PlannedTicket, TicketPlan

__all__ = ["DayReport", "Seats", "demo_seats", "drive_day"]

# Counters ask again this often when their lines are empty and no new ticket has been announced.
_IDLE_POLL_S = 0.5
# Refusals the driver retries with the same request id (the server said: later, or slower).
_RETRY_CODES = frozenset({p.ERR_RATE_LIMITED})


@dataclass(frozen=True)
class Seats:
    """Who drives the day: kiosk tokens and, per staffed counter, the officer and PIN."""

    kiosks: Sequence[str]
    officers: Mapping[str, tuple[str, str]]  # counter id -> (officer id, PIN)


def demo_seats(building: Building, secrets: Mapping[str, str]) -> Seats:
    """Every kiosk with a known token; each officer with a known PIN at a counter of their agency.

    `secrets` maps ids to tokens and PINs (`server.config.load_demo_credentials()`).
    """
    kiosks = [
        secrets[d.id] for d in building.devices if d.kind is DeviceKind.KIOSK and d.id in secrets
    ]
    free = list(building.counters)
    covered: set[str] = set()
    officers: dict[str, tuple[str, str]] = {}
    for o in building.officers:
        if o.id not in secrets:
            continue
        mine = [c for c in free if c.agency == o.agency]
        if not mine:
            continue
        # Fewer officers than counters: seat each where the most lines still lack a counter
        # (Dukcapil's priority counter serves all four of its lines), so every line is served.
        seat = max(mine, key=lambda c: (len(set(c.serves) - covered), len(c.serves)))
        free.remove(seat)
        covered.update(seat.serves)
        officers[seat.id] = (o.id, secrets[o.id])
    return Seats(kiosks, officers)


@dataclass
class DayReport:
    """What the clients were told: the ground truth that the server's store must match."""

    issued: dict[str, str] = field(default_factory=dict)  # ticket id -> number (acknowledged)
    confirmed: set[str] = field(default_factory=set)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (ticket id, counter), acked
    served: int = 0
    no_shows: int = 0
    refused: dict[str, int] = field(default_factory=dict)  # issue refusals by code
    errors: dict[str, int] = field(default_factory=dict)  # other refusals by code
    seconds: float = 0.0

    def summary(self) -> str:
        refused = ", ".join(f"{k} {v}" for k, v in sorted(self.refused.items())) or "none"
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "none"
        uncalled = len(self.confirmed - {t for t, _c in self.calls})
        return (
            f"{len(self.issued)} tickets issued ({len(self.confirmed)} printed), "
            f"{len(self.calls)} calls, {self.served} served, {self.no_shows} no-shows, "
            f"{uncalled} never called "
            f"in {self.seconds:.1f} s; refused: {refused}; other errors: {errors}"
        )


class _Day:
    """The shared state of one driven day: the plan by ticket id, and who is still to come."""

    def __init__(self, plan: TicketPlan, speed: float, report: DayReport) -> None:
        self.speed = speed  # simulated seconds per wall second; 0 = no waiting at all
        self.report = report
        self.planned: dict[str, PlannedTicket] = {}  # ticket id -> the citizen holding it
        self.kiosks_done = 0
        self.kiosks = 0
        self.arrival = asyncio.Event()  # set (and replaced) whenever a ticket enters a queue
        self.start = time.perf_counter()

    async def sleep_until(self, sim_s: float) -> None:
        if self.speed > 0:
            await asyncio.sleep(max(0.0, self.start + sim_s / self.speed - time.perf_counter()))

    async def sleep_for(self, sim_s: float) -> None:
        if self.speed > 0:
            await asyncio.sleep(sim_s / self.speed)

    def announce(self) -> None:
        self.arrival.set()
        self.arrival = asyncio.Event()

    @property
    def issuing(self) -> bool:
        return self.kiosks_done < self.kiosks


async def _request(client: AntreClient, kind: str, **fields: Any) -> dict[str, Any]:
    """One request, retried with the same request id while the server says "later"."""
    if kind in p.MUTATING_TYPES:
        fields.setdefault("request_id", f"sim-{time.monotonic_ns()}-{id(client)}")
    while True:
        try:
            return await client.request(kind, **fields)
        except RequestError as exc:
            if exc.code not in _RETRY_CODES:
                raise
            await asyncio.sleep(0.5)


async def _kiosk(client: AntreClient, tickets: Sequence[PlannedTicket], day: _Day) -> None:
    report = day.report
    try:
        for pt in tickets:
            await day.sleep_until(pt.arrival_s)
            try:
                reply = await _request(
                    client, "issue_ticket", line=pt.line, priority="lansia" if pt.priority else None
                )
            except RequestError as exc:
                report.refused[exc.code] = report.refused.get(exc.code, 0) + 1
                continue
            ticket = reply["ticket"]
            report.issued[ticket["id"]] = ticket["number"]
            day.planned[ticket["id"]] = pt
            await _request(client, "confirm_printed", ticket=ticket["id"])
            report.confirmed.add(ticket["id"])
            day.announce()
    finally:
        day.kiosks_done += 1
        day.announce()  # idle counters re-check whether the day is over


async def _counter(client: AntreClient, counter: str, day: _Day, timeout_s: float) -> None:
    report = day.report
    for kind in ("login", "open_counter"):
        try:
            await _request(client, kind)
        except RequestError as exc:  # already logged in / open (a resumed day)
            report.errors[exc.code] = report.errors.get(exc.code, 0) + 1
    while True:
        waiter = day.arrival
        issuing = day.issuing
        try:
            reply = await _request(client, "call_next")
        except RequestError as exc:
            if exc.code != "queue_empty":
                report.errors[exc.code] = report.errors.get(exc.code, 0) + 1
            if not issuing:
                return  # nothing waits for this counter and nobody else is coming
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), _IDLE_POLL_S)
            continue
        ticket = reply["ticket"]["id"]
        report.calls.append((ticket, counter))
        pt = day.planned.get(ticket)
        if pt is None or pt.no_show:
            await day.sleep_for(timeout_s)
            await _request(client, "no_show")
            report.no_shows += 1
            continue
        await day.sleep_for(pt.walk_s)
        await _request(client, "start_service")
        await day.sleep_for(pt.service_s)
        await _request(client, "finish_service")
        report.served += 1


async def drive_day(
    url: str,
    plan: TicketPlan,
    seats: Seats,
    *,
    speed: float = 60.0,
    no_show_timeout_s: float = 120.0,
    clients_out: list[AntreClient] | None = None,
) -> DayReport:
    """Play a planned day through a live server with kiosk and counter clients; report the acks.

    Arrivals are dealt to the kiosks in turn. Returns once every ticket was issued (or refused)
    and no staffed counter has anything left to call. `clients_out`, when given, receives the
    clients (a soak test cuts their connections to prove they resume).
    """
    if not seats.kiosks or not seats.officers:
        raise ValueError("a day needs at least one kiosk and one staffed counter")
    report = DayReport()
    day = _Day(plan, speed, report)
    kiosks = [
        AntreClient(url, p.hello_kiosk(t), heartbeat_s=15.0, request_timeout_s=120)
        for t in seats.kiosks
    ]
    officers = {
        cid: AntreClient(
            url, p.hello_officer(cid, oid, pin), heartbeat_s=15.0, request_timeout_s=120
        )
        for cid, (oid, pin) in seats.officers.items()
    }
    clients = [*kiosks, *officers.values()]
    if clients_out is not None:
        clients_out.extend(clients)
    try:
        await asyncio.gather(*(c.connect(timeout=60) for c in clients))
        day.kiosks = len(kiosks)
        day.start = time.perf_counter()
        shares = [plan.tickets[k :: len(kiosks)] for k in range(len(kiosks))]
        tasks = [_kiosk(c, shares[k], day) for k, c in enumerate(kiosks)]
        tasks += [_counter(c, cid, day, no_show_timeout_s) for cid, c in officers.items()]
        await asyncio.gather(*tasks)
        report.seconds = time.perf_counter() - day.start
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    return report
