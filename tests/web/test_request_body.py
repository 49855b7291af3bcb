"""A plain request's body on the websocket's port (server/web/request_body.py), over real TCP.

websockets alone refuses any request with a body; `BodyConnection` reads it first. A real
websockets server on a free port answers each plain request with what it received, so the tests
see exactly what a route would: the method, the path, the body, and the websocket still works.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from http import HTTPStatus

import pytest
import websockets
from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from server.web.request_body import MAX_BODY, BodyConnection, body_of, split_head


def _echo(connection: ServerConnection, request: Request) -> Response | None:
    if request.path == "/ws":
        return None
    seen = {
        "method": request.method,
        "path": request.path,
        "body": (body_of(connection) or b"").decode("latin-1"),
        "had_body": body_of(connection) is not None,
        "too_large": getattr(connection, "body_too_large", False),
        "length_header": request.headers.get("Content-Length"),
    }
    data = json.dumps(seen).encode()
    headers = Headers([("Content-Length", str(len(data))), ("Connection", "close")])
    return Response(HTTPStatus.OK.value, "OK", headers, data)


async def _ws_echo(ws: ServerConnection) -> None:
    async for message in ws:
        await ws.send(message)


@pytest.fixture
async def port() -> AsyncIterator[int]:
    async with websockets.serve(
        _ws_echo, "127.0.0.1", 0, process_request=_echo, create_connection=BodyConnection
    ) as server:
        yield server.sockets[0].getsockname()[1]


async def exchange(port: int, *parts: bytes, pause_s: float = 0.0) -> bytes:
    """Send the parts (with a pause between them, as separate TCP segments); read to the end."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for i, part in enumerate(parts):
        if i and pause_s:
            await writer.drain()
            await asyncio.sleep(pause_s)
        writer.write(part)
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return raw


def answer(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def post(path: str, body: bytes, *headers: str) -> bytes:
    extra = "".join(h + "\r\n" for h in headers)
    return (
        f"POST {path} HTTP/1.1\r\nHost: antre\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
    ).encode() + body


async def test_a_form_post_reaches_the_route_with_its_body(port: int) -> None:
    """POST /pesan with an urlencoded body: the route sees the method, path and exact body."""
    form = b"nama=Siti+Rahmawati&hp=081234567890"
    status, seen = answer(await exchange(port, post("/pesan", form)))
    assert status == 200
    assert seen == {
        "method": "POST",
        "path": "/pesan",
        "body": "nama=Siti+Rahmawati&hp=081234567890",
        "had_body": True,
        "too_large": False,
        "length_header": None,  # taken off before websockets reads the head
    }


async def test_a_body_that_arrives_after_the_head_is_waited_for(port: int) -> None:
    """Head and body in separate TCP segments (a slow phone): the whole body is read."""
    request = post("/api/v1/bookings", b'{"line": "A"}')
    head, _, body = request.partition(b"\r\n\r\n")
    raw = await exchange(port, head + b"\r\n\r\n", body[:5], body[5:], pause_s=0.05)
    assert answer(raw)[1]["body"] == '{"line": "A"}'


async def test_expect_100_continue_is_answered_before_the_body(port: int) -> None:
    """curl's Expect: 100-continue gets "100 Continue" first, then the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /api/v1/bookings HTTP/1.1\r\nHost: antre\r\nContent-Length: 4\r\n"
        b"Expect: 100-continue\r\n\r\n"
    )
    await writer.drain()
    interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    writer.write(b"abcd")
    raw = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    assert answer(raw)[1]["body"] == "abcd"


async def test_a_body_too_large_is_not_read_and_the_route_is_told(port: int) -> None:
    """Announcing more than MAX_BODY: nothing of it is kept, the route answers (413 there)."""
    raw = await exchange(
        port,
        f"POST /pesan HTTP/1.1\r\nHost: antre\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n".encode(),
    )
    status, seen = answer(raw)
    assert status == 200 and seen["too_large"] is True and seen["had_body"] is False


async def test_a_get_without_a_body_and_the_websocket_are_unchanged(port: int) -> None:
    """A plain GET has no body; a websocket upgrades and echoes as before."""
    raw = await exchange(port, b"GET /healthz HTTP/1.1\r\nHost: antre\r\n\r\n")
    assert answer(raw)[1]["had_body"] is False
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws") as ws:
        for text in ("satu", "dua" * 10_000):
            await ws.send(text)
            assert await ws.recv() == text


async def test_a_chunked_body_is_refused_by_websockets_without_a_route(port: int) -> None:
    """Transfer-Encoding is not read here: websockets drops the request; no route runs."""
    raw = await exchange(
        port,
        b"POST /pesan HTTP/1.1\r\nHost: antre\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\nabcd\r\n0\r\n\r\n",
    )
    assert b'"method"' not in raw


async def test_websockets_alone_drops_a_request_with_a_body() -> None:
    """Why BodyConnection exists: websockets' own connection answers a form's POST with nothing
    (if a release ever reads bodies itself, this says so and request_body.py can go)."""
    async with websockets.serve(_ws_echo, "127.0.0.1", 0, process_request=_echo) as server:
        raw = await exchange(server.sockets[0].getsockname()[1], post("/pesan", b"nama=Siti"))
    assert raw == b""


@pytest.mark.parametrize(
    ("head", "length"),
    [
        (b"POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n", 12),
        (b"POST / HTTP/1.1\r\ncontent-length:  3 \r\n\r\n", 3),
        (b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", 3),
        (b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", None),
        (b"POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\n", None),
        (b"POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", None),
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", None),
    ],
)
def test_the_announced_length_is_read_only_when_it_is_one_whole_number(
    head: bytes, length: int | None
) -> None:
    """Two different lengths, a sign, hex: no length (the head goes on as sent, refused there)."""
    stripped, found, _ = split_head(head)
    assert found == length
    assert (b"ength" in stripped) is (length is None and b"ength" in head)
