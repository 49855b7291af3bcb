"""The kiosk's building comes from the server's snapshot: no time-zone table of its own."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from kiosk.building import BuildingInfo, badge
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


def test_the_kiosk_reads_agencies_and_their_lines_from_the_snapshot() -> None:
    """Each agency of the building view, with the letters of its lines, in the building's order."""
    demo = load_demo_building()
    info = BuildingInfo.from_snapshot(building_view(demo))
    assert [a["code"] for a in info.agencies] == [a.code for a in demo.agencies]
    for agency in demo.agencies:
        prefixes = tuple(ln.prefix for ln in demo.lines if ln.agency == agency.code)
        assert info.prefixes(agency.code) == prefixes
        assert info.agency(agency.code)["zone"] == agency.zone  # type: ignore[index]
    dukcapil = info.agency("DUKCAPIL")
    assert dukcapil is not None and badge(dukcapil, info.prefixes("DUKCAPIL")) == "ABCD"


def test_the_kiosk_takes_a_visits_stop_limit_from_the_snapshot() -> None:
    """`building.visit_max_stops` is the building's `[policy]` figure; a snapshot without it
    (a server before issue 22) leaves the policy's default, 4 (docs/configuration.md)."""
    demo = load_demo_building()
    three = dataclasses.replace(demo, policy=dataclasses.replace(demo.policy, visit_max_stops=3))
    assert BuildingInfo.from_snapshot(building_view(three)).visit_max_stops == 3
    older = {k: v for k, v in building_view(demo).items() if k != "visit_max_stops"}
    assert BuildingInfo.from_snapshot(older).visit_max_stops == 4
