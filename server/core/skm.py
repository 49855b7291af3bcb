"""The SKM survey (Survei Kepuasan Masyarakat, PermenPANRB 14/2017) and its figures: pure rules.

Theory of operation (DOMAIN §6, docs/survey.md "The rules"): a respondent answers nine service
elements (unsur pelayanan) U1–U9, in the regulation's order, each with one of four worded answers
scored 1..4. Per element the NRR (nilai rata-rata) is the sum of its scores divided by the
respondents; the IKM (Indeks Kepuasan Masyarakat) is the mean of the nine NRRs times 25, each
element weighing exactly 1/9. A published worked example rounds the weight to 0.111, which
makes the weights sum to 0.999 and understates every index by 0.1 %: never here. A `Tally` keeps
the respondents and the nine sums, which is all the figures need, so that tallies of days,
counters and agencies add up (`merge`) into any period's.

The grade compares the IKM rounded to two decimals (half up): 88.305 is 88.31, an A. The
regulation's NRR bands are its IKM bands divided by 25 and are read the same way (`nrr_grade`).
The sample a period needs is Krejcie–Morgan's for the period's population (its finished visits).

Pure: no clock, no I/O; a day is passed in.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from server.core.dates import MONTH_NAMES

__all__ = [
    "AGE_BANDS",
    "EDUCATIONS",
    "ELEMENTS",
    "GRADES",
    "OCCUPATIONS",
    "PERIOD_KINDS",
    "SCORES",
    "SEXES",
    "SUGGESTION_MAX",
    "Element",
    "Grade",
    "Tally",
    "format_ikm",
    "grade",
    "ikm_of",
    "nrr_grade",
    "period_of",
    "previous_period",
    "rounded",
    "sample_size",
    "survey_problem",
    "wait_band",
    "wait_band_labels",
]


@dataclass(frozen=True, slots=True)
class Element:
    """One service element (unsur pelayanan) of the model questionnaire."""

    code: str  # "U1"
    name: str
    name_en: str
    question: str
    question_en: str
    answers: tuple[str, str, str, str]  # index 0 scores 1 … index 3 scores 4
    answers_en: tuple[str, str, str, str]


# The regulation's nine elements, its order (DOMAIN §6), with the model form's questions and
# worded answers (worst first).
ELEMENTS: Final[tuple[Element, ...]] = (
    Element(
        "U1",
        "Persyaratan",
        "Requirements",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis "
        "pelayanannya?",
        "How well do the service's requirements fit the kind of service?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        ("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"),
    ),
    Element(
        "U2",
        "Sistem, mekanisme, dan prosedur",
        "System, mechanism and procedure",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        "How easy is this unit's service procedure?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
        ("Not easy", "Less easy", "Easy", "Very easy"),
    ),
    Element(
        "U3",
        "Waktu penyelesaian",
        "Completion time",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        "How fast was the service delivered?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
        ("Not fast", "Less fast", "Fast", "Very fast"),
    ),
    Element(
        "U4",
        "Biaya/tarif",
        "Cost/tariff",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        "How reasonable is the cost or tariff of the service?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
        ("Very expensive", "Fairly expensive", "Cheap", "Free"),
    ),
    Element(
        "U5",
        "Produk spesifikasi jenis pelayanan",
        "Product specification of the service",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
        "dalam standar pelayanan dengan hasil yang diberikan?",
        "How well does what you received match the product in the service standard?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        ("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"),
    ),
    Element(
        "U6",
        "Kompetensi pelaksana",
        "Staff competence",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        "How competent were the staff who served you?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
        ("Not competent", "Less competent", "Competent", "Very competent"),
    ),
    Element(
        "U7",
        "Perilaku pelaksana",
        "Staff behaviour",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait "
        "kesopanan dan keramahan?",
        "How polite and friendly were the staff?",
        (
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ),
        (
            "Not polite and friendly",
            "Less polite and friendly",
            "Polite and friendly",
            "Very polite and friendly",
        ),
    ),
    Element(
        "U8",
        "Penanganan pengaduan, saran, dan masukan",
        "Handling of complaints, suggestions and feedback",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        "How are the complaints of service users handled?",
        (
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ),
        ("None", "Exists but does not work", "Works, but not fully", "Well managed"),
    ),
    Element(
        "U9",
        "Sarana dan prasarana",
        "Facilities and infrastructure",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        "How good are the facilities and infrastructure?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
        ("Poor", "Fair", "Good", "Very good"),
    ),
)

SCORES: Final = (1, 2, 3, 4)

# The model form's optional respondent profile: (code, label, English label).
AGE_BANDS: Final[tuple[tuple[str, str, str], ...]] = (
    ("lt20", "< 20 tahun", "under 20"),
    ("20-29", "20–29 tahun", "20–29"),
    ("30-39", "30–39 tahun", "30–39"),
    ("40-49", "40–49 tahun", "40–49"),
    ("50-59", "50–59 tahun", "50–59"),
    ("ge60", "60 tahun ke atas", "60 and over"),
)
SEXES: Final[tuple[tuple[str, str, str], ...]] = (
    ("l", "Laki-laki", "Male"),
    ("p", "Perempuan", "Female"),
)
EDUCATIONS: Final[tuple[tuple[str, str, str], ...]] = (
    ("sd", "SD ke bawah", "Primary school or less"),
    ("smp", "SMP/sederajat", "Junior high school"),
    ("sma", "SMA/sederajat", "Senior high school"),
    ("d", "D1–D4", "Diploma (D1–D4)"),
    ("s1", "S1", "Bachelor's degree"),
    ("s2", "S2 ke atas", "Master's degree or higher"),
)
OCCUPATIONS: Final[tuple[tuple[str, str, str], ...]] = (
    ("pns", "PNS", "Civil servant"),
    ("tni", "TNI", "Armed forces"),
    ("polri", "POLRI", "Police"),
    ("swasta", "Pegawai swasta", "Private employee"),
    ("wirausaha", "Wirausaha", "Self-employed"),
    ("pelajar", "Pelajar/Mahasiswa", "Student"),
    ("lainnya", "Lainnya", "Other"),
)

SUGGESTION_MAX: Final = 500  # characters of the free-text suggestion (saran)

_PROFILE: Final = (
    ("Kelompok umur", AGE_BANDS),
    ("Jenis kelamin", SEXES),
    ("Pendidikan", EDUCATIONS),
    ("Pekerjaan", OCCUPATIONS),
)


def survey_problem(
    scores: object,
    age: str | None = None,
    sex: str | None = None,
    education: str | None = None,
    occupation: str | None = None,
    suggestion: str | None = None,
) -> str | None:
    """What is wrong with an answer, as one Indonesian sentence the respondent reads; None when
    it is valid. Nine scores 1..4 are required; the profile and the suggestion are optional."""
    if not isinstance(scores, (tuple, list)) or len(scores) != len(ELEMENTS):
        return f"Jawablah kesembilan unsur pelayanan (U1–U{len(ELEMENTS)})."
    for element, score in zip(ELEMENTS, scores, strict=True):
        # bool is an int in Python; a True is no score.
        if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
            return (
                f"Pilih salah satu dari empat jawaban untuk unsur {element.code} ({element.name})."
            )
    for (label, options), value in zip(_PROFILE, (age, sex, education, occupation), strict=True):
        if value is not None and value not in {code for code, _, _ in options}:
            return f"{label} yang dipilih tidak dikenal."
    if suggestion is not None and len(suggestion) > SUGGESTION_MAX:
        return f"Saran paling banyak {SUGGESTION_MAX} karakter."
    return None


# --------------------------------------------------------------------------------------------
# The figures
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    """The respondents and the nine sums of their scores: all the figures need. Tallies add up."""

    respondents: int = 0
    sums: list[int] = field(default_factory=lambda: [0] * len(ELEMENTS))

    def add(self, scores: tuple[int, ...] | list[int]) -> None:
        if len(scores) != len(ELEMENTS):
            raise ValueError(f"an answer has {len(ELEMENTS)} scores, not {len(scores)}")
        self.respondents += 1
        for i, score in enumerate(scores):
            self.sums[i] += score

    def merge(self, other: Tally) -> None:
        self.respondents += other.respondents
        for i, value in enumerate(other.sums):
            self.sums[i] += value

    def copy(self) -> Tally:
        return Tally(self.respondents, list(self.sums))

    def nrr(self) -> tuple[float, ...] | None:
        """Per element the sum of its scores over the respondents; None without respondents."""
        if not self.respondents:
            return None
        return tuple(s / self.respondents for s in self.sums)

    def ikm(self) -> float | None:
        """The IKM (25..100); None without respondents. Computed from the sums in one division,
        25 × Σsums / (9 × respondents): what `ikm_of(nrr())` means, without the nine float
        roundings of the NRRs (with 40 respondents and sums of 131 that sum gives 81.87499…,
        this 81.875: 81,88). Every figure shown (floor, /ikm, report) is this one."""
        if not self.respondents:
            return None
        return 25 * sum(self.sums) / (len(ELEMENTS) * self.respondents)


def ikm_of(nrrs: tuple[float, ...] | list[float]) -> float:
    """The IKM of nine NRRs: their mean times 25, each weighing exactly 1/9 (never 0.111)."""
    if len(nrrs) != len(ELEMENTS):
        raise ValueError(f"the IKM needs {len(ELEMENTS)} NRRs, not {len(nrrs)}")
    return 25 * sum(nrrs) / len(ELEMENTS)


def rounded(value: float, places: int = 2) -> Decimal:
    """`value` rounded half up to `places` decimals, as the regulation's tables are read: the
    shortest decimal of the float first, so 88.305 (stored as 88.30499…) is 88.31."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_ikm(value: float, lang: str = "id") -> str:
    """An IKM as people read it, two decimals: "86,52" (Indonesian decimal comma), "86.52"."""
    text = f"{rounded(value):.2f}"
    return text.replace(".", ",") if lang == "id" else text


@dataclass(frozen=True, slots=True)
class Grade:
    letter: str  # "A".."D" (mutu pelayanan)
    words: str  # the regulation's words: "Sangat Baik" …
    words_en: str


# (lowest IKM of the grade, grade), best first (PermenPANRB 14/2017; DOMAIN §6).
GRADES: Final[tuple[tuple[Decimal, Grade], ...]] = (
    (Decimal("88.31"), Grade("A", "Sangat Baik", "Very good")),
    (Decimal("76.61"), Grade("B", "Baik", "Good")),
    (Decimal("65.00"), Grade("C", "Kurang Baik", "Poor")),
    (Decimal("25.00"), Grade("D", "Tidak Baik", "Very poor")),
)


def grade(ikm: float) -> Grade:
    """The grade of an IKM, compared after rounding to two decimals: A 88.31–100, B 76.61–88.30,
    C 65.00–76.60, D 25.00–64.99. ValueError outside 25..100 (no answer gives that)."""
    value = rounded(ikm)
    if not Decimal(25) <= value <= Decimal(100):
        raise ValueError(f"an IKM lies in 25..100, not {ikm}")
    for lowest, g in GRADES:
        if value >= lowest:
            return g
    raise AssertionError("unreachable: D starts at 25")  # pragma: no cover


def nrr_grade(nrr: float) -> Grade:
    """The grade of one element's NRR (1..4). The regulation's NRR bands (A 3.5324–4.00,
    B 3.0644–3.532, C 2.60–3.064, D 1.00–2.5996) are its IKM bands divided by 25: read as the
    IKM of that NRR, which also places the NRRs between two printed bands (3.5322 is 88.305, A)."""
    return grade(nrr * 25)


# Krejcie & Morgan (1970): chi-square for 1 degree of freedom at 95 %, P = 0.5, d = 0.05.
_CHI2: Final = 3.841
_P: Final = 0.5
_D: Final = 0.05


def sample_size(population: int) -> int:
    """The respondents a population needs (Krejcie–Morgan), rounded to the nearest whole:
    s = χ²NP(1−P) / (d²(N−1) + χ²P(1−P)). 300 → 169, 2 000 → 322, a million → 384."""
    if population < 0:
        raise ValueError(f"a population is not negative: {population}")
    if population == 0:
        return 0
    spread = _CHI2 * _P * (1 - _P)
    s = spread * population / (_D * _D * (population - 1) + spread)
    return min(population, math.floor(s + 0.5))


# --------------------------------------------------------------------------------------------
# Wait bands: IKM by how long the citizen waited (issue 20), e.g. "< 15", "15–60", "> 60" min.
# --------------------------------------------------------------------------------------------

_MINUTES: Final = {"id": "menit", "en": "min"}


def wait_band_labels(bands_min: tuple[int, ...], lang: str = "id") -> tuple[str, ...]:
    """The bands' labels, shortest wait first: (15, 60) → "< 15 menit", "15–60 menit",
    "> 60 menit"."""
    unit = _MINUTES[lang]
    if not bands_min:
        return (f"≥ 0 {unit}",)
    labels = [f"< {bands_min[0]} {unit}"]
    labels += [f"{lo}–{hi} {unit}" for lo, hi in itertools.pairwise(bands_min)]
    labels.append(f"> {bands_min[-1]} {unit}")
    return tuple(labels)


def wait_band(wait_s: float, bands_min: tuple[int, ...], lang: str = "id") -> str:
    """The label of the band a wait (seconds) falls in: under the first bound is the first
    band; a wait on a bound belongs to the band that ends there, except the first bound, which
    opens the second band (15 min exactly is "15–60", 60 exactly too; 60 min 1 s is "> 60")."""
    labels = wait_band_labels(bands_min, lang)
    minutes = wait_s / 60
    if not bands_min:
        return labels[0]
    if minutes < bands_min[0]:
        return labels[0]
    for i, upper in enumerate(bands_min[1:], start=1):
        if minutes <= upper:
            return labels[i]
    return labels[-1]


# --------------------------------------------------------------------------------------------
# Periods: the SKM is reported per month, quarter (triwulan), semester or year.
# --------------------------------------------------------------------------------------------

PERIOD_KINDS: Final = ("month", "quarter", "semester", "year")
_MONTHS: Final = {"month": 1, "quarter": 3, "semester": 6, "year": 12}
_ROMAN: Final = ("I", "II", "III", "IV")
_MONTH_NAMES_EN: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def period_of(day: date, kind: str, lang: str = "id") -> tuple[date, date, str]:
    """The period of `kind` holding `day`: (first day, last day, label), e.g. "Triwulan IV
    2026", "Semester II 2026", "Desember 2026", "Tahun 2026" (English with lang="en")."""
    months = _MONTHS.get(kind)
    if months is None:
        raise ValueError(f"a period is one of {', '.join(PERIOD_KINDS)}, not {kind!r}")
    index = (day.month - 1) // months  # 0-based within the year
    first = date(day.year, index * months + 1, 1)
    end_month = index * months + months
    last = (
        date(day.year, 12, 31)
        if end_month == 12
        else date(day.year, end_month + 1, 1) - timedelta(days=1)
    )
    en = lang == "en"
    match kind:
        case "month":
            name = (_MONTH_NAMES_EN if en else MONTH_NAMES)[day.month - 1]
            label = f"{name} {day.year}"
        case "quarter":
            label = f"{'Quarter' if en else 'Triwulan'} {_ROMAN[index]} {day.year}"
        case "semester":
            label = f"Semester {_ROMAN[index]} {day.year}"
        case _:
            label = f"{'Year' if en else 'Tahun'} {day.year}"
    return first, last, label


def previous_period(day: date, kind: str, lang: str = "id") -> tuple[date, date, str]:
    """The whole period of `kind` before the one holding `day`."""
    first, _last, _label = period_of(day, kind)
    return period_of(first - timedelta(days=1), kind, lang)
