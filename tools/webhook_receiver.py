"""A small receiver of Antre's signed deliveries: verifies each request and prints its events.

    python tools/webhook_receiver.py --secret-file var/portal.secret --port 8800

Point a `[[webhooks]]` entry of the building file at http://127.0.0.1:8800/ with the same
`secret_file` (README, "Receive a signed webhook"). Each request is checked as
docs/protocol.md "Signed deliveries" says — the `Antre-Signature` HMAC over the timestamp and
the body, the timestamp within 5 minutes of this machine's clock — and refused with 401 if it
fails; each event is printed once, by its id: a batch sent again (the building restarted before
it heard the 200) is answered 200 and not printed twice. It also answers central's two paths
(`POST /central/v1/events`, `PUT /central/v1/profile`), so it can stand in for central in a test.

Standard library only, plus `server.signing` when run from the repository (a receiver in
another language needs the same few lines: see docs/protocol.md). The tests use it as their
receiver (tests/outbox/), so what the README shows is what is tested.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

from server.signing import (
    BUILDING_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify,
)

__all__ = ["Handler", "WebhookReceiver", "main"]

MAX_BODY = 16 * 2**20  # a batch of 500 events is about 250 kB


class WebhookReceiver(ThreadingHTTPServer):
    """An HTTP server that keeps each verified event once, by its id."""

    daemon_threads = True
    allow_reuse_address = True  # a test stops and starts it again on the same port

    def __init__(
        self,
        address: tuple[str, int],
        secret: bytes,
        *,
        show: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(address, Handler)
        self.secret = secret
        self.show = show  # where each new event is printed (None: nowhere)
        self.lock = threading.Lock()
        self.events: dict[str, dict[str, Any]] = {}  # by id: each event kept once
        self.arrivals: list[int] = []  # seqs in the order they were first stored
        self.bodies: list[bytes] = []  # every verified body, as it came
        self.duplicates = 0  # events received again (and answered 200: already stored)
        self.refused: list[str] = []  # why requests were refused (signature, body)
        # Requests whose sender went away before the whole body came (a killed building): no
        # answer can reach it, and the batch comes again whole.
        self.cut_off = 0
        self.profiles: list[dict[str, Any]] = []  # central's profile, each time it was sent

    def answer_first(self, method: str, path: str) -> int | None:
        """A status to answer before reading the request (tests: a failing receiver)."""
        return None

    def store(self, doc: dict[str, Any], body: bytes) -> None:
        """Keep a verified batch: each event once, by id (what "idempotent" means here)."""
        with self.lock:
            self.bodies.append(body)
            for event in doc["events"]:
                if event["id"] in self.events:
                    self.duplicates += 1
                    continue
                self.events[event["id"]] = event
                self.arrivals.append(event["seq"])
                if self.show is not None:
                    self.show(_line(doc, event))

    def contiguous_seq(self) -> int:
        """The highest seq held with none missing below it (central's answer says it)."""
        with self.lock:
            held = {event["seq"] for event in self.events.values()}
        seq = 0
        while seq + 1 in held:
            seq += 1
        return seq


class Handler(BaseHTTPRequestHandler):
    server: WebhookReceiver

    def do_POST(self) -> None:
        self._receive(profile=False)

    def do_PUT(self) -> None:
        self._receive(profile=True)

    def _receive(self, *, profile: bool) -> None:
        status = self.server.answer_first(self.command, self.path)
        if status is not None:
            self._answer(status, {"error": "refused by the test"})
            return
        length_text = self.headers.get("Content-Length") or "0"
        if not (length_text.isascii() and length_text.isdigit()):  # not -1: read until close
            self._answer(400, {"error": "bad_length", "message": "Content-Length: 0 or more"})
            return
        length = int(length_text)
        if length > MAX_BODY:
            self._answer(413, {"error": "body too large"})
            return
        body = self.rfile.read(length)
        if len(body) < length:
            # The connection closed mid-body: not a bad signature, a sender that is gone.
            with self.server.lock:
                self.server.cut_off += 1
            self.close_connection = True
            return
        refusal = verify(
            self.server.secret,
            self.headers.get(TIMESTAMP_HEADER),
            self.headers.get(SIGNATURE_HEADER),
            body,
            now=time.time(),
        )
        if refusal is not None:
            with self.server.lock:
                self.server.refused.append(refusal.code)
            self._answer(401, {"error": refusal.code, "message": refusal.message})
            return
        try:
            doc = json.loads(body)
            if doc["building"] != self.headers.get(BUILDING_HEADER):
                raise ValueError("the body's building is not the header's")
            if not profile:
                for event in doc["events"]:
                    if not isinstance(event["id"], str) or not isinstance(event["seq"], int):
                        raise ValueError("each event needs its id and seq")
        except (ValueError, KeyError, TypeError) as exc:
            with self.server.lock:
                self.server.refused.append("bad_body")
            self._answer(400, {"error": "bad_body", "message": str(exc)})
            return
        if profile:
            with self.server.lock:
                self.server.profiles.append(doc)
            self._answer(200, {"stored": True})
            return
        self.server.store(doc, body)
        if self.path.endswith("/central/v1/events"):  # as `antre central` answers
            self._answer(200, {"stored": True, "contiguous_seq": self.server.contiguous_seq()})
        else:
            self._answer(200, {"stored": True})

    def _answer(self, status: int, doc: dict[str, Any]) -> None:
        payload = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the events are what is printed, not every request


def _line(doc: dict[str, Any], event: dict[str, Any]) -> str:
    """One printed event: "mpp-kota-contoh:1        09.00.04 WIB  ticket_issued   A-001 A"."""
    data = event.get("data", {})
    at = event["at"][11:19].replace(":", ".")
    number = data.get("number") or str(data.get("ticket") or "").rpartition("/")[2]
    what = " ".join(
        str(v)
        for v in (number, *(data.get(k) for k in ("line", "counter", "code", "complaint")))
        if v
    )
    return f"{event['id']:<24} {at} {doc.get('zone', '')}  {event['type']:<22} {what}".rstrip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secret-file", required=True, help="the webhook's secret_file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8800)
    args = parser.parse_args(argv)
    secret = Path(args.secret_file).read_bytes().strip()  # as the building reads it
    server = WebhookReceiver((args.host, args.port), secret, show=lambda s: print(s, flush=True))
    print(f"receiving on http://{args.host}:{server.server_port}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
