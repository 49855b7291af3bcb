"""The booking pages' guards, without sockets: form tokens, the rate limiter, who is asking.

Each expectation is worked out by hand from the rule the module's docstring states (a bucket of
`per_minute` requests refilled at per_minute/60 a second; a token bound to one cookie and one
form, two hours long; X-Forwarded-For believed only from a trusted proxy, read from the right).
"""

from __future__ import annotations

import pytest

from server.web.booking.csrf import (
    COOKIE,
    MAX_AGE_S,
    FormGuard,
    cookie_header,
    cookie_value,
    same_origin,
)
from server.web.booking.limits import RateLimiter, TrustedProxies, client_address

NOW = 1_795_000_000.0  # seconds of the building's clock


# -- form tokens ------------------------------------------------------------------------------


def test_a_token_holds_for_its_cookie_and_form_only() -> None:
    """Made for (cookie, "pesan"): accepted there, refused for another cookie or form."""
    guard = FormGuard.new()
    cookie, other = FormGuard.new_cookie(), FormGuard.new_cookie()
    token = guard.new_token(cookie, "pesan", NOW)
    assert guard.check(token, cookie, "pesan", NOW)
    assert not guard.check(token, other, "pesan", NOW)  # another browser's cookie
    assert not guard.check(token, cookie, "batal:abcdefghijklmnopqrstuv", NOW)
    assert not guard.check(token, None, "pesan", NOW)  # the cookie was not sent (cross-site)
    assert not guard.check(None, cookie, "pesan", NOW)
    assert not FormGuard.new().check(token, cookie, "pesan", NOW)  # a restarted server's key


def test_a_token_lasts_two_hours() -> None:
    """Two hours after it was made it still holds; a minute later it does not."""
    guard = FormGuard.new()
    cookie = FormGuard.new_cookie()
    token = guard.new_token(cookie, "pesan", NOW)
    minute_start = (NOW // 60) * 60
    assert guard.check(token, cookie, "pesan", minute_start + MAX_AGE_S)
    assert not guard.check(token, cookie, "pesan", minute_start + MAX_AGE_S + 61)


@pytest.mark.parametrize("change", ["mac", "minute", "nonce", "shape"])
def test_a_forged_token_is_refused(change: str) -> None:
    """Changing any part of a good token (its mac, minute or nonce) breaks it."""
    guard = FormGuard.new()
    cookie = FormGuard.new_cookie()
    minute, nonce, mac = guard.new_token(cookie, "pesan", NOW).split(".")
    forged = {
        "mac": f"{minute}.{nonce}.{'0' * 64}",
        "minute": f"{int(minute) + 1}.{nonce}.{mac}",
        "nonce": f"{minute}.{'A' * 16}.{mac}",
        "shape": f"{minute}.{nonce}",
    }[change]
    assert not guard.check(forged, cookie, "pesan", NOW)


def test_every_form_shown_has_its_own_token_and_nonce() -> None:
    """Two forms for the same cookie and purpose: different tokens, different nonces."""
    guard = FormGuard.new()
    cookie = FormGuard.new_cookie()
    a, b = (guard.new_token(cookie, "pesan", NOW) for _ in range(2))
    assert a != b and FormGuard.nonce(a) != FormGuard.nonce(b)


def test_the_cookie_is_read_only_when_well_formed_and_set_strict() -> None:
    """Our cookie among others is found; a malformed one is not; the header is Strict, HttpOnly."""
    value = FormGuard.new_cookie()
    assert cookie_value(f"theme=dark; {COOKIE}={value}; x=1") == value
    assert cookie_value(f"{COOKIE}=<script>") is None
    assert cookie_value(None) is None
    header = cookie_header(value, secure=True)
    assert header.startswith(f"{COOKIE}={value}; Path=/pesan;")
    assert "HttpOnly" in header and "SameSite=Strict" in header and header.endswith("; Secure")
    assert "Secure" not in cookie_header(value, secure=False)


@pytest.mark.parametrize(
    ("origin", "fetch_site", "allowed"),
    [
        ("https://antrean.mpp.go.id", "same-origin", True),
        ("https://ANTREAN.mpp.go.id/", None, True),
        (None, None, True),  # an old browser: the token alone decides
        ("https://evil.example", None, False),
        ("null", None, False),  # a sandboxed frame or a file:// page
        ("http://antrean.mpp.go.id", None, False),  # the same host without TLS
        (None, "cross-site", False),
        ("https://antrean.mpp.go.id", "cross-site", False),
    ],
)
def test_only_our_origin_may_post(
    origin: str | None, fetch_site: str | None, allowed: bool
) -> None:
    assert same_origin(origin, fetch_site, {"https://antrean.mpp.go.id"}) is allowed


# -- the rate limiter -------------------------------------------------------------------------


def test_twenty_a_minute_then_one_every_three_seconds() -> None:
    """20 a minute: 20 at once, the 21st waits 3 s; after 3 s one more, after 6 s two more."""
    limiter = RateLimiter(20)
    assert [limiter.allow("10.0.0.7", 100.0) for _ in range(20)] == [0] * 20
    assert limiter.allow("10.0.0.7", 100.0) == 3
    assert limiter.allow("10.0.0.8", 100.0) == 0  # another address has its own bucket
    assert limiter.allow("10.0.0.7", 103.0) == 0
    assert limiter.allow("10.0.0.7", 103.0) == 3
    assert [limiter.allow("10.0.0.7", 109.0) for _ in range(3)] == [0, 0, 3]


def test_a_refusal_counts_nothing_and_the_wait_shrinks() -> None:
    """Refused requests do not deepen the hole: the wait only shrinks with time."""
    limiter = RateLimiter(3)  # one every 20 s
    for _ in range(3):
        limiter.allow("a", 0.0)
    assert [limiter.allow("a", 0.0) for _ in range(5)] == [20] * 5
    assert limiter.allow("a", 15.0) == 5
    assert limiter.waiting("a", 15.0) == 5
    assert limiter.waiting("a", 20.0) == 0 and limiter.allow("a", 20.0) == 0


def test_memory_is_bounded() -> None:
    """Idle addresses whose bucket refilled are forgotten; past the cap, the longest idle go."""
    limiter = RateLimiter(60, max_addresses=100)
    for i in range(1000):
        limiter.allow(f"10.0.{i // 256}.{i % 256}", float(i) / 1000)
    assert len(limiter) == 100
    limiter.allow("192.0.2.1", 500.0)  # everything else is a minute idle: full again
    assert len(limiter) == 1


# -- who is asking ----------------------------------------------------------------------------


PROXY = TrustedProxies(["127.0.0.1", "10.1.0.0/16"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not our proxy: header ignored
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "1.2.3.4, 198.51.100.1", "198.51.100.1"),  # a forged left part ignored
        ("127.0.0.1", "198.51.100.1, 10.1.2.3", "198.51.100.1"),  # through two of ours
        ("127.0.0.1", "10.1.2.3", "10.1.2.3"),  # only proxies: the farthest
        ("127.0.0.1", "garbage, 198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "198.51.100.1, garbage", "127.0.0.1"),  # our proxy wrote no address
        ("127.0.0.1", None, "127.0.0.1"),
        ("::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1"),  # IPv4 on a dual-stack socket
    ],
)
def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(
    peer: str, forwarded: str | None, client: str
) -> None:
    assert client_address(peer, forwarded, PROXY) == client


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_address("127.0.0.1", "198.51.100.1", TrustedProxies()) == "127.0.0.1"


def test_a_live_edit_of_booking_settings_reaches_the_pages_guards() -> None:
    """[booking] edited live (issue 23): the Origin check takes the new public address, the
    rate its new budget (an address with 19 of 20 left holds 2 of 2), the proxies the new
    list."""
    import dataclasses
    from datetime import UTC, datetime

    from server.config import load_demo_building
    from server.web.booking.site import BookingSite

    building = load_demo_building()
    site = BookingSite(building, None, lambda: datetime.now(UTC),  # type: ignore[arg-type]
                       trusted_proxies=TrustedProxies(), monotonic=lambda: 0.0)  # fmt: skip
    assert site.limiter.allow("203.0.113.9", 0.0) == 0  # one of 20 spent
    booking = dataclasses.replace(
        building.booking,
        public_url="https://antrean.contoh.go.id/",
        requests_per_minute=2,
        trusted_proxies=("10.0.0.1",),
    )
    site.set_building(dataclasses.replace(building, booking=booking))
    assert site.origins == {"https://antrean.contoh.go.id"}
    assert "10.0.0.1" in site.trusted
    assert site.limiter.allow("203.0.113.9", 0.0) == 0  # 1 of 2
    assert site.limiter.allow("203.0.113.9", 0.0) == 0  # 2 of 2
    assert site.limiter.allow("203.0.113.9", 0.0) == 30  # then one every 30 s
