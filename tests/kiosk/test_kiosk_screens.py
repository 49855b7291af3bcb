"""Text snapshots of the kiosk's main screens, against a real server and a loopback printer.

As for the counter console (tests/counter/test_counter_screens.py), pytest-textual-snapshot
would pin pytest below 9, so a snapshot is what a citizen reads: the words on screen in reading
order (whitespace normalised; the big number kept as drawn), greyed-out buttons in parentheses,
and the footer's keys. Borders and colours may change with Textual; the words may not. An SVG
screenshot of each screen goes to test-artifacts/kiosk-<name>.svg for humans to look at.

Deterministic by construction: the server's fake clock, a fixed terminal size, line figures made
before the kiosk connects (they arrive with its first snapshot), and no text input (no cursor).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from hubtest import WIB, FakeClock, Server
from keyburst import send_burst
from kiosk_bookings import at, book
from kiosktest import LoopbackPrinter, Mood, choose, click, kiosk_app, on_screen, started, until
from textual.containers import ScrollableContainer
from textual.pilot import Pilot
from textual.widgets import Button, Footer, Static

from kiosk.app import KioskApp
from kiosk.building import badge

SIZE = (140, 50)  # columns, rows: every screen fits without scrolling
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def footer(app: KioskApp) -> str:
    """The footer's keys by key name: enabled ones plain, greyed-out ones in parentheses."""
    if not app.screen.query(Footer):
        return ""
    shown: dict[str, str] = {}  # by action: the first key of each
    for key, active in app.screen.active_bindings.items():
        action = active.binding.action
        if active.binding.show and action not in shown:
            label = f"{key} {active.binding.description}"
            shown[action] = label if active.enabled else f"({label})"
    return " · ".join(shown.values())


def words(text: str) -> str:
    """A widget's text on one line: each of its lines with whitespace collapsed, joined by |."""
    rows = (" ".join(row.split()) for row in text.splitlines())
    return " | ".join(row for row in rows if row)


def picture(app: KioskApp) -> str:
    """The current screen as a citizen reads it, top to bottom: one widget a line."""
    screen = app.screen
    for scroll in screen.query(ScrollableContainer):
        assert scroll.max_scroll_y == 0, f"#{scroll.id} hides part of itself below the fold"
    out: list[str] = []
    for widget in screen.query("*"):  # document order is reading order on these screens
        if not isinstance(widget, Button | Static) or not screen.find_widget(widget).visible_region:
            continue
        if widget.id == "big-number":  # a picture of the number: its rows as drawn
            out.extend(row.rstrip() for row in str(widget.render()).splitlines())
            continue
        text = words(widget.label.plain if isinstance(widget, Button) else str(widget.render()))
        if text:
            out.append(f"({text})" if widget.disabled else text)
    return "\n".join([*out, footer(app)]).strip()


async def snapshot(pilot: Pilot[Any], name: str) -> str:
    """Let the screen settle, save its SVG for humans, and return its words."""
    app = pilot.app
    assert isinstance(app, KioskApp)
    await pilot.pause()
    ARTIFACTS.mkdir(exist_ok=True)
    app.save_screenshot(f"kiosk-{name}.svg", str(ARTIFACTS))
    return picture(app)


async def test_agency_screen_lists_the_agencies_by_zone(
    server: Server, printer: LoopbackPrinter
) -> None:
    """The start: a welcome, every agency under its floor, the way in for a booked citizen,
    and the language button."""
    app = kiosk_app(server, printer.spec)
    async with started(app, SIZE) as pilot:
        assert await snapshot(pilot, "agencies") == (
            "Selamat datang di MPP Kota Contoh\n"
            "Silakan sentuh instansi yang Anda tuju\n"
            "Lantai 1\n"
            "ABCD Dukcapil\n"
            "EF Samsat\n"
            "GH Polres\n"
            "J BPJS Kesehatan\n"
            "K BPJS Ketenagakerjaan\n"
            "L Bank Daerah\n"
            "Lantai 2\n"
            "MN Perizinan\n"
            "P Imigrasi\n"
            "R Pajak\n"
            "S BPN\n"
            "T Bapenda\n"
            "U Kemenag\n"
            "V PDAM\n"
            "W PLN\n"
            "X Pengadilan Agama\n"
            "Sudah pesan online | Pindai kode QR pesanan Anda di sini\n"
            "Beberapa layanan sekaligus | Satu tiket untuk 2–4 layanan\n"
            "English\n"
            "f3 Beberapa layanan · escape Kembali / Back · f2 Bahasa / Language"
        )
        booked = app.screen.query_one("#booked", Button)
        tile = app.screen.query_one(".agency", Button)
        assert booked.outer_size.height == tile.outer_size.height == 5  # as the service buttons
        assert booked.outer_size.width > tile.outer_size.width


async def test_lines_screen_greys_closed_lines_and_shows_figures(
    server: Server, printer: LoopbackPrinter, clock: FakeClock
) -> None:
    """Dukcapil at 14.45: lines past their cutoff greyed with the reason; the open one's figures."""
    clock.now = datetime(2026, 11, 23, 14, 45, tzinfo=WIB)  # A-C close at 14.30, D at 15.00
    await server.officer_at_work("DKP02@L06")  # counter 6 serves C and D
    other = await server.client("KIOSK-2")
    for _ in range(2):
        ticket = await other.issue_ticket("D")
        await other.confirm_printed(ticket["id"])
    app = kiosk_app(server, printer.spec)
    async with started(app, SIZE) as pilot:
        await click(pilot, "#agency-DUKCAPIL")
        await on_screen(pilot, "LinesScreen")
        closed = "Tutup: Pengambilan nomor antrean untuk layanan ini sudah ditutup pukul 14.30 WIB"
        assert await snapshot(pilot, "lines") == (
            "Dukcapil: silakan pilih layanan\n"
            f"(A Perekaman dan Cetak KTP-el | {closed})\n"
            f"(B Kartu Keluarga dan Pindah Datang | {closed})\n"
            f"(C Akta Kelahiran dan Kematian | {closed})\n"
            "D Aktivasi IKD dan Konsultasi | 2 orang menunggu · perkiraan tunggu ± 50 menit\n"
            "Kembali\n"
            "escape Kembali / Back · f2 Bahasa / Language"
        )


async def test_priority_screen_asks_before_printing(
    server: Server, printer: LoopbackPrinter
) -> None:
    """The question "Apakah Anda termasuk layanan prioritas?": four groups, or "Tidak"."""
    app = kiosk_app(server, printer.spec)
    async with started(app, SIZE) as pilot:
        await choose(pilot, "SAMSAT", "E")
        assert await snapshot(pilot, "priority") == (
            "E · Pajak Kendaraan Tahunan\n"
            "Apakah Anda termasuk layanan prioritas?\n"
            "Lansia (60 tahun ke atas)\n"
            "Penyandang disabilitas\n"
            "Ibu hamil / menyusui\n"
            "Membawa balita\n"
            "Tidak\n"
            "Petugas akan memeriksa di loket.\n"
            "Kembali\n"
            "escape Kembali / Back · f2 Bahasa / Language"
        )


async def test_result_screen_shows_the_number_large(
    server: Server, printer: LoopbackPrinter
) -> None:
    """The result: "Silakan ambil tiket Anda", the number in big letters, the wait ahead."""
    other = await server.client("KIOSK-2")  # A-001, a walk-in: a priority number goes first
    ticket = await other.issue_ticket("A")
    await other.confirm_printed(ticket["id"])
    app = kiosk_app(server, printer.spec)
    async with started(app, SIZE) as pilot:
        await choose(pilot, "DUKCAPIL", "A", "lansia")
        await on_screen(pilot, "ResultScreen")
        assert await snapshot(pilot, "result") == (
            "Silakan ambil tiket Anda\n"
            "▄▀▀▄        ▄▀▀▄  ▄▀▀▄  ▄▀▀▄\n"
            "█  █        █ ▄█  █ ▄█     █\n"
            "█▀▀█  ▄▄▄▄  █▀ █  █▀ █    ▄▀\n"
            "█  █        █  █  █  █   ▄▀\n"
            "█  █        ▀▄▄▀  ▀▄▄▀  █▄▄▄\n"
            "A-002\n"
            "Perekaman dan Cetak KTP-el\n"
            "Lansia (60 tahun ke atas)\n"
            "0 orang di depan Anda · menunggu loket dibuka\n"
            "Mohon menunggu nomor Anda dipanggil\n"
            "Selesai"
        )
    assert len(printer.tickets) == 1


async def test_result_screen_of_a_booked_citizen_names_the_slot_and_the_code(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """A booking checked in: the number, the line, the slot booked, and the booking's code as
    the citizen's own page shows it (two groups of four), though the server sends it bare."""
    server = booked_server
    view = await book(server, "09:00", 1)
    server.clock.now = at("08:40")
    app = kiosk_app(server, printer.spec)
    async with started(app, SIZE) as pilot:
        send_burst(app, f"ANTRE:{view.code}\r")
        await on_screen(pilot, "ResultScreen")
        assert await snapshot(pilot, "result-booked") == (
            "Silakan ambil tiket Anda\n"
            "▄▀▀▄        ▄▀▀▄  ▄▀▀▄   ▄█\n"
            "█  █        █ ▄█  █ ▄█   ▀█\n"
            "█▀▀█  ▄▄▄▄  █▀ █  █▀ █    █\n"
            "█  █        █  █  █  █    █\n"
            "█  █        ▀▄▄▀  ▀▄▄▀   ▄█▄\n"
            "A-001\n"
            "Perekaman dan Cetak KTP-el\n"
            "Pesanan online · jadwal 09.00 WIB\n"
            f"Kode pesanan {view.code[:4]}-{view.code[4:]}\n"
            "0 orang di depan Anda · menunggu loket dibuka\n"
            "Mohon menunggu nomor Anda dipanggil\n"
            "Selesai"
        )
    assert len(printer.tickets) == 1


async def test_maintenance_screen_when_the_printer_has_no_paper(
    server: Server, printer: LoopbackPrinter
) -> None:
    """Out of order: "Mohon maaf, mesin sedang gangguan", the printer's problem for the staff."""
    app = kiosk_app(server, printer.spec)
    async with started(app, SIZE) as pilot:
        printer.mood = Mood.NO_PAPER
        app.poll_printer()
        await on_screen(pilot, "MaintenanceScreen")
        await until(pilot, lambda: bool(app.screen.query("#detail")), "the printer's problem")
        assert await snapshot(pilot, "maintenance") == (
            "Mohon maaf, mesin sedang gangguan. Silakan menghubungi petugas.\n"
            "Printer: kertas habis.\n"
            "Mesin akan kembali melayani dengan sendirinya."
        )


async def test_check_in_screen_and_an_already_checked_in_booking(
    booked_server: Server, printer: LoopbackPrinter
) -> None:
    """The check-in screen ("Sudah pesan online"): how to scan or type, the code field, the
    on-screen keys (the code's alphabet only) and the way back; then a booking scanned a second
    time (checked in at another kiosk before): its number large, and who reprints."""
    server = booked_server
    view = await book(server, "09:00", 1)
    server.clock.now = at("08:40")
    other = await server.client("KIOSK-2")
    await other.confirm_printed((await other.check_in(view.code))["id"])
    app = kiosk_app(server, printer.spec)
    async with started(app, SIZE) as pilot:
        await click(pilot, "#booked")
        await on_screen(pilot, "CheckInScreen")
        assert await snapshot(pilot, "check-in") == (
            "Sudah pesan online\n"
            "Pindai kode QR pada bukti pesanan Anda, atau ketik kode pesanan lalu sentuh "
            "Lanjut.\n" + "\n".join("ACDEFGHJKMNPQRTUVWXY3467") + "\n"
            "Hapus\n"
            "Lanjut\n"
            "Kembali\n"
            "escape Kembali / Back · f2 Bahasa / Language"
        )
        send_burst(app, f"{view.code}\r")
        await on_screen(pilot, "CheckInRefusedScreen")
        assert await snapshot(pilot, "check-in-twice") == (
            "Nomor antrean Anda sudah dicetak\n"
            "▄▀▀▄        ▄▀▀▄  ▄▀▀▄   ▄█\n"
            "█  █        █ ▄█  █ ▄█   ▀█\n"
            "█▀▀█  ▄▄▄▄  █▀ █  █▀ █    █\n"
            "█  █        █  █  █  █    █\n"
            "█  █        ▀▄▄▀  ▀▄▄▀   ▄█▄\n"
            "A-001\n"
            "Pesanan ini sudah lapor kedatangan dengan nomor antrean A-001\n"
            "Kios tidak mencetak nomor kedua. Tiket hilang? Silakan minta cetak ulang kepada "
            "petugas.\n"
            "Selesai"
        )
    assert printer.tickets == []


def test_an_agency_badge_shows_its_ticket_letters() -> None:
    """Up to four line letters as they are; more become a range; none falls back to the initial."""
    polres = {"code": "POLRES", "name": "Kepolisian Resor", "short_name": "Polres", "zone": "1"}
    assert badge(polres, ("G", "H")) == "GH"
    kantor = {"code": "X", "name": "Kantor X", "short_name": "Kantor", "zone": "1"}
    assert badge(kantor, tuple("ABCDE")) == "A–E"
    assert badge({"code": "PLN", "name": "PT PLN", "short_name": "PLN", "zone": "2"}, ()) == "P"


async def test_visit_list_and_proposed_order(server: Server, printer: LoopbackPrinter) -> None:
    """One visit, several services: the list as chosen (J, B, N), the priority question for
    them all, then (no priority) the order proposed: B before J with the reason, each stop's
    wait (B's one open counter: 12 minutes), N's walk-in quota gone said plainly with the way
    to drop it, "Setuju" greyed until then."""
    other = await server.client("KIOSK-2")
    for _ in range(40):  # PBG's 40 walk-in numbers (its 5 priority ones are left)
        await other.issue_ticket("N")
    await server.officer_at_work("DKP01@L04")  # B's counter opens; J and N have none
    app = kiosk_app(server, printer.spec)
    async with started(app, SIZE) as pilot:
        await click(pilot, "#visit")
        await on_screen(pilot, "VisitScreen")
        for agency, line in (("BPJSKES", "J"), ("DUKCAPIL", "B"), ("DPMPTSP", "N")):
            await click(pilot, "#add")
            await click(pilot, f"#agency-{agency}")
            await on_screen(pilot, "VisitLinesScreen")
            await click(pilot, f"#line-{line}")
            await on_screen(pilot, "VisitScreen")
            await until(pilot, lambda line=line: app.screen.query(f"#remove-{line}"), line)
        assert await snapshot(pilot, "visit-list") == (
            "Beberapa layanan sekaligus\n"
            "Pilih 2 sampai 4 layanan. Kios akan mengusulkan urutannya; nomor untuk langkah "
            "berikutnya diberikan otomatis setelah langkah sebelumnya selesai.\n"
            "1. J BPJS Kesehatan · Pendaftaran dan Perubahan Data\n"
            "Hapus\n"
            "2. B Dukcapil · Kartu Keluarga dan Pindah Datang\n"
            "Hapus\n"
            "3. N Perizinan · Persetujuan Bangunan Gedung (PBG)\n"
            "Hapus\n"
            "Tambah layanan\n"
            "Lanjut: lihat urutan\n"
            "Batal\n"
            "escape Kembali / Back · f2 Bahasa / Language"
        )
        await click(pilot, "#plan")
        await on_screen(pilot, "VisitPriorityScreen")
        # Asked before the plan (the plan depends on it), for the whole visit as chosen; "Tidak"
        # stays although N has only priority places left: the plan then names N.
        assert await snapshot(pilot, "visit-priority") == (
            "J · Pendaftaran dan Perubahan Data + B · Kartu Keluarga dan Pindah Datang + "
            "N · Persetujuan Bangunan Gedung (PBG)\n"
            "Apakah Anda termasuk layanan prioritas?\n"
            "Lansia (60 tahun ke atas)\n"
            "Penyandang disabilitas\n"
            "Ibu hamil / menyusui\n"
            "Membawa balita\n"
            "Tidak\n"
            "Petugas akan memeriksa di loket.\n"
            "Kembali\n"
            "escape Kembali / Back · f2 Bahasa / Language"
        )
        await click(pilot, "#prio-none")
        await on_screen(pilot, "VisitPlanScreen")
        await until(pilot, lambda: app.screen.query("#plan-total"), "the plan")
        gone = "Kuota layanan Persetujuan Bangunan Gedung (PBG) hari ini sudah habis"
        # The server's order (docs/calling-policy.md, docs/protocol.md plan_visit): J and N
        # have no counter open, each counted as an hour's wait there; B before J is required.
        # B, J, N: 12 + 12 (B) + (60 - 15) + 12 (J) + (60 - 15) + 25 (N) = 151 min; B, N, J the
        # same 151, a tie, so the citizen's own order of J and N stays; N, B, J: 60 + 25 +
        # max(0, 12 - 15) + 12 + (60 - 15) + 12 = 154. No swap but the required one: no
        # "paling singkat" line. The total shown counts an unknown wait as none: 12 + 12 + 0 +
        # 12 + 0 + 25 = 61 min, "± 1 jam" (rounded to 5 minutes).
        assert await snapshot(pilot, "visit-plan") == (
            "Usulan urutan kunjungan Anda\n"
            "1. B Dukcapil · Kartu Keluarga dan Pindah Datang | "
            "Perkiraan tunggu saat ini: ± 12 menit\n"
            "2. J BPJS Kesehatan · Pendaftaran dan Perubahan Data | "
            "Perkiraan tunggu saat ini: menunggu loket dibuka · nomor diberikan setelah "
            "langkah 1 selesai | "
            "BPJS Kesehatan setelah Kartu Keluarga dan Pindah Datang: memerlukan hasilnya "
            "lebih dulu\n"
            "3. N Perizinan · Persetujuan Bangunan Gedung (PBG) | "
            "Perkiraan tunggu saat ini: menunggu loket dibuka · nomor diberikan setelah "
            f"langkah 2 selesai | Tidak dapat diambil sekarang: {gone}\n"
            "Hapus Perizinan · Persetujuan Bangunan Gedung (PBG) dari kunjungan\n"
            "Perkiraan total waktu di gedung: ± 1 jam\n"
            "Hapus layanan yang tidak dapat diambil untuk melanjutkan.\n"
            "(Setuju, cetak tiket)\n"
            "Ubah pilihan\n"
            "Batal\n"
            "escape Kembali / Back · f2 Bahasa / Language"
        )
