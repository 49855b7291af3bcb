"""The engine: the one place where a command becomes durable events.

The hub (and tests, and the simulator with a store) call `Engine.execute`. The engine runs the
pure core synchronously on the event loop (so commands are serialised without locks), hands the
events to the store's writer, which commits them in batches (group commit), and returns only
after the batch holding them is on disk. Subscribers (the hub's broadcaster) are told of every
committed batch, in sequence order, before `execute` returns to its caller.

Theory of operation:

- `execute` reads the clock, runs `QueueState.handle(command, now)` (which applies the events to
  memory), numbers the events with the next sequence numbers, notes the ticket and counter rows
  they touched, and queues the batch. Nothing awaits between reading the state and queueing, so
  two counters racing for one ticket are serialised by the event loop.
- The first batch queued in a turn of the event loop schedules `_flush` for the next turn; by
  then every command the loop ran meanwhile has queued too, and `_flush` hands them all to the
  store as one write (events plus rows). The store's writer thread commits a write as soon as it
  is free, and everything written while it was busy in the next transaction: the busier the
  server, the bigger the transactions, which is where durable throughput comes from. No task of
  the engine sits between two commits.
- The store reports each write after its COMMIT, in order, in the loop turn that hears of it
  (`_written`): the engine first calls every subscriber with the committed events (seq order),
  then resolves the callers' futures. A TV therefore never shows something that is not on disk,
  and a broadcast is already on its way when the officer's console gets its ack.
- Memory runs ahead of the disk by the writes in flight. If a commit fails, memory holds changes
  that will never be on disk: the engine is poisoned (`EngineFailed` for every pending and later
  command) and the process must restart; `start` rebuilds the state from what was committed.
  `failed` is set at that moment: `antre server` waits on it and exits (status 75) so that its
  supervisor starts a fresh process (docs/reliability.md).
  Writes queued behind the failed one fail with it in the store, so the log never gets a gap.

Online bookings (issue 19) span days: the state's booking book holds every booking of today
and later. `start` rebuilds it from the log, the truth: the booking events, from before the last
day close, of every booking whose day is today or later (the store's `bookings` rows say which,
and since when), then the events after the close as ever. Each booking's personal data is
written beside its event, never in the log's JSON, and deleted `retention_days` after the
booking's day: at start and after each day close (`_purge_personal_data`). The keys of the keyed
hashes of NIK and phone (`booking_key`) are made at the store's first start and kept in its meta.

The citizen's voice (issue 20) spans days too: the survey book and the complaints. Before the
events after the last close, `start` replays the survey answers about visits since the book's
horizon (`survey_horizon`: the start of the previous public period, or `days_open` back) and
every event of each complaint not closed or closed within `kept_days`, all from before
the close, in seq order with the bookings' (the store's partial indexes and `complaints` rows
say which). A complaint's contact is kept beside its event like a booking's, and purged
`retention_days` after the complaint closed.

Live building edits (issue 23): `edit` commits the `building_edited` events of an accepted
edit, then rebuilds today's state by replaying today's events with the edited building — what a
restart on the edited file does, so the removed-line and removed-counter rules of
docs/operations.md hold — while other commands wait, swaps the building into every part that
holds one (`on_building_swap`), then tells the hub (`on_building`: fresh snapshots). A counter
removed while it has a called or served ticket stays in `serving` until that ticket ends. At
start the building is the file's plus every logged edit (server/live_building.py: unless the
file changed since, which refuses to start, or `--take-file`).

Idempotency: a request id seen today returns the events stamped with it in its first execution
(also across restarts, rebuilt from today's log). Events that close an earlier day, triggered by
the first command of a new day, are the system's: actor "system", no request id.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from server.building_identity import BuildingIdentity, Match, compare
from server.config.building import parse_building
from server.config.edits import Edit, EditRefused, Place, apply_edits, edit_groups, places
from server.config.export import building_toml
from server.config.toml_reader import ConfigError
from server.core.bookings import Booking
from server.core.building import Building, Counter
from server.core.complaints import kept_days
from server.core.events import (
    COMPLAINT_KINDS,
    SURVEY_KINDS,
    BuildingEdited,
    DayClosed,
    Event,
)
from server.core.model import (
    Command,
    CounterStatus,
    DomainError,
    LogOut,
    RetireRemoved,
    Tick,
    Ticket,
)
from server.core.queue import QueueState
from server.core.removed import removed_in_use
from server.core.surveys import survey_horizon
from server.live_building import (
    DROPPED_EDITS,
    DROPPED_THROUGH,
    LIVE_TEXT,
    LIVE_VERSION,
    LiveEditsDiffer,
    differences,
    with_dropped,
)
from server.start_checks import check_building, clock_behind_warning, removed_warnings
from server.store import Store, StoredEvent

__all__ = ["EditMaker", "Engine", "EngineFailed", "StoredEvent"]

logger = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"
# The store's meta key of the booking hashes' secret key (hex; made at first start).
BOOKING_KEY_META = "booking_key"

Subscriber = Callable[[list[StoredEvent]], None]
# Given the live building and its version, the edited building and the event that records the
# edit (server/hub/admin.py makes it; it raises the edit's refusal, and nothing happens).
EditMaker = Callable[[Building, int], tuple[Building, list[BuildingEdited]]]
# Told of each new live building, after today's state was rebuilt with it (the hub swaps it in
# every part that holds one and sends every session a fresh snapshot).
BuildingListener = Callable[[Building], Awaitable[None] | None]


class EngineFailed(RuntimeError):
    """A commit failed: memory is ahead of the disk. Restart the process to rebuild from disk."""


@dataclass(slots=True)
class _Batch:
    """One command's events on their way to the disk."""

    events: list[StoredEvent]
    # The live objects its events changed. Not copies: their rows are made when the batch is
    # handed to the store (`_flush`), and every command that changed them before that moment is
    # in the same hand-over, so they are exactly as the queued commands left them.
    tickets: dict[str, Ticket]
    counters: dict[str, CounterStatus]
    bookings: dict[str, Booking]  # the bookings its events left (frozen: as of this command)
    # One future per caller waiting for it (the command's, and retries' with its request id):
    # a caller that gives up cancels its own future, never the batch nor another caller's.
    waiters: list[asyncio.Future[list[StoredEvent]]] = field(default_factory=list, repr=False)

    def wait(self) -> asyncio.Future[list[StoredEvent]]:
        waiter: asyncio.Future[list[StoredEvent]] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        return waiter


class Engine:
    state: QueueState
    last_seq: int  # the sequence number of the newest committed event (0 for an empty store)

    def __init__(
        self,
        building: Building,
        db_path: str,
        clock: Callable[[], datetime] | None = None,
        *,
        identity: BuildingIdentity | None = None,
        accept_building: bool = False,
        adopt_empty: bool = True,
        take_file: bool = False,
    ) -> None:
        self.building = building  # the building the core and the service-day rule use
        # The building file's building (version `file_version`); `building` is it plus every
        # live edit (issue 23: `building_edited` events, replayed by start()).
        self.file_building = building
        # The live building's version: the last edit's. Never repeats over the store's life:
        # edits a start dropped or took into the file keep theirs, and the next edit goes on
        # from the highest ever recorded (`file_version`).
        self.version = 0
        # The version the building file's building stands at: 0, or the highest edit version
        # + 1 when a start dropped the live edits (`--take-file`) or found them in the file:
        # the take consumes a number, so no version names two buildings. A version below it
        # names a building that is no longer served (admin: edit_stale).
        self.file_version = 0
        self.edits: list[StoredEvent] = []  # the `building_edited` events applied, in order
        # (version, target) → the place (neighbours by id) of an entity a live edit removed,
        # under every version of that edit's group (an undo names any of them): where the undo
        # puts it back (`place_of`). Rebuilt from the log at start: the events do not say it.
        self._places: dict[tuple[int, str], Place] = {}
        self._edit_lock = asyncio.Lock()  # one edit at a time
        # Cleared while an edit swaps the building: commands wait for the new state.
        self._open = asyncio.Event()
        self._open.set()
        self._building_listeners: list[BuildingListener] = []
        # Told synchronously, before commands run again (the parts holding the building).
        self._building_setters: list[Callable[[Building], None]] = []
        # What the core and the hub serve: `building`, plus each counter a live edit removed
        # while it had a called or served ticket, until that ticket ends (it finishes there
        # first; docs/operations.md, "Editing the building live").
        self.serving = building
        self._removed: dict[str, Counter] = {}  # counters live edits removed: last definition
        self._kept: frozenset[str] = frozenset()  # of those, the ones `serving` keeps
        self._releasing = False  # a release of kept counters is scheduled
        self._disabled_busy: frozenset[str] = frozenset()  # counters of disabled officers, busy
        self.db_path = db_path  # the SQLite file; opened by start()
        # The building file as the store records it (server/building_identity.py); without
        # one (tests, the simulator) only the building's name is compared and recorded.
        self.identity = identity or BuildingIdentity(building.name, "", "")
        # The operator said this file is the store's building renamed (--accept-building).
        self.accept_building = accept_building
        # Whether a store of another building with no events yet may be taken over. Not by the
        # demo building that a missing --config implies: a real building restarted before its
        # first ticket must not come back as the demo.
        self.adopt_empty = adopt_empty
        # The operator said the building file wins over the live edits (--take-file; issue 23).
        self.take_file = take_file
        # Injected so tests (and the simulator) control time; the core never reads a clock.
        self._clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        # The newest event's time. Events are never stamped before it: a clock set back (NTP
        # stepping, a reset RTC, a wrong manual setting) would otherwise give tickets issued
        # after the jump an earlier queued_at than tickets already waiting, and they would be
        # called first. While the clock is behind, events carry this instant (`_now`).
        self._last_at: datetime | None = None
        self._clock_behind = False  # logged once per episode, not once per command
        self.state = QueueState(building)  # replaced by start() with the replayed state
        self.last_seq = 0
        self.commits = 0  # transactions committed since start: shows group commit batching
        self.failure: EngineFailed | None = None  # set once a commit failed; the engine is dead
        # Set with `failure`: the process owning the engine waits on it to stop and be restarted.
        self.failed = asyncio.Event()
        self._store: Store | None = None  # opened by start()
        self._next_seq = 1  # the seq the next produced event gets (ahead of last_seq in flight)
        self._queue: list[_Batch] = []  # batches not yet handed to the store, in seq order
        self._flush_soon = False  # a _flush is scheduled for _queue
        self._in_flight: deque[list[_Batch]] = deque()  # writes not yet settled, in order
        self._settled = asyncio.Event()  # set while nothing is in flight (close() waits on it)
        self._settled.set()
        self._commits_before = 0  # the store's commit count when this engine started
        self._running = False  # between start() and close()
        self._closing = False  # close() called: refuse new commands, drain, close the store
        self._subscribers: list[Subscriber] = []
        # request id -> its committed events, or the batch still in flight (retries await it).
        # Only today's ids: cleared when the service day changes.
        self._requests: dict[str, list[StoredEvent] | _Batch] = {}
        self._requests_day: date | None = None  # the service day _requests belongs to
        # The secret key of the keyed hashes (HMAC-SHA256) of a booking's NIK and phone number,
        # the store's own (server/bookings_api.py): read, or made, by start().
        self._booking_key: bytes | None = None
        self._purges: set[asyncio.Future[int]] = set()  # retention purges not yet done

    # -- life cycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the store, migrate, rebuild today's state, close a day left open by a crash.

        Raises WrongBuilding (nothing replayed, nothing written but a schema migration) when the
        store belongs to another building.
        """
        store = self._store = await Store.open(self.db_path)
        self._commits_before = store.commits
        try:
            await self._rebuild(store)
        except BaseException:
            await self.close()
            raise

    async def _rebuild(self, store: Store) -> None:
        last = await store.last_event()
        self._last_at = None if last is None else _not_before(last.event)
        if last is not None and self._last_at is not None:
            behind = clock_behind_warning(self._clock(), last, self._last_at, self.building.tz)
            if behind is not None:
                self._clock_behind = True  # said now: _now() need not say it again
                logger.warning("%s", behind)
        now = self._now()
        self.last_seq = await store.last_seq()
        # Before anything is read into memory: a store of another building is refused.
        empty = self.adopt_empty and self.last_seq == 0
        edits = await self._file_or_live(store)
        recorded = await check_building(
            store, self.db_path, self.identity, now, accept=self.accept_building, log_empty=empty
        )
        if recorded is not None:
            logger.log(*recorded)
        await store.set_meta(
            {"created_at": now.isoformat(), BOOKING_KEY_META: secrets.token_hex(32)},
            only_missing=True,
        )
        self._booking_key = bytes.fromhex((await store.meta())[BOOKING_KEY_META])
        self._next_seq = self.last_seq + 1
        await self._replay_edits(edits)
        today = self.building.service_day(now)
        self._requests_day = today

        # Replay everything after the last day close, not only "today's" events: DayClosed is
        # what resets the state, so this tail rebuilds exactly the state the live engine had,
        # even when a day ended without a close (the server was down at midnight, or the core
        # did not close a day that saw no ticket).
        started = time.perf_counter()
        # The bookings of the days after the last close were (mostly) made before it, and so
        # were the survey answers and complaints the books keep: their events first, then
        # everything after the close. None of them opens a day.
        close = await store.last_close()
        earlier = [] if close is None else await self._books_before(store, close, today)
        tail = await store.events_after_last_close()
        state = self.state = self._served(earlier, tail)
        day_of = self.building.service_day
        for stored in tail:
            if stored.request_id is not None and day_of(stored.event.at) == today:
                known = self._requests.setdefault(stored.request_id, [])
                assert isinstance(known, list)
                known.append(stored)
        logger.info("replayed %d events in %.3f s (day %s, %d bookings ahead, %d complaints "
                    "kept); last seq %d", len(earlier) + len(tail),
                    time.perf_counter() - started, state.day, len(state.bookings.by_code),
                    len(state.complaints.by_id), self.last_seq)  # fmt: skip
        if tail and day_of(tail[0].event.at) < (state.day or today):
            logger.warning("the open state spans days %s..%s without a day close",
                           day_of(tail[0].event.at), state.day)  # fmt: skip

        self._running = True
        # A clock behind the log (a reset RTC?) was caught by _now(): `today` is then the log's
        # day, and serving goes on rather than refusing to start with citizens waiting.
        if state.day is not None and state.day < today:
            # The server was down when that day ended: let the core close it now (it stamps the
            # closing events inside the old day) and make that durable before serving.
            stale = state.day
            closing = await self.execute(Tick(), SYSTEM_ACTOR)
            logger.info("closed stale day %s with %d events", stale, len(closing))
        await self._retire_removed()
        await self._purge_personal_data(self.building.service_day(self._now()))

    async def _books_before(
        self, store: Store, close: tuple[int, date], today: date
    ) -> list[StoredEvent]:
        """The events up to the last close that the books spanning days still need: bookings
        of the days after it, answers about visits since the survey's horizon, complaints not
        closed or closed lately. In seq order (their kinds differ: no event is read twice)."""
        until, closed_day = close
        bookings = await store.booking_events(until, closed_day + _ONE_DAY)
        answers = await store.survey_events(until, survey_horizon(self.building.survey, today))
        kept_from = today - timedelta(days=kept_days(self.building.complaints))
        complaints = await store.complaint_events(until, kept_from)
        return sorted([*bookings, *answers, *complaints], key=lambda stored: stored.seq)

    async def _retire_removed(self) -> None:
        """Say what of today the building file no longer has; close its counters and log out
        its officers (docs/operations.md, "Changing the building file"); log out each officer
        the building disables (issue 23), unless busy with a ticket (then at its end: the hub
        closes their session, and they cannot log in again)."""
        used = removed_in_use(self.state)
        for sentence in removed_warnings(self.state, used):
            logger.warning("%s", sentence)
        if used.counters or used.officers or used.misplaced:
            await self.execute(RetireRemoved(), SYSTEM_ACTOR, internal=True)
        disabled = {o.id for o in self.building.officers if o.disabled}
        # A disabled officer busy with a ticket: logged out once it ends (`_release_soon`).
        self._disabled_busy = frozenset(
            cid
            for cid, status in self.state.counters.items()
            if status.officer in disabled and status.ticket is not None
        )
        for cid, status in list(self.state.counters.items()):
            if status.officer in disabled and status.ticket is None:
                logger.warning("officer %s is disabled: logging them out of %s", status.officer,
                               cid)  # fmt: skip
                try:
                    await self.execute(LogOut(counter=cid), SYSTEM_ACTOR, internal=True)
                except DomainError as exc:
                    logger.warning("could not log out %s at %s: %s", status.officer, cid, exc)

    async def _file_or_live(self, store: Store) -> list[StoredEvent]:
        """The live edits to serve on top of the building file: none when a `--take-file` start
        dropped them. Raises LiveEditsDiffer when the file changed since the store recorded it
        while live edits exist (docs/operations.md, "Editing the building live")."""
        meta = await store.meta()
        dropped = int(meta.get(DROPPED_THROUGH, "0"))
        every = await store.edit_events()
        edits = [e for e in every if e.seq > dropped]
        self.file_version = _taken_version([e for e in every if e.seq <= dropped])
        recorded = await store.building()
        if not edits or recorded is None:
            return edits
        if compare(recorded.identity, self.identity) is not Match.CHANGED:
            return edits
        live: Building | None = None
        dropped_now: dict[str, str] = {}  # a --take-file start's: the edits it dropped
        text = meta.get(LIVE_TEXT)
        if text:
            try:
                live = parse_building(text)
            except ConfigError:
                logger.exception("the live building kept in the store does not load")
        if live is not None and not differences(self.file_building, live):
            # The file is the live building (`antre config export --db`, taken back into the
            # file): its edits are in it now, so it is served as it is, nothing dropped.
            logger.warning("the building file %s is the live building of version %s: adopting "
                           "it; the %d live edit(s) are in the file now", self.identity.path,
                           meta.get(LIVE_VERSION, "?"), len(edits))  # fmt: skip
        elif not self.take_file:
            live = live or self.file_building
            raise LiveEditsDiffer(
                self.db_path, self.identity.path, differences(self.file_building, live), len(edits)
            )
        else:
            for stored in edits:
                event = stored.event
                assert isinstance(event, BuildingEdited)
                logger.warning("--take-file: dropping live edit version %d (%s by %s at %s)",
                               event.version, event.target, event.by,
                               event.at.isoformat())  # fmt: skip
            dropped_now[DROPPED_EDITS] = with_dropped(
                meta.get(DROPPED_EDITS), edits[0].seq, edits[-1].seq
            )
        # The live edits are history from now on: the building kept as live text is the file's
        # (an empty text: `antre config export --db` has no live building to write).
        # The file's building takes a version of its own, past the highest so far: a screen
        # made against the last live version is stale, and the next edit goes on from it.
        self.file_version = _taken_version(every)
        await store.set_meta({DROPPED_THROUGH: str(edits[-1].seq), LIVE_TEXT: "",
                              LIVE_VERSION: str(self.file_version), **dropped_now})  # fmt: skip
        return []

    async def _replay_edits(self, edits: list[StoredEvent]) -> None:
        """The live building: the file's plus every `building_edited` in the log, in order."""
        building = self.file_building
        for group in edit_groups(edits):
            made = [self._edit_of(e) for e in group]
            try:
                self._note_places(building, made, group)
                before, building = building, apply_edits(building, made)
                _note_removed(self._removed, before, building)
            except EditRefused as exc:
                # The log is the truth, but a building it no longer makes is not served blind.
                raise RuntimeError(
                    f"the building edit of seq {group[0].seq} no longer applies to the "
                    f"building file: {exc.message}"
                ) from exc
        if edits:
            logger.info("applied %d live building edits on top of the building file (version %d)",
                        len(edits), edits[-1].event.version)  # type: ignore[attr-defined]  # fmt: skip
        self.building = building
        self.edits = edits
        # max: a store whose versions restarted after a drop (before they were kept monotone)
        self.version = max([self.file_version, *(_version(e) for e in edits)])

    def _edit_of(self, stored: StoredEvent) -> Edit:
        """The edit a `building_edited` event made: an undo's re-adding in the removed entity's
        place, as it was made live."""
        event = stored.event
        assert isinstance(event, BuildingEdited)
        place = None
        if event.undoes is not None and event.before is None:
            place = self.place_of(event.undoes, event.target)
        return Edit(event.target, event.before, event.after, place)

    def _note_places(self, building: Building, made: list[Edit], group: list[StoredEvent]) -> None:
        """Where the entities this group of edits removes stood in `building` (before it)."""
        for edit, place in zip(made, places(building, made), strict=True):
            if edit.after is None and place is not None:
                for stored in group:
                    self._places[(_version(stored), edit.target)] = place

    def place_of(self, version: int, target: str) -> Place | None:
        """The place in its kind's array `target` had when the edit of `version` (or one made
        with it) removed it (its neighbours by id, and its index): where its undo puts it back.
        None when that edit removed no such entity."""
        return self._places.get((version, target))

    # -- live building edits (issue 23) ---------------------------------------------------------

    def on_building_swap(self, setter: Callable[[Building], None]) -> None:
        """Call `setter(serving building)` right after a live edit's swap, before any other
        command runs: what answers requests must never see the old building with the new
        state. It must not await (the hub's `set_building`)."""
        self._building_setters.append(setter)

    def _set_everywhere(self) -> None:
        for setter in list(self._building_setters):
            try:
                setter(self.serving)
            except Exception:
                logger.exception("building setter %r failed; the engine carries on", setter)

    async def until_open(self) -> None:
        """Return once no live edit is swapping the building: a command `execute`d right after
        (with no await between) runs against the building in place now. The hub checks here
        that the requester's session was not closed by the edit (server/hub/edited_sessions)."""
        while not self._open.is_set():
            await self._open.wait()

    def on_building(self, listener: BuildingListener) -> None:
        """Call `listener(new building)` after each live edit, once today's state is rebuilt."""
        self._building_listeners.append(listener)

    async def edit(
        self, make: EditMaker, actor: str, request_id: str | None = None
    ) -> list[StoredEvent]:
        """Apply building edits live: their events on disk first (one commit), then today's
        state rebuilt by replaying today's events with the new building (what a restart on the
        edited file does), then every listener told. Commands wait meanwhile.

        `make(building, version)` gives the new building and one event per entity edited, or
        raises the edit's refusal (nothing written, nothing changed).
        """
        if self.failure is not None:
            raise self.failure
        if not self._running or self._closing:
            raise RuntimeError("the engine is not running (start() it, or it was closed)")
        async with self._edit_lock:
            self._open.clear()
            try:
                await self._settled.wait()  # every command before the edit is on disk
                building, events = make(self.building, self.version)
                stored = await self._commit_edit(events, actor, request_id)
                started = time.perf_counter()
                try:
                    await self._swap(building, stored)
                except Exception as exc:
                    # The edit is on disk but today's state is half rebuilt: serving on would
                    # mix two buildings. Stop as on a store failure; a restart replays the
                    # log, edit included, cleanly.
                    self._poison(exc, "a committed building edit could not be made live")
                    assert self.failure is not None
                    raise self.failure from exc
                self._set_everywhere()
                logger.info("building edit of %s by %s (version %d) live in %.3f s",
                            ", ".join(e.target for e in events), actor, self.version,
                            time.perf_counter() - started)  # fmt: skip
            finally:
                self._open.set()
        await self._tell_listeners()
        return stored

    async def _commit_edit(
        self, events: list[BuildingEdited], actor: str, request_id: str | None
    ) -> list[StoredEvent]:
        now = self._now()
        stamped: list[Event] = [dataclasses.replace(e, at=now) for e in events]
        if self._last_at is None or now > self._last_at:
            self._last_at = now
        state = self.state
        batch = self._enqueue(
            stamped,
            actor,
            request_id,
            self.building.service_day(now),
            state.tickets,
            state.counters,
            state.bookings.by_code,
        )
        return list(await batch.wait())

    async def _swap(self, building: Building, stored: list[StoredEvent]) -> None:
        """Today's state replayed with `building`, which becomes the live one."""
        self._note_places(self.building, [self._edit_of(s) for s in stored], stored)
        _note_removed(self._removed, self.building, building)
        self.building = building
        self.edits.extend(stored)
        self.version = stored[-1].event.version  # type: ignore[attr-defined]
        await self._rebuild_today()
        await self._keep_live_text()

    async def _keep_live_text(self) -> None:
        """The live building's text in the store's meta (for `antre config export --db` and the
        file-vs-live check at start). Best effort: the log's edits are the truth."""
        try:
            text = building_toml(self.building)
            await self.store.set_meta({LIVE_TEXT: text, LIVE_VERSION: str(self.version)})
        except Exception:
            logger.exception("keeping the live building's text in the store failed")

    async def _rebuild_today(self) -> None:
        """Today's state replayed from the store with the live building (and the counters it
        keeps), then what it no longer has retired. Only while commands wait (`_open`)."""
        store = self.store
        today = self.building.service_day(self._now())
        close = await store.last_close()
        earlier = [] if close is None else await self._books_before(store, close, today)
        tail = await store.events_after_last_close()
        self.state = self._served(earlier, tail)
        await self._retire_removed()

    def _served(self, earlier: list[StoredEvent], tail: list[StoredEvent]) -> QueueState:
        """Today's state with `building`, and `serving`: `building` plus each counter a live
        edit removed that still has a called or served ticket (it finishes it first)."""
        state = _replayed(self.building, earlier, tail)
        busy = [
            c
            for cid, c in self._removed.items()
            if (status := state.counters.get(cid)) is not None and status.ticket is not None
        ]
        self._kept = frozenset(c.id for c in busy)
        if not busy:
            self.serving = self.building
            return state
        logger.warning("counters %s were removed by a live edit while busy: they stay until "
                       "their ticket ends", ", ".join(sorted(self._kept)))  # fmt: skip
        self.serving = dataclasses.replace(self.building, counters=(*self.building.counters, *busy))
        return _replayed(self.serving, earlier, tail)

    def _release_soon(self, events: list[StoredEvent]) -> None:
        """After a commit: a kept counter whose ticket ended goes now (a new state, no event)."""
        waiting = self._kept | self._disabled_busy
        if not waiting or self._releasing or self._closing:
            return
        counters = self.state.counters
        if all(counters[cid].ticket is not None for cid in waiting if cid in counters):
            return
        self._releasing = True
        task = asyncio.ensure_future(self._release())
        self._purges.add(task)  # awaited by close() like a purge
        task.add_done_callback(self._purges.discard)

    async def _release(self) -> None:
        try:
            async with self._edit_lock:
                self._open.clear()
                try:
                    await self._settled.wait()
                    await self._rebuild_today()
                    self._set_everywhere()
                finally:
                    self._open.set()
                    self._releasing = False
            await self._tell_listeners()
        except Exception:
            logger.exception("releasing the counters a live edit removed failed")

    async def _tell_listeners(self) -> None:
        for listener in list(self._building_listeners):
            try:
                result = listener(self.serving)
                if result is not None:
                    await result
            except Exception:
                logger.exception("building listener %r failed; the engine carries on", listener)

    async def _purge_personal_data(self, today: date) -> int:
        """Delete the personal data of bookings whose day is more than `retention_days` before
        `today`, and the contacts of complaints closed that long ago (UU 27/2022;
        docs/operations.md); the number of rows deleted."""
        keep = self.building.booking.retention_days
        assert self._store is not None
        purged = await self._store.purge_contacts(today - timedelta(days=keep))
        if purged:
            logger.info("deleted the personal data of %d bookings and complaints (kept %d days "
                        "after the booking's day or the complaint's close)", purged,
                        keep)  # fmt: skip
        return purged

    def _purge_after(self, events: list[StoredEvent]) -> None:
        """After a committed day close, purge as of the day it opens (without waiting)."""
        closed = [s.event.day for s in events if isinstance(s.event, DayClosed)]
        if not closed or self._closing:
            return
        purge = asyncio.ensure_future(self._purge_personal_data(max(closed) + _ONE_DAY))
        self._purges.add(purge)
        purge.add_done_callback(self._purge_done)

    def _purge_done(self, purge: asyncio.Future[int]) -> None:
        self._purges.discard(purge)
        if not purge.cancelled() and purge.exception() is not None:
            # The next day close or start tries again; serving goes on.
            logger.error("deleting expired personal data failed", exc_info=purge.exception())

    @property
    def booking_key(self) -> bytes:
        """The secret key of the keyed hashes of a booking's NIK and phone (HMAC-SHA256)."""
        if self._booking_key is None:
            raise RuntimeError("the engine is not running")
        return self._booking_key

    async def close(self) -> None:
        """Refuse new commands, commit what is queued, wait for the store, close it."""
        self._closing = True
        self._flush()  # now rather than on the loop's next turn
        await self._settled.wait()
        if self._purges:
            await asyncio.gather(*self._purges, return_exceptions=True)
        self._running = False
        store, self._store = self._store, None  # a second close() finds nothing to close
        if store is not None:
            await store.close()

    # -- commands -------------------------------------------------------------------------------

    async def execute(
        self,
        command: Command,
        actor: str,
        request_id: str | None = None,
        *,
        internal: bool = False,
    ) -> list[StoredEvent]:
        """Run a command; return its events once they are on disk.

        Raises DomainError (nothing changed). A request_id already executed today returns the
        events of its first execution without running it again (also across restarts).
        Raises EngineFailed after a failed commit, RuntimeError before start or after close.
        While a building edit swaps the building, commands wait for it (`internal`: the
        edit's own, which must not).
        """
        if not internal and not self._open.is_set():
            await self._open.wait()
        if self.failure is not None:
            raise self.failure
        if not self._running or self._closing:
            raise RuntimeError("the engine is not running (start() it, or it was closed)")
        now = self._now()
        today = self.building.service_day(now)
        if today != self._requests_day:
            self._requests.clear()  # request ids are unique per day, not for ever
            self._requests_day = today
        if request_id is not None:
            known = self._requests.get(request_id)
            if isinstance(known, list):
                return list(known)
            if known is not None:
                done = await known.wait()
                return [s for s in done if s.request_id == request_id]

        # From here to the end of _enqueue nothing awaits: the state read by handle() is the
        # state its events are applied to, and their seqs follow the previous command's.
        # A day close replaces the state's dicts (QueueState._reset) and the book's; keep the
        # old ones, whose objects the closing events still update, for the rows of the day
        # being closed.
        tickets_before, counters_before = self.state.tickets, self.state.counters
        book_before = self.state.bookings.by_code
        try:
            events = self.state.handle(command, now)
        except Exception as exc:
            if not isinstance(exc, DomainError):
                # A bug in the core may have left memory half-changed: stop before it spreads.
                self._poison(exc, "the queue core raised unexpectedly")
            raise
        if not events:
            return []  # e.g. a Tick with nothing to expire: no transaction at all
        latest = max(_not_before(e) for e in events)
        if self._last_at is None or latest > self._last_at:
            self._last_at = latest
        batch = self._enqueue(
            events, actor, request_id, today, tickets_before, counters_before, book_before
        )
        if request_id is not None:
            self._requests[request_id] = batch
        return list(await batch.wait())

    def now(self) -> datetime:
        """The engine's clock: the clock, but never before the newest event (`_last_at`)."""
        return self._now()

    def _now(self) -> datetime:
        """The clock, but never before the newest event (see `_last_at`)."""
        now = self._clock()
        last = self._last_at
        if last is not None and now < last:
            if not self._clock_behind:
                self._clock_behind = True
                logger.error("the clock is %.0f s behind the newest event (%s < %s): events "
                             "keep that event's time until it catches up; check the clock",
                             (last - now).total_seconds(), now.isoformat(),
                             last.isoformat())  # fmt: skip
            return last
        if self._clock_behind:
            self._clock_behind = False
            logger.warning("the clock has caught up with the newest event (%s)", now.isoformat())
        return now

    def _enqueue(
        self,
        events: list[Event],
        actor: str,
        request_id: str | None,
        today: date,
        tickets_before: dict[str, Ticket],
        counters_before: dict[str, CounterStatus],
        book_before: dict[str, Booking],
    ) -> _Batch:
        """Number the events, note the rows they touched, and queue them for the store."""
        stored: list[StoredEvent] = []
        tickets: dict[str, Ticket] = {}
        counters: dict[str, CounterStatus] = {}
        bookings: dict[str, Booking] = {}
        book_now = self.state.bookings.by_code
        seq = self._next_seq
        day_of = self.building.service_day
        state = self.state
        for event in events:
            if day_of(event.at) < today:
                # Closing an old day: the system's doing, and its rows are the old day's objects
                # (DayClosed replaced the state's dicts with the new day's).
                stored.append(StoredEvent(seq, event, SYSTEM_ACTOR, None))
                ticket_src, counter_src, book_src = tickets_before, counters_before, book_before
            else:
                stored.append(StoredEvent(seq, event, actor, request_id))
                ticket_src, counter_src, book_src = state.tickets, state.counters, book_now
            seq += 1
            if event.kind in _VOICE_KINDS:
                continue  # an answer or a complaint names a visit, but changes no ticket's row
            ticket_id: str | None = getattr(event, "ticket", None)
            counter_ids = [getattr(event, "counter", None)]
            codes = [getattr(event, "code", None)]
            if ticket_id is not None:
                ticket = ticket_src.get(ticket_id)
                if ticket is not None:
                    tickets[ticket_id] = ticket
                    # An event that ends a called ticket (an expiry at closing) frees its
                    # counter without naming it: that counter's row changed too. So does a
                    # booked ticket's failed print its booking's row.
                    counter_ids.append(ticket.counter)
                    codes.append(ticket.booking)
                else:
                    logger.warning("%s names ticket %s, unknown to the state", event.kind,
                                   ticket_id)  # fmt: skip
            for code in codes:
                booking = book_src.get(code) if code is not None else None
                if booking is None and code is not None:
                    booking = book_before.get(code)  # forgotten by this batch's day close
                if booking is not None:
                    bookings[code] = booking
            for counter_id in counter_ids:
                status = counter_src.get(counter_id) if counter_id is not None else None
                if status is not None:
                    counters[status.id] = status
        self._next_seq = seq
        batch = _Batch(stored, tickets, counters, bookings)
        self._queue.append(batch)
        if not self._flush_soon:
            # Not now: the other commands the loop runs in this turn join the same write.
            self._flush_soon = True
            asyncio.get_running_loop().call_soon(self._flush)
        return batch

    # -- to the disk and back ---------------------------------------------------------------

    def _flush(self) -> None:
        """Hand every queued batch to the store as one write (the store may merge writes)."""
        self._flush_soon = False
        if not self._queue or self._store is None:
            return
        batches, self._queue = self._queue, []
        tickets: dict[str, Ticket] = {}
        counters: dict[str, CounterStatus] = {}
        bookings: dict[str, Booking] = {}
        for b in batches:
            tickets.update(b.tickets)
            counters.update(b.counters)
            bookings.update(b.bookings)  # in order: the last command's booking stays
        events = [s for b in batches for s in b.events]
        self._in_flight.append(batches)
        self._settled.clear()
        try:
            self._store.write(
                events,
                tickets.values(),
                counters.values(),
                self.building.service_day,
                lambda exc: self._written(batches, exc),
                bookings.values(),
            )
        except Exception as exc:  # making the rows failed (a bug): memory is ahead of the disk
            self._poison(exc, f"writing seq {events[0].seq}..{events[-1].seq} failed")

    def _written(self, batches: list[_Batch], exc: BaseException | None) -> None:
        """The store's report on a write (in write order): tell subscribers, then callers."""
        if self.failure is not None:
            return  # poisoned by an earlier write: its callers were failed already
        try:
            if exc is not None:
                seqs = f"{batches[0].events[0].seq}..{batches[-1].events[-1].seq}"
                self._poison(exc, f"commit of seq {seqs} failed")
                return
            assert self._in_flight[0] is batches, "the store reported writes out of order"
            self._in_flight.popleft()
            self._committed(batches)
        except Exception as failure:  # a bug here: callers get EngineFailed, not a hang
            self._poison(failure, "handling a commit failed")
        finally:
            if not self._in_flight:
                self._settled.set()

    def _committed(self, batches: list[_Batch]) -> None:
        """The batches are on disk: tell subscribers, then the callers."""
        assert self._store is not None
        events = [s for b in batches for s in b.events]
        self.last_seq = events[-1].seq
        self.commits = self._store.commits - self._commits_before
        for b in batches:
            for rid in {s.request_id for s in b.events if s.request_id is not None}:
                if self._requests.get(rid) is b:
                    self._requests[rid] = [s for s in b.events if s.request_id == rid]
        self._purge_after(events)
        self._release_soon(events)
        # Subscribers first, acks second: see the module docstring.
        for callback in list(self._subscribers):
            try:
                callback(events)
            except Exception:
                logger.exception("subscriber %r failed; the engine carries on", callback)
        for b in batches:
            for waiter in b.waiters:
                if not waiter.done():  # its caller may have given up (cancelled)
                    waiter.set_result(b.events)

    def _poison(self, exc: BaseException, what: str) -> None:
        """Fail every pending command and every later one: memory is ahead of the disk."""
        failure = EngineFailed(
            f"{what}: {exc!r}. In-memory state is ahead of the database; restart the server "
            "(it rebuilds from the committed log)."
        )
        failure.__cause__ = exc
        if self.failure is None:
            self.failure = failure
            self.failed.set()
            logger.critical("engine failed: %s", failure, exc_info=exc)
        pending = [b for batches in self._in_flight for b in batches] + self._queue
        self._in_flight.clear()
        self._queue = []
        self._settled.set()
        for b in pending:
            for waiter in b.waiters:
                if not waiter.done():
                    waiter.set_exception(failure)

    # -- subscribers and replay -----------------------------------------------------------------

    def subscribe(self, callback: Callable[[list[StoredEvent]], None]) -> None:
        """Call back with every committed batch, in sequence order.

        Called once per write (the commands of one loop turn) with all its events, after the
        COMMIT that holds them and before those commands are acknowledged. A callback must not
        block; an exception in it is logged only.
        """
        self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[list[StoredEvent]], None]) -> None:
        """Stop calling a subscriber (no error if it was not subscribed)."""
        if callback in self._subscribers:
            self._subscribers.remove(callback)

    async def events_since(self, seq: int, limit: int = 10_000) -> list[StoredEvent] | None:
        """Committed events after seq, in order; None when more than `limit` (send a snapshot).

        Also None when `seq` is ahead of the log: that client saw events this database does not
        hold (it was restored from a backup), so only a snapshot can set it right.
        """
        if self._store is None:
            raise RuntimeError("the engine is not running")
        if self.last_seq - seq > limit or seq > self.last_seq:
            return None  # no need to read them to know a snapshot is needed
        return await self._store.events_since(seq, limit)

    @property
    def store(self) -> Store:
        """The open store, for reads (reports, the ticket page, backups)."""
        if self._store is None:
            raise RuntimeError("the engine is not running")
        return self._store


_ONE_DAY = timedelta(days=1)
_VOICE_KINDS = SURVEY_KINDS | COMPLAINT_KINDS


def _note_removed(removed: dict[str, Counter], before: Building, after: Building) -> None:
    """Keep the definition of each counter an edit removed; forget one an edit put back."""
    for c in before.counters:
        if after.counter(c.id) is None:
            removed[c.id] = c
    for cid in list(removed):
        if after.counter(cid) is not None:
            del removed[cid]


def _version(stored: StoredEvent) -> int:
    """The version a `building_edited` event made."""
    event = stored.event
    assert isinstance(event, BuildingEdited)
    return event.version


def _taken_version(taken: list[StoredEvent]) -> int:
    """The version of the building file's building once a start took it over the edits
    `taken` (dropped or found in the file): one past the highest of them, 0 with none. The
    last live version N named the live building; the file's is N + 1, never logged."""
    return max((_version(e) for e in taken), default=-1) + 1


def _replayed(
    building: Building, earlier: list[StoredEvent], tail: list[StoredEvent]
) -> QueueState:
    """Today's state: the books' events from before the last close, then every event after
    it, applied with `building` (building edits are not queue events: skipped)."""
    state = QueueState(building)
    for stored in (*earlier, *tail):
        if not isinstance(stored.event, BuildingEdited):
            state.apply(stored.event)
    return state


def _not_before(event: Event) -> datetime:
    """The earliest instant an event after this one may carry.

    After a day close that is the next day's first instant: a clock set back into a closed day
    must not reopen it (its numbers would start again at 001).
    """
    if isinstance(event, DayClosed):
        return event.at + timedelta(microseconds=1)
    return event.at
