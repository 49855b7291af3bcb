"""The floor's online bookings of today, from a snapshot, `lines` pushes and events, by hand.

Line A (demo building) takes bookings; the others do not (their figures carry no `bookings`).
The day, Monday 23 November 2026 from 09.00 WIB:

    A-001  walk-in, issued 09.00, printed
    A-002  booked for 09.30, checked in 09.10, printed, called 09.32   -> waited 2 min (from 09.30)
    A-003  booked for 09.30, checked in 09.20, the paper ran out       -> not in the queue
    A-004  booked for 09.30, checked in 09.40 (late), printed, called 09.45 -> waited 5 min
    B-001  walk-in, issued 09.05, printed

Tickets in the queue: A booked 2 (A-002, A-004), A walk-in 1; B walk-in 1; the building: 2 of 4
from bookings, 50 %.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from display.floor_bookings import BookingSplit, day_split, line_bookings, split_text
from display.floor_model import FloorModel
from server.broadcast.views import building_view
from server.config import load_demo_building

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
SLOT = T0 + timedelta(minutes=30)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# As the server's `day_figures` would give them; the floor shows, it does not compute.
MORNING = {"places": 18, "expected": 5, "checked_in": 0, "lapsed": 0, "cancelled": 1,
           "places_left": 9, "released": 0}  # fmt: skip
LATER = {"places": 18, "expected": 2, "checked_in": 2, "lapsed": 1, "cancelled": 1,
         "places_left": 0, "released": 14, "not_reached": 1}  # fmt: skip


def snapshot(tickets: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "type": "snapshot",
        "seq": 0,
        "day": "2026-11-23",
        "building": building_view(load_demo_building()),
        "lines": [{"prefix": "A", "bookings": MORNING}, {"prefix": "B", "bookings": None}],
        "counters": [],
        "tickets": tickets or [],
        "calls": [],
        "printers": {},
    }


class Day:
    def __init__(self, model: FloorModel) -> None:
        self.model = model

    def ev(self, minute: float, kind: str, **fields: Any) -> None:
        event = {"kind": kind, "at": at(minute).isoformat(), **fields}
        self.model.handle({"type": "event", "seq": 0, "event": event}, at(minute))

    def issue(self, minute: float, number: str, slot: datetime | None = None, printed=True):  # type: ignore[no-untyped-def]
        tid = f"2026-11-23/{number}"
        self.ev(minute, "ticket_issued", ticket=tid, day="2026-11-23", number=number,
                seq=int(number[2:]), line=number[0], priority=None, kiosk="K1",
                booking="K7QM4TXA" if slot else None,
                slot=slot.isoformat() if slot else None)  # fmt: skip
        if printed:
            self.ev(minute, "ticket_printed", ticket=tid)
        else:
            self.ev(minute, "ticket_print_failed", ticket=tid, reason="paper_out")
        return tid

    def call(self, minute: float, tid: str) -> None:
        number = tid.split("/")[1]
        self.ev(minute, "ticket_called", ticket=tid, number=number, line=number[0],
                counter="L01", reason="fifo")  # fmt: skip


def the_day() -> FloorModel:
    m = FloorModel()
    m.handle(snapshot(), T0)
    d = Day(m)
    d.issue(0, "A-001")
    d.issue(5, "B-001")
    a2 = d.issue(10, "A-002", SLOT)
    d.issue(20, "A-003", SLOT, printed=False)
    d.call(32, a2)
    a4 = d.issue(40, "A-004", SLOT)
    d.call(45, a4)
    return m


def test_only_booking_lines_with_the_servers_figures_and_the_tickets_split() -> None:
    m = the_day()
    (a,) = line_bookings(m)
    assert (a.prefix, a.name) == ("A", "Perekaman dan Cetak KTP-el")
    assert (a.places, a.expected, a.checked_in, a.lapsed, a.cancelled) == (18, 5, 0, 0, 1)
    assert a.not_reached == 0  # MORNING, as an older server sends it: no such key
    assert (a.places_left, a.released) == (9, 0)
    assert a.split == BookingSplit(booked=2, walk_in=1)
    m.handle({"type": "lines", "lines": [{"prefix": "A", "bookings": LATER}]}, at(46))
    (a,) = line_bookings(m)
    assert (a.expected, a.checked_in, a.lapsed, a.places_left, a.released) == (2, 2, 1, 0, 14)
    assert a.not_reached == 1  # a visit's stop the visit ended before: not among the lapsed


def test_the_days_split() -> None:
    m = the_day()
    split = day_split(m)
    assert (split.booked, split.walk_in, split.booked_pct) == (2, 2, 50.0)
    assert (
        split_text(split)
        == "Hari ini: 2 tiket dari pesanan online, 2 datang langsung (50% pesanan)"
    )
    assert (
        split_text(BookingSplit(0, 0)) == "Hari ini: 0 tiket dari pesanan online, 0 datang langsung"
    )


def test_a_booked_ticket_waits_from_its_slot_or_its_late_check_in() -> None:
    """A-002 waited 09.30 → 09.32 (not from its check-in at 09.10); A-004 09.40 → 09.45."""
    m = the_day()
    assert [w for _, w in m.waits["A"]] == [120.0, 300.0]
    a = next(lf for lf in m.lines(at(46)) if lf.prefix == "A")
    assert (a.waiting, a.longest_wait_s) == (1, 46 * 60.0)  # A-001, the walk-in


def test_a_booked_ticket_checked_in_early_is_not_waiting_yet() -> None:
    """At 09.15, A-002 (queued at 09.30) is in the queue but its wait has not begun."""
    m = FloorModel()
    m.handle(snapshot(), T0)
    Day(m).issue(10, "A-002", SLOT)
    a = next(lf for lf in m.lines(at(15)) if lf.prefix == "A")
    assert (a.waiting, a.longest_wait_s) == (1, 0.0)


def test_the_snapshot_alone_gives_the_same_split_and_waits() -> None:
    """After a reconnect: the tickets' staff views carry `booking` and `slot`."""

    def t(number: str, state: str, issued: float, slot: datetime | None = None, called=None):  # type: ignore[no-untyped-def]
        return {
            "id": f"2026-11-23/{number}", "number": number, "line": number[0], "state": state,
            "priority": None, "issued_at": at(issued).isoformat(),
            "queued_at": (slot or at(issued)).isoformat(),
            "called_at": at(called).isoformat() if called is not None else None,
            "booking": "K7QM4TXA" if slot else None, "slot": slot.isoformat() if slot else None,
        }  # fmt: skip

    m = FloorModel()
    tickets = [
        t("A-001", "waiting", 0),
        t("B-001", "waiting", 5),
        t("A-002", "called", 10, SLOT, called=32),
        t("A-003", "cancelled", 20, SLOT),  # its print failed
        t("A-004", "called", 40, SLOT, called=45),
    ]
    m.handle(snapshot(tickets), at(46))
    assert day_split(m) == BookingSplit(2, 2)
    assert sorted(w for _, w in m.waits["A"]) == [120.0, 300.0]
