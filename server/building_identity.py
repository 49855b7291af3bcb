"""Which building a store belongs to: the identity a store records, and how a new one compares.

A store holds one building's days. Opened with another building's file (a missing `--config`
falls back to the demo building), the server would file that building's names over the log, and
a report would print its lines under the other building's names. So the server records the
building's identity in the store (`server.store`: table `buildings`) and every command that
opens a store compares the file it was given with it (docs/operations.md, "Changing the
building file"):

- the **name** (`[building] name`) is what makes a building that building: same name, same
  building. Files change legitimately (lines added, hours moved, a counter removed): the
  **digest** of the file's content then changes and the server records the new one;
- a file with **another name** is refused (`WrongBuilding`, exit `EXIT_WRONG_BUILDING`) unless
  the operator says the building was renamed (`--accept-building`), or the store has no event
  yet (nothing to mix up);
- the **path** is only for messages: it tells the operator which file to give.

Standard library only: the store, the configuration and the commands all import it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "EXIT_WRONG_BUILDING",
    "BuildingIdentity",
    "Match",
    "RecordedBuilding",
    "WrongBuilding",
    "compare",
]

# sysexits.h EX_CONFIG: the configuration does not fit. Not 1 ("could not listen") and not 75
# (a restart may help): restarting with the same files fails the same way.
EXIT_WRONG_BUILDING = 78


@dataclass(frozen=True, slots=True)
class BuildingIdentity:
    """A building file as the store records it."""

    name: str  # [building] name: the building's identity
    digest: str  # SHA-256 of the file's content as TOML data; "" when unknown
    path: str  # the file's absolute path when read; "" when unknown (for messages only)


@dataclass(frozen=True, slots=True)
class RecordedBuilding:
    """One row of a store's `buildings` table: an identity and when the server accepted it."""

    identity: BuildingIdentity
    recorded_at: str  # ISO instant (the server's clock)
    after_seq: int  # the log's last seq then: later events were made under this file
    how: str  # "created", "legacy", "changed", "moved", "renamed": see `Match`


class Match(enum.Enum):
    """How a building file compares with the one a store records."""

    NEW = "created"  # the store records none yet: record this one
    SAME = "same"  # same name, same content and path: nothing to record
    CHANGED = "changed"  # same name, new content: a legitimate edit, recorded
    MOVED = "moved"  # same name and content, the file is elsewhere now: recorded
    OTHER = "renamed"  # another name: refused, or recorded as a renaming when accepted


def compare(recorded: BuildingIdentity | None, given: BuildingIdentity) -> Match:
    """How `given` relates to the identity a store records (None: it records none).

    An empty digest or path on either side means "not known" and is not a difference.
    """
    if recorded is None:
        return Match.NEW
    if recorded.name != given.name:
        return Match.OTHER
    if given.digest and recorded.digest != given.digest:
        return Match.CHANGED
    if given.path and recorded.path != given.path:
        return Match.MOVED
    return Match.SAME


class WrongBuilding(Exception):
    """A store opened with another building's file. Nothing was read into the state nor written.

    The commands turn it into a message naming both buildings and what to type
    (`antre server`, `antre report`); the exit status is `EXIT_WRONG_BUILDING`.
    """

    def __init__(self, db: str, recorded: BuildingIdentity, given: BuildingIdentity) -> None:
        super().__init__(
            f"{db} is the store of building “{recorded.name}”, not “{given.name}”"
            + (f" (its file: {recorded.path})" if recorded.path else "")
        )
        self.db = db
        self.recorded = recorded
        self.given = given
