"""The two transition tables of the queue: tickets and counters.

Theory of operation
-------------------
A ticket lives one service day. Its main road is

    printing ─printed─▶ waiting ─call─▶ called ─start─▶ serving ─finish─▶ done

and the side roads are:

    printing ─print_failed─▶ cancelled      (the printer never took it: no phantom number)
    called   ─recall─▶ called               (re-announced: same ticket, calls + 1)
    called   ─no_show─▶ no_show ─reactivate─▶ waiting   (within the window, original place)
    no_show  ─call─▶ called                 (called by number, within the window)
    called | serving ─transfer─▶ waiting    (on another line: same number, same queued_at)
    waiting | called | no_show ─cancel─▶ cancelled
    printing ─printing_timeout─▶ expired
    all open states but serving ─closing─▶ expired      (closing time + grace)
    all open states ─day_end─▶ expired                  (the day is closed)

A counter (a loket) moves through

    closed ─open─▶ open ─pause─▶ paused ─resume─▶ open ─close─▶ closed

with an officer logged in or not as a separate attribute. The tables below say which
(state, action) pairs are legal and where they lead; anything missing raises
`DomainError("illegal_transition")`. Guards that depend on more than the state (an officer is
logged in, the counter has no active ticket, the no-show window is still open, a reason was
given) are checked by `QueueState.handle` next to the table, each with its own code.

Both `handle` (to validate) and `apply` (to move) read the same tables, so the rules live in
one place: `handle` proves a move legal, emits the event, and `apply` computes the new state
from the table. A replayed event that does not fit the table means a corrupt log and raises.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from server.core.errors import COUNTER_STATE_LABELS, TICKET_STATE_LABELS, error
from server.core.model import CounterState, TicketState

__all__ = [
    "COUNTER_TRANSITIONS",
    "EXPIRY_ACTIONS",
    "TICKET_TRANSITIONS",
    "CounterAction",
    "TicketAction",
    "counter_move",
    "ticket_move",
]


class TicketAction(StrEnum):
    PRINTED = "printed"
    PRINT_FAILED = "print_failed"
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    REACTIVATE = "reactivate"
    TRANSFER = "transfer"
    CANCEL = "cancel"
    EXPIRE_PRINTING = "printing_timeout"
    EXPIRE_CLOSING = "closing"
    EXPIRE_DAY_END = "day_end"
    REPRINT = "reprint"


class CounterAction(StrEnum):
    LOG_IN = "log_in"
    LOG_OUT = "log_out"
    OPEN = "open"
    PAUSE = "pause"
    RESUME = "resume"
    CLOSE = "close"
    CALL = "call"


_P, _W, _C, _S = TicketState.PRINTING, TicketState.WAITING, TicketState.CALLED, TicketState.SERVING
_D, _N, _X, _E = TicketState.DONE, TicketState.NO_SHOW, TicketState.CANCELLED, TicketState.EXPIRED
_T = TicketAction

TICKET_TRANSITIONS: Final[dict[tuple[TicketState, TicketAction], TicketState]] = {
    # The printer took it: only now does the number enter the queue.
    (_P, _T.PRINTED): _W,
    (_P, _T.PRINT_FAILED): _X,
    (_P, _T.EXPIRE_PRINTING): _E,
    (_P, _T.EXPIRE_CLOSING): _E,
    (_P, _T.EXPIRE_DAY_END): _E,
    (_W, _T.CALL): _C,
    (_W, _T.CANCEL): _X,
    (_W, _T.EXPIRE_CLOSING): _E,
    (_W, _T.EXPIRE_DAY_END): _E,
    # A recall re-announces the same ticket: no new number, no new state.
    (_C, _T.RECALL): _C,
    (_C, _T.START): _S,
    (_C, _T.NO_SHOW): _N,
    (_C, _T.TRANSFER): _W,
    (_C, _T.CANCEL): _X,
    (_C, _T.EXPIRE_CLOSING): _E,
    (_C, _T.EXPIRE_DAY_END): _E,
    (_S, _T.FINISH): _D,
    (_S, _T.TRANSFER): _W,
    # Closing lets a citizen at the counter finish; only the day's end stops a service.
    (_S, _T.EXPIRE_DAY_END): _E,
    # A no-show regains its place (reactivate) or is called by number, within the window.
    (_N, _T.REACTIVATE): _W,
    (_N, _T.CALL): _C,
    (_N, _T.CANCEL): _X,
    (_N, _T.EXPIRE_CLOSING): _E,
    (_N, _T.EXPIRE_DAY_END): _E,
    # A copy of the paper (floor staff at the kiosk) for a number still in play: recorded, the
    # state unchanged. A finished, cancelled or expired number gets no new paper.
    (_W, _T.REPRINT): _W,
    (_C, _T.REPRINT): _C,
    (_S, _T.REPRINT): _S,
    (_N, _T.REPRINT): _N,
}

# TicketExpired.reason -> the action it records.
EXPIRY_ACTIONS: Final[dict[str, TicketAction]] = {
    "printing_timeout": _T.EXPIRE_PRINTING,
    "closing": _T.EXPIRE_CLOSING,
    "day_end": _T.EXPIRE_DAY_END,
}

_CL, _OP, _PA = CounterState.CLOSED, CounterState.OPEN, CounterState.PAUSED
_A = CounterAction

COUNTER_TRANSITIONS: Final[dict[tuple[CounterState, CounterAction], CounterState]] = {
    # Guard: nobody logged in yet (and the officer is at no other counter).
    (_CL, _A.LOG_IN): _CL,
    # Guards: somebody logged in, no active ticket. An open or paused counter closes with it.
    (_CL, _A.LOG_OUT): _CL,
    (_OP, _A.LOG_OUT): _CL,
    (_PA, _A.LOG_OUT): _CL,
    # Guard: an officer is logged in.
    (_CL, _A.OPEN): _OP,
    # Guards: a reason, no active ticket (the citizen at the counter is finished first).
    (_OP, _A.PAUSE): _PA,
    (_PA, _A.RESUME): _OP,
    # Guard: no active ticket.
    (_OP, _A.CLOSE): _CL,
    (_PA, _A.CLOSE): _CL,
    # Guard: no active ticket. Only an open counter calls.
    (_OP, _A.CALL): _OP,
}


def ticket_move(state: TicketState, action: TicketAction, number: str) -> TicketState:
    """The state `action` leads to from `state`; DomainError "illegal_transition" if none."""
    new = TICKET_TRANSITIONS.get((state, action))
    if new is None:
        label = TICKET_STATE_LABELS[state]
        raise error("illegal_transition", subject=f"nomor {number}", state=label)
    return new


def counter_move(state: CounterState, action: CounterAction, name: str) -> CounterState:
    """The state `action` leads to from `state`; DomainError "illegal_transition" if none."""
    new = COUNTER_TRANSITIONS.get((state, action))
    if new is None:
        raise error("illegal_transition", subject=name, state=COUNTER_STATE_LABELS[state])
    return new
