"""A booking code as a citizen scans or types it at the kiosk: read it, or say what is wrong.

A code is 8 characters from an alphabet without the look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B):
shown "K7QM-4TXA", typed with or without the dash, in any case. The QR code on the citizen's
booking page holds "ANTRE:" and the code (`server.protocol.QR_PREFIX`, docs/protocol.md "Booking
codes"), so a USB barcode scanner types that, then Enter; a code typed by hand has no prefix.
The kiosk refuses a malformed code at once, without asking the server: a scanner misread or a
typo gets an answer in a blink, and the server is spared codes that cannot exist. The server
checks every code again; this module only saves a round trip.

Pure: no I/O. The alphabet, length and QR prefix are the server's, as `server.protocol`
publishes them; this module adds what the kiosk says about a code that is not one (the words
are kiosk/texts.py's), which the server's `normalize_code` does not.
"""

from __future__ import annotations

from typing import Final

from server.protocol import CODE_ALPHABET, CODE_LENGTH, QR_PREFIX

__all__ = ["ALPHABET", "CODE_LENGTH", "BadCode", "read_code", "show_code"]

ALPHABET: Final = CODE_ALPHABET
# What a citizen or a scanner may put between the characters: the dash of the shown form, and
# spaces (someone copying "K7QM 4TXA" from a printout).
_SEPARATORS: Final = "- \t"


class BadCode(ValueError):
    """Not a booking code. `problem` names what is wrong (a key of kiosk/texts.py's `code_*`
    texts); `typed` is what was read, trimmed; `strangers` the characters no code has, each
    once, in the order read."""

    def __init__(self, problem: str, typed: str, length: int, strangers: str = "") -> None:
        super().__init__(f"{problem}: {typed!r}")
        self.problem = problem  # "empty", "length" or "characters"
        self.typed = typed
        self.length = length  # characters read, separators not counted
        self.strangers = strangers


def read_code(typed: str) -> str:
    """The code in `typed` ("k7qm-4txa", " K7QM4TXA ") as the server knows it ("K7QM4TXA").

    Raises BadCode when it cannot be a code; characters no code has are named before a wrong
    length, since they tell the citizen what to look at ("O" is not a letter of any code).
    """
    shown = typed.strip()
    bare = "".join(ch for ch in shown.upper() if ch not in _SEPARATORS)
    if bare.startswith(QR_PREFIX):  # scanned from the booking page's QR
        bare = bare[len(QR_PREFIX) :]
    if not bare:
        raise BadCode("empty", shown, 0)
    strangers = "".join(dict.fromkeys(ch for ch in bare if ch not in ALPHABET))
    if strangers:
        raise BadCode("characters", shown, len(bare), strangers)
    if len(bare) != CODE_LENGTH:
        raise BadCode("length", shown, len(bare))
    return bare


def show_code(code: str) -> str:
    """A code as citizens read it: two groups of four, "K7QM-4TXA"."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}" if len(code) == CODE_LENGTH else code
