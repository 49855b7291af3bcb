"""The complaints' vocabulary (issue 20): states and their labels, categories, limits, the
tracking id. Apart from server/core/complaints.py (the book and the decisions) so that
`server.protocol` publishes it to clients without the rest of the core. Standard library only.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Final

__all__ = [
    "ANSWER_MAX",
    "CATEGORIES",
    "CATEGORY_CODES",
    "CATEGORY_PROBLEM",
    "CLOSED_KEPT_DAYS",
    "NAME_MAX",
    "NOTE_MAX",
    "PER_TICKET",
    "PHONE_MAX",
    "STATE_LABELS",
    "STATE_LABELS_EN",
    "STEP_WORDS",
    "SYSTEM",
    "TEXT_MAX",
    "ComplaintState",
    "complaint_id",
]


class ComplaintState(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


# What a citizen and the floor read (KBBI; the words of SP4N-LAPOR!'s tracking).
STATE_LABELS: Final[dict[ComplaintState, str]] = {
    ComplaintState.RECEIVED: "Diterima",
    ComplaintState.IN_PROGRESS: "Diproses",
    ComplaintState.ANSWERED: "Dijawab",
    ComplaintState.CLOSED: "Selesai",
}
STATE_LABELS_EN: Final[dict[ComplaintState, str]] = {
    ComplaintState.RECEIVED: "Received",
    ComplaintState.IN_PROGRESS: "In progress",
    ComplaintState.ANSWERED: "Answered",
    ComplaintState.CLOSED: "Closed",
}
# How a state reads in the "complaint_step" refusal: "… karena pengaduan ADU-… sudah dijawab".
STEP_WORDS: Final[dict[ComplaintState, str]] = {
    ComplaintState.RECEIVED: "belum diproses",
    ComplaintState.IN_PROGRESS: "sedang diproses",
    ComplaintState.ANSWERED: "sudah dijawab",
    ComplaintState.CLOSED: "sudah selesai",
}

# (code, label, English label).
CATEGORIES: Final[tuple[tuple[str, str, str], ...]] = (
    ("waktu", "Waktu tunggu dan pelayanan", "Waiting and service time"),
    ("petugas", "Perilaku petugas", "Staff behaviour"),
    ("prosedur", "Persyaratan dan prosedur", "Requirements and procedure"),
    ("biaya", "Biaya atau pungutan di luar ketentuan", "Fees or charges beyond the rules"),
    ("sarana", "Sarana dan prasarana", "Facilities"),
    ("informasi", "Informasi yang tidak jelas", "Unclear information"),
    ("lainnya", "Lainnya", "Other"),
)
CATEGORY_CODES: Final = frozenset(code for code, _, _ in CATEGORIES)
CATEGORY_PROBLEM: Final = "Pilih salah satu jenis pengaduan."  # an unknown category

TEXT_MAX: Final = 2000  # characters of a complaint's text
ANSWER_MAX: Final = 2000  # of the answer the citizen reads
NOTE_MAX: Final = 500  # of a manager's note (taking it in hand, closing it)
NAME_MAX: Final = 100  # of the optional contact's name
PHONE_MAX: Final = 30  # of the optional contact's phone, as typed
PER_TICKET: Final = 3  # complaints about one visit
CLOSED_KEPT_DAYS: Final = 30  # a closed complaint stays in the book this many days
SYSTEM: Final = "system"  # who closes an answered complaint after `close_days`


def complaint_id(day: date, seq: int) -> str:
    """The tracking id staff and SP4N-LAPOR! operators read: "ADU-261203-007"."""
    return f"ADU-{day:%y%m%d}-{seq:03d}"
