"""skm.html, the printable SKM page, rendered by Debian's headless Chromium (tests/web/chromium.py).

The page is made by `antre report --skm` from the hand-written period of test_report_skm.py
(its docstring works the figures out): the building 76,85 (B, Baik), Dukcapil 88,89 (A,
Sangat Baik), Samsat 52,78 (D, Tidak Baik); a suggestion carries a script injection.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from chromium import ARTIFACTS, needs_chromium
from skm_period import INJECTION, NOW, the_period, write_store

from server.report.cli import report_main

pytestmark = needs_chromium


@pytest.fixture
async def page_file(tmp_path: Path) -> Path:
    db = tmp_path / "antre.db"
    await write_store(db, the_period())
    out = tmp_path / "out"
    argv = ["--from", "2026-11-23", "--to", "2026-11-24", "--db", str(db), "--out", str(out)]
    assert report_main([*argv, "--skm", "--quiet"], now=NOW) == 0
    return out / "skm.html"


async def open_page(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """The page in a tab with JavaScript on (an injected script would run), and its errors."""
    context = await browser.new_context(viewport={"width": 1000, "height": 1400})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append(f"dialog {dialog.message}"))
    await page.goto(path.as_uri())
    return page, errors


async def test_page_shows_building_period_grades_and_sample(browser: Any, page_file: Path) -> None:
    """The header names the building and period; each scope its IKM, grade words and sample."""
    page, errors = await open_page(browser, page_file)
    header = await page.inner_text("header")
    assert "MPP Kota Contoh" in header and "Survei Kepuasan Masyarakat" in header
    assert "Senin, 23 November 2026 s.d. Selasa, 24 November 2026" in header
    sections = page.locator("section.building, section.agency")
    assert await sections.count() == 3
    building = await sections.nth(0).inner_text()
    assert "76,85" in building and "Mutu pelayanan: B (Baik)" in building
    assert "3 dari 5 kunjungan selesai (60,0%)" in building
    assert "Krejcie–Morgan untuk populasi 5: 5 — kurang 2 responden" in building
    dukcapil = await sections.nth(1).inner_text()
    assert "Dinas Kependudukan dan Pencatatan Sipil (DUKCAPIL)" in dukcapil
    assert "88,89" in dukcapil and "A (Sangat Baik)" in dukcapil
    samsat = await sections.nth(2).inner_text()
    assert "52,78" in samsat and "D (Tidak Baik)" in samsat
    # The per-element table: U3 Waktu penyelesaian of the building, 8 over 3 respondents.
    u3 = page.locator("section.building table.elements tr", has_text="Waktu penyelesaian")
    assert [c.strip() for c in await u3.locator("td").all_inner_texts()] == [
        "U3",
        "Waktu penyelesaian",
        "8",
        "2,67",
        "C (Kurang Baik)",
    ]
    waits = await page.locator("section.building table.waits").inner_text()
    assert "> 60 menit" in waits and "52,78" in waits
    assert errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "skm-report.png"), full_page=True)


async def test_suggestion_with_markup_is_text_and_apart(browser: Any, page_file: Path) -> None:
    """A script typed as a suggestion is shown as text, never run, and only in the section of
    suggestions after every score; the page holds no script at all."""
    page, errors = await open_page(browser, page_file)
    assert await page.evaluate("window.__pwned") is None
    assert await page.locator("script").count() == 0
    assert await page.locator("img").count() == 0
    texts = await page.locator("section.suggestions li .text").all_inner_texts()
    assert texts == [f"Ruang tunggu panas & sempit {INJECTION}", "Antrean Samsat lama sekali."]
    for section in ("header", "section.building", "section.agency", "section.profile"):
        for text in await page.locator(section).all_inner_texts():
            assert "Ruang tunggu" not in text
    last = await page.evaluate("document.querySelector('body > section:last-of-type').className")
    assert last == "suggestions"
    assert errors == []


async def test_page_prints_each_agency_on_its_own_page(browser: Any, page_file: Path) -> None:
    """Printed (A4 PDF), each agency and the suggestions start a new page."""
    page, _ = await open_page(browser, page_file)
    await page.emulate_media(media="print")
    breaks = await page.evaluate(
        "[...document.querySelectorAll('section')].map("
        "s => [s.className, getComputedStyle(s).breakBefore])"
    )
    assert breaks == [
        ["building", "auto"],
        ["agency", "page"],
        ["agency", "page"],
        ["profile", "page"],
        ["suggestions", "page"],
    ]
    pdf = await page.pdf(format="A4")
    # building, two agencies, profile, suggestions: at least five A4 pages.
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 5


async def test_a_one_day_report_names_its_day_once(browser: Any, tmp_path: Path) -> None:
    """A day's report is "Periode: Senin, 23 November 2026", not the day "s.d." itself."""
    db = tmp_path / "antre.db"
    await write_store(db, the_period())
    out = tmp_path / "out"
    argv = ["--from", "2026-11-23", "--to", "2026-11-23", "--db", str(db), "--out", str(out)]
    assert report_main([*argv, "--skm", "--quiet"], now=NOW) == 0
    page, errors = await open_page(browser, out / "skm.html")
    period = await page.inner_text("p.period")
    assert period.strip() == "Periode: Senin, 23 November 2026"
    assert errors == []
