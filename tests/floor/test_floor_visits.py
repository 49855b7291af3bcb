"""The floor's visits with several stops (issue 22) from a snapshot plus events, worked by hand.

Monday 2026-11-23, demo building (B Kartu Keluarga and A KTP-el: Dukcapil; J BPJS Kesehatan;
T BPHTB: Bapenda; S BPN), times WIB. The snapshot is taken at 09:00:

| visit  | stops (snapshot)                        | after the snapshot                         |
| KJ-001 | B-001 done 08:00–08:30, J-002 done 09:00 | —                                          |
| KJ-002 | T-001 done 08:20–08:45, S-001 serving,   | S-001 finished 09:10                       |
|        | J skipped                                |                                            |
| KJ-003 | —                                        | B-002 09:15, served, handed on to J-003    |
|        |                                          | 09:30 (waiting)                            |
| KJ-004 | —                                        | T-002 09:35, its print failed              |

At 09:40: 4 started, 2 finished (60:00 and 50:00 in the building), 1 in progress (KJ-003, 25:00
so far), 1 ended. Median (3000 + 3600) / 2 = 3300 s = 55:00; p90 the ⌈0.9·2⌉ = 2nd smallest =
60:00. Hand-offs: Dukcapil → BPJS Kesehatan 2 (KJ-001 read off its stops, KJ-003 heard),
Bapenda → BPN 1.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from display.floor_model import FloorModel
from server.broadcast.views import building_view
from server.config import load_demo_building

WIB = timezone(timedelta(hours=7))
DAY = "2026-11-23"


def t(hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(2026, 11, 23, h, m, tzinfo=WIB)


def view(
    number: str,
    state: str,
    issued: str,
    finished: str | None = None,
    visit: tuple[str, int, int] | None = None,
) -> dict[str, Any]:
    """A staff ticket view as the floor snapshot lists it."""
    return {
        "id": f"{DAY}/{number}",
        "number": number,
        "line": number[0],
        "state": state,
        "priority": None,
        "issued_at": t(issued).isoformat(),
        "queued_at": t(issued).isoformat(),
        "counter": None,
        "called_at": None,
        "started_at": None,
        "finished_at": t(finished).isoformat() if finished else None,
        "visit": None
        if visit is None
        else {"id": f"{DAY}/{visit[0]}", "label": visit[0], "stop": visit[1], "stops": visit[2]},
    }


def stop(line: str, state: str, number: str | None) -> dict[str, Any]:
    return {
        "line": line,
        "state": state,
        "ticket": f"{DAY}/{number}" if number else None,
        "number": number,
    }


TICKETS = [
    view("B-001", "done", "08:00", "08:30", ("KJ-001", 0, 2)),
    view("T-001", "done", "08:20", "08:45", ("KJ-002", 0, 3)),
    view("J-002", "done", "08:30", "09:00", ("KJ-001", 1, 2)),
    view("S-001", "serving", "08:45", None, ("KJ-002", 1, 3)),
]
VISITS = [
    {"id": f"{DAY}/KJ-001", "label": "KJ-001", "current": 1,
     "stops": [stop("B", "done", "B-001"), stop("J", "done", "J-002")]},
    {"id": f"{DAY}/KJ-002", "label": "KJ-002", "current": 1,
     "stops": [stop("T", "done", "T-001"), stop("S", "serving", "S-001"),
               stop("J", "skipped", None)]},
]  # fmt: skip


def snapshot(with_visits: bool = True) -> dict[str, Any]:
    snap = {
        "type": "snapshot",
        "seq": 0,
        "day": DAY,
        "building": building_view(load_demo_building()),
        "lines": [],
        "counters": [],
        "tickets": TICKETS,
        "calls": [],
        "printers": {},
    }
    if with_visits:
        snap["visits"] = VISITS
    return snap


def feed(model: FloorModel, hhmm: str, kind: str, **fields: Any) -> None:
    event = {"kind": kind, "at": t(hhmm).isoformat(), **fields}
    model.handle({"type": "event", "seq": 0, "event": event}, t(hhmm))


def issued(model: FloorModel, hhmm: str, number: str, visit: str, k: int, **extra: Any) -> None:
    feed(model, hhmm, "ticket_issued", ticket=f"{DAY}/{number}", day=DAY, number=number,
         seq=int(number[2:]), line=number[0], priority=None, kiosk=extra.get("kiosk"),
         visit=f"{DAY}/{visit}", stop=k, queued_at=extra.get("queued_at"))  # fmt: skip


def the_day(model: FloorModel) -> None:
    feed(model, "09:10", "service_finished", ticket=f"{DAY}/S-001", counter="L26")
    issued(model, "09:15", "B-002", "KJ-003", 0, kiosk="K1")
    feed(
        model,
        "09:15",
        "visit_started",
        visit=f"{DAY}/KJ-003",
        ticket=f"{DAY}/B-002",
        stops=["B", "J"],
        priority=None,
        kiosk="K1",
        started_at=t("09:15").isoformat(),
    )
    feed(model, "09:15", "ticket_printed", ticket=f"{DAY}/B-002")
    feed(
        model,
        "09:20",
        "ticket_called",
        ticket=f"{DAY}/B-002",
        number="B-002",
        line="B",
        counter="L04",
        reason="fifo",
    )
    feed(model, "09:20", "service_started", ticket=f"{DAY}/B-002", counter="L04")
    feed(model, "09:30", "service_finished", ticket=f"{DAY}/B-002", counter="L04")
    feed(
        model,
        "09:30",
        "visit_handed_on",
        visit=f"{DAY}/KJ-003",
        from_ticket=f"{DAY}/B-002",
        from_number="B-002",
        from_line="B",
        counter="L04",
        ticket=f"{DAY}/J-003",
        number="J-003",
        line="J",
    )
    issued(model, "09:30", "J-003", "KJ-003", 1, queued_at=t("09:15").isoformat())
    feed(model, "09:30", "ticket_printed", ticket=f"{DAY}/J-003")
    issued(model, "09:35", "T-002", "KJ-004", 0, kiosk="K1")
    feed(
        model,
        "09:35",
        "visit_started",
        visit=f"{DAY}/KJ-004",
        ticket=f"{DAY}/T-002",
        stops=["T", "S"],
        priority=None,
        kiosk="K1",
        started_at=t("09:35").isoformat(),
    )
    feed(model, "09:35", "ticket_print_failed", ticket=f"{DAY}/T-002", reason="paper_out")


def test_figures_from_the_snapshot_and_the_events():
    model = FloorModel()
    model.handle(snapshot(), t("09:00"))
    the_day(model)
    f = model.visit_figures(t("09:40"))
    assert (f.started, f.finished, f.in_progress, f.ended) == (4, 2, 1, 1)
    assert (f.total_median_s, f.total_p90_s) == (3300.0, 3600.0)
    assert f.pairs == (("Dukcapil", "BPJS Kesehatan", 2), ("Bapenda", "BPN", 1))


def test_rows_show_each_stop_and_the_time():
    model = FloorModel()
    model.handle(snapshot(), t("09:00"))
    the_day(model)
    rows = {r.label: r for r in model.visit_rows(t("09:40"))}
    assert list(rows) == ["KJ-001", "KJ-002", "KJ-003", "KJ-004"]
    assert (rows["KJ-001"].status, rows["KJ-001"].seconds) == ("finished", 3600.0)
    assert rows["KJ-002"].stops == (
        ("T", "done", "T-001"),
        ("S", "done", "S-001"),
        ("J", "skipped", None),
    )
    assert (rows["KJ-002"].status, rows["KJ-002"].seconds) == ("finished", 3000.0)
    assert rows["KJ-003"].stops == (("B", "done", "B-002"), ("J", "waiting", "J-003"))
    assert (rows["KJ-003"].status, rows["KJ-003"].seconds) == ("in_progress", 1500.0)
    assert rows["KJ-004"].stops == (("T", "cancelled", "T-002"), ("S", "pending", None))
    assert (rows["KJ-004"].status, rows["KJ-004"].seconds) == ("ended", None)


def test_a_snapshot_without_its_visit_list_reads_the_tickets():
    """From the tickets' `visit` alone: KJ-001 is whole; KJ-002's third stop has no ticket, so
    it is taken as still to come (the skip is not on any ticket): in progress."""
    model = FloorModel()
    model.handle(snapshot(with_visits=False), t("09:00"))
    f = model.visit_figures(t("09:00"))
    assert (f.started, f.finished, f.in_progress, f.ended) == (2, 1, 1, 0)
    assert (f.total_median_s, f.total_p90_s) == (3600.0, 3600.0)
    assert f.pairs == (("Bapenda", "BPN", 1), ("Dukcapil", "BPJS Kesehatan", 1))


def test_added_and_skipped_stops_and_the_day_close():
    """An officer adds J to KJ-002 while S-001 is served, then skips it: still finished when
    S-001 is; the day's close forgets every visit."""
    model = FloorModel()
    snap = snapshot()
    snap["visits"] = [VISITS[0], {**VISITS[1], "stops": VISITS[1]["stops"][:2]}]
    model.handle(snap, t("09:00"))
    feed(model, "09:02", "stop_added", visit=f"{DAY}/KJ-002", line="J", position=2,
         counter="L26", officer="BPN01")  # fmt: skip
    assert model.visit_rows(t("09:03"))[1].stops[2] == ("J", "pending", None)
    feed(model, "09:04", "stop_skipped", visit=f"{DAY}/KJ-002", line="J", counter="L26",
         by="BPN01", reason="sudah terdaftar")  # fmt: skip
    feed(model, "09:10", "service_finished", ticket=f"{DAY}/S-001", counter="L26")
    f = model.visit_figures(t("09:10"))
    assert (f.started, f.finished, f.in_progress) == (2, 2, 0)
    feed(model, "23:59", "day_closed", day=DAY)
    assert model.visit_figures(t("23:59")).started == 0


def test_which_stops_the_floor_may_skip():
    """At 09:40: KJ-003's J-003 waits as its current stop (skippable), B-002 is done (not);
    KJ-002's stops are done or skipped (none); KJ-004's S is still to come (skippable: the
    server says in words that the visit has ended)."""
    from display.floor_visits import skippable

    model = FloorModel()
    model.handle(snapshot(), t("09:00"))
    the_day(model)
    rows = {r.label: r for r in model.visit_rows(t("09:40"))}
    assert [skippable(rows["KJ-003"], i) for i in range(2)] == [False, True]
    assert [skippable(rows["KJ-002"], i) for i in range(3)] == [False, False, False]
    assert [skippable(rows["KJ-004"], i) for i in range(2)] == [False, True]


def floor_skip(model: FloorModel) -> None:
    """KJ-005 (B, J), kiosk 09:36: B-003 still waits when the floor skips B at 09:38 — the
    server's order: the stop skipped, its ticket cancelled, then the hand-on (no counter) to
    J-004."""
    issued(model, "09:36", "B-003", "KJ-005", 0, kiosk="K1")
    feed(model, "09:36", "visit_started", visit=f"{DAY}/KJ-005", ticket=f"{DAY}/B-003",
         stops=["B", "J"], priority=None, kiosk="K1",
         started_at=t("09:36").isoformat())  # fmt: skip
    feed(model, "09:36", "ticket_printed", ticket=f"{DAY}/B-003")
    feed(model, "09:38", "stop_skipped", visit=f"{DAY}/KJ-005", line="B", counter=None,
         by="LANTAI", reason="KK sudah jadi")  # fmt: skip
    feed(model, "09:38", "ticket_cancelled", ticket=f"{DAY}/B-003", reason="stop_skipped")
    feed(model, "09:38", "visit_handed_on", visit=f"{DAY}/KJ-005", from_ticket=f"{DAY}/B-003",
         from_number="B-003", from_line="B", counter=None, ticket=f"{DAY}/J-004",
         number="J-004", line="J")  # fmt: skip
    issued(model, "09:38", "J-004", "KJ-005", 1, queued_at=t("09:36").isoformat())
    feed(model, "09:38", "ticket_printed", ticket=f"{DAY}/J-004")


def test_a_hand_on_after_the_floors_skip_is_no_hand_off():
    """KJ-005's citizen never left a counter at Dukcapil: the pairs stay those of 09:40 above
    (Dukcapil → BPJS Kesehatan 2, Bapenda → BPN 1); KJ-005 is in progress, B skipped."""
    model = FloorModel()
    model.handle(snapshot(), t("09:00"))
    the_day(model)
    floor_skip(model)
    f = model.visit_figures(t("09:40"))
    assert (f.started, f.finished, f.in_progress, f.ended) == (5, 2, 2, 1)
    assert f.pairs == (("Dukcapil", "BPJS Kesehatan", 2), ("Bapenda", "BPN", 1))
    row = model.visit_rows(t("09:40"))[-1]
    assert (row.label, row.status) == ("KJ-005", "in_progress")
    assert row.stops == (("B", "skipped", "B-003"), ("J", "waiting", "J-004"))


def test_a_snapshot_after_the_floors_skip_reads_no_hand_off():
    """The same KJ-005 in a later snapshot, with its visit list and without it (then B-003's
    state, cancelled, tells): still Dukcapil → BPJS Kesehatan 1 from KJ-001 only."""
    skipped = [
        view("B-003", "cancelled", "09:36", None, ("KJ-005", 0, 2)),
        view("J-004", "waiting", "09:38", None, ("KJ-005", 1, 2)),
    ]
    for with_visits in (True, False):
        model = FloorModel()
        snap = snapshot(with_visits)
        snap["tickets"] = [*TICKETS, *skipped]
        if with_visits:
            snap["visits"] = [*VISITS, {"id": f"{DAY}/KJ-005", "label": "KJ-005", "current": 1,
                              "stops": [stop("B", "skipped", "B-003"),
                                        stop("J", "waiting", "J-004")]}]  # fmt: skip
        model.handle(snap, t("09:40"))
        f = model.visit_figures(t("09:40"))
        assert f.pairs == (("Bapenda", "BPN", 1), ("Dukcapil", "BPJS Kesehatan", 1)), with_visits
