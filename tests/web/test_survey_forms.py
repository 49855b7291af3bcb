"""The survey's and complaints' forms read at the edge (server/web/survey/forms.py), and the
words of their pages (texts.py): pure, no server. Expectations are written out by hand."""

from __future__ import annotations

import re

import pytest

from server.web.survey import texts
from server.web.survey.forms import (
    ComplaintForm,
    Entry,
    SurveyAnswer,
    read_complaint,
    read_entry,
    read_survey,
)
from server.web.survey.texts import Lang, count_words, decimal_words

ALL_FOUR = {f"u{i}": "4" for i in range(1, 10)}


def test_a_whole_answer_is_read_in_the_regulations_order() -> None:
    """u1..u9 are the scores of U1..U9; the profile's codes and the suggestion come along."""
    form = {f"u{i}": str(score) for i, score in enumerate((4, 3, 2, 1, 4, 3, 2, 1, 4), start=1)}
    form |= {"usia": "30-39", "jk": "p", "pendidikan": "s1", "pekerjaan": "wirausaha"}
    form |= {"saran": "  Antrean lebih cepat.\r\nTerima kasih.  ", "csrf": "x", "lang": "id"}
    answer, problems = read_survey(form)
    assert problems == {}
    assert answer == SurveyAnswer(
        (4, 3, 2, 1, 4, 3, 2, 1, 4),
        "30-39",
        "p",
        "s1",
        "wirausaha",
        "Antrean lebih cepat.\nTerima kasih.",
    )


def test_the_profile_and_the_suggestion_may_be_left_out() -> None:
    """Empty profile fields ("Tidak diisi") and an empty suggestion are None."""
    form = ALL_FOUR | {"usia": "", "jk": "", "saran": "   "}
    assert read_survey(form) == (SurveyAnswer((4,) * 9), {})


def test_each_wrong_field_is_named() -> None:
    """A question left out, a score that is no answer, an unknown profile code, a suggestion
    one letter too long: each named by its field, nothing read."""
    form = ALL_FOUR | {"u3": "", "u5": "5", "jk": "x", "saran": "a" * 501}
    del form["u7"]
    answer, problems = read_survey(form)
    assert answer is None
    assert problems == {
        "u3": "answer_missing",
        "u5": "choice_bad",
        "u7": "answer_missing",
        "jk": "choice_bad",
        "saran": "suggestion_too_long",
    }
    assert read_survey(ALL_FOUR | {"saran": "a" * 500})[1] == {}


def test_markup_in_a_suggestion_is_kept_as_typed() -> None:
    """Nothing is refused for looking like markup: the pages escape it."""
    typed = '<script>alert("x")</script> & <b>'
    answer, _ = read_survey(ALL_FOUR | {"saran": typed})
    assert answer is not None and answer.suggestion == typed


def test_control_characters_are_dropped_but_lines_kept() -> None:
    answer, _ = read_survey(ALL_FOUR | {"saran": "a\x00b\x1bc\r\nd\te"})
    assert answer is not None and answer.suggestion == "abc\nd\te"


def test_a_complaint_is_read_with_or_without_a_contact() -> None:
    """Anonymous when neither name nor phone is given; a phone in any usual writing."""
    anonymous = {"kategori": "waktu", "isi": " Menunggu dua jam. ", "nama": "", "hp": ""}
    assert read_complaint(anonymous) == (
        ComplaintForm("waktu", "Menunggu dua jam.", None, None),
        {},
    )
    named = anonymous | {"nama": " Siti  Rahmawati ", "hp": "+62 812-3456-7890"}
    assert read_complaint(named) == (
        ComplaintForm("waktu", "Menunggu dua jam.", "Siti Rahmawati", "081234567890"),
        {},
    )


def test_a_complaints_problems_are_named() -> None:
    assert read_complaint({"isi": "x"})[1] == {"kategori": "category_missing"}
    assert read_complaint({"kategori": "cuaca", "isi": "x"})[1] == {"kategori": "choice_bad"}
    assert read_complaint({"kategori": "biaya", "isi": "  "})[1] == {"isi": "text_missing"}
    assert read_complaint({"kategori": "biaya", "isi": "a" * 2001})[1] == {"isi": "text_too_long"}
    assert read_complaint({"kategori": "biaya", "isi": "a" * 2000})[1] == {}
    bad = {"kategori": "biaya", "isi": "x", "hp": "12345", "nama": "1234"}
    assert read_complaint(bad)[1] == {"hp": "phone_bad", "nama": "name_bad"}


@pytest.mark.parametrize(
    ("typed", "entry"),
    [
        ("A-017", Entry(number="A-017")),
        ("a17", Entry(number="A-017")),
        (" A 017 ", Entry(number="A-017")),
        ("b-5", Entry(number="B-005")),
        ("KT-0042", Entry(number="KT-042")),
        ("A-1017", Entry(number="A-1017")),
        ("A-0", None),
        ("17", None),
        ("", None),
        ("<script>", None),
        ("http://192.168.1.10:8700/t/AbCdEfGh_123-xyZ", Entry(token="AbCdEfGh_123-xyZ")),
        ("https://mpp.example.go.id/t/AbCdEfGh12345678?x=1", Entry(token="AbCdEfGh12345678")),
        ("/t/AbCdEfGh12345678/", Entry(token="AbCdEfGh12345678")),
        ("http://x/t/short", None),
        ("http://x/t/AbCdEfGh12345678/survei", None),
    ],
)
def test_the_exit_kiosk_reads_a_typed_number_or_a_scanned_ticket(
    typed: str, entry: Entry | None
) -> None:
    """A number as on the ticket (case, dash, zeros as typed) or the QR's URL: its token."""
    assert read_entry(typed) == entry


def test_both_languages_have_the_same_words_and_blanks() -> None:
    """Every key in both tables, each with the same {placeholders}."""
    assert texts.ID.keys() == texts.EN.keys()
    for key in texts.ID:
        blanks = set(re.findall(r"\{(\w+)\}", texts.ID[key]))
        assert blanks == set(re.findall(r"\{(\w+)\}", texts.EN[key])), key


def test_the_indonesian_is_kbbi() -> None:
    """antrean, not antrian; silakan, not silahkan."""
    words = " ".join(texts.ID.values()).lower()
    assert "antrean" in words
    for wrong in ("antrian", "silahkan", "nomer", "resiko"):
        assert wrong not in words


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        (86.52, Lang.ID, "86,52"),
        (86.52, Lang.EN, "86.52"),
        (88.305, Lang.ID, "88,31"),  # half up, as it is graded (an A)
        (100.0, Lang.ID, "100,00"),
    ],
)
def test_an_ikm_is_written_as_its_reader_writes_numbers(
    value: float, lang: Lang, shown: str
) -> None:
    assert decimal_words(value, lang) == shown


def test_counts_mark_thousands_in_the_readers_way() -> None:
    assert count_words(1234, Lang.ID) == "1.234"
    assert count_words(1234, Lang.EN) == "1,234"
    assert count_words(7, Lang.ID) == "7"
