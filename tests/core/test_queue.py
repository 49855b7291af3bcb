"""Calling, recall, no-show, transfer, cancel, one active ticket per counter, and the figures."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest
from factory import at, call_next, issue, make_building, open_counter, replay

from server.core import estimates
from server.core.events import (
    CallReason,
    Event,
    PriorityGroup,
    TicketCalled,
    TicketRecalled,
    TicketReprinted,
    TicketTransferred,
)
from server.core.model import (
    CallNext,
    CallTicket,
    CancelTicket,
    Command,
    DomainError,
    FinishService,
    MarkNoShow,
    PauseCounter,
    Reactivate,
    Recall,
    RecordReprint,
    StartService,
    TicketState,
    Transfer,
)
from server.core.queue import QueueState

LANSIA = PriorityGroup.LANSIA


def fresh(**policy: float) -> QueueState:
    return QueueState(make_building(**policy))


def test_call_next_takes_the_oldest_across_lines() -> None:
    """A counter serving A and B calls the oldest waiting ticket of either line, FIFO."""
    q = fresh()
    b1 = issue(q, "B", at("08:00"))
    a1 = issue(q, "A", at("08:01"))
    open_counter(q, "L02", "OF2", at("08:02"))
    events = q.handle(CallNext("L02"), at("08:03"))
    assert events == [TicketCalled(at("08:03"), b1, "B-001", "B", "L02", CallReason.FIFO)]
    ticket = q.tickets[b1]
    assert (ticket.state, ticket.counter, ticket.called_at, ticket.calls) == (
        TicketState.CALLED,
        "L02",
        at("08:03"),
        1,
    )
    assert q.counters["L02"].ticket == b1
    assert [t.id for t in q.waiting("A")] == [a1] and q.waiting("B") == []


def test_two_counters_never_get_the_same_ticket() -> None:
    """Calling takes the ticket out of the queue: the next counter gets the next ticket."""
    q = fresh()
    a1, a2 = issue(q, "A", at("08:00")), issue(q, "A", at("08:00"))
    open_counter(q, "L01", "OF1", at("08:00"))
    open_counter(q, "L02", "OF2", at("08:00"))
    assert call_next(q, "L01", at("08:01")) == a1
    assert call_next(q, "L02", at("08:01")) == a2
    with pytest.raises(DomainError) as info:
        q.handle(CallTicket("L02", a1, "salah panggil"), at("08:02"))
    assert info.value.code == "counter_busy"


def test_a_called_ticket_cannot_be_called_by_another_counter() -> None:
    """CallTicket of a ticket another counter holds is an illegal transition."""
    q = fresh()
    a1 = issue(q, "A", at("08:00"))
    open_counter(q, "L01", "OF1", at("08:00"))
    open_counter(q, "L02", "OF2", at("08:00"))
    call_next(q, "L01", at("08:01"))
    with pytest.raises(DomainError) as info:
        q.handle(CallTicket("L02", a1, "warga minta"), at("08:02"))
    assert info.value.code == "illegal_transition"
    assert q.counters["L01"].ticket == a1 and q.counters["L02"].ticket is None


def test_one_active_ticket_per_counter() -> None:
    """A counter holding a ticket cannot call another until it is finished."""
    q = fresh()
    issue(q, "A", at("08:00"))
    issue(q, "A", at("08:00"))
    open_counter(q, "L01", "OF1", at("08:00"))
    call_next(q, "L01", at("08:01"))
    with pytest.raises(DomainError) as info:
        q.handle(CallNext("L01"), at("08:02"))
    assert (info.value.code, info.value.message) == (
        "counter_busy",
        "Loket sedang melayani nomor A-001",
    )
    q.handle(StartService("L01"), at("08:02"))
    q.handle(FinishService("L01"), at("08:10"))
    assert q.tickets[call_next(q, "L01", at("08:11"))].number == "A-002"


def test_paused_counter_cannot_call() -> None:
    """Only an open counter calls; a paused one is refused."""
    q = fresh()
    issue(q, "A", at("08:00"))
    open_counter(q, "L01", "OF1", at("08:00"))
    q.handle(PauseCounter("L01", "istirahat"), at("08:00"))
    with pytest.raises(DomainError) as info:
        q.handle(CallNext("L01"), at("08:01"))
    assert info.value.code == "illegal_transition"
    assert "jeda" in info.value.message


def test_recall_reannounces_without_a_new_ticket() -> None:
    """Recall emits TicketRecalled for the same ticket and counts the call."""
    q = fresh()
    a1 = issue(q, "A", at("08:00"))
    open_counter(q, "L01", "OF1", at("08:00"))
    call_next(q, "L01", at("08:01"))
    events = q.handle(Recall("L01"), at("08:02"))
    assert events == [TicketRecalled(at("08:02"), a1, "A-001", "A", "L01")]
    assert q.tickets[a1].calls == 2 and len(q.tickets) == 1
    assert q.tickets[a1].called_at == at("08:01")


def test_recall_needs_an_active_ticket() -> None:
    """Recall at an idle counter: no_active_ticket."""
    q = fresh()
    open_counter(q, "L01", "OF1", at("08:00"))
    with pytest.raises(DomainError) as info:
        q.handle(Recall("L01"), at("08:01"))
    assert info.value.code == "no_active_ticket"


def test_call_ticket_out_of_order_records_the_reason() -> None:
    """An officer may call a given number; the call says dipilih_petugas and keeps the note."""
    q = fresh()
    issue(q, "A", at("08:00"))
    a2 = issue(q, "A", at("08:01"))
    open_counter(q, "L01", "OF1", at("08:00"))
    events = q.handle(CallTicket("L01", a2, " berkas susulan "), at("08:05"))
    assert events == [
        TicketCalled(at("08:05"), a2, "A-002", "A", "L01", CallReason.OFFICER, "berkas susulan")
    ]
    assert q.tickets[a2].call_reason is CallReason.OFFICER


@pytest.mark.parametrize(
    ("counter", "reason", "code"),
    [("L04", "alasan", "line_not_served"), ("L01", "   ", "reason_required")],
)
def test_call_ticket_guards(counter: str, reason: str, code: str) -> None:
    """CallTicket needs a line the counter serves and a reason."""
    q = fresh()
    a1 = issue(q, "A", at("08:00"))
    open_counter(q, counter, "OF1", at("08:00"))
    before = copy.deepcopy(q)
    with pytest.raises(DomainError) as info:
        q.handle(CallTicket(counter, a1, reason), at("08:05"))
    assert info.value.code == code
    assert q == before


def _no_show_first_of_three(q: QueueState) -> list[str]:
    ids = [issue(q, "A", at(f"08:0{i}")) for i in range(3)]
    open_counter(q, "L01", "OF1", at("08:00"))
    call_next(q, "L01", at("08:10"))
    q.handle(MarkNoShow("L01"), at("08:12"))
    return ids


def test_no_show_frees_the_counter() -> None:
    """Marking a no-show ends the call; the counter may call the next ticket."""
    q = fresh()
    ids = _no_show_first_of_three(q)
    assert q.tickets[ids[0]].state is TicketState.NO_SHOW
    assert q.tickets[ids[0]].no_show_at == at("08:12")
    assert q.counters["L01"].ticket is None
    assert call_next(q, "L01", at("08:13")) == ids[1]


@pytest.mark.parametrize("minutes", [1, 29, 30])
def test_reactivation_within_window_regains_the_place(minutes: int) -> None:
    """A no-show reactivated within the window waits again at its original place."""
    q = fresh()
    ids = _no_show_first_of_three(q)
    q.handle(Reactivate(ids[0]), at("08:12") + timedelta(minutes=minutes))
    ticket = q.tickets[ids[0]]
    assert ticket.state is TicketState.WAITING and ticket.queued_at == at("08:00")
    assert [t.id for t in q.waiting("A")] == ids
    assert q.people_ahead(ids[0]) == 0
    assert call_next(q, "L01", at("08:50")) == ids[0]


def test_reactivation_after_window_is_refused() -> None:
    """Past the no-show window reactivation is refused with the window in the message."""
    q = fresh()
    ids = _no_show_first_of_three(q)
    before = copy.deepcopy(q)
    with pytest.raises(DomainError) as info:
        q.handle(Reactivate(ids[0]), at("08:42:01"))
    assert info.value.code == "noshow_window_passed"
    assert info.value.message == "Batas waktu 30 menit untuk nomor A-001 sudah lewat"
    assert q == before


def test_no_show_may_be_called_by_number_within_window() -> None:
    """An officer may call a no-show by number inside the window, not after it."""
    q = fresh()
    ids = _no_show_first_of_three(q)
    q.handle(CallTicket("L01", ids[0], "warga kembali"), at("08:20"))
    assert q.tickets[ids[0]].state is TicketState.CALLED
    assert q.tickets[ids[0]].calls == 2
    q.handle(MarkNoShow("L01"), at("08:21"))
    with pytest.raises(DomainError) as info:
        q.handle(CallTicket("L01", ids[0], "warga kembali"), at("09:00"))
    assert info.value.code == "noshow_window_passed"


def test_transfer_keeps_number_and_queue_position() -> None:
    """A transferred ticket keeps its number and arrival time, and waits on the new line."""
    q = fresh()
    a1 = issue(q, "A", at("08:00"))
    b1 = issue(q, "B", at("08:05"))
    b2 = issue(q, "B", at("08:10"))
    open_counter(q, "L01", "OF1", at("08:00"))
    call_next(q, "L01", at("08:20"))
    q.handle(StartService("L01"), at("08:21"))
    events = q.handle(Transfer("L01", "B"), at("08:30"))
    assert events == [TicketTransferred(at("08:30"), a1, "A", "B", "L01")]
    ticket = q.tickets[a1]
    assert (ticket.id, ticket.number, ticket.line, ticket.state, ticket.transfers) == (
        a1,
        "A-001",
        "B",
        TicketState.WAITING,
        ("A",),
    )
    assert ticket.queued_at == at("08:00")
    assert [t.id for t in q.waiting("B")] == [a1, b1, b2]
    assert q.counters["L01"].ticket is None
    open_counter(q, "L02", "OF2", at("08:31"))
    assert call_next(q, "L02", at("08:32")) == a1
    view_a, view_b = q.line_view("A", at("08:32")), q.line_view("B", at("08:32"))
    assert (view_a.issued, view_b.issued, view_b.waiting) == (1, 2, 2)


@pytest.mark.parametrize(("line", "code"), [("A", "same_line"), ("Z", "unknown_line")])
def test_transfer_guards(line: str, code: str) -> None:
    """A transfer needs another line that exists."""
    q = fresh()
    issue(q, "A", at("08:00"))
    open_counter(q, "L01", "OF1", at("08:00"))
    call_next(q, "L01", at("08:01"))
    with pytest.raises(DomainError) as info:
        q.handle(Transfer("L01", line), at("08:02"))
    assert info.value.code == code


def test_cancelling_a_called_ticket_frees_the_counter() -> None:
    """A called ticket cancelled (the citizen left) releases its counter."""
    q = fresh()
    a1 = issue(q, "A", at("08:00"))
    open_counter(q, "L01", "OF1", at("08:00"))
    call_next(q, "L01", at("08:01"))
    q.handle(CancelTicket(a1, "warga pulang"), at("08:02"))
    assert q.tickets[a1].state is TicketState.CANCELLED
    assert q.counters["L01"].ticket is None


def test_cancelling_a_waiting_ticket_leaves_the_queue() -> None:
    """A waiting ticket cancelled leaves the line; the others keep their order."""
    q = fresh()
    ids = [issue(q, "A", at("08:00")) for _ in range(3)]
    q.handle(CancelTicket(ids[1], "batal"), at("08:05"))
    assert [t.id for t in q.waiting("A")] == [ids[0], ids[2]]
    assert q.people_ahead(ids[2]) == 1


def test_ratio_counter_follows_calls() -> None:
    """regular_since_priority starts at the ratio, resets on a priority call, counts regulars."""
    q = fresh(protect_regular=False)  # the guard would hold this jump back (see below)
    assert q.regular_since_priority["A"] == 2
    issue(q, "A", at("08:00"))
    issue(q, "A", at("08:01"))
    issue(q, "A", at("08:02"), LANSIA)
    open_counter(q, "L01", "OF1", at("08:00"))
    first = q.tickets[call_next(q, "L01", at("08:10"))]
    assert first.priority is LANSIA and first.call_reason is CallReason.PRIORITY
    assert q.regular_since_priority["A"] == 0
    call_next_and_finish(q, "L01", at("08:11"))
    call_next_and_finish(q, "L01", at("08:12"))
    assert q.regular_since_priority["A"] == 2


def call_next_and_finish(q: QueueState, counter: str, now: object) -> str:
    if q.counters[counter].ticket is not None:
        q.handle(StartService(counter), now)  # type: ignore[arg-type]
        q.handle(FinishService(counter), now)  # type: ignore[arg-type]
    return call_next(q, counter, now)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


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
    assert [q.people_ahead(t) for t in ids] == expected
    open_counter(q, "L01", "OF1", at("08:01"))
    preview = [t.id for t in q.next_for("L01", at("08:01"), n=10)]
    assert [preview.index(t) for t in ids] == expected


def test_people_ahead_is_zero_once_called() -> None:
    """A called ticket has nobody ahead; an unknown id is refused."""
    q = fresh()
    a1 = issue(q, "A", at("08:00"))
    open_counter(q, "L01", "OF1", at("08:00"))
    call_next(q, "L01", at("08:01"))
    assert q.people_ahead(a1) == 0
    assert q.estimated_wait_s(a1, at("08:01")) == 0.0
    with pytest.raises(DomainError):
        q.people_ahead("2026-11-23/A-999")


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
    service time of the wait estimates, and the Erlang C waits of estimates.staffing_waits."""
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
    assert view.staffing_waits == tuple(estimates.staffing_waits(30, 720))
    assert q.line_view("P", at("09:30")).staffing_waits == ()  # nobody came


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
    order = [t.id for t in q.calling_order("B")]
    # R0 R1, then the ratio lets P3 ahead of R2; P4 is then the head and goes before R5.
    assert order == [ids[0], ids[1], ids[3], ids[2], ids[4], ids[5]]
    assert [q.people_ahead(t) for t in order] == list(range(6))
    with pytest.raises(DomainError):
        q.calling_order("Z")


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
    [("08:02", 0, CallReason.FIFO, 0), ("09:30", 1, CallReason.PRIORITY, 1)],
)
def test_the_guard_holds_a_costly_jump_until_the_regular_ticket_can_afford_it(
    call_at: str, called: int, reason: CallReason, overtaken: int
) -> None:
    """One counter on line A, 10-minute services: a priority ticket overtaking a regular ticket
    that has waited 2 minutes would cost it 10 (over 5); after 90 minutes' wait it may."""
    q = fresh()
    ids = [issue(q, "A", at("08:00")), issue(q, "A", at("08:01"), LANSIA)]
    open_counter(q, "L01", "OF1", at("08:00"))
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
