"""THE CLOSURE WALK: issue 23's counter-closure requests, end to end, with every part real.

The demo building (server/demo/mpp-kota-contoh.toml, `[policy] closure_approval = true`), the
real server on a free port of 127.0.0.1 with its own SQLite file and a fake clock, Monday 23
November 2026 (WIB), as docs/operations.md "Closing a counter during service hours" tells it:

1. 09.00: Loket 3 (Dukcapil) serves lines A and B; two citizens wait on A, three on B. Budi
   Santoso (DKP02) is at work at Loket 1 (A only). Siti Rahmawati (DKP01) works Loket 3 on the
   real counter console. Her system is down: Q (log out) is refused — the counter is in its
   service hours and the building asks a manager's approval.
2. U, the quick pick "Gangguan sistem instansi": the console says it waits for the manager.
3. 09.04: the floor dashboard (the real app, LANTAI) shows the alert "Permintaan tutup loket:
   Loket 3 (Dukcapil, Siti Rahmawati) — Gangguan sistem instansi — 4 menit" and the counter's
   state "buka · minta tutup"; P lists the request with its lines — "A 2 menunggu, loket lain
   yang buka: Loket 1; B 3 menunggu, tidak ada loket lain yang buka" — and the warning that B's
   3 citizens are left with no open counter; S asks again with the warning, Ya approves.
4. The console says "Penutupan disetujui oleh Bambang Sutrisno. Loket ditutup."; the counter is
   closed, and Q now logs Siti out.
5. `antre report --day 2026-11-23` on the server's store: closures.csv has the row — asked
   09.00, approved and closed 09.04 by LANTAI, 416 minutes of service hours left (16.00 closing
   − 09.04) — and the terminal's line counts it.

Each expectation is written out from docs/operations.md and docs/reports.md ("closures.csv"),
never read from the code.
"""

from __future__ import annotations

import csv
from pathlib import Path

from countertest import choose, console, log_in, text
from countertest import until as console_until
from hubtest import MONDAY_9AM, FakeClock, StartServer
from test_floor_app import SIZE, dashboard, issue
from test_floor_app import until as floor_until
from test_floor_closures_app import alert_keys, alert_text, closure_cells, state_cell

from counter.app import CounterApp
from display.floor_closure_screens import ClosureScreen
from display.floor_screens import ConfirmScreen
from server.report.cli import report_main

REASON = "Gangguan sistem instansi"
WARNING = "Peringatan: Menutup Loket 3 meninggalkan 3 warga di layanan B tanpa loket yang buka."


def closure_line(app: CounterApp) -> str:
    widget = app.part("closure")
    return str(widget.render()) if widget.display else ""


async def test_an_officer_asks_the_floor_approves_and_the_report_has_it(
    start_server: StartServer, clock: FakeClock, tmp_path: Path, capsys
) -> None:
    clock.now = MONDAY_9AM
    server = await start_server()  # the demo building
    kiosk = await server.client("KIOSK-1")
    await server.officer_at_work("DKP02@L01")
    await issue(kiosk, "A", 2)
    await issue(kiosk, "B", 3)

    desk = console(server, "L03")
    async with desk.run_test(size=(120, 40)) as officer:
        # 1. Siti at Loket 3; Q is refused in service hours.
        await log_in(officer, "DKP01")
        await console_until(
            officer, lambda: desk.logged_in and "BUKA" in text(desk, "counter-state"), "at work"
        )
        await officer.press("q")
        await choose(officer, "ya")
        await console_until(officer, lambda: "jam layanan" in text(desk, "notice"), "refusal")
        assert text(desk, "notice") == (
            "Loket 3 masih dalam jam layanan: ajukan penutupan kepada pengelola lebih dulu "
            "(tombol U), atau jeda loket (P)"
        )
        assert desk.logged_in

        # 2. U, a quick pick.
        await officer.press("u")
        await choose(officer, REASON)
        waiting = f"Menunggu persetujuan pengelola: tutup loket (alasan: {REASON})"
        await console_until(officer, lambda: closure_line(desk) == waiting, "the request")

        # 3. 09.04, the floor dashboard.
        clock.advance(240)
        floor = dashboard(server)
        async with floor.run_test(size=SIZE) as manager:
            await floor_until(manager, lambda: "tutup:L03" in alert_keys(floor))
            assert alert_text(floor, "tutup:L03") == (
                f"Permintaan tutup loket: Loket 3 (Dukcapil, Siti Rahmawati) — {REASON} — 4 menit"
            )
            assert state_cell(floor, "L03") == "buka · minta tutup"
            await manager.press("p")
            await floor_until(manager, lambda: isinstance(floor.screen, ClosureScreen))
            row = closure_cells(floor, "L03")
            assert row[:4] == ["Loket 3", "Dukcapil", "Siti Rahmawati", REASON]
            assert row[6] == (
                "A 2 menunggu, loket lain yang buka: Loket 1; "
                "B 3 menunggu, tidak ada loket lain yang buka"
            )
            await manager.press("s")
            await floor_until(manager, lambda: isinstance(floor.screen, ConfirmScreen))
            question = str(floor.screen.query_one("#question").render())
            assert question == f"Setujui penutupan Loket 3 (Siti Rahmawati: {REASON})? {WARNING}"
            await manager.click("#yes")
            await floor_until(manager, lambda: state_cell(floor, "L03").startswith("tutup"))
            assert "tutup:L03" not in alert_keys(floor)

        # 4. The console says who approved; the counter is closed and Q logs out.
        approved = "Penutupan disetujui oleh Bambang Sutrisno. Loket ditutup."
        await console_until(officer, lambda: closure_line(desk) == approved, "the approval")
        assert "TUTUP" in text(desk, "counter-state")
        await officer.press("q")
        await choose(officer, "ya")
        await console_until(officer, lambda: not desk.logged_in, "logged out")
    status = server.engine.state.counters["L03"]
    assert (status.state.value, status.officer) == ("closed", None)

    # 5. The day's report.
    out = tmp_path / "out"
    db = str(server.engine.db_path)
    assert report_main(["--day", "2026-11-23", "--db", db, "--out", str(out)]) == 0
    with (out / "closures.csv").open(encoding="utf-8-sig", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["day"], row["counter"], row["counter_name"], row["agency"]) == (
        "2026-11-23",
        "L03",
        "Loket 3",
        "DUKCAPIL",
    )
    assert (row["officer"], row["reason"], row["outcome"]) == ("DKP01", REASON, "disetujui")
    assert row["requested_at"] == "2026-11-23T09:00:00+07:00"
    assert (row["decided_at"], row["decided_by"], row["note"]) == (
        "2026-11-23T09:04:00+07:00",
        "LANTAI",
        "",
    )
    assert (row["closed_at"], row["minutes_left"]) == ("2026-11-23T09:04:00+07:00", "416.0")
    assert (
        "Tutup loket pada jam layanan: 1 (disetujui 1, ditolak 0, ditarik 0, "
        "tidak diputuskan 0, tanpa pengajuan 0)" in capsys.readouterr().out
    )
