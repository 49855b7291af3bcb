"""The SKM answer on QueueState (server/core/surveys.py): one response per ticket whatever the
channel, only once served and within `days_open`, every refusal, tallies per day, agency, line
and counter, kept across day closes, forgotten past the public periods, rebuilt by a replay."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from server.core.building import SurveySettings
from server.core.events import DayClosed, SurveyAnswered
from server.core.model import AnswerSurvey, DomainError, StartService, Tick, TicketState, visit_of
from server.core.skm import Tally
from server.core.surveys import SurveyBook, survey_horizon
from tests.core.factory import MONDAY, at, call_next, issue, make_building, open_counter, replay
from tests.core.voice_kit import Recording, served

TUESDAY = MONDAY + timedelta(days=1)
GOOD = (4, 3, 3, 4, 2, 4, 4, 3, 1)


def answer(state, visit, now, channel="phone", scores=GOOD, **profile):
    return state.handle(AnswerSurvey(visit, channel, scores, **profile), now)


def refused(state, visit, now, **kw) -> DomainError:
    with pytest.raises(DomainError) as caught:
        answer(state, visit, now, **kw)
    return caught.value


def test_an_answer_is_filed_under_the_visit() -> None:
    state = Recording()
    visit = served(state, at("08:00"))
    events = answer(
        state,
        visit,
        at("08:10"),
        channel="tablet:TAB-1",
        age="30-39",
        sex="p",
        education="sma",
        occupation="swasta",
        suggestion="  Ruang tunggu panas.  ",
    )
    assert events == [
        SurveyAnswered(
            at=at("08:10"),
            ticket="2026-11-23/A-001",
            day=MONDAY,
            line="A",
            agency="DUKCAPIL",
            counter="L01",
            officer="OF1",
            channel="tablet:TAB-1",
            scores=GOOD,
            age="30-39",
            sex="p",
            education="sma",
            occupation="swasta",
            suggestion="Ruang tunggu panas.",
        )
    ]
    assert state.surveys.answered("2026-11-23/A-001")
    assert not state.surveys.answered("2026-11-23/A-002")
    assert not state.surveys.answered("not-a-ticket")


def test_the_officer_of_a_visit_is_whoever_was_logged_in_when_service_started() -> None:
    state = Recording()
    open_counter(state, "L02", "OF2", at("08:00"))
    tid = issue(state, "B", at("08:01"))
    call_next(state, "L02", at("08:02"))
    assert state.tickets[tid].officer is None  # called, not yet served
    state.handle(StartService("L02"), at("08:03"))
    assert state.tickets[tid].officer == "OF2"
    assert visit_of(state.tickets[tid]).officer == "OF2"
    assert replay(state.building, state.log).tickets[tid].officer == "OF2"


def test_one_response_per_ticket_whatever_the_channel() -> None:
    state = Recording()
    visit = served(state, at("08:00"))
    answer(state, visit, at("08:05"), channel="tablet:TAB-1")
    for channel in ("phone", "exit:EXIT-1", "tablet:TAB-1"):
        err = refused(state, visit, at("08:06"), channel=channel)
        assert (err.code, err.message) == (
            "survey_answered",
            "Survei untuk nomor A-001 sudah diisi; satu nomor antrean hanya dapat mengisi "
            "survei satu kali",
        )
    # The next day too: the book outlives the day close.
    state.handle(Tick(), at("07:00", TUESDAY))
    assert state.day is None and state.tickets == {}  # Monday closed
    err = refused(state, visit, at("09:00", TUESDAY), channel="phone")
    assert err.code == "survey_answered"


def test_not_before_the_service_finished() -> None:
    state = Recording()
    open_counter(state, "L01", "OF1", at("08:00"))
    tid = issue(state, "A", at("08:00"))
    for step in ("waiting", "called", "serving"):
        if step == "called":
            call_next(state, "L01", at("08:01"))
        if step == "serving":
            state.handle(StartService("L01"), at("08:02"))
        err = refused(state, visit_of(state.tickets[tid]), at("08:03"))
        assert (err.code, err.message) == (
            "survey_not_finished",
            "Survei dapat diisi setelah layanan untuk nomor A-001 selesai",
        )
    assert state.surveys.tallies == {}


def test_open_for_days_open_days_after_the_service() -> None:
    state = Recording()
    visit = served(state, at("10:00"))
    assert visit.finished_at == at("10:00")
    late = at("10:00", MONDAY + timedelta(days=7))  # exactly 7 days (default days_open): open
    err = refused(state, visit, late + timedelta(seconds=1))
    assert (err.code, err.message) == (
        "survey_closed",
        "Survei untuk nomor A-001 sudah ditutup; survei dapat diisi paling lama 7 hari "
        "setelah layanan selesai",
    )
    assert answer(state, visit, late)[-1].day == MONDAY  # after the day close of Monday


def test_a_disabled_survey_takes_no_answer() -> None:
    building = make_building()
    building = dataclasses.replace(building, survey=SurveySettings(enabled=False))
    state = Recording(building)
    visit = served(state, at("08:00"))
    err = refused(state, visit, at("08:05"))
    assert (err.code, err.message) == (
        "survey_disabled",
        "Survei kepuasan masyarakat sedang tidak dibuka",
    )


@pytest.mark.parametrize(
    ("kw", "problem"),
    [
        ({"scores": (4,) * 8}, "Jawablah kesembilan unsur pelayanan (U1–U9)."),
        (
            {"scores": (4, 4, 4, 4, 4, 4, 4, 4, 5)},
            "Pilih salah satu dari empat jawaban untuk unsur U9 (Sarana dan prasarana).",
        ),
        ({"age": "lansia"}, "Kelompok umur yang dipilih tidak dikenal."),
        ({"suggestion": "x" * 501}, "Saran paling banyak 500 karakter."),
    ],
)
def test_an_invalid_answer_is_refused_and_changes_nothing(kw: dict, problem: str) -> None:
    state = Recording()
    visit = served(state, at("08:00"))
    before = replay(state.building, state.log)
    err = refused(state, visit, at("08:05"), **kw)
    assert (err.code, err.message, err.details["problem"]) == ("survey_invalid", problem, problem)
    assert state == before
    assert answer(state, visit, at("08:06"))  # the same ticket may still answer, correctly


def test_tallies_per_day_agency_line_and_counter() -> None:
    """Monday: A-001 at L01 (4s), B-001 at L02 (2s); P-001 at L04 (Imigrasi, 3s). Tuesday:
    A-001 at L01 (1s). By hand: Dukcapil Monday 2 respondents, sums 6 each; building 3."""
    state = Recording()
    a = served(state, at("08:00"), "A", "L01")
    open_counter(state, "L02", "OF2", at("08:00"))
    b = served(state, at("08:10"), "B", "L02")
    open_counter(state, "L04", "OF3", at("08:00"))
    p = served(state, at("08:20"), "P", "L04")
    answer(state, a, at("09:00"), scores=(4,) * 9)
    answer(state, b, at("09:00"), scores=(2,) * 9)
    answer(state, p, at("09:00"), scores=(3,) * 9)
    t = served(state, at("08:00", TUESDAY), "A", "L01")
    answer(state, t, at("09:00", TUESDAY), scores=(1,) * 9)

    book = state.surveys
    assert book.tally(MONDAY, MONDAY, "agency") == {
        "DUKCAPIL": Tally(2, [6] * 9),
        "IMIGRASI": Tally(1, [3] * 9),
    }
    assert book.tally(MONDAY, MONDAY, "line") == {
        "A": Tally(1, [4] * 9),
        "B": Tally(1, [2] * 9),
        "P": Tally(1, [3] * 9),
    }
    assert book.tally(MONDAY, TUESDAY, "counter") == {
        "L01": Tally(2, [5] * 9),
        "L02": Tally(1, [2] * 9),
        "L04": Tally(1, [3] * 9),
    }
    whole = book.tally(MONDAY, TUESDAY)
    assert whole == {None: Tally(4, [10] * 9)}
    assert whole[None].ikm() == pytest.approx(62.5)  # 10/4 = 2.5 per element × 25
    assert book.tally(TUESDAY + timedelta(days=1), TUESDAY + timedelta(days=9)) == {}
    # The floor's today: Tuesday's visits.
    building, agencies = book.today(TUESDAY)
    assert building == Tally(1, [1] * 9)
    assert agencies == {"DUKCAPIL": Tally(1, [1] * 9)}


def test_an_answer_days_later_is_counted_under_the_visits_day() -> None:
    state = Recording()
    visit = served(state, at("14:00"))
    answer(state, visit, at("20:00", MONDAY + timedelta(days=3)))  # Thursday evening
    assert state.surveys.tally(MONDAY, MONDAY) == {None: Tally(1, list(GOOD))}
    assert state.surveys.today(MONDAY + timedelta(days=3))[0] == Tally()


def test_an_answer_opens_no_day() -> None:
    """An answer on Saturday about Friday's visit is no event of Saturday's queue."""
    state = Recording()
    visit = served(state, at("14:00"))
    state.handle(Tick(), at("00:00:01", MONDAY + timedelta(days=5)))  # closes Monday
    assert state.day is None
    answer(state, visit, at("10:00", MONDAY + timedelta(days=5)))
    assert state.day is None
    assert state.surveys.answered(visit.ticket)


def test_replay_gives_the_same_book() -> None:
    state = Recording()
    for hour in ("08:00", "08:10", "08:20"):
        answer(state, served(state, at(hour)), at("09:00"))
    answer(state, served(state, at("08:00", TUESDAY)), at("09:00", TUESDAY))
    rebuilt = replay(state.building, state.log)
    assert rebuilt.surveys == state.surveys
    assert rebuilt == state


def test_the_same_answer_twice_in_a_log_is_a_corrupt_log() -> None:
    state = Recording()
    answer(state, served(state, at("08:00")), at("09:00"))
    with pytest.raises(ValueError):
        state.apply(state.log[-1])


def answered_event(day: date, number: str) -> SurveyAnswered:
    return SurveyAnswered(
        at=at("12:00", day),
        ticket=f"{day}/{number}",
        day=day,
        line="A",
        agency="DUKCAPIL",
        counter="L01",
        officer="OF1",
        channel="phone",
        scores=GOOD,
    )


def test_the_book_keeps_the_current_and_previous_public_period() -> None:
    """Quarterly (the default): in Q1 2027 the book keeps Q4 2026 and Q1 2027; the day close of
    31 December 2026 forgets Q3 2026 (answered ids and tallies alike)."""
    settings = SurveySettings()
    assert survey_horizon(settings, date(2027, 1, 1)) == date(2026, 10, 1)
    # Early in a month-long public period, `days_open` reaches further back than the period.
    monthly = SurveySettings(public_period="month", days_open=7)
    assert survey_horizon(monthly, date(2026, 12, 3)) == date(2026, 11, 1)
    assert survey_horizon(
        SurveySettings(public_period="month", days_open=45), date(2026, 12, 3)
    ) == (date(2026, 10, 18))
    book = SurveyBook(settings)
    for day, number in ((date(2026, 9, 30), "A-001"), (date(2026, 10, 1), "A-002")):
        book.apply(answered_event(day, number))
    book.apply(DayClosed(at=at("23:59:59", date(2026, 12, 30)), day=date(2026, 12, 30)))
    assert book.answered("2026-09-30/A-001")  # Q3 is still the previous quarter on 31 Dec
    book.apply(DayClosed(at=at("23:59:59", date(2026, 12, 31)), day=date(2026, 12, 31)))
    assert not book.answered("2026-09-30/A-001")
    assert book.answered("2026-10-01/A-002")
    assert list(book.tallies) == [date(2026, 10, 1)]
    assert book.tally(date(2026, 7, 1), date(2027, 3, 31)) == {None: Tally(1, list(GOOD))}


def test_a_refused_answer_on_a_new_day_leaves_the_day_unclosed() -> None:
    """handle() decides on a scratch copy of the books: a refusal changes nothing at all."""
    state = Recording()
    visit = served(state, at("08:00"))
    answer(state, visit, at("09:00"))
    with pytest.raises(DomainError):
        answer(state, visit, at("09:00", TUESDAY))
    assert state.day == MONDAY  # the pending close waits for the next command or tick
    assert state.tickets[visit.ticket].state is TicketState.DONE
