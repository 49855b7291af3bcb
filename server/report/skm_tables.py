"""The SKM report's CSV tables (skm.csv, skm_waits.csv, skm_channels.csv, complaints.csv).

docs/reports.md documents every column. The figures come from `server.report.skm_stats` and
`server.report.complaint_stats` (pure) and `server.core.skm` (NRR, IKM, grade, sample); this
module only shapes them: NRR to four decimals, the IKM to two, rounded half up as the grade
reads it (`skm.rounded`: the regulation's table is read on the IKM to two decimals),
percentages to one, instants in the building's local time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any

from server.core.building import Building
from server.core.complaint_terms import CATEGORIES, STATE_LABELS, ComplaintState
from server.core.skm import ELEMENTS, Tally, grade, rounded, sample_size, wait_band_labels
from server.report.complaint_stats import ComplaintRecord
from server.report.skm_stats import SkmFigures, SkmGroup

__all__ = [
    "CHANNEL_COLUMNS",
    "COMPLAINT_COLUMNS",
    "SKM_COLUMNS",
    "WAIT_COLUMNS",
    "Names",
    "channel_rows",
    "complaint_rows",
    "skm_rows",
    "tally_figures",
    "wait_rows",
]

NRR_COLUMNS = tuple(f"nrr_{e.code.lower()}" for e in ELEMENTS)  # nrr_u1 … nrr_u9
_SCORE_COLUMNS = (*NRR_COLUMNS, "ikm", "grade", "grade_words")

SKM_COLUMNS = (
    "scope",
    "key",
    "name",
    "agency",
    "from",
    "to",
    "respondents",
    "finished_visits",
    "response_rate_pct",
    "required_sample",
    "shortfall",
    *_SCORE_COLUMNS,
)
WAIT_COLUMNS = ("scope", "key", "name", "from", "to", "wait_band", "respondents", *_SCORE_COLUMNS)
CHANNEL_COLUMNS = (
    "scope",
    "key",
    "name",
    "channel",
    "counter",
    "responses",
    "share_pct",
    "finished_visits",
    "response_rate_pct",
)
# SP4N-LAPOR!'s report form (Judul, Isi, Tanggal kejadian, Lokasi, Instansi tujuan, Klasifikasi,
# Kategori) first, then Antre's tracking of the complaint's steps and deadlines.
COMPLAINT_COLUMNS = (
    "id",
    "classification",
    "title",
    "text",
    "event_date",
    "location",
    "agency",
    "agency_name",
    "category",
    "category_label",
    "line",
    "line_name",
    "counter",
    "ticket_number",
    "officer",
    "channel",
    "received_at",
    "state",
    "state_label",
    "take_by",
    "taken_at",
    "taken_by",
    "taken_on_time",
    "answer_by",
    "answered_at",
    "answered_by",
    "answered_on_time",
    "answer",
    "closes_at",
    "closed_at",
    "closed_by",
    "notes",
)


class Names:
    """The building file's names of agencies, lines, counters and officers (empty when the
    file no longer has one), and the agency each belongs to."""

    def __init__(self, building: Building) -> None:
        self.building = building.name
        self._names: dict[tuple[str, str], str] = {("building", ""): building.name}
        self._agency: dict[tuple[str, str], str] = {}
        for a in building.agencies:
            self._names["agency", a.code] = a.name
        for ln in building.lines:
            self._names["line", ln.prefix] = ln.name
            self._agency["line", ln.prefix] = ln.agency
        for c in building.counters:
            self._names["counter", c.id] = c.name
            self._agency["counter", c.id] = c.agency
        for o in building.officers:
            self._names["officer", o.id] = o.name
            self._agency["officer", o.id] = o.agency
        # A tablet faces the citizen at one counter (DeviceKind.TABLET).
        self.tablet_counter = {d.id: d.counter for d in building.devices if d.counter}

    def name(self, scope: str, key: str) -> str:
        return self._names.get((scope, key), "")

    def agency(self, scope: str, key: str) -> str:
        return self._agency.get((scope, key), "")


def _pct(part: int, whole: int) -> float | str:
    return "" if not whole else round(100 * part / whole, 1)


def tally_figures(tally: Tally) -> dict[str, Any]:
    """The score columns of a tally: NRR per element, IKM, grade; empty with no respondent."""
    nrrs, ikm = tally.nrr(), tally.ikm()
    if nrrs is None or ikm is None:
        return dict.fromkeys(_SCORE_COLUMNS, "")
    g = grade(ikm)
    out: dict[str, Any] = {col: round(v, 4) for col, v in zip(NRR_COLUMNS, nrrs, strict=True)}
    # rounded: half up, as the grade reads it (88.305 is 88.31, A), never the float's round.
    return out | {"ikm": float(rounded(ikm)), "grade": g.letter, "grade_words": g.words}


def _sample(g: SkmGroup) -> tuple[int | str, int | str]:
    """The Krejcie–Morgan sample of the group's population, and how many answers short of it."""
    if not g.finished:
        return "", ""
    need = sample_size(g.finished)
    return need, max(0, need - g.tally.respondents)


def skm_rows(
    figures: SkmFigures, names: Names, first: date, last: date, officers: bool
) -> list[dict[str, Any]]:
    """skm.csv: the building, then each agency, line, counter (and officer) by key."""
    rows = []
    for scope, table in figures.groups.items():
        if scope == "officer" and not officers:
            continue
        for key in sorted(table):
            g = table[key]
            need, short = _sample(g)
            rows.append(
                {
                    "scope": scope,
                    "key": key,
                    "name": names.name(scope, key),
                    "agency": key if scope == "agency" else names.agency(scope, key),
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    "respondents": g.tally.respondents,
                    "finished_visits": g.finished,
                    "response_rate_pct": _pct(g.tally.respondents, g.finished),
                    "required_sample": need,
                    "shortfall": short,
                    **tally_figures(g.tally),
                }
            )
    if not figures.groups["building"]:  # no visit and no answer: the building's row still
        rows.insert(0, skm_empty_row(names, first, last))
    return rows


def skm_empty_row(names: Names, first: date, last: date) -> dict[str, Any]:
    return {
        "scope": "building",
        "key": "",
        "name": names.building,
        "agency": "",
        "from": first.isoformat(),
        "to": last.isoformat(),
        "respondents": 0,
        "finished_visits": 0,
        "response_rate_pct": "",
        "required_sample": "",
        "shortfall": "",
        **dict.fromkeys(_SCORE_COLUMNS, ""),
    }


def wait_rows(
    figures: SkmFigures, names: Names, first: date, last: date, bands_min: tuple[int, ...]
) -> list[dict[str, Any]]:
    """skm_waits.csv: every wait band of the building and of each agency with answers."""
    rows = []
    for scope, key in sorted(figures.waits, key=lambda k: (k[0] != "building", k[1])):
        by_band = figures.waits[scope, key]
        for band in wait_band_labels(bands_min):
            tally = by_band.get(band, Tally())
            rows.append(
                {
                    "scope": scope,
                    "key": key,
                    "name": names.name(scope, key),
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    "wait_band": band,
                    "respondents": tally.respondents,
                    **tally_figures(tally),
                }
            )
    return rows


def channel_rows(figures: SkmFigures, names: Names) -> list[dict[str, Any]]:
    """skm_channels.csv: answers per channel of the building and each agency, then per device."""
    finished = {
        (scope, key): g.finished
        for scope in ("building", "agency", "counter")
        for key, g in figures.groups[scope].items()
    }
    total = sum(figures.channels.get(("building", ""), {}).values())
    rows = []
    for scope, key in sorted(figures.channels, key=lambda k: (k[0] != "building", k[1])):
        counts = figures.channels[scope, key]
        whole = sum(counts.values())
        visits = finished.get((scope, key), 0)
        for channel in (*sorted(counts), "all"):
            n = whole if channel == "all" else counts[channel]
            rows.append(
                {
                    "scope": scope,
                    "key": key,
                    "name": names.name(scope, key),
                    "channel": channel,
                    "counter": "",
                    "responses": n,
                    "share_pct": _pct(n, whole),
                    "finished_visits": visits,
                    "response_rate_pct": _pct(n, visits),
                }
            )
    for device in sorted(figures.devices):
        kind, _, device_id = device.partition(":")
        n = figures.devices[device]
        counter = names.tablet_counter.get(device_id, "") if kind == "tablet" else ""
        # A tablet answers for its counter's visits only; an exit page for the building's.
        visits = (
            finished.get(("counter", counter), 0) if counter else finished.get(("building", ""), 0)
        )
        rows.append(
            {
                "scope": "device",
                "key": device_id,
                "name": names.name("counter", counter) if counter else "",
                "channel": kind,
                "counter": counter,
                "responses": n,
                "share_pct": _pct(n, total),
                "finished_visits": visits,
                "response_rate_pct": _pct(n, visits),
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# complaints.csv
# --------------------------------------------------------------------------------------------

_CATEGORY_LABEL = {code: label for code, label, _en in CATEGORIES}


def _ts(value: datetime | None, tz: tzinfo) -> str:
    return value.astimezone(tz).isoformat() if value is not None else ""


# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection"). complaints.csv is
# opened on the office PC: a citizen's text beginning "=HYPERLINK(…)" must stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _typed(text: str | None) -> str:
    """A text someone typed, as a cell: a leading apostrophe when it would start a formula."""
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _on_time(done: datetime | None, due: datetime | None) -> str:
    """ "ya" / "tidak" for a step done by its deadline; empty while it is not done."""
    if done is None or due is None:
        return ""
    return "ya" if done <= due else "tidak"


def complaint_rows(
    complaints: Mapping[str, ComplaintRecord], names: Names, tz: tzinfo, officers: bool
) -> list[dict[str, Any]]:
    """complaints.csv: one row per complaint filed in the period, in filing order."""
    rows = []
    for c in complaints.values():
        category = _CATEGORY_LABEL.get(c.category, c.category)
        line_name = names.name("line", c.line) if c.line else ""
        counter_name = names.name("counter", c.counter) if c.counter else ""
        where = names.building + (f", {counter_name}" if counter_name else "")
        about = line_name or (names.name("agency", c.agency) if c.agency else "")
        notes = "; ".join(
            f"{step}: {text}"
            for step, text in (("diproses", c.take_note), ("selesai", c.close_note))
            if text
        )
        visit_day = c.visit_day or c.filed_at.astimezone(tz).date()
        rows.append(
            {
                "id": c.id,
                "classification": "Pengaduan",
                "title": f"{category} — {about}" if about else category,
                "text": _typed(c.text),
                "event_date": visit_day.isoformat(),
                "location": where,
                "agency": c.agency or "",
                "agency_name": names.name("agency", c.agency) if c.agency else "",
                "category": c.category,
                "category_label": category,
                "line": c.line or "",
                "line_name": line_name,
                "counter": c.counter or "",
                "ticket_number": c.ticket.partition("/")[2] if c.ticket else "",
                "officer": (c.officer or "") if officers else "",
                "channel": c.channel.partition(":")[0],
                "received_at": _ts(c.filed_at, tz),
                "state": c.state,
                "state_label": STATE_LABELS[ComplaintState(c.state)],
                "take_by": _ts(c.take_by, tz),
                "taken_at": _ts(c.taken_at, tz),
                "taken_by": c.taken_by or "",
                "taken_on_time": _on_time(c.taken_at, c.take_by),
                "answer_by": _ts(c.answer_by, tz),
                "answered_at": _ts(c.answered_at, tz),
                "answered_by": c.answered_by or "",
                "answered_on_time": _on_time(c.answered_at, c.answer_by),
                "answer": _typed(c.answer),
                "closes_at": _ts(c.closes_at, tz),
                "closed_at": _ts(c.closed_at, tz),
                "closed_by": c.closed_by or "",
                "notes": notes,
            }
        )
    return rows
