"""A second building for the store's building checks: "MPP Kabupaten Uji", in WITA, KEMENAG.

Written as an operator writes it (TOML from docs/configuration.md), and a morning of its tickets
made by the engine exactly as `antre server --config` makes them (the engine records the file).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from server.auth import hash_pin, token_digest
from server.config import load_building_file
from server.core.model import CallNext, ConfirmPrinted, IssueTicket, LogIn, OpenCounter
from server.engine import Engine

__all__ = ["MORNING", "WITA", "building_text", "morning", "one_ticket", "write_building"]

WITA = timezone(timedelta(hours=8))
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=WITA)  # a Monday
# A cheap hash keeps the tests fast; the format is the same at any cost.
_PIN_HASH = hash_pin("123456", n=2**4)
_DIGEST = token_digest("kiosk-kabupaten-uji-0123456789abcdef")


def building_text(name: str = "MPP Kabupaten Uji", close: str = "15:00") -> str:
    return f"""\
# {name}: a small MPP in WITA.
[building]
name = "{name}"
timezone = "WITA"

[hours]
monday = {{ open = "08:00", close = "{close}" }}
tuesday = {{ open = "08:00", close = "{close}" }}
wednesday = {{ open = "08:00", close = "{close}" }}
thursday = {{ open = "08:00", close = "{close}" }}
friday = {{ open = "08:00", close = "{close}" }}
saturday = "closed"
sunday = "closed"

[[holidays]]
date = 2026-12-25
name = "Kelahiran Yesus Kristus"

[[zones]]
id = "1"
name = "Lantai 1"

[[agencies]]
code = "KEMENAG"
name = "Kementerian Agama"
zone = "1"

[[lines]]
prefix = "K"
agency = "KEMENAG"
name = "Pendaftaran Haji"
target_service_min = 10

[[lines]]
prefix = "N"
agency = "KEMENAG"
name = "Legalisir Buku Nikah"
target_service_min = 5

[[counters]]
id = "G1"
agency = "KEMENAG"
serves = ["K", "N"]

[[counters]]
id = "G2"
agency = "KEMENAG"
serves = ["K"]

[[devices]]
id = "KIOSK-1"
kind = "kiosk"
token_sha256 = "{_DIGEST}"

[[officers]]
id = "KMG01"
name = "Ahmad Fauzi"
agency = "KEMENAG"
pin_hash = "{_PIN_HASH}"

[[managers]]
id = "LANTAI"
name = "Bambang Sutrisno"
role = "floor"
pin_hash = "{_PIN_HASH}"
"""


def write_building(path: Path, text: str | None = None) -> Path:
    path.write_text(text if text is not None else building_text(), encoding="utf-8")
    return path


async def morning(db: Path, config: Path) -> None:
    """09:00–09:05 WITA: K-001..K-003 issued and printed; KMG01 at G2 calls K-001."""
    building, identity = load_building_file(config)
    now = [MORNING]
    engine = Engine(building, str(db), clock=lambda: now[0], identity=identity)
    await engine.start()
    try:
        for n in range(3):
            issued = await engine.execute(IssueTicket("K", None, f"tok{n}", "KIOSK-1"), "kiosk")
            await engine.execute(ConfirmPrinted(issued[0].event.ticket), "kiosk")  # type: ignore[attr-defined]
            now[0] += timedelta(minutes=1)
        await engine.execute(LogIn("G2", "KMG01"), "officer:KMG01@G2")
        await engine.execute(OpenCounter("G2"), "officer:KMG01@G2")
        await engine.execute(CallNext("G2"), "officer:KMG01@G2")
    finally:
        await engine.close()


async def one_ticket(db: Path, config: Path, line: str) -> None:
    """One ticket on `line` at 09:00 local time of Monday 23 November 2026, by the engine."""
    building, identity = load_building_file(config)
    at = MORNING.replace(tzinfo=building.tz)
    engine = Engine(building, str(db), clock=lambda: at, identity=identity)
    await engine.start()
    try:
        await engine.execute(IssueTicket(line, None, "tok-one", "KIOSK-1"), "kiosk")
    finally:
        await engine.close()
