"""Central's IKM and bookings per line and day equal the building's own reports.

The expectations are the building's reports on its store, never central's code: `antre report
--skm`'s skm.csv (scope "line", one day at a time) for the IKM of real simulated days of SKM
answers (server/simulate/survey_week.py), and `antre report`'s bookings.csv figures for the
booking story of tests/report/test_report_bookings.py (eight bookings worked by hand there:
made, moved, cancelled, lapsed, checked in, a check-in whose paper ran out). The store's events
are delivered to central in shuffled batches, some twice.
"""

from __future__ import annotations

import asyncio
import csv
from datetime import date
from pathlib import Path

import psycopg
import pytest
from centraltest import BUILDING, KEY, batch_body, batches, store_log
from test_report_bookings import FRIDAY, MONDAY, TUESDAY, WEDNESDAY, building, play_visit_day

from server.central.batch import read_batch
from server.central.ingest import ingest_batch, register_buildings
from server.central.voice import voice_figures
from server.config import load_demo_building
from server.core.skm import rounded
from server.report.cli import report_main
from server.simulate.survey_week import VoiceParams, play_voice_days, voice_building
from server.store import StoreReader

DAYS = (date(2026, 11, 30), date(2026, 12, 1))


def _deliver(conn: psycopg.Connection, db: Path, rng, booking_key: bytes | None = None) -> None:
    log = store_log(db)
    parts = batches(log, 23)
    order = parts + rng.sample(parts, k=len(parts) // 3)
    rng.shuffle(order)
    register_buildings(conn, [(BUILDING, "MPP Kota Contoh", "Kota Contoh")])
    for part in order:
        ingest_batch(conn, read_batch(batch_body(part, booking_key=booking_key)))


@pytest.fixture(scope="module")
def voice_days(tmp_path_factory) -> tuple[Path, dict[date, dict[str, str]]]:
    """A store of two days with SKM answers, and skm.csv's IKM per line of each day."""
    tmp = tmp_path_factory.mktemp("voice")
    db = tmp / "antre.db"
    asyncio.run(
        play_voice_days(voice_building(load_demo_building()), db, VoiceParams(DAYS[0], days=2,
                                                                              seed=21))
    )  # fmt: skip
    ikm = {}
    for day in DAYS:
        out = tmp / day.isoformat()
        args = ["--day", day.isoformat(), "--db", str(db), "--out", str(out), "--skm", "--quiet"]
        assert report_main(args) == 0
        with (out / "skm.csv").open(encoding="utf-8-sig", newline="") as f:
            ikm[day] = {
                r["key"]: (int(r["respondents"]), r["ikm"])
                for r in csv.DictReader(f)
                if r["scope"] == "line" and int(r["respondents"])
            }
    return db, ikm


def test_ikm_per_line_and_day_equals_the_skm_report(voice_days, central_db, rng):
    db, report = voice_days
    with psycopg.connect(central_db, autocommit=True) as conn:
        _deliver(conn, db, rng)
        central = voice_figures(conn, [BUILDING], DAYS[0], DAYS[-1])
    for day in DAYS:
        assert sum(n for n, _ in report[day].values()) > 10  # a day with real answers
        got = {
            line: (v.respondents, str(float(rounded(v.ikm))))
            for (_b, d, line), v in central.items()
            if d == day and v.respondents
        }
        assert got == report[day]


def test_bookings_per_line_and_day_equal_the_report(booking_story, central_db, rng):
    with psycopg.connect(central_db, autocommit=True) as conn:
        # As the building sends them: booking codes replaced by opaque references.
        _deliver(conn, booking_story["path"], rng, booking_key=KEY)
        codes = [c for (c,) in conn.execute("SELECT code FROM bookings")]
        assert codes and all(c.startswith("bk_") and len(c) == 19 for c in codes)
        central = voice_figures(conn, [BUILDING], FRIDAY, WEDNESDAY)
    from server.report.cli import compile_report

    with StoreReader.open(booking_story["path"]) as store:
        rows = compile_report(store, building(), FRIDAY, WEDNESDAY).bookings
    expected = {
        (r["day"], r["line"]): (r["booked"], r["checked_in"], r["lapsed"], r["cancelled"])
        for r in rows
        if r["booked"]
    }
    got = {
        (d.isoformat(), line): (v.booked, v.checked_in, v.lapsed, v.cancelled)
        for (_b, d, line), v in central.items()
        if v.booked
    }
    assert got == expected
    # and the story's hand-worked Monday and Tuesday (tests/report/test_report_bookings.py)
    assert got[(MONDAY.isoformat(), "A")] == (6, 3, 1, 2)
    assert got[(TUESDAY.isoformat(), "A")] == (1, 1, 0, 0)


async def test_a_visits_stop_never_reached_is_not_lapsed_at_central(tmp_path, central_db, rng):
    """The visit day worked by hand in tests/report/test_report_bookings.py (three visits of A
    then B; v1's first stop cancelled, so its B booking is not reached; v2 never comes): line
    A booked 3, checked in 2, lapsed 1; line B booked 3, checked in 1, lapsed 1, not reached 1
    — the citizen of v1 came, and central must not count them among those who did not."""
    path = tmp_path / "antre.db"
    await play_visit_day(path)
    with psycopg.connect(central_db, autocommit=True) as conn:
        await asyncio.to_thread(_deliver, conn, path, rng, KEY)
        central = await asyncio.to_thread(voice_figures, conn, [BUILDING], MONDAY, MONDAY)
    got = {
        line: (v.booked, v.checked_in, v.lapsed, v.cancelled, v.not_reached)
        for (_b, _d, line), v in central.items()
        if v.booked
    }
    assert got == {"A": (3, 2, 1, 0, 0), "B": (3, 1, 1, 0, 1)}
