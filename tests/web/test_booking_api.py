"""The integrators' JSON API (`/api/v1/`) over real HTTP, as a regency portal would call it.

The demo building plus one `[[portals]]` entry (its token's SHA-256 only), on a real server with
the fake clock at Monday 23 November 2026 09:00 WIB. Expectations from docs/protocol.md
("Integrators' API") and the demo's line A (30-minute slots, 4 regular + 1 priority places).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hubtest import Server, StartServer, demo_building
from web_booking_kit import NIKS, TUESDAY
from webtest import http_request

from server.auth import token_digest
from server.core.building import Portal

TOKEN = "portal-kabupaten-contoh-3f9c1a7e5b2d4c6a8e0f"
OTHER_TOKEN = "portal-mpp-digital-0a1b2c3d4e5f6a7b8c9d"
PORTALS = (
    Portal("PORTAL-KAB", "Portal Layanan Kabupaten Contoh", token_digest(TOKEN)),
    Portal("MPP-DIGITAL", "MPP Digital", token_digest(OTHER_TOKEN)),
)


@pytest.fixture
async def api(start_server: StartServer) -> Server:
    return await start_server(building=dataclasses.replace(demo_building(), portals=PORTALS))


async def call(
    server: Server,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    token: str | None = TOKEN,
    **headers: str,
) -> tuple[int, dict[str, str], Any]:
    sent = {"Authorization": f"Bearer {token}"} if token else {}
    sent |= {k.replace("_", "-"): v for k, v in headers.items()}
    raw = None
    if body is not None:
        raw = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    status, got, payload = await http_request(server, method, path, sent, raw)
    return status, got, json.loads(payload) if payload else None


def booking_body(**changes: Any) -> dict[str, Any]:
    return {
        "line": "A",
        "date": TUESDAY,
        "slot": "09:00",
        "name": "Siti Rahmawati",
        "nik": NIKS[0],
        "phone": "081234567890",
    } | changes


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer ", TOKEN],
    ids=["none", "wrong", "basic", "empty", "no-scheme"],
)
async def test_a_wrong_token_is_refused_in_json(api: Server, authorization: str | None) -> None:
    """401 with the Indonesian message and WWW-Authenticate; nothing read, nothing booked."""
    headers = {"Authorization": authorization} if authorization is not None else {}
    body = json.dumps(booking_body()).encode()
    status, got, raw = await http_request(api, "POST", "/api/v1/bookings", headers, body)
    assert status == 401
    assert got["www-authenticate"] == 'Bearer realm="antre"'
    assert json.loads(raw)["error"]["code"] == "unauthorized"
    assert json.loads(raw)["error"]["message"] == "Token portal tidak dikenal"
    assert api.engine.state.bookings.by_code == {}


async def test_guessing_tokens_is_slowed_per_address(start_server: StartServer) -> None:
    """With 3 requests a minute, the 4th wrong token is 429 with Retry-After — and then even
    the right token waits: a guesser cannot tell a right guess from the wait."""
    building = demo_building()
    building = dataclasses.replace(
        building,
        portals=PORTALS,
        booking=dataclasses.replace(building.booking, requests_per_minute=3),
    )
    server = await start_server(building=building)
    for _ in range(3):
        assert (await call(server, "GET", "/api/v1/services", token="wrong"))[0] == 401
    status, headers, body = await call(server, "GET", "/api/v1/services", token="wrong")
    assert status == 429 and headers["retry-after"] == "20"
    assert body["error"]["message"] == "Terlalu banyak permintaan; coba lagi dalam 20 detik"
    assert (await call(server, "GET", "/api/v1/services"))[0] == 429


async def test_services_days_and_slots_are_read(api: Server) -> None:
    """The five bookable lines; line A's days (the weekend closed); Tuesday's 14 slots."""
    status, _, body = await call(api, "GET", "/api/v1/services")
    assert status == 200 and body["zone"] == "WIB"
    assert [s["line"] for s in body["services"]] == ["A", "B", "G", "J", "P"]
    a = body["services"][0]
    assert a == {
        "line": "A",
        "name": "Perekaman dan Cetak KTP-el",
        "agency": "Dukcapil",
        "agency_name": "Dinas Kependudukan dan Pencatatan Sipil",
        "priority_places": 1,
        "documents": "Kartu Keluarga asli; KTP-el lama bila mengganti yang rusak.",
    }
    _, _, days = await call(api, "GET", "/api/v1/services/A/days")
    by_date = {d["date"]: d for d in days["days"]}
    assert by_date[TUESDAY]["status"] == "open" and by_date[TUESDAY]["places_left"] == 70
    assert by_date["2026-11-28"]["status"] == "closed"
    _, _, slots = await call(api, "GET", f"/api/v1/services/A/slots?date={TUESDAY}")
    assert len(slots["slots"]) == 14
    assert slots["slots"][0] == {
        "start": "07:30",
        "end": "08:00",
        "places_left": 4,
        "priority_places_left": 1,
    }


async def test_a_portal_books_and_the_citizen_gets_a_page(api: Server) -> None:
    """201 with the code (and as shown), the citizen's page address, the check-in window; the
    booking carries the portal's channel; its page opens for the citizen."""
    status, _, body = await call(api, "POST", "/api/v1/bookings", booking_body())
    assert status == 201, body
    assert body["code_shown"] == body["code"][:4] + "-" + body["code"][4:]
    assert body["page_url"] == f"http://antre/pesan/{body['token']}"
    assert (body["line"], body["date"], body["slot"], body["state"]) == (
        "A",
        TUESDAY,
        "09:00",
        "booked",
    )
    assert (body["check_in_from"], body["check_in_until"]) == ("08.30 WIB", "09.15 WIB")
    made = api.engine.state.bookings.get(body["code"])
    assert made is not None and made.channel == "api:PORTAL-KAB"
    page, _, html = await http_request(api, "GET", f"/pesan/{body['token']}")
    assert page == 200 and body["code_shown"] in html.decode()


async def test_refusals_carry_the_cores_code_and_indonesian_message(api: Server) -> None:
    """The same NIK twice on one day: 409 booking_nik_taken in the core's words; a bad NIK:
    422 invalid_field with the form's sentence; a malformed body: 400."""
    assert (await call(api, "POST", "/api/v1/bookings", booking_body()))[0] == 201
    status, _, body = await call(
        api, "POST", "/api/v1/bookings", booking_body(slot="10:00", phone="081399990000")
    )
    assert status == 409
    assert body["error"]["code"] == "booking_nik_taken"
    assert body["error"]["message"] == (
        "NIK ini sudah dipakai untuk pesanan layanan Perekaman dan Cetak KTP-el pada Selasa, "
        "24 November 2026"
    )
    status, _, body = await call(
        api, "POST", "/api/v1/bookings", booking_body(nik="3273013202800001")
    )
    assert status == 422
    assert body["error"] == {
        "code": "invalid_field",
        "message": "Tanggal lahir pada NIK tidak valid.",
        "details": {"field": "nik"},
    }
    status, _, body = await call(api, "POST", "/api/v1/bookings", {"line": "A", "extra": 1})
    assert status == 400 and body["error"]["code"] == "bad_request"
    assert len(api.engine.state.bookings.by_code) == 1


async def test_an_idempotency_key_books_once(api: Server) -> None:
    """The same request sent again with its Idempotency-Key: the same booking, not a second."""
    first = await call(api, "POST", "/api/v1/bookings", booking_body(), Idempotency_Key="k-1")
    again = await call(api, "POST", "/api/v1/bookings", booking_body(), Idempotency_Key="k-1")
    assert first[0] == again[0] == 201 and first[2]["code"] == again[2]["code"]
    assert len(api.engine.state.bookings.by_code) == 1


async def test_a_portal_cancels_its_own_booking_by_code_and_any_by_token(api: Server) -> None:
    """DELETE by code: its own bookings only (another portal's is not found to it); POST …/cancel
    by the citizen's page token; the place is free again."""
    _, _, mine = await call(api, "POST", "/api/v1/bookings", booking_body())
    status, _, _ = await call(api, "DELETE", f"/api/v1/bookings/{mine['code']}", token=OTHER_TOKEN)
    assert status == 404
    status, _, body = await call(api, "DELETE", f"/api/v1/bookings/{mine['code_shown']}")
    assert status == 200 and body["state"] == "cancelled"
    _, _, other = await call(
        api, "POST", "/api/v1/bookings", booking_body(nik=NIKS[1], phone="081311112222")
    )
    status, _, body = await call(
        api, "POST", f"/api/v1/bookings/{other['token']}/cancel", token=OTHER_TOKEN
    )
    assert status == 200 and body["state"] == "cancelled"
    status, _, body = await call(api, "DELETE", f"/api/v1/bookings/{mine['code']}")
    assert status == 409 and body["error"]["code"] == "booking_cancelled"
    _, _, slots = await call(api, "GET", f"/api/v1/services/A/slots?date={TUESDAY}")
    nine = next(s for s in slots["slots"] if s["start"] == "09:00")
    assert nine["places_left"] == 4


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/bookings", 405, "method_not_allowed"),
        ("POST", "/api/v1/services", 405, "method_not_allowed"),
        ("GET", "/api/v1/services/C/days", 404, "not_found"),
        ("GET", "/api/v1/services/A/slots?date=kemarin", 400, "bad_request"),
        ("GET", "/api/v1/nothing", 404, "not_found"),
        ("DELETE", "/api/v1/bookings/AAAAAAAA", 404, "not_found"),
    ],
)
async def test_what_the_api_cannot_do_is_said_in_json(
    api: Server, method: str, path: str, status: int, code: str
) -> None:
    got, _, body = await call(api, method, path)
    assert got == status and body["error"]["code"] == code


async def test_a_line_given_bookings_live_is_bookable_at_once(api: Server) -> None:
    """The admin gives line C (no bookings in the demo: its days are 404) line A's booking
    settings live (issue 23, no restart): C's days are served at once, as the list says."""
    admin = await api.client("ADMIN")
    state = await admin.request("admin_state")
    lines = {e["target"]: e["value"] for e in state["entities"]["line"]}
    c = lines["line:C"]
    assert "booking" not in c and "booking" in lines["line:A"]
    status, _, _ = await call(api, "GET", "/api/v1/services/C/days")
    assert status == 404
    after = {**c, "booking": lines["line:A"]["booking"]}
    await admin.request(
        "admin_edit", target="line:C", before=c, after=after, version=state["version"]
    )
    status, _, body = await call(api, "GET", "/api/v1/services")
    assert status == 200 and "C" in [s["line"] for s in body["services"]]
    status, _, body = await call(api, "GET", "/api/v1/services/C/days")
    assert status == 200 and body["days"], body


async def test_a_portal_added_or_removed_live_is_served_at_once(api: Server) -> None:
    """The admin adds portal NEWP (issue 23, no restart): its token lists the services (200, not
    the 500 of a portal without a budget); PORTAL-KAB removed: its token is refused (401)."""
    new_token = "portal-baru-live-7d1e0c2b9a8f6e5d4c3b"
    admin = await api.client("ADMIN")
    state = await admin.request("admin_state")
    kab = next(
        e["value"] for e in state["entities"]["portal"] if e["target"] == "portal:PORTAL-KAB"
    )
    added = {"id": "NEWP", "name": "Portal Baru", "token_sha256": token_digest(new_token)}
    await admin.request(
        "admin_edit", target="portal:NEWP", before=None, after=added, version=state["version"]
    )
    status, _, body = await call(api, "GET", "/api/v1/services", token=new_token)
    assert status == 200 and [s["line"] for s in body["services"]][:1] == ["A"]
    await admin.request("admin_edit", target="portal:PORTAL-KAB", before=kab, after=None, version=1)
    status, _, body = await call(api, "GET", "/api/v1/services")
    assert status == 401 and body["error"]["code"] == "unauthorized"
