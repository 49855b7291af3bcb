"""Square brackets in an officer's closure reason on the real dashboard (issue 23 F): shown as
typed, never read as markup. "[/]" closes nothing (Textual raised MarkupError and the dashboard
died); "[@click=app.quit]x[/]" would have become a clickable action in the manager's dialog.

The demo building on the server's fake clock, Siti Rahmawati at Loket 3, nobody waiting: the
questions carry no warning (worked by hand as in test_floor_closures_app.py).
"""

from __future__ import annotations

import pytest
from hubtest import Server
from test_floor_app import SIZE, dashboard, until
from test_floor_closures_app import (
    alert_keys,
    alert_text,
    closure_cells,
    state_cell,
    warning_text,
)
from textual.widgets._toast import Toast

from display.floor_closure_screens import ClosureScreen
from display.floor_screens import ConfirmScreen


def question(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#question").render())


@pytest.mark.parametrize("reason", ["Printer [/] rusak", "[@click=app.quit]x[/]"])
async def test_a_reason_in_brackets_is_shown_as_typed(server: Server, reason: str) -> None:
    """The toast, the alert, the P screen's row, the approve and refuse questions, and T's close
    question all show the reason literally; the dashboard keeps running and T closes."""
    siti = await server.officer_at_work("DKP01@L03")
    app = dashboard(server)
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # toasts drawn
        await until(pilot, lambda: state_cell(app, "L03") == "buka")
        await siti.act("request_closure", reason=reason)
        await until(pilot, lambda: "tutup:L03" in alert_keys(app))
        # The toast is drawn: its message is what the manager reads.
        await until(pilot, lambda: any(app.screen.query(Toast)))
        toast = str(app.screen.query_one(Toast).render())
        assert toast == (
            f"Permintaan tutup loket\nLoket 3 (Siti Rahmawati): {reason}. Tekan P untuk "
            "menyetujui atau menolak."
        )
        notes = [n.message for n in app._notifications]
        assert f"Loket 3 (Siti Rahmawati): {reason}. Tekan P untuk menyetujui atau menolak." in (
            notes
        )
        assert alert_text(app, "tutup:L03") == (
            f"Permintaan tutup loket: Loket 3 (Dukcapil, Siti Rahmawati) — {reason} — baru saja"
        )
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ClosureScreen))
        assert closure_cells(app, "L03")[3] == reason
        assert warning_text(app) == (
            "Setiap layanan loket ini masih punya loket lain yang buka, atau tidak ada warga "
            "yang menunggu."
        )
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert question(app) == f"Setujui penutupan Loket 3 (Siti Rahmawati: {reason})?"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ClosureScreen))
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert question(app) == (
            f"Tolak permintaan tutup Loket 3 (Siti Rahmawati: {reason})? Tuliskan alasan "
            "penolakan: petugas membacanya di konsol loket."
        )
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ClosureScreen))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ClosureScreen))
        app.set_focus(app.counters_table)
        app.counters_table.move_cursor(row=app.counters_table.get_row_index("L03"))
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert question(app) == (
            "Tutup Loket 3? Petugasnya tetap tercatat masuk. Permintaan tutup dari petugas "
            f"({reason}) ikut disetujui."
        )
        await pilot.click("#yes")
        await until(pilot, lambda: state_cell(app, "L03") == "tutup")
        assert app.is_running
    assert server.engine.state.counters["L03"].state.value == "closed"
