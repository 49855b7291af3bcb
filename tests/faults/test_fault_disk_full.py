"""A disk that fills up under load: the server stops, and a restart on free space loses nothing.

The real `antre server` runs with RLIMIT_FSIZE set 1.5 MiB above its store's size: its
SQLite files cannot grow past that, so a commit fails partway through writing the WAL, exactly
as on a full disk (SQLite reports SQLITE_FULL or an I/O error; the engine treats both alike).
A real full filesystem needs a mount, which CI may not allow; the file-size limit reaches the
same failed `write()` without one.

Two kiosks and two officers (`AntreClient`, as the apps use) keep working throughout. Once the
disk is full:

- the server exits by itself with status 75 (EX_TEMPFAIL), so that its supervisor restarts it,
  and says why in its log: memory was ahead of the disk, only a restart makes them agree again;
- a request whose commit failed is never acknowledged: its client is answered `internal_error`,
  or loses the connection first and sends it again, with its request id, to the next server;
- restarted with room on the disk, the server holds every acknowledged ticket and call, numbers
  go on without a double, no ticket was called twice, the store passes `integrity_check`, and
  the same clients carry on working without being restarted.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta
from pathlib import Path

from faultkit import (
    MONDAY_0900,
    Acks,
    Crew,
    check_store,
    free_port,
    serving,
    start_server,
    stop_server,
)

from server.app import EXIT_STORE_FAILED

# Room left for the WAL above the store's size: about a hundred commits under load, below the
# automatic checkpoint (1,000 pages), so that it is a WAL write that fails.
HEADROOM = 1536 * 1024


async def _fill_then_restart(db: Path, log: Path, port: int, acks: Acks) -> dict[str, object]:
    url = f"ws://127.0.0.1:{port}/ws"
    limit = max(f.stat().st_size for f in db.parent.glob(db.name + "*")) + HEADROOM
    proc = await asyncio.to_thread(start_server, db, port, MONDAY_0900, log, file_size_limit=limit)
    crew = Crew(url, acks)
    seen: dict[str, object] = {}
    try:
        await crew.start()
        # The server must stop by itself: nobody signals it.
        status = await asyncio.to_thread(proc.wait, 90)
        seen["status"] = status
        seen["acked_before"] = dict(acks.issued)
        # Free space (no limit this time), and the next life must carry on from the log.
        proc = await asyncio.to_thread(
            start_server, db, port, MONDAY_0900 + timedelta(minutes=2), log
        )
        await serving(acks, 2)
        seen["last_seq"], seen["positions"] = await crew.finish(port)
    finally:
        await crew.close()
        await stop_server(proc)
    return seen


def test_a_full_disk_stops_the_server_and_a_restart_loses_nothing(tmp_path: Path) -> None:
    db, log, port = tmp_path / "antre.db", tmp_path / "server.log", free_port()
    # A first life makes the store; its clean stop checkpoints the WAL, so the headroom is the
    # WAL's room to grow.
    proc = start_server(db, port, MONDAY_0900 - timedelta(minutes=5), log)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0

    acks = Acks()
    seen = asyncio.run(asyncio.wait_for(_fill_then_restart(db, log, port, acks), 240))
    text = log.read_text(errors="replace")
    print(
        f"disk full after {len(seen['acked_before'])} acknowledged tickets "  # type: ignore[arg-type]
        f"({HEADROOM // 1024} KiB of WAL); {len(acks.issued)} in all, {len(acks.calls)} calls"
    )

    assert seen["status"] == EXIT_STORE_FAILED, text[-3000:]
    assert "the store failed" in text, text[-3000:]
    assert seen["acked_before"], "the disk filled before any ticket was acknowledged"

    check_store(db, acks)
    after = [t for t in acks.issued if t not in seen["acked_before"]]  # type: ignore[operator]
    assert after, "no ticket was acknowledged after the restart"
    assert seen["positions"] == [seen["last_seq"]] * 4, "a client did not catch up"
