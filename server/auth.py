"""Secrets at rest: scrypt PIN hashes for officers and managers, SHA-256 digests of device tokens.

The building file holds only hashes and digests, never a PIN or a token. A PIN hash reads
`scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>`, so its cost travels with it and can be raised later
without invalidating hashes already written. A device token is a long random string (far more
entropy than a PIN), so a plain SHA-256 is enough for it and cheap to check on every connect.
Pure and stdlib only: no clock, no disk.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

__all__ = [
    "PIN_HASH_N",
    "PIN_HASH_P",
    "PIN_HASH_R",
    "hash_password",
    "hash_pin",
    "is_pin_hash",
    "is_token_digest",
    "token_digest",
    "verify_password",
    "verify_pin",
    "verify_token",
]

# scrypt cost: about 50 ms and 16 MiB per hash on the 2-core server: a login is rare, a guess dear.
PIN_HASH_N = 2**14
PIN_HASH_R = 8
PIN_HASH_P = 1

_SALT_BYTES = 16
_HASH_BYTES = 32
# Bounds on the parameters a stored hash may ask for, so a corrupt or hostile building file cannot
# make a login burn gigabytes of memory or minutes of CPU (scrypt needs 128 * r * n bytes).
_MAX_N = 2**20
_MAX_R = 32
_MAX_P = 16
_MAX_MEM = 256 * 1024 * 1024
_PIN_HASH_RE = re.compile(
    r"scrypt\$(?P<n>[1-9][0-9]{0,7})\$(?P<r>[1-9][0-9]{0,2})\$(?P<p>[1-9][0-9]{0,2})"
    rf"\$(?P<salt>[0-9a-f]{{{2 * _SALT_BYTES}}})\$(?P<hash>[0-9a-f]{{{2 * _HASH_BYTES}}})"
)
_DIGEST_RE = re.compile(r"[0-9a-f]{64}")


def hash_pin(pin: str, *, n: int = PIN_HASH_N, salt: bytes | None = None) -> str:
    """A fresh `scrypt$n$r$p$salt$hash` string for the PIN, with a random 16-byte salt.

    `n` may be lowered in tests for speed; `salt` is fixed only to regenerate demo files
    reproducibly. Both leave the format unchanged.
    """
    if salt is None:
        salt = os.urandom(_SALT_BYTES)
    if len(salt) != _SALT_BYTES:
        raise ValueError(f"salt must be {_SALT_BYTES} bytes")
    if not _params_ok(n, PIN_HASH_R, PIN_HASH_P):
        raise ValueError(f"n must be a power of two between 2 and {_MAX_N}")
    digest = _scrypt(pin, salt, n, PIN_HASH_R, PIN_HASH_P)
    return f"scrypt${n}${PIN_HASH_R}${PIN_HASH_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """True if the PIN matches the stored hash; False (never an exception) for a malformed hash."""
    params = _parse_pin_hash(stored)
    if params is None:
        return False
    n, r, p, salt, expected = params
    try:
        actual = _scrypt(pin, salt, n, r, p)
    except (AttributeError, TypeError, ValueError, MemoryError, UnicodeError):
        return False
    return hmac.compare_digest(actual, expected)


def hash_password(password: str, *, n: int = PIN_HASH_N, salt: bytes | None = None) -> str:
    """A central user's password hashed as a PIN is (docs/central.md, "Users"): the same
    `scrypt$n$r$p$salt$hash` form and cost, so one checker serves both."""
    return hash_pin(password, n=n, salt=salt)


def verify_password(password: str, stored: str) -> bool:
    """True if the password matches the stored hash; False for a malformed hash, never raises."""
    return verify_pin(password, stored)


def is_pin_hash(s: object) -> bool:
    """True if `s` has the exact form `hash_pin` writes, with parameters in safe bounds."""
    return isinstance(s, str) and _parse_pin_hash(s) is not None


def token_digest(token: str) -> str:
    """The SHA-256 of a device token, as 64 lowercase hex digits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def verify_token(token: str, digest: str) -> bool:
    """True if the token's SHA-256 equals the digest, compared in constant time; never raises."""
    try:
        actual = token_digest(token).encode("ascii")
        expected = digest.strip().lower().encode("ascii")
    except (AttributeError, UnicodeError):
        return False
    return hmac.compare_digest(actual, expected)


def is_token_digest(s: object) -> bool:
    """True if `s` is 64 lowercase hex digits, the form `token_digest` writes."""
    return isinstance(s, str) and _DIGEST_RE.fullmatch(s) is not None


def _parse_pin_hash(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    if not isinstance(stored, str):
        return None
    m = _PIN_HASH_RE.fullmatch(stored)
    if m is None:
        return None
    n, r, p = int(m["n"]), int(m["r"]), int(m["p"])
    if not _params_ok(n, r, p):
        return None
    return n, r, p, bytes.fromhex(m["salt"]), bytes.fromhex(m["hash"])


def _params_ok(n: int, r: int, p: int) -> bool:
    power_of_two = n >= 2 and n & (n - 1) == 0
    return power_of_two and n <= _MAX_N and r <= _MAX_R and p <= _MAX_P and 128 * r * n <= _MAX_MEM


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # maxmem above OpenSSL's 32 MiB default so that every hash _params_ok allows can be checked.
    return hashlib.scrypt(
        pin.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=_HASH_BYTES,
        maxmem=_MAX_MEM + 1024 * 1024,
    )
