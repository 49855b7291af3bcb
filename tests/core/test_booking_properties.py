"""Any interleaving of booking, cancelling, rescheduling, checking in, printing and ticking
keeps the book's promises, counted from the bookings themselves (not from the book's indexes):

- every slot holds at most its places: regular bookings within `places`, all within
  `places + priority_places` (a priority booking beyond the priority places takes a regular one);
- every NIK holds at most one booking (booked or checked in) per line and day;
- the state replayed from the events equals the live one, indexes included.

Visits of two services booked at once (issue 22: A then P, or P then A) are among the bookings:
each stop holds its own place, cancelling one cancels both, checking one in starts a visit.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.core.bookings import BookingState
from server.core.events import Event, PriorityGroup, TicketIssued
from server.core.model import (
    Book,
    BookVisit,
    CancelBooking,
    CheckIn,
    ConfirmPrinted,
    DomainError,
    PrintFailed,
    Reschedule,
    Tick,
)
from server.core.queue import QueueState
from server.core.slots import day_slots
from tests.core.booking_kit import booking_building
from tests.core.factory import MONDAY, at, replay

_HOLDING = (BookingState.BOOKED, BookingState.CHECKED_IN)
LINES = ("A", "P")
# Citizens crowd the same few slots (mostly line A's first two of today and tomorrow), so that
# places run out, NIKs and phones meet again, and bookings are checked in while others wait.
booking = st.tuples(
    st.just("book"),
    st.sampled_from(["A", "A", "P"]),
    st.one_of(st.just(1), st.integers(0, 2)),  # days after today
    st.one_of(st.integers(0, 1), st.integers(0, 14)),  # slot index (modulo the day's slots)
    st.integers(0, 9),  # NIK
    st.integers(0, 9),  # phone
    st.sampled_from([None, None, PriorityGroup.LANSIA]),
)
visit = st.tuples(
    st.just("visit"),
    st.sampled_from([("A", "P"), ("P", "A")]),
    st.one_of(st.just(1), st.integers(0, 2)),  # days after today
    st.one_of(st.integers(0, 1), st.integers(0, 14)),  # the first stop's slot index
    st.integers(0, 9),  # NIK
    st.integers(0, 9),  # phone
)
ops = st.lists(
    st.one_of(
        booking,
        booking,  # twice: as likely as anything else twice over
        visit,
        st.tuples(st.just("cancel"), st.integers(0, 40)),
        st.tuples(st.just("reschedule"), st.integers(0, 40), st.integers(0, 2), st.integers(0, 14)),
        # A citizen comes `offset` minutes after their slot's start (the clock moves on to it).
        st.tuples(st.just("check_in"), st.integers(0, 40), st.integers(-35, 20)),
        st.tuples(st.just("print"), st.integers(0, 40), st.booleans()),
        st.tuples(st.just("wait"), st.sampled_from([1, 5, 10, 15, 30, 60, 60, 180, 720])),
    ),
    min_size=30,
    max_size=80,
)


def holding_counts(state: QueueState) -> tuple[Counter, Counter]:
    regular: Counter = Counter()
    priority: Counter = Counter()
    for b in state.bookings.by_code.values():
        if b.state in _HOLDING:
            (regular if b.priority is None else priority)[b.slot_key] += 1
    return regular, priority


def check_promises(state: QueueState) -> None:
    regular, priority = holding_counts(state)
    for key in set(regular) | set(priority):
        rules = state.building.line(key[0]).booking  # type: ignore[union-attr]
        assert rules is not None
        r, p = regular[key], priority[key]
        assert r + p <= rules.places + rules.priority_places, key
        assert r + max(0, p - rules.priority_places) <= rules.places, key
    holders = Counter(
        (b.nik_hash, b.line, b.day) for b in state.bookings.by_code.values() if b.state in _HOLDING
    )
    assert max(holders.values(), default=0) <= 1
    # The book's own index says the same as the bookings.
    assert {k: [regular[k], priority[k]] for k in set(regular) | set(priority)} == (
        state.bookings.taken
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_no_interleaving_overfills_a_slot_or_doubles_a_nik(program: list[tuple]) -> None:
    building = booking_building(max_active_per_phone=3)
    state = QueueState(building)
    log: list[Event] = []
    now: datetime = at("06:25", MONDAY)  # today's first slots still bookable, soon due
    codes: list[str] = []
    tickets: list[str] = []
    n = 0

    def run(command: object) -> None:
        with contextlib.suppress(DomainError):  # a refusal changes nothing: check that too
            log.extend(state.handle(command, now))  # type: ignore[arg-type]

    for op in program:
        n += 1
        match op:
            case ("book", line, ahead, slot_i, nik, phone, priority):
                day = now.astimezone(building.tz).date() + timedelta(days=ahead)
                slots = day_slots(building, building.line(line), day)  # type: ignore[arg-type]
                if not slots:
                    continue
                code = f"C{n:07d}"
                codes.append(code)
                run(
                    Book(line, day, slots[slot_i % len(slots)], priority, "Nama", "08",
                         "0000", f"nik{nik}", f"hp{phone}", code, f"tok{code}", "web")
                )  # fmt: skip
            case ("visit", lines, ahead, slot_i, nik, phone):
                day = now.astimezone(building.tz).date() + timedelta(days=ahead)
                slots = day_slots(building, building.line(lines[0]), day)  # type: ignore[arg-type]
                if not slots:
                    continue
                stops = tuple(f"V{n:06d}{k}" for k in range(len(lines)))
                codes.extend(stops)
                run(
                    BookVisit(lines, day, slots[slot_i % len(slots)], None, "Nama", "08", "0000",
                              f"nik{nik}", f"hp{phone}", stops, tuple(f"tok{c}" for c in stops),
                              "web")
                )  # fmt: skip
            case ("cancel", i) if codes:
                run(CancelBooking(f"tok{codes[i % len(codes)]}", "batal"))
            case ("reschedule", i, ahead, slot_i) if codes:
                booking = state.bookings.get(codes[i % len(codes)])
                if booking is None:
                    continue
                day = now.astimezone(building.tz).date() + timedelta(days=ahead)
                slots = day_slots(building, building.line(booking.line), day)  # type: ignore[arg-type]
                if slots:
                    run(Reschedule(f"tok{booking.code}", day, slots[slot_i % len(slots)]))
            case ("check_in", i, offset) if codes:
                # Mostly a booking of today (one of another day is refused), so that check-ins,
                # failed prints and their returns to booked happen often.
                today = now.astimezone(building.tz).date()
                due = [b for b in state.bookings.by_code.values() if b.day == today]
                if due and i % 4:
                    booking = due[i % len(due)]
                    arrives = at(booking.slot.isoformat(), today) + timedelta(minutes=offset)
                    if arrives > now:
                        now = arrives
                        run(Tick())
                    code = booking.code
                else:
                    code = codes[i % len(codes)]
                before = len(log)
                run(CheckIn(code, "K1", f"tt{n}"))
                tickets += [e.ticket for e in log[before:] if isinstance(e, TicketIssued)]
            case ("print", i, ok) if tickets:
                tid = tickets[i % len(tickets)]
                run(ConfirmPrinted(tid) if ok else PrintFailed(tid, "paper_out"))
            case ("wait", minutes):
                now += timedelta(minutes=minutes)
                run(Tick())
        check_promises(state)
    assert replay(building, log) == state
