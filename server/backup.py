"""`antre backup DEST`: a consistent copy of the live store while the server keeps serving.

Theory of operation. The server holds the store open in WAL mode; a second process may read it
at any time without blocking the server's writer. `backup_main` opens the store read-only and
copies it with SQLite's online backup API into a temporary file beside the destination, then
checks the copy (`PRAGMA integrity_check`, the event log gapless from 1 to its last sequence
number, not older than the store was when the backup began), makes it self-contained (journal
mode DELETE: no -wal file needed beside it), fsyncs it and renames it into place. DEST is
therefore either the previous backup or a complete, verified new one — never half a file.

The copy is taken in one backup step, i.e. inside one read transaction: that is what makes it
one instant of the store. Copying in several steps would let the server's commits in between
restart the copy from the first page (SQLite restarts a backup whose source another connection
changed), and a busy server could keep it restarting for ever. Under WAL the single step does
not block the server; its commits go on into the WAL while the copy reads.

Restore (docs/operations.md): stop the server, put the copy at the store's path (removing the
old -wal and -shm files), start the server: it rebuilds today's state from the copied log, and
clients that saw later events get a snapshot (their last_seq is ahead of the store).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["BackupError", "BackupInfo", "backup", "backup_main"]


class BackupError(Exception):
    """The backup could not be made or did not verify; DEST is left as it was."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path  # the backup written
    events: int
    last_seq: int
    bytes: int
    seconds: float


def _target_path(dest: str) -> Path:
    """DEST itself, or a time-stamped file inside it when DEST is a directory (or ends in /)."""
    if dest.endswith(("/", os.sep)) or Path(dest).is_dir():
        return Path(dest) / f"antre-{datetime.now().strftime('%Y%m%d-%H%M%S')}.db"
    return Path(dest)


def _log_position(con: sqlite3.Connection) -> tuple[int, int]:
    count, last = con.execute("SELECT count(*), coalesce(max(seq), 0) FROM events").fetchone()
    return int(count), int(last)


def backup(db_path: str | os.PathLike[str], dest: str | os.PathLike[str]) -> BackupInfo:
    """Copy the store at `db_path` to `dest` (a file, or a directory for a dated file)."""
    started = time.perf_counter()
    source_path = Path(db_path)
    if not source_path.is_file():
        raise BackupError(f"no store at {source_path}")
    target = _target_path(os.fspath(dest))
    if target.resolve() == source_path.resolve():
        raise BackupError("the backup must not overwrite the store itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    for leftover in (partial, Path(f"{partial}-journal")):
        leftover.unlink(missing_ok=True)

    # mode=ro: a backup tool must never be able to change the store, even by mistake.
    src = sqlite3.connect(source_path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
    try:
        try:
            _count, before = _log_position(src)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source_path} is not an Antre store: {exc}") from exc
        out = sqlite3.connect(partial)
        try:
            src.backup(out, pages=-1)  # one step, one read transaction: see the module docstring
            out.execute("PRAGMA journal_mode = DELETE")
            (check,) = out.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise BackupError(f"the copy failed its integrity check: {check}")
            count, last = _log_position(out)
            if count != last:
                raise BackupError(f"the copy's event log has gaps: {count} events, last {last}")
            if last < before:
                raise BackupError(f"the copy ends at seq {last}, the store was at {before}")
        finally:
            out.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()

    # On disk before it replaces the previous backup, and the rename on disk too.
    with partial.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(partial, target)
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return BackupInfo(target, count, last, target.stat().st_size, time.perf_counter() - started)


def backup_main(db_path: str, dest: str) -> int:
    """Entry point of `antre backup`: print what was written; 0 on success, 1 on failure."""
    try:
        info = backup(db_path, dest)
    except (BackupError, sqlite3.Error, OSError) as exc:
        print(f"antre backup: {exc}", file=sys.stderr)
        return 1
    print(
        f"backup {info.path}: {info.events:,} events (last seq {info.last_seq}), "
        f"{info.bytes / 2**20:.1f} MiB in {info.seconds:.1f} s, verified"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: python -m server.backup DB DEST", file=sys.stderr)
        sys.exit(2)
    sys.exit(backup_main(sys.argv[1], sys.argv[2]))
