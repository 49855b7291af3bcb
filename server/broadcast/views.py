"""What each audience may see: plain views of the state and of events, as JSON-ready dicts.

Pure: no sessions, no sockets, no asyncio; the `Broadcaster` (server/broadcast/broadcaster.py)
and the hub's replies and snapshots call these, and tests call them directly.

Audiences — every session of an audience receives byte-identical frames:

    floor            floor managers and admins: every event, staff form
    agency:<code>    officers of one agency: events touching that agency's lines or counters
    zone:<id>        TVs of one zone ("zone:*" for a TV of every zone): calls, counter states and
                     ticket movements of that zone, in the public form
    kiosk:<id>       one kiosk: the fate of the tickets it issued

The citizen's voice (issue 20: a survey's answer, a complaint's steps; `Event.floor_only`) is the
floor's alone: officers never see who answered what about them, nor the complaints.

The staff form is the core's `event_to_dict` minus its WITHHELD fields (the ticket's public
`token`: only the kiosk that printed a ticket ever holds it). The public form keeps the event
class's `public_fields`. Who hears of which event, and which fields a TV gets, is named once on
the event classes (server/core/events.py); this module applies it. Floor, agency and kiosk
audiences get the staff form, zone audiences the public one (`view_event`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any

from server.core import estimates
from server.core.building import END_OF_DAY, Building, Counter, ServiceHours
from server.core.complaints import Complaint
from server.core.dates import format_clock_in_zone
from server.core.events import (
    DISPLAY_HIDDEN,
    EVENT_TYPES,
    FLOOR_ONLY,
    KIOSK_KINDS,
    WITHHELD,
    TicketIssued,
    withhold_secrets,
)
from server.core.figures import LineView
from server.core.model import ClosureRequest, CounterStatus, Ticket
from server.core.queue import QueueState
from server.core.skm import Tally
from server.core.visits import Itinerary
from server.roles import FLOOR_AUDIENCE, Principal, Role
from server.web.voice import desk_words

__all__ = [
    "NEXT_COUNT",
    "Scope",
    "building_view",
    "closure_view",
    "complaint_view",
    "counter_view",
    "event_frame",
    "issued_view",
    "itinerary_view",
    "line_view",
    "lines_of",
    "next_key",
    "next_view",
    "public_form",
    "recent_calls",
    "skm_today",
    "snapshot",
    "staff_form",
    "tablet_snapshot",
    "ticket_view",
    "view_event",
    "withhold_secrets",
]

_RECENT_CALLS = 10
# Weekdays as the building file writes them (server.config.WEEKDAYS; the views stay config-free).
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# How many of a counter's next numbers officers see (snapshot, `next` push, counter replies).
NEXT_COUNT = 5


# --------------------------------------------------------------------------------------------
# Plain views of state: JSON-ready dicts, no personal data beyond what the audience may see
# --------------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _seconds(value: float | None) -> int | None:
    """Whole seconds; None stays None (no estimate while no counter serving the line is open)."""
    return None if value is None else round(value)


def ticket_view(
    t: Ticket, *, staff: bool, visits: Mapping[str, Itinerary] | None = None
) -> dict[str, Any]:
    """A ticket without its token; staff also see the priority group, kiosk and call reason,
    for a ticket checked in from a booking its code and slot start (`booking`, `slot`), and for
    a stop of a visit (issue 22) which visit and which stop of how many (`visit`; `visits`:
    today's itineraries, `state.itineraries`)."""
    out: dict[str, Any] = {
        "id": t.id,
        "number": t.number,
        "line": t.line,
        "state": t.state.value,
        "issued_at": _iso(t.issued_at),
        "counter": t.counter,
        "called_at": _iso(t.called_at),
        "calls": t.calls,
    }
    if staff:
        out.update(
            priority=t.priority.value if t.priority else None,
            kiosk=t.kiosk,
            queued_at=_iso(t.queued_at),
            started_at=_iso(t.started_at),
            finished_at=_iso(t.finished_at),
            no_show_at=_iso(t.no_show_at),
            call_reason=t.call_reason.value if t.call_reason else None,
            transfers=list(t.transfers),
            booking=t.booking,
            slot=_iso(t.slot),
            visit=_visit_summary(t, visits),
        )
    return out


def _visit_summary(t: Ticket, visits: Mapping[str, Itinerary] | None) -> dict[str, Any] | None:
    """A stop's ticket as staff see it on the ticket: "KJ-007, step 1 of 2" (stop is 0-based)."""
    if t.visit is None:
        return None
    itinerary = visits.get(t.visit) if visits is not None else None
    return {
        "id": t.visit,
        "label": t.visit.rsplit("/", 1)[-1],
        "stop": t.stop,
        "stops": len(itinerary.stops) if itinerary is not None else None,
    }


def itinerary_view(itinerary: Itinerary, building: Building) -> dict[str, Any]:
    """A visit as staff see it (issue 22): its stops in order, each with its line, agency,
    state ("pending", "skipped" or its ticket's state) and ticket once its turn came; `current`
    is the index of the stop the citizen is at (or was last at)."""
    stops = []
    for stop in itinerary.stops:
        line = building.line(stop.line)
        agency = building.agency(line.agency) if line is not None else None
        stops.append(
            {
                "line": stop.line,
                "name": line.name if line is not None else stop.line,
                "agency": line.agency if line is not None else None,
                "agency_name": (agency.short_name or agency.name) if agency is not None else None,
                "state": stop.state,
                "ticket": stop.ticket,
                "number": stop.number,
                "added": stop.added,
            }
        )
    return {
        "id": itinerary.id,
        "label": itinerary.label,
        "started_at": itinerary.started_at.isoformat(),
        "current": itinerary.current,
        "stops": stops,
    }


def counter_view(
    c: CounterStatus, state: QueueState, building: Building, *, staff: bool
) -> dict[str, Any]:
    """A counter's state and its active ticket's number; staff also see who is logged in.

    The pause reason is free text an officer typed: staff only. The public form says a paused
    counter is paused by its `state` alone.
    """
    active = state.tickets.get(c.ticket) if c.ticket else None
    out: dict[str, Any] = {
        "id": c.id,
        "state": c.state.value,
        "since": _iso(c.since),
        "pause_reason": c.pause_reason,
        "ticket": c.ticket,
        "number": active.number if active else None,
        "ticket_state": active.state.value if active else None,
    }
    if staff:
        out["officer"] = c.officer
        out["officer_name"] = building.person_name(c.officer)
        request = state.closures.get(c.id)
        out["closure"] = closure_view(request, building) if request is not None else None
    else:
        del out["pause_reason"]
    return out


def closure_view(request: ClosureRequest, building: Building) -> dict[str, Any]:
    """A counter's closure request as staff see it (issue 23): who asked and why, and once
    approved when and by whom; a reason is free text, never on a TV."""
    return {
        "officer": request.officer,
        "officer_name": building.person_name(request.officer),
        "reason": request.reason,
        "requested_at": _iso(request.requested_at),
        "approved_at": _iso(request.approved_at),
        "by": request.by,
        "by_name": building.person_name(request.by),
    }


def next_view(
    tickets: Iterable[Ticket], visits: Mapping[str, Itinerary] | None = None
) -> list[dict[str, Any]]:
    """A counter's next numbers (QueueState.next_for) in the staff form."""
    return [ticket_view(t, staff=True, visits=visits) for t in tickets]


def next_key(tickets: Iterable[Ticket]) -> tuple[tuple[str, str], ...]:
    """What makes a next-numbers list different for the officer: its ticket ids and states."""
    return tuple((t.id, t.state.value) for t in tickets)


def issued_view(
    issued: TicketIssued, state: QueueState, building: Building, now: datetime
) -> dict[str, Any]:
    """What the kiosk prints: the number, the line, the QR token, the wait ahead."""
    line = building.line(issued.line)
    ticket = state.tickets.get(issued.ticket)
    out: dict[str, Any] = {
        "id": issued.ticket,
        "number": issued.number,
        "line": issued.line,
        "line_name": line.name if line else issued.line,
        "agency": line.agency if line else None,
        "priority": issued.priority.value if issued.priority else None,
        "token": issued.token,
        "issued_at": issued.at.isoformat(),
        "day": issued.day.isoformat(),
        "state": ticket.state.value if ticket else None,
    }
    if ticket is not None:
        out["people_ahead"] = state.people_ahead(ticket.id, now)
        out["estimated_wait_s"] = _seconds(state.estimated_wait_s(ticket.id, now))
    if issued.booking is not None and issued.slot is not None:
        # Checked in from a booking: the ticket prints its code and slot ("09.00 WIB").
        slot = format_clock_in_zone(building.local(issued.slot), building.zone_label)
        out["booking"] = {"code": issued.booking, "slot": slot}
    return out


def line_view(v: LineView, building: Building, *, staffing: bool = False) -> dict[str, Any]:
    """A LineView as JSON, seconds rounded so that figures do not churn every tick.

    `max_wait_min` is the line's wait threshold (the building's, or the line's own override):
    the floor dashboard alerts on a wait past it. With `staffing` (the floor's audience only:
    nobody else shows them, and a TV's snapshot should not carry them), `arrivals_per_h`,
    `mean_service_s` and `staffing_waits` ((counters, Erlang C mean wait) pairs from
    `estimates.staffing_waits`) go out unrounded: the dashboard compares the waits with its own
    target, and must find what `estimates.staffing_hint` would.
    """
    out = asdict(v)
    out["longest_wait_s"] = round(v.longest_wait_s)
    out["estimated_wait_s"] = _seconds(v.estimated_wait_s)
    out["max_wait_min"] = building.max_wait_min(v.prefix)
    if staffing:
        out["staffing_waits"] = estimates.staffing_waits(v.arrivals_per_h, v.mean_service_s)
    else:
        # Today's booking figures (expected, checked in, lapsed, places left) are the floor's
        # too: a kiosk's or TV's frame would change with every booking for nothing.
        del out["arrivals_per_h"], out["mean_service_s"], out["bookings"]
    return out


def _clock(t: time | None) -> str | None:
    """A time as the building file writes it ("08:00"; "24:00" for the end of the day)."""
    if t is None:
        return None
    return "24:00" if t == END_OF_DAY else t.isoformat(timespec="minutes")


def _service_hours(hours: ServiceHours | None) -> dict[str, Any]:
    """A part-week agency's or line's own days and hours; nulls when it has none."""
    days = hours.days if hours is not None else None
    return {
        "days": [_WEEKDAYS[d] for d in sorted(days)] if days is not None else None,
        "open": _clock(hours.open) if hours is not None else None,
        "close": _clock(hours.close) if hours is not None else None,
    }


def _counter_def(counter: Counter, desk: Counter | None) -> dict[str, Any]:
    """A counter's definition on the day: a shared desk with that day's agency and lines (none
    on a day it is nobody's), and its whole schedule."""
    return {
        "id": counter.id,
        "name": counter.name,
        # `number` stays a whole number (or null) for clients that sort by it; the label
        # on the desk is `label`, the desk as the voice names it `spoken`.
        "number": counter.number if isinstance(counter.number, int) else None,
        "label": counter.label,
        "spoken": desk_words(counter.number, counter.spoken),
        "zone": counter.zone,
        "agency": desk.agency if desk is not None else None,
        "serves": list(desk.serves) if desk is not None else [],
        "priority": counter.priority,
        "schedule": [
            {
                "days": [_WEEKDAYS[d] for d in sorted(part.days)],
                "agency": part.agency,
                "serves": list(part.serves),
            }
            for part in counter.schedule
        ],
    }


def building_view(
    building: Building, zone: str | None = None, day: date | None = None
) -> dict[str, Any]:
    """The layout as it stands on `day` (default: as configured, a shared desk belonging to
    nobody): zones, agencies, lines, counters (one zone's, or all when None)."""
    agencies = [a for a in building.agencies if zone is None or a.zone == zone]
    codes = {a.code for a in agencies}
    counters = [c for c in building.counters if zone is None or c.zone == zone]
    desks = building.counters_on(day) if day is not None else {}
    return {
        "name": building.name,
        "timezone": building.zone_label,
        # The offset itself, so that a client never keeps its own WIB/WITA/WIT table.
        "utc_offset_min": round(building.tz.utcoffset(None).total_seconds() / 60),
        "running_text": building.running_text,
        # One visit, several agencies (issue 22): how many services one ticket may hold.
        "visit_max_stops": building.policy.visit_max_stops,
        "zones": [{"id": z.id, "name": z.name} for z in building.zones],
        "agencies": [
            {
                "code": a.code,
                "name": a.name,
                "short_name": a.short_name,
                "zone": a.zone,
                **_service_hours(a.service_hours),
            }
            for a in agencies
        ],
        "lines": [
            {
                "prefix": ln.prefix,
                "agency": ln.agency,
                "name": ln.name,
                "target_service_min": ln.target_service_min,
                "quota_walk_in": ln.quota_walk_in,
                "quota_priority": ln.quota_priority,
                "cutoff": ln.cutoff.isoformat(timespec="minutes") if ln.cutoff else None,
                "max_wait_min": building.max_wait_min(ln.prefix),
                # The lines whose result it needs first in a visit holding both (issue 22).
                "requires": list(ln.requires),
                **_service_hours(ln.service_hours),
            }
            for ln in building.lines
            if zone is None or ln.agency in codes
        ],
        "counters": [
            _counter_def(c, desks[c.id] if day is not None else None if c.schedule else c)
            for c in counters
        ],
    }


def recent_calls(state: QueueState, counters: set[str] | None, n: int = _RECENT_CALLS) -> list:
    """The last n calls at the given counters, or at any counter when None, with the visits'
    hand-ons among them (`hand_ons`).

    Newest first in commit order, as the TV's own list grows from events: a recall moves its
    call to the top, and calls at one instant keep the order they were made in; a hand-on goes
    before the calls of its own instant (it follows the finish, which followed its stop's call).
    """
    called: list[Ticket] = []
    if n <= 0:
        return []
    for t in state.calls_newest_first():
        if t.counter is not None and (counters is None or t.counter in counters):
            called.append(t)
            if len(called) == n:
                break
    calls: list[dict[str, Any]] = [
        {
            "ticket": t.id,
            "number": t.number,
            "line": t.line,
            "counter": t.counter,
            "at": _iso(t.last_call_at or t.called_at),  # a recall is the call the TV shows
            "state": t.state.value,
        }
        for t in called
    ]
    merged: list[dict[str, Any]] = []
    handed = hand_ons(state, counters)
    for call in calls:
        while handed and handed[0]["at"] >= call["at"]:
            merged.append(handed.pop(0))
        merged.append(call)
    return (merged + handed)[:n]


def hand_ons(state: QueueState, counters: set[str] | None) -> list[dict[str, Any]]:
    """Today's hand-ons of visits (issue 22) as a TV lists them, newest first: the next stop's
    ticket with the number the citizen held (`from_number`, `from_line`) and the counter that
    finished it. A zone's TV (`counters`) has those that left one of its counters or go on to a
    line one of its counters serves, as the `visit_handed_on` push goes to both zones' TVs."""
    building = state.building
    out: list[tuple[datetime, dict[str, Any]]] = []
    for itinerary in state.itineraries.values():
        previous: Ticket | None = None
        for stop in itinerary.stops:
            ticket = state.tickets.get(stop.ticket) if stop.ticket is not None else None
            if ticket is None:
                continue
            if previous is not None and (
                counters is None
                or previous.counter in counters
                or any(c.id in counters for c in building.counters_serving(ticket.line))
            ):
                entry = {
                    "ticket": ticket.id,
                    "number": ticket.number,
                    "line": ticket.line,
                    "counter": previous.counter,
                    "at": _iso(ticket.issued_at),
                    "state": ticket.state.value,
                    "from_number": previous.number,
                    "from_line": previous.line,
                }
                out.append((ticket.issued_at, entry))
            previous = ticket
    out.sort(key=lambda pair: pair[0], reverse=True)
    return [entry for _, entry in out]


def lines_of(building: Building, audience: str) -> list[str]:
    """The line prefixes an audience receives figures for."""
    kind, _, key = audience.partition(":")
    if kind == "agency":
        return [ln.prefix for ln in building.lines if ln.agency == key]
    if kind == "zone" and key != "*":
        codes = {a.code for a in building.agencies if a.zone == key}
        return [ln.prefix for ln in building.lines if ln.agency in codes]
    return [ln.prefix for ln in building.lines]


def snapshot(
    principal: Principal,
    building: Building,
    state: QueueState,
    now: datetime,
    seq: int,
    printers: dict[str, dict[str, Any]],
    devices: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The whole picture a role may see, as of sequence number `seq`.

    `printers` and `devices` (kiosk and TV presence, the `presence` push's entries) are the
    hub's in-memory knowledge; only floor managers and admins see them.
    """
    today = state.day or building.service_day(now)
    day = today.isoformat()
    out: dict[str, Any] = {"type": "snapshot", "seq": seq, "day": day}
    role = principal.role
    if role is Role.DISPLAY:
        zone = principal.zone
        counters = {c.id for c in building.counters if zone is None or c.zone == zone}
        out["building"] = building_view(building, zone, today)
        out["lines"] = [
            line_view(state.line_view(x, now), building)
            for x in lines_of(building, principal.audience)
        ]
        out["counters"] = [
            counter_view(state.counters[c], state, building, staff=False)
            for c in sorted(counters)
            if c in state.counters
        ]
        out["calls"] = recent_calls(state, counters)
        return out
    out["building"] = building_view(building, day=today)
    staffing = principal.audience == FLOOR_AUDIENCE
    out["lines"] = [
        line_view(state.line_view(ln.prefix, now), building, staffing=staffing)
        for ln in building.lines
    ]
    if role is Role.KIOSK:
        out["kiosk"] = principal.id
        return out
    if role is Role.OFFICER:
        agency = principal.agency
        mine = {ln.prefix for ln in building.lines if ln.agency == agency}
        desks = building.counters_on(today)  # a shared desk is its day's agency's
        counters = {cid for cid, c in desks.items() if c is not None and c.agency == agency}
        out["counters"] = [
            counter_view(state.counters[c], state, building, staff=True)
            for c in sorted(counters)
            if c in state.counters
        ]
        out["tickets"] = [
            ticket_view(t, staff=True, visits=state.itineraries)
            for t in state.tickets.values()
            if t.line in mine and t.state.value in ("waiting", "called", "serving", "no_show")
        ]
        out["counter"] = principal.counter
        out["next"] = next_view(
            state.next_for(principal.counter or "", now, NEXT_COUNT), state.itineraries
        )
        out["calls"] = recent_calls(state, counters)
        return out
    # Floor manager and admin: everything of today.
    out["counters"] = [
        counter_view(c, state, building, staff=True) for c in state.counters.values()
    ]
    out["tickets"] = [
        ticket_view(t, staff=True, visits=state.itineraries) for t in state.tickets.values()
    ]
    out["calls"] = recent_calls(state, None)
    # Today's visits of several stops (issue 22), each as `itinerary_view`.
    out["visits"] = [itinerary_view(v, building) for v in state.itineraries.values()]
    out["printers"] = dict(printers)
    out["devices"] = [dict(d) for d in devices]
    # The citizen's voice (issue 20), the floor's alone: today's SKM so far, and the complaints
    # open or closed today (never a contact: `complaint_contact` asks for one).
    out["skm_today"] = skm_today(state, today)
    # What the floor needs to say how near a complaint's deadline is as the core counts it:
    # the working days skip the building's holidays, and the warning starts warn_days before.
    out["building"]["holidays"] = [
        {"day": h.day.isoformat(), "name": h.name} for h in building.holidays if h.day >= today
    ]
    out["building"]["complaints"] = {"warn_days": building.complaints.warn_days}
    out["complaints"] = [
        complaint_view(c)
        for c in state.complaints.by_id.values()
        if c.is_open or (c.closed_at is not None and building.service_day(c.closed_at) == today)
    ]
    return out


def tablet_snapshot(
    principal: Principal,
    building: Building,
    state: QueueState,
    now: datetime,
    seq: int,
    offer: dict[str, Any] | None,
) -> dict[str, Any]:
    """A counter tablet's picture: its counter, the building's name, and the survey it shows
    now (the `survey_offer` push's fields), or None when it is idle."""
    counter = building.counter(principal.counter or "")
    day = (state.day or building.service_day(now)).isoformat()
    return {
        "type": "snapshot",
        "seq": seq,
        "day": day,
        "counter": principal.counter,
        "counter_name": counter.name if counter is not None else principal.counter,
        "building": building.name,
        "idle_s": building.survey.tablet_idle_s,
        "enabled": building.survey.enabled,
        "offer": offer,
    }


def _tally_view(tally: Tally) -> dict[str, Any]:
    return {"respondents": tally.respondents, "sums": list(tally.sums)}


def skm_today(state: QueueState, day: date) -> dict[str, Any]:
    """Today's SKM answers so far, for the building and per agency: respondents and the nine
    sums (the floor computes NRR, IKM and grade with server.protocol's skm)."""
    building, agencies = state.surveys.today(day)
    return {
        "building": _tally_view(building),
        "agencies": {code: _tally_view(t) for code, t in sorted(agencies.items())},
    }


def complaint_view(c: Complaint) -> dict[str, Any]:
    """A complaint as the floor lists it: every field of `Complaint`, instants as ISO strings,
    whether a contact was left (`has_contact`), never the contact itself."""
    out: dict[str, Any] = {}
    for name in Complaint.__dataclass_fields__:
        value = getattr(c, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif hasattr(value, "value"):  # the state, a StrEnum
            value = value.value
        out[name] = value
    return out


# --------------------------------------------------------------------------------------------
# Event routing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """Where an event belongs: the lines, counters, agencies and zones it touches."""

    agencies: frozenset[str]
    zones: frozenset[str]
    kiosk: str | None
    everyone: bool  # the end of a day concerns every client


def view_event(audience: str, event: dict[str, Any], scope: Scope) -> dict[str, Any] | None:
    """The form of an event dict an audience receives, or None when it may not see it."""
    kind = event["kind"]
    group, _, key = audience.partition(":")
    if group == "floor":
        return staff_form(event)
    if kind in FLOOR_ONLY:
        return None
    if group == "agency":
        return staff_form(event) if scope.everyone or key in scope.agencies else None
    if group == "zone":
        if kind in DISPLAY_HIDDEN:
            return None
        if scope.everyone or key == "*" or key in scope.zones:
            return public_form(event)
        return None
    if group == "kiosk":
        if scope.everyone or (kind in KIOSK_KINDS and scope.kiosk == key):
            return staff_form(event)
        return None
    return None


def staff_form(event: dict[str, Any]) -> dict[str, Any]:
    """An event dict for staff audiences: all of it but the WITHHELD fields (the token, the
    personal data), its class's own `push_withheld` (a visit booking's lead code), and a building
    edit's PIN hashes and token digests (`withhold_secrets`)."""
    own = EVENT_TYPES[event["kind"]].push_withheld
    out = {k: v for k, v in event.items() if k not in WITHHELD and k not in own}
    if event.get("kind") == "building_edited":
        for key in ("before", "after"):
            if key in out:
                out[key] = withhold_secrets(out[key])
    return out


def public_form(event: dict[str, Any]) -> dict[str, Any]:
    """An event dict for TVs: its class's `public_fields` only (see server/core/events.py)."""
    public = EVENT_TYPES[event["kind"]].public_fields
    return {k: v for k, v in event.items() if k in public}


def event_frame(seq: int, view: dict[str, Any]) -> dict[str, Any]:
    """The `event` frame carrying one audience's form of an event."""
    return {"type": "event", "seq": seq, "event": view}
