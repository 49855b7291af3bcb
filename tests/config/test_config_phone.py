"""The building file's `[phone]` table: when the citizen's phone page warns (issue 19).

docs/configuration.md promises: optional; `warn_when_ahead` a whole number of people from 0 to
50, 3 when left out; anything else is one problem naming the file, the line and the key, and
an unknown key is refused with the allowed ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_config_errors import BASE, edit, line_of, problems_of

from server.config import parse_building
from server.core.building import PhoneSettings


def test_without_a_phone_table_the_page_warns_at_three_ahead() -> None:
    assert parse_building(BASE, "gedung.toml").phone == PhoneSettings(warn_when_ahead=3)


@pytest.mark.parametrize("value", [0, 1, 5, 50])
def test_a_phone_table_sets_the_threshold(value: int) -> None:
    b = parse_building(BASE + f"\n[phone]\nwarn_when_ahead = {value}\n", "gedung.toml")
    assert b.phone.warn_when_ahead == value


# (the value as written, the problem's message): by hand, from docs/configuration.md, the
# wrong type described as every other key's (`float 2.5`, `string "3"`).
BAD = [
    ("-1", "must be 0 to 50 people, got -1"),
    ("51", "must be 0 to 50 people, got 51"),
    ("2.5", "expected a whole number of people from 0 to 50, got float 2.5"),
    ('"3"', 'expected a whole number of people from 0 to 50, got string "3"'),
    ("true", "expected a whole number of people from 0 to 50, got boolean true"),
]


@pytest.mark.parametrize(("written", "message"), BAD)
def test_a_bad_threshold_names_file_line_and_key(
    tmp_path: Path, written: str, message: str
) -> None:
    text = edit(append=f"\n[phone]\nwarn_when_ahead = {written}\n")
    path, error = problems_of(tmp_path, text)
    assert [(p.file, p.line, p.key) for p in error.problems] == [
        (str(path), line_of(text, "warn_when_ahead ="), "phone.warn_when_ahead")
    ]
    assert message in error.problems[0].message


def test_an_unknown_key_is_refused(tmp_path: Path) -> None:
    text = edit(append="\n[phone]\nwarn_when_ahed = 3\n")
    path, error = problems_of(tmp_path, text)
    (problem,) = error.problems
    assert (problem.file, problem.line) == (str(path), line_of(text, "warn_when_ahed"))
    assert "warn_when_ahed" in problem.key + problem.message
    assert "warn_when_ahead" in problem.message
