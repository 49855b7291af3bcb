"""Helpers of central's tests: a building's log as the documented delivery bodies.

The sending side is the building's (server/outbox/, another room): here the bodies are written
from docs/protocol.md's "Signed deliveries" format by hand — `data` is the event's log dict
without kind, at and token — and signed with server.signing, as any sender would.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.core.building import Building
from server.report.cli import DEFAULT_TARGET_WAIT_MIN

BUILDING = "mpp-kota-contoh"
KEY = b"k" * 40  # the building's key as central.toml's key_file holds it


@dataclass(frozen=True, slots=True)
class Logged:
    """One event of a building's store, with the service day it is filed under."""

    seq: int
    day: str
    actor: str
    event: dict[str, Any]


def store_log(db: Path) -> list[Logged]:
    """Every event of a building's SQLite store, in sequence order (read-only)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT seq, service_day, actor, payload FROM events ORDER BY seq"
        ).fetchall()
    finally:
        conn.close()
    return [Logged(seq, day, actor, json.loads(data)) for seq, day, actor, data in rows]


def wire_event(building: str, e: Logged) -> dict[str, Any]:
    data = {k: v for k, v in e.event.items() if k not in ("kind", "at", "token")}
    return {
        "id": f"{building}:{e.seq}",
        "seq": e.seq,
        "type": e.event["kind"],
        "at": e.event["at"],
        "day": e.day,
        "actor": e.actor,
        "data": data,
    }


def batch_body(events: Iterable[Logged], building: str = BUILDING, zone: str = "WIB") -> bytes:
    body = {"building": building, "zone": zone, "events": [wire_event(building, e) for e in events]}
    return json.dumps(body).encode()


def batches(log: Sequence[Logged], size: int) -> list[list[Logged]]:
    return [list(log[i : i + size]) for i in range(0, len(log), size)]


def profile_body(building: Building, building_id: str = BUILDING) -> bytes:
    """The building's profile as the design writes it (targets as `antre report` reads them)."""
    return json.dumps(
        {
            "building": building_id,
            "name": building.name,
            "zone": "WIB",
            "digest": "sha256:test",
            "agencies": [{"code": a.code, "name": a.name} for a in building.agencies],
            "lines": [
                {
                    "line": ln.prefix,
                    "name": ln.name,
                    "agency": ln.agency,
                    "target_service_s": ln.target_service_min * 60.0,
                    "target_wait_s": DEFAULT_TARGET_WAIT_MIN * 60.0,
                }
                for ln in building.lines
            ],
        }
    ).encode()
