"""The booking pages' and the API's one way to the engine: read the book, book, move, cancel.

`BookingDesk` turns what the engine knows into the plain views the pages render (views.py):
the lines that take bookings, a line's days (each with why it cannot be booked when it cannot),
a day's slots with their places left (the core's `slot_availability`, server/core/
booking_rules.py), and a booking by its page token. What changes anything goes through the core
room's `BookingsApi` (server/bookings_api.py): it checks the citizen's data again, draws the code
and the page token, hashes the NIK and the phone number with the store's key, and runs the
command through the hub, durable before it answers, refused with a DomainError that changes
nothing. The full NIK goes from the form to `BookingsApi.book` and nowhere else.

Reads take no lock and need none: the state changes only between two turns of the event loop,
and a page is rendered within one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from server.bookings_api import BookingsApi
from server.bookings_api import BookingView as CoreView
from server.core.booking_code import qr_content
from server.core.booking_rules import SlotAvailability, check_visit_lines, furthest_day
from server.core.building import Building, Line
from server.core.calendar import plan_for
from server.core.dates import format_clock_in_zone
from server.core.events import PriorityGroup
from server.core.model import DomainError
from server.web.booking.fields import Applicant
from server.web.booking.views import (
    BookingView,
    DayChoice,
    DayStatus,
    ServiceChoice,
    SlotChoice,
    StopView,
    VisitSlotChoice,
    VisitStopSlot,
)

if TYPE_CHECKING:
    from server.bookings_api import VisitSlotChoice as CoreVisitSlot
    from server.core.queue import QueueState

__all__ = ["BookingDesk"]

# A visit's first-stop slot refused for its time alone (past its booking window, or not open
# yet): not offered, as a single line's slots past their window are not listed.
_WINDOW_SHUT = frozenset({"booking_too_late", "booking_not_open"})


class BookingDesk:
    """Views of the booking book for the pages and the API, and the commands they run."""

    def __init__(
        self,
        building: Building,
        state: Callable[[], QueueState],
        bookings: BookingsApi,
    ) -> None:
        self.building = building
        self._state = state  # the engine's current state (a day close replaces parts of it)
        self._bookings = bookings  # the core room's booking entry point: every change
        self._services = [self._service_of(ln) for ln in building.lines if ln.booking is not None]
        self._by_line = {s.line: s for s in self._services}

    # -- reads ----------------------------------------------------------------------------------

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): its bookable services from now on."""
        self.building = building
        self._services = [self._service_of(ln) for ln in building.lines if ln.booking is not None]
        self._by_line = {s.line: s for s in self._services}

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
        return [_choice(a) for a in open_slots]

    def slot(self, line: str, day: date, start: time, now: datetime) -> SlotChoice | None:
        """One slot of `slots`, full or not; None when `slots` would not list it. A booking
        POST names one slot: the day's other slots are not asked (docs/benchmarks.md, "The
        booking storm")."""
        if line not in self._by_line:
            return None
        found = self._state().slot_availability(line, day, now, only=start)
        return next((_choice(a) for a in found if a.bookable), None)

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

    async def booking(self, token: str) -> BookingView | None:
        """The booking whose page token this is (a past one without its personal data once
        deleted), as its holder may see it; None if unknown."""
        found = await self._bookings.booking(token)
        return None if found is None else self._view(found)

    def _view(self, b: CoreView) -> BookingView:
        zone = self.building.zone_label
        service = self._service_or_bare(b.line, b.line_name)
        opens, closes = (
            format_clock_in_zone(self.building.local(at), zone)
            for at in (b.check_in_opens, b.check_in_closes)
        )
        return BookingView(
            code=b.code,
            token=b.token,
            service=service,
            day=b.day,
            start=b.slot,
            end=b.slot_end,
            state=b.state.value,
            name=b.name or "",
            nik_masked=b.nik_masked or "",
            phone_masked=b.phone_masked or "",
            ticket_number=b.ticket_number,
            check_in_from=opens,
            check_in_until=closes,
            can_change=b.can_reschedule,
            can_cancel=b.can_cancel,
            stops=tuple(
                StopView(
                    service=self._service_or_bare(stop.line, stop.line_name),
                    start=stop.slot,
                    end=stop.slot_end,
                    state=stop.state.value,
                    ticket_number=stop.ticket_number,
                )
                for stop in b.stops
            ),
        )

    def _service_or_bare(self, line: str, name: str) -> ServiceChoice:
        """The service of a line; a line the building no longer books, by its name alone."""
        return self._by_line.get(line) or ServiceChoice(line, name, "", "", None, 0)

    # -- a visit of several services (issue 22) ---------------------------------------------

    @property
    def visit_max_stops(self) -> int:
        return self.building.policy.visit_max_stops

    def visit_problem(self, lines: list[str]) -> DomainError | None:
        """Why these services cannot make one visit in this order — the core's own check and
        refusal (too few, too many, unknown, one twice, an order against `requires`, one that
        takes no bookings); None when they can."""
        try:
            check_visit_lines(self.building, lines)
        except DomainError as refused:
            return refused
        return None

    def visit_order(self, lines: list[str]) -> list[str]:
        """The order proposed for a visit: `requires` first, else the citizen's own order."""
        return list(self._bookings.visit_order(tuple(lines)))

    def visit_reasons(self, lines: list[str]) -> list[tuple[ServiceChoice, ServiceChoice]]:
        """(stop, the stop before it whose result it needs), for each `requires` inside the
        visit: the page says why the order is what it is."""
        out = []
        for line in lines:
            # A line the building no longer has, or no longer books (its file changed after a
            # booking), has no service here: skipped, never indexed.
            found, stop = self.building.line(line), self._by_line.get(line)
            needs = found.requires if found is not None and stop is not None else ()
            out += [(stop, self._by_line[n]) for n in needs if n in lines and n in self._by_line]
        return out

    def visit_slots(
        self, lines: list[str], day: date, token: str | None = None
    ) -> list[VisitSlotChoice] | None:
        """The first-stop slots of a day a visit may still be booked at, full ones included
        (each with where every stop would be booked and whether the whole visit may be, else
        the core's words why; `priority_only` where only a priority citizen may); None when
        the day has none: a stop without slots that day, or every slot past its booking window
        or not open yet. DomainError for lines no visit may hold. `token`: the visit booking
        being moved (its stops that stay keep their places)."""
        try:
            found = self._bookings.visit_slots(tuple(lines), day, token=token)
            # The same slots for a priority citizen (which group is the same to the places).
            for_priority = self._bookings.visit_slots(
                tuple(lines), day, PriorityGroup.LANSIA, token=token
            )
        except DomainError as refused:
            if refused.code == "booking_visit_no_slot":
                return None
            raise
        # A priority-only slot only where the form asks the group (every stop has priority
        # places): elsewhere no citizen could say they are one.
        asked = all((s := self.service(x)) is not None and s.priority_places > 0 for x in lines)
        merged = [
            self._visit_choice(c, priority_only=asked and not c.bookable and p.bookable)
            for c, p in zip(found, for_priority, strict=True)
        ]
        shown = [c for c in merged if c.refusal_code not in _WINDOW_SHUT]
        return shown or None

    def _visit_choice(self, c: CoreVisitSlot, *, priority_only: bool = False) -> VisitSlotChoice:
        stops = tuple(
            VisitStopSlot(
                service=self._service_or_bare(s.line, s.line_name),
                start=s.slot,
                end=s.end,
                places_left=s.places_left,
            )
            for s in c.stops
        )
        return VisitSlotChoice(
            start=c.slot,
            stops=stops,
            bookable=c.bookable or priority_only,
            message=c.message,
            refusal_code=c.refusal_code,
            priority_only=priority_only,
        )

    def visit_days(self, lines: list[str], now: datetime) -> list[DayChoice]:
        """Today to the furthest day every stop may be booked for: a day open when every stop's
        line may be booked that day (the core's `visit_days`); else holiday, closed (a stop has
        no slot that day) or full."""
        local = now.astimezone(self.building.tz)
        # The core's check first: it refuses (DomainError) lines no visit may hold, one without
        # booking among them, before any line's booking rules are read below.
        bookable = set(self._bookings.visit_days(tuple(lines)))
        last = min(
            furthest_day(self.building.line(ln).booking, local)  # type: ignore[union-attr,arg-type]
            for ln in lines
        )
        out: list[DayChoice] = []
        day = local.date()
        while day <= last:
            plan = plan_for(self.building, day)
            if plan.holiday is not None:
                out.append(DayChoice(day, DayStatus.HOLIDAY, holiday=plan.holiday.name))
            elif day in bookable:
                out.append(DayChoice(day, DayStatus.OPEN))
            elif any(not self._state().slot_availability(ln, day, now) for ln in lines):
                out.append(DayChoice(day, DayStatus.CLOSED))
            elif day != local.date():  # today after its last slot: not worth a row
                out.append(DayChoice(day, DayStatus.FULL))
            day += timedelta(days=1)
        return out

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
        made = await self._bookings.book(
            line,
            day,
            slot,
            name=who.name,
            phone=who.phone,
            nik=who.nik,
            priority=who.priority,
            channel=channel,
            request_id=request_id,
        )
        return made.token

    async def book_visit(
        self,
        lines: list[str],
        day: date,
        slot: time,
        who: Applicant,
        *,
        channel: str,
        request_id: str | None,
    ) -> str:
        """Book every stop of a visit in one command, or none; the lead's page token. Raises
        DomainError (nothing changed)."""
        made = await self._bookings.book_visit(
            tuple(lines),
            day,
            slot,
            name=who.name,
            phone=who.phone,
            nik=who.nik,
            priority=who.priority,
            channel=channel,
            request_id=request_id,
        )
        return made.token

    async def reschedule(
        self, token: str, day: date, slot: time, *, request_id: str | None, channel: str = "web"
    ) -> None:
        """Move the booking to another slot. Raises DomainError (nothing changed)."""
        await self._bookings.reschedule(token, day, slot, channel=channel, request_id=request_id)

    async def cancel(
        self,
        token: str,
        *,
        request_id: str | None,
        channel: str = "web",
        reason: str = "dibatalkan oleh pemesan",
    ) -> None:
        """Cancel the booking; its place is free again. Raises DomainError (nothing changed)."""
        await self._bookings.cancel(token, reason=reason, channel=channel, request_id=request_id)


def _choice(a: SlotAvailability) -> SlotChoice:
    """A slot as the pages offer it: its regular places left, and the priority places left
    beyond them."""
    return SlotChoice(
        start=a.slot,
        end=a.end,
        left=a.regular_left,
        priority_left=max(0, a.priority_left - a.regular_left),
    )
