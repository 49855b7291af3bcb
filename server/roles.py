"""Who may connect and what each role may ask: the role table, the principal, authentication.

Theory of operation: a session starts anonymous. Its `hello` names a role and carries credentials:
a device token for a kiosk, a TV or a counter's survey tablet (checked against the SHA-256
digest in the building file), an officer id and PIN plus the counter the officer sits at, a
manager id and PIN, or — for the citizen's phone page — a ticket's public token (the QR code's:
the token is the capability). The `Authenticator` turns a good hello into a `Principal` (who,
which role, bound to which counter, agency or zone) or raises `AuthError` with a protocol error
code and the close code to use.

`ALLOWED` is the one explicit table of which request types each role may send; the hub checks it
before looking at a request's fields. Scope rules that need the queue state (an officer acts only
on its own counter and its own agency's tickets; a kiosk only on tickets it issued) live in the hub.

Guessing PINs is slowed per source, not locked per id (server/lockout.py: wrong PINs counted per
id and device, a wait that doubles, a budget shared by unknown devices, device cookies for known
ones, a manager's unlock). The counts are kept in memory: a server restart clears them, which is
acceptable for a building-local server (a restart is rare, visible and logged), and keeps
secrets-adjacent state out of the event log; device cookies need no memory and survive it. PIN
checks (scrypt, ~50 ms on purpose) run in a worker thread so the event loop keeps serving
everyone else; checks for one id are serialised so that parallel guesses cannot slip past the
count.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import secrets
import time
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
from server.lockout import (
    Guessing,
    Hold,
    HoldReason,
    Lockout,
    LockoutPolicy,
    Source,
    device_cookie,
    device_of,
)

if TYPE_CHECKING:
    from server.core.model import Ticket

__all__ = [
    "ADMIN_ACTIONS",
    "ALLOWED",
    "DISABLED_OFFICER",
    "FLOOR_AUDIENCE",
    "FLOOR_EDIT_TARGETS",
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
    FLOOR = "floor"  # floor manager: watches the building, cancels, reactivates, closes counters,
    # unlocks an id whose PIN was guessed at
    ADMIN = "admin"  # a floor manager's powers, and the building's administration (issue 23)
    TICKET = "ticket"  # the citizen's phone page: one ticket's public view, read-only
    # The SKM survey's tablet facing the citizen at one counter (issue 20): offered the survey
    # of each ticket finished there, it answers only that one (server/hub/requests.py).
    TABLET = "tablet"


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
        "booking_holder",
        # One visit, several agencies (issue 22): at the officer's own counter's active ticket.
        "add_stop",
        "skip_stop",
        "visit",
        # Counter-closure requests (issue 23): the officer's own seated counter.
        "request_closure",
        "withdraw_closure",
    }
)
# The floor's complaint workflow (issue 20); filing one at the help desk is also an officer's.
_COMPLAINT_ACTIONS = frozenset(
    {"take_complaint", "answer_complaint", "close_complaint", "complaint_contact"}
)
_MANAGER_ACTIONS = (
    frozenset(
        {
            "ping",
            "snapshot",
            "list_lines",
            "cancel_ticket",
            "reactivate",
            "close_counter",
            "unlock_pin",
            # Issue 22: a visit's itinerary; skipping a stop names the visit.
            "skip_stop",
            "visit",
            # Issue 23: approve or refuse an officer's request to close their counter.
            "decide_closure",
        }
    )
    | _COMPLAINT_ACTIONS
    | {"file_complaint"}
)

# Live administration (issue 23): the building's state, edits, their history and undo, new
# credentials. An admin edits every target; a floor manager only these (`FLOOR_EDIT_TARGETS`:
# the running text, holidays and special hours), which server/hub/admin.py checks per target.
ADMIN_ACTIONS = frozenset(
    {
        "admin_state",
        "admin_edit",
        "admin_undo",
        "admin_history",
        "admin_reset_pin",
        "admin_new_device",
        "admin_new_token",
    }
)
_FLOOR_ADMIN_ACTIONS = frozenset({"admin_state", "admin_edit", "admin_undo", "admin_history"})
# Target kinds ("holiday" of "holiday:2026-12-25") a floor manager may edit.
FLOOR_EDIT_TARGETS = frozenset({"running_text", "holiday", "special_hours"})

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
            "check_in",
            "plan_visit",
            "issue_visit",
        }
    ),
    Role.DISPLAY: frozenset({"ping", "snapshot"}),
    Role.OFFICER: frozenset({"ping", "snapshot", "list_lines", "file_complaint"})
    | _COUNTER_ACTIONS,
    Role.FLOOR: _MANAGER_ACTIONS | _FLOOR_ADMIN_ACTIONS,
    Role.ADMIN: _MANAGER_ACTIONS | ADMIN_ACTIONS,
    # Read-only: a phone only keeps its connection alive; everything else is `forbidden`.
    Role.TICKET: frozenset({"ping"}),
    # A counter tablet answers the survey it was offered; it hears nothing else.
    Role.TABLET: frozenset({"ping", "snapshot", "answer_survey"}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a session speaks for, as established by its hello."""

    role: Role
    id: str  # device id, officer id or manager id
    name: str
    actor: str  # how the event log names them: "kiosk:K1", "officer:DKP01@L05", "manager:M1"
    counter: str | None = None  # an officer's counter, or the counter a tablet faces
    agency: str | None = None  # an officer's agency
    zone: str | None = None  # a display's zone; None = every zone
    # A ticket session's visit of several stops (issue 22), whose stops' tickets share the
    # token. None otherwise.
    visit: str | None = None
    # What a ticket session's phones are bounded per (server/hub/seats.py): a digest of the
    # printed QR's token — the same for every stop of a visit, and for a plain ticket before and
    # after an officer's add_stop makes it one. Never the token itself (never logged, no repr).
    qr: str | None = field(default=None, repr=False, compare=False)
    # A ticket session's principal: id = the ticket's id, name = its number (never the token).
    # An officer's or manager's device cookie, for the welcome (server/lockout.py): a credential
    # of sorts, so never in a repr nor part of who the principal is.
    device_cookie: str | None = field(default=None, repr=False, compare=False)
    # A device's token digest as it connected: a live edit giving the device a new token
    # closes the session (issue 23; the old token is revoked). Never the token itself.
    token_digest: str | None = field(default=None, repr=False, compare=False)

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
        if self.role is Role.TABLET:
            return f"tablet:{self.id}"  # no audience of events either: `survey_offer` pushes
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


_AUTH_FAILED_PIN = "ID atau PIN salah."
# An officer the building disables (issue 23): refused at login, logged out at once.
DISABLED_OFFICER = "Akun Anda dinonaktifkan; hubungi admin."
_AUTH_FAILED_TOKEN = "Token perangkat tidak dikenal. Periksa konfigurasi perangkat ini."
_AUTH_FAILED_TICKET = "Nomor antrean tidak ditemukan. Tiket hanya berlaku pada hari diterbitkan."
# Ticket tokens are secrets.token_urlsafe output; anything else cannot be one.
TICKET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
# The nonce of a device cookie: 12 random bytes, URL-safe base64 (16 characters).
_COOKIE_NONCE_BYTES = 12


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
        on_guessing: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> None:
        # A live building edit replaces these through `set_building` (issue 23).
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
        self._lockout = Lockout(lockout)
        # Wall clock only for telling people when to come back; holds run on the monotonic clock.
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        # Today's ticket by its public token (the queue state's index); None: no ticket role.
        self._tickets = tickets
        # One PIN check at a time per id, keyed by known ids only so hostile ids cannot grow it.
        self._checking: dict[str, asyncio.Lock] = {}
        # Told the whole list of ids being guessed whenever it changes (the floor's alert).
        self._on_guessing = on_guessing
        # At most two scrypt checks at once (16 MiB and ~50 ms each): a flood of hellos queues
        # here instead of taking every core and the default thread pool from the server.
        self._pin_checks = asyncio.Semaphore(2)

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): its devices, officers, managers and PINs from now
        on. Wrong-PIN holds stay (they are about a person and a device, not a PIN)."""
        self._building = building
        self._devices = {d.token_sha256.strip().lower(): d for d in building.devices}
        self._officers = {o.id: o for o in building.officers}
        self._managers = {m.id: m for m in building.managers}

    async def authenticate(self, hello: Mapping[str, Any], source: str = "unknown") -> Principal:
        """The principal of a hello sent from the network address `source`, or AuthError."""
        role = hello["role"]
        if role in ("kiosk", "display", "tablet"):
            return self._device(role, hello)
        if role == "officer":
            return await self._officer(hello, source)
        if role == "ticket":
            return self._ticket(hello)
        return await self._manager(hello, source)

    # -- devices ----------------------------------------------------------------------------

    def _device(self, role: str, hello: Mapping[str, Any]) -> Principal:
        token = _required(hello, "token")
        device = self._devices.get(token_digest(token))
        if device is None or device.kind is not DeviceKind(role):
            raise AuthError(p.ERR_AUTH_FAILED, _AUTH_FAILED_TOKEN)
        digest = device.token_sha256
        if role == "kiosk":
            return Principal(
                Role.KIOSK, device.id, device.id, f"kiosk:{device.id}", token_digest=digest
            )
        if role == "tablet":
            return Principal(
                Role.TABLET,
                device.id,
                device.id,
                f"tablet:{device.id}",
                counter=device.counter,
                token_digest=digest,
            )
        return Principal(
            Role.DISPLAY,
            device.id,
            device.id,
            f"display:{device.id}",
            zone=device.zone,
            token_digest=digest,
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
        return Principal(
            Role.TICKET,
            ticket.id,
            ticket.number,
            f"ticket:{ticket.id}",
            visit=ticket.visit,
            qr=hashlib.sha256(token.encode()).hexdigest()[:32],
        )

    # -- people -----------------------------------------------------------------------------

    async def _officer(self, hello: Mapping[str, Any], source: str) -> Principal:
        counter_id = _required(hello, "counter")
        officer_id = _required(hello, "officer")
        pin = _required(hello, "pin")
        counter = self._building.counter(counter_id)
        if counter is None:
            raise AuthError(p.ERR_AUTH_FAILED, refusals.say("counter_unknown", counter=counter_id))
        officer = self._officers.get(officer_id)
        cookie = await self._check_pin(
            officer_id, officer.pin_hash if officer is not None else None, pin, source, hello
        )
        assert officer is not None  # _check_pin refuses unknown ids
        if getattr(officer, "disabled", False):
            # Only after the PIN: whether an account exists or is disabled is not told to
            # someone guessing (issue 23).
            raise AuthError(p.ERR_FORBIDDEN, DISABLED_OFFICER)
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
            device_cookie=cookie,
        )

    async def _manager(self, hello: Mapping[str, Any], source: str) -> Principal:
        manager_id = _required(hello, "manager")
        pin = _required(hello, "pin")
        manager = self._managers.get(manager_id)
        cookie = await self._check_pin(
            manager_id, manager.pin_hash if manager is not None else None, pin, source, hello
        )
        assert manager is not None
        role = Role.ADMIN if manager.role is ManagerRole.ADMIN else Role.FLOOR
        return Principal(
            role, manager.id, manager.name, f"manager:{manager.id}", device_cookie=cookie
        )

    async def _check_pin(
        self,
        person: str,
        pin_hash: str | None,
        pin: str,
        address: str,
        hello: Mapping[str, Any],
    ) -> str:
        """Check the PIN unless this source is held; the device cookie to give it on success."""
        if pin_hash is None:
            # Unknown id: spend the same time as a real check, then refuse the same way.
            if self._decoy_hash is not None:
                await self._verify(pin, self._decoy_hash)
            raise AuthError(p.ERR_AUTH_FAILED, _AUTH_FAILED_PIN)
        cookie = hello.get("device_cookie")
        device = device_of(cookie if isinstance(cookie, str) else None, person, pin_hash)
        source = Source(address, device)
        lockout = self._lockout
        async with self._checking.setdefault(person, asyncio.Lock()):
            hold = lockout.hold(person, source, self._monotonic())
            if hold is not None:
                raise self._held(person, hold)
            if await self._verify(pin, pin_hash):
                listed = self._listed(person)  # if so, its alert's counts drop, or it ends
                lockout.succeeded(person, source)
                if listed:
                    self._tell_floor()
                if device is not None:
                    assert isinstance(cookie, str)
                    return cookie
                nonce = secrets.token_urlsafe(_COOKIE_NONCE_BYTES)
                return device_cookie(person, pin_hash, nonce)
            outcome = lockout.failed(person, source, self._monotonic())
            if self._listed(person):
                self._tell_floor()
            if isinstance(outcome, Hold):
                raise self._held(person, outcome)
            raise AuthError(
                p.ERR_AUTH_FAILED,
                f"{_AUTH_FAILED_PIN} Sisa {outcome} percobaan sebelum perangkat ini dikunci "
                "sementara.",
            )

    async def _verify(self, pin: str, pin_hash: str) -> bool:
        async with self._pin_checks:
            return await asyncio.to_thread(verify_pin, pin, pin_hash)

    def _held(self, person: str, hold: Hold) -> AuthError:
        """The `locked` refusal of a held attempt, saying until when (with the zone)."""
        left = hold.wait_s
        minutes = max(1, math.ceil(left / 60))
        until = ""
        if self._wall_clock is not None:
            local = self._building.local(self._wall_clock() + timedelta(seconds=left))
            # Round up: "until 09.05" must not send anyone back at 09.04 to be refused again.
            shown = local.replace(second=0, microsecond=0)
            if shown < local:
                shown += timedelta(minutes=1)
            until = f" sampai pukul {p.format_clock_in_zone(shown, self._building.zone_label)}"
        if hold.reason is HoldReason.SOURCE:
            message = (
                f"Terlalu banyak PIN salah dari perangkat ini. ID {person} dikunci di sini"
                f"{until}; coba lagi dalam {minutes} menit, atau minta pengelola lantai membuka "
                "kuncinya."
            )
        else:
            message = (
                f"Terlalu banyak PIN salah untuk ID {person} dari perangkat yang belum dikenal. "
                f"Masuk dari perangkat baru dikunci{until} (dalam {minutes} menit). Masuklah "
                "dari komputer yang biasa Anda pakai, atau minta pengelola lantai membuka "
                "kuncinya."
            )
        return AuthError(p.ERR_LOCKED, message, retry_after_s=round(left, 1))

    # -- the floor's side -------------------------------------------------------------------

    def unlock(self, person: str) -> tuple[int, int] | None:
        """A manager's unlock of an id: the wrong PINs and sources forgotten; None: unknown id."""
        if person not in self._officers and person not in self._managers:
            return None
        forgotten = self._lockout.unlock(person)
        if forgotten != (0, 0):
            self._tell_floor()
        return forgotten

    def guessing(self) -> list[dict[str, Any]]:
        """The ids being guessed, as the floor's `pin_guessing` alert lists them."""
        now = self._monotonic()
        wall = self._wall_clock() if self._wall_clock is not None else datetime.now(UTC)
        return [self._guessing_view(g, now, wall) for g in self._lockout.guessing(now)]

    def _listed(self, person: str) -> bool:
        return any(g.person == person for g in self._lockout.guessing(self._monotonic()))

    def _tell_floor(self) -> None:
        if self._on_guessing is not None:
            self._on_guessing(self.guessing())

    def _guessing_view(self, g: Guessing, now: float, wall: datetime) -> dict[str, Any]:
        def at(t: float, up: bool = False) -> str:
            """The monotonic instant `t` on the wall clock, to the second (rounded up: `up`)."""
            local = self._building.local(wall + timedelta(seconds=t - now))
            whole = local.replace(microsecond=0)
            if up and whole < local:
                whole += timedelta(seconds=1)
            return whole.isoformat()

        def until(wait_s: float) -> str | None:
            return at(now + wait_s, up=True) if wait_s > 0 else None

        officer = self._officers.get(g.person)
        manager = self._managers.get(g.person)
        name = officer.name if officer is not None else manager.name if manager else g.person
        return {
            "person": g.person,
            "role": "officer" if officer is not None else "manager",
            "name": name,
            "failures": g.failures,
            "first_at": at(g.first_at),
            "last_at": at(g.last_at),
            "forget_at": at(g.forget_at),
            "new_devices_held_until": until(g.unknown_wait_s),
            "sources": [
                {
                    "address": s.address,
                    "known_device": s.known,
                    "failures": s.failures,
                    "last_at": at(s.last_at),
                    "held_until": until(s.wait_s),
                }
                for s in g.sources
            ],
        }


def _required(hello: Mapping[str, Any], name: str) -> str:
    value = hello.get(name)
    if not isinstance(value, str) or not value:
        raise AuthError(
            p.ERR_BAD_MESSAGE,
            refusals.say("hello_missing", what=refusals.HELLO_FIELDS.get(name, name)),
            close_code=p.CLOSE_HELLO_REQUIRED,
        )
    return value
