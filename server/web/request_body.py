"""The body of a plain HTTP request on the websocket's port: a booking form's POST, the API's JSON.

websockets parses every request on its port as a websocket handshake, and a handshake has no body:
it refuses any `Content-Length` but 0 before `process_request` is ever called. The booking forms
(server/web/booking/) and the integrators' API must read one, and they live on the same port and
under their own paths (docs/operations.md puts exactly those paths on the internet).

So `BodyConnection`, websockets' own server connection, looks at the request's head before
websockets does: a request that announces a body of at most `MAX_BODY` bytes has it read here, kept
on the connection (`body`), and the head is handed on without its `Content-Length`; websockets then
parses it as usual and `process_request` finds the body on the connection. A larger body is not
read (`body_too_large`: the router answers 413 and the connection closes). Anything else, a
websocket upgrade above all, is handed on untouched on its first bytes: after the first request
this class adds one attribute test per read, nothing more.

A slow body is bounded by websockets' own opening timeout (10 s), as a slow head is. One request a
connection: every plain HTTP answer closes it, so nothing after the body is ever read.
"""

from __future__ import annotations

import re
from typing import Final

from websockets.asyncio.server import ServerConnection

__all__ = ["MAX_BODY", "MAX_HEAD", "BodyConnection", "body_of", "split_head"]

# A booking form is well under 1 KiB, an API request too; 16 KiB leaves room and no more.
MAX_BODY: Final = 16 * 1024
# websockets allows 8 KiB a line and 128 headers; a head longer than this is handed on as it is,
# for websockets to refuse in its own words.
MAX_HEAD: Final = 32 * 1024
_END: Final = b"\r\n\r\n"
_LENGTH: Final = re.compile(rb"content-length[ \t]*:[ \t]*(\S*)[ \t]*", re.IGNORECASE)
_EXPECT_CONTINUE: Final = re.compile(rb"expect[ \t]*:[ \t]*100-continue[ \t]*", re.IGNORECASE)
_CONTINUE: Final = b"HTTP/1.1 100 Continue\r\n\r\n"


def split_head(head: bytes) -> tuple[bytes, int | None, bool]:
    """A request head (through its blank line) without its Content-Length lines; the length it
    announced (None: none, or one that is not a single whole number); whether it expects 100."""
    lines = head[: -len(_END)].split(b"\r\n")
    kept = [lines[0]]
    lengths: set[bytes] = set()
    expects = False
    for line in lines[1:]:
        match = _LENGTH.fullmatch(line)
        if match:
            lengths.add(match.group(1))
            continue
        expects = expects or _EXPECT_CONTINUE.fullmatch(line) is not None
        kept.append(line)
    if not lengths:
        return head, None, expects
    value = lengths.pop() if len(lengths) == 1 else b""
    length = int(value) if value.isdigit() and len(value) <= 9 else None
    if length is None:
        return head, None, expects  # as sent: websockets refuses what it cannot read
    return b"\r\n".join(kept) + _END, length, expects


class BodyConnection(ServerConnection):
    """websockets' server connection that also reads a plain request's body (module docstring)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # Bytes of the first request not yet handed to websockets; None once they all were.
        self._pending: bytearray | None = bytearray()
        self._head: bytes = b""  # the head without Content-Length, while its body is read
        self._length = 0  # the announced body's length, while it is read
        self.body: bytes | None = None  # the request's body, when it had one
        self.body_too_large = False  # it announced more than MAX_BODY: not read

    def data_received(self, data: bytes) -> None:
        pending = self._pending
        if pending is None:
            super().data_received(data)
            return
        pending += data
        if self._head:
            self._read_body(pending)
            return
        end = pending.find(_END)
        if end < 0:
            if len(pending) > MAX_HEAD:
                self._hand_on(bytes(pending))
            return
        head, rest = bytes(pending[: end + len(_END)]), pending[end + len(_END) :]
        stripped, length, expects = split_head(head)
        if length is None:
            self._hand_on(bytes(pending))  # no body (or one websockets will refuse)
            return
        if length > MAX_BODY:
            self.body_too_large = True
            self._hand_on(stripped)
            return
        if length == 0:
            self.body = b""
            self._hand_on(stripped)
            return
        self._head, self._length = stripped, length
        self._pending = rest
        if expects and len(rest) < length:
            self.transport.write(_CONTINUE)
        self._read_body(rest)

    def _read_body(self, pending: bytearray) -> None:
        if len(pending) < self._length:
            return
        self.body = bytes(pending[: self._length])
        head, self._head = self._head, b""
        self._hand_on(head)  # anything after the body is never read: the answer closes

    def _hand_on(self, data: bytes) -> None:
        self._pending = None
        super().data_received(data)


def body_of(connection: object) -> bytes | None:
    """The body read for this connection's request (None: it had none)."""
    return getattr(connection, "body", None)
