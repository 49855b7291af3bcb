"""A counter's desk as the building labels it: its `number` (label), `name` and `spoken` form.

Part of reading `[[counters]]` (server/config/layout.py): the label as written on the desk
(7, "3A", "1-01"), the desk as the voice names it, and the clashes between desks. A citizen
hears the spoken form and reads the name, so two desks that sound or look alike send people to
the wrong one; they are checked with the TV's own reading (server/web/voice.py, imported here so
that the check hears exactly what the TVs will say): "3A" and "3-A" are different labels but
both "loket tiga A", a clash.
"""

from __future__ import annotations

import re
from typing import Any

from server.config.toml_reader import Key, Reader, Seen, describe, label
from server.core.building import Building, Counter
from server.core.voice_text import says_desk
from server.web.voice import LETTER_NAMES, MAX_LABEL_LEN, desk_words, read_counter_label

__all__ = [
    "MAX_SPOKEN_LEN",
    "DeskNames",
    "check_spoken_heard",
    "read_label",
    "read_spoken",
    "unspoken_names",
]

MAX_SPOKEN_LEN = 60  # a desk's name said aloud, not a sentence
_LABEL_RULE = (
    'a whole number ≥ 1, or digits and capital letters in groups joined by "-" or "." '
    f'(7, "3A", "1-01"), at most {MAX_LABEL_LEN} characters'
)
_SHOWN_LABEL_RE = re.compile(r"[0-9A-Za-z]+(?:[-.][0-9A-Za-z]+)*")


def read_label(r: Reader, value: object, key: Key) -> int | str | None:
    """A counter's `number`: a whole number, or a label as written on the desk ("3A")."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        r.problem(key, f'expected a whole number or a label such as "3A", got {describe(value)}')
        return None
    if isinstance(value, int):
        return r.whole(value, key, 1)
    if value.isascii() and value.isdigit():
        # "7" is loket 7, one desk however the file writes it; "07" stays a label ("nol tujuh").
        if int(value) == 0:
            r.problem(key, f'must be ≥ 1, got "{value}"')
            return None
        return value if value.startswith("0") else int(value)
    if not _readable(value):
        hint = ""
        if value != value.upper() and _readable(value.upper()):
            hint = f'; write the letters as capitals, "{value.upper()}"'
        r.problem(key, f'"{value}" is not a label the voice can read: use {_LABEL_RULE}{hint}')
        return None
    return value


def _readable(text: str) -> bool:
    try:
        read_counter_label(text)
    except ValueError:
        return False
    return True


def read_spoken(r: Reader, value: object, key: Key) -> str | None:
    """A desk as said aloud, "gerai BPJS": words, with any run of spaces read as one."""
    text = r.string(value, key)
    if text is None:
        return None
    words = " ".join(text.split())
    if (
        len(words) > MAX_SPOKEN_LEN
        or not any(c.isalpha() for c in words)
        or any(c in "{}[]" or not c.isprintable() for c in words)
    ):
        r.problem(
            key,
            f"must be the desk in words, 1 to {MAX_SPOKEN_LEN} characters without braces or "
            f'brackets, e.g. spoken = "gerai BPJS", got "{text}"',
        )
        return None
    return words


def _heard(words: str) -> str:
    """What a listener tells apart: case and spacing are not heard, nor "B" from "be"."""
    return " ".join(
        LETTER_NAMES.get(w.upper(), w) if len(w) == 1 else w for w in words.casefold().split()
    )


class DeskNames:
    """The spoken forms and names of the counters read so far, to find two desks alike."""

    def __init__(self) -> None:
        # field -> what a citizen hears or reads -> the first counter (and key) that had it
        self.seen: dict[str, dict[str, Seen]] = {"spoken": {}, "name": {}}

    def check(
        self,
        r: Reader,
        table: dict[str, Any],
        key: Key,
        name: str | None,
        number: int | str,
        spoken: str | None,
    ) -> None:
        """Report this counter if it sounds or looks like an earlier one: the first clash only.

        A name or spoken form the file leaves out comes from the label, so that is where the
        problem points then.
        """
        from_label = key / ("number" if "number" in table else "id")
        words = desk_words(number, spoken)
        checks = [
            ("spoken", _heard(words), f'the voice would say "{words}"', "change the label or set"),
        ]
        if name is not None:
            folded = " ".join(name.casefold().split())
            checks.append(("name", folded, f'TVs would show "{name}"', "give each desk its own"))
        for field, value, what, fix in checks:
            if value in self.seen[field]:
                at = key / field if field in table else from_label
                first = r.first_at(*self.seen[field][value])
                r.problem(at, f'{what}, as for {first}; two desks must differ: {fix} {field} = "…"')
                return
        for field, value, _, _ in checks:
            self.seen[field][value] = (key, key / field if field in table else from_label)


def check_spoken_heard(doc: dict[str, Any], template: str, r: Reader) -> None:
    """A counter's own spoken form is said only by a template with `{desk}`: refuse it unheard."""
    if says_desk(template):
        return
    tables = doc.get("counters")
    for i, table in enumerate(tables if isinstance(tables, list) else []):
        if isinstance(table, dict) and "spoken" in table:
            r.problem(
                (Key() / "counters").item(i, label(table, "id")) / "spoken",
                "the [voice] template has no {desk}, so this would never be said; write {desk} "
                'where the desk is named, e.g. template = "Nomor antrean {number}, silakan '
                'menuju {desk}[, {agency}]"',
            )


def unspoken_names(building: Building) -> list[tuple[Counter, str]]:
    """Counters whose name does not show their label while the voice says "loket" and the label.

    Not a mistake the file can be refused for (files written before labels have such names),
    but the TV and the voice then name the desk differently: `antre config check` warns.
    """
    out = []
    for c in building.counters:
        if c.spoken is not None:
            continue
        if not any(_same_label(word, c.label) for word in _SHOWN_LABEL_RE.findall(c.name)):
            out.append((c, desk_words(c.number)))
    return out


def _same_label(word: str, label: str) -> bool:
    """Whether a word of a name shows the label: "07" shows 7; "3a" shows "3A"."""
    if word.isdigit() and label.isdigit():
        return int(word) == int(label)
    return word.upper() == label
