"""A booking made on the public page, carried through: checked in at the kiosk, called at the
counter, and its holder shown to the officer exactly as the citizen typed it.

Real server (demo building, fake clock from Monday 23 November 2026 09:00 WIB), the page over
HTTP, the kiosk and the officer as real websocket clients. The name is markup on purpose: the
pages escape it (test_booking_http.py, test_booking_browser.py); here it must arrive at the
officer as the same characters, data and not markup, with the NIK masked.
"""

from __future__ import annotations

import re

from hubtest import FakeClock, Server
from web_booking_kit import NIKS, Citizen, book, text_of

NAME = '<script>alert(1)</script>"><img src=x onerror=alert(2)> [bold]Siti[/bold]'


async def test_a_web_booking_is_checked_in_called_and_its_holder_shown_as_typed(
    server: Server, clock: FakeClock
) -> None:
    """Book today 10.30 on the page; at 10.05 the kiosk checks the code in (the ticket names the
    booking and its slot); at 10.31 Loket 1 calls it; the officer reads the name as typed and
    the NIK as •••• •••• •••• 0002; the citizen's page then says it was checked in."""
    citizen = Citizen(server)
    made = await book(citizen, day="2026-11-23", slot="10:30", name=NAME)
    assert made.status == 303, made.text
    page_path = made.headers["location"].split("?")[0]
    code = text_of((await citizen.get(page_path)).text, "code")

    clock.advance(65 * 60)  # 10.05: the window opened at 10.00
    kiosk = await server.client("KIOSK-1")
    ticket = await kiosk.check_in(code.lower())  # as typed, any case, with the dash
    await kiosk.confirm_printed(ticket["id"])
    assert ticket["booking"]["code"] == code.replace("-", "")
    officer = await server.officer_at_work("DKP01@L01")
    clock.advance(26 * 60)  # 10.31: the slot has started
    called = await officer.act("call_next")
    assert called["ticket"]["number"] == ticket["number"]
    holder = await officer.booking_holder(ticket["id"])
    assert holder["name"] == NAME
    assert holder["nik_masked"] == "•••• •••• •••• 0002" and NIKS[0] not in str(holder)

    page = await citizen.get(page_path)
    assert re.search(
        rf"Sudah lapor kedatangan — nomor antrean {re.escape(ticket['number'])}", page.text
    )
    assert "<script>alert" not in page.text
