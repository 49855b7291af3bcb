"""The building file: one TOML file in, one validated `Building` out, or every mistake named.

`parse_building` reads each section with its own module (`settings`, `hours`, `layout`, `people`,
`booking`, `survey`) through one `Reader`, which records a problem for each mistake instead of
stopping at the first. Cross-references (a counter's lines, a line's agency, zones, a tablet's
counter) are checked after every section has been read, using whatever parts were valid, so one
bad entry does not drown the report in follow-on errors. Only a file without any problem becomes
a `Building`; the core trusts it and checks nothing again. `docs/configuration.md` describes
every field.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

from server.config.booking import check_booking, read_booking_settings
from server.config.delivery import read_building_id, read_destinations
from server.config.desks import check_spoken_heard
from server.config.hours import check_cutoffs, read_holidays, read_hours, read_special_hours
from server.config.layout import (
    check_served,
    read_agencies,
    read_counters,
    read_lines,
    read_zones,
)
from server.config.part_week import check_days_served, resolve_part_week
from server.config.people import read_devices, read_people, read_portals
from server.config.settings import (
    check_closure_approval,
    read_building_table,
    read_phone,
    read_policy,
    read_voice,
)
from server.config.survey import read_complaints, read_survey
from server.config.toml_reader import Key, Reader, parse_toml, read_toml_text, suggest
from server.config.visits import check_requires
from server.core.building import Building

__all__ = ["load_building", "parse_building"]

_TOP_LEVEL = (
    "building",
    "hours",
    "holidays",
    "special_hours",
    "zones",
    "agencies",
    "lines",
    "counters",
    "devices",
    "officers",
    "managers",
    "policy",
    "voice",
    "booking",
    "phone",
    "portals",
    "survey",
    "complaints",
    "webhooks",
    "central",
)


def _read(doc: dict[str, Any], r: Reader, base: Path) -> Building | None:
    for name in doc:
        if name not in _TOP_LEVEL:
            hint = suggest(name, _TOP_LEVEL) or "; allowed: " + ", ".join(_TOP_LEVEL)
            r.problem(Key() / name, f'unknown table "{name}"{hint}')
    name, tz, running_text = read_building_table(doc, r)
    week, open_days = read_hours(doc, r)
    holidays = read_holidays(doc, r)
    special = read_special_hours(doc, r, week)
    zones, zone_ids = read_zones(doc, r)
    layout_problems = len(r.problems)
    agencies, agency_zones = read_agencies(doc, r, zone_ids)
    lines, prefixes = read_lines(doc, r, agency_zones)
    counters, served = read_counters(doc, r, zone_ids, agency_zones, prefixes)
    check_served(prefixes, served, r)
    check_requires(lines, prefixes, r)
    lines = resolve_part_week(week, agencies, lines, counters, r)
    if len(r.problems) == layout_problems:
        # Only over a layout read without a mistake: a bad agency's days, a bad counter or a
        # desk's day given to an absent agency would make lines look unserved on some day.
        check_days_served(week, lines, [c for c, _ in counters], served, r)
    check_cutoffs(lines, open_days, r, week)
    check_booking(week, lines, r)
    devices = read_devices(doc, r, zone_ids, {c.id for c, _ in counters})
    portals = read_portals(doc, r, devices)
    officers, managers = read_people(doc, r, agency_zones)
    policy = read_policy(doc, r)
    check_closure_approval(policy, managers, r)
    voice = read_voice(doc, r)
    booking = read_booking_settings(doc, r)
    if voice is not None:
        check_spoken_heard(doc, voice.template, r)
    phone = read_phone(doc, r)
    survey = read_survey(doc, r)
    complaints = read_complaints(doc, r)
    building_id = read_building_id(doc, r)
    destinations = read_destinations(doc, r, building_id, base)
    complete = name and tz and running_text is not None and week is not None and policy and voice
    complete = complete and phone is not None and survey is not None and complaints is not None
    if r.problems or not complete or booking is None:
        return None
    return Building(
        name=name,
        timezone=tz,
        weekly=week,
        zones=tuple(zones),
        agencies=tuple(agency for agency, _ in agencies),
        lines=tuple(line for line, _ in lines),
        counters=tuple(counter for counter, _ in counters),
        devices=tuple(devices),
        officers=tuple(officers),
        managers=tuple(managers),
        holidays=tuple(sorted(holidays, key=lambda h: h.day)),
        special_hours=tuple(sorted(special, key=lambda s: s.start)),
        policy=policy,
        running_text=running_text,
        voice=voice,
        booking=booking,
        phone=phone,
        portals=tuple(portals),
        survey=survey,
        complaints=complaints,
        id=building_id,
        destinations=destinations,
    )


def parse_building(text: str, file: str = "<string>") -> Building:
    """The validated building described by TOML text; raises ConfigError listing every problem."""
    doc = parse_toml(text, file)
    reader = Reader(file, text)
    # Secret files are named relative to the building file (the current folder for a string).
    base = Path(file).parent if not file.startswith("<") else Path()
    building = _read(doc, reader, base)
    if building is None and not reader.problems:  # a reader bug, but still no traceback
        reader.problem(Key(), "could not be read; please report this file to Antre's developers")
    if building is None:
        raise reader.error()
    return building


def load_building(path: str | PathLike[str]) -> Building:
    """The validated building in a TOML file; raises ConfigError, and nothing else, if unusable."""
    return parse_building(read_toml_text(path), str(path))
