"""Who may try a PIN now: a defence against guessing that cannot be turned into a lock-out.

Theory of operation (the reasoning and the figures: docs/reliability.md, "Guessing PINs"). Every
attempt at a known officer's or manager's id comes from a *source*:

- a **known device**: one that shows a device cookie this server issued for this id after a
  correct PIN (OWASP's "device cookies"); the cookie is `<nonce>.<mac>`, the MAC an HMAC over the
  id and the nonce keyed with the id's PIN hash, so it survives a server restart, is worthless for
  another id, and dies when the PIN is changed;
- otherwise an **unknown device**, told apart by its network address.

Each source keeps its own count of wrong PINs in a row for the id. The first `free_failures - 1`
cost nothing; the `free_failures`-th and every one after it make that source wait before its next
PIN is even checked, `first_wait_s` doubling with each further wrong PIN up to `max_wait_s`. A
right PIN clears the source's count, and so does `forget_after_s` without a wrong one. So a
stranger's guesses hold up the stranger only: the officer's own counter is another source.

Unknown devices also draw, all together, from one budget per id: `unknown_budget` wrong PINs,
refilled at one per `unknown_refill_s`. Changing address buys no further guesses, only a fresh
count that the budget still caps. Known devices never draw from it: nobody's guesses can keep an
officer out of the counter they last logged in at. A manager may `unlock` an id: every count and
the budget start afresh.

Pure: times are the caller's monotonic seconds, nonces come from the caller; no clock, no I/O,
no randomness. The caller runs one attempt per id at a time (roles.Authenticator holds a lock per
id across the PIN check), so an attempt's hold, check and outcome cannot interleave with another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Guessing",
    "Hold",
    "HoldReason",
    "Lockout",
    "LockoutPolicy",
    "Source",
    "SourceView",
    "device_cookie",
    "device_of",
]


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """The numbers of the defence; docs/protocol.md ("Roles and credentials") states each."""

    free_failures: int = 5  # wrong PINs in a row from one source before it must wait
    first_wait_s: float = 60.0  # the wait after the free_failures-th; doubles with each further
    max_wait_s: float = 3600.0
    forget_after_s: float = 24 * 3600.0  # a source's count ends this long after its last wrong PIN
    unknown_budget: int = 10  # wrong PINs from unknown devices together, per id ...
    unknown_refill_s: float = 1800.0  # ... plus one more every this many seconds
    max_sources: int = 100  # sources remembered per id: addresses cannot grow memory

    def wait_after(self, failures: int) -> float:
        """How long a source waits after its `failures`-th wrong PIN in a row (0: not at all)."""
        if failures < self.free_failures:
            return 0.0
        doublings = min(failures - self.free_failures, 32)  # 2**32 minutes exceeds any maximum
        return min(self.first_wait_s * 2**doublings, self.max_wait_s)


@dataclass(frozen=True, slots=True)
class Source:
    """Where an attempt comes from: its address, and the nonce of its valid device cookie."""

    address: str
    device: str | None = None  # None: an unknown device

    @property
    def known(self) -> bool:
        return self.device is not None

    @property
    def key(self) -> str:
        return f"device:{self.device}" if self.device is not None else f"address:{self.address}"


class HoldReason(StrEnum):
    SOURCE = "source"  # this source sent too many wrong PINs for the id
    UNKNOWN_DEVICES = "unknown_devices"  # unknown devices together used up the id's budget


@dataclass(frozen=True, slots=True)
class Hold:
    """An attempt refused without checking its PIN, and how long until one would be checked."""

    reason: HoldReason
    wait_s: float


@dataclass(frozen=True, slots=True)
class SourceView:
    """One source's wrong PINs for an id, for the floor's alert (never a PIN)."""

    address: str
    known: bool
    failures: int
    last_at: float
    wait_s: float  # until its next PIN is checked; 0 if it may try now


@dataclass(frozen=True, slots=True)
class Guessing:
    """An id whose wrong PINs not cleared by a right one reached `free_failures`."""

    person: str
    failures: int
    first_at: float
    last_at: float
    unknown_wait_s: float  # until unknown devices may try again; 0 if they may now
    forget_at: float  # when every count of this id ends if no wrong PIN comes meanwhile
    sources: tuple[SourceView, ...]  # the most recent first, at most `_SOURCES_SHOWN`


_SOURCES_SHOWN = 5


@dataclass(slots=True)
class _Count:
    """One source's wrong PINs in a row for one id."""

    address: str
    known: bool
    failures: int = 0
    first_at: float = 0.0
    last_at: float = 0.0
    not_before: float = 0.0  # its next PIN is checked from this instant on


@dataclass(slots=True)
class _Person:
    """One id's counts, and its budget of wrong PINs from unknown devices."""

    tokens: float
    stamp: float  # when `tokens` was last brought up to date
    counts: dict[str, _Count] = field(default_factory=dict)


class Lockout:
    """The state of the defence for every known id of the building (keyed by id)."""

    def __init__(self, policy: LockoutPolicy | None = None) -> None:
        self.policy = policy or LockoutPolicy()
        # Known ids only (the caller refuses unknown ones before asking): bounded by the building.
        self._people: dict[str, _Person] = {}

    # -- one attempt ------------------------------------------------------------------------

    def hold(self, person: str, source: Source, now: float) -> Hold | None:
        """Whether this attempt is refused unchecked; None: check its PIN now."""
        state = self._people.get(person)
        if state is None:
            return None
        self._refresh(state, now)
        count = state.counts.get(source.key)
        if count is not None and now < count.not_before:
            return Hold(HoldReason.SOURCE, count.not_before - now)
        if not source.known and state.tokens < 1:
            return Hold(HoldReason.UNKNOWN_DEVICES, self._refill_wait(state))
        return None

    def failed(self, person: str, source: Source, now: float) -> Hold | int:
        """Count a wrong PIN; the hold it starts, or how many more a wrong PIN may follow."""
        policy = self.policy
        state = self._people.get(person)
        if state is None:
            state = self._people[person] = _Person(tokens=float(policy.unknown_budget), stamp=now)
        self._refresh(state, now)
        count = state.counts.get(source.key)
        if count is None:
            if len(state.counts) >= policy.max_sources:
                # Forget the source quiet the longest; the unknown budget still caps them all.
                oldest = min(state.counts, key=lambda k: state.counts[k].last_at)
                del state.counts[oldest]
            count = state.counts[source.key] = _Count(source.address, source.known, first_at=now)
        count.failures += 1
        count.last_at = now
        count.not_before = now + policy.wait_after(count.failures)
        if not source.known:
            state.tokens -= 1
        hold = self.hold(person, source, now)
        if hold is not None:
            return hold
        left = policy.free_failures - count.failures
        if not source.known:
            left = min(left, int(state.tokens))
        return left

    def succeeded(self, person: str, source: Source) -> None:
        """A right PIN: the source's count ends (other sources' counts and the budget stay)."""
        state = self._people.get(person)
        if state is not None:
            state.counts.pop(source.key, None)

    def unlock(self, person: str) -> tuple[int, int]:
        """A manager's unlock: forget every count of the id and refill its budget.

        Returns the wrong PINs and the sources forgotten, for the log.
        """
        state = self._people.pop(person, None)
        if state is None:
            return 0, 0
        return sum(c.failures for c in state.counts.values()), len(state.counts)

    # -- the floor's view -------------------------------------------------------------------

    def guessing(self, now: float) -> list[Guessing]:
        """Every id with at least `free_failures` wrong PINs not cleared, in order of id."""
        out = []
        for person in sorted(self._people):
            state = self._people[person]
            self._refresh(state, now)
            counts = list(state.counts.values())
            failures = sum(c.failures for c in counts)
            if failures < self.policy.free_failures:
                continue
            counts.sort(key=lambda c: c.last_at, reverse=True)
            out.append(
                Guessing(
                    person=person,
                    failures=failures,
                    first_at=min(c.first_at for c in counts),
                    last_at=counts[0].last_at,
                    unknown_wait_s=self._refill_wait(state) if state.tokens < 1 else 0.0,
                    forget_at=counts[0].last_at + self.policy.forget_after_s,
                    sources=tuple(
                        SourceView(
                            c.address, c.known, c.failures, c.last_at, max(0.0, c.not_before - now)
                        )
                        for c in counts[:_SOURCES_SHOWN]
                    ),
                )
            )
        return out

    # -- housekeeping -----------------------------------------------------------------------

    def _refresh(self, state: _Person, now: float) -> None:
        """Refill the budget for the time passed; forget counts quiet for `forget_after_s`."""
        policy = self.policy
        elapsed = max(0.0, now - state.stamp)
        state.tokens = min(
            float(policy.unknown_budget), state.tokens + elapsed / policy.unknown_refill_s
        )
        state.stamp = now
        for key in [
            k
            for k, c in state.counts.items()
            if now - c.last_at >= policy.forget_after_s and now >= c.not_before
        ]:
            del state.counts[key]

    def _refill_wait(self, state: _Person) -> float:
        return (1 - state.tokens) * self.policy.unknown_refill_s


# -- device cookies -----------------------------------------------------------------------------

_COOKIE_CONTEXT = b"antre-device-cookie-v1"
_MAC_CHARS = 22  # 128 bits of the HMAC, URL-safe base64 without padding


def _mac(person: str, nonce: str, pin_hash: str) -> str:
    message = b"|".join((_COOKIE_CONTEXT, person.encode(), nonce.encode()))
    digest = hmac.new(pin_hash.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:_MAC_CHARS]


def device_cookie(person: str, pin_hash: str, nonce: str) -> str:
    """The cookie that makes a device known for `person`: `<nonce>.<mac>` (nonce: URL-safe)."""
    return f"{nonce}.{_mac(person, nonce, pin_hash)}"


def device_of(cookie: str | None, person: str, pin_hash: str) -> str | None:
    """The nonce of a cookie valid for `person` under this PIN hash; None for any other."""
    if not cookie or cookie.count(".") != 1:
        return None
    nonce, mac = cookie.split(".")
    if not nonce or not hmac.compare_digest(mac.encode(), _mac(person, nonce, pin_hash).encode()):
        return None
    return nonce
