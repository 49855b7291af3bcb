"""Counter-closure requests (issue 23), without sockets: the rule, the requests, the closing.

Expectations are written out by hand from docs/protocol.md ("Counter-closure requests") and the
test building's calendar (tests/core/factory.py: Monday–Friday 07:30–16:00, Friday's prayer
break 11:30–13:00, Christmas a holiday, Ramadan 08:00–14:00), never computed by the code under
test. The service-hours table adds a part-week line (Monday–Thursday 08:00–14:00) and a desk
shared by weekday.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

import pytest
from factory import (
    CHRISTMAS,
    FRIDAY,
    MONDAY,
    RAMADAN_MONDAY,
    SATURDAY,
    at,
    call_next,
    issue,
    make_building,
    open_counter,
    replay,
)

from server.core.building import Building, Counter, DeskDays, Line, ServiceHours
from server.core.closures import in_service_hours, service_minutes_left
from server.core.events import (
    ClosureDecided,
    ClosureRequested,
    ClosureWithdrawn,
    CounterClosed,
    CounterPaused,
    Event,
    OfficerLoggedOut,
    ServiceFinished,
    TicketExpired,
    TicketNoShow,
    TicketTransferred,
)
from server.core.model import (
    CallNext,
    CallTicket,
    CancelTicket,
    CloseCounter,
    ConfirmPrinted,
    CounterState,
    DecideClosure,
    DomainError,
    FinishService,
    IssueTicket,
    LogIn,
    LogOut,
    MarkNoShow,
    OpenCounter,
    PauseCounter,
    RequestClosure,
    StartService,
    Tick,
    Transfer,
    WithdrawClosure,
)
from server.core.queue import QueueState

TUESDAY = date(2026, 11, 24)

# A part-week line (Imigrasi: Monday–Thursday 08:00–14:00), its counter, a counter serving it and
# an all-week line, and a desk that is the Imigrasi line's on Tuesday and nobody's otherwise.
_PASPOR = Line(
    "Q",
    "IMIGRASI",
    "Paspor Elektronik",
    15,
    service_hours=ServiceHours(frozenset({0, 1, 2, 3}), time(8), time(14)),
)


def _building(**policy: float | int | bool) -> Building:
    base = make_building(**policy)
    return replace(
        base,
        lines=(*base.lines, _PASPOR),
        counters=(
            *base.counters,
            Counter("L05", "Loket 5", 5, "1", "IMIGRASI", ("Q",)),
            Counter("L06", "Loket 6", 6, "1", "IMIGRASI", ("P", "Q")),
            Counter(
                "L07",
                "Loket 7",
                7,
                "1",
                "",
                ("Q",),
                schedule=(DeskDays(frozenset({1}), "IMIGRASI", ("Q",)),),
            ),
        ),
    )


HOURS = _building()


def _local(day: date, hhmm: str) -> datetime:
    return at(hhmm, day).astimezone(HOURS.tz)


# (counter, day, local time, in its service hours?) — worked out from the calendar above.
SERVICE_HOURS_TABLE = [
    ("L01", MONDAY, "07:29", False),  # before the building opens
    ("L01", MONDAY, "07:30", True),  # opening: start inclusive
    ("L01", MONDAY, "15:59", True),
    ("L01", MONDAY, "16:00", False),  # closing: end exclusive
    ("L01", FRIDAY, "12:00", True),  # Friday prayer: a break is still service hours
    ("L01", CHRISTMAS, "10:00", False),  # a holiday
    ("L01", SATURDAY, "10:00", False),  # a closed weekday
    ("L01", RAMADAN_MONDAY, "07:45", False),  # Ramadan opens at 08:00
    ("L01", RAMADAN_MONDAY, "13:59", True),
    ("L01", RAMADAN_MONDAY, "14:00", False),  # ... and closes at 14:00
    ("L05", MONDAY, "07:45", False),  # the part-week line opens at 08:00
    ("L05", MONDAY, "08:00", True),
    ("L05", MONDAY, "14:00", False),  # ... and closes at 14:00
    ("L05", FRIDAY, "10:00", False),  # not one of its days
    ("L06", MONDAY, "15:00", True),  # its other line (P) keeps the building's hours
    ("L06", FRIDAY, "10:00", True),  # P serves every day the building is open
    ("L07", MONDAY, "10:00", False),  # the shared desk is nobody's on Monday
    ("L07", TUESDAY, "10:00", True),  # Imigrasi's on Tuesday
    ("L07", TUESDAY, "15:00", False),  # after its line's own hours
]


@pytest.mark.parametrize(("counter", "day", "hhmm", "expected"), SERVICE_HOURS_TABLE)
def test_a_counters_service_hours(counter: str, day: date, hhmm: str, expected: bool) -> None:
    desk = HOURS.counter(counter)
    assert desk is not None
    assert in_service_hours(HOURS, desk, _local(day, hhmm)) is expected


@pytest.mark.parametrize(
    ("counter", "day", "hhmm", "minutes"),
    [
        ("L01", MONDAY, "15:30", 30.0),
        ("L01", MONDAY, "07:00", 540.0),  # before opening: to the day's close
        ("L01", MONDAY, "16:00", None),
        ("L01", RAMADAN_MONDAY, "13:00", 60.0),
        ("L05", MONDAY, "13:45", 15.0),
        ("L06", MONDAY, "13:45", 135.0),  # its last line closes at 16:00
        ("L01", SATURDAY, "10:00", None),
    ],
)
def test_minutes_left_of_a_counters_service_hours(
    counter: str, day: date, hhmm: str, minutes: float | None
) -> None:
    desk = HOURS.counter(counter)
    assert desk is not None
    assert service_minutes_left(HOURS, desk, _local(day, hhmm)) == minutes


# --------------------------------------------------------------------------------------------
# The requests and the rule, on the test building (L01: Loket 1, line A)
# --------------------------------------------------------------------------------------------


def _seated(rule: bool = True, when: str = "08:00") -> QueueState:
    state = QueueState(make_building(closure_approval=rule))
    open_counter(state, "L01", "OF1", at(when))
    return state


def _refused(state: QueueState, command: object, now: datetime) -> DomainError:
    counters = repr(state.counters)
    closures = repr(state.closures)
    with pytest.raises(DomainError) as refusal:
        state.handle(command, now)  # type: ignore[arg-type]
    assert repr(state.counters) == counters and repr(state.closures) == closures
    return refusal.value


def test_with_the_rule_an_officer_may_not_close_or_leave_in_service_hours() -> None:
    state = _seated()
    for command in (LogOut("L01", officer="OF1"), CloseCounter("L01", officer="OF1")):
        refusal = _refused(state, command, at("10:00"))
        assert refusal.code == "closure_needs_approval"
        assert refusal.message == (
            "Loket 1 masih dalam jam layanan: ajukan penutupan kepada pengelola lebih dulu "
            "(tombol U), atau jeda loket (P)"
        )
    # A pause is a break, not a closure: free, and a paused counter is held to the rule too.
    assert state.handle(PauseCounter("L01", "salat"), at("12:00")) == [
        CounterPaused(at=at("12:00"), counter="L01", reason="salat")
    ]
    assert _refused(state, LogOut("L01", officer="OF1"), at("12:05")).code == (
        "closure_needs_approval"
    )


def test_with_the_rule_closing_stays_free_outside_hours_when_closed_or_by_a_manager() -> None:
    after_hours = _seated(when="15:00")
    assert after_hours.handle(LogOut("L01", officer="OF1"), at("16:30")) == [
        CounterClosed(at=at("16:30"), counter="L01"),
        OfficerLoggedOut(at=at("16:30"), counter="L01", officer="OF1"),
    ]
    manager = _seated()
    assert manager.handle(CloseCounter("L01", by="LANTAI"), at("10:00")) == [
        CounterClosed(at=at("10:00"), counter="L01")
    ]
    # Closed (by the manager): the officer leaves freely in service hours.
    assert manager.handle(LogOut("L01", officer="OF1"), at("10:01")) == [
        OfficerLoggedOut(at=at("10:01"), counter="L01", officer="OF1")
    ]


def test_without_the_rule_an_officer_closes_and_leaves_as_before() -> None:
    state = _seated(rule=False)
    assert state.handle(CloseCounter("L01", officer="OF1"), at("10:00")) == [
        CounterClosed(at=at("10:00"), counter="L01")
    ]


def test_a_request_is_pending_once_and_may_be_withdrawn() -> None:
    state = _seated()
    assert state.handle(RequestClosure("L01", "  Gangguan sistem instansi "), at("10:00")) == [
        ClosureRequested(
            at=at("10:00"),
            counter="L01",
            officer="OF1",
            reason="Gangguan sistem instansi",
            officer_name="Petugas 1",
        )
    ]
    request = state.closures["L01"]
    assert (request.officer, request.reason, request.requested_at) == (
        "OF1",
        "Gangguan sistem instansi",
        at("10:00"),
    )
    assert request.approved_at is None and request.by is None
    second = _refused(state, RequestClosure("L01", "Petugas sakit"), at("10:01"))
    assert (second.code, second.message) == (
        "closure_pending",
        "Permintaan tutup loket sudah diajukan; tunggu keputusan pengelola",
    )
    # Pending is not approved: the officer still may not close on their own.
    assert _refused(state, LogOut("L01", officer="OF1"), at("10:02")).code == (
        "closure_needs_approval"
    )
    assert state.handle(WithdrawClosure("L01"), at("10:03")) == [
        ClosureWithdrawn(at=at("10:03"), counter="L01", officer="OF1")
    ]
    assert state.closures == {}
    again = _refused(state, WithdrawClosure("L01"), at("10:04"))
    assert (again.code, again.message) == (
        "no_closure_request",
        "Tidak ada permintaan tutup loket untuk Loket 1",
    )


def test_a_request_needs_a_reason_and_an_open_or_paused_counter() -> None:
    state = _seated()
    assert _refused(state, RequestClosure("L01", "   "), at("10:00")).code == "reason_required"
    state.handle(CloseCounter("L01", by="LANTAI"), at("10:01"))
    closed = _refused(state, RequestClosure("L01", "Petugas sakit"), at("10:02"))
    assert (closed.code, closed.message) == (
        "illegal_transition",
        "Tindakan ini tidak dapat dilakukan karena Loket 1 sedang tutup",
    )


def test_a_refusal_needs_a_note_and_leaves_the_counter_open() -> None:
    state = _seated()
    state.handle(RequestClosure("L01", "Blanko/formulir habis"), at("10:00"))
    for note in (None, "  "):
        refusal = _refused(state, DecideClosure("L01", False, "LANTAI", note), at("10:01"))
        assert (refusal.code, refusal.message) == (
            "closure_note_required",
            "Tuliskan alasan penolakan",
        )
    assert state.handle(
        DecideClosure("L01", False, "LANTAI", " Blanko diantar pukul 11.00 WIB "), at("10:02")
    ) == [
        ClosureDecided(
            at=at("10:02"),
            counter="L01",
            officer="OF1",
            approved=False,
            by="LANTAI",
            note="Blanko diantar pukul 11.00 WIB",
        )
    ]
    assert state.closures == {}
    assert state.counters["L01"].state is CounterState.OPEN
    assert _refused(state, DecideClosure("L01", True, "LANTAI"), at("10:03")).code == (
        "no_closure_request"
    )


def test_approving_an_idle_counter_closes_it_in_the_same_command() -> None:
    state = _seated()
    state.handle(RequestClosure("L01", "Petugas sakit"), at("10:00"))
    assert state.handle(DecideClosure("L01", True, "LANTAI"), at("10:05")) == [
        ClosureDecided(
            at=at("10:05"), counter="L01", officer="OF1", approved=True, by="LANTAI", note=None
        ),
        CounterClosed(at=at("10:05"), counter="L01"),
    ]
    status = state.counters["L01"]
    assert (status.state, status.officer) == (CounterState.CLOSED, "OF1")
    assert state.closures == {}
    # After the closure the officer may leave, or open again, as on any closed counter.
    assert state.handle(OpenCounter("L01"), at("10:30"))[0].kind == "counter_opened"


def test_approving_a_busy_counter_refuses_calls_and_closes_it_when_its_ticket_ends() -> None:
    state = _seated()
    issue(state, "A", at("08:10"))
    issue(state, "A", at("08:11"))
    call_next(state, "L01", at("09:00"))
    state.handle(RequestClosure("L01", "Gangguan sistem instansi"), at("09:01"))
    decided = state.handle(DecideClosure("L01", True, "LANTAI"), at("09:02"))
    assert [e.kind for e in decided] == ["closure_decided"]
    assert state.closures["L01"].approved_at == at("09:02")
    assert state.closures["L01"].by == "LANTAI"
    state.handle(StartService("L01"), at("09:03"))
    refusal = _refused(state, CallNext("L01"), at("09:04"))
    assert (refusal.code, refusal.message) == (
        "closure_approved",
        "Penutupan Loket 1 sudah disetujui: selesaikan layanan ini, lalu loket ditutup",
    )
    assert _refused(state, CallTicket("L01", "2026-11-23/A-002", "x"), at("09:04")).code == (
        "closure_approved"
    )
    assert _refused(state, RequestClosure("L01", "lagi"), at("09:04")).code == "closure_approved"
    assert state.handle(FinishService("L01"), at("09:10")) == [
        ServiceFinished(at=at("09:10"), ticket="2026-11-23/A-001", counter="L01"),
        CounterClosed(at=at("09:10"), counter="L01"),
    ]
    assert state.closures == {}


@pytest.mark.parametrize(
    ("release", "first"),
    [
        (MarkNoShow("L01"), TicketNoShow),
        (Transfer("L01", "B"), TicketTransferred),
        (CancelTicket("2026-11-23/A-001", "permintaan warga"), None),
    ],
)
def test_whatever_releases_the_ticket_closes_an_approved_counter(
    release: object, first: type[Event] | None
) -> None:
    state = _seated()
    issue(state, "A", at("08:10"))
    call_next(state, "L01", at("09:00"))
    state.handle(RequestClosure("L01", "Petugas sakit"), at("09:01"))
    state.handle(DecideClosure("L01", True, "LANTAI"), at("09:02"))
    events = state.handle(release, at("09:05"))  # type: ignore[arg-type]
    if first is not None:
        assert isinstance(events[0], first)
    assert events[-1] == CounterClosed(at=at("09:05"), counter="L01")
    assert state.counters["L01"].state is CounterState.CLOSED


def test_an_expiry_at_closing_closes_an_approved_counter_in_the_tick() -> None:
    state = _seated(when="15:00")
    issue(state, "A", at("14:00"))
    call_next(state, "L01", at("15:50"))
    state.handle(RequestClosure("L01", "Petugas sakit"), at("15:51"))
    state.handle(DecideClosure("L01", True, "LANTAI"), at("15:52"))
    # Closing (16:00) plus the grace (60 minutes): a called ticket expires.
    events = state.handle(Tick(), at("17:00"))
    assert events == [
        TicketExpired(at=at("17:00"), ticket="2026-11-23/A-001", reason="closing"),
        CounterClosed(at=at("17:00"), counter="L01"),
    ]


def test_a_managers_close_approves_the_pending_request() -> None:
    state = _seated()
    state.handle(RequestClosure("L01", "Pergantian petugas"), at("10:00"))
    assert state.handle(CloseCounter("L01", by="ADMIN"), at("10:01")) == [
        ClosureDecided(
            at=at("10:01"), counter="L01", officer="OF1", approved=True, by="ADMIN", note=None
        ),
        CounterClosed(at=at("10:01"), counter="L01"),
    ]


def test_a_request_ends_with_a_logout_and_with_the_day() -> None:
    free = _seated(rule=False)
    free.handle(RequestClosure("L01", "Petugas sakit"), at("10:00"))
    events = free.handle(LogOut("L01", officer="OF1"), at("10:01"))
    assert [e.kind for e in events] == ["counter_closed", "officer_logged_out"]
    assert free.closures == {}
    overnight = _seated()
    overnight.handle(RequestClosure("L01", "Petugas sakit"), at("15:00"))
    overnight.handle(Tick(), at("08:00", TUESDAY))
    assert overnight.closures == {}


def test_replaying_the_days_events_rebuilds_the_requests() -> None:
    """What a restart rebuilds from the log equals the live state: an approved request waiting
    for its ticket, and a pending one."""
    state = QueueState(make_building(closure_approval=True))
    log: list[Event] = []

    def run(command: object, hhmm: str) -> None:
        log.extend(state.handle(command, at(hhmm)))  # type: ignore[arg-type]

    for counter, officer in (("L01", "OF1"), ("L02", "OF2")):
        run(LogIn(counter, officer), "08:00")
        run(OpenCounter(counter), "08:00")
    run(IssueTicket("A", None, "tok-replay", "K1"), "08:10")
    run(ConfirmPrinted("2026-11-23/A-001"), "08:10")
    run(CallNext("L01"), "09:00")
    run(RequestClosure("L01", "Gangguan sistem instansi"), "09:01")
    run(DecideClosure("L01", True, "LANTAI"), "09:02")
    run(RequestClosure("L02", "Petugas sakit"), "09:03")
    replayed = replay(state.building, log)
    assert replayed == state
    assert replayed.closures["L01"].approved_at == at("09:02")
    assert replayed.closures["L02"].approved_at is None
