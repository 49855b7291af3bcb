"""Buildings for load generation, with their plaintext credentials.

The demo building has 2 kiosks, 2 TVs and 17 officers for 31 counters: enough to try Antre, too
few to load it. These factories add devices and people with known secrets. PINs are hashed with
a tiny scrypt cost: a bench measures the queue, not 300 logins at 50 ms each (login cost is a
deliberate security property, measured nowhere here).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from server.auth import hash_pin, token_digest
from server.config import load_demo_building
from server.core.building import (
    Agency,
    BookingRules,
    BookingSettings,
    Building,
    Counter,
    DayHours,
    Device,
    DeviceKind,
    Line,
    Officer,
    Zone,
)

__all__ = [
    "STORM_DAY",
    "STORM_LINE",
    "STORM_OPENS",
    "STORM_PLACES",
    "STORM_SLOTS",
    "TOWER_LINES",
    "BenchBuilding",
    "day_building",
    "storm_building",
    "tower_building",
]

# 20 one-letter prefixes, as a real building would use.
TOWER_LINES = "ABCDEFGHJKLMNPRSTUVW"
_CHEAP_PIN_N = 2**4  # see the module docstring
_PIN = "123456"


@dataclass(frozen=True)
class BenchBuilding:
    """A building plus the secrets and the seat of every officer."""

    building: Building
    kiosks: dict[str, str]  # kiosk id -> token
    displays: dict[str, str]  # display id -> token
    officers: dict[str, tuple[str, str]]  # counter id -> (officer id, PIN)


def _token(kind: str, i: int) -> str:
    # Deterministic: a bench needs no secrecy, and the same token across runs helps debugging.
    return f"bench-{kind}-{i}-" + hashlib.sha256(f"{kind}{i}".encode()).hexdigest()[:24]


def _devices(kind: DeviceKind, n: int, zone: str | None) -> tuple[list[Device], dict[str, str]]:
    devices, secrets = [], {}
    for i in range(1, n + 1):
        ident = f"{'KIOSK' if kind is DeviceKind.KIOSK else 'TV'}-B{i}"
        token = _token(kind.value, i)
        devices.append(Device(ident, kind, zone, token_digest(token)))
        secrets[ident] = token
    return devices, secrets


def tower_building(counters: int = 300, displays: int = 500, kiosks: int = 20) -> BenchBuilding:
    """One zone, 20 lines of one agency each, `counters` counters spread over the lines.

    Every display watches the one zone, so every call goes to every display: the worst case
    for fan-out.
    """
    pin_hash = hash_pin(_PIN, n=_CHEAP_PIN_N)
    agencies = tuple(Agency(f"AG{p}", f"Instansi {p}", f"Instansi {p}", "1") for p in TOWER_LINES)
    lines = tuple(Line(p, f"AG{p}", f"Layanan {p}", 10.0) for p in TOWER_LINES)
    counter_rows, officers, seats = [], [], {}
    for i in range(1, counters + 1):
        prefix = TOWER_LINES[(i - 1) % len(TOWER_LINES)]
        cid = f"T{i:03d}"
        counter_rows.append(Counter(cid, f"Loket {i}", i, "1", f"AG{prefix}", (prefix,)))
        officers.append(Officer(f"O{i:03d}", f"Petugas {i}", f"AG{prefix}", pin_hash))
        seats[cid] = (f"O{i:03d}", _PIN)
    kiosk_devs, kiosk_secrets = _devices(DeviceKind.KIOSK, kiosks, None)
    tv_devs, tv_secrets = _devices(DeviceKind.DISPLAY, displays, "1")
    every_day = DayHours(time(0, 0), time(23, 59))  # the bench may run at any hour
    building = Building(
        name="Menara Uji",
        timezone="WIB",
        weekly=(every_day,) * 7,
        zones=(Zone("1", "Lantai 1"),),
        agencies=agencies,
        lines=lines,
        counters=tuple(counter_rows),
        devices=(*kiosk_devs, *tv_devs),
        officers=tuple(officers),
    )
    return BenchBuilding(building, kiosk_secrets, tv_secrets, seats)


def day_building(kiosks: int = 20, displays: int = 1000) -> BenchBuilding:
    """The demo building with every counter staffed, more kiosks and TVs, and no quotas.

    Quotas and cutoffs are lifted because the 4,000-ticket peak day is bigger than the demo's
    quotas allow (a real MPP would refuse some of those citizens); the bench wants every one of
    them to get a number so that nothing-lost / nothing-doubled can be checked on 4,000 tickets.
    Displays have no zone, so each sees the whole building.
    """
    demo = load_demo_building()
    pin_hash = hash_pin(_PIN, n=_CHEAP_PIN_N)
    officers, seats = [], {}
    for c in demo.counters:
        oid = f"B{c.id}"
        officers.append(Officer(oid, f"Petugas {c.id}", c.agency, pin_hash))
        seats[c.id] = (oid, _PIN)
    kiosk_devs, kiosk_secrets = _devices(DeviceKind.KIOSK, kiosks, None)
    tv_devs, tv_secrets = _devices(DeviceKind.DISPLAY, displays, None)
    lines = tuple(
        dataclasses.replace(ln, quota_walk_in=None, quota_priority=None, cutoff=None)
        for ln in demo.lines
    )
    building = dataclasses.replace(
        demo,
        lines=lines,
        devices=(*demo.devices, *kiosk_devs, *tv_devs),
        officers=(*demo.officers, *officers),
    )
    return BenchBuilding(building, kiosk_secrets, tv_secrets, seats)


# The booking storm (bench/storm.py): Monday 23 November 2026 at 06.00 WIB the newest day,
# Monday 30 November, opens for booking on the passport line, and everyone is there at once.
STORM_LINE = "P"
STORM_OPENS = datetime(2026, 11, 23, 6, 0, tzinfo=timezone(timedelta(hours=7)))
STORM_DAY = date(2026, 11, 30)
# 08.00-14.00: 12 slots of 30 minutes, each 20 regular + 5 priority places.
_STORM_HOURS = DayHours(time(8, 0), time(14, 0))
STORM_SLOTS = 12
STORM_PLACES = STORM_SLOTS * (20 + 5)  # 300: what the day gives, no more


def storm_building(places: int = 20, priority_places: int = 5) -> BenchBuilding:
    """An Imigrasi office whose passport line takes bookings: 12 slots a weekday of `places`
    regular and `priority_places` priority places, 300 with the defaults (docs/benchmarks.md,
    `storm`), the newest day opening at 06.00 a week ahead. One counter, kiosk and TV: nobody
    is served in the storm, the building only has to be a whole one. Booking limits as the
    building file's defaults: 20 requests a minute per address, 3 active bookings a phone."""
    rules = BookingRules(
        slot_min=30,
        places=places,
        priority_places=priority_places,
        days_ahead=(STORM_DAY - STORM_OPENS.date()).days,
        opens_at=STORM_OPENS.time().replace(tzinfo=None),
        closes_min_before=60,
        check_in_early_min=30,
        check_in_late_min=15,
        documents="KTP-el, Kartu Keluarga, dan akta kelahiran (asli).",
    )
    pin_hash = hash_pin(_PIN, n=_CHEAP_PIN_N)
    agency = Agency("IMIGRASI", "Kantor Imigrasi Kelas I", "Imigrasi", "1")
    line = Line(STORM_LINE, agency.code, "Paspor", 15.0, booking=rules)
    kiosk_devs, kiosk_secrets = _devices(DeviceKind.KIOSK, 1, None)
    tv_devs, tv_secrets = _devices(DeviceKind.DISPLAY, 1, "1")
    building = Building(
        name="Kantor Imigrasi Uji",
        timezone="WIB",
        weekly=(_STORM_HOURS,) * 5 + (None, None),
        zones=(Zone("1", "Lantai 1"),),
        agencies=(agency,),
        lines=(line,),
        counters=(Counter("P01", "Loket 1", 1, "1", agency.code, (STORM_LINE,)),),
        devices=(*kiosk_devs, *tv_devs),
        officers=(Officer("O001", "Petugas 1", agency.code, pin_hash),),
        # The citizens come through a reverse proxy on this machine (docs/operations.md), which
        # names each one in X-Forwarded-For: the per-address limit counts citizens, not the proxy.
        booking=BookingSettings(trusted_proxies=("127.0.0.1",)),
    )
    return BenchBuilding(building, kiosk_secrets, tv_secrets, {"P01": ("O001", _PIN)})
