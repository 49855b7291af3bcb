"""Who may connect and what each role may ask: the role table, the principal, authentication.

Theory of operation: a session starts anonymous. Its `hello` names a role and carries credentials:
a device token for a kiosk or a TV (checked against the SHA-256 digest in the building file),
an officer id and PIN plus the counter the officer sits at, a manager id and PIN, or — for the
citizen's phone page — a ticket's public token (the QR code's: the token is the capability). The
`Authenticator` turns a good hello into a `Principal` (who, which role, bound to which counter,
agency or zone) or raises `AuthError` with a protocol error code and the close code to use.

`ALLOWED` is the one explicit table of which request types each role may send; the hub checks it
before looking at a request's fields. Scope rules that need the queue state (an officer acts only
on its own counter and its own agency's tickets; a kiosk only on tickets it issued) live in the hub.

PIN lockout is kept in memory: `max_failures` wrong PINs for one officer or manager id within
`failure_window_s` lock that id for `lockout_s`, even with the right PIN. A server restart clears
it, which is acceptable for a building-local server (a restart is rare, visible and logged), and
keeps secrets-adjacent state out of the event log. PIN checks (scrypt, ~50 ms on purpose) run in
a worker thread so the event loop keeps serving everyone else; checks for one id are serialised
so that parallel guesses cannot slip past the counter.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from server import protocol as p
from server import refusals
from server.auth import token_digest, verify_pin
from server.core.building import Building, DeviceKind, ManagerRole
from server.core.part_week import desk_refusal

if TYPE_CHECKING:
    from server.core.model import Ticket

__all__ = [
    "ALLOWED",
    "FLOOR_AUDIENCE",
    "TICKET_TOKEN_RE",
    "AuthError",
    "Authenticator",
    "LockoutPolicy",
    "Principal",
    "Role",
]


# Floor managers and admins share one audience: they see everything of today, and they alone get
# the staffing figures with the line figures (server/broadcast/views.line_view).
FLOOR_AUDIENCE = "floor"


class Role(StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"
    OFFICER = "officer"
    FLOOR = "floor"  # floor manager: watches the building, cancels, reactivates, closes counters
    ADMIN = "admin"  # same powers today; configuration tools will be admin-only
    TICKET = "ticket"  # the citizen's phone page: one ticket's public view, read-only


_COUNTER_ACTIONS = frozenset(
    {
        "login",
        "logout",
        "open_counter",
        "pause_counter",
        "resume_counter",
        "close_counter",
        "call_next",
        "call_ticket",
        "recall",
        "start_service",
        "finish_service",
        "no_show",
        "transfer",
        "reactivate",
    }
)
_MANAGER_ACTIONS = frozenset(
    {"ping", "snapshot", "list_lines", "cancel_ticket", "reactivate", "close_counter"}
)

# The role table. `hello` is not listed: it is only valid as the first frame.
ALLOWED: Mapping[Role, frozenset[str]] = {
    Role.KIOSK: frozenset(
        {
            "ping",
            "snapshot",
            "list_lines",
            "issue_ticket",
            "confirm_printed",
            "print_failed",
            "record_reprint",
            "printer_status",
        }
    ),
    Role.DISPLAY: frozenset({"ping", "snapshot"}),
    Role.OFFICER: frozenset({"ping", "snapshot", "list_lines"}) | _COUNTER_ACTIONS,
    Role.FLOOR: _MANAGER_ACTIONS,
    Role.ADMIN: _MANAGER_ACTIONS,
    # Read-only: a phone only keeps its connection alive; everything else is `forbidden`.
    Role.TICKET: frozenset({"ping"}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a session speaks for, as established by its hello."""

    role: Role
    id: str  # device id, officer id or manager id
    name: str
    actor: str  # how the event log names them: "kiosk:K1", "officer:DKP01@L05", "manager:M1"
    counter: str | None = None  # an officer's counter
    agency: str | None = None  # an officer's agency
    zone: str | None = None  # a display's zone; None = every zone
    # A ticket session's principal: id = the ticket's id, name = its number (never the token).

    @property
    def audience(self) -> str:
        """The broadcast audience: sessions with the same audience receive the same frames."""
        if self.role is Role.KIOSK:
            return f"kiosk:{self.id}"
        if self.role is Role.DISPLAY:
            return f"zone:{self.zone or '*'}"
        if self.role is Role.OFFICER:
            return f"agency:{self.agency}"
        if self.role is Role.TICKET:
            return f"ticket:{self.id}"  # no audience of events: ticket sessions get `ticket` frames
        return FLOOR_AUDIENCE

    def describe(self) -> dict[str, Any]:
        """The welcome's `principal`: what the client may show about itself."""
        out: dict[str, Any] = {"id": self.id, "name": self.name}
        for key in ("counter", "agency", "zone"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


class AuthError(Exception):
    """A refused hello: the error to send and the close code that follows it."""

    def __init__(
        self,
        code: str,
        message: str,
        close_code: int = p.CLOSE_AUTH_FAILED,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.close_code = close_code
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    max_failures: int = 5
    failure_window_s: float = 600.0
    lockout_s: float = 300.0


@dataclass(slots=True)
class _Attempts:
    failures: deque[float] = field(default_factory=deque)  # monotonic times of recent failures
    locked_until: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one PIN check at a time per id


_AUTH_FAILED_PIN = "ID atau PIN salah."
_AUTH_FAILED_TOKEN = "Token perangkat tidak dikenal. Periksa konfigurasi perangkat ini."
_AUTH_FAILED_TICKET = "Nomor antrean tidak ditemukan. Tiket hanya berlaku pada hari diterbitkan."
# Ticket tokens are secrets.token_urlsafe output; anything else cannot be one.
TICKET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")


class Authenticator:
    """Turns a validated hello into a Principal, or raises AuthError."""

    def __init__(
        self,
        building: Building,
        *,
        lockout: LockoutPolicy | None = None,
        wall_clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        tickets: Callable[[str], Ticket | None] | None = None,
    ) -> None:
        # Read once: the building does not change while the server runs.
        self._building = building
        # Device lookup by digest: a token is checked by hashing it once, not by trying each device.
        self._devices = {d.token_sha256.strip().lower(): d for d in building.devices}
        self._officers = {o.id: o for o in building.officers}
        self._managers = {m.id: m for m in building.managers}
        # A real hash to check unknown ids against, so a wrong id costs as long as a wrong PIN.
        self._decoy_hash = next(
            (o.pin_hash for o in building.officers),
            next((m.pin_hash for m in building.managers), None),
        )
        self._lockout = lockout or LockoutPolicy()
        # Wall clock only for telling people when to come back; locks run on the monotonic clock.
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        # Today's ticket by its public token (the queue state's index); None: no ticket role.
        self._tickets = tickets
        # Keyed by known officer/manager ids only, so hostile ids cannot grow it.
        self._attempts: dict[str, _Attempts] = {}
        # At most two scrypt checks at once (16 MiB and ~50 ms each): a flood of hellos queues
        # here instead of taking every core and the default thread pool from the server.
        self._pin_checks = asyncio.Semaphore(2)

    async def authenticate(self, hello: Mapping[str, Any]) -> Principal:
        role = hello["role"]
        if role in ("kiosk", "display"):
            return self._device(role, hello)
        if role == "officer":
            return await self._officer(hello)
        if role == "ticket":
            return self._ticket(hello)
        return await self._manager(hello)

    # -- devices ----------------------------------------------------------------------------

    def _device(self, role: str, hello: Mapping[str, Any]) -> Principal:
        token = _required(hello, "token")
        device = self._devices.get(token_digest(token))
        if device is None or device.kind is not DeviceKind(role):
            raise AuthError(p.ERR_AUTH_FAILED, _AUTH_FAILED_TOKEN)
        if role == "kiosk":
            return Principal(Role.KIOSK, device.id, device.id, f"kiosk:{device.id}")
        return Principal(
            Role.DISPLAY, device.id, device.id, f"display:{device.id}", zone=device.zone
        )

    def _ticket(self, hello: Mapping[str, Any]) -> Principal:
        """The citizen's phone page: today's ticket whose public token the hello names."""
        token = _required(hello, "token")
        ticket = None
        if TICKET_TOKEN_RE.fullmatch(token) and self._tickets is not None:
            ticket = self._tickets(token)
        if ticket is None:
            raise AuthError(p.ERR_AUTH_FAILED, _AUTH_FAILED_TICKET)
        # Named by its id and number only: the token is never logged nor echoed back.
        return Principal(Role.TICKET, ticket.id, ticket.number, f"ticket:{ticket.id}")

    # -- people -----------------------------------------------------------------------------

    async def _officer(self, hello: Mapping[str, Any]) -> Principal:
        counter_id = _required(hello, "counter")
        officer_id = _required(hello, "officer")
        pin = _required(hello, "pin")
        counter = self._building.counter(counter_id)
        if counter is None:
            raise AuthError(p.ERR_AUTH_FAILED, refusals.say("counter_unknown", counter=counter_id))
        officer = self._officers.get(officer_id)
        await self._check_pin(
            f"officer:{officer_id}", officer.pin_hash if officer is not None else None, pin
        )
        assert officer is not None  # _check_pin refuses unknown ids
        if counter.schedule:
            # A desk shared by agencies on different days: today's agency's officers only.
            now = self._wall_clock() if self._wall_clock is not None else datetime.now(UTC)
            today = self._building.service_day(now)
            refusal = desk_refusal(self._building, counter, officer.agency, today)
            if refusal is not None:
                raise AuthError(p.ERR_FORBIDDEN, refusal.message)
        elif officer.agency != counter.agency:
            raise AuthError(
                p.ERR_FORBIDDEN, refusals.say("officer_other_agency", counter=counter.name)
            )
        return Principal(
            Role.OFFICER,
            officer.id,
            officer.name,
            f"officer:{officer.id}@{counter.id}",
            counter=counter.id,
            agency=officer.agency,
        )

    async def _manager(self, hello: Mapping[str, Any]) -> Principal:
        manager_id = _required(hello, "manager")
        pin = _required(hello, "pin")
        manager = self._managers.get(manager_id)
        await self._check_pin(
            f"manager:{manager_id}", manager.pin_hash if manager is not None else None, pin
        )
        assert manager is not None
        role = Role.ADMIN if manager.role is ManagerRole.ADMIN else Role.FLOOR
        return Principal(role, manager.id, manager.name, f"manager:{manager.id}")

    async def _check_pin(self, key: str, pin_hash: str | None, pin: str) -> None:
        if pin_hash is None:
            # Unknown id: spend the same time as a real check, then refuse the same way.
            if self._decoy_hash is not None:
                await self._verify(pin, self._decoy_hash)
            raise AuthError(p.ERR_AUTH_FAILED, _AUTH_FAILED_PIN)
        attempts = self._attempts.setdefault(key, _Attempts())
        async with attempts.lock:
            self._refuse_if_locked(attempts)
            if await self._verify(pin, pin_hash):
                attempts.failures.clear()
                return
            now = self._monotonic()
            attempts.failures.append(now)
            while attempts.failures and attempts.failures[0] < now - self._lockout.failure_window_s:
                attempts.failures.popleft()
            if len(attempts.failures) >= self._lockout.max_failures:
                attempts.locked_until = now + self._lockout.lockout_s
                attempts.failures.clear()
                self._refuse_if_locked(attempts)
            left = self._lockout.max_failures - len(attempts.failures)
            raise AuthError(
                p.ERR_AUTH_FAILED,
                f"{_AUTH_FAILED_PIN} Sisa {left} percobaan sebelum akun dikunci.",
            )

    async def _verify(self, pin: str, pin_hash: str) -> bool:
        async with self._pin_checks:
            return await asyncio.to_thread(verify_pin, pin, pin_hash)

    def _refuse_if_locked(self, attempts: _Attempts) -> None:
        left = attempts.locked_until - self._monotonic()
        if left <= 0:
            return
        minutes = max(1, round(left / 60))
        when = ""
        if self._wall_clock is not None:
            until = self._building.local(self._wall_clock() + timedelta(seconds=left))
            # Round up: "until 09.05" must not send anyone back at 09.04 to be refused again.
            local = until.replace(second=0, microsecond=0)
            if local < until:
                local += timedelta(minutes=1)
            when = f" sampai pukul {local:%H.%M} {self._building.zone_label}"
        raise AuthError(
            p.ERR_LOCKED,
            f"Terlalu banyak PIN salah. Akun dikunci{when}; coba lagi dalam {minutes} menit.",
            retry_after_s=round(left, 1),
        )


def _required(hello: Mapping[str, Any], name: str) -> str:
    value = hello.get(name)
    if not isinstance(value, str) or not value:
        raise AuthError(
            p.ERR_BAD_MESSAGE,
            refusals.say("hello_missing", what=refusals.HELLO_FIELDS.get(name, name)),
            close_code=p.CLOSE_HELLO_REQUIRED,
        )
    return value
