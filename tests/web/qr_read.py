"""Read back a QR code drawn as SVG: an independent decoder for the booking page's QR (tests only).

Written from the QR specification (ISO/IEC 18004), not from the `qrcode` package that draws it,
so that a test can say what a scanner would read. Small on purpose: versions 1 and 2 (one block
of codewords: data first, in order), numeric-free alphanumeric and byte segments, no error
correction (a drawn symbol has no errors). Enough for a booking code's QR.
"""

from __future__ import annotations

import re

__all__ = ["modules_of_svg", "read_qr"]

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
# Format information: 15 bits, masked with 101010000010010; a symbol's is one of these 32.
_FORMAT_MASK = 0b101010000010010
_FORMAT_GEN = 0b10100110111


def _format_codes() -> dict[int, tuple[int, int]]:
    out = {}
    for ec in range(4):
        for mask in range(8):
            data = (ec << 3) | mask
            rem = data << 10
            for i in range(14, 9, -1):
                if rem & (1 << i):
                    rem ^= _FORMAT_GEN << (i - 10)
            out[((data << 10) | rem) ^ _FORMAT_MASK] = (ec, mask)
    return out


_FORMATS = _format_codes()
_MASKS = {
    0: lambda i, j: (i + j) % 2 == 0,
    1: lambda i, j: i % 2 == 0,
    2: lambda i, j: j % 3 == 0,
    3: lambda i, j: (i + j) % 3 == 0,
    4: lambda i, j: (i // 2 + j // 3) % 2 == 0,
    5: lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    6: lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    7: lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
}


def modules_of_svg(svg: str, border: int = 4) -> list[list[bool]]:
    """The dark modules of an SVG drawn as unit squares ("M4,4H5V5H4z"), quiet zone removed."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1)) - 2 * border
    grid = [[False] * size for _ in range(size)]
    for x, y in re.findall(r"M(\d+),(\d+)H", svg):
        grid[int(y) - border][int(x) - border] = True
    return grid


def _function_module(n: int, version: int, i: int, j: int) -> bool:
    if (i < 9 and j < 9) or (i < 9 and j >= n - 8) or (i >= n - 8 and j < 9):
        return True  # finders, separators, format information
    if i == 6 or j == 6:
        return True  # timing
    # The one alignment pattern of version 2.
    return version == 2 and 16 <= i <= 20 and 16 <= j <= 20


def read_qr(grid: list[list[bool]]) -> str:
    """The text a scanner reads from a version 1 or 2 symbol."""
    n = len(grid)
    version = (n - 17) // 4
    if version not in (1, 2):
        raise ValueError(f"only versions 1 and 2 are read here, not {version}")
    # Format bits 14..0 beside the top-left finder: row 8 left to right, then column 8 upwards.
    cells = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    word = 0
    for r, c in cells:
        word = (word << 1) | grid[r][c]
    if word not in _FORMATS:
        raise ValueError("no valid format information")
    _, mask = _FORMATS[word]
    masked = _MASKS[mask]
    bits: list[int] = []
    upward = True
    col = n - 1
    while col > 0:
        if col == 6:
            col -= 1  # the vertical timing column is skipped
        rows = range(n - 1, -1, -1) if upward else range(n)
        for i in rows:
            for j in (col, col - 1):
                if not _function_module(n, version, i, j):
                    bits.append(int(grid[i][j]) ^ int(masked(i, j)))
        upward = not upward
        col -= 2
    pos = 0

    def take(k: int) -> int:
        nonlocal pos
        value = int("".join(map(str, bits[pos : pos + k])), 2)
        pos += k
        return value

    text = ""
    while pos + 4 <= len(bits):
        mode = take(4)
        if mode == 0:
            break
        if mode == 0b0010:  # alphanumeric
            count = take(9)
            for _ in range(count // 2):
                pair = take(11)
                text += _ALNUM[pair // 45] + _ALNUM[pair % 45]
            if count % 2:
                text += _ALNUM[take(6)]
        elif mode == 0b0100:  # byte
            count = take(8)
            text += bytes(take(8) for _ in range(count)).decode("utf-8")
        else:
            raise ValueError(f"segment mode {mode:04b} is not read here")
    return text
