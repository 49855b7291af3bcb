"""Inside the bench server process, for the booking storm (bench/storm.py): a door and a log.

**The door** (`open_door`) is bench-only. Today the server has no path over the wire by which a
citizen books: the public booking pages (`POST /pesan`) are being finished on another branch.
Until they land, `python -m bench.serverproc --booking-door` opens this door: a second port,
on loopback, in the server's own event loop, where each booking attempt is one HTTP/1.1
connection carrying one `POST /book` with the booking form's fields (`layanan`, `tanggal`,
`jam`, `nama`, `nik`, `hp`, `prioritas`), answered with one small JSON body, then closed — the
shape of a form POST, without the page around it. It calls `BookingsApi.book`, the one entry
point the pages and the portal API call too, so everything from there on (the NIK's check and
hash, the core's decision, the commit) is what a citizen's POST would run. `antre server` never
opens it: it exists only in this module, which only the bench server imports.

**The arrival log** (`record_arrivals`) wraps `BookingsApi.book` in the bench server process
(as `_trace_commits` wraps the store's writes) and numbers the calls twice: in the order they
reach it (*arrival*: the request has been read in full and the server starts on it) and in the
order they return or raise (*acknowledgement*: the answer is ready to be written). At exit it
writes one tab-separated row per attempt: arrival, acknowledgement, the phone number as typed
(each storm attempt has its own, the key that joins the row to the bench's attempt), the
outcome (`booked` or the refusal code), the booking code, and the two instants
(`time.monotonic`, system-wide on Linux: the bench compares them with its own). Whatever path
the attempts take, the wrapped method is where the server decides them.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import time
from datetime import date
from datetime import time as clock_time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from server.core.events import PriorityGroup
from server.core.model import DomainError

if TYPE_CHECKING:
    from server.bookings_api import BookingsApi

__all__ = ["BOOK_PATH", "open_door", "read_arrivals", "record_arrivals"]

BOOK_PATH = "/book"
_MAX_HEAD = 8192
_MAX_BODY = 4096


def record_arrivals(path: Path) -> None:
    """Number every `BookingsApi.book` call by arrival and by acknowledgement; write the rows
    to `path` at exit (module docstring)."""
    from server.bookings_api import BookingsApi

    book = BookingsApi.book
    rows: list[tuple[int, int, str, str, str, float, float]] = []
    counted = {"arrived": 0, "acked": 0}

    async def recorded(self: BookingsApi, *args: Any, phone: str, **kwargs: Any) -> Any:
        counted["arrived"] += 1
        arrived, at = counted["arrived"], time.monotonic()
        outcome, code = "error", ""
        try:
            view = await book(self, *args, phone=phone, **kwargs)
            outcome, code = "booked", view.code
            return view
        except DomainError as exc:
            outcome = exc.code
            raise
        finally:
            counted["acked"] += 1
            rows.append((arrived, counted["acked"], phone, outcome, code, at, time.monotonic()))

    BookingsApi.book = recorded  # type: ignore[method-assign]

    def write() -> None:
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write("\t".join(str(x) for x in row) + "\n")

    atexit.register(write)


def read_arrivals(path: Path) -> list[dict[str, Any]]:
    """The rows `record_arrivals` wrote, as dicts, in acknowledgement order."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        arrived, acked, phone, outcome, code, at, done = line.split("\t")
        out.append(
            {
                "arrived": int(arrived),
                "acked": int(acked),
                "phone": phone,
                "outcome": outcome,
                "code": code or None,
                "at": float(at),
                "done": float(done),
            }
        )
    return out


async def open_door(bookings: BookingsApi, host: str = "127.0.0.1") -> int:
    """Listen for `POST /book` on a free port of `host`; return the port (module docstring).

    The backlog is the kernel's largest (somaxconn): the storm opens hundreds of connections a
    second, and a full backlog would add the client's SYN retry (a second, then three) to the
    figure, which is the listener's size and not the server's speed.
    """

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, body = await _answer(bookings, reader)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode() + body)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, host, 0, backlog=4096, limit=_MAX_HEAD)
    return int(server.sockets[0].getsockname()[1])


async def _answer(bookings: BookingsApi, reader: asyncio.StreamReader) -> tuple[str, bytes]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    request, *fields = head.split("\r\n")
    method, _, rest = request.partition(" ")
    target = rest.partition(" ")[0]
    if method != "POST" or target != BOOK_PATH:
        return "404 Not Found", b'{"error":"not_found"}'
    length = 0
    for field in fields:
        name, _, value = field.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if not 0 < length <= _MAX_BODY:
        return "400 Bad Request", b'{"error":"body"}'
    form = {k: v[0] for k, v in parse_qs((await reader.readexactly(length)).decode()).items()}
    try:
        day = date.fromisoformat(form["tanggal"])
        slot = clock_time.fromisoformat(form["jam"])
        priority = PriorityGroup(form["prioritas"]) if form.get("prioritas") else None
    except (KeyError, ValueError):
        return "400 Bad Request", b'{"error":"form"}'
    try:
        view = await bookings.book(
            form.get("layanan", ""),
            day,
            slot,
            name=form.get("nama", ""),
            phone=form.get("hp", ""),
            nik=form.get("nik", ""),
            priority=priority,
            channel="web",
        )
    except DomainError as exc:
        refused = {"refused": exc.code, "next_slot": exc.details.get("next_slot")}
        return "409 Conflict", json.dumps(refused).encode()
    return "201 Created", json.dumps({"booked": view.code}).encode()
