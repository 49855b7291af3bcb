"""Where the building's events go (issue 21): `[building] id`, `[[webhooks]]` and `[central]`.

A webhook is an integrator's URL (MPP Digital, a regency portal) that gets the event kinds it
lists, signed with a secret shared with it; central is the regency's or province's
`antre central`, which gets every event, signed with the building's own key. Both secrets live
in files of their own beside the building file (never in it: the building file is copied,
e-mailed and diffed), read here once at start. The building's `id` is what every delivery
names and a receiver keys on, so it is required as soon as there is anywhere to deliver to.
Every mistake is named by file, line and key like the rest of the file; docs/configuration.md
describes the keys.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from server.config.toml_reader import MISSING, Key, Reader, describe, label, suggest
from server.core.building import Destination, DestinationKind
from server.core.events import EVENT_TYPES
from server.signing import BUILDING_ID_RE, SECRET_MIN_BYTES

__all__ = ["CENTRAL_ID", "CENTRAL_KEYS", "WEBHOOK_KEYS", "read_building_id", "read_destinations"]

CENTRAL_ID = "central"  # the destination id of `[central]` (a webhook may not take it)
WEBHOOK_KEYS = (
    *("id", "url", "secret_file", "events", "personal_data", "alert_after_minutes"),
    "batch_size",
)
CENTRAL_KEYS = ("url", "key_file", "batch_size", "alert_after_minutes")
_WEBHOOK_BATCH = 100  # events a request by default: small bodies for an integrator's handler
_CENTRAL_BATCH = 500  # central ingests in bulk: fewer, larger requests catch a backlog up
_BATCH_RANGE = (1, 5000)
_ALERT_RANGE = (1, 7 * 24 * 60)  # minutes: a week at most, or the alert would never be seen
_SECRET_HINT = f"at least {SECRET_MIN_BYTES} bytes, e.g. `openssl rand -hex 32 > FILE`"


def read_building_id(doc: dict[str, Any], r: Reader) -> str | None:
    """`[building] id`, checked for form; None when absent or bad (the table itself is
    `settings.read_building_table`'s)."""
    table = doc.get("building")
    if not isinstance(table, dict) or "id" not in table:
        return None
    key = Key() / "building" / "id"
    value = table["id"]
    if not isinstance(value, str) or not BUILDING_ID_RE.fullmatch(value):
        r.problem(
            key,
            f"{describe(value)} is not a building id: use 1–40 lowercase letters, digits and "
            'hyphens, starting and ending with a letter or digit, e.g. "mpp-kota-contoh"',
        )
        return None
    return value


def read_destinations(
    doc: dict[str, Any], r: Reader, building_id: str | None, base: Path
) -> tuple[Destination, ...]:
    """Every `[[webhooks]]` and the `[central]` table; secret files relative to `base`.

    Records a problem for every mistake, and one for a missing `[building] id` when anything is
    to be delivered."""
    out: list[Destination] = []
    seen: dict[Any, Any] = {}
    for i, table in r.entries(doc, "webhooks", required=False):
        key = (Key() / "webhooks").item(i, label(table, "id"))
        webhook = _read_webhook(r, table, key, base, seen)
        if webhook is not None:
            out.append(webhook)
    central = _read_central(doc, r, base)
    if central is not None:
        out.append(central)
    table = doc.get("building")
    if ("webhooks" in doc or "central" in doc) and isinstance(table, dict) and "id" not in table:
        r.problem(
            Key() / "building",
            'add id = "…" (e.g. "mpp-kota-contoh"): every delivery to [[webhooks]] and '
            "[central] names the building by it",
        )
    return tuple(out) if building_id is not None else ()


def _read_webhook(
    r: Reader, table: dict[str, Any], key: Key, base: Path, seen: dict[Any, Any]
) -> Destination | None:
    r.table(table, key, WEBHOOK_KEYS)
    before = len(r.problems)
    ident = r.get(table, key, "id", r.ident)
    if ident == CENTRAL_ID:
        r.problem(key / "id", f'"{CENTRAL_ID}" is [central]\'s; give the webhook another id')
    r.unique(seen, ident, key, "id", "webhook id")
    url = r.get(table, key, "url", lambda v, k: _url(r, v, k))
    secret, secret_file = _secret(r, table, key, "secret_file", base)
    events = r.get(table, key, "events", lambda v, k: _kinds(r, v, k), None)
    personal = r.get(table, key, "personal_data", r.boolean, False)
    alert = r.get(
        table, key, "alert_after_minutes", lambda v, k: _within(r, v, k, _ALERT_RANGE), 30
    )
    batch = r.get(
        table, key, "batch_size", lambda v, k: _within(r, v, k, _BATCH_RANGE), _WEBHOOK_BATCH
    )
    if len(r.problems) > before or None in (ident, url, secret, personal, alert, batch):
        return None
    assert ident and url and secret and alert and batch and personal is not None
    return Destination(
        id=ident,
        kind=DestinationKind.WEBHOOK,
        url=url,
        secret=secret,
        events=events,
        personal_data=personal,
        alert_after_minutes=float(alert),
        batch_size=batch,
        secret_file=secret_file,
    )


def _read_central(doc: dict[str, Any], r: Reader, base: Path) -> Destination | None:
    key = Key() / "central"
    value = doc.get("central", MISSING)
    if value is MISSING:
        return None
    table = r.table(value, key, CENTRAL_KEYS, header="central")
    if table is None:
        return None
    before = len(r.problems)
    url = r.get(table, key, "url", lambda v, k: _url(r, v, k))
    secret, secret_file = _secret(r, table, key, "key_file", base)
    batch = r.get(
        table, key, "batch_size", lambda v, k: _within(r, v, k, _BATCH_RANGE), _CENTRAL_BATCH
    )
    alert = r.get(
        table, key, "alert_after_minutes", lambda v, k: _within(r, v, k, _ALERT_RANGE), 30
    )
    if len(r.problems) > before or None in (url, secret, batch, alert):
        return None
    assert url and secret and batch and alert
    return Destination(
        id=CENTRAL_ID,
        kind=DestinationKind.CENTRAL,
        url=url.rstrip("/"),
        secret=secret,
        events=None,  # central gets every event: its figures need them all, with no gap
        personal_data=False,
        alert_after_minutes=float(alert),
        batch_size=batch,
        secret_file=secret_file,
    )


def _url(r: Reader, value: object, key: Key) -> str | None:
    if not isinstance(value, str):
        r.problem(
            key, f'expected a URL such as "https://portal.example/antre", got {describe(value)}'
        )
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        r.problem(key, f'"{value}" is not an http:// or https:// URL with a host')
        return None
    if parts.username or parts.password:
        r.problem(key, "must not hold a user or password: the signature is the credential")
        return None
    return value.strip()


def _kinds(r: Reader, value: object, key: Key) -> frozenset[str] | None:
    kinds = r.strings(value, key)
    if kinds is None:
        return None
    for kind in kinds:
        if kind not in EVENT_TYPES:
            hint = suggest(kind, EVENT_TYPES)
            r.problem(key, f'unknown event type "{kind}"{hint}; docs/protocol.md lists them')
            return None
    return frozenset(kinds)


def _within(r: Reader, value: object, key: Key, span: tuple[int, int]) -> int | None:
    low, high = span
    if isinstance(value, bool) or not isinstance(value, int):
        r.problem(key, f"expected a whole number from {low} to {high}, got {describe(value)}")
        return None
    if not low <= value <= high:
        r.problem(key, f"must be from {low} to {high}, got {value}")
        return None
    return value


def _secret(
    r: Reader, table: dict[str, Any], key: Key, name: str, base: Path
) -> tuple[bytes | None, str | None]:
    """The secret in the file `table[name]` names (relative to the building file's folder),
    surrounding whitespace removed, and that file's absolute path (kept so that an exported
    building names the file, never the secret); a problem when missing, unreadable or short."""
    path_text = r.get(table, key, name, r.string)
    if path_text is None:
        return None, None
    path = base / path_text
    try:
        secret = path.read_bytes().strip()
    except FileNotFoundError:
        r.problem(key / name, f"no such file: {path}; make it with {_SECRET_HINT}")
        return None, None
    except OSError as exc:
        r.problem(key / name, f"cannot read {path}: {exc.strerror or exc}")
        return None, None
    if len(secret) < SECRET_MIN_BYTES:
        r.problem(
            key / name,
            f"{path} holds {len(secret)} bytes; a secret must be {_SECRET_HINT}",
        )
        return None, None
    # abspath, not resolve(): a symlinked secret (/etc/antre/portal.secret -> a vault mount)
    # stays named as the operator wrote it.
    return secret, os.path.abspath(path)
