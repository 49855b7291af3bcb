"""The config check's problems in Indonesian for the admin (issue 23, spec H,
server/config/problem_words.py).

Three checks: every message template in the reader's source has Indonesian words (the list is
read from the source with `ast`, tests/config/problem_sources.py, never from the table); a
hand-written table of whole messages as the real reader produces them for small broken building
files, each with the Indonesian an administrator should read; and an edit through the real edit
model comes back in Indonesian with no English left.
"""

from __future__ import annotations

import logging
import re
import string

import pytest
from problem_sources import Hole, Shape, problem_messages, show
from test_config_edits import COUNTER_L01, LINE_A, NEW_COUNTER, SMALL

from server.config import parse_building
from server.config.edits import Edit, EditRefused, apply_edit
from server.config.problem_words import KINDS, TEMPLATES, indonesian, translate
from server.config.toml_reader import ConfigError

# --------------------------------------------------------------------------------------------
# Coverage: every template of the source has words
# --------------------------------------------------------------------------------------------

_FORMATTER = string.Formatter()
_IDENTIFIER = re.compile(r"[a-z_]+")


def _fields(template: str) -> list[str | tuple[str]]:
    """A table template as literal text and (placeholder name,) items."""
    out: list[str | tuple[str]] = []
    for literal, name, _, _ in _FORMATTER.parse(template):
        if literal and out and isinstance(out[-1], str):
            out[-1] += literal  # "{{" splits a literal in two
        elif literal:
            out.append(literal)
        if name is not None:
            out.append((name,))
    return out


def _fits(shape: Shape, template: str) -> bool:
    """The table's English template has the source's text, and a placeholder where the source
    has a hole; a hole with several possible texts needs a placeholder that translates each."""
    fields = _fields(template)
    if len(fields) != len(shape):
        return False
    for part, field in zip(shape, fields, strict=True):
        if isinstance(part, str):
            if part != field:
                return False
            continue
        if not isinstance(field, tuple):
            return False
        if part.choices is None:
            continue  # a value from the file: any placeholder keeps it
        kind = field[0].rstrip("0123456789")
        if kind == "name":  # a table name of the file, kept as written
            if not all(
                len(c) == 1 and isinstance(c[0], str) and _IDENTIFIER.fullmatch(c[0])
                for c in part.choices
            ):
                return False
        elif kind not in KINDS or not all(_covered(c, KINDS[kind]) for c in part.choices):
            return False
    return True


def _covered(shape: Shape, table: tuple[tuple[str, str], ...]) -> bool:
    if shape == ():
        return any(en == "" for en, _ in table)
    return any(_fits(shape, en) for en, _ in table)


def test_every_message_of_the_config_reader_has_indonesian_words() -> None:
    messages = problem_messages()
    # The reader really was read: its checks, its helpers' texts, describe()'s values.
    assert len(messages) > 120
    shown = {show(m.shape) for m in messages}
    assert 'unknown key "{…}"{; did you mean "{…}"? |  | ; allowed: {…} | ; write [{…}]}' in shown
    assert any("got {{…} | a table | an array |" in s for s in shown)
    assert any(s.startswith("unknown {zone | agency | counter}") for s in shown)
    missing = sorted(
        f"{m.where}: {show(m.shape)}"
        for m in messages
        if not any(_fits(m.shape, en) for en, _ in TEMPLATES)
    )
    assert missing == []


# What a placeholder holds in the samples below, by kind (a value from the file otherwise).
_SAMPLES = {
    "days": ("monday, wednesday, friday", "Senin, Rabu, dan Jumat"),
    # the reader's hint lists the names quoted, as the file must hold them (part_week.py)
    "weekdays": ('"monday", "friday"', '"monday" atau "friday"'),
    "either": ('"kiosk" or "tablet"', '"kiosk" atau "tablet"'),
    "type": ("NoneType", "NoneType"),
    **dict.fromkeys(
        ("low", "high", "most", "least", "size", "minutes", "furthest", "ahead"), ("7", "7")
    ),
}


def _sample(shape: Shape, en: str, id_: str, pick: int) -> tuple[str, str]:
    """A message of the shape, with the Indonesian the table's entry gives it: holes filled
    with a sample of the placeholder's kind; the `pick`th choice of each hole with choices."""
    values_en: dict[str, str] = {}
    values_id: dict[str, str] = {}
    for part, field in zip(shape, _fields(en), strict=True):
        if isinstance(part, str):
            continue
        assert isinstance(field, tuple)
        name = field[0]
        kind = name.rstrip("0123456789")
        if name in values_en:
            continue  # a placeholder said twice holds the same text
        if part.choices is not None and kind in KINDS:
            choice = part.choices[pick % len(part.choices)]
            sub_en, sub_id = next(
                (e, i) for e, i in KINDS[kind] if (e == "" if choice == () else _fits(choice, e))
            )
            found = _sample(choice, sub_en, sub_id, pick)
        elif part.choices is not None:  # a table name, kept
            choice = part.choices[pick % len(part.choices)]
            found = (str(choice[0]), str(choice[0]))
        elif kind in _SAMPLES:
            found = _SAMPLES[kind]
        elif kind in KINDS:  # its first phrase with no placeholder, or the first filled in
            sub_en, sub_id = min(KINDS[kind], key=lambda pair: "{" in pair[0])
            found = (sub_en.format_map(_Filled()), sub_id.format_map(_Filled()))
        else:
            found = ("X7", "X7")
        values_en[name], values_id[name] = found
    return en.format(**values_en), id_.format(**values_id)


class _Filled(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "7"


def test_each_template_of_the_source_is_translated_by_its_own_entry() -> None:
    """The matching itself: a message of each source template, with each choice of its holes,
    comes out as the words of the entry written for it, not of another that also fits."""
    wrong = []
    tried = set()
    for message in problem_messages():
        entry = next(((en, id_) for en, id_ in TEMPLATES if _fits(message.shape, en)), None)
        if entry is None:
            continue  # reported by the coverage test
        en, id_ = entry
        for pick in range(12):
            english, words = _sample(message.shape, en, id_, pick)
            tried.add(english)
            if translate(english) != words:
                wrong.append((message.where, english, translate(english), words))
    assert wrong == []
    assert "must be from 7 to 7 minutes, got X7" in tried  # a span and a unit, apart
    assert "the building is closed on monday, wednesday, friday (see [hours])" in tried
    assert '"X7" is not a day of the week; write "monday", "friday"' in tried


def test_the_table_s_placeholders_are_the_same_in_both_languages() -> None:
    for table in (TEMPLATES, *KINDS.values()):
        for en, id_ in table:
            names = {f[0] for f in _fields(en) if isinstance(f, tuple)}
            assert names == {f[0] for f in _fields(id_) if isinstance(f, tuple)}, en


def test_a_hole_the_table_does_not_translate_is_found() -> None:
    """The coverage check itself: a describe() value where the table keeps the text as is."""
    got = (Hole((("integer ", Hole()), ("an array",))),)
    assert _fits(("expected a number, got ", *got), "expected a number, got {got}")
    assert not _fits(("expected a number, got ", *got), "expected a number, got {value}")
    assert not _fits(("expected a number, got ", *got), "expected a count, got {got}")


# --------------------------------------------------------------------------------------------
# The words, for messages as the real reader produces them
# --------------------------------------------------------------------------------------------

# (what the file says, what it says instead, the problem's key, the reader's English — written
# here by hand, so a reworded reader shows up —, the Indonesian an administrator reads)
CASES = [
    (
        "quota_walk_in = 300",
        "quota_walk_in = -5",
        "lines[A].quota_walk_in",
        "must be ≥ 0, got -5",
        "harus ≥ 0, tertulis -5",
    ),
    (
        "quota_walk_in = 300",
        'quota_walk_in = "banyak"',
        "lines[A].quota_walk_in",
        'expected a whole number ≥ 0, got string "banyak"',
        'harus bilangan bulat ≥ 0, bukan teks "banyak"',
    ),
    (
        "quota_walk_in = 300",
        "quota_walk_in = [300]",
        "lines[A].quota_walk_in",
        "expected a whole number ≥ 0, got an array",
        "harus bilangan bulat ≥ 0, bukan daftar",
    ),
    (
        "quota_walk_in = 300",
        "quota_walkin = 300",
        "lines[A].quota_walkin",
        'unknown key "quota_walkin"; did you mean "quota_walk_in"?',
        'kunci "quota_walkin" tidak dikenal; mungkin maksudnya "quota_walk_in"?',
    ),
    (
        'prefix = "A"\nagency = "DUKCAPIL"',
        'prefix = "A"\nagency = "BPJS"',
        "lines[A].agency",
        'unknown agency "BPJS"; known: DUKCAPIL, IMIGRASI',
        'instansi "BPJS" tidak dikenal; yang ada: DUKCAPIL, IMIGRASI',
    ),
    (
        'serves = ["A"]',
        'serves = ["A", "X"]',
        "counters[L01].serves",
        'serves unknown line "X"',
        'melayani layanan "X" yang tidak dikenal',
    ),
    (
        'number = 1\nzone = "1"',
        'number = 1\nzone = "9"',
        "counters[L01].zone",
        'unknown zone "9"; known: 1',
        'zona "9" tidak dikenal; yang ada: 1',
    ),
    (
        'serves = ["P", "Q"]',
        'serves = ["P"]',
        "lines[Q]",
        'no counter serves line "Q"; add it to a counter\'s serves',
        'layanan "Q" tidak dilayani loket mana pun; tambahkan ke serves sebuah loket',
    ),
    (
        "target_service_min = 10",
        "target_service_min = 0",
        "lines[A].target_service_min",
        "must be greater than 0, got 0",
        "harus lebih dari 0, tertulis 0",
    ),
    (
        "quota_walk_in = 300",
        'quota_walk_in = 300\ncutoff = "25:00"',
        "lines[A].cutoff",
        '"25:00" is not a time of day; write "HH:MM" from "00:00" to "23:59"',
        '"25:00" bukan jam yang sah; tulis "HH:MM" dari "00:00" sampai "23:59"',
    ),
    (
        'name = "Perekaman KTP-el"',
        'name = " "',
        "lines[A].name",
        "must not be empty",
        "tidak boleh kosong",
    ),
    (
        'days = ["monday", "tuesday"]',
        'days = ["monday", "tusday"]',
        "agencies[IMIGRASI].days",
        '"tusday" is not a day of the week; did you mean "tuesday"?',
        '"tusday" bukan nama hari; mungkin maksudnya "tuesday"?',
    ),
    (
        'days = ["monday", "tuesday"]',
        'days = ["monday", "saturday"]',
        "agencies[IMIGRASI].days",
        "the building is closed on saturday (see [hours]); a service cannot open then",
        "gedung tutup pada hari Sabtu (lihat [hours]); layanan tidak dapat buka saat itu",
    ),
    (
        'days = ["monday", "tuesday"]',
        'days = ["monday", "saturday", "sunday"]',
        "agencies[IMIGRASI].days",
        "the building is closed on saturday, sunday (see [hours]); a service cannot open then",
        "gedung tutup pada hari Sabtu dan Minggu (lihat [hours]); layanan tidak dapat buka "
        "saat itu",
    ),
    # An Indonesian admin writes the day in Indonesian: the reader's hint names the English
    # names quoted, which the admin must write as they are.
    (
        'days = ["monday", "tuesday"]',
        'days = ["senin"]',
        "agencies[IMIGRASI].days",
        '"senin" is not a day of the week; write "monday", "tuesday", "wednesday", '
        '"thursday", "friday", "saturday", "sunday"',
        '"senin" bukan nama hari; tulis nama hari dalam bahasa Inggris: "monday", "tuesday", '
        '"wednesday", "thursday", "friday", "saturday", atau "sunday"',
    ),
    (
        'days = ["monday", "tuesday"]',
        'days = ["monday", "jumat"]',
        "agencies[IMIGRASI].days",
        '"jumat" is not a day of the week; write "monday", "tuesday", "wednesday", '
        '"thursday", "friday", "saturday", "sunday"',
        '"jumat" bukan nama hari; tulis nama hari dalam bahasa Inggris: "monday", "tuesday", '
        '"wednesday", "thursday", "friday", "saturday", atau "sunday"',
    ),
    (
        'monday = { open = "07:30", close = "16:00" }',
        'monday = { open = "16:00", close = "07:30" }',
        "hours.monday",
        "opens at 16:00 but closes at 07:30; close after open. A service day ends at local "
        'midnight (numbers restart then): close at "24:00" and open again at "00:00" the '
        "next day",
        "buka pukul 16:00 tetapi tutup pukul 07:30; jam tutup harus sesudah jam buka. Hari "
        "layanan berakhir pukul 00.00 waktu setempat (nomor antrean mulai lagi): tutup pada "
        '"24:00" lalu buka lagi pada "00:00" keesokan harinya',
    ),
    (
        'timezone = "WIB"',
        'timezone = "WITA2"',
        "building.timezone",
        'unknown timezone "WITA2"; use one of WIB, WITA, WIT, Asia/Jakarta, Asia/Pontianak, '
        "Asia/Makassar, Asia/Jayapura",
        'zona waktu "WITA2" tidak dikenal; pakai salah satu dari WIB, WITA, WIT, Asia/Jakarta, '
        "Asia/Pontianak, Asia/Makassar, Asia/Jayapura",
    ),
    (
        "date = 2026-12-25",
        'date = "besok"',
        "holidays[#1].date",
        'expected a date such as 2026-12-25, got string "besok"',
        'harus berupa tanggal seperti 2026-12-25, bukan teks "besok"',
    ),
    (
        'kind = "kiosk"',
        'kind = "tablet"',
        "devices[KIOSK-1].counter",
        'required for a tablet: the counter it faces, e.g. counter = "L01"',
        'wajib untuk tablet: loket yang dihadapinya, misalnya counter = "L01"',
    ),
    (
        'name = "Paspor hilang"\n',
        "",
        "lines[Q].name",
        "required key is missing",
        "wajib diisi",
    ),
    (
        "[[zones]]",
        "[polcy]\nmax_wait_min = 30\n\n[[zones]]",
        "polcy",
        'unknown table "polcy"; did you mean "policy"?',
        'tabel "polcy" tidak dikenal; mungkin maksudnya "policy"?',
    ),
    (
        "[[zones]]",
        "[policy]\npriority_counter_first = 1\n\n[[zones]]",
        "policy.priority_counter_first",
        "expected true or false, got integer 1",
        "harus true atau false, bukan bilangan bulat 1",
    ),
    (
        "[[zones]]",
        '[voice]\ntemplate = "Nomor {number}"\n\n[[zones]]',
        "voice.template",
        "a phrase template must contain {number} and {desk} (or {counter}); for example "
        'template = "Nomor antrean {number}, silakan menuju {desk}[, {agency}]"',
        "templat kalimat panggilan harus memuat {number} dan {desk} (atau {counter}); misalnya "
        'template = "Nomor antrean {number}, silakan menuju {desk}[, {agency}]"',
    ),
    (
        "[[zones]]",
        "[voice]\nrate_wpm = 500\n\n[[zones]]",
        "voice.rate_wpm",
        'unknown key "rate_wpm"; allowed: style, template, agency, speed_wpm, espeak_voice, '
        "word_gap_10ms",
        'kunci "rate_wpm" tidak dikenal; yang boleh: style, template, agency, speed_wpm, '
        "espeak_voice, word_gap_10ms",
    ),
]


@pytest.mark.parametrize(("old", "new", "key", "english", "words"), CASES)
def test_the_reader_s_messages_in_indonesian(
    old: str, new: str, key: str, english: str, words: str
) -> None:
    assert SMALL.count(old) == 1
    with pytest.raises(ConfigError) as caught:
        parse_building(SMALL.replace(old, new), "small.toml")
    said = {p.key: p.message for p in caught.value.problems}
    assert said.get(key) == english, said
    assert indonesian(english) == words


def test_an_untranslated_message_stays_english_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    odd = "a message no template knows (test_problem_words)"
    assert translate(odd) is None
    with caplog.at_level(logging.WARNING, logger="antre.config"):
        assert indonesian(odd) == odd
        assert indonesian(odd) == odd
    assert [r.getMessage() for r in caplog.records] == [
        f"config problem without Indonesian words, shown in English: {odd}"
    ]


def test_an_english_phrase_inside_a_message_is_not_passed_through() -> None:
    """A describe() value the table does not know leaves the whole message untranslated
    (shown in English) rather than half Indonesian with English inside."""
    assert translate("expected a number, got a sandwich") is None
    assert (
        translate("must be from 5 to 240 minutes, got 3") == "harus 5 sampai 240 menit, tertulis 3"
    )


# --------------------------------------------------------------------------------------------
# Through the edit model
# --------------------------------------------------------------------------------------------

_ENGLISH = re.compile(
    r"\b(must|got|unknown|expected|already|required|did you mean|allowed|known|serves line|"
    r"used by|numbers|counter|line|number|is not|the)\b"
)


def _refusal(edit: Edit) -> EditRefused:
    building = parse_building(SMALL, "small.toml")
    with pytest.raises(EditRefused) as caught:
        apply_edit(building, edit)
    assert caught.value.code == "edit_invalid"
    return caught.value


@pytest.mark.parametrize(
    ("edit", "problems"),
    [
        (
            Edit("line:A", LINE_A, {**LINE_A, "quota_walk_in": -5}),
            [("quota_walk_in", "lines[A].quota_walk_in", "harus ≥ 0, tertulis -5")],
        ),
        (
            Edit("counter:L01", COUNTER_L01, {**COUNTER_L01, "serves": ["A", "Z"]}),
            [("serves", "counters[L01].serves", 'melayani layanan "Z" yang tidak dikenal')],
        ),
        (
            Edit("counter:L03", None, {**NEW_COUNTER, "number": 1, "serves": ["A"]}),
            [
                (
                    "number",
                    "counters[L03].number",
                    "nomor loket 1 sudah dipakai oleh counters[L01]; nomor dibacakan, jadi "
                    "harus berbeda",
                )
            ],
        ),
    ],
)
def test_an_edit_s_problems_come_back_in_indonesian(
    edit: Edit, problems: list[tuple[str, str, str]]
) -> None:
    refusal = _refusal(edit)
    got = [(p["field"], p["key"], p["message"]) for p in refusal.details["problems"]]
    assert got == problems
    lead = "Perubahan tidak disimpan: nilainya tidak lolos pemeriksaan konfigurasi — "
    assert refusal.message == lead + "; ".join(f"{f}: {m}" for f, _, m in problems)
    for _, _, message in got:
        assert not _ENGLISH.search(message), message
