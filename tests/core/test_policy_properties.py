"""Properties of the calling policy over random buildings, waiting sets and instants."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from booked_tickets import booked
from hypothesis import given, settings
from hypothesis import strategies as st
from policy_kit import (
    T0,
    F,
    IndexedLine,
    M,
    P,
    building,
    lines_of,
    tk,
)

from server.core.building import Building
from server.core.events import CallReason
from server.core.model import Ticket
from server.core.policy import (
    booking_jump,
    choose_next,
    fifo_key,
    passed_over,
    preview,
    ratio_count_after,
)
from server.core.waitlist import WaitingLine, booked_here

B = CallReason.BOOKING

# ------------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Building, str, dict[str, list[Ticket]], dict, datetime]:
    """A random building setting, counter, waiting set, ratio counts and instant.

    About one ticket in four is checked in from a booking (issue 19), queued at its slot's
    start anywhere from minute 0 to 150: due or not yet at the instant, which is 40 to 120.
    """
    r = draw(st.integers(0, 4))
    b = building(
        r=r,
        max_wait_min=draw(st.sampled_from([15.0, 60.0])),
        priority_counter_first=draw(st.booleans()),
        line_max_wait=draw(st.sampled_from([{}, {"B": 10.0}])),
    )
    specs = draw(
        st.lists(
            st.tuples(
                st.sampled_from("ABC"),
                st.integers(0, 40),
                st.booleans(),
                st.one_of(st.none(), st.none(), st.none(), st.integers(0, 150)),
            ),
            max_size=25,
        )
    )
    seqs: dict[str, int] = {}
    tickets = []
    for line, minute, prio, slot in specs:
        seqs[line] = seqs.get(line, 0) + 1
        number = f"{line}-{seqs[line]:03d}"
        tickets.append(tk(number, minute, prio) if slot is None else booked(number, slot, prio))
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
    # PRIORITY is recorded exactly when a priority ticket went ahead of an older candidate
    # by rule 2 or 4; BOOKING only when a due ticket booked for its line did by rule 3.
    jumped = any(fifo_key(t) < fifo_key(choice.ticket) for t in candidates)
    assert (choice.reason is P) == (
        choice.ticket.is_priority and jumped and choice.reason not in (M, B)
    )
    if choice.reason is B:
        assert booked_here(choice.ticket) and choice.ticket.queued_at <= now and jumped
    if choice.reason is F:
        assert not jumped
    # A booked ticket before its slot goes ahead of nobody, and nobody goes ahead of it.
    if choice.ticket.queued_at > now:
        assert not jumped
    assert all(t.queued_at <= now for t in passed_over(counter, waiting, choice.ticket))


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
    kept = {p: WaitingLine.of(ts) for p, ts in waiting.items()}
    assert choose_next(b.counter(cid), kept, counts, b, now) == choose_next(
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
    overtakings it causes (a booking's counted apart), and it leaves the tickets' own counts
    untouched."""
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
        booked = booking_jump(c.ticket, c.reason)
        for passed in passed_over(counter, copies, c.ticket):
            passed.overtaken += 1
            passed.booked_ahead += booked
        expected.append(c.ticket.id)
    got = preview(counter, waiting, counts, b, now, n, costs)
    assert [t.id for t in got] == expected
    assert all(t.overtaken == t.booked_ahead == 0 for ts in waiting.values() for t in ts)
