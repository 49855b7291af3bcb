"""The request table: each request type of a live session, and the handler that answers it.

A frame is decoded, its type checked against the role table (`forbidden`), its fields against the
protocol table (`bad_message`), its ids against the building and today's queue (`not_found`, or
`forbidden` when outside the officer's counter or agency: server/hub/scope.py), and only then
turned into a core command for `Engine.execute`. Any refusal changes nothing.

`Requests.handlers` maps every request type to one small handler; a handler returns the reply's
fields (a reply of another type than `ok` names it), or raises the refusal.

Idempotency: a mutating request carries a `request_id`; the hub scopes it by the actor
("kiosk:K1#<request_id>") so two clients can never collide, and the engine returns the first
result for a key it has seen today, even while the first attempt is still being committed.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from server import protocol as p
from server import refusals
from server.bookings_api import mask_nik, normalise_code
from server.broadcast.broadcaster import Broadcaster
from server.broadcast.survey_offers import SurveyOffers
from server.broadcast.views import (
    NEXT_COUNT,
    complaint_view,
    counter_view,
    issued_view,
    itinerary_view,
    line_view,
    next_view,
    ticket_view,
)
from server.core.building import Building
from server.core.errors import error as core_error
from server.core.events import ComplaintFiled, PriorityGroup, TicketIssued
from server.core.model import (
    AddStop,
    AnswerComplaint,
    AnswerSurvey,
    CallNext,
    CallTicket,
    CancelTicket,
    CheckIn,
    CloseComplaint,
    CloseCounter,
    Command,
    ConfirmPrinted,
    DecideClosure,
    DomainError,
    FileComplaint,
    FinishService,
    IssueTicket,
    LogIn,
    LogOut,
    MarkNoShow,
    OpenCounter,
    PauseCounter,
    PrintFailed,
    Reactivate,
    Recall,
    RecordReprint,
    RequestClosure,
    ResumeCounter,
    SkipStop,
    StartService,
    StartVisit,
    TakeComplaint,
    Transfer,
    Visit,
    WithdrawClosure,
    visit_of,
)
from server.core.visits import Itinerary, propose_order, stop_refusal
from server.engine import Engine, EngineFailed, StoredEvent
from server.hub.admin import SESSION_ENDED, Admin
from server.hub.scope import (
    kiosk_ticket,
    known_line,
    own_agency,
    own_counter,
    seated,
    ticket_of_today,
)
from server.hub.sync import InFlight, Snapshots
from server.roles import ALLOWED, FLOOR_AUDIENCE, Principal, Role
from server.sessions import Session, SessionState
from server.voice_api import survey_visit_of

__all__ = ["Handler", "Requests", "TokenSource"]

log = logging.getLogger("antre.hub")

Handler = Callable[[Session, dict[str, Any]], Awaitable[dict[str, Any] | None]]

# A ticket's public token: 16 random bytes, URL-safe base64 (as `secrets.token_urlsafe(16)`).
_TOKEN_BYTES = 16
_TOKENS_PER_READ = 256


class TokenSource:
    """Public ticket tokens, `secrets.token_urlsafe(16)` alike, from one `os.urandom` read per
    `_TOKENS_PER_READ` tokens instead of one per ticket.

    Why: each read is a system call that lets go of the GIL, and the store's writer thread,
    waiting for it, then holds up the event loop until its own next release (docs/benchmarks.md,
    Profile findings). The bytes are the kernel's CSPRNG either way; unused ones stay in memory
    only until their tickets are issued.
    """

    def __init__(self) -> None:
        self._pool = b""
        self._at = 0

    def take(self) -> str:
        if self._at >= len(self._pool):
            self._pool, self._at = os.urandom(_TOKEN_BYTES * _TOKENS_PER_READ), 0
        raw = self._pool[self._at : self._at + _TOKEN_BYTES]
        self._at += _TOKEN_BYTES
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


# An officer's commands at their own counter, made from the counter, the officer and the request.
_AT_COUNTER: dict[str, Callable[[str, Principal, dict[str, Any]], Command]] = {
    "login": lambda counter, officer, msg: LogIn(counter=counter, officer=officer.id),
    "logout": lambda counter, officer, msg: LogOut(counter=counter, officer=officer.id),
    "open_counter": lambda counter, officer, msg: OpenCounter(counter=counter),
    "pause_counter": lambda counter, officer, msg: PauseCounter(
        counter=counter, reason=msg["reason"]
    ),
    "resume_counter": lambda counter, officer, msg: ResumeCounter(counter=counter),
    "close_counter": lambda counter, officer, msg: CloseCounter(
        counter=counter, officer=officer.id
    ),
    # Counter-closure requests (issue 23): asked at the officer's own counter.
    "request_closure": lambda counter, officer, msg: RequestClosure(
        counter=counter, reason=msg["reason"]
    ),
    "withdraw_closure": lambda counter, officer, msg: WithdrawClosure(counter=counter),
    "call_next": lambda counter, officer, msg: CallNext(counter=counter),
    "recall": lambda counter, officer, msg: Recall(counter=counter),
    "start_service": lambda counter, officer, msg: StartService(counter=counter),
    "finish_service": lambda counter, officer, msg: FinishService(counter=counter),
    "no_show": lambda counter, officer, msg: MarkNoShow(counter=counter),
}


class Requests:
    """Answers the requests of live sessions: checks, the engine command, the reply."""

    def __init__(
        self,
        engine: Engine,
        building: Building,
        clock: Callable[[], datetime],
        *,
        broadcaster: Broadcaster,
        inflight: InFlight,
        snapshots: Snapshots,
        printers: dict[str, dict[str, Any]],
        unlock: Callable[[str], tuple[int, int] | None],
        survey_offers: SurveyOffers,
    ) -> None:
        self._engine = engine
        self._building = building
        self._clock = clock
        self._broadcaster = broadcaster
        self._inflight = inflight
        self._snapshots = snapshots
        # Last reported status of each kiosk's printer (the hub's, shared with the snapshots).
        self._printers = printers
        # The Authenticator's unlock: forget an id's wrong PINs (None: no such officer or manager).
        self._unlock = unlock
        # What each counter tablet was offered: the one ticket it may answer (issue 20).
        self._survey_offers = survey_offers
        self._tokens = TokenSource()
        self.handlers: dict[str, Handler] = {
            "ping": self._ping,
            "snapshot": self._snapshot,
            "list_lines": self._list_lines,
            "issue_ticket": self._issue_ticket,
            "confirm_printed": self._confirm_printed,
            "print_failed": self._print_failed,
            "record_reprint": self._record_reprint,
            "printer_status": self._printer_status,
            "check_in": self._check_in,
            "plan_visit": self._plan_visit,
            "issue_visit": self._issue_visit,
            "add_stop": self._add_stop,
            "skip_stop": self._skip_stop,
            "visit": self._visit,
            "booking_holder": self._booking_holder,
            **dict.fromkeys(_AT_COUNTER, self._at_counter),
            "close_counter": self._close_counter,
            "decide_closure": self._decide_closure,
            "call_ticket": self._call_ticket,
            "transfer": self._transfer,
            "reactivate": self._reactivate,
            "cancel_ticket": self._cancel_ticket,
            "unlock_pin": self._unlock_pin,
            "answer_survey": self._answer_survey,
            "take_complaint": self._complaint_step,
            "answer_complaint": self._complaint_step,
            "close_complaint": self._complaint_step,
            "complaint_contact": self._complaint_contact,
            "file_complaint": self._file_complaint,
            # Live administration (issue 23): server/hub/admin.py.
            **Admin(engine).handlers,
        }
        # A request type published without a handler is a programming error: refuse to start
        # (not an assert, which `python -O` would drop) rather than answer it with a crash.
        missing = p.REQUEST_TYPES - set(self.handlers) - {"hello"}
        if missing:
            raise RuntimeError(f"request types without a handler: {sorted(missing)}")

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): answer with the new building from now on."""
        self._building = building

    async def handle(self, session: Session, frame: str | bytes) -> None:
        """One frame of a live session: refuse it, or run its handler and send the reply."""
        principal = session.principal
        assert principal is not None
        if session.state is SessionState.CLOSED:
            return  # closed by a live edit (or a replacement) with frames still unread
        ref: str | int | None = None
        try:
            msg = p.decode(frame)
            ref = p.message_ref(msg)
            if not session.rate.take():
                _refuse_over_rate(session, ref)
                return
            kind = msg.get("type") if isinstance(msg, dict) else None
            if kind == "hello":
                raise p.ProtocolError(p.ERR_ALREADY_AUTHENTICATED, refusals.say("hello_again"), ref)
            if (
                isinstance(kind, str)
                and kind in p.REQUEST_TYPES
                and kind not in ALLOWED[principal.role]
            ):
                raise p.ProtocolError(
                    p.ERR_FORBIDDEN, refusals.not_allowed(principal.role.value, kind), ref
                )
            kind = p.validate(msg)
            reply = await self.handlers[kind](session, msg)
        except p.ProtocolError as exc:
            session.send_message(p.error_message(exc.code, exc.message, ref))
            return
        except DomainError as exc:
            extra = {"details": _jsonable(exc.details)} if exc.details else {}
            session.send_message(p.error_message(exc.code, exc.message, ref, **extra))
            return
        except EngineFailed:
            # Logged once, with its cause, by the engine; the server is stopping (server/app.py).
            log.warning("request from %r not done: the store failed", session)
            session.send_message(p.error_message(p.ERR_INTERNAL, refusals.say("internal"), ref))
            return
        except Exception:
            log.exception("request from %r failed", session)
            session.send_message(p.error_message(p.ERR_INTERNAL, refusals.say("internal"), ref))
            return
        if reply is not None:
            # Handlers return the reply's fields; a reply of another type (pong, snapshot) names it.
            session.send_message({"type": reply.pop("type", "ok"), "ref": ref, **reply})

    # -- shared steps -----------------------------------------------------------------------

    async def _run(
        self, session: Session, msg: dict[str, Any], command: Command
    ) -> list[StoredEvent]:
        principal = session.principal
        assert principal is not None
        key = f"{principal.actor}#{msg['request_id']}"
        # A live edit may be swapping the building: wait for it here, then refuse if it closed
        # this session (a revoked kiosk, a disabled officer) — nothing awaits from this check
        # to the engine taking the command.
        await self._engine.until_open()
        if session.state is SessionState.CLOSED:
            raise DomainError(p.ERR_FORBIDDEN, SESSION_ENDED)
        return await self._inflight.execute(command, principal.actor, key)

    def _events_reply(self, events: list[StoredEvent]) -> dict[str, Any]:
        frames = []
        for stored in events:
            # The staff form the broadcast of these events made (no token), not a second one.
            frames.append({"seq": stored.seq, "event": self._broadcaster.staff_view(stored)})
        return {"seq": events[-1].seq if events else self._engine.last_seq, "events": frames}

    def _counter_reply(self, counter: str, events: list[StoredEvent]) -> dict[str, Any]:
        state = self._engine.state
        status = state.counters.get(counter)
        active = state.tickets.get(status.ticket) if status and status.ticket else None
        # The officer's console shows the next numbers at once from here; the paced `next` push
        # follows, as ever, if the list differs from the last one pushed to the session.
        upcoming = state.next_for(counter, self._clock(), NEXT_COUNT)
        return {
            **self._events_reply(events),
            "counter": counter_view(status, state, self._building, staff=True) if status else None,
            "ticket": ticket_view(active, staff=True, visits=state.itineraries) if active else None,
            "next": next_view(upcoming, state.itineraries),
        }

    # -- every role -------------------------------------------------------------------------

    async def _ping(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "pong",
            "seq": session.position,
            "server_time": self._clock().isoformat(),
        }

    async def _snapshot(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        assert session.principal is not None
        return await self._snapshots.take(session.principal)

    async def _list_lines(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        state, now = self._engine.state, self._clock()
        principal = session.principal
        staffing = principal is not None and principal.audience == FLOOR_AUDIENCE
        return {
            "lines": [
                line_view(state.line_view(ln.prefix, now), self._building, staffing=staffing)
                for ln in self._building.lines
            ]
        }

    # -- kiosk ------------------------------------------------------------------------------

    async def _issue_ticket(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        principal = session.principal
        assert principal is not None
        line = known_line(self._building, msg["line"])
        priority = PriorityGroup(msg["priority"]) if msg.get("priority") else None
        # The public token is made here, at the edge; a retried request returns the first one.
        command = IssueTicket(
            line=line, priority=priority, token=self._tokens.take(), kiosk=principal.id
        )
        return await self._issued_reply(session, msg, command)

    async def _check_in(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """A booked citizen's code at the kiosk: the same reply as `issue_ticket` (the ticket
        carries `booking`), or the core's refusal (too early, lapsed, checked in…). A visit
        booked online (issue 22) starts here: the reply then carries `visit`, the itinerary
        exactly as `issue_visit`'s, which the kiosk prints under the ticket."""
        principal = session.principal
        assert principal is not None
        command = CheckIn(
            code=normalise_code(msg["code"]), kiosk=principal.id, ticket_token=self._tokens.take()
        )
        reply = await self._issued_reply(session, msg, command)
        state = self._engine.state
        itinerary = state.itineraries.get(state.itinerary_of.get(reply["ticket"]["id"], ""))
        if itinerary is not None:
            reply["visit"] = itinerary_view(itinerary, self._building)
        return reply

    async def _issued_reply(
        self, session: Session, msg: dict[str, Any], command: Command
    ) -> dict[str, Any]:
        events = await self._run(session, msg, command)
        issued = next((e.event for e in events if isinstance(e.event, TicketIssued)), None)
        if issued is None:  # pragma: no cover - the core always reports the issue
            raise DomainError("internal_error", "Tiket tidak diterbitkan.")
        view = issued_view(issued, self._engine.state, self._building, self._clock())
        return {**self._events_reply(events), "ticket": view}

    def _kiosk_ticket(self, session: Session, msg: dict[str, Any]) -> str:
        assert session.principal is not None
        return kiosk_ticket(session.principal, self._engine.state, msg["ticket"]).id

    async def _confirm_printed(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        ticket = self._kiosk_ticket(session, msg)
        events = await self._run(session, msg, ConfirmPrinted(ticket=ticket))
        return self._events_reply(events)

    async def _print_failed(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        ticket = self._kiosk_ticket(session, msg)
        events = await self._run(session, msg, PrintFailed(ticket=ticket, reason=msg["reason"]))
        return self._events_reply(events)

    async def _record_reprint(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        ticket = self._kiosk_ticket(session, msg)
        assert session.principal is not None
        command = RecordReprint(ticket=ticket, kiosk=session.principal.id)
        events = await self._run(session, msg, command)
        return self._events_reply(events)

    async def _printer_status(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        principal = session.principal
        assert principal is not None
        previous = self._printers.get(principal.id, {}).get("status")
        report = {
            "status": msg["status"],
            "detail": msg.get("detail"),
            "at": self._clock().isoformat(),
        }
        self._printers[principal.id] = report
        if report["status"] != previous:
            log.info("printer of %s: %s", principal.id, report["status"])
            self._broadcaster.send_to_floor(
                {"type": "alert", "alert": "printer", "kiosk": principal.id, **report}
            )
        return {}

    # -- counter ----------------------------------------------------------------------------

    async def _at_counter(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """The officer's own counter's commands (`_AT_COUNTER`); all but login need the seat."""
        principal = session.principal
        assert principal is not None
        counter = own_counter(principal, msg, self._building)
        kind = msg["type"]
        command = _AT_COUNTER[kind](counter, principal, msg)
        if kind != "login":
            seated(principal, counter, self._engine.state, self._building)
        events = await self._run(session, msg, command)
        return self._counter_reply(counter, events)

    async def _close_counter(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """An officer closes their own counter; a floor manager may close any counter."""
        principal = session.principal
        assert principal is not None
        if principal.role is Role.OFFICER:
            return await self._at_counter(session, msg)
        counter = msg.get("counter")
        if counter is None:
            raise p.ProtocolError(p.ERR_BAD_MESSAGE, refusals.say("counter_required"))
        if self._building.counter(counter) is None:
            raise p.ProtocolError(p.ERR_NOT_FOUND, refusals.say("counter_unknown", counter=counter))
        # A manager's close approves the counter's pending closure request, if any (issue 23).
        events = await self._run(session, msg, CloseCounter(counter=counter, by=principal.id))
        return self._counter_reply(counter, events)

    async def _decide_closure(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """A floor manager or admin approves or refuses a counter's pending closure request
        (issue 23): approved, an idle counter closes in the same command, a busy one when its
        ticket ends."""
        principal = session.principal
        assert principal is not None
        counter = msg["counter"]
        if self._building.counter(counter) is None:
            raise p.ProtocolError(p.ERR_NOT_FOUND, refusals.say("counter_unknown", counter=counter))
        command = DecideClosure(
            counter=counter, approve=msg["approve"], by=principal.id, note=msg.get("note")
        )
        events = await self._run(session, msg, command)
        return self._counter_reply(counter, events)

    async def _call_ticket(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        principal = session.principal
        assert principal is not None
        state = self._engine.state
        counter = own_counter(principal, msg, self._building)
        seated(principal, counter, state, self._building)
        ticket = ticket_of_today(state, msg["ticket"])
        own_agency(principal, ticket, self._building)
        command = CallTicket(counter=counter, ticket=ticket.id, reason=msg["reason"])
        events = await self._run(session, msg, command)
        return self._counter_reply(counter, events)

    async def _transfer(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        # Any line of the building is a valid target (Dukcapil may send a citizen on to Samsat);
        # only the ticket at the officer's own counter can be transferred.
        principal = session.principal
        assert principal is not None
        counter = own_counter(principal, msg, self._building)
        seated(principal, counter, self._engine.state, self._building)
        line = known_line(self._building, msg["line"])
        events = await self._run(session, msg, Transfer(counter=counter, line=line))
        return self._counter_reply(counter, events)

    async def _reactivate(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        assert session.principal is not None
        ticket = ticket_of_today(self._engine.state, msg["ticket"])
        own_agency(session.principal, ticket, self._building)
        events = await self._run(session, msg, Reactivate(ticket=ticket.id))
        return self._events_reply(events)

    async def _booking_holder(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """Who booked the ticket at the officer's own counter: the name and the masked NIK to
        compare with the KTP. The one place personal data of a booking leaves the server to staff,
        so only for the citizen standing at that desk (the ticket it has called or serves), never
        for a number of the agency's queue: an officer cannot list who booked today."""
        principal = session.principal
        assert principal is not None
        state = self._engine.state
        ticket = ticket_of_today(state, msg["ticket"])
        own_agency(principal, ticket, self._building)
        status = state.counters.get(principal.counter) if principal.counter else None
        if status is None or status.ticket != ticket.id:
            # not_found rather than forbidden: at this desk there is no such citizen to see.
            raise p.ProtocolError(
                p.ERR_NOT_FOUND, refusals.say("not_at_your_counter", number=ticket.number)
            )
        booking = state.bookings.get(ticket.booking) if ticket.booking is not None else None
        if booking is None:
            raise p.ProtocolError(p.ERR_NOT_FOUND, refusals.say("not_booked", number=ticket.number))
        # An audit line without the data itself: who looked at whose booking.
        log.info("%s read the holder of booking %s (%s)", principal.actor, booking.code, ticket.id)
        return {
            "ticket": ticket.id,
            "number": ticket.number,
            "booking": booking.code,
            "name": booking.name,
            "nik_masked": mask_nik(booking.nik_last4),
        }

    # -- one visit, several agencies (issue 22) -----------------------------------------------

    def _visit_lines(self, msg: dict[str, Any]) -> tuple[str, ...]:
        """The lines a kiosk named, each known to the building (not_found otherwise)."""
        return tuple(known_line(self._building, prefix) for prefix in msg["lines"])

    async def _plan_visit(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """The order the kiosk proposes for the lines chosen, each stop's expected wait and
        service time, and what would refuse a stop now. Changes nothing.

        The waits are the line figures' `estimated_wait_s` (the kiosk's single-ticket estimate;
        None while no counter of the line is open), the service times the expected service time
        those estimates use (`mean_service_s`). `total_s`: the first stop's wait, each later
        stop's wait less the visit credit (the citizen queues there from the visit's start,
        docs/calling-policy.md), and every service time."""
        lines = self._visit_lines(msg)
        priority = PriorityGroup(msg["priority"]) if msg.get("priority") else None
        state, now, building = self._engine.state, self._clock(), self._building
        policy = building.policy
        # The shape of the visit is refused as issue_visit would refuse it.
        if len(lines) < 2:
            raise core_error("visit_too_short")
        if len(lines) > policy.visit_max_stops:
            raise core_error("visit_too_long", limit=policy.visit_max_stops)
        for i, prefix in enumerate(lines):
            if prefix in lines[:i]:
                line = building.line(prefix)
                raise core_error("visit_duplicate_line", line=line.name if line else prefix)
        local = building.local(now)
        figures = {prefix: state.line_view(prefix, now) for prefix in lines}
        waits = {prefix: v.estimated_wait_s for prefix, v in figures.items()}
        order = propose_order(building, lines, waits, local)
        credit_s = policy.visit_credit_min * 60.0
        stops, total = [], 0.0
        for k, prefix in enumerate(order):
            line = building.line(prefix)
            assert line is not None  # known_line above
            wait, service = waits[prefix], figures[prefix].mean_service_s
            total += (wait or 0.0) if k == 0 else max(0.0, (wait or 0.0) - credit_s)
            total += service
            # As issue_visit would refuse it: naming the service (a visit holds several).
            refusal = stop_refusal(state, line, priority, local)
            problem = refusal.message if refusal is not None else None
            stops.append(
                {
                    "line": prefix,
                    "name": line.name,
                    "agency": line.agency,
                    "wait_s": None if wait is None else round(wait),
                    "service_s": round(service),
                    # The lines of this visit it needs first (the order's "why").
                    "requires": [x for x in line.requires if x in lines],
                    "problem": problem,
                }
            )
        return {"order": list(order), "stops": stops, "total_s": round(total)}

    async def _issue_visit(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """One ticket for several services: the first stop's ticket (printed and confirmed as
        `issue_ticket`'s) and the itinerary; the later stops' places are held from now."""
        principal = session.principal
        assert principal is not None
        lines = self._visit_lines(msg)
        priority = PriorityGroup(msg["priority"]) if msg.get("priority") else None
        command = StartVisit(
            lines=lines, priority=priority, token=self._tokens.take(), kiosk=principal.id
        )
        reply = await self._issued_reply(session, msg, command)
        state = self._engine.state
        itinerary = state.itineraries.get(state.itinerary_of.get(reply["ticket"]["id"], ""))
        reply["visit"] = itinerary_view(itinerary, self._building) if itinerary else None
        return reply

    def _visit_reply(
        self, events: list[StoredEvent], itinerary: Itinerary | None, counter: str | None
    ) -> dict[str, Any]:
        state = self._engine.state
        out = {
            **self._events_reply(events),
            "visit": itinerary_view(itinerary, self._building) if itinerary else None,
        }
        if counter is not None:
            status = state.counters.get(counter)
            active = state.tickets.get(status.ticket) if status and status.ticket else None
            out["ticket"] = (
                ticket_view(active, staff=True, visits=state.itineraries) if active else None
            )
        return out

    def _active_visit(self, counter: str) -> Itinerary | None:
        state = self._engine.state
        status = state.counters.get(counter)
        active = state.tickets.get(status.ticket) if status and status.ticket else None
        if active is None or active.visit is None:
            return None
        return state.itineraries.get(active.visit)

    async def _add_stop(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """ "Perlu ke Samsat juga": a stop added to the visit of the counter's active ticket (a
        plain ticket becomes a visit). Any line of the building, as for a transfer."""
        principal = session.principal
        assert principal is not None
        counter = own_counter(principal, msg, self._building)
        seated(principal, counter, self._engine.state, self._building)
        line = known_line(self._building, msg["line"])
        events = await self._run(session, msg, AddStop(counter=counter, line=line))
        return self._visit_reply(events, self._active_visit(counter), counter)

    async def _skip_stop(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """A stop no longer needed: an officer's of the active ticket's visit (a pending stop),
        the floor's of a visit it names (also the current stop while it waits or is a no-show:
        the next stop is handed on at once)."""
        principal = session.principal
        assert principal is not None
        state = self._engine.state
        line = known_line(self._building, msg["line"])
        if principal.role is Role.OFFICER:
            counter = own_counter(principal, msg, self._building)
            seated(principal, counter, state, self._building)
            named = msg.get("visit")
            if named is not None:
                active = self._active_visit(counter)
                if active is None or named not in (active.id, active.label):
                    raise p.ProtocolError(
                        p.ERR_FORBIDDEN,
                        refusals.say("visit_not_at_your_counter", visit=_label(named)),
                    )
            command = SkipStop(counter=counter, line=line, reason=msg["reason"], by=principal.id)
            events = await self._run(session, msg, command)
            return self._visit_reply(events, self._active_visit(counter), counter)
        named = msg.get("visit")
        if named is None:
            raise p.ProtocolError(p.ERR_BAD_MESSAGE, refusals.say("visit_required"))
        visit = self._visit_id(named)
        command = SkipStop(
            counter=None, line=line, reason=msg["reason"], visit=visit, by=principal.id
        )
        events = await self._run(session, msg, command)
        return self._visit_reply(events, self._engine.state.itineraries.get(visit), None)

    def _visit_id(self, named: str) -> str:
        """A visit as the floor names it: its id ("2026-12-04/KJ-007") or today's label."""
        if "/" in named:
            return named
        day = self._engine.state.day or self._building.service_day(self._clock())
        return f"{day.isoformat()}/{named}"

    async def _visit(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """The itinerary of a ticket's visit (null for a plain ticket); an officer's only for a
        visit with a stop of their own agency (or a plain ticket of it)."""
        principal = session.principal
        assert principal is not None
        state = self._engine.state
        ticket = ticket_of_today(state, msg["ticket"])
        itinerary = state.itineraries.get(ticket.visit) if ticket.visit else None
        if itinerary is None:
            own_agency(principal, ticket, self._building)
            return {"visit": None}
        if principal.role is Role.OFFICER:
            agencies = set()
            for stop in itinerary.stops:
                line = self._building.line(stop.line)
                if line is not None:
                    agencies.add(line.agency)
            if principal.agency not in agencies:
                raise p.ProtocolError(
                    p.ERR_FORBIDDEN, refusals.say("other_agency_visit", number=ticket.number)
                )
        return {"visit": itinerary_view(itinerary, self._building)}

    # -- floor ------------------------------------------------------------------------------

    async def _cancel_ticket(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        ticket = ticket_of_today(self._engine.state, msg["ticket"])
        events = await self._run(session, msg, CancelTicket(ticket=ticket.id, reason=msg["reason"]))
        return self._events_reply(events)

    async def _unlock_pin(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """Forget an id's wrong PINs, from every device; logged with who did it."""
        principal = session.principal
        assert principal is not None
        person = msg["person"]
        forgotten = self._unlock(person)
        if forgotten is None:
            raise p.ProtocolError(
                p.ERR_NOT_FOUND, f"Tidak ada petugas atau pengelola dengan ID {person!r}.", None
            )
        failures, sources = forgotten
        # Not an event (the lockout stays out of the event log): the server's log keeps it.
        log.warning(
            "%s unlocked the PIN entry of %s: %d wrong PINs from %d device(s) forgotten",
            principal.actor,
            person,
            failures,
            sources,
        )
        return {"person": person, "failures": failures, "devices": sources}

    # -- the citizen's voice (issue 20) -------------------------------------------------------

    async def _answer_survey(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """A counter tablet's answer: only for the ticket it was last offered, while it shows
        it (`[survey] tablet_idle_s`); not_found otherwise, whatever the ticket."""
        principal = session.principal
        assert principal is not None
        named, request_id = msg["ticket"], msg["request_id"]
        offers = self._survey_offers
        # A resend of the answer it gave (its reply was lost): the engine returns that one.
        resent = offers.answered_with(principal, request_id)
        ticket_id = resent or offers.offered_ticket(principal)
        ticket = self._engine.state.tickets.get(ticket_id) if ticket_id is not None else None
        if resent is not None and ticket is not None:
            shown = named in (ticket.id, ticket.number)
        else:
            shown = offers.offered(principal, named, self._clock())
        if ticket is None or not shown:
            number = named.rpartition("/")[2]
            raise p.ProtocolError(
                p.ERR_NOT_FOUND, refusals.say("survey_not_offered", number=number)
            )
        command = AnswerSurvey(
            visit=survey_visit_of(self._engine.state, ticket),
            channel=f"tablet:{principal.id}",
            scores=tuple(msg["scores"]),
            age=msg.get("age"),
            sex=msg.get("sex"),
            education=msg.get("education"),
            occupation=msg.get("occupation"),
            suggestion=msg.get("suggestion"),
        )
        events = await self._run(session, msg, command)
        offers.done(principal, request_id)
        # The answer's event is the floor's: the tablet hears only that it is recorded.
        return {"seq": events[-1].seq if events else self._engine.last_seq, "ticket": ticket.id}

    async def _complaint_step(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """A manager takes a complaint in hand, answers it, or closes it."""
        principal = session.principal
        assert principal is not None
        complaint, kind = msg["complaint"], msg["type"]
        command: Command
        if kind == "take_complaint":
            command = TakeComplaint(complaint=complaint, by=principal.id, note=msg.get("note"))
        elif kind == "answer_complaint":
            command = AnswerComplaint(complaint=complaint, by=principal.id, answer=msg["answer"])
        else:
            command = CloseComplaint(complaint=complaint, by=principal.id, note=msg.get("note"))
        events = await self._run(session, msg, command)
        return {**self._events_reply(events), "complaint": self._complaint(complaint)}

    def _complaint(self, complaint: str) -> dict[str, Any] | None:
        found = self._engine.state.complaints.get(complaint)
        return complaint_view(found) if found is not None else None

    async def _complaint_contact(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """A complaint's contact, for the manager who must call the citizen back: asked for,
        never pushed, and the server's log notes who read whose."""
        principal = session.principal
        assert principal is not None
        complaint = msg["complaint"]
        if self._engine.state.complaints.get(complaint) is None:
            raise p.ProtocolError(
                p.ERR_NOT_FOUND, core_error("complaint_not_found", complaint=complaint).message
            )
        contact = await self._engine.store.complaint_contact(complaint)
        if contact is None:
            raise p.ProtocolError(p.ERR_NOT_FOUND, refusals.say("no_contact", complaint=complaint))
        log.info("%s read the contact of complaint %s", principal.actor, complaint)
        name, phone = contact
        return {"complaint": complaint, "name": name, "phone": phone}

    async def _file_complaint(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """A complaint filed by staff at the help desk on a citizen's behalf, about today's
        ticket `number` or about no ticket. An officer files only about their own agency's
        tickets; the reply names the tracking id to give the citizen, nothing of the floor's."""
        principal = session.principal
        assert principal is not None
        visit: Visit | None = None
        number = msg.get("number")
        if number:
            ticket = ticket_of_today(self._engine.state, number)
            own_agency(principal, ticket, self._building)
            visit = visit_of(ticket)
        command = FileComplaint(
            visit=visit,
            category=msg["category"],
            text=msg["text"],
            channel=f"desk:{principal.id}",
            name=msg.get("name"),
            phone=msg.get("phone"),
        )
        events = await self._run(session, msg, command)
        filed = next(e.event for e in events if isinstance(e.event, ComplaintFiled))
        return {
            "seq": events[-1].seq,
            "complaint": filed.complaint,
            "take_by": filed.take_by.isoformat(),
        }


def _refuse_over_rate(session: Session, ref: str | int | None) -> None:
    """`rate_limited`, saying when to retry; a client that did not wait as told spends its
    abuse budget, and is closed (1008) once the budget is spent."""
    wait = session.rate.wait_s()
    now = session.rate.now()
    flooding = now < session.retry_at
    session.retry_at = now + wait
    if flooding and not session.abuse.take():
        session.drop(p.CLOSE_POLICY_VIOLATION, "too many requests")
        return
    # Rounded up to the hundredth: a client that waits exactly this long finds its token there.
    retry_after_s = math.ceil(wait * 100) / 100
    session.send_message(
        p.error_message(
            p.ERR_RATE_LIMITED,
            f"Terlalu banyak permintaan dalam waktu singkat; coba lagi dalam "
            f"{max(1, math.ceil(retry_after_s))} detik.",
            ref,
            retry_after_s=retry_after_s,
        )
    )


def _label(visit: str) -> str:
    """A visit's label ("KJ-007") from its id or label."""
    return visit.rsplit("/", 1)[-1]


def _jsonable(value: Any) -> Any:
    """Domain error details as plain JSON (dates and enums as strings)."""
    return json.loads(json.dumps(value, default=str))
