"""Online booking for the public pages and the portals: plain async methods over the engine.

Theory of operation: the web room's pages (`/pesan`, `/pesan/<token>`) and the portal API
(`/api/v1/`) call `BookingsApi`; it checks what a citizen typed, makes what the edge makes (the
booking code and page token with `secrets`, the keyed hashes of the NIK and the phone number with
the store's own secret key), and runs the core's `Book`, `Reschedule` and `CancelBooking` through
the hub's `execute` (one command at a time on the event loop: two citizens racing for a slot's
last place are decided one after the other, and the second reads `slot_full`). Every method
returns once the change is on disk, or raises the core's `DomainError` (an Indonesian message, a
stable code, details) having changed nothing.

The NIK: `book` takes the 16 digits, keeps its HMAC-SHA256 (for the one-booking-per-NIK rule)
and its last four digits, and drops it. The full NIK is never stored, logged, put in a command's
repr or returned; the views carry it masked ("•••• •••• •••• 1234"). The phone number is kept
for contact (purged with the rest, docs/operations.md) and hashed for the per-phone limit.

Reads (`slots`, `days`, `booking`) are answered from memory: the engine's booking book holds
every booking of today and later. A booking of a past day is read from the store's row, without
its personal data.

A visit of several services (issue 22, docs/bookings.md "A visit of several services"):
`visit_order` proposes the order, `visit_days` and `visit_slots` list what may be booked,
`book_visit` books every stop at once (one command: all or nothing) and returns the lead's view,
whose `stops` list the itinerary. The lead's token cancels or reschedules the whole visit; a
member's own code and token are never shown (they reach the lead's group anyway).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from server.core import nik as nik_rules
from server.core.booking_code import new_code, normalize_code
from server.core.booking_rules import (
    SlotAvailability,
    VisitSlotChoice,
    VisitStopSlot,
    booking_visit_order,
    check_in_window,
    visit_days,
    visit_slot_choices,
)
from server.core.bookings import Booking, BookingState
from server.core.building import Building, Line
from server.core.errors import error
from server.core.events import PriorityGroup
from server.core.model import Book, BookVisit, CancelBooking, Command, DomainError, Reschedule
from server.core.slots import slot_end

if TYPE_CHECKING:
    from server.engine import Engine, StoredEvent

__all__ = [
    "BookingStopView",
    "BookingView",
    "BookingsApi",
    "VisitSlotChoice",
    "VisitStopSlot",
    "mask_nik",
    "normalise_code",
    "normalise_phone",
]

_TRIES = 5  # a new code (and token) after a collision, at most this many times
_NAME_MAX = 100
_PHONE = re.compile(r"62\d{7,13}")

Execute = Callable[[Command, str, "str | None"], Awaitable[list["StoredEvent"]]]


def _new_code() -> str:
    return new_code(secrets.randbelow)


def normalise_code(typed: str) -> str:
    """A booking code as scanned or typed ("k7qm-4txa ", "ANTRE:K7QM4TXA") as the core keys it
    ("K7QM4TXA"). Text that is no code comes back upper-cased, without spaces and dashes: the
    core finds no booking by it and says so (`booking_not_found`)."""
    code = normalize_code(typed)
    return code if code is not None else "".join(typed.split()).replace("-", "").upper()


def mask_nik(last4: str | None) -> str | None:
    """The NIK as an officer or the citizen sees it: only its last four digits."""
    return None if last4 is None else nik_rules.mask_nik(last4)


def normalise_phone(phone: str) -> str | None:
    """An Indonesian mobile number as "62…" digits ("0812-3456 7890", "+62 812…"); None when it
    is not one."""
    digits = re.sub(r"[\s\-().]", "", phone)
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits if _PHONE.fullmatch(digits) else None


def _mask_phone(phone: str | None) -> str | None:
    return None if phone is None else "•" * max(0, len(phone) - 4) + phone[-4:]


@dataclass(frozen=True, slots=True)
class BookingStopView:
    """One stop of a visit booking, as its page lists the itinerary."""

    line: str
    line_name: str
    agency: str
    slot: time  # local start
    slot_end: time
    state: BookingState  # the stop's booking: booked, checked_in, cancelled (skipped), lapsed
    ticket_number: str | None  # its ticket once its turn came (the lead's at check-in)


@dataclass(frozen=True, slots=True)
class BookingView:
    """One booking as its citizen's page (or a portal) shows it. The NIK only masked."""

    code: str  # "K7QM4TXA" (shown "K7QM-4TXA")
    token: str  # the page credential: /pesan/<token>
    line: str
    line_name: str
    agency: str
    day: date
    slot: time  # local start
    slot_end: time
    zone: str  # WIB, WITA or WIT: every time above is the building's
    state: BookingState
    priority: PriorityGroup | None
    name: str | None  # None once the personal data was deleted (a past booking)
    nik_masked: str | None
    phone_masked: str | None
    ticket_number: str | None  # the number issued at check-in
    check_in_opens: datetime  # aware
    check_in_closes: datetime
    documents: str | None  # what to bring (`documents` of the line's booking)
    can_reschedule: bool  # booked, and before its day
    can_cancel: bool  # booked
    # A visit of several services: every stop in order, the lead's first; () for a plain
    # booking (and for a past day's visit, read from the store without its group).
    stops: tuple[BookingStopView, ...] = ()


class BookingsApi:
    """Book, reschedule and cancel, and read slots and bookings: the web room's entry point."""

    def __init__(
        self,
        engine: Engine,
        *,
        execute: Execute | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._engine = engine  # its state (the book) and store, and the hashes' key
        # How a command runs: the hub's execute (counted for snapshots), else the engine's.
        self._execute: Execute = execute or engine.execute
        self._clock = clock or engine.now  # the engine's clock: never behind the log

    @property
    def building(self) -> Building:
        return self._engine.building

    # -- reads ----------------------------------------------------------------------------

    def lines(self) -> list[Line]:
        """The lines that take bookings, in the building's order."""
        return [ln for ln in self.building.lines if ln.booking is not None]

    def days(self, line: str) -> list[date]:
        """The days `line` may be booked for now (today to the furthest open day, days
        without a bookable slot left out). DomainError for an unknown line."""
        return self._engine.state.bookable_days(line, self._clock())

    def visit_order(self, lines: list[str] | tuple[str, ...]) -> tuple[str, ...]:
        """The order proposed for a visit of `lines`: `requires` first, otherwise the
        citizen's own (server/core/booking_rules.booking_visit_order). Unknown lines stay in
        place (the booking refuses them)."""
        return booking_visit_order(self.building, tuple(lines))

    def visit_days(self, lines: list[str] | tuple[str, ...]) -> list[date]:
        """The days a visit of `lines` (in this order) may be booked for now: every stop's line
        may be booked that day. DomainError for lines no visit may hold (`visit_too_short`,
        `visit_too_long`, `unknown_line`, `visit_duplicate_line`, `visit_order`,
        `booking_unavailable`)."""
        return visit_days(self.building, tuple(lines), self._clock())

    def visit_slots(
        self,
        lines: list[str] | tuple[str, ...],
        day: date,
        priority: PriorityGroup | None = None,
        token: str | None = None,
    ) -> list[VisitSlotChoice]:
        """Every first-stop slot of a visit on `day`: each stop's slot and places left (for a
        priority citizen when `priority`), and whether the whole visit may be booked there now
        (else the refusal's code and Indonesian message, naming the service). DomainError as
        `visit_days`, and `booking_visit_no_slot` when a stop's line has no slot that day.

        `token`: the page token of the visit booking being moved — a stop that stays where it
        is keeps its own place (the core's reschedule checks it no more)."""
        book = self._engine.state.bookings
        found = book.by_token(token) if token is not None else None
        moving = book.group(book.lead_of(found)) if found is not None else []
        return visit_slot_choices(
            self.building, tuple(lines), day, priority, book, self._clock(), moving
        )

    def slots(self, line: str, day: date) -> list[SlotAvailability]:
        """The slots of `line` on `day` with their places left and whether each may be booked
        now (server/core/booking_rules.py). DomainError for an unknown line."""
        return self._engine.state.slot_availability(line, day, self._clock())

    async def booking(self, token: str) -> BookingView | None:
        """The booking whose page token this is, any day; None for an unknown token."""
        book = self._engine.state.bookings
        found = book.by_token(token)
        if found is not None:
            found = book.lead_of(found)  # a member's page is its visit's
        if found is None:
            found = await self._engine.store.booking(token)
            if found is not None and found.is_member:
                # A past visit's later stop: its token was never shown and its page would
                # show its own code; only the lead's token opens the visit's page.
                return None
            if found is not None:
                return await self._stored_view(found)
        return None if found is None else self._view(found)

    async def _stored_view(self, b: Booking) -> BookingView:
        """A booking of a day already closed, read from the store: its visit's stops and the
        tickets' numbers from the store's rows too (the book and today's tickets in memory no
        longer hold them)."""
        store = self._engine.store
        group = await store.booking_group(b.lead, b.day) if b.lead is not None else []
        numbers: dict[str, str] = {}
        for stop in group or [b]:
            ticket = await store.ticket(stop.ticket) if stop.ticket else None
            if ticket is not None:
                numbers[ticket.id] = ticket.number
        return self._view(b, group=group, numbers=numbers)

    # -- changes ----------------------------------------------------------------------------

    async def book(
        self,
        line: str,
        day: date,
        slot: time,
        *,
        name: str,
        phone: str,
        nik: str,
        priority: PriorityGroup | None = None,
        channel: str = "web",
        request_id: str | None = None,
    ) -> BookingView:
        """Book a slot for a citizen; the booking once it is on disk.

        `channel` says who booked ("web", "api:<portal id>", "staff:<id>") and is the actor of
        the event log. `request_id`: the same id from the same channel today returns the first
        booking instead of booking twice. DomainError (nothing changed): the form
        (`booking_name_required`, `booking_phone_invalid`, `booking_nik_invalid`), the line
        (`unknown_line`, `booking_unavailable`), the window, the NIK's or phone's limit, the
        places (`slot_full`).
        """
        clean_name, phone_digits, nik_last4, nik_hash, phone_hash = self._form(name, phone, nik)
        del nik  # the full NIK goes no further than this line
        for attempt in range(_TRIES):
            command = Book(
                line=line,
                day=day,
                slot=slot,
                priority=priority,
                name=clean_name,
                phone="+" + phone_digits,
                nik_last4=nik_last4,
                nik_hash=nik_hash,
                phone_hash=phone_hash,
                code=_new_code(),
                token=secrets.token_urlsafe(16),
                channel=channel,
            )
            try:
                stored = await self._execute(command, channel, _request(channel, request_id))
            except DomainError as refused:
                collided = refused.code in ("booking_code_taken", "duplicate_token")
                if collided and attempt + 1 < _TRIES:
                    continue  # 24⁸ codes: a collision is rare, and a new code settles it
                raise
            return self._made(stored, command.code)
        raise AssertionError("unreachable")  # pragma: no cover

    async def book_visit(
        self,
        lines: list[str] | tuple[str, ...],
        day: date,
        slot: time,
        *,
        name: str,
        phone: str,
        nik: str,
        priority: PriorityGroup | None = None,
        channel: str = "web",
        request_id: str | None = None,
    ) -> BookingView:
        """Book a visit of several services at once (`lines` in the visit's order, `slot` the
        first stop's); the lead booking's view, its `stops` every stop, once on disk.

        The same form checks as `book`; DomainError (nothing changed) for the lines
        (`check_visit_lines`' refusals), a stop without a slot that day
        (`booking_visit_no_slot`), or any stop's window, NIK, phone limit (the lead's only:
        a visit counts once) or places, named by its service.
        """
        clean_name, phone_digits, nik_last4, nik_hash, phone_hash = self._form(name, phone, nik)
        del nik
        n = len(lines)
        for attempt in range(_TRIES):
            command = BookVisit(
                lines=tuple(lines),
                day=day,
                slot=slot,
                priority=priority,
                name=clean_name,
                phone="+" + phone_digits,
                nik_last4=nik_last4,
                nik_hash=nik_hash,
                phone_hash=phone_hash,
                codes=tuple(_new_code() for _ in range(n)),
                tokens=tuple(secrets.token_urlsafe(16) for _ in range(n)),
                channel=channel,
            )
            try:
                stored = await self._execute(command, channel, _request(channel, request_id))
            except DomainError as refused:
                collided = refused.code in ("booking_code_taken", "duplicate_token")
                if collided and attempt + 1 < _TRIES:
                    continue
                raise
            return self._made(stored, command.codes[0] if command.codes else "")
        raise AssertionError("unreachable")  # pragma: no cover

    async def reschedule(
        self,
        token: str,
        day: date,
        slot: time,
        *,
        channel: str = "web",
        request_id: str | None = None,
    ) -> BookingView:
        """Move a booking to another slot (until the day before its day); the booking after."""
        booking = self._known(token)
        command = Reschedule(token=token, day=day, slot=slot)
        await self._execute(command, channel, _request(channel, request_id))
        return self._view(self._engine.state.bookings.get(booking.code) or booking)

    async def cancel(
        self,
        token: str,
        *,
        reason: str = "dibatalkan oleh pemesan",
        channel: str = "web",
        request_id: str | None = None,
    ) -> BookingView:
        """Cancel a booking (its place is free again at once); the booking after."""
        booking = self._known(token)
        command = CancelBooking(token=token, reason=reason)
        await self._execute(command, channel, _request(channel, request_id))
        return self._view(self._engine.state.bookings.get(booking.code) or booking)

    # -- helpers ------------------------------------------------------------------------------

    def _known(self, token: str) -> Booking:
        book = self._engine.state.bookings
        found = book.by_token(token)
        if found is None:
            raise error("booking_not_found")
        return book.lead_of(found)  # a visit acts whole: its lead's view

    def _form(self, name: str, phone: str, nik: str) -> tuple[str, str, str, str, str]:
        """The booking form checked as a person typed it: (name, phone digits "62…", the NIK's
        last four digits, the NIK's keyed hash, the phone's keyed hash). The NIK goes no
        further. DomainError: `booking_name_required`, `booking_phone_invalid`,
        `booking_nik_invalid`."""
        clean_name = " ".join(name.split())
        if not clean_name or len(clean_name) > _NAME_MAX or not clean_name.isprintable():
            raise error("booking_name_required")
        phone_digits = normalise_phone(phone)
        if phone_digits is None:
            raise error("booking_phone_invalid")
        problem = nik_rules.nik_problem(nik)
        if problem is not None:
            raise error("booking_nik_invalid", problem=problem)
        digits = nik_rules.nik_digits(nik)
        key = self._engine.booking_key
        nik_hash = hmac.new(key, b"nik:" + digits.encode(), hashlib.sha256).hexdigest()
        nik_last4 = nik_rules.nik_last4(digits)
        phone_hash = hmac.new(key, b"phone:" + phone_digits.encode(), hashlib.sha256).hexdigest()
        return clean_name, phone_digits, nik_last4, nik_hash, phone_hash

    def _made(self, stored: list[StoredEvent], code: str) -> BookingView:
        # A retried request returns the first booking's events: its code is theirs.
        made = next((s.event for s in stored if s.event.kind == "booking_made"), None)
        first = getattr(made, "code", code)
        booking = self._engine.state.bookings.get(first)
        if booking is None:  # pragma: no cover - the book holds every booking of today on
            raise error("booking_not_found")
        return self._view(booking)

    def _view(
        self,
        b: Booking,
        *,
        group: list[Booking] | None = None,
        numbers: dict[str, str] | None = None,
    ) -> BookingView:
        """`group` and `numbers` (ticket id → number): a past booking's visit and tickets as
        the store keeps them (`_stored_view`); None: today's and later ones, in memory."""
        building = self.building
        line = building.line(b.line)
        rules = line.booking if line is not None else None
        opens, closes = (
            check_in_window(building, rules, b.day, b.slot)
            if rules is not None
            else (datetime.combine(b.day, b.slot, building.tz),) * 2
        )
        booked = b.state is BookingState.BOOKED
        today = building.service_day(self._clock())
        return BookingView(
            code=b.code,
            token=b.token,
            line=b.line,
            line_name=line.name if line is not None else b.line,
            agency=line.agency if line is not None else "",
            day=b.day,
            slot=b.slot,
            slot_end=slot_end(line, b.day, b.slot) if line is not None else b.slot,
            zone=building.zone_label,
            state=b.state,
            priority=b.priority,
            name=b.name,
            nik_masked=mask_nik(b.nik_last4),
            phone_masked=_mask_phone(b.phone),
            ticket_number=self._number(b.ticket, numbers),
            check_in_opens=opens,
            check_in_closes=closes,
            documents=rules.documents if rules is not None else None,
            can_reschedule=booked and b.day > today,
            can_cancel=booked,
            stops=self._stops(b, group, numbers),
        )

    def _number(self, ticket_id: str | None, numbers: dict[str, str] | None) -> str | None:
        """A booking's ticket number: from `numbers` when given, else today's tickets."""
        if ticket_id is None:
            return None
        if numbers is not None:
            return numbers.get(ticket_id)
        ticket = self._engine.state.tickets.get(ticket_id)
        return ticket.number if ticket is not None else None

    def _stops(
        self, b: Booking, group: list[Booking] | None, numbers: dict[str, str] | None
    ) -> tuple[BookingStopView, ...]:
        """A visit booking's stops in order, as its page lists them; () for a plain one.
        `group`: the visit's bookings as the store keeps them (a past day's); None: the book's."""
        if b.lead is None:
            return ()
        if group is None:
            group = self._engine.state.bookings.group(b)
        if len(group) < 2:
            return ()
        out = []
        for stop in group:
            line = self.building.line(stop.line)
            out.append(
                BookingStopView(
                    line=stop.line,
                    line_name=line.name if line is not None else stop.line,
                    agency=line.agency if line is not None else "",
                    slot=stop.slot,
                    slot_end=slot_end(line, stop.day, stop.slot) if line is not None else stop.slot,
                    state=stop.state,
                    ticket_number=self._number(stop.ticket, numbers),
                )
            )
        return tuple(out)


def _request(channel: str, request_id: str | None) -> str | None:
    """A request id scoped by its channel, as the hub scopes a session's by its actor."""
    return None if request_id is None else f"{channel}#{request_id}"
