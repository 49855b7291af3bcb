"""Part-week agencies and lines, shared desks and long days in the building file: what a good
file gives, and what the operator reads for each mistake (file, line, key, message).

`CASES` is one hand-written table, in the order of docs/configuration.md: each edit of BASE,
the text of the line the problem must point at, the key path and the message.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from server import cli
from server.auth import hash_pin
from server.config import ConfigError, load_building, parse_building
from server.core.building import END_OF_DAY, DeskDays, ServiceHours
from server.web.voice import call_phrase

PIN_HASH = hash_pin("123456", n=2**4)

BASE = f"""\
[building]
name = "MPP Uji Paruh Pekan"
timezone = "WITA"

[hours]
monday = {{ open = "08:00", close = "16:00" }}
tuesday = {{ open = "08:00", close = "16:00" }}
wednesday = {{ open = "08:00", close = "16:00" }}
thursday = {{ open = "08:00", close = "16:00" }}
friday = {{ open = "08:00", close = "16:30", breaks = [["11:30", "13:30"]] }}
saturday = "closed"
sunday = "closed"

[[zones]]
id = "1"
name = "Lantai 1"

[[zones]]
id = "2"
name = "Lantai 2"

[[agencies]]
code = "DUKCAPIL"
name = "Dinas Kependudukan dan Pencatatan Sipil"
zone = "1"

[[agencies]]
code = "IMIGRASI"
name = "Kantor Imigrasi"
zone = "1"
days = ["monday", "tuesday", "wednesday", "thursday"]
open = "08:00"
close = "14:00"

[[agencies]]
code = "KUA"
name = "Kantor Urusan Agama"
zone = "1"
days = ["tuesday"]

[[agencies]]
code = "PA"
name = "Pengadilan Agama"
zone = "1"
days = ["thursday"]

[[lines]]
prefix = "A"
agency = "DUKCAPIL"
name = "KTP-el"
target_service_min = 10

[[lines]]
prefix = "F"
agency = "IMIGRASI"
name = "Paspor"
target_service_min = 15
cutoff = "13:00"

[[lines]]
prefix = "G"
agency = "IMIGRASI"
name = "Izin Tinggal"
target_service_min = 15
days = ["monday", "wednesday"]
close = "12:00"

[[lines]]
prefix = "K"
agency = "KUA"
name = "Pendaftaran Nikah"
target_service_min = 20

[[lines]]
prefix = "P"
agency = "PA"
name = "Pendaftaran Perkara"
target_service_min = 20

[[counters]]
id = "L01"
agency = "DUKCAPIL"
serves = ["A"]

[[counters]]
id = "L02"
agency = "IMIGRASI"
serves = ["F", "G"]

[[counters]]
id = "L03"
name = "Loket 3"

[[counters.schedule]]
days = ["tuesday"]
agency = "KUA"
serves = ["K"]

[[counters.schedule]]
days = ["thursday"]
agency = "PA"
serves = ["P"]

[[officers]]
id = "KUA01"
name = "Ahmad Syarif"
agency = "KUA"
pin_hash = "{PIN_HASH}"
"""


# The KUA's and the PA's own days (the shared desk's schedule names the same days).
KUA_DAYS = 'zone = "1"\ndays = ["tuesday"]'
PA_DAYS = 'zone = "1"\ndays = ["thursday"]'


def edit(*changes: tuple[str, str], append: str = "") -> str:
    """BASE with each `old` replaced by `new` (each `old` occurring once), plus `append`."""
    text = BASE
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in BASE"
        text = text.replace(old, new)
    return text + append


def test_a_part_week_building_reads_as_written() -> None:
    """Agency days and hours, a line's own narrowing, and the shared desk, as the file says."""
    b = parse_building(BASE)
    mon_thu = frozenset({0, 1, 2, 3})
    assert b.agency("IMIGRASI").service_hours == ServiceHours(mon_thu, time(8), time(14))
    assert b.agency("DUKCAPIL").service_hours is None
    # F says nothing: all of Imigrasi's. G narrows the days and the close, keeps the opening.
    assert b.line("F").service_hours == ServiceHours(mon_thu, time(8), time(14))
    assert b.line("G").service_hours == ServiceHours(frozenset({0, 2}), time(8), time(12))
    assert b.line("K").service_hours == ServiceHours(frozenset({1}), None, None)
    assert b.line("A").service_hours is None
    desk = b.counter("L03")
    assert (desk.name, desk.number, desk.zone) == ("Loket 3", 3, "1")
    assert desk.schedule == (
        DeskDays(frozenset({1}), "KUA", ("K",)),
        DeskDays(frozenset({3}), "PA", ("P",)),
    )
    assert (desk.on(1).agency, desk.on(1).serves) == ("KUA", ("K",))
    assert (desk.on(3).agency, desk.on(3).serves) == ("PA", ("P",))
    assert desk.on(0) is None and desk.on(2) is None and desk.on(4) is None


def test_close_at_24_00_is_the_end_of_the_day() -> None:
    """close = "24:00" is accepted for the building, special hours and a service."""
    text = edit(
        ('friday = { open = "08:00", close = "16:30", breaks = [["11:30", "13:30"]] }',
         'friday = { open = "08:00", close = "24:00" }'),
        ('saturday = "closed"', 'saturday = { open = "00:00", close = "24:00" }'),
    )  # fmt: skip
    b = parse_building(text)
    assert b.weekly[4].close == END_OF_DAY and b.weekly[5].open == time(0)


def _line_of(text: str, needle: str) -> int:
    """The 1-based line where `needle` (maybe several lines) starts; it must occur once."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    return text[: text.index(needle)].count("\n") + 1


DESK_TUESDAY = _line_of(BASE, 'days = ["tuesday"]\nagency = "KUA"')

# (case id, edited text, text of the line the problem is on, key, message)
CASES: list[tuple[str, str, str, str, str]] = [
    (
        "hours-close-past-midnight",
        edit(
            (
                'monday = { open = "08:00", close = "16:00" }',
                'monday = { open = "08:00", close = "25:00" }',
            )
        ),
        'monday = { open = "08:00", close = "25:00" }',
        "hours.monday.close",
        '"25:00" is past midnight; a service day ends at local midnight (numbers restart '
        'then): close at "24:00" at the latest',
    ),
    (
        "hours-open-at-24",
        edit(
            (
                'tuesday = { open = "08:00", close = "16:00" }',
                'tuesday = { open = "24:00", close = "16:00" }',
            )
        ),
        'tuesday = { open = "24:00", close = "16:00" }',
        "hours.tuesday.open",
        '"24:00" is the end of the day: it is allowed only as a closing time (close = "24:00")',
    ),
    (
        "hours-night-service",
        edit(
            (
                'wednesday = { open = "08:00", close = "16:00" }',
                'wednesday = { open = "20:00", close = "02:00" }',
            )
        ),
        'wednesday = { open = "20:00", close = "02:00" }',
        "hours.wednesday",
        "opens at 20:00 but closes at 02:00; close after open. A service day ends at local "
        'midnight (numbers restart then): close at "24:00" and open again at "00:00" the '
        "next day",
    ),
    (
        "agency-unknown-day",
        edit((KUA_DAYS, 'zone = "1"\ndays = ["selasa"]')),
        'days = ["selasa"]',
        "agencies[KUA].days",
        '"selasa" is not a day of the week; write "monday", "tuesday", "wednesday", '
        '"thursday", "friday", "saturday", "sunday"',
    ),
    (
        "agency-misspelt-day",
        edit((PA_DAYS, 'zone = "1"\ndays = ["thurzday"]')),
        'days = ["thurzday"]',
        "agencies[PA].days",
        '"thurzday" is not a day of the week; did you mean "thursday"?',
    ),
    (
        "agency-day-twice",
        edit((KUA_DAYS, 'zone = "1"\ndays = ["tuesday", "tuesday"]')),
        'days = ["tuesday", "tuesday"]',
        "agencies[KUA].days",
        'lists "tuesday" more than once',
    ),
    (
        "agency-no-days",
        edit((KUA_DAYS, 'zone = "1"\ndays = []')),
        "days = []",
        "agencies[KUA].days",
        "must list at least one entry",
    ),
    (
        "agency-closes-before-opening",
        edit(('close = "14:00"', 'close = "07:00"')),
        'open = "08:00"\nclose = "07:00"',
        "agencies[IMIGRASI].open",
        "opens at 08:00 but closes at 07:00; close after open. A service day ends at local "
        'midnight (numbers restart then): close at "24:00" and open again at "00:00" the '
        "next day",
    ),
    (
        "agency-on-a-closed-day",
        edit((KUA_DAYS, 'zone = "1"\ndays = ["tuesday", "saturday"]')),
        'days = ["tuesday", "saturday"]',
        "agencies[KUA].days",
        "the building is closed on saturday (see [hours]); a service cannot open then",
    ),
    (
        "agency-opens-before-the-building",
        edit(('open = "08:00"\nclose = "14:00"', 'open = "07:00"\nclose = "14:00"')),
        'open = "07:00"',
        "agencies[IMIGRASI].open",
        "opens at 07:00, before the building opens at 08:00 on monday; open within the "
        "building's hours",
    ),
    (
        "agency-closes-after-the-building",
        edit(('close = "14:00"', 'close = "17:00"')),
        'close = "17:00"',
        "agencies[IMIGRASI].close",
        "closes at 17:00, after the building closes at 16:00 on monday; close within the "
        "building's hours",
    ),
    (
        "line-day-without-its-agency",
        edit(('days = ["monday", "wednesday"]', 'days = ["monday", "friday"]')),
        'days = ["monday", "friday"]',
        "lines[G].days",
        "IMIGRASI does not come on friday (its days: monday, tuesday, wednesday, thursday); "
        "a line serves only on its agency's days",
    ),
    (
        "line-closes-after-its-agency",
        edit(('close = "12:00"', 'close = "15:00"')),
        'close = "15:00"',
        "lines[G].close",
        "closes at 15:00, after IMIGRASI closes at 14:00",
    ),
    (
        "line-cutoff-after-its-own-close",
        edit(('cutoff = "13:00"', 'cutoff = "15:00"')),
        'cutoff = "15:00"',
        "lines[F].cutoff",
        "cutoff 15:00 is after closing time on every open day (latest close 14:00), so it "
        "would never apply",
    ),
    (
        "desk-with-an-agency-too",
        edit(('id = "L03"\nname = "Loket 3"', 'id = "L03"\nname = "Loket 3"\nagency = "KUA"')),
        'agency = "KUA"\n\n[[counters.schedule]]',
        "counters[L03].agency",
        "a shared desk names its agency and lines per day in [[counters.schedule]]; "
        'remove "agency"',
    ),
    (
        "desk-schedule-as-one-table",
        edit(
            (
                '[[counters.schedule]]\ndays = ["thursday"]\nagency = "PA"\nserves = ["P"]\n',
                '[[counters]]\nid = "L04"\nagency = "PA"\nserves = ["P"]\n',
            ),
            (
                '[[counters.schedule]]\ndays = ["tuesday"]',
                '[counters.schedule]\ndays = ["tuesday"]',
            ),
        ),
        "[counters.schedule]",
        "counters[L03].schedule",
        "expected an array of tables: write [[counters.schedule]], one per agency",
    ),
    (
        "desk-day-given-twice",
        edit(('days = ["thursday"]\nagency = "PA"', 'days = ["tuesday"]\nagency = "PA"')),
        'days = ["tuesday"]\nagency = "PA"',
        "counters[L03].schedule[#2].days",
        f"tuesday is already given to another agency by counters[L03].schedule[#1] (line "
        f"{DESK_TUESDAY}); "
        "a desk belongs to one agency a day",
    ),
    (
        "desk-unknown-agency",
        edit(('agency = "PA"\nserves = ["P"]', 'agency = "PN"\nserves = ["P"]')),
        'agency = "PN"',
        "counters[L03].schedule[#2].agency",
        'unknown agency "PN"; known: DUKCAPIL, IMIGRASI, KUA, PA',
    ),
    (
        "desk-serves-another-agency",
        edit(('agency = "KUA"\nserves = ["K"]', 'agency = "KUA"\nserves = ["K", "P"]')),
        'serves = ["K", "P"]',
        "counters[L03].schedule[#1].serves",
        'serves line "P" of agency PA, but on these days the desk belongs to KUA',
    ),
    (
        "desk-unknown-line",
        edit(('agency = "KUA"\nserves = ["K"]', 'agency = "KUA"\nserves = ["K", "Q"]')),
        'serves = ["K", "Q"]',
        "counters[L03].schedule[#1].serves",
        'serves unknown line "Q"',
    ),
    (
        "desk-on-a-closed-day",
        edit(
            ('days = ["thursday"]\nagency = "PA"', 'days = ["thursday", "sunday"]\nagency = "PA"')
        ),
        'days = ["thursday", "sunday"]',
        "counters[L03].schedule[#2].days",
        "the building is closed on sunday (see [hours])",
    ),
    (
        "desk-agency-away",
        edit(('days = ["thursday"]\nagency = "PA"', 'days = ["wednesday"]\nagency = "PA"')),
        'days = ["wednesday"]',
        "counters[L03].schedule[#2].days",
        "PA does not come on wednesday (its days: thursday)",
    ),
    (
        "desk-agencies-in-two-zones",
        edit(('name = "Pengadilan Agama"\nzone = "1"', 'name = "Pengadilan Agama"\nzone = "2"')),
        '[[counters]]\nid = "L03"',
        "counters[L03].zone",
        "the desk's agencies are in different zones (1, 2); add zone = the zone whose TVs "
        "show its calls",
    ),
    (
        "line-open-on-a-day-nobody-serves-it",
        edit(
            ('days = ["tuesday"]\nagency = "KUA"', 'days = ["wednesday"]\nagency = "KUA"'),
            (KUA_DAYS, 'zone = "1"\ndays = ["tuesday", "wednesday"]'),
        ),
        '[[lines]]\nprefix = "K"',
        "lines[K]",
        'line "K" is open on tuesday but no counter serves it that day; give it a counter on '
        "tuesday (a counter's serves, or a shared desk's schedule) or leave the day out of "
        "its days",
    ),
]


@pytest.mark.parametrize(
    ("text", "needle", "key", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_part_week_mistake_is_reported_with_file_line_and_key(
    tmp_path: Path, text: str, needle: str, key: str, message: str
) -> None:
    """Each mistake is the one problem reported, as FILE:LINE: KEY: MESSAGE."""
    path = tmp_path / "gedung.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_building(path)
    expected = f"{path}:{_line_of(text, needle)}: {key}: {message}"
    assert [str(p) for p in caught.value.problems] == [expected]


EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "mpp-kabupaten-contoh.toml"


def test_the_worked_example_passes_antre_config_check(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/examples/mpp-kabupaten-contoh.toml, the second building of docs/configuration.md,
    passes `antre config check` as the docs show."""
    assert cli.main(["config", "check", str(EXAMPLE)]) == 0
    out, _ = capsys.readouterr()
    assert (
        out == "OK: MPP Kabupaten Contoh: 8 agencies, 9 lines, 8 counters, 2 devices, 9 officers\n"
    )
    building = load_building(EXAMPLE)
    assert building.zone_label == "WITA"
    desk = building.counter("L07")
    assert [(sorted(p.days), p.agency, p.serves) for p in desk.schedule] == [
        ([1], "KUA", ("K",)),
        ([3], "PA", ("P",)),
    ]


# The desks as the example labels them, written out from docs/configuration.md ("How a label is
# read aloud"): a group starting with 0 is read digit by digit, the "-" is not said, a desk with
# its own `spoken` is called by it; the example's [voice] says the agency's short name.
EXAMPLE_DESKS = [
    ("L01", "Loket 1-01 (Prioritas)", "1-01", "A-001", "loket satu nol satu, Dukcapil"),
    ("L02", "Loket 1-02", "1-02", "B-001", "loket satu nol dua, Dukcapil"),
    ("L04", "Gerai BPJS", "B1", "D-001", "gerai BPJS, BPJS Kesehatan"),
    ("L07", "Loket 7", "7", "K-001", "loket tujuh, KUA"),
]


@pytest.mark.parametrize(("cid", "name", "label", "number", "said"), EXAMPLE_DESKS)
def test_the_worked_example_names_its_desks_as_the_building_labels_them(
    cid: str, name: str, label: str, number: str, said: str
) -> None:
    building = load_building(EXAMPLE)
    desk = building.counter(cid)
    assert (desk.name, desk.label) == (name, label)
    line = building.line(number[0])
    agency = building.agency(line.agency)
    phrase = call_phrase(
        number,
        desk.number,
        building.voice.style,
        agency.short_name if building.voice.agency else None,
        building.voice.template,
        spoken=desk.spoken,
    )
    assert phrase == f"Nomor antrean {number[0]} nol nol satu, silakan menuju {said}"
