"""`antre simulate --survey DAYS`: seeded days of visits, answers and complaints in a new store,
which `antre report --skm` then reports on (the line it prints is the command to type)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from server.report.cli import report_main
from server.simulate.cli import simulate_main


def test_survey_days_then_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Three days from Friday 27 November 2026 (Saturday and Sunday closed): 4 lines × 22
    visits finished, and the printed report command writes skm.csv with them as its
    population."""
    db = tmp_path / "skm.db"
    argv = ["--survey", "3", "--db", str(db), "--from", "2026-11-27", "--seed", "3"]
    assert simulate_main(argv) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith("88 kunjungan selesai, ")
    command = shlex.split(said[1].removeprefix("Laporan: antre report "))
    out = tmp_path / "laporan"
    command[command.index("--out") + 1] = str(out)
    assert report_main([*command, "--quiet"]) == 0
    header, building = (out / "skm.csv").read_text(encoding="utf-8-sig").splitlines()[:2]
    row = dict(zip(header.split(","), building.split(","), strict=True))
    assert row["finished_visits"] == "88" and row["from"] == "2026-11-27"


def test_survey_refuses_an_existing_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An existing file is never written into: exit 2, the file unchanged."""
    db = tmp_path / "antre.db"
    db.write_bytes(b"mine")
    assert simulate_main(["--survey", "7", "--db", str(db)]) == 2
    assert db.read_bytes() == b"mine"
    assert "already exists" in capsys.readouterr().err
