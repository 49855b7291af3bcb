"""The TV's recent calls and the lines' served counts, from docs/protocol.md: `calls` lists
"newest call or recall first; `at` is that latest call's time", and a line view counts the
services finished today."""

from __future__ import annotations

from factory import at, issue, new_state, open_counter

from server.core.model import CallNext, FinishService, Recall, StartService


def test_a_recall_moves_to_the_top_of_the_recent_calls_at_its_time() -> None:
    """09:10 Loket 1 calls A-001, 09:11 Loket 2 calls A-002, 09:12 Loket 1 calls A-001 again:
    the TV lists A-001 (09:12) above A-002 (09:11)."""
    state = new_state()
    for n in range(2):
        issue(state, "A", at(f"09:0{n}"))
    open_counter(state, "L01", "OF1", at("09:05"))
    open_counter(state, "L02", "OF2", at("09:05"))
    state.handle(CallNext("L01"), at("09:10"))
    state.handle(CallNext("L02"), at("09:11"))
    state.handle(Recall("L01"), at("09:12"))
    calls = [(t.number, t.last_call_at) for t in state.calls_newest_first()]
    assert calls == [("A-001", at("09:12")), ("A-002", at("09:11"))]


def test_a_line_counts_each_service_finished() -> None:
    """Two citizens of line A finished at Loket 1 by 09:30: the floor reads served 2."""
    state = new_state()
    for n in range(2):
        issue(state, "A", at(f"09:0{n}"))
    open_counter(state, "L01", "OF1", at("09:05"))
    for start, end in (("09:10", "09:18"), ("09:19", "09:27")):
        state.handle(CallNext("L01"), at(start))
        state.handle(StartService("L01"), at(start))
        state.handle(FinishService("L01"), at(end))
    assert state.line_view("A", at("09:30")).served == 2
