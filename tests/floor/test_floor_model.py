"""The dashboard's figures and alerts from a snapshot plus events, without sockets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from display.floor_alerts import AlertKind
from display.floor_model import FloorModel, FloorSettings
from server.broadcast.views import building_view
from server.config import load_demo_building

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def snapshot(building: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "snapshot",
        "seq": 0,
        "day": "2026-11-23",
        "building": building or building_view(load_demo_building()),
        "lines": [],
        "counters": [],
        "tickets": [],
        "calls": [],
        "printers": {},
    }


class Day:
    """Feeds event frames to a model the way the hub pushes them."""

    def __init__(self, model: FloorModel) -> None:
        self.model = model
        self.n: dict[str, int] = {}

    def ev(self, minute: float, kind: str, **fields: Any) -> None:
        event = {"kind": kind, "at": at(minute).isoformat(), **fields}
        self.model.handle({"type": "event", "seq": 0, "event": event}, at(minute))

    def issue(self, minute: float, line: str = "A", priority: str | None = None) -> str:
        self.n[line] = self.n.get(line, 0) + 1
        number = f"{line}-{self.n[line]:03d}"
        tid = f"2026-11-23/{number}"
        self.ev(
            minute,
            "ticket_issued",
            ticket=tid,
            day="2026-11-23",
            number=number,
            seq=self.n[line],
            line=line,
            priority=priority,
            kiosk="K1",
        )
        self.ev(minute, "ticket_printed", ticket=tid)
        return tid

    def open(self, minute: float, counter: str, officer: str) -> None:
        self.ev(minute, "officer_logged_in", counter=counter, officer=officer)
        self.ev(minute, "counter_opened", counter=counter)

    def serve(self, call: float, start: float, end: float, tid: str, counter: str) -> None:
        number = tid.split("/")[1]
        self.ev(
            call,
            "ticket_called",
            ticket=tid,
            number=number,
            line=number[0],
            counter=counter,
            reason="fifo",
        )
        self.ev(start, "service_started", ticket=tid, counter=counter)
        self.ev(end, "service_finished", ticket=tid, counter=counter)


@pytest.fixture
def model() -> FloorModel:
    m = FloorModel()
    m.handle(snapshot(), T0)
    return m


def kinds(model: FloorModel, now: datetime) -> dict[tuple[AlertKind, str], datetime]:
    return {(a.kind, a.subject): a.started for a in model.alerts(now)}


def test_line_figures_follow_events(model):
    """Waiting, longest wait, averages, issued/served/no-show/cancelled match the events."""
    d = Day(model)
    d.open(0, "L01", "DKP01")
    a1, a2, a3, _a4 = (d.issue(m) for m in (0, 2, 4, 6))
    d.serve(10, 11, 19, a1, "L01")  # waited 10, served 8 minutes
    d.ev(20, "ticket_called", ticket=a2, number="A-002", line="A", counter="L01", reason="fifo")
    d.ev(22, "ticket_no_show", ticket=a2, counter="L01")
    d.ev(23, "ticket_cancelled", ticket=a3, reason="permintaan warga")
    model.handle(
        {
            "type": "lines",
            "lines": [{"prefix": "A", "quota_left_walk_in": 296, "quota_left_priority": 40}],
        },
        at(23),
    )
    a = next(lf for lf in model.lines(at(30)) if lf.prefix == "A")
    assert (a.waiting, a.issued, a.served, a.no_show, a.cancelled) == (1, 4, 1, 1, 1)
    assert a.longest_wait_s == 24 * 60  # A-004, issued at minute 6
    assert a.avg_wait_s == (10 * 60 + 18 * 60) / 2 and a.avg_service_s == 8 * 60
    assert (a.quota_left_walk_in, a.counters_open) == (296, 1)
    assert [w.number for w in model.waiting_list("A", at(30))] == ["A-004", "A-002"]
    dukcapil = next(r for r in model.agency_rows(model.lines(at(30))) if r["agency"] == "DUKCAPIL")
    assert dukcapil["waiting"] == 1 and dukcapil["issued"] == 4


def test_counter_states(model):
    """A counter shows open, its active ticket, a pause with reason and since, then closed."""
    d = Day(model)
    d.open(0, "L01", "DKP01")
    tid = d.issue(1)
    d.ev(2, "ticket_called", ticket=tid, number="A-001", line="A", counter="L01", reason="fifo")
    c = next(c for c in model.counter_figures() if c.id == "L01")
    assert (c.state, c.officer, c.number, c.ticket_state) == ("open", "DKP01", "A-001", "called")
    d.ev(3, "ticket_no_show", ticket=tid, counter="L01")
    d.ev(4, "counter_paused", counter="L01", reason="sholat")
    c = next(c for c in model.counter_figures() if c.id == "L01")
    assert (c.state, c.pause_reason, c.since, c.number) == ("paused", "sholat", at(4), None)
    d.ev(5, "counter_closed", counter="L01")
    assert next(c for c in model.counter_figures() if c.id == "L01").state == "closed"


def test_wait_alert_starts_at_threshold_and_clears(model):
    """A wait over the threshold alerts from the instant it crossed it and clears on the call."""
    d = Day(model)
    d.open(0, "L01", "DKP01")
    tid = d.issue(0)
    assert (AlertKind.WAIT, "A") not in kinds(model, at(59))
    assert kinds(model, at(75))[(AlertKind.WAIT, "A")] == at(60)
    d.ev(76, "ticket_called", ticket=tid, number="A-001", line="A", counter="L01", reason="fifo")
    assert (AlertKind.WAIT, "A") not in kinds(model, at(77))


def test_unstaffed_alert(model):
    """A line with waiting citizens and no open counter alerts from that event until one opens."""
    d = Day(model)
    d.issue(5, "E")
    assert kinds(model, at(6))[(AlertKind.UNSTAFFED, "E")] == at(5)
    d.open(8, "L08", "SMS01")
    assert (AlertKind.UNSTAFFED, "E") not in kinds(model, at(9))


def test_service_and_pause_alerts(model):
    """A service over twice the target and a pause over 30 minutes alert, then clear."""
    d = Day(model)
    d.open(0, "L01", "DKP01")
    d.open(0, "L02", "DKP02")
    tid = d.issue(0)
    d.ev(1, "ticket_called", ticket=tid, number="A-001", line="A", counter="L01", reason="fifo")
    d.ev(2, "service_started", ticket=tid, counter="L01")
    d.ev(3, "counter_paused", counter="L02", reason="istirahat")
    found = kinds(model, at(40))
    assert found[(AlertKind.SERVICE, "L01")] == at(22)  # target 10 min, factor 2
    assert found[(AlertKind.PAUSED, "L02")] == at(33)
    d.ev(41, "service_finished", ticket=tid, counter="L01")
    d.ev(41, "counter_resumed", counter="L02")
    assert not kinds(model, at(42))


def test_printer_and_silent_device_alerts(model):
    """Printer problems alert from their report's time; a device silent past the grace too."""
    model.handle(
        {
            "type": "alert",
            "alert": "printer",
            "kiosk": "KIOSK-1",
            "status": "paper_out",
            "detail": None,
            "at": at(3).isoformat(),
        },
        at(3),
    )
    model.handle(
        {
            "type": "presence",
            "devices": [
                {"id": "TV-1", "kind": "display", "connected": False, "since": at(4).isoformat()}
            ],
        },
        at(4),
    )
    found = kinds(model, at(4.5))
    assert found[(AlertKind.PRINTER, "KIOSK-1")] == at(3)
    assert (AlertKind.SILENT, "TV-1") not in found  # within the 60 s grace
    assert kinds(model, at(6))[(AlertKind.SILENT, "TV-1")] == at(4)
    model.handle(
        {
            "type": "alert",
            "alert": "printer",
            "kiosk": "KIOSK-1",
            "status": "ok",
            "at": at(7).isoformat(),
        },
        at(7),
    )
    model.handle(
        {
            "type": "presence",
            "devices": [
                {"id": "TV-1", "kind": "display", "connected": True, "since": at(7).isoformat()}
            ],
        },
        at(7),
    )
    assert not kinds(model, at(8))


def test_chart_half_hours(model):
    """Issued and served fall in their local half hour; empty slots are shown as zero."""
    d = Day(model)
    d.open(0, "L01", "DKP01")
    t1 = d.issue(5)
    d.issue(40)
    d.serve(50, 51, 55, t1, "L01")
    slots, issued, served = model.chart(at(95))
    assert slots == ["09:00", "09:30", "10:00", "10:30"]
    assert issued == [1, 1, 0, 0] and served == [0, 1, 0, 0]


def test_snapshot_alone_gives_the_figures():
    """A snapshot with tickets and counters (as after a reconnect) gives the same figures."""
    snap = snapshot()
    snap["counters"] = [
        {
            "id": "L01",
            "state": "paused",
            "since": at(1).isoformat(),
            "pause_reason": "sholat",
            "ticket": None,
            "officer": "DKP01",
        }
    ]
    snap["tickets"] = [
        {
            "id": "2026-11-23/A-001",
            "number": "A-001",
            "line": "A",
            "state": "done",
            "issued_at": at(0).isoformat(),
            "queued_at": at(0).isoformat(),
            "called_at": at(5).isoformat(),
            "started_at": at(6).isoformat(),
            "finished_at": at(16).isoformat(),
            "priority": None,
            "counter": "L01",
        },
        {
            "id": "2026-11-23/A-002",
            "number": "A-002",
            "line": "A",
            "state": "waiting",
            "issued_at": at(2).isoformat(),
            "queued_at": at(2).isoformat(),
            "priority": "lansia",
        },
    ]
    snap["printers"] = {"KIOSK-2": {"status": "near_end", "detail": None, "at": at(1).isoformat()}}
    m = FloorModel()
    m.handle(snap, at(20))
    a = next(lf for lf in m.lines(at(20)) if lf.prefix == "A")
    assert (a.waiting, a.waiting_priority, a.served, a.avg_wait_s, a.avg_service_s) == (
        1,
        1,
        1,
        300.0,
        600.0,
    )
    found = kinds(m, at(20))
    # Since A-002 came (after L01 paused): the snapshot's figures date it, not the first sight.
    assert found[(AlertKind.UNSTAFFED, "A")] == at(2)
    assert (AlertKind.PRINTER, "KIOSK-2") in found


# -- the staffing hint ------------------------------------------------------------------------


def test_staffing_hint_as_shown():
    """The line's published figures are shown, and the hint is the fewest counters within the
    dashboard's target: 60 arrivals an hour at 120 s each → 3 for 1 minute, 4 for 30 s."""
    frame = {
        "type": "lines",
        "lines": [
            {
                "prefix": "A",
                "arrivals_per_h": 60.0,
                "mean_service_s": 120.0,
                # The server's Erlang C waits (estimates.staffing_waits(60, 120)), as JSON.
                "staffing_waits": [[3, 53.333], [4, 10.435], [5, 2.388], [6, 0.541]],
            }
        ],
    }
    m = FloorModel(FloorSettings(target_wait_min=1.0))
    m.handle(snapshot(), T0)
    a = next(lf for lf in m.lines(at(1)) if lf.prefix == "A")
    assert (a.arrivals_per_h, a.mean_service_s, a.staffing) == (0, 600, 0)  # no push yet
    assert m.handle(frame, at(1))
    a = next(lf for lf in m.lines(at(1)) if lf.prefix == "A")
    assert a.arrivals_per_h == 60 and a.mean_service_s == 120
    assert a.staffing == 3
    m2 = FloorModel(FloorSettings(target_wait_min=0.5))
    m2.handle(snapshot(), T0)
    m2.handle(frame, at(1))
    assert next(lf for lf in m2.lines(at(1)) if lf.prefix == "A").staffing == 4


def test_an_expired_ticket_is_not_counted_as_cancelled(model):
    """Batal counts tickets someone cancelled; one that lapsed (printing timeout) leaves the
    line without joining that count, and neither is waiting any more."""
    d = Day(model)
    a1, a2, _a3 = (d.issue(m) for m in (0, 1, 2))
    d.ev(5, "ticket_cancelled", ticket=a1, reason="permintaan warga")
    d.ev(6, "ticket_expired", ticket=a2, reason="printing_timeout")
    a = next(lf for lf in model.lines(at(10)) if lf.prefix == "A")
    assert (a.waiting, a.issued, a.cancelled) == (1, 3, 1)
