"""Live administration on a real server (issue 23), what a review found: a retried request that
made a PIN or token, and the sessions an edit must end or change.

The demo building (server/demo/building.toml): officers DKP01 (DUKCAPIL) and BTK01 (BPJSTK),
ADMIN the admin and LANTAI a floor manager, kiosks KIOSK-1/KIOSK-2 (server/demo/credentials.txt).
"""

from __future__ import annotations

import contextlib
from typing import Any

from hubtest import Raw, Server, hello_for
from websockets.exceptions import ConnectionClosed

from server.auth import verify_pin

RETRIED_PIN = "PIN sudah diatur ulang; atur ulang lagi bila PIN-nya belum tercatat."
RETRIED_TOKEN = "Token sudah dibuat; buat token baru lagi bila token-nya belum tercatat."


async def answers(raw: Raw, *ids: str) -> dict[str, dict[str, Any]]:
    """The frames answering these request ids, skipping pushes."""
    got: dict[str, dict[str, Any]] = {}
    while len(got) < len(ids):
        msg = await raw.recv(10)
        if msg.get("ref") in ids:
            got[msg["ref"]] = msg
    return got


def officer_hash(server: Server, person: str) -> str:
    building = server.running.hub.engine.building
    return next(o.pin_hash for o in (*building.officers, *building.managers) if o.id == person)


async def test_a_retried_pin_reset_is_refused_never_a_pin_that_was_not_stored(
    server: Server,
) -> None:
    """The admin's reset of DKP01 is sent, answered, then retried with the same request id (a
    reconnect): the retry says the PIN was already reset; the PIN of the first reply works."""
    admin = await server.raw(hello_for("ADMIN"))
    msg = {"type": "admin_reset_pin", "request_id": "rid-1", "officer": "DKP01"}
    first = await admin.reply({**msg, "id": "a"}, timeout=10)
    second = await admin.reply({**msg, "id": "b"}, timeout=10)
    assert first["type"] == "ok" and verify_pin(first["pin"], officer_hash(server, "DKP01"))
    assert second["type"] == "error" and "pin" not in second
    assert second["message"] == RETRIED_PIN
    assert server.running.hub.engine.version == 1


async def test_a_retry_arriving_while_the_first_is_in_flight_gets_no_pin(server: Server) -> None:
    """Both frames sent at once: one reply carries the PIN (the stored one), the other is
    refused; one edit."""
    admin = await server.raw(hello_for("ADMIN"))
    msg = {"type": "admin_reset_pin", "request_id": "rid-2", "officer": "DKP01"}
    await admin.send({**msg, "id": "a"})
    await admin.send({**msg, "id": "b"})
    got = await answers(admin, "a", "b")
    pins = [m["pin"] for m in got.values() if m["type"] == "ok"]
    refused = [m["message"] for m in got.values() if m["type"] == "error"]
    assert len(pins) == 1 and refused == [RETRIED_PIN]
    assert verify_pin(pins[0], officer_hash(server, "DKP01"))
    assert server.running.hub.engine.version == 1


async def test_a_retried_token_or_added_officer_shows_no_new_secret(server: Server) -> None:
    admin = await server.raw(hello_for("ADMIN"))
    token = {"type": "admin_new_token", "request_id": "t-1", "device": "KIOSK-2"}
    assert "token" in await admin.reply({**token, "id": "t1"}, timeout=10)
    again = await admin.reply({**token, "id": "t2"}, timeout=10)
    assert again["type"] == "error" and again["message"] == RETRIED_TOKEN
    officer = {"id": "BTK09", "name": "Rina Wulandari", "agency": "BPJSTK"}
    add = {"type": "admin_edit", "request_id": "o-1", "target": "officer:BTK09", "before": None,
           "after": officer, "version": 1}  # fmt: skip
    first = await admin.reply({**add, "id": "o1"}, timeout=10)
    assert verify_pin(first["pins"]["BTK09"], officer_hash(server, "BTK09"))
    again = await admin.reply({**add, "id": "o2"}, timeout=10)
    assert again["type"] == "error" and again["message"] == RETRIED_PIN and "pins" not in again
    assert server.running.hub.engine.version == 2


async def close_of(raw: Raw) -> tuple[dict[str, Any], int | None]:
    """The error frame a session is closed with, and the close code."""
    error: dict[str, Any] = {}
    try:
        while True:
            msg = await raw.recv(10)
            if msg.get("type") == "error" and msg.get("ref") is None:
                error = msg
    except ConnectionClosed as closed:
        return error, closed.rcvd.code if closed.rcvd else None


async def admin_value(admin: Raw, kind: str, target: str) -> tuple[int, Any]:
    state = await admin.reply({"type": "admin_state", "id": "s"}, timeout=10)
    return state["version"], next(
        e["value"] for e in state["entities"][kind] if e["target"] == target
    )


async def test_a_kiosk_whose_token_is_replaced_issues_nothing_after_the_edit(
    server: Server,
) -> None:
    """KIOSK-2 keeps asking for A tickets while the admin replaces its token; a dozen other
    sessions each wait for a fresh snapshot. Not one ticket is issued by KIOSK-2 after the
    edit's event: the old token's rights end with the edit."""
    for i in range(12):
        await server.raw(hello_for("LANTAI" if i % 2 else "TV-1"))
    kiosk = await server.raw(hello_for("KIOSK-2"))
    admin = await server.raw(hello_for("ADMIN"))
    await admin.send(
        {"type": "admin_new_token", "id": "t", "request_id": "t1", "device": "KIOSK-2"}
    )
    for i in range(40):
        await kiosk.send(
            {"type": "issue_ticket", "id": f"k{i}", "request_id": f"k{i}", "line": "A"}
        )
    assert "token" in (await answers(admin, "t"))["t"]
    error, code = await close_of(kiosk)
    assert code == 4001
    assert error["message"] == "Token perangkat ini sudah diganti; pasang token yang baru."
    engine = server.running.hub.engine
    edit_seq = engine.edits[-1].seq
    issued_after = [
        s
        for s in await engine.store.events_after_last_close()
        if s.seq > edit_seq and s.event.kind == "ticket_issued"
    ]
    assert issued_after == []


async def test_a_demoted_admin_loses_admin_rights_at_once(server: Server) -> None:
    """ADMIN makes LANTAI an admin; LANTAI connects as one; ADMIN makes LANTAI floor again:
    LANTAI's admin session is closed ("Data akun Anda diubah …"), its reset never happens."""
    admin = await server.raw(hello_for("ADMIN"))
    version, lantai = await admin_value(admin, "manager", "manager:LANTAI")
    promote = {"type": "admin_edit", "id": "p", "request_id": "p1", "version": version,
               "target": "manager:LANTAI", "before": lantai,
               "after": {**lantai, "role": "admin"}}  # fmt: skip
    assert (await admin.reply(promote, timeout=10))["type"] == "ok"
    promoted = await server.raw(hello_for("LANTAI"))
    version, lantai = await admin_value(admin, "manager", "manager:LANTAI")
    demote = {**promote, "id": "d", "request_id": "d1", "before": lantai,
              "after": {**lantai, "role": "floor"}, "version": version}  # fmt: skip
    assert (await admin.reply(demote, timeout=10))["type"] == "ok"
    with contextlib.suppress(ConnectionClosed):  # closed already, or just after
        await promoted.send({"type": "admin_reset_pin", "id": "x", "request_id": "x1",
                             "officer": "DKP01"})  # fmt: skip
    error, code = await close_of(promoted)
    assert (
        code == 4001 and error["message"] == "Data akun Anda diubah oleh admin; silakan masuk lagi."
    )
    assert server.running.hub.engine.version == 2  # no reset


async def test_a_pin_reset_ends_the_persons_session(server: Server) -> None:
    officer = await server.raw(hello_for("DKP01@L01"))
    admin = await server.raw(hello_for("ADMIN"))
    reset = {"type": "admin_reset_pin", "id": "r", "request_id": "r1", "officer": "DKP01"}
    assert "pin" in await admin.reply(reset, timeout=10)
    error, code = await close_of(officer)
    assert code == 4001
    assert error["message"] == "PIN Anda diatur ulang oleh admin; masuk lagi dengan PIN yang baru."


async def test_a_tv_moved_to_another_zone_reconnects_to_its_new_zone(server: Server) -> None:
    """TV-1 (zone 1) is moved to zone 2: its session is closed as at a restart (1001, so the
    TV reconnects by itself), and its next hello is zone 2's."""
    tv = await server.raw(hello_for("TV-1"))
    assert tv.welcome is not None
    admin = await server.raw(hello_for("ADMIN"))
    version, device = await admin_value(admin, "device", "device:TV-1")
    move = {"type": "admin_edit", "id": "m", "request_id": "m1", "target": "device:TV-1",
            "before": device, "after": {**device, "zone": "2"}, "version": version}  # fmt: skip
    assert (await admin.reply(move, timeout=10))["type"] == "ok"
    error, code = await close_of(tv)
    assert code == 1001
    assert error["message"] == "Pengaturan perangkat ini diubah; perangkat menyambung ulang."
    again = await server.raw(hello_for("TV-1"))
    assert again.welcome is not None and "2" in str(again.welcome)


async def test_an_admin_resetting_their_own_pin_reads_it_and_stays(server: Server) -> None:
    """ADMIN resets ADMIN's PIN: the reply (the only place the PIN is shown) arrives on a
    session that stays open, and the new PIN is the stored one."""
    admin = await server.raw(hello_for("ADMIN"))
    reset = {"type": "admin_reset_pin", "id": "r", "request_id": "r1", "officer": "ADMIN"}
    reply = await admin.reply(reset, timeout=10)
    assert reply["type"] == "ok" and verify_pin(reply["pin"], officer_hash(server, "ADMIN"))
    state = await admin.reply({"type": "admin_state", "id": "s"}, timeout=10)
    assert state["version"] == 1
