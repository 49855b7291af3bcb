"""`antre config check` and `antre config hash-pin`, as the operator sees them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from server import cli
from server.auth import verify_pin
from server.cli import check_main, hash_pin_main
from server.config import demo_building_path


def test_check_demo_prints_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """A good file prints one OK line with its counts and exits 0, with nothing on stderr."""
    assert check_main(str(demo_building_path()), today=date(2026, 11, 23)) == 0
    out, err = capsys.readouterr()
    assert out == (
        "OK: MPP Kota Contoh: 15 agencies, 21 lines, 31 counters, 6 devices, 17 officers\n"
    )
    assert err == ""


def test_check_warns_when_this_years_holidays_are_missing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A file with no holiday in the current year still passes, with a warning on stderr."""
    path = str(demo_building_path())
    assert check_main(path, today=date(2031, 1, 5)) == 0
    out, err = capsys.readouterr()
    assert out.startswith("OK: ")
    assert err == (
        f"warning: {path}: no holidays listed for 2031; add this year's national holidays\n"
    )


def test_check_bad_file_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad file prints one problem per line on stderr, nothing on stdout, and exits 1."""
    text = demo_building_path().read_text(encoding="utf-8")
    text = text.replace('timezone = "WIB"', 'timezone = "WIBB"', 1)
    text = text.replace("quota_walk_in = 300", "qouta_walk_in = 300", 1)
    path = tmp_path / "gedung.toml"
    path.write_text(text, encoding="utf-8")
    assert check_main(str(path)) == 1
    out, err = capsys.readouterr()
    lines = text.splitlines()
    tz_line = lines.index('timezone = "WIBB"') + 1
    quota_line = lines.index("qouta_walk_in = 300") + 1
    assert out == ""
    assert err.splitlines() == [
        f'{path}:{tz_line}: building.timezone: unknown timezone "WIBB"; use one of WIB, WITA, '
        "WIT, Asia/Jakarta, Asia/Pontianak, Asia/Makassar, Asia/Jayapura",
        f'{path}:{quota_line}: lines[A].qouta_walk_in: unknown key "qouta_walk_in"; '
        'did you mean "quota_walk_in"?',
    ]


def test_check_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing file is one line on stderr and exit status 1."""
    path = str(tmp_path / "gedung.toml")
    assert check_main(path) == 1
    assert capsys.readouterr().err == f"{path}: no such file\n"


def test_hash_pin_given_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """hash-pin prints one hash line that verifies the PIN."""
    assert hash_pin_main("482913") == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("scrypt$16384$8$1$") and verify_pin("482913", printed)


@pytest.mark.parametrize("pin", ["", "123", "12ab56", "1234567890123"])
def test_hash_pin_refuses_a_bad_pin(pin: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A PIN that is not 4–12 digits is refused with a message and exit status 1."""
    assert hash_pin_main(pin) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == "error: a PIN is 4 to 12 digits\n"


def test_hash_pin_asks_twice(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a PIN argument it asks twice without echo and hashes the PIN typed."""
    answers = iter(["246810", "246810"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    assert hash_pin_main(None) == 0
    assert verify_pin("246810", capsys.readouterr().out.strip())


def test_hash_pin_mismatch(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two different PINs typed are refused, and nothing is printed on stdout."""
    answers = iter(["246810", "246811"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(answers))
    assert hash_pin_main(None) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == "error: the two PINs differ\n"
