"""The booking book: every online booking of today and the days ahead, and its fold.

Theory of operation: a citizen books a slot of a line on a day (issue 19, docs/bookings.md); the
booking lives until it is checked in at a kiosk (its ticket joins the queue), cancelled, or
lapses when its check-in window closes. Unlike the day's tickets the book spans days (bookings
are made weeks ahead), so it is held beside the day (server/core/state.py) and survives the day
close, which lapses what is left of the closing day and drops the bookings of that day and
before: the book holds only bookings that can still change.

`BookingBook.apply(event)` is the one way the book changes, for live commands and for a restart
alike (the engine replays the booking events of every booking of today or later). Beside the
bookings it keeps the indexes the rules read, so that a booking never scans the book:

- the places taken per slot, regular and priority (`taken`): a booking that is booked or checked
  in holds a place; a cancelled, lapsed or not reached one frees it;
- who holds a line's day per NIK (`nik_holds`: one booking per NIK hash per line per day);
- the active (booked, not yet used) bookings per phone hash (`phone_active`);
- the booked bookings per day (`booked`: what a tick may lapse), and per line and day the count
  of each state (`tally`: the floor's figures);
- the tickets of checked-in bookings not yet printed (`printing`): a print that fails or expires
  returns its booking to booked, as if the citizen had never checked in.

Places: a slot has `places` regular places and `priority_places` for the priority groups. A
priority booking takes a priority place while one is free, else a regular one: refusing an
elderly citizen a place any other citizen could still book would turn a protection into a
penalty (the quotas do the same, server/core/issuing.py). Priority bookings fill priority places
first, so counting is enough: regular places taken = regular bookings + priority bookings beyond
the priority places.

Pure: no clock, no I/O. Bookings are frozen; a change replaces the booking in `by_code`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from server.core.building import BookingRules
from server.core.events import (
    NOT_REACHED,
    BookingCancelled,
    BookingCheckedIn,
    BookingLapsed,
    BookingMade,
    BookingRescheduled,
    DayClosed,
    Event,
    PriorityGroup,
    TicketExpired,
    TicketPrinted,
    TicketPrintFailed,
)

__all__ = [
    "Booking",
    "BookingBook",
    "BookingState",
    "SlotKey",
    "places_left",
]


class BookingState(StrEnum):
    BOOKED = "booked"  # made (or rescheduled); may still be checked in
    CHECKED_IN = "checked_in"  # its ticket is in the queue (or printing)
    CANCELLED = "cancelled"
    LAPSED = "lapsed"  # nobody checked in before the window closed: "Pesanan hangus"
    # A visit's member whose citizen came (its lead checked in) but whose visit ended before
    # its stop (issue 22): "tidak dilayani", not the citizen's absence (BookingLapsed.reason).
    NOT_REACHED = "not_reached"


_BOOKED = BookingState.BOOKED
_CHECKED_IN = BookingState.CHECKED_IN
_HOLDING = frozenset({_BOOKED, _CHECKED_IN})  # states that hold a place in their slot

SlotKey = tuple[str, date, time]  # (line prefix, day, slot start)


@dataclass(frozen=True, slots=True)
class Booking:
    code: str  # its id: 8 characters, shown "K7QM-4TXA"
    token: str = field(repr=False)  # the citizen's page credential; never the code
    line: str
    day: date
    slot: time  # local start on `day`
    priority: PriorityGroup | None
    state: BookingState
    made_at: datetime
    channel: str  # "web", "api:<portal id>", "staff:<id>"
    ticket: str | None = None  # the ticket issued at check-in
    # Personal data (None once purged, which never happens to a booking still in the book).
    name: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)
    nik_last4: str | None = field(default=None, repr=False)
    nik_hash: str | None = field(default=None, repr=False)
    phone_hash: str | None = field(default=None, repr=False)
    # A visit of several services booked at once (issue 22): the lead's code (on the lead too)
    # and this stop's index in the visit (0 on the lead); None for a plain booking.
    lead: str | None = None
    stop: int | None = None

    @property
    def is_member(self) -> bool:
        """A later stop of a visit booking: never shown, it follows its lead."""
        return self.lead is not None and self.lead != self.code

    @property
    def slot_key(self) -> SlotKey:
        return (self.line, self.day, self.slot)

    @property
    def holds_place(self) -> bool:
        return self.state in _HOLDING


def places_left(rules: BookingRules, taken: list[int] | None) -> tuple[int, int]:
    """(regular places left, places left for a priority citizen) in a slot with `taken`
    ([regular bookings, priority bookings] holding a place there)."""
    regular, priority = taken if taken is not None else (0, 0)
    regular_used = regular + max(0, priority - rules.priority_places)
    return (
        max(0, rules.places - regular_used),
        max(0, rules.capacity - regular - priority),
    )


class BookingBook:
    """The bookings that can still change (today's and the days ahead), with their indexes."""

    def __init__(self) -> None:
        self.by_code: dict[str, Booking] = {}
        self.tokens: dict[str, str] = {}  # page token -> code
        # Per slot, [regular, priority] bookings holding a place there (booked or checked in).
        self.taken: dict[SlotKey, list[int]] = {}
        # (nik hash, line, day) -> the code holding that line's day for that NIK.
        self.nik_holds: dict[tuple[str, str, date], str] = {}
        self.phone_active: dict[str, set[str]] = {}  # phone hash -> codes still booked
        self.booked: dict[date, dict[str, None]] = {}  # day -> codes booked (ordered set)
        # (line, day) -> count of bookings per state: the floor's figures without a scan.
        self.tally: dict[tuple[str, date], dict[BookingState, int]] = {}
        self.printing: dict[str, str] = {}  # ticket id -> code: checked in, not yet printed
        # A visit booking's group: lead code -> its members' codes in stop order (issue 22).
        self.members: dict[str, tuple[str, ...]] = {}

    # -- reads ----------------------------------------------------------------------------

    def get(self, code: str) -> Booking | None:
        return self.by_code.get(code)

    def by_token(self, token: str) -> Booking | None:
        code = self.tokens.get(token)
        return None if code is None else self.by_code[code]

    def count(self, line: str, day: date, state: BookingState) -> int:
        return self.tally.get((line, day), {}).get(state, 0)

    def group(self, booking: Booking) -> list[Booking]:
        """A visit booking's lead and members in stop order (any of them given); [booking]
        for a plain booking."""
        if booking.lead is None:
            return [booking]
        lead = self.by_code.get(booking.lead)
        if lead is None:
            return [booking]
        return [lead, *(self.by_code[c] for c in self.members.get(lead.code, ()))]

    def lead_of(self, booking: Booking) -> Booking:
        """The lead of a member (the booking itself otherwise)."""
        if booking.is_member:
            lead = self.by_code.get(booking.lead or "")
            if lead is not None:
                return lead
        return booking

    def active_for_phone(self, phone_hash: str) -> int:
        return len(self.phone_active.get(phone_hash, ()))

    def booked_on_or_before(self, day: date) -> list[Booking]:
        """Booked bookings of `day` and earlier, by day then in the order they were booked."""
        out: list[Booking] = []
        for d in sorted(d for d in self.booked if d <= day):
            out.extend(self.by_code[code] for code in self.booked[d])
        return out

    # -- the fold ---------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Change the book by one event (events of other kinds leave it as it is)."""
        match event:
            case BookingMade():
                self._made(event)
            case BookingRescheduled():
                old = self.by_code[event.code]
                self._release(old)
                self._put(replace(old, day=event.day, slot=event.slot))
            case BookingCancelled():
                self._end(event.code, BookingState.CANCELLED)
            case BookingLapsed(reason=reason):
                lapsed = BookingState.NOT_REACHED if reason == NOT_REACHED else BookingState.LAPSED
                self._end(event.code, lapsed)
            case BookingCheckedIn():
                old = self._expect(event.code, _BOOKED)
                self._release(old)
                self._put(replace(old, state=_CHECKED_IN, ticket=event.ticket))
                self.printing[event.ticket] = event.code
            case TicketPrinted():
                self.printing.pop(event.ticket, None)
            case TicketPrintFailed() | TicketExpired():
                code = self.printing.pop(event.ticket, None)
                if code is not None:
                    # The paper never came out: the citizen holds no number, the booking holds
                    # its place again and may be checked in (or lapse) as if never scanned.
                    old = self.by_code[code]
                    self._release(old)
                    self._put(replace(old, state=_BOOKED, ticket=None))
            case DayClosed():
                self._drop_through(event.day)
            case _:
                pass

    def _expect(self, code: str, state: BookingState) -> Booking:
        booking = self.by_code.get(code)
        if booking is None:
            raise ValueError(f"booking event for unknown booking {code}")
        if booking.state is not state:
            raise ValueError(f"booking {code} is {booking.state}, not {state}")
        return booking

    def _made(self, ev: BookingMade) -> None:
        if ev.code in self.by_code:
            raise ValueError(f"booking {ev.code} made twice")
        assert ev.token is not None, "a stored booking_made always has its token"
        booking = Booking(
            code=ev.code,
            token=ev.token,
            line=ev.line,
            day=ev.day,
            slot=ev.slot,
            priority=ev.priority,
            state=_BOOKED,
            made_at=ev.at,
            channel=ev.channel,
            name=ev.name,
            phone=ev.phone,
            nik_last4=ev.nik_last4,
            nik_hash=ev.nik_hash,
            phone_hash=ev.phone_hash,
            lead=ev.lead,
            stop=ev.stop,
        )
        self.tokens[booking.token] = booking.code
        if booking.is_member:
            lead = booking.lead or ""
            self.members[lead] = (*self.members.get(lead, ()), booking.code)
        self._put(booking)

    def _end(self, code: str, state: BookingState) -> None:
        old = self._expect(code, _BOOKED)
        self._release(old)
        self._put(replace(old, state=state))

    def _put(self, b: Booking) -> None:
        """Store a booking and count it in every index its state belongs to."""
        self.by_code[b.code] = b
        counts = self.tally.setdefault((b.line, b.day), {})
        counts[b.state] = counts.get(b.state, 0) + 1
        if b.holds_place:
            taken = self.taken.setdefault(b.slot_key, [0, 0])
            taken[0 if b.priority is None else 1] += 1
            if b.nik_hash is not None:
                self.nik_holds[(b.nik_hash, b.line, b.day)] = b.code
        if b.state is _BOOKED:
            self.booked.setdefault(b.day, {})[b.code] = None
            if b.phone_hash is not None:
                self.phone_active.setdefault(b.phone_hash, set()).add(b.code)

    def _release(self, b: Booking) -> None:
        """Undo `_put` of a booking (before it is put back changed)."""
        counts = self.tally[(b.line, b.day)]
        counts[b.state] -= 1
        if not counts[b.state]:
            del counts[b.state]
        if not counts:
            del self.tally[(b.line, b.day)]
        if b.holds_place:
            taken = self.taken[b.slot_key]
            taken[0 if b.priority is None else 1] -= 1
            if taken == [0, 0]:
                del self.taken[b.slot_key]
            if b.nik_hash is not None:
                self.nik_holds.pop((b.nik_hash, b.line, b.day), None)
        if b.state is _BOOKED:
            day = self.booked[b.day]
            del day[b.code]
            if not day:
                del self.booked[b.day]
            if b.phone_hash is not None:
                codes = self.phone_active[b.phone_hash]
                codes.discard(b.code)
                if not codes:
                    del self.phone_active[b.phone_hash]

    def _drop_through(self, day: date) -> None:
        """Forget the bookings of `day` and before: none of them can change any more.

        New dicts, not the old ones emptied: the engine still holds the old `by_code` to write
        the rows of the closing day's lapses (as it does with the day's tickets).
        """
        gone = [b for b in self.by_code.values() if b.day <= day]
        if not gone:
            return
        for b in gone:
            self._release(b)
        keep = {code: b for code, b in self.by_code.items() if b.day > day}
        self.by_code = keep
        self.tokens = {token: code for token, code in self.tokens.items() if code in keep}
        self.printing = {t: code for t, code in self.printing.items() if code in keep}
        self.members = {lead: codes for lead, codes in self.members.items() if lead in keep}

    # -- copies and equality ------------------------------------------------------------------

    def copy(self) -> BookingBook:
        """An independent book with the same bookings (bookings are frozen: shared)."""
        other = BookingBook()
        other.by_code = dict(self.by_code)
        other.tokens = dict(self.tokens)
        other.taken = {k: list(v) for k, v in self.taken.items()}
        other.nik_holds = dict(self.nik_holds)
        other.phone_active = {k: set(v) for k, v in self.phone_active.items()}
        other.booked = {k: dict(v) for k, v in self.booked.items()}
        other.tally = {k: dict(v) for k, v in self.tally.items()}
        other.printing = dict(self.printing)
        other.members = dict(self.members)
        return other

    def _comparable(self) -> tuple[Any, ...]:
        return (
            self.by_code,
            self.tokens,
            self.taken,
            self.nik_holds,
            self.phone_active,
            {d: list(codes) for d, codes in self.booked.items()},
            self.tally,
            self.printing,
            self.members,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BookingBook):
            return NotImplemented
        return self._comparable() == other._comparable()

    __hash__ = None  # type: ignore[assignment]  # mutable
