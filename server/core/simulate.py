"""A pure day simulator: does the calling policy keep priority fast without starving anyone?

Theory of operation. `plan_day` draws a day of tickets from a seed (arrival instant, line,
priority, no-show, counter time, walk time), independently of any policy, so the same seed gives
the same citizens under every chooser and their waits can be compared one by one. `run_plan`
is a discrete-event loop: tickets join their line's waiting list at their arrival instant; a free
counter asks the chooser (`policy.choose_next`, or `fifo_choose` for the baseline) for its next
ticket and stays busy for the walk plus the service (or `no_show_timeout_s` for a no-show); the
loop keeps `regular_since_priority` itself with `policy.ratio_count_after`. Every counter of the
building is open from 07:30 until nobody waits. Nothing here uses `server.core.queue`, the clock
or the disk: the simulator drives the policy directly, deterministically for a seed.

The day's shape is shipped as constants (the project must run without ../shared): the arrival
profile and the demand per line come from the demo data set (`data/arrivals.csv`,
`data/demand.csv`, both *assumed* figures shaped on real MPPs), and `demo_layout()` rebuilds the
demo building's 21 lines and 31 counters from `data/lines.csv`, `counters.csv`, `agencies.csv`.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import overload

from server.core.building import (
    Agency,
    Building,
    Counter,
    DayHours,
    Line,
    PolicySettings,
    TimeRange,
    Zone,
)
from server.core.estimates import estimate_wait_s, mean_service_s
from server.core.model import CallReason, PriorityGroup, Ticket, TicketState
from server.core.policy import (
    Choice,
    choose_next,
    fifo_key,
    overtaking_cost_s,
    passed_over,
    ratio_count_after,
)

__all__ = [
    "ARRIVAL_SHARES",
    "DEMAND_SHARES",
    "NO_SHOW_TIMEOUT_S",
    "SIM_DAY",
    "Chooser",
    "DayPlan",
    "FairnessCheck",
    "PlannedTicket",
    "SimParams",
    "SimResult",
    "SimSummary",
    "SimTicket",
    "WaitStats",
    "compare_with_fifo",
    "demo_building",
    "demo_layout",
    "fifo_choose",
    "format_comparison",
    "format_guard_alternative",
    "plan_day",
    "quantile",
    "run_plan",
    "simulate_day",
    "with_guard",
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

# data/agencies.csv: code, name, short name, zone.
_AGENCIES: tuple[tuple[str, str, str, str], ...] = (
    ("DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "Dukcapil", "1"),
    ("SAMSAT", "Sistem Administrasi Manunggal Satu Atap", "Samsat", "1"),
    ("POLRES", "Kepolisian Resor", "Polres", "1"),
    ("BPJSKES", "BPJS Kesehatan", "BPJS Kesehatan", "1"),
    ("BPJSTK", "BPJS Ketenagakerjaan", "BPJS Ketenagakerjaan", "1"),
    ("BANKDA", "Bank Pembangunan Daerah", "Bank Daerah", "1"),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "Perizinan", "2"),
    ("IMIGRASI", "Kantor Imigrasi", "Imigrasi", "2"),
    ("KPP", "Kantor Pelayanan Pajak Pratama", "Pajak", "2"),
    ("BPN", "Kantor Pertanahan (ATR/BPN)", "BPN", "2"),
    ("BAPENDA", "Badan Pendapatan Daerah", "Bapenda", "2"),
    ("KEMENAG", "Kantor Kementerian Agama", "Kemenag", "2"),
    ("PDAM", "Perusahaan Daerah Air Minum", "PDAM", "2"),
    ("PLN", "PT PLN (Persero)", "PLN", "2"),
    ("PA", "Pengadilan Agama", "Pengadilan Agama", "2"),
)

# data/lines.csv: agency, prefix, name, target minutes, walk-in quota, priority quota, cutoff.
_LINES: tuple[tuple[str, str, str, float, int | None, int | None, str], ...] = (
    ("DUKCAPIL", "A", "Perekaman dan Cetak KTP-el", 10, 300, 40, "14:30"),
    ("DUKCAPIL", "B", "Kartu Keluarga dan Pindah Datang", 12, 200, 30, "14:30"),
    ("DUKCAPIL", "C", "Akta Kelahiran dan Kematian", 10, 150, 20, "14:30"),
    ("DUKCAPIL", "D", "Aktivasi IKD dan Konsultasi", 8, None, None, "15:00"),
    ("SAMSAT", "E", "Pajak Kendaraan Tahunan", 7, None, None, "15:00"),
    ("SAMSAT", "F", "STNK Lima Tahunan", 15, 80, 10, "14:00"),
    ("POLRES", "G", "SKCK", 15, 150, 20, "14:00"),
    ("POLRES", "H", "Perpanjangan SIM", 20, 100, 15, "13:00"),
    ("BPJSKES", "J", "Pendaftaran dan Perubahan Data", 12, None, None, "15:30"),
    ("BPJSTK", "K", "Klaim JHT dan Layanan Peserta", 20, 60, 10, "14:00"),
    ("BANKDA", "L", "Pembayaran Pajak dan Retribusi", 5, None, None, "15:30"),
    ("DPMPTSP", "M", "Perizinan Berusaha (OSS)", 20, None, None, "15:00"),
    ("DPMPTSP", "N", "Persetujuan Bangunan Gedung (PBG)", 25, 40, 5, "14:00"),
    ("IMIGRASI", "P", "Paspor Baru dan Penggantian", 15, 60, 15, "13:00"),
    ("KPP", "R", "NPWP dan Konsultasi Pajak", 10, None, None, "15:00"),
    ("BPN", "S", "Pengecekan dan Peralihan Hak", 20, 40, 5, "14:00"),
    ("BAPENDA", "T", "PBB dan BPHTB", 10, None, None, "15:00"),
    ("KEMENAG", "U", "Pendaftaran Nikah dan Haji", 15, 30, 5, "14:00"),
    ("PDAM", "V", "Pasang Baru dan Pengaduan Air", 10, None, None, "15:30"),
    ("PLN", "W", "Layanan Pelanggan Listrik", 10, None, None, "15:30"),
    ("PA", "X", "Pendaftaran Perkara dan Informasi", 20, 30, 5, "14:00"),
)

# data/counters.csv: id, zone, agency, lines served. Names are "Loket <n>"; L07 is Dukcapil's
# priority counter.
_COUNTERS: tuple[tuple[str, str, str, str], ...] = (
    ("L01", "1", "DUKCAPIL", "A"), ("L02", "1", "DUKCAPIL", "A"), ("L03", "1", "DUKCAPIL", "AB"),
    ("L04", "1", "DUKCAPIL", "B"), ("L05", "1", "DUKCAPIL", "C"), ("L06", "1", "DUKCAPIL", "CD"),
    ("L07", "1", "DUKCAPIL", "ABCD"), ("L08", "1", "SAMSAT", "E"), ("L09", "1", "SAMSAT", "E"),
    ("L10", "1", "SAMSAT", "EF"), ("L11", "1", "POLRES", "G"), ("L12", "1", "POLRES", "GH"),
    ("L13", "1", "POLRES", "H"), ("L14", "1", "BPJSKES", "J"), ("L15", "1", "BPJSKES", "J"),
    ("L16", "1", "BPJSTK", "K"), ("L17", "1", "BPJSTK", "K"), ("L18", "1", "BANKDA", "L"),
    ("L19", "1", "BANKDA", "L"), ("L20", "2", "DPMPTSP", "M"), ("L21", "2", "DPMPTSP", "MN"),
    ("L22", "2", "IMIGRASI", "P"), ("L23", "2", "IMIGRASI", "P"), ("L24", "2", "KPP", "R"),
    ("L25", "2", "KPP", "R"), ("L26", "2", "BPN", "S"), ("L27", "2", "BAPENDA", "T"),
    ("L28", "2", "KEMENAG", "U"), ("L29", "2", "PDAM", "V"), ("L30", "2", "PLN", "W"),
    ("L31", "2", "PA", "X"),
)  # fmt: skip

_PRIORITY_COUNTERS = frozenset({"L07"})

# How long a counter waits for a no-show (a call and one recall) before calling the next:
# *assumed*, DOMAIN.md gives no figure.
NO_SHOW_TIMEOUT_S = 120.0

# A Monday with no holiday: the simulated day. Only its date appears in ticket ids.
SIM_DAY = date(2026, 11, 23)
_OPEN = time(7, 30)


def demo_layout(policy: PolicySettings | None = None) -> Building:
    """The demo building "MPP Kota Contoh" rebuilt from the shared CSV tables (no TOML needed)."""
    weekday = DayHours(time(7, 30), time(16, 0))
    friday = DayHours(time(7, 30), time(16, 0), (TimeRange(time(11, 30), time(13, 0)),))
    return Building(
        name="MPP Kota Contoh",
        timezone="WIB",
        weekly=(weekday, weekday, weekday, weekday, friday, None, None),
        zones=(Zone("1", "Lantai 1"), Zone("2", "Lantai 2")),
        agencies=tuple(Agency(*row) for row in _AGENCIES),
        lines=tuple(
            Line(
                prefix=prefix,
                agency=agency,
                name=name,
                target_service_min=target,
                quota_walk_in=walk_in,
                quota_priority=prio,
                cutoff=time.fromisoformat(cutoff),
            )
            for agency, prefix, name, target, walk_in, prio, cutoff in _LINES
        ),
        counters=tuple(
            Counter(
                id=cid,
                name=f"Loket {int(cid[1:])}{' (Prioritas)' if cid in _PRIORITY_COUNTERS else ''}",
                number=int(cid[1:]),
                zone=zone,
                agency=agency,
                serves=tuple(serves),
                priority=cid in _PRIORITY_COUNTERS,
            )
            for cid, zone, agency, serves in _COUNTERS
        ),
        policy=policy or PolicySettings(),
    )


def demo_building() -> Building:
    """The demo building from server.config when it can be loaded, else `demo_layout()`."""
    # server.config is written alongside this module; the simulator must work without it.
    try:
        from server import config
    except ImportError:
        return demo_layout()
    loader = getattr(config, "load_demo_building", None)
    try:
        if loader is not None:
            return loader()
        return config.load_building(config.demo_building_path())
    except Exception:  # a half-built config module must not break the simulator
        return demo_layout()


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


@dataclass(frozen=True, slots=True)
class DayPlan:
    tickets: tuple[PlannedTicket, ...]  # in arrival order
    refused: int = 0  # drawn but refused by a cutoff or quota (apply_limits only)


def plan_day(
    building: Building,
    seed: int,
    params: SimParams = SimParams(),  # frozen: a shared default is safe
    arrivals: Sequence[tuple[time, time, float]] = ARRIVAL_SHARES,
    demand: Mapping[str, float] = DEMAND_SHARES,
) -> DayPlan:
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
    return DayPlan(tuple(out), refused)


def _refused(line: Line, arrival_s: float, priority: bool, issued: Mapping[str, int]) -> bool:
    if line.cutoff is not None and arrival_s > _seconds(line.cutoff):
        return True
    quota = line.quota_priority if priority else line.quota_walk_in
    return quota is not None and issued.get(line.prefix, 0) >= quota


def _seconds(t: time) -> float:
    """Seconds after opening (07:30) of a local time of day."""
    return (t.hour * 3600 + t.minute * 60 + t.second) - (_OPEN.hour * 3600 + _OPEN.minute * 60)


# ------------------------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------------------------

# (counter, waiting, regular_since_priority, building, now, overtaking costs) -> choice
Chooser = Callable[
    [
        Counter,
        Mapping[str, Sequence[Ticket]],
        Mapping[str, int],
        Building,
        datetime,
        Mapping[str, float] | None,
    ],
    Choice | None,
]


def fifo_choose(
    counter: Counter,
    waiting: Mapping[str, Sequence[Ticket]],
    regular_since_priority: Mapping[str, int],
    building: Building,
    now: datetime,
    costs: Mapping[str, float] | None = None,
) -> Choice | None:
    """The baseline: the oldest ticket of the counter's lines, ignoring priority and max wait."""
    heads = [waiting[p][0] for p in counter.serves if waiting.get(p)]
    return Choice(min(heads, key=fifo_key), CallReason.FIFO) if heads else None


@dataclass(frozen=True, slots=True)
class SimTicket:
    """What happened to one planned ticket."""

    id: str
    line: str
    priority: bool
    no_show: bool
    arrival_s: float
    called_s: float
    counter: str
    reason: CallReason
    call_index: int  # 0 for the day's first call, 1 for the next…
    estimated_wait_s: float  # what the kiosk would have printed (estimates.py)

    @property
    def wait_s(self) -> float:
        return self.called_s - self.arrival_s


@dataclass(frozen=True, slots=True)
class WaitStats:
    """Waits until the call, of the tickets whose citizen showed up."""

    count: int
    p50_s: float
    p90_s: float
    max_s: float
    mean_s: float
    estimate_bias_s: float  # mean of (actual - estimated): > 0 means the kiosk promised too little
    estimate_mae_s: float  # mean absolute error of the kiosk's estimate


@dataclass(frozen=True, slots=True)
class SimSummary:
    tickets: int  # issued (called, since every ticket is called eventually)
    refused: int
    no_shows: int
    priority: WaitStats
    regular: WaitStats
    reasons: dict[str, int]  # calls by CallReason value
    last_call_s: float  # seconds after opening of the day's last call


@dataclass(frozen=True, slots=True)
class SimResult:
    tickets: tuple[SimTicket, ...]  # in plan (arrival) order
    summary: SimSummary
    by_id: dict[str, SimTicket] = field(repr=False, compare=False)


def run_plan(
    building: Building,
    plan: DayPlan,
    chooser: Chooser = choose_next,
    *,
    no_show_timeout_s: float = NO_SHOW_TIMEOUT_S,
    indexed: bool = True,
) -> SimResult:
    """Serve a planned day with every counter open; `indexed=False` passes plain lists."""
    start = datetime.combine(SIM_DAY, _OPEN, tzinfo=building.tz)
    r = building.policy.regular_per_priority
    waiting: dict[str, _Line | list[Ticket]] = {
        ln.prefix: (_Line() if indexed else []) for ln in building.lines
    }
    capacity = {
        ln.prefix: sum(1 / len(c.serves) for c in building.counters_serving(ln.prefix))
        for ln in building.lines
    }
    targets = {ln.prefix: ln.target_service_min for ln in building.lines}
    window = building.policy.estimate_window
    recent: dict[str, deque[float]] = {ln.prefix: deque(maxlen=window) for ln in building.lines}
    # What one overtaking costs each line's regular tickets, kept as the policy's server does.
    costs = {p: overtaking_cost_s(60.0 * targets[p], capacity[p]) for p in targets}
    counts: dict[str, int] = {}
    counters = building.counters
    idle_since: dict[int, float] = dict.fromkeys(range(len(counters)), 0.0)
    busy: list[tuple[float, int]] = []  # heap of (free at, counter index)
    serving: dict[int, PlannedTicket] = {}

    planned: dict[str, PlannedTicket] = {}
    estimates: dict[str, float] = {}
    calls: dict[str, tuple[float, str, CallReason, int]] = {}
    todo = plan.tickets
    next_arrival = 0
    call_index = 0
    while next_arrival < len(todo) or busy:
        t = min(
            todo[next_arrival].arrival_s if next_arrival < len(todo) else math.inf,
            busy[0][0] if busy else math.inf,
        )
        # Counters that finish now go first, in the order they finished: a counter freed at the
        # same instant as an arrival sees that arrival.
        freed: list[int] = []
        while busy and busy[0][0] <= t:
            _free_at, idx = heapq.heappop(busy)
            done = serving.pop(idx)
            if not done.no_show:
                recent[done.line].append(done.service_s)
                costs[done.line] = overtaking_cost_s(
                    mean_service_s(recent[done.line], targets[done.line]), capacity[done.line]
                )
            freed.append(idx)
        while next_arrival < len(todo) and todo[next_arrival].arrival_s <= t:
            pt = todo[next_arrival]
            next_arrival += 1
            ticket = _ticket(pt, start)
            queue = waiting[pt.line]
            # What a kiosk knows: a regular ticket has its whole line ahead, a priority ticket
            # the priority tickets only (a rough figure: it ignores the ratio).
            ahead = sum(1 for w in queue if w.priority is not None) if pt.priority else len(queue)
            service = mean_service_s(recent[pt.line], targets[pt.line])
            estimates[ticket.id] = estimate_wait_s(ahead, capacity[pt.line], service)
            planned[ticket.id] = pt
            queue.append(ticket)
        now = start + timedelta(seconds=t)
        # Idle counters in the order they fell idle (then by position), then the freed ones.
        order = sorted(idle_since, key=lambda i: (idle_since[i], i)) + freed
        for idx in order:
            choice = chooser(counters[idx], waiting, counts, building, now, costs)
            if choice is None:
                idle_since.setdefault(idx, t)
                continue
            idle_since.pop(idx, None)
            ticket = choice.ticket
            queue = waiting[ticket.line]
            if isinstance(queue, _Line):
                queue.remove(ticket)
            else:
                del queue[_index_of(queue, ticket)]
            counts[ticket.line] = ratio_count_after(counts.get(ticket.line), ticket, r)
            for passed in passed_over(counters[idx], waiting, ticket):
                passed.overtaken += 1
            pt = planned[ticket.id]
            calls[ticket.id] = (t, counters[idx].id, choice.reason, call_index)
            call_index += 1
            serving[idx] = pt
            hold = no_show_timeout_s if pt.no_show else pt.walk_s + pt.service_s
            heapq.heappush(busy, (t + hold, idx))

    results: list[SimTicket] = []
    for tid, pt in planned.items():
        called_s, counter_id, reason, index = calls[tid]
        results.append(
            SimTicket(
                id=tid,
                line=pt.line,
                priority=pt.priority,
                no_show=pt.no_show,
                arrival_s=pt.arrival_s,
                called_s=called_s,
                counter=counter_id,
                reason=reason,
                call_index=index,
                estimated_wait_s=estimates[tid],
            )
        )
    return SimResult(tuple(results), _summarise(results, plan.refused), {t.id: t for t in results})


def simulate_day(
    building: Building,
    seed: int,
    params: SimParams = SimParams(),  # frozen: a shared default is safe
    chooser: Chooser = choose_next,
) -> SimResult:
    """Plan a day from the seed and serve it with the chooser."""
    plan = plan_day(building, seed, params)
    return run_plan(building, plan, chooser, no_show_timeout_s=params.no_show_timeout_s)


def _ticket(pt: PlannedTicket, start: datetime) -> Ticket:
    at = start + timedelta(seconds=pt.arrival_s)
    number = f"{pt.line}-{pt.seq:03d}"
    return Ticket(
        id=f"{SIM_DAY.isoformat()}/{number}",
        day=SIM_DAY,
        number=number,
        seq=pt.seq,
        line=pt.line,
        priority=PriorityGroup.LANSIA if pt.priority else None,
        state=TicketState.WAITING,
        issued_at=at,
        queued_at=at,
        token=f"sim-{number}",
    )


def _index_of(tickets: Sequence[Ticket], ticket: Ticket) -> int:
    for i, t in enumerate(tickets):
        if t is ticket:
            return i
    raise ValueError(f"{ticket.id} is not waiting")


class _Line(Sequence[Ticket]):
    """A line's waiting tickets in FIFO order, with its priority tickets indexed apart.

    Offers `first_priority()` (policy.PriorityIndexed), so the policy does not scan a long line
    for a priority ticket that is not there.
    """

    __slots__ = ("_all", "_priority")

    def __init__(self) -> None:
        self._all: list[Ticket] = []  # every waiting ticket, FIFO
        self._priority: list[Ticket] = []  # the priority ones among them, FIFO

    def __len__(self) -> int:
        return len(self._all)

    @overload
    def __getitem__(self, index: int) -> Ticket: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Ticket]: ...
    def __getitem__(self, index: int | slice) -> Ticket | Sequence[Ticket]:
        return self._all[index]

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self._all)

    def append(self, ticket: Ticket) -> None:
        self._all.append(ticket)
        if ticket.priority is not None:
            self._priority.append(ticket)

    def remove(self, ticket: Ticket) -> None:
        # The called ticket is the head or the first priority one nearly always: short scans.
        del self._all[_index_of(self._all, ticket)]
        if ticket.priority is not None:
            del self._priority[_index_of(self._priority, ticket)]

    def first_priority(self) -> Ticket | None:
        return self._priority[0] if self._priority else None


# ------------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------------


def quantile(values: Sequence[float], q: float) -> float:
    """Nearest-rank quantile (the smallest value with at least q of the values at or below)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def _stats(tickets: Sequence[SimTicket]) -> WaitStats:
    waits = [t.wait_s for t in tickets]
    if not waits:
        return WaitStats(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    errors = [t.wait_s - t.estimated_wait_s for t in tickets]
    return WaitStats(
        count=len(waits),
        p50_s=quantile(waits, 0.5),
        p90_s=quantile(waits, 0.9),
        max_s=max(waits),
        mean_s=math.fsum(waits) / len(waits),
        estimate_bias_s=math.fsum(errors) / len(errors),
        estimate_mae_s=math.fsum(abs(e) for e in errors) / len(errors),
    )


def _summarise(tickets: Sequence[SimTicket], refused: int) -> SimSummary:
    shown = [t for t in tickets if not t.no_show]
    reasons: dict[str, int] = {}
    for t in tickets:
        reasons[t.reason.value] = reasons.get(t.reason.value, 0) + 1
    return SimSummary(
        tickets=len(tickets),
        refused=refused,
        no_shows=len(tickets) - len(shown),
        priority=_stats([t for t in shown if t.priority]),
        regular=_stats([t for t in shown if not t.priority]),
        reasons=reasons,
        last_call_s=max((t.called_s for t in tickets), default=0.0),
    )


@dataclass(frozen=True, slots=True)
class FairnessCheck:
    """The two promises, measured: priority is fast, and nobody pays much for it.

    Targets: priority p90 <= regular p90 / 3, and every regular ticket's wait <= its FIFO wait
    + max(25 %, 5 min) (the same citizen, same seed, FIFO baseline).
    """

    priority_p90_s: float
    regular_p90_s: float
    fifo_priority_p90_s: float
    fifo_regular_p90_s: float
    worst_excess_s: float  # max over regular tickets of wait - allowance; <= 0 keeps the promise
    worst_ticket: str | None  # the regular ticket that came closest to (or past) its allowance
    regular_over_allowance: int

    @property
    def priority_fast(self) -> bool:
        return self.priority_p90_s <= self.regular_p90_s / 3

    @property
    def regular_protected(self) -> bool:
        return self.regular_over_allowance == 0

    @property
    def passed(self) -> bool:
        return self.priority_fast and self.regular_protected


def compare_with_fifo(policy_run: SimResult, fifo_run: SimResult) -> FairnessCheck:
    """Check the fairness targets of a policy run against the FIFO run of the same plan."""
    worst = -math.inf
    worst_id: str | None = None
    over = 0
    for t in policy_run.tickets:
        if t.priority or t.no_show:
            continue
        base = fifo_run.by_id[t.id].wait_s
        excess = t.wait_s - (base + max(0.25 * base, 300.0))
        if excess > worst:
            worst, worst_id = excess, t.id
        if excess > 0:
            over += 1
    return FairnessCheck(
        priority_p90_s=policy_run.summary.priority.p90_s,
        regular_p90_s=policy_run.summary.regular.p90_s,
        fifo_priority_p90_s=fifo_run.summary.priority.p90_s,
        fifo_regular_p90_s=fifo_run.summary.regular.p90_s,
        worst_excess_s=worst if worst_id is not None else 0.0,
        worst_ticket=worst_id,
        regular_over_allowance=over,
    )


def with_guard(building: Building, on: bool) -> Building:
    """The same building with the regular-ticket guard (`protect_regular`) switched on or off."""
    return replace(building, policy=replace(building.policy, protect_regular=on))


def format_guard_alternative(building: Building, plan: DayPlan, fifo_run: SimResult) -> str:
    """One line: the same day with the guard the other way, so a manager sees the trade-off."""
    on = not building.policy.protect_regular
    other = compare_with_fifo(run_plan(with_guard(building, on), plan), fifo_run)
    return (
        f"  with protect_regular = {'true' if on else 'false'}: priority p90 "
        f"{other.priority_p90_s / 60:.1f} vs {other.regular_p90_s / 180:.1f} min "
        f"({'yes' if other.priority_fast else 'NO'}); "
        f"{other.regular_over_allowance} regular over their allowance"
    )


def format_comparison(policy_run: SimResult, fifo_run: SimResult) -> str:
    """A plain-text table for `antre simulate`: waits in minutes, policy against FIFO."""

    def row(name: str, s: WaitStats) -> str:
        return (
            f"  {name:<18} {s.count:>5}  {s.p50_s / 60:>6.1f}  {s.p90_s / 60:>6.1f}"
            f"  {s.max_s / 60:>6.1f}  {s.estimate_bias_s / 60:>+7.1f}"
        )

    check = compare_with_fifo(policy_run, fifo_run)
    ps, fs = policy_run.summary, fifo_run.summary
    lines = [
        f"tickets {ps.tickets} (refused {ps.refused}, no-shows {ps.no_shows}); "
        f"last call {ps.last_call_s / 3600:.1f} h after opening",
        "  waits in minutes     count     p50     p90     max  est.bias",
        row("policy: priority", ps.priority),
        row("policy: regular", ps.regular),
        row("FIFO:   priority", fs.priority),
        row("FIFO:   regular", fs.regular),
        "  calls by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(ps.reasons.items())),
        f"  priority p90 <= regular p90 / 3: {'yes' if check.priority_fast else 'NO'} "
        f"({check.priority_p90_s / 60:.1f} vs {check.regular_p90_s / 180:.1f} min)",
        f"  regular within FIFO + max(25 %, 5 min): "
        f"{'yes' if check.regular_protected else 'NO'} "
        f"({check.regular_over_allowance} over; closest {check.worst_ticket} "
        f"at {check.worst_excess_s / 60:+.1f} min)",
    ]
    return "\n".join(lines)
