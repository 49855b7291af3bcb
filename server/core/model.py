"""The queue core's vocabulary: states, tickets, counters, commands in and events out.

Theory of operation: the core is a pure state machine. A command (what someone asked for) is
checked against the current state by `server.core.queue.QueueState.handle(command, now)`, which
either raises a `DomainError` and changes nothing, or returns the events (what happened) and
applies them. Replaying the same events with `QueueState.apply` rebuilds the same state, which is
how the server restarts from its event log. Nothing here reads the clock, the disk or the network:
time comes in as `now`, and randomness (the public ticket token) comes in inside the command.

Every event serialises to a flat JSON-ready dict with `event_to_dict` and back with
`event_from_dict`; the store and the wire protocol both use that one form.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

__all__ = [
    "EVENT_TYPES",
    "CallNext",
    "CallReason",
    "CallTicket",
    "CancelTicket",
    "CloseCounter",
    "Command",
    "ConfirmPrinted",
    "CounterClosed",
    "CounterOpened",
    "CounterPaused",
    "CounterResumed",
    "CounterState",
    "CounterStatus",
    "DayClosed",
    "DomainError",
    "Event",
    "FinishService",
    "IssueTicket",
    "LogIn",
    "LogOut",
    "MarkNoShow",
    "OfficerLoggedIn",
    "OfficerLoggedOut",
    "OpenCounter",
    "PauseCounter",
    "PrintFailed",
    "PriorityGroup",
    "Reactivate",
    "Recall",
    "RecordReprint",
    "ResumeCounter",
    "ServiceFinished",
    "ServiceStarted",
    "StartService",
    "Tick",
    "Ticket",
    "TicketCalled",
    "TicketCancelled",
    "TicketExpired",
    "TicketIssued",
    "TicketNoShow",
    "TicketPrintFailed",
    "TicketPrinted",
    "TicketReactivated",
    "TicketRecalled",
    "TicketReprinted",
    "TicketState",
    "TicketTransferred",
    "Transfer",
    "event_from_dict",
    "event_to_dict",
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


class PriorityGroup(StrEnum):
    """UU 25/2009 art. 29 groups, plus nursing mothers as MPPs commonly include them."""

    LANSIA = "lansia"
    DISABILITAS = "disabilitas"
    IBU_HAMIL = "ibu_hamil"  # pregnant or nursing
    BALITA = "balita"  # accompanying a small child


class CallReason(StrEnum):
    """Why this ticket was called; recorded on every call and shown to whoever asks."""

    FIFO = "fifo"
    PRIORITY = "prioritas"
    MAX_WAIT = "batas_tunggu"
    OFFICER = "dipilih_petugas"  # called out of order by number; the officer gives a reason


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
    # Priority tickets called before it while it waited, though queued after it (on any line of
    # the calling counter): the overtakings it absorbed, which the calling policy bounds.
    overtaken: int = 0

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


@dataclass(frozen=True, slots=True)
class OpenCounter(Command):
    counter: str


@dataclass(frozen=True, slots=True)
class PauseCounter(Command):
    counter: str
    reason: str  # "istirahat", "sholat", "urusan dinas"…


@dataclass(frozen=True, slots=True)
class ResumeCounter(Command):
    counter: str


@dataclass(frozen=True, slots=True)
class CloseCounter(Command):
    counter: str


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


@dataclass(frozen=True, slots=True)
class Tick(Command):
    """Sent by the edge every few seconds: expires stale reservations, closes the day."""


# --------------------------------------------------------------------------------------------
# Events: what happened. Each carries the instant it happened at.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    kind: ClassVar[str] = "event"
    at: datetime


@dataclass(frozen=True, slots=True)
class TicketIssued(Event):
    kind: ClassVar[str] = "ticket_issued"
    ticket: str
    day: date
    number: str
    seq: int
    line: str
    priority: PriorityGroup | None
    token: str
    kiosk: str | None


@dataclass(frozen=True, slots=True)
class TicketPrinted(Event):
    kind: ClassVar[str] = "ticket_printed"
    ticket: str


@dataclass(frozen=True, slots=True)
class TicketPrintFailed(Event):
    kind: ClassVar[str] = "ticket_print_failed"
    ticket: str
    reason: str


@dataclass(frozen=True, slots=True)
class TicketReprinted(Event):
    """A second paper for the same number exists: the floor manager and the journal know."""

    kind: ClassVar[str] = "ticket_reprinted"
    ticket: str
    kiosk: str


@dataclass(frozen=True, slots=True)
class TicketCalled(Event):
    kind: ClassVar[str] = "ticket_called"
    ticket: str
    number: str
    line: str
    counter: str
    reason: CallReason
    note: str | None = None  # the officer's reason for an out-of-order call


@dataclass(frozen=True, slots=True)
class TicketRecalled(Event):
    kind: ClassVar[str] = "ticket_recalled"
    ticket: str
    number: str
    line: str
    counter: str


@dataclass(frozen=True, slots=True)
class ServiceStarted(Event):
    kind: ClassVar[str] = "service_started"
    ticket: str
    counter: str


@dataclass(frozen=True, slots=True)
class ServiceFinished(Event):
    kind: ClassVar[str] = "service_finished"
    ticket: str
    counter: str


@dataclass(frozen=True, slots=True)
class TicketNoShow(Event):
    kind: ClassVar[str] = "ticket_no_show"
    ticket: str
    counter: str


@dataclass(frozen=True, slots=True)
class TicketReactivated(Event):
    kind: ClassVar[str] = "ticket_reactivated"
    ticket: str


@dataclass(frozen=True, slots=True)
class TicketTransferred(Event):
    kind: ClassVar[str] = "ticket_transferred"
    ticket: str
    from_line: str
    to_line: str
    counter: str


@dataclass(frozen=True, slots=True)
class TicketCancelled(Event):
    kind: ClassVar[str] = "ticket_cancelled"
    ticket: str
    reason: str


@dataclass(frozen=True, slots=True)
class TicketExpired(Event):
    kind: ClassVar[str] = "ticket_expired"
    ticket: str
    reason: str  # "closing", "printing_timeout", "day_end"


@dataclass(frozen=True, slots=True)
class OfficerLoggedIn(Event):
    kind: ClassVar[str] = "officer_logged_in"
    counter: str
    officer: str


@dataclass(frozen=True, slots=True)
class OfficerLoggedOut(Event):
    kind: ClassVar[str] = "officer_logged_out"
    counter: str
    officer: str


@dataclass(frozen=True, slots=True)
class CounterOpened(Event):
    kind: ClassVar[str] = "counter_opened"
    counter: str


@dataclass(frozen=True, slots=True)
class CounterPaused(Event):
    kind: ClassVar[str] = "counter_paused"
    counter: str
    reason: str


@dataclass(frozen=True, slots=True)
class CounterResumed(Event):
    kind: ClassVar[str] = "counter_resumed"
    counter: str


@dataclass(frozen=True, slots=True)
class CounterClosed(Event):
    kind: ClassVar[str] = "counter_closed"
    counter: str


@dataclass(frozen=True, slots=True)
class DayClosed(Event):
    """The last event of a service day; applying it resets the state for the next day.

    Events that close a day (expiries, counters closed) are stamped at the day's last instant
    (local midnight minus one microsecond), so `Building.service_day(event.at)` files every
    event under the day it belongs to, even when the day is closed late (server was down).
    """

    kind: ClassVar[str] = "day_closed"
    day: date


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        TicketIssued,
        TicketPrinted,
        TicketPrintFailed,
        TicketReprinted,
        TicketCalled,
        TicketRecalled,
        ServiceStarted,
        ServiceFinished,
        TicketNoShow,
        TicketReactivated,
        TicketTransferred,
        TicketCancelled,
        TicketExpired,
        OfficerLoggedIn,
        OfficerLoggedOut,
        CounterOpened,
        CounterPaused,
        CounterResumed,
        CounterClosed,
        DayClosed,
    )
}

# Fields that need converting between JSON and Python, by name (all events share the names).
_DATETIME_FIELDS = frozenset({"at"})
_DATE_FIELDS = frozenset({"day"})
_ENUM_FIELDS: dict[str, type[StrEnum]] = {"priority": PriorityGroup, "reason": CallReason}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def event_to_dict(event: Event) -> dict[str, Any]:
    """A flat JSON-ready dict: {"kind": ..., "at": ISO-8601, ...fields}."""
    # Every event is encoded for the store and again for the broadcast: the field names are
    # looked up once per class, and plain values skip the conversions.
    out: dict[str, Any] = {"kind": event.kind}
    for name in _field_names(type(event)):
        value = getattr(event, name)
        if value is None or type(value) is str or type(value) is int:
            pass
        elif isinstance(value, (datetime, date)):
            value = value.isoformat()
        elif isinstance(value, StrEnum):
            value = value.value
        out[name] = value
    return out


def event_from_dict(data: dict[str, Any]) -> Event:
    """Inverse of event_to_dict. Raises KeyError/ValueError/TypeError on a malformed dict."""
    cls = EVENT_TYPES[data["kind"]]
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        value = data[f.name] if f.name in data or f.default is dataclasses.MISSING else f.default
        if value is not None:
            if f.name in _DATETIME_FIELDS:
                value = datetime.fromisoformat(value)
            elif f.name in _DATE_FIELDS:
                value = date.fromisoformat(value)
            elif f.name in _ENUM_FIELDS and not (f.name == "reason" and cls is not TicketCalled):
                value = _ENUM_FIELDS[f.name](value)
        kwargs[f.name] = value
    return cls(**kwargs)
