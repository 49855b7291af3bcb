"""A booked citizen at the kiosk: "Sudah pesan online", the code scanned or typed, the ticket.

The real kiosk app under run_test(), a loopback ESC/POS printer receiving the ticket's bytes, and
the real server of the demo building, where citizens booked through its `BookingsApi` at 06:00
(tests/kiosk/kiosk_bookings.py says which slot is early, on time or lapsed at the kiosk's hour).
A USB barcode scanner types like a keyboard: the whole code and Enter within a few milliseconds,
which tests/hub/keyburst.py sends exactly as the terminal driver would, as one burst.

What the server answers is written out here from docs/protocol.md (its refusal table and
`check_in`), not read from the server's code: the kiosk shows those words as they come.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date

from escpos_decode import decode
from hubtest import FakeClock, Server, StartServer, demo_building
from keyburst import ENTER, send_burst
from kiosk_bookings import MONDAY, at, book
from kiosktest import (
    LoopbackPrinter,
    Mood,
    choose,
    click,
    floor_lines,
    kiosk_app,
    on_screen,
    screen_text,
    started,
    track_screens,
    until,
)
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from kiosk.app import KioskApp
from server.core.bookings import BookingState

TUESDAY = date(2026, 11, 24)
# The server's words (docs/protocol.md, "Refusals"), for the demo building's WIB.
NOT_FOUND = "Kode pesanan tidak ditemukan; periksa kembali kodenya"
CANCELLED = "Pesanan ini sudah dibatalkan"
OTHER_DAY = "Pesanan ini untuk Selasa, 24 November 2026, bukan untuk hari ini"
TOO_EARLY = "Lapor kedatangan untuk pesanan ini dibuka pukul 09.30 WIB; silakan kembali nanti"
LAPSED = "Pesanan hangus karena batas waktu lapor kedatangan sudah lewat"
BOOKED_LINE = "Pesanan online · jadwal 09.00 WIB"  # under the number, on paper and on screen
# The days of the fifty-scan burst (A books 14 days ahead), as the refusal names them.
DAYS = {
    date(2026, 11, 24): "Selasa, 24 November 2026",
    date(2026, 11, 25): "Rabu, 25 November 2026",
    date(2026, 11, 26): "Kamis, 26 November 2026",
    date(2026, 11, 27): "Jumat, 27 November 2026",
    date(2026, 11, 30): "Senin, 30 November 2026",
    date(2026, 12, 1): "Selasa, 1 Desember 2026",
    date(2026, 12, 2): "Rabu, 2 Desember 2026",
    date(2026, 12, 3): "Kamis, 3 Desember 2026",
    date(2026, 12, 4): "Jumat, 4 Desember 2026",
}


def shown(code: str) -> str:
    """A code as citizens read it (docs/protocol.md, "Booking codes"): K7QM-4TXA."""
    return f"{code[:4]}-{code[4:]}"


async def at_check_in(pilot: Pilot[KioskApp]) -> Input:
    """Touch "Sudah pesan online" and wait for the code field to hold the focus."""
    await click(pilot, "#booked")
    return await field_ready(pilot)


async def field_ready(pilot: Pilot[KioskApp]) -> Input:
    app = pilot.app
    await on_screen(pilot, "CheckInScreen")
    await until(pilot, lambda: getattr(app.focused, "id", None) == "code", "the code field")
    field = app.focused
    assert isinstance(field, Input)
    return field


def problem(app: KioskApp) -> str:
    """What the check-in screen says is wrong with the code read ("" when nothing)."""
    found = app.screen.query("#code-problem")
    return str(found.first(Static).render()) if found else ""


def answer(app: KioskApp) -> str:
    """The server's answer on the refusal screen ("" on any other screen)."""
    if type(app.screen).__name__ != "CheckInRefusedScreen":
        return ""
    found = app.screen.query("#message-body")
    return str(found.first(Static).render()) if found else ""


async def touch(pilot: Pilot[KioskApp], selector: str, *, finger: bool = False) -> None:
    """Press a button of the current screen: by its Pressed message, or (`finger`) with the
    mouse-down and up a touch screen sends, which also moves the focus to a focusable button.
    The first spares pilot.click's wait for every widget to go idle (0.4 s a click on a busy
    machine) where the focus is not the point."""
    await until(pilot, lambda: bool(pilot.app.screen.query(selector)), selector)
    if finger:
        await pilot.click(selector)
    else:
        pilot.app.screen.query_one(selector, Button).press()


async def scan(pilot: Pilot[KioskApp], typed: str) -> None:
    """A scanner reading a QR code that holds `typed`: every key and Enter at once."""
    send_burst(pilot.app, typed + ENTER)


def the_booking(server: Server, code: str) -> BookingState | None:
    booking = server.engine.state.bookings.get(code)
    return None if booking is None else booking.state


async def test_fifty_scans_in_a_row_arrive_whole(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """Fifty bookings of other days, each scanned as one burst of keys and Enter, in the forms
    a QR code or a citizen may give (the QR's ANTRE: prefix, with or without the dash, any
    case): each answer is that booking's own ("Pesanan ini untuk <its day>"), so the server got
    each code whole and in turn. A key lost, doubled or left over from the scan before makes
    another code (the kiosk refuses its form, or the server knows no such booking).
    Between scans the citizen touches "Ketik ulang kode"."""
    server = booked_server
    days = list(DAYS)
    bookings = []
    for i in range(50):  # two citizens a slot at most: A has four places in each
        slot = ("08:00", "09:00", "10:00")[(i // len(days)) % 3]
        day = days[i % len(days)]
        bookings.append((await book(server, slot, i + 1, day=day), day))
    forms = [
        lambda c: f"ANTRE:{c}",  # the QR code's content, as the scanner types it
        lambda c: c,
        lambda c: shown(c),
        lambda c: shown(c).lower(),
    ]
    server.clock.now = at("08:40")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await at_check_in(pilot)
        for i, (view, day) in enumerate(bookings):
            await scan(pilot, forms[i % len(forms)](view.code))
            await until(pilot, lambda: answer(app) or problem(app), f"scan {i + 1}")
            assert answer(app) == f"Pesanan ini untuk {DAYS[day]}, bukan untuk hari ini", (
                f"scan {i + 1} of {view.code}: {problem(app) or answer(app)}"
            )
            await touch(pilot, "#again")
            await field_ready(pilot)
    assert printer.tickets == []
    assert server.engine.state.tickets == {}


async def test_a_scanned_booking_prints_its_ticket_into_the_queue(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """On time (08.40 for the 09.00 slot): the walk-in ticket plus "Pesanan online · jadwal
    09.00 WIB" on paper, the booking's code shown K7QM-4TXA on screen, the ticket confirmed on
    the server (it waits in line A) and the citizen's booking page names the number."""
    server = booked_server
    view = await book(server, "09:00", 1)
    server.clock.now = at("08:40")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await at_check_in(pilot)
        await scan(pilot, "ANTRE:" + view.code)  # what the booking page's QR code holds
        await on_screen(pilot, "ResultScreen")
        text = screen_text(app)
        assert "Silakan ambil tiket Anda" in text and "\nA-001\n" in text
        assert f"\n{BOOKED_LINE}\n" in text
        assert f"\nKode pesanan {shown(view.code)}\n" in text
        await until(pilot, lambda: server.engine.state.tickets, "the ticket on the server")
    (job,) = printer.tickets
    ticket = decode(job)
    texts = ticket.texts
    assert texts[texts.index("A-001") + 1] == BOOKED_LINE
    assert "Perekaman dan Cetak KTP-el" in texts and ticket.cut_at_end
    (qr,) = ticket.qr_codes
    assert qr.startswith(f"{server.running.http_url}/t/")
    lines = await floor_lines(server)
    assert (lines["A"]["issued"], lines["A"]["waiting"]) == (1, 1)
    page = await server.running.bookings.booking(view.token)
    assert page is not None and (page.state, page.ticket_number) == ("checked_in", "A-001")


async def test_touched_keys_type_the_code_and_keep_the_focus_in_the_field(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """The on-screen keys type (a wrong one erased with "Hapus") and "Lanjut" sends; a touch
    never takes the focus from the field, so a scan right after touches still arrives whole."""
    server = booked_server
    code = (await book(server, "09:00", 1)).code
    tomorrow = (await book(server, "09:00", 2, day=TUESDAY)).code
    server.clock.now = at("08:40")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        field = await at_check_in(pilot)
        wrong = next(ch for ch in "ACDE" if ch != code[2])
        # A finger is slower than the screen: each touch is seen before the next.
        touches = [(f"#key-{code[0]}", code[:1]), (f"#key-{code[1]}", code[:2])]
        touches += [(f"#key-{wrong}", code[:2] + wrong), ("#erase", code[:2])]
        touches += [(f"#key-{ch}", code[: 3 + i]) for i, ch in enumerate(code[2:])]
        for n, (key, typed) in enumerate(touches):
            await touch(pilot, key, finger=n == 0 or key == "#erase")
            await until(pilot, lambda typed=typed: field.value == typed, f"{key}: {typed}")
            assert app.focused is field
        await touch(pilot, "#go")
        await on_screen(pilot, "ResultScreen")
        assert "\nA-001\n" in screen_text(app)
        await touch(pilot, "#done")
        field = await at_check_in(pilot)
        await touch(pilot, "#key-C", finger=True)  # a touch, then the citizen scans after all
        await until(pilot, lambda: field.value == "C", "the touched key")
        await touch(pilot, "#erase", finger=True)
        await until(pilot, lambda: field.value == "", "the key erased")
        await scan(pilot, shown(tomorrow))
        await until(pilot, lambda: answer(app) or problem(app), "the scan")
        assert answer(app) == OTHER_DAY
    assert len(printer.tickets) == 1


async def test_a_malformed_code_is_refused_at_once_without_the_server(
    server: Server, printer: LoopbackPrinter
) -> None:
    """A look-alike character or a wrong length is answered on the spot, in Indonesian, and the
    field is emptied for the next try; the server hears of none of them (no server words)."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        field = await at_check_in(pilot)
        await scan(pilot, "K0QM-4TXA")
        await until(pilot, lambda: problem(app), "the refusal")
        assert problem(app) == (
            "Kode pesanan tidak pernah memuat “0”. Periksa kembali kode Anda: 8 huruf dan "
            "angka, misalnya K7QM-4TXA. Terbaca: K0QM-4TXA"
        )
        assert field.value == "" and app.focused is field
        await scan(pilot, "k7qm-4tx")
        await until(pilot, lambda: "Terbaca 7" in problem(app), "the second refusal")
        assert problem(app) == (
            "Kode pesanan terdiri dari 8 huruf dan angka, misalnya K7QM-4TXA. "
            "Terbaca 7 karakter: k7qm-4tx"
        )
        await scan(pilot, "")
        await until(pilot, lambda: "Silakan pindai" in problem(app), "the empty code")
        assert type(app.screen).__name__ == "CheckInScreen"
    assert printer.tickets == []
    assert server.engine.state.tickets == {}


async def test_each_refusal_shows_the_servers_words_and_prints_nothing(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """Unknown, cancelled, another day's, too early: the server's own Indonesian words (its
    English by the code when the citizen switched language), and nothing is printed."""
    server = booked_server
    gone = await book(server, "09:00", 1)
    await server.running.bookings.cancel(gone.token)
    tomorrow = await book(server, "09:00", 2, day=TUESDAY)
    early = await book(server, "10:00", 3)  # at 08.40; its window opens at 09.30
    december = await book(server, "09:00", 4, day=date(2026, 12, 2))
    server.clock.now = at("08:40")
    expected = [
        ("ACDE-FGHJ", NOT_FOUND),  # nobody's code
        (gone.code, CANCELLED),
        (tomorrow.code, OTHER_DAY),
        (december.code, "Pesanan ini untuk Rabu, 2 Desember 2026, bukan untuk hari ini"),
        (early.code, TOO_EARLY),
    ]
    english = {
        early.code: "Too early to check in. Please come back at 09.30 WIB.",
        december.code: "This booking is for another day: Wednesday, 2 December 2026.",
    }
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await at_check_in(pilot)
        for code, words in expected:
            await scan(pilot, code)
            await on_screen(pilot, "CheckInRefusedScreen")
            text = screen_text(app)
            assert text.startswith(f"Mohon maaf\n{words}\n"), text
            assert "Ketik ulang kode" in text and "Selesai" in text
            if code in english:
                await pilot.press("f2")
                await until(pilot, lambda: "Sorry" in screen_text(app), "the English")
                assert english[code] in screen_text(app)
                await pilot.press("f2")
                await until(pilot, lambda: "Mohon maaf" in screen_text(app), "the Indonesian")
            await touch(pilot, "#again")
            await field_ready(pilot)
    assert printer.tickets == []
    assert server.engine.state.tickets == {}
    assert the_booking(server, early.code) is BookingState.BOOKED  # it may still check in


async def test_a_check_in_past_closing_is_refused_with_the_buildings_hours(
    start_server: StartServer, clock: FakeClock, printer: LoopbackPrinter
) -> None:
    """Line A's bookings may check in until 150 minutes after their slot here: the 14.00 slot's
    window runs past the building's 16.00 closing. At 16.10 no number is printed that nobody
    would call (docs/bookings.md): the server's hours refusal, on the check-in's answer screen
    with "Ketik ulang kode", as every refusal of a check-in; in English too."""
    demo = demo_building()
    late = tuple(
        replace(ln, booking=replace(ln.booking, check_in_late_min=150))
        if ln.prefix == "A" and ln.booking is not None
        else ln
        for ln in demo.lines
    )
    clock.now = at("06:00")
    server = await start_server(building=replace(demo, lines=late))
    view = await book(server, "14:00", 1)
    server.clock.now = at("16:10")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await at_check_in(pilot)
        await scan(pilot, view.code)
        await on_screen(pilot, "CheckInRefusedScreen")
        text = screen_text(app)
        assert text.startswith("Mohon maaf\nLayanan hari ini sudah tutup pukul 16.00 WIB\n")
        assert "Ketik ulang kode" in text and "Selesai" in text
        await pilot.press("f2")
        await until(pilot, lambda: "Sorry" in screen_text(app), "the English")
        assert "Service closed for today at 16.00 WIB" in screen_text(app)
        await pilot.press("f2")
        await until(pilot, lambda: "Mohon maaf" in screen_text(app), "the Indonesian")
        await touch(pilot, "#again")
        await field_ready(pilot)
    assert printer.tickets == [] and server.engine.state.tickets == {}


async def test_a_lapsed_booking_offers_a_walk_in_number_when_the_line_allows(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """Lapsed at 08.40 (the 07.30 slot's window closed at 07.45), line A still issuing: the
    server's words and one touch to line A's own priority question, then the ordinary walk-in
    ticket (no booking line on it). Lapsed at 14.31 (the 14.00 slot's window closed at 14.15),
    after A's 14.30 cutoff: the words only."""
    server = booked_server
    morning = await book(server, "07:30", 1)
    afternoon = await book(server, "14:00", 2)
    server.clock.now = at("08:40")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await at_check_in(pilot)
        await scan(pilot, morning.code)
        await on_screen(pilot, "CheckInRefusedScreen")
        text = screen_text(app)
        assert text.startswith(f"Mohon maaf\n{LAPSED}\n")
        assert "Anda masih dapat mengambil nomor antrean biasa untuk layanan ini." in text
        assert "Ambil nomor antrean A · Perekaman dan Cetak KTP-el" in text
        await touch(pilot, "#walk-in")
        await on_screen(pilot, "PriorityScreen")
        await click(pilot, "#prio-none")
        await on_screen(pilot, "ResultScreen")
        assert "A-001" in screen_text(app) and "Pesanan" not in screen_text(app)
        await touch(pilot, "#done")
        server.clock.now = at("14:31")
        await at_check_in(pilot)
        await scan(pilot, afternoon.code)
        await on_screen(pilot, "CheckInRefusedScreen")
        assert answer(app) == LAPSED and not app.screen.query("#walk-in")
        assert "nomor antrean biasa" not in screen_text(app)
    (job,) = printer.tickets
    texts = decode(job).texts
    assert "A-001" in texts and not any("Pesanan" in t for t in texts)


async def test_a_second_scan_shows_the_first_number_and_prints_nothing(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """Scanning twice prints no second number: the kiosk shows the first one, large, the
    server's words naming it, and says that a reprint is the staff's to make."""
    server = booked_server
    view = await book(server, "09:00", 1)
    server.clock.now = at("08:40")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await at_check_in(pilot)
        await scan(pilot, view.code)
        await on_screen(pilot, "ResultScreen")
        await touch(pilot, "#done")
        await on_screen(pilot, "AgencyScreen")
        server.clock.now = at("08:50")
        await at_check_in(pilot)
        await scan(pilot, shown(view.code).lower())
        await on_screen(pilot, "CheckInRefusedScreen")
        text = screen_text(app)
        assert text.startswith("Nomor antrean Anda sudah dicetak\n")
        assert "\nA-001\n" in text
        assert "Pesanan ini sudah lapor kedatangan dengan nomor antrean A-001" in text
        assert (
            "Kios tidak mencetak nomor kedua. Tiket hilang? Silakan minta cetak ulang kepada "
            "petugas." in text
        )
        assert not app.screen.query("#again")
        await touch(pilot, "#home")
        await on_screen(pilot, "AgencyScreen")
    assert len(printer.tickets) == 1
    lines = await floor_lines(server)
    assert lines["A"]["issued"] == 1


async def test_a_scan_while_another_kiosk_prints_its_ticket_prints_nothing(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """The citizen scans here while KIOSK-2 is still printing the booking's ticket: the number
    is not theirs until the paper is out, so the kiosk shows the server's words and prints
    nothing; once KIOSK-2's ticket is printed, a scan shows the number as already printed."""
    server = booked_server
    view = await book(server, "09:00", 1)
    server.clock.now = at("08:40")
    other = await server.client("KIOSK-2")
    first = await other.check_in(view.code)
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await at_check_in(pilot)
        await scan(pilot, view.code)
        await until(pilot, lambda: answer(app), "the answer")
        assert answer(app) == (
            "Tiket pesanan ini sedang dicetak dengan nomor antrean A-001; silakan tunggu "
            "tiketnya keluar"
        )
        assert "Ketik ulang kode" in screen_text(app)
        await other.confirm_printed(first["id"])
        await touch(pilot, "#again")
        await field_ready(pilot)
        await scan(pilot, view.code)
        await until(pilot, lambda: "sudah dicetak" in screen_text(app), "the number printed")
        assert "\nA-001\n" in screen_text(app)
    assert printer.tickets == []


async def test_no_check_in_while_the_printer_cannot_print(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """Out of paper: the code is not even sent (no ticket reserved for a printer that cannot
    print it, the booking still booked); the kiosk is out of order until the paper is back."""
    server = booked_server
    view = await book(server, "09:00", 1)
    server.clock.now = at("08:40")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await at_check_in(pilot)
        printer.mood = Mood.NO_PAPER
        await scan(pilot, view.code)
        await on_screen(pilot, "MaintenanceScreen")
        assert "kertas habis" in screen_text(app)
    assert printer.tickets == [] and server.engine.state.tickets == {}
    assert the_booking(server, view.code) is BookingState.BOOKED


async def test_a_failed_print_keeps_the_booking_for_another_try(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """The printer dies mid-ticket: the number is released, the citizen is told the booking
    still stands (it is booked again on the server), and a second scan once the printer is back
    prints the ticket, with its booking line."""
    server = booked_server
    view = await book(server, "09:00", 1)
    server.clock.now = at("08:40")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await at_check_in(pilot)
        printer.mood = Mood.RESET
        await scan(pilot, view.code)
        await on_screen(pilot, "MessageScreen")
        assert "Pesanan Anda tetap berlaku; silakan menghubungi petugas." in screen_text(app)
        await until(
            pilot,
            lambda: the_booking(server, view.code) is BookingState.BOOKED,
            "the booking booked again",
        )
        printer.mood = Mood.READY
        await touch(pilot, "#home")
        await at_check_in(pilot)
        await scan(pilot, view.code)
        await on_screen(pilot, "ResultScreen")
        assert "\nA-002\n" in screen_text(app)
    printed = decode(printer.tickets[-1]).texts
    assert printed[printed.index("A-002") + 1] == BOOKED_LINE
    tickets = {t.number: t.state.value for t in server.engine.state.tickets.values()}
    assert tickets["A-002"] in ("waiting", "printing")
    assert tickets["A-001"] != "waiting"
    page = await server.running.bookings.booking(view.token)
    assert page is not None and page.ticket_number == "A-002"


async def test_the_check_in_screens_return_to_the_start_when_left_alone(
    server: Server, printer: LoopbackPrinter
) -> None:
    """A half-typed code, or a refusal nobody reads to the end: back to the start after the
    idle time, like every kiosk screen. (The idle time is made short only once each screen is
    up: a short one from the start would race the test's own clicks on a busy machine.)"""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        field = await at_check_in(pilot)
        app.config = dataclasses.replace(app.config, idle_timeout_s=0.3)
        send_burst(app, "K7QM")  # keys restart the idle time: now the short one
        await until(pilot, lambda: field.value == "K7QM", "the half-typed code")
        await on_screen(pilot, "AgencyScreen")
        app.config = dataclasses.replace(app.config, idle_timeout_s=60)
        send_burst(app, "x")  # the short idle time, restarted by the way home, is over
        await at_check_in(pilot)
        await scan(pilot, "NNNN3333")
        await on_screen(pilot, "CheckInRefusedScreen")
        assert answer(app) == NOT_FOUND
        app.config = dataclasses.replace(app.config, idle_timeout_s=0.3)
        send_burst(app, "x")  # a key nobody uses here: only the idle time restarts
        await on_screen(pilot, "AgencyScreen")
        assert len(app.screen_stack) == 2  # nothing left under the start


async def test_a_scan_before_touching_the_button_still_checks_in(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """A booked citizen scans at the start, or on a line's priority question, without touching
    "Sudah pesan online": the scan's Enter presses no button there (no agency opened, no
    "Lansia" ticket printed); the code is checked in as if scanned on the check-in screen."""
    server = booked_server
    ktp = await book(server, "09:00", 1)
    kk = await book(server, "09:30", 2, line="B")  # Kartu Keluarga: hourly slots from 07.30
    server.clock.now = at("09:05")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        seen = track_screens(app)
        await scan(pilot, shown(ktp.code))
        await on_screen(pilot, "ResultScreen")
        assert BOOKED_LINE in screen_text(app)
        assert seen == ["CheckInScreen", "PrintingScreen", "ResultScreen"]
        await touch(pilot, "#done")
        await on_screen(pilot, "AgencyScreen")
        await choose(pilot, "SAMSAT", "E")  # on to the priority question, focus on "Lansia"
        await scan(pilot, "ANTRE:" + kk.code)
        await on_screen(pilot, "ResultScreen")
        text = screen_text(app)
        assert "\nPesanan online · jadwal 09.30 WIB\n" in text and "\nB-001\n" in text
    numbers = [decode(job).texts for job in printer.tickets]
    assert [("A-001" in t, "B-001" in t) for t in numbers] == [(True, False), (False, True)]
    assert not any("PRIORITAS" in line for t in numbers for line in t)
    assert not any(t.line == "E" for t in server.engine.state.tickets.values())


async def test_a_scan_on_an_answer_screen_is_the_next_check_in(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """The right code scanned over an "unknown code" answer is checked in; a scan while the
    last ticket's number is still up (the same booking again) shows that number. Neither
    Enter presses the answer's focused button."""
    server = booked_server
    view = await book(server, "09:00", 1)
    server.clock.now = at("08:40")
    wrong = view.code[:7] + next(ch for ch in "ACDE" if ch != view.code[7])
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await at_check_in(pilot)
        await scan(pilot, shown(wrong))  # one character off
        await on_screen(pilot, "CheckInRefusedScreen")
        assert answer(app) == NOT_FOUND
        seen = track_screens(app)
        await scan(pilot, shown(view.code))
        await on_screen(pilot, "ResultScreen")
        assert seen == ["PrintingScreen", "ResultScreen"]  # the check-in screen under it, again
        await scan(pilot, shown(view.code))
        await on_screen(pilot, "CheckInRefusedScreen")
        assert "Nomor antrean Anda sudah dicetak" in screen_text(app)
    assert len(printer.tickets) == 1


async def test_a_scanner_ending_with_cr_lf_or_lf_checks_in_once(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """Scanners end a code with Enter (CR) by default; some are set to CR LF or LF. LF alone
    ends the code too, and CR LF sends it once: one check-in, one ticket each."""
    server = booked_server
    ktp = await book(server, "09:00", 1)
    kk = await book(server, "09:30", 2, line="B")
    server.clock.now = at("09:05")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await at_check_in(pilot)
        send_burst(app, f"ANTRE:{ktp.code}\r\n")
        await on_screen(pilot, "ResultScreen")
        await touch(pilot, "#done")
        await at_check_in(pilot)
        send_burst(app, f"{shown(kk.code)}\n")
        await on_screen(pilot, "ResultScreen")
        assert "B-001" in screen_text(app)
    assert len(printer.tickets) == 2
    numbers = sorted(t.number for t in server.engine.state.tickets.values())
    assert numbers == ["A-001", "B-001"]


def test_the_days_named_here_are_the_calendars() -> None:
    """The hand-written weekdays of DAYS and MONDAY, checked against Python's calendar."""
    names = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
    assert MONDAY.weekday() == 0
    for day, text in DAYS.items():
        assert text.split(",")[0] == names[day.weekday()]
