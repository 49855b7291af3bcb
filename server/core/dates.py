"""How a date and a time of day are written for citizens and officers: "Senin, 23 November 2026",
"13.00", "13.00 WITA".

One formatter for every surface that shows a date: the printed ticket (kiosk/ticket.py), the
phone page (server/web/phone.py) and the refusals of the core. Clients reach it through
`server.protocol`, which publishes it; the TV's browser code (display/web/tv.js, `formatDate`)
writes the same words and a test holds the three surfaces to one string. Pure: no clock, no
locale (the C library's Indonesian locale is rarely installed, and a TV's browser has its own).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Final

__all__ = [
    "DAY_NAMES",
    "MONTH_NAMES",
    "format_clock",
    "format_clock_in_zone",
    "format_date",
    "format_date_time",
]

# Monday first, as `date.weekday()` counts; KBBI spelling (Jumat, without an apostrophe).
DAY_NAMES: Final = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTH_NAMES: Final = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def format_date(day: date) -> str:
    """A local date with its weekday: "Minggu, 2 Agustus 2026" (the day of the month unpadded)."""
    return f"{DAY_NAMES[day.weekday()]}, {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def format_clock(at: time | datetime) -> str:
    """A time of day as Indonesians write it: 08.15 (a dot, not a colon)."""
    if at == time.max:  # building.END_OF_DAY: a closing time of "24:00", the end of the day
        return "24.00"
    return f"{at.hour:02d}.{at.minute:02d}"


def format_clock_in_zone(at: time | datetime, zone_label: str) -> str:
    """A time of day with the building's zone: "13.00 WITA" (Indonesia has three)."""
    return f"{format_clock(at)} {zone_label}"


def format_date_time(at: datetime, zone_label: str) -> str:
    """A local date-time as the ticket and the phone page print it:
    "Senin, 23 November 2026 · 08.15 WIB"."""
    return f"{format_date(at.date())} · {format_clock_in_zone(at, zone_label)}"
