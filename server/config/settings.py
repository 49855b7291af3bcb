"""How the building runs: its name, timezone and running text, the calling policy, the voice,
the phone page.

The sections `[building]`, `[policy]`, `[voice]` and `[phone]` of the building file; all but
`[building]` may be left out, and every key in them has the default of `PolicySettings`,
`VoiceConfig` and `PhoneSettings`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.config.toml_reader import MISSING, Key, Reader, describe
from server.core.building import (
    TIMEZONE_OFFSETS,
    Manager,
    PhoneSettings,
    PolicySettings,
    VoiceConfig,
)
from server.core.phone_alerts import MAX_WARN_WHEN_AHEAD
from server.core.voice_text import ReadingStyle, validate_template

__all__ = [
    "check_closure_approval",
    "read_building_table",
    "read_phone",
    "read_policy",
    "read_voice",
]

_BUILDING_KEYS = ("name", "timezone", "running_text", "id")  # id: config/delivery.py
_POLICY_KEYS = tuple(PolicySettings.__dataclass_fields__)
_VOICE_KEYS = tuple(VoiceConfig.__dataclass_fields__)
_PHONE_KEYS = tuple(PhoneSettings.__dataclass_fields__)
# espeak-ng takes 80..450 words per minute; past 250 a call is too quick for a hall with an echo.
_SPEED_WPM = (80, 250)


def read_building_table(
    doc: dict[str, Any], r: Reader
) -> tuple[str | None, str | None, str | None]:
    """The [building] table: name, timezone and running text; None for each one that is bad."""
    key = Key() / "building"
    value = doc.get("building", MISSING)
    if value is MISSING:
        r.problem(key, 'required: add a [building] table with name and timezone = "WIB"')
        return None, None, None
    table = r.table(value, key, _BUILDING_KEYS, header="building")
    if table is None:
        return None, None, None
    name = r.get(table, key, "name", r.string)
    tz = r.get(table, key, "timezone", r.string)
    if tz is not None and tz not in TIMEZONE_OFFSETS:
        r.problem(
            key / "timezone",
            f'unknown timezone "{tz}"; use one of {", ".join(TIMEZONE_OFFSETS)}',
        )
        tz = None
    running_text = r.get(table, key, "running_text", r.text, "")
    return name, tz, running_text


# A visit holds 2..6 stops (issue 22): one is no visit, and past six nobody plans a day.
_VISIT_STOPS = (2, 6)


def _max_stops(r: Reader, value: object, key: Key) -> int | None:
    stops = r.whole(value, key, _VISIT_STOPS[0])
    if stops is not None and stops > _VISIT_STOPS[1]:
        low, high = _VISIT_STOPS
        r.problem(key, f"must be between {low} and {high}, got {stops}")
        return None
    return stops


def read_policy(doc: dict[str, Any], r: Reader) -> PolicySettings | None:
    key = Key() / "policy"
    value = doc.get("policy", {})
    table = r.table(value, key, _POLICY_KEYS, header="policy")
    if table is None:
        return None
    defaults = PolicySettings()
    problems_before = len(r.problems)
    settings = PolicySettings(
        regular_per_priority=r.get(
            table, key, "regular_per_priority", r.count, defaults.regular_per_priority
        ),
        max_wait_min=r.get(table, key, "max_wait_min", r.number, defaults.max_wait_min),
        priority_counter_first=r.get(
            table, key, "priority_counter_first", r.boolean, defaults.priority_counter_first
        ),
        protect_regular=r.get(table, key, "protect_regular", r.boolean, defaults.protect_regular),
        regular_delay_pct=r.get(
            table, key, "regular_delay_pct", r.non_negative, defaults.regular_delay_pct
        ),
        regular_delay_min=r.get(
            table, key, "regular_delay_min", r.non_negative, defaults.regular_delay_min
        ),
        booking_delay_pct=r.get(
            table, key, "booking_delay_pct", r.non_negative, defaults.booking_delay_pct
        ),
        noshow_window_min=r.get(
            table, key, "noshow_window_min", r.non_negative, defaults.noshow_window_min
        ),
        printing_timeout_s=r.get(
            table, key, "printing_timeout_s", r.number, defaults.printing_timeout_s
        ),
        closing_grace_min=r.get(
            table, key, "closing_grace_min", r.non_negative, defaults.closing_grace_min
        ),
        estimate_window=r.get(
            table, key, "estimate_window", lambda v, k: r.whole(v, k, 1), defaults.estimate_window
        ),
        visit_credit_min=r.get(
            table, key, "visit_credit_min", r.non_negative, defaults.visit_credit_min
        ),
        visit_max_stops=r.get(
            table,
            key,
            "visit_max_stops",
            lambda v, k: _max_stops(r, v, k),
            defaults.visit_max_stops,
        ),
        closure_approval=r.get(
            table, key, "closure_approval", r.boolean, defaults.closure_approval
        ),
    )
    return settings if len(r.problems) == problems_before else None


def check_closure_approval(
    policy: PolicySettings | None, managers: Sequence[Manager], r: Reader
) -> None:
    """`closure_approval = true` needs someone to approve (issue 23): a floor manager or an
    admin (every `[[managers]]` entry is one of the two), or no counter could close in service
    hours."""
    if policy is not None and policy.closure_approval and not managers:
        r.problem(
            Key() / "policy" / "closure_approval",
            "closure_approval = true needs someone to approve: add a [[managers]] entry",
        )


def read_voice(doc: dict[str, Any], r: Reader) -> VoiceConfig | None:
    key = Key() / "voice"
    value = doc.get("voice", {})
    table = r.table(value, key, _VOICE_KEYS, header="voice")
    if table is None:
        return None
    defaults = VoiceConfig()
    problems_before = len(r.problems)
    styles = r.choice({s.value: s.value for s in ReadingStyle})

    def template(value: object, at: Key) -> str | None:
        text = r.string(value, at)
        if text is None:
            return None
        try:
            validate_template(text)
        except ValueError as e:
            r.problem(at, f'{e}; for example template = "{defaults.template}"')
            return None
        return text

    def speed(value: object, at: Key) -> int | None:
        low, high = _SPEED_WPM
        if isinstance(value, bool) or not isinstance(value, int):
            r.problem(at, f"expected a whole number from {low} to {high}, got {describe(value)}")
            return None
        if not low <= value <= high:
            r.problem(at, f"must be {low} to {high} words per minute, got {value}")
            return None
        return value

    voice = VoiceConfig(
        style=r.get(table, key, "style", styles, defaults.style),
        template=r.get(table, key, "template", template, defaults.template),
        agency=r.get(table, key, "agency", r.boolean, defaults.agency),
        speed_wpm=r.get(table, key, "speed_wpm", speed, defaults.speed_wpm),
    )
    return voice if len(r.problems) == problems_before else None


def read_phone(doc: dict[str, Any], r: Reader) -> PhoneSettings | None:
    """The [phone] table: when the citizen's phone page warns that the turn is near."""
    key = Key() / "phone"
    value = doc.get("phone", {})
    table = r.table(value, key, _PHONE_KEYS, header="phone")
    if table is None:
        return None
    defaults = PhoneSettings()
    problems_before = len(r.problems)

    def people(value: object, at: Key) -> int | None:
        most = MAX_WARN_WHEN_AHEAD
        if isinstance(value, bool) or not isinstance(value, int):
            r.problem(
                at, f"expected a whole number of people from 0 to {most}, got {describe(value)}"
            )
            return None
        if not 0 <= value <= most:
            r.problem(at, f"must be 0 to {most} people, got {value}")
            return None
        return value

    phone = PhoneSettings(
        warn_when_ahead=r.get(table, key, "warn_when_ahead", people, defaults.warn_when_ahead),
    )
    return phone if len(r.problems) == problems_before else None
