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


# The field holding a booking code, by kind; a destination without personal_data (central)
# gets "bk_" + the first 16 hex digits of HMAC-SHA256(its key, the code) there instead
# (docs/protocol.md, "Signed deliveries").
BOOKING_CODE_FIELDS = {
    **dict.fromkeys(("booking_made", "booking_rescheduled", "booking_cancelled",
                     "booking_checked_in", "booking_lapsed"), "code"),
    "ticket_issued": "booking",
}  # fmt: skip


def wire_event(building: str, e: Logged, booking_key: bytes | None = None) -> dict[str, Any]:
    import hashlib
    import hmac

    data = {k: v for k, v in e.event.items() if k not in ("kind", "at", "token")}
    field = BOOKING_CODE_FIELDS.get(e.event["kind"])
    if booking_key is not None and field and isinstance(data.get(field), str):
        data[field] = "bk_" + hmac.new(booking_key, data[field].encode(), hashlib.sha256
                                       ).hexdigest()[:16]  # fmt: skip
    return {
        "id": f"{building}:{e.seq}",
        "seq": e.seq,
        "type": e.event["kind"],
        "at": e.event["at"],
        "day": e.day,
        "actor": e.actor,
        "data": data,
    }


def batch_body(
    events: Iterable[Logged],
    building: str = BUILDING,
    zone: str = "WIB",
    booking_key: bytes | None = None,
) -> bytes:
    entries = [wire_event(building, e, booking_key) for e in events]
    body = {"building": building, "zone": zone, "events": entries}
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


# --------------------------------------------------------------------------------------------
# A real central on 127.0.0.1, in a thread of its own (its own event loop), and signed requests
# --------------------------------------------------------------------------------------------

OTHER = "mpp-kabupaten-contoh"
OTHER_KEY = b"o" * 40


def central_toml(tmp: Path, database: str, port: int = 0) -> Path:
    """A central.toml with the two buildings and their key files."""
    keys = tmp / "keys"
    keys.mkdir(exist_ok=True)
    (keys / f"{BUILDING}.key").write_bytes(KEY + b"\n")
    (keys / f"{OTHER}.key").write_bytes(OTHER_KEY + b"\n")
    path = tmp / "central.toml"
    path.write_text(
        f"""[central]
host = "127.0.0.1"
port = {port}
database = "{database}"

[[buildings]]
id = "{BUILDING}"
name = "MPP Kota Contoh"
region = "Kota Contoh"
key_file = "keys/{BUILDING}.key"

[[buildings]]
id = "{OTHER}"
name = "MPP Kabupaten Contoh"
region = "Kabupaten Contoh"
key_file = "keys/{OTHER}.key"
"""
    )
    return path


class CentralThread:
    """`Central` served on a free port from a thread with its own event loop."""

    def __init__(self, config, clock=None) -> None:
        import asyncio
        import threading
        import time

        from server.central.app import Central

        self.loop = asyncio.new_event_loop()
        self.central = Central(config, clock or time.time)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> CentralThread:
        import asyncio

        self.thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self.central.start(0), self.loop).result(30)
        return self

    def __exit__(self, *exc) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self.central.close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def signed(body: bytes, key: bytes = KEY, building: str = BUILDING, at: int | None = None):
    import time

    from server.signing import signature_header

    stamp = int(time.time()) if at is None else at
    return {
        "Content-Type": "application/json",
        "Antre-Building": building,
        "Antre-Timestamp": str(stamp),
        "Antre-Signature": signature_header(key, stamp, body),
    }


def request(port: int, method: str, path: str, body: bytes = b"", headers=None):
    """(status, parsed JSON body) of one HTTP request to 127.0.0.1:port."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        data = answer.read()
        return answer.status, json.loads(data) if data else None
    finally:
        conn.close()
