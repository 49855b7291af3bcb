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

A key file holds the building's shared key: at least 32 bytes once surrounding whitespace (a
trailing newline) is taken off, e.g. `openssl rand -hex 32 > keys/mpp-kota-contoh.key`. Every
mistake — of the file or of a key file — is named by file, line and key, all at once
(server/config/toml_reader.py), and central does not start.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Final

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

__all__ = ["DEFAULT_PORT", "CentralBuilding", "CentralConfig", "ConfigError", "load_central"]

DEFAULT_PORT: Final = 8800


@dataclass(frozen=True, slots=True)
class CentralBuilding:
    id: str
    name: str
    region: str
    key: bytes

    def __repr__(self) -> str:  # never a key in a log or a traceback
        return f"CentralBuilding(id={self.id!r}, name={self.name!r}, region={self.region!r})"


@dataclass(frozen=True, slots=True)
class CentralConfig:
    host: str
    port: int
    database: str
    buildings: dict[str, CentralBuilding]  # by id


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
    r.table(doc, Key(), ("central", "buildings"))
    central = r.table(doc.get("central", {}), Key() / "central", ("host", "port", "database"))
    host, port, database = "127.0.0.1", DEFAULT_PORT, None
    if central is not None:
        k = Key() / "central"
        host = r.get(central, k, "host", r.string, "127.0.0.1") or host
        port = r.get(central, k, "port", r.whole, DEFAULT_PORT) or port
        if not 1 <= port <= 65535:
            r.problem(k / "port", f"a port is 1–65535, not {port}")
        database = r.get(central, k, "database", r.string)
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
    if r.problems:
        raise r.error()
    assert database is not None
    return CentralConfig(host, port, database, buildings)
