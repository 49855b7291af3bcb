"""The phone page of a visit of several stops (issue 22), in real Chromium against a real server.

The citizen takes one ticket for Kartu Keluarga (Dukcapil) then BPJS Kesehatan; the QR's page
`/t/<token>` lists both stops with their state, follows the citizen from B-001 to J-001 without
a reload when Loket 4 finishes ("Silakan lanjut ke BPJS Kesehatan, nomor J-001", the new
number, the people ahead, its call ringing like the first), and offers the survey — about the
whole visit — only once the last stop is done.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from chromium import ARTIFACTS, needs_chromium
from hubtest import FakeClock, Server
from test_phone_page import open_phone
from visit_kit import start_visit
from webtest import http_get

from server.config import load_demo_building
from server.core.model import CancelTicket, SkipStop, StartVisit
from server.core.queue import QueueState
from server.web.phone import next_words, page_html, public_view, survey_due

pytestmark = needs_chromium

KK = "Dukcapil — Kartu Keluarga dan Pindah Datang"
BPJS = "BPJS Kesehatan — Pendaftaran dan Perubahan Data"
KTP = "Dukcapil — Perekaman dan Cetak KTP-el"
DUKCAPIL = "Dinas Kependudukan dan Pencatatan Sipil"  # the demo's agency names (the survey's)


async def stops(phone: Any) -> list[str]:
    return await phone.page.locator("#visit-stops li").all_text_contents()


async def test_the_page_follows_the_visit_from_stop_to_stop_without_a_reload(
    server: Server, browser: Any, clock: FakeClock
) -> None:
    visit = await start_visit(server, ("B", "J"))
    url = f"{server.running.http_url}/t/{visit.token}"
    phone = await open_phone(browser, url)
    await phone.wait_js("window.antreTicket && window.antreTicket.connected")
    assert await phone.text("#number") == "B-001"
    assert await stops(phone) == [
        f"{KK} (B-001): Menunggu panggilan",
        f"{BPJS} (nomor menyusul): Nanti, setelah langkah sebelumnya",
    ]
    assert await phone.page.is_hidden("#visit-next")
    # A mark in this very document: a reload would wipe it.
    await phone.page.evaluate("() => { window.__sameDocument = true; }")

    dukcapil = await server.officer_at_work("DKP01@L04")
    bpjs = await server.officer_at_work("BKS01@L14")
    clock.advance(5)
    await dukcapil.act("call_next")
    await phone.wait_text("#alert-text", "Silakan menuju Loket 4")
    await dukcapil.act("start_service")
    clock.advance(600)
    await dukcapil.act("finish_service")

    # Handed on: the new number, where to go, the people ahead there — in the same document.
    await phone.wait_text("#number", "J-001")
    await phone.wait_text("#visit-next", "Silakan lanjut ke BPJS Kesehatan, nomor J-001")
    assert await phone.page.is_visible("#visit-next")
    assert await phone.text("#agency") == "BPJS Kesehatan"
    assert await phone.text("#ahead") == "0 orang"
    assert "Menunggu" in await phone.text("#state")
    assert await stops(phone) == [f"{KK} (B-001): Selesai", f"{BPJS} (J-001): Menunggu panggilan"]
    assert await phone.page.evaluate("() => window.__sameDocument === true")
    assert await phone.page.locator("#survey-offer").count() == 0  # one stop is still to come
    ARTIFACTS.mkdir(exist_ok=True)
    await phone.page.screenshot(path=str(ARTIFACTS / "phone-handon.png"), full_page=True)

    # The second stop's call rings as the first did (its own key, not taken for the first's).
    clock.advance(5)
    assert (await bpjs.act("call_next"))["ticket"]["number"] == "J-001"
    await phone.wait_text("#alert-text", "Silakan menuju Loket 14")
    assert await phone.page.is_hidden("#visit-next")
    await phone.wait_js("window.__antreAlerts.filter((a) => a.kind === 'called').length === 2")
    assert await phone.page.evaluate("() => window.__sameDocument === true")

    # The last stop done: the page reloads once, and the survey is offered for the visit.
    await bpjs.act("start_service")
    clock.advance(600)
    await bpjs.act("finish_service")
    await phone.page.wait_for_selector("#survey-offer")
    assert await stops(phone) == [f"{KK} (B-001): Selesai", f"{BPJS} (J-001): Selesai"]
    assert "Selesai dilayani" in await phone.text("#state")
    assert await phone.page.is_visible("#survey-link")
    assert phone.errors == [] and phone.failed == []

    # The survey's page names the whole visit: both numbers, both services, both agencies.
    status, _, body = await http_get(server, f"/t/{visit.token}/survei")
    survey = body.decode()
    assert status == 200
    assert "<dd>B-001, J-001</dd>" in survey
    assert "<dd>Kartu Keluarga dan Pindah Datang; Pendaftaran dan Perubahan Data</dd>" in survey
    assert f"<dd>{DUKCAPIL}, BPJS Kesehatan</dd>" in survey

    # Without JavaScript the server's render says the same.
    plain = await open_phone(browser, url, javascript=False)
    assert await plain.text("#number") == "J-001"
    assert await stops(plain) == [f"{KK} (B-001): Selesai", f"{BPJS} (J-001): Selesai"]


async def test_a_page_opened_after_the_hand_on_lands_on_the_next_stop(
    server: Server, browser: Any, clock: FakeClock
) -> None:
    """The QR scanned between two stops (no script): the current stop, and where to go."""
    visit = await start_visit(server, ("B", "J"))
    dukcapil = await server.officer_at_work("DKP01@L04")
    clock.advance(5)
    await dukcapil.act("call_next")
    await dukcapil.act("start_service")
    await dukcapil.act("finish_service")
    plain = await open_phone(
        browser, f"{server.running.http_url}/t/{visit.token}", javascript=False
    )
    assert await plain.text("#number") == "J-001"
    assert await plain.text("#visit-next") == "Silakan lanjut ke BPJS Kesehatan, nomor J-001"
    assert await stops(plain) == [
        f"{KK} (B-001): Selesai",
        f"{BPJS} (J-001): Menunggu panggilan",
    ]
    assert "KJ-" not in await plain.page.content()  # the visit's label is the staff's


async def test_a_skipped_stop_is_shown_and_the_survey_follows_the_last_served_one(
    server: Server, browser: Any, clock: FakeClock
) -> None:
    """At Loket 4 the officer skips BPJS (the citizen already has the card): the page says so at
    once; when Kartu Keluarga is done the visit is over — the survey, and nowhere to go on."""
    visit = await start_visit(server, ("B", "J"))
    phone = await open_phone(browser, f"{server.running.http_url}/t/{visit.token}")
    await phone.wait_js("window.antreTicket && window.antreTicket.connected")
    dukcapil = await server.officer_at_work("DKP01@L04")
    clock.advance(5)
    await dukcapil.act("call_next")
    await dukcapil.act("start_service")
    await dukcapil.act("skip_stop", line="J", reason="sudah punya kartu")
    await phone.wait_text("#visit-stops", "Tidak diperlukan")
    assert await stops(phone) == [
        f"{KK} (B-001): Sedang dilayani",
        f"{BPJS} (nomor menyusul): Tidak diperlukan",
    ]
    clock.advance(600)
    await dukcapil.act("finish_service")
    await phone.page.wait_for_selector("#survey-offer")
    assert await phone.text("#number") == "B-001"
    assert await stops(phone) == [
        f"{KK} (B-001): Selesai",
        f"{BPJS} (nomor menyusul): Tidak diperlukan",
    ]
    assert await phone.page.is_hidden("#visit-next")
    assert phone.errors == [] and phone.failed == []


def test_the_itinerary_is_escaped() -> None:
    """Whatever a building file names its agencies and services, it is text on the page."""
    building = load_demo_building()
    state = QueueState(building)
    now = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=7)))
    issued = state.handle(StartVisit(("B", "J"), None, "t" * 22, "KIOSK-1"), now)[0]
    ticket = state.tickets[issued.ticket]
    view = public_view(ticket, state, building, now)
    view["visit"]["stops"][1]["agency"] = "<script>alert(1)</script>"
    view["visit"]["stops"][1]["service"] = '"><img src=x>'
    page = page_html(ticket, view, building)
    assert "<script>alert(1)" not in page and "<img src=x>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x&gt;" in page


async def test_after_the_floors_skip_it_sends_on_and_a_visit_ended_early_offers_the_survey(
    server: Server, browser: Any, clock: FakeClock
) -> None:
    """Visit B, J, A. The floor skips Kartu Keluarga while B-001 still waits: the page says where
    to go, though no stop was served yet. BPJS is served, A-001 comes next; it is called, not
    present, and cancelled: the visit ended early with BPJS served, so — as the server accepts
    the answer — the page reloads once and offers the survey."""
    visit = await start_visit(server, ("B", "J", "A"))
    phone = await open_phone(browser, f"{server.running.http_url}/t/{visit.token}")
    await phone.wait_js("window.antreTicket && window.antreTicket.connected")
    day = visit.ticket.split("/")[0]
    await server.hub.execute(
        SkipStop(None, "B", "KK sudah jadi", visit=f"{day}/KJ-001", by="LANTAI"), "manager:M1"
    )
    await phone.wait_text("#number", "J-001")
    await phone.wait_text("#visit-next", "Silakan lanjut ke BPJS Kesehatan, nomor J-001")
    assert await stops(phone) == [
        f"{KK} (B-001): Tidak diperlukan",
        f"{BPJS} (J-001): Menunggu panggilan",
        f"{KTP} (nomor menyusul): Nanti, setelah langkah sebelumnya",
    ]
    bpjs = await server.officer_at_work("BKS01@L14")
    ktp = await server.officer_at_work("DKP02@L01")
    clock.advance(5)
    await bpjs.act("call_next")
    await bpjs.act("start_service")
    clock.advance(600)
    await bpjs.act("finish_service")
    await phone.wait_text("#number", "A-001")
    await ktp.act("call_next")
    await ktp.act("no_show")
    assert await phone.page.locator("#survey-offer").count() == 0  # A-001 may come back
    await phone.page.evaluate("() => { window.__sameDocument = true; }")
    await server.hub.execute(CancelTicket(f"{day}/A-001", "warga pulang"), "manager:M1")
    await phone.page.wait_for_selector("#survey-offer")
    assert await phone.page.evaluate("() => window.__sameDocument !== true")  # reloaded once
    assert await stops(phone) == [
        f"{KK} (B-001): Tidak diperlukan",
        f"{BPJS} (J-001): Selesai",
        f"{KTP} (A-001): Dibatalkan",
    ]
    assert phone.errors == [] and phone.failed == []


def stop_view(state: str, number: str | None = None) -> dict[str, Any]:
    return {"agency": "BPJS Kesehatan", "service": "Pendaftaran", "number": number, "state": state}


def test_where_to_go_and_when_the_survey_is_due_by_hand() -> None:
    """phone.py's rules (the script's are the same words): after a skipped first stop the
    citizen is sent on; a visit ended early with a stop served has its survey due; one with
    no stop served, or a stop still in play, has not."""
    sent = {"stops": [stop_view("skipped", "B-001"), stop_view("waiting", "J-001")], "current": 1}
    assert next_words(sent) == "Silakan lanjut ke BPJS Kesehatan, nomor J-001"
    first = {"stops": [stop_view("waiting", "B-001"), stop_view("pending")], "current": 0}
    assert next_words(first) == ""
    cases = [
        (["done", "cancelled"], "cancelled", True),  # ended early, one served
        (["done", "expired", "cancelled"], "expired", True),
        (["done", "closed"], "done", True),  # later stop's line closed
        (["done", "no_show"], "no_show", False),  # may come back
        (["done", "pending"], "done", False),
        (["skipped", "cancelled"], "cancelled", False),  # nothing served: no survey
    ]
    for states, state, due in cases:
        visit = {"stops": [stop_view(s) for s in states], "current": len(states) - 1}
        assert survey_due({"state": state, "visit": visit}) is due, states
    assert survey_due({"state": "done", "visit": None}) is True
    assert survey_due({"state": "serving", "visit": None}) is False


def test_a_stop_ended_by_the_closing_says_why() -> None:
    """Kartu Keluarga finished at 20:00, long past closing and its grace: BPJS is not handed on,
    and the page says why (its line has closed), with nowhere to go on and the survey due."""
    from server.core.model import (
        CallTicket,
        ConfirmPrinted,
        FinishService,
        LogIn,
        OpenCounter,
        StartService,
    )

    building = load_demo_building()
    state = QueueState(building)
    wib = timezone(timedelta(hours=7))

    def at(hh: int, mm: int = 0) -> datetime:
        return datetime(2026, 11, 23, hh, mm, tzinfo=wib)

    issued = state.handle(StartVisit(("B", "J"), None, "t" * 22, "KIOSK-1"), at(9))[0]
    state.handle(ConfirmPrinted(issued.ticket), at(9))
    for command in (LogIn("L04", "DKP01"), OpenCounter("L04")):
        state.handle(command, at(9))
    state.handle(CallTicket("L04", issued.ticket, "giliran"), at(14))
    state.handle(StartService("L04"), at(14))
    state.handle(FinishService("L04"), at(20))
    ticket = state.tickets[issued.ticket]
    view = public_view(ticket, state, building, at(20))
    assert [s["state"] for s in view["visit"]["stops"]] == ["done", "closed"]
    assert next_words(view["visit"]) == "" and survey_due(view)
    page = page_html(ticket, view, building)
    assert "Tidak dilayani — layanan sudah tutup</span>" in page
    assert 'data-survey-due="true"' in page
