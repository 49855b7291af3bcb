"""The building's live edits in `antre report` (issue 23): `edits.csv`, one row per change.

Every change an administrator made with `antre admin` is a `building_edited` event in the day's
log (who, when, the entity before and after, the version it made, the version an undo undid).
The report lists them in the log's order with the audit view's own words
(`server.config.edits.describe`, which never shows a PIN hash or token digest), so a manager
reads "Kuota harian A: 300 → 250" beside who did it and when. An edit a later `--take-file`
start dropped (the building file won over it; docs/operations.md "Editing the building live") is
marked `dropped`: it is history, the building no longer has it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from server.config.edits import Edit, describe
from server.live_building import DROPPED_EDITS, dropped_ranges
from server.store import LogEntry, StoreReader

__all__ = ["EDIT_COLUMNS", "dropped_edits", "edit_rows", "edit_summary"]

# edits.csv: the day, the local time, the version the change made, who (the actor of the log:
# "manager:ADMIN"), the entity ("line:K"), the change in words, the version an undo undid,
# "ya" when a later `--take-file` start dropped it.
EDIT_COLUMNS = ("day", "at", "version", "by", "target", "change", "undoes", "dropped")


def dropped_edits(store: StoreReader) -> list[tuple[int, int]]:
    """The seq ranges of the edits `--take-file` starts dropped (the store's meta)."""
    return dropped_ranges(store.meta(DROPPED_EDITS))


def edit_rows(
    day: str, entries: Iterable[LogEntry], tz: tzinfo, dropped: Sequence[tuple[int, int]] = ()
) -> list[dict[str, Any]]:
    """The day's `building_edited` events as edits.csv rows, in the log's order; `dropped`
    the seq ranges `dropped_edits` gives."""
    rows: list[dict[str, Any]] = []
    for entry in entries:
        event = entry.event
        if event.get("kind") != "building_edited":
            continue
        undoes = event.get("undoes")
        edit = Edit(event["target"], event.get("before"), event.get("after"))
        change = describe(edit, undo=undoes is not None)
        if undoes is not None:
            change = f"Batal versi {undoes}: {change}"
        at = datetime.fromisoformat(event["at"]).astimezone(tz)
        rows.append(
            {
                "day": day,
                "at": at.strftime("%H:%M:%S"),
                "version": event["version"],
                "by": entry.actor,
                "target": event["target"],
                "change": change,
                "undoes": "" if undoes is None else undoes,
                "dropped": "ya" if any(a <= entry.seq <= b for a, b in dropped) else "",
            }
        )
    return rows


def edit_summary(rows: Sequence[dict[str, Any]]) -> str | None:
    """The summary's line about the building's changes; None when there were none.

    "Perubahan gedung: 3 (1 pembatalan), terakhir 10:42:07 oleh manager:ADMIN — edits.csv."
    """
    if not rows:
        return None
    undone = sum(1 for r in rows if r["undoes"] != "")
    last = rows[-1]
    text = f"Perubahan gedung: {len(rows)}"
    if undone:
        text += f" ({undone} pembatalan)"
    return f"{text}, terakhir {last['day']} {last['at']} oleh {last['by']} — edits.csv."
