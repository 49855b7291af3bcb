"""Complaints on QueueState (server/core/complaints.py): tracking ids, the lifecycle received →
in progress → answered → closed with its working-day deadlines (SP4N-LAPOR!: 3 and 5 working
days, closed 10 days after the answer), every refusal, the tick's auto-close, the floor's
alert, a day close and a replay. Deadlines below are counted by hand on the calendar of
November–December 2026 (the test building's holiday: Friday 25 December)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from server.core.building import ComplaintSettings
from server.core.complaints import ComplaintState
from server.core.events import ComplaintAnswered, ComplaintClosed, ComplaintFiled, ComplaintTaken
from server.core.model import (
    AnswerComplaint,
    CloseComplaint,
    DomainError,
    FileComplaint,
    MarkNoShow,
    TakeComplaint,
    Tick,
    visit_of,
)
from tests.core.factory import MONDAY, at, call_next, issue, make_building, open_counter, replay
from tests.core.voice_kit import Recording, served

TUESDAY = MONDAY + timedelta(days=1)
THURSDAY = MONDAY + timedelta(days=3)


def end_of(day: date) -> datetime:
    return at("23:59:59", day)


def file(state, visit, now, category="waktu", text="Menunggu 3 jam.", channel="phone", **kw):
    return state.handle(FileComplaint(visit, category, text, channel, **kw), now)


def last(events: list) -> object:
    """The command's own event, after the close of the day before (if the command closed it)."""
    return events[-1]


def refused(state, command, now) -> DomainError:
    with pytest.raises(DomainError) as caught:
        state.handle(command, now)
    return caught.value


def test_a_complaint_is_filed_with_its_tracking_id_and_deadline() -> None:
    state = Recording()
    visit = served(state, at("08:00"))
    [event] = file(state, visit, at("09:00"), name="Siti", phone="0812 3456 7890")
    assert event == ComplaintFiled(
        at=at("09:00"),
        complaint="ADU-261123-001",
        category="waktu",
        text="Menunggu 3 jam.",
        channel="phone",
        ticket="2026-11-23/A-001",
        line="A",
        agency="DUKCAPIL",
        counter="L01",
        officer="OF1",
        take_by=end_of(THURSDAY),  # Monday + 3 working days
        name="Siti",
        phone="0812 3456 7890",
    )
    c = state.complaints.get("ADU-261123-001")
    assert c is not None and c.state is ComplaintState.RECEIVED and c.has_contact
    # The day's sequence; anonymous; a desk complaint about no ticket.
    [second] = file(state, visit, at("09:30"), category="sarana", text="AC mati.")
    assert second.complaint == "ADU-261123-002"
    assert not state.complaints.get("ADU-261123-002").has_contact
    [desk] = file(state, None, at("10:00"), category="informasi", text=" x ", channel="desk:M01")
    assert (desk.complaint, desk.ticket, desk.agency, desk.text) == (
        "ADU-261123-003",
        None,
        None,
        "x",
    )
    assert [c.id for c in state.complaints.of_ticket(visit.ticket)] == [
        "ADU-261123-001",
        "ADU-261123-002",
    ]
    # A new day starts its own sequence.
    tuesday = last(file(state, visit, at("08:00", TUESDAY), category="petugas", text="Kasar."))
    assert tuesday.complaint == "ADU-261124-001"


def test_the_lifecycle_and_its_deadlines() -> None:
    """Filed Friday 27 Nov: take by Wed 2 Dec. Taken Wed 2 Dec 10:00: answer by Wed 9 Dec.
    Answered Thu 3 Dec 14:00: closes by itself Sun 13 Dec 14:00 (10 calendar days)."""
    state = Recording()
    friday = MONDAY + timedelta(days=4)
    visit = served(state, at("08:00", friday))
    filed = last(file(state, visit, at("09:00", friday)))
    assert filed.take_by == end_of(date(2026, 12, 2))
    taken = last(
        state.handle(
            TakeComplaint(filed.complaint, "M01", " dicek "), at("10:00", date(2026, 12, 2))
        )
    )
    assert taken == ComplaintTaken(
        at=at("10:00", date(2026, 12, 2)),
        complaint=filed.complaint,
        by="M01",
        note="dicek",
        answer_by=end_of(date(2026, 12, 9)),
    )
    answered_at = at("14:00", date(2026, 12, 3))
    answered = last(
        state.handle(AnswerComplaint(filed.complaint, "M01", "Loket ditambah."), answered_at)
    )
    assert answered == ComplaintAnswered(
        at=answered_at,
        complaint=filed.complaint,
        by="M01",
        answer="Loket ditambah.",
        closes_at=at("14:00", date(2026, 12, 13)),
    )
    c = state.complaints.get(filed.complaint)
    assert (c.state, c.answer, c.answered_by, c.taken_by, c.note) == (
        ComplaintState.ANSWERED,
        "Loket ditambah.",
        "M01",
        "M01",
        "dicek",
    )
    # The tick closes it when its 10 days are up, not a second earlier.
    closes = at("14:00", date(2026, 12, 13))
    assert not any(
        isinstance(e, ComplaintClosed) for e in state.handle(Tick(), closes - timedelta(seconds=1))
    )
    closed = [e for e in state.handle(Tick(), closes) if isinstance(e, ComplaintClosed)]
    assert closed == [ComplaintClosed(at=closes, complaint=filed.complaint, by="system", note=None)]
    c = state.complaints.get(filed.complaint)
    assert (c.state, c.closed_by, c.closed_at) == (ComplaintState.CLOSED, "system", closes)
    assert state.complaints.open() == []
    assert state.complaints.closing == {}
    assert [
        e
        for e in state.handle(Tick(), closes + timedelta(seconds=1))
        if isinstance(e, ComplaintClosed)
    ] == []
    assert replay(state.building, state.log) == state


def test_a_holiday_and_a_weekend_push_the_deadline() -> None:
    """Filed Wednesday 23 Dec: Thursday 24, (Christmas, weekend), Monday 28, Tuesday 29."""
    state = Recording()
    wednesday = date(2026, 12, 23)
    filed = last(file(state, served(state, at("08:00", wednesday)), at("09:00", wednesday)))
    assert filed.take_by == end_of(date(2026, 12, 29))
    taken = last(
        state.handle(TakeComplaint(filed.complaint, "M01"), at("09:00", date(2026, 12, 24)))
    )
    # Thursday 24 + 5: Mon 28, Tue 29, Wed 30, Thu 31, Fri 1 January.
    assert taken.answer_by == end_of(date(2027, 1, 1))


def test_a_manager_may_close_from_any_open_state_with_a_note() -> None:
    state = Recording()
    visit = served(state, at("08:00"))
    ids = [file(state, visit, at("09:00"))[0].complaint for _ in range(3)]
    received, in_progress, answered = ids
    state.handle(TakeComplaint(in_progress, "M01"), at("09:10"))
    state.handle(TakeComplaint(answered, "M01"), at("09:10"))
    state.handle(AnswerComplaint(answered, "M01", "Sudah ditangani."), at("09:20"))
    for cid in (received, in_progress):
        err = refused(state, CloseComplaint(cid, "M01"), at("09:30"))
        assert (err.code, err.message) == ("reason_required", "Alasan wajib diisi")
        [ev] = state.handle(CloseComplaint(cid, "M01", "Pengaduan ganda."), at("09:30"))
        assert (ev.by, ev.note) == ("M01", "Pengaduan ganda.")
    # An answered one closes without a note.
    [ev] = state.handle(CloseComplaint(answered, "M02"), at("09:40"))
    assert ev.note is None
    assert [c.state for c in state.complaints.of_ticket(visit.ticket)] == [
        ComplaintState.CLOSED
    ] * 3
    assert state.complaints.get(received).close_note == "Pengaduan ganda."


@pytest.mark.parametrize(
    ("steps", "command", "words"),
    [
        ((), lambda c: AnswerComplaint(c, "M01", "Jawaban."), "belum diproses"),
        (("take",), lambda c: TakeComplaint(c, "M01"), "sedang diproses"),
        (("take", "answer"), lambda c: AnswerComplaint(c, "M01", "Lagi."), "sudah dijawab"),
        (("take", "answer", "close"), lambda c: CloseComplaint(c, "M01", "x"), "sudah selesai"),
        (("take", "answer", "close"), lambda c: TakeComplaint(c, "M01"), "sudah selesai"),
    ],
)
def test_a_step_out_of_order_says_the_state(steps, command, words) -> None:
    state = Recording()
    [filed] = file(state, served(state, at("08:00")), at("09:00"))
    cid = filed.complaint
    steps_to = {
        "take": TakeComplaint(cid, "M01"),
        "answer": AnswerComplaint(cid, "M01", "Jawaban."),
        "close": CloseComplaint(cid, "M01"),
    }
    for step in steps:
        state.handle(steps_to[step], at("09:10"))
    before = replay(state.building, state.log)
    err = refused(state, command(cid), at("09:20"))
    assert (err.code, err.message) == (
        "complaint_step",
        f"Tindakan ini tidak dapat dilakukan karena pengaduan ADU-261123-001 {words}",
    )
    assert state == before


def test_an_unknown_complaint() -> None:
    state = Recording()
    for command in (
        TakeComplaint("ADU-261123-009", "M01"),
        AnswerComplaint("ADU-261123-009", "M01", "x"),
        CloseComplaint("ADU-261123-009", "M01", "x"),
    ):
        err = refused(state, command, at("09:00"))
        assert (err.code, err.message) == (
            "complaint_not_found",
            "Pengaduan ADU-261123-009 tidak ditemukan",
        )


@pytest.mark.parametrize(
    ("kw", "problem"),
    [
        ({"category": "lain"}, "Pilih salah satu jenis pengaduan."),
        ({"text": "   "}, "Isi pengaduan wajib diisi."),
        ({"text": "x" * 2001}, "Isi pengaduan paling banyak 2000 karakter."),
        ({"name": "n" * 101}, "Nama paling banyak 100 karakter."),
        ({"phone": "0" * 31}, "Nomor telepon paling banyak 30 karakter."),
    ],
)
def test_an_invalid_complaint_is_refused(kw: dict, problem: str) -> None:
    state = Recording()
    visit = served(state, at("08:00"))
    before = replay(state.building, state.log)
    err = refused(
        state,
        FileComplaint(
            visit, kw.pop("category", "waktu"), kw.pop("text", "x" * 2000), "phone", **kw
        ),
        at("09:00"),
    )
    assert (err.code, err.message) == ("complaint_invalid", problem)
    assert state == before


def test_invalid_answers_and_notes() -> None:
    state = Recording()
    [filed] = file(state, served(state, at("08:00")), at("09:00"))
    cid = filed.complaint
    err = refused(state, TakeComplaint(cid, "M01", "n" * 501), at("09:10"))
    assert err.message == "Catatan paling banyak 500 karakter."
    state.handle(TakeComplaint(cid, "M01"), at("09:10"))
    err = refused(state, AnswerComplaint(cid, "M01", " "), at("09:20"))
    assert (err.code, err.message) == ("complaint_invalid", "Jawaban wajib diisi.")
    err = refused(state, AnswerComplaint(cid, "M01", "j" * 2001), at("09:20"))
    assert err.message == "Jawaban paling banyak 2000 karakter."


def test_at_most_three_complaints_per_ticket() -> None:
    state = Recording()
    visit = served(state, at("08:00"))
    for _ in range(3):
        file(state, visit, at("09:00"))
    err = refused(state, FileComplaint(visit, "waktu", "lagi", "phone"), at("09:00"))
    assert (err.code, err.message) == (
        "complaint_limit",
        "Pengaduan tentang nomor A-001 sudah 3 kali; satu nomor antrean paling banyak 3 pengaduan",
    )


def test_a_complaint_about_an_old_visit_is_closed() -> None:
    """days_open = 30: a visit of Monday 23 Nov may be complained about until 23 Dec."""
    state = Recording()
    visit = served(state, at("08:00"))
    assert file(state, visit, at("20:00", MONDAY + timedelta(days=30)))
    err = refused(
        state, FileComplaint(visit, "waktu", "x", "phone"), at("00:00", MONDAY + timedelta(days=31))
    )
    assert (err.code, err.message) == (
        "complaint_closed",
        "Pengaduan tentang nomor A-001 sudah tidak dapat disampaikan; batasnya 30 hari setelah "
        "kunjungan",
    )


def test_the_phone_needs_a_ticket_done_with_the_desk_a_printed_one() -> None:
    state = Recording()
    open_counter(state, "L01", "OF1", at("08:00"))
    waiting = issue(state, "A", at("08:00"))
    printing = issue(state, "A", at("08:00"), printed=False)
    err = refused(
        state, FileComplaint(visit_of(state.tickets[waiting]), "waktu", "x", "phone"), at("08:30")
    )
    assert (err.code, err.message) == (
        "complaint_not_finished",
        "Pengaduan tentang nomor A-001 dapat disampaikan setelah nomor itu selesai dilayani",
    )
    # The help desk may file for a citizen still waiting, never for a ticket not yet printed.
    assert file(state, visit_of(state.tickets[waiting]), at("08:30"), channel="desk:M01")
    err = refused(
        state,
        FileComplaint(visit_of(state.tickets[printing]), "waktu", "x", "desk:M01"),
        at("08:30"),
    )
    assert err.code == "complaint_not_finished"
    # A no-show may complain from the phone.
    call_next(state, "L01", at("08:40"))
    state.handle(MarkNoShow("L01"), at("08:45"))
    assert file(state, visit_of(state.tickets[waiting]), at("08:50"))


def test_the_floors_alert_before_a_deadline() -> None:
    """Filed Monday 23 Nov: take by Thursday 26 23:59:59; warn_days 1: from the end of
    Wednesday; overdue from Friday. Taken Friday 27: answer by Friday 4 Dec."""
    state = Recording()
    [filed] = file(state, served(state, at("08:00")), at("09:00"))
    c = state.complaints.get(filed.complaint)
    building = state.building
    assert state.complaints.due_soon(end_of(MONDAY + timedelta(days=2)), building) == []
    thursday = at("00:00", THURSDAY)
    assert state.complaints.due_soon(thursday, building) == [(c, end_of(THURSDAY), False)]
    friday = at("00:00", THURSDAY + timedelta(days=1))
    assert state.complaints.due_soon(friday, building) == [(c, end_of(THURSDAY), True)]
    state.handle(TakeComplaint(c.id, "M01"), at("08:00", THURSDAY + timedelta(days=1)))
    c = state.complaints.get(c.id)
    assert c.answer_by == end_of(date(2026, 12, 4))
    assert state.complaints.due_soon(at("08:01", THURSDAY + timedelta(days=1)), building) == []
    # Warned from the end of Thursday 3 Dec (on the weekend before a Monday deadline too).
    assert state.complaints.due_soon(at("12:00", date(2026, 12, 3)), building) == []
    assert state.complaints.due_soon(at("00:00", date(2026, 12, 4)), building) == [
        (c, end_of(date(2026, 12, 4)), False)
    ]
    state.handle(AnswerComplaint(c.id, "M01", "Maaf."), at("09:00", date(2026, 12, 4)))
    assert state.complaints.due_soon(at("00:00", date(2026, 12, 10)), building) == []


def test_complaints_survive_day_closes_and_open_no_day() -> None:
    state = Recording()
    [filed] = file(state, served(state, at("08:00")), at("09:00"))
    state.handle(Tick(), at("06:00", TUESDAY))
    assert state.day is None and state.tickets == {}
    state.handle(TakeComplaint(filed.complaint, "M01"), at("06:30", TUESDAY))
    assert state.day is None  # a complaint's step is no event of the queue's day
    assert state.complaints.get(filed.complaint).state is ComplaintState.IN_PROGRESS
    assert replay(state.building, state.log) == state


def test_a_closed_complaint_is_kept_thirty_days() -> None:
    state = Recording()
    visit = served(state, at("08:00"))
    [done] = file(state, visit, at("09:00"))
    [still_open] = file(state, visit, at("09:00"))
    state.handle(CloseComplaint(done.complaint, "M01", "Ditarik pelapor."), at("10:00"))
    # A day close forgets what was closed more than 30 days before the new day.
    served(state, at("08:00", date(2026, 12, 22)))
    state.handle(Tick(), at("00:00:01", date(2026, 12, 23)))  # closes 22 Dec
    assert state.complaints.get(done.complaint) is not None
    served(state, at("08:00", date(2026, 12, 23)))
    state.handle(Tick(), at("00:00:01", date(2026, 12, 24)))  # closes 23 Dec
    assert state.complaints.get(done.complaint) is None
    assert [c.id for c in state.complaints.of_ticket(visit.ticket)] == [still_open.complaint]
    # Its id is not given out again: the forgotten one was of another day.
    assert replay(state.building, state.log).complaints == state.complaints


def test_a_longer_days_open_keeps_a_tickets_limit_of_three() -> None:
    """[complaints] days_open = 60 (docs/configuration.md allows up to 365): a visit of Monday
    23 Nov may be complained about until 22 Jan. Its three complaints, closed on the day, still
    count on 24 Dec (31 days later): a fourth is `complaint_limit`, and the phone page still
    lists the three. (A book that forgot them after 30 days would take three more.)"""
    state = Recording(replace(make_building(), complaints=ComplaintSettings(days_open=60)))
    visit = served(state, at("08:00"))
    for _ in range(3):
        [filed] = file(state, visit, at("09:00"))
        state.handle(CloseComplaint(filed.complaint, "M01", "Sudah dijelaskan."), at("09:30"))
    served(state, at("08:00", date(2026, 12, 23)))
    state.handle(Tick(), at("00:00:01", date(2026, 12, 24)))  # closes 23 Dec
    err = refused(
        state, FileComplaint(visit, "waktu", "lagi", "phone"), at("09:00", date(2026, 12, 24))
    )
    assert err.code == "complaint_limit"
    assert len(state.complaints.of_ticket(visit.ticket)) == 3
    assert replay(state.building, state.log).complaints == state.complaints


def test_a_corrupt_log_is_refused() -> None:
    state = Recording()
    [filed] = file(state, served(state, at("08:00")), at("09:00"))
    with pytest.raises(ValueError):
        state.apply(filed)  # filed twice
    with pytest.raises(ValueError):
        state.apply(ComplaintAnswered(at("10:00"), filed.complaint, "M01", "x", at("11:00")))
