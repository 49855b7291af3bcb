"""The TV page in Chromium across live building edits (issue 23): it keeps its connection,
takes the fresh snapshot, and shows a call at a counter added live, with the line's agency,
and the new running text."""

from __future__ import annotations

from typing import Any

from chromium import needs_chromium
from hubtest import FakeClock, Server
from test_tv_browser import open_tv

pytestmark = needs_chromium

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


async def test_the_tv_calls_at_a_counter_added_live(
    server: Server, browser: Any, clock: FakeClock
) -> None:
    tv = await open_tv(browser, server)
    admin = await server.client("ADMIN")
    state = await admin.request("admin_state")
    text = state["entities"]["running_text"][0]["value"]
    await admin.request(
        "admin_edit",
        version=0,
        edits=[
            {"target": "line:Y", "before": None, "after": NEW_LINE},
            {"target": "counter:L40", "before": None, "after": NEW_COUNTER},
            {
                "target": "running_text",
                "before": text,
                "after": "Layanan baru: Taspen di Loket 40.",
            },
        ],
    )
    await tv.wait_js("document.getElementById('running-text').textContent"
                     " === 'Layanan baru: Taspen di Loket 40.'")  # fmt: skip
    kiosk = await server.client("KIOSK-1")
    await kiosk.confirm_printed((await kiosk.issue_ticket("Y"))["id"])
    officer = await server.officer_at_work("BTK01@L40")
    clock.advance(5)
    assert (await officer.act("call_next"))["ticket"]["number"] == "Y-001"
    await tv.wait_current("Y-001")
    assert await tv.text("#current-counter") == "Loket 40"
    row = tv.page.locator('#counters li[data-counter="L40"]')
    assert "Y-001" in await row.inner_text()
    # One connection throughout: the page never had to reconnect.
    assert len((await tv.stats())["syncs"]) == 1
