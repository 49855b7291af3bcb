"""The booking storm: a day's slots open and 5,000 attempts arrive within ten seconds for 300.

Issue 19's "Measured": when the newest day opens at 06.00 (Imigrasi's M-Paspor, Dukcapil's
regency sites), everyone is there at once. The bench server (bench/serverproc.py, the code
`antre server` runs) serves `storm_building`: one passport line, 12 slots a day of 20 regular
and 5 priority places, 300 in all; its clock starts at Monday 06.00 WIB, the instant Monday
30 November (a week ahead) opens, so the day is open from the start and nothing is booked on it.

The attempts (bench/storm_citizens.py, `plan_storm`): 5,000, fired open-loop on a fixed
schedule over 10 s (one every 2 ms: an attempt does not wait for the one before it; when the
server is slow they pile up, as citizens do), each on its own connection. Each has its own phone
number and, except the brokers', its own NIK (16 digits of the right form, server/core/nik.py);
10 % ask as a priority citizen; the slot is drawn with the morning twice as wanted as the
afternoon. 100 NIKs belong to brokers (*calo*), each used by 5 attempts at random moments and
slots, from the broker's one address with a phone of its own each time: at most one of the five
may book, and every one decided after that must be refused `booking_nik_taken`.

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

What is checked (bench/storm_checks.py; each printed met or missed), after the server has
stopped, from its store read with the offline reader (`StoreReader.day_bookings`) and from the
server's arrival log:

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
  numbered by the server (bench/storm_log.py). The rules of docs/bookings.md, applied by hand
  in that order (`first_come_first_served`: one booking per NIK, then the places, a priority
  citizen taking a priority place while one is free, else a regular one), must give every
  attempt the answer it got; the bookings' event seqs must rise with arrival; and the booked
  attempts must be acknowledged (the answer ready to be written) in arrival order, the refused
  ones likewise. (A refusal needs no commit, so it may be answered before a booking that
  arrived earlier and waits for its fsync.)

Figures: acknowledgement latency (the POST's connect to its answer read, booked and refused
apart, and by second of the storm) with its parts (sent → arrival at the booking desk, arrival →
acknowledgement, which is the decision plus the commit, acknowledgement → answer read:
`time.monotonic` is system-wide on Linux, so the server's instants compare with the bench's);
attempts per second achieved; the server's CPU per attempt, its event loop's apart; and how
many attempts reached the desk behind one sent after them. The baseline, measured before and
after the storm on the same disk: raw single-row commits per second (bench/throughput.py's), so
that the attempts per second read as a ratio of it.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bench.building import STORM_DAY, STORM_LINE, STORM_OPENS, storm_building
from bench.common import Quantiles, quantiles
from bench.serverproc import ServerProcess, fresh_db
from bench.storm_checks import Check, check_answers, check_order, check_places, overtaken
from bench.storm_citizens import Outcome, fire, one_by_one, open_forms, plan_storm, warm_up
from bench.storm_log import read_arrivals
from bench.throughput import raw_commits_per_s
from server.core.slots import day_slots
from server.store import StoreReader

__all__ = ["StormResult", "run_storm"]

_WARM_DAY = STORM_DAY - timedelta(days=3)  # the warm-up books here, not on the storm's day


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
        warm = asyncio.run(one_by_one(server.port, _WARM_DAY, warm_up(slots)))
        if any(o.booked is None for o in warm):
            raise RuntimeError(f"the warm-up was not booked: {warm}")
        forms, forms_s = asyncio.run(open_forms(server.port, STORM_DAY, plan))
        cpu0, loop0 = _cpu_s(server.pid), _cpu_s(server.pid, server.pid)
        gc.collect()
        gc.disable()  # the generator's own pauses are not the server's (as in fan-out)
        try:
            outcomes = asyncio.run(fire(server.port, STORM_DAY, plan, forms))
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
        overtaken=overtaken(outcomes, arrivals)[0],
        overtaken_by_s=overtaken(outcomes, arrivals)[1],
        raw_before=raw_before,
        raw_after=raw_after,
        checks=checks,
        outcomes=outcomes,
    )
