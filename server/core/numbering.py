"""Ticket numbers: one sequence per line per service day, `A-001`, `A-002`…

The sequence lives in `QueueState` (the highest seq issued on each line today) and is rebuilt by
replaying the day's `TicketIssued` events, so a restart never issues a number twice. A new day
starts with an empty state (`DayClosed` resets it), which is the reset at local midnight.
"""

from __future__ import annotations

from datetime import date

__all__ = ["format_number", "next_ticket", "ticket_id"]


def format_number(prefix: str, seq: int) -> str:
    """The printed, spoken number: "A-017"; three digits at least, four beyond 999."""
    return f"{prefix}-{seq:03d}"


def ticket_id(day: date, number: str) -> str:
    """A ticket's id, unique for ever: "2026-11-23/A-017" (it keeps it across transfers)."""
    return f"{day.isoformat()}/{number}"


def next_ticket(day: date, prefix: str, last_seq: int) -> tuple[int, str, str]:
    """The next ticket of a line after `last_seq` (the highest issued today): its seq, number
    and id — for a kiosk's ticket, a check-in's and a visit's stops alike."""
    seq = last_seq + 1
    number = format_number(prefix, seq)
    return seq, number, ticket_id(day, number)
