"""Recalls stay outside the priority ratio (docs/calling-policy.md, "The rules, in order").

The doc's promise: "After each call the queue core sets the count to 0 for a priority ticket
and adds 1 for a regular one; recalls do not count." The expected call sequences below are
worked out by hand from the rules in the doc, not read from the code: a recall re-announces the
same ticket, so a day with recalls must call exactly the tickets, in exactly the order and for
exactly the reasons, of the same day without them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from factory import at, issue, make_building, open_counter

from server.core.events import PriorityGroup, TicketCalled
from server.core.model import CallNext, FinishService, Recall, StartService
from server.core.queue import QueueState

LANSIA = PriorityGroup.LANSIA

# Line B of the test building (no quota), served by Loket 2 (lines A and B, not a priority
# counter). Queued at (P = priority):
#   B-001 P 08:00, B-002 08:01, B-003 08:02, B-004 08:03, B-005 P 08:04, B-006 08:05.
# regular_per_priority = 2, the guard off (as in the doc's worked example: the ratio alone).
#
# By hand, with the doc's rule 4 (take the FIFO head; if it is regular and the line's count has
# reached 2, the line's oldest priority ticket goes instead):
#   call 1: head B-001 is priority          -> B-001 fifo        count 0
#   call 2: head B-002, count 0 < 2         -> B-002 fifo        count 1
#   call 3: head B-003, count 1 < 2         -> B-003 fifo        count 2
#   call 4: head B-004, count 2 >= 2        -> B-005 prioritas   count 0
#   call 5: head B-004, count 0 < 2         -> B-004 fifo        count 1
#   call 6: head B-006, count 1 < 2         -> B-006 fifo        count 2
# Were recalls counted as regular calls, call 3 (after B-002's recalls) would already see a
# count of 2 or more and call B-005 there; were they counted as priority calls (resetting the
# count), call 4 would call B-004.
EXPECTED = [
    ("B-001", "fifo"),
    ("B-002", "fifo"),
    ("B-003", "fifo"),
    ("B-005", "prioritas"),
    ("B-004", "fifo"),
    ("B-006", "fifo"),
]
QUEUED = [("08:00", LANSIA), ("08:01", None), ("08:02", None), ("08:03", None)]
QUEUED += [("08:04", LANSIA), ("08:05", None)]


def _day(recalls: dict[str, int]) -> list[tuple[str, str]]:
    """Serve the six tickets at Loket 2 from 09:00, recalling each called number as many
    times as `recalls` says before the citizen comes; the (number, reason) of every call."""
    q = QueueState(make_building(regular_per_priority=2, protect_regular=False))
    for hhmm, group in QUEUED:
        issue(q, "B", at(hhmm), priority=group)
    now = at("09:00")
    open_counter(q, "L02", "OF1", now)
    calls: list[tuple[str, str]] = []
    for _ in EXPECTED:
        now += timedelta(minutes=1)
        (called,) = q.handle(CallNext("L02"), now)
        assert isinstance(called, TicketCalled)
        calls.append((called.number, called.reason.value))
        for _ in range(recalls.get(called.number, 0)):
            now += timedelta(seconds=30)
            q.handle(Recall("L02"), now)
        q.handle(StartService("L02"), now)
        q.handle(FinishService("L02"), now + timedelta(minutes=5))
        now += timedelta(minutes=5)
    return calls


def test_the_hand_worked_sequence_without_recalls() -> None:
    """The baseline: the doc's ratio gives the sequence worked out above."""
    assert _day({}) == EXPECTED


@pytest.mark.parametrize(
    "recalls",
    [
        {"B-002": 3},  # a regular ticket recalled three times
        {"B-002": 1, "B-003": 2},  # recalls on both regular calls before the priority turn
        {"B-001": 4},  # a priority ticket recalled: the count stays 0 after it, not lower
        {"B-005": 2, "B-004": 2},  # recalls after the priority turn
        {"B-001": 1, "B-002": 1, "B-003": 1, "B-005": 1, "B-004": 1, "B-006": 1},
    ],
    ids=str,
)
def test_recalls_do_not_move_the_ratio(recalls: dict[str, int]) -> None:
    """However often numbers are recalled, the calls are those of the day without recalls."""
    assert _day(recalls) == EXPECTED


def test_the_count_after_recalls_is_the_count_of_calls() -> None:
    """Two regular calls and five recalls of one of them: line B's count is 2, the calls."""
    q = QueueState(make_building(regular_per_priority=2, protect_regular=False))
    # A priority call first sets the count to a known 0 (a fresh line counts as the ratio).
    for hhmm, group in QUEUED[:3]:
        issue(q, "B", at(hhmm), priority=group)
    now: datetime = at("09:00")
    open_counter(q, "L02", "OF1", now)
    for number in ("B-001", "B-002", "B-003"):
        (called,) = q.handle(CallNext("L02"), now)
        assert called.number == number  # type: ignore[attr-defined]
        if number == "B-002":
            for _ in range(5):
                q.handle(Recall("L02"), now)
        q.handle(StartService("L02"), now)
        q.handle(FinishService("L02"), now)
    assert q.regular_since_priority["B"] == 2
