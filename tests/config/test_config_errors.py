"""The building file: what an operator sees for each kind of mistake, and what a good file gives.

Over 500 lines on purpose: most of it is `CASES`, one hand-written table of every mistake an
operator can make, in the order of docs/configuration.md, each with the line and message the
operator must read. Split by section, the table would lose that order and the shared BASE file.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from server.auth import hash_pin, token_digest
from server.config import ConfigError, ConfigProblem, load_building, parse_building
from server.core.building import DeviceKind, ManagerRole, PolicySettings, VoiceConfig

# A cheap hash keeps the suite fast; the format (and so the validation) is the same at any cost.
PIN_HASH = hash_pin("123456", n=2**4)
DIGEST = token_digest("test-kiosk-1-0123456789abcdef")

BASE = f"""\
[building]
name = "MPP Uji"
timezone = "WIB"

[hours]
monday = {{ open = "07:30", close = "16:00" }}
tuesday = {{ open = "07:30", close = "16:00" }}
wednesday = {{ open = "07:30", close = "16:00" }}
thursday = {{ open = "07:30", close = "16:00" }}
friday = {{ open = "07:30", close = "16:00", breaks = [["11:30", "13:00"]] }}
saturday = "closed"
sunday = "closed"

[[holidays]]
date = 2026-12-25
name = "Kelahiran Yesus Kristus"

[[zones]]
id = "1"
name = "Lantai 1"

[[agencies]]
code = "DUKCAPIL"
name = "Dinas Kependudukan dan Pencatatan Sipil"
short_name = "Dukcapil"
zone = "1"

[[agencies]]
code = "SAMSAT"
name = "Samsat"
zone = "1"

[[lines]]
prefix = "A"
agency = "DUKCAPIL"
name = "Perekaman KTP-el"
target_service_min = 10
quota_walk_in = 300
cutoff = "14:30"

[[lines]]
prefix = "B"
agency = "DUKCAPIL"
name = "Kartu Keluarga"
target_service_min = 12

[[lines]]
prefix = "E"
agency = "SAMSAT"
name = "Pajak Kendaraan"
target_service_min = 7

[[counters]]
id = "L01"
agency = "DUKCAPIL"
serves = ["A", "B"]

[[counters]]
id = "L07"
name = "Loket 7 (Prioritas)"
agency = "DUKCAPIL"
serves = ["A", "B"]
priority = true

[[counters]]
id = "L08"
agency = "SAMSAT"
serves = ["E"]

[[devices]]
id = "KIOSK-1"
kind = "kiosk"
token_sha256 = "{DIGEST}"

[[officers]]
id = "DKP01"
name = "Siti Rahmawati"
agency = "DUKCAPIL"
pin_hash = "{PIN_HASH}"

[[managers]]
id = "LANTAI"
name = "Bambang Sutrisno"
role = "floor"
pin_hash = "{PIN_HASH}"

[policy]
regular_per_priority = 2
"""

NEW_LINE_C = """
[[lines]]  # mark
prefix = "C"
agency = "DUKCAPIL"
name = "Akta"
target_service_min = 10
"""


def edit(*changes: tuple[str, str], append: str = "") -> str:
    """BASE with each `old` replaced by `new` (each `old` occurring once), plus `append`."""
    text = BASE
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in BASE"
        text = text.replace(old, new)
    return text + append


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the one line containing `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


def problems_of(tmp_path: Path, text: str) -> tuple[Path, ConfigError]:
    path = tmp_path / "gedung.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_building(path)
    return path, info.value


DUP_L01 = '\n[[counters]]\nid = "L01"  # dup\nnumber = 9\nagency = "SAMSAT"\nserves = ["E"]\n'
DUP_DIGEST_DEVICE = (
    f'\n[[devices]]\nid = "TV-1"\nkind = "display"\ntoken_sha256 = "{DIGEST}"  # dup\n'
)
L01_ID_LINE = line_of(BASE, 'id = "L01"')
B_PREFIX_LINE = line_of(BASE, 'prefix = "B"')
DKP_LINE = line_of(BASE, 'code = "DUKCAPIL"')

# Each case: id, the broken file, the key path reported, a needle on the line it must point at,
# and the message (or its start) the operator reads.
CASES = [
    (
        "unknown-key",
        edit(("quota_walk_in = 300", "qouta_walk_in = 300")),
        "lines[A].qouta_walk_in",
        "qouta_walk_in",
        'unknown key "qouta_walk_in"; did you mean "quota_walk_in"?',
    ),
    (
        "unknown-table",
        edit(("[policy]", "[polcy]")),
        "polcy",
        "[polcy]",
        'unknown table "polcy"; did you mean "policy"?',
    ),
    (
        "counter-serves-unknown-line",
        edit(('serves = ["E"]', 'serves = ["E", "Z"]')),
        "counters[L08].serves",
        'serves = ["E", "Z"]',
        'serves unknown line "Z"',
    ),
    (
        "counter-serves-other-agencys-line",
        edit(('serves = ["E"]', 'serves = ["E", "A"]')),
        "counters[L08].serves",
        'serves = ["E", "A"]',
        'serves line "A" of agency DUKCAPIL, but the counter belongs to SAMSAT',
    ),
    (
        "duplicate-prefix",
        edit(append=NEW_LINE_C.replace('prefix = "C"', 'prefix = "B"  # dup')),
        "lines[B].prefix",
        "# dup",
        f'duplicate prefix "B": already used by lines[B] (line {B_PREFIX_LINE})',
    ),
    (
        "line-no-counter-serves",
        edit(append=NEW_LINE_C),
        "lines[C]",
        "# mark",
        'no counter serves line "C"; add it to a counter\'s serves',
    ),
    (
        "cutoff-after-closing",
        edit(('cutoff = "14:30"', 'cutoff = "17:00"')),
        "lines[A].cutoff",
        'cutoff = "17:00"',
        "cutoff 17:00 is after closing time on every open day (latest close 16:00), "
        "so it would never apply",
    ),
    (
        "cutoff-before-opening",
        edit(('cutoff = "14:30"', 'cutoff = "07:00"')),
        "lines[A].cutoff",
        'cutoff = "07:00"',
        "cutoff 07:00 is not after opening time on any open day (earliest open 07:30)",
    ),
    (
        "missing-pin-hash",
        edit((f'agency = "DUKCAPIL"\npin_hash = "{PIN_HASH}"\n', 'agency = "DUKCAPIL"\n')),
        "officers[DKP01].pin_hash",
        "[[officers]]",
        "missing PIN hash; generate one with `antre config hash-pin`",
    ),
    (
        "plain-pin-instead-of-hash",
        edit((f'role = "floor"\npin_hash = "{PIN_HASH}"', 'role = "floor"\npin_hash = "123456"')),
        "managers[LANTAI].pin_hash",
        'pin_hash = "123456"',
        "looks like a plain PIN; store only its hash: generate one with `antre config hash-pin`",
    ),
    (
        "bad-time",
        edit(
            (
                'monday = { open = "07:30", close = "16:00" }',
                'monday = { open = "07:30", close = "25:00" }',
            )
        ),
        "hours.monday.close",
        "monday",
        '"25:00" is past midnight; a service day ends at local midnight (numbers restart then): '
        'close at "24:00" at the latest',
    ),
    (
        "bad-timezone",
        edit(('timezone = "WIB"', 'timezone = "UTC+7"')),
        "building.timezone",
        "timezone",
        'unknown timezone "UTC+7"; use one of WIB, WITA, WIT, Asia/Jakarta',
    ),
    (
        "opens-after-closing",
        edit(
            (
                'tuesday = { open = "07:30", close = "16:00" }',
                'tuesday = { open = "16:00", close = "07:30" }',
            )
        ),
        "hours.tuesday",
        "tuesday",
        "opens at 16:00 but closes at 07:30; close after open",
    ),
    (
        "break-outside-hours",
        edit(('[["11:30", "13:00"]]', '[["15:30", "16:30"]]')),
        "hours.friday.breaks",
        "friday",
        "break 15:30–16:30 is not inside opening hours 07:30–16:00",
    ),
    (
        "overlapping-breaks",
        edit(('[["11:30", "13:00"]]', '[["11:30", "13:00"], ["12:30", "13:30"]]')),
        "hours.friday.breaks",
        "friday",
        "break 12:30–13:30 overlaps break 11:30–13:00",
    ),
    (
        "missing-weekday",
        edit(('sunday = "closed"\n', "")),
        "hours.sunday",
        "[hours]",
        'missing; write sunday = "closed" if the building is closed then',
    ),
    (
        "duplicate-counter-id",
        edit(append=DUP_L01),
        "counters[L01].id",
        "# dup",
        f'duplicate counter id "L01": already used by counters[L01] (line {L01_ID_LINE})',
    ),
    (
        "duplicate-counter-number",
        edit(append='\n[[counters]]\nid = "L1"  # dup\nagency = "SAMSAT"\nserves = ["E"]\n'),
        "counters[L1].id",
        "# dup",
        f"loket number 1 (from the id) is already used by counters[L01] (line {L01_ID_LINE})",
    ),
    (
        "counter-id-without-number",
        edit(('id = "L08"', 'id = "PRIO"')),
        "counters[PRIO].number",
        '[[counters]]\nid = "PRIO"',
        'no number in the id "PRIO"; add number = N',
    ),
    (
        "unknown-agency",
        edit(
            (
                'agency = "SAMSAT"\nname = "Pajak Kendaraan"',
                'agency = "SAMSTA"\nname = "Pajak Kendaraan"',
            )
        ),
        "lines[E].agency",
        'agency = "SAMSTA"',
        'unknown agency "SAMSTA"; did you mean "SAMSAT"?',
    ),
    (
        "prefix-not-one-letter",
        edit(('prefix = "E"', 'prefix = "e"'), ('serves = ["E"]', 'serves = ["e"]')),
        "lines[#3].prefix",
        'prefix = "e"',
        'must be one uppercase letter A–Z, got "e"',
    ),
    (
        "negative-quota",
        edit(("quota_walk_in = 300", "quota_walk_in = -5")),
        "lines[A].quota_walk_in",
        "quota_walk_in",
        "must be ≥ 0, got -5",
    ),
    (
        "zero-service-time",
        edit(("target_service_min = 12", "target_service_min = 0")),
        "lines[B].target_service_min",
        "target_service_min = 0",
        "must be greater than 0, got 0",
    ),
    (
        "number-as-string",
        edit(("target_service_min = 12", 'target_service_min = "12"')),
        "lines[B].target_service_min",
        'target_service_min = "12"',
        'expected a number, got string "12"',
    ),
    (
        "missing-required-key",
        edit(
            ('[[lines]]\nprefix = "B"', '[[lines]]  # mark\nprefix = "B"'),
            ('name = "Kartu Keluarga"\n', ""),
        ),
        "lines[B].name",
        "# mark",
        "required key is missing",
    ),
    (
        "unknown-zone",
        edit(('name = "Samsat"\nzone = "1"', 'name = "Samsat"\nzone = "3"')),
        "agencies[SAMSAT].zone",
        'zone = "3"',
        'unknown zone "3"; known: 1',
    ),
    (
        "unknown-device-kind",
        edit(('kind = "kiosk"', 'kind = "tv"')),
        "devices[KIOSK-1].kind",
        'kind = "tv"',
        'expected "kiosk" or "display" or "tablet" or "exit", got string "tv"',
    ),
    (
        "token-instead-of-digest",
        edit((f'token_sha256 = "{DIGEST}"', 'token_sha256 = "demo-kiosk-1-secret"')),
        "devices[KIOSK-1].token_sha256",
        "token_sha256",
        'not a SHA-256 digest (string "demo-kiosk-1-secret"); set it to the SHA-256',
    ),
    (
        "duplicate-token-digest",
        edit(append=DUP_DIGEST_DEVICE),
        "devices[TV-1].token_sha256",
        "# dup",
        "duplicate token digest",
    ),
    (
        "unknown-manager-role",
        edit(('role = "floor"', 'role = "boss"')),
        "managers[LANTAI].role",
        'role = "boss"',
        'expected "floor" or "admin", got string "boss"',
    ),
    (
        "manager-id-taken-by-officer",
        edit(('id = "LANTAI"', 'id = "DKP01"')),
        "managers[DKP01].id",
        'id = "DKP01"\nname = "Bambang',
        'duplicate person id "DKP01": already used by officers[DKP01]',
    ),
    (
        "bad-policy-value",
        edit(("regular_per_priority = 2", "regular_per_priority = -1")),
        "policy.regular_per_priority",
        "regular_per_priority",
        "must be ≥ 0, got -1",
    ),
    (
        "policy-as-array",
        edit(("[policy]", "[[policy]]")),
        "policy",
        "[[policy]]",
        "expected a table, got an array; write [policy]",
    ),
    (
        "duplicate-agency-code",
        edit(append='\n[[agencies]]\ncode = "DUKCAPIL"  # dup\nname = "Dukcapil"\nzone = "1"\n'),
        "agencies[DUKCAPIL].code",
        "# dup",
        f'duplicate agency code "DUKCAPIL": already used by agencies[DUKCAPIL] (line {DKP_LINE})',
    ),
    (
        "counter-serves-nothing",
        edit(append='\n[[counters]]\nid = "L09"\nagency = "SAMSAT"\nserves = []\n'),
        "counters[L09].serves",
        "serves = []",
        "must list at least one entry",
    ),
    (
        "priority-as-word",
        edit(("priority = true", 'priority = "yes"')),
        "counters[L07].priority",
        'priority = "yes"',
        'expected true or false, got string "yes"',
    ),
    (
        "device-unknown-zone",
        edit(('kind = "kiosk"', 'kind = "kiosk"\nzone = "9"')),
        "devices[KIOSK-1].zone",
        'zone = "9"',
        'unknown zone "9"; known: 1',
    ),
    (
        "officer-unknown-agency",
        edit(('name = "Siti Rahmawati"\nagency = "DUKCAPIL"', 'name = "Siti"\nagency = "KUA"')),
        "officers[DKP01].agency",
        'agency = "KUA"',
        'unknown agency "KUA"; known: DUKCAPIL, SAMSAT',
    ),
    (
        "unknown-policy-key",
        edit(("regular_per_priority = 2", "regular_per_prio = 2")),
        "policy.regular_per_prio",
        "regular_per_prio",
        'unknown key "regular_per_prio"; did you mean "regular_per_priority"?',
    ),
    (
        "negative-regular-delay",
        edit(("regular_per_priority = 2", "regular_delay_pct = -25")),
        "policy.regular_delay_pct",
        "regular_delay_pct",
        "must be ≥ 0, got -25",
    ),
    (
        "negative-booking-delay",
        edit(("regular_per_priority = 2", "booking_delay_pct = -50")),
        "policy.booking_delay_pct",
        "booking_delay_pct",
        "must be ≥ 0, got -50",
    ),
    (
        "guard-as-word",
        edit(("regular_per_priority = 2", 'protect_regular = "ya"')),
        "policy.protect_regular",
        "protect_regular",
        'expected true or false, got string "ya"',
    ),
    (
        "zero-estimate-window",
        edit(("regular_per_priority = 2", "estimate_window = 0")),
        "policy.estimate_window",
        "estimate_window",
        "must be ≥ 1, got 0",
    ),
    (
        "closed-every-day",
        edit(
            *(
                (f'{day} = {{ open = "07:30", close = "16:00" }}', f'{day} = "closed"')
                for day in ("monday", "tuesday", "wednesday", "thursday")
            ),
            (
                'friday = { open = "07:30", close = "16:00", breaks = [["11:30", "13:00"]] }',
                'friday = "closed"',
            ),
            ('cutoff = "14:30"\n', ""),
        ),
        "hours",
        "[hours]",
        "the building is closed every day of the week",
    ),
    (
        "holiday-date-as-word",
        edit(("date = 2026-12-25", 'date = "Natal"')),
        "holidays[#1].date",
        'date = "Natal"',
        'expected a date such as 2026-12-25, got string "Natal"',
    ),
    (
        "voice-unknown-key",
        edit(append="\n[voice]\nsped_wpm = 120\n"),
        "voice.sped_wpm",
        "sped_wpm = 120",
        'unknown key "sped_wpm"; did you mean "speed_wpm"?',
    ),
    (
        "voice-bad-style",
        edit(append='\n[voice]\nstyle = "words"\n'),
        "voice.style",
        'style = "words"',
        'expected "digits" or "number", got string "words"',
    ),
    (
        "voice-unknown-placeholder",
        edit(append='\n[voice]\ntemplate = "Nomor {nomor}, ke loket {counter}"\n'),
        "voice.template",
        "template = ",
        "unknown placeholder(s) in phrase template: ['nomor']",
    ),
    (
        "voice-template-without-counter",
        edit(append='\n[voice]\nstyle = "number"\ntemplate = "Nomor antrean {number}"\n'),
        "voice.template",
        "template = ",
        "a phrase template must contain {number} and {desk} (or {counter})",
    ),
    (
        "voice-unbalanced-template",
        edit(append='\n[voice]\ntemplate = "Nomor {number} ke loket {counter}[, {agency}"\n'),
        "voice.template",
        "template = ",
        "unbalanced brackets or braces in phrase template",
    ),
    (
        "voice-too-fast",
        edit(append="\n[voice]\nspeed_wpm = 400\n"),
        "voice.speed_wpm",
        "speed_wpm = 400",
        "must be 80 to 250 words per minute, got 400",
    ),
    (
        "voice-speed-as-word",
        edit(append='\n[voice]\nspeed_wpm = "slow"\n'),
        "voice.speed_wpm",
        'speed_wpm = "slow"',
        'expected a whole number from 80 to 250, got string "slow"',
    ),
    (
        "voice-agency-as-word",
        edit(append='\n[voice]\nagency = "ya"\n'),
        "voice.agency",
        'agency = "ya"',
        'expected true or false, got string "ya"',
    ),
    (
        "voice-as-array",
        edit(append='\n[[voice]]\nstyle = "number"\n'),
        "voice",
        "[[voice]]",
        "expected a table, got an array; write [voice]",
    ),
    (
        "special-hours-ending-before-start",
        edit(
            append='\n[[special_hours]]\nname = "Ramadan"\nstart = 2027-03-09\nend = 2027-02-08\n'
        ),
        "special_hours[#1].end",
        "end = 2027-02-08",
        "ends on 2027-02-08 before it starts on 2027-03-09",
    ),
]


def _needle_line(text: str, needle: str) -> int:
    # A needle may span two lines to single out one of several identical lines: use its first.
    if "\n" in needle:
        assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
        return text.count("\n", 0, text.index(needle)) + 1
    return line_of(text, needle)


@pytest.mark.parametrize(
    ("text", "key", "needle", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_mistake_is_reported_with_file_line_and_key(
    tmp_path: Path, text: str, key: str, needle: str, message: str
) -> None:
    """Each kind of mistake is the one problem reported, as FILE:LINE: KEY: MESSAGE."""
    path, error = problems_of(tmp_path, text)
    expected_start = f"{path}:{_needle_line(text, needle)}: {key}: {message}"
    assert [str(p) for p in error.problems] == [str(error)]
    assert str(error).startswith(expected_start), f"{error}\n!=\n{expected_start}"


def test_base_file_is_valid_and_fills_defaults() -> None:
    """The test building loads, with defaults for every field the file leaves out."""
    b = parse_building(BASE, "gedung.toml")
    assert b.name == "MPP Uji" and b.timezone == "WIB" and b.running_text == ""
    assert [ln.prefix for ln in b.lines] == ["A", "B", "E"]
    a = b.line("A")
    assert a is not None and a.quota_walk_in == 300 and a.quota_priority is None
    assert a.cutoff == time(14, 30) and a.max_wait_min is None
    l01 = b.counter("L01")
    assert l01 is not None
    assert (l01.number, l01.name, l01.zone, l01.priority) == (1, "Loket 1", "1", False)
    samsat = b.agency("SAMSAT")
    assert samsat is not None and samsat.short_name == "Samsat"
    assert b.devices[0].kind is DeviceKind.KIOSK and b.devices[0].zone is None
    assert b.managers[0].role is ManagerRole.FLOOR
    assert b.policy == PolicySettings()
    assert b.weekly[5] is None and b.weekly[4] is not None
    assert b.holidays[0].day == date(2026, 12, 25)


def test_a_voice_table_is_read() -> None:
    """[voice] sets the reading style, the phrase, the agency name and espeak-ng's speed."""
    b = parse_building(
        BASE
        + "\n[voice]\n"
        + 'style = "number"\n'
        + 'template = "Nomor {number}, silakan ke loket {counter}[ {agency}]"\n'
        + "agency = true\n"
        + "speed_wpm = 120\n",
        "gedung.toml",
    )
    assert b.voice == VoiceConfig(
        style="number",
        template="Nomor {number}, silakan ke loket {counter}[ {agency}]",
        agency=True,
        speed_wpm=120,
    )
    partial = parse_building(BASE + '\n[voice]\nstyle = "number"\n', "gedung.toml")
    assert partial.voice == VoiceConfig(style="number")


def test_without_a_voice_table_calls_are_read_as_documented() -> None:
    """Without [voice]: digit by digit, the standard sentence, no agency, 140 words a minute,
    espeak-ng's Indonesian voice with a little air between words."""
    voice = parse_building(BASE, "gedung.toml").voice
    assert voice == VoiceConfig()
    assert voice.style == "digits"
    assert voice.template == "Nomor antrean {number}, silakan menuju {desk}[, {agency}]"
    assert voice.agency is False
    assert voice.speed_wpm == 140
    assert (voice.espeak_voice, voice.word_gap_10ms) == ("id", 1)


def test_several_voice_mistakes_are_all_reported(tmp_path: Path) -> None:
    """A bad style, template and speed in one [voice] give three problems, each on its line."""
    text = edit(append='\n[voice]\nstyle = "kata"\ntemplate = "Loket {counter}"\nspeed_wpm = 20\n')
    path, error = problems_of(tmp_path, text)
    assert [(p.key, p.line) for p in error.problems] == [
        ("voice.style", line_of(text, 'style = "kata"')),
        ("voice.template", line_of(text, "template = ")),
        ("voice.speed_wpm", line_of(text, "speed_wpm = 20")),
    ]
    assert all(p.file == str(path) for p in error.problems)


def test_all_problems_are_reported_at_once_in_file_order(tmp_path: Path) -> None:
    """Several mistakes give one ConfigError listing each, sorted by line, first one on top."""
    text = edit(
        ("quota_walk_in = 300", "qouta_walk_in = 300"),
        ('timezone = "WIB"', 'timezone = "CET"'),
        ('role = "floor"', 'role = "boss"'),
    )
    path, error = problems_of(tmp_path, text)
    assert [p.key for p in error.problems] == [
        "building.timezone",
        "lines[A].qouta_walk_in",
        "managers[LANTAI].role",
    ]
    assert (error.file, error.line, error.key) == (str(path), 3, "building.timezone")
    assert error.message.startswith('unknown timezone "CET"')
    assert len(str(error).splitlines()) == 3


def test_one_bad_entry_does_not_cascade(tmp_path: Path) -> None:
    """A line with a bad field still counts as existing, so its counters raise no extra errors."""
    _, error = problems_of(tmp_path, edit(("target_service_min = 7", "target_service_min = -7")))
    assert [p.key for p in error.problems] == ["lines[E].target_service_min"]


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    """A file that does not exist is reported by name, without a traceback."""
    path = tmp_path / "tidak-ada.toml"
    with pytest.raises(ConfigError) as info:
        load_building(path)
    assert str(info.value) == f"{path}: no such file"
    assert info.value.line is None


def test_directory_is_a_config_error(tmp_path: Path) -> None:
    """Pointing at a directory is reported plainly."""
    with pytest.raises(ConfigError) as info:
        load_building(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory, not a file"


def test_file_not_utf8_reports_its_line(tmp_path: Path) -> None:
    """A file saved in another encoding names the line of the first bad byte."""
    path = tmp_path / "gedung.toml"
    path.write_bytes(BASE.replace('"MPP Uji"', '"MPP Uji \xe9"').encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        load_building(path)
    assert str(info.value) == f"{path}:2: not UTF-8 text; save the file as UTF-8"


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    """A UTF-8 file that starts with a byte-order mark (Windows editors) loads."""
    path = tmp_path / "gedung.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode("utf-8"))
    assert load_building(path).name == "MPP Uji"


def test_toml_syntax_error_reports_line_and_column(tmp_path: Path) -> None:
    """A TOML syntax error becomes a ConfigError at the line tomllib names."""
    text = edit(('name = "Kartu Keluarga"', 'name = "Kartu Keluarga'))
    path, error = problems_of(tmp_path, text)
    line = line_of(text, 'name = "Kartu Keluarga')
    assert str(error).startswith(f"{path}:{line}: invalid TOML: ")
    assert "column" in str(error) and error.key == ""


def test_unquoted_time_gets_a_hint(tmp_path: Path) -> None:
    """An unquoted time (a TOML syntax error) comes with the hint to quote it."""
    text = edit(('cutoff = "14:30"', "cutoff = 14:30"))
    path, error = problems_of(tmp_path, text)
    assert str(error).startswith(f"{path}:{line_of(text, 'cutoff = 14:30')}: invalid TOML: ")
    assert str(error).endswith('; times must be quoted, e.g. open = "07:30"')


def test_syntax_error_at_end_of_file_points_at_last_line(tmp_path: Path) -> None:
    """An unterminated array at the end of the file is reported at the file's last line."""
    text = BASE + 'extra = ["A",\n'
    path, error = problems_of(tmp_path, text)
    assert error.line == len(text.splitlines())
    assert str(error).startswith(f"{path}:{error.line}: invalid TOML: Invalid value")


def test_lone_table_instead_of_array_of_tables(tmp_path: Path) -> None:
    """Writing [zones] for [[zones]] says which form to use."""
    text = edit(("[[zones]]", "[zones]"))
    path, error = problems_of(tmp_path, text)
    assert f"{path}:{line_of(text, '[zones]')}: zones: expected an array of tables: " in str(error)


def test_missing_required_table(tmp_path: Path) -> None:
    """A file without [building] says what to add; with no line to point at, none is shown."""
    text = BASE.replace('[building]\nname = "MPP Uji"\ntimezone = "WIB"\n', "")
    path, error = problems_of(tmp_path, text)
    assert str(error) == (
        f'{path}: building: required: add a [building] table with name and timezone = "WIB"'
    )


def test_zone_ids_may_be_numbers() -> None:
    """`zone = 1` and `id = 1` mean the zone "1", as an operator would expect."""
    text = BASE.replace('id = "1"', "id = 1").replace('zone = "1"', "zone = 1")
    b = parse_building(text)
    assert [z.id for z in b.zones] == ["1"] and b.agencies[0].zone == "1"


def test_special_hours_keep_unlisted_weekdays() -> None:
    """A special period replaces the days it lists and keeps the regular hours of the others."""
    text = BASE + (
        '\n[[special_hours]]\nname = "Ramadan 1448 H"\nstart = 2027-02-08\nend = 2027-03-09\n'
        'monday = { open = "08:00", close = "14:00" }\nfriday = "closed"\n'
    )
    b = parse_building(text)
    (ramadan,) = b.special_hours
    assert (ramadan.name, ramadan.start, ramadan.end) == (
        "Ramadan 1448 H",
        date(2027, 2, 8),
        date(2027, 3, 9),
    )
    monday = ramadan.weekly[0]
    assert monday is not None and (monday.open, monday.close) == (time(8), time(14))
    assert ramadan.weekly[1] == b.weekly[1] and ramadan.weekly[4] is None


def test_overlapping_special_hours(tmp_path: Path) -> None:
    """Two special periods that overlap are reported at the later one's start."""
    text = BASE + (
        '\n[[special_hours]]\nname = "Ramadan"\nstart = 2027-02-08\nend = 2027-03-09\n'
        '\n[[special_hours]]\nname = "Lebaran"\nstart = 2027-03-01  # here\nend = 2027-03-15\n'
    )
    path, error = problems_of(tmp_path, text)
    first_start = line_of(text, "start = 2027-02-08")
    assert str(error) == (
        f"{path}:{line_of(text, '# here')}: special_hours[#2].start: "
        f"overlaps special_hours[#1] (line {first_start}); periods must not overlap"
    )


def test_duplicate_holiday(tmp_path: Path) -> None:
    """The same holiday date twice is reported at the second one."""
    text = BASE + '\n[[holidays]]\ndate = 2026-12-25  # again\nname = "Natal"\n'
    path, error = problems_of(tmp_path, text)
    first = line_of(BASE, "date = 2026-12-25")
    assert str(error) == (
        f"{path}:{line_of(text, '# again')}: holidays[2026-12-25].date: duplicate holiday date "
        f'"2026-12-25": already used by holidays[2026-12-25] (line {first})'
    )


def test_problem_without_key_or_line_formats_cleanly() -> None:
    """ConfigProblem prints FILE:LINE: KEY: MESSAGE and drops the parts it lacks."""
    assert (
        str(ConfigProblem("g.toml", 3, "lines[A].cutoff", "bad"))
        == "g.toml:3: lines[A].cutoff: bad"
    )
    assert str(ConfigProblem("g.toml", None, "building", "bad")) == "g.toml: building: bad"
    assert str(ConfigProblem("g.toml", 7, "", "bad")) == "g.toml:7: bad"


ODD_VALUES = [
    "1",
    "-1",
    "0",
    "1.5",
    "nan",
    "true",
    '"x"',
    '""',
    '"25:00"',
    "[]",
    '[1, "a"]',
    "{}",
    "{ a = 1 }",
    "2026-01-01",
    "07:30:00",
    "2026-01-01T07:30:00+07:00",
    '[["a"]]',
]


def test_no_value_anywhere_makes_a_traceback() -> None:
    """Any odd value on any key, or any line removed, gives a Building or a ConfigError only."""
    lines = BASE.splitlines()
    variants = ["\n".join(lines[:n] + lines[n + 1 :]) for n in range(len(lines))]
    for n, line in enumerate(lines):
        if " = " in line and not line.startswith("["):
            key = line.split(" = ")[0]
            variants += [
                "\n".join([*lines[:n], f"{key} = {v}", *lines[n + 1 :]]) for v in ODD_VALUES
            ]
    outcomes = {"ok": 0, "error": 0}
    for text in variants:
        try:
            parse_building(text, "gedung.toml")
            outcomes["ok"] += 1
        except ConfigError as e:
            assert e.problems and all(p.file == "gedung.toml" for p in e.problems)
            outcomes["error"] += 1
    assert outcomes["error"] > len(variants) // 2
