"""`[building] id`, `[[webhooks]]` and `[central]` (issue 21): read, or every mistake named.

Each mistake is the one problem reported, as FILE:LINE: KEY: MESSAGE, on the line an operator
must fix (the shared BASE file of test_config_errors.py, with an id and a destination added);
secret files are real files beside the building file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_config_errors import BASE, problems_of

from server.config import load_building
from server.core.building import Destination, DestinationKind

SECRET = b"0123456789abcdef0123456789abcdef-portal"  # 39 bytes
KEY = b"k" * 40
WITH_ID = BASE.replace('name = "MPP Uji"\n', 'name = "MPP Uji"\nid = "mpp-uji"\n', 1)
WEBHOOK = """
[[webhooks]]
id = "PORTAL-KAB"
url = "https://portal.example/antre/events"
secret_file = "portal.secret"
events = ["ticket_issued", "ticket_called"]
"""
CENTRAL = """
[central]
url = "https://central.example/"
key_file = "central.key"
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "portal.secret").write_bytes(SECRET + b"\n")  # as `openssl rand -hex` leaves it
    (tmp_path / "central.key").write_bytes(KEY)
    path = tmp_path / "gedung.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_building_without_destinations_needs_no_id(tmp_path: Path) -> None:
    building = load_building(_write(tmp_path, BASE))
    assert building.id is None and building.destinations == ()


def test_webhooks_and_central_are_read_with_their_defaults_and_secrets(tmp_path: Path) -> None:
    building = load_building(_write(tmp_path, WITH_ID + WEBHOOK + CENTRAL))
    assert building.id == "mpp-uji"
    assert building.destinations == (
        Destination(
            id="PORTAL-KAB",
            kind=DestinationKind.WEBHOOK,
            url="https://portal.example/antre/events",
            secret=SECRET,  # the trailing newline of the file is not part of it
            events=frozenset({"ticket_issued", "ticket_called"}),
            personal_data=False,
            alert_after_minutes=30.0,
            batch_size=100,
        ),
        Destination(
            id="central",
            kind=DestinationKind.CENTRAL,
            url="https://central.example",  # the base of /central/v1/…
            secret=KEY,
            events=None,
            personal_data=False,
            alert_after_minutes=30.0,
            batch_size=500,
        ),
    )
    assert "secret" not in repr(building.destinations[0])  # never in a log line


CASES = [
    (
        "destination-without-building-id",
        BASE + WEBHOOK,
        "building",
        "[building]",
        'add id = "…" (e.g. "mpp-kota-contoh")',
    ),
    (
        "bad-building-id",
        WITH_ID.replace('id = "mpp-uji"', 'id = "MPP Uji"'),
        "building.id",
        'id = "MPP Uji"',
        'string "MPP Uji" is not a building id',
    ),
    (
        "ftp-url",
        WITH_ID + WEBHOOK.replace("https://portal.example", "ftp://portal.example"),
        "webhooks[PORTAL-KAB].url",
        "url =",
        "is not an http:// or https:// URL with a host",
    ),
    (
        "missing-secret-file",
        WITH_ID + WEBHOOK.replace('"portal.secret"', '"nowhere.secret"'),
        "webhooks[PORTAL-KAB].secret_file",
        "secret_file =",
        "no such file: ",
    ),
    (
        "short-secret",
        WITH_ID + WEBHOOK.replace('"portal.secret"', '"short.secret"'),
        "webhooks[PORTAL-KAB].secret_file",
        "secret_file =",
        "holds 10 bytes; a secret must be at least 32 bytes",
    ),
    (
        "unknown-event-type",
        WITH_ID + WEBHOOK.replace('"ticket_called"', '"ticket_caled"'),
        "webhooks[PORTAL-KAB].events",
        "events =",
        'unknown event type "ticket_caled"; did you mean "ticket_called"?',
    ),
    (
        "webhook-named-central",
        WITH_ID + WEBHOOK.replace('id = "PORTAL-KAB"', 'id = "central"'),
        "webhooks[central].id",
        'id = "central"',
        "is [central]'s",
    ),
    (
        "duplicate-webhook-id",
        WITH_ID + WEBHOOK + WEBHOOK.replace('id = "PORTAL-KAB"', 'id = "PORTAL-KAB"  # dup'),
        "webhooks[PORTAL-KAB].id",
        "# dup",
        'duplicate webhook id "PORTAL-KAB"',
    ),
    (
        "batch-size-zero",
        WITH_ID + CENTRAL + "batch_size = 0\n",
        "central.batch_size",
        "batch_size = 0",
        "must be from 1 to 5000, got 0",
    ),
    (
        "central-unknown-key",
        WITH_ID + CENTRAL + 'secret_file = "central.key"\n',
        "central.secret_file",
        "secret_file =",
        'unknown key "secret_file"',
    ),
    (
        "central-missing-key-file",
        WITH_ID + CENTRAL.replace('key_file = "central.key"\n', ""),
        "central.key_file",
        "[central]",
        "required key is missing",
    ),
]


@pytest.mark.parametrize(
    ("text", "key", "needle", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_delivery_mistake_is_named_by_file_line_and_key(
    tmp_path: Path, text: str, key: str, needle: str, message: str
) -> None:
    """One problem, FILE:LINE: KEY: MESSAGE, pointing at the line to fix."""
    _write(tmp_path, "")
    (tmp_path / "short.secret").write_bytes(b"0123456789\n")
    path, error = problems_of(tmp_path, text)
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert [str(p) for p in error.problems] == [str(error)], error
    assert str(error).startswith(f"{path}:{lines[-1]}: {key}: "), error
    assert message in str(error), error
