"""A STAND-IN for the booking server's `check_in`, until issue 19's server side is merged.

Replace this file with the real server (a booking made in its store, then `check_in` against
the `server` fixture itself) once the booking core and the hub's `check_in` handler are in the
main branch; nothing else in the kiosk tests depends on it but the check-in tests.

It is a real websocket server on 127.0.0.1, put between the kiosk and the real test server:
every frame goes through to the real server and back untouched (hello, snapshot, printer
status, `issue_ticket`, `confirm_printed`, `print_failed`, pushes), except `check_in`, which
it answers with the frames of the booking design (/work/helpers/booking-spec.md, "The wire"):

- a code it does not know: `booking_not_found`;
- a booking given a refusal: that error frame (`booking_too_early` with `time`,
  `booking_lapsed` with `line` and `walk_in`, …), message and details as given;
- a booking already checked in (by an earlier request id): `booking_checked_in` with `number`;
- else the real server's reply to `issue_ticket` on the booking's line, with the same request id
  (so a retry is the same ticket, as the real check-in is), and `booking` {code, slot} added to
  the ticket: a real reservation that the kiosk prints and confirms on the real server. A
  `print_failed` for that ticket makes the booking "booked" again, as the design says.

`received` lists every code it was asked for, in arrival order, as the kiosk sent it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import websockets
from hubtest import Server
from websockets.asyncio.server import ServerConnection

__all__ = ["Booking", "BookingStandIn", "standin"]


@dataclass(slots=True)
class Booking:
    """One booking as the stand-in knows it."""

    line: str
    slot: str  # the slot's start as the server writes it: "09.00 WIB"
    # The server's refusal instead of a ticket: (code, message, details).
    refusal: tuple[str, str, dict[str, Any]] | None = None
    # Set once checked in: the request id that did it, the ticket's id and number.
    checked_in: tuple[str, str, str] | None = field(default=None)


class BookingStandIn:
    """Start with `await standin.start()`; the kiosk connects to `standin.url`."""

    def __init__(self, upstream: Server) -> None:
        self.upstream = upstream
        self.bookings: dict[str, Booking] = {}
        self.received: list[str] = []
        self._server: Any = None
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""

    async def start(self) -> None:
        self._server = await websockets.serve(
            self._session, "127.0.0.1", 0, compression=None, max_size=16 * 2**20
        )
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/ws"

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _session(self, kiosk: ServerConnection) -> None:
        async with websockets.connect(
            self.upstream.url, compression=None, max_size=16 * 2**20
        ) as server:
            waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}

            async def downstream() -> None:  # the real server's frames, to the kiosk
                async for raw in server:
                    frame = json.loads(raw)
                    future = waiting.pop(str(frame.get("ref")), None)
                    if future is not None:
                        future.set_result(frame)
                    else:
                        await kiosk.send(raw)

            async def upstream() -> None:  # the kiosk's frames, to the real server
                async for raw in kiosk:
                    frame = json.loads(raw)
                    if frame.get("type") == "check_in":
                        self._spawn(self._check_in(frame, kiosk, server, waiting))
                        continue
                    if frame.get("type") == "print_failed":
                        for booking in self.bookings.values():
                            if booking.checked_in and booking.checked_in[1] == frame["ticket"]:
                                booking.checked_in = None
                    await server.send(raw)

            tasks = [asyncio.create_task(downstream()), asyncio.create_task(upstream())]
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()

    async def _check_in(
        self,
        frame: dict[str, Any],
        kiosk: ServerConnection,
        server: Any,
        waiting: dict[str, asyncio.Future[dict[str, Any]]],
    ) -> None:
        code, ref, request_id = frame.get("code", ""), frame.get("id"), frame.get("request_id")
        self.received.append(code)
        booking = self.bookings.get(code)
        if booking is None:
            reply = _error(ref, "booking_not_found", "Kode pesanan tidak ditemukan.", {})
        elif booking.refusal is not None:
            reply = _error(ref, *booking.refusal)
        elif booking.checked_in is not None and booking.checked_in[0] != request_id:
            number = booking.checked_in[2]
            message = f"Pesanan ini sudah lapor kedatangan dengan nomor {number}."
            reply = _error(ref, "booking_checked_in", message, {"number": number})
        else:
            mine = f"standin-{next(self._ids)}"
            answer = asyncio.get_running_loop().create_future()
            waiting[mine] = answer
            issue = {"type": "issue_ticket", "id": mine, "request_id": request_id}
            await server.send(json.dumps(issue | {"line": booking.line, "priority": None}))
            reply = {**await answer, "ref": ref}
            if reply["type"] == "ok":
                ticket = reply["ticket"]
                ticket["booking"] = {"code": code, "slot": booking.slot}
                booking.checked_in = (request_id, ticket["id"], ticket["number"])
        await kiosk.send(json.dumps(reply))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


@pytest.fixture
async def standin(server: Server) -> AsyncIterator[BookingStandIn]:
    """The stand-in in front of the test's real server."""
    stand_in = BookingStandIn(server)
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


def _error(ref: Any, code: str, message: str, details: dict[str, Any]) -> dict[str, Any]:
    frame = {"type": "error", "ref": ref, "code": code, "message": message}
    return frame | ({"details": details} if details else {})
