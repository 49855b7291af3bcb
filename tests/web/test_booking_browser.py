"""Booking a slot in a real browser: Debian's Chromium, headless, on a phone-sized screen.

A real server (demo building, fake clock at Monday 23 November 2026 09:00 WIB) on a free port.
A citizen taps through the steps as on a phone — service, date, time — fills in the form and
reads the booking's own page: the code, a QR a scanner reads back (tests/web/qr_read.py), what to
bring. The same in English; with markup typed as a name; moving and cancelling from the page;
and a form on another site that tries to post to ours. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from chromium import ARTIFACTS, needs_chromium
from hubtest import Server
from qr_read import modules_of_svg, read_qr
from web_booking_kit import NIKS, TUESDAY

from server.core.booking_code import CODE_ALPHABET

pytestmark = needs_chromium
PHONE = {"width": 390, "height": 844}
CODE_SHOWN = re.compile(f"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}")


class Phone:
    """A phone's browser tab, and what went wrong on it (script errors, failed loads, dialogs)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.dialogs: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", self._console)
        page.on("dialog", self._dialog)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # A failed load is reported by URL in `failed` (the browser's own favicon aside).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    async def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()

    def _response(self, response: Any) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed.append(f"{response.status} {response.url}")

    async def tap(self, text: str) -> None:
        """Tap the link or button that says `text`, and wait for the next page."""
        async with self.page.expect_navigation():
            await self.page.locator("a, button").filter(has_text=text).first.click()

    async def text(self, selector: str) -> str:
        return ((await self.page.text_content(selector)) or "").strip()


async def open_phone(browser: Any, url: str, *, javascript: bool = True) -> Phone:
    context = await browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    phone = Phone(await context.new_page())
    await phone.page.goto(url)
    return phone


async def fill_and_book(phone: Phone, name: str, nik: str, hp: str, submit: str) -> None:
    await phone.page.fill("#nama", name)
    await phone.page.fill("#nik", nik)
    await phone.page.fill("#hp", hp)
    await phone.tap(submit)


async def shown_qr(phone: Phone) -> str:
    svg = await phone.page.inner_html("#qr")
    return read_qr(modules_of_svg(svg))


async def test_a_citizen_books_a_slot_in_indonesian_without_javascript(
    server: Server, browser: Any
) -> None:
    """Scripts off (the pages need none): tap KTP-el, Tuesday, 09.00, fill in, "Pesan
    sekarang" → the code shown as XXXX-XXXX, a QR a scanner reads as ANTRE:<code>, the check-in
    window, the documents; every target at least 48 px tall."""
    phone = await open_phone(browser, f"{server.running.http_url}/pesan", javascript=False)
    assert await phone.text("h1") == "Pilih layanan"
    heights = await phone.page.eval_on_selector_all(
        "a.choice", "links => links.map(a => a.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 48
    await phone.tap("Perekaman dan Cetak KTP-el")
    assert await phone.text("h1") == "Pilih tanggal"
    await phone.tap("Selasa, 24 November 2026")
    assert await phone.text("h1") == "Pilih jam"
    await phone.tap("09.00–09.30 WIB")
    assert await phone.text("h1") == "Data pemesan"
    await fill_and_book(phone, "Siti Rahmawati", NIKS[0], "0812 3456 7890", "Pesan sekarang")
    assert await phone.text("h1") == "Pesanan Anda"
    assert await phone.text("#notice") == "Pesanan berhasil dibuat."
    code = await phone.text("#code")
    assert CODE_SHOWN.fullmatch(code)
    assert await shown_qr(phone) == "ANTRE:" + code.replace("-", "")
    assert "08.30 WIB dan 09.15 WIB" in await phone.text("#check-in")
    assert await phone.text("#documents") == (
        "Kartu Keluarga asli; KTP-el lama bila mengganti yang rusak."
    )
    assert "•••• •••• •••• 0002" in await phone.text("dl.summary")
    assert NIKS[0] not in await phone.page.content()
    assert re.search(r"/pesan/[A-Za-z0-9_-]{22}\?baru=1$", phone.page.url)
    (made,) = server.engine.state.bookings.by_code.values()
    assert made.code == code.replace("-", "") and made.slot.strftime("%H:%M") == "09:00"
    ARTIFACTS.mkdir(exist_ok=True)
    await phone.page.screenshot(path=str(ARTIFACTS / "booking-made.png"), full_page=True)
    assert phone.errors == [] and phone.failed == []


async def test_a_citizen_books_in_english_and_the_language_stays(
    server: Server, browser: Any
) -> None:
    """ "English" on the first page: every step after it in English, the booking's page too."""
    phone = await open_phone(browser, f"{server.running.http_url}/pesan")
    await phone.tap("English")
    assert await phone.text("h1") == "Choose a service"
    await phone.tap("Perekaman dan Cetak KTP-el")
    assert await phone.text("h1") == "Choose a date"
    await phone.tap("Tuesday, 24 November 2026")
    assert await phone.text("h1") == "Choose a time"
    await phone.tap("09.30–10.00 WIB")
    assert await phone.text("h1") == "Your details"
    await fill_and_book(phone, "John Lim", NIKS[1], "+62 813 1111 2222", "Book now")
    assert await phone.text("h1") == "Your booking"
    assert await phone.text("#notice") == "Your booking is made."
    code = await phone.text("#code")
    assert await shown_qr(phone) == "ANTRE:" + code.replace("-", "")
    assert await phone.page.get_attribute("html", "lang") == "en"
    assert await phone.text("#lang") == "Bahasa Indonesia"
    ARTIFACTS.mkdir(exist_ok=True)
    await phone.page.screenshot(path=str(ARTIFACTS / "booking-made-en.png"), full_page=True)
    assert phone.errors == [] and phone.failed == []


INJECTIONS = [
    "<script>window.pwned = 1; alert('x')</script>",
    '"><img src=x onerror="window.pwned = 1; alert(1)">',
]


@pytest.mark.parametrize("name", INJECTIONS, ids=["script", "img-onerror"])
async def test_markup_typed_as_a_name_is_shown_as_text(
    server: Server, browser: Any, name: str
) -> None:
    """The booking's page shows the name exactly as typed: no script runs, no dialog, no
    element made of it — on the page, and again after a refused form that keeps it."""
    url = f"{server.running.http_url}/pesan?layanan=A&tanggal={TUESDAY}&jam=10:00"
    phone = await open_phone(browser, url)
    await fill_and_book(phone, name, "1234", "0812 3456 7890", "Pesan sekarang")
    assert await phone.page.input_value("#nama") == name  # kept, as text, after the refusal
    await phone.page.fill("#nik", NIKS[2])
    await phone.tap("Pesan sekarang")
    assert await phone.text("h1") == "Pesanan Anda"
    held = await phone.page.eval_on_selector_all(
        "dl.summary div",
        "rows => rows.map(r => [r.querySelector('dt').textContent, "
        "r.querySelector('dd').textContent])",
    )
    assert ["Nama", name] in held
    assert await phone.page.evaluate("() => window.pwned") is None
    assert await phone.page.eval_on_selector_all("main img, main script", "e => e.length") == 0
    assert phone.dialogs == [] and phone.errors == []


async def test_the_citizen_moves_and_cancels_from_the_page(server: Server, browser: Any) -> None:
    """ "Ubah jadwal" → Rabu → 11.00: the page says so; "Batalkan pesanan" → "Ya": cancelled."""
    url = f"{server.running.http_url}/pesan?layanan=A&tanggal={TUESDAY}&jam=09:00"
    phone = await open_phone(browser, url)
    await fill_and_book(phone, "Siti Rahmawati", NIKS[0], "0812 3456 7890", "Pesan sekarang")
    await phone.tap("Ubah jadwal")
    await phone.tap("Rabu, 25 November 2026")
    await phone.tap("11.00–11.30 WIB")
    assert await phone.text("#notice") == "Jadwal pesanan sudah diubah."
    summary = await phone.text("dl.summary")
    assert "Rabu, 25 November 2026" in summary and "11.00–11.30 WIB" in summary
    await phone.tap("Batalkan pesanan")
    assert await phone.text("h1") == "Batalkan pesanan?"
    await phone.tap("Ya, batalkan pesanan")
    assert await phone.text("#notice") == "Pesanan sudah dibatalkan."
    assert "Dibatalkan" in await phone.text("dl.summary")
    assert await phone.page.query_selector("#qr") is None
    (booking,) = server.engine.state.bookings.by_code.values()
    assert booking.state.value == "cancelled"
    assert phone.errors == [] and phone.failed == []


@pytest.fixture
async def other_site() -> AsyncIterator[tuple[list[bytes], Any]]:
    """Another web site on another port: it serves whatever page the test sets."""
    pages: list[bytes] = [b""]

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = pages[0]
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    site = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield pages, site.sockets[0].getsockname()[1]
    finally:
        site.close()
        await site.wait_closed()


async def test_a_form_on_another_site_cannot_book(
    server: Server, browser: Any, other_site: tuple[list[bytes], int]
) -> None:
    """A broker's page, in the same browser, posts our form — even with a token stolen for this
    browser's own cookie. The browser says where it comes from (Origin): 403, nothing booked."""
    pages, port = other_site
    ours = server.running.http_url
    phone = await open_phone(browser, f"{ours}/pesan?layanan=A&tanggal={TUESDAY}&jam=09:00")
    token = await phone.page.get_attribute("input[name=csrf]", "value")
    pages[0] = f"""<!doctype html><html><body>
<form method="post" action="{ours}/pesan">
<input type="hidden" name="csrf" value="{token}">
<input type="hidden" name="layanan" value="A"><input type="hidden" name="tanggal" value="{TUESDAY}">
<input type="hidden" name="jam" value="09:00"><input type="hidden" name="nama" value="Calo">
<input type="hidden" name="nik" value="{NIKS[4]}">
<input type="hidden" name="hp" value="081299990000">
<button id="go">Dapatkan hadiah</button></form></body></html>""".encode()
    await phone.page.goto(f"http://127.0.0.1:{port}/hadiah")
    async with phone.page.expect_navigation():
        await phone.page.click("#go")
    assert await phone.text("h1") == "Halaman kedaluwarsa"
    assert server.engine.state.bookings.by_code == {}
