"""Issue rules: hours, breaks, holidays, cutoff, special hours, quotas and their messages."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date, timedelta

import pytest
from factory import CHRISTMAS, FRIDAY, MONDAY, RAMADAN_MONDAY, SATURDAY, at, issue, make_building

from server.core.building import Holiday, Line
from server.core.calendar import plan_for
from server.core.events import PriorityGroup
from server.core.issuing import QuotaBucket, quota_bucket
from server.core.model import CancelTicket, DomainError, IssueTicket, PrintFailed, Tick, TicketState
from server.core.queue import QueueState

RAMADAN_FRIDAY = date(2027, 2, 19)
LANSIA = PriorityGroup.LANSIA


@pytest.mark.parametrize(
    ("line", "day", "hhmm", "code", "message"),
    [
        ("A", MONDAY, "07:29", "not_open_yet", "Layanan dibuka pukul 07.30 WIB"),
        ("A", MONDAY, "07:30", None, None),
        ("A", MONDAY, "14:29:59", None, None),
        (
            "A",
            MONDAY,
            "14:30",
            "after_cutoff",
            "Pengambilan nomor antrean untuk layanan ini sudah ditutup pukul 14.30 WIB",
        ),
        ("B", MONDAY, "14:59", None, None),
        (
            "B",
            MONDAY,
            "15:30",
            "after_cutoff",
            "Pengambilan nomor antrean untuk layanan ini sudah ditutup pukul 15.00 WIB",
        ),
        ("A", MONDAY, "16:00", "closed_hours", "Layanan hari ini sudah tutup pukul 16.00 WIB"),
        ("A", FRIDAY, "11:29", None, None),
        ("A", FRIDAY, "11:30", "on_break", "Layanan dibuka kembali pukul 13.00 WIB"),
        ("A", FRIDAY, "12:59", "on_break", "Layanan dibuka kembali pukul 13.00 WIB"),
        ("A", FRIDAY, "13:00", None, None),
        # Passports stop at 13.00, when the break ends: they do not reopen after prayers.
        (
            "P",
            FRIDAY,
            "12:00",
            "no_more_today",
            "Pengambilan nomor antrean untuk layanan ini sudah ditutup untuk hari ini",
        ),
        ("P", FRIDAY, "11:00", None, None),
        ("A", SATURDAY, "09:00", "closed_day", "Hari ini tidak ada layanan"),
        ("A", CHRISTMAS, "09:00", "holiday", "Hari ini libur: Hari Raya Natal"),
        ("A", RAMADAN_MONDAY, "07:45", "not_open_yet", "Layanan dibuka pukul 08.00 WIB"),
        ("B", RAMADAN_MONDAY, "13:59", None, None),
        # Closing (14.00 in Ramadan) comes before the line's later cutoff (14.30).
        (
            "A",
            RAMADAN_MONDAY,
            "14:00",
            "closed_hours",
            "Layanan hari ini sudah tutup pukul 14.00 WIB",
        ),
        ("A", RAMADAN_FRIDAY, "12:00", "on_break", "Layanan dibuka kembali pukul 12.30 WIB"),
        ("A", RAMADAN_FRIDAY, "12:30", None, None),
    ],
)
def test_hours_rules(
    line: str, day: date, hhmm: str, code: str | None, message: str | None
) -> None:
    """The kiosk gets a ticket within hours, and otherwise a coded refusal saying why."""
    state = QueueState(make_building())
    now = at(hhmm, day)
    view = state.line_view(line, now)
    assert (view.issuing, view.refusal_code, view.refusal_message) == (code is None, code, message)
    if code is None:
        assert state.handle(IssueTicket(line, None, "t"), now)
    else:
        before = copy.deepcopy(state)
        with pytest.raises(DomainError) as info:
            state.handle(IssueTicket(line, None, "t"), now)
        assert (info.value.code, info.value.message) == (code, message)
        assert state == before


def test_holiday_beats_weekday_and_special_hours() -> None:
    """A holiday inside a special-hours range still closes the day."""
    holiday = Holiday(RAMADAN_MONDAY, "Isra Mikraj")
    building = replace(make_building(), holidays=(holiday,))
    plan = plan_for(building, RAMADAN_MONDAY)
    assert plan.hours is None and plan.holiday == holiday


def test_special_hours_apply_only_inside_their_range() -> None:
    """The day after a special range uses the weekly hours again."""
    building = make_building()
    assert plan_for(building, date(2027, 3, 9)).special is not None
    after = plan_for(building, date(2027, 3, 10))
    assert after.special is None and after.hours == building.weekly[2]


def test_no_open_counter_does_not_stop_issuing() -> None:
    """Citizens may take a ticket before any counter opens; the view says none is open."""
    state = QueueState(make_building())
    issue(state, "A", at("07:30"))
    view = state.line_view("A", at("07:31"))
    assert view.issuing and view.counters_open == 0 and view.waiting == 1


def _fill(state: QueueState, line: str, n: int, priority: PriorityGroup | None = None) -> None:
    for _ in range(n):
        issue(state, line, at("08:00"), priority)


def test_walk_in_quota_exhausted_names_the_line() -> None:
    """After the walk-in quota the kiosk refuses with the line's name; the view agrees."""
    state = QueueState(make_building())
    _fill(state, "P", 3)
    with pytest.raises(DomainError) as info:
        state.handle(IssueTicket("P", None, "late"), at("08:01"))
    assert info.value.code == "quota_exhausted"
    assert info.value.message == "Kuota layanan Paspor Baru dan Penggantian hari ini sudah habis"
    view = state.line_view("P", at("08:01"))
    assert (view.issuing, view.refusal_code, view.quota_left_walk_in) == (
        False,
        "quota_exhausted",
        0,
    )
    assert view.issued == 3


def test_priority_uses_priority_quota_first() -> None:
    """A priority ticket counts against the priority quota, leaving the walk-in quota alone."""
    state = QueueState(make_building())
    _fill(state, "A", 2, LANSIA)
    view = state.line_view("A", at("08:01"))
    assert (view.quota_left_priority, view.quota_left_walk_in) == (0, 5)


def test_priority_falls_back_to_walk_in_quota() -> None:
    """With the priority quota gone, a priority citizen still gets a ticket, still priority."""
    state = QueueState(make_building())
    _fill(state, "A", 2, LANSIA)
    tid = issue(state, "A", at("08:05"), PriorityGroup.DISABILITAS)
    assert state.tickets[tid].priority is PriorityGroup.DISABILITAS
    view = state.line_view("A", at("08:06"))
    assert (view.quota_left_priority, view.quota_left_walk_in) == (0, 4)


def test_priority_refused_when_both_quotas_are_gone() -> None:
    """Only when both quotas are used up is a priority citizen refused."""
    state = QueueState(make_building())
    _fill(state, "P", 1, LANSIA)
    _fill(state, "P", 3)
    with pytest.raises(DomainError) as info:
        state.handle(IssueTicket("P", LANSIA, "late"), at("08:01"))
    assert info.value.code == "quota_exhausted"


def test_priority_issued_when_only_walk_in_quota_is_gone() -> None:
    """Walk-in quota gone, priority quota left: a priority ticket is still issued."""
    state = QueueState(make_building())
    _fill(state, "P", 3)
    assert state.line_view("P", at("08:01")).refusal_code == "quota_exhausted"
    tid = issue(state, "P", at("08:01"), PriorityGroup.IBU_HAMIL)
    assert state.tickets[tid].priority is PriorityGroup.IBU_HAMIL


@pytest.mark.parametrize(
    ("quota_walk_in", "quota_priority", "used", "priority", "bucket"),
    [
        (None, None, (10**6, 10**6), None, QuotaBucket.WALK_IN),
        (None, None, (0, 0), LANSIA, QuotaBucket.PRIORITY),
        (5, 2, (5, 0), None, None),
        (5, 2, (4, 2), LANSIA, QuotaBucket.WALK_IN),
        (5, 2, (5, 2), LANSIA, None),
        (5, None, (5, 100), LANSIA, QuotaBucket.PRIORITY),
        (None, 2, (100, 2), LANSIA, QuotaBucket.WALK_IN),
    ],
)
def test_quota_bucket_table(
    quota_walk_in: int | None,
    quota_priority: int | None,
    used: tuple[int, int],
    priority: PriorityGroup | None,
    bucket: QuotaBucket | None,
) -> None:
    """Which quota a ticket counts against; None quotas are no cap."""
    line = Line("Z", "X", "Uji", 10, quota_walk_in, quota_priority)
    assert quota_bucket(line, priority, *used) == bucket


def test_printing_reservation_counts_against_the_quota() -> None:
    """Unconfirmed reservations use the quota, so a jammed printer cannot oversell."""
    state = QueueState(make_building())
    for _ in range(3):
        issue(state, "P", at("08:00"), printed=False)
    with pytest.raises(DomainError) as info:
        state.handle(IssueTicket("P", None, "more"), at("08:00"))
    assert info.value.code == "quota_exhausted"


def test_failed_print_releases_the_quota() -> None:
    """A reservation whose print failed gives its quota back."""
    state = QueueState(make_building())
    tids = [issue(state, "P", at("08:00"), printed=False) for _ in range(3)]
    state.handle(PrintFailed(tids[0], "paper_out"), at("08:00:10"))
    assert state.tickets[tids[0]].state is TicketState.CANCELLED
    assert state.line_view("P", at("08:00:10")).quota_left_walk_in == 1
    issue(state, "P", at("08:00:20"))


def test_printing_timeout_releases_the_quota() -> None:
    """A reservation that expires unprinted gives its quota back."""
    state = QueueState(make_building())
    for _ in range(3):
        issue(state, "P", at("08:00"), printed=False)
    state.handle(Tick(), at("08:00") + timedelta(seconds=120))
    assert state.line_view("P", at("08:03")).quota_left_walk_in == 3


def test_cancelled_printed_ticket_keeps_its_quota() -> None:
    """A printed ticket that is cancelled has used its number: the quota is not released."""
    state = QueueState(make_building())
    tid = issue(state, "P", at("08:00"))
    state.handle(CancelTicket(tid, "warga pulang"), at("08:10"))
    assert state.line_view("P", at("08:10")).quota_left_walk_in == 2


def test_unknown_line_is_refused() -> None:
    """Issuing on a line the building does not have raises unknown_line."""
    state = QueueState(make_building())
    with pytest.raises(DomainError) as info:
        state.handle(IssueTicket("Q", None, "t"), at("08:00"))
    assert info.value.code == "unknown_line"


def test_duplicate_token_is_refused() -> None:
    """A public token is never given to two tickets."""
    state = QueueState(make_building())
    state.handle(IssueTicket("A", None, "same"), at("08:00"))
    with pytest.raises(DomainError) as info:
        state.handle(IssueTicket("B", None, "same"), at("08:00"))
    assert info.value.code == "duplicate_token"
    assert len(state.tickets) == 1
