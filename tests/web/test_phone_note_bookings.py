"""The phone page's note counts priority citizens only, not booked ones (issue 19).

Booked citizens whose slot has started go ahead of a walk-in too, and the queue counts those
overtakings with the priority ones (`Ticket.overtaken`), the bookings' apart
(`Ticket.booked_ahead`). The note says "N warga prioritas ... sesuai UU 25/2009": N must be the
priority citizens alone, never a booked citizen called a priority one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from server.core.building import PolicySettings
from server.core.model import Ticket, TicketState
from server.web.phone import priority_note

AT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=7)))
WALK_IN = Ticket(
    id="2026-11-23/A-004",
    day=date(2026, 11, 23),
    number="A-004",
    seq=4,
    line="A",
    priority=None,
    state=TicketState.WAITING,
    issued_at=AT,
    queued_at=AT,
    token="tok",
)


def test_booked_citizens_are_not_counted_as_priority_citizens() -> None:
    """Three went ahead of A-004, two of them booked: the note says one priority citizen."""
    note = priority_note(replace(WALK_IN, overtaken=3, booked_ahead=2), PolicySettings())
    assert note is not None and note.startswith("1 warga prioritas (lansia")


def test_only_booked_citizens_ahead_give_no_priority_note() -> None:
    assert priority_note(replace(WALK_IN, overtaken=2, booked_ahead=2), PolicySettings()) is None
