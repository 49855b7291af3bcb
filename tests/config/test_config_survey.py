"""The building file's `[survey]`, `[complaints]` and the survey's devices (issue 20).

docs/configuration.md promises: both tables optional with the defaults it lists; every key
range-checked, a mistake named by file, line and key; a `[[devices]]` entry of kind "tablet"
needs a `counter` of the building, no other kind may have one; kind "exit" is a device like any.
Every expected message below is written by hand from that page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_config_errors import BASE, edit, line_of, problems_of

from server.auth import token_digest
from server.config import parse_building
from server.core.building import ComplaintSettings, DeviceKind, SurveySettings

TABLET_DIGEST = token_digest("test-tablet-1-0123456789abcdef")
EXIT_DIGEST = token_digest("test-exit-1-0123456789abcdef")


def test_without_the_tables_the_documented_defaults_hold() -> None:
    b = parse_building(BASE, "gedung.toml")
    assert b.survey == SurveySettings(
        enabled=True,
        days_open=7,
        wait_bands_min=(15, 60),
        public_period="quarter",
        running_text=False,
        requests_per_minute=10,
        tablet_idle_s=90,
    )
    assert b.complaints == ComplaintSettings(
        days_open=30, take_days=3, answer_days=5, close_days=10, warn_days=1
    )


def test_every_key_is_read() -> None:
    text = BASE + (
        "\n[survey]\nenabled = false\ndays_open = 14\nwait_bands_min = [10, 30, 90]\n"
        'public_period = "semester"\nrunning_text = true\nrequests_per_minute = 5\n'
        "tablet_idle_s = 60\n"
        "\n[complaints]\ndays_open = 60\ntake_days = 2\nanswer_days = 4\nclose_days = 7\n"
        "warn_days = 0\n"
    )
    b = parse_building(text, "gedung.toml")
    assert b.survey == SurveySettings(False, 14, (10, 30, 90), "semester", True, 5, 60)
    assert b.complaints == ComplaintSettings(60, 2, 4, 7, 0)


# (table, key = value as written, the key path, the message): by hand, from the page.
BAD = [
    ("survey", "enabled = 1", "survey.enabled", "expected true or false, got integer 1"),
    ("survey", "days_open = 0", "survey.days_open", "must be from 1 to 90 days, got 0"),
    ("survey", "days_open = 91", "survey.days_open", "must be from 1 to 90 days, got 91"),
    (
        "survey",
        'days_open = "7"',
        "survey.days_open",
        'expected a whole number from 1 to 90, got string "7"',
    ),
    (
        "survey",
        "wait_bands_min = [60, 15]",
        "survey.wait_bands_min",
        "edges must be in ascending order, each once: 15 after 60",
    ),
    (
        "survey",
        "wait_bands_min = [15, 15]",
        "survey.wait_bands_min",
        "edges must be in ascending order, each once: 15 after 15",
    ),
    (
        "survey",
        "wait_bands_min = [0, 60]",
        "survey.wait_bands_min",
        "each edge must be from 1 to 600 minutes, got 0",
    ),
    (
        "survey",
        "wait_bands_min = [15, 601]",
        "survey.wait_bands_min",
        "each edge must be from 1 to 600 minutes, got 601",
    ),
    (
        "survey",
        "wait_bands_min = []",
        "survey.wait_bands_min",
        "must list at least one edge, such as [15, 60]",
    ),
    (
        "survey",
        "wait_bands_min = 15",
        "survey.wait_bands_min",
        "expected an array of minutes such as [15, 60], got integer 15",
    ),
    (
        "survey",
        "wait_bands_min = [15.5]",
        "survey.wait_bands_min",
        "expected whole minutes such as [15, 60], got float 15.5",
    ),
    (
        "survey",
        'public_period = "week"',
        "survey.public_period",
        'expected "month" or "quarter" or "semester" or "year", got string "week"',
    ),
    (
        "survey",
        'running_text = "ya"',
        "survey.running_text",
        'expected true or false, got string "ya"',
    ),
    (
        "survey",
        "requests_per_minute = 0",
        "survey.requests_per_minute",
        "must be ≥ 1, got 0",
    ),
    (
        "survey",
        "tablet_idle_s = 5",
        "survey.tablet_idle_s",
        "must be from 10 to 3600 seconds, got 5",
    ),
    (
        "complaints",
        "days_open = 366",
        "complaints.days_open",
        "must be from 1 to 365 days, got 366",
    ),
    (
        "complaints",
        "take_days = 0",
        "complaints.take_days",
        "must be from 1 to 30 working days, got 0",
    ),
    (
        "complaints",
        "answer_days = 31",
        "complaints.answer_days",
        "must be from 1 to 30 working days, got 31",
    ),
    ("complaints", "close_days = 0", "complaints.close_days", "must be from 1 to 90 days, got 0"),
    (
        "complaints",
        "warn_days = -1",
        "complaints.warn_days",
        "must be from 0 to 10 working days, got -1",
    ),
]


@pytest.mark.parametrize(("table", "written", "key", "message"), BAD)
def test_a_bad_key_names_file_line_and_key(
    tmp_path: Path, table: str, written: str, key: str, message: str
) -> None:
    text = edit(append=f"\n[{table}]\n{written}\n")
    path, error = problems_of(tmp_path, text)
    assert [(p.file, p.line, p.key, p.message) for p in error.problems] == [
        (str(path), line_of(text, written), key, message)
    ]


def test_an_unknown_key_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    text = edit(append="\n[survey]\ntablet_idle = 60\n")
    path, error = problems_of(tmp_path, text)
    (problem,) = error.problems
    assert (problem.file, problem.line, problem.key) == (
        str(path),
        line_of(text, "tablet_idle ="),
        "survey.tablet_idle",
    )
    assert problem.message == 'unknown key "tablet_idle"; did you mean "tablet_idle_s"?'


def tablet(counter: str | None, kind: str = "tablet", digest: str = TABLET_DIGEST) -> str:
    at = f'counter = "{counter}"\n' if counter is not None else ""
    return f'\n[[devices]]\nid = "TAB-1"\nkind = "{kind}"\n{at}token_sha256 = "{digest}"\n'


def test_a_tablet_faces_a_counter_and_an_exit_page_is_a_device() -> None:
    exit_page = f'\n[[devices]]\nid = "EXIT-1"\nkind = "exit"\ntoken_sha256 = "{EXIT_DIGEST}"\n'
    b = parse_building(BASE + tablet("L07") + exit_page, "gedung.toml")
    tab = next(d for d in b.devices if d.id == "TAB-1")
    out = next(d for d in b.devices if d.id == "EXIT-1")
    assert (tab.kind, tab.counter) == (DeviceKind.TABLET, "L07")
    assert (out.kind, out.counter) == (DeviceKind.EXIT, None)


def test_a_tablet_without_a_counter_is_named(tmp_path: Path) -> None:
    text = edit(append=tablet(None))
    path, error = problems_of(tmp_path, text)
    (problem,) = error.problems
    assert (problem.file, problem.key) == (str(path), "devices[TAB-1].counter")
    # No `counter =` line to point at: the entry's header is named instead.
    assert problem.line == line_of(text, 'id = "TAB-1"') - 1
    assert problem.message == 'required for a tablet: the counter it faces, e.g. counter = "L01"'


def test_a_tablet_at_an_unknown_counter_is_named(tmp_path: Path) -> None:
    text = edit(append=tablet("L99"))
    path, error = problems_of(tmp_path, text)
    assert [(p.file, p.line, p.key) for p in error.problems] == [
        (str(path), line_of(text, 'counter = "L99"'), "devices[TAB-1].counter")
    ]
    assert error.problems[0].message.startswith('unknown counter "L99"')


def test_only_a_tablet_has_a_counter(tmp_path: Path) -> None:
    text = edit(append=tablet("L01", kind="exit"))
    path, error = problems_of(tmp_path, text)
    assert [(p.file, p.line, p.key, p.message) for p in error.problems] == [
        (
            str(path),
            line_of(text, 'counter = "L01"'),
            "devices[TAB-1].counter",
            'only a tablet (kind = "tablet") faces a counter: remove it from this "exit" device',
        )
    ]
