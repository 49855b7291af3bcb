"""The integrators' read-only API (issue 21) over real HTTP against a real server.

`/api/v1/today`, `/api/v1/tickets/<token>`, `/api/v1/figures`, a portal's `scope` and its own
rate limit. The demo building with two portals (one read-only), the fake clock at Monday 23
November 2026 09:00 WIB, tickets issued by a real kiosk client and served by real officers.
Expectations from docs/protocol.md ("Integrators' API"), docs/reports.md ("How each figure is
defined") and the demo building file, worked out by hand below — never by the code under test.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from typing import Any

import pytest
from hubtest import FakeClock, Server, StartServer, demo_building
from webtest import http_request

from server.auth import token_digest
from server.core.building import Portal
from server.core.model import Tick
from server.report.cli import compile_report
from server.store import StoreReader

BOOKER = "portal-kabupaten-contoh-3f9c1a7e5b2d4c6a8e0f"
READER = "dashboard-provinsi-7c1e9a0b2d4f6e8a1c3b5d7f"
PORTALS = (
    Portal("PORTAL-KAB", "Portal Layanan Kabupaten Contoh", token_digest(BOOKER)),
    Portal("DASBOR-PROV", "Dasbor Provinsi", token_digest(READER), scope="read"),
)
TODAY = "2026-11-23"
MONDAY = date(2026, 11, 23)


@pytest.fixture
async def api(start_server: StartServer) -> Server:
    return await start_server(building=dataclasses.replace(demo_building(), portals=PORTALS))


async def get(
    server: Server, path: str, token: str = READER, method: str = "GET", body: Any = None
) -> tuple[int, dict[str, str], Any]:
    headers = {"Authorization": f"Bearer {token}"}
    raw = None
    if body is not None:
        raw = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    status, got, payload = await http_request(server, method, path, headers, raw)
    assert got["content-type"] == "application/json; charset=utf-8"
    return status, got, json.loads(payload)


async def issue(server: Server, line: str, n: int) -> list[dict[str, Any]]:
    """n tickets on a line, taken and printed at a real kiosk, one minute apart."""
    kiosk = await server.client("KIOSK-1")
    out = []
    for _ in range(n):
        ticket = await kiosk.issue_ticket(line)
        await kiosk.confirm_printed(ticket["id"])
        out.append(ticket)
        server.clock.advance(60)
    return out


async def test_today_lists_each_line_with_the_wait_the_kiosk_and_tv_show(
    api: Server, clock: FakeClock
) -> None:
    """Line A with three waiting and one counter (L01, serving only A) open: a ticket taken now
    has 3 ahead and the line's standard 10 minutes each over one counter: (3 + 1) × 600 s =
    2400 s, the figure a TV's snapshot carries too; line B, no counter open: no figure (null),
    as the kiosk prints "menunggu loket dibuka"; booking of A open today from the 10.30 slot."""
    await issue(api, "A", 3)  # 09:00, 09:01, 09:02; now 09:03
    await api.officer_at_work("DKP01@L01")
    status, _, body = await get(api, "/api/v1/today")
    assert status == 200
    assert (body["day"], body["zone"], body["at"]) == (TODAY, "WIB", "2026-11-23T09:03:00+07:00")
    lines = {row["line"]: row for row in body["lines"]}
    assert list(lines)[:4] == ["A", "B", "C", "D"]  # the building file's order
    assert lines["A"] == {
        "line": "A",
        "name": "Perekaman dan Cetak KTP-el",
        "agency": "Dukcapil",
        "agency_name": "Dinas Kependudukan dan Pencatatan Sipil",
        "issuing": True,
        "closed_reason": None,
        "closed_message": None,
        "counters_open": 1,
        "waiting": 3,
        "estimated_wait_s": 2400,
        # Slots of 30 minutes from 07:30 to 14:30, 4 + 1 places each, none booked within an
        # hour from now, 09.03 (closes_min_before = 60): 10.30 … 14.00, eight slots, 40 places.
        "booking": {"open": True, "next_day": TODAY, "places_left": 40},
    }
    assert (lines["B"]["waiting"], lines["B"]["counters_open"]) == (0, 0)
    assert lines["B"]["estimated_wait_s"] is None
    assert lines["C"]["booking"] is None  # line C takes no bookings

    tv = await api.client("TV-1")
    tv_lines = {row["prefix"]: row for row in (await tv.snapshot())["lines"]}
    assert tv_lines["A"]["estimated_wait_s"] == lines["A"]["estimated_wait_s"]


async def test_a_ticket_is_read_by_its_token_and_never_by_its_number(
    api: Server, clock: FakeClock
) -> None:
    """The third of three tickets has two people ahead and waits (2 + 1) × 600 s, as the kiosk
    printed it; once called it names its counter. Its number, its id or a wrong token: 404."""
    officer = await api.officer_at_work("DKP01@L01")
    *_, third = await issue(api, "A", 3)
    status, _, body = await get(api, f"/api/v1/tickets/{third['token']}")
    assert status == 200
    assert body == {
        "number": "A-003",
        "day": TODAY,
        "line": "A",
        "line_name": "Perekaman dan Cetak KTP-el",
        "agency": "Dukcapil",
        "state": "waiting",
        "state_label": "Menunggu panggilan",
        "people_ahead": 2,
        "estimated_wait_s": 1800,
        "counter": None,
    }
    assert third["estimated_wait_s"] == 1800  # what the kiosk printed on it
    for _ in range(3):
        clock.advance(5)
        await officer.act("call_next")
        await officer.act("no_show")  # the next call goes to the next ticket
    _, _, body = await get(api, f"/api/v1/tickets/{third['token']}")
    assert (body["state"], body["people_ahead"], body["estimated_wait_s"]) == (
        "no_show",
        None,
        None,
    )
    assert body["counter"] is None

    for wrong in ("A-003", "2026-11-23%2FA-003", third["token"][:-1] + "x", "A003A003A003A003A"):
        status, _, body = await get(api, f"/api/v1/tickets/{wrong}")
        assert status == 404, wrong
        assert body["error"] == {
            "code": "ticket_not_found",
            "message": "Tiket tidak ditemukan",
            "details": {},
        }


async def test_an_earlier_days_token_is_not_looked_up_in_the_store(
    api: Server, clock: FakeClock
) -> None:
    """Monday's ticket on Tuesday: its phone page still opens (from the store), but the API
    answers only from today's tokens in memory, so a miss costs what a hit does: 404."""
    [ticket] = await issue(api, "A", 1)
    clock.advance(24 * 3600)
    await api.hub.execute(Tick(), "system")  # Monday closes
    assert (await http_request(api, "GET", f"/t/{ticket['token']}"))[0] == 200
    status, _, body = await get(api, f"/api/v1/tickets/{ticket['token']}")
    assert status == 404 and body["error"]["code"] == "ticket_not_found"


async def test_a_called_ticket_names_its_counter(api: Server, clock: FakeClock) -> None:
    """Called at L01: state "called", the counter's label and name, nobody ahead, no wait."""
    [ticket] = await issue(api, "A", 1)
    officer = await api.officer_at_work("DKP01@L01")
    await officer.act("call_next")
    _, _, body = await get(api, f"/api/v1/tickets/{ticket['token']}")
    assert body["state"] == "called" and body["state_label"] == "Dipanggil"
    assert body["counter"] == {"label": "1", "name": "Loket 1"}
    assert (body["people_ahead"], body["estimated_wait_s"]) == (None, None)


# A small day worked out by hand (docs/reports.md's definitions). From 09:00, one minute apart:
# A-001 09:00, A-002 09:01, A-003 09:02, C-001 09:03. Then (seconds after 09:00):
#   300  L01 calls A-001 (waited 300), starts;      700 finishes (service 400)
#   700  L01 calls A-002 (waited 640);              760 marks it not present (no-show)
#   800  L01 calls A-003 (waited 680), starts;     1500 finishes (service 700)
#   900  L05 calls C-001 (waited 720), starts;     1200 finishes (service 300)
# Line A: issued 3, called 3, served 2, no-show 1; waits 300, 640, 680: mean 540, median 640,
# p90 the ⌈0.9·3⌉ = 3rd = 680, max 680, all within 30 min (1800 s): 100 %; services 400, 700:
# mean 550, median 550, p90 the 2nd = 700, max 700; standard 10 min (600 s): 1 of 2, 50 %.
# Line C: issued 1, served 1; wait 720; service 300 within its 600 s: 100 %.
# Building: issued 4, served 3, no-show 1; waits 300, 640, 680, 720: mean 585, median
# (640 + 680) / 2 = 660, p90 the ⌈3.6⌉ = 4th = 720; services 400, 700, 300: mean 466.7,
# median 400, p90 the ⌈2.7⌉ = 3rd = 700; within the line's standard 2 of 3: 66.7 %.
async def play_the_small_day(server: Server, clock: FakeClock) -> None:
    start = clock.now
    await issue(server, "A", 3)
    await issue(server, "C", 1)
    l01 = await server.officer_at_work("DKP01@L01")
    l05 = await server.officer_at_work("DKP02@L05")

    async def at(seconds: int, officer: Any, action: str) -> None:
        clock.now = start + timedelta(seconds=seconds)
        await officer.act(action)

    await at(300, l01, "call_next")
    await at(300, l01, "start_service")
    await at(700, l01, "finish_service")
    await at(700, l01, "call_next")
    await at(760, l01, "no_show")
    await at(800, l01, "call_next")
    await at(800, l01, "start_service")
    await at(900, l05, "call_next")
    await at(900, l05, "start_service")
    await at(1200, l05, "finish_service")
    await at(1500, l01, "finish_service")


def times(kind: str, mean: Any, median: Any, p90: Any, max_: Any) -> dict[str, Any]:
    return {
        f"{kind}_mean_s": mean,
        f"{kind}_median_s": median,
        f"{kind}_p90_s": p90,
        f"{kind}_max_s": max_,
    }


async def test_the_days_figures_are_the_reports_worked_out_by_hand(
    api: Server, clock: FakeClock
) -> None:
    """Per line and for the building, today's figures of the small day above."""
    await play_the_small_day(api, clock)
    status, _, body = await get(api, "/api/v1/figures")
    assert status == 200
    assert (body["date"], body["zone"]) == (TODAY, "WIB")
    lines = {row["line"]: row for row in body["lines"]}
    assert lines["A"] == {
        "line": "A",
        "name": "Perekaman dan Cetak KTP-el",
        "agency": "Dukcapil",
        "issued": 3,
        "called": 3,
        "served": 2,
        "no_show": 1,
        "cancelled": 0,
        "expired": 0,
        "transferred_out": 0,
        "transferred_in": 0,
        "waits": 3,
        **times("wait", 540.0, 640.0, 680.0, 680.0),
        "target_wait_s": 1800.0,
        "waits_within_target_pct": 100.0,
        "services": 2,
        **times("service", 550.0, 550.0, 700.0, 700.0),
        "target_service_s": 600.0,
        "services_within_target_pct": 50.0,
    }
    c = lines["C"]
    assert (c["issued"], c["served"], c["no_show"], c["waits"], c["wait_median_s"]) == (
        1,
        1,
        0,
        1,
        720.0,
    )
    assert (c["service_mean_s"], c["services_within_target_pct"]) == (300.0, 100.0)
    b = lines["B"]  # a line of the building with nothing today: zeros, no times
    assert (b["issued"], b["waits"], b["wait_median_s"], b["target_service_s"]) == (
        0,
        0,
        None,
        720.0,
    )
    assert body["building"] == {
        "issued": 4,
        "called": 4,
        "served": 3,
        "no_show": 1,
        "cancelled": 0,
        "expired": 0,
        "waits": 4,
        **times("wait", 585.0, 660.0, 720.0, 720.0),
        "target_wait_s": 1800.0,
        "waits_within_target_pct": 100.0,
        "services": 3,
        **times("service", 466.7, 400.0, 700.0, 700.0),
        "target_service_s": None,
        "services_within_target_pct": 66.7,
    }
    # `antre report` on the same store and day: the same figures, column for column.
    with StoreReader.open(api.engine.db_path) as store:
        report = compile_report(store, api.engine.building, MONDAY, MONDAY)
    for row in report.scopes["line"]:
        mine = lines[row["key"]]
        for column, value in row.items():
            if column in mine and column not in ("name", "agency"):  # the API's: short name
                assert mine[column] == (None if value == "" else value), (row["key"], column)
    # One line only; the same figures.
    status, _, one = await get(api, "/api/v1/figures?date=2026-11-23&line=A")
    assert status == 200 and one["lines"] == [lines["A"]] and one["building"] == body["building"]


async def test_figures_follow_the_log_and_keep_past_days(api: Server, clock: FakeClock) -> None:
    """A ticket issued after a first read is in the next read; a past day without events has
    every line at zero."""
    _, _, before = await get(api, "/api/v1/figures")
    assert before["building"]["issued"] == 0
    await issue(api, "A", 2)
    _, _, after = await get(api, "/api/v1/figures")
    assert after["building"]["issued"] == 2
    status, _, past = await get(api, "/api/v1/figures?date=2026-11-20")
    assert status == 200 and past["date"] == "2026-11-20"
    assert past["building"]["issued"] == 0 and past["building"]["wait_median_s"] is None


@pytest.mark.parametrize(
    ("query", "status", "code", "message"),
    [
        ("date=23-11-2026", 400, "bad_date", "Tanggal tidak dapat dibaca; tulis YYYY-MM-DD"),
        ("date=2026-02-30", 400, "bad_date", "Tanggal tidak dapat dibaca; tulis YYYY-MM-DD"),
        ("date=2026-W48-1", 400, "bad_date", "Tanggal tidak dapat dibaca; tulis YYYY-MM-DD"),
        (
            "date=2026-11-24",
            400,
            "future_date",
            "Tanggal itu belum tiba; angka tersedia untuk hari ini dan sebelumnya",
        ),
        ("line=Z", 404, "unknown_line", "Layanan tidak dikenal"),
    ],
    ids=["day-first", "no-such-day", "week-date", "tomorrow", "unknown-line"],
)
async def test_a_bad_date_or_line_is_a_json_error(
    api: Server, query: str, status: int, code: str, message: str
) -> None:
    """400 for a date that is not YYYY-MM-DD or not come yet, 404 for a line not the building's."""
    got, _, body = await get(api, f"/api/v1/figures?{query}")
    assert got == status
    assert (body["error"]["code"], body["error"]["message"]) == (code, message)


async def test_a_read_only_portal_reads_but_never_books(api: Server) -> None:
    """scope = "read": 403 `forbidden` for a booking and a cancel, nothing booked; the booking
    portal (scope "book", the default) reads the same paths."""
    body = {
        "line": "A",
        "date": "2026-11-24",
        "slot": "09:00",
        "name": "Siti Rahmawati",
        "nik": "3273014101800002",
        "phone": "081234567890",
    }
    status, _, answer = await get(api, "/api/v1/bookings", method="POST", body=body)
    assert status == 403
    assert answer["error"]["code"] == "forbidden"
    assert answer["error"]["message"] == (
        "Portal ini hanya berhak membaca; memesan dan membatalkan tidak diizinkan"
    )
    assert api.engine.state.bookings.by_code == {}
    status, _, _ = await get(api, "/api/v1/bookings/JUY3-FPYE", method="DELETE")
    assert status == 403
    assert (await get(api, "/api/v1/today", token=BOOKER))[0] == 200
    status, _, made = await get(api, "/api/v1/bookings", token=BOOKER, method="POST", body=body)
    assert status == 201, made
    status, _, _ = await get(api, "/api/v1/today", method="POST", body={})
    assert status == 405


async def test_each_portal_has_its_own_rate_limit(start_server: StartServer) -> None:
    """With 3 requests a minute for the reader, its 4th is 429 with Retry-After 20 (a token
    every 60 / 3 s) and the Indonesian message; the other portal is not slowed by it."""
    portals = (PORTALS[0], dataclasses.replace(PORTALS[1], requests_per_minute=3))
    server = await start_server(building=dataclasses.replace(demo_building(), portals=portals))
    for _ in range(3):
        assert (await get(server, "/api/v1/today"))[0] == 200
    status, headers, body = await get(server, "/api/v1/today")
    assert status == 429 and headers["retry-after"] == "20"
    assert body["error"]["code"] == "too_many_requests"
    assert body["error"]["message"] == "Terlalu banyak permintaan; coba lagi dalam 20 detik"
    assert (await get(server, "/api/v1/today", token=BOOKER))[0] == 200
