"""Each role's happy path, end to end over real loopback websockets."""

from __future__ import annotations

import asyncio

from hubtest import Server, demo_credentials

from server import protocol as p


async def messages_until(client, kind: str, timeout: float = 5) -> list[dict]:
    """Pushed frames up to and including the first of type `kind`."""
    seen = []
    async with asyncio.timeout(timeout):
        while True:
            msg = await client.next_message(timeout=5)
            seen.append(msg)
            if msg["type"] == kind:
                return seen


async def events_until(client, kind: str, timeout: float = 5) -> list[dict]:
    """Pushed events up to and including the first of `kind`."""
    seen = []
    async with asyncio.timeout(timeout):
        while True:
            msg = await client.next_message("event", timeout=5)
            seen.append(msg)
            if msg["event"]["kind"] == kind:
                return seen


async def test_kiosk_lists_lines_issues_and_confirms_a_ticket(server: Server) -> None:
    """A kiosk lists the lines, issues a ticket (number and token) and confirms the print."""
    kiosk = await server.client("KIOSK-1")
    assert kiosk.welcome is not None and kiosk.welcome["role"] == "kiosk"
    await server.officer_at_work("DKP01@L01")
    lines = await kiosk.list_lines()
    assert len(lines) == len(server.hub.building.lines)
    a = next(ln for ln in lines if ln["prefix"] == "A")
    assert a["issuing"] is True and a["quota_left_walk_in"] == 300 and a["counters_open"] == 1

    ticket = await kiosk.issue_ticket("A")
    assert ticket["number"] == "A-001"
    assert ticket["state"] == "printing"
    assert len(ticket["token"]) >= 16
    assert ticket["people_ahead"] == 0
    reply = await kiosk.confirm_printed(ticket["id"])
    assert [e["event"]["kind"] for e in reply["events"]] == ["ticket_printed"]
    assert server.engine.state.tickets[ticket["id"]].state.value == "waiting"
    await kiosk.printer_status("near_end")
    assert server.hub.printers["KIOSK-1"]["status"] == "near_end"


async def test_kiosk_print_failure_takes_the_ticket_out_of_the_queue(server: Server) -> None:
    """A reported print failure cancels the reserved number: it never enters the queue."""
    await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    ticket = await kiosk.issue_ticket("A")
    await kiosk.print_failed(ticket["id"], "paper_out")
    assert server.engine.state.waiting("A") == []
    assert server.engine.state.tickets[ticket["id"]].state.value != "waiting"


async def test_officer_serves_a_citizen_from_call_to_finish(server: Server) -> None:
    """An officer logs in, opens, calls, recalls, starts, finishes, pauses, resumes and closes."""
    officer = await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    t = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(t["id"])

    called = await officer.act("call_next")
    assert called["ticket"]["number"] == "A-001"
    assert called["counter"]["state"] == "open" and called["counter"]["officer"] == "DKP01"
    await officer.act("recall")
    started = await officer.act("start_service")
    assert started["ticket"]["state"] == "serving"
    finished = await officer.act("finish_service")
    assert finished["ticket"] is None
    paused = await officer.act("pause_counter", reason="istirahat")
    assert paused["counter"]["state"] == "paused"
    await officer.act("resume_counter")
    # The demo building asks for a manager's approval to close in service hours (issue 23:
    # tests/hub/test_closure_requests_wire.py): this officer closes at closing time.
    server.clock.now = server.clock.now.replace(hour=16, minute=0)
    closed = await officer.act("close_counter")
    assert closed["counter"]["state"] == "closed"
    out = await officer.act("logout")
    assert out["counter"]["officer"] is None


async def test_officer_no_show_reactivate_transfer_and_call_by_number(server: Server) -> None:
    """No-show, reactivation, an out-of-order call by number, and a transfer to another agency."""
    officer = await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    tickets = []
    for _ in range(3):
        t = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(t["id"])
        tickets.append(t)
    await officer.act("call_next")
    await officer.act("no_show")
    await officer.act("reactivate", ticket=tickets[0]["number"])
    out_of_order = await officer.act("call_ticket", ticket="A-003", reason="berkas susulan")
    assert out_of_order["ticket"]["number"] == "A-003"
    assert out_of_order["ticket"]["call_reason"] == "dipilih_petugas"
    moved = await officer.act("transfer", line="E")  # Dukcapil sends the citizen on to Samsat
    assert [e["event"]["kind"] for e in moved["events"]] == ["ticket_transferred"]
    assert server.engine.state.tickets[tickets[2]["id"]].line == "E"


async def test_display_sees_calls_of_its_zone_without_tokens(server: Server) -> None:
    """A zone-1 TV gets a snapshot, then each call in its zone, and never a ticket token."""
    tv = await server.client("TV-1")
    snap = await tv.next_message("snapshot", timeout=5)
    assert {c["zone"] for c in snap["building"]["counters"]} == {"1"}
    assert "tickets" not in snap
    officer = await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    t = await kiosk.issue_ticket("A", priority="lansia")
    await kiosk.confirm_printed(t["id"])
    await officer.act("call_next")
    seen = await events_until(tv, "ticket_called")
    call = seen[-1]["event"]
    assert call == {
        "kind": "ticket_called",
        "at": call["at"],
        "ticket": t["id"],
        "number": "A-001",
        "line": "A",
        "counter": "L01",
    }
    for msg in seen:
        assert "token" not in msg["event"] and "priority" not in msg["event"]
        assert "officer" not in msg["event"]
    assert tv.last_seq == seen[-1]["seq"]


async def test_display_of_another_zone_does_not_see_the_call(server: Server) -> None:
    """A zone-2 TV gets nothing of a zone-1 call (it only advances its position)."""
    tv2 = await server.client("TV-2", heartbeat_s=None)
    await tv2.next_message("snapshot", timeout=5)
    officer = await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    t = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(t["id"])
    await officer.act("call_next")
    pong = await tv2.ping()
    assert pong["seq"] == server.engine.last_seq
    while not tv2._messages.empty():
        msg = tv2._messages.get_nowait()
        assert msg.get("type") != "event", msg


async def test_floor_manager_sees_everything_and_acts_with_attribution(server: Server) -> None:
    """A floor manager sees the building, events and printer alerts; its actions carry its name."""
    floor = await server.client("LANTAI")
    snap = await floor.next_message("snapshot", timeout=5)
    assert len(snap["counters"]) == len(server.running.hub.building.counters)
    officer = await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    t = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(t["id"])
    await kiosk.printer_status("paper_out")
    before_alert = await messages_until(floor, "alert")
    alert = before_alert[-1]
    assert alert["kiosk"] == "KIOSK-1" and alert["status"] == "paper_out"
    kinds = [m["event"]["kind"] for m in before_alert if m["type"] == "event"]
    assert "ticket_issued" in kinds and "ticket_printed" in kinds

    cancelled = await floor.act("cancel_ticket", ticket=t["id"], reason="permintaan warga")
    assert cancelled["events"][0]["event"]["kind"] == "ticket_cancelled"
    closed = await floor.act("close_counter", counter="L01")
    assert closed["counter"]["state"] == "closed"
    log = await server.engine.events_since(0)
    actors = {s.event.kind: s.actor for s in log}
    assert actors["ticket_cancelled"] == "manager:LANTAI"
    assert actors["counter_closed"] == "manager:LANTAI"
    assert actors["ticket_issued"] == "kiosk:KIOSK-1"
    assert actors["counter_opened"] == "officer:DKP01@L01"
    kinds = [m["event"]["kind"] for m in await _drain(floor) if m["type"] == "event"]
    assert "ticket_cancelled" in kinds
    del officer


async def test_admin_has_the_floor_powers(server: Server) -> None:
    """An admin logs in with its own credentials and gets the floor role's view."""
    admin = await server.client("ADMIN")
    assert admin.welcome is not None and admin.welcome["role"] == "admin"
    snap = await admin.snapshot()
    assert "printers" in snap and "tickets" in snap


async def test_ping_answers_pong_with_the_position(server: Server) -> None:
    """The app-level heartbeat: ping gets pong with the session's position in the event stream."""
    tv = await server.client("TV-1")
    pong = await tv.ping()
    assert pong["type"] == "pong" and pong["seq"] == server.engine.last_seq


async def test_welcome_names_the_protocol_and_role(server: Server) -> None:
    """hello is answered by welcome (version, role, principal, day) and then synced."""
    token = demo_credentials()["TV-1"]
    raw = await server.raw(
        {"type": "hello", "version": p.PROTOCOL_VERSION, "role": "display", "token": token}
    )
    assert raw.welcome is not None
    assert raw.welcome["version"] == p.PROTOCOL_VERSION
    assert raw.welcome["role"] == "display"
    assert raw.welcome["principal"] == {"id": "TV-1", "name": "TV-1", "zone": "1"}
    assert raw.welcome["day"] == "2026-11-23"
    assert raw.synced is not None and raw.synced["resume"] == "snapshot"


async def _drain(client) -> list[dict]:
    out = []
    while not client._messages.empty():
        out.append(client._messages.get_nowait())
    return out
