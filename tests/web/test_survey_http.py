"""The survey and complaints over real HTTP (issue 20): a real server (demo building, fake clock
at Monday 23 November 2026 09:00 WIB), real tickets served at a counter, a citizen's requests
as a browser sends them (tests/web/web_booking_kit.Citizen: its cookie, this site's Origin).

What a citizen sees is checked in the pages; what changed is checked in the store's event log:
a refused request leaves the log's last sequence number where it was.
"""

from __future__ import annotations

import dataclasses
import html
import re

from hubtest import Server, StartServer, demo_building
from survey_kit import EXIT_TOKEN, Desk, survey_fields
from web_booking_kit import Answer, Citizen, csrf_of, text_of

from server.core.events import ComplaintFiled, Event, SurveyAnswered, read_event
from server.core.model import Tick
from server.store.offline import StoreReader

SCORES = (4, 3, 3, 4, 3, 2, 4, 3, 4)
THANKS = "Terima kasih, jawaban Anda sudah tercatat."


def logged(server: Server, kind: str) -> list[tuple[str, Event]]:
    """(actor, event) of every event of `kind` on disk, oldest first."""
    with StoreReader.open(server.engine.db_path) as store:
        return [(entry.actor, read_event(entry.event)) for entry in store.log(kind)]


async def answer_on_phone(
    citizen: Citizen, token: str, scores: tuple[int, ...], **extra: str
) -> Answer:
    form = await citizen.get(f"/t/{token}/survei")
    assert form.status == 200, form.text
    return await citizen.post(
        f"/t/{token}/survei", survey_fields(csrf_of(form.text), scores, **extra)
    )


async def test_a_finished_ticket_answers_the_survey_once_on_its_phone_page(
    server: Server,
) -> None:
    """Finished → the phone page offers the survey → the form → "Kirim jawaban" → 303 → "Terima
    kasih, jawaban Anda sudah tercatat." on the form's page and on the phone page; one answer
    on disk with the scores, the profile and the suggestion sent, channel "phone"."""
    ticket = await Desk(server).finished()
    token = ticket["token"]
    citizen = Citizen(server)
    phone = await citizen.get(f"/t/{token}")
    assert phone.status == 200
    assert text_of(phone.text, "survey-link") == "Isi survei kepuasan"
    assert f'href="/t/{token}/survei"' in phone.text

    form = await citizen.get(f"/t/{token}/survei")
    assert text_of(form.text, "title") == "Survei Kepuasan Masyarakat"
    assert "A-001" in form.text and "Perekaman dan Cetak KTP-el" in form.text
    fields = survey_fields(
        csrf_of(form.text), SCORES, usia="40-49", jk="l", pendidikan="", saran="Kursi kurang."
    )
    sent = await citizen.post(f"/t/{token}/survei", fields)
    assert sent.status == 303 and sent.headers["location"] == f"/t/{token}/survei"

    thanks = await citizen.get(sent.headers["location"])
    assert thanks.status == 200 and text_of(thanks.text, "message") == THANKS
    phone = await citizen.get(f"/t/{token}")
    assert text_of(phone.text, "survey-thanks") == THANKS
    assert 'id="survey-link"' not in phone.text

    ((actor, answer),) = logged(server, "survey_answered")
    assert isinstance(answer, SurveyAnswered)
    assert answer.ticket == ticket["id"] and answer.channel == "phone"
    assert answer.scores == SCORES and answer.counter == "L01"
    assert (answer.age, answer.sex, answer.education, answer.occupation) == (
        "40-49", "l", None, None,
    )  # fmt: skip
    assert answer.suggestion == "Kursi kurang."
    assert actor == f"phone:{ticket['id']}"


async def test_the_survey_is_refused_before_the_service_is_done_and_a_second_time(
    server: Server,
) -> None:
    """Waiting, then at the counter: the page says it opens after the service, a POST is 409
    and changes nothing. Finished and answered: a second answer (a fresh form opened before the
    first was sent) is 409 "sudah diisi", nothing changed."""
    desk = Desk(server)
    ticket = await desk.issue()
    token = ticket["token"]
    citizen = Citizen(server)
    for moment in ("waiting", "serving"):
        if moment == "serving":
            await desk.serve(ticket, finish=False)
        page = await citizen.get(f"/t/{token}/survei")
        assert page.status == 200
        assert text_of(page.text, "message") == "Survei dapat diisi setelah layanan Anda selesai."
        assert 'name="u1"' not in page.text
        assert 'id="survey-link"' not in (await citizen.get(f"/t/{token}")).text
    await desk.officer.act("finish_service")  # type: ignore[union-attr]
    first_form = await citizen.get(f"/t/{token}/survei")
    second_form = await citizen.get(f"/t/{token}/survei")  # another tab
    first = await citizen.post(
        f"/t/{token}/survei", survey_fields(csrf_of(first_form.text), SCORES)
    )
    assert first.status == 303
    seq = server.engine.last_seq
    again = await citizen.post(
        f"/t/{token}/survei", survey_fields(csrf_of(second_form.text), (1,) * 9)
    )
    assert again.status == 409
    assert text_of(again.text, "message") == "Survei untuk tiket ini sudah diisi. Terima kasih."
    assert server.engine.last_seq == seq
    assert len(logged(server, "survey_answered")) == 1


async def test_an_unfinished_answer_says_what_is_missing_and_changes_nothing(
    server: Server,
) -> None:
    """Two questions left out: 400, the form again with "Pilih salah satu jawaban." beside each
    and what was chosen kept; nothing on disk."""
    ticket = await Desk(server).finished()
    citizen = Citizen(server)
    form = await citizen.get(f"/t/{ticket['token']}/survei")
    fields = survey_fields(csrf_of(form.text), SCORES)
    del fields["u2"], fields["u9"]
    seq = server.engine.last_seq
    sent = await citizen.post(f"/t/{ticket['token']}/survei", fields)
    assert sent.status == 400
    assert text_of(sent.text, "u2-problem") == "Pilih salah satu jawaban."
    assert text_of(sent.text, "u9-problem") == "Pilih salah satu jawaban."
    assert 'id="u1-4" name="u1" value="4" checked' in sent.text
    assert server.engine.last_seq == seq


async def test_a_forged_or_foreign_form_is_refused_and_changes_nothing(server: Server) -> None:
    """No token, another site's Origin, a cross-site fetch, another ticket's form token, no
    cookie: each 403 "Halaman kedaluwarsa", the log unmoved, the survey still open."""
    desk = Desk(server)
    mine, other = await desk.finished(), await desk.finished()
    citizen = Citizen(server)
    form = await citizen.get(f"/t/{mine['token']}/survei")
    good = survey_fields(csrf_of(form.text), SCORES)
    theirs = await citizen.get(f"/t/{other['token']}/survei")
    seq = server.engine.last_seq
    path = f"/t/{mine['token']}/survei"
    attempts = [
        (good | {"csrf": ""}, {}),
        (good, {"Origin": "https://evil.example"}),
        (good, {"Origin": "null"}),
        (good, {"Sec-Fetch-Site": "cross-site"}),
        (good | {"csrf": csrf_of(theirs.text)}, {}),
    ]
    for fields, headers in attempts:
        refused = await citizen.post(path, fields, headers)
        assert refused.status == 403, (fields["csrf"][:8], headers)
        assert text_of(refused.text, "title") == "Halaman kedaluwarsa"
    stranger = Citizen(server)  # the right token without its cookie
    assert (await stranger.post(path, good)).status == 403
    assert server.engine.last_seq == seq
    assert text_of((await citizen.get(f"/t/{mine['token']}")).text, "survey-link")


async def test_too_many_requests_from_one_address_are_refused_and_change_nothing(
    server: Server,
) -> None:
    """`[survey] requests_per_minute` (10 in the demo) from one address: the next is 429 with
    Retry-After and a page that says so; a valid POST among the refused changes nothing."""
    assert demo_building().survey.requests_per_minute == 10
    ticket = await Desk(server).finished()
    citizen = Citizen(server)
    form = await citizen.get(f"/t/{ticket['token']}/survei")  # 1
    fields = survey_fields(csrf_of(form.text), SCORES)
    for _ in range(9):  # 2..10
        assert (await citizen.get(f"/t/{ticket['token']}/pengaduan")).status == 200
    seq = server.engine.last_seq
    refused = await citizen.post(f"/t/{ticket['token']}/survei", fields)
    assert refused.status == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert text_of(refused.text, "title") == "Terlalu banyak permintaan"
    assert server.engine.last_seq == seq and logged(server, "survey_answered") == []
    # The phone page itself is not counted: it reloads every 20 s without JavaScript.
    assert (await citizen.get(f"/t/{ticket['token']}")).status == 200


async def test_a_complaint_is_filed_and_its_status_and_answer_shown(server: Server) -> None:
    """Filed from the page (anonymous): 303, "Pengaduan Anda sudah diterima dengan nomor
    ADU-261123-001", Diterima with its deadline (3 working days: Thursday 26 November 23.59
    WIB); taken and answered on the floor: Dijawab and the answer, on the complaint page and on
    the phone page."""
    ticket = await Desk(server).finished()
    token = ticket["token"]
    citizen = Citizen(server)
    page = await citizen.get(f"/t/{token}/pengaduan")
    assert page.status == 200 and text_of(page.text, "title") == "Pengaduan"
    fields = {
        "csrf": csrf_of(page.text),
        "lang": "id",
        "kategori": "waktu",
        "isi": "Menunggu lama tanpa kejelasan.",
        "nama": "",
        "hp": "",
    }
    sent = await citizen.post(f"/t/{token}/pengaduan", fields)
    assert sent.status == 303, sent.text
    assert sent.headers["location"] == f"/t/{token}/pengaduan?terkirim=ADU-261123-001"
    shown = await citizen.get(sent.headers["location"])
    assert text_of(shown.text, "notice") == (
        "Pengaduan Anda sudah diterima dengan nomor ADU-261123-001."
    )
    card = shown.text[shown.text.index('data-id="ADU-261123-001"') :]
    assert "Waktu tunggu dan pelayanan" in card and "Diterima" in card
    assert "Kamis, 26 November 2026 · 23.59 WIB" in card
    assert "Menunggu lama tanpa kejelasan." in card

    ((_, filed),) = logged(server, "complaint_filed")
    assert isinstance(filed, ComplaintFiled)
    assert (filed.ticket, filed.counter, filed.name, filed.phone) == (
        ticket["id"],
        "L01",
        None,
        None,
    )

    floor = await server.client("LANTAI")
    await floor.act("take_complaint", complaint="ADU-261123-001", note="Dicek ke Dukcapil")
    await floor.act(
        "answer_complaint",
        complaint="ADU-261123-001",
        answer="Maaf, petugas kami kurang. Mulai Senin depan loket 2 dibuka.",
    )
    for path in (f"/t/{token}/pengaduan", f"/t/{token}"):
        page = await citizen.get(path)
        card = page.text[page.text.index('data-id="ADU-261123-001"') :]
        assert "Dijawab" in card and "Batas waktu" not in card
        assert "Maaf, petugas kami kurang. Mulai Senin depan loket 2 dibuka." in card


async def test_the_complaint_page_promises_the_deadlines_the_floor_works_to(
    server: Server,
) -> None:
    """The page tells the citizen when to expect what (docs/survey.md, "Complaints and working
    days", the demo's defaults): taken in hand within 3 working days of its filing, answered
    within 5 working days of being taken — not "answered within 3 working days", which the
    floor's deadlines do not promise."""
    ticket = await Desk(server).finished()
    citizen = Citizen(server)
    page = await citizen.get(f"/t/{ticket['token']}/pengaduan")
    assert text_of(page.text, "complaint-intro") == (
        "Pengaduan Anda dicatat bersama layanan, loket, dan waktu kunjungan pada tiket ini. "
        "Pengelola MPP menindaklanjutinya paling lambat 3 hari kerja sejak diterima dan "
        "menjawabnya paling lambat 5 hari kerja setelah itu."
    )
    page = await citizen.get(f"/t/{ticket['token']}/pengaduan?lang=en")
    assert text_of(page.text, "complaint-intro").endswith(
        "The MPP's management takes it up within 3 working days of receiving it and answers "
        "within 5 working days after that."
    )


async def test_a_complaint_needs_a_called_ticket(server: Server) -> None:
    """A ticket still waiting: no complaint link, no form; a forged POST is refused (409)."""
    desk = Desk(server)
    waiting = await desk.issue()
    citizen = Citizen(server)
    assert 'id="complaint-link"' not in (await citizen.get(f"/t/{waiting['token']}")).text
    page = await citizen.get(f"/t/{waiting['token']}/pengaduan")
    assert (
        text_of(page.text, "limit") == "Pengaduan dapat disampaikan setelah nomor Anda dipanggil."
    )
    assert 'id="complaint"' not in page.text


async def test_the_exit_kiosk_answers_by_number(server: Server) -> None:
    """Without the exit token: 403. With it: the number typed as "a1" → the survey of A-001 →
    303 → the thank-you that returns to the start; channel "exit:EXIT-1". The same number again:
    "sudah diisi", 409; an unknown number: 404 on the start page."""
    ticket = await Desk(server).finished()
    kiosk = Citizen(server)
    refused = await kiosk.get("/keluar")
    assert refused.status == 403 and text_of(refused.text, "title") == "Perangkat belum terdaftar"
    assert (await kiosk.get("/keluar?token=not-a-device-token")).status == 403
    start = await kiosk.get(f"/keluar?token={EXIT_TOKEN}")
    assert start.status == 200 and 'id="nomor"' in start.text
    form = await kiosk.get(f"/keluar?token={EXIT_TOKEN}&nomor=a1")
    assert form.status == 200 and "A-001" in text_of(form.text, "visit")
    fields = survey_fields(csrf_of(form.text), SCORES) | {"token": EXIT_TOKEN, "nomor": "a1"}
    sent = await kiosk.post("/keluar", fields)
    assert sent.status == 303
    assert sent.headers["location"] == f"/keluar?token={EXIT_TOKEN}&terima=1"
    thanks = await kiosk.get(sent.headers["location"])
    assert text_of(thanks.text, "message") == THANKS
    assert f'http-equiv="refresh" content="8;url=/keluar?token={EXIT_TOKEN}"' in thanks.text
    ((_, answer),) = logged(server, "survey_answered")
    assert isinstance(answer, SurveyAnswered)
    assert answer.ticket == ticket["id"] and answer.channel == "exit:EXIT-1"

    again = await kiosk.get(f"/keluar?token={EXIT_TOKEN}&nomor=A-001")
    assert again.status == 409
    assert text_of(again.text, "notice") == "Survei untuk nomor A-001 sudah diisi. Terima kasih."
    unknown = await kiosk.get(f"/keluar?token={EXIT_TOKEN}&nomor=A-099")
    assert unknown.status == 404
    assert text_of(unknown.text, "notice") == "Nomor A-099 tidak ditemukan hari ini."


async def test_the_exit_kiosk_reads_a_scanned_ticket(server: Server) -> None:
    """A USB scanner types the ticket's QR, the phone page's URL: the same survey form."""
    ticket = await Desk(server).finished()
    kiosk = Citizen(server)
    scanned = f"http://192.168.1.10:8700/t/{ticket['token']}"
    form = await kiosk.get(f"/keluar?token={EXIT_TOKEN}&nomor={scanned}")
    assert form.status == 200 and "A-001" in text_of(form.text, "visit")


async def test_an_earlier_days_ticket_opens_and_still_answers(server: Server) -> None:
    """Served on Monday, opened on Tuesday: the phone page comes from the store, read-only, and
    still offers the survey (`days_open` 7); the answer is filed under Monday's visit."""
    ticket = await Desk(server).finished()
    server.clock.advance(24 * 3600)  # Tuesday 09:05
    await server.hub.execute(Tick(), "system")  # the day closes
    citizen = Citizen(server)
    phone = await citizen.get(f"/t/{ticket['token']}")
    assert phone.status == 200
    assert text_of(phone.text, "status") == (
        "Tiket ini dari hari lain: halaman ini tidak diperbarui otomatis."
    )
    assert "/static/ticket.js" not in phone.text
    assert text_of(phone.text, "number") == "A-001"
    sent = await answer_on_phone(citizen, ticket["token"], SCORES)
    assert sent.status == 303
    ((_, answer),) = logged(server, "survey_answered")
    assert isinstance(answer, SurveyAnswered) and answer.day.isoformat() == "2026-11-23"


async def test_the_public_page_shows_the_figures_of_a_hand_computation(
    start_server: StartServer,
) -> None:
    """Three answers: two about Dukcapil (line A), one about Samsat (line E). By hand:
    Dukcapil (36 + 26) / 18 × 25 = 86,11 (B, Baik); the other 18 / 9 × 25 = 50,00 (D, Tidak
    Baik); the building 80 / 27 × 25 = 74,07 (C, Kurang Baik). The last quarter has none. The
    TVs' line, with `[survey] running_text`, says the building's."""
    base = demo_building()
    building = dataclasses.replace(base, survey=dataclasses.replace(base.survey, running_text=True))
    server = await start_server(building=building)
    citizen = Citizen(server)
    dukcapil = Desk(server, "DKP01@L01", "A")
    first, second = await dukcapil.finished(), await dukcapil.finished()
    third = await Desk(server, "SMS01@L08", "E").finished()  # Samsat
    for ticket, scores in (
        (first, (4,) * 9),
        (second, (3, 3, 3, 3, 3, 3, 3, 3, 2)),
        (third, (2,) * 9),
    ):
        assert (await answer_on_phone(citizen, ticket["token"], scores)).status == 303

    page = await citizen.get("/ikm")
    assert page.status == 200
    rows = ikm_rows(page.text, "now")
    assert rows["Dinas Kependudukan dan Pencatatan Sipil"] == ["86,11", "B — Baik", "2"]
    assert rows["building"] == ["74,07", "C — Kurang Baik", "3"]
    assert rows[base.agency("SAMSAT").name] == ["50,00", "D — Tidak Baik", "1"]
    assert all(
        row == ["—", "Belum ada jawaban", "0"] for row in ikm_rows(page.text, "last").values()
    )
    assert "Triwulan IV 2026 (sampai Senin, 23 November 2026)" in page.text
    assert "Triwulan III 2026" in page.text
    text = await citizen.get("/ikm/teks")
    assert text.text == (
        '{"text": "IKM MPP Kota Contoh: 74,07 (C — Kurang Baik), 3 responden, Triwulan IV 2026"}'
    )


def ikm_rows(page: str, table: str) -> dict[str, list[str]]:
    """A table of /ikm as {unit: [IKM, grade, respondents]} (the building's row: "building")."""
    body = re.search(rf'<table class="ikm-table" id="ikm-{table}">(.*?)</table>', page, re.S)
    assert body
    rows = {}
    for unit, cells in re.findall(r'<tr[^>]*data-unit="([^"]+)">(.*?)</tr>', body.group(1), re.S):
        found = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells)]
        rows[html.unescape(unit)] = found
    return rows


async def test_the_running_text_is_empty_unless_the_building_shows_it(server: Server) -> None:
    """The demo building does not show the IKM on its TVs: an answer on file, and still ""."""
    assert not demo_building().survey.running_text
    ticket = await Desk(server).finished()
    citizen = Citizen(server)
    assert (await answer_on_phone(citizen, ticket["token"], SCORES)).status == 303
    answer = await citizen.get("/ikm/teks")
    assert answer.status == 200 and answer.text == '{"text": ""}'
