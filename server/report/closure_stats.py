"""The day's counter closures during service hours (issue 23: closures.csv): pure, no disk.

DOMAIN.md §5: the national evaluation asks whether service runs without a break in service
hours. A counter closed while its lines still serve is what a manager must account for, so the
report lists, one row each, every closure *request* (approved, refused, withdrawn, or never
decided) and every closure *without* a request (a manager's `close_counter`, or an officer's
own when `[policy] closure_approval` is off), as long as it falls in the counter's service hours.

`day_closures` walks one service day's log (sequence order) with the typed events:

- `closure_requested` opens a request; `closure_withdrawn` ends it (`ditarik`); a refusing
  `closure_decided` ends it (`ditolak`); an approving one marks it `disetujui` and the request
  waits for its `counter_closed` (at once on an idle counter, when the service ends on a busy
  one), whose instant is the row's `closed_at`;
- a request still pending when its counter closes (the officer closed it themselves, which the
  rule allows when it is off or outside service hours) stays `tidak diputuskan`, with the
  closing instant; one the day's end (actor `system`) or the end of the log leaves pending has
  no `closed_at`;
- a `counter_closed` of an open or paused counter with no request standing, by a manager
  (`ditutup pengelola`) or an officer (`ditutup petugas`), is a closure without a request. The
  system's own closures (the day's end, a counter the building no longer has) are not
  anyone's decision and are not listed.

A request is listed when it was made in the counter's service hours, or when the closure it led
to fell in them (asked before opening, closed after); a closure without a request when it fell
in them. `minutes_left` is the service time the counter gave up: from the closure to the end of
its service hours that day (none when it closed at or after that end). What "service hours"
are is the core's (`server.core.closures`: the rule `closure_approval` applies is the same).

Each closure is judged by the building the server served at its instant (the rule judged it so):
the caller gives the live building at the day's start (`with_edits`: the file's plus the live
edits logged before), and the walk applies each `building_edited` of the day as it meets it, the
edits of one request together (`edit_groups`, server/config/edits.py: each alone may not make a
valid building). A live special-hours period that ends today's service at 12:00 makes a closure
at 13:00 free and a closure at 11:00 cost 60 minutes; a counter added live has hours from its
edit on. An edit the file no longer takes (a report given another file than the server's) is
skipped with a log line: its day is judged without it. Edits at or before `history` (the seq a
`--take-file` start dropped through, or a start found in the file) are not applied: the file
stands for them, as it does in the server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from server.config.edits import Edit, EditRefused, apply_edits, edit_groups
from server.core.building import Building
from server.core.closures import in_service_hours, service_minutes_left
from server.core.events import (
    ClosureDecided,
    ClosureRequested,
    ClosureWithdrawn,
    CounterClosed,
    CounterOpened,
    CounterPaused,
    CounterResumed,
    DayClosed,
    OfficerLoggedIn,
    OfficerLoggedOut,
    read_event,
)
from server.store import LogEntry

__all__ = [
    "APPROVED",
    "BY_MANAGER",
    "BY_OFFICER",
    "OUTCOMES",
    "REFUSED",
    "UNDECIDED",
    "WITHDRAWN",
    "Closure",
    "ClosureDay",
    "day_closures",
    "with_edits",
]

logger = logging.getLogger(__name__)

EDITED = "building_edited"

# The outcomes, as closures.csv writes them (docs/reports.md).
APPROVED = "disetujui"
REFUSED = "ditolak"
WITHDRAWN = "ditarik"
UNDECIDED = "tidak diputuskan"
BY_MANAGER = "ditutup pengelola"
BY_OFFICER = "ditutup petugas"
OUTCOMES = (APPROVED, REFUSED, WITHDRAWN, UNDECIDED, BY_MANAGER, BY_OFFICER)


@dataclass(slots=True)
class Closure:
    """One row of closures.csv: a request and what became of it, or a closure without one."""

    day: str
    counter: str
    officer: str | None  # the requester; for a closure without request, who sat there
    outcome: str
    requested_at: datetime | None = None
    reason: str | None = None
    decided_at: datetime | None = None  # approved/refused; withdrawn; a manager's own closure
    decided_by: str | None = None  # the manager's id (the officer's for a withdrawal)
    note: str | None = None
    closed_at: datetime | None = None
    minutes_left: float | None = None  # of service hours, from closed_at; None: not closed


def _who(actor: str) -> tuple[str, str]:
    """("manager", "LANTAI") of "manager:LANTAI", ("officer", "DKP01") of "officer:DKP01@L05"."""
    role, _, rest = actor.partition(":")
    return role, rest.split("@", 1)[0]


class ClosureDay(NamedTuple):
    """`day_closures`' answer: the day's rows, and the live building at its end (the next
    day's start; what names the day's counters)."""

    closures: list[Closure]
    building: Building


def _edit_groups(entries: Iterable[LogEntry], history: int) -> list[list[LogEntry]]:
    """The live `building_edited` entries (after `history`), grouped as they were made."""
    return edit_groups(e for e in entries if e.event.get("kind") == EDITED and e.seq > history)


def _applied(building: Building, group: Sequence[LogEntry]) -> Building:
    """The building with one request's edits made; unchanged, with a log line, when the
    building (the report's file) no longer takes them."""
    made = [Edit(e.event["target"], e.event.get("before"), e.event.get("after")) for e in group]
    try:
        return apply_edits(building, made)
    except EditRefused as exc:
        first = group[0].event
        logger.warning(
            "closures.csv: the building edit of seq %d (version %s, %s by %s at %s) no longer "
            "applies to the building file (%s): the hours are judged without it",
            group[0].seq, first.get("version"), first.get("target"), first.get("by"),
            first.get("at"), exc.code,
        )  # fmt: skip
        return building


def with_edits(building: Building, entries: Iterable[LogEntry], history: int = 0) -> Building:
    """The live building after the `building_edited` among `entries` (sequence order), made on
    `building` (the file's): the report's first day's start. `history` as `day_closures`'."""
    for group in _edit_groups(entries, history):
        building = _applied(building, group)
    return building


def day_closures(entries: Iterable[LogEntry], building: Building, history: int = 0) -> ClosureDay:
    """One service day's log (sequence order) → its closures in service hours, in the order
    each began (the request, or the closure without one), each judged by the live building of
    its instant: `building` at the day's start (`with_edits`), then the day's live edits as the
    walk meets them. `history`: the seq through which the log's edits are history (the
    store's `edits_dropped_through`; 0: every edit is live)."""
    entries = list(entries)
    # Each request's edits take effect together, at the last of them.
    group_at = {group[-1].seq: group for group in _edit_groups(entries, history)}
    rows: list[tuple[Closure, bool]] = []  # every request and closure, and whether it is listed
    standing: dict[str, tuple[Closure, int]] = {}  # counter → its open request and its index
    officer_at: dict[str, str | None] = {}
    open_counters: set[str] = set()  # open or paused

    def end(counter: str, closed_at: datetime | None) -> None:
        closure, index = standing.pop(counter)
        closure.closed_at = closed_at
        if closed_at is not None:
            closure.minutes_left = _minutes_left(building, counter, closed_at)
            listed = rows[index][1] or _in_service(building, counter, closed_at)
            rows[index] = (closure, listed)

    for entry in entries:
        if entry.seq in group_at:
            building = _applied(building, group_at[entry.seq])
            continue
        event = read_event(entry.event)
        match event:
            case OfficerLoggedIn(counter=counter, officer=officer):
                officer_at[counter] = officer
            case OfficerLoggedOut(counter=counter):
                officer_at[counter] = None
                if counter in standing:  # dropped without a closure: it stands as it was
                    end(counter, None)
            case CounterOpened(counter=counter) | CounterResumed(counter=counter):
                open_counters.add(counter)
            case CounterPaused(counter=counter):
                open_counters.add(counter)
            case ClosureRequested(at=at, counter=counter, officer=officer, reason=reason):
                if counter in standing:  # the server refuses a second one; never two rows
                    end(counter, None)
                closure = Closure(_day(building, at), counter, officer, UNDECIDED, at, reason)
                standing[counter] = (closure, len(rows))
                rows.append((closure, _in_service(building, counter, at)))
            case ClosureWithdrawn(at=at, counter=counter, officer=officer):
                if counter in standing:
                    closure = standing[counter][0]
                    closure.outcome, closure.decided_at, closure.decided_by = WITHDRAWN, at, officer
                    end(counter, None)
            case ClosureDecided(at=at, counter=counter, approved=approved, by=by, note=note):
                if counter in standing:
                    closure = standing[counter][0]
                    closure.decided_at, closure.decided_by, closure.note = at, by, note
                    closure.outcome = APPROVED if approved else REFUSED
                    if not approved:
                        end(counter, None)
            case CounterClosed(at=at, counter=counter):
                was_open = counter in open_counters
                open_counters.discard(counter)
                role, who = _who(entry.actor)
                if counter in standing:
                    closure = standing[counter][0]
                    # An undecided request the day's end closed led to no closure of anyone's.
                    mine = closure.outcome == APPROVED or role != "system"
                    end(counter, at if mine else None)
                elif was_open and role in ("manager", "officer"):
                    closure = Closure(
                        _day(building, at),
                        counter,
                        officer_at.get(counter),
                        BY_MANAGER if role == "manager" else BY_OFFICER,
                        closed_at=at,
                        minutes_left=_minutes_left(building, counter, at),
                    )
                    if role == "manager":
                        closure.decided_at, closure.decided_by = at, who
                    rows.append((closure, _in_service(building, counter, at)))
            case DayClosed():
                for counter in list(standing):
                    end(counter, None)
    return ClosureDay([closure for closure, listed in rows if listed], building)


def _day(building: Building, at: datetime) -> str:
    return building.service_day(at).isoformat()


def _in_service(building: Building, counter: str, at: datetime) -> bool:
    """In the counter's service hours (the core's rule, the one `closure_approval` applies); a
    counter the building does not have (then) has no hours to judge by: never."""
    desk = building.counter(counter)
    return desk is not None and in_service_hours(building, desk, building.local(at))


def _minutes_left(building: Building, counter: str, at: datetime) -> float | None:
    desk = building.counter(counter)
    if desk is None:
        return None
    left = service_minutes_left(building, desk, building.local(at))
    return None if left is None else round(left, 1)
