"""When the printer or the network fails: no phantom numbers, plain words, alerts, recovery."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from escpos_decode import decode
from hubtest import Server, StartServer
from kiosktest import (
    LoopbackPrinter,
    Mood,
    alert,
    choose,
    click,
    floor_lines,
    kiosk_app,
    on_screen,
    screen_text,
    started,
    until,
)

OUT_OF_ORDER = "Mohon maaf, mesin sedang gangguan. Silakan menghubungi petugas."


@pytest.mark.parametrize(
    ("mood", "status", "words"),
    [
        (Mood.NO_PAPER, "paper_out", "Printer: kertas habis."),
        (Mood.OFFLINE, "offline", "Printer: printer mati atau penutupnya terbuka."),
        (Mood.SILENT, "offline", "Printer: printer tidak menjawab."),
    ],
)
async def test_printer_not_ready_takes_no_number_and_alerts_the_floor(
    server: Server, printer: LoopbackPrinter, mood: Mood, status: str, words: str
) -> None:
    """No paper, offline or silent: nothing is reserved, the kiosk says so, the floor is told,
    and the kiosk comes back by itself when the printer does."""
    floor = await server.client("LANTAI")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await choose(pilot, "DUKCAPIL", "A")
        printer.mood = mood
        await click(pilot, "#prio-none")
        await on_screen(pilot, "MaintenanceScreen")
        # The screen is pushed before its text is drawn: wait for the words, then check all.
        await until(pilot, lambda: words in screen_text(app), "the printer's words")
        assert OUT_OF_ORDER in screen_text(app)
        got = await alert(floor, status)
        assert got["kiosk"] == "KIOSK-1"
        lines = await floor_lines(server)
        assert (lines["A"]["issued"], lines["A"]["waiting"]) == (0, 0)
        assert printer.tickets == []
        # The roll is changed (the cover closed, the cable found): service resumes unattended.
        printer.mood = Mood.READY
        await on_screen(pilot, "AgencyScreen")
        await alert(floor, "ok")


async def test_connection_reset_mid_job_releases_the_number(
    server: Server, printer: LoopbackPrinter
) -> None:
    """A printer that drops the job halfway: the server is told, the number leaves the queue,
    the citizen reads what happened and the floor gets an error alert."""
    floor = await server.client("LANTAI")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await choose(pilot, "DUKCAPIL", "B")
        printer.mood = Mood.RESET
        printer.reset_after = 50
        await click(pilot, "#prio-none")
        await on_screen(pilot, "MessageScreen")
        shown = screen_text(app)
        assert "Tiket Anda tidak dapat dicetak (sambungan ke printer terputus)" in shown
        assert "nomornya dibatalkan" in shown and "Silakan menghubungi petugas" in shown
        await alert(floor, "error")
        snapshot = await floor.snapshot()
        (ticket,) = [t for t in snapshot["tickets"] if t["line"] == "B"]
        assert ticket["number"] == "B-001" and ticket["state"] == "cancelled"
        lines = await floor_lines(server)
        assert (lines["B"]["issued"], lines["B"]["waiting"]) == (1, 0)
        # The next citizen, once the printer behaves: a fresh number, printed whole.
        printer.mood = Mood.READY
        await click(pilot, "#home")
        await until(pilot, lambda: type(app.screen).__name__ == "AgencyScreen", "the start")
        await choose(pilot, "DUKCAPIL", "B", None)
        await on_screen(pilot, "ResultScreen")
    assert "B-002" in decode(printer.tickets[-1]).texts


async def test_paper_near_end_prints_and_warns_the_floor(
    server: Server, printer: LoopbackPrinter
) -> None:
    """Paper near its end: the ticket prints, and the floor is asked for a new roll."""
    floor = await server.client("LANTAI")
    printer.mood = Mood.NEAR_END
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await choose(pilot, "SAMSAT", "E", None)
        await on_screen(pilot, "ResultScreen")
        await alert(floor, "near_end")
    assert len(printer.tickets) == 1
    assert (await floor_lines(server))["E"]["waiting"] == 1


async def test_idle_kiosk_notices_a_dead_printer_and_recovers(
    server: Server, printer: LoopbackPrinter
) -> None:
    """An idle kiosk watches its printer: out of order while it is down, back after."""
    app = kiosk_app(server, printer.spec, printer_check_s=0.1)
    async with started(app) as pilot:
        printer.mood = Mood.NO_PAPER
        await on_screen(pilot, "MaintenanceScreen")
        await until(pilot, lambda: "Printer: kertas habis." in screen_text(app), "paper out")
        printer.mood = Mood.READY
        await on_screen(pilot, "AgencyScreen")


async def test_server_unreachable_then_back(
    start_server: StartServer, printer: LoopbackPrinter, tmp_path: Path
) -> None:
    """The server goes away: the kiosk says so; it comes back: the kiosk serves again."""
    db = str(tmp_path / "antre.db")
    first = await start_server(db=db)
    app = kiosk_app(first, printer.spec)
    async with started(app) as pilot:
        await start_server.stop(first)  # type: ignore[attr-defined]
        await on_screen(pilot, "MaintenanceScreen")
        gone = "Tidak terhubung ke server antrean."
        await until(pilot, lambda: gone in screen_text(app), "the server-down words")
        assert OUT_OF_ORDER in screen_text(app)
        second = await start_server(port=first.running.port, db=db)
        await on_screen(pilot, "AgencyScreen")
        await choose(pilot, "KPP", "R", None)
        await on_screen(pilot, "ResultScreen")
    assert (await floor_lines(second))["R"]["waiting"] == 1


def drop_reply_once(server: Server, after: Any = None) -> list[str]:
    """Make the hub process the first issue_ticket, then cut the kiosk's connection before the
    reply leaves (the worst moment: the number exists, the kiosk does not know it). Returns
    the request ids of every issue_ticket the hub receives."""
    hub = server.hub
    original = hub.requests.handlers["issue_ticket"]
    seen: list[str] = []

    async def issue_then_drop(session: Any, msg: dict[str, Any]) -> dict[str, Any]:
        seen.append(msg["request_id"])
        reply = await original(session, msg)
        if len(seen) == 1:
            session.ws.transport.abort()
            if after is not None:
                after()
        return reply

    hub.requests.handlers["issue_ticket"] = issue_then_drop
    return seen


async def test_reply_lost_retry_yields_exactly_one_ticket(
    server: Server, printer: LoopbackPrinter
) -> None:
    """A connection dropped after the number was made: the retry (same request id) gets the
    same number; one ticket printed, one in the queue."""
    seen = drop_reply_once(server)
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await choose(pilot, "IMIGRASI", "P", None)
        await on_screen(pilot, "ResultScreen")
        assert "P-001" in screen_text(app)
    assert len(seen) == 2 and seen[0] == seen[1]
    (job,) = printer.tickets
    assert "P-001" in decode(job).texts
    lines = await floor_lines(server)
    assert (lines["P"]["issued"], lines["P"]["waiting"]) == (1, 1)


async def test_try_again_after_an_outage_reuses_the_press(
    start_server: StartServer, printer: LoopbackPrinter, tmp_path: Path
) -> None:
    """The server dies before answering and stays down past the press's patience; "Coba lagi"
    once it is back gets the number made before the outage, not a second one."""
    db = str(tmp_path / "antre.db")
    first = await start_server(db=db)
    stopping: list[asyncio.Task[None]] = []
    seen = drop_reply_once(
        first,
        after=lambda: stopping.append(asyncio.create_task(start_server.stop(first))),  # type: ignore[attr-defined]
    )
    app = kiosk_app(first, printer.spec, issue_timeout_s=1.0, outage_grace_s=30.0)
    async with started(app) as pilot:
        await choose(pilot, "BPN", "S", None)
        await on_screen(pilot, "MessageScreen")
        shown = screen_text(app)
        assert "Tidak terhubung ke server antrean." in shown and "Coba lagi" in shown
        assert printer.tickets == []
        await asyncio.gather(*stopping)
        second = await start_server(port=first.running.port, db=db)
        await until(pilot, lambda: app.server_ok, "the reconnection")
        await click(pilot, "#retry")
        await on_screen(pilot, "ResultScreen")
        assert "S-001" in screen_text(app)
    assert len(seen) == 1
    (job,) = printer.tickets
    assert "S-001" in decode(job).texts
    lines = await floor_lines(second)
    assert (lines["S"]["issued"], lines["S"]["waiting"]) == (1, 1)


async def test_refused_token_is_out_of_order_and_says_why(
    server: Server, printer: LoopbackPrinter
) -> None:
    """A kiosk whose token the server refuses stops retrying and tells the staff to check it."""
    app = kiosk_app(server, printer.spec, token="not-a-kiosk-token")
    async with app.run_test(size=(140, 50)) as pilot:
        await on_screen(pilot, "MaintenanceScreen")
        await until(
            pilot,
            lambda: "menolak kios ini: periksa token perangkat" in screen_text(app),
            "the refusal",
        )
        assert OUT_OF_ORDER in screen_text(app)
