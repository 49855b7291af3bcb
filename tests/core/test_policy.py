"""The calling policy: FIFO across lines, the ratio, the priority counter, max wait, reasons,
preview. The guard and the properties have files of their own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from policy_kit import (
    T0,
    F,
    IndexedLine,
    M,
    P,
    building,
    call_sequence,
    lines_of,
    seq,
    tk,
)

from server.core.events import CallReason
from server.core.model import Ticket
from server.core.policy import (
    Choice,
    choose_next,
    first_priority,
    preview,
    ratio_count_after,
)

# Six regular tickets, then three priority tickets, all waiting on line A (regulars older).
REGULARS_FIRST = [tk(f"A-00{i}", i) for i in range(1, 7)] + [
    tk(f"A-10{i}", 10 + i, priority=True) for i in range(1, 4)
]


# ------------------------------------------------------------------------------------------------
# Nothing to call
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "waiting",
    [{}, {"A": [], "B": []}, {"C": [tk("C-001", 0)]}],
    ids=["no lines", "empty lines", "only a line the counter does not serve"],
)
def test_nothing_waiting_on_the_counters_lines_gives_none(waiting: dict) -> None:
    """choose_next returns None when no ticket waits on the counter's lines."""
    b = building()
    assert choose_next(b.counter("K2"), waiting, {}, b, T0) is None  # type: ignore[arg-type]
    assert preview(b.counter("K2"), waiting, {}, b, T0, 5) == []  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------
# FIFO across lines
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tickets", "expected"),
    [
        ([tk("A-001", 5), tk("B-001", 3)], "B-001"),
        ([tk("A-001", 3), tk("B-001", 5)], "A-001"),
        # Same instant: the lower seq first, then the line prefix.
        ([tk("A-002", 3), tk("B-001", 3)], "B-001"),
        ([tk("B-004", 3), tk("A-004", 3)], "A-004"),
    ],
)
def test_fifo_across_lines_calls_the_oldest_ticket(tickets: list[Ticket], expected: str) -> None:
    """A counter serving two lines calls the oldest ticket by (queued_at, seq, prefix)."""
    b = building()
    choice = choose_next(b.counter("K2"), lines_of(*tickets), {}, b, T0 + timedelta(minutes=10))  # type: ignore[arg-type]
    assert choice == Choice(next(t for t in tickets if t.number == expected), F)


def test_fifo_sequence_across_lines_interleaves_by_age() -> None:
    """Calling a shared counter empty follows arrival order across its lines."""
    b = building()
    waiting = lines_of(
        tk("A-001", 1), tk("B-001", 2), tk("B-002", 3), tk("A-002", 3), tk("A-003", 4)
    )
    # B-002 and A-002 share an instant and a seq: the line prefix decides.
    assert call_sequence(b, "K2", waiting) == seq("A-001:F B-001:F A-002:F B-002:F A-003:F")


# ------------------------------------------------------------------------------------------------
# The ratio
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("r", "counts", "tickets", "expected"),
    [
        # No priority call yet today counts as r: the first priority ticket goes at once.
        (2, {}, REGULARS_FIRST,
         "A-101:P A-001:F A-002:F A-102:P A-003:F A-004:F A-103:P A-005:F A-006:F"),
        # Just after a priority call: two regulars first.
        (2, {"A": 0}, REGULARS_FIRST,
         "A-001:F A-002:F A-101:P A-003:F A-004:F A-102:P A-005:F A-006:F A-103:F"),
        (2, {"A": 1}, REGULARS_FIRST,
         "A-001:F A-101:P A-002:F A-003:F A-102:P A-004:F A-005:F A-103:P A-006:F"),
        (1, {"A": 0}, REGULARS_FIRST,
         "A-001:F A-101:P A-002:F A-102:P A-003:F A-103:P A-004:F A-005:F A-006:F"),
        (3, {}, REGULARS_FIRST,
         "A-101:P A-001:F A-002:F A-003:F A-102:P A-004:F A-005:F A-006:F A-103:F"),
        # A priority ticket that is the oldest is simply FIFO (it jumped nobody) and still
        # resets the count, so the next one waits for two regular calls.
        (2, {}, [tk("A-101", 0, True), tk("A-001", 1), tk("A-002", 2), tk("A-003", 3),
                 tk("A-102", 4, True)],
         "A-101:F A-001:F A-002:F A-102:P A-003:F"),
        # Only priority tickets wait: called in order, FIFO.
        (2, {"A": 0}, [tk("A-101", 1, True), tk("A-102", 2, True)], "A-101:F A-102:F"),
    ],
)  # fmt: skip
def test_ratio_interleaves_priority_after_every_r_regular_calls(
    r: int, counts: dict[str, int], tickets: list[Ticket], expected: str
) -> None:
    """With ratio r, a priority ticket jumps its line's regulars after every r regular calls."""
    b = building(r=r)
    assert call_sequence(b, "K1", lines_of(*tickets), counts) == seq(expected)


@pytest.mark.parametrize("counts", [{}, {"A": 0}, {"A": 5}])
def test_ratio_zero_is_strict_priority(counts: dict[str, int]) -> None:
    """With regular_per_priority 0 every priority ticket is called before any regular one."""
    b = building(r=0)
    expected = "A-101:P A-102:P A-103:P A-001:F A-002:F A-003:F A-004:F A-005:F A-006:F"
    assert call_sequence(b, "K1", lines_of(*REGULARS_FIRST), counts) == seq(expected)


def test_priority_jumps_only_regulars_of_its_own_line() -> None:
    """On a shared counter, a priority ticket of line B does not jump an older ticket of line A."""
    b = building(r=0)
    waiting = lines_of(tk("A-001", 1), tk("B-001", 2), tk("B-101", 3, True))
    # A-001 is the oldest: it is called first; then B's priority ticket jumps B-001.
    assert call_sequence(b, "K2", waiting) == seq("A-001:F B-101:P B-001:F")


def test_ratio_counts_are_per_line() -> None:
    """A line's count decides its own jumps; another line's count does not lend it a turn."""
    b = building(r=2)
    waiting = lines_of(tk("A-001", 1), tk("A-101", 2, True), tk("B-001", 0), tk("B-101", 3, True))
    counter = b.counter("K2")
    assert counter is not None
    now = T0 + timedelta(minutes=10)
    # B's head is the oldest and B may jump: B's priority ticket goes.
    assert choose_next(counter, waiting, {"A": 0, "B": 2}, b, now) == Choice(waiting["B"][1], P)
    # B may not jump (A could, but A's head is not the oldest): the oldest ticket goes.
    assert choose_next(counter, waiting, {"A": 2, "B": 1}, b, now) == Choice(waiting["B"][0], F)


# ------------------------------------------------------------------------------------------------
# The priority counter
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tickets", "counts", "expected"),
    [
        # The oldest priority ticket of any of its lines, whatever the ratio says.
        ([tk("A-001", 1), tk("B-001", 2), tk("B-101", 5, True), tk("C-101", 4, True)],
         {"A": 0, "B": 0, "C": 0}, ("C-101", P)),
        # No priority ticket: FIFO.
        ([tk("A-001", 2), tk("B-001", 1)], {}, ("B-001", F)),
        # The priority ticket is the oldest candidate: it jumped nobody.
        ([tk("A-101", 1, True), tk("B-001", 2)], {"A": 0}, ("A-101", F)),
    ],
)  # fmt: skip
def test_priority_counter_calls_the_oldest_priority_ticket_first(
    tickets: list[Ticket], counts: dict[str, int], expected: tuple[str, CallReason]
) -> None:
    """A priority counter prefers priority tickets across all its lines, ignoring the ratio."""
    b = building(r=2)
    choice = choose_next(b.counter("KP"), lines_of(*tickets), counts, b, T0 + timedelta(minutes=10))  # type: ignore[arg-type]
    assert choice is not None
    assert (choice.ticket.number, choice.reason) == expected


def test_priority_counter_first_off_makes_it_an_ordinary_counter() -> None:
    """With priority_counter_first off, a priority counter follows the ratio like any other."""
    b = building(r=2, priority_counter_first=False)
    waiting = lines_of(tk("A-001", 1), tk("B-101", 5, True))
    choice = choose_next(b.counter("KP"), waiting, {"B": 0}, b, T0 + timedelta(minutes=10))  # type: ignore[arg-type]
    assert choice == Choice(waiting["A"][0], F)


# ------------------------------------------------------------------------------------------------
# Max wait
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counter", "r", "counts", "now_min", "expected"),
    [
        # Strict priority: before the limit the priority ticket jumps; at the limit it cannot.
        ("K1", 0, {"A": 0}, 59, ("A-101", P)),
        ("K1", 0, {"A": 0}, 60, ("A-001", M)),
        # Strict priority still gets a turn once a regular ticket was called since the last one.
        ("K1", 0, {"A": 1}, 60, ("A-101", P)),
        # Priority counter: its preference gives way to an overdue ticket...
        ("KP", 2, {"A": 0}, 60, ("A-001", M)),
        # ...except for the line's own ratio turn.
        ("KP", 2, {"A": 2}, 60, ("A-101", P)),
        # Ordinary counter, ratio not due: the overdue head is what the ratio picks anyway.
        ("K1", 2, {"A": 1}, 60, ("A-001", F)),
        # Ordinary counter, ratio due: the ratio turn survives the overdue head.
        ("K1", 2, {"A": 2}, 90, ("A-101", P)),
    ],
)
def test_max_wait_overrides_strict_priority_and_the_priority_counter(
    counter: str,
    r: int,
    counts: dict[str, int],
    now_min: float,
    expected: tuple[str, CallReason],
) -> None:
    """An overdue ticket beats strict priority and the priority counter, not the ratio's turn."""
    b = building(r=r)
    waiting = lines_of(tk("A-001", 0), tk("A-101", 30, True))
    choice = choose_next(b.counter(counter), waiting, counts, b, T0 + timedelta(minutes=now_min))  # type: ignore[arg-type]
    assert choice is not None
    assert (choice.ticket.number, choice.reason) == expected


def test_max_wait_calls_the_longest_waiting_overdue_ticket_first() -> None:
    """Among overdue tickets of several lines, the one that waited longest is called."""
    b = building(r=0, line_max_wait={"B": 20})
    # A-001 waited 40 min (limit 60: not overdue); B-001 waited 30 and B-002 25 (limit 20).
    waiting = lines_of(tk("A-001", 0), tk("B-001", 10), tk("B-002", 15), tk("A-101", 35, True))
    choice = choose_next(b.counter("K2"), waiting, {}, b, T0 + timedelta(minutes=40))  # type: ignore[arg-type]
    assert choice == Choice(waiting["B"][0], M)


def test_max_wait_reason_is_fifo_when_the_overdue_ticket_was_next_anyway() -> None:
    """An overdue ticket that FIFO would call anyway is recorded as FIFO, not batas_tunggu."""
    b = building()
    waiting = lines_of(tk("A-001", 0), tk("A-002", 1))
    choice = choose_next(b.counter("K1"), waiting, {}, b, T0 + timedelta(minutes=120))  # type: ignore[arg-type]
    assert choice == Choice(waiting["A"][0], F)


def test_an_overdue_priority_ticket_is_called_like_any_overdue_ticket() -> None:
    """The longest-waiting overdue ticket goes first even when it is a priority ticket."""
    b = building(r=2, line_max_wait={"B": 10})
    waiting = lines_of(tk("A-001", 0), tk("B-101", 5, True))
    choice = choose_next(b.counter("K2"), waiting, {"A": 0, "B": 0}, b, T0 + timedelta(minutes=20))  # type: ignore[arg-type]
    assert choice == Choice(waiting["B"][0], M)


# ------------------------------------------------------------------------------------------------
# Preview and the helpers
# ------------------------------------------------------------------------------------------------


def test_preview_lists_the_next_calls_without_touching_its_inputs() -> None:
    """preview returns the coming calls in order and leaves waiting and counts unchanged."""
    b = building(r=2)
    waiting = lines_of(*REGULARS_FIRST)
    before = {k: list(v) for k, v in waiting.items()}
    counts = {"A": 0}
    got = preview(b.counter("K1"), waiting, counts, b, T0 + timedelta(minutes=30), 4)  # type: ignore[arg-type]
    assert [t.number for t in got] == ["A-001", "A-002", "A-101", "A-003"]
    assert waiting == before
    assert counts == {"A": 0}


@pytest.mark.parametrize(
    ("count", "priority", "expected"),
    [(None, False, 3), (None, True, 0), (0, False, 1), (4, False, 5), (4, True, 0)],
)
def test_ratio_count_after_a_call(count: int | None, priority: bool, expected: int) -> None:
    """A priority call resets the line's count; a regular call adds one (no entry counts as r)."""
    assert ratio_count_after(count, tk("A-001", 0, priority), 2) == expected


def test_first_priority_uses_the_callers_index_when_offered() -> None:
    """A sequence with first_priority() is asked instead of scanned."""
    line = IndexedLine([tk("A-001", 0), tk("A-101", 1, True)])
    assert first_priority(line) is line[1]
    assert line.asked == 1
    assert first_priority([tk("A-001", 0)]) is None
