"""A line's `requires` and the visit knobs of [policy] (issue 22), as the operator sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_config_errors import BASE, edit, line_of, problems_of

from server.cli import main
from server.config import load_building, parse_building
from server.config.demo import demo_building_path

E_NAME = 'name = "Pajak Kendaraan"'


def test_requires_and_the_visit_knobs_read_as_written() -> None:
    text = edit(
        (E_NAME, E_NAME + '\nrequires = ["B"]'),
        append="visit_credit_min = 20\nvisit_max_stops = 3\n",
    )
    building = parse_building(text, "gedung.toml")
    assert [ln.requires for ln in building.lines] == [(), (), ("B",)]
    assert (building.policy.visit_credit_min, building.policy.visit_max_stops) == (20.0, 3)


def test_the_visit_knobs_default_to_15_minutes_and_4_stops() -> None:
    policy = parse_building(BASE, "gedung.toml").policy
    assert (policy.visit_credit_min, policy.visit_max_stops) == (15.0, 4)


CASES = [
    # id, the broken file, the needle on the line reported, the key, the message's start
    (
        "unknown prefix",
        edit((E_NAME, E_NAME + '\nrequires = ["Q"]')),
        'requires = ["Q"]',
        "lines[E].requires",
        'unknown line "Q"; known: A, B, E',
    ),
    (
        "itself",
        edit((E_NAME, E_NAME + '\nrequires = ["E"]')),
        'requires = ["E"]',
        "lines[E].requires",
        'line "E" cannot require itself',
    ),
    (
        "not an array",
        edit((E_NAME, E_NAME + '\nrequires = "B"')),
        'requires = "B"',
        "lines[E].requires",
        'expected an array of line prefixes such as ["B"], got string "B"',
    ),
    (
        "a cycle",
        edit(
            (E_NAME, E_NAME + '\nrequires = ["B"]  # E after B'),
            ('name = "Kartu Keluarga"', 'name = "Kartu Keluarga"\nrequires = ["E"]  # B after E'),
        ),
        'requires = ["E"]  # B after E',
        "lines[B].requires",
        "lines require each other in a circle (B → E → B)",
    ),
    (
        "max stops too high",
        edit(append="visit_max_stops = 7\n"),
        "visit_max_stops = 7",
        "policy.visit_max_stops",
        "must be between 2 and 6, got 7",
    ),
    (
        "max stops too low",
        edit(append="visit_max_stops = 1\n"),
        "visit_max_stops = 1",
        "policy.visit_max_stops",
        "must be ≥ 2, got 1",
    ),
    (
        "negative credit",
        edit(append="visit_credit_min = -5\n"),
        "visit_credit_min = -5",
        "policy.visit_credit_min",
        "must be ≥ 0, got -5",
    ),
]


@pytest.mark.parametrize(
    ("text", "needle", "key", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_requires_mistake_names_file_line_and_key(
    tmp_path: Path, text: str, needle: str, key: str, message: str
) -> None:
    path, error = problems_of(tmp_path, text)
    assert [str(p) for p in error.problems] == [str(error)]
    assert str(error).startswith(f"{path}:{line_of(text, needle)}: {key}: {message}"), str(error)


def test_the_demo_building_orders_bpjs_npwp_and_bpn_after_what_they_need(
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo = load_building(demo_building_path())
    requires = {ln.prefix: ln.requires for ln in demo.lines if ln.requires}
    assert requires == {"J": ("B",), "R": ("M",), "S": ("T",)}
    assert main(["config", "check", str(demo_building_path())]) == 0
    assert capsys.readouterr().out.startswith("OK: MPP Kota Contoh")
