"""The hub's door to the building edit model (server/config/edits.py, issue 23).

Everything the live side needs of an edit goes through here: `Edit`, `EditRefused`, `apply_edit`,
`inverse`, `describe`, `entity`, `entities`. The model is the EDITS room's
(server/config/edits.py); until it is merged, a minimal stand-in with the same contract keeps
the live plumbing testable (it is used only when that module is missing).
"""

from __future__ import annotations

import datetime as _dt
import tomllib
from dataclasses import dataclass
from typing import Any

from server.config.export import building_toml
from server.config.toml_reader import ConfigError
from server.core.building import Building

__all__ = [
    "KINDS",
    "Edit",
    "EditRefused",
    "apply_edit",
    "describe",
    "entities",
    "entity",
    "inverse",
    "jsonable",
]

# The entity kinds the admin's state lists, in the order of the admin app's left column.
KINDS = (
    "agency",
    "line",
    "counter",
    "officer",
    "manager",
    "device",
    "zone",
    "holiday",
    "special_hours",
    "running_text",
    "policy",
    "voice",
    "phone",
    "survey",
    "complaints",
    "booking",
)


def jsonable(value: Any) -> Any:
    """A TOML value as JSON can carry it: dates and times as ISO text."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return value.isoformat(timespec="minutes")
    return value


try:  # pragma: no cover - whichever is present
    from server.config.edits import (  # type: ignore[import-not-found,unused-ignore]
        Edit,
        EditRefused,
        apply_edit,
        describe,
        entities,
        entity,
        inverse,
    )
except ImportError:  # the stand-in until the EDITS room's model is merged
    import tomli_w

    from server.config.building import parse_building

    _TABLES = {
        "line": ("lines", "prefix"),
        "counter": ("counters", "id"),
        "officer": ("officers", "id"),
        "manager": ("managers", "id"),
        "device": ("devices", "id"),
        "agency": ("agencies", "code"),
        "zone": ("zones", "id"),
        "holiday": ("holidays", "date"),
        "special_hours": ("special_hours", "date"),
    }
    _SECTIONS = ("policy", "voice", "phone", "survey", "complaints", "booking")

    class EditRefused(Exception):  # type: ignore[no-redef]
        def __init__(self, code: str, message: str, details: dict[str, Any] | None = None):
            super().__init__(message)
            self.code = code
            self.message = message
            self.details = details or {}

    @dataclass(frozen=True)
    class Edit:  # type: ignore[no-redef]
        target: str
        before: Any
        after: Any

    def _doc(building: Building) -> dict[str, Any]:
        return tomllib.loads(building_toml(building))

    def _key(table: dict[str, Any], key: str) -> str:
        return str(jsonable(table.get(key)))

    def _get(doc: dict[str, Any], target: str) -> Any:
        kind, _, name = target.partition(":")
        if kind in _TABLES:
            array, key = _TABLES[kind]
            for t in doc.get(array, []):
                if _key(t, key) == name:
                    return jsonable(t)
            return None
        if kind == "running_text":
            return doc["building"].get("running_text")
        if kind in _SECTIONS:
            return jsonable(doc.get(kind))
        raise EditRefused("edit_unknown_target", f"Sasaran perubahan tidak dikenal: {target}.")

    def entity(building: Building, target: str) -> Any:  # type: ignore[misc]
        return _get(_doc(building), target)

    def entities(building: Building, kind: str) -> list[tuple[str, Any]]:  # type: ignore[misc]
        doc = _doc(building)
        if kind in _TABLES:
            array, key = _TABLES[kind]
            return [(f"{kind}:{_key(t, key)}", jsonable(t)) for t in doc.get(array, [])]
        target = kind
        value = _get(doc, target)
        return [] if value is None else [(target, value)]

    def apply_edit(building: Building, edit: Edit) -> Building:  # type: ignore[misc]
        doc = _doc(building)
        current = _get(doc, edit.target)
        if current != edit.before:
            raise EditRefused(
                "edit_stale",
                "Data ini sudah diubah orang lain; periksa nilai terbaru lalu ulangi.",
                {"current": current},
            )
        kind, _, name = edit.target.partition(":")
        if kind in _TABLES:
            if edit.after is not None and not isinstance(edit.after, dict):
                raise EditRefused("edit_bad_value", "Nilai harus berupa tabel.")
            array, key = _TABLES[kind]
            rows = [t for t in doc.get(array, []) if _key(t, key) != name]
            if edit.after is not None:
                rows.append(dict(edit.after))
            doc[array] = rows
        elif kind == "running_text":
            if edit.after is not None and not isinstance(edit.after, str):
                raise EditRefused("edit_bad_value", "Teks berjalan harus berupa teks.")
            doc["building"]["running_text"] = edit.after or ""
        else:
            if not isinstance(edit.after, dict):
                raise EditRefused("edit_bad_value", "Nilai harus berupa tabel.")
            doc[kind] = dict(edit.after)
        try:
            return parse_building(tomli_w.dumps(doc))
        except ConfigError as exc:
            raise EditRefused(
                "edit_invalid",
                f"Perubahan tidak disimpan: {exc}",
                {"problems": [{"field": "", "message": str(exc)}]},
            ) from exc
        except (TypeError, ValueError) as exc:
            raise EditRefused("edit_bad_value", f"Nilai tidak dapat dipakai: {exc}") from exc

    def inverse(edit: Edit) -> Edit:  # type: ignore[misc]
        return Edit(edit.target, edit.after, edit.before)

    def describe(edit: Edit) -> str:  # type: ignore[misc]
        if edit.before is None:
            return f"{edit.target} ditambahkan"
        if edit.after is None:
            return f"{edit.target} dihapus"
        return f"{edit.target} diubah"
