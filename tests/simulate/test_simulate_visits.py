"""The several-service day (server/simulate/visits.py): three ways worked by hand, the demo day.

The small building: lines A and B (10-minute targets), Loket 1 serves A, Loket 2 serves B, no
priority citizens, no max-wait rule in the way, walks of 0 s, the credit 15 minutes, the no-show
wait 120 s and the no-show window 30 minutes. Every expected instant below is worked on paper
(seconds after opening); the module's arithmetic is not used to get them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest

from server.config import load_demo_building
from server.core.building import Building, Counter, DayHours, Line, PolicySettings, Zone
from server.core.visits import order_problem
from server.simulate.cli import simulate_main
from server.simulate.visits import (
    VISIT_ROUTES,
    Citizen,
    PlannedStop,
    VisitParams,
    VisitPlan,
    Way,
    measure_visits,
    plan_visit_day,
    serve_visit_day,
)

DEMO = load_demo_building()


def small_building() -> Building:
    return Building(
        name="MPP Uji",
        timezone="WIB",
        weekly=(DayHours(time(7, 30), time(16, 0)),) * 5 + (None, None),
        zones=(Zone("1", "Lantai 1"),),
        agencies=(),
        lines=(Line("A", "AG", "Layanan A", 10), Line("B", "AG", "Layanan B", 10)),
        counters=(
            Counter("K1", "Loket 1", 1, "1", "AG", ("A",)),
            Counter("K2", "Loket 2", 2, "1", "AG", ("B",)),
        ),
        policy=PolicySettings(max_wait_min=600, visit_credit_min=15, noshow_window_min=30),
    )


def citizen(index: int, arrival: float, *stops: tuple[str, float]) -> Citizen:
    return Citizen(index, arrival, False, tuple(PlannedStop(ln, s, 0.0) for ln, s in stops))


# The visit citizen V: at 0, A (10 min) then B (10 min). S1 at 60 s, B for 20 min; S2 at 300 s, B
# for 10 min.
SHORT = VisitPlan(
    (
        citizen(0, 0, ("A", 600), ("B", 600)),
        citizen(1, 60, ("B", 1200)),
        citizen(2, 300, ("B", 600)),
    )
)


def outcome(way: Way, plan: VisitPlan = SHORT) -> dict[int, tuple[float | None, float, int, int]]:
    """citizen -> (left, first call, no-shows, lost)."""
    day = serve_visit_day(small_building(), plan, way)
    return {c.index: (c.left_s, c.first_call_s, c.no_shows, c.lost) for c in day.citizens}


def test_one_visit_joins_b_at_its_start_ahead_of_a_short_wait() -> None:
    """V is served at A 0–600; S1 at B 60–1260. At 600 V's B ticket is queued at max(0, 600 − 900)
    = 0, ahead of S2 (who has waited 300 s, less than the credit): B serves V 1260–1860, then S2
    1860–2460. V's time in the building: 1860 s = 31 min."""
    got = outcome(Way.VISIT)
    assert got[0] == (1860, 0, 0, 0)
    assert got[1] == (1260, 60, 0, 0)
    assert got[2] == (2460, 1860, 0, 0)
    day = serve_visit_day(small_building(), SHORT, Way.VISIT)
    assert [(j.at_s, j.line, j.queued_s, j.passed, j.longest_wait_passed_s) for j in day.jumps] == [
        (600, "B", 0, 1, 300)
    ]
    assert [c.overtaken for c in day.citizens] == [0, 0, 1]


def test_tickets_one_after_another_join_b_at_the_back() -> None:
    """V's B ticket taken at 600 is behind S2 (300): B serves S1 60–1260, S2 1260–1860, V
    1860–2460. V: 2460 s = 41 min; nobody is gone ahead of."""
    got = outcome(Way.IN_TURN)
    assert got[0] == (2460, 0, 0, 0)
    assert got[2] == (1860, 1260, 0, 0)
    assert serve_visit_day(small_building(), SHORT, Way.IN_TURN).jumps == ()


def test_tickets_at_once_a_no_show_at_b_regains_its_place() -> None:
    """At 0 V holds A and B tickets. Loket 1 calls A (V busy until 600); Loket 2 calls B at once:
    V cannot come before 600 > 0 + 120, so Loket 2 waits 120 s and marks a no-show. It then calls
    S1 (120–1320). At 600 V is free, 480 s after the mark (within 30 min): reactivated, queued at
    0 again, ahead of S2. B serves V 1320–1920, S2 1920–2520. V: 1920 s = 32 min, one no-show."""
    got = outcome(Way.AT_ONCE)
    assert got[0] == (1920, 0, 1, 0)
    assert got[1] == (1320, 120, 0, 0)
    assert got[2] == (2520, 1920, 0, 0)


# V at 0: A for 60 min, then B for 10 min. S1 at 60 s, B for 4000 s; S2 at 20 min and S3 at 50 min,
# B for 10 min each.
LONG = VisitPlan(
    (
        citizen(0, 0, ("A", 3600), ("B", 600)),
        citizen(1, 60, ("B", 4000)),
        citizen(2, 1200, ("B", 600)),
        citizen(3, 3000, ("B", 600)),
    )
)


def test_the_credit_puts_a_visit_behind_anyone_who_waited_longer_than_15_minutes() -> None:
    """Hand-on at 3600: queued at max(0, 3600 − 900) = 2700, behind S2 (queued 1200, waited 40
    min) and ahead of S3 (queued 3000, waited 10 min). B: S1 60–4060, S2 4060–4660, V 4660–5260,
    S3 5260–5860."""
    got = outcome(Way.VISIT, LONG)
    assert got[0] == (5260, 0, 0, 0)
    assert got[2][1] == 4060
    assert got[3] == (5860, 5260, 0, 0)
    (jump,) = serve_visit_day(small_building(), LONG, Way.VISIT).jumps
    assert (jump.queued_s, jump.passed, jump.longest_wait_passed_s) == (2700, 1, 600)


def test_one_after_another_the_long_first_stop_costs_the_whole_line() -> None:
    """B: S1 60–4060, S2 4060–4660, S3 4660–5260, V (queued 3600) 5260–5860."""
    got = outcome(Way.IN_TURN, LONG)
    assert got[0] == (5860, 0, 0, 0)
    assert got[3][1] == 4660


def test_at_once_a_no_show_past_the_window_is_lost_and_queued_again() -> None:
    """No-show at B marked at 120 (S1 then 120–4120). V is free at 3600, 3480 s after the mark,
    past the 30-minute window: a new B ticket queued at 3600, behind S2 and S3. B: S2 4120–4720,
    S3 4720–5320, V 5320–5920."""
    got = outcome(Way.AT_ONCE, LONG)
    assert got[0] == (5920, 0, 1, 1)
    assert got[3][1] == 4720


def test_at_once_a_citizen_free_again_within_the_recall_comes_late() -> None:
    """A takes 60 s. Loket 2 calls V's B ticket at 0 while V is at Loket 1 until 60, within the
    120-s no-show wait: V comes at 60 and is served 60–660, no no-show."""
    plan = VisitPlan((citizen(0, 0, ("A", 60), ("B", 600)),))
    (v,) = serve_visit_day(small_building(), plan, Way.AT_ONCE).citizens
    assert (v.left_s, v.no_shows, v.lost) == (660, 0, 0)


def test_a_stop_needing_another_first_is_passed_until_that_one_is_done() -> None:
    """B requires A. At once: V's B ticket is called at 0 while V is at A (and could not be served
    there yet anyway): a no-show at 120, reactivated when A is done at 600 (within the window),
    with nobody else in B: B serves V 600–1200."""
    lines = (Line("A", "AG", "Layanan A", 10), Line("B", "AG", "Layanan B", 10, requires=("A",)))
    b = replace(small_building(), lines=lines)
    plan = VisitPlan((citizen(0, 0, ("A", 600), ("B", 600)),))
    (v,) = serve_visit_day(b, plan, Way.AT_ONCE).citizens
    assert (v.left_s, v.no_shows, v.lost) == (1200, 1, 0)


# ------------------------------------------------------------------------------------------------
# The demo building's day
# ------------------------------------------------------------------------------------------------


def test_the_routes_respect_what_the_demo_building_requires() -> None:
    for stops, _weight in VISIT_ROUTES:
        assert order_problem(DEMO, stops) is None, stops
        assert all(DEMO.line(p) is not None for p in stops), stops


def test_fifteen_percent_of_the_citizens_have_two_or_three_stops() -> None:
    plan = plan_visit_day(DEMO, 4, VisitParams(citizens=400))
    multi = [c for c in plan.citizens if c.multi]
    assert len(plan.citizens) == 400 and len(multi) == 60  # 15 % of 400
    routes = {stops for stops, _w in VISIT_ROUTES}
    assert all(tuple(s.line for s in c.stops) in routes for c in multi)
    assert not any(c.no_show for c in multi)


@pytest.fixture(scope="module")
def demo_day() -> tuple[VisitPlan, dict[str, object]]:
    plan = plan_visit_day(DEMO, 2, VisitParams(citizens=500))
    runs = {
        "visit": serve_visit_day(DEMO, plan, Way.VISIT),
        "credit0": serve_visit_day(DEMO, plan, Way.VISIT, credit_min=0),
        "credit60": serve_visit_day(DEMO, plan, Way.VISIT, credit_min=60),
        "in_turn": serve_visit_day(DEMO, plan, Way.IN_TURN),
    }
    return plan, runs


def test_the_credit_rule_never_puts_a_hand_on_ahead_of_a_longer_wait(demo_day) -> None:  # type: ignore[no-untyped-def]
    """Every ticket a hand-on went ahead of had waited 15 minutes or less at that instant; with
    a 60-minute credit some had waited longer (the check can fail)."""
    _plan, runs = demo_day
    jumps = runs["visit"].jumps
    assert len(jumps) >= 10
    assert max(j.longest_wait_passed_s for j in jumps) <= 15 * 60
    assert max(j.longest_wait_passed_s for j in runs["credit60"].jumps) > 15 * 60


def test_a_credit_of_zero_is_tickets_one_after_another(demo_day) -> None:  # type: ignore[no-untyped-def]
    _plan, runs = demo_day
    assert runs["credit0"].citizens == runs["in_turn"].citizens
    assert runs["credit0"].jumps == ()


def test_the_same_seed_gives_the_same_figures() -> None:
    params = VisitParams(citizens=300)
    first = measure_visits(DEMO, 5, params, credits=(0, 15))
    assert measure_visits(DEMO, 5, params, credits=(0, 15)) == first
    assert measure_visits(DEMO, 6, params, credits=(0, 15)) != first


def test_antre_simulate_visits_prints_the_three_ways_and_the_sweep(capsys) -> None:  # type: ignore[no-untyped-def]
    assert simulate_main(["--visits", "--tickets", "200", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "seed 3, 200 citizens, 30 of them on a visit of 2 or 3 stops (15.0 %)" in out
    for label in (
        "(1) one visit, the credit rule (15 min)",
        "(2) separate tickets taken at once",
        "(3) separate tickets taken one after another",
        "| credit 0 min |",
        "| credit 60 min |",
    ):
        assert label in out
    assert simulate_main(["--visits", "1.5"]) == 2
