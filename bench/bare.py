"""The fan-out baseline: a bare websockets server that relays each frame to every other client.

    python -m bench.bare

No hello, no roles, no store, no JSON: a frame received is passed to `websockets.broadcast` for
every other connected client. It runs in its own process with the same websockets settings as
Antre (`compression=None`), so "Antre call → last TV" can be read against "bare broadcast → last
client" of the same frame size to the same number of clients.
"""

from __future__ import annotations

import asyncio
import signal
import sys

import websockets
from websockets.asyncio.server import ServerConnection

from server.allocator import tune_for_socket_reads

__all__: list[str] = []


async def _main() -> None:
    tune_for_socket_reads()  # as Antre's server does (server.allocator)
    clients: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        clients.add(ws)
        try:
            async for frame in ws:
                websockets.broadcast([c for c in clients if c is not ws], frame)
        finally:
            clients.discard(ws)

    async with websockets.serve(
        handler, "127.0.0.1", 0, compression=None, ping_interval=20, ping_timeout=20
    ) as server:
        print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
        stop = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
        await stop


if __name__ == "__main__":
    asyncio.run(_main())
    sys.exit(0)
