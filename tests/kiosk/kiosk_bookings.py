"""Bookings on the real test server, for the kiosk's check-in tests.

The demo building as `make run` serves it (server/demo/mpp-kota-contoh.toml): line A (Dukcapil,
"Perekaman dan Cetak KTP-el") takes bookings in half-hour slots from 07:30 (4 places each,
closing 60 minutes before the slot), checked in from 30 minutes before the slot to 15 after;
line B (Dukcapil, "Kartu Keluarga dan Pindah Datang") in hourly slots from 07:30, with the same
window. The server starts at 06:00 on Monday 23 November 2026 (WIB), when the citizens book
through the server's own `BookingsApi` (what the booking pages call); the test then moves the
fake clock to the kiosk's hour. So, for a slot at 09.00 the kiosk at 08.40 is on time, a 10.00
slot is early (its window opens at 09.30), a 07.30 slot has lapsed (its window closed at 07.45),
and a booking of Tuesday is for another day.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hubtest import WIB, FakeClock, Server, StartServer

from server.bookings_api import BookingView

__all__ = ["MONDAY", "at", "book", "booked_server", "nik"]

MONDAY = date(2026, 11, 23)


def at(hhmm: str, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=WIB)


def nik(n: int) -> str:
    """A NIK of the right form (DOMAIN.md §9): Kota Bandung 32 73 01, a man born 1 January 1990,
    serial `n` (1 … 9999): one per citizen, as the one-booking-per-NIK rule needs."""
    return f"327301010190{n:04d}"


async def book(
    server: Server, slot: str, n: int, *, line: str = "A", day: date = MONDAY
) -> BookingView:
    """Citizen `n` books `slot` of `line` on `day` (their own NIK and phone number)."""
    return await server.running.bookings.book(
        line,
        day,
        time.fromisoformat(slot),
        name=f"Siti Aminah {n}",
        phone=f"0812 3456 {n:04d}",
        nik=nik(n),
    )


@pytest.fixture
async def booked_server(start_server: StartServer, clock: FakeClock) -> Server:
    """The demo building's server, its clock at 06:00 on Monday 23 November 2026."""
    clock.now = at("06:00")
    return await start_server()
