"""How often one address may ask the public booking paths, and which address is asking.

`RateLimiter` is a token bucket per client address: `per_minute` requests at once, then one more
each `60 / per_minute` seconds (`[booking] requests_per_minute`). A refusal says after how many
seconds the next request is allowed (the 429 page and its Retry-After). Pure: the time, in
seconds of a monotonic clock, is passed in; memory is bounded (an address whose bucket is full
again is forgotten, and past `max_addresses` the longest-idle ones are dropped first).

`client_address`: the peer's address, unless the peer is one of the building's trusted reverse
proxies (`[booking] trusted_proxies`), whose `X-Forwarded-For` then names the client: read from
the right, the first address that is not a trusted proxy. Anyone can write an X-Forwarded-For;
only a proxy we trust appends the address it saw, so a header from anyone else is ignored.
"""

from __future__ import annotations

import ipaddress
import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

__all__ = ["RateLimiter", "TrustedProxies", "client_address"]

_MAX_ADDRESSES: Final = 50_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float  # when `tokens` was counted


class RateLimiter:
    """A token bucket per address; `allow` answers 0 (go ahead) or the seconds to wait."""

    def __init__(self, per_minute: int, max_addresses: int = _MAX_ADDRESSES) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.burst = float(per_minute)  # a full bucket: a whole minute's requests at once
        self.rate_per_s = per_minute / 60.0
        self.max_addresses = max_addresses
        # Least recently asked first: the ones to forget when the table is full.
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def allow(self, address: str, now: float) -> int:
        """0 if `address` may make this request now (and count it), else whole seconds to wait."""
        bucket = self._buckets.pop(address, None)
        if bucket is None:
            bucket = _Bucket(self.burst, now)
        else:
            elapsed = max(0.0, now - bucket.at)
            bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.rate_per_s)
            bucket.at = now
        self._buckets[address] = bucket  # now the most recent
        self._forget(now)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0
        return max(1, math.ceil((1.0 - bucket.tokens) / self.rate_per_s))

    def waiting(self, address: str, now: float) -> int:
        """Whole seconds until `address` may make a request (0: now), counting nothing."""
        bucket = self._buckets.get(address)
        if bucket is None:
            return 0
        tokens = min(self.burst, bucket.tokens + max(0.0, now - bucket.at) * self.rate_per_s)
        return 0 if tokens >= 1.0 else max(1, math.ceil((1.0 - tokens) / self.rate_per_s))

    def _forget(self, now: float) -> None:
        # The oldest entries first: one whose bucket has refilled meanwhile is as good as new.
        full_after = self.burst / self.rate_per_s
        while self._buckets:
            address, oldest = next(iter(self._buckets.items()))
            if len(self._buckets) <= self.max_addresses and now - oldest.at < full_after:
                break
            del self._buckets[address]

    def set_rate(self, per_minute: int) -> None:
        """A live building edit's new rate (issue 23); no address holds more than the new
        burst."""
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.burst = float(per_minute)
        self.rate_per_s = per_minute / 60.0
        for bucket in self._buckets.values():  # a lowered rate holds from now on
            bucket.tokens = min(bucket.tokens, self.burst)

    def __len__(self) -> int:
        return len(self._buckets)


def origins_of(public_url: str | None) -> set[str]:
    """The Origin a browser sends with the pages' own POSTs: the public address's."""
    if not public_url:
        return set()
    parts = urlsplit(public_url)
    return {f"{parts.scheme}://{parts.netloc}".lower()}


class TrustedProxies:
    """The reverse proxies whose X-Forwarded-For is believed: addresses or networks."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.networks = tuple(ipaddress.ip_network(e, strict=False) for e in entries)

    def set(self, entries: Iterable[str]) -> None:
        """A live building edit's proxies (issue 23), for every part sharing this object."""
        self.networks = tuple(ipaddress.ip_network(e, strict=False) for e in entries)

    def __contains__(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in net for net in self.networks)

    def __bool__(self) -> bool:
        return bool(self.networks)


def client_address(peer: str, forwarded_for: str | None, trusted: TrustedProxies) -> str:
    """Who is asking: the peer, or, behind a trusted proxy, the nearest untrusted X-Forwarded-For
    address (an address that does not parse ends the walk: the proxy's peer is used)."""
    if peer not in trusted or not forwarded_for:
        return peer
    client = peer
    for entry in reversed(forwarded_for.split(",")):
        candidate = entry.strip()
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            return client
        client = candidate
        if candidate not in trusted:
            return candidate
    return client
