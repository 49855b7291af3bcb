"""The dashboard's survey and complaint panels against a real server on loopback.

The demo building, Monday 23 November 2026 09.00 WIB (the server's fake clock); its
`[complaints]` are the defaults (take_days 3, answer_days 5, close_days 10, warn_days 1) and its
holidays do not touch these days. Worked by hand:

- A citizen served at Loket 1 answers on the counter's tablet (TABLET-L01, the real wire):
  4 4 3 4 4 4 4 3 4 = 34 over one respondent: IKM 34 / 9 × 25 = 94,44 — A, *Sangat Baik*; the
  lowest element U3 Waktu penyelesaian (3,00). A second citizen answers on the phone page's way
  in (the edge's `VoiceApi`, channel "phone"): 3 3 2 4 3 3 4 3 3 = 28; the building: 62 over 2,
  IKM 62 / 18 × 25 = 86,11 — B, *Baik*, lowest U3 (2,50).
- A complaint filed Monday (at 09.05, after A-001's five-minute service) is to be taken in hand
  by the end of the third working day after: Thursday 26 November 2026, 23.59 WIB; taken
  Monday, to be answered by the end of the fifth working day after: Monday 30 November 2026,
  23.59 WIB; answered Monday 09.05, it closes by itself ten days later: Thursday 3 December
  2026, 09.05 WIB.
- warn_days 1: its take deadline is amber after Wednesday's end (all Thursday), red after
  Thursday's end.
"""

from __future__ import annotations

from datetime import datetime

from hubtest import WIB, Server, demo_credentials
from keyburst import ENTER, TAB, send_burst
from test_floor_app import SIZE, alert_keys, cells, dashboard, until
from textual.widgets import DataTable, Select, Static

from display.floor_complaint_screens import (
    ComplaintScreen,
    ContactScreen,
    FileComplaintScreen,
    TextScreen,
)
from server import protocol as p
from server.core.model import Tick

TABLET = "TABLET-L01"  # the demo's tablet, facing the citizen at Loket 1 (DUKCAPIL)


def tablet_hello() -> dict:
    return {
        "type": "hello",
        "version": p.PROTOCOL_VERSION,
        "role": "tablet",
        "token": demo_credentials()[TABLET],
    }


async def serve_one(server: Server, officer, kiosk) -> str:  # type: ignore[no-untyped-def]
    """Issue, call, serve and finish one ticket at the officer's counter; its id."""
    ticket = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(ticket["id"])
    await officer.act("call_next")
    await officer.act("start_service")
    server.clock.advance(300)
    await officer.act("finish_service")
    return ticket["id"]


async def test_a_tablet_answer_is_in_todays_ikm(server: Server) -> None:
    """Served at Loket 1, the citizen answers on the counter's tablet: the panel shows the
    building's and Dukcapil's IKM 94,44 A — Sangat Baik with one respondent; a second answer
    (the phone's way in) moves it to 86,11 B — Baik, two respondents."""
    kiosk = await server.client("KIOSK-1")
    officer = await server.officer_at_work("DKP01@L01")
    tablet = await server.raw(tablet_hello())
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model.building)
        await until(pilot, lambda: cells(app, "skm", "skm:building")[3] == "0")
        first = await serve_one(server, officer, kiosk)
        offer = await tablet.expect("survey_offer")
        assert offer["ticket"] == first
        reply = await tablet.reply(
            {"type": "answer_survey", "id": "s1", "request_id": "s1", "ticket": first,
             "scores": [4, 4, 3, 4, 4, 4, 4, 3, 4]}
        )  # fmt: skip
        assert reply["type"] == "ok", reply
        await until(pilot, lambda: cells(app, "skm", "skm:building")[3] == "1")
        assert cells(app, "skm", "skm:building")[1:] == ["94,44", "A — Sangat Baik", "1"]
        assert cells(app, "skm", "skm:DUKCAPIL") == ["Dukcapil", "94,44", "A — Sangat Baik", "1"]
        table = app.query_one("#skm", DataTable)
        assert str(table.border_subtitle) == "terendah: U3 Waktu penyelesaian (3,00)"

        second = await serve_one(server, officer, kiosk)
        api = server.running.voice
        visit, _ticket = await api.visit(server.engine.state.tickets[second].token)
        await api.answer(visit, "phone", (3, 3, 2, 4, 3, 3, 4, 3, 3), None, None, None, None, None)
        await until(pilot, lambda: cells(app, "skm", "skm:building")[3] == "2")
        assert cells(app, "skm", "skm:building")[1:] == ["86,11", "B — Baik", "2"]
        assert str(table.border_subtitle) == "terendah: U3 Waktu penyelesaian (2,50)"


async def _complaint_screen(app, pilot, cid: str) -> ComplaintScreen:  # type: ignore[no-untyped-def]
    table = app.query_one("#complaints", DataTable)
    app.set_focus(table)
    table.move_cursor(row=table.get_row_index(cid))
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, ComplaintScreen))
    return app.screen


def _body(screen: ComplaintScreen) -> str:
    return str(screen.query_one("#complaint", Static).render())


async def test_a_complaint_filed_taken_answered_and_closed_from_the_dashboard(
    server: Server,
) -> None:
    """The help desk files a complaint about A-001 (`n`), the manager takes it in hand (`p`),
    answers it (`j`) and closes it (`s`); each step shows with its state and next deadline, is
    the server's, and is logged as the manager. The contact (`k`) is shown once and not kept;
    a text that looks like markup is shown as typed."""
    kiosk = await server.client("KIOSK-1")
    officer = await server.officer_at_work("DKP01@L01")
    await serve_one(server, officer, kiosk)
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model.building)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, FileComplaintScreen))
        app.screen.query_one("#category", Select).value = "petugas"
        app.screen.set_focus(app.screen.query_one("#text"))
        send_burst(
            app,
            f"Petugas [b red]membentak[/] saya.{TAB}a-001{TAB}Budi Santoso{TAB}0812 3456 7890"
            f"{TAB}{ENTER}",
        )
        complaints = app.query_one("#complaints", DataTable)
        await until(pilot, lambda: complaints.row_count == 1)
        (cid,) = [str(k.value) for k in complaints.rows]
        assert cid == "ADU-261123-001"
        assert cells(app, "complaints", cid) == [
            cid, "A-001", "Dukcapil", "Perilaku petugas", "Diterima",
            "diproses: Kamis, 26 November 2026 · 23.59 WIB",
        ]  # fmt: skip

        screen = await _complaint_screen(app, pilot, cid)
        assert "Petugas [b red]membentak[/] saya." in _body(screen)
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, ContactScreen))
        shown = str(app.screen.query_one("#contact", Static).render())
        assert "Budi Santoso" in shown and "0812 3456 7890" in shown
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert "0812 3456 7890" not in repr(app.model.complaints.items)

        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, TextScreen))
        send_burst(app, f"Dicek ke Dukcapil{ENTER}")
        await until(pilot, lambda: cells(app, "complaints", cid)[4] == "Diproses")
        assert cells(app, "complaints", cid)[5] == "dijawab: Senin, 30 November 2026 · 23.59 WIB"

        await pilot.press("j")
        await until(pilot, lambda: isinstance(app.screen, TextScreen))
        send_burst(app, f"Mohon maaf, petugas sudah kami tegur.{TAB}{ENTER}")
        await until(pilot, lambda: cells(app, "complaints", cid)[4] == "Dijawab")
        assert cells(app, "complaints", cid)[5] == (
            "selesai otomatis: Kamis, 3 Desember 2026 · 09.05 WIB"
        )
        assert "Mohon maaf, petugas sudah kami tegur." in _body(screen)

        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, TextScreen))
        send_burst(app, f"Warga menerima jawaban{ENTER}")
        await until(pilot, lambda: cells(app, "complaints", cid)[4] == "Selesai")
    book = server.engine.state.complaints
    assert book.get(cid).state.value == "closed"
    stored = await server.engine.events_since(0) or []
    actors = {s.event.kind: s.actor for s in stored if s.event.kind.startswith("complaint_")}
    assert actors == {
        "complaint_filed": "manager:LANTAI",
        "complaint_taken": "manager:LANTAI",
        "complaint_answered": "manager:LANTAI",
        "complaint_closed": "manager:LANTAI",
    }


async def test_a_complaint_near_its_deadline_is_an_alert(server: Server) -> None:
    """Filed Monday at the help desk (before the dashboard starts: it comes in the snapshot),
    to be taken in hand by Thursday 23.59: no alert on Wednesday, yellow on Thursday (from
    Wednesday's end), red on Friday, each day closed by the tick; taking it in hand clears it."""
    desk = await server.client("LANTAI")
    await desk.act("file_complaint", category="waktu", text="Antrean terlalu lama.")
    cid = "ADU-261123-001"
    key = f"pengaduan:{cid}"

    async def next_day() -> None:
        server.clock.advance(24 * 3600)
        await server.hub.execute(Tick(), "system")  # closes the day before

    def alert() -> tuple[str, str, bool]:
        (a,) = [a for a in app.model.alerts(server.clock.now) if a.subject == cid]
        return cells(app, "alerts", key)[0], a.message, a.severe

    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: cells(app, "complaints", cid)[4] == "Diterima")
        await next_day()  # Tuesday
        await next_day()  # Wednesday 25 November 09.00
        await until(pilot, lambda: app.client.last_seq == server.engine.last_seq)
        assert not [a for a in app.model.alerts(server.clock.now) if a.subject == cid]
        await next_day()  # Thursday 26 November 09.00: the deadline's day
        await until(pilot, lambda: app.client.last_seq == server.engine.last_seq)
        await until(pilot, lambda: key in alert_keys(app))
        assert alert() == (
            "23.59",
            f"Pengaduan {cid} (Waktu tunggu dan pelayanan): belum diproses, batas "
            "Kamis, 26 November 2026 · 23.59 WIB",
            False,
        )
        assert cells(app, "complaints", cid)[4] == "Diterima"  # it survived three day closes
        await next_day()  # Friday 27 November 09.00
        await until(pilot, lambda: alert()[2])
        assert alert()[1] == (
            f"Pengaduan {cid} (Waktu tunggu dan pelayanan): lewat batas diproses "
            "(Kamis, 26 November 2026 · 23.59 WIB)"
        )
        await desk.act("take_complaint", complaint=cid)
        await until(pilot, lambda: key not in alert_keys(app))


async def test_the_warning_counts_the_buildings_holidays(start_server, clock) -> None:
    """Filed Monday 21 December 2026: 24 and 25 December are the demo building's holidays, so
    it is to be taken in hand by the end of Monday 28 December (Tuesday 22, Wednesday 23, then
    Monday 28), and warned of after the end of Wednesday 23 (the working day before Monday):
    amber on Thursday 24 — which a dashboard that took 24 and 25 for working days would not
    show before Saturday. The floor learns the holidays and warn_days from its snapshot."""
    clock.now = datetime(2026, 12, 21, 9, 0, tzinfo=WIB)
    server = await start_server()
    desk = await server.client("LANTAI")
    await desk.act("file_complaint", category="sarana", text="Kursi ruang tunggu kurang.")
    cid = "ADU-261221-001"
    app = dashboard(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: cells(app, "complaints", cid)[4] == "Diterima")
        assert cells(app, "complaints", cid)[5] == "diproses: Senin, 28 Desember 2026 · 23.59 WIB"
        for _ in range(3):  # to Thursday 24 December 09.00, each day closed
            server.clock.advance(24 * 3600)
            await server.hub.execute(Tick(), "system")
        await until(pilot, lambda: f"pengaduan:{cid}" in alert_keys(app))
        assert cells(app, "alerts", f"pengaduan:{cid}") == [
            "23.59",
            f"Pengaduan {cid} (Sarana dan prasarana): belum diproses, batas "
            "Senin, 28 Desember 2026 · 23.59 WIB",
        ]
