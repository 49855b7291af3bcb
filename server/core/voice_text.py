"""The grammar of a call's sentence: the reading styles and the phrase template.

Pure and stdlib only, so that the building file's validation (server/config/settings.py) and
the TV's voice (server/web/voice.py) share one definition of what a template may say.

A template names the ticket's number and the counter, and may name the agency:
"Nomor antrean {number}, silakan menuju {desk}[, {agency}]". The counter is named either as the
desk the citizen walks to (`{desk}`: "loket tujuh", "loket tiga A", or the counter's own spoken
form, "gerai BPJS") or, in templates written before counters had labels, by its number alone
after the template's own word (`loket {counter}`: "tujuh", "tiga A"). A part in `[...]` is
spoken only when every placeholder inside it has a value.

A visit's hand-on (issue 22) has its own fixed sentence, `HANDON_TEMPLATE`: "Nomor antrean A nol
satu tujuh, silakan lanjut ke BPJS Kesehatan, nomor antrean J nol satu empat." — the number the
citizen holds, the agency they go to next (its short name, as the TV shows it) and the number
waiting for them there, both read in the building's reading style.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Final

__all__ = [
    "DEFAULT_TEMPLATE",
    "HANDON_TEMPLATE",
    "MAX_TEMPLATE_LEN",
    "PLACEHOLDERS",
    "ReadingStyle",
    "fill_handon",
    "fill_template",
    "says_desk",
    "validate_template",
]


class ReadingStyle(StrEnum):
    """How the digits of a ticket number are read aloud."""

    DIGITS = "digits"  # "B nol satu tujuh": nobody mishears 017 as 70
    NUMBER = "number"  # "B tujuh belas": shorter, as some MPPs prefer


DEFAULT_TEMPLATE: Final = "Nomor antrean {number}, silakan menuju {desk}[, {agency}]"
# Not configurable: the words of issue 22, the same in every building; only the reading style
# and the agency's name are the building's.
HANDON_TEMPLATE: Final = (
    "Nomor antrean {from_number}, silakan lanjut ke {agency}, nomor antrean {number}."
)
PLACEHOLDERS: Final = frozenset({"number", "counter", "desk", "agency"})
MAX_TEMPLATE_LEN: Final = 200
_PLACEHOLDER_RE: Final = re.compile(r"\{([a-z_]*)\}")
_OPTIONAL_RE: Final = re.compile(r"\[([^\[\]]*)\]")


def validate_template(template: str) -> None:
    """Raise ValueError unless the template is short, balanced, names {number} and the counter."""
    if not template or len(template) > MAX_TEMPLATE_LEN:
        raise ValueError(f"a phrase template has 1 to {MAX_TEMPLATE_LEN} characters")
    names = _PLACEHOLDER_RE.findall(template)
    unknown = set(names) - PLACEHOLDERS
    if unknown:
        raise ValueError(f"unknown placeholder(s) in phrase template: {sorted(unknown)}")
    if "number" not in names or not {"desk", "counter"} & set(names):
        raise ValueError("a phrase template must contain {number} and {desk} (or {counter})")
    without_fields = _PLACEHOLDER_RE.sub("", template)
    without_options = _OPTIONAL_RE.sub("", template)
    if any(c in without_fields for c in "{}") or any(c in without_options for c in "[]"):
        raise ValueError("unbalanced brackets or braces in phrase template")


def says_desk(template: str) -> bool:
    """True when the template says `{desk}`, the only place a counter's own spoken form is heard."""
    return "desk" in _PLACEHOLDER_RE.findall(template)


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """The template with its placeholders filled; an optional part goes when a value is empty."""
    validate_template(template)

    def optional(match: re.Match[str]) -> str:
        inner = match.group(1)
        needed = _PLACEHOLDER_RE.findall(inner)
        return inner if all(values[name] for name in needed) else ""

    text = _OPTIONAL_RE.sub(optional, template)
    text = _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], text)
    return " ".join(text.split())


def fill_handon(from_number: str, agency: str, number: str) -> str:
    """The hand-on sentence from the two numbers as spoken and the next agency's name."""
    values = {"from_number": from_number, "agency": " ".join(agency.split()), "number": number}
    if not all(values.values()):
        raise ValueError("a hand-on names both numbers and the next agency")
    text = _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], HANDON_TEMPLATE)
    return " ".join(text.split())
