"""The dashboard when someone guesses a PIN: the alert, and the manager's unlock (key `u`).

A real server on loopback; the guesser is a bare websocket from 127.0.0.2, as a stranger's laptop
on the building's network would be. What the manager must see comes from docs/operations.md
("Floor dashboard", alerts): which id, whose, how many wrong PINs from which address — never a
PIN.
"""

from __future__ import annotations

from hubtest import Server, hello_for
from test_floor_app import SIZE, alert_keys, cells, dashboard, until
from textual.widgets import DataTable

from display.floor_screens import ConfirmScreen
from server import protocol as p

GUESS = "135791"


async def _hello_from(server: Server, address: str, hello: dict) -> dict:
    raw = await server.raw(local_addr=(address, 0))
    await raw.send({**hello, "id": "h"})
    return await raw.expect("welcome", "error")


async def test_a_guessed_pin_is_an_alert_and_the_manager_unlocks_it(server: Server) -> None:
    """Five wrong PINs for DKP01 from 127.0.0.2, then two from 127.0.0.3: the alerts table says
    "PIN DKP01 (Siti Rahmawati) salah 7 kali, dari 127.0.0.3 (2 kali), 127.0.0.2 (5 kali)" (the
    latest first) and shows no PIN. `u` on that row asks first; "Ya" unlocks: the row goes, and
    DKP01 gets in from 127.0.0.2 again."""
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model.building)
        for address, times in (("127.0.0.2", 5), ("127.0.0.3", 2)):
            for _ in range(times):
                await _hello_from(server, address, p.hello_officer("L01", "DKP01", GUESS))
        expected = (
            "PIN DKP01 (Siti Rahmawati) salah 7 kali, dari 127.0.0.3 (2 kali), 127.0.0.2 (5 kali)"
        )
        await until(pilot, lambda: cells(app, "alerts", "pin:DKP01")[1] == expected)
        table = app.query_one("#alerts", DataTable)
        shown = [c.plain for key in table.rows for c in table.get_row(key)]
        assert not any(GUESS in text for text in shown)
        held = await _hello_from(server, "127.0.0.2", hello_for("DKP01@L01"))
        assert held["code"] == "locked"

        app.set_focus(table)
        table.move_cursor(row=table.get_row_index("pin:DKP01"))
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "DKP01 (Siti Rahmawati)" in app.screen.question
        await pilot.click("#yes")
        await until(pilot, lambda: "pin:DKP01" not in alert_keys(app))
    back = await _hello_from(server, "127.0.0.2", hello_for("DKP01@L01"))
    assert back["type"] == "welcome"


async def test_a_held_manager_is_told_until_when(server: Server) -> None:
    """Five wrong PINs for LANTAI from this computer, then the dashboard with the right one: it is
    refused, and the manager reads the server's message — held on this computer until 09.01 WIB —
    not "check your PIN"."""
    for _ in range(5):
        await _hello_from(server, "127.0.0.1", p.hello_manager("LANTAI", GUESS))
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:

        def told() -> list[str]:
            return [n.message for n in app._notifications]

        await until(pilot, lambda: any("sampai pukul 09.01 WIB" in m for m in told()))
        assert not any("periksa ID" in m for m in told())
