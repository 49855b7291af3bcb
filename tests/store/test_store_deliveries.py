"""The outbox's rows (issue 21, schema 10): positions that only move forward, new destinations'
starting points, failures counted, and the delivery log trimmed — on a real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from server.store import Store
from server.store.deliveries import Attempt, record_delivery


def _attempt(outcome: str, first: int | None = None, last: int | None = None, **kw) -> Attempt:
    fields = {"status": 200, "ms": 3.0, "error": None} | kw
    return Attempt("2026-11-23T09:00:00+07:00", "PORTAL-KAB", first, last, outcome, **fields)


async def test_positions_start_where_documented_and_never_go_back(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "antre.db")
    try:
        states = await store.open_deliveries({"central": 0, "PORTAL-KAB": None}, "t0")
        assert (states["central"].position, states["PORTAL-KAB"].position) == (0, 0)
        await store.record_delivery(_attempt("delivered", 1, 40), 40)
        await store.record_delivery(_attempt("delivered", 1, 20), 20)  # a late, older write
        assert (await store.delivery_states())["PORTAL-KAB"].position == 40
        failed = _attempt("failed", 41, 50, status=503, error="HTTP 503: maintenance")
        await store.record_delivery(failed)
        await store.record_delivery(failed)
        state = (await store.delivery_states())["PORTAL-KAB"]
        assert (state.position, state.attempts, state.last_error) == (
            40,
            2,
            "HTTP 503: maintenance",
        )
        assert state.failing_since == "2026-11-23T09:00:00+07:00"
        await store.record_delivery(_attempt("delivered", 41, 50), 50)
        state = (await store.delivery_states())["PORTAL-KAB"]
        assert (state.position, state.attempts, state.failing_since) == (50, 0, None)
        # Opening again adds nothing and moves nothing.
        again = await store.open_deliveries({"central": 0, "PORTAL-KAB": None}, "t1")
        assert (again["PORTAL-KAB"].position, again["PORTAL-KAB"].added_at) == (50, "t0")
        log = await store.delivery_log("PORTAL-KAB", 10)
        assert [a.outcome for a in log] == [
            "delivered",
            "failed",
            "failed",
            "delivered",
            "delivered",
        ]
    finally:
        await store.close()


def test_the_delivery_log_keeps_only_its_newest_rows(tmp_path: Path) -> None:
    """Trimmed every 100 attempts to the newest `keep`: 300 attempts, keep 50 → 251–300."""
    path = tmp_path / "antre.db"

    async def make() -> None:
        store = await Store.open(path)
        await store.open_deliveries({"PORTAL-KAB": 0}, "t0")
        await store.close()

    asyncio.run(make())
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for n in range(1, 301):
            record_delivery(db, _attempt("delivered", n, n), n, None, keep=50)
        seqs = [row[0] for row in db.execute("SELECT last_seq FROM delivery_log ORDER BY id")]
        assert seqs == list(range(251, 301))
        (position,) = db.execute("SELECT position FROM deliveries").fetchone()
        assert position == 300
    finally:
        db.close()
