"""Large block letters for the ticket number on screen ("A-017", five text rows tall).

Textual's `Digits` draws only 0-9 and A-F; line prefixes run from A to Z. This is a plain
5-row block font of the characters a ticket number can hold, as a pure function.
"""

from __future__ import annotations

from typing import Final

__all__ = ["GLYPHS", "big_text"]

_FONT: Final = """
A ▄▀▀▄ █  █ █▀▀█ █  █ █  █
B █▀▀▄ █  █ █▀▀▄ █  █ █▄▄▀
C ▄▀▀▀ █    █    █    ▀▄▄▄
D █▀▀▄ █  █ █  █ █  █ █▄▄▀
E █▀▀▀ █    █▀▀  █    █▄▄▄
F █▀▀▀ █    █▀▀  █    █
G ▄▀▀▀ █    █ ▀█ █  █ ▀▄▄▀
H █  █ █  █ █▀▀█ █  █ █  █
I ▀█▀   █    █    █   ▄█▄
J   ▀█    █    █ █  █ ▀▄▄▀
K █  █ █ ▄▀ ██   █ ▀▄ █  █
L █    █    █    █    █▄▄▄
M █▄▄█ █▀▀█ █  █ █  █ █  █
N █▄ █ █▀▄█ █ ▀█ █  █ █  █
O ▄▀▀▄ █  █ █  █ █  █ ▀▄▄▀
P █▀▀▄ █  █ █▄▄▀ █    █
Q ▄▀▀▄ █  █ █  █ █ ▀▄ ▀▄▄▀▄
R █▀▀▄ █  █ █▄▄▀ █ ▀▄ █  █
S ▄▀▀▀ █    ▀▀▀▄    █ ▄▄▄▀
T ▀▀█▀   █    █    █    █
U █  █ █  █ █  █ █  █ ▀▄▄▀
V █  █ █  █ █  █ ▀▄▄▀  ▀▀
W █  █ █  █ █  █ █▄▄█ █▀▀█
X █  █ ▀▄▄▀  ██  ▄▀▀▄ █  █
Y █  █ ▀▄▄▀   █    █    █
Z ▀▀▀█   ▄▀  ▄▀  ▄▀   █▄▄▄
0 ▄▀▀▄ █ ▄█ █▀ █ █  █ ▀▄▄▀
1  ▄█   ▀█    █    █   ▄█▄
2 ▄▀▀▄    █   ▄▀  ▄▀  █▄▄▄
3 ▀▀▀▄    █  ▀▀▄    █ ▄▄▄▀
4 █  █ █  █ ▀▀▀█    █    █
5 █▀▀▀ █    ▀▀▀▄    █ ▄▄▄▀
6 ▄▀▀▀ █    █▀▀▄ █  █ ▀▄▄▀
7 ▀▀▀█    █   ▄▀   █    █
8 ▄▀▀▄ █  █ ▄▀▀▄ █  █ ▀▄▄▀
9 ▄▀▀▄ █  █ ▀▄▄█    █ ▄▄▄▀
- ~    ~    ▄▄▄▄ ~    ~
"""


def _parse(font: str) -> dict[str, tuple[str, ...]]:
    glyphs: dict[str, tuple[str, ...]] = {}
    for row in font.strip("\n").splitlines():
        char, rows = row[0], row[2:]
        # Five cells of five columns (four drawn, one gap); "~" marks an empty cell.
        cells = [rows[i * 5 : i * 5 + 4].replace("~", " ") for i in range(5)]
        glyphs[char] = tuple(cell.ljust(4)[:4] for cell in cells)
    return glyphs


GLYPHS: Final = _parse(_FONT)


def big_text(text: str) -> str:
    """`text` in 5-row block letters; characters without a glyph are drawn as spaces."""
    blank = ("    ",) * 5
    rows = ["  ".join(GLYPHS.get(ch, blank)[r] for ch in text.upper()) for r in range(5)]
    return "\n".join(row.rstrip() for row in rows)
