"""The `ticket` role: the citizen's phone page, live over a real loopback websocket.

A ticket's public token (the QR code's) is the credential; the session sees that one ticket's
public view — a snapshot, then `ticket` pushes when it changes — and nothing else: no events, no
line figures, no other ticket, no token, no personal data. It may only ping.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hubtest import Raw, Server, StartServer, demo_credentials

from server import protocol as p
from server.core.model import Tick

# Exactly what a phone may know about its ticket (server/web/phone.py: public_view).
VIEW_KEYS = {
    "number",
    "line",
    "line_name",
    "agency",
    "state",
    "people_ahead",
    "estimated_wait_s",
    "counter_number",
    "counter_label",
    "counter_name",
    "calls",
    "priority_note",
    "alert",
    "noshow_note",
    "visit",  # issue 22: the itinerary of a visit's stop, else None
}
# The only frames a ticket session ever receives.
TICKET_FRAMES = {"welcome", "snapshot", "synced", "ticket", "pong", "error"}


async def queued(server: Server, line: str, n: int, kiosk: str = "KIOSK-1") -> list[dict]:
    """n printed tickets of a line (each with its token, as the kiosk prints it)."""
    k = await server.client(kiosk)
    out = []
    for _ in range(n):
        t = await k.issue_ticket(line)
        await k.confirm_printed(t["id"])
        out.append(t)
    return out


async def phone(server: Server, token: str) -> tuple[Raw, dict[str, Any]]:
    """A ticket session past hello; its snapshot."""
    raw = await server.raw()
    await raw.send({**p.hello_ticket(token), "id": "hello"})
    raw.welcome = await raw.expect("welcome")
    snap = await raw.expect("snapshot")
    raw.synced = await raw.expect("synced")
    return raw, snap


async def settle(raw: Raw, server: Server) -> None:
    """Let paced pushes go out, then round-trip a ping so every frame sent before is read."""
    await asyncio.sleep(5 * server.hub.limits.lines_flush_s + 0.05)
    assert (await raw.reply({"type": "ping", "id": "settle"}))["type"] == "pong"


def no_secrets(raw: Raw, tickets: list[dict], mine: dict) -> None:
    """Nothing received names another ticket, a token, or anything but the allowed frames."""
    text = json.dumps(raw.seen, ensure_ascii=False)
    assert {m["type"] for m in raw.seen} <= TICKET_FRAMES, raw.seen
    for t in tickets:
        assert t["token"] not in text
        if t["id"] != mine["id"]:
            assert t["number"] not in text, t["number"]
    for key in ('"token"', '"priority"', '"kiosk"', '"officer"', '"event"', '"lines"'):
        assert key not in text, key


async def test_hello_gets_a_snapshot_of_exactly_that_ticket(server: Server) -> None:
    """The snapshot holds just the ticket's public view: no token, no personal fields."""
    await server.officer_at_work("DKP01@L01")
    tickets = await queued(server, "A", 3)
    raw, snap = await phone(server, tickets[1]["token"])
    assert raw.welcome is not None and raw.welcome["role"] == "ticket"
    assert raw.welcome["principal"] == {"id": tickets[1]["id"], "name": "A-002"}
    assert set(snap) == {"type", "seq", "day", "ticket"}
    view = snap["ticket"]
    assert set(view) == VIEW_KEYS
    assert view["number"] == "A-002" and view["line"] == "A"
    assert view["line_name"] == "Perekaman dan Cetak KTP-el"
    assert view["agency"] == server.hub.building.agency("DUKCAPIL").short_name
    assert view["state"] == "waiting" and view["people_ahead"] == 1
    assert view["estimated_wait_s"] > 0
    assert view["counter_name"] is None and view["counter_number"] is None
    assert view["counter_label"] is None
    assert raw.synced is not None and raw.synced["resume"] == "snapshot"
    await settle(raw, server)
    no_secrets(raw, tickets, tickets[1])
    # Counted among the connections, by its role.
    assert server.hub.stats()["ticket"] == 1


async def test_a_call_of_the_ticket_pushes_called_with_the_counter(server: Server) -> None:
    """The officer calls the ticket: a `ticket` frame says called, at which counter."""
    officer = await server.officer_at_work("DKP01@L01")
    tickets = await queued(server, "A", 1)
    raw, snap = await phone(server, tickets[0]["token"])
    assert snap["ticket"]["people_ahead"] == 0
    await officer.act("call_next")
    pushed = await raw.expect("ticket")
    assert pushed["at"]
    view = pushed["ticket"]
    assert set(view) == VIEW_KEYS
    assert view["state"] == "called" and view["calls"] == 1
    assert view["counter_name"] == "Loket 1" and view["counter_number"] == 1
    assert view["counter_label"] == "1"
    assert view["people_ahead"] is None and view["estimated_wait_s"] is None
    # A recall is news too (the page says it again), then the service starts.
    await officer.act("recall")
    assert (await raw.expect("ticket"))["ticket"]["calls"] == 2
    await officer.act("start_service")
    serving = (await raw.expect("ticket"))["ticket"]
    assert serving["state"] == "serving" and serving["counter_name"] == "Loket 1"
    await officer.act("finish_service")
    done = (await raw.expect("ticket"))["ticket"]
    assert done["state"] == "done" and done["counter_name"] is None
    await settle(raw, server)
    no_secrets(raw, tickets, tickets[0])


async def test_the_ticket_s_own_call_is_pushed_at_once_the_rest_is_paced(
    start_server: StartServer,
) -> None:
    """The called citizen's phone must ring when the TV does: its ticket's own events go out in
    the commit's turn, not at the next paced flush. With the pacing set to a minute (and the
    refresh to an hour), the call, its warning and the recall still arrive; the phone of the
    ticket behind, whose only news is one person fewer ahead, hears nothing until a flush."""
    server = await start_server(lines_flush_s=60.0, lines_refresh_s=3600.0)
    officer = await server.officer_at_work("DKP01@L01")
    tickets = await queued(server, "A", 2)
    raw, snap = await phone(server, tickets[0]["token"])
    behind, _ = await phone(server, tickets[1]["token"])
    assert snap["ticket"]["alert"]["kind"] == "few_ahead"
    await officer.act("call_next")
    view = (await raw.expect("ticket", timeout=5))["ticket"]
    assert view["state"] == "called" and view["counter_name"] == "Loket 1"
    assert view["alert"] == {
        "kind": "called",
        "key": "called-1",
        "title": "Nomor Anda dipanggil",
        "text": "Silakan menuju Loket 1",
    }
    await officer.act("recall")
    again = (await raw.expect("ticket", timeout=5))["ticket"]
    assert again["calls"] == 2 and again["alert"]["key"] == "called-2"
    assert (await behind.reply({"type": "ping", "id": "p"}))["type"] == "pong"
    assert not [m for m in behind.seen if m["type"] == "ticket"], behind.seen
    server.hub.ticket_watch.flush()  # the paced flush, by hand: now the count moves
    moved = (await behind.expect("ticket"))["ticket"]
    assert moved["people_ahead"] == 0 and moved["alert"]["text"].startswith("Anda berikutnya")
    no_secrets(raw, tickets, tickets[0])


async def test_another_ticket_called_ahead_moves_people_ahead(server: Server) -> None:
    """Someone ahead is called: the push says one person fewer ahead; nothing about them."""
    officer = await server.officer_at_work("DKP01@L01")
    tickets = await queued(server, "A", 3)
    raw, snap = await phone(server, tickets[2]["token"])
    assert snap["ticket"]["people_ahead"] == 2
    await officer.act("call_next")
    view = (await raw.expect("ticket"))["ticket"]
    assert view["state"] == "waiting" and view["people_ahead"] == 1
    assert view["estimated_wait_s"] <= snap["ticket"]["estimated_wait_s"]
    await settle(raw, server)
    no_secrets(raw, tickets, tickets[2])


async def test_no_push_when_the_view_did_not_change(server: Server) -> None:
    """Activity elsewhere (another line, another agency) sends the phone nothing."""
    await server.officer_at_work("DKP01@L01")
    samsat = await server.officer_at_work("SMS01@L08")
    mine = await queued(server, "A", 1)
    raw, _ = await phone(server, mine[0]["token"])
    others = await queued(server, "E", 2, kiosk="KIOSK-2")
    await samsat.act("call_next")
    await samsat.act("start_service")
    await settle(raw, server)
    assert not [m for m in raw.seen if m["type"] == "ticket"], raw.seen
    no_secrets(raw, mine + others, mine[0])


async def test_unknown_or_malformed_token_is_refused_with_4001(server: Server) -> None:
    """An unknown token, a malformed one, or a device's token: auth_failed, close 4001."""
    for token in ("unknown-token-123", "<script>", "x" * 200, demo_credentials()["TV-1"]):
        raw = await server.raw()
        await raw.send({**p.hello_ticket(token), "id": "hello"})
        err = await raw.expect("error")
        assert err["code"] == p.ERR_AUTH_FAILED and err["ref"] == "hello"
        assert "<script>" not in err["message"]
        assert await raw.closed() == p.CLOSE_AUTH_FAILED


async def test_a_ticket_token_is_no_device_token(server: Server) -> None:
    """The ticket's token does not open a kiosk or TV session (nor the other way round)."""
    tickets = await queued(server, "A", 1)
    for hello in (p.hello_kiosk(tickets[0]["token"]), p.hello_display(tickets[0]["token"])):
        raw = await server.raw()
        await raw.send({**hello, "id": "hello"})
        assert (await raw.expect("error"))["code"] == p.ERR_AUTH_FAILED
        assert await raw.closed() == p.CLOSE_AUTH_FAILED


async def test_any_command_but_ping_is_forbidden(server: Server) -> None:
    """Read-only: ping answers pong; everything else is `forbidden` and changes nothing."""
    tickets = await queued(server, "A", 1)
    raw, _ = await phone(server, tickets[0]["token"])
    before = server.state_copy()
    pong = await raw.reply({"type": "ping", "id": 1})
    assert pong["type"] == "pong" and pong["seq"] == server.engine.last_seq
    requests = [
        {"type": "snapshot"},
        {"type": "list_lines"},
        {"type": "issue_ticket", "request_id": "r1", "line": "A"},
        {"type": "cancel_ticket", "request_id": "r2", "ticket": "A-001", "reason": "x"},
        {"type": "call_next", "request_id": "r3"},
    ]
    for i, msg in enumerate(requests, start=2):
        reply = await raw.reply({**msg, "id": i})
        assert reply["type"] == "error" and reply["code"] == p.ERR_FORBIDDEN, reply
    again = await raw.reply({**p.hello_ticket(tickets[0]["token"]), "id": 99})
    assert again["code"] == p.ERR_ALREADY_AUTHENTICATED
    assert server.state_copy() == before


async def test_at_the_end_of_the_day_the_phone_sees_expired_then_a_normal_close(
    server: Server,
) -> None:
    """Closing the day: the last view (expired), close 1000, and the token is refused after."""
    await server.officer_at_work("DKP01@L01")
    tickets = await queued(server, "A", 1)
    raw, _ = await phone(server, tickets[0]["token"])
    server.clock.advance(24 * 3600)  # Tuesday 09:00
    await server.hub.execute(Tick(), "system")
    last = await raw.expect("ticket")
    assert last["ticket"]["state"] == "expired" and last["ticket"]["people_ahead"] is None
    assert await raw.closed() == p.CLOSE_NORMAL
    no_secrets(raw, tickets, tickets[0])
    again = await server.raw()
    await again.send({**p.hello_ticket(tickets[0]["token"]), "id": "hello"})
    assert (await again.expect("error"))["code"] == p.ERR_AUTH_FAILED
    assert await again.closed() == p.CLOSE_AUTH_FAILED


async def test_a_fifth_phone_on_one_ticket_replaces_the_oldest(server: Server) -> None:
    """A printed QR code can be photographed: connections per ticket are bounded, and the bound
    never shuts the citizen out, because the newest phone always gets in."""
    tickets = await queued(server, "A", 2)
    limit = server.hub.limits.phones_per_ticket
    phones = [(await phone(server, tickets[0]["token"]))[0] for _ in range(limit)]
    other, _snap = await phone(server, tickets[1]["token"])  # another citizen's ticket

    newest, snap = await phone(server, tickets[0]["token"])
    assert snap["ticket"]["number"] == tickets[0]["number"]
    assert await phones[0].closed() == p.CLOSE_REPLACED  # the oldest made room
    for raw in [*phones[1:], newest, other]:  # everyone else is still served
        assert (await raw.reply({"type": "ping", "id": "still"}))["type"] == "pong"
    assert server.hub.stats().get("ticket") == limit + 1  # what /healthz reports
