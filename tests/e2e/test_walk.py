"""THE WALK: issue 19's "Done when", end to end, with every part real.

A newcomer at `make run`'s demo building (server/demo/mpp-kota-contoh.toml, served by the real
server on a free port of 127.0.0.1 with its own SQLite file and a fake clock) books a slot,
checks in at the kiosk with the booking's QR code, is called at a counter and follows it on the
phone page, as the README's walk says:

1. 06.30, Monday 23 November 2026 (WIB): on the public booking pages in headless Chromium
   (/pesan, a phone-sized screen) the citizen taps "Perekaman dan Cetak KTP-el", today, 09.00,
   fills in name, NIK and phone, and reads the booking code and its QR code (read back with
   tests/web/qr_read.py, a decoder written from the QR specification).
2. 08.35: three citizens take walk-in numbers of line A (A-001 … A-003), before the slot.
3. 08.40: at the kiosk (the real Textual app under run_test(), printing to a loopback ESC/POS
   printer) the citizen touches "Sudah pesan online" and the USB scanner types the QR's content,
   `ANTRE:` and the code, then Enter, in one burst. The ticket prints: A-004 and "Pesanan online
   · jadwal 09.00 WIB", and a QR code of the phone page's address.
4. The citizen opens that address (/t/<token>) in headless Chromium: A-004, waiting.
5. 09.01: the slot has started. At Loket 1 the officer (the real counter console, logged in
   with the demo's PIN) sees A-004 first among the next numbers and presses N: A-004 is called,
   before the walk-in citizens who came earlier, and the call's recorded reason is `pesanan`;
   the console marks it "Pesanan online · jadwal 09.00 WIB" and names the holder with the NIK
   masked, to compare with the KTP-el.
6. The phone page says "Nomor Anda dipanggil — Silakan menuju Loket 1".

Each step's expectation is written out from docs/ (bookings.md, calling-policy.md "Booked and
walk-in citizens", operations.md's kiosk table, protocol.md), never read from the code.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from chromium import ARTIFACTS, needs_chromium
from countertest import console, events_of, log_in, text
from countertest import until as console_until
from escpos_decode import decode
from hubtest import FakeClock, StartServer
from keyburst import send_burst
from kiosk_bookings import at
from kiosktest import LoopbackPrinter, click, kiosk_app, on_screen, screen_text, started, until
from test_booking_browser import fill_and_book, shown_qr
from test_booking_browser import open_phone as open_booking_page
from test_phone_page import open_phone

pytestmark = [needs_chromium, pytest.mark.walk]

ALPHABET = "ACDEFGHJKMNPQRTUVWXY3467"  # docs/protocol.md, "Booking codes"
NIK = "3273014101800002"  # Kota Bandung, a woman born 1 January 1980 (day + 40), serial 0002
BOOKED_LINE = "Pesanan online · jadwal 09.00 WIB"


async def test_book_check_in_be_called_and_follow_it_on_the_phone(
    start_server: StartServer, clock: FakeClock, printer: LoopbackPrinter, browser: Any
) -> None:
    clock.now = at("06:30")
    server = await start_server()  # the demo building

    # 1. Booking on the public pages, as on a phone; the code and the QR code on its page.
    booking = await open_booking_page(browser, f"{server.running.http_url}/pesan")
    assert await booking.text("h1") == "Pilih layanan"
    await booking.tap("Perekaman dan Cetak KTP-el")
    await booking.tap("Senin, 23 November 2026")
    await booking.tap("09.00–09.30 WIB")
    assert await booking.text("h1") == "Data pemesan"
    await fill_and_book(booking, "Dewi Anggraini", NIK, "0812 3456 7890", "Pesan sekarang")
    assert await booking.text("h1") == "Pesanan Anda"
    code = await booking.text("#code")  # K7QM-4TXA
    assert re.fullmatch(f"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", code), code
    scanned = await shown_qr(booking)  # what a scanner reads from it and types
    assert scanned == "ANTRE:" + code.replace("-", "")  # docs/protocol.md, "Booking codes"
    assert "08.30 WIB dan 09.15 WIB" in await booking.text("#check-in")
    assert booking.errors == [] and booking.failed == []

    # 2. Walk-in citizens of line A before the slot.
    clock.now = at("08:35")
    other_kiosk = await server.client("KIOSK-2")
    for _ in range(3):
        walk_in = await other_kiosk.issue_ticket("A")
        await other_kiosk.confirm_printed(walk_in["id"])

    # 3. Check-in at the kiosk: "Sudah pesan online", the scanner's burst, the ticket.
    clock.now = at("08:40")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await click(pilot, "#booked")
        await on_screen(pilot, "CheckInScreen")
        await until(pilot, lambda: getattr(app.focused, "id", None) == "code", "the code field")
        send_burst(app, scanned + "\r")
        await on_screen(pilot, "ResultScreen")
        shown = screen_text(app)
        assert "Silakan ambil tiket Anda" in shown and "\nA-004\n" in shown
        assert f"\n{BOOKED_LINE}\n" in shown and f"\nKode pesanan {code}\n" in shown
    (job,) = printer.tickets
    ticket = decode(job)
    texts = ticket.texts
    assert texts[texts.index("A-004") + 1] == BOOKED_LINE
    (phone_url,) = ticket.qr_codes
    assert phone_url.startswith(f"{server.running.http_url}/t/")
    await booking.page.reload()  # the booking's own page knows the number
    assert "Sudah lapor kedatangan — nomor antrean A-004" in await booking.text("dl.summary")

    # 4. The phone page, opened from the printed QR code.
    phone = await open_phone(browser, phone_url)
    await phone.wait_js("window.antreTicket && window.antreTicket.connected")
    assert await phone.text("#number") == "A-004"
    assert "menunggu" in (await phone.text("#state")).lower()

    # 5. At Loket 1 after the slot's start: the booked citizen first, reason `pesanan`.
    clock.now = at("09:01")
    officer = console(server, "L01", clock=clock)
    async with officer.run_test(size=(120, 34)) as desk:
        await log_in(desk, "DKP01")
        await console_until(
            desk,
            lambda: officer.logged_in and "BUKA" in text(officer, "counter-state"),
            "Loket 1 open",
        )
        await console_until(desk, lambda: "A-004" in text(officer, "next"), "the next numbers")
        assert text(officer, "next") == "Berikutnya: A-004  A-001  A-002  A-003"
        await desk.press("n")
        await console_until(
            desk,
            lambda: officer.pending is None and "A-004" in text(officer, "ticket-detail"),
            "the call",
        )
        detail = text(officer, "ticket-detail")
        assert detail.startswith("A-004  ·  A Perekaman dan Cetak KTP-el\n")
        assert f"\n{BOOKED_LINE}\n" in detail  # the console marks a booked ticket
        holder = "Pemesan: Dewi Anggraini · NIK •••• •••• •••• 0002 — cocokkan dengan KTP-el"
        await console_until(desk, lambda: holder in text(officer, "ticket-detail"), "the holder")
        assert NIK not in text(officer, "ticket-detail")
    (called,) = await events_of(server, "ticket_called")
    assert (called.counter, called.reason) == ("L01", "pesanan")

    # 6. The phone page says where to go.
    await phone.wait_text("#alert-text", "Silakan menuju Loket 1")
    assert await phone.text("#alert-title") == "Nomor Anda dipanggil"
    assert "dipanggil" in (await phone.text("#state")).lower()
    ARTIFACTS.mkdir(exist_ok=True)
    await phone.page.screenshot(path=str(ARTIFACTS / "walk-phone-called.png"), full_page=True)
    assert phone.errors == [] and phone.failed == []
