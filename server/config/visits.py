"""A line's `requires` (issue 22): the lines whose result it needs first in a visit.

`read_requires` reads the array of one `[[lines]]` entry; `check_requires` runs once every line
has been read and names, with the file, line and key, a prefix nobody has, a line requiring
itself, and a cycle (A needs B needs A: no visit holding both could ever be ordered).
"""

from __future__ import annotations

from collections.abc import Collection

from server.config.toml_reader import Key, Reader, describe, suggest
from server.core.building import Line

__all__ = ["check_requires", "read_requires"]


def read_requires(value: object, key: Key, r: Reader) -> tuple[str, ...] | None:
    """An array of line prefixes, possibly empty; each named once."""
    if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
        r.problem(key, f'expected an array of line prefixes such as ["B"], got {describe(value)}')
        return None
    doubled = sorted({v for v in value if value.count(v) > 1})
    if doubled:
        r.problem(key, f'names line "{doubled[0]}" twice')
        return None
    return tuple(value)


def check_requires(lines: list[tuple[Line, Key]], known: Collection[str], r: Reader) -> None:
    """Each `requires` names another known line, and no line needs itself through others."""
    graph: dict[str, tuple[str, ...]] = {}
    keys: dict[str, Key] = {}
    for line, key in lines:
        good: list[str] = []
        for prefix in line.requires:
            if prefix == line.prefix:
                r.problem(key / "requires", f'line "{prefix}" cannot require itself')
            elif prefix not in known:
                hint = suggest(prefix, known) or (
                    f"; known: {', '.join(sorted(known))}" if 0 < len(known) <= 12 else ""
                )
                r.problem(key / "requires", f'unknown line "{prefix}"{hint}')
            else:
                good.append(prefix)
        graph[line.prefix] = tuple(good)
        keys[line.prefix] = key
    reported: set[str] = set()
    for start in graph:
        cycle = _cycle_from(start, graph)
        if cycle is None or start in reported:
            continue
        reported.update(cycle)
        path = " → ".join([*cycle, cycle[0]])
        r.problem(
            keys[start] / "requires",
            f"lines require each other in a circle ({path}): no visit holding them could be "
            "ordered; remove one of these requires",
        )


def _cycle_from(start: str, graph: dict[str, tuple[str, ...]]) -> list[str] | None:
    """The cycle through `start` (its prefixes in order), or None when there is none."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in graph.get(node, ()):
            if nxt == start:
                return path
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None
