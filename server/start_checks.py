"""What the engine checks when it starts, and the sentences it logs about them.

Three things can be wrong between a store and the server opening it (docs/operations.md):
the store is another building's (`check_building`: refused, or the building file's change
recorded); the building file no longer has a line, counter or officer that today's tickets use
(`removed_warnings`: the engine then closes and logs out what was removed); the clock is behind
the store's newest event (`clock_behind_warning`: that event's time is used). Kept out of
server/engine.py, whose job is running commands; the engine calls these once, in `start`.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo

from server.building_identity import BuildingIdentity, Match, WrongBuilding, compare
from server.core.model import TicketState
from server.core.removed import RemovedInUse
from server.core.state import DayState
from server.store import Store, StoredEvent

__all__ = ["check_building", "clock_behind_warning", "removed_warnings"]


async def check_building(
    store: Store,
    db_path: str,
    given: BuildingIdentity,
    now: datetime,
    *,
    accept: bool,
    log_empty: bool,
) -> tuple[int, str] | None:
    """Refuse a store of another building; record `given` when it differs from the store's.

    The same name is the same building (a changed file is recorded and served); another name is
    refused (WrongBuilding) unless the operator said it was renamed (`accept`) or the log is
    empty. Returns (log level, sentence) for what was recorded, None when nothing changed.
    """
    recorded = await store.building()
    before = recorded.identity if recorded is not None else None
    match = compare(before, given)
    if match is Match.SAME:
        return None
    if before is None:
        said = (
            logging.INFO,
            f"{db_path} belongs to building {given.name!r} from now on (file "
            f"{given.path or 'not given'}, digest {given.digest[:12] or 'not known'})",
        )
    elif match is Match.OTHER:
        if not accept and not log_empty:
            raise WrongBuilding(db_path, before, given)
        why = "--accept-building" if accept else "its log was empty"
        said = (
            logging.WARNING,
            f"{db_path} belonged to building {before.name!r}; it now "
            f"belongs to {given.name!r} ({why})",
        )
    elif match is Match.CHANGED:
        said = (
            logging.INFO,
            f"the building file of {given.name!r} changed since the store last "
            f"recorded it (digest {before.digest[:12] or 'unknown'} -> {given.digest[:12]}): "
            "same building, its new content is served",
        )
    else:
        said = (
            logging.INFO,
            f"the building file of {given.name!r} is now {given.path} (was "
            f"{before.path or 'unknown'})",
        )
    await store.record_building(given, now.isoformat(), match.value)
    return said


def removed_warnings(state: DayState, used: RemovedInUse) -> list[str]:
    """One sentence for each line, counter and officer the file lacks that today still uses."""
    out = [
        f"line {prefix} is not in the building file, but {len(numbers)} of today's tickets on it "
        f"are open ({', '.join(numbers)}): they stay until a floor manager cancels them or "
        "closing expires them; put the line back and restart to serve them"
        for prefix, numbers in used.lines.items()
    ]
    for cid, (officer, number) in used.counters.items():
        active = ""
        if number is not None:
            ticket = state.tickets[state.counters[cid].ticket or ""]
            if ticket.state is TicketState.SERVING:
                active = f"; {number} stays in service there until the day ends"
            else:
                active = f"; {number} stays called there until a floor manager cancels it"
        who = f", logging out {officer}" if officer else ""
        out.append(f"counter {cid} is not in the building file: closing it{who}{active}")
    for officer, cid in used.officers.items():
        if cid in state.counter_defs:  # at a removed counter: said with the counter
            out.append(f"officer {officer} is not in the building file: logging them out of {cid}")
    for officer, cid in used.misplaced.items():
        out.append(
            f"counter {cid} is not {officer}'s agency's today in the building file: closing it "
            f"and logging {officer} out"
        )
    return out


def clock_behind_warning(
    reading: datetime, last: StoredEvent, used: datetime, tz: tzinfo
) -> str | None:
    """The start-up warning when the clock reads before the store's newest event (a --clock set
    earlier, an RTC reset); None when it does not. `used` is the time served instead."""
    if reading >= used:
        return None

    def local(at: datetime) -> str:
        return at.astimezone(tz).isoformat(timespec="seconds")

    return (
        f"the clock reads {local(reading)}, before the store's newest event (seq {last.seq}, "
        f"{local(last.event.at)}): the server uses {local(used)} and keeps that time until the "
        "clock passes it, so no ticket number is issued twice. To rehearse an earlier day, "
        "start on another --db"
    )
