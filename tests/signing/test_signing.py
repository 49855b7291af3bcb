"""The delivery signature (server/signing.py) against digests made by `openssl dgst -sha256 -hmac`.

The expected hex values were computed outside Python, once, with:

    printf '1795409400.{"events":[]}' \
      | openssl dgst -sha256 -hmac 'kunci-rahasia-gedung-contoh-32-byte!!'
    printf '1795409400.{"events":[]}' \
      | openssl dgst -sha256 -hmac 'kunci-lama-yang-masih-berlaku-32-byte'
"""

from __future__ import annotations

import pytest

from server.signing import BUILDING_ID_RE, event_id, signature, signature_header, verify

SECRET = b"kunci-rahasia-gedung-contoh-32-byte!!"
OLD_SECRET = b"kunci-lama-yang-masih-berlaku-32-byte"
BODY = b'{"events":[]}'
STAMP = 1795409400  # 2026-11-23 09:50:00 WIB
OPENSSL = "4633e06e5c037af4e9f10ab951010aaa84336ab92c34072b8c19f20aeac0e73d"
OPENSSL_OLD = "3d339a6537959bed44653a34aad13bf4faa4538085bd5e7a948bf2118cb1aab8"


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    assert signature(SECRET, STAMP, BODY) == OPENSSL
    assert signature_header(SECRET, STAMP, BODY) == f"v1={OPENSSL}"
    assert signature_header((SECRET, OLD_SECRET), STAMP, BODY) == f"v1={OPENSSL},v1={OPENSSL_OLD}"


def test_a_signed_request_verifies_within_five_minutes() -> None:
    assert verify(SECRET, str(STAMP), f"v1={OPENSSL}", BODY, now=STAMP + 300) is None
    assert verify(SECRET, str(STAMP), f"v1={OPENSSL}", BODY, now=STAMP - 300) is None
    # A receiver whose secret is the old one during a roll-over: one matching value is enough.
    both = f"v1={OPENSSL}, v1={OPENSSL_OLD}"
    assert verify(OLD_SECRET, str(STAMP), both, BODY, now=STAMP) is None


@pytest.mark.parametrize(
    ("stamp", "value", "body", "now", "code"),
    [
        (str(STAMP), f"v1={OPENSSL}", BODY, STAMP + 301, "stale_timestamp"),  # replayed later
        (str(STAMP), f"v1={OPENSSL}", BODY, STAMP - 301, "stale_timestamp"),
        (str(STAMP + 1), f"v1={OPENSSL}", BODY, STAMP, "bad_signature"),  # timestamp swapped
        (str(STAMP), f"v1={OPENSSL}", b'{"events":[1]}', STAMP, "bad_signature"),  # body changed
        (str(STAMP), f"v1={OPENSSL_OLD}", BODY, STAMP, "bad_signature"),  # another key
        (str(STAMP), f"v0={OPENSSL}", BODY, STAMP, "bad_signature"),  # unknown scheme
        (str(STAMP), OPENSSL, BODY, STAMP, "bad_signature"),  # no scheme
        (str(STAMP), f"v1={OPENSSL.upper()}", BODY, STAMP, "bad_signature"),
        ("1795409400.5", f"v1={OPENSSL}", BODY, STAMP, "bad_timestamp"),
        ("-1", f"v1={OPENSSL}", BODY, STAMP, "bad_timestamp"),
        ("", f"v1={OPENSSL}", BODY, STAMP, "missing_header"),
        (str(STAMP), None, BODY, STAMP, "missing_header"),
        (None, f"v1={OPENSSL}", BODY, STAMP, "missing_header"),
    ],
)
def test_what_does_not_verify(
    stamp: str | None, value: str | None, body: bytes, now: int, code: str
) -> None:
    refusal = verify(SECRET, stamp, value, body, now=now)
    assert refusal is not None and refusal.code == code


def test_event_ids_and_building_ids() -> None:
    assert event_id("mpp-kota-contoh", 1201) == "mpp-kota-contoh:1201"
    for good in ("mpp-kota-contoh", "mpp-3273", "a1"):
        assert BUILDING_ID_RE.fullmatch(good)
    for bad in ("MPP", "-mpp", "mpp-", "mpp kota", "mpp:1", "", "m" * 41):
        assert not BUILDING_ID_RE.fullmatch(bad)
