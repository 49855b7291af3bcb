"""Live pushes for the citizen's phone page: each `ticket` session's own ticket, when it changed.

Theory of operation: a `ticket` session (hello role `ticket`, the ticket's public token) is bound
to one ticket and joins no broadcast audience: it receives no events, no line figures, nothing of
other tickets. After its snapshot it gets `ticket` frames carrying `phone.public_view` of its
ticket, whenever that view differs from the last one it was sent — its own events (called, served,
transferred…) or the people ahead and the estimated wait moving as others are called.

A ticket's own events (called, recalled, no-show, served…) are pushed to its phones at once,
in the commit's turn: the phone of a called citizen must ring when the TV does. Everything else
— the people ahead and the waits moving as others are called — is paced as the line figures are
(server/broadcast/broadcaster.py): views are recomputed at most every `flush_s` after a commit,
and every `refresh_s` whatever happens; each ticket's view is computed once per tick however
many phones watch it, and compared with what each session was last sent. When the day closes,
the ticket is gone from the queue state: its sessions get the ticket's last view (from the
closed day's tickets: `expired`, `done`…) and are closed normally (a page that reconnects is then
refused, as for any unknown token).

A visit of several stops (issue 22) shares one token across its stops' tickets: when a stop is
handed on (`visit_handed_on`), the sessions watching the stop just left follow to the next stop's
ticket; they receive that event (an `event` frame, its public form) and then the new ticket's
view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from server import protocol as p
from server.broadcast.pacing import Pacer
from server.broadcast.views import event_frame, public_form
from server.core.building import Building
from server.core.events import VisitHandedOn, event_to_dict
from server.core.model import Ticket
from server.core.queue import QueueState
from server.engine import StoredEvent
from server.sessions import Session, SessionState
from server.web.phone import public_view

__all__ = ["TicketWatch"]

log = logging.getLogger("antre.hub")


class TicketWatch:
    """Keeps the ticket sessions and sends each one its ticket's view when it changed."""

    def __init__(
        self,
        building: Building,
        state: Callable[[], QueueState],
        clock: Callable[[], datetime],
        *,
        flush_s: float = 0.25,
        refresh_s: float = 15.0,
    ) -> None:
        self._building = building
        self._state = state  # a getter: the engine owns its state and may rebuild it
        self._clock = clock
        # Each ticket session's ticket id, and the encoded view it was last sent.
        self._tickets: dict[Session, str] = {}
        self._sent: dict[Session, str] = {}
        # The other way round: each watched ticket's sessions (its own events go to them at once).
        self._watchers: dict[str, list[Session]] = {}
        # The state's ticket dict, and the one before it: closing a day replaces the dict, and a
        # phone should still see its ticket's last state (expired) before its session ends.
        self._day_tickets: dict[str, Ticket] | None = None
        self._old_tickets: dict[str, Ticket] = {}
        # Whatever happens, now and then: a wait estimate may move without a commit.
        self._pacer = Pacer(
            self.flush,
            self.flush,
            flush_s=flush_s,
            refresh_s=refresh_s,
            name="antre-ticket-refresh",
        )

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): answer with the new building from now on."""
        self._building = building

    def view(self, ticket_id: str, now: datetime | None = None) -> dict[str, Any] | None:
        """The public view of a ticket of today at `now` (the clock's now if None), or None when
        the state no longer has it. A flush passes one instant for all its tickets, so that a
        line's calling order is worked out once for all the phones watching it."""
        state = self._state()
        ticket = state.tickets.get(ticket_id)
        if ticket is None:
            return None
        return public_view(ticket, state, self._building, now or self._clock())

    def _last_view(self, ticket_id: str) -> dict[str, Any] | None:
        """The view of a ticket of the day that just closed (its final state), if known."""
        ticket = self._old_tickets.get(ticket_id)
        if ticket is None:
            return None
        return public_view(ticket, self._state(), self._building, self._clock())

    def _note_day(self) -> None:
        tickets = self._state().tickets
        if tickets is not self._day_tickets:
            if self._day_tickets is not None:
                self._old_tickets = self._day_tickets
            self._day_tickets = tickets

    def add(self, session: Session) -> dict[str, Any] | None:
        """Watch a ticket session's ticket; its view now (for the snapshot), noted as sent."""
        assert session.principal is not None
        ticket_id = session.principal.id
        self._note_day()
        view = self.view(ticket_id)
        if view is not None:  # None: the day closed meanwhile; the hub refuses the session
            self._tickets[session] = ticket_id
            self._sent[session] = p.encode(view)
            self._watchers.setdefault(ticket_id, []).append(session)
        return view

    def remove(self, session: Session) -> None:
        ticket_id = self._tickets.pop(session, None)
        self._sent.pop(session, None)
        watchers = self._watchers.get(ticket_id) if ticket_id is not None else None
        if watchers is not None:
            if session in watchers:
                watchers.remove(session)
            if not watchers:
                del self._watchers[ticket_id]  # type: ignore[arg-type]

    def count(self) -> int:
        return len(self._tickets)

    def publish(self, batch: list[StoredEvent]) -> None:
        """A committed batch: every ticket session has been offered it (there is nothing to see)."""
        if not batch or not self._tickets:
            return
        self._note_day()  # before the next batch may replace the day's tickets once more
        last = batch[-1].seq
        for s in self._tickets:
            s.advance(last)
        self._follow(batch)
        self._push_own(batch)
        self.schedule()

    def _follow(self, batch: list[StoredEvent]) -> None:
        """A visit handed on (issue 22): the phones of the stop just left now watch the next
        stop's ticket (the token they hold is the visit's), and hear the hand-on itself, in its
        public form, before that ticket's view."""
        for stored in batch:
            event = stored.event
            if not isinstance(event, VisitHandedOn):
                continue
            sessions = self._watchers.pop(event.from_ticket, None)
            if not sessions:
                continue
            frame = p.encode(event_frame(stored.seq, public_form(event_to_dict(event))))
            for s in sessions:
                self._tickets[s] = event.ticket
                self._watchers.setdefault(event.ticket, []).append(s)
                if s.state is SessionState.LIVE:
                    s.send(frame)

    def _push_own(self, batch: list[StoredEvent]) -> None:
        """Send the tickets this batch's events are about their new view now, unpaced."""
        own = {
            ticket_id
            for stored in batch
            if isinstance(ticket_id := getattr(stored.event, "ticket", None), str)
            and ticket_id in self._watchers
        }
        if not own:
            return
        try:
            now = self._clock()
            at = self._building.local(now).isoformat()
            for ticket_id in own:
                view = self.view(ticket_id, now)
                if view is None:
                    continue  # the day closed: the paced flush says goodbye
                body = p.encode(view)
                for s in self._watchers.get(ticket_id, ()):
                    if s.state is SessionState.LIVE and self._sent.get(s) != body:
                        self._sent[s] = body
                        s.send(f'{{"type":"ticket","at":"{at}","ticket":{body}}}')
        except Exception:
            log.exception("computing a ticket's view failed")

    def schedule(self) -> None:
        """Check every watched view on the next tick (at most every `flush_s`)."""
        if self._tickets:
            self._pacer.schedule()

    def flush(self) -> None:
        """Send each live ticket session its ticket's view if it changed since its last frame."""
        if not self._tickets:
            return
        try:
            now = self._clock()
            at = self._building.local(now).isoformat()
            self._note_day()
            bodies: dict[str, str | None] = {}
            gone: dict[str, str | None] = {}
            for s, ticket_id in list(self._tickets.items()):
                if s.state is not SessionState.LIVE:
                    continue  # still syncing: its session is scheduled again once live
                if ticket_id not in bodies:
                    view = self.view(ticket_id, now)
                    bodies[ticket_id] = None if view is None else p.encode(view)
                body = bodies[ticket_id]
                if body is None:
                    # The day closed: the ticket is no longer today's. Its last view, then goodbye.
                    if ticket_id not in gone:
                        last = self._last_view(ticket_id)
                        gone[ticket_id] = None if last is None else p.encode(last)
                    final = gone[ticket_id]
                    if final is not None and self._sent.get(s) != final:
                        s.send(f'{{"type":"ticket","at":"{at}","ticket":{final}}}')
                    self.remove(s)
                    s.close(p.CLOSE_NORMAL, "ticket no longer valid")
                    continue
                if self._sent.get(s) == body:
                    continue
                self._sent[s] = body
                s.send(f'{{"type":"ticket","at":"{at}","ticket":{body}}}')
        except Exception:
            log.exception("computing ticket views failed")

    def start(self) -> None:
        self._day_tickets = self._state().tickets
        self._pacer.start()

    async def stop(self) -> None:
        await self._pacer.stop()
