"""Guessing PINs, with the numbers of docs/protocol.md ("Roles and credentials", Guessing PINs):

    "Each device may send 4 wrong PINs in a row for an id; the 5th makes that device wait 1 minute
    before its next PIN for the id is even checked, and each further wrong PIN doubles the wait (2,
    4, 8, 16, 32 minutes) up to 1 hour. A correct PIN ends the device's count, and so do 24 hours
    without a wrong PIN. Only that device waits … Unknown devices together may send 10 wrong PINs
    for an id, plus one more every 30 minutes … Known devices never are … A held attempt is refused
    unchecked — it neither counts nor extends the wait."

The constants below are copied from that text, not from `LockoutPolicy`. The tests drive
`Authenticator` with a hand-moved monotonic clock (its `monotonic` parameter), a fixed wall clock
(Monday 09.00 WIB), a network address per attempt, and the demo building with cheap PIN hashes
(scrypt n=16: same format, microseconds instead of 50 ms). No socket: `make mutate` runs these.
Only the last test goes over the wire, with the server's own defaults.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hubtest import MONDAY_9AM, demo_building, hello_for

from server import protocol as p
from server.auth import hash_pin
from server.core.building import Building
from server.lockout import LockoutPolicy
from server.roles import Authenticator, AuthError, Principal

# docs/protocol.md, "Guessing PINs".
FREE = 5  # the 5th wrong PIN in a row from one device starts its wait
FIRST_WAIT_S = 60
MAX_WAIT_S = 60 * 60
FORGET_S = 24 * 60 * 60
UNKNOWN_BUDGET = 10
REFILL_S = 30 * 60
# The waits after the 5th, 6th, … wrong PIN, in minutes, written out from the doc.
WAITS_MIN = [1, 2, 4, 8, 16, 32, 60, 60, 60]

PIN = "246810"
NEW_PIN = "135790"  # the PIN after it was changed in the building file
WRONG = "000000"
OFFICE = "10.0.0.5"  # the officer's counter computer
STRANGER = "10.0.0.66"

FAILED, LOCKED = p.ERR_AUTH_FAILED, p.ERR_LOCKED


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


def _cheap_building(pin: str = PIN) -> Building:
    """The demo building, every officer's and manager's PIN set to `pin` with a cheap hash."""
    b = demo_building()
    cheap = hash_pin(pin, n=16)
    return replace(
        b,
        officers=tuple(replace(o, pin_hash=cheap) for o in b.officers),
        managers=tuple(replace(m, pin_hash=cheap) for m in b.managers),
    )


@pytest.fixture
def mono() -> Monotonic:
    return Monotonic()


@pytest.fixture
def told() -> list[list[dict[str, Any]]]:
    """Every list of ids being guessed the authenticator told the floor, in order."""
    return []


@pytest.fixture
def auth(mono: Monotonic, told: list[list[dict[str, Any]]]) -> Authenticator:
    """The authenticator with its default policy: the one the doc describes."""
    return Authenticator(
        _cheap_building(), monotonic=mono, wall_clock=lambda: MONDAY_9AM, on_guessing=told.append
    )


def _hello(who: str, pin: str, cookie: str | None = None) -> dict[str, Any]:
    if who in ("LANTAI", "ADMIN"):
        hello = p.hello_manager(who, pin)
    else:
        hello = p.hello_officer("L01" if who == "DKP01" else "L02", who, pin)
    return hello if cookie is None else {**hello, "device_cookie": cookie}


async def _try(
    auth: Authenticator,
    pin: str,
    who: str = "DKP01",
    address: str = STRANGER,
    cookie: str | None = None,
) -> str | Principal:
    """One hello: the principal, or the refusal's code."""
    try:
        return await auth.authenticate(_hello(who, pin, cookie), address)
    except AuthError as refused:
        return refused.code


async def _refusal(
    auth: Authenticator, pin: str, who: str = "DKP01", address: str = STRANGER, **kw: Any
) -> AuthError:
    with pytest.raises(AuthError) as refused:
        await auth.authenticate(_hello(who, pin, **kw), address)
    return refused.value


async def _fail_at(
    auth: Authenticator, mono: Monotonic, times: list[float], address: str = STRANGER, **kw: Any
) -> list[str]:
    """A wrong PIN at each of these instants (seconds) from one address; the refusals' codes."""
    codes = []
    for t in times:
        mono.at(t)
        codes.append(await _try(auth, WRONG, address=address, **kw))
    return codes


async def _cookie(
    auth: Authenticator, who: str = "DKP01", address: str = OFFICE, pin: str = PIN
) -> str:
    """Log in once with the right PIN: the device cookie the welcome would carry."""
    principal = await auth.authenticate(_hello(who, pin), address)
    assert principal.device_cookie
    return principal.device_cookie


def test_the_default_policy_is_the_documented_one() -> None:
    """4 free, then 1 minute doubling to an hour, forgotten after a day; 10 for unknown devices
    together, one more every 30 minutes: the server's defaults."""
    d = LockoutPolicy()
    assert (d.free_failures, d.first_wait_s, d.max_wait_s, d.forget_after_s) == (
        FREE,
        FIRST_WAIT_S,
        MAX_WAIT_S,
        FORGET_S,
    )
    assert (d.unknown_budget, d.unknown_refill_s) == (UNKNOWN_BUDGET, REFILL_S)


async def test_the_refusals_count_down_then_the_device_waits_a_minute(
    auth: Authenticator, mono: Monotonic
) -> None:
    """Each wrong PIN says how many tries are left: 4, 3, 2, 1; the 5th says until when (09.01,
    with the zone) and that the wait is one minute; the right PIN then is refused too."""
    messages = []
    for t in range(FREE):
        mono.at(t)
        messages.append(await _refusal(auth, WRONG))
    assert [m.code for m in messages] == [FAILED] * 4 + [LOCKED]
    for left, refusal in zip([4, 3, 2, 1], messages, strict=False):
        assert f"Sisa {left} percobaan" in refusal.message
    # The wall clock says 09.00 throughout: held for a minute, until 09.01.
    assert "sampai pukul 09.01 WIB" in messages[4].message
    assert "dalam 1 menit" in messages[4].message
    assert messages[4].retry_after_s == FIRST_WAIT_S
    mono.at(FREE)
    held = await _refusal(auth, PIN)
    assert (held.code, held.retry_after_s) == (LOCKED, FIRST_WAIT_S - 1)


async def test_the_wait_doubles_with_each_wrong_pin_up_to_an_hour(
    auth: Authenticator, mono: Monotonic
) -> None:
    """A device that tries again as soon as it may is told to wait 1, 2, 4 … 32, then 60, 60
    minutes; one second before a wait ends, even the right PIN is still refused."""
    cookie = await _cookie(auth)  # a known device: no budget for unknown devices in the way
    t = 0.0
    for _ in range(FREE - 1):
        assert await _fail_at(auth, mono, [t], OFFICE, cookie=cookie) == [FAILED]
    waits = []
    for expected in WAITS_MIN:
        mono.at(t)
        refused = await _refusal(auth, WRONG, address=OFFICE, cookie=cookie)
        assert refused.code == LOCKED
        waits.append(refused.retry_after_s / 60)
        mono.at(t + expected * 60 - 1)
        assert await _try(auth, PIN, address=OFFICE, cookie=cookie) == LOCKED
        t += expected * 60
    assert waits == WAITS_MIN
    mono.at(t)
    principal = await _try(auth, PIN, address=OFFICE, cookie=cookie)
    assert isinstance(principal, Principal) and principal.id == "DKP01"


async def test_a_held_attempt_is_refused_unchecked_and_does_not_extend_the_wait(
    auth: Authenticator, mono: Monotonic
) -> None:
    """Held from 0:04 to 1:04: wrong PINs at 0:10, 0:30 and 1:03 are refused, neither counted
    (they do not make the next wait 2 minutes) nor extending it: the right PIN gets in at 1:04."""
    assert await _fail_at(auth, mono, [0, 1, 2, 3, 4]) == [FAILED] * 4 + [LOCKED]
    assert await _fail_at(auth, mono, [10, 30, 63]) == [LOCKED] * 3
    mono.at(64)
    assert isinstance(await _try(auth, PIN), Principal)


async def test_a_right_pin_clears_the_devices_count(auth: Authenticator, mono: Monotonic) -> None:
    """Four wrong PINs, the right one, four wrong again: no wait (the count started again at the
    right PIN); the fifth after it makes the device wait."""
    assert await _fail_at(auth, mono, [0, 1, 2, 3]) == [FAILED] * 4
    mono.at(4)
    assert isinstance(await _try(auth, PIN), Principal)
    assert await _fail_at(auth, mono, [5, 6, 7, 8]) == [FAILED] * 4
    assert await _fail_at(auth, mono, [9]) == [LOCKED]


async def test_a_devices_count_ends_after_a_day_without_a_wrong_pin(
    auth: Authenticator, mono: Monotonic
) -> None:
    """Four wrong PINs by 0:03; a fifth a second under 24 hours later still makes the device
    wait. From another id: four by 0:03 and one exactly 24 hours after the last: counted anew."""
    assert await _fail_at(auth, mono, [0, 1, 2, 3]) == [FAILED] * 4
    assert await _fail_at(auth, mono, [3 + FORGET_S - 1]) == [LOCKED]
    for t in range(4):
        mono.at(FORGET_S + 10 + t)
        assert await _try(auth, WRONG, "DKP02") == FAILED
    mono.at(2 * FORGET_S + 13)
    refusal = await _refusal(auth, WRONG, "DKP02")
    assert (refusal.code, "Sisa 4 percobaan" in refusal.message) == (FAILED, True)


async def test_a_strangers_guesses_hold_the_stranger_not_the_officer(
    auth: Authenticator, mono: Monotonic
) -> None:
    """Five wrong PINs for DKP01 from a stranger's address hold that address; the officer at their
    own computer — never logged in from it before — gets in with the right PIN at once."""
    assert await _fail_at(auth, mono, [0, 1, 2, 3, 4], STRANGER) == [FAILED] * 4 + [LOCKED]
    mono.at(5)
    assert await _try(auth, PIN, address=STRANGER) == LOCKED
    officer = await _try(auth, PIN, address=OFFICE)
    assert isinstance(officer, Principal) and officer.id == "DKP01"


async def test_unknown_devices_share_ten_wrong_pins_then_one_per_half_hour(
    auth: Authenticator, mono: Monotonic
) -> None:
    """Ten addresses, one wrong PIN each, all at 09.00: the tenth is held, and so is an eleventh
    address with the right PIN — "perangkat yang belum dikenal", until 09.30 WIB. The officer's
    known computer still gets in. At 09.30 one more unknown attempt is checked, then none until
    10.00."""
    cookie = await _cookie(auth)
    addresses = [f"10.0.1.{i}" for i in range(1, 12)]
    codes = [await _try(auth, WRONG, address=a) for a in addresses[:10]]
    assert codes == [FAILED] * 9 + [LOCKED]
    held = await _refusal(auth, PIN, address=addresses[10])
    assert held.code == LOCKED and held.retry_after_s == REFILL_S
    assert "perangkat yang belum dikenal" in held.message
    assert "sampai pukul 09.30 WIB" in held.message
    known = await _try(auth, PIN, address=OFFICE, cookie=cookie)
    assert isinstance(known, Principal)
    mono.at(REFILL_S - 1)
    assert await _try(auth, PIN, address=addresses[10]) == LOCKED
    mono.at(REFILL_S)
    # Checked (the budget had one again), wrong, and the budget is empty again.
    assert await _try(auth, WRONG, address=addresses[10]) == LOCKED
    assert await _try(auth, PIN, address="10.0.1.99") == LOCKED
    mono.at(2 * REFILL_S)
    assert isinstance(await _try(auth, PIN, address="10.0.1.99"), Principal)


async def test_a_device_cookie_is_good_for_its_id_only_and_until_the_pin_changes(
    mono: Monotonic,
) -> None:
    """With DKP01's and DKP02's budgets for unknown devices spent, the right PIN gets in only with
    a valid cookie of that same id: not a tampered one, not DKP02's for DKP01, not one made
    before the PIN changed. A cookie stays good after a restart (a new authenticator)."""

    def fresh(building: Building) -> Authenticator:
        return Authenticator(building, monotonic=mono, wall_clock=lambda: MONDAY_9AM)

    async def spend(a: Authenticator, who: str) -> None:
        for i in range(UNKNOWN_BUDGET):
            await _try(a, WRONG, who, address=f"10.0.2.{i}")
        assert await _try(a, PIN, who, address="10.0.2.99") == LOCKED

    building = _cheap_building()
    first = fresh(building)
    mine, colleagues = await _cookie(first, "DKP01"), await _cookie(first, "DKP02")
    restarted = fresh(building)
    await spend(restarted, "DKP01")
    nonce, mac = mine.split(".")
    tampered = f"{nonce}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"
    for cookie in (tampered, colleagues, f"{nonce}", "", "x.y.z"):
        assert await _try(restarted, PIN, address=OFFICE, cookie=cookie) == LOCKED, cookie
    kept = await _try(restarted, PIN, address=OFFICE, cookie=mine)
    assert isinstance(kept, Principal) and kept.device_cookie == mine  # the same cookie back

    rehashed = replace(building, officers=_cheap_building(NEW_PIN).officers)
    renewed = await _cookie(fresh(rehashed), pin=NEW_PIN)  # a login with the new PIN
    changed = fresh(rehashed)
    await spend(changed, "DKP01")
    assert await _try(changed, NEW_PIN, address=OFFICE, cookie=mine) == LOCKED
    assert isinstance(await _try(changed, NEW_PIN, address=OFFICE, cookie=renewed), Principal)


async def test_a_right_pin_gives_a_cookie_for_that_id(auth: Authenticator) -> None:
    """Every officer's and manager's welcome gets a cookie; each login without one a new one."""
    first = await _cookie(auth, "DKP01")
    second = await _cookie(auth, "DKP01")
    manager = await _cookie(auth, "LANTAI")
    assert len({first, second, manager}) == 3
    kiosk = await auth.authenticate(hello_for("KIOSK-1"))
    assert kiosk.device_cookie is None
    # The cookie goes back in the next hello: it must pass that hello's own validation.
    for cookie in (first, manager):
        hello = {**_hello("DKP01", PIN, cookie), "id": "h"}
        assert p.validate(hello) == "hello"


async def test_each_id_has_its_own_counts(auth: Authenticator, mono: Monotonic) -> None:
    """DKP01 held at one address leaves DKP02 free there; four wrong PINs each on DKP02 and on
    the manager LANTAI do not add up with DKP01's; a manager id is held like an officer's."""
    await _fail_at(auth, mono, [0, 1, 2, 3, 4])
    mono.at(5)
    assert isinstance(await _try(auth, PIN, "DKP02"), Principal)
    for who in ("DKP02", "LANTAI"):
        assert [await _try(auth, WRONG, who) for _ in range(4)] == [FAILED] * 4
    assert isinstance(await _try(auth, PIN, "LANTAI"), Principal)
    assert [await _try(auth, WRONG, "ADMIN") for _ in range(5)] == [FAILED] * 4 + [LOCKED]
    assert await _try(auth, PIN, "ADMIN") == LOCKED
    assert await _try(auth, PIN) == LOCKED  # DKP01 still held at this address


async def test_an_unlock_forgets_every_count_and_refills_the_budget(
    auth: Authenticator, mono: Monotonic
) -> None:
    """Ten wrong PINs from two addresses for DKP01 hold both and every unknown device; a manager's
    unlock (10 wrong PINs from 2 devices forgotten) lets each in again; an unknown id is None."""
    await _fail_at(auth, mono, [0, 1, 2, 3, 4], "10.0.3.1")
    await _fail_at(auth, mono, [5, 6, 7, 8, 9], "10.0.3.2")
    assert await _try(auth, PIN, address="10.0.3.3") == LOCKED
    assert auth.unlock("DKP01") == (10, 2)
    for address in ("10.0.3.1", "10.0.3.2", "10.0.3.3"):
        assert isinstance(await _try(auth, PIN, address=address), Principal)
    assert auth.unlock("DKP01") == (0, 0)
    assert auth.unlock("NOBODY") is None


async def test_the_floor_is_told_who_is_being_guessed_from_where_never_the_pin(
    auth: Authenticator, mono: Monotonic, told: list[list[dict[str, Any]]]
) -> None:
    """Nothing for four wrong PINs; from the 5th, the whole list after each change: DKP01 (Siti
    Rahmawati), 5 then 6 wrong PINs, from which address; the right PIN from that address ends it."""
    guess = "135791"
    for t in range(4):
        mono.at(t)
        await _try(auth, guess)
    assert told == []
    mono.at(4)
    await _try(auth, guess)
    (entry,) = told[-1]
    assert (entry["person"], entry["role"], entry["name"]) == ("DKP01", "officer", "Siti Rahmawati")
    assert entry["failures"] == FREE
    assert entry["first_at"] == "2026-11-23T08:59:56+07:00"  # the wall clock says 09.00 at t=4
    (source,) = entry["sources"]
    assert (source["address"], source["known_device"], source["failures"]) == (STRANGER, False, 5)
    assert source["held_until"] == "2026-11-23T09:01:00+07:00"
    assert entry["new_devices_held_until"] is None
    assert guess not in repr(told)
    mono.at(64)
    await _try(auth, guess)
    assert told[-1][0]["failures"] == FREE + 1
    mono.at(64 + 120)
    assert isinstance(await _try(auth, PIN), Principal)
    assert told[-1] == []
    assert auth.guessing() == []


async def test_a_brute_force_is_slowed_to_decades_for_a_six_digit_pin(
    mono: Monotonic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A guesser who tries again the moment it is allowed to, for a simulated week:

    - from one address: 4 at once, the 5th, then after 1, 2, 4, 8, 16, 32 minutes, then one an
      hour. Guesses before 3780 s: 11; one an hour after that: 11 + 22 = 33 in the first day,
      33 + 6 · 24 = 177 in the week. At 24 a day, half of the 10⁶ six-digit PINs (the average
      search) take 500,000 / 24 ≈ 20,833 days ≈ 57 years.
    - from a new address each time: the unknown devices' budget, 10 at once and one every 30
      minutes: 10 + 47 = 57 in the first day (the 48th refill falls at 24:00), 10 + 335 = 345 in
      the week. At 48 a day: 500,000 / 48 ≈ 10,417 days ≈ 28.5 years; the chance of hitting a
      given PIN within 30 days is (10 + 48 · 30) / 10⁶ ≈ 0.15 %.

    (docs/reliability.md, "Guessing PINs", states these figures.)
    """
    import server.roles

    day, week = 24 * 3600, 7 * 24 * 3600
    checks: list[float] = []  # the instant of every PIN the server checked
    real_verify = server.roles.verify_pin

    def counted(pin: str, stored: str) -> bool:
        checks.append(mono.t)
        return real_verify(pin, stored)

    monkeypatch.setattr(server.roles, "verify_pin", counted)

    async def guesses(new_address_each_time: bool) -> tuple[int, int]:
        auth = Authenticator(_cheap_building(), monotonic=mono, wall_clock=lambda: MONDAY_9AM)
        checks.clear()
        start, t, tries = mono.t, 0.0, 0
        while t < week:
            mono.t = start + t
            tries += 1
            address = f"10.{tries // 250}.{tries % 250}.9" if new_address_each_time else "10.9.9.9"
            with pytest.raises(AuthError) as refused:
                await auth.authenticate(_hello("DKP01", WRONG), address)
            if refused.value.code == LOCKED:  # told to wait: come back exactly then
                assert refused.value.retry_after_s is not None
                t += max(refused.value.retry_after_s, 0.1)
        return sum(c - start < day for c in checks), len(checks)

    assert await guesses(new_address_each_time=False) == (33, 177)
    assert await guesses(new_address_each_time=True) == (57, 345)


async def test_over_the_wire_the_server_locks_after_five(start_server) -> None:
    """The running server with its default limits: four wrong PINs are `auth_failed`, the fifth
    is `locked` and so is then the right PIN from the same device, until 09.01 (the fake clock
    says 09.00); the error and the close code are the doc's."""
    server = await start_server()
    codes = []
    for _ in range(FREE):
        raw = await server.raw()
        await raw.send({**p.hello_officer("L01", "DKP01", "999999"), "id": "h"})
        codes.append((await raw.recv())["code"])
        assert await raw.closed() == p.CLOSE_AUTH_FAILED
    assert codes == [FAILED] * 4 + [LOCKED]
    raw = await server.raw()
    await raw.send({**hello_for("DKP01@L01"), "id": "h"})
    locked = await raw.recv()
    assert locked["code"] == LOCKED
    assert 0 < locked["retry_after_s"] <= FIRST_WAIT_S
    assert "sampai pukul 09.01 WIB" in locked["message"]


# -- what a held device reads ------------------------------------------------------------------
#
# The sentences are written out by hand: the source's is docs/protocol.md's example of `locked`;
# the one for unknown devices says the same things for the budget (docs/reliability.md: "Masuk
# dari perangkat baru" is what is held, and the officer's own computer is the way in).

HELD_HERE = (
    "Terlalu banyak PIN salah dari perangkat ini. ID DKP01 dikunci di sini sampai pukul {until} "
    "WIB; coba lagi dalam {minutes} menit, atau minta pengelola lantai membuka kuncinya."
)
HELD_NEW_DEVICES = (
    "Terlalu banyak PIN salah untuk ID DKP01 dari perangkat yang belum dikenal. Masuk dari "
    "perangkat baru dikunci sampai pukul {until} WIB (dalam {minutes} menit). Masuklah dari "
    "komputer yang biasa Anda pakai, atau minta pengelola lantai membuka kuncinya."
)


async def test_a_held_device_reads_the_sentence_of_the_docs(
    auth: Authenticator, mono: Monotonic
) -> None:
    """docs/protocol.md's `locked` example, word for word: DKP01, 09.01 WIB, 1 minute. Half a
    second before the wait ends (the wall clock still says 09.00.00: 09.00.00.5) it still says
    09.01, never 09.00."""
    for _ in range(FREE):
        refused = await _refusal(auth, WRONG)
    assert refused.code == LOCKED
    assert refused.message == HELD_HERE.format(until="09.01", minutes=1)
    assert refused.retry_after_s == 60.0
    mono.at(59.5)
    refused = await _refusal(auth, PIN)
    assert (refused.message, refused.retry_after_s) == (
        HELD_HERE.format(until="09.01", minutes=1),
        0.5,
    )


async def test_a_wrong_pin_says_how_many_tries_are_left_in_a_sentence(
    auth: Authenticator,
) -> None:
    refused = await _refusal(auth, WRONG)
    assert refused.message == (
        "ID atau PIN salah. Sisa 4 percobaan sebelum perangkat ini dikunci sementara."
    )
    assert (refused.code, refused.retry_after_s) == (FAILED, None)


async def test_the_time_and_the_minutes_of_a_hold_are_rounded_up(mono: Monotonic) -> None:
    """Wall clock 09.00.30 throughout. Held at 0:04 for a minute: until 09.01.30, read "09.02"
    (never a time at which the device would be refused again). At 0:05, 59 s left: still "dalam
    1 menit". The 6th wrong PIN, at 1:04, holds for 2 minutes; at 1:05, 119 s left: "dalam 2
    menit"; at 2:03, 61 s left: 2 minutes still, not 1; at 3:03.5, half a second: 1 minute."""
    auth = Authenticator(
        _cheap_building(), monotonic=mono, wall_clock=lambda: MONDAY_9AM + timedelta(seconds=30)
    )
    for t in range(FREE):
        mono.at(t)
        refused = await _refusal(auth, WRONG)
    assert refused.message == HELD_HERE.format(until="09.02", minutes=1)
    mono.at(5)
    refused = await _refusal(auth, PIN)
    assert (refused.message, refused.retry_after_s) == (
        HELD_HERE.format(until="09.02", minutes=1),
        59.0,
    )
    mono.at(64)
    refused = await _refusal(auth, WRONG)
    assert refused.message == HELD_HERE.format(until="09.03", minutes=2)
    assert refused.retry_after_s == 120.0
    for t, left, until, minutes in [(65, 119, "09.03", 2), (123, 61, "09.02", 2)]:
        mono.at(t)
        refused = await _refusal(auth, PIN)
        assert refused.message == HELD_HERE.format(until=until, minutes=minutes), t
        assert refused.retry_after_s == left
    mono.at(183.5)
    refused = await _refusal(auth, PIN)
    assert refused.message == HELD_HERE.format(until="09.01", minutes=1)
    assert refused.retry_after_s == 0.5


async def test_unknown_devices_read_why_and_where_they_can_log_in(auth: Authenticator) -> None:
    for i in range(UNKNOWN_BUDGET):
        refused = await _refusal(auth, WRONG, address=f"10.0.4.{i}")
    assert refused.code == LOCKED
    assert refused.message == HELD_NEW_DEVICES.format(until="09.30", minutes=30)
    assert refused.retry_after_s == REFILL_S


async def test_the_floors_list_names_each_id_its_sources_and_times_to_the_second(
    mono: Monotonic,
) -> None:
    """docs/protocol.md's `pin_guessing` entry, every field, on a wall clock that runs with the
    monotonic one from 09.00.00 WIB. DKP01 logged in at her computer (10.0.0.5) at 09.00.00; a
    stranger (10.0.0.66) sent 5 wrong PINs, 09.00.10 to 09.00.14.3 (held a minute: until
    09.01.14.3, shown 09.01.15); her computer 2 wrong at 09.00.20 and 09.00.21; 10.0.0.67 one at
    09.00.30.4. LANTAI: 10 wrong PINs from 10 new addresses at 09.00.50.2, the budget for unknown
    devices spent: new devices held until the refill, 09.30.50.2, shown 09.30.51. Asked at
    09.00.59: ids in order, sources most recent first, times to the second (down; held-until
    up), forgotten 24 hours after the last wrong PIN."""
    told: list[list[dict[str, Any]]] = []
    auth = Authenticator(
        _cheap_building(),
        monotonic=mono,
        wall_clock=lambda: MONDAY_9AM + timedelta(seconds=mono.t - 1000.0),
        on_guessing=told.append,
    )
    cookie = await _cookie(auth)
    await _fail_at(auth, mono, [10, 11, 12, 13, 14.3], STRANGER)
    await _fail_at(auth, mono, [20, 21], OFFICE, cookie=cookie)
    await _fail_at(auth, mono, [30.4], "10.0.0.67")
    mono.at(50.2)
    for i in range(UNKNOWN_BUDGET):
        await _try(auth, WRONG, "LANTAI", address=f"10.0.5.{i}")
    mono.at(59)
    day = "2026-11-23T"
    dkp01 = {
        "person": "DKP01",
        "role": "officer",
        "name": "Siti Rahmawati",
        "failures": 8,
        "first_at": f"{day}09:00:10+07:00",
        "last_at": f"{day}09:00:30+07:00",
        "forget_at": "2026-11-24T09:00:30+07:00",
        "new_devices_held_until": None,
        "sources": [
            {
                "address": "10.0.0.67",
                "known_device": False,
                "failures": 1,
                "last_at": f"{day}09:00:30+07:00",
                "held_until": None,
            },
            {
                "address": OFFICE,
                "known_device": True,
                "failures": 2,
                "last_at": f"{day}09:00:21+07:00",
                "held_until": None,
            },
            {
                "address": STRANGER,
                "known_device": False,
                "failures": 5,
                "last_at": f"{day}09:00:14+07:00",
                "held_until": f"{day}09:01:15+07:00",
            },
        ],
    }
    (first, lantai) = auth.guessing()
    assert first == dkp01
    assert {k: v for k, v in lantai.items() if k != "sources"} == {
        "person": "LANTAI",
        "role": "manager",
        "name": "Bambang Sutrisno",
        "failures": UNKNOWN_BUDGET,
        "first_at": f"{day}09:00:50+07:00",
        "last_at": f"{day}09:00:50+07:00",
        "forget_at": "2026-11-24T09:00:50+07:00",
        "new_devices_held_until": f"{day}09:30:51+07:00",
    }
    assert len(lantai["sources"]) == 5  # the five most recent devices only
    # Half a second before the stranger may try again, it is still held (until 09.01.15); then
    # it is not.
    mono.at(73.8)
    assert auth.guessing()[0]["sources"][2]["held_until"] == f"{day}09:01:15+07:00"
    mono.at(74.3)
    assert auth.guessing()[0]["sources"][2]["held_until"] is None
    # The floor was told the same list when LANTAI's tenth wrong PIN changed it.
    assert [g["person"] for g in told[-1]] == ["DKP01", "LANTAI"]


async def test_a_strangers_guesses_hold_the_stranger_not_the_manager(
    auth: Authenticator, mono: Monotonic
) -> None:
    """As for officers: five wrong PINs for LANTAI from a stranger hold that address only; the
    floor manager at the floor's own computer gets in at once."""
    assert await _fail_at_as(auth, mono, "LANTAI", STRANGER) == [FAILED] * 4 + [LOCKED]
    assert await _try(auth, PIN, "LANTAI", address=STRANGER) == LOCKED
    manager = await _try(auth, PIN, "LANTAI", address=OFFICE)
    assert isinstance(manager, Principal) and manager.id == "LANTAI"


async def _fail_at_as(auth: Authenticator, mono: Monotonic, who: str, address: str) -> list[str]:
    codes = []
    for t in range(FREE):
        mono.at(t)
        codes.append(await _try(auth, WRONG, who, address=address))
    return codes


async def test_an_unlock_tells_the_floor_only_when_it_forgot_something(
    auth: Authenticator, mono: Monotonic, told: list[list[dict[str, Any]]]
) -> None:
    """docs/protocol.md: the list is sent each time it changes — an unlock of an id being
    guessed empties it; an unlock of an id with nothing to forget changes nothing, says nothing."""
    await _fail_at(auth, mono, [0, 1, 2, 3, 4])
    assert [g["person"] for g in told[-1]] == ["DKP01"]
    before = len(told)
    assert auth.unlock("DKP01") == (FREE, 1)
    assert told[before:] == [[]]
    assert auth.unlock("DKP02") == (0, 0)
    assert len(told) == before + 1


async def test_the_policy_given_is_the_one_applied(mono: Monotonic) -> None:
    """A server started with other numbers (HubLimits.lockout) holds after those: 2 free."""
    auth = Authenticator(
        _cheap_building(),
        lockout=LockoutPolicy(free_failures=2, first_wait_s=10.0),
        monotonic=mono,
        wall_clock=lambda: MONDAY_9AM,
    )
    assert await _fail_at(auth, mono, [0, 1]) == [FAILED, LOCKED]
    refused = await _refusal(auth, PIN)
    assert (refused.code, refused.retry_after_s) == (LOCKED, 10.0)  # held at 0:01 until 0:11


async def test_without_a_wall_clock_the_server_says_how_long_and_lists_in_its_zone(
    mono: Monotonic,
) -> None:
    """An authenticator given no wall clock (the hub always gives one) uses the real time: the
    held device reads how many minutes, without a time; the floor's list is in WIB (+07:00)."""
    auth = Authenticator(_cheap_building(), monotonic=mono)
    for _ in range(FREE):
        refused = await _refusal(auth, WRONG)
    assert refused.message == (
        "Terlalu banyak PIN salah dari perangkat ini. ID DKP01 dikunci di sini; coba lagi dalam "
        "1 menit, atau minta pengelola lantai membuka kuncinya."
    )
    (entry,) = auth.guessing()
    assert entry["first_at"].endswith("+07:00")
