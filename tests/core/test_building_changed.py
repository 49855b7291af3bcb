"""A building file edited mid-day: today's log names a line, a counter or an officer it no
longer has (docs/operations.md, "Changing the building file").

The day before the edit: "MPP Uji Kecil" (tests/core/factory.py). Imigrasi's line P and its
counter L04 are then removed, and officer OF5 leaves the file. The expectations are the rules
written in docs/operations.md: the day replays, nothing is lost, what was removed serves no new
citizen, and every ticket still open can be ended (cancelled by the floor, expired at closing
or at the day's end).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from factory import MONDAY, at, call_next, make_building, replay

from server.config import load_building
from server.core.building import Building
from server.core.events import CounterClosed, DayClosed, Event, OfficerLoggedOut, TicketExpired
from server.core.model import (
    CallNext,
    CallTicket,
    CancelTicket,
    ConfirmPrinted,
    CounterState,
    DomainError,
    FinishService,
    IssueTicket,
    LogIn,
    OpenCounter,
    RetireRemoved,
    StartService,
    Tick,
    TicketState,
    Transfer,
)
from server.core.queue import QueueState
from server.core.removed import removed_in_use


def without_imigrasi(building: Building) -> Building:
    """The same building without line P, counter L04 and officer OF5."""
    return replace(
        building,
        lines=tuple(ln for ln in building.lines if ln.prefix != "P"),
        counters=tuple(c for c in building.counters if c.id != "L04"),
        officers=tuple(o for o in building.officers if o.id != "OF5"),
    )


def the_morning() -> tuple[list[Event], dict[str, str]]:
    """09:00–09:13 under the old file, every event kept as the store's log: P-001 called at
    L04 by OF1, P-002 and P-003 waiting, A-001 being served at L01 by OF5 (a kept counter, a
    removed officer), A-002 waiting."""
    state = QueueState(make_building())
    log: list[Event] = []
    ids: dict[str, str] = {}

    def run(command: object, hhmm: str) -> list[Event]:
        out = state.handle(command, at(hhmm))  # type: ignore[arg-type]
        log.extend(out)
        return out

    for n, (number, hhmm) in enumerate(
        (("P-001", "09:00"), ("P-002", "09:01"), ("P-003", "09:02"), ("A-001", "09:03"),
         ("A-002", "09:04"))
    ):  # fmt: skip
        issued = run(IssueTicket(number[0], None, f"t{n}", "K1"), hhmm)
        ids[number] = issued[0].ticket  # type: ignore[attr-defined]
        run(ConfirmPrinted(ids[number]), hhmm)
    run(LogIn("L04", "OF1"), "09:10")
    run(OpenCounter("L04"), "09:10")
    run(LogIn("L01", "OF5"), "09:10")
    run(OpenCounter("L01"), "09:10")
    run(CallNext("L04"), "09:11")
    run(CallNext("L01"), "09:12")
    run(StartService("L01"), "09:13")
    assert state.tickets[ids["P-001"]].counter == "L04"
    assert state.tickets[ids["A-001"]].counter == "L01"
    return log, ids


@pytest.fixture
def restarted() -> tuple[QueueState, dict[str, str], list[Event]]:
    """The morning replayed under the edited file, as a restart at 09:30 does."""
    events, ids = the_morning()
    return replay(without_imigrasi(make_building()), events), ids, events


def test_a_day_whose_line_and_counter_were_removed_replays(restarted) -> None:
    """The replay keeps every ticket in the state it had: nothing is lost by the edit."""
    state, ids, _ = restarted
    states = {number: state.tickets[tid].state for number, tid in ids.items()}
    assert states == {
        "P-001": TicketState.CALLED,
        "P-002": TicketState.WAITING,
        "P-003": TicketState.WAITING,
        "A-001": TicketState.SERVING,
        "A-002": TicketState.WAITING,
    }
    assert state.tickets[ids["P-001"]].counter == "L04"


def test_what_the_day_still_uses_is_listed(restarted) -> None:
    """The start-up warning's content: each removed thing and what of today still uses it."""
    state, _, _ = restarted
    used = removed_in_use(state)
    assert used.lines == {"P": ("P-001", "P-002", "P-003")}
    assert used.counters == {"L04": ("OF1", "P-001")}
    assert used.officers == {"OF5": "L01"}
    assert not removed_in_use(replay(make_building(), the_morning()[0]))


def test_retiring_closes_removed_counters_and_logs_out_removed_officers(restarted) -> None:
    """RetireRemoved closes L04 and logs OF1 out of it, and logs OF5 out of the kept L01."""
    state, _, _ = restarted
    events = state.handle(RetireRemoved(), at("09:30"))
    assert events == [
        CounterClosed(at=at("09:30"), counter="L01"),
        OfficerLoggedOut(at=at("09:30"), counter="L01", officer="OF5"),
        CounterClosed(at=at("09:30"), counter="L04"),
        OfficerLoggedOut(at=at("09:30"), counter="L04", officer="OF1"),
    ]
    assert state.handle(RetireRemoved(), at("09:31")) == []  # nothing left to retire
    # OF1 may work elsewhere now; nobody may log in at the removed counter.
    state.handle(LogIn("L02", "OF1"), at("09:32"))
    with pytest.raises(DomainError) as refused:
        state.handle(LogIn("L04", "OF2"), at("09:32"))
    assert refused.value.code == "unknown_counter"


def test_the_kept_counter_keeps_its_citizen_for_the_next_officer(restarted) -> None:
    """A-001 was being served at L01 by the removed OF5: the next officer there finishes it."""
    state, ids, _ = restarted
    state.handle(RetireRemoved(), at("09:30"))
    assert state.counters["L01"].state is CounterState.CLOSED
    assert state.counters["L01"].ticket == ids["A-001"]
    state.handle(LogIn("L01", "OF2"), at("09:35"))
    state.handle(OpenCounter("L01"), at("09:35"))
    state.handle(FinishService("L01"), at("09:36"))
    assert state.tickets[ids["A-001"]].state is TicketState.DONE


def test_the_removed_line_takes_no_new_ticket_and_no_transfer(restarted) -> None:
    """Line P is gone for new citizens: no ticket, no transfer into it."""
    state, _, _ = restarted
    with pytest.raises(DomainError) as refused:
        state.handle(IssueTicket("P", None, "new", "K1"), at("09:31"))
    assert refused.value.code == "unknown_line"
    state.handle(LogIn("L02", "OF2"), at("09:31"))
    state.handle(OpenCounter("L02"), at("09:31"))
    call_next(state, "L02", at("09:32"))
    with pytest.raises(DomainError) as refused:
        state.handle(Transfer("L02", "P"), at("09:33"))
    assert refused.value.code == "unknown_line"


def test_orphan_tickets_can_be_cancelled_and_are_not_called_by_number(restarted) -> None:
    """A floor manager cancels P-002 and the called P-001; no counter may call P-003 by
    number, and the refusal names the line by its prefix (the file has no name for it)."""
    state, ids, _ = restarted
    state.handle(CancelTicket(ids["P-002"], "layanan ditutup"), at("09:31"))
    state.handle(CancelTicket(ids["P-001"], "layanan ditutup"), at("09:31"))
    assert state.tickets[ids["P-002"]].state is TicketState.CANCELLED
    assert state.tickets[ids["P-001"]].state is TicketState.CANCELLED
    state.handle(LogIn("L02", "OF2"), at("09:32"))
    state.handle(OpenCounter("L02"), at("09:32"))
    with pytest.raises(DomainError) as refused:
        state.handle(CallTicket("L02", ids["P-003"], "coba"), at("09:33"))
    assert refused.value.code == "line_not_served"
    assert "layanan P" in refused.value.message


def test_orphan_tickets_have_figures_and_end_with_the_day(restarted) -> None:
    """The phone page's figures of an orphan ticket work; closing and the day's end expire
    the orphans like any other open ticket, and the day closes."""
    state, ids, _ = restarted
    assert state.people_ahead(ids["P-003"], at("09:31")) == 1
    assert state.estimated_wait_s(ids["P-003"], at("09:31")) == 0.0  # no counter serves P
    closing = state.handle(Tick(), at("17:00"))  # closing 16:00 plus the hour of grace
    expired = {e.ticket for e in closing if isinstance(e, TicketExpired)}  # type: ignore[attr-defined]
    assert {ids["P-002"], ids["P-003"], ids["P-001"], ids["A-002"]} <= expired
    tomorrow = at("08:00", MONDAY.replace(day=24))
    day_end = state.handle(Tick(), tomorrow)
    # Not retired at start in this test: the day's close logs OF1 out of the removed counter.
    assert OfficerLoggedOut(
        at=day_end[0].at, counter="L04", officer="OF1"
    ) in day_end and isinstance(day_end[-1], DayClosed)
    assert state.day is None and not state.tickets
    assert "L04" not in state.counters  # a new day starts with the file's counters only


def test_replaying_after_the_retirement_gives_the_same_state(restarted) -> None:
    """What the server does after the restart replays into an equal state (restart twice)."""
    state, ids, events = restarted
    more = state.handle(RetireRemoved(), at("09:30"))
    more += state.handle(CancelTicket(ids["P-002"], "layanan ditutup"), at("09:31"))
    again = replay(without_imigrasi(make_building()), events + more)
    assert again == state


EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "mpp-kabupaten-contoh.toml"


def test_a_shared_desk_given_to_another_agency_today_sends_its_officer_home() -> None:
    """Tuesday 24 November, WITA: the KUA officer is at Loket 7 (the KUA's on Tuesdays, the
    worked example). The file is edited so that Tuesday is the religious court's, and the server
    restarts: the desk is closed and KUA01 logged out (docs/operations.md, "Changing the building
    file") — left there, the KUA officer would call the court's line P."""
    before = load_building(EXAMPLE)
    q = QueueState(before)
    tuesday = datetime.fromisoformat("2026-11-24T09:05:00+08:00")
    log = q.handle(LogIn("L07", "KUA01"), tuesday) + q.handle(OpenCounter("L07"), tuesday)
    desk = before.counter("L07")
    court_on_tuesday = tuple(
        replace(part, days=frozenset({1, 3}) if part.agency == "PA" else frozenset({0}))
        for part in desk.schedule
    )
    after = replace(
        before,
        counters=tuple(
            replace(c, schedule=court_on_tuesday) if c.id == "L07" else c for c in before.counters
        ),
    )
    restarted = replay(after, log)
    assert removed_in_use(restarted).misplaced == {"KUA01": "L07"}
    retired = restarted.handle(RetireRemoved(), tuesday.replace(minute=10))
    assert [(type(e), e.counter) for e in retired] == [
        (CounterClosed, "L07"),
        (OfficerLoggedOut, "L07"),
    ]
    # The desk of an officer whose agency is still the desk's today is left alone.
    again = replay(before, log)
    assert not removed_in_use(again)


def test_a_removed_counter_keeps_its_id_on_the_floor(restarted) -> None:
    """The floor dashboard lists L04 (removed, P-001 still called there) under its own id."""
    state, ids, _ = restarted
    status = state.counters["L04"]
    assert (status.id, status.ticket, status.officer) == ("L04", ids["P-001"], "OF1")


def test_a_ticket_transferred_into_a_line_since_removed_still_waits() -> None:
    """A-001 was sent on to Imigrasi's line P at 09:05, P's only ticket of the day; P leaves
    the file and the server restarts: A-001 waits on P as before, first in line, and is what
    the start-up warning lists for P."""
    state = QueueState(make_building())
    log: list[Event] = state.handle(IssueTicket("A", None, "t0", "K1"), at("09:00"))
    a001 = log[0].ticket  # type: ignore[attr-defined]
    log += state.handle(ConfirmPrinted(a001), at("09:00"))
    log += state.handle(LogIn("L02", "OF2"), at("09:01"))
    log += state.handle(OpenCounter("L02"), at("09:01"))
    log += state.handle(CallNext("L02"), at("09:02"))
    log += state.handle(Transfer("L02", "P"), at("09:05"))
    again = replay(without_imigrasi(make_building()), log)
    moved = again.tickets[a001]
    assert (moved.line, moved.state, moved.counter) == ("P", TicketState.WAITING, None)
    assert again.people_ahead(a001, at("09:30")) == 0
    assert removed_in_use(again).lines == {"P": ("A-001",)}
