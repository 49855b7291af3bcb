"""PIN hashes at their edges: a PIN that cannot be encoded, a raised cost, the bounds on a hash.

Sources: docs/configuration.md ("the cost travels with the hash, so it can be raised later
without invalidating old hashes"); RFC 7914 for scrypt's memory, 128 · r · N bytes; the bounds a
stored hash may ask for are n a power of two from 2 to 2^20, r ≤ 32, p ≤ 16 and at most 256 MiB
(server/auth.py), worked by hand below. No test here computes a hash dearer than 64 MiB.
"""

from __future__ import annotations

import pytest

from server.auth import hash_pin, is_pin_hash, verify_pin

FAST = 2**4
SALT, HASH = "00" * 16, "00" * 32


def test_a_pin_that_cannot_be_encoded_is_refused_not_accepted() -> None:
    # JSON lets a hello carry a lone surrogate ("\ud800"); UTF-8 cannot encode it.
    stored = hash_pin("482913", n=FAST)
    assert verify_pin("\ud800", stored) is False
    assert verify_pin("4829\udfff13", stored) is False


def test_a_hash_with_a_raised_cost_still_verifies() -> None:
    # n = 2^16, r = 8: 64 MiB, four times the default (more than OpenSSL's 32 MiB default limit).
    stored = hash_pin("482913", n=2**16)
    assert stored.startswith("scrypt$65536$8$1$")
    assert verify_pin("482913", stored) and not verify_pin("482914", stored)


def test_the_cheapest_hash_allowed_verifies() -> None:
    stored = hash_pin("482913", n=2)
    assert is_pin_hash(stored) and verify_pin("482913", stored)


@pytest.mark.parametrize(
    ("n", "r", "p", "allowed"),
    [
        (2, 8, 1, True),  # the smallest power of two
        (2**20, 1, 1, True),  # the largest n: 128 MiB
        (2**21, 1, 1, False),
        (2**16, 32, 1, True),  # the largest r: 128 · 32 · 2^16 = 256 MiB exactly
        (2**10, 33, 1, False),
        (2**10, 8, 16, True),  # the largest p
        (2**10, 8, 17, False),
        (2**20, 2, 1, True),  # 128 · 2 · 2^20 = 256 MiB: on the bound
        (2**20, 4, 1, False),  # 512 MiB
        (2**19, 8, 1, False),  # 512 MiB with every parameter in its own bounds
    ],
)
def test_the_bounds_on_a_stored_hash(n: int, r: int, p: int, allowed: bool) -> None:
    assert is_pin_hash(f"scrypt${n}${r}${p}${SALT}${HASH}") is allowed
