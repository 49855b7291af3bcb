"""Booked and walk-in citizens in one line: docs/calling-policy.md's worked examples, by hand.

The rule (docs/calling-policy.md, rule 3 "Booking"): a ticket checked in from a booking is
queued at its slot's start; once the slot has started it takes its line's head place and goes
ahead of the tickets of its line queued before the slot, with reason `pesanan`, as long as the
guard lets it: each regular ticket it passes counts one booking overtaking, and those must
stay within its booking allowance, max(50 % of its wait in arrival order F, one overtaking d).
Each expectation below is the doc's table, worked out on paper there and in the comments here;
the calls go through the real queue (`QueueState.handle`), so the recorded reason, the
overtakings the queue counts and the figures a citizen reads are the ones the server would
produce.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from booked_tickets import check_in
from factory import at, issue, make_building

from server.core.building import Building
from server.core.events import TicketCalled
from server.core.model import (
    CallNext,
    FinishService,
    LogIn,
    OpenCounter,
    StartService,
    Transfer,
)
from server.core.queue import QueueState

MIN = 60.0


def line_a_alone() -> Building:
    """The factory building with line A (target 10 min) free of quotas; only Loket 1 (line A
    alone) is opened below, so one overtaking costs d = 10 min / 1 counter = 10 min."""
    b = make_building()
    lines = tuple(replace(ln, quota_walk_in=None) if ln.prefix == "A" else ln for ln in b.lines)
    return replace(b, lines=lines)


def worked_example() -> tuple[QueueState, dict[str, str]]:
    """The doc's example at 09:05: four walk-ins and two booked citizens on line A."""
    q = QueueState(line_a_alone())
    ids = {
        "A-001": issue(q, "A", at("08:40")),
        "A-002": check_in(q, "A", at("09:00"), at("08:45")),  # booked for 09:00
        "A-003": issue(q, "A", at("08:50")),
        "A-004": issue(q, "A", at("08:55")),
        "A-005": check_in(q, "A", at("09:30"), at("08:58")),  # booked for 09:30
        "A-006": issue(q, "A", at("09:02")),
    }
    q.handle(LogIn("L01", "OF1"), at("07:30"))
    q.handle(OpenCounter("L01"), at("07:30"))
    return q, ids


CALLS = ["09:05", "09:15", "09:25", "09:35", "09:45", "09:55"]

# The doc's table. d = 10 min. At 09:05 A-002's slot has started: it would pass A-001 (w 25,
# i 0, k 0: F 25, allowance max(12.5, 10) = 12.5, one overtaking costs 10: yes), A-003 (w 15,
# i 1: F 25, yes) and A-004 (w 10, i 2: F 30, allowance 15, yes). A-006 was queued at 09:02,
# after the slot: not passed. 09:15 and 09:25: A-005's slot (09:30) has not started. 09:35:
# A-005 would pass A-004 (w 40, i 0, k 1: F = 40 - 10 = 30, allowance 15; a second booking
# overtaking costs 20 > 15: no) and A-006; the guard holds it, A-004 goes. 09:45: it passes
# A-006 alone (w 43, i 0, k 0: F 43, allowance 21.5 >= 10: yes). Then A-006.
EXPECTED = [
    "A-002 pesanan",
    "A-001 fifo",
    "A-003 fifo",
    "A-004 fifo",
    "A-005 pesanan",
    "A-006 fifo",
]


def serve_every_ten_minutes(q: QueueState) -> list[TicketCalled]:
    called: list[TicketCalled] = []
    for n, hhmm in enumerate(CALLS):
        (event,) = q.handle(CallNext("L01"), at(hhmm))
        assert isinstance(event, TicketCalled)
        called.append(event)
        q.handle(StartService("L01"), at(hhmm))
        q.handle(FinishService("L01"), at(hhmm) + timedelta(minutes=10) if n < 5 else at(hhmm))
    return called


def test_the_worked_example_calls_in_the_docs_order_with_its_reasons() -> None:
    q, _ids = worked_example()
    called = serve_every_ten_minutes(q)
    assert [f"{e.number} {e.reason.value}" for e in called] == EXPECTED


def test_booked_citizens_are_called_5_and_15_minutes_after_their_slots() -> None:
    """The doc: A-002 five minutes after its 09:00 slot (plain FIFO: 35), A-005 fifteen after
    09:30 (held one call by the guard for A-004)."""
    q, ids = worked_example()
    serve_every_ten_minutes(q)
    for number, minutes in (("A-002", 5), ("A-005", 15)):
        ticket = q.tickets[ids[number]]
        assert ticket.called_at is not None and ticket.slot is not None
        assert (ticket.called_at - ticket.slot).total_seconds() == minutes * MIN


def test_each_walk_in_paid_one_overtaking_of_ten_minutes() -> None:
    """The doc's last column: each walk-in absorbed exactly one overtaking (one booked citizen
    went ahead), so each was called 10 minutes later than plain arrival order would have
    called it: A-001 35 min instead of 25, A-003 35 for 25, A-004 40 for 30, A-006 53 for 43."""
    q, ids = worked_example()
    serve_every_ten_minutes(q)
    waits = {"A-001": 35, "A-003": 35, "A-004": 40, "A-006": 53}
    for number, minutes in waits.items():
        ticket = q.tickets[ids[number]]
        assert ticket.overtaken == 1, number
        assert ticket.called_at is not None
        assert (ticket.called_at - ticket.queued_at).total_seconds() == minutes * MIN


def test_people_ahead_at_nine_oh_five_follow_the_calls() -> None:
    """At 09:05, before any call, each citizen's "orang di depan Anda" is its place in the
    doc's order; A-006, a walk-in, sees A-005, booked for 09:30, ahead of it."""
    q, ids = worked_example()
    now = at("09:05")
    order = [n.split()[0] for n in EXPECTED]
    assert [t.number for t in q.calling_order("A", now)] == order
    for place, number in enumerate(order):
        assert q.people_ahead(ids[number], now) == place, number


def test_a_booking_checked_in_early_has_not_waited_yet() -> None:
    """At 09:00 the only citizen of line A is booked for 09:30 (checked in at 08:58): queued in
    the future, the line's longest wait is 0, not -30 minutes."""
    q = QueueState(line_a_alone())
    check_in(q, "A", at("09:30"), at("08:58"))
    view = q.line_view("A", at("09:00"))
    assert (view.waiting, view.longest_wait_s) == (1, 0.0)


def test_a_walk_in_is_not_told_to_wait_for_a_booking_whose_slot_starts_after_its_call() -> None:
    """Line A empty but for A-001, booked for 09:30 and checked in at 09:00. A walk-in who
    comes at 09:05 is called before 09:30 (one counter, 10-minute services): the kiosk's
    estimate counts nobody ahead, (0 + 1) x 10 min, not (1 + 1) x 10."""
    q = QueueState(line_a_alone())
    check_in(q, "A", at("09:30"), at("09:00"))
    q.handle(LogIn("L01", "OF1"), at("07:30"))
    q.handle(OpenCounter("L01"), at("07:30"))
    assert q.line_view("A", at("09:05")).estimated_wait_s == 10 * MIN
    # Issued at 09:05, the walk-in's own figure says the same.
    walk_in = issue(q, "A", at("09:05"))
    assert q.people_ahead(walk_in, at("09:05")) == 0


def test_a_walk_in_is_told_of_the_booked_citizens_who_will_go_first() -> None:
    """Line A: A-001 (walk-in, 08:50), A-002 booked for 09:10 (checked in 08:55). At 09:05 a
    walk-in joins behind A-001; the counter is busy until 09:05, then calls every 10 min.
    09:05: A-002 not due, A-001 goes. 09:15: A-002 due, passes the new walk-in (w 10, i 0:
    F 10, allowance max(5, 10) = 10, first overtaking 10: yes). So one person is ahead of the
    new walk-in at 09:05 besides A-001: two, and its estimate is (2 + 1) x 10 min."""
    q = QueueState(line_a_alone())
    issue(q, "A", at("08:50"))
    check_in(q, "A", at("09:10"), at("08:55"))
    q.handle(LogIn("L01", "OF1"), at("07:30"))
    q.handle(OpenCounter("L01"), at("07:30"))
    assert q.line_view("A", at("09:05")).estimated_wait_s == 30 * MIN
    walk_in = issue(q, "A", at("09:05"))
    assert q.people_ahead(walk_in, at("09:05")) == 2


def test_a_booking_transferred_to_another_line_is_queued_there_at_its_check_in() -> None:
    """B-001 booked for 09:30 on line B, checked in at 08:50, is called at 08:55 by Loket 2
    (nobody older waits) and transferred to line A. Its booking was not for A: there it is an
    ordinary ticket, queued as a walk-in transferred there is, at the time it came (08:50), not
    at 09:30. A walk-in for A who comes at 09:00 is behind it: the kiosk counts one ahead,
    (1 + 1) x 10 min over Loket 2's half of a counter = 40 min."""
    q = QueueState(line_a_alone())
    booked = check_in(q, "B", at("09:30"), at("08:50"))
    q.handle(LogIn("L02", "OF1"), at("07:30"))
    q.handle(OpenCounter("L02"), at("07:30"))
    (called,) = q.handle(CallNext("L02"), at("08:55"))
    assert isinstance(called, TicketCalled) and called.ticket == booked
    q.handle(StartService("L02"), at("08:55"))
    q.handle(Transfer("L02", "A"), at("08:58"))
    assert q.tickets[booked].queued_at == at("08:50")
    assert q.line_view("A", at("09:00")).estimated_wait_s == 40 * MIN
    walk_in = issue(q, "A", at("09:00"))
    assert q.people_ahead(walk_in, at("09:00")) == 1
    assert q.people_ahead(booked, at("09:00")) == 0
