"""One visit, several agencies (issue 22): the itinerary, its rules, and the decisions.

Theory of operation: a citizen with several services takes ONE ticket at the kiosk
(`StartVisit`): the first stop's ordinary ticket now, and for each later stop nothing but a held
quota place. Only one stop has a live ticket at a time, so the citizen is never in the next queue
while being served at a counter. When a stop's service finishes, the same `FinishService`
command hands on: the next stop's ticket joins its line at once, queued at `next_queued_at`
(the visit's start, but never ahead of anyone who has waited there longer than the credit). One
command is one commit, so a server killed between finishing and queuing the next cannot leave
the citizen nowhere: both events are on disk or neither is.

An officer may add a stop (`AddStop`: a plain ticket then becomes a visit) or skip a pending one
(`SkipStop`); the floor may also skip the current stop while its ticket waits or is a no-show,
which hands on at once (the stop skipped before its ticket is cancelled: the fold tells a skip
from the end of the visit by that order, never by a reason's text). A transfer of the current
stop's ticket to a line the visit still has pending skips that stop in the same command
(`transfer_skips`), so no hand-on queues the citizen at that line a second time. A stop finished
past closing and its grace ends the stops still to come ("layanan sudah tutup"): the visit is
over rather than left pending. A next stop whose line's own hours (a part-week or shorter-hours
line) ended, with their grace, before the hand-on ends the same way and is passed over for the
stop after it, rather than queued on a closed line where its ticket would only expire. The token
of every stop's ticket is the visit's, so the phone page (the QR on the printed itinerary)
follows the citizen from stop to stop.

The record is `Itinerary` (the name `Visit` is the survey's one-ticket view, server/core/model.py).
`DayState` (server/core/state.py) keeps `itineraries` and `itinerary_of` and folds the events;
the decisions here read the state and change nothing (`QueueState.handle` applies). Pure:
standard library only, no clock, no I/O.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from server.core.bookings import Booking, BookingState
from server.core.building import Building, Line
from server.core.calendar import at_local, plan_for
from server.core.errors import error
from server.core.events import (
    BookingCancelled,
    BookingCheckedIn,
    Event,
    PriorityGroup,
    ServiceFinished,
    StopAdded,
    StopSkipped,
    TicketCancelled,
    TicketIssued,
    TicketPrinted,
    VisitHandedOn,
    VisitStarted,
)
from server.core.issuing import QuotaBucket, hours_refusal, issue_refusal
from server.core.model import (
    AddStop,
    DomainError,
    SkipStop,
    StartVisit,
    Ticket,
    TicketState,
    Visit,
)
from server.core.numbering import next_ticket
from server.core.part_week import line_hours, off_day_refusal

if TYPE_CHECKING:  # the decisions read the day's state; state.py holds the itineraries
    from server.core.state import DayState

__all__ = [
    "CLOSED_NOW",
    "CLOSED_TODAY",
    "DONE_STATES",
    "OPEN_STATES",
    "PENDING",
    "SERVED_BY_TRANSFER",
    "SKIPPED",
    "STOP_SKIPPED",
    "VISIT_DECISIONS",
    "Itinerary",
    "Stop",
    "add_position",
    "booked_member",
    "finish_events",
    "hand_on_events",
    "member_cancel",
    "next_queued_at",
    "order_problem",
    "propose_order",
    "stop_refusal",
    "survey_visit",
    "transfer_skips",
    "visit_id",
    "visit_label",
]

# A stop's state: these two, or its ticket's state (TicketState's values: "waiting", "done"…).
PENDING: Final = "pending"  # not its turn yet: no ticket
SKIPPED: Final = "skipped"  # never needed (or its line was closed when its turn came)
# A stop that asks nothing more of the citizen: the survey waits for every stop to be one.
DONE_STATES: Final = frozenset({TicketState.DONE.value, SKIPPED})
# A stop still in play: the survey about the whole visit waits until none is.
OPEN_STATES: Final = frozenset(
    {PENDING}
    | {
        s.value
        for s in (
            TicketState.PRINTING,
            TicketState.WAITING,
            TicketState.CALLED,
            TicketState.SERVING,
            TicketState.NO_SHOW,
        )
    }
)
# The reason of the TicketCancelled of a current stop the floor skips (SkipStop). Only a word for
# people: the fold knows the visit goes on because that stop's StopSkipped comes first (a
# CancelTicket typed with this reason ends the visit like any other).
STOP_SKIPPED: Final = "stop_skipped"
# The reason a hand-on gives when the next stop's line does not serve today (part-week).
CLOSED_TODAY: Final = "tutup hari ini"
# The reason the later stops end with when a stop finishes past closing and its grace.
CLOSED_NOW: Final = "layanan sudah tutup"
# The reason a pending stop is skipped with when the current stop's ticket is transferred to its
# line: the citizen is served there by that ticket, and must not be queued there a second time.
SERVED_BY_TRANSFER: Final = "dilayani lewat pemindahan"
# What "a large penalty" is when a proposed order reaches a stop after it stops issuing.
_LATE_PENALTY_S: Final = 24 * 3600.0
# A line with no counter open now has no estimate (None): counted as an hour's wait, so that the
# citizen is not sent first to a desk nobody sits at while other stops are being served; later
# in the visit the credit still applies, and a counter may well have opened by then.
_NO_COUNTER_WAIT_S: Final = 3600.0


@dataclass(slots=True)
class Stop:
    """One line of a visit. `ticket`/`number` are set once its turn came."""

    line: str
    state: str = PENDING  # PENDING, SKIPPED, or its ticket's state value
    ticket: str | None = None
    number: str | None = None
    added: bool = False  # added at a counter (AddStop), not chosen at the kiosk
    # The quota place held for it until its ticket is issued (None once used or given back).
    bucket: QuotaBucket | None = None
    reason: str | None = None  # why it was skipped (its StopSkipped's reason)


@dataclass(slots=True)
class Itinerary:
    """One citizen's visit of today: its stops in order, one of them current."""

    id: str  # "2026-12-04/KJ-007"
    day: date
    token: str  # the public token every stop's ticket carries
    priority: PriorityGroup | None
    kiosk: str | None
    started_at: datetime  # the credit rule's anchor (aware)
    stops: list[Stop] = field(default_factory=list)
    current: int = 0  # the index of the stop whose ticket the token points at
    # The lead booking's code of a visit booked online (issue 22): its later stops' places are
    # the group's member bookings, used at the hand-on. None for a kiosk visit.
    booking: str | None = None

    @property
    def label(self) -> str:
        """What staff read: "KJ-007"."""
        return visit_label(self.id)

    @property
    def stops_open(self) -> int:
        """Stops still in play (pending, or a ticket not yet ended — a no-show may come back):
        0 once every stop is done or skipped, or the visit ended (its stops left cancelled or
        expired). The survey waits for 0."""
        return sum(1 for s in self.stops if s.state in OPEN_STATES)

    def stop_of(self, line: str) -> int | None:
        """The index of the stop of `line` still to come or under way (not done/skipped)."""
        for i, stop in enumerate(self.stops):
            if stop.line == line and stop.state not in DONE_STATES:
                return i
        return None

    def next_pending(self) -> int | None:
        """The first pending stop after the current one."""
        for i in range(self.current + 1, len(self.stops)):
            if self.stops[i].state == PENDING:
                return i
        return None


def visit_id(day: date, seq: int) -> str:
    return f"{day.isoformat()}/KJ-{seq:03d}"


def visit_label(vid: str) -> str:
    return vid.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------------------------
# The pure rules
# --------------------------------------------------------------------------------------------


def next_queued_at(started_at: datetime, now: datetime, credit: timedelta | float) -> datetime:
    """The next stop's FIFO key: max(visit start, hand-on − credit); `credit` in minutes or a
    timedelta. The citizen joins as if they had arrived when the visit started, but never ahead
    of anyone who has already waited longer than the credit there."""
    if not isinstance(credit, timedelta):
        credit = timedelta(minutes=credit)
    return max(started_at, now - credit)


def order_problem(building: Building, lines: Sequence[str]) -> DomainError | None:
    """The refusal of an order that reaches a line before one it `requires`, naming both."""
    by_prefix = {ln.prefix: ln for ln in building.lines}
    for i, prefix in enumerate(lines):
        line = by_prefix.get(prefix)
        if line is None:
            continue
        later = lines[i + 1 :]
        for needed in line.requires:
            if needed in later:
                return error("visit_order", line=line.name, needs=by_prefix[needed].name)
    return None


def _allowed(building: Building, order: Sequence[str]) -> bool:
    return order_problem(building, order) is None


def propose_order(
    building: Building,
    lines: Sequence[str],
    waits_s: Mapping[str, float | None],
    local_now: datetime,
) -> tuple[str, ...]:
    """The order the kiosk proposes: among the orders `requires` allows, the least expected
    total time; ties keep the citizen's order.

    Cost of an order: the first stop's wait + Σ later stops' max(0, wait − credit) + every
    service time (`target_service_min`); an order reaching a stop after it stops issuing (its
    cutoff, its closing) costs a day more. `waits_s`: each line's expected wait now (missing: 0;
    None: no counter of the line is open, counted as `_NO_COUNTER_WAIT_S`).
    """
    by_prefix = {ln.prefix: ln for ln in building.lines}
    credit_s = building.policy.visit_credit_min * 60.0
    plan = plan_for(building, local_now.date())
    best: tuple[str, ...] = tuple(lines)
    best_cost: float | None = None
    # permutations() yields the citizen's own order first, then others in a stable order.
    for order in itertools.permutations(lines):
        if not _allowed(building, order):
            continue
        cost = 0.0
        for k, prefix in enumerate(order):
            line = by_prefix.get(prefix)
            # Reached at the hand-on, `cost` from now: its number would be refused by then.
            if line is not None and k > 0 and _too_late(plan, line, local_now, cost):
                cost += _LATE_PENALTY_S
            known = waits_s.get(prefix, 0.0)
            wait = _NO_COUNTER_WAIT_S if known is None else max(0.0, known)
            cost += wait if k == 0 else max(0.0, wait - credit_s)
            cost += (line.target_service_min * 60.0) if line is not None else 0.0
        if best_cost is None or cost < best_cost:
            best, best_cost = order, cost
    return best


def _too_late(plan: Any, line: Line, local_now: datetime, after_s: float) -> bool:
    """Whether `line` stops issuing before the citizen would reach it `after_s` from now."""
    arrival = local_now + timedelta(seconds=after_s)
    if arrival.date() != local_now.date():
        return True
    refusal = hours_refusal(plan, line, arrival.time())
    return refusal is not None and refusal.code in ("after_cutoff", "closed_hours", "no_more_today")


def survey_visit(itinerary: Itinerary, tickets: Mapping[str, Ticket]) -> Visit | None:
    """The survey's view of a whole visit (`AnswerSurvey.visit`): its last served stop's ticket,
    with the visit's id and its open stops; None when no stop's ticket is known."""
    served: Ticket | None = None
    last: Ticket | None = None
    for stop in itinerary.stops:
        ticket = tickets.get(stop.ticket) if stop.ticket is not None else None
        if ticket is None:
            continue
        last = ticket
        if ticket.state is TicketState.DONE:
            served = ticket
    chosen = served or last
    if chosen is None:
        return None
    return Visit(
        ticket=chosen.id,
        day=chosen.day,
        number=chosen.number,
        line=chosen.line,
        state=chosen.state,
        counter=chosen.counter,
        officer=chosen.officer,
        finished_at=chosen.finished_at,
        itinerary=itinerary.id,
        stops_open=itinerary.stops_open,
    )


# --------------------------------------------------------------------------------------------
# The decisions (added to server/core/decide.py's DECISIONS)
# --------------------------------------------------------------------------------------------


def _named(refusal: DomainError, line: Line) -> DomainError:
    """An issue refusal naming the service it is about: a visit holds several."""
    details = {**refusal.details, "service": line.name}
    message = refusal.message
    if line.name not in message:
        message = f"{line.name}: {message}"
    return DomainError(refusal.code, message, **details)


def stop_refusal(
    state: DayState, line: Line, priority: PriorityGroup | None, local: datetime
) -> DomainError | None:
    """The refusal a stop of `line` would get in a visit started now (hours, cutoff, quota,
    part-week: a single ticket's), naming the service; None when it may. What `plan_visit`
    shows as a stop's `problem` (its `.message`)."""
    refusal = issue_refusal(
        state.plan(local.date()),
        line,
        priority,
        local.time(),
        state.used_walk_in[line.prefix],
        state.used_priority[line.prefix],
        state.released.get(line.prefix, 0),
    )
    return _named(refusal, line) if refusal is not None else None


def _issuable(state: DayState, line: Line, priority: PriorityGroup | None, local: datetime) -> None:
    refusal = stop_refusal(state, line, priority, local)
    if refusal is not None:
        raise refusal


def _start_visit(state: DayState, cmd: StartVisit, now: datetime, local: datetime) -> list[Event]:
    policy = state.building.policy
    lines = tuple(cmd.lines)
    if len(lines) < 2:
        raise error("visit_too_short")
    if len(lines) > policy.visit_max_stops:
        raise error("visit_too_long", limit=policy.visit_max_stops)
    known = [state.known_line(p) for p in lines]
    seen: set[str] = set()
    for line in known:
        if line.prefix in seen:
            raise error("visit_duplicate_line", line=line.name)
        seen.add(line.prefix)
    problem = order_problem(state.building, lines)
    if problem is not None:
        raise problem
    if cmd.token in state.tokens:
        raise error("duplicate_token")
    for line in known:
        _issuable(state, line, cmd.priority, local)
    day = state.day or local.date()
    first = known[0]
    seq, number, tid = next_ticket(day, first.prefix, state.seq[first.prefix])
    vid = visit_id(day, state.visit_seq + 1)
    return [
        TicketIssued(
            at=now,
            ticket=tid,
            day=day,
            number=number,
            seq=seq,
            line=first.prefix,
            priority=cmd.priority,
            token=cmd.token,
            kiosk=cmd.kiosk,
            visit=vid,
            stop=0,
        ),
        VisitStarted(
            at=now,
            visit=vid,
            ticket=tid,
            stops=lines,
            priority=cmd.priority,
            kiosk=cmd.kiosk,
            started_at=now,
        ),
    ]


def _active_ticket(state: DayState, counter_id: str) -> tuple[str, Ticket]:
    counter, status = state.known_counter(counter_id)
    if status.ticket is None:
        raise error("no_active_ticket")
    return counter.id, state.tickets[status.ticket]


def add_position(state: DayState, itinerary: Itinerary, line: Line) -> int:
    """Where an added stop goes: right after the current stop, but after any pending stop it
    requires and before any pending stop that requires it (visit_order when both cannot be)."""
    position = itinerary.current + 1
    upper = len(itinerary.stops)
    for i in range(itinerary.current + 1, len(itinerary.stops)):
        stop = itinerary.stops[i]
        if stop.state != PENDING:
            continue
        if stop.line in line.requires:
            position = max(position, i + 1)
        other = state.lines.get(stop.line)
        if other is not None and line.prefix in other.requires:
            upper = min(upper, i)
    if position > upper:
        needed = state.lines[itinerary.stops[position - 1].line]
        raise error("visit_order", line=line.name, needs=needed.name)
    return position


def _add_stop(state: DayState, cmd: AddStop, now: datetime, local: datetime) -> list[Event]:
    cid, ticket = _active_ticket(state, cmd.counter)
    line = state.known_line(cmd.line)
    policy = state.building.policy
    events: list[Event] = []
    vid = ticket.visit
    if vid is None:
        # A plain ticket becomes a visit of one stop, started when it joined its line.
        itinerary = Itinerary(
            id=visit_id(ticket.day, state.visit_seq + 1),
            day=ticket.day,
            token=ticket.token,
            priority=ticket.priority,
            kiosk=ticket.kiosk,
            started_at=ticket.queued_at,
            stops=[Stop(ticket.line, ticket.state.value, ticket.id, ticket.number)],
        )
        events.append(
            VisitStarted(
                at=now,
                visit=itinerary.id,
                ticket=ticket.id,
                stops=(ticket.line,),
                priority=ticket.priority,
                kiosk=ticket.kiosk,
                started_at=ticket.queued_at,
            )
        )
    else:
        itinerary = state.itineraries[vid]
    if itinerary.stop_of(line.prefix) is not None:
        raise error("stop_already_planned", line=line.name)
    planned = sum(1 for s in itinerary.stops if s.state != SKIPPED)
    if planned >= policy.visit_max_stops:
        raise error("visit_too_long", limit=policy.visit_max_stops)
    _issuable(state, line, itinerary.priority, local)
    position = add_position(state, itinerary, line)
    events.append(
        StopAdded(
            at=now,
            visit=itinerary.id,
            line=line.prefix,
            position=position,
            counter=cid,
            officer=state.counters[cid].officer,
        )
    )
    return events


def _skip_stop(state: DayState, cmd: SkipStop, now: datetime, local: datetime) -> list[Event]:
    counter: str | None = None
    by = cmd.by
    if cmd.counter is not None:
        counter, ticket = _active_ticket(state, cmd.counter)
        by = by or state.counters[counter].officer
        line = state.lines.get(cmd.line)
        name = line.name if line is not None else cmd.line
        if ticket.visit is None:
            raise error("stop_unknown", line=name)
        itinerary = state.itineraries[ticket.visit]
    else:
        itinerary = state.itineraries.get(cmd.visit or "")
        if itinerary is None:
            raise error("visit_unknown", visit=visit_label(cmd.visit or "?"))
        line = state.lines.get(cmd.line)
        name = line.name if line is not None else cmd.line
    reason = cmd.reason.strip()
    index = itinerary.stop_of(cmd.line)
    if index is None:
        if any(s.line == cmd.line for s in itinerary.stops):
            raise error("stop_not_pending", line=name)
        raise error("stop_unknown", line=name)
    stop = itinerary.stops[index]
    current_skippable = (
        cmd.counter is None
        and index == itinerary.current
        and stop.state in (TicketState.WAITING.value, TicketState.NO_SHOW.value)
    )
    if stop.state != PENDING and not current_skippable:
        raise error("stop_not_pending", line=name)
    if not reason:
        raise error("reason_required")
    skipped = StopSkipped(
        at=now, visit=itinerary.id, line=cmd.line, counter=counter, by=by, reason=reason
    )
    if stop.state == PENDING:
        return [skipped, *member_cancel(state, itinerary, cmd.line, reason, now)]
    # The floor skips the current stop: skipped first (so the fold, seeing the cancel of a
    # skipped stop, keeps the visit going), then its ticket leaves the line, and the next stop
    # is handed on.
    old = state.tickets[stop.ticket or ""]
    events: list[Event] = [skipped, TicketCancelled(at=now, ticket=old.id, reason=STOP_SKIPPED)]
    events.extend(hand_on_events(state, itinerary, old, old.counter, now, local))
    return events


def transfer_skips(
    state: DayState, ticket: Ticket, to_line: str, counter: str, now: datetime
) -> list[Event]:
    """What a Transfer of `ticket` to `to_line` adds before its TicketTransferred: when the
    ticket is a visit's current stop and `to_line` a pending stop of that visit, that stop is
    skipped (its held place given back) — the transferred ticket serves it, and a hand-on to it
    later would queue the citizen at that line a second time. [] otherwise."""
    itinerary = state.itineraries.get(ticket.visit) if ticket.visit is not None else None
    if itinerary is None or itinerary.stops[itinerary.current].ticket != ticket.id:
        return []
    # Before the TicketTransferred (which takes the current stop to `to_line`), the fold's
    # `stop_of(to_line)` finds this pending stop.
    index = itinerary.stop_of(to_line)
    if index is None or itinerary.stops[index].state != PENDING:
        return []
    return [
        StopSkipped(
            at=now,
            visit=itinerary.id,
            line=to_line,
            counter=counter,
            by=state.counters[counter].officer,
            reason=SERVED_BY_TRANSFER,
        ),
        *member_cancel(state, itinerary, to_line, SERVED_BY_TRANSFER, now),
    ]


def booked_member(state: DayState, itinerary: Itinerary, line: str) -> Booking | None:
    """The member booking still booked for `line` of a visit booked online; None otherwise."""
    if itinerary.booking is None:
        return None
    book = state.bookings
    for code in book.members.get(itinerary.booking, ()):
        member = book.by_code.get(code)
        if member is not None and member.line == line and member.state is BookingState.BOOKED:
            return member
    return None


def member_cancel(
    state: DayState, itinerary: Itinerary, line: str, reason: str, now: datetime
) -> list[Event]:
    """What a skip of `line` adds when the visit was booked online and that stop's member is
    still booked: its cancellation (the place goes back at once, to walk-ins after the
    release). [] otherwise."""
    member = booked_member(state, itinerary, line)
    if member is None:
        return []
    return [
        BookingCancelled(
            at=now,
            code=member.code,
            line=member.line,
            day=member.day,
            slot=member.slot,
            reason=reason,
        )
    ]


def _ended(
    state: DayState, itinerary: Itinerary, line: str, reason: str, now: datetime
) -> list[Event]:
    """A pending stop the building ends by itself (closed today, past closing): skipped by
    nobody, and its member booking, if the visit was booked online, cancelled with it."""
    skipped = StopSkipped(
        at=now, visit=itinerary.id, line=line, counter=None, by=None, reason=reason
    )
    return [skipped, *member_cancel(state, itinerary, line, reason, now)]


def hand_on_events(
    state: DayState,
    itinerary: Itinerary,
    left: Ticket,
    counter: str | None,
    now: datetime,
    local: datetime,
) -> list[Event]:
    """What follows the end of the citizen's stop at `left`: the next pending stop's ticket,
    queued by the credit rule, in the same command; stops whose line is closed today (part-week)
    or gone from the building are skipped on the way (CLOSED_TODAY), and so are stops whose
    line's own hours ended, with their grace, before now (CLOSED_NOW). [] when no stop is
    left."""
    events: list[Event] = []
    day = state.day or local.date()
    plan = state.plan(day)
    grace = timedelta(minutes=state.building.policy.closing_grace_min)
    if plan.hours is None or now >= at_local(state.building, day, plan.hours.close) + grace:
        # Past closing and its grace nobody would call the next stop: the later stops end now
        # (their places given back), so the visit is over — its survey, the tablet's offer, and
        # the phone page saying why — rather than left pending for the rest of the day.
        for stop in itinerary.stops[itinerary.current + 1 :]:
            if stop.state == PENDING:
                events += _ended(state, itinerary, stop.line, CLOSED_NOW, now)
        return events
    for k in range(itinerary.current + 1, len(itinerary.stops)):
        stop = itinerary.stops[k]
        if stop.state != PENDING:
            continue
        line = state.lines.get(stop.line)
        own = line_hours(plan.hours, line) if line is not None else None
        if line is None or own is None or off_day_refusal(plan, line) is not None:
            events += _ended(state, itinerary, stop.line, CLOSED_TODAY, now)
            continue
        if now >= at_local(state.building, day, own.close) + grace:
            # The line's own hours (part-week, shorter hours) ended before the building's, and
            # its grace too: nobody would call a ticket there — it would only wait to expire at
            # the building's closing. Ended like the building's closing ends every later stop,
            # and the hand-on goes on to the next stop still open.
            events += _ended(state, itinerary, stop.line, CLOSED_NOW, now)
            continue
        seq, number, tid = next_ticket(day, line.prefix, state.seq[line.prefix])
        credit = timedelta(minutes=state.building.policy.visit_credit_min)
        # A stop booked online: its ticket uses the member's place (not the walk-in quota),
        # queued by the credit rule like any next stop, and the member is checked in with it.
        member = booked_member(state, itinerary, line.prefix)
        events += [
            VisitHandedOn(
                at=now,
                visit=itinerary.id,
                from_ticket=left.id,
                from_number=left.number,
                from_line=left.line,
                counter=counter,
                ticket=tid,
                number=number,
                line=line.prefix,
            ),
            TicketIssued(
                at=now,
                ticket=tid,
                day=day,
                number=number,
                seq=seq,
                line=line.prefix,
                priority=itinerary.priority,
                token=itinerary.token,
                kiosk=None,
                visit=itinerary.id,
                stop=k,
                queued_at=next_queued_at(itinerary.started_at, now, credit),
                booking=member.code if member is not None else None,
            ),
        ]
        if member is not None:
            events.append(
                BookingCheckedIn(
                    at=now,
                    code=member.code,
                    line=member.line,
                    day=member.day,
                    slot=member.slot,
                    ticket=tid,
                    kiosk=None,
                )
            )
        events.append(TicketPrinted(at=now, ticket=tid))
        break
    return events


def finish_events(
    state: DayState, ticket: Ticket, counter: str, now: datetime, local: datetime
) -> list[Event]:
    """FinishService: ServiceFinished, then the hand-on when the ticket is a visit's stop."""
    events: list[Event] = [ServiceFinished(at=now, ticket=ticket.id, counter=counter)]
    if ticket.visit is not None:
        itinerary = state.itineraries.get(ticket.visit)
        if itinerary is not None and itinerary.stops[itinerary.current].ticket == ticket.id:
            events.extend(hand_on_events(state, itinerary, ticket, counter, now, local))
    return events


VISIT_DECISIONS: dict[type, Any] = {
    StartVisit: _start_visit,
    AddStop: _add_stop,
    SkipStop: _skip_stop,
}
