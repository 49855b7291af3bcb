"""The report's booking figures: per line and day, what became of the day's online bookings.

Theory of operation: a booking is made days or weeks before its day, so its events are not all
filed under its day in the log. `replay_bookings` reads the booking events *about* the report's
days (`StoreReader.booking_log`: each event whose `day`, or a reschedule's `from_day`, is in the
range), merged in sequence order with those days' own logs (a release of unused places, a
check-in's ticket that failed to print), and follows each booking to its last state. A booking
whose earlier events are outside the range (booked for another day, then moved into the range)
is known from the first event that names it: every booking event carries its line and day.

`add_tickets` then counts each day's tickets of each line as checked in from a booking or walked
in, and each booked ticket's first call against its slot's start; `add_places` gives each line
its booking places of the day from the building file. `totals` folds the days into a line's or
an agency's figures over the range. docs/reports.md defines every figure for the reader.

No personal data: the log's payload holds none (server/store/rows.py) and nothing here reads the
`booking_contacts` table.

Pure: no disk, no clock.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from server.core.building import Building
from server.core.estimates import quantile
from server.core.events import (
    NOT_REACHED,
    BookingCancelled,
    BookingCheckedIn,
    BookingLapsed,
    BookingMade,
    BookingPlacesReleased,
    BookingRescheduled,
    TicketExpired,
    TicketPrinted,
    TicketPrintFailed,
    read_event,
)
from server.core.slots import day_slots
from server.report.stats import TicketRecord
from server.store import LogEntry

__all__ = [
    "BookingDay",
    "add_places",
    "add_tickets",
    "first_call_vs_slot",
    "replay_bookings",
    "totals",
]

# The last states of a booking, as the report counts them (server/core/bookings.BookingState).
_BOOKED, _CHECKED_IN, _CANCELLED, _LAPSED = "booked", "checked_in", "cancelled", "lapsed"
_NOT_REACHED = "not_reached"  # a visit's member the visit ended before (BookingLapsed.reason)


@dataclass(slots=True)
class BookingDay:
    """One line's bookings and tickets of one day, or (`totals`) of a range or an agency."""

    key: str  # the line prefix (or the agency code, in an agency's totals)
    day: date | None  # None in totals over several days
    places: int | None = None  # booking places offered: slots × (places + priority places)
    booked: int = 0  # bookings for this day at the end, whatever became of them
    checked_in: int = 0
    lapsed: int = 0  # the citizen did not come
    not_reached: int = 0  # a visit's later stop: the citizen came, the visit ended before it
    cancelled: int = 0
    rescheduled: int = 0  # moved from this day to another day
    released: int = 0  # unused booking places given to walk-in citizens
    # Tickets that entered the queue (printed), checked in from a booking or walked in: a
    # check-in whose ticket never printed left the citizen with no number (and the booking
    # booked), so the split counts citizens in the queue, not papers attempted.
    tickets_booked: int = 0
    tickets_walk_in: int = 0
    call_vs_slot: list[float] = field(default_factory=list)  # first call − slot start, seconds

    @property
    def awaiting_check_in(self) -> int:
        """Bookings still booked: of a day not over yet (a day closed lapses the rest)."""
        return self.booked - self.checked_in - self.lapsed - self.not_reached - self.cancelled

    @property
    def booked_share(self) -> float | None:
        """The share (0..1) of the tickets in the queue that came from a booking; None: none."""
        issued = self.tickets_booked + self.tickets_walk_in
        return self.tickets_booked / issued if issued else None

    def call_vs_slot_stats(self) -> tuple[float | None, float | None]:
        """(median, p90) of the booked tickets' first call against their slot, in seconds."""
        values = self.call_vs_slot
        if not values:
            return None, None
        return float(statistics.median(values)), quantile(values, 0.9)

    def absorb(self, other: BookingDay) -> None:
        """Add another day's (or line's) figures to these."""
        if other.places is not None:
            self.places = (self.places or 0) + other.places
        self.booked += other.booked
        self.checked_in += other.checked_in
        self.lapsed += other.lapsed
        self.not_reached += other.not_reached
        self.cancelled += other.cancelled
        self.rescheduled += other.rescheduled
        self.released += other.released
        self.tickets_booked += other.tickets_booked
        self.tickets_walk_in += other.tickets_walk_in
        self.call_vs_slot.extend(other.call_vs_slot)


@dataclass(slots=True)
class _Held:
    """Where one booking is and what it is, as far as the events read so far say."""

    line: str
    day: date
    state: str


def replay_bookings(
    entries: Iterable[LogEntry], first: date, last: date
) -> dict[tuple[str, date], BookingDay]:
    """The bookings of the days `first` to `last`, per (line, day), from their events.

    `entries`: the booking log of the range and the range's day logs, merged in sequence
    order (an entry in both, once). Only days in range are in the result.
    """
    held: dict[str, _Held] = {}
    printing: dict[str, str] = {}  # ticket -> code: checked in, its ticket not printed yet
    released: dict[tuple[str, date], int] = {}
    rescheduled: dict[tuple[str, date], int] = {}

    def freed(line: str, day: date) -> None:
        # After the release, each place of that day freed goes to walk-in citizens too, as the
        # server counts it (server/core/state.py).
        if (line, day) in released:
            released[(line, day)] += 1

    for entry in entries:
        event = read_event(entry.event)
        match event:
            case BookingMade(code=code, line=line, day=day):
                held[code] = _Held(line, day, _BOOKED)
            case BookingRescheduled(code=code, line=line, from_day=from_day, day=day):
                if from_day != day:
                    key = (line, from_day)
                    rescheduled[key] = rescheduled.get(key, 0) + 1
                held[code] = _Held(line, day, _BOOKED)
            case BookingCancelled(code=code, line=line, day=day):
                held[code] = _Held(line, day, _CANCELLED)
                freed(line, day)
            case BookingLapsed(code=code, line=line, day=day, reason=reason):
                # A visit's member the visit never reached is no citizen who did not come.
                held[code] = _Held(line, day, _NOT_REACHED if reason == NOT_REACHED else _LAPSED)
                freed(line, day)
            case BookingCheckedIn(code=code, line=line, day=day, ticket=ticket):
                held[code] = _Held(line, day, _CHECKED_IN)
                printing[ticket] = code
            case TicketPrinted(ticket=ticket):
                printing.pop(ticket, None)
            case TicketPrintFailed(ticket=ticket) | TicketExpired(ticket=ticket):
                # The paper never came out: the booking is booked again (it may be checked in
                # again, or lapse), as the server's book has it (server/core/bookings.py).
                code = printing.pop(ticket, None)
                if code is not None:
                    held[code].state = _BOOKED
            case BookingPlacesReleased(line=line, day=day, places=places):
                released[(line, day)] = released.get((line, day), 0) + places
            case _:
                pass

    table: dict[tuple[str, date], BookingDay] = {}

    def row(line: str, day: date) -> BookingDay:
        if (line, day) not in table:
            table[(line, day)] = BookingDay(line, day)
        return table[(line, day)]

    for b in held.values():
        if not first <= b.day <= last:
            continue  # moved out of the range: its day's report counts it
        r = row(b.line, b.day)
        r.booked += 1
        r.checked_in += b.state == _CHECKED_IN
        r.lapsed += b.state == _LAPSED
        r.not_reached += b.state == _NOT_REACHED
        r.cancelled += b.state == _CANCELLED
    for (line, day), n in rescheduled.items():
        if first <= day <= last:
            row(line, day).rescheduled = n
    for (line, day), n in released.items():
        if first <= day <= last:
            row(line, day).released = n
    return table


def first_call_vs_slot(t: TicketRecord) -> float | None:
    """A booked ticket's first call (not a recall) minus its slot's start, in seconds: negative
    when called before the slot began. None for a walk-in ticket or one never called."""
    if t.slot is None:
        return None
    call = next((c.at for c in t.calls if c.reason != "recall"), None)
    return None if call is None else (call - t.slot).total_seconds()


def add_tickets(
    table: dict[tuple[str, date], BookingDay], day: date, tickets: Mapping[str, TicketRecord]
) -> None:
    """Count one day's tickets that entered the queue into `table`: per line they were issued
    on, booked or walk-in, and each booked ticket's first call against its slot."""
    for t in tickets.values():
        if t.printed_at is None:
            continue  # never printed: no citizen in the queue (print failed, or timed out)
        key = (t.first_line, day)
        if key not in table:
            table[key] = BookingDay(t.first_line, day)
        r = table[key]
        if t.booking is None:
            r.tickets_walk_in += 1
            continue
        r.tickets_booked += 1
        offset = first_call_vs_slot(t)
        if offset is not None:
            r.call_vs_slot.append(offset)


def add_places(
    table: dict[tuple[str, date], BookingDay], building: Building, days: Iterable[date]
) -> None:
    """Give every booking line of the building its places offered on each of `days` (a row
    made for a line that took bookings that day; the line's places for every row of it).

    From the building file as it is now: slots × (places + priority places) of the day, which
    the calendar narrows (a holiday has none). A line the file no longer has stays None.
    """
    lines = {ln.prefix: ln for ln in building.lines}
    for day in days:
        for line in lines.values():
            if line.booking is not None and day_slots(building, line, day):
                table.setdefault((line.prefix, day), BookingDay(line.prefix, day))
    for (prefix, day), r in table.items():
        line = lines.get(prefix)
        if line is not None and line.booking is not None:
            r.places = len(day_slots(building, line, day)) * line.booking.capacity


def totals(
    table: Mapping[tuple[str, date], BookingDay], agency_of: Mapping[str, str] | None = None
) -> dict[str, BookingDay]:
    """The range's figures per line, or per agency when `agency_of` (line -> agency) is given
    (a line it does not know is left out)."""
    out: dict[str, BookingDay] = {}
    for (line, _day), r in sorted(table.items()):
        key = line if agency_of is None else agency_of.get(line)
        if key is None:
            continue
        if key not in out:
            out[key] = BookingDay(key, None)
        out[key].absorb(r)
    return out
