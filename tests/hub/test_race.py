"""Two counters racing call-next on one line never call the same ticket."""

from __future__ import annotations

import asyncio

from hubtest import Server

from server.client import RequestError


async def test_two_counters_racing_call_next_never_share_a_ticket(server: Server) -> None:
    """L01 and L02 both serve line A; hammering call-next at once calls each ticket exactly once."""
    kiosk = await server.client("KIOSK-1")
    issued = []
    for _ in range(30):
        t = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(t["id"])
        issued.append(t["id"])
    one = await server.officer_at_work("DKP01@L01")
    two = await server.officer_at_work("DKP02@L02")

    async def work(officer) -> list[str]:
        called = []
        while True:
            try:
                reply = await officer.act("call_next")
            except RequestError as exc:
                assert exc.code == "queue_empty"
                return called
            called.append(reply["ticket"]["id"])
            await officer.act("no_show")  # frees the counter for its next call

    first, second = await asyncio.gather(work(one), work(two))
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(issued)
    assert first and second  # both counters got work: it really was a race
    calls = [s.event.ticket for s in await server.engine.events_since(0)
             if s.event.kind == "ticket_called"]  # fmt: skip
    assert len(calls) == len(set(calls)) == 30
