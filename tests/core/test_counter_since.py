"""Since when a counter is in its state: the floor dashboard's alerts read it (a counter paused
too long, a line whose last counter stopped being open), and the counter screen shows it
(docs/protocol.md, the counter's `since`). Each change of state restarts it at its instant."""

from __future__ import annotations

from factory import at, new_state, replay

from server.core.model import (
    CloseCounter,
    CounterState,
    LogIn,
    OpenCounter,
    PauseCounter,
    ResumeCounter,
)


def test_each_change_of_a_counter_restarts_its_since() -> None:
    """Loket 1: opened 09:10, paused for salat 11:45, resumed 12:30, closed 15:50; after each,
    the state and the instant the floor reads, and a replay of the day reads the same."""
    state = new_state()
    log = state.handle(LogIn("L01", "OF1"), at("09:05"))
    table = [
        (OpenCounter("L01"), "09:10", CounterState.OPEN),
        (PauseCounter("L01", "salat"), "11:45", CounterState.PAUSED),
        (ResumeCounter("L01"), "12:30", CounterState.OPEN),
        (CloseCounter("L01"), "15:50", CounterState.CLOSED),
    ]
    for command, hhmm, expected in table:
        log += state.handle(command, at(hhmm))
        status = state.counters["L01"]
        assert (status.state, status.since) == (expected, at(hhmm)), command
        assert replay(state.building, log).counters["L01"].since == at(hhmm)
