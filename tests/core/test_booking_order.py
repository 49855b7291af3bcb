"""People ahead with booked citizens in the line: the figure against the calls (issue 19).

tests/core/test_people_ahead.py's property, with booked citizens among the walk-ins: each
checks in at a random instant of the morning for a slot that starts up to 30 minutes later
(early) or started up to 15 minutes before (late, within the grace period), so that at `NOW`
some slots have started and some start while the line is being served. After the morning, the
figures are read at `NOW` — every waiting ticket's people ahead, each line's calling order, and
the kiosk's estimate for a walk-in ticket issued at `NOW`, which is then issued — and each
line's counters call one ticket every overtaking cost with nobody new arriving. Each figure
must equal the number of its line's tickets actually called before it: the booked tickets not
yet due must be placed where their slots put them, and a walk-in must be told of the booked
citizens who will go ahead of it.

The same honest limit as there: exact for lines served by their own ordinary counters.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from booked_tickets import check_in
from factory import MONDAY, at, make_building
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_people_ahead import day_building, policies

from server.core.building import PolicySettings
from server.core.events import PriorityGroup, TicketCalled
from server.core.model import (
    CallNext,
    ConfirmPrinted,
    FinishService,
    IssueTicket,
    LogIn,
    MarkNoShow,
    OpenCounter,
    StartService,
    TicketState,
)
from server.core.queue import QueueState

NOW = at("10:00", MONDAY)
OPENED = at("08:00", MONDAY)

# (line, priority, seconds after 08:00 when issued or checked in, None for a walk-in or the
# slot's start in seconds after the check-in: -15 min (late) to +30 min (early))
tickets_st = st.lists(
    st.tuples(
        st.sampled_from("AB"),
        st.sampled_from([False, False, False, True]),
        st.one_of(st.integers(3600, 7199), st.integers(0, 7199)),
        st.one_of(st.none(), st.integers(-900, 1800)),
    ),
    min_size=4,
    max_size=30,
)
earlier_st = st.lists(st.tuples(st.integers(0, 7199), st.integers(0, 3)), max_size=12)

# A day the played-forward order gets wrong if it reckons the guard's estimate for a booked
# ticket not yet due from now rather than from its slot's start (by hand): line A, one counter,
# d = 2 min, strict priority, the guard at 25 % for priority citizens. Eight walk-ins
# (09:40-09:51) and the walk-in issued at 10:00 wait; booked A-009 (slot 10:02:30) and the
# priority places A-010 (10:03) and A-011 (10:05) checked in early. Calls at 10:00 and 10:02
# take two walk-ins; at 10:04 the priority turn (strict) calls A-010, which passes the rest,
# A-009 included (a first overtaking). At 10:06 A-011 would pass A-009 a second time: A-009
# has waited 3.5 min with 7 ahead and 1 overtaking, F = 3.5 + 6 x 2 = 15.5, a quarter is
# 3.875 < 2 x 2: held, and A-009 goes by its booking (a first booking overtaking of the
# others). Reckoned from now, A-009's F would be 0 + 9 x 2 = 18, and A-011 would go.
SECOND_OVERTAKING_OF_A_BOOKING = dict(
    targets=(2, 2),
    counters=(1, 1),
    policy=PolicySettings(regular_per_priority=0, protect_regular=True, max_wait_min=600.0),
    tickets=[
        *[("A", False, 6000 + 100 * i, None) for i in range(8)],
        ("A", False, 7100, 250), ("A", True, 7110, 270), ("A", True, 7120, 380),
    ],
    earlier=[],
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(**SECOND_OVERTAKING_OF_A_BOOKING)
@given(
    targets=st.tuples(st.sampled_from([2, 4, 10]), st.sampled_from([2, 4, 10])),
    counters=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    policy=policies,
    tickets=tickets_st,
    earlier=earlier_st,
)
def test_people_ahead_is_the_number_called_first_with_bookings(
    targets: tuple[int, int],
    counters: tuple[int, int],
    policy: PolicySettings,
    tickets: list[tuple[str, bool, int, int | None]],
    earlier: list[tuple[int, int]],
) -> None:
    b = day_building(targets, counters, policy)
    q = QueueState(b)
    for i, c in enumerate(b.counters):
        q.handle(LogIn(c.id, f"OF{i + 1}"), OPENED)
        q.handle(OpenCounter(c.id), OPENED)
    happenings = [(s, 0, n) for n, (_l, _p, s, _slot) in enumerate(tickets)]
    happenings += [(s, 1, n) for n, (s, _c) in enumerate(earlier)]
    for seconds, kind, n in sorted(happenings):
        when = OPENED + timedelta(seconds=seconds)
        if kind == 0:
            line, priority, _s, slot = tickets[n]
            group = PriorityGroup.LANSIA if priority else None
            if slot is None:
                (issued,) = q.handle(IssueTicket(line, group, f"t{n}"), when)
                q.handle(ConfirmPrinted(issued.ticket), when)  # type: ignore[attr-defined]
            else:
                check_in(q, line, when + timedelta(seconds=slot), when, group)
        else:
            counter = b.counters[earlier[n][1] % len(b.counters)].id
            if q.waiting(b.counter(counter).serves[0]):  # type: ignore[union-attr]
                q.handle(CallNext(counter), when)
                q.handle(MarkNoShow(counter), when)

    # The kiosk's estimate for a walk-in issued now, then that walk-in, on each line: the
    # estimate is (ahead + 1) x target / counters (no service has finished: no-shows only).
    told: dict[str, int] = {}
    for line, target, n in zip("AB", targets, counters, strict=True):
        estimate = q.line_view(line, NOW).estimated_wait_s
        assert estimate is not None
        (issued,) = q.handle(IssueTicket(line, None, f"now-{line}"), NOW)
        q.handle(ConfirmPrinted(issued.ticket), NOW)  # type: ignore[attr-defined]
        told[issued.ticket] = round(estimate * n / (60 * target)) - 1  # type: ignore[attr-defined]

    waiting = {line: [t.id for t in q.waiting(line)] for line in "AB"}
    ahead = {tid: q.people_ahead(tid, NOW) for ids in waiting.values() for tid in ids}
    order = {line: [t.id for t in q.calling_order(line, NOW)] for line in "AB"}

    calls: list[tuple[timedelta, str]] = []
    for line, target, n in zip("AB", targets, counters, strict=True):
        d = timedelta(minutes=target) / n
        desks = [c.id for c in b.counters if c.serves == (line,)]
        calls += [(m * d, desks[m % n]) for m in range(len(waiting[line]))]
    called: dict[str, list[str]] = {"A": [], "B": []}
    for offset, counter in sorted(calls):
        when = NOW + offset
        if q.counters[counter].ticket is not None:
            q.handle(MarkNoShow(counter), when)
        events = q.handle(CallNext(counter), when)
        (event,) = [e for e in events if isinstance(e, TicketCalled)]
        called[event.line].append(event.ticket)

    for line in "AB":
        assert called[line] == order[line]
        assert sorted(called[line]) == sorted(waiting[line])
        for place, tid in enumerate(called[line]):
            assert ahead[tid] == place, (tid, ahead[tid], place)
            if tid in told:
                assert told[tid] == place, (tid, told[tid], place)
    assert all(t.state is not TicketState.WAITING for t in q.tickets.values())


# --------------------------------------------------------------------------------------------
# Max wait does not cancel bookings; the guard's booking allowance bounds them, also past it
# --------------------------------------------------------------------------------------------

MAX_WAIT_A = 20
D_S = 300.0  # line A's target here, and every service: one overtaking costs 5 minutes


@settings(max_examples=60, deadline=None)
@given(
    slot_gaps=st.lists(st.integers(0, 4), min_size=10, max_size=60),  # minutes between slots
    walk_in_gaps=st.lists(st.integers(0, 15), min_size=1, max_size=8),
)
def test_bookings_pass_a_walk_in_at_most_by_half_its_wait_in_arrival_order(
    slot_gaps: list[int], walk_in_gaps: list[int]
) -> None:
    """docs/calling-policy.md, rule 0 for bookings: a stream of booked citizens on line A, each
    checking in as its slot starts, walk-ins among them, max wait 20 minutes (so that walk-ins
    are overdue most of the time, and max wait does not hold bookings back), Loket 1 alone
    calling as soon as it is free, each service exactly 5 minutes (d = 5). When a walk-in is
    called it has absorbed b booking overtakings, and b x d <= max(50 % of F, d), with F its
    wait in arrival order, here its wait less the overtakings (nobody ahead of it any more):
    at this pace F is the same at each call it waited through, which is when the guard asked.
    And every citizen is called: nobody starves."""
    b = make_building(max_wait_min=MAX_WAIT_A)
    lines = tuple(
        replace(ln, quota_walk_in=None, target_service_min=D_S / 60) if ln.prefix == "A" else ln
        for ln in b.lines
    )
    q = QueueState(replace(b, lines=lines))
    start = at("08:00", MONDAY)
    arrivals: list[tuple[datetime, bool]] = []  # (instant, booked)
    for gaps, is_booked in ((slot_gaps, True), (walk_in_gaps, False)):
        t = start
        for gap in gaps:
            t += timedelta(minutes=gap)
            arrivals.append((t, is_booked))
    arrivals.sort()
    q.handle(LogIn("L01", "OF1"), start)
    q.handle(OpenCounter("L01"), start)
    walk_ins: list[str] = []
    checked: list[str] = []

    def call(now: datetime) -> datetime | None:
        if not q.waiting("A"):
            return None  # idle until the next arrival
        (called,) = q.handle(CallNext("L01"), now)
        assert isinstance(called, TicketCalled)
        ticket = q.tickets[called.ticket]
        if ticket.slot is None:
            fifo_wait = (now - ticket.queued_at).total_seconds() - ticket.overtaken * D_S
            assert ticket.booked_ahead * D_S <= max(0.5 * fifo_wait, D_S) + 1e-6, ticket.number
            checked.append(ticket.id)
        q.handle(StartService("L01"), now)
        return now + timedelta(seconds=D_S)

    free_at: datetime | None = start
    pending = list(reversed(arrivals))
    while pending or free_at is not None:
        if free_at is not None and (not pending or free_at <= pending[-1][0]):
            now = free_at
            if q.counters["L01"].ticket is not None:
                q.handle(FinishService("L01"), now)
            free_at = call(now)
        else:
            now, is_booked = pending.pop()
            if is_booked:
                check_in(q, "A", now, now)
            else:
                (issued,) = q.handle(IssueTicket("A", None, f"w{len(pending)}"), now)
                q.handle(ConfirmPrinted(issued.ticket), now)  # type: ignore[attr-defined]
                walk_ins.append(issued.ticket)  # type: ignore[attr-defined]
            if free_at is None:
                free_at = call(now)
    assert sorted(checked) == sorted(walk_ins)
    assert all(t.state is not TicketState.WAITING for t in q.tickets.values())
