"""Calling, recall, no-show, transfer, cancel, one active ticket per counter, the ratio count."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from factory import at, call_next, call_next_and_finish, issue, make_building, open_counter

from server.core.events import (
    CallReason,
    PriorityGroup,
    TicketCalled,
    TicketRecalled,
    TicketTransferred,
)
from server.core.model import (
    CallNext,
    CallTicket,
    CancelTicket,
    DomainError,
    FinishService,
    MarkNoShow,
    PauseCounter,
    Reactivate,
    Recall,
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
    assert q.people_ahead(ids[0], at("08:50")) == 0
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
    assert q.people_ahead(ids[2], at("08:05")) == 1


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
