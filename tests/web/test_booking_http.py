"""The public booking pages over real HTTP: the steps, the form, the citizen's page, the guards.

A real server (demo building, fake clock at Monday 23 November 2026 09:00 WIB) on a free port;
each test speaks to it as a browser would (tests/web/web_booking_kit.py) and reads the engine's
booking book to see what changed. The expectations are the demo building's, written by hand
from its file (Dukcapil's KTP-el, line A: 30-minute slots from 07.30, 4 regular places and 1
priority place each, the cutoff 14.30; check-in from 30 minutes before to 15 after).
The same flows in Chromium: test_booking_browser.py.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from urllib.parse import urlencode

import pytest
from hubtest import FakeClock, Server, StartServer, demo_building
from qr_read import modules_of_svg, read_qr
from web_booking_kit import NIKS, TUESDAY, Citizen, book, csrf_of, text_of
from webtest import http_request

from server.core.booking_code import CODE_ALPHABET
from server.core.building import Building

CODE_SHOWN = re.compile(f"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}")
# The lines of the demo building that take bookings, in the file's order (DOMAIN.md §9's four,
# and BPJS Kesehatan's registration, booked in a visit after the family card: issue 22).
BOOKABLE = [
    "Perekaman dan Cetak KTP-el",
    "Kartu Keluarga dan Pindah Datang",
    "SKCK",
    "Pendaftaran dan Perubahan Data",
    "Paspor Baru dan Penggantian",
]
A_DOCUMENTS = "Kartu Keluarga asli; KTP-el lama bila mengganti yang rusak."


def bookings(server: Server) -> list:
    return list(server.engine.state.bookings.by_code.values())


async def test_the_steps_lead_from_a_service_to_the_form(server: Server) -> None:
    """Services → days (the weekend closed) → Tuesday's 14 slots 07.30–14.00 → the form."""
    citizen = Citizen(server)
    start = await citizen.get("/pesan")
    assert start.status == 200
    names = re.findall(r'class="choice" href="/pesan\?layanan=\w+">([^<]+)<small>', start.text)
    assert names == BOOKABLE
    days = await citizen.get("/pesan?layanan=A")
    assert "Selasa, 24 November 2026<small>70 tempat tersisa" in days.text
    assert "Sabtu, 28 November 2026<small>Tutup" in days.text
    assert text_of(days.text, "documents") == A_DOCUMENTS
    slots = await citizen.get(f"/pesan?layanan=A&tanggal={TUESDAY}")
    times = re.findall(r">(\d\d\.\d\d)–\d\d\.\d\d WIB<small>", slots.text)
    assert times == [f"{h:02d}.{m:02d}" for h in range(7, 15) for m in (0, 30)][1:-1]
    assert "4 tempat tersisa · 1 tempat untuk kelompok prioritas" in slots.text
    form = await citizen.get(f"/pesan?layanan=A&tanggal={TUESDAY}&jam=09:00")
    assert form.status == 200
    for field in ("nama", "nik", "hp", "prioritas", "csrf"):
        assert f'name="{field}"' in form.text, field
    assert "set-cookie" in form.headers  # the form's token is bound to this cookie
    assert "09.00–09.30 WIB" in form.text and "Selasa, 24 November 2026" in form.text


async def test_a_booking_shows_its_code_qr_check_in_window_and_documents(server: Server) -> None:
    """Booked: 303 to the citizen's own page, which shows the code as K7QM-4TXA, a QR that reads
    ANTRE:<code>, when to check in (08.30 to 09.15 WIB for 09.00), what to bring, the page's link,
    the NIK masked — and the booking is in the engine's book."""
    citizen = Citizen(server)
    answer = await book(citizen)
    assert answer.status == 303
    location = answer.headers["location"]
    assert re.fullmatch(r"/pesan/[A-Za-z0-9_-]{22}\?baru=1", location)
    page = await citizen.get(location)
    assert page.status == 200
    assert text_of(page.text, "notice") == "Pesanan berhasil dibuat."
    shown = text_of(page.text, "code")
    assert CODE_SHOWN.fullmatch(shown)
    svg = re.search(r"<svg.*?</svg>", page.text, re.S).group(0)
    assert read_qr(modules_of_svg(svg)) == "ANTRE:" + shown.replace("-", "")
    assert "antara pukul 08.30 WIB dan 09.15 WIB" in text_of(page.text, "check-in")
    assert text_of(page.text, "documents") == A_DOCUMENTS
    token = location.split("/")[2].split("?")[0]
    assert text_of(page.text, "link") == f"http://antre/pesan/{token}"
    assert "•••• •••• •••• 0002" in page.text and NIKS[0] not in page.text
    assert "7890</dd>" in page.text and "3456" not in page.text  # the phone: its last four
    (made,) = bookings(server)
    assert (made.code, made.line, made.day.isoformat(), made.slot.strftime("%H:%M")) == (
        shown.replace("-", ""),
        "A",
        TUESDAY,
        "09:00",
    )
    assert made.channel == "web" and made.name == "Siti Rahmawati"


async def test_english_is_kept_from_the_first_page_to_the_booking(server: Server) -> None:
    """?lang=en: every link and the form keep it, the booking's page answers in English."""
    citizen = Citizen(server)
    start = await citizen.get("/pesan?lang=en")
    assert "<h1>Choose a service</h1>" in start.text and 'lang="en"' in start.text
    assert "/pesan?layanan=A&amp;lang=en" in start.text
    slots = await citizen.get(f"/pesan?layanan=A&tanggal={TUESDAY}&lang=en")
    assert "Tuesday, 24 November 2026" in slots.text and "4 places left" in slots.text
    answer = await book(citizen, lang="en")
    assert answer.headers["location"].endswith("?baru=1&lang=en")
    page = await citizen.get(answer.headers["location"])
    assert "<h1>Your booking</h1>" in page.text
    assert text_of(page.text, "notice") == "Your booking is made."
    assert "between 08.30 WIB and 09.15 WIB" in text_of(page.text, "check-in")
    assert "Bahasa Indonesia" in text_of(page.text, "lang")


async def test_a_bad_nik_is_named_and_the_other_fields_are_kept(server: Server) -> None:
    """32 February is no birth date: the check's Indonesian sentence beside the field, name and
    phone typed again for the citizen, the NIK field empty (never echoed), nothing booked."""
    citizen = Citizen(server)
    bad = "3273013202800001"
    answer = await book(citizen, name="Budi Santoso", nik=bad, phone="0813-1111-2222")
    assert answer.status == 400
    assert text_of(answer.text, "nik-problem") == "Tanggal lahir pada NIK tidak valid."
    assert 'name="nama" value="Budi Santoso"' in answer.text
    assert 'name="hp" value="0813-1111-2222"' in answer.text
    assert 'name="nik" value=""' in answer.text
    assert bad not in answer.text
    assert bookings(server) == []
    short = await book(Citizen(server), nik="1234")
    assert text_of(short.text, "nik-problem") == "NIK harus 16 angka."


@pytest.mark.parametrize(
    "forgery", ["no token", "another browser's token", "foreign origin", "cross-site fetch"]
)
async def test_a_cross_site_post_changes_nothing(server: Server, forgery: str) -> None:
    """Each way another site could make a browser post the form: 403 "Halaman kedaluwarsa",
    no event, no booking."""
    victim, attacker = Citizen(server), Citizen(server)
    form = await victim.get(f"/pesan?layanan=A&tanggal={TUESDAY}&jam=09:00")
    other = await attacker.get(f"/pesan?layanan=A&tanggal={TUESDAY}&jam=09:00")
    fields = {
        "csrf": csrf_of(form.text),
        "layanan": "A",
        "tanggal": TUESDAY,
        "jam": "09:00",
        "nama": "Calo",
        "nik": NIKS[1],
        "hp": "081299998888",
    }
    headers: dict[str, str] = {}
    match forgery:
        case "no token":
            del fields["csrf"]
        case "another browser's token":
            fields["csrf"] = csrf_of(other.text)
        case "foreign origin":
            headers["Origin"] = "https://calo.example"
        case "cross-site fetch":
            headers["Sec-Fetch-Site"] = "cross-site"
    seq = server.engine.last_seq
    answer = await victim.post("/pesan", fields, headers)
    assert answer.status == 403
    assert text_of(answer.text, "message").startswith("Formulir ini sudah tidak berlaku")
    assert server.engine.last_seq == seq and bookings(server) == []


async def test_a_form_sent_twice_books_once(server: Server) -> None:
    """A double tap on "Pesan sekarang" (the same form sent twice): one booking, one page."""
    citizen = Citizen(server)
    form = await citizen.get(f"/pesan?layanan=A&tanggal={TUESDAY}&jam=09:00")
    fields = {
        "csrf": csrf_of(form.text),
        "layanan": "A",
        "tanggal": TUESDAY,
        "jam": "09:00",
        "nama": "Siti Rahmawati",
        "nik": NIKS[0],
        "hp": "081234567890",
    }
    first = await citizen.post("/pesan", fields)
    second = await citizen.post("/pesan", fields)
    assert first.status == second.status == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(bookings(server)) == 1


async def test_a_full_slot_is_not_offered_and_cannot_be_booked(server: Server) -> None:
    """Tuesday 09.00 filled (4 regular, 1 priority): listed as "Penuh" with no link; its form
    asked for directly sends back to the list; a form opened before it filled is refused
    with the core's words, naming the next free slot (09.30)."""
    late = Citizen(server)
    early_form = await late.get(f"/pesan?layanan=A&tanggal={TUESDAY}&jam=09:00")
    for i in range(4):
        answer = await book(Citizen(server), nik=NIKS[i + 1], phone=f"0812000000{i:02d}")
        assert answer.status == 303
    priority = await book(Citizen(server), nik=NIKS[5], phone="081200000099", priority="lansia")
    assert priority.status == 303
    slots = await late.get(f"/pesan?layanan=A&tanggal={TUESDAY}")
    assert '<span class="unavailable">09.00–09.30 WIB<small>Penuh</small></span>' in slots.text
    assert "jam=09%3A00" not in slots.text
    direct = await late.get(f"/pesan?layanan=A&tanggal={TUESDAY}&jam=09:00")
    assert text_of(direct.text, "notice") == "Jam ini tidak dapat dipesan. Silakan pilih jam lain."
    fields = {
        "csrf": csrf_of(early_form.text),
        "layanan": "A",
        "tanggal": TUESDAY,
        "jam": "09:00",
        "nama": "Terlambat",
        "nik": NIKS[0],
        "hp": "081234567890",
    }
    refused = await late.post("/pesan", fields)
    assert refused.status == 409
    assert text_of(refused.text, "notice") == (
        "Jadwal Selasa, 24 November 2026 pukul 09.00 WIB sudah penuh; jadwal berikutnya yang "
        "masih kosong pukul 09.30 WIB"
    )
    assert len(bookings(server)) == 5


async def test_a_form_sent_for_a_slot_not_open_books_nothing(server: Server) -> None:
    """A POST names its slot: one the day does not have (09.15), one whose booking has closed
    (today's 09.30 at 09.00: 60 minutes before) and one of a day not open yet are refused 400
    with "Jam ini tidak dapat dipesan", and nothing is booked."""
    citizen = Citizen(server)
    form = await citizen.get(f"/pesan?layanan=A&tanggal={TUESDAY}&jam=09:00")
    for day, slot in ((TUESDAY, "09:15"), ("2026-11-23", "09:30"), ("2026-12-31", "09:00")):
        fields = {
            "csrf": csrf_of(form.text),
            "layanan": "A",
            "tanggal": day,
            "jam": slot,
            "nama": "Siti Rahmawati",
            "nik": NIKS[0],
            "hp": "081234567890",
        }
        refused = await citizen.post("/pesan", fields)
        assert refused.status == 400, (day, slot)
        assert "Jam ini tidak dapat dipesan. Silakan pilih jam lain." in refused.text
    assert bookings(server) == []


async def test_the_citizen_moves_then_cancels_the_booking(server: Server) -> None:
    """From the own page: "Ubah jadwal" → Wednesday → 10.00 (a POST button) → the page says it
    moved and Tuesday 09.00 has its place back; "Batalkan pesanan" → confirm → cancelled:
    no QR, no more links to change anything."""
    citizen = Citizen(server)
    page_path = (await book(citizen)).headers["location"].split("?")[0]
    days = await citizen.get(page_path + "?ubah=1")
    assert f"{page_path}?ubah=1&amp;tanggal=2026-11-25" in days.text
    slots = await citizen.get(page_path + "?ubah=1&tanggal=2026-11-25")
    csrf = csrf_of(slots.text)
    moved = await citizen.post(
        page_path, {"csrf": csrf, "aksi": "ubah", "tanggal": "2026-11-25", "jam": "10:00"}
    )
    assert moved.status == 303 and moved.headers["location"] == page_path + "?diubah=1"
    page = await citizen.get(moved.headers["location"])
    assert text_of(page.text, "notice") == "Jadwal pesanan sudah diubah."
    assert "Rabu, 25 November 2026" in page.text and "10.00–10.30 WIB" in page.text
    tuesday = await citizen.get(f"/pesan?layanan=A&tanggal={TUESDAY}")
    assert "09.00–09.30 WIB<small>4 tempat tersisa" in tuesday.text

    confirm = await citizen.get(page_path + "?batal=1")
    assert "<h1>Batalkan pesanan?</h1>" in confirm.text
    cancelled = await citizen.post(page_path, {"csrf": csrf_of(confirm.text), "aksi": "batal"})
    assert cancelled.headers["location"] == page_path + "?dibatalkan=1"
    page = await citizen.get(cancelled.headers["location"])
    assert text_of(page.text, "notice") == "Pesanan sudah dibatalkan."
    assert "Dibatalkan" in page.text
    assert (
        "<svg" not in page.text
        and 'id="change"' not in page.text
        and 'id="cancel"' not in page.text
    )
    (booking,) = bookings(server)
    assert booking.state.value == "cancelled"


async def test_a_token_for_one_booking_cannot_cancel_another(server: Server) -> None:
    """The cancel form's token is bound to its page: posted to another booking's page, 403."""
    first, second = Citizen(server), Citizen(server)
    mine = (await book(first)).headers["location"].split("?")[0]
    theirs = (await book(second, nik=NIKS[1], phone="081311112222")).headers["location"]
    confirm = await first.get(mine + "?batal=1")
    answer = await first.post(
        theirs.split("?")[0], {"csrf": csrf_of(confirm.text), "aksi": "batal"}
    )
    assert answer.status == 403
    assert {b.state.value for b in bookings(server)} == {"booked"}


async def test_the_name_is_text_wherever_it_is_shown(server: Server) -> None:
    """Markup typed as a name comes back as the characters typed, never as markup."""
    name = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    citizen = Citizen(server)
    page = await citizen.get((await book(citizen, name=name)).headers["location"])
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x" in page.text
    refused = await book(Citizen(server), name=name, nik="1234")
    assert "<script>alert" not in refused.text and "<img src=x" not in refused.text


async def test_the_nik_is_in_no_address_log_or_page(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    """A booking and a refusal, every logger at DEBUG: the NIK's digits appear in no log
    line, no header and no page."""
    caplog.set_level(logging.DEBUG)
    citizen = Citizen(server)
    answer = await book(citizen, nik=NIKS[3])
    page = await citizen.get(answer.headers["location"])
    again = await book(Citizen(server), nik=NIKS[3], phone="081377778888")
    assert again.status == 409 and "NIK ini sudah dipakai" in again.text
    seen = [answer.headers["location"], page.text, again.text, *answer.headers.values()]
    seen += [record.getMessage() for record in caplog.records]
    assert not [s for s in seen if NIKS[3] in s]


@pytest.mark.parametrize(
    ("method", "path", "status", "words"),
    [
        ("GET", "/pesan/AAAAAAAAAAAAAAAAAAAAAA", 404, "Pesanan tidak ditemukan"),
        ("GET", "/pesan/<script>", 404, "Pesanan tidak ditemukan"),
        ("GET", "/pesan?layanan=C", 404, "tidak dapat dipesan online"),
        ("GET", "/pesan?layanan=A&tanggal=2020-01-01", 200, "Tanggal ini tidak dapat dipesan"),
        ("PUT", "/pesan", 405, "tidak dapat dilayani"),
        ("POST", "/healthz", 405, "Metode tidak diizinkan"),
    ],
)
async def test_what_cannot_be_served_is_said_plainly(
    server: Server, method: str, path: str, status: int, words: str
) -> None:
    """Unknown pages, a line without booking, a past day, a wrong method: a page in Indonesian."""
    got, _, body = await http_request(server, method, path, body=b"" if method != "GET" else None)
    text = body.decode("utf-8")
    assert got == status and words in text
    assert "<script>" not in text and "Traceback" not in text


async def test_the_pages_load_nothing_inline_and_send_no_referrer(server: Server) -> None:
    """Every booking page: its own CSP (no script at all), no Referer to another site (but
    one to itself, so that its own POSTs carry a real Origin), not framed."""
    citizen = Citizen(server)
    for path in ("/pesan", f"/pesan?{urlencode({'layanan': 'A', 'tanggal': TUESDAY})}"):
        answer = await citizen.get(path)
        csp = answer.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp
        assert "form-action 'self'" in csp and "frame-ancestors 'none'" in csp
        assert answer.headers["referrer-policy"] == "same-origin"
        assert answer.headers["x-robots-tag"] == "noindex, nofollow"
        assert '<meta name="referrer" content="same-origin">' in answer.text
        assert "<script" not in answer.text and " style=" not in answer.text


def with_booking(**settings: object) -> Building:
    """The demo building with some `[booking]` settings changed."""
    demo = demo_building()
    return dataclasses.replace(demo, booking=dataclasses.replace(demo.booking, **settings))


async def test_an_address_that_asks_too_often_is_told_when_to_try_again(
    start_server: StartServer,
) -> None:
    """3 requests a minute: the 4th is 429, in Indonesian, "coba lagi dalam 20 detik" (one
    more every 60/3 s), with Retry-After; a POST too; nothing booked meanwhile."""
    server = await start_server(building=with_booking(requests_per_minute=3))
    citizen = Citizen(server)
    form = await citizen.get(f"/pesan?layanan=A&tanggal={TUESDAY}&jam=09:00")
    for _ in range(2):
        assert (await citizen.get("/pesan")).status == 200
    refused = await citizen.get("/pesan")
    assert refused.status == 429 and refused.headers["retry-after"] == "20"
    assert text_of(refused.text, "message") == (
        "Terlalu banyak permintaan dari alamat Anda. Silakan coba lagi dalam 20 detik."
    )
    fields = {"csrf": csrf_of(form.text), "layanan": "A", "tanggal": TUESDAY, "jam": "09:00",
              "nama": "Siti", "nik": NIKS[0], "hp": "081234567890"}  # fmt: skip
    assert (await citizen.post("/pesan", fields)).status == 429
    assert bookings(server) == []
    assert (await citizen.get("/pesan?lang=en")).text.count("try again in 20 seconds") == 1


async def test_behind_a_trusted_proxy_each_citizen_has_their_own_budget(
    start_server: StartServer,
) -> None:
    """The proxy at 127.0.0.1 forwards two citizens: each gets 3 requests. A forwarded-for header
    from a peer that is not a trusted proxy is ignored: the peer itself is counted."""
    trusting = await start_server(
        building=with_booking(requests_per_minute=3, trusted_proxies=("127.0.0.1",))
    )
    for client in ("198.51.100.7", "198.51.100.8"):
        statuses = [
            (await http_request(trusting, "GET", "/pesan", {"X-Forwarded-For": client}))[0]
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429], client
    plain = await start_server(building=with_booking(requests_per_minute=3))
    statuses = [
        (await http_request(plain, "GET", "/pesan", {"X-Forwarded-For": f"198.51.100.{i}"}))[0]
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


async def test_before_the_hour_the_newest_day_says_when_it_opens(
    start_server: StartServer, clock: FakeClock
) -> None:
    """At 05.00 the day 14 days ahead is not open yet (line A opens its newest day at 06.00):
    listed with the hour, nothing to tap; at 06.00 it is open."""
    clock.now = clock.now.replace(hour=5)
    server = await start_server()
    days = await Citizen(server).get("/pesan?layanan=A")
    assert (
        '<span class="unavailable">Senin, 7 Desember 2026<small>Dibuka pukul 06.00 WIB</small>'
        in days.text
    )
    assert "tanggal=2026-12-07" not in days.text
    clock.now = clock.now.replace(hour=6)
    days = await Citizen(server).get("/pesan?layanan=A")
    assert "tanggal=2026-12-07" in days.text


async def test_a_holiday_is_named_and_not_offered(
    start_server: StartServer, clock: FakeClock
) -> None:
    """In the week of Christmas the demo's holidays read "Libur: …" with nothing to tap; a
    holiday's slots asked for directly are refused back to the days."""
    clock.now = clock.now.replace(month=12, day=21)  # Monday 21 December 2026, 09.00 WIB
    server = await start_server()
    citizen = Citizen(server)
    days = await citizen.get("/pesan?layanan=A")
    assert (
        '<span class="unavailable">Jumat, 25 Desember 2026<small>Libur: Kelahiran Yesus Kristus'
        in days.text
    )
    assert "tanggal=2026-12-24" not in days.text and "tanggal=2026-12-25" not in days.text
    direct = await citizen.get("/pesan?layanan=A&tanggal=2026-12-25")
    assert text_of(direct.text, "notice") == (
        "Tanggal ini tidak dapat dipesan. Silakan pilih tanggal lain."
    )
