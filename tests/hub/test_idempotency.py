"""One press, one ticket: idempotent requests under retries, dropped connections and races."""

from __future__ import annotations

import asyncio

from hubtest import Server, hello_for

from server.client import AntreClient


def issued_tickets(server: Server) -> list[str]:
    return sorted(server.engine.state.tickets)


async def test_a_retried_issue_returns_the_first_ticket(server: Server) -> None:
    """The same request_id sent three times yields one ticket and three identical answers."""
    kiosk = await server.raw(hello_for("KIOSK-1"))
    msg = {"type": "issue_ticket", "request_id": "press-1", "line": "A"}
    replies = [await kiosk.reply({**msg, "id": i}) for i in range(3)]
    assert len(issued_tickets(server)) == 1
    assert {r["ticket"]["id"] for r in replies} == {"2026-11-23/A-001"}
    assert len({r["ticket"]["token"] for r in replies}) == 1
    assert len({r["seq"] for r in replies}) == 1


async def test_a_retry_after_a_dropped_connection_returns_the_same_ticket(server: Server) -> None:
    """A kiosk that lost its connection after sending and retries on a new one gets one ticket."""
    first = await server.raw(hello_for("KIOSK-1"))
    await first.send({"type": "issue_ticket", "id": 1, "request_id": "press-2", "line": "B"})
    first.ws.transport.abort()  # the cable is pulled before the answer comes back
    second = await server.raw(hello_for("KIOSK-1"))
    reply = await second.reply(
        {"type": "issue_ticket", "id": 1, "request_id": "press-2", "line": "B"}
    )
    assert reply["type"] == "ok"
    assert issued_tickets(server) == ["2026-11-23/B-001"]


async def test_concurrent_duplicates_on_two_connections_make_one_ticket(server: Server) -> None:
    """The same request sent at once on two connections of one kiosk issues one ticket."""
    a = await server.raw(hello_for("KIOSK-2"))
    b = await server.raw(hello_for("KIOSK-2"))  # replaces a (same kiosk): a may get no answer
    msg = {"type": "issue_ticket", "id": 9, "request_id": "press-3", "line": "C"}
    await asyncio.gather(a.send(msg), b.send(msg), return_exceptions=True)
    reply = await b.expect("ok", "error")
    assert reply["type"] == "ok", reply
    assert issued_tickets(server) == ["2026-11-23/C-001"]


async def test_the_same_request_id_from_two_kiosks_is_two_presses(server: Server) -> None:
    """Request ids are scoped by sender: two kiosks that pick the same id get two tickets."""
    k1 = await server.raw(hello_for("KIOSK-1"))
    k2 = await server.raw(hello_for("KIOSK-2"))
    msg = {"type": "issue_ticket", "id": 1, "request_id": "same", "line": "D"}
    r1, r2 = await k1.reply(msg), await k2.reply(msg)
    assert r1["ticket"]["number"] == "D-001" and r2["ticket"]["number"] == "D-002"


async def test_client_retries_across_connection_drops_without_duplicates(server: Server) -> None:
    """AntreClient re-sends a press after a cut: 20 presses cut at varied moments, 20 tickets."""
    kiosk = await server.client("KIOSK-1")
    for i in range(20):
        press = asyncio.create_task(kiosk.issue_ticket("E", request_id=f"press-e-{i}"))
        # Cut the connection at a different moment each time: before the send, while the
        # command commits, after the reply is written.
        for _ in range(i % 5):
            await asyncio.sleep(0)
        if i % 3:
            await asyncio.sleep(0.001 * (i % 4))
        kiosk.drop_connection()
        ticket = await asyncio.wait_for(press, 10)
        assert ticket["number"] == f"E-{i + 1:03d}"
    assert len(issued_tickets(server)) == 20


async def test_a_fresh_client_resumes_presses_of_a_crashed_one(server: Server) -> None:
    """A kiosk app restarted after a crash re-sends its pending press: still one ticket."""
    crashed = await server.client("KIOSK-1")
    first = await crashed.issue_ticket("F", request_id="before-crash")
    await crashed.close()
    restarted = AntreClient(server.url, hello_for("KIOSK-1"), heartbeat_s=None)
    server.clients.append(restarted)
    await restarted.connect(timeout=10)
    again = await restarted.issue_ticket("F", request_id="before-crash")
    assert again["id"] == first["id"] and again["token"] == first["token"]
    assert issued_tickets(server) == ["2026-11-23/F-001"]
