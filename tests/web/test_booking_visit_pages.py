"""Booking a visit of several services on the public pages (issue 22), over real HTTP.

A real server (demo building, fake clock at Monday 23 November 2026 09:00 WIB) on a free port,
spoken to as a browser would (web_booking_kit.py); the engine's booking book says what changed.
The expectations are worked by hand from the demo building's file and docs/bookings.md's slot
rule (stop k at the latest slot of its line starting at or before the first slot plus the
standard service times of the stops before it):

- B, Kartu Keluarga dan Pindah Datang (Dukcapil): 12 minutes; hourly slots from the opening,
  07.30, 08.30, … 13.30 (cutoff 14.30); 4 places + 1 priority.
- J, Pendaftaran dan Perubahan Data (BPJS Kesehatan): `requires = ["B"]`; 30-minute slots
  07.30 … 15.00 (cutoff 15.30); 3 places + 1 priority.
- A, Perekaman dan Cetak KTP-el (Dukcapil): 10 minutes; 30-minute slots 07.30 … 14.00.

| first slot | B | J | why |
| --- | --- | --- | --- |
| B 09.30 | 09.30 | 09.30 | J expected 09.42: J's latest slot by then is 09.30 |
| B 13.30 | 13.30 | 13.30 | J expected 13.42 |
| A 10.00, then B, then J | 09.30 | 10.00 | B expected 10.10 → 09.30; J 10.22 → 10.00 |

The same walk in Chromium: test_booking_visit_browser.py; the portal API: test_booking_visit_api.py.
"""

from __future__ import annotations

import dataclasses
import html
import re
from urllib.parse import urlencode

import pytest
from hubtest import FakeClock, Server, StartServer
from web_booking_kit import NIKS, ORIGIN, TUESDAY, Answer, Citizen, csrf_of, text_of
from webtest import http_request

from server.config import load_demo_building
from server.core.building import BookingRules, Building, Line

KK = "Kartu Keluarga dan Pindah Datang"
BPJS = "Pendaftaran dan Perubahan Data"
VISIT = [("kunjungan", "1"), ("layanan", "B"), ("layanan", "J")]


def bookings(server: Server) -> list:
    return list(server.engine.state.bookings.by_code.values())


def query(pairs: list[tuple[str, str]]) -> str:
    return "/pesan?" + urlencode(pairs)


async def post(citizen: Citizen, path: str, pairs: list[tuple[str, str]]) -> Answer:
    """A form POST whose fields may repeat (a visit's `layanan`), as a browser sends it."""
    headers = {"Origin": ORIGIN, "Content-Type": "application/x-www-form-urlencoded"}
    if citizen.cookie:
        headers["Cookie"] = citizen.cookie
    status, got, raw = await http_request(
        citizen.server, "POST", path, headers, urlencode(pairs).encode()
    )
    return Answer(status, got, raw.decode("utf-8"))


def applicant(name: str = "Siti Rahmawati", nik: str = NIKS[0]) -> list[tuple[str, str]]:
    return [("nama", name), ("nik", nik), ("hp", "0812 3456 7890"), ("lang", "id")]


async def book_visit(
    citizen: Citizen,
    lines: tuple[str, ...] = ("B", "J"),
    day: str = TUESDAY,
    slot: str = "09:30",
    **who: str,
) -> Answer:
    """Open the visit's form and send it filled in."""
    where = [("kunjungan", "1")] + [("layanan", x) for x in lines]
    form = await citizen.get(query([*where, ("tanggal", day), ("jam", slot)]))
    assert form.status == 200, form.text
    fields = [("csrf", csrf_of(form.text)), *where, ("tanggal", day), ("jam", slot)]
    return await post(citizen, "/pesan", fields + applicant(**who))


def slot_rows(page: str) -> dict[str, str]:
    """Each first-stop slot's words on a slots page, by its time: "Dukcapil 09.30 · …"."""
    rows = re.findall(r"(\d\d\.\d\d)–\d\d\.\d\d WIB<small>([^<]*)</small>", page)
    return dict(rows)


def stops_of(page: str) -> list[str]:
    listing = re.search(r'<ol class="stops" id="stops">(.*?)</ol>', page, re.S)
    assert listing, "no stops on the page"
    return [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", listing.group(1))]


async def test_the_visit_steps_propose_the_order_and_time_every_stop(server: Server) -> None:
    """/pesan → "Beberapa layanan…" → tick J and B → B first, with the reason → Tuesday →
    09.30 shows "Dukcapil 09.30 · BPJS Kesehatan 09.30" → the form lists both stops."""
    citizen = Citizen(server)
    start = await citizen.get("/pesan")
    assert 'id="visit" href="/pesan?kunjungan=1">Beberapa layanan dalam satu kunjungan' in (
        start.text
    )
    boxes = await citizen.get("/pesan?kunjungan=1")
    ticked = re.findall(r'name="layanan" value="(\w+)"', boxes.text)
    assert ticked == ["A", "B", "G", "J", "P"]  # the demo's lines that take bookings
    order = await citizen.get(query([("kunjungan", "1"), ("layanan", "J"), ("layanan", "B")]))
    assert order.status == 200
    assert re.findall(r"<li>([^<]+)<small>", order.text.split('id="order"')[1])[:2] == [KK, BPJS]
    assert (
        "BPJS Kesehatan setelah Kartu Keluarga dan Pindah Datang: memerlukan hasilnya lebih dulu"
    ) in order.text
    assert "kunjungan=1&amp;layanan=B&amp;layanan=J&amp;tanggal=2026-11-24" in order.text
    assert "Sabtu, 28 November 2026<small>Tutup" in order.text
    slots = await citizen.get(query([*VISIT, ("tanggal", TUESDAY)]))
    rows = slot_rows(slots.text)
    assert rows["09.30"] == "Dukcapil 09.30 · BPJS Kesehatan 09.30"
    assert rows["13.30"] == "Dukcapil 13.30 · BPJS Kesehatan 13.30"
    assert list(rows) == ["07.30", "08.30", "09.30", "10.30", "11.30", "12.30", "13.30"]
    form = await citizen.get(query([*VISIT, ("tanggal", TUESDAY), ("jam", "09:30")]))
    assert form.status == 200 and 'name="csrf"' in form.text
    assert f"<dt>1. {KK}</dt><dd>Dinas Kependudukan dan Pencatatan Sipil, 09.30–10.30 WIB" in (
        form.text
    )
    assert f"<dt>2. {BPJS}</dt><dd>BPJS Kesehatan, 09.30–10.00 WIB" in form.text


async def test_three_stops_each_at_its_own_slot(server: Server) -> None:
    """A 10.00, then B, then J: B at 09.30 (expected 10.10, B's hourly grid), J at 10.00
    (expected 10.22). A and B are both Dukcapil's: the slot names them by service."""
    citizen = Citizen(server)
    pairs = [("kunjungan", "1"), ("layanan", "A"), ("layanan", "B"), ("layanan", "J")]
    slots = await citizen.get(query([*pairs, ("tanggal", TUESDAY)]))
    assert slot_rows(slots.text)["10.00"] == (
        f"Perekaman dan Cetak KTP-el 10.00 · {KK} 09.30 · BPJS Kesehatan 10.00"
    )


async def test_a_visit_is_booked_at_once_and_its_page_lists_every_stop(server: Server) -> None:
    """The form books B 09.30 and J 09.30 in one go (sent twice: still once): one code, one page
    listing both stops, a place taken at each line's slot; the NIK never on the page."""
    citizen = Citizen(server)
    form = await citizen.get(query([*VISIT, ("tanggal", TUESDAY), ("jam", "09:30")]))
    fields = [("csrf", csrf_of(form.text)), *VISIT, ("tanggal", TUESDAY), ("jam", "09:30")]
    answer = await post(citizen, "/pesan", fields + applicant())
    assert answer.status == 303, answer.text
    again = await post(citizen, "/pesan", fields + applicant())  # "Pesan sekarang" tapped twice
    assert again.status == 303 and again.headers["location"] == answer.headers["location"]
    location = answer.headers["location"]
    assert re.fullmatch(r"/pesan/[A-Za-z0-9_-]{22}\?baru=1", location)
    page = await citizen.get(location)
    assert text_of(page.text, "notice") == "Pesanan berhasil dibuat."
    assert stops_of(page.text) == [
        f"{KK} — Dukcapil, 09.30–10.30 WIB",
        f"{BPJS} — BPJS Kesehatan, 09.30–10.00 WIB",
    ]
    assert "antara pukul 09.00 WIB dan 09.45 WIB" in text_of(page.text, "check-in")
    assert NIKS[0] not in page.text
    made = {b.line: b for b in bookings(server)}
    assert sorted(made) == ["B", "J"]
    lead = made["B"]
    assert text_of(page.text, "code").replace("-", "") == lead.code
    assert made["J"].lead == lead.code and lead.lead == lead.code
    assert (made["B"].slot.strftime("%H:%M"), made["J"].slot.strftime("%H:%M")) == (
        "09:30",
        "09:30",
    )
    # The places: B 09.30 had 4 regular, J 09.30 had 3.
    slots = await citizen.get(f"/pesan?layanan=J&tanggal={TUESDAY}")
    assert "09.30–10.00 WIB<small>2 tempat tersisa" in slots.text


async def test_cancel_and_reschedule_act_on_the_whole_visit(server: Server) -> None:
    """ "Ubah jadwal" lists the visit's first-stop slots of Wednesday; 10.30 moves B to 10.30
    and J to 10.30 (expected 10.42); "Batalkan" cancels both and frees both places."""
    citizen = Citizen(server)
    page_path = (await book_visit(citizen)).headers["location"].split("?")[0]
    change = await citizen.get(f"{page_path}?ubah=1&tanggal=2026-11-25")
    assert slot_rows(change.text)["10.30"] == "Dukcapil 10.30 · BPJS Kesehatan 10.30"
    moved = await post(
        citizen,
        page_path,
        [
            ("csrf", csrf_of(change.text)),
            ("aksi", "ubah"),
            ("tanggal", "2026-11-25"),
            ("jam", "10:30"),
            ("lang", "id"),
        ],
    )
    assert moved.status == 303, moved.text
    after = await citizen.get(page_path)
    assert stops_of(after.text) == [
        f"{KK} — Dukcapil, 10.30–11.30 WIB",
        f"{BPJS} — BPJS Kesehatan, 10.30–11.00 WIB",
    ]
    assert "Rabu, 25 November 2026" in after.text
    confirm = await citizen.get(f"{page_path}?batal=1")
    assert len(stops_of(confirm.text)) == 2
    cancelled = await post(
        citizen, page_path, [("csrf", csrf_of(confirm.text)), ("aksi", "batal"), ("lang", "id")]
    )
    assert cancelled.status == 303
    assert {b.state.value for b in bookings(server)} == {"cancelled"}
    slots = await citizen.get(query([*VISIT, ("tanggal", "2026-11-25")]))
    assert "10.30–11.30 WIB<small>Dukcapil 10.30 · BPJS Kesehatan 10.30</small></a>" in slots.text


# The Indonesian refusals, from server/core/errors.py's templates filled by hand.
TWICE = f"Layanan {KK} sudah dipilih; setiap layanan cukup satu kali"
UNKNOWN = "Layanan dengan kode Z tidak terdaftar"
TOO_MANY = "Satu kunjungan paling banyak 4 layanan"
NO_BOOKING = "Layanan Akta Kelahiran dan Kematian tidak menerima pemesanan"
ORDER = f"Layanan {BPJS} memerlukan hasil layanan {KK}; {KK} harus lebih dulu"
HOSTILE = [
    (["B", "B"], TWICE),
    (["B", "Z"], UNKNOWN),
    (["A", "B", "G", "J", "P"], TOO_MANY),
    (["B", "C"], NO_BOOKING),
    (["J", "B"], ORDER),
    (["B"], "Pilih paling sedikit dua layanan untuk satu kunjungan"),
]
HOSTILE_IDS = ["twice", "unknown", "five", "no-booking", "order", "one"]


@pytest.mark.parametrize(("lines", "words"), HOSTILE, ids=HOSTILE_IDS)
async def test_a_changed_address_or_form_gets_the_refusal_and_books_nothing(
    server: Server, lines: list[str], words: str
) -> None:
    """The form's hidden services changed before posting (or the address of the slots step):
    the step again with the core's Indonesian words, 409 for the POST, no booking."""
    citizen = Citizen(server)
    form = await citizen.get(query([*VISIT, ("tanggal", TUESDAY), ("jam", "09:30")]))
    where = [("kunjungan", "1")] + [("layanan", x) for x in lines]
    fields = [("csrf", csrf_of(form.text)), *where, ("tanggal", TUESDAY), ("jam", "09:30")]
    answer = await post(citizen, "/pesan", fields + applicant())
    assert answer.status == 409
    assert text_of(answer.text, "notice") == words
    step = await citizen.get(query([*where, ("tanggal", TUESDAY)]))
    assert text_of(step.text, "notice") == words
    assert bookings(server) == []


async def test_markup_in_the_fields_is_text_and_a_refused_visit_keeps_it(server: Server) -> None:
    """A name of markup, refused for its NIK: written back escaped; then booked: the page shows
    it as text; a line of markup in the address is named escaped."""
    citizen = Citizen(server)
    name = '"><script>alert(1)</script>'
    refused = await book_visit(citizen, name=name, nik="1234")
    assert refused.status == 400 and bookings(server) == []
    assert text_of(refused.text, "nik-problem") == "NIK harus 16 angka."
    assert "<script>alert(1)" not in refused.text
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in refused.text
    made = await book_visit(citizen, name=name)
    page = await citizen.get(made.headers["location"])
    assert "<script>alert(1)" not in page.text
    assert "<dd>&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</dd>" in page.text
    step = await citizen.get(query([("kunjungan", "1"), ("layanan", "B"), ("layanan", "<b>x</b>")]))
    assert "<b>x</b>" not in step.text
    assert text_of(step.text, "notice") == "Layanan dengan kode <b>x</b> tidak terdaftar"


async def book_j_0930(server: Server, i: int, priority: str = "") -> None:
    """One citizen's single booking of J, Tuesday 09.30 (NIKS[i + 1])."""
    citizen = Citizen(server)
    form = await citizen.get(f"/pesan?layanan=J&tanggal={TUESDAY}&jam=09:30")
    fields = [("csrf", csrf_of(form.text)), ("layanan", "J"), ("tanggal", TUESDAY)]
    fields += [("jam", "09:30"), ("nama", "Warga"), ("nik", NIKS[i + 1])]
    fields += [("hp", f"0812 3456 78{i}0"), ("prioritas", priority), ("lang", "id")]
    assert (await post(citizen, "/pesan", fields)).status == 303


async def test_a_full_stop_makes_the_slot_unbookable_with_its_reason(server: Server) -> None:
    """J 09.30's three regular places and its priority place taken by single bookings: the
    visit's 09.30 is shown without a link, with why, naming BPJS's stop; 10.30 still
    bookable."""
    for i in range(3):
        await book_j_0930(server, i)
    await book_j_0930(server, 3, priority="disabilitas")
    slots = await Citizen(server).get(query([*VISIT, ("tanggal", TUESDAY)]))
    nine = re.search(r'<span class="unavailable">09\.30–10\.30 WIB(.*?)</span>', slots.text)
    assert nine, "09.30 still offered"
    assert "Dukcapil 09.30 · BPJS Kesehatan 09.30" in nine.group(1)
    assert f"{BPJS}: Jadwal Selasa, 24 November 2026 pukul 09.30 WIB sudah penuh" in nine.group(1)
    assert "10.30–11.30 WIB<small>Dukcapil 10.30 · BPJS Kesehatan 10.30</small></a>" in slots.text
    english = await Citizen(server).get(query([*VISIT, ("tanggal", TUESDAY), ("lang", "en")]))
    assert f"{BPJS}: This time is full." in english.text


async def test_a_slot_left_to_priority_groups_is_offered_as_theirs(server: Server) -> None:
    """J 09.30's three regular places taken, its priority place free (3 + 1): B 09.30 has 4.
    As one service's slots offer such a slot ("khusus kelompok prioritas"), the visit's 09.30
    is a link marked "Khusus kelompok prioritas"; its form says so and asks the group. A
    citizen outside the groups is refused naming BPJS's stop (409, nothing booked); a lansia
    books B 09.30 and J 09.30 (J's priority place); then 09.30 is full for everyone."""
    for i in range(3):
        await book_j_0930(server, i)
    slots = await Citizen(server).get(query([*VISIT, ("tanggal", TUESDAY)]))
    nine = re.search(r'<a class="choice" href="([^"]*)">09\.30–10\.30 WIB(.*?)</a>', slots.text)
    assert nine, "09.30 not offered to the priority groups"
    assert nine.group(2) == (
        "<small>Dukcapil 09.30 · BPJS Kesehatan 09.30</small>"
        '<small class="why priority-only">Khusus kelompok prioritas</small>'
    )
    assert "10.30–11.30 WIB<small>Dukcapil 10.30 · BPJS Kesehatan 10.30</small></a>" in slots.text
    english = await Citizen(server).get(query([*VISIT, ("tanggal", TUESDAY), ("lang", "en")]))
    assert (
        'BPJS Kesehatan 09.30</small><small class="why priority-only">For priority groups only'
        in english.text
    )

    regular = Citizen(server)
    form = await regular.get(html.unescape(nine.group(1)))
    assert form.status == 200, form.text
    assert text_of(form.text, "priority-only").startswith(
        "Pada jam ini hanya tersisa tempat untuk kelompok prioritas"
    )
    assert '<select id="prioritas" name="prioritas">' in form.text
    where = [*VISIT, ("tanggal", TUESDAY), ("jam", "09:30")]
    refused = await post(regular, "/pesan", [("csrf", csrf_of(form.text)), *where, *applicant()])
    assert refused.status == 409
    assert text_of(refused.text, "notice").startswith(
        f"{BPJS}: Jadwal Selasa, 24 November 2026 pukul 09.30 WIB sudah penuh"
    )
    assert len(bookings(server)) == 3

    lansia = Citizen(server)
    form = await lansia.get(query(where))
    fields = [("csrf", csrf_of(form.text)), *where, *applicant(nik=NIKS[5])]
    booked = await post(lansia, "/pesan", [*fields, ("prioritas", "lansia")])
    assert booked.status == 303, booked.text
    made = {b.line: b for b in bookings(server) if b.lead is not None}
    assert {x: (b.slot.strftime("%H:%M"), b.priority) for x, b in made.items()} == {
        "B": ("09:30", "lansia"),
        "J": ("09:30", "lansia"),
    }
    again = await Citizen(server).get(query([*VISIT, ("tanggal", TUESDAY)]))
    assert re.search(r'<span class="unavailable">09\.30–10\.30 WIB', again.text)


async def test_the_visit_steps_in_english(server: Server) -> None:
    """?lang=en: the ticks, the reason, the stops' times and a refused order in English, and
    every link keeps the language."""
    citizen = Citizen(server)
    start = await citizen.get("/pesan?lang=en")
    assert "/pesan?kunjungan=1&amp;lang=en" in start.text
    boxes = await citizen.get("/pesan?kunjungan=1&lang=en")
    assert "<h1>Choose the services of your visit</h1>" in boxes.text
    assert '<input type="hidden" name="lang" value="en">' in boxes.text
    order = await citizen.get(
        query([("kunjungan", "1"), ("layanan", "J"), ("layanan", "B"), ("lang", "en")])
    )
    assert (
        "BPJS Kesehatan after Kartu Keluarga dan Pindah Datang: it needs its result first"
    ) in order.text
    assert "tanggal=2026-11-24&amp;lang=en" in order.text
    refused = await citizen.get(
        query([("kunjungan", "1"), ("layanan", "J"), ("layanan", "B"), ("tanggal", TUESDAY)])
        + "&lang=en"
    )
    assert text_of(refused.text, "notice") == (
        "This order is not possible: a service needs another one's result first."
    )


async def test_the_page_of_a_checked_in_visit_shows_each_stops_state(
    server: Server, clock: FakeClock
) -> None:
    """Booked today B 10.30 (J 10.30: expected 10.42); at 10.05 the kiosk checks the one code
    in: the page says so with B's number, beside the first stop; J's stop is still to come."""
    citizen = Citizen(server)
    made = await book_visit(citizen, day="2026-11-23", slot="10:30")
    assert made.status == 303, made.text
    page_path = made.headers["location"].split("?")[0]
    code = text_of((await citizen.get(page_path)).text, "code")
    clock.advance(65 * 60)  # 10.05: the window opened at 10.00
    kiosk = await server.client("KIOSK-1")
    ticket = await kiosk.check_in(code)
    await kiosk.confirm_printed(ticket["id"])
    page = await citizen.get(page_path)
    number = ticket["number"]
    assert f"Sudah lapor kedatangan — nomor antrean {number}" in page.text
    assert stops_of(page.text) == [
        f"{KK} — Dukcapil, 10.30–11.30 WIBSudah lapor kedatangan — nomor antrean {number}",
        f"{BPJS} — BPJS Kesehatan, 10.30–11.00 WIB",
    ]
    assert 'id="change"' not in page.text and 'id="cancel"' not in page.text


async def test_a_stop_the_visit_never_reached_reads_tidak_sampai_not_hangus(
    server: Server, clock: FakeClock
) -> None:
    """As above, checked in at 10.05; at 10.10 the floor cancels B's ticket: the visit is over
    before J. After the next tick J's stop says so — the citizen came — and not "hangus"."""
    from server.core.model import CancelTicket, Tick

    citizen = Citizen(server)
    made = await book_visit(citizen, day="2026-11-23", slot="10:30")
    page_path = made.headers["location"].split("?")[0]
    code = text_of((await citizen.get(page_path)).text, "code")
    clock.advance(65 * 60)  # 10.05
    kiosk = await server.client("KIOSK-1")
    ticket = await kiosk.check_in(code)
    await kiosk.confirm_printed(ticket["id"])
    clock.advance(5 * 60)  # 10.10
    await server.hub.execute(CancelTicket(ticket["id"], "salah layanan"), "floor:test")
    await server.hub.execute(Tick(), "system")
    page = await citizen.get(page_path)
    assert stops_of(page.text)[1] == (
        f"{BPJS} — BPJS Kesehatan, 10.30–11.00 WIB"
        "Tidak dilayani — kunjungan berakhir sebelum layanan ini"
    )
    assert "hangus" not in page.text


async def test_the_citizen_may_put_a_stop_first_where_requires_allows(server: Server) -> None:
    """KTP-el and Kartu Keluarga need nothing of each other: "Dahulukan layanan ini" puts
    Kartu Keluarga first, and its slots follow (B 09.30 → KTP-el expected 09.42 → 09.30).
    BPJS after Kartu Keluarga offers no such link: it needs Kartu Keluarga's result."""
    citizen = Citizen(server)
    ab = await citizen.get(query([("kunjungan", "1"), ("layanan", "A"), ("layanan", "B")]))
    assert 'id="move-A"' not in ab.text
    move = re.search(
        r'<a class="move" id="move-B" href="([^"]+)">Dahulukan layanan ini</a>', ab.text
    )
    assert move, "no way to put Kartu Keluarga first"
    ba = await citizen.get(html.unescape(move.group(1)))
    order = ba.text.split('id="order"')[1].split("</ol>")[0]
    assert re.findall(r"<li>([^<]+)<small>", order) == [KK, "Perekaman dan Cetak KTP-el"]
    assert "kunjungan=1&amp;layanan=B&amp;layanan=A&amp;tanggal=2026-11-24" in ba.text
    slots = await citizen.get(
        query([("kunjungan", "1"), ("layanan", "B"), ("layanan", "A"), ("tanggal", TUESDAY)])
    )
    assert slot_rows(slots.text)["09.30"] == f"{KK} 09.30 · Perekaman dan Cetak KTP-el 09.30"
    bj = await citizen.get(query(VISIT))
    assert 'class="move"' not in bj.text


async def test_the_change_page_offers_a_time_where_a_stop_stays_in_its_own_full_slot(
    server: Server,
) -> None:
    """A 10.00, then B, then J: B 09.30, J 10.00. Three others fill B 09.30 (4 places, the
    visit's own among them). "Ubah jadwal" to A 09.30 keeps B at 09.30 (expected 09.40) and
    moves J to 09.30 (09.52): offered as a button, and it moves A and J."""
    citizen = Citizen(server)
    made = await book_visit(citizen, ("A", "B", "J"), slot="10:00")
    page_path = made.headers["location"].split("?")[0]
    for i in range(3):
        other = Citizen(server)
        form = await other.get(f"/pesan?layanan=B&tanggal={TUESDAY}&jam=09:30")
        fields = [("csrf", csrf_of(form.text)), ("layanan", "B"), ("tanggal", TUESDAY)]
        fields += [("jam", "09:30"), ("nama", "Warga"), ("nik", NIKS[i + 1])]
        fields += [("hp", f"0812 3456 78{i}0"), ("lang", "id")]
        assert (await post(other, "/pesan", fields)).status == 303
    change = await citizen.get(f"{page_path}?ubah=1&tanggal={TUESDAY}")
    nine = re.search(
        r'name="jam" value="09:30">.*?<button type="submit">(.*?)</button>', change.text
    )
    assert nine, "A 09.30 not offered"
    assert "sudah penuh" not in nine.group(1)
    assert f"{KK} 09.30 · BPJS Kesehatan 09.30" in nine.group(1)
    fields = [("csrf", csrf_of(change.text)), ("aksi", "ubah"), ("tanggal", TUESDAY)]
    moved = await post(citizen, page_path, [*fields, ("jam", "09:30"), ("lang", "id")])
    assert moved.status == 303, moved.text
    mine = {b.line: b.slot.strftime("%H:%M") for b in bookings(server) if b.name != "Warga"}
    assert mine == {"A": "09:30", "B": "09:30", "J": "09:30"}


async def test_a_new_time_left_to_priority_groups_moves_only_a_priority_visit(
    server: Server,
) -> None:
    """Two visits B, J on Tuesday: a lansia's at 10.30, a regular citizen's at 11.30; then J
    09.30's three regular places are booked (3 + 1). "Ubah jadwal" offers each 09.30 marked
    "Khusus kelompok prioritas": the regular visit is refused naming BPJS's stop (409, still at
    11.30); the lansia's moves, B 09.30 and J 09.30."""
    lansia, regular = Citizen(server), Citizen(server)
    where = [*VISIT, ("tanggal", TUESDAY), ("jam", "10:30")]
    form = await lansia.get(query(where))
    fields = [("csrf", csrf_of(form.text)), *where, ("nama", "Ibu Sumi"), ("nik", NIKS[6])]
    fields += [("hp", "0813 1111 2222"), ("prioritas", "lansia"), ("lang", "id")]
    made = {"lansia": await post(lansia, "/pesan", fields)}
    made["regular"] = await book_visit(regular, slot="11:30")
    for i in range(3):
        await book_j_0930(server, i)
    for who, citizen in (("regular", regular), ("lansia", lansia)):
        page_path = made[who].headers["location"].split("?")[0]
        change = await citizen.get(f"{page_path}?ubah=1&tanggal={TUESDAY}")
        nine = re.search(
            r'name="jam" value="09:30">.*?<button type="submit">(.*?)</button>', change.text
        )
        assert nine, f"09.30 not offered to the {who} visit"
        assert nine.group(1).endswith(
            '<small class="why priority-only">Khusus kelompok prioritas</small>'
        )
        fields = [("csrf", csrf_of(change.text)), ("aksi", "ubah"), ("tanggal", TUESDAY)]
        moved = await post(citizen, page_path, [*fields, ("jam", "09:30"), ("lang", "id")])
        if who == "regular":
            assert moved.status == 409
            assert text_of(moved.text, "notice").startswith(
                f"{BPJS}: Jadwal Selasa, 24 November 2026 pukul 09.30 WIB sudah penuh"
            )
        else:
            assert moved.status == 303, moved.text
    slots = {
        (b.name, b.line): b.slot.strftime("%H:%M") for b in bookings(server) if b.name != "Warga"
    }
    assert slots == {
        ("Siti Rahmawati", "B"): "11:30",
        ("Siti Rahmawati", "J"): "11:30",
        ("Ibu Sumi", "B"): "09:30",
        ("Ibu Sumi", "J"): "09:30",
    }


async def test_the_change_page_of_a_visit_the_building_no_longer_books_says_so(
    start_server: StartServer, tmp_path
) -> None:
    """B and J booked for Tuesday; then the building's file loses J's booking table and the
    server restarts on the same database. "Ubah jadwal" (with or without a day) shows the
    booking's page with why no new time is offered — no server error — and cancel still works."""
    db = str(tmp_path / "changed.db")
    first = await start_server(db=db)
    page_path = (await book_visit(Citizen(first))).headers["location"].split("?")[0]
    await start_server.stop(first)  # type: ignore[attr-defined]
    demo = load_demo_building()
    lines = tuple(
        dataclasses.replace(ln, booking=None) if ln.prefix == "J" else ln for ln in demo.lines
    )
    second = await start_server(db=db, building=dataclasses.replace(demo, lines=lines))
    citizen = Citizen(second)
    for address in (f"{page_path}?ubah=1", f"{page_path}?ubah=1&tanggal=2026-11-25"):
        change = await citizen.get(address)
        assert change.status == 200, change.text
        assert text_of(change.text, "notice") == (
            "Jadwal kunjungan ini tidak dapat diubah; silakan batalkan lalu pesan ulang."
        )
        assert len(stops_of(change.text)) == 2
    english = await citizen.get(f"{page_path}?ubah=1&lang=en")
    assert text_of(english.text, "notice") == (
        "This visit's time cannot be changed; please cancel it and book again."
    )
    confirm = await citizen.get(f"{page_path}?batal=1")
    cancelled = await post(
        citizen, page_path, [("csrf", csrf_of(confirm.text)), ("aksi", "batal"), ("lang", "id")]
    )
    assert cancelled.status == 303
    assert {b.state.value for b in bookings(second)} == {"cancelled"}


def six_stop_building() -> Building:
    """The demo building allowing visits of 6 services (server/config's upper bound), with a
    sixth line taking bookings: C (Akta, Dukcapil, 10 minutes) gains J's booking table; every
    line that books has a priority place, so the visit's form asks for a priority group."""
    demo = load_demo_building()
    j_rules = next(ln.booking for ln in demo.lines if ln.prefix == "J")
    assert j_rules is not None

    def booking(ln: Line) -> BookingRules | None:
        rules = j_rules if ln.prefix == "C" else ln.booking
        if rules is None:
            return None
        return dataclasses.replace(rules, priority_places=max(rules.priority_places, 1))

    lines = tuple(dataclasses.replace(ln, booking=booking(ln)) for ln in demo.lines)
    policy = dataclasses.replace(demo.policy, visit_max_stops=6)
    return dataclasses.replace(demo, lines=lines, policy=policy)


async def test_a_visit_of_the_most_stops_allowed_is_read_and_booked(
    start_server: StartServer,
) -> None:
    """A visit at `visit_max_stops` = 6, the configuration's maximum: its POST carries 15 fields
    (csrf, lang, kunjungan, tanggal, jam, nama, nik, hp, prioritas and six `layanan`) and is
    read as a form — booked, six stops, not "Halaman kedaluwarsa"."""
    server = await start_server(building=six_stop_building())
    citizen, lines = Citizen(server), ("A", "B", "C", "G", "J", "P")
    where = [("kunjungan", "1")] + [("layanan", x) for x in lines]
    form = await citizen.get(query([*where, ("tanggal", TUESDAY), ("jam", "07:30")]))
    assert form.status == 200, form.text
    assert '<select id="prioritas" name="prioritas">' in form.text  # sent, as browsers do
    fields = [("csrf", csrf_of(form.text)), *where, ("tanggal", TUESDAY), ("jam", "07:30")]
    fields += [*applicant(), ("prioritas", "")]
    assert len(fields) == 15
    made = await post(citizen, "/pesan", fields)
    assert made.status == 303, made.text
    assert sorted(b.line for b in bookings(server)) == ["A", "B", "C", "G", "J", "P"]
