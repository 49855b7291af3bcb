"""The store's `buildings` table: which building file the store belongs to, and its history.

Read and written on a plain sqlite3 connection: the writer's (the server records a file at
start, `Store.record_building`) or an offline reader's (`StoreReader.building`). What the rows
mean, and how a new file is compared with the last one, is server/building_identity.py.
"""

from __future__ import annotations

import sqlite3

from server.building_identity import BuildingIdentity, RecordedBuilding

__all__ = ["read_building", "record_building"]

_LAST = (
    "SELECT name, digest, path, recorded_at, after_seq, how FROM buildings ORDER BY id DESC LIMIT 1"
)


def read_building(db: sqlite3.Connection) -> RecordedBuilding | None:
    """The building the store belongs to (its last recorded file); None when it records none.

    A store older than schema 6, read without migrating (an offline reader opens it read-only),
    has no `buildings` table: the name its server kept in `meta` stands for it.
    """
    try:
        row = db.execute(_LAST).fetchone()
    except sqlite3.OperationalError:  # no such table: a store from before schema 6
        row = None
        try:
            legacy = db.execute("SELECT value FROM meta WHERE key = 'building'").fetchone()
        except sqlite3.OperationalError:
            legacy = None
        if legacy is not None:
            return RecordedBuilding(BuildingIdentity(legacy[0], "", ""), "", 0, "legacy")
    if row is None:
        return None
    name, digest, path, recorded_at, after_seq, how = row
    return RecordedBuilding(BuildingIdentity(name, digest, path), recorded_at, after_seq, how)


def record_building(
    db: sqlite3.Connection, identity: BuildingIdentity, recorded_at: str, how: str
) -> None:
    """Append a row: from the log's current last event on, the store belongs to `identity`."""
    db.execute(
        "INSERT INTO buildings (recorded_at, after_seq, name, digest, path, how) "
        "VALUES (?, (SELECT coalesce(max(seq), 0) FROM events), ?, ?, ?, ?)",
        (recorded_at, identity.name, identity.digest, identity.path, how),
    )
