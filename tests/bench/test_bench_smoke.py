"""`make bench` at toy sizes: its machinery works, so the figures it prints mean something.

The benchmarks are not part of `make test` (they measure, and no test asserts a time); these
run four of its parts small — real server processes, real sockets — and check what a reader of
the bench output relies on: every TV (the bench's own minimal websocket reader) got every call,
the baseline relay too, the day's store checks pass, the throughput run's kiosks got every
ticket they counted onto disk (and its check would say so if not), and the booking storm's
checks pass on a small storm and fail on a doctored one; central's 300-building run, with three
buildings, delivers every event once. No figure is asserted.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
from datetime import time
from pathlib import Path

import pytest

from bench.building import STORM_DAY, STORM_LINE, storm_building
from bench.day import run_day
from bench.fanout import run_fanout
from bench.phones import run_phones
from bench.storm import run_storm
from bench.storm_checks import check_places, first_come_first_served
from bench.storm_citizens import Attempt
from bench.throughput import check_store, run_throughput
from server.core.building import BookingRules
from server.core.events import PriorityGroup
from server.store import StoreReader


def test_the_fanout_bench_sees_every_call_on_every_tv(tmp_path: Path) -> None:
    r = run_fanout(tmp_path, counters=20, displays=30, calls=20, rate=20.0)
    assert r.missing == 0
    assert r.antre.n == 20 and r.bare.n == 20  # every call reached the last TV, in both
    assert all(math.isfinite(x) and x > 0 for x in (r.antre.p50, r.antre.max, r.bare.max))
    assert r.frame_bytes > 100  # the TV frame of a call, as the baseline pads its own to


def test_the_phones_bench_sees_every_call_on_its_phone(tmp_path: Path) -> None:
    """Each call reaches the called ticket's own phone page; the relay reaches every client."""
    r = run_phones(tmp_path, phones=30, tvs=1, calls=10, rate=20.0, walk_s=0.2)
    assert r.missing == 0
    assert r.antre.n == 10 and r.bare_one.n == 10 and r.bare_last.n == 10
    assert all(math.isfinite(x) and x > 0 for x in (r.antre.p50, r.bare_one.max, r.bare_last.max))
    assert r.frame_bytes > 100  # a called ticket's view, as the baseline pads its own to
    assert r.frames_per_call >= 1  # the called phone's own frame, at least
    assert 0 < r.rss_before_mib <= r.peak_rss_mib


def test_the_day_bench_checks_pass_on_a_small_day(tmp_path: Path) -> None:
    r = run_day(tmp_path, tickets=200, connections=50)
    assert r.problems == []
    assert len(r.report.issued) == 200 and not r.report.refused and not r.report.errors
    assert r.report.served + r.report.no_shows == 200
    assert r.connections == 50 and r.peak_rss_mib > 0


def test_the_throughput_bench_counts_only_tickets_on_disk(tmp_path: Path) -> None:
    r = run_throughput(tmp_path, kiosks=4, per_kiosk=25, raw_commits=200, rounds=2)
    assert r.tickets == 100 and r.latency.n == 200 and len(r.rounds) == 2
    assert r.tickets_per_s > 0 and r.app_client_per_s > 0 and r.raw_commits_per_s > 0
    # run_throughput checked both stores; the check itself catches a lost or an extra ticket.
    db = tmp_path / "throughput.db"
    with sqlite3.connect(db) as conn:
        ids = [
            json.loads(row[0])["ticket"]
            for row in conn.execute("SELECT payload FROM events WHERE kind = 'ticket_issued'")
        ]
    assert len(ids) == 104  # 4 warm-up tickets, then 4 x 25
    check_store(db, ids)
    with pytest.raises(AssertionError, match="missing"):
        check_store(db, [*ids, "2026-11-23/A-999"])
    with pytest.raises(AssertionError, match="in the store"):
        check_store(db, ids[:-1])


def test_the_storm_bench_gives_every_place_once_in_arrival_order(tmp_path: Path) -> None:
    """240 citizens open the booking form, then submit it within a second, for 12 slots of
    2 + 1 places: every check met, 36 booked, the rest refused; and the places check misses a
    booking the bench never heard acknowledged."""
    r = run_storm(
        tmp_path, attempts=240, seconds=1.0, places=2, priority_places=1, broker_niks=10,
        per_broker=3, priority_share=0.3, raw_commits=200,
    )  # fmt: skip
    assert [(c.name, c.met) for c in r.checks if not c.met] == []
    assert len(r.checks) == 4
    assert r.places == 36 and r.booked == 36 and not r.errors
    assert r.refused["slot_full"] > 0 and sum(r.refused.values()) == 240 - 36
    assert r.latency_booked.n == 36 and r.latency_refused.n == 204 and r.in_server.n == 240
    assert r.form_latency.n == 240 and r.page_latency.n == 36
    assert sum(q.n for q in r.by_second()) == 240
    assert r.attempts_per_s > 0 and r.server_cpu_s > 0 and r.raw_commits_per_s > 0

    building = storm_building(2, 1).building
    rules = building.line(STORM_LINE).booking  # type: ignore[union-attr]
    assert rules is not None
    with StoreReader.open(tmp_path / "storm.db") as store:
        codes = [b.code for b in store.day_bookings(STORM_DAY)]
    acked = {code: _citizen(n) for n, code in enumerate(codes)}
    assert all(c.met for c in check_places(tmp_path / "storm.db", rules, 12, STORM_DAY, acked))
    del acked[codes[-1]]
    given, _once = check_places(tmp_path / "storm.db", rules, 12, STORM_DAY, acked)
    assert not given.met and "stored but not acknowledged: 1" in given.detail


def _citizen(n: int, slot: time = time(8, 0), priority: PriorityGroup | None = None) -> Attempt:
    phone, address = f"0812{n:08d}", f"10.0.0.{n}"
    return Attempt(n, 0.0, slot, priority, f"nik-{n}", phone, f"Warga {n}", False, address)


def test_first_come_first_served_is_docs_bookings_table() -> None:
    """The storm's expectation, against docs/bookings.md's table of a 2 + 1 slot (regular,
    regular, regular: yes, yes, no; priority, priority, regular, regular: yes, yes, yes, no;
    regular, priority, regular, regular: yes, yes, yes, no) and its one booking per NIK."""
    rules = BookingRules(slot_min=30, places=2, priority_places=1)
    p = PriorityGroup.LANSIA
    rows = [
        ([None, None, None], ["booked", "booked", "slot_full"]),
        ([p, p, None, None], ["booked", "booked", "booked", "slot_full"]),
        ([None, p, None, None], ["booked", "booked", "booked", "slot_full"]),
    ]
    for priorities, due in rows:
        order = [_citizen(n, priority=g) for n, g in enumerate(priorities)]
        got = first_come_first_served(rules, order)
        assert [got[a.n] for a in order] == due
    # A second attempt on a NIK that holds the day is refused for the NIK, before the places;
    # one whose first attempt found the slot full may still book another slot.
    first, dup = _citizen(1), _citizen(2)
    full = [_citizen(10 + k) for k in range(2)]
    order = [*full, dataclasses.replace(first, slot=time(8, 0))]  # slot 08:00 full by then
    order += [dataclasses.replace(dup, nik=first.nik, slot=time(8, 30))]
    order += [dataclasses.replace(_citizen(3), nik=first.nik, slot=time(8, 30))]
    got = first_come_first_served(rules, order)
    assert [got[a.n] for a in order] == [
        "booked", "booked", "slot_full", "booked", "booking_nik_taken",
    ]  # fmt: skip


def test_the_central_crowd_bench_delivers_every_buildings_day_once(tmp_path: Path) -> None:
    """Three buildings, a day in two seconds: every event reaches central, once (the bench's
    own count check), every batch has its lag, and /healthz and the logged-in dashboard's
    overview were read while they posted."""
    import os
    import shutil
    import tempfile

    from bench.central import run_crowd

    folder = Path(tempfile.mkdtemp(prefix="antre-bench-central-"))
    os.chmod(folder, 0o755)  # its PostgreSQL runs as `nobody` when the suite runs as root
    try:
        r = run_crowd(folder, buildings=3, day_s=2.0)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert r.buildings == 3 and r.events > 3 * 1000  # three 400-ticket days
    assert r.lag.n >= 3 and r.healthz.n >= 1 and r.refused == 0
    assert r.dashboard.startswith("p50 "), r.dashboard
