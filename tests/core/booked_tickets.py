"""Booked tickets for the calling-policy tests (issue 19), with the fields a check-in gives them.

A ticket checked in from a booking carries its code and its slot's start and is queued at the
slot's start (`queued_at = slot`, also when checked in early or late within the grace period):
docs/bookings.md and docs/calling-policy.md, "Booked and walk-in citizens".

`booked` builds such a Ticket directly, as `policy_kit.tk` builds a walk-in one. `check_in`
puts one into a real `QueueState` of the policy tests' building, which takes no bookings: it
issues a ticket at the kiosk and, before its print is confirmed (which is when it joins the
waiting line), gives it the three fields the core's `CheckIn` gives a ticket (tests/core/
test_bookings.py holds `CheckIn` to them), so that the calling policy, the figures and the
queue's bookkeeping see a booked ticket without the policy tests carrying a booking book.
(tests/core/booking_kit.py is the booking core's own kit: a building that takes bookings.)
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from policy_kit import DAY, T0

from server.core.events import PriorityGroup
from server.core.model import ConfirmPrinted, IssueTicket, Ticket, TicketState
from server.core.queue import QueueState

__all__ = ["booked", "check_in"]

_codes = itertools.count(1)


def booked(
    number: str, slot_minute: float, priority: bool = False, checked_in_minute: float | None = None
) -> Ticket:
    """A waiting ticket "A-007" checked in from a booking whose slot starts `slot_minute`
    minutes after 07:30 (checked in at `checked_in_minute`, default 15 minutes before)."""
    line, seq = number.split("-")
    slot = T0 + timedelta(minutes=slot_minute)
    came = slot_minute - 15 if checked_in_minute is None else checked_in_minute
    return Ticket(
        id=f"{DAY}/{number}",
        day=DAY,
        number=number,
        seq=int(seq),
        line=line,
        priority=PriorityGroup.LANSIA if priority else None,
        state=TicketState.WAITING,
        issued_at=T0 + timedelta(minutes=came),
        queued_at=slot,
        token=f"tok-{number}",
        booking=f"BK{next(_codes):06d}",
        slot=slot,
    )


def check_in(
    q: QueueState,
    line: str,
    slot: datetime,
    now: datetime,
    priority: PriorityGroup | None = None,
) -> str:
    """A booked citizen checks in at `now` for the slot starting at `slot`; the ticket's id."""
    events = q.handle(IssueTicket(line, priority, f"bk{next(_codes)}", "K1"), now)
    tid = events[-1].ticket  # type: ignore[attr-defined]
    ticket = q.tickets[tid]
    ticket.booking = f"BK{next(_codes):06d}"
    ticket.slot = slot
    ticket.queued_at = slot
    q.handle(ConfirmPrinted(tid), now)
    return tid
