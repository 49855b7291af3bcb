"""The floor's "Survei kepuasan hari ini": today's IKM so far, for the building and per agency.

Theory of operation: the floor snapshot's `skm_today` carries, for the building and each agency,
the respondents and the nine sums of scores of the SKM answers about today's visits (answers are
filed under the visit's day: docs/survey.md); every `survey_answered` event pushed after it adds
one respondent. `SkmToday` keeps those counts (`load`, `add`) and nothing else: no suggestion, no
respondent profile, no officer — the floor shows scores only, as the public page does.
`survey_rows` turns them into what the panel shows; the IKM formula (the mean of the nine NRRs
× 25, exact 1/9 weights) and the grade with the regulation's words are the core's
(`server.core.skm`, published by `server.protocol`), so the floor's figure is the report's.

Pure: no clock, no socket.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from server import protocol as p

__all__ = ["ELEMENT_COUNT", "SkmCounts", "SkmRow", "SkmToday", "ikm_text", "survey_rows"]

ELEMENT_COUNT = 9  # U1..U9 (PermenPANRB 14/2017)


@dataclass(slots=True)
class SkmCounts:
    """Respondents and the per-element sums of their scores (U1..U9)."""

    respondents: int = 0
    sums: list[int] = field(default_factory=lambda: [0] * ELEMENT_COUNT)

    @classmethod
    def read(cls, view: Any) -> SkmCounts:
        """From the snapshot's `{"respondents", "sums"}`; anything malformed reads as none."""
        if not isinstance(view, Mapping):
            return cls()
        respondents, sums = view.get("respondents"), view.get("sums")
        if (
            not isinstance(respondents, int)
            or not isinstance(sums, Sequence)
            or len(sums) != ELEMENT_COUNT
            or not all(isinstance(s, int) for s in sums)
        ):
            return cls()
        return cls(respondents, list(sums))

    def add(self, scores: Sequence[int]) -> None:
        self.respondents += 1
        for i, score in enumerate(scores):
            self.sums[i] += score

    def nrr(self) -> tuple[float, ...] | None:
        """Each element's mean score (NRR), or None without respondents."""
        if not self.respondents:
            return None
        return tuple(s / self.respondents for s in self.sums)


@dataclass(slots=True)
class SkmToday:
    """The day's counts for the building and per agency code."""

    building: SkmCounts = field(default_factory=SkmCounts)
    agencies: dict[str, SkmCounts] = field(default_factory=dict)

    def load(self, view: Any) -> None:
        """Start over from a snapshot's `skm_today` (absent: nobody has answered)."""
        view = view if isinstance(view, Mapping) else {}
        self.building = SkmCounts.read(view.get("building"))
        agencies = view.get("agencies")
        self.agencies = {
            str(code): SkmCounts.read(counts)
            for code, counts in (agencies.items() if isinstance(agencies, Mapping) else ())
        }

    def clear(self) -> None:
        self.building = SkmCounts()
        self.agencies = {}

    def add(self, agency: str, scores: Sequence[int]) -> None:
        """One more answer (a `survey_answered` event about today's visit)."""
        if len(scores) != ELEMENT_COUNT:
            return  # not an answer the core would have taken: the next snapshot tells
        self.building.add(scores)
        self.agencies.setdefault(agency, SkmCounts()).add(scores)


@dataclass(frozen=True, slots=True)
class SkmRow:
    """One row of the panel: the building's, or an agency's."""

    key: str  # "building" or the agency code
    name: str
    respondents: int
    ikm: float | None  # None: nobody has answered yet
    grade: str  # "B — Baik", or "–"
    # The element with the lowest NRR, "U3 Waktu penyelesaian (2,67)": what to follow up first.
    weakest: str


def ikm_text(value: float | None) -> str:
    """86,52: two decimals (half up) with the Indonesian decimal comma, as the core writes an
    IKM (`format_ikm`); a dash for no figure."""
    return "–" if value is None else p.format_ikm(value)


def _row(key: str, name: str, counts: SkmCounts) -> SkmRow:
    nrr = counts.nrr()
    if nrr is None:
        return SkmRow(key, name, 0, None, "–", "–")
    # The core's one division (Tally.ikm), not nine float NRRs summed: 81.875 must stay
    # 81.875 and round to 81,88 as /ikm and the report write it, never 81.87499… → 81,87.
    ikm = p.Tally(counts.respondents, list(counts.sums)).ikm()
    assert ikm is not None  # respondents > 0 (nrr is not None)
    grade = p.grade(ikm)
    low = min(range(ELEMENT_COUNT), key=lambda i: (nrr[i], i))
    element = p.ELEMENTS[low]
    return SkmRow(
        key,
        name,
        counts.respondents,
        ikm,
        f"{grade.letter} — {grade.words}",
        f"{element.code} {element.name} ({ikm_text(nrr[low])})",
    )


def survey_rows(skm: SkmToday, building: Mapping[str, Any]) -> list[SkmRow]:
    """The building first, then each agency that has respondents today, in the building's
    order (an agency the file no longer names comes last, by its code)."""
    rows = [_row("building", str(building.get("name") or "Gedung"), skm.building)]
    names = {a["code"]: a.get("short_name") or a["name"] for a in building.get("agencies", [])}
    order = [*names, *sorted(set(skm.agencies) - set(names))]
    for code in order:
        counts = skm.agencies.get(code)
        if counts is not None and counts.respondents:
            rows.append(_row(code, names.get(code, code), counts))
    return rows
