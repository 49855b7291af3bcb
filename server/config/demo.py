"""The demo building "MPP Kota Contoh" and its plaintext secrets, shipped in `server/demo/`.

Demo only: `antre server` without `--config` runs it, and tests and benchmarks build on it. The
credentials file holds the tokens and PINs whose digests and hashes the demo TOML lists; a real
building never has such a file.
"""

from __future__ import annotations

from pathlib import Path

from server.config.building import load_building
from server.core.building import Building

__all__ = [
    "demo_building_path",
    "demo_credentials_path",
    "load_demo_building",
    "load_demo_credentials",
]

# package-data ships server/demo/ next to this package (pyproject.toml).
_DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"


def demo_building_path() -> Path:
    """The demo building file shipped inside the package."""
    return _DEMO_DIR / "mpp-kota-contoh.toml"


def demo_credentials_path() -> Path:
    """The demo building's plaintext tokens and PINs (demo only: never deploy them)."""
    return _DEMO_DIR / "credentials.txt"


def load_demo_building() -> Building:
    """The demo building "MPP Kota Contoh", validated."""
    return load_building(demo_building_path())


def load_demo_credentials() -> dict[str, str]:
    """The demo secrets by id: device id -> token, officer or manager id -> PIN."""
    secrets: dict[str, str] = {}
    for raw in demo_credentials_path().read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            _kind, ident, secret = line.split()
            secrets[ident] = secret
    return secrets
