"""How the voice says a counter's label and its spoken form.

Sources, each row written out by hand: docs/configuration.md, `[[counters]]` ("How a label is
read aloud" and its table) and `[voice]` (`{desk}` and `{counter}`); the number words of
DOMAIN.md §4 (sebelas, dua belas, seratus …); letters as a ticket's prefix is said (a bare
capital for espeak-ng, its Indonesian name for the browser's voice: tests/web/test_voice.py).
"""

from __future__ import annotations

import pytest

from server.core.voice_text import validate_template
from server.web.voice import call_phrase, desk_words, read_counter_label

# label -> (as espeak-ng is given it, as the browser's voice is given it)
READINGS = [
    (7, "tujuh", "tujuh"),
    ("7", "tujuh", "tujuh"),
    (11, "sebelas", "sebelas"),
    (20, "dua puluh", "dua puluh"),
    (31, "tiga puluh satu", "tiga puluh satu"),
    ("3A", "tiga A", "tiga a"),
    ("12B", "dua belas B", "dua belas be"),
    ("1-01", "satu nol satu", "satu nol satu"),
    ("1.01", "satu nol satu", "satu nol satu"),
    ("1-10", "satu sepuluh", "satu sepuluh"),
    ("2-A", "dua A", "dua a"),
    ("07", "nol tujuh", "nol tujuh"),
    ("101", "seratus satu", "seratus satu"),
    ("A1", "A satu", "a satu"),
    ("BPJS", "B P J S", "be pe je es"),
    ("Q", "Q", "ki"),
]


@pytest.mark.parametrize(
    ("label", "espeak", "browser"), READINGS, ids=[str(r[0]) for r in READINGS]
)
def test_a_label_is_read_as_an_announcer_says_it(
    label: int | str, espeak: str, browser: str
) -> None:
    """Digit groups as numbers (a leading 0 digit by digit), letters one by one, "-" unsaid."""
    assert read_counter_label(label) == espeak
    assert read_counter_label(label, letter_names=True) == browser


@pytest.mark.parametrize("bad", ["", "3a", "3 A", "-3", "3-", "1--2", "1/2", "1-01-A-B-CD", "é"])
def test_a_label_the_voice_cannot_read_is_refused(bad: str) -> None:
    """Only digits and capitals in groups joined by "-" or ".", at most 10 characters."""
    with pytest.raises(ValueError):
        read_counter_label(bad)


def test_the_desk_is_loket_and_its_label_unless_it_has_its_own_spoken_form() -> None:
    """`{desk}`: "loket" and the label read aloud, or the counter's `spoken`, spaces evened."""
    assert desk_words(7) == "loket tujuh"
    assert desk_words("3A") == "loket tiga A"
    assert desk_words("3A", letter_names=True) == "loket tiga a"
    assert desk_words("B1", "gerai   BPJS ") == "gerai BPJS"


# (ticket, counter's number, its spoken, template or None for the default) -> the phrase
PHRASES = [
    ("B-017", 5, None, None, "Nomor antrean B nol satu tujuh, silakan menuju loket lima"),
    ("A-001", "3A", None, None, "Nomor antrean A nol nol satu, silakan menuju loket tiga A"),
    (
        "E-042",
        "1-01",
        None,
        None,
        "Nomor antrean E nol empat dua, silakan menuju loket satu nol satu",
    ),
    ("K-004", "B1", "gerai BPJS", None, "Nomor antrean K nol nol empat, silakan menuju gerai BPJS"),
    # A template written before labels: the word "loket" is its own, {counter} the label.
    (
        "A-007",
        "2-A",
        None,
        "Panggilan {number}, ke loket {counter}",
        "Panggilan A nol nol tujuh, ke loket dua A",
    ),
    (
        "A-007",
        "2-A",
        None,
        "Panggilan {number}, ke {desk}",
        "Panggilan A nol nol tujuh, ke loket dua A",
    ),
]


@pytest.mark.parametrize(("ticket", "label", "spoken", "template", "phrase"), PHRASES)
def test_the_call_names_the_desk_by_its_label_or_spoken_form(
    ticket: str, label: int | str, spoken: str | None, template: str | None, phrase: str
) -> None:
    """The announcement says the label on the desk, or the desk's own spoken form."""
    if template is None:
        assert call_phrase(ticket, label, spoken=spoken) == phrase
    else:
        assert call_phrase(ticket, label, template=template, spoken=spoken) == phrase


def test_the_agency_follows_a_spoken_desk() -> None:
    """`[, {agency}]` after `{desk}` as after "loket {counter}"."""
    assert call_phrase("K-004", "B1", "number", agency="BPJS", spoken="gerai BPJS") == (
        "Nomor antrean K empat, silakan menuju gerai BPJS, BPJS"
    )


def test_a_template_names_the_desk_or_the_counter() -> None:
    """{desk} alone, {counter} alone or both are accepted; neither is refused."""
    for good in ("{number} ke {desk}", "{number} ke loket {counter}", "{number} {desk} {counter}"):
        validate_template(good)
    with pytest.raises(
        ValueError, match=r"must contain \{number\} and \{desk\} \(or \{counter\}\)"
    ):
        validate_template("Nomor antrean {number}, silakan menunggu")
