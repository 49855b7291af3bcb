"""One change to the building made live by an administrator (issue 23): validated, reversible.

Theory of operation: an edit changes one *entity* of the building's TOML document, the document
`antre config export` writes (`building_toml`). A target names the entity: `line:K` is the
`[[lines]]` table whose prefix is K, `holiday:2026-12-25` the `[[holidays]]` table of that date,
`policy` the `[policy]` table, `running_text` the string `[building].running_text`. An entity's
value is that table exactly as the document holds it, made JSON-plain (dates as "2026-12-25"
strings, times as "07:30" strings) so that an edit travels over the wire and into the event log
unchanged; `None` is an absent entity.

`apply_edit` re-reads the building's document, checks that the entity still is what the editor
saw (`before`; else `edit_stale` with the value now), puts `after` in its place (appended when
added, taken out when removed), writes the document with tomli-w and loads it with the config
reader: the very validation `antre config check` does, so an edit is accepted exactly when a file
with it would be. The new Building is returned; the given one is never touched (Buildings are
frozen), so nothing is ever half-applied.

The document is the exporter's, so a line's hours are written only where they differ from its
agency's: editing an agency's days or hours moves the lines that inherit them, as editing the file
would. The order of a kind's entities is kept when one is changed; an added one comes last,
unless the edit names its place (`Edit.place`): the undo of a removal puts the entity back where
it stood (`places` says where that was, `inverse` carries it), so a line removed and restored
keeps its place in the kiosk's list. The place is its neighbours by id, not an index: after the
one that stood before it if that one is still there, else before the one that followed it, else
at its old index — removing L03, then L02, then undoing the first puts L03 after L01 and before
L04, where an index alone would put it after L04.

Pure: no clock, no sockets; loading may read the secret files webhooks and central name.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any, Protocol, TypeVar

import tomli_w

from server.config.building import parse_building
from server.config.export import ExportError, building_toml
from server.config.toml_reader import ConfigError
from server.core.building import Building

__all__ = [
    "ARRAY_KINDS",
    "KINDS",
    "SETTINGS_KINDS",
    "Edit",
    "EditRefused",
    "Place",
    "Target",
    "all_entities",
    "apply_edit",
    "apply_edits",
    "describe",
    "edit_groups",
    "entities",
    "entity",
    "inverse",
    "places",
]

Target = str  # "line:K", "holiday:2026-12-25", "policy", "running_text" (see ARRAY_KINDS, …)

# kind → (the document's array of tables, the key that names an entry in it)
ARRAY_KINDS: dict[str, tuple[str, str]] = {
    "line": ("lines", "prefix"),
    "counter": ("counters", "id"),
    "officer": ("officers", "id"),
    "manager": ("managers", "id"),
    "device": ("devices", "id"),
    "portal": ("portals", "id"),
    "agency": ("agencies", "code"),
    "zone": ("zones", "id"),
    "holiday": ("holidays", "date"),
    "special_hours": ("special_hours", "start"),
}
# kinds that are one table of the document, always present (written in full by the exporter)
SETTINGS_KINDS: tuple[str, ...] = (
    "policy",
    "voice",
    "phone",
    "survey",
    "complaints",
    "booking",
    "hours",
)
RUNNING_TEXT = "running_text"
KINDS: tuple[str, ...] = (*ARRAY_KINDS, *SETTINGS_KINDS, RUNNING_TEXT)

# keys holding a calendar date, written back as a TOML date so the reader names the entry by it
_DATE_KEYS = {("holidays", "date"), ("special_hours", "start"), ("special_hours", "end")}
_SECONDS_TIME_RE = re.compile(r"\d{2}:\d{2}:\d{2}")
_LINE_REF_RE = re.compile(r" \(line \d+\)")  # "already used by counters[L07] (line 31)"


@dataclass(frozen=True)
class Place:
    """Where an entity stood in its kind's array: the ids of its neighbours then (None at an
    end) and its index, the last resort when both neighbours are gone."""

    index: int
    after: str | None = None  # the id of the entity just before it
    before: str | None = None  # the id of the entity just after it


@dataclass(frozen=True)
class Edit:
    """One entity changed: `before` as the editor saw it (None when adding), `after` the new
    value (None when removing). Values are JSON-plain, as `entity` returns them."""

    target: Target
    before: Any
    after: Any
    # Where an added entity goes in its kind's array: the place a removed one had (the undo of
    # a removal); None: last. Not logged: the engine finds it again in the log
    # (server/engine.py), from where the removal took the entity out.
    place: Place | None = None


class EditRefused(Exception):
    """An edit not applied: `code` for programs, `message` (Indonesian) for the administrator.

    Codes: "edit_stale" (details["current"]: the entity now), "edit_invalid"
    (details["problems"]: [{"field", "message", "key"}], the config check's problems),
    "edit_unknown_target", "edit_bad_value" (not a table, a wrong shape, a renamed entry).
    """

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}


# --------------------------------------------------------------------------------------------
# Targets and values
# --------------------------------------------------------------------------------------------


def _parse_target(target: object) -> tuple[str, str | None]:
    """(kind, id) of a target; id None for a settings table or the running text."""
    if isinstance(target, str):
        if target in SETTINGS_KINDS or target == RUNNING_TEXT:
            return target, None
        kind, sep, ident = target.partition(":")
        if sep and ident and kind in ARRAY_KINDS:
            return kind, ident
    raise EditRefused(
        "edit_unknown_target",
        f"Sasaran perubahan tidak dikenal: {target!r}.",
        {"target": target},
    )


def _plain(value: Any) -> Any:
    """A document value made JSON-plain: dates and times as the strings the file would hold."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):  # tomllib gives no datetime in a building document
        return value.isoformat()
    if isinstance(value, time):
        return f"{value:%H:%M}" if value.second == 0 else value.isoformat()
    return value


def _clean(value: Any) -> Any:
    """A value as an editor may send it, compared and written like the document's: a key set to
    None (JSON null) is a key left out ("no quota"); tuples are lists."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _ident(table: dict[str, Any], key: str) -> str:
    return str(_plain(table.get(key)))


def _document(building: Building) -> dict[str, Any]:
    try:
        return tomllib.loads(building_toml(building))
    except ExportError as e:  # a destination made in code, never one loaded from a file
        raise EditRefused(
            "edit_invalid",
            f"Perubahan tidak disimpan: gedung ini tidak dapat ditulis sebagai berkas ({e}).",
            {"problems": [{"field": "", "key": "", "message": str(e)}]},
        ) from None


def _find(doc: dict[str, Any], kind: str, ident: str) -> int | None:
    array, key = ARRAY_KINDS[kind]
    for i, table in enumerate(doc.get(array, [])):
        if _ident(table, key) == ident:
            return i
    return None


def _current(doc: dict[str, Any], kind: str, ident: str | None) -> Any:
    if kind == RUNNING_TEXT:
        return doc["building"].get(RUNNING_TEXT, "")
    if ident is None:
        return _plain(doc.get(kind))
    i = _find(doc, kind, ident)
    return None if i is None else _plain(doc[ARRAY_KINDS[kind][0]][i])


def entity(building: Building, target: Target) -> Any:
    """The target's value now: a table (dict), the running text (str), or None when absent."""
    kind, ident = _parse_target(target)
    return _current(_document(building), kind, ident)


def entities(building: Building, kind: str) -> list[tuple[Target, Any]]:
    """Every entity of a kind, in the building's order: [("line:A", {...}), …]; a settings kind
    or "running_text" gives its one entity."""
    doc = _document(building)
    if kind in ARRAY_KINDS:
        array, key = ARRAY_KINDS[kind]
        return [(f"{kind}:{_ident(t, key)}", _plain(t)) for t in doc.get(array, [])]
    if kind in SETTINGS_KINDS or kind == RUNNING_TEXT:
        return [(kind, _current(doc, kind, None))]
    raise EditRefused(
        "edit_unknown_target", f"Jenis data tidak dikenal: {kind!r}.", {"target": kind}
    )


def all_entities(building: Building) -> dict[str, list[tuple[Target, Any]]]:
    """`entities` of every kind of KINDS at once, from one reading of the document (the admin's
    whole view: `admin_state`)."""
    doc = _document(building)
    out: dict[str, list[tuple[Target, Any]]] = {}
    for kind in KINDS:
        if kind in ARRAY_KINDS:
            array, key = ARRAY_KINDS[kind]
            out[kind] = [(f"{kind}:{_ident(t, key)}", _plain(t)) for t in doc.get(array, [])]
        else:
            out[kind] = [(kind, _current(doc, kind, None))]
    return out


def inverse(edit: Edit, place: Place | None = None) -> Edit:
    """The edit that undoes this one (before and after swapped); the undo of a removal puts
    the entity back at `place`, the place it had (`places`)."""
    return Edit(edit.target, edit.after, edit.before, place)


def places(building: Building, edits: Sequence[Edit]) -> list[Place | None]:
    """Where each edit's entity stands in its kind's array just before it, the edits made in
    order on `building` as `apply_edits` makes them (edits it accepted): for a removal, the
    place its undo puts the entity back at. None for a settings kind, the running text, or an
    entity that is absent."""
    doc = _document(building)
    out: list[Place | None] = []
    for edit in edits:
        kind, ident = _parse_target(edit.target)
        out.append(None if ident is None else _place(doc, kind, ident))
        _put(doc, edit, kind, ident)
    return out


def _place(doc: dict[str, Any], kind: str, ident: str) -> Place | None:
    i = _find(doc, kind, ident)
    if i is None:
        return None
    array, key = ARRAY_KINDS[kind]
    tables = doc.get(array, [])
    return Place(
        i,
        _ident(tables[i - 1], key) if i > 0 else None,
        _ident(tables[i + 1], key) if i + 1 < len(tables) else None,
    )


def _index(doc: dict[str, Any], kind: str, place: Place | None) -> int:
    """Where an added entity goes: last, or back in its place — after the neighbour that stood
    before it, else before the one that followed it, else at its old index."""
    tables = doc.get(ARRAY_KINDS[kind][0], [])
    if place is None:
        return len(tables)
    if place.after is not None and (i := _find(doc, kind, place.after)) is not None:
        return i + 1
    if place.before is not None and (i := _find(doc, kind, place.before)) is not None:
        return i
    return max(0, min(place.index, len(tables)))


class _Logged(Protocol):
    @property
    def request_id(self) -> str | None: ...


_L = TypeVar("_L", bound=_Logged)


def edit_groups(edits: Iterable[_L]) -> list[list[_L]]:
    """Logged `building_edited` events as they were made: those of one request (a new line and
    its counter) together, since each alone may not make a valid building. The engine groups
    its stored events so, `antre report` its log rows."""
    groups: list[list[_L]] = []
    for logged in edits:
        rid = logged.request_id
        if groups and rid is not None and groups[-1][-1].request_id == rid:
            groups[-1].append(logged)
        else:
            groups.append([logged])
    return groups


# --------------------------------------------------------------------------------------------
# Applying
# --------------------------------------------------------------------------------------------


def _bad(message: str, target: str) -> EditRefused:
    return EditRefused("edit_bad_value", f"Nilai tidak sesuai: {message}", {"target": target})


def _to_toml(value: Any, array: str | None, key: str | None = None) -> Any:
    """A JSON-plain value back into what tomli-w writes as the file would hold it."""
    if isinstance(value, dict):
        return {k: _to_toml(v, array) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_toml(v, array) for v in value]
    if isinstance(value, str):
        if (array, key) in _DATE_KEYS:
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                return value  # the reader names the mistake
        if _SECONDS_TIME_RE.fullmatch(value):
            try:
                return time.fromisoformat(value)
            except ValueError:
                return value
    return value


def _table_after(edit: Edit, kind: str, ident: str | None) -> dict[str, Any]:
    after = edit.after
    if not isinstance(after, dict):
        raise _bad("harus berupa tabel (kunci = nilai).", edit.target)
    after = _clean(after)
    if ident is not None:
        array, key = ARRAY_KINDS[kind]
        if key not in after:
            after = {key: ident, **after}
        elif str(after[key]) != ident:
            raise _bad(
                f"{key} = {after[key]!r} tidak sama dengan {ident!r}; untuk mengganti {key}, "
                "hapus lalu tambahkan yang baru.",
                edit.target,
            )
        after = {k: _to_toml(v, array, k) for k, v in after.items()}
    else:
        after = {k: _to_toml(v, None, k) for k, v in after.items()}
    return after


def _put(doc: dict[str, Any], edit: Edit, kind: str, ident: str | None) -> str:
    """Puts the edit's `after` into the document; returns the key path the reader will give the
    entity's problems ("lines[K]", "policy"), so that fields can be named relative to it."""
    if kind == RUNNING_TEXT:
        text = "" if edit.after is None else edit.after
        if not isinstance(text, str):
            raise _bad("teks berjalan harus berupa teks.", edit.target)
        if text:
            doc["building"][RUNNING_TEXT] = text
        else:
            doc["building"].pop(RUNNING_TEXT, None)
        return "building"
    if ident is None:
        if edit.after is None:
            raise _bad(f"[{kind}] tidak dapat dihapus; ubah nilainya.", edit.target)
        doc[kind] = _table_after(edit, kind, None)
        return kind
    array, _ = ARRAY_KINDS[kind]
    tables = doc.setdefault(array, [])
    i = _find(doc, kind, ident)
    if edit.after is None:
        if i is not None:
            del tables[i]
        if not tables:
            del doc[array]
        return f"{array}[{ident}]"
    table = _table_after(edit, kind, ident)
    if i is None:
        # Last, or the place a removed entity had (an undo): beside its old neighbours.
        i = _index(doc, kind, edit.place)
        tables.insert(i, table)
    else:
        tables[i] = table
    return f"{array}[{ident}]|{array}[#{i + 1}]"


def _field(key: str, where: str) -> str:
    """A problem's field relative to the edited entity ("quota_walk_in"), or its whole key path
    when the problem lies elsewhere ("counters[L21].serves" after removing a line)."""
    for prefix in where.split("|"):
        if key == prefix:
            return ""
        if key.startswith(prefix + "."):
            return key[len(prefix) + 1 :]
    return key


def _invalid(error: ConfigError, where: str) -> EditRefused:
    """The config check's problems as the admin reads them: each message in Indonesian
    (`antre config check` keeps the English for engineers), named by field or key path."""
    from server.config.problem_words import indonesian

    problems = [
        {
            "field": _field(p.key, where),
            "key": p.key,
            "message": indonesian(_LINE_REF_RE.sub("", p.message)),
        }
        for p in error.problems
    ]
    said = "; ".join(
        f"{p['field']}: {p['message']}" if p["field"] else p["message"] for p in problems
    )
    return EditRefused(
        "edit_invalid",
        f"Perubahan tidak disimpan: nilainya tidak lolos pemeriksaan konfigurasi — {said}",
        {"problems": problems},
    )


def apply_edit(building: Building, edit: Edit) -> Building:
    """The building with the edit made, validated as `antre config check` validates a file.

    Raises EditRefused: "edit_unknown_target", "edit_stale" (the entity is no longer `before`;
    details["current"]), "edit_bad_value", "edit_invalid" (details["problems"]).
    """
    return apply_edits(building, [edit])


def apply_edits(building: Building, edits: Sequence[Edit]) -> Building:
    """Several edits made as one change, validated once at the end: the only way to add what
    the config check accepts only together, such as a new line and the counter that serves it
    (a line no counter serves, or a counter serving an unknown line, is refused alone).

    Each edit's `before` is checked against the document as the edits before it left it, so
    two edits of the same target chain. Refusals as `apply_edit`'s; a stale one also names
    details["index"], the edit's position in `edits`.
    """
    if not edits:
        raise _bad("tidak ada perubahan.", "")
    doc: dict[str, Any] | None = None
    wheres: list[str] = []
    for index, edit in enumerate(edits):
        kind, ident = _parse_target(edit.target)
        if doc is None:
            doc = _document(building)
        current = _current(doc, kind, ident)
        before = _clean(edit.before)
        if kind == RUNNING_TEXT and before is None:
            before = ""
        if before != current:
            raise EditRefused(
                "edit_stale",
                "Perubahan tidak disimpan: data ini sudah diubah sejak Anda membukanya. "
                "Periksa nilainya sekarang lalu ulangi perubahan.",
                {"current": current, "target": edit.target, "index": index},
            )
        wheres.append(_put(doc, edit, kind, ident))
    assert doc is not None
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError) as e:  # a value TOML cannot hold (e.g. null inside a list)
        raise _bad(f"tidak dapat ditulis sebagai TOML ({e}).", edits[-1].target) from None
    try:
        return parse_building(text, "<perubahan>")
    except ConfigError as e:
        raise _invalid(e, "|".join(wheres)) from None


# --------------------------------------------------------------------------------------------
# The audit line
# --------------------------------------------------------------------------------------------

# kind → (the noun the audit line names it by, the key giving its name in parentheses)
_NOUNS: dict[str, tuple[str, str | None]] = {
    "line": ("Layanan", "name"),
    "counter": ("Loket", "name"),
    "officer": ("Petugas", "name"),
    "manager": ("Manajer", "name"),
    "device": ("Perangkat", None),
    "portal": ("Portal", "name"),
    "agency": ("Instansi", "name"),
    "zone": ("Zona", "name"),
    "holiday": ("Hari libur", None),
    "special_hours": ("Jam khusus", None),
    "policy": ("Kebijakan pemanggilan", None),
    "voice": ("Suara panggilan", None),
    "phone": ("Halaman ponsel", None),
    "survey": ("Survei SKM", None),
    "complaints": ("Pengaduan", None),
    "booking": ("Pemesanan daring", None),
    "hours": ("Jam buka gedung", None),
}

# (kind, key) → the words for a field, "Kuota harian A: 300 → 250"
_FIELDS: dict[tuple[str, str], str] = {
    ("line", "name"): "Nama layanan",
    ("line", "agency"): "Instansi layanan",
    ("line", "target_service_min"): "Waktu layanan standar",
    ("line", "quota_walk_in"): "Kuota harian",
    ("line", "quota_priority"): "Kuota prioritas",
    ("line", "cutoff"): "Batas pengambilan nomor",
    ("line", "max_wait_min"): "Batas tunggu",
    ("line", "days"): "Hari layanan",
    ("line", "open"): "Jam buka",
    ("line", "close"): "Jam tutup",
    ("line", "requires"): "Syarat layanan",
    ("line", "booking"): "Pemesanan",
    ("counter", "name"): "Nama loket",
    ("counter", "number"): "Nomor loket",
    ("counter", "spoken"): "Ucapan loket",
    ("counter", "zone"): "Zona loket",
    ("counter", "agency"): "Instansi loket",
    ("counter", "serves"): "Layanan di loket",
    ("counter", "priority"): "Loket prioritas",
    ("counter", "schedule"): "Jadwal loket",
    ("officer", "name"): "Nama petugas",
    ("officer", "agency"): "Instansi petugas",
    ("manager", "name"): "Nama manajer",
    ("manager", "role"): "Peran manajer",
    ("agency", "name"): "Nama instansi",
    ("agency", "short_name"): "Nama singkat instansi",
    ("agency", "zone"): "Zona instansi",
    ("agency", "days"): "Hari layanan instansi",
    ("agency", "open"): "Jam buka instansi",
    ("agency", "close"): "Jam tutup instansi",
    ("zone", "name"): "Nama zona",
    ("holiday", "name"): "Nama hari libur",
    ("special_hours", "name"): "Nama jam khusus",
    ("special_hours", "end"): "Akhir jam khusus",
    ("device", "zone"): "Zona perangkat",
    ("device", "counter"): "Loket perangkat",
    ("policy", "closure_approval"): "Penutupan loket perlu persetujuan pengelola",
}
_HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
for _kind in ("hours", "special_hours"):
    _FIELDS.update({(_kind, day): hari for day, hari in zip(_WEEKDAYS, _HARI, strict=True)})
_SECRETS = {"pin_hash": "PIN", "token_sha256": "token"}


def _show(value: Any) -> str | None:
    """A value as the audit line shows it; None for one too big to show (a table, a schedule)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        if all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
            return ", ".join(str(v) for v in value)
        return None
    if isinstance(value, dict):
        if set(value) == {"open", "close"}:  # a day's hours, "08:00–14:00"
            return f"{value['open']}–{value['close']}"
        return None
    if value == "closed":
        return "tutup"
    return str(value)


def _change(kind: str, key: str, before: Any, after: Any) -> tuple[str, str]:
    """(label, what happened) of one changed field: ("Kuota harian", "300 → 250")."""
    label = _FIELDS.get((kind, key), key)
    old, new = _show(before), _show(after)
    if old is None or new is None:
        return label, "diubah"
    return label, f"{old} → {new}"


def _who(kind: str, ident: str | None, table: Any) -> str:
    """ "Layanan Y (Pembuatan Akta)", "Hari libur 2026-12-24", "Kebijakan pemanggilan"."""
    noun, name_key = _NOUNS[kind]
    if ident is None:
        return noun
    name = table.get(name_key) if isinstance(table, dict) and name_key else None
    return f"{noun} {ident} ({name})" if name and name != ident else f"{noun} {ident}"


def _changed_keys(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    keys = [*after, *(k for k in before if k not in after)]
    return [k for k in keys if before.get(k) != after.get(k)]


def describe(edit: Edit, undo: bool = False) -> str:
    """One Indonesian line for the audit view; a PIN hash or token digest is never shown.

    `undo`: the edit is an undo (its caller leads the line with "Batal versi N:"). Undoing a
    PIN reset or a new token brings the old credential back, which the line says plainly
    ("PIN lama petugas DKP01 berlaku lagi"), not "diatur ulang" as if a new one was made.
    """
    try:
        kind, ident = _parse_target(edit.target)
    except EditRefused:
        return f"Perubahan {edit.target}"
    if kind == RUNNING_TEXT:
        return "Teks berjalan dikosongkan" if not edit.after else "Teks berjalan diubah"
    before, after = _clean(edit.before), _clean(edit.after)
    if before is None and after is None:
        return f"{_who(kind, ident, None)} tidak berubah"
    if before is None:
        return f"{_who(kind, ident, after)} ditambahkan"
    if after is None:
        return f"{_who(kind, ident, before)} dihapus"
    if not isinstance(before, dict) or not isinstance(after, dict):
        return f"{_who(kind, ident, after)} diubah"
    keys = _changed_keys(before, after)
    if not keys:
        return f"{_who(kind, ident, after)} tidak berubah"
    noun = _NOUNS[kind][0]
    subject = f"{noun.lower()} {ident}" if ident is not None else noun.lower()
    parts: list[str] = []
    for key in keys:
        if key in _SECRETS:
            if undo:
                parts.append(f"{_SECRETS[key]} lama berlaku lagi")
            else:
                parts.append("PIN diatur ulang" if key == "pin_hash" else "token diganti")
        elif key == "disabled":  # an officer switched off or back on (room LIVE's key)
            parts.append("dinonaktifkan" if after.get(key) else "diaktifkan kembali")
    plain = [k for k in keys if k not in _SECRETS and k != "disabled"]
    if not plain and len(parts) == 1:
        # "PIN petugas DKP01 diatur ulang", "Token perangkat KIOSK-3 diganti", "… dinonaktifkan"
        key = keys[0]
        if key in _SECRETS:
            what, done = ("PIN", "diatur ulang") if key == "pin_hash" else ("Token", "diganti")
            if undo:  # "PIN lama petugas DKP01 berlaku lagi", "Token lama perangkat … berlaku lagi"
                return f"{what} lama {subject} berlaku lagi"
            return f"{what} {subject} {done}"
        return f"{_who(kind, ident, after)} {parts[0]}"
    if len(plain) == 1 and not parts:
        label, change = _change(kind, plain[0], before.get(plain[0]), after.get(plain[0]))
        if (kind, plain[0]) in _FIELDS and ident is not None:
            return f"{label} {ident}: {change}"
        return f"{_who(kind, ident, after)}: {label} {change}"
    for key in plain:
        label, change = _change(kind, key, before.get(key), after.get(key))
        parts.append(f"{label} {change}")
    return f"{_who(kind, ident, after)} diubah: " + "; ".join(parts)
