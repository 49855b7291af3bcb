"""The floor manager's figures per line, per counter and per agency, from the model's copy.

Counts and waits come from the model's own copy of today's tickets, exact to the last event.
The staffing hint's inputs come from the server's `lines` push (docs/protocol.md): the line's
arrival rate, its expected service time and the Erlang C mean wait with c counters for each
stable c; the dashboard only looks up the fewest counters whose wait is within its target
(`staffing_for`), so the queueing arithmetic lives once, in `server.core.estimates`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from display.floor_model import FloorModel

__all__ = [
    "CounterFigures",
    "LineFigures",
    "WaitingTicket",
    "agency_rows",
    "counter_figures",
    "line_figures",
    "staffing_for",
    "waiting_list",
]


@dataclass(frozen=True, slots=True)
class LineFigures:
    prefix: str
    name: str
    agency: str
    waiting: int
    waiting_priority: int
    longest_wait_s: float
    avg_wait_s: float | None
    avg_service_s: float | None
    target_service_s: float
    target_wait_s: float
    issued: int
    served: int
    no_show: int
    cancelled: int
    quota_left_walk_in: int | None
    quota_left_priority: int | None
    counters_open: int
    counters_paused: int
    counters_closed: int
    arrivals_per_h: float  # from the server's `lines` push
    mean_service_s: float  # from the server's `lines` push
    staffing: int  # counters that keep the expected wait under target_wait_s now
    # A part-week line on a weekday it does not serve (the push's refusal_code): the
    # dashboard says so instead of showing it like an open line with nobody waiting.
    off_today: bool = False


@dataclass(frozen=True, slots=True)
class CounterFigures:
    id: str
    name: str
    agency: str
    serves: tuple[str, ...]
    state: str  # open / paused / closed
    officer: str | None
    since: datetime | None
    pause_reason: str | None
    ticket: str | None  # the active ticket id
    number: str | None
    ticket_state: str | None  # called / serving


@dataclass(frozen=True, slots=True)
class WaitingTicket:
    id: str
    number: str
    priority: str | None
    waited_s: float
    state: str  # waiting, or no_show (reactivatable)


def staffing_for(staffing_waits: Sequence[Sequence[float]], target_wait_s: float) -> int:
    """The fewest counters whose published mean wait is within the target (0: nobody arrives).

    The server lists waits down to under a second, so any target of a second or more is found;
    a shorter one gets the largest count listed.
    """
    if not staffing_waits:
        return 0
    for counters, wait_s in staffing_waits:
        if wait_s <= target_wait_s:
            return int(counters)
    return int(staffing_waits[-1][0])


def _first_line(number: str, line: str) -> str:
    """The line a ticket was issued on: its number's prefix (a transfer keeps the number)."""
    return number.split("-")[0] if "-" in number else line


def waiting_list(model: FloorModel, prefix: str, now: datetime) -> list[WaitingTicket]:
    """The line's waiting tickets (priority first, then by queue time) and its no-shows."""
    mine = [t for t in model.tickets.values() if t.line == prefix]
    waiting = [t for t in mine if t.state == "waiting"]
    waiting.sort(key=lambda t: (t.priority is None, t.queued_at))
    no_show = [t for t in mine if t.state == "no_show"]
    return [
        WaitingTicket(
            t.id,
            t.number,
            t.priority,
            max(0.0, (now - t.queued_at).total_seconds()),
            t.state,
        )
        for t in (*waiting, *no_show)
    ]


def line_figures(model: FloorModel, now: datetime) -> list[LineFigures]:
    """Every line's figures now, in the building's order."""
    s = model.settings
    by_line: dict[str, list[Any]] = defaultdict(list)
    issued: dict[str, int] = defaultdict(int)
    for t in model.tickets.values():
        by_line[t.line].append(t)
        issued[_first_line(t.number, t.line)] += 1
    states = _counter_states_by_line(model)
    out = []
    for ln in model.line_defs():
        prefix = ln["prefix"]
        mine = by_line.get(prefix, [])
        waiting = [t for t in mine if t.state == "waiting"]
        waits = [w for _, w in model.waits.get(prefix, [])]
        services = [v for _, v in model.services.get(prefix, [])]
        target_service_min = float(ln.get("target_service_min") or 10.0)
        push = model.line_push.get(prefix, {})
        st = states.get(prefix, {})
        out.append(
            LineFigures(
                prefix=prefix,
                name=ln.get("name", ""),
                agency=ln.get("agency", ""),
                waiting=len(waiting),
                waiting_priority=sum(1 for t in waiting if t.priority),
                # A booked ticket checked in early is queued at its slot: not waiting yet.
                longest_wait_s=max(
                    (max(0.0, (now - t.queued_at).total_seconds()) for t in waiting), default=0.0
                ),
                avg_wait_s=math.fsum(waits) / len(waits) if waits else None,
                avg_service_s=math.fsum(services) / len(services) if services else None,
                target_service_s=target_service_min * 60.0,
                target_wait_s=s.target_wait_min * 60.0,
                issued=issued.get(prefix, 0),
                served=sum(1 for t in mine if t.state == "done"),
                no_show=model.no_shows.get(prefix, 0),
                cancelled=sum(1 for t in mine if t.state == "cancelled"),
                quota_left_walk_in=push.get("quota_left_walk_in"),
                quota_left_priority=push.get("quota_left_priority"),
                counters_open=st.get("open", 0),
                counters_paused=st.get("paused", 0),
                counters_closed=st.get("closed", 0),
                # Before the first push (none is due without a snapshot) nobody has arrived yet
                # and the target is the best service estimate, as on the server.
                arrivals_per_h=float(push.get("arrivals_per_h", 0.0)),
                mean_service_s=float(push.get("mean_service_s", target_service_min * 60.0)),
                staffing=staffing_for(push.get("staffing_waits", ()), s.target_wait_min * 60.0),
                off_today=push.get("refusal_code") == "service_off_day",
            )
        )
    return out


def _counter_states_by_line(model: FloorModel) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cd in model.counter_defs():
        c = model.counters.get(cd["id"])
        state = c.state if c is not None else "closed"
        for prefix in cd.get("serves", []):
            out[prefix][state] += 1
    return out


def counter_figures(model: FloorModel) -> list[CounterFigures]:
    """Every counter with its state, officer and active ticket, in the building's order."""
    out = []
    for cd in model.counter_defs():
        c = model.counters.get(cd["id"])
        ticket = c.ticket if c is not None else None
        active = model.tickets.get(ticket) if ticket else None
        out.append(
            CounterFigures(
                id=cd["id"],
                name=cd.get("name", cd["id"]),
                agency=cd.get("agency", ""),
                serves=tuple(cd.get("serves", [])),
                state=c.state if c is not None else "closed",
                officer=c.officer if c is not None else None,
                since=c.since if c is not None else None,
                pause_reason=c.pause_reason if c is not None else None,
                ticket=ticket,
                number=active.number if active else None,
                ticket_state=active.state if active else None,
            )
        )
    return out


def agency_rows(model: FloorModel, lines: Iterable[LineFigures]) -> list[dict[str, Any]]:
    """Per agency: the sums of its lines (waits averaged over their samples)."""
    names = {
        a["code"]: a.get("short_name") or a["code"] for a in model.building.get("agencies", [])
    }
    rows: dict[str, dict[str, Any]] = {}
    for lf in lines:
        r = rows.setdefault(
            lf.agency,
            {
                "agency": lf.agency,
                "name": names.get(lf.agency, lf.agency),
                "waiting": 0,
                "longest_wait_s": 0.0,
                "issued": 0,
                "served": 0,
                "no_show": 0,
                "cancelled": 0,
                "wait_sum": 0.0,
                "wait_n": 0,
            },
        )
        r["waiting"] += lf.waiting
        r["longest_wait_s"] = max(r["longest_wait_s"], lf.longest_wait_s)
        for k in ("issued", "served", "no_show", "cancelled"):
            r[k] += getattr(lf, k)
        samples = model.waits.get(lf.prefix, [])
        r["wait_sum"] += math.fsum(w for _, w in samples)
        r["wait_n"] += len(samples)
    for r in rows.values():
        r["avg_wait_s"] = r["wait_sum"] / r["wait_n"] if r["wait_n"] else None
    return list(rows.values())
