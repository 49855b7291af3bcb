"""The waiting room's voice: Indonesian number words, the call phrase, and its audio.

Theory of operation: a call becomes a sentence in three pure steps — `terbilang` (a number as
Indonesian words), `spell_digits` (a ticket number read digit by digit), `read_counter_label`
(the label on the desk: "3A" is "tiga A") and `call_phrase` (the configurable sentence, "Nomor
antrean B nol satu tujuh, silakan menuju loket lima", whose template grammar is
server/core/voice_text.py's, shared with the building file). Only the
last step, `VoiceRenderer.render`, touches the world: it runs espeak-ng's Indonesian voice in a
subprocess (text on stdin, so no phrase can be taken for an option), repairs the WAV header that
espeak-ng leaves open when writing to a pipe, and keeps the result in a bounded in-memory LRU
(and optionally on disk), because a building has a few thousand distinct phrases a day and the
same one is asked for by every TV of a zone at the same instant.

The chime that precedes each call is made here too, from a few sine partials with the standard
library's `wave` module: no downloaded asset.

Number words follow the rules in DOMAIN.md §4: 0 is "nol"; the *se-* forms replace "satu"
before a unit word (sepuluh, sebelas, seratus, seribu); 12–19 are "N belas"; 20–99 are
"N puluh [M]". Above a thousand the same three-digit groups repeat with ribu, juta, miliar and
triliun; "se-" is used only with ratus, ribu and the teens, never with juta or larger ("satu
juta", the form of written amounts).
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import hashlib
import io
import math
import re
import shutil
import struct
import sys
import wave
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from server.core.building import VoiceConfig
from server.core.voice_text import DEFAULT_TEMPLATE, ReadingStyle, fill_handon, fill_template

__all__ = [
    "LETTER_NAMES",
    "MAX_LABEL_LEN",
    "MAX_NUMBER",
    "VoiceRenderer",
    "VoiceUnavailable",
    "WavInfo",
    "call_phrase",
    "chime_wav",
    "desk_words",
    "espeak_available",
    "handon_phrase",
    "read_counter_label",
    "read_ticket_number",
    "spell_digits",
    "terbilang",
    "wav_info",
]

# --------------------------------------------------------------------------------------------
# Terbilang: numbers as Indonesian words
# --------------------------------------------------------------------------------------------

_UNITS: Final = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
)
# Group words for 10^3, 10^6, 10^9, 10^12. Only ribu takes the se- form ("seribu" but "satu juta").
_SCALES: Final = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu"))
MAX_NUMBER: Final = 10**15 - 1


def _below_thousand(n: int) -> list[str]:
    """Words for 1..999 (nothing for 0: a zero group is silent inside a bigger number)."""
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words += [_UNITS[hundreds], "ratus"]
    tens, units = divmod(rest, 10)
    if tens == 1:
        if units == 0:
            words.append("sepuluh")
        elif units == 1:
            words.append("sebelas")
        else:
            words += [_UNITS[units], "belas"]
        return words
    if tens > 1:
        words += [_UNITS[tens], "puluh"]
    if units:
        words.append(_UNITS[units])
    return words


def terbilang(n: int) -> str:
    """`n` (0 ≤ n < 10^15) in Indonesian words: 17 → "tujuh belas", 1000 → "seribu"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"terbilang needs an int, not {type(n).__name__}")
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"terbilang covers 0..{MAX_NUMBER}, not {n}")
    if n == 0:
        return "nol"
    words: list[str] = []
    for size, name in _SCALES:
        group, n = divmod(n, size)
        if group == 0:
            continue
        if group == 1 and name == "ribu":
            words.append("seribu")
        else:
            words += [*_below_thousand(group), name]
    words += _below_thousand(n)
    return " ".join(words)


def spell_digits(digits: str) -> str:
    """Each digit as a word: "017" → "nol satu tujuh"."""
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"not a string of digits: {digits!r}")
    return " ".join(_UNITS[int(d)] for d in digits)


# --------------------------------------------------------------------------------------------
# The call phrase
# --------------------------------------------------------------------------------------------


# Indonesian letter names, for voices that would read a lone capital in another language (the
# browser fallback). espeak-ng's `id` voice already reads a lone capital by its Indonesian name
# (B → "be", Q → "ki"; checked in tests/web), so the server's audio uses the letter itself.
LETTER_NAMES: Final[Mapping[str, str]] = {
    "A": "a",
    "B": "be",
    "C": "ce",
    "D": "de",
    "E": "e",
    "F": "ef",
    "G": "ge",
    "H": "ha",
    "I": "i",
    "J": "je",
    "K": "ka",
    "L": "el",
    "M": "em",
    "N": "en",
    "O": "o",
    "P": "pe",
    "Q": "ki",
    "R": "er",
    "S": "es",
    "T": "te",
    "U": "u",
    "V": "fe",
    "W": "we",
    "X": "eks",
    "Y": "ye",
    "Z": "zet",
}

_TICKET_RE: Final = re.compile(r"([A-Z]{1,3})-?([0-9]{1,6})")


def read_ticket_number(
    number: str, style: ReadingStyle | str, *, letter_names: bool = False
) -> str:
    """A ticket number as spoken: "B-017" → "B nol satu tujuh" (digits) or "B tujuh belas"."""
    match = _TICKET_RE.fullmatch(number.strip().upper())
    if match is None:
        raise ValueError(f"not a ticket number: {number!r}")
    letters, digits = match.groups()
    spoken_letters = [LETTER_NAMES[c] if letter_names else c for c in letters]
    if ReadingStyle(style) is ReadingStyle.DIGITS:
        spoken_digits = spell_digits(digits)
    else:
        spoken_digits = terbilang(int(digits))
    return " ".join([*spoken_letters, spoken_digits])


# A counter's label as buildings write it on the desk: groups of digits and capital letters,
# joined by "-" or "." ("7", "3A", "1-01", "2.A"). Short enough for a TV line and a breath.
MAX_LABEL_LEN: Final = 10
_LABEL_RE: Final = re.compile(r"[0-9A-Z]+(?:[-.][0-9A-Z]+)*")
_LABEL_RUN_RE: Final = re.compile(r"[0-9]+|[A-Z]+")


def read_counter_label(label: int | str, *, letter_names: bool = False) -> str:
    """A counter's label as spoken: 7 → "tujuh", "3A" → "tiga A", "1-01" → "satu nol satu".

    Each run of digits is a number in words ("12" → "dua belas"), except a run that starts with
    0, which is read digit by digit as in a ticket number ("01" → "nol satu"): on a desk "1-01"
    that 0 is written to be heard. Letters are said one by one, as in a ticket's prefix. The "-"
    or "." between groups is not said, as in a ticket number ("B-017" is "B nol satu tujuh").
    """
    text = str(label)
    if isinstance(label, bool) or len(text) > MAX_LABEL_LEN or not _LABEL_RE.fullmatch(text):
        raise ValueError(f"not a counter label: {label!r}")
    words: list[str] = []
    for run in _LABEL_RUN_RE.findall(text):
        if run[0].isdigit():
            words.append(spell_digits(run) if run[0] == "0" else terbilang(int(run)))
        else:
            words += [LETTER_NAMES[c] if letter_names else c for c in run]
    return " ".join(words)


def desk_words(label: int | str, spoken: str | None = None, *, letter_names: bool = False) -> str:
    """The desk as the voice names it: its own spoken form, or "loket" and its label read."""
    if spoken is not None and spoken.strip():
        return " ".join(spoken.split())
    return f"loket {read_counter_label(label, letter_names=letter_names)}"


def call_phrase(
    number: str,
    counter_label: int | str,
    style: ReadingStyle | str = ReadingStyle.DIGITS,
    agency: str | None = None,
    template: str = DEFAULT_TEMPLATE,
    *,
    spoken: str | None = None,
    letter_names: bool = False,
) -> str:
    """The announcement: "Nomor antrean B nol satu tujuh, silakan menuju loket lima".

    `counter_label` is the counter's `number` (7, "3A"); `spoken` its own spoken form, which
    the template's `{desk}` says instead of "loket" and the label.
    """
    values = {
        "number": read_ticket_number(number, style, letter_names=letter_names),
        "counter": read_counter_label(counter_label, letter_names=letter_names),
        "desk": desk_words(counter_label, spoken, letter_names=letter_names),
        "agency": " ".join(agency.split()) if agency else "",
    }
    return fill_template(template, values)


def handon_phrase(
    from_number: str,
    number: str,
    agency: str,
    style: ReadingStyle | str = ReadingStyle.DIGITS,
    *,
    letter_names: bool = False,
) -> str:
    """A visit's hand-on (issue 22): "Nomor antrean A nol satu tujuh, silakan lanjut ke BPJS
    Kesehatan, nomor antrean J nol satu empat." — `agency` is the next stop's agency's name."""
    return fill_handon(
        read_ticket_number(from_number, style, letter_names=letter_names),
        agency,
        read_ticket_number(number, style, letter_names=letter_names),
    )


# --------------------------------------------------------------------------------------------
# WAV helpers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WavInfo:
    channels: int
    sample_rate: int
    sample_width: int  # bytes per sample
    frames: int
    rms: float  # of 16-bit samples, 0..32767; silence is ~0

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def wav_info(data: bytes) -> WavInfo:
    """Parse a PCM WAV; raise ValueError if it is not one (wave.Error is a ValueError too)."""
    with wave.open(io.BytesIO(data), "rb") as w:
        channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
        frames = w.readframes(w.getnframes())
    count = len(frames) // (width * channels) if width and channels else 0
    rms = 0.0
    if width == 2 and frames:
        samples = array.array("h")
        samples.frombytes(frames[: len(frames) - len(frames) % 2])
        if sys.byteorder == "big":
            samples.byteswap()
        rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    return WavInfo(channels, rate, width, count, rms)


def _fix_wav_header(data: bytes) -> bytes:
    """Set the RIFF and data sizes that espeak-ng leaves at 0x7FFFFxxx when writing to a pipe."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("espeak-ng did not write a RIFF/WAVE stream")
    out = bytearray(data)
    pos = 12
    while pos + 8 <= len(out):
        chunk, size = out[pos : pos + 4], struct.unpack_from("<I", out, pos + 4)[0]
        if chunk == b"data":
            struct.pack_into("<I", out, pos + 4, len(out) - pos - 8)
            break
        pos += 8 + size + (size & 1)
    else:
        raise ValueError("no data chunk in espeak-ng's output")
    struct.pack_into("<I", out, 4, len(out) - 8)
    return bytes(out)


def _pcm_wav(samples: array.array[int], sample_rate: int) -> bytes:
    if sys.byteorder == "big":
        samples = array.array("h", samples)
        samples.byteswap()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


@cache
def chime_wav(sample_rate: int = 22050) -> bytes:
    """A two-note "ding-dong" (E6 then C6, bell-like decay), 16-bit mono, about 1.3 s."""
    notes = ((1318.5, 0.0), (1046.5, 0.45))  # frequency Hz, start s
    length = int(sample_rate * 1.3)
    mix = [0.0] * length
    for freq, start in notes:
        first = int(start * sample_rate)
        for i in range(length - first):
            t = i / sample_rate
            # A short attack avoids a click; the decay and a soft octave partial make it a bell.
            envelope = min(1.0, t / 0.004) * math.exp(-t * 3.2)
            tone = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t)
            mix[first + i] += 0.45 * envelope * tone
    fade = int(0.05 * sample_rate)  # end at silence, not mid-wave
    for i in range(fade):
        mix[length - 1 - i] *= i / fade
    peak = max(abs(v) for v in mix) or 1.0
    samples = array.array("h", (round(v / peak * 0.8 * 32767) for v in mix))
    return _pcm_wav(samples, sample_rate)


# --------------------------------------------------------------------------------------------
# espeak-ng rendering and its cache
# --------------------------------------------------------------------------------------------


class VoiceUnavailable(Exception):
    """The server cannot speak this phrase now (espeak-ng missing, failing or too slow)."""


def espeak_available() -> bool:
    """True when an espeak-ng executable is on PATH."""
    return shutil.which("espeak-ng") is not None


_SPOKEN_BY_DEFAULT: Final = VoiceConfig()


class VoiceRenderer:
    """Renders phrases with espeak-ng; one render per phrase, kept in a bounded LRU."""

    def __init__(
        self,
        *,
        max_entries: int = 512,
        max_bytes: int = 64 * 2**20,
        cache_dir: Path | str | None = None,
        executable: str = "espeak-ng",
        timeout_s: float = 10.0,
        concurrency: int = 2,
    ) -> None:
        # A phrase's WAV is ~100–250 KB: 512 of them is a busy day's distinct calls of a zone,
        # and the byte cap keeps a flood of distinct phrases from growing memory without end.
        self._cache: OrderedDict[tuple[str, str, int, int], bytes] = OrderedDict()
        self._cached_bytes = 0
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        # Optional second level that survives a restart; None keeps everything in memory.
        self._dir = Path(cache_dir) if cache_dir is not None else None
        self._executable = executable
        self._timeout_s = timeout_s
        # Each espeak-ng run takes a core for ~50–200 ms: bound them so TVs cannot starve the hub.
        # One semaphore per event loop: the renderer outlives loops (tests run one per test).
        self._concurrency = concurrency
        self._slots: asyncio.Semaphore | None = None
        self._slots_loop: asyncio.AbstractEventLoop | None = None
        # Renders in progress by key: six TVs asking for one call at once cause one render.
        self._pending: dict[tuple[str, str, int, int], asyncio.Future[bytes]] = {}
        self.renders = 0  # espeak-ng runs so far (tests check the cache with it)

    def cached(self, text: str, settings: VoiceConfig = _SPOKEN_BY_DEFAULT) -> bytes | None:
        """The WAV of a phrase if it is in memory, without rendering."""
        key = self._key(text, settings)
        data = self._cache.get(key)
        if data is not None:
            self._cache.move_to_end(key)
        return data

    async def render(self, text: str, settings: VoiceConfig = _SPOKEN_BY_DEFAULT) -> bytes:
        """The phrase as a WAV (mono, 16-bit); raise VoiceUnavailable when it cannot be made."""
        text = " ".join(text.split())
        if not text or len(text) > 500:
            raise ValueError("a phrase has 1 to 500 characters")
        key = self._key(text, settings)
        data = self.cached(text, settings)
        if data is not None:
            return data
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            data = self._read_disk(key)
            if data is None:
                data = await self._run_espeak(text, settings)
                self._write_disk(key, data)
            self._remember(key, data)
            future.set_result(data)
            return data
        except BaseException as exc:
            future.set_exception(exc if isinstance(exc, Exception) else VoiceUnavailable("stopped"))
            future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            del self._pending[key]

    @staticmethod
    def _key(text: str, settings: VoiceConfig) -> tuple[str, str, int, int]:
        return (
            " ".join(text.split()),
            settings.espeak_voice,
            settings.speed_wpm,
            settings.word_gap_10ms,
        )

    def _remember(self, key: tuple[str, str, int, int], data: bytes) -> None:
        old = self._cache.pop(key, None)
        if old is not None:
            self._cached_bytes -= len(old)
        self._cache[key] = data
        self._cached_bytes += len(data)
        while self._cache and (
            len(self._cache) > self._max_entries or self._cached_bytes > self._max_bytes
        ):
            _, dropped = self._cache.popitem(last=False)
            self._cached_bytes -= len(dropped)

    def _disk_path(self, key: tuple[str, str, int, int]) -> Path | None:
        if self._dir is None:
            return None
        digest = hashlib.sha256("\x1f".join(map(str, key)).encode()).hexdigest()
        return self._dir / f"{digest}.wav"

    def _read_disk(self, key: tuple[str, str, int, int]) -> bytes | None:
        path = self._disk_path(key)
        if path is None:
            return None
        try:
            data = path.read_bytes()
            wav_info(data)
        except (OSError, ValueError, EOFError):
            return None  # absent or damaged: render again
        return data

    def _write_disk(self, key: tuple[str, str, int, int], data: bytes) -> None:
        path = self._disk_path(key)
        if path is None:
            return
        # A cache is an optimisation: a full or read-only disk must not silence the TVs.
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)

    async def _run_espeak(self, text: str, settings: VoiceConfig) -> bytes:
        exe = shutil.which(self._executable)
        if exe is None:
            raise VoiceUnavailable("espeak-ng is not installed (scripts/system-deps.sh)")
        args = [
            exe,
            "-v",
            settings.espeak_voice,
            "-s",
            str(settings.speed_wpm),
            "-g",
            str(settings.word_gap_10ms),
            "--stdout",
        ]
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots_loop is not loop:
            self._slots, self._slots_loop = asyncio.Semaphore(self._concurrency), loop
        async with self._slots:
            self.renders += 1
            proc = await asyncio.create_subprocess_exec(
                *args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                async with asyncio.timeout(self._timeout_s):
                    # The text goes on stdin: a phrase can never be taken for an option.
                    out, err = await proc.communicate(text.encode("utf-8"))
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
                raise VoiceUnavailable(f"espeak-ng took over {self._timeout_s:g} s") from None
            except BaseException:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
                raise
        if proc.returncode != 0:
            detail = err.decode("utf-8", "replace").strip()[:200]
            raise VoiceUnavailable(f"espeak-ng failed ({proc.returncode}): {detail}")
        try:
            data = _fix_wav_header(out)
            info = wav_info(data)
        except (ValueError, EOFError) as exc:
            raise VoiceUnavailable(f"espeak-ng wrote no usable WAV: {exc}") from None
        if info.frames == 0:
            raise VoiceUnavailable("espeak-ng wrote an empty WAV")
        return data
