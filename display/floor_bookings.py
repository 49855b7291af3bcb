"""The floor's online bookings of today: per line what is expected, and the booked/walk-in split.

Theory of operation: a booking is made days ahead, so today's bookings are not in today's
events; the server's booking book holds them. Its figures per line reach the floor in each
line's `bookings` of the snapshot and of every `lines` push (docs/protocol.md), which the server
sends after each change and every 15 s — the places left move with the clock too, as slots close
for booking — so, like the staffing hint, they are the server's arithmetic
(`server.core.booking_rules.day_figures`), not a copy of it. The split between tickets from a
booking and walk-in tickets comes from the model's own copy of today's tickets, exact to the last
event: tickets that entered the queue (printed), counted on the line they were issued on, as
`antre report` counts them (docs/reports.md).

Pure: reads a `FloorModel`, no clock, no socket.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from display.floor_model import FloorModel

__all__ = ["BookingSplit", "LineBookings", "day_split", "line_bookings", "split_text"]


@dataclass(frozen=True, slots=True)
class BookingSplit:
    """Tickets in the queue today: from an online booking, or walked in."""

    booked: int
    walk_in: int

    @property
    def booked_pct(self) -> float | None:
        total = self.booked + self.walk_in
        return 100.0 * self.booked / total if total else None


@dataclass(frozen=True, slots=True)
class LineBookings:
    """One line's online bookings of today. No personal data: counts only."""

    prefix: str
    name: str
    agency: str
    places: int  # booking places of the day: slots × (places + priority places)
    expected: int  # booked, not checked in yet (some may still lapse)
    checked_in: int
    lapsed: int
    cancelled: int
    places_left: int  # places a citizen could still book now (0 once booking has closed)
    released: int  # places given to walk-in citizens (release_unused_at, lapses after)
    split: BookingSplit  # this line's tickets in the queue today
    # A visit's later stop the visit ended before (*tidak dilayani*): the citizen came, so never
    # among `lapsed`. 0 from a server that does not send it.
    not_reached: int = 0


def _first_line(number: str, line: str) -> str:
    """The line a ticket was issued on: its number's prefix (a transfer keeps the number)."""
    return number.split("-")[0] if "-" in number else line


def _splits(model: FloorModel) -> dict[str, list[int]]:
    """Per line issued on: [booked, walk-in] tickets that entered the queue."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in model.tickets.values():
        if t.printed:
            out[_first_line(t.number, t.line)][0 if t.booking else 1] += 1
    return out


def _int(figures: dict[str, Any], key: str) -> int:
    value = figures.get(key)
    return int(value) if isinstance(value, (int, float)) else 0


def line_bookings(model: FloorModel) -> list[LineBookings]:
    """Every line that takes online bookings (its figures carry `bookings`), in the
    building's order."""
    splits = _splits(model)
    out = []
    for ln in model.line_defs():
        figures = (model.line_push.get(ln["prefix"]) or {}).get("bookings")
        if not isinstance(figures, dict):
            continue  # the line takes no bookings
        booked, walk_in = splits.get(ln["prefix"], (0, 0))
        out.append(
            LineBookings(
                prefix=ln["prefix"],
                name=ln.get("name", ""),
                agency=ln.get("agency", ""),
                places=_int(figures, "places"),
                expected=_int(figures, "expected"),
                checked_in=_int(figures, "checked_in"),
                lapsed=_int(figures, "lapsed"),
                cancelled=_int(figures, "cancelled"),
                places_left=_int(figures, "places_left"),
                released=_int(figures, "released"),
                split=BookingSplit(booked, walk_in),
                not_reached=_int(figures, "not_reached"),
            )
        )
    return out


def day_split(model: FloorModel) -> BookingSplit:
    """The whole building's tickets in the queue today, booked or walk-in."""
    splits = _splits(model).values()
    return BookingSplit(sum(s[0] for s in splits), sum(s[1] for s in splits))


def split_text(split: BookingSplit) -> str:
    """ "Hari ini: 12 tiket dari pesanan online, 48 datang langsung (20% pesanan)"."""
    pct = split.booked_pct
    share = "" if pct is None else f" ({pct:.0f}% pesanan)"
    return (
        f"Hari ini: {split.booked} tiket dari pesanan online, "
        f"{split.walk_in} datang langsung{share}"
    )
