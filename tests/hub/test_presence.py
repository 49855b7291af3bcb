"""Floor presence of kiosks and TVs, lines' wait thresholds, officer names in counter entries."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from hubtest import MONDAY_9AM, FakeClock, Raw, Server, demo_building, hello_for

from server import protocol as p
from server.broadcast.views import building_view, line_view
from server.core.queue import QueueState

DEVICES = [("KIOSK-1", "kiosk"), ("KIOSK-2", "kiosk"), ("TV-1", "display"), ("TV-2", "display")]


def _iso(instant: datetime) -> str:
    return instant.isoformat()  # the fake clock already runs in WIB, the building's zone


async def _presence(raw: Raw) -> dict[str, Any]:
    msg = await raw.expect("presence")
    assert set(msg) == {"type", "at", "devices"}
    return msg


async def _fence(raw: Raw) -> None:
    """A ping round trip: every frame queued for this session before it has now arrived."""
    assert (await raw.reply({"type": "ping", "id": "fence"}))["type"] == "pong"


def _presence_frames(raw: Raw) -> list[dict[str, Any]]:
    return [m for m in raw.seen if m.get("type") == "presence"]


async def test_manager_gets_every_device_right_after_synced(server: Server) -> None:
    """A floor session's frame after synced is presence listing every kiosk and TV, none seen."""
    floor = await server.raw(hello_for("LANTAI"))
    msg = await floor.recv()
    assert msg["type"] == "presence"
    assert msg["at"] == _iso(MONDAY_9AM)
    assert [(d["id"], d["kind"]) for d in msg["devices"]] == DEVICES
    assert all(d["connected"] is False and d["since"] is None for d in msg["devices"])
    assert "presence" in p.PUSH_TYPES


async def test_admin_sees_devices_already_connected(server: Server, clock: FakeClock) -> None:
    """An admin connecting after a TV sees that TV connected since it authenticated."""
    await server.raw(hello_for("TV-1"))
    clock.advance(30)
    admin = await server.raw(hello_for("ADMIN"))
    devices = {d["id"]: d for d in (await _presence(admin))["devices"]}
    assert devices["TV-1"] == {
        "id": "TV-1",
        "kind": "display",
        "connected": True,
        "since": _iso(MONDAY_9AM),
    }
    assert devices["KIOSK-1"]["connected"] is False and devices["KIOSK-1"]["since"] is None


async def test_kiosk_connecting_and_disconnecting_is_pushed(
    server: Server, clock: FakeClock
) -> None:
    """A kiosk's hello pushes connected true; its connection ending pushes connected false."""
    floor = await server.raw(hello_for("LANTAI"))
    await _presence(floor)  # the full list after synced
    clock.advance(60)
    kiosk = await server.raw(hello_for("KIOSK-1"))
    up = await _presence(floor)
    assert up["devices"] == [
        {"id": "KIOSK-1", "kind": "kiosk", "connected": True, "since": _iso(clock.now)}
    ]
    assert up["at"] == _iso(clock.now)
    clock.advance(120)
    await kiosk.ws.close()
    down = await _presence(floor)
    assert down["devices"] == [
        {"id": "KIOSK-1", "kind": "kiosk", "connected": False, "since": _iso(clock.now)}
    ]


async def test_a_replacing_kiosk_session_does_not_flap(server: Server, clock: FakeClock) -> None:
    """A second session of the same kiosk replaces the first without the kiosk going offline."""
    floor = await server.raw(hello_for("LANTAI"))
    await _presence(floor)
    first = await server.raw(hello_for("KIOSK-1"))
    connected_at = _iso(clock.now)
    await _presence(floor)
    clock.advance(10)
    await server.raw(hello_for("KIOSK-1"))
    assert await first.closed() == p.CLOSE_REPLACED
    await _fence(floor)
    pushes = _presence_frames(floor)[2:]  # after the full list and the first connect
    assert pushes, "the new session and the old one's end are both reported"
    for msg in pushes:
        assert msg["devices"] == [
            {"id": "KIOSK-1", "kind": "kiosk", "connected": True, "since": connected_at}
        ]
    snap = await floor.reply({"type": "snapshot", "id": "s"})
    kiosk = next(d for d in snap["devices"] if d["id"] == "KIOSK-1")
    assert kiosk["connected"] is True and kiosk["since"] == connected_at


async def test_floor_snapshot_lists_devices(server: Server, clock: FakeClock) -> None:
    """The floor snapshot (at hello and on request) carries every device with its presence."""
    await server.raw(hello_for("KIOSK-2"))
    floor = await server.raw(hello_for("LANTAI"))
    first = next(m for m in floor.seen if m["type"] == "snapshot")
    snap = await floor.reply({"type": "snapshot", "id": 1})
    for s in (first, snap):
        assert [(d["id"], d["kind"]) for d in s["devices"]] == DEVICES
        devices = {d["id"]: d for d in s["devices"]}
        assert devices["KIOSK-2"]["connected"] is True
        assert devices["KIOSK-2"]["since"] == _iso(MONDAY_9AM)
        assert devices["TV-2"] == {
            "id": "TV-2",
            "kind": "display",
            "connected": False,
            "since": None,
        }


async def test_only_managers_receive_presence(server: Server) -> None:
    """TVs (and kiosks and officers) never get presence frames nor a devices list."""
    floor = await server.raw(hello_for("LANTAI"))
    tv = await server.raw(hello_for("TV-1"))
    other_kiosk = await server.raw(hello_for("KIOSK-2"))
    officer = await server.raw(hello_for("DKP01@L01"))
    kiosk = await server.raw(hello_for("KIOSK-1"))
    await kiosk.ws.close()
    while True:  # the floor has seen KIOSK-1 come and go
        msg = await _presence(floor)
        if msg["devices"][0]["id"] == "KIOSK-1" and not msg["devices"][0]["connected"]:
            break
    for raw in (tv, other_kiosk, officer):
        await _fence(raw)
        assert not _presence_frames(raw)
        snap = await raw.reply({"type": "snapshot", "id": "s"})
        assert "devices" not in snap
        assert not any("devices" in m for m in raw.seen)


async def test_line_figures_carry_max_wait_min(server: Server) -> None:
    """list_lines, the lines push and snapshots give each line its wait threshold."""
    building = demo_building()
    expected = {ln.prefix: building.max_wait_min(ln.prefix) for ln in building.lines}
    floor = await server.raw(hello_for("LANTAI"))
    pushed = await floor.expect("lines")
    listed = await floor.reply({"type": "list_lines", "id": 1})
    snap = next(m for m in floor.seen if m["type"] == "snapshot")
    for lines in (pushed["lines"], listed["lines"], snap["lines"], snap["building"]["lines"]):
        assert {ln["prefix"]: ln["max_wait_min"] for ln in lines} == expected
    tv = await server.raw(hello_for("TV-1"))
    tv_lines = await tv.expect("lines")
    assert tv_lines["lines"]
    for ln in tv_lines["lines"]:
        assert ln["max_wait_min"] == expected[ln["prefix"]]


def test_a_line_override_of_max_wait_min_is_shown() -> None:
    """A line's own max_wait_min wins over the building policy's, in figures and layout."""
    demo = demo_building()
    first = dataclasses.replace(demo.lines[0], max_wait_min=25.0)
    building = dataclasses.replace(demo, lines=(first, *demo.lines[1:]))
    state = QueueState(building)
    figures = line_view(state.line_view(first.prefix, MONDAY_9AM), building)
    assert figures["max_wait_min"] == 25.0
    layout = {ln["prefix"]: ln["max_wait_min"] for ln in building_view(building)["lines"]}
    assert layout[first.prefix] == 25.0
    assert layout[demo.lines[1].prefix] == demo.policy.max_wait_min


async def test_officer_name_reaches_floor_but_not_displays(server: Server) -> None:
    """Staff counter entries name the logged-in officer; a TV's counters carry no officer data."""
    officer = await server.client("DKP01@L01")
    reply = await officer.act("login")
    assert reply["counter"]["officer"] == "DKP01"
    assert reply["counter"]["officer_name"] == "Siti Rahmawati"
    floor = await server.raw(hello_for("LANTAI"))
    snap = next(m for m in floor.seen if m["type"] == "snapshot")
    counters = {c["id"]: c for c in snap["counters"]}
    assert counters["L01"]["officer"] == "DKP01"
    assert counters["L01"]["officer_name"] == "Siti Rahmawati"
    colleague = await server.raw(hello_for("DKP02@L02"))
    mine = {
        c["id"]: c for c in next(m for m in colleague.seen if m["type"] == "snapshot")["counters"]
    }
    assert mine["L01"]["officer_name"] == "Siti Rahmawati"
    tv = await server.raw(hello_for("TV-1"))
    tv_snap = next(m for m in tv.seen if m["type"] == "snapshot")
    tv_counters = {c["id"]: c for c in tv_snap["counters"]}
    assert "L01" in tv_counters
    assert "officer" not in tv_counters["L01"] and "officer_name" not in tv_counters["L01"]
