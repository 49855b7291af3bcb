"""The SKM survey's figures of a period (PermenPANRB 14/2017; issue 20): pure, no disk, no clock.

Theory of operation: the report reads every `survey_answered` event about a visit of the
period (its `day`, the visit's service day, not the day the citizen answered: an answer comes
up to `[survey] days_open` days later) and the period's own ticket records
(`server.report.stats.TicketRecord`). `skm_figures` folds them into one `SkmGroup` per scope:

- the answers (a `server.core.skm.Tally`: respondents and the sum of each element's scores),
  filed under the agency, line, counter and officer the core wrote into the answer (the
  counter and officer of the visit's service);
- the population, the finished visits of the period (tickets with `service_finished`; a visit of
  several stops once, under its last served stop, with all its stops' waits: issue 22), filed
  under the ticket's last line, its agency, and the counter and officer of its last call:
  the survey's population, what the Krejcie–Morgan sample is measured against.

Each answer's wait is the sum of its ticket's waiting periods as the report defines them
(docs/reports.md, "wait"), joined by ticket id; the answers are tallied again by wait band
(`server.core.skm.wait_band`) for the building and each agency. Channels count answers by where
they were given (`phone`, `tablet:<device>`, `exit:<device>`). The suggestions are kept apart,
with the visit's day, agency and line only: never its counter or officer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from server.core.events import SurveyAnswered, read_event
from server.core.skm import Tally, wait_band
from server.report.stats import TicketRecord
from server.store import LogEntry

__all__ = [
    "PROFILE_FIELDS",
    "SCOPES",
    "SkmFigures",
    "SkmGroup",
    "Suggestion",
    "VisitRecord",
    "channel_kind",
    "finished_visits",
    "read_answers",
    "skm_figures",
]

# The scopes of skm.csv, in its order; "building" has one group, keyed "".
SCOPES = ("building", "agency", "line", "counter", "officer")
# The optional respondent profile of the model questionnaire, as SurveyAnswered names it.
PROFILE_FIELDS = ("age", "sex", "education", "occupation")


@dataclass(slots=True)
class SkmGroup:
    """The answers and the population of one scope (the building, an agency, a line …)."""

    scope: str
    key: str
    tally: Tally = field(default_factory=Tally)
    finished: int = 0  # finished visits of the period: the survey's population


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A respondent's free text (saran), with no more of the visit than its day and service."""

    day: date
    agency: str
    line: str
    text: str


@dataclass(slots=True)
class SkmFigures:
    """Everything the SKM files show of one period."""

    groups: dict[str, dict[str, SkmGroup]]  # scope -> key -> group (SCOPES)
    # (scope "building" | "agency", key) -> wait band label -> the answers of that band
    waits: dict[tuple[str, str], dict[str, Tally]]
    # (scope "building" | "agency", key) -> channel kind ("phone", "tablet", "exit") -> answers
    channels: dict[tuple[str, str], Counter[str]]
    devices: Counter[str]  # "tablet:T-L01" -> answers given there
    suggestions: list[Suggestion]  # by visit day, then as answered
    profile: dict[str, Counter[str]]  # "age" -> code ("" unanswered) -> respondents
    unmatched: int  # answers whose ticket has no record in the period's log (no wait known)
    line_agency: dict[str, str]  # each line's agency, as the answers and the file name it


def read_answers(entries: Iterable[LogEntry], first: date, last: date) -> list[SurveyAnswered]:
    """The survey answers about visits of `first` to `last`, one per ticket (and one per visit
    of several stops), in log order."""
    seen: set[str] = set()
    out: list[SurveyAnswered] = []
    for entry in entries:
        if entry.event["kind"] != SurveyAnswered.kind:
            continue
        event = read_event(entry.event)
        assert isinstance(event, SurveyAnswered)
        # The core answers a ticket once; a second answer in a log would be a bug, never a
        # second respondent.
        if first <= event.day <= last and not {event.ticket, event.visit} & seen:
            seen |= {event.ticket} | ({event.visit} if event.visit else set())
            out.append(event)
    return out


def channel_kind(channel: str) -> str:
    """ "tablet:T-L01" -> "tablet"; "phone" -> "phone"."""
    return channel.partition(":")[0]


@dataclass(frozen=True, slots=True)
class VisitRecord:
    """A finished visit as the survey reads it: small, a quarter of them is kept in memory."""

    line: str  # the line it finished on
    counter: str | None  # the counter of its last call
    officer: str | None  # the officer logged in there at that call
    wait_s: float  # the sum of its waiting periods (the journal's `wait_s`)


def finished_visits(tickets: Mapping[str, TicketRecord]) -> dict[str, VisitRecord]:
    """One day's finished visits by ticket id: the survey's population.

    A ticket of its own counts once its service finished (`service_finished`). A visit of
    several stops (issue 22) counts once, as the survey asks about it once: under its last
    served stop's ticket (the one its answer names), with the waits of all its stops."""
    out: dict[str, VisitRecord] = {}
    stops: dict[str, list[TicketRecord]] = {}
    for t in tickets.values():
        if t.visit is not None:
            stops.setdefault(t.visit, []).append(t)
        elif t.finished_at is not None:
            out[t.id] = VisitRecord(t.line, t.counter, t.officer, _waited(t))
    for mine in stops.values():
        served = [t for t in mine if t.finished_at is not None]
        if served:
            last = max(served, key=lambda t: (t.stop or 0, t.finished_at))
            wait = math.fsum(_waited(t) for t in mine)
            out[last.id] = VisitRecord(last.line, last.counter, last.officer, wait)
    return out


def _waited(t: TicketRecord) -> float:
    return sum(p.seconds for p in t.waits)


def skm_figures(
    answers: Sequence[SurveyAnswered],
    visits: Mapping[str, VisitRecord],
    agency_of: Mapping[str, str],
    bands_min: Sequence[int],
) -> SkmFigures:
    """The period's figures: `visits` are the period's finished visits by ticket id,
    `agency_of` each line's agency (the building file's), `bands_min` the `[survey]
    wait_bands_min`."""
    groups: dict[str, dict[str, SkmGroup]] = {scope: {} for scope in SCOPES}

    def group(scope: str, key: str | None) -> SkmGroup | None:
        if key is None or (scope != "building" and not key):
            return None
        table = groups[scope]
        if key not in table:
            table[key] = SkmGroup(scope, key)
        return table[key]

    def scopes(agency: str | None, line: str, counter: str | None, officer: str | None):
        keys = (("building", ""), ("agency", agency), ("line", line))
        keys += (("counter", counter), ("officer", officer))
        return [g for scope, key in keys if (g := group(scope, key)) is not None]

    for v in visits.values():
        for g in scopes(agency_of.get(v.line), v.line, v.counter, v.officer):
            g.finished += 1

    waits: dict[tuple[str, str], dict[str, Tally]] = {}
    channels: dict[tuple[str, str], Counter[str]] = {}
    devices: Counter[str] = Counter()
    profile: dict[str, Counter[str]] = {name: Counter() for name in PROFILE_FIELDS}
    suggestions: list[Suggestion] = []
    unmatched = 0
    line_agency = {line: agency for line, agency in agency_of.items() if line in groups["line"]}
    for a in answers:
        line_agency.setdefault(a.line, a.agency)
        for g in scopes(a.agency, a.line, a.counter, a.officer):
            g.tally.add(a.scores)
        wide = (("building", ""), ("agency", a.agency))
        kind = channel_kind(a.channel)
        for key in wide:
            channels.setdefault(key, Counter())[kind] += 1
        if kind != a.channel:
            devices[a.channel] += 1
        v = visits.get(a.ticket)
        if v is None:
            unmatched += 1
        else:
            band = wait_band(v.wait_s, tuple(bands_min))
            for key in wide:
                waits.setdefault(key, {}).setdefault(band, Tally()).add(a.scores)
        for name in PROFILE_FIELDS:
            profile[name][getattr(a, name) or ""] += 1
        if a.suggestion and a.suggestion.strip():
            suggestions.append(Suggestion(a.day, a.agency, a.line, a.suggestion.strip()))
    suggestions.sort(key=lambda s: s.day)  # stable: the answers' own order within a day
    return SkmFigures(
        groups, waits, channels, devices, suggestions, profile, unmatched, line_agency
    )
