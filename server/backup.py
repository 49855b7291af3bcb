"""`antre backup DEST`: a consistent copy of the live store while the server keeps serving.

Theory of operation. The server holds the store open in WAL mode; a second process may read it
at any time without blocking the server's writer. `backup` opens the store read-only
(`server.store.StoreReader`) and has it copy itself with SQLite's online backup API into a
temporary file beside the destination and check the copy (`PRAGMA integrity_check`, the event
log gapless from 1 to its last sequence number, not older than the store was when the backup
began, self-contained: journal mode DELETE, no -wal file needed beside it): one backup step, one
instant of the store, without blocking the server (`StoreReader.copy_to` says why). This module
then fsyncs the copy and renames it into place. DEST is therefore either the previous backup or
a complete, verified new one — never half a file.

Restore (docs/operations.md): stop the server, put the copy at the store's path (removing the
old -wal and -shm files), start the server: it rebuilds today's state from the copied log, and
clients that saw later events get a snapshot (their last_seq is ahead of the store).

The copy carries the store's building (its `buildings` table), so a server started on a restored
copy checks it against its --config like any store. A backup never replaces a file that is
another building's backup (two buildings backing up into one share): `WrongBuilding`, exit 78.
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

from server.building_identity import EXIT_WRONG_BUILDING, BuildingIdentity, WrongBuilding
from server.store import StoreError, StoreReader
from server.store.offline import NoStoreFile, NotAStore

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
    building: str | None  # the name of the building the store belongs to, if it records one


def _target_path(dest: str) -> Path:
    """DEST itself, or a time-stamped file inside it when DEST is a directory (or ends in /)."""
    if dest.endswith(("/", os.sep)) or Path(dest).is_dir():
        return Path(dest) / f"antre-{datetime.now().strftime('%Y%m%d-%H%M%S')}.db"
    return Path(dest)


def backup(db_path: str | os.PathLike[str], dest: str | os.PathLike[str]) -> BackupInfo:
    """Copy the store at `db_path` to `dest` (a file, or a directory for a dated file)."""
    started = time.perf_counter()
    source_path = Path(db_path)
    target = _target_path(os.fspath(dest))
    if source_path.is_file() and target.resolve() == source_path.resolve():
        raise BackupError("the backup must not overwrite the store itself")
    # 30 s: a backup may wait out a long write of the server rather than fail.
    with StoreReader.open(source_path, timeout_s=30) as store:
        recorded = store.building()
        if recorded is not None:
            _not_another_buildings(target, recorded.identity)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        for leftover in (partial, Path(f"{partial}-journal")):
            leftover.unlink(missing_ok=True)
        try:
            position = store.copy_to(partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

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
    return BackupInfo(
        target,
        position.events,
        position.last_seq,
        target.stat().st_size,
        time.perf_counter() - started,
        recorded.identity.name if recorded is not None else None,
    )


def _not_another_buildings(target: Path, mine: BuildingIdentity) -> None:
    """WrongBuilding when `target` is a store (a backup) holding another building's events."""
    try:
        with StoreReader.open(target) as old:
            theirs = old.building()
            holds_events = old.log_position().events > 0
    except (NoStoreFile, NotAStore, sqlite3.Error):
        return  # nothing there, or not a store: replacing it is the caller's choice
    if theirs is not None and theirs.identity.name != mine.name and holds_events:
        raise WrongBuilding(str(target), theirs.identity, mine)


def backup_main(db_path: str, dest: str) -> int:
    """Entry point of `antre backup`: print what was written; 0 on success, 1 on failure."""
    try:
        info = backup(db_path, dest)
    except WrongBuilding as exc:
        print(
            f"antre backup: {exc.db} is a backup of “{exc.recorded.name}”, and {db_path} is the "
            f"store of “{exc.given.name}”: it was left as it was. Give this building's backups "
            "a file or directory of their own.",
            file=sys.stderr,
        )
        return EXIT_WRONG_BUILDING
    except (BackupError, StoreError, sqlite3.Error, OSError) as exc:
        print(f"antre backup: {exc}", file=sys.stderr)
        return 1
    of = f" of “{info.building}”" if info.building else ""
    print(
        f"backup {info.path}: {info.events:,} events{of} (last seq {info.last_seq}), "
        f"{info.bytes / 2**20:.1f} MiB in {info.seconds:.1f} s, verified"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: python -m server.backup DB DEST", file=sys.stderr)
        sys.exit(2)
    sys.exit(backup_main(sys.argv[1], sys.argv[2]))
