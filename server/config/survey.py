"""The citizen's voice in the building file (issue 20): `[survey]` and `[complaints]`.

`[survey]` is the SKM survey (PermenPANRB 14/2017): whether it runs, how long after a visit a
citizen may still answer, the wait bands the IKM is split by, the public page's period, the TVs'
running text, the forms' rate limit and how long a counter tablet shows an offer. `[complaints]`
holds the deadlines of a complaint's steps (SP4N-LAPOR!'s by default: DOMAIN §10). Both tables
may be left out, and every key has the default of `SurveySettings` and `ComplaintSettings`
(server/core/building.py). Every key is range-checked and every mistake named by file, line and
key like the rest of the file; docs/configuration.md describes them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from server.config.toml_reader import MISSING, Key, Reader, describe
from server.core.building import ComplaintSettings, SurveySettings

__all__ = ["COMPLAINT_KEYS", "PUBLIC_PERIODS", "SURVEY_KEYS", "read_complaints", "read_survey"]

SURVEY_KEYS = tuple(SurveySettings.__dataclass_fields__)
COMPLAINT_KEYS = tuple(ComplaintSettings.__dataclass_fields__)
# The public page's periods (server/core/skm.py's `period_of` kinds).
PUBLIC_PERIODS = ("month", "quarter", "semester", "year")
_DAYS_OPEN = (1, 90)
_WAIT_BAND_MIN = (1, 600)  # minutes: a band edge past ten hours would be empty all day
_TABLET_IDLE_S = (10, 3600)
_COMPLAINT_DAYS_OPEN = (1, 365)
_WORKING_DAYS = (1, 30)  # take_days, answer_days
_CLOSE_DAYS = (1, 90)
_WARN_DAYS = (0, 10)


def _whole(r: Reader, low: int, high: int | None, unit: str) -> Callable[[object, Key], Any]:
    """A converter accepting a whole number from `low` to `high` (no upper bound when None)."""

    def convert(value: object, key: Key) -> int | None:
        span = f"from {low} to {high}" if high is not None else f"≥ {low}"
        if isinstance(value, bool) or not isinstance(value, int):
            r.problem(key, f"expected a whole number {span}, got {describe(value)}")
            return None
        if value < low or (high is not None and value > high):
            r.problem(key, f"must be {span}{unit}, got {value}")
            return None
        return value

    return convert


def _wait_bands(r: Reader, value: object, key: Key) -> tuple[int, ...] | None:
    """Band edges in minutes, ascending: [15, 60] gives "< 15", "15–60" and "> 60"."""
    low, high = _WAIT_BAND_MIN
    example = "[15, 60]"
    if not isinstance(value, list):
        r.problem(key, f"expected an array of minutes such as {example}, got {describe(value)}")
        return None
    if not value:
        r.problem(key, f"must list at least one edge, such as {example}")
        return None
    for edge in value:
        if isinstance(edge, bool) or not isinstance(edge, int):
            r.problem(key, f"expected whole minutes such as {example}, got {describe(edge)}")
            return None
        if not low <= edge <= high:
            r.problem(key, f"each edge must be from {low} to {high} minutes, got {edge}")
            return None
    for before, after in itertools.pairwise(value):
        if after <= before:
            r.problem(key, f"edges must be in ascending order, each once: {after} after {before}")
            return None
    return tuple(value)


def read_survey(doc: dict[str, Any], r: Reader) -> SurveySettings | None:
    """The `[survey]` table; its defaults when absent; None when any key is bad."""
    key = Key() / "survey"
    value = doc.get("survey", MISSING)
    if value is MISSING:
        return SurveySettings()
    table = r.table(value, key, SURVEY_KEYS, header="survey")
    if table is None:
        return None
    d = SurveySettings()
    before = len(r.problems)
    periods = r.choice({p: p for p in PUBLIC_PERIODS})
    settings = SurveySettings(
        enabled=r.get(table, key, "enabled", r.boolean, d.enabled),
        days_open=r.get(table, key, "days_open", _whole(r, *_DAYS_OPEN, " days"), d.days_open),
        wait_bands_min=r.get(
            table, key, "wait_bands_min", lambda v, k: _wait_bands(r, v, k), d.wait_bands_min
        ),
        public_period=r.get(table, key, "public_period", periods, d.public_period),
        running_text=r.get(table, key, "running_text", r.boolean, d.running_text),
        requests_per_minute=r.get(
            table, key, "requests_per_minute", _whole(r, 1, None, ""), d.requests_per_minute
        ),
        tablet_idle_s=r.get(
            table, key, "tablet_idle_s", _whole(r, *_TABLET_IDLE_S, " seconds"), d.tablet_idle_s
        ),
    )
    return settings if len(r.problems) == before else None


def read_complaints(doc: dict[str, Any], r: Reader) -> ComplaintSettings | None:
    """The `[complaints]` table; its defaults when absent; None when any key is bad."""
    key = Key() / "complaints"
    value = doc.get("complaints", MISSING)
    if value is MISSING:
        return ComplaintSettings()
    table = r.table(value, key, COMPLAINT_KEYS, header="complaints")
    if table is None:
        return None
    d = ComplaintSettings()
    before = len(r.problems)
    working = " working days"
    settings = ComplaintSettings(
        days_open=r.get(
            table, key, "days_open", _whole(r, *_COMPLAINT_DAYS_OPEN, " days"), d.days_open
        ),
        take_days=r.get(table, key, "take_days", _whole(r, *_WORKING_DAYS, working), d.take_days),
        answer_days=r.get(
            table, key, "answer_days", _whole(r, *_WORKING_DAYS, working), d.answer_days
        ),
        close_days=r.get(table, key, "close_days", _whole(r, *_CLOSE_DAYS, " days"), d.close_days),
        warn_days=r.get(table, key, "warn_days", _whole(r, *_WARN_DAYS, working), d.warn_days),
    )
    return settings if len(r.problems) == before else None
