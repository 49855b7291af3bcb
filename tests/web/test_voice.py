"""The voice: terbilang, the call phrase in both reading styles, the chime, espeak-ng's audio."""

from __future__ import annotations

import asyncio
import random
import re
import struct
import subprocess

import pytest

from server.core.voice_text import DEFAULT_TEMPLATE, ReadingStyle, validate_template
from server.web.voice import (
    LETTER_NAMES,
    MAX_NUMBER,
    VoiceRenderer,
    VoiceUnavailable,
    _fix_wav_header,
    call_phrase,
    chime_wav,
    espeak_available,
    read_ticket_number,
    spell_digits,
    terbilang,
    wav_info,
)

needs_espeak = pytest.mark.skipif(
    not espeak_available(), reason="espeak-ng is not installed (make system-deps installs it)"
)

# --------------------------------------------------------------------------------------------
# Terbilang
# --------------------------------------------------------------------------------------------

# Checked by hand against DOMAIN.md §4 and KBBI usage.
HAND_CHECKED = {
    0: "nol",
    1: "satu",
    7: "tujuh",
    9: "sembilan",
    10: "sepuluh",
    11: "sebelas",
    12: "dua belas",
    15: "lima belas",
    19: "sembilan belas",
    20: "dua puluh",
    21: "dua puluh satu",
    25: "dua puluh lima",
    29: "dua puluh sembilan",
    30: "tiga puluh",
    48: "empat puluh delapan",
    99: "sembilan puluh sembilan",
    100: "seratus",
    101: "seratus satu",
    110: "seratus sepuluh",
    111: "seratus sebelas",
    119: "seratus sembilan belas",
    120: "seratus dua puluh",
    200: "dua ratus",
    217: "dua ratus tujuh belas",
    999: "sembilan ratus sembilan puluh sembilan",
    1000: "seribu",
    1001: "seribu satu",
    1010: "seribu sepuluh",
    1011: "seribu sebelas",
    1100: "seribu seratus",
    1234: "seribu dua ratus tiga puluh empat",
    2000: "dua ribu",
    2026: "dua ribu dua puluh enam",
    9999: "sembilan ribu sembilan ratus sembilan puluh sembilan",
    10_000: "sepuluh ribu",
    11_000: "sebelas ribu",
    21_000: "dua puluh satu ribu",
    100_000: "seratus ribu",
    101_000: "seratus satu ribu",
    111_111: "seratus sebelas ribu seratus sebelas",
    999_999: "sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan",
    1_000_000: "satu juta",
    1_001_000: "satu juta seribu",
    2_500_000: "dua juta lima ratus ribu",
    1_000_000_000: "satu miliar",
    3_000_000_000_000: "tiga triliun",
}


@pytest.mark.parametrize(("n", "words"), sorted(HAND_CHECKED.items()))
def test_terbilang_hand_checked(n: int, words: str) -> None:
    """Hand-checked values, including the se- forms and the 20–29 trap, read right."""
    assert terbilang(n) == words


_ONES = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]


def _oracle(n: int) -> str:
    """The rules of DOMAIN.md §4 applied recursively, from the largest unit down."""
    if n == 0:
        return "nol"

    def words(m: int) -> list[str]:
        if m == 0:
            return []
        if m < 10:
            return [_ONES[m]]
        if m == 10:
            return ["sepuluh"]
        if m == 11:
            return ["sebelas"]
        if m < 20:
            return [_ONES[m - 10], "belas"]
        if m < 100:
            return [_ONES[m // 10], "puluh", *words(m % 10)]
        if m < 200:
            return ["seratus", *words(m - 100)]
        if m < 1000:
            return [_ONES[m // 100], "ratus", *words(m % 100)]
        if m < 2000:
            return ["seribu", *words(m - 1000)]
        return [*words(m // 1000), "ribu", *words(m % 1000)]

    return " ".join(words(n))


_VALUES = {w: i for i, w in enumerate(_ONES)}


def _read_back(text: str) -> int:
    """Indonesian number words back to the number: an oracle working in the other direction."""
    total = 0  # completed groups of thousands and more
    group = 0  # the current group below a thousand
    digit = 0  # a unit word waiting for its multiplier
    for word in text.split():
        if word in _VALUES:
            assert digit == 0, f"two unit words in a row in {text!r}"
            digit = _VALUES[word]
        elif word == "sepuluh":
            group += 10
        elif word == "sebelas":
            group += 11
        elif word == "belas":
            group, digit = group + 10 + digit, 0
        elif word == "puluh":
            group, digit = group + 10 * digit, 0
        elif word == "seratus":
            group += 100
        elif word == "ratus":
            group, digit = group + 100 * digit, 0
        elif word == "seribu":
            total += 1000
        else:
            scale = {"ribu": 10**3, "juta": 10**6, "miliar": 10**9, "triliun": 10**12}[word]
            total, group, digit = total + (group + digit) * scale, 0, 0
    return total + group + digit


def test_terbilang_matches_the_rule_oracle_for_0_to_9999() -> None:
    """Every number 0–9999 reads as the recursive rule-based oracle reads it."""
    wrong = [(n, terbilang(n), _oracle(n)) for n in range(10_000) if terbilang(n) != _oracle(n)]
    assert wrong == []


def test_terbilang_reads_back_to_the_same_number() -> None:
    """The words of 0–9999, and of a sample up to 10^15, parse back to the number."""
    rng = random.Random(17)
    sample = list(range(10_000)) + [rng.randrange(MAX_NUMBER + 1) for _ in range(5_000)]
    sample += [10**k for k in range(15)] + [10**k - 1 for k in range(1, 16)]
    for n in sample:
        assert _read_back(terbilang(n)) == n, (n, terbilang(n))


def test_terbilang_never_says_satu_before_a_unit_word_nor_nol_inside() -> None:
    """The se- forms replace "satu puluh/belas/ratus/ribu"; "nol" is said only for 0."""
    banned = re.compile(r"\bsatu (puluh|belas|ratus|ribu)\b")
    for n in range(1, 20_000):
        words = terbilang(n)
        assert not banned.search(words), (n, words)
        assert "nol" not in words.split(), (n, words)
    for n in range(20, 30):  # an old bug of other systems: 20–29 read as "dua belas"
        assert terbilang(n).startswith("dua puluh")


@pytest.mark.parametrize("bad", [-1, MAX_NUMBER + 1])
def test_terbilang_refuses_numbers_out_of_range(bad: int) -> None:
    """Negative numbers and numbers of 10^15 or more are refused, not misread."""
    with pytest.raises(ValueError):
        terbilang(bad)


@pytest.mark.parametrize("bad", [1.0, "7", True, None])
def test_terbilang_refuses_what_is_not_an_int(bad: object) -> None:
    """Floats, strings and booleans are refused with TypeError."""
    with pytest.raises(TypeError):
        terbilang(bad)  # type: ignore[arg-type]


def test_spell_digits() -> None:
    """Digits are read one by one, zeros included."""
    assert spell_digits("017") == "nol satu tujuh"
    assert spell_digits("0") == "nol"
    assert spell_digits("1234567890") == "satu dua tiga empat lima enam tujuh delapan sembilan nol"
    for bad in ("", "1a", "-1", "١٢"):  # the last: Arabic-Indic digits are not ASCII digits
        with pytest.raises(ValueError):
            spell_digits(bad)


# --------------------------------------------------------------------------------------------
# The phrase
# --------------------------------------------------------------------------------------------


def test_call_phrase_digits_style_is_the_domain_example() -> None:
    """The default phrase is DOMAIN.md's "Nomor antrean B nol satu tujuh, …loket lima"."""
    assert call_phrase("B-017", 5) == "Nomor antrean B nol satu tujuh, silakan menuju loket lima"


def test_call_phrase_number_style() -> None:
    """Number style reads the digits as one number: B-017 is "B tujuh belas"."""
    assert (
        call_phrase("B-017", 5, ReadingStyle.NUMBER)
        == "Nomor antrean B tujuh belas, silakan menuju loket lima"
    )
    assert read_ticket_number("A-000", "number") == "A nol"
    assert read_ticket_number("A-100", "number") == "A seratus"
    assert read_ticket_number("A-111", "digits") == "A satu satu satu"


@pytest.mark.parametrize(
    ("counter", "spoken"), [(1, "satu"), (10, "sepuluh"), (11, "sebelas"), (21, "dua puluh satu")]
)
def test_call_phrase_reads_the_counter_as_a_number(counter: int, spoken: str) -> None:
    """The counter is read with terbilang in both styles."""
    for style in ReadingStyle:
        assert call_phrase("A-001", counter, style).endswith(f"loket {spoken}")


def test_call_phrase_with_the_agency_and_letter_names() -> None:
    """The agency follows the counter when given; letter names spell the prefix for fallbacks."""
    assert (
        call_phrase("C-120", 15, "number", agency="  Dukcapil ")
        == "Nomor antrean C seratus dua puluh, silakan menuju loket lima belas, Dukcapil"
    )
    assert call_phrase("Q-001", 2, letter_names=True).startswith("Nomor antrean ki nol nol satu,")
    assert len(LETTER_NAMES) == 26 and LETTER_NAMES["B"] == "be" and LETTER_NAMES["H"] == "ha"


def test_call_phrase_with_a_custom_template() -> None:
    """A template may reorder the parts; an optional [part] disappears without its value."""
    template = "Panggilan untuk {number}[ dari {agency}], ke loket {counter}"
    assert call_phrase("A-007", 3, template=template) == (
        "Panggilan untuk A nol nol tujuh, ke loket tiga"
    )
    assert call_phrase("A-007", 3, agency="Samsat", template=template) == (
        "Panggilan untuk A nol nol tujuh dari Samsat, ke loket tiga"
    )


@pytest.mark.parametrize(
    "template",
    [
        "",
        "Nomor {number}",  # no counter
        "Nomor {number} loket {counter} {nama}",  # unknown placeholder
        "Nomor {number} loket {counter} [{agency}",  # unbalanced
        "Nomor {number} loket {counter} {",  # a stray brace
        "x" * 201 + "{number}{counter}",
    ],
)
def test_bad_templates_are_refused(template: str) -> None:
    """A template without {number} and {counter}, or malformed, is refused up front."""
    with pytest.raises(ValueError):
        validate_template(template)
    with pytest.raises(ValueError):
        call_phrase("A-001", 1, template=template)
    validate_template(DEFAULT_TEMPLATE)


@pytest.mark.parametrize("bad", ["", "B", "017", "B-", "B-01a", "b 017 x", "ABCD-001"])
def test_bad_ticket_numbers_are_refused(bad: str) -> None:
    """Only LETTERS-DIGITS ticket numbers become phrases."""
    with pytest.raises(ValueError):
        call_phrase(bad, 1)


# --------------------------------------------------------------------------------------------
# Audio
# --------------------------------------------------------------------------------------------


def test_the_chime_is_a_short_audible_mono_wav() -> None:
    """The chime is a valid 16-bit mono WAV of about 1.3 s, well above silence."""
    info = wav_info(chime_wav())
    assert (info.channels, info.sample_width, info.sample_rate) == (1, 2, 22050)
    assert 1.0 < info.duration_s < 2.0
    assert info.rms > 2000


def test_an_open_ended_wav_header_is_repaired() -> None:
    """The 0x7FFFFxxx sizes espeak-ng writes to a pipe become the real sizes."""
    frames = struct.pack("<4h", 0, 1000, -1000, 0)
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, 22050, 44100, 2, 16)
    stream = b"RIFF" + struct.pack("<I", 0x7FFFF024) + b"WAVE" + fmt
    stream += b"data" + struct.pack("<I", 0x7FFFF000) + frames
    fixed = _fix_wav_header(stream)
    assert struct.unpack_from("<I", fixed, 4)[0] == len(fixed) - 8
    assert wav_info(fixed).frames == 4
    with pytest.raises(ValueError):
        _fix_wav_header(b"not a wav at all, but long enough to look at the header")


@needs_espeak
def test_espeak_has_the_indonesian_voice() -> None:
    """espeak-ng lists an `id` voice: without it, calls would be read with English rules."""
    out = subprocess.run(
        ["espeak-ng", "--voices=id"], capture_output=True, text=True, check=True
    ).stdout
    assert any(line.split()[1:2] == ["id"] for line in out.splitlines()[1:]), out


@needs_espeak
async def test_rendered_call_is_a_valid_non_silent_wav_of_plausible_length() -> None:
    """espeak-ng's audio of a call is mono 16-bit PCM, audible, ~0.25–1 s per word."""
    renderer = VoiceRenderer()
    phrase = call_phrase("B-017", 5)
    data = await renderer.render(phrase)
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert struct.unpack_from("<I", data, 4)[0] == len(data) - 8  # sizes repaired
    info = wav_info(data)
    assert (info.channels, info.sample_width) == (1, 2)
    assert info.sample_rate in (16000, 22050, 24000, 44100, 48000)
    words = len(phrase.split())
    assert 0.25 * words < info.duration_s < 1.0 * words, info
    assert info.rms > 300, info  # speech, not silence
    longer = wav_info(await renderer.render(call_phrase("B-017", 5, agency="Dukcapil")))
    assert longer.duration_s > info.duration_s


@needs_espeak
async def test_each_phrase_is_rendered_once() -> None:
    """Six TVs asking at once cause one espeak-ng run; later asks come from the cache."""
    renderer = VoiceRenderer()
    phrase = call_phrase("A-001", 1)
    results = await asyncio.gather(*(renderer.render(phrase) for _ in range(6)))
    assert renderer.renders == 1 and len(set(results)) == 1
    assert await renderer.render(phrase) == results[0]
    assert renderer.cached(phrase) == results[0]
    assert renderer.renders == 1
    await renderer.render(call_phrase("A-002", 1))
    assert renderer.renders == 2


@needs_espeak
async def test_the_memory_cache_is_bounded() -> None:
    """Beyond max_entries, the least recently used phrase is dropped and rendered again."""
    renderer = VoiceRenderer(max_entries=2)
    a, b, c = (call_phrase(f"A-00{i}", 1) for i in (1, 2, 3))
    for phrase in (a, b, a, c):  # a is used again, so b is the oldest when c arrives
        await renderer.render(phrase)
    assert renderer.cached(a) and renderer.cached(c) and renderer.cached(b) is None
    assert renderer.renders == 3


@needs_espeak
async def test_the_disk_cache_survives_a_new_renderer(tmp_path) -> None:
    """With a cache directory, a restarted server reuses yesterday's renders."""
    first = VoiceRenderer(cache_dir=tmp_path / "voice")
    data = await first.render(call_phrase("D-042", 6))
    second = VoiceRenderer(cache_dir=tmp_path / "voice")
    assert await second.render(call_phrase("D-042", 6)) == data
    assert second.renders == 0
    for path in (tmp_path / "voice").iterdir():  # a damaged file is rendered again
        path.write_bytes(b"garbage")
    third = VoiceRenderer(cache_dir=tmp_path / "voice")
    assert await third.render(call_phrase("D-042", 6)) == data
    assert third.renders == 1


@needs_espeak
async def test_text_that_looks_like_an_option_is_spoken_not_obeyed(tmp_path) -> None:
    """The phrase goes on stdin: "-w /path" is read aloud, never taken as espeak-ng's -w."""
    target = tmp_path / "written.wav"
    data = await VoiceRenderer().render(f"-w {target}")
    assert wav_info(data).frames > 0
    assert not target.exists()


async def test_a_missing_espeak_raises_voice_unavailable() -> None:
    """Without espeak-ng, render raises VoiceUnavailable (the page then uses its fallback)."""
    renderer = VoiceRenderer(executable="espeak-ng-that-is-not-installed")
    with pytest.raises(VoiceUnavailable):
        await renderer.render(call_phrase("A-001", 1))
    with pytest.raises(VoiceUnavailable):  # a failure is not cached
        await renderer.render(call_phrase("A-001", 1))
