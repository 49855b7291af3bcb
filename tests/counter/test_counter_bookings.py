"""A booked ticket at the counter console, against a real server on loopback.

The demo building, Monday 23 November 2026 WIB: Siti Aminah books Perekaman dan Cetak KTP-el
(line A) for 10.30 at 09.00, checks in at the kiosk at 10.05 (the window opens 30 minutes before
her slot) and is called at Loket 1 at 10.31. The officer must read her slot and the name and
masked NIK she booked with, to compare with her KTP-el; nothing of it once she has gone.
"""

from __future__ import annotations

from datetime import time

from countertest import at_work, issue, text, until
from hubtest import Server

from server.bookings_api import BookingsApi

NIK = "3171012301900001"  # a NIK of the right form (Jakarta Pusat, born 23 January 1990)


async def book_and_check_in(server: Server) -> str:
    """Siti's booking for 10.30, checked in at 10.05: her ticket's number."""
    api = BookingsApi(server.engine, execute=server.hub.execute)
    made = await api.book(
        "A", server.clock.now.date(), time(10, 30), name="Siti Aminah", phone="0812 3456 7001",
        nik=NIK,
    )  # fmt: skip
    server.clock.advance(65 * 60)  # 10.05
    kiosk = await server.client("KIOSK-1")
    ticket = await kiosk.check_in(made.code)
    await kiosk.confirm_printed(ticket["id"])
    server.clock.advance(26 * 60)  # 10.31: her slot has begun
    return str(ticket["number"])


async def test_the_officer_reads_the_slot_and_the_holder_then_forgets_them(server: Server) -> None:
    number = await book_and_check_in(server)
    async with at_work(server, "DKP01@L01") as (app, pilot):
        await pilot.press("n")
        await until(pilot, lambda: "Siti Aminah" in text(app, "ticket-detail"), "the holder")
        lines = text(app, "ticket-detail").splitlines()
        assert lines[0].startswith(number)
        assert "Pesanan online · jadwal 10.30 WIB" in lines
        assert "Pemesan: Siti Aminah · NIK •••• •••• •••• 0001 — cocokkan dengan KTP-el" in lines
        assert NIK not in text(app, "ticket-detail")
        await pilot.press("s")
        await until(pilot, lambda: "SEDANG DILAYANI" in text(app, "ticket-detail"), "service")
        assert "Pesanan online · jadwal 10.30 WIB" in text(app, "ticket-detail").splitlines()
        await pilot.press("f")
        await until(pilot, lambda: app.model.active is None, "the finish")
        assert app.model.holders == {}
        assert "Siti" not in text(app, "ticket-detail")


async def test_a_walk_in_ticket_asks_for_no_holder(server: Server) -> None:
    (number,) = await issue(server, "A")
    async with at_work(server, "DKP01@L01") as (app, pilot):
        await pilot.press("n")
        await until(pilot, lambda: number in text(app, "ticket-detail"), "the call")
        detail = text(app, "ticket-detail")
        assert "Pesanan" not in detail and "Pemesan" not in detail
        assert app.model.holders == {}
