"""A bare HTTP client for the web tests: exactly the bytes a browser would get."""

from __future__ import annotations

import asyncio

from hubtest import Server

__all__ = ["http_get", "http_request"]


async def http_request(
    server: Server,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """A bare HTTP/1.1 request; returns status, headers (lower-case names) and the body bytes.
    A header sent twice (Set-Cookie) keeps its last value."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.running.port)
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    if body is not None:
        extra += f"Content-Length: {len(body)}\r\n"
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: antre\r\n{extra}\r\n".encode() + (body or b""))
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    out = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        out[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), out, payload


async def http_get(
    server: Server, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """A bare HTTP/1.1 GET; returns status, headers (lower-case names) and the body bytes."""
    return await http_request(server, "GET", path, headers)
