"""The `antre` command as an operator types it (a real subprocess)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from server import __version__


def antre(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_version_prints_the_package_version() -> None:
    """`antre --version` prints the installed version and exits 0."""
    result = antre("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"antre {__version__}"


def test_help_lists_every_built_part() -> None:
    """`antre --help` names the server, config, floor and report subcommands."""
    result = antre("--help")
    assert result.returncode == 0
    for sub in ("server", "config", "floor", "report"):
        assert sub in result.stdout


def test_a_part_gets_the_rest_of_the_command_line() -> None:
    """`antre report --help` shows the report's own options, not the top-level usage."""
    result = antre("report", "--help")
    assert result.returncode == 0
    assert "--journal" in result.stdout


def test_report_on_a_missing_store_is_refused_plainly(tmp_path: Path) -> None:
    """`antre report` on a store that does not exist says so and creates nothing."""
    db = tmp_path / "nothing.db"
    result = antre("report", "--db", str(db), "--day", "2026-11-23")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_no_subcommand_shows_help_and_fails() -> None:
    """`antre` alone prints the usage and exits non-zero rather than doing something."""
    result = antre()
    assert result.returncode == 2
    assert "usage: antre" in result.stdout
