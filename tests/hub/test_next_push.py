"""The `next` push: each officer session gets its own counter's next numbers, when they change."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

from hubtest import MONDAY_9AM, Raw, Server, hello_for

from server import protocol as p
from server.broadcast.views import NEXT_COUNT

# Longer than the test servers' pacing (lines_flush_s = 0.01): a push due by now has been queued.
SETTLE_S = 0.1


async def issue(server: Server, line: str, count: int = 1) -> list[str]:
    """Issue and print tickets from KIOSK-1; their numbers."""
    kiosk = next((c for c in server.clients if c.welcome and c.welcome["role"] == "kiosk"), None)
    if kiosk is None:
        kiosk = await server.client("KIOSK-1")
    numbers = []
    for _ in range(count):
        ticket = await kiosk.issue_ticket(line)
        await kiosk.confirm_printed(ticket["id"])
        numbers.append(ticket["number"])
    return numbers


async def act(raw: Raw, kind: str, **fields: Any) -> dict[str, Any]:
    """A counter action from a raw officer session; its `ok` reply."""
    rid = uuid.uuid4().hex
    reply = await raw.reply({"type": kind, "id": rid, "request_id": rid, **fields})
    assert reply["type"] == "ok", reply
    return reply


async def settle(raw: Raw) -> None:
    """Let any paced push go out, then a ping round trip: every frame queued has arrived."""
    await asyncio.sleep(SETTLE_S)
    assert (await raw.reply({"type": "ping", "id": "fence"}))["type"] == "pong"


def pushed(raw: Raw, since: int = 0) -> list[dict[str, Any]]:
    """The `next` frames this session received (from frame `since` on)."""
    return [m for m in raw.seen[since:] if m.get("type") == "next"]


def numbers(frame: dict[str, Any]) -> list[str]:
    return [t["number"] for t in frame["next"]]


def expected(server: Server, counter: str) -> list[str]:
    """What the core says the counter would call next, now."""
    return [t.number for t in server.engine.state.next_for(counter, server.clock(), NEXT_COUNT)]


async def test_officer_gets_its_counters_next_numbers_right_after_synced(server: Server) -> None:
    """After synced: lines, then next — the counter's list, in the snapshot's item form."""
    await issue(server, "A", 2)
    await issue(server, "C")
    officer = await server.raw(hello_for("DKP01@L01"))
    assert (await officer.recv())["type"] == "lines"
    frame = await officer.recv()
    assert frame["type"] == "next"
    assert set(frame) == {"type", "counter", "at", "next"}  # no seq: derived, like lines
    assert frame["counter"] == "L01"
    assert frame["at"] == MONDAY_9AM.isoformat()  # the hub's clock, in the building's zone
    assert numbers(frame) == ["A-001", "A-002"] == expected(server, "L01")
    snap = await officer.reply({"type": "snapshot", "id": "snap"})
    assert frame["next"] == snap["next"]
    assert all("token" not in t and "priority" in t for t in frame["next"])  # staff form

    other = await server.raw(hello_for("DKP02@L05"))
    assert numbers(await other.expect("next")) == ["C-001"]
    assert "next" in p.PUSH_TYPES


async def test_at_most_five_numbers_and_an_empty_list_when_nobody_waits(server: Server) -> None:
    """An idle counter's list is []; a long queue shows the first five."""
    officer = await server.raw(hello_for("DKP01@L01"))
    assert (await officer.expect("next"))["next"] == []
    await issue(server, "A", 7)
    await settle(officer)
    assert numbers(pushed(officer)[-1]) == ["A-001", "A-002", "A-003", "A-004", "A-005"]


async def test_issuing_a_ticket_on_its_line_pushes_the_updated_list(server: Server) -> None:
    """A ticket printed on a line the counter serves reaches the officer's list."""
    await issue(server, "A")
    officer = await server.raw(hello_for("DKP01@L01"))
    assert numbers(await officer.expect("next")) == ["A-001"]
    await settle(officer)
    await issue(server, "A")
    frame = await officer.expect("next")
    assert frame["counter"] == "L01" and numbers(frame) == ["A-001", "A-002"]


async def test_a_call_by_another_counter_sharing_the_line_updates_it(server: Server) -> None:
    """Loket 2 calls from line A: Loket 1's officer sees the number leave its list."""
    await issue(server, "A", 3)
    one = await server.raw(hello_for("DKP01@L01"))
    assert numbers(await one.expect("next")) == ["A-001", "A-002", "A-003"]
    two = await server.officer_at_work("DKP02@L02")
    await settle(one)
    await two.act("call_next")
    await settle(one)
    (frame,) = pushed(one)[1:]
    assert numbers(frame) == ["A-002", "A-003"] == expected(server, "L01")


async def test_displays_kiosks_and_managers_never_get_next(server: Server) -> None:
    """Only officers get `next`; an officer of another agency hears nothing of Dukcapil's."""
    watchers = {
        who: await server.raw(hello_for(who)) for who in ("TV-1", "TV-2", "KIOSK-2", "LANTAI")
    }
    watchers["ADMIN"] = await server.raw(hello_for("ADMIN"))
    samsat = await server.raw(hello_for("SMS01@L08"))
    assert (await samsat.expect("next"))["counter"] == "L08"
    start = len(samsat.seen)
    await issue(server, "A", 2)
    officer = await server.officer_at_work("DKP01@L01")
    await officer.act("call_next")
    for who, raw in watchers.items():
        await settle(raw)
        assert not pushed(raw), who
    await settle(samsat)
    assert not pushed(samsat, start)


async def test_the_counter_action_reply_carries_next(server: Server) -> None:
    """Every counter action's ok reply has the counter's next numbers right after it."""
    await issue(server, "A", 3)
    officer = await server.raw(hello_for("DKP01@L01"))
    await officer.expect("next")
    login = await act(officer, "login")
    assert numbers(login) == ["A-001", "A-002", "A-003"]
    await act(officer, "open_counter")
    called = await act(officer, "call_next")
    assert called["ticket"]["number"] == "A-001"
    assert numbers(called) == ["A-002", "A-003"] == expected(server, "L01")
    assert called["next"] == (await officer.reply({"type": "snapshot", "id": "s"}))["next"]
    started = await act(officer, "start_service")
    assert numbers(started) == ["A-002", "A-003"]
    # A manager closing a counter is told that counter's list as well.
    await server.officer_at_work("DKP02@L02")
    floor = await server.client("LANTAI")
    closed = await floor.request("close_counter", request_id="r-close", counter="L02")
    assert numbers(closed) == ["A-002", "A-003"]


async def test_an_unchanged_list_is_not_sent_again(server: Server) -> None:
    """Commits of the agency that leave the counter's list as it was push nothing."""
    await issue(server, "A", 2)
    officer = await server.raw(hello_for("DKP01@L01"))
    assert numbers(await officer.expect("next")) == ["A-001", "A-002"]
    await issue(server, "C", 2)  # Dukcapil's line C: not served at Loket 1
    colleague = await server.officer_at_work("DKP02@L05")  # logs in and opens: Dukcapil too
    await colleague.act("call_next")
    await colleague.act("start_service")
    kiosk = await server.client("KIOSK-1")
    await kiosk.issue_ticket("A")  # printing: not in the queue yet
    await settle(officer)
    assert len(pushed(officer)) == 1
    # The 15-second refresh recomputes every counter; an unchanged list is still not sent.
    server.hub.broadcaster.flush_next(every=True)
    await settle(officer)
    assert len(pushed(officer)) == 1


async def test_a_burst_is_one_frame_computed_once_per_counter(start_server) -> None:
    """Commits between two ticks give one frame per session, each counter's list computed once
    however many sessions watch it."""
    server = await start_server(lines_flush_s=3600.0)  # the test ticks by hand
    broadcaster = server.hub.broadcaster
    first = await server.raw(hello_for("DKP01@L01"))
    second = await server.raw(hello_for("DKP02@L01"))  # a colleague watching the same counter
    third = await server.raw(hello_for("DKP02@L02"))
    for raw in (first, second, third):
        assert (await raw.expect("next"))["next"] == []
    await issue(server, "A", 3)

    state = server.engine.state
    computed: Counter[str] = Counter()
    original = state.next_for

    def counting(counter_id: str, *args: Any, **kwargs: Any) -> list[Any]:
        computed[counter_id] += 1
        return original(counter_id, *args, **kwargs)

    state.next_for = counting  # type: ignore[method-assign]
    try:
        broadcaster.flush_next()
    finally:
        del state.next_for
    assert computed == {"L01": 1, "L02": 1}
    for raw in (first, second, third):
        await settle(raw)
        frames = pushed(raw)[1:]
        assert [numbers(f) for f in frames] == [["A-001", "A-002", "A-003"]]
    assert pushed(first)[1] == pushed(second)[1]
    assert pushed(third)[1]["counter"] == "L02"
