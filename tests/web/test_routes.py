"""Plain HTTP on the websocket port: /healthz, the ticket page, the TV page, 404s."""

from __future__ import annotations

import json

import pytest
from hubtest import Server
from webtest import http_get


async def page_text(server: Server, path: str) -> tuple[int, str]:
    """The status and the body as text."""
    status, _, body = await http_get(server, path)
    return status, body.decode("utf-8")


async def test_healthz_reports_the_building_and_todays_counts(server: Server) -> None:
    """/healthz answers JSON: ok, building, day, counts and connections."""
    await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    for _ in range(2):
        t = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(t["id"])
    status, headers, body = await http_get(server, "/healthz")
    assert status == 200 and headers["content-type"] == "application/json"
    health = json.loads(body)
    assert health["ok"] is True
    assert health["building"] == "MPP Kota Contoh"
    assert health["day"] == "2026-11-23"
    assert health["counts"]["issued"] == 2 and health["counts"]["waiting"] == 2
    assert health["counts"]["served"] == 0
    assert health["connections"]["kiosk"] == 1 and health["connections"]["officer"] == 1
    assert health["seq"] == server.engine.last_seq


async def test_ticket_page_shows_number_state_and_people_ahead(server: Server) -> None:
    """/t/<token> shows the number, the line, the state and the people ahead, in Indonesian."""
    await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    tickets = []
    for _ in range(3):
        t = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(t["id"])
        tickets.append(t)
    status, headers, raw = await http_get(server, f"/t/{tickets[2]['token']}")
    assert status == 200 and headers["content-type"].startswith("text/html")
    body = raw.decode("utf-8")
    assert "A-003" in body
    assert "Perekaman dan Cetak KTP-el" in body
    assert "Menunggu panggilan" in body
    assert "2 orang" in body
    assert tickets[2]["token"] not in body.replace(f"/t/{tickets[2]['token']}", "")


@pytest.mark.parametrize(
    "path", ["/t/unknown-token-123", "/t/<script>", "/t/", "/t/" + "x" * 500, "/nope", "/ws/x"]
)
async def test_unknown_pages_are_404_without_a_traceback(server: Server, path: str) -> None:
    """Unknown tokens and paths get a 404 page; never a traceback."""
    status, body = await page_text(server, path)
    assert status == 404
    assert "Traceback" not in body and "<script>" not in body
    if path.startswith("/t/"):
        assert "Nomor antrean tidak ditemukan" in body


async def test_display_page_and_index_are_served(server: Server) -> None:
    """/display and / answer small HTML pages naming the building."""
    for path in ("/display", "/"):
        status, body = await page_text(server, path)
        assert status == 200 and "MPP Kota Contoh" in body


async def test_plain_get_on_the_websocket_path_is_426(server: Server) -> None:
    """A browser opening /ws without upgrading is told to upgrade (426), not served a page."""
    status, _, _ = await http_get(server, "/ws")
    assert status == 426
