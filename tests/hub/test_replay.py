"""Resume after a disconnect: every missed event exactly once, in order, or a fresh snapshot."""

from __future__ import annotations

import asyncio

from hubtest import Server, hello_for

from server.broadcast.views import Scope, view_event
from server.core.events import event_to_dict


async def make_calls(server: Server, officer, kiosk, n: int) -> None:
    for _ in range(n):
        t = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(t["id"])
        await officer.act("call_next")
        await officer.act("recall")
        await officer.act("no_show")


async def expected_for(server: Server, audience: str, after: int) -> list[tuple[int, dict]]:
    """What an audience should receive after a seq, computed from the log independently."""
    out = []
    broadcaster = server.hub.broadcaster
    for stored in await server.engine.events_since(after):
        view = view_event(audience, event_to_dict(stored.event), broadcaster.scope(stored.event))
        if view is not None:
            out.append((stored.seq, view))
    return out


async def test_display_gets_every_missed_event_once_in_order(server: Server) -> None:
    """A TV that was away while calls were made gets exactly the missed zone-1 events on resume."""
    officer = await server.officer_at_work("DKP01@L01")
    samsat = await server.officer_at_work("SMS01@L08")
    kiosk = await server.client("KIOSK-1")
    tv = await server.raw(hello_for("TV-1"))
    assert tv.synced is not None
    left_at = tv.synced["seq"]
    await tv.ws.close()

    await make_calls(server, officer, kiosk, 3)
    await samsat.act("pause_counter", reason="sholat")  # zone 1 too: Samsat is on floor 1
    zone2 = await server.officer_at_work("IMI01@L22")  # floor 2: must not be replayed to TV-1
    await zone2.act("pause_counter", reason="rapat")

    back = await server.raw(hello_for("TV-1", last_seq=left_at, day="2026-11-23"))
    assert back.welcome is not None and back.welcome["resume"] == "replay"
    got = [(m["seq"], m["event"]) for m in back.seen if m["type"] == "event"]
    expected = await expected_for(server, "zone:1", left_at)
    assert got == expected
    seqs = [s for s, _ in got]
    assert seqs == sorted(set(seqs))
    calls = [e for _, e in got if e["kind"] == "ticket_called"]
    assert [c["number"] for c in calls] == ["A-001", "A-002", "A-003"]
    assert all(e.get("counter") != "L22" for _, e in got)
    assert back.synced is not None and back.synced["seq"] == server.engine.last_seq
    assert back.synced["replayed"] == len(expected)


async def test_blinking_display_never_misses_a_call(server: Server) -> None:
    """A TV whose connection is cut again and again while calls go on sees each call once."""
    officer = await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    tv = await server.client("TV-1", backoff_initial_s=0.01, backoff_max_s=0.05)
    start = tv.last_seq
    assert start is not None
    received: list[dict] = []

    async def watch() -> None:
        async for msg in tv.messages():
            if msg["type"] == "event":
                received.append(msg)

    watcher = asyncio.create_task(watch())
    for i in range(15):
        t = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(t["id"])
        if i % 2 == 0:
            tv.drop_connection()  # cut while the call below is made
        await officer.act("call_next")
        if i % 3 == 0:
            tv.drop_connection()
        await officer.act("no_show")
    await tv.wait_connected(timeout=10)
    pong = await tv.ping()
    async with asyncio.timeout(10):
        while tv.last_seq != server.engine.last_seq or (
            received and received[-1]["seq"] > pong["seq"]
        ):
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    watcher.cancel()
    expected = await expected_for(server, "zone:1", start)
    assert [(m["seq"], m["event"]) for m in received] == expected
    calls = [m["event"]["number"] for m in received if m["event"]["kind"] == "ticket_called"]
    assert calls == [f"A-{i:03d}" for i in range(1, 16)]


async def test_too_far_behind_gets_a_snapshot(start_server) -> None:
    """A client whose gap exceeds the replay limit gets a snapshot instead of a replay."""
    server = await start_server(replay_limit=3)
    tv = await server.raw(hello_for("TV-1"))
    left_at = tv.synced["seq"]
    await tv.ws.close()
    officer = await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    await make_calls(server, officer, kiosk, 1)
    back = await server.raw(hello_for("TV-1", last_seq=left_at))
    assert back.welcome["resume"] == "snapshot"
    snap = next(m for m in back.seen if m["type"] == "snapshot")
    assert snap["seq"] == server.engine.last_seq
    assert [c["number"] for c in snap["calls"]] == ["A-001"]
    assert not [m for m in back.seen if m["type"] == "event"]


async def test_a_position_from_another_day_or_the_future_gets_a_snapshot(server: Server) -> None:
    """last_seq of yesterday, or beyond the server's log (a restored database), means a snapshot."""
    kiosk = await server.client("KIOSK-1")
    await kiosk.issue_ticket("A")
    yesterday = await server.raw(hello_for("TV-1", last_seq=0, day="2026-11-22"))
    assert yesterday.welcome["resume"] == "snapshot"
    ahead = await server.raw(hello_for("TV-1", last_seq=server.engine.last_seq + 50))
    assert ahead.welcome["resume"] == "snapshot"
    same_day = await server.raw(hello_for("TV-1", last_seq=0, day="2026-11-23"))
    assert same_day.welcome["resume"] == "replay"


async def test_events_committed_during_the_replay_are_neither_lost_nor_doubled(
    server: Server,
) -> None:
    """Hellos racing a stream of commits: each resumed floor session sees a gapless log, once."""
    officer = await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    stop = asyncio.Event()

    async def churn() -> None:
        # Line E has no daily quota: a fast store issues A's 300 tickets before the hellos end.
        while not stop.is_set():
            await kiosk.issue_ticket("E")

    churner = asyncio.create_task(churn())
    sessions = []
    for i in range(6):
        await asyncio.sleep(0.005 * i)
        last_seq = max(0, server.engine.last_seq - 3)
        sessions.append((last_seq, await server.raw(hello_for("LANTAI", last_seq=last_seq))))
    stop.set()
    await churner
    del officer
    final = server.engine.last_seq
    for last_seq, raw in sessions:
        await raw.reply({"type": "ping", "id": "end"})  # everything up to now is queued before it
        assert raw.welcome["resume"] == "replay"
        assert raw.welcome["seq"] >= last_seq
        seqs = [m["seq"] for m in raw.seen if m["type"] == "event"]
        assert seqs == sorted(set(seqs)), "duplicate or out of order"
        # The floor sees every event: the first one after the client's position, then each one
        # up to the server's newest, none missing (a replay that drops its head fails here).
        assert seqs[:1] == [last_seq + 1], "the replay does not start right after last_seq"
        assert seqs == list(range(last_seq + 1, final + 1)), "gap: the floor sees every event"


def test_scope_of_a_transfer_covers_both_lines() -> None:
    """A transfer from Dukcapil to Imigrasi is shown to both agencies' officers."""
    scope = Scope(frozenset({"DUKCAPIL", "IMIGRASI"}), frozenset({"1", "2"}), None, False)
    event = {"kind": "ticket_transferred", "at": "x", "ticket": "t", "from_line": "A",
             "to_line": "P", "counter": "L01"}  # fmt: skip
    assert view_event("agency:IMIGRASI", event, scope) == event
    assert view_event("agency:SAMSAT", event, scope) is None
    assert view_event("zone:2", event, scope) == event
