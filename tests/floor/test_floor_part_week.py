"""The floor dashboard of the second building on a Friday: a part-week line says it is not
serving today instead of sitting there like an open line with nobody waiting."""

from __future__ import annotations

import pytest
from hubtest import FakeClock, StartServer
from kabupaten import FRI, at, credentials, start_kabupaten
from test_floor_app import SIZE, cells, until

from display.floor import FloorApp


async def test_an_off_day_line_reads_not_serving_today(
    start_server: StartServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Friday: Imigrasi's F and the KUA's K read "tidak melayani hari ini" where the staffing
    hint stands; Dukcapil's A gets its hint as every day."""
    clock.now = at(FRI, "09:00")
    server = await start_kabupaten(start_server, monkeypatch)
    app = FloorApp(server.url, "LANTAI", credentials()["LANTAI"], clock=server.clock)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: cells(app, "lines", "line:F")[13] == "tidak melayani hari ini")
        assert cells(app, "lines", "line:K")[13] == "tidak melayani hari ini"
        assert cells(app, "lines", "line:A")[13] == "0"
