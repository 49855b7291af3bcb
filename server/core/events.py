"""The queue's events: what happened, in the one form the core, store, wire and report read.

Theory of operation: the core (server/core/queue.py) answers a command with events and applies
them; the store keeps each as the flat JSON-ready dict `event_to_dict` makes; the broadcast pushes
that dict to each audience in the form it may see (server/broadcast/views.py); and whoever reads an
event back — the core replaying its log, the report, a client holding a pushed event — reads it
with `read_event` into the same typed event and matches on its type, never on the `kind` string.

Each event class also names who hears of it (`on_displays`, `to_kiosk`, `public_fields` below):
the broadcast routes by these, and docs/protocol.md tabulates them (tests/hub checks the table).
`server.protocol` publishes this module's names to the clients, so it stays standard library only.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, ClassVar, Final

__all__ = [
    "BOOKING_KINDS",
    "CLOSURE_KINDS",
    "COMPLAINT_KINDS",
    "DISPLAY_HIDDEN",
    "EDIT_SECRET_KEYS",
    "EVENT_TYPES",
    "FLOOR_ONLY",
    "KIOSK_KINDS",
    "NOT_REACHED",
    "PERSONAL_FIELDS",
    "PUBLIC_FIELDS",
    "SURVEY_KINDS",
    "VISIT_KINDS",
    "WITHHELD",
    "BookingCancelled",
    "BookingCheckedIn",
    "BookingLapsed",
    "BookingMade",
    "BookingPlacesReleased",
    "BookingRescheduled",
    "BuildingEdited",
    "CallReason",
    "ClosureDecided",
    "ClosureRequested",
    "ClosureWithdrawn",
    "ComplaintAnswered",
    "ComplaintClosed",
    "ComplaintFiled",
    "ComplaintTaken",
    "CounterClosed",
    "CounterOpened",
    "CounterPaused",
    "CounterResumed",
    "DayClosed",
    "Event",
    "OfficerLoggedIn",
    "OfficerLoggedOut",
    "PriorityGroup",
    "ServiceFinished",
    "ServiceStarted",
    "StopAdded",
    "StopSkipped",
    "SurveyAnswered",
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
    "TicketTransferred",
    "VisitHandedOn",
    "VisitStarted",
    "event_to_dict",
    "read_event",
    "withhold_secrets",
]


# --------------------------------------------------------------------------------------------
# The vocabularies events carry
# --------------------------------------------------------------------------------------------


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
    # A booked citizen whose slot has started went ahead (docs/calling-policy.md).
    BOOKING = "pesanan"


# --------------------------------------------------------------------------------------------
# Audiences: what each may see of an event (server/broadcast/views.py applies these)
# --------------------------------------------------------------------------------------------

# A booking's personal data (issue 19; UU 27/2022): the citizen's name and phone number, the last
# four digits of the NIK and the keyed hashes of NIK and phone (server/bookings_api.py makes them).
# The core reads them; the store never writes them in the event log's JSON but in a table of
# their own that the retention purge empties (server/store/rows.py), and no push carries them.
PERSONAL_FIELDS = frozenset({"name", "phone", "nik_last4", "nik_hash", "phone_hash"})
# The ticket's public token is the credential of the citizen's phone page (/t/<token>): only the
# kiosk that printed the ticket holds it (its `issue_ticket` reply); a booking's token is the
# credential of the citizen's booking page. Every pushed form of an event withholds these fields
# and the personal ones, and `read_event` reads a withheld field as None.
WITHHELD = frozenset({"token"}) | PERSONAL_FIELDS
# The keys of the public form (TVs): numbers, lines, counters and instants, a fixed vocabulary.
# No token, no kiosk, no priority group (that a citizen is disabled or pregnant is nobody's
# business on a TV), no call reason, no officer ids and no free text (a pause reason is typed by
# the officer: a TV learns that the counter is paused from the kind alone).
PUBLIC_FIELDS = frozenset(
    {"kind", "at", "ticket", "number", "line", "counter", "from_line", "to_line", "day"}
)


# --------------------------------------------------------------------------------------------
# Events: what happened. Each carries the instant it happened at.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    kind: ClassVar[str] = "event"
    # Who hears of it besides the staff (the floor, and officers of the agencies it touches):
    on_displays: ClassVar[bool] = True  # TVs get its public form
    to_kiosk: ClassVar[bool] = False  # the kiosk that issued its ticket gets its staff form
    public_fields: ClassVar[frozenset[str]] = PUBLIC_FIELDS  # the keys of its public form
    # Its fields that are personal data (PERSONAL_FIELDS): kept out of the event log's JSON.
    personal: ClassVar[frozenset[str]] = frozenset()
    # Only the floor (managers) hears of it, never an agency's officers: the citizen's voice
    # (issue 20) — officers never see who answered what about them, nor the complaints.
    floor_only: ClassVar[bool] = False
    # Its own fields withheld from every push besides WITHHELD (kept in the log): a visit
    # booking's lead code, which would let an officer of a later stop's agency open the
    # citizen's booking by the code the citizen holds (issue 22).
    push_withheld: ClassVar[frozenset[str]] = frozenset()
    at: datetime


@dataclass(frozen=True, slots=True)
class TicketIssued(Event):
    kind: ClassVar[str] = "ticket_issued"
    to_kiosk: ClassVar[bool] = True
    ticket: str
    day: date
    number: str
    seq: int
    line: str
    priority: PriorityGroup | None
    # Always set in the core and the store; None in an event read from a pushed staff form, which
    # withholds it (WITHHELD).
    token: str | None
    kiosk: str | None
    # Checked in from a booking (issue 19): its code, and its slot's start (aware), which is
    # also the ticket's queued_at. None for a walk-in ticket.
    booking: str | None = None
    slot: datetime | None = None
    # One visit, several agencies (issue 22; server/core/visits.py): the visit's id
    # ("2026-12-04/KJ-007") and the stop's index in its itinerary; None for a plain ticket.
    visit: str | None = None
    stop: int | None = None
    # Set only for a visit's next stop handed on (queued by `visits.next_queued_at`, aware):
    # the ticket's FIFO key. None: queued when issued (or at its slot).
    queued_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TicketPrinted(Event):
    kind: ClassVar[str] = "ticket_printed"
    to_kiosk: ClassVar[bool] = True
    ticket: str


@dataclass(frozen=True, slots=True)
class TicketPrintFailed(Event):
    kind: ClassVar[str] = "ticket_print_failed"
    to_kiosk: ClassVar[bool] = True
    ticket: str
    reason: str


@dataclass(frozen=True, slots=True)
class TicketReprinted(Event):
    """A second paper for the same number exists: the floor manager and the journal know."""

    kind: ClassVar[str] = "ticket_reprinted"
    on_displays: ClassVar[bool] = False  # which papers were reprinted is staff business
    to_kiosk: ClassVar[bool] = True
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
    to_kiosk: ClassVar[bool] = True
    ticket: str
    reason: str


@dataclass(frozen=True, slots=True)
class TicketExpired(Event):
    kind: ClassVar[str] = "ticket_expired"
    to_kiosk: ClassVar[bool] = True
    # Its reason is a fixed word, not someone's note: a TV may show why a number went away.
    public_fields: ClassVar[frozenset[str]] = PUBLIC_FIELDS | {"reason"}
    ticket: str
    reason: str  # "closing", "printing_timeout", "day_end"


@dataclass(frozen=True, slots=True)
class OfficerLoggedIn(Event):
    kind: ClassVar[str] = "officer_logged_in"
    on_displays: ClassVar[bool] = False  # who is logged in is staff business
    counter: str
    officer: str


@dataclass(frozen=True, slots=True)
class OfficerLoggedOut(Event):
    kind: ClassVar[str] = "officer_logged_out"
    on_displays: ClassVar[bool] = False  # who is logged in is staff business
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


# Counter-closure requests (issue 23; server/core/closures.py): an officer asks to close their
# counter with a reason, a floor manager or admin approves or refuses. Staff business with free
# text (the reason, the note): never on a TV; the floor and the officers of the counter's agency
# hear of them as of the counter's other events.


@dataclass(frozen=True, slots=True)
class ClosureRequested(Event):
    kind: ClassVar[str] = "closure_requested"
    on_displays: ClassVar[bool] = False
    counter: str
    officer: str  # who asks
    reason: str
    # The officer's name as the building had it: a floor dashboard started before they logged
    # in has no snapshot naming them.
    officer_name: str | None = None


@dataclass(frozen=True, slots=True)
class ClosureWithdrawn(Event):
    kind: ClassVar[str] = "closure_withdrawn"
    on_displays: ClassVar[bool] = False
    counter: str
    officer: str


@dataclass(frozen=True, slots=True)
class ClosureDecided(Event):
    """Approved: the counter closes now (the CounterClosed that follows), or, busy with a
    ticket, in the command that releases it. Refused: it stays as it is, with the note."""

    kind: ClassVar[str] = "closure_decided"
    on_displays: ClassVar[bool] = False
    counter: str
    officer: str  # who asked
    approved: bool
    by: str  # the manager's id
    note: str | None  # required when refusing
    # The manager's name as the building had it: the officer's console says who decided, and
    # an approval that closes an idle counter leaves no snapshot still naming them.
    by_name: str | None = None


@dataclass(frozen=True, slots=True)
class DayClosed(Event):
    """The last event of a service day; applying it resets the state for the next day.

    Events that close a day (expiries, counters closed) are stamped at the day's last instant
    (local midnight minus one microsecond), so `Building.service_day(event.at)` files every
    event under the day it belongs to, even when the day is closed late (server was down).
    """

    kind: ClassVar[str] = "day_closed"
    day: date


# --------------------------------------------------------------------------------------------
# Online booking (issue 19; server/core/bookings.py). Staff only: never on a TV, never pushed to
# a kiosk (the kiosk that checks a citizen in reads its own reply). A booking is named by its
# code; its slot is a local time of its day ("09:00").
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BookingMade(Event):
    kind: ClassVar[str] = "booking_made"
    on_displays: ClassVar[bool] = False
    personal: ClassVar[frozenset[str]] = PERSONAL_FIELDS
    push_withheld: ClassVar[frozenset[str]] = frozenset({"lead"})
    code: str
    token: str | None = field(repr=False)  # the citizen's page credential: WITHHELD from pushes
    line: str
    day: date
    slot: time
    priority: PriorityGroup | None  # a priority place (UU 25/2009 groups) or a regular one
    channel: str  # "web", "api:<portal id>", "staff:<id>"
    # Personal data: None once the retention purge has deleted it, and in every pushed form;
    # never in a repr (a logged event must not carry it).
    name: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)
    nik_last4: str | None = field(default=None, repr=False)
    nik_hash: str | None = field(default=None, repr=False)
    phone_hash: str | None = field(default=None, repr=False)
    # A visit of several services booked at once (issue 22, docs/bookings.md): the lead's code
    # (on the lead too) and the stop's index in the visit (0 on the lead). None for a plain
    # booking, and in every log written before visits could be booked.
    lead: str | None = None
    stop: int | None = None


@dataclass(frozen=True, slots=True)
class BookingRescheduled(Event):
    kind: ClassVar[str] = "booking_rescheduled"
    on_displays: ClassVar[bool] = False
    code: str
    line: str
    from_day: date
    from_slot: time
    day: date
    slot: time


@dataclass(frozen=True, slots=True)
class BookingCancelled(Event):
    kind: ClassVar[str] = "booking_cancelled"
    on_displays: ClassVar[bool] = False
    code: str
    line: str
    day: date
    slot: time
    reason: str


@dataclass(frozen=True, slots=True)
class BookingCheckedIn(Event):
    """At a kiosk, in the check-in window: the booking's ticket (issued with it) names it."""

    kind: ClassVar[str] = "booking_checked_in"
    on_displays: ClassVar[bool] = False
    code: str
    line: str
    day: date
    slot: time
    ticket: str
    kiosk: str | None


@dataclass(frozen=True, slots=True)
class BookingLapsed(Event):
    """Nobody checked in before the window closed (or the day ended): the place is gone.

    `reason` None: the citizen did not come. `NOT_REACHED` ("not_reached", *tidak dilayani*): a
    visit's member booking whose citizen came (the lead was checked in) but whose visit ended
    before this stop — its first stop cancelled or expired, or the day ended first. Logs
    written before the field read None (issue 22's leftovers)."""

    kind: ClassVar[str] = "booking_lapsed"
    on_displays: ClassVar[bool] = False
    code: str
    line: str
    day: date
    slot: time
    reason: str | None = None


# BookingLapsed.reason of a member booking the visit never reached (server/core/booking_decide.py).
NOT_REACHED: Final = "not_reached"


@dataclass(frozen=True, slots=True)
class BookingPlacesReleased(Event):
    """At the line's `release_unused_at`: today's booking closes and `places` unused booking
    places join today's walk-in quota (each later lapse or cancellation of today adds one)."""

    kind: ClassVar[str] = "booking_places_released"
    on_displays: ClassVar[bool] = False
    line: str
    day: date
    places: int


# --------------------------------------------------------------------------------------------
# The citizen's voice (issue 20): the SKM survey (server/core/surveys.py, skm.py) and complaints
# (server/core/complaints.py). The floor's only: never on a TV, a kiosk or an officer's console.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SurveyAnswered(Event):
    """A citizen answered the SKM survey (PermenPANRB 14/2017) about one finished visit."""

    kind: ClassVar[str] = "survey_answered"
    on_displays: ClassVar[bool] = False
    floor_only: ClassVar[bool] = True
    ticket: str
    day: date  # the visit's service day: the SKM's period counts visits
    line: str
    agency: str
    counter: str | None
    officer: str | None
    channel: str  # "phone", "tablet:<device id>", "exit:<device id>"
    scores: tuple[int, ...]  # U1..U9 in the regulation's order, each 1..4
    age: str | None = None  # the optional respondent profile (codes of server/core/skm.py)
    sex: str | None = None
    education: str | None = None
    occupation: str | None = None
    suggestion: str | None = None  # free text: the report's, never the public page's
    # Issue 22: the visit answered about as a whole (its id), filed under its last served stop.
    visit: str | None = None


@dataclass(frozen=True, slots=True)
class ComplaintFiled(Event):
    """A complaint received (diterima). The contact (name, phone) is personal data, kept out of
    the log's JSON as a booking's is; without either the complaint is anonymous."""

    kind: ClassVar[str] = "complaint_filed"
    on_displays: ClassVar[bool] = False
    floor_only: ClassVar[bool] = True
    personal: ClassVar[frozenset[str]] = frozenset({"name", "phone"})
    complaint: str  # the tracking id staff and SP4N-LAPOR! operators read: "ADU-261203-007"
    category: str  # a code of server/core/complaints.CATEGORIES
    text: str
    channel: str  # "phone", "desk:<staff id>"
    ticket: str | None  # the visit it is about, and what the core knew of it
    line: str | None
    agency: str | None
    counter: str | None
    officer: str | None
    take_by: datetime  # deadline to take it in hand: `take_days` working days
    name: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class ComplaintTaken(Event):
    """Taken in hand (diproses) by a manager: the answer is due by `answer_by`."""

    kind: ClassVar[str] = "complaint_taken"
    on_displays: ClassVar[bool] = False
    floor_only: ClassVar[bool] = True
    complaint: str
    by: str
    note: str | None
    answer_by: datetime  # `answer_days` working days


@dataclass(frozen=True, slots=True)
class ComplaintAnswered(Event):
    """Answered (dijawab): the citizen reads the answer on the ticket's phone page."""

    kind: ClassVar[str] = "complaint_answered"
    on_displays: ClassVar[bool] = False
    floor_only: ClassVar[bool] = True
    complaint: str
    by: str
    answer: str
    closes_at: datetime  # `close_days` days after the answer, it closes by itself


@dataclass(frozen=True, slots=True)
class ComplaintClosed(Event):
    """Closed (selesai): by a manager with a note, or by the system after `close_days`."""

    kind: ClassVar[str] = "complaint_closed"
    on_displays: ClassVar[bool] = False
    floor_only: ClassVar[bool] = True
    complaint: str
    by: str  # a staff id, or "system"
    note: str | None


# --------------------------------------------------------------------------------------------
# One visit, several agencies (issue 22; server/core/visits.py). A visit is named by its id
# ("2026-12-04/KJ-007"), staff only: never on a TV, never in a URL. Staff hear of these: the floor
# and the officers of every agency the visit's stops touch. Only the hand-on reaches the TVs,
# without the visit: the citizen is told where to go next.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitStarted(Event):
    """A visit begins: at a kiosk with its first stop's ticket (issued just before), or at a
    counter when an officer adds a stop to a plain ticket (`started_at` its queued_at)."""

    kind: ClassVar[str] = "visit_started"
    on_displays: ClassVar[bool] = False
    push_withheld: ClassVar[frozenset[str]] = frozenset({"booking"})
    visit: str
    ticket: str  # the first stop's ticket
    stops: tuple[str, ...]  # the lines in the order accepted
    priority: PriorityGroup | None
    kiosk: str | None
    started_at: datetime  # the credit rule's anchor (visits.next_queued_at)
    # The lead booking's code when the visit was booked online and checked in: its later stops'
    # places are the group's member bookings, not the walk-in quota. None for a kiosk visit.
    booking: str | None = None


@dataclass(frozen=True, slots=True)
class StopAdded(Event):
    kind: ClassVar[str] = "stop_added"
    on_displays: ClassVar[bool] = False
    visit: str
    line: str
    position: int  # its index in the itinerary once added
    counter: str | None
    officer: str | None


@dataclass(frozen=True, slots=True)
class StopSkipped(Event):
    kind: ClassVar[str] = "stop_skipped"
    on_displays: ClassVar[bool] = False
    visit: str
    line: str
    counter: str | None  # the officer's counter; None: the floor, or the hand-on itself
    by: str | None  # the officer or manager id; None: the hand-on (line closed today)
    reason: str


@dataclass(frozen=True, slots=True)
class VisitHandedOn(Event):
    """A stop ended and the next stop's ticket joined its line (the TicketIssued that follows):
    "Silakan lanjut ke BPJS Kesehatan, nomor J-014"."""

    kind: ClassVar[str] = "visit_handed_on"
    public_fields: ClassVar[frozenset[str]] = PUBLIC_FIELDS | {"from_number"}
    visit: str  # staff only
    from_ticket: str  # staff only
    from_number: str
    from_line: str
    counter: str | None  # the counter the citizen just left (its zone's TVs announce); None
    # when the floor skipped a stop whose ticket was waiting
    ticket: str
    number: str
    line: str


# --------------------------------------------------------------------------------------------
# Live administration (issue 23)
# --------------------------------------------------------------------------------------------

# The keys of a building entity's TOML table that hold a credential's hash (an officer's or
# manager's PIN, a device's or portal's token digest): kept in the log and the store, withheld
# from every push and every admin reply (server/broadcast/views.py, server/hub/admin.py).
EDIT_SECRET_KEYS = frozenset({"pin_hash", "token_sha256"})


def withhold_secrets(value: Any) -> Any:
    """A building entity's value without its credential hashes (EDIT_SECRET_KEYS), at any depth:
    a withheld key stays, its value becomes "(disembunyikan)", so that an admin sees that a PIN
    changed without ever receiving its hash."""
    if isinstance(value, dict):
        return {
            k: ("(disembunyikan)" if k in EDIT_SECRET_KEYS else withhold_secrets(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [withhold_secrets(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class BuildingEdited(Event):
    """An administrator changed one entity of the building (server/config/edits.py).

    `version`: the building version it produced (the file's building is version 0, each edit
    +1). `target`: "line:K", "counter:L21", "running_text", ... `before`/`after`: the entity's
    TOML table (a dict), a string, or None (added / removed). `undoes`: the version of the edit it
    reverses, or None. Replayed at start on top of the building file (server/engine.py); the queue
    state does not read it (a new building is a rebuilt state, not an applied event).
    """

    kind: ClassVar[str] = "building_edited"
    on_displays: ClassVar[bool] = False
    # Admin and floor sessions only: an officer has no business with the building's PINs' owners.
    floor_only: ClassVar[bool] = True
    by: str
    version: int
    target: str
    before: Any
    after: Any
    undoes: int | None = None


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
        ClosureRequested,
        ClosureWithdrawn,
        ClosureDecided,
        DayClosed,
        BookingMade,
        BookingRescheduled,
        BookingCancelled,
        BookingCheckedIn,
        BookingLapsed,
        BookingPlacesReleased,
        SurveyAnswered,
        ComplaintFiled,
        ComplaintTaken,
        ComplaintAnswered,
        ComplaintClosed,
        VisitStarted,
        StopAdded,
        StopSkipped,
        VisitHandedOn,
        BuildingEdited,
    )
}

# The events of a visit itself (beside its stops' tickets): staff only, scoped to its stops.
VISIT_KINDS = frozenset(cls.kind for cls in (VisitStarted, StopAdded, StopSkipped, VisitHandedOn))

# The counter-closure requests' events (issue 23).
CLOSURE_KINDS = frozenset(cls.kind for cls in (ClosureRequested, ClosureWithdrawn, ClosureDecided))

# The events of one booking's life, named by its code: the booking book's own (a restart replays
# them for every booking of today or later, however long ago they happened).
BOOKING_KINDS = frozenset(
    cls.kind
    for cls in (BookingMade, BookingRescheduled, BookingCancelled, BookingCheckedIn, BookingLapsed)
)


# The citizen's voice: a restart replays these beyond today (the survey's and complaints' books).
SURVEY_KINDS = frozenset({SurveyAnswered.kind})
COMPLAINT_KINDS = frozenset(
    cls.kind for cls in (ComplaintFiled, ComplaintTaken, ComplaintAnswered, ComplaintClosed)
)

# The audiences by kind, for routing a pushed dict without reading it back.
DISPLAY_HIDDEN = frozenset(kind for kind, cls in EVENT_TYPES.items() if not cls.on_displays)
KIOSK_KINDS = frozenset(kind for kind, cls in EVENT_TYPES.items() if cls.to_kiosk)
FLOOR_ONLY = frozenset(kind for kind, cls in EVENT_TYPES.items() if cls.floor_only)


# --------------------------------------------------------------------------------------------
# The dict form, both ways
# --------------------------------------------------------------------------------------------


@functools.cache
def _field_names(cls: type[Event]) -> tuple[str, ...]:
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
        elif isinstance(value, time):
            value = value.isoformat(timespec="minutes")  # a slot: "09:00"
        elif isinstance(value, StrEnum):
            value = value.value
        out[name] = value
    return out


_MISSING: Any = dataclasses.MISSING
_Convert = Callable[[Any], Any]


@functools.cache
def _readers(cls: type[Event]) -> tuple[tuple[str, Any, _Convert | None], ...]:
    """Per field of a class: its name, its default (or MISSING), and how to read its JSON."""
    out = []
    for f in dataclasses.fields(cls):
        convert: _Convert | None = None
        if f.name in ("at", "take_by", "answer_by", "closes_at", "started_at", "queued_at"):
            convert = datetime.fromisoformat
        elif f.name in ("scores", "stops"):
            convert = tuple  # a JSON list: the nine scores, a visit's lines
        elif f.name in ("day", "from_day"):
            convert = date.fromisoformat
        elif f.name in ("slot", "from_slot"):
            # A ticket's slot is its aware start; a booking's is the local time of its day.
            convert = datetime.fromisoformat if cls is TicketIssued else time.fromisoformat
        elif f.name == "priority":
            convert = PriorityGroup
        elif f.name == "reason" and cls is TicketCalled:
            convert = CallReason  # every other event's reason is a plain word or free text
        out.append((f.name, f.default, convert))
    return tuple(out)


def read_event(data: Mapping[str, Any]) -> Event:
    """The typed event of a stored dict, or of a pushed staff form (its WITHHELD fields None).

    The inverse of `event_to_dict`. Raises KeyError/ValueError/TypeError on a malformed dict,
    and KeyError on a public form (a TV's), which lacks fields that are not withheld.
    """
    cls = EVENT_TYPES[data["kind"]]
    kwargs: dict[str, Any] = {}
    for name, default, convert in _readers(cls):
        if name in data:
            value = data[name]
        elif name in WITHHELD:
            value = None
        elif default is not _MISSING:
            value = default
        else:
            raise KeyError(name)
        if value is not None and convert is not None:
            value = convert(value)
        kwargs[name] = value
    return cls(**kwargs)
