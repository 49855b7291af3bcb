"""A counter's `serves` list, checked the same way for a counter of one agency and for each day
of a shared desk: known lines, of the agency that works there, none listed twice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from server.config.toml_reader import Key, Reader, suggest

__all__ = ["check_serves"]


def check_serves(
    r: Reader,
    key: Key,
    serves: Sequence[str] | None,
    prefixes: Mapping[str, tuple[Any, ...]],
    served: set[str],
    agency: str | None,
    agency_ok: bool,
    belongs: str,
) -> None:
    """Report each problem of `serves` under `key / "serves"`, and note its lines in `served`.

    `prefixes` maps each line to (its agency, …); `belongs` ends the sentence for a line of
    another agency: "the counter belongs to DUKCAPIL", "on these days the desk belongs to KUA".
    """
    for prefix in serves or ():
        served.add(prefix)
        if prefix not in prefixes:
            r.problem(key / "serves", f'serves unknown line "{prefix}"{suggest(prefix, prefixes)}')
            continue
        line_agency = prefixes[prefix][0]
        if agency_ok and line_agency is not None and line_agency != agency:
            r.problem(
                key / "serves", f'serves line "{prefix}" of agency {line_agency}, but {belongs}'
            )
    if serves is not None and len(set(serves)) != len(serves):
        twice = sorted({p for p in serves if serves.count(p) > 1})
        r.problem(key / "serves", f"lists {', '.join(twice)} more than once")
