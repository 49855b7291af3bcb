"""Central's figures equal `antre report`'s for real days: two seeded days (30 November and
1 December, so across a month's partitions) played through the real engine into a real store,
delivered to central in shuffled batches, some of them twice.

The expectation is `antre report` itself, run as a newcomer runs it on the building's store
(its lines.csv), not central's code: the two must say the same of every line on every day.
"""

from __future__ import annotations

import asyncio
import csv
from datetime import date
from pathlib import Path

import psycopg
import pytest
from centraltest import BUILDING, batch_body, batches, profile_body, store_log

from server.central.batch import read_batch, read_profile
from server.central.ingest import figures_of, ingest_batch, register_buildings, store_profile
from server.config import load_demo_building
from server.report.cli import report_main
from server.simulate.survey_week import VoiceParams, play_voice_days, voice_building

DAYS = (date(2026, 11, 30), date(2026, 12, 1))
COUNTS = ("issued", "print_failed", "called", "recalls", "served", "no_show", "cancelled",
          "expired", "transferred_out", "transferred_in", "waits", "services")  # fmt: skip
SECONDS = ("wait_mean_s", "wait_median_s", "wait_p90_s", "wait_max_s", "target_wait_s",
           "service_mean_s", "service_median_s", "service_p90_s", "service_max_s",
           "target_service_s")  # fmt: skip


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> tuple[Path, dict[date, list[dict[str, str]]]]:
    """The building's store of the two days and `antre report`'s line rows of each day."""
    tmp = tmp_path_factory.mktemp("days")
    db = tmp / "antre.db"
    building = voice_building(load_demo_building())
    asyncio.run(play_voice_days(building, db, VoiceParams(DAYS[0], days=2, seed=21)))
    rows = {}
    for day in DAYS:
        out = tmp / day.isoformat()
        assert report_main(["--day", day.isoformat(), "--db", str(db), "--out", str(out),
                            "--quiet"]) == 0  # fmt: skip
        with (out / "lines.csv").open(newline="") as f:
            rows[day] = list(csv.DictReader(f))
    return db, rows


def _cell(value) -> str:
    """A central figure as the report's CSV writes it (one decimal; empty when none)."""
    return "" if value is None else str(round(value, 1))


def _as_report(figures: dict) -> dict[str, str]:
    out = {k: str(figures[k]) for k in COUNTS}
    out |= {k: _cell(figures[k]) for k in SECONDS}
    for within, total, pct in (
        ("waits_within_target", "waits", "waits_within_target_pct"),
        ("services_within_target", "services", "services_within_target_pct"),
    ):
        n = figures[within]
        out[pct] = "" if n is None or not figures[total] else _cell(n / figures[total] * 100)
    out["agency"], out["name"] = figures["agency"], figures["name"]
    return out


def test_figures_equal_antre_report_whatever_the_order_of_delivery(played, central_db, rng):
    db, report = played
    log = store_log(db)
    assert [e.seq for e in log] == list(range(1, len(log) + 1))  # the store's seq has no gap
    parts = batches(log, 37)
    order = parts + rng.sample(parts, k=len(parts) // 3)  # a third of them sent twice
    rng.shuffle(order)
    with psycopg.connect(central_db, autocommit=True) as conn:
        register_buildings(conn, [(BUILDING, "MPP Kota Contoh", "Kota Contoh")])
        store_profile(conn, read_profile(profile_body(load_demo_building())), 0)
        for part in order:
            ingest_batch(conn, read_batch(batch_body(part)))
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == len(log)
        assert conn.execute("SELECT contiguous_seq FROM buildings").fetchone()[0] == len(log)
        for day in DAYS:
            central = figures_of(conn, BUILDING, day)
            expected = {
                r["key"]: {k: r[k] for k in (*COUNTS, *SECONDS, "agency", "name",
                                             "waits_within_target_pct",
                                             "services_within_target_pct")}
                for r in report[day]
            }  # fmt: skip
            assert sum(int(r["issued"]) for r in report[day]) > 50  # a real day, not an empty one
            assert {line: _as_report(f) for line, f in central.items()} == expected
