"""Central's HTTP edge: a small HTTP/1.1 server on asyncio's streams, and a table of routes.

A body is read only once its route is known and that route's `early` check (the signed routes':
a known `Antre-Building` and the signature headers present) has passed on the head alone, so
nobody makes central buffer megabytes it would refuse anyway; at most `MAX_BODY_READS` bodies
are read at once and at most `MAX_CONNECTIONS` connections are open. `Content-Length` is ASCII
digits, given once; any `Transfer-Encoding` is refused (400): one reading of a request's length,
nothing for a proxy in front to read otherwise.

Why not websockets' HTTP, as the building's server does (server/web/request_body.py)? Central
has no websocket at all, and its requests carry bodies of up to a few hundred kilobytes (a batch
of 500 events), which that path caps at 16 KiB on purpose. What is needed is small: a request line,
headers, a `Content-Length` body (no `Transfer-Encoding`: 400), keep-alive so a building's sender
reuses its connection, and an answer. Anything a handler raises becomes a 500 without a
traceback on the wire (logged here).

Routes are `{(method, path): handler}`; `Routes.add` is how a part adds its own. The ingest's
routes are server/central/api.py's; the dashboard's (server/central/dashboard/site.py) are added
the same way, on the same port, with its own logins (docs/central.md, "The HTTP edge").
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import urlsplit

__all__ = ["MAX_BODY", "HttpServer", "Request", "Response", "Routes", "json_response"]

log = logging.getLogger("antre.central.http")

MAX_HEAD: Final = 32 * 1024
# A building's request is at most 3 MiB (server/outbox/sender.py's MAX_REQUEST_BYTES splits a
# batch that would be larger); a batch of 500 ordinary events is about 250 kB.
MAX_BODY: Final = 4 * 1024 * 1024
MAX_BODY_READS: Final = 16  # bodies read at once: at most 64 MiB buffered
MAX_CONNECTIONS: Final = 512  # open at once; more are closed at once
IDLE_TIMEOUT_S: Final = 60.0  # a kept-alive connection with no request for this long is closed
BODY_TIMEOUT_S: Final = 60.0


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # names lower-cased; a repeated header keeps its last value
    body: bytes
    peer: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, value: Any) -> Response:
    return Response(status, json.dumps(value, ensure_ascii=False).encode())


def error(status: int, code: str, message: str) -> Response:
    return json_response(status, {"error": code, "message": message})


Handler = Callable[[Request], Awaitable[Response]]
# A check of a route on the request's head alone, before its body is read: a refusal or None.
Early = Callable[[dict[str, str]], "Response | None"]


class Routes:
    """Which handler answers a method and path."""

    def __init__(self) -> None:
        self._table: dict[tuple[str, str], Handler] = {}
        self._early: dict[tuple[str, str], Early] = {}

    def add(self, method: str, path: str, handler: Handler, early: Early | None = None) -> None:
        if (method, path) in self._table:
            raise ValueError(f"{method} {path} is routed twice")
        self._table[(method, path)] = handler
        if early is not None:
            self._early[(method, path)] = early

    def refuse_early(self, method: str, path: str, headers: dict[str, str]) -> Response | None:
        """The answer to a request known from its head alone: no route (404, 405), or its
        route's `early` check refusing; None when its body is worth reading."""
        if (method, path) not in self._table:
            return self._unrouted(method, path)
        early = self._early.get((method, path))
        return None if early is None else early(headers)

    def paths(self) -> list[str]:
        return sorted({p for _, p in self._table})

    async def answer(self, request: Request) -> Response:
        handler = self._table.get((request.method, request.path))
        if handler is not None:
            return await handler(request)
        return self._unrouted(request.method, request.path)

    def _unrouted(self, method: str, path: str) -> Response:
        allowed = sorted(m for m, p in self._table if p == path)
        if allowed:
            r = error(405, "method_not_allowed", f"{path} answers {', '.join(allowed)}")
            r.headers["Allow"] = ", ".join(allowed)
            return r
        return error(404, "not_found", f"no such path: {path}")


class _BadRequest(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


class HttpServer:
    """Serves `routes` on a host and port until `close`."""

    def __init__(self, routes: Routes) -> None:
        self.routes = routes
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()  # closed by `close` (3.11 has no
        # Server.close_clients)
        self._body_reads = asyncio.Semaphore(MAX_BODY_READS)

    async def start(self, host: str, port: int) -> int:
        self._server = await asyncio.start_server(self._connection, host, port, limit=MAX_HEAD)
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._open):
                writer.close()
            await self._server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = str(writer.get_extra_info("peername"))
        if len(self._open) >= MAX_CONNECTIONS:
            log.warning("%s refused: %d connections open already", peer, len(self._open))
            writer.close()
            return
        self._open.add(writer)
        try:
            while True:
                try:
                    request, keep = await self._read(reader, peer)
                except _BadRequest as bad:
                    await self._write(writer, bad.response, keep=False)
                    return
                if request is None:
                    return
                try:
                    response = await self.routes.answer(request)
                except Exception:
                    log.exception("%s %s failed", request.method, request.path)
                    response = error(500, "internal", "the server failed; see its log")
                await self._write(writer, response, keep=keep)
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            return
        except asyncio.CancelledError:
            # Central stopping (asyncio.run cancels what is left): close quietly, no traceback
            # per connection that was open. Nothing else cancels a connection's task.
            return
        finally:
            self._open.discard(writer)
            writer.close()

    async def _read(self, reader: asyncio.StreamReader, peer: str) -> tuple[Request | None, bool]:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT_S)
        except asyncio.IncompleteReadError:
            return None, False  # the client closed between requests
        except asyncio.LimitOverrunError:
            raise _BadRequest(
                error(431, "head_too_large", "the request head is too large")
            ) from None
        lines = head[:-4].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _BadRequest(error(400, "bad_request", "not an HTTP/1.1 request"))
        method, target, version = parts
        headers: dict[str, str] = {}
        lengths = 0
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise _BadRequest(error(400, "bad_request", "a header line without a colon"))
            name = name.strip().lower()
            lengths += name == "content-length"
            headers[name] = value.strip()
        if "transfer-encoding" in headers:
            raise _BadRequest(error(400, "bad_request", "no Transfer-Encoding: send a "
                                    "Content-Length body"))  # fmt: skip
        if lengths > 1:
            raise _BadRequest(error(400, "bad_request", "Content-Length given twice"))
        length_text = headers.get("content-length", "0")
        if not (length_text.isascii() and length_text.isdigit()) or len(length_text) > 12:
            raise _BadRequest(error(400, "bad_request", "Content-Length is not a number"))
        length = int(length_text)
        if length > MAX_BODY:
            raise _BadRequest(error(413, "body_too_large", f"at most {MAX_BODY} bytes a body"))
        body = b""
        if length:
            refused = self.routes.refuse_early(method, urlsplit(target).path, headers)
            if refused is not None:
                raise _BadRequest(refused)  # the body unread: the connection closes after
            async with self._body_reads:
                body = await asyncio.wait_for(reader.readexactly(length), BODY_TIMEOUT_S)
        url = urlsplit(target)
        keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        return Request(method, url.path, url.query, headers, body, peer), keep

    @staticmethod
    async def _write(writer: asyncio.StreamWriter, response: Response, *, keep: bool) -> None:
        reason = HTTPStatus(response.status).phrase
        head = [
            f"HTTP/1.1 {response.status} {reason}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
            "Cache-Control: no-store",
            "X-Content-Type-Options: nosniff",
            f"Connection: {'keep-alive' if keep else 'close'}",
            *(f"{k}: {v}" for k, v in response.headers.items()),
        ]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body)
        await writer.drain()
