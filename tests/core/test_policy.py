"""The calling policy: max wait, priority counter, per-line ratio, reasons, preview."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.building import Building, Counter, DayHours, Line, PolicySettings, Zone
from server.core.events import CallReason, PriorityGroup
from server.core.model import Ticket, TicketState
from server.core.policy import (
    Choice,
    choose_next,
    fifo_key,
    first_priority,
    may_overtake,
    overtaking_cost_s,
    passed_over,
    preview,
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
# Rule 0: the guard that bounds what regular tickets pay for overtakings
# ------------------------------------------------------------------------------------------------

MIN = 60.0  # seconds


@pytest.mark.parametrize(
    ("overtaken", "waited_min", "ahead", "cost_min", "allowed"),
    [
        (0, 2, 0, 4, True),  # 4 min <= the 5-minute floor
        (0, 2, 0, 6, False),  # 6 min > 5 min, and 25 % of a 2-minute FIFO wait is less
        (1, 2, 0, 2, True),  # two overtakings of 2 min: 4 min <= 5 min
        (2, 2, 0, 2, False),  # a third: 6 min > 5 min
        (0, 40, 0, 8, True),  # 25 % of 40 min = 10 min >= 8 min
        (1, 40, 0, 8, False),  # FIFO wait 40 - 8 = 32 min: 8 min allowed, 16 asked
        (1, 2, 20, 8, True),  # 20 tickets ahead: FIFO wait 2 + 19·8 = 154 min, 38.5 allowed
        (4, 40, 0, 8, False),
    ],
)
def test_may_overtake_keeps_each_regular_ticket_within_its_allowance(
    overtaken: int, waited_min: float, ahead: int, cost_min: float, allowed: bool
) -> None:
    """One more overtaking is allowed while k+1 overtakings cost at most max(25 % of the
    estimated FIFO wait, 5 min); the FIFO wait counts the tickets still ahead."""
    ticket = replace(tk("A-001", 0), overtaken=overtaken)
    now = T0 + timedelta(minutes=waited_min)
    settings_ = PolicySettings()
    assert may_overtake(ticket, ahead, cost_min * MIN, settings_, now) is allowed


def test_may_overtake_counts_pending_overtakings_and_follows_the_settings() -> None:
    """A preview's pending overtakings count like recorded ones; the percentage and floor are
    the building's settings."""
    ticket = tk("A-001", 0)
    now = T0 + timedelta(minutes=2)
    default = PolicySettings()
    assert may_overtake(ticket, 0, 2 * MIN, default, now, pending=1)
    assert not may_overtake(ticket, 0, 2 * MIN, default, now, pending=2)
    generous = PolicySettings(regular_delay_min=10)
    assert may_overtake(ticket, 0, 6 * MIN, generous, now, pending=0)
    strict = PolicySettings(regular_delay_pct=0, regular_delay_min=0)
    assert not may_overtake(ticket, 0, 1.0, strict, now)


def test_the_guard_holds_a_jump_that_costs_a_fresh_regular_ticket_too_much() -> None:
    """Strict priority, a regular ticket queued 2 minutes ago: an overtaking that costs it more
    than 5 minutes is held (FIFO), one that costs less goes ahead."""
    b = building(r=0, protect_regular=True)
    now = T0 + timedelta(minutes=2)
    waiting = lines_of(tk("A-001", 0), tk("A-101", 1, True))
    counter = b.counter("K1")
    assert counter is not None
    # Line A's default cost: its 10-minute target over 1 + 1/2 + 1/3 counters = 5.45 min.
    assert choose_next(counter, waiting, {}, b, now) == Choice(waiting["A"][0], F)
    assert choose_next(counter, waiting, {}, b, now, {"A": 4 * MIN}) == Choice(waiting["A"][1], P)
    # The guard off: the priority ticket goes whatever it costs.
    off = building(r=0, protect_regular=False)
    assert choose_next(counter, waiting, {}, off, now) == Choice(waiting["A"][1], P)


def test_a_held_priority_ticket_goes_once_the_tickets_that_held_it_are_called() -> None:
    """A-001 has absorbed its allowance; A-002 has not. The priority ticket waits behind A-001
    only, then overtakes A-002."""
    b = building(r=0, protect_regular=True)
    now = T0 + timedelta(minutes=10)
    a1 = replace(tk("A-001", 0), overtaken=1)
    waiting = lines_of(a1, tk("A-002", 1), tk("A-101", 2, True))
    got = call_sequence_with_costs(b, "K1", waiting, now, {"A": 4 * MIN})
    assert got == seq("A-001:F A-101:P A-002:F")


def test_the_priority_counter_calls_the_oldest_priority_ticket_the_guard_allows() -> None:
    """KP serves A, B, C: A's priority ticket would cost A-001 too much, B's costs little."""
    b = building(protect_regular=True)
    now = T0 + timedelta(minutes=3)
    waiting = lines_of(tk("A-001", 0), tk("A-101", 1, True), tk("B-001", 1.5), tk("B-101", 2, True))
    costs = {"A": 8 * MIN, "B": 1 * MIN, "C": 1 * MIN}
    counter = b.counter("KP")
    assert counter is not None
    # B-101 overtakes A-001 too (older, on the counter's lines): A's cost applies to it, 8 min.
    assert choose_next(counter, waiting, {}, b, now, costs) == Choice(waiting["A"][0], F)
    costs["A"] = 1 * MIN
    assert choose_next(counter, waiting, {}, b, now, costs) == Choice(waiting["A"][1], P)


def test_passed_over_names_the_older_regular_tickets_of_the_counters_lines() -> None:
    """A priority call overtakes the regular tickets older than it on every line of its counter,
    not the priority ones, nor younger ones, nor lines the counter does not serve."""
    waiting = lines_of(
        tk("A-001", 0),
        tk("B-001", 1),
        tk("B-101", 1.5, True),
        tk("C-001", 0.5),
        tk("A-101", 2, True),
        tk("A-002", 3),
    )
    b = building()
    called = waiting["A"][1]
    got = passed_over(b.counter("K2"), waiting, called)  # type: ignore[arg-type]
    assert [t.number for t in got] == ["A-001", "B-001"]
    assert passed_over(b.counter("K2"), waiting, waiting["A"][0]) == []  # type: ignore[arg-type]


def test_overtaking_cost_is_a_service_over_the_counters() -> None:
    """One overtaking costs a service shared by the line's open counters (none counts as one)."""
    assert overtaking_cost_s(600.0, 2.0) == 300.0
    assert overtaking_cost_s(600.0, 0.5) == 1200.0
    assert overtaking_cost_s(600.0, 0.0) == 600.0


def call_sequence_with_costs(
    b: Building,
    counter_id: str,
    waiting: dict[str, list[Ticket]],
    now: datetime,
    costs: dict[str, float],
) -> list[tuple[str, CallReason]]:
    """call_sequence, keeping each ticket's overtakings as the queue core does."""
    counts: dict[str, int] = {}
    counter = b.counter(counter_id)
    assert counter is not None
    out: list[tuple[str, CallReason]] = []
    while (choice := choose_next(counter, waiting, counts, b, now, costs)) is not None:
        t = choice.ticket
        waiting[t.line].remove(t)
        counts[t.line] = ratio_count_after(counts.get(t.line), t, b.policy.regular_per_priority)
        for passed in passed_over(counter, waiting, t):
            passed.overtaken += 1
        out.append((t.number, choice.reason))
    return out


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


class IndexedLine(list):
    """A plain list that also names its first priority ticket without a scan."""

    def __init__(self, tickets: Sequence[Ticket]) -> None:
        super().__init__(tickets)
        self.asked = 0

    def first_priority(self) -> Ticket | None:
        self.asked += 1
        return next((t for t in self if t.priority is not None), None)


def test_first_priority_uses_the_callers_index_when_offered() -> None:
    """A sequence with first_priority() is asked instead of scanned."""
    line = IndexedLine([tk("A-001", 0), tk("A-101", 1, True)])
    assert first_priority(line) is line[1]
    assert line.asked == 1
    assert first_priority([tk("A-001", 0)]) is None


# ------------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Building, str, dict[str, list[Ticket]], dict, datetime]:
    """A random building setting, counter, waiting set, ratio counts and instant."""
    r = draw(st.integers(0, 4))
    b = building(
        r=r,
        max_wait_min=draw(st.sampled_from([15.0, 60.0])),
        priority_counter_first=draw(st.booleans()),
        line_max_wait=draw(st.sampled_from([{}, {"B": 10.0}])),
    )
    specs = draw(
        st.lists(
            st.tuples(st.sampled_from("ABC"), st.integers(0, 40), st.booleans()),
            max_size=25,
        )
    )
    seqs: dict[str, int] = {}
    tickets = []
    for line, minute, prio in specs:
        seqs[line] = seqs.get(line, 0) + 1
        tickets.append(tk(f"{line}-{seqs[line]:03d}", minute, prio))
    counts = draw(st.dictionaries(st.sampled_from("ABC"), st.integers(0, 5)))
    now = T0 + timedelta(minutes=draw(st.integers(40, 120)))
    return b, draw(st.sampled_from(["K1", "K2", "KP"])), lines_of(*tickets), counts, now


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_choice_is_a_waiting_ticket_of_the_counters_lines(scenario: tuple) -> None:
    """Whatever waits, the chosen ticket waits on one of the counter's lines; None iff none."""
    b, cid, waiting, counts, now = scenario
    counter = b.counter(cid)
    choice = choose_next(counter, waiting, counts, b, now)
    candidates = [t for p in counter.serves for t in waiting.get(p, [])]
    if not candidates:
        assert choice is None
        return
    assert choice is not None
    assert any(choice.ticket is t for t in candidates)
    # PRIORITY is recorded exactly when a priority ticket went ahead of an older candidate.
    jumped = any(fifo_key(t) < fifo_key(choice.ticket) for t in candidates)
    assert (choice.reason is P) == (choice.ticket.is_priority and jumped and choice.reason is not M)
    if choice.reason is F:
        assert not jumped


@settings(max_examples=300, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_choice_is_deterministic_and_ignores_the_order_of_serves(scenario: tuple, rnd) -> None:
    """The same inputs give the same choice, whatever order the counter lists its lines in."""
    b, cid, waiting, counts, now = scenario
    counter = b.counter(cid)
    first = choose_next(counter, waiting, counts, b, now)
    assert choose_next(counter, waiting, counts, b, now) == first
    serves = list(counter.serves)
    rnd.shuffle(serves)
    shuffled = replace(counter, serves=tuple(serves))
    assert choose_next(shuffled, waiting, counts, b, now) == first


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_an_indexed_line_gives_the_same_choice_as_a_plain_list(scenario: tuple) -> None:
    """Passing lines that offer first_priority() changes nothing but the speed."""
    b, cid, waiting, counts, now = scenario
    indexed = {p: IndexedLine(ts) for p, ts in waiting.items()}
    assert choose_next(b.counter(cid), indexed, counts, b, now) == choose_next(
        b.counter(cid), waiting, counts, b, now
    )


@settings(max_examples=300, deadline=None)
@given(scenarios(), st.integers(0, 30))
def test_preview_matches_successive_calls(scenario: tuple, n: int) -> None:
    """preview(n) equals n successive choose_next calls with the ratio bookkeeping applied."""
    b, cid, waiting, counts, now = scenario
    counter = b.counter(cid)
    expected: list[Ticket] = []
    lines = {p: list(ts) for p, ts in waiting.items()}
    running = dict(counts)
    while len(expected) < n and (c := choose_next(counter, lines, running, b, now)) is not None:
        lines[c.ticket.line].remove(c.ticket)
        running[c.ticket.line] = ratio_count_after(
            running.get(c.ticket.line), c.ticket, b.policy.regular_per_priority
        )
        expected.append(c.ticket)
    assert preview(counter, waiting, counts, b, now, n) == expected


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(0, 30), st.floats(30.0, 900.0))
def test_preview_with_the_guard_matches_successive_calls(
    scenario: tuple, n: int, cost_s: float
) -> None:
    """With the guard on, preview(n) still equals n successive calls, each adding the
    overtakings it causes, and it leaves the tickets' own counts untouched."""
    b, cid, waiting, counts, now = scenario
    b = replace(b, policy=replace(b.policy, protect_regular=True))
    counter = b.counter(cid)
    costs = dict.fromkeys("ABC", cost_s)
    # The successive calls run on copies: they record overtakings on the tickets they hold.
    copies = {p: [replace(t) for t in ts] for p, ts in waiting.items()}
    running = dict(counts)
    expected: list[str] = []
    while (
        len(expected) < n
        and (c := choose_next(counter, copies, running, b, now, costs)) is not None
    ):
        copies[c.ticket.line].remove(c.ticket)
        running[c.ticket.line] = ratio_count_after(
            running.get(c.ticket.line), c.ticket, b.policy.regular_per_priority
        )
        for passed in passed_over(counter, copies, c.ticket):
            passed.overtaken += 1
        expected.append(c.ticket.id)
    got = preview(counter, waiting, counts, b, now, n, costs)
    assert [t.id for t in got] == expected
    assert all(t.overtaken == 0 for ts in waiting.values() for t in ts)
