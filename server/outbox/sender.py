"""One destination's delivery: a task that sends the events after its position, in order.

Theory of operation. The destination's position (the store's `deliveries` row) is the last seq it
has got. The task reads the events after it (the outbox's own read-only connection), up to
`batch_size`, keeps the kinds the destination wants, signs the body (server/signing.py) and POSTs
it. A 2xx answer means the receiver has stored the batch: the position moves past the batch's last
seq, in memory at once and in the store (through its writer, with the attempts for the delivery
log) at most once a second while busy, and whenever the destination is idle, fails or stops: each
such write is an fsync on the writer the kiosks' commits share. Anything else — a refused
connection, a timeout, a 4xx or 5xx — is a failure: logged with the receiver's answer, retried
after a back-off (1 s doubling to 5 min, with jitter, reset by a success), never skipped. Central's
2xx says up to which seq it has every event (`contiguous_seq`); one below the batch (a new central
at the URL, its database restored) sends the profile and the events after it again: the one time a
position goes back. A batch of which the destination wants nothing moves the position without a
request.

A batch may therefore arrive twice (the building stopped after the receiver stored it and
before the position was written: at most a second's worth): receivers keep events unique by
their id. It never arrives out of order, and a position never goes backwards but for central's
`contiguous_seq` (above).

Idle, the task sleeps until the engine commits (`wake`), with a long safety poll; a batch that
is not full waits `linger_s` (0.1 s) for more events first, so that a busy building sends a few
large requests a second rather than one per commit. It is never
awaited by a command: a kiosk's or a counter's request does not wait for any destination.
Central first gets the building's profile, again whenever it differs from the one it last
acknowledged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

import httpx

from server.core.building import Building, Destination, DestinationKind
from server.outbox.body import batch_body, profile_digest
from server.signing import BUILDING_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_header
from server.store import Store
from server.store.deliveries import Attempt, DeliveryState, PendingReader

__all__ = ["Backoff", "Sender", "Timing"]

log = logging.getLogger("antre.outbox")

EVENTS_PATH = "/central/v1/events"
PROFILE_PATH = "/central/v1/profile"
# A request's body at most (a batch is halved until it fits): central reads at most 4 MiB
# (server/central/edge.py MAX_BODY). 5000 ordinary events are about 2.5 MB; complaints' texts
# (2000 characters, up to 8 kB in UTF-8) to a personal_data webhook could make one far larger.
MAX_REQUEST_BYTES = 3 * 1024 * 1024
_ANSWER_KEPT = 300  # characters of a receiver's refusal kept in the log
_ANSWER_READ = 4 * _ANSWER_KEPT  # bytes of an answer read at most (UTF-8: up to 4 a character)


@dataclass(frozen=True, slots=True)
class Timing:
    """The delivery's times (tests shorten them)."""

    first_retry_s: float = 1.0
    max_retry_s: float = 300.0
    safety_poll_s: float = 60.0  # idle: look at the log this often even if not woken
    timeout_s: float = 30.0  # one request's deadline, connect to the answer's last byte read
    # A busy destination's position and log go to disk at most this often (and whenever it
    # is idle): each write is a transaction, with its fsync, on the store's one writer, which
    # the kiosks' and counters' commits share. A crash re-sends at most this much; receivers
    # keep events unique by id.
    record_every_s: float = 1.0
    # Events keep coming while the building is busy: wait this long before sending a batch that
    # is not full, so that one request carries many of them (each costs the server's event loop
    # a read, a JSON body, a signature and a round trip, whatever it holds).
    linger_s: float = 0.1


class Backoff:
    """1 s, 2 s, 4 s … up to the cap, each with jitter (half to all of it), so that buildings
    cut off together do not all come back in the same second."""

    def __init__(self, timing: Timing, rng: random.Random | None = None) -> None:
        self._timing = timing
        self._failures = 0
        self._rng = rng or random.Random()

    def reset(self) -> None:
        self._failures = 0

    def next_delay(self) -> float:
        ceiling = min(self._timing.max_retry_s, self._timing.first_retry_s * 2**self._failures)
        self._failures = min(self._failures + 1, 30)
        return ceiling * self._rng.uniform(0.5, 1.0)


class Sender:
    """Delivers one destination's events; `run` is its task."""

    def __init__(
        self,
        building: Building,
        destination: Destination,
        state: DeliveryState,
        *,
        store: Store,
        reader: PendingReader,
        client: httpx.AsyncClient,
        last_seq: Callable[[], int],
        clock: Callable[[], datetime],
        timing: Timing,
        on_change: Callable[[], None],
        profile: bytes | None = None,
    ) -> None:
        self.building = building
        self.destination = destination
        self.position = state.position  # the last seq delivered or skipped
        self._stored_position = state.position  # as the store has it
        self._unrecorded: list[Attempt] = []  # successes not yet in the store's log
        self._recorded_at = time.monotonic()
        self.failing_since: datetime | None = _dt(state.failing_since)
        self.last_error = state.last_error
        self.attempts = state.attempts
        self.alerting = False  # the floor's alert is up: failing long enough, not caught up yet
        self._store = store
        self._reader = reader
        self._client = client
        self._last_seq = last_seq  # the engine's newest committed seq
        self._clock = clock
        self._timing = timing
        self._on_change = on_change
        self._backoff = Backoff(timing)
        self.wake = asyncio.Event()  # set when the engine has committed new events
        self._wanted_backlog: int | None = None  # a filtered webhook's, as last counted
        # Central: the profile body, and whether central still has to acknowledge it.
        self._profile = profile
        self._profile_due = profile is not None and profile_digest(profile) != state.profile_digest

    @property
    def backlog(self) -> int:
        """Events committed and not yet delivered to this destination: for a webhook with an
        `events` filter, only the kinds it wants (counted after each attempt, `_changed`)."""
        if self._wanted_backlog is not None:
            return self._wanted_backlog
        return max(0, self._last_seq() - self.position)

    async def _changed(self) -> None:
        """Tell the floor, a filtered webhook's backlog counted again first (one COUNT on the
        outbox's read-only connection, by the events' indexed seq)."""
        if self.destination.events is not None:
            try:
                self._wanted_backlog = await self._reader.count_after(
                    self.position, self.destination.events
                )
            except Exception:  # the count is for the floor: never lose a delivery over it
                log.exception("cannot count the backlog of %s", self.destination.id)
                self._wanted_backlog = None
        self._on_change()

    async def run(self) -> None:
        if self.destination.events is not None:
            await self._changed()  # the floor's first backlog already counts wanted kinds only
        while True:
            if not self._profile_due and self.position >= self._last_seq():
                await self._record()
                if self.alerting and self.failing_since is None:
                    self.alerting = False  # caught up: the floor's alert clears
                    await self._changed()
                self.wake.clear()  # before looking again: a commit from now on sets it
                if self.position >= self._last_seq():
                    try:
                        async with asyncio.timeout(self._timing.safety_poll_s):
                            await self.wake.wait()
                    except TimeoutError:
                        pass
                    continue
            if not self._profile_due and self.backlog < self.destination.batch_size:
                await asyncio.sleep(self._timing.linger_s)
            try:
                ok = await self._attempt()
            except (asyncio.CancelledError, KeyboardInterrupt):
                raise
            except Exception as exc:  # a bug or the store: never lose the task to it
                log.exception("delivery to %s failed unexpectedly", self.destination.id)
                ok = await self._failed(None, None, None, f"{type(exc).__name__}: {exc}", 0.0)
            if ok:
                self._backoff.reset()
            else:
                await asyncio.sleep(self._backoff.next_delay())

    def status(self) -> dict[str, object]:
        """What the floor reads of this destination (docs/protocol.md, `deliveries`)."""
        return {
            "id": self.destination.id,
            "kind": self.destination.kind.value,
            "state": "failing" if self.failing_since is not None else "ok",
            "backlog": self.backlog,
            "position": self.position,
            "failing_since": None if self.failing_since is None else self.failing_since.isoformat(),
            "attempts": self.attempts,
            "last_error": self.last_error,
            "alert": self.alerting,
        }

    async def close(self) -> None:
        """Write the position and log kept in memory (the task is already cancelled)."""
        await self._record()

    # -- one attempt --------------------------------------------------------------------------

    async def _attempt(self) -> bool:
        if self._profile_due:
            assert self._profile is not None
            url = self.destination.url + PROFILE_PATH
            return await self._send("PUT", url, self._profile, None, None, profile=True)
        events = await self._reader.after(self.position, self.destination.batch_size)
        if not events:
            return True
        while True:
            last = events[-1].seq
            wanted = [e for e in events if self.destination.wants(e.kind)]
            if not wanted:
                self.position = last
                await self._record_now_and_then()
                await self._changed()
                return True
            body = batch_body(self.building, self.destination, wanted)
            if len(body) <= MAX_REQUEST_BYTES or len(events) == 1:
                break
            events = events[: len(events) // 2]  # long texts: fewer events this time
        url = self.destination.url
        if self.destination.kind is DestinationKind.CENTRAL:
            url += EVENTS_PATH
        return await self._send("POST", url, body, events[0].seq, last)

    async def _send(
        self,
        method: str,
        url: str,
        body: bytes,
        first: int | None,
        last: int | None,
        *,
        profile: bool = False,
    ) -> bool:
        assert self.building.id is not None
        # The real time, not the building's clock (which a demo may run from another instant):
        # the receiver checks the stamp against its own clock.
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            BUILDING_HEADER: self.building.id,
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: signature_header(self.destination.secret, stamp, body),
        }
        started = time.perf_counter()
        try:
            # A deadline for the whole exchange: httpx's own timeout is per read, so a receiver
            # that trickles a byte a second would hold the destination for ever.
            async with asyncio.timeout(self._timing.timeout_s):
                status, said = await self._exchange(method, url, body, headers)
        except TimeoutError:
            ms = (time.perf_counter() - started) * 1000
            error = f"Timeout: no whole answer within {self._timing.timeout_s:g} s"
            return await self._failed(first, last, None, error, ms)
        except httpx.HTTPError as exc:
            ms = (time.perf_counter() - started) * 1000
            return await self._failed(first, last, None, _transport_error(exc), ms)
        ms = (time.perf_counter() - started) * 1000
        if not 200 <= status < 300:
            text = said.decode("utf-8", "replace")[:_ANSWER_KEPT].strip()
            error = f"HTTP {status}" + (f": {text}" if text else "")
            return await self._failed(first, last, status, error, ms)
        at = self._clock().isoformat()
        if profile:
            digest = profile_digest(body)
            attempt = Attempt(at, self.destination.id, None, None, "profile", status, ms,
                              None)  # fmt: skip
            await self._store.record_delivery(attempt, None, digest)
            self._profile_due = False
        else:
            assert last is not None
            attempt = Attempt(at, self.destination.id, first, last, "delivered", status, ms,
                              None)  # fmt: skip
            self._unrecorded.append(attempt)
            self.position = max(self.position, last)
            lacks = self._central_lacks(said, first)
            if lacks is None:
                await self._record_now_and_then()
            else:
                await self._rewind(lacks, attempt)
        if self.failing_since is not None:
            log.info("delivery to %s works again", self.destination.id)
        self.failing_since, self.last_error, self.attempts = None, None, 0
        await self._changed()
        return True

    async def _exchange(
        self, method: str, url: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """The answer's status and at most `_ANSWER_READ` bytes of its body (a receiver's
        answer is read only to be logged, or for central's `contiguous_seq`)."""
        async with self._client.stream(
            method, url, content=body, headers=headers, timeout=self._timing.timeout_s
        ) as answer:
            said = b""
            async for chunk in answer.aiter_bytes():
                said += chunk
                if len(said) >= _ANSWER_READ:
                    break
            return answer.status_code, said[:_ANSWER_READ]

    def _central_lacks(self, said: bytes, first: int | None) -> int | None:
        """Central's `contiguous_seq` when it says it lacks events below this batch (a new
        central at that URL, or its database restored from a back-up), else None."""
        if self.destination.kind is not DestinationKind.CENTRAL or first is None:
            return None
        try:
            contiguous = json.loads(said).get("contiguous_seq")
        except (ValueError, AttributeError):
            return None
        if type(contiguous) is not int or not 0 <= contiguous < first - 1:
            return None
        return contiguous

    async def _rewind(self, contiguous: int, delivered: Attempt) -> None:
        """Send again from central's `contiguous_seq`, the profile first: the one time a
        position goes back (server/store/deliveries.py, `rewind_delivery`)."""
        log.warning(
            "central has every event only up to seq %d, below this batch (seqs %s–%s): "
            "sending again from seq %d, the profile first",
            contiguous, delivered.first_seq, delivered.last_seq, contiguous + 1,
        )  # fmt: skip
        await self._record()
        rewound = replace(delivered, outcome="rewound", first_seq=contiguous + 1,
                          error=f"central has every event only up to seq {contiguous}")  # fmt: skip
        await self._store.rewind_delivery(rewound, contiguous)
        self.position = self._stored_position = contiguous
        self._profile_due = self._profile is not None
        self._recorded_at = time.monotonic()

    async def _failed(
        self, first: int | None, last: int | None, status: int | None, error: str, ms: float
    ) -> bool:
        now = self._clock()
        if self.failing_since is None:
            self.failing_since = now
            log.warning("delivery to %s failed: %s", self.destination.id, error)
        self.last_error, self.attempts = error, self.attempts + 1
        try:
            await self._record()  # the successes before it, in order
        except Exception:
            log.exception("cannot record the deliveries to %s", self.destination.id)
        attempt = Attempt(now.isoformat(), self.destination.id, first, last, "failed", status,
                          ms, error)  # fmt: skip
        try:
            await self._store.record_delivery(attempt)
        except Exception:
            log.exception("cannot record a failed delivery to %s", self.destination.id)
        if (now - self.failing_since).total_seconds() >= 60 * self.destination.alert_after_minutes:
            self.alerting = True
        await self._changed()
        return False

    async def _record_now_and_then(self) -> None:
        if time.monotonic() - self._recorded_at >= self._timing.record_every_s:
            await self._record()

    async def _record(self) -> None:
        """Write the successes kept in memory and the position they (and skipped events)
        reached, in one transaction."""
        attempts, self._unrecorded = self._unrecorded, []
        reached = (attempts[-1].last_seq or 0) if attempts else self._stored_position
        if self.position > reached:  # events none of its business, skipped
            at = self._clock().isoformat()
            skipped = Attempt(at, self.destination.id, reached + 1, self.position, "skipped",
                              None, None, None)  # fmt: skip
            attempts.append(skipped)
        if not attempts:
            return
        await self._store.record_delivery(attempts[-1], self.position, earlier=attempts[:-1])
        self._stored_position = self.position
        self._recorded_at = time.monotonic()


def _transport_error(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
