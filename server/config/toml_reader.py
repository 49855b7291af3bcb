"""A TOML file read for an operator: every mistake named by file, line and key, all at once.

Theory of operation: `parse_toml` parses the text with `tomllib` (a syntax error becomes one
`ConfigProblem` with its line), then a `Reader` walks the parsed tables and records a
`ConfigProblem` for each mistake instead of stopping at the first, so an operator fixes the whole
file in one go. Each problem carries a key path (`lines[A].cutoff`, `counters[L07].serves`,
`lines[#3].prefix` for an entry whose id is itself unusable) and, best effort, a line number:
`Locator` scans the raw text for table headers and `key =` lines, since `tomllib` keeps no
positions. The caller raises `ConfigError` with the problems only when there are any.

Nothing here knows what the file describes: the building file (`server.config.building`) is one
reader of it; any other TOML file or operator input with the same needs can be another.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar

from server.config.toml_locator import Locator, RawPath

__all__ = [
    "MISSING",
    "ConfigError",
    "ConfigProblem",
    "Key",
    "Reader",
    "Seen",
    "describe",
    "label",
    "parse_toml",
    "read_toml_text",
    "suggest",
]

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
_ID_RULE = "1–32 letters, digits, '.', '_' or '-', starting with a letter or digit"
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})")
_TOML_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$|\s*\(at end of document\)$")
_UNQUOTED_TIME_RE = re.compile(r"=\s*\d{1,2}:\d{2}(?!:\d)")


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One mistake in a configuration file, located as precisely as the raw text allows."""

    file: str
    line: int | None  # 1-based; None when no line can be pointed at (a missing file or table)
    key: str  # key path such as "lines[A].cutoff"; "" for a problem with the file as a whole
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(Exception):
    """A file that cannot be used; `problems` lists every mistake found, in file order.

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
# Reading values
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Key:
    """A key path, both as the locator indexes it and as the operator reads it."""

    raw: RawPath = ()
    shown: str = ""

    def __truediv__(self, name: str) -> Key:
        return Key((*self.raw, name), f"{self.shown}.{name}" if self.shown else name)

    def item(self, index: int, label: str | None = None) -> Key:
        """The index-th entry of an array, shown by its id when it has a usable one."""
        tag = label if label is not None else f"#{index + 1}"
        return Key((*self.raw, index), f"{self.shown}[{tag}]")


Seen = tuple[Key, Key]  # the entry that first used a value, and the key it was written at
_T = TypeVar("_T")
MISSING: Any = object()


def describe(value: object) -> str:
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


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


class Reader:
    """Reads typed values out of parsed tables, recording a problem for each bad one."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file  # named in every problem, as the operator typed it
        self._locator = Locator(text)  # tomllib keeps no positions; the raw text does
        self.problems: list[ConfigProblem] = []  # collected, never raised one by one

    def line_of(self, key: Key) -> int | None:
        return self._locator.locate(key.raw)

    def problem(self, key: Key, message: str) -> None:
        self.problems.append(ConfigProblem(self.file, self.line_of(key), key.shown, message))

    def first_at(self, entry: Key, at: Key | None = None) -> str:
        """An entry with the line of `at` (default: the entry), "lines[A] (line 31)"."""
        line = self.line_of(at or entry)
        return f"{entry.shown} (line {line})" if line is not None else entry.shown

    def error(self) -> ConfigError:
        """Every problem recorded, as one error; call only when there is at least one."""
        # File order reads best; problems without a line (a missing table) go last.
        problems = sorted(self.problems, key=lambda p: p.line if p.line is not None else 1 << 30)
        return ConfigError(problems)

    # ---- tables ----

    def table(
        self, value: object, key: Key, allowed: Collection[str], header: str | None = None
    ) -> dict[str, Any] | None:
        """The value as a table with only allowed keys; unknown keys are reported, not ignored."""
        if not isinstance(value, dict):
            hint = f"; write [{header}]" if header and isinstance(value, list) else ""
            self.problem(key, f"expected a table, got {describe(value)}{hint}")
            return None
        for name in value:
            if name not in allowed:
                hint = suggest(name, allowed) or "; allowed: " + ", ".join(allowed)
                self.problem(key / name, f'unknown key "{name}"{hint}')
        return value

    def entries(
        self, doc: dict[str, Any], name: str, *, required: bool
    ) -> list[tuple[int, dict[str, Any]]]:
        """The tables of a `[[name]]` array, with their positions; reports a lone `[name]`."""
        key = Key() / name
        value = doc.get(name, MISSING)
        if value is MISSING:
            if required:
                self.problem(key, f"required: add at least one [[{name}]] table")
            return []
        if isinstance(value, dict):
            self.problem(key, f"expected an array of tables: write [[{name}]], not [{name}]")
            return []
        if not isinstance(value, list):
            self.problem(key, f"expected an array of [[{name}]] tables, got {describe(value)}")
            return []
        if required and not value:
            self.problem(key, f"required: add at least one [[{name}]] table")
        out = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append((i, item))
            else:
                self.problem(key.item(i), f"expected a table, got {describe(item)}")
        return out

    # ---- fields ----

    def get(
        self,
        table: dict[str, Any],
        key: Key,
        name: str,
        convert: Callable[[object, Key], _T | None],
        default: Any = MISSING,
    ) -> _T | None:
        """The converted value of `table[name]`; the default when absent; None when bad."""
        value = table.get(name, MISSING)
        if value is MISSING:
            if default is MISSING:
                self.problem(key / name, "required key is missing")
                return None
            return default  # type: ignore[no-any-return]
        return convert(value, key / name)

    def string(self, value: object, key: Key) -> str | None:
        if not isinstance(value, str):
            self.problem(key, f"expected a string, got {describe(value)}")
            return None
        if not value.strip():
            self.problem(key, "must not be empty")
            return None
        return value

    def text(self, value: object, key: Key) -> str | None:
        """A string that may be empty (running text)."""
        if not isinstance(value, str):
            self.problem(key, f"expected a string, got {describe(value)}")
            return None
        return value

    def ident(self, value: object, key: Key) -> str | None:
        """An id or code: short, no spaces. A number is read as its digits (zone = 1 is "1")."""
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            value = str(value)
        if not isinstance(value, str):
            self.problem(key, f"expected a string, got {describe(value)}")
            return None
        if not _ID_RE.fullmatch(value):
            self.problem(key, f'"{value}" is not a valid id: use {_ID_RULE}')
            return None
        return value

    def boolean(self, value: object, key: Key) -> bool | None:
        if not isinstance(value, bool):
            self.problem(key, f"expected true or false, got {describe(value)}")
            return None
        return value

    def whole(self, value: object, key: Key, minimum: int = 0) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"expected a whole number ≥ {minimum}, got {describe(value)}")
            return None
        if value < minimum:
            self.problem(key, f"must be ≥ {minimum}, got {value}")
            return None
        return value

    def count(self, value: object, key: Key) -> int | None:
        """A whole number ≥ 0 (quotas, ratios)."""
        return self.whole(value, key, 0)

    def number(self, value: object, key: Key, *, positive: bool = True) -> float | None:
        """A number of minutes or seconds: > 0, or ≥ 0 when not `positive`."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(key, f"expected a number, got {describe(value)}")
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

    def non_negative(self, value: object, key: Key) -> float | None:
        return self.number(value, key, positive=False)

    def clock(self, value: object, key: Key) -> time | None:
        """A time of day: "HH:MM" (a TOML local time such as 07:30:00 is accepted too)."""
        if isinstance(value, time):
            return value.replace(tzinfo=None)
        if isinstance(value, str):
            m = _TIME_RE.fullmatch(value.strip())
            if m and int(m[1]) < 24 and int(m[2]) < 60:
                return time(int(m[1]), int(m[2]))
            if m and int(m[1]) == 24 and int(m[2]) == 0:
                self.problem(
                    key,
                    '"24:00" is the end of the day: it is allowed only as a closing time '
                    '(close = "24:00")',
                )
                return None
            self.problem(
                key, f'"{value}" is not a time of day; write "HH:MM" from "00:00" to "23:59"'
            )
            return None
        self.problem(key, f'expected a time such as "07:30", got {describe(value)}')
        return None

    def closing(self, value: object, key: Key) -> time | None:
        """A closing time: a time of day, or "24:00" for the end of the day (`time.max`, the
        core's END_OF_DAY: a day ends at local midnight, so nothing closes later)."""
        if isinstance(value, str):
            m = _TIME_RE.fullmatch(value.strip())
            if m and int(m[1]) == 24 and int(m[2]) == 0:
                return time.max
            if m and (int(m[1]) > 24 or (int(m[1]) == 24 and int(m[2]) < 60)):
                self.problem(
                    key,
                    f'"{value}" is past midnight; a service day ends at local midnight '
                    '(numbers restart then): close at "24:00" at the latest',
                )
                return None
            if not (m and int(m[2]) < 60):
                self.problem(
                    key,
                    f'"{value}" is not a closing time; write "HH:MM" from "00:01" to "24:00"',
                )
                return None
        return self.clock(value, key)

    def day(self, value: object, key: Key) -> date | None:
        """A calendar date: TOML 2026-12-25 (a quoted "2026-12-25" is accepted too)."""
        if isinstance(value, datetime):
            self.problem(key, f"expected a date such as 2026-12-25, got {describe(value)}")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(key, f"expected a date such as 2026-12-25, got {describe(value)}")
        return None

    def strings(self, value: object, key: Key) -> list[str] | None:
        """A non-empty array of strings."""
        if not isinstance(value, list):
            self.problem(
                key, f'expected an array of strings such as ["A", "B"], got {describe(value)}'
            )
            return None
        if not value:
            self.problem(key, "must list at least one entry")
            return None
        bad = [v for v in value if not isinstance(v, str)]
        if bad:
            self.problem(key, f"expected strings only, got {describe(bad[0])}")
            return None
        return value

    def choice(self, choices: dict[str, _T]) -> Callable[[object, Key], _T | None]:
        """A converter accepting exactly one of the given strings."""

        def convert(value: object, key: Key) -> _T | None:
            if isinstance(value, str) and value in choices:
                return choices[value]
            allowed = " or ".join(f'"{c}"' for c in choices)
            self.problem(key, f"expected {allowed}, got {describe(value)}")
            return None

        return convert

    # ---- cross-references and duplicates ----

    def unique(self, seen: dict[Any, Seen], value: Any, entry: Key, field: str, what: str) -> None:
        """Remember the first entry that used each value; report later ones as duplicates."""
        if value is None:
            return
        if value in seen:
            first = self.first_at(*seen[value])
            self.problem(entry / field, f'duplicate {what} "{value}": already used by {first}')
        else:
            seen[value] = (entry, entry / field)

    def exists(self, value: str | None, known: Collection[str], key: Key, what: str) -> bool:
        """True if the reference names a known entry; reports it (with a suggestion) if not."""
        if value is None:
            return False
        if value in known:
            return True
        hint = suggest(value, known) or (
            f"; known: {', '.join(sorted(known))}" if 0 < len(known) <= 12 else ""
        )
        self.problem(key, f'unknown {what} "{value}"{hint}')
        return False


def label(table: dict[str, Any], name: str) -> str | None:
    """The id an entry is shown by in key paths, if it has a usable one."""
    value = table.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, date):
        value = value.isoformat()
    if isinstance(value, str) and _ID_RE.fullmatch(value):
        return value
    return None


# --------------------------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------------------------


def read_toml_text(path: str | PathLike[str]) -> str:
    """The text of a configuration file; raises ConfigError, and nothing else, if unreadable."""
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
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problem = ConfigProblem(file, line, "", "not UTF-8 text; save the file as UTF-8")
        raise ConfigError([problem]) from None


def parse_toml(text: str, file: str) -> dict[str, Any]:
    """The parsed tables of TOML text; a syntax error raises ConfigError naming its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError([_syntax_problem(file, text, e)]) from None


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
