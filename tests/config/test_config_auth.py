"""PIN hashes and device-token digests (server.auth)."""

from __future__ import annotations

import pytest

from server.auth import (
    PIN_HASH_N,
    hash_pin,
    is_pin_hash,
    is_token_digest,
    token_digest,
    verify_pin,
    verify_token,
)

FAST = 2**4  # low scrypt cost: these tests check the logic, not the strength


def test_pin_round_trip() -> None:
    """A PIN verifies against its own hash."""
    assert verify_pin("482913", hash_pin("482913", n=FAST))


def test_wrong_pin_is_refused() -> None:
    """Another PIN, a prefix of the PIN and an empty PIN are all refused."""
    stored = hash_pin("482913", n=FAST)
    assert not verify_pin("482914", stored)
    assert not verify_pin("48291", stored)
    assert not verify_pin("", stored)


def test_default_hash_has_the_documented_format() -> None:
    """The default hash reads scrypt$16384$8$1$<32 hex salt>$<64 hex hash> and verifies."""
    stored = hash_pin("000000")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, int(n), r, p) == ("scrypt", PIN_HASH_N, "8", "1")
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert is_pin_hash(stored) and verify_pin("000000", stored)


def test_each_hash_has_its_own_salt() -> None:
    """Hashing the same PIN twice gives two different strings, both valid."""
    a, b = hash_pin("123456", n=FAST), hash_pin("123456", n=FAST)
    assert a != b and verify_pin("123456", a) and verify_pin("123456", b)


def test_fixed_salt_is_reproducible() -> None:
    """With a given salt (demo files only) the hash is the same every time."""
    salt = bytes(range(16))
    assert hash_pin("1234", n=FAST, salt=salt) == hash_pin("1234", n=FAST, salt=salt)


GOOD = hash_pin("123456", n=FAST)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "123456",
        "scrypt$16$8$1$abcd",
        GOOD.replace("scrypt", "bcrypt"),
        GOOD.upper(),
        GOOD + "00",
        GOOD.replace("$16$", "$15$"),  # n not a power of two
        GOOD.replace("$16$", "$2097152$"),  # n beyond the memory bound
        GOOD.replace("$8$", "$0$"),
        "scrypt$16$8$1$" + "zz" * 16 + "$" + "00" * 32,
        None,
        42,
    ],
    ids=[
        "empty",
        "plain-pin",
        "truncated",
        "other-scheme",
        "uppercase",
        "long-hash",
        "n-not-power-of-two",
        "n-too-big",
        "r-zero",
        "bad-hex",
        "none",
        "int",
    ],
)
def test_malformed_hash_is_refused_without_raising(stored: object) -> None:
    """A malformed stored hash is not a PIN hash and verifies nothing, without an exception."""
    assert not is_pin_hash(stored)
    assert verify_pin("123456", stored) is False  # type: ignore[arg-type]


def test_token_digest_is_sha256_hex() -> None:
    """A token's digest is the lowercase hex SHA-256 of its UTF-8 bytes."""
    assert token_digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert is_token_digest(token_digest("demo-kiosk-1-x"))
    assert not is_token_digest("demo-kiosk-1-x") and not is_token_digest(None)


def test_verify_token() -> None:
    """The right token verifies (digest case-insensitive); a wrong one or a junk digest doesn't."""
    digest = token_digest("demo-tv-1-secret")
    assert verify_token("demo-tv-1-secret", digest)
    assert verify_token("demo-tv-1-secret", digest.upper())
    assert not verify_token("demo-tv-1-secres", digest)
    assert not verify_token("demo-tv-1-secret", "é" * 64)
    assert not verify_token("demo-tv-1-secret", None)  # type: ignore[arg-type]
