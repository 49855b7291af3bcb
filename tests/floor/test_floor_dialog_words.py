"""The dashboard's complaint dialogs show their whole question, wrapped, never cut at the edge.

The answer's dialog asks "Jawaban untuk pengaduan ADU-261123-001 (dibaca warga di halaman nomor
antreannya):" — 78 characters in a 60-column dialog. Cut at the dialog's edge, the manager read
"… (dibaca warga d" and never learnt where the citizen reads the answer.
"""

from __future__ import annotations

from hubtest import Server
from test_floor_app import SIZE, dashboard, until
from test_floor_voice_app import _complaint_screen, serve_one

from display.floor_complaint_screens import TextScreen


def in_the_dialog(app) -> str:  # type: ignore[no-untyped-def]
    """What the terminal shows inside the dialog's frame now, its lines joined with spaces."""
    box = app.screen.query_one("#confirm").content_region
    strips = app.screen._compositor.render_strips()
    lines = (strips[y].crop(box.x, box.right).text for y in range(box.y, box.bottom))
    return " ".join(" ".join(line.split()) for line in lines)


async def test_the_answer_dialog_shows_its_whole_question(server: Server) -> None:
    kiosk = await server.client("KIOSK-1")
    officer = await server.officer_at_work("DKP01@L01")
    await serve_one(server, officer, kiosk)
    desk = await server.client("LANTAI")
    await desk.act("file_complaint", category="waktu", text="Antrean terlalu lama.")
    cid = "ADU-261123-001"
    await desk.act("take_complaint", complaint=cid)
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model.complaints.items)
        await _complaint_screen(app, pilot, cid)
        await pilot.press("j")
        await until(pilot, lambda: isinstance(app.screen, TextScreen))
        await pilot.pause()
        question = f"Jawaban untuk pengaduan {cid} (dibaca warga di halaman nomor antreannya):"
        assert in_the_dialog(app).startswith(question)
