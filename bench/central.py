"""Central on PostgreSQL (issue 21): a building's backlog, and 300 buildings at once.

(1) **Backlog.** Three 4,000-ticket days of the bench's day building (bench/startup.py's
`template_day` on the pure queue core, its dates moved to Monday–Wednesday, written through the
store's own writer) wait in a building's store; the real `antre server` (bench.serverproc with
`--central`) starts on the Thursday morning and its outbox delivers them, in batches of 500, to
a real `antre central` on a PostgreSQL of its own. The figure is the wall time from the
server's READY to central's contiguous position reaching the store's last seq, and its events/s;
beside it, in the same run and the same PostgreSQL, a raw batched `INSERT` of the same rows (the
same JSON the outbox sends, 500 rows a transaction over one connection) into a plain table, and
central's ingest alone (the same batches through server.central's `ingest_batch`, no HTTP, no
outbox), which says where the time goes.

(2) **300 buildings.** One normal day (a 400-ticket day of the same building) played for each
of 300 buildings at once, compressed (`speed` simulated seconds a wall second), by lightweight
senders in this process — not 300 servers: each building posts, every half second, the events
that have come due since its last batch, signed with server.signing in the outbox's own format
(server.outbox.body), and retries a refused batch. Figures: central's ingest rate (events over
the wall time from the first post to the last 200), each batch's lag (its oldest event's due
time to central's 200: how far central is behind the buildings; p50/p99/max), and the page time
of central's `/healthz` and of the dashboard's overview (`/`, every building's today, as a
province user logged in) read every quarter second while it ingests.

Figures, not assertions (docs/benchmarks.md). PostgreSQL runs as the tests' does (fsync off,
synchronous commits), in `<dir>/central-pg`, made afresh each run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as daytime
from pathlib import Path

import httpx
import psycopg

from bench.building import day_building
from bench.common import Quantiles, quantiles
from bench.serverproc import BENCH_CENTRAL_KEY, ServerProcess, fresh_db
from bench.startup import _shift_ticket, template_day
from server.auth import hash_password
from server.central.localpg import LocalPostgres, free_port
from server.core.building import Building, Destination, DestinationKind
from server.core.events import read_event
from server.outbox.body import batch_body, event_entry
from server.signing import BUILDING_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_header
from server.simulate.day import SIM_DAY
from server.store import LATEST_VERSION, Store, StoredEvent
from server.store.deliveries import PendingEvent

__all__ = ["BacklogResult", "CrowdResult", "run_backlog", "run_crowd"]

BACKLOG_DAYS = 3
BACKLOG_TICKETS = 4000
CROWD_TICKETS = 400  # a normal day of a regency's MPP
DATABASE = "antre_central"
BENCH_USER = "provinsi"
BENCH_PASSWORD = "bench-password-2026"
BATCH = 500


@dataclass(frozen=True)
class BacklogResult:
    events: int
    days: int
    tickets_per_day: int
    startup_s: float  # spawn -> READY of the building
    wall_s: float  # READY -> central has every event
    events_per_s: float
    raw_s: float  # the same rows, raw batched INSERT
    raw_per_s: float
    direct_s: float  # central's ingest alone: the same batches, no HTTP, no outbox
    direct_per_s: float


@dataclass(frozen=True)
class CrowdResult:
    buildings: int
    events: int  # all buildings together
    day_s: float  # the compressed day's wall length
    offered_per_s: float
    wall_s: float  # first post -> last 200
    ingest_per_s: float
    lag: Quantiles  # per batch: oldest event due -> central's 200
    healthz: Quantiles  # GET /healthz while ingesting
    refused: int  # batches answered other than 200 (then sent again)
    dashboard: str  # the dashboard's page time, or why there is none


# -- the stores --------------------------------------------------------------------------------


async def _write_days(path: Path, building: Building, tickets: int, days: list[date]) -> int:
    """`days` copies of one `tickets`-ticket day (dates moved), through the store's writer."""
    events, day_tickets = template_day(building, tickets=tickets)
    old = SIM_DAY.isoformat()
    texts = [json.dumps(_dict(e), separators=(",", ":")) for e, _a, _r in events]
    store = await Store.open(path)
    seq = 0
    try:
        for day in days:
            new, delta = day.isoformat(), day - SIM_DAY
            batch = []
            for (_e, actor, rid), text in zip(events, texts, strict=True):
                seq += 1
                moved = read_event(json.loads(text.replace(old, new)))
                batch.append(StoredEvent(seq, moved, actor, rid.replace(old, new) if rid else None))
            rows = [_shift_ticket(t, old, new, delta) for t in day_tickets.values()]
            await store.append(batch, rows, [], building.service_day)
    finally:
        await store.close()
    return seq


def _dict(event):  # type: ignore[no-untyped-def]
    from server.core.events import event_to_dict

    return event_to_dict(event)


def _store(folder: Path, name: str, tickets: int, days: list[date]) -> tuple[Path, int]:
    """A cached store of those days; a fresh copy to work on, and its event count."""
    cached = folder / f"{name}-v{LATEST_VERSION}.db"
    marker = cached.with_suffix(".events")
    if not (cached.exists() and marker.exists()):
        fresh_db(cached)
        count = asyncio.run(_write_days(cached, day_building().building, tickets, days))
        marker.write_text(str(count))
    work = fresh_db(folder / f"{name}-run.db")
    work.write_bytes(cached.read_bytes())
    return work, int(marker.read_text())


def _pending(db: Path) -> list[PendingEvent]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT seq, at, service_day, actor, kind, payload FROM events ORDER BY seq"
        ).fetchall()
    return [PendingEvent(s, at, d, a, k, p, None) for s, at, d, a, k, p in rows]


# -- central and its PostgreSQL ----------------------------------------------------------------


class _Central:
    """A PostgreSQL of its own and `antre central` on it, for `buildings` (id, key)."""

    def __init__(self, folder: Path, buildings: list[str]) -> None:
        root = (folder / "central-pg").resolve()
        shutil.rmtree(root, ignore_errors=True)
        self.pg = LocalPostgres(root, free_port())
        self.pg.init()
        self.pg.start()
        with psycopg.connect(self.pg.dsn(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        self.dsn = self.pg.dsn(DATABASE)
        keys = (folder / "central-keys").resolve()
        shutil.rmtree(keys, ignore_errors=True)
        keys.mkdir()
        text = f'[central]\nhost = "127.0.0.1"\nport = 0\ndatabase = "{self.dsn}"\n'
        for b in buildings:
            (keys / f"{b}.key").write_bytes(BENCH_CENTRAL_KEY)
            text += f'\n[[buildings]]\nid = "{b}"\nname = "{b}"\nregion = "Bench"\n'
            text += f'key_file = "{keys / b}.key"\n'
        # A province user for the dashboard's page time while central ingests.
        text += f'\n[[users]]\nid = "{BENCH_USER}"\nname = "Bench"\nscope = "all"\n'
        text += f'password_hash = "{hash_password(BENCH_PASSWORD, n=2**8)}"\n'
        self.config = folder / "central.toml"
        self.config.write_text(text)
        self.port = free_port()
        self.log = folder / "central.log"
        cmd = [sys.executable, "-m", "server.cli", "central", "--config", str(self.config)]
        cmd += ["--port", str(self.port)]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while "listening on" not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"central did not start; see {self.log}")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def contiguous(self, conn: psycopg.Connection, building: str) -> int:
        row = conn.execute("SELECT contiguous_seq FROM buildings WHERE id = %s", (building,))
        return int(row.fetchone()[0])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.pg.stop("fast")


# -- (1) the backlog ---------------------------------------------------------------------------


def run_backlog(folder: Path) -> BacklogResult:
    days = [SIM_DAY + timedelta(days=i) for i in range(BACKLOG_DAYS)]
    db, events = _store(folder, "central-backlog", BACKLOG_TICKETS, days)
    building = day_building().building
    central = _Central(folder, ["bench"])
    try:
        morning = datetime.combine(days[-1] + timedelta(days=1), daytime(7, 0), building.tz)
        server = ServerProcess("day", db, clock=morning, extra=["--central", central.url])
        with psycopg.connect(central.dsn, autocommit=True) as conn:
            server.start()
            t0 = time.perf_counter()
            try:
                while central.contiguous(conn, "bench") < events:
                    time.sleep(0.05)
                wall = time.perf_counter() - t0
            finally:
                server.stop()
        raw = _raw_insert(central.dsn, building, db)
        direct = _direct_ingest(central, building, db)
    finally:
        central.close()
    return BacklogResult(events, BACKLOG_DAYS, BACKLOG_TICKETS, server.started_s, wall,
                         events / wall, raw, events / raw, direct, events / direct)  # fmt: skip


def _direct_ingest(central: _Central, building: Building, db: Path) -> float:
    """Central's ingest alone (no HTTP, no outbox): the same batches of 500 into a fresh
    database, through server.central's own read_batch and ingest_batch on one connection."""
    from server.central.batch import read_batch
    from server.central.ingest import ingest_batch, register_buildings
    from server.central.schema import migrate

    dest = Destination("central", DestinationKind.CENTRAL, central.url, BENCH_CENTRAL_KEY)
    b = dataclasses.replace(building, id="bench")
    pending = _pending(db)
    bodies = [batch_body(b, dest, pending[i : i + BATCH]) for i in range(0, len(pending), BATCH)]
    with psycopg.connect(central.pg.dsn(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE central_direct")
    with psycopg.connect(central.pg.dsn("central_direct"), autocommit=True) as conn:
        migrate(conn)
        register_buildings(conn, [("bench", "bench", "Bench")])
        t0 = time.perf_counter()
        for body in bodies:
            ingest_batch(conn, read_batch(body))
        return time.perf_counter() - t0


def _raw_insert(dsn: str, building: Building, db: Path) -> float:
    """The same rows, as the outbox sends them, INSERTed 500 a transaction into a plain table."""
    rows = []
    for e in _pending(db):
        entry = event_entry("bench", e, building.tz, personal_data=False)
        rows.append(("bench", entry["day"], entry["seq"], entry["type"], entry["at"],
                     entry["actor"], json.dumps(entry["data"])))  # fmt: skip
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "CREATE TABLE raw_events (building text, day date, seq bigint, type text, "
            "at timestamptz, actor text, data jsonb, PRIMARY KEY (building, seq))"
        )
        conn.commit()
        t0 = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO raw_events VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    rows[i : i + BATCH],
                )
            conn.commit()
        return time.perf_counter() - t0


# -- (2) 300 buildings at once -----------------------------------------------------------------


def run_crowd(folder: Path, buildings: int = 300, day_s: float = 120.0) -> CrowdResult:
    db, _n = _store(folder, "central-crowd-day", CROWD_TICKETS, [SIM_DAY])
    events = _pending(db)
    ids = [f"bench-{i:03d}" for i in range(1, buildings + 1)]
    central = _Central(folder, ids)
    try:
        return asyncio.run(_crowd(central, ids, events, day_s))
    finally:
        central.close()


def _due_offsets(events: list[PendingEvent], day_s: float) -> list[float]:
    """Each event's due time in wall seconds from the start: the opening hours compressed into
    `day_s` (the next morning's closing events come with the day's last)."""
    at = [datetime.fromisoformat(e.at) for e in events]
    first = at[0]
    opening = [a for a in at if a - first < timedelta(hours=12)]
    span = (max(opening) - first).total_seconds()
    return [min((a - first).total_seconds(), span) / span * day_s for a in at]


async def _login(client: httpx.AsyncClient, url: str) -> httpx.AsyncClient:
    """A dashboard session of its own (its cookie jar apart from the buildings' posts)."""
    session = httpx.AsyncClient(timeout=120)
    form = await session.get(url + "/masuk")
    token = re.search(r'name="token" value="([^"]+)"', form.text)
    assert token is not None, "the login form has no token"
    answer = await session.post(
        url + "/masuk",
        data={"token": token.group(1), "pengguna": BENCH_USER, "sandi": BENCH_PASSWORD},
        headers={"Origin": url},
    )
    assert answer.status_code == 303, answer.status_code  # logged in: sent to the overview
    return session


def _page_words(page: Quantiles | None) -> str:
    if page is None:
        return "no overview page answered 200 while central ingested"
    return page.ms()


async def _crowd(
    central: _Central, ids: list[str], events: list[PendingEvent], day_s: float
) -> CrowdResult:
    base = day_building().building
    dest = Destination("central", DestinationKind.CENTRAL, central.url, BENCH_CENTRAL_KEY)
    due = _due_offsets(events, day_s)
    lags: list[float] = []
    refused = 0
    done = [0.0]
    limits = httpx.Limits(max_connections=len(ids), max_keepalive_connections=len(ids))
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        # No profile: central keeps the figures without targets until one comes.
        start = time.perf_counter() + 2.0

        async def building(bid: str) -> None:
            nonlocal refused
            b = dataclasses.replace(base, id=bid)
            rng = random.Random(bid)
            await asyncio.sleep(max(0.0, start - time.perf_counter()) + rng.uniform(0, 0.5))
            sent = 0
            while sent < len(events):
                now = time.perf_counter() - start
                upto = sent
                while upto < len(events) and due[upto] <= now and upto - sent < BATCH:
                    upto += 1
                if upto == sent:
                    await asyncio.sleep(0.5)
                    continue
                body = batch_body(b, dest, events[sent:upto])
                stamp = int(time.time())
                headers = {
                    "Content-Type": "application/json",
                    BUILDING_HEADER: bid,
                    TIMESTAMP_HEADER: str(stamp),
                    SIGNATURE_HEADER: signature_header(BENCH_CENTRAL_KEY, stamp, body),
                }
                try:
                    answer = await client.post(central.url + "/central/v1/events",
                                               content=body, headers=headers)  # fmt: skip
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if not ok:
                    refused += 1
                    await asyncio.sleep(0.5)
                    continue
                lags.append(time.perf_counter() - start - due[sent])
                sent = upto
                await asyncio.sleep(0.5)
            done[0] = max(done[0], time.perf_counter())

        probes: list[float] = []
        stop = asyncio.Event()

        pages: list[float] = []
        session = await _login(client, central.url)

        async def probe() -> None:
            while not stop.is_set():
                t0 = time.perf_counter()
                answer = await client.get(central.url + "/healthz")
                if answer.status_code == 200:
                    probes.append(time.perf_counter() - t0)
                # The overview a province user reads: every building, today's figures.
                t0 = time.perf_counter()
                page = await session.get(central.url + "/")
                if page.status_code == 200:  # a lost session would be a 303 to /masuk
                    pages.append(time.perf_counter() - t0)
                await asyncio.sleep(0.25)

        prober = asyncio.create_task(probe())
        await asyncio.gather(*(building(b) for b in ids))
        stop.set()
        await prober
        await session.aclose()
    with psycopg.connect(central.dsn) as conn:
        stored = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    total = len(events) * len(ids)
    assert stored == total, (stored, total)  # every event arrived, once
    wall = done[0] - start
    return CrowdResult(len(ids), total, day_s, total / day_s, wall, total / wall,
                       quantiles(lags), quantiles(probes), refused,
                       _page_words(quantiles(pages) if pages else None))  # fmt: skip
