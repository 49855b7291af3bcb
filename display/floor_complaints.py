"""The floor's complaints (pengaduan): each one's state, its next deadline, and how near it is.

Theory of operation: the floor snapshot's `complaints` lists every complaint not closed, and those
closed today (their views: docs/protocol.md); each `complaint_*` event pushed after it moves one
(`ComplaintDesk.load`, `apply`). Nothing personal is kept: a complaint's contact reaches the
floor only when a manager asks for it (`complaint_contact`), and is shown once.

A complaint's next deadline is the one its state waits for (DOMAIN §10, SP4N-LAPOR!'s): received
→ taken in hand by `take_by`; in progress → answered by `answer_by`; answered → it closes by
itself at `closes_at` (the system's step, no one's deadline, so never an alert). The deadlines
are the core's, in the events (working days, holidays counted out, the end of the day local); the
floor only says how near one is: overdue once past it, due soon once the working day `warn_days`
working days before the deadline's day has ended (with warn_days = 1 and a deadline on Thursday:
from Wednesday's end, so all Thursday; on a Monday: from Friday's end) — the core's rule
(`ComplaintBook.due_soon`), counting the building's holidays when the snapshot names them
(`Building.holidays`).

Pure: no clock, no socket.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from server import protocol as p

__all__ = [
    "Complaint",
    "ComplaintDesk",
    "ComplaintRow",
    "Due",
    "category_words",
    "complaint_rows",
    "next_deadline",
    "state_words",
    "warn_from",
]

RECEIVED, IN_PROGRESS, ANSWERED, CLOSED = "received", "in_progress", "answered", "closed"
_END_OF_DAY = time(23, 59, 59)  # when a deadline's day ends (server/core/working_days.py)


class Due(StrEnum):
    """How near a complaint's next deadline is: the panel's colour and the alert."""

    NONE = "none"  # closed, or answered (the system closes it)
    LATER = "later"
    SOON = "soon"  # within warn_days working days: amber
    OVERDUE = "overdue"  # past it: red


@dataclass(slots=True)
class Complaint:
    """One complaint as the floor sees it (the snapshot's view, moved by events)."""

    id: str  # the tracking id, "ADU-261123-001"
    state: str
    category: str
    text: str
    channel: str
    ticket: str | None  # "2026-11-23/A-017", or None for one filed at the desk about no ticket
    line: str | None
    agency: str | None
    counter: str | None
    officer: str | None
    filed_at: datetime
    take_by: datetime
    taken_at: datetime | None = None
    taken_by: str | None = None
    note: str | None = None
    answer_by: datetime | None = None
    answer: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    has_contact: bool | None = False  # None: not known (filed since the snapshot)
    close_note: str | None = None  # why a manager closed it (None when the system did)

    @property
    def number(self) -> str | None:
        """The ticket's number as people read it, "A-017"."""
        return self.ticket.rsplit("/", 1)[-1] if self.ticket else None


_INSTANTS = frozenset(
    {"filed_at", "take_by", "taken_at", "answer_by", "answered_at", "closes_at", "closed_at"}
)


def _read(view: Mapping[str, Any]) -> Complaint | None:
    """A complaint view of the snapshot; None when it cannot be read (a newer server's)."""
    try:
        values = {}
        for f in fields(Complaint):
            value = view.get(f.name)
            if f.name in _INSTANTS and value is not None:
                value = datetime.fromisoformat(value)
            values[f.name] = value
        values["has_contact"] = bool(values["has_contact"])  # absent: none
        complaint = Complaint(**values)
    except (TypeError, ValueError):
        return None
    if not complaint.id or complaint.filed_at is None or complaint.take_by is None:
        return None
    return complaint


class ComplaintDesk:
    """The complaints the floor sees: open ones, and those closed today."""

    def __init__(self) -> None:
        self.items: dict[str, Complaint] = {}  # by tracking id, in the order filed

    def load(self, views: Any) -> None:
        """Start over from a snapshot's `complaints`."""
        self.items = {}
        for view in views if isinstance(views, list) else ():
            complaint = _read(view) if isinstance(view, Mapping) else None
            if complaint is not None:
                self.items[complaint.id] = complaint

    def apply(self, event: p.Event) -> bool:
        """Move one complaint by its event; True if it was a complaint's."""
        match event:
            case p.ComplaintFiled():
                self.items[event.complaint] = Complaint(
                    id=event.complaint,
                    state=RECEIVED,
                    category=event.category,
                    text=event.text,
                    channel=event.channel,
                    ticket=event.ticket,
                    line=event.line,
                    agency=event.agency,
                    counter=event.counter,
                    officer=event.officer,
                    filed_at=event.at,
                    take_by=event.take_by,
                    # The pushed form withholds the contact; only the snapshot's view says
                    # whether there is one. Until then: unknown (asking tells).
                    has_contact=None,
                )
            case p.ComplaintTaken(complaint=cid) if cid in self.items:
                c = self.items[cid]
                c.state, c.taken_at, c.taken_by = IN_PROGRESS, event.at, event.by
                c.note, c.answer_by = event.note, event.answer_by
            case p.ComplaintAnswered(complaint=cid) if cid in self.items:
                c = self.items[cid]
                c.state, c.answer, c.answered_at = ANSWERED, event.answer, event.at
                c.answered_by, c.closes_at = event.by, event.closes_at
            case p.ComplaintClosed(complaint=cid) if cid in self.items:
                c = self.items[cid]
                c.state, c.closed_at, c.closed_by = CLOSED, event.at, event.by
                c.close_note = event.note
            case p.ComplaintTaken() | p.ComplaintAnswered() | p.ComplaintClosed():
                pass  # one the floor never saw filed (closed long ago): nothing to move
            case _:
                return False
        return True

    def new_day(self, day: date, tz: tzinfo) -> None:
        """The day closed: those closed before `day` leave the panel."""
        self.items = {
            cid: c
            for cid, c in self.items.items()
            if c.closed_at is None or c.closed_at.astimezone(tz).date() >= day
        }


def state_words(state: str) -> str:
    """Diterima, Diproses, Dijawab, Selesai: the core's words (server.protocol)."""
    try:
        return p.COMPLAINT_STATE_LABELS[p.ComplaintState(state)]
    except (KeyError, ValueError):
        return state


def category_words(code: str) -> str:
    return next((label for c, label, _en in p.CATEGORIES if c == code), code)


def next_deadline(c: Complaint) -> tuple[str, datetime] | None:
    """What the complaint waits for and by when: ("diproses", take_by) while received, …"""
    if c.state == RECEIVED:
        return "diproses", c.take_by
    if c.state == IN_PROGRESS and c.answer_by is not None:
        return "dijawab", c.answer_by
    if c.state == ANSWERED and c.closes_at is not None:
        return "selesai otomatis", c.closes_at
    return None


def _working(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def warn_from(
    deadline: datetime, warn_days: int, tz: tzinfo, holidays: frozenset[date] = frozenset()
) -> datetime:
    """After this instant the floor warns of a deadline: the end (23.59.59 local) of the working
    day `warn_days` working days before the deadline's day — the deadline itself when
    warn_days is 0 (then only an overdue one alerts)."""
    day = deadline.astimezone(tz).date()
    for _ in range(max(0, warn_days)):
        day -= timedelta(days=1)
        while not _working(day, holidays):
            day -= timedelta(days=1)
    return datetime.combine(day, _END_OF_DAY, tz)


@dataclass(frozen=True, slots=True)
class ComplaintRow:
    """One complaint as the panel and the alerts read it."""

    complaint: Complaint
    step: str | None  # "diproses", "dijawab", "selesai otomatis"; None once closed
    deadline: datetime | None
    due: Due
    warn_at: datetime | None  # the amber starts after this instant


def complaint_rows(
    complaints: Iterable[Complaint],
    now: datetime,
    tz: tzinfo,
    warn_days: int,
    holidays: frozenset[date] = frozenset(),
) -> list[ComplaintRow]:
    """Open complaints by their next deadline (the nearest first), then those closed today."""
    out = []
    for c in complaints:
        nxt = next_deadline(c)
        if nxt is None:
            out.append(ComplaintRow(c, None, None, Due.NONE, None))
            continue
        step, deadline = nxt
        if c.state == ANSWERED:  # the system closes it: no one's deadline
            out.append(ComplaintRow(c, step, deadline, Due.NONE, None))
            continue
        warn = warn_from(deadline, warn_days, tz, holidays)
        due = Due.OVERDUE if now > deadline else Due.SOON if now > warn else Due.LATER
        out.append(ComplaintRow(c, step, deadline, due, warn))
    far = datetime.max.replace(tzinfo=tz)
    out.sort(key=lambda r: (r.complaint.state == CLOSED, r.deadline or far, r.complaint.filed_at))
    return out
