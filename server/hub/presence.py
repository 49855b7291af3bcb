"""Device presence: which kiosks and TVs are connected, and since when.

The hub counts the authenticated sessions of each kiosk and TV. A device is connected while it
has at least one (so a replacing session never makes it blink off), and its `since` moves when
that changes. Floor and admin sessions get every device in a `presence` frame right after
`synced` (and in their snapshot), then a `presence` frame naming one device whenever one of its
sessions authenticates or ends. Like printer status, this is in memory: a restart forgets it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from server.broadcast.broadcaster import Broadcaster
from server.core.building import Building, DeviceKind
from server.roles import Role
from server.sessions import Session, SessionState

__all__ = ["Presence"]


class Presence:
    """The building's kiosks and TVs, each with its live sessions and its last change."""

    def __init__(
        self, building: Building, clock: Callable[[], datetime], broadcaster: Broadcaster
    ) -> None:
        self._building = building
        self._clock = clock
        self._broadcaster = broadcaster
        self._kinds = {
            d.id: d.kind
            for d in building.devices
            if d.kind in (DeviceKind.KIOSK, DeviceKind.DISPLAY)
        }
        self._sessions: dict[str, set[Session]] = {d: set() for d in self._kinds}
        # When each last connected or disconnected (None: not seen since the server started).
        self._since: dict[str, datetime | None] = dict.fromkeys(self._kinds)
        # Moves on every presence change: a floor session that went live after its full list was
        # built, and may have missed a change meanwhile, is sent the list again.
        self.version = 0

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): its kiosks and TVs from now on (a new one not seen
        since the server started, a removed one forgotten)."""
        self._building = building
        self._kinds = {
            d.id: d.kind
            for d in building.devices
            if d.kind in (DeviceKind.KIOSK, DeviceKind.DISPLAY)
        }
        self._sessions = {d: self._sessions.get(d, set()) for d in self._kinds}
        self._since = {d: self._since.get(d) for d in self._kinds}

    def _device_id(self, session: Session) -> str | None:
        """The kiosk or TV a session speaks for, if it is one of the building's devices."""
        principal = session.principal
        if principal is None or principal.role not in (Role.KIOSK, Role.DISPLAY):
            return None
        return principal.id if principal.id in self._kinds else None

    def joined(self, session: Session) -> None:
        """A kiosk or TV session authenticated: the device is connected (if it was not)."""
        device = self._device_id(session)
        if device is None or session.state is SessionState.CLOSED:
            return
        members = self._sessions[device]
        if session in members:
            return
        members.add(session)
        if len(members) == 1:
            self._since[device] = self._clock()
        self._push(device)

    def left(self, session: Session) -> None:
        """A kiosk or TV session ended: the device is disconnected when it was the last one."""
        device = self._device_id(session)
        if device is None:
            return
        members = self._sessions[device]
        if session not in members:
            return  # never counted, or already forgotten (forget runs on drop and at the end)
        members.discard(session)
        if not members:
            self._since[device] = self._clock()
        self._push(device)

    def _view(self, device: str) -> dict[str, Any]:
        since = self._since[device]
        return {
            "id": device,
            "kind": self._kinds[device].value,
            "connected": bool(self._sessions[device]),
            "since": self._building.local(since).isoformat() if since is not None else None,
        }

    def devices(self) -> list[dict[str, Any]]:
        """Every kiosk and TV of the building with its presence, in the building's order."""
        return [self._view(d) for d in self._kinds]

    def frame(self, devices: list[dict[str, Any]]) -> dict[str, Any]:
        """A `presence` message naming these devices."""
        return {
            "type": "presence",
            "at": self._building.local(self._clock()).isoformat(),
            "devices": devices,
        }

    def _push(self, device: str) -> None:
        self.version += 1
        self._broadcaster.send_to_floor(self.frame([self._view(device)]))
