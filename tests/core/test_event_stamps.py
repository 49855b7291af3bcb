"""Every event a command makes carries the command's instant, the counter that acted and the
reason given; a refused move names the ticket or counter it refused.

Source: docs/protocol.md and docs/reports.md: each event of the log says when (`at`), and the
report reads the cancellation's reason, each call's counter and each time from the log; an
officer's refusal says which number or loket could not move ("Tindakan ini tidak dapat
dilakukan: …"). A day worked by hand on the test building: counter L01 (line A) calls, serves,
marks a no-show, and a floor manager cancels. `make mutate` survivors in decide.py
(docs/testing.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from factory import at, issue, make_building, open_counter

from server.core.model import (
    CallNext,
    CancelTicket,
    CloseCounter,
    ConfirmPrinted,
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
    StartService,
)
from server.core.queue import QueueState


def _check(events: list[Any], now: Any, **fields: Any) -> None:
    assert events
    for ev in events:
        assert ev.at == now, ev
        for name, value in fields.items():
            if hasattr(ev, name):
                assert getattr(ev, name) == value, ev


def test_a_day_at_one_counter_stamps_every_event() -> None:
    state = QueueState(make_building())
    t = at("08:00")
    open_counter(state, "L01", "OF1", t)
    a1 = issue(state, "A", t)
    a2 = issue(state, "A", t)
    a3 = issue(state, "A", t, printed=False)
    t += timedelta(minutes=1)
    _check(state.handle(ConfirmPrinted(a3), t), t, ticket=a3)
    steps: list[tuple[Any, dict[str, Any]]] = [
        (CallNext("L01"), {"counter": "L01", "ticket": a1}),
        (Recall("L01"), {"counter": "L01", "ticket": a1}),
        (StartService("L01"), {"counter": "L01", "ticket": a1}),
        (FinishService("L01"), {"counter": "L01", "ticket": a1}),
        (CallNext("L01"), {"counter": "L01", "ticket": a2}),
        (MarkNoShow("L01"), {"counter": "L01", "ticket": a2}),
        (Reactivate(a2), {"ticket": a2}),
        (CancelTicket(a2, "warga pulang"), {"ticket": a2, "reason": "warga pulang"}),
        (PauseCounter("L01", "istirahat"), {"counter": "L01", "reason": "istirahat"}),
    ]
    for cmd, fields in steps:
        t += timedelta(minutes=1)
        _check(state.handle(cmd, t), t, **fields)


def test_a_failed_print_records_when_and_why() -> None:
    state = QueueState(make_building())
    t = at("08:00")
    events = state.handle(IssueTicket("A", None, "tok-x", "K1"), t)
    assert events[-1].kiosk == "K1"
    tid = events[-1].ticket
    t += timedelta(seconds=20)
    _check(state.handle(PrintFailed(tid, "paper_out"), t), t, ticket=tid, reason="paper_out")


def test_opening_and_logging_out_are_stamped() -> None:
    state = QueueState(make_building())
    t = at("08:00")
    _check(state.handle(LogIn("L02", "OF2"), t), t, counter="L02", officer="OF2")
    for cmd in (OpenCounter("L02"), PauseCounter("L02", "sholat"), ResumeCounter("L02")):
        t += timedelta(minutes=1)
        _check(state.handle(cmd, t), t, counter="L02")
    t += timedelta(minutes=1)
    _check(state.handle(CloseCounter("L02"), t), t, counter="L02")
    t += timedelta(minutes=1)
    state.handle(OpenCounter("L02"), t)
    t += timedelta(minutes=1)
    _check(state.handle(LogOut("L02"), t), t, counter="L02", officer="OF2")


def test_a_refused_move_names_the_ticket_number() -> None:
    state = QueueState(make_building())
    t = at("08:00")
    tid = issue(state, "A", t)
    state.handle(CancelTicket(tid, "salah ambil"), t)
    with pytest.raises(DomainError) as refused:
        state.handle(Reactivate(tid), t)
    assert refused.value.code == "illegal_transition"
    assert "A-001" in refused.value.message


@pytest.mark.parametrize("make", [OpenCounter, lambda c: PauseCounter(c, "istirahat")])
def test_a_refused_counter_move_names_the_loket(make: Any) -> None:
    state = QueueState(make_building())
    open_counter(state, "L01", "OF1", at("08:00"))
    state.handle(PauseCounter("L01", "istirahat"), at("08:01"))
    with pytest.raises(DomainError) as refused:
        state.handle(make("L01"), at("08:02"))
    assert "Loket 1" in refused.value.message
