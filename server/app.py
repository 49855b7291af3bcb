"""`antre server`: the engine, the hub and the ticker on one port, until told to stop.

`serve` is the async entry (tests run it in their own loop and learn the bound port through
`ready`); `run` is the blocking entry the CLI calls, with logging to stderr and a clean stop on
SIGTERM or SIGINT: open connections are closed with 1001 (clients reconnect to the next server),
the ticker stops, and the engine closes the store after its last commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import websockets
from websockets.asyncio.server import Server

from server import protocol as p
from server.core.building import Building
from server.core.model import DomainError, Tick
from server.engine import Engine
from server.http import make_process_request
from server.hub import Hub, HubLimits

__all__ = ["Running", "run", "serve"]

log = logging.getLogger("antre.server")


@dataclass(frozen=True, slots=True)
class Running:
    """A started server, handed to `serve`'s `ready` callback."""

    host: str
    port: int  # the bound port (useful when asked for port 0)
    engine: Engine
    hub: Hub
    server: Server

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}{p.WS_PATH}"

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.port}"


async def serve(
    building: Building,
    db_path: str,
    host: str = "127.0.0.1",
    port: int = 8700,
    *,
    ready: Callable[[Running], None] | None = None,
    clock: Callable[[], datetime] | None = None,
    limits: HubLimits | None = None,
    tick_s: float | None = 1.0,
) -> None:
    """Serve until cancelled. `clock` replaces the wall clock (tests); `tick_s=None` stops Tick."""
    limits = limits or HubLimits()
    engine = Engine(building, db_path, clock=clock)
    await engine.start()
    hub = Hub(engine, building, clock=clock, limits=limits)
    hub.start()
    ticker: asyncio.Task[None] | None = None
    try:
        async with websockets.serve(
            hub.handler,
            host,
            port,
            process_request=make_process_request(hub),
            # Events are small and many: compression costs more CPU than the bytes it saves.
            compression=None,
            max_size=p.MAX_MESSAGE_BYTES,
            write_limit=limits.write_limit,
            ping_interval=20,
            ping_timeout=20,
            close_timeout=limits.close_timeout_s,
        ) as server:
            bound = server.sockets[0].getsockname()[1]
            if tick_s is not None:
                ticker = asyncio.create_task(_tick(hub, tick_s), name="antre-ticker")
            log.info(
                "serving %s on ws://%s:%d%s (day %s, seq %d)",
                building.name,
                host,
                bound,
                p.WS_PATH,
                hub.today(),
                engine.last_seq,
            )
            if ready is not None:
                ready(Running(host, bound, engine, hub, server))
            try:
                await asyncio.Future()  # until cancelled
            finally:
                if ticker is not None:
                    ticker.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await ticker
                await hub.close()
    finally:
        await engine.close()
        log.info("stopped")


async def _tick(hub: Hub, every_s: float) -> None:
    # Printing reservations expire and days close only when time is told to the core.
    while True:
        await asyncio.sleep(every_s)
        try:
            await hub.execute(Tick(), "system")
        except DomainError as exc:
            log.warning("tick refused: %s", exc)
        except Exception:
            log.exception("tick failed")


def run(
    building: Building,
    db_path: str,
    host: str = "127.0.0.1",
    port: int = 8700,
    *,
    config_path: Path | str | None = None,
    show_demo_credentials: bool = False,
    clock: Callable[[], datetime] | None = None,
) -> int:
    """Blocking entry for the CLI; returns the process exit code."""
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if config_path is not None:
        log.info("building file %s", config_path)

    def on_ready(running: Running) -> None:
        log.info("TV page at %s/display, health at %s/healthz", running.http_url, running.http_url)
        if show_demo_credentials:
            _print_demo_credentials()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # not on every platform
                loop.add_signal_handler(sig, stop.set)
        server = asyncio.create_task(
            serve(building, db_path, host, port, ready=on_ready, clock=clock)
        )
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({server, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if not server.done():
            log.info("stopping on signal")
            server.cancel()
        stopper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server

    try:
        asyncio.run(main())
    except OSError as exc:
        log.error("cannot serve on %s:%d: %s", host, port, exc)
        return 1
    return 0


def _print_demo_credentials() -> None:
    from server.config import demo_credentials_path

    path = demo_credentials_path()
    print(
        f"Demo building: its public demo tokens and PINs are in {path}",
        file=sys.stderr,
    )
    with contextlib.suppress(OSError):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                print("  " + line, file=sys.stderr)
