"""The wire protocol module on its own: validation table, encoding, and its independence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hubtest import EXAMPLES

from server import protocol as p
from server.core.events import PriorityGroup

DOCS = Path(__file__).parents[2] / "docs" / "protocol.md"


def test_mirrored_core_values_match_the_core() -> None:
    """protocol.PRIORITY_GROUPS is the core's PriorityGroup, value for value."""
    assert set(p.PRIORITY_GROUPS) == {g.value for g in PriorityGroup}


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_every_example_request_is_valid(kind: str) -> None:
    """Each example request validates as its own type."""
    assert p.validate({"type": kind, "id": 1, **EXAMPLES[kind]}) == kind


@pytest.mark.parametrize(
    ("msg", "code"),
    [
        ([], p.ERR_BAD_MESSAGE),
        ({}, p.ERR_BAD_MESSAGE),
        ({"type": 5}, p.ERR_BAD_MESSAGE),
        ({"type": "teleport"}, p.ERR_UNKNOWN_TYPE),
        ({"type": "ping", "id": [1]}, p.ERR_BAD_MESSAGE),
        ({"type": "ping", "id": "x" * 65}, p.ERR_BAD_MESSAGE),
        ({"type": "issue_ticket", "line": "A"}, p.ERR_BAD_MESSAGE),
        ({"type": "issue_ticket", "request_id": "", "line": "A"}, p.ERR_BAD_MESSAGE),
        (
            {"type": "issue_ticket", "request_id": "r", "line": "A", "priority": "vip"},
            p.ERR_BAD_MESSAGE,
        ),
        ({"type": "hello", "version": True, "role": "kiosk"}, p.ERR_BAD_MESSAGE),
        ({"type": "hello", "version": 1, "role": "kiosk", "last_seq": -1}, p.ERR_BAD_MESSAGE),
        ({"type": "pause_counter", "request_id": "r", "reason": "x" * 201}, p.ERR_BAD_MESSAGE),
    ],
)
def test_malformed_requests_are_refused_with_a_code(msg: object, code: str) -> None:
    """Missing, mistyped and out-of-bounds fields raise ProtocolError with a stable code."""
    with pytest.raises(p.ProtocolError) as refused:
        p.validate(msg)
    assert refused.value.code == code
    assert refused.value.message


def test_the_error_keeps_the_clients_id() -> None:
    """A refused request still names its id, so the client can match the error."""
    with pytest.raises(p.ProtocolError) as refused:
        p.validate({"type": "issue_ticket", "id": 42})
    assert refused.value.ref == 42


@pytest.mark.parametrize("frame", ["{", b"{}", '{"a": NaN}', '{"a": Infinity}', "[" * 100_000])
def test_decode_refuses_what_is_not_json_text(frame: str | bytes) -> None:
    """Binary frames, broken JSON, NaN and absurd nesting are bad_json, never an exception."""
    with pytest.raises(p.ProtocolError) as refused:
        p.decode(frame)
    assert refused.value.code == p.ERR_BAD_JSON


def test_encode_is_compact_and_keeps_indonesian_text() -> None:
    """One compact frame; non-ASCII text is not escaped."""
    assert p.encode({"message": "Kuota habis — maaf"}) == '{"message":"Kuota habis — maaf"}'


def test_hello_builders_make_valid_hellos() -> None:
    """Each hello builder yields a hello that validates, with last_seq and day when resuming."""
    hellos = [
        p.hello_kiosk("t"),
        p.hello_display("t", last_seq=5, day="2026-11-23"),
        p.hello_officer("L01", "DKP01", "123456"),
        p.hello_manager("LANTAI", "123456", last_seq=0),
    ]
    for hello in hellos:
        assert p.validate(hello) == "hello"
    assert hellos[1]["last_seq"] == 5 and hellos[1]["day"] == "2026-11-23"


@pytest.mark.parametrize("module", ["server.protocol", "server.client"])
def test_client_side_modules_import_nothing_else_of_the_server(module: str) -> None:
    """server.protocol (stdlib only, plus the pure core's events, dates, booking codes, SKM rules
    and complaints' vocabulary it publishes) and server.client (plus websockets) stand alone."""
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.startswith('server')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    allowed = {
        "server",
        "server.client",
        "server.core",
        "server.core.booking_code",
        "server.core.complaint_terms",
        "server.core.dates",
        "server.core.events",
        "server.core.skm",
    }
    loaded = set(eval(out.stdout))
    protocol = {m for m in loaded if m == "server.protocol" or m.startswith("server.protocol.")}
    assert loaded - protocol <= allowed, out.stdout


def test_protocol_docs_cover_every_message_error_and_close_code() -> None:
    """docs/protocol.md names every request and push type, every error code and close code."""
    text = DOCS.read_text(encoding="utf-8")
    for kind in sorted(p.REQUEST_TYPES | p.PUSH_TYPES):
        assert f"`{kind}`" in text, kind
    codes = [v for k, v in vars(p).items() if k.startswith("ERR_")]
    for code in codes:
        assert f"`{code}`" in text, code
    for name, value in vars(p).items():
        if name.startswith("CLOSE_"):
            assert f"`{value}`" in text, name
