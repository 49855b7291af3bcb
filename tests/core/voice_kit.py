"""Helpers for the citizen's voice tests (issue 20): a state that keeps its log, and visits
served at a counter of the test building (tests/core/factory.py)."""

from __future__ import annotations

from datetime import datetime

from server.core.building import Building
from server.core.events import Event
from server.core.model import Command, FinishService, StartService, Tick, Visit, visit_of
from server.core.queue import QueueState
from tests.core.factory import call_next, issue, make_building, open_counter


class Recording(QueueState):
    """A state that keeps the events it decided: what the log holds, to replay elsewhere."""

    def __init__(self, building: Building | None = None) -> None:
        super().__init__(building or make_building())
        self.log: list[Event] = []

    def handle(self, command: Command, now: datetime) -> list[Event]:
        events = super().handle(command, now)
        self.log.extend(events)
        return events


def served(state: QueueState, now: datetime, line: str = "A", counter: str = "L01") -> Visit:
    """A ticket issued, called at `counter` (opened by OF1 if closed), served and finished."""
    state.handle(Tick(), now)  # a new day closes the last one first
    if state.counters[counter].officer is None:
        open_counter(state, counter, "OF1", now)
    tid = issue(state, line, now)
    assert call_next(state, counter, now) == tid
    state.handle(StartService(counter), now)
    state.handle(FinishService(counter), now)
    return visit_of(state.tickets[tid])
