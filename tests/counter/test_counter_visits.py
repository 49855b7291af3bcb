"""A visit of several agencies at the counter console (issue 22), against a real server.

The hand-worked figures: the visit starts at 09.00 (B then J); a walk-in takes J-001 at
09.20; B-001 is finished at 09.30, so the next stop queues at max(09.00, 09.30 − 15 min) =
09.15 (docs/calling-policy.md, "A visit's next stop") and BPJS Kesehatan calls it first.
"""

from __future__ import annotations

from datetime import timedelta

from countertest import (
    NINE,
    at_work,
    call_and_start,
    events_of,
    issue,
    picker,
    text,
    ticket_of,
    type_choice,
    until,
)
from hubtest import FakeClock, Server
from textual.pilot import Pilot
from textual.widgets import Input, OptionList


async def start_visit(server: Server, lines: list[str]) -> str:
    """A visit taken at KIOSK-1 and printed; the first stop's number."""
    kiosk = await server.client("KIOSK-1")
    reply = await kiosk.request("issue_visit", lines=lines)
    await kiosk.confirm_printed(reply["ticket"]["id"])
    return reply["ticket"]["number"]


async def arrow_to(pilot: Pilot, value: str) -> None:
    """In the picker's list, go down with the arrow key to `value` (headings are skipped), Enter."""
    screen = await picker(pilot)
    options = screen.query_one(OptionList)
    options.focus()
    await pilot.press("home")
    for _ in range(len(options.options)):
        highlighted = options.highlighted
        if highlighted is not None and options.get_option_at_index(highlighted).id == value:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await until(pilot, lambda: pilot.app.screen is not screen, "the picker to close")


def detail(app) -> str:
    return text(app, "ticket-detail")


async def test_an_officer_follows_a_visit_adds_and_skips_a_stop_and_hands_it_on(
    server: Server, clock: FakeClock
) -> None:
    """Dukcapil serves stop 1 of KJ-001, adds Samsat (arrow keys), skips it again with a typed
    reason, finishes: "diteruskan ke BPJS Kesehatan (J-002)". BPJS Kesehatan's console has
    J-002 ahead of the walk-in J-001 and calls it: the visit's last step."""
    assert await start_visit(server, ["B", "J"]) == "B-001"
    clock.advance(20 * 60)
    assert await issue(server, "J") == ["J-001"]  # a walk-in at 09.20
    async with at_work(server, "DKP01@L04") as (app, pilot):
        await call_and_start(pilot, "B-001")
        await until(pilot, lambda: "berikutnya" in detail(app), "the itinerary")
        assert detail(app).splitlines()[-3:] == [
            "Kunjungan KJ-001 · langkah 1 dari 2 · berikutnya: BPJS Kesehatan",
            "▶ 1. Dukcapil — Kartu Keluarga dan Pindah Datang · B-001 · sedang dilayani",
            "  2. BPJS Kesehatan — Pendaftaran dan Perubahan Data · belum giliran",
        ]

        await pilot.press("k")
        await arrow_to(pilot, "E")
        await until(pilot, lambda: "ditambahkan ke kunjungan" in text(app, "notice"), "added")
        assert text(app, "notice") == (
            "Samsat — Pajak Kendaraan Tahunan ditambahkan ke kunjungan KJ-001."
        )
        assert detail(app).splitlines()[-4:] == [
            "Kunjungan KJ-001 · langkah 1 dari 3 · berikutnya: Samsat",
            "▶ 1. Dukcapil — Kartu Keluarga dan Pindah Datang · B-001 · sedang dilayani",
            "  2. Samsat — Pajak Kendaraan Tahunan · belum giliran · ditambahkan",
            "  3. BPJS Kesehatan — Pendaftaran dan Perubahan Data · belum giliran",
        ]

        await pilot.press("l")
        await arrow_to(pilot, "E")
        await type_choice(pilot, "sudah dibayar daring")
        await until(pilot, lambda: "dilewati (" in text(app, "notice"), "skipped")
        assert text(app, "notice") == (
            "Samsat — Pajak Kendaraan Tahunan dilewati (sudah dibayar daring)."
        )
        assert detail(app).splitlines()[-4:] == [
            "Kunjungan KJ-001 · langkah 1 dari 3 · berikutnya: BPJS Kesehatan",
            "▶ 1. Dukcapil — Kartu Keluarga dan Pindah Datang · B-001 · sedang dilayani",
            "  2. Samsat — Pajak Kendaraan Tahunan · dilewati · ditambahkan",
            "  3. BPJS Kesehatan — Pendaftaran dan Perubahan Data · belum giliran",
        ]

        clock.advance(10 * 60)  # 09.30
        await pilot.press("f")
        await until(pilot, lambda: "selesai" in text(app, "notice"), "the finish")
        assert text(app, "notice") == "B-001 selesai, diteruskan ke BPJS Kesehatan (J-002)."
        assert "Tidak ada nomor aktif" in detail(app)
    (skipped,) = await events_of(server, "stop_skipped")
    assert (skipped.line, skipped.reason, skipped.by) == ("E", "sudah dibayar daring", "DKP01")
    handed = ticket_of(server, "J-002")
    assert handed.state.value == "waiting" and handed.queued_at == NINE + timedelta(minutes=15)

    async with at_work(server, "BKS01@L14") as (bpjs, pilot):
        await until(pilot, lambda: "J-002" in text(bpjs, "next"), "the handed-on ticket")
        assert text(bpjs, "next") == "Berikutnya: J-002  J-001"
        await pilot.press("n")
        await until(pilot, lambda: "langkah terakhir" in detail(bpjs), "its itinerary")
        assert detail(bpjs).splitlines()[0] == "J-002  ·  J Pendaftaran dan Perubahan Data"
        assert detail(bpjs).splitlines()[-4:] == [
            "Kunjungan KJ-001 · langkah 3 dari 3 · langkah terakhir",
            "  1. Dukcapil — Kartu Keluarga dan Pindah Datang · B-001 · selesai",
            "  2. Samsat — Pajak Kendaraan Tahunan · dilewati · ditambahkan",
            "▶ 3. BPJS Kesehatan — Pendaftaran dan Perubahan Data · J-002 · dipanggil",
        ]
    assert ticket_of(server, "J-002").counter == "L14"


async def test_adding_a_stop_searches_the_lines_and_shows_the_refusal(
    server: Server, clock: FakeClock
) -> None:
    """A plain C-001 at 13.30: typing narrows the list ("pajak" leaves several, Enter asks for
    more); Perpanjangan SIM is refused in the server's words (its cutoff is 13.00) and nothing
    changes; J typed by its letter makes C-001 a visit of two stops."""
    await issue(server, "C")
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await call_and_start(pilot, "C-001")
        assert "Kunjungan" not in detail(app)
        await pilot.press("l")  # no visit, nothing to skip: the key is off
        clock.advance(4.5 * 3600)

        await pilot.press("k")
        screen = await picker(pilot)
        field = screen.query_one("#pick-text", Input)
        assert app.focused is field  # the search line comes first
        await pilot.press(*"pajak", "enter")
        options = screen.query_one(OptionList)
        shown = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert shown == [None, "E", None, "L", None, "R"]  # Samsat, Bank Daerah, Pajak
        assert "Belum satu layanan" in str(screen.query_one("#pick-error").render())
        field.value = ""
        await type_choice(pilot, "perpanjangan sim")
        await until(pilot, lambda: "13.00" in text(app, "notice"), "the refusal")
        assert text(app, "notice") == (
            "Perpanjangan SIM: Pengambilan nomor antrean untuk layanan ini sudah ditutup"
            " pukul 13.00 WIB"
        )
        assert "Kunjungan" not in detail(app)

        await pilot.press("k")
        await type_choice(pilot, "j")
        await until(pilot, lambda: "berikutnya" in detail(app), "the new visit")
        assert "Kunjungan KJ-001 · langkah 1 dari 2 · berikutnya: BPJS Kesehatan" in detail(app)
    assert [e.kind for e in await events_of(server, "stop_added")] == ["stop_added"]
    assert await events_of(server, "stop_skipped") == []


async def test_the_itinerary_follows_a_change_made_elsewhere(server: Server) -> None:
    """While Dukcapil serves B-001, the floor manager skips the visit's BPJS stop: the pushed
    `stop_skipped` makes the console fetch the itinerary again — now the last step, and L is
    off (nothing left to skip)."""
    await start_visit(server, ["B", "J"])
    async with at_work(server, "DKP01@L04") as (app, pilot):
        await call_and_start(pilot, "B-001")
        await until(pilot, lambda: "berikutnya: BPJS Kesehatan" in detail(app), "the itinerary")
        assert "L: lewati layanan" in text(app, "hint")
        floor = await server.client("LANTAI")
        await floor.act("skip_stop", visit="KJ-001", line="J", reason="warga pulang")
        await until(pilot, lambda: "langkah terakhir" in detail(app), "the skip pushed")
        assert detail(app).splitlines()[-3:] == [
            "Kunjungan KJ-001 · langkah 1 dari 2 · langkah terakhir",
            "▶ 1. Dukcapil — Kartu Keluarga dan Pindah Datang · B-001 · sedang dilayani",
            "  2. BPJS Kesehatan — Pendaftaran dan Perubahan Data · dilewati",
        ]
        assert text(app, "hint") == "Melayani B-001. F: selesai · T: alihkan · K: tambah layanan"
        await pilot.press("f")
        await until(pilot, lambda: "selesai" in text(app, "notice"), "the finish")
        assert text(app, "notice") == "B-001 selesai dilayani."
    assert [t.number for t in server.engine.state.tickets.values()] == ["B-001"]
