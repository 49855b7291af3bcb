"""Random programs against the queue: safety invariants, replay, and the max-wait guarantee."""

from __future__ import annotations

import copy
import heapq
import itertools
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from factory import MONDAY, at, make_building, replay
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from server.core.calendar import at_local
from server.core.errors import MESSAGES
from server.core.events import (
    DayClosed,
    Event,
    PriorityGroup,
    TicketCalled,
    TicketExpired,
    TicketIssued,
    TicketPrinted,
    TicketTransferred,
    VisitHandedOn,
    VisitStarted,
    event_to_dict,
    read_event,
)
from server.core.model import (
    AddStop,
    CallNext,
    CallTicket,
    CancelTicket,
    CloseCounter,
    Command,
    ConfirmPrinted,
    CounterState,
    DomainError,
    FinishService,
    IssueTicket,
    LogIn,
    LogOut,
    MarkNoShow,
    OpenCounter,
    PauseCounter,
    PrintFailed,
    Reactivate,
    Recall,
    ResumeCounter,
    SkipStop,
    StartService,
    StartVisit,
    Tick,
    TicketState,
    Transfer,
)
from server.core.queue import QueueState

COUNTERS = ["L01", "L02", "L03", "L04"]
OFFICERS = ["OF1", "OF2", "OF3", "OF4", "OF5"]
LINES = ["A", "B", "P"]
PRIORITIES = [None, None, PriorityGroup.LANSIA, PriorityGroup.DISABILITAS]
STEPS_MIN = [0, 1, 1, 2, 3, 5, 10, 20, 45, 240]
S = TicketState

counters = st.sampled_from(COUNTERS)
picks = st.integers(0, 10_000)


class QueueMachine(RuleBasedStateMachine):
    """Many counters and kiosks driving one queue over a few days, with a shadow model."""

    def __init__(self) -> None:
        super().__init__()
        self.building = make_building(noshow_window_min=10, printing_timeout_s=60)
        self.q = QueueState(self.building)
        # A second state fed the same events through their wire form: a restart, step by step.
        self.mirror = QueueState(self.building)
        self.now = at("07:30")
        self.log: list[Event] = []
        self.tokens = itertools.count()
        # Independent records kept from the events alone.
        self.numbers_seen: set[tuple[date, str]] = set()  # (day, number) ever issued
        self.number_of: dict[str, str] = {}  # ticket id -> number at issue
        self.state_of: dict[str, TicketState] = {}  # today's tickets, by their events
        self.printed: set[str] = set()  # tickets ever printed (their quota place used for good)

    # -- driving --------------------------------------------------------------------------

    def run(self, command: Command) -> None:
        before = copy.deepcopy(self.q, {id(self.building): self.building})
        try:
            events = self.q.handle(command, self.now)
        except DomainError as exc:
            assert exc.code in MESSAGES and exc.message
            assert self.q == before, f"{command} was refused but changed the state"
            return
        self.check(events)
        self.log.extend(events)
        for event in events:
            self.mirror.apply(read_event(event_to_dict(event)))
            if isinstance(event, TicketPrinted):
                self.printed.add(event.ticket)

    def pick(self, i: int, states: tuple[TicketState, ...] | None = None) -> str | None:
        ids = [t.id for t in self.q.tickets.values() if states is None or t.state in states]
        return ids[i % len(ids)] if ids else None

    def check(self, events: list[Event]) -> None:
        """Check each event against the shadow model, then advance the model."""
        day_of_now = self.building.service_day(self.now)
        closed = False
        for ev in events:
            if isinstance(ev, DayClosed):
                # Every closing event files under the day it closes.
                assert self.building.service_day(ev.at) == ev.day
                assert all(s in (S.DONE, S.CANCELLED, S.EXPIRED) for s in self.state_of.values())
                self.state_of.clear()
                closed = True
                continue
            if not closed and any(isinstance(e, DayClosed) for e in events):
                assert self.building.service_day(ev.at) < day_of_now
            else:
                assert ev.at == self.now
            tid: str | None = getattr(ev, "ticket", None)
            if isinstance(ev, VisitStarted | VisitHandedOn):
                # A visit's own events (issue 22): its tickets move by their own events.
                continue
            if isinstance(ev, TicketIssued):
                assert (ev.day, ev.number) not in self.numbers_seen, "number issued twice"
                self.numbers_seen.add((ev.day, ev.number))
                self.number_of[ev.ticket] = ev.number
                self.state_of[ev.ticket] = S.PRINTING
            elif isinstance(ev, TicketCalled):
                # Never call a ticket someone else holds: only waiting or no-show tickets.
                assert self.state_of[ev.ticket] in (S.WAITING, S.NO_SHOW)
                if ev.note is None:  # CallNext only calls waiting tickets
                    assert self.state_of[ev.ticket] is S.WAITING
                assert ev.number == self.number_of[ev.ticket]
                self.state_of[ev.ticket] = S.CALLED
            elif isinstance(ev, TicketTransferred):
                assert self.state_of[ev.ticket] in (S.CALLED, S.SERVING)
                self.state_of[ev.ticket] = S.WAITING
            elif isinstance(ev, TicketExpired):
                assert self.state_of[ev.ticket] not in (S.DONE, S.CANCELLED, S.EXPIRED)
                if ev.reason == "closing":
                    assert self.state_of[ev.ticket] is not S.SERVING
                self.state_of[ev.ticket] = S.EXPIRED
            elif tid is not None:
                self.state_of[tid] = {
                    "ticket_printed": S.WAITING,
                    "ticket_print_failed": S.CANCELLED,
                    "ticket_recalled": S.CALLED,
                    "service_started": S.SERVING,
                    "service_finished": S.DONE,
                    "ticket_no_show": S.NO_SHOW,
                    "ticket_reactivated": S.WAITING,
                    "ticket_cancelled": S.CANCELLED,
                }[ev.kind]

    # -- rules ----------------------------------------------------------------------------
    # Few rules with many variants: Hypothesis enables a random subset of rules per example
    # (swarm testing), so a handful of broad rules keeps the whole day reachable.

    @initialize(
        staffed=st.lists(counters, unique=True, max_size=4),
        lines=st.lists(st.sampled_from(LINES), max_size=12),
        priorities=st.lists(st.booleans(), min_size=12, max_size=12),
    )
    def morning(self, staffed: list[str], lines: list[str], priorities: list[bool]) -> None:
        """Start the day with some counters open and some citizens already waiting."""
        for cid, officer in zip(staffed, OFFICERS, strict=False):
            self.run(LogIn(cid, officer))
            self.run(OpenCounter(cid))
        for line, priority in zip(lines, priorities, strict=False):
            self.issue(line, PriorityGroup.LANSIA if priority else None, True)

    @rule(minutes=st.sampled_from(STEPS_MIN))
    def wait(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        self.run(Tick())

    @rule(now=st.integers(0, 5))
    def next_morning(self, now: int) -> None:
        if now:  # rarely: most steps should happen within a day
            return
        tomorrow = self.building.service_day(self.now) + timedelta(days=1)
        self.now = at_local(self.building, tomorrow, time(7, 30))

    @rule(
        line=st.sampled_from(LINES),
        priority=st.sampled_from(PRIORITIES),
        printed=st.sampled_from([True, True, True, False]),
    )
    def issue(self, line: str, priority: PriorityGroup | None, printed: bool) -> None:
        before = len(self.q.tickets)
        self.run(IssueTicket(line, priority, f"tok{next(self.tokens)}", "K1"))
        if printed and len(self.q.tickets) > before:
            self.run(ConfirmPrinted(list(self.q.tickets)[-1]))

    @rule(i=picks, action=st.sampled_from(["confirm", "confirm_any", "fail"]))
    def kiosk(self, i: int, action: str) -> None:
        tid = self.pick(i, None if action == "confirm_any" else (S.PRINTING,))
        if tid is not None:
            self.run(PrintFailed(tid, "paper_out") if action == "fail" else ConfirmPrinted(tid))

    @rule(counter=counters, officer=st.integers(0, 4), free=st.booleans())
    def staff(self, counter: str, officer: int, free: bool) -> None:
        """Log an officer in (one not logged in elsewhere, if `free`) and open the counter."""
        busy = {c.officer for c in self.q.counters.values()}
        choices = [o for o in OFFICERS if o not in busy] if free else OFFICERS
        if choices:
            self.run(LogIn(counter, choices[officer % len(choices)]))
        self.run(OpenCounter(counter))

    @rule(
        counter=counters,
        officer=st.sampled_from(OFFICERS),
        action=st.sampled_from(["log_in", "log_out", "open", "pause", "pause", "resume", "close"]),
        reason=st.sampled_from(["istirahat", " ", "sholat"]),
    )
    def admin(self, counter: str, officer: str, action: str, reason: str) -> None:
        self.run(
            {
                "log_in": LogIn(counter, officer),
                "log_out": LogOut(counter),
                "open": OpenCounter(counter),
                "pause": PauseCounter(counter, reason),
                "resume": ResumeCounter(counter),
                "close": CloseCounter(counter),
            }[action]
        )

    @rule(
        i=picks,
        steps=st.lists(
            st.sampled_from(["on", "on", "on", "no_show", "transfer", "recall"]), max_size=8
        ),
    )
    def work(self, i: int, steps: list[str]) -> None:
        """Open counters move on: call when idle, else start, finish, or another step."""
        for n, step in enumerate(steps):
            open_ = [cid for cid, c in self.q.counters.items() if c.state is CounterState.OPEN]
            counter = (open_ or COUNTERS)[(i + n) % len(open_ or COUNTERS)]
            status = self.q.counters[counter]
            if status.ticket is None:
                self.run(CallNext(counter))
                continue
            state = self.q.tickets[status.ticket].state
            if step == "no_show":
                self.run(MarkNoShow(counter))
            elif step == "transfer":
                self.run(Transfer(counter, LINES[(i + n) % len(LINES)]))
            elif step == "recall":
                self.run(Recall(counter))
            else:
                self.run(StartService(counter) if state is S.CALLED else FinishService(counter))

    @rule(
        counter=counters,
        i=picks,
        action=st.sampled_from(
            ["call_next", "call_ticket", "call_any", "start", "finish", "no_show", "recall"]
        ),
        line=st.sampled_from(LINES),
    )
    def officer(self, counter: str, i: int, action: str, line: str) -> None:
        """Any counter, any move: mostly refusals, which must change nothing."""
        if action in ("call_ticket", "call_any"):
            tid = self.pick(i, (S.WAITING, S.NO_SHOW) if action == "call_ticket" else None)
            if tid is not None:
                self.run(CallTicket(counter, tid, "permintaan warga"))
            return
        self.run(
            {
                "call_next": CallNext(counter),
                "start": StartService(counter),
                "finish": FinishService(counter),
                "no_show": MarkNoShow(counter),
                "recall": Recall(counter),
            }[action]
        )

    @rule(i=picks, action=st.sampled_from(["reactivate", "cancel", "cancel_any"]))
    def citizen(self, i: int, action: str) -> None:
        if action == "reactivate":
            tid = self.pick(i, (S.NO_SHOW,))
            if tid is not None:
                self.run(Reactivate(tid))
            return
        tid = self.pick(i, (S.WAITING,) if action == "cancel" else None)
        if tid is not None:
            # Now and then typed as the floor's skip calls its cancel: still an ordinary cancel.
            self.run(CancelTicket(tid, "stop_skipped" if i % 3 == 0 else "warga pulang"))

    @rule(
        i=picks,
        lines=st.lists(st.sampled_from(LINES), min_size=1, max_size=4),
        priority=st.sampled_from(PRIORITIES),
        action=st.sampled_from(["start", "start", "add", "skip", "skip_floor"]),
    )
    def visit(self, i: int, lines: list[str], priority: PriorityGroup | None, action: str) -> None:
        """One visit, several agencies (issue 22): start one, add or skip a stop."""
        if action == "start":
            before = len(self.q.tickets)
            self.run(StartVisit(tuple(lines), priority, f"tok{next(self.tokens)}", "K1"))
            if len(self.q.tickets) > before and i % 4:  # now and then left to time out
                self.run(ConfirmPrinted(list(self.q.tickets)[-1]))
            return
        # Mostly a counter holding a ticket: the officer's moves need one.
        busy = [cid for cid, c in self.q.counters.items() if c.ticket is not None]
        choices = busy if busy and i % 3 else COUNTERS
        counter = choices[i % len(choices)]
        if action == "add":
            self.run(AddStop(counter, lines[0]))
        elif action == "skip":
            self.run(SkipStop(counter, lines[0], "tidak perlu" if i % 5 else " "))
        elif self.q.itineraries:
            vids = list(self.q.itineraries)
            self.run(SkipStop(None, lines[0], "sudah selesai", visit=vids[i % len(vids)]))

    # -- invariants -----------------------------------------------------------------------

    @invariant()
    def a_visit_has_one_live_stop_and_its_token_follows_it(self) -> None:
        live = (S.PRINTING, S.WAITING, S.CALLED, S.SERVING)
        for itinerary in self.q.itineraries.values():
            states = [s.state for s in itinerary.stops]
            assert sum(state in live for state in states) <= 1, states
            current = itinerary.stops[itinerary.current]
            assert current.ticket is not None
            assert self.q.tokens[itinerary.token] == current.ticket
            for k, stop in enumerate(itinerary.stops):
                if stop.ticket is not None:
                    ticket = self.q.tickets[stop.ticket]
                    assert (ticket.visit, ticket.stop) == (itinerary.id, k)
                    assert stop.state in (ticket.state.value, "skipped")
                elif stop.state == "pending":
                    assert k > itinerary.current and stop.bucket is not None
                else:
                    assert stop.bucket is None

    @invariant()
    def a_visit_queues_a_line_once_and_its_held_places_add_up(self) -> None:
        open_states = {"pending", "printing", "waiting", "called", "serving", "no_show"}
        held = dict.fromkeys(LINES, 0)
        for itinerary in self.q.itineraries.values():
            states = [(s.line, s.state) for s in itinerary.stops]
            # Never two stops of one line still to come or under way: the citizen would be
            # queued there twice (a transfer to a pending stop's line skips that stop).
            open_lines = [s.line for s in itinerary.stops if s.state in open_states]
            assert len(open_lines) == len(set(open_lines)), states
            # A stop stays pending only while the current one may still end in a hand-on: a
            # visit whose current ticket ended (done, cancelled, expired) has nothing pending.
            if any(s.state == "pending" for s in itinerary.stops):
                assert itinerary.stops[itinerary.current].state in open_states - {"pending"}, states
            for stop in itinerary.stops:
                if stop.bucket is not None:
                    held[stop.line] += 1
        # Every quota place counted is a ticket printing or printed on the line it was issued
        # for, or a place a visit holds for a later stop.
        taken = dict.fromkeys(LINES, 0)
        for ticket in self.q.tickets.values():
            if ticket.id in self.q.printing or ticket.id in self.printed:
                taken[ticket.number.split("-")[0]] += 1
        for line in LINES:
            used = self.q.used_walk_in[line] + self.q.used_priority[line]
            assert used == taken[line] + held[line], (line, used, taken[line], held[line])

    @invariant()
    def one_ticket_per_counter_and_one_counter_per_ticket(self) -> None:
        active = {cid: c.ticket for cid, c in self.q.counters.items() if c.ticket is not None}
        assert len(set(active.values())) == len(active), "two counters hold the same ticket"
        held = {t.id for t in self.q.tickets.values() if t.state in (S.CALLED, S.SERVING)}
        assert held == set(active.values())
        for cid, tid in active.items():
            assert self.q.tickets[tid].counter == cid
            assert self.q.counters[cid].state is CounterState.OPEN
        for status in self.q.counters.values():
            if status.state is not CounterState.CLOSED:
                assert status.officer is not None
        officers = [c.officer for c in self.q.counters.values() if c.officer is not None]
        assert len(officers) == len(set(officers))

    @invariant()
    def waiting_lists_hold_exactly_the_waiting_tickets_in_order(self) -> None:
        for line in LINES:
            listed = self.q.waiting(line)
            expected = sorted(
                (t for t in self.q.tickets.values() if t.state is S.WAITING and t.line == line),
                key=lambda t: (t.queued_at, t.seq, t.id),
            )
            assert listed == expected
            view = self.q.line_view(line, self.now)
            assert view.waiting == len(expected)
            assert view.waiting_priority == sum(t.priority is not None for t in expected)
            assert sorted(self.q.people_ahead(t.id, self.now) for t in expected) == list(
                range(len(expected))
            )

    @invariant()
    def numbers_ids_and_transfers_are_consistent(self) -> None:
        for ticket in self.q.tickets.values():
            assert ticket.number == self.number_of[ticket.id]
            assert ticket.id == f"{ticket.day.isoformat()}/{ticket.number}"
            origin = ticket.number.split("-")[0]
            assert (ticket.transfers[0] if ticket.transfers else ticket.line) == origin
            assert self.state_of[ticket.id] is ticket.state

    @invariant()
    def replay_reproduces_the_state(self) -> None:
        assert self.mirror == self.q

    def teardown(self) -> None:
        assert replay(self.building, self.log) == self.q


QueueMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestQueueMachine = QueueMachine.TestCase


# --------------------------------------------------------------------------------------------
# Max wait: a regular ticket at a priority counter flooded with priority tickets is still
# called within max_wait plus one service.
# --------------------------------------------------------------------------------------------

MAX_SERVICE_MIN = 5
MAX_WAIT_A = 20


@settings(max_examples=60, deadline=None)
@given(
    flood=st.lists(st.integers(0, 60), min_size=10, max_size=60),  # seconds between B tickets
    regular_gaps=st.lists(st.integers(2 * MAX_SERVICE_MIN, 40), min_size=1, max_size=5),
    services=st.lists(st.integers(60, MAX_SERVICE_MIN * 60), min_size=1, max_size=50),
    second_counter=st.booleans(),
)
def test_no_ticket_waits_past_max_wait_by_more_than_one_service(
    flood: list[int], regular_gaps: list[int], services: list[int], second_counter: bool
) -> None:
    """With counters calling whenever free, an A ticket is called by max_wait + one service."""
    base = make_building()
    lines = tuple(
        replace(ln, max_wait_min=MAX_WAIT_A if ln.prefix == "A" else 10_000.0, quota_walk_in=None)
        for ln in base.lines
    )
    building = replace(base, lines=lines)
    q = QueueState(building)
    start = at("08:00", MONDAY)
    # Arrivals: a flood of priority tickets on B, a few regular tickets on A spaced so that
    # at most one of them is overdue at a time.
    arrivals: list[tuple[datetime, str, PriorityGroup | None]] = []
    t = start
    for gap in flood:
        t += timedelta(seconds=gap)
        arrivals.append((t, "B", PriorityGroup.LANSIA))
    t = start
    for gap in regular_gaps:
        t += timedelta(minutes=gap)
        arrivals.append((t, "A", None))
    arrivals.sort(key=lambda a: a[0])
    staffed = ["L03", "L02"] if second_counter else ["L03"]  # L03 prefers priority tickets
    for i, cid in enumerate(staffed):
        q.handle(LogIn(cid, OFFICERS[i]), start)
        q.handle(OpenCounter(cid), start)
    durations = itertools.cycle(services)
    free_at: list[tuple[datetime, str]] = [(start, cid) for cid in staffed]
    heapq.heapify(free_at)
    idle: list[str] = []
    pending = list(reversed(arrivals))
    waits: dict[str, float] = {}

    def call(cid: str, now: datetime) -> None:
        try:
            (called,) = q.handle(CallNext(cid), now)
        except DomainError:
            idle.append(cid)  # nothing waits: the officer waits for the next arrival
            return
        ticket = q.tickets[called.ticket]  # type: ignore[attr-defined]
        waits[ticket.id] = (now - ticket.queued_at).total_seconds() / 60
        q.handle(StartService(cid), now)
        heapq.heappush(free_at, (now + timedelta(seconds=next(durations)), cid))

    while pending or free_at:
        next_arrival = pending[-1][0] if pending else None
        if free_at and (next_arrival is None or free_at[0][0] <= next_arrival):
            now, cid = heapq.heappop(free_at)
            if q.counters[cid].ticket is not None:
                q.handle(FinishService(cid), now)
            call(cid, now)
        else:
            now, line, priority = pending.pop()
            (issued,) = q.handle(IssueTicket(line, priority, f"t{len(pending)}"), now)
            q.handle(ConfirmPrinted(issued.ticket), now)  # type: ignore[attr-defined]
            for cid in list(idle):
                idle.remove(cid)
                call(cid, now)
    regular = {tid: w for tid, w in waits.items() if "/A-" in tid}
    assert len(regular) == len(regular_gaps)
    assert len(waits) == len(arrivals)
    assert max(regular.values()) <= MAX_WAIT_A + MAX_SERVICE_MIN


@settings(max_examples=200, deadline=None)
@given(
    kinds=st.lists(st.booleans(), min_size=1, max_size=40),
    regular_since=st.integers(0, 4),
    ratio=st.integers(0, 3),
)
def test_people_ahead_matches_the_calling_order(
    kinds: list[bool], regular_since: int, ratio: int
) -> None:
    """At a regular counter, calling_order is the policy's order and people_ahead the place.

    The preview calls everything at one instant, calling_order at the pace of one call per
    overtaking cost: they agree while no ticket becomes overdue on the way and the guard,
    whose holds follow the clock, is off (tests/core/test_people_ahead.py plays the calls at
    that pace, guard and max wait included).
    """
    q = QueueState(
        make_building(regular_per_priority=ratio, protect_regular=False, max_wait_min=600)
    )
    start = at("08:00")
    ids = []
    for n, priority in enumerate(kinds):
        when = start + timedelta(seconds=n)
        (issued,) = q.handle(
            IssueTicket("B", PriorityGroup.BALITA if priority else None, f"t{n}"), when
        )
        q.handle(ConfirmPrinted(issued.ticket), when)  # type: ignore[attr-defined]
        ids.append(issued.ticket)  # type: ignore[attr-defined]
    q.regular_since_priority["B"] = regular_since
    q.handle(LogIn("L02", "OF1"), start)
    q.handle(OpenCounter("L02"), start)
    order = [t.id for t in q.next_for("L02", at("08:05"), n=len(ids))]
    assert [t.id for t in q.calling_order("B", at("08:05"))] == order
    assert [q.people_ahead(tid, at("08:05")) for tid in ids] == [order.index(tid) for tid in ids]
