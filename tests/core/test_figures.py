"""The figures the clients show (server/core/figures.py): places in line, previews, line views,
waits, and the priority calls the guard allows or holds."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from factory import at, call_next, call_next_and_finish, issue, make_building, open_counter, replay

from server.core import estimates
from server.core.events import (
    CallReason,
    Event,
    PriorityGroup,
    TicketReprinted,
)
from server.core.model import (
    CancelTicket,
    Command,
    ConfirmPrinted,
    DomainError,
    FinishService,
    MarkNoShow,
    PauseCounter,
    RecordReprint,
    StartService,
    TicketState,
    Transfer,
)
from server.core.queue import QueueState

LANSIA = PriorityGroup.LANSIA


def fresh(**policy: float) -> QueueState:
    return QueueState(make_building(**policy))


def test_waiting_is_fifo_by_queued_at_then_seq() -> None:
    """waiting() lists a line's tickets in calling order, not including printing ones."""
    q = fresh()
    ids = [issue(q, "A", at("08:00")) for _ in range(3)]
    issue(q, "A", at("08:01"), printed=False)
    assert [t.id for t in q.waiting("A")] == ids
    assert q.waiting("Z") == []


@pytest.mark.parametrize(
    ("kinds", "regular_since", "expected"),
    [
        # R R R P, ratio 2, no call yet: the priority ticket goes first.
        ("RRRP", 2, [1, 2, 3, 0]),
        # R P R P R right after a priority call: R, then P at the head, R, P, R.
        ("RPRPR", 0, [0, 1, 2, 3, 4]),
        # P R R P R P with the ratio met: P, R, R, P, R, P.
        ("PRRPRP", 2, [0, 1, 2, 3, 4, 5]),
    ],
)
def test_people_ahead_follows_the_ratio(
    kinds: str, regular_since: int, expected: list[int]
) -> None:
    """people_ahead counts the tickets the ratio calls first, matching the policy's preview."""
    q = fresh(protect_regular=False)  # the ratio alone: the guard's holds depend on the clock
    ids = [
        issue(q, "A", at("08:00") + timedelta(seconds=i), LANSIA if kind == "P" else None)
        for i, kind in enumerate(kinds)
    ]
    q.regular_since_priority["A"] = regular_since
    assert [q.people_ahead(t, at("08:01")) for t in ids] == expected
    open_counter(q, "L01", "OF1", at("08:01"))
    preview = [t.id for t in q.next_for("L01", at("08:01"), n=10)]
    assert [preview.index(t) for t in ids] == expected


def test_people_ahead_is_zero_once_called() -> None:
    """A called ticket has nobody ahead; an unknown id is refused."""
    q = fresh()
    a1 = issue(q, "A", at("08:00"))
    open_counter(q, "L01", "OF1", at("08:00"))
    call_next(q, "L01", at("08:01"))
    assert q.people_ahead(a1, at("08:01")) == 0
    assert q.estimated_wait_s(a1, at("08:01")) == 0.0
    with pytest.raises(DomainError):
        q.people_ahead("2026-11-23/A-999", at("08:01"))


def test_people_ahead_moves_with_every_event_even_at_one_instant() -> None:
    """The calling order is worked out once per state and instant for all the phones that ask;
    any event in between makes it new. Ratio alone (guard off): R R P R with the ratio met is
    called P, R, R, R; R-1 cancelled at the same instant, R-2 moves up one place."""
    q = fresh(protect_regular=False)
    ids = [
        issue(q, "A", at("08:00") + timedelta(seconds=i), LANSIA if i == 2 else None)
        for i in range(4)
    ]
    now = at("08:05")
    assert [q.people_ahead(t, now) for t in ids] == [1, 2, 0, 3]
    q.handle(CancelTicket(ids[0], "pulang"), now)
    assert [q.people_ahead(t, now) for t in ids[1:]] == [1, 0, 2]
    assert [t.id for t in q.calling_order("A", now)] == [ids[2], ids[1], ids[3]]


def test_next_for_previews_what_call_next_does() -> None:
    """next_for lists the tickets successive CallNext would call, without calling them."""
    q = fresh()
    for i in range(4):
        when = at("08:00") + timedelta(minutes=i)
        issue(q, "A" if i % 2 else "B", when, LANSIA if i == 3 else None)
    open_counter(q, "L02", "OF2", at("08:10"))
    preview = [t.id for t in q.next_for("L02", at("08:10"), n=4)]
    assert len(q.waiting("A")) + len(q.waiting("B")) == 4  # nothing was called
    called = [call_next_and_finish(q, "L02", at("08:10")) for _ in range(4)]
    assert called == preview


def test_line_view_figures() -> None:
    """line_view reports waiting, priority, longest wait, quota, open counters, issued, served."""
    q = fresh(protect_regular=False)  # the first call must go to the priority ticket
    issue(q, "A", at("08:00"))
    issue(q, "A", at("08:05"), LANSIA)
    issue(q, "A", at("08:06"))
    issue(q, "A", at("08:07"), printed=False)
    open_counter(q, "L01", "OF1", at("08:00"))
    open_counter(q, "L02", "OF2", at("08:00"))  # serves A and B: half a counter for A
    call_next_and_finish(q, "L01", at("08:10"))
    q.handle(StartService("L01"), at("08:10"))
    q.handle(FinishService("L01"), at("08:18"))
    view = q.line_view("A", at("08:20"))
    assert (view.prefix, view.name, view.agency) == ("A", "Perekaman KTP-el", "DUKCAPIL")
    assert (view.issuing, view.refusal_code, view.refusal_message) == (True, None, None)
    # The first call went to the priority ticket (ratio met at the start of the day).
    assert (view.waiting, view.waiting_priority) == (2, 0)
    assert view.longest_wait_s == (at("08:20") - q.waiting("A")[0].queued_at).total_seconds()
    assert (view.quota_left_walk_in, view.quota_left_priority) == (2, 1)
    assert (view.counters_open, view.issued, view.served) == (2, 4, 1)
    service_s = estimates.mean_service_s([480.0], 10)
    assert view.estimated_wait_s == estimates.estimate_wait_s(2, 1.5, service_s)


def test_line_view_carries_the_staffing_inputs() -> None:
    """Arrivals per hour over the window (by the line a ticket was first issued on), the mean
    service time of the wait estimates."""
    q = fresh()
    moved = issue(q, "A", at("08:00"))
    for minute in range(60):  # one ticket a minute on B, 08:00 to 08:59
        issue(q, "B", at("08:00") + timedelta(minutes=minute))
    open_counter(q, "L01", "OF1", at("08:00"))
    assert call_next(q, "L01", at("08:00")) == moved
    q.handle(Transfer("L01", "B"), at("08:00"))  # still an arrival on A
    early = q.line_view("B", at("08:05"))  # 6 tickets; the window is never under 15 minutes
    assert early.arrivals_per_h == 6 * 60 / 15
    assert q.line_view("A", at("08:05")).arrivals_per_h == 60 / 15
    view = q.line_view("B", at("09:30"))  # the last hour holds 08:30 to 08:59
    assert view.arrivals_per_h == 30
    assert view.mean_service_s == estimates.mean_service_s([], 12)
    assert q.line_view("P", at("09:30")).arrivals_per_h == 0  # nobody came


def test_estimated_wait_of_a_ticket() -> None:
    """A waiting ticket's estimate uses its people ahead and the line's open share."""
    q = fresh()
    ids = [issue(q, "B", at("08:00")) for _ in range(3)]
    open_counter(q, "L02", "OF2", at("08:00"))
    open_counter(q, "L03", "OF3", at("08:00"))
    # Two counters, each shared by A and B: one counter's worth for B.
    expected = estimates.estimate_wait_s(2, 1.0, estimates.mean_service_s([], 12))
    assert q.estimated_wait_s(ids[2], at("08:01")) == expected


def test_ticket_by_token() -> None:
    """The status page finds a ticket by its public token; an unknown token finds nothing."""
    q = fresh()
    a1 = issue(q, "A", at("08:00"))
    token = q.tickets[a1].token
    assert q.ticket_by_token(token) is q.tickets[a1]
    assert q.ticket_by_token("nope") is None


def test_next_for_an_unknown_counter_is_empty() -> None:
    """A preview for a counter the building lacks is empty rather than an error."""
    q = fresh()
    issue(q, "A", at("08:00"))
    assert q.next_for("L99", at("08:01")) == []


def test_calling_order_lists_every_waiting_ticket_once() -> None:
    """calling_order is a permutation of waiting(), priority slotted in by the ratio."""
    q = fresh()
    ids = [
        issue(q, "B", at("08:00") + timedelta(seconds=i), LANSIA if i in (3, 4) else None)
        for i in range(6)
    ]
    q.regular_since_priority["B"] = 0
    order = [t.id for t in q.calling_order("B", at("08:01"))]
    # R0 R1, then the ratio lets P3 ahead of R2; P4 is then the head and goes before R5.
    assert order == [ids[0], ids[1], ids[3], ids[2], ids[4], ids[5]]
    assert [q.people_ahead(t, at("08:01")) for t in order] == list(range(6))
    with pytest.raises(DomainError):
        q.calling_order("Z", at("08:01"))


def test_a_priority_call_records_the_overtakings_and_replay_agrees() -> None:
    """Calling a priority ticket ahead of older regular tickets adds one to each one's count
    (the guard's input); the counts are rebuilt exactly from the events."""
    q = fresh(protect_regular=False)
    log: list[Event] = []
    handle = q.handle

    def recording(command: Command, now: datetime) -> list[Event]:
        events = handle(command, now)
        log.extend(events)
        return events

    q.handle = recording  # type: ignore[method-assign]
    a1 = issue(q, "A", at("08:00"))
    b1 = issue(q, "B", at("08:01"))
    p1 = issue(q, "A", at("08:02"), LANSIA)
    a2 = issue(q, "A", at("08:03"))
    open_counter(q, "L02", "OF1", at("08:04"))  # L02 serves A and B
    assert call_next(q, "L02", at("08:05")) == p1
    assert [q.tickets[t].overtaken for t in (a1, b1, a2)] == [1, 1, 0]
    assert replay(q.building, log) == q


@pytest.mark.parametrize(
    ("call_at", "called", "reason", "overtaken"),
    [
        ("08:12", 0, CallReason.FIFO, 1),
        ("09:29", 0, CallReason.FIFO, 1),
        ("09:30", 2, CallReason.PRIORITY, 2),
    ],
)
def test_the_guard_holds_a_second_jump_until_the_regular_ticket_can_afford_it(
    call_at: str, called: int, reason: CallReason, overtaken: int
) -> None:
    """Strict priority, max wait out of the way, L01 alone open on line A (10-minute target):
    one overtaking costs d = 10 min. Regular A-001 (08:00), priority A-002 and A-003 (08:01).
    08:02: A-002 goes first — a first overtaking is always within the promise.
    Second call, A-001 having waited w and absorbed k = 1: F = w − 10, and A-003 may go while
    2 × 10 = 20 ≤ max(25 % of F, 10):
      08:12: F = 2   → allowance 10      < 20: held, A-001 is called;
      09:29: F = 79  → allowance 19.75   < 20: held;
      09:30: F = 80  → allowance 20      = 20: A-003 goes, A-001 absorbs its second."""
    q = fresh(regular_per_priority=0, max_wait_min=600)
    ids = [issue(q, "A", at("08:00")), issue(q, "A", at("08:01"), LANSIA)]
    ids.append(issue(q, "A", at("08:01"), LANSIA))
    open_counter(q, "L01", "OF1", at("08:00"))
    assert call_next(q, "L01", at("08:02")) == ids[1]
    q.handle(MarkNoShow("L01"), at("08:03"))  # frees the counter, leaves the estimate alone
    assert call_next(q, "L01", at(call_at)) == ids[called]
    assert q.tickets[ids[called]].call_reason is reason
    assert q.tickets[ids[0]].overtaken == overtaken


def test_a_reprint_is_recorded_on_the_ticket_and_changes_nothing_else() -> None:
    """RecordReprint adds a TicketReprinted naming the kiosk; the ticket keeps its state and
    place, and counts its copies."""
    q = fresh()
    a1 = issue(q, "A", at("08:00"))
    a2 = issue(q, "A", at("08:01"))
    (event,) = q.handle(RecordReprint(a1, "KIOSK-1"), at("08:05"))
    assert isinstance(event, TicketReprinted)
    assert (event.ticket, event.kiosk, event.at) == (a1, "KIOSK-1", at("08:05"))
    q.handle(RecordReprint(a1, "KIOSK-1"), at("08:06"))
    assert q.tickets[a1].reprints == 2 and q.tickets[a2].reprints == 0
    assert [t.id for t in q.waiting("A")] == [a1, a2]
    assert q.tickets[a1].state is TicketState.WAITING


def test_no_wait_is_promised_while_no_counter_of_the_line_is_open() -> None:
    """Nobody ahead and no counter open: no figure (the formula would say 10 minutes before any
    officer arrived). A paused counter is not open either; once L01 opens, 1 × 10 min / 1."""
    q = fresh()
    a1 = issue(q, "A", at("07:35"))
    assert q.people_ahead(a1, at("07:36")) == 0
    assert q.estimated_wait_s(a1, at("07:36")) is None
    assert q.line_view("A", at("07:36")).estimated_wait_s is None
    open_counter(q, "L04", "OF4", at("07:40"))  # Imigrasi's counter serves P, not A
    assert q.estimated_wait_s(a1, at("07:41")) is None
    open_counter(q, "L01", "OF1", at("08:00"))
    assert q.estimated_wait_s(a1, at("08:00")) == 600.0
    assert q.line_view("A", at("08:00")).estimated_wait_s == 2 * 600.0  # a new one: A-001 ahead
    q.handle(PauseCounter("L01", "salat"), at("08:01"))
    assert q.estimated_wait_s(a1, at("08:02")) is None


def test_a_priority_ticket_being_printed_is_told_its_place_in_the_calling_order() -> None:
    """The kiosk prints "orang di depan Anda" while the ticket is still printing. A priority
    ticket's place follows the calling policy (docs/calling-policy.md), one call every d = 10 min
    (line A's target, Loket 1 alone). On a fresh line (ratio count 2; one overtaking is always
    within the promise) it is next. Just after a priority call the line owes two regular calls
    (A-001 at 08:11, A-002 at 08:21); then A-003, queued 08:02 and already passed once (k = 1),
    has waited w = 29 min: F = 29 − 10 = 19, allowance max(25 % × 19, 10) = 10 < (k + 1)·d = 20,
    so the guard holds the priority ticket behind A-003 too: three people ahead."""
    q = fresh()
    for minute in ("08:00", "08:01", "08:02"):
        issue(q, "A", at(minute))
    first = issue(q, "A", at("08:05"), LANSIA, printed=False)
    assert q.people_ahead(first, at("08:05")) == 0
    q.handle(ConfirmPrinted(first), at("08:05"))
    assert q.people_ahead(first, at("08:05")) == 0  # printed and waiting: still next

    # Loket 1 calls the priority ticket; A-001 .. A-003 each absorbed one overtaking.
    open_counter(q, "L01", "OF1", at("08:10"))
    assert call_next(q, "L01", at("08:10")) == first
    second = issue(q, "A", at("08:11"), LANSIA, printed=False)
    assert q.people_ahead(second, at("08:11")) == 3


def test_a_printing_priority_ticket_waits_for_the_ratio_after_a_priority_call() -> None:
    """After a priority call the line owes two regular calls (ratio 2), whatever the guard
    allows: a priority ticket printed just after two fresh regular tickets has both ahead."""
    q = fresh()
    first = issue(q, "A", at("08:00"), LANSIA)
    open_counter(q, "L01", "OF1", at("08:05"))
    assert call_next(q, "L01", at("08:05")) == first
    issue(q, "A", at("08:06"))
    issue(q, "A", at("08:07"))
    second = issue(q, "A", at("08:08"), LANSIA, printed=False)
    assert q.people_ahead(second, at("08:08")) == 2
