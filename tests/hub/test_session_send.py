"""A session writes a frame directly only when nothing of it waits: frames never overtake.

A fake connection here, not a real socket, and on purpose: the property is about the instants
when the writer task holds a frame or the transport still buffers bytes, and a real loopback
socket drains too fast and too unpredictably to hold it in those states on demand. The fake
has only what `Session` and websockets' `broadcast` touch; the real path (frames in order under
load, to real clients) is covered by the hub tests with real websocket clients.
"""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.protocol import Protocol, Side, State

from server.sessions import Session, TokenBucket, wire_frame


class FakeTransport:
    def __init__(self, wire: list[str]) -> None:
        self.buffered = 0  # bytes asyncio still holds (the kernel's buffer was full)
        self._wire = wire

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def write(self, data: bytes) -> None:
        """Bytes a session wrote itself (`wire_frame`): one short unmasked text frame."""
        assert data[0] == 0x81 and data[1] < 126 and len(data) == 2 + data[1], data
        self._wire.append(data[2:].decode())


class FakeProtocol:
    def __init__(self, wire: list[str]) -> None:
        self.state = State.OPEN
        self.extensions: list[object] = []
        self._wire = wire

    def send_text(self, data: bytes) -> None:
        self._wire.append(data.decode())


class FakeConnection:
    """What `Session` and websockets' `broadcast` use of a server connection."""

    id = "fake"
    remote_address = ("127.0.0.1", 1)

    def __init__(self) -> None:
        self.wire: list[str] = []  # frames in the order they reached the socket
        self.transport = FakeTransport(self.wire)
        self.protocol = FakeProtocol(self.wire)
        self.send_in_progress = None
        self.drained = asyncio.Event()  # a queued send waits here, as websockets' drain does
        self.drained.set()

    def send_data(self) -> None:
        pass

    async def send(self, frame: str) -> None:
        self.wire.append(frame)
        await self.drained.wait()

    async def close(self, code: int, reason: str) -> None:
        pass


def session(ws: FakeConnection, queue_max: int = 8) -> Session:
    return Session(
        ws,  # type: ignore[arg-type]
        queue_max=queue_max,
        rate=TokenBucket(1000, 1000),
        abuse=TokenBucket(1000, 1000),
        close_timeout_s=1,
        held_max=100,
        on_drop=lambda s: None,
    )


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_frames_keep_their_order_across_direct_and_queued_writes() -> None:
    ws = FakeConnection()
    s = session(ws)
    await settle()
    assert s.send("1")
    assert ws.wire == ["1"]  # nothing waited: straight to the socket, no task in between

    ws.transport.buffered = 100  # the client falls behind: frames go through the writer
    ws.drained.clear()
    assert s.send("2")
    assert ws.wire == ["1"]
    await settle()
    assert ws.wire == ["1", "2"]  # the writer holds "2" until the socket drains

    ws.transport.buffered = 0  # the buffer looks empty, but "2"'s send has not returned
    assert s.send("3") and s.send("4")
    await settle()
    assert ws.wire == ["1", "2"]
    ws.drained.set()
    await settle()
    assert ws.wire == ["1", "2", "3", "4"]
    assert s.send("5")
    assert ws.wire == ["1", "2", "3", "4", "5"]
    await s.finish()


async def test_a_client_that_stops_reading_still_fills_its_queue_and_is_dropped() -> None:
    ws = FakeConnection()
    dropped: list[Any] = []
    s = session(ws, queue_max=3)
    s._on_drop = dropped.append
    await settle()
    ws.transport.buffered = 10_000
    ws.drained.clear()  # never drains
    # Three fill the queue, the fourth finds it full: the session is dropped (4008).
    assert [s.send(str(i)) for i in range(5)] == [True, True, True, False, False]
    assert dropped == [s]
    assert ws.wire == []
    await s.finish()


async def test_shared_wire_bytes_go_out_in_order_and_only_where_they_fit() -> None:
    ws = FakeConnection()
    s = session(ws)
    await settle()
    assert s.send("1", wire_frame("1"))  # straight to the transport, as made once for all
    ws.transport.buffered = 100
    ws.drained.clear()
    assert s.send("2", wire_frame("2"))  # behind: through the queue, as text
    ws.transport.buffered = 0
    ws.drained.set()
    await settle()
    assert s.send("3", wire_frame("3"))
    assert ws.wire == ["1", "2", "3"]
    await s.finish()

    # A connection that negotiated an extension (compression) needs its own framing: the
    # shared bytes are not used, websockets' broadcast frames the text for it.
    ws = FakeConnection()
    ws.protocol.extensions = [object()]
    s = session(ws)
    written: list[bytes] = []
    ws.transport.write = written.append  # type: ignore[method-assign]
    await settle()
    assert s.send("4", wire_frame("4"))
    assert ws.wire == ["4"] and written == []
    await s.finish()

    # A closing connection gets nothing more, whichever path.
    ws = FakeConnection()
    s = session(ws)
    await settle()
    ws.protocol.state = State.CLOSING
    assert s.send("5", wire_frame("5"))
    assert ws.wire == []
    await s.finish()


def test_wire_frame_is_the_frame_websockets_would_send_any_client() -> None:
    for text in ('{"type":"event"}', "é" * 200, "x" * 70_000):  # 7-, 16- and 64-bit lengths
        server = Protocol(Side.SERVER, state=State.OPEN)
        server.send_text(text.encode())
        assert wire_frame(text) == b"".join(server.data_to_send())
