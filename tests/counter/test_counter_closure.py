"""Closing a counter in service hours (issue 23) on a real server: the officer asks from the
console (U, a reason), the floor manager decides from their own session, the console says where
the request stands; with the building's `closure_approval` on, Q in service hours is refused.

The floor manager here is a plain client logged in as LANTAI (Bambang Sutrisno, demo building),
sending `decide_closure` as the floor dashboard does. The demo building requires approval.
"""

from __future__ import annotations

from countertest import at_work, call_and_start, choose, events_of, issue, text, type_choice, until
from hubtest import Server
from textual.pilot import Pilot

from counter.app import CounterApp

WAITING = "Menunggu persetujuan pengelola: tutup loket (alasan: {})"


def closure_line(app: CounterApp) -> str:
    """The console's line on the closure request ("" when hidden)."""
    widget = app.part("closure")
    return str(widget.render()) if widget.display else ""


async def ask(pilot: Pilot, reason: str, *, typed: bool = False) -> None:
    """U, then a quick pick (or a typed reason); wait for the console to show it waiting."""
    app = pilot.app
    assert isinstance(app, CounterApp)
    await pilot.press("u")
    if typed:
        await type_choice(pilot, reason)
    else:
        await choose(pilot, reason)
    await until(pilot, lambda: closure_line(app) == WAITING.format(reason), "the waiting request")


async def test_approved_on_an_idle_counter_the_console_says_closed(server: Server) -> None:
    """A quick pick asks; the floor approves; the console says approved by whom and closed."""
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await ask(pilot, "Gangguan sistem instansi")
        assert "Permintaan tutup loket dikirim ke pengelola." in text(app, "notice")
        [asked] = await events_of(server, "closure_requested")
        assert (asked.counter, asked.officer, asked.reason) == (
            "L05",
            "DKP01",
            "Gangguan sistem instansi",
        )
        floor = await server.client("LANTAI")
        await floor.act("decide_closure", counter="L05", approve=True)
        await until(pilot, lambda: "TUTUP" in text(app, "counter-state"), "the closed counter")
        # The decision event names the manager (the closed counter's view no longer does).
        assert closure_line(app) == "Penutupan disetujui oleh Bambang Sutrisno. Loket ditutup."
    assert server.engine.state.counters["L05"].state.value == "closed"


async def test_approved_while_serving_finish_first_then_closed(server: Server) -> None:
    """Approved while C-001 is served: finish first; after Selesai the counter is closed."""
    await issue(server, "C")
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await call_and_start(pilot, "C-001")
        await ask(pilot, "Petugas sakit")
        floor = await server.client("LANTAI")
        await floor.act("decide_closure", counter="L05", approve=True)
        # The event names the manager by id; the snapshot the console asks for then by name.
        approved = (
            "Penutupan disetujui oleh Bambang Sutrisno. Selesaikan layanan ini; loket lalu ditutup."
        )
        await until(pilot, lambda: closure_line(app) == approved, "the approval")
        assert app.pending is None
        await pilot.press("n")  # no more calls: greyed out, nothing sent
        assert app.pending is None
        assert "BUKA" in text(app, "counter-state")
        assert server.engine.state.counters["L05"].state.value == "open"
        await pilot.press("f")
        await until(pilot, lambda: "TUTUP" in text(app, "counter-state"), "the closed counter")
        assert "C-001 selesai dilayani." in text(app, "notice")
        assert closure_line(app) == "Penutupan disetujui oleh Bambang Sutrisno. Loket ditutup."
    assert server.engine.state.counters["L05"].state.value == "closed"


async def test_refused_with_a_note_the_console_shows_it(server: Server) -> None:
    """A typed reason; the floor refuses with a note; the console shows the note and U asks
    again; the officer's next action clears it."""
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await ask(pilot, "Printer loket rusak", typed=True)
        floor = await server.client("LANTAI")
        note = "Antrean C masih panjang, tunggu teknisi"
        await floor.act("decide_closure", counter="L05", approve=False, note=note)
        await until(pilot, lambda: "ditolak" in closure_line(app), "the refusal")
        assert closure_line(app) == f"Permintaan tutup loket ditolak: {note}"
        assert "BUKA" in text(app, "counter-state")
        await pilot.press("p")
        await choose(pilot, "istirahat")
        await until(pilot, lambda: "JEDA" in text(app, "counter-state"), "the pause")
        assert closure_line(app) == ""
    assert server.engine.state.counters["L05"].state.value == "paused"


async def test_u_again_withdraws_the_request(server: Server) -> None:
    """While the floor has not decided, U withdraws the request."""
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await ask(pilot, "Pergantian petugas")
        await pilot.press("u")
        await until(pilot, lambda: closure_line(app) == "", "the withdrawal")
        assert "Permintaan tutup loket dibatalkan." in text(app, "notice")
        [withdrawn] = await events_of(server, "closure_withdrawn")
        assert (withdrawn.counter, withdrawn.officer) == ("L05", "DKP01")
        floor = await server.client("LANTAI")
        snap = await floor.snapshot()
        [mine] = [c for c in snap["counters"] if c["id"] == "L05"]
        assert mine["closure"] is None and mine["state"] == "open"


async def test_logout_in_service_hours_shows_the_servers_refusal(server: Server) -> None:
    """With approval required, Q at 09:00 is refused in the server's words; nothing changes."""
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await pilot.press("q")
        await choose(pilot, "ya")
        await until(pilot, lambda: "jam layanan" in text(app, "notice"), "the refusal")
        assert text(app, "notice") == (
            "Loket 5 masih dalam jam layanan: ajukan penutupan kepada pengelola lebih dulu "
            "(tombol U), atau jeda loket (P)"
        )
        assert app.logged_in and "BUKA" in text(app, "counter-state")
    status = server.engine.state.counters["L05"]
    assert status.officer == "DKP01" and status.state.value == "open"


async def test_brackets_in_the_reason_and_the_note_are_shown_as_typed(server: Server) -> None:
    """Square brackets are text, never markup: a reason holding "[/]" (a closing tag with nothing
    to close crashed the console) and a note holding a click action are shown literally."""
    reason = "Printer [/] rusak"
    note = "[@click=app.quit]x[/]"
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await ask(pilot, reason, typed=True)
        [asked] = await events_of(server, "closure_requested")
        assert asked.reason == reason
        floor = await server.client("LANTAI")
        await floor.act("decide_closure", counter="L05", approve=False, note=note)
        await until(pilot, lambda: "ditolak" in closure_line(app), "the refusal")
        assert closure_line(app) == "Permintaan tutup loket ditolak: [@click=app.quit]x[/]"
        assert app.is_running and "BUKA" in text(app, "counter-state")
