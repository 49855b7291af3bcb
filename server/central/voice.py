"""The SKM answers and the bookings of a building, per line and day, as its reports count them.

What Room B's fold leaves out (docs/central.md, "The figures"): the IKM of a line's visits of a
day, and what became of the day's online bookings. Both follow the building's own report:

- IKM: `antre report --skm` keeps one answer per ticket (the first in the log), files it under
  the visit's day (the answer's `day`, not the day it was given) and the line the core wrote
  into it, and tallies the nine scores (`server.core.skm.Tally`). Here each answer is a row of
  `survey_answers`, and a line-day's IKM is `Tally.ikm()` of their sums.
- Bookings: `antre report`'s `replay_bookings` follows each booking code to its last state
  (booked, checked in, lapsed, cancelled) on its last day and line; a check-in whose ticket
  never printed (`ticket_print_failed`, or `ticket_expired` before printing) is booked again.
  Here each booking is a row of `bookings`, moved by its events in sequence order.

`VoiceFold` is the pure part (the moves); `fold_voice` loads the rows a chunk of events touches,
moves them and writes them back, inside the ingest's transaction; `voice_figures` reads them.
Every event read here is checked when its batch arrives (`voice_problem`), so the fold never
meets one it cannot read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import psycopg

from server.core.skm import ELEMENTS, Tally

__all__ = [
    "BOOKING_KINDS",
    "VOICE_KINDS",
    "Booking",
    "VoiceFold",
    "fold_voice",
    "voice_figures",
    "voice_problem",
]

SURVEY: Final = "survey_answered"
BOOKING_KINDS: Final = frozenset(
    {"booking_made", "booking_rescheduled", "booking_cancelled", "booking_checked_in",
     "booking_lapsed"}
)  # fmt: skip
_PAPER: Final = frozenset({"ticket_printed", "ticket_print_failed", "ticket_expired"})
VOICE_KINDS: Final = BOOKING_KINDS | _PAPER | {SURVEY}
_STATE_OF: Final = {
    "booking_made": "booked",
    "booking_rescheduled": "booked",
    "booking_cancelled": "cancelled",
    "booking_lapsed": "lapsed",
    "booking_checked_in": "checked_in",
}


def _is_day(value: object) -> bool:
    try:
        date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def voice_problem(kind: str, data: Mapping[str, Any]) -> str | None:
    """Why an answer or booking event cannot be folded (None: it can, or it is not one)."""
    if kind == SURVEY:
        for name in ("ticket", "line", "agency"):
            if not isinstance(data.get(name), str):
                return f'"{name}" must be a string'
        if not _is_day(data.get("day")):
            return '"day" must be a date (YYYY-MM-DD)'
        scores = data.get("scores")
        if (
            not isinstance(scores, list)
            or len(scores) != len(ELEMENTS)
            or not all(type(s) is int and 1 <= s <= 4 for s in scores)
        ):
            return f'"scores" must be {len(ELEMENTS)} whole numbers 1 to 4'
    elif kind in BOOKING_KINDS:
        for name in ("code", "line"):
            if not isinstance(data.get(name), str):
                return f'"{name}" must be a string'
        if not _is_day(data.get("day")):
            return '"day" must be a date (YYYY-MM-DD)'
        if kind == "booking_checked_in" and not isinstance(data.get("ticket"), str):
            return '"ticket" must be a string'
    return None


@dataclass(slots=True)
class Booking:
    line: str
    day: date
    state: str
    printing: str | None = None  # a check-in's ticket, until it prints


@dataclass(frozen=True, slots=True)
class Answer:
    ticket: str
    day: date
    line: str
    agency: str
    scores: tuple[int, ...]
    seq: int


class VoiceFold:
    """Bookings (loaded beforehand: every code and printing ticket the events name) moved by
    events in sequence order, and the survey answers met."""

    def __init__(self, bookings: dict[str, Booking]) -> None:
        self.bookings = bookings
        self.changed: set[str] = set()
        self.answers: list[Answer] = []  # in sequence order: the first of a ticket is kept

    def apply(self, seq: int, kind: str, data: Mapping[str, Any]) -> None:
        if kind == SURVEY:
            self.answers.append(
                Answer(data["ticket"], date.fromisoformat(data["day"]), data["line"],
                       data["agency"], tuple(data["scores"]), seq)
            )  # fmt: skip
        elif kind in BOOKING_KINDS:
            code = data["code"]
            b = self.bookings.get(code)
            day = date.fromisoformat(data["day"])
            if b is None:  # known from the first event that names it, as the report does
                b = self.bookings[code] = Booking(data["line"], day, "booked")
            b.line, b.day, b.state = data["line"], day, _STATE_OF[kind]
            if kind == "booking_lapsed" and data.get("reason") == "not_reached":
                # A visit's later stop the visit ended before (issue 22): the citizen came.
                b.state = "not_reached"
            if kind == "booking_checked_in":
                b.printing = data["ticket"]
            self.changed.add(code)
        elif kind in _PAPER:
            ticket = data.get("ticket")
            for code, b in self.bookings.items():
                if b.printing is not None and b.printing == ticket:
                    b.printing = None
                    if kind != "ticket_printed":
                        b.state = "booked"  # the paper never came out: booked again
                    self.changed.add(code)


def _named(events: Iterable[tuple[int, str, Mapping[str, Any]]]) -> tuple[set[str], set[str]]:
    codes, tickets = set(), set()
    for _seq, kind, data in events:
        if kind in BOOKING_KINDS:
            codes.add(data["code"])
        elif kind in _PAPER and isinstance(data.get("ticket"), str):
            tickets.add(data["ticket"])
    return codes, tickets


def fold_voice(
    conn: psycopg.Connection, building: str, events: Sequence[tuple[int, str, Mapping[str, Any]]]
) -> None:
    """Fold a chunk of (seq, kind, data), in sequence order, into `survey_answers` and
    `bookings` (inside the caller's transaction)."""
    events = [e for e in events if e[1] in VOICE_KINDS]
    if not events:
        return
    codes, tickets = _named(events)
    loaded: dict[str, Booking] = {}
    if codes or tickets:
        for code, line, day, state, printing in conn.execute(
            "SELECT code, line, day, state, printing FROM bookings WHERE building = %s "
            "AND (code = ANY(%s) OR printing = ANY(%s))",
            (building, sorted(codes), sorted(tickets)),
        ):
            loaded[code] = Booking(line, day, state, printing)
    fold = VoiceFold(loaded)
    for seq, kind, data in events:
        fold.apply(seq, kind, data)
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO bookings (building, code, line, day, state, printing) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (building, code) DO UPDATE SET "
            "line = excluded.line, day = excluded.day, state = excluded.state, "
            "printing = excluded.printing",
            [
                (building, code, b.line, b.day, b.state, b.printing)
                for code in sorted(fold.changed)
                for b in (fold.bookings[code],)
            ],
        )
        cur.executemany(  # in sequence order: a ticket's first answer is the one kept
            "INSERT INTO survey_answers (building, ticket, day, line, agency, scores, "
            "score_sum, seq) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [
                (building, a.ticket, a.day, a.line, a.agency, list(a.scores), sum(a.scores),
                 a.seq)
                for a in fold.answers
            ],
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class VoiceFigures:
    """A line's SKM answers and bookings of a day."""

    respondents: int = 0
    ikm: float | None = None
    booked: int = 0
    checked_in: int = 0
    lapsed: int = 0
    cancelled: int = 0
    not_reached: int = 0  # a visit's later stop the visit ended before: the citizen came

    def as_json(self) -> dict[str, Any]:
        return {
            "respondents": self.respondents,
            "ikm": self.ikm,
            "booked": self.booked,
            "checked_in": self.checked_in,
            "lapsed": self.lapsed,
            "cancelled": self.cancelled,
            "not_reached": self.not_reached,
        }


def voice_figures(
    conn: psycopg.Connection, buildings: Sequence[str], first: date, last: date
) -> dict[tuple[str, date, str], VoiceFigures]:
    """{(building, day, line): figures} of the given buildings' days `first` to `last`."""
    sums = ", ".join(f"sum(scores[{i}])" for i in range(1, len(ELEMENTS) + 1))
    survey: dict[tuple[str, date, str], Tally] = {}
    for building, day, line, n, *element_sums in conn.execute(
        f"SELECT building, day, line, count(*), {sums} FROM survey_answers "
        "WHERE building = ANY(%s) AND day BETWEEN %s AND %s GROUP BY building, day, line",
        (list(buildings), first, last),
    ):
        survey[(building, day, line)] = Tally(n, [int(s) for s in element_sums])
    booked: dict[tuple[str, date, str], tuple[int, int, int, int, int]] = {}
    for building, day, line, *counts in conn.execute(
        "SELECT building, day, line, count(*), count(*) FILTER (WHERE state = 'checked_in'), "
        "count(*) FILTER (WHERE state = 'lapsed'), count(*) FILTER (WHERE state = 'cancelled'), "
        "count(*) FILTER (WHERE state = 'not_reached') "
        "FROM bookings WHERE building = ANY(%s) AND day BETWEEN %s AND %s "
        "GROUP BY building, day, line",
        (list(buildings), first, last),
    ):
        booked[(building, day, line)] = tuple(counts)  # type: ignore[assignment]
    out = {}
    for key in survey.keys() | booked.keys():
        tally = survey.get(key)
        b = booked.get(key, (0, 0, 0, 0, 0))
        out[key] = VoiceFigures(
            tally.respondents if tally else 0, tally.ikm() if tally else None, *b
        )
    return out
