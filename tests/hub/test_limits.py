"""Hostile and clumsy clients: oversized frames, floods, slow readers, garbage after hello."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest
import websockets
from hubtest import Server, hello_for

from server import protocol as p
from server.client import AntreClient, ConnectionState, RequestError


async def test_an_oversized_frame_closes_with_1009(server: Server) -> None:
    """Server closes the connection with 1009 when a message is bigger than MAX_MESSAGE_BYTES."""
    raw = await server.raw(hello_for("KIOSK-1"))
    await raw.send("x" * (p.MAX_MESSAGE_BYTES + 1))
    assert await raw.closed() == p.CLOSE_MESSAGE_TOO_BIG
    # The server carries on.
    assert (await (await server.raw(hello_for("KIOSK-1"))).reply({"type": "ping", "id": 1}))[
        "type"
    ] == "pong"


async def test_garbage_after_hello_gets_errors_and_the_session_stays(server: Server) -> None:
    """Malformed JSON, binary frames, unknown types, bad fields: an error each; session stays."""
    raw = await server.raw(hello_for("KIOSK-1"))
    before = server.state_copy()
    cases = [
        ("{nope", p.ERR_BAD_JSON),
        (b"\x00\x01", p.ERR_BAD_JSON),
        ('{"type": "fly", "id": 1}', p.ERR_UNKNOWN_TYPE),
        ('{"type": "issue_ticket", "id": 2, "line": "A"}', p.ERR_BAD_MESSAGE),  # no request_id
        ('{"type": "issue_ticket", "id": 3, "request_id": "r", "line": 5}', p.ERR_BAD_MESSAGE),
        (
            '{"type": "issue_ticket", "id": 4, "request_id": "r", "line": "A", "priority": "vip"}',
            p.ERR_BAD_MESSAGE,
        ),
        ('{"type": "ping", "id": {"nested": true}}', p.ERR_BAD_MESSAGE),
        ('{"type": "ping", "id": 1, "x": NaN}', p.ERR_BAD_JSON),
        ("[" * 5000 + "]" * 5000, p.ERR_BAD_JSON),
        ('{"n": ' + "9" * 5000 + "}", p.ERR_BAD_JSON),
    ]
    for frame, code in cases:
        await raw.send(frame)
        reply = await raw.expect("error")
        assert reply["code"] == code, (frame[:40], reply)
        assert reply["message"]
    assert (await raw.reply({"type": "ping", "id": "alive"}))["type"] == "pong"
    assert server.state_copy() == before


async def test_a_flood_is_rate_limited_then_closed_with_1008(start_server) -> None:
    """Past the burst requests are refused `rate_limited` with the wait (one request per 1000 s:
    1000 s); a client that keeps sending before that time spends its budget (3 here) and is
    closed with 1008 — the first refusal is free, each early request after it costs one."""
    server = await start_server(
        rate_per_s=0.001, rate_burst=5, abuse_budget=3, abuse_refill_per_s=0.001
    )
    raw = await server.raw(hello_for("TV-1"))
    codes = []
    for i in range(9):
        reply = await raw.reply({"type": "ping", "id": i})
        codes.append(reply["type"])
        if reply["type"] == "error":
            assert (reply["code"], reply["ref"]) == (p.ERR_RATE_LIMITED, i)
            assert 999 < reply["retry_after_s"] <= 1000
            assert "coba lagi dalam 1000 detik" in reply["message"]
    assert codes == ["pong"] * 5 + ["error"] * 4
    await raw.send({"type": "ping", "id": "last straw"})
    assert await raw.closed() == p.CLOSE_POLICY_VIOLATION


async def test_a_client_that_waits_as_told_is_never_closed(start_server, caplog) -> None:
    """Five requests a second, no burst, and no early request tolerated at all: AntreClient's ten
    pings in a row are each answered `pong` — it waited the `retry_after_s` of every refusal
    (up to nine: one per ping after the first, unless the machine was slower than the limit)
    and was never closed."""
    server = await start_server(
        rate_per_s=5, rate_burst=1, abuse_budget=0.5, abuse_refill_per_s=0.001
    )
    client = await server.client("TV-1")
    caplog.set_level(logging.INFO, logger="antre.client")
    replies = [await client.ping() for _ in range(10)]
    assert [r["type"] for r in replies] == ["pong"] * 10
    waits = [r for r in caplog.records if "rate-limited" in r.getMessage()]
    assert 1 <= len(waits) <= 9
    assert client.close_code is None and client.state is ConnectionState.CONNECTED


async def test_a_wait_beyond_the_requests_timeout_is_raised_with_its_length(
    start_server,
) -> None:
    """One request per 1000 s: the second ping cannot wait within its 2 s, so AntreClient raises
    `rate_limited` at once, with `retry_after_s` saying how long (999–1000 s)."""
    server = await start_server(rate_per_s=0.001, rate_burst=1)
    client = await server.client("TV-1")
    await client.ping()
    with pytest.raises(RequestError) as refused:
        await client.request("ping", timeout=2)
    assert refused.value.code == p.ERR_RATE_LIMITED
    assert refused.value.retry_after_s is not None and 999 < refused.value.retry_after_s <= 1000


async def test_a_slow_client_is_dropped_without_delaying_the_others(start_server) -> None:
    """A floor client that stops reading is dropped with 4008; another one gets every event."""
    server = await start_server(
        send_queue_max=8, socket_send_buffer=4096, write_limit=4096, close_timeout_s=10
    )
    # The slow one: a tiny receive buffer and websockets' own buffer of one frame, never read.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.running.port))
    sock.setblocking(False)
    slow = await websockets.connect(server.url, sock=sock, max_queue=1, compression=None)
    server.raws.append(slow)
    await slow.send(p.encode({**hello_for("LANTAI"), "id": "hello"}))

    fast = await server.client("ADMIN")
    received: list[int] = []
    received_at: dict[int, float] = {}
    sent_at: dict[int, float] = {}

    async def watch() -> None:
        async for msg in fast.messages():
            if msg["type"] == "event":
                received.append(msg["seq"])
                received_at[msg["seq"]] = time.perf_counter()

    watcher = asyncio.create_task(watch())
    kiosk = await server.client("KIOSK-1")

    def floor_sessions() -> int:
        return server.hub.stats().get("floor", 0)

    async with asyncio.timeout(10):  # its hello (a PIN check) is done in a worker thread
        while floor_sessions() == 0:
            await asyncio.sleep(0.01)
    issued = 0
    while floor_sessions() == 1 and issued < 3000:
        t0 = time.perf_counter()
        reply = await kiosk.request("issue_ticket", line="E")
        sent_at[reply["seq"]] = t0
        issued += 1
    assert issued > 0 and floor_sessions() == 0, "the slow client was never dropped"
    for _ in range(5):  # the fast one keeps receiving after the drop
        await kiosk.issue_ticket("E")
    async with asyncio.timeout(10):
        while not received or received[-1] != server.engine.last_seq:
            await asyncio.sleep(0.01)
    watcher.cancel()
    first = received[0]
    assert received == list(range(first, server.engine.last_seq + 1))

    # The slow client, reading at last, finds the close code telling it to resync.
    last_seen = 0
    try:
        async with asyncio.timeout(20):
            async for frame in slow:
                msg = p.decode(frame)
                if msg.get("type") in ("event", "synced", "snapshot"):
                    last_seen = msg["seq"]
    except websockets.ConnectionClosed:
        pass
    assert slow.close_code == p.CLOSE_TOO_SLOW
    # ...and resyncs from where it was: the rest arrives as a replay.
    back = await server.raw(hello_for("LANTAI", last_seq=last_seen))
    assert back.welcome["resume"] == "replay"
    replayed = [m["seq"] for m in back.seen if m["type"] == "event"]
    assert replayed == list(range(last_seen + 1, server.engine.last_seq + 1))

    # Measured, not asserted: press-to-broadcast latency seen by the fast client.
    latencies = sorted(received_at[seq] - t0 for seq, t0 in sent_at.items())
    print(
        f"\nslow client dropped after {issued} issues; fast client latency "
        f"p50={latencies[len(latencies) // 2] * 1000:.2f} ms "
        f"max={latencies[-1] * 1000:.2f} ms over {len(latencies)} events"
    )


async def test_the_server_survives_a_client_that_vanishes_mid_request(server: Server) -> None:
    """A client aborting right after a request: the server carries on, the request applies once."""
    for i in range(5):
        raw = await server.raw(hello_for("KIOSK-2"))
        await raw.send({"type": "issue_ticket", "id": i, "request_id": f"v{i}", "line": "G"})
        raw.ws.transport.abort()
    client = AntreClient(server.url, hello_for("KIOSK-2"), heartbeat_s=None)
    server.clients.append(client)
    await client.connect(timeout=10)
    for i in range(5):
        await client.issue_ticket("G", request_id=f"v{i}")
    assert sorted(t.number for t in server.engine.state.tickets.values()) == [
        f"G-{i:03d}" for i in range(1, 6)
    ]


async def test_connections_arriving_while_the_server_is_busy_wait_for_it(server: Server) -> None:
    """A booking storm opens hundreds of connections a second, one a request. While the event
    loop is busy and accepts none, the kernel must hold them for it (docs/benchmarks.md, "The
    booking storm"): 300 connections made during a 0.6 s stall all complete within it, where
    asyncio's default queue of 100 leaves the rest to TCP's retry a second later."""
    port = int(server.url.rsplit(":", 1)[1].split("/")[0])

    def connect_all(n: int, within_s: float) -> int:
        socks = [socket.socket() for _ in range(n)]
        for s in socks:
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
        deadline, done = time.monotonic() + within_s, set()
        while len(done) < n and time.monotonic() < deadline:
            for i, s in enumerate(socks):
                if i not in done and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    try:
                        s.getpeername()  # connected
                        done.add(i)
                    except OSError:
                        pass
            time.sleep(0.01)
        for s in socks:
            s.close()
        return len(done)

    loop = asyncio.get_running_loop()
    connecting = loop.run_in_executor(None, connect_all, 300, 0.5)
    time.sleep(0.6)  # the server's loop (this test's) accepts nothing meanwhile
    assert await connecting == 300
