"""The citizen's phone page (/t/<token>) in a real browser: Debian's Chromium, headless.

A real server (demo building, fake clock) on a free port; the page opened as a phone that scanned
the ticket's QR code would open it; an officer's client calls. The page must show the number, the
state and the people ahead, then "Nomor Anda dipanggil — Silakan menuju Loket 5" when the number
is called — live over the websocket (role `ticket`), under the page's own Content-Security-Policy.
What the `ticket` role may see at the protocol level is tested in tests/hub/test_ticket_role.py.
A screenshot goes to test-artifacts/phone-called.png (git-ignored).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chromium import ARTIFACTS, needs_chromium
from hubtest import FakeClock, Server, StartServer

pytestmark = needs_chromium
PHONE = {"width": 390, "height": 844}


class Phone:
    """One phone's page and what went wrong on it (console errors, CSP violations)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.failed: list[str] = []  # URLs answered 4xx/5xx (the browser's own favicon aside)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # A failed load is reported by URL in `failed`; a stopped server's socket is expected.
        text = message.text
        expected = text.startswith("Failed to load resource") or "WebSocket" in text
        if message.type == "error" and not expected:
            self.errors.append(text)

    def _response(self, response: Any) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed.append(f"{response.status} {response.url}")

    async def wait_js(self, expression: str, timeout_s: float = 15) -> None:
        # A function, not a string: the page's CSP forbids eval.
        await self.page.wait_for_function(f"() => ({expression})", timeout=timeout_s * 1000)

    async def wait_text(self, selector: str, text: str, timeout_s: float = 15) -> None:
        """Poll until the element's text contains `text` (no timed assertion)."""
        sel, want = json.dumps(selector), json.dumps(text)
        await self.wait_js(
            f"document.querySelector({sel}) "
            f"&& document.querySelector({sel}).textContent.includes({want})",
            timeout_s,
        )

    async def text(self, selector: str) -> str:
        return (await self.page.text_content(selector)) or ""


async def open_phone(browser: Any, url: str, *, javascript: bool = True) -> Phone:
    context = await browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    phone = Phone(await context.new_page())
    await phone.page.goto(url)
    return phone


async def queue_tickets(server: Server, line: str, n: int) -> list[dict[str, Any]]:
    kiosk = await server.client("KIOSK-1")
    tickets = []
    for _ in range(n):
        t = await kiosk.issue_ticket(line)
        await kiosk.confirm_printed(t["id"])
        tickets.append(t)
    return tickets


async def test_the_page_follows_the_queue_and_says_when_the_number_is_called(
    server: Server, browser: Any, clock: FakeClock
) -> None:
    """Waiting with one ahead → none ahead → "Silakan menuju Loket 5" (the demo building warns
    from 3 ahead, so the few-ahead banner is up from the start: tests/web/test_phone_alerts.py)."""
    officer = await server.officer_at_work("DKP01@L05")
    tickets = await queue_tickets(server, "C", 3)
    mine = tickets[1]
    phone = await open_phone(browser, f"{server.running.http_url}/t/{mine['token']}")
    await phone.wait_js("window.antreTicket && window.antreTicket.connected")
    assert await phone.text("#number") == "C-002"
    assert "menunggu" in (await phone.text("#state")).lower()
    assert await phone.text("#ahead") == "1 orang"
    assert "menit" in await phone.text("#wait")
    assert await phone.text("#alert-text") == (
        "Tinggal 1 orang di depan Anda. Segera kembali ke ruang tunggu."
    )

    clock.advance(5)
    await officer.act("call_next")  # C-001: the one ahead
    await phone.wait_text("#ahead", "0 orang")
    assert await phone.text("#alert-text") == "Anda berikutnya. Segera kembali ke ruang tunggu."

    await officer.act("no_show")
    clock.advance(5)
    assert (await officer.act("call_next"))["ticket"]["number"] == "C-002"
    await phone.wait_text("#alert-text", "Silakan menuju Loket 5")
    assert await phone.text("#alert-title") == "Nomor Anda dipanggil"
    assert await phone.page.is_visible("#alert")
    assert "dipanggil" in (await phone.text("#state")).lower()
    assert await phone.page.is_hidden("#ahead-row")
    ARTIFACTS.mkdir(exist_ok=True)
    await phone.page.screenshot(path=str(ARTIFACTS / "phone-called.png"), full_page=True)

    await officer.act("start_service")
    await phone.wait_text("#state", "Sedang dilayani")
    assert await phone.page.is_hidden("#alert")
    # Nothing of anyone else, no token in the document, no script error or CSP violation.
    content = await phone.page.content()
    assert "C-001" not in content and "C-003" not in content
    assert mine["token"] not in content
    assert phone.errors == [] and phone.failed == []


# What the page of a regular ticket says once a priority citizen went ahead of it (issue 18),
# in the building's own words: the demo building keeps the default promise (25 %, the guard on).
PRIORITY_NOTE = (
    "1 warga prioritas (lansia, penyandang disabilitas, ibu hamil, atau yang membawa balita) "
    "dilayani lebih dulu sesuai UU 25/2009; giliran Anda tertunda paling lama seperempat waktu "
    "tunggu Anda atau sepanjang layanan satu warga prioritas, mana yang lebih lama."
)


async def test_a_regular_ticket_is_told_who_went_ahead_of_it_and_why(
    server: Server, browser: Any, clock: FakeClock
) -> None:
    """C-001 waits; priority C-002 comes; Loket 5 calls C-002 first (the ratio's turn, a first
    overtaking the guard allows). C-001's page then says, live, that one priority citizen went
    ahead under UU 25/2009 and how long its turn may be delayed — and names nobody: not C-002,
    not its group. The priority ticket's own page says nothing of the kind; without JavaScript
    the server's render says the same."""
    officer = await server.officer_at_work("DKP01@L05")
    (mine,) = await queue_tickets(server, "C", 1)
    kiosk = await server.client("KIOSK-1")
    theirs = await kiosk.issue_ticket("C", "lansia")
    await kiosk.confirm_printed(theirs["id"])
    phone = await open_phone(browser, f"{server.running.http_url}/t/{mine['token']}")
    await phone.wait_js("window.antreTicket && window.antreTicket.connected")
    assert await phone.page.is_hidden("#priority-note")

    clock.advance(5)
    called = await officer.act("call_next")
    assert called["ticket"]["number"] == "C-002"
    await phone.wait_text("#priority-note", "1 warga prioritas")
    assert await phone.text("#priority-note") == PRIORITY_NOTE
    assert await phone.page.is_visible("#priority-note")
    assert await phone.text("#ahead") == "0 orang"
    content = await phone.page.content()
    assert "C-002" not in content and "lansia," in content  # the groups, not the person
    ARTIFACTS.mkdir(exist_ok=True)
    await phone.page.screenshot(path=str(ARTIFACTS / "phone-priority-note.png"), full_page=True)

    plain = await open_phone(
        browser, f"{server.running.http_url}/t/{mine['token']}", javascript=False
    )
    assert await plain.text("#priority-note") == PRIORITY_NOTE
    other = await open_phone(browser, f"{server.running.http_url}/t/{theirs['token']}")
    await other.wait_js("window.antreTicket && window.antreTicket.connected")
    assert await other.page.is_hidden("#priority-note")
    assert await other.text("#priority-note") == ""
    assert phone.errors == [] and phone.failed == [] and other.errors == []


async def test_the_page_rides_out_a_restart_and_shows_the_call_it_missed(
    start_server: StartServer, browser: Any, tmp_path: Path, clock: FakeClock
) -> None:
    """Server down: the page says it is reconnecting; back, it shows the call made meanwhile."""
    db = str(tmp_path / "phone.db")
    server = await start_server(db=db)
    port = server.running.port
    (mine,) = await queue_tickets(server, "C", 1)
    phone = await open_phone(browser, f"{server.running.http_url}/t/{mine['token']}")
    await phone.wait_js("window.antreTicket && window.antreTicket.connected")
    await start_server.stop(server)  # type: ignore[attr-defined]
    await phone.wait_text("#status", "menyambung ulang")
    assert await phone.text("#number") == "C-001"  # the last picture stays
    second = await start_server(port=port, db=db)
    officer = await second.officer_at_work("DKP01@L05")
    clock.advance(5)
    await officer.act("call_next")
    await phone.wait_text("#alert-text", "Silakan menuju Loket 5", timeout_s=30)
    await phone.wait_js("window.antreTicket.syncs >= 2")
    assert phone.errors == [] and phone.failed == []


async def test_without_javascript_the_page_is_still_right(server: Server, browser: Any) -> None:
    """No script: the server's own render shows the ticket and reloads itself every 20 s."""
    await server.officer_at_work("DKP01@L05")
    tickets = await queue_tickets(server, "C", 2)
    url = f"{server.running.http_url}/t/{tickets[1]['token']}"
    phone = await open_phone(browser, url, javascript=False)
    assert await phone.text("#number") == "C-002"
    assert "Menunggu" in await phone.text("#state")
    assert await phone.text("#ahead") == "1 orang"
    assert "setiap 20 detik" in await phone.text("#status")
    assert 'http-equiv="refresh"' in await phone.page.content()


async def test_an_unknown_token_gets_the_plain_404_page(server: Server, browser: Any) -> None:
    """A token that is not today's: a plain page saying so, no error trace."""
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    response = await page.goto(f"{server.running.http_url}/t/no-such-ticket-token")
    assert response is not None and response.status == 404
    body = (await page.text_content("body")) or ""
    assert "Nomor antrean tidak ditemukan" in body
    assert "Traceback" not in body
