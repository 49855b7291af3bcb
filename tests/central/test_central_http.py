"""`antre central`'s ingest over real HTTP: what a building gets back, and every refusal with
nothing stored (docs/central.md, "Refusals"). The bodies are the documented format, signed with
server.signing as a building's sender signs them."""

from __future__ import annotations

import json
import time

import psycopg
import pytest
from centraltest import (
    BUILDING,
    KEY,
    OTHER,
    OTHER_KEY,
    CentralThread,
    batch_body,
    central_toml,
    profile_body,
    request,
    signed,
)
from test_central_ingest import story

from server.central.config import load_central
from server.config import load_demo_building

EVENTS, PROFILE = "/central/v1/events", "/central/v1/profile"


@pytest.fixture
def central(tmp_path, central_db):
    with CentralThread(load_central(central_toml(tmp_path, central_db))) as c:
        c.dsn = central_db
        yield c


def stored(dsn: str) -> tuple[int, int, object]:
    """(events, contiguous_seq of the building, its profile): what a refusal must not change."""
    with psycopg.connect(dsn) as conn:
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        seq, profile = conn.execute(
            "SELECT contiguous_seq, profile FROM buildings WHERE id = %s", (BUILDING,)
        ).fetchone()
    return events, seq, profile


def test_a_signed_batch_is_stored_and_again_is_all_duplicates(central):
    body = batch_body(story())
    assert request(central.port, "POST", EVENTS, body, signed(body)) == (
        200,
        {"stored": 8, "duplicates": 0, "contiguous_seq": 8},
    )
    again = batch_body(story())
    assert request(central.port, "POST", EVENTS, again, signed(again)) == (
        200,
        {"stored": 0, "duplicates": 8, "contiguous_seq": 8},
    )
    assert stored(central.dsn)[:2] == (8, 8)


def test_the_profile_is_kept(central):
    body = profile_body(load_demo_building())
    status, answer = request(central.port, "PUT", PROFILE, body, signed(body))
    assert (status, answer["stored"]) == (200, True)
    profile = stored(central.dsn)[2]
    assert profile["name"] == "MPP Kota Contoh"
    assert {ln["line"] for ln in profile["lines"]} >= {"A", "E", "G", "J"}


def test_an_older_profile_replayed_does_not_put_the_old_targets_back(central):
    # The building changed line A's standard (sent at t); an eavesdropper replays the profile
    # it sent a minute before (t - 60), within its five minutes: refused, the new one kept.
    building = load_demo_building()
    old_body = profile_body(building)
    doc = json.loads(old_body)
    doc["lines"][0]["target_service_s"] = 1200.0
    new_body = json.dumps(doc).encode()
    now = int(time.time())
    assert request(central.port, "PUT", PROFILE, old_body, signed(old_body, at=now - 60))[0] == 200
    assert request(central.port, "PUT", PROFILE, new_body, signed(new_body, at=now))[0] == 200
    _refused(central, "PUT", PROFILE, old_body, signed(old_body, at=now - 60), 409,
             "stale_profile")  # fmt: skip
    assert stored(central.dsn)[2]["lines"][0]["target_service_s"] == 1200.0
    # The same profile again (a re-send of the newest) is still taken.
    assert request(central.port, "PUT", PROFILE, new_body, signed(new_body, at=now))[0] == 200


def _refused(central, method, path, body, headers, status, code):
    before = stored(central.dsn)
    got_status, answer = request(central.port, method, path, body, headers)
    assert (got_status, answer["error"]) == (status, code), answer
    assert answer["message"]
    assert stored(central.dsn) == before  # nothing stored


@pytest.mark.parametrize("path", [EVENTS, PROFILE])
def test_every_refusal_stores_nothing(central, path):
    method = "POST" if path == EVENTS else "PUT"
    body = batch_body(story()) if path == EVENTS else profile_body(load_demo_building())
    now = int(time.time())
    # A signature that does not verify: signed with another key, or the body changed after.
    _refused(central, method, path, body, signed(body, key=b"x" * 40), 401, "bad_signature")
    _refused(central, method, path, body + b" ", signed(body), 401, "bad_signature")
    # A replayed old request: its signature was good 6 minutes ago.
    _refused(central, method, path, body, signed(body, at=now - 360), 401, "stale_timestamp")
    _refused(central, method, path, body, signed(body, at=now + 360), 401, "stale_timestamp")
    # No signature at all; a timestamp that is not Unix seconds.
    _refused(central, method, path, body, {"Antre-Building": BUILDING}, 401, "missing_header")
    bad_stamp = {**signed(body), "Antre-Timestamp": "yesterday"}
    _refused(central, method, path, body, bad_stamp, 401, "bad_timestamp")
    # A building central does not know, or none named.
    _refused(central, method, path, body, signed(body, building="mpp-lain"), 401,
             "unknown_building")  # fmt: skip
    _refused(central, method, path, body, {}, 401, "unknown_building")
    # Another building posting under this building's id: its own key does not verify …
    _refused(central, method, path, body, signed(body, key=OTHER_KEY), 401, "bad_signature")
    # … and signing as itself, its body names this building: refused.
    _refused(central, method, path, body, signed(body, key=OTHER_KEY, building=OTHER), 401,
             "wrong_building")  # fmt: skip
    # Signed right, but not a batch (or not a profile): 400 with the reason, as JSON.
    for broken in (b"{not json", b"[]", json.dumps({"building": BUILDING}).encode()):
        _refused(central, method, path, broken, signed(broken), 400, "bad_body")


def test_a_malformed_event_refuses_the_whole_batch(central):
    events = story()
    events[5].event["at"] = "09:20"  # no date, no offset
    body = batch_body(events)
    _refused(central, "POST", EVENTS, body, signed(body), 400, "bad_body")


def test_a_seq_stored_under_another_day_is_a_conflict(central):
    body = batch_body(story())
    request(central.port, "POST", EVENTS, body, signed(body))
    moved = batch_body(story("2026-11-24"))
    _refused(central, "POST", EVENTS, moved, signed(moved), 409, "seq_conflict")


def test_unknown_paths_and_methods(central):
    assert request(central.port, "GET", "/central/v1/nothing")[0] == 404
    assert request(central.port, "GET", EVENTS)[0] == 405
    status, answer = request(central.port, "GET", "/healthz")
    assert (status, answer["ok"], answer["buildings"]) == (200, True, 2)


def test_central_toml_mistakes_are_named_by_file_line_and_key(tmp_path):
    from server.central.config import ConfigError

    (tmp_path / "short.key").write_text("too short\n")
    path = tmp_path / "central.toml"
    path.write_text(
        """[central]
port = 8800

[[buildings]]
id = "MPP Kota"
name = "MPP Kota Contoh"
key_file = "short.key"

[[buildings]]
id = "mpp-kab"
name = "MPP Kabupaten"
key_file = "missing.key"
"""
    )
    with pytest.raises(ConfigError) as caught:
        load_central(path)
    text = str(caught.value)
    assert f"{path}:" in text
    assert "central.database" in text and "required" in text
    assert f"{path}:5: buildings[#1].id" in text  # the bad id, on its line
    assert "buildings[#1].key_file" in text and "at least 32" in text
    assert "buildings[mpp-kab].key_file" in text and "no such key file" in text
    assert KEY  # the good keys of the other tests are 40 bytes


def _raw(port: int, head: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """Send a request head (and no body) on a raw socket; (status, the answer's bytes). The
    short timeout is the check: central answers from the head alone, without waiting for a
    body it is promised (its own body timeout is a minute)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1"))  # "²" is then the one byte 0xB2
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


def _head(path: str, headers: dict[str, str], length: int = 3_000_000) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: central", f"Content-Length: {length}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return "\r\n".join(lines) + "\r\n\r\n"


def test_a_request_central_would_refuse_is_answered_before_its_body_is_sent(central):
    # No route, an unknown building, no signature: refused on the head, the megabytes unread.
    assert _raw(central.port, _head("/nowhere", {}))[0] == 404
    assert _raw(central.port, _head(EVENTS, {"Antre-Building": "mpp-lain"}))[0] == 401
    status, answer = _raw(central.port, _head(EVENTS, {"Antre-Building": BUILDING}))
    assert (status, b"missing_header" in answer) == (401, True)
    # Over 4 MiB (docs/central.md): 413 at once, whoever asks.
    assert _raw(central.port, _head(EVENTS, signed(b"x"), length=4 * 2**20 + 1))[0] == 413


@pytest.mark.parametrize(
    "lengths",
    [
        ["²"],  # a digit to str.isdigit, not a number
        ["-1"],
        ["12abc"],
        ["5", "5"],  # given twice: two readings of one request's length
        ["5", "7"],
    ],
)
def test_a_malformed_or_repeated_content_length_is_a_400(central, lengths):
    head = "\r\n".join(
        [f"POST {EVENTS} HTTP/1.1", "Host: central", *(f"Content-Length: {n}" for n in lengths)]
    )
    assert _raw(central.port, head + "\r\n\r\n")[0] == 400


@pytest.mark.parametrize("encoding", ["chunked", "gzip", "identity"])
def test_any_transfer_encoding_is_a_400(central, encoding):
    head = f"POST {EVENTS} HTTP/1.1\r\nHost: central\r\nTransfer-Encoding: {encoding}\r\n\r\n"
    assert _raw(central.port, head)[0] == 400
