"""`make bench` at toy sizes: its machinery works, so the figures it prints mean something.

The benchmarks are not part of `make test` (they measure, and no test asserts a time); these
run two of its parts small — real server processes, real sockets — and check what a reader of
the bench output relies on: every TV (the bench's own minimal websocket reader) got every call,
the baseline relay too, and the day's store checks pass. No figure is asserted.
"""

from __future__ import annotations

import math
from pathlib import Path

from bench.day import run_day
from bench.fanout import run_fanout


def test_the_fanout_bench_sees_every_call_on_every_tv(tmp_path: Path) -> None:
    r = run_fanout(tmp_path, counters=20, displays=30, calls=20, rate=20.0)
    assert r.missing == 0
    assert r.antre.n == 20 and r.bare.n == 20  # every call reached the last TV, in both
    assert all(math.isfinite(x) and x > 0 for x in (r.antre.p50, r.antre.max, r.bare.max))
    assert r.frame_bytes > 100  # the TV frame of a call, as the baseline pads its own to


def test_the_day_bench_checks_pass_on_a_small_day(tmp_path: Path) -> None:
    r = run_day(tmp_path, tickets=200, connections=50)
    assert r.problems == []
    assert len(r.report.issued) == 200 and not r.report.refused and not r.report.errors
    assert r.report.served + r.report.no_shows == 200
    assert r.connections == 50 and r.peak_rss_mib > 0
