"""The transition tables: every legal move works, every illegal one is refused."""

from __future__ import annotations

import copy
import itertools
from datetime import datetime, timedelta

import pytest
from factory import MONDAY, at, call_next, issue, make_building, open_counter

from server.core.errors import MESSAGES
from server.core.events import Event, TicketExpired
from server.core.model import (
    CallNext,
    CallTicket,
    CancelTicket,
    CloseCounter,
    Command,
    ConfirmPrinted,
    CounterState,
    DomainError,
    FinishService,
    LogIn,
    LogOut,
    MarkNoShow,
    OpenCounter,
    PauseCounter,
    PrintFailed,
    Reactivate,
    Recall,
    RecordReprint,
    ResumeCounter,
    StartService,
    Tick,
    TicketState,
    Transfer,
)
from server.core.queue import QueueState
from server.core.transitions import (
    COUNTER_TRANSITIONS,
    TICKET_TRANSITIONS,
    CounterAction,
    TicketAction,
)

T = TicketAction
S = TicketState
NOW = at("09:00")


def ticket_in(state: TicketState) -> tuple[QueueState, str]:
    """A queue with counter L01 open and one ticket on line A in `state` (at 09:00)."""
    q = QueueState(make_building())
    open_counter(q, "L01", "OF1", NOW)
    tid = issue(q, "A", NOW, printed=state not in (S.PRINTING, S.EXPIRED))
    if state in (S.CALLED, S.SERVING, S.DONE, S.NO_SHOW):
        call_next(q, "L01", NOW)
    if state in (S.SERVING, S.DONE):
        q.handle(StartService("L01"), NOW)
    if state is S.DONE:
        q.handle(FinishService("L01"), NOW)
    if state is S.NO_SHOW:
        q.handle(MarkNoShow("L01"), NOW)
    if state is S.CANCELLED:
        q.handle(CancelTicket(tid, "warga pulang"), NOW)
    if state is S.EXPIRED:
        q.handle(Tick(), NOW + timedelta(minutes=5))  # the print never came
    assert q.tickets[tid].state is state
    return q, tid


def command_for(action: TicketAction, tid: str) -> tuple[Command, datetime]:
    """The command (and when) that asks for `action` on ticket `tid` at counter L01."""
    later = NOW + timedelta(minutes=1)
    return {
        T.PRINTED: (ConfirmPrinted(tid), later),
        T.PRINT_FAILED: (PrintFailed(tid, "paper_out"), later),
        T.CALL: (CallTicket("L01", tid, "dipanggil ulang atas permintaan warga"), later),
        T.RECALL: (Recall("L01"), later),
        T.START: (StartService("L01"), later),
        T.FINISH: (FinishService("L01"), later),
        T.NO_SHOW: (MarkNoShow("L01"), later),
        T.REACTIVATE: (Reactivate(tid), later),
        T.TRANSFER: (Transfer("L01", "B"), later),
        T.CANCEL: (CancelTicket(tid, "warga pulang"), later),
        T.EXPIRE_PRINTING: (Tick(), NOW + timedelta(seconds=120)),
        T.EXPIRE_CLOSING: (Tick(), at("17:00")),
        T.EXPIRE_DAY_END: (Tick(), at("00:00", MONDAY + timedelta(days=1))),
        T.REPRINT: (RecordReprint(tid, "KIOSK-1"), later),
    }[action]


@pytest.mark.parametrize(("key", "target"), list(TICKET_TRANSITIONS.items()), ids=str)
def test_every_legal_ticket_move_works(
    key: tuple[TicketState, TicketAction], target: TicketState
) -> None:
    """Each (state, action) in the ticket table leads to the state the table names."""
    state, action = key
    q, tid = ticket_in(state)
    command, when = command_for(action, tid)
    events = q.handle(command, when)
    if action is T.EXPIRE_DAY_END:  # the day is closed and gone: the event is the record
        expired = [e for e in events if isinstance(e, TicketExpired) and e.ticket == tid]
        assert [(e.reason, e.at) for e in expired] == [("day_end", at("23:59:59.999999"))]
    else:
        assert q.tickets[tid].state is target


def _expected_refusal(state: TicketState, action: TicketAction) -> str:
    # Moves on "the counter's active ticket" find none unless the ticket is called or served;
    # a call from a counter already holding the ticket finds the counter busy.
    on_active = {T.RECALL, T.START, T.FINISH, T.NO_SHOW, T.TRANSFER}
    if action in on_active and state not in (S.CALLED, S.SERVING):
        return "no_active_ticket"
    if action is T.CALL and state in (S.CALLED, S.SERVING):
        return "counter_busy"
    return "illegal_transition"


_COMMAND_ACTIONS = [a for a in TicketAction if not a.value.endswith(("timeout", "closing", "end"))]
ILLEGAL_TICKET_MOVES = [
    (state, action, _expected_refusal(state, action))
    for state, action in itertools.product(TicketState, _COMMAND_ACTIONS)
    if (state, action) not in TICKET_TRANSITIONS
]


@pytest.mark.parametrize(("state", "action", "code"), ILLEGAL_TICKET_MOVES, ids=str)
def test_every_illegal_ticket_move_is_refused(
    state: TicketState, action: TicketAction, code: str
) -> None:
    """A move the table lacks raises DomainError (illegal_transition or its guard's code)."""
    q, tid = ticket_in(state)
    before = copy.deepcopy(q)
    command, when = command_for(action, tid)
    with pytest.raises(DomainError) as info:
        q.handle(command, when)
    assert info.value.code == code
    assert info.value.message
    assert q == before


def test_finishing_a_ticket_never_started_is_illegal() -> None:
    """FinishService on a called (not started) ticket: illegal_transition in Indonesian."""
    q, _ = ticket_in(S.CALLED)
    with pytest.raises(DomainError) as info:
        q.handle(FinishService("L01"), NOW)
    assert info.value.code == "illegal_transition"
    expected = "Tindakan ini tidak dapat dilakukan karena nomor A-001 sedang dipanggil"
    assert info.value.message == expected


def test_closing_expiry_spares_tickets_being_served() -> None:
    """Closing expires waiting, called, no-show and printing tickets but not one being served."""
    q, served = ticket_in(S.SERVING)
    waiting = issue(q, "A", NOW)
    printing = issue(q, "A", NOW, printed=False)
    events = q.handle(Tick(), at("17:00"))
    assert {e.ticket for e in events if isinstance(e, TicketExpired)} == {waiting, printing}
    assert q.tickets[served].state is S.SERVING
    q.handle(FinishService("L01"), at("17:10"))
    assert q.tickets[served].state is S.DONE


def test_every_message_is_indonesian_and_filled() -> None:
    """Each error code has a message; formatting placeholders are all named."""
    for code, message in MESSAGES.items():
        assert code and message and "{}" not in message


# --------------------------------------------------------------------------------------------
# Counters
# --------------------------------------------------------------------------------------------

C = CounterAction
CS = CounterState


def counter_in(state: CounterState, officer: bool = True) -> QueueState:
    """A queue with counter L01 in `state` (officer OF1 logged in unless officer=False)."""
    q = QueueState(make_building())
    issue(q, "A", NOW)  # something to call
    if officer:
        q.handle(LogIn("L01", "OF1"), NOW)
    if state is not CS.CLOSED:
        q.handle(OpenCounter("L01"), NOW)
    if state is CS.PAUSED:
        q.handle(PauseCounter("L01", "istirahat"), NOW)
    assert q.counters["L01"].state is state
    return q


COUNTER_COMMANDS: dict[CounterAction, Command] = {
    C.LOG_IN: LogIn("L01", "OF2"),
    C.LOG_OUT: LogOut("L01"),
    C.OPEN: OpenCounter("L01"),
    C.PAUSE: PauseCounter("L01", "sholat"),
    C.RESUME: ResumeCounter("L01"),
    C.CLOSE: CloseCounter("L01"),
    C.CALL: CallNext("L01"),
}


@pytest.mark.parametrize(("key", "target"), list(COUNTER_TRANSITIONS.items()), ids=str)
def test_every_legal_counter_move_works(
    key: tuple[CounterState, CounterAction], target: CounterState
) -> None:
    """Each (state, action) in the counter table leads to the state the table names."""
    state, action = key
    q = counter_in(state, officer=action is not C.LOG_IN)
    events: list[Event] = q.handle(COUNTER_COMMANDS[action], NOW)
    assert events
    assert q.counters["L01"].state is target


ILLEGAL_COUNTER_MOVES = [
    (state, action)
    for state, action in itertools.product(CounterState, CounterAction)
    if (state, action) not in COUNTER_TRANSITIONS
]


@pytest.mark.parametrize(("state", "action"), ILLEGAL_COUNTER_MOVES, ids=str)
def test_every_illegal_counter_move_is_refused(state: CounterState, action: CounterAction) -> None:
    """A counter move the table lacks raises illegal_transition and changes nothing."""
    q = counter_in(state)
    before = copy.deepcopy(q)
    with pytest.raises(DomainError) as info:
        q.handle(COUNTER_COMMANDS[action], NOW)
    assert info.value.code == "illegal_transition"
    assert q == before


@pytest.mark.parametrize(
    ("setup", "command", "code", "message"),
    [
        ("closed_no_officer", OpenCounter("L01"), "not_logged_in", None),
        ("closed_no_officer", LogOut("L01"), "not_logged_in", None),
        ("open", PauseCounter("L01", "  "), "reason_required", "Alasan wajib diisi"),
        ("busy", CloseCounter("L01"), "counter_busy", "Loket sedang melayani nomor A-001"),
        ("busy", LogOut("L01"), "counter_busy", "Loket sedang melayani nomor A-001"),
        ("busy", PauseCounter("L01", "istirahat"), "counter_busy", None),
        ("busy", CallNext("L01"), "counter_busy", None),
        ("closed", LogIn("L01", "OF2"), "counter_occupied", None),
        (
            "closed",
            LogIn("L02", "OF1"),
            "officer_elsewhere",
            "Anda masih tercatat masuk di Loket 1; keluar dulu dari loket itu",
        ),
        ("closed", LogIn("L01", "OF1"), "officer_elsewhere", None),
        ("closed_no_officer", LogIn("L01", "SIAPA"), "unknown_officer", None),
        ("open", OpenCounter("L99"), "unknown_counter", None),
        ("open_empty", CallNext("L01"), "queue_empty", "Tidak ada antrean yang menunggu"),
    ],
)
def test_counter_guards(setup: str, command: Command, code: str, message: str | None) -> None:
    """Guards beyond the table refuse with their own codes and change nothing."""
    q = QueueState(make_building())
    if setup != "open_empty":
        issue(q, "A", NOW)
    if setup != "closed_no_officer":
        q.handle(LogIn("L01", "OF1"), NOW)
    if setup in ("open", "busy", "open_empty"):
        q.handle(OpenCounter("L01"), NOW)
    if setup == "busy":
        call_next(q, "L01", NOW)
    before = copy.deepcopy(q)
    with pytest.raises(DomainError) as info:
        q.handle(command, NOW)
    assert info.value.code == code
    if message is not None:
        assert info.value.message == message
    assert q == before


def test_log_out_closes_an_open_counter() -> None:
    """Logging out of an open counter closes it first, then logs the officer out."""
    q = counter_in(CS.OPEN)
    events = q.handle(LogOut("L01"), NOW)
    assert [type(e).__name__ for e in events] == ["CounterClosed", "OfficerLoggedOut"]
    status = q.counters["L01"]
    assert (status.state, status.officer) == (CS.CLOSED, None)
    q.handle(LogIn("L02", "OF1"), NOW)  # free to go elsewhere


def test_pause_keeps_its_reason_and_resume_clears_it() -> None:
    """A paused counter shows why; resuming forgets the reason."""
    q = counter_in(CS.OPEN)
    q.handle(PauseCounter("L01", " sholat "), at("12:00"))
    status = q.counters["L01"]
    assert (status.pause_reason, status.since) == ("sholat", at("12:00"))
    q.handle(ResumeCounter("L01"), at("12:30"))
    assert (q.counters["L01"].pause_reason, q.counters["L01"].state) == (None, CS.OPEN)
