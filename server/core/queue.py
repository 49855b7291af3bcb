"""The queue state machine: `QueueState.handle(command, now) -> events`.

Theory of operation: see server/core/model.py. This module holds one service day in memory and is
the only place where commands become events and events become state.

- `handle(command, now)` first closes the day in memory if `now` falls on a later local day, then
  validates the command against the state (building its events without touching the state),
  and only then applies those events. A refusal (`DomainError`) therefore changes nothing — not
  even the pending day close, which the next command or `Tick` performs.
- `apply(event)` is the one way state changes, for live commands and for a replay after a restart
  alike; replaying `handle`'s events into a fresh `QueueState` gives an equal state (`==`).
- The state keeps per-line indexes beside the tickets (the waiting list in calling order, the
  waiting priority tickets, quota use, open-counter shares, recent service times) so that a
  command or a kiosk's query never scans all of the day's tickets.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from server.core import estimates, policy
from server.core.building import Building, Counter, Line
from server.core.calendar import DayPlan, at_local, day_last_instant, plan_for
from server.core.errors import error
from server.core.issuing import QuotaBucket, issue_refusal, quota_bucket, quota_left
from server.core.model import (
    CallNext,
    CallReason,
    CallTicket,
    CancelTicket,
    CloseCounter,
    Command,
    ConfirmPrinted,
    CounterClosed,
    CounterOpened,
    CounterPaused,
    CounterResumed,
    CounterState,
    CounterStatus,
    DayClosed,
    Event,
    FinishService,
    IssueTicket,
    LogIn,
    LogOut,
    MarkNoShow,
    OfficerLoggedIn,
    OfficerLoggedOut,
    OpenCounter,
    PauseCounter,
    PrintFailed,
    Reactivate,
    Recall,
    RecordReprint,
    ResumeCounter,
    ServiceFinished,
    ServiceStarted,
    StartService,
    Tick,
    Ticket,
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
    TicketState,
    TicketTransferred,
    Transfer,
)
from server.core.numbering import format_number, ticket_id
from server.core.transitions import (
    COUNTER_TRANSITIONS,
    EXPIRY_ACTIONS,
    TICKET_TRANSITIONS,
    CounterAction,
    TicketAction,
    counter_move,
    ticket_move,
)
from server.core.waitlist import WaitingLine

__all__ = ["LineView", "QueueState"]

_WAITING = TicketState.WAITING
_CALLED = TicketState.CALLED
_SERVING = TicketState.SERVING
_PRINTING = TicketState.PRINTING
_NO_SHOW = TicketState.NO_SHOW


@dataclass(frozen=True, slots=True)
class LineView:
    """What a kiosk, TV or dashboard needs to know about one line right now. No personal data."""

    prefix: str
    name: str
    agency: str
    issuing: bool  # a new ticket would be issued now (walk-in)
    refusal_code: str | None  # why not: "holiday", "closed_day", "not_open_yet", "closed_hours",
    #                           "on_break", "no_more_today", "after_cutoff", "quota_exhausted"
    #                           (None when issuing; see server.core.issuing). A closed counter
    #                           does not stop issuing: see counters_open.
    refusal_message: str | None  # Indonesian, for the citizen
    waiting: int  # tickets in WAITING state on this line
    waiting_priority: int
    longest_wait_s: float  # of the tickets waiting now; 0 when none
    quota_left_walk_in: int | None  # None = no quota
    quota_left_priority: int | None
    counters_open: int  # open (not paused/closed) counters serving this line
    estimated_wait_s: float  # for a walk-in ticket issued now
    issued: int  # tickets issued today (all states, including cancelled)
    served: int  # tickets finished today on this line
    # The staffing hint's inputs (server.core.estimates): tickets first issued on this line per
    # hour over the recent window, the expected service time the wait estimates use, and the
    # Erlang C mean wait with c counters for each stable c (so a dashboard looks its hint up).
    arrivals_per_h: float
    mean_service_s: float
    staffing_waits: tuple[tuple[int, float], ...]


class QueueState:
    """Today's queue: every ticket and counter of one service day.

    `handle` validates a command against the state: it raises `DomainError` and changes nothing,
    or returns the events that happened, already applied. `apply` replays an event (restart).
    """

    building: Building
    day: date | None  # the service day in memory; None before the first event
    tickets: dict[str, Ticket]  # today's tickets by id
    counters: dict[str, CounterStatus]  # every counter of the building by id

    def __init__(self, building: Building) -> None:
        self.building = building
        # The building's lookups, resolved once: handle() runs tens of thousands of times a second.
        self._tz = building.tz
        self._lines: dict[str, Line] = {ln.prefix: ln for ln in building.lines}
        self._counter_defs: dict[str, Counter] = {c.id: c for c in building.counters}
        self._officer_ids = frozenset(o.id for o in building.officers)
        # Counters serving each line: the open-counter figures are recomputed from these.
        self._line_counters: dict[str, tuple[Counter, ...]] = {
            p: tuple(c for c in building.counters if p in c.serves) for p in self._lines
        }
        self._printing_timeout = timedelta(seconds=building.policy.printing_timeout_s)
        self._noshow_window = timedelta(minutes=building.policy.noshow_window_min)
        self._closing_grace = timedelta(minutes=building.policy.closing_grace_min)
        # The calendar of the last day asked about: the plan only changes at midnight.
        self._plan_cache: DayPlan | None = None
        self._builders: dict[type[Command], Callable[[Any, datetime, datetime], list[Event]]] = {
            IssueTicket: self._issue,
            ConfirmPrinted: self._confirm_printed,
            PrintFailed: self._print_failed,
            RecordReprint: self._record_reprint,
            LogIn: self._log_in,
            LogOut: self._log_out,
            OpenCounter: self._open_counter,
            PauseCounter: self._pause_counter,
            ResumeCounter: self._resume_counter,
            CloseCounter: self._close_counter,
            CallNext: self._call_next,
            CallTicket: self._call_ticket,
            Recall: self._recall,
            StartService: self._start_service,
            FinishService: self._finish_service,
            MarkNoShow: self._mark_no_show,
            Reactivate: self._reactivate,
            Transfer: self._transfer,
            CancelTicket: self._cancel,
            Tick: self._tick,
        }
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
            DayClosed: self._on_day_closed,
        }
        self._reset()

    def _reset(self) -> None:
        """Empty the day: a fresh state and the state after DayClosed are the same thing."""
        lines = self._lines
        self.day = None
        self.tickets = {}
        self.counters = {c.id: CounterStatus(c.id) for c in self.building.counters}
        # Per line, the WAITING tickets in calling order: call-next reads the head, and a
        # reactivated or transferred ticket is inserted back at its original place.
        self._waiting: dict[str, WaitingLine] = {p: WaitingLine() for p in lines}
        # Tickets still able to change (not done/cancelled/expired), in issue order: what the
        # closing and the day's end expire, without walking the finished ones.
        self._open: dict[str, Ticket] = {}
        # Printing reservations and the quota each holds, released if the print never happens.
        self._printing: dict[str, QuotaBucket] = {}
        self._tokens: dict[str, str] = {}  # public token -> ticket id, for the status page
        # Ticket ids by their latest call or recall, oldest first (an ordered set): the TVs'
        # recent calls in commit order, which timestamps alone cannot give at one instant.
        self._call_order: dict[str, None] = {}
        self._seq: dict[str, int] = dict.fromkeys(lines, 0)  # highest number issued per line
        self._issued: dict[str, int] = dict.fromkeys(lines, 0)
        self._served: dict[str, int] = dict.fromkeys(lines, 0)
        self._used_walk_in: dict[str, int] = dict.fromkeys(lines, 0)
        self._used_priority: dict[str, int] = dict.fromkeys(lines, 0)
        # Regular calls per line since its last priority call: the policy's ratio input. A line
        # without a call yet may call a priority ticket at once.
        self.regular_since_priority: dict[str, int] = dict.fromkeys(
            lines, self.building.policy.regular_per_priority
        )
        window = self.building.policy.estimate_window
        # Recent service durations per line (seconds), the estimate's input; bounded.
        self._recent: dict[str, deque[float]] = {p: deque(maxlen=window) for p in lines}
        self._officer_at: dict[str, str] = {}  # officer id -> counter id: one counter each
        # Open counters per line, whole and fractional (a counter open on k lines gives 1/k).
        self._open_count: dict[str, int] = dict.fromkeys(lines, 0)
        self._open_share: dict[str, float] = dict.fromkeys(lines, 0.0)

    # ----------------------------------------------------------------------------------------
    # Commands
    # ----------------------------------------------------------------------------------------

    def handle(self, command: Command, now: datetime) -> list[Event]:
        """Run a command at `now` (aware); return its events, applied. DomainError: no change."""
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        local = now.astimezone(self._tz)
        builder = self._builders.get(type(command))
        if builder is None:
            raise TypeError(f"not a queue command: {command!r}")
        if self.day is not None and local.date() > self.day:
            # A new day: the command runs against the state the day close leaves behind, which
            # is a fresh state. Building it on a scratch state keeps handle() atomic.
            events = self._day_close_events(self.day)
            scratch = QueueState(self.building)
            events.extend(scratch._builders[type(command)](command, now, local))
        else:
            events = builder(command, now, local)
        for event in events:
            self.apply(event)
        return events

    def _plan(self, day: date) -> DayPlan:
        plan = self._plan_cache
        if plan is None or plan.day != day:
            plan = self._plan_cache = plan_for(self.building, day)
        return plan

    def _line(self, prefix: str) -> Line:
        line = self._lines.get(prefix)
        if line is None:
            raise error("unknown_line", line=prefix)
        return line

    def _ticket(self, tid: str) -> Ticket:
        ticket = self.tickets.get(tid)
        if ticket is None:
            raise error("unknown_ticket", ticket=tid)
        return ticket

    def _counter(self, cid: str) -> tuple[Counter, CounterStatus]:
        counter = self._counter_defs.get(cid)
        if counter is None:
            raise error("unknown_counter", counter=cid)
        return counter, self.counters[cid]

    def _not_busy(self, status: CounterStatus) -> None:
        if status.ticket is not None:
            raise error("counter_busy", number=self.tickets[status.ticket].number)

    def _active(self, status: CounterStatus) -> Ticket:
        if status.ticket is None:
            raise error("no_active_ticket")
        return self.tickets[status.ticket]

    def _within_noshow_window(self, ticket: Ticket, now: datetime) -> None:
        marked = ticket.no_show_at
        if marked is not None and now - marked > self._noshow_window:
            minutes = f"{self.building.policy.noshow_window_min:g}"
            raise error("noshow_window_passed", number=ticket.number, minutes=minutes)

    @staticmethod
    def _reason(text: str) -> str:
        reason = text.strip()
        if not reason:
            raise error("reason_required")
        return reason

    def _issue(self, cmd: IssueTicket, now: datetime, local: datetime) -> list[Event]:
        line = self._line(cmd.line)
        if cmd.token in self._tokens:
            raise error("duplicate_token")
        prefix = line.prefix
        refusal = issue_refusal(
            self._plan(local.date()),
            line,
            cmd.priority,
            local.time(),
            self._used_walk_in[prefix],
            self._used_priority[prefix],
        )
        if refusal is not None:
            raise refusal
        # The state's day, not the clock's: a clock stepping back over midnight must not
        # restart a sequence that was already used.
        day = self.day or local.date()
        seq = self._seq[prefix] + 1
        number = format_number(prefix, seq)
        return [
            TicketIssued(
                at=now,
                ticket=ticket_id(day, number),
                day=day,
                number=number,
                seq=seq,
                line=prefix,
                priority=cmd.priority,
                token=cmd.token,
                kiosk=cmd.kiosk,
            )
        ]

    def _confirm_printed(self, cmd: ConfirmPrinted, now: datetime, local: datetime) -> list[Event]:
        ticket = self._ticket(cmd.ticket)
        ticket_move(ticket.state, TicketAction.PRINTED, ticket.number)
        return [TicketPrinted(at=now, ticket=ticket.id)]

    def _print_failed(self, cmd: PrintFailed, now: datetime, local: datetime) -> list[Event]:
        ticket = self._ticket(cmd.ticket)
        ticket_move(ticket.state, TicketAction.PRINT_FAILED, ticket.number)
        return [TicketPrintFailed(at=now, ticket=ticket.id, reason=cmd.reason)]

    def _record_reprint(self, cmd: RecordReprint, now: datetime, local: datetime) -> list[Event]:
        ticket = self._ticket(cmd.ticket)
        ticket_move(ticket.state, TicketAction.REPRINT, ticket.number)
        return [TicketReprinted(at=now, ticket=ticket.id, kiosk=cmd.kiosk)]

    def _log_in(self, cmd: LogIn, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        counter_move(status.state, CounterAction.LOG_IN, counter.name)
        if cmd.officer not in self._officer_ids:
            raise error("unknown_officer", officer=cmd.officer)
        elsewhere = self._officer_at.get(cmd.officer)
        if elsewhere is not None:
            raise error("officer_elsewhere", counter=self._counter_defs[elsewhere].name)
        if status.officer is not None:
            raise error("counter_occupied", counter=counter.name)
        return [OfficerLoggedIn(at=now, counter=counter.id, officer=cmd.officer)]

    def _log_out(self, cmd: LogOut, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        counter_move(status.state, CounterAction.LOG_OUT, counter.name)
        if status.officer is None:
            raise error("not_logged_in", counter=counter.name)
        self._not_busy(status)
        events: list[Event] = []
        if status.state is not CounterState.CLOSED:
            # An open counter without an officer would invite calls nobody answers.
            events.append(CounterClosed(at=now, counter=counter.id))
        events.append(OfficerLoggedOut(at=now, counter=counter.id, officer=status.officer))
        return events

    def _open_counter(self, cmd: OpenCounter, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        counter_move(status.state, CounterAction.OPEN, counter.name)
        if status.officer is None:
            raise error("not_logged_in", counter=counter.name)
        return [CounterOpened(at=now, counter=counter.id)]

    def _pause_counter(self, cmd: PauseCounter, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        counter_move(status.state, CounterAction.PAUSE, counter.name)
        reason = self._reason(cmd.reason)
        self._not_busy(status)
        return [CounterPaused(at=now, counter=counter.id, reason=reason)]

    def _resume_counter(self, cmd: ResumeCounter, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        counter_move(status.state, CounterAction.RESUME, counter.name)
        return [CounterResumed(at=now, counter=counter.id)]

    def _close_counter(self, cmd: CloseCounter, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        counter_move(status.state, CounterAction.CLOSE, counter.name)
        self._not_busy(status)
        return [CounterClosed(at=now, counter=counter.id)]

    def _call_next(self, cmd: CallNext, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        counter_move(status.state, CounterAction.CALL, counter.name)
        self._not_busy(status)
        choice = policy.choose_next(
            counter,
            self._waiting,
            self.regular_since_priority,
            self.building,
            now,
            self._overtaking_costs(counter),
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

    def _call_ticket(self, cmd: CallTicket, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        counter_move(status.state, CounterAction.CALL, counter.name)
        self._not_busy(status)
        note = self._reason(cmd.reason)
        ticket = self._ticket(cmd.ticket)
        ticket_move(ticket.state, TicketAction.CALL, ticket.number)
        if ticket.state is _NO_SHOW:
            self._within_noshow_window(ticket, now)
        if ticket.line not in counter.serves:
            raise error("line_not_served", counter=counter.name, line=self._lines[ticket.line].name)
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

    def _recall(self, cmd: Recall, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        ticket = self._active(status)
        ticket_move(ticket.state, TicketAction.RECALL, ticket.number)
        return [
            TicketRecalled(
                at=now, ticket=ticket.id, number=ticket.number, line=ticket.line, counter=counter.id
            )
        ]

    def _start_service(self, cmd: StartService, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        ticket = self._active(status)
        ticket_move(ticket.state, TicketAction.START, ticket.number)
        return [ServiceStarted(at=now, ticket=ticket.id, counter=counter.id)]

    def _finish_service(self, cmd: FinishService, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        ticket = self._active(status)
        ticket_move(ticket.state, TicketAction.FINISH, ticket.number)
        return [ServiceFinished(at=now, ticket=ticket.id, counter=counter.id)]

    def _mark_no_show(self, cmd: MarkNoShow, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        ticket = self._active(status)
        ticket_move(ticket.state, TicketAction.NO_SHOW, ticket.number)
        return [TicketNoShow(at=now, ticket=ticket.id, counter=counter.id)]

    def _reactivate(self, cmd: Reactivate, now: datetime, local: datetime) -> list[Event]:
        ticket = self._ticket(cmd.ticket)
        ticket_move(ticket.state, TicketAction.REACTIVATE, ticket.number)
        self._within_noshow_window(ticket, now)
        return [TicketReactivated(at=now, ticket=ticket.id)]

    def _transfer(self, cmd: Transfer, now: datetime, local: datetime) -> list[Event]:
        counter, status = self._counter(cmd.counter)
        ticket = self._active(status)
        target = self._line(cmd.line)
        ticket_move(ticket.state, TicketAction.TRANSFER, ticket.number)
        # No quota or hours check on the target: the citizen already holds a number today.
        if target.prefix == ticket.line:
            raise error("same_line", number=ticket.number, line=target.name)
        return [
            TicketTransferred(
                at=now,
                ticket=ticket.id,
                from_line=ticket.line,
                to_line=target.prefix,
                counter=counter.id,
            )
        ]

    def _cancel(self, cmd: CancelTicket, now: datetime, local: datetime) -> list[Event]:
        ticket = self._ticket(cmd.ticket)
        ticket_move(ticket.state, TicketAction.CANCEL, ticket.number)
        reason = self._reason(cmd.reason)
        return [TicketCancelled(at=now, ticket=ticket.id, reason=reason)]

    def _tick(self, cmd: Tick, now: datetime, local: datetime) -> list[Event]:
        """Expire stale printing reservations, and everything but services after closing."""
        events: list[Event] = []
        timeout = self._printing_timeout
        closing = self._closing_deadline()
        if closing is not None and now >= closing:
            # After closing only tickets being served stay open, so this walk stays short.
            for ticket in self._open.values():
                if ticket.state is _PRINTING and now - ticket.issued_at >= timeout:
                    reason = "printing_timeout"
                elif ticket.state is not _SERVING:
                    reason = "closing"
                else:
                    continue
                events.append(TicketExpired(at=now, ticket=ticket.id, reason=reason))
            return events
        for tid in self._printing:
            ticket = self.tickets[tid]
            if now - ticket.issued_at >= timeout:
                events.append(TicketExpired(at=now, ticket=tid, reason="printing_timeout"))
        return events

    def _closing_deadline(self) -> datetime | None:
        """Closing time plus the grace period on the state's day; None without hours."""
        if self.day is None:
            return None
        hours = self._plan(self.day).hours
        if hours is None:
            return None
        return at_local(self.building, self.day, hours.close) + self._closing_grace

    def _day_close_events(self, day: date) -> list[Event]:
        """Everything that ends `day`, stamped at its last instant, then DayClosed."""
        at = day_last_instant(self.building, day)
        events: list[Event] = [
            TicketExpired(at=at, ticket=tid, reason="day_end") for tid in self._open
        ]
        for cid, status in self.counters.items():
            if status.state is not CounterState.CLOSED:
                events.append(CounterClosed(at=at, counter=cid))
            if status.officer is not None:
                events.append(OfficerLoggedOut(at=at, counter=cid, officer=status.officer))
        events.append(DayClosed(at=at, day=day))
        return events

    # ----------------------------------------------------------------------------------------
    # Events
    # ----------------------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Change the state by one event. Deterministic; raises ValueError on a corrupt log."""
        applier = self._appliers.get(type(event))
        if applier is None:
            raise TypeError(f"not a queue event: {event!r}")
        if self.day is None and not isinstance(event, DayClosed):
            # Any event opens the day, not only a ticket: a day when counters opened but nobody
            # took a ticket must still be closed, or its officers would stay logged in tomorrow.
            self.day = self.building.service_day(event.at)
        applier(event)

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
        self._waiting[ticket.line].add(ticket)

    def _dequeue(self, ticket: Ticket) -> None:
        self._waiting[ticket.line].discard(ticket)

    def _release_counter(self, ticket: Ticket) -> None:
        status = self.counters.get(ticket.counter) if ticket.counter is not None else None
        if status is not None and status.ticket == ticket.id:
            status.ticket = None

    def _release_quota(self, ticket: Ticket) -> None:
        bucket = self._printing.pop(ticket.id)
        used = self._used_priority if bucket is QuotaBucket.PRIORITY else self._used_walk_in
        used[ticket.line] -= 1

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
        )
        prefix = ev.line
        self.tickets[ev.ticket] = ticket
        self._tokens[ev.token] = ev.ticket
        self._open[ev.ticket] = ticket
        if ev.seq > self._seq[prefix]:
            self._seq[prefix] = ev.seq
        self._issued[prefix] += 1
        used_walk_in, used_priority = self._used_walk_in[prefix], self._used_priority[prefix]
        bucket = quota_bucket(self._lines[prefix], ev.priority, used_walk_in, used_priority)
        # Over every quota only when replaying a log written before the quota was lowered.
        if bucket is QuotaBucket.PRIORITY:
            self._used_priority[prefix] += 1
        else:
            bucket = QuotaBucket.WALK_IN
            self._used_walk_in[prefix] += 1
        self._printing[ev.ticket] = bucket

    def _on_printed(self, ev: TicketPrinted) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.PRINTED)
        del self._printing[ev.ticket]  # the quota is used for good now
        self._enqueue(ticket)

    def _on_print_failed(self, ev: TicketPrintFailed) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.PRINT_FAILED)
        self._release_quota(ticket)
        del self._open[ev.ticket]

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
        self.counters[ev.counter].ticket = ev.ticket
        if ticket.priority is not None:
            self.regular_since_priority[ev.line] = 0
            # The regular tickets this call went ahead of absorb one more overtaking: the
            # policy's guard reads the count. A pure function of the log, so replay agrees.
            for passed in policy.passed_over(self._counter_defs[ev.counter], self._waiting, ticket):
                passed.overtaken += 1
        else:
            self.regular_since_priority[ev.line] += 1

    def _on_recalled(self, ev: TicketRecalled) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.RECALL)
        ticket.calls += 1
        ticket.last_call_at = ev.at
        self._called_now(ticket)

    def _called_now(self, ticket: Ticket) -> None:
        self._call_order.pop(ticket.id, None)
        self._call_order[ticket.id] = None

    def _on_started(self, ev: ServiceStarted) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.START)
        ticket.started_at = ev.at

    def _on_finished(self, ev: ServiceFinished) -> None:
        ticket = self.tickets[ev.ticket]
        self._move(ticket, TicketAction.FINISH)
        ticket.finished_at = ev.at
        self._release_counter(ticket)
        del self._open[ev.ticket]
        self._served[ticket.line] += 1
        if ticket.started_at is not None:
            self._recent[ticket.line].append((ev.at - ticket.started_at).total_seconds())

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
        ticket.line = ev.to_line
        ticket.transfers = (*ticket.transfers, ev.from_line)
        ticket.counter = None
        ticket.called_at = ticket.last_call_at = None
        ticket.started_at = None
        ticket.call_reason = None
        # Same number, same queued_at: it joins the new line where its arrival time puts it.
        self._enqueue(ticket)

    def _on_cancelled(self, ev: TicketCancelled) -> None:
        ticket = self.tickets[ev.ticket]
        old = self._move(ticket, TicketAction.CANCEL)
        if old is _WAITING:
            self._dequeue(ticket)
        elif old is _CALLED:
            self._release_counter(ticket)
        del self._open[ev.ticket]

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
        elif old is _CALLED or old is _SERVING:
            self._release_counter(ticket)
        del self._open[ev.ticket]

    def _on_logged_in(self, ev: OfficerLoggedIn) -> None:
        status = self.counters[ev.counter]
        self._move_counter(status, CounterAction.LOG_IN)
        status.officer = ev.officer
        self._officer_at[ev.officer] = ev.counter

    def _on_logged_out(self, ev: OfficerLoggedOut) -> None:
        status = self.counters[ev.counter]
        self._move_counter(status, CounterAction.LOG_OUT)
        status.officer = None
        self._officer_at.pop(ev.officer, None)

    def _counter_changed(self, status: CounterStatus, at: datetime) -> None:
        status.since = at
        if status.state is not CounterState.PAUSED:
            status.pause_reason = None
        # Recount the lines this counter serves from scratch: exact, and only a few counters.
        for prefix in self._counter_defs[status.id].serves:
            serving = self._line_counters.get(prefix)
            if serving is None:
                continue
            count = 0
            share = 0.0
            for counter in serving:
                if self.counters[counter.id].state is CounterState.OPEN:
                    count += 1
                    share += 1.0 / len(counter.serves)
            self._open_count[prefix] = count
            self._open_share[prefix] = share

    def _on_counter_opened(self, ev: CounterOpened) -> None:
        status = self.counters[ev.counter]
        self._move_counter(status, CounterAction.OPEN)
        self._counter_changed(status, ev.at)

    def _on_counter_paused(self, ev: CounterPaused) -> None:
        status = self.counters[ev.counter]
        self._move_counter(status, CounterAction.PAUSE)
        status.pause_reason = ev.reason
        self._counter_changed(status, ev.at)

    def _on_counter_resumed(self, ev: CounterResumed) -> None:
        status = self.counters[ev.counter]
        self._move_counter(status, CounterAction.RESUME)
        self._counter_changed(status, ev.at)

    def _on_counter_closed(self, ev: CounterClosed) -> None:
        status = self.counters[ev.counter]
        self._move_counter(status, CounterAction.CLOSE)
        self._counter_changed(status, ev.at)

    def _on_day_closed(self, ev: DayClosed) -> None:
        self._reset()

    # ----------------------------------------------------------------------------------------
    # Queries: pure reads, used by the hub, the kiosk, the TV and the floor dashboard.
    # ----------------------------------------------------------------------------------------

    def calls_newest_first(self) -> Iterator[Ticket]:
        """Tickets with a standing call (called_at set), by their latest call or recall, newest
        first: the order the calls and recalls were committed in, even at one instant."""
        for tid in reversed(self._call_order):
            ticket = self.tickets[tid]
            if ticket.called_at is not None:
                yield ticket

    def waiting(self, prefix: str) -> list[Ticket]:
        """Tickets waiting on a line, in the order FIFO would call them."""
        return list(self._waiting.get(prefix, ()))

    def _ahead(self, ticket: Ticket) -> int:
        if ticket.state is _WAITING:
            where: Ticket | None = ticket
        elif ticket.state is _PRINTING:
            where = None  # not queued yet: as if it joined now, at the back
        else:
            return 0
        return self._waiting[ticket.line].calls_before(
            where,
            ticket.priority is not None,
            self.building.policy.regular_per_priority,
            self.regular_since_priority[ticket.line],
        )

    def people_ahead(self, ticket_id: str) -> int:
        """How many tickets would be called before this one on its line (0 when called).

        By the calling policy's order within the line (see `WaitingLine.calls_before`: exact
        except for priority counters and the max-wait rule). DomainError for an unknown ticket.
        """
        return self._ahead(self._ticket(ticket_id))

    def calling_order(self, prefix: str) -> list[Ticket]:
        """A line's waiting tickets in the order they would be called (people_ahead for all).

        One pass over the line: for a status board that shows every ticket's position.
        """
        return self._waiting[self._line(prefix).prefix].calling_order(
            self.building.policy.regular_per_priority, self.regular_since_priority[prefix]
        )

    def ticket_by_token(self, token: str) -> Ticket | None:
        tid = self._tokens.get(token)
        return None if tid is None else self.tickets[tid]

    def _estimate(self, line: Line, ahead: int) -> float:
        service_s = estimates.mean_service_s(self._recent[line.prefix], line.target_service_min)
        return estimates.estimate_wait_s(ahead, self._open_share[line.prefix], service_s)

    def line_view(self, prefix: str, now: datetime) -> LineView:
        line = self._line(prefix)
        local = now.astimezone(self._tz)
        used_walk_in = self._used_walk_in[prefix]
        used_priority = self._used_priority[prefix]
        refusal = issue_refusal(
            self._plan(local.date()), line, None, local.time(), used_walk_in, used_priority
        )
        queue = self._waiting[prefix]
        priority_total = len(queue.priority)
        service_s = estimates.mean_service_s(self._recent[prefix], line.target_service_min)
        arrivals = self._arrivals_per_h(prefix, now)
        return LineView(
            prefix=prefix,
            name=line.name,
            agency=line.agency,
            issuing=refusal is None,
            refusal_code=None if refusal is None else refusal.code,
            refusal_message=None if refusal is None else refusal.message,
            waiting=len(queue),
            waiting_priority=priority_total,
            longest_wait_s=max(0.0, (now - queue[0].queued_at).total_seconds()) if queue else 0.0,
            quota_left_walk_in=quota_left(line.quota_walk_in, used_walk_in),
            quota_left_priority=quota_left(line.quota_priority, used_priority),
            counters_open=self._open_count[prefix],
            # A walk-in ticket issued now joins at the back: everyone waiting is ahead of it.
            estimated_wait_s=self._estimate(line, len(queue)),
            issued=self._issued[prefix],
            served=self._served[prefix],
            arrivals_per_h=arrivals,
            mean_service_s=service_s,
            staffing_waits=tuple(estimates.staffing_waits(arrivals, service_s)),
        )

    def _arrivals_per_h(self, prefix: str, now: datetime) -> float:
        """Tickets first issued on the line per hour over `estimates.arrival_window_min`.

        A line's numbers are issued in time order and a ticket keeps its id across transfers,
        so a binary search over the line's numbers finds the window without a scan.
        """
        day = self.day
        if day is None:
            return 0.0
        first = [
            self.tickets[ticket_id(day, format_number(p, 1))].issued_at
            for p, seq in self._seq.items()
            if seq
        ]
        if not first:
            return 0.0
        window_min = estimates.arrival_window_min((now - min(first)).total_seconds() / 60.0)
        since = now - timedelta(minutes=window_min)

        def issued_at(n: int) -> datetime:
            return self.tickets[ticket_id(day, format_number(prefix, n))].issued_at

        lo, hi = 1, self._seq[prefix] + 1  # the first number issued at or after `since`
        while lo < hi:
            mid = (lo + hi) // 2
            if issued_at(mid) < since:
                lo = mid + 1
            else:
                hi = mid
        upto = self._seq[prefix]  # ...and the last issued at or before now
        while upto >= lo and issued_at(upto) > now:
            upto -= 1
        return max(0, upto - lo + 1) * 60.0 / window_min

    def next_for(self, counter_id: str, now: datetime, n: int = 5) -> list[Ticket]:
        """The next n tickets this counter would call, by the calling policy (a preview).

        Empty for an unknown counter: a query has nothing to refuse.
        """
        counter = self._counter_defs.get(counter_id)
        if counter is None:
            return []
        return policy.preview(
            counter,
            self._waiting,
            self.regular_since_priority,
            self.building,
            now,
            n,
            self._overtaking_costs(counter),
        )

    def _overtaking_costs(self, counter: Counter) -> dict[str, float]:
        """What one overtaking costs each of the counter's lines now: the guard's input.

        A line's current service estimate over its open counters, the same figures the
        kiosk's wait estimate uses; a counter that is not open still counts as one.
        """
        return {
            prefix: policy.overtaking_cost_s(
                estimates.mean_service_s(
                    self._recent[prefix], self._lines[prefix].target_service_min
                ),
                self._open_share[prefix],
            )
            for prefix in counter.serves
        }

    def estimated_wait_s(self, ticket_id: str, now: datetime) -> float:
        """Expected seconds until this ticket is called; 0 once called or finished."""
        ticket = self._ticket(ticket_id)
        if ticket.state is not _WAITING and ticket.state is not _PRINTING:
            return 0.0
        return self._estimate(self._lines[ticket.line], self._ahead(ticket))

    # ----------------------------------------------------------------------------------------
    # Equality: replaying handle()'s events must rebuild exactly this, indexes included.
    # ----------------------------------------------------------------------------------------

    def _comparable(self) -> tuple[object, ...]:
        return (
            self.day,
            self.tickets,
            self.counters,
            self._waiting,
            {p: q.priority for p, q in self._waiting.items()},
            list(self._open),
            self._printing,
            self._tokens,
            list(self._call_order),
            self._seq,
            self._issued,
            self._served,
            self._used_walk_in,
            self._used_priority,
            self.regular_since_priority,
            {p: list(d) for p, d in self._recent.items()},
            self._officer_at,
            self._open_count,
            self._open_share,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QueueState):
            return NotImplemented
        return self.building == other.building and self._comparable() == other._comparable()

    __hash__ = None  # type: ignore[assignment]  # mutable
