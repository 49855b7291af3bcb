"""`antre config export` (issue 23): the building written back as a building file.

The contract is the round trip: `parse_building(building_toml(b)) == b` for every building the
reader gives, since live administration will validate a changed building by writing it out and
reading it back. `SMALL` and `SMALL_EXPORTED` show, by hand, the canonical form the exporter
writes (docs/configuration.md, "Exporting the building"); the CLI runs as a real subprocess.
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import threading
import tomllib
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
import test_config_booking
import test_config_delivery
import test_config_labels
import test_config_part_week
import test_config_portals
import test_config_survey
import test_config_visits
from hypothesis import given
from hypothesis import strategies as st
from test_config_errors import BASE, DIGEST, PIN_HASH

from server.config import load_building, parse_building
from server.config.export import ExportError, building_toml, toml_string
from server.core.building import END_OF_DAY, Building, Destination, DestinationKind, Holiday

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "server" / "demo" / "mpp-kota-contoh.toml"
EXAMPLE = REPO / "docs" / "examples" / "mpp-kabupaten-contoh.toml"
WITA = timezone(timedelta(hours=8))
SECRET = b"s" * 40


def antre(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args], capture_output=True, text=True, timeout=60
    )


def round_trips(building: Building) -> None:
    text = building_toml(building)
    again = parse_building(text, "exported.toml")
    assert again == building
    assert building_toml(again) == text  # and the text is a fixed point: canonical


# --------------------------------------------------------------------------------------------
# Every building the tests load comes back equal
# --------------------------------------------------------------------------------------------


def _kabupaten_uji() -> str:
    """tests/store's second building (WITA, KEMENAG), without putting tests/store on the path."""
    path = REPO / "tests" / "store" / "kabupaten_uji.py"
    spec = importlib.util.spec_from_file_location("kabupaten_uji_for_export", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.building_text()  # type: ignore[no-any-return]


def _demo_with(*changes: tuple[str, str]) -> str:
    text = DEMO.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


_PW = test_config_part_week
TEXTS = {
    "demo": DEMO.read_text(encoding="utf-8"),
    "kabupaten-example": EXAMPLE.read_text(encoding="utf-8"),
    "errors-base": BASE,
    "booking": test_config_booking.BASE,
    "part-week": _PW.BASE,
    "part-week-24h": _PW.edit(
        (
            'friday = { open = "08:00", close = "16:30", breaks = [["11:30", "13:30"]] }',
            'friday = { open = "08:00", close = "24:00" }',
        ),
        ('saturday = "closed"', 'saturday = { open = "00:00", close = "24:00" }'),
    ),
    "portal": BASE + test_config_portals.PORTAL,
    "portal-read": BASE + test_config_portals.PORTAL + 'scope = "read"\nrequests_per_minute = 30\n',
    "visits": test_config_visits.edit(
        (test_config_visits.E_NAME, test_config_visits.E_NAME + '\nrequires = ["B"]'),
        append="visit_credit_min = 20\nvisit_max_stops = 3\n",
    ),
    "survey": BASE
    + test_config_survey.tablet("L07")
    + (
        "\n[survey]\nenabled = false\ndays_open = 14\nwait_bands_min = [10, 30, 90]\n"
        'public_period = "semester"\nrunning_text = true\nrequests_per_minute = 5\n'
        "tablet_idle_s = 60\n"
        "\n[complaints]\ndays_open = 60\ntake_days = 2\nanswer_days = 4\nclose_days = 7\n"
        "warn_days = 0\n"
    ),
    "proxies": BASE + '\n[booking]\ntrusted_proxies = ["10.0.0.5", "192.168.10.0/24", "::1"]\n',
    "phone": BASE + "\n[phone]\nwarn_when_ahead = 0\n",
    "demo-voice-number": _demo_with(('style = "digits"', 'style = "number"')),
    "demo-old-floor": _demo_with(
        (
            "regular_delay_pct = 25",
            "regular_delay_pct = 25\nregular_delay_min = 5\nbooking_delay_pct = 100",
        ),
    ),
    "demo-labelled": _demo_with(
        ('id = "L04"\nname = "Loket 4"', 'id = "L04"\nname = "Gerai Akta"\nspoken = "gerai akta"'),
        ('id = "L05"\nname = "Loket 5"', 'id = "L05"\nnumber = "3A"'),
        ('id = "L06"\nname = "Loket 6"', 'id = "L06"\nnumber = "1-01"'),
    ),
    "kabupaten-uji": _kabupaten_uji(),
} | {
    f"label-{name}": test_config_labels.BASE + table
    for name, table, _ in test_config_labels.ACCEPTED
}


@pytest.mark.parametrize("name", list(TEXTS))
def test_every_building_of_the_tests_comes_back_equal(name: str) -> None:
    round_trips(parse_building(TEXTS[name], "gedung.toml"))


def test_webhooks_and_central_come_back_with_their_secret_files(tmp_path: Path) -> None:
    """The delivery tests' building: the export names both secret files, relative to the
    folder it is saved in, and loading it there reads the same secrets."""
    mod = test_config_delivery
    path = mod._write(tmp_path, mod.WITH_ID + mod.WEBHOOK + mod.CENTRAL)
    building = load_building(path)
    text = building_toml(building, base=tmp_path)
    assert 'secret_file = "portal.secret"' in text.splitlines()
    assert 'key_file = "central.key"' in text.splitlines()
    assert mod.SECRET.decode() not in text and mod.KEY.decode() not in text
    out = tmp_path / "exported.toml"
    out.write_text(text, encoding="utf-8")
    again = load_building(out)
    assert again == building
    assert [d.secret for d in again.destinations] == [mod.SECRET, mod.KEY]


def test_a_secret_outside_the_folder_is_named_by_its_absolute_path(tmp_path: Path) -> None:
    mod = test_config_delivery
    building = load_building(mod._write(tmp_path, mod.WITH_ID + mod.WEBHOOK))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    text = building_toml(building, base=elsewhere)
    assert f"secret_file = {toml_string(str(tmp_path / 'portal.secret'))}" in text.splitlines()
    out = elsewhere / "exported.toml"
    out.write_text(text, encoding="utf-8")
    assert load_building(out) == building


def test_a_secret_without_its_file_is_refused_and_never_written() -> None:
    """A destination made in code has no file to name: refused, the secret nowhere in sight."""
    hook = Destination(
        id="PORTAL-KAB", kind=DestinationKind.WEBHOOK, url="https://portal.example/", secret=SECRET
    )
    building = replace(parse_building(BASE), id="mpp-uji", destinations=(hook,))
    with pytest.raises(ExportError, match="PORTAL-KAB: the secret was not read from a file") as e:
        building_toml(building)
    assert SECRET.decode() not in str(e.value)


# --------------------------------------------------------------------------------------------
# The canonical form, by hand
# --------------------------------------------------------------------------------------------

SMALL = f"""\
# MPP Kecil: this comment is not kept.
[building]
name = "MPP Kecil"
id = "mpp-kecil"
timezone = "WITA"

[hours]
monday = {{ open = "08:00", close = "16:00" }}
tuesday = {{ open = "08:00", close = "16:00" }}
wednesday = "closed"
thursday = {{ open = "08:00", close = "16:00" }}
friday = {{ open = "08:00", close = "16:30", breaks = [["11:30", "13:30"]] }}
saturday = "closed"
sunday = "closed"

[[holidays]]
date = 2027-01-01
name = "Tahun Baru 2027 Masehi"

[[holidays]]
date = 2026-12-25
name = "Kelahiran Yesus Kristus"

[[special_hours]]
name = "Ramadan 1448 H"
start = 2027-02-08
end = 2027-03-09
monday = {{ open = "08:00", close = "14:00" }}
tuesday = {{ open = "08:00", close = "16:00" }}  # as usual: not written again
friday = {{ open = "08:00", close = "14:30", breaks = [["11:30", "13:00"]] }}

[[zones]]
id = 1
name = "Lantai 1"

[[agencies]]
code = "DUKCAPIL"
name = "Dinas Kependudukan dan Pencatatan Sipil"
short_name = "Dukcapil"
zone = "1"

[[agencies]]
code = "IMIGRASI"
name = "Kantor Imigrasi"
zone = "1"
days = ["tuesday", "monday"]
open = "08:00"
close = "14:00"

[[agencies]]
code = "KUA"
name = "Kantor Urusan Agama"
short_name = "KUA"
zone = "1"
days = ["tuesday"]

[[lines]]
prefix = "A"
agency = "DUKCAPIL"
name = "Perekaman KTP-el"
target_service_min = 10
quota_walk_in = 100
cutoff = "14:30"

[lines.booking]
slot_min = 30
places = 4

[[lines]]
prefix = "P"
agency = "IMIGRASI"
name = "Paspor \\"baru\\""
target_service_min = 7.5
close = "12:00"
requires = ["A"]

[[lines]]
prefix = "K"
agency = "KUA"
name = "Pencatatan Nikah"
target_service_min = 20

[[counters]]
id = "L01"
agency = "DUKCAPIL"
serves = ["A"]

[[counters]]
id = "L02"
number = "2A"
name = "Gerai Paspor"
spoken = "gerai  paspor"
agency = "IMIGRASI"
serves = ["P"]
priority = true

[[counters]]
id = "L03"
[[counters.schedule]]
days = ["monday", "thursday", "friday"]
agency = "DUKCAPIL"
serves = ["A"]
[[counters.schedule]]
days = ["tuesday"]
agency = "KUA"
serves = ["K"]

[[devices]]
id = "KIOSK-1"
kind = "kiosk"
token_sha256 = "{DIGEST.upper()}"

[[officers]]
id = "IMI01"
name = "Maria Sitorus"
agency = "IMIGRASI"
pin_hash = "{PIN_HASH}"

[policy]
max_wait_min = 45.0

[[webhooks]]
id = "PORTAL-KAB"
url = "https://portal.example/antre"
secret_file = "portal.secret"
events = ["ticket_issued", "booking_made"]
"""

# By hand from docs/configuration.md: every table in the docs' order, settings in full with the
# defaults of its tables, optional keys without a value left out; a line writes only what
# differs from its agency (P's close), special hours only the days that differ from [hours],
# holidays by date, a shared desk only its schedule; days in week order, events sorted, the
# token digest in lower case (as the reader keeps it), spoken with one space, 45.0 as 45.
SMALL_EXPORTED = f"""\
# Exported by Antre (`antre config export`) on 2026-12-04T09:30:00+08:00.
# Every setting of the building is written out, defaults included; the comments of the
# file it was loaded from are not kept. Secrets are not in it: PINs and device tokens
# are hashes, and webhook and central secrets are named by their files.
# docs/configuration.md describes every field; check it with `antre config check`.

[building]
name = "MPP Kecil"
id = "mpp-kecil"
timezone = "WITA"

[hours]
monday = {{ open = "08:00", close = "16:00" }}
tuesday = {{ open = "08:00", close = "16:00" }}
wednesday = "closed"
thursday = {{ open = "08:00", close = "16:00" }}
friday = {{ open = "08:00", close = "16:30", breaks = [["11:30", "13:30"]] }}
saturday = "closed"
sunday = "closed"

[[holidays]]
date = 2026-12-25
name = "Kelahiran Yesus Kristus"

[[holidays]]
date = 2027-01-01
name = "Tahun Baru 2027 Masehi"

[[special_hours]]
name = "Ramadan 1448 H"
start = 2027-02-08
end = 2027-03-09
monday = {{ open = "08:00", close = "14:00" }}
friday = {{ open = "08:00", close = "14:30", breaks = [["11:30", "13:00"]] }}

[[zones]]
id = "1"
name = "Lantai 1"

[[agencies]]
code = "DUKCAPIL"
name = "Dinas Kependudukan dan Pencatatan Sipil"
short_name = "Dukcapil"
zone = "1"

[[agencies]]
code = "IMIGRASI"
name = "Kantor Imigrasi"
short_name = "Kantor Imigrasi"
zone = "1"
days = ["monday", "tuesday"]
open = "08:00"
close = "14:00"

[[agencies]]
code = "KUA"
name = "Kantor Urusan Agama"
short_name = "KUA"
zone = "1"
days = ["tuesday"]

[[lines]]
prefix = "A"
agency = "DUKCAPIL"
name = "Perekaman KTP-el"
target_service_min = 10
quota_walk_in = 100
cutoff = "14:30"

[lines.booking]
slot_min = 30
places = 4
priority_places = 0
days_ahead = 14
opens_at = "00:00"
closes_min_before = 60
check_in_early_min = 30
check_in_late_min = 15

[[lines]]
prefix = "P"
agency = "IMIGRASI"
name = "Paspor \\"baru\\""
target_service_min = 7.5
close = "12:00"
requires = ["A"]

[[lines]]
prefix = "K"
agency = "KUA"
name = "Pencatatan Nikah"
target_service_min = 20

[[counters]]
id = "L01"
name = "Loket 1"
number = 1
zone = "1"
agency = "DUKCAPIL"
serves = ["A"]

[[counters]]
id = "L02"
name = "Gerai Paspor"
number = "2A"
spoken = "gerai paspor"
zone = "1"
agency = "IMIGRASI"
serves = ["P"]
priority = true

[[counters]]
id = "L03"
name = "Loket 3"
number = 3
zone = "1"

[[counters.schedule]]
days = ["monday", "thursday", "friday"]
agency = "DUKCAPIL"
serves = ["A"]

[[counters.schedule]]
days = ["tuesday"]
agency = "KUA"
serves = ["K"]

[[devices]]
id = "KIOSK-1"
kind = "kiosk"
token_sha256 = "{DIGEST}"

[[officers]]
id = "IMI01"
name = "Maria Sitorus"
agency = "IMIGRASI"
pin_hash = "{PIN_HASH}"

[policy]
regular_per_priority = 2
max_wait_min = 45
priority_counter_first = true
protect_regular = true
regular_delay_pct = 25
regular_delay_min = 0
booking_delay_pct = 50
noshow_window_min = 30
printing_timeout_s = 120
closing_grace_min = 60
estimate_window = 20
visit_credit_min = 15
visit_max_stops = 4
closure_approval = false

[voice]
style = "digits"
template = "Nomor antrean {{number}}, silakan menuju {{desk}}[, {{agency}}]"
agency = false
speed_wpm = 140

[booking]
retention_days = 30
max_active_per_phone = 3
requests_per_minute = 20

[phone]
warn_when_ahead = 3

[survey]
enabled = true
days_open = 7
wait_bands_min = [15, 60]
public_period = "quarter"
running_text = false
requests_per_minute = 10
tablet_idle_s = 90

[complaints]
days_open = 30
take_days = 3
answer_days = 5
close_days = 10
warn_days = 1

[[webhooks]]
id = "PORTAL-KAB"
url = "https://portal.example/antre"
secret_file = "portal.secret"
events = ["booking_made", "ticket_issued"]
personal_data = false
alert_after_minutes = 30
batch_size = 100
"""


@pytest.fixture
def small(tmp_path: Path) -> Building:
    (tmp_path / "portal.secret").write_bytes(SECRET + b"\n")
    path = tmp_path / "kecil.toml"
    path.write_text(SMALL, encoding="utf-8")
    return load_building(path)


def test_a_small_building_is_written_in_the_canonical_form(small: Building, tmp_path: Path) -> None:
    when = datetime(2026, 12, 4, 9, 30, tzinfo=WITA)
    assert building_toml(small, base=tmp_path, when=when) == SMALL_EXPORTED
    round_trips(small)


def test_a_holiday_added_to_the_building_is_exported_and_reloaded(small: Building) -> None:
    """An admin's change is a changed Building: the export carries it, in date order."""
    announced = Holiday(date(2026, 12, 24), "Cuti bersama Kelahiran Yesus Kristus")
    changed = replace(small, holidays=(*small.holidays, announced))
    text = building_toml(changed)
    assert 'date = 2026-12-24\nname = "Cuti bersama Kelahiran Yesus Kristus"\n' in text
    again = parse_building(text, "exported.toml")
    assert [h.day for h in again.holidays] == [
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2027, 1, 1),
    ]
    assert again == replace(changed, holidays=tuple(sorted(changed.holidays, key=lambda h: h.day)))


def test_awkward_values_survive(small: Building) -> None:
    """Quotes, backslashes, new lines and control characters in texts; a time with seconds (a
    TOML local time in the file); a day to 24:00; minutes that are not whole."""
    line = small.lines[0]
    weekly = list(small.weekly)
    weekly[0] = replace(weekly[0], close=END_OF_DAY)
    changed = replace(
        small,
        name='MPP "Kecil" \\ Timur',
        running_text="Baris satu\nbaris\tdua \x7f ā – ×",
        weekly=tuple(weekly),
        lines=(replace(line, cutoff=time(14, 30, 15), target_service_min=7.25), *small.lines[1:]),
        policy=replace(small.policy, regular_delay_pct=12.5),
    )
    round_trips(changed)


@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_any_text_is_one_toml_string(text: str) -> None:
    assert tomllib.loads(f"x = {toml_string(text)}") == {"x": text}


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


def test_the_exported_demo_passes_config_check_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "gedung.toml"
    result = antre("config", "export", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert load_building(out) == load_building(DEMO)
    check = antre("config", "check", str(out))
    assert check.returncode == 0, check.stderr
    assert check.stdout == (
        "OK: MPP Kota Contoh: 15 agencies, 21 lines, 31 counters, 6 devices, 17 officers\n"
    )
    before = out.read_bytes()
    again = antre("config", "export", "--out", str(out))
    assert again.returncode == 1
    assert again.stderr == f"error: {out} exists; choose another file or add --force\n"
    assert out.read_bytes() == before
    assert antre("config", "export", "--out", str(out), "--force").returncode == 0


def test_export_to_stdout_and_a_bad_config_gives_its_own_problems(tmp_path: Path) -> None:
    result = antre("config", "export", "--config", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert parse_building(result.stdout) == load_building(EXAMPLE)
    bad = tmp_path / "gedung.toml"
    bad.write_text(BASE.replace('timezone = "WIB"', 'timezone = "WIBB"'), encoding="utf-8")
    result = antre("config", "export", "--config", str(bad), "--out", str(tmp_path / "x.toml"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert f'{bad}:3: building.timezone: unknown timezone "WIBB"' in result.stderr
    assert not (tmp_path / "x.toml").exists()


def test_a_server_starts_on_the_exported_demo(tmp_path: Path) -> None:
    """`antre server --config exported.toml` on a fresh store comes up serving."""
    out = tmp_path / "gedung.toml"
    assert antre("config", "export", "--out", str(out)).returncode == 0
    db = str(tmp_path / "antre.db")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server.cli",
            "server",
            "--config",
            str(out),
            "--db",
            db,
            "--port",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    serving = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            log.append(line)
            if " serving " in line:
                serving.set()
        serving.set()  # it ended before serving

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    serving.wait(timeout=60)
    alive = proc.poll() is None
    if alive:
        proc.send_signal(signal.SIGTERM)
    status = proc.wait(timeout=30)
    reader.join(timeout=10)
    assert alive, "".join(log)
    assert status == 0, "".join(log)
    assert any("MPP Kota Contoh" in line for line in log), "".join(log)
