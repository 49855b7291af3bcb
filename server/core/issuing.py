"""Whether a new ticket may be issued on a line now: hours, breaks, holidays, cutoff, quotas.

Theory of operation: `issue_refusal` answers for the kiosk (and `LineView`) without raising;
`QueueState.handle(IssueTicket)` raises the refusal it returns. The checks run from the most
general to the most specific, so the citizen reads the reason that matters most:

1. no service today: a holiday ("Hari ini libur: Hari Raya Natal") or a closed weekday; then a
   part-week line on a weekday it does not serve ("Hari ini tidak melayani — buka Senin–Kamis");
2. before opening ("Layanan dibuka pukul 07.30 WIB": every time names the building's zone) or
   after closing — the line's own hours when it has them, inside the building's
   (server/core/part_week.py);
3. after the line's cutoff — from the cutoff minute on, like every end time here (half-open);
4. during a break (Friday prayer): the message says when it reopens, or that it does not reopen
   today when the break runs into the cutoff or the closing time;
5. the quota.

Decisions (recorded here because the kiosk relies on them):
- A ticket is issued even when no counter serving the line is open: doors open before counters
  do. `LineView.counters_open` lets the kiosk say so.
- Quotas count every ticket issued today that is not released. A printing reservation counts
  (a jammed printer cannot oversell) and is released when its print fails or it expires unprinted.
  A cancelled, expired, or no-show ticket that was printed is not released: the number was used.
- A ticket checked in from an online booking (issue 19) counts against no quota: its place was
  the booking's. Unused booking places join the walk-in quota when the line releases them
  (`released`: server/core/booking_decide.py), so the walk-in quota of a day is the configured
  one plus what was released.
- A priority ticket (UU 25/2009) counts against the line's priority quota. When that is gone it
  falls back to the walk-in quota, still marked priority: refusing an elderly citizen a ticket a
  walk-in citizen could still get would turn a protection into a penalty. Only when both are gone
  is it refused. A quota of `None` means no cap for that bucket.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum

from server.core.building import Line
from server.core.calendar import DayPlan, reopens_at
from server.core.dates import format_clock
from server.core.errors import error
from server.core.events import PriorityGroup
from server.core.model import DomainError
from server.core.part_week import line_hours, off_day_refusal

__all__ = [
    "QuotaBucket",
    "hours_refusal",
    "issue_refusal",
    "quota_bucket",
    "quota_left",
    "walk_in_quota",
]


class QuotaBucket(StrEnum):
    """Which daily quota a ticket counts against."""

    WALK_IN = "walk_in"
    PRIORITY = "priority"
    BOOKING = "booking"  # checked in from a booking: the booking's place, no quota


def walk_in_quota(line: Line, released: int = 0) -> int | None:
    """Today's walk-in quota: the configured one plus the booking places released to it."""
    return None if line.quota_walk_in is None else line.quota_walk_in + released


def quota_bucket(
    line: Line,
    priority: PriorityGroup | None,
    used_walk_in: int,
    used_priority: int,
    released: int = 0,
) -> QuotaBucket | None:
    """The quota a new ticket would count against, or None when it would exceed every quota.

    `released`: the booking places of today the line has given to walk-in citizens.
    """
    if priority is not None and (
        line.quota_priority is None or used_priority < line.quota_priority
    ):
        return QuotaBucket.PRIORITY
    walk_in = walk_in_quota(line, released)
    if walk_in is None or used_walk_in < walk_in:
        return QuotaBucket.WALK_IN
    return None


def quota_left(quota: int | None, used: int) -> int | None:
    """What is left of a quota (never negative); None for no cap."""
    return None if quota is None else max(0, quota - used)


def hours_refusal(plan: DayPlan, line: Line, t: time) -> DomainError | None:
    """Why no ticket may be issued on `line` at local time `t` of the plan's day, by the clock."""
    hours = plan.hours
    if hours is None:
        if plan.holiday is not None:
            return error("holiday", name=plan.holiday.name)
        return error("closed_day")
    off_day = off_day_refusal(plan, line)
    if off_day is not None:
        return off_day
    hours = line_hours(hours, line)
    if hours is None:  # special hours that end before the line's own hours begin
        return error("closed_day")
    if t < hours.open:
        return error("not_open_yet", time=format_clock(hours.open), zone=plan.zone)
    if t >= hours.close:
        return error("closed_hours", time=format_clock(hours.close), zone=plan.zone)
    cutoff = line.cutoff
    if cutoff is not None and t >= cutoff:
        return error("after_cutoff", time=format_clock(cutoff), zone=plan.zone)
    if hours.breaks:
        resume = reopens_at(hours, t)
        if resume != t:
            if resume >= hours.close or (cutoff is not None and resume >= cutoff):
                return error("no_more_today")
            return error("on_break", time=format_clock(resume), zone=plan.zone)
    return None


def issue_refusal(
    plan: DayPlan,
    line: Line,
    priority: PriorityGroup | None,
    t: time,
    used_walk_in: int,
    used_priority: int,
    released: int = 0,
) -> DomainError | None:
    """Why a ticket may not be issued now (hours first, then quota), or None when it may."""
    refusal = hours_refusal(plan, line, t)
    if refusal is not None:
        return refusal
    if quota_bucket(line, priority, used_walk_in, used_priority, released) is None:
        return error("quota_exhausted", line=line.name)
    return None
