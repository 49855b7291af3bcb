"""`antre report`'s summary as the operator reads it: in a pipe, at 80 columns, on a terminal.

The store holds the hand-computed day of test_report.py (line A: waits 300/1500/2400/2400 s,
services 240/480/1200 s). Its figures, written as m:ss, must appear whole — never cut to "…" —
and no line may be wider than the terminal: 80 columns in a pipe, with COLUMNS=80, and in a
real 80-column terminal (a pseudo-terminal here). A wide terminal gets one table per scope.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from test_report import _write_store, small_day

# Worked by hand from the waits and services above (docs/reports.md defines each figure).
LINE_A_FIGURES = (
    "27:30",  # mean wait: (300 + 1500 + 2400 + 2400) / 4 = 1650 s
    "32:30",  # median wait: (1500 + 2400) / 2 = 1950 s
    "40:00",  # p90 and longest wait: 2400 s
    "50%",  # waits within 30 min: 300 and 1500 of four
    "10:40",  # mean service: (240 + 480 + 1200) / 3 = 640 s
    "20:00",  # p90 service: 1200 s
    "67%",  # services within 10 min: 240 and 480 of three
)
KEYS = ("DUKCAPIL", "SAMSAT", "A", "E", "L01", "L02", "DKP01", "DKP02")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
async def store(tmp_path: Path) -> Path:
    db = tmp_path / "antre.db"
    await _write_store(db, small_day())
    return db


def report(db: Path, **env: str) -> str:
    """`antre report` for the day into a pipe, with `env` on top of a COLUMNS-free env."""
    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "report", "--db", str(db), "--day", "2026-11-23"],
        capture_output=True,
        text=True,
        timeout=60,
        env=base | env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_readable(text: str, columns: int) -> None:
    lines = text.splitlines()
    too_wide = [line for line in lines if len(line) > columns]
    assert not too_wide, too_wide
    assert "…" not in text
    assert lines[0] == "MPP Kota Contoh — laporan 2026-11-23 (1 hari berisi data)"
    words = text.split()
    for figure in LINE_A_FIGURES:
        assert figure in words, figure
    for key in KEYS:
        assert key in words, key
    # Long names wrap onto a second line rather than being cut.
    for word in ("Perekaman", "KTP-el", "Pencatatan", "Sipil", "Rahmawati"):
        assert word in words, word


async def test_piped_summary_fits_80_columns(store: Path) -> None:
    """Into a pipe (not a terminal): every line at most 80 columns, every figure whole."""
    assert_readable(report(store), 80)


async def test_columns_80_fits_80_columns(store: Path) -> None:
    """COLUMNS=80 is honoured the same way."""
    assert_readable(report(store, COLUMNS="80"), 80)


async def test_an_80_column_terminal_fits(store: Path) -> None:
    """In a real terminal 80 columns wide (a pseudo-terminal), colours and all."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "report", "--db", str(store), "--day", "2026-11-23"],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")
    assert_readable(text, 80)


async def test_a_wide_terminal_gets_one_table_per_scope(store: Path) -> None:
    """At 200 columns each line's figures stand on one row, next to its full name."""
    text = report(store, COLUMNS="200")
    assert max(len(line) for line in text.splitlines()) <= 200
    row = next(line for line in text.splitlines() if line.startswith("A "))
    assert "Perekaman dan Cetak KTP-el" in row
    assert all(figure in row.split() for figure in LINE_A_FIGURES)
