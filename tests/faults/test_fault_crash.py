"""SIGKILL the real server at random moments under load; every client resumes by sequence number.

One asyncio loop runs two kiosks, two officers (counter L01 on line A, L06 on lines C and D)
and two TVs (zone 1 and zone 2) — all `AntreClient`s — across every life of the server. Between
lives the server is killed with SIGKILL at a random moment, counted in acknowledgements (after a
drawn number of tickets and a call in that life, then up to 0.1 s more) rather than in seconds, so
that a slow machine shifts the moment but never kills an idle server; it is restarted on the same
store and port; the clients reconnect on their own and
resume from their last sequence number. Afterwards:

- every ticket acknowledged to a kiosk is on disk with its number, every acknowledged print too;
- no number exists twice on a line and day; no ticket was called twice; every acknowledged call
  is in the log;
- each TV resumed every time by replay (a snapshot would mean it had seen an event the store
  lost), received events in strictly increasing sequence order with no double, and received
  every call of its zone exactly once;
- every client's position caught up with the store's last sequence number.

`ANTRE_FAULT_KILLS` sets the number of kills (6 here; `make soak` runs many more). The moments
come from the `rng` fixture (tests/conftest.py): a failure names its seed, and `ANTRE_TEST_SEED`
draws the same moments again.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from faultkit import (
    MONDAY_0900,
    Acks,
    KillMoment,
    Watcher,
    check_store,
    demo_hello,
    free_port,
    health,
    kill_moments,
    kiosk_loop,
    officer_loop,
    quick_client,
    serving,
    start_server,
    stop_server,
)

from server.config import load_demo_building

KILLS = int(os.environ.get("ANTRE_FAULT_KILLS", "6"))


async def _lives(
    db: Path, log: Path, port: int, acks: Acks, moments: list[KillMoment]
) -> tuple[list[Watcher], list, int, list[tuple[int, int]]]:
    url = f"ws://127.0.0.1:{port}/ws"
    proc = await asyncio.to_thread(start_server, db, port, MONDAY_0900, log)
    kiosks = [quick_client(url, demo_hello(k)) for k in ("KIOSK-1", "KIOSK-2")]
    officers = {
        c: quick_client(url, demo_hello(f"{o}@{c}"))
        # L06 serves line D, which has no quota: calls go on after A's 300 tickets are gone.
        for c, o in (("L01", "DKP01"), ("L06", "DKP02"))
    }
    tvs = [Watcher(url, demo_hello("TV-1")), Watcher(url, demo_hello("TV-2"))]
    clients = [*kiosks, *officers.values(), *(tv.client for tv in tvs)]
    await asyncio.gather(*(c.connect(timeout=30) for c in clients))
    stop = asyncio.Event()
    load = [asyncio.create_task(kiosk_loop(k, acks, stop)) for k in kiosks]
    load += [asyncio.create_task(officer_loop(c, cid, acks, stop)) for cid, c in officers.items()]
    per_life: list[tuple[int, int]] = []  # (tickets, calls) acknowledged before each kill
    try:
        for life, moment in enumerate(moments, start=1):
            # Each kill lands on a server under load: this life has acknowledged its drawn number
            # of tickets and a call, however slowly a busy machine restarts it.
            per_life.append(await moment.wait(acks, life))
            # ...and with every TV back: a kill before a TV reconnects would fold two lives into
            # one of its resumes, which says nothing about the server.
            await _tvs_connected(tvs, life)
            os.kill(proc.pid, signal.SIGKILL)
            await asyncio.to_thread(proc.wait)
            # Each life's clock starts later than the last ended, as a real clock would.
            clock = MONDAY_0900 + timedelta(minutes=2 * life)
            proc = await asyncio.to_thread(start_server, db, port, clock, log)
        await serving(acks, KILLS + 1)  # the last life under load too
        stop.set()
        await asyncio.wait_for(asyncio.gather(*load), 60)
        for c in clients:
            await c.wait_connected(timeout=30)
            await c.ping()  # a pong moves the position up to the store's last seq
        last_seq = health(port)["seq"]
        positions = [c.last_seq for c in clients]
    finally:
        for c in clients:
            await c.close()
        await stop_server(proc)
    assert proc.returncode == 0, "the server did not stop cleanly on SIGTERM"
    return tvs, positions, last_seq, per_life


async def _tvs_connected(tvs: list[Watcher], life: int) -> None:
    """Wait until every TV has been welcomed in this life (its `life`-th connection)."""
    async with asyncio.timeout(60):
        while any(len(tv.resumes) < life for tv in tvs):
            await asyncio.sleep(0.01)


def test_sigkill_at_random_moments_loses_nothing_and_clients_resume(
    tmp_path: Path, rng: random.Random
) -> None:
    """Random SIGKILLs under load: acks survive, nothing doubles, every client resumes by seq."""
    db, log, acks = tmp_path / "antre.db", tmp_path / "server.log", Acks()
    # About as many tickets per life as the half-second waits of old gave on an idle machine.
    moments = kill_moments(rng, KILLS, tickets=(1, 60))
    # A bound on the whole run: a client that never resumes must fail the test, not stall it.
    # It grows with the kills (a restart takes a second or two on a busy machine), so that
    # `make soak`'s 60 kills are not cut short.
    tvs, positions, last_seq, per_life = asyncio.run(
        asyncio.wait_for(_lives(db, log, free_port(), acks, moments), 120 + 10 * KILLS)
    )
    print(f"{KILLS} kill points: {len(acks.issued)} tickets, {len(acks.calls)} calls acknowledged")
    # Every kill landed under load: its life had acknowledged its drawn number of tickets and
    # a call, however slowly the machine went.
    assert all(map(KillMoment.under_load, moments, per_life)), ("too little load", per_life)

    calls = check_store(db, acks)

    zone_of = {c.id: c.zone for c in load_demo_building().counters}
    for tv, zone in zip(tvs, ("1", "2"), strict=True):
        assert len(tv.resumes) == KILLS + 1, tv.resumes
        assert tv.resumes[0] == "snapshot" and set(tv.resumes[1:]) <= {"replay"}, tv.resumes
        assert all(b > a for a, b in zip(tv.seqs, tv.seqs[1:], strict=False)), "out of order"
        assert tv.calls == [t for t, c in calls if zone_of[c] == zone], "calls lost or doubled"
    assert positions == [last_seq] * len(positions), "a client did not catch up"


def test_the_store_survives_a_kill_during_start_up(tmp_path: Path) -> None:
    """A SIGKILL while the server is starting leaves a store that the next start opens."""
    db, log, port = tmp_path / "antre.db", tmp_path / "server.log", free_port()
    proc = start_server(db, port, MONDAY_0900, log)
    proc.send_signal(signal.SIGTERM)
    proc.wait(20)
    cmd = [sys.executable, "-m", "server.cli", "server", "--db", str(db), "--port", str(port)]
    early = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    early.kill()  # most likely mid-import or mid-open: either must be harmless
    early.wait()
    proc = start_server(db, port, MONDAY_0900 + timedelta(minutes=1), log)
    try:
        assert health(port)["ok"] is True
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
