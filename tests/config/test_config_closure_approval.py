"""`[policy] closure_approval` (issue 23): read, checked against `[[managers]]`, exported, edited.

The messages are written out by hand from docs/configuration.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_config_edits import SMALL
from test_config_errors import BASE, PIN_HASH, edit, line_of, problems_of

from server.config import parse_building
from server.config.edits import Edit, EditRefused, apply_edit, entity
from server.config.export import building_toml

NO_MANAGER = edit(
    (
        f'[[managers]]\nid = "LANTAI"\nname = "Bambang Sutrisno"\nrole = "floor"\n'
        f'pin_hash = "{PIN_HASH}"\n',
        "",
    )
)


def test_it_is_off_unless_the_file_turns_it_on() -> None:
    assert parse_building(BASE, "gedung.toml").policy.closure_approval is False
    on = parse_building(BASE + "closure_approval = true\n", "gedung.toml")
    assert on.policy.closure_approval is True


def test_turning_it_on_without_a_manager_names_what_to_add(tmp_path: Path) -> None:
    text = NO_MANAGER + "closure_approval = true\n"
    assert "[[managers]]" not in text
    _path, error = problems_of(tmp_path, text)
    assert [(p.key, p.message) for p in error.problems] == [
        (
            "policy.closure_approval",
            "closure_approval = true needs someone to approve: add a [[managers]] entry",
        )
    ]
    assert error.line == line_of(text, "closure_approval = true")
    # Off, a building without a manager is fine.
    assert parse_building(NO_MANAGER, "gedung.toml").managers == ()


def test_a_value_other_than_true_or_false_is_refused(tmp_path: Path) -> None:
    _, error = problems_of(tmp_path, BASE + 'closure_approval = "ya"\n')
    assert (error.key, error.message) == (
        "policy.closure_approval",
        'expected true or false, got string "ya"',
    )


def test_the_exporter_writes_it_and_reads_back_the_same() -> None:
    on = parse_building(BASE + "closure_approval = true\n", "gedung.toml")
    text = building_toml(on)
    assert "\nclosure_approval = true\n" in text
    assert parse_building(text, "again.toml") == on


def test_an_admin_turns_it_on_and_may_not_then_remove_the_last_manager() -> None:
    small = parse_building(SMALL, "small.toml")
    assert small.managers == ()
    policy = entity(small, "policy")
    with pytest.raises(EditRefused) as refusal:
        apply_edit(small, Edit("policy", policy, {**policy, "closure_approval": True}))
    # The admin reads the config check's message in Indonesian (server/config/problem_words.py).
    assert "closure_approval = true perlu orang yang menyetujui: tambahkan entri [[managers]]" in (
        refusal.value.message
    )
    with_manager = parse_building(BASE, "gedung.toml")
    policy = entity(with_manager, "policy")
    on = apply_edit(with_manager, Edit("policy", policy, {**policy, "closure_approval": True}))
    assert on.policy.closure_approval is True
    manager = entity(on, "manager:LANTAI")
    with pytest.raises(EditRefused):
        apply_edit(on, Edit("manager:LANTAI", manager, None))
