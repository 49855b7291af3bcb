"""The reconnecting client as the apps use it: states, restarts, heartbeat, the end of a day."""

from __future__ import annotations

import asyncio

import pytest
from hubtest import Server, hello_for

from server import protocol as p
from server.client import AntreClient, ConnectionState, DeviceCookies
from server.core.model import Tick


async def test_client_reports_its_connection_state(server: Server) -> None:
    """on_state sees connected, then reconnecting after a cut, then connected again."""
    states: list[ConnectionState] = []
    tv = await server.client("TV-1", on_state=states.append)
    tv.drop_connection()
    await asyncio.sleep(0)
    await tv.wait_connected(timeout=10)
    await tv.close()
    assert states == [
        ConnectionState.CONNECTED,
        ConnectionState.RECONNECTING,
        ConnectionState.CONNECTED,
        ConnectionState.CLOSED,
    ]


async def test_client_survives_a_server_restart_and_resumes(start_server, tmp_path) -> None:
    """After a restart on the same port and database, a TV resumes with the calls it missed."""
    db = str(tmp_path / "restart.db")
    first = await start_server(db=db)
    port = first.running.port
    officer = await first.officer_at_work("DKP01@L01")
    kiosk = await first.client("KIOSK-1")
    tv = AntreClient(first.url, hello_for("TV-1"), heartbeat_s=None, backoff_initial_s=0.05)
    first.clients.append(tv)
    await tv.connect(timeout=10)
    t = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(t["id"])
    await start_server.stop(first)  # TV sees 1001 and keeps trying
    assert tv.close_code == p.CLOSE_GOING_AWAY or tv.state is ConnectionState.RECONNECTING

    # The first console is put away: left reconnecting, it would take counter L01 back from the
    # new one (4009, for good) whenever a busy machine let it reconnect second.
    await officer.close()
    second = await start_server(db=db, port=port)
    officer2 = await second.client("DKP01@L01")  # still logged in: the log says so
    await officer2.act("call_next")
    async with asyncio.timeout(10):
        while True:
            msg = await tv.next_message("event", "snapshot", timeout=5)
            if msg["type"] == "event" and msg["event"]["kind"] == "ticket_called":
                break
    assert msg["event"]["number"] == "A-001"
    assert tv.welcome is not None and tv.welcome["resume"] == "replay"


async def test_heartbeat_moves_a_quiet_clients_position(server: Server) -> None:
    """A zone-2 TV that sees no events still advances last_seq through its heartbeat pongs."""
    tv2 = await server.client("TV-2", heartbeat_s=0.02)
    start = tv2.last_seq
    await server.officer_at_work("DKP01@L01")  # zone 1: invisible to TV-2
    assert server.engine.last_seq > start
    async with asyncio.timeout(10):
        while tv2.last_seq != server.engine.last_seq:
            await asyncio.sleep(0.01)
    assert tv2._messages.empty() or all(
        m["type"] != "event"
        for m in list(tv2._messages._queue)  # type: ignore[attr-defined]
    )


async def test_line_figures_are_pushed_when_they_change(server: Server) -> None:
    """A kiosk gets a `lines` frame when another kiosk's ticket changes a line's figures."""
    k1 = await server.client("KIOSK-1")
    k2 = await server.client("KIOSK-2")
    await k1.next_message("lines", timeout=5)  # the one after synced
    t = await k2.issue_ticket("B")
    await k2.confirm_printed(t["id"])
    async with asyncio.timeout(10):
        while True:
            lines = await k1.next_message("lines", timeout=5)
            b = next(x for x in lines["lines"] if x["prefix"] == "B")
            if b["waiting"] == 1:
                break
    assert b["quota_left_walk_in"] == 199


async def test_the_end_of_the_day_reaches_every_client_and_resets_resume(server: Server) -> None:
    """Closing the day pushes day_closed to a TV; resuming across it yields a snapshot."""
    officer = await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    t = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(t["id"])
    await officer.act("call_next")
    tv = await server.raw(hello_for("TV-1"))
    left_at = tv.synced["seq"]
    server.clock.advance(24 * 3600)  # Tuesday 09:00
    await server.hub.execute(Tick(), "system")
    kinds = []
    while "day_closed" not in kinds:
        kinds.append((await tv.expect("event"))["event"]["kind"])
    assert "ticket_expired" in kinds  # routed to the zone although the new day forgot it
    back = await server.raw(hello_for("TV-1", last_seq=left_at, day="2026-11-23"))
    assert back.welcome["resume"] == "snapshot" and back.welcome["day"] == "2026-11-24"


@pytest.mark.timeout(30)
async def test_a_request_on_a_connection_that_just_died_waits_for_the_next_one(
    server: Server,
) -> None:
    """A request sent the instant its connection dies waits for a reconnect instead of spinning.

    The socket is cut and its loss noticed (one loop turn), but the client's connection loop has
    not yet cleaned up: `send()` then raises at once without yielding. Retrying at once would spin
    for ever and starve the event loop, so not even the request's own timeout could fire; this
    test would then hang until pytest-timeout stops it.
    """
    client = AntreClient(server.url, hello_for("KIOSK-1"), backoff_initial_s=0.05)
    await client.connect(timeout=10)
    try:
        assert client._ws is not None
        client._ws.transport.abort()  # a cut cable, seen first by the sender
        await asyncio.sleep(0)  # websockets learns of the loss; the client loop has not run yet
        reply = await client.request("ping", timeout=10)
        assert reply["type"] == "pong"
    finally:
        await client.close()


def test_a_damaged_cookie_file_is_an_empty_one_and_is_rewritten(tmp_path) -> None:
    """A device-cookie file that is not JSON (a power cut mid-write on another program's part, a
    hand edit) costs only the cookies: the console starts, and the next cookie replaces it."""
    path = tmp_path / "device-cookies.json"
    path.write_text("{not json")
    cookies = DeviceCookies(path)
    assert cookies.get("DKP01") is None
    cookies.put("DKP01", "nonce.mac")
    assert DeviceCookies(path).get("DKP01") == "nonce.mac"


def test_the_console_and_the_dashboard_keep_each_others_cookies(tmp_path) -> None:
    """One computer, one cookie file, two programs each loaded before the other wrote: the
    counter console keeps DKP01's cookie, the floor dashboard LANTAI's; both stay in the file
    (the dashboard once wrote its whole in-memory copy over the console's)."""
    path = tmp_path / "state" / "device-cookies.json"
    counter, floor = DeviceCookies(path), DeviceCookies(path)
    counter.put("DKP01", "n1.mac1")
    floor.put("LANTAI", "n2.mac2")
    counter.put("DKP02", "n3.mac3")
    again = DeviceCookies(path)
    assert (again.get("DKP01"), again.get("LANTAI"), again.get("DKP02")) == (
        "n1.mac1",
        "n2.mac2",
        "n3.mac3",
    )
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "device-cookies.json",
        "device-cookies.json.lock",
    ]
