"""The booking pages' words: Indonesian and English say the same things with the same blanks."""

from __future__ import annotations

import re
import string
from datetime import date

from server.web.booking.texts import (
    EN,
    ID,
    NIK_EN,
    REFUSALS_EN,
    Lang,
    date_words,
    problem_words,
    refusal_words,
)


def _blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys_and_blanks() -> None:
    """Every key in both tables, with the same {placeholders}: a switch of language never
    loses a fact (a count, a time, a code)."""
    assert set(ID) == set(EN)
    for key in ID:
        assert _blanks(ID[key]) == _blanks(EN[key]), key


def test_indonesian_uses_kbbi_spelling() -> None:
    """antrean not antrian, silakan not silahkan, nomor not nomer, Jumat not Jum'at."""
    words = " ".join(ID.values()).lower()
    for wrong in ("antrian", "silahkan", "nomer", "jum'at", "handphone"):
        assert wrong not in words, wrong
    assert "antrean" in words


def test_dates_read_in_each_language() -> None:
    """Worked by hand: 7 December 2026 is a Monday."""
    assert date_words(date(2026, 12, 7), Lang.ID) == "Senin, 7 Desember 2026"
    assert date_words(date(2026, 12, 7), Lang.EN) == "Monday, 7 December 2026"
    assert date_words(date(2027, 8, 1), Lang.EN) == "Sunday, 1 August 2027"


def test_a_refusal_reads_in_english_or_in_the_cores_own_words() -> None:
    """Known codes in English; any other, and every one in Indonesian, as the core wrote it."""
    message = "Jadwal Senin, 7 Desember 2026 pukul 09.00 WIB sudah penuh"
    assert refusal_words("slot_full", message, Lang.ID) == message
    assert refusal_words("slot_full", message, Lang.EN) == REFUSALS_EN["slot_full"]
    assert refusal_words("something_new", "Kata inti", Lang.EN) == "Kata inti"
    assert all(re.fullmatch(r"[A-Z][^{}]*\.", text) for text in REFUSALS_EN.values())


def test_lang_is_english_only_when_asked() -> None:
    assert Lang.of("en") is Lang.EN
    assert Lang.of(None) is Lang.ID and Lang.of("EN") is Lang.ID and Lang.of("fr") is Lang.ID


def test_every_nik_sentence_has_its_english() -> None:
    """Each sentence the NIK check can say (one per part of a NIK, worked by hand) reads in
    English on the English form; a new sentence of the check without one fails here."""
    from server.core.nik import nik_problem

    samples = [
        "",
        "12345",
        "9973014101800002",
        "3200014101800002",
        "3273004101800002",
        "3273013202800002",
        "3273014101800000",
    ]
    sentences = [nik_problem(nik) for nik in samples]
    assert None not in sentences and len(set(sentences)) == len(samples)
    assert set(sentences) == set(NIK_EN)
    assert problem_words("Tanggal lahir pada NIK tidak valid.", Lang.EN) == (
        "The NIK's date of birth is not valid."
    )
    too_long = problem_words("name_too_long", Lang.ID, max=80)
    assert too_long == "Nama terlalu panjang (paling banyak 80 huruf)."
