"""The buildings' ingest over HTTP: POST /central/v1/events and PUT /central/v1/profile.

Every request is signed by its building (server/signing.py). The order of the checks, each an
answer with nothing stored (docs/central.md, "Refusals"):

1. `Antre-Building` names a building of central.toml — else 401 `unknown_building`;
2. the signature verifies with that building's key within 5 minutes of central's clock — else
   401 (`missing_header`, `bad_timestamp`, `stale_timestamp`, `bad_signature`);
3. the body is a batch (or a profile) — else 400 `bad_body` with the reason;
4. the body's `building` is the header's — else 401 `wrong_building` (a building posting under
   another's id signs with its own key, so it fails at 2 or here);
5. a sequence number already stored as another event — 409 `seq_conflict`; a profile signed
   before the one kept (a replayed older request) — 409 `stale_profile`.

A batch stored answers 200 `{"stored": n, "duplicates": m, "contiguous_seq": s}`; the database
unreachable answers 503 `database_unavailable`, and the building's sender tries again later.
The database work runs in a thread of the pool's (psycopg is synchronous here), never on the
event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Final

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from server.central.batch import BadBody, read_batch, read_profile
from server.central.config import CentralConfig
from server.central.edge import Request, Response, Routes, error, json_response
from server.central.ingest import (
    SeqConflict,
    StaleProfile,
    UnknownBuilding,
    ingest_batch,
    store_profile,
)
from server.signing import BUILDING_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

__all__ = ["EVENTS_PATH", "HEALTH_PATH", "PROFILE_PATH", "IngestApi"]

log = logging.getLogger("antre.central.ingest")

EVENTS_PATH: Final = "/central/v1/events"
PROFILE_PATH: Final = "/central/v1/profile"
HEALTH_PATH: Final = "/healthz"
POOL_WAIT_S: Final = 5.0  # how long a request waits for a database connection before 503


class IngestApi:
    """The ingest's routes, over a connection pool and the buildings' keys."""

    def __init__(
        self,
        config: CentralConfig,
        pool: ConnectionPool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config, self.pool, self.clock = config, pool, clock

    def add_routes(self, routes: Routes) -> None:
        routes.add("POST", EVENTS_PATH, self.post_events, self.refuse_head)
        routes.add("PUT", PROFILE_PATH, self.put_profile, self.refuse_head)
        routes.add("GET", HEALTH_PATH, self.health)

    def refuse_head(self, headers: dict[str, str]) -> Response | None:
        """Checks 1 and 2's headers on the head alone, before the body is read (edge.py): an
        unknown building, or no timestamp or signature, is refused without reading a byte."""
        if self.config.buildings.get(headers.get(BUILDING_HEADER.lower(), "")) is None:
            return error(401, "unknown_building", f"{BUILDING_HEADER}: not a building "
                         "of this central")  # fmt: skip
        if not headers.get(TIMESTAMP_HEADER.lower()) or not headers.get(SIGNATURE_HEADER.lower()):
            return error(401, "missing_header", f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} "
                         "are required")  # fmt: skip
        return None

    def _refusal(self, request: Request) -> tuple[str | None, Response | None]:
        """The signing building's id, or the 401 that refuses the request."""
        building = request.header(BUILDING_HEADER)
        known = self.config.buildings.get(building or "")
        if known is None:
            return None, error(401, "unknown_building", f"{BUILDING_HEADER}: not a building "
                               "of this central")  # fmt: skip
        refusal = verify(
            known.key,
            request.header(TIMESTAMP_HEADER),
            request.header(SIGNATURE_HEADER),
            request.body,
            self.clock(),
        )
        if refusal is not None:
            return None, error(401, refusal.code, refusal.message)
        return known.id, None

    @staticmethod
    def _wrong_building(signed: str, body_building: str) -> Response:
        return error(
            401,
            "wrong_building",
            f"the body is building {body_building!r}; the request is signed by {signed!r}",
        )

    async def _database(self, work: Callable[[psycopg.Connection], object]) -> object:
        def run() -> object:
            with self.pool.connection(timeout=POOL_WAIT_S) as conn:
                return work(conn)

        return await asyncio.to_thread(run)

    async def post_events(self, request: Request) -> Response:
        building, refused = self._refusal(request)
        if refused is not None:
            log.warning("refused %s %s: %s", request.peer, EVENTS_PATH, refused.body[:200])
            return refused
        try:
            batch = read_batch(request.body)
        except BadBody as exc:
            return error(400, "bad_body", str(exc))
        if batch.building != building:
            return self._wrong_building(building, batch.building)  # type: ignore[arg-type]
        try:
            result = await self._database(lambda conn: ingest_batch(conn, batch))
        except SeqConflict as exc:
            return error(409, "seq_conflict", str(exc))
        except UnknownBuilding:
            return error(401, "unknown_building", "the building has no row: restart central")
        except (psycopg.OperationalError, PoolTimeout) as exc:
            log.warning("database unavailable: %s", exc)
            return error(503, "database_unavailable", "central's database is unavailable")
        return json_response(200, result.as_json())  # type: ignore[attr-defined]

    async def put_profile(self, request: Request) -> Response:
        building, refused = self._refusal(request)
        if refused is not None:
            return refused
        try:
            profile = read_profile(request.body)
        except BadBody as exc:
            return error(400, "bad_body", str(exc))
        if profile.building != building:
            return self._wrong_building(building, profile.building)  # type: ignore[arg-type]
        signed_at = int(request.header(TIMESTAMP_HEADER) or "0")  # verified: Unix seconds
        try:
            redone = await self._database(lambda conn: store_profile(conn, profile, signed_at))
        except StaleProfile as exc:
            return error(409, "stale_profile", str(exc))
        except (psycopg.OperationalError, PoolTimeout) as exc:
            log.warning("database unavailable: %s", exc)
            return error(503, "database_unavailable", "central's database is unavailable")
        return json_response(200, {"stored": True, "figures_redone": redone})

    async def health(self, request: Request) -> Response:
        try:
            await self._database(lambda conn: conn.execute("SELECT 1").fetchone())
        except (psycopg.OperationalError, PoolTimeout):
            return json_response(503, {"ok": False, "database": False})
        return json_response(200, {"ok": True, "database": True,
                                   "buildings": len(self.config.buildings)})  # fmt: skip
