"""Days of visits with the citizen's voice (issue 20): a seeded SKM survey and complaints, played
through the real engine into a real SQLite store.

`plan_voice_days` draws, from a seed, each service day's visits on a few lines (one counter
each, served first come first served), each visit's survey answer (or none), the channel it is
given on and when, and a few complaints with the steps their handling takes. `play_voice_days`
runs the plan through `server.engine.Engine` — `IssueTicket`, `CallNext`, `FinishService`,
`AnswerSurvey`, `FileComplaint`, `TakeComplaint` … in time order on a fake clock — so the
store holds exactly what a building's would, and returns what it drew: the answers with the
wait each visit had in the plan, what a test computes its figures from independently of the
report (tests/report/test_report_skm_week.py), and what `antre simulate --survey DAYS` writes
for a newcomer to report on.

The assumptions (*assumed*: no source gives them): arrivals over the morning, most of them
early (a triangle peaking at the opening), so a line's queue builds up and waits spread from
minutes to over an hour; a service takes 5 to 13 minutes; 45 % of visits answer, 55 % of them
on the phone page (within minutes, or a third of them up to `days_open` − 1 days later), 30 % on
the counter's tablet (within a minute), 15 % at the exit page; scores fall with the wait, the
completion-time element (U3) most; 4 % of visits lead to a complaint.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from server.core.building import Building, Device, DeviceKind
from server.core.complaint_terms import CATEGORIES
from server.core.events import ComplaintFiled, TicketCalled, TicketIssued
from server.core.model import (
    AnswerComplaint,
    AnswerSurvey,
    CallNext,
    CloseComplaint,
    Command,
    ConfirmPrinted,
    FileComplaint,
    FinishService,
    IssueTicket,
    LogIn,
    OpenCounter,
    StartService,
    TakeComplaint,
    Tick,
    Visit,
    visit_of,
)
from server.core.skm import AGE_BANDS, EDUCATIONS, OCCUPATIONS, SEXES
from server.engine import Engine
from server.store import StoredEvent

__all__ = [
    "DrawnAnswer",
    "DrawnComplaint",
    "VoiceDays",
    "VoiceParams",
    "play_voice_days",
    "voice_building",
]

# (line, counter, officer) of the demo building, each counter serving that line alone: a call
# at the counter takes its line's oldest waiting ticket, as the plan assumes.
DEMO_DESKS: tuple[tuple[str, str, str], ...] = (
    ("A", "L01", "DKP01"),
    ("E", "L08", "SMS01"),
    ("G", "L11", "POL01"),
    ("J", "L14", "BKS01"),
)
TABLET = "TAB-L01"  # the demo's tablet at Loket 1 when the building file has none
EXIT = "EXIT-1"
SUGGESTIONS = (
    "Ruang tunggu panas, mohon tambah kipas angin.",
    "Petugas ramah dan cepat, terima kasih.",
    "Antrean terlalu lama, tambah loket pada pagi hari.",
    "Papan informasi persyaratan kurang jelas.",
    "Tempat parkir sempit.",
    "Mohon sediakan air minum untuk warga lansia.",
)
COMPLAINT_TEXTS = {
    "waktu": "Saya menunggu lebih dari satu jam tanpa kejelasan.",
    "petugas": "Petugas sibuk dengan telepon genggam saat melayani.",
    "prosedur": "Persyaratan yang diminta berbeda dengan yang tertulis di papan.",
    "biaya": "Diminta uang fotokopi di loket.",
    "sarana": "Toilet lantai satu rusak.",
    "informasi": "Tidak ada informasi kapan dokumen selesai.",
    "lainnya": "Kursi ruang tunggu kurang.",
}


@dataclass(frozen=True, slots=True)
class VoiceParams:
    """The days' assumptions (module docstring)."""

    first_day: date
    days: int = 7  # calendar days from first_day; days the building is closed have no visits
    seed: int = 1
    visits_per_line: int = 22  # a day's visits on each line
    desks: tuple[tuple[str, str, str], ...] = DEMO_DESKS
    answer_share: float = 0.45
    channel_shares: tuple[tuple[str, float], ...] = (("phone", 0.55), ("tablet", 0.30))
    complaint_share: float = 0.04
    arrivals_from: time = time(7, 35)
    arrivals_until: time = time(11, 0)
    service_min: tuple[float, float] = (5.0, 13.0)


@dataclass(frozen=True, slots=True)
class DrawnAnswer:
    """One answer as drawn and given: what a test recomputes the figures from."""

    ticket: str
    day: date  # the visit's day
    line: str
    counter: str
    officer: str
    channel: str  # "phone", "tablet:TAB-L01", "exit:EXIT-1"
    scores: tuple[int, ...]
    wait_s: float  # the visit's wait in the plan: called minus issued
    given_at: datetime
    suggestion: str | None
    age: str | None
    sex: str | None


@dataclass(frozen=True, slots=True)
class DrawnComplaint:
    id: str  # as the core numbered it
    ticket: str | None
    category: str
    filed_at: datetime
    taken_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None  # by a manager (the system's close after close_days not planned)


@dataclass(slots=True)
class VoiceDays:
    """What was played: the finished visits (ticket -> line, counter, officer, wait), the
    answers and the complaints."""

    first: date
    last: date
    finished: dict[str, tuple[str, str, str, float]] = field(default_factory=dict)
    answers: list[DrawnAnswer] = field(default_factory=list)
    complaints: list[DrawnComplaint] = field(default_factory=list)


def voice_building(building: Building) -> Building:
    """The building with a tablet at Loket 1 and an exit page, unless its file has them."""
    kinds = {d.kind for d in building.devices}
    extra: list[Device] = []
    if DeviceKind.TABLET not in kinds:
        extra.append(Device(TABLET, DeviceKind.TABLET, None, "0" * 64, counter="L01"))
    if DeviceKind.EXIT not in kinds:
        extra.append(Device(EXIT, DeviceKind.EXIT, None, "1" * 64))
    return replace(building, devices=(*building.devices, *extra)) if extra else building


def _clip(x: float) -> int:
    return max(1, min(4, round(x)))


def draw_scores(rng: random.Random, wait_min: float) -> tuple[int, ...]:
    """Nine scores, lower the longer the wait: U3 (completion time) drops fastest; U4 (cost)
    is mostly "Gratis" (services at an MPP are mostly free)."""
    scores = []
    for i in range(9):
        if i == 3:
            mean = 3.8
        elif i == 2:
            mean = 3.7 - wait_min / 40
        else:
            mean = 3.5 - wait_min / 120
        scores.append(_clip(rng.gauss(mean, 0.55)))
    return tuple(scores)


# One thing to do at an instant (run in time order on the engine's clock).
Act = Callable[[], Awaitable[None]]


async def play_voice_days(
    building: Building, db_path: str | Path, params: VoiceParams
) -> VoiceDays:
    """Play the seeded days into the store at `db_path` (a new file); what was drawn."""
    player = _Player(voice_building(building), params, str(db_path))
    await player.play()
    return player.out


class _Player:
    """The plan as an agenda of acts, and the engine it runs them on."""

    def __init__(self, building: Building, params: VoiceParams, db_path: str) -> None:
        self.building, self.params = building, params
        self.rng = random.Random(params.seed)  # every draw, in plan order: same seed, same days
        self.tablet = next(d.id for d in building.devices if d.kind is DeviceKind.TABLET)
        self.exit = next(d.id for d in building.devices if d.kind is DeviceKind.EXIT)
        self.manager = building.managers[0].id if building.managers else "LANTAI"
        self.now = datetime.combine(params.first_day, time(6, 0), building.tz)
        self.engine = Engine(building, db_path, clock=lambda: self.now)
        last = params.first_day + timedelta(days=params.days - 1)
        self.out = VoiceDays(params.first_day, last)
        self.agenda: list[tuple[datetime, int, Act]] = []
        self.added = 0  # acts added: the tie-break keeps the plan's order at one instant

    def at(self, instant: datetime, act: Act) -> None:
        self.added += 1
        heapq.heappush(self.agenda, (instant, self.added, act))

    async def run(self, command: Command, actor: str) -> list[StoredEvent]:
        return await self.engine.execute(command, actor)

    async def play(self) -> None:
        b, p = self.building, self.params
        for i in range(p.days):
            day = p.first_day + timedelta(days=i)
            hours = b.weekly[day.weekday()]
            if hours is None or any(h.day == day for h in b.holidays):
                continue
            opening = datetime.combine(day, hours.open, b.tz)
            for line, counter, officer in p.desks:
                self._plan_desk(day, opening, line, counter, officer)
        await self.engine.start()
        try:
            last_day: date | None = None
            while self.agenda:  # an act may add later ones (a complaint's next step)
                instant, _, act = heapq.heappop(self.agenda)
                self.now = instant
                day = b.service_day(instant)
                if day != last_day:
                    await self.run(Tick(), "system")  # closes the day before, as the ticker does
                    last_day = day
                await act()
        finally:
            await self.engine.close()
        self.out.answers.sort(key=lambda a: a.given_at)
        self.out.complaints.sort(key=lambda c: c.filed_at)

    def _plan_desk(self, day: date, opening: datetime, line: str, counter: str, officer: str):
        """One line's day at its counter: the officer opens it, the citizens come, each is
        called when the one before is done (first come, first served); some answer the survey
        and some complain."""
        p, rng, tz = self.params, self.rng, self.building.tz
        actor = f"officer:{officer}@{counter}"

        async def open_desk() -> None:
            await self.run(LogIn(counter, officer), actor)
            await self.run(OpenCounter(counter), actor)

        self.at(opening, open_desk)
        first = datetime.combine(day, p.arrivals_from, tz)
        span = (datetime.combine(day, p.arrivals_until, tz) - first).total_seconds()
        arrivals = sorted(
            # Most come early (the triangle's peak at the doors' opening), as at MPPs.
            first + timedelta(seconds=round(rng.triangular(0, span, 0)))
            for _ in range(p.visits_per_line)
        )
        free = opening
        for n, arrived in enumerate(arrivals):
            called = max(arrived + timedelta(seconds=30), free)
            finished = called + timedelta(seconds=round(rng.uniform(*p.service_min) * 60))
            free = finished + timedelta(seconds=20)
            visit = _Visit(f"voice-{day.isoformat()}-{line}-{n}", line, counter, officer)
            visit.wait_s = (called - arrived).total_seconds()
            self.at(arrived, lambda v=visit: self._issue(v))
            self.at(called, lambda v=visit, a=actor: self._call(v, a))
            self.at(finished, lambda v=visit, a=actor: self._finish(v, a))
            if rng.random() < p.answer_share:
                self._plan_answer(visit, day, finished)
            if rng.random() < p.complaint_share:
                self._plan_complaint(visit, finished)

    async def _issue(self, v: _Visit) -> None:
        stored = await self.run(IssueTicket(v.line, None, v.token, "KIOSK-1"), "kiosk:KIOSK-1")
        event = stored[0].event
        assert isinstance(event, TicketIssued)
        v.ticket = event.ticket
        await self.run(ConfirmPrinted(event.ticket), "kiosk:KIOSK-1")

    async def _call(self, v: _Visit, actor: str) -> None:
        stored = await self.run(CallNext(v.counter), actor)
        event = stored[0].event
        # One counter on the line, first come first served: the plan's citizen.
        assert isinstance(event, TicketCalled) and event.ticket == v.ticket, event
        await self.run(StartService(v.counter), actor)

    async def _finish(self, v: _Visit, actor: str) -> None:
        await self.run(FinishService(v.counter), actor)
        v.visit = visit_of(self.engine.state.tickets[v.ticket])
        self.out.finished[v.ticket] = (v.line, v.counter, v.officer, v.wait_s)

    def _plan_answer(self, v: _Visit, day: date, finished: datetime) -> None:
        p, rng = self.params, self.rng
        pick = rng.random()
        phone, tablet = (share for _, share in p.channel_shares)
        if pick < phone:
            channel = "phone"
            # Most answer within minutes; a third days later, before the survey closes.
            later = rng.random() < 0.33
            hours = 24 * (self.building.survey.days_open - 1)
            delay = timedelta(minutes=rng.uniform(60, hours * 60) if later else rng.uniform(2, 30))
        elif pick < phone + tablet:
            channel, delay = f"tablet:{self.tablet}", timedelta(seconds=rng.uniform(10, 60))
        else:
            channel, delay = f"exit:{self.exit}", timedelta(minutes=rng.uniform(2, 8))
        scores = draw_scores(rng, v.wait_s / 60)
        suggestion = rng.choice(SUGGESTIONS) if rng.random() < 0.25 else None
        age = rng.choice(AGE_BANDS)[0] if rng.random() < 0.7 else None
        sex = rng.choice(SEXES)[0] if rng.random() < 0.8 else None
        education = rng.choice(EDUCATIONS)[0] if rng.random() < 0.6 else None
        occupation = rng.choice(OCCUPATIONS)[0] if rng.random() < 0.6 else None
        given = finished + timedelta(seconds=round(delay.total_seconds()))

        async def answer() -> None:
            assert v.visit is not None
            command = AnswerSurvey(
                v.visit, channel, scores, age, sex, education, occupation, suggestion
            )
            await self.run(command, "citizen" if channel == "phone" else channel)
            self.out.answers.append(
                DrawnAnswer(
                    v.ticket,
                    day,
                    v.line,
                    v.counter,
                    v.officer,
                    channel,
                    scores,
                    v.wait_s,
                    given,
                    suggestion,
                    age,
                    sex,
                )
            )

        self.at(given, answer)

    def _plan_complaint(self, v: _Visit, finished: datetime) -> None:
        """Filed on the phone page hours after the visit; most are taken in hand within
        days and answered; some are left open, some closed by the manager without an answer."""
        rng = self.rng
        category = rng.choice(CATEGORIES)[0]
        filed = finished + timedelta(minutes=round(rng.uniform(5, 600)))
        fate = rng.random()
        taken = filed + timedelta(minutes=round(rng.uniform(60, 6000))) if fate > 0.2 else None
        answered = None
        if taken is not None and fate > 0.35:
            answered = taken + timedelta(minutes=round(rng.uniform(60, 9000)))
        closed = taken + timedelta(hours=2) if taken and fate <= 0.35 else None
        by = self.manager

        async def file() -> None:
            assert v.visit is not None
            command = FileComplaint(v.visit, category, COMPLAINT_TEXTS[category], "phone")
            stored = await self.run(command, "citizen")
            event = stored[0].event
            assert isinstance(event, ComplaintFiled)
            cid = event.complaint
            self.out.complaints.append(
                DrawnComplaint(cid, v.ticket, category, filed, taken, answered, closed)
            )
            if taken is not None:
                self.at(taken, lambda: self._step(TakeComplaint(cid, by, "Diteruskan ke instansi")))
            if answered is not None:
                answer = "Terima kasih, sudah kami tindak lanjuti."
                self.at(answered, lambda: self._step(AnswerComplaint(cid, by, answer)))
            if closed is not None:
                self.at(closed, lambda: self._step(CloseComplaint(cid, by, "Selesai di tempat")))

        self.at(filed, file)

    async def _step(self, command: Command) -> None:
        await self.run(command, f"manager:{self.manager}")


@dataclass(slots=True)
class _Visit:
    """One planned visit, filled in as it is played: its ticket id, then its finished visit."""

    token: str
    line: str
    counter: str
    officer: str
    wait_s: float = 0.0
    ticket: str = ""
    visit: Visit | None = None
