"""The booking storm: a day's slots open and 5,000 attempts arrive within ten seconds for 300.

Issue 19's "Measured": when the newest day opens at 06.00 (Imigrasi's M-Paspor, Dukcapil's
regency sites), everyone is there at once. The bench server (bench/serverproc.py, the code
`antre server` runs) serves `storm_building`: one passport line, 12 slots a day of 20 regular
and 5 priority places, 300 in all; its clock starts at Monday 06.00 WIB, the instant Monday
30 November (a week ahead) opens, so the day is open from the start and nothing is booked on it.

The attempts (`plan_storm`): 5,000, fired open-loop on a fixed schedule over 10 s (one every
2 ms: an attempt does not wait for the one before it; when the server is slow they pile up, as
citizens do), each on its own connection. Each has its own phone number and, except the
brokers', its own NIK (16 digits of the right form, server/core/nik.py); 10 % ask as a priority
citizen; the slot is drawn with the morning twice as wanted as the afternoon. 100 NIKs belong to
brokers (*calo*), each used by 5 attempts at random moments and slots, with a phone of its own
each time: at most one of the five may book, and every one decided after that must be refused
`booking_nik_taken`.

The path is the citizens' own: the public booking pages (server/web/booking/site.py) on the
server's port, one connection a request as the server answers them, each citizen behind the
building's reverse proxy (a trusted proxy on 127.0.0.1 whose `X-Forwarded-For` names the
citizen's own address, so that the per-address limit counts citizens). At 06.00 every citizen
opens the form of the slot they want (`GET /pesan?layanan=…&tanggal=…&jam=…`: the form, its
cookie and its token; all 5,000 before the storm, since before 06.00 the day has no form); the
storm is their submissions, `POST /pesan` with the form's fields, Origin and cookie, answered
303 to the booking's page (booked: the bench follows it, as a browser does, and reads the code)
or 409 with the form and the refusal (read from the page: "sudah penuh", "NIK ini sudah
dipakai").

What is checked (each printed met or missed), after the server has stopped, from its store
read with the offline reader (`StoreReader.day_bookings`) and from the server's arrival log:

- *every attempt answered*: 303 or 409, and the refusal the page states is the one the server
  recorded, `slot_full` or `booking_nik_taken`;
- *places given exactly 300*: the day's bookings in the store number the line's places, none
  over a slot's capacity nor over its regular places; and they are exactly the bookings whose
  pages the bench was sent to (nothing acknowledged is missing, nothing unacknowledged is
  there);
- *none twice*: no NIK hash holds two bookings of the line's day in the store, and no attempt's
  NIK was acknowledged twice;
- *in arrival order*: "arrival" is the moment `BookingsApi.book` is entered with the attempt
  (the POST has been read in full and its guards passed; the server starts on the booking),
  numbered by the server (bench/storm_log.py). The
  rules of docs/bookings.md, applied by hand in that order (`first_come_first_served`: one
  booking per NIK, then the places, a priority citizen taking a priority place while one is
  free, else a regular one), must give every attempt the answer it got; the bookings' event
  seqs must rise with arrival; and the booked attempts must be acknowledged (the answer ready
  to be written) in arrival order, the refused ones likewise. (A refusal needs no commit, so it
  may be answered before a booking that arrived earlier and waits for its fsync.)

Figures: acknowledgement latency (the POST's connect to its answer read, booked and refused
apart) with its parts (sent → arrival at the booking desk, arrival → acknowledgement, which is
the decision plus the commit, acknowledgement → answer read: `time.monotonic` is system-wide on
Linux, so the server's instants compare with the bench's); attempts per second achieved; the
server's CPU per attempt; and how many attempts reached the desk ahead of one sent before them.
The baseline, measured before and after the storm on the same disk: raw single-row commits per
second (bench/throughput.py's), so that the attempts per second read as a ratio of it.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from urllib.parse import urlencode

from bench.building import STORM_DAY, STORM_LINE, STORM_OPENS, storm_building
from bench.common import Quantiles, gather_limited, quantiles
from bench.serverproc import ServerProcess, fresh_db
from bench.storm_log import read_arrivals
from bench.throughput import raw_commits_per_s
from server.core.building import BookingRules
from server.core.events import PriorityGroup
from server.core.slots import day_slots
from server.store import StoreReader

__all__ = [
    "Attempt",
    "Check",
    "Outcome",
    "StormResult",
    "first_come_first_served",
    "plan_storm",
    "run_storm",
]

_REFUSALS = ("slot_full", "booking_nik_taken")  # the only answers but booked a storm may get
_WARM_DAY = STORM_DAY - timedelta(days=3)  # the warm-up books here, not on the storm's day


@dataclass(frozen=True, slots=True)
class Attempt:
    n: int  # 1.. in the order the bench fires them
    at_s: float  # when, from the storm's start
    slot: clock_time
    priority: PriorityGroup | None
    nik: str
    phone: str  # "0812…": every attempt its own, the key of the server's arrival log
    name: str
    broker: bool  # its NIK is used by more than one attempt
    address: str  # the citizen's (X-Forwarded-For): a broker's attempts share their NIK's


def _nik(rng: random.Random, k: int) -> str:
    """The k-th citizen's NIK (k < 9999): Kota Bandung (32 73), a district, a birth date (a
    woman's day + 40), and the serial k + 1, which alone makes it unique."""
    day = rng.randint(1, 28) + (40 if rng.random() < 0.5 else 0)
    born = f"{day:02d}{rng.randint(1, 12):02d}{rng.randint(50, 99):02d}"
    return f"3273{rng.randint(1, 30):02d}{born}{k + 1:04d}"


def plan_storm(
    attempts: int,
    seconds: float,
    slots: Sequence[clock_time],
    *,
    broker_niks: int = 100,
    per_broker: int = 5,
    priority_share: float = 0.1,
    seed: int = 19,
) -> list[Attempt]:
    """The storm's attempts in firing order (module docstring): evenly spaced over `seconds`,
    `broker_niks` × `per_broker` of them on brokers' NIKs, the rest each on its own."""
    rng = random.Random(seed)
    by_broker = set(rng.sample(range(attempts), broker_niks * per_broker))
    broker_seats = [b for b in range(broker_niks) for _ in range(per_broker)]
    rng.shuffle(broker_seats)
    niks = [_nik(rng, k) for k in range(attempts)]  # citizens 0.. own, brokers take the last
    weights = [2.0 - i / max(1, len(slots) - 1) for i in range(len(slots))]
    groups = list(PriorityGroup)
    out = []
    own = 0
    for i in range(attempts):
        if i in by_broker:
            seat = broker_seats.pop()
            nik, broker, address = (
                niks[attempts - 1 - seat],
                True,
                f"10.9.{seat // 250}.{seat % 250}",
            )
        else:
            nik, broker, address = (
                niks[own],
                False,
                f"10.{own // 62500}.{own // 250 % 250}.{own % 250}",
            )
            own += 1
        out.append(
            Attempt(
                n=i + 1,
                at_s=i * seconds / attempts,
                slot=rng.choices(slots, weights)[0],
                priority=rng.choice(groups) if rng.random() < priority_share else None,
                nik=nik,
                phone=f"0812{i + 1:08d}",
                name=f"Warga Uji {i + 1}",
                broker=broker,
                address=address,
            )
        )
    return out


@dataclass(slots=True)
class Outcome:
    attempt: Attempt
    started: float = 0.0  # time.monotonic() before the POST's connect
    sent: float = 0.0  # the POST written
    done: float = 0.0  # its answer read
    booked: str | None = None  # the booking code, read from the page the 303 leads to
    refused: str | None = None  # the refusal the 409 page states
    error: str | None = None  # anything else: what went wrong on the way
    page_s: float = 0.0  # the booking's page, after the 303 (as a browser follows it)


@dataclass(frozen=True, slots=True)
class Form:
    """A citizen's open booking form: the cookie it came with and its token."""

    cookie: str
    csrf: str
    opened_s: float  # GET to the page read


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_COOKIE = re.compile(r"antre_form=([A-Za-z0-9_-]+)")
_CODE = re.compile(r'id="code">([A-Z0-9]{4})-([A-Z0-9]{4})<')
_NOTICE = re.compile(r'id="notice"[^>]*>([^<]*)<')
# What the 409 page says, as the core words it (server/core/errors.py): the refusal a citizen reads.
_REFUSAL_WORDS = (("sudah penuh", "slot_full"), ("NIK ini sudah dipakai", "booking_nik_taken"))


def _head(method: str, target: str, port: int, a: Attempt, extra: str = "") -> str:
    return (
        f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"X-Forwarded-For: {a.address}\r\nConnection: close\r\n{extra}\r\n"
    )


async def _request(port: int, request: bytes) -> tuple[int, dict[str, str], str, float]:
    """One request on its own connection (the server answers one and closes): the status, the
    headers (lower-case names), the body, and when the request had been written."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        sent = time.monotonic()
        answer = await reader.read()
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body.decode("utf-8", "replace"), sent


def _form_target(day: date, a: Attempt) -> str:
    query = {"layanan": STORM_LINE, "tanggal": day.isoformat(), "jam": f"{a.slot:%H:%M}"}
    return "/pesan?" + urlencode(query)


async def _open_form(port: int, day: date, a: Attempt) -> Form:
    """The citizen opens the slot's form: its cookie and token (RuntimeError when no form)."""
    t0 = time.monotonic()
    status, headers, body, _ = await _request(
        port, _head("GET", _form_target(day, a), port, a).encode()
    )
    cookie, csrf = _COOKIE.search(headers.get("set-cookie", "")), _CSRF.search(body)
    if status != 200 or cookie is None or csrf is None:
        raise RuntimeError(f"no booking form for attempt {a.n}: HTTP {status}")
    return Form(cookie.group(1), csrf.group(1), time.monotonic() - t0)


async def _attempt(port: int, day: date, a: Attempt, form: Form) -> Outcome:
    """One citizen submits the form (module docstring): booked (303, then its page), refused
    (409 and the page's words) or anything else (an error)."""
    out = Outcome(a, started=time.monotonic())
    fields = {
        "csrf": form.csrf,
        "layanan": STORM_LINE,
        "tanggal": day.isoformat(),
        "jam": f"{a.slot:%H:%M}",
        "nama": a.name,
        "nik": a.nik,
        "hp": a.phone,
        "prioritas": a.priority.value if a.priority else "",
    }
    body = urlencode(fields).encode()
    head = _head(
        "POST",
        "/pesan",
        port,
        a,
        f"Origin: http://127.0.0.1:{port}\r\nCookie: antre_form={form.cookie}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n",
    )
    try:
        status, headers, page, out.sent = await _request(port, head.encode() + body)
        out.done = time.monotonic()
        if status == 303:
            t0 = time.monotonic()
            target = headers.get("location", "")
            status, _, page, _ = await _request(port, _head("GET", target, port, a).encode())
            out.page_s = time.monotonic() - t0
            code = _CODE.search(page)
            if status == 200 and code is not None:
                out.booked = code.group(1) + code.group(2)
            else:
                out.error = f"booked, but its page answered HTTP {status}"
        elif status == 409:
            notice = _NOTICE.search(page)
            words = notice.group(1) if notice else ""
            out.refused = next((c for w, c in _REFUSAL_WORDS if w in words), f"other: {words!r}")
        else:
            out.error = f"HTTP {status}"
    except OSError as exc:
        out.error = f"{type(exc).__name__}: {exc}"
    return out


async def _open_forms(port: int, day: date, plan: list[Attempt]) -> tuple[list[Form], float]:
    """Every citizen's form, 50 at a time, before the storm: (forms, seconds)."""
    t0 = time.monotonic()
    forms = await gather_limited([lambda a=a: _open_form(port, day, a) for a in plan], 50)
    return forms, time.monotonic() - t0


async def _fire(port: int, day: date, plan: list[Attempt], forms: list[Form]) -> list[Outcome]:
    """Every submission at its moment, none waiting for another (open loop)."""
    tasks = []
    t0 = time.monotonic() + 0.02
    for a, form in zip(plan, forms, strict=True):
        delay = t0 + a.at_s - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_attempt(port, day, a, form)))
    return await asyncio.gather(*tasks)


async def _one_by_one(port: int, day: date, attempts: list[Attempt]) -> list[Outcome]:
    return [await _attempt(port, day, a, await _open_form(port, day, a)) for a in attempts]


def _warm_up(slots: Sequence[clock_time]) -> list[Attempt]:
    """A few bookings of another day first, so that first-use costs stay out of the storm
    (the server at 06.00 has been up all night). Their NIKs and phones are none of the storm's."""
    rng = random.Random(7)
    return [
        Attempt(
            0,
            0.0,
            slots[k],
            None,
            _nik(rng, 9000 + k),
            f"0813{k:08d}",
            f"Pemanasan {k}",
            False,
            f"10.8.0.{k}",
        )
        for k in range(min(5, len(slots)))
    ]


def first_come_first_served(
    rules: BookingRules, in_arrival_order: Sequence[Attempt]
) -> dict[int, str]:
    """What each attempt should get when the server answers them in this order, by the rules
    as docs/bookings.md states them (written here by hand, not the core's code): a NIK already
    holding the line's day is refused `booking_nik_taken`; else a regular citizen takes a
    regular place while one is free, a priority citizen a priority place while one is free,
    else a regular one; else `slot_full`. Attempt number -> "booked" or the refusal's code."""
    regular_free: dict[clock_time, int] = defaultdict(lambda: rules.places)
    priority_free: dict[clock_time, int] = defaultdict(lambda: rules.priority_places)
    holders: set[str] = set()
    out = {}
    for a in in_arrival_order:
        if a.nik in holders:
            out[a.n] = "booking_nik_taken"
            continue
        if a.priority is not None and priority_free[a.slot] > 0:
            priority_free[a.slot] -= 1
        elif regular_free[a.slot] > 0:
            regular_free[a.slot] -= 1
        else:
            out[a.n] = "slot_full"
            continue
        holders.add(a.nik)
        out[a.n] = "booked"
    return out


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    met: bool
    detail: str


@dataclass(frozen=True)
class StormResult:
    attempts: int
    seconds: float  # the schedule's span
    places: int  # the day's places (slots × capacity)
    booked: int  # acknowledged as booked
    refused: Counter[str]  # acknowledged refusals by code
    errors: list[str]  # attempts without an answer
    forms_s: float  # every citizen's form opened, before the storm
    form_latency: Quantiles  # GET of the form -> the page read
    page_latency: Quantiles  # a booked citizen's page, after the 303
    latency_booked: Quantiles  # connect -> answer read
    latency_refused: Quantiles
    to_desk: Quantiles  # request sent -> arrival at BookingsApi.book
    in_server: Quantiles  # arrival -> acknowledgement (decision, commit)
    back: Quantiles  # acknowledgement -> answer read
    attempts_per_s: float  # attempts / (last answer - first connect)
    offered_per_s: float  # the schedule's rate
    server_cpu_s: float  # the server process's CPU time over the storm
    loop_cpu_s: float  # of which its main thread's: the event loop, where every answer is made
    storm_s: float  # first connect to last answer
    overtaken: int  # attempts that reached the desk after one sent later than them
    overtaken_by_s: float  # the largest such lead (sent time)
    raw_before: float
    raw_after: float
    checks: list[Check] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list, repr=False)  # in firing order

    @property
    def raw_commits_per_s(self) -> float:
        return (self.raw_before + self.raw_after) / 2

    @property
    def share_of_raw(self) -> float:
        return self.attempts_per_s / self.raw_commits_per_s

    @property
    def met(self) -> bool:
        return all(c.met for c in self.checks)

    def by_second(self) -> list[Quantiles]:
        """POST -> answer of the attempts fired in each second of the storm: the places go in
        the first seconds, and with them the bookings' commits and pages."""
        answered = [o for o in self.outcomes if not o.error]
        if not answered:
            return []
        t0 = min(o.started for o in answered)
        seconds: dict[int, list[float]] = defaultdict(list)
        for o in answered:
            seconds[int(o.started - t0)].append(o.done - o.started)
        return [quantiles(seconds[k]) for k in sorted(seconds)]


def _cpu_s(pid: int, thread: int | None = None) -> float:
    """utime + stime of a process, or of one of its threads, seconds (/proc stat fields 14
    and 15)."""
    path = f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat"
    fields = Path(path).read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def check_answers(outcomes: list[Outcome], arrivals: list[dict[str, object]]) -> Check:
    """Every attempt answered 303 or 409, refused only for the places or the NIK, and what its
    page says is what the server recorded deciding (the arrival log)."""
    recorded = {str(r["phone"]): r for r in arrivals}
    errors = [f"#{o.attempt.n}: {o.error}" for o in outcomes if o.error]
    other = Counter(o.refused for o in outcomes if o.refused not in (None, *_REFUSALS))
    disagree = []
    for o in outcomes:
        r = recorded.get(o.attempt.phone)
        said = ("booked", o.booked) if o.booked else (o.refused, None)
        if o.error is None and (r is None or (r["outcome"], r["code"]) != said):
            disagree.append(o.attempt.n)
    return Check(
        "every attempt answered, booked or refused for places or the NIK",
        not errors and not other and not disagree,
        f"no answer: {len(errors)}{(' e.g. ' + str(errors[:3])) if errors else ''}; other "
        f"refusals: {dict(other)}; pages saying otherwise than the server decided: "
        f"{len(disagree)}",
    )


def check_places(
    db: Path, rules: BookingRules, slots: int, day: date, acked: dict[str, Attempt]
) -> list[Check]:
    """Places given exactly, none twice: the stopped server's store against the rules and
    against what was acknowledged (module docstring)."""
    with StoreReader.open(db) as store:
        rows = [r for r in store.day_bookings(day) if r.line == STORM_LINE]
    holding = [r for r in rows if r.state in ("booked", "checked_in")]
    per_slot: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in holding:
        per_slot[r.slot][0 if r.priority is None else 1] += 1
    over = {
        s: n
        for s, n in per_slot.items()
        if sum(n) > rules.capacity or n[0] > rules.places  # a regular never takes priority's
    }
    stored = {r.code for r in rows}
    places = slots * rules.capacity
    missing = sorted(set(acked) - stored)
    extra = sorted(stored - set(acked))
    given = Check(
        f"places given exactly {places}",
        len(holding) == places and not over and not missing and not extra,
        f"{len(holding)} bookings in the store; slots over their places: {len(over)}"
        + (f" {over}" if over else "")
        + f"; acknowledged but not stored: {len(missing)}; stored but not acknowledged: "
        f"{len(extra)}",
    )
    by_hash = Counter(r.nik_hash for r in holding)
    twice = [h for h, n in by_hash.items() if h is None or n > 1]
    by_nik = Counter(a.nik for a in acked.values())
    acked_twice = [nik for nik, n in by_nik.items() if n > 1]
    once = Check(
        "none twice (one booking per NIK per line and day)",
        not twice and not acked_twice,
        f"NIK hashes holding two or more in the store: {len(twice)}; NIKs acknowledged twice: "
        f"{len(acked_twice)}",
    )
    return [given, once]


def check_order(
    rules: BookingRules,
    outcomes: list[Outcome],
    arrivals: list[dict[str, object]],
    made_seq: dict[str, int],
) -> Check:
    """Answers in arrival order (module docstring): first come, first served by the server's
    own arrival numbers; booking seqs rising with arrival; acknowledgements in arrival order."""
    by_phone = {o.attempt.phone: o for o in outcomes}
    rows = sorted((r for r in arrivals if r["phone"] in by_phone), key=lambda r: r["arrived"])
    problems = []
    if len(rows) != len(outcomes):
        problems.append(f"{len(outcomes) - len(rows)} attempts never reached the booking desk")
    expected = first_come_first_served(rules, [by_phone[str(r["phone"])].attempt for r in rows])
    wrong = []
    for r in rows:
        o = by_phone[str(r["phone"])]
        got = "booked" if o.booked else o.refused or o.error
        if got != expected[o.attempt.n]:
            wrong.append((int(str(r["arrived"])), got, expected[o.attempt.n]))
    if wrong:
        problems.append(
            f"{len(wrong)} answers differ from first come, first served, e.g. (arrival, got, "
            f"due) {wrong[:3]}"
        )
    booked = [r for r in rows if r["outcome"] == "booked"]
    seqs = [made_seq.get(str(r["code"]), -1) for r in booked]
    if seqs != sorted(seqs) or -1 in seqs:
        problems.append("the bookings' event seqs do not rise with arrival")
    for kind, chosen in (
        ("booked", booked),
        ("refused", [r for r in rows if r["outcome"] != "booked"]),
    ):
        acks = [r["acked"] for r in chosen]
        if acks != sorted(acks):  # type: ignore[type-var]
            problems.append(f"{kind} attempts acknowledged out of arrival order")
    return Check(
        "answers in arrival order (first come, first served)",
        not problems,
        "; ".join(problems)
        or f"all {len(rows)} answers as first come, first served gives them; bookings' seqs and "
        "acknowledgements in arrival order",
    )


def _overtaken(outcomes: list[Outcome], arrivals: list[dict[str, object]]) -> tuple[int, float]:
    """How many attempts reached the desk after one sent later than them, and by how much
    (seconds of send time) at most: the reordering of loopback and the server's accept loop."""
    sent = {o.attempt.phone: o.sent for o in outcomes}
    latest, count, most = float("-inf"), 0, 0.0
    for r in sorted((r for r in arrivals if r["phone"] in sent), key=lambda r: r["arrived"]):
        s = sent[str(r["phone"])]
        if s < latest:
            count += 1
            most = max(most, latest - s)
        latest = max(latest, s)
    return count, most


def run_storm(
    folder: Path,
    attempts: int = 5000,
    seconds: float = 10.0,
    *,
    places: int = 20,
    priority_places: int = 5,
    broker_niks: int = 100,
    per_broker: int = 5,
    priority_share: float = 0.1,
    raw_commits: int = 3000,
) -> StormResult:
    """Start the storm building's server, fire the storm, stop it, check its store."""
    building = storm_building(places, priority_places).building
    line = building.line(STORM_LINE)
    assert line is not None and line.booking is not None
    rules = line.booking
    slots = day_slots(building, line, STORM_DAY)
    plan = plan_storm(
        attempts,
        seconds,
        slots,
        broker_niks=broker_niks,
        per_broker=per_broker,
        priority_share=priority_share,
    )
    raw_db = folder / "raw.db"
    raw_before = raw_commits_per_s(raw_db, raw_commits)
    db = fresh_db(folder / "storm.db")
    log = folder / "storm-arrivals.tsv"
    log.unlink(missing_ok=True)
    clock = datetime.combine(STORM_OPENS.date(), STORM_OPENS.timetz())
    extra = ["--places", str(places), "--priority-places", str(priority_places)]
    extra += ["--arrivals", str(log)]
    server = ServerProcess("storm", db, clock=clock, extra=extra).start()
    try:
        warm = asyncio.run(_one_by_one(server.port, _WARM_DAY, _warm_up(slots)))
        if any(o.booked is None for o in warm):
            raise RuntimeError(f"the warm-up was not booked: {warm}")
        forms, forms_s = asyncio.run(_open_forms(server.port, STORM_DAY, plan))
        cpu0, loop0 = _cpu_s(server.pid), _cpu_s(server.pid, server.pid)
        gc.collect()
        gc.disable()  # the generator's own pauses are not the server's (as in fan-out)
        try:
            outcomes = asyncio.run(_fire(server.port, STORM_DAY, plan, forms))
        finally:
            gc.enable()
        cpu, loop = _cpu_s(server.pid) - cpu0, _cpu_s(server.pid, server.pid) - loop0
    finally:
        server.stop()
    raw_after = raw_commits_per_s(raw_db, raw_commits)

    arrivals = read_arrivals(log)
    acked = {o.booked: o.attempt for o in outcomes if o.booked}
    checks = [check_answers(outcomes, arrivals)]
    checks += check_places(db, rules, len(slots), STORM_DAY, acked)
    with StoreReader.open(db) as store:
        made_seq = {r.code: r.made_seq for r in store.day_bookings(STORM_DAY)}
    checks.append(check_order(rules, outcomes, arrivals, made_seq))
    errors = [f"#{o.attempt.n}: {o.error}" for o in outcomes if o.error]
    at = {str(r["phone"]): r for r in arrivals}
    span = max(o.done for o in outcomes) - min(o.started for o in outcomes)
    answered = [o for o in outcomes if not o.error and o.attempt.phone in at]
    return StormResult(
        attempts=attempts,
        seconds=seconds,
        places=len(slots) * rules.capacity,
        booked=len(acked),
        refused=Counter(o.refused for o in outcomes if o.refused),
        errors=errors,
        forms_s=forms_s,
        form_latency=quantiles([f.opened_s for f in forms]),
        page_latency=quantiles([o.page_s for o in outcomes if o.booked]),
        latency_booked=quantiles([o.done - o.started for o in outcomes if o.booked]),
        latency_refused=quantiles([o.done - o.started for o in outcomes if o.refused]),
        to_desk=quantiles([float(at[o.attempt.phone]["at"]) - o.sent for o in answered]),
        in_server=quantiles(
            [
                float(at[o.attempt.phone]["done"]) - float(at[o.attempt.phone]["at"])
                for o in answered
            ]
        ),
        back=quantiles([o.done - float(at[o.attempt.phone]["done"]) for o in answered]),
        attempts_per_s=attempts / span,
        offered_per_s=attempts / seconds,
        server_cpu_s=cpu,
        loop_cpu_s=loop,
        storm_s=span,
        overtaken=_overtaken(outcomes, arrivals)[0],
        overtaken_by_s=_overtaken(outcomes, arrivals)[1],
        raw_before=raw_before,
        raw_after=raw_after,
        checks=checks,
        outcomes=outcomes,
    )
