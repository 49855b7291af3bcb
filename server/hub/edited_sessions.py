"""Which sessions a live building edit ends (issue 23), decided while commands wait.

A session speaks for the principal its hello built against the building of that moment. After
an edit, a session whose principal the new building would not build the same — its person or
device gone or disabled, a device token replaced, a PIN reset (a leaked PIN is why one is
reset), a manager's role, an officer's agency or counter, a display's zone or a tablet's
counter changed — must not act one more request on the old rights: the hub closes it inside
the building swap, before any waiting command runs (`Hub.set_building`).

People and revoked devices are closed as a failed hello is (4001: the client does not retry on
its own; the person logs in again). A device whose place changed (a TV moved to another zone, a
tablet to another counter) is closed as at a server restart (1001): it reconnects by itself
with the same token and gets its new place.
"""

from __future__ import annotations

from typing import NamedTuple

from server import protocol as p
from server import refusals
from server.core.building import Building, ManagerRole
from server.roles import DISABLED_OFFICER, Principal, Role

__all__ = ["Closing", "closing"]

PIN_RESET = "PIN Anda diatur ulang oleh admin; masuk lagi dengan PIN yang baru."
ACCOUNT_CHANGED = "Data akun Anda diubah oleh admin; silakan masuk lagi."
ACCOUNT_REMOVED = "Akun Anda dihapus dari konfigurasi gedung; hubungi admin."
DEVICE_REMOVED = "Perangkat ini dihapus dari konfigurasi gedung; hubungi admin."
DEVICE_TOKEN = "Token perangkat ini sudah diganti; pasang token yang baru."
DEVICE_MOVED = "Pengaturan perangkat ini diubah; perangkat menyambung ulang."


class Closing(NamedTuple):
    message: str  # Indonesian, the `error` frame's before the close
    close_code: int


def _revoked(message: str) -> Closing:
    return Closing(message, p.CLOSE_AUTH_FAILED)


def closing(
    principal: Principal, old: Building, new: Building, editor: str | None = None
) -> Closing | None:
    """How a session of `principal` (built against `old`) ends under `new`; None: it stays.
    `editor`: the actor who made the edit — an admin resetting their own PIN keeps the session
    the new PIN comes back on (closed first, they would never read it)."""
    role = principal.role
    if role is Role.OFFICER:
        return _officer(principal, old, new)
    if role in (Role.FLOOR, Role.ADMIN):
        manager = next((m for m in new.managers if m.id == principal.id), None)
        if manager is None:
            return _revoked(ACCOUNT_REMOVED)
        was = next((m for m in old.managers if m.id == principal.id), None)
        if was is not None and was.pin_hash != manager.pin_hash and principal.actor != editor:
            return _revoked(PIN_RESET)
        now = Role.ADMIN if manager.role is ManagerRole.ADMIN else Role.FLOOR
        return None if now is role else _revoked(ACCOUNT_CHANGED)
    if role in (Role.KIOSK, Role.DISPLAY, Role.TABLET):
        device = next((d for d in new.devices if d.id == principal.id), None)
        if device is None:
            return _revoked(DEVICE_REMOVED)
        if principal.token_digest not in (None, device.token_sha256):
            return _revoked(DEVICE_TOKEN)
        if device.kind.value != role.value:
            return _revoked(DEVICE_REMOVED)  # another kind of device now: set up again
        if role is Role.DISPLAY and device.zone != principal.zone:
            return Closing(DEVICE_MOVED, p.CLOSE_GOING_AWAY)
        if role is Role.TABLET and device.counter != principal.counter:
            return Closing(DEVICE_MOVED, p.CLOSE_GOING_AWAY)
    return None  # a ticket's phone: its ticket frames follow the state on their own


def _officer(principal: Principal, old: Building, new: Building) -> Closing | None:
    officer = next((o for o in new.officers if o.id == principal.id), None)
    if officer is None or officer.disabled:
        return _revoked(DISABLED_OFFICER)
    counter = new.counter(principal.counter or "")
    if counter is None:
        return _revoked(refusals.say("counter_unknown", counter=principal.counter or ""))
    was = next((o for o in old.officers if o.id == principal.id), None)
    if was is not None and was.pin_hash != officer.pin_hash:
        return _revoked(PIN_RESET)
    if officer.agency != principal.agency:
        return _revoked(ACCOUNT_CHANGED)
    if not counter.schedule and counter.agency != officer.agency:
        # The counter given to another agency: this officer could not log in at it now.
        return _revoked(refusals.say("officer_other_agency", counter=counter.name))
    return None
