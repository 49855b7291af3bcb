"""`antre report` lists the building's live edits (issue 23: "every change is an event … listed
in an audit view and in `antre report`"): edits.csv and the terminal's line, on a real server's
store after real `admin_*` requests.

The demo building, Monday 23 November 2026: at 09:00 ADMIN cuts line K's walk-in quota from 60 to
50 (the blanko ran out), at 09:05 resets DKP01's PIN, at 09:10 undoes the quota cut. The rows
and words below are written from docs/reports.md and the audit view's words
(docs/configuration.md "Editing the building live").
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from hubtest import Server
from test_report import _read_csv

from server.report.cli import report_main

DAY = "2026-11-23"


async def test_the_days_edits_are_listed_in_order_with_who_and_when_never_a_pin(
    server: Server, tmp_path: Path
) -> None:
    admin = await server.client("ADMIN")
    state = await admin.request("admin_state")
    line = next(e["value"] for e in state["entities"]["line"] if e["target"] == "line:K")
    await admin.request(
        "admin_edit", target="line:K", before=line, after={**line, "quota_walk_in": 50}, version=0
    )
    server.clock.advance(300)
    reset = await admin.request("admin_reset_pin", officer="DKP01")
    server.clock.advance(300)
    await admin.request("admin_undo", version=1)

    out = tmp_path / "out"
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        rc = report_main(["--day", DAY, "--db", str(server.engine.db_path), "--out", str(out)])
    assert rc == 0
    rows = _read_csv(out / "edits.csv")
    assert [
        (r["day"], r["at"], r["version"], r["by"], r["target"], r["change"], r["undoes"])
        for r in rows
    ] == [
        (DAY, "09:00:00", "1", "manager:ADMIN", "line:K", "Kuota harian K: 60 → 50", ""),
        (
            DAY,
            "09:05:00",
            "2",
            "manager:ADMIN",
            "officer:DKP01",
            "PIN petugas DKP01 diatur ulang",
            "",
        ),
        (
            DAY,
            "09:10:00",
            "3",
            "manager:ADMIN",
            "line:K",
            "Batal versi 1: Kuota harian K: 50 → 60",
            "1",
        ),
    ]
    written = (out / "edits.csv").read_text()
    assert reset["pin"] not in written and "scrypt" not in written
    assert (
        "Perubahan gedung: 3 (1 pembatalan), terakhir 2026-11-23 09:10:00 oleh manager:ADMIN"
        in text.getvalue()
    )
