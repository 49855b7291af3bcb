"""The citizen's way through the kiosk, against a real server and a loopback network printer."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import datetime
from typing import Any

import pytest
from escpos_decode import decode
from hubtest import WIB, FakeClock, Server
from kiosktest import (
    LoopbackPrinter,
    choose,
    click,
    floor_lines,
    http_get,
    kiosk_app,
    on_screen,
    screen_text,
    started,
    track_screens,
    until,
)
from textual.pilot import Pilot

from kiosk.screens import AgencyScreen, LinesScreen


async def test_citizen_gets_a_printed_ticket_that_enters_the_queue(
    server: Server, printer: LoopbackPrinter
) -> None:
    """Agency, line, priority: the ticket reaches the printer whole, then the queue."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await choose(pilot, "DUKCAPIL", "A", "lansia")
        await on_screen(pilot, "ResultScreen")
        shown = screen_text(app)
        assert "Silakan ambil tiket Anda" in shown and "A-001" in shown
        assert "Mohon menunggu nomor Anda dipanggil" in shown

    (job,) = printer.tickets
    ticket = decode(job)
    number = ticket.line("A-001")
    assert number.bold and number.width >= 5 and number.height >= 5
    assert "MPP KOTA CONTOH" in ticket.texts
    assert "Dinas Kependudukan dan Pencatatan Sipil" in ticket.texts
    assert "Perekaman dan Cetak KTP-el" in ticket.texts
    assert "Senin, 23 November 2026 · 09.00 WIB" in ticket.texts
    assert "Antrean di depan Anda: 0 orang" in ticket.texts
    assert ticket.line("PRIORITAS").text.strip() == "PRIORITAS: LANSIA"
    assert ticket.cuts == ["partial"] and ticket.cut_at_end
    # The QR code carries the ticket's public page, and that page knows the ticket.
    (qr,) = ticket.qr_codes
    base = server.running.http_url
    assert qr.startswith(f"{base}/t/")
    status, page = await http_get(server, qr.removeprefix(base))
    assert status == 200 and "A-001" in page

    lines = await floor_lines(server)
    assert (lines["A"]["issued"], lines["A"]["waiting"], lines["A"]["waiting_priority"]) == (
        1,
        1,
        1,
    )


async def test_second_ticket_counts_the_first_as_ahead(
    server: Server, printer: LoopbackPrinter
) -> None:
    """The next citizen's ticket says one person is ahead; "Selesai" returns to the start."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        for _ in range(2):
            await choose(pilot, "SAMSAT", "E", None)
            await on_screen(pilot, "ResultScreen")
            await click(pilot, "#done")
            await on_screen(pilot, "AgencyScreen")
    first, second = (decode(job) for job in printer.tickets)
    assert "E-001" in first.texts and "Antrean di depan Anda: 0 orang" in first.texts
    assert "E-002" in second.texts and "Antrean di depan Anda: 1 orang" in second.texts
    assert not any("PRIORITAS" in t for t in second.texts)


async def test_lines_show_waiting_estimate_and_quota(
    server: Server, printer: LoopbackPrinter
) -> None:
    """Each line shows people waiting, the estimated wait and the quota left, live; before a
    counter of the line opens it promises no wait and says the counters are not open yet."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await click(pilot, "#agency-DUKCAPIL")
        await on_screen(pilot, "LinesScreen")
        label = app.screen.query_one("#line-A").label.plain
        assert "0 orang menunggu" in label and "sisa kuota 300" in label
        assert "perkiraan tunggu" not in label
        assert "Loket belum buka, nomor tetap dapat diambil" in label
        # L01 (line A only, target 10 minutes) opens: nobody ahead of a new ticket, one counter.
        await server.officer_at_work("DKP01@L01")
        await until(
            pilot,
            lambda: "perkiraan tunggu ± 10 menit" in app.screen.query_one("#line-A").label.plain,
            "the estimate once a counter is open",
        )
        # Another kiosk's citizen takes a number: this screen follows the server's figures.
        other = await server.client("KIOSK-2")
        ticket = await other.issue_ticket("A")
        await other.confirm_printed(ticket["id"])
        await until(
            pilot,
            lambda: "1 orang menunggu" in app.screen.query_one("#line-A").label.plain,
            "the pushed figures",
        )
        assert "sisa kuota 299" in app.screen.query_one("#line-A").label.plain


async def test_closed_line_is_greyed_with_its_reason(
    server: Server, printer: LoopbackPrinter, clock: FakeClock
) -> None:
    """After its cutoff a line stays on screen, greyed, saying why; it cannot be chosen."""
    clock.now = datetime(2026, 11, 23, 14, 45, tzinfo=WIB)  # A-C close at 14.30, D at 15.00
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await click(pilot, "#agency-DUKCAPIL")
        await on_screen(pilot, "LinesScreen")
        closed = app.screen.query_one("#line-A")
        assert closed.disabled and closed.has_class("closed")
        assert (
            "Tutup: Pengambilan nomor antrean untuk layanan ini sudah ditutup pukul 14.30 WIB"
            in closed.label.plain
        )
        assert not app.screen.query_one("#line-D").disabled
        await click(pilot, "#line-A")
        await pilot.pause()
        assert isinstance(app.screen, LinesScreen)
    assert printer.tickets == []


async def test_friday_break_says_when_service_reopens(
    server: Server, printer: LoopbackPrinter, clock: FakeClock
) -> None:
    """During the Friday prayer break every line says "Layanan dibuka kembali pukul 13.00 WIB"."""
    clock.now = datetime(2026, 11, 27, 12, 0, tzinfo=WIB)
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await click(pilot, "#agency-SAMSAT")
        await on_screen(pilot, "LinesScreen")
        for prefix in ("E", "F"):
            button = app.screen.query_one(f"#line-{prefix}")
            assert button.disabled
            assert "Layanan dibuka kembali pukul 13.00 WIB" in button.label.plain


async def test_quota_gone_leaves_priority_then_refuses_plainly(
    server: Server, printer: LoopbackPrinter
) -> None:
    """Walk-in quota gone: priority only; all gone while choosing: a plain refusal, no ticket."""
    other = await server.client("KIOSK-2")
    # Line N (PBG) has 40 walk-in and 5 priority numbers a day.
    await asyncio.gather(*(other.issue_ticket("N") for _ in range(40)))
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await choose(pilot, "DPMPTSP", "N")
        assert not app.screen.query("#prio-none")  # "Tidak" is not offered
        # The last priority numbers go to another kiosk while this citizen reads the question.
        await asyncio.gather(*(other.issue_ticket("N", priority="balita") for _ in range(5)))
        await click(pilot, "#prio-lansia")
        await on_screen(pilot, "MessageScreen")
        assert "Kuota layanan Persetujuan Bangunan Gedung (PBG) hari ini sudah habis" in (
            screen_text(app)
        )
        await click(pilot, "#home")
        await on_screen(pilot, "AgencyScreen")
        await click(pilot, "#agency-DPMPTSP")
        await on_screen(pilot, "LinesScreen")
        assert app.screen.query_one("#line-N").disabled
    assert printer.tickets == []
    assert (await floor_lines(server))["N"]["issued"] == 45


async def test_priority_only_line_is_labelled(server: Server, printer: LoopbackPrinter) -> None:
    """A line whose walk-in quota is gone says it still serves priority visitors."""
    other = await server.client("KIOSK-2")
    await asyncio.gather(*(other.issue_ticket("N") for _ in range(40)))
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await click(pilot, "#agency-DPMPTSP")
        await on_screen(pilot, "LinesScreen")
        button = app.screen.query_one("#line-N")
        assert not button.disabled
        assert "Kuota umum habis: hanya untuk layanan prioritas" in button.label.plain


async def test_idle_kiosk_returns_to_the_start(server: Server, printer: LoopbackPrinter) -> None:
    """A citizen who walks away mid-choice leaves the kiosk at the start again."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        seen = track_screens(app)
        await choose(pilot, "DUKCAPIL", "A")
        # Only now shorten the timeout (a slow machine must not time out mid-way there); any
        # key re-arms the idle timer with it.
        app.config = dataclasses.replace(app.config, idle_timeout_s=0.2)
        await pilot.press("x")
        await on_screen(pilot, "AgencyScreen")
        assert seen == ["LinesScreen", "PriorityScreen"]  # gone back without a detour
        assert app.issuer.pending is None
    assert printer.tickets == []


async def test_result_screen_returns_to_the_start(server: Server, printer: LoopbackPrinter) -> None:
    """ "Silakan ambil tiket Anda" gives way to the start by itself."""
    app = kiosk_app(server, printer.spec, result_timeout_s=0.3)
    async with started(app) as pilot:
        seen = track_screens(app)
        await choose(pilot, "POLRES", "G", None)
        await until(pilot, lambda: "ResultScreen" in seen, "the result")
        await on_screen(pilot, "AgencyScreen")
    assert seen[-2:] == ["PrintingScreen", "ResultScreen"]


async def test_english_toggle_and_back(server: Server, printer: LoopbackPrinter) -> None:
    """Bahasa Indonesia by default; "English" switches every screen, F2 switches back."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        assert "Selamat datang di MPP Kota Contoh" in screen_text(app)
        await click(pilot, "#lang")
        await until(pilot, lambda: "Welcome to MPP Kota Contoh" in screen_text(app), "English")
        await click(pilot, "#agency-DUKCAPIL")
        await on_screen(pilot, "LinesScreen")
        assert "0 waiting" in app.screen.query_one("#line-A").label.plain
        await click(pilot, "#line-A")
        await on_screen(pilot, "PriorityScreen")
        assert "Do you need priority service?" in screen_text(app)
        await pilot.press("f2")
        await until(
            pilot,
            lambda: "Apakah Anda termasuk layanan prioritas?" in screen_text(app),
            "Indonesian",
        )


async def test_keyboard_alone_gets_a_ticket(server: Server, printer: LoopbackPrinter) -> None:
    """Enter on the focused buttons walks the whole way; Escape goes back a step."""
    app = kiosk_app(server, printer.spec)

    async def enter_on(button: str) -> None:
        # The start screen may recompose once more when the building arrives late, taking the
        # focus (and a key pressed in that instant) away: then focus and press again.
        before = app.screen
        for _attempt in range(3):
            focused = lambda: getattr(app.focused, "id", None) == button  # noqa: E731
            await until(pilot, focused, f"focus {button}")
            await pilot.press("enter")
            for _ in range(40):
                if app.screen is not before:
                    return
                await pilot.pause(0.05)

    async with started(app) as pilot:
        await enter_on("agency-DUKCAPIL")  # the first agency has the focus
        await on_screen(pilot, "LinesScreen")
        await pilot.press("escape")
        await on_screen(pilot, "AgencyScreen")
        await enter_on("agency-DUKCAPIL")
        await on_screen(pilot, "LinesScreen")
        await enter_on("line-A")  # its first open line
        await on_screen(pilot, "PriorityScreen")
        await enter_on("prio-lansia")  # the first answer
        await on_screen(pilot, "ResultScreen")
    assert len(printer.tickets) == 1


async def take_a_ticket_and_leave(pilot: Pilot[Any]) -> None:
    """A citizen takes a J ticket (BPJS Kesehatan) and the kiosk is back at its start."""
    await choose(pilot, "BPJSKES", "J", None)
    await on_screen(pilot, "ResultScreen")
    await click(pilot, "#done")
    await on_screen(pilot, "AgencyScreen")


async def test_reprint_for_the_floor_staff_is_marked_and_logged(
    server: Server, printer: LoopbackPrinter, caplog: pytest.LogCaptureFixture
) -> None:
    """F9 reprints the last ticket marked "(CETAK ULANG)", recorded by the server and logged;
    the queue is untouched."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await take_a_ticket_and_leave(pilot)
        with caplog.at_level(logging.WARNING, logger="antre.kiosk"):
            await pilot.press("f9")
            await until(pilot, lambda: len(printer.tickets) == 2, "the reprint")
    original, copy = (decode(job) for job in printer.tickets)
    assert "J-001" in copy.texts and "(CETAK ULANG)" in copy.texts
    assert "(CETAK ULANG)" not in original.texts
    assert copy.qr_codes == original.qr_codes
    assert any("REPRINT" in r.message and "J-001" in r.message for r in caplog.records)
    assert (await floor_lines(server))["J"]["issued"] == 1
    (ticket,) = [t for t in server.engine.state.tickets.values() if t.number == "J-001"]
    assert (ticket.state.value, ticket.reprints) == ("waiting", 1)
    events = await server.engine.events_since(0)
    assert events is not None
    reprints = [e.event for e in events if e.event.kind == "ticket_reprinted"]
    assert [(e.ticket, e.kiosk) for e in reprints] == [(ticket.id, "KIOSK-1")]  # type: ignore[attr-defined]


async def test_no_copy_of_a_finished_number(
    server: Server, printer: LoopbackPrinter, caplog: pytest.LogCaptureFixture
) -> None:
    """A number already served gets no second paper: the server refuses and the printer stays
    idle."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await take_a_ticket_and_leave(pilot)
        officer = await server.officer_at_work("BKS01@L14")
        for action in ("call_next", "start_service", "finish_service"):
            await officer.act(action)
        with caplog.at_level(logging.WARNING, logger="antre.kiosk"):
            await pilot.press("f9")
            await until(
                pilot,
                lambda: any("REPRINT of ticket J-001 refused" in r.message for r in caplog.records),
                "the refusal",
            )
    assert len(printer.tickets) == 1
    (ticket,) = [t for t in server.engine.state.tickets.values() if t.number == "J-001"]
    assert (ticket.state.value, ticket.reprints) == ("done", 0)


async def test_start_screen_waits_for_the_server(printer: LoopbackPrinter) -> None:
    """Before the first connection the start says it is connecting (no agencies to press)."""
    from hubtest import Server as _Server  # noqa: F401 - only the type is shared

    from kiosk.app import KioskApp, KioskConfig
    from kiosk.printer import open_printer

    app = KioskApp(
        KioskConfig("ws://127.0.0.1:9/ws", "no-token", outage_grace_s=60),
        open_printer(printer.spec),
    )
    async with app.run_test(size=(140, 50)) as pilot:
        await on_screen(pilot, "AgencyScreen")
        assert "Menghubungkan ke server antrean" in screen_text(app)
        assert isinstance(app.screen, AgencyScreen) and not app.screen.query(".agency")
