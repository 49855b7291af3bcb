"""Central's HTTP edge: a small HTTP/1.1 server on asyncio's streams, and a table of routes.

Why not websockets' HTTP, as the building's server does (server/web/request_body.py)? Central
has no websocket at all, and its requests carry bodies of up to a few hundred kilobytes (a batch
of 500 events), which that path caps at 16 KiB on purpose. What is needed is small: a request line,
headers, a `Content-Length` body (no chunked bodies: 411), keep-alive so a building's sender
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
MAX_BODY: Final = 16 * 1024 * 1024  # a batch of 5000 events is ~2 MiB; room, and a limit
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


class Routes:
    """Which handler answers a method and path."""

    def __init__(self) -> None:
        self._table: dict[tuple[str, str], Handler] = {}

    def add(self, method: str, path: str, handler: Handler) -> None:
        if (method, path) in self._table:
            raise ValueError(f"{method} {path} is routed twice")
        self._table[(method, path)] = handler

    def paths(self) -> list[str]:
        return sorted({p for _, p in self._table})

    async def answer(self, request: Request) -> Response:
        handler = self._table.get((request.method, request.path))
        if handler is not None:
            return await handler(request)
        allowed = sorted(m for m, p in self._table if p == request.path)
        if allowed:
            r = error(405, "method_not_allowed", f"{request.path} answers {', '.join(allowed)}")
            r.headers["Allow"] = ", ".join(allowed)
            return r
        return error(404, "not_found", f"no such path: {request.path}")


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
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise _BadRequest(error(400, "bad_request", "a header line without a colon"))
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            raise _BadRequest(error(411, "length_required", "send a Content-Length body"))
        length_text = headers.get("content-length", "0")
        if not length_text.isdigit():
            raise _BadRequest(error(400, "bad_request", "Content-Length is not a number"))
        length = int(length_text)
        if length > MAX_BODY:
            raise _BadRequest(error(413, "body_too_large", f"at most {MAX_BODY} bytes a body"))
        body = await asyncio.wait_for(reader.readexactly(length), BODY_TIMEOUT_S) if length else b""
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
