"""The dashboard's online bookings against a real server on loopback: what the floor sees.

The demo building with online booking on line A (Perekaman dan Cetak KTP-el, open 07.30, cutoff
14.30): hourly slots 07.30 … 13.30, seven a day, two places each, bookable until 30 minutes
before the slot, check-in from 30 minutes before to 15 after. Monday 23 November 2026 WIB:

    09.00  three citizens book today: b1 and b2 at 10.30, b3 at 13.30; one walk-in ticket
           -> 14 places, 3 not yet come; places left: the slots still open for booking are
              10.30, 11.30, 12.30, 13.30 (09.30 closed at 09.00): 8 places, 3 taken: 5
    10.05  b1 checks in at the kiosk (`check_in`), its ticket prints
           -> 2 not yet come, 1 checked in; open slots 11.30, 12.30, 13.30: 6 places, 1 taken: 5;
              tickets 1 booked / 1 walk-in: 50 %
    10.46  the tick: b2's window closed at 10.45 -> lapsed 1, 1 not yet come
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from hubtest import Server, StartServer, demo_building
from test_floor_app import SIZE, cells, dashboard, issue, until
from textual.widgets import DataTable

from server.bookings_api import BookingsApi
from server.core.building import BookingRules
from server.core.model import Tick

RULES = BookingRules(slot_min=60, places=2, days_ahead=7, closes_min_before=30)


def booking_demo(rules: BookingRules | None = RULES):  # type: ignore[no-untyped-def]
    """The demo building, line A taking bookings by `rules` and no other line."""
    building = demo_building()
    lines = tuple(replace(ln, booking=rules if ln.prefix == "A" else None) for ln in building.lines)
    return replace(building, lines=lines)


async def book(server: Server, slot: str, n: int) -> str:
    api = BookingsApi(server.engine, execute=server.hub.execute)
    made = await api.book(
        "A",
        server.clock.now.date(),
        time.fromisoformat(slot),
        name=f"Warga {n}",
        phone=f"0812 3456 70{n:02d}",
        nik=f"31710123019{n:05d}",
    )
    return made.code


async def test_the_floor_sees_todays_bookings_and_the_split(start_server: StartServer) -> None:
    server = await start_server(building=booking_demo())
    kiosk = await server.client("KIOSK-1")
    b1 = await book(server, "10:30", 1)
    await book(server, "10:30", 2)
    await book(server, "13:30", 3)
    await issue(kiosk, "A")
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one("#bookings", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        assert table.display
        # Kuota, belum datang, lapor hadir, hangus, tidak dilayani, batal, sisa tempat, dilepas,
        # tiket
        assert cells(app, "bookings", "booking:A")[2:] == [
            "14", "3", "0", "0", "0", "0", "5", "0", "0/1",
        ]  # fmt: skip

        server.clock.advance(65 * 60)  # 10.05
        ticket = await kiosk.check_in(b1)  # the kiosk's "Sudah pesan online"
        await kiosk.confirm_printed(ticket["id"])
        await until(pilot, lambda: cells(app, "bookings", "booking:A")[10] == "1/1")
        assert cells(app, "bookings", "booking:A")[2:10] == [
            "14",
            "2",
            "1",
            "0",
            "0",
            "0",
            "5",
            "0",
        ]
        assert str(table.border_title) == (
            "Pesanan online · Hari ini: 1 tiket dari pesanan online, 1 datang langsung "
            "(50% pesanan)"
        )

        server.clock.advance(41 * 60)  # 10.46
        await server.hub.execute(Tick(), "system")
        await until(pilot, lambda: cells(app, "bookings", "booking:A")[5] == "1")
        assert cells(app, "bookings", "booking:A")[2:6] == ["14", "1", "1", "1"]


async def test_no_booking_line_no_booking_table(start_server: StartServer) -> None:
    """A building where no line takes bookings: the table hides."""
    server = await start_server(building=booking_demo(None))
    kiosk = await server.client("KIOSK-1")
    await issue(kiosk, "A")
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: cells(app, "lines", "line:A")[2] == "1")
        table = app.query_one("#bookings", DataTable)
        assert table.row_count == 0 and not table.display


async def test_a_visits_stop_never_reached_is_tidak_sampai_not_hangus(
    start_server: StartServer,
) -> None:
    """Lines A and B take bookings. 09.00 a citizen books the visit A 10.30 → B (A's 10
    minutes bring them to B at 10.40: B's 10.30 slot); 10.05 checks in (A-001, printed); 10.10
    the floor cancels A-001: the visit is over before B. The next tick: B's booking is not
    reached (*Tidak dilayani* 1), not lapsed (*Hangus* 0); A's was checked in."""
    from server.core.model import CancelTicket

    building = booking_demo()
    lines = tuple(replace(ln, booking=RULES) if ln.prefix == "B" else ln for ln in building.lines)
    server = await start_server(building=replace(building, lines=lines))
    kiosk = await server.client("KIOSK-1")
    api = BookingsApi(server.engine, execute=server.hub.execute)
    made = await api.book_visit(
        ["A", "B"], server.clock.now.date(), time(10, 30),
        name="Warga Kunjungan", phone="0812 3456 7099", nik="3171012301900099",
    )  # fmt: skip
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one("#bookings", DataTable)
        await until(pilot, lambda: table.row_count == 2)
        server.clock.advance(65 * 60)  # 10.05
        ticket = await kiosk.check_in(made.code)
        await kiosk.confirm_printed(ticket["id"])
        server.clock.advance(5 * 60)  # 10.10
        await server.hub.execute(CancelTicket(ticket["id"], "salah layanan"), "floor:test")
        server.clock.advance(60)  # 10.11
        await server.hub.execute(Tick(), "system")
        await until(pilot, lambda: cells(app, "bookings", "booking:B")[6] == "1")
        # Belum datang, lapor hadir, hangus, tidak dilayani, batal
        assert cells(app, "bookings", "booking:A")[3:8] == ["0", "1", "0", "0", "0"]
        assert cells(app, "bookings", "booking:B")[3:8] == ["0", "0", "0", "1", "0"]
