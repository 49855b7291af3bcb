"""The floor manager's picture of the building: figures and alerts from a snapshot plus events.

Theory of operation: `FloorModel` is fed the frames a floor session receives (`snapshot`,
`event`, `lines`, `alert`, and `presence` once the hub sends it) through `handle(msg, now)`, and
answers questions with the time passed in: `lines(now)`, `counters(now)`, `alerts(now)`,
`waiting_list(prefix, now)`, `chart(now)`. It keeps its own light copy of today's tickets and
counters, moved by the same events the core emits, so every figure is exact to the last event
and nothing here reads a clock, a socket or the server's code (clients import only
`server.protocol` and `server.client`).

Alerts carry the instant their condition started. Conditions that start with the passing of
time (a wait crossing its threshold, a pause running too long, a service far over its target)
get that instant computed; conditions that start with an event (a line left without an open
counter, a printer out of paper) are evaluated after every event, at the event's own time.

The staffing hint is the textbook M/M/c (Erlang C) answer; `mean_service_s` and
`staffing_hint` mirror `server.core.estimates` (tests/floor checks that they agree), because a
client may not import the server's core.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from typing import Any

__all__ = [
    "Alert",
    "AlertKind",
    "CounterFigures",
    "FloorModel",
    "FloorSettings",
    "LineFigures",
    "WaitingTicket",
    "mean_service_s",
    "staffing_hint",
]

_ACTIVE = ("called", "serving")
_OPEN_TICKET = ("printing", "waiting", "called", "serving", "no_show")
_PRINTER_PROBLEMS = {
    "near_end": "kertas hampir habis",
    "paper_out": "kertas habis",
    "offline": "tidak terhubung",
    "error": "galat",
}

# How many services the line's target counts as: the same prior as server.core.estimates.
_PRIOR_WEIGHT = 5


def mean_service_s(recent_service_s: Sequence[float], target_service_min: float) -> float:
    """Expected counter time: recent services shrunk toward the line's target (k / (k + 5))."""
    target_s = target_service_min * 60.0
    k = len(recent_service_s)
    if k == 0:
        return target_s
    weight = k / (k + _PRIOR_WEIGHT)
    return weight * (math.fsum(recent_service_s) / k) + (1.0 - weight) * target_s


def staffing_hint(arrival_rate_per_h: float, mean_service_s: float, target_wait_s: float) -> int:
    """The fewest counters whose Erlang C mean wait is at most target_wait_s (0 for no arrivals)."""
    if arrival_rate_per_h < 0 or mean_service_s <= 0 or target_wait_s <= 0:
        raise ValueError("arrival rate >= 0, mean service time and target wait > 0")
    if arrival_rate_per_h == 0:
        return 0
    lam = arrival_rate_per_h / 3600.0
    mu = 1.0 / mean_service_s
    a = lam / mu
    b = 1.0  # Erlang B by its recursion: no factorials, no overflow at hundreds of erlangs
    c = 0
    while True:
        c += 1
        b = a * b / (c + a * b)
        if c <= a:
            continue  # fewer counters than the load: the queue grows without bound
        wait_probability = c * b / (c - a * (1.0 - b))
        if wait_probability / (c * mu - lam) <= target_wait_s:
            return c


@dataclass(frozen=True, slots=True)
class FloorSettings:
    """The dashboard's thresholds; docs/operations.md ("Floor dashboard") explains each."""

    wait_alert_min: float = 60.0  # a line's wait threshold when the building gives none
    target_wait_min: float = 30.0  # the wait the staffing hint keeps the mean under
    service_over_factor: float = 2.0  # "far over the target": this many times the target
    pause_alert_min: float = 30.0  # a pause longer than this is an alert
    arrival_window_min: float = 60.0  # the recent arrival rate is measured over this window
    min_window_min: float = 15.0  # ...but never shorter, so the first minutes do not spike it
    service_window: int = 20  # recent services feeding the mean service time
    silent_after_s: float = 60.0  # a kiosk or TV disconnected this long is an alert


class AlertKind(StrEnum):
    WAIT = "tunggu"
    SERVICE = "layanan"
    UNSTAFFED = "tanpa_loket"
    PAUSED = "jeda"
    PRINTER = "printer"
    SILENT = "perangkat"


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    subject: str  # the line prefix, counter id or device id it is about
    started: datetime
    message: str  # Indonesian, for the manager
    severe: bool = True


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
    arrivals_per_h: float
    mean_service_s: float
    staffing: int  # counters that keep the expected wait under target_wait_s now


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


@dataclass(slots=True)
class _Ticket:
    id: str
    number: str
    line: str
    state: str
    priority: str | None
    issued_at: datetime
    queued_at: datetime
    counter: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    wait_start: datetime | None = None  # start of the current waiting period, when waiting


@dataclass(slots=True)
class _Counter:
    id: str
    state: str = "closed"
    officer: str | None = None
    since: datetime | None = None
    pause_reason: str | None = None
    ticket: str | None = None


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _mins(seconds: float) -> str:
    return f"{int(seconds // 60)} mnt"


@dataclass(slots=True)
class FloorModel:
    """Today's building as a floor manager sees it; fed frames, asked with `now`."""

    settings: FloorSettings = field(default_factory=FloorSettings)
    building: dict[str, Any] = field(default_factory=dict)
    day: str | None = None
    tz: tzinfo = timezone(timedelta(hours=7))
    tickets: dict[str, _Ticket] = field(default_factory=dict)
    counters: dict[str, _Counter] = field(default_factory=dict)
    # The server's `lines` figures by prefix: quota left and issuing come from there.
    line_push: dict[str, dict[str, Any]] = field(default_factory=dict)
    printers: dict[str, dict[str, Any]] = field(default_factory=dict)
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)  # from `presence`
    # Completed waits and services per line, (end instant, seconds), in the order they ended.
    waits: dict[str, list[tuple[datetime, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    services: dict[str, list[tuple[datetime, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    no_shows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # When each alert's condition was first seen, for the ones that start with an event.
    _seen: dict[tuple[AlertKind, str], datetime] = field(default_factory=dict)

    # -- feeding -----------------------------------------------------------------------------

    def handle(self, msg: Mapping[str, Any], now: datetime) -> bool:
        """Take one pushed frame; True if the picture may have changed."""
        kind = msg.get("type")
        if kind == "snapshot":
            self.load_snapshot(msg)
            self.alerts(now)
        elif kind == "event":
            event = msg.get("event") or {}
            self.apply(event)
            self.alerts(_dt(event.get("at")) or now)
        elif kind == "lines":
            self.line_push.update({ln["prefix"]: ln for ln in msg.get("lines", [])})
        elif kind == "alert" and msg.get("alert") == "printer":
            self.printers[msg["kiosk"]] = {k: msg.get(k) for k in ("status", "detail", "at")}
            self.alerts(now)
        elif kind == "presence":
            self.devices.update({d["id"]: d for d in msg.get("devices", [])})
            self.alerts(now)
        else:
            return False
        return True

    def load_snapshot(self, snap: Mapping[str, Any]) -> None:
        """Start over from a floor snapshot."""
        self.building = dict(snap.get("building") or {})
        self.day = snap.get("day")
        self.tz = timezone(timedelta(minutes=self.building.get("utc_offset_min", 7 * 60)))
        self.tickets.clear()
        self.waits.clear()
        self.services.clear()
        self.no_shows.clear()
        self._seen.clear()
        self.counters = {c["id"]: _Counter(c["id"]) for c in self.building.get("counters", [])}
        for c in snap.get("counters", []):
            self.counters[c["id"]] = _Counter(
                id=c["id"],
                state=c.get("state", "closed"),
                officer=c.get("officer"),
                since=_dt(c.get("since")),
                pause_reason=c.get("pause_reason"),
                ticket=c.get("ticket"),
            )
        for t in snap.get("tickets", []):
            ticket = _Ticket(
                id=t["id"],
                number=t["number"],
                line=t["line"],
                state=t["state"],
                priority=t.get("priority"),
                issued_at=_dt(t["issued_at"]),  # type: ignore[arg-type]
                queued_at=_dt(t.get("queued_at")) or _dt(t["issued_at"]),  # type: ignore[arg-type]
                counter=t.get("counter"),
                called_at=_dt(t.get("called_at")),
                started_at=_dt(t.get("started_at")),
                finished_at=_dt(t.get("finished_at")),
            )
            if ticket.state == "waiting":
                ticket.wait_start = ticket.queued_at
            # The snapshot keeps the last call only: a ticket transferred or reactivated counts
            # one wait, from its queue time. Replayed events (the usual resume) stay exact.
            if ticket.called_at is not None:
                self.waits[ticket.line].append(
                    (ticket.called_at, (ticket.called_at - ticket.queued_at).total_seconds())
                )
            if ticket.finished_at is not None and ticket.started_at is not None:
                self.services[ticket.line].append(
                    (ticket.finished_at, (ticket.finished_at - ticket.started_at).total_seconds())
                )
            if ticket.state == "no_show":
                self.no_shows[ticket.line] += 1
            self.tickets[ticket.id] = ticket
        for series in (*self.waits.values(), *self.services.values()):
            series.sort(key=lambda pair: pair[0])
        self.printers = dict(snap.get("printers") or {})
        self.devices = {d["id"]: d for d in snap.get("devices", [])}
        self.line_push = {ln["prefix"]: ln for ln in snap.get("lines", [])}

    def apply(self, ev: Mapping[str, Any]) -> None:
        """Move the picture by one event (the core's event_to_dict form)."""
        kind = ev.get("kind")
        at = _dt(ev.get("at"))
        if at is None:
            return
        if kind == "day_closed":
            self.tickets.clear()
            self.waits.clear()
            self.services.clear()
            self.no_shows.clear()
            for c in self.counters.values():
                c.state, c.officer, c.ticket, c.pause_reason, c.since = (
                    "closed",
                    None,
                    None,
                    None,
                    at,
                )
            return
        counter = self.counters.get(ev.get("counter") or "")
        if kind == "officer_logged_in" and counter:
            counter.officer = ev.get("officer")
        elif kind == "officer_logged_out" and counter:
            counter.officer, counter.state, counter.since = None, "closed", at
        elif kind == "counter_opened" and counter:
            counter.state, counter.since, counter.pause_reason = "open", at, None
        elif kind == "counter_paused" and counter:
            counter.state, counter.since, counter.pause_reason = "paused", at, ev.get("reason")
        elif kind == "counter_resumed" and counter:
            counter.state, counter.since, counter.pause_reason = "open", at, None
        elif kind == "counter_closed" and counter:
            counter.state, counter.since, counter.pause_reason = "closed", at, None
        if kind == "ticket_issued":
            self.tickets[ev["ticket"]] = _Ticket(
                id=ev["ticket"],
                number=ev["number"],
                line=ev["line"],
                state="printing",
                priority=ev.get("priority"),
                issued_at=at,
                queued_at=at,
                wait_start=at,
            )
            return
        t = self.tickets.get(ev.get("ticket") or "")
        if t is None:
            return
        if kind == "ticket_printed":
            t.state = "waiting"
        elif kind == "ticket_called":
            if t.wait_start is not None and t.state == "waiting":
                self.waits[t.line].append((at, (at - t.wait_start).total_seconds()))
            if t.counter != ev["counter"]:
                t.called_at = at
            t.state, t.counter, t.wait_start = "called", ev["counter"], None
            if counter:
                counter.ticket = t.id
        elif kind == "service_started":
            t.state, t.started_at = "serving", at
        elif kind == "service_finished":
            t.state, t.finished_at = "done", at
            if t.started_at is not None:
                self.services[t.line].append((at, (at - t.started_at).total_seconds()))
            self._release(t)
        elif kind == "ticket_no_show":
            t.state = "no_show"
            self.no_shows[t.line] += 1
            self._release(t)
        elif kind == "ticket_reactivated":
            t.state, t.counter, t.called_at, t.wait_start = "waiting", None, None, at
        elif kind == "ticket_transferred":
            self._release(t)
            t.line, t.state, t.counter, t.wait_start = ev["to_line"], "waiting", None, at
            t.called_at = t.started_at = None
        elif kind in ("ticket_cancelled", "ticket_print_failed", "ticket_expired"):
            self._release(t)
            t.state = "expired" if kind == "ticket_expired" else "cancelled"
            t.wait_start = None

    def _release(self, t: _Ticket) -> None:
        for c in self.counters.values():
            if c.ticket == t.id:
                c.ticket = None

    # -- figures -----------------------------------------------------------------------------

    def line_defs(self) -> list[dict[str, Any]]:
        return list(self.building.get("lines", []))

    def counter_defs(self) -> list[dict[str, Any]]:
        return list(self.building.get("counters", []))

    def wait_threshold_s(self, line: Mapping[str, Any]) -> float:
        """A line's wait alert threshold: its own max_wait_min if the building gives it."""
        return 60.0 * float(line.get("max_wait_min") or self.settings.wait_alert_min)

    def waiting_list(self, prefix: str, now: datetime) -> list[WaitingTicket]:
        """The line's waiting tickets (priority first, then by queue time) and its no-shows."""
        waiting = [t for t in self.tickets.values() if t.line == prefix and t.state == "waiting"]
        waiting.sort(key=lambda t: (t.priority is None, t.queued_at))
        no_show = [t for t in self.tickets.values() if t.line == prefix and t.state == "no_show"]
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

    def arrivals_per_h(self, prefix: str, now: datetime) -> float:
        """Tickets issued on a line per hour over the recent window (see FloorSettings)."""
        s = self.settings
        issued = [t.issued_at for t in self.tickets.values()]
        if not issued:
            return 0.0
        # Since the first ticket of the day, but at least min_window and at most the window.
        elapsed_min = (now - min(issued)).total_seconds() / 60.0
        window_min = min(s.arrival_window_min, max(s.min_window_min, elapsed_min))
        since = now - timedelta(minutes=window_min)
        n = sum(
            1
            for t in self.tickets.values()
            if since <= t.issued_at <= now and self._first_line(t) == prefix
        )
        return n * 60.0 / window_min

    @staticmethod
    def _first_line(t: _Ticket) -> str:
        return t.number.split("-")[0] if "-" in t.number else t.line

    def lines(self, now: datetime) -> list[LineFigures]:
        """Every line's figures now, in the building's order."""
        s = self.settings
        by_line: dict[str, list[_Ticket]] = defaultdict(list)
        for t in self.tickets.values():
            by_line[t.line].append(t)
        issued: dict[str, int] = defaultdict(int)
        for t in self.tickets.values():
            issued[self._first_line(t)] += 1
        states = self._counter_states_by_line()
        out = []
        for ln in self.line_defs():
            prefix = ln["prefix"]
            mine = by_line.get(prefix, [])
            waiting = [t for t in mine if t.state == "waiting"]
            waits = [w for _, w in self.waits.get(prefix, [])]
            services = [v for _, v in self.services.get(prefix, [])]
            target_service_min = float(ln.get("target_service_min") or 10.0)
            mean_s = mean_service_s(services[-s.service_window :], target_service_min)
            rate = self.arrivals_per_h(prefix, now)
            push = self.line_push.get(prefix, {})
            st = states.get(prefix, {})
            out.append(
                LineFigures(
                    prefix=prefix,
                    name=ln.get("name", ""),
                    agency=ln.get("agency", ""),
                    waiting=len(waiting),
                    waiting_priority=sum(1 for t in waiting if t.priority),
                    longest_wait_s=max(
                        ((now - t.queued_at).total_seconds() for t in waiting), default=0.0
                    ),
                    avg_wait_s=math.fsum(waits) / len(waits) if waits else None,
                    avg_service_s=math.fsum(services) / len(services) if services else None,
                    target_service_s=target_service_min * 60.0,
                    target_wait_s=s.target_wait_min * 60.0,
                    issued=issued.get(prefix, 0),
                    served=sum(1 for t in mine if t.state == "done"),
                    no_show=self.no_shows.get(prefix, 0),
                    cancelled=sum(1 for t in mine if t.state == "cancelled"),
                    quota_left_walk_in=push.get("quota_left_walk_in"),
                    quota_left_priority=push.get("quota_left_priority"),
                    counters_open=st.get("open", 0),
                    counters_paused=st.get("paused", 0),
                    counters_closed=st.get("closed", 0),
                    arrivals_per_h=rate,
                    mean_service_s=mean_s,
                    staffing=staffing_hint(rate, mean_s, s.target_wait_min * 60.0),
                )
            )
        return out

    def _counter_states_by_line(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for cd in self.counter_defs():
            state = self.counters.get(cd["id"], _Counter(cd["id"])).state
            for prefix in cd.get("serves", []):
                out[prefix][state] += 1
        return out

    def counter_figures(self) -> list[CounterFigures]:
        """Every counter with its state, officer and active ticket, in the building's order."""
        out = []
        for cd in self.counter_defs():
            c = self.counters.get(cd["id"], _Counter(cd["id"]))
            active = self.tickets.get(c.ticket) if c.ticket else None
            out.append(
                CounterFigures(
                    id=cd["id"],
                    name=cd.get("name", cd["id"]),
                    agency=cd.get("agency", ""),
                    serves=tuple(cd.get("serves", [])),
                    state=c.state,
                    officer=c.officer,
                    since=c.since,
                    pause_reason=c.pause_reason,
                    ticket=c.ticket,
                    number=active.number if active else None,
                    ticket_state=active.state if active else None,
                )
            )
        return out

    def chart(self, now: datetime) -> tuple[list[str], list[int], list[int]]:
        """Half-hour slots of today up to now, with tickets issued and served in each."""
        issued: dict[str, int] = defaultdict(int)
        served: dict[str, int] = defaultdict(int)
        for t in self.tickets.values():
            issued[self._slot(t.issued_at)] += 1
            if t.finished_at is not None:
                served[self._slot(t.finished_at)] += 1
        if not issued:
            return [], [], []
        first = min(issued)
        last = max(self._slot(now), *issued, *served)
        slots = []
        h, m = (int(x) for x in first.split(":"))
        while True:
            slot = f"{h:02d}:{m:02d}"
            slots.append(slot)
            if slot >= last:
                break
            h, m = (h, 30) if m == 0 else (h + 1, 0)
        return slots, [issued.get(s, 0) for s in slots], [served.get(s, 0) for s in slots]

    def _slot(self, instant: datetime) -> str:
        local = instant.astimezone(self.tz)
        return f"{local.hour:02d}:{30 if local.minute >= 30 else 0:02d}"

    # -- alerts ------------------------------------------------------------------------------

    def alerts(self, now: datetime) -> list[Alert]:
        """Every condition that holds now, oldest first; each with the instant it started."""
        s = self.settings
        found: list[Alert] = []
        by_line: dict[str, list[_Ticket]] = defaultdict(list)
        for t in self.tickets.values():
            if t.state == "waiting":
                by_line[t.line].append(t)
        open_lines = {
            p
            for cd in self.counter_defs()
            if self.counters.get(cd["id"], _Counter(cd["id"])).state == "open"
            for p in cd.get("serves", [])
        }
        for ln in self.line_defs():
            prefix, waiting = ln["prefix"], by_line.get(ln["prefix"], [])
            if not waiting:
                continue
            oldest = min(t.queued_at for t in waiting)
            limit = self.wait_threshold_s(ln)
            if (now - oldest).total_seconds() > limit:
                found.append(
                    Alert(
                        AlertKind.WAIT,
                        prefix,
                        oldest + timedelta(seconds=limit),
                        f"Layanan {prefix}: tunggu terlama {_mins((now - oldest).total_seconds())}"
                        f", melewati batas {_mins(limit)}",
                    )
                )
            if prefix not in open_lines:
                # Seen first in a snapshot, it started when the oldest citizen still waiting came
                # or when the line's last counter stopped being open, whichever was later.
                left = [
                    c.since
                    for cd in self.counter_defs()
                    if prefix in cd.get("serves", [])
                    and (c := self.counters.get(cd["id"])) is not None
                    and c.since is not None
                ]
                found.append(
                    self._seen_alert(
                        AlertKind.UNSTAFFED,
                        prefix,
                        min(now, max([oldest, *left])),
                        f"Layanan {prefix}: {len(waiting)} warga menunggu, tidak ada loket buka",
                    )
                )
        targets = {
            ln["prefix"]: float(ln.get("target_service_min") or 10.0) for ln in self.line_defs()
        }
        for c in self.counter_figures():
            counter = self.counters.get(c.id)
            if counter is None:
                continue
            active = self.tickets.get(counter.ticket) if counter.ticket else None
            if active is not None and active.state == "serving" and active.started_at:
                limit = s.service_over_factor * targets.get(active.line, 10.0) * 60.0
                took = (now - active.started_at).total_seconds()
                if took > limit:
                    found.append(
                        Alert(
                            AlertKind.SERVICE,
                            c.id,
                            active.started_at + timedelta(seconds=limit),
                            f"{c.name}: melayani {active.number} selama {_mins(took)} "
                            f"(target {_mins(targets.get(active.line, 10.0) * 60)})",
                            severe=False,
                        )
                    )
            if c.state == "paused" and c.since is not None:
                limit = s.pause_alert_min * 60.0
                took = (now - c.since).total_seconds()
                if took > limit:
                    found.append(
                        Alert(
                            AlertKind.PAUSED,
                            c.id,
                            c.since + timedelta(seconds=limit),
                            f"{c.name}: jeda ({c.pause_reason or '-'}) sudah {_mins(took)}",
                            severe=False,
                        )
                    )
        for kiosk, report in sorted(self.printers.items()):
            status = report.get("status")
            if status in _PRINTER_PROBLEMS:
                found.append(
                    self._seen_alert(
                        AlertKind.PRINTER,
                        kiosk,
                        _dt(report.get("at")) or now,
                        f"Printer {kiosk}: {_PRINTER_PROBLEMS[status]}",
                        severe=status != "near_end",
                        exact=True,
                    )
                )
        for device_id, d in sorted(self.devices.items()):
            since = _dt(d.get("since"))
            silent = not d.get("connected", True) and since is not None
            if silent and (now - since).total_seconds() >= s.silent_after_s:  # type: ignore[operator]
                label = "Anjungan" if d.get("kind") == "kiosk" else "Layar"
                found.append(
                    Alert(
                        AlertKind.SILENT,
                        device_id,
                        since,
                        f"{label} {device_id} tidak terhubung sejak "
                        f"{since.astimezone(self.tz):%H.%M}",
                    )
                )
        live = {(a.kind, a.subject) for a in found}
        for key in [k for k in self._seen if k not in live]:
            del self._seen[key]
        found.sort(key=lambda a: (a.started, a.kind, a.subject))
        return found

    def _seen_alert(
        self,
        kind: AlertKind,
        subject: str,
        now: datetime,
        message: str,
        *,
        severe: bool = True,
        exact: bool = False,
    ) -> Alert:
        """An alert whose start is the first time it was seen (or `now` when `exact`)."""
        key = (kind, subject)
        if exact:
            self._seen[key] = now
        started = self._seen.setdefault(key, now)
        return Alert(kind, subject, started, message, severe)

    # -- agencies ----------------------------------------------------------------------------

    def agency_rows(self, lines: Iterable[LineFigures]) -> list[dict[str, Any]]:
        """Per agency: the sums of its lines (waits averaged over their samples)."""
        names = {
            a["code"]: a.get("short_name") or a["code"] for a in self.building.get("agencies", [])
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
            samples = self.waits.get(lf.prefix, [])
            r["wait_sum"] += math.fsum(w for _, w in samples)
            r["wait_n"] += len(samples)
        for r in rows.values():
            r["avg_wait_s"] = r["wait_sum"] / r["wait_n"] if r["wait_n"] else None
        return list(rows.values())
