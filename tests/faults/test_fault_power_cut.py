"""A power cut under load: what was never fsync'd is gone, and nothing acknowledged is lost.

The store lives on `powercut_fs.py`, a FUSE file system that keeps every write a file has not
fsync'd yet in its own memory. A power cut is the server and that file system killed together
(SIGKILL): the unsynced writes vanish as a disk's volatile cache does, and only what reached the
disk through fsync is left in the backing directory. A SIGKILL of the server alone (the crash
tests) leaves the kernel's page cache, and with it every write, in place; this does not.

The first test shows the file system does lose unsynced data (so the second could fail): SQLite
commits made with `synchronous = OFF` are gone after a cut, those made with `FULL` are kept.

The second runs the real `antre server` on it with two kiosks and two officers working, cuts the
power three times (`ANTRE_POWER_CUTS`; thirty in `make soak`) at moments drawn at random and
counted in acknowledgements (a number of tickets and a call in that life, then up to 0.1 s more;
`ANTRE_TEST_SEED` replays them, see tests/conftest.py), and after each cut checks the backing
store before anything else touches it: it passes `integrity_check`, every acknowledged ticket is
there with its number, every acknowledged print and call, no number was issued twice, no ticket
was called twice. The next life starts on the same files and the same
clients carry on. What it cannot show: a disk that acknowledges an fsync it has not done (the
operations guide says what disk the store needs).

Needs root (FUSE) and `fusermount3` (Debian's fuse3, installed by scripts/system-deps.sh).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from faultkit import (
    MONDAY_0900,
    Acks,
    Crew,
    KillMoment,
    check_store,
    free_port,
    kill_moments,
    serving,
    start_server,
    stop_server,
)

from server.app import EXIT_STORE_FAILED

FS = Path(__file__).with_name("powercut_fs.py")
CUTS = int(os.environ.get("ANTRE_POWER_CUTS", "3"))  # make soak: 30


class PowerCutDisk:
    """`powercut_fs.py` mounted over `backing` at `mountpoint` until `cut()`."""

    def __init__(self, backing: Path, mountpoint: Path) -> None:
        self.backing, self.mountpoint = backing, mountpoint
        backing.mkdir(exist_ok=True)
        mountpoint.mkdir(exist_ok=True)
        log = (backing.parent / "powercut_fs.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, str(FS), str(backing), str(mountpoint)], stdout=log, stderr=log
        )
        self.mounted = True
        deadline = time.monotonic() + 15
        while not os.path.ismount(mountpoint):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError("powercut_fs did not mount; see powercut_fs.log")
            time.sleep(0.05)

    def fail_syncs(self) -> None:
        """The disk goes bad: every later fsync fails with EIO and loses what it held."""
        self.proc.send_signal(signal.SIGUSR1)

    def cut(self) -> None:
        """The power goes: everything not synced is lost; the mount is gone."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.mounted:  # the kernel keeps a dead FUSE mount until it is unmounted
            self.mounted = False
            subprocess.run(["fusermount3", "-u", "-z", str(self.mountpoint)], check=True)


def _commit_rows(db: Path, synchronous: str, n: int) -> sqlite3.Connection:
    """`n` autocommit inserts; the connection is returned open, as a process that loses power
    leaves it: no checkpoint, no clean close."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute(f"PRAGMA synchronous = {synchronous}")
    con.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    for i in range(n):
        con.execute("INSERT INTO t VALUES (?)", (i,))
    assert con.execute("SELECT count(*) FROM t").fetchone() == (n,)
    return con


def test_the_file_system_loses_exactly_what_was_not_synced(tmp_path: Path) -> None:
    disk = PowerCutDisk(tmp_path / "backing", tmp_path / "mnt")
    still_open: list[sqlite3.Connection] = []
    try:
        (tmp_path / "mnt" / "unsynced").write_bytes(b"written, never synced")
        with (tmp_path / "mnt" / "synced").open("wb") as f:
            f.write(b"written and synced")
            f.flush()
            os.fsync(f.fileno())
        assert (tmp_path / "mnt" / "unsynced").read_bytes() == b"written, never synced"
        still_open.append(_commit_rows(tmp_path / "mnt" / "off.db", "OFF", 50))
        still_open.append(_commit_rows(tmp_path / "mnt" / "full.db", "FULL", 50))
    finally:
        disk.cut()
        for con in still_open:
            con.close()  # (the mount is gone: nothing reaches the backing files any more)

    backing = tmp_path / "backing"
    assert (backing / "unsynced").read_bytes() == b""  # the name survives, the data does not
    assert (backing / "synced").read_bytes() == b"written and synced"
    counts = {}
    for name in ("off.db", "full.db"):
        con = sqlite3.connect(backing / name)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            tables = con.execute("SELECT count(*) FROM sqlite_master WHERE name = 't'").fetchone()
            counts[name] = con.execute("SELECT count(*) FROM t").fetchone()[0] if tables[0] else 0
        finally:
            con.close()
    assert counts == {"off.db": 0, "full.db": 50}, counts


async def _lives(
    tmp_path: Path, acks: Acks, moments: list[KillMoment]
) -> tuple[list[int], list[tuple[int, int]]]:
    backing, mnt = tmp_path / "backing", tmp_path / "mnt"
    log, port = tmp_path / "server.log", free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    crew = Crew(url, acks)
    tickets_at_cut: list[int] = []
    per_life: list[tuple[int, int]] = []  # (tickets, calls) acknowledged before each cut
    disk = PowerCutDisk(backing, mnt)
    clock = MONDAY_0900
    proc = await asyncio.to_thread(start_server, mnt / "antre.db", port, clock, log)
    try:
        await crew.start()
        for life, moment in enumerate(moments, start=1):
            per_life.append(await moment.wait(acks, life))
            proc.kill()  # the power goes: the server and the disk's cache together
            disk.cut()
            proc.wait()
            tickets_at_cut.append(len(acks.issued))
            check_store(backing / "antre.db", acks)  # before anything else opens the files
            disk = PowerCutDisk(backing, mnt)
            clock += timedelta(minutes=2)
            proc = await asyncio.to_thread(start_server, mnt / "antre.db", port, clock, log)
        await serving(acks, CUTS + 1)
        last_seq, positions = await crew.finish(port)
        assert positions == [last_seq] * len(positions), "a client did not catch up"
    finally:
        await crew.close()
        await stop_server(proc)
        disk.cut()
    return tickets_at_cut, per_life


def test_a_power_cut_under_load_loses_nothing_acknowledged(
    tmp_path: Path, rng: random.Random
) -> None:
    acks = Acks()
    moments = kill_moments(rng, CUTS, tickets=(1, 40))
    at_cut, per_life = asyncio.run(
        asyncio.wait_for(_lives(tmp_path, acks, moments), 60 + 10 * CUTS)
    )
    calls = check_store(tmp_path / "backing" / "antre.db", acks)
    print(
        f"{CUTS} power cuts after {at_cut} acknowledged tickets; "
        f"{len(acks.issued)} tickets and {len(acks.calls)} calls in all, {len(calls)} on disk"
    )
    assert all(map(KillMoment.under_load, moments, per_life)), ("cut without load", per_life)
    assert len(acks.issued) > at_cut[-1], "no ticket was acknowledged after the last cut"


async def _bad_disk(tmp_path: Path, acks: Acks) -> dict[str, object]:
    backing, mnt = tmp_path / "backing", tmp_path / "mnt"
    log, port = tmp_path / "server.log", free_port()
    crew = Crew(f"ws://127.0.0.1:{port}/ws", acks)
    disk = PowerCutDisk(backing, mnt)
    proc = await asyncio.to_thread(start_server, mnt / "antre.db", port, MONDAY_0900, log)
    seen: dict[str, object] = {}
    try:
        await crew.start()
        await serving(acks, 1)
        disk.fail_syncs()
        # The server must stop by itself: its next commit's fsync fails.
        seen["status"] = await asyncio.to_thread(proc.wait, 60)
        seen["acked_before"] = dict(acks.issued)
        disk.cut()  # what the failed fsyncs dropped is lost for good
        check_store(backing / "antre.db", acks)
        disk = PowerCutDisk(backing, mnt)  # the disk replaced, the files restored as they were
        proc = await asyncio.to_thread(
            start_server, mnt / "antre.db", port, MONDAY_0900 + timedelta(minutes=2), log
        )
        await serving(acks, 2)
        seen["last_seq"], seen["positions"] = await crew.finish(port)
    finally:
        await crew.close()
        await stop_server(proc)
        disk.cut()
    return seen


def test_a_failed_fsync_stops_the_server_and_nothing_acknowledged_is_lost(tmp_path: Path) -> None:
    """fsync returns EIO (a failing disk) and drops the writes it held, as Linux does.

    A commit whose fsync failed must never be acknowledged, and the server must not go on as
    if a later fsync had saved it: it stops with 75 (as on a full disk), nothing acknowledged
    is missing after a power cut, and a server on a good disk carries on from the log.
    """
    acks = Acks()
    seen = asyncio.run(asyncio.wait_for(_bad_disk(tmp_path, acks), 120))
    text = (tmp_path / "server.log").read_text(errors="replace")
    assert seen["status"] == EXIT_STORE_FAILED, text[-3000:]
    assert "the store failed" in text, text[-3000:]
    check_store(tmp_path / "backing" / "antre.db", acks)
    assert len(acks.issued) > len(seen["acked_before"]), "nothing acknowledged after the restart"  # type: ignore[arg-type]
    assert seen["positions"] == [seen["last_seq"]] * 4, "a client did not catch up"
