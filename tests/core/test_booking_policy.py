"""The booking rule beside the others: ratio, max wait, the priority counter, shared counters.

docs/calling-policy.md, rule 3 and "Booked and walk-in citizens": a booked ticket is queued at
its slot's start; once due it takes its line's head place (reason `pesanan`); a booked citizen
counts as a regular call in the ratio, so a due priority turn still comes first; max wait does
not cancel it, the guard's booking allowance bounds it; a priority counter still calls priority
tickets first; before its
slot a booked ticket is only called as the FIFO head; a booked ticket transferred to another
line is an ordinary ticket there. The guard is off here (policy_kit's default) so that each
case shows one rule; tests/core/test_booking_worked.py has the guard's part.

Each expected sequence is read off the rules by hand (policy_kit: K1 serves A, K2 serves A and
B, KP is a priority counter for A, B and C; ratio 2; max wait 60; minutes after 07:30).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from booked_tickets import booked
from policy_kit import T0, building, call_sequence, lines_of, tk

from server.core.events import CallReason
from server.core.policy import choose_next, passed_over
from server.core.waitlist import WaitingLine

B = CallReason.BOOKING
AT_30 = T0 + timedelta(minutes=30)


def calls(spec: str) -> list[tuple[str, CallReason]]:
    """ "A-003:B A-001:F" -> [("A-003", BOOKING), ("A-001", FIFO)]."""
    reasons = {"F": CallReason.FIFO, "P": CallReason.PRIORITY, "M": CallReason.MAX_WAIT, "B": B}
    return [(item.split(":")[0], reasons[item.split(":")[1]]) for item in spec.split()]


def test_a_due_booking_goes_ahead_of_its_lines_older_tickets() -> None:
    """09:00 (minute 30): A-003's slot started at 07:50; it goes before A-001 and A-002."""
    waiting = lines_of(tk("A-001", 0), tk("A-002", 5), booked("A-003", 20))
    assert call_sequence(building(), "K1", waiting, now=AT_30) == calls("A-003:B A-001:F A-002:F")


def test_before_its_slot_a_booking_waits_behind_everyone_and_an_idle_counter_calls_it() -> None:
    """At minute 45, A-002 is booked for minute 60: not due. A-001 goes first; then nothing
    older waits, and the idle counter calls A-002 as the FIFO head rather than wait."""
    waiting = lines_of(tk("A-001", 0), booked("A-002", 60))
    now = T0 + timedelta(minutes=45)
    assert call_sequence(building(), "K1", waiting, now=now) == calls("A-001:F A-002:F")


def test_a_due_priority_turn_goes_before_a_booking() -> None:
    """Line A's count at 2 = the ratio: rule 3 finds booked A-003, a regular ticket, so rule 4
    calls the priority ticket A-002 first; then A-003; then A-001."""
    waiting = lines_of(tk("A-001", 0), tk("A-002", 5, priority=True), booked("A-003", 20))
    assert call_sequence(building(), "K1", waiting, {"A": 2}, AT_30) == calls(
        "A-002:P A-003:B A-001:F"
    )


def test_a_booking_counts_as_a_regular_call_in_the_ratio() -> None:
    """Count 0: A-003 (booked) goes, count 1; A-001 is the head, count 1 < 2: it goes, count 2;
    A-002, the priority ticket, is now the head."""
    waiting = lines_of(tk("A-001", 0), tk("A-002", 5, priority=True), booked("A-003", 20))
    assert call_sequence(building(), "K1", waiting, {"A": 0}, AT_30) == calls(
        "A-003:B A-001:F A-002:F"
    )


def test_with_strict_priority_every_priority_ticket_goes_before_a_booking() -> None:
    waiting = lines_of(tk("A-001", 0), tk("A-002", 5, priority=True), booked("A-003", 20))
    assert call_sequence(building(r=0), "K1", waiting, now=AT_30) == calls(
        "A-002:P A-003:B A-001:F"
    )


def test_max_wait_does_not_cancel_a_booking() -> None:
    """Minute 65: A-001 has waited 65 > 60 minutes, but A-002's slot started at minute 50 and
    nothing holds it (the guard off): as max wait does not cancel the ratio, it does not cancel
    bookings; A-001 goes next."""
    waiting = lines_of(tk("A-001", 0), booked("A-002", 50))
    now = T0 + timedelta(minutes=65)
    assert call_sequence(building(), "K1", waiting, now=now) == calls("A-002:B A-001:F")


@pytest.mark.parametrize(
    ("overtaken", "booked_ahead", "first"),
    [
        # F = 65 - 1 x 10 = 55, allowance max(27.5, 10); a second booking: 2 x 10 = 20: yes.
        (1, 1, "A-002"),
        # F = 65 - 3 x 10 = 35, allowance 17.5; a fourth booking: 40: no. The overdue A-001,
        # the head, goes.
        (3, 3, "A-001"),
        # Two priority overtakings and no booking: F = 45, allowance 22.5; a first booking: 10:
        # yes. (Counted together, a third overtaking would cost 30 > 22.5.)
        (2, 0, "A-002"),
        # Two priority and one booking: F = 35, allowance 17.5; a second booking: 20: no.
        (3, 1, "A-001"),
    ],
)
def test_the_guard_bounds_bookings_by_their_own_allowance_even_past_max_wait(
    overtaken: int, booked_ahead: int, first: str
) -> None:
    """docs/calling-policy.md, rule 0 for bookings: a booked citizen may pass a regular ticket
    while the booking overtakings it absorbed, one more included, cost at most
    max(50 % of F, d), F = w - k.d + i.d counting every overtaking; the priority ones are
    bounded apart. Guard on, d = 10 min (one overtaking on line A, given), at minute 65: A-001
    (queued at 0) has waited 65, i = 0; A-002's slot started at minute 50."""
    b = building(protect_regular=True)
    a1 = replace(tk("A-001", 0), overtaken=overtaken, booked_ahead=booked_ahead)
    waiting = lines_of(a1, booked("A-002", 50))
    now = T0 + timedelta(minutes=65)
    choice = choose_next(b.counter("K1"), waiting, {}, b, now, {"A": 600.0})
    assert choice is not None and choice.ticket.number == first
    assert choice.reason is (B if first == "A-002" else CallReason.FIFO)


def test_a_priority_counter_calls_priority_first_then_the_booking() -> None:
    waiting = lines_of(tk("A-001", 0), booked("A-002", 20), tk("A-003", 25, priority=True))
    assert call_sequence(building(), "KP", waiting, now=AT_30) == calls("A-003:P A-002:B A-001:F")


def test_a_booked_priority_citizen_goes_by_the_booking_whatever_the_count() -> None:
    """A-002 holds a priority place booked for minute 20: rule 3 takes it as the head's place,
    and it is a priority ticket, so rule 4 has nothing to add; the count does not matter."""
    waiting = lines_of(tk("A-001", 0), booked("A-002", 20, priority=True))
    assert call_sequence(building(), "K1", waiting, {"A": 0}, AT_30) == calls("A-002:B A-001:F")


def test_a_priority_ticket_not_due_takes_no_ratio_turn_and_no_priority_counter_turn() -> None:
    """A-002 is a priority place booked for minute 60; at minute 30 it is not due: the ratio's
    turn (count 2) and the priority counter pass it by; A-001 goes first."""
    waiting = lines_of(tk("A-001", 0), booked("A-002", 60, priority=True))
    for counter in ("K1", "KP"):
        choice = choose_next(building().counter(counter), waiting, {"A": 2}, building(), AT_30)
        assert choice is not None and (choice.ticket.number, choice.reason) == (
            "A-001",
            CallReason.FIFO,
        )


def test_on_a_shared_counter_a_booking_waits_for_its_lines_turn() -> None:
    """K2 serves A and B. B-001 is the oldest: line B's turn, which has no booking. Then line
    A's turn: its booked A-002 goes before A-001."""
    waiting = lines_of(tk("B-001", 0), tk("A-001", 5), booked("A-002", 10))
    assert call_sequence(building(), "K2", waiting, now=AT_30) == calls("B-001:F A-002:B A-001:F")


def test_a_booking_passes_over_the_regular_tickets_older_than_its_slot() -> None:
    """Called at K2, booked A-002 (slot minute 10) went ahead of the regular tickets of A and
    B queued before minute 10 — not of the priority one, not of B-003 (minute 12)."""
    b = building()
    a2 = booked("A-002", 10)
    waiting = lines_of(
        tk("B-001", 0), tk("A-001", 5), tk("B-002", 7, priority=True), a2, tk("B-003", 12)
    )
    passed = passed_over(b.counter("K2"), waiting, a2)  # type: ignore[arg-type]
    assert sorted(t.number for t in passed) == ["A-001", "B-001"]
    # A walk-in regular ticket passes nobody, whatever is older.
    assert passed_over(b.counter("K2"), waiting, waiting["B"][-1]) == []  # type: ignore[arg-type]


def test_a_booked_ticket_transferred_to_another_line_is_an_ordinary_ticket_there() -> None:
    """A-002 was booked for line B, served there and transferred to A: it keeps its place by
    its queued_at (minute 20), but takes no head's place on A."""
    moved = replace(booked("A-002", 20), transfers=("B",))
    waiting = lines_of(tk("A-001", 0), moved)
    assert call_sequence(building(), "K1", waiting, now=AT_30) == calls("A-001:F A-002:F")
    assert passed_over(building().counter("K1"), waiting, moved) == []  # type: ignore[arg-type]


def test_an_indexed_line_names_the_same_booking_as_a_scan() -> None:
    """WaitingLine keeps the booked tickets as an index; the policy's choice is the same."""
    tickets = [tk("A-001", 0), booked("A-002", 20), booked("A-003", 25), tk("A-004", 26)]
    line = WaitingLine.of(tickets)
    assert line.first_booked() is tickets[1]
    line.discard(tickets[1])
    assert line.first_booked() is tickets[2]
    copy = WaitingLine.of(line)
    copy.discard(tickets[2])
    assert copy.first_booked() is None and line.first_booked() is tickets[2]
    b = building()
    plain = lines_of(*tickets)
    assert choose_next(b.counter("K1"), {"A": WaitingLine.of(tickets)}, {}, b, AT_30) == (
        choose_next(b.counter("K1"), plain, {}, b, AT_30)
    )
