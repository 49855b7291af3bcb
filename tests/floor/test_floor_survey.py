"""Today's IKM on the floor, from the snapshot's `skm_today` and `survey_answered` events, by hand.

Three answers about today's visits (Monday 23 November 2026), scores U1..U9:

    r1 DUKCAPIL  4 4 3 4 4 4 4 3 4   (in the snapshot)
    r2 DUKCAPIL  3 3 2 4 3 3 4 3 3   (in the snapshot)
    r3 SAMSAT    2 3 2 4 3 3 3 2 3   (an event after it)

Worked by hand (PermenPANRB 14/2017: NRR = sum ÷ respondents, IKM = mean of the nine NRRs × 25):

    building  sums 9 10 7 12 10 10 11 8 10 = 87 over 3 respondents
              IKM = 87 / 3 / 9 × 25 = 2175 / 27 = 80.555…  -> 80,56  B — Baik
              (with the 0.111 weights of a published example it would be 80,48)
              lowest NRR: U3 7 / 3 = 2,33
    DUKCAPIL  sums 7 7 5 8 7 7 8 6 7 = 62 over 2: IKM 62 / 18 × 25 = 86.11…  -> 86,11  B — Baik
              lowest NRR: U3 5 / 2 = 2,50
    SAMSAT    sums 2 3 2 4 3 3 3 2 3 = 25 over 1: IKM 25 / 9 × 25 = 69.44… -> 69,44 C — Kurang Baik
              lowest NRR: 2 at U1, U3 and U8: the first, U1 Persyaratan 2,00
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from display.floor_model import FloorModel
from display.floor_survey import ikm_text
from server.broadcast.views import building_view
from server.config import load_demo_building

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)

R1 = [4, 4, 3, 4, 4, 4, 4, 3, 4]
R2 = [3, 3, 2, 4, 3, 3, 4, 3, 3]
R3 = [2, 3, 2, 4, 3, 3, 3, 2, 3]


def snapshot(skm_today: Any) -> dict[str, Any]:
    return {
        "type": "snapshot",
        "seq": 0,
        "day": "2026-11-23",
        "building": building_view(load_demo_building()),
        "lines": [],
        "counters": [],
        "tickets": [],
        "calls": [],
        "printers": {},
        "skm_today": skm_today,
        "complaints": [],
    }


SKM_TODAY = {
    "building": {"respondents": 2, "sums": [7, 7, 5, 8, 7, 7, 8, 6, 7]},
    "agencies": {"DUKCAPIL": {"respondents": 2, "sums": [7, 7, 5, 8, 7, 7, 8, 6, 7]}},
}


def answered(model: FloorModel, minute: float, scores: list[int], *, day: date, agency: str):  # type: ignore[no-untyped-def]
    at = T0 + timedelta(minutes=minute)
    event = {
        "kind": "survey_answered", "at": at.isoformat(), "ticket": f"{day}/B-001",
        "day": day.isoformat(), "line": "E" if agency == "SAMSAT" else "A", "agency": agency,
        "counter": "L08", "officer": "SMS01", "channel": "tablet:TAB-L08", "scores": scores,
    }  # fmt: skip
    model.handle({"type": "event", "seq": 1, "event": event}, at)


def shown(model: FloorModel) -> list[tuple[str, int, str, str, str]]:
    return [
        (r.key, r.respondents, ikm_text(r.ikm), r.grade, r.weakest) for r in model.survey_rows()
    ]


def test_todays_ikm_from_snapshot_and_events():
    """The building's and each agency's IKM, grade in the regulation's words, respondents and
    lowest element are the hand-worked figures above."""
    model = FloorModel()
    model.handle(snapshot(SKM_TODAY), T0)
    assert shown(model) == [
        ("building", 2, "86,11", "B — Baik", "U3 Waktu penyelesaian (2,50)"),
        ("DUKCAPIL", 2, "86,11", "B — Baik", "U3 Waktu penyelesaian (2,50)"),
    ]
    answered(model, 5, R3, day=date(2026, 11, 23), agency="SAMSAT")
    assert shown(model) == [
        ("building", 3, "80,56", "B — Baik", "U3 Waktu penyelesaian (2,33)"),
        ("DUKCAPIL", 2, "86,11", "B — Baik", "U3 Waktu penyelesaian (2,50)"),
        ("SAMSAT", 1, "69,44", "C — Kurang Baik", "U1 Persyaratan (2,00)"),
    ]
    assert [r.name for r in model.survey_rows()][1:] == ["Dukcapil", "Samsat"]


def test_an_answer_about_an_earlier_visit_is_not_todays():
    """An answer given today about Friday's visit counts in Friday's figures, not today's."""
    model = FloorModel()
    model.handle(snapshot(SKM_TODAY), T0)
    answered(model, 5, R3, day=date(2026, 11, 20), agency="SAMSAT")
    assert [(r.key, r.respondents) for r in model.survey_rows()] == [
        ("building", 2),
        ("DUKCAPIL", 2),
    ]


def test_nobody_yet_and_the_day_closing():
    """Without answers (or an older server's snapshot without `skm_today`) the building row
    shows dashes; one answer of all fours is 100,00 A — Sangat Baik; the day's close empties."""
    model = FloorModel()
    model.handle(snapshot(None), T0)
    assert shown(model) == [("building", 0, "–", "–", "–")]
    answered(model, 1, [4] * 9, day=date(2026, 11, 23), agency="DUKCAPIL")
    assert shown(model)[0] == ("building", 1, "100,00", "A — Sangat Baik", "U1 Persyaratan (4,00)")
    end = datetime(2026, 11, 23, 23, 59, 59, 999999, tzinfo=WIB)
    model.handle(
        {"type": "event", "seq": 2,
         "event": {"kind": "day_closed", "at": end.isoformat(), "day": "2026-11-23"}},
        end,
    )  # fmt: skip
    assert shown(model) == [("building", 0, "–", "–", "–")]


def test_a_malformed_skm_today_reads_as_nobody():
    """Sums of the wrong length are not counted (a newer or damaged frame): no made-up IKM."""
    model = FloorModel()
    model.handle(snapshot({"building": {"respondents": 2, "sums": [7, 7]}, "agencies": []}), T0)
    assert shown(model) == [("building", 0, "–", "–", "–")]


def test_an_ikm_ending_in_five_thousandths_is_rounded_up_as_the_public_page_rounds_it():
    """Forty respondents whose every element sums to 131 (e.g. 11 answered "4" and 29 "3"):
    by hand, 25 × (9 × 131) ÷ (9 × 40) = 29475 ÷ 360 = 81.875 exactly, which the regulation's
    two decimals round half up to 81,88, as /ikm and `antre report --skm` write it. Summing
    nine float NRRs first gives 81.87499…, which would show 81,87 on the floor alone."""
    model = FloorModel()
    model.handle(snapshot({"building": {"respondents": 40, "sums": [131] * 9}, "agencies": {}}), T0)
    assert shown(model)[0][:4] == ("building", 40, "81,88", "B — Baik")
