"""The citizen's voice for the web pages (issue 20): the SKM survey and complaints, as plain
async methods over the engine.

Theory of operation: the web room's pages (the phone page's survey and complaint forms, the exit
page, the public IKM page, the TVs' running text) call `VoiceApi` and nothing else of the queue,
as the booking pages call `BookingsApi`. A visit is named by its ticket: today's is read from
memory, an earlier day's (a phone page opened days after, within `[survey] days_open`) from the
store's row; `visit_of` turns either into the `Visit` the core decides on. Changes run the
core's `AnswerSurvey` and `FileComplaint` through the hub's `execute` (one command at a time on
the event loop) and return once on disk, or raise the core's `DomainError` (an Indonesian
message, a stable code) having changed nothing. What is open, answered or filed is the core's
to say (server/core/surveys.py, complaints.py): this module only reads the books.

The public figures (`public_ikm`) are scores only, never a suggestion nor an officer: the
regulation's public IKM per agency and for the building, for the current public period so far
and the last whole one.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from server.core.building import Building
from server.core.complaints import Complaint
from server.core.decide import DECISIONS
from server.core.events import ComplaintFiled, StopAdded, StopSkipped, VisitStarted
from server.core.model import (
    AnswerSurvey,
    Command,
    DomainError,
    FileComplaint,
    Ticket,
    TicketState,
    Visit,
    visit_of,
)
from server.core.numbering import format_number
from server.core.skm import Grade, Tally, grade, period_of, previous_period
from server.core.visits import survey_visit
from server.roles import TICKET_TOKEN_RE

if TYPE_CHECKING:
    from server.core.queue import QueueState
    from server.engine import Engine, StoredEvent

__all__ = [
    "IkmFigure",
    "PeriodIkm",
    "PublicIkm",
    "VoiceApi",
    "normalise_number",
    "survey_visit_of",
]

Execute = Callable[[Command, str, "str | None"], Awaitable[list["StoredEvent"]]]

# A valid answer (every element "Sesuai"), for asking the decision whether one would be taken.
_PROBE_SCORES = (3,) * 9

# A ticket number as typed at the exit: "A-017", "a17", "A 017".
_TYPED_NUMBER = re.compile(r"([A-Za-z])\s*-?\s*0*(\d{1,4})")


def normalise_number(typed: str) -> str | None:
    """A number as typed ("a17", "A 017") as the ticket prints it ("A-017"); None if it is none."""
    found = _TYPED_NUMBER.fullmatch(typed.strip())
    if found is None or int(found[2]) == 0:
        return None
    return format_number(found[1].upper(), int(found[2]))


def survey_visit_of(state: QueueState, ticket: Ticket) -> Visit:
    """The visit the survey asks about for a ticket of today: a plain ticket's own, or for a
    stop of a visit of several stops (issue 22) the whole visit, filed under its last served
    stop (server/core/visits.py `survey_visit`)."""
    if ticket.visit is not None:
        itinerary = state.itineraries.get(ticket.visit)
        if itinerary is not None:
            found = survey_visit(itinerary, state.tickets)
            if found is not None:
                return found
    return visit_of(ticket)


@dataclass(frozen=True, slots=True)
class IkmFigure:
    """One unit's public figure for a period: the tally, its IKM and grade (None without any
    respondent), and the respondents."""

    tally: Tally
    ikm: float | None
    grade: Grade | None
    respondents: int

    @classmethod
    def of(cls, tally: Tally) -> IkmFigure:
        ikm = tally.ikm()
        return cls(tally, ikm, grade(ikm) if ikm is not None else None, tally.respondents)


@dataclass(frozen=True, slots=True)
class PeriodIkm:
    """The building's and each agency's figure over one period (by visit day)."""

    first_day: date
    last_day: date  # the period's last day (the current one is counted up to today)
    label: str  # "Triwulan IV 2026"
    building: IkmFigure
    agencies: dict[str, IkmFigure]  # every agency of the building, in its order


@dataclass(frozen=True, slots=True)
class PublicIkm:
    """What the public page and the TVs' running text show (`[survey] public_period`)."""

    current: PeriodIkm  # so far
    previous: PeriodIkm  # the last whole one


class VoiceApi:
    """The survey and complaints: the web room's entry point."""

    def __init__(
        self,
        engine: Engine,
        *,
        execute: Execute | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._engine = engine  # its state (the books) and store (earlier days' tickets)
        # How a command runs: the hub's execute (counted for snapshots), else the engine's.
        self._execute: Execute = execute or engine.execute
        self._clock = clock or engine.now  # the engine's clock: never behind the log

    @property
    def building(self) -> Building:
        return self._engine.building

    # -- visits -----------------------------------------------------------------------------

    async def visit(self, token: str) -> tuple[Visit, Ticket] | None:
        """The visit of the ticket whose public token this is (the QR code's), any day: today's
        from memory, an earlier one from the store. None for a token no ticket has.

        A visit of several stops (issue 22) shares the token among its stops' tickets: the
        ticket returned is the current stop's (today) or the last one's (an earlier day), and
        the `Visit` is the whole visit's, as the survey asks about it once (`survey_visit_of`)."""
        if not TICKET_TOKEN_RE.fullmatch(token):
            return None
        state = self._engine.state
        ticket = state.ticket_by_token(token)
        if ticket is not None:
            return survey_visit_of(state, ticket), ticket
        ticket = await self._engine.store.ticket_by_token(token)
        today = state.day
        if ticket is None or (today is not None and ticket.day == today):
            # Today's, yet not in memory: only a token the day has not issued (yet); the row
            # cannot be ahead of memory, so this is a stale row of a reused token.
            return None
        if ticket.visit is not None:
            return await self._earlier_visit(ticket), ticket
        return visit_of(ticket), ticket

    async def _earlier_visit(self, last: Ticket) -> Visit:
        """An earlier day's visit of several stops, from its tickets' rows and its own events:
        filed under its last served stop, with the stops still open when its day closed."""
        store = self._engine.store
        assert last.visit is not None
        tickets = await store.visit_tickets(last.token, last.day, last.visit)
        planned = skipped = 0
        for stored in await store.visit_events(last.visit, last.day):
            match stored.event:
                case VisitStarted(stops=stops):
                    planned += len(stops)
                case StopAdded():
                    planned += 1
                case StopSkipped():
                    skipped += 1
        done = [t for t in tickets if t.state is TicketState.DONE]
        chosen = done[-1] if done else last
        return Visit(
            ticket=chosen.id,
            day=chosen.day,
            number=chosen.number,
            line=chosen.line,
            state=chosen.state,
            counter=chosen.counter,
            officer=chosen.officer,
            finished_at=chosen.finished_at,
            itinerary=last.visit,
            stops_open=max(0, planned - skipped - len(done)),
        )

    async def visit_by_number(self, number: str) -> Visit | None:
        """Today's visit by its ticket's number, as printed or typed ("A-017", "a17"); for a
        stop of a visit of several stops, the whole visit (`survey_visit_of`)."""
        printed = normalise_number(number)
        if printed is None:
            return None
        state = self._engine.state
        ticket = next((t for t in state.tickets.values() if t.number == printed), None)
        return None if ticket is None else survey_visit_of(state, ticket)

    # -- the survey ---------------------------------------------------------------------------

    def answered(self, ticket_id: str) -> bool:
        """Whether this ticket answered the survey, from whatever channel."""
        return self._engine.state.surveys.answered(ticket_id)

    def survey_open(self, visit: Visit, now: datetime) -> bool:
        """Whether the survey may be offered for this visit now: the core's own decision would
        take a (valid) answer — enabled, finished, within `days_open`, not yet answered. Asked
        of the decision itself, which changes nothing, so that the page and the core agree."""
        probe = AnswerSurvey(visit=visit, channel="probe", scores=_PROBE_SCORES)
        try:
            DECISIONS[AnswerSurvey](self._engine.state, probe, now, self.building.local(now))
        except DomainError:
            return False
        return True

    async def answer(
        self,
        visit: Visit,
        channel: str,
        scores: tuple[int, ...] | list[int],
        age: str | None = None,
        sex: str | None = None,
        education: str | None = None,
        occupation: str | None = None,
        suggestion: str | None = None,
        request_id: str | None = None,
    ) -> None:
        """Record a citizen's answer about a visit; returns once it is on disk.

        `channel`: "phone", "exit:<device id>" (the tablet's answers come over the websocket).
        `request_id`: the same id from the same channel and ticket today returns without
        answering twice. DomainError (nothing changed): `survey_disabled`,
        `survey_not_finished`, `survey_closed`, `survey_answered`, `survey_invalid`.
        """
        command = AnswerSurvey(
            visit=visit,
            channel=channel,
            scores=tuple(scores),
            age=age,
            sex=sex,
            education=education,
            occupation=occupation,
            suggestion=suggestion,
        )
        actor = _actor(channel, visit)
        await self._execute(command, actor, _scoped(actor, request_id))

    # -- complaints ---------------------------------------------------------------------------

    async def file_complaint(
        self,
        visit: Visit | None,
        category: str,
        text: str,
        channel: str,
        name: str | None = None,
        phone: str | None = None,
        request_id: str | None = None,
    ) -> Complaint:
        """File a complaint (the phone page's: `channel` "phone"); the complaint once on disk.

        The contact (name, phone) is optional and personal data: kept apart from the log,
        never shown back (the complaint says only `has_contact`). DomainError (nothing
        changed): `complaint_not_finished`, `complaint_closed`, `complaint_limit`,
        `complaint_invalid`.
        """
        command = FileComplaint(
            visit=visit, category=category, text=text, channel=channel, name=name, phone=phone
        )
        actor = _actor(channel, visit)
        events = await self._execute(command, actor, _scoped(actor, request_id))
        filed = next(s.event for s in events if isinstance(s.event, ComplaintFiled))
        found = self._engine.state.complaints.get(filed.complaint)
        assert found is not None  # the book holds every complaint filed today
        return found

    def complaints_of(self, ticket_id: str) -> list[Complaint]:
        """The complaints about a ticket, in filing order (closed ones for 30 days)."""
        return self._engine.state.complaints.of_ticket(ticket_id)

    # -- the public figures -------------------------------------------------------------------

    def public_ikm(self, now: datetime) -> PublicIkm:
        """The building's and each agency's IKM for the current public period so far and the
        last whole one: scores only."""
        today = self.building.service_day(now)
        kind = self.building.survey.public_period
        first, last, label = period_of(today, kind)
        current = self._period(first, today, last, label)
        first, last, label = previous_period(today, kind)
        return PublicIkm(current, self._period(first, last, last, label))

    def _period(self, first: date, until: date, last: date, label: str) -> PeriodIkm:
        book = self._engine.state.surveys
        whole = book.tally(first, until, None).get(None, Tally())
        per_agency = book.tally(first, until, "agency")
        agencies = {
            a.code: IkmFigure.of(per_agency.get(a.code, Tally())) for a in self.building.agencies
        }
        return PeriodIkm(first, last, label, IkmFigure.of(whole), agencies)


def _actor(channel: str, visit: Visit | None) -> str:
    """Who the event log says acted: a device's channel as it is ("exit:EXIT-1"), the phone
    page as its ticket's ("phone:2026-12-03/A-017")."""
    if ":" in channel or visit is None:
        return channel
    return f"{channel}:{visit.ticket}"


def _scoped(actor: str, request_id: str | None) -> str | None:
    """A request id scoped by who sent it, as the hub scopes its own (`actor#id`)."""
    return None if request_id is None else f"{actor}#{request_id}"
