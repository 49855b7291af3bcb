"""What the booking tests share: a citizen's browser without a browser, NIKs, the demo's slots.

`Citizen` speaks plain HTTP to a real server as a browser does: it keeps the form cookie it was
given, reads each form's hidden `csrf` token, and sends a POST with this site's Origin. The
tests that need a real browser use Chromium (test_booking_browser.py); these see the bytes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from hubtest import Server
from webtest import http_request

__all__ = ["NIKS", "TUESDAY", "Answer", "Citizen", "book", "csrf_of", "text_of"]

# NIKs checked by hand against the layout (DOMAIN.md §9): province, regency, district, DDMMYY
# (women +40), serial. 32 = Jawa Barat, 35 = Jawa Timur, 73 = Sulawesi Selatan.
NIKS = (
    "3273014101800002",  # a woman born 1 January 1980
    "3273010101900001",  # a man born 1 January 1990
    "3578105506850003",  # a woman born 15 June 1985
    "7371012512700004",  # a man born 25 December 1970
    "3273011707950005",  # a man born 17 July 1995
    "3578104203880006",  # a woman born 2 March 1988
    "3273012808600007",  # a man born 28 August 1960
)
# The day after the test clock's Monday (2026-11-23 09:00 WIB): every slot of it is open.
TUESDAY = "2026-11-24"
ORIGIN = "http://antre"  # what a browser sends for a page of http://antre (webtest's Host)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


def csrf_of(page: str) -> str:
    """The first form's hidden csrf token on a page."""
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "no form token on the page"
    return html.unescape(match.group(1))


def text_of(page: str, element_id: str) -> str:
    """The text of the element with this id (tags removed, entities read)."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:p|div|dd|span|a|h1)>', page, re.S)
    assert match, f"no #{element_id} on the page"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


class Citizen:
    """One browser: its cookie kept across requests."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.cookie: str | None = None

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        return headers | (extra or {})

    def _keep(self, headers: dict[str, str]) -> None:
        if "set-cookie" in headers:
            self.cookie = headers["set-cookie"].split(";")[0]

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        status, got, body = await http_request(self.server, "GET", path, self._headers(headers))
        self._keep(got)
        return Answer(status, got, body.decode("utf-8"))

    async def post(
        self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None
    ) -> Answer:
        sent = {"Origin": ORIGIN, "Content-Type": "application/x-www-form-urlencoded"}
        body = urlencode(fields).encode()
        status, got, raw = await http_request(
            self.server, "POST", path, self._headers(sent | (headers or {})), body
        )
        self._keep(got)
        return Answer(status, got, raw.decode("utf-8"))


async def book(
    citizen: Citizen,
    *,
    line: str = "A",
    day: str = TUESDAY,
    slot: str = "09:00",
    name: str = "Siti Rahmawati",
    nik: str = NIKS[0],
    phone: str = "0812 3456 7890",
    priority: str = "",
    lang: str = "",
) -> Answer:
    """Open the form of a slot and send it filled in, as a citizen does."""
    query = {"layanan": line, "tanggal": day, "jam": slot} | ({"lang": lang} if lang else {})
    form = await citizen.get("/pesan?" + urlencode(query))
    assert form.status == 200, form.text
    fields = {
        "csrf": csrf_of(form.text),
        "layanan": line,
        "tanggal": day,
        "jam": slot,
        "lang": lang or "id",
        "nama": name,
        "nik": nik,
        "hp": phone,
    }
    if priority:
        fields["prioritas"] = priority
    return await citizen.post("/pesan", fields)
