"""The PIN lockout, with its numbers from docs/protocol.md (Roles and credentials, Limits):

    "5 wrong PINs for one officer or manager id within 10 minutes lock that id for 5 minutes,
    even with the right PIN … A wrong PIN older than 10 minutes no longer counts. A correct PIN
    (while the id is not locked) clears the id's count of wrong PINs, and so does the lock
    itself … PINs sent while the id is locked are refused unchecked and neither count nor
    extend the lock. Each id has its own count."

The constants below are copied from that text, not from `LockoutPolicy`. The unit tests drive
`Authenticator` with a hand-moved monotonic clock (its `monotonic` parameter) and the demo
building with cheap PIN hashes (scrypt n=16: same format, microseconds instead of 50 ms); the
last test goes over the wire with the server's own defaults.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hubtest import MONDAY_9AM, demo_building, hello_for

from server import protocol as p
from server.auth import hash_pin
from server.core.building import Building
from server.roles import Authenticator, AuthError, LockoutPolicy, Principal

# docs/protocol.md: 5 wrong PINs within 10 minutes lock the id for 5 minutes.
FAILURES = 5
WINDOW_S = 10 * 60
LOCK_S = 5 * 60

PIN = "246810"
WRONG = "000000"


class Monotonic:
    """A monotonic clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def at(self, t: float) -> None:
        """Move to `t` seconds after the test's start (never back: it is monotonic)."""
        assert 1000.0 + t >= self.t
        self.t = 1000.0 + t


def _cheap_building() -> Building:
    """The demo building, every officer's and manager's PIN set to PIN with a cheap hash."""
    b = demo_building()
    cheap = hash_pin(PIN, n=16)
    return replace(
        b,
        officers=tuple(replace(o, pin_hash=cheap) for o in b.officers),
        managers=tuple(replace(m, pin_hash=cheap) for m in b.managers),
    )


@pytest.fixture
def mono() -> Monotonic:
    return Monotonic()


@pytest.fixture
def auth(mono: Monotonic) -> Authenticator:
    """The authenticator with its default policy: the one the doc describes."""
    return Authenticator(_cheap_building(), monotonic=mono, wall_clock=lambda: MONDAY_9AM)


async def _try(auth: Authenticator, pin: str, who: str = "DKP01") -> str | Principal:
    """One hello: the principal, or the refusal's code."""
    if who in ("LANTAI", "ADMIN"):
        hello = p.hello_manager(who, pin)
    else:
        hello = p.hello_officer("L01" if who == "DKP01" else "L02", who, pin)
    try:
        return await auth.authenticate(hello)
    except AuthError as refused:
        return refused.code


async def _fail_at(auth: Authenticator, mono: Monotonic, times: list[float]) -> list[str]:
    """A wrong PIN at each of these instants (seconds); the codes of the refusals."""
    codes = []
    for t in times:
        mono.at(t)
        codes.append(await _try(auth, WRONG))
    return codes


FAILED, LOCKED = p.ERR_AUTH_FAILED, p.ERR_LOCKED


def test_the_default_policy_is_the_documented_one() -> None:
    """5 failures, a 10-minute window, a 5-minute lock: the server's defaults."""
    d = LockoutPolicy()
    assert (d.max_failures, d.failure_window_s, d.lockout_s) == (FAILURES, WINDOW_S, LOCK_S)


async def test_the_fifth_wrong_pin_within_ten_minutes_locks(
    auth: Authenticator, mono: Monotonic
) -> None:
    """Wrong PINs at 0:00, 2:30, 5:00, 7:30 and 9:59: the fifth locks; then the right PIN is
    refused too."""
    codes = await _fail_at(auth, mono, [0, 150, 300, 450, 599])
    assert codes == [FAILED] * 4 + [LOCKED]
    assert await _try(auth, PIN) == LOCKED


async def test_the_refusals_count_down_to_the_lock(auth: Authenticator, mono: Monotonic) -> None:
    """Each wrong PIN says how many tries are left: 4, 3, 2, 1, then the lock says until when."""
    messages = []
    for t in range(FAILURES):
        mono.at(t)
        with pytest.raises(AuthError) as refused:
            await auth.authenticate(p.hello_officer("L01", "DKP01", WRONG))
        messages.append(refused.value.message)
    for left, message in zip([4, 3, 2, 1], messages[:4], strict=True):
        assert f"Sisa {left} percobaan" in message
    # Locked at 09:00 (the wall clock) for 5 minutes: until 09.05.
    assert "sampai pukul 09.05 WIB" in messages[4]
    assert refused.value.retry_after_s == LOCK_S


async def test_wrong_pins_older_than_ten_minutes_no_longer_count(
    auth: Authenticator, mono: Monotonic
) -> None:
    """Four wrong PINs at 0:00–0:03, a fifth at 10:05: only one falls in its window, so no lock.
    Three more by 10:08 make four in the window; the fifth, at 10:09, locks."""
    assert await _fail_at(auth, mono, [0, 1, 2, 3]) == [FAILED] * 4
    assert await _fail_at(auth, mono, [605]) == [FAILED]
    assert await _try(auth, PIN) != LOCKED  # and the right PIN still gets in
    # The right PIN cleared the count; start again within one window.
    assert await _fail_at(auth, mono, [606, 607, 608, 609]) == [FAILED] * 4
    assert await _fail_at(auth, mono, [610]) == [LOCKED]


async def test_a_window_slides_rather_than_resets(auth: Authenticator, mono: Monotonic) -> None:
    """Wrong PINs at 0:00, 6:00, 7:00, 8:00, then 10:30: the one at 0:00 has left the window
    (four remain, no lock); one more at 11:00 is the fifth within 10 minutes (6:00–11:00)."""
    assert await _fail_at(auth, mono, [0, 360, 420, 480, 630]) == [FAILED] * 5
    assert await _fail_at(auth, mono, [660]) == [LOCKED]


async def test_the_lock_lasts_five_minutes_and_then_lets_the_right_pin_in(
    auth: Authenticator, mono: Monotonic
) -> None:
    """Locked at 1:00: refused at 1:01 and at 5:59 (4:59 into the lock), even with the right
    PIN and with wrong PINs meanwhile, which do not extend it; the right PIN gets in at 6:00."""
    assert await _fail_at(auth, mono, [0, 15, 30, 45, 60]) == [FAILED] * 4 + [LOCKED]
    mono.at(61)
    assert await _try(auth, PIN) == LOCKED
    assert await _fail_at(auth, mono, [120, 200, 300]) == [LOCKED] * 3
    mono.at(60 + LOCK_S - 1)
    with pytest.raises(AuthError) as refused:
        await auth.authenticate(p.hello_officer("L01", "DKP01", PIN))
    assert (refused.value.code, refused.value.retry_after_s) == (LOCKED, 1.0)
    mono.at(60 + LOCK_S)
    principal = await _try(auth, PIN)
    assert isinstance(principal, Principal) and principal.id == "DKP01"


async def test_after_the_lock_the_count_starts_from_zero(
    auth: Authenticator, mono: Monotonic
) -> None:
    """Once a lock has run out, one wrong PIN does not lock again: it takes five more."""
    await _fail_at(auth, mono, [0, 1, 2, 3, 4])
    assert await _fail_at(auth, mono, [304, 305, 306, 307]) == [FAILED] * 4
    assert await _fail_at(auth, mono, [308]) == [LOCKED]


async def test_a_correct_pin_clears_the_count(auth: Authenticator, mono: Monotonic) -> None:
    """Four wrong PINs, the right one, four wrong again — all within a minute: no lock (the
    count started again at the right PIN); the fifth after it locks."""
    assert await _fail_at(auth, mono, [0, 1, 2, 3]) == [FAILED] * 4
    mono.at(4)
    assert isinstance(await _try(auth, PIN), Principal)
    assert await _fail_at(auth, mono, [5, 6, 7, 8]) == [FAILED] * 4
    assert await _fail_at(auth, mono, [9]) == [LOCKED]


async def test_each_id_has_its_own_count(auth: Authenticator, mono: Monotonic) -> None:
    """DKP01 locked leaves DKP02 free; four wrong PINs each on DKP02 and on the manager LANTAI
    do not add up with DKP01's; a manager id locks like an officer's."""
    await _fail_at(auth, mono, [0, 1, 2, 3, 4])
    mono.at(5)
    assert isinstance(await _try(auth, PIN, "DKP02"), Principal)
    for who in ("DKP02", "LANTAI"):
        assert [await _try(auth, WRONG, who) for _ in range(4)] == [FAILED] * 4
    assert await _try(auth, PIN, "LANTAI") != LOCKED
    assert [await _try(auth, WRONG, "ADMIN") for _ in range(5)] == [FAILED] * 4 + [LOCKED]
    assert await _try(auth, PIN, "ADMIN") == LOCKED
    assert await _try(auth, PIN) == LOCKED  # DKP01 still locked


async def test_over_the_wire_the_server_locks_after_five(start_server) -> None:
    """The running server with its default limits: four wrong PINs are `auth_failed`, the fifth
    and then the right PIN are `locked` until 09.05 (the fake clock says 09.00)."""
    server = await start_server()
    codes = []
    for _ in range(FAILURES):
        raw = await server.raw()
        await raw.send({**p.hello_officer("L01", "DKP01", "999999"), "id": "h"})
        codes.append((await raw.recv())["code"])
        assert await raw.closed() == p.CLOSE_AUTH_FAILED
    assert codes == [FAILED] * 4 + [LOCKED]
    raw = await server.raw()
    await raw.send({**hello_for("DKP01@L01"), "id": "h"})
    locked = await raw.recv()
    assert locked["code"] == LOCKED
    assert LOCK_S - 60 < locked["retry_after_s"] <= LOCK_S
    assert "sampai pukul 09.05 WIB" in locked["message"]
