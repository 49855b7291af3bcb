"""The second building, MPP Kabupaten Contoh (docs/examples/), served for real in WITA.

Shared by the live tests of part-week services and the shared desk (tests/hub, tests/web,
tests/kiosk, tests/report): the building file and its published credentials, a fake clock on
the days that matter, and a running server with that building instead of the demo's.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import hubtest
import pytest
from hubtest import Server, StartServer

from server import protocol as p
from server.client import AntreClient
from server.config import load_building
from server.core.building import Building

__all__ = [
    "CREDENTIALS",
    "EXAMPLE",
    "FRI",
    "THU",
    "TUE",
    "WED",
    "WITA",
    "at",
    "client",
    "credentials",
    "hello",
    "kabupaten",
    "start_kabupaten",
]

_DOCS = Path(__file__).resolve().parents[2] / "docs" / "examples"
EXAMPLE = _DOCS / "mpp-kabupaten-contoh.toml"
CREDENTIALS = _DOCS / "mpp-kabupaten-contoh.credentials.txt"
WITA = timezone(timedelta(hours=8))
# A week of November 2026 without holidays: Tuesday is the KUA's, Thursday the court's.
TUE, WED, THU, FRI = (date(2026, 11, 24) + timedelta(days=n) for n in range(4))


def at(day: date, hhmm: str) -> datetime:
    """A local WITA instant."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=WITA)


@cache
def kabupaten() -> Building:
    return load_building(EXAMPLE)


@cache
def credentials() -> dict[str, str]:
    """id -> token or PIN, from the example's published credentials file."""
    out = {}
    for raw in CREDENTIALS.read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            _kind, ident, secret = raw.split()
            out[ident] = secret
    return out


def hello(who: str) -> dict[str, Any]:
    """ "KIOSK-1", "TV-1", "KUA01@L07", "LANTAI"."""
    creds = credentials()
    if who.startswith("KIOSK"):
        return p.hello_kiosk(creds[who])
    if who.startswith("TV"):
        return p.hello_display(creds[who])
    if "@" in who:
        officer, counter = who.split("@")
        return p.hello_officer(counter, officer, creds[officer])
    return p.hello_manager(who, creds[who])


async def start_kabupaten(
    start_server: StartServer, monkeypatch: pytest.MonkeyPatch, **kwargs: Any
) -> Server:
    """A real server on 127.0.0.1 serving MPP Kabupaten Contoh (the fixture's clock)."""
    monkeypatch.setattr(hubtest, "demo_building", kabupaten)
    return await start_server(**kwargs)


async def client(server: Server, who: str) -> AntreClient:
    """A connected client of the second building, closed at teardown."""
    c = AntreClient(server.url, hello(who), heartbeat_s=None, backoff_initial_s=0.05)
    server.clients.append(c)
    await c.connect(timeout=10)
    return c
