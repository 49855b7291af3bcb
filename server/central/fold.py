"""Central's fold: a building's events, in sequence order, into ticket records and line shares.

Pure: no database. The ingest (server/central/ingest.py) loads the records and logins the events
touch, runs `Fold.apply` on each newly contiguous event, and writes back what changed.

The figures must equal `antre report`'s, so the fold IS the report's: a ticket's record is
`server.report.stats.TicketRecord`, begun by `replay_tickets` on its `ticket_issued` and moved by
the same `_file` the report's replay calls for every later event; a ticket's share of each line's
figures is `summarize` over that one ticket (every line figure is a count, or a list of waits or
service times, so the shares of a day's tickets add up to the day's figures exactly). The
report replays one service day at a time, from nobody logged in, and a ticket exists only in
its own day's replay: so here an officer's login is kept per day, and an event filed under
another day than its ticket's is not filed into it (the report would not see it either).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from server.central.batch import FOLDED_KINDS, event_dict
from server.core.events import OfficerLoggedIn, OfficerLoggedOut, TicketIssued, read_event
from server.report.stats import (
    Call,
    GroupStats,
    LineTargets,
    Period,
    TicketRecord,
    _file,  # the report's one way to move a record by an event: shared, not copied
    replay_tickets,
    summarize,
)
from server.store import LogEntry

__all__ = [
    "COUNT_FIELDS",
    "Fold",
    "StoredEvent",
    "line_figures",
    "line_shares",
    "record_from_json",
    "record_to_json",
]

# The counted figures of a line, as `GroupStats` names them (and ticket_lines' columns).
COUNT_FIELDS = (
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
)
_INSTANTS = (
    "issued_at",
    "printed_at",
    "print_failed_at",
    "started_at",
    "finished_at",
    "cancelled_at",
    "expired_at",
    "slot",
)
_PLAIN = (
    "id",
    "day",
    "number",
    "first_line",
    "line",
    "priority",
    "kiosk",
    "state",
    "print_failed_reason",
    "counter",
    "officer",
    "cancel_reason",
    "cancelled_by",
    "expired_reason",
    "booking",
)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as central stores it."""

    seq: int
    type: str
    at: datetime
    day: date
    actor: str
    data: Mapping[str, Any]


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def record_to_json(t: TicketRecord) -> dict[str, Any]:
    """A ticket's record as JSON (`tickets.record`); `record_from_json` reads it back equal."""
    out: dict[str, Any] = {name: getattr(t, name) for name in _PLAIN}
    out |= {name: _iso(getattr(t, name)) for name in _INSTANTS}
    out["reprints"] = [[a.isoformat(), k] for a, k in t.reprints]
    out["reactivated"] = [[a.isoformat(), who] for a, who in t.reactivated]
    out["transfers"] = [[a.isoformat(), s, d, c] for a, s, d, c in t.transfers]
    out["no_show_at"] = [a.isoformat() for a in t.no_show_at]
    out["calls"] = [[c.at.isoformat(), c.counter, c.officer, c.reason, c.note] for c in t.calls]
    for name in ("waits", "services"):
        out[name] = [
            [p.line, p.start.isoformat(), p.end.isoformat(), p.counter, p.officer]
            for p in getattr(t, name)
        ]
    since = t._waiting_since
    out["waiting_since"] = None if since is None else [since[0], since[1].isoformat()]
    return out


def record_from_json(raw: Mapping[str, Any]) -> TicketRecord:
    t = TicketRecord(
        id=raw["id"],
        day=raw["day"],
        number=raw["number"],
        first_line=raw["first_line"],
        line=raw["line"],
        priority=raw["priority"],
        kiosk=raw["kiosk"],
        issued_at=datetime.fromisoformat(raw["issued_at"]),
    )
    for name in _PLAIN:
        setattr(t, name, raw[name])
    for name in _INSTANTS:
        setattr(t, name, _dt(raw[name]))
    t.reprints = [(datetime.fromisoformat(a), k) for a, k in raw["reprints"]]
    t.reactivated = [(datetime.fromisoformat(a), who) for a, who in raw["reactivated"]]
    t.transfers = [(datetime.fromisoformat(a), s, d, c) for a, s, d, c in raw["transfers"]]
    t.no_show_at = [datetime.fromisoformat(a) for a in raw["no_show_at"]]
    t.calls = [Call(datetime.fromisoformat(a), c, o, r, n) for a, c, o, r, n in raw["calls"]]
    for name in ("waits", "services"):
        periods = [
            Period(ln, datetime.fromisoformat(s), datetime.fromisoformat(e), c, o)
            for ln, s, e, c, o in raw[name]
        ]
        setattr(t, name, periods)
    since = raw["waiting_since"]
    t._waiting_since = None if since is None else (since[0], datetime.fromisoformat(since[1]))
    return t


def ticket_of(event: StoredEvent) -> str | None:
    """The ticket a folded event moves (None: it moves none, or is not folded at all)."""
    if event.type not in FOLDED_KINDS or event.type == TicketIssued.kind:
        return None
    ticket = event.data.get("ticket")
    return ticket if isinstance(ticket, str) else None


class Fold:
    """Ticket records and each day's logins, moved by events in sequence order."""

    def __init__(
        self,
        tickets: dict[str, TicketRecord],
        officers: dict[date, dict[str, str | None]],
    ) -> None:
        self.tickets = tickets  # every record the events may touch, loaded beforehand
        self.officers = officers  # per day: counter -> officer logged in (every day touched)
        self.changed_tickets: set[str] = set()
        self.changed_days: set[date] = set()  # days whose logins changed

    def apply(self, event: StoredEvent) -> None:
        if event.type not in FOLDED_KINDS:
            return  # stored; not part of the ticket figures
        officer_at = self.officers.setdefault(event.day, {})
        log_form = event_dict(event.type, event.at, event.data)
        if event.type == TicketIssued.kind:
            for tid, record in replay_tickets([LogEntry(event.seq, event.actor, log_form)]).items():
                self.tickets[tid] = record
                self.changed_tickets.add(tid)
            return
        if event.type in (OfficerLoggedIn.kind, OfficerLoggedOut.kind):
            counter = event.data["counter"]
            officer_at[counter] = (
                event.data["officer"] if event.type == OfficerLoggedIn.kind else None
            )
            self.changed_days.add(event.day)
            return
        tid = ticket_of(event)
        t = self.tickets.get(tid or "")
        if t is None or t.day != event.day.isoformat():
            return  # an earlier day's ticket: the report's day replay files nothing either
        _file(t, read_event(log_form), event.actor, officer_at)
        self.changed_tickets.add(tid)  # type: ignore[arg-type]


def line_shares(t: TicketRecord) -> dict[str, GroupStats]:
    """One ticket's share of each line's figures: the report's `summarize` of it alone."""
    return summarize([{t.id: t}], {})["line"]


def line_figures(
    line: str, shares: Iterable[GroupStats], targets: LineTargets | None
) -> dict[str, Any]:
    """A line's figures on a day from its tickets' shares, as `antre report`'s line row has
    them (unrounded): counts, waits and service times, and how many were within the targets."""
    g = GroupStats("line", line)
    for s in shares:
        for name in COUNT_FIELDS:
            setattr(g, name, getattr(g, name) + getattr(s, name))
        g.waits.extend(s.waits)
        g.services.extend(s.services)
    waits, services = g.stats("waits"), g.stats("services")
    target_w = targets.target_wait_s if targets else None
    target_s = targets.target_service_s if targets else None
    return {
        **{name: getattr(g, name) for name in COUNT_FIELDS},
        "agency": targets.agency if targets else None,
        "name": targets.name if targets else None,
        "waits": len(g.waits),
        "wait_mean_s": waits["mean"],
        "wait_median_s": waits["median"],
        "wait_p90_s": waits["p90"],
        "wait_max_s": waits["max"],
        "target_wait_s": target_w,
        "waits_within_target": None if target_w is None else sum(w <= target_w for w in g.waits),
        "services": len(g.services),
        "service_mean_s": services["mean"],
        "service_median_s": services["median"],
        "service_p90_s": services["p90"],
        "service_max_s": services["max"],
        "target_service_s": target_s,
        "services_within_target": None
        if target_s is None
        else sum(s <= target_s for s in g.services),
    }
