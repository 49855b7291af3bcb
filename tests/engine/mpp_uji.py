"""A small building built in code for the engine tests and the crash worker, and a fake clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from server.core.building import Agency, Building, Counter, DayHours, Line, Officer, Zone

__all__ = ["WIB", "FakeClock", "small_building"]

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


class FakeClock:
    """A clock the test moves by hand: `clock()` returns `clock.now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now  # aware; the engine files events by the building's local date

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
