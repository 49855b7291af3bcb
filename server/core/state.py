"""One service day held in memory, and the fold that changes it: `DayState.apply(event)`.

`apply` is the one way the state changes, for a live command's events and for the replay of the
log after a restart alike; it trusts the log (a transition that does not fit is a corrupt log:
ValueError). Beside the tickets and counters it keeps per-line indexes (the waiting list in
calling order, the waiting priority tickets, quota use, open-counter shares, recent service
times) so that a command or a kiosk's query never scans all of the day's tickets. Replaying
`QueueState.handle`'s events into a fresh state gives an equal state (`==`, indexes included).

The booking book (server/core/bookings.py) lives here too, but it is not part of the day: it
spans the days ahead, so a day close leaves it (it drops only the bookings of the closing day,
which the close has lapsed). Booking events do not open a day (a booking made on Sunday for
Monday is no event of Sunday's queue); a ticket checked in from a booking does. So too the
survey book and the complaints (server/core/surveys.py, complaints.py; issue 20): they span
days, a day close leaves them (each forgets what has aged out), and their events open no day.

A log may name lines and counters that the building no longer has: the operator removed them
from the file and restarted mid-day (docs/operations.md, "Changing the building file"). The
replay keeps their tickets and counters ("orphans": `_adopt_line`, `_adopt_counter`) so that
nothing of the day is lost; the decisions never let a new ticket, call or login use them, and
server/core/removed.py says what of the day still does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from server.core import policy
from server.core.bookings import BookingBook
from server.core.building import Building, Counter, Line
from server.core.calendar import DayPlan, plan_for
from server.core.complaints import ComplaintBook, kept_days
from server.core.errors import error
from server.core.events import (
    BookingCancelled,
    BookingCheckedIn,
    BookingLapsed,
    BookingMade,
    BookingPlacesReleased,
    BookingRescheduled,
    ClosureDecided,
    ClosureRequested,
    ClosureWithdrawn,
    ComplaintAnswered,
    ComplaintClosed,
    ComplaintFiled,
    ComplaintTaken,
    CounterClosed,
    CounterOpened,
    CounterPaused,
    CounterResumed,
    DayClosed,
    Event,
    OfficerLoggedIn,
    OfficerLoggedOut,
    ServiceFinished,
    ServiceStarted,
    StopAdded,
    StopSkipped,
    SurveyAnswered,
    TicketCalled,
    TicketCancelled,
    TicketExpired,
    TicketIssued,
    TicketNoShow,
    TicketPrinted,
    TicketPrintFailed,
    TicketReactivated,
    TicketRecalled,
    TicketReprinted,
    TicketTransferred,
    VisitHandedOn,
    VisitStarted,
)
from server.core.issuing import QuotaBucket, quota_bucket
from server.core.model import ClosureRequest, CounterState, CounterStatus, Ticket, TicketState
from server.core.surveys import SurveyBook
from server.core.transitions import (
    COUNTER_TRANSITIONS,
    EXPIRY_ACTIONS,
    TICKET_TRANSITIONS,
    CounterAction,
    TicketAction,
)
from server.core.visits import PENDING, SKIPPED, Itinerary, Stop
from server.core.waitlist import WaitingLine

__all__ = ["DayState"]

# Events of the books alone (bookings, the survey, complaints): they change no ticket and open
# no day (an answer on Sunday about Friday's visit is no event of Sunday's queue).
_BOOK_ONLY: frozenset[type[Event]] = frozenset(
    {
        BookingMade,
        BookingRescheduled,
        BookingCancelled,
        BookingCheckedIn,
        BookingLapsed,
        SurveyAnswered,
        ComplaintFiled,
        ComplaintTaken,
        ComplaintAnswered,
        ComplaintClosed,
    }
)

_WAITING = TicketState.WAITING
_CALLED = TicketState.CALLED
_SERVING = TicketState.SERVING
_PRINTING = TicketState.PRINTING


class DayState:
    """One service day in memory: every ticket and counter, the indexes beside them, and `apply`.

    The attributes are read by the decisions (server/core/decide.py) and the figures
    (server/core/figures.py), and changed only by `apply`.
    """

    building: Building
    day: date | None  # the service day in memory; None before the first event
    tickets: dict[str, Ticket]  # today's tickets by id
    counters: dict[str, CounterStatus]  # every counter of the building by id

    def __init__(self, building: Building) -> None:
        self.building = building
        # The building's lookups, resolved once: handle() runs tens of thousands of times a second.
        self.tz = building.tz
        self.lines: dict[str, Line] = {ln.prefix: ln for ln in building.lines}
        self.counter_defs: dict[str, Counter] = {c.id: c for c in building.counters}
        self.officer_ids = frozenset(o.id for o in building.officers)
        self.officer_agency: dict[str, str] = {o.id: o.agency for o in building.officers}
        # Counters serving each line, per weekday (a shared desk serves other lines on other
        # days): the open-counter figures are recomputed from these.
        self.week_line_counters: tuple[dict[str, tuple[Counter, ...]], ...] = tuple(
            {
                p: tuple(c for c in week.values() if c is not None and p in c.serves)
                for p in self.lines
            }
            for week in map(building.counters_on_weekday, range(7))
        )
        self.printing_timeout = timedelta(seconds=building.policy.printing_timeout_s)
        self.noshow_window = timedelta(minutes=building.policy.noshow_window_min)
        # Bumped by every applied event, never compared: the key under which figures.py keeps a
        # line's calling order for the phones that ask for it at one instant (`figure_cache`).
        self.changes = 0
        self.figure_cache: dict[str, tuple[tuple[object, ...], object]] = {}
        self.closing_grace = timedelta(minutes=building.policy.closing_grace_min)
        # The calendar of the last day asked about: the plan only changes at midnight.
        self._plan_cache: DayPlan | None = None
        # Online bookings of today and the days ahead: not reset by a day close.
        self.bookings = BookingBook()
        # The citizen's voice (issue 20): the survey's answers and the complaints, across days
        # too (server/core/surveys.py, complaints.py say what each forgets at a day close).
        self.surveys = SurveyBook(building.survey)
        self.complaints = ComplaintBook(building.tz, kept_days(building.complaints))
        self._appliers: dict[type[Event], Callable[[Any], None]] = {
            TicketIssued: self._on_issued,
            TicketPrinted: self._on_printed,
            TicketPrintFailed: self._on_print_failed,
            TicketReprinted: self._on_reprinted,
            TicketCalled: self._on_called,
            TicketRecalled: self._on_recalled,
            ServiceStarted: self._on_started,
            ServiceFinished: self._on_finished,
            TicketNoShow: self._on_no_show,
            TicketReactivated: self._on_reactivated,
            TicketTransferred: self._on_transferred,
            TicketCancelled: self._on_cancelled,
            TicketExpired: self._on_expired,
            OfficerLoggedIn: self._on_logged_in,
            OfficerLoggedOut: self._on_logged_out,
            CounterOpened: self._on_counter_opened,
            CounterPaused: self._on_counter_paused,
            CounterResumed: self._on_counter_resumed,
            CounterClosed: self._on_counter_closed,
            ClosureRequested: self._on_closure_requested,
            ClosureWithdrawn: self._on_closure_ended,
            ClosureDecided: self._on_closure_decided,
            DayClosed: self._on_day_closed,
            BookingMade: self._on_booking,
            BookingRescheduled: self._on_booking,
            BookingCancelled: self._on_booking_freed,
            BookingCheckedIn: self._on_booking,
            BookingLapsed: self._on_booking_freed,
            BookingPlacesReleased: self._on_places_released,
            SurveyAnswered: self._on_survey,
            ComplaintFiled: self._on_complaint,
            ComplaintTaken: self._on_complaint,
            ComplaintAnswered: self._on_complaint,
            ComplaintClosed: self._on_complaint,
            VisitStarted: self._on_visit_started,
            StopAdded: self._on_stop_added,
            StopSkipped: self._on_stop_skipped,
            VisitHandedOn: self._on_handed_on,
        }
        self._reset()

    def _reset(self) -> None:
        """Empty the day: a fresh state and the state after DayClosed are the same thing."""
        lines = self.lines
        self.day = None
        self.tickets = {}
        self.counters = {c.id: CounterStatus(c.id) for c in self.building.counters}
        # Per line, the WAITING tickets in calling order: call-next reads the head, and a
        # reactivated or transferred ticket is inserted back at its original place.
        self.waiting_lines: dict[str, WaitingLine] = {p: WaitingLine() for p in lines}
        # Tickets still able to change (not done/cancelled/expired), in issue order: what the
        # closing and the day's end expire, without walking the finished ones.
        self.open_tickets: dict[str, Ticket] = {}
        # Printing reservations and the quota each holds, released if the print never happens.
        self.printing: dict[str, QuotaBucket] = {}
        self.tokens: dict[str, str] = {}  # public token -> ticket id, for the status page
        # Ticket ids by their latest call or recall, oldest first (an ordered set): the TVs'
        # recent calls in commit order, which timestamps alone cannot give at one instant.
        self.call_order: dict[str, None] = {}
        self.seq: dict[str, int] = dict.fromkeys(lines, 0)  # highest number issued per line
        # When each ticket was first issued, per line in time order (the clock never goes back
        # in the log), and the day's first: the staffing figures' arrivals, found by bisection.
        self.issue_times: dict[str, list[datetime]] = {p: [] for p in lines}
        self.first_issued_at: datetime | None = None
        self.issued: dict[str, int] = dict.fromkeys(lines, 0)
        self.served: dict[str, int] = dict.fromkeys(lines, 0)
        self.used_walk_in: dict[str, int] = dict.fromkeys(lines, 0)
        self.used_priority: dict[str, int] = dict.fromkeys(lines, 0)
        # Booking places of today given to walk-in citizens, per line that released them
        # (BookingPlacesReleased, then one per lapse or cancellation): added to the walk-in quota.
        self.released: dict[str, int] = {}
        # Regular calls per line since its last priority call: the policy's ratio input. A line
        # without a call yet may call a priority ticket at once.
        self.regular_since_priority: dict[str, int] = dict.fromkeys(
            lines, self.building.policy.regular_per_priority
        )
        window = self.building.policy.estimate_window
        # Recent service durations per line (seconds), the estimate's input; bounded.
        self.recent_service_s: dict[str, deque[float]] = {p: deque(maxlen=window) for p in lines}
        self.officer_at: dict[str, str] = {}  # officer id -> counter id: one counter each
        # Open counters per line, whole and fractional (a counter open on k lines gives 1/k).
        self.open_count: dict[str, int] = dict.fromkeys(lines, 0)
        self.open_share: dict[str, float] = dict.fromkeys(lines, 0.0)
        # One visit, several agencies (issue 22; server/core/visits.py): today's visits by id,
        # the visit of each stop's ticket, and the day's highest visit number (KJ-007: 7).
        self.itineraries: dict[str, Itinerary] = {}
        self.itinerary_of: dict[str, str] = {}
        self.visit_seq = 0
        # Counter-closure requests (issue 23; server/core/closures.py) by counter id: pending,
        # or approved and waiting for the counter's active ticket to end.
        self.closures: dict[str, ClosureRequest] = {}

    # ----------------------------------------------------------------------------------------
    # Lookups shared by decisions and figures: the thing asked for, or the refusal naming it.
    # ----------------------------------------------------------------------------------------

    def plan(self, day: date) -> DayPlan:
        """The calendar of `day`: hours, breaks, cutoff (cached: it only changes at midnight)."""
        plan = self._plan_cache
        if plan is None or plan.day != day:
            plan = self._plan_cache = plan_for(self.building, day)
        return plan

    def known_line(self, prefix: str) -> Line:
        line = self.lines.get(prefix)
        if line is None:
            raise error("unknown_line", line=prefix)
        return line

    def known_ticket(self, tid: str) -> Ticket:
        ticket = self.tickets.get(tid)
        if ticket is None:
            raise error("unknown_ticket", ticket=tid)
        return ticket

    def known_counter(self, cid: str) -> tuple[Counter, CounterStatus]:
        counter = self.counter_defs.get(cid)
        if counter is None:
            raise error("unknown_counter", counter=cid)
        return counter, self.counters[cid]

    def desk(self, cid: str, day: date) -> Counter | None:
        """A counter as it stands on `day` (a shared desk: that day's agency and lines); None
        for an unknown id, or a shared desk on a day it belongs to nobody."""
        return self.building.counters_on(day).get(cid)

    # ----------------------------------------------------------------------------------------
    # Events
    # ----------------------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Change the state by one event. Deterministic; raises ValueError on a corrupt log."""
        applier = self._appliers.get(type(event))
        if applier is None:
            raise TypeError(f"not a queue event: {event!r}")
        if self.day is None and not isinstance(event, DayClosed) and type(event) not in _BOOK_ONLY:
            # Any event opens the day, not only a ticket: a day when counters opened but nobody
            # took a ticket must still be closed, or its officers would stay logged in tomorrow.
            # Not a booking's: the book spans days, and its events are replayed at start from
            # before the last day close (server/engine.py).
            self.day = self.building.service_day(event.at)
        applier(event)
        self.changes += 1
        if self.itinerary_of:
            # A stop's state is its ticket's: follow every event that names a visit's ticket.
            tid = getattr(event, "ticket", None)
            if tid is not None and tid in self.itinerary_of:
                self._sync_stop(tid)

    def _move(self, ticket: Ticket, action: TicketAction) -> TicketState:
        """Move a ticket by the table; returns the state it left."""
        old = ticket.state
        new = TICKET_TRANSITIONS.get((old, action))
        if new is None:
            raise ValueError(f"event {action} does not fit ticket {ticket.id} in state {old}")
        ticket.state = new
        return old

    def _move_counter(self, status: CounterStatus, action: CounterAction) -> None:
        new = COUNTER_TRANSITIONS.get((status.state, action))
        if new is None:
            raise ValueError(f"event {action} does not fit counter {status.id} in {status.state}")
        status.state = new

    def _enqueue(self, ticket: Ticket) -> None:
        self.waiting_lines[ticket.line].add(ticket)

    def _dequeue(self, ticket: Ticket) -> None:
        self.waiting_lines[ticket.line].discard(ticket)

    def _release_counter(self, ticket: Ticket) -> None:
        status = self.counters.get(ticket.counter) if ticket.counter is not None else None
        if status is not None and status.ticket == ticket.id:
            status.ticket = None

    def _release_quota(self, ticket: Ticket) -> None:
        bucket = self.printing.pop(ticket.id)
        if bucket is QuotaBucket.BOOKING:
            return  # counted against no quota (its booking holds its place again: bookings.py)
        used = self.used_priority if bucket is QuotaBucket.PRIORITY else self.used_walk_in
        used[ticket.line] -= 1

    def _adopt_line(self, prefix: str) -> None:
        """Index a line the building no longer has, so that its tickets of today replay.

        Not added to `lines` (nor served by any counter): `known_line` still refuses it, so no
        new ticket or transfer goes to it; its tickets wait, are cancelled or expire.
        """
        self.waiting_lines[prefix] = WaitingLine()
        self.seq[prefix] = 0
        self.issue_times[prefix] = []
        for counts in (self.issued, self.served, self.used_walk_in, self.used_priority):
            counts[prefix] = 0
        self.regular_since_priority[prefix] = self.building.policy.regular_per_priority
        self.recent_service_s[prefix] = deque(maxlen=self.building.policy.estimate_window)
        self.open_count[prefix] = 0
        self.open_share[prefix] = 0.0

    def _counter(self, cid: str) -> CounterStatus:
        """A counter's status; a counter the building no longer has gets one (see `apply`).

        Kept in `counters` until the day closes: its officer and active ticket stay visible,
        `RetireRemoved` closes it, and the day's close logs its officer out. `known_counter`
        still refuses it, so nobody logs in or calls there.
        """
        status = self.counters.get(cid)
        if status is None:
            status = self.counters[cid] = CounterStatus(cid)
        return status

    def _on_issued(self, ev: TicketIssued) -> None:
        ticket = Ticket(
            id=ev.ticket,
            day=ev.day,
            number=ev.number,
            seq=ev.seq,
            line=ev.line,
            priority=ev.priority,
            state=_PRINTING,
            issued_at=ev.at,
            queued_at=ev.at,
            token=ev.token,
            kiosk=ev.kiosk,
            booking=ev.booking,
            slot=ev.slot,
            visit=ev.visit,
            stop=ev.stop,
        )
        if ev.queued_at is not None:
            # A visit's next stop, handed on: queued by the credit rule (visits.next_queued_at).
            ticket.queued_at = ev.queued_at
        if ev.slot is not None:
            # Checked in from a booking: its place in the queue is its slot's start, whether the
            # citizen came early or late within the window (docs/bookings.md).
            ticket.queued_at = ev.slot
        prefix = ev.line
        if prefix not in self.seq:
            self._adopt_line(prefix)
        self.tickets[ev.ticket] = ticket
        self.tokens[ev.token] = ev.ticket
        self.open_tickets[ev.ticket] = ticket
        if ev.seq > self.seq[prefix]:
            self.seq[prefix] = ev.seq
        self.issued[prefix] += 1
        self.issue_times[prefix].append(ev.at)
        if self.first_issued_at is None:
            self.first_issued_at = ev.at
        itinerary = self.itineraries.get(ev.visit) if ev.visit is not None else None
        if itinerary is not None and ev.stop is not None and ev.stop < len(itinerary.stops):
            # A later stop's turn: its ticket takes the quota place held since the visit began,
            # or (a visit booked online) its member booking's place.
            stop = itinerary.stops[ev.stop]
            stop.ticket, stop.number, stop.state = ev.ticket, ev.number, _PRINTING.value
            itinerary.current = ev.stop
            self.itinerary_of[ev.ticket] = itinerary.id
            if ev.booking is not None and stop.bucket is not None:
                self._give_back(prefix, stop)  # an added stop that found a booking: never
            if stop.bucket is not None:
                self.printing[ev.ticket] = stop.bucket
                stop.bucket = None
                return
        if ev.booking is not None:
            # Counted against no quota: the booking's place is the citizen's (bookings.py).
            self.printing[ev.ticket] = QuotaBucket.BOOKING
            return
        used_walk_in, used_priority = self.used_walk_in[prefix], self.used_priority[prefix]
        released = self.released.get(prefix, 0)
        line = self.lines.get(prefix)
        bucket = (
            quota_bucket(line, ev.priority, used_walk_in, used_priority, released)
            if line is not None
            else None  # a removed line: no quota left to count against
        )
        # Over every quota only when replaying a log written before the quota was lowered.
        if bucket is QuotaBucket.PRIORITY:
            self.used_priority[prefix] += 1
        else:
            bucket = QuotaBucket.WALK_IN
            self.used_walk_in[prefix] += 1
        self.printing[ev.ticket] = bucket

    def _on_printed(self, ev: TicketPrinted) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.PRINTED)
        del self.printing[ev.ticket]  # the quota is used for good now
        self._enqueue(ticket)
        if ticket.booking is not None:
            self.bookings.apply(ev)

    def _on_print_failed(self, ev: TicketPrintFailed) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.PRINT_FAILED)
        self._release_quota(ticket)
        del self.open_tickets[ev.ticket]
        self._end_visit(ticket)
        if ticket.booking is not None:
            self.bookings.apply(ev)  # the booking is booked again

    def _on_reprinted(self, ev: TicketReprinted) -> None:
        self.tickets[ev.ticket].reprints += 1

    def _on_called(self, ev: TicketCalled) -> None:
        ticket = self.tickets[ev.ticket]
        if self._move(ticket, TicketAction.CALL) is _WAITING:
            self._dequeue(ticket)
        ticket.counter = ev.counter
        ticket.called_at = ticket.last_call_at = ev.at
        ticket.no_show_at = None
        ticket.calls += 1
        ticket.call_reason = ev.reason
        self._called_now(ticket)
        self._counter(ev.counter).ticket = ev.ticket
        if ticket.priority is not None:
            self.regular_since_priority[ev.line] = 0
        else:
            self.regular_since_priority[ev.line] += 1
        if ticket.priority is not None or ticket.slot is not None:
            # The regular tickets a priority or booked ticket went ahead of absorb one more
            # overtaking (`policy.passed_over` says which), a booking's counted apart too: the
            # policy's guard reads both. A pure function of the log, so replay agrees (except
            # for a call at a counter since removed from the file, whose lines are no longer
            # known: the tickets it passed over count one overtaking less).
            desk = self._desk_of_day(ev.counter)
            if desk is not None:
                booked = policy.booking_jump(ticket, ev.reason)
                for passed in policy.passed_over(desk, self.waiting_lines, ticket):
                    passed.overtaken += 1
                    passed.booked_ahead += booked

    def _on_recalled(self, ev: TicketRecalled) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.RECALL)
        ticket.calls += 1
        ticket.last_call_at = ev.at
        self._called_now(ticket)

    def _called_now(self, ticket: Ticket) -> None:
        self.call_order.pop(ticket.id, None)
        self.call_order[ticket.id] = None

    def _on_started(self, ev: ServiceStarted) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.START)
        ticket.started_at = ev.at
        # Whom the visit's survey answer and complaints are filed under (managers only see it).
        ticket.officer = self._counter(ev.counter).officer

    def _on_finished(self, ev: ServiceFinished) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.FINISH)
        ticket.finished_at = ev.at
        self._release_counter(ticket)
        del self.open_tickets[ev.ticket]
        self.served[ticket.line] += 1
        if ticket.started_at is not None:
            self.recent_service_s[ticket.line].append((ev.at - ticket.started_at).total_seconds())

    def _on_no_show(self, ev: TicketNoShow) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.NO_SHOW)
        self._release_counter(ticket)
        ticket.no_show_at = ev.at  # starts the reactivation window

    def _on_reactivated(self, ev: TicketReactivated) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.REACTIVATE)
        ticket.counter = None
        ticket.called_at = ticket.last_call_at = None
        ticket.call_reason = None
        # queued_at is untouched: FIFO puts it back where it stood before the no-show.
        self._enqueue(ticket)

    def _on_transferred(self, ev: TicketTransferred) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.TRANSFER)
        self._release_counter(ticket)
        if ev.to_line not in self.seq:
            self._adopt_line(ev.to_line)
        ticket.line = ev.to_line
        ticket.transfers = (*ticket.transfers, ev.from_line)
        ticket.counter = None
        ticket.called_at = ticket.last_call_at = None
        ticket.started_at = None
        ticket.call_reason = None
        # Same number, same queued_at: it joins the new line where its arrival time puts it.
        # A booked ticket is queued at its slot's start, which an idle counter may have called
        # it before. Its booking was for its old line: on the new one it is an ordinary ticket,
        # queued like a walk-in transferred there, at the time it came (its check-in), never
        # behind the walk-ins who came after it and before its slot.
        if ticket.queued_at > ticket.issued_at:
            ticket.queued_at = ticket.issued_at
        self._enqueue(ticket)

    def _on_cancelled(self, ev: TicketCancelled) -> None:
        ticket = self.tickets[ev.ticket]
        old = self._move(ticket, TicketAction.CANCEL)
        if old is _WAITING:
            self._dequeue(ticket)
        elif old is _CALLED:
            self._release_counter(ticket)
        del self.open_tickets[ev.ticket]
        self._end_visit(ticket)  # unless its stop was skipped just before: see _end_visit

    def _on_expired(self, ev: TicketExpired) -> None:
        ticket = self.tickets[ev.ticket]
        action = EXPIRY_ACTIONS.get(ev.reason)
        if action is None:
            raise ValueError(f"unknown expiry reason {ev.reason!r}")
        old = self._move(ticket, action)
        if old is _WAITING:
            self._dequeue(ticket)
        elif old is _PRINTING:
            self._release_quota(ticket)
            if ticket.booking is not None:
                self.bookings.apply(ev)  # never printed: the booking is booked again
        elif old is _CALLED or old is _SERVING:
            self._release_counter(ticket)
        del self.open_tickets[ev.ticket]
        self._end_visit(ticket)

    def _on_logged_in(self, ev: OfficerLoggedIn) -> None:
        status = self._counter(ev.counter)
        self._move_counter(status, CounterAction.LOG_IN)
        status.officer = ev.officer
        self.officer_at[ev.officer] = ev.counter

    def _on_logged_out(self, ev: OfficerLoggedOut) -> None:
        status = self._counter(ev.counter)
        self._move_counter(status, CounterAction.LOG_OUT)
        status.officer = None
        self.officer_at.pop(ev.officer, None)
        self.closures.pop(ev.counter, None)

    def _counter_changed(self, status: CounterStatus, at: datetime) -> None:
        status.since = at
        if status.state is not CounterState.PAUSED:
            status.pause_reason = None
        # Recount the lines this counter serves from scratch: exact, and only a few counters.
        line_counters = self.week_line_counters[self.day.weekday() if self.day else 0]
        desk = self._desk_of_day(status.id)
        for prefix in desk.serves if desk is not None else ():
            serving = line_counters.get(prefix)
            if serving is None:
                continue
            count = 0
            share = 0.0
            for counter in serving:
                if self.counters[counter.id].state is CounterState.OPEN:
                    count += 1
                    share += 1.0 / len(counter.serves)
            self.open_count[prefix] = count
            self.open_share[prefix] = share

    def _desk_of_day(self, cid: str) -> Counter | None:
        """The counter as it stands on the state's day; as configured when the log says it
        worked on a day the building file (since changed) gives it to nobody; None for a
        counter since removed from the file."""
        desk = self.desk(cid, self.day) if self.day is not None else None
        return desk if desk is not None else self.counter_defs.get(cid)

    def _on_counter_opened(self, ev: CounterOpened) -> None:
        status = self._counter(ev.counter)
        self._move_counter(status, CounterAction.OPEN)
        self._counter_changed(status, ev.at)

    def _on_counter_paused(self, ev: CounterPaused) -> None:
        status = self._counter(ev.counter)
        self._move_counter(status, CounterAction.PAUSE)
        status.pause_reason = ev.reason
        self._counter_changed(status, ev.at)

    def _on_counter_resumed(self, ev: CounterResumed) -> None:
        status = self._counter(ev.counter)
        self._move_counter(status, CounterAction.RESUME)
        self._counter_changed(status, ev.at)

    def _on_counter_closed(self, ev: CounterClosed) -> None:
        status = self._counter(ev.counter)
        self._move_counter(status, CounterAction.CLOSE)
        self._counter_changed(status, ev.at)
        self.closures.pop(ev.counter, None)  # done: whoever closed it

    def _on_closure_requested(self, ev: ClosureRequested) -> None:
        status = self._counter(ev.counter)
        if status.state is CounterState.CLOSED or ev.counter in self.closures:
            raise ValueError(f"closure request does not fit counter {ev.counter}")
        self.closures[ev.counter] = ClosureRequest(
            officer=ev.officer, reason=ev.reason, requested_at=ev.at
        )

    def _on_closure_ended(self, ev: ClosureWithdrawn) -> None:
        if self.closures.pop(ev.counter, None) is None:
            raise ValueError(f"no closure request at counter {ev.counter} to withdraw")

    def _on_closure_decided(self, ev: ClosureDecided) -> None:
        request = self.closures.get(ev.counter)
        if request is None or request.approved_at is not None:
            raise ValueError(f"no undecided closure request at counter {ev.counter}")
        if ev.approved:
            request.approved_at = ev.at
            request.by = ev.by
        else:
            del self.closures[ev.counter]

    def _on_day_closed(self, ev: DayClosed) -> None:
        self._reset()
        self.bookings.apply(ev)  # forget the closed day's bookings, all lapsed or used by now
        self.surveys.apply(ev)  # forget what is older than the public page's periods
        self.complaints.apply(ev)  # forget complaints closed long ago

    def _on_booking(self, ev: Event) -> None:
        self.bookings.apply(ev)

    def _on_booking_freed(self, ev: BookingCancelled | BookingLapsed) -> None:
        self.bookings.apply(ev)
        if ev.day == self.day and ev.line in self.released:
            # After the release, each place of today freed goes to walk-in citizens too.
            self.released[ev.line] += 1

    def _on_places_released(self, ev: BookingPlacesReleased) -> None:
        self.released[ev.line] = self.released.get(ev.line, 0) + ev.places

    # Looked up at each event, not bound at __init__: the books may be replaced (handle()'s
    # scratch state on a new day gets copies).
    def _on_survey(self, ev: SurveyAnswered) -> None:
        self.surveys.apply(ev)

    def _on_complaint(self, ev: Event) -> None:
        self.complaints.apply(ev)

    # -- one visit, several agencies (issue 22; server/core/visits.py) --------------------------

    def _on_visit_started(self, ev: VisitStarted) -> None:
        first = self.tickets[ev.ticket]
        itinerary = Itinerary(
            id=ev.visit,
            day=first.day,
            token=first.token,
            priority=ev.priority,
            kiosk=ev.kiosk,
            started_at=ev.started_at,
            stops=[Stop(prefix) for prefix in ev.stops],
            booking=ev.booking,
        )
        stop = itinerary.stops[0]
        stop.ticket, stop.number, stop.state = first.id, first.number, first.state.value
        first.visit, first.stop = ev.visit, 0
        self.itineraries[ev.visit] = itinerary
        self.itinerary_of[first.id] = ev.visit
        self.visit_seq = max(self.visit_seq, int(ev.visit.rsplit("-", 1)[-1]))
        if ev.booking is not None:
            return  # booked online: each later stop's place is its member booking's
        for later in itinerary.stops[1:]:
            later.bucket = self._hold_quota(later.line, ev.priority)

    def _hold_quota(self, prefix: str, priority: Any) -> QuotaBucket:
        """Take a quota place for a later stop now (given back if it is skipped or never
        reached); over every quota only when replaying a log written before it was lowered."""
        if prefix not in self.seq:
            self._adopt_line(prefix)
        line = self.lines.get(prefix)
        bucket = (
            quota_bucket(
                line,
                priority,
                self.used_walk_in[prefix],
                self.used_priority[prefix],
                self.released.get(prefix, 0),
            )
            if line is not None
            else None
        )
        if bucket is QuotaBucket.PRIORITY:
            self.used_priority[prefix] += 1
        else:
            bucket = QuotaBucket.WALK_IN
            self.used_walk_in[prefix] += 1
        return bucket

    def _give_back(self, prefix: str, stop: Stop) -> None:
        if stop.bucket is QuotaBucket.PRIORITY:
            self.used_priority[prefix] -= 1
        elif stop.bucket is QuotaBucket.WALK_IN:
            self.used_walk_in[prefix] -= 1
        stop.bucket = None

    def _on_stop_added(self, ev: StopAdded) -> None:
        itinerary = self.itineraries[ev.visit]
        stop = Stop(ev.line, added=True)
        stop.bucket = self._hold_quota(ev.line, itinerary.priority)
        itinerary.stops.insert(ev.position, stop)
        for k, each in enumerate(itinerary.stops):
            if each.ticket is not None and each.ticket in self.tickets:
                self.tickets[each.ticket].stop = k
        if ev.position <= itinerary.current:
            itinerary.current += 1  # never by the decisions; kept right for any log

    def _on_stop_skipped(self, ev: StopSkipped) -> None:
        itinerary = self.itineraries[ev.visit]
        index = itinerary.stop_of(ev.line)
        if index is None:
            raise ValueError(f"visit {ev.visit} has no stop {ev.line} to skip")
        stop = itinerary.stops[index]
        self._give_back(stop.line, stop)
        stop.state = SKIPPED
        stop.reason = ev.reason

    def _on_handed_on(self, ev: VisitHandedOn) -> None:
        pass  # the TicketIssued that follows makes the next stop current

    def _end_visit(self, ticket: Ticket) -> None:
        """A visit's current ticket ended without being served (its print failed or timed out,
        it was cancelled, it expired): the stops never reached give their held places back and
        read "cancelled". A no-show is no end: it may be reactivated. Nor is the cancel of a
        stop skipped just before (the floor's SkipStop of a current stop: its StopSkipped comes
        first, the hand-on follows): the order of the events tells, never a reason's text."""
        vid = self.itinerary_of.get(ticket.id)
        itinerary = self.itineraries.get(vid) if vid is not None else None
        if itinerary is None:
            return
        current = itinerary.stops[itinerary.current]
        if current.ticket != ticket.id or current.state == SKIPPED:
            return
        for stop in itinerary.stops:
            if stop.state == PENDING:
                self._give_back(stop.line, stop)
                stop.state = TicketState.CANCELLED.value

    def _sync_stop(self, tid: str) -> None:
        itinerary = self.itineraries.get(self.itinerary_of[tid])
        ticket = self.tickets[tid]
        if itinerary is None or ticket.stop is None or ticket.stop >= len(itinerary.stops):
            return
        stop = itinerary.stops[ticket.stop]
        if stop.ticket == tid and stop.state != SKIPPED:
            stop.state = ticket.state.value
            stop.line = ticket.line  # a transferred stop's ticket takes its stop along

    # ----------------------------------------------------------------------------------------
    # Equality: replaying QueueState.handle()'s events must rebuild exactly this, indexes included.
    # ----------------------------------------------------------------------------------------

    def _comparable(self) -> tuple[object, ...]:
        return (
            self.day,
            self.tickets,
            self.counters,
            self.waiting_lines,
            {p: q.priority for p, q in self.waiting_lines.items()},
            list(self.open_tickets),
            self.printing,
            self.tokens,
            list(self.call_order),
            self.seq,
            self.issued,
            self.served,
            self.used_walk_in,
            self.used_priority,
            self.released,
            self.bookings,
            self.surveys,
            self.complaints,
            self.regular_since_priority,
            {p: list(d) for p, d in self.recent_service_s.items()},
            self.officer_at,
            self.open_count,
            self.open_share,
            self.itineraries,
            self.itinerary_of,
            self.visit_seq,
            self.closures,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DayState):
            return NotImplemented
        return self.building == other.building and self._comparable() == other._comparable()

    __hash__ = None  # type: ignore[assignment]  # mutable
