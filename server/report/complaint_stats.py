"""Complaints (pengaduan; DOMAIN §10) of a period, as the log tells their story: pure.

`replay_complaints` reads the steps of each complaint filed in the period (received, taken in
hand, answered, closed: `complaint_*` events, whenever each step happened) into one
`ComplaintRecord`: its state as the log stands when the report reads, who did each step and
when, and its deadlines. What complaints.csv, the SP4N-LAPOR! operators' form, is made of.
No personal data: the contact a citizen may leave is never in the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from server.core.events import (
    ComplaintAnswered,
    ComplaintClosed,
    ComplaintFiled,
    ComplaintTaken,
    read_event,
)
from server.store import LogEntry

__all__ = ["ComplaintRecord", "replay_complaints"]


@dataclass(slots=True)
class ComplaintRecord:
    """One complaint and its steps so far."""

    id: str  # "ADU-261203-007"
    category: str
    text: str
    channel: str  # "phone", "desk:<staff id>"
    ticket: str | None
    line: str | None
    agency: str | None
    counter: str | None
    officer: str | None
    filed_at: datetime
    take_by: datetime
    state: str = "received"  # received / in_progress / answered / closed
    taken_at: datetime | None = None
    taken_by: str | None = None
    take_note: str | None = None
    answer_by: datetime | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    answer: str | None = None
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_note: str | None = None

    @property
    def visit_day(self) -> date | None:
        """The service day of the visit it is about (from the ticket id), if any."""
        if self.ticket is None:
            return None
        return date.fromisoformat(self.ticket.partition("/")[0])


def replay_complaints(entries: Iterable[LogEntry]) -> dict[str, ComplaintRecord]:
    """The log's complaint events (sequence order) -> a record per complaint filed among them,
    in filing order; a step of a complaint not filed among them is ignored."""
    out: dict[str, ComplaintRecord] = {}
    for entry in entries:
        if not entry.event["kind"].startswith("complaint_"):
            continue
        event = read_event(entry.event)
        match event:
            case ComplaintFiled():
                out[event.complaint] = ComplaintRecord(
                    id=event.complaint,
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
                )
            case ComplaintTaken() if (c := out.get(event.complaint)) is not None:
                c.state, c.taken_at, c.taken_by = "in_progress", event.at, event.by
                c.take_note, c.answer_by = event.note, event.answer_by
            case ComplaintAnswered() if (c := out.get(event.complaint)) is not None:
                c.state, c.answered_at, c.answered_by = "answered", event.at, event.by
                c.answer, c.closes_at = event.answer, event.closes_at
            case ComplaintClosed() if (c := out.get(event.complaint)) is not None:
                c.state, c.closed_at, c.closed_by = "closed", event.at, event.by
                c.close_note = event.note
    return out
