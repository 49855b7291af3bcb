"""What a destination receives of the counter-closure events (issue 23): the officer's reason and
the manager's note are staff's words, delivered as a pause's reason is — with or without
`personal_data` (docs/protocol.md, "Signed deliveries")."""

from __future__ import annotations

import json
from datetime import timedelta, timezone

import pytest

from server.outbox.body import event_entry
from server.store.deliveries import PendingEvent

WIB = timezone(timedelta(hours=7))
EVENTS = [
    (
        "counter_paused",
        {"kind": "counter_paused", "at": "2026-11-23T09:00:00+07:00", "counter": "L01",
         "reason": "salat"},
        {"counter": "L01", "reason": "salat"},
    ),
    (
        "closure_requested",
        {"kind": "closure_requested", "at": "2026-11-23T09:00:00+07:00", "counter": "L01",
         "officer": "DKP01", "reason": "Gangguan sistem instansi"},
        {"counter": "L01", "officer": "DKP01", "reason": "Gangguan sistem instansi"},
    ),
    (
        "closure_decided",
        {"kind": "closure_decided", "at": "2026-11-23T09:00:00+07:00", "counter": "L01",
         "officer": "DKP01", "approved": False, "by": "LANTAI", "note": "Loket lain penuh"},
        {"counter": "L01", "officer": "DKP01", "approved": False, "by": "LANTAI",
         "note": "Loket lain penuh"},
    ),
]  # fmt: skip


@pytest.mark.parametrize("personal_data", [False, True])
@pytest.mark.parametrize(("kind", "payload", "data"), EVENTS)
def test_the_reason_and_the_note_are_delivered(
    kind: str, payload: dict[str, object], data: dict[str, object], personal_data: bool
) -> None:
    event = PendingEvent(
        seq=7,
        at="2026-11-23T02:00:00+00:00",
        day="2026-11-23",
        actor="officer:DKP01@L01",
        kind=kind,
        payload=json.dumps(payload),
        personal=None,
    )
    entry = event_entry("mpp-kota-contoh", event, WIB, personal_data=personal_data, secret=b"s")
    assert entry["type"] == kind
    assert entry["at"] == "2026-11-23T09:00:00+07:00"
    assert entry["data"] == data
