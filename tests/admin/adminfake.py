"""A stand-in for the server's admin requests, in the reply shapes of the issue 23 contract.

The admin app's screens are driven here by keyboard before and beside the end-to-end tests on
the real server (tests/admin/test_admin_walk.py): this object replaces the app's `client` and
answers `admin_state` and `admin_edit` as docs/protocol.md says the server does — a version per
edit, a stale edit refused with the current value, a refusal set up by the test — and keeps every
request it was sent. The rest of the protocol is walked on the real server.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Any

from server.client import ConnectionState, RequestError

__all__ = ["FakeAdminServer", "demo_entities", "install"]


def demo_entities() -> dict[str, dict[str, Any]]:
    """A small building: two lines, a counter, an officer, a holiday, a device, texts."""
    return {
        "line": {
            "line:A": {"prefix": "A", "agency": "DUKCAPIL", "name": "KTP-el", "quota_walk_in": 300},
            "line:B": {"prefix": "B", "agency": "DUKCAPIL", "name": "Kartu Keluarga"},
        },
        "counter": {
            "counter:L01": {"id": "L01", "name": "Loket 1", "number": 1, "serves": ["A"]},
        },
        "officer": {
            "officer:DKP01": {"id": "DKP01", "name": "Siti Rahmawati", "agency": "DUKCAPIL"},
        },
        "device": {"device:KIOSK-1": {"id": "KIOSK-1", "kind": "kiosk"}},
        "holiday": {"holiday:2026-12-25": {"date": "2026-12-25", "name": "Hari Raya Natal"}},
        "running_text": {"running_text": "Selamat datang"},
        "policy": {"policy": {"max_wait_min": 60}},
    }


class FakeAdminServer:
    """What the app's `client` is asked, answered from a dict of entities."""

    def __init__(self, entities: dict[str, dict[str, Any]] | None = None) -> None:
        self.entities = entities if entities is not None else demo_entities()
        self.version = 0
        self.changed_at: dict[str, int] = {}
        self.history: list[dict[str, Any]] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.refuse_next: dict[str, Any] | None = None  # an error frame for the next edit
        self.state = ConnectionState.CONNECTING
        self.close_code: int | None = None
        self.refusal: dict[str, Any] | None = None
        self.welcome: dict[str, Any] = {}
        self._on_state: Callable[[ConnectionState], None] | None = None

    # -- what the app calls on its client ------------------------------------------------------

    def start(self) -> None:
        self.state = ConnectionState.CONNECTED
        if self._on_state:
            self._on_state(self.state)

    async def close(self) -> None:
        self.state = ConnectionState.CLOSED

    async def request(self, type: str, **fields: Any) -> dict[str, Any]:
        await asyncio.sleep(0)  # a reply is never synchronous on the wire
        self.sent.append((type, copy.deepcopy(fields)))
        return getattr(self, "_" + type)(**fields)

    # -- the requests --------------------------------------------------------------------------

    def _admin_state(self) -> dict[str, Any]:
        entities = {
            kind: [{"target": t, "value": copy.deepcopy(v)} for t, v in rows.items()]
            for kind, rows in self.entities.items()
        }
        return {"type": "ok", "version": self.version, "entities": entities}

    def _current(self, target: str) -> Any:
        return copy.deepcopy(self.entities.get(target.split(":")[0], {}).get(target))

    def change(self, target: str, after: Any, by: str = "manager:ADMIN", **row: Any) -> int:
        """An accepted edit: what another administrator's edit does, too."""
        before = self._current(target)
        rows = self.entities.setdefault(target.split(":")[0], {})
        if after is None:
            rows.pop(target, None)
        else:
            rows[target] = copy.deepcopy(after)
        self.version += 1
        self.changed_at[target] = self.version
        text = row.pop("text", f"{target} diubah")
        self.history.insert(
            0,
            {"version": self.version, "at": "2026-11-23T09:00:00+07:00", "by": by,
             "target": target, "before": before, "after": after, "undoes": None,
             "text": text} | row,
        )  # fmt: skip
        return self.version

    def _admin_edit(self, version: int, **one: Any) -> dict[str, Any]:
        edits = one.get("edits") or [one]
        replies = [self._edit_one(version, **e) for e in edits]
        return {"type": "ok", **replies[-1], "edits": replies}

    def _edit_one(self, version: int, target: str, before: Any, after: Any) -> dict[str, Any]:
        if self.refuse_next is not None:
            refusal, self.refuse_next = self.refuse_next, None
            raise RequestError(refusal)
        current = self._current(target)
        if self.changed_at.get(target, 0) > version and current != before:
            raise RequestError(
                {"type": "error", "code": "edit_stale", "details": {"current": current},
                 "message": "Perubahan tidak disimpan: data ini sudah diubah orang lain."}
            )  # fmt: skip
        self.change(target, after)
        return {"version": self.version, "target": target, "value": copy.deepcopy(after)}


def install(app: Any, fake: FakeAdminServer) -> FakeAdminServer:
    """Put the stand-in where the app's client was, before the app runs."""
    fake._on_state = app._on_state
    app.client = fake
    return fake
