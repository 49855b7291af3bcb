"""The building file against the live building (issue 23; docs/operations.md, "Editing the
building live").

The live building is the file's plus every `building_edited` of the store's log. A server
started with a file whose content changed since the store recorded it, while live edits exist,
cannot know which to serve: the file's author did not see the edits, the edits were made
against the file as it was. It refuses to start (exit 78), listing what differs between the
file and the live building, unless told `--take-file`: then the file wins and the live edits
are dropped (named in the log; they stay in the log as history). `antre config export --db DB`
writes the live building, to take its edits back into the file.

The store keeps the live building's text in its meta after every edit (`LIVE_TEXT`), since
the file it was made from may be gone by the time it is needed.
"""

from __future__ import annotations

from typing import Any

from server.config.edits import all_entities
from server.core.building import Building

__all__ = [
    "DROPPED_EDITS",
    "DROPPED_THROUGH",
    "LIVE_TEXT",
    "LIVE_VERSION",
    "LiveEditsDiffer",
    "differences",
    "dropped_ranges",
    "with_dropped",
]

LIVE_TEXT = "live_building"  # meta: the live building as a building file's text
LIVE_VERSION = "live_version"  # meta: the version that text is
# meta: the seq of the last edit a `--take-file` start dropped (the edits up to it are history)
DROPPED_THROUGH = "edits_dropped_through"
# meta: the edits `--take-file` starts dropped, one "first-last" seq range per such start
# ("3-7 12-12"); edits a start found in the file (its export, taken back) are not dropped.
# What `antre report`'s edits.csv marks `dropped`.
DROPPED_EDITS = "edits_dropped"


class LiveEditsDiffer(Exception):
    """The building file changed since the store recorded it, and live edits exist."""

    def __init__(self, db: str, path: str, differences: list[str], edits: int) -> None:
        super().__init__(f"{db}: the building file differs from the live building")
        self.db = db
        self.path = path
        self.differences = differences
        self.edits = edits

    def message(self) -> str:
        """What the operator reads, and what to type."""
        shown = self.differences[:40]
        more = len(self.differences) - len(shown)
        lines = [
            f"the building file {self.path} changed since {self.db} last recorded it, and "
            f"{self.edits} live edit(s) were made meanwhile (antre admin). The server did not "
            "start. The file differs from the live building in:",
            *(f"  - {d}" for d in shown),
        ]
        if not self.differences:
            # The store has not kept the live building's text (an older store, or keeping it
            # failed): what differs cannot be listed, and the export has nothing to write.
            lines.append("  (the live building's text is not in the store: the differences "
                         "cannot be listed; --take-file is the way to start)")  # fmt: skip
        if more:
            lines.append(f"  … and {more} more")
        lines += [
            f"  - to keep the live building: antre config export --db {self.db} --out FILE, "
            "merge your change into FILE, and start with --config FILE",
            "  - to serve the file as it is and drop the live edits: add --take-file once",
        ]
        return "\n".join(lines)


def dropped_ranges(text: str | None) -> list[tuple[int, int]]:
    """The (first, last) seq ranges a DROPPED_EDITS meta value lists."""
    ranges: list[tuple[int, int]] = []
    for part in (text or "").split():
        first, _, last = part.partition("-")
        ranges.append((int(first), int(last or first)))
    return ranges


def with_dropped(text: str | None, first: int, last: int) -> str:
    """A DROPPED_EDITS meta value with one more start's dropped range."""
    return " ".join([*(text or "").split(), f"{first}-{last}"])


def differences(file: Building, live: Building) -> list[str]:
    """What differs between the file's building and the live one, one line per entity."""
    mine, theirs = all_entities(file), all_entities(live)
    out: list[str] = []
    for kind in mine.keys() | theirs.keys():
        a = dict(mine.get(kind, []))
        b = dict(theirs.get(kind, []))
        for target in sorted(a.keys() | b.keys()):
            if target not in b:
                out.append(f"{target}: only in the file")
            elif target not in a:
                out.append(f"{target}: only in the live building")
            elif a[target] != b[target]:
                out.append(f"{target}: {_changed(a[target], b[target])}")
    return sorted(out)


def _changed(file: Any, live: Any) -> str:
    if isinstance(file, dict) and isinstance(live, dict):
        keys = sorted(k for k in file.keys() | live.keys() if file.get(k) != live.get(k))
        return ", ".join(
            f"{k} {_short(file.get(k))} (file) vs {_short(live.get(k))} (live)" for k in keys
        )
    return f"{_short(file)} (file) vs {_short(live)} (live)"


def _short(value: Any) -> str:
    text = "—" if value is None else str(value)
    if any(secret in text for secret in ("scrypt$",)) or (len(text) == 64 and text.isalnum()):
        return "(a credential)"
    return text if len(text) <= 60 else text[:57] + "…"
