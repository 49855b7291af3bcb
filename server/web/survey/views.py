"""What the citizen's voice pages show, as plain values: the pages render these and nothing else.

`server/web/survey/site.py` and `public.py` make them from the edge's `VoiceApi` and the
building; the renderer (pages.py) reads only these, so that it knows none of the core's shapes
and a test can state a page's content by hand. Times are local to the building already.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

__all__ = [
    "ComplaintView",
    "IkmBoard",
    "IkmFigure",
    "IkmRow",
    "SurveyStatus",
    "VisitView",
]


@dataclass(frozen=True, slots=True)
class VisitView:
    """A ticket's visit as the forms name it at their top."""

    number: str  # "A-017"
    line_name: str
    agency_name: str
    day: date


class SurveyStatus(StrEnum):
    """Where a ticket stands with the survey: what its phone page offers."""

    OPEN = "open"  # finished, not answered, within `[survey] days_open`
    ANSWERED = "answered"  # one response per ticket: "Terima kasih…"
    NOT_YET = "not_yet"  # its service is not finished
    CLOSED = "closed"  # finished too long ago: nothing is offered
    DISABLED = "disabled"  # `[survey] enabled = false`


@dataclass(frozen=True, slots=True)
class ComplaintView:
    """One complaint as the citizen who filed it sees it on the ticket's page."""

    id: str  # "ADU-261203-001"
    state: str  # ComplaintState's value: received, in_progress, answered, closed
    category: str  # the category's code
    text: str
    filed_at: datetime  # local
    deadline: datetime | None  # local: the next step's (to take it, then to answer it)
    answer: str | None


@dataclass(frozen=True, slots=True)
class IkmFigure:
    """One unit's IKM over one period: None (and no grade) while nobody answered."""

    respondents: int
    ikm: float | None
    letter: str | None = None  # "B"
    words: str | None = None  # "Baik"
    words_en: str | None = None  # "Good"


@dataclass(frozen=True, slots=True)
class IkmRow:
    """An agency's (or the whole building's) figures, this period so far and the last whole."""

    name: str
    now: IkmFigure
    last: IkmFigure


@dataclass(frozen=True, slots=True)
class IkmBoard:
    """The public page's table: the building's agencies, and the building as a whole."""

    building: str
    now_label: str  # "Triwulan IV 2026"
    now_until: date  # today: the current period is so far
    last_label: str  # "Triwulan III 2026"
    agencies: tuple[IkmRow, ...]
    total: IkmRow
