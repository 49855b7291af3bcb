"""A simulated week of visits, answers and complaints through the real engine and a real store
(server/simulate/survey_week.py), reported by `antre report --skm`, against figures the test
computes itself from the answers as drawn: plain arithmetic written here, never the code under
test (PermenPANRB 14/2017, DOMAIN §6).

The week: Monday 23 to Sunday 29 November 2026 at the demo building (open Monday to Friday),
four lines served at one counter each. Answers come up to six days after the visit, so into
December: the report must read past the week's end and count each under its visit's day.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from chromium import needs_chromium
from skm_period import WIB, read_csv, rows_by

from server.config import load_demo_building
from server.report.skm_report import write_skm_report
from server.report.skm_stats import finished_visits
from server.report.stats import replay_tickets
from server.simulate.survey_week import (
    DrawnAnswer,
    VoiceDays,
    VoiceParams,
    play_voice_days,
    voice_building,
)
from server.store import StoreReader

FIRST, LAST = date(2026, 11, 23), date(2026, 11, 29)
NOW = datetime(2027, 1, 15, 9, 0, tzinfo=WIB)  # every answer and step is in the log by then
AGENCY = {"A": "DUKCAPIL", "E": "SAMSAT", "G": "POLRES", "J": "BPJSKES"}  # the demo's lines


# --------------------------------------------------------------------------------------------
# The independent computation: the regulation's formulas, written out here
# --------------------------------------------------------------------------------------------


def two_decimals(x: float) -> Decimal:
    """Rounded half up to two decimals, as the regulation's table is read."""
    return Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected(answers: list[DrawnAnswer]) -> dict[str, Any]:
    """NRR per element (sum ÷ respondents), IKM (mean of the nine NRRs × 25), grade."""
    n = len(answers)
    sums = [0] * 9
    for a in answers:
        for i in range(9):
            sums[i] += a.scores[i]
    nrr = [s / n for s in sums]
    ikm = (nrr[0] + nrr[1] + nrr[2] + nrr[3] + nrr[4] + nrr[5] + nrr[6] + nrr[7] + nrr[8]) / 9 * 25
    r = two_decimals(ikm)
    if r >= Decimal("88.31"):
        letter, words = "A", "Sangat Baik"
    elif r >= Decimal("76.61"):
        letter, words = "B", "Baik"
    elif r >= Decimal("65.00"):
        letter, words = "C", "Kurang Baik"
    else:
        letter, words = "D", "Tidak Baik"
    return {"n": n, "nrr": nrr, "ikm": r, "grade": letter, "words": words}


def krejcie_morgan(population: int) -> int:
    """s = χ²NP(1−P) / (d²(N−1) + χ²P(1−P)), χ² 3.841, P 0.5, d 0.05, to the nearest whole."""
    s = 3.841 * population * 0.25 / (0.05**2 * (population - 1) + 3.841 * 0.25)
    return math.floor(s + 0.5)


def band(wait_s: float) -> str:
    minutes = wait_s / 60
    if minutes < 15:
        return "< 15 menit"
    return "15–60 menit" if minutes <= 60 else "> 60 menit"


# --------------------------------------------------------------------------------------------
# The week, played and reported once for the module
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[VoiceDays, Path]:
    import asyncio

    tmp = tmp_path_factory.mktemp("week")
    db = tmp / "antre.db"
    building = voice_building(load_demo_building())
    drawn = asyncio.run(play_voice_days(building, db, VoiceParams(FIRST, days=7, seed=20)))
    visits = {}
    with StoreReader.open(db) as store:
        for day in store.service_days(FIRST, LAST):
            visits |= finished_visits(replay_tickets(store.day_log(day)))
        write_skm_report(store, building, FIRST, LAST, visits, tmp, now=NOW, officers=True)
    return drawn, tmp


def in_week(drawn: VoiceDays) -> list[DrawnAnswer]:
    return [a for a in drawn.answers if FIRST <= a.day <= LAST]


def test_the_week_is_a_fair_test(week: tuple[VoiceDays, Path]) -> None:
    """The drawn week has what the checks need: answers given after it ended, every wait band,
    every channel, complaints."""
    drawn, _ = week
    answers = in_week(drawn)
    assert len(drawn.finished) == 5 * 4 * 22  # five open days, four lines, 22 visits each
    assert any(a.given_at.date() > LAST for a in answers)
    assert {band(a.wait_s) for a in answers} == {"< 15 menit", "15–60 menit", "> 60 menit"}
    assert {a.channel.partition(":")[0] for a in answers} == {"phone", "tablet", "exit"}
    assert len(drawn.complaints) >= 5


def check_row(row: dict[str, str], want: dict[str, Any]) -> None:
    assert int(row["respondents"]) == want["n"]
    for i in range(9):
        assert float(row[f"nrr_u{i + 1}"]) == round(want["nrr"][i], 4), i
    assert Decimal(row["ikm"]) == want["ikm"]
    assert (row["grade"], row["grade_words"]) == (want["grade"], want["words"])


def test_building_agency_line_counter_officer(week: tuple[VoiceDays, Path]) -> None:
    """skm.csv: per element NRR, IKM, grade, population, sample and shortfall of every scope
    equal the test's own computation over the drawn answers."""
    drawn, out = week
    answers = in_week(drawn)
    rows = rows_by(out / "skm.csv", "scope", "key")
    groups: dict[tuple[str, str], list[DrawnAnswer]] = defaultdict(list)
    population: Counter[tuple[str, str]] = Counter()
    for a in answers:
        groups["building", ""].append(a)
        groups["agency", AGENCY[a.line]].append(a)
        groups["line", a.line].append(a)
        groups["counter", a.counter].append(a)
        groups["officer", a.officer].append(a)
    for line, counter, officer, _wait in drawn.finished.values():
        for key in (("building", ""), ("agency", AGENCY[line]), ("line", line)):
            population[key] += 1
        population["counter", counter] += 1
        population["officer", officer] += 1
    assert set(rows) == set(groups)
    for key, group in groups.items():
        row = rows[key]
        check_row(row, expected(group))
        assert int(row["finished_visits"]) == population[key], key
        need = krejcie_morgan(population[key])
        assert int(row["required_sample"]) == need, key
        assert int(row["shortfall"]) == max(0, need - len(group)), key
        assert float(row["response_rate_pct"]) == round(100 * len(group) / population[key], 1)


def test_waits_cost_satisfaction(week: tuple[VoiceDays, Path]) -> None:
    """skm_waits.csv: each band's IKM equals the test's over the answers of visits that waited
    that long (the generator's own plan of the wait); over an hour scores 5 points lower than
    under 15 minutes, and U3 (completion time) half a point."""
    drawn, out = week
    rows = rows_by(out / "skm_waits.csv", "scope", "key", "wait_band")
    by_band: dict[str, list[DrawnAnswer]] = defaultdict(list)
    for a in in_week(drawn):
        by_band[band(a.wait_s)].append(a)
    for label, group in by_band.items():
        check_row(rows["building", "", label], expected(group))
    # The generator's scores fall with the wait: a manager sees what waiting costs.
    short, long = expected(by_band["< 15 menit"]), expected(by_band["> 60 menit"])
    assert short["ikm"] - long["ikm"] >= 5 and short["nrr"][2] - long["nrr"][2] >= 0.5


def test_channels_and_response_rates(week: tuple[VoiceDays, Path]) -> None:
    """skm_channels.csv: answers per channel over the week's finished visits; the tablet's
    over its counter's."""
    drawn, out = week
    answers = in_week(drawn)
    rows = rows_by(out / "skm_channels.csv", "scope", "key", "channel")
    finished = len(drawn.finished)
    kinds = Counter(a.channel.partition(":")[0] for a in answers)
    for kind, n in kinds.items():
        row = rows["building", "", kind]
        assert int(row["responses"]) == n
        assert float(row["response_rate_pct"]) == round(100 * n / finished, 1)
    at_l01 = sum(1 for line, counter, *_ in drawn.finished.values() if counter == "L01")
    tablet = rows["device", "TABLET-L01", "tablet"]  # the demo building's tablet at Loket 1
    assert (int(tablet["responses"]), int(tablet["finished_visits"])) == (kinds["tablet"], at_l01)


def test_complaints_and_their_steps(week: tuple[VoiceDays, Path]) -> None:
    """complaints.csv: the week's complaints, each step at the instant it was played."""
    drawn, out = week
    rows = {r["id"]: r for r in read_csv(out / "complaints.csv")}
    mine = [c for c in drawn.complaints if FIRST <= c.filed_at.date() <= LAST]
    assert list(rows) == [c.id for c in mine]

    def local(at: datetime | None) -> str:
        return "" if at is None else at.astimezone(WIB).isoformat()

    for c in mine:
        row = rows[c.id]
        assert row["ticket_number"] == (c.ticket or "").partition("/")[2]
        assert (row["received_at"], row["taken_at"]) == (local(c.filed_at), local(c.taken_at))
        assert row["answered_at"] == local(c.answered_at)
        if c.closed_at is not None:
            assert (row["state"], row["closed_at"]) == ("closed", local(c.closed_at))
        elif c.answered_at is not None:  # closed by the system `close_days` after, or not yet
            assert row["state"] in ("answered", "closed")
            assert row["state"] == "answered" or row["closed_by"] == "system"
        else:
            assert row["state"] == ("in_progress" if c.taken_at else "received")


@needs_chromium
async def test_the_week_renders_in_chromium(week: tuple[VoiceDays, Path], browser: Any) -> None:
    """The printable page of the week shows the building's IKM and grade as computed here."""
    drawn, out = week
    want = expected(in_week(drawn))
    page = await (await browser.new_context()).new_page()
    await page.goto((out / "skm.html").as_uri())
    result = await page.inner_text("section.building .result")
    assert str(want["ikm"]).replace(".", ",") in result
    assert f"{want['grade']} ({want['words']})" in result
    assert "Senin, 23 November 2026 s.d. Minggu, 29 November 2026" in await page.inner_text(
        "header"
    )
    assert await page.locator("header .open").count() == 0  # by NOW the survey had closed
