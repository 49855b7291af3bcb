"""The generic TOML reader on a file that is not a building: every problem by file, line and key.

The expectations are written by hand from the text below, so a change in how lines or key paths
are found shows up here before it shows up, less legibly, in a building file's messages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import ConfigError, ConfigProblem
from server.config.toml_reader import Key, Reader, label, parse_toml, read_toml_text

# Shaped like a list of webhook destinations: nothing here is a building.
TEXT = """\
[server]
name = "antre"
port = "8700"
limits = { per_minute = "ten" }

[[destinations]]
id = "sms"
url = "https://example.test/sms"

[destinations.retry]
attempts = "three"
pause_s = 2

[[destinations]]
id = "mail"
urll = "https://example.test/mail"
"""

SERVER = '[server]\nname = "antre"\nport = 8700\n\n'


def _read(text: str, *, file: str = "hooks.toml") -> Reader:
    """Walk the destinations file the way a section module walks the building file."""
    doc = parse_toml(text, file)
    r = Reader(file, text)
    server_key = Key() / "server"
    server = r.table(doc.get("server", {}), server_key, ("name", "port", "limits")) or {}
    r.get(server, server_key, "name", r.string)
    r.get(server, server_key, "port", lambda v, k: r.whole(v, k, 1))
    limits = r.table(server.get("limits", {}), server_key / "limits", ("per_minute",))
    if limits is not None:
        r.get(limits, server_key / "limits", "per_minute", r.count, 60)
    for i, table in r.entries(doc, "destinations", required=True):
        key = (Key() / "destinations").item(i, label(table, "id"))
        r.table(table, key, ("id", "url", "retry"))
        r.get(table, key, "id", r.ident)
        r.get(table, key, "url", r.string)
        retry = r.table(table.get("retry", {}), key / "retry", ("attempts", "pause_s"))
        if retry is not None:
            r.get(retry, key / "retry", "attempts", r.count, 3)
            r.get(retry, key / "retry", "pause_s", r.number, 1.0)
    return r


def test_every_problem_named_by_file_line_and_key_in_file_order() -> None:
    """A wrong type at a nested key, inside an inline table, an unknown key, a missing key."""
    assert _read(TEXT).error().problems == [
        ConfigProblem(
            "hooks.toml", 3, "server.port", 'expected a whole number ≥ 1, got string "8700"'
        ),
        ConfigProblem(
            "hooks.toml",
            4,
            "server.limits.per_minute",
            'expected a whole number ≥ 0, got string "ten"',
        ),
        ConfigProblem(
            "hooks.toml",
            11,
            "destinations[sms].retry.attempts",
            'expected a whole number ≥ 0, got string "three"',
        ),
        # A key that is not written at all is placed at its table's header.
        ConfigProblem("hooks.toml", 14, "destinations[mail].url", "required key is missing"),
        ConfigProblem(
            "hooks.toml",
            16,
            "destinations[mail].urll",
            'unknown key "urll"; did you mean "url"?',
        ),
    ]


def test_the_error_repeats_its_first_problem_and_prints_one_per_line() -> None:
    """ConfigError keeps every problem; its own fields are the first one's, for a one-line view."""
    error = _read(TEXT).error()
    assert (error.file, error.line, error.key) == ("hooks.toml", 3, "server.port")
    assert str(error).splitlines()[0] == (
        'hooks.toml:3: server.port: expected a whole number ≥ 1, got string "8700"'
    )
    assert str(error).splitlines()[-1] == (
        'hooks.toml:16: destinations[mail].urll: unknown key "urll"; did you mean "url"?'
    )


def test_a_missing_table_has_no_line_and_comes_last() -> None:
    """A required array of tables that is absent has no line to point at; it is listed last."""
    text = '[server]\nname = "antre"\nport = 0\n'
    problems = _read(text).error().problems
    assert problems == [
        ConfigProblem("hooks.toml", 3, "server.port", "must be ≥ 1, got 0"),
        ConfigProblem(
            "hooks.toml", None, "destinations", "required: add at least one [[destinations]] table"
        ),
    ]
    assert str(problems[1]) == (
        "hooks.toml: destinations: required: add at least one [[destinations]] table"
    )


def test_an_unknown_key_without_a_close_match_lists_the_allowed_ones() -> None:
    """No suggestion is guessed when nothing is close; the allowed keys are listed instead."""
    text = SERVER + '[[destinations]]\nid = "sms"\nurl = "https://example.test"\ncolour = "red"\n'
    assert _read(text).problems == [
        ConfigProblem(
            "hooks.toml",
            8,
            "destinations[sms].colour",
            'unknown key "colour"; allowed: id, url, retry',
        )
    ]


def test_an_entry_without_a_usable_id_is_shown_by_its_position() -> None:
    """`destinations[#2]` when the second entry's id is itself unusable."""
    text = SERVER + '[[destinations]]\nid = "a"\nurl = "u"\n\n[[destinations]]\nid = "no spaces"\n'
    text += 'url = "u"\n'
    assert _read(text).problems == [
        ConfigProblem(
            "hooks.toml",
            10,
            "destinations[#2].id",
            "\"no spaces\" is not a valid id: use 1–32 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
        )
    ]


@pytest.mark.parametrize(
    ("text", "line", "ending"),
    [
        # tomllib's own message, with the line moved into the problem and the column kept.
        ('[server]\nname = "antre"\nport = 87 00\n', 3, "(column 11)"),
        # `open = 07:30` is not TOML; the hint shows the quoted form.
        ("[day]\nopen = 07:30\n", 2, '; times must be quoted, e.g. open = "07:30"'),
    ],
)
def test_a_syntax_error_names_its_line(text: str, line: int, ending: str) -> None:
    """A file tomllib cannot parse is one problem on the offending line, with no key."""
    with pytest.raises(ConfigError) as caught:
        parse_toml(text, "hooks.toml")
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.key) == ("hooks.toml", line, "")
    assert problem.message.startswith("invalid TOML: ")
    assert problem.message.endswith(ending)


def test_reading_a_missing_file_is_one_problem_without_a_line(tmp_path: Path) -> None:
    """The file itself is the problem: no line, no key."""
    path = tmp_path / "hooks.toml"
    with pytest.raises(ConfigError) as caught:
        read_toml_text(path)
    assert caught.value.problems == [ConfigProblem(str(path), None, "", "no such file")]
