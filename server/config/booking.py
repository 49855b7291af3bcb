"""Online booking in the building file: `[booking]` for the building, `[lines.booking]` per line.

Theory of operation: a line takes bookings when a `[lines.booking]` sub-table follows its
`[[lines]]` entry (slot length, places per slot, the window in which it may be booked and
checked in, when unused places go to walk-in citizens, what to bring); `[booking]` holds what
is the building's (the public address of the booking pages, how long personal data is kept, the
limits against brokers). Both are read into the core's `BookingRules` and `BookingSettings`
(server/core/building.py), every key range-checked and every mistake named by file, line and
key like the rest of the file.

A line's own table is read with its `[[lines]]` entry (server/config/layout.py calls
`read_line_booking`); `check_booking` then checks what needs the line's resolved hours (the
release time inside them). `booking_warnings` is what `antre config check` warns about but a
building may run with: booked places that need more counter time in a slot than the line's
counters have, a release time some open days never reach. docs/configuration.md, "Online
booking", describes every key.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import time
from typing import Any
from urllib.parse import urlsplit

from server.config.hours import WEEKDAYS, hhmm
from server.config.toml_reader import MISSING, Key, Reader, describe
from server.core.building import BookingRules, BookingSettings, Building, DayHours, Line
from server.core.part_week import line_hours, serves_on

__all__ = [
    "BOOKING_KEYS",
    "LINE_BOOKING_KEYS",
    "booking_warnings",
    "check_booking",
    "read_booking_settings",
    "read_line_booking",
]

BOOKING_KEYS = (
    "public_url",
    "retention_days",
    "max_active_per_phone",
    "requests_per_minute",
    "trusted_proxies",
)
LINE_BOOKING_KEYS = (
    "slot_min",
    "places",
    "priority_places",
    "days_ahead",
    "opens_at",
    "closes_min_before",
    "check_in_early_min",
    "check_in_late_min",
    "release_unused_at",
    "documents",
)
_SLOT_MIN = (5, 240)
_DAYS_AHEAD = (0, 90)
_CHECK_IN_MIN = (0, 240)
_RETENTION_DAYS = (1, 3650)  # ten years at most: UU 27/2022 wants personal data kept no longer
_DOCUMENTS_MAX = 500  # characters: a sentence or two on the booking page, not a manual
_DAY_MIN = 24 * 60
_URL_EXAMPLE = "https://antrean.mpp-kota-contoh.go.id"


def _whole_in(r: Reader, low: int, high: int | None, unit: str) -> Callable[[object, Key], Any]:
    """A converter accepting a whole number from `low` to `high` (no upper bound when None)."""

    def convert(value: object, key: Key) -> int | None:
        span = f"from {low} to {high}" if high is not None else f"≥ {low}"
        if isinstance(value, bool) or not isinstance(value, int):
            r.problem(key, f"expected a whole number {span}, got {describe(value)}")
            return None
        if value < low or (high is not None and value > high):
            r.problem(key, f"must be {span}{unit}, got {value}")
            return None
        return value

    return convert


def _public_url(r: Reader, value: object, key: Key) -> str | None:
    """An http(s) address with a host, no query, fragment or password; kept without a final /."""
    text = r.string(value, key)
    if text is None:
        return None
    try:
        parts = urlsplit(text.strip())
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname or not port_ok:
        r.problem(key, f'expected an address such as "{_URL_EXAMPLE}", got "{text}"')
        return None
    if any(c.isspace() for c in text.strip()):
        r.problem(key, f'"{text}" has a space in it; write the address without spaces')
        return None
    if parts.query or parts.fragment or "?" in text or "#" in text:
        r.problem(
            key,
            f'"{text}" has a query or a fragment (after ? or #); the pages add their own '
            f'paths to it: write only the base, such as "{_URL_EXAMPLE}"',
        )
        return None
    if parts.username is not None or parts.password is not None:
        r.problem(key, f'"{text}" names a user; links printed in QR codes carry no credentials')
        return None
    return text.strip().rstrip("/")


def _proxies(r: Reader, value: object, key: Key) -> tuple[str, ...] | None:
    """IP addresses or networks ("10.0.0.5", "10.1.0.0/16"): the reverse proxies believed."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        example = '["10.0.0.5"]'
        r.problem(key, f"expected an array of addresses such as {example}, got {describe(value)}")
        return None
    for entry in value:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            r.problem(key, f'"{entry}" is not an IP address or network such as "10.0.0.5"')
            return None
    return tuple(value)


def read_booking_settings(doc: dict[str, Any], r: Reader) -> BookingSettings | None:
    """The `[booking]` table; its defaults when absent; None when any key is bad."""
    key = Key() / "booking"
    value = doc.get("booking", MISSING)
    if value is MISSING:
        return BookingSettings()
    table = r.table(value, key, BOOKING_KEYS, header="booking")
    if table is None:
        return None
    defaults = BookingSettings()
    before = len(r.problems)
    low, high = _RETENTION_DAYS
    settings = BookingSettings(
        public_url=r.get(table, key, "public_url", lambda v, k: _public_url(r, v, k), None),
        retention_days=r.get(
            table, key, "retention_days", _whole_in(r, low, high, " days"), defaults.retention_days
        ),
        max_active_per_phone=r.get(
            table,
            key,
            "max_active_per_phone",
            _whole_in(r, 1, None, ""),
            defaults.max_active_per_phone,
        ),
        requests_per_minute=r.get(
            table,
            key,
            "requests_per_minute",
            _whole_in(r, 1, None, ""),
            defaults.requests_per_minute,
        ),
        trusted_proxies=r.get(
            table, key, "trusted_proxies", lambda v, k: _proxies(r, v, k), defaults.trusted_proxies
        ),
    )
    return settings if len(r.problems) == before else None


def read_line_booking(value: object, key: Key, r: Reader) -> BookingRules | None:
    """A line's `[lines.booking]` sub-table; None (with its problems recorded) when bad."""
    table = r.table(value, key, LINE_BOOKING_KEYS, header="lines.booking")
    if table is None:
        return None
    defaults = BookingRules(slot_min=_SLOT_MIN[0], places=1)
    before = len(r.problems)
    minutes = " minutes"
    slot_min = r.get(table, key, "slot_min", _whole_in(r, *_SLOT_MIN, minutes))
    places = r.get(table, key, "places", _whole_in(r, 0, None, ""))
    priority_places = r.get(
        table, key, "priority_places", _whole_in(r, 0, None, ""), defaults.priority_places
    )
    days_ahead = r.get(
        table, key, "days_ahead", _whole_in(r, *_DAYS_AHEAD, " days"), defaults.days_ahead
    )
    opens_at = r.get(table, key, "opens_at", r.clock, defaults.opens_at)
    closes_min_before = r.get(
        table,
        key,
        "closes_min_before",
        _whole_in(r, 0, None, minutes),
        defaults.closes_min_before,
    )
    early = r.get(
        table,
        key,
        "check_in_early_min",
        _whole_in(r, *_CHECK_IN_MIN, minutes),
        defaults.check_in_early_min,
    )
    late = r.get(
        table,
        key,
        "check_in_late_min",
        _whole_in(r, *_CHECK_IN_MIN, minutes),
        defaults.check_in_late_min,
    )
    release = r.get(table, key, "release_unused_at", r.clock, None)
    documents = r.get(table, key, "documents", r.string, None)
    if documents is not None and len(documents) > _DOCUMENTS_MAX:
        r.problem(
            key / "documents",
            f"{len(documents)} characters; at most {_DOCUMENTS_MAX}: say what to bring in a "
            "sentence or two",
        )
    if places is not None and priority_places is not None and places + priority_places < 1:
        r.problem(
            key / "places",
            "places and priority_places are both 0: a slot would take no booking; give at "
            "least one place, or remove [lines.booking]",
        )
    if days_ahead is not None and closes_min_before is not None:
        furthest = (days_ahead + 1) * _DAY_MIN
        if closes_min_before >= furthest:
            r.problem(
                key / "closes_min_before",
                f"{closes_min_before} minutes is as long as the whole booking window "
                f"(days_ahead = {days_ahead}: every slot starts within {furthest} minutes), "
                "so no slot could ever be booked",
            )
    if len(r.problems) > before:
        return None
    assert slot_min is not None and places is not None and opens_at is not None
    return BookingRules(
        slot_min=slot_min,
        places=places,
        priority_places=priority_places,
        days_ahead=days_ahead,
        opens_at=opens_at,
        closes_min_before=closes_min_before,
        check_in_early_min=early,
        check_in_late_min=late,
        release_unused_at=release,
        documents=documents.strip() if documents is not None else None,
    )


Week = tuple[DayHours | None, ...]


def _line_days(week: Week, line: Line) -> list[tuple[int, DayHours]]:
    """The weekdays a line is open, with its hours those days (the building's narrowed)."""
    return [
        (d, h)
        for d, day in enumerate(week)
        if day is not None and serves_on(line, d)
        if (h := line_hours(day, line)) is not None
    ]


def _issuing_until(hours: DayHours, line: Line) -> time:
    """When the line stops issuing tickets that day: its closing, or its cutoff when earlier."""
    return hours.close if line.cutoff is None else min(hours.close, line.cutoff)


def check_booking(week: Week | None, lines: list[tuple[Line, Key]], r: Reader) -> None:
    """A release time outside the line's hours on every day it is open is a typo: it would
    hand every place to walk-in citizens before the first slot, or never reach them."""
    if week is None:
        return
    for line, key in lines:
        rules = line.booking
        if rules is None or rules.release_unused_at is None:
            continue
        days = _line_days(week, line)
        at = rules.release_unused_at
        if not days or any(h.open < at < _issuing_until(h, line) for _, h in days):
            continue
        where = key / "booking" / "release_unused_at"
        earliest = min(h.open for _, h in days)
        if at <= earliest:
            r.problem(
                where,
                f"release_unused_at {hhmm(at)} is not after the line opens on any of its days "
                f"(earliest {hhmm(earliest)}): every booked place would go to walk-in "
                "citizens before the first slot",
            )
        else:
            latest = max(_issuing_until(h, line) for _, h in days)
            r.problem(
                where,
                f"release_unused_at {hhmm(at)} is not before the line stops issuing tickets on "
                f"any of its days (latest {hhmm(latest)}, its closing or cutoff): unused "
                "places would never reach walk-in citizens",
            )


def _day_names(days: list[int]) -> str:
    return ", ".join(WEEKDAYS[d] for d in days)


def booking_warnings(building: Building) -> list[tuple[str, str]]:
    """(key, message) of each booking setting a building may run with but likely should not.

    - A slot's booked places need more counter time than the line's counters have in a slot
      (capacity × target_service_min > slot_min × counters serving the line that day): booked
      citizens would be called ever later past their slot start, and walk-in citizens not at all.
    - A release time that some of the line's open days never reach (a shorter Friday).
    - `[booking]` written while no line takes bookings.
    """
    out: list[tuple[str, str]] = []
    booking_lines = [line for line in building.lines if line.booking is not None]
    for line in booking_lines:
        rules = line.booking
        assert rules is not None
        key = f"lines[{line.prefix}].booking"
        days = _line_days(building.weekly, line)
        counters = {
            d: sum(
                1
                for c in building.counters_on_weekday(d).values()
                if c is not None and line.prefix in c.serves
            )
            for d, _ in days
        }
        need = rules.capacity * line.target_service_min
        short = [d for d, n in counters.items() if n and need > rules.slot_min * n]
        if short:
            fewest = min(counters[d] for d in short)
            have = rules.slot_min * fewest
            counted = "counter has" if fewest == 1 else "counters have"
            out.append(
                (
                    f"{key}.places",
                    f"a slot's {rules.capacity} booked places need {need:g} minutes of counter "
                    f"time ({rules.capacity} × target_service_min {line.target_service_min:g}) "
                    f"but the line's {fewest} {counted} {have} in a {rules.slot_min}-minute slot "
                    f"on {_day_names(short)}; booked citizens would be called ever later after "
                    "their slot starts: fewer places, a longer slot or more counters",
                )
            )
        at = rules.release_unused_at
        if at is not None:
            missed = [d for d, h in days if not h.open < at < _issuing_until(h, line)]
            if missed:
                out.append(
                    (
                        f"{key}.release_unused_at",
                        f"{hhmm(at)} is outside the line's hours on {_day_names(missed)}: "
                        "those days no unused booked place goes to walk-in citizens",
                    )
                )
            if line.quota_walk_in is None:
                out.append(
                    (
                        f"{key}.release_unused_at",
                        "has no effect: the line's walk-in tickets have no daily cap "
                        "(quota_walk_in), so there is no quota to grow",
                    )
                )
    if not booking_lines and building.booking != BookingSettings():
        out.append(("booking", "no line takes bookings: add [lines.booking] after a [[lines]]"))
    return out
