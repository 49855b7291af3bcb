"""The SKM figures (server/core/skm.py) against worked examples computed by hand here, the
regulation's grade table (PermenPANRB 14/2017; DOMAIN §6) and Krejcie–Morgan's published table.
"""

from __future__ import annotations

from datetime import date

import pytest

from server.core.skm import (
    AGE_BANDS,
    EDUCATIONS,
    ELEMENTS,
    OCCUPATIONS,
    SEXES,
    Tally,
    format_ikm,
    grade,
    ikm_of,
    nrr_grade,
    period_of,
    previous_period,
    sample_size,
    survey_problem,
    wait_band,
    wait_band_labels,
)

# Ten respondents, U1..U9, answered by hand (row sums on the right, checked by hand: 293).
TEN = [
    (4, 4, 4, 4, 4, 4, 4, 4, 4),  # 36
    (3, 3, 3, 4, 3, 3, 3, 3, 3),  # 28
    (3, 4, 3, 4, 3, 3, 4, 3, 3),  # 30
    (2, 3, 2, 4, 3, 3, 3, 2, 3),  # 25
    (4, 3, 3, 4, 4, 4, 4, 3, 3),  # 32
    (3, 3, 2, 4, 3, 3, 3, 3, 2),  # 26
    (3, 3, 3, 4, 3, 4, 4, 3, 3),  # 30
    (4, 4, 3, 4, 4, 3, 4, 4, 3),  # 33
    (3, 2, 2, 4, 3, 3, 3, 2, 3),  # 25
    (3, 3, 3, 4, 3, 3, 3, 3, 3),  # 28
]
# Column sums by hand: 32 32 28 40 33 33 35 30 30; NRR = sum / 10.
TEN_NRR = (3.2, 3.2, 2.8, 4.0, 3.3, 3.3, 3.5, 3.0, 3.0)
# IKM = (29.3 / 9) × 25 = 81.3888…, "81,39", B (Baik).
TEN_IKM = 29.3 / 9 * 25


def tally_of(answers: list[tuple[int, ...]]) -> Tally:
    t = Tally()
    for scores in answers:
        t.add(scores)
    return t


def test_the_questionnaire_is_the_regulations_nine_elements_in_its_order() -> None:
    assert [e.code for e in ELEMENTS] == [f"U{i}" for i in range(1, 10)]
    assert [e.name for e in ELEMENTS] == [
        "Persyaratan",
        "Sistem, mekanisme, dan prosedur",
        "Waktu penyelesaian",
        "Biaya/tarif",
        "Produk spesifikasi jenis pelayanan",
        "Kompetensi pelaksana",
        "Perilaku pelaksana",
        "Penanganan pengaduan, saran, dan masukan",
        "Sarana dan prasarana",
    ]
    # Worded answers, worst first (index 0 scores 1), in both languages.
    assert ELEMENTS[0].answers == ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")
    assert ELEMENTS[3].answers == ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")
    assert ELEMENTS[7].answers[0] == "Tidak ada"
    assert ELEMENTS[7].answers[3] == "Dikelola dengan baik"
    assert ELEMENTS[8].answers == ("Buruk", "Cukup", "Baik", "Sangat baik")
    for e in ELEMENTS:
        assert len(e.answers) == len(e.answers_en) == 4
        assert e.question.endswith("?") and e.question_en.endswith("?")


def test_the_profile_options_are_the_model_forms() -> None:
    assert [c for c, _, _ in AGE_BANDS] == ["lt20", "20-29", "30-39", "40-49", "50-59", "ge60"]
    assert [c for c, _, _ in SEXES] == ["l", "p"]
    assert [c for c, _, _ in EDUCATIONS] == ["sd", "smp", "sma", "d", "s1", "s2"]
    assert [c for c, _, _ in OCCUPATIONS] == [
        "pns",
        "tni",
        "polri",
        "swasta",
        "wirausaha",
        "pelajar",
        "lainnya",
    ]


def test_ten_respondents_worked_by_hand() -> None:
    t = tally_of(TEN)
    assert t.respondents == 10
    assert t.sums == [32, 32, 28, 40, 33, 33, 35, 30, 30]
    assert t.nrr() == pytest.approx(TEN_NRR)
    assert t.ikm() == pytest.approx(81.388888, abs=1e-5)
    assert ikm_of(TEN_NRR) == pytest.approx(81.388888, abs=1e-5)
    assert format_ikm(t.ikm()) == "81,39"
    assert format_ikm(t.ikm(), "en") == "81.39"
    g = grade(t.ikm())
    assert (g.letter, g.words, g.words_en) == ("B", "Baik", "Good")
    # Per element, by the NRR bands: 4.0 A, 3.5 B (under 3.5324), 2.8 C, 3.0 C (under 3.0644).
    letters = [nrr_grade(n).letter for n in t.nrr()]
    assert letters == ["B", "B", "C", "A", "B", "B", "B", "C", "C"]


def test_weights_are_exactly_one_ninth_not_0_111() -> None:
    """The published example's trap: 0.111 × 9 = 0.999 understates the index. Eleven respondents
    whose scores add to 350 (nine of 32, two of 31): exactly 25 × 350 / 99 = 88.3838…, an A;
    with 0.111 weights 350/11 × 0.111 × 25 = 88.2954…, which would read as a B."""
    answers = [(4, 4, 4, 4, 4, 3, 3, 3, 3)] * 9 + [(4, 4, 4, 4, 3, 3, 3, 3, 3)] * 2
    t = tally_of(answers)
    assert sum(t.sums) == 350 and t.respondents == 11
    assert t.ikm() == pytest.approx(8750 / 99)
    assert ikm_of(t.nrr()) == pytest.approx(8750 / 99)
    assert grade(t.ikm()).letter == "A"
    understated = sum(n * 0.111 for n in t.nrr()) * 25
    assert understated == pytest.approx(88.2954, abs=1e-4)
    assert grade(understated).letter == "B"  # what the trap would have published
    assert t.ikm() != pytest.approx(understated, abs=0.05)


def test_an_empty_tally_has_no_figures() -> None:
    assert Tally().nrr() is None and Tally().ikm() is None


def test_tallies_add_up() -> None:
    a, b = tally_of(TEN[:4]), tally_of(TEN[4:])
    a.merge(b)
    assert a == tally_of(TEN)


@pytest.mark.parametrize(
    ("ikm", "letter", "words"),
    [
        (100.0, "A", "Sangat Baik"),
        (88.31, "A", "Sangat Baik"),
        (88.305, "A", "Sangat Baik"),  # rounded half up to 88.31 first
        (88.30, "B", "Baik"),
        (88.3049, "B", "Baik"),
        (76.61, "B", "Baik"),
        (76.60, "C", "Kurang Baik"),
        (65.00, "C", "Kurang Baik"),
        (64.995, "C", "Kurang Baik"),  # 65.00 after rounding
        (64.99, "D", "Tidak Baik"),
        (25.0, "D", "Tidak Baik"),
    ],
)
def test_grade_boundaries(ikm: float, letter: str, words: str) -> None:
    g = grade(ikm)
    assert (g.letter, g.words) == (letter, words)


@pytest.mark.parametrize("ikm", [24.99, 100.01, 0.0])
def test_no_ikm_lies_outside_25_to_100(ikm: float) -> None:
    with pytest.raises(ValueError):
        grade(ikm)


@pytest.mark.parametrize(
    ("nrr", "letter"),
    [
        (4.0, "A"),
        (3.5324, "A"),
        (3.532, "B"),
        (3.0644, "B"),
        (3.064, "C"),
        (2.60, "C"),
        (2.5996, "D"),
        (1.0, "D"),
    ],
)
def test_nrr_bands_of_the_regulation(nrr: float, letter: str) -> None:
    """DOMAIN §6: A 3.5324–4.00, B 3.0644–3.532, C 2.60–3.064, D 1.00–2.5996."""
    assert nrr_grade(nrr).letter == letter


@pytest.mark.parametrize(
    ("population", "sample"),
    # Krejcie & Morgan (1970), Table 1, as published.
    [
        (10, 10),
        (50, 44),
        (100, 80),
        (200, 132),
        (300, 169),
        (500, 217),
        (1000, 278),
        (2000, 322),
        (5000, 357),
        (10000, 370),
        (1000000, 384),
    ],
)
def test_krejcie_morgan_table(population: int, sample: int) -> None:
    assert sample_size(population) == sample


def test_no_population_needs_no_sample() -> None:
    assert sample_size(0) == 0
    assert sample_size(1) == 1
    with pytest.raises(ValueError):
        sample_size(-1)


@pytest.mark.parametrize(
    ("minutes", "band"),
    [
        (0, "< 15 menit"),
        (14.99, "< 15 menit"),
        (15, "15–60 menit"),
        (60, "15–60 menit"),
        (60.02, "> 60 menit"),
        (240, "> 60 menit"),
    ],
)
def test_wait_bands(minutes: float, band: str) -> None:
    assert wait_band(minutes * 60, (15, 60)) == band


def test_wait_band_labels_follow_the_bands() -> None:
    assert wait_band_labels((15, 60)) == ("< 15 menit", "15–60 menit", "> 60 menit")
    assert wait_band_labels((10, 30, 90), "en") == (
        "< 10 min",
        "10–30 min",
        "30–90 min",
        "> 90 min",
    )
    assert wait_band(30 * 60, (10, 30, 90)) == "10–30 menit"
    assert wait_band(31 * 60, (10, 30, 90)) == "30–90 menit"


@pytest.mark.parametrize(
    ("day", "kind", "expected"),
    [
        (date(2026, 12, 3), "quarter", (date(2026, 10, 1), date(2026, 12, 31), "Triwulan IV 2026")),
        (date(2026, 2, 28), "quarter", (date(2026, 1, 1), date(2026, 3, 31), "Triwulan I 2026")),
        (date(2026, 7, 1), "semester", (date(2026, 7, 1), date(2026, 12, 31), "Semester II 2026")),
        (date(2026, 6, 30), "semester", (date(2026, 1, 1), date(2026, 6, 30), "Semester I 2026")),
        (date(2028, 2, 10), "month", (date(2028, 2, 1), date(2028, 2, 29), "Februari 2028")),
        (date(2026, 5, 5), "year", (date(2026, 1, 1), date(2026, 12, 31), "Tahun 2026")),
    ],
)
def test_periods(day: date, kind: str, expected: tuple[date, date, str]) -> None:
    assert period_of(day, kind) == expected


def test_previous_periods_cross_the_year() -> None:
    assert previous_period(date(2027, 1, 15), "quarter") == (
        date(2026, 10, 1),
        date(2026, 12, 31),
        "Triwulan IV 2026",
    )
    assert previous_period(date(2027, 3, 1), "month")[2] == "Februari 2027"
    assert previous_period(date(2027, 3, 1), "quarter", "en")[2] == "Quarter IV 2026"
    with pytest.raises(ValueError):
        period_of(date(2027, 3, 1), "week")


FULL = (4,) * 9


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"scores": (4,) * 8}, "Jawablah kesembilan unsur pelayanan (U1–U9)."),
        ({"scores": "444444444"}, "Jawablah kesembilan unsur pelayanan (U1–U9)."),
        (
            {"scores": (4, 4, 0, 4, 4, 4, 4, 4, 4)},
            "Pilih salah satu dari empat jawaban untuk unsur U3 (Waktu penyelesaian).",
        ),
        (
            {"scores": (True, 4, 4, 4, 4, 4, 4, 4, 4)},
            "Pilih salah satu dari empat jawaban untuk unsur U1 (Persyaratan).",
        ),
        ({"scores": FULL, "age": "70"}, "Kelompok umur yang dipilih tidak dikenal."),
        ({"scores": FULL, "sex": "x"}, "Jenis kelamin yang dipilih tidak dikenal."),
        ({"scores": FULL, "education": "s3"}, "Pendidikan yang dipilih tidak dikenal."),
        ({"scores": FULL, "occupation": "x"}, "Pekerjaan yang dipilih tidak dikenal."),
        ({"scores": FULL, "suggestion": "a" * 501}, "Saran paling banyak 500 karakter."),
    ],
)
def test_what_is_wrong_with_an_answer(kwargs: dict, problem: str) -> None:
    assert survey_problem(**kwargs) == problem


def test_a_full_answer_is_valid() -> None:
    assert survey_problem(FULL) is None
    assert survey_problem([1, 2, 3, 4, 1, 2, 3, 4, 1], "ge60", "p", "s2", "pns", "a" * 500) is None
