"""A small building for the core tests, and helpers to drive a QueueState through a day.

"MPP Uji Kecil": two agencies, three lines, four counters (one of them a priority counter),
Monday–Friday 07:30–16:00 with a Friday prayer break 11:30–13:00, Christmas as a holiday,
Ramadan special hours, and quotas small enough to run out in a test.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from datetime import timezone as fixed_offset

from server.core.building import (
    TIMEZONE_OFFSETS,
    Agency,
    Building,
    Counter,
    DayHours,
    Holiday,
    Line,
    Officer,
    PolicySettings,
    SpecialHours,
    TimeRange,
    Zone,
)
from server.core.events import Event, PriorityGroup
from server.core.model import (
    CallNext,
    ConfirmPrinted,
    FinishService,
    IssueTicket,
    LogIn,
    OpenCounter,
    StartService,
)
from server.core.queue import QueueState

__all__ = [
    "CHRISTMAS",
    "FRIDAY",
    "MONDAY",
    "RAMADAN_MONDAY",
    "SATURDAY",
    "at",
    "call_next",
    "issue",
    "make_building",
    "new_state",
    "open_counter",
    "replay",
]

MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 27)
SATURDAY = date(2026, 11, 28)
CHRISTMAS = date(2026, 12, 25)  # a Friday
RAMADAN_MONDAY = date(2027, 2, 15)

_WEEKDAY = DayHours(open=time(7, 30), close=time(16, 0))
_FRIDAY = DayHours(
    open=time(7, 30), close=time(16, 0), breaks=(TimeRange(time(11, 30), time(13, 0)),)
)
_RAMADAN = DayHours(open=time(8, 0), close=time(14, 0))
_RAMADAN_FRIDAY = DayHours(
    open=time(8, 0), close=time(14, 0), breaks=(TimeRange(time(11, 30), time(12, 30)),)
)


def make_building(timezone: str = "WIB", **policy: float | int | bool) -> Building:
    """The test building; `timezone` WIB/WITA/WIT, policy knobs overridable by keyword."""
    return Building(
        name="MPP Uji Kecil",
        timezone=timezone,
        weekly=(_WEEKDAY, _WEEKDAY, _WEEKDAY, _WEEKDAY, _FRIDAY, None, None),
        zones=(Zone("1", "Lantai 1"),),
        agencies=(
            Agency("DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "Dukcapil", "1"),
            Agency("IMIGRASI", "Kantor Imigrasi", "Imigrasi", "1"),
        ),
        lines=(
            Line("A", "DUKCAPIL", "Perekaman KTP-el", 10, 5, 2, time(14, 30)),
            Line("B", "DUKCAPIL", "Kartu Keluarga", 12, None, None, time(15, 0)),
            Line("P", "IMIGRASI", "Paspor Baru dan Penggantian", 15, 3, 1, time(13, 0)),
        ),
        counters=(
            Counter("L01", "Loket 1", 1, "1", "DUKCAPIL", ("A",)),
            Counter("L02", "Loket 2", 2, "1", "DUKCAPIL", ("A", "B")),
            Counter("L03", "Loket 3 (Prioritas)", 3, "1", "DUKCAPIL", ("A", "B"), priority=True),
            Counter("L04", "Loket 4", 4, "1", "IMIGRASI", ("P",)),
        ),
        officers=tuple(Officer(f"OF{i}", f"Petugas {i}", "DUKCAPIL", "x") for i in range(1, 6)),
        holidays=(Holiday(CHRISTMAS, "Hari Raya Natal"),),
        special_hours=(
            SpecialHours(
                "Ramadan",
                date(2027, 2, 8),
                date(2027, 3, 9),
                (_RAMADAN, _RAMADAN, _RAMADAN, _RAMADAN, _RAMADAN_FRIDAY, None, None),
            ),
        ),
        policy=replace(PolicySettings(), **policy),  # type: ignore[arg-type]
    )


def at(hhmm: str, day: date = MONDAY, building: Building | None = None) -> datetime:
    """The aware instant of local "HH:MM[:SS]" on `day` in the building's zone (WIB default)."""
    hours = TIMEZONE_OFFSETS[building.timezone] if building is not None else 7
    t = time.fromisoformat(hhmm)
    return datetime.combine(day, t, tzinfo=fixed_offset(timedelta(hours=hours)))


def new_state(**policy: float | int | bool) -> QueueState:
    return QueueState(make_building(**policy))


_tokens = itertools.count(1)


def issue(
    state: QueueState,
    line: str,
    now: datetime,
    priority: PriorityGroup | None = None,
    printed: bool = True,
) -> str:
    """Issue a ticket (and confirm its print unless printed=False); its id."""
    events = state.handle(IssueTicket(line, priority, f"tok{next(_tokens)}", "K1"), now)
    tid = events[-1].ticket  # type: ignore[attr-defined]
    if printed:
        state.handle(ConfirmPrinted(tid), now)
    return tid


def open_counter(state: QueueState, counter: str, officer: str, now: datetime) -> None:
    """Log an officer in at a counter and open it."""
    state.handle(LogIn(counter, officer), now)
    state.handle(OpenCounter(counter), now)


def call_next(state: QueueState, counter: str, now: datetime) -> str:
    """CallNext; the called ticket's id."""
    events = state.handle(CallNext(counter), now)
    return events[-1].ticket  # type: ignore[attr-defined]


def call_next_and_finish(state: QueueState, counter: str, now: datetime) -> str:
    """Finish the counter's active ticket, if any, then call the next one."""
    if state.counters[counter].ticket is not None:
        state.handle(StartService(counter), now)
        state.handle(FinishService(counter), now)
    return call_next(state, counter, now)


def replay(building: Building, events: list[Event]) -> QueueState:
    """A fresh state with `events` applied: what a restart rebuilds."""
    state = QueueState(building)
    for event in events:
        state.apply(event)
    return state
