"""The citizen's voice on a real SQLite file (issue 20): answers and complaints survive restarts
and day closes, each once; an earlier day's ticket is answered from the store; a complaint's
contact stays out of the log's JSON and is purged `retention_days` after it closed.

The building is tests/engine/mpp_uji.py's small one (open every day 07.30–16.00, WIB). Monday 23
November 2026. Expected figures are written by hand from the scores given.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from mpp_uji import WIB, FakeClock, small_building

from server.core.building import BookingSettings, Building, ComplaintSettings
from server.core.events import ComplaintFiled, Event, SurveyAnswered
from server.core.model import (
    AnswerComplaint,
    CallNext,
    CloseComplaint,
    ConfirmPrinted,
    DomainError,
    FinishService,
    IssueTicket,
    LogIn,
    OpenCounter,
    StartService,
    TakeComplaint,
    Tick,
)
from server.core.queue import QueueState
from server.engine import Engine
from server.store import Store
from server.voice_api import VoiceApi

MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
GOOD = (4, 4, 3, 4, 3, 4, 4, 3, 3)
POOR = (2, 1, 2, 3, 2, 2, 1, 2, 2)


def wib(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=WIB)


def building(retention_days: int = 30) -> Building:
    return replace(small_building(), booking=BookingSettings(retention_days=retention_days))


async def started(path: Path, clock: FakeClock, retention_days: int = 30) -> Engine:
    engine = Engine(building(retention_days), str(path), clock=clock)
    await engine.start()
    return engine


async def serve(engine: Engine, line: str, counter: str, token: str) -> str:
    """One citizen served from the kiosk to the end at `counter`: the ticket's id."""
    issued = await engine.execute(IssueTicket(line, None, token, "K1"), "kiosk:K1")
    ticket = issued[0].event.ticket  # type: ignore[attr-defined]
    await engine.execute(ConfirmPrinted(ticket), "kiosk:K1")
    await engine.execute(CallNext(counter), "officer")
    await engine.execute(StartService(counter), "officer")
    await engine.execute(FinishService(counter), "officer")
    return ticket


async def whole_log(path: Path) -> list[Event]:
    store = await Store.open(path)
    try:
        log = await store.events_since(0, limit=10**6)
        assert log is not None
        return [s.event for s in log]
    finally:
        await store.close()


async def test_a_restart_keeps_every_answer_and_complaint_across_day_closes(
    tmp_path: Path,
) -> None:
    """Monday's answers and complaints, Tuesday's answer about Monday's visit and the steps;
    on Wednesday a restarted engine holds the same books as the live one and as the whole log
    replayed, and a second answer for a ticket is still refused."""
    path = tmp_path / "antre.db"
    clock = FakeClock(wib(MONDAY, "09:00"))
    engine = await started(path, clock)
    voice = VoiceApi(engine)
    try:
        for counter, officer in (("L01", "DKP01"), ("L02", "DKP02")):
            await engine.execute(LogIn(counter, officer), "officer")
            await engine.execute(OpenCounter(counter), "officer")
        first = await serve(engine, "A", "L01", "tok-monday-1")  # A-001, DKP01
        second = await serve(engine, "A", "L02", "tok-monday-2")  # A-002, DKP02
        third = await serve(engine, "B", "L01", "tok-monday-3")  # B-001, never answered
        found = await voice.visit("tok-monday-1")
        assert found is not None
        await voice.answer(found[0], "phone", GOOD, age="30-39", suggestion="Ruang tunggu sejuk.")
        visit2 = await voice.visit_by_number("a2")  # as typed at the exit
        assert visit2 is not None and visit2.ticket == second
        filed = await voice.file_complaint(
            visit2, "waktu", "Menunggu lama.", "phone", "Siti Aminah", "0812 3456 7890"
        )
        desk = await voice.file_complaint(None, "sarana", "Toilet rusak.", "desk:LANTAI")
        assert (filed.id, desk.id) == ("ADU-261123-001", "ADU-261123-002")
        await engine.execute(TakeComplaint(filed.id, "LANTAI"), "manager:LANTAI")

        clock.now = wib(TUESDAY, "08:00")
        await engine.execute(Tick(), "system")  # closes Monday
        # Monday's ticket on Tuesday: from the store's row, with whom it was served by.
        late = await voice.visit("tok-monday-2")
        assert late is not None and late[0].officer == "DKP02" and late[0].day == MONDAY
        assert voice.survey_open(late[0], clock.now)
        await voice.answer(late[0], "exit:EXIT-1", POOR)
        assert not voice.survey_open(late[0], clock.now)
        await engine.execute(AnswerComplaint(filed.id, "LANTAI", "Loket ditambah."), "m")
        await engine.execute(CloseComplaint(desk.id, "LANTAI", "Sudah diperbaiki."), "m")

        clock.now = wib(WEDNESDAY, "07:00")
        await engine.execute(Tick(), "system")  # closes Tuesday
        live = engine.state
    finally:
        await engine.close()

    clock.now = wib(WEDNESDAY, "07:05")
    again = await started(path, clock)
    try:
        state, voice = again.state, VoiceApi(again)
        assert state.surveys == live.surveys and state.complaints == live.complaints
        replayed = QueueState(again.building)
        for event in await whole_log(path):
            replayed.apply(event)
        assert (replayed.surveys, replayed.complaints) == (state.surveys, state.complaints)
        # By hand: Monday's visits, two respondents, the scores added element by element.
        tally = state.surveys.tally(MONDAY, MONDAY)[None]
        assert tally.respondents == 2
        assert tally.sums == [6, 5, 5, 7, 5, 6, 5, 5, 5]
        assert [voice.answered(t) for t in (first, second, third)] == [True, True, False]
        kept = {c.id: c.state.value for c in state.complaints.by_id.values()}
        assert kept == {"ADU-261123-001": "answered", "ADU-261123-002": "closed"}
        assert voice.complaints_of(second)[0].answer == "Loket ditambah."
        # The public page, by hand: 32 + 17 = 49 points over 9 elements and 2 respondents,
        # IKM 25 × 49 / 18 = 68.06: C, Kurang Baik; Imigrasi and the last quarter have none.
        public = voice.public_ikm(clock.now)
        now, before = public.current, public.previous
        assert (now.label, now.first_day, before.label) == (
            "Triwulan IV 2026",
            date(2026, 10, 1),
            "Triwulan III 2026",
        )
        assert now.building.respondents == 2 and round(now.building.ikm, 2) == 68.06
        assert (now.building.grade.letter, now.building.grade.words) == ("C", "Kurang Baik")
        assert now.agencies["DKP"].respondents == 2 and now.agencies["IMI"].ikm is None
        assert before.building.respondents == 0 and before.building.grade is None
        # Nothing twice: the answered ticket is refused, and the log holds each answer once.
        visit = (await voice.visit("tok-monday-1"))[0]  # type: ignore[index]
        with pytest.raises(DomainError) as refused:
            await voice.answer(visit, "phone", GOOD)
        assert refused.value.code == "survey_answered"
    finally:
        await again.close()
    answers = [e.ticket for e in await whole_log(path) if isinstance(e, SurveyAnswered)]
    assert sorted(answers) == sorted([first, second])


async def test_a_complaints_contact_is_purged_retention_days_after_it_closed(
    tmp_path: Path,
) -> None:
    """retention_days = 2: closed on Monday, the contact is kept through Wednesday's start and
    gone at Thursday's; the complaint itself stays, its event without the contact."""
    path = tmp_path / "antre.db"
    clock = FakeClock(wib(MONDAY, "09:00"))
    engine = await started(path, clock, retention_days=2)
    try:
        voice = VoiceApi(engine)
        filed = await voice.file_complaint(None, "lainnya", "Parkir penuh.", "desk:LANTAI",
                                           "Budi", "0813 1111 2222")  # fmt: skip
        await engine.execute(CloseComplaint(filed.id, "LANTAI", "Diteruskan."), "m")
    finally:
        await engine.close()
    db = sqlite3.connect(path)
    payloads = [p for (p,) in db.execute("SELECT payload FROM events")]
    db.close()
    assert not any("Budi" in p or "0813" in p for p in payloads)
    for day, kept in ((WEDNESDAY, True), (WEDNESDAY + timedelta(days=1), False)):
        clock.now = wib(day, "07:00")
        engine = await started(path, clock, retention_days=2)
        try:
            contact = await engine.store.complaint_contact(filed.id)
            assert (contact == ("Budi", "0813 1111 2222")) is kept, (day, contact)
        finally:
            await engine.close()
    filings = [e for e in await whole_log(path) if isinstance(e, ComplaintFiled)]
    assert [(f.complaint, f.text, f.name, f.phone) for f in filings] == [
        (filed.id, "Parkir penuh.", None, None)
    ]


async def test_a_longer_complaints_days_open_is_replayed_as_the_live_book_keeps_it(
    tmp_path: Path,
) -> None:
    """[complaints] days_open = 60: a complaint about Monday's visit, closed that day, is still
    in the live book 32 days later (the ticket's limit of 3 counts it) and in a restarted one:
    the restart replays closed complaints as long as the book keeps them."""
    path = tmp_path / "antre.db"
    clock = FakeClock(wib(MONDAY, "09:00"))
    longer = replace(building(), complaints=ComplaintSettings(days_open=60))
    engine = Engine(longer, str(path), clock=clock)
    await engine.start()
    try:
        await engine.execute(LogIn("L01", "DKP01"), "officer")
        await engine.execute(OpenCounter("L01"), "officer")
        await serve(engine, "A", "L01", "tok-monday-1")
        found = await VoiceApi(engine).visit("tok-monday-1")
        assert found is not None
        filed = await VoiceApi(engine).file_complaint(found[0], "waktu", "Lama.", "phone")
        await engine.execute(CloseComplaint(filed.id, "LANTAI", "Dijelaskan."), "m")
        later = MONDAY + timedelta(days=31)
        clock.now = wib(later, "09:00")
        await engine.execute(LogIn("L01", "DKP01"), "officer")  # a day of its own: 24 Dec
        clock.now = wib(later + timedelta(days=1), "07:00")
        await engine.execute(Tick(), "system")  # closes 24 Dec: 30 days would forget it
        live = engine.state.complaints
        assert live.get(filed.id) is not None
    finally:
        await engine.close()
    again = Engine(longer, str(path), clock=clock)
    await again.start()
    try:
        assert again.state.complaints == live
    finally:
        await again.close()
