"""docs/protocol.md's table of event kinds is the code's, and the TV page reads only public fields.

The doc is the independent source here: an event field added without a row cell in the table
fails, so does an audience rule changed in server/core/events.py without the table, and so does
a TV script (display/web/*.js) that reads a field of an event the public form does not carry.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from server.core.events import EVENT_TYPES, WITHHELD

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "protocol.md"
TV_WEB = REPO / "display" / "web"
COLUMNS = ("fields", "staff", "tv", "kiosk")
_ROW = re.compile(r"\| `(\w+)` \|(.*)\|")


def documented() -> dict[str, dict[str, str]]:
    """The table's rows: {kind: {column: cell text}}, read from its section of the doc."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("### Event kinds, their fields, and who sees which")
    section = text[start : text.index("\n## ", start)]
    rows: dict[str, dict[str, str]] = {}
    for line in section.splitlines():
        match = _ROW.fullmatch(line.strip())
        if match is not None:
            cells = [c.strip() for c in match.group(2).split("|")]
            assert len(cells) == len(COLUMNS), line
            assert match.group(1) not in rows, f"{match.group(1)} twice"
            rows[match.group(1)] = dict(zip(COLUMNS, cells, strict=True))
    return rows


def names(cell: str) -> list[str]:
    return re.findall(r"`(\w+)`", cell)


def fields_of(kind: str) -> list[str]:
    return [f.name for f in dataclasses.fields(EVENT_TYPES[kind])]


def test_the_table_has_every_event_kind_with_its_fields_in_order() -> None:
    table = documented()
    assert set(table) == set(EVENT_TYPES)
    for kind in EVENT_TYPES:
        assert names(table[kind]["fields"]) == fields_of(kind), kind


def test_the_table_says_which_audience_sees_which_fields() -> None:
    table = documented()
    for kind, cls in EVENT_TYPES.items():
        row, fields = table[kind], fields_of(kind)
        withheld = [f for f in fields if f in WITHHELD or f in cls.push_withheld]
        assert row["staff"] == (
            "all but " + ", ".join(f"`{f}`" for f in withheld) if withheld else "all"
        ), kind
        if cls.on_displays:
            assert names(row["tv"]) == [f for f in fields if f in cls.public_fields], kind
        else:
            assert row["tv"] == "—", kind
        assert (row["kiosk"] == "its own tickets") == cls.to_kiosk, kind


def test_the_tv_page_reads_only_documented_public_fields() -> None:
    """Every `ev.<name>` a TV script reads is `kind` or a field some event shows TVs."""
    public = {"kind"} | {f for row in documented().values() for f in names(row["tv"])}
    scripts = sorted(TV_WEB.glob("*.js"))
    assert len(scripts) >= 2, scripts  # tv.js and the announcer, at least
    read = {
        name
        for script in scripts
        for name in re.findall(r"\bev\.(\w+)", script.read_text(encoding="utf-8"))
    }
    assert read, "no TV script names its event `ev` any more: teach this test its new name"
    assert read <= public, sorted(read - public)
