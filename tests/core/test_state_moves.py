"""Every (state, request) pair of a ticket and of a counter, against docs/protocol.md.

The oracle is the doc's section "Ticket and counter states", copied out below by hand — not
`server/core/transitions.py`, whose own tests (test_transitions.py) generate their cases from the
tables they test. Each pair is driven through `QueueState.handle` with the real command: a
documented move must be accepted and lead where the doc says; every other pair must be refused
with the doc's code and change nothing. A last group parses the doc's tables and compares them
with the copies here, so the doc and the tests cannot drift apart.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from factory import MONDAY, at, issue, make_building

from server.core import model as m
from server.core.events import TicketCalled, TicketExpired
from server.core.queue import QueueState

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"

# --------------------------------------------------------------------------------------------
# The doc's tables, written out by hand
# --------------------------------------------------------------------------------------------

TICKET_STATES = [
    "printing",
    "waiting",
    "called",
    "serving",
    "done",
    "no_show",
    "cancelled",
    "expired",
]
# The doc's columns, by who sends them: the kiosk; a counter calling; the counter holding the
# number (these name no ticket); an officer or a manager; a manager.
KIOSK_REQUESTS = ["confirm_printed", "print_failed", "record_reprint"]
CALLS = ["call_next", "call_ticket"]
ON_THE_COUNTERS_NUMBER = ["recall", "start_service", "finish_service", "no_show", "transfer"]
REQUESTS = [*KIOSK_REQUESTS, *CALLS, *ON_THE_COUNTERS_NUMBER, "reactivate", "cancel_ticket"]

# The moves the doc allows: (state, request) -> the state it leads to.
TICKET_MOVES = {
    ("printing", "confirm_printed"): "waiting",  # the paper is out: the number joins the queue
    ("printing", "print_failed"): "cancelled",  # no paper, no phantom number
    ("waiting", "record_reprint"): "waiting",  # a copy of the paper changes nothing
    ("called", "record_reprint"): "called",
    ("serving", "record_reprint"): "serving",
    ("no_show", "record_reprint"): "no_show",
    ("waiting", "call_next"): "called",
    ("waiting", "call_ticket"): "called",
    ("no_show", "call_ticket"): "called",  # back within the window: called at once by number
    ("called", "recall"): "called",  # announced again, same number
    ("called", "start_service"): "serving",
    ("serving", "finish_service"): "done",
    ("called", "no_show"): "no_show",
    ("called", "transfer"): "waiting",  # on the other line, same number and place
    ("serving", "transfer"): "waiting",
    ("no_show", "reactivate"): "waiting",  # back within the window: at the original place
    ("waiting", "cancel_ticket"): "cancelled",
    ("called", "cancel_ticket"): "cancelled",
    ("no_show", "cancel_ticket"): "cancelled",
}


def documented_ticket_cell(state: str, request: str) -> str:
    """The doc's cell: the state a move leads to, or the refusal's code."""
    move = TICKET_MOVES.get((state, request))
    if move is not None:
        return move
    if request in ON_THE_COUNTERS_NUMBER and state not in ("called", "serving"):
        return "no_active_ticket"  # the counter holds no number
    if request == "call_next":
        return "queue_empty"  # only waiting tickets are called next; this one is alone
    return "illegal_transition"


CLOCK = ["2 minutes unprinted", "closing + grace", "day end"]
# Which states each of the clock's moves expires; the others stay as they are.
EXPIRED_BY_CLOCK = {
    "2 minutes unprinted": {"printing"},
    "closing + grace": {"printing", "waiting", "called", "no_show"},  # not serving: it finishes
    "day end": {"printing", "waiting", "called", "serving", "no_show"},
}

NOBODY, LOGGED_IN = "closed, nobody logged in", "closed, logged in"
OPEN, HOLDING, PAUSED = "open", "open, holding a number", "paused"
COUNTER_STATES = [NOBODY, LOGGED_IN, OPEN, HOLDING, PAUSED]
# The doc's columns: an officer at the counter (the floor manager's close_counter is the same).
COUNTER_REQUESTS = ["login", "logout", "open_counter", "pause_counter", "resume_counter"]
COUNTER_REQUESTS += ["close_counter", "call_next"]
COUNTER_MOVES = {
    (NOBODY, "login"): LOGGED_IN,
    (LOGGED_IN, "logout"): NOBODY,
    (OPEN, "logout"): NOBODY,  # logging out closes an open counter first
    (PAUSED, "logout"): NOBODY,
    (LOGGED_IN, "open_counter"): OPEN,
    (OPEN, "pause_counter"): PAUSED,
    (PAUSED, "resume_counter"): OPEN,
    (OPEN, "close_counter"): LOGGED_IN,
    (PAUSED, "close_counter"): LOGGED_IN,
    (OPEN, "call_next"): HOLDING,
}
# Refusals other than illegal_transition, each with the doc's reason.
COUNTER_REFUSALS = {
    (NOBODY, "logout"): "not_logged_in",
    (NOBODY, "open_counter"): "not_logged_in",
    (LOGGED_IN, "login"): "counter_occupied",  # somebody else is logged in here
    (HOLDING, "logout"): "counter_busy",  # the citizen at the counter is finished first
    (HOLDING, "pause_counter"): "counter_busy",
    (HOLDING, "close_counter"): "counter_busy",
    (HOLDING, "call_next"): "counter_busy",
}


def documented_counter_cell(state: str, request: str) -> str:
    return COUNTER_MOVES.get(
        (state, request), COUNTER_REFUSALS.get((state, request), "illegal_transition")
    )


# --------------------------------------------------------------------------------------------
# Driving the core
# --------------------------------------------------------------------------------------------

NOW = at("09:00")
LATER = at("09:10")  # every request is sent at 09:10, within the 30-minute no-show window


def ticket_in(state: str) -> tuple[QueueState, str]:
    """Loket 1 (line A) and Loket 2 (lines A, B) open and idle, one ticket on line A in
    `state`; a ticket that was called was called at Loket 1."""
    q = QueueState(make_building())
    for counter, officer in (("L01", "OF1"), ("L02", "OF2")):
        q.handle(m.LogIn(counter, officer), NOW)
        q.handle(m.OpenCounter(counter), NOW)
    tid = issue(q, "A", NOW, printed=state not in ("printing", "expired"))
    if state in ("called", "serving", "done", "no_show"):
        q.handle(m.CallNext("L01"), NOW)
    if state in ("serving", "done"):
        q.handle(m.StartService("L01"), NOW)
    if state == "done":
        q.handle(m.FinishService("L01"), NOW)
    if state == "no_show":
        q.handle(m.MarkNoShow("L01"), NOW)
    if state == "cancelled":
        q.handle(m.CancelTicket(tid, "permintaan warga"), NOW)
    if state == "expired":
        q.handle(m.Tick(), NOW + timedelta(minutes=3))  # the print never came
    assert q.tickets[tid].state.value == state
    return q, tid


def request(name: str, tid: str) -> m.Command:
    """The command a kiosk, officer or manager sends for `name` (doc: who sends what)."""
    return {
        "confirm_printed": m.ConfirmPrinted(tid),
        "print_failed": m.PrintFailed(tid, "paper_out"),
        "record_reprint": m.RecordReprint(tid, "KIOSK-1"),
        "call_next": m.CallNext("L02"),  # an open counter holding no number
        "call_ticket": m.CallTicket("L02", tid, "warga kembali membawa berkas"),
        "recall": m.Recall("L01"),  # the counter that called the ticket, if it was called
        "start_service": m.StartService("L01"),
        "finish_service": m.FinishService("L01"),
        "no_show": m.MarkNoShow("L01"),
        "transfer": m.Transfer("L01", "B"),
        "reactivate": m.Reactivate(tid),
        "cancel_ticket": m.CancelTicket(tid, "permintaan warga"),
    }[name]


ALL_TICKET_PAIRS = [(s, r) for s in TICKET_STATES for r in REQUESTS]


def _ids(pairs: list[tuple[str, str]]) -> list[str]:
    """Test ids usable with -k: "no_show-cancel_ticket", "closed_logged_in-login"."""
    return [f"{a}-{b}".replace(", ", "_").replace(" ", "_") for a, b in pairs]


@pytest.mark.parametrize(("state", "name"), ALL_TICKET_PAIRS, ids=_ids(ALL_TICKET_PAIRS))
def test_every_ticket_state_and_request(state: str, name: str) -> None:
    """The doc's cell, through handle(): the move leads where it says, or the refusal has its
    code and leaves the queue exactly as it was."""
    expected = documented_ticket_cell(state, name)
    q, tid = ticket_in(state)
    before = copy.deepcopy(q)
    if expected in TICKET_STATES:
        events = q.handle(request(name, tid), LATER)
        assert q.tickets[tid].state.value == expected
        if name == "call_next":
            assert [e.ticket for e in events if isinstance(e, TicketCalled)] == [tid]
        if name == "transfer":
            assert q.tickets[tid].line == "B"
    else:
        with pytest.raises(m.DomainError) as refused:
            q.handle(request(name, tid), LATER)
        assert refused.value.code == expected
        assert q == before


def clock_tick(column: str) -> datetime:
    return {
        "2 minutes unprinted": at("09:10"),  # 10 minutes after the issue, long before closing
        "closing + grace": at("17:00"),  # 16:00 closing + 60 minutes
        "day end": at("00:00", MONDAY + timedelta(days=1)),
    }[column]


CLOCK_PAIRS = [(s, c) for s in TICKET_STATES for c in CLOCK]


@pytest.mark.parametrize(("state", "column"), CLOCK_PAIRS, ids=_ids(CLOCK_PAIRS))
def test_every_ticket_state_and_clock_move(state: str, column: str) -> None:
    """The server's tick expires exactly the states the doc names, with that reason."""
    q, tid = ticket_in(state)
    events = q.handle(m.Tick(), clock_tick(column))
    expired = [e for e in events if isinstance(e, TicketExpired) and e.ticket == tid]
    if state in EXPIRED_BY_CLOCK[column]:
        reason = {"2 minutes unprinted": "printing_timeout", "day end": "day_end"}.get(column)
        if column == "closing + grace":
            # An unprinted reservation is past its 2 minutes too: that is the reason it gives.
            reason = "printing_timeout" if state == "printing" else "closing"
        assert [e.reason for e in expired] == [reason]
        if column != "day end":  # after the day end the day is closed and empty
            assert q.tickets[tid].state.value == "expired"
    else:
        assert expired == []
        if column != "day end":
            assert q.tickets[tid].state.value == state


def counter_in(state: str) -> QueueState:
    """Loket 1 in `state`, with a waiting ticket on line A for call_next."""
    q = QueueState(make_building())
    issue(q, "A", NOW)
    issue(q, "A", NOW)
    if state != NOBODY:
        q.handle(m.LogIn("L01", "OF1"), NOW)
    if state in (OPEN, HOLDING, PAUSED):
        q.handle(m.OpenCounter("L01"), NOW)
    if state == HOLDING:
        q.handle(m.CallNext("L01"), NOW)
    if state == PAUSED:
        q.handle(m.PauseCounter("L01", "istirahat"), NOW)
    assert counter_state(q) == state
    return q


def counter_state(q: QueueState) -> str:
    """The doc's name for Loket 1's state."""
    status = q.counters["L01"]
    if status.state.value == "closed":
        return LOGGED_IN if status.officer is not None else NOBODY
    if status.state.value == "paused":
        assert status.ticket is None  # a paused counter never holds a number
        return PAUSED
    return HOLDING if status.ticket is not None else OPEN


COUNTER_COMMANDS: dict[str, m.Command] = {
    "login": m.LogIn("L01", "OF2"),  # an officer logged in nowhere else
    "logout": m.LogOut("L01"),
    "open_counter": m.OpenCounter("L01"),
    "pause_counter": m.PauseCounter("L01", "sholat"),
    "resume_counter": m.ResumeCounter("L01"),
    "close_counter": m.CloseCounter("L01"),
    "call_next": m.CallNext("L01"),
}


COUNTER_PAIRS = [(s, r) for s in COUNTER_STATES for r in COUNTER_REQUESTS]


@pytest.mark.parametrize(("state", "name"), COUNTER_PAIRS, ids=_ids(COUNTER_PAIRS))
def test_every_counter_state_and_request(state: str, name: str) -> None:
    """The doc's cell for Loket 1: where the request leads, or its refusal changing nothing."""
    expected = documented_counter_cell(state, name)
    q = counter_in(state)
    before = copy.deepcopy(q)
    if expected in COUNTER_STATES:
        q.handle(COUNTER_COMMANDS[name], LATER)
        assert counter_state(q) == expected
    else:
        with pytest.raises(m.DomainError) as refused:
            q.handle(COUNTER_COMMANDS[name], LATER)
        assert refused.value.code == expected
        assert q == before


# --------------------------------------------------------------------------------------------
# The doc and these copies agree
# --------------------------------------------------------------------------------------------


def doc_table(first_header: str, second_header: str) -> dict[tuple[str, str], str]:
    """The markdown table of the "Ticket and counter states" section whose header starts with
    these two cells, as {(row, column): cell}, backticks dropped."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Ticket and counter states", 1)[1].split("\n## ", 1)[0]
    tables: list[list[list[str]]] = [[]]
    for line in section.splitlines():
        if line.startswith("|"):
            cells = [c.strip().replace("`", "") for c in line.strip().strip("|").split("|")]
            if not re.fullmatch(r"[-\s|]+", line):
                tables[-1].append(cells)
        elif tables[-1]:
            tables.append([])
    for rows in tables:
        if rows and rows[0][:2] == [first_header, second_header]:
            header = rows[0]
            return {
                (row[0], column): cell
                for row in rows[1:]
                for column, cell in zip(header[1:], row[1:], strict=True)
            }
    raise AssertionError(f"no table {first_header} | {second_header} in {DOC}")


def test_the_docs_ticket_table_is_the_one_tested() -> None:
    doc = doc_table("ticket state", "confirm_printed")
    mine = {(s, r): documented_ticket_cell(s, r) for s in TICKET_STATES for r in REQUESTS}
    assert doc == mine


def test_the_docs_clock_table_is_the_one_tested() -> None:
    doc = doc_table("ticket state", CLOCK[0])
    mine = {
        (s, c): "expired" if s in EXPIRED_BY_CLOCK[c] else "stays"
        for s in TICKET_STATES
        for c in CLOCK
    }
    assert doc == mine


def test_the_docs_counter_table_is_the_one_tested() -> None:
    doc = doc_table("counter state", "login")
    mine = {(s, r): documented_counter_cell(s, r) for s in COUNTER_STATES for r in COUNTER_REQUESTS}
    assert doc == mine


def test_the_tables_name_every_state_the_protocol_lists() -> None:
    """The `ticket` push's `state` field names the core's states (docs/protocol.md): the table
    covers exactly those."""
    text = DOC.read_text(encoding="utf-8")
    listed = re.search(r"`state` is the core's ticket state: (.*?)\.", text, re.S)
    assert listed is not None
    assert re.findall(r"`(\w+)`", listed.group(1)) == TICKET_STATES
