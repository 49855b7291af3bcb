"""The survey and complaint forms as a citizen sends them, read and checked at the edge.

`read_survey` turns a posted form (`u1`…`u9`: "1" to "4", the worded answer's score; `usia`,
`jk`, `pendidikan`, `pekerjaan`: a profile option's code or empty; `saran`: free text) into a
`SurveyAnswer`, or the problems by field, each a key of texts.py: the page says what is wrong
beside each question and keeps what was chosen. `read_complaint` does the same for `kategori`,
`isi`, `nama`, `hp` (contact optional: neither given is an anonymous complaint). The core checks
again (`skm.survey_problem`, the complaint's decision): the page's check is for the citizen's
sake, the core's is the rule.

`read_entry` reads what the exit kiosk's field received: a typed queue number ("A-017", "a17",
"A 017") or a scanned ticket QR, which a USB scanner types as the phone page's URL
(`…/t/<token>`): the token is taken from it, never the rest of the URL.

Text is kept as typed (trimmed; line ends made "\\n"): nothing is refused for looking like
markup, every page escapes it.

Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from server.core import complaints, skm
from server.roles import TICKET_TOKEN_RE
from server.web.booking.fields import normalize_phone, read_name

__all__ = [
    "PROFILE_FIELDS",
    "SCORE_FIELDS",
    "ComplaintForm",
    "Entry",
    "SurveyAnswer",
    "clean_text",
    "read_complaint",
    "read_entry",
    "read_survey",
]

# The form's field of each element, in the regulation's order: u1 … u9.
SCORE_FIELDS: Final = tuple(element.code.lower() for element in skm.ELEMENTS)
# The optional respondent profile: the form's field, the page's label key, the options.
PROFILE_FIELDS: Final = (
    ("usia", "age", skm.AGE_BANDS),
    ("jk", "sex", skm.SEXES),
    ("pendidikan", "education", skm.EDUCATIONS),
    ("pekerjaan", "occupation", skm.OCCUPATIONS),
)
_NUMBER_RE: Final = re.compile(r"([A-Z][A-Z0-9]{0,7}?)[\s-]*0*([0-9]{1,4})")
_SCANNED_RE: Final = re.compile(r"(?:https?://[^/\s]+)?/t/([^/?#\s]+)/?(?:[?#].*)?")


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    """One citizen's answers, checked: the scores of U1..U9 and the optional profile."""

    scores: tuple[int, ...]
    age: str | None = None
    sex: str | None = None
    education: str | None = None
    occupation: str | None = None
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class ComplaintForm:
    """A complaint as filed from the phone page, checked."""

    category: str
    text: str
    name: str | None
    phone: str | None  # "081234567890"


@dataclass(frozen=True, slots=True)
class Entry:
    """What the exit kiosk was given: today's queue number, or a scanned ticket's token."""

    number: str | None = None  # "A-017"
    token: str | None = None


def clean_text(typed: str) -> str:
    """Text as typed, trimmed, line ends as "\\n", control characters other than the line end
    and the tab removed (they show as nothing and can only confuse a reader)."""
    text = typed.replace("\r\n", "\n").replace("\r", "\n").strip()
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")


def read_survey(form: Mapping[str, str]) -> tuple[SurveyAnswer | None, dict[str, str]]:
    """The answers from a posted survey form, or the problems by field (texts.py keys)."""
    problems: dict[str, str] = {}
    scores: list[int] = []
    for name in SCORE_FIELDS:
        value = form.get(name, "")
        if value in ("1", "2", "3", "4"):
            scores.append(int(value))
        else:
            problems[name] = "choice_bad" if value else "answer_missing"
    profile: dict[str, str | None] = {}
    for name, key, options in PROFILE_FIELDS:
        value = form.get(name, "")
        if value and value not in {code for code, _, _ in options}:
            problems[name] = "choice_bad"
        profile[key] = value or None
    suggestion = clean_text(form.get("saran", ""))
    if len(suggestion) > skm.SUGGESTION_MAX:
        problems["saran"] = "suggestion_too_long"
    if problems:
        return None, problems
    return (
        SurveyAnswer(
            tuple(scores),
            profile["age"],
            profile["sex"],
            profile["education"],
            profile["occupation"],
            suggestion or None,
        ),
        {},
    )


def read_complaint(form: Mapping[str, str]) -> tuple[ComplaintForm | None, dict[str, str]]:
    """The complaint from a posted form, or the problems by field (texts.py keys)."""
    problems: dict[str, str] = {}
    category = form.get("kategori", "")
    if not category:
        problems["kategori"] = "category_missing"
    elif category not in {code for code, _, _ in complaints.CATEGORIES}:
        problems["kategori"] = "choice_bad"
    text = clean_text(form.get("isi", ""))
    if not text:
        problems["isi"] = "text_missing"
    elif len(text) > complaints.TEXT_MAX:
        problems["isi"] = "text_too_long"
    name: str | None = None
    if form.get("nama", "").strip():
        name, problem = read_name(form["nama"])
        if problem:
            problems["nama"] = problem
    phone: str | None = None
    if form.get("hp", "").strip():
        phone = normalize_phone(form["hp"])
        if phone is None:
            problems["hp"] = "phone_bad"
    if problems:
        return None, problems
    return ComplaintForm(category, text, name, phone), {}


def read_entry(typed: str) -> Entry | None:
    """A typed queue number as "A-017", or a scanned ticket URL's token; None for anything else."""
    text = typed.strip()
    scanned = _SCANNED_RE.fullmatch(text)
    if scanned:
        token = scanned.group(1)
        return Entry(token=token) if TICKET_TOKEN_RE.fullmatch(token) else None
    number = _NUMBER_RE.fullmatch(text.upper())
    if number is None or int(number.group(2)) == 0:
        return None
    return Entry(number=f"{number.group(1)}-{int(number.group(2)):03d}")
