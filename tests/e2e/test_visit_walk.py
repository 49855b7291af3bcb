"""ONE VISIT, SEVERAL AGENCIES (issue 22's "Done"), end to end with every part real.

A newcomer needs a new family card (Kartu Keluarga, Dukcapil) and, with it, to register at BPJS
Kesehatan. The real server (the demo building, its own SQLite file, a fake clock) on a free port:

1. At the kiosk (the real Textual app under run_test(), printing to a loopback ESC/POS
   printer) the citizen touches "Beberapa layanan sekaligus" and chooses BPJS Kesehatan first,
   then Kartu Keluarga, and answers "Tidak" to the priority question; the kiosk proposes Kartu
   Keluarga first and says why (the building says BPJS needs its result, docs/configuration.md
   `requires`); accepted: one ticket prints, B-001 big, the itinerary under it, and one QR
   code: the phone page's address.
2. The phone page of that address (Chromium, a phone's screen) lists both stops; the Lantai 1
   TV (Chromium, 1080p, sound activated) is on.
3. Loket 4's officer (the real counter console under run_test(), logged in with the demo PIN)
   calls B-001 (N), starts (S) and finishes (F).
4. The TV shows "B-001 → J-001 · BPJS Kesehatan" and says "Nomor antrean be nol nol satu,
   silakan lanjut ke BPJS Kesehatan, nomor antrean je nol nol satu."; the phone page, without a
   reload, shows J-001 and "Silakan lanjut ke BPJS Kesehatan, nomor J-001".
5. Loket 14's officer (BPJS Kesehatan) calls J-001: the TV calls it, the phone page says
   "Silakan menuju Loket 14"; served and finished, the phone page offers the survey (once, for
   the visit).

Expectations are written from issue 22's spec and docs/, never read from the code.
"""

from __future__ import annotations

from typing import Any

import pytest
from chromium import ARTIFACTS, needs_chromium
from countertest import SIZE, console, log_in, text
from countertest import until as console_until
from escpos_decode import decode
from hubtest import FakeClock, StartServer
from kiosktest import LoopbackPrinter, click, kiosk_app, on_screen, screen_text, started, until
from test_kiosk_visit import add_service
from test_phone_page import open_phone
from test_tv_browser import open_tv

pytestmark = [needs_chromium, pytest.mark.walk]


async def serve(server: Any, counter: str, officer: str, number: str, clock: FakeClock) -> None:
    """At one counter's console: log in, N (the call), S (start), F (finish)."""
    app = console(server, counter, clock=clock)
    async with app.run_test(size=SIZE) as desk:
        await log_in(desk, officer)
        await console_until(
            desk, lambda: app.logged_in and "BUKA" in text(app, "counter-state"), "open"
        )
        await console_until(desk, lambda: number in text(app, "next"), f"{number} next")
        clock.advance(5)
        await desk.press("n")
        await console_until(
            desk, lambda: app.pending is None and number in text(app, "ticket-detail"), "call"
        )
        await desk.press("s")
        await console_until(
            desk, lambda: "SEDANG DILAYANI" in text(app, "ticket-detail"), "service"
        )
        clock.advance(600)
        await desk.press("f")
        await console_until(
            desk,
            lambda: app.pending is None and number not in text(app, "ticket-detail"),
            "finished",
        )


async def test_a_two_stop_visit_walked_end_to_end(
    start_server: StartServer, clock: FakeClock, printer: LoopbackPrinter, browser: Any
) -> None:
    server = await start_server()

    # 1. The kiosk: BPJS then KK chosen, the order proposed (KK first, and why), one ticket.
    kiosk = kiosk_app(server, printer.spec)
    async with started(kiosk) as pilot:
        await click(pilot, "#visit")
        await on_screen(pilot, "VisitScreen")
        await add_service(pilot, "BPJSKES", "J")
        await add_service(pilot, "DUKCAPIL", "B")
        await click(pilot, "#plan")
        await on_screen(pilot, "VisitPriorityScreen")
        await click(pilot, "#prio-none")
        await on_screen(pilot, "VisitPlanScreen")
        await until(pilot, lambda: "Perkiraan total waktu" in screen_text(kiosk), "the plan")
        shown = screen_text(kiosk)
        first = shown.index("1.  B   Dukcapil · Kartu Keluarga dan Pindah Datang")
        assert first < shown.index("2.  J   BPJS Kesehatan · Pendaftaran dan Perubahan Data")
        assert "BPJS Kesehatan setelah Kartu Keluarga dan Pindah Datang" in shown
        await click(pilot, "#accept")
        await on_screen(pilot, "ResultScreen")
        shown = screen_text(kiosk)
        assert "Silakan ambil tiket Anda" in shown and "B-001" in shown
        assert "Kunjungan Anda:" in shown
    (job,) = printer.tickets
    paper = decode(job)
    assert paper.line("B-001").bold
    texts = paper.texts
    start = texts.index("Kunjungan Anda:")
    assert texts[start + 1 : start + 6] == [
        "1. Dukcapil - Kartu Keluarga dan Pindah Datang",
        "   (B-001, sekarang)",
        "2. BPJS Kesehatan - Pendaftaran dan Perubahan",
        "   Data",
        "   (nomor diberikan setelah langkah 1 selesai)",
    ]
    (phone_url,) = paper.qr_codes
    assert phone_url.startswith(f"{server.running.http_url}/t/")

    # 2. The phone page of the printed QR's address and the Lantai 1 TV.
    phone = await open_phone(browser, phone_url)
    await phone.wait_js("window.antreTicket && window.antreTicket.connected")
    assert await phone.text("#number") == "B-001"
    assert await phone.page.locator("#visit-stops li").all_text_contents() == [
        "Dukcapil — Kartu Keluarga dan Pindah Datang (B-001): Menunggu panggilan",
        "BPJS Kesehatan — Pendaftaran dan Perubahan Data (nomor menyusul): "
        "Nanti, setelah langkah sebelumnya",
    ]
    await phone.page.evaluate("() => { window.__sameDocument = true; }")
    tv = await open_tv(browser, server)

    # 3. Served at Loket 4 (Kartu Keluarga).
    await serve(server, "L04", "DKP01", "B-001", clock)

    # 4. The TV and the phone page send the citizen on.
    await tv.wait_current("B-001 → J-001")
    assert await tv.text("#current-counter") == "BPJS Kesehatan"
    await phone.wait_text("#visit-next", "Silakan lanjut ke BPJS Kesehatan, nomor J-001")
    assert await phone.text("#number") == "J-001"
    assert await phone.page.evaluate("() => window.__sameDocument === true")
    await tv.wait_js("window.antreTV.stats.queued.some(q => q.from === 'B-001')")
    ARTIFACTS.mkdir(exist_ok=True)
    await tv.page.screenshot(path=str(ARTIFACTS / "walk-visit-tv.png"))
    await phone.page.screenshot(path=str(ARTIFACTS / "walk-visit-phone.png"), full_page=True)

    # 5. Served at Loket 14 (BPJS Kesehatan): called on the TV and the phone, then the survey.
    app = console(server, "L14", clock=clock)
    async with app.run_test(size=SIZE) as desk:
        await log_in(desk, "BKS01")
        await console_until(
            desk, lambda: app.logged_in and "BUKA" in text(app, "counter-state"), "open"
        )
        await console_until(desk, lambda: "J-001" in text(app, "next"), "J-001 next")
        clock.advance(5)
        await desk.press("n")
        await tv.wait_current("J-001")
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
    history = await tv.page.locator("#history li").all_text_contents()
    assert "B-001 → J-001 · BPJS Kesehatan" in history
    stats = await tv.stats()
    assert [(q["number"], q["from"]) for q in stats["queued"]] == [
        ("B-001", None),
        ("J-001", "B-001"),
        ("J-001", None),
    ]
    assert phone.errors == [] and phone.failed == []
