"""Part-week lines, desks shared by agencies on different days, and a close at 24:00, in the
pure core: hand-written tables of days and hours, and what a citizen or an officer reads.

The building is "MPP Uji WITA" (UTC+8), Monday–Thursday 08:00–16:00, Friday 08:00–16:30 with
a prayer break 11:30–13:30, Saturday and Sunday closed; Imigrasi Monday–Thursday 08:00–14:00;
the police SKCK Monday, Wednesday and Friday 08:00–12:00; the KUA on Tuesdays and the religious
court on Thursdays, both at one desk, Loket 7. November 2026: Monday 23 … Friday 27, and
Thursday 26 is made a local holiday in one table to show that holidays still close all.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

import pytest

from server.core.building import (
    END_OF_DAY,
    Agency,
    Building,
    Counter,
    DayHours,
    DeskDays,
    Holiday,
    Line,
    Officer,
    ServiceHours,
    SpecialHours,
    TimeRange,
    Zone,
)
from server.core.calendar import plan_for
from server.core.issuing import issue_refusal
from server.core.model import (
    CallNext,
    ConfirmPrinted,
    DomainError,
    IssueTicket,
    LogIn,
    OpenCounter,
    StartService,
    Tick,
    Transfer,
)
from server.core.part_week import days_text
from server.core.queue import QueueState

WITA = timezone(timedelta(hours=8))
MON, TUE, WED, THU, FRI, SAT = (date(2026, 11, 23) + timedelta(days=n) for n in range(6))
RAMADAN_MON = date(2027, 2, 15)

_DAY = DayHours(time(8), time(16))
_FRIDAY = DayHours(time(8), time(16, 30), (TimeRange(time(11, 30), time(13, 30)),))
_RAMADAN = DayHours(time(8), time(13))

IMIGRASI = ServiceHours(frozenset({0, 1, 2, 3}), time(8), time(14))
POLRES = ServiceHours(frozenset({0, 2, 4}), time(8), time(12))


def building(**changes: object) -> Building:
    b = Building(
        name="MPP Uji WITA",
        timezone="WITA",
        weekly=(_DAY, _DAY, _DAY, _DAY, _FRIDAY, None, None),
        zones=(Zone("1", "Lantai 1"),),
        agencies=(
            Agency("DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "Dukcapil", "1"),
            Agency("IMIGRASI", "Kantor Imigrasi", "Imigrasi", "1", IMIGRASI),
            Agency("POLRES", "Kepolisian Resor", "Polres", "1", POLRES),
            Agency("KUA", "Kantor Urusan Agama", "KUA", "1", ServiceHours(frozenset({1}))),
            Agency("PA", "Pengadilan Agama", "Pengadilan Agama", "1", ServiceHours(frozenset({3}))),
        ),
        lines=(
            Line("A", "DUKCAPIL", "KTP-el", 10),
            Line("F", "IMIGRASI", "Paspor", 15, quota_walk_in=2, service_hours=IMIGRASI),
            Line("S", "POLRES", "SKCK", 8, service_hours=POLRES),
            Line("K", "KUA", "Pendaftaran Nikah", 20, service_hours=ServiceHours(frozenset({1}))),
            Line("P", "PA", "Pendaftaran Perkara", 20, service_hours=ServiceHours(frozenset({3}))),
        ),
        counters=(
            Counter("L01", "Loket 1", 1, "1", "DUKCAPIL", ("A",)),
            Counter("L06", "Loket 6", 6, "1", "IMIGRASI", ("F",)),
            Counter("L08", "Loket 8", 8, "1", "POLRES", ("S",)),
            Counter(
                "L07",
                "Loket 7",
                7,
                "1",
                "",
                ("K", "P"),
                schedule=(
                    DeskDays(frozenset({1}), "KUA", ("K",)),
                    DeskDays(frozenset({3}), "PA", ("P",)),
                ),
            ),
        ),
        officers=(
            Officer("DKP01", "Nur Aisyah", "DUKCAPIL", "x"),
            Officer("KUA01", "Ahmad Syarif", "KUA", "x"),
            Officer("PA01", "Rosmiati", "PA", "x"),
        ),
        special_hours=(
            SpecialHours(
                "Ramadan 1448 H",
                date(2027, 2, 8),
                date(2027, 3, 9),
                (_RAMADAN, _RAMADAN, _RAMADAN, _RAMADAN, _RAMADAN, None, None),
            ),
        ),
    )
    return replace(b, **changes) if changes else b


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=WITA)


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ({0, 1, 2, 3}, "Senin–Kamis"),
        ({1, 3}, "Selasa dan Kamis"),
        ({1}, "Selasa"),
        ({0, 1}, "Senin dan Selasa"),
        ({0, 2, 4}, "Senin, Rabu, dan Jumat"),
        ({0, 1, 2, 4}, "Senin–Rabu dan Jumat"),
        ({0, 1, 3, 4}, "Senin, Selasa, Kamis, dan Jumat"),
        ({0, 1, 2, 3, 4, 5}, "Senin–Sabtu"),
        ({0, 1, 2, 4, 5, 6}, "Senin–Rabu dan Jumat–Minggu"),
    ],
)
def test_days_read_as_a_citizen_reads_them(days: set[int], text: str) -> None:
    """Three days or more in a row collapse into a range; the rest are listed with "dan"."""
    assert days_text(days) == text


FULL = "Hari ini tidak melayani — buka"
# (line, day, local time, refusal code or None, the message the citizen reads)
HOURS_TABLE = [
    ("F", MON, "07:59", "not_open_yet", "Layanan dibuka pukul 08.00 WITA"),
    ("F", MON, "08:00", None, None),
    ("F", THU, "13:59", None, None),
    ("F", THU, "14:00", "closed_hours", "Layanan hari ini sudah tutup pukul 14.00 WITA"),
    ("F", FRI, "09:00", "service_off_day", f"{FULL} Senin–Kamis, pukul 08.00–14.00 WITA"),
    ("F", SAT, "09:00", "closed_day", "Hari ini tidak ada layanan"),
    ("F", RAMADAN_MON, "12:59", None, None),
    ("F", RAMADAN_MON, "13:00", "closed_hours", "Layanan hari ini sudah tutup pukul 13.00 WITA"),
    (
        "S",
        TUE,
        "09:00",
        "service_off_day",
        f"{FULL} Senin, Rabu, dan Jumat, pukul 08.00–12.00 WITA",
    ),
    ("S", WED, "11:59", None, None),
    ("S", WED, "12:00", "closed_hours", "Layanan hari ini sudah tutup pukul 12.00 WITA"),
    # The building's Friday prayer break runs past the SKCK's noon close: nothing more today.
    ("S", FRI, "11:30", "no_more_today", None),
    ("K", TUE, "15:59", None, None),
    ("K", WED, "09:00", "service_off_day", f"{FULL} Selasa"),
    ("P", TUE, "09:00", "service_off_day", f"{FULL} Kamis"),
    ("A", FRI, "09:00", None, None),
]


@pytest.mark.parametrize(("prefix", "day", "hhmm", "code", "message"), HOURS_TABLE)
def test_a_line_issues_on_its_own_days_and_hours_only(
    prefix: str, day: date, hhmm: str, code: str | None, message: str | None
) -> None:
    """A part-week line is refused on its off days with its days, and outside its own hours
    with its own times; the building's calendar still applies on top."""
    b = building()
    refusal = issue_refusal(plan_for(b, day), b.line(prefix), None, time.fromisoformat(hhmm), 0, 0)
    assert (refusal.code if refusal else None) == code
    if message is not None:
        assert refusal is not None and refusal.message == message


def test_a_holiday_still_closes_a_part_week_line() -> None:
    """Thursday made a holiday: the religious court's day is a holiday like any other."""
    b = building(holidays=(Holiday(THU, "Hari Jadi Kabupaten"),))
    refusal = issue_refusal(plan_for(b, THU), b.line("P"), None, time(9), 0, 0)
    assert refusal is not None
    assert (refusal.code, refusal.message) == ("holiday", "Hari ini libur: Hari Jadi Kabupaten")


def test_close_at_24_00_issues_until_midnight() -> None:
    """A building open until 24:00 issues at 23:59 and names its close 24.00."""
    late = DayHours(time(8), END_OF_DAY)
    b = building(weekly=(late, late, late, late, late, None, None))
    plan = plan_for(b, MON)
    assert issue_refusal(plan, b.line("A"), None, time(23, 59, 59), 0, 0) is None
    assert issue_refusal(plan, b.line("A"), None, time(7, 59), 0, 0).message == (
        "Layanan dibuka pukul 08.00 WITA"
    )
    state = QueueState(b)
    state.handle(IssueTicket("A", None, "t-late", "K1"), at(MON, "23:59:59"))
    # Midnight starts Tuesday: a new sequence, and the Monday ticket expired with its day.
    events = state.handle(IssueTicket("A", None, "t-next", "K1"), at(TUE, "08:00"))
    assert [e.kind for e in events][-2:] == ["day_closed", "ticket_issued"]
    assert events[-1].number == "A-001"


def test_an_off_day_ticket_is_refused_and_changes_nothing() -> None:
    """Friday: Imigrasi's quota is untouched, its line view says why, and says it again."""
    state = QueueState(building())
    state.handle(IssueTicket("A", None, "t-a", "K1"), at(FRI, "09:00"))  # opens the day
    before = state.used_walk_in["F"], state.issued["F"], len(state.tickets)
    with pytest.raises(DomainError) as refused:
        state.handle(IssueTicket("F", None, "t-f", "K1"), at(FRI, "09:05"))
    assert refused.value.code == "service_off_day"
    assert (state.used_walk_in["F"], state.issued["F"], len(state.tickets)) == before
    view = state.line_view("F", at(FRI, "09:05"))
    assert (view.issuing, view.refusal_code, view.quota_left_walk_in) == (
        False,
        "service_off_day",
        2,
    )
    assert view.refusal_message == f"{FULL} Senin–Kamis, pukul 08.00–14.00 WITA"


def test_a_transfer_into_a_line_off_today_is_refused() -> None:
    """A Dukcapil officer cannot send a citizen on to Imigrasi on a Friday: nobody would call."""
    state = QueueState(building())
    now = at(FRI, "09:00")
    state.handle(IssueTicket("A", None, "t-a", "K1"), now)
    state.handle(ConfirmPrinted(next(iter(state.tickets))), now)
    state.handle(LogIn("L01", "DKP01"), now)
    state.handle(OpenCounter("L01"), now)
    state.handle(CallNext("L01"), now)
    state.handle(StartService("L01"), now)
    with pytest.raises(DomainError) as refused:
        state.handle(Transfer("L01", "F"), now)
    assert refused.value.message == f"{FULL} Senin–Kamis, pukul 08.00–14.00 WITA"


# (day, officer, refusal code or None, the message the officer reads)
DESK_TABLE = [
    (TUE, "KUA01", None, None),
    (THU, "PA01", None, None),
    (
        TUE,
        "PA01",
        "desk_other_day",
        "Hari ini Loket 7 dipakai KUA; Pengadilan Agama memakainya pada hari Kamis",
    ),
    (
        THU,
        "KUA01",
        "desk_other_day",
        "Hari ini Loket 7 dipakai Pengadilan Agama; KUA memakainya pada hari Selasa",
    ),
    (
        WED,
        "KUA01",
        "desk_unassigned",
        "Loket 7 tidak dipakai hari ini; loket ini dipakai KUA pada hari Selasa dan "
        "Pengadilan Agama pada hari Kamis",
    ),
    (TUE, "DKP01", "desk_other_agency", "Loket 7 adalah loket KUA, bukan loket instansi Anda"),
]


@pytest.mark.parametrize(("day", "officer", "code", "message"), DESK_TABLE)
def test_a_shared_desk_is_its_day_agencys(
    day: date, officer: str, code: str | None, message: str | None
) -> None:
    """Only the officer of the day's agency logs in at the shared desk; a day it belongs to
    nobody it stays closed."""
    state = QueueState(building())
    if code is None:
        state.handle(LogIn("L07", officer), at(day, "08:00"))
        assert state.counters["L07"].officer == officer
        return
    with pytest.raises(DomainError) as refused:
        state.handle(LogIn("L07", officer), at(day, "08:00"))
    assert (refused.value.code, refused.value.message) == (code, message)
    assert state.counters["L07"].officer is None


def test_the_shared_desk_calls_its_day_agencys_lines_only() -> None:
    """Thursday: Loket 7 is open for the religious court's line P only, and line K (the KUA's)
    has no open counter; a restart rebuilds the same state from the log."""
    b = building()
    state = QueueState(b)
    now = at(THU, "09:00")
    log = []
    for token in ("t-p1", "t-p2"):
        log += state.handle(IssueTicket("P", None, token, "K1"), now)
    for tid in list(state.tickets):
        log += state.handle(ConfirmPrinted(tid), now)
    log += state.handle(LogIn("L07", "PA01"), now)
    log += state.handle(OpenCounter("L07"), now)
    counts = state.line_view("P", now).counters_open, state.line_view("K", now).counters_open
    assert counts == (1, 0)
    assert [t.number for t in state.next_for("L07", now)] == ["P-001", "P-002"]
    called = state.handle(CallNext("L07"), now)
    log += called
    assert (called[-1].number, called[-1].counter) == ("P-001", "L07")
    again = QueueState(b)
    for event in log:
        again.apply(event)
    assert again == state


def test_on_tuesday_the_shared_desk_counts_for_the_kua_only() -> None:
    """Tuesday: the same desk, open, counts for line K and not for line P."""
    state = QueueState(building())
    now = at(TUE, "09:00")
    state.handle(LogIn("L07", "KUA01"), now)
    state.handle(OpenCounter("L07"), now)
    counts = state.line_view("K", now).counters_open, state.line_view("P", now).counters_open
    assert counts == (1, 0)
    # One whole desk for K that day: a ticket now waits one 20-minute target service.
    assert state.line_view("K", now).estimated_wait_s == 20 * 60


def test_the_shared_desk_never_calls_the_other_agencys_line_the_same_day() -> None:
    """The KUA also comes on Thursdays, at its own Loket 9: its K-001, older than the court's
    P-001, waits for Loket 9; Loket 7 (the court's that day) calls P-001."""
    kua_days = ServiceHours(frozenset({1, 3}))
    base = building()
    b = building(
        agencies=tuple(replace(a, service_hours=kua_days) if a.code == "KUA" else a
                       for a in base.agencies),
        lines=tuple(replace(ln, service_hours=kua_days) if ln.prefix == "K" else ln
                    for ln in base.lines),
        counters=(*base.counters, Counter("L09", "Loket 9", 9, "1", "KUA", ("K",))),
    )  # fmt: skip
    state = QueueState(b)
    now = at(THU, "09:00")
    state.handle(IssueTicket("K", None, "t-k", "K1"), now)
    state.handle(IssueTicket("P", None, "t-p", "K1"), now + timedelta(minutes=1))
    for tid in list(state.tickets):
        state.handle(ConfirmPrinted(tid), now + timedelta(minutes=1))
    later = now + timedelta(minutes=2)
    state.handle(LogIn("L07", "PA01"), later)
    state.handle(OpenCounter("L07"), later)
    assert [t.number for t in state.next_for("L07", later)] == ["P-001"]
    assert state.handle(CallNext("L07"), later)[-1].number == "P-001"
    assert state.line_view("K", later).counters_open == 0


def test_a_service_closing_at_24_00_says_so() -> None:
    """A Monday-evening service 20.00–24.00 is named with its hours on other days."""
    late = DayHours(time(8), END_OF_DAY)
    evening = ServiceHours(frozenset({0}), time(20), END_OF_DAY)
    b = building(
        weekly=(late, late, late, late, late, None, None),
        lines=(
            *building().lines,
            Line("M", "DUKCAPIL", "Layanan Malam", 10, service_hours=evening),
        ),
    )
    refusal = issue_refusal(plan_for(b, TUE), b.line("M"), None, time(21), 0, 0)
    assert refusal is not None
    assert refusal.message == f"{FULL} Senin, pukul 20.00–24.00 WITA"
    assert issue_refusal(plan_for(b, MON), b.line("M"), None, time(23, 59), 0, 0) is None


def _kua_also_on_thursday_at_loket_9() -> Building:
    """The KUA comes on Thursdays too, to its own Loket 9 (Loket 7 is the court's that day)."""
    kua_days = ServiceHours(frozenset({1, 3}))
    base = building()
    return building(
        agencies=tuple(replace(a, service_hours=kua_days) if a.code == "KUA" else a
                       for a in base.agencies),
        lines=tuple(replace(ln, service_hours=kua_days) if ln.prefix == "K" else ln
                    for ln in base.lines),
        counters=(*base.counters, Counter("L09", "Loket 9", 9, "1", "KUA", ("K",))),
    )  # fmt: skip


def test_the_courts_priority_call_is_no_overtaking_of_the_kua_line() -> None:
    """Thursday 09:00 K-001 (regular), 09:01 P-001 (priority), 09:02 K-002 (priority). Loket 7,
    the court's that day, calls P-001: it went ahead of nobody on line K, which Loket 7 does
    not serve on Thursdays. So K-001 has absorbed no overtaking, and Loket 9 may still let the
    line's first priority citizen go before it (calling-policy.md: at most one)."""
    state = QueueState(_kua_also_on_thursday_at_loket_9())
    tickets = {}
    for number, priority, hhmm in (("K-001", None, "09:00"), ("P-001", "lansia", "09:01"),
                                   ("K-002", "lansia", "09:02")):  # fmt: skip
        issued = state.handle(IssueTicket(number[0], priority, f"t-{number}", "K1"), at(THU, hhmm))
        tickets[number] = issued[0].ticket
        state.handle(ConfirmPrinted(tickets[number]), at(THU, hhmm))
    now = at(THU, "09:05")
    state.handle(LogIn("L07", "PA01"), now)
    state.handle(OpenCounter("L07"), now)
    assert state.handle(CallNext("L07"), now)[-1].number == "P-001"
    assert state.tickets[tickets["K-001"]].overtaken == 0
    state.handle(LogIn("L09", "KUA01"), now)
    state.handle(OpenCounter("L09"), now)
    assert state.handle(CallNext("L09"), now)[-1].number == "K-002"
    assert state.tickets[tickets["K-001"]].overtaken == 1


def test_a_log_of_a_desk_day_the_file_no_longer_has_replays_as_lived() -> None:
    """Monday's log was written when Loket 7 was the KUA's on Mondays too; the file now gives
    Loket 7 to nobody on Mondays. The replay takes the desk as configured, so the KUA's
    priority call K-002 still counts as one overtaking of the older K-001, as it did live."""
    kua_days = ServiceHours(frozenset({0, 1}))
    base = building()
    then = building(
        agencies=tuple(replace(a, service_hours=kua_days) if a.code == "KUA" else a
                       for a in base.agencies),
        lines=tuple(replace(ln, service_hours=kua_days) if ln.prefix == "K" else ln
                    for ln in base.lines),
        counters=tuple(
            replace(c, schedule=(DeskDays(frozenset({0, 1}), "KUA", ("K",)), c.schedule[1]))
            if c.id == "L07" else c for c in base.counters),
    )  # fmt: skip
    state = QueueState(then)
    log = []
    for number, priority, hhmm in (("K-001", None, "09:00"), ("K-002", "lansia", "09:01")):
        log += state.handle(IssueTicket("K", priority, f"t-{number}", "K1"), at(MON, hhmm))
        log += state.handle(ConfirmPrinted(log[-1].ticket), at(MON, hhmm))
    now = at(MON, "09:05")
    log += state.handle(LogIn("L07", "KUA01"), now)
    log += state.handle(OpenCounter("L07"), now)
    log += state.handle(CallNext("L07"), now)
    assert log[-1].number == "K-002"
    first = log[0].ticket
    assert state.tickets[first].overtaken == 1
    again = QueueState(base)
    for event in log:
        again.apply(event)
    assert again.tickets[first].overtaken == 1
    assert again.counters["L07"].ticket == log[-1].ticket


def test_a_replayed_week_counts_the_shared_desk_for_each_days_agency() -> None:
    """Loket 7 open on Tuesday (the KUA's) and again on Thursday (the court's), one log: open
    counters K 1 / P 0 on Tuesday, K 0 / P 1 on Thursday, and a replay of the whole log ends
    with Thursday's counts, not Tuesday's."""
    b = building()
    state = QueueState(b)
    log = []
    tuesday = at(TUE, "09:00")
    log += state.handle(LogIn("L07", "KUA01"), tuesday)
    log += state.handle(OpenCounter("L07"), tuesday)
    counts = (
        state.line_view("K", tuesday).counters_open,
        state.line_view("P", tuesday).counters_open,
    )
    assert counts == (1, 0)
    log += state.handle(Tick(), at(WED, "08:00"))  # Tuesday's end logs the KUA officer out
    thursday = at(THU, "09:00")
    log += state.handle(LogIn("L07", "PA01"), thursday)
    log += state.handle(OpenCounter("L07"), thursday)
    counts = (
        state.line_view("K", thursday).counters_open,
        state.line_view("P", thursday).counters_open,
    )
    assert counts == (0, 1)
    # One whole desk for P: a ticket issued now waits one 20-minute target service; none for K.
    assert state.line_view("P", thursday).estimated_wait_s == 20 * 60
    assert state.line_view("K", thursday).estimated_wait_s is None
    again = QueueState(b)
    for event in log:
        again.apply(event)
    assert (again.open_count["K"], again.open_count["P"]) == (0, 1)
    assert again == state
