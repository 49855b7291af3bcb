"""The day's timeline: printing timeout, closing, day end, the next day's first command."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from factory import (
    FRIDAY,
    MONDAY,
    at,
    call_next,
    issue,
    make_building,
    new_state,
    open_counter,
    replay,
)

from server.core.events import (
    CounterClosed,
    DayClosed,
    OfficerLoggedOut,
    TicketExpired,
    TicketIssued,
)
from server.core.model import (
    CallNext,
    ConfirmPrinted,
    CounterState,
    DomainError,
    IssueTicket,
    LogIn,
    MarkNoShow,
    PauseCounter,
    StartService,
    Tick,
    TicketState,
)
from server.core.queue import QueueState

TUESDAY = MONDAY + timedelta(days=1)


def test_printing_reservation_expires_after_the_timeout() -> None:
    """A reservation neither confirmed nor failed expires after printing_timeout_s, not before."""
    q = QueueState(make_building())
    tid = issue(q, "A", at("08:00"), printed=False)
    assert q.handle(Tick(), at("08:01:59")) == []
    events = q.handle(Tick(), at("08:02"))
    assert events == [TicketExpired(at("08:02"), tid, "printing_timeout")]
    assert q.tickets[tid].state is TicketState.EXPIRED
    with pytest.raises(DomainError) as info:  # the printer answering late changes nothing
        q.handle(ConfirmPrinted(tid), at("08:02:01"))
    assert info.value.code == "illegal_transition"


def test_printing_timeout_follows_the_policy() -> None:
    """The timeout is the building's printing_timeout_s."""
    q = QueueState(make_building(printing_timeout_s=10))
    tid = issue(q, "A", at("08:00"), printed=False)
    assert q.handle(Tick(), at("08:00:10")) == [
        TicketExpired(at("08:00:10"), tid, "printing_timeout")
    ]


def test_confirmed_print_does_not_expire() -> None:
    """A printed ticket waits however long the Tick runs before closing."""
    q = QueueState(make_building())
    tid = issue(q, "A", at("08:00"))
    assert q.handle(Tick(), at("15:00")) == []
    assert q.tickets[tid].state is TicketState.WAITING


def _busy_day() -> tuple[QueueState, dict[str, str]]:
    """Tickets in every open state at 15:50 on Monday; L01 serving, L02 calling."""
    q = QueueState(make_building())
    ids = {
        "serving": issue(q, "A", at("08:00")),
        "called": issue(q, "A", at("08:01")),
        "no_show": issue(q, "B", at("08:00:30")),
        "waiting": issue(q, "A", at("08:03")),
    }
    open_counter(q, "L01", "OF1", at("08:00"))
    open_counter(q, "L02", "OF2", at("08:00"))
    open_counter(q, "L03", "OF3", at("08:00"))
    call_next(q, "L01", at("09:00"))
    q.handle(StartService("L01"), at("09:01"))
    call_next(q, "L03", at("09:02"))  # the oldest of A and B: B-001
    q.handle(MarkNoShow("L03"), at("09:03"))
    call_next(q, "L02", at("09:04"))
    q.handle(PauseCounter("L03", "rapat"), at("09:05"))
    ids["printing"] = issue(q, "B", at("14:59:30"), printed=False)
    return q, ids


def test_closing_expires_all_but_tickets_being_served() -> None:
    """At closing + grace, waiting/called/no-show/printing tickets expire; a service goes on."""
    q, ids = _busy_day()
    assert q.tickets[ids["called"]].state is TicketState.CALLED
    early = q.handle(Tick(), at("16:59:59"))  # only the stale reservation goes
    assert early == [TicketExpired(at("16:59:59"), ids["printing"], "printing_timeout")]
    events = q.handle(Tick(), at("17:00"))
    assert {e.ticket: e.reason for e in events} == {  # type: ignore[attr-defined]
        ids["called"]: "closing",
        ids["no_show"]: "closing",
        ids["waiting"]: "closing",
    }
    assert q.tickets[ids["serving"]].state is TicketState.SERVING
    assert q.counters["L02"].ticket is None and q.counters["L01"].ticket == ids["serving"]
    assert q.handle(Tick(), at("17:01")) == []  # nothing left to expire but the service


def test_closing_follows_the_grace_setting() -> None:
    """closing_grace_min moves the expiry: 0 expires at closing time itself."""
    q = QueueState(make_building(closing_grace_min=0))
    tid = issue(q, "A", at("08:00"))
    assert q.handle(Tick(), at("15:59:59")) == []
    assert q.handle(Tick(), at("16:00")) == [TicketExpired(at("16:00"), tid, "closing")]


def test_day_end_closes_everything_at_the_last_instant() -> None:
    """After midnight: every open ticket expires (day_end), counters close, officers leave."""
    q, ids = _busy_day()
    events = q.handle(Tick(), at("06:00", TUESDAY))
    last = at("23:59:59.999999", MONDAY)
    assert all(e.at == last for e in events)
    expired = {e.ticket for e in events if isinstance(e, TicketExpired)}
    assert expired == set(ids.values())
    assert {e.reason for e in events if isinstance(e, TicketExpired)} == {"day_end"}
    assert {e.counter for e in events if isinstance(e, CounterClosed)} == {"L01", "L02", "L03"}
    assert {e.officer for e in events if isinstance(e, OfficerLoggedOut)} == {"OF1", "OF2", "OF3"}
    assert events[-1] == DayClosed(last, MONDAY)
    assert q.day is None and q.tickets == {}
    assert all(c.state is CounterState.CLOSED and c.officer is None for c in q.counters.values())
    assert q == QueueState(make_building())


def test_any_command_on_a_new_day_closes_the_old_one_first() -> None:
    """A LogIn on Tuesday morning first closes Monday, then logs in: all events in order."""
    q, _ = _busy_day()
    events = q.handle(LogIn("L01", "OF1"), at("07:00", TUESDAY))
    kinds = [type(e).__name__ for e in events]
    assert kinds[-2:] == ["DayClosed", "OfficerLoggedIn"]
    assert q.counters["L01"].officer == "OF1"
    assert q.day == TUESDAY  # any event opens the day, so this one will be closed too


def test_refused_command_on_a_new_day_changes_nothing() -> None:
    """A command refused on a new day leaves the old day open: handle() stays atomic."""
    q, _ = _busy_day()
    before = copy.deepcopy(q)
    with pytest.raises(DomainError) as info:
        q.handle(CallNext("L01"), at("08:00", TUESDAY))  # counters are closed on a new day
    assert info.value.code == "illegal_transition"
    assert q == before and q.day == MONDAY


def test_new_day_issue_replays_to_the_same_state() -> None:
    """Events of a day close plus the new day's first ticket replay to an equal state."""
    building = make_building()
    q = QueueState(building)
    log = []
    log += q.handle(IssueTicket("A", None, "t1"), at("08:00"))
    log += q.handle(IssueTicket("A", None, "t2"), at("08:00", TUESDAY))
    assert isinstance(log[-1], TicketIssued) and log[-1].day == TUESDAY
    assert replay(building, log) == q


def test_fresh_state_takes_the_day_of_its_first_ticket() -> None:
    """A state with no events has no day; the first ticket sets it."""
    q = QueueState(make_building())
    assert q.day is None
    assert q.handle(Tick(), at("09:00", FRIDAY)) == []
    assert q.day is None
    issue(q, "A", at("09:00", FRIDAY))
    assert q.day == FRIDAY


def test_naive_now_is_rejected() -> None:
    """The core refuses a naive datetime: local time must be unambiguous."""
    q = QueueState(make_building())
    with pytest.raises(ValueError):
        q.handle(Tick(), at("09:00").replace(tzinfo=None))


def test_a_day_with_open_counters_but_no_ticket_is_closed_the_next_day() -> None:
    """Officers who opened a counter on a day nobody took a ticket are logged out the next day."""
    state = new_state()
    open_counter(state, "L01", "OF1", at("08:00"))
    events = state.handle(Tick(), at("08:00", MONDAY + timedelta(days=1)))
    assert [e.kind for e in events][-1] == "day_closed"
    assert state.counters["L01"].state is CounterState.CLOSED
    assert state.counters["L01"].officer is None
