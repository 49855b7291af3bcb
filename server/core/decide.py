"""What a command decides: the events it causes, or the refusal that stops it.

Each decision reads the day's state (server/core/state.py) and returns the events that would
happen, without changing anything: `QueueState.handle` applies them only once the whole command
has been decided, so a refusal (`DomainError`) leaves the state as it was. A decision is a
function of (state, command, now, local now); `DECISIONS` maps each command type to its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final

from server.core import policy
from server.core.booking_decide import BOOKING_DECISIONS, closing_lapses, tick_events
from server.core.building import Counter
from server.core.calendar import at_local, day_last_instant
from server.core.closures import CLOSURE_DECISIONS, approval_by_close, needs_approval
from server.core.complaints import COMPLAINT_DECISIONS, closing_events
from server.core.errors import error
from server.core.events import (
    CallReason,
    CounterClosed,
    CounterOpened,
    CounterPaused,
    CounterResumed,
    DayClosed,
    Event,
    OfficerLoggedIn,
    OfficerLoggedOut,
    ServiceStarted,
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
)
from server.core.figures import overtaking_costs
from server.core.issuing import issue_refusal
from server.core.model import (
    CallNext,
    CallTicket,
    CancelTicket,
    CloseCounter,
    Command,
    ConfirmPrinted,
    CounterState,
    CounterStatus,
    FinishService,
    IssueTicket,
    LogIn,
    LogOut,
    MarkNoShow,
    OpenCounter,
    PauseCounter,
    PrintFailed,
    Reactivate,
    Recall,
    RecordReprint,
    ResumeCounter,
    RetireRemoved,
    StartService,
    Tick,
    Ticket,
    TicketState,
    Transfer,
)
from server.core.numbering import next_ticket
from server.core.part_week import desk_on, desk_refusal, off_day_refusal
from server.core.removed import misplaced_at
from server.core.state import DayState
from server.core.surveys import SURVEY_DECISIONS
from server.core.transitions import CounterAction, TicketAction, counter_move, ticket_move
from server.core.visits import VISIT_DECISIONS, finish_events, transfer_skips

__all__ = ["DECISIONS", "Decision", "day_close_events"]

# (state, command, now, now in the building's time zone) -> events, not yet applied.
Decision = Callable[[DayState, Any, datetime, datetime], list[Event]]

_WAITING = TicketState.WAITING
_SERVING = TicketState.SERVING
_PRINTING = TicketState.PRINTING
_NO_SHOW = TicketState.NO_SHOW


def _not_busy(state: DayState, status: CounterStatus) -> None:
    if status.ticket is not None:
        raise error("counter_busy", number=state.tickets[status.ticket].number)


def _active(state: DayState, status: CounterStatus) -> Ticket:
    if status.ticket is None:
        raise error("no_active_ticket")
    return state.tickets[status.ticket]


def _within_noshow_window(state: DayState, ticket: Ticket, now: datetime) -> None:
    marked = ticket.no_show_at
    if marked is not None and now - marked > state.noshow_window:
        minutes = f"{state.building.policy.noshow_window_min:g}"
        raise error("noshow_window_passed", number=ticket.number, minutes=minutes)


def _own_closure(
    state: DayState, counter: Counter, cmd: CloseCounter | LogOut, local: datetime
) -> None:
    """An officer closing their own counter (close_counter, logout): refused while its approved
    closure waits for the active ticket to end, and in service hours without an approval when
    the building asks for one (`[policy] closure_approval`; server/core/closures.py)."""
    if cmd.officer is None:
        return  # a manager, or the system
    request = state.closures.get(counter.id)
    if request is not None and request.approved_at is not None:
        raise error("closure_approved", counter=counter.name)
    if needs_approval(state, counter, local):
        raise error("closure_needs_approval", counter=counter.name)


def _not_closing(state: DayState, counter: Counter) -> None:
    """No new call at a counter whose closure is approved: it closes once this ticket ends."""
    request = state.closures.get(counter.id)
    if request is not None and request.approved_at is not None:
        raise error("closure_approved", counter=counter.name)


def _reason(text: str) -> str:
    reason = text.strip()
    if not reason:
        raise error("reason_required")
    return reason


def _issue(state: DayState, cmd: IssueTicket, now: datetime, local: datetime) -> list[Event]:
    line = state.known_line(cmd.line)
    if cmd.token in state.tokens:
        raise error("duplicate_token")
    prefix = line.prefix
    refusal = issue_refusal(
        state.plan(local.date()),
        line,
        cmd.priority,
        local.time(),
        state.used_walk_in[prefix],
        state.used_priority[prefix],
        state.released.get(prefix, 0),
    )
    if refusal is not None:
        raise refusal
    # The state's day, not the clock's: a clock stepping back over midnight must not
    # restart a sequence that was already used.
    day = state.day or local.date()
    seq, number, tid = next_ticket(day, prefix, state.seq[prefix])
    return [
        TicketIssued(
            at=now,
            ticket=tid,
            day=day,
            number=number,
            seq=seq,
            line=prefix,
            priority=cmd.priority,
            token=cmd.token,
            kiosk=cmd.kiosk,
        )
    ]


def _confirm_printed(
    state: DayState, cmd: ConfirmPrinted, now: datetime, local: datetime
) -> list[Event]:
    ticket = state.known_ticket(cmd.ticket)
    ticket_move(ticket.state, TicketAction.PRINTED, ticket.number)
    return [TicketPrinted(at=now, ticket=ticket.id)]


def _print_failed(state: DayState, cmd: PrintFailed, now: datetime, local: datetime) -> list[Event]:
    ticket = state.known_ticket(cmd.ticket)
    ticket_move(ticket.state, TicketAction.PRINT_FAILED, ticket.number)
    return [TicketPrintFailed(at=now, ticket=ticket.id, reason=cmd.reason)]


def _record_reprint(
    state: DayState, cmd: RecordReprint, now: datetime, local: datetime
) -> list[Event]:
    ticket = state.known_ticket(cmd.ticket)
    ticket_move(ticket.state, TicketAction.REPRINT, ticket.number)
    return [TicketReprinted(at=now, ticket=ticket.id, kiosk=cmd.kiosk)]


def _log_in(state: DayState, cmd: LogIn, now: datetime, local: datetime) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    counter_move(status.state, CounterAction.LOG_IN, counter.name)
    if cmd.officer not in state.officer_ids:
        raise error("unknown_officer", officer=cmd.officer)
    if counter.schedule:
        # A shared desk is its day's agency's. The hub checked at hello, but a session may
        # outlive the day it was opened on. (A counter of one agency is the hub's to check.)
        agency = state.officer_agency[cmd.officer]
        refusal = desk_refusal(state.building, counter, agency, _today(state, local))
        if refusal is not None:
            raise refusal
    elsewhere = state.officer_at.get(cmd.officer)
    if elsewhere is not None:
        where = state.counter_defs.get(elsewhere)  # None: a counter since removed from the file
        raise error("officer_elsewhere", counter=where.name if where else elsewhere)
    if status.officer is not None:
        raise error("counter_occupied", counter=counter.name)
    return [OfficerLoggedIn(at=now, counter=counter.id, officer=cmd.officer)]


def _log_out(state: DayState, cmd: LogOut, now: datetime, local: datetime) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    counter_move(status.state, CounterAction.LOG_OUT, counter.name)
    if status.officer is None:
        raise error("not_logged_in", counter=counter.name)
    _own_closure(state, counter, cmd, local)
    _not_busy(state, status)
    events: list[Event] = []
    if status.state is not CounterState.CLOSED:
        # An open counter without an officer would invite calls nobody answers.
        events.append(CounterClosed(at=now, counter=counter.id))
    events.append(OfficerLoggedOut(at=now, counter=counter.id, officer=status.officer))
    return events


def _open_counter(state: DayState, cmd: OpenCounter, now: datetime, local: datetime) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    counter_move(status.state, CounterAction.OPEN, counter.name)
    if status.officer is None:
        raise error("not_logged_in", counter=counter.name)
    return [CounterOpened(at=now, counter=counter.id)]


def _pause_counter(
    state: DayState, cmd: PauseCounter, now: datetime, local: datetime
) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    counter_move(status.state, CounterAction.PAUSE, counter.name)
    reason = _reason(cmd.reason)
    _not_busy(state, status)
    return [CounterPaused(at=now, counter=counter.id, reason=reason)]


def _resume_counter(
    state: DayState, cmd: ResumeCounter, now: datetime, local: datetime
) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    counter_move(status.state, CounterAction.RESUME, counter.name)
    return [CounterResumed(at=now, counter=counter.id)]


def _close_counter(
    state: DayState, cmd: CloseCounter, now: datetime, local: datetime
) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    counter_move(status.state, CounterAction.CLOSE, counter.name)
    _own_closure(state, counter, cmd, local)
    _not_busy(state, status)
    # A manager's close approves the counter's undecided request (one command, both events).
    approval = approval_by_close(state, counter.id, cmd.by, now) if cmd.by is not None else []
    return [*approval, CounterClosed(at=now, counter=counter.id)]


def _today(state: DayState, local: datetime) -> date:
    """The service day a command runs in: the state's (a clock stepping back stays in it)."""
    return state.day or local.date()


def _call_next(state: DayState, cmd: CallNext, now: datetime, local: datetime) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    counter_move(status.state, CounterAction.CALL, counter.name)
    _not_closing(state, counter)
    _not_busy(state, status)
    counter = desk_on(state.building, counter, _today(state, local))  # a shared desk's day
    choice = policy.choose_next(
        counter,
        state.waiting_lines,
        state.regular_since_priority,
        state.building,
        now,
        overtaking_costs(state, counter),
    )
    if choice is None:
        raise error("queue_empty")
    ticket = choice.ticket
    # The policy only reads; a wrong answer here is a bug, never a citizen's problem.
    if ticket.state is not _WAITING or ticket.line not in counter.serves:
        raise RuntimeError(f"policy chose {ticket.id} ({ticket.state}) for {counter.id}")
    return [
        TicketCalled(
            at=now,
            ticket=ticket.id,
            number=ticket.number,
            line=ticket.line,
            counter=counter.id,
            reason=choice.reason,
        )
    ]


def _call_ticket(state: DayState, cmd: CallTicket, now: datetime, local: datetime) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    counter_move(status.state, CounterAction.CALL, counter.name)
    _not_closing(state, counter)
    _not_busy(state, status)
    note = _reason(cmd.reason)
    ticket = state.known_ticket(cmd.ticket)
    ticket_move(ticket.state, TicketAction.CALL, ticket.number)
    if ticket.state is _NO_SHOW:
        _within_noshow_window(state, ticket, now)
    if ticket.line not in desk_on(state.building, counter, _today(state, local)).serves:
        line = state.lines.get(ticket.line)  # None: a line since removed from the file
        raise error(
            "line_not_served", counter=counter.name, line=line.name if line else ticket.line
        )
    return [
        TicketCalled(
            at=now,
            ticket=ticket.id,
            number=ticket.number,
            line=ticket.line,
            counter=counter.id,
            reason=CallReason.OFFICER,
            note=note,
        )
    ]


def _recall(state: DayState, cmd: Recall, now: datetime, local: datetime) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    ticket = _active(state, status)
    ticket_move(ticket.state, TicketAction.RECALL, ticket.number)
    return [
        TicketRecalled(
            at=now, ticket=ticket.id, number=ticket.number, line=ticket.line, counter=counter.id
        )
    ]


def _start_service(
    state: DayState, cmd: StartService, now: datetime, local: datetime
) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    ticket = _active(state, status)
    ticket_move(ticket.state, TicketAction.START, ticket.number)
    return [ServiceStarted(at=now, ticket=ticket.id, counter=counter.id)]


def _finish_service(
    state: DayState, cmd: FinishService, now: datetime, local: datetime
) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    ticket = _active(state, status)
    ticket_move(ticket.state, TicketAction.FINISH, ticket.number)
    # A visit's stop hands on to the next in the same command (one commit: exactly once).
    return finish_events(state, ticket, counter.id, now, local)


def _mark_no_show(state: DayState, cmd: MarkNoShow, now: datetime, local: datetime) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    ticket = _active(state, status)
    ticket_move(ticket.state, TicketAction.NO_SHOW, ticket.number)
    return [TicketNoShow(at=now, ticket=ticket.id, counter=counter.id)]


def _reactivate(state: DayState, cmd: Reactivate, now: datetime, local: datetime) -> list[Event]:
    ticket = state.known_ticket(cmd.ticket)
    ticket_move(ticket.state, TicketAction.REACTIVATE, ticket.number)
    _within_noshow_window(state, ticket, now)
    return [TicketReactivated(at=now, ticket=ticket.id)]


def _transfer(state: DayState, cmd: Transfer, now: datetime, local: datetime) -> list[Event]:
    counter, status = state.known_counter(cmd.counter)
    ticket = _active(state, status)
    target = state.known_line(cmd.line)
    ticket_move(ticket.state, TicketAction.TRANSFER, ticket.number)
    # No quota or hours check on the target: the citizen already holds a number today. But a
    # part-week line that does not serve today would leave the ticket with nobody to call it.
    if target.prefix == ticket.line:
        raise error("same_line", number=ticket.number, line=target.name)
    off_day = off_day_refusal(state.plan(_today(state, local)), target)
    if off_day is not None:
        raise off_day
    # A visit's stop sent to a line the visit still has pending: that stop is skipped first, or
    # the citizen would be queued there again at the hand-on (server/core/visits.py).
    return [
        *transfer_skips(state, ticket, target.prefix, counter.id, now),
        TicketTransferred(
            at=now,
            ticket=ticket.id,
            from_line=ticket.line,
            to_line=target.prefix,
            counter=counter.id,
        ),
    ]


def _cancel(state: DayState, cmd: CancelTicket, now: datetime, local: datetime) -> list[Event]:
    ticket = state.known_ticket(cmd.ticket)
    ticket_move(ticket.state, TicketAction.CANCEL, ticket.number)
    reason = _reason(cmd.reason)
    return [TicketCancelled(at=now, ticket=ticket.id, reason=reason)]


def _tick(state: DayState, cmd: Tick, now: datetime, local: datetime) -> list[Event]:
    """Expire stale printing reservations, and everything but services after closing; lapse
    bookings whose check-in window closed and release unused booking places (booking_decide);
    close answered complaints whose `close_days` have passed (complaints.py)."""
    events = _expiries(state, now)
    if state.bookings.by_code or any(ln.booking is not None for ln in state.lines.values()):
        events.extend(tick_events(state, now, local))
    if state.complaints.closing:
        events.extend(closing_events(state, now))
    return events


def _expiries(state: DayState, now: datetime) -> list[Event]:
    events: list[Event] = []
    timeout = state.printing_timeout
    closing = _closing_deadline(state)
    if closing is not None and now >= closing:
        # After closing only tickets being served stay open, so this walk stays short.
        for ticket in state.open_tickets.values():
            if ticket.state is _PRINTING and now - ticket.issued_at >= timeout:
                reason = "printing_timeout"
            elif ticket.state is not _SERVING:
                reason = "closing"
            else:
                continue
            events.append(TicketExpired(at=now, ticket=ticket.id, reason=reason))
        return events
    for tid in state.printing:
        ticket = state.tickets[tid]
        if now - ticket.issued_at >= timeout:
            events.append(TicketExpired(at=now, ticket=tid, reason="printing_timeout"))
    return events


def _retire_removed(
    state: DayState, cmd: RetireRemoved, now: datetime, local: datetime
) -> list[Event]:
    """Close each counter the building lacks and log out each officer it lacks, now; so too a
    counter whose officer's agency the file no longer gives it today (`misplaced_at`).

    Their tickets are left as they are: a called or served one keeps its counter (a kept
    counter's next officer finishes it; at a removed one the floor cancels it or it expires),
    and a removed line's waiting tickets wait to be cancelled or to expire.
    """
    events: list[Event] = []
    for cid, status in state.counters.items():
        removed = cid not in state.counter_defs
        officer_gone = status.officer is not None and status.officer not in state.officer_ids
        misplaced = status.officer is not None and misplaced_at(state, cid, status.officer)
        if not (removed or officer_gone or misplaced):
            continue
        if status.state is not CounterState.CLOSED:
            events.append(CounterClosed(at=now, counter=cid))
        if status.officer is not None:
            events.append(OfficerLoggedOut(at=now, counter=cid, officer=status.officer))
    return events


def _closing_deadline(state: DayState) -> datetime | None:
    """Closing time plus the grace period on the state's day; None without hours."""
    if state.day is None:
        return None
    hours = state.plan(state.day).hours
    if hours is None:
        return None
    return at_local(state.building, state.day, hours.close) + state.closing_grace


def day_close_events(state: DayState, day: date) -> list[Event]:
    """Everything that ends `day`, stamped at its last instant, then DayClosed: its open tickets
    expire, its bookings still booked lapse, its counters close and their officers log out."""
    at = day_last_instant(state.building, day)
    events: list[Event] = [
        TicketExpired(at=at, ticket=tid, reason="day_end") for tid in state.open_tickets
    ]
    events.extend(closing_lapses(state, day))
    for cid, status in state.counters.items():
        if status.state is not CounterState.CLOSED:
            events.append(CounterClosed(at=at, counter=cid))
        if status.officer is not None:
            events.append(OfficerLoggedOut(at=at, counter=cid, officer=status.officer))
    events.append(DayClosed(at=at, day=day))
    return events


# The one entry point: each command type and the function that decides it. handle() looks the
# command's type up here once per command, as it looked up its own bound methods before.
DECISIONS: Final[dict[type[Command], Decision]] = {
    IssueTicket: _issue,
    ConfirmPrinted: _confirm_printed,
    PrintFailed: _print_failed,
    RecordReprint: _record_reprint,
    LogIn: _log_in,
    LogOut: _log_out,
    OpenCounter: _open_counter,
    PauseCounter: _pause_counter,
    ResumeCounter: _resume_counter,
    CloseCounter: _close_counter,
    CallNext: _call_next,
    CallTicket: _call_ticket,
    Recall: _recall,
    StartService: _start_service,
    FinishService: _finish_service,
    MarkNoShow: _mark_no_show,
    Reactivate: _reactivate,
    Transfer: _transfer,
    CancelTicket: _cancel,
    Tick: _tick,
    RetireRemoved: _retire_removed,
    **BOOKING_DECISIONS,
    **SURVEY_DECISIONS,
    **COMPLAINT_DECISIONS,
    **VISIT_DECISIONS,
    **CLOSURE_DECISIONS,
}
