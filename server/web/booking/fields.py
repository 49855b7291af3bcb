"""The booking form's fields as a citizen types them, checked and put in one form.

`read_applicant` turns the submitted fields into an `Applicant` or a problem per field (a key of
texts.py, or the NIK check's own Indonesian sentence), so that the page can say what is wrong
beside each field and keep what was typed — except the NIK, which never goes back into a page.

A name is what the KTP-el says: any letters and the punctuation of names and titles ("H. Ahmad
Fauzi, S.H.", "Ni Luh Putu Ayu", "Nur'aini"), at most `NAME_MAX` characters, at least one
letter, no control characters. Nothing is refused for looking like markup: every page escapes it
(the safety is there, not here), and a name is the citizen's. A phone is an Indonesian mobile
number, written with or without +62, spaces, dots, dashes or brackets: kept as "08…" digits.

Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from server.core.events import PriorityGroup
from server.core.nik import nik_digits, nik_last4, nik_problem

__all__ = [
    "NAME_MAX",
    "Applicant",
    "normalize_phone",
    "read_applicant",
    "read_name",
]

NAME_MAX: Final = 80
_PHONE_SEPARATORS: Final = re.compile(r"[\s.()\-‐–—]+")
# An Indonesian mobile number: 08 and 8 to 11 more digits (10 to 13 in all).
_MOBILE: Final = re.compile(r"08[0-9]{8,11}")


@dataclass(frozen=True, slots=True)
class Applicant:
    """Who books: checked, in the forms the booking keeps."""

    name: str
    phone: str  # "081234567890"
    nik: str  # 16 digits; only ever hashed and cut to its last four at the edge
    priority: PriorityGroup | None

    @property
    def nik_last4(self) -> str:
        return nik_last4(self.nik)


def read_name(typed: str) -> tuple[str, str | None]:
    """The name with its spaces tidied, and the key of its problem (None: fine)."""
    name = " ".join(typed.split())
    if not name:
        return name, "name_missing"
    if len(name) > NAME_MAX:
        return name, "name_too_long"
    if any(unicodedata.category(c)[0] == "C" for c in name):  # control, format, unassigned
        return name, "name_bad"
    if not any(c.isalpha() for c in name):
        return name, "name_bad"
    return name, None


def normalize_phone(typed: str) -> str | None:
    """An Indonesian mobile number as "08…" digits, or None when it is not one."""
    digits = _PHONE_SEPARATORS.sub("", typed)
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits if _MOBILE.fullmatch(digits) else None


def read_applicant(
    form: Mapping[str, str], *, priority_allowed: bool
) -> tuple[Applicant | None, dict[str, str]]:
    """The applicant from the form's `nama`, `nik`, `hp` and `prioritas`, or the problems by
    field: a texts.py key, or for the NIK the check's own sentence (server/core/nik.py)."""
    problems: dict[str, str] = {}
    name, name_problem = read_name(form.get("nama", ""))
    if name_problem:
        problems["nama"] = name_problem
    nik_typed = form.get("nik", "")
    nik_text = nik_problem(nik_typed)
    if nik_text:
        problems["nik"] = nik_text
    phone_typed = form.get("hp", "")
    phone = normalize_phone(phone_typed)
    if phone is None:
        problems["hp"] = "phone_bad" if phone_typed.strip() else "phone_missing"
    priority: PriorityGroup | None = None
    chosen = form.get("prioritas", "")
    if chosen:
        try:
            priority = PriorityGroup(chosen)
        except ValueError:
            problems["prioritas"] = "priority_bad"
        if not priority_allowed:
            problems["prioritas"] = "priority_bad"
    if problems or phone is None:
        return None, problems
    return Applicant(name, phone, nik_digits(nik_typed), priority), {}
