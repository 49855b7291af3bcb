"""Central and its PostgreSQL restarted mid-ingest: nothing lost, nothing doubled.

A real building's day (played through the real engine into a real store) is delivered as a
building's sender delivers it — in sequence order from its position, the position advanced only
past a batch answered 200, anything else sent again — while, at random batches, (1) the real
`antre central` process is SIGKILLed a few milliseconds into a request and started again, or
(2) the PostgreSQL server is stopped as if killed (`pg_ctl -m immediate`) and started again.
Central must end with exactly the building's events, once each, and the same figures as the same
day delivered without a fault (which tests/central/test_central_day.py holds equal to `antre
report`).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from centraltest import (
    BUILDING,
    CentralThread,
    batch_body,
    batches,
    central_toml,
    request,
    signed,
    store_log,
)

from server.central.batch import read_batch
from server.central.config import load_central
from server.central.ingest import ingest_batch, register_buildings
from server.central.localpg import free_port
from server.config import load_demo_building
from server.simulate.survey_week import VoiceParams, play_voice_days, voice_building

EVENTS = "/central/v1/events"
SIZE = 25  # events a batch: a day is ~30 batches


@pytest.fixture(scope="module")
def day_log(tmp_path_factory):
    db = tmp_path_factory.mktemp("restart") / "antre.db"
    building = voice_building(load_demo_building())
    asyncio.run(play_voice_days(building, db, VoiceParams(
        __import__("datetime").date(2026, 11, 24), days=1, seed=7)))  # fmt: skip
    return store_log(db)


def snapshot(dsn: str):
    """What central holds: every event's (seq, type) in order, the building's position and the
    line figures (without their update instants)."""
    with psycopg.connect(dsn) as conn:
        events = conn.execute("SELECT seq, type FROM events ORDER BY seq").fetchall()
        seq = conn.execute("SELECT contiguous_seq FROM buildings WHERE id = %s",
                           (BUILDING,)).fetchone()[0]  # fmt: skip
        figures = conn.execute("SELECT * FROM line_figures ORDER BY day, line").fetchall()
    return events, seq, [row[:-1] for row in figures]


def undisturbed(postgres, log) -> tuple:
    """The same day ingested without a fault, into a database of its own."""
    name = f"central_clean_{id(log)}"
    with psycopg.connect(postgres.dsn(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE central_template")
    with psycopg.connect(postgres.dsn(name), autocommit=True) as conn:
        register_buildings(conn, [(BUILDING, "MPP Kota Contoh", "Kota Contoh")])
        for part in batches(log, SIZE):
            ingest_batch(conn, read_batch(batch_body(part)))
    return snapshot(postgres.dsn(name))


class Sender:
    """A building's sender, reduced to what matters here: position, batch, resend."""

    def __init__(self, log) -> None:
        self.log, self.position, self.answers = log, 0, []

    def next_batch(self):
        return [e for e in self.log if e.seq > self.position][:SIZE]

    def post(self, port: int) -> None:
        part = self.next_batch()
        body = batch_body(part)
        try:
            status, answer = request(port, "POST", EVENTS, body, signed(body))
        except OSError as exc:  # refused, reset: the server is down
            status, answer = None, repr(exc)
        self.answers.append((status, answer))
        if status == 200:
            self.position = max(self.position, part[-1].seq)

    def done(self) -> bool:
        return self.position >= self.log[-1].seq


def _start_central(config: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "central", "--config", str(config),
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    line = proc.stdout.readline()  # the "listening on" line: it is ready
    assert "listening on" in line, line + proc.stdout.read()
    return proc


def test_central_killed_mid_ingest_loses_and_doubles_nothing(
    postgres, central_db, day_log, tmp_path, rng
):
    config, port = central_toml(tmp_path, central_db), free_port()
    sender = Sender(day_log)
    kill_at = set(rng.sample(range(2, 25), 4))
    proc = _start_central(config, port)
    try:
        for i in range(200):
            if sender.done():
                break
            if i in kill_at:
                inflight = threading.Thread(target=sender.post, args=(port,))
                inflight.start()
                time.sleep(rng.uniform(0.0, 0.03))  # the random moment of the kill
                proc.kill()
                proc.wait()
                inflight.join()
                proc = _start_central(config, port)
            else:
                sender.post(port)
        assert sender.done(), sender.answers[-3:]
    finally:
        proc.kill()
        proc.wait()
    assert snapshot(central_db) == undisturbed(postgres, day_log)


def test_postgres_restarted_mid_ingest_loses_and_doubles_nothing(
    postgres, central_db, day_log, tmp_path, rng
):
    sender = Sender(day_log)
    restart_at = set(rng.sample(range(2, 25), 2))
    with CentralThread(load_central(central_toml(tmp_path, central_db))) as central:
        for i in range(300):
            if sender.done():
                break
            if i in restart_at:
                inflight = threading.Thread(target=sender.post, args=(central.port,))
                inflight.start()
                time.sleep(rng.uniform(0.0, 0.03))
                postgres.restart("immediate")  # as if the database server were killed
                inflight.join()
            else:
                sender.post(central.port)
        assert sender.done(), sender.answers[-3:]
    statuses = {s for s, _ in sender.answers}
    assert statuses <= {200, 503}, sender.answers  # down is 503, never a lost 200 or a 500
    assert snapshot(central_db) == undisturbed(postgres, day_log)


def test_central_stopped_with_connections_open_stops_quietly(central_db, tmp_path):
    # Ctrl-C (SIGINT) or SIGTERM while buildings keep connections alive: central closes them
    # and exits 0, without a traceback per connection in its log.
    import signal
    import socket

    config, port = central_toml(tmp_path, central_db), free_port()
    proc = _start_central(config, port)
    idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(4)]
    # One in the middle of a request's head, one kept alive after an answer, one sending a
    # body.
    idle[1].sendall(b"POST /central/v1/events HTTP/1.1\r\n")
    idle[2].sendall(b"GET /healthz HTTP/1.1\r\nHost: c\r\n\r\n")
    idle[2].recv(4096)  # answered, kept alive
    head = signed(b"{}")
    idle[3].sendall(
        ("POST /central/v1/events HTTP/1.1\r\nContent-Length: 100\r\n"
         + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n{").encode()
    )  # fmt: skip
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    for s in idle:
        s.close()
    assert proc.returncode == 0, out
    assert "Traceback" not in out and "CancelledError" not in out, out
