"""`antre server`: the engine, the hub and the ticker on one port, until told to stop.

`serve` is the async entry (tests run it in their own loop and learn the bound port through
`ready`); `run` is the blocking entry the CLI calls, with logging to stderr and a clean stop on
SIGTERM or SIGINT: open connections are closed with 1001 (clients reconnect to the next server),
the ticker stops, and the engine closes the store after its last commit.

If the store fails (a full disk, an I/O error), memory is ahead of the disk and only a new process
can make them agree: `serve` stops the same way and raises `EngineFailed`, and `run` returns
`EXIT_STORE_FAILED` (75, EX_TEMPFAIL) so that the supervisor (systemd's Restart=on-failure,
docs/operations.md) starts the server again; it rebuilds from the committed log.

`run` turns every way of not starting into a message and an exit status of its own (the table
in docs/operations.md, "Running the server"), never a traceback: a store of another building
(`EXIT_WRONG_BUILDING`), a file that is not a store it can use (`EXIT_STORE_UNUSABLE`), and, for
a bug, `EXIT_SOFTWARE` with the traceback written to a file beside the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sqlite3
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

import websockets
from websockets.asyncio.server import Server

from server import protocol as p
from server.allocator import tune_for_socket_reads
from server.bookings_api import BookingsApi
from server.building_identity import EXIT_WRONG_BUILDING, BuildingIdentity, WrongBuilding
from server.core.building import Building, DeviceKind
from server.core.model import DomainError, Tick
from server.engine import Engine, EngineFailed
from server.hub import Hub, HubLimits
from server.live_building import LiveEditsDiffer
from server.outbox import Outbox, Timing
from server.store import StoreError
from server.voice_api import VoiceApi
from server.web.booking.api import PortalApi
from server.web.booking.api_reads import ApiReads
from server.web.booking.day_figures import DayFigures
from server.web.booking.desk import BookingDesk
from server.web.booking.limits import TrustedProxies
from server.web.booking.pages import BOOK_PATH
from server.web.booking.site import BookingSite
from server.web.request_body import BodyConnection
from server.web.routes import WebRoutes
from server.web.survey.site import VoiceSite
from server.web.tv import TvPage
from server.web.voice import VoiceRenderer

__all__ = [
    "EXIT_SOFTWARE",
    "EXIT_STORE_FAILED",
    "EXIT_STORE_UNUSABLE",
    "EXIT_WRONG_BUILDING",
    "Running",
    "run",
    "serve",
    "where_to_point",
]

log = logging.getLogger("antre.server")
# websockets' own log of this server's connections. It says two lines at INFO for every plain
# HTTP request and every connection ("HTTP response sent (200 OK)", "connection closed"): a
# booking storm of 5,000 attempts wrote 20,000 of them, with neither path nor who, and spent
# 9 % of the event loop on them (docs/benchmarks.md, "The booking storm"). The hub logs each
# device's session itself; websockets' warnings and errors still come through.
_websockets_log = logging.getLogger("antre.websockets")
_websockets_log.setLevel(logging.WARNING)

# How many connections wait for the event loop to accept them (see serve); Linux caps it at
# net.core.somaxconn, 4096 by default since Linux 5.4.
LISTEN_BACKLOG = 4096

# sysexits.h EX_TEMPFAIL: "try again later" — a restart on a disk with room will serve again.
EXIT_STORE_FAILED = 75
# sysexits.h EX_DATAERR: the --db file is not a store this Antre can use (not SQLite, not
# Antre's, written by a newer Antre, a log that cannot be replayed). A restart changes nothing.
EXIT_STORE_UNUSABLE = 65
# sysexits.h EX_SOFTWARE: a bug. The traceback goes to a file beside the store, not the screen.
EXIT_SOFTWARE = 70


@dataclass(frozen=True, slots=True)
class Running:
    """A started server, handed to `serve`'s `ready` callback."""

    host: str
    port: int  # the bound port (useful when asked for port 0)
    engine: Engine
    hub: Hub
    server: Server
    web: WebRoutes  # what browsers are answered (tests reach the TV's renderer through it)
    bookings: BookingsApi  # online booking for the public pages and portals (issue 19)
    voice: VoiceApi  # the survey and complaints for the citizen's pages (issue 20)
    outbox: Outbox  # the deliveries to webhooks and central (issue 21)

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
    own_process: bool = False,
    identity: BuildingIdentity | None = None,
    accept_building: bool = False,
    adopt_empty: bool = True,
    delivery_timing: Timing | None = None,
    take_file: bool = False,
) -> None:
    """Serve until cancelled. `clock` replaces the wall clock (tests); `tick_s=None` stops Tick.

    `own_process`: this process only serves (`antre server`, not a test process), so its
    start-up objects are frozen and the allocator is set for socket reads (server.allocator).
    `identity`, `accept_building`, `adopt_empty`: the building file as the store records it,
    whether it may replace another building's, and whether it may take over another building's
    store that has no events yet (server/building_identity.py). `delivery_timing`: the outbox's
    retry and poll times (tests shorten them). `take_file`: the building file wins over the
    store's live edits when it changed since (server/live_building.py).

    Raises WrongBuilding before listening when the store belongs to another building, and
    EngineFailed, after closing every connection, if the store fails.
    """
    limits = limits or HubLimits()
    engine = Engine(
        building,
        db_path,
        clock=clock,
        identity=identity,
        accept_building=accept_building,
        adopt_empty=adopt_empty,
        take_file=take_file,
    )
    await engine.start()
    # The file's building plus the live edits in the store's log (issue 23): what is served.
    building = engine.serving
    hub = Hub(engine, building, clock=clock, limits=limits)
    hub.start()
    # The building's events to its webhooks and central (issue 21): tasks beside the engine,
    # never awaited by a command; the floor hears when one has been failing too long.
    outbox = Outbox(
        building,
        engine,
        digest=identity.digest if identity is not None else "",
        clock=clock,
        timing=delivery_timing,
        on_alert=hub.broadcaster.send_to_floor,
    )
    hub.outbox = outbox
    bookings = BookingsApi(engine, execute=hub.execute)
    voice = VoiceApi(engine, execute=hub.execute)
    # The TVs' audio of calls is kept next to the database, so that a restart does not make
    # espeak-ng say the morning's calls again.
    renderer = VoiceRenderer(cache_dir=Path(db_path).resolve().parent / "voice-cache")
    parts: list[_HoldsBuilding] = []
    web = WebRoutes(
        hub,
        TvPage(building, renderer),
        *_booking_routes(building, engine, hub, bookings, parts),
        voice=VoiceSite(
            building,
            voice,
            lambda: engine.state,
            hub.now,
            trusted_proxies=TrustedProxies(building.booking.trusted_proxies),
        ),
    )
    # A live building edit reaches the web pages and the outbox after the hub's own parts.
    parts += [web.tv, web.voice, outbox]
    hub.building_listeners.append(lambda new: [part.set_building(new) for part in parts])
    if own_process:
        tune_for_socket_reads()
        # What exists now (modules, the building, today's queue rebuilt from the log) lives
        # until exit: frozen, it is no longer walked by every full collection, whose pause
        # delays calls on the TVs (docs/benchmarks.md, fan-out). Only in a process that does
        # nothing else: a frozen object is never collected.
        gc.collect()
        gc.freeze()
    ticker: asyncio.Task[None] | None = None
    try:
        await outbox.start()
        async with websockets.serve(
            hub.handler,
            host,
            port,
            process_request=web.process_request,
            # A booking form's POST and the API's JSON have a body, which websockets reads not.
            create_connection=BodyConnection,
            # Events are small and many: compression costs more CPU than the bytes it saves.
            compression=None,
            max_size=p.MAX_MESSAGE_BYTES,
            write_limit=limits.write_limit,
            ping_interval=limits.ping_interval_s,
            ping_timeout=limits.ping_timeout_s,
            close_timeout=limits.close_timeout_s,
            # Connections the kernel holds until the event loop accepts them. asyncio's 100 is
            # full within a fifth of a second of a booking storm (500 new connections a second,
            # one a request) while the loop is busy, and a connection refused there waits for
            # TCP's retry, 1 s, then 3, then 7: seconds added, and arrivals out of order. The
            # kernel caps it at net.core.somaxconn (docs/benchmarks.md, "The booking storm").
            backlog=LISTEN_BACKLOG,
            logger=_websockets_log,
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
                ready(Running(host, bound, engine, hub, server, web, bookings, voice, outbox))
            try:
                await engine.failed.wait()  # or until cancelled
                failure = engine.failure
                assert failure is not None  # set together with `failed`
                log.critical(
                    "the store failed (%r; is its disk full or failing?); stopping so that the "
                    "supervisor restarts the server from the committed log",
                    failure.__cause__,
                )
                raise failure
            finally:
                if ticker is not None:
                    ticker.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await ticker
                await hub.close()
    finally:
        try:
            await outbox.close()
        finally:
            await engine.close()
        log.info("stopped")


class _HoldsBuilding(Protocol):
    def set_building(self, building: Building) -> None: ...


def _booking_routes(
    building: Building,
    engine: Engine,
    hub: Hub,
    bookings: BookingsApi,
    parts: list[_HoldsBuilding],
) -> tuple[BookingSite, PortalApi]:
    """The public booking pages and the integrators' API, over one desk (issue 19). Each part
    holding the building is added to `parts` (a live edit swaps it)."""
    desk = BookingDesk(building, lambda: engine.state, bookings)
    proxies = TrustedProxies(building.booking.trusted_proxies)
    site = BookingSite(building, desk, hub.now, trusted_proxies=proxies)
    # Issue 21's read-only paths: the queue now, a ticket by token, a day's figures (read from
    # the store's file by `antre report`'s code, on a thread of their own).
    figures = DayFigures(building, engine.db_path, lambda: engine.last_seq)
    reads = ApiReads(
        building,
        lambda: engine.state,
        desk,
        figures,
        lambda: date.fromisoformat(hub.today()),
    )
    api = PortalApi(building, desk, hub.now, trusted_proxies=proxies, reads=reads)
    parts += [desk, site, figures, reads, api]
    return site, api


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
    identity: BuildingIdentity | None = None,
    accept_building: bool = False,
    take_file: bool = False,
) -> int:
    """Blocking entry for the CLI; returns the process exit code (docs/operations.md)."""
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request at INFO: the outbox's own lines (antre.outbox) say what matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if config_path is not None:
        log.info("building file %s", config_path)

    def on_ready(running: Running) -> None:
        log.info("TV page at %s/display, health at %s/healthz", running.http_url, running.http_url)
        secrets = None
        if show_demo_credentials:
            from server.config import load_demo_credentials

            secrets = load_demo_credentials()
        host_shown = running.host if running.host not in ("0.0.0.0", "::", "") else "HOST"
        ws_url = running.url.replace(running.host, host_shown, 1)
        http_url = running.http_url.replace(running.host, host_shown, 1)
        print(where_to_point(building, ws_url, http_url, secrets), flush=True)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # not on every platform
                loop.add_signal_handler(sig, stop.set)
        server = asyncio.create_task(
            serve(
                building,
                db_path,
                host,
                port,
                ready=on_ready,
                clock=clock,
                own_process=True,
                identity=identity,
                accept_building=accept_building,
                take_file=take_file,
                # No --config means the demo: it never takes over a real building's store.
                adopt_empty=not show_demo_credentials,
            )
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
    except EngineFailed:
        return EXIT_STORE_FAILED  # already logged, with its cause, by the engine and serve
    except WrongBuilding as exc:
        log.error("%s", wrong_building_message(exc, config_given=not show_demo_credentials))
        return EXIT_WRONG_BUILDING
    except LiveEditsDiffer as exc:
        log.error("%s", exc.message())
        return EXIT_WRONG_BUILDING
    except sqlite3.OperationalError as exc:  # at start: disk full, I/O error, locked too long
        log.critical("cannot open the store %s: %s; is its disk full or failing, or is another "
                     "server using it?", db_path, exc)  # fmt: skip
        return EXIT_STORE_FAILED
    except (StoreError, sqlite3.DatabaseError) as exc:
        log.critical("cannot use %s as the store: %s. Give the right --db (a new file is made "
                     "when none exists), or restore a backup (docs/operations.md)", db_path,
                     exc)  # fmt: skip
        return EXIT_STORE_UNUSABLE
    except OSError as exc:
        log.error("cannot serve on %s:%d: %s", host, port, exc)
        return 1
    except Exception as exc:  # a bug: the operator gets one line, the developer the details
        crash = _write_crash_report(db_path)
        log.critical("stopped by an unexpected error (%s); please report it with %s",
                     type(exc).__name__, crash)  # fmt: skip
        return EXIT_SOFTWARE
    return 0


def _write_crash_report(db_path: str) -> str:
    """Append the current exception's traceback to antre-crash.log beside the store."""
    path = Path(db_path).resolve().parent / "antre-crash.log"
    try:
        with path.open("a", encoding="utf-8") as f:
            f.write(f"--- {datetime.now().astimezone().isoformat()}\n{traceback.format_exc()}")
    except OSError:
        return "this log (the crash report could not be written)"
    return str(path)


def wrong_building_message(exc: WrongBuilding, *, config_given: bool) -> str:
    """What the operator reads when the store is another building's, and what to type."""
    mine, theirs = exc.recorded, exc.given
    given = f"“{theirs.name}”" + (
        f" (from {theirs.path})" if config_given else " (the demo building: no --config given)"
    )
    lines = [
        f"{exc.db} is the store of building “{mine.name}”, not of {given}. "
        "The server did not start.",
    ]
    if mine.path:
        lines.append(
            f"  - to serve “{mine.name}”, give its file: "
            f"antre server --config {mine.path} --db {exc.db} …"
        )
    else:
        lines.append(f"  - to serve “{mine.name}”, give its building file with --config")
    lines += [
        f"  - to start “{theirs.name}” on a store of its own, give another --db "
        f"(or move {exc.db} aside)",
        f"  - if “{mine.name}” was renamed “{theirs.name}” in this file, add --accept-building "
        "once",
    ]
    return "\n".join(lines)


def where_to_point(
    building: Building, ws_url: str, http_url: str, secrets: dict[str, str] | None
) -> str:
    """The banner telling a newcomer how to connect each part; `secrets` only for the demo."""

    def secret(ident: str, placeholder: str) -> str:
        return secrets.get(ident, placeholder) if secrets else placeholder

    kiosk = next((d for d in building.devices if d.kind == DeviceKind.KIOSK), None)
    displays = [d for d in building.devices if d.kind == DeviceKind.DISPLAY]
    counter = building.counters[0] if building.counters else None
    officer = next((o for o in building.officers if counter and o.agency == counter.agency), None)
    manager = building.managers[0] if building.managers else None
    rows = [f"{building.name} is serving at {ws_url}", ""]
    for d in displays:
        zone = f"zone={d.zone}&" if d.zone else ""
        token = secret(d.id, "<token of " + d.id + ">")
        rows.append(f"  TV {d.id:<10} {http_url}/display?{zone}token={token}")
    if kiosk is not None:
        token = secret(kiosk.id, "<token of " + kiosk.id + ">")
        rows.append(
            f"  Kiosk {kiosk.id:<7} antre kiosk --server {ws_url} --token {token}"
            " --printer dummy:var/tickets.bin"
        )
    if counter is not None:
        who = f"   officer {officer.id}" if officer else ""
        if officer and secrets:
            who += f", PIN {secret(officer.id, '')}"
        rows.append(
            f"  Counter {counter.id:<5} antre counter --server {ws_url} --counter {counter.id}{who}"
        )
    if manager is not None:
        pin = f"   PIN {secret(manager.id, '')}" if secrets else ""
        rows.append(f"  Floor         antre floor --server {ws_url} --manager {manager.id}{pin}")
    if any(line.booking is not None for line in building.lines):
        # The citizens' booking pages (issue 19); on the internet at `public_url` when set.
        base = (building.booking.public_url or http_url).rstrip("/")
        rows.append(f"  Booking       {base}{BOOK_PATH}")
    if building.survey.enabled:
        # The SKM survey (issue 20): each counter's tablet page, and the page at the exit.
        for d in building.devices:
            token = secret(d.id, "<token of " + d.id + ">")
            if d.kind is DeviceKind.TABLET:
                rows.append(f"  Tablet {d.counter or '':<6} {http_url}/tablet?token={token}")
            elif d.kind is DeviceKind.EXIT:
                rows.append(f"  Exit          {http_url}/keluar?token={token}")
    rows.append(f"  Health        {http_url}/healthz")
    rows += [
        "",
        "  (`antre` lives in .venv/bin: run `source .venv/bin/activate` in a new terminal)",
    ]
    if secrets:
        rows += ["", "  Every demo credential is in server/demo/credentials.txt and the README."]
    return "\n".join(rows)
