"""The store knows which building it belongs to (and how late its log goes): the operator's
commands, run as typed.

The rules are docs/operations.md, "Changing the building file", and the exit codes its table
names: 78 for a store of another building (or a report whose building file is gone), 65 for a
--db that is not a store, 0 when the server serves. Every command runs as a real subprocess on
real SQLite files, and none may print a traceback.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from kabupaten_uji import MORNING, building_text, morning, one_ticket, write_building

from server.config import demo_building_path, load_building_file
from server.engine import Engine
from server.store import Store

WRONG_BUILDING = 78  # docs/operations.md, "Running the server"; docs/reports.md
NOT_A_STORE = 65


def antre(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args], capture_output=True, text=True, timeout=30
    )


def serve_until_ready(*args: str) -> tuple[int, str]:
    """`antre server ARGS --port 0` until it says it is serving, then SIGTERM: (status, log)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "server", *args, "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    lines: list[str] = []
    serving = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if " serving " in line:
                serving.set()
        serving.set()  # the server ended before serving

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    serving.wait(timeout=60)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    status = proc.wait(timeout=30)
    reader.join(timeout=10)
    return status, "".join(lines)


def recorded(db: Path) -> list[tuple[str, str, str, str]]:
    """The store's `buildings` rows: (name, digest, path, how), oldest first."""
    with sqlite3.connect(db) as con:
        return list(con.execute("SELECT name, digest, path, how FROM buildings ORDER BY id"))


def events(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT count(*) FROM events").fetchone()[0]


@pytest.fixture
async def kabupaten(tmp_path: Path) -> tuple[Path, Path]:
    """A real building's file and its store, holding a morning of tickets."""
    config = write_building(tmp_path / "kabupaten.toml")
    db = tmp_path / "var" / "antre.db"
    db.parent.mkdir()
    await morning(db, config)
    return config, db


async def test_server_without_config_refuses_a_real_buildings_store(kabupaten) -> None:
    """No --config on a real building's store: exit 78 naming both buildings and the command
    to type, nothing changed, no traceback (it used to crash with exit 1: "could not listen")."""
    config, db = kabupaten
    before = (events(db), recorded(db))
    result = antre("server", "--db", str(db), "--port", "0")
    assert result.returncode == WRONG_BUILDING
    assert "Traceback" not in result.stderr
    assert "“MPP Kabupaten Uji”" in result.stderr and "“MPP Kota Contoh”" in result.stderr
    assert "no --config given" in result.stderr
    assert f"antre server --config {config.resolve()} --db {db}" in result.stderr
    assert (events(db), recorded(db)) == before


async def test_server_without_config_refuses_a_real_buildings_store_before_its_first_ticket(
    tmp_path: Path,
) -> None:
    """A real building started once (its store recorded, no ticket yet), then restarted at
    07.00 without --config: refused, exit 78, not quietly served as the demo building (the
    leniency for a store without events is for a --config the operator gave)."""
    config = write_building(tmp_path / "kabupaten.toml")
    db = tmp_path / "antre.db"
    building, identity = load_building_file(config)
    engine = Engine(building, str(db), clock=lambda: MORNING, identity=identity)
    await engine.start()
    await engine.close()
    assert (events(db), [r[0] for r in recorded(db)]) == (0, ["MPP Kabupaten Uji"])
    result = antre("server", "--db", str(db), "--port", "0")
    assert result.returncode == WRONG_BUILDING
    assert "Traceback" not in result.stderr
    assert "“MPP Kabupaten Uji”" in result.stderr and "no --config given" in result.stderr
    assert [r[0] for r in recorded(db)] == ["MPP Kabupaten Uji"]


async def test_another_buildings_file_is_refused_unless_the_rename_is_accepted(
    kabupaten, tmp_path: Path
) -> None:
    """A file naming another building is refused; --accept-building serves it and records
    the renaming, after which it starts without the flag."""
    _, db = kabupaten
    renamed = write_building(tmp_path / "kota-baru.toml", building_text(name="MPP Kota Baru"))
    result = antre("server", "--config", str(renamed), "--db", str(db), "--port", "0")
    assert result.returncode == WRONG_BUILDING and "Traceback" not in result.stderr
    assert f"(from {renamed.resolve()})" in result.stderr and "--accept-building" in result.stderr
    status, log = serve_until_ready("--config", str(renamed), "--db", str(db), "--accept-building")
    assert status == 0, log
    assert "it now belongs to 'MPP Kota Baru' (--accept-building)" in log
    assert [(name, how) for name, _, _, how in recorded(db)] == [
        ("MPP Kabupaten Uji", "created"),
        ("MPP Kota Baru", "renamed"),
    ]
    status, log = serve_until_ready("--config", str(renamed), "--db", str(db))
    assert status == 0, log


async def test_an_edited_file_of_the_same_building_is_served_and_recorded(kabupaten) -> None:
    """Same name, new hours: served, and recorded with a new digest; an edit of comments and
    spacing only changes nothing."""
    config, db = kabupaten
    first = recorded(db)
    assert [(name, path, how) for name, _, path, how in first] == [
        ("MPP Kabupaten Uji", str(config.resolve()), "created")
    ]
    write_building(config, building_text(close="16:00"))
    status, log = serve_until_ready("--config", str(config), "--db", str(db))
    assert status == 0, log
    assert "changed since the store last recorded it" in log
    after = recorded(db)
    assert [how for *_, how in after] == ["created", "changed"]
    assert after[1][1] != after[0][1] and len(after[1][1]) == 64  # a new SHA-256
    assert after[1][1][:12] in log and after[0][1][:12] in log
    write_building(config, "# spacing and comments only\n\n" + building_text(close="16:00"))
    status, log = serve_until_ready("--config", str(config), "--db", str(db))
    assert status == 0, log
    assert recorded(db) == after


async def test_report_without_config_names_lines_from_the_recorded_file(
    kabupaten, tmp_path: Path
) -> None:
    """`antre report` with no --config uses the file the store records, says so, and names
    line K "Pendaftaran Haji" of KEMENAG (it used to print the demo's names, exit 0)."""
    config, db = kabupaten
    out = tmp_path / "laporan"
    result = antre("report", "--db", str(db), "--day", "2026-11-23", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"Memakai berkas gedung {config.resolve()} (tercatat)" in result.stderr
    lines = (out / "lines.csv").read_text(encoding="utf-8-sig").splitlines()
    assert any(row.startswith("line,K,Pendaftaran Haji,KEMENAG,") for row in lines), lines
    assert "MPP Kabupaten Uji — laporan 2026-11-23" in result.stdout


async def test_report_with_another_buildings_file_refuses(kabupaten) -> None:
    """`antre report --config DEMO` on the Kabupaten store: exit 78, both names, what to type."""
    config, db = kabupaten
    demo = demo_building_path()
    result = antre("report", "--db", str(db), "--day", "2026-11-23", "--config", str(demo))
    assert result.returncode == WRONG_BUILDING and "Traceback" not in result.stderr
    assert "gedung “MPP Kabupaten Uji”, bukan “MPP Kota Contoh”" in result.stderr
    assert f"antre report --config {config.resolve()} --db {db}" in result.stderr
    assert result.stdout == ""


async def test_report_without_config_refuses_when_the_recorded_file_is_gone(kabupaten) -> None:
    """The recorded file moved away, no --config: exit 78 saying so, not the demo's names."""
    config, db = kabupaten
    config.rename(config.with_suffix(".old"))
    result = antre("report", "--db", str(db), "--day", "2026-11-23")
    assert result.returncode == WRONG_BUILDING and "Traceback" not in result.stderr
    assert f"berkasnya {config.resolve()} tidak ada lagi" in result.stderr
    assert "--config BERKAS" in result.stderr and result.stdout == ""


def test_server_on_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    """--db pointing at some other file: exit 65 with a sentence, the file untouched."""
    notes = tmp_path / "notes.db"
    notes.write_text("catatan rapat, bukan basis data\n" * 200, encoding="utf-8")
    before = notes.read_bytes()
    result = antre("server", "--db", str(notes), "--port", "0")
    assert result.returncode == NOT_A_STORE and "Traceback" not in result.stderr
    assert f"cannot use {notes} as the store" in result.stderr
    assert notes.read_bytes() == before


async def schema_5_store(db: Path) -> None:
    """A store as an Antre of schema 5 left it: the building's name in meta, one event."""
    old = await Store.open(db, target_version=5)
    await old.set_meta({"building": "MPP Kabupaten Uji", "created_at": "2026-11-01T08:00+08:00"})
    await old.close()
    event = '{"kind": "counter_opened", "at": "2026-11-23T09:00:00+08:00", "counter": "G1"}'
    with sqlite3.connect(db) as con:
        con.execute(
            "INSERT INTO events VALUES (1, '2026-11-23T09:00:00+08:00', '2026-11-23', 'system', "
            "'counter_opened', NULL, ?)",
            (event,),
        )


async def test_a_report_on_a_store_from_before_checks_it_by_name(tmp_path: Path) -> None:
    """The read-only report cannot migrate a schema-5 store: it reads the name kept in meta,
    asks for the file it does not know (exit 78), and reports with it."""
    db = tmp_path / "old.db"
    await schema_5_store(db)
    result = antre("report", "--db", str(db), "--day", "2026-11-23")
    assert result.returncode == WRONG_BUILDING and "Traceback" not in result.stderr
    assert "gedung “MPP Kabupaten Uji”, tetapi basis data ini tidak mencatat" in result.stderr
    demo = str(demo_building_path())
    refused = antre("report", "--db", str(db), "--day", "2026-11-23", "--config", demo)
    assert refused.returncode == WRONG_BUILDING
    config = write_building(tmp_path / "kabupaten.toml")
    result = antre("report", "--db", str(db), "--day", "2026-11-23", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "MPP Kabupaten Uji — laporan 2026-11-23" in result.stdout


async def test_a_store_from_before_knows_its_building_by_name(tmp_path: Path) -> None:
    """A schema-5 store (its name in meta only) migrates to a `legacy` row; started without
    --config it is refused by that name."""
    db = tmp_path / "old.db"
    await schema_5_store(db)
    result = antre("server", "--db", str(db), "--port", "0")
    assert result.returncode == WRONG_BUILDING and "Traceback" not in result.stderr
    assert "“MPP Kabupaten Uji”, give its building file with --config" in result.stderr
    assert recorded(db) == [("MPP Kabupaten Uji", "", "", "legacy")]


async def test_backup_names_the_building_and_keeps_off_another_buildings_backup(
    kabupaten, tmp_path: Path
) -> None:
    """`antre backup` says whose store it copied; a DEST holding another building's backup is
    left as it was (exit 78), a DEST of the same building is replaced."""
    _, db = kabupaten
    dest = tmp_path / "backup" / "latest.db"
    result = antre("backup", "--db", str(db), str(dest))
    assert result.returncode == 0, result.stderr
    assert "events of “MPP Kabupaten Uji”" in result.stdout
    before = dest.read_bytes()

    demo_db = tmp_path / "demo" / "antre.db"
    demo_db.parent.mkdir()
    await one_ticket(demo_db, demo_building_path(), "A")
    result = antre("backup", "--db", str(demo_db), str(dest))
    assert result.returncode == WRONG_BUILDING and "Traceback" not in result.stderr
    assert "is a backup of “MPP Kabupaten Uji”" in result.stderr
    assert "store of “MPP Kota Contoh”" in result.stderr
    assert dest.read_bytes() == before
    assert antre("backup", "--db", str(db), str(dest)).returncode == 0  # its own: replaced


async def test_a_clock_earlier_than_the_log_is_named_with_the_time_used(kabupaten) -> None:
    """`--clock` a day before the store's newest event (K-001 called at 09:03 WITA): the log
    says both times and that the newest event's time is used; the server serves."""
    config, db = kabupaten
    status, log = serve_until_ready(
        "--config", str(config), "--db", str(db), "--clock", "2026-11-22T09:00+08:00"
    )
    assert status == 0, log
    assert "the clock reads 2026-11-22T09:00:00+08:00, before the store's newest event" in log
    assert "2026-11-23T09:03:00+08:00): the server uses 2026-11-23T09:03:00+08:00" in log


def test_every_exit_status_is_documented() -> None:
    """Each exit status the server and the report use has its row in the docs' tables."""
    from server import app
    from server.building_identity import EXIT_WRONG_BUILDING

    docs = Path(__file__).resolve().parents[2] / "docs"
    operations = (docs / "operations.md").read_text(encoding="utf-8")
    codes = {0, 1, 2, EXIT_WRONG_BUILDING}
    codes |= {getattr(app, name) for name in app.__all__ if name.startswith("EXIT_")}
    for code in codes:
        assert f"\n| {code} | " in operations, code
    reports = (docs / "reports.md").read_text(encoding="utf-8")
    for code in (0, 2, EXIT_WRONG_BUILDING):
        assert f"`{code}`" in reports, code


def test_a_bug_at_start_is_one_line_and_a_crash_report(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture
) -> None:
    """Whatever breaks inside the server at start, the operator reads one line (exit 70) and the
    traceback goes to antre-crash.log beside the store (here: no building at all, a bug)."""
    from server.app import EXIT_SOFTWARE, run

    db = tmp_path / "var" / "antre.db"
    db.parent.mkdir()
    status = run(None, str(db), port=0)  # type: ignore[arg-type]
    assert status == EXIT_SOFTWARE == 70
    crash = db.parent / "antre-crash.log"
    assert "Traceback" in crash.read_text(encoding="utf-8")
    assert f"please report it with {crash}" in caplog.text
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out
