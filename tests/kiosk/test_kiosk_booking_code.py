"""Reading a booking code as scanned or typed (kiosk/booking_code.py, pure): a hand-written table
from the booking design (8 characters of ACDEFGHJKMNPQRTUVWXY3467, shown K7QM-4TXA, with or
without the dash, any case)."""

from __future__ import annotations

import pytest

from kiosk.booking_code import BadCode, read_code, show_code
from kiosk.texts import Lang, refusal_text


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("K7QM4TXA", "K7QM4TXA"),
        ("K7QM-4TXA", "K7QM4TXA"),
        ("k7qm-4txa", "K7QM4TXA"),
        ("  K7qm-4Txa \t", "K7QM4TXA"),
        ("K7QM 4TXA", "K7QM4TXA"),
        ("ACDE-FGHJ", "ACDEFGHJ"),
        ("3467-YXWV", "3467YXWV"),
        # What the booking page's QR carries (docs/protocol.md, "Booking codes"), as scanned.
        ("ANTRE:K7QM4TXA", "K7QM4TXA"),
        ("antre:k7qm4txa", "K7QM4TXA"),
    ],
)
def test_a_code_is_read_in_any_of_its_forms(typed: str, code: str) -> None:
    assert read_code(typed) == code


@pytest.mark.parametrize(
    ("typed", "problem", "length", "strangers"),
    [
        ("", "empty", 0, ""),
        ("  -  ", "empty", 0, ""),
        ("K7QM-4TX", "length", 7, ""),
        ("K7QM-4TXAA", "length", 9, ""),
        ("K7QM4TXAK7QM4TXA", "length", 16, ""),
        # Each look-alike the alphabet leaves out: 0/O, 1/I/L, 2/Z, 5/S, 8/B.
        ("K0QM-4TXA", "characters", 8, "0"),
        ("KOQM-4TXA", "characters", 8, "O"),
        ("K1IL-4TXA", "characters", 8, "1IL"),
        ("K2ZM-4TXA", "characters", 8, "2Z"),
        ("K5SM-4TXA", "characters", 8, "5S"),
        ("K8BM-4TXA", "characters", 8, "8B"),
        ("k9qm/4txa", "characters", 9, "9/"),
        # A stranger is named before a wrong length: it tells the citizen what to look at.
        ("KOO", "characters", 3, "O"),
    ],
)
def test_a_malformed_code_is_refused_saying_why(
    typed: str, problem: str, length: int, strangers: str
) -> None:
    with pytest.raises(BadCode) as refused:
        read_code(typed)
    assert (refused.value.problem, refused.value.length) == (problem, length)
    assert refused.value.strangers == strangers
    assert refused.value.typed == typed.strip()


def test_a_code_is_shown_in_two_groups_of_four() -> None:
    assert show_code("K7QM4TXA") == "K7QM-4TXA"


def test_the_servers_words_for_a_refused_check_in_come_first() -> None:
    """The kiosk shows the server's Indonesian message whenever it has one; its English by the
    code and details; its own Indonesian words only for a refusal without a message."""
    message = "Silakan kembali pukul 08.30 WIB untuk lapor kedatangan."
    assert refusal_text("booking_too_early", message) == message
    assert (
        refusal_text("booking_too_early", message, Lang.EN)
        == "Too early to check in. Please come back at 08.30 WIB."
    )
    details = {"number": "A-017"}
    assert (
        refusal_text("booking_checked_in", "", Lang.ID, details)
        == "Pesanan ini sudah lapor kedatangan dengan nomor A-017."
    )
    assert (
        refusal_text("booking_checked_in", "x", Lang.EN, details)
        == "This booking was already checked in: number A-017."
    )
    assert (
        refusal_text("booking_other_day", "", Lang.ID, {"day": "Senin, 7 Desember 2026"})
        == "Pesanan ini untuk hari lain: Senin, 7 Desember 2026."
    )
