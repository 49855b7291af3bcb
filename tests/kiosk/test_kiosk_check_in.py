"""A booked citizen at the kiosk: "Sudah pesan online", the code scanned or typed, the ticket.

The real kiosk app under run_test(), a loopback ESC/POS printer, and a real server; `check_in`
is answered by tests/kiosk/booking_standin.py, which stands in for the booking server until
issue 19's server side is merged (every other frame goes through to the real server). A USB
barcode scanner types like a keyboard: the whole code and Enter within a few milliseconds,
which tests/hub/keyburst.py sends exactly as the terminal driver would, as one burst.
"""

from __future__ import annotations

import dataclasses
import random

from booking_standin import Booking, BookingStandIn
from escpos_decode import decode
from hubtest import Server
from keyburst import ENTER, send_burst
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

ALPHABET = "ACDEFGHJKMNPQRTUVWXY3467"  # the booking design's, written out here on purpose
TOO_EARLY = "Belum waktunya lapor kedatangan. Silakan kembali pukul 08.30 WIB."
LAPSED = "Pesanan hangus: waktu lapor kedatangan pukul 09.15 WIB sudah lewat."


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


async def test_fifty_scans_in_a_row_arrive_whole(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn, rng: random.Random
) -> None:
    """Fifty codes, each scanned as one burst of keys and Enter, in the forms a QR code or a
    citizen may give (with or without the dash, any case): the server is asked for each code
    exactly once and whole, in order; no key lost, none doubled, none from the scan before.
    Between scans the citizen touches "Ketik ulang kode", as after an unknown code."""
    codes = ["".join(rng.choice(ALPHABET) for _ in range(8)) for _ in range(50)]
    forms = [lambda c: c, lambda c: f"{c[:4]}-{c[4:]}", lambda c: f"{c[:4]}-{c[4:]}".lower()]
    app = kiosk_app(server, printer.spec, via=standin.url)
    async with started(app) as pilot:
        await at_check_in(pilot)
        for i, code in enumerate(codes):
            await scan(pilot, forms[i % 3](code))
            await until(
                pilot, lambda n=i + 1: len(standin.received) == n or problem(app), f"scan {i + 1}"
            )
            assert standin.received == codes[: i + 1], f"scan {i + 1}: {problem(app)}"
            await on_screen(pilot, "CheckInRefusedScreen")
            assert "Kode pesanan tidak ditemukan." in screen_text(app)
            await touch(pilot, "#again")
            await field_ready(pilot)
    assert standin.received == codes
    assert printer.tickets == []


async def test_a_scanned_booking_prints_its_ticket_into_the_queue(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn
) -> None:
    """Checked in: the walk-in ticket plus "Pesanan online · jadwal 09.00 WIB", printed and
    confirmed on the server (it waits in line A), then the confirmation screen."""
    standin.bookings["K7QM4TXA"] = Booking("A", "09.00 WIB")
    app = kiosk_app(server, printer.spec, via=standin.url)
    async with started(app) as pilot:
        await at_check_in(pilot)
        await scan(pilot, "K7QM-4TXA")
        await on_screen(pilot, "ResultScreen")
        shown = screen_text(app)
        assert "Silakan ambil tiket Anda" in shown and "A-001" in shown
        assert "Pesanan online · jadwal 09.00 WIB" in shown
        await until(pilot, lambda: server.engine.state.tickets, "the ticket on the server")
    assert standin.received == ["K7QM4TXA"]
    (job,) = printer.tickets
    ticket = decode(job)
    texts = ticket.texts
    assert texts[texts.index("A-001") + 1] == "Pesanan online · jadwal 09.00 WIB"
    assert "Perekaman dan Cetak KTP-el" in texts and ticket.cut_at_end
    (qr,) = ticket.qr_codes
    assert qr.startswith(f"{server.running.http_url}/t/")
    lines = await floor_lines(server)
    assert (lines["A"]["issued"], lines["A"]["waiting"]) == (1, 1)


async def test_touched_keys_type_the_code_and_keep_the_focus_in_the_field(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn
) -> None:
    """The on-screen keys type (a wrong one erased with "Hapus") and "Lanjut" sends; a touch
    never takes the focus from the field, so a scan right after touches still arrives whole."""
    app = kiosk_app(server, printer.spec, via=standin.url)
    async with started(app) as pilot:
        field = await at_check_in(pilot)
        # A finger is slower than the screen: each touch is seen before the next.
        touches = [("#key-K", "K"), ("#key-7", "K7"), ("#key-Q", "K7Q"), ("#key-A", "K7QA")]
        touches += [("#erase", "K7Q"), ("#key-M", "K7QM")]
        touches += [(f"#key-{key}", "K7QM4TXA"[: 5 + i]) for i, key in enumerate("4TXA")]
        for key, shown in touches:
            await touch(pilot, key, finger=key in ("#key-K", "#erase"))
            await until(pilot, lambda shown=shown: field.value == shown, f"{key}: {shown}")
            assert app.focused is field
        await touch(pilot, "#go")
        await until(pilot, lambda: standin.received == ["K7QM4TXA"], "the touched code sent")
        await on_screen(pilot, "CheckInRefusedScreen")
        await touch(pilot, "#again")
        field = await field_ready(pilot)
        await touch(pilot, "#key-C", finger=True)  # a touch, then the citizen scans after all
        await until(pilot, lambda: field.value == "C", "the touched key")
        await touch(pilot, "#erase", finger=True)
        await until(pilot, lambda: field.value == "", "the key erased")
        await scan(pilot, "ACDE-FGHJ")
        await until(pilot, lambda: len(standin.received) == 2 or problem(app), "the scan")
    assert standin.received == ["K7QM4TXA", "ACDEFGHJ"]


async def test_a_malformed_code_is_refused_at_once_without_the_server(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn
) -> None:
    """A look-alike character or a wrong length is answered on the spot, in Indonesian, and the
    field is emptied for the next try; the server hears of none of them."""
    app = kiosk_app(server, printer.spec, via=standin.url)
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
    assert standin.received == []
    assert printer.tickets == []


async def test_each_refusal_shows_the_servers_words_and_prints_nothing(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn
) -> None:
    """Unknown, cancelled, another day's, too early: the server's own Indonesian message (its
    English by the code when the citizen switched language), and nothing is printed."""
    other_day = "Pesanan ini untuk hari Senin, 7 Desember 2026."
    refusals = {
        "CANC4444": ("booking_cancelled", "Pesanan ini sudah dibatalkan.", {}),
        "DAYX6666": ("booking_other_day", other_day, {"day": "Senin, 7 Desember 2026"}),
        "EARY7777": ("booking_too_early", TOO_EARLY, {"time": "08.30 WIB"}),
    }
    for code, refusal in refusals.items():
        standin.bookings[code] = Booking("A", "09.00 WIB", refusal=refusal)
    expected = [
        ("NNNN3333", "Kode pesanan tidak ditemukan."),  # the stand-in's message for it
        ("CANC4444", "Pesanan ini sudah dibatalkan."),
        ("DAYX6666", other_day),
        ("EARY7777", TOO_EARLY),
    ]
    app = kiosk_app(server, printer.spec, via=standin.url)
    async with started(app) as pilot:
        await at_check_in(pilot)
        for code, words in expected:
            await scan(pilot, code)
            await on_screen(pilot, "CheckInRefusedScreen")
            shown = screen_text(app)
            assert shown.startswith(f"Mohon maaf\n{words}\n"), shown
            assert "Ketik ulang kode" in shown and "Selesai" in shown
            if code == "EARY7777":
                await pilot.press("f2")
                await until(pilot, lambda: "Too early" in screen_text(app), "the English")
                assert "Too early to check in. Please come back at 08.30 WIB." in screen_text(app)
                await pilot.press("f2")
            await touch(pilot, "#again")
            await field_ready(pilot)
    assert standin.received == [code for code, _ in expected]
    assert printer.tickets == []


async def test_a_lapsed_booking_offers_a_walk_in_number_when_the_line_allows(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn
) -> None:
    """Lapsed, walk-in allowed: the server's words and one touch to line A's own priority
    question, then the ordinary walk-in ticket (no booking line on it). Lapsed without walk-in:
    the words only."""
    standin.bookings["HANG3333"] = Booking(
        "A", "09.00 WIB", refusal=("booking_lapsed", LAPSED, {"line": "A", "walk_in": True})
    )
    standin.bookings["HANG4444"] = Booking(
        "A", "09.00 WIB", refusal=("booking_lapsed", LAPSED, {"line": "A", "walk_in": False})
    )
    app = kiosk_app(server, printer.spec, via=standin.url)
    async with started(app) as pilot:
        await at_check_in(pilot)
        await scan(pilot, "HANG4444")
        await on_screen(pilot, "CheckInRefusedScreen")
        assert LAPSED in screen_text(app) and not app.screen.query("#walk-in")
        await touch(pilot, "#again")
        await field_ready(pilot)
        await scan(pilot, "HANG3333")
        await on_screen(pilot, "CheckInRefusedScreen")
        shown = screen_text(app)
        assert shown.startswith(f"Mohon maaf\n{LAPSED}\n")
        assert "Anda masih dapat mengambil nomor antrean biasa untuk layanan ini." in shown
        assert "Ambil nomor antrean A · Perekaman dan Cetak KTP-el" in shown
        await touch(pilot, "#walk-in")
        await on_screen(pilot, "PriorityScreen")
        await click(pilot, "#prio-none")
        await on_screen(pilot, "ResultScreen")
        assert "A-001" in screen_text(app) and "Pesanan" not in screen_text(app)
    (job,) = printer.tickets
    texts = decode(job).texts
    assert "A-001" in texts and not any("Pesanan" in t for t in texts)
    assert standin.received == ["HANG4444", "HANG3333"]


async def test_a_second_scan_shows_the_first_number_and_prints_nothing(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn
) -> None:
    """Scanning twice prints no second number: the kiosk shows the first one, large, and says
    that a reprint is the staff's to make."""
    standin.bookings["K7QM4TXA"] = Booking("A", "09.00 WIB")
    app = kiosk_app(server, printer.spec, via=standin.url)
    async with started(app) as pilot:
        await at_check_in(pilot)
        await scan(pilot, "K7QM4TXA")
        await on_screen(pilot, "ResultScreen")
        await touch(pilot, "#done")
        await on_screen(pilot, "AgencyScreen")
        await at_check_in(pilot)
        await scan(pilot, "k7qm-4txa")
        await on_screen(pilot, "CheckInRefusedScreen")
        shown = screen_text(app)
        assert shown.startswith("Nomor antrean Anda sudah dicetak\n")
        assert "\nA-001\n" in shown
        assert "Pesanan ini sudah lapor kedatangan dengan nomor A-001." in shown
        assert (
            "Kios tidak mencetak nomor kedua. Tiket hilang? Silakan minta cetak ulang kepada "
            "petugas." in shown
        )
        assert not app.screen.query("#again")
        await touch(pilot, "#home")
        await on_screen(pilot, "AgencyScreen")
    assert len(printer.tickets) == 1
    lines = await floor_lines(server)
    assert lines["A"]["issued"] == 1


async def test_no_check_in_while_the_printer_cannot_print(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn
) -> None:
    """Out of paper: the code is not even sent (no ticket reserved for a printer that cannot
    print it); the kiosk is out of order until the paper is back."""
    standin.bookings["K7QM4TXA"] = Booking("A", "09.00 WIB")
    app = kiosk_app(server, printer.spec, via=standin.url)
    async with started(app) as pilot:
        await at_check_in(pilot)
        printer.mood = Mood.NO_PAPER
        await scan(pilot, "K7QM4TXA")
        await on_screen(pilot, "MaintenanceScreen")
        assert "kertas habis" in screen_text(app)
    assert standin.received == [] and printer.tickets == []


async def test_a_failed_print_keeps_the_booking_for_another_try(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn
) -> None:
    """The printer dies mid-ticket: the number is released, the citizen is told the booking
    still stands, and a second scan once the printer is back prints the ticket."""
    standin.bookings["K7QM4TXA"] = Booking("A", "09.00 WIB")
    app = kiosk_app(server, printer.spec, via=standin.url)
    async with started(app) as pilot:
        await at_check_in(pilot)
        printer.mood = Mood.RESET
        await scan(pilot, "K7QM4TXA")
        await on_screen(pilot, "MessageScreen")
        assert "Pesanan Anda tetap berlaku; silakan menghubungi petugas." in screen_text(app)
        await until(pilot, lambda: standin.bookings["K7QM4TXA"].checked_in is None, "released")
        printer.mood = Mood.READY
        await touch(pilot, "#home")
        await at_check_in(pilot)
        await scan(pilot, "K7QM4TXA")
        await on_screen(pilot, "ResultScreen")
        assert "A-002" in screen_text(app)
    assert standin.received == ["K7QM4TXA", "K7QM4TXA"]
    tickets = {t.number: t.state.value for t in server.engine.state.tickets.values()}
    assert tickets["A-002"] in ("waiting", "printing")
    assert tickets["A-001"] != "waiting"


async def test_the_check_in_screens_return_to_the_start_when_left_alone(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn
) -> None:
    """A half-typed code, or a refusal nobody reads to the end: back to the start after the
    idle time, like every kiosk screen. (The idle time is made short only once each screen is
    up: a short one from the start would race the test's own clicks on a busy machine.)"""
    app = kiosk_app(server, printer.spec, via=standin.url)
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
        app.config = dataclasses.replace(app.config, idle_timeout_s=0.3)
        send_burst(app, "x")  # a key nobody uses here: only the idle time restarts
        await on_screen(pilot, "AgencyScreen")
        assert len(app.screen_stack) == 2  # nothing left under the start


async def test_a_scan_before_touching_the_button_still_checks_in(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn
) -> None:
    """A booked citizen scans at the start, or on a line's priority question, without touching
    "Sudah pesan online": the scan's Enter presses no button there (no agency opened, no
    "Lansia" ticket printed); the code is checked in as if scanned on the check-in screen."""
    standin.bookings["K7QM4TXA"] = Booking("A", "09.00 WIB")
    standin.bookings["ACDE3467"] = Booking("E", "10.30 WIB")
    app = kiosk_app(server, printer.spec, via=standin.url)
    async with started(app) as pilot:
        seen = track_screens(app)
        await scan(pilot, "K7QM-4TXA")
        await on_screen(pilot, "ResultScreen")
        assert "Pesanan online · jadwal 09.00 WIB" in screen_text(app)
        assert seen == ["CheckInScreen", "PrintingScreen", "ResultScreen"]
        await touch(pilot, "#done")
        await on_screen(pilot, "AgencyScreen")
        await choose(pilot, "SAMSAT", "E")  # on to the priority question, focus on "Lansia"
        await scan(pilot, "acde3467")
        await on_screen(pilot, "ResultScreen")
        assert "Pesanan online · jadwal 10.30 WIB" in screen_text(app)
    assert standin.received == ["K7QM4TXA", "ACDE3467"]
    numbers = [decode(job).texts for job in printer.tickets]
    assert [("A-001" in t, "E-001" in t) for t in numbers] == [(True, False), (False, True)]
    assert not any("PRIORITAS" in line for t in numbers for line in t)


async def test_a_scan_on_an_answer_screen_is_the_next_check_in(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn
) -> None:
    """The right code scanned over an "unknown code" answer is checked in; a scan while the
    last ticket's number is still up (the same booking again) shows that number. Neither
    Enter presses the answer's focused button."""
    standin.bookings["K7QM4TXA"] = Booking("A", "09.00 WIB")
    app = kiosk_app(server, printer.spec, via=standin.url)
    async with started(app) as pilot:
        await at_check_in(pilot)
        await scan(pilot, "K7QM-4TXC")  # a wrong code
        await on_screen(pilot, "CheckInRefusedScreen")
        seen = track_screens(app)
        await scan(pilot, "K7QM-4TXA")
        await on_screen(pilot, "ResultScreen")
        assert seen == ["PrintingScreen", "ResultScreen"]  # the check-in screen under it, again
        await scan(pilot, "K7QM-4TXA")
        await on_screen(pilot, "CheckInRefusedScreen")
        assert "Nomor antrean Anda sudah dicetak" in screen_text(app)
    assert standin.received == ["K7QM4TXC", "K7QM4TXA", "K7QM4TXA"]
    assert len(printer.tickets) == 1


async def test_a_scanner_ending_with_cr_lf_or_lf_checks_in_once(
    server: Server, printer: LoopbackPrinter, standin: BookingStandIn
) -> None:
    """Scanners end a code with Enter (CR) by default; some are set to CR LF or LF. LF alone
    ends the code too, and CR LF sends it once: one request, one ticket each."""
    standin.bookings["K7QM4TXA"] = Booking("A", "09.00 WIB")
    standin.bookings["ACDE3467"] = Booking("E", "10.30 WIB")
    app = kiosk_app(server, printer.spec, via=standin.url)
    async with started(app) as pilot:
        await at_check_in(pilot)
        send_burst(app, "K7QM-4TXA\r\n")
        await on_screen(pilot, "ResultScreen")
        await touch(pilot, "#done")
        await at_check_in(pilot)
        send_burst(app, "ACDE-3467\n")
        await on_screen(pilot, "ResultScreen")
        assert "E-001" in screen_text(app)
    assert standin.received == ["K7QM4TXA", "ACDE3467"]
    assert len(printer.tickets) == 2
