"""Text snapshots of the main screen in each of its states (no server: the model is given).

pytest-textual-snapshot would pin pytest below 9 (through syrupy 4), so these snapshots are
the console's own words and footer keys, compared as text; they survive Textual upgrades that
redraw borders, and still catch any change to what the officer reads or may press.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from countertest import NINE, SIZE, ev, model
from textual.pilot import Pilot

from counter.app import CounterApp
from counter.keys import KEY_ACTIONS
from counter.view import ConsoleModel


def footer(app: CounterApp) -> str:
    """The footer's keys: enabled ones plain, greyed-out ones in parentheses."""
    shown: dict[str, str] = {}  # by action, as the footer shows them: the first key of each
    for key, active in app.screen.active_bindings.items():
        action = active.binding.action
        if active.binding.show and action in KEY_ACTIONS and action not in shown:
            label = f"{key} {active.binding.description}"
            shown[action] = label if active.enabled else f"({label})"
    return " · ".join(shown.values())


def picture(app: CounterApp) -> str:
    parts = ("identity", "counter-state", "connection", "ticket-detail", "lines", "next", "hint")
    out = [str(app.part(p).render()) for p in parts]
    offline = "[TERPUTUS]" if app.screen_stack[0].has_class("-offline") else ""
    return "\n".join([*out, footer(app), offline]).strip()


async def show(pilot: Pilot, m: ConsoleModel, connection: str = "connected") -> str:
    app = pilot.app
    assert isinstance(app, CounterApp)
    app.model = m
    app.logged_in = True
    app.connection = connection
    app.revision += 1
    await pilot.pause()
    return picture(app)


async def in_console(check: Any) -> None:
    """Run `check(pilot)` in a console past its login screen, its clock at 09:26:05 WIB."""
    app = CounterApp("ws://127.0.0.1:9/ws", "L06", clock=lambda: NINE + timedelta(seconds=1565))
    async with app.run_test(size=SIZE) as pilot:
        await app.pop_screen()
        await check(pilot)


async def test_idle_open_counter_offers_the_call_keys() -> None:
    """Open and idle: the queue, the next numbers, and the keys to call or pause."""

    async def check(pilot: Pilot) -> None:
        assert await show(pilot, model()) == (
            "Loket 6 · Budi Santoso (DKP02) · Dukcapil · Layanan: C Akta Kelahiran dan Kematian,"
            " D Aktivasi IKD dan Konsultasi\n"
            "Loket: BUKA\n"
            "● Terhubung\n"
            "Tidak ada nomor aktif.\n"
            "C  Akta Kelahiran dan Kematian: 2 menunggu (1 prioritas) · terlama 21 mnt\n"
            "D  Aktivasi IKD dan Konsultasi: 0 menunggu\n"
            "Berikutnya: C-001★  C-002\n"
            "N: panggil berikutnya · C: panggil nomor tertentu · P: jeda · Q: keluar\n"
            "n Panggil · (r Panggil ulang) · (s Mulai) · (f Selesai) · (x Tidak hadir) · "
            "(t Alihkan) · p Jeda · c Panggil nomor · a Aktifkan lagi · q Keluar · "
            "u Ajukan tutup"
        )

    await in_console(check)


async def test_called_ticket_shows_its_wait_and_the_call_keys() -> None:
    """Called: number, line, priority, how long it waited, time since the call."""

    async def check(pilot: Pilot) -> None:
        m = model()
        m.apply_event(11, ev("ticket_called", 21, "C-001", line="C", counter="L06"))
        text = await show(pilot, m)
        assert "\n".join(text.splitlines()[3:7]) == (
            "C-001  ·  C Akta Kelahiran dan Kematian\n"
            "Kategori: Lansia\n"
            "Menunggu: 21 mnt\n"
            "DIPANGGIL — sejak 05:05 · 1× dipanggil"
        )
        assert text.splitlines()[-2:] == [
            "C-001 dipanggil. S: mulai layani · R: panggil ulang · X: tidak hadir · T: alihkan",
            "(n Panggil) · r Panggil ulang · s Mulai · (f Selesai) · x Tidak hadir · "
            "t Alihkan · (c Panggil nomor) · a Aktifkan lagi · (q Keluar) · u Ajukan tutup",
        ]

    await in_console(check)


async def test_serving_ticket_runs_the_service_timer() -> None:
    """Serving: the running timer; finish, transfer and adding a service apply."""

    async def check(pilot: Pilot) -> None:
        m = model()
        m.apply_event(11, ev("ticket_called", 21, "C-001", line="C", counter="L06"))
        m.apply_event(12, ev("service_started", 22, "C-001", counter="L06"))
        text = await show(pilot, m)
        assert "SEDANG DILAYANI  04:05" in text
        assert text.splitlines()[-2:] == [
            "Melayani C-001. F: selesai · T: alihkan · K: tambah layanan",
            "(n Panggil) · (r Panggil ulang) · (s Mulai) · f Selesai · (x Tidak hadir) · "
            "t Alihkan · (c Panggil nomor) · a Aktifkan lagi · (q Keluar) · k Tambah layanan · "
            "u Ajukan tutup",
        ]

    await in_console(check)


async def test_paused_counter_shows_its_reason_and_offers_resume() -> None:
    """Paused: the reason in the state line; P now resumes."""

    async def check(pilot: Pilot) -> None:
        m = model()
        m.apply_event(11, ev("counter_paused", 30, counter="L06", reason="istirahat"))
        lines = (await show(pilot, m)).splitlines()
        assert lines[1] == "Loket: JEDA — istirahat"
        assert lines[-2:] == [
            "Loket sedang jeda. P: lanjutkan melayani",
            "(n Panggil) · (r Panggil ulang) · (s Mulai) · (f Selesai) · (x Tidak hadir) · "
            "(t Alihkan) · p Lanjut · (c Panggil nomor) · a Aktifkan lagi · q Keluar · "
            "u Ajukan tutup",
        ]

    await in_console(check)


async def test_closed_counter_offers_to_open() -> None:
    """Closed (e.g. by the floor manager): O opens it again."""

    async def check(pilot: Pilot) -> None:
        m = model()
        m.apply_event(11, ev("counter_closed", 30, counter="L06"))
        lines = (await show(pilot, m)).splitlines()
        assert lines[1] == "Loket: TUTUP"
        assert lines[-1].endswith("a Aktifkan lagi · o Buka loket · q Keluar")

    await in_console(check)


async def test_a_closure_request_shows_under_the_state_and_u_withdraws_it() -> None:
    """Asked to close: a line under the counter's state says it waits for the manager, and U
    reads "Batalkan pengajuan"; refused: the line gives the manager's note, U asks again."""

    async def check(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, CounterApp)
        m = model()
        await show(pilot, m)
        assert not app.part("closure").display
        m.apply_event(11, ev("closure_requested", 1, counter="L06", officer="DKP02",
                             reason="Blanko/formulir habis"))  # fmt: skip
        lines = (await show(pilot, m)).splitlines()
        assert str(app.part("closure").render()) == (
            "Menunggu persetujuan pengelola: tutup loket (alasan: Blanko/formulir habis)"
        )
        assert app.part("closure").display
        assert lines[-1].endswith("q Keluar · u Batalkan pengajuan")
        m.apply_event(12, ev("closure_decided", 3, counter="L06", officer="DKP02",
                             approved=False, by="LANTAI", note="Tunggu loket 7 buka"))  # fmt: skip
        lines = (await show(pilot, m)).splitlines()
        assert str(app.part("closure").render()) == (
            "Permintaan tutup loket ditolak: Tunggu loket 7 buka"
        )
        assert lines[-1].endswith("q Keluar · u Ajukan tutup")

    await in_console(check)


async def test_disconnected_console_keeps_its_picture_under_a_red_marker() -> None:
    """While reconnecting the last picture stays, marked as disconnected."""

    async def check(pilot: Pilot) -> None:
        text = await show(pilot, model(), connection="reconnecting")
        assert "● Terputus" in text and text.endswith("[TERPUTUS]")
        assert "Berikutnya: C-001★  C-002" in text

    await in_console(check)


async def test_a_visit_ticket_shows_its_itinerary_and_the_visit_keys() -> None:
    """Serving stop 1 of KJ-007 with BPJS Kesehatan still ahead: the visit under the ticket,
    and K (add a service) and L (skip one) in the hint and the footer."""

    async def check(pilot: Pilot) -> None:
        m = model()
        m.apply_event(11, ev("ticket_called", 21, "C-001", line="C", counter="L06"))
        m.apply_event(12, ev("service_started", 22, "C-001", counter="L06"))
        m.visit_of["2026-11-23/C-001"] = "2026-11-23/KJ-007"
        m.apply_itinerary(
            {"id": "2026-11-23/KJ-007", "label": "KJ-007", "current": 0, "stops": [
                {"line": "C", "name": "Akta Kelahiran dan Kematian", "agency_name": "Dukcapil",
                 "state": "serving", "ticket": "2026-11-23/C-001", "number": "C-001"},
                {"line": "J", "name": "Pendaftaran dan Perubahan Data",
                 "agency_name": "BPJS Kesehatan", "state": "pending", "ticket": None,
                 "number": None},
            ]}
        )  # fmt: skip
        text = await show(pilot, m)
        assert (
            "SEDANG DILAYANI  04:05\n"
            "\n"
            "Kunjungan KJ-007 · langkah 1 dari 2 · berikutnya: BPJS Kesehatan\n"
            "▶ 1. Dukcapil — Akta Kelahiran dan Kematian · C-001 · sedang dilayani\n"
            "  2. BPJS Kesehatan — Pendaftaran dan Perubahan Data · belum giliran\n"
        ) in text
        assert text.splitlines()[-2:] == [
            "Melayani C-001. F: selesai · T: alihkan · K: tambah layanan · L: lewati layanan",
            "(n Panggil) · (r Panggil ulang) · (s Mulai) · f Selesai · (x Tidak hadir) · "
            "t Alihkan · (c Panggil nomor) · a Aktifkan lagi · (q Keluar) · k Tambah layanan · "
            "l Lewati layanan · u Ajukan tutup",
        ]

    await in_console(check)
