"""The counter's computer stays a known device for its officers across console restarts.

docs/protocol.md ("Guessing PINs"): a device that logged in with an id's right PIN keeps that
id's device cookie — the console in a file (`--device-file`) — and is then never held by
others' wrong PINs, while unknown devices together may send only 10. Strangers here are bare
websockets from 127.0.0.2 and 127.0.0.3.
"""

from __future__ import annotations

import json
import stat

from countertest import SIZE, console, log_in, text, until
from hubtest import Server
from textual.widgets import Static

from server import protocol as p


def login_error(app) -> str:
    return str(app.screen.query_one("#login-error", Static).render())


async def _strangers_spend_the_budget(server: Server) -> None:
    """Ten wrong PINs for DKP01 from two other addresses: unknown devices' budget is spent."""
    for address in ("127.0.0.2", "127.0.0.3"):
        for _ in range(5):
            raw = await server.raw(local_addr=(address, 0))
            await raw.send({**p.hello_officer("L05", "DKP01", "000000"), "id": "h"})
            await raw.expect("error")


async def test_the_counters_computer_stays_known_across_console_restarts(
    server: Server, tmp_path
) -> None:
    """DKP01 logs in once at L05 (the cookie lands in the console's file, readable by its owner
    only); strangers then spend the budget of unknown devices. A console restarted with the same
    file logs DKP01 in at once; one with a file of its own is told the id is held for unknown
    devices."""
    kept = tmp_path / "state" / "device-cookies.json"
    first = console(server, "L05", device_file=kept)
    async with first.run_test(size=SIZE) as pilot:
        await log_in(pilot, "DKP01")
        await until(pilot, lambda: "BUKA" in text(first, "counter-state"), "the open counter")
    assert set(json.loads(kept.read_text())) == {"DKP01"}
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600

    await _strangers_spend_the_budget(server)

    stranger = console(server, "L05", device_file=tmp_path / "elsewhere.json")
    async with stranger.run_test(size=SIZE) as pilot:
        await log_in(pilot, "DKP01")
        await until(pilot, lambda: "belum dikenal" in login_error(stranger), "the hold")
        assert not stranger.logged_in

    restarted = console(server, "L05", device_file=kept)
    async with restarted.run_test(size=SIZE) as pilot:
        await log_in(pilot, "DKP01")
        await until(pilot, lambda: "BUKA" in text(restarted, "counter-state"), "back at work")
        assert restarted.logged_in
