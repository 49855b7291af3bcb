"""What the booking commands decide: Book, Reschedule, CancelBooking, CheckIn; and what a tick
and a day close do to bookings (lapses, unused places released).

Like server/core/decide.py (which adds these to `DECISIONS`): each decision reads the state and
returns the events that would happen, without changing anything; a refusal is a DomainError.
Every rule that decides whether a place may be given is checked here, synchronously, against the
book as it stands: the engine runs one command at a time, so two citizens racing for a slot's
last place are decided one after the other and the second is refused (`slot_full`).

The order of the checks is the order of what matters to the citizen: the line takes bookings,
the window (server/core/booking_rules.py), one booking per NIK per line per day, the phone's
limit, then the places.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from server.core.booking_rules import (
    booking_refusal,
    check_in_window,
    slot_full,
    slot_start,
    unused_places,
)
from server.core.bookings import Booking, BookingState
from server.core.building import BookingRules, Line
from server.core.calendar import day_last_instant
from server.core.dates import format_clock_in_zone, format_date
from server.core.errors import error
from server.core.events import (
    BookingCancelled,
    BookingCheckedIn,
    BookingLapsed,
    BookingMade,
    BookingPlacesReleased,
    BookingRescheduled,
    Event,
    PriorityGroup,
    TicketIssued,
)
from server.core.issuing import hours_refusal, issue_refusal
from server.core.model import (
    Book,
    CancelBooking,
    CheckIn,
    Command,
    DomainError,
    Reschedule,
    TicketState,
)
from server.core.numbering import next_ticket
from server.core.slots import day_slots
from server.core.state import DayState

__all__ = ["BOOKING_DECISIONS", "closing_lapses", "tick_events"]


def _line_rules(state: DayState, prefix: str) -> tuple[Line, BookingRules]:
    line = state.known_line(prefix)
    if line.booking is None:
        raise error("booking_unavailable", line=line.name)
    return line, line.booking


def _by_token(state: DayState, token: str) -> Booking:
    booking = state.bookings.by_token(token)
    if booking is None:
        raise error("booking_not_found")
    return booking


def _walk_in_now(state: DayState, prefix: str, local: datetime) -> bool:
    """Whether a walk-in ticket of the line would be issued now (a lapsed booking's way in)."""
    line = state.lines.get(prefix)
    if line is None:
        return False
    refusal = issue_refusal(
        state.plan(local.date()),
        line,
        None,
        local.time(),
        state.used_walk_in[prefix],
        state.used_priority[prefix],
        state.released.get(prefix, 0),
    )
    return refusal is None


def _not_booked(state: DayState, booking: Booking, local: datetime) -> DomainError | None:
    """The refusal for acting on a booking that is no longer booked; None while it is."""
    match booking.state:
        case BookingState.CANCELLED:
            return error("booking_cancelled")
        case BookingState.LAPSED:
            walk_in = _walk_in_now(state, booking.line, local)
            return error("booking_lapsed", line=booking.line, walk_in=walk_in)
        case BookingState.CHECKED_IN:
            ticket = state.tickets.get(booking.ticket or "")
            if ticket is not None and ticket.state is TicketState.PRINTING:
                # Not "already checked in with A-001": that number is not the citizen's until
                # its paper is out (a failed print voids it and the booking is booked again).
                return error("booking_printing", number=ticket.number)
            return error("booking_checked_in", number=ticket.number if ticket else booking.ticket)
    return None


def _holder_refusal(
    state: DayState,
    line: Line,
    day: date,
    nik_hash: str | None,
    phone_hash: str | None,
    today: date,
    moving: str | None = None,
) -> DomainError | None:
    """One booking per NIK per line per day; at most `max_active_per_phone` per phone.

    `moving`: the code of a booking being rescheduled, which does not count against itself.
    """
    book = state.bookings
    if nik_hash is not None:
        holder = book.nik_holds.get((nik_hash, line.prefix, day))
        if holder is not None and holder != moving:
            return error("booking_nik_taken", line=line.name, day=format_date(day))
    if phone_hash is not None and moving is None:
        limit = state.building.booking.max_active_per_phone
        # Booked bookings of a day already past wait for the next tick to lapse: not active.
        active = sum(
            1 for c in book.phone_active.get(phone_hash, ()) if book.by_code[c].day >= today
        )
        if active >= limit:
            return error("booking_phone_limit", limit=limit)
    return None


def _place_refusal(
    state: DayState,
    line: Line,
    day: date,
    slot: time,
    priority: PriorityGroup | None,
    nik_hash: str | None,
    phone_hash: str | None,
    now: datetime,
    local: datetime,
    moving: str | None = None,
) -> DomainError | None:
    """Why a place in `slot` of `day` may not be taken (a booking, or one moved there): the
    window, then the holder's limits, then the places; None when it may."""
    building = state.building
    slots = day_slots(building, line, day)  # once: the window and a refusal's hint read it
    refusal = booking_refusal(building, line, day, slot, now, slots)
    refusal = refusal or _holder_refusal(
        state, line, day, nik_hash, phone_hash, local.date(), moving=moving
    )
    return refusal or slot_full(building, line, day, slot, priority, state.bookings, now, slots)


def _book(state: DayState, cmd: Book, now: datetime, local: datetime) -> list[Event]:
    line, _rules = _line_rules(state, cmd.line)
    book = state.bookings
    if cmd.code in book.by_code:
        raise error("booking_code_taken")
    if cmd.token in book.tokens:
        raise error("duplicate_token")
    refusal = _place_refusal(
        state, line, cmd.day, cmd.slot, cmd.priority, cmd.nik_hash, cmd.phone_hash, now, local
    )
    if refusal is not None:
        raise refusal
    return [
        BookingMade(
            at=now,
            code=cmd.code,
            token=cmd.token,
            line=line.prefix,
            day=cmd.day,
            slot=cmd.slot,
            priority=cmd.priority,
            channel=cmd.channel,
            name=cmd.name,
            phone=cmd.phone,
            nik_last4=cmd.nik_last4,
            nik_hash=cmd.nik_hash,
            phone_hash=cmd.phone_hash,
        )
    ]


def _reschedule(state: DayState, cmd: Reschedule, now: datetime, local: datetime) -> list[Event]:
    booking = _by_token(state, cmd.token)
    refusal = _not_booked(state, booking, local)
    if refusal is not None:
        raise refusal
    if booking.day <= local.date():
        raise error("reschedule_too_late", day=format_date(booking.day))
    if (cmd.day, cmd.slot) == (booking.day, booking.slot):
        return []  # already there: nothing happens, nothing is refused
    line, _rules = _line_rules(state, booking.line)
    refusal = _place_refusal(
        state,
        line,
        cmd.day,
        cmd.slot,
        booking.priority,
        booking.nik_hash,
        None,
        now,
        local,
        moving=booking.code,
    )
    if refusal is not None:
        raise refusal
    return [
        BookingRescheduled(
            at=now,
            code=booking.code,
            line=booking.line,
            from_day=booking.day,
            from_slot=booking.slot,
            day=cmd.day,
            slot=cmd.slot,
        )
    ]


def _cancel(state: DayState, cmd: CancelBooking, now: datetime, local: datetime) -> list[Event]:
    booking = _by_token(state, cmd.token)
    refusal = _not_booked(state, booking, local)
    if refusal is not None:
        raise refusal
    reason = cmd.reason.strip()
    if not reason:
        raise error("reason_required")
    return [
        BookingCancelled(
            at=now,
            code=booking.code,
            line=booking.line,
            day=booking.day,
            slot=booking.slot,
            reason=reason,
        )
    ]


def _check_in(state: DayState, cmd: CheckIn, now: datetime, local: datetime) -> list[Event]:
    booking = state.bookings.get(cmd.code)
    if booking is None:
        raise error("booking_not_found")
    refusal = _not_booked(state, booking, local)
    if refusal is not None:
        raise refusal
    today = state.day or local.date()  # the state's day: a clock stepping back stays in it
    if booking.day != today:
        raise error("booking_other_day", day=format_date(booking.day))
    line, rules = _line_rules(state, booking.line)
    opens, closes = check_in_window(state.building, rules, booking.day, booking.slot)
    if now < opens:
        when = format_clock_in_zone(opens.astimezone(state.tz), state.building.zone_label)
        raise error("booking_too_early", time=when)
    if now >= closes:
        # Past the window: lapsed, though the tick that says so may not have run yet.
        walk_in = _walk_in_now(state, line.prefix, local)
        raise error("booking_lapsed", line=line.prefix, walk_in=walk_in)
    closed = _closed_for_check_in(state, line, local)
    if closed is not None:
        raise closed
    if cmd.ticket_token in state.tokens:
        raise error("duplicate_token")
    prefix = line.prefix
    seq, number, tid = next_ticket(today, prefix, state.seq[prefix])
    return [
        # A printing reservation like a walk-in's, outside the walk-in quota, queued at the
        # slot's start (state.py): early or late in the window, the citizen's place is the slot.
        TicketIssued(
            at=now,
            ticket=tid,
            day=today,
            number=number,
            seq=seq,
            line=prefix,
            priority=booking.priority,
            token=cmd.ticket_token,
            kiosk=cmd.kiosk,
            booking=booking.code,
            slot=slot_start(state.building, booking.day, booking.slot),
        ),
        BookingCheckedIn(
            at=now,
            code=booking.code,
            line=prefix,
            day=booking.day,
            slot=booking.slot,
            ticket=tid,
            kiosk=cmd.kiosk,
        ),
    ]


# The hours refusals that mean nobody will call a ticket issued now: the day has no service
# (a holiday announced after the booking was made, a closed weekday, the line's day off) or the
# line has closed. Before opening, during a break and after the cutoff a booked citizen may
# still check in: the slot was sold inside the hours, and the ticket waits to be called.
_NO_SERVICE = frozenset({"holiday", "closed_day", "service_off_day", "closed_hours"})


def _closed_for_check_in(state: DayState, line: Line, local: datetime) -> DomainError | None:
    refusal = hours_refusal(state.plan(local.date()), line, local.time())
    return refusal if refusal is not None and refusal.code in _NO_SERVICE else None


def _lapse(booking: Booking, at: datetime) -> BookingLapsed:
    return BookingLapsed(
        at=at, code=booking.code, line=booking.line, day=booking.day, slot=booking.slot
    )


def tick_events(state: DayState, now: datetime, local: datetime) -> list[Event]:
    """A tick's booking events: lapse each booking whose check-in window has closed (or whose
    day has passed unseen: the server was down), then release each line's unused places of
    today once its `release_unused_at` has come."""
    events: list[Event] = []
    building = state.building
    today = local.date()
    for booking in state.bookings.booked_on_or_before(today):
        line = state.lines.get(booking.line)
        rules = line.booking if line is not None else None
        if booking.day < today or rules is None:
            events.append(_lapse(booking, now))  # a line since removed lapses at once too
            continue
        if now >= check_in_window(building, rules, booking.day, booking.slot)[1]:
            events.append(_lapse(booking, now))
    for line in state.lines.values():
        rules = line.booking
        if (
            rules is None
            or rules.release_unused_at is None
            or local.time() < rules.release_unused_at
            or line.prefix in state.released
            or not day_slots(building, line, today)  # a holiday, a day off: nothing to give
        ):
            continue
        # Decided before the lapses above are applied: a booking whose window has closed holds
        # no place here either, so none is counted twice.
        places = unused_places(building, line, today, state.bookings, now)
        events.append(BookingPlacesReleased(at=now, line=line.prefix, day=today, places=places))
    return events


def closing_lapses(state: DayState, day: date) -> list[Event]:
    """What the close of `day` does to bookings, stamped at its last instant: every booking of
    the day (or before) still booked lapses, and so does one whose ticket was still printing
    (the day's end expires that ticket, which returns the booking to booked)."""
    at = day_last_instant(state.building, day)
    book = state.bookings
    events: list[Event] = [_lapse(b, at) for b in book.booked_on_or_before(day)]
    for code in book.printing.values():
        booking = book.by_code[code]
        if booking.day <= day:
            events.append(_lapse(booking, at))
    return events


BOOKING_DECISIONS: dict[type[Command], Any] = {
    Book: _book,
    Reschedule: _reschedule,
    CancelBooking: _cancel,
    CheckIn: _check_in,
}
