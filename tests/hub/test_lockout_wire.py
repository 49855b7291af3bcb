"""Guessing PINs against a real server: other addresses on loopback (127.0.0.2, …) play the
stranger on the building's network; the officer's console is `AntreClient` from 127.0.0.1.

The numbers are docs/protocol.md's ("Guessing PINs"): 4 wrong PINs free per device, the 5th
holds that device; unknown devices together 10, then one per 30 minutes; known devices (those
that show the id's device cookie) are never held by others' guesses; a floor manager or admin
may `unlock_pin`, which the server logs; floor sessions get the `pin_guessing` alert.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hubtest import Raw, Server, demo_credentials, hello_for

from server import protocol as p
from server.client import AntreClient, DeviceCookies, HelloRefused

WRONG = "000000"


async def _hello_from(server: Server, address: str, hello: dict[str, Any]) -> dict[str, Any]:
    """One hello from this loopback address: the welcome, or the error that refused it."""
    raw = await server.raw(local_addr=(address, 0))
    await raw.send({**hello, "id": "h"})
    return await raw.expect("welcome", "error")


async def _guess(server: Server, address: str, times: int, who: str = "DKP01") -> list[str]:
    """`times` wrong PINs for the officer from this address; each refusal's code."""
    codes = []
    for _ in range(times):
        reply = await _hello_from(server, address, p.hello_officer("L01", who, WRONG))
        codes.append(reply["code"])
    return codes


async def test_a_stranger_cannot_lock_the_officer_out_of_their_counter(server: Server) -> None:
    """The officer works at L01 from 127.0.0.1. Strangers at 127.0.0.2 and .3 send ten wrong
    PINs for DKP01: each is held after its 5th, and with ten the unknown devices' budget is
    spent, so a third stranger with the right PIN is refused "until 09.30 WIB". The officer's
    console, cut off, reconnects with its device cookie and is back at work; so is a new console
    on the same computer (same cookie file). Only a computer that never logged in as DKP01 is
    held — which is what keeps the strangers out."""
    cookies = DeviceCookies()
    officer = await server.client("DKP01@L01", device_cookies=cookies)
    assert cookies.get("DKP01"), "the welcome gave the computer a device cookie"

    assert await _guess(server, "127.0.0.2", 6) == ["auth_failed"] * 4 + ["locked"] * 2
    assert await _guess(server, "127.0.0.3", 5) == ["auth_failed"] * 4 + ["locked"]
    third = await _hello_from(server, "127.0.0.4", hello_for("DKP01@L01"))
    assert third["code"] == "locked"
    assert "perangkat yang belum dikenal" in third["message"]
    assert "sampai pukul 09.30 WIB" in third["message"]

    officer.drop_connection()
    await officer.wait_connected(timeout=10)
    assert (await officer.act("login"))["counter"]["officer"] == "DKP01"
    again = await server.client("DKP01@L01", device_cookies=cookies)
    assert again.welcome is not None and again.welcome["principal"]["id"] == "DKP01"

    stranger_with_pin = AntreClient(server.url, hello_for("DKP01@L01"), heartbeat_s=None)
    server.clients.append(stranger_with_pin)
    with pytest.raises(HelloRefused) as refused:
        await stranger_with_pin.connect(timeout=10)
    assert refused.value.code == "locked" and refused.value.retry_after_s is not None


async def test_only_a_manager_may_unlock_and_the_unlock_is_logged(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    """DKP01 held at 127.0.0.2. An officer, a kiosk, a TV and a phone page asking `unlock_pin`
    are `forbidden` and DKP01 stays held; the floor manager's unlock is `ok`, says what it forgot
    (5 wrong PINs, 1 device), is in the server's log under manager:LANTAI, and DKP01 gets in from
    127.0.0.2. An id nobody has is `not_found`; the admin may unlock too."""
    assert await _guess(server, "127.0.0.2", 5) == ["auth_failed"] * 4 + ["locked"]
    kiosk = await server.client("KIOSK-1")
    token = (await kiosk.issue_ticket("A"))["token"]
    for hello in (
        hello_for("DKP02@L02"),
        hello_for("KIOSK-2"),
        hello_for("TV-1"),
        p.hello_ticket(token),
    ):
        raw = await server.raw(hello)
        reply = await raw.reply({"type": "unlock_pin", "id": 1, "person": "DKP01"})
        assert (reply["type"], reply["code"]) == ("error", "forbidden"), hello["role"]
    held = await _hello_from(server, "127.0.0.2", hello_for("DKP01@L01"))
    assert held["code"] == "locked"

    caplog.set_level(logging.INFO, logger="antre.hub")
    floor = await server.raw(hello_for("LANTAI"))
    reply = await floor.reply({"type": "unlock_pin", "id": 2, "person": "DKP01"})
    assert reply == {"type": "ok", "ref": 2, "person": "DKP01", "failures": 5, "devices": 1}
    logged = [r.getMessage() for r in caplog.records if "unlocked" in r.getMessage()]
    assert logged == [
        "manager:LANTAI unlocked the PIN entry of DKP01: 5 wrong PINs from 1 device(s) forgotten"
    ]
    back = await _hello_from(server, "127.0.0.2", hello_for("DKP01@L01"))
    assert back["type"] == "welcome"

    unknown = await floor.reply({"type": "unlock_pin", "id": 3, "person": "NOBODY"})
    assert (unknown["type"], unknown["code"]) == ("error", "not_found")
    admin = await server.raw(hello_for("ADMIN"))
    assert (await admin.reply({"type": "unlock_pin", "id": 4, "person": "LANTAI"}))["type"] == "ok"


async def _pin_alert(raw: Raw) -> dict[str, Any]:
    while True:
        msg = await raw.expect("alert")
        if msg["alert"] == "pin_guessing":
            return msg


def _untimed(value: Any) -> Any:
    """A `pin_guessing` list without its instants (`…_at`, `…_until`)."""
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if not k.endswith(("_at", "_until"))}
    return value


async def test_the_floor_is_alerted_with_who_where_and_how_many_never_the_pin(
    server: Server,
) -> None:
    """Five wrong PINs for DKP01 from 127.0.0.2 (the guess 135791 each time): the floor session
    gets a `pin_guessing` alert naming DKP01, Siti Rahmawati, 5 tries, from 127.0.0.2, held until
    09.01 WIB — and no PIN. A floor session that connects later gets the same after `synced`; the
    unlock empties the list."""
    floor = await server.raw(hello_for("LANTAI"))
    for _ in range(5):
        await _hello_from(server, "127.0.0.2", p.hello_officer("L01", "DKP01", "135791"))
    alert = await _pin_alert(floor)
    (entry,) = alert["guessing"]
    assert (entry["person"], entry["role"], entry["name"], entry["failures"]) == (
        "DKP01",
        "officer",
        "Siti Rahmawati",
        5,
    )
    assert [(s["address"], s["known_device"], s["failures"]) for s in entry["sources"]] == [
        ("127.0.0.2", False, 5)
    ]
    assert entry["sources"][0]["held_until"] == "2026-11-23T09:01:00+07:00"
    seen = repr(floor.seen)
    assert "135791" not in seen and demo_credentials()["DKP01"] not in seen

    later = await server.raw(hello_for("ADMIN"))
    # The test's wall clock stands still while the lockout's monotonic clock runs: the times a
    # later view shows are the same instants seen from a "now" that did not move, so they step
    # back by the real seconds between the views (a second under load). Compared without them.
    assert _untimed((await _pin_alert(later))["guessing"]) == _untimed(alert["guessing"])
    frames = [m["type"] for m in later.seen]
    assert frames.index("synced") < frames.index("alert")

    await floor.reply({"type": "unlock_pin", "id": 1, "person": "DKP01"})  # the alert came first
    alerts = [m for m in floor.seen if m.get("alert") == "pin_guessing"]
    assert alerts[-1]["guessing"] == []
