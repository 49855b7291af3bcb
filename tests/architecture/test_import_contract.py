"""The walls between the rooms hold on the real tree, and each one fails when it is broken.

The second test copies the project's Python files to a temporary tree, breaks one wall there
with a single added line, and expects exactly the violation written in the table below (the
rule and the offending file come from docs/architecture.md's walls, not from the checker).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from contract import PACKAGES, check

REPO = Path(__file__).resolve().parents[2]


def test_the_tree_keeps_its_walls() -> None:
    broken = check(REPO)
    assert broken == [], "\n".join(str(v) for v in broken)


def _copy_tree(dest: Path) -> None:
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            target = dest / path.relative_to(REPO)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


# (file that gets one line, the line, the rule that must fire, the import named)
BREAKS = [
    (
        "counter/view.py",
        "def _late():\n    from server.core.queue import QueueState\n",
        "client imports the server's insides",
        "server.core.queue",
    ),
    (
        "kiosk/ticket.py",
        "import server.engine\n",
        "client imports the server's insides",
        "server.engine",
    ),
    (
        "kiosk/ticket.py",
        "from counter import view\n",
        "client imports another client",
        "counter.view",
    ),
    (
        "server/core/numbering.py",
        "import websockets\n",
        "the pure core imports outside itself",
        "websockets",
    ),
    (
        "server/core/numbering.py",
        "from server import protocol\n",
        "the pure core imports outside itself",
        "server.protocol",
    ),
    (
        "server/engine.py",
        "from display import floor_model\n",
        "the server imports a client",
        "display.floor_model",
    ),
]


@pytest.mark.parametrize(("path", "line", "rule", "named"), BREAKS)
def test_each_wall_fails_when_broken(
    tmp_path: Path, path: str, line: str, rule: str, named: str
) -> None:
    _copy_tree(tmp_path)
    assert check(tmp_path) == []  # the copy holds, so what follows is the added line's doing
    target = tmp_path / path
    target.write_text(target.read_text(encoding="utf-8") + "\n" + line, encoding="utf-8")
    broken = check(tmp_path)
    assert [(v.rule, v.where.split(":")[0], v.detail) for v in broken] == [(rule, path, named)]


def test_a_cycle_is_named_and_type_checking_imports_are_not_followed(tmp_path: Path) -> None:
    _copy_tree(tmp_path)
    # server.core.transitions imports server.core.errors (the refusal of an illegal move), and
    # errors imports nothing that leads back; the reverse import closes a loop of exactly two.
    errors = tmp_path / "server/core/errors.py"
    original = errors.read_text(encoding="utf-8")
    guarded = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import server.core.transitions\n"
    )
    errors.write_text(original + "\n" + guarded, encoding="utf-8")
    assert check(tmp_path) == []
    errors.write_text(original + "\nimport server.core.transitions\n", encoding="utf-8")
    broken = check(tmp_path)
    assert [(v.rule, v.where) for v in broken] == [
        ("import cycle", "server.core.errors -> server.core.transitions")
    ]
