"""The fan-out: sessions by audience, and the frames each is entitled to, sent without waiting.

Theory of operation: sessions are grouped into audiences (server/broadcast/views.py lists them);
every session of an audience receives byte-identical frames, so each event is encoded once per
form, never once per client. A committed event is made into a dict once, each of its two forms
(staff and public) is encoded at most once, and only the audiences entitled to it are visited
(`Broadcaster._entitled`, the same rules as `view_event`), so a thousand kiosks cost nothing to
an event of another kiosk. The hub's reply to the request that made an event reuses its staff
form (`staff_view`).

A visit of several stops (issue 22) is every agency's it passes through: its own events
(`visit_started`, `stop_added`, `stop_skipped`, `visit_handed_on`) reach the officers of every
stop's agency, while a hand-on's public form reaches only the TVs where the citizen leaves (the
counter's zone) and where they go (the next line's): `scope`.

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
from datetime import datetime
from typing import Any

from server.broadcast.pacing import Pacer
from server.broadcast.views import (
    NEXT_COUNT,
    Scope,
    event_frame,
    line_view,
    lines_of,
    next_key,
    next_view,
    public_form,
    staff_form,
    view_event,
)
from server.core.building import Building
from server.core.events import (
    DISPLAY_HIDDEN,
    FLOOR_ONLY,
    KIOSK_KINDS,
    DayClosed,
    Event,
    StopAdded,
    StopSkipped,
    TicketIssued,
    TicketTransferred,
    VisitHandedOn,
    VisitStarted,
    event_to_dict,
)
from server.core.model import Ticket
from server.core.queue import QueueState
from server.engine import StoredEvent
from server.protocol import encode
from server.roles import FLOOR_AUDIENCE, Role
from server.sessions import Session, SessionState, wire_frame

__all__ = ["Broadcaster"]

log = logging.getLogger("antre.hub")

# The events of a visit of several stops (issue 22): every stop's agency hears of them.
_VISIT_EVENTS = (VisitStarted, StopAdded, StopSkipped, VisitHandedOn)

# Staff forms of published events kept for the replies (Broadcaster.staff_view): far more than
# the events of the commands one commit acknowledges.
_KEPT_VIEWS = 512


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

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): route and figure with the new building from now on;
        every audience's lines are sent again on the next flush."""
        self._building = building
        self._agency_zone = {a.code: a.zone for a in building.agencies}
        self._line_agency = {ln.prefix: ln.agency for ln in building.lines}
        self._audience_lines = {}
        self._last_lines = {}
        self._next_dirty = None
        self.schedule_lines()

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
        if isinstance(event, _VISIT_EVENTS):
            # A visit's events are for the officers of every agency it passes through (the zones
            # stay the event's own: a hand-on is announced where the citizen leaves and where
            # they go, not at a third stop's TVs).
            agencies.update(
                self._line_agency[x] for x in self._visit_lines(event) if x in self._line_agency
            )
        if counters:
            # A shared desk is the agency's of the event's day; a regular counter is its own.
            desks = self._building.counters_on(self._building.service_day(event.at))
            for cid in counters:
                c = desks.get(cid)
                if c is not None:
                    agencies.add(c.agency)
                configured = self._building.counter(cid)
                if configured is not None:
                    zones.add(configured.zone)
        return Scope(frozenset(agencies), frozenset(zones), kiosk, everyone=False)

    def _visit_lines(self, event: Event) -> set[str]:
        """Every stop's line of the visit a visit event is about (and the lines it names)."""
        lines: set[str] = set()
        if isinstance(event, VisitStarted):
            lines.update(event.stops)
        elif isinstance(event, VisitHandedOn):
            lines.update((event.from_line, event.line))
        visit = getattr(event, "visit", None)
        itinerary = self._state().itineraries.get(visit) if isinstance(visit, str) else None
        if itinerary is not None:
            lines.update(stop.line for stop in itinerary.stops)
        return lines

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
                out.append((stored.seq, encode(event_frame(stored.seq, view))))
        return out

    def staff_view(self, stored: StoredEvent) -> dict[str, Any]:
        """An event's staff form (`event_to_dict` without the token). Shared: do not change it.

        The last `_KEPT_VIEWS` to `2 * _KEPT_VIEWS` events published are kept: the reply to the
        request that made an event carries the same form, and is built right after its broadcast.
        """
        known = self._recent_views.get(stored.seq) or self._older_views.get(stored.seq)
        if known is not None and known[0] is stored.event:
            return known[1]
        return staff_form(event_to_dict(stored.event))

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
                form = public_form(view) if public else view
                frame = encode(event_frame(stored.seq, form))
                pair = frames[public] = (frame, wire_frame(frame))
            frame, wire = pair
            for s in list(members):  # a session that is too slow leaves its audience
                s.push_event(stored.seq, frame, wire)

    def _entitled(self, kind: str, scope: Scope) -> Iterator[tuple[str, bool]]:
        """The audiences that may see an event, each with its form: `view_event`'s rules, as
        lookups (tests/hub/test_fanout_routing.py holds the two to the same answers)."""
        if kind in FLOOR_ONLY:
            yield "floor", False  # the citizen's voice: never an officer's, a TV's or a kiosk's
            return
        if scope.everyone:
            for audience in list(self._audiences):
                group = audience.partition(":")[0]
                if group in ("floor", "agency", "kiosk"):
                    yield audience, False
                elif group == "zone" and kind not in DISPLAY_HIDDEN:
                    yield audience, True
            return
        yield "floor", False
        for agency in scope.agencies:
            yield f"agency:{agency}", False
        if kind not in DISPLAY_HIDDEN:
            yield "zone:*", True
            for zone in scope.zones:
                if zone != "*":  # (no zone is named so; "zone:*" came above)
                    yield f"zone:{zone}", True
        if kind in KIOSK_KINDS and scope.kiosk is not None:
            yield f"kiosk:{scope.kiosk}", False

    # -- line figures -----------------------------------------------------------------------

    def lines_frame(self, audience: str) -> str:
        """The current `lines` frame for an audience (computed now)."""
        state, now = self._state(), self._clock()
        staffing = audience == FLOOR_AUDIENCE
        views = [
            line_view(state.line_view(x, now), self._building, staffing=staffing)
            for x in self._lines_for(audience)
        ]
        return encode({"type": "lines", "at": now.isoformat(), "lines": views})

    def _lines_for(self, audience: str) -> tuple[str, ...]:
        """`lines_of`, kept per audience: the building does not change while serving."""
        lines = self._audience_lines.get(audience)
        if lines is None:
            lines = self._audience_lines[audience] = tuple(lines_of(self._building, audience))
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
            figures = {ln.prefix: state.line_view(ln.prefix, now) for ln in self._building.lines}
            forms: dict[bool, dict[str, dict[str, Any]]] = {}  # the floor's, and everyone else's
            for audience in self._audiences:
                staffing = audience == FLOOR_AUDIENCE
                if staffing not in forms:
                    forms[staffing] = {
                        prefix: line_view(v, self._building, staffing=staffing)
                        for prefix, v in figures.items()
                    }
        except Exception:
            log.exception("computing line figures failed")
            return
        # Most audiences share their set of lines, and all but the floor share one form.
        bodies: dict[tuple[tuple[str, ...], bool], str] = {}
        for audience, members in list(self._audiences.items()):
            key = (self._lines_for(audience), audience == FLOOR_AUDIENCE)
            body = bodies.get(key)
            if body is None:
                views = forms[key[1]]
                body = bodies[key] = encode([views[x] for x in key[0]])
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
        return encode(
            {
                "type": "next",
                "counter": counter,
                "at": at,
                "next": next_view(tickets, self._state().itineraries),
            }
        )

    def start(self) -> None:
        self._day_tickets = self._state().tickets
        self._pacer.start()

    async def stop(self) -> None:
        await self._pacer.stop()

    def _refresh(self) -> None:
        self.flush_lines()
        self.flush_next(every=True)
