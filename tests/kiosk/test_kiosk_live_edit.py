"""The real kiosk app across live building edits (issue 23): it never reconnects, and offers
what the admin just added, and says so when the admin cut a quota below what was issued."""

from __future__ import annotations

from typing import Any

from escpos_decode import decode
from hubtest import Server
from kiosktest import (
    LoopbackPrinter,
    choose,
    click,
    kiosk_app,
    on_screen,
    screen_text,
    started,
    until,
)

from server.client import AntreClient

NEW_LINE = {
    "prefix": "Y",
    "agency": "BPJSTK",
    "name": "Pendaftaran Peserta Baru",
    "target_service_min": 10,
}
NEW_COUNTER = {
    "id": "L40",
    "name": "Loket 40",
    "number": 40,
    "zone": "1",
    "agency": "BPJSTK",
    "serves": ["Y"],
}


async def _line(admin: AntreClient, target: str) -> dict[str, Any]:
    state = await admin.request("admin_state")
    return next(e["value"] for e in state["entities"]["line"] if e["target"] == target)


async def test_a_line_added_live_is_offered_and_called_at_its_new_counter(
    server: Server, printer: LoopbackPrinter
) -> None:
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        admin = await server.client("ADMIN")
        await admin.request(
            "admin_edit",
            version=0,
            edits=[
                {"target": "line:Y", "before": None, "after": NEW_LINE},
                {"target": "counter:L40", "before": None, "after": NEW_COUNTER},
            ],
        )
        await until(pilot, lambda: "Y" in app.lines, "the kiosk hears of line Y")
        await choose(pilot, "BPJSTK", "Y", None)
        await on_screen(pilot, "ResultScreen")
        assert "Y-001" in screen_text(app)
    (job,) = printer.tickets
    assert "Pendaftaran Peserta Baru" in decode(job).texts
    officer = await server.officer_at_work("BTK01@L40")
    called = await officer.act("call_next")
    assert called["ticket"]["number"] == "Y-001"


async def test_a_quota_cut_below_what_was_issued_is_said_on_the_kiosk(
    server: Server, printer: LoopbackPrinter
) -> None:
    other = await server.client("KIOSK-2")
    for _ in range(2):
        await other.confirm_printed((await other.issue_ticket("K"))["id"])
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        await click(pilot, "#agency-BPJSTK")
        await on_screen(pilot, "LinesScreen")
        assert "sisa kuota 58" in app.screen.query_one("#line-K").label.plain
        admin = await server.client("ADMIN")
        line = await _line(admin, "line:K")
        await admin.request(
            "admin_edit", target="line:K", before=line, after={**line, "quota_walk_in": 1},
            version=0,
        )  # fmt: skip
        # The walk-in quota (1) is below what was issued (2): only the priority places are left,
        # and the kiosk says so on the line's button at once.
        await until(
            pilot,
            lambda: (
                "Kuota umum habis: hanya untuk layanan prioritas"
                in app.screen.query_one("#line-K").label.plain
            ),
            "line K saying its quota is used up",
        )
        assert "sisa kuota" not in app.screen.query_one("#line-K").label.plain
    assert printer.tickets == []


async def test_an_agency_added_live_gets_its_tile(server: Server, printer: LoopbackPrinter) -> None:
    """A new tenant (agency, line, counter in one edit): its tile appears on the start screen
    the kiosk is showing, and its line can be taken."""
    app = kiosk_app(server, printer.spec)
    async with started(app) as pilot:
        admin = await server.client("ADMIN")
        await admin.request(
            "admin_edit",
            version=0,
            edits=[
                {
                    "target": "agency:TASPEN",
                    "before": None,
                    "after": {
                        "code": "TASPEN",
                        "name": "PT Taspen",
                        "short_name": "Taspen",
                        "zone": "1",
                    },
                },
                {"target": "line:Y", "before": None, "after": {**NEW_LINE, "agency": "TASPEN"}},
                {
                    "target": "counter:L40",
                    "before": None,
                    "after": {**NEW_COUNTER, "agency": "TASPEN"},
                },
            ],
        )
        await until(pilot, lambda: bool(app.screen.query("#agency-TASPEN")), "the new tile")
        await choose(pilot, "TASPEN", "Y", None)
        await on_screen(pilot, "ResultScreen")
        assert "Y-001" in screen_text(app)
