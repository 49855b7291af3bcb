"""The booking code as a citizen types it, a scanner types its QR, and people read it.

Expectations are written by hand from the spec (the alphabet ACDEFGHJKMNPQRTUVWXY3467, eight
characters, shown K7QM-4TXA, the QR carrying ANTRE:K7QM4TXA; docs/protocol.md).
"""

from __future__ import annotations

import pytest

import server.protocol as protocol
from server.core.booking_code import (
    CODE_ALPHABET,
    CODE_LENGTH,
    format_code,
    new_code,
    normalize_code,
    qr_content,
)


def test_the_alphabet_has_no_character_people_confuse() -> None:
    assert len(CODE_ALPHABET) == 24 and CODE_LENGTH == 8
    for confusable in "0O1IL8B5S2Z":
        assert confusable not in CODE_ALPHABET


def test_a_new_code_takes_one_draw_per_character() -> None:
    """Draws 0, 23, 1, 22, 10, 12, 19, 9 pick A, 7, C, 6, N, Q, Y, M: the alphabet indexed by
    each draw, in order, one draw below 24 per character."""
    draws = iter([0, 23, 1, 22, 10, 12, 19, 9])
    seen: list[int] = []

    def randbelow(n: int) -> int:
        seen.append(n)
        return next(draws)

    assert new_code(randbelow) == "A7C6NQYM"
    assert seen == [24] * 8


# (as typed or scanned, the code it is)
READ: list[tuple[str, str]] = [
    ("K7QM4TXA", "K7QM4TXA"),
    ("K7QM-4TXA", "K7QM4TXA"),
    ("k7qm-4txa", "K7QM4TXA"),
    ("  k7qm 4txa ", "K7QM4TXA"),
    ("K7QM–4TXA", "K7QM4TXA"),  # a phone turned the hyphen into an en dash
    ("K 7 Q M 4 T X A", "K7QM4TXA"),
    ("ANTRE:K7QM4TXA", "K7QM4TXA"),  # the QR, as a scanner types it
    ("ANTRE:K7QM4TXA\r\n", "K7QM4TXA"),  # … with the scanner's line end
    ("antre:k7qm-4txa", "K7QM4TXA"),
    ("ACDEFGHJ", "ACDEFGHJ"),
    ("3467Y3X4", "3467Y3X4"),
]

# (as typed, why it is no code)
NOT_A_CODE: list[tuple[str, str]] = [
    ("", "nothing typed"),
    ("K7QM4TX", "seven characters"),
    ("K7QM4TXAA", "nine characters"),
    ("K7QM0TXA", "a zero: not read as an O"),
    ("K7QMOTXA", "an O"),
    ("K7QM1TXA", "a one"),
    ("K7QMITXA", "an I"),
    ("K7QMLTXA", "an L"),
    ("K7QM8TXA", "an eight"),
    ("K7QMBTXA", "a B"),
    ("K7QM5TXA", "a five"),
    ("K7QMSTXA", "an S"),
    ("K7QM2TXA", "a two"),
    ("K7QMZTXA", "a Z"),
    ("K7QM_4TXA", "an underscore"),
    ("K7QM.4TXA", "a dot"),
    ("ANTRE:", "the prefix alone"),
    ("ANTRE:K7QM", "the prefix and half a code"),
    ("XANTRE:K7QM4TXA", "another prefix"),
    ("https://mpp.example/t/abc", "the phone page's QR, a link"),
    ("K7QM4TXAK7QM4TXA", "two codes"),
    ("Ｋ７ＱＭ４ＴＸＡ", "full-width characters"),
]


@pytest.mark.parametrize(("typed", "code"), READ)
def test_a_typed_or_scanned_code_is_read(typed: str, code: str) -> None:
    assert normalize_code(typed) == code


@pytest.mark.parametrize(("typed", "why"), NOT_A_CODE, ids=[n[1] for n in NOT_A_CODE])
def test_what_is_not_a_code_is_refused(typed: str, why: str) -> None:
    assert normalize_code(typed) is None, why


def test_a_code_is_shown_in_two_fours_and_its_qr_carries_the_prefix() -> None:
    assert format_code("K7QM4TXA") == "K7QM-4TXA"
    assert format_code("ACDEFGHJ") == "ACDE-FGHJ"
    assert qr_content("K7QM4TXA") == "ANTRE:K7QM4TXA"


@pytest.mark.parametrize("bad", ["K7QM-4TXA", "k7qm4txa", "K7QM0TXA", "K7QM4TX", ""])
def test_format_takes_a_normalized_code_only(bad: str) -> None:
    with pytest.raises(ValueError):
        format_code(bad)
    with pytest.raises(ValueError):
        qr_content(bad)


def test_the_kiosk_reads_codes_through_the_protocol() -> None:
    """A client may import only server.protocol: the code's reading is published there."""
    assert protocol.normalize_code("ANTRE:k7qm-4txa") == "K7QM4TXA"
    assert protocol.format_code("K7QM4TXA") == "K7QM-4TXA"
    assert protocol.CODE_ALPHABET == "ACDEFGHJKMNPQRTUVWXY3467"
    assert protocol.CODE_LENGTH == 8 and protocol.QR_PREFIX == "ANTRE:"
    for name in ("normalize_code", "format_code", "CODE_ALPHABET", "CODE_LENGTH", "QR_PREFIX"):
        assert name in protocol.__all__
