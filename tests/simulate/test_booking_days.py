"""docs/calling-policy.md's tables of the mixed days (issue 19), held to what the simulator says.

"Booked and walk-in citizens" tabulates the listed mixed days (`bookings.MIXED_DAYS`: 700 and
1,000 tickets, seeds 1–3, 40 % of lines A, B, G and P booked, 10 % lapsing) under the default
`booking_delay_pct = 50` and under 100. This test serves every one of those days (about two
seconds) and checks each row of both tables, figure by figure, and that the promise as the guard
estimated it (2a) is kept on every day.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from server.config import load_demo_building
from server.simulate.bookings import MIXED_DAYS, MixedDay, MixedDaySpec, measure_mixed_days

DOC = Path(__file__).resolve().parents[2] / "docs" / "calling-policy.md"
ROW = re.compile(r"^\| (?P<tickets>[\d,]+) \| (?P<seed>\d) \| \d+ \(\d+\) \|")


def doc_tables() -> dict[float, dict[tuple[int, int], list[str]]]:
    """The two tables' rows by (tickets, seed), each row's cells, keyed by booking_delay_pct."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Booked and walk-in citizens") :]
    tables: dict[float, dict[tuple[int, int], list[str]]] = {}
    current: float | None = None
    for line in section.splitlines()[1:]:
        if line.startswith("**Measured") and "`booking_delay_pct = 50`" in line:
            current = 50.0
        elif line.startswith("With `booking_delay_pct = 100`"):
            current = 100.0
        elif line.startswith("## "):
            break
        m = ROW.match(line)
        if m and current is not None:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            key = (int(m["tickets"].replace(",", "")), int(m["seed"]))
            tables.setdefault(current, {})[key] = cells
    return tables


def expected_cells(day: MixedDay) -> list[str]:
    """A row as the doc writes it: minutes to one decimal, shares as whole percents."""
    f = day.figures

    def m(seconds: float) -> str:
        return f"{seconds / 60:.1f}"

    booked = sum(x.booked for x in day.plan.lines)
    lapsed = sum(x.lapsed for x in day.plan.lines)
    n = f.booked_from_slot.count
    return [
        f"{booked} ({lapsed})",
        f"{m(f.booked_from_slot.p50_s)} / {m(f.booked_from_slot.p90_s)}",
        f"{f.booked_within_15} of {n} ({100 * f.booked_within_15 / n:.0f} %)",
        f"{m(f.booking_line_walk_ins.p50_s)} / {m(f.booking_line_walk_ins.p90_s)}",
        f"{m(f.booking_line_walk_ins_without.p50_s)} / {m(f.booking_line_walk_ins_without.p90_s)}",
        f"{m(f.walk_ins.p50_s)} / {m(f.walk_ins.p90_s)}",
        f"{m(f.walk_ins_without.p50_s)} / {m(f.walk_ins_without.p90_s)}",
        f"{m(f.priority.p90_s)} / {m(f.priority_without.p90_s)}",
        str(f.estimated_over),
        f"{f.over} of {f.walk_in_regular} ({100 * f.over / f.walk_in_regular:.2f} %)",
        str(f.reasons.get("pesanan", 0)),
    ]


@pytest.fixture(scope="module")
def measured() -> dict[float, list[tuple[MixedDaySpec, MixedDay]]]:
    demo = load_demo_building()
    out = {}
    for pct in (50.0, 100.0):
        building = replace(demo, policy=replace(demo.policy, booking_delay_pct=pct))
        out[pct] = measure_mixed_days(building, MIXED_DAYS)
    return out


def test_the_default_allowance_is_the_one_the_doc_measured() -> None:
    assert load_demo_building().policy.booking_delay_pct == 50.0


@pytest.mark.parametrize("pct", [50.0, 100.0])
def test_the_doc_tables_say_what_the_simulator_measures(
    pct: float, measured: dict[float, list[tuple[MixedDaySpec, MixedDay]]]
) -> None:
    table = doc_tables()[pct]
    assert sorted(table) == sorted((d.tickets, d.seed) for d in MIXED_DAYS)
    for spec, day in measured[pct]:
        cells = table[(spec.tickets, spec.seed)]
        assert cells[2:] == expected_cells(day), (pct, spec)


def test_no_walk_in_is_over_its_allowance_as_the_guard_estimated(
    measured: dict[float, list[tuple[MixedDaySpec, MixedDay]]],
) -> None:
    for rows in measured.values():
        for spec, day in rows:
            assert day.figures.estimated_over == 0, spec
