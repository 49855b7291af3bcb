"""A building file's identity: its name, the digest of its content, its path (for the store).

The digest is taken over the file's content as TOML data, not its bytes: comments, spacing,
quoting and the order of keys do not change it, so only an edit that changes the building does
(see server/building_identity.py for what the store does with it).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time
from os import PathLike
from pathlib import Path
from typing import Any

from server.building_identity import BuildingIdentity
from server.config.building import parse_building
from server.config.toml_reader import parse_toml, read_toml_text
from server.core.building import Building

__all__ = ["content_digest", "load_building_file"]


def _plain(value: Any) -> str:
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    raise TypeError(f"not TOML data: {value!r}")


def content_digest(text: str, file: str = "<string>") -> str:
    """SHA-256 (hex) of TOML text's data: keys sorted, comments and layout left out."""
    doc = parse_toml(text, file)
    canonical = json.dumps(
        doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_building_file(path: str | PathLike[str]) -> tuple[Building, BuildingIdentity]:
    """The validated building in a TOML file and its identity; ConfigError if unusable."""
    text = read_toml_text(path)
    building = parse_building(text, str(path))
    identity = BuildingIdentity(
        building.name, content_digest(text, str(path)), str(Path(path).resolve())
    )
    return building, identity
