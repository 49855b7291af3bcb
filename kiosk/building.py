"""The building as the kiosk knows it: the `building` of the server's snapshot, kept as sent.

The agencies stay the snapshot's plain agency views (`code`, `name`, `short_name`, `zone`;
docs/protocol.md): the kiosk keeps no record type of its own beside the core's, and reads an
agency's lines from the snapshot's `lines`, each of which names its agency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any, Final

__all__ = ["VISIT_MAX_STOPS", "BuildingInfo", "badge", "short_name"]

# The most services a citizen may choose for one visit at the kiosk when the snapshot does not
# say (`building.visit_max_stops`, the building's `[policy] visit_max_stops`: a server older
# than issue 22's last part): the policy's default. The server has the last word either way
# (visit_too_long, shown in its words).
VISIT_MAX_STOPS: Final = 4


@dataclass(frozen=True, slots=True)
class BuildingInfo:
    """The part of the server's snapshot the kiosk shows and prints."""

    name: str
    zone_label: str  # WIB / WITA / WIT
    utc_offset_min: int  # the building's offset from UTC, as the server states it
    zones: tuple[tuple[str, str], ...]  # (id, name) in the building's order
    agencies: tuple[Mapping[str, Any], ...]  # the snapshot's agency views, in its order
    lines: tuple[Mapping[str, Any], ...]  # the snapshot's line definitions, in its order
    visit_max_stops: int = VISIT_MAX_STOPS  # services one visit may hold (`[policy]`)

    @classmethod
    def from_snapshot(cls, building: Mapping[str, Any]) -> BuildingInfo:
        return cls(
            name=building["name"],
            zone_label=building.get("timezone", "WIB"),
            utc_offset_min=building.get("utc_offset_min", 7 * 60),
            zones=tuple((z["id"], z["name"]) for z in building.get("zones", [])),
            agencies=tuple(building.get("agencies", [])),
            lines=tuple(building.get("lines", [])),
            visit_max_stops=_stops(building.get("visit_max_stops")),
        )

    def agency(self, code: str) -> Mapping[str, Any] | None:
        return next((a for a in self.agencies if a["code"] == code), None)

    def prefixes(self, agency: str) -> tuple[str, ...]:
        """The prefixes of an agency's lines, as the building lists them."""
        return tuple(ln["prefix"] for ln in self.lines if ln.get("agency") == agency)

    @property
    def tz(self) -> timezone:
        return timezone(timedelta(minutes=self.utc_offset_min), self.zone_label)


def _stops(value: object) -> int:
    """The snapshot's `visit_max_stops`, or the default when it is absent or not a count."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 2:
        return value
    return VISIT_MAX_STOPS


def short_name(agency: Mapping[str, Any]) -> str:
    """The agency's name on a button: its short name, or its full name when it has none."""
    return str(agency.get("short_name") or agency["name"])


def badge(agency: Mapping[str, Any], prefixes: tuple[str, ...]) -> str:
    """What the agency's button shows before its name: the letters of its tickets.

    "ABCD" for Dukcapil, "GH" for Polres: the letter the citizen will then see on the ticket
    and the TV. Initials would not do: half the agencies of an MPP start with B or P.
    """
    if not prefixes:
        return short_name(agency)[:1].upper()
    if len(prefixes) > 4:
        return f"{prefixes[0]}–{prefixes[-1]}"
    return "".join(prefixes)
