"""The simulated day: who comes when, drawn once per seed, independently of any policy.

`plan_day` draws a day of tickets from a seed (arrival instant, line, priority, no-show, counter
time, walk time), so the same seed gives the same citizens under every chooser and their waits
can be compared one by one (`server.simulate.run`), or played through a live server
(`server.simulate.live`).

The day's shape is shipped as constants (the project must run without ../shared): the arrival
profile and the demand per line come from the demo data set (`data/arrivals.csv`,
`data/demand.csv`, both *assumed* figures shaped on real MPPs). The building is always a real
one: the demo building is `server.config.load_demo_building()`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time

from server.core.building import Building, Line

__all__ = [
    "ARRIVAL_SHARES",
    "DEMAND_SHARES",
    "NO_SHOW_TIMEOUT_S",
    "OPENING",
    "SIM_DAY",
    "PlannedTicket",
    "SimParams",
    "TicketPlan",
    "plan_day",
]

# ------------------------------------------------------------------------------------------------
# The demo building's day, from /work/shared/data (README there: *assumed* figures)
# ------------------------------------------------------------------------------------------------

# data/arrivals.csv: share (%) of the day's tickets by half hour, local time.
ARRIVAL_SHARES: tuple[tuple[time, time, float], ...] = (
    (time(7, 30), time(8, 0), 14),
    (time(8, 0), time(8, 30), 13),
    (time(8, 30), time(9, 0), 11),
    (time(9, 0), time(9, 30), 10),
    (time(9, 30), time(10, 0), 9),
    (time(10, 0), time(10, 30), 8),
    (time(10, 30), time(11, 0), 7),
    (time(11, 0), time(11, 30), 6),
    (time(11, 30), time(12, 0), 4),
    (time(12, 0), time(12, 30), 3),
    (time(12, 30), time(13, 0), 3),
    (time(13, 0), time(13, 30), 4),
    (time(13, 30), time(14, 0), 3),
    (time(14, 0), time(14, 30), 2),
    (time(14, 30), time(15, 0), 2),
    (time(15, 0), time(15, 30), 1),
    (time(15, 30), time(16, 0), 0),
)

# data/demand.csv: share (%) of tickets by line prefix.
DEMAND_SHARES: dict[str, float] = {
    "A": 16, "B": 9, "C": 6, "D": 5, "E": 12, "F": 2, "G": 8, "H": 5, "J": 6, "K": 4, "L": 6,
    "M": 3, "N": 1, "P": 4, "R": 3, "S": 2, "T": 2, "U": 1, "V": 2, "W": 2, "X": 1,
}  # fmt: skip


# How long a counter waits for a no-show (a call and one recall) before calling the next:
# *assumed*, DOMAIN.md gives no figure.
NO_SHOW_TIMEOUT_S = 120.0

# A Monday with no holiday: the simulated day. Only its date appears in ticket ids.
SIM_DAY = date(2026, 11, 23)
OPENING = time(7, 30)  # every counter opens then; arrivals count from it


# ------------------------------------------------------------------------------------------------
# The plan: who comes when, drawn once per seed
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SimParams:
    """The day's assumptions (data/README.md); change one to ask "what if"."""

    tickets: int = 1000  # tickets drawn for the day (before quotas, when applied)
    priority_share: float = 0.08
    no_show_share: float = 0.06
    service_factor: float = 0.8  # mean counter time as a fraction of the line's target
    service_cv: float = 0.5  # lognormal coefficient of variation
    walk_s: tuple[float, float] = (20.0, 60.0)  # from the call to the counter, uniform
    no_show_timeout_s: float = NO_SHOW_TIMEOUT_S
    # Refuse tickets after a line's cutoff or beyond its quotas, as the kiosk would. Off by
    # default: the fairness question is about the calling order, not about who got a number.
    apply_limits: bool = False


@dataclass(frozen=True, slots=True)
class PlannedTicket:
    """One citizen of the simulated day; drawn independently of any calling policy."""

    line: str
    seq: int  # the number on the line: A-001 is seq 1
    priority: bool
    arrival_s: float  # seconds after opening
    no_show: bool
    service_s: float  # counter time once the citizen sits down
    walk_s: float  # from the call to the counter
    # A booked citizen (issue 19, `server.simulate.bookings`): the slot's start, seconds after
    # opening; the ticket is queued then, and `arrival_s` is the check-in. None: a walk-in.
    slot_s: float | None = None


@dataclass(frozen=True, slots=True)
class TicketPlan:
    """The tickets of a simulated day (not `calendar.DayPlan`, which is a day's opening hours)."""

    tickets: tuple[PlannedTicket, ...]  # in arrival order
    refused: int = 0  # drawn but refused by a cutoff or quota (apply_limits only)


def plan_day(
    building: Building,
    seed: int,
    params: SimParams = SimParams(),  # frozen: a shared default is safe
    arrivals: Sequence[tuple[time, time, float]] = ARRIVAL_SHARES,
    demand: Mapping[str, float] = DEMAND_SHARES,
) -> TicketPlan:
    """A day of tickets for `building`, the same for the same seed whatever the policy."""
    rng = random.Random(seed)
    prefixes = [p for p in demand if building.line(p) is not None and demand[p] > 0]
    if not prefixes:
        raise ValueError("no line of the building has any demand")
    line_weights = [demand[p] for p in prefixes]
    slots = [(_seconds(a), _seconds(b)) for a, b, share in arrivals if share > 0]
    slot_weights = [share for _a, _b, share in arrivals if share > 0]
    sigma = math.sqrt(math.log1p(params.service_cv**2))

    drawn: list[tuple[float, str, bool, bool, float, float]] = []
    for _ in range(params.tickets):
        # Every attribute is drawn for every ticket in a fixed order, so changing one
        # parameter (say the priority share) does not reshuffle all the others.
        lo, hi = rng.choices(slots, slot_weights)[0]
        arrival = lo + rng.random() * (hi - lo)
        prefix = rng.choices(prefixes, line_weights)[0]
        priority = rng.random() < params.priority_share
        no_show = rng.random() < params.no_show_share
        target = building.line(prefix).target_service_min * 60.0  # type: ignore[union-attr]
        mean = params.service_factor * target
        service = rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma)
        walk = rng.uniform(*params.walk_s)
        drawn.append((arrival, prefix, priority, no_show, service, walk))
    drawn.sort(key=lambda d: d[0])

    seqs: dict[str, int] = {}
    issued_walk_in: dict[str, int] = {}
    issued_priority: dict[str, int] = {}
    refused = 0
    out: list[PlannedTicket] = []
    for arrival, prefix, priority, no_show, service, walk in drawn:
        if params.apply_limits and _refused(
            building.line(prefix),  # type: ignore[arg-type]
            arrival,
            priority,
            issued_priority if priority else issued_walk_in,
        ):
            refused += 1
            continue
        counts = issued_priority if priority else issued_walk_in
        counts[prefix] = counts.get(prefix, 0) + 1
        seqs[prefix] = seqs.get(prefix, 0) + 1
        out.append(PlannedTicket(prefix, seqs[prefix], priority, arrival, no_show, service, walk))
    return TicketPlan(tuple(out), refused)


def _refused(line: Line, arrival_s: float, priority: bool, issued: Mapping[str, int]) -> bool:
    if line.cutoff is not None and arrival_s > _seconds(line.cutoff):
        return True
    quota = line.quota_priority if priority else line.quota_walk_in
    return quota is not None and issued.get(line.prefix, 0) >= quota


def _seconds(t: time) -> float:
    """Seconds after opening (07:30) of a local time of day."""
    return (t.hour * 3600 + t.minute * 60 + t.second) - (OPENING.hour * 3600 + OPENING.minute * 60)
