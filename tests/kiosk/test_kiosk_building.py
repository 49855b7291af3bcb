"""The kiosk's building comes from the server's snapshot: no time-zone table of its own."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from kiosk.issuer import BuildingInfo
from server.broadcast.views import building_view
from server.config import load_demo_building


def test_the_kiosk_takes_the_buildings_utc_offset_from_the_snapshot() -> None:
    """A WITA building's kiosk prints local times at UTC+8, as the server states it."""
    demo = load_demo_building()
    for zone, hours, label in (("Asia/Jakarta", 7, "WIB"), ("Asia/Makassar", 8, "WITA")):
        building = dataclasses.replace(demo, timezone=zone)
        info = BuildingInfo.from_snapshot(building_view(building))
        assert info.zone_label == label
        assert info.tz.utcoffset(None) == timedelta(hours=hours) == building.tz.utcoffset(None)
