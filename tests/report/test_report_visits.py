"""`antre report` on visits with several stops (issue 22): visits.csv, the journal's visit
columns and the terminal's line, against visit_day.py's day worked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_report import _read_csv, _write_store
from visit_day import DAY, skipped_day, visit_day

from server.report.cli import report_main
from server.report.tables import JOURNAL_COLUMNS, VISIT_COLUMNS


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, str]:
    """The day in a real store, reported with --out and --journal, with its terminal summary."""
    import asyncio
    import contextlib
    import io

    tmp = tmp_path_factory.mktemp("visits")
    db = tmp / "antre.db"
    asyncio.run(_write_store(db, visit_day()))
    out = tmp / "out"
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        rc = report_main(["--day", DAY, "--db", str(db), "--out", str(out), "--journal"])
    assert rc == 0
    return out, text.getvalue()


def test_visits_csv(report):
    out, _ = report
    rows = _read_csv(out / "visits.csv")
    assert list(rows[0]) == list(VISIT_COLUMNS)
    got = [
        {k: r[k] for k in VISIT_COLUMNS if k not in ("first_issued_at", "last_finished_at")}
        for r in rows
    ]
    assert got == [
        {
            "visit": f"{DAY}/KJ-001",
            "day": DAY,
            "stops_planned": "2",
            "stops_done": "2",
            "stops_skipped": "0",
            "stops_added": "0",
            "total_min": "60.0",  # 08:00 issue to 09:00 finish
            "hand_ons": "1",
            "lines": "B > J",
        },
        {
            "visit": f"{DAY}/KJ-002",
            "day": DAY,
            "stops_planned": "2",
            "stops_done": "2",
            "stops_skipped": "1",
            "stops_added": "1",
            "total_min": "50.0",  # 08:20 to 09:10
            "hand_ons": "1",
            "lines": "T > S > J",
        },
        {
            "visit": f"{DAY}/KJ-003",
            "day": DAY,
            "stops_planned": "1",  # a plain ticket an officer added a stop to
            "stops_done": "1",
            "stops_skipped": "0",
            "stops_added": "1",
            "total_min": "",  # B-002 still waits: not complete
            "hand_ons": "1",
            "lines": "A > B",
        },
    ]
    assert rows[0]["first_issued_at"] == f"{DAY}T08:00:00+07:00"
    assert rows[0]["last_finished_at"] == f"{DAY}T09:00:00+07:00"
    assert rows[2]["first_issued_at"] == f"{DAY}T08:30:00+07:00"
    assert rows[2]["last_finished_at"] == f"{DAY}T09:00:00+07:00"


def test_journal_visit_columns(report):
    out, _ = report
    journal = {r["number"]: r for r in _read_csv(out / f"journal-{DAY}.csv")}
    assert list(journal["B-001"]) == list(JOURNAL_COLUMNS)
    cols = ("visit", "stop", "since_previous_stop_min")
    got = {n: tuple(r[c] for c in cols) for n, r in journal.items()}
    assert got == {
        "B-001": (f"{DAY}/KJ-001", "1", ""),
        "J-001": ("", "", ""),  # a ticket of its own
        "J-002": (f"{DAY}/KJ-001", "2", "10.0"),  # B-001 finished 08:30, J-002 called 08:40
        "T-001": (f"{DAY}/KJ-002", "1", ""),
        "S-001": (f"{DAY}/KJ-002", "2", "5.0"),  # 08:45 → 08:50
        "A-001": (f"{DAY}/KJ-003", "1", ""),  # became a visit at its counter
        "B-002": (f"{DAY}/KJ-003", "2", ""),  # never called
    }


def test_terminal_line_about_visits(report):
    _, text = report
    flat = " ".join(text.split())
    assert (
        "Kunjungan beberapa layanan: 3 (2 selesai), waktu di gedung median 55:00 (menit:detik). "
        "Perpindahan terbanyak: Bapenda → BPN 1, Dukcapil → BPJS Kesehatan 1, "
        "Dukcapil → Dukcapil 1." in flat
    )


def test_a_day_without_visits_has_an_empty_visits_csv_and_no_line(tmp_path):
    """The hand-computed day of test_report.py has no visit: a header only, no summary line."""
    import asyncio
    import contextlib
    import io

    from test_report import small_day

    db = tmp_path / "antre.db"
    asyncio.run(_write_store(db, small_day()))
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        assert report_main(["--day", "2026-11-23", "--db", str(db), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "visits.csv").read_text(encoding="utf-8-sig").splitlines() == [
        ",".join(VISIT_COLUMNS)
    ]
    assert "Kunjungan beberapa layanan" not in text.getvalue()


def test_the_survey_population_counts_a_visit_once():
    """The SKM population: J-001 on its own; KJ-001 once under J-002 with B-001's 600 s wait
    and J-002's 600 s; KJ-002 under S-001 (300 + 300); KJ-003 under A-001, its only served stop
    (600; B-002 never called). Not B-001 nor T-001: their visits count under their last stop."""
    from server.report.skm_stats import finished_visits
    from server.report.stats import replay_tickets

    population = finished_visits(replay_tickets(visit_day()))
    got = {tid.split("/")[1]: (v.line, v.counter, v.wait_s) for tid, v in population.items()}
    assert got == {
        "J-001": ("J", "L14", 300.0),
        "J-002": ("J", "L14", 1200.0),
        "S-001": ("S", "L26", 600.0),
        "A-001": ("A", "L01", 600.0),
    }


def test_a_hand_on_after_the_floors_skip_is_no_hand_off_between_agencies():
    """skipped_day: three hand-ons, but the citizens of KJ-001 and KJ-002 never left a counter
    at B or A: the only hand-off between agencies is KJ-003's Bapenda → BPN."""
    from server.report.stats import replay_tickets
    from server.report.visit_stats import handoff_pairs, replay_visits

    entries = skipped_day()
    tickets = replay_tickets(entries)
    visits = replay_visits(entries, tickets)
    assert [len(v.hand_ons) for v in visits.values()] == [1, 1, 1]
    agency = {"A": "Dukcapil", "B": "Dukcapil", "J": "BPJS Kesehatan", "T": "Bapenda", "S": "BPN"}
    assert handoff_pairs([visits], agency) == [("Bapenda", "BPN", 1)]
