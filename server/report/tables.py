"""The report's CSV tables: their columns, and the rows of the figures and of the journal.

docs/reports.md documents every column. Figures come from `server.report.stats` (pure); this
module only shapes them: seconds rounded, instants in the building's local time.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from server.core.building import Building
from server.report.booking_stats import BookingDay, first_call_vs_slot
from server.report.closure_stats import Closure
from server.report.skm_tables import _typed
from server.report.stats import GroupStats, LineTargets, TicketRecord
from server.report.visit_stats import ItineraryRecord, since_previous_stop_s

__all__ = [
    "BOOKING_COLUMNS",
    "CLOSURE_COLUMNS",
    "GROUP_COLUMNS",
    "HALF_HOUR_COLUMNS",
    "JOURNAL_COLUMNS",
    "VISIT_COLUMNS",
    "booking_rows",
    "closure_rows",
    "group_rows",
    "journal_rows",
    "targets_of",
    "visit_rows",
    "write_csv",
]

GROUP_COLUMNS = (
    "scope",
    "key",
    "name",
    "agency",
    "from",
    "to",
    "issued",
    "print_failed",
    "called",
    "recalls",
    "served",
    "no_show",
    "cancelled",
    "expired",
    "transferred_out",
    "transferred_in",
    "waits",
    "wait_mean_s",
    "wait_median_s",
    "wait_p90_s",
    "wait_max_s",
    "target_wait_s",
    "waits_within_target_pct",
    "services",
    "service_mean_s",
    "service_median_s",
    "service_p90_s",
    "service_max_s",
    "target_service_s",
    "services_within_target_pct",
    # Online booking (issue 19), lines and agencies only: the range's sums of bookings.csv.
    "places_offered",
    "booked",
    "booking_checked_in",
    "booking_lapsed",
    "booking_cancelled",
    "booking_rescheduled",
    "places_released",
    "tickets_booked",
    "tickets_walk_in",
    "booked_pct",
    "booked_calls",
    "call_vs_slot_median_s",
    "call_vs_slot_p90_s",
    # Issue 22's later addition, last so that readers by column position keep working.
    "booking_not_reached",
)
# One row per line per day: the line's bookings of the day and its tickets, booked or walk-in.
BOOKING_COLUMNS = (
    "day",
    "line",
    "name",
    "agency",
    "places_offered",
    "booked",
    "checked_in",
    "lapsed",
    "cancelled",
    "awaiting_check_in",
    "rescheduled",
    "places_released",
    "tickets_booked",
    "tickets_walk_in",
    "booked_pct",
    "booked_calls",
    "call_vs_slot_median_s",
    "call_vs_slot_p90_s",
    "not_reached",  # issue 22's later addition, last: readers by position keep working
)
_BOOKING_GROUP_COLUMNS = GROUP_COLUMNS[GROUP_COLUMNS.index("places_offered") :]
HALF_HOUR_COLUMNS = ("day", "slot", "line", "agency", "arrivals", "calls")
JOURNAL_COLUMNS = (
    "day",
    "ticket",
    "number",
    "line_issued",
    "line",
    "agency",
    "priority",
    "kiosk",
    "state",
    "issued_at",
    "printed_at",
    "print_failed_at",
    "print_failed_reason",
    "reprints",
    "first_called_at",
    "calls",
    "call_log",
    "started_at",
    "finished_at",
    "counter",
    "officer",
    "no_show_at",
    "reactivated",
    "transfers",
    "cancelled_at",
    "cancel_reason",
    "cancelled_by",
    "expired_at",
    "expired_reason",
    "wait_s",
    "service_s",
    "booking",
    "slot",
    "call_vs_slot_s",
    # One visit, several stops (issue 22): empty for a ticket of its own.
    "visit",
    "stop",
    "since_previous_stop_min",
)
# visits.csv: one row per visit with several stops, by day, then visit id.
VISIT_COLUMNS = (
    "visit",
    "day",
    "stops_planned",
    "stops_done",
    "stops_skipped",
    "stops_added",
    "first_issued_at",
    "last_finished_at",
    "total_min",
    "hand_ons",
    "lines",
)

# closures.csv (issue 23): one row per closure request, or closure without one, in service hours.
CLOSURE_COLUMNS = (
    "day",
    "counter",
    "counter_name",
    "agency",
    "officer",
    "requested_at",
    "reason",
    "outcome",
    "decided_at",
    "decided_by",
    "note",
    "closed_at",
    "minutes_left",
)


def targets_of(building: Any, target_wait_min: float) -> dict[str, LineTargets]:
    """Each line's agency, name and targets, from a `Building`."""
    return {
        ln.prefix: LineTargets(
            agency=ln.agency,
            name=ln.name,
            target_service_s=ln.target_service_min * 60.0,
            target_wait_s=target_wait_min * 60.0,
        )
        for ln in building.lines
    }


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


def _r(value: float | None, digits: int = 1) -> float | str:
    return "" if value is None else round(value, digits)


def _booking_figures(b: BookingDay | None) -> dict[str, Any]:
    """The booking columns of a line's or an agency's row; empty cells for a counter, an
    officer, or a key with neither bookings nor tickets."""
    if b is None:
        return dict.fromkeys(_BOOKING_GROUP_COLUMNS, "")
    share = b.booked_share
    median, p90 = b.call_vs_slot_stats()
    return {
        "places_offered": "" if b.places is None else b.places,
        "booked": b.booked,
        "booking_checked_in": b.checked_in,
        "booking_lapsed": b.lapsed,
        "booking_not_reached": b.not_reached,
        "booking_cancelled": b.cancelled,
        "booking_rescheduled": b.rescheduled,
        "places_released": b.released,
        "tickets_booked": b.tickets_booked,
        "tickets_walk_in": b.tickets_walk_in,
        "booked_pct": _r(None if share is None else share * 100),
        "booked_calls": len(b.call_vs_slot),
        "call_vs_slot_median_s": _r(median),
        "call_vs_slot_p90_s": _r(p90),
    }


def group_rows(
    groups: Mapping[str, GroupStats],
    targets: Mapping[str, LineTargets],
    names: Mapping[str, str],
    first: date,
    last: date,
    bookings: Mapping[str, BookingDay] | None = None,
) -> list[dict[str, Any]]:
    """CSV rows (GROUP_COLUMNS) of one scope, sorted by key; `bookings`: the booking figures
    of its keys over the range (`booking_stats.totals`), for lines and agencies."""
    rows = []
    bookings = bookings or {}
    for key in sorted(groups):
        g = groups[key]
        line = targets.get(key) if g.scope == "line" else None
        waits, services = g.stats("waits"), g.stats("services")
        share_w, share_s = g.share("waits"), g.share("services")
        rows.append(
            {
                "scope": g.scope,
                "key": key,
                "name": names.get(f"{g.scope}:{key}", line.name if line else ""),
                # A shared desk has no one agency in the building file: those it worked for.
                "agency": line.agency
                if line
                else names.get(f"{g.scope}-agency:{key}") or "/".join(sorted(g.agencies)),
                "from": first.isoformat(),
                "to": last.isoformat(),
                "issued": g.issued,
                "print_failed": g.print_failed,
                "called": g.called,
                "recalls": g.recalls,
                "served": g.served,
                "no_show": g.no_show,
                "cancelled": g.cancelled,
                "expired": g.expired,
                "transferred_out": g.transferred_out,
                "transferred_in": g.transferred_in,
                "waits": len(g.waits),
                "wait_mean_s": _r(waits["mean"]),
                "wait_median_s": _r(waits["median"]),
                "wait_p90_s": _r(waits["p90"]),
                "wait_max_s": _r(waits["max"]),
                "target_wait_s": _r(line.target_wait_s) if line else "",
                "waits_within_target_pct": _r(None if share_w is None else share_w * 100),
                "services": len(g.services),
                "service_mean_s": _r(services["mean"]),
                "service_median_s": _r(services["median"]),
                "service_p90_s": _r(services["p90"]),
                "service_max_s": _r(services["max"]),
                "target_service_s": _r(line.target_service_s) if line else "",
                "services_within_target_pct": _r(None if share_s is None else share_s * 100),
                **_booking_figures(bookings.get(key)),
            }
        )
    return rows


def booking_rows(
    table: Mapping[tuple[str, date], BookingDay], targets: Mapping[str, LineTargets]
) -> list[dict[str, Any]]:
    """bookings.csv: a row per line and day (by day, then line) of a line that offered or had
    bookings that day; a line that takes none and had none is left out."""
    rows = []
    for (line, day), b in sorted(table.items(), key=lambda item: (item[0][1], item[0][0])):
        if b.places is None and not b.booked and not b.tickets_booked:
            continue
        share = b.booked_share
        median, p90 = b.call_vs_slot_stats()
        known = targets.get(line)
        rows.append(
            {
                "day": day.isoformat(),
                "line": line,
                "name": known.name if known else "",
                "agency": known.agency if known else "",
                "places_offered": "" if b.places is None else b.places,
                "booked": b.booked,
                "checked_in": b.checked_in,
                "lapsed": b.lapsed,
                "not_reached": b.not_reached,
                "cancelled": b.cancelled,
                "awaiting_check_in": b.awaiting_check_in,
                "rescheduled": b.rescheduled,
                "places_released": b.released,
                "tickets_booked": b.tickets_booked,
                "tickets_walk_in": b.tickets_walk_in,
                "booked_pct": _r(None if share is None else share * 100),
                "booked_calls": len(b.call_vs_slot),
                "call_vs_slot_median_s": _r(median),
                "call_vs_slot_p90_s": _r(p90),
            }
        )
    return rows


def _ts(value: datetime | None, tz: tzinfo) -> str:
    return value.astimezone(tz).isoformat() if value is not None else ""


def _hms(value: datetime, tz: tzinfo) -> str:
    return value.astimezone(tz).strftime("%H:%M:%S")


def journal_rows(
    tickets: Mapping[str, TicketRecord],
    targets: Mapping[str, LineTargets],
    tz: tzinfo,
    visits: Mapping[str, ItineraryRecord] | None = None,
) -> list[dict[str, Any]]:
    """The audit trail of one day: a row per ticket, every instant, the reason of each call;
    `visits`: the day's visits (`visit_stats.replay_visits`), for the time between stops."""
    rows = []
    visits = visits or {}
    for t in tickets.values():
        calls = "; ".join(
            f"{_hms(c.at, tz)} {c.counter} {c.officer or '-'} {c.reason}"
            + (f" ({c.note})" if c.note else "")
            for c in t.calls
        )
        transfers = "; ".join(
            f"{_hms(at, tz)} {src}>{dst} {counter}" for at, src, dst, counter in t.transfers
        )
        reactivated = "; ".join(f"{_hms(at, tz)} {actor}" for at, actor in t.reactivated)
        first_call = next((c.at for c in t.calls if c.reason != "recall"), None)
        rows.append(
            {
                "day": t.day,
                "ticket": t.id,
                "number": t.number,
                "line_issued": t.first_line,
                "line": t.line,
                "agency": targets[t.line].agency if t.line in targets else "",
                "priority": t.priority or "",
                "kiosk": t.kiosk or "",
                "state": t.state,
                "issued_at": _ts(t.issued_at, tz),
                "printed_at": _ts(t.printed_at, tz),
                "print_failed_at": _ts(t.print_failed_at, tz),
                "print_failed_reason": t.print_failed_reason or "",
                "reprints": "; ".join(f"{_hms(at, tz)} {kiosk}" for at, kiosk in t.reprints),
                "first_called_at": _ts(first_call, tz),
                "calls": len(t.calls),
                "call_log": calls,
                "started_at": _ts(t.services[-1].start if t.services else t.started_at, tz),
                "finished_at": _ts(t.finished_at, tz),
                "counter": t.counter or "",
                "officer": t.officer or "",
                "no_show_at": "; ".join(_ts(at, tz) for at in t.no_show_at),
                "reactivated": reactivated,
                "transfers": transfers,
                "cancelled_at": _ts(t.cancelled_at, tz),
                "cancel_reason": t.cancel_reason or "",
                "cancelled_by": t.cancelled_by or "",
                "expired_at": _ts(t.expired_at, tz),
                "expired_reason": t.expired_reason or "",
                "wait_s": _r(sum(p.seconds for p in t.waits)) if t.waits else "",
                "service_s": _r(sum(p.seconds for p in t.services)) if t.services else "",
                "booking": t.booking or "",
                "slot": t.slot.astimezone(tz).strftime("%H:%M") if t.slot is not None else "",
                "call_vs_slot_s": _r(first_call_vs_slot(t)),
                "visit": t.visit or "",
                "stop": "" if t.stop is None else t.stop + 1,
                "since_previous_stop_min": _minutes(
                    since_previous_stop_s(t, visits.get(t.visit or ""), tickets)
                ),
            }
        )
    return rows


def _minutes(seconds: float | None) -> float | str:
    return "" if seconds is None else round(seconds / 60.0, 1)


def visit_rows(
    visits: Mapping[str, ItineraryRecord], tickets: Mapping[str, TicketRecord], tz: tzinfo
) -> list[dict[str, Any]]:
    """visits.csv's rows of one day, in the order the visits started."""
    rows = []
    for v in visits.values():
        rows.append(
            {
                "visit": v.id,
                "day": v.day,
                "stops_planned": v.planned,
                "stops_done": v.done(tickets),
                "stops_skipped": v.skipped,
                "stops_added": v.added,
                "first_issued_at": _ts(v.first_issued_at(tickets), tz),
                "last_finished_at": _ts(v.last_finished_at(tickets), tz),
                "total_min": _minutes(v.total_s(tickets)),
                "hand_ons": len(v.hand_ons),
                "lines": " > ".join(s.line for s in v.stops),
            }
        )
    return rows


def closure_rows(closures: Sequence[Closure], building: Building) -> list[dict[str, Any]]:
    """closures.csv's rows of one day (`closure_stats.day_closures`), named by `building`: the
    counter's name, and its agency that day (a desk shared by agencies is that day's)."""
    tz = building.tz
    rows = []
    for c in closures:
        counter = building.counter(c.counter)
        desk = building.counters_on(date.fromisoformat(c.day)).get(c.counter) or counter
        rows.append(
            {
                "day": c.day,
                "counter": c.counter,
                "counter_name": counter.name if counter is not None else "",
                "agency": desk.agency if desk is not None else "",
                "officer": c.officer or "",
                "requested_at": _ts(c.requested_at, tz),
                # Typed by an officer or a manager: never read as a formula (as complaints.csv).
                "reason": _typed(c.reason),
                "outcome": c.outcome,
                "decided_at": _ts(c.decided_at, tz),
                "decided_by": c.decided_by or "",
                "note": _typed(c.note),
                "closed_at": _ts(c.closed_at, tz),
                "minutes_left": "" if c.minutes_left is None else c.minutes_left,
            }
        )
    return rows


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    # utf-8-sig: a spreadsheet on the office PC opens it with the right characters.
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
