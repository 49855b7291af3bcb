"""Complaints (pengaduan) tied to the visit: the book, its fold, and what the four complaint
commands and the tick decide.

Theory of operation (DOMAIN §10; SP4N-LAPOR!'s deadlines): a complaint is filed from a ticket's
phone page or by staff at the help desk, with a category, a text and optionally a contact
(name, phone: personal data, which the store keeps apart; the book knows only that there is
one). It gets a tracking id, `ADU-YYMMDD-NNN` (the day it was filed, that day's sequence), and
goes received (Diterima) → in progress (Diproses) → answered (Dijawab) → closed (Selesai), each
step an event naming who and when. Deadlines are counted in working days
(server/core/working_days.py): taken in hand within `take_days` working days of its filing, then
answered within `answer_days` working days of being taken; an answered complaint closes by itself
`close_days` calendar days after the answer (the tick, by "system"). A manager may close one from
any open state; before it is answered the close needs a note saying why.

The book spans days (as the booking book does): on `QueueState` as `state.complaints`, it keeps
every complaint not closed, and the closed ones for `kept_days` after their close:
`CLOSED_KEPT_DAYS`, or `[complaints] days_open` when longer (the phone page shows the answer, and
a ticket's limit counts every complaint about a visit that may still be complained about). The
engine replays every event of those at start. Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final

from server.core.building import Building, ComplaintSettings
from server.core.complaint_terms import (
    ANSWER_MAX,
    CATEGORIES,
    CATEGORY_CODES,
    CATEGORY_PROBLEM,
    CLOSED_KEPT_DAYS,
    NAME_MAX,
    NOTE_MAX,
    PER_TICKET,
    PHONE_MAX,
    STATE_LABELS,
    STATE_LABELS_EN,
    STEP_WORDS,
    SYSTEM,
    TEXT_MAX,
    ComplaintState,
    complaint_id,
)
from server.core.errors import error
from server.core.events import (
    ComplaintAnswered,
    ComplaintClosed,
    ComplaintFiled,
    ComplaintTaken,
    DayClosed,
    Event,
)
from server.core.model import (
    AnswerComplaint,
    CloseComplaint,
    DomainError,
    FileComplaint,
    TakeComplaint,
    TicketState,
    Visit,
)
from server.core.working_days import add_working_days, deadline_end

if TYPE_CHECKING:  # the decisions read the day's state; state.py holds this book
    from server.core.state import DayState

__all__ = [
    "ANSWER_MAX",
    "CATEGORIES",
    "CATEGORY_CODES",
    "CATEGORY_PROBLEM",
    "CLOSED_KEPT_DAYS",
    "COMPLAINT_DECISIONS",
    "NAME_MAX",
    "NOTE_MAX",
    "PER_TICKET",
    "PHONE_MAX",
    "STATE_LABELS",
    "STATE_LABELS_EN",
    "STEP_WORDS",
    "SYSTEM",
    "TEXT_MAX",
    "Complaint",
    "ComplaintBook",
    "ComplaintState",
    "checked_text",
    "closing_events",
    "complaint_id",
    "kept_days",
]

# The vocabulary (server/core/complaint_terms.py, what server.protocol publishes) is re-exported
# above: `from server.core.complaints import CATEGORIES` is the one way the server reads it.


# Tickets a complaint from the phone page may be about: called and done with, one way or
# another. A ticket still waiting (or being served) has its floor to turn to; the help desk may
# file about any ticket that was printed.
_FINISHED: Final = frozenset(
    {TicketState.DONE, TicketState.NO_SHOW, TicketState.CANCELLED, TicketState.EXPIRED}
)


@dataclass(frozen=True, slots=True)
class Complaint:
    """One complaint as it stands: what the floor lists and the phone page shows (no contact)."""

    id: str
    state: ComplaintState
    category: str
    text: str
    channel: str  # "phone", "desk:<staff id>"
    ticket: str | None
    line: str | None
    agency: str | None
    counter: str | None
    officer: str | None  # managers only
    filed_at: datetime
    take_by: datetime
    taken_at: datetime | None = None
    taken_by: str | None = None
    note: str | None = None  # the note given when it was taken in hand
    answer_by: datetime | None = None
    answer: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    has_contact: bool = False  # the citizen left a name or phone (asked of the store)
    close_note: str | None = None  # why a manager closed it (None when closed by "system")

    @property
    def is_open(self) -> bool:
        return self.state is not ComplaintState.CLOSED

    def next_deadline(self) -> datetime | None:
        """The deadline staff must meet next: taking it in hand, then answering; None after."""
        match self.state:
            case ComplaintState.RECEIVED:
                return self.take_by
            case ComplaintState.IN_PROGRESS:
                return self.answer_by
        return None


def kept_days(settings: ComplaintSettings) -> int:
    """How many days a closed complaint stays in the book: 30, or `days_open` when longer, so
    that a ticket's `PER_TICKET` counts every complaint while its visit may get another."""
    return max(CLOSED_KEPT_DAYS, settings.days_open)


class ComplaintBook:
    """Complaints not closed, and closed ones for `kept_days` days: in filing order."""

    def __init__(self, tz: tzinfo, kept: int = CLOSED_KEPT_DAYS) -> None:
        self.tz = tz
        self.kept = kept  # days a closed complaint stays (kept_days)
        self.by_id: dict[str, Complaint] = {}
        self.by_ticket: dict[str, list[str]] = {}  # ticket id -> complaint ids
        self.closing: dict[str, datetime] = {}  # answered: id -> when it closes by itself

    # -- reads ----------------------------------------------------------------------------

    def get(self, complaint: str) -> Complaint | None:
        return self.by_id.get(complaint)

    def of_ticket(self, ticket_id: str) -> list[Complaint]:
        return [self.by_id[c] for c in self.by_ticket.get(ticket_id, ())]

    def open(self) -> list[Complaint]:
        return [c for c in self.by_id.values() if c.is_open]

    def next_id(self, day: date) -> str:
        """The id of the next complaint filed on `day`: every complaint of today is in the book
        (open, or closed less than `kept` ago), so the day's sequence is read off it."""
        prefix = complaint_id(day, 0)[:-3]
        seq = max((int(c[len(prefix) :]) for c in self.by_id if c.startswith(prefix)), default=0)
        return complaint_id(day, seq + 1)

    def due_soon(self, now: datetime, building: Building) -> list[tuple[Complaint, datetime, bool]]:
        """The floor's alert: each open complaint within `warn_days` working days of its next
        deadline, or past it, with that deadline and whether it has passed; soonest first."""
        warn = building.complaints.warn_days
        out: list[tuple[Complaint, datetime, bool]] = []
        for c in self.by_id.values():
            deadline = c.next_deadline()
            if deadline is None:
                continue
            day = deadline.astimezone(building.tz).date()
            warn_from = deadline_end(add_working_days(day, -warn, building), building)
            if now > warn_from:  # warn_days = 0: from the deadline itself, i.e. overdue
                out.append((c, deadline, now > deadline))
        out.sort(key=lambda item: item[1])
        return out

    # -- the fold ---------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Change the book by one event (events of other kinds leave it as it is)."""
        match event:
            case ComplaintFiled():
                self._filed(event)
            case ComplaintTaken():
                old = self._expect(event.complaint, ComplaintState.RECEIVED)
                self.by_id[old.id] = replace(
                    old,
                    state=ComplaintState.IN_PROGRESS,
                    taken_at=event.at,
                    taken_by=event.by,
                    note=event.note,
                    answer_by=event.answer_by,
                )
            case ComplaintAnswered():
                old = self._expect(event.complaint, ComplaintState.IN_PROGRESS)
                self.by_id[old.id] = replace(
                    old,
                    state=ComplaintState.ANSWERED,
                    answer=event.answer,
                    answered_at=event.at,
                    answered_by=event.by,
                    closes_at=event.closes_at,
                )
                self.closing[old.id] = event.closes_at
            case ComplaintClosed():
                old = self._expect(event.complaint, None)
                self.by_id[old.id] = replace(
                    old,
                    state=ComplaintState.CLOSED,
                    closed_at=event.at,
                    closed_by=event.by,
                    close_note=event.note,
                )
                self.closing.pop(old.id, None)
            case DayClosed():
                self._forget(event.day + timedelta(days=1))
            case _:
                pass

    def _filed(self, ev: ComplaintFiled) -> None:
        if ev.complaint in self.by_id:
            raise ValueError(f"complaint {ev.complaint} filed twice")
        self.by_id[ev.complaint] = Complaint(
            id=ev.complaint,
            state=ComplaintState.RECEIVED,
            category=ev.category,
            text=ev.text,
            channel=ev.channel,
            ticket=ev.ticket,
            line=ev.line,
            agency=ev.agency,
            counter=ev.counter,
            officer=ev.officer,
            filed_at=ev.at,
            take_by=ev.take_by,
            has_contact=bool(ev.name or ev.phone),
        )
        if ev.ticket is not None:
            self.by_ticket.setdefault(ev.ticket, []).append(ev.complaint)

    def _expect(self, cid: str, state: ComplaintState | None) -> Complaint:
        """The complaint an event names, in `state` (None: any open state); ValueError else."""
        c = self.by_id.get(cid)
        if c is None:
            raise ValueError(f"complaint event for unknown complaint {cid}")
        if (state is None and not c.is_open) or (state is not None and c.state is not state):
            raise ValueError(f"complaint {cid} is {c.state}")
        return c

    def _forget(self, today: date) -> None:
        """Drop the complaints closed more than `kept` days before `today`."""
        horizon = today - timedelta(days=self.kept)
        gone = [
            c.id
            for c in self.by_id.values()
            if c.closed_at is not None and c.closed_at.astimezone(self.tz).date() < horizon
        ]
        for cid in gone:
            c = self.by_id.pop(cid)
            if c.ticket is not None:
                ids = self.by_ticket[c.ticket]
                ids.remove(cid)
                if not ids:
                    del self.by_ticket[c.ticket]

    # -- copies and equality ------------------------------------------------------------------

    def copy(self) -> ComplaintBook:
        other = ComplaintBook(self.tz, self.kept)
        other.by_id = dict(self.by_id)
        other.by_ticket = {t: list(ids) for t, ids in self.by_ticket.items()}
        other.closing = dict(self.closing)
        return other

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ComplaintBook):
            return NotImplemented
        return (list(self.by_id.items()), self.by_ticket, self.closing) == (
            list(other.by_id.items()),
            other.by_ticket,
            other.closing,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable


# --------------------------------------------------------------------------------------------
# The decisions (added to server/core/decide.py's DECISIONS)
# --------------------------------------------------------------------------------------------


def checked_text(value: str | None, what: str, limit: int, required: bool) -> str | None:
    """A text stripped; the refusal naming `what` when it is required and empty, or too long."""
    text = (value or "").strip()
    if not text:
        if required:
            raise error("complaint_invalid", problem=f"{what} wajib diisi.")
        return None
    if len(text) > limit:
        raise error("complaint_invalid", problem=f"{what} paling banyak {limit} karakter.")
    return text


def _visit_refusal(
    state: DayState, visit: Visit, channel: str, local: datetime
) -> DomainError | None:
    settings = state.building.complaints
    at_desk = channel.startswith("desk:")
    if visit.state is TicketState.PRINTING or (not at_desk and visit.state not in _FINISHED):
        return error("complaint_not_finished", number=visit.number)
    if (local.date() - visit.day).days > settings.days_open:
        return error("complaint_closed", number=visit.number, days_open=settings.days_open)
    if len(state.complaints.by_ticket.get(visit.ticket, ())) >= PER_TICKET:
        return error("complaint_limit", number=visit.number, limit=PER_TICKET)
    return None


def _file(state: DayState, cmd: FileComplaint, now: datetime, local: datetime) -> list[Event]:
    visit = cmd.visit
    if visit is not None:
        refusal = _visit_refusal(state, visit, cmd.channel, local)
        if refusal is not None:
            raise refusal
    if cmd.category not in CATEGORY_CODES:
        raise error("complaint_invalid", problem=CATEGORY_PROBLEM)
    text = checked_text(cmd.text, "Isi pengaduan", TEXT_MAX, required=True)
    name = checked_text(cmd.name, "Nama", NAME_MAX, required=False)
    phone = checked_text(cmd.phone, "Nomor telepon", PHONE_MAX, required=False)
    today = local.date()
    line = state.lines.get(visit.line) if visit is not None else None
    assert text is not None
    return [
        ComplaintFiled(
            at=now,
            complaint=state.complaints.next_id(today),
            category=cmd.category,
            text=text,
            channel=cmd.channel,
            ticket=visit.ticket if visit else None,
            line=visit.line if visit else None,
            agency=line.agency if line is not None else None,
            counter=visit.counter if visit else None,
            officer=visit.officer if visit else None,
            take_by=_deadline(state.building, today, state.building.complaints.take_days),
            name=name,
            phone=phone,
        )
    ]


def _deadline(building: Building, day: date, working_days: int) -> datetime:
    return deadline_end(add_working_days(day, working_days, building), building)


def _known(state: DayState, cid: str) -> Complaint:
    c = state.complaints.get(cid)
    if c is None:
        raise error("complaint_not_found", complaint=cid)
    return c


def _step(c: Complaint, *allowed: ComplaintState) -> None:
    if c.state not in allowed:
        raise error("complaint_step", complaint=c.id, state=STEP_WORDS[c.state])


def _take(state: DayState, cmd: TakeComplaint, now: datetime, local: datetime) -> list[Event]:
    c = _known(state, cmd.complaint)
    _step(c, ComplaintState.RECEIVED)
    note = checked_text(cmd.note, "Catatan", NOTE_MAX, required=False)
    days = state.building.complaints.answer_days
    answer_by = _deadline(state.building, local.date(), days)
    return [ComplaintTaken(at=now, complaint=c.id, by=cmd.by, note=note, answer_by=answer_by)]


def _answer(state: DayState, cmd: AnswerComplaint, now: datetime, local: datetime) -> list[Event]:
    c = _known(state, cmd.complaint)
    _step(c, ComplaintState.IN_PROGRESS)
    answer = checked_text(cmd.answer, "Jawaban", ANSWER_MAX, required=True)
    assert answer is not None
    closes_at = now + timedelta(days=state.building.complaints.close_days)
    return [
        ComplaintAnswered(at=now, complaint=c.id, by=cmd.by, answer=answer, closes_at=closes_at)
    ]


def _close(state: DayState, cmd: CloseComplaint, now: datetime, local: datetime) -> list[Event]:
    c = _known(state, cmd.complaint)
    _step(c, ComplaintState.RECEIVED, ComplaintState.IN_PROGRESS, ComplaintState.ANSWERED)
    # Closing a complaint nobody answered must say why (a duplicate, withdrawn, out of scope).
    note = checked_text(cmd.note, "Catatan", NOTE_MAX, required=False)
    if note is None and c.state is not ComplaintState.ANSWERED:
        raise error("reason_required")
    return [ComplaintClosed(at=now, complaint=c.id, by=cmd.by, note=note)]


def closing_events(state: DayState, now: datetime) -> list[Event]:
    """The tick's: close each answered complaint whose `close_days` have passed, by "system"."""
    return [
        ComplaintClosed(at=now, complaint=cid, by=SYSTEM, note=None)
        for cid, closes_at in state.complaints.closing.items()
        if now >= closes_at
    ]


COMPLAINT_DECISIONS: dict[type, Any] = {
    FileComplaint: _file,
    TakeComplaint: _take,
    AnswerComplaint: _answer,
    CloseComplaint: _close,
}
