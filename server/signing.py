"""How a building signs what it sends out, and how a receiver checks it (issue 21).

One scheme for both kinds of destination — an integrator's webhook and a central server — so a
receiver in any language needs a few lines (docs/protocol.md, "Signed deliveries"):

    Antre-Building:  mpp-kota-contoh
    Antre-Timestamp: 1795409400                       (Unix seconds when the request was signed)
    Antre-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body bytes>")>

The timestamp is inside the signed text, so an old request replayed with a fresh timestamp does
not verify, and a receiver refuses a timestamp more than `TOLERANCE_S` from its own clock, so a
captured request cannot be replayed later. Several `v1=` values may be given, comma-separated
(a sender rolling its secret over signs with both); one that verifies is enough.

Pure: no clock, no I/O. The global id of an event, `<building>:<seq>`, is what a receiver keeps
unique: the same event delivered twice is the same id.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "BUILDING_HEADER",
    "BUILDING_ID_RE",
    "SCHEME",
    "SECRET_MIN_BYTES",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "TOLERANCE_S",
    "Refusal",
    "event_id",
    "signature",
    "signature_header",
    "verify",
]

BUILDING_HEADER: Final = "Antre-Building"
TIMESTAMP_HEADER: Final = "Antre-Timestamp"
SIGNATURE_HEADER: Final = "Antre-Signature"
SCHEME: Final = "v1"
TOLERANCE_S: Final = 300  # how far a request's timestamp may be from the receiver's clock
SECRET_MIN_BYTES: Final = 32  # a shared secret shorter than this is refused by the config
# A building's id: lowercase letters, digits and hyphens, as in "mpp-kota-contoh" (URL- and
# header-safe, and what central's tables key on).
BUILDING_ID_RE: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
_TIMESTAMP_RE: Final = re.compile(r"[0-9]{1,12}")
_HEX64_RE: Final = re.compile(r"[0-9a-f]{64}")


def event_id(building: str, seq: int) -> str:
    """The global id of a building's event: "mpp-kota-contoh:1201"."""
    return f"{building}:{seq}"


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under the shared secret."""
    return hmac.new(
        secret, str(timestamp).encode("ascii") + b"." + body, hashlib.sha256
    ).hexdigest()


def signature_header(secrets: tuple[bytes, ...] | bytes, timestamp: int, body: bytes) -> str:
    """The `Antre-Signature` value: "v1=<hex>", one per secret when rolling a secret over."""
    keys = (secrets,) if isinstance(secrets, bytes) else secrets
    return ",".join(f"{SCHEME}={signature(k, timestamp, body)}" for k in keys)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a delivery was refused: a code for the sender's log and the receiver's answer."""

    code: str  # "missing_header", "bad_timestamp", "stale_timestamp", "bad_signature"
    message: str  # English: it is read in a log, not by a citizen


def verify(
    secret: bytes,
    timestamp_header: str | None,
    signature_value: str | None,
    body: bytes,
    now: float,
    tolerance_s: int = TOLERANCE_S,
) -> Refusal | None:
    """None when the request is signed with `secret` within `tolerance_s` of `now`; else why not.

    Compares in constant time. Never raises, whatever the headers hold.
    """
    if not timestamp_header or not signature_value:
        return Refusal("missing_header", f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are required")
    stamp = timestamp_header.strip()
    if not _TIMESTAMP_RE.fullmatch(stamp):
        return Refusal("bad_timestamp", f"{TIMESTAMP_HEADER} must be whole Unix seconds")
    timestamp = int(stamp)
    if abs(now - timestamp) > tolerance_s:
        return Refusal(
            "stale_timestamp",
            f"{TIMESTAMP_HEADER} is {int(now - timestamp)} s from the receiver's clock "
            f"(at most {tolerance_s} s)",
        )
    expected = signature(secret, timestamp, body).encode("ascii")
    verified = False
    for part in signature_value.split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME and _HEX64_RE.fullmatch(value):
            # Every candidate is compared, so the time taken does not say which one matched.
            verified |= hmac.compare_digest(value.encode("ascii"), expected)
    if not verified:
        return Refusal("bad_signature", f"no {SCHEME} signature verifies with this building's key")
    return None
