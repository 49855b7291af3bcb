"""The building file: one TOML file in, one validated `Building` out, or every mistake named.

Theory of operation: `load_building` reads the file, parses it with `tomllib`, and walks the
parsed tables with a `_Reader` that records a `ConfigProblem` for each mistake instead of stopping
at the first, so an operator fixes the whole file in one go. Each problem carries a key path
(`lines[A].cutoff`, `counters[L07].serves`, `lines[#3].prefix` for an entry whose id is itself
unusable) and, best effort, a line number: `_Locator` scans the raw text for table headers and
`key =` lines, since `tomllib` keeps no positions. Cross-references (a counter's lines, a line's
agency, zones) are checked after every section has been read, using whatever parts were valid, so
one bad entry does not drown the report in follow-on errors. Only a file without any problem
becomes a `Building`; the core trusts it and checks nothing again.

`docs/configuration.md` describes every field; `check_main` and `hash_pin_main` are the bodies of
`antre config check FILE` and `antre config hash-pin`.
"""

from __future__ import annotations

import difflib
import getpass
import itertools
import re
import sys
import tomllib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar

from server.auth import hash_pin, is_pin_hash, is_token_digest, token_digest
from server.core.building import (
    TIMEZONE_OFFSETS,
    Agency,
    Building,
    Counter,
    DayHours,
    Device,
    DeviceKind,
    Holiday,
    Line,
    Manager,
    ManagerRole,
    Officer,
    PolicySettings,
    SpecialHours,
    TimeRange,
    VoiceConfig,
    Zone,
)
from server.core.voice_text import ReadingStyle, validate_template

__all__ = [
    "WEEKDAYS",
    "ConfigError",
    "ConfigProblem",
    "check_main",
    "demo_building_path",
    "demo_credentials_path",
    "hash_pin_main",
    "load_building",
    "load_demo_building",
    "load_demo_credentials",
    "parse_building",
]

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

_DEMO_DIR = Path(__file__).resolve().parent / "demo"
_HASH_PIN_HINT = "generate one with `antre config hash-pin`"
_TOKEN_HINT = "set it to the SHA-256 (64 hex digits) of the device's token, e.g. `sha256sum`"
# SHA-256 of the empty string: a digest someone made by hashing nothing (an empty variable).
_EMPTY_DIGEST = token_digest("")

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_ID_RULE = "1–32 letters, digits, '.', '_' or '-', starting with a letter or digit"
_PREFIX_RE = re.compile(r"[A-Z]")
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")
_PIN_RE = re.compile(r"\d{4,12}")
_TOML_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$|\s*\(at end of document\)$")
_UNQUOTED_TIME_RE = re.compile(r"=\s*\d{1,2}:\d{2}(?!:\d)")


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One mistake in a building file, located as precisely as the raw text allows."""

    file: str
    line: int | None  # 1-based; None when no line can be pointed at (a missing file or table)
    key: str  # key path such as "lines[A].cutoff"; "" for a problem with the file as a whole
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(Exception):
    """A building file that cannot be used; `problems` lists every mistake found, in file order.

    `file`, `line`, `key` and `message` repeat the first problem for callers that show only one.
    """

    def __init__(self, problems: list[ConfigProblem]) -> None:
        if not problems:
            raise ValueError("ConfigError needs at least one problem")
        self.problems = problems  # every mistake, so the operator fixes the file in one go
        first = problems[0]
        # The first problem again, for callers (a log line, a dialog) that show only one.
        self.file = first.file
        self.line = first.line
        self.key = first.key
        self.message = first.message
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


# --------------------------------------------------------------------------------------------
# Locating keys in the raw text
# --------------------------------------------------------------------------------------------

_RawPath = tuple[str | int, ...]

_BARE_OR_QUOTED = r'(?:[A-Za-z0-9_-]+|"[^"\\]*"|\'[^\']*\')'
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"
_AOT_HEADER_RE = re.compile(rf"\s*\[\[\s*({_DOTTED})\s*\]\]\s*(?:#.*)?")
_TABLE_HEADER_RE = re.compile(rf"\s*\[\s*({_DOTTED})\s*\]\s*(?:#.*)?")
_KEY_LINE_RE = re.compile(rf"\s*({_DOTTED})\s*=(.*)")
_KEY_PART_RE = re.compile(_BARE_OR_QUOTED)


def _split_dotted(dotted: str) -> list[str]:
    return [p.strip("\"'") for p in _KEY_PART_RE.findall(dotted)]


def _advance(text: str, open_string: str | None, depth: int) -> tuple[str | None, int]:
    """Scan one line of a value; return what is still open after it (multi-line string, brackets).

    Good enough for locating keys: it ignores escapes inside multi-line strings.
    """
    i, n = 0, len(text)
    while i < n:
        if open_string is not None:
            j = text.find(open_string, i)
            if j < 0:
                return open_string, depth
            i, open_string = j + 3, None
            continue
        c = text[i]
        if c == "#":
            break
        if text.startswith('"""', i) or text.startswith("'''", i):
            open_string, i = text[i : i + 3], i + 3
            continue
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            continue
        if c == "'":
            j = text.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return open_string, depth


class _Locator:
    """Best-effort map from key paths to 1-based line numbers in the raw TOML text.

    A path indexes arrays of tables by position: ("lines", 2, "cutoff") is the `cutoff` key of the
    third `[[lines]]` table. Keys inside inline tables map to the line of the inline table.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[_RawPath, int] = {}  # first line where each path is written
        self._last_index: dict[tuple[str, ...], int] = {}  # current element of each [[array]]
        self._counts: dict[_RawPath, int] = {}  # elements seen so far of each [[array]]
        self._scan(text)

    def locate(self, path: _RawPath) -> int | None:
        """The line of the path, else of its nearest enclosing table or key that was found."""
        for end in range(len(path), 0, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return None

    def _resolve(self, parts: list[str]) -> _RawPath:
        # [special_hours.friday] after a second [[special_hours]] is ("special_hours", 1, "friday")
        out: list[str | int] = []
        for i, part in enumerate(parts):
            out.append(part)
            index = self._last_index.get(tuple(parts[: i + 1]))
            if index is not None and i < len(parts) - 1:
                out.append(index)
        return tuple(out)

    def _scan(self, text: str) -> None:
        current: _RawPath = ()
        open_string: str | None = None
        depth = 0
        for lineno, line in enumerate(text.splitlines(), 1):
            if open_string is not None or depth:
                open_string, depth = _advance(line, open_string, depth)
                continue
            if m := _AOT_HEADER_RE.fullmatch(line):
                parts = _split_dotted(m[1])
                parent = self._resolve(parts)
                index = self._counts.get(parent, -1) + 1
                self._counts[parent] = index
                self._last_index[tuple(parts)] = index
                current = (*parent, index)
                self._lines.setdefault(parent, lineno)  # "policy" for a mistaken [[policy]]
                self._lines.setdefault(current, lineno)
            elif m := _TABLE_HEADER_RE.fullmatch(line):
                current = self._resolve(_split_dotted(m[1]))
                self._lines.setdefault(current, lineno)
            elif m := _KEY_LINE_RE.fullmatch(line):
                self._lines.setdefault((*current, *_split_dotted(m[1])), lineno)
                open_string, depth = _advance(m[2], None, 0)


# --------------------------------------------------------------------------------------------
# Reading values
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Key:
    """A key path, both as the locator indexes it and as the operator reads it."""

    raw: _RawPath = ()
    shown: str = ""

    def __truediv__(self, name: str) -> _Key:
        return _Key((*self.raw, name), f"{self.shown}.{name}" if self.shown else name)

    def item(self, index: int, label: str | None = None) -> _Key:
        """The index-th entry of an array, shown by its id when it has a usable one."""
        tag = label if label is not None else f"#{index + 1}"
        return _Key((*self.raw, index), f"{self.shown}[{tag}]")


_Seen = tuple[_Key, _Key]  # the entry that first used a value, and the key it was written at
_T = TypeVar("_T")
_MISSING: Any = object()


def _describe(value: object) -> str:
    """How a TOML value reads in a message: `integer 5`, `string "x"`, `array`."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, str):
        return f'string "{value}"'
    if isinstance(value, datetime):
        return f"date-time {value.isoformat()}"
    if isinstance(value, date):
        return f"date {value.isoformat()}"
    if isinstance(value, time):
        return f"time {value.isoformat()}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def _span(r: TimeRange) -> str:
    return f"{_hhmm(r.start)}–{_hhmm(r.end)}"


class _Reader:
    """Reads typed values out of parsed tables, recording a problem for each bad one."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file  # named in every problem, as the operator typed it
        self._locator = _Locator(text)  # tomllib keeps no positions; the raw text does
        self.problems: list[ConfigProblem] = []  # collected, never raised one by one

    def line_of(self, key: _Key) -> int | None:
        return self._locator.locate(key.raw)

    def problem(self, key: _Key, message: str) -> None:
        self.problems.append(ConfigProblem(self.file, self.line_of(key), key.shown, message))

    def first_at(self, entry: _Key, at: _Key | None = None) -> str:
        """An entry with the line of `at` (default: the entry), "lines[A] (line 31)"."""
        line = self.line_of(at or entry)
        return f"{entry.shown} (line {line})" if line is not None else entry.shown

    # ---- tables ----

    def table(
        self, value: object, key: _Key, allowed: Collection[str], header: str | None = None
    ) -> dict[str, Any] | None:
        """The value as a table with only allowed keys; unknown keys are reported, not ignored."""
        if not isinstance(value, dict):
            hint = f"; write [{header}]" if header and isinstance(value, list) else ""
            self.problem(key, f"expected a table, got {_describe(value)}{hint}")
            return None
        for name in value:
            if name not in allowed:
                hint = _suggest(name, allowed) or "; allowed: " + ", ".join(allowed)
                self.problem(key / name, f'unknown key "{name}"{hint}')
        return value

    def entries(
        self, doc: dict[str, Any], name: str, *, required: bool
    ) -> list[tuple[int, dict[str, Any]]]:
        """The tables of a `[[name]]` array, with their positions; reports a lone `[name]`."""
        key = _Key() / name
        value = doc.get(name, _MISSING)
        if value is _MISSING:
            if required:
                self.problem(key, f"required: add at least one [[{name}]] table")
            return []
        if isinstance(value, dict):
            self.problem(key, f"expected an array of tables: write [[{name}]], not [{name}]")
            return []
        if not isinstance(value, list):
            self.problem(key, f"expected an array of [[{name}]] tables, got {_describe(value)}")
            return []
        if required and not value:
            self.problem(key, f"required: add at least one [[{name}]] table")
        out = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append((i, item))
            else:
                self.problem(key.item(i), f"expected a table, got {_describe(item)}")
        return out

    # ---- fields ----

    def get(
        self,
        table: dict[str, Any],
        key: _Key,
        name: str,
        convert: Callable[[object, _Key], _T | None],
        default: Any = _MISSING,
    ) -> _T | None:
        """The converted value of `table[name]`; the default when absent; None when bad."""
        value = table.get(name, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                self.problem(key / name, "required key is missing")
                return None
            return default  # type: ignore[no-any-return]
        return convert(value, key / name)

    def string(self, value: object, key: _Key) -> str | None:
        if not isinstance(value, str):
            self.problem(key, f"expected a string, got {_describe(value)}")
            return None
        if not value.strip():
            self.problem(key, "must not be empty")
            return None
        return value

    def text(self, value: object, key: _Key) -> str | None:
        """A string that may be empty (running text)."""
        if not isinstance(value, str):
            self.problem(key, f"expected a string, got {_describe(value)}")
            return None
        return value

    def ident(self, value: object, key: _Key) -> str | None:
        """An id or code: short, no spaces. A number is read as its digits (zone = 1 is "1")."""
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            value = str(value)
        if not isinstance(value, str):
            self.problem(key, f"expected a string, got {_describe(value)}")
            return None
        if not _ID_RE.fullmatch(value):
            self.problem(key, f'"{value}" is not a valid id: use {_ID_RULE}')
            return None
        return value

    def boolean(self, value: object, key: _Key) -> bool | None:
        if not isinstance(value, bool):
            self.problem(key, f"expected true or false, got {_describe(value)}")
            return None
        return value

    def whole(self, value: object, key: _Key, minimum: int = 0) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"expected a whole number ≥ {minimum}, got {_describe(value)}")
            return None
        if value < minimum:
            self.problem(key, f"must be ≥ {minimum}, got {value}")
            return None
        return value

    def count(self, value: object, key: _Key) -> int | None:
        """A whole number ≥ 0 (quotas, ratios)."""
        return self.whole(value, key, 0)

    def number(self, value: object, key: _Key, *, positive: bool = True) -> float | None:
        """A number of minutes or seconds: > 0, or ≥ 0 when not `positive`."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(key, f"expected a number, got {_describe(value)}")
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.problem(key, f"expected a finite number, got {value}")
            return None
        if positive and value <= 0:
            self.problem(key, f"must be greater than 0, got {value}")
            return None
        if not positive and value < 0:
            self.problem(key, f"must be ≥ 0, got {value}")
            return None
        return float(value)

    def non_negative(self, value: object, key: _Key) -> float | None:
        return self.number(value, key, positive=False)

    def clock(self, value: object, key: _Key) -> time | None:
        """A time of day: "HH:MM" (a TOML local time such as 07:30:00 is accepted too)."""
        if isinstance(value, time):
            return value.replace(tzinfo=None)
        if isinstance(value, str):
            m = _TIME_RE.fullmatch(value.strip())
            if m and int(m[1]) < 24 and int(m[2]) < 60:
                return time(int(m[1]), int(m[2]))
            self.problem(
                key, f'"{value}" is not a time of day; write "HH:MM" from "00:00" to "23:59"'
            )
            return None
        self.problem(key, f'expected a time such as "07:30", got {_describe(value)}')
        return None

    def day(self, value: object, key: _Key) -> date | None:
        """A calendar date: TOML 2026-12-25 (a quoted "2026-12-25" is accepted too)."""
        if isinstance(value, datetime):
            self.problem(key, f"expected a date such as 2026-12-25, got {_describe(value)}")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(key, f"expected a date such as 2026-12-25, got {_describe(value)}")
        return None

    def strings(self, value: object, key: _Key) -> list[str] | None:
        """A non-empty array of strings."""
        if not isinstance(value, list):
            self.problem(
                key, f'expected an array of strings such as ["A", "B"], got {_describe(value)}'
            )
            return None
        if not value:
            self.problem(key, "must list at least one entry")
            return None
        bad = [v for v in value if not isinstance(v, str)]
        if bad:
            self.problem(key, f"expected strings only, got {_describe(bad[0])}")
            return None
        return value

    def choice(self, choices: dict[str, _T]) -> Callable[[object, _Key], _T | None]:
        """A converter accepting exactly one of the given strings."""

        def convert(value: object, key: _Key) -> _T | None:
            if isinstance(value, str) and value in choices:
                return choices[value]
            allowed = " or ".join(f'"{c}"' for c in choices)
            self.problem(key, f"expected {allowed}, got {_describe(value)}")
            return None

        return convert

    def pin_hash(self, value: object, key: _Key) -> str | None:
        if isinstance(value, str) and is_pin_hash(value):
            return value
        if isinstance(value, str | int) and _PIN_RE.fullmatch(str(value)):
            self.problem(key, f"looks like a plain PIN; store only its hash: {_HASH_PIN_HINT}")
        else:
            self.problem(key, f"not a PIN hash ({_describe(value)}); {_HASH_PIN_HINT}")
        return None

    def token_sha256(self, value: object, key: _Key) -> str | None:
        if isinstance(value, str) and is_token_digest(value.lower()):
            if value.lower() == _EMPTY_DIGEST:
                self.problem(key, "this is the SHA-256 of an empty token; hash the real token")
                return None
            return value.lower()
        self.problem(key, f"not a SHA-256 digest ({_describe(value)}); {_TOKEN_HINT}")
        return None

    # ---- cross-references and duplicates ----

    def unique(
        self, seen: dict[Any, _Seen], value: Any, entry: _Key, field: str, what: str
    ) -> None:
        """Remember the first entry that used each value; report later ones as duplicates."""
        if value is None:
            return
        if value in seen:
            first = self.first_at(*seen[value])
            self.problem(entry / field, f'duplicate {what} "{value}": already used by {first}')
        else:
            seen[value] = (entry, entry / field)

    def exists(self, value: str | None, known: Collection[str], key: _Key, what: str) -> bool:
        """True if the reference names a known entry; reports it (with a suggestion) if not."""
        if value is None:
            return False
        if value in known:
            return True
        hint = _suggest(value, known) or (
            f"; known: {', '.join(sorted(known))}" if 0 < len(known) <= 12 else ""
        )
        self.problem(key, f'unknown {what} "{value}"{hint}')
        return False


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------

_TOP_LEVEL = (
    "building",
    "hours",
    "holidays",
    "special_hours",
    "zones",
    "agencies",
    "lines",
    "counters",
    "devices",
    "officers",
    "managers",
    "policy",
    "voice",
)
_BUILDING_KEYS = ("name", "timezone", "running_text")
_DAY_KEYS = ("open", "close", "breaks")
_HOLIDAY_KEYS = ("date", "name")
_SPECIAL_KEYS = ("name", "start", "end", *WEEKDAYS)
_ZONE_KEYS = ("id", "name")
_AGENCY_KEYS = ("code", "name", "short_name", "zone")
_LINE_KEYS = (
    "prefix",
    "agency",
    "name",
    "target_service_min",
    "quota_walk_in",
    "quota_priority",
    "cutoff",
    "max_wait_min",
)
_COUNTER_KEYS = ("id", "name", "number", "zone", "agency", "serves", "priority")
_DEVICE_KEYS = ("id", "kind", "zone", "token_sha256")
_OFFICER_KEYS = ("id", "name", "agency", "pin_hash")
_MANAGER_KEYS = ("id", "name", "role", "pin_hash")
_POLICY_KEYS = tuple(PolicySettings.__dataclass_fields__)
_VOICE_KEYS = tuple(VoiceConfig.__dataclass_fields__)
# espeak-ng takes 80..450 words per minute; past 250 a call is too quick for a hall with an echo.
_SPEED_WPM = (80, 250)
_CLOSED = "closed"


def _label(table: dict[str, Any], name: str) -> str | None:
    """The id an entry is shown by in key paths, if it has a usable one."""
    value = table.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, date):
        value = value.isoformat()
    if isinstance(value, str) and _ID_RE.fullmatch(value):
        return value
    return None


def _read_building(doc: dict[str, Any], r: _Reader) -> tuple[str | None, str | None, str | None]:
    key = _Key() / "building"
    value = doc.get("building", _MISSING)
    if value is _MISSING:
        r.problem(key, 'required: add a [building] table with name and timezone = "WIB"')
        return None, None, None
    table = r.table(value, key, _BUILDING_KEYS, header="building")
    if table is None:
        return None, None, None
    name = r.get(table, key, "name", r.string)
    tz = r.get(table, key, "timezone", r.string)
    if tz is not None and tz not in TIMEZONE_OFFSETS:
        r.problem(
            key / "timezone",
            f'unknown timezone "{tz}"; use one of {", ".join(TIMEZONE_OFFSETS)}',
        )
        tz = None
    running_text = r.get(table, key, "running_text", r.text, "")
    return name, tz, running_text


def _read_day(value: object, key: _Key, r: _Reader) -> tuple[bool, DayHours | None]:
    """One weekday: (True, hours), (True, None) for "closed", or (False, None) when bad."""
    if value == _CLOSED:
        return True, None
    if not isinstance(value, dict):
        r.problem(
            key,
            f'expected "closed" or a table such as {{ open = "07:30", close = "16:00" }}, '
            f"got {_describe(value)}",
        )
        return False, None
    r.table(value, key, _DAY_KEYS)
    table = value
    problems_before = len(r.problems)
    opens = r.get(table, key, "open", r.clock)
    closes = r.get(table, key, "close", r.clock)
    if opens is not None and closes is not None and opens >= closes:
        r.problem(key, f"opens at {_hhmm(opens)} but closes at {_hhmm(closes)}; close after open")
    breaks = _read_breaks(table.get("breaks", []), key / "breaks", r, opens, closes)
    if len(r.problems) > problems_before or opens is None or closes is None or breaks is None:
        return False, None
    return True, DayHours(open=opens, close=closes, breaks=breaks)


def _read_breaks(
    value: object, key: _Key, r: _Reader, opens: time | None, closes: time | None
) -> tuple[TimeRange, ...] | None:
    shape = 'an array of ["start", "end"] pairs such as [["11:30", "13:00"]]'
    if not isinstance(value, list):
        r.problem(key, f"expected {shape}, got {_describe(value)}")
        return None
    spans: list[TimeRange] = []
    ok = True
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2):
            r.problem(key, f"expected {shape}; one entry is {_describe(pair)}")
            ok = False
            continue
        start, end = r.clock(pair[0], key), r.clock(pair[1], key)
        if start is None or end is None:
            ok = False
            continue
        span = TimeRange(start, end)
        if start >= end:
            r.problem(key, f"break {_span(span)} ends before it starts")
            ok = False
        elif opens is not None and closes is not None and not (opens <= start and end <= closes):
            r.problem(
                key,
                f"break {_span(span)} is not inside opening hours {_hhmm(opens)}–{_hhmm(closes)}",
            )
            ok = False
        spans.append(span)
    ordered = sorted(spans, key=lambda s: s.start)
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            r.problem(key, f"break {_span(after)} overlaps break {_span(before)}")
            ok = False
    return tuple(ordered) if ok else None


def _read_hours(
    doc: dict[str, Any], r: _Reader
) -> tuple[tuple[DayHours | None, ...] | None, list[DayHours]]:
    """The week (None if any day is bad), and the open days that were read correctly."""
    key = _Key() / "hours"
    value = doc.get("hours", _MISSING)
    if value is _MISSING:
        r.problem(key, 'required: add an [hours] table, e.g. monday = { open = "07:30", ... }')
        return None, []
    table = r.table(value, key, WEEKDAYS, header="hours")
    if table is None:
        return None, []
    week: list[DayHours | None] = []
    ok = True
    for day in WEEKDAYS:
        if day not in table:
            r.problem(key / day, f'missing; write {day} = "closed" if the building is closed then')
            ok = False
            continue
        day_ok, hours = _read_day(table[day], key / day, r)
        ok = ok and day_ok
        week.append(hours)
    if ok and all(h is None for h in week):
        r.problem(key, "the building is closed every day of the week")
        ok = False
    return (tuple(week) if ok else None), [h for h in week if h is not None]


def _read_holidays(doc: dict[str, Any], r: _Reader) -> list[Holiday]:
    holidays: list[Holiday] = []
    seen: dict[date, _Seen] = {}
    for i, table in r.entries(doc, "holidays", required=False):
        day_value = table.get("date")
        label = day_value.isoformat() if type(day_value) is date else None
        key = (_Key() / "holidays").item(i, label)
        r.table(table, key, _HOLIDAY_KEYS)
        day = r.get(table, key, "date", r.day)
        name = r.get(table, key, "name", r.string)
        r.unique(seen, day, key, "date", "holiday date")
        if day is not None and name is not None:
            holidays.append(Holiday(day=day, name=name))
    return holidays


def _read_special_hours(
    doc: dict[str, Any], r: _Reader, regular: tuple[DayHours | None, ...] | None
) -> list[SpecialHours]:
    """Special periods; weekdays a period does not list keep their regular hours."""
    out: list[SpecialHours] = []
    spans: list[tuple[date, date, _Key]] = []
    for i, table in r.entries(doc, "special_hours", required=False):
        key = (_Key() / "special_hours").item(i)
        r.table(table, key, _SPECIAL_KEYS)
        name = r.get(table, key, "name", r.string)
        start = r.get(table, key, "start", r.day)
        end = r.get(table, key, "end", r.day)
        ok = name is not None and start is not None and end is not None
        if start is not None and end is not None:
            if end < start:
                r.problem(key / "end", f"ends on {end} before it starts on {start}")
                ok = False
            else:
                spans.append((start, end, key))
        week: list[DayHours | None] = []
        for n, day in enumerate(WEEKDAYS):
            if day in table:
                day_ok, hours = _read_day(table[day], key / day, r)
                ok = ok and day_ok
                week.append(hours)
            else:
                week.append(regular[n] if regular is not None else None)
        if ok and regular is not None and name and start and end:
            out.append(SpecialHours(name=name, start=start, end=end, weekly=tuple(week)))
    spans.sort(key=lambda s: s[0])
    # Compare each period with the one reaching furthest so far, not just its neighbour.
    furthest: tuple[date, _Key] | None = None
    for start, end, key in spans:
        if furthest is not None and start <= furthest[0]:
            earlier = furthest[1]
            r.problem(
                key / "start",
                f"overlaps {r.first_at(earlier, earlier / 'start')}; periods must not overlap",
            )
        if furthest is None or end > furthest[0]:
            furthest = (end, key)
    return out


def _read_zones(doc: dict[str, Any], r: _Reader) -> tuple[list[Zone], set[str]]:
    zones: list[Zone] = []
    seen: dict[Any, _Seen] = {}
    for i, table in r.entries(doc, "zones", required=True):
        key = (_Key() / "zones").item(i, _label(table, "id"))
        r.table(table, key, _ZONE_KEYS)
        zone_id = r.get(table, key, "id", r.ident)
        name = r.get(table, key, "name", r.string, f"Zona {zone_id}")
        r.unique(seen, zone_id, key, "id", "zone id")
        if zone_id is not None and name is not None:
            zones.append(Zone(id=zone_id, name=name))
    return zones, set(seen)


def _read_agencies(
    doc: dict[str, Any], r: _Reader, zone_ids: set[str]
) -> tuple[list[Agency], dict[str, str | None]]:
    """The agencies, and every code that was read with its zone (None if the zone is bad)."""
    agencies: list[Agency] = []
    codes: dict[str, str | None] = {}
    seen: dict[Any, _Seen] = {}
    for i, table in r.entries(doc, "agencies", required=True):
        key = (_Key() / "agencies").item(i, _label(table, "code"))
        r.table(table, key, _AGENCY_KEYS)
        code = r.get(table, key, "code", r.ident)
        name = r.get(table, key, "name", r.string)
        short_name = r.get(table, key, "short_name", r.string, name)
        zone = r.get(table, key, "zone", r.ident)
        zone_ok = r.exists(zone, zone_ids, key / "zone", "zone")
        r.unique(seen, code, key, "code", "agency code")
        if code is not None and code not in codes:
            codes[code] = zone if zone_ok else None
        if code and name and short_name and zone and zone_ok:
            agencies.append(Agency(code=code, name=name, short_name=short_name, zone=zone))
    return agencies, codes


def _read_lines(
    doc: dict[str, Any], r: _Reader, agency_codes: Collection[str]
) -> tuple[list[tuple[Line, _Key]], dict[str, tuple[str | None, _Key]]]:
    """The lines with their keys, and every prefix read with its agency (None if unknown)."""
    lines: list[tuple[Line, _Key]] = []
    prefixes: dict[str, tuple[str | None, _Key]] = {}
    seen: dict[Any, _Seen] = {}
    for i, table in r.entries(doc, "lines", required=True):
        raw_prefix = table.get("prefix")
        label = (
            raw_prefix if isinstance(raw_prefix, str) and _PREFIX_RE.fullmatch(raw_prefix) else None
        )
        key = (_Key() / "lines").item(i, label)
        r.table(table, key, _LINE_KEYS)
        problems_before = len(r.problems)
        prefix = r.get(table, key, "prefix", r.string)
        if prefix is not None and not _PREFIX_RE.fullmatch(prefix):
            r.problem(key / "prefix", f'must be one uppercase letter A–Z, got "{prefix}"')
            # Still known as a line, so counters that serve it raise no second problem.
            prefixes.setdefault(prefix, (None, key))
            prefix = None
        agency = r.get(table, key, "agency", r.ident)
        agency_ok = r.exists(agency, agency_codes, key / "agency", "agency")
        name = r.get(table, key, "name", r.string)
        target = r.get(table, key, "target_service_min", r.number)
        quota_walk_in = r.get(table, key, "quota_walk_in", r.count, None)
        quota_priority = r.get(table, key, "quota_priority", r.count, None)
        cutoff = r.get(table, key, "cutoff", r.clock, None)
        max_wait = r.get(table, key, "max_wait_min", r.number, None)
        r.unique(seen, prefix, key, "prefix", "prefix")
        if prefix is not None and prefix not in prefixes:
            prefixes[prefix] = (agency if agency_ok else None, key)
        valid = len(r.problems) == problems_before
        if valid and prefix and agency and name and target is not None:
            line = Line(
                prefix=prefix,
                agency=agency,
                name=name,
                target_service_min=target,
                quota_walk_in=quota_walk_in,
                quota_priority=quota_priority,
                cutoff=cutoff,
                max_wait_min=max_wait,
            )
            lines.append((line, key))
    return lines, prefixes


def _counter_number(counter_id: str) -> int | None:
    """The last run of digits in a counter id: "L07" is loket 7."""
    runs = re.findall(r"\d+", counter_id)
    return int(runs[-1]) if runs and int(runs[-1]) > 0 else None


def _read_counters(
    doc: dict[str, Any],
    r: _Reader,
    zone_ids: set[str],
    agency_zones: dict[str, str | None],
    prefixes: dict[str, tuple[str | None, _Key]],
) -> tuple[list[Counter], set[str]]:
    """The counters, and the prefixes that at least one counter (valid or not) serves."""
    counters: list[Counter] = []
    served: set[str] = set()
    seen_ids: dict[Any, _Seen] = {}
    seen_numbers: dict[Any, _Seen] = {}
    for i, table in r.entries(doc, "counters", required=True):
        key = (_Key() / "counters").item(i, _label(table, "id"))
        r.table(table, key, _COUNTER_KEYS)
        problems_before = len(r.problems)
        counter_id = r.get(table, key, "id", r.ident)
        agency = r.get(table, key, "agency", r.ident)
        agency_ok = r.exists(agency, agency_zones, key / "agency", "agency")
        default_number = _counter_number(counter_id) if counter_id else None
        if "number" in table:
            number = r.get(table, key, "number", lambda v, k: r.whole(v, k, 1))
        elif counter_id is not None and default_number is None:
            r.problem(key / "number", f'no number in the id "{counter_id}"; add number = N')
            number = None
        else:
            number = default_number
        name = r.get(table, key, "name", r.string, f"Loket {number}")
        default_zone = agency_zones.get(agency) if agency_ok and agency else None
        zone = r.get(table, key, "zone", r.ident, default_zone)
        if "zone" in table:
            r.exists(zone, zone_ids, key / "zone", "zone")
        priority = r.get(table, key, "priority", r.boolean, False)
        serves = r.get(table, key, "serves", r.strings)
        for prefix in serves or ():
            served.add(prefix)
            if prefix not in prefixes:
                hint = _suggest(prefix, prefixes)
                r.problem(key / "serves", f'serves unknown line "{prefix}"{hint}')
                continue
            line_agency = prefixes[prefix][0]
            if agency_ok and line_agency is not None and line_agency != agency:
                r.problem(
                    key / "serves",
                    f'serves line "{prefix}" of agency {line_agency}, '
                    f"but the counter belongs to {agency}",
                )
        if serves is not None and len(set(serves)) != len(serves):
            twice = sorted({p for p in serves if serves.count(p) > 1})
            r.problem(key / "serves", f"lists {', '.join(twice)} more than once")
        r.unique(seen_ids, counter_id, key, "id", "counter id")
        if number is not None and number in seen_numbers:
            where, source = ("number", "") if "number" in table else ("id", " (from the id)")
            r.problem(
                key / where,
                f"loket number {number}{source} is already used by "
                f"{r.first_at(*seen_numbers[number])}; numbers are read aloud, keep them unique",
            )
        elif number is not None:
            seen_numbers[number] = (key, key / ("number" if "number" in table else "id"))
        valid = len(r.problems) == problems_before
        # zone is None without a problem here when the agency's own zone was the bad one.
        if valid and counter_id and name and number and zone and agency and serves is not None:
            counters.append(
                Counter(
                    id=counter_id,
                    name=name,
                    number=number,
                    zone=zone,
                    agency=agency,
                    serves=tuple(serves),
                    priority=bool(priority),
                )
            )
    return counters, served


def _read_devices(doc: dict[str, Any], r: _Reader, zone_ids: set[str]) -> list[Device]:
    devices: list[Device] = []
    seen: dict[Any, _Seen] = {}
    seen_digests: dict[Any, _Seen] = {}  # two devices with one token could not be told apart
    kinds = r.choice({k.value: k for k in DeviceKind})
    for i, table in r.entries(doc, "devices", required=False):
        key = (_Key() / "devices").item(i, _label(table, "id"))
        r.table(table, key, _DEVICE_KEYS)
        problems_before = len(r.problems)
        device_id = r.get(table, key, "id", r.ident)
        kind = r.get(table, key, "kind", kinds)
        zone = r.get(table, key, "zone", r.ident, None)
        if zone is not None:
            r.exists(zone, zone_ids, key / "zone", "zone")
        if "token_sha256" not in table:
            r.problem(key / "token_sha256", f"missing token digest; {_TOKEN_HINT}")
            digest = None
        else:
            digest = r.get(table, key, "token_sha256", r.token_sha256)
        r.unique(seen, device_id, key, "id", "device id")
        r.unique(seen_digests, digest, key, "token_sha256", "token digest")
        if len(r.problems) == problems_before and device_id and kind and digest:
            devices.append(Device(id=device_id, kind=kind, zone=zone, token_sha256=digest))
    return devices


def _read_people(
    doc: dict[str, Any], r: _Reader, agency_codes: Collection[str]
) -> tuple[list[Officer], list[Manager]]:
    """Officers and managers; one id space for both, since both log in by id and PIN."""
    officers: list[Officer] = []
    managers: list[Manager] = []
    seen: dict[Any, _Seen] = {}
    roles = r.choice({k.value: k for k in ManagerRole})

    def pin(table: dict[str, Any], key: _Key) -> str | None:
        if "pin_hash" not in table or table["pin_hash"] == "":
            r.problem(key / "pin_hash", f"missing PIN hash; {_HASH_PIN_HINT}")
            return None
        return r.get(table, key, "pin_hash", r.pin_hash)

    for i, table in r.entries(doc, "officers", required=False):
        key = (_Key() / "officers").item(i, _label(table, "id"))
        r.table(table, key, _OFFICER_KEYS)
        problems_before = len(r.problems)
        officer_id = r.get(table, key, "id", r.ident)
        name = r.get(table, key, "name", r.string)
        agency = r.get(table, key, "agency", r.ident)
        r.exists(agency, agency_codes, key / "agency", "agency")
        pin_hash = pin(table, key)
        r.unique(seen, officer_id, key, "id", "person id")
        if len(r.problems) == problems_before and officer_id and name and agency and pin_hash:
            officers.append(Officer(id=officer_id, name=name, agency=agency, pin_hash=pin_hash))
    for i, table in r.entries(doc, "managers", required=False):
        key = (_Key() / "managers").item(i, _label(table, "id"))
        r.table(table, key, _MANAGER_KEYS)
        problems_before = len(r.problems)
        manager_id = r.get(table, key, "id", r.ident)
        name = r.get(table, key, "name", r.string)
        role = r.get(table, key, "role", roles)
        pin_hash = pin(table, key)
        r.unique(seen, manager_id, key, "id", "person id")
        if len(r.problems) == problems_before and manager_id and name and role and pin_hash:
            managers.append(Manager(id=manager_id, name=name, role=role, pin_hash=pin_hash))
    return officers, managers


def _read_policy(doc: dict[str, Any], r: _Reader) -> PolicySettings | None:
    key = _Key() / "policy"
    value = doc.get("policy", {})
    table = r.table(value, key, _POLICY_KEYS, header="policy")
    if table is None:
        return None
    defaults = PolicySettings()
    problems_before = len(r.problems)
    settings = PolicySettings(
        regular_per_priority=r.get(
            table, key, "regular_per_priority", r.count, defaults.regular_per_priority
        ),
        max_wait_min=r.get(table, key, "max_wait_min", r.number, defaults.max_wait_min),
        priority_counter_first=r.get(
            table, key, "priority_counter_first", r.boolean, defaults.priority_counter_first
        ),
        protect_regular=r.get(table, key, "protect_regular", r.boolean, defaults.protect_regular),
        regular_delay_pct=r.get(
            table, key, "regular_delay_pct", r.non_negative, defaults.regular_delay_pct
        ),
        regular_delay_min=r.get(
            table, key, "regular_delay_min", r.non_negative, defaults.regular_delay_min
        ),
        noshow_window_min=r.get(
            table, key, "noshow_window_min", r.non_negative, defaults.noshow_window_min
        ),
        printing_timeout_s=r.get(
            table, key, "printing_timeout_s", r.number, defaults.printing_timeout_s
        ),
        closing_grace_min=r.get(
            table, key, "closing_grace_min", r.non_negative, defaults.closing_grace_min
        ),
        estimate_window=r.get(
            table, key, "estimate_window", lambda v, k: r.whole(v, k, 1), defaults.estimate_window
        ),
    )
    return settings if len(r.problems) == problems_before else None


def _read_voice(doc: dict[str, Any], r: _Reader) -> VoiceConfig | None:
    key = _Key() / "voice"
    value = doc.get("voice", {})
    table = r.table(value, key, _VOICE_KEYS, header="voice")
    if table is None:
        return None
    defaults = VoiceConfig()
    problems_before = len(r.problems)
    styles = r.choice({s.value: s.value for s in ReadingStyle})

    def template(value: object, at: _Key) -> str | None:
        text = r.string(value, at)
        if text is None:
            return None
        try:
            validate_template(text)
        except ValueError as e:
            r.problem(at, f'{e}; for example template = "{defaults.template}"')
            return None
        return text

    def speed(value: object, at: _Key) -> int | None:
        low, high = _SPEED_WPM
        if isinstance(value, bool) or not isinstance(value, int):
            r.problem(at, f"expected a whole number from {low} to {high}, got {_describe(value)}")
            return None
        if not low <= value <= high:
            r.problem(at, f"must be {low} to {high} words per minute, got {value}")
            return None
        return value

    voice = VoiceConfig(
        style=r.get(table, key, "style", styles, defaults.style),
        template=r.get(table, key, "template", template, defaults.template),
        agency=r.get(table, key, "agency", r.boolean, defaults.agency),
        speed_wpm=r.get(table, key, "speed_wpm", speed, defaults.speed_wpm),
    )
    return voice if len(r.problems) == problems_before else None


def _check_cutoffs(lines: list[tuple[Line, _Key]], open_days: list[DayHours], r: _Reader) -> None:
    """A cutoff that falls outside opening hours on every open day is a typo, not a policy."""
    if not open_days:
        return
    latest_close = max(h.close for h in open_days)
    earliest_open = min(h.open for h in open_days)
    for line, key in lines:
        cutoff = line.cutoff
        if cutoff is None or any(h.open < cutoff <= h.close for h in open_days):
            continue
        if cutoff > latest_close:
            r.problem(
                key / "cutoff",
                f"cutoff {_hhmm(cutoff)} is after closing time on every open day "
                f"(latest close {_hhmm(latest_close)}), so it would never apply",
            )
        else:
            r.problem(
                key / "cutoff",
                f"cutoff {_hhmm(cutoff)} is not after opening time on any open day "
                f"(earliest open {_hhmm(earliest_open)}), so no ticket could ever be issued",
            )


def _read(doc: dict[str, Any], r: _Reader) -> Building | None:
    for name in doc:
        if name not in _TOP_LEVEL:
            hint = _suggest(name, _TOP_LEVEL) or "; allowed: " + ", ".join(_TOP_LEVEL)
            r.problem(_Key() / name, f'unknown table "{name}"{hint}')
    name, tz, running_text = _read_building(doc, r)
    week, open_days = _read_hours(doc, r)
    holidays = _read_holidays(doc, r)
    special = _read_special_hours(doc, r, week)
    zones, zone_ids = _read_zones(doc, r)
    agencies, agency_zones = _read_agencies(doc, r, zone_ids)
    lines, prefixes = _read_lines(doc, r, agency_zones)
    counters, served = _read_counters(doc, r, zone_ids, agency_zones, prefixes)
    for prefix, (_, key) in prefixes.items():
        if prefix not in served and _PREFIX_RE.fullmatch(prefix):
            r.problem(key, f'no counter serves line "{prefix}"; add it to a counter\'s serves')
    _check_cutoffs(lines, open_days, r)
    devices = _read_devices(doc, r, zone_ids)
    officers, managers = _read_people(doc, r, agency_zones)
    policy = _read_policy(doc, r)
    voice = _read_voice(doc, r)
    complete = name and tz and running_text is not None and week is not None and policy and voice
    if r.problems or not complete:
        return None
    return Building(
        name=name,
        timezone=tz,
        weekly=week,
        zones=tuple(zones),
        agencies=tuple(agencies),
        lines=tuple(line for line, _ in lines),
        counters=tuple(counters),
        devices=tuple(devices),
        officers=tuple(officers),
        managers=tuple(managers),
        holidays=tuple(sorted(holidays, key=lambda h: h.day)),
        special_hours=tuple(sorted(special, key=lambda s: s.start)),
        policy=policy,
        running_text=running_text,
        voice=voice,
    )


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def _syntax_problem(file: str, text: str, error: tomllib.TOMLDecodeError) -> ConfigProblem:
    message = str(error)
    line: int | None = None
    m = _TOML_POSITION_RE.search(message)
    if m is not None:
        message = message[: m.start()]
        if m[1] is not None:
            line, column = int(m[1]), int(m[2])
            message = f"{message} (column {column})"
        else:
            line = max(1, len(text.splitlines()))
            message = f"{message} (at the end of the file)"
    hint = ""
    lines = text.splitlines()
    if line is not None and 0 < line <= len(lines) and _UNQUOTED_TIME_RE.search(lines[line - 1]):
        hint = '; times must be quoted, e.g. open = "07:30"'
    return ConfigProblem(file, line, "", f"invalid TOML: {message}{hint}")


def parse_building(text: str, file: str = "<string>") -> Building:
    """The validated building described by TOML text; raises ConfigError listing every problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError([_syntax_problem(file, text, e)]) from None
    reader = _Reader(file, text)
    building = _read(doc, reader)
    if building is None and not reader.problems:  # a reader bug, but still no traceback
        reader.problem(_Key(), "could not be read; please report this file to Antre's developers")
    if building is None:
        # File order reads best; problems without a line (a missing table) go last.
        problems = sorted(reader.problems, key=lambda p: p.line if p.line is not None else 1 << 30)
        raise ConfigError(problems)
    return building


def load_building(path: str | PathLike[str]) -> Building:
    """The validated building in a TOML file; raises ConfigError, and nothing else, if unusable."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(file, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise ConfigError([ConfigProblem(file, None, "", "is a directory, not a file")]) from None
    except OSError as e:
        reason = e.strerror or str(e)
        raise ConfigError([ConfigProblem(file, None, "", f"cannot read: {reason}")]) from None
    try:
        # utf-8-sig: Windows editors like to start a file with a byte-order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problem = ConfigProblem(file, line, "", "not UTF-8 text; save the file as UTF-8")
        raise ConfigError([problem]) from None
    return parse_building(text, file)


def demo_building_path() -> Path:
    """The demo building file shipped inside the package."""
    return _DEMO_DIR / "mpp-kota-contoh.toml"


def demo_credentials_path() -> Path:
    """The demo building's plaintext tokens and PINs (demo only: never deploy them)."""
    return _DEMO_DIR / "credentials.txt"


def load_demo_building() -> Building:
    """The demo building "MPP Kota Contoh", validated."""
    return load_building(demo_building_path())


def load_demo_credentials() -> dict[str, str]:
    """The demo secrets by id: device id -> token, officer or manager id -> PIN."""
    secrets: dict[str, str] = {}
    for raw in demo_credentials_path().read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            _kind, ident, secret = line.split()
            secrets[ident] = secret
    return secrets


def check_main(path: str, *, today: date | None = None) -> int:
    """`antre config check FILE`: print a summary and return 0, or every problem and return 1."""
    try:
        building = load_building(path)
    except ConfigError as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        return 1
    print(
        f"OK: {building.name}: {len(building.agencies)} agencies, {len(building.lines)} lines, "
        f"{len(building.counters)} counters, {len(building.devices)} devices, "
        f"{len(building.officers)} officers"
    )
    # Holidays change every year (SKB 3 Menteri); a stale list opens the building on a holiday.
    year = (today or date.today()).year
    if not any(h.day.year == year for h in building.holidays):
        print(
            f"warning: {path}: no holidays listed for {year}; add this year's national holidays",
            file=sys.stderr,
        )
    return 0


def hash_pin_main(pin: str | None) -> int:
    """`antre config hash-pin [PIN]`: print the scrypt hash of a PIN (asked for if not given)."""
    if pin is None:
        try:
            pin = getpass.getpass("PIN: ")
            again = getpass.getpass("PIN again: ")
        except (EOFError, KeyboardInterrupt):
            print("error: no PIN given", file=sys.stderr)
            return 1
        if pin != again:
            print("error: the two PINs differ", file=sys.stderr)
            return 1
    if not _PIN_RE.fullmatch(pin):
        print("error: a PIN is 4 to 12 digits", file=sys.stderr)
        return 1
    print(hash_pin(pin))
    return 0
