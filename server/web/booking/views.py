"""What the booking pages show, as plain values: the pages render these and nothing else.

`server/web/booking/desk.py` makes them from the building and the engine's booking book; the
renderer (pages.py) and the API (api.py) read only these, so that neither knows the core's
shapes, and a test can state a page's content by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

__all__ = [
    "BookingView",
    "DayChoice",
    "DayStatus",
    "ServiceChoice",
    "SlotChoice",
    "StopView",
    "VisitSlotChoice",
    "VisitStopSlot",
]


@dataclass(frozen=True, slots=True)
class ServiceChoice:
    """A line that takes bookings."""

    line: str  # its prefix, "A": the code in URLs and the API
    name: str
    agency: str  # the agency's short name
    agency_name: str
    documents: str | None
    priority_places: int  # per slot; 0: the form asks no priority group


class DayStatus(StrEnum):
    OPEN = "open"  # some place left
    FULL = "full"  # slots, none with a place
    CLOSED = "closed"  # no slot that day (a closed weekday, a part-week day off)
    HOLIDAY = "holiday"
    NOT_OPEN = "not_open"  # the newest day, before the hour booking opens


@dataclass(frozen=True, slots=True)
class DayChoice:
    day: date
    status: DayStatus
    places_left: int = 0
    holiday: str | None = None  # the holiday's name
    opens_at: str | None = None  # "06.00 WIB", for NOT_OPEN


@dataclass(frozen=True, slots=True)
class SlotChoice:
    start: time
    end: time
    left: int  # regular places left
    priority_left: int = 0  # places for the priority groups left

    @property
    def key(self) -> str:
        """How the slot is named in a URL and the API: "09:00"."""
        return self.start.strftime("%H:%M")


@dataclass(frozen=True, slots=True)
class BookingView:
    """One booking as its holder may see it on `/pesan/<token>` (the NIK only masked)."""

    code: str  # "K7QM4TXA"
    token: str
    service: ServiceChoice
    day: date
    start: time
    end: time
    state: str  # BookingState's value: booked, checked_in, cancelled, lapsed
    name: str
    nik_masked: str  # "•••• •••• •••• 1234"
    phone_masked: str  # only its last four digits shown
    ticket_number: str | None  # once checked in
    check_in_from: str  # "08.30 WIB"
    check_in_until: str  # "09.15 WIB"
    can_change: bool  # reschedule still allowed (until the day before)
    can_cancel: bool
    # A visit of several services (issue 22): every stop, the first one this booking's own;
    # empty for a booking of one service.
    stops: tuple[StopView, ...] = ()


@dataclass(frozen=True, slots=True)
class StopView:
    """One stop of a visit booking, as its page lists it."""

    service: ServiceChoice
    start: time
    end: time
    state: str  # the stop's booking's state: booked, checked_in, cancelled, lapsed, not_reached
    ticket_number: str | None


@dataclass(frozen=True, slots=True)
class VisitStopSlot:
    """Where one stop of a visit would be booked from a first-stop slot."""

    service: ServiceChoice
    start: time
    end: time
    places_left: int


@dataclass(frozen=True, slots=True)
class VisitSlotChoice:
    """A first-stop slot of a visit: each stop's slot, and whether the whole visit may be booked
    there (a place at every stop) or, if not, the core's refusal in its words."""

    start: time
    stops: tuple[VisitStopSlot, ...]
    bookable: bool
    message: str | None = None  # the core's Indonesian words, naming the stop refused
    refusal_code: str | None = None  # its code ("slot_full"): the English words' key
    # Bookable by a priority citizen only (a stop's regular places are gone, a priority place
    # is left): offered as the one-service slots offer theirs, the form asks the group, and
    # the core refuses a citizen outside the groups. `message` says why a regular one may not.
    priority_only: bool = False

    @property
    def key(self) -> str:
        return self.start.strftime("%H:%M")
