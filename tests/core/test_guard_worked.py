"""The guard (rule 0 of docs/calling-policy.md), worked out by hand on small days.

From the doc ("How the guard estimates"): one overtaking costs a line d = its service estimate
over its open counters (a counter shared by k lines counts 1/k; with no service finished yet the
estimate is the line's target). A regular ticket that has waited w, absorbed k overtakings and
has i tickets ahead of it on its line would have waited F = w − k·d + i·d in arrival order; a
priority ticket may overtake it while (k + 1)·d ≤ max(25 % of F, d): a quarter of its wait in
arrival order, or one overtaking, whichever is more. Every regular ticket older than the
priority ticket on the counter's lines must agree. A first overtaking (k = 0) is therefore
always allowed; the cases below turn on the second and later ones.

Each case below is computed on paper in its comments and driven through `QueueState.handle`
(the real bookkeeping of costs and overtakings), so an off-by-one in the tickets counted ahead,
a dropped term of F, a wrong cost, the floor of one overtaking lost or pending overtakings
ignored by the preview each change a call and fail a case. Times are on Monday 2026-11-23
(WIB); max wait is raised to 180 minutes so that rule 1 never steps in, and each service lasts
exactly its line's target, so the estimate stays at the target all day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from factory import at, issue, make_building

from server.core.building import Building, Counter, Line
from server.core.events import PriorityGroup, TicketCalled
from server.core.figures import overtaking_costs
from server.core.model import CallNext, FinishService, LogIn, OpenCounter, StartService
from server.core.queue import QueueState

P = PriorityGroup.LANSIA


def small_building(target_a: float, r: int = 2) -> Building:
    """Line A (target `target_a` min) and line B (target 3 min); Loket 1 serves A, Loket 2
    serves A and B. Nothing else: no quotas, no priority counter."""
    b = make_building(regular_per_priority=r, max_wait_min=180)
    return replace(
        b,
        lines=(
            Line("A", "DUKCAPIL", "Layanan A", target_a),
            Line("B", "DUKCAPIL", "Layanan B", 3),
        ),
        counters=(
            Counter("L1", "Loket 1", 1, "1", "DUKCAPIL", ("A",)),
            Counter("L2", "Loket 2", 2, "1", "DUKCAPIL", ("A", "B")),
        ),
    )


def day(
    b: Building, counter: str, tickets: list[tuple[str, str, bool]], calls: list[str]
) -> list[str]:
    """Issue `tickets` (line, queued HH:MM, priority), open `counter` alone, call at each of
    `calls` (each citizen served until the next call); "A-002 prioritas"-style results."""
    q = QueueState(b)
    for line, hhmm, priority in tickets:
        issue(q, line, at(hhmm), priority=P if priority else None)
    q.handle(LogIn(counter, "OF1"), at("07:30"))
    q.handle(OpenCounter(counter), at("07:30"))
    out = []
    for n, hhmm in enumerate(calls):
        (called,) = q.handle(CallNext(counter), at(hhmm))
        assert isinstance(called, TicketCalled)
        out.append(f"{called.number} {called.reason.value}")
        if n + 1 < len(calls):
            q.handle(StartService(counter), at(hhmm))
            q.handle(FinishService(counter), at(calls[n + 1]))
    return out


# --------------------------------------------------------------------------------------------
# The tickets ahead: i counts the tickets before it on its line
# --------------------------------------------------------------------------------------------

# Loket 1 alone on line A, target 8 min: d = 8 min; strict priority (r = 0), so the guard alone
# decides. Regular A-001 (07:30), A-002 (07:31) and A-003; priority A-004 (08:41), A-005 (08:42).
# 09:00: A-004 goes first, a first overtaking for all three (always within): each has k = 1.
# 09:08: A-005 would give each a second overtaking, 16 min, so F must be at least 64:
#   A-001 w=98 i=0: F = 98 − 8       = 90 → 22.5  ≥ 16 yes
#   A-002 w=97 i=1: F = 97 + 8 − 8   = 97 → 24.25 ≥ 16 yes
#   A-003 i=2 (A-001 and A-002 still ahead): F = w + 16 − 8 = w + 8, decided below.


def ahead_day(a3_queued: str) -> list[str]:
    tickets = [("A", "07:30", False), ("A", "07:31", False), ("A", a3_queued, False)]
    tickets += [("A", "08:41", True), ("A", "08:42", True)]
    return day(small_building(8, r=0), "L1", tickets, ["09:00", "09:08"])


def test_a_ticket_with_few_tickets_ahead_holds_a_second_overtaking() -> None:
    """A-003 queued 08:13: w=55: F = 55 + 8 = 63 → 15.75 < 16: held, so A-001 goes (fifo).
    Counting one ticket too many ahead of A-003 (i=3: F = 71, 17.75) would let A-005 through."""
    assert ahead_day("08:13") == ["A-004 prioritas", "A-001 fifo"]


def test_one_more_minute_lets_the_priority_ticket_through_exactly() -> None:
    """A-003 queued 08:12: w=56: F = 56 + 8 = 64 → 16 = 16: allowed (the promise is "within",
    ≤). Counting one ticket too few ahead (i=1: F = 56, 14) would hold it; so would a strict
    "<"."""
    assert ahead_day("08:12") == ["A-004 prioritas", "A-005 prioritas"]


# --------------------------------------------------------------------------------------------
# The floor: one overtaking, whatever it costs; not two
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target_a", [4, 8, 30])
def test_one_priority_ticket_may_always_go_before_a_fresh_regular_ticket(
    target_a: float,
) -> None:
    """A-001 queued 08:59, priority A-002 08:59, call at 09:00: w = 1, i = 0, k = 0, F = 1 min;
    25 % of it is 15 s, so the floor is the allowance: max(0.25, d) = d ≥ 1 × d whatever d is
    (4, 8 or 30 minutes). The old 5-minute floor held the 8- and 30-minute ones."""
    tickets = [("A", "08:59", False), ("A", "08:59", True)]
    assert day(small_building(target_a), "L1", tickets, ["09:00"]) == ["A-002 prioritas"]


@pytest.mark.parametrize("target_a", [2, 4])
def test_a_second_priority_ticket_waits_behind_a_fresh_regular_ticket(target_a: float) -> None:
    """Strict priority; A-001 queued 08:59, priority A-002 and A-003 08:59; d = target.
    09:00     A-002: k=0: the first overtaking, allowed; A-001 absorbs it.
    09:00 + d A-003: A-001 w = 1 + d, k=1: F = 1 + d − d = 1 → max(0.25, d) = d < 2d: held,
              so A-001 is called (fifo), then A-003.
    With the old floor of 5 minutes, d = 2 let a second through (4 ≤ 5)."""
    tickets = [("A", "08:59", False), ("A", "08:59", True), ("A", "08:59", True)]
    step = int(target_a)
    calls = ["09:00", f"09:{step:02d}", f"09:{2 * step:02d}"]
    got = day(small_building(target_a, r=0), "L1", tickets, calls)
    assert got == ["A-002 prioritas", "A-001 fifo", "A-003 fifo"]


# --------------------------------------------------------------------------------------------
# Overtakings absorbed: k, and the time they cost taken out of F
# --------------------------------------------------------------------------------------------

# Strict priority (r = 0) so that the guard alone decides a second jump in a row; d = 8 min.
# Priority A-002 (08:50) and A-003 (08:51) behind regular A-001. Calls at 09:00, 09:08, 09:16.


def test_an_absorbed_overtaking_counts_against_the_next() -> None:
    """A-001 queued 08:00.
    09:00 A-002: A-001 k=0: the first overtaking, allowed; A-001 absorbs one.
    09:08 A-003: A-001 w=68 k=1: F = 68 − 8 = 60 → 15 < 8 × 2 = 16: held → A-001 (fifo).
    Forgetting the k·d already lost (F = 68 → 17) would let A-003 through; so would asking
    for k·d instead of (k + 1)·d (8 ≤ 15)."""
    tickets = [("A", "08:00", False), ("A", "08:50", True), ("A", "08:51", True)]
    got = day(small_building(8, r=0), "L1", tickets, ["09:00", "09:08", "09:16"])
    assert got == ["A-002 prioritas", "A-001 fifo", "A-003 fifo"]


def test_a_long_enough_wait_allows_a_second_overtaking() -> None:
    """A-001 queued 07:45.
    09:00 A-002: A-001 k=0: allowed; k becomes 1.
    09:08 A-003: A-001 w=83 k=1: F = 83 − 8 = 75 → 18.75 ≥ 16: allowed.
    Counting two overtakings for one call (k=2: F = 67, 16.75 < 24) would hold it."""
    tickets = [("A", "07:45", False), ("A", "08:50", True), ("A", "08:51", True)]
    got = day(small_building(8, r=0), "L1", tickets, ["09:00", "09:08", "09:16"])
    assert got == ["A-002 prioritas", "A-003 prioritas", "A-001 fifo"]


def test_two_absorbed_overtakings_count_as_two() -> None:
    """d = 2 min (target 2, Loket 1 alone), strict priority. A-001 queued 08:40; priority A-002,
    A-003, A-004 at 08:59; calls every 2 minutes, each service lasting its target.
    09:00 A-002: A-001 k=0: the first, allowed (absorbs 1).
    09:02 A-003: A-001 w=22 k=1: F = 22 − 2 = 20 → max(5, 2) = 5 ≥ 2 × 2 = 4: allowed (2).
    09:04:       A-001 w=24 k=2: F = 24 − 4 = 20 → 5 < 2 × 3 = 6: held → A-001 (fifo).
    A count that remembered one overtaking, not two (k = 1: F = 22, 5.5 ≥ 4), would call A-004."""
    tickets = [("A", "08:40", False), *[("A", "08:59", True)] * 3]
    got = day(small_building(2, r=0), "L1", tickets, ["09:00", "09:02", "09:04", "09:06"])
    assert got == ["A-002 prioritas", "A-003 prioritas", "A-001 fifo", "A-004 fifo"]


def test_the_preview_counts_the_overtakings_of_its_own_earlier_calls() -> None:
    """The officer's "next" list at 09:00, A-001 queued 08:00 (nothing called yet): the preview
    calls A-002 first (a first overtaking), which A-001 absorbs (pending, not yet recorded);
    for the second call, still at 09:00: w=60, k=0+1: F = 60 − 8 = 52 → 13 < 16: held, A-001.
    A preview that ignored its own pending overtaking (k = 0: a first, allowed) would list
    A-003 second."""
    q = QueueState(small_building(8, r=0))
    for hhmm, priority in (("08:00", False), ("08:50", True), ("08:51", True)):
        issue(q, "A", at(hhmm), priority=P if priority else None)
    q.handle(LogIn("L1", "OF1"), at("07:30"))
    q.handle(OpenCounter("L1"), at("07:30"))
    assert [t.number for t in q.next_for("L1", at("09:00"), 3)] == ["A-002", "A-001", "A-003"]


# --------------------------------------------------------------------------------------------
# A shared counter: each line with its own cost and its own tickets ahead
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("b_queued", "second"),
    [
        # B-001 w=54 i=0 k=1: F = 54 − 6 = 48 → max(12, 6) = 12 ≥ 2 × 6 = 12: allowed, exactly.
        ("08:08", "A-003 prioritas"),
        # B-001 w=53: F = 47 → 11.75 < 12: held, so the FIFO head A-001 is called.
        ("08:09", "A-001 fifo"),
    ],
)
def test_on_a_shared_counter_each_passed_line_pays_its_own_cost(b_queued: str, second: str) -> None:
    """Loket 2 alone, serving A (target 2) and B (target 3): each line has half of it, so
    d_A = 2 / 0.5 = 4 min and d_B = 3 / 0.5 = 6 min. Strict priority. Regular A-001 (07:50) and
    B-001, priority A-002 (08:45) and A-003 (08:46).
    09:00 A-002 overtakes A-001 and B-001, older than it on the counter's other line: a first
    overtaking for both, allowed; each absorbs one.
    09:02 A-003 would overtake them again: A-001 w=72 k=1: F = 72 − 4 = 68 → 17 ≥ 8: yes; and
    B-001, whose place on line B is i = 0 and whose cost is d_B (the cases above).
    With A's cost for B-001 (4 min: 8 ≤ 25 % of 49 or 50) both cases would let A-003 through;
    so would counting A-001 ahead of B-001 (i = 1: F = 53, 13.25 ≥ 12)."""
    tickets = [("A", "07:50", False), ("B", b_queued, False)]
    tickets += [("A", "08:45", True), ("A", "08:46", True)]
    got = day(small_building(2, r=0), "L2", tickets, ["09:00", "09:02"])
    assert got == ["A-002 prioritas", second]


def test_the_costs_the_guard_uses_are_the_documented_ones() -> None:
    """d = service estimate over the open counters' shares, in seconds: the inputs of the
    cases above (Loket 1 alone: A 8 min; Loket 2 alone: A 16 min, B 6 min)."""
    for counter, expected in (("L1", {"A": 480.0}), ("L2", {"A": 960.0, "B": 360.0})):
        q = QueueState(small_building(8))
        q.handle(LogIn(counter, "OF1"), at("07:30"))
        q.handle(OpenCounter(counter), at("07:30"))
        assert overtaking_costs(q, q.counter_defs[counter]) == expected
    # And a finished service moves the estimate as the doc's formula says: one 14-minute
    # service against an 8-minute target: s = 1/6 · 14 + 5/6 · 8 = 9 min.
    q = QueueState(small_building(8))
    issue(q, "A", at("08:00"))
    q.handle(LogIn("L1", "OF1"), at("07:30"))
    q.handle(OpenCounter("L1"), at("07:30"))
    q.handle(CallNext("L1"), at("09:00"))
    q.handle(StartService("L1"), at("09:00"))
    q.handle(FinishService("L1"), at("09:00") + timedelta(minutes=14))
    assert overtaking_costs(q, q.counter_defs["L1"])["A"] == pytest.approx(540.0)


def test_a_passed_ticket_of_the_other_line_counts_the_overtaking_too() -> None:
    """The doc: "when a shared counter calls line A's priority ticket, the line-B tickets older
    than it were passed too, so they count the overtaking as well". Loket 2 alone, strict
    priority, A's target 2 min (d_A = 4), B's 3 min (d_B = 6). Regular A-001 08:00, regular
    B-001 08:30, priority A-002 08:40 and A-003 08:41.
    09:00 A-002: a first overtaking for A-001 and B-001: allowed. Both absorb one.
    09:02 A-003: A-001 w=62 k=1: F = 58 → 14.5 ≥ 8; B-001 w=32 k=1: F = 32 − 6 = 26 →
          max(6.5, 6) = 6.5 < 12: held → A-001 (fifo). Had B-001 not counted A-002's jump
          (k=0: a first overtaking), A-003 would go.
    09:04 the head is B-001 (line B has no priority ticket): fifo; 09:07 A-003."""
    tickets = [("A", "08:00", False), ("B", "08:30", False)]
    tickets += [("A", "08:40", True), ("A", "08:41", True)]
    got = day(small_building(2, r=0), "L2", tickets, ["09:00", "09:02", "09:04", "09:07"])
    assert got == ["A-002 prioritas", "A-001 fifo", "B-001 fifo", "A-003 fifo"]
