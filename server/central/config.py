"""central.toml → `CentralConfig`: where central listens, its database, its buildings and keys.

    [central]
    host = "127.0.0.1"          # default 127.0.0.1
    port = 8800                 # default 8800
    database = "host=127.0.0.1 port=5432 dbname=antre_central user=antre"   # libpq conninfo

    [[buildings]]
    id = "mpp-kota-contoh"      # the building's [building] id
    name = "MPP Kota Contoh"
    region = "Kota Contoh"      # the regency or city: what a regency user will see
    key_file = "keys/mpp-kota-contoh.key"   # relative to this file; the building's [central] key

    [[users]]                   # the dashboard's logins (docs/central.md, "Users")
    id = "dinas-kota"
    name = "Dinas PMPTSP Kota Contoh"
    password_hash = "scrypt$16384$8$1$…"     # antre central hash-password
    region = "Kota Contoh"      # sees the buildings of this region only; or scope = "all"

A key file holds the building's shared key: at least 32 bytes once surrounding whitespace (a
trailing newline) is taken off, e.g. `openssl rand -hex 32 > keys/mpp-kota-contoh.key`. Every
mistake — of the file or of a key file — is named by file, line and key, all at once
(server/config/toml_reader.py), and central does not start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Final

from server.auth import is_pin_hash
from server.config.toml_reader import (
    ConfigError,
    Key,
    Reader,
    Seen,
    label,
    parse_toml,
    read_toml_text,
)
from server.signing import BUILDING_ID_RE, SECRET_MIN_BYTES

__all__ = [
    "DEFAULT_PORT",
    "CentralBuilding",
    "CentralConfig",
    "CentralUser",
    "ConfigError",
    "load_central",
]

DEFAULT_PORT: Final = 8800
USER_ID_RE: Final = re.compile(r"[a-z0-9][a-z0-9._-]{0,39}")
ZONES: Final = ("WIB", "WITA", "WIT")


@dataclass(frozen=True, slots=True)
class CentralBuilding:
    id: str
    name: str
    region: str
    key: bytes

    def __repr__(self) -> str:  # never a key in a log or a traceback
        return f"CentralBuilding(id={self.id!r}, name={self.name!r}, region={self.region!r})"


@dataclass(frozen=True, slots=True)
class CentralUser:
    """A dashboard login: `region` None means every building (`scope = "all"`)."""

    id: str
    name: str
    password_hash: str = field(repr=False)
    region: str | None

    def sees(self, building: CentralBuilding) -> bool:
        return self.region is None or building.region == self.region


@dataclass(frozen=True, slots=True)
class CentralConfig:
    host: str
    port: int
    database: str
    buildings: dict[str, CentralBuilding]  # by id
    users: dict[str, CentralUser] = field(default_factory=dict)  # by id
    # The address people type, when central sits behind a TLS proxy: an https one makes the
    # session cookie Secure and is the only Origin a login form is accepted from.
    public_url: str | None = None
    zone: str = "WIB"  # the zone of central's own times (a lockout's end); figures use a building's


def read_key(path: Path) -> bytes:
    """A key file's key (surrounding whitespace off); ValueError saying why it is unusable."""
    try:
        key = path.read_bytes().strip()
    except FileNotFoundError:
        raise ValueError(f"no such key file: {path}") from None
    except OSError as exc:
        raise ValueError(f"cannot read key file {path}: {exc.strerror or exc}") from None
    if len(key) < SECRET_MIN_BYTES:
        raise ValueError(
            f"key file {path} holds {len(key)} bytes; a key is at least {SECRET_MIN_BYTES} "
            "(e.g. openssl rand -hex 32)"
        )
    return key


def load_central(path: str | PathLike[str]) -> CentralConfig:
    """Read and check central.toml; ConfigError listing every mistake."""
    file = str(path)
    text = read_toml_text(path)
    doc = parse_toml(text, file)
    r = Reader(file, text)
    r.table(doc, Key(), ("central", "buildings", "users"))
    central = r.table(
        doc.get("central", {}),
        Key() / "central",
        ("host", "port", "database", "public_url", "zone"),
    )
    host, port, database = "127.0.0.1", DEFAULT_PORT, None
    public_url, zone = None, "WIB"
    if central is not None:
        k = Key() / "central"
        host = r.get(central, k, "host", r.string, "127.0.0.1") or host
        port = r.get(central, k, "port", r.whole, DEFAULT_PORT) or port
        if not 1 <= port <= 65535:
            r.problem(k / "port", f"a port is 1–65535, not {port}")
        database = r.get(central, k, "database", r.string)
        public_url = r.get(central, k, "public_url", r.string, None)
        if public_url is not None and not re.fullmatch(r"https?://[^/\s]+/?", public_url):
            r.problem(
                k / "public_url",
                f'"{public_url}" is not an address like "https://sentral.example.go.id"',
            )
            public_url = None
        zone = r.get(central, k, "zone", r.choice({z: z for z in ZONES}), "WIB") or "WIB"
    if "central" not in doc:
        r.problem(Key() / "central", "required: add a [central] table with its database")
    buildings: dict[str, CentralBuilding] = {}
    seen: dict[str, Seen] = {}
    for i, table in r.entries(doc, "buildings", required=True):
        entry = Key() / "buildings"
        entry = entry.item(i, label(table, "id"))
        r.table(table, entry, ("id", "name", "region", "key_file"))
        bid = r.get(table, entry, "id", r.string)
        if bid is not None and not BUILDING_ID_RE.fullmatch(bid):
            r.problem(
                entry / "id",
                f'"{bid}" is not a building id: lowercase letters, digits and hyphens, '
                'as in "mpp-kota-contoh"',
            )
            bid = None
        r.unique(seen, bid, entry, "id", "building id")
        name = r.get(table, entry, "name", r.string)
        region = r.get(table, entry, "region", r.text, "")
        key_file = r.get(table, entry, "key_file", r.string)
        key = None
        if key_file is not None:
            try:
                key = read_key(Path(file).parent / key_file)
            except ValueError as exc:
                r.problem(entry / "key_file", str(exc))
        if bid and name and key is not None and bid not in buildings:
            buildings[bid] = CentralBuilding(bid, name, region or "", key)
    users = _read_users(r, doc, {b.region for b in buildings.values()})
    if r.problems:
        raise r.error()
    assert database is not None
    return CentralConfig(
        host, port, database, buildings, users, public_url and public_url.rstrip("/"), zone
    )


def _read_users(r: Reader, doc: dict, regions: set[str]) -> dict[str, CentralUser]:
    """The `[[users]]` of the dashboard; optional (no users: nobody can log in)."""
    users: dict[str, CentralUser] = {}
    seen: dict[str, Seen] = {}
    for i, table in r.entries(doc, "users", required=False):
        entry = (Key() / "users").item(i, label(table, "id"))
        r.table(table, entry, ("id", "name", "password_hash", "scope", "region"))
        uid = r.get(table, entry, "id", r.string)
        if uid is not None and not USER_ID_RE.fullmatch(uid):
            r.problem(
                entry / "id",
                f'"{uid}" is not a user id: 1–40 lowercase letters, digits, ".", "_" or "-"',
            )
            uid = None
        r.unique(seen, uid, entry, "id", "user id")
        name = r.get(table, entry, "name", r.string)
        stored = r.get(table, entry, "password_hash", r.string)
        if stored is not None and not is_pin_hash(stored):
            r.problem(
                entry / "password_hash",
                "not a password hash: make one with `antre central hash-password`",
            )
            stored = None
        scope = r.get(table, entry, "scope", r.choice({"all": "all"}), None)
        region = r.get(table, entry, "region", r.string, None)
        if scope is None and region is None and "scope" not in table:
            r.problem(entry / "region", 'required: a region of [[buildings]], or scope = "all"')
        elif scope is not None and region is not None:
            r.problem(entry / "region", 'give either scope = "all" or a region, not both')
        elif region is not None and region not in regions:
            r.exists(region, regions, entry / "region", "region")
            region = None
        if uid and name and stored and (scope or region) and uid not in users:
            users[uid] = CentralUser(uid, name, stored, None if scope else region)
    return users
