"""The counter tablets' survey offers (issue 20): when a ticket's service finishes at a counter,
the tablet facing the citizen there shows the SKM survey of that ticket.

Theory of operation: tablet sessions (hello role `tablet`, a `[[devices]]` entry of kind
"tablet" with its `counter`) join no broadcast audience: they hear no event. `publish` looks at
each committed batch for a `ServiceFinished`; when the survey is enabled and the ticket has not
answered yet (whatever the channel), it notes the offer for every tablet of that counter and
pushes `survey_offer` to their live sessions. A stop of a visit of several stops (issue 22) is
offered only when it ends the visit (every stop done or skipped): the answer is about the whole
visit, once. A tablet may answer only the ticket it was last offered, within `[survey]
tablet_idle_s` of the offer (`offered`): a tablet cannot answer for another counter's citizens,
nor for one who left long ago. The offers are kept in memory per device, so a tablet that
reconnects meanwhile finds its offer in its snapshot (`current`); a restart forgets them, and
the citizen answers on the phone page or at the exit instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from server.core.building import Building, DeviceKind
from server.core.events import ServiceFinished
from server.core.model import TicketState
from server.core.queue import QueueState
from server.engine import StoredEvent
from server.protocol import encode
from server.roles import Principal, Role
from server.sessions import Session, SessionState

__all__ = ["Offer", "SurveyOffers"]

log = logging.getLogger("antre.hub")


@dataclass(frozen=True, slots=True)
class Offer:
    """The survey last offered on one tablet."""

    ticket: str
    at: datetime  # when the service finished: the tablet shows it `tablet_idle_s` from then
    message: dict[str, Any]  # the `survey_offer` push, as sent


class SurveyOffers:
    """Tablet sessions by counter, and the survey last offered on each tablet."""

    def __init__(self, building: Building, state: Callable[[], QueueState]) -> None:
        self._building = building
        # A getter, not the object: the engine owns its state and may rebuild it.
        self._state = state
        self._idle = timedelta(seconds=building.survey.tablet_idle_s)
        # The building's tablets by counter (a counter may have a spare).
        self._devices: dict[str, list[str]] = {}
        for d in building.devices:
            if d.kind is DeviceKind.TABLET and d.counter is not None:
                self._devices.setdefault(d.counter, []).append(d.id)
        self._sessions: dict[str, set[Session]] = {}  # device id -> its live sessions
        self._offers: dict[str, Offer] = {}  # device id -> the survey last offered on it
        # device id -> (request id, ticket) of its last answer: a resend after a lost reply is
        # that answer again (docs/protocol.md: the same request id, the first result).
        self._answered: dict[str, tuple[str, str]] = {}

    # -- sessions -----------------------------------------------------------------------------

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): its tablets and survey settings from now on."""
        self._building = building
        self._idle = timedelta(seconds=building.survey.tablet_idle_s)
        self._devices = {}
        for d in building.devices:
            if d.kind is DeviceKind.TABLET and d.counter is not None:
                self._devices.setdefault(d.counter, []).append(d.id)

    def add(self, session: Session) -> None:
        principal = session.principal
        assert principal is not None and principal.role is Role.TABLET
        self._sessions.setdefault(principal.id, set()).add(session)

    def remove(self, session: Session) -> None:
        principal = session.principal
        if principal is None or principal.role is not Role.TABLET:
            return
        members = self._sessions.get(principal.id)
        if members is not None:
            members.discard(session)
            if not members:
                del self._sessions[principal.id]

    def count(self) -> int:
        return sum(len(members) for members in self._sessions.values())

    # -- offers -------------------------------------------------------------------------------

    def publish(self, batch: list[StoredEvent]) -> None:
        """Offer the survey of each ticket whose service a committed batch finished."""
        if not self._devices or not self._building.survey.enabled:
            return
        for stored in batch:
            event = stored.event
            if isinstance(event, ServiceFinished) and event.counter in self._devices:
                self._offer(event)

    def _offer(self, event: ServiceFinished) -> None:
        state = self._state()
        ticket = state.tickets.get(event.ticket)
        if ticket is None or ticket.state is not TicketState.DONE:
            return  # (a later event of the same batch moved it on)
        if state.surveys.answered(ticket.id):
            return
        if ticket.visit is not None:
            # A visit of several stops is asked about once, as a whole (issue 22): only when
            # its last stop finishes, never while the citizen is on their way to the next.
            itinerary = state.itineraries.get(ticket.visit)
            if itinerary is not None and itinerary.stops_open > 0:
                return
            if state.surveys.answered(ticket.visit):
                return
        b = self._building
        line = b.line(ticket.line)
        agency = b.agency(line.agency) if line is not None else None
        counter = b.counter(event.counter)
        message = {
            "type": "survey_offer",
            "ticket": ticket.id,
            "number": ticket.number,
            "line_name": line.name if line is not None else ticket.line,
            "agency": agency.code if agency is not None else None,
            "agency_name": (agency.short_name or agency.name) if agency is not None else None,
            "counter_name": counter.name if counter is not None else event.counter,
            "idle_s": b.survey.tablet_idle_s,
        }
        frame = encode(message)
        for device in self._devices[event.counter]:
            self._offers[device] = Offer(ticket.id, event.at, message)
            for session in list(self._sessions.get(device, ())):
                if session.state is SessionState.LIVE:
                    session.send(frame)

    def current(self, principal: Principal, now: datetime) -> dict[str, Any] | None:
        """The offer a tablet still shows now (its snapshot's `offer`), or None."""
        offer = self._offers.get(principal.id)
        if offer is None or now - offer.at > self._idle:
            return None
        if self._state().surveys.answered(offer.ticket):
            return None
        return offer.message

    def offered(self, principal: Principal, ticket: str, now: datetime) -> bool:
        """Whether this tablet shows the survey of `ticket` (its id or its number) now."""
        offer = self._offers.get(principal.id)
        if offer is None or now - offer.at > self._idle:
            return False
        return ticket in (offer.ticket, offer.message["number"])

    def offered_ticket(self, principal: Principal) -> str | None:
        """The id of the ticket last offered on this tablet (whether or not still shown)."""
        offer = self._offers.get(principal.id)
        return offer.ticket if offer is not None else None

    def done(self, principal: Principal, request_id: str) -> None:
        """The tablet's citizen answered: the offer is over (its next snapshot shows idle)."""
        offer = self._offers.pop(principal.id, None)
        if offer is not None:
            self._answered[principal.id] = (request_id, offer.ticket)

    def answered_with(self, principal: Principal, request_id: str) -> str | None:
        """The ticket this tablet answered with `request_id`, if it did: a resend."""
        last = self._answered.get(principal.id)
        return last[1] if last is not None and last[0] == request_id else None
