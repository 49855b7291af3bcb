"""Booking a visit of two services in a real browser (issue 22): Debian's Chromium, headless.

A real server (demo building, fake clock at Monday 23 November 2026 09:00 WIB) on a free port.
The citizen ticks Kartu Keluarga (B) and BPJS Kesehatan (J), reads the order and why, taps
Tuesday and 09.30 — "Dukcapil 09.30 · BPJS Kesehatan 09.30" worked by hand in
test_booking_visit_pages.py's table — fills in the form, and reads one code and both stops on
the booking's page; cancelling there frees both places. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from typing import Any

from chromium import ARTIFACTS, needs_chromium
from hubtest import Server
from test_booking_browser import CODE_SHOWN, fill_and_book, open_phone, shown_qr
from web_booking_kit import NIKS, TUESDAY

pytestmark = needs_chromium
KK = "Kartu Keluarga dan Pindah Datang"
BPJS = "Pendaftaran dan Perubahan Data"


async def test_a_citizen_books_two_services_in_one_visit_and_cancels_it(
    server: Server, browser: Any
) -> None:
    phone = await open_phone(browser, f"{server.running.http_url}/pesan", javascript=False)
    await phone.tap("Beberapa layanan dalam satu kunjungan")
    assert await phone.text("h1") == "Pilih layanan kunjungan Anda"
    heights = await phone.page.eval_on_selector_all(
        "label.choice", "boxes => boxes.map(b => b.getBoundingClientRect().height)"
    )
    assert len(heights) == 5 and min(heights) >= 48  # a finger's target, as every step's
    await phone.page.check('input[name="layanan"][value="J"]')
    await phone.page.check('input[name="layanan"][value="B"]')
    ARTIFACTS.mkdir(exist_ok=True)
    await phone.page.screenshot(path=str(ARTIFACTS / "booking-visit-ticks.png"), full_page=True)
    await phone.tap("Lanjut")
    assert await phone.text("h1") == "Pilih tanggal"
    order = await phone.page.eval_on_selector_all(
        "#order li", "items => items.map(li => li.firstChild.textContent)"
    )
    assert order == [KK, BPJS]
    assert await phone.text("p.reason") == (
        "BPJS Kesehatan setelah Kartu Keluarga dan Pindah Datang: memerlukan hasilnya lebih dulu"
    )
    await phone.tap("Selasa, 24 November 2026")
    assert await phone.text("h1") == "Pilih jam"
    await phone.page.screenshot(path=str(ARTIFACTS / "booking-visit-slots.png"), full_page=True)
    await phone.tap("Dukcapil 09.30 · BPJS Kesehatan 09.30")
    assert await phone.text("h1") == "Data pemesan"
    await fill_and_book(phone, "Siti Rahmawati", NIKS[0], "0812 3456 7890", "Pesan sekarang")
    assert await phone.text("h1") == "Pesanan Anda"
    assert await phone.text("#notice") == "Pesanan berhasil dibuat."
    code = await phone.text("#code")
    assert CODE_SHOWN.fullmatch(code)
    assert await shown_qr(phone) == "ANTRE:" + code.replace("-", "")
    stops = await phone.page.eval_on_selector_all(
        "#stops li", "items => items.map(li => li.textContent)"
    )
    assert stops == [
        f"{KK} — Dukcapil, 09.30–10.30 WIB",
        f"{BPJS} — BPJS Kesehatan, 09.30–10.00 WIB",
    ]
    await phone.page.screenshot(path=str(ARTIFACTS / "booking-visit.png"), full_page=True)
    book = server.engine.state.bookings.by_code
    assert sorted(b.line for b in book.values()) == ["B", "J"]
    await phone.tap("Batalkan pesanan")
    assert await phone.text("h1") == "Batalkan pesanan?"
    await phone.tap("Ya, batalkan pesanan")
    assert await phone.text("#notice") == "Pesanan sudah dibatalkan."
    assert {b.state.value for b in book.values()} == {"cancelled"}
    # Both places are free again: B's 09.30 has its 4 places, J's its 3.
    for line, slot, left in (("B", "09.30–10.30 WIB", 4), ("J", "09.30–10.00 WIB", 3)):
        await phone.page.goto(f"{server.running.http_url}/pesan?layanan={line}&tanggal={TUESDAY}")
        shown = await phone.page.locator("a.choice").filter(has_text=slot).text_content()
        assert shown == f"{slot}{left} tempat tersisa · 1 tempat untuk kelompok prioritas"
    assert phone.errors == [] and phone.failed == []
