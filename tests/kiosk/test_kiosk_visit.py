"""One visit, several agencies (issue 22) at the kiosk: "Beberapa layanan sekaligus" against a
real server and the loopback printer.

The demo building (server/demo/mpp-kota-contoh.toml): J (BPJS Kesehatan, "Pendaftaran dan
Perubahan Data") requires B (Dukcapil, "Kartu Keluarga dan Pindah Datang"); E (Samsat) and N
(PBG at Perizinan, 40 walk-in and 5 priority numbers a day) need nothing. The clock is Monday
23 November 2026, 09.00 WIB, no counter open.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from escpos_decode import decode
from hubtest import Server, StartServer, demo_building
from kiosktest import (
    LoopbackPrinter,
    Mood,
    click,
    floor_lines,
    http_get,
    kiosk_app,
    on_screen,
    screen_text,
    started,
    until,
)
from textual.pilot import Pilot

from kiosk.app import KioskApp


async def add_service(pilot: Pilot[Any], agency: str, line: str) -> None:
    """On the visit's list: "Tambah layanan", the agency, the line; the list again."""
    app: KioskApp = pilot.app  # type: ignore[assignment]
    await click(pilot, "#add")
    await on_screen(pilot, "VisitAgencyScreen")
    await click(pilot, f"#agency-{agency}")
    await on_screen(pilot, "VisitLinesScreen")
    await click(pilot, f"#line-{line}")
    await on_screen(pilot, "VisitScreen")
    await until(pilot, lambda: bool(app.screen.query(f"#remove-{line}")), f"{line} on the list")


async def plan_of(pilot: Pilot[Any], *chosen: tuple[str, str], priority: str = "none") -> str:
    """From the start: the visit's list, each (agency, line) added, "Lanjut", the priority
    answered, the proposed order shown; the plan screen's words."""
    app: KioskApp = pilot.app  # type: ignore[assignment]
    await click(pilot, "#visit")
    await on_screen(pilot, "VisitScreen")
    for agency, line in chosen:
        await add_service(pilot, agency, line)
    await click(pilot, "#plan")
    await on_screen(pilot, "VisitPriorityScreen")
    await click(pilot, f"#prio-{priority}")
    await on_screen(pilot, "VisitPlanScreen")
    await until(pilot, lambda: "Perkiraan total waktu" in screen_text(app), "the plan")
    return screen_text(app)


async def test_two_stop_visit_in_the_order_its_dependency_sets_is_printed(
    server: Server, printer: LoopbackPrinter
) -> None:
    """J chosen, then B; asked for them both, no priority: the kiosk proposes B first and says
    why; accepted, one ticket is printed with B-001 big and the itinerary under it, and the
    visit is on the server."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await click(pilot, "#visit")
        await on_screen(pilot, "VisitScreen")
        await add_service(pilot, "BPJSKES", "J")
        await add_service(pilot, "DUKCAPIL", "B")
        await click(pilot, "#plan")
        await on_screen(pilot, "VisitPriorityScreen")  # before the plan, for the visit
        assert "J · Pendaftaran dan Perubahan Data + B · Kartu Keluarga" in screen_text(app)
        await click(pilot, "#prio-none")
        await on_screen(pilot, "VisitPlanScreen")
        await until(pilot, lambda: "Perkiraan total waktu" in screen_text(app), "the plan")
        shown = screen_text(app)
        assert "Layanan prioritas" not in shown
        first = shown.index("1.  B   Dukcapil · Kartu Keluarga dan Pindah Datang")
        second = shown.index("2.  J   BPJS Kesehatan · Pendaftaran dan Perubahan Data")
        assert first < second
        assert (
            "BPJS Kesehatan setelah Kartu Keluarga dan Pindah Datang: memerlukan hasilnya "
            "lebih dulu" in shown
        )
        assert "nomor diberikan setelah langkah 1 selesai" in shown
        # No counter open: no wait is promised; the total is the two service times (12 + 12).
        assert "Perkiraan tunggu saat ini: menunggu loket dibuka" in shown
        assert "Perkiraan total waktu di gedung: ± 25 menit" in shown
        await click(pilot, "#accept")
        await on_screen(pilot, "ResultScreen")
        shown = screen_text(app)
        assert "Silakan ambil tiket Anda" in shown and "B-001" in shown
        assert "Kunjungan Anda:" in shown
        assert "1. Dukcapil · Kartu Keluarga dan Pindah Datang\n   B-001, sekarang" in shown
        assert "2. BPJS Kesehatan · Pendaftaran dan Perubahan Data" in shown

    (job,) = printer.tickets
    ticket = decode(job)
    number = ticket.line("B-001")
    assert number.bold and number.width >= 5 and number.text == "B-001"
    texts = ticket.texts
    start = texts.index("Kunjungan Anda:")
    assert texts[start + 1 : start + 6] == [
        "1. Dukcapil - Kartu Keluarga dan Pindah Datang",
        "   (B-001, sekarang)",
        "2. BPJS Kesehatan - Pendaftaran dan Perubahan",
        "   Data",
        "   (nomor diberikan setelah langkah 1 selesai)",
    ]
    assert texts.index("B-001") < start  # the number first, as on every ticket
    assert "Pindai untuk mengikuti seluruh kunjungan Anda" in texts
    assert ticket.cuts == ["partial"] and ticket.cut_at_end
    # One QR code: the visit's phone page, which knows its first stop.
    (qr,) = ticket.qr_codes
    base = server.running.http_url
    status, page = await http_get(server, qr.removeprefix(base))
    assert status == 200 and "B-001" in page

    # Printed, then confirmed: B-001 waits in its line, J holds a place but no number yet.
    (visit,) = server.engine.state.itineraries.values()
    assert [(s.line, s.state, s.number) for s in visit.stops] == [
        ("B", "waiting", "B-001"),
        ("J", "pending", None),
    ]
    lines = await floor_lines(server)
    assert (lines["B"]["waiting"], lines["J"]["waiting"]) == (1, 0)


async def test_a_stop_that_cannot_be_taken_is_shown_and_dropped(
    server: Server, printer: LoopbackPrinter
) -> None:
    """PBG's walk-in numbers run out while the citizen (no priority) reads the plan: accepted,
    the server refuses and the citizen is back on the plan with its reason, the stop named
    and offered to be dropped (it cannot be accepted as is). Nothing is issued or printed."""
    other = await server.client("KIOSK-2")
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        shown = await plan_of(pilot, ("SAMSAT", "E"), ("DPMPTSP", "N"))
        assert "Tidak dapat diambil" not in shown
        # The last walk-in numbers of PBG go to another kiosk while this citizen reads.
        await asyncio.gather(*(other.issue_ticket("N") for _ in range(40)))
        await click(pilot, "#accept")
        await until(pilot, lambda: "Kunjungan belum dapat dicetak" in screen_text(app), "no")
        assert type(app.screen).__name__ == "VisitPlanScreen"
        gone = "Kuota layanan Persetujuan Bangunan Gedung (PBG) hari ini sudah habis"
        await until(pilot, lambda: "Tidak dapat diambil sekarang" in screen_text(app), "plan")
        shown = screen_text(app)
        assert f"Kunjungan belum dapat dicetak: {gone}" in shown
        assert f"Tidak dapat diambil sekarang: {gone}" in shown
        assert "Hapus layanan yang tidak dapat diambil untuk melanjutkan." in shown
        assert app.screen.query_one("#accept").disabled
        await click(pilot, "#drop-N")
        await on_screen(pilot, "VisitScreen")
        shown = screen_text(app)
        assert "Samsat · Pajak Kendaraan Tahunan" in shown and "PBG" not in shown
        assert "Pilih paling sedikit 2 layanan." in shown
        assert app.screen.query_one("#plan").disabled
    assert printer.tickets == []
    assert server.engine.state.itineraries == {}
    lines = await floor_lines(server)
    assert (lines["E"]["issued"], lines["N"]["issued"]) == (0, 40)


async def test_cancelling_the_visit_changes_nothing(
    server: Server, printer: LoopbackPrinter
) -> None:
    """F3, two services, the question, the plan; Escape back to the question, the plan again,
    "Ubah pilihan" back to the list (the choice kept), one removed, Escape again: the start, no
    event on the server, nothing printed."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        before = server.engine.last_seq
        await pilot.press("f3")
        await on_screen(pilot, "VisitScreen")
        for agency, line in (("DUKCAPIL", "B"), ("SAMSAT", "E")):
            await add_service(pilot, agency, line)
        # A line already chosen cannot be chosen twice.
        await click(pilot, "#add")
        await click(pilot, "#agency-DUKCAPIL")
        await on_screen(pilot, "VisitLinesScreen")
        twice = app.screen.query_one("#line-B")
        assert twice.disabled and "Sudah dipilih" in twice.label.plain
        await pilot.press("escape")
        await on_screen(pilot, "VisitAgencyScreen")
        await pilot.press("escape")
        await on_screen(pilot, "VisitScreen")
        await click(pilot, "#plan")
        await on_screen(pilot, "VisitPriorityScreen")
        await click(pilot, "#prio-none")
        await on_screen(pilot, "VisitPlanScreen")
        await until(pilot, lambda: "Perkiraan total waktu" in screen_text(app), "the plan")
        await pilot.press("escape")
        await on_screen(pilot, "VisitPriorityScreen")
        await click(pilot, "#prio-none")
        await on_screen(pilot, "VisitPlanScreen")
        await until(pilot, lambda: "Perkiraan total waktu" in screen_text(app), "the plan")
        await click(pilot, "#back")
        await on_screen(pilot, "VisitScreen")
        assert app.screen.query("#remove-B") and app.screen.query("#remove-E")
        await click(pilot, "#remove-B")
        await until(pilot, lambda: not app.screen.query("#remove-B"), "B removed")
        await pilot.press("escape")
        await on_screen(pilot, "AgencyScreen")
        assert server.engine.last_seq == before
    assert printer.tickets == []
    assert server.engine.state.itineraries == {}


async def test_a_visit_that_does_not_print_is_cancelled(
    server: Server, printer: LoopbackPrinter
) -> None:
    """The printer drops the job: print_failed as for one ticket, the citizen reads that the
    visit is cancelled, and the later stop gives its place back."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await plan_of(pilot, ("DUKCAPIL", "B"), ("BPJSKES", "J"))
        printer.mood = Mood.RESET
        printer.reset_after = 50
        await click(pilot, "#accept")
        await on_screen(pilot, "MessageScreen")
        shown = screen_text(app)
        assert "Tiket Anda tidak dapat dicetak (sambungan ke printer terputus)" in shown
        assert "kunjungan Anda dibatalkan" in shown
        await until(
            pilot,
            lambda: (
                [s.state for s in next(iter(server.engine.state.itineraries.values())).stops]
                == ["cancelled", "cancelled"]
            ),
            "the visit ended on the server",
        )
    lines = await floor_lines(server)
    assert (lines["B"]["waiting"], lines["J"]["waiting"]) == (0, 0)


async def test_keyboard_alone_takes_a_visit(server: Server, printer: LoopbackPrinter) -> None:
    """F3, then Enter on whatever has the focus: "Tambah layanan", the first agency, its first
    line that may be chosen (A, then B: A is already in the visit), "Lanjut", the first
    priority answer, "Setuju". A and B need nothing of each other and no counter is open: the
    citizen's order stays."""
    app = kiosk_app(server, printer.spec)

    async def enter_on(button: str) -> None:
        before = app.screen
        await until(pilot, lambda: getattr(app.focused, "id", None) == button, f"focus {button}")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is not before, f"{button} pressed")

    async with started(app) as pilot:
        await pilot.press("f3")
        await on_screen(pilot, "VisitScreen")
        for line in ("A", "B"):
            await enter_on("add")
            await on_screen(pilot, "VisitAgencyScreen")
            await enter_on("agency-DUKCAPIL")
            await on_screen(pilot, "VisitLinesScreen")
            await enter_on(f"line-{line}")
            await on_screen(pilot, "VisitScreen")
        await enter_on("plan")
        await on_screen(pilot, "VisitPriorityScreen")
        await enter_on("prio-lansia")
        await on_screen(pilot, "VisitPlanScreen")
        await until(pilot, lambda: "Perkiraan total waktu" in screen_text(app), "the plan")
        assert "Layanan prioritas: Lansia (60 tahun ke atas)" in screen_text(app)
        await enter_on("accept")
        await on_screen(pilot, "ResultScreen")
    (job,) = printer.tickets
    texts = decode(job).texts
    assert "A-001" in texts and "PRIORITAS: LANSIA" in " ".join(texts)
    start = texts.index("Kunjungan Anda:")
    assert texts[start + 1 : start + 5] == [
        "1. Dukcapil - Perekaman dan Cetak KTP-el",
        "   (A-001, sekarang)",
        "2. Dukcapil - Kartu Keluarga dan Pindah Datang",
        "   (nomor diberikan setelah langkah 1 selesai)",
    ]


async def test_the_buildings_stop_limit_comes_from_the_snapshot(
    start_server: StartServer, printer: LoopbackPrinter
) -> None:
    """A building whose `[policy] visit_max_stops` is 3: the start and the visit's list say
    2–3 services, and after three "Tambah layanan" is greyed with the limit said."""
    demo = demo_building()
    policy = dataclasses.replace(demo.policy, visit_max_stops=3)
    server = await start_server(building=dataclasses.replace(demo, policy=policy))
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        assert "Satu tiket untuk 2–3 layanan" in screen_text(app)
        await click(pilot, "#visit")
        await on_screen(pilot, "VisitScreen")
        assert "Pilih 2 sampai 3 layanan." in screen_text(app)
        for agency, line in (("DUKCAPIL", "A"), ("DUKCAPIL", "B"), ("SAMSAT", "E")):
            assert not app.screen.query_one("#add").disabled
            await add_service(pilot, agency, line)
        assert app.screen.query_one("#add").disabled
        assert "Paling banyak 3 layanan dalam satu kunjungan." in screen_text(app)


async def test_a_priority_citizen_takes_a_stop_whose_walk_in_numbers_are_gone(
    server: Server, printer: LoopbackPrinter
) -> None:
    """PBG's 40 walk-in numbers are gone, its 5 priority places are not (the demo building).
    The priority question comes before the plan, so the plan is made for the answer: a citizen
    without priority reads that PBG cannot be taken and cannot accept; the next citizen, who is
    pregnant, is shown no problem and gets the ticket, PBG's place held for her."""
    other = await server.client("KIOSK-2")
    await asyncio.gather(*(other.issue_ticket("N") for _ in range(40)))
    app = kiosk_app(server, printer.spec)
    gone = "Kuota layanan Persetujuan Bangunan Gedung (PBG) hari ini sudah habis"
    async with started(app) as pilot:
        before = server.engine.last_seq
        shown = await plan_of(pilot, ("SAMSAT", "E"), ("DPMPTSP", "N"), priority="none")
        assert f"Tidak dapat diambil sekarang: {gone}" in shown
        assert app.screen.query_one("#accept").disabled
        await click(pilot, "#cancel")
        await on_screen(pilot, "AgencyScreen")
        assert server.engine.last_seq == before  # planning changes nothing

        shown = await plan_of(pilot, ("SAMSAT", "E"), ("DPMPTSP", "N"), priority="ibu_hamil")
        assert "Tidak dapat diambil" not in shown and gone not in shown
        assert "Layanan prioritas: Ibu hamil / menyusui" in shown
        await click(pilot, "#accept")
        await on_screen(pilot, "ResultScreen")
        assert "E-001" in screen_text(app)
    (job,) = printer.tickets
    texts = decode(job).texts
    assert "E-001" in texts and "PRIORITAS: IBU HAMIL / MENYUSUI" in " ".join(texts)
    start = texts.index("Kunjungan Anda:")
    assert texts[start + 1 : start + 3] == [
        "1. Samsat - Pajak Kendaraan Tahunan",
        "   (E-001, sekarang)",
    ]
    (visit,) = server.engine.state.itineraries.values()
    assert [(s.line, s.state, s.number) for s in visit.stops] == [
        ("E", "waiting", "E-001"),
        ("N", "pending", None),
    ]
    lines = await floor_lines(server)
    assert lines["N"]["quota_left_priority"] == 4  # 5 priority places, hers held
