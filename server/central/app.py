"""`antre central`: the database made ready, the pool, the HTTP edge and its routes, wired.

Start: connect once, migrate (server/central/schema.py), make the rows of central.toml's
buildings, open the pool (each connection checked before use, so connections a restarted
PostgreSQL dropped are replaced, not handed out), then listen. Stop (SIGTERM, Ctrl-C): stop
listening, close the pool. Nothing is kept in central's memory that the database does not
hold, so a central killed at any moment restarts with every batch it acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections.abc import Callable

import psycopg
from psycopg_pool import ConnectionPool

from server.central.api import IngestApi
from server.central.config import CentralConfig
from server.central.dashboard.site import Dashboard
from server.central.edge import HttpServer, Routes
from server.central.ingest import register_buildings
from server.central.schema import migrate

__all__ = ["Central", "prepare_database", "run"]

log = logging.getLogger("antre.central")

POOL_MAX = 8  # connections: ingest work runs in threads, one connection each


def prepare_database(config: CentralConfig) -> None:
    """Migrate the database and make a row for each building of central.toml."""
    with psycopg.connect(config.database, autocommit=True, connect_timeout=10) as conn:
        migrate(conn)
        register_buildings(conn, [(b.id, b.name, b.region) for b in config.buildings.values()])


class Central:
    """One central server: `start` it on a port (0: any free one), `close` it."""

    def __init__(self, config: CentralConfig, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.pool = ConnectionPool(
            config.database,
            min_size=1,
            max_size=POOL_MAX,
            kwargs={"autocommit": True, "connect_timeout": 5},
            check=ConnectionPool.check_connection,
            open=False,
            name="central",
        )
        self.routes = Routes()
        IngestApi(config, self.pool, clock).add_routes(self.routes)
        self.dashboard = Dashboard(config, self.pool, clock)  # its pages, on the same port
        self.dashboard.add_routes(self.routes)
        self.http = HttpServer(self.routes)
        self.port: int | None = None

    async def start(self, port: int | None = None) -> int:
        await asyncio.to_thread(prepare_database, self.config)
        await asyncio.to_thread(self.pool.open, True, 30.0)
        self.port = await self.http.start(self.config.host, self.config.port if port is None
                                          else port)  # fmt: skip
        return self.port

    async def close(self) -> None:
        await self.http.close()
        await asyncio.to_thread(self.pool.close)


def run(config: CentralConfig) -> int:
    """Serve until SIGTERM or Ctrl-C; the exit status."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    async def main() -> int:
        central = Central(config)
        try:
            port = await central.start()
        except psycopg.Error as exc:
            print(f"antre central: cannot use the database: {exc}", file=sys.stderr)
            return 1
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print(
            f"antre central: listening on http://{config.host}:{port} "
            f"({len(config.buildings)} buildings)",
            flush=True,
        )
        await stop.wait()
        await central.close()
        return 0

    return asyncio.run(main())
