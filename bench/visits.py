"""Visits to several agencies (issue 22): `antre simulate --visits` on seeds 1–3, as figures.

No timing and no server: the seeded days of `server.simulate.visits` (700 citizens of the demo
building, 15 % of them on two or three stops), served as one visit with the credit rule, as
separate tickets taken at once, and one after another, plus the credit sweep. About a second
of CPU. The figures are those of docs/calling-policy.md, "A visit's next stop".
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from server.config import load_demo_building
from server.simulate.visits import format_visits, measure_visits

__all__ = ["VISIT_SEEDS", "run_visits"]

VISIT_SEEDS = (1, 2, 3)


def run_visits() -> dict[str, Any]:
    """Print each seed's tables; return the figures, and whether our rule met its aim on every
    seed: shorter mean time in the building than tickets one after another, at most a minute
    more of mean wait for the single citizens."""
    building = load_demo_building()
    days = []
    met = True
    for seed in VISIT_SEEDS:
        report = measure_visits(building, seed)
        print(format_visits(report))
        ours, _at_once, in_turn = report.ways
        met = met and (ours.total_mean_s < in_turn.total_mean_s and ours.extra_wait_mean_s <= 60.0)
        days.append(
            {
                "seed": seed,
                "citizens": report.citizens,
                "ways": [asdict(f) for f in report.ways],
                "sweep": [{"credit_min": c, **asdict(f)} for c, f in report.sweep],
            }
        )
    return {"days": days, "met": met}
