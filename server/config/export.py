"""The building written out as a building file: `antre config export` (issue 23).

Theory of operation: `building_toml` writes every field of a `Building` in the file format
docs/configuration.md documents, section by section in the order the docs present them, so that
`parse_building(building_toml(b)) == b`. That round trip is the contract: live administration
(a later increment) validates a changed building by writing it out with this module and loading
it back with the config reader, so the exporter must be exact for everything the reader can
produce. Where the reader derives or normalises a field, the text is written so that reading it
derives the same value:

- A line's days and hours are stored resolved (its agency's filled in); only what differs from
  its agency's is written, and reading fills the rest in again.
- Special hours store all seven days; only the days that differ from `[hours]` are written.
- Holidays and special hours are written in date order, the order the reader keeps them in.
- A shared desk's `agency` ("") and `serves` (every line of its schedule) are derived from its
  `[[counters.schedule]]`, so only the schedule is written.
- Times are "HH:MM" ("24:00" for the end of the day); a time with seconds, which a TOML local
  time in the original may give, is written as a TOML local time so that it is kept.

Settings tables (`[policy]`, `[voice]`, `[booking]`, `[phone]`, `[survey]`, `[complaints]`) are
written in full, defaults included, so the exported file shows every knob; an optional key
without a value (no quota, no cutoff) is left out, which reads back as no value.

Secrets are never written: PINs and tokens are already hashes in the Building, and a webhook's
or central's shared secret is named by the file it was read from (`Destination.secret_file`).
A destination whose secret has no file (made in code) is refused with `ExportError`.

Nothing here reads a clock: the moment written in the header is the caller's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from server.config.hours import WEEKDAYS
from server.core.building import (
    END_OF_DAY,
    Agency,
    BookingRules,
    Building,
    Counter,
    DayHours,
    Destination,
    DestinationKind,
    Line,
    ServiceHours,
)

__all__ = ["ExportError", "building_toml", "toml_string"]


class ExportError(ValueError):
    """A building that cannot be written as a building file without losing or leaking a part."""


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b"}


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, the rest (ā, –,
    ×) kept readable."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")  # TOML allows no raw control character
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_q = toml_string


def _clock(t: time) -> str:
    """A time of day as the file writes it; "24:00" is the end of the day (END_OF_DAY)."""
    if t == END_OF_DAY:
        return '"24:00"'
    if t.second == 0 and t.microsecond == 0:
        return f'"{t:%H:%M}"'
    return t.isoformat()  # a TOML local time (07:30:15): the reader keeps its seconds


def _number(value: float) -> str:
    """A number of minutes or a percentage: 60 rather than 60.0 (read back as the same float)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def _strings(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _days(days: frozenset[int]) -> str:
    return _strings([WEEKDAYS[d] for d in sorted(days)])


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _day_hours(hours: DayHours | None) -> str:
    """One weekday's hours as an inline table, or "closed"."""
    if hours is None:
        return '"closed"'
    parts = [f"open = {_clock(hours.open)}", f"close = {_clock(hours.close)}"]
    if hours.breaks:
        spans = ", ".join(f"[{_clock(b.start)}, {_clock(b.end)}]" for b in hours.breaks)
        parts.append(f"breaks = [{spans}]")
    return "{ " + ", ".join(parts) + " }"


def _service_hours(own: ServiceHours | None, inherited: ServiceHours | None) -> Iterator[str]:
    """`days`, `open`, `close` of an agency (nothing inherited) or of a line (what differs from
    its agency's: reading fills the agency's in for what the line leaves out)."""
    if own is None:
        return
    if own.days is not None and (inherited is None or own.days != inherited.days):
        yield f"days = {_days(own.days)}"
    if own.open is not None and (inherited is None or own.open != inherited.open):
        yield f"open = {_clock(own.open)}"
    if own.close is not None and (inherited is None or own.close != inherited.close):
        yield f"close = {_clock(own.close)}"


# --------------------------------------------------------------------------------------------
# Sections, in the order of docs/configuration.md
# --------------------------------------------------------------------------------------------


def _header(when: datetime | None) -> Iterator[str]:
    at = f" on {when.isoformat(timespec='seconds')}" if when is not None else ""
    yield f"# Exported by Antre (`antre config export`){at}."
    yield "# Every setting of the building is written out, defaults included; the comments of the"
    yield "# file it was loaded from are not kept. Secrets are not in it: PINs and device tokens"
    yield "# are hashes, and webhook and central secrets are named by their files."
    yield "# docs/configuration.md describes every field; check it with `antre config check`."


def _building(b: Building) -> Iterator[str]:
    yield "[building]"
    yield f"name = {_q(b.name)}"
    if b.id is not None:
        yield f"id = {_q(b.id)}"
    yield f"timezone = {_q(b.timezone)}"
    if b.running_text:
        yield f"running_text = {_q(b.running_text)}"


def _hours(b: Building) -> Iterator[str]:
    yield "[hours]"
    for name, hours in zip(WEEKDAYS, b.weekly, strict=True):
        yield f"{name} = {_day_hours(hours)}"


def _holidays(b: Building) -> Iterator[str]:
    for holiday in sorted(b.holidays, key=lambda h: h.day):  # the reader keeps them by date
        yield ""
        yield "[[holidays]]"
        yield f"date = {_date(holiday.day)}"
        yield f"name = {_q(holiday.name)}"


def _date(day: date) -> str:
    return day.isoformat()  # a TOML local date, unquoted


def _special_hours(b: Building) -> Iterator[str]:
    for period in sorted(b.special_hours, key=lambda s: s.start):
        yield ""
        yield "[[special_hours]]"
        yield f"name = {_q(period.name)}"
        yield f"start = {_date(period.start)}"
        yield f"end = {_date(period.end)}"
        # A weekday the period leaves out keeps the regular hours: write only those it changes.
        for name, hours, regular in zip(WEEKDAYS, period.weekly, b.weekly, strict=True):
            if hours != regular:
                yield f"{name} = {_day_hours(hours)}"


def _zones(b: Building) -> Iterator[str]:
    for zone in b.zones:
        yield ""
        yield "[[zones]]"
        yield f"id = {_q(zone.id)}"
        yield f"name = {_q(zone.name)}"


def _agencies(b: Building) -> Iterator[str]:
    for agency in b.agencies:
        yield ""
        yield "[[agencies]]"
        yield f"code = {_q(agency.code)}"
        yield f"name = {_q(agency.name)}"
        yield f"short_name = {_q(agency.short_name)}"
        yield f"zone = {_q(agency.zone)}"
        yield from _service_hours(agency.service_hours, None)


def _lines(b: Building) -> Iterator[str]:
    for line in b.lines:
        agency: Agency | None = b.agency(line.agency)
        yield ""
        yield "[[lines]]"
        yield f"prefix = {_q(line.prefix)}"
        yield f"agency = {_q(line.agency)}"
        yield f"name = {_q(line.name)}"
        yield f"target_service_min = {_number(line.target_service_min)}"
        yield from _line_options(line)
        yield from _service_hours(line.service_hours, agency.service_hours if agency else None)
        if line.requires:
            yield f"requires = {_strings(line.requires)}"
        if line.booking is not None:
            yield ""
            yield "[lines.booking]"
            yield from _line_booking(line.booking)


def _line_options(line: Line) -> Iterator[str]:
    if line.quota_walk_in is not None:
        yield f"quota_walk_in = {line.quota_walk_in}"
    if line.quota_priority is not None:
        yield f"quota_priority = {line.quota_priority}"
    if line.cutoff is not None:
        yield f"cutoff = {_clock(line.cutoff)}"
    if line.max_wait_min is not None:
        yield f"max_wait_min = {_number(line.max_wait_min)}"


def _line_booking(rules: BookingRules) -> Iterator[str]:
    yield f"slot_min = {rules.slot_min}"
    yield f"places = {rules.places}"
    yield f"priority_places = {rules.priority_places}"
    yield f"days_ahead = {rules.days_ahead}"
    yield f"opens_at = {_clock(rules.opens_at)}"
    yield f"closes_min_before = {rules.closes_min_before}"
    yield f"check_in_early_min = {rules.check_in_early_min}"
    yield f"check_in_late_min = {rules.check_in_late_min}"
    if rules.release_unused_at is not None:
        yield f"release_unused_at = {_clock(rules.release_unused_at)}"
    if rules.documents is not None:
        yield f"documents = {_q(rules.documents)}"


def _counters(b: Building) -> Iterator[str]:
    for counter in b.counters:
        yield ""
        yield "[[counters]]"
        yield from _counter(counter)
        for part in counter.schedule:
            yield ""
            yield "[[counters.schedule]]"
            yield f"days = {_days(part.days)}"
            yield f"agency = {_q(part.agency)}"
            yield f"serves = {_strings(part.serves)}"


def _counter(c: Counter) -> Iterator[str]:
    yield f"id = {_q(c.id)}"
    yield f"name = {_q(c.name)}"
    # A whole number stays a number; a label ("3A", "07") is written as the string it is.
    yield f"number = {c.number}" if isinstance(c.number, int) else f"number = {_q(c.number)}"
    if c.spoken is not None:
        yield f"spoken = {_q(c.spoken)}"
    yield f"zone = {_q(c.zone)}"
    if not c.schedule:  # a shared desk's agency and lines are its schedule's
        yield f"agency = {_q(c.agency)}"
        yield f"serves = {_strings(c.serves)}"
    if c.priority:
        yield "priority = true"


def _devices(b: Building) -> Iterator[str]:
    for device in b.devices:
        yield ""
        yield "[[devices]]"
        yield f"id = {_q(device.id)}"
        yield f"kind = {_q(device.kind.value)}"
        if device.zone is not None:
            yield f"zone = {_q(device.zone)}"
        if device.counter is not None:
            yield f"counter = {_q(device.counter)}"
        yield f"token_sha256 = {_q(device.token_sha256)}"


def _portals(b: Building) -> Iterator[str]:
    for portal in b.portals:
        yield ""
        yield "[[portals]]"
        yield f"id = {_q(portal.id)}"
        yield f"name = {_q(portal.name)}"
        yield f"token_sha256 = {_q(portal.token_sha256)}"
        yield f"scope = {_q(portal.scope)}"
        yield f"requests_per_minute = {portal.requests_per_minute}"


def _people(b: Building) -> Iterator[str]:
    for officer in b.officers:
        yield ""
        yield "[[officers]]"
        yield f"id = {_q(officer.id)}"
        yield f"name = {_q(officer.name)}"
        yield f"agency = {_q(officer.agency)}"
        yield f"pin_hash = {_q(officer.pin_hash)}"
        if officer.disabled:
            yield f"disabled = {_bool(True)}"
    for manager in b.managers:
        yield ""
        yield "[[managers]]"
        yield f"id = {_q(manager.id)}"
        yield f"name = {_q(manager.name)}"
        yield f"role = {_q(manager.role.value)}"
        yield f"pin_hash = {_q(manager.pin_hash)}"


def _settings(b: Building) -> Iterator[str]:
    p = b.policy
    yield ""
    yield "[policy]"
    yield f"regular_per_priority = {p.regular_per_priority}"
    yield f"max_wait_min = {_number(p.max_wait_min)}"
    yield f"priority_counter_first = {_bool(p.priority_counter_first)}"
    yield f"protect_regular = {_bool(p.protect_regular)}"
    yield f"regular_delay_pct = {_number(p.regular_delay_pct)}"
    yield f"regular_delay_min = {_number(p.regular_delay_min)}"
    yield f"booking_delay_pct = {_number(p.booking_delay_pct)}"
    yield f"noshow_window_min = {_number(p.noshow_window_min)}"
    yield f"printing_timeout_s = {_number(p.printing_timeout_s)}"
    yield f"closing_grace_min = {_number(p.closing_grace_min)}"
    yield f"estimate_window = {p.estimate_window}"
    yield f"visit_credit_min = {_number(p.visit_credit_min)}"
    yield f"visit_max_stops = {p.visit_max_stops}"
    yield f"closure_approval = {_bool(p.closure_approval)}"
    v = b.voice
    yield ""
    yield "[voice]"
    yield f"style = {_q(v.style)}"
    yield f"template = {_q(v.template)}"
    yield f"agency = {_bool(v.agency)}"
    yield f"speed_wpm = {v.speed_wpm}"
    k = b.booking
    yield ""
    yield "[booking]"
    if k.public_url is not None:
        yield f"public_url = {_q(k.public_url)}"
    yield f"retention_days = {k.retention_days}"
    yield f"max_active_per_phone = {k.max_active_per_phone}"
    yield f"requests_per_minute = {k.requests_per_minute}"
    if k.trusted_proxies:
        yield f"trusted_proxies = {_strings(k.trusted_proxies)}"
    yield ""
    yield "[phone]"
    yield f"warn_when_ahead = {b.phone.warn_when_ahead}"
    s = b.survey
    yield ""
    yield "[survey]"
    yield f"enabled = {_bool(s.enabled)}"
    yield f"days_open = {s.days_open}"
    yield "wait_bands_min = [" + ", ".join(str(m) for m in s.wait_bands_min) + "]"
    yield f"public_period = {_q(s.public_period)}"
    yield f"running_text = {_bool(s.running_text)}"
    yield f"requests_per_minute = {s.requests_per_minute}"
    yield f"tablet_idle_s = {s.tablet_idle_s}"
    c = b.complaints
    yield ""
    yield "[complaints]"
    yield f"days_open = {c.days_open}"
    yield f"take_days = {c.take_days}"
    yield f"answer_days = {c.answer_days}"
    yield f"close_days = {c.close_days}"
    yield f"warn_days = {c.warn_days}"


def _destinations(b: Building, base: Path | None) -> Iterator[str]:
    webhooks = [d for d in b.destinations if d.kind is DestinationKind.WEBHOOK]
    central = [d for d in b.destinations if d.kind is DestinationKind.CENTRAL]
    for d in webhooks:
        yield ""
        yield "[[webhooks]]"
        yield f"id = {_q(d.id)}"
        yield f"url = {_q(d.url)}"
        yield f"secret_file = {_q(_secret_path(d, base))}"
        if d.events is not None:
            if not d.events:
                raise ExportError(f"webhooks[{d.id}]: wants no event kind; remove the webhook")
            yield f"events = {_strings(sorted(d.events))}"
        yield f"personal_data = {_bool(d.personal_data)}"
        yield f"alert_after_minutes = {_minutes(d)}"
        yield f"batch_size = {d.batch_size}"
    for d in central:
        if d.events is not None or d.personal_data:
            raise ExportError("central: gets every event and no personal data; it cannot choose")
        yield ""
        yield "[central]"
        yield f"url = {_q(d.url)}"
        yield f"key_file = {_q(_secret_path(d, base))}"
        yield f"batch_size = {d.batch_size}"
        yield f"alert_after_minutes = {_minutes(d)}"


def _minutes(d: Destination) -> int:
    """The file takes whole minutes; the Building holds them as a float."""
    minutes = d.alert_after_minutes
    if not float(minutes).is_integer():
        raise ExportError(f"{d.id}: alert_after_minutes {minutes} is not a whole number")
    return int(minutes)


def _secret_path(d: Destination, base: Path | None) -> str:
    """The secret's file, relative to `base` (the exported file's folder) when it lies inside
    it, else absolute; the reader takes a relative path from the building file's folder."""
    if d.secret_file is None:
        what = "key_file" if d.kind is DestinationKind.CENTRAL else "secret_file"
        raise ExportError(
            f"{d.id}: the secret was not read from a file, so there is no {what} to name; "
            "write it to a file (openssl rand -hex 32 > FILE) and load the building from a "
            "file naming it: a secret is never written into the building file"
        )
    if base is not None:
        folder = os.path.abspath(base)
        if os.path.commonpath([folder, d.secret_file]) == folder:
            return os.path.relpath(d.secret_file, folder)
    return d.secret_file


# --------------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------------


def building_toml(
    building: Building, *, base: Path | None = None, when: datetime | None = None
) -> str:
    """The building as the text of a building file that loads back equal to it.

    `base`: the folder the text will be saved in; secret files inside it are named relative to
    it (the reader reads them relative to the building file's folder), others by their absolute
    path. `when`: the moment named in the header comment (none named when None).
    Raises ExportError for a destination whose secret has no file, or a value the file format
    cannot hold.
    """
    sections = [
        _header(when),
        _building(building),
        _hours(building),
        _holidays(building),
        _special_hours(building),
        _zones(building),
        _agencies(building),
        _lines(building),
        _counters(building),
        _devices(building),
        _portals(building),
        _people(building),
        _settings(building),
        _destinations(building, base),
    ]
    out: list[str] = []
    for section in sections:
        lines = list(section)
        if not lines:
            continue
        if out and lines[0] != "":
            out.append("")
        out.extend(lines)
    return "\n".join(out) + "\n"
