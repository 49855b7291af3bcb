"""A visit of several services through the integrators' JSON API (issue 22), over real HTTP.

The demo building plus one portal (test_booking_api.py's), the fake clock at Monday 23 November
2026 09:00 WIB. Hand-worked from the demo's file and docs/bookings.md's slot rule (see
test_booking_visit_pages.py's table): B (hourly from 07.30, 12 minutes) then J (30-minute slots,
`requires = ["B"]`): B 09.30 → J 09.30 (expected 09.42).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hubtest import FakeClock, Server, StartServer, demo_building
from test_booking_api import OTHER_TOKEN, PORTALS, call
from test_booking_visit_pages import stops_of
from web_booking_kit import NIKS, TUESDAY
from webtest import http_request

from server.core.model import Tick

KK = "Kartu Keluarga dan Pindah Datang"
BPJS = "Pendaftaran dan Perubahan Data"


@pytest.fixture
async def api(start_server: StartServer) -> Server:
    return await start_server(building=dataclasses.replace(demo_building(), portals=PORTALS))


def visit_body(**changes: Any) -> dict[str, Any]:
    return {
        "lines": ["B", "J"],
        "date": TUESDAY,
        "slot": "09:30",
        "name": "Siti Rahmawati",
        "nik": NIKS[0],
        "phone": "081234567890",
    } | changes


async def test_the_visit_slots_say_where_each_stop_is_booked(api: Server) -> None:
    """J,B asked: the order proposed is B, J; Tuesday's 09:30 has B 09:30 and J 09:30, with
    their places; the days list Tuesday open and Saturday closed."""
    status, _, body = await call(api, "GET", f"/api/v1/visits/slots?lines=J,B&date={TUESDAY}")
    assert status == 200, body
    assert body["lines"] == ["B", "J"] and body["zone"] == "WIB"
    nine = next(s for s in body["slots"] if s["start"] == "09:30")
    assert nine == {
        "start": "09:30",
        "bookable": True,
        "message": None,
        "stops": [
            {"line": "B", "slot": "09:30", "end": "10:30", "places_left": 4},
            {"line": "J", "slot": "09:30", "end": "10:00", "places_left": 3},
        ],
    }
    assert [s["start"] for s in body["slots"]] == [
        "07:30",
        "08:30",
        "09:30",
        "10:30",
        "11:30",
        "12:30",
        "13:30",
    ]
    saturday = await call(api, "GET", "/api/v1/visits/slots?lines=B,J&date=2026-11-28")
    assert (saturday[0], saturday[2]["error"]["code"]) == (404, "not_found")
    status, _, days = await call(api, "GET", "/api/v1/visits/days?lines=B%2CJ")
    by_date = {d["date"]: d["status"] for d in days["days"]}
    assert status == 200 and by_date[TUESDAY] == "open" and by_date["2026-11-28"] == "closed"


async def test_a_portal_books_a_visit_reads_it_and_cancels_it_whole(api: Server) -> None:
    """ "lines" books B and J in one go (201, the lead's code, both stops); GET by code shows the
    stops; DELETE by code cancels both and both places are free again."""
    status, _, made = await call(
        api, "POST", "/api/v1/bookings", visit_body(), Idempotency_Key="visit-1"
    )
    assert status == 201, made
    assert (made["line"], made["slot"], made["state"]) == ("B", "09:30", "booked")
    assert made["stops"] == [
        {
            "line": "B",
            "name": KK,
            "agency": "Dukcapil",
            "slot": "09:30",
            "end": "10:30",
            "state": "booked",
            "ticket_number": None,
        },
        {
            "line": "J",
            "name": BPJS,
            "agency": "BPJS Kesehatan",
            "slot": "09:30",
            "end": "10:00",
            "state": "booked",
            "ticket_number": None,
        },
    ]
    again = await call(api, "POST", "/api/v1/bookings", visit_body(), Idempotency_Key="visit-1")
    assert again[0] == 201 and again[2]["code"] == made["code"]
    book = api.engine.state.bookings.by_code
    assert len(book) == 2 and {b.channel for b in book.values()} == {"api:PORTAL-KAB"}
    status, _, read = await call(api, "GET", f"/api/v1/bookings/{made['code_shown']}")
    assert status == 200 and read["stops"] == made["stops"]
    assert (await call(api, "GET", f"/api/v1/bookings/{made['code']}", token=OTHER_TOKEN))[0] == 404
    status, _, gone = await call(api, "DELETE", f"/api/v1/bookings/{made['code']}")
    assert status == 200 and [s["state"] for s in gone["stops"]] == ["cancelled", "cancelled"]
    _, _, slots = await call(api, "GET", f"/api/v1/visits/slots?lines=B,J&date={TUESDAY}")
    nine = next(s for s in slots["slots"] if s["start"] == "09:30")
    assert [s["places_left"] for s in nine["stops"]] == [4, 3]


ORDER = f"Layanan {BPJS} memerlukan hasil layanan {KK}; {KK} harus lebih dulu"
TWICE = f"Layanan {KK} sudah dipilih; setiap layanan cukup satu kali"
NO_BOOKING = "Layanan Akta Kelahiran dan Kematian tidak menerima pemesanan"
TOO_MANY = "Satu kunjungan paling banyak 4 layanan"


@pytest.mark.parametrize(
    ("lines", "status", "code", "message"),
    [
        (["J", "B"], 409, "visit_order", ORDER),
        (["B", "B"], 409, "visit_duplicate_line", TWICE),
        (["B", "C"], 409, "booking_unavailable", NO_BOOKING),
        (["A", "B", "G", "J", "P"], 409, "visit_too_long", TOO_MANY),
        (["B"], 409, "visit_too_short", "Pilih paling sedikit dua layanan untuk satu kunjungan"),
        ("B,J", 400, "bad_request", "Permintaan tidak dapat dibaca"),
    ],
    ids=["order", "twice", "no-booking", "five", "one", "not-a-list"],
)  # fmt: skip
async def test_a_visit_the_core_refuses_books_nothing(
    api: Server, lines: Any, status: int, code: str, message: str
) -> None:
    got, _, body = await call(api, "POST", "/api/v1/bookings", visit_body(lines=lines))
    assert (got, body["error"]["code"], body["error"]["message"]) == (status, code, message)
    assert api.engine.state.bookings.by_code == {}


async def test_line_and_lines_together_are_unreadable(api: Server) -> None:
    got, _, body = await call(api, "POST", "/api/v1/bookings", visit_body(line="B"))
    assert got == 400 and body["error"]["code"] == "bad_request"
    assert api.engine.state.bookings.by_code == {}


async def test_a_members_code_answers_with_the_leads_page_url(api: Server) -> None:
    """J's booking (the visit's member) has a code and a token of its own that are never shown:
    read or cancelled by that code, the answer is the visit's — its lead's code, and the page
    link of the lead's token, never the member's."""
    status, _, made = await call(api, "POST", "/api/v1/bookings", visit_body())
    assert status == 201, made
    lead = api.engine.state.bookings.get(made["code"])
    member = api.engine.state.bookings.get(api.engine.state.bookings.members[made["code"]][0])
    assert lead is not None and member is not None
    status, _, read = await call(api, "GET", f"/api/v1/bookings/{member.code}")
    assert status == 200, read
    assert read["code"] == lead.code
    assert read["page_url"].endswith("/pesan/" + lead.token)
    assert member.token not in str(read)
    status, _, gone = await call(api, "DELETE", f"/api/v1/bookings/{member.code}")
    assert status == 200 and gone["page_url"].endswith("/pesan/" + lead.token)
    assert [s["state"] for s in gone["stops"]] == ["cancelled", "cancelled"]


async def test_a_slot_left_to_priority_groups_is_not_bookable_for_a_portal(api: Server) -> None:
    """J 09:30's three regular places booked (3 + 1): the API's visit 09:30 stays not bookable,
    with BPJS's stop named full (its citizen's group is unknown until the POST, which books a
    priority citizen there: /pesan offers that slot to the priority groups)."""
    for i in range(3):
        single = {"line": "J", "date": TUESDAY, "slot": "09:30", "name": "Warga"}
        single |= {"nik": NIKS[i + 1], "phone": f"08123456780{i}"}
        status, _, made = await call(api, "POST", "/api/v1/bookings", single)
        assert status == 201, made
    _, _, slots = await call(api, "GET", f"/api/v1/visits/slots?lines=B,J&date={TUESDAY}")
    nine = next(s for s in slots["slots"] if s["start"] == "09:30")
    assert nine["bookable"] is False
    assert nine["message"].startswith(f"{BPJS}: Jadwal Selasa, 24 November 2026 pukul 09.30 WIB")
    assert [s["places_left"] for s in nine["stops"]] == [4, 0]
    status, _, made = await call(
        api, "POST", "/api/v1/bookings", visit_body(nik=NIKS[5], priority="lansia")
    )
    assert status == 201 and [s["slot"] for s in made["stops"]] == ["09:30", "09:30"], made


async def test_a_past_days_visit_keeps_its_stops_from_the_store(
    api: Server, clock: FakeClock
) -> None:
    """Booked today (Monday) B 10:30 then J 10:30 (expected 10.42); checked in at 10.05 with
    the one code: B's ticket B-001. The next day, after Monday's close, the book in memory no
    longer holds the visit: its page and the API read it from the store with both stops, B
    checked in with its number, J not reached at the close (the citizen came; the visit ended
    before its stop: docs/bookings.md)."""
    status, _, made = await call(
        api, "POST", "/api/v1/bookings", visit_body(date="2026-11-23", slot="10:30")
    )
    assert status == 201, made
    token = made["page_url"].rsplit("/", 1)[1]
    clock.advance(65 * 60)  # 10.05: the window opened at 10.00
    kiosk = await api.client("KIOSK-1")
    ticket = await kiosk.check_in(made["code"])
    await kiosk.confirm_printed(ticket["id"])
    assert ticket["number"] == "B-001"
    clock.advance(24 * 3600)
    await api.hub.execute(Tick(), "system")  # Monday closes
    assert made["code"] not in api.engine.state.bookings.by_code

    status, _, read = await call(api, "GET", f"/api/v1/bookings/{token}")
    assert status == 200, read
    assert read["stops"] == [
        {
            "line": "B",
            "name": KK,
            "agency": "Dukcapil",
            "slot": "10:30",
            "end": "11:30",
            "state": "checked_in",
            "ticket_number": "B-001",
        },
        {
            "line": "J",
            "name": BPJS,
            "agency": "BPJS Kesehatan",
            "slot": "10:30",
            "end": "11:00",
            "state": "not_reached",
            "ticket_number": None,
        },
    ]
    status, _, raw = await http_request(api, "GET", f"/pesan/{token}")
    assert status == 200
    assert stops_of(raw.decode()) == [
        f"{KK} — Dukcapil, 10.30–11.30 WIBSudah lapor kedatangan — nomor antrean B-001",
        f"{BPJS} — BPJS Kesehatan, 10.30–11.00 WIB"
        "Tidak dilayani — kunjungan berakhir sebelum layanan ini",
    ]
