"""The admin app's model: `admin_state` and `admin_history` replies as lists and forms (pure).

The server speaks in entities of the building's TOML document (docs/protocol.md "Live
administration"): a target ("line:K", "holiday:2026-12-25", "running_text") and its value, a
TOML table as a JSON object or, for the running text, a string. This module turns them into
what the app draws — the kinds on the left, each kind's entities, one entity's `key = value`
rows — and turns what the admin types back into values, with no sockets and no Textual, so
that every rule here is tested on its own (tests/admin/test_admin_model.py).
"""

from __future__ import annotations

import copy
import json
import math
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

__all__ = [
    "KINDS",
    "AdminModel",
    "Kind",
    "Refusal",
    "ValueError_",
    "form_rows",
    "history_rows",
    "parse_value",
    "read_refusal",
    "show_value",
]


@dataclass(frozen=True)
class Kind:
    """One kind of entity: its wire name, its Indonesian label, the key naming an entity of it
    (None for a section the building has once) and the template `a` starts a new one from."""

    name: str
    label: str
    key: str | None = None
    template: dict[str, Any] | None = None
    # A device is added by `admin_new_device` (the server makes its token), not by an edit.
    by_device_request: bool = False


# The order of the left column: what an administrator changes most often first.
KINDS: tuple[Kind, ...] = (
    Kind(
        "line",
        "Layanan",
        "prefix",
        {"prefix": "", "agency": "", "name": "", "target_service_min": 10},
    ),
    Kind("counter", "Loket", "id", {"id": "", "name": "", "number": 0, "agency": "", "serves": []}),
    Kind("officer", "Petugas", "id", {"id": "", "name": "", "agency": ""}),
    Kind("device", "Perangkat", "id", {"id": "", "kind": "kiosk", "zone": ""}, True),
    Kind("holiday", "Hari libur", "date", {"date": "", "name": ""}),
    Kind(
        "special_hours",
        "Jam khusus",
        "start",
        {"name": "", "start": "", "end": "", "monday": {"open": "08:00", "close": "14:00"}},
    ),
    Kind("running_text", "Teks berjalan"),
    Kind("policy", "Kebijakan"),
    Kind("agency", "Instansi", "code", {"code": "", "name": "", "short_name": "", "zone": ""}),
    Kind("zone", "Zona", "id", {"id": "", "name": ""}),
    Kind("manager", "Pengelola", "id", {"id": "", "name": "", "role": "floor"}),
    Kind("hours", "Jam buka"),
    Kind("portal", "Portal", "id"),
    Kind("voice", "Suara panggilan"),
    Kind("phone", "Halaman ponsel"),
    Kind("survey", "Survei SKM"),
    Kind("complaints", "Pengaduan"),
    Kind("booking", "Pemesanan daring"),
)
_BY_NAME = {k.name: k for k in KINDS}


def kind_of(name: str) -> Kind:
    """The kind of a wire name; one the app does not know yet is listed by its own name."""
    return _BY_NAME.get(name) or Kind(name, name)


class ValueError_(ValueError):
    """What the admin typed is not a value: the Indonesian sentence to show."""


# -- values: shown as the admin reads them, read back as the field's type ------------------------


def show_value(value: Any) -> str:
    """A field's value on one row: a string as it is, everything else as TOML writes it."""
    if isinstance(value, str):
        return value
    return _toml(value)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string is a JSON string
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    if value is None:
        return ""
    return str(value)


def _key(key: str) -> str:
    bare = key and all(c.isalnum() or c in "_-" for c in key)
    return key if bare else json.dumps(key, ensure_ascii=False)


def _plain(value: Any) -> Any:
    """TOML's dates and times as the ISO strings the wire carries (JSON has no date)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def parse_value(text: str, old: Any) -> Any:
    """What the admin typed, as a value of the field's type.

    A field that holds text stays text whatever is typed (`zone = "1"` must not become the
    number 1; quotes typed around it are taken off). Any other field is read as a TOML value:
    `300`, `true`, `["A", "B"]`, `{ open = "08:00", close = "14:00" }`. A date is kept as the
    ISO string the server sends (`2026-12-25`)."""
    typed = text.strip()
    if isinstance(old, str):
        if len(typed) >= 2 and typed[0] == typed[-1] == '"':
            try:
                return tomllib.loads(f"v = {typed}")["v"]
            except tomllib.TOMLDecodeError:
                pass
        return typed
    if typed == "":
        raise ValueError_("Nilai kosong: isi nilainya, atau hapus kolomnya dengan x.")
    try:
        value = tomllib.loads(f"v = {typed}")["v"]
    except tomllib.TOMLDecodeError:
        if old is None or isinstance(old, date | datetime):
            return typed  # a new field or a date: text is what the server reads
        raise ValueError_(f"Nilai tidak dapat dibaca: {typed!r}. {_HINTS[_shape(old)]}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError_(f"Nilai tidak dapat dibaca: {typed!r}. {_HINTS['number']}")
    if old is not None and _shape(old) != _shape(value) and _shape(old) != "other":
        raise ValueError_(f"Nilai {typed!r} bukan jenis yang benar. {_HINTS[_shape(old)]}")
    return _plain(value)


def _shape(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "table"
    return "other"


_HINTS = {
    "bool": "Tulis true atau false.",
    "number": "Tulis angka, mis. 250.",
    "list": 'Tulis daftar, mis. ["A", "B"].',
    "table": 'Tulis tabel, mis. { open = "08:00", close = "14:00" }.',
    "other": "",
}


def form_rows(value: Any, name: str = "running_text") -> list[tuple[str, str]]:
    """One entity as `key = value` rows; the running text (a string) is one row of its own."""
    if isinstance(value, dict):
        return [(k, show_value(v)) for k, v in value.items()]
    if value is None:
        return []
    return [(name, show_value(value))]


# -- the building as the server sent it -----------------------------------------------------------


@dataclass
class AdminModel:
    """The live building's entities at `version`, as `admin_state` sent them."""

    version: int = 0
    entities: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    loaded: bool = False

    def load_state(self, reply: dict[str, Any]) -> None:
        """`{version, entities: {kind: [{target, value}]}}`: the whole building, replaced."""
        self.version = int(reply.get("version") or 0)
        self.entities = {
            kind: [(str(e["target"]), e.get("value")) for e in rows if "target" in e]
            for kind, rows in (reply.get("entities") or {}).items()
            if isinstance(rows, list)
        }
        self.loaded = True

    def kinds(self) -> list[Kind]:
        """The kinds to list: the known ones the server sent, in the app's order, then any
        other kind it sent (a newer server), so nothing it offers is hidden."""
        known = [k for k in KINDS if k.name in self.entities]
        others = [kind_of(n) for n in self.entities if n not in _BY_NAME]
        return known + others

    def targets(self, kind: str) -> list[tuple[str, str]]:
        """A kind's entities as (target, one-line label), in the server's order."""
        return [(t, entity_label(kind, t, v)) for t, v in self.entities.get(kind, [])]

    def value(self, target: str) -> Any:
        for rows in self.entities.values():
            for t, v in rows:
                if t == target:
                    return copy.deepcopy(v)
        return None

    def kind_of_target(self, target: str) -> str:
        return target.split(":", 1)[0]

    def saved(self, target: str, reply: dict[str, Any]) -> None:
        """An accepted `admin_edit`'s reply `{version, value}`: the entity as it is now."""
        self.version = max(self.version, int(reply.get("version") or 0))
        value = reply.get("value")
        kind = self.kind_of_target(target)
        rows = self.entities.setdefault(kind, [])
        for i, (t, _old) in enumerate(rows):
            if t == target:
                if value is None:
                    del rows[i]
                else:
                    rows[i] = (t, value)
                return
        if value is not None:
            rows.append((target, value))


def entity_label(kind: str, target: str, value: Any) -> str:
    """How an entity is listed: its id and its name, and what matters most at a glance."""
    ident = target.split(":", 1)[1] if ":" in target else kind_of(kind).label
    if not isinstance(value, dict):
        text = show_value(value)
        return text if len(text) <= 60 else text[:59] + "…"
    name = value.get("name") or value.get("short_name") or ""
    label = f"{ident} — {name}" if name else ident
    if kind == "counter" and value.get("serves"):
        label += f" ({', '.join(map(str, value['serves']))})"
    if kind == "special_hours" and value.get("end"):
        label = f"{value.get('start', ident)} s.d. {value['end']} — {name}"
    if kind == "device" and value.get("kind"):
        label = f"{ident} ({value['kind']})"
    if value.get("disabled") is True:
        label += " · nonaktif"
    return label


def new_target(kind: Kind, draft: dict[str, Any]) -> str:
    """The target of a new entity, from its key field; ValueError_ when that is empty."""
    assert kind.key is not None
    ident = str(draft.get(kind.key, "")).strip()
    if not ident:
        raise ValueError_(f"Isi {kind.key} dahulu: itulah nama {kind.label.lower()} yang baru.")
    return f"{kind.name}:{ident}"


# -- the audit view --------------------------------------------------------------------------------


def history_list(reply: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of an `admin_history` reply, newest first as the server sends them."""
    rows = reply.get("history")
    if rows is None:  # the list under whatever name the reply gives it
        rows = next((v for v in reply.values() if isinstance(v, list)), [])
    return [r for r in rows if isinstance(r, dict)]


def history_rows(rows: list[dict[str, Any]], tz: Any = None) -> list[tuple[str, list[str]]]:
    """Each change as (version, [versi, waktu, oleh, perubahan, catatan])."""
    out = []
    for r in rows:
        when = r.get("at") or ""
        try:
            at = datetime.fromisoformat(when)
            when = (at.astimezone(tz) if tz else at).strftime("%d-%m %H.%M")
        except (TypeError, ValueError):
            pass
        note = f"membatalkan versi {r['undoes']}" if r.get("undoes") is not None else ""
        by = str(r.get("by") or "").removeprefix("manager:")
        out.append(
            (str(r.get("version")), [str(r.get("version")), when, by, str(r.get("text", "")), note])
        )
    return out


# -- refusals --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A refused request as the admin reads it: the server's Indonesian message, each problem
    of the config check by field, and for a stale edit the entity as it is now."""

    code: str
    message: str
    problems: tuple[tuple[str, str], ...] = ()
    stale: bool = False
    current: Any = None


def read_refusal(reply: dict[str, Any]) -> Refusal:
    """An error frame's refusal; its details under `details`, or beside the message."""
    details = reply.get("details")
    if not isinstance(details, dict):
        details = reply
    problems = tuple(
        # `field` names the key in the edited entry; a problem elsewhere (a counter still
        # serving a removed line) has only its whole `key` path.
        (str(p.get("field") or p.get("key") or ""), str(p.get("message", "")))
        for p in details.get("problems") or []
        if isinstance(p, dict)
    )
    code = str(reply.get("code", ""))
    return Refusal(
        code=code,
        message=str(reply.get("message", "")) or code,
        problems=problems,
        stale=code == "edit_stale",
        current=details.get("current"),
    )
