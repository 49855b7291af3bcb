"""Counter-closure requests on the real dashboard against a real server on loopback (issue 23
F): officers are plain clients logged in at their counters (tests/hub/hubtest.py).

The demo building, Monday 23 November 2026 09.00 WIB on the server's fake clock. Worked by
hand from server/demo/mpp-kota-contoh.toml: Loket 3 (Dukcapil) serves lines A and B; A is
also served by Loket 1, 2 and 7, B by Loket 4 and 7. With Siti Rahmawati (DKP01) at Loket 3 and
Budi Santoso (DKP02) at Loket 1, both open, 2 citizens waiting on A and 3 on B: closing Loket 3
leaves B's 3 citizens with no open counter, A keeps Loket 1.
"""

from __future__ import annotations

from typing import Any

from hubtest import Server
from test_floor_app import SIZE, dashboard, issue, until
from textual.widgets import DataTable, Input, Static

from display.floor_closure_screens import ClosureScreen
from display.floor_screens import ConfirmScreen

ALERT = (
    "Permintaan tutup loket: Loket 3 (Dukcapil, Siti Rahmawati) — Gangguan sistem instansi — "
    "4 menit"
)
WARNING = "Peringatan: Menutup Loket 3 meninggalkan 3 warga di layanan B tanpa loket yang buka."


# The main screen's tables by reference: the requests' screen may be on top.
def alert_keys(app: Any) -> set[str]:
    return {str(k.value) for k in app.alerts_table.rows}


def alert_text(app: Any, key: str) -> str:
    return app.alerts_table.get_row(key)[1].plain


def state_cell(app: Any, counter: str) -> str:
    return app.counters_table.get_row(counter)[2].plain


def closure_cells(app: Any, counter: str) -> list[str]:
    table = app.screen.query_one("#closures", DataTable)
    return [getattr(c, "plain", str(c)) for c in table.get_row(counter)]


def warning_text(app: Any) -> str:
    return str(app.screen.query_one("#closure-warning", Static).render())


async def test_a_request_from_the_snapshot_is_approved(server: Server) -> None:
    """Asked 4 minutes before the dashboard starts: the snapshot brings the alert, the state
    cell, and on `p` the lines with their waiting counts and the warning; `s` asks with the
    warning repeated, and approves: the idle counter closes."""
    kiosk = await server.client("KIOSK-1")
    await server.officer_at_work("DKP02@L01")
    siti = await server.officer_at_work("DKP01@L03")
    await issue(kiosk, "A", 2)
    await issue(kiosk, "B", 3)
    await siti.act("request_closure", reason="Gangguan sistem instansi")
    server.clock.advance(240)
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "tutup:L03" in alert_keys(app))
        assert alert_text(app, "tutup:L03") == ALERT
        assert state_cell(app, "L03") == "buka · minta tutup"
        assert state_cell(app, "L01") == "buka"
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ClosureScreen))
        row = closure_cells(app, "L03")
        assert row[:4] == ["Loket 3", "Dukcapil", "Siti Rahmawati", "Gangguan sistem instansi"]
        assert row[4] == "09.00 (4 menit)"
        assert row[5] == "menunggu"
        assert row[6] == (
            "A 2 menunggu, loket lain yang buka: Loket 1; "
            "B 3 menunggu, tidak ada loket lain yang buka"
        )
        assert warning_text(app) == WARNING
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one("#question").render())
        assert question == (
            "Setujui penutupan Loket 3 (Siti Rahmawati: Gangguan sistem instansi)? " + WARNING
        )
        await pilot.click("#yes")
        await until(pilot, lambda: state_cell(app, "L03") == "tutup")
        assert server.engine.state.counters["L03"].state.value == "closed"
        assert "tutup:L03" not in alert_keys(app)
        await until(pilot, lambda: app.screen.query_one("#closures", DataTable).row_count == 0)
        assert warning_text(app) == "Tidak ada permintaan tutup loket."


async def test_refused_with_a_note_then_approved_while_busy(server: Server) -> None:
    """Asked while the dashboard runs: the alert appears; `x` without a note is held at the
    dashboard, with one the officer's console receives the refusal and its note. Asked again
    while serving a citizen: approved, the cell reads "tutup disetujui" (no alert) until the
    officer finishes, and the counter then closes."""
    kiosk = await server.client("KIOSK-1")
    frames: list[dict[str, Any]] = []
    siti = await server.client("DKP01@L03", on_message=frames.append)
    await siti.act("login")
    await siti.act("open_counter")
    await issue(kiosk, "B", 2)
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: state_cell(app, "L03") == "buka")
        await siti.act("request_closure", reason="Blanko/formulir habis")
        await until(pilot, lambda: "tutup:L03" in alert_keys(app))
        assert state_cell(app, "L03") == "buka · minta tutup"
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ClosureScreen))
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")  # no note yet: held here, nothing sent
        notes = lambda: [n.message for n in app._notifications]  # noqa: E731
        await until(pilot, lambda: "Alasan wajib diisi." in notes())
        assert isinstance(app.screen, ConfirmScreen)
        # The button takes a second press once its pressed look is over, as under a finger.
        yes = app.screen.query_one("#yes")
        await until(pilot, lambda: not yes.has_class("-active"))
        app.screen.query_one("#reason", Input).value = "Antrean B masih panjang, tunggu 11.00"
        await pilot.click("#yes")
        await until(pilot, lambda: "tutup:L03" not in alert_keys(app))
        assert state_cell(app, "L03") == "buka"
        decided = [
            f["event"]
            for f in frames
            if f.get("type") == "event" and f["event"].get("kind") == "closure_decided"
        ]
        assert [(e["approved"], e["note"], e["by"]) for e in decided] == [
            (False, "Antrean B masih panjang, tunggu 11.00", "LANTAI")
        ]
        assert server.engine.state.counters["L03"].state.value == "open"
        # Asked again while serving B-001: approved, it closes once the citizen is done.
        await siti.act("call_next")
        await siti.act("start_service")
        await siti.act("request_closure", reason="Petugas sakit")
        await until(pilot, lambda: closure_cells(app, "L03")[3] == "Petugas sakit")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await until(pilot, lambda: state_cell(app, "L03") == "buka · tutup disetujui")
        assert "tutup:L03" not in alert_keys(app)
        assert closure_cells(app, "L03")[5] == "disetujui oleh Bambang Sutrisno"
        await siti.act("finish_service")
        await until(pilot, lambda: state_cell(app, "L03") == "tutup")
        assert server.engine.state.counters["L03"].state.value == "closed"


async def test_closing_a_counter_with_a_pending_request_approves_it(server: Server) -> None:
    """`t` on Loket 3 while Siti's request waits: the question says the request is approved
    with it, and the server logs the approval, then the closing, both as the manager. On the
    requests' screen (P) the main table's keys T, O, U do nothing, though Loket 3 is the row
    selected behind it."""
    siti = await server.officer_at_work("DKP01@L03")
    await siti.act("request_closure", reason="Pergantian petugas")
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: state_cell(app, "L03") == "buka · minta tutup")
        app.set_focus(app.counters_table)
        app.counters_table.move_cursor(row=app.counters_table.get_row_index("L03"))
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ClosureScreen))
        await pilot.press("t", "o", "u")
        await pilot.pause()
        assert isinstance(app.screen, ClosureScreen)
        assert [n.message for n in app._notifications] == []  # not even "Pilih loket …"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ClosureScreen))
        app.set_focus(app.counters_table)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert str(app.screen.query_one("#question").render()) == (
            "Tutup Loket 3? Petugasnya tetap tercatat masuk. Permintaan tutup dari petugas "
            "(Pergantian petugas) ikut disetujui."
        )
        await pilot.click("#yes")
        await until(pilot, lambda: state_cell(app, "L03") == "tutup")
        assert "tutup:L03" not in alert_keys(app)
    stored = await server.engine.events_since(0) or []
    tail = [(s.event.kind, s.actor) for s in stored][-2:]
    assert tail == [("closure_decided", "manager:LANTAI"), ("counter_closed", "manager:LANTAI")]
    decided = next(s.event for s in stored if s.event.kind == "closure_decided")
    assert (decided.approved, decided.by, decided.officer) == (True, "LANTAI", "DKP01")
