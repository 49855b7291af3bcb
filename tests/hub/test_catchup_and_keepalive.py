"""Clients that stop reading: a stalled catch-up is closed 4008, a silent peer is dropped.

docs/protocol.md, Resume and replay: "a client that reads nothing for 10 s while catching up is
dropped with 4008"; Limits: "websocket keepalive: ping every 20 s, 20 s to answer; connection
closed". Both bounds are `HubLimits` fields, shrunk here so that the tests wait for the event
(a close, a presence frame), never for a fixed time.
"""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.request
from typing import Any

import websockets
from hubtest import Raw, Server, hello_for, until

from server.hub import HubLimits

# A floor session sees every event: 200 issued tickets are ~50 KB of replay, far more than a
# socket of 4 KiB each way, a 4 KiB write buffer and 4 queued frames can hold.
REPLAYED = 200


async def _stalled_client(server: Server) -> websockets.ClientConnection:
    """A websocket that never reads: a tiny receive buffer, websockets' own buffer of 1 frame."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.running.port))
    sock.setblocking(False)
    ws = await websockets.connect(
        server.url, sock=sock, max_queue=1, compression=None, ping_interval=None
    )
    server.raws.append(ws)
    return ws


def _floor_sessions(server: Server) -> int:
    return server.hub.stats().get("floor", 0)


async def test_a_client_that_stops_reading_during_its_replay_is_closed_4008(start_server) -> None:
    """A floor client resuming far behind and reading nothing is dropped with 4008, before
    `synced`; reconnecting from the last event it got, it receives the rest once, in order."""
    server = await start_server(
        send_queue_max=4,
        socket_send_buffer=4096,
        write_limit=4096,
        catch_up_stall_s=0.3,
        close_timeout_s=10,  # so the 4008 close frame waits for the client to read its way there
    )
    kiosk = await server.client("KIOSK-1")
    for _ in range(REPLAYED):
        await kiosk.request("issue_ticket", line="E")
    newest = server.engine.last_seq
    assert newest >= REPLAYED

    slow = await _stalled_client(server)
    await slow.send(json.dumps({**hello_for("LANTAI", last_seq=0, day="2026-11-23"), "id": "h"}))
    await until(lambda: _floor_sessions(server) == 1, "the floor session started catching up")
    await until(lambda: _floor_sessions(server) == 0, "the stalled catch-up was dropped")

    # Reading at last, the client finds the start of its replay, then the close telling it to
    # come back with its last seq, and never a `synced` (it was not caught up).
    frames: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(20):
            async for text in slow:
                frames.append(json.loads(text))
    except websockets.ConnectionClosed:
        pass
    assert slow.close_code == 4008
    assert frames[0]["type"] == "welcome" and frames[0]["resume"] == "replay"
    assert "synced" not in [f["type"] for f in frames]
    got = [f["seq"] for f in frames if f["type"] == "event"]
    assert got == list(range(1, len(got) + 1)) and len(got) < newest

    back = Raw(await websockets.connect(server.url, compression=None, max_size=2**24))
    server.raws.append(back.ws)
    last = got[-1] if got else 0
    await back.send({**hello_for("LANTAI", last_seq=last, day="2026-11-23"), "id": "h"})
    assert (await back.expect("welcome"))["resume"] == "replay"
    synced = await back.expect("synced")
    rest = [m["seq"] for m in back.seen if m["type"] == "event"]
    assert rest == list(range(last + 1, newest + 1))
    assert synced["seq"] == newest


def _healthz_connections(server: Server) -> dict[str, int]:
    url = f"{server.running.http_url}/healthz"
    with urllib.request.urlopen(url, timeout=10) as reply:
        return json.load(reply)["connections"]


async def test_a_peer_that_stops_answering_pings_is_dropped_and_its_presence_freed(
    start_server,
) -> None:
    """A kiosk whose machine hangs (no pong) is closed 1011 by websockets' keepalive; the floor
    sees it disconnected, /healthz no longer counts it, and the floor session, which answers
    its pings, stays."""
    # A second to answer: the floor's client answers from this test's event loop, which on a
    # loaded machine (four test workers on two cores) was once slower than 0.1 s, and the floor
    # was dropped too. The hung kiosk never answers, however long it is given.
    server = await start_server(ping_interval_s=0.2, ping_timeout_s=1.0, close_timeout_s=0.2)
    floor = await server.raw(hello_for("LANTAI"))
    listed = await floor.expect("presence")
    assert {d["id"]: d["connected"] for d in listed["devices"]}["KIOSK-1"] is False

    kiosk = await server.raw(hello_for("KIOSK-1"), ping_interval=None)
    up = await floor.expect("presence")
    assert up["devices"] == [
        {"id": "KIOSK-1", "kind": "kiosk", "connected": True, "since": up["at"]}
    ]
    assert (await asyncio.to_thread(_healthz_connections, server)).get("kiosk") == 1

    # The kiosk's machine hangs: nothing it is sent is read any more, so no ping is answered.
    kiosk.ws.transport.pause_reading()
    down = await floor.expect("presence", timeout=20)
    assert down["devices"] == [
        {"id": "KIOSK-1", "kind": "kiosk", "connected": False, "since": down["at"]}
    ]
    assert (await asyncio.to_thread(_healthz_connections, server)).get("kiosk", 0) == 0

    # The floor answered every ping meanwhile (its client reads): it is still served.
    assert (await floor.reply({"type": "ping", "id": "still here"}))["type"] == "pong"
    kiosk.ws.transport.resume_reading()
    await kiosk.closed()
    assert kiosk.ws.close_code == 1011  # websockets: "keepalive ping timeout"


def test_the_defaults_are_the_documented_ones() -> None:
    """docs/protocol.md: replay stall 10 s (4008), keepalive ping every 20 s and 20 s to answer."""
    limits = HubLimits()
    assert limits.catch_up_stall_s == 10
    assert (limits.ping_interval_s, limits.ping_timeout_s) == (20, 20)
