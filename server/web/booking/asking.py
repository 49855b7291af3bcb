"""One request to the booking pages, as they read it: the language, the query, the form, the
cookie, who asks and from which origin; and the few small readers it is made of.

Behind a trusted reverse proxy (limits.py) the client is the address it forwards and the request
came over HTTPS when it says so; from anyone else those headers are ignored.
"""

from __future__ import annotations

import re
from datetime import date, time
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Final
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from server.web.booking.csrf import FormGuard, cookie_value
from server.web.booking.limits import TrustedProxies, client_address
from server.web.booking.texts import Lang
from server.web.request_body import body_of
from server.web.responses import response

__all__ = [
    "LINE_RE",
    "TOKEN_RE",
    "Asking",
    "max_fields_for",
    "read_day",
    "read_form",
    "read_lists",
    "read_slot",
    "stylesheet",
]

TOKEN_RE: Final = re.compile(r"[A-Za-z0-9_-]{16,64}")  # a booking's page token
LINE_RE: Final = re.compile(r"[A-Z][A-Z0-9]{0,7}")  # a line's prefix
_SLOT_RE: Final = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
# A booking form's fields: a single booking's 8, a visit's 9 plus one `layanan` per stop. The
# site adds the building's `visit_max_stops` (`max_fields_for`): a visit at the configured
# maximum must never read as "not a form", whatever that maximum becomes.
_MAX_FIELDS: Final = 16


def max_fields_for(visit_max_stops: int) -> int:
    """The fields a booking page's form or query may have in a building whose visits hold at
    most `visit_max_stops` services."""
    return _MAX_FIELDS + visit_max_stops


_STYLESHEET: Final = Path(__file__).resolve().parent.parent / "static" / "booking.css"


@cache
def _stylesheet_bytes() -> bytes:
    return _STYLESHEET.read_bytes()


def stylesheet() -> Response:
    """/static/booking.css: the pages' only asset (they load no script)."""
    return response(HTTPStatus.OK, _stylesheet_bytes(), "text/css; charset=utf-8")


def read_form(body: bytes, max_fields: int = _MAX_FIELDS) -> dict[str, str] | None:
    """An urlencoded form's first value of each field, or None when it is not one."""
    try:
        text = body.decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=max_fields)
    except (UnicodeDecodeError, ValueError):
        return None
    return {k: v[0] for k, v in fields.items()}


def read_lists(text: str, max_fields: int = _MAX_FIELDS) -> dict[str, list[str]]:
    """Every value of each field of a query or urlencoded form, in order (a visit's services
    are one `layanan` per service); empty for anything unreadable."""
    try:
        return parse_qs(text, keep_blank_values=True, max_num_fields=max_fields)
    except ValueError:
        return {}


def _query(path: str, max_fields: int = _MAX_FIELDS) -> dict[str, str]:
    try:
        fields = parse_qs(urlsplit(path).query, max_num_fields=max_fields)
    except ValueError:
        return {}
    return {k: v[0] for k, v in fields.items()}


def read_day(text: str | None) -> date | None:
    """ "2026-11-24" as a date; None for anything else."""
    try:
        return date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        return None


def read_slot(text: str | None) -> time | None:
    """ "09:00" as a time; None for anything else."""
    match = _SLOT_RE.fullmatch(text or "")
    return time(int(match.group(1)), int(match.group(2))) if match else None


class Asking:
    """One request as the booking pages read it."""

    def __init__(
        self,
        connection: ServerConnection,
        request: Request,
        trusted: TrustedProxies,
        public_origins: set[str],
        *,
        max_fields: int = _MAX_FIELDS,  # the survey's form has more (issue 20)
    ) -> None:
        headers = request.headers
        self.path = request.path.partition("?")[0]
        self.query = _query(request.path, max_fields)
        self.query_lists = read_lists(urlsplit(request.path).query, max_fields)
        self.method = request.method
        peer = connection.remote_address[0] if connection.remote_address else ""
        self.client = client_address(peer, headers.get("X-Forwarded-For"), trusted)
        self.https = peer in trusted and headers.get("X-Forwarded-Proto", "").lower() == "https"
        self.host = headers.get("Host", "")
        # This site's origins: the public address, and the one this request was sent to.
        own = f"{'https' if self.https else 'http'}://{self.host}".lower()
        self.origins = {own} | public_origins
        self.origin = headers.get("Origin")
        self.fetch_site = headers.get("Sec-Fetch-Site")
        self.cookie = cookie_value(headers.get("Cookie"))
        self.new_cookie: str | None = None  # set with the answer when a form needed one
        self.body = body_of(connection)
        self.body_too_large = bool(getattr(connection, "body_too_large", False))
        self.form = read_form(self.body, max_fields) if self.body is not None else None
        self.form_lists: dict[str, list[str]] = {}
        if self.form is not None and self.body is not None:
            self.form_lists = read_lists(self.body.decode("utf-8"), max_fields)
        self.lang = Lang.of((self.form or {}).get("lang") or self.query.get("lang"))

    def form_cookie(self, guard: FormGuard) -> str:
        """The browser's form cookie, or a new one to set with this answer."""
        if self.cookie is None:
            self.new_cookie = self.cookie = guard.new_cookie()
        return self.cookie
