"""Where the services are: zones, agencies, their lines (ticket prefixes) and the counters.

The sections `[[zones]]`, `[[agencies]]`, `[[lines]]` and `[[counters]]` of the building file, each
read with the parts of the earlier ones that were valid, so one bad zone does not report every
agency in it again.

A counter's label (`number`), its spoken form and the clashes between desks are
server/config/desks.py's.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from server.config.booking import read_line_booking
from server.config.desks import DeskNames, read_label, read_spoken
from server.config.part_week import SERVICE_KEYS, read_schedule, read_service_hours
from server.config.serves import check_serves
from server.config.toml_reader import Key, Reader, Seen, label
from server.config.visits import read_requires
from server.core.building import Agency, Counter, DeskDays, Line, Zone

__all__ = ["check_served", "read_agencies", "read_counters", "read_lines", "read_zones"]

_PREFIX_RE = re.compile(r"[A-Z]")
_ZONE_KEYS = ("id", "name")
_AGENCY_KEYS = ("code", "name", "short_name", "zone", *SERVICE_KEYS)
_LINE_KEYS = (
    "prefix",
    "agency",
    "name",
    "target_service_min",
    "quota_walk_in",
    "quota_priority",
    "cutoff",
    "max_wait_min",
    *SERVICE_KEYS,
    "booking",  # the [lines.booking] sub-table: server/config/booking.py
    "requires",  # lines needed first in a visit (issue 22): server/config/visits.py checks them
)
_COUNTER_KEYS = (
    "id",
    "name",
    "number",
    "spoken",
    "zone",
    "agency",
    "serves",
    "priority",
    "schedule",
)


def read_zones(doc: dict[str, Any], r: Reader) -> tuple[list[Zone], set[str]]:
    zones: list[Zone] = []
    seen: dict[Any, Seen] = {}
    for i, table in r.entries(doc, "zones", required=True):
        key = (Key() / "zones").item(i, label(table, "id"))
        r.table(table, key, _ZONE_KEYS)
        zone_id = r.get(table, key, "id", r.ident)
        name = r.get(table, key, "name", r.string, f"Zona {zone_id}")
        r.unique(seen, zone_id, key, "id", "zone id")
        if zone_id is not None and name is not None:
            zones.append(Zone(id=zone_id, name=name))
    return zones, set(seen)


def read_agencies(
    doc: dict[str, Any], r: Reader, zone_ids: set[str]
) -> tuple[list[tuple[Agency, Key]], dict[str, str | None]]:
    """The agencies with their keys, and every code read with its zone (None if the zone is bad)."""
    agencies: list[tuple[Agency, Key]] = []
    codes: dict[str, str | None] = {}
    seen: dict[Any, Seen] = {}
    for i, table in r.entries(doc, "agencies", required=True):
        key = (Key() / "agencies").item(i, label(table, "code"))
        r.table(table, key, _AGENCY_KEYS)
        code = r.get(table, key, "code", r.ident)
        name = r.get(table, key, "name", r.string)
        short_name = r.get(table, key, "short_name", r.string, name)
        zone = r.get(table, key, "zone", r.ident)
        zone_ok = r.exists(zone, zone_ids, key / "zone", "zone")
        hours_ok, hours = read_service_hours(table, key, r)
        r.unique(seen, code, key, "code", "agency code")
        if code is not None and code not in codes:
            codes[code] = zone if zone_ok else None
        if code and name and short_name and zone and zone_ok and hours_ok:
            agency = Agency(code, name, short_name, zone, service_hours=hours)
            agencies.append((agency, key))
    return agencies, codes


def read_lines(
    doc: dict[str, Any], r: Reader, agency_codes: Collection[str]
) -> tuple[list[tuple[Line, Key]], dict[str, tuple[str | None, Key]]]:
    """The lines with their keys, and every prefix read with its agency (None if unknown)."""
    lines: list[tuple[Line, Key]] = []
    prefixes: dict[str, tuple[str | None, Key]] = {}
    seen: dict[Any, Seen] = {}
    for i, table in r.entries(doc, "lines", required=True):
        raw_prefix = table.get("prefix")
        label = (
            raw_prefix if isinstance(raw_prefix, str) and _PREFIX_RE.fullmatch(raw_prefix) else None
        )
        key = (Key() / "lines").item(i, label)
        r.table(table, key, _LINE_KEYS)
        problems_before = len(r.problems)
        prefix = r.get(table, key, "prefix", r.string)
        if prefix is not None and not _PREFIX_RE.fullmatch(prefix):
            r.problem(key / "prefix", f'must be one uppercase letter A–Z, got "{prefix}"')
            # Still known as a line, so counters that serve it raise no second problem.
            prefixes.setdefault(prefix, (None, key))
            prefix = None
        agency = r.get(table, key, "agency", r.ident)
        agency_ok = r.exists(agency, agency_codes, key / "agency", "agency")
        name = r.get(table, key, "name", r.string)
        target = r.get(table, key, "target_service_min", r.number)
        quota_walk_in = r.get(table, key, "quota_walk_in", r.count, None)
        quota_priority = r.get(table, key, "quota_priority", r.count, None)
        cutoff = r.get(table, key, "cutoff", r.clock, None)
        max_wait = r.get(table, key, "max_wait_min", r.number, None)
        _, service_hours = read_service_hours(table, key, r)  # its agency's are filled in later
        booking = r.get(table, key, "booking", lambda v, k: read_line_booking(v, k, r), None)
        requires = r.get(table, key, "requires", lambda v, k: read_requires(v, k, r), ())
        r.unique(seen, prefix, key, "prefix", "prefix")
        if prefix is not None and prefix not in prefixes:
            prefixes[prefix] = (agency if agency_ok else None, key)
        valid = len(r.problems) == problems_before
        if valid and prefix and agency and name and target is not None:
            line = Line(
                prefix=prefix,
                agency=agency,
                name=name,
                target_service_min=target,
                quota_walk_in=quota_walk_in,
                quota_priority=quota_priority,
                cutoff=cutoff,
                max_wait_min=max_wait,
                service_hours=service_hours,
                booking=booking,
                requires=requires,
            )
            lines.append((line, key))
    return lines, prefixes


def _counter_number(counter_id: str) -> int | None:
    """The last run of digits in a counter id: "L07" is loket 7."""
    runs = re.findall(r"\d+", counter_id)
    return int(runs[-1]) if runs and int(runs[-1]) > 0 else None


def read_counters(
    doc: dict[str, Any],
    r: Reader,
    zone_ids: set[str],
    agency_zones: dict[str, str | None],
    prefixes: dict[str, tuple[str | None, Key]],
) -> tuple[list[tuple[Counter, Key]], set[str]]:
    """The counters with their keys, and the prefixes at least one counter (valid or not)
    serves. A shared desk (`schedule`) names its agency and lines per day instead."""
    counters: list[tuple[Counter, Key]] = []
    served: set[str] = set()
    seen_ids: dict[Any, Seen] = {}
    seen_numbers: dict[Any, Seen] = {}
    desks = DeskNames()
    for i, table in r.entries(doc, "counters", required=True):
        key = (Key() / "counters").item(i, label(table, "id"))
        r.table(table, key, _COUNTER_KEYS)
        problems_before = len(r.problems)
        counter_id = r.get(table, key, "id", r.ident)
        shared = "schedule" in table
        schedule = _read_desk(table, key, r, agency_zones, prefixes, served) if shared else None
        agency = "" if shared else r.get(table, key, "agency", r.ident)
        agency_ok = not shared and r.exists(agency, agency_zones, key / "agency", "agency")
        default_number = _counter_number(counter_id) if counter_id else None
        number: int | str | None
        if "number" in table:
            number = r.get(table, key, "number", lambda v, k: read_label(r, v, k))
        elif counter_id is not None and default_number is None:
            r.problem(
                key / "number",
                f'no number in the id "{counter_id}"; add number = N, or the label on the desk '
                'such as number = "3A"',
            )
            number = None
        else:
            number = default_number
        name = r.get(table, key, "name", r.string, f"Loket {number}")
        spoken = r.get(table, key, "spoken", lambda v, k: read_spoken(r, v, k), None)
        default_zone = agency_zones.get(agency) if agency_ok and agency else None
        if schedule:
            default_zone = _desk_zone(schedule, agency_zones, key, table, r)
        zone = r.get(table, key, "zone", r.ident, default_zone)
        if "zone" in table:
            r.exists(zone, zone_ids, key / "zone", "zone")
        priority = r.get(table, key, "priority", r.boolean, False)
        if shared:  # every line it calls on some day, for the lookups by line
            serves = list(dict.fromkeys(p for part in schedule or () for p in part.serves))
        else:
            serves = r.get(table, key, "serves", r.strings)
        if not shared:  # a shared desk's days were checked one by one (part_week.py)
            belongs = f"the counter belongs to {agency}"
            check_serves(r, key, serves, prefixes, served, agency, agency_ok, belongs)
        r.unique(seen_ids, counter_id, key, "id", "counter id")
        if number is not None and number in seen_numbers:
            where, source = ("number", "") if "number" in table else ("id", " (from the id)")
            r.problem(
                key / where,
                f"loket number {number}{source} is already used by "
                f"{r.first_at(*seen_numbers[number])}; numbers are read aloud, keep them unique",
            )
        elif number is not None:
            seen_numbers[number] = (key, key / ("number" if "number" in table else "id"))
            if "spoken" not in table or spoken is not None:
                desks.check(r, table, key, name, number, spoken)
        valid = len(r.problems) == problems_before
        # zone is None without a problem here when the agency's own zone was the bad one.
        if valid and counter_id and name and number and zone and (agency or schedule) and serves:
            counter = Counter(
                id=counter_id,
                name=name,
                number=number,
                zone=zone,
                agency=agency or "",
                serves=tuple(serves),
                priority=bool(priority),
                schedule=schedule or (),
                spoken=spoken,
            )
            counters.append((counter, key))
    return counters, served


def _read_desk(
    table: dict[str, Any],
    key: Key,
    r: Reader,
    agency_zones: dict[str, str | None],
    prefixes: dict[str, tuple[str | None, Key]],
    served: set[str],
) -> tuple[DeskDays, ...] | None:
    """A shared desk's schedule; its agencies and lines are named there, not beside it."""
    for name in ("agency", "serves"):
        if name in table:
            r.problem(
                key / name,
                "a shared desk names its agency and lines per day in [[counters.schedule]]; "
                f'remove "{name}"',
            )
    return read_schedule(table["schedule"], key / "schedule", r, agency_zones, prefixes, served)


def _desk_zone(
    schedule: tuple[DeskDays, ...],
    agency_zones: dict[str, str | None],
    key: Key,
    table: dict[str, Any],
    r: Reader,
) -> str | None:
    """A shared desk's zone by default: its agencies' zone, when they share one."""
    zones = {agency_zones.get(part.agency) for part in schedule}
    if len(zones) == 1:
        return zones.pop()
    if "zone" not in table and None not in zones:
        r.problem(
            key / "zone",
            f"the desk's agencies are in different zones ({', '.join(sorted(zones))}); "  # type: ignore[arg-type]
            "add zone = the zone whose TVs show its calls",
        )
    return None


def check_served(prefixes: dict[str, tuple[str | None, Key]], served: set[str], r: Reader) -> None:
    """A line that no counter serves would issue tickets nobody calls."""
    for prefix, (_, key) in prefixes.items():
        if prefix not in served and _PREFIX_RE.fullmatch(prefix):
            r.problem(key, f'no counter serves line "{prefix}"; add it to a counter\'s serves')
