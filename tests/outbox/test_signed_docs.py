"""docs/protocol.md "Signed deliveries": its few lines of Python verify what the building signs.

The snippet is read out of the doc and run as a receiver would run it, against bodies signed by
server.signing (the building's own code): a good one verifies; a changed body, another secret,
an old timestamp do not.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from server.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_header

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")
SECRET = b"rahasia-portal-kabupaten-0123456789abcdef"
BODY = b'{"building": "mpp-kota-contoh", "zone": "WIB", "events": []}'


def _snippet() -> Any:
    section = DOC.split("## Signed deliveries", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    scope: dict[str, Any] = {}
    exec(code, scope)  # the doc's own code, as a receiver would paste it
    return scope["verified"]


def _headers(secrets: tuple[bytes, ...] | bytes, stamp: int, body: bytes) -> dict[str, str]:
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: signature_header(secrets, stamp, body)}


def test_the_docs_snippet_verifies_the_buildings_signature_and_nothing_else() -> None:
    verified = _snippet()
    now = int(time.time())
    assert verified(SECRET, _headers(SECRET, now, BODY), BODY)
    assert verified(SECRET, _headers((b"x" * 32, SECRET), now, BODY), BODY)  # rolling over
    assert not verified(SECRET, _headers(SECRET, now, BODY), BODY.replace(b"WIB", b"WIT"))
    assert not verified(SECRET, _headers(b"y" * 40, now, BODY), BODY)
    assert not verified(SECRET, _headers(SECRET, now - 301, BODY), BODY)
    assert not verified(SECRET, {}, BODY)
