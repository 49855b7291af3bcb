"""Counter labels as buildings write them: what the file may say, what it gives, what it refuses.

Source of every expectation: docs/configuration.md, `[[counters]]` (the `number`, `name` and
`spoken` fields, "How a label is read aloud" and its table of examples) and "What `antre config
check` reports". Each table row is written out by hand from those pages, never computed by the
reader under test. The base building is small on purpose: one agency, one line, and the
counters each case adds.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from server.cli import check_main
from server.config import ConfigError, load_building, load_demo_building, parse_building

BASE = """\
[building]
name = "MPP Uji Label"
timezone = "WITA"

[hours]
monday = { open = "08:00", close = "15:00" }
tuesday = { open = "08:00", close = "15:00" }
wednesday = { open = "08:00", close = "15:00" }
thursday = { open = "08:00", close = "15:00" }
friday = { open = "08:00", close = "15:00" }
saturday = "closed"
sunday = "closed"

[[holidays]]
date = 2026-12-25
name = "Kelahiran Yesus Kristus"

[[zones]]
id = "1"
name = "Lantai 1"

[[agencies]]
code = "SAMSAT"
name = "Samsat"
zone = "1"

[[lines]]
prefix = "E"
agency = "SAMSAT"
name = "Pajak Kendaraan"
target_service_min = 7
"""


def counter(cid: str, *fields: str) -> str:
    """One [[counters]] table of SAMSAT serving E, with extra `key = value` lines."""
    head = f'\n[[counters]]\nid = "{cid}"\n'
    return head + "".join(f"{f}\n" for f in fields) + 'agency = "SAMSAT"\nserves = ["E"]\n'


# What a good file gives: the counter's table lines -> (number, label, name, spoken), by hand
# from the [[counters]] table of docs/configuration.md.
ACCEPTED = [
    ("id-digits", counter("L07"), (7, "7", "Loket 7", None)),
    ("whole-number", counter("A", "number = 12"), (12, "12", "Loket 12", None)),
    ("digits-as-string-are-a-number", counter("A", 'number = "7"'), (7, "7", "Loket 7", None)),
    ("letter-after-digit", counter("L3A", 'number = "3A"'), ("3A", "3A", "Loket 3A", None)),
    ("floor-and-desk", counter("L101", 'number = "1-01"'), ("1-01", "1-01", "Loket 1-01", None)),
    ("dash-letter", counter("X", 'number = "2-A"'), ("2-A", "2-A", "Loket 2-A", None)),
    ("dot", counter("X", 'number = "1.10"'), ("1.10", "1.10", "Loket 1.10", None)),
    ("leading-zero-stays-a-label", counter("X", 'number = "07"'), ("07", "07", "Loket 07", None)),
    (
        "named-desk-with-its-spoken-form",
        counter("BPJS", 'number = "B1"', 'name = "Gerai BPJS"', 'spoken = "gerai  BPJS"'),
        ("B1", "B1", "Gerai BPJS", "gerai BPJS"),
    ),
    (
        "spoken-overrides-the-reading",
        counter("L07", 'spoken = "loket tujuh prioritas"'),
        (7, "7", "Loket 7", "loket tujuh prioritas"),
    ),
]


@pytest.mark.parametrize(
    ("table", "expected"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED]
)
def test_a_label_is_kept_as_the_building_writes_it(table: str, expected: tuple) -> None:
    """`number` keeps a whole number as a number and a label as written; name defaults to it."""
    c = parse_building(BASE + table, "gedung.toml").counters[0]
    assert (c.number, c.label, c.name, c.spoken) == expected


def test_the_demo_keeps_its_numbers_and_names() -> None:
    """The demo file, written before labels, still loads: loket N is number N, "Loket N"."""
    demo = load_demo_building()
    assert [(c.number, c.label, c.spoken) for c in demo.counters[:3]] == [
        (1, "1", None),
        (2, "2", None),
        (3, "3", None),
    ]
    assert demo.counter("L07").name == "Loket 7 (Prioritas)"  # type: ignore[union-attr]
    assert demo.counter("L31").number == 31  # type: ignore[union-attr]


def problems(tmp_path: Path, text: str) -> tuple[Path, list[str]]:
    path = tmp_path / "gedung.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_building(path)
    return path, [str(p) for p in info.value.problems]


def line_with(text: str, needle: str) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


_RULE = (
    'use a whole number ≥ 1, or digits and capital letters in groups joined by "-" or "." '
    '(7, "3A", "1-01"), at most 10 characters'
)

# Each mistake: the counters added to BASE (plus anything else), the key the operator reads, a
# needle on the line it must point at, and the message, all by hand.
REFUSED = [
    (
        "lower-case-letter",
        counter("L3", 'number = "3a"'),
        "counters[L3].number",
        'number = "3a"',
        f'"3a" is not a label the voice can read: {_RULE}; write the letters as capitals, "3A"',
    ),
    (
        "space-inside",
        counter("L3", 'number = "3 A"'),
        "counters[L3].number",
        'number = "3 A"',
        f'"3 A" is not a label the voice can read: {_RULE}',
    ),
    (
        "slash",
        counter("L3", 'number = "1/2"'),
        "counters[L3].number",
        'number = "1/2"',
        f'"1/2" is not a label the voice can read: {_RULE}',
    ),
    (
        "too-long",
        counter("L3", 'number = "1-01-A-B-CD"'),
        "counters[L3].number",
        'number = "1-01-A-B-CD"',
        f'"1-01-A-B-CD" is not a label the voice can read: {_RULE}',
    ),
    (
        "trailing-dash",
        counter("L3", 'number = "3-"'),
        "counters[L3].number",
        'number = "3-"',
        f'"3-" is not a label the voice can read: {_RULE}',
    ),
    (
        "zero",
        counter("L3", "number = 0"),
        "counters[L3].number",
        "number = 0",
        "must be ≥ 1, got 0",
    ),
    (
        "zeros-as-a-label",
        counter("L3", 'number = "00"'),
        "counters[L3].number",
        'number = "00"',
        'must be ≥ 1, got "00"',
    ),
    (
        "a-float",
        counter("L3", "number = 3.5"),
        "counters[L3].number",
        "number = 3.5",
        'expected a whole number or a label such as "3A", got float 3.5',
    ),
    (
        "same-label-twice",
        counter("L3A", 'number = "3A"') + counter("X3A", 'number = "3A"  # dup'),
        "counters[X3A].number",
        'number = "3A"  # dup',
        "loket number 3A is already used by counters[L3A] (line 35); numbers are read aloud, "
        "keep them unique",
    ),
    (
        "a-number-and-the-same-digits-as-text",
        counter("L7") + counter("T", 'number = "7"'),
        "counters[T].number",
        'number = "7"',
        "loket number 7 is already used by counters[L7] (line 34)",
    ),
    (
        "labels-that-sound-alike",
        counter("L3A", 'number = "3A"') + counter("L3-A", 'number = "3-A"'),
        "counters[L3-A].number",
        'number = "3-A"',
        'the voice would say "loket tiga A", as for counters[L3A] (line 35); two desks must '
        'differ: change the label or set spoken = "…"',
    ),
    (
        "dash-is-not-said",
        counter("L101", 'number = "1-01"') + counter("L1-0-1", 'number = "1-0-1"'),
        "counters[L1-0-1].number",
        'number = "1-0-1"',
        'the voice would say "loket satu nol satu", as for counters[L101] (line 35)',
    ),
    (
        "spoken-like-another-label",
        counter("L3A", 'number = "3A"') + counter("L9", 'spoken = "Loket  tiga a"'),
        "counters[L9].spoken",
        'spoken = "Loket  tiga a"',
        'the voice would say "Loket tiga a", as for counters[L3A] (line 35)',
    ),
    (
        "a-letter-heard-as-its-name",
        counter("LB", 'number = "B"') + counter("L9", 'spoken = "loket be"'),
        "counters[L9].spoken",
        'spoken = "loket be"',
        'the voice would say "loket be", as for counters[LB] (line 35)',
    ),
    (
        "two-names-alike",
        counter("L1", 'name = "Gerai BPJS"') + counter("L2", 'name = "gerai  bpjs"'),
        "counters[L2].name",
        'name = "gerai  bpjs"',
        'TVs would show "gerai  bpjs", as for counters[L1] (line 35); two desks must differ: '
        'give each desk its own name = "…"',
    ),
    (
        "a-name-like-another-desks-default",
        counter("L3") + counter("L4", 'name = "Loket 3"'),
        "counters[L4].name",
        'name = "Loket 3"',
        'TVs would show "Loket 3", as for counters[L3] (line 34)',
    ),
    (
        "empty-spoken",
        counter("L3", 'spoken = "  "'),
        "counters[L3].spoken",
        "spoken = ",
        "must not be empty",
    ),
    (
        "spoken-without-words",
        counter("L3", 'spoken = "3"'),
        "counters[L3].spoken",
        "spoken = ",
        "must be the desk in words, 1 to 60 characters without braces or brackets, "
        'e.g. spoken = "gerai BPJS", got "3"',
    ),
    (
        "spoken-with-a-placeholder",
        counter("L3", 'spoken = "loket {counter}"'),
        "counters[L3].spoken",
        "spoken = ",
        "must be the desk in words",
    ),
    (
        "spoken-the-template-never-says",
        counter("L3", 'spoken = "gerai tiga"')
        + '\n[voice]\ntemplate = "Nomor antrean {number}, silakan menuju loket {counter}"\n',
        "counters[L3].spoken",
        "spoken = ",
        "the [voice] template has no {desk}, so this would never be said; write {desk} where "
        'the desk is named, e.g. template = "Nomor antrean {number}, silakan menuju {desk}'
        '[, {agency}]"',
    ),
    (
        "id-without-digits-and-no-label",
        counter("GERAI"),
        "counters[GERAI].number",
        "[[counters]]",  # an absent key: the line of its table's header
        'no number in the id "GERAI"; add number = N, or the label on the desk such as '
        'number = "3A"',
    ),
]


@pytest.mark.parametrize(
    ("tables", "key", "needle", "message"),
    [c[1:] for c in REFUSED],
    ids=[c[0] for c in REFUSED],
)
def test_a_bad_or_clashing_label_is_named_by_file_line_and_key(
    tmp_path: Path, tables: str, key: str, needle: str, message: str
) -> None:
    """Each mistake is the one problem reported, FILE:LINE: KEY: MESSAGE, and nothing loads."""
    text = BASE + tables
    path, found = problems(tmp_path, text)
    expected = f"{path}:{line_with(text, needle)}: {key}: {message}"
    assert len(found) == 1, found
    assert found[0].startswith(expected), f"{found[0]}\n!=\n{expected}"


def test_the_line_numbers_in_the_table_are_those_of_the_file() -> None:
    """The "(line N)" written in REFUSED: the first counter's id is on 34, its next key on 35."""
    text = BASE + counter("L3A", 'number = "3A"')
    assert (line_with(text, 'id = "L3A"'), line_with(text, 'number = "3A"')) == (34, 35)


def test_check_warns_when_the_tv_and_the_voice_would_name_a_desk_differently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name without its label and no spoken passes, with a warning saying what each says."""
    text = (
        BASE
        + counter("L31", 'name = "Gerai BPJS"')
        + counter("L7", 'name = "Loket 7 (Prioritas)"')
        + counter("L8", 'name = "Gerai Pajak"', 'spoken = "gerai pajak"')
        + counter("L09", 'name = "Loket 9"')
    )
    path = tmp_path / "gedung.toml"
    path.write_text(text, encoding="utf-8")
    assert check_main(str(path), today=date(2026, 11, 23)) == 0
    out, err = capsys.readouterr()
    assert out.startswith("OK: MPP Uji Label: 1 agencies, 1 lines, 4 counters")
    assert err == (
        f'warning: {path}: counters[L31]: TVs show "Gerai BPJS" but the voice says '
        '"loket tiga puluh satu"; add spoken = "…" to say the desk as it is labelled\n'
    )
