"""Where a key is written in TOML text: `tomllib` keeps no positions, so the raw text is scanned.

Best effort by design: a line number helps the operator find a mistake, and a key it cannot place
falls back to the line of its nearest enclosing table.
"""

from __future__ import annotations

import re

__all__ = ["Locator", "RawPath"]

RawPath = tuple[str | int, ...]  # ("lines", 2, "cutoff"): keys, and positions in [[arrays]]

_BARE_OR_QUOTED = r'(?:[A-Za-z0-9_-]+|"[^"\\]*"|\'[^\']*\')'
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"
_AOT_HEADER_RE = re.compile(rf"\s*\[\[\s*({_DOTTED})\s*\]\]\s*(?:#.*)?")
_TABLE_HEADER_RE = re.compile(rf"\s*\[\s*({_DOTTED})\s*\]\s*(?:#.*)?")
_KEY_LINE_RE = re.compile(rf"\s*({_DOTTED})\s*=(.*)")
_KEY_PART_RE = re.compile(_BARE_OR_QUOTED)


def _split_dotted(dotted: str) -> list[str]:
    return [p.strip("\"'") for p in _KEY_PART_RE.findall(dotted)]


def _advance(text: str, open_string: str | None, depth: int) -> tuple[str | None, int]:
    """Scan one line of a value; return what is still open after it (multi-line string, brackets).

    Good enough for locating keys: it ignores escapes inside multi-line strings.
    """
    i, n = 0, len(text)
    while i < n:
        if open_string is not None:
            j = text.find(open_string, i)
            if j < 0:
                return open_string, depth
            i, open_string = j + 3, None
            continue
        c = text[i]
        if c == "#":
            break
        if text.startswith('"""', i) or text.startswith("'''", i):
            open_string, i = text[i : i + 3], i + 3
            continue
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            continue
        if c == "'":
            j = text.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return open_string, depth


class Locator:
    """Best-effort map from key paths to 1-based line numbers in the raw TOML text.

    A path indexes arrays of tables by position: ("lines", 2, "cutoff") is the `cutoff` key of the
    third `[[lines]]` table. Keys inside inline tables map to the line of the inline table.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[RawPath, int] = {}  # first line where each path is written
        self._last_index: dict[tuple[str, ...], int] = {}  # current element of each [[array]]
        self._counts: dict[RawPath, int] = {}  # elements seen so far of each [[array]]
        self._scan(text)

    def locate(self, path: RawPath) -> int | None:
        """The line of the path, else of its nearest enclosing table or key that was found."""
        for end in range(len(path), 0, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return None

    def _resolve(self, parts: list[str]) -> RawPath:
        # [special_hours.friday] after a second [[special_hours]] is ("special_hours", 1, "friday")
        out: list[str | int] = []
        for i, part in enumerate(parts):
            out.append(part)
            index = self._last_index.get(tuple(parts[: i + 1]))
            if index is not None and i < len(parts) - 1:
                out.append(index)
        return tuple(out)

    def _scan(self, text: str) -> None:
        current: RawPath = ()
        open_string: str | None = None
        depth = 0
        for lineno, line in enumerate(text.splitlines(), 1):
            if open_string is not None or depth:
                open_string, depth = _advance(line, open_string, depth)
                continue
            if m := _AOT_HEADER_RE.fullmatch(line):
                parts = _split_dotted(m[1])
                parent = self._resolve(parts)
                index = self._counts.get(parent, -1) + 1
                self._counts[parent] = index
                self._last_index[tuple(parts)] = index
                current = (*parent, index)
                self._lines.setdefault(parent, lineno)  # "policy" for a mistaken [[policy]]
                self._lines.setdefault(current, lineno)
            elif m := _TABLE_HEADER_RE.fullmatch(line):
                current = self._resolve(_split_dotted(m[1]))
                self._lines.setdefault(current, lineno)
            elif m := _KEY_LINE_RE.fullmatch(line):
                self._lines.setdefault((*current, *_split_dotted(m[1])), lineno)
                open_string, depth = _advance(m[2], None, 0)
