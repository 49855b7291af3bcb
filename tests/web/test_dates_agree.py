"""A date reads the same on the printed ticket, the phone page and the TV: "Minggu, 2 Agustus 2026".

One day, three surfaces, all real: the kiosk app prints a ticket to a loopback ESC/POS printer
(its bytes decoded), the ticket's QR code is opened in headless Chromium as a phone would, and
the TV page runs in Chromium too. The building is the demo's moved to WITA and open on Sundays,
and the clock stands at 07.45 WITA — 23.45 UTC the day before, in a browser set to UTC — so a
surface that wrote its own local date would show Saturday the 1st. The expected strings are
written by hand (the weekdays checked against GNU date), as is the table the formatter and the
TV's script must both write.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from chromium import needs_chromium
from hubtest import FakeClock, Server, demo_building, demo_credentials

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "kiosk"))

from escpos_decode import decode
from kiosktest import LoopbackPrinter, choose, kiosk_app, on_screen, printer, started

from server import protocol as p
from server.app import Running, serve
from server.core.building import Building
from server.hub import HubLimits

WITA = timezone(timedelta(hours=8))
# Sunday 2 August 2026, 07.45 WITA: the building's day has begun, UTC's has not.
__all__ = ["printer"]  # the loopback printer fixture, used by name
SUNDAY_MORNING = datetime(2026, 8, 2, 7, 45, tzinfo=WITA)
DATE = "Minggu, 2 Agustus 2026"

# One date of each month and of each weekday, and a leap day: the words by hand.
TABLE = [
    (date(2026, 1, 1), "Kamis, 1 Januari 2026"),
    (date(2026, 2, 28), "Sabtu, 28 Februari 2026"),
    (date(2026, 3, 9), "Senin, 9 Maret 2026"),
    (date(2026, 4, 14), "Selasa, 14 April 2026"),
    (date(2026, 5, 20), "Rabu, 20 Mei 2026"),
    (date(2026, 6, 5), "Jumat, 5 Juni 2026"),
    (date(2026, 7, 11), "Sabtu, 11 Juli 2026"),
    (date(2026, 8, 2), "Minggu, 2 Agustus 2026"),
    (date(2026, 9, 30), "Rabu, 30 September 2026"),
    (date(2026, 10, 17), "Sabtu, 17 Oktober 2026"),
    (date(2026, 11, 23), "Senin, 23 November 2026"),
    (date(2026, 12, 31), "Kamis, 31 Desember 2026"),
    (date(2028, 2, 29), "Selasa, 29 Februari 2028"),
]


def wita_building_open_on_sunday() -> Building:
    demo = demo_building()
    monday = demo.weekly[0]
    return dataclasses.replace(demo, timezone="WITA", weekly=(*demo.weekly[:6], monday))


@contextlib.asynccontextmanager
async def serving(building: Building, clock: FakeClock, db: Path) -> AsyncIterator[Server]:
    """A real server of this building on a free port, stopped at the end."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[Running] = loop.create_future()
    limits = HubLimits(lines_flush_s=0.01, rate_per_s=10_000.0, rate_burst=10_000.0)
    task = asyncio.create_task(
        serve(building, str(db), "127.0.0.1", 0, ready=ready.set_result, clock=clock, limits=limits)
    )
    done, _ = await asyncio.wait({task, ready}, timeout=20, return_when="FIRST_COMPLETED")
    if task in done:
        task.result()
    server = Server(ready.result(), clock)
    try:
        yield server
    finally:
        for client in server.clients:
            await client.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.mark.parametrize(("day", "words"), TABLE, ids=[str(d) for d, _ in TABLE])
def test_the_formatter_writes_each_date_as_indonesians_do(day: date, words: str) -> None:
    assert p.format_date(day) == words


def test_a_date_and_time_carry_the_zone() -> None:
    assert p.format_date_time(SUNDAY_MORNING, "WITA") == "Minggu, 2 Agustus 2026 · 07.45 WITA"


@needs_chromium
async def test_ticket_phone_page_and_tv_show_the_same_date(
    tmp_path: Path, printer: LoopbackPrinter, browser: Any
) -> None:
    """The same day on paper, on the phone and on the TV, in the building's zone.

    The server's clock reads UTC, as `antre server` without `--clock` does: every page must
    turn it into the building's time itself (a TV that took its zone from the server's
    timestamps showed 23.45 on Saturday, labelled WITA)."""
    clock = FakeClock(SUNDAY_MORNING.astimezone(UTC))
    async with serving(wita_building_open_on_sunday(), clock, tmp_path / "antre.db") as server:
        app = kiosk_app(server, printer.spec)
        async with started(app) as pilot:
            await choose(pilot, "SAMSAT", "E", None)
            await on_screen(pilot, "ResultScreen")
        ticket = decode(printer.tickets[0])
        (qr,) = ticket.qr_codes

        # A phone and a TV whose own clocks are on UTC, where it is still Saturday the 1st.
        context = await browser.new_context(timezone_id="UTC")
        phone = await context.new_page()
        await phone.goto(qr)
        tv = await context.new_page()
        token = demo_credentials()["TV-1"]
        await tv.goto(f"{server.running.http_url}/display?zone=1&token={token}")
        await tv.wait_for_function("() => window.antreTV && window.antreTV.connected")
        await tv.wait_for_function("() => window.antreTV.tzLabel === 'WITA'")

        on_paper = ticket.line(DATE).text
        on_phone = (await phone.text_content("#issued")) or ""
        on_tv = (await tv.text_content("#date")) or ""
        assert on_paper == "Minggu, 2 Agustus 2026 · 07.45 WITA"
        assert on_phone == "Minggu, 2 Agustus 2026 · 07.45 WITA"
        assert on_tv == "Minggu, 2 Agustus 2026 · WITA"
        assert ((await tv.text_content("#time")) or "").startswith("07.4")
        assert {on_paper.split(" · ")[0], on_phone.split(" · ")[0], on_tv.split(" · ")[0]} == {DATE}
        await context.close()


@needs_chromium
async def test_the_tv_script_writes_the_table_as_the_server_does(
    server: Server, browser: Any
) -> None:
    """display/web/tv.js's formatDate gives the hand-written words for every date of TABLE."""
    page = await browser.new_page()
    token = demo_credentials()["TV-1"]
    await page.goto(f"{server.running.http_url}/display?zone=1&token={token}")
    await page.wait_for_function("() => window.antreTV && window.antreTV.formatDate")
    # The TV reads a date with getUTC* after shifting it by the building's offset: a UTC date.
    dates = [[d.year, d.month - 1, d.day] for d, _ in TABLE]
    written = await page.evaluate(
        "(dates) => dates.map(([y, m, d]) => "
        "window.antreTV.formatDate(new Date(Date.UTC(y, m, d))))",
        dates,
    )
    assert written == [words for _, words in TABLE]
