"""The `antre` command as an operator types it (a real subprocess)."""

from __future__ import annotations

import subprocess
import sys

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
    """`antre --help` names the server and config subcommands."""
    result = antre("--help")
    assert result.returncode == 0
    for sub in ("server", "config"):
        assert sub in result.stdout


def test_no_subcommand_shows_help_and_fails() -> None:
    """`antre` alone prints the usage and exits non-zero rather than doing something."""
    result = antre()
    assert result.returncode == 2
    assert "usage: antre" in result.stdout
