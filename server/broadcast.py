"""What each audience may see, and the fan-out that sends it: events, line figures, snapshots.

Theory of operation: sessions are grouped into audiences — every session of an audience receives
byte-identical frames, so each event is encoded once per form (see below), never once per client:

    floor            floor managers and admins: every event, staff form
    agency:<code>    officers of one agency: events touching that agency's lines or counters
    zone:<id>        TVs of one zone ("zone:*" for a TV of every zone): calls, counter states and
                     ticket movements of that zone, in the public form
    kiosk:<id>       one kiosk: the fate of the tickets it issued

The staff form is the core's `event_to_dict` minus the ticket's public `token` (only the kiosk
that printed a ticket ever holds it). The public form keeps a whitelist of fields: no token, no
kiosk, no priority group (that a citizen is disabled or pregnant is nobody's business on a TV),
no officer ids and no free-text notes. Floor, agency and kiosk audiences get the staff form, zone
audiences the public one: a committed event is made into a dict once, each of its two forms is
encoded at most once, and only the audiences entitled to it are visited (`Broadcaster._entitled`,
the same rules as `view_event`), so a thousand kiosks cost nothing to an event of another kiosk.
The hub's reply to the request that made an event reuses its staff form (`staff_view`).

Line figures (`lines` frames: waiting, quota left, estimated wait…) are derived, not events: they
are recomputed at most every `lines_flush_s` after a commit, plus every `lines_refresh_s` for the
figures that move with the clock, encoded once per set of lines (every kiosk and the floor see
all lines), and sent to an audience only when its frame changed.

Each officer session also gets its own counter's next numbers (`next` frames: what `call_next`
would call, `NEXT_COUNT` of them). They are paced with the line figures: on the same tick, for the
counters of the agencies the commits since the last tick touched (every counter on the clock
refresh), computed once per counter whatever the number of sessions watching it, and sent to a
session only when the list's ticket ids and states differ from the last list it was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from server.core.building import Building
from server.core.model import (
    CounterStatus,
    DayClosed,
    Event,
    Ticket,
    TicketIssued,
    TicketTransferred,
    event_to_dict,
)
from server.core.queue import LineView, QueueState
from server.engine import StoredEvent
from server.pacing import Pacer
from server.protocol import encode
from server.roles import Principal, Role
from server.sessions import Session, SessionState, wire_frame

__all__ = [
    "NEXT_COUNT",
    "Broadcaster",
    "Scope",
    "building_view",
    "counter_view",
    "line_view",
    "next_key",
    "next_view",
    "snapshot",
    "ticket_view",
    "view_event",
]

log = logging.getLogger("antre.hub")

# Event kinds a TV never receives (who is logged in, and which papers were reprinted, is staff
# business).
_DISPLAY_HIDDEN = frozenset({"officer_logged_in", "officer_logged_out", "ticket_reprinted"})
# Fields of the public form; `reason` only where it is a fixed vocabulary, not someone's note:
# a pause reason is typed by the officer, so a TV learns only that the counter is paused (the
# event's kind, the counter's state), never why.
_PUBLIC_FIELDS = frozenset(
    {"kind", "at", "ticket", "number", "line", "counter", "from_line", "to_line", "day"}
)
_PUBLIC_REASON_KINDS = frozenset({"ticket_expired"})
# What a kiosk hears about its own tickets.
_KIOSK_KINDS = frozenset(
    {
        "ticket_issued",
        "ticket_printed",
        "ticket_print_failed",
        "ticket_expired",
        "ticket_cancelled",
        "ticket_reprinted",
    }
)
_RECENT_CALLS = 10
# Staff forms of published events kept for the replies (Broadcaster.staff_view): far more than
# the events of the commands one commit acknowledges.
_KEPT_VIEWS = 512
# How many of a counter's next numbers officers see (snapshot, `next` push, counter replies).
NEXT_COUNT = 5


# --------------------------------------------------------------------------------------------
# Plain views of state: JSON-ready dicts, no personal data beyond what the audience may see
# --------------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def ticket_view(t: Ticket, *, staff: bool) -> dict[str, Any]:
    """A ticket without its token; staff also see the priority group, kiosk and call reason."""
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
        )
    return out


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
        out["officer_name"] = _officer_name(building, c.officer)
    else:
        del out["pause_reason"]
    return out


def _officer_name(building: Building, officer: str | None) -> str | None:
    """The display name of an officer id (None when nobody, or an id the building lacks)."""
    if officer is None:
        return None
    return next((o.name for o in building.officers if o.id == officer), None)


def next_view(tickets: Iterable[Ticket]) -> list[dict[str, Any]]:
    """A counter's next numbers (QueueState.next_for) in the staff form."""
    return [ticket_view(t, staff=True) for t in tickets]


def next_key(tickets: Iterable[Ticket]) -> tuple[tuple[str, str], ...]:
    """What makes a next-numbers list different for the officer: its ticket ids and states."""
    return tuple((t.id, t.state.value) for t in tickets)


def line_view(v: LineView, building: Building) -> dict[str, Any]:
    """A LineView as JSON, seconds rounded so that figures do not churn every tick.

    `max_wait_min` is the line's wait threshold (the building's, or the line's own override):
    the floor dashboard alerts on a wait past it.
    """
    out = asdict(v)
    out["longest_wait_s"] = round(v.longest_wait_s)
    out["estimated_wait_s"] = round(v.estimated_wait_s)
    out["max_wait_min"] = building.max_wait_min(v.prefix)
    return out


def building_view(building: Building, zone: str | None = None) -> dict[str, Any]:
    """The static layout: zones, agencies, lines, counters (one zone's, or all when None)."""
    agencies = [a for a in building.agencies if zone is None or a.zone == zone]
    codes = {a.code for a in agencies}
    counters = [c for c in building.counters if zone is None or c.zone == zone]
    return {
        "name": building.name,
        "timezone": building.zone_label,
        # The offset itself, so that a client never keeps its own WIB/WITA/WIT table.
        "utc_offset_min": round(building.tz.utcoffset(None).total_seconds() / 60),
        "running_text": building.running_text,
        "zones": [{"id": z.id, "name": z.name} for z in building.zones],
        "agencies": [
            {"code": a.code, "name": a.name, "short_name": a.short_name, "zone": a.zone}
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
            }
            for ln in building.lines
            if zone is None or ln.agency in codes
        ],
        "counters": [
            {
                "id": c.id,
                "name": c.name,
                "number": c.number,
                "zone": c.zone,
                "agency": c.agency,
                "serves": list(c.serves),
                "priority": c.priority,
            }
            for c in counters
        ],
    }


def recent_calls(state: QueueState, counters: set[str] | None, n: int = _RECENT_CALLS) -> list:
    """The last n calls at the given counters, or at any counter when None.

    Newest first in commit order, as the TV's own list grows from events: a recall moves its
    call to the top, and calls at one instant keep the order they were made in.
    """
    called: list[Ticket] = []
    if n <= 0:
        return []
    for t in state.calls_newest_first():
        if t.counter is not None and (counters is None or t.counter in counters):
            called.append(t)
            if len(called) == n:
                break
    return [
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


def _lines_of(building: Building, audience: str) -> list[str]:
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
    day = state.day.isoformat() if state.day else building.service_day(now).isoformat()
    out: dict[str, Any] = {"type": "snapshot", "seq": seq, "day": day}
    role = principal.role
    if role is Role.DISPLAY:
        zone = principal.zone
        counters = {c.id for c in building.counters if zone is None or c.zone == zone}
        out["building"] = building_view(building, zone)
        out["lines"] = [
            line_view(state.line_view(x, now), building)
            for x in _lines_of(building, principal.audience)
        ]
        out["counters"] = [
            counter_view(state.counters[c], state, building, staff=False)
            for c in sorted(counters)
            if c in state.counters
        ]
        out["calls"] = recent_calls(state, counters)
        return out
    out["building"] = building_view(building)
    out["lines"] = [line_view(state.line_view(ln.prefix, now), building) for ln in building.lines]
    if role is Role.KIOSK:
        out["kiosk"] = principal.id
        return out
    if role is Role.OFFICER:
        agency = principal.agency
        mine = {ln.prefix for ln in building.lines if ln.agency == agency}
        counters = {c.id for c in building.counters if c.agency == agency}
        out["counters"] = [
            counter_view(state.counters[c], state, building, staff=True)
            for c in sorted(counters)
            if c in state.counters
        ]
        out["tickets"] = [
            ticket_view(t, staff=True)
            for t in state.tickets.values()
            if t.line in mine and t.state.value in ("waiting", "called", "serving", "no_show")
        ]
        out["counter"] = principal.counter
        out["next"] = next_view(state.next_for(principal.counter or "", now, NEXT_COUNT))
        out["calls"] = recent_calls(state, counters)
        return out
    # Floor manager and admin: everything of today.
    out["counters"] = [
        counter_view(c, state, building, staff=True) for c in state.counters.values()
    ]
    out["tickets"] = [ticket_view(t, staff=True) for t in state.tickets.values()]
    out["calls"] = recent_calls(state, None)
    out["printers"] = dict(printers)
    out["devices"] = [dict(d) for d in devices]
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
        return _staff_form(event)
    if group == "agency":
        return _staff_form(event) if scope.everyone or key in scope.agencies else None
    if group == "zone":
        if kind in _DISPLAY_HIDDEN:
            return None
        if scope.everyone or key == "*" or key in scope.zones:
            return _public_form(event)
        return None
    if group == "kiosk":
        if scope.everyone or (kind in _KIOSK_KINDS and scope.kiosk == key):
            return _staff_form(event)
        return None
    return None


def _staff_form(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "token"}


def _public_form(event: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in event.items() if k in _PUBLIC_FIELDS}
    if event["kind"] in _PUBLIC_REASON_KINDS and "reason" in event:
        out["reason"] = event["reason"]
    return out


class Broadcaster:
    """Keeps sessions by audience and sends each of them the frames it is entitled to."""

    def __init__(
        self,
        building: Building,
        state: Callable[[], QueueState],
        clock: Callable[[], datetime],
        *,
        lines_flush_s: float = 0.25,
        lines_refresh_s: float = 15.0,
    ) -> None:
        self._building = building
        # A getter, not the object: the engine owns its state and may rebuild it.
        self._state = state
        self._clock = clock
        # Live sessions by audience key; an audience without sessions costs nothing.
        self._audiences: dict[str, set[Session]] = {}
        # The state's ticket dict, and the one before it: closing a day replaces the dict, and
        # the day's last batch names tickets (expiries) that only the old dict still knows.
        self._day_tickets: dict[str, Ticket] | None = None
        self._old_tickets: dict[str, Ticket] = {}
        # The last `lines` frame body sent to each audience, to send only changes.
        self._last_lines: dict[str, str] = {}
        # The next numbers: the key (next_key) of the last list sent to each officer session, and
        # the agencies whose counters' lists may have moved since the last tick (None: all).
        self._next_sent: dict[Session, tuple[tuple[str, str], ...]] = {}
        self._next_dirty: set[str] | None = set()
        # Issuing flips at cutoffs and breaks, waits grow: refresh even when nothing happens.
        # The next numbers too: the calling policy weighs how long citizens have waited.
        self._pacer = Pacer(
            self._flush,
            self._refresh,
            flush_s=lines_flush_s,
            refresh_s=lines_refresh_s,
            name="antre-lines-refresh",
        )
        self._agency_zone = {a.code: a.zone for a in building.agencies}
        self._line_agency = {ln.prefix: ln.agency for ln in building.lines}
        self._audience_lines: dict[str, tuple[str, ...]] = {}  # see _lines_for
        # Staff forms of the latest events published, by seq, with the event they came from
        # (see staff_view).
        self._recent_views: dict[int, tuple[Event, dict[str, Any]]] = {}
        self._older_views: dict[int, tuple[Event, dict[str, Any]]] = {}

    # -- registry ---------------------------------------------------------------------------

    def add(self, session: Session) -> None:
        assert session.principal is not None
        self._audiences.setdefault(session.principal.audience, set()).add(session)

    def remove(self, session: Session) -> None:
        self._next_sent.pop(session, None)
        if session.principal is None:
            return
        members = self._audiences.get(session.principal.audience)
        if members is not None:
            members.discard(session)
            if not members:
                del self._audiences[session.principal.audience]
                self._last_lines.pop(session.principal.audience, None)

    def sessions(self) -> Iterable[Session]:
        for members in self._audiences.values():
            yield from members

    def count_by_role(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.sessions():
            if s.role is not None:
                out[s.role] = out.get(s.role, 0) + 1
        return out

    def send_to_floor(self, msg: dict[str, Any]) -> None:
        members = self._audiences.get("floor")
        if members:
            frame = encode(msg)
            for s in list(members):
                if s.state is SessionState.LIVE:
                    s.send(frame)

    # -- events -----------------------------------------------------------------------------

    def scope(self, event: Event) -> Scope:
        """The agencies and zones an event touches."""
        if isinstance(event, DayClosed):
            return Scope(frozenset(), frozenset(), None, everyone=True)
        lines: set[str] = set()
        counters: set[str] = set()
        kiosk: str | None = None
        line = getattr(event, "line", None)
        if isinstance(line, str):
            lines.add(line)
        if isinstance(event, TicketTransferred):
            lines.update((event.from_line, event.to_line))
        counter = getattr(event, "counter", None)
        if isinstance(counter, str):
            counters.add(counter)
        ticket = getattr(event, "ticket", None)
        if isinstance(ticket, str):
            info = self._ticket_info(ticket, event)
            if info is not None:
                lines.add(info[0])
                kiosk = info[1]
        agencies = {self._line_agency[x] for x in lines if x in self._line_agency}
        zones = {self._agency_zone.get(a, "") for a in agencies}
        for cid in counters:
            c = self._building.counter(cid)
            if c is not None:
                agencies.add(c.agency)
                zones.add(c.zone)
        return Scope(frozenset(agencies), frozenset(zones), kiosk, everyone=False)

    def _ticket_info(self, ticket_id: str, event: Event) -> tuple[str, str | None] | None:
        if isinstance(event, TicketIssued):
            return event.line, event.kiosk
        tickets = self._state().tickets
        if tickets is not self._day_tickets:
            # A new day's dict: keep the previous one for the closing batch still to come.
            if self._day_tickets is not None:
                self._old_tickets = self._day_tickets
            self._day_tickets = tickets
        t = tickets.get(ticket_id) or self._old_tickets.get(ticket_id)
        return (t.line, t.kiosk) if t is not None else None

    def frames_for(self, audience: str, events: Iterable[StoredEvent]) -> list[tuple[int, str]]:
        """One audience's encoded frames for past events (a replay)."""
        out = []
        for stored in events:
            view = view_event(audience, event_to_dict(stored.event), self.scope(stored.event))
            if view is not None:
                out.append((stored.seq, encode(_event_frame(stored.seq, view))))
        return out

    def staff_view(self, stored: StoredEvent) -> dict[str, Any]:
        """An event's staff form (`event_to_dict` without the token). Shared: do not change it.

        The last `_KEPT_VIEWS` to `2 * _KEPT_VIEWS` events published are kept: the reply to the
        request that made an event carries the same form, and is built right after its broadcast.
        """
        known = self._recent_views.get(stored.seq) or self._older_views.get(stored.seq)
        if known is not None and known[0] is stored.event:
            return known[1]
        return _staff_form(event_to_dict(stored.event))

    def publish(self, batch: list[StoredEvent]) -> None:
        """Fan a committed batch out: encode once per form, queue for each entitled member."""
        if not batch:
            return
        for stored in batch:
            scope = self.scope(stored.event)
            self._fan_out(stored, scope)
            self._next_touched(scope)
        last = batch[-1].seq
        for members in self._audiences.values():
            for s in members:  # (advance never changes the audiences)
                s.advance(last)
        self.schedule_lines()

    def _fan_out(self, stored: StoredEvent, scope: Scope) -> None:
        view = self.staff_view(stored)
        if len(self._recent_views) >= _KEPT_VIEWS:
            self._older_views, self._recent_views = self._recent_views, {}
        self._recent_views[stored.seq] = (stored.event, view)
        frames: dict[bool, tuple[str, bytes]] = {}  # by form: public or not
        for audience, public in self._entitled(view["kind"], scope):
            members = self._audiences.get(audience)
            if not members:
                continue
            pair = frames.get(public)
            if pair is None:
                form = _public_form(view) if public else view
                frame = encode(_event_frame(stored.seq, form))
                pair = frames[public] = (frame, wire_frame(frame))
            frame, wire = pair
            for s in list(members):  # a session that is too slow leaves its audience
                s.push_event(stored.seq, frame, wire)

    def _entitled(self, kind: str, scope: Scope) -> Iterator[tuple[str, bool]]:
        """The audiences that may see an event, each with its form: `view_event`'s rules, as
        lookups (tests/hub/test_fanout_routing.py holds the two to the same answers)."""
        if scope.everyone:
            for audience in list(self._audiences):
                group = audience.partition(":")[0]
                if group in ("floor", "agency", "kiosk"):
                    yield audience, False
                elif group == "zone" and kind not in _DISPLAY_HIDDEN:
                    yield audience, True
            return
        yield "floor", False
        for agency in scope.agencies:
            yield f"agency:{agency}", False
        if kind not in _DISPLAY_HIDDEN:
            yield "zone:*", True
            for zone in scope.zones:
                if zone != "*":  # (no zone is named so; "zone:*" came above)
                    yield f"zone:{zone}", True
        if kind in _KIOSK_KINDS and scope.kiosk is not None:
            yield f"kiosk:{scope.kiosk}", False

    # -- line figures -----------------------------------------------------------------------

    def lines_frame(self, audience: str) -> str:
        """The current `lines` frame for an audience (computed now)."""
        state, now = self._state(), self._clock()
        views = [
            line_view(state.line_view(x, now), self._building) for x in self._lines_for(audience)
        ]
        return encode({"type": "lines", "at": now.isoformat(), "lines": views})

    def _lines_for(self, audience: str) -> tuple[str, ...]:
        """`_lines_of`, kept per audience: the building does not change while serving."""
        lines = self._audience_lines.get(audience)
        if lines is None:
            lines = self._audience_lines[audience] = tuple(_lines_of(self._building, audience))
        return lines

    def schedule_lines(self) -> None:
        """Send line figures and next numbers that changed, at most every `lines_flush_s`."""
        self._pacer.schedule()

    def _flush(self) -> None:
        self.flush_lines()
        self.flush_next()

    def flush_lines(self) -> None:
        """Send each audience its line figures if they changed since its last frame."""
        if not self._audiences:
            return
        try:
            state, now = self._state(), self._clock()
            views = {
                ln.prefix: line_view(state.line_view(ln.prefix, now), self._building)
                for ln in self._building.lines
            }
        except Exception:
            log.exception("computing line figures failed")
            return
        bodies: dict[tuple[str, ...], str] = {}  # most audiences share their set of lines
        for audience, members in list(self._audiences.items()):
            lines = self._lines_for(audience)
            body = bodies.get(lines)
            if body is None:
                body = bodies[lines] = encode([views[x] for x in lines])
            if self._last_lines.get(audience) == body:
                continue
            self._last_lines[audience] = body
            frame = f'{{"type":"lines","at":"{now.isoformat()}","lines":{body}}}'
            wire = wire_frame(frame)
            for s in list(members):
                if s.state is SessionState.LIVE:
                    s.send(frame, wire)

    # -- next numbers (officers) ------------------------------------------------------------

    def _next_touched(self, scope: Scope) -> None:
        """A committed event may have moved the next numbers of these agencies' counters."""
        if self._next_dirty is None:
            return
        if scope.everyone:
            self._next_dirty = None
        else:
            self._next_dirty |= scope.agencies

    def next_frame(self, session: Session) -> str | None:
        """The `next` frame for an officer session now (None for other roles); noted as sent."""
        principal = session.principal
        if principal is None or principal.role is not Role.OFFICER or not principal.counter:
            return None
        now = self._clock()
        tickets = self._state().next_for(principal.counter, now, NEXT_COUNT)
        self._next_sent[session] = next_key(tickets)
        return self._encode_next(principal.counter, now, tickets)

    def watch_next(self, session: Session) -> None:
        """A session went live: check its list on the next tick (it may have moved meanwhile)."""
        principal = session.principal
        if principal is None or principal.role is not Role.OFFICER:
            return
        if self._next_dirty is not None and principal.agency is not None:
            self._next_dirty.add(principal.agency)
        self.schedule_lines()

    def flush_next(self, *, every: bool = False) -> None:
        """Send each live officer session its counter's next numbers if they changed.

        Only counters of agencies touched since the last tick (every counter with `every`),
        and each counter's list computed once for all the sessions watching it.
        """
        dirty, self._next_dirty = self._next_dirty, set()
        if every:
            dirty = None
        if dirty is not None and not dirty:
            return
        watching: dict[str, list[Session]] = {}
        for audience, members in self._audiences.items():
            group, _, agency = audience.partition(":")
            if group != "agency" or (dirty is not None and agency not in dirty):
                continue
            for s in members:
                counter = s.principal.counter if s.principal is not None else None
                if counter and s.state is SessionState.LIVE and s in self._next_sent:
                    watching.setdefault(counter, []).append(s)
        if not watching:
            return
        try:
            state, now = self._state(), self._clock()
            for counter, sessions in watching.items():
                tickets = state.next_for(counter, now, NEXT_COUNT)
                key = next_key(tickets)
                frame: str | None = None
                for s in sessions:
                    if self._next_sent.get(s) == key:
                        continue
                    if frame is None:
                        frame = self._encode_next(counter, now, tickets)
                    self._next_sent[s] = key
                    s.send(frame)
        except Exception:
            log.exception("computing next numbers failed")

    def _encode_next(self, counter: str, now: datetime, tickets: list[Ticket]) -> str:
        at = self._building.local(now).isoformat()
        return encode({"type": "next", "counter": counter, "at": at, "next": next_view(tickets)})

    def start(self) -> None:
        self._day_tickets = self._state().tickets
        self._pacer.start()

    async def stop(self) -> None:
        await self._pacer.stop()

    def _refresh(self) -> None:
        self.flush_lines()
        self.flush_next(every=True)


def _event_frame(seq: int, view: dict[str, Any]) -> dict[str, Any]:
    return {"type": "event", "seq": seq, "event": view}
