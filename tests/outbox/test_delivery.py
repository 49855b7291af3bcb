"""Signed deliveries to a webhook (issue 21), against a real receiver on 127.0.0.1.

The receiver is tools/webhook_receiver.py (what the README has a newcomer run): it verifies
every request with server.signing and keeps each event once by its id. The expectations are
docs/protocol.md's ("Signed deliveries"): events in seq order, each once, through a receiver
that is down, answers 500 or is too slow; the token never sent; personal data only to a
destination configured for it; a webhook's event filter.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
from hubtest import FakeClock, Server, StartServer, hello_for, until
from outboxtest import (
    BUILDING_ID,
    FAST,
    Receiver,
    book,
    delivering,
    issue,
    webhook,
)

from server.outbox import Timing

TUESDAY = date(2026, 11, 24)


@pytest.fixture
def receiver() -> Receiver:
    r = Receiver().start()
    yield r
    r.shutdown()
    r.server_close()


async def _all_delivered(server: Server, receiver: Receiver, first: int = 1) -> None:
    last = server.engine.last_seq
    await until(lambda: receiver.seqs()[-1:] == [last], f"seq {last} delivered")
    assert receiver.seqs() == list(range(first, last + 1))  # in order, each once, no gap


async def test_events_arrive_signed_in_order_once_each_in_the_documented_form(
    start_server: StartServer, receiver: Receiver
) -> None:
    server = await start_server(
        building=delivering(webhook(receiver.url + "/antre")), delivery_timing=FAST
    )
    tickets = await issue(server, 3)
    officer = await server.officer_at_work("DKP01@L01")
    await officer.act("call_next")
    await _all_delivered(server, receiver)
    assert receiver.refused == [] and receiver.duplicates == 0
    assert {path for _, path in receiver.paths} == {"/antre"}
    first = receiver.events[f"{BUILDING_ID}:1"]
    # docs/protocol.md's example, for the demo's first ticket of Monday 23 November at 09.00 WIB.
    assert first == {
        "id": "mpp-kota-contoh:1",
        "seq": 1,
        "type": "ticket_issued",
        "at": "2026-11-23T09:00:00+07:00",
        "day": "2026-11-23",
        "actor": "kiosk:KIOSK-1",
        "data": {
            "ticket": "2026-11-23/A-001",
            "day": "2026-11-23",
            "number": "A-001",
            "seq": 1,
            "line": "A",
            "priority": None,
            "kiosk": "KIOSK-1",
            "booking": None,
            "slot": None,
            # One visit, several agencies (issue 22): a plain ticket is in none.
            "visit": None,
            "stop": None,
            "queued_at": None,
        },
    }
    body = json.loads(receiver.body_texts()[0])
    assert (body["building"], body["zone"]) == (BUILDING_ID, "WIB")
    called = [e for e in receiver.events.values() if e["type"] == "ticket_called"]
    assert [(e["data"]["number"], e["data"]["counter"]) for e in called] == [("A-001", "L01")]
    assert tickets[0]["number"] == "A-001"


async def test_a_receiver_that_is_down_gets_everything_in_order_when_it_is_back(
    start_server: StartServer, receiver: Receiver
) -> None:
    server = await start_server(building=delivering(webhook(receiver.url)), delivery_timing=FAST)
    await issue(server, 2)
    await _all_delivered(server, receiver)
    receiver.stop()
    await issue(server, 5)
    (sender,) = server.running.outbox.senders
    await until(lambda: sender.attempts >= 3, "three refused connections")
    status = sender.status()
    assert status["state"] == "failing" and status["backlog"] == 10  # 5 tickets, issued and printed
    assert "ConnectError" in str(status["last_error"])
    receiver.start_again()
    await _all_delivered(server, receiver)
    await until(lambda: sender.status()["state"] == "ok", "the sender ok again")
    await stored_position(server, "PORTAL-KAB", server.engine.last_seq)
    states = await server.engine.store.delivery_states()
    assert states["PORTAL-KAB"].failing_since is None


async def test_a_receiver_answering_500_is_retried_and_nothing_is_skipped(
    start_server: StartServer, receiver: Receiver
) -> None:
    server = await start_server(building=delivering(webhook(receiver.url)), delivery_timing=FAST)
    receiver.failing = 500
    await issue(server, 3)
    (sender,) = server.running.outbox.senders
    await until(lambda: sender.attempts >= 3, "three answers 500")
    assert receiver.seqs() == []
    # The count rises before the attempt's row is written (through the store's writer): wait
    # for the row, not just the count (under load the third was not yet in the log).
    async with asyncio.timeout(20):
        while len(log := await server.engine.store.delivery_log("PORTAL-KAB", 3)) < 3:
            await asyncio.sleep(0.01)
    assert [(a.outcome, a.status, a.first_seq) for a in log] == [("failed", 500, 1)] * 3
    assert log[0].error == 'HTTP 500: {"error": "refused by the test"}'
    receiver.failing = None
    await _all_delivered(server, receiver)
    assert receiver.duplicates == 0


async def test_a_receiver_too_slow_to_answer_gets_each_event_once_by_id(
    start_server: StartServer, receiver: Receiver
) -> None:
    """It stores the batch but answers after the building gave up: the batch comes again,
    and the receiver's dedup by id absorbs it."""
    timing = Timing(first_retry_s=0.02, max_retry_s=0.1, safety_poll_s=5.0, timeout_s=0.3,
                    linger_s=0.0)  # fmt: skip
    server = await start_server(building=delivering(webhook(receiver.url)), delivery_timing=timing)
    receiver.delay_s = 0.6
    await issue(server, 2)
    await until(lambda: receiver.duplicates > 0, "a batch sent again")
    receiver.delay_s = 0.0
    await _all_delivered(server, receiver)
    log = await server.engine.store.delivery_log("PORTAL-KAB", 100)
    assert any(a.outcome == "failed" and "Timeout" in (a.error or "") for a in log)


async def test_the_token_never_leaves_and_personal_data_only_where_configured(
    start_server: StartServer, clock: FakeClock
) -> None:
    plain, full = Receiver().start(), Receiver().start()
    try:
        building = delivering(
            webhook(plain.url, id="PORTAL-KAB"),
            webhook(full.url, id="DUKCAPIL-PUSAT", personal_data=True),
        )
        server = await start_server(building=building, delivery_timing=FAST)
        (ticket,) = await issue(server, 1)
        booking = await book(server, 1, TUESDAY)
        desk = await server.client("LANTAI")
        await desk.file_complaint(
            "waktu", "Menunggu tiga jam di loket.", name="Budi Santoso", phone="0812 3456 7890"
        )
        for receiver in (plain, full):
            await _all_delivered(server, receiver)
        secrets = (ticket["token"], booking.token)
        assert all(
            s not in text for s in secrets for text in plain.body_texts() + full.body_texts()
        )
        personal = ("Siti Aminah", "Budi Santoso", "0001", "Menunggu tiga jam", "3456")
        assert not any(p in text for p in personal for text in plain.body_texts())
        made = next(e for e in full.events.values() if e["type"] == "booking_made")
        assert made["personal"]["name"] == "Siti Aminah 1"
        assert made["personal"]["nik_last4"] == "0001"
        assert "token" not in made["data"]
        filed = next(e for e in full.events.values() if e["type"] == "complaint_filed")
        assert filed["data"]["text"] == "Menunggu tiga jam di loket."
        assert filed["personal"]["name"] == "Budi Santoso"
        plain_filed = next(e for e in plain.events.values() if e["type"] == "complaint_filed")
        assert "text" not in plain_filed["data"] and "personal" not in plain_filed
    finally:
        for r in (plain, full):
            r.shutdown()
            r.server_close()


async def test_a_webhook_gets_only_the_kinds_it_asked_for_and_its_position_moves_past_the_rest(
    start_server: StartServer, receiver: Receiver
) -> None:
    server = await start_server(
        building=delivering(webhook(receiver.url, events=frozenset({"ticket_called"}))),
        delivery_timing=FAST,
    )
    await issue(server, 3)
    officer = await server.officer_at_work("DKP01@L01")
    await officer.act("call_next")
    await officer.act("start_service")
    await officer.act("finish_service")
    await officer.act("call_next")
    await until(lambda: len(receiver.seqs()) == 2, "two calls delivered")
    assert [e["type"] for e in receiver.events.values()] == ["ticket_called", "ticket_called"]
    assert [e["data"]["number"] for e in receiver.events.values()] == ["A-001", "A-002"]
    # The events after the last call are none of its business: skipped, the position past them.
    last = server.engine.last_seq
    await stored_position(server, "PORTAL-KAB", last)


async def stored_position(server: Server, destination: str, expected: int) -> None:
    """Wait until the store holds `expected` as the destination's position."""
    store = server.engine.store
    async with asyncio.timeout(20):
        while (await store.delivery_states())[destination].position != expected:
            await asyncio.sleep(0.005)


async def test_the_floor_session_hears_nothing_when_every_destination_works(
    start_server: StartServer, receiver: Receiver
) -> None:
    server = await start_server(building=delivering(webhook(receiver.url)), delivery_timing=FAST)
    floor = await server.raw(hello_for("LANTAI"))
    snap = await floor.reply({"type": "snapshot", "id": "s"})
    assert snap["deliveries"] == [
        {
            "id": "PORTAL-KAB",
            "kind": "webhook",
            "state": "ok",
            "backlog": 0,
            "position": 0,
            "failing_since": None,
            "attempts": 0,
            "last_error": None,
            "alert": False,
        }
    ]
    # Deliveries happen, all of them taken: the floor hears of the tickets, never a `delivery`
    # alert (an empty one either: docs/protocol.md sends it when an alert goes up or down).
    await issue(server, 3)
    await _all_delivered(server, receiver)
    await stored_position(server, "PORTAL-KAB", server.engine.last_seq)
    pong = await floor.reply({"type": "ping", "id": "p"})
    assert pong["type"] == "pong"
    assert len(floor.seen) > 3  # it did hear the building's events
    alerts = [f for f in floor.seen if f.get("type") == "alert" and f.get("alert") == "delivery"]
    assert alerts == []


async def test_a_receiver_that_trickles_its_answer_is_a_failure_within_the_timeout(
    start_server: StartServer,
) -> None:
    """It answers 200 and then a byte of its body every 50 ms, each read well within the
    timeout: the timeout is the whole exchange's deadline (docs/protocol.md), so the attempt
    fails instead of holding the destination for the minute the body would take."""

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))  # fmt: skip
        await reader.readexactly(length)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1200\r\n\r\n")
        try:
            for _ in range(1200):
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(0.05)
        except ConnectionError:
            pass
        finally:
            writer.close()

    slow = await asyncio.start_server(trickle, "127.0.0.1", 0)
    port = slow.sockets[0].getsockname()[1]
    timing = Timing(first_retry_s=0.02, max_retry_s=0.1, safety_poll_s=5.0, timeout_s=0.5,
                    linger_s=0.0)  # fmt: skip
    try:
        server = await start_server(
            building=delivering(webhook(f"http://127.0.0.1:{port}")), delivery_timing=timing
        )
        await issue(server, 1)

        async def failed() -> bool:
            log = await server.engine.store.delivery_log("PORTAL-KAB", 10)
            return any(a.outcome == "failed" and "Timeout" in (a.error or "") for a in log)

        async with asyncio.timeout(10):
            while not await failed():
                await asyncio.sleep(0.05)
        (state,) = [s for s in (await server.engine.store.delivery_states()).values()]
        assert state.position == 0  # nothing counted as delivered
    finally:
        slow.close()


@pytest.mark.parametrize("length", ["-1", "abc", "²", "1e3"])
def test_the_readme_receiver_answers_a_bad_content_length_with_400(
    receiver: Receiver, length: str
) -> None:
    """`-1` would read until the sender closes, and a word would crash the handler: both are
    a plain 400 (the receiver is the one a newcomer runs on the internet)."""
    import socket

    head = f"POST / HTTP/1.1\r\nHost: r\r\nContent-Length: {length}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", receiver.server_port), timeout=5) as sock:
        sock.sendall(head.encode("latin-1"))
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.0 400 ")
    assert receiver.events == {}


def test_the_readme_receiver_counts_a_body_cut_off_by_a_gone_sender_not_as_a_bad_signature(
    receiver: Receiver,
) -> None:
    """A building killed mid-request leaves half a body: the receiver has nobody to answer and
    the batch comes again whole, so it is no refusal (the SIGKILL test counts refusals)."""
    import socket

    head = "POST / HTTP/1.1\r\nHost: r\r\nContent-Length: 100\r\n\r\n"
    with socket.create_connection(("127.0.0.1", receiver.server_port), timeout=5) as sock:
        sock.sendall(head.encode("latin-1") + b'{"building": "mpp-kota-con')
        sock.shutdown(socket.SHUT_WR)  # the sender is gone
        answer = sock.recv(4096)
    assert answer == b""  # no answer: nobody would read it
    assert (receiver.cut_off, receiver.refused, receiver.events) == (1, [], {})


async def test_a_filtered_webhook_s_backlog_counts_only_the_kinds_it_wants(
    start_server: StartServer, receiver: Receiver
) -> None:
    """Two tickets are four events (issued, printed); a webhook that wants `ticket_issued`
    only, failing, has two waiting for it — not the printed ones it will never get."""
    receiver.failing = 503
    server = await start_server(
        building=delivering(webhook(receiver.url, events=frozenset({"ticket_issued"}))),
        delivery_timing=FAST,
    )
    await issue(server, 2)
    assert server.engine.last_seq == 4
    (sender,) = server.running.outbox.senders
    await until(lambda: sender.attempts >= 2, "two attempts failed")
    floor = await server.raw(hello_for("LANTAI"))
    snap = await floor.reply({"type": "snapshot", "id": "s"})
    (delivery,) = snap["deliveries"]
    assert (delivery["state"], delivery["position"], delivery["backlog"]) == ("failing", 0, 2)
    receiver.failing = None
    await until(lambda: receiver.seqs() == [1, 3], "the two ticket_issued delivered")
    await until(lambda: sender.backlog == 0, "nothing waiting")


async def test_a_booking_code_reaches_only_a_personal_data_webhook_others_get_a_reference(
    start_server: StartServer,
) -> None:
    """The code checks a citizen in at the kiosk: a webhook without personal_data gets
    "bk_" + the first 16 hex of HMAC-SHA256(its secret, code) instead (docs/protocol.md)."""
    import hashlib
    import hmac

    from outboxtest import SECRET

    plain, full = Receiver().start(), Receiver().start()
    try:
        building = delivering(
            webhook(plain.url, id="PORTAL-KAB"),
            webhook(full.url, id="DUKCAPIL-PUSAT", personal_data=True),
        )
        server = await start_server(building=building, delivery_timing=FAST)
        booking = await book(server, 1, TUESDAY)
        for receiver in (plain, full):
            await _all_delivered(server, receiver)
        assert not any(booking.code in text for text in plain.body_texts())
        ref = "bk_" + hmac.new(SECRET, booking.code.encode(), hashlib.sha256).hexdigest()[:16]
        (made,) = [e for e in plain.events.values() if e["type"] == "booking_made"]
        assert made["data"]["code"] == ref
        (made,) = [e for e in full.events.values() if e["type"] == "booking_made"]
        assert made["data"]["code"] == booking.code
    finally:
        for r in (plain, full):
            r.shutdown()
            r.server_close()


def test_every_event_field_holding_a_booking_code_is_replaced() -> None:
    """Held to the core's events: a new kind naming a booking must be added to the table."""
    from dataclasses import fields

    from server.core.events import EVENT_TYPES
    from server.outbox.body import BOOKING_CODE_FIELDS

    holding = {
        kind: tuple(f.name for f in fields(cls) if f.name in ("code", "booking", "lead"))
        for kind, cls in EVENT_TYPES.items()
    }
    assert {k: v for k, v in holding.items() if v} == dict(BOOKING_CODE_FIELDS)


async def test_a_batch_too_large_for_one_request_goes_in_parts(
    start_server: StartServer, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request's body is at most MAX_REQUEST_BYTES (3 MiB under central's 4 MiB): a batch
    that would be larger (long complaint texts to a personal_data webhook) is halved until it
    fits. Here the cap is made small so that a few tickets are already too much."""
    import server.outbox.sender as sender_module
    from server.central.edge import MAX_BODY

    assert sender_module.MAX_REQUEST_BYTES < MAX_BODY  # what central reads at most
    monkeypatch.setattr(sender_module, "MAX_REQUEST_BYTES", 1500)
    receiver.failing = 503  # a backlog builds up: the next batch is all of it
    server = await start_server(building=delivering(webhook(receiver.url)), delivery_timing=FAST)
    await issue(server, 6)  # 12 events of ~400 bytes each: one batch of 100 would be ~5 kB
    (sender,) = server.running.outbox.senders
    await until(lambda: sender.attempts >= 1, "a failed attempt")
    receiver.failing = None
    await _all_delivered(server, receiver)
    assert len(receiver.bodies) > 1
    assert all(len(b) <= 1500 for b in receiver.bodies)
    assert receiver.duplicates == 0
