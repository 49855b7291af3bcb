"""The survey book: which tickets answered the SKM survey, the tallies of their answers, and
what the `AnswerSurvey` command decides.

Theory of operation: a citizen answers once per ticket, from whichever channel comes first (the
phone page, the counter's tablet, the exit page), only once its service is finished and for
`[survey] days_open` days after. A visit of several stops (issue 22, server/core/visits.py) is
answered about once, as a whole, when every stop is done or skipped: filed under its last served
stop, its id taken in the book beside that ticket's. Every answer is a `SurveyAnswered` event;
`SurveyBook.apply` is the one way the book changes, live and on a restart's replay alike. The
book spans days (like the booking book, server/core/bookings.py): it lives on `QueueState` as
`state.surveys` and a day close leaves it, forgetting only what no rule and no page needs any
more.

It keeps, per visit day, the answered ticket ids (one response per ticket) and a `Tally` per
(agency, line, counter) of the answers about that day's visits: a period's figures count visits
by their service day, whenever the answer came. Both are kept from `horizon(today)` on: the
start of the previous public period (the public page shows the current period so far and the
last whole one) or `days_open` days back, whichever is earlier. The engine replays the survey
events of the visit days from the same horizon at start, so a restarted book equals the live one.
Officer figures are the report's (read from the log), never the book's: the floor must not be a
way to see who answered what about whom.

Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from server.core.building import SurveySettings
from server.core.errors import error
from server.core.events import DayClosed, Event, SurveyAnswered
from server.core.model import AnswerSurvey, TicketState
from server.core.skm import Tally, period_of, previous_period, survey_problem

if TYPE_CHECKING:  # the decision reads the day's state; state.py holds this book
    from server.core.state import DayState

__all__ = ["SURVEY_DECISIONS", "SurveyBook", "TallyKey", "survey_horizon"]

TallyKey = tuple[str, str, str | None]  # (agency, line, counter)

_BY_INDEX = {"agency": 0, "line": 1, "counter": 2}


def survey_horizon(settings: SurveySettings, today: date) -> date:
    """The first visit day whose answers the book keeps on `today`: the start of the previous
    public period, or `days_open` (+1: an answer may come on the last day) days back, whichever
    is earlier. The engine replays survey events of visit days from here on."""
    first, _, _ = previous_period(today, settings.public_period)
    return min(first, today - timedelta(days=settings.days_open + 1))


class SurveyBook:
    """Answered tickets and tallies per visit day, from `survey_horizon` on."""

    def __init__(self, settings: SurveySettings) -> None:
        self.settings = settings
        self.answered_on: dict[date, set[str]] = {}  # visit day -> ticket ids answered
        self.tallies: dict[date, dict[TallyKey, Tally]] = {}  # visit day -> per key

    # -- reads ----------------------------------------------------------------------------

    def answered(self, ticket_id: str) -> bool:
        """Whether this ticket (or visit, "2026-11-23/KJ-007") already answered (its day is the
        id's: "2026-11-23/A-017")."""
        try:
            day = date.fromisoformat(ticket_id.split("/", 1)[0])
        except ValueError:
            return False
        return ticket_id in self.answered_on.get(day, ())

    def tally(
        self, first_day: date, last_day: date, by: str | None = None
    ) -> dict[str | None, Tally]:
        """The answers about visits of `first_day`..`last_day`, added up per agency, line or
        counter (`by`), or for the whole building (by=None: one entry, key None). Only days the
        book still keeps are counted (from `survey_horizon`)."""
        index = _BY_INDEX[by] if by is not None else None
        out: dict[str | None, Tally] = {}
        for day, per_key in self.tallies.items():
            if not first_day <= day <= last_day:
                continue
            for key, tally in per_key.items():
                name = key[index] if index is not None else None
                total = out.get(name)
                if total is None:
                    out[name] = tally.copy()
                else:
                    total.merge(tally)
        return out

    def today(self, day: date) -> tuple[Tally, dict[str, Tally]]:
        """The floor's figures: the building's tally of `day`'s visits and each agency's."""
        agencies: dict[str, Tally] = {}
        building = Tally()
        for (agency, _line, _counter), tally in self.tallies.get(day, {}).items():
            agencies.setdefault(agency, Tally()).merge(tally)
            building.merge(tally)
        return building, agencies

    def public_period(self, today: date) -> tuple[date, date, str]:
        """The public page's current period (so far): its first and last day and label."""
        return period_of(today, self.settings.public_period)

    # -- the fold ---------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Change the book by one event (events of other kinds leave it as it is)."""
        match event:
            case SurveyAnswered():
                answered = self.answered_on.setdefault(event.day, set())
                if event.ticket in answered:
                    raise ValueError(f"ticket {event.ticket} answered the survey twice")
                answered.add(event.ticket)
                if event.visit is not None:
                    # One answer per visit (issue 22): its id ("2026-12-04/KJ-007") is taken too.
                    if event.visit in answered:
                        raise ValueError(f"visit {event.visit} answered the survey twice")
                    answered.add(event.visit)
                key = (event.agency, event.line, event.counter)
                self.tallies.setdefault(event.day, {}).setdefault(key, Tally()).add(event.scores)
            case DayClosed():
                self._forget_before(survey_horizon(self.settings, event.day + timedelta(days=1)))
            case _:
                pass

    def _forget_before(self, horizon: date) -> None:
        for book in (self.answered_on, self.tallies):
            for day in [d for d in book if d < horizon]:
                del book[day]

    # -- copies and equality ------------------------------------------------------------------

    def copy(self) -> SurveyBook:
        other = SurveyBook(self.settings)
        other.answered_on = {d: set(ids) for d, ids in self.answered_on.items()}
        other.tallies = {
            d: {k: t.copy() for k, t in per.items()} for d, per in self.tallies.items()
        }
        return other

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SurveyBook):
            return NotImplemented
        return (self.settings, self.answered_on, self.tallies) == (
            other.settings,
            other.answered_on,
            other.tallies,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable


# --------------------------------------------------------------------------------------------
# The decision (added to server/core/decide.py's DECISIONS)
# --------------------------------------------------------------------------------------------


def _answer(state: DayState, cmd: AnswerSurvey, now: datetime, local: datetime) -> list[Event]:
    """One `SurveyAnswered`, or the refusal: disabled, not finished, closed, already answered,
    invalid — in that order, what matters to the citizen first."""
    settings = state.building.survey
    visit = cmd.visit
    if not settings.enabled:
        raise error("survey_disabled")
    if visit.itinerary is not None and visit.stops_open > 0:
        # A visit of several stops is answered about as a whole, once it is over (issue 22).
        raise error("survey_visit_open")
    if visit.state is not TicketState.DONE or visit.finished_at is None:
        raise error("survey_not_finished", number=visit.number)
    if now - visit.finished_at > timedelta(days=settings.days_open):
        raise error("survey_closed", number=visit.number, days_open=settings.days_open)
    if state.surveys.answered(visit.ticket) or (
        visit.itinerary is not None and state.surveys.answered(visit.itinerary)
    ):
        raise error("survey_answered", number=visit.number)
    suggestion = (cmd.suggestion or "").strip() or None
    problem = survey_problem(
        cmd.scores, cmd.age, cmd.sex, cmd.education, cmd.occupation, suggestion
    )
    if problem is not None:
        raise error("survey_invalid", problem=problem)
    line = state.known_line(visit.line)
    return [
        SurveyAnswered(
            at=now,
            ticket=visit.ticket,
            day=visit.day,
            line=line.prefix,
            agency=line.agency,
            counter=visit.counter,
            officer=visit.officer,
            channel=cmd.channel,
            scores=tuple(cmd.scores),
            age=cmd.age,
            sex=cmd.sex,
            education=cmd.education,
            occupation=cmd.occupation,
            suggestion=suggestion,
            visit=visit.itinerary,
        )
    ]


SURVEY_DECISIONS: dict[type, Any] = {AnswerSurvey: _answer}
