"""One visit, several agencies (issue 22): the same day served three ways, and what each costs.

Theory of operation. `plan_visit_day` draws a day of citizens from a seed: the day of
`server.simulate.day` (arrivals, lines, priority, no-shows, counter times), then a share of the
citizens (15 % by default) are on a visit of two or three stops drawn from `VISIT_ROUTES`, the
pairs and triples MPPs report; the rest keep their single ticket. `serve_visit_day` serves that
day with every counter of the building open from 07:30 until nobody waits, each free counter
asking the building's calling policy (`server.core.policy.choose_next`) for its next ticket, in
one of three ways for the multi-stop citizens:

1. `Way.VISIT` — our rule: one visit; the next stop's ticket joins its line the instant the
   previous stop is finished, queued at `server.core.visits.next_queued_at(start, hand-on,
   credit)` = max(visit start, hand-on − credit). The core's own function, not a copy.
2. `Way.AT_ONCE` — separate tickets, all taken at arrival (queued then). A citizen called at
   one line while walking to or sitting at another counter comes if they are free again within
   the counter's no-show wait (`NO_SHOW_TIMEOUT_S`: a call and one recall); otherwise the
   counter marks a no-show and calls the next. A call for a stop whose prerequisite
   (`Line.requires`: BPJS after KK) is not done yet is passed too: that officer cannot serve
   them yet. A no-show comes back the moment the citizen is free (and the prerequisite done):
   within `[policy] noshow_window_min` (30) of the mark the officer reactivates the ticket and
   it regains its place (its queued_at); later it is lost and the citizen takes a new ticket,
   queued then.
3. `Way.IN_TURN` — separate tickets taken one after another: the next ticket is taken the
   instant the previous stop is finished and queued then (no credit). Way 1 with a credit of 0.

The stops come in the route's order (which respects `requires`) in ways 1 and 3. Multi-stop
citizens never leave of their own accord (the day's no-show share applies to single citizens,
who never come back). `measure_visits` serves the day the three ways and way 1 once per credit
of the sweep; `format_visits` prints the tables of docs/calling-policy.md ("A visit's next
stop"). Deterministic for a seed: nothing here reads the clock or the disk.
"""

from __future__ import annotations

import heapq
import math
import random
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum

from server.core.building import Building
from server.core.estimates import mean_service_s, quantile
from server.core.events import PriorityGroup
from server.core.model import Ticket, TicketState
from server.core.policy import (
    choose_next,
    overtaking_cost_s,
    passed_over,
    ratio_count_after,
)
from server.core.visits import next_queued_at
from server.core.waitlist import WaitingLine, queue_key
from server.simulate.day import NO_SHOW_TIMEOUT_S, OPENING, SIM_DAY, SimParams, plan_day

__all__ = [
    "CREDIT_SWEEP_MIN",
    "VISIT_ROUTES",
    "Citizen",
    "CitizenResult",
    "Jump",
    "PlannedStop",
    "VisitDayResult",
    "VisitParams",
    "VisitPlan",
    "VisitReport",
    "Way",
    "WayFigures",
    "format_visits",
    "measure_visits",
    "plan_visit_day",
    "serve_visit_day",
    "way_figures",
]

# ------------------------------------------------------------------------------------------------
# Who comes for several services: the routes MPPs report
# ------------------------------------------------------------------------------------------------

# (stops in the order they are done, weight). The pairs are those MPP front desks and agency
# pages describe as "bring the result of the first to the second"; the weights are *assumed*
# (no source counts them), larger for the everyday Dukcapil chains.
VISIT_ROUTES: tuple[tuple[tuple[str, ...], float], ...] = (
    # KK (B) → BPJS Kesehatan (J): a new family member or a changed KK must be registered at
    # BPJS with the new KK ("perubahan data peserta wajib melampirkan KK terbaru").
    (("B", "J"), 25),
    # KTP-el (A) → Paspor (P): Imigrasi asks for the e-KTP (and KK) of the applicant.
    (("A", "P"), 12),
    # Perizinan OSS / NIB (M) → NPWP (R): a new business takes its NIB, then registers its tax
    # number ("NIB lalu NPWP badan") at the KPP desk.
    (("M", "R"), 10),
    # BPHTB at Bapenda (T) → BPN peralihan hak (S): the land office registers a transfer only
    # once the acquisition tax is paid ("bukti bayar BPHTB" is a BPN requirement).
    (("T", "S"), 8),
    # Samsat (E) → Bank Daerah (L): the annual vehicle tax is assessed at Samsat and paid at
    # the regional bank's desk in the same hall.
    (("E", "L"), 12),
    # KK (B) → Kemenag (U): marriage registration at the KUA needs the KK and KTP.
    (("B", "U"), 6),
    # SKCK (G) → SIM (H): a new driving licence at Polres asks for the police record first.
    (("G", "H"), 8),
    # Triples: KK → BPJS Kesehatan → BPJS Ketenagakerjaan (the whole family's data after a
    # change); KTP-el → KK → BPJS Kesehatan (moving in: "pindah datang" then BPJS); NIB → NPWP
    # → Bank Daerah (a new business's first tax payment); BPHTB → BPN → Bank Daerah (the land
    # office's fee, PNBP, paid at the regional bank's desk).
    (("B", "J", "K"), 6),
    (("A", "B", "J"), 6),
    (("M", "R", "L"), 4),
    (("T", "S", "L"), 3),
)

CREDIT_SWEEP_MIN: tuple[float, ...] = (0.0, 5.0, 15.0, 30.0, 60.0)


class Way(Enum):
    """How a multi-stop citizen's tickets are taken."""

    VISIT = "one visit, the credit rule"
    AT_ONCE = "separate tickets taken at once"
    IN_TURN = "separate tickets taken one after another"


@dataclass(frozen=True, slots=True)
class VisitParams:
    """The day's assumptions beside `SimParams` (docs/calling-policy.md)."""

    citizens: int = 700  # a day the demo building can serve (1,000 overloads Dukcapil)
    multi_share: float = 0.15  # of citizens, on two or three stops
    routes: tuple[tuple[tuple[str, ...], float], ...] = VISIT_ROUTES


@dataclass(frozen=True, slots=True)
class PlannedStop:
    line: str
    service_s: float  # counter time once the citizen sits down
    walk_s: float  # from the call to the counter


@dataclass(frozen=True, slots=True)
class Citizen:
    index: int  # in arrival order
    arrival_s: float  # seconds after opening
    priority: bool
    stops: tuple[PlannedStop, ...]
    no_show: bool = False  # a single citizen who never answers the call

    @property
    def multi(self) -> bool:
        return len(self.stops) > 1


@dataclass(frozen=True, slots=True)
class VisitPlan:
    citizens: tuple[Citizen, ...]  # in arrival order


def plan_visit_day(
    building: Building,
    seed: int,
    params: VisitParams = VisitParams(),  # frozen: a shared default is safe
    sim: SimParams | None = None,
) -> VisitPlan:
    """The day of `plan_day` for `params.citizens`, a share of them on a visit of several stops."""
    sim = sim or SimParams(tickets=params.citizens)
    base = plan_day(building, seed, replace(sim, tickets=params.citizens))
    routes = [
        (stops, w)
        for stops, w in params.routes
        if w > 0 and all(building.counters_serving(p) for p in stops)
    ]
    rng = random.Random(seed * 1_000_003 + 22)  # apart from plan_day's draws
    sigma = math.sqrt(math.log1p(sim.service_cv**2))
    longest = max((len(s) for s, _w in routes), default=0)
    # Exactly the share (rounded) of the day's citizens, drawn first; then every draw is made
    # for every citizen, so a different share changes who is on a visit and nothing else.
    n = len(base.tickets)
    chosen = set(rng.sample(range(n), round(params.multi_share * n))) if routes else set()
    out: list[Citizen] = []
    for i, pt in enumerate(base.tickets):
        multi = i in chosen
        route = rng.choices([s for s, _w in routes], [w for _s, w in routes])[0] if routes else ()
        services = [rng.lognormvariate(0.0, sigma) for _ in range(longest)]
        walks = [rng.uniform(*sim.walk_s) for _ in range(longest)]
        if multi and route:
            stops = tuple(
                PlannedStop(
                    p,
                    # lognormvariate(0, σ) has mean e^(σ²/2): rescaled to the line's mean.
                    services[k]
                    * math.exp(-(sigma**2) / 2)
                    * sim.service_factor
                    * 60.0
                    * building.line(p).target_service_min,  # type: ignore[union-attr]
                    pt.walk_s if k == 0 else walks[k],
                )
                for k, p in enumerate(route)
            )
            out.append(Citizen(i, pt.arrival_s, pt.priority, stops))
        else:
            stop = PlannedStop(pt.line, pt.service_s, pt.walk_s)
            out.append(Citizen(i, pt.arrival_s, pt.priority, (stop,), pt.no_show))
    return VisitPlan(tuple(out))


# ------------------------------------------------------------------------------------------------
# The day served
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Jump:
    """A multi-stop citizen's ticket that entered its line ahead of tickets already waiting."""

    at_s: float  # when (seconds after opening)
    line: str
    queued_s: float  # its queued_at, seconds after opening
    passed: int  # tickets it went ahead of
    longest_wait_passed_s: float  # the longest any of them had waited then


@dataclass(frozen=True, slots=True)
class CitizenResult:
    index: int
    lines: tuple[str, ...]
    priority: bool
    arrival_s: float
    first_call_s: float  # the first call that served them (a single no-show: its call)
    left_s: float | None  # last stop finished; None for a single no-show
    no_shows: int  # calls they missed (way 2)
    lost: int  # no-shows past the window: a new ticket at the back (way 2)
    overtaken: int  # times a multi-stop citizen's ticket entered its line ahead of them
    no_show: bool  # a single citizen who never came

    @property
    def multi(self) -> bool:
        return len(self.lines) > 1

    @property
    def wait_s(self) -> float:
        return self.first_call_s - self.arrival_s

    @property
    def in_building_s(self) -> float:
        assert self.left_s is not None, "a no-show never left a counter"
        return self.left_s - self.arrival_s


@dataclass(frozen=True, slots=True)
class VisitDayResult:
    way: Way
    credit_min: float  # the credit way 1 used (0 for ways 2 and 3)
    citizens: tuple[CitizenResult, ...]
    jumps: tuple[Jump, ...]


@dataclass(slots=True)
class _Walker:
    """A citizen's state while the day runs."""

    citizen: Citizen
    next_stop: int = 0  # ways 1 and 3: the stop whose ticket is live
    done: set[int] = field(default_factory=set)
    busy_until: float = -math.inf  # walking to or sitting at a counter until then
    missed: dict[int, tuple[Ticket, float]] = field(default_factory=dict)  # stop -> (ticket, mark)
    first_call: float | None = None
    left: float | None = None
    no_shows: int = 0
    lost: int = 0
    overtaken: int = 0


def serve_visit_day(
    building: Building,
    plan: VisitPlan,
    way: Way,
    *,
    credit_min: float | None = None,
    no_show_timeout_s: float = NO_SHOW_TIMEOUT_S,
) -> VisitDayResult:
    """Serve the planned day with every counter open; `credit_min` None: the building's."""
    credit = building.policy.visit_credit_min if credit_min is None else credit_min
    if way is not Way.VISIT:
        credit = 0.0
    window_s = building.policy.noshow_window_min * 60.0
    start = datetime.combine(SIM_DAY, OPENING, tzinfo=building.tz)
    r = building.policy.regular_per_priority
    waiting: dict[str, WaitingLine] = {ln.prefix: WaitingLine() for ln in building.lines}
    capacity = {
        ln.prefix: sum(1 / len(c.serves) for c in building.counters_serving(ln.prefix))
        for ln in building.lines
    }
    targets = {ln.prefix: ln.target_service_min for ln in building.lines}
    window = building.policy.estimate_window
    recent: dict[str, deque[float]] = {ln.prefix: deque(maxlen=window) for ln in building.lines}
    costs = {p: overtaking_cost_s(60.0 * targets[p], capacity[p]) for p in targets}
    requires = {ln.prefix: ln.requires for ln in building.lines}
    counts: dict[str, int] = {}
    counters = building.counters
    idle_since: dict[int, float] = dict.fromkeys(range(len(counters)), 0.0)
    busy: list[tuple[float, int]] = []  # (free at, counter index)
    serving: dict[int, tuple[Ticket, bool]] = {}  # counter -> (ticket, served: else a no-show)
    owner: dict[str, tuple[_Walker, int]] = {}  # ticket id -> (citizen, stop index)
    seqs: dict[str, int] = {}
    walkers = [_Walker(c) for c in plan.citizens]
    jumps: list[Jump] = []

    def secs(at: datetime) -> float:
        return (at - start).total_seconds()

    def enqueue(w: _Walker, k: int, queued_s: float, now_s: float, ticket: Ticket | None) -> None:
        """Put stop k's ticket in its line (a new one unless `ticket`, reactivated)."""
        line = w.citizen.stops[k].line
        if ticket is None:
            seqs[line] = seqs.get(line, 0) + 1
            number = f"{line}-{seqs[line]:03d}"
            at = start + timedelta(seconds=queued_s)
            ticket = Ticket(
                id=f"{SIM_DAY.isoformat()}/{number}",
                day=SIM_DAY,
                number=number,
                seq=seqs[line],
                line=line,
                priority=PriorityGroup.LANSIA if w.citizen.priority else None,
                state=TicketState.WAITING,
                issued_at=start + timedelta(seconds=now_s),
                queued_at=at,
                token=f"sim-{number}",
            )
        owner[ticket.id] = (w, k)
        queue = waiting[line]
        queue.add(ticket)
        if not w.citizen.multi:
            return
        i = bisect_left(queue.keys, queue_key(ticket))
        ahead_of = queue[i + 1 :]
        if ahead_of:
            for passed in ahead_of:
                owner[passed.id][0].overtaken += 1
            longest = max(now_s - secs(p.queued_at) for p in ahead_of)
            jumps.append(Jump(now_s, line, queued_s, len(ahead_of), longest))

    def ready(w: _Walker, k: int) -> bool:
        lines = [s.line for s in w.citizen.stops]
        needed = requires.get(lines[k], ())
        return all(j in w.done for j, p in enumerate(lines) if p in needed)

    def come_back(w: _Walker, t: float) -> None:
        """Way 2: a free citizen goes back to the lines whose call they missed."""
        if w.busy_until > t:
            return
        for k in sorted(w.missed):
            if not ready(w, k):
                continue
            ticket, marked = w.missed.pop(k)
            if t - marked <= window_s:
                enqueue(w, k, secs(ticket.queued_at), t, ticket)  # reactivated: its place back
            else:
                w.lost += 1
                enqueue(w, k, t, t, None)

    def finished(w: _Walker, k: int, t: float) -> None:
        w.done.add(k)
        stops = w.citizen.stops
        if len(w.done) == len(stops):
            w.left = t
        elif way is Way.AT_ONCE:
            come_back(w, t)
        else:
            w.next_stop = k + 1
            at = start + timedelta(seconds=t)
            queued = next_queued_at(start + timedelta(seconds=w.citizen.arrival_s), at, credit)
            enqueue(w, k + 1, secs(queued), t, None)

    plan_order = plan.citizens
    next_arrival = 0
    while next_arrival < len(plan_order) or busy:
        t = min(
            plan_order[next_arrival].arrival_s if next_arrival < len(plan_order) else math.inf,
            busy[0][0] if busy else math.inf,
        )
        freed: list[int] = []
        while busy and busy[0][0] <= t:
            _at, idx = heapq.heappop(busy)
            ticket, served = serving.pop(idx)
            w, k = owner[ticket.id]
            if served:
                recent[ticket.line].append(w.citizen.stops[k].service_s)
                costs[ticket.line] = overtaking_cost_s(
                    mean_service_s(recent[ticket.line], targets[ticket.line]),
                    capacity[ticket.line],
                )
                finished(w, k, t)
            elif w.citizen.multi:  # way 2: marked a no-show now
                w.no_shows += 1
                w.missed[k] = (ticket, t)
                come_back(w, t)
            freed.append(idx)
        while next_arrival < len(plan_order) and plan_order[next_arrival].arrival_s <= t:
            c = plan_order[next_arrival]
            next_arrival += 1
            w = walkers[c.index]
            for k in range(len(c.stops) if way is Way.AT_ONCE else 1):
                enqueue(w, k, c.arrival_s, t, None)
        now = start + timedelta(seconds=t)
        order = sorted(idle_since, key=lambda i: (idle_since[i], i)) + freed
        for idx in order:
            choice = choose_next(counters[idx], waiting, counts, building, now, costs)
            if choice is None:
                idle_since.setdefault(idx, t)
                continue
            idle_since.pop(idx, None)
            ticket = choice.ticket
            waiting[ticket.line].discard(ticket)
            counts[ticket.line] = ratio_count_after(counts.get(ticket.line), ticket, r)
            for passed in passed_over(counters[idx], waiting, ticket):
                passed.overtaken += 1  # the guard reads it, as QueueState keeps it
            w, k = owner[ticket.id]
            stop = w.citizen.stops[k]
            if w.citizen.no_show:
                hold, served = no_show_timeout_s, False
            elif way is Way.AT_ONCE and w.citizen.multi and not ready(w, k):
                hold, served = no_show_timeout_s, False  # that officer cannot serve them yet
            elif w.busy_until + stop.walk_s <= t + no_show_timeout_s:
                # Free, or free again in time to answer the recall (way 2 only: in ways 1 and
                # 3 the citizen is never in a line while at a counter).
                hold, served = max(w.busy_until - t, 0.0) + stop.walk_s + stop.service_s, True
                w.busy_until = t + hold
            else:
                hold, served = no_show_timeout_s, False
            if w.first_call is None and (served or not w.citizen.multi):
                w.first_call = t
            serving[idx] = (ticket, served)
            heapq.heappush(busy, (t + hold, idx))

    results = tuple(
        CitizenResult(
            index=w.citizen.index,
            lines=tuple(s.line for s in w.citizen.stops),
            priority=w.citizen.priority,
            arrival_s=w.citizen.arrival_s,
            first_call_s=w.first_call if w.first_call is not None else math.nan,
            left_s=w.left,
            no_shows=w.no_shows,
            lost=w.lost,
            overtaken=w.overtaken,
            no_show=w.citizen.no_show,
        )
        for w in walkers
    )
    return VisitDayResult(way, credit, results, tuple(jumps))


# ------------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WayFigures:
    label: str
    visits: int  # multi-stop citizens
    total_mean_s: float  # their time in the building, arrival to last stop finished
    total_p50_s: float
    total_p90_s: float
    visit_no_shows: int
    visit_lost: int  # no-shows past the window, re-queued at the back
    singles: int  # single citizens who came to the call
    single_wait_mean_s: float
    single_wait_p90_s: float
    overtaken_citizens: int  # single citizens gone ahead of at least once
    overtaken_max: int  # the most times one single citizen was gone ahead of
    # A single citizen's wait against the same citizen's under way 3. The tail also holds
    # knock-on effects (a counter shared by two lines, a priority turn moved), not only being
    # gone ahead of.
    extra_wait_mean_s: float
    extra_wait_p99_s: float
    extra_wait_max_s: float


def way_figures(label: str, day: VisitDayResult, baseline: VisitDayResult) -> WayFigures:
    """The figures of one way; `baseline` is the same plan served by way 3."""
    visits = [c for c in day.citizens if c.multi]
    singles = [c for c in day.citizens if not c.multi and not c.no_show]
    totals = [c.in_building_s for c in visits]
    waits = [c.wait_s for c in singles]
    base = {c.index: c for c in baseline.citizens}
    extra = [c.wait_s - base[c.index].wait_s for c in singles]
    return WayFigures(
        label=label,
        visits=len(visits),
        total_mean_s=_mean(totals),
        total_p50_s=quantile(totals, 0.5) if totals else 0.0,
        total_p90_s=quantile(totals, 0.9) if totals else 0.0,
        visit_no_shows=sum(c.no_shows for c in visits),
        visit_lost=sum(c.lost for c in visits),
        singles=len(singles),
        single_wait_mean_s=_mean(waits),
        single_wait_p90_s=quantile(waits, 0.9) if waits else 0.0,
        overtaken_citizens=sum(1 for c in singles if c.overtaken),
        overtaken_max=max((c.overtaken for c in singles), default=0),
        extra_wait_mean_s=_mean(extra),
        extra_wait_p99_s=quantile(extra, 0.99) if extra else 0.0,
        extra_wait_max_s=max(extra, default=0.0),
    )


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


@dataclass(frozen=True, slots=True)
class VisitReport:
    seed: int
    citizens: int
    ways: tuple[WayFigures, ...]  # ways 1, 2, 3
    sweep: tuple[tuple[float, WayFigures], ...]  # way 1 per credit (minutes)


def measure_visits(
    building: Building,
    seed: int,
    params: VisitParams = VisitParams(),  # frozen: a shared default is safe
    credits: Iterable[float] = CREDIT_SWEEP_MIN,
) -> VisitReport:
    """The day of `seed` served the three ways, and way 1 once per credit of the sweep."""
    plan = plan_visit_day(building, seed, params)
    baseline = serve_visit_day(building, plan, Way.IN_TURN)
    own = building.policy.visit_credit_min
    runs = {own: serve_visit_day(building, plan, Way.VISIT)}
    at_once = serve_visit_day(building, plan, Way.AT_ONCE)
    ways = (
        way_figures(f"(1) {Way.VISIT.value} ({own:g} min)", runs[own], baseline),
        way_figures(f"(2) {Way.AT_ONCE.value}", at_once, baseline),
        way_figures(f"(3) {Way.IN_TURN.value}", baseline, baseline),
    )
    sweep = []
    for c in credits:
        if c not in runs:
            runs[c] = serve_visit_day(building, plan, Way.VISIT, credit_min=c)
        sweep.append((c, way_figures(f"credit {c:g} min", runs[c], baseline)))
    return VisitReport(seed, len(plan.citizens), ways, tuple(sweep))


def _row(f: WayFigures) -> str:
    m = 60.0
    return (
        f"| {f.label} | {f.total_mean_s / m:.1f} / {f.total_p50_s / m:.1f} / "
        f"{f.total_p90_s / m:.1f} | {f.visit_no_shows} ({f.visit_lost} lost) | "
        f"{f.single_wait_mean_s / m:.1f} / {f.single_wait_p90_s / m:.1f} | "
        f"{f.overtaken_citizens} of {f.singles} / {f.overtaken_max} | "
        f"{f.extra_wait_mean_s / m:+.1f} / {f.extra_wait_p99_s / m:+.1f} / "
        f"{f.extra_wait_max_s / m:+.1f} |"
    )


_HEAD = (
    "| {first} | multi-stop: in building mean / p50 / p90 (min) | their no-shows (lost) "
    "| single citizens: wait mean / p90 (min) | single citizens gone ahead of / most times "
    "| single citizens' extra wait vs (3): mean / p99 / max (min) |\n|---|---|---|---|---|---|"
)


def format_visits(report: VisitReport) -> str:
    """The two tables: the three ways, and way 1's credit sweep."""
    visits = report.ways[0].visits
    lines = [
        f"seed {report.seed}, {report.citizens} citizens, {visits} of them on a visit of "
        f"2 or 3 stops ({100 * visits / max(report.citizens, 1):.1f} %)",
        "",
        _HEAD.format(first="way"),
        *(_row(f) for f in report.ways),
        "",
        _HEAD.format(first="way (1), credit"),
        *(_row(f) for _c, f in report.sweep),
    ]
    return "\n".join(lines)
