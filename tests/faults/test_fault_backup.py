"""`antre backup` copies the live store under load, and a server started on the copy agrees."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from datetime import timedelta
from pathlib import Path

from faultkit import (
    MONDAY_0900,
    Acks,
    demo_hello,
    free_port,
    kiosk_loop,
    officer_loop,
    quick_client,
    serving,
    start_server,
)

from server.backup import BackupInfo, backup, backup_main
from server.config import load_demo_building
from server.core.queue import QueueState
from server.store.rows import _stored  # the store's own row decoder: the test must not re-invent it


def _events(db: Path, upto: int) -> list[tuple]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT seq, actor, request_id, payload FROM events WHERE seq <= ? ORDER BY seq",
            (upto,),
        ).fetchall()
    finally:
        con.close()


async def _backups_under_load(db: Path, log: Path, dest: Path) -> list[BackupInfo]:
    port = free_port()
    url = f"ws://127.0.0.1:{port}/ws"
    proc = await asyncio.to_thread(start_server, db, port, MONDAY_0900, log)
    clients = [quick_client(url, demo_hello(w)) for w in ("KIOSK-1", "KIOSK-2", "DKP01@L01")]
    acks, stop = Acks(), asyncio.Event()
    try:
        await asyncio.gather(*(c.connect(timeout=30) for c in clients))
        load = [asyncio.create_task(kiosk_loop(k, acks, stop)) for k in clients[:2]]
        load.append(asyncio.create_task(officer_loop(clients[2], "L01", acks, stop)))
        infos = []
        for i in range(3):
            # Load before each copy, counted in acknowledgements (a slow machine only takes
            # longer): each copy must hold more of the log than the one before.
            await serving(acks, i + 1, tickets=10, calls=1)
            # In a thread, as `antre backup` runs in its own process: the server keeps serving.
            infos.append(await asyncio.to_thread(backup, db, dest / f"copy-{i}.db"))
        await serving(acks, 4, tickets=5, calls=0)  # and the server goes on after the last
        stop.set()
        await asyncio.wait_for(asyncio.gather(*load), 30)
    finally:
        for c in clients:
            await c.close()
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 20)
    assert len(acks.issued) >= 35, "too little load to prove much"  # by serving, above
    return infos


async def _snapshot_of(copy: Path, log: Path) -> dict:
    port = free_port()
    proc = await asyncio.to_thread(
        start_server, copy, port, MONDAY_0900 + timedelta(minutes=10), log
    )
    floor = quick_client(f"ws://127.0.0.1:{port}/ws", demo_hello("LANTAI"))
    try:
        await floor.connect(timeout=30)
        return await floor.snapshot()
    finally:
        await floor.close()
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 20)


def test_backup_under_load_is_consistent_and_serves_the_same_state(tmp_path: Path) -> None:
    """Backups taken while serving are prefixes of the log; a server on one shows that state."""
    db, log, dest = tmp_path / "antre.db", tmp_path / "server.log", tmp_path / "backups"
    infos = asyncio.run(_backups_under_load(db, log, dest))
    assert [i.last_seq for i in infos] == sorted(i.last_seq for i in infos)
    assert infos[0].last_seq > 0 and infos[-1].last_seq > infos[0].last_seq, "no load between"
    for info in infos:
        assert _events(info.path, info.last_seq) == _events(db, info.last_seq), "not a prefix"
        assert not Path(f"{info.path}-wal").exists(), "the copy needs its WAL beside it"

    info = infos[-1]
    expected = QueueState(load_demo_building())
    for row in _events(db, info.last_seq):
        expected.apply(_stored(row).event)
    snap = asyncio.run(_snapshot_of(info.path, log))
    assert snap["seq"] == info.last_seq
    assert {t["id"]: t["state"] for t in snap["tickets"]} == {
        t.id: t.state.value for t in expected.tickets.values()
    }
    assert {c["id"]: c["state"] for c in snap["counters"]} == {
        c.id: c.state.value for c in expected.counters.values()
    }


def test_backup_main_refuses_what_is_not_a_store(tmp_path: Path, capsys) -> None:
    """`antre backup` exits 1 with a message for a missing or foreign file, writing nothing."""
    foreign = tmp_path / "notes.db"
    foreign.write_text("not sqlite")
    assert backup_main(str(tmp_path / "missing.db"), str(tmp_path / "out.db")) == 1
    assert backup_main(str(foreign), str(tmp_path / "out.db")) == 1
    assert backup_main(str(foreign), str(foreign)) == 1
    assert not (tmp_path / "out.db").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["notes.db"], "a partial file was left"
    assert "antre backup:" in capsys.readouterr().err


def test_backup_into_a_directory_gets_a_dated_name(tmp_path: Path) -> None:
    """A DEST that is a directory receives antre-YYYYmmdd-HHMMSS.db, verified."""
    db = tmp_path / "antre.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, payload TEXT)")
    con.executemany("INSERT INTO events VALUES (?, 'x')", [(i,) for i in range(1, 6)])
    con.commit()
    con.close()
    info = backup(db, str(tmp_path / "daily") + "/")
    assert info.path.parent == tmp_path / "daily" and info.path.name.startswith("antre-")
    assert (info.events, info.last_seq) == (5, 5)
