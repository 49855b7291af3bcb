"""THE WALK of issue 22's online part: a visit of two services booked online, one check-in at the
kiosk, served at both agencies, with every part real.

The demo building (served by the real server on a free port of 127.0.0.1, its own SQLite file, a
fake clock), as the README's "Booking a visit online" says:

1. 06.30, Monday 23 November 2026 (WIB): on the public booking pages in headless Chromium the
   citizen taps "Beberapa layanan dalam satu kunjungan", ticks BPJS Kesehatan and Kartu Keluarga,
   reads the order the building requires (Kartu Keluarga first, "memerlukan hasilnya lebih
   dulu"), taps today and "Dukcapil 09.30 · BPJS Kesehatan 09.30" (docs/bookings.md "A visit of
   several services": B's hourly slots start at 07.30, so 09.30; B's 12 minutes bring the citizen
   to BPJS at 09.42, in J's 09.30 slot), fills in the form and reads ONE code and both stops.
2. 09.05 (the window opens 30 minutes before the slot): at the kiosk (the real Textual app,
   printing to a loopback ESC/POS printer) the scanner types the code. The ticket prints B-001,
   "Kunjungan Anda:" with both stops, and one QR code for the phone page.
3. 09.31: served at Loket 4 (Kartu Keluarga). The visit is handed on: the phone page says
   "Silakan lanjut ke BPJS Kesehatan, nomor J-001" and the booking's page lists J-001.
4. At Loket 14 (BPJS Kesehatan) the officer calls J-001; the console marks it as booked online
   and names the holder with the NIK masked (docs/operations.md, "Counter console keys"); it is
   served, and the booking page says both stops are done.

J-001's place is the booked one: J's walk-in quota counts nothing for it (the floor's figures).
"""

from __future__ import annotations

from typing import Any

import pytest
from chromium import ARTIFACTS, needs_chromium
from countertest import SIZE, console, log_in, text
from countertest import until as console_until
from escpos_decode import decode
from hubtest import FakeClock, StartServer
from keyburst import send_burst
from kiosk_bookings import at
from kiosktest import LoopbackPrinter, click, kiosk_app, on_screen, screen_text, started, until
from test_booking_browser import CODE_SHOWN, fill_and_book, shown_qr
from test_booking_browser import open_phone as open_booking_page
from test_phone_page import open_phone
from test_visit_walk import serve

pytestmark = [needs_chromium, pytest.mark.walk]

NIK = "3273014101800002"  # Kota Bandung, a woman born 1 January 1980 (day + 40), serial 0002
KK = "Kartu Keluarga dan Pindah Datang"
BPJS = "Pendaftaran dan Perubahan Data"


async def test_a_visit_booked_online_checked_in_once_and_served_at_both_agencies(
    start_server: StartServer, clock: FakeClock, printer: LoopbackPrinter, browser: Any
) -> None:
    clock.now = at("06:30")
    server = await start_server()  # the demo building

    # 1. The booking pages: two services, the order, today 09.30, the form, one code.
    booking = await open_booking_page(browser, f"{server.running.http_url}/pesan")
    await booking.tap("Beberapa layanan dalam satu kunjungan")
    await booking.page.check('input[name="layanan"][value="J"]')
    await booking.page.check('input[name="layanan"][value="B"]')
    await booking.tap("Lanjut")
    order = await booking.page.eval_on_selector_all(
        "#order li", "items => items.map(li => li.firstChild.textContent)"
    )
    assert order == [KK, BPJS]
    assert "memerlukan hasilnya lebih dulu" in await booking.text("p.reason")
    await booking.tap("Senin, 23 November 2026")
    await booking.tap("Dukcapil 09.30 · BPJS Kesehatan 09.30")
    assert await booking.text("h1") == "Data pemesan"
    await fill_and_book(booking, "Dewi Anggraini", NIK, "0812 3456 7890", "Pesan sekarang")
    assert await booking.text("h1") == "Pesanan Anda"
    code = await booking.text("#code")
    assert CODE_SHOWN.fullmatch(code), code
    scanned = await shown_qr(booking)
    assert scanned == "ANTRE:" + code.replace("-", "")  # docs/protocol.md, "Booking codes"
    stops = await booking.page.locator("#stops li").all_text_contents()
    assert stops == [
        f"{KK} — Dukcapil, 09.30–10.30 WIB",
        f"{BPJS} — BPJS Kesehatan, 09.30–10.00 WIB",
    ]
    assert NIK not in await booking.page.content()

    # 2. One check-in at the kiosk: the first stop's number and the whole itinerary.
    clock.now = at("09:05")
    kiosk = kiosk_app(server, printer.spec)
    async with started(kiosk) as pilot:
        await click(pilot, "#booked")
        await on_screen(pilot, "CheckInScreen")
        await until(pilot, lambda: getattr(kiosk.focused, "id", None) == "code", "the code field")
        send_burst(kiosk, scanned + "\r")
        await on_screen(pilot, "ResultScreen")
        shown = screen_text(kiosk)
        assert "Silakan ambil tiket Anda" in shown and "\nB-001\n" in shown
        assert "Kunjungan Anda:" in shown
    (job,) = printer.tickets
    paper = decode(job)
    assert paper.line("B-001").bold
    texts = paper.texts
    assert "Pesanan online · jadwal 09.30 WIB" in texts
    start = texts.index("Kunjungan Anda:")
    assert texts[start + 1 : start + 6] == [
        "1. Dukcapil - Kartu Keluarga dan Pindah Datang",
        "   (B-001, sekarang)",
        "2. BPJS Kesehatan - Pendaftaran dan Perubahan",
        "   Data",
        "   (nomor diberikan setelah langkah 1 selesai)",
    ]
    (phone_url,) = paper.qr_codes
    phone = await open_phone(browser, phone_url)
    await phone.wait_js("window.antreTicket && window.antreTicket.connected")
    assert await phone.text("#number") == "B-001"

    # 3. Served at Loket 4 after the slot's start; handed on to BPJS Kesehatan.
    clock.now = at("09:31")
    await serve(server, "L04", "DKP01", "B-001", clock)
    await phone.wait_text("#visit-next", "Silakan lanjut ke BPJS Kesehatan, nomor J-001")
    await booking.page.reload()
    assert "J-001" in " ".join(await booking.page.locator("#stops li").all_text_contents())

    # J-001 took the booked place: the floor's J figures count no walk-in ticket for it.
    floor = await server.client("LANTAI")
    (j,) = [ln for ln in (await floor.request("list_lines"))["lines"] if ln["prefix"] == "J"]
    assert (j["issued"], j["bookings"]["checked_in"]) == (1, 1)

    # 4. At Loket 14: booked online, the holder named with the NIK masked; served.
    app = console(server, "L14", clock=clock)
    async with app.run_test(size=SIZE) as desk:
        await log_in(desk, "BKS01")
        await console_until(
            desk, lambda: app.logged_in and "BUKA" in text(app, "counter-state"), "open"
        )
        await console_until(desk, lambda: "J-001" in text(app, "next"), "J-001 next")
        clock.advance(5)
        await desk.press("n")
        await console_until(
            desk, lambda: app.pending is None and "J-001" in text(app, "ticket-detail"), "call"
        )
        holder = "Pemesan: Dewi Anggraini · NIK •••• •••• •••• 0002 — cocokkan dengan KTP-el"
        await console_until(desk, lambda: holder in text(app, "ticket-detail"), "the holder")
        assert "\nPesanan online" in text(app, "ticket-detail")
        await phone.wait_text("#alert-text", "Silakan menuju Loket 14")
        await desk.press("s")
        await console_until(
            desk, lambda: "SEDANG DILAYANI" in text(app, "ticket-detail"), "service"
        )
        clock.advance(600)
        await desk.press("f")
        await phone.page.wait_for_selector("#survey-offer", timeout=15000)
    assert await phone.page.locator("#visit-stops li .stop-state").all_text_contents() == [
        "Selesai",
        "Selesai",
    ]
    await booking.page.reload()
    ARTIFACTS.mkdir(exist_ok=True)
    await booking.page.screenshot(path=str(ARTIFACTS / "walk-visit-booking.png"), full_page=True)
    assert booking.errors == [] and booking.failed == []
    assert phone.errors == [] and phone.failed == []
