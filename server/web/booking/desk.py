"""The booking pages' and the API's one way to the engine: read the book, run a command.

`BookingDesk` reads the engine's queue state (its booking book and the pure rules of
server/core/booking_rules.py) into the plain views the pages render (views.py), and turns a
citizen's or a portal's request into a command (`Book`, `Reschedule`, `CancelBooking`) run by the
hub like every other: one at a time, durable before it answers, refused with a DomainError that
changes nothing. The code and the page token are drawn here (`secrets`); the NIK and the phone
number are hashed here with the store's key and only the hashes and the NIK's last four digits
go into the command.

Reads take no lock and need none: the state changes only between two turns of the event loop,
and a page is rendered within one.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol

from server.core.booking_code import new_code, qr_content
from server.core.booking_rules import check_in_window, furthest_day
from server.core.bookings import Booking, BookingState
from server.core.building import Building, Line
from server.core.calendar import plan_for
from server.core.dates import format_clock_in_zone
from server.core.events import BookingMade
from server.core.model import Book, CancelBooking, Command, DomainError, Reschedule
from server.web.booking.fields import Applicant, mask_phone
from server.web.booking.views import BookingView, DayChoice, DayStatus, ServiceChoice, SlotChoice

if TYPE_CHECKING:
    from server.core.queue import QueueState
    from server.store.rows import StoredEvent

__all__ = ["BookingDesk", "PersonalKeys"]

_CODE_TRIES = 5  # a fresh code taken already (1 in 10^11 a try): draw again


class PersonalKeys(Protocol):
    """The store's keyed hashes of a NIK and a phone number (HMAC-SHA256, the store's key)."""

    def nik_hash(self, nik: str) -> str: ...

    def phone_hash(self, phone: str) -> str: ...


Execute = Callable[[Command, str, str | None], Awaitable[list["StoredEvent"]]]


class BookingDesk:
    """Views of the booking book for the pages and the API, and the commands they run."""

    def __init__(
        self,
        building: Building,
        state: Callable[[], QueueState],
        execute: Execute,
        keys: PersonalKeys,
    ) -> None:
        self.building = building
        self._state = state  # the engine's current state (a day close replaces parts of it)
        self._execute = execute  # the hub's execute: counted in flight, durable when it returns
        self.keys = keys
        self._services = [self._service_of(ln) for ln in building.lines if ln.booking is not None]
        self._by_line = {s.line: s for s in self._services}

    # -- reads ----------------------------------------------------------------------------------

    def _service_of(self, line: Line) -> ServiceChoice:
        agency = self.building.agency(line.agency)
        assert line.booking is not None
        return ServiceChoice(
            line=line.prefix,
            name=line.name,
            agency=agency.short_name if agency else line.agency,
            agency_name=agency.name if agency else line.agency,
            documents=line.booking.documents,
            priority_places=line.booking.priority_places,
        )

    def services(self) -> list[ServiceChoice]:
        """The lines that take bookings, in the building file's order."""
        return list(self._services)

    def service(self, line: str) -> ServiceChoice | None:
        return self._by_line.get(line)

    def slots(self, line: str, day: date, now: datetime) -> list[SlotChoice] | None:
        """The slots of a day that may still be booked now, full ones included; None when the
        day has none (a past day, a day not open yet, a holiday, a line without booking)."""
        if line not in self._by_line:
            return None
        open_slots = [a for a in self._state().slot_availability(line, day, now) if a.bookable]
        if not open_slots:
            return None
        return [
            SlotChoice(
                start=a.slot,
                end=a.end,
                left=a.regular_left,
                priority_left=max(0, a.priority_left - a.regular_left),
            )
            for a in open_slots
        ]

    def days(self, line: str, now: datetime) -> list[DayChoice]:
        """Today to the furthest open day, each with why it cannot be booked when it cannot;
        before `opens_at`, the next day to open too (with the hour it opens)."""
        prefix = self._by_line[line].line
        rules = self.building.line(prefix).booking  # type: ignore[union-attr]
        assert rules is not None
        local = now.astimezone(self.building.tz)
        last = furthest_day(rules, local)
        out: list[DayChoice] = []
        day = local.date()
        while day <= last:
            choice = self._day(prefix, day, now)
            if choice is not None:
                out.append(choice)
            day += timedelta(days=1)
        opening = local.date() + timedelta(days=rules.days_ahead)
        if opening > last and plan_for(self.building, opening).hours is not None:
            zone = self.building.zone_label
            out.append(
                DayChoice(
                    opening,
                    DayStatus.NOT_OPEN,
                    opens_at=format_clock_in_zone(rules.opens_at, zone),
                )
            )
        return out

    def _day(self, prefix: str, day: date, now: datetime) -> DayChoice | None:
        plan = plan_for(self.building, day)
        if plan.holiday is not None:
            return DayChoice(day, DayStatus.HOLIDAY, holiday=plan.holiday.name)
        slots = self._state().slot_availability(prefix, day, now)
        if not slots:
            return DayChoice(day, DayStatus.CLOSED)
        open_slots = [a for a in slots if a.bookable]
        if not open_slots:
            return None  # today after its last bookable slot: not worth a row
        left = sum(a.priority_left for a in open_slots)
        return DayChoice(day, DayStatus.OPEN if left else DayStatus.FULL, places_left=left)

    def booking(self, token: str, now: datetime) -> BookingView | None:
        """The booking whose page token this is, as its holder may see it; None if unknown."""
        state = self._state()
        found = state.bookings.by_token(token)
        if found is None:
            return None
        return self._view(found, state, now)

    def _view(self, b: Booking, state: QueueState, now: datetime) -> BookingView:
        line = self.building.line(b.line)
        service = self._by_line.get(b.line)
        if service is None or line is None or line.booking is None:  # removed from the file
            service = ServiceChoice(b.line, b.line, "", "", None, 0)
            end = b.slot
            opens = closes = ""
        else:
            slot_min = line.booking.slot_min
            end = (datetime.combine(b.day, b.slot) + timedelta(minutes=slot_min)).time()
            zone = self.building.zone_label
            window = check_in_window(self.building, line.booking, b.day, b.slot)
            opens, closes = (format_clock_in_zone(self.building.local(w), zone) for w in window)
        ticket = state.tickets.get(b.ticket) if b.ticket else None
        booked = b.state is BookingState.BOOKED
        today = self.building.local(now).date()
        return BookingView(
            code=b.code,
            token=b.token,
            service=service,
            day=b.day,
            start=b.slot,
            end=end,
            state=b.state.value,
            name=b.name or "",
            nik_last4=b.nik_last4 or "0000",
            phone=mask_phone(b.phone) if b.phone else "",
            ticket_number=ticket.number if ticket else None,
            check_in_from=opens,
            check_in_until=closes,
            can_change=booked and b.day > today,
            can_cancel=booked,
        )

    def token_of(self, code: str, *, channel: str) -> str | None:
        """The page token of the booking with this code, if it was made through `channel`."""
        found = self._state().bookings.get(code)
        return found.token if found is not None and found.channel == channel else None

    @staticmethod
    def qr_text(code: str) -> str:
        """What the booking's QR carries ("ANTRE:K7QM4TXA")."""
        return qr_content(code)

    # -- commands -------------------------------------------------------------------------------

    async def book(
        self,
        line: str,
        day: date,
        slot: time,
        who: Applicant,
        *,
        channel: str,
        request_id: str | None,
    ) -> str:
        """Book; the new booking's page token. Raises DomainError (nothing changed).

        A request id already run today returns the token of its first booking: a form sent twice
        books once."""
        nik_hash, phone_hash = self.keys.nik_hash(who.nik), self.keys.phone_hash(who.phone)
        for attempt in range(_CODE_TRIES):
            command = Book(
                line=line,
                day=day,
                slot=slot,
                priority=who.priority,
                name=who.name,
                phone=who.phone,
                nik_last4=who.nik_last4,
                nik_hash=nik_hash,
                phone_hash=phone_hash,
                code=new_code(secrets.randbelow),
                token=secrets.token_urlsafe(16),
                channel=channel,
            )
            try:
                stored = await self._execute(command, channel, request_id)
            except DomainError as exc:
                if (
                    exc.code in ("booking_code_taken", "duplicate_token")
                    and attempt + 1 < _CODE_TRIES
                ):
                    continue
                raise
            for s in stored:
                if isinstance(s.event, BookingMade):
                    made = self._state().bookings.get(s.event.code)
                    token = s.event.token or (made.token if made else None)
                    if token:
                        return token
            raise RuntimeError("a booking command returned no booking")
        raise AssertionError("unreachable")

    async def reschedule(
        self, token: str, day: date, slot: time, *, request_id: str | None, actor: str = "web"
    ) -> None:
        """Move the booking to another slot. Raises DomainError (nothing changed)."""
        await self._execute(Reschedule(token=token, day=day, slot=slot), actor, request_id)

    async def cancel(
        self,
        token: str,
        *,
        request_id: str | None,
        actor: str = "web",
        reason: str = "dibatalkan oleh pemesan",
    ) -> None:
        """Cancel the booking; its place is free again. Raises DomainError (nothing changed)."""
        await self._execute(CancelBooking(token=token, reason=reason), actor, request_id)
