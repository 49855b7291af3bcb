"""The kiosk of the second building (MPP Kabupaten Contoh, WITA) on days some agencies stay away.

A real Textual kiosk (`run_test`) against a real server and a loopback printer: on a Friday
Imigrasi (Monday–Thursday 08.00–14.00) and the KUA (Tuesdays) do not serve, and the citizen
reads so where the button would be, instead of a button that fails when pressed.
"""

from __future__ import annotations

import pytest
from hubtest import FakeClock, StartServer
from kabupaten import FRI, at, credentials, start_kabupaten
from kiosktest import LoopbackPrinter, click, kiosk_app, on_screen, started
from textual.widgets import Button

from kiosk.texts import Lang, days_in

OFF_IMIGRASI = "Hari ini tidak melayani — buka Senin–Kamis, pukul 08.00–14.00 WITA"


def button(app, selector: str) -> Button:
    return app.screen.query_one(selector, Button)


async def test_an_off_day_line_shows_its_days_instead_of_a_button(
    start_server: StartServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    printer: LoopbackPrinter,
) -> None:
    """Friday 09.00 WITA: Imigrasi's tile says it is closed today and when it opens; its line
    is greyed with the days and hours, promises no wait, and pressing it prints nothing."""
    clock.now = at(FRI, "09:00")
    server = await start_kabupaten(start_server, monkeypatch)
    app = kiosk_app(server, printer.spec, credentials()["KIOSK-1"])
    async with started(app) as pilot:
        assert "Tutup hari ini · buka Senin–Kamis" in button(app, "#agency-IMIGRASI").label.plain
        assert "Tutup hari ini · buka Selasa" in button(app, "#agency-KUA").label.plain
        assert "Tutup" not in button(app, "#agency-DUKCAPIL").label.plain

        await click(pilot, "#agency-IMIGRASI")
        await on_screen(pilot, "LinesScreen")
        line = button(app, "#line-F")
        assert line.disabled
        assert line.label.plain.splitlines()[-1].strip() == OFF_IMIGRASI
        assert "menit" not in line.label.plain
        await pilot.click("#line-F")
        await pilot.pause()
        assert type(app.screen).__name__ == "LinesScreen"
        assert not server.engine.state.tickets and not printer.tickets

        await pilot.press("escape")
        await on_screen(pilot, "AgencyScreen")
        await click(pilot, "#lang")
        await on_screen(pilot, "AgencyScreen")
        await click(pilot, "#agency-IMIGRASI")
        await on_screen(pilot, "LinesScreen")
        assert button(app, "#line-F").label.plain.splitlines()[-1].strip() == (
            "Not served today — open Monday–Thursday, 08.00–14.00 WITA"
        )


async def test_a_line_that_serves_today_still_promises_its_wait(
    start_server: StartServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    printer: LoopbackPrinter,
) -> None:
    """The same Friday the police SKCK desk serves (Monday, Wednesday, Friday 08.00–12.00)."""
    clock.now = at(FRI, "09:00")
    server = await start_kabupaten(start_server, monkeypatch)
    app = kiosk_app(server, printer.spec, credentials()["KIOSK-1"])
    async with started(app) as pilot:
        assert "Tutup" not in button(app, "#agency-POLRES").label.plain
        await click(pilot, "#agency-POLRES")
        await on_screen(pilot, "LinesScreen")
        line = button(app, "#line-S")
        assert not line.disabled and "0 orang menunggu" in line.label.plain


# The tile of an agency closed today names its days; the messages are the core's (docs/
# configuration.md, "Part-week services"), the English by hand.
DAYS_IN = [
    ("Senin–Kamis, pukul 08.00–14.00 WITA", "Senin–Kamis", "Monday–Thursday"),
    (
        "Senin, Rabu, dan Jumat, pukul 08.00–12.00 WITA",
        "Senin, Rabu, dan Jumat",
        "Monday, Wednesday, and Friday",
    ),
    ("Selasa dan Kamis", "Selasa dan Kamis", "Tuesday and Thursday"),
]


@pytest.mark.parametrize(("when", "days_id", "days_en"), DAYS_IN)
def test_an_agency_tile_names_every_day_it_opens(when: str, days_id: str, days_en: str) -> None:
    message = f"Hari ini tidak melayani — buka {when}"
    assert days_in(message, Lang.ID, with_hours=False) == days_id
    assert days_in(message, Lang.EN, with_hours=False) == days_en
