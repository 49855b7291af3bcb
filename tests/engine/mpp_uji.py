"""A small building built in code for the engine tests and the crash worker, and a fake clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta, timezone

from server.core.building import (
    Agency,
    BookingRules,
    BookingSettings,
    Building,
    Counter,
    DayHours,
    Line,
    Officer,
    Zone,
)

__all__ = ["WIB", "FakeClock", "booking_building", "small_building"]

WIB = timezone(timedelta(hours=7), "WIB")


def small_building() -> Building:
    """Two agencies, three lines, three counters, open 07.30–16.00 every day of the week."""
    hours = DayHours(open=time(7, 30), close=time(16, 0))
    return Building(
        name="MPP Uji",
        timezone="WIB",
        weekly=(hours,) * 7,
        zones=(Zone("Z1", "Lantai 1"),),
        agencies=(
            Agency("DKP", "Dinas Kependudukan dan Pencatatan Sipil", "Dukcapil", "Z1"),
            Agency("IMI", "Kantor Imigrasi", "Imigrasi", "Z1"),
        ),
        lines=(
            Line("A", "DKP", "KTP-el", target_service_min=10.0),
            Line("B", "DKP", "Kartu Keluarga", target_service_min=10.0),
            Line("C", "IMI", "Paspor", target_service_min=15.0),
        ),
        counters=(
            Counter("L01", "Loket 1", 1, "Z1", "DKP", ("A", "B")),
            Counter("L02", "Loket 2", 2, "Z1", "DKP", ("A", "B")),
            Counter("L03", "Loket 3", 3, "Z1", "IMI", ("C",)),
        ),
        officers=(
            Officer("DKP01", "Sri", "DKP", pin_hash="-"),
            Officer("DKP02", "Budi", "DKP", pin_hash="-"),
            Officer("IMI01", "Wayan", "IMI", pin_hash="-"),
        ),
    )


def booking_building(places: int = 2, priority_places: int = 0, retention_days: int = 30):
    """The small building with hourly booking slots on line A (07:30 … 15:30: nine a day),
    bookable 7 days ahead from midnight, until 30 minutes before the slot."""
    building = small_building()
    rules = BookingRules(
        slot_min=60,
        places=places,
        priority_places=priority_places,
        days_ahead=7,
        closes_min_before=30,
    )
    lines = tuple(replace(ln, booking=rules) if ln.prefix == "A" else ln for ln in building.lines)
    settings = BookingSettings(retention_days=retention_days, max_active_per_phone=3)
    return replace(building, lines=lines, booking=settings)


class FakeClock:
    """A clock the test moves by hand: `clock()` returns `clock.now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now  # aware; the engine files events by the building's local date

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
