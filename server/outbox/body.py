"""What a destination receives (docs/protocol.md, "Signed deliveries"): pure, no I/O.

One format for a webhook and for central: a batch of events in seq order, each with its global
id (`<building>:<seq>`), and the building's profile for central. What never leaves the
building: a ticket's or booking's `token` (the citizen's page credential). What leaves only for
a destination configured with `personal_data = true`: a booking's or complaint's contact (name,
phone, NIK's last four digits, kept beside the log in `booking_contacts`) and the free text a
citizen typed (a complaint's `text`, a survey's `suggestion`). The log's JSON never holds the
personal fields (server/store/rows.py), so `data` starts without them.

A booking code is what the kiosk's check-in takes: whoever holds it can check in (and so take
the citizen's place). Without `personal_data` a destination gets, in its place, a reference
that follows one booking through its events but checks nothing in: "bk_" and the first 16 hex
digits of HMAC-SHA256(the destination's secret, the code) — the same code, the same reference,
at every destination that shares the secret and nowhere else.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Any

from server.core.building import Building, Destination
from server.core.events import BuildingEdited, withhold_secrets
from server.report.cli import DEFAULT_TARGET_WAIT_MIN
from server.report.tables import targets_of
from server.signing import event_id
from server.store.deliveries import PendingEvent

__all__ = [
    "BOOKING_CODE_FIELDS",
    "CITIZEN_TEXT",
    "NEVER_SENT",
    "batch_body",
    "booking_ref",
    "event_entry",
    "profile",
    "profile_digest",
]

NEVER_SENT = frozenset({"token"})  # the citizen's page credential stays in the building
# Free text a citizen typed, by kind: personal data (it may hold a name, an address, a story).
# Staff's own words are not: a pause's reason, a counter-closure request's reason and its
# decision's note (issue 23: closure_requested, closure_decided) are delivered as they are.
CITIZEN_TEXT: Mapping[str, frozenset[str]] = {
    "complaint_filed": frozenset({"text"}),
    "survey_answered": frozenset({"suggestion"}),
}
# The fields holding a booking code, by kind (tests/outbox holds it to server/core/events.py):
# a visit booked online (issue 22) names its lead's code in every stop's booking_made (`lead`)
# and in its visit_started (`booking`).
BOOKING_CODE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "booking_made": ("code", "lead"),
    "booking_rescheduled": ("code",),
    "booking_cancelled": ("code",),
    "booking_checked_in": ("code",),
    "booking_lapsed": ("code",),
    "ticket_issued": ("booking",),
    "visit_started": ("booking",),
}
_ENVELOPE = frozenset({"kind", "at"})  # in the entry itself, not in `data`
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def booking_ref(secret: bytes, code: str) -> str:
    """The opaque reference a destination without `personal_data` gets for a booking code."""
    return "bk_" + hmac.new(secret, code.encode(), hashlib.sha256).hexdigest()[:16]


def event_entry(
    building_id: str,
    event: PendingEvent,
    tz: tzinfo,
    *,
    personal_data: bool,
    secret: bytes | None = None,
) -> dict[str, Any]:
    """One event as a destination gets it (`secret`: the destination's, for its booking
    references; needed without `personal_data`)."""
    data = json.loads(event.payload)
    if event.kind == BuildingEdited.kind:
        # A live building edit's PIN hashes and token digests never leave the building.
        data = {k: withhold_secrets(v) for k, v in data.items()}
    dropped = _ENVELOPE | NEVER_SENT
    if not personal_data:
        dropped = dropped | CITIZEN_TEXT.get(event.kind, frozenset())
        for field in BOOKING_CODE_FIELDS.get(event.kind, ()):
            if isinstance(data.get(field), str):
                assert secret is not None
                data[field] = booking_ref(secret, data[field])
    entry: dict[str, Any] = {
        "id": event_id(building_id, event.seq),
        "seq": event.seq,
        "type": event.kind,
        # The building's wall clock with its offset, as the building's staff read it.
        "at": datetime.fromisoformat(event.at).astimezone(tz).isoformat(),
        "day": event.day,
        "actor": event.actor,
        "data": {k: v for k, v in data.items() if k not in dropped},
    }
    if personal_data and event.personal is not None:
        entry["personal"] = dict(event.personal)
    return entry


def batch_body(
    building: Building, destination: Destination, events: Iterable[PendingEvent]
) -> bytes:
    """The request body of one batch (the events a destination wants, in seq order)."""
    assert building.id is not None  # the config requires it with any destination
    entries = [
        event_entry(
            building.id,
            e,
            building.tz,
            personal_data=destination.personal_data,
            secret=destination.secret,
        )
        for e in events
    ]
    doc = {"building": building.id, "zone": building.zone_label, "events": entries}
    return _JSON.encode(doc).encode("utf-8")


def profile(building: Building, digest: str) -> bytes:
    """Central's `PUT /central/v1/profile` body: who the building is and what its lines are
    measured against, as `antre report` measures them (`targets_of`: the line's published
    service time, and the report's default wait target), so central's figures agree with it."""
    assert building.id is not None
    targets = targets_of(building, DEFAULT_TARGET_WAIT_MIN)
    doc = {
        "building": building.id,
        "name": building.name,
        "zone": building.zone_label,
        "digest": digest,
        "agencies": [{"code": a.code, "name": a.name} for a in building.agencies],
        "lines": [
            {
                "line": prefix,
                "name": t.name,
                "agency": t.agency,
                "target_service_s": t.target_service_s,
                "target_wait_s": t.target_wait_s,
            }
            for prefix, t in targets.items()
        ],
    }
    return _JSON.encode(doc).encode("utf-8")


def profile_digest(body: bytes) -> str:
    """What the store keeps of the profile central acknowledged: a changed profile is sent again."""
    return hashlib.sha256(body).hexdigest()
