"""Ticket numbers: format, sequence per line and day, reset at local midnight, restarts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from factory import MONDAY, at, issue, make_building, replay

from server.core.events import DayClosed, TicketIssued
from server.core.model import IssueTicket, PrintFailed, Tick
from server.core.numbering import format_number, ticket_id
from server.core.queue import QueueState

TUESDAY = MONDAY + timedelta(days=1)


@pytest.mark.parametrize(
    ("prefix", "seq", "number"),
    [
        ("A", 1, "A-001"),
        ("A", 17, "A-017"),
        ("B", 99, "B-099"),
        ("A", 999, "A-999"),
        ("A", 1000, "A-1000"),
        ("P", 12345, "P-12345"),
    ],
)
def test_format_number(prefix: str, seq: int, number: str) -> None:
    """Numbers have three digits at least and grow to four beyond 999."""
    assert format_number(prefix, seq) == number


def test_ticket_id() -> None:
    """A ticket id is the service day and the number."""
    assert ticket_id(MONDAY, "A-017") == "2026-11-23/A-017"


def test_sequence_per_line() -> None:
    """Each line counts on its own from 001."""
    state = QueueState(make_building())
    now = at("08:00")
    ids = [issue(state, line, now) for line in ("A", "A", "B", "A", "B")]
    assert [state.tickets[i].number for i in ids] == ["A-001", "A-002", "B-001", "A-003", "B-002"]
    assert ids[0] == "2026-11-23/A-001"


def test_sequence_grows_past_999() -> None:
    """The thousandth ticket of a line is B-1000, and every number is distinct."""
    state = QueueState(make_building())
    now = at("08:00")
    numbers = [state.tickets[issue(state, "B", now, printed=False)].number for _ in range(1000)]
    assert numbers[998:] == ["B-999", "B-1000"]
    assert len(set(numbers)) == 1000


def test_failed_print_does_not_reuse_the_number() -> None:
    """A number whose print failed is gone for the day; the next ticket takes the next one."""
    state = QueueState(make_building())
    now = at("08:00")
    issue(state, "A", now, printed=False)
    state.handle(PrintFailed("2026-11-23/A-001", "paper_out"), now)
    assert state.tickets[issue(state, "A", now)].number == "A-002"


def test_numbers_survive_a_restart() -> None:
    """Replaying the day's events and issuing again continues the sequence."""
    building = make_building()
    state = QueueState(building)
    log = []
    for i in range(3):
        log += state.handle(IssueTicket("A", None, f"t{i}"), at("08:00"))
    restarted = replay(building, log)
    events = restarted.handle(IssueTicket("A", None, "t9"), at("08:05"))
    assert events[0].number == "A-004"  # type: ignore[attr-defined]


def test_numbering_resets_on_the_next_local_day() -> None:
    """The first command of a new day closes the old day and numbering starts at 001 again."""
    state = QueueState(make_building())
    issue(state, "A", at("08:00"))
    issue(state, "A", at("09:00"))
    events = state.handle(IssueTicket("A", None, "next"), at("08:00", TUESDAY))
    assert isinstance(events[-2], DayClosed) and events[-2].day == MONDAY
    issued = events[-1]
    assert isinstance(issued, TicketIssued)
    assert (issued.number, issued.ticket) == ("A-001", "2026-11-24/A-001")
    assert state.day == TUESDAY
    assert list(state.tickets) == ["2026-11-24/A-001"]


# The same instant, Monday 16:30 UTC, is Monday 23:30 in Jakarta (WIB) but already Tuesday in
# Makassar (00:30 WITA) and Jayapura (01:30 WIT).
@pytest.mark.parametrize(
    ("zone", "closes"),
    [("WIB", False), ("WITA", True), ("WIT", True)],
)
def test_day_boundary_is_local_midnight(zone: str, closes: bool) -> None:
    """The day closes at the building's local midnight, in each of Indonesia's three zones."""
    building = make_building(zone)
    state = QueueState(building)
    issue(state, "A", at("14:00", MONDAY, building))
    events = state.handle(Tick(), datetime(2026, 11, 23, 16, 30, tzinfo=UTC))
    assert any(isinstance(e, DayClosed) for e in events) is closes


@pytest.mark.parametrize("zone", ["WIB", "WITA", "WIT"])
def test_last_instant_and_first_instant_of_a_day(zone: str) -> None:
    """23:59:59.999999 local is still the old day; 00:00 local is the new one."""
    building = make_building(zone)
    state = QueueState(building)
    issue(state, "A", at("14:00", MONDAY, building))
    late = state.handle(Tick(), at("23:59:59.999999", MONDAY, building))
    assert not any(isinstance(e, DayClosed) for e in late)
    events = state.handle(Tick(), at("00:00", TUESDAY, building))
    assert isinstance(events[-1], DayClosed)
    # Every closing event is stamped at the old day's last instant, so it files under Monday.
    assert {building.service_day(e.at) for e in events} == {MONDAY}
    assert state.day is None


@pytest.mark.parametrize("zone", ["WIB", "WITA", "WIT"])
def test_ticket_day_is_the_local_day(zone: str) -> None:
    """A ticket issued at 08:00 local gets the local date, whatever the UTC date is."""
    building = make_building(zone)
    state = QueueState(building)
    tid = issue(state, "A", at("08:00", TUESDAY, building))
    assert tid.startswith("2026-11-24/")
    assert state.tickets[tid].day == date(2026, 11, 24)
