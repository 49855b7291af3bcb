"""`antre admin` as an operator types it (a real subprocess): listed, with its own options."""

from __future__ import annotations

import subprocess
import sys


def antre(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_admin_is_a_part_of_the_command_with_the_floors_login_options() -> None:
    assert "admin" in antre("--help").stdout
    result = antre("admin", "--help")
    assert result.returncode == 0
    assert "usage: antre admin" in result.stdout
    for option in ("--server", "--manager", "--pin", "--device-file"):
        assert option in result.stdout
