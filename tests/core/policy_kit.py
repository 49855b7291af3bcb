"""Builders for the calling-policy tests: a small building, tickets by number and minute,
and the sequence of calls a counter would make."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone

from server.core.building import Building, Counter, DayHours, Line, PolicySettings, Zone
from server.core.events import CallReason, PriorityGroup
from server.core.model import Ticket, TicketState
from server.core.policy import (
    choose_next,
    fifo_key,
    ratio_count_after,
)

DAY = date(2026, 11, 23)
WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 23, 7, 30, tzinfo=WIB)
F, P, M = CallReason.FIFO, CallReason.PRIORITY, CallReason.MAX_WAIT


def building(
    *,
    r: int = 2,
    max_wait_min: float = 60.0,
    priority_counter_first: bool = True,
    line_max_wait: Mapping[str, float] | None = None,
    protect_regular: bool = False,
) -> Building:
    """Three lines; K1 serves A, K2 serves A and B, KP is a priority counter for A, B and C.

    The regular-ticket guard is off unless asked for: most tests here pin down the ratio, the
    priority counter and max wait alone; the guard's own tests turn it on.
    """
    limits = line_max_wait or {}
    return Building(
        name="MPP Uji",
        timezone="WIB",
        weekly=(DayHours(T0.time(), T0.replace(hour=16, minute=0).time()),) * 5 + (None, None),
        zones=(Zone("1", "Lantai 1"),),
        agencies=(),
        lines=tuple(
            Line(
                prefix=p,
                agency="AG",
                name=f"Layanan {p}",
                target_service_min=10,
                max_wait_min=limits.get(p),
            )
            for p in "ABC"
        ),
        counters=(
            Counter("K1", "Loket 1", 1, "1", "AG", ("A",)),
            Counter("K2", "Loket 2", 2, "1", "AG", ("A", "B")),
            Counter("KP", "Loket 3", 3, "1", "AG", ("A", "B", "C"), priority=True),
        ),
        policy=PolicySettings(
            regular_per_priority=r,
            max_wait_min=max_wait_min,
            priority_counter_first=priority_counter_first,
            protect_regular=protect_regular,
        ),
    )


def tk(number: str, minute: float, priority: bool = False) -> Ticket:
    """A waiting ticket "A-001" queued `minute` minutes after 07:30."""
    line, seq = number.split("-")
    at = T0 + timedelta(minutes=minute)
    return Ticket(
        id=f"{DAY}/{number}",
        day=DAY,
        number=number,
        seq=int(seq),
        line=line,
        priority=PriorityGroup.LANSIA if priority else None,
        state=TicketState.WAITING,
        issued_at=at,
        queued_at=at,
        token=f"tok-{number}",
    )


def lines_of(*tickets: Ticket) -> dict[str, list[Ticket]]:
    """The `waiting` mapping: tickets grouped by line, each line in FIFO order."""
    out: dict[str, list[Ticket]] = {}
    for t in sorted(tickets, key=fifo_key):
        out.setdefault(t.line, []).append(t)
    return out


def call_sequence(
    b: Building,
    counter_id: str,
    waiting: dict[str, list[Ticket]],
    counts: dict[str, int] | None = None,
    now: datetime = T0 + timedelta(minutes=30),
) -> list[tuple[str, CallReason]]:
    """Call until nothing waits, keeping the ratio counts as the queue core would."""
    counts = dict(counts or {})
    counter = b.counter(counter_id)
    assert counter is not None
    out: list[tuple[str, CallReason]] = []
    while (choice := choose_next(counter, waiting, counts, b, now)) is not None:
        t = choice.ticket
        waiting[t.line].remove(t)
        counts[t.line] = ratio_count_after(counts.get(t.line), t, b.policy.regular_per_priority)
        out.append((t.number, choice.reason))
    return out


def seq(spec: str) -> list[tuple[str, CallReason]]:
    """ "A-101:P A-001:F" -> [("A-101", PRIORITY), ("A-001", FIFO)]."""
    reasons = {"F": F, "P": P, "M": M}
    return [(item.split(":")[0], reasons[item.split(":")[1]]) for item in spec.split()]


class IndexedLine(list):
    """A plain list that also names its first priority and booked tickets without a scan."""

    def __init__(self, tickets: Sequence[Ticket]) -> None:
        super().__init__(tickets)
        self.asked = 0

    def first_priority(self) -> Ticket | None:
        self.asked += 1
        return next((t for t in self if t.priority is not None), None)

    def first_booked(self) -> Ticket | None:
        return next((t for t in self if t.slot is not None and not t.transfers), None)
