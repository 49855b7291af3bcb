"""Forms that only this site can submit: a per-form token bound to a cookie, and the Origin.

Theory of operation. A browser that opens a booking form gets a cookie (`antre_form`, random,
HttpOnly, SameSite=Strict, path /pesan) unless it sent a valid one. Each form carries a hidden
token: `<issued minute>.<nonce>.<mac>`, the mac an HMAC-SHA256 under the server's key of the
cookie's value, the form's purpose ("book", "cancel:<page token>"…), the minute and the nonce. A
POST is accepted only when its token's mac is the one its own cookie gives for that purpose
(compared with `hmac.compare_digest`), the token is younger than `MAX_AGE_S`, and the request's
`Origin` (when the browser sends one: every current browser does on a POST) is this site's and
`Sec-Fetch-Site` (when sent) does not say "cross-site". Another site can make a browser POST here
but cannot read our cookie or a page of ours to learn a token: SameSite=Strict keeps the cookie
from its request anyway, the token makes it fail even where SameSite is not honoured.

The key is made at each start (`secrets`): a restart turns the forms open in browsers into
"halaman kedaluwarsa", asked again with one tap, and keeps no secret on disk. The nonce makes every
form's token different (the booking form's also serves as the request id that makes a double
submission one booking: server/web/booking/site.py).

Pure apart from `new_key`, `new_cookie` and `new_token`'s randomness; the time is passed in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Final

__all__ = [
    "COOKIE",
    "MAX_AGE_S",
    "FormGuard",
    "cookie_header",
    "cookie_value",
    "same_origin",
]

COOKIE: Final = "antre_form"
MAX_AGE_S: Final = 2 * 3600  # a form left open longer is asked again
_COOKIE_RE: Final = re.compile(r"[A-Za-z0-9_-]{22}")
_TOKEN_RE: Final = re.compile(r"(\d{1,12})\.([A-Za-z0-9_-]{16})\.([0-9a-f]{64})")


def cookie_value(header: str | None) -> str | None:
    """Our form cookie's value from a Cookie header, when it has a well-formed one."""
    for part in (header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and _COOKIE_RE.fullmatch(value):
            return value
    return None


def cookie_header(value: str, *, secure: bool, path: str = "/pesan") -> str:
    """The Set-Cookie value: script cannot read it, no other site's request carries it. `path`:
    the pages whose forms it guards (the survey's and complaints' use their own: issue 20)."""
    flags = "; Secure" if secure else ""
    return (
        f"{COOKIE}={value}; Path={path}; Max-Age={MAX_AGE_S * 6}; HttpOnly; SameSite=Strict{flags}"
    )


@dataclass(frozen=True, slots=True)
class FormGuard:
    """Makes and checks form tokens under one key (one per server start)."""

    key: bytes

    @classmethod
    def new(cls) -> FormGuard:
        return cls(secrets.token_bytes(32))

    @staticmethod
    def new_cookie() -> str:
        return secrets.token_urlsafe(16)

    def _mac(self, cookie: str, purpose: str, minute: int, nonce: str) -> str:
        message = f"{cookie}\n{purpose}\n{minute}\n{nonce}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def new_token(self, cookie: str, purpose: str, now_s: float) -> str:
        """A fresh token for one form of `purpose`, bound to the browser's cookie."""
        minute = int(now_s // 60)
        nonce = secrets.token_urlsafe(12)
        return f"{minute}.{nonce}.{self._mac(cookie, purpose, minute, nonce)}"

    def check(self, token: str | None, cookie: str | None, purpose: str, now_s: float) -> bool:
        """Whether `token` was made by this server for this cookie and purpose, not too long ago."""
        if not token or not cookie:
            return False
        match = _TOKEN_RE.fullmatch(token)
        if match is None:
            return False
        minute, nonce, mac = int(match.group(1)), match.group(2), match.group(3)
        age_s = now_s - minute * 60
        if not -60 <= age_s <= MAX_AGE_S:
            return False
        return hmac.compare_digest(mac, self._mac(cookie, purpose, minute, nonce))

    @staticmethod
    def nonce(token: str) -> str:
        """The token's nonce: unique per form shown (a request id for its one submission)."""
        return token.split(".")[1]


def same_origin(origin: str | None, fetch_site: str | None, own: set[str]) -> bool:
    """Whether a POST's Origin and Sec-Fetch-Site allow it: absent headers are allowed (an old
    browser; the token still holds), "null" or another origin is not, nor a cross-site fetch."""
    if fetch_site is not None and fetch_site.strip().lower() == "cross-site":
        return False
    if origin is None:
        return True
    return origin.strip().rstrip("/").lower() in own
