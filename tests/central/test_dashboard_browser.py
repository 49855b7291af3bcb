"""The dashboard in a real browser: Debian's Chromium, headless, against a real central and its
PostgreSQL, the buildings' events delivered over the real signed ingest.

Two walks. A regency user mistypes, is locked out, logs in as another user, sees only its own
region (its building's lines behind standard marked and first, exactly as dashkit works them out
by hand), a line name carrying markup shown as the characters it is, another region's building
404 by its direct address, and logs out. The province's user sees both buildings, watches the
overview move as a building delivers more events (no reload), opens a building's history,
downloads its CSV and the ranking. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from centraltest import BUILDING, OTHER, CentralThread
from chromium import ARTIFACTS, needs_chromium
from dashkit import (
    EVIL_BUILDING,
    EVIL_LINE,
    PASSWORDS,
    dashboard_toml,
    deliver_all,
    kabupaten_day,
    send,
    today,
)

from server.central.config import load_central

pytestmark = needs_chromium
KOTA_A_BEHIND = (
    "⚠ Di bawah standar: tunggu p90 20,0 menit > standar 10,0 menit; "
    "layanan median 7,5 menit > standar 5,0 menit"
)


@pytest.fixture
def central(tmp_path, central_db):
    with CentralThread(load_central(dashboard_toml(tmp_path, central_db))) as c:
        deliver_all(c.port)
        yield c


async def _login(page: Any, port: int, user: str, password: str) -> None:
    await page.goto(f"http://127.0.0.1:{port}/masuk")
    await page.fill("input[name=pengguna]", user)
    await page.fill("input[name=sandi]", password)
    async with page.expect_navigation():
        await page.click("button[type=submit]")


async def _rows(page: Any, section: str) -> list[list[str]]:
    return await page.eval_on_selector_all(
        f"#{section} tbody tr",
        "rows => rows.map(r => [r.className, ...Array.from(r.cells, c => c.textContent)])",
    )


async def test_a_regency_user_locked_out_then_sees_its_region_only(central, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context = await browser.new_context()
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    port = central.port

    await _login(page, port, "kabupaten", "bukan-sandinya")
    assert await page.text_content(".galat") == "Nama pengguna atau kata sandi salah."
    for _ in range(4):
        await _login(page, port, "kabupaten", "bukan-sandinya")
    locked = await page.text_content(".galat")
    assert re.fullmatch(
        r"Terlalu banyak percobaan masuk yang gagal\. Silakan coba lagi setelah pukul "
        r"\d\d\.\d\d WIB\.",
        locked or "",
    ), locked
    await _login(page, port, "kabupaten", PASSWORDS["kabupaten"])  # right, but locked
    assert await page.text_content(".galat") == locked
    assert page.url.endswith("/masuk")
    await page.screenshot(path=str(ARTIFACTS / "central-login-locked.png"), full_page=True)

    await _login(page, port, "kota", PASSWORDS["kota"])
    assert page.url == f"http://127.0.0.1:{port}/"
    assert await page.text_content("h1") == "Ringkasan hari ini"
    buildings = await _rows(page, "gedung")
    assert [r[1] for r in buildings] == ["MPP Kota Contoh"]
    assert buildings[0][0] == "tertinggal"
    lines = await _rows(page, "layanan")
    # building, id, code, name, agency, tickets, served, waiting, no-show, p50, p90, target,
    # service median, standard, IKM, respondents, bookings, check-in, lapsed, status
    assert lines[0] == ["tertinggal", "MPP Kota Contoh", BUILDING, "A", "Perekaman KTP-el", "DKP",
                        "4", "2", "1", "1", "15,0", "20,0", "10,0", "7,5", "5,0", "–", "0", "0",
                        "0", "0", KOTA_A_BEHIND]  # fmt: skip
    assert lines[1][0] == "" and lines[1][4] == EVIL_LINE and lines[1][-1] == "Sesuai standar"
    assert "Kabupaten" not in await page.text_content("body")
    assert await page.evaluate("window.__pwned") is None
    await page.screenshot(path=str(ARTIFACTS / "central-overview-kota.png"), full_page=True)

    answer = await page.goto(f"http://127.0.0.1:{port}/gedung?id={OTHER}")
    assert answer.status == 404
    assert await page.text_content(".galat") == "Gedung tidak ditemukan."
    assert "Kabupaten" not in await page.text_content("body")

    async with page.expect_navigation():
        await page.click("form.keluar button")
    assert page.url.endswith("/masuk")
    await page.goto(f"http://127.0.0.1:{port}/")
    assert page.url.endswith("/masuk")
    assert errors == []
    await context.close()


async def test_the_province_watches_the_overview_move(central, browser):
    central.central.dashboard.refresh_s = 0.3
    context = await browser.new_context(accept_downloads=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    port = central.port
    await _login(page, port, "provinsi", PASSWORDS["provinsi"])

    buildings = await _rows(page, "gedung")
    assert [(r[0], r[1]) for r in buildings] == [("tertinggal", "MPP Kota Contoh"),
                                                 ("", EVIL_BUILDING)]  # fmt: skip
    assert [r[5] for r in buildings] == ["5", "1"]  # tickets today
    assert await page.evaluate("window.__pwned") is None

    await page.evaluate("window.__sama = 'halaman yang sama'")
    day = kabupaten_day(today())
    before = len(day.events)
    second = day.ticket("A-002", "09:30", "A")
    day.add("09:31", "ticket_called", "counter:L01", ticket=second, number="A-002", line="A",
            counter="L01", reason="fifo")  # fmt: skip
    await asyncio.to_thread(send, port, "POST", "/central/v1/events",
                            day.body(day.events[before:]), OTHER)  # fmt: skip
    await page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#gedung tbody tr'))"
        ".some(r => r.cells[1].textContent === 'mpp-kabupaten-contoh' "
        "&& r.cells[4].textContent === '2')",
        timeout=10_000,
    )
    assert await page.evaluate("window.__sama") == "halaman yang sama"  # moved, not reloaded
    await page.screenshot(path=str(ARTIFACTS / "central-overview-live.png"), full_page=True)

    async with page.expect_navigation():
        await page.click("#gedung tbody tr.tertinggal a")
    assert await page.text_content("h1") == "MPP Kota Contoh"
    history = await _rows(page, "riwayat")
    assert history[0][0] == "tertinggal" and history[0][2] == "A"
    assert history[0][1] == today().strftime("%d-%m-%Y")
    async with page.expect_download() as download_info:
        await page.click("a.csv")
    download = await download_info.value
    data = Path(await download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbfday,line,line_name,")
    assert b"'=HYPERLINK(" in data

    await page.goto(f"http://127.0.0.1:{port}/peringkat")
    ranking = await _rows(page, "peringkat")
    assert [(r[1], r[2], r[4]) for r in ranking] == [
        ("1", "MPP Kota Contoh", "A"),  # p90 20 min / standard 10 min: 2,00×
        ("2", "MPP Kota Contoh", "B"),  # 10 min / 30 min: 0,33×
        ("3", EVIL_BUILDING, "A"),  # waited 1 min each: 1 / 10 = 0,10×
    ]
    assert [r[11] for r in ranking] == ["2,00×", "0,33×", "0,10×"]
    await page.screenshot(path=str(ARTIFACTS / "central-ranking.png"), full_page=True)
    assert errors == []
    await context.close()
