"""A delivery's body read and checked: the events batch and the building's profile (pure).

The format is the one every destination of a building gets (docs/protocol.md, "Signed
deliveries"; docs/central.md). Everything a batch must be is checked here, before anything is
stored: a body that fails is answered 400 with `BadBody`'s message, and nothing of it is kept.

An event of a kind this Antre does not know (a newer building) is kept as it came: refusing it
would stall the building's delivery for good. An event the figures are made from (a ticket's
moves, an officer's login) must read as the core's typed event, or the batch is refused: the
fold could not file it later.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from server.central.voice import voice_problem
from server.core.events import EVENT_TYPES, read_event
from server.report.stats import RECORD_KINDS
from server.signing import BUILDING_ID_RE, event_id

__all__ = [
    "FOLDED_KINDS",
    "MAX_EVENTS",
    "BadBody",
    "Batch",
    "BatchEvent",
    "LineProfile",
    "Profile",
    "event_dict",
    "read_batch",
    "read_profile",
]

MAX_EVENTS: Final = 5000  # a building sends 500 a batch by default ([central] batch_size)
ZONES: Final = frozenset({"WIB", "WITA", "WIT"})
# The kinds `server.report.stats.replay_tickets` reads: the figures are made of these alone.
FOLDED_KINDS: Final = RECORD_KINDS
_FIRST_DAY: Final = date(2000, 1, 1)  # an event's day outside these is a mistake, not a
_LAST_DAY: Final = date(2099, 12, 31)  # partition to make


class BadBody(ValueError):
    """Why a body is not a batch (or a profile): the 400 answer's message, in English."""


@dataclass(frozen=True, slots=True)
class BatchEvent:
    seq: int
    type: str
    at: datetime
    day: date
    actor: str
    data: Mapping[str, Any]
    personal: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class Batch:
    building: str
    zone: str | None
    events: tuple[BatchEvent, ...]  # in the order sent, one per seq


@dataclass(frozen=True, slots=True)
class LineProfile:
    line: str
    name: str
    agency: str
    target_service_s: float | None
    target_wait_s: float | None


@dataclass(frozen=True, slots=True)
class Profile:
    building: str
    name: str
    zone: str
    digest: str
    agencies: tuple[tuple[str, str], ...]  # (code, name)
    lines: tuple[LineProfile, ...]
    raw: Mapping[str, Any]  # the body as sent: kept whole in `buildings.profile`


def event_dict(type_: str, at: datetime, data: Mapping[str, Any]) -> dict[str, Any]:
    """The store's log form of a delivered event (what `read_event` reads)."""
    return {**data, "kind": type_, "at": at.isoformat()}


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadBody(f"the body is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadBody("the body must be a JSON object")
    return value


def _building(value: Any) -> str:
    if not isinstance(value, str) or not BUILDING_ID_RE.fullmatch(value):
        raise BadBody('"building" must be a building id such as "mpp-kota-contoh"')
    return value


def _text(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise BadBody(f'{where}: "{key}" must be a non-empty string')
    return value


def _instant(value: Any, where: str) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadBody(f'{where}: "at" must be an ISO 8601 instant') from None
    if at.tzinfo is None:
        raise BadBody(f'{where}: "at" must name its UTC offset')
    return at


def _day(value: Any, where: str) -> date:
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadBody(f'{where}: "day" must be a date, YYYY-MM-DD') from None
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise BadBody(f'{where}: "day" {day} is outside 2000–2099')
    return day


def _event(building: str, raw: Any, index: int) -> BatchEvent:
    where = f"events[{index}]"
    if not isinstance(raw, dict):
        raise BadBody(f"{where} must be an object")
    seq = raw.get("seq")
    if type(seq) is not int or not 1 <= seq < 2**62:
        raise BadBody(f'{where}: "seq" must be a positive whole number')
    if raw.get("id") != event_id(building, seq):
        raise BadBody(f'{where}: "id" must be "{event_id(building, seq)}"')
    kind = _text(raw, "type", where)
    at = _instant(raw.get("at"), where)
    day = _day(raw.get("day"), where)
    actor = _text(raw, "actor", where)
    data = raw.get("data")
    if not isinstance(data, dict) or "kind" in data or "at" in data:
        raise BadBody(f'{where}: "data" must be an object without "kind" and "at"')
    personal = raw.get("personal")
    if personal is not None and not isinstance(personal, dict):
        raise BadBody(f'{where}: "personal" must be an object when given')
    if kind in FOLDED_KINDS:
        try:
            read_event(event_dict(kind, at, data))
        except (KeyError, ValueError, TypeError) as exc:
            raise BadBody(f"{where}: not a {kind} event ({exc!r})") from None
    elif kind not in EVENT_TYPES and not kind.replace("_", "").isalnum():
        raise BadBody(f'{where}: "type" must be an event kind such as "ticket_issued"')
    problem = voice_problem(kind, data)  # an SKM answer or a booking: the fold reads it later
    if problem is not None:
        raise BadBody(f"{where}: not a {kind} event: {problem}")
    return BatchEvent(seq, kind, at, day, actor, data, personal)


def read_batch(body: bytes) -> Batch:
    """The events batch of a POST /central/v1/events body; BadBody when it is not one."""
    obj = _json_object(body)
    building = _building(obj.get("building"))
    zone = obj.get("zone")
    if zone is not None and zone not in ZONES:
        raise BadBody('"zone" must be WIB, WITA or WIT')
    raw_events = obj.get("events")
    if not isinstance(raw_events, list):
        raise BadBody('"events" must be a list')
    if len(raw_events) > MAX_EVENTS:
        raise BadBody(f"a batch holds at most {MAX_EVENTS} events, not {len(raw_events)}")
    events: dict[int, BatchEvent] = {}
    for i, raw in enumerate(raw_events):
        event = _event(building, raw, i)
        if event.seq in events and events[event.seq] != event:
            raise BadBody(f"events[{i}]: seq {event.seq} is sent twice, differently")
        events.setdefault(event.seq, event)
    return Batch(building, zone, tuple(events.values()))


def _target(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if type(value) not in (int, float) or not math.isfinite(value) or value <= 0:
        raise BadBody(f"{where} must be a positive number of seconds or null")
    return float(value)


def read_profile(body: bytes) -> Profile:
    """The building's profile of a PUT /central/v1/profile body; BadBody when it is not one."""
    obj = _json_object(body)
    building = _building(obj.get("building"))
    name = _text(obj, "name", "profile")
    zone = obj.get("zone")
    if zone not in ZONES:
        raise BadBody('"zone" must be WIB, WITA or WIT')
    digest = obj.get("digest")
    if not isinstance(digest, str):
        raise BadBody('"digest" must be a string')
    agencies_raw, lines_raw = obj.get("agencies"), obj.get("lines")
    if not isinstance(agencies_raw, list) or not isinstance(lines_raw, list):
        raise BadBody('"agencies" and "lines" must be lists')
    agencies = []
    for i, a in enumerate(agencies_raw):
        if not isinstance(a, dict):
            raise BadBody(f"agencies[{i}] must be an object")
        agencies.append((_text(a, "code", f"agencies[{i}]"), _text(a, "name", f"agencies[{i}]")))
    lines = []
    for i, ln in enumerate(lines_raw):
        where = f"lines[{i}]"
        if not isinstance(ln, dict):
            raise BadBody(f"{where} must be an object")
        lines.append(
            LineProfile(
                line=_text(ln, "line", where),
                name=_text(ln, "name", where),
                agency=_text(ln, "agency", where),
                target_service_s=_target(ln.get("target_service_s"), f"{where}.target_service_s"),
                target_wait_s=_target(ln.get("target_wait_s"), f"{where}.target_wait_s"),
            )
        )
    if len({ln.line for ln in lines}) != len(lines):
        raise BadBody('"lines" names a line twice')
    return Profile(building, name, zone, digest, tuple(agencies), tuple(lines), obj)
