"""ONE VISIT, SEVERAL AGENCIES (issue 22's "Done"), end to end with every part real but the kiosk's
screens.

A newcomer needs a new family card (Kartu Keluarga, Dukcapil) and, with it, to register at BPJS
Kesehatan. The real server (the demo building, its own SQLite file, a fake clock) on a free port:

1. At the kiosk the two services are asked for in the citizen's order, BPJS first; the kiosk's
   `plan_visit` proposes Kartu Keluarga first (the building says BPJS needs its result,
   docs/configuration.md `requires`), and `issue_visit` takes that order: one ticket, B-001.
   (Through the kiosk's protocol client, as the kiosk app would send it: the kiosk's visit
   screens are another room's branch.)
2. The phone page of its token (Chromium, a phone's screen) lists both stops; the Lantai 1 TV
   (Chromium, 1080p, sound activated) is on.
3. Loket 4's officer (the real counter console under run_test(), logged in with the demo PIN)
   calls B-001 (N), starts (S) and finishes (F).
4. The TV shows "B-001 → J-001 · BPJS Kesehatan" and says "Nomor antrean be nol nol satu,
   silakan lanjut ke BPJS Kesehatan, nomor antrean je nol nol satu."; the phone page, without a
   reload, shows J-001 and "Silakan lanjut ke BPJS Kesehatan, nomor J-001".
5. Loket 14's officer (BPJS Kesehatan) calls J-001: the TV calls it, the phone page says
   "Silakan menuju Loket 14"; served and finished, the phone page offers the survey (once, for
   the visit).

Expectations are written from issue 22's spec and docs/, never read from the code.
"""

from __future__ import annotations

from typing import Any

import pytest
from chromium import ARTIFACTS, needs_chromium
from countertest import SIZE, console, log_in, text
from countertest import until as console_until
from hubtest import FakeClock, StartServer
from test_phone_page import open_phone
from test_tv_browser import open_tv

pytestmark = [needs_chromium, pytest.mark.walk]


async def serve(server: Any, counter: str, officer: str, number: str, clock: FakeClock) -> None:
    """At one counter's console: log in, N (the call), S (start), F (finish)."""
    app = console(server, counter, clock=clock)
    async with app.run_test(size=SIZE) as desk:
        await log_in(desk, officer)
        await console_until(
            desk, lambda: app.logged_in and "BUKA" in text(app, "counter-state"), "open"
        )
        await console_until(desk, lambda: number in text(app, "next"), f"{number} next")
        clock.advance(5)
        await desk.press("n")
        await console_until(
            desk, lambda: app.pending is None and number in text(app, "ticket-detail"), "call"
        )
        await desk.press("s")
        await console_until(
            desk, lambda: "SEDANG DILAYANI" in text(app, "ticket-detail"), "service"
        )
        clock.advance(600)
        await desk.press("f")
        await console_until(
            desk,
            lambda: app.pending is None and number not in text(app, "ticket-detail"),
            "finished",
        )


async def test_a_two_stop_visit_walked_end_to_end(
    start_server: StartServer, clock: FakeClock, browser: Any
) -> None:
    server = await start_server()

    # 1. The kiosk: the order proposed (KK before BPJS), one ticket for the visit.
    kiosk = await server.client("KIOSK-1")
    plan = await kiosk.request("plan_visit", lines=["J", "B"])
    assert plan["order"] == ["B", "J"]
    issued = await kiosk.request("issue_visit", lines=plan["order"])
    ticket = issued["ticket"]
    assert ticket["number"] == "B-001"
    await kiosk.confirm_printed(ticket["id"])

    # 2. The phone page of the QR's address and the Lantai 1 TV.
    phone = await open_phone(browser, f"{server.running.http_url}/t/{ticket['token']}")
    await phone.wait_js("window.antreTicket && window.antreTicket.connected")
    assert await phone.text("#number") == "B-001"
    assert await phone.page.locator("#visit-stops li").all_text_contents() == [
        "Dukcapil — Kartu Keluarga dan Pindah Datang (B-001): Menunggu panggilan",
        "BPJS Kesehatan — Pendaftaran dan Perubahan Data (nomor menyusul): "
        "Nanti, setelah langkah sebelumnya",
    ]
    await phone.page.evaluate("() => { window.__sameDocument = true; }")
    tv = await open_tv(browser, server)

    # 3. Served at Loket 4 (Kartu Keluarga).
    await serve(server, "L04", "DKP01", "B-001", clock)

    # 4. The TV and the phone page send the citizen on.
    await tv.wait_current("B-001 → J-001")
    assert await tv.text("#current-counter") == "BPJS Kesehatan"
    await phone.wait_text("#visit-next", "Silakan lanjut ke BPJS Kesehatan, nomor J-001")
    assert await phone.text("#number") == "J-001"
    assert await phone.page.evaluate("() => window.__sameDocument === true")
    await tv.wait_js("window.antreTV.stats.queued.some(q => q.from === 'B-001')")
    ARTIFACTS.mkdir(exist_ok=True)
    await tv.page.screenshot(path=str(ARTIFACTS / "walk-visit-tv.png"))
    await phone.page.screenshot(path=str(ARTIFACTS / "walk-visit-phone.png"), full_page=True)

    # 5. Served at Loket 14 (BPJS Kesehatan): called on the TV and the phone, then the survey.
    app = console(server, "L14", clock=clock)
    async with app.run_test(size=SIZE) as desk:
        await log_in(desk, "BKS01")
        await console_until(
            desk, lambda: app.logged_in and "BUKA" in text(app, "counter-state"), "open"
        )
        await console_until(desk, lambda: "J-001" in text(app, "next"), "J-001 next")
        clock.advance(5)
        await desk.press("n")
        await tv.wait_current("J-001")
        await phone.wait_text("#alert-text", "Silakan menuju Loket 14")
        await desk.press("s")
        await console_until(
            desk, lambda: "SEDANG DILAYANI" in text(app, "ticket-detail"), "service"
        )
        clock.advance(600)
        await desk.press("f")
        await phone.page.wait_for_selector("#survey-offer", timeout=15000)
    assert await phone.page.locator("#visit-stops li .stop-state").all_text_contents() == [
        "Selesai",
        "Selesai",
    ]
    history = await tv.page.locator("#history li").all_text_contents()
    assert "B-001 → J-001 · BPJS Kesehatan" in history
    stats = await tv.stats()
    assert [(q["number"], q["from"]) for q in stats["queued"]] == [
        ("B-001", None),
        ("J-001", "B-001"),
        ("J-001", None),
    ]
    assert phone.errors == [] and phone.failed == []
