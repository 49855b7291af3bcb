"""`make bench` at toy sizes: its machinery works, so the figures it prints mean something.

The benchmarks are not part of `make test` (they measure, and no test asserts a time); these
run three of its parts small — real server processes, real sockets — and check what a reader of
the bench output relies on: every TV (the bench's own minimal websocket reader) got every call,
the baseline relay too, the day's store checks pass, and the throughput run's kiosks got every
ticket they counted onto disk (and its check would say so if not). No figure is asserted.
"""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest

from bench.day import run_day
from bench.fanout import run_fanout
from bench.phones import run_phones
from bench.throughput import check_store, run_throughput


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
