"""When a slot may be booked and when a booking may be checked in: the windows, as pure rules.

Theory of operation (docs/bookings.md has the worked examples):

- **Booking window.** A line's slots (server/core/slots.py) may be booked from `days_ahead` days
  before their day, from `opens_at` local time that day ("the newest day opens at 06.00"), until
  `closes_min_before` minutes before the slot starts; a slot of today no longer once the line's
  `release_unused_at` has passed (its unused places went to walk-in citizens then). Refusals
  run from the most general to the most specific: no booking on the line, a past day, a day not
  open yet, a slot the day does not have, a slot too close.
- **Check-in window.** From `check_in_early_min` before the slot's start to `check_in_late_min`
  after it, half-open: at the closing instant the booking lapses (a tick says so).
- **Rescheduling** is allowed until the day before the booking's day (Imigrasi's rule); the new
  slot obeys the booking window like a new booking.
- **Unused places** (`release_unused_at`): at that local time of a day, every booking place of
  the day not held by a checked-in booking or by a booking that can still check in joins the
  walk-in quota (`unused_places`). A visit booking's member holds its place while its lead does.
- **A visit of several services** (issue 22): stop 0 at the slot chosen, each later stop at the
  slot of its line where the citizen is expected to arrive, rounded down (`visit_slots`); the
  order proposed keeps `requires` and otherwise the citizen's own (`booking_visit_order`).

Pure: `now` is passed in (aware); slots are local times of their day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from server.core.bookings import Booking, BookingBook, BookingState, places_left
from server.core.building import BookingRules, Building, Line
from server.core.calendar import at_local
from server.core.dates import format_clock, format_clock_in_zone, format_date
from server.core.errors import MESSAGES, error
from server.core.events import PriorityGroup
from server.core.model import DomainError
from server.core.slots import day_slots, slot_end
from server.core.visits import order_problem

__all__ = [
    "BookingFigures",
    "SlotAvailability",
    "VisitSlotChoice",
    "VisitStopSlot",
    "bookable_days",
    "booking_refusal",
    "booking_visit_order",
    "check_in_window",
    "check_visit_lines",
    "day_figures",
    "furthest_day",
    "member_holds",
    "named",
    "next_free_slot",
    "slot_availability",
    "slot_full",
    "slot_start",
    "unused_places",
    "visit_days",
    "visit_slot_choices",
    "visit_slots",
]


def slot_start(building: Building, day: date, slot: time) -> datetime:
    """The aware instant a slot starts: the queued_at of its checked-in ticket."""
    return at_local(building, day, slot)


def check_in_window(
    building: Building, rules: BookingRules, day: date, slot: time
) -> tuple[datetime, datetime]:
    """[opens, closes): when a booking of this slot may be checked in."""
    start = slot_start(building, day, slot)
    return (
        start - timedelta(minutes=rules.check_in_early_min),
        start + timedelta(minutes=rules.check_in_late_min),
    )


def furthest_day(rules: BookingRules, local: datetime) -> date:
    """The furthest day bookable at local time `local`: today + days_ahead once that day has
    opened (at `opens_at`), the day before until then."""
    furthest = local.date() + timedelta(days=rules.days_ahead)
    return furthest if local.time() >= rules.opens_at else furthest - timedelta(days=1)


def _released(rules: BookingRules, day: date, local: datetime) -> bool:
    """Today's booking closed at `release_unused_at` (its unused places went to walk-ins)."""
    return (
        rules.release_unused_at is not None
        and day == local.date()
        and local.time() >= rules.release_unused_at
    )


def _closes_at(building: Building, rules: BookingRules, day: date, slot: time) -> datetime:
    return slot_start(building, day, slot) - timedelta(minutes=rules.closes_min_before)


def booking_refusal(
    building: Building,
    line: Line,
    day: date,
    slot: time,
    now: datetime,
    slots: tuple[time, ...] | None = None,
) -> DomainError | None:
    """Why `slot` of `line` on `day` may not be booked at `now` (the window, not the places).

    `slots`: the day's slots when the caller has them already (`day_slots`).
    """
    rules = line.booking
    if rules is None:
        return error("booking_unavailable", line=line.name)
    local = now.astimezone(building.tz)
    code = _day_closed(rules, day, local)
    if code == "booking_not_open":
        opens = day - timedelta(days=rules.days_ahead)
        return error(
            "booking_not_open",
            day=format_date(day),
            opens=format_date(opens),
            time=format_clock(rules.opens_at),
            zone=building.zone_label,
        )
    if code is None and slot not in (day_slots(building, line, day) if slots is None else slots):
        return error("slot_unknown", line=line.name, **_when(building, day, slot))
    if code is not None or _slot_closed(building, rules, day, slot, now, local):
        return error("booking_too_late", **_when(building, day, slot))
    return None


def _day_closed(rules: BookingRules, day: date, local: datetime) -> str | None:
    """The window's refusal for the whole day (`booking_too_late` for a past day,
    `booking_not_open` for one not open yet), else None. Its code only: a page that lists a
    day's slots asks it once for them all."""
    if day < local.date():
        return "booking_too_late"
    if day > furthest_day(rules, local):
        return "booking_not_open"
    return None


def _slot_closed(
    building: Building, rules: BookingRules, day: date, slot: time, now: datetime, local: datetime
) -> bool:
    """A slot of a day open for booking is no longer: it starts too soon, or today's unused
    places have been released."""
    return now >= _closes_at(building, rules, day, slot) or _released(rules, day, local)


def _window_code(
    building: Building, rules: BookingRules, day: date, slot: time, now: datetime
) -> str | None:
    """`booking_refusal`'s code for one of the day's own slots, without its words."""
    local = now.astimezone(building.tz)
    code = _day_closed(rules, day, local)
    if code is None and _slot_closed(building, rules, day, slot, now, local):
        return "booking_too_late"
    return code


def _when(building: Building, day: date, slot: time) -> dict[str, str]:
    """A refusal's day, time and zone, as a person reads them: made only for a refusal (a
    storm's refusal asks the window of many slots, nearly all of which may be booked)."""
    return {"day": format_date(day), "time": format_clock(slot), "zone": building.zone_label}


def _fits(rules: BookingRules, book: BookingBook, key: tuple[str, date, time], priority: bool):
    regular, for_priority = places_left(rules, book.taken.get(key))
    return (for_priority if priority else regular) > 0


def next_free_slot(
    building: Building,
    line: Line,
    day: date,
    after: time,
    priority: PriorityGroup | None,
    book: BookingBook,
    now: datetime,
    slots: tuple[time, ...] | None = None,
) -> time | None:
    """The first slot of the day after `after` still bookable now with a place for this
    citizen (a priority citizen may take a regular place); None when there is none.

    `slots`: the day's slots when the caller has them already (`day_slots`).
    """
    rules = line.booking
    assert rules is not None
    slots = day_slots(building, line, day) if slots is None else slots
    for slot in slots:
        # The places first (a lookup), the window only for a slot with a place: when a day's
        # slots open, every slot fills and each refusal asks this of all of them.
        if slot <= after or not _fits(rules, book, (line.prefix, day, slot), priority is not None):
            continue
        if _window_code(building, rules, day, slot, now) is None:
            return slot
    return None


def slot_full(
    building: Building,
    line: Line,
    day: date,
    slot: time,
    priority: PriorityGroup | None,
    book: BookingBook,
    now: datetime,
    slots: tuple[time, ...] | None = None,
) -> DomainError | None:
    """`slot_full` when the slot has no place for this citizen (naming the next free slot of
    the day, if any), else None. `slots`: the day's slots, when the caller has them."""
    rules = line.booking
    assert rules is not None
    if _fits(rules, book, (line.prefix, day, slot), priority is not None):
        return None
    zone = building.zone_label
    following = next_free_slot(building, line, day, slot, priority, book, now, slots)
    when = _when(building, day, slot)
    hint = (
        ""
        if following is None
        else f"; jadwal berikutnya yang masih kosong pukul {format_clock_in_zone(following, zone)}"
    )
    # The details name the next free slot as a machine reads it; the message as a person does.
    return DomainError(
        "slot_full",
        MESSAGES["slot_full"].format(next=hint, **when),
        **when,
        next_slot=None if following is None else following.isoformat(timespec="minutes"),
    )


@dataclass(frozen=True, slots=True)
class SlotAvailability:
    """One slot as a booking page lists it. No personal data."""

    slot: time  # local start
    end: time  # local end (start + slot length), for "09.00–09.30 WIB"
    places: int  # regular places of the slot
    priority_places: int
    regular_left: int  # places a regular citizen may still book
    priority_left: int  # places a priority citizen may still book (priority or regular)
    bookable: bool  # the window allows booking it now (places aside)
    refusal_code: str | None  # why not, when not bookable: booking_too_late, booking_not_open…


def slot_availability(
    building: Building,
    line: Line,
    day: date,
    book: BookingBook,
    now: datetime,
    only: time | None = None,
) -> list[SlotAvailability]:
    """Every slot of `line` on `day` with its places left and whether it may be booked now;
    [] for a line without booking or a day without slots. `only`: that slot alone ([] when the
    day has no such slot), for a booking form's POST, which names one."""
    rules = line.booking
    if rules is None:
        return []
    out = []
    local = now.astimezone(building.tz)
    closed = _day_closed(rules, day, local)  # once for the day: every page view asks this
    for slot in day_slots(building, line, day):
        if only is not None and slot != only:
            continue
        regular, for_priority = places_left(rules, book.taken.get((line.prefix, day, slot)))
        code = closed or (
            "booking_too_late" if _slot_closed(building, rules, day, slot, now, local) else None
        )
        out.append(
            SlotAvailability(
                slot=slot,
                end=slot_end(line, day, slot),
                places=rules.places,
                priority_places=rules.priority_places,
                regular_left=regular,
                priority_left=for_priority,
                bookable=code is None,
                refusal_code=code,
            )
        )
    return out


def bookable_days(building: Building, line: Line, now: datetime) -> list[date]:
    """The days from today to the furthest open one on which `line` has slots (holidays, days
    off and days whose every slot has closed for booking left out)."""
    rules = line.booking
    if rules is None:
        return []
    local = now.astimezone(building.tz)
    out = []
    day = local.date()
    last = furthest_day(rules, local)
    while day <= last:
        if _day_closed(rules, day, local) is None and any(
            not _slot_closed(building, rules, day, s, now, local)
            for s in day_slots(building, line, day)
        ):
            out.append(day)
        day += timedelta(days=1)
    return out


def unused_places(
    building: Building,
    line: Line,
    day: date,
    book: BookingBook,
    now: datetime,
    ended: frozenset[str] = frozenset(),
) -> int:
    """The booking places of `line` on `day` held by no checked-in booking and by no booking
    that can still check in at `now`: what `release_unused_at` gives to walk-in citizens.

    A visit's member holds its place while its lead does: the lead booked in its own window, or
    checked in (its visit under way) unless the member is in `ended` — the members whose visit
    ended without reaching their stop, which the same tick lapses (`tick_events`)."""
    rules = line.booking
    if rules is None:
        return 0
    total = len(day_slots(building, line, day)) * rules.capacity
    held = book.count(line.prefix, day, BookingState.CHECKED_IN)
    for code in book.booked.get(day, {}):
        booking: Booking = book.by_code[code]
        if booking.line != line.prefix:
            continue
        if booking.is_member:
            held += member_holds(building, book, booking, now) and code not in ended
            continue
        closes = check_in_window(building, rules, day, booking.slot)[1]
        held += now < closes
    return max(0, total - held)


def member_holds(building: Building, book: BookingBook, member: Booking, now: datetime) -> bool:
    """Whether a booked member still holds its place by its lead: the lead booked and inside
    its check-in window, or checked in (whether its stop is still pending is the visit's)."""
    lead = book.by_code.get(member.lead or "")
    if lead is None:
        return False
    if lead.state is BookingState.CHECKED_IN:
        return True
    if lead.state is not BookingState.BOOKED:
        return False
    lead_line = next((ln for ln in building.lines if ln.prefix == lead.line), None)
    if lead_line is None or lead_line.booking is None:
        return False
    return now < check_in_window(building, lead_line.booking, lead.day, lead.slot)[1]


def visit_slots(
    building: Building, lines: tuple[str, ...] | list[str], day: date, first_slot: time
) -> tuple[time, ...]:
    """Where each stop of a visit booked for `day` is booked: stop 0 at `first_slot`; stop k at
    the citizen's expected arrival e_k = first_slot + the target service times of the stops
    before it, rounded DOWN to the latest slot of its line starting at or before e_k (the
    line's first slot when it opens later). Refuses a line without booking
    (`booking_unavailable`) or without a slot that day (`booking_visit_no_slot`), naming it.

    Worked (demo building): B 09:00 (12 min) then J → J's 30-minute grid at 09:12 → 09:00;
    A 09:30 (10 min), B (12 min), J → A 09:30, B 09:00 (09:40 on B's hourly grid), J 09:30
    (09:52). Whether the first slot is one of its line's is the booking's check (`slot_unknown`).
    """
    by_prefix = {ln.prefix: ln for ln in building.lines}
    out: list[time] = []
    arrival = datetime.combine(day, first_slot)
    for k, prefix in enumerate(lines):
        line = by_prefix.get(prefix)
        if line is None:
            raise error("unknown_line", line=prefix)
        if line.booking is None:
            raise error("booking_unavailable", line=line.name)
        slots = day_slots(building, line, day)
        if not slots:
            raise error("booking_visit_no_slot", line=line.name, day=format_date(day))
        if k == 0:
            out.append(first_slot)
        else:
            at = arrival.time() if arrival.date() == day else time.max
            earlier = [s for s in slots if s <= at]
            out.append(earlier[-1] if earlier else slots[0])
        arrival += timedelta(minutes=line.target_service_min)
    return tuple(out)


def booking_visit_order(building: Building, lines: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The order a booking page proposes for a visit: among the orders `requires` allows, the
    citizen's own as far as it goes (a stable topological sort: at each step the first line
    chosen whose required lines, among those chosen, are already placed). Unknown lines keep
    their place; a cycle (no allowed order) leaves the rest in the citizen's order."""
    by_prefix = {ln.prefix: ln for ln in building.lines}
    chosen = list(dict.fromkeys(lines))
    placed: list[str] = []
    left = list(chosen)
    while left:
        for prefix in left:
            line = by_prefix.get(prefix)
            needs = set(line.requires) & set(chosen) if line is not None else set()
            if needs <= set(placed):
                break
        else:
            prefix = left[0]  # a cycle: the building's check forbids it, never stuck here
        placed.append(prefix)
        left.remove(prefix)
    return tuple(placed)


@dataclass(frozen=True, slots=True)
class BookingFigures:
    """A line's bookings of one day, as the floor dashboard shows them. No personal data."""

    places: int  # booking places of the day: slots × (places + priority places)
    expected: int  # booked, not yet checked in (some may still lapse)
    checked_in: int
    lapsed: int  # the citizen did not come
    cancelled: int
    places_left: int  # places a citizen could still book now (0 once booking has closed)
    released: int  # places given to walk-in citizens (release_unused_at), lapses after included
    # A visit's later stop the visit ended before (issue 22: *tidak dilayani*): the citizen came.
    not_reached: int = 0


def day_figures(
    building: Building, line: Line, day: date, book: BookingBook, released: int, now: datetime
) -> BookingFigures | None:
    """The day's booking figures of a line; None for a line without booking."""
    rules = line.booking
    if rules is None:
        return None
    slots = day_slots(building, line, day)
    left = 0
    for slot in slots:
        if _window_code(building, rules, day, slot, now) is None:
            left += places_left(rules, book.taken.get((line.prefix, day, slot)))[1]
    return BookingFigures(
        places=len(slots) * rules.capacity,
        expected=book.count(line.prefix, day, BookingState.BOOKED),
        checked_in=book.count(line.prefix, day, BookingState.CHECKED_IN),
        lapsed=book.count(line.prefix, day, BookingState.LAPSED),
        cancelled=book.count(line.prefix, day, BookingState.CANCELLED),
        places_left=left,
        released=released,
        not_reached=book.count(line.prefix, day, BookingState.NOT_REACHED),
    )


def named(refusal: DomainError, line: Line) -> DomainError:
    """A stop's refusal naming its service ("BPJS Kesehatan: …"): a visit holds several (as
    server/core/visits.py names a kiosk visit's)."""
    details = {**refusal.details, "service": line.name}
    message = refusal.message
    if line.name not in message:
        message = f"{line.name}: {message}"
    return DomainError(refusal.code, message, **details)


def check_visit_lines(building: Building, lines: tuple[str, ...] | list[str]) -> list[Line]:
    """The lines of a visit as the kiosk's StartVisit checks them — 2..`visit_max_stops`
    (`visit_too_short`, `visit_too_long`), each known (`unknown_line`) and once
    (`visit_duplicate_line`), in an order `requires` allows (`visit_order`) — and each taking
    bookings (`booking_unavailable`). Raises the first refusal; the lines otherwise."""
    policy = building.policy
    if len(lines) < 2:
        raise error("visit_too_short")
    if len(lines) > policy.visit_max_stops:
        raise error("visit_too_long", limit=policy.visit_max_stops)
    by_prefix = {ln.prefix: ln for ln in building.lines}
    known: list[Line] = []
    for prefix in lines:
        line = by_prefix.get(prefix)
        if line is None:
            raise error("unknown_line", line=prefix)
        if any(k.prefix == prefix for k in known):
            raise error("visit_duplicate_line", line=line.name)
        known.append(line)
    problem = order_problem(building, tuple(lines))
    if problem is not None:
        raise problem
    for line in known:
        if line.booking is None:
            raise error("booking_unavailable", line=line.name)
    return known


@dataclass(frozen=True, slots=True)
class VisitStopSlot:
    """One stop of a visit's first-stop slot, as a booking page shows it. No personal data."""

    line: str
    line_name: str
    slot: time  # where this stop is booked (`visit_slots`)
    end: time
    places_left: int  # places this citizen may still book there (priority or regular)


@dataclass(frozen=True, slots=True)
class VisitSlotChoice:
    """One arrival slot of a visit (its first stop's slot): every stop's slot and whether the
    whole visit may be booked there now (the window and places of every stop; the NIK's and the
    phone's limits are the booking's own checks)."""

    slot: time  # the first stop's slot (local start)
    end: time
    stops: tuple[VisitStopSlot, ...]
    bookable: bool
    refusal_code: str | None  # the first stop's refusal when not bookable: slot_full…
    message: str | None  # its Indonesian sentence, naming the service ("BPJS Kesehatan: …")


def visit_slot_choices(
    building: Building,
    lines: tuple[str, ...] | list[str],
    day: date,
    priority: PriorityGroup | None,
    book: BookingBook,
    now: datetime,
    moving: tuple[Booking, ...] | list[Booking] = (),
) -> list[VisitSlotChoice]:
    """Every first-stop slot of a visit on `day` with each stop's slot and places, and whether
    the whole visit may be booked there now. Raises what `check_visit_lines` refuses, and
    `booking_visit_no_slot` when a stop's line has no slot that day.

    `moving`: the bookings of a visit being rescheduled. A stop whose slot would not change
    keeps its own place, unchecked, as the core's reschedule does (`_reschedule_visit`): else
    the citizen's own place would make the slot look full."""
    known = check_visit_lines(building, lines)
    prefixes = tuple(ln.prefix for ln in known)
    day_of = {ln.prefix: day_slots(building, ln, day) for ln in known}
    staying = {(b.line, b.day, b.slot) for b in moving if b.state is BookingState.BOOKED}
    out: list[VisitSlotChoice] = []
    full: dict[time, tuple[Line, time]] = {}  # first slot → the stop found full, at its slot
    for first in day_of[prefixes[0]]:
        slots = visit_slots(building, prefixes, day, first)
        stops: list[VisitStopSlot] = []
        refusal: DomainError | None = None
        for line, slot in zip(known, slots, strict=True):
            rules = line.booking
            assert rules is not None
            regular, for_priority = places_left(rules, book.taken.get((line.prefix, day, slot)))
            stops.append(
                VisitStopSlot(
                    line=line.prefix,
                    line_name=line.name,
                    slot=slot,
                    end=slot_end(line, day, slot),
                    places_left=for_priority if priority is not None else regular,
                )
            )
            if refusal is None and (line.prefix, day, slot) not in staying:
                found = booking_refusal(building, line, day, slot, now, day_of[line.prefix])
                if found is None and not _fits(
                    rules, book, (line.prefix, day, slot), priority is not None
                ):
                    full[first] = (line, slot)  # its words once every first slot is known
                    found = visit_slot_full(building, day, slot, None)
                refusal = named(found, line) if found is not None else None
        out.append(
            VisitSlotChoice(
                slot=first,
                end=slot_end(known[0], day, first),
                stops=tuple(stops),
                bookable=refusal is None,
                refusal_code=refusal.code if refusal is not None else None,
                message=refusal.message if refusal is not None else None,
            )
        )
    # A full stop names the visit's next arrival time bookable whole, never its own next free
    # slot: the citizen chooses the first stop's slot, and the later stops follow from it.
    for k, c in enumerate(out):
        if c.slot in full:
            line, slot = full[c.slot]
            following = next_visit_slot(out, c.slot)
            refusal = named(visit_slot_full(building, day, slot, following), line)
            out[k] = replace(c, message=refusal.message)
    return out


def next_visit_slot(choices: list[VisitSlotChoice], after: time) -> time | None:
    """The first arrival slot after `after` at which the whole visit may be booked."""
    return next((c.slot for c in choices if c.slot > after and c.bookable), None)


def visit_slot_full(
    building: Building, day: date, slot: time, following: time | None
) -> DomainError:
    """`slot_full` of a visit's stop at its `slot`: it names the visit's next arrival time
    bookable for the whole visit (`following`, details `next_arrival`), or asks for another —
    never the stop's own next free slot, a time the visit cannot choose."""
    when = _when(building, day, slot)
    hint = (
        "; silakan pilih jam kedatangan lain"
        if following is None
        else "; jam kedatangan berikutnya yang masih bisa dipesan untuk seluruh kunjungan pukul "
        + format_clock_in_zone(following, building.zone_label)
    )
    return DomainError(
        "slot_full",
        MESSAGES["slot_full"].format(next=hint, **when),
        **when,
        next_arrival=None if following is None else following.isoformat(timespec="minutes"),
    )


def visit_days(building: Building, lines: tuple[str, ...] | list[str], now: datetime) -> list[date]:
    """The days a visit of `lines` may be booked for now: days every stop's line may be booked
    (`bookable_days` of each). Raises what `check_visit_lines` refuses."""
    known = check_visit_lines(building, lines)
    days = set(bookable_days(building, known[0], now))
    for line in known[1:]:
        days &= set(bookable_days(building, line, now))
    return sorted(days)
