"""The dashboard's sessions and its guard against guessing: pure, the time passed in.

Sessions live in central's memory only: a restart of central asks everyone to log in again,
which costs a user one form and keeps no credential on disk. A session's cookie value is 32
random bytes (`secrets`); the table is keyed by its SHA-256, so a lookup's timing says nothing
of a valid value. A session ends at logout or `SESSION_S` after login.

Guessing (docs/central.md, "Users"): `FAILS_PER_USER` wrong passwords for one user id within
`LOCK_S` lock that id for `LOCK_S` from the last of them, and `FAILS_PER_ADDRESS` from one
address lock the address the same way (one address trying many ids). While locked even the
right password is refused: otherwise the lock would only slow a guesser down. A login that
succeeds clears its user's count, never its address's (a guesser holding one account of their
own must not reset the count of the address they guess from).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Final

__all__ = [
    "FAILS_PER_ADDRESS",
    "FAILS_PER_USER",
    "LOCK_S",
    "SESSION_S",
    "LoginGuard",
    "Session",
    "Sessions",
]

SESSION_S: Final = 12 * 3600  # a working day and then some
FAILS_PER_USER: Final = 5
FAILS_PER_ADDRESS: Final = 20
LOCK_S: Final = 15 * 60
_MAX_KEYS: Final = 10_000  # remembered ids and addresses at most; the oldest forgotten first


@dataclass(frozen=True, slots=True)
class Session:
    user: str
    started_s: float


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class Sessions:
    """Who is logged in, by their cookie's value."""

    def __init__(self) -> None:
        self._by_digest: dict[str, Session] = {}

    def start(self, user: str, now_s: float) -> str:
        """A new session for `user`; the cookie's value."""
        value = secrets.token_urlsafe(32)
        self._by_digest[_digest(value)] = Session(user, now_s)
        self._forget_old(now_s)
        return value

    def get(self, value: str | None, now_s: float) -> Session | None:
        if not value or len(value) > 100:
            return None
        session = self._by_digest.get(_digest(value))
        if session is None or now_s - session.started_s > SESSION_S:
            return None
        return session

    def end(self, value: str | None) -> None:
        if value:
            self._by_digest.pop(_digest(value), None)

    def _forget_old(self, now_s: float) -> None:
        if len(self._by_digest) % 100 == 0:  # now and then: expired sessions are only garbage
            for key in [k for k, s in self._by_digest.items() if now_s - s.started_s > SESSION_S]:
                del self._by_digest[key]


class _Strikes:
    """Failures per key within `LOCK_S`; locked from the `limit`-th for `LOCK_S`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._fails: dict[str, list[float]] = {}

    def _recent(self, key: str, now_s: float) -> list[float]:
        fails = [t for t in self._fails.get(key, ()) if now_s - t < LOCK_S]
        if fails:
            self._fails[key] = fails
        else:
            self._fails.pop(key, None)
        return fails

    def locked_until(self, key: str, now_s: float) -> float | None:
        fails = self._recent(key, now_s)
        return fails[-1] + LOCK_S if len(fails) >= self.limit else None

    def fail(self, key: str, now_s: float) -> None:
        self._recent(key, now_s)
        self._fails.setdefault(key, []).append(now_s)
        if len(self._fails) > _MAX_KEYS:
            oldest = min(self._fails, key=lambda k: self._fails[k][-1])
            del self._fails[oldest]

    def clear(self, key: str) -> None:
        self._fails.pop(key, None)


class LoginGuard:
    """Counts wrong passwords per user id and per address, and says when a login is locked."""

    def __init__(self) -> None:
        self._users = _Strikes(FAILS_PER_USER)
        self._addresses = _Strikes(FAILS_PER_ADDRESS)

    def locked_until(self, user: str, address: str, now_s: float) -> float | None:
        """The instant (seconds) the lock on this user or address ends; None: not locked."""
        ends = [
            t
            for t in (
                self._users.locked_until(user.lower(), now_s),
                self._addresses.locked_until(address, now_s),
            )
            if t is not None
        ]
        return max(ends) if ends else None

    def failed(self, user: str, address: str, now_s: float) -> None:
        self._users.fail(user.lower(), now_s)
        self._addresses.fail(address, now_s)

    def succeeded(self, user: str) -> None:
        self._users.clear(user.lower())
