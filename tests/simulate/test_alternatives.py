"""The rule tried beside the building's (server/simulate/alternatives.py), worked by hand.

Accumulating priority: a ticket's urgency is its wait times its group's rate (regular 1, priority
`rate`); the counter calls the most urgent. With the guard on top, rule 0 of the building's
policy may hold a priority ticket back (docs/calling-policy.md).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from server.core.building import Building, Counter, DayHours, Line, PolicySettings, Zone
from server.core.events import CallReason, PriorityGroup
from server.core.model import Ticket, TicketState
from server.simulate.alternatives import accumulating_priority

T0 = datetime(2026, 11, 23, 7, 30, tzinfo=timezone(timedelta(hours=7)))
# At 08:00 (30 min after T0): regular A-001 has waited 30 min, priority A-101 10 min.
NOW = T0 + timedelta(minutes=30)


def building(protect_regular: bool) -> Building:
    """Line A (10-minute target) and Loket 1 serving it alone."""
    return Building(
        name="MPP Uji",
        timezone="WIB",
        weekly=(DayHours(time(7, 30), time(16, 0)),) * 5 + (None, None),
        zones=(Zone("1", "Lantai 1"),),
        agencies=(),
        lines=(Line("A", "AG", "Layanan A", 10),),
        counters=(Counter("K1", "Loket 1", 1, "1", "AG", ("A",)),),
        policy=PolicySettings(protect_regular=protect_regular, max_wait_min=600),
    )


def waiting(overtaken: int = 0) -> dict[str, list[Ticket]]:
    def ticket(number: str, minute: int, priority: bool, overtaken: int = 0) -> Ticket:
        at = T0 + timedelta(minutes=minute)
        return Ticket(
            id=f"2026-11-23/{number}",
            day=date(2026, 11, 23),
            number=number,
            seq=int(number[2:]),
            line="A",
            priority=PriorityGroup.LANSIA if priority else None,
            state=TicketState.WAITING,
            issued_at=at,
            queued_at=at,
            token=f"t-{number}",
            overtaken=overtaken,
        )

    return {"A": [ticket("A-001", 0, False, overtaken), ticket("A-101", 20, True)]}


@pytest.mark.parametrize(
    ("rate", "called", "reason"),
    [
        (4, "A-101", CallReason.PRIORITY),  # 4 × 10 = 40 > 30
        (3, "A-001", CallReason.FIFO),  # 3 × 10 = 30 = 30: a tie goes to the older ticket
        (2, "A-001", CallReason.FIFO),  # 2 × 10 = 20 < 30
    ],
)
def test_the_most_urgent_ticket_is_called(rate: float, called: str, reason: CallReason) -> None:
    b = building(protect_regular=False)
    choose = accumulating_priority(rate, guard=False)
    choice = choose(b.counters[0], waiting(), {}, b, NOW, None)
    assert choice is not None
    assert (choice.ticket.number, choice.reason) == (called, reason)


def test_the_guard_on_top_holds_a_second_overtaking() -> None:
    """Rate 4, the guard on, A's cost 10 min: A-001 has absorbed one overtaking and waited 30
    min, so F = 30 − 10 = 20 and a second costs 20 > max(5, 10): A-001 is called instead."""
    b = building(protect_regular=True)
    lines, counter, costs = waiting(overtaken=1), b.counters[0], {"A": 600.0}
    held = accumulating_priority(4)(counter, lines, {}, b, NOW, costs)
    free = accumulating_priority(4, guard=False)(counter, lines, {}, b, NOW, costs)
    assert held is not None and held.ticket.number == "A-001"
    assert free is not None and free.ticket.number == "A-101"


def test_a_rate_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        accumulating_priority(0.5)
