"""A ticket with nobody ahead and no counter open promises no "± 10 menit" (issue 17).

Before the officers arrive the kiosk still issues numbers (doors open before counters do). The
wait formula would assume a counter opens that instant and print the line's target, ten minutes
for line A. Real parts: the kiosk app prints to the loopback ESC/POS printer, the printed QR code
opens the phone page in headless Chromium; then an officer opens Loket 1 (line A only, target 10
minutes) and the page, live, gives the figure a ticket with nobody ahead now has: 1 × 10 min.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from chromium import needs_chromium
from hubtest import Server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "kiosk"))

from escpos_decode import decode
from kiosktest import choose, kiosk_app, on_screen, printer, screen_text, started

pytestmark = needs_chromium
__all__ = ["printer"]  # the loopback printer fixture, used by name


async def test_a_ticket_before_any_counter_opens_says_it_waits_for_one(
    server: Server, printer: Any, browser: Any
) -> None:
    """Paper, kiosk screen and phone say "menunggu loket dibuka"; the phone gives a figure once
    a counter is open."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await choose(pilot, "DUKCAPIL", "A", None)
        await on_screen(pilot, "ResultScreen")
        assert "0 orang di depan Anda · menunggu loket dibuka" in screen_text(app)
    ticket = decode(printer.tickets[0])
    assert "Antrean di depan Anda: 0 orang" in ticket.texts
    assert "Perkiraan waktu tunggu: menunggu loket dibuka" in ticket.texts
    assert not any("menit" in line for line in ticket.texts)

    (qr,) = ticket.qr_codes
    page = await (await browser.new_context()).new_page()
    await page.goto(qr)
    await page.wait_for_function("() => window.antreTicket && window.antreTicket.connected")
    assert await page.text_content("#ahead") == "0 orang"
    assert await page.text_content("#wait") == "menunggu loket dibuka"
    assert await page.is_visible("#wait-row")

    await server.officer_at_work("DKP01@L01")
    await page.wait_for_function(
        "() => document.getElementById('wait').textContent === '± 10 menit'"
    )
