"""The queue core's vocabulary: states, tickets, counters, and the commands that come in.

Theory of operation: the core is a pure state machine. A command (what someone asked for) is
checked against the current state by `server.core.queue.QueueState.handle(command, now)`, which
either raises a `DomainError` and changes nothing, or returns the events (what happened) and
applies them. Replaying the same events with `QueueState.apply` rebuilds the same state, which is
how the server restarts from its event log. Nothing here reads the clock, the disk or the network:
time comes in as `now`, and randomness (the public ticket token) comes in inside the command.

The events themselves, and the one way to write and read them, are in server/core/events.py:
the store, the wire and the report share them, and the protocol publishes them to clients.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

# The vocabularies a ticket shares with the events that make it (events.py owns them).
from server.core.events import CallReason, PriorityGroup

__all__ = [
    "AddStop",
    "AnswerComplaint",
    "AnswerSurvey",
    "Book",
    "BookVisit",
    "CallNext",
    "CallTicket",
    "CancelBooking",
    "CancelTicket",
    "CheckIn",
    "CloseComplaint",
    "CloseCounter",
    "ClosureRequest",
    "Command",
    "ConfirmPrinted",
    "CounterState",
    "CounterStatus",
    "DecideClosure",
    "DomainError",
    "FileComplaint",
    "FinishService",
    "IssueTicket",
    "LogIn",
    "LogOut",
    "MarkNoShow",
    "OpenCounter",
    "PauseCounter",
    "PrintFailed",
    "Reactivate",
    "Recall",
    "RecordReprint",
    "RequestClosure",
    "Reschedule",
    "ResumeCounter",
    "RetireRemoved",
    "SkipStop",
    "StartService",
    "StartVisit",
    "TakeComplaint",
    "Tick",
    "Ticket",
    "TicketState",
    "Transfer",
    "Visit",
    "WithdrawClosure",
    "visit_of",
]


# --------------------------------------------------------------------------------------------
# States
# --------------------------------------------------------------------------------------------


class TicketState(StrEnum):
    PRINTING = "printing"  # number reserved, not yet in the queue: the printer has not taken it
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"  # reactivatable within PolicySettings.noshow_window_min
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # still open at closing, or a printing reservation that timed out


class CounterState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


# --------------------------------------------------------------------------------------------
# Current state
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Ticket:
    id: str  # "2026-11-23/A-017": unique for ever
    day: date  # the service day (local date) it was issued on
    number: str  # "A-017": what is printed and read aloud; kept across transfers
    seq: int  # 17
    line: str  # the line it waits in now (changes on transfer)
    priority: PriorityGroup | None
    state: TicketState
    issued_at: datetime
    queued_at: datetime  # FIFO key: issue time, kept on transfer, restored on reactivation
    token: str  # random public id for the status page /t/<token>; never a personal datum
    kiosk: str | None = None
    counter: str | None = None  # the counter that called or serves it
    called_at: datetime | None = None  # first call by the current counter
    last_call_at: datetime | None = None  # the latest call or recall (what a TV list shows)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    no_show_at: datetime | None = None
    calls: int = 0  # calls and recalls, all counters
    call_reason: CallReason | None = None
    transfers: tuple[str, ...] = ()  # lines it left, in order
    reprints: int = 0  # copies printed by the floor staff (TicketReprinted)
    # Of `overtaken`, those by booked citizens (policy.booking_jump): the guard bounds them with
    # an allowance of their own, apart from the priority citizens' (docs/calling-policy.md).
    booked_ahead: int = 0
    # Priority and booked tickets called before it while it waited, though queued after it (on
    # any line of the calling counter): the overtakings it absorbed, which the policy bounds.
    overtaken: int = 0
    # Online booking (issue 19): the booking code and its slot's start (aware, like queued_at)
    # for a ticket checked in from a booking; None for a walk-in ticket.
    booking: str | None = None
    slot: datetime | None = None
    # The officer logged in at the counter when its service started (issue 20): whom the SKM
    # survey's answer and a complaint about this visit are filed under (managers only see it).
    officer: str | None = None
    # One visit, several agencies (issue 22): the visit's id ("2026-12-04/KJ-007") and this
    # ticket's stop index in its itinerary (server/core/visits.py); None for a plain ticket.
    visit: str | None = None
    stop: int | None = None

    @property
    def is_priority(self) -> bool:
        return self.priority is not None


@dataclass(slots=True)
class CounterStatus:
    id: str
    state: CounterState = CounterState.CLOSED
    officer: str | None = None  # who is logged in
    pause_reason: str | None = None
    since: datetime | None = None  # when the state last changed
    ticket: str | None = None  # the active (called or serving) ticket id: at most one


@dataclass(slots=True)
class ClosureRequest:
    """An officer's request to close their counter (issue 23; server/core/closures.py): pending
    until a manager decides; once approved (`approved_at`, `by`) the counter closes as soon as
    it has no active ticket. Kept in `DayState.closures` by counter id, dropped when the counter
    closes, its officer logs out, the request is withdrawn or refused, or the day ends."""

    officer: str  # who asked
    reason: str
    requested_at: datetime
    approved_at: datetime | None = None
    by: str | None = None  # the manager who approved it


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class DomainError(Exception):
    """A refused command. `code` is stable and machine-readable; `message` is Indonesian."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details


# --------------------------------------------------------------------------------------------
# Commands: what someone asks for
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Command:
    pass


@dataclass(frozen=True, slots=True)
class IssueTicket(Command):
    line: str
    priority: PriorityGroup | None
    token: str  # generated at the edge (secrets.token_urlsafe); the core stays deterministic
    kiosk: str | None = None


@dataclass(frozen=True, slots=True)
class ConfirmPrinted(Command):
    ticket: str


@dataclass(frozen=True, slots=True)
class PrintFailed(Command):
    ticket: str
    reason: str  # "paper_out", "offline", "timeout", "reset"…


@dataclass(frozen=True, slots=True)
class RecordReprint(Command):
    """A kiosk is about to print a copy of a ticket (floor staff, F9): an audit record only."""

    ticket: str
    kiosk: str


@dataclass(frozen=True, slots=True)
class LogIn(Command):
    counter: str
    officer: str


@dataclass(frozen=True, slots=True)
class LogOut(Command):
    counter: str
    # The officer asking at their own counter: `[policy] closure_approval` applies to them
    # (server/core/closures.py). None: the system (an officer disabled by an edit), never refused.
    officer: str | None = None


@dataclass(frozen=True, slots=True)
class OpenCounter(Command):
    counter: str


@dataclass(frozen=True, slots=True)
class PauseCounter(Command):
    counter: str
    reason: str  # "istirahat", "salat", "urusan dinas"…


@dataclass(frozen=True, slots=True)
class ResumeCounter(Command):
    counter: str


@dataclass(frozen=True, slots=True)
class CloseCounter(Command):
    counter: str
    # The officer closing their own counter: `[policy] closure_approval` applies to them.
    officer: str | None = None
    # The floor manager or admin closing it: approves the counter's pending request, if any.
    by: str | None = None


# Counter-closure requests (issue 23): server/core/closures.py decides these.


@dataclass(frozen=True, slots=True)
class RequestClosure(Command):
    """An officer asks a manager to close their counter, with a reason."""

    counter: str
    reason: str


@dataclass(frozen=True, slots=True)
class WithdrawClosure(Command):
    """An officer withdraws their pending, undecided request."""

    counter: str


@dataclass(frozen=True, slots=True)
class DecideClosure(Command):
    """A floor manager or admin approves or refuses a counter's pending request (a note is
    required to refuse)."""

    counter: str
    approve: bool
    by: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CallNext(Command):
    counter: str


@dataclass(frozen=True, slots=True)
class CallTicket(Command):
    """Call a given number out of order; the reason is logged with the call."""

    counter: str
    ticket: str
    reason: str


@dataclass(frozen=True, slots=True)
class Recall(Command):
    counter: str


@dataclass(frozen=True, slots=True)
class StartService(Command):
    counter: str


@dataclass(frozen=True, slots=True)
class FinishService(Command):
    counter: str


@dataclass(frozen=True, slots=True)
class MarkNoShow(Command):
    counter: str


@dataclass(frozen=True, slots=True)
class Reactivate(Command):
    ticket: str


@dataclass(frozen=True, slots=True)
class Transfer(Command):
    counter: str
    line: str  # the line the active ticket moves to


@dataclass(frozen=True, slots=True)
class CancelTicket(Command):
    ticket: str
    reason: str


# One visit, several agencies (issue 22): server/core/visits.py decides these.


@dataclass(frozen=True, slots=True)
class StartVisit(Command):
    """A citizen at the kiosk takes one ticket for several services: the first stop's ticket
    now, each later stop's when its turn comes (its quota place is held from now on)."""

    lines: tuple[str, ...]  # in the order the citizen accepted (the kiosk proposed it)
    priority: PriorityGroup | None
    token: str  # the visit's public token: every stop's ticket carries it (made at the edge)
    kiosk: str | None = None


@dataclass(frozen=True, slots=True)
class AddStop(Command):
    """An officer adds a stop to the visit of the counter's active ticket ("perlu ke Samsat
    juga"); a plain ticket becomes a visit."""

    counter: str
    line: str


@dataclass(frozen=True, slots=True)
class SkipStop(Command):
    """A stop no longer needed: an officer skips a pending stop of the active ticket's visit
    (`counter`), or the floor names the visit (`counter` None, `visit` given) and may also skip
    the current stop while its ticket waits or is a no-show (the next stop is handed on)."""

    counter: str | None
    line: str
    reason: str
    visit: str | None = None
    by: str | None = None  # the officer or manager id, for the record (StopSkipped.by)


@dataclass(frozen=True, slots=True)
class RetireRemoved(Command):
    """Sent by the engine at start: close the counters the building file no longer has and log
    out the officers it no longer has (docs/operations.md, "Changing the building file")."""


# Online booking (issue 19): server/core/bookings.py keeps the book, booking_decide.py decides.


@dataclass(frozen=True, slots=True)
class Book(Command):
    """A citizen (or a portal, or staff on their behalf) books a slot of a line on a day.

    The edge makes the code and the token (`secrets`) and the keyed hashes of the NIK and the
    phone number (server/bookings_api.py): the core only compares them. The full NIK never
    reaches the core.
    """

    line: str
    day: date
    slot: time  # the slot's local start on `day` ("09:00"), one of server.core.slots.day_slots
    priority: PriorityGroup | None  # asks for a priority place
    name: str = field(repr=False)
    phone: str = field(repr=False)
    nik_last4: str = field(repr=False)
    nik_hash: str = field(repr=False)
    phone_hash: str = field(repr=False)
    code: str  # the booking code (8 characters of server.core.booking_code's alphabet)
    token: str = field(repr=False)  # the citizen's page credential (secrets.token_urlsafe(16))
    channel: str  # "web", "api:<portal id>", "staff:<id>"


@dataclass(frozen=True, slots=True)
class BookVisit(Command):
    """A citizen books a visit of several services at once (issue 22): one booking per line, all
    or none. Stop 0 is the lead (its code and token are the citizen's); each later stop is a
    member booking held at the slot `booking_rules.visit_slots` gives it. The edge makes the
    codes, tokens and hashes, as for `Book`."""

    lines: tuple[str, ...]  # in the order of the visit
    day: date
    slot: time  # the first stop's slot
    priority: PriorityGroup | None
    name: str = field(repr=False)
    phone: str = field(repr=False)
    nik_last4: str = field(repr=False)
    nik_hash: str = field(repr=False)
    phone_hash: str = field(repr=False)
    codes: tuple[str, ...]  # one per line; [0] the lead's
    tokens: tuple[str, ...] = field(repr=False)  # one per line; [0] the citizen's page token
    channel: str


@dataclass(frozen=True, slots=True)
class Reschedule(Command):
    """Move a booking, by its page token, to another slot (until the day before its day)."""

    token: str = field(repr=False)
    day: date
    slot: time


@dataclass(frozen=True, slots=True)
class CancelBooking(Command):
    token: str = field(repr=False)
    reason: str


@dataclass(frozen=True, slots=True)
class CheckIn(Command):
    """A booked citizen at a kiosk: a ticket in the queue, queued at the slot's start."""

    code: str  # normalised: upper case, no dash
    kiosk: str | None
    ticket_token: str  # the new ticket's public token, made at the edge like IssueTicket's


# The citizen's voice (issue 20): the SKM survey and complaints, tied to the visit.
# server/core/surveys.py keeps the survey book, server/core/complaints.py the complaints.


@dataclass(frozen=True, slots=True)
class Visit:
    """One ticket as the survey and a complaint name it, built at the edge from the ticket (today's
    from memory, an earlier day's from the store's row): what the core checks and files under."""

    ticket: str  # "2026-11-23/A-017"
    day: date  # its service day
    number: str
    line: str  # the line it was served in (after any transfer)
    state: TicketState
    counter: str | None
    officer: str | None
    finished_at: datetime | None  # the end of its service (state DONE)
    # Issue 22, a ticket of a visit of several stops: the visit's id, and how many of its stops
    # are neither done nor skipped (the survey waits for 0). The fields above then describe the
    # visit's last served stop, which the answer is filed under (server/core/visits.py:
    # `survey_visit` builds it from today's memory). None/0 for a plain ticket.
    itinerary: str | None = None
    stops_open: int = 0


def visit_of(ticket: Ticket) -> Visit:
    """The visit a ticket stands for (today's from memory, an earlier day's from its row);
    a stop of a visit: see server/core/visits.py `survey_visit`."""
    return Visit(
        ticket=ticket.id,
        day=ticket.day,
        number=ticket.number,
        line=ticket.line,
        state=ticket.state,
        counter=ticket.counter,
        officer=ticket.officer,
        finished_at=ticket.finished_at,
    )


@dataclass(frozen=True, slots=True)
class AnswerSurvey(Command):
    """A citizen's SKM answer about one finished visit, from any channel: once per ticket."""

    visit: Visit
    channel: str  # "phone", "tablet:<device id>", "exit:<device id>"
    scores: tuple[int, ...]  # U1..U9 in the regulation's order (server/core/skm.py), each 1..4
    age: str | None = None  # the optional respondent profile: codes of server/core/skm.py
    sex: str | None = None
    education: str | None = None
    occupation: str | None = None
    suggestion: str | None = None  # free text (saran), at most skm.SUGGESTION_MAX characters


@dataclass(frozen=True, slots=True)
class FileComplaint(Command):
    """A complaint (pengaduan): from a ticket's phone page, or by staff at the help desk."""

    visit: Visit | None  # the visit it is about; None for one at the desk about no ticket
    category: str  # a code of server/core/complaints.CATEGORIES
    text: str
    channel: str  # "phone", "desk:<staff id>"
    name: str | None = field(default=None, repr=False)  # optional contact; None both: anonymous
    phone: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class TakeComplaint(Command):
    """A manager takes a received complaint in hand (diterima -> diproses)."""

    complaint: str  # its tracking id, "ADU-261203-007"
    by: str  # the staff id
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AnswerComplaint(Command):
    """The answer the citizen reads on the phone page (diproses -> dijawab)."""

    complaint: str
    by: str
    answer: str


@dataclass(frozen=True, slots=True)
class CloseComplaint(Command):
    """Closed by a manager (from any open state, with a note), or by the Tick `close_days`
    after the answer."""

    complaint: str
    by: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Tick(Command):
    """Sent by the edge every few seconds: expires stale reservations, closes the day, lapses
    bookings whose check-in window closed and releases unused booking places."""
