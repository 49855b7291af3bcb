"""Helpers of the outbox tests: a real HTTP receiver on 127.0.0.1 (tools/webhook_receiver.py,
the one the README shows), verifying every request with server.signing, and the demo building
with destinations."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace
from datetime import date
from datetime import time as clock_time
from typing import Any

from hubtest import Server, demo_building

from server.core.building import Building, Destination, DestinationKind
from server.outbox import Timing
from tools.webhook_receiver import WebhookReceiver

BUILDING_ID = "mpp-kota-contoh"
SECRET = b"rahasia-portal-kabupaten-0123456789abcdef"
CENTRAL_KEY = b"kunci-pusat-mpp-kota-contoh-0123456789abcdef"
# Retries in tens of milliseconds: the tests wait for events, never for a back-off of seconds.
FAST = Timing(first_retry_s=0.02, max_retry_s=0.1, safety_poll_s=5.0, timeout_s=5.0, linger_s=0.0)


class Receiver(WebhookReceiver):
    """The README's receiver, with what a test needs: answer a status instead (`failing`),
    answer slowly (`delay_s`), go down and come back on the same port."""

    def __init__(self, secret: bytes = SECRET, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), secret)
        self.failing: int | None = None  # answer this status to every request
        self.delay_s = 0.0  # wait this long before answering
        self.paths: list[tuple[str, str]] = []  # (method, path) of every request
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def answer_first(self, method: str, path: str) -> int | None:
        with self.lock:
            self.paths.append((method, path))
        if self.delay_s:
            time.sleep(self.delay_s)
        return self.failing

    def start(self) -> Receiver:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Down: the port refuses connections until `start_again`."""
        self.shutdown()
        self.socket.close()
        if self._thread is not None:
            self._thread.join()

    def start_again(self) -> None:
        """Up again on the same port, with everything it stored."""
        self.socket = socket.socket(self.address_family, self.socket_type)
        self.server_bind()
        self.server_activate()
        self.start()

    def seqs(self) -> list[int]:
        with self.lock:
            return list(self.arrivals)

    def body_texts(self) -> list[str]:
        with self.lock:
            return [b.decode() for b in self.bodies]


def webhook(url: str, **fields: Any) -> Destination:
    return Destination(
        id=fields.pop("id", "PORTAL-KAB"),
        kind=DestinationKind.WEBHOOK,
        url=url,
        secret=fields.pop("secret", SECRET),
        **fields,
    )


def central(url: str, **fields: Any) -> Destination:
    return Destination(
        id="central",
        kind=DestinationKind.CENTRAL,
        url=url,
        secret=CENTRAL_KEY,
        batch_size=fields.pop("batch_size", 500),
        **fields,
    )


def delivering(*destinations: Destination, building: Building | None = None) -> Building:
    """The demo building (or another) with an id and these destinations."""
    return replace(building or demo_building(), id=BUILDING_ID, destinations=tuple(destinations))


async def issue(server: Server, count: int, line: str = "A") -> list[dict[str, Any]]:
    """`count` tickets issued and printed (waiting): two events each."""
    kiosk = await server.client("KIOSK-1")
    tickets = []
    for _ in range(count):
        ticket = await kiosk.issue_ticket(line)
        await kiosk.confirm_printed(ticket["id"])
        tickets.append(ticket)
    return tickets


async def book(server: Server, n: int, day: date, slot: str = "09:00") -> Any:
    return await server.running.bookings.book(
        "A",
        day,
        clock_time.fromisoformat(slot),
        name=f"Siti Aminah {n}",
        phone=f"0812345678{n:02d}",
        nik=f"31710123019000{n:02d}",
    )
