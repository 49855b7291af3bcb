"""What the booking commands decide: Book, BookVisit, Reschedule, CancelBooking, CheckIn; and
what a tick and a day close do to bookings (lapses, unused places released).

Like server/core/decide.py (which adds these to `DECISIONS`): each decision reads the state and
returns the events that would happen, without changing anything; a refusal is a DomainError.
Every rule that decides whether a place may be given is checked here, synchronously, against the
book as it stands: the engine runs one command at a time, so two citizens racing for a slot's
last place are decided one after the other and the second is refused (`slot_full`).

The order of the checks is the order of what matters to the citizen: the line takes bookings,
the window (server/core/booking_rules.py), one booking per NIK per line per day, the phone's
limit, then the places.

A visit of several services booked at once (`BookVisit`, issue 22, docs/bookings.md) is a group
of ordinary bookings: the lead (stop 0, the code the citizen holds) and its members (each later
stop at the slot `visit_slots` gives it). The lead's token cancels or reschedules the whole
group; its check-in starts the visit (`VisitStarted.booking`), and each member's place is used
at the hand-on (server/core/visits.py). A member never lapses by its own window: it follows its
lead, or the visit once that is under way (`tick_events`). A member lapsing after its lead was
checked in lapses as not reached (`BookingLapsed.reason`, *tidak dilayani*): the citizen came, the
visit ended before that stop — not the absence a lapse otherwise records.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from server.core.booking_rules import (
    booking_refusal,
    check_in_window,
    check_visit_lines,
    named,
    next_visit_slot,
    slot_full,
    slot_start,
    unused_places,
    visit_slot_choices,
    visit_slot_full,
    visit_slots,
)
from server.core.bookings import Booking, BookingBook, BookingState
from server.core.building import BookingRules, Line
from server.core.calendar import day_last_instant
from server.core.dates import format_clock_in_zone, format_date
from server.core.errors import error
from server.core.events import (
    NOT_REACHED,
    BookingCancelled,
    BookingCheckedIn,
    BookingLapsed,
    BookingMade,
    BookingPlacesReleased,
    BookingRescheduled,
    Event,
    PriorityGroup,
    TicketIssued,
    VisitStarted,
)
from server.core.issuing import hours_refusal, issue_refusal
from server.core.model import (
    Book,
    BookVisit,
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
from server.core.visits import PENDING, visit_id

__all__ = ["BOOKING_DECISIONS", "closing_lapses", "ended_members", "tick_events"]


def _line_rules(state: DayState, prefix: str) -> tuple[Line, BookingRules]:
    line = state.known_line(prefix)
    if line.booking is None:
        raise error("booking_unavailable", line=line.name)
    return line, line.booking


def _by_token(state: DayState, token: str) -> Booking:
    """The booking of a page token; a member's token reaches its lead (the group acts whole)."""
    booking = state.bookings.by_token(token)
    if booking is None:
        raise error("booking_not_found")
    return state.bookings.lead_of(booking)


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
        case BookingState.LAPSED | BookingState.NOT_REACHED:
            # NOT_REACHED is a member's (never acted on directly: every command goes by its
            # lead), refused as lapsed should one ever be named: it is over either way.
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


def _book_visit(state: DayState, cmd: BookVisit, now: datetime, local: datetime) -> list[Event]:
    lines = tuple(cmd.lines)
    known = check_visit_lines(state.building, lines)
    book = state.bookings
    n = len(lines)
    if len(cmd.codes) != n or len(cmd.tokens) != n:
        raise ValueError("BookVisit needs one code and one token per line")
    if len(set(cmd.codes)) != n or any(c in book.by_code for c in cmd.codes):
        raise error("booking_code_taken")
    if len(set(cmd.tokens)) != n or any(t in book.tokens for t in cmd.tokens):
        raise error("duplicate_token")
    slots = visit_slots(state.building, lines, cmd.day, cmd.slot)
    lead = cmd.codes[0]
    events: list[Event] = []
    for k, (line, slot) in enumerate(zip(known, slots, strict=True)):
        # The phone's limit for the lead only: a visit counts once against it.
        phone_hash = cmd.phone_hash if k == 0 else None
        refusal = _place_refusal(
            state, line, cmd.day, slot, cmd.priority, cmd.nik_hash, phone_hash, now, local
        )
        if refusal is not None:
            raise named(
                _visit_refusal(state, refusal, lines, cmd.day, cmd.slot, slot, cmd.priority, now),
                line,
            )
        events.append(
            BookingMade(
                at=now,
                code=cmd.codes[k],
                token=cmd.tokens[k],
                line=line.prefix,
                day=cmd.day,
                slot=slot,
                priority=cmd.priority,
                channel=cmd.channel,
                name=cmd.name,
                phone=cmd.phone,
                nik_last4=cmd.nik_last4,
                nik_hash=cmd.nik_hash,
                phone_hash=phone_hash,
                lead=lead,
                stop=k,
            )
        )
    return events


def _visit_refusal(
    state: DayState,
    refusal: DomainError,
    lines: tuple[str, ...],
    day: date,
    first: time,
    slot: time,
    priority: PriorityGroup | None,
    now: datetime,
    moving: list[Booking] | None = None,
) -> DomainError:
    """A visit's stop refused: a full slot names the visit's next arrival time bookable whole
    (the stop's own next free slot is no time the citizen can choose); other refusals as is."""
    if refusal.code != "slot_full":
        return refusal
    choices = visit_slot_choices(
        state.building, lines, day, priority, state.bookings, now, moving or ()
    )
    return visit_slot_full(state.building, day, slot, next_visit_slot(choices, first))


def _reschedule(state: DayState, cmd: Reschedule, now: datetime, local: datetime) -> list[Event]:
    booking = _by_token(state, cmd.token)
    refusal = _not_booked(state, booking, local)
    if refusal is not None:
        raise refusal
    if booking.day <= local.date():
        raise error("reschedule_too_late", day=format_date(booking.day))
    if booking.lead is not None:
        return _reschedule_visit(state, booking, cmd, now, local)
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


def _reschedule_visit(
    state: DayState, lead: Booking, cmd: Reschedule, now: datetime, local: datetime
) -> list[Event]:
    """Move a whole visit booking: each stop to the slot `visit_slots` gives it from the new
    first slot; a stop whose slot does not change gets no event and no place check."""
    group = [b for b in state.bookings.group(lead) if b.state is BookingState.BOOKED]
    slots = visit_slots(state.building, tuple(b.line for b in group), cmd.day, cmd.slot)
    events: list[Event] = []
    for b, slot in zip(group, slots, strict=True):
        if (b.day, b.slot) == (cmd.day, slot):
            continue
        line, _rules = _line_rules(state, b.line)
        refusal = _place_refusal(
            state, line, cmd.day, slot, b.priority, b.nik_hash, None, now, local, moving=b.code
        )
        if refusal is not None:
            lines = tuple(g.line for g in group)
            found = _visit_refusal(
                state, refusal, lines, cmd.day, cmd.slot, slot, lead.priority, now, group
            )
            raise named(found, line)
        events.append(
            BookingRescheduled(
                at=now,
                code=b.code,
                line=b.line,
                from_day=b.day,
                from_slot=b.slot,
                day=cmd.day,
                slot=slot,
            )
        )
    return events


def _cancel(state: DayState, cmd: CancelBooking, now: datetime, local: datetime) -> list[Event]:
    booking = _by_token(state, cmd.token)
    refusal = _not_booked(state, booking, local)
    if refusal is not None:
        raise refusal
    reason = cmd.reason.strip()
    if not reason:
        raise error("reason_required")
    # A visit booking is cancelled whole: the lead and every member still booked.
    return [
        BookingCancelled(at=now, code=b.code, line=b.line, day=b.day, slot=b.slot, reason=reason)
        for b in state.bookings.group(booking)
        if b.state is BookingState.BOOKED
    ]


def _check_in(state: DayState, cmd: CheckIn, now: datetime, local: datetime) -> list[Event]:
    booking = state.bookings.get(cmd.code)
    if booking is None:
        raise error("booking_not_found")
    booking = state.bookings.lead_of(booking)  # a member's code answers for its lead
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
    start = slot_start(state.building, booking.day, booking.slot)
    members = [b for b in state.bookings.group(booking)[1:] if b.state is BookingState.BOOKED]
    vid = visit_id(today, state.visit_seq + 1) if members else None
    events: list[Event] = [
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
            slot=start,
            visit=vid,
            stop=0 if vid is not None else None,
        )
    ]
    if vid is not None:
        # The visit of a booking starts at the lead's slot: the credit rule's anchor, so the
        # citizen joins each later stop as if there since their slot (capped by the credit).
        events.append(
            VisitStarted(
                at=now,
                visit=vid,
                ticket=tid,
                stops=(prefix, *(b.line for b in members)),
                priority=booking.priority,
                kiosk=cmd.kiosk,
                started_at=start,
                booking=booking.code,
            )
        )
    return [
        *events,
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


def _lapse(booking: Booking, at: datetime, book: BookingBook | None = None) -> BookingLapsed:
    """The lapse of a booking; given the book, a member whose lead was checked in — the
    citizen came, the visit ended before this stop — lapses as not reached, not as absent."""
    reason = None
    if book is not None and booking.is_member:
        lead = book.get(booking.lead or "")
        # Checked in with its paper out: a check-in still printing when the day closes lapses.
        if (
            lead is not None
            and lead.state is BookingState.CHECKED_IN
            and lead.ticket not in book.printing
        ):
            reason = NOT_REACHED
    return BookingLapsed(
        at=at,
        code=booking.code,
        line=booking.line,
        day=booking.day,
        slot=booking.slot,
        reason=reason,
    )


def tick_events(state: DayState, now: datetime, local: datetime) -> list[Event]:
    """A tick's booking events: lapse each booking whose check-in window has closed (or whose
    day has passed unseen: the server was down), then release each line's unused places of
    today once its `release_unused_at` has come."""
    events: list[Event] = []
    building = state.building
    today = local.date()
    book = state.bookings
    ended = ended_members(state)
    lapsing: list[str] = []  # the leads lapsing now, in the book's order
    for booking in book.booked_on_or_before(today):
        if booking.is_member:
            if booking.code in ended:
                events.append(_lapse(booking, now, book))
            continue  # never by its own window: it follows its lead (below) or its visit
        line = state.lines.get(booking.line)
        rules = line.booking if line is not None else None
        if (
            booking.day < today  # the day passed unseen
            or rules is None  # a line since removed lapses at once too
            or now >= check_in_window(building, rules, booking.day, booking.slot)[1]
        ):
            events.append(_lapse(booking, now))
            lapsing.append(booking.code)
    for lead in lapsing:
        # A member lapses with its booked lead, in the same tick.
        for code in book.members.get(lead, ()):
            member = book.by_code[code]
            if member.state is BookingState.BOOKED and code not in ended:
                events.append(_lapse(member, now))
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
        places = unused_places(building, line, today, state.bookings, now, ended)
        events.append(BookingPlacesReleased(at=now, line=line.prefix, day=today, places=places))
    return events


def ended_members(state: DayState) -> frozenset[str]:
    """The booked members whose lead is no longer booked and whose visit will not reach them:
    the lead checked in but its visit ended (or moved on) without their stop pending, or the
    lead cancelled or lapsed. A tick lapses them (as not reached when the lead was checked in:
    `_lapse`); their places are not held."""
    book = state.bookings
    out: set[str] = set()
    for lead_code, codes in book.members.items():
        lead = book.by_code.get(lead_code)
        if lead is None or lead.state is BookingState.BOOKED:
            continue
        pending: set[str] = set()
        if lead.state is BookingState.CHECKED_IN:
            ticket = state.tickets.get(lead.ticket or "")
            itinerary = (
                state.itineraries.get(ticket.visit)
                if ticket is not None and ticket.visit is not None
                else None
            )
            if itinerary is not None:
                pending = {s.line for s in itinerary.stops if s.state == PENDING}
        for code in codes:
            member = book.by_code[code]
            if member.state is BookingState.BOOKED and member.line not in pending:
                out.add(code)
    return frozenset(out)


def closing_lapses(state: DayState, day: date) -> list[Event]:
    """What the close of `day` does to bookings, stamped at its last instant: every booking of
    the day (or before) still booked lapses, and so does one whose ticket was still printing
    (the day's end expires that ticket, which returns the booking to booked)."""
    at = day_last_instant(state.building, day)
    book = state.bookings
    # A member still booked at the close of a visit under way was not reached (`_lapse`).
    events: list[Event] = [_lapse(b, at, book) for b in book.booked_on_or_before(day)]
    for code in book.printing.values():
        booking = book.by_code[code]
        if booking.day <= day:
            events.append(_lapse(booking, at))
    return events


BOOKING_DECISIONS: dict[type[Command], Any] = {
    Book: _book,
    BookVisit: _book_visit,
    Reschedule: _reschedule,
    CancelBooking: _cancel,
    CheckIn: _check_in,
}
