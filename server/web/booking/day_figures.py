"""A service day's figures for `/api/v1/figures` (issue 21), by `antre report`'s definitions.

The figures are not computed again here: the day's log is read from the store through the
same read-only `StoreReader.day_log` that `antre report` reads, and folded by the same
`replay_tickets` and `summarize` (server/report/stats.py) against the same targets
(`targets_of`, the wait target `antre report`'s default, 30 minutes): an integrator's numbers
and the building's report of the same day are one computation. docs/reports.md "How each
figure is defined" is the definition of every field; the field names are the report's CSV
columns (lines.csv), seconds rounded to one decimal as there.

The building's row folds the lines' rows: every ticket is issued on one line and every waiting
or service period is filed under one line, so the building's counts are the lines' sums and
its waits and services the lines' together (its median and p90 over all of them).

The work runs on a thread with its own read-only connection (measured: a simulated day of 88
tickets, 494 events, reads in 3 ms and folds in 7 ms; linear in the events, so a 4,000-ticket
day is about half a second, an estimate not measured), never on the event loop, one day at a
time (a lock), and its answer is kept per day and log position: today's is read again only
once the log has moved, a past day's not at all (a closed day's log does not change).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Final

from server.core.building import Building
from server.report.cli import DEFAULT_TARGET_WAIT_MIN
from server.report.stats import GroupStats, LineTargets, replay_tickets, summarize
from server.report.tables import targets_of
from server.store import LogEntry, StoreReader

__all__ = ["DayFigures", "UnknownLine", "figures_of"]

_KEEP_DAYS: Final = 16  # days of answers kept (a portal walking back through a fortnight)


class UnknownLine(Exception):
    """The line asked for is not the building's and has no figures that day."""


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _row(g: GroupStats, target: LineTargets | None) -> dict[str, Any]:
    """A line's (or the building's) figures, the report's columns, its rounding and its
    statistics (`GroupStats.stats`, `GroupStats.share`)."""
    waits, services = g.stats("waits"), g.stats("services")
    share_w, share_s = g.share("waits"), g.share("services")
    return {
        "issued": g.issued,
        "called": g.called,
        "served": g.served,
        "no_show": g.no_show,
        "cancelled": g.cancelled,
        "expired": g.expired,
        "transferred_out": g.transferred_out,
        "transferred_in": g.transferred_in,
        "waits": len(g.waits),
        **{f"wait_{k}_s": _r(v) for k, v in waits.items()},
        "target_wait_s": _r(target.target_wait_s) if target else None,
        "waits_within_target_pct": _r(None if share_w is None else share_w * 100),
        "services": len(g.services),
        **{f"service_{k}_s": _r(v) for k, v in services.items()},
        "target_service_s": _r(target.target_service_s) if target else None,
        "services_within_target_pct": _r(None if share_s is None else share_s * 100),
    }


def _building_row(lines: Mapping[str, GroupStats], wait_target_s: float) -> dict[str, Any]:
    total = GroupStats("building", "")
    for g in lines.values():
        for name in ("issued", "called", "served", "no_show", "cancelled", "expired"):
            setattr(total, name, getattr(total, name) + getattr(g, name))
        total.waits += g.waits
        total.services += g.services
        total.waits_within += g.waits_within
        total.waits_with_target += g.waits_with_target
        total.services_within += g.services_within
        total.services_with_target += g.services_with_target
    row = _row(total, None)
    # Transfers move tickets within the building; each line has its own service standard.
    del row["transferred_out"], row["transferred_in"]
    row["target_wait_s"] = _r(wait_target_s)
    return row


def figures_of(building: Building, day: date, entries: list[LogEntry]) -> dict[str, Any]:
    """The answer of `/api/v1/figures` for one day's log entries (pure): per line, in the
    building file's order (then any line of the log the file no longer has), and the building."""
    targets = targets_of(building, DEFAULT_TARGET_WAIT_MIN)
    groups = summarize([replay_tickets(entries)], targets)["line"]
    keys = [ln.prefix for ln in building.lines]
    keys += sorted(set(groups) - set(keys))
    rows = []
    for key in keys:
        target = targets.get(key)
        ln = building.line(key)
        agency = building.agency(ln.agency) if ln else None
        rows.append(
            {
                "line": key,
                "name": ln.name if ln else None,
                "agency": agency.short_name if agency else None,
                **_row(groups.get(key) or GroupStats("line", key), target),
            }
        )
    return {
        "date": day.isoformat(),
        "zone": building.zone_label,
        "lines": rows,
        "building": _building_row(groups, DEFAULT_TARGET_WAIT_MIN * 60.0),
    }


class DayFigures:
    """`figures_of` a day, read from the store's file on a thread; answers kept per log position."""

    def __init__(self, building: Building, db_path: str | Path, last_seq: Callable[[], int]):
        self.building = building
        self.db_path = Path(db_path)
        self.last_seq = last_seq  # the engine's newest committed sequence number
        # day -> (log position read at, whether the day was over then, the answer for all lines)
        self._kept: OrderedDict[date, tuple[int, bool, dict[str, Any]]] = OrderedDict()
        self._lock = asyncio.Lock()  # one day's read at a time: a burst of portals waits for one

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): answer with the new building from now on."""
        self.building = building

    async def of(self, day: date, today: date, line: str | None = None) -> dict[str, Any]:
        """The figures of `day` (UnknownLine for a `line` the day and the building do not have)."""
        answer = self._fresh(day)
        if answer is None:
            async with self._lock:
                answer = self._fresh(day)  # another request may have read it meanwhile
                if answer is None:
                    seq = self.last_seq()
                    answer = await asyncio.to_thread(self._read, day)
                    self._kept[day] = (seq, day < today, answer)
                    while len(self._kept) > _KEEP_DAYS:
                        self._kept.popitem(last=False)
        if line is None:
            return answer
        lines = [row for row in answer["lines"] if row["line"] == line]
        if not lines:
            raise UnknownLine(line)
        return answer | {"lines": lines}

    def _fresh(self, day: date) -> dict[str, Any] | None:
        kept = self._kept.get(day)
        if kept is None:
            return None
        seq, over, answer = kept
        if over or seq == self.last_seq():
            self._kept.move_to_end(day)
            return answer
        return None

    def _read(self, day: date) -> dict[str, Any]:
        with StoreReader.open(self.db_path) as store:
            entries = store.day_log(day.isoformat())
        return figures_of(self.building, day, entries)
