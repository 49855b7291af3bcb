"""Who may connect: the devices and portals (by token digest), the officers and managers (by PIN
hash).

The sections `[[devices]]`, `[[portals]]`, `[[officers]]` and `[[managers]]` of the building
file. Only digests and hashes are ever written in it; a plain PIN or an empty token's digest is
named as a mistake.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from server.auth import is_pin_hash, is_token_digest, token_digest
from server.config.toml_reader import Key, Reader, Seen, describe, label
from server.core.building import (
    PORTAL_REQUESTS_PER_MINUTE,
    PORTAL_SCOPES,
    Device,
    DeviceKind,
    Manager,
    ManagerRole,
    Officer,
    Portal,
)

__all__ = ["PIN_RE", "read_devices", "read_people", "read_portals"]

_HASH_PIN_HINT = "generate one with `antre config hash-pin`"
_TOKEN_HINT = "set it to the SHA-256 (64 hex digits) of the device's token, e.g. `sha256sum`"
# SHA-256 of the empty string: a digest someone made by hashing nothing (an empty variable).
_EMPTY_DIGEST = token_digest("")
# A PIN as an officer types it; `antre config hash-pin` refuses anything else too.
PIN_RE = re.compile(r"\d{4,12}")
_DEVICE_KEYS = ("id", "kind", "zone", "counter", "token_sha256")
_PORTAL_KEYS = ("id", "name", "token_sha256", "scope", "requests_per_minute")
_OFFICER_KEYS = ("id", "name", "agency", "pin_hash", "disabled")
_MANAGER_KEYS = ("id", "name", "role", "pin_hash")


def _pin_hash(r: Reader, value: object, key: Key) -> str | None:
    if isinstance(value, str) and is_pin_hash(value):
        return value
    if isinstance(value, str | int) and PIN_RE.fullmatch(str(value)):
        r.problem(key, f"looks like a plain PIN; store only its hash: {_HASH_PIN_HINT}")
    else:
        r.problem(key, f"not a PIN hash ({describe(value)}); {_HASH_PIN_HINT}")
    return None


def _token_sha256(r: Reader, value: object, key: Key) -> str | None:
    if isinstance(value, str) and is_token_digest(value.lower()):
        if value.lower() == _EMPTY_DIGEST:
            r.problem(key, "this is the SHA-256 of an empty token; hash the real token")
            return None
        return value.lower()
    r.problem(key, f"not a SHA-256 digest ({describe(value)}); {_TOKEN_HINT}")
    return None


def read_devices(
    doc: dict[str, Any], r: Reader, zone_ids: set[str], counter_ids: Collection[str]
) -> list[Device]:
    """Kiosks, TVs, counter tablets (each at an existing `counter`) and exit survey pages."""
    devices: list[Device] = []
    seen: dict[Any, Seen] = {}
    seen_digests: dict[Any, Seen] = {}  # two devices with one token could not be told apart
    kinds = r.choice({k.value: k for k in DeviceKind})
    for i, table in r.entries(doc, "devices", required=False):
        key = (Key() / "devices").item(i, label(table, "id"))
        r.table(table, key, _DEVICE_KEYS)
        problems_before = len(r.problems)
        device_id = r.get(table, key, "id", r.ident)
        kind = r.get(table, key, "kind", kinds)
        zone = r.get(table, key, "zone", r.ident, None)
        if zone is not None:
            r.exists(zone, zone_ids, key / "zone", "zone")
        counter = _device_counter(r, table, key, kind, counter_ids)
        if "token_sha256" not in table:
            r.problem(key / "token_sha256", f"missing token digest; {_TOKEN_HINT}")
            digest = None
        else:
            digest = r.get(table, key, "token_sha256", lambda v, k: _token_sha256(r, v, k))
        r.unique(seen, device_id, key, "id", "device id")
        r.unique(seen_digests, digest, key, "token_sha256", "token digest")
        if len(r.problems) == problems_before and device_id and kind and digest:
            devices.append(
                Device(id=device_id, kind=kind, zone=zone, token_sha256=digest, counter=counter)
            )
    return devices


def _device_counter(
    r: Reader,
    table: dict[str, Any],
    key: Key,
    kind: DeviceKind | None,
    counter_ids: Collection[str],
) -> str | None:
    """A tablet's counter (required, one of the building's); no other device has one."""
    if kind is DeviceKind.TABLET:
        if "counter" not in table:
            r.problem(
                key / "counter",
                'required for a tablet: the counter it faces, e.g. counter = "L01"',
            )
            return None
        counter = r.get(table, key, "counter", r.ident)
        return counter if r.exists(counter, counter_ids, key / "counter", "counter") else None
    if "counter" in table and kind is not None:
        r.problem(
            key / "counter",
            f'only a tablet (kind = "tablet") faces a counter: remove it from this '
            f'"{kind.value}" device',
        )
    return None


def read_portals(doc: dict[str, Any], r: Reader, devices: list[Device]) -> list[Portal]:
    """The integrators of the JSON API (issue 19): id, name and their token's digest; a token
    shared with another portal or a device could not tell who is asking. Issue 21: `scope`
    ("read" or "book") and `requests_per_minute`."""
    portals: list[Portal] = []
    seen: dict[Any, Seen] = {}
    seen_digests: dict[Any, Seen] = {}
    device_digests = {d.token_sha256 for d in devices}
    for i, table in r.entries(doc, "portals", required=False):
        key = (Key() / "portals").item(i, label(table, "id"))
        r.table(table, key, _PORTAL_KEYS)
        problems_before = len(r.problems)
        portal_id = r.get(table, key, "id", r.ident)
        name = r.get(table, key, "name", r.string)
        if "token_sha256" not in table:
            r.problem(key / "token_sha256", f"missing token digest; {_TOKEN_HINT}")
            digest = None
        else:
            digest = r.get(table, key, "token_sha256", lambda v, k: _token_sha256(r, v, k))
        r.unique(seen, portal_id, key, "id", "portal id")
        r.unique(seen_digests, digest, key, "token_sha256", "token digest")
        if digest is not None and digest in device_digests:
            r.problem(key / "token_sha256", "is also a device's token digest; give each its own")
        # Read-only (issue 21) or read and book; the default keeps issue 19's portals booking.
        scope = r.get(table, key, "scope", r.choice({s: s for s in PORTAL_SCOPES}), "book")
        per_minute = r.get(
            table,
            key,
            "requests_per_minute",
            lambda v, k: r.whole(v, k, 1),
            PORTAL_REQUESTS_PER_MINUTE,
        )
        if len(r.problems) == problems_before and portal_id and name and digest and scope:
            assert per_minute is not None  # no problem: read
            portals.append(
                Portal(
                    id=portal_id,
                    name=name,
                    token_sha256=digest,
                    scope=scope,
                    requests_per_minute=per_minute,
                )
            )
    return portals


def read_people(
    doc: dict[str, Any], r: Reader, agency_codes: Collection[str]
) -> tuple[list[Officer], list[Manager]]:
    """Officers and managers; one id space for both, since both log in by id and PIN."""
    officers: list[Officer] = []
    managers: list[Manager] = []
    seen: dict[Any, Seen] = {}
    roles = r.choice({k.value: k for k in ManagerRole})

    def pin(table: dict[str, Any], key: Key) -> str | None:
        if "pin_hash" not in table or table["pin_hash"] == "":
            r.problem(key / "pin_hash", f"missing PIN hash; {_HASH_PIN_HINT}")
            return None
        return r.get(table, key, "pin_hash", lambda v, k: _pin_hash(r, v, k))

    for i, table in r.entries(doc, "officers", required=False):
        key = (Key() / "officers").item(i, label(table, "id"))
        r.table(table, key, _OFFICER_KEYS)
        problems_before = len(r.problems)
        officer_id = r.get(table, key, "id", r.ident)
        name = r.get(table, key, "name", r.string)
        agency = r.get(table, key, "agency", r.ident)
        r.exists(agency, agency_codes, key / "agency", "agency")
        pin_hash = pin(table, key)
        disabled = r.get(table, key, "disabled", r.boolean, default=False)
        r.unique(seen, officer_id, key, "id", "person id")
        if len(r.problems) == problems_before and officer_id and name and agency and pin_hash:
            officers.append(
                Officer(
                    id=officer_id,
                    name=name,
                    agency=agency,
                    pin_hash=pin_hash,
                    disabled=bool(disabled),
                )
            )
    for i, table in r.entries(doc, "managers", required=False):
        key = (Key() / "managers").item(i, label(table, "id"))
        r.table(table, key, _MANAGER_KEYS)
        problems_before = len(r.problems)
        manager_id = r.get(table, key, "id", r.ident)
        name = r.get(table, key, "name", r.string)
        role = r.get(table, key, "role", roles)
        pin_hash = pin(table, key)
        r.unique(seen, manager_id, key, "id", "person id")
        if len(r.problems) == problems_before and manager_id and name and role and pin_hash:
            managers.append(Manager(id=manager_id, name=name, role=role, pin_hash=pin_hash))
    return officers, managers
