"""Live administration's requests (issue 23): the building's state, an edit, undo, the history,
a new PIN, a new device or token.

An edit names one entity of the building's TOML document (server/config/edits.py), the value its
editor saw (`before`) and the building `version` it was made against. It is refused with the current
value (`edit_stale`) when that target was changed by an edit after `version`, or does not hold
`before` now, or `version` is from before a start that took the building file over the live
edits (`Engine.file_version`); refused in the config check's words (`edit_invalid`) when the
building it makes does not pass `antre config check`. An accepted edit is one `building_edited`
event, then the new building everywhere (`Engine.edit`).

Credentials never leave the server in a reply or a push: an entity's `pin_hash` and
`token_sha256` read "(disembunyikan)" (server/core/events.py `withhold_secrets`). A value sent
back with that marker keeps the credential the entity has. A new PIN or device token is shown
once, in the reply to the request that made it, and is kept only as its hash.

An admin may edit every target; a floor manager only the running text, holidays and special
hours (server/roles.py `FLOOR_EDIT_TARGETS`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from server import protocol as p
from server.auth import hash_pin, token_digest
from server.config.edits import (
    Edit,
    EditRefused,
    all_entities,
    apply_edits,
    describe,
    edit_groups,
    entity,
    inverse,
)
from server.core.building import Building
from server.core.events import EDIT_SECRET_KEYS, BuildingEdited, withhold_secrets
from server.core.model import DomainError
from server.engine import Engine, StoredEvent
from server.roles import FLOOR_EDIT_TARGETS, Principal, Role
from server.sessions import Session, SessionState

__all__ = ["HIDDEN", "Admin"]

log = logging.getLogger("antre.hub")

# A request of a session a live edit closed while it waited (never seen: the close follows).
SESSION_ENDED = "Sesi ini sudah ditutup karena perubahan konfigurasi gedung."
HIDDEN = "(disembunyikan)"  # what a withheld credential hash reads as
MAX_EDITS = 20  # entities in one admin_edit (a line, its counters, a holiday or two)
HISTORY_DEFAULT = 50
HISTORY_MAX = 500
_PIN_DIGITS = 6
_TOKEN_BYTES = 24  # a device token: 32 URL-safe characters, as `antre config` makes them
# A retried request that made a PIN or token (docs/protocol.md): the first reply showed it once.
_RETRY_REFUSALS = {
    "pin": "PIN sudah diatur ulang; atur ulang lagi bila PIN-nya belum tercatat.",
    "token": "Token sudah dibuat; buat token baru lagi bila token-nya belum tercatat.",
}

Handler = Callable[[Session, dict[str, Any]], Awaitable[dict[str, Any] | None]]


class Admin:
    """Answers the `admin_*` requests against the engine's live building."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.handlers: dict[str, Handler] = {
            name: _refusing(handler)
            for name, handler in {
                "admin_state": self._state,
                "admin_edit": self._edit,
                "admin_undo": self._undo,
                "admin_history": self._history,
                "admin_reset_pin": self._reset_pin,
                "admin_new_device": self._new_device,
                "admin_new_token": self._new_token,
            }.items()
        }

    # -- reads ------------------------------------------------------------------------------

    async def _state(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        return {
            "version": self._engine.version,
            "entities": {
                kind: [{"target": target, "value": _shown(value)} for target, value in listed]
                for kind, listed in all_entities(self._engine.building).items()
            },
        }

    async def _history(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        limit = min(msg.get("limit", HISTORY_DEFAULT), HISTORY_MAX)
        rows = []
        for stored in reversed(self._engine.edits[-limit:]):
            event = stored.event
            assert isinstance(event, BuildingEdited)
            rows.append(
                {
                    "version": event.version,
                    "at": event.at.isoformat(),
                    "by": event.by,
                    "target": event.target,
                    "before": _shown(event.before),
                    "after": _shown(event.after),
                    "undoes": event.undoes,
                    "text": _text(event),
                }
            )
        return {"version": self._engine.version, "history": rows}

    # -- edits ------------------------------------------------------------------------------

    async def _edit(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        principal = _principal(session)
        wanted = _wanted(msg)
        for target, _, _ in wanted:
            _may_edit(principal, target)
        seen = msg["version"]
        if seen > self._engine.version:
            raise DomainError(
                "edit_stale",
                f"Versi {seen} belum ada (versi gedung sekarang {self._engine.version}); muat "
                "ulang data lalu ulangi.",
                version=self._engine.version,
            )
        if seen < self._engine.file_version:
            # Seen before a start that served the building file in place of the live edits
            # (`--take-file`) or found them in the file: what it saw is no longer the building
            # — the last live version too, since the file's building stands one past it.
            raise DomainError(
                "edit_stale",
                f"Versi {seen} sudah tidak berlaku: gedung dimuat ulang dari berkas konfigurasi "
                f"(versi {self._engine.file_version}); muat ulang data lalu ulangi.",
                current=_shown(entity(self._engine.building, wanted[0][0])),
                version=self._engine.version,
            )
        # A person added without a PIN (the form cannot know one): the server makes it, keeps
        # its hash, and shows it once in the reply, as a PIN reset does.
        pinless = [
            i
            for i, (target, before, after) in enumerate(wanted)
            if target.partition(":")[0] in ("officer", "manager")
            and before is None
            and isinstance(after, dict)
            and after.get("pin_hash") in (None, "", HIDDEN)
        ]
        key = self._key(session, msg)
        if pinless:
            self._refuse_secret_retry(key, "pin")
        pins: dict[str, str] = {}
        for i in pinless:
            target, before, after = wanted[i]
            person = target.partition(":")[2]
            pins[person] = _new_pin()
            pin_hash = await asyncio.to_thread(hash_pin, pins[person])  # scrypt: ~50 ms
            wanted[i] = (target, before, {**after, "pin_hash": pin_hash})

        def make(building: Building) -> list[Edit]:
            if pinless:
                self._refuse_secret_retry(key, "pin")  # the first still in flight at our check
            return [_with_secrets(building, t, b, a) for t, b, a in wanted]

        reply = await self._apply(session, msg, make, seen=seen)
        if pins:
            log.warning("%s added %s with a new PIN", principal.actor, ", ".join(sorted(pins)))
            reply["pins"] = pins
        return reply

    async def _undo(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        """The inverse of an edit as a new edit; of every edit made with it in one request
        (a line and its counter), in reverse order."""
        principal = _principal(session)
        version = msg["version"]
        group = next(
            (g for g in edit_groups(self._engine.edits) if any(_v(s) == version for s in g)),
            None,
        )
        if group is None:
            raise DomainError("not_found", f"Tidak ada perubahan dengan versi {version}.")
        undone = [s.event for s in group]
        for event in undone:
            _may_edit(principal, event.target)  # type: ignore[attr-defined]
        # A removal's undo puts the entity back where it stood (the kiosk's order kept).
        back = [
            inverse(
                Edit(e.target, e.before, e.after),  # type: ignore[attr-defined]
                self._engine.place_of(version, e.target),  # type: ignore[attr-defined]
            )
            for e in reversed(undone)
        ]
        return await self._apply(
            session, msg, lambda building: back, seen=_v(group[-1]), undoes=version
        )

    def _key(self, session: Session, msg: dict[str, Any]) -> str:
        """The request's key in the log: the actor's, so two admins' ids never collide."""
        return f"{_principal(session).actor}#{msg['request_id']}"

    def _refuse_secret_retry(self, key: str, what: str) -> None:
        """A retry of a request that made a PIN or token: the secret was shown once, in the
        first reply, and only its hash was kept, so it cannot be shown again; a fresh one made
        now would be stored nowhere. Refused, never invented (docs/protocol.md)."""
        if any(s.request_id == key for s in self._engine.edits):
            raise DomainError("edit_done", _RETRY_REFUSALS[what])

    async def _reset_pin(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        person = msg["officer"]
        key = self._key(session, msg)
        self._refuse_secret_retry(key, "pin")
        building = self._engine.building
        target = f"officer:{person}"
        if entity(building, target) is None:
            target = f"manager:{person}"
            if entity(building, target) is None:
                raise DomainError(
                    "not_found", f"Tidak ada petugas atau pengelola dengan ID {person!r}."
                )
        pin = _new_pin()
        # scrypt takes ~50 ms: not on the event loop.
        pin_hash = await asyncio.to_thread(hash_pin, pin)

        def make(building: Building) -> list[Edit]:
            self._refuse_secret_retry(key, "pin")  # the first still in flight at our check
            current = entity(building, target)
            if current is None:
                raise DomainError("not_found", f"Tidak ada petugas dengan ID {person!r}.")
            return [Edit(target, current, {**current, "pin_hash": pin_hash})]

        reply = await self._apply(session, msg, make, seen=None)
        log.warning("%s reset the PIN of %s", _principal(session).actor, person)
        return {**reply, "officer": person, "pin": pin}

    async def _new_device(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        device_id = msg["device"]
        key = self._key(session, msg)
        self._refuse_secret_retry(key, "token")
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        table: dict[str, Any] = {"id": device_id, "kind": msg["kind"]}
        for key in ("zone", "counter"):
            if msg.get(key):
                table[key] = msg[key]
        table["token_sha256"] = token_digest(token)
        target = f"device:{device_id}"

        def make(building: Building) -> list[Edit]:
            self._refuse_secret_retry(key, "token")
            if entity(building, target) is not None:
                raise DomainError("edit_exists", f"Perangkat {device_id} sudah ada.")
            return [Edit(target, None, table)]

        reply = await self._apply(session, msg, make, seen=None)
        return {**reply, "device": device_id, "token": token}

    async def _new_token(self, session: Session, msg: dict[str, Any]) -> dict[str, Any]:
        device_id = msg["device"]
        target = f"device:{device_id}"
        key = self._key(session, msg)
        self._refuse_secret_retry(key, "token")
        token = secrets.token_urlsafe(_TOKEN_BYTES)

        def make(building: Building) -> list[Edit]:
            self._refuse_secret_retry(key, "token")
            current = entity(building, target)
            if current is None:
                raise DomainError("not_found", f"Tidak ada perangkat dengan ID {device_id!r}.")
            return [Edit(target, current, {**current, "token_sha256": token_digest(token)})]

        reply = await self._apply(session, msg, make, seen=None)
        return {**reply, "device": device_id, "token": token}

    async def _apply(
        self,
        session: Session,
        msg: dict[str, Any],
        edits_of: Callable[[Building], list[Edit]],
        *,
        seen: int | None,
        undoes: int | None = None,
    ) -> dict[str, Any]:
        """Edits through the engine, as one commit; the reply `{version, target, value, text}`
        of the last, and `edits` listing each."""
        principal = _principal(session)
        key = self._key(session, msg)
        done = [s for s in self._engine.edits if s.request_id == key]
        if done:
            return self._reply(done)  # a retry of an edit already made: its first answer
        engine = self._engine

        def make(building: Building, version: int) -> tuple[Building, list[BuildingEdited]]:
            if session.state is SessionState.CLOSED:
                # An edit just before this one closed the session (a demoted admin, a PIN
                # reset): its rights are gone (server/hub/edited_sessions.py).
                raise DomainError(p.ERR_FORBIDDEN, SESSION_ENDED)
            edits = edits_of(building)
            if seen is not None:
                for edit in edits:
                    _stale_since(engine, building, edit.target, seen)
            new = apply_edits(building, edits)
            events = [
                BuildingEdited(
                    at=engine.now(),
                    by=principal.actor,
                    version=version + i,
                    target=edit.target,
                    before=edit.before,
                    after=edit.after,
                    undoes=undoes,
                )
                for i, edit in enumerate(edits, start=1)
            ]
            return new, events

        stored = await engine.edit(make, principal.actor, key)
        return self._reply(stored)

    def _reply(self, stored: list[StoredEvent]) -> dict[str, Any]:
        rows = []
        for s in stored:
            event = s.event
            assert isinstance(event, BuildingEdited)
            rows.append(
                {
                    "version": event.version,
                    "target": event.target,
                    "value": _shown(entity(self._engine.building, event.target)),
                    "text": _text(event),
                }
            )
        return {**rows[-1], "edits": rows}


def _refusing(handler: Handler) -> Handler:
    """The handler with the edit model's refusals as the hub's (an `error` frame with the
    refusal's code, Indonesian message and details)."""

    async def answer(session: Session, msg: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return await handler(session, msg)
        except EditRefused as exc:
            details = dict(getattr(exc, "details", {}) or {})
            if "current" in details:
                details["current"] = _shown(details["current"])
            raise DomainError(exc.code, exc.message, **details) from exc

    return answer


def _principal(session: Session) -> Principal:
    principal = session.principal
    assert principal is not None
    return principal


def _new_pin() -> str:
    """A new 6-digit PIN, from the operating system's randomness."""
    return "".join(secrets.choice("0123456789") for _ in range(_PIN_DIGITS))


def _v(stored: StoredEvent) -> int:
    return stored.event.version  # type: ignore[attr-defined, no-any-return]


def _wanted(msg: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The (target, before, after) of an `admin_edit`: its one entity, or its `edits`."""
    listed = msg.get("edits")
    if listed is None:
        if not isinstance(msg.get("target"), str) or not msg["target"]:
            raise DomainError(p.ERR_BAD_MESSAGE, "kolom 'target' (atau 'edits') wajib diisi")
        return [(msg["target"], msg.get("before"), msg.get("after"))]
    if (
        not isinstance(listed, list)
        or not 1 <= len(listed) <= MAX_EDITS
        or not all(
            isinstance(e, dict)
            and isinstance(e.get("target"), str)
            and 0 < len(e["target"]) <= 64
            and set(e) <= {"target", "before", "after"}
            for e in listed
        )
    ):
        raise DomainError(
            p.ERR_BAD_MESSAGE,
            f"kolom 'edits' harus daftar 1 sampai {MAX_EDITS} objek {{target, before, after}}",
        )
    return [(e["target"], e.get("before"), e.get("after")) for e in listed]


def _may_edit(principal: Principal, target: str) -> None:
    kind = target.partition(":")[0]
    if principal.role is Role.FLOOR and kind not in FLOOR_EDIT_TARGETS:
        raise DomainError(
            "forbidden",
            "Pengelola lantai hanya boleh mengubah teks berjalan, hari libur, dan jam khusus; "
            "perubahan lain oleh admin.",
        )


def _stale_since(engine: Engine, building: Building, target: str, seen: int) -> None:
    """Refuse when `target` was changed by an edit after version `seen` (not another target)."""
    for stored in engine.edits:
        event = stored.event
        assert isinstance(event, BuildingEdited)
        if event.version > seen and event.target == target:
            raise DomainError(
                "edit_stale",
                f"{target} sudah diubah oleh {event.by} (versi {event.version}) sesudah versi "
                f"yang Anda lihat ({seen}); periksa nilai terbaru lalu ulangi.",
                current=_shown(entity(building, target)),
                version=engine.version,
            )


def _with_secrets(building: Building, target: str, before: Any, after: Any) -> Edit:
    """The edit as the editor meant it: a withheld credential ("(disembunyikan)") in `before`
    or `after` stands for the one the entity has now."""
    current = entity(building, target)
    return Edit(target, _restore(before, current), _restore(after, current))


def _restore(value: Any, current: Any) -> Any:
    if not isinstance(value, dict) or not isinstance(current, dict):
        return value
    out = dict(value)
    for key in EDIT_SECRET_KEYS:
        if out.get(key) == HIDDEN and key in current:
            out[key] = current[key]
    return out


def _shown(value: Any) -> Any:
    """A value as an admin may see it (the edit model's values are JSON already), credentials
    withheld."""
    return withhold_secrets(value)


def _text(event: BuildingEdited) -> str:
    """The history's one-liner (the edit model's words; "PIN petugas DKP01 diatur ulang" for a
    PIN reset, never the PIN), led by what an undo undid ("Batal versi 2: PIN lama petugas DKP01
    berlaku lagi")."""
    text = describe(Edit(event.target, event.before, event.after), undo=event.undoes is not None)
    return f"Batal versi {event.undoes}: {text}" if event.undoes is not None else text
