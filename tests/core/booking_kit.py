"""The test building with online booking on two lines, and helpers to book and check in.

"MPP Uji Kecil" (tests/core/factory.py) with `[lines.booking]` written as the core reads it:

- line A (Dukcapil, walk-in quota 5 + priority 2, cutoff 14:30): hourly slots from 07:30, two
  regular places and one priority place each, bookable 7 days ahead from 06:00, closing 60 min
  before the slot, check-in from 30 min before to 15 min after, unused places released at 11:00.
  On a Monday its slots are 07:30 … 13:30: seven slots, 21 places.
- line P (Imigrasi, quota 3 + 1, cutoff 13:00): half-hour slots, one place each, no priority
  places, no release.
- line B takes no bookings.

The building allows two active bookings per phone number.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime, time

from server.core.building import BookingRules, BookingSettings, Building
from server.core.events import Event, PriorityGroup
from server.core.model import Book, CheckIn
from server.core.queue import QueueState
from tests.core.factory import make_building

__all__ = ["RULES_A", "RULES_P", "book", "booking_building", "check_in", "new_code", "t"]

RULES_A = BookingRules(
    slot_min=60,
    places=2,
    priority_places=1,
    days_ahead=7,
    opens_at=time(6, 0),
    closes_min_before=60,
    check_in_early_min=30,
    check_in_late_min=15,
    release_unused_at=time(11, 0),
    documents="KTP-el asli dan fotokopi KK.",
)
RULES_P = BookingRules(slot_min=30, places=1, days_ahead=14, closes_min_before=30)

# Codes from the booking alphabet (ACDEFGHJKMNPQRTUVWXY3467), distinct in every test run.
_ALPHABET = "ACDEFGHJKMNPQRTUVWXY3467"
_codes = itertools.count()


def new_code() -> str:
    n = next(_codes)
    tail = ""
    for _ in range(4):
        n, r = divmod(n, len(_ALPHABET))
        tail += _ALPHABET[r]
    return "KATA" + tail


def booking_building(**settings: int) -> Building:
    """The test building with booking on A and P (`settings`: BookingSettings fields)."""
    building = make_building()
    rules = {"A": RULES_A, "P": RULES_P}
    lines = tuple(replace(ln, booking=rules.get(ln.prefix)) for ln in building.lines)
    return replace(
        building,
        lines=lines,
        booking=replace(BookingSettings(max_active_per_phone=2), **settings),
    )


def t(hhmm: str) -> time:
    return time.fromisoformat(hhmm)


def book(
    state: QueueState,
    now: datetime,
    line: str,
    day: date,
    slot: str,
    *,
    nik: str = "nik-1",
    phone: str | None = None,
    priority: PriorityGroup | None = None,
    code: str | None = None,
) -> str:
    """Book a slot (hashes stand in for the edge's HMACs); the booking's code."""
    code = code or new_code()
    state.handle(
        Book(
            line=line,
            day=day,
            slot=t(slot),
            priority=priority,
            name="Siti Aminah",
            phone="0812 3456 7890",
            nik_last4="1234",
            nik_hash=f"h-{nik}",
            phone_hash=f"p-{phone or nik}",
            code=code,
            token=f"tok-{code}",
            channel="web",
        ),
        now,
    )
    return code


def check_in(state: QueueState, code: str, now: datetime, kiosk: str = "K1") -> list[Event]:
    token = f"tt-{code}-{next(_codes)}"  # each check-in makes a new ticket token, as the hub does
    return state.handle(CheckIn(code=code, kiosk=kiosk, ticket_token=token), now)
