"""The booking code: what a citizen types at the kiosk, reads to an officer, or shows as a QR.

Theory of operation: a code is `CODE_LENGTH` characters from `CODE_ALPHABET`, drawn at random
by the edge (`new_code(secrets.randbelow)`), shown in two groups of four, `K7QM-4TXA`. The
alphabet leaves out every character a person confuses with another when reading it off a phone
or a printout and typing it on a kiosk: no 0, O, 1, I, L, B, 8, S, 5, 2 or Z. Nothing is
mapped: a typed 0 is not read as an O, since a code that is "nearly" someone's code must stay
nobody's. 24 characters to the power 8 is about 1.1 × 10^11 codes, so a guessed code is never
someone's booking (and the edge's rate limits stop anyone trying many).

The QR on the citizen's page carries `QR_PREFIX` and the code, `ANTRE:K7QM4TXA`: a phone's camera
shows what it is, and a kiosk's USB scanner types it like a keyboard followed by Enter, which
`normalize_code` reads as it reads the code typed by hand (docs/protocol.md, "Booking codes").

Pure: standard library only, no I/O; the randomness is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "QR_PREFIX",
    "format_code",
    "new_code",
    "normalize_code",
    "qr_content",
]

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY3467"
CODE_LENGTH = 8
QR_PREFIX = "ANTRE:"

# What may stand between the characters when a person types or copies a code: spaces and the
# dashes a phone's keyboard may turn a hyphen into.
_SEPARATORS = re.compile(r"[\s\-‐–—]+")
_CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


def new_code(randbelow: Callable[[int], int]) -> str:
    """A fresh code; the edge passes `secrets.randbelow` (a test passes a fixed sequence)."""
    return "".join(CODE_ALPHABET[randbelow(len(CODE_ALPHABET))] for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str | None:
    """The code in `typed` as stored ("K7QM4TXA"), or None when it is not a well-formed code.

    Any case; spaces and dashes anywhere are ignored; the QR's `ANTRE:` prefix is accepted.
    A character outside the alphabet (0, O, 1, I, L, B, 8, S, 5, 2, Z …) makes it no code.
    """
    text = _SEPARATORS.sub("", typed).upper()
    if text.startswith(QR_PREFIX):
        text = text[len(QR_PREFIX) :]
    return text if _CODE.fullmatch(text) else None


def format_code(code: str) -> str:
    """A stored code as people read it: "K7QM4TXA" → "K7QM-4TXA"."""
    if not _CODE.fullmatch(code):
        raise ValueError("format_code takes a code as normalize_code returns it")
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def qr_content(code: str) -> str:
    """What the booking's QR carries: "ANTRE:K7QM4TXA" (the scanner types it, then Enter)."""
    if not _CODE.fullmatch(code):
        raise ValueError("qr_content takes a code as normalize_code returns it")
    return f"{QR_PREFIX}{code}"
