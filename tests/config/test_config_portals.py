"""`[[portals]]`: the integrators of the JSON API (issue 19), read like devices, mistakes named.

Each mistake is the one problem reported, as FILE:LINE: KEY: MESSAGE, on the line an operator
must fix (the shared BASE file of test_config_errors.py, with a portal appended).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_config_errors import BASE, DIGEST, problems_of

from server.auth import token_digest
from server.config import parse_building
from server.core.building import Portal

PORTAL_DIGEST = token_digest("portal-kabupaten-0123456789abcdef")
PORTAL = f"""
[[portals]]
id = "PORTAL-KAB"
name = "Portal Layanan Kabupaten Contoh"
token_sha256 = "{PORTAL_DIGEST}"
"""


def test_a_portal_is_read_with_its_digest() -> None:
    """A good [[portals]] entry becomes a Portal; a file without one has none."""
    assert parse_building(BASE).portals == ()
    building = parse_building(BASE + PORTAL)
    assert building.portals == (
        Portal(id="PORTAL-KAB", name="Portal Layanan Kabupaten Contoh", token_sha256=PORTAL_DIGEST),
    )


def test_a_portal_may_be_read_only_with_its_own_rate() -> None:
    """`scope = "read"` and `requests_per_minute` are read; without them a portal books, at 120
    requests a minute (docs/configuration.md's defaults)."""
    assert parse_building(BASE + PORTAL).portals[0].scope == "book"
    assert parse_building(BASE + PORTAL).portals[0].requests_per_minute == 120
    text = BASE + PORTAL + 'scope = "read"\nrequests_per_minute = 30\n'
    [portal] = parse_building(text).portals
    assert (portal.scope, portal.requests_per_minute) == ("read", 30)


CASES = [
    (
        "token-instead-of-digest",
        PORTAL.replace(f'"{PORTAL_DIGEST}"', '"rahasia-portal"'),
        "portals[PORTAL-KAB].token_sha256",
        "token_sha256",
        'not a SHA-256 digest (string "rahasia-portal"); set it to the SHA-256',
    ),
    (
        "missing-digest",
        PORTAL.replace(f'token_sha256 = "{PORTAL_DIGEST}"\n', ""),
        "portals[PORTAL-KAB].token_sha256",
        "[[portals]]",
        "missing token digest",
    ),
    (
        "a-device's-token",
        PORTAL.replace(PORTAL_DIGEST, DIGEST),
        "portals[PORTAL-KAB].token_sha256",
        "token_sha256",
        "is also a device's token digest; give each its own",
    ),
    (
        "unknown-key",
        PORTAL.replace("[[portals]]\n", '[[portals]]\ntoken = "rahasia-portal"\n'),
        "portals[PORTAL-KAB].token",
        "token =",
        'unknown key "token"',
    ),
    (
        "unknown-scope",
        PORTAL + 'scope = "write"\n',
        "portals[PORTAL-KAB].scope",
        "scope =",
        'expected "read" or "book", got string "write"',
    ),
    (
        "no-requests",
        PORTAL + "requests_per_minute = 0\n",
        "portals[PORTAL-KAB].requests_per_minute",
        "requests_per_minute =",
        "must be ≥ 1, got 0",
    ),
    (
        "duplicate-id",
        PORTAL
        + PORTAL.replace(PORTAL_DIGEST, token_digest("another")).replace(
            'id = "PORTAL-KAB"', 'id = "PORTAL-KAB"  # dup'
        ),
        "portals[PORTAL-KAB].id",
        "# dup",
        'duplicate portal id "PORTAL-KAB"',
    ),
]


@pytest.mark.parametrize(
    ("appended", "key", "needle", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_portal_mistake_is_named_by_file_line_and_key(
    tmp_path: Path, appended: str, key: str, needle: str, message: str
) -> None:
    """One problem, FILE:LINE: KEY: MESSAGE, pointing into the portal's table."""
    text = BASE + appended
    path, error = problems_of(tmp_path, text)
    start = len(BASE.splitlines())
    lines = [n for n, line in enumerate(text.splitlines(), 1) if n > start and needle in line]
    assert [str(p) for p in error.problems] == [str(error)], error
    assert str(error).startswith(f"{path}:{lines[0]}: {key}: "), error
    assert message in str(error)
