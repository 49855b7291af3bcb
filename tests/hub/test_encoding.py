"""The protocol's kept encoder writes what `json.dumps` with its options writes; ticket tokens."""

from __future__ import annotations

import base64
import json
import secrets

from server import protocol as p
from server.hub.requests import TokenSource

MESSAGES = [
    {"type": "ok", "ref": 41, "seq": 7, "events": [{"seq": 7, "event": {"kind": "x", "n": None}}]},
    {"type": "event", "seq": 1, "event": {"reason": "Istirahat salat — kembali 13.00", "ok": True}},
    {"type": "lines", "at": "2026-11-23T09:00:00+07:00", "lines": [{"a": 1.5, "b": [1, 2]}]},
    {"type": "error", "ref": "r-1", "message": 'Nomor "A-001" tidak ditemukan.\n\u00e9\u2603'},
    {"type": "x", "nested": {"deep": [{"e": []}, {}], "big": 10**30, "neg": -0.0}},
]


def test_encode_is_compact_json_with_indonesian_text_kept() -> None:
    for msg in MESSAGES:
        assert p.encode(msg) == json.dumps(msg, separators=(",", ":"), ensure_ascii=False)
        assert json.loads(p.encode(msg)) == msg


def test_ticket_tokens_look_like_token_urlsafe_16_and_never_repeat() -> None:
    source = TokenSource()
    tokens = [source.take() for _ in range(1000)]  # several reads of the pool
    assert len(set(tokens)) == len(tokens)
    reference = secrets.token_urlsafe(16)
    for token in tokens:
        assert len(token) == len(reference) == 22
        assert len(base64.urlsafe_b64decode(token + "==")) == 16
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
