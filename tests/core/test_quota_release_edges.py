"""A failed print gives its number's place back to the quota it was taken from, once.

Source: the decisions recorded at the top of server/core/issuing.py (the kiosk relies on them)
and docs/configuration.md's two quotas: a printing reservation counts against the quota and is
released when its print fails or it expires unprinted; a priority ticket counts against the
priority quota and, when that is gone, falls back to the walk-in quota. Worked by hand on the
test building's passport line P: walk-in quota 3, priority quota 1.
"""

from __future__ import annotations

from datetime import timedelta

from factory import at, issue, make_building

from server.core.events import PriorityGroup
from server.core.model import PrintFailed, Tick
from server.core.queue import QueueState

LANSIA = PriorityGroup.LANSIA


def _left(state: QueueState, hhmm: str) -> tuple[int | None, int | None]:
    view = state.line_view("P", at(hhmm))
    return view.quota_left_priority, view.quota_left_walk_in


def test_a_priority_reservation_that_fails_gives_the_priority_quota_back() -> None:
    state = QueueState(make_building())
    tid = issue(state, "P", at("08:00"), LANSIA, printed=False)
    assert _left(state, "08:00") == (0, 3)
    state.handle(PrintFailed(tid, "paper_out"), at("08:00:10"))
    assert _left(state, "08:00:10") == (1, 3)


def test_a_priority_ticket_on_the_walk_in_quota_gives_the_walk_in_quota_back() -> None:
    state = QueueState(make_building())
    issue(state, "P", at("08:00"), LANSIA)  # takes the one priority place
    tid = issue(state, "P", at("08:01"), LANSIA, printed=False)  # falls back to walk-in
    assert _left(state, "08:01") == (0, 2)
    state.handle(PrintFailed(tid, "paper_out"), at("08:01:10"))
    assert _left(state, "08:01:10") == (0, 3)


def test_a_failed_print_is_released_once_not_again_when_its_reservation_would_expire() -> None:
    state = QueueState(make_building())
    failed = issue(state, "P", at("08:00"), printed=False)
    issue(state, "P", at("08:00"))
    issue(state, "P", at("08:00"))
    state.handle(PrintFailed(failed, "paper_out"), at("08:00:10"))
    assert _left(state, "08:00:10") == (1, 1)
    # Long past the printing timeout: nothing more to release.
    state.handle(Tick(), at("08:00") + timedelta(minutes=5))
    assert _left(state, "08:05") == (1, 1)
