"""The dashboard's tables: one model shown as HTML, exported as CSV and answered as JSON (pure).

A `Table` is columns and rows of plain values (counts, seconds, dates, texts): the page formats
them for a reader (minutes with a decimal comma, "1.240", "09.41 WIB"), the CSV and the JSON
carry them as they are, seconds with one decimal as the building's own report CSVs do. The CSV
is UTF-8 with a BOM, so the office PC's spreadsheet reads "Perekaman KTP-el" right, and a text
cell that a spreadsheet would take for a formula (=, +, -, @, a tab or a return first: a
building or a line name arrives from a building's profile, which central does not write)
starts with an apostrophe.

The standards (`behind`): a line is behind its standard on a day when its wait p90 is above its
wait target, or its median service time above its service standard (the profile's
`target_wait_s` and `target_service_s`: `antre report`'s targets). A line without a target is
never behind on that figure.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

__all__ = [
    "Column",
    "Table",
    "behind",
    "csv_bytes",
    "format_cell",
    "json_bytes",
    "json_value",
    "minutes",
    "number",
]

_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the CSV's and the JSON's name
    label: str  # the page's heading
    kind: str = "text"  # text | int | seconds | ikm | pct | ratio | date


@dataclass(slots=True)
class Table:
    name: str  # the CSV file's stem
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    # Per row: why it is behind its standard (empty: it is not); the page marks these rows.
    behind: list[list[str]] = field(default_factory=list)

    def add(self, row: dict[str, Any], reasons: Sequence[str] = ()) -> None:
        self.rows.append(row)
        self.behind.append(list(reasons))


def _sep(whole: int) -> str:
    return f"{whole:,}".replace(",", ".")


def number(value: float, places: int = 0) -> str:
    """An Indonesian number: "1.240", "12,5"."""
    if places == 0:
        return _sep(round(value))
    text = f"{value:,.{places}f}"
    whole, _, frac = text.partition(".")
    return whole.replace(",", ".") + "," + frac


def minutes(seconds: float | None) -> str:
    """Seconds as minutes with one decimal ("12,5"); "–" for none."""
    return "–" if seconds is None else number(seconds / 60, 1)


def format_cell(value: Any, kind: str) -> str:
    """A value as the page shows it."""
    if value is None or value == "":
        return "–"
    if kind == "int":
        return number(value)
    if kind == "seconds":
        return minutes(value)
    if kind == "ikm":
        return number(value, 2)
    if kind == "pct":
        return number(value, 1) + " %"
    if kind == "ratio":
        return number(value, 2) + "×"
    if kind == "date" and isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return str(value)


def behind(figures: Mapping[str, Any]) -> list[str]:
    """Why a line's figures are behind its standards (module docstring); [] when they are not."""
    reasons = []
    p90, target_w = figures.get("wait_p90_s"), figures.get("target_wait_s")
    if p90 is not None and target_w is not None and p90 > target_w:
        reasons.append(f"tunggu p90 {minutes(p90)} menit > standar {minutes(target_w)} menit")
    median, target_s = figures.get("service_median_s"), figures.get("target_service_s")
    if median is not None and target_s is not None and median > target_s:
        reasons.append(
            f"layanan median {minutes(median)} menit > standar {minutes(target_s)} menit"
        )
    return reasons


def _plain(value: Any) -> Any:
    """A value as the JSON carries it: a float to two decimals, a date as ISO."""
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _cell(value: Any, kind: str) -> Any:
    """A value as the CSV carries it: seconds, shares and ratios to one decimal (the report's
    CSVs), an IKM to two, a date as ISO, a text that could start a formula behind an
    apostrophe."""
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 2 if kind == "ikm" else 1)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # a spreadsheet shows it as the text it is, never runs it
    return value


def csv_bytes(table: Table) -> bytes:
    """The table as CSV: UTF-8 with a BOM, a header of the columns' keys, then the rows."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([c.key for c in table.columns] + ["behind_standard"])
    for row, reasons in zip(table.rows, table.behind, strict=True):
        cells = [_cell(row.get(c.key), c.kind) for c in table.columns]
        writer.writerow([*cells, _cell("; ".join(reasons), "text")])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def json_value(table: Table) -> dict[str, Any]:
    rows = [
        {**{c.key: _plain(row.get(c.key)) for c in table.columns}, "behind_standard": reasons}
        for row, reasons in zip(table.rows, table.behind, strict=True)
    ]
    return {"table": table.name, "title": table.title, "rows": rows}


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()
