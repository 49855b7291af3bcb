"""The TV page of the second building in real headless Chromium: part-week agencies and the
shared desk as the hall sees them (MPP Kabupaten Contoh, docs/examples/, on a Thursday).

Thursday is the religious court's day at Loket 7 and not the KUA's; the police SKCK desk comes
Monday, Wednesday and Friday. The TV's waiting list must not show those two as open with
"0 orang", and a call at Loket 7 must name the court.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from chromium import needs_chromium
from hubtest import FakeClock, StartServer
from kabupaten import THU, at, client, credentials, start_kabupaten

pytestmark = needs_chromium


async def text_of(page: Any, selector: str) -> str:
    return ((await page.text_content(selector)) or "").strip()


async def test_the_tv_says_who_is_away_today_and_names_the_desks_agency(
    browser: Any, start_server: StartServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thursday: KUA and Polres read "tutup hari ini", the others count their people; P-001
    called at Loket 7 shows Loket 7 and Pengadilan Agama."""
    clock.now = at(THU, "09:00")
    server = await start_kabupaten(start_server, monkeypatch)
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    token = credentials()["TV-1"]
    await page.goto(f"{server.running.http_url}/display?zone=1&token={token}")
    await page.wait_for_function("() => window.antreTV && window.antreTV.connected")
    await page.wait_for_function("() => document.querySelectorAll('#waiting li').length === 8")
    waiting = {
        code: await text_of(page, f'#waiting li[data-agency="{code}"] .w-count')
        for code in ("DUKCAPIL", "IMIGRASI", "KUA", "PA", "POLRES")
    }
    assert waiting == {
        "DUKCAPIL": "0 orang",
        "IMIGRASI": "0 orang",
        "KUA": "tutup hari ini",
        "PA": "0 orang",
        "POLRES": "tutup hari ini",
    }

    kiosk = await client(server, "KIOSK-1")
    ticket = await kiosk.issue_ticket("P")
    await kiosk.confirm_printed(ticket["id"])
    court = await client(server, "PA01@L07")
    for action in ("login", "open_counter", "call_next"):
        await court.act(action)
    number = json.dumps("P-001")
    await page.wait_for_function(
        f"() => document.getElementById('current-number').textContent === {number}"
    )
    assert await text_of(page, "#current-counter") == "Loket 7"
    assert await text_of(page, "#current-agency") == "Pengadilan Agama"
    await context.close()
