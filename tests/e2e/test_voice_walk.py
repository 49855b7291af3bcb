"""THE VOICE WALK: issue 20's "Done when", end to end, with every part real.

At `make run`'s demo building (server/demo/mpp-kota-contoh.toml, served by the real server on a
free port of 127.0.0.1 with its own SQLite file and a fake clock), Monday 23 November 2026 (WIB,
a working day; the building's `[complaints]` and `[survey]` are the defaults), as the README's
voice walk says:

1. 09.00: two citizens take numbers of line A (Perekaman dan Cetak KTP-el, Dukcapil) at the
   kiosk: A-001 and A-002. The counter tablet of Loket 1 (/tablet?token=<TABLET-L01's secret>,
   headless Chromium) idles with "Selamat datang di Loket 1"; A-002's citizen opens the phone
   page of the ticket's QR (/t/<token>). At Loket 1 the officer DKP01 logs in at the real counter
   console with the demo's PIN and presses N (A-001 called), S (served), F (finished, 09.10).
2. The tablet shows the survey for A-001 at once (docs/operations.md, "A counter tablet"); the
   citizen taps nine worded answers (tablet row below) and "Kirim jawaban"; the tablet says
   "Terima kasih, jawaban Anda sudah tercatat." and idles again.
3. N, S, F for A-002 (finished 09.20). Its phone page reloads itself once when the service
   finishes and shows "Isi survei kepuasan" (docs/survey.md, "The phone page"); the form, nine
   answers (phone row), "Kirim jawaban" → the thanks. Then "Sampaikan pengaduan": category
   *Waktu tunggu dan pelayanan*, a text, a name and phone → "Kirim pengaduan": the complaint's
   tracking id ADU-261123-001 (filed on 23 November 2026, the day's first) and its state
   *Diterima*, to be taken in hand by the end of the third working day after Monday: "Kamis,
   26 November 2026 · 23.59 WIB". At the exit kiosk (/keluar?token=<EXIT-1's secret>) A-001,
   typed, is refused a second survey: "Survei untuk nomor A-001 sudah diisi" (docs/protocol.md,
   `survey_answered`).
4. 09.30: the floor dashboard (the real Textual app, logged in as LANTAI) shows today's IKM,
   worked by hand below, 2 respondents, and the complaint with "diproses: Kamis, 26 November
   2026 · 23.59 WIB". The manager opens it (Enter), takes it in hand (p, a note) — to be
   answered by the fifth working day after Monday: "dijawab: Senin, 30 November 2026 · 23.59
   WIB" — and answers it (j) at 09.35; it closes by itself ten days later, Thursday 3 December
   2026 at 09.35. The citizen's phone page then shows *Dijawab* and the answer.
5. `antre report --skm --from 2026-11-23 --to 2026-11-23` on the server's store: skm.csv's
   building row and complaints.csv's row as below; skm.html in Chromium shows the IKM and grade.

The answers, scored from the model questionnaire of PermenPANRB 14/2017 (answer 1 scores 1 …
answer 4 scores 4, docs/survey.md "The form"):

    element                     tablet (A-001)              phone (A-002)            sum  NRR
    U1 Persyaratan              Sangat sesuai          4    Sesuai                3    7  3,50
    U2 Sistem, mekanisme, …     Mudah                  3    Mudah                 3    6  3,00
    U3 Waktu penyelesaian       Tidak cepat            1    Cepat                 3    4  2,00
    U4 Biaya/tarif              Gratis                 4    Gratis                4    8  4,00
    U5 Produk spesifikasi …     Sesuai                 3    Sesuai                3    6  3,00
    U6 Kompetensi pelaksana     Kompeten               3    Sangat kompeten       4    7  3,50
    U7 Perilaku pelaksana       Sangat sopan dan ramah 4    Sopan dan ramah       3    7  3,50
    U8 Penanganan pengaduan …   Berfungsi kurang maks. 3    Dikelola dengan baik  4    7  3,50
    U9 Sarana dan prasarana     Baik                   3    Baik                  3    6  3,00
                                                      28                         30   58

IKM = (NRR₁ + … + NRR₉) ÷ 9 × 25 = 29,00 ÷ 9 × 25 = 80,5555… → 80,56 (two decimals, half up;
truncated it would be 80,55): grade B, *Baik* (76,61–88,30). The tablet's answer alone was
28 ÷ 9 × 25 = 77,777… → 77,78, B. The lowest element: U3 Waktu penyelesaian, NRR 2,00. Two
finished visits, two respondents: the Krejcie–Morgan sample of 2 is
3,841·2·0,25 ÷ (0,0025·1 + 3,841·0,25) = 1,9948 → 2, reached (response rate 100 %).

Each expectation is written out from docs/ (survey.md, reports.md "The SKM survey and
complaints", operations.md "Floor dashboard" and "Survey tablets and the exit kiosk"), never
read from the code.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from chromium import ARTIFACTS, needs_chromium
from countertest import console, log_in, text
from countertest import until as console_until
from hubtest import MONDAY_9AM, FakeClock, StartServer, demo_credentials
from keyburst import ENTER, TAB, send_burst
from skm_period import rows_by
from test_floor_app import SIZE, cells, dashboard
from test_floor_app import until as floor_until
from test_floor_voice_app import _complaint_screen
from test_phone_page import open_phone
from test_report_skm_page import open_page
from test_survey_browser import TABLET, Screen, open_screen
from textual.widgets import DataTable

from counter.app import CounterApp
from display.floor_complaint_screens import TextScreen
from server.report.cli import report_main

pytestmark = [needs_chromium, pytest.mark.walk]

TABLET_URL = "/tablet?token=" + demo_credentials()["TABLET-L01"]
EXIT_URL = "/keluar?token=" + demo_credentials()["EXIT-1"]
EXIT = {"width": 1280, "height": 800}  # a touch screen by the exit
TABLET_ANSWERS = ("Sangat sesuai", "Mudah", "Tidak cepat", "Gratis", "Sesuai", "Kompeten",
                  "Sangat sopan dan ramah", "Berfungsi kurang maksimal", "Baik")  # fmt: skip
PHONE_ANSWERS = ("Sesuai", "Mudah", "Cepat", "Gratis", "Sesuai", "Sangat kompeten",
                 "Sopan dan ramah", "Dikelola dengan baik", "Baik")  # fmt: skip
THANKS = "Terima kasih, jawaban Anda sudah tercatat."
COMPLAINT = "Saya menunggu lama padahal loket lain kosong."
ANSWER = "Mohon maaf, loket 2 kini dibuka pada jam sibuk."
ADU = "ADU-261123-001"


def at(hhmm: str) -> Any:
    h, m = (int(x) for x in hhmm.split(":"))
    return MONDAY_9AM.replace(hour=h, minute=m)


async def serve_at_the_console(
    desk: Any, officer: CounterApp, clock: FakeClock, number: str, called: str, done: str
) -> None:
    """N, S at `called` (a minute later), F at `done`: one key at a time, as an officer reads
    the console."""
    clock.now = at(called)
    await desk.press("n")
    await console_until(
        desk,
        lambda: officer.pending is None and number in text(officer, "ticket-detail"),
        f"{number} called",
    )
    clock.now += timedelta(minutes=1)
    await desk.press("s")
    await console_until(desk, lambda: "SEDANG DILAYANI" in text(officer, "ticket-detail"), "S")
    clock.now = at(done)
    await desk.press("f")
    await console_until(
        desk, lambda: text(officer, "notice") == f"{number} selesai dilayani.", f"{number} done"
    )


async def tap_answers(screen: Any, answers: tuple[str, ...]) -> None:
    for i, words in enumerate(answers, start=1):
        await screen.page.locator(f"#q-u{i}").get_by_text(words, exact=True).click()


async def test_finish_answer_complain_see_it_on_the_floor_and_report_it(
    start_server: StartServer, clock: FakeClock, browser: Any, tmp_path: Path
) -> None:
    clock.now = at("09:00")
    server = await start_server()  # the demo building
    base = server.running.http_url

    # 1. Two numbers of line A; the tablet idles; A-002's phone page; A-001 finished at Loket 1.
    tablet = Screen(await (await browser.new_context(viewport=TABLET)).new_page())
    await tablet.page.clock.install()  # the tablet's own timers: its thanks, then idle
    await tablet.page.goto(base + TABLET_URL)
    await tablet.page.wait_for_function("() => window.antreTablet.connected")
    assert await tablet.text("#idle-title") == "Selamat datang di Loket 1"
    kiosk = await server.client("KIOSK-1")
    tickets = []
    for _ in range(2):
        ticket = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(ticket["id"])
        tickets.append(ticket)
    assert [t["number"] for t in tickets] == ["A-001", "A-002"]
    phone = await open_phone(browser, f"{base}/t/{tickets[1]['token']}")
    await phone.wait_js("window.antreTicket && window.antreTicket.connected")
    assert await phone.text("#number") == "A-002"

    officer = console(server, "L01", clock=clock)
    async with officer.run_test(size=(120, 34)) as desk:
        await log_in(desk, "DKP01")
        await console_until(
            desk,
            lambda: officer.logged_in and "BUKA" in text(officer, "counter-state"),
            "Loket 1 open",
        )
        await serve_at_the_console(desk, officer, clock, "A-001", "09:02", "09:10")

        # 2. The tablet offers A-001's survey at once; nine taps, sent, thanks, idle.
        await tablet.page.wait_for_function("() => window.antreTablet.state === 'offer'")
        assert "A-001" in await tablet.text("#offer-for")
        clock.now = at("09:11")
        await tap_answers(tablet, TABLET_ANSWERS)
        await tablet.page.get_by_text("Kirim jawaban", exact=True).click()
        await tablet.page.wait_for_function("() => window.antreTablet.state === 'thanks'")
        assert await tablet.text("#thanks-text") == THANKS
        await tablet.page.clock.fast_forward(10_000)
        await tablet.page.wait_for_function("() => window.antreTablet.state === 'idle'")
        assert await tablet.page.is_visible("#idle-title")

        # 3. A-002 served and finished; its phone page offers the survey by itself.
        await serve_at_the_console(desk, officer, clock, "A-002", "09:12", "09:20")
    await phone.page.wait_for_selector("#survey-link")  # the live page reloaded once
    assert await phone.text("#survey-link") == "Isi survei kepuasan"
    clock.now = at("09:22")
    await phone_tap(phone, "Isi survei kepuasan")
    assert await phone.text("h1") == "Survei Kepuasan Masyarakat"
    await tap_answers(phone, PHONE_ANSWERS)
    await phone_tap(phone, "Kirim jawaban")
    assert await phone.text("#message") == THANKS
    await phone_tap(phone, "Kembali ke halaman tiket")
    clock.now = at("09:25")
    await phone_tap(phone, "Sampaikan pengaduan")
    await phone.page.get_by_text("Waktu tunggu dan pelayanan", exact=True).click()
    await phone.page.fill("#isi", COMPLAINT)
    await phone.page.fill("#nama", "Dewi Anggraini")
    await phone.page.fill("#hp", "0812 3456 7890")
    await phone_tap(phone, "Kirim pengaduan")
    assert await phone.text("#notice") == f"Pengaduan Anda sudah diterima dengan nomor {ADU}."
    complaint = phone.page.locator("article.complaint")
    assert await complaint.locator(".c-id").text_content() == ADU
    assert await complaint.locator(".c-category").text_content() == "Waktu tunggu dan pelayanan"
    assert await complaint.locator(".c-state").text_content() == "Diterima"
    deadline = "Kamis, 26 November 2026 · 23.59 WIB"
    assert await complaint.locator(".c-deadline").text_content() == deadline
    assert await complaint.locator(".c-text").text_content() == COMPLAINT

    # The exit kiosk: A-001, typed, was answered at the tablet already; one answer per ticket.
    exit_page = await open_screen(browser, base + EXIT_URL, EXIT)
    focused = "() => document.activeElement && document.activeElement.name === 'nomor'"
    await exit_page.page.wait_for_function(focused)  # the number's field, focused by itself
    async with exit_page.page.expect_navigation():
        await exit_page.page.keyboard.type("A-001\n")  # typed, Enter
    assert "Survei untuk nomor A-001 sudah diisi" in await exit_page.text("body")
    assert await exit_page.page.locator("#q-u1").count() == 0  # no second form
    assert exit_page.failed == [f"409 {base}{EXIT_URL}&nomor=A-001"]  # refused, said in words
    assert exit_page.errors == []

    # 4. The floor: today's IKM and the complaint; taken in hand and answered from its keys.
    clock.now = at("09:30")
    floor = dashboard(server)
    async with floor.run_test(size=SIZE) as pilot:
        await floor_until(pilot, lambda: cells(floor, "skm", "skm:building")[3] == "2")
        assert cells(floor, "skm", "skm:building")[1:] == ["80,56", "B — Baik", "2"]
        assert cells(floor, "skm", "skm:DUKCAPIL") == ["Dukcapil", "80,56", "B — Baik", "2"]
        subtitle = str(floor.query_one("#skm", DataTable).border_subtitle)
        assert subtitle == "terendah: U3 Waktu penyelesaian (2,00)"
        await floor_until(pilot, lambda: cells(floor, "complaints", ADU)[4] == "Diterima")
        assert cells(floor, "complaints", ADU) == [
            ADU, "A-002", "Dukcapil", "Waktu tunggu dan pelayanan", "Diterima",
            f"diproses: {deadline}",
        ]  # fmt: skip
        screen = await _complaint_screen(floor, pilot, ADU)
        await pilot.press("p")
        await floor_until(pilot, lambda: isinstance(floor.screen, TextScreen))
        send_burst(floor, f"Dicek ke Dukcapil{ENTER}")
        await floor_until(pilot, lambda: cells(floor, "complaints", ADU)[4] == "Diproses")
        assert cells(floor, "complaints", ADU)[5] == (
            "dijawab: Senin, 30 November 2026 · 23.59 WIB"
        )
        await floor_until(pilot, lambda: floor.screen is screen)
        clock.now = at("09:35")
        await pilot.press("j")
        await floor_until(pilot, lambda: isinstance(floor.screen, TextScreen))
        send_burst(floor, f"{ANSWER}{TAB}{ENTER}")
        await floor_until(pilot, lambda: cells(floor, "complaints", ADU)[4] == "Dijawab")
        assert "Kamis, 3 Desember 2026 · 09.35 WIB" in cells(floor, "complaints", ADU)[5]
    await phone.page.goto(f"{base}/t/{tickets[1]['token']}")  # the ticket's page, later
    assert await phone.text("#survey-thanks") == THANKS
    assert await complaint.locator(".c-state").text_content() == "Dijawab"
    assert await complaint.locator(".c-answer").text_content() == ANSWER
    ARTIFACTS.mkdir(exist_ok=True)
    await phone.page.screenshot(path=str(ARTIFACTS / "voice-walk-phone.png"), full_page=True)
    assert phone.errors == [] and phone.failed == []
    assert tablet.errors == [] and tablet.failed == [] and await tablet.untouched()

    # 5. The period's SKM report, from the server's own store.
    out = tmp_path / "skm"
    argv = ["--skm", "--from", "2026-11-23", "--to", "2026-11-23", "--out", str(out)]
    assert report_main([*argv, "--db", str(server.engine.db_path), "--quiet"], now=clock.now) == 0
    building = rows_by(out / "skm.csv", "scope", "key")["building", ""]
    assert (building["respondents"], building["finished_visits"]) == ("2", "2")
    assert (building["required_sample"], building["shortfall"]) == ("2", "0")
    assert (building["ikm"], building["grade"], building["grade_words"]) == ("80.56", "B", "Baik")
    assert float(building["nrr_u3"]) == 2.0 and float(building["nrr_u4"]) == 4.0
    (row,) = rows_by(out / "complaints.csv", "id").values()
    assert row["id"] == ADU and row["classification"] == "Pengaduan"
    assert row["title"] == "Waktu tunggu dan pelayanan — Perekaman dan Cetak KTP-el"
    assert row["text"] == COMPLAINT and row["event_date"] == "2026-11-23"
    assert row["location"] == "MPP Kota Contoh, Loket 1"
    assert (row["agency"], row["category"], row["line"]) == ("DUKCAPIL", "waktu", "A")
    assert (row["counter"], row["ticket_number"], row["channel"]) == ("L01", "A-002", "phone")
    assert (row["state"], row["state_label"]) == ("answered", "Dijawab")
    assert row["take_by"].startswith("2026-11-26") and row["answer_by"].startswith("2026-11-30")
    assert (row["taken_on_time"], row["answered_on_time"]) == ("ya", "ya")
    assert row["answer"] == ANSWER and row["officer"] == ""
    assert "Dewi" not in (out / "complaints.csv").read_text()  # no contact in the file
    page, errors = await open_page(browser, out / "skm.html")
    header = await page.inner_text("header")
    assert "Senin, 23 November 2026" in header
    # Run before A-002's survey closes, 7 × 24 hours after its service ended (09.20):
    assert "masih dapat diisi sampai Senin, 30 November 2026" in header
    shown = await page.locator("section.building").inner_text()
    assert "80,56" in shown and "B (Baik)" in shown and "terpenuhi" in shown
    await page.screenshot(path=str(ARTIFACTS / "voice-walk-skm.png"), full_page=True)
    assert errors == []


async def phone_tap(phone: Any, words: str) -> None:
    """Tap the link or button that says `words` on the phone page, and wait for the next page."""
    async with phone.page.expect_navigation():
        await phone.page.locator("a, button").filter(has_text=words).first.click()
