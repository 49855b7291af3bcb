"""One visit, several agencies (issue 22): the itinerary, the hand-on and its place, worked by hand.

The test building (factory.py): A Perekaman KTP-el (quota 5 walk-in + 2 priority, cutoff 14:30),
B Kartu Keluarga (no quota, cutoff 15:00) — both Dukcapil — and P Paspor (Imigrasi, quota 3 + 1,
cutoff 13:00). L01 serves A, L02 and L03 (priority) serve A and B, L04 serves P. Monday
2026-11-23 unless said otherwise; times are WIB.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest
from factory import MONDAY, at, make_building, new_state, replay

from server.core.building import Building, Line, ServiceHours
from server.core.events import (
    Event,
    PriorityGroup,
    ServiceFinished,
    StopAdded,
    StopSkipped,
    SurveyAnswered,
    TicketCancelled,
    TicketIssued,
    TicketPrinted,
    VisitHandedOn,
    VisitStarted,
    event_to_dict,
    read_event,
)
from server.core.model import (
    AddStop,
    AnswerSurvey,
    CallNext,
    CallTicket,
    CancelTicket,
    Command,
    ConfirmPrinted,
    DomainError,
    FinishService,
    IssueTicket,
    LogIn,
    MarkNoShow,
    OpenCounter,
    PrintFailed,
    Reactivate,
    SkipStop,
    StartService,
    StartVisit,
    Tick,
    Transfer,
    visit_of,
)
from server.core.queue import QueueState
from server.core.visits import (
    next_queued_at,
    order_problem,
    propose_order,
    stop_refusal,
    survey_visit,
)

DAY = "2026-11-23"
KJ1 = f"{DAY}/KJ-001"
SCORES = (4, 4, 3, 4, 4, 3, 4, 4, 4)


class Day:
    """A state, its log, and a few moves by name."""

    def __init__(self, state: QueueState | None = None) -> None:
        self.q = state or new_state()
        self.log: list[Event] = []
        self.tokens = 0

    def run(self, command: Command, now: datetime) -> list[Event]:
        events = self.q.handle(command, now)
        self.log.extend(events)
        return events

    def refused(self, command: Command, now: datetime) -> DomainError:
        """The command is refused and the state is exactly as it was."""
        before = copy.deepcopy(self.q, {id(self.q.building): self.q.building})
        with pytest.raises(DomainError) as info:
            self.q.handle(command, now)
        assert self.q == before
        return info.value

    def visit(
        self, lines: tuple[str, ...], now: datetime, priority: PriorityGroup | None = None
    ) -> str:
        """StartVisit at the kiosk and confirm the print; the first ticket's id."""
        self.tokens += 1
        events = self.run(StartVisit(lines, priority, f"vt{self.tokens}", "K1"), now)
        self.run(ConfirmPrinted(events[0].ticket), now)  # type: ignore[attr-defined]
        return events[0].ticket  # type: ignore[attr-defined]

    def ticket(self, line: str, now: datetime, priority: PriorityGroup | None = None) -> str:
        self.tokens += 1
        (issued,) = self.run(IssueTicket(line, priority, f"t{self.tokens}", "K1"), now)
        self.run(ConfirmPrinted(issued.ticket), now)  # type: ignore[attr-defined]
        return issued.ticket  # type: ignore[attr-defined]

    def staff(self, *pairs: tuple[str, str]) -> None:
        for counter, officer in pairs:
            self.run(LogIn(counter, officer), at("07:30"))
            self.run(OpenCounter(counter), at("07:30"))

    def serve(self, counter: str, ticket: str, called: datetime, done: datetime) -> list[Event]:
        """Call `ticket` at `counter`, serve it, finish: FinishService's events."""
        self.run(CallTicket(counter, ticket, "giliran kunjungan"), called)
        self.run(StartService(counter), called)
        return self.run(FinishService(counter), done)

    def states(self, vid: str = KJ1) -> list[tuple[str, str, str | None]]:
        return [(s.line, s.state, s.number) for s in self.q.itineraries[vid].stops]


def kinds(events: list[Event]) -> list[str]:
    return [e.kind for e in events]


# --------------------------------------------------------------------------------------------
# The credit rule, by hand: queued_at = max(visit start, hand-on − credit)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "handed", "credit", "expected"),
    [
        ("08:00", "08:40", 15, "08:25"),  # waited 40 min elsewhere: joins as if 15 min ago
        ("08:30", "08:40", 15, "08:30"),  # a short first stop: joins as if it came at 08:30
        ("08:00", "08:40", 0, "08:40"),  # no credit: a separate ticket taken at the hand-on
        ("08:00", "08:40", 60, "08:00"),  # a long credit: as if it came when the visit began
    ],
)
def test_next_queued_at_by_hand(started: str, handed: str, credit: float, expected: str) -> None:
    assert next_queued_at(at(started), at(handed), credit) == at(expected)
    assert next_queued_at(at(started), at(handed), timedelta(minutes=credit)) == at(expected)


# --------------------------------------------------------------------------------------------
# A two-stop visit: started, printed, first stop finished, handed on
# --------------------------------------------------------------------------------------------


def test_start_visit_issues_the_first_ticket_and_holds_the_next_stops_place() -> None:
    d = Day()
    events = d.run(StartVisit(("A", "P"), None, "vt", "K1"), at("08:00"))
    assert kinds(events) == ["ticket_issued", "visit_started"]
    issued, started = events
    assert isinstance(issued, TicketIssued) and isinstance(started, VisitStarted)
    assert (issued.number, issued.visit, issued.stop, issued.token) == ("A-001", KJ1, 0, "vt")
    assert issued.queued_at is None and issued.kiosk == "K1"
    assert (started.visit, started.ticket, started.stops) == (KJ1, f"{DAY}/A-001", ("A", "P"))
    assert started.started_at == at("08:00")
    assert d.states() == [("A", "printing", "A-001"), ("P", "pending", None)]
    # The passport's place is held now: one of its 3 walk-in places is gone.
    assert (d.q.used_walk_in["A"], d.q.used_walk_in["P"]) == (1, 1)
    assert d.q.tickets[f"{DAY}/A-001"].visit == KJ1
    assert d.q.itineraries[KJ1].label == "KJ-001"


def test_finishing_stop_one_hands_on_in_the_same_result_queued_by_the_credit_rule() -> None:
    d = Day()
    d.staff(("L01", "OF1"), ("L02", "OF2"))
    first = d.visit(("A", "B"), at("08:00"), PriorityGroup.LANSIA)
    # Three citizens take a B ticket meanwhile, at 08:10, 08:20 and 08:30.
    b1, b2, b3 = (d.ticket("B", at(t)) for t in ("08:10", "08:20", "08:30"))
    events = d.serve("L01", first, at("08:30"), at("08:40"))
    assert kinds(events) == [
        "service_finished",
        "visit_handed_on",
        "ticket_issued",
        "ticket_printed",
    ]
    finished, handed, issued, printed = events
    assert isinstance(finished, ServiceFinished) and finished.ticket == first
    assert isinstance(handed, VisitHandedOn)
    assert (handed.from_number, handed.from_line, handed.counter) == ("A-001", "A", "L01")
    assert (handed.number, handed.line, handed.ticket) == ("B-004", "B", f"{DAY}/B-004")
    assert isinstance(issued, TicketIssued)
    # Started 08:00, handed on 08:40, credit 15: queued at 08:25; priority kept; the visit's
    # token; issued by no kiosk; stop 1.
    assert issued.queued_at == at("08:25")
    assert (issued.priority, issued.token, issued.kiosk) == (PriorityGroup.LANSIA, "vt1", None)
    assert (issued.visit, issued.stop, issued.slot) == (KJ1, 1, None)
    assert isinstance(printed, TicketPrinted) and printed.ticket == issued.ticket
    # In FIFO at B: after the two who came before 08:25, ahead of the one who came at 08:30.
    assert [t.id for t in d.q.waiting("B")] == [b1, b2, issued.ticket, b3]
    # The phone page's token follows the citizen to the new stop.
    assert d.q.ticket_by_token("vt1") is d.q.tickets[issued.ticket]
    assert d.states() == [("A", "done", "A-001"), ("B", "waiting", "B-004")]
    assert d.q.itineraries[KJ1].current == 1
    # A B ticket taken now is the next number.
    assert d.ticket("B", at("08:41")) == f"{DAY}/B-005"


def test_a_short_first_stop_joins_as_if_it_came_at_the_visit_start() -> None:
    d = Day()
    d.staff(("L01", "OF1"))
    b1 = d.ticket("B", at("08:29"))
    first = d.visit(("A", "B"), at("08:30"))
    b2 = d.ticket("B", at("08:31"))
    events = d.serve("L01", first, at("08:31"), at("08:40"))
    assert events[2].queued_at == at("08:30")  # type: ignore[attr-defined]
    assert [t.number for t in d.q.waiting("B")] == ["B-001", "B-003", "B-002"]
    assert [t.id for t in d.q.waiting("B")][::2] == [b1, b2]


def test_the_last_stop_finishes_without_a_hand_on() -> None:
    d = Day()
    d.staff(("L01", "OF1"), ("L02", "OF2"))
    first = d.visit(("A", "B"), at("08:00"))
    second = d.serve("L01", first, at("08:05"), at("08:15"))[2].ticket  # type: ignore[attr-defined]
    events = d.serve("L02", second, at("08:20"), at("08:30"))
    assert kinds(events) == ["service_finished"]
    assert d.states() == [("A", "done", "A-001"), ("B", "done", "B-001")]
    assert d.q.itineraries[KJ1].stops_open == 0


# --------------------------------------------------------------------------------------------
# Held quota places: taken at the start, given back when never used
# --------------------------------------------------------------------------------------------


def test_a_skipped_stop_gives_its_passport_place_back() -> None:
    d = Day()
    d.staff(("L01", "OF1"))
    first = d.visit(("A", "P"), at("08:00"))
    d.ticket("P", at("08:01"))
    d.ticket("P", at("08:02"))
    # Quota 3: the visit holds one, two were taken: the next walk-in P is refused.
    assert d.refused(IssueTicket("P", None, "x1", "K1"), at("08:03")).code == "quota_exhausted"
    d.run(CallTicket("L01", first, "giliran"), at("08:05"))
    events = d.run(SkipStop("L01", "P", "paspor tidak jadi"), at("08:06"))
    assert events == [
        StopSkipped(
            at=at("08:06"), visit=KJ1, line="P", counter="L01", by="OF1", reason="paspor tidak jadi"
        )
    ]
    assert d.ticket("P", at("08:07")) == f"{DAY}/P-003"
    d.run(StartService("L01"), at("08:08"))
    assert kinds(d.run(FinishService("L01"), at("08:20"))) == ["service_finished"]
    assert d.states() == [("A", "done", "A-001"), ("P", "skipped", None)]


@pytest.mark.parametrize("ending", ["print_failed", "printing_timeout"])
def test_an_unprinted_visit_gives_every_held_place_back(ending: str) -> None:
    d = Day()
    events = d.run(StartVisit(("A", "P"), None, "vt", "K1"), at("08:00"))
    assert (d.q.used_walk_in["A"], d.q.used_walk_in["P"]) == (1, 1)
    if ending == "print_failed":
        d.run(PrintFailed(events[0].ticket, "paper_out"), at("08:00"))  # type: ignore[attr-defined]
    else:
        assert kinds(d.run(Tick(), at("08:02"))) == ["ticket_expired"]  # 120 s timeout
    assert (d.q.used_walk_in["A"], d.q.used_walk_in["P"]) == (0, 0)
    first_state = {"print_failed": "cancelled", "printing_timeout": "expired"}[ending]
    assert d.states() == [("A", first_state, "A-001"), ("P", "cancelled", None)]


def test_a_priority_visit_holds_a_priority_place() -> None:
    d = Day()
    d.visit(("A", "P"), at("08:00"), PriorityGroup.DISABILITAS)
    assert (d.q.used_priority["P"], d.q.used_walk_in["P"]) == (1, 0)


# --------------------------------------------------------------------------------------------
# Refusals: each with its code, none changing anything
# --------------------------------------------------------------------------------------------


def requiring(**requires: tuple[str, ...]) -> Building:
    """The test building with a line C (Akta, Dukcapil) and these `requires`."""
    base = make_building()
    lines = (*base.lines, Line("C", "DUKCAPIL", "Akta Kelahiran", 10))
    lines = tuple(replace(ln, requires=requires.get(ln.prefix, ())) for ln in lines)
    counters = tuple(
        replace(c, serves=(*c.serves, "C")) if c.id == "L02" else c for c in base.counters
    )
    return replace(base, lines=lines, counters=counters)


@pytest.mark.parametrize(
    ("lines", "code", "message"),
    [
        (("A",), "visit_too_short", "Pilih paling sedikit dua layanan untuk satu kunjungan"),
        (("A", "B", "P", "C"), "visit_too_long", "Satu kunjungan paling banyak 3 layanan"),
        (("A", "A"), "visit_duplicate_line", "Layanan Perekaman KTP-el sudah dipilih"),
        (("A", "Z"), "unknown_line", "Layanan dengan kode Z tidak terdaftar"),
        (
            ("P", "B"),
            "visit_order",
            "Layanan Paspor Baru dan Penggantian memerlukan hasil layanan Kartu Keluarga; "
            "Kartu Keluarga harus lebih dulu",
        ),
    ],
)
def test_start_visit_refusals(lines: tuple[str, ...], code: str, message: str) -> None:
    building = replace(
        requiring(P=("B",)), policy=replace(make_building().policy, visit_max_stops=3)
    )
    d = Day(QueueState(building))
    error = d.refused(StartVisit(lines, None, "vt", "K1"), at("08:00"))
    assert error.code == code
    assert error.message.startswith(message)


def test_a_stop_not_issuable_now_refuses_the_visit_naming_that_service() -> None:
    d = Day()
    # P stops issuing at 13:00: a visit A then P at 13:30 is refused, naming the passport.
    error = d.refused(StartVisit(("A", "P"), None, "vt", "K1"), at("13:30"))
    assert error.code == "after_cutoff"
    assert error.message == (
        "Paspor Baru dan Penggantian: Pengambilan nomor antrean untuk layanan ini sudah "
        "ditutup pukul 13.00 WIB"
    )
    # What the kiosk's plan shows for each stop before the citizen accepts.
    refusal = stop_refusal(d.q, d.q.lines["P"], None, at("13:30"))
    assert refusal is not None and refusal.message == error.message
    assert stop_refusal(d.q, d.q.lines["P"], None, at("08:00")) is None
    for t in ("08:01", "08:02", "08:03"):
        d.ticket("P", at(t))
    error = d.refused(StartVisit(("A", "P"), None, "vt", "K1"), at("08:10"))
    assert (error.code, error.message) == (
        "quota_exhausted",
        "Kuota layanan Paspor Baru dan Penggantian hari ini sudah habis",
    )
    d.ticket("A", at("08:11"))  # a used token is refused too
    assert d.refused(StartVisit(("A", "B"), None, "t4", "K1"), at("08:12")).code == (
        "duplicate_token"
    )


def test_a_part_week_stop_off_today_refuses_the_visit() -> None:
    base = make_building()
    friday_off = ServiceHours(frozenset({0, 1, 2, 3}))
    lines = tuple(
        replace(ln, service_hours=friday_off) if ln.prefix == "P" else ln for ln in base.lines
    )
    d = Day(QueueState(replace(base, lines=lines)))
    error = d.refused(StartVisit(("A", "P"), None, "vt", "K1"), at("08:00", MONDAY + timedelta(4)))
    assert error.code == "service_off_day"
    assert error.message.startswith("Paspor Baru dan Penggantian: Hari ini tidak melayani")


def test_counter_refusals_change_nothing() -> None:
    d = Day(
        QueueState(
            replace(make_building(), policy=replace(make_building().policy, visit_max_stops=2))
        )
    )
    d.staff(("L01", "OF1"), ("L04", "OF2"))
    assert d.refused(AddStop("L01", "B"), at("08:00")).code == "no_active_ticket"
    first = d.visit(("A", "B"), at("08:00"))
    d.run(CallTicket("L01", first, "giliran"), at("08:01"))
    error = d.refused(AddStop("L01", "B"), at("08:02"))
    assert (error.code, error.message) == (
        "stop_already_planned",
        "Layanan Kartu Keluarga sudah ada dalam kunjungan ini",
    )
    assert d.refused(AddStop("L01", "A"), at("08:02")).code == "stop_already_planned"
    error = d.refused(AddStop("L01", "P"), at("08:02"))
    assert (error.code, error.message) == (
        "visit_too_long",
        "Satu kunjungan paling banyak 2 layanan",
    )
    error = d.refused(SkipStop("L01", "P", "tidak perlu"), at("08:02"))
    assert (error.code, error.message) == (
        "stop_unknown",
        "Layanan Paspor Baru dan Penggantian tidak ada dalam kunjungan ini",
    )
    # The officer may not skip the stop being served; nor a pending one without a reason.
    error = d.refused(SkipStop("L01", "A", "salah layanan"), at("08:02"))
    assert error.code == "stop_not_pending"
    assert d.refused(SkipStop("L01", "B", "  "), at("08:02")).code == "reason_required"
    assert d.refused(SkipStop(None, "B", "x", visit=f"{DAY}/KJ-009"), at("08:02")).code == (
        "visit_unknown"
    )
    # A plain ticket's counter: nothing to skip.
    p1 = d.ticket("P", at("08:03"))
    d.run(CallTicket("L04", p1, "giliran"), at("08:04"))
    assert d.refused(SkipStop("L04", "A", "x"), at("08:05")).code == "stop_unknown"


def test_add_stop_refuses_what_issuing_would() -> None:
    d = Day()
    d.staff(("L02", "OF1"))
    b1 = d.ticket("B", at("13:20"))
    d.run(CallTicket("L02", b1, "giliran"), at("13:25"))
    error = d.refused(AddStop("L02", "P"), at("13:30"))  # P's cutoff is 13:00
    assert error.code == "after_cutoff" and error.message.startswith("Paspor Baru dan Penggantian:")


# --------------------------------------------------------------------------------------------
# Adding a stop at the counter
# --------------------------------------------------------------------------------------------


def test_add_stop_to_a_plain_ticket_makes_a_visit_started_when_it_queued() -> None:
    d = Day()
    d.staff(("L02", "OF2"), ("L04", "OF4"))
    b1 = d.ticket("B", at("08:00"))
    d.run(CallNext("L02"), at("08:50"))
    d.run(StartService("L02"), at("08:51"))
    events = d.run(AddStop("L02", "P"), at("08:55"))
    assert events == [
        VisitStarted(
            at=at("08:55"),
            visit=KJ1,
            ticket=b1,
            stops=("B",),
            priority=None,
            kiosk="K1",
            started_at=at("08:00"),
        ),
        StopAdded(at=at("08:55"), visit=KJ1, line="P", position=1, counter="L02", officer="OF2"),
    ]
    assert d.states() == [("B", "serving", "B-001"), ("P", "pending", None)]
    assert d.q.itineraries[KJ1].stops[1].added
    assert d.q.used_walk_in["P"] == 1  # its place is held now
    # Finished at 09:00: queued at max(08:00, 08:45) = 08:45, with the ticket's own token.
    events = d.run(FinishService("L02"), at("09:00"))
    assert events[2].queued_at == at("08:45")  # type: ignore[attr-defined]
    assert d.q.ticket_by_token(d.q.tickets[b1].token).number == "P-001"  # type: ignore[union-attr]


def test_an_added_stop_goes_after_a_pending_stop_it_requires() -> None:
    # B requires P: added while A is served in a visit A, P, it comes after P, not right after A.
    d = Day(QueueState(requiring(B=("P",))))
    d.staff(("L01", "OF1"))
    first = d.visit(("A", "P"), at("08:00"))
    d.run(CallTicket("L01", first, "giliran"), at("08:01"))
    (added,) = d.run(AddStop("L01", "B"), at("08:02"))
    assert isinstance(added, StopAdded) and added.position == 2
    assert [s.line for s in d.q.itineraries[KJ1].stops] == ["A", "P", "B"]


def test_an_added_stop_goes_right_after_the_current_stop_and_before_what_requires_it() -> None:
    # P requires B: B added to a visit A, P goes between them.
    d = Day(QueueState(requiring(P=("B",))))
    d.staff(("L01", "OF1"))
    first = d.visit(("A", "P"), at("08:00"))
    d.run(CallTicket("L01", first, "giliran"), at("08:01"))
    (added,) = d.run(AddStop("L01", "B"), at("08:02"))
    assert isinstance(added, StopAdded) and added.position == 1
    assert [s.line for s in d.q.itineraries[KJ1].stops] == ["A", "B", "P"]


def test_an_added_stop_with_no_place_between_its_needs_is_refused() -> None:
    # C needs B, B needs P; a visit A, C, P (allowed: no rule between C and P) cannot take B.
    d = Day(QueueState(requiring(C=("B",), B=("P",))))
    d.staff(("L01", "OF1"))
    first = d.visit(("A", "C", "P"), at("08:00"))
    d.run(CallTicket("L01", first, "giliran"), at("08:01"))
    assert d.refused(AddStop("L01", "B"), at("08:02")).code == "visit_order"


# --------------------------------------------------------------------------------------------
# Skipping by the floor, no-shows, part-week days, the day's close
# --------------------------------------------------------------------------------------------


def three_stops(d: Day) -> str:
    """A visit A, B, P started 08:00, A served at L01 and finished 08:20: B's ticket, waiting."""
    d.staff(("L01", "OF1"), ("L02", "OF2"), ("L04", "OF4"))
    first = d.visit(("A", "B", "P"), at("08:00"))
    return d.serve("L01", first, at("08:05"), at("08:20"))[2].ticket  # type: ignore[attr-defined]


def test_the_floor_skips_a_waiting_current_stop_and_the_next_is_handed_on() -> None:
    d = Day()
    b = three_stops(d)
    events = d.run(SkipStop(None, "B", "KK sudah jadi", visit=KJ1, by="LANTAI"), at("08:30"))
    # The stop is skipped first, then its ticket leaves the line: the fold reads the order, not
    # the cancel's reason, to know the visit goes on.
    assert kinds(events) == [
        "stop_skipped",
        "ticket_cancelled",
        "visit_handed_on",
        "ticket_issued",
        "ticket_printed",
    ]
    assert events[1] == TicketCancelled(at=at("08:30"), ticket=b, reason="stop_skipped")
    handed = events[2]
    assert isinstance(handed, VisitHandedOn) and handed.counter is None
    assert (handed.from_number, handed.number) == ("B-001", "P-001")
    assert events[3].queued_at == at("08:15")  # type: ignore[attr-defined]
    assert d.states() == [
        ("A", "done", "A-001"),
        ("B", "skipped", "B-001"),
        ("P", "waiting", "P-001"),
    ]
    assert d.q.waiting("B") == []


def test_the_floor_skips_a_no_show_stop_handing_on_from_its_counter() -> None:
    d = Day()
    b = three_stops(d)
    d.run(CallTicket("L02", b, "giliran"), at("08:25"))
    d.run(MarkNoShow("L02"), at("08:30"))
    events = d.run(SkipStop(None, "B", "warga sudah ke imigrasi", visit=KJ1), at("08:31"))
    handed = events[2]
    assert isinstance(handed, VisitHandedOn) and handed.counter == "L02"
    assert d.states()[1:] == [("B", "skipped", "B-001"), ("P", "waiting", "P-001")]


def test_the_floor_may_not_skip_a_stop_being_called_or_served() -> None:
    d = Day()
    b = three_stops(d)
    d.run(CallTicket("L02", b, "giliran"), at("08:25"))
    error = d.refused(SkipStop(None, "B", "tidak perlu", visit=KJ1), at("08:26"))
    assert (error.code, error.message) == (
        "stop_not_pending",
        "Layanan Kartu Keluarga dalam kunjungan ini sudah berjalan dan tidak dapat dilewati",
    )
    assert d.refused(SkipStop(None, "A", "sudah", visit=KJ1), at("08:26")).code == (
        "stop_not_pending"
    )


def test_a_no_show_keeps_the_later_stops_pending_and_reactivation_continues_the_visit() -> None:
    d = Day()
    b = three_stops(d)
    d.run(CallTicket("L02", b, "giliran"), at("08:25"))
    assert kinds(d.run(MarkNoShow("L02"), at("08:30"))) == ["ticket_no_show"]
    assert d.states() == [("A", "done", "A-001"), ("B", "no_show", "B-001"), ("P", "pending", None)]
    d.run(Reactivate(b), at("08:40"))
    assert d.states()[1] == ("B", "waiting", "B-001")
    events = d.serve("L02", b, at("08:45"), at("09:00"))
    assert kinds(events)[1:] == ["visit_handed_on", "ticket_issued", "ticket_printed"]
    # Handed on at 09:00, started 08:00: queued at 08:45.
    assert events[2].queued_at == at("08:45")  # type: ignore[attr-defined]
    assert d.states()[2] == ("P", "waiting", "P-001")


def test_a_stop_whose_line_is_off_today_is_skipped_at_the_hand_on() -> None:
    # The building file changed mid-day (restart): B no longer serves on Mondays.
    d = Day()
    d.staff(("L01", "OF1"), ("L04", "OF4"))
    first = d.visit(("A", "B", "P"), at("08:00"))
    d.run(CallTicket("L01", first, "giliran"), at("08:05"))
    d.run(StartService("L01"), at("08:05"))
    base = d.q.building
    off = ServiceHours(frozenset({1, 2, 3, 4}))
    changed = replace(
        base,
        lines=tuple(
            replace(ln, service_hours=off) if ln.prefix == "B" else ln for ln in base.lines
        ),
    )
    restarted = Day(replay(changed, d.log))
    events = restarted.run(FinishService("L01"), at("08:20"))
    assert kinds(events) == [
        "service_finished",
        "stop_skipped",
        "visit_handed_on",
        "ticket_issued",
        "ticket_printed",
    ]
    assert events[1] == StopSkipped(
        at=at("08:20"), visit=KJ1, line="B", counter=None, by=None, reason="tutup hari ini"
    )
    assert restarted.states() == [
        ("A", "done", "A-001"),
        ("B", "skipped", None),
        ("P", "waiting", "P-001"),
    ]
    assert restarted.q.used_walk_in["B"] == 0  # its held place given back


def test_the_day_close_resets_the_visits() -> None:
    d = Day()
    d.visit(("A", "B"), at("08:00"))
    tuesday = MONDAY + timedelta(days=1)
    d.run(Tick(), at("07:00", tuesday))
    assert (d.q.itineraries, d.q.itinerary_of, d.q.visit_seq) == ({}, {}, 0)
    d.visit(("A", "B"), at("08:00", tuesday))
    assert list(d.q.itineraries) == ["2026-11-24/KJ-001"]


# --------------------------------------------------------------------------------------------
# The survey: once per visit, when it is over, filed under the last served stop
# --------------------------------------------------------------------------------------------


def test_the_survey_waits_for_the_whole_visit_and_is_answered_once() -> None:
    d = Day()
    d.staff(("L01", "OF1"), ("L02", "OF2"))
    first = d.visit(("A", "B"), at("08:00"))
    b = d.serve("L01", first, at("08:05"), at("08:20"))[2].ticket  # type: ignore[attr-defined]
    itinerary = d.q.itineraries[KJ1]
    view = survey_visit(itinerary, d.q.tickets)
    assert view is not None and (view.number, view.stops_open) == ("A-001", 1)
    error = d.refused(AnswerSurvey(view, "phone", SCORES), at("08:21"))
    assert (error.code, error.message) == (
        "survey_visit_open",
        "Survei dapat diisi setelah semua layanan dalam kunjungan selesai",
    )
    # The edge may also send the first stop's plain view: the core knows it is a visit's.
    assert d.refused(
        AnswerSurvey(visit_of(d.q.tickets[first]), "phone", SCORES), at("08:21")
    ).code == ("survey_visit_open")
    d.serve("L02", b, at("08:25"), at("08:40"))
    view = survey_visit(itinerary, d.q.tickets)
    (answer,) = d.run(AnswerSurvey(view, "phone", SCORES), at("08:45"))  # type: ignore[arg-type]
    assert isinstance(answer, SurveyAnswered)
    assert (answer.ticket, answer.line, answer.agency) == (b, "B", "DUKCAPIL")
    assert (answer.counter, answer.officer, answer.visit) == ("L02", "OF2", KJ1)
    for plain in (view, visit_of(d.q.tickets[first])):
        assert d.refused(AnswerSurvey(plain, "tablet:T1", SCORES), at("08:50")).code == (  # type: ignore[arg-type]
            "survey_answered"
        )


# --------------------------------------------------------------------------------------------
# The wire form and replay
# --------------------------------------------------------------------------------------------


def test_a_visit_day_replays_into_an_equal_state_through_the_wire_form() -> None:
    d = Day()
    b = three_stops(d)
    d.run(CallTicket("L02", b, "giliran"), at("08:25"))
    d.run(AddStop("L02", "A"), at("08:26"))  # A is done: a second A stop may be added
    d.run(SkipStop("L02", "P", "paspor besok"), at("08:27"))
    d.run(StartService("L02"), at("08:28"))
    d.run(FinishService("L02"), at("08:40"))
    d.visit(("B", "P"), at("09:00"), PriorityGroup.LANSIA)
    assert [s.line for s in d.q.itineraries[KJ1].stops] == ["A", "B", "A", "P"]
    wire = [read_event(event_to_dict(e)) for e in d.log]
    assert wire == d.log
    assert replay(d.q.building, wire) == d.q
    # And the equality sees the visits: a state without the last one differs.
    assert replay(d.q.building, wire[:-2]) != d.q


def test_visit_events_keep_visit_and_from_ticket_off_the_tvs() -> None:
    assert VisitHandedOn.on_displays and "from_number" in VisitHandedOn.public_fields
    assert not {"visit", "from_ticket"} & VisitHandedOn.public_fields
    for cls in (VisitStarted, StopAdded, StopSkipped):
        assert not cls.on_displays


def test_a_hand_on_ticket_holds_no_printing_reservation() -> None:
    d = Day()
    b = three_stops(d)
    assert d.q.printing == {} and d.q.tickets[b].issued_at == at("08:20")
    # Its quota place was the held one: B has no quota, but P's is still held for stop 3.
    assert d.q.used_walk_in["P"] == 1
    assert time(8, 20) == d.q.tickets[b].issued_at.astimezone(d.q.tz).time()


# --------------------------------------------------------------------------------------------
# The order the kiosk proposes, by hand (credit 15 min = 900 s; services A 600 s, B 720 s,
# P 900 s; P stops issuing at 13:00)
# --------------------------------------------------------------------------------------------


def test_requires_decides_the_order_whatever_the_waits() -> None:
    building = requiring(P=("B",))
    now = at("08:00")
    assert propose_order(building, ("P", "B"), {"P": 0.0, "B": 3600.0}, now) == ("B", "P")
    error = order_problem(building, ("P", "B"))
    assert error is not None and error.code == "visit_order"
    assert order_problem(building, ("B", "P")) is None
    assert order_problem(building, ("A", "P", "C", "B")) is not None


def test_the_shortest_expected_total_time_is_proposed() -> None:
    # A first: 1800 + max(0, 0 − 900) + 600 + 720 = 3120 s; B first: 0 + (1800 − 900) + 1320
    # = 2220 s. B first.
    building = make_building()
    assert propose_order(building, ("A", "B"), {"A": 1800.0, "B": 0.0}, at("08:00")) == ("B", "A")


def test_a_line_with_no_counter_open_is_not_proposed_first() -> None:
    # A has no counter open (no estimate: counted as an hour), B waits 600 s. A first: 3600 +
    # 600 + max(0, 600 − 900) + 720 = 4920 s; B first: 600 + 720 + (3600 − 900) + 600 = 4620 s.
    # Counting the unknown wait as none would send the citizen first to the empty desk.
    building = make_building()
    assert propose_order(building, ("A", "B"), {"A": None, "B": 600.0}, at("08:00")) == ("B", "A")


@pytest.mark.parametrize("order", [("A", "B"), ("B", "A")])
def test_a_tie_keeps_the_citizens_order(order: tuple[str, str]) -> None:
    # No waits: either way 600 + 720 s.
    assert propose_order(make_building(), order, {}, at("08:00")) == order


def test_an_order_reaching_a_stop_after_its_cutoff_pays_a_penalty() -> None:
    # A waits 1800 s, P 3000 s. A first: 1800 + 600 + (3000 − 900) + 900 = 5400 s, P first:
    # 3000 + 900 + (1800 − 900) + 600 = 5400 s: a tie at 08:00, the citizen's order kept. At
    # 12:40, A first reaches P at 13:20, after its 13:00 cutoff: P first is proposed.
    waits = {"A": 1800.0, "P": 3000.0}
    building = make_building()
    assert propose_order(building, ("A", "P"), waits, at("08:00")) == ("A", "P")
    assert propose_order(building, ("A", "P"), waits, at("12:40")) == ("P", "A")


# Whatever the reason typed: "stop_skipped" too is an ordinary cancel (the floor's skip of a
# current stop is told apart by its StopSkipped coming first, not by this text).
@pytest.mark.parametrize("reason", ["warga pulang", "stop_skipped"])
def test_a_cancelled_current_stop_ends_the_visit_and_gives_the_places_back(reason: str) -> None:
    d = Day()
    d.staff(("L01", "OF1"))
    first = d.visit(("A", "P"), at("08:00"))
    assert d.q.used_walk_in["P"] == 1
    d.run(CancelTicket(first, reason), at("08:10"))
    assert d.states() == [("A", "cancelled", "A-001"), ("P", "cancelled", None)]
    assert d.q.used_walk_in["P"] == 0
    assert d.q.itineraries[KJ1].stops_open == 0
    assert replay(d.q.building, d.log) == d.q


def test_a_transfer_to_a_pending_stop_serves_that_stop_and_skips_it() -> None:
    # Visit A, B, P. At L01 the officer sends A-001 to P, a stop the visit still has pending:
    # the same command skips that stop (its held place back), so the citizen is queued at P
    # once, with A-001; B stays pending and is handed on when P is done.
    d = Day()
    d.staff(("L01", "OF1"), ("L02", "OF2"), ("L04", "OF4"))
    first = d.visit(("A", "B", "P"), at("08:00"))
    assert d.q.used_walk_in["P"] == 1
    d.run(CallTicket("L01", first, "giliran"), at("08:10"))
    events = d.run(Transfer("L01", "P"), at("08:11"))
    assert kinds(events) == ["stop_skipped", "ticket_transferred"]
    assert events[0] == StopSkipped(
        at=at("08:11"),
        visit=KJ1,
        line="P",
        counter="L01",
        by="OF1",
        reason="dilayani lewat pemindahan",
    )
    assert d.states() == [
        ("P", "waiting", "A-001"),
        ("B", "pending", None),
        ("P", "skipped", None),
    ]
    assert d.q.used_walk_in["P"] == 0
    assert [t.number for t in d.q.waiting("P")] == ["A-001"]
    events = d.serve("L04", first, at("08:20"), at("08:30"))
    # Handed on at 08:30, started 08:00: B queued at 08:15; never a second P ticket.
    assert kinds(events) == [
        "service_finished",
        "visit_handed_on",
        "ticket_issued",
        "ticket_printed",
    ]
    assert (events[2].number, events[2].queued_at) == ("B-001", at("08:15"))  # type: ignore[attr-defined]
    d.serve("L02", events[2].ticket, at("08:35"), at("08:45"))  # type: ignore[attr-defined]
    assert d.states() == [
        ("P", "done", "A-001"),
        ("B", "done", "B-001"),
        ("P", "skipped", None),
    ]
    assert d.q.seq["P"] == 0 and d.q.itineraries[KJ1].stops_open == 0
    assert replay(d.q.building, d.log) == d.q


def test_a_transfer_to_a_line_the_visit_does_not_hold_skips_nothing() -> None:
    d = Day()
    d.staff(("L01", "OF1"))
    first = d.visit(("A", "P"), at("08:00"))
    d.run(CallTicket("L01", first, "giliran"), at("08:10"))
    assert kinds(d.run(Transfer("L01", "B"), at("08:11"))) == ["ticket_transferred"]
    assert d.states() == [("B", "waiting", "A-001"), ("P", "pending", None)]
    assert d.q.used_walk_in["P"] == 1


def test_past_closing_and_its_grace_the_later_stops_end_and_the_survey_opens() -> None:
    # Closing 16:00, grace 60 min: a first stop finished at 17:05 has nowhere to hand on. The
    # same command ends the later stops ("layanan sudah tutup", their places given back): the
    # visit is over, so its survey may be answered, filed under B.
    d = Day()
    d.staff(("L02", "OF2"))
    first = d.visit(("B", "A", "P"), at("08:00"))
    assert (d.q.used_walk_in["A"], d.q.used_walk_in["P"]) == (1, 1)
    d.run(CallTicket("L02", first, "giliran"), at("15:50"))
    d.run(StartService("L02"), at("15:50"))
    events = d.run(FinishService("L02"), at("17:05"))
    assert kinds(events) == ["service_finished", "stop_skipped", "stop_skipped"]
    assert events[1] == StopSkipped(
        at=at("17:05"), visit=KJ1, line="A", counter=None, by=None, reason="layanan sudah tutup"
    )
    assert events[2].line == "P"  # type: ignore[attr-defined]
    assert d.states() == [
        ("B", "done", "B-001"),
        ("A", "skipped", None),
        ("P", "skipped", None),
    ]
    assert (d.q.used_walk_in["A"], d.q.used_walk_in["P"]) == (0, 0)
    view = survey_visit(d.q.itineraries[KJ1], d.q.tickets)
    assert view is not None and (view.number, view.stops_open) == ("B-001", 0)
    (answer,) = d.run(AnswerSurvey(view, "phone", SCORES), at("17:06"))
    assert isinstance(answer, SurveyAnswered) and (answer.line, answer.visit) == ("B", KJ1)
    assert replay(d.q.building, d.log) == d.q


def passport_until_two() -> Day:
    """The test building with P (Paspor, Imigrasi) serving on its own hours until 14:00, the
    building until 16:00 (grace 60 min); L02 (A, B) staffed."""
    base = make_building()
    own = ServiceHours(close=time(14, 0))
    lines = tuple(replace(ln, service_hours=own) if ln.prefix == "P" else ln for ln in base.lines)
    d = Day(QueueState(replace(base, lines=lines)))
    d.staff(("L02", "OF2"))
    return d


def test_a_hand_on_past_the_next_lines_own_closing_and_grace_skips_it_as_closed() -> None:
    # B then P, started 08:00. B finished at 16:30: within the building's closing and grace
    # (16:00–17:00) but P closed at 14:00 and its grace ended at 15:00. Nobody would call a P
    # ticket now: the stop ends ("layanan sudah tutup", its quota place given back) instead of
    # P-001 waiting on a closed line until it expires at 17:00. The visit is over.
    d = passport_until_two()
    first = d.visit(("B", "P"), at("08:00"))
    assert d.q.used_walk_in["P"] == 1
    events = d.serve("L02", first, at("16:00"), at("16:30"))
    assert kinds(events) == ["service_finished", "stop_skipped"]
    assert events[1] == StopSkipped(
        at=at("16:30"), visit=KJ1, line="P", counter=None, by=None, reason="layanan sudah tutup"
    )
    assert d.states() == [("B", "done", "B-001"), ("P", "skipped", None)]
    assert d.q.used_walk_in["P"] == 0 and d.q.seq["P"] == 0
    assert d.q.itineraries[KJ1].stops_open == 0
    assert replay(d.q.building, d.log) == d.q


def test_a_closed_next_line_is_passed_over_for_the_stop_after_it() -> None:
    # B, P, A started 08:00; B finished at 15:10, before the building closes but past P's 14:00
    # and its grace: P ends as closed, A (open until 16:00) is handed on, queued at
    # max(08:00, 15:10 − 15 min) = 14:55.
    d = passport_until_two()
    first = d.visit(("B", "P", "A"), at("08:00"))
    events = d.serve("L02", first, at("15:00"), at("15:10"))
    assert kinds(events) == [
        "service_finished",
        "stop_skipped",
        "visit_handed_on",
        "ticket_issued",
        "ticket_printed",
    ]
    assert (events[1].line, events[1].reason) == ("P", "layanan sudah tutup")  # type: ignore[attr-defined]
    assert (events[3].number, events[3].queued_at) == ("A-001", at("14:55"))  # type: ignore[attr-defined]
    assert d.states() == [("B", "done", "B-001"), ("P", "skipped", None), ("A", "waiting", "A-001")]


def test_within_the_next_lines_own_grace_the_hand_on_still_queues_there() -> None:
    # B finished at 14:30: P closed at 14:00, but its officers still serve who waits until its
    # grace ends (15:00), as the building's own closing does: P-001 is handed on, queued at
    # max(08:00, 14:30 − 15 min) = 14:15.
    d = passport_until_two()
    first = d.visit(("B", "P"), at("08:00"))
    events = d.serve("L02", first, at("14:20"), at("14:30"))
    assert kinds(events) == [
        "service_finished",
        "visit_handed_on",
        "ticket_issued",
        "ticket_printed",
    ]
    assert (events[2].number, events[2].queued_at) == ("P-001", at("14:15"))  # type: ignore[attr-defined]


def test_a_visit_ended_early_may_be_answered_about_what_was_served() -> None:
    # A served, B called and marked no-show, then the day's closing expires it: P is never
    # reached. The visit is over: its survey is open, filed under A.
    d = Day()
    b = three_stops(d)
    d.run(CallTicket("L02", b, "giliran"), at("08:25"))
    d.run(MarkNoShow("L02"), at("08:30"))
    view = survey_visit(d.q.itineraries[KJ1], d.q.tickets)
    assert view is not None and view.stops_open == 2  # B may come back: P is still to come
    d.run(Tick(), at("17:00"))  # closing 16:00 + 60 min grace
    assert d.states() == [
        ("A", "done", "A-001"),
        ("B", "expired", "B-001"),
        ("P", "cancelled", None),
    ]
    view = survey_visit(d.q.itineraries[KJ1], d.q.tickets)
    assert view is not None and (view.number, view.stops_open) == ("A-001", 0)
    (answer,) = d.run(AnswerSurvey(view, "phone", SCORES), at("17:01"))
    assert isinstance(answer, SurveyAnswered) and (answer.line, answer.visit) == ("A", KJ1)
