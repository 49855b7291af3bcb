"""A visit of several services booked online (issue 22's online part), worked by hand.

The demo building "MPP Kota Contoh" (server/demo/mpp-kota-contoh.toml): open 07:30–16:00 WIB,
Friday's prayer break 11:30–13:00. Lines that take bookings here:

- A Perekaman KTP-el (10 min): 30-minute slots from 07:30 (cutoff 14:30), 4 + 1 places;
- B Kartu Keluarga dan Pindah Datang (12 min): 60-minute slots 07:30, 08:30 … 13:30, 4 + 1;
- J BPJS Kesehatan Pendaftaran (12 min, requires B): 30-minute slots 07:30 … 15:00, 3 + 1,
  no release, check-in 30 min early to 15 min late.

C (Akta) takes no bookings. The visit day is Monday 7 December 2026; bookings are made on
Friday 4 December at 10:00. The credit is 15 minutes, a visit at most 4 stops.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time, timedelta

import pytest
from factory import replay

from server.config import load_demo_building
from server.core.booking_rules import (
    booking_visit_order,
    day_figures,
    unused_places,
    visit_slot_choices,
    visit_slots,
)
from server.core.bookings import BookingState
from server.core.building import Building
from server.core.calendar import at_local
from server.core.events import (
    BookingCancelled,
    BookingCheckedIn,
    BookingMade,
    Event,
    TicketIssued,
    VisitStarted,
    event_to_dict,
    read_event,
)
from server.core.model import (
    Book,
    BookVisit,
    CallTicket,
    CancelBooking,
    CancelTicket,
    CheckIn,
    Command,
    ConfirmPrinted,
    DomainError,
    FinishService,
    LogIn,
    OpenCounter,
    PrintFailed,
    Reschedule,
    SkipStop,
    StartService,
    Tick,
)
from server.core.queue import QueueState

MONDAY = date(2026, 12, 7)
FRIDAY = date(2026, 12, 11)
BOOKED_ON = date(2026, 12, 4)
_DEMO: Building | None = None


def demo() -> Building:
    global _DEMO
    if _DEMO is None:
        _DEMO = load_demo_building()
    return _DEMO


def at(hhmm: str, day: date = MONDAY) -> datetime:
    return at_local(demo(), day, time.fromisoformat(hhmm))


def t(hhmm: str) -> time:
    return time.fromisoformat(hhmm)


# --------------------------------------------------------------------------------------------
# Where each stop is booked: the slot table of docs/bookings.md, by hand
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "day", "first", "expected"),
    [
        # B 09:30 + 12 min → J expected 09:42 → J's 30-minute grid: 09:30.
        (("B", "J"), MONDAY, "09:30", ("09:30", "09:30")),
        # B 13:30 (B's last slot) → 13:42 → J 13:30.
        (("B", "J"), MONDAY, "13:30", ("13:30", "13:30")),
        # B 07:30 → 07:42 → J 07:30.
        (("B", "J"), MONDAY, "07:30", ("07:30", "07:30")),
        # A 09:30 + 10 → B expected 09:40 → B's hourly grid 09:30; + 12 → J 09:52 → 09:30.
        (("A", "B", "J"), MONDAY, "09:30", ("09:30", "09:30", "09:30")),
        # A 10:00 → B 10:10 → 09:30; J 10:22 → 10:00.
        (("A", "B", "J"), MONDAY, "10:00", ("10:00", "09:30", "10:00")),
        # A 14:00 (its last slot) → J 14:10 → 14:00.
        (("A", "J"), MONDAY, "14:00", ("14:00", "14:00")),
        # Friday: A 11:00 → B 11:10, B's Friday grid has no 11:30 (prayer) → 10:30;
        # J 11:22 → 11:00.
        (("A", "B", "J"), FRIDAY, "11:00", ("11:00", "10:30", "11:00")),
    ],
)
def test_visit_slots_by_hand(
    lines: tuple[str, ...], day: date, first: str, expected: tuple[str, ...]
) -> None:
    assert visit_slots(demo(), lines, day, t(first)) == tuple(map(t, expected))


def test_a_stop_opening_later_is_booked_at_its_first_slot() -> None:
    # An arrival before J's first slot (07:30) books J's first slot. A first slot of 06:00 is
    # no slot of B (the booking refuses it: `slot_unknown`); the rule alone is shown here.
    assert visit_slots(demo(), ("B", "J"), MONDAY, t("06:00")) == (t("06:00"), t("07:30"))


def test_a_line_without_slots_that_day_refuses_naming_it() -> None:
    saturday = date(2026, 12, 12)
    with pytest.raises(DomainError) as info:
        visit_slots(demo(), ("B", "J"), saturday, t("09:30"))
    assert info.value.code == "booking_visit_no_slot"
    assert info.value.message == (
        "Layanan Kartu Keluarga dan Pindah Datang tidak memiliki jadwal pada "
        "Sabtu, 12 Desember 2026"
    )


@pytest.mark.parametrize(
    ("chosen", "proposed"),
    [
        (("J", "B"), ("B", "J")),  # J requires B: B first
        (("A", "J", "B"), ("A", "B", "J")),  # A stays first; J waits for B
        (("B", "A"), ("B", "A")),  # nothing required: the citizen's own order
        (("J", "A", "B"), ("A", "B", "J")),
    ],
)
def test_the_order_proposed_keeps_requires_then_the_citizens_order(
    chosen: tuple[str, ...], proposed: tuple[str, ...]
) -> None:
    assert booking_visit_order(demo(), chosen) == proposed


# --------------------------------------------------------------------------------------------
# Booking, cancelling, rescheduling the whole visit
# --------------------------------------------------------------------------------------------


class Visit:
    """A QueueState on the demo building, its log, and a booked visit's moves."""

    def __init__(self) -> None:
        self.q = QueueState(demo())
        self.log: list[Event] = []
        self.n = 0

    def run(self, command: Command, now: datetime) -> list[Event]:
        events = self.q.handle(command, now)
        self.log.extend(events)
        return events

    def refused(self, command: Command, now: datetime) -> DomainError:
        before = copy.deepcopy(self.q, {id(self.q.building): self.q.building})
        with pytest.raises(DomainError) as info:
            self.q.handle(command, now)
        assert self.q == before
        return info.value

    def command(
        self, lines: tuple[str, ...], slot: str = "09:30", nik: str = "n1", day: date = MONDAY
    ) -> BookVisit:
        self.n += 1
        k = self.n
        return BookVisit(
            lines=lines,
            day=day,
            slot=t(slot),
            priority=None,
            name="Siti Aminah",
            phone="+6281234567890",
            nik_last4="1234",
            nik_hash=f"h-{nik}",
            phone_hash=f"p-{nik}",
            codes=tuple(f"V{k}{ln}CODE1"[:8] for ln in lines),
            tokens=tuple(f"tok-{k}-{ln}" for ln in lines),
            channel="web",
        )

    def book(self, lines: tuple[str, ...] = ("B", "J"), **kw: object) -> BookVisit:
        cmd = self.command(lines, **kw)  # type: ignore[arg-type]
        self.run(cmd, at("10:00", BOOKED_ON))
        return cmd


def test_booking_a_visit_makes_one_booking_per_stop_lead_first() -> None:
    v = Visit()
    cmd = v.command(("A", "B", "J"))
    events = v.run(cmd, at("10:00", BOOKED_ON))
    assert [(type(e), e.line, e.slot, e.lead, e.stop, e.phone_hash) for e in events] == [  # type: ignore[attr-defined]
        (BookingMade, "A", t("09:30"), cmd.codes[0], 0, "p-n1"),
        (BookingMade, "B", t("09:30"), cmd.codes[0], 1, None),  # counted once per phone
        (BookingMade, "J", t("09:30"), cmd.codes[0], 2, None),
    ]
    book = v.q.bookings
    assert book.members == {cmd.codes[0]: cmd.codes[1:]}
    assert book.active_for_phone("p-n1") == 1
    lead, *members = book.group(book.by_token(cmd.tokens[0]))  # type: ignore[arg-type]
    assert not lead.is_member and all(m.is_member for m in members)
    # Every stop is an ordinary booking: it holds its place, and the NIK holds each line's day.
    assert book.taken[("J", MONDAY, t("09:30"))] == [1, 0]
    assert book.nik_holds[("h-n1", "J", MONDAY)] == cmd.codes[2]
    assert [m.name for m in members] == ["Siti Aminah", "Siti Aminah"]


@pytest.mark.parametrize(
    ("lines", "code", "message"),
    [
        (("B",), "visit_too_short", "Pilih paling sedikit dua layanan untuk satu kunjungan"),
        (("A", "B", "J", "G", "P"), "visit_too_long", "Satu kunjungan paling banyak 4 layanan"),
        (
            ("B", "B"),
            "visit_duplicate_line",
            "Layanan Kartu Keluarga dan Pindah Datang sudah dipilih; setiap layanan cukup satu "
            "kali",
        ),
        (
            ("J", "B"),
            "visit_order",
            "Layanan Pendaftaran dan Perubahan Data memerlukan hasil layanan Kartu Keluarga dan "
            "Pindah Datang; Kartu Keluarga dan Pindah Datang harus lebih dulu",
        ),
        (
            ("B", "C"),
            "booking_unavailable",
            "Layanan Akta Kelahiran dan Kematian tidak menerima pemesanan",
        ),
        (("B", "ZZ"), "unknown_line", None),
    ],
)
def test_a_visit_that_may_not_be_booked_is_refused_and_changes_nothing(
    lines: tuple[str, ...], code: str, message: str | None
) -> None:
    v = Visit()
    refusal = v.refused(v.command(lines), at("10:00", BOOKED_ON))
    assert refusal.code == code
    if message is not None:
        assert refusal.message == message


def test_a_full_later_stop_refuses_the_whole_visit_naming_its_service() -> None:
    v = Visit()
    for i in range(3):  # J 09:30 has 3 regular places
        v.book(("A", "J"), slot="09:00", nik=f"other{i}")  # A 09:00 → J 09:10 → 09:00
    v.book(("A", "J"), slot="09:30", nik="x1")  # J 09:30: 1 taken
    v.book(("A", "J"), slot="10:00", nik="x2")  # A 10:00 → J 10:10 → 10:00
    for i in range(2):
        v.book(("A", "J"), slot="09:30", nik=f"y{i}")  # J 09:30: 3 taken, A 09:30: 3 taken
    refusal = v.refused(v.command(("B", "J"), slot="09:30", nik="z"), at("10:00", BOOKED_ON))
    assert refusal.code == "slot_full"
    assert refusal.message.startswith("Pendaftaran dan Perubahan Data: Jadwal Senin, 7 Desember")
    assert refusal.details["service"] == "Pendaftaran dan Perubahan Data"


def test_one_booking_per_nik_holds_for_a_later_stop() -> None:
    v = Visit()
    v.book(("A", "J"), slot="08:00", nik="same")
    refusal = v.refused(v.command(("B", "J"), nik="same"), at("10:00", BOOKED_ON))
    assert refusal.code == "booking_nik_taken"
    # The refusal names the service already: no prefix is added.
    assert refusal.message == (
        "NIK ini sudah dipakai untuk pesanan layanan Pendaftaran dan Perubahan Data pada "
        "Senin, 7 Desember 2026"
    )


def test_cancel_by_the_lead_or_a_member_token_cancels_the_whole_visit() -> None:
    for which in (0, 1):
        v = Visit()
        cmd = v.book(("B", "J"))
        events = v.run(CancelBooking(cmd.tokens[which], "batal"), at("11:00", BOOKED_ON))
        assert [(type(e), e.code) for e in events] == [  # type: ignore[attr-defined]
            (BookingCancelled, cmd.codes[0]),
            (BookingCancelled, cmd.codes[1]),
        ]
        assert v.q.bookings.taken == {}


def test_reschedule_moves_the_whole_visit() -> None:
    v = Visit()
    cmd = v.book(("A", "J"), slot="09:30")  # A 09:30, J 09:40 → 09:30
    # To A 09:00: J 09:10 → 09:00, both move. By a member's token, the same group.
    events = v.run(Reschedule(cmd.tokens[1], MONDAY, t("09:00")), at("11:00", BOOKED_ON))
    assert [(e.code, e.day, e.slot) for e in events] == [  # type: ignore[attr-defined]
        (cmd.codes[0], MONDAY, t("09:00")),
        (cmd.codes[1], MONDAY, t("09:00")),
    ]
    # To Tuesday A 09:00: both change day.
    tuesday = MONDAY + timedelta(days=1)
    events = v.run(Reschedule(cmd.tokens[0], tuesday, t("09:00")), at("11:00", BOOKED_ON))
    assert [(e.line, e.day, e.slot) for e in events] == [  # type: ignore[attr-defined]
        ("A", tuesday, t("09:00")),
        ("J", tuesday, t("09:00")),
    ]
    assert v.run(Reschedule(cmd.tokens[0], tuesday, t("09:00")), at("11:00", BOOKED_ON)) == []


def test_a_member_whose_slot_stays_gets_no_event_and_no_place_check() -> None:
    v = Visit()
    cmd = v.book(("A", "B"), slot="09:30")  # A 09:30, B 09:40 → 09:30
    for i in range(3):  # B 09:30's 4 regular places taken, the visit's own among them
        v.book(("B", "J"), slot="09:30", nik=f"f{i}")
    # To A 10:00: B 10:10 → 09:30 still: only A moves, B's full slot is not asked.
    events = v.run(Reschedule(cmd.tokens[0], MONDAY, t("10:00")), at("11:00", BOOKED_ON))
    assert [(e.line, e.slot) for e in events] == [("A", t("10:00"))]  # type: ignore[attr-defined]
    assert v.q.bookings.get(cmd.codes[1]).slot == t("09:30")  # type: ignore[union-attr]


def fill_b_0930(v: Visit) -> None:
    """Three other citizens book B 09:30 alone: with a visit's B there, its 4 places are full."""
    for i in range(3):
        v.run(
            Book(
                line="B",
                day=MONDAY,
                slot=t("09:30"),
                priority=None,
                name="Warga",
                phone="+6281200000000",
                nik_last4="0000",
                nik_hash=f"h-other{i}",
                phone_hash=f"p-other{i}",
                code=f"OTHR000{i}",
                token=f"tok-other-{i}",
                channel="web",
            ),
            at("10:00", BOOKED_ON),
        )


def test_the_change_slots_keep_a_stops_own_place_where_it_stays() -> None:
    """A 10:00 → B 09:30 (10:10 on B's hourly grid), J 10:00; B 09:30 then full with the
    visit's own place. Moving to A 09:30 keeps B at 09:30 (09:40 → 09:30), J to 09:30 (09:52):
    the change page offers it, as the core's reschedule takes it; a new visit may not."""
    v = Visit()
    cmd = v.book(("A", "B", "J"), slot="10:00")
    fill_b_0930(v)
    book, now = v.q.bookings, at("10:05", BOOKED_ON)
    group = book.group(book.by_token(cmd.tokens[0]))  # type: ignore[arg-type]
    lines = ("A", "B", "J")
    [moving] = [
        c
        for c in visit_slot_choices(demo(), lines, MONDAY, None, book, now, group)
        if c.slot == t("09:30")
    ]
    assert [(s.line, s.slot) for s in moving.stops] == [
        ("A", t("09:30")),
        ("B", t("09:30")),
        ("J", t("09:30")),
    ]
    assert (moving.bookable, moving.message) == (True, None)
    [new] = [
        c
        for c in visit_slot_choices(demo(), lines, MONDAY, None, book, now)
        if c.slot == t("09:30")
    ]
    assert (new.bookable, new.refusal_code) == (False, "slot_full")
    events = v.run(Reschedule(cmd.tokens[0], MONDAY, t("09:30")), now)
    assert [(e.line, e.slot) for e in events] == [  # type: ignore[attr-defined]
        ("A", t("09:30")),
        ("J", t("09:30")),
    ]


# --------------------------------------------------------------------------------------------
# On the day: check in once, the visit starts, the booked places are used
# --------------------------------------------------------------------------------------------


def officer_ids() -> dict[str, str]:
    """A Dukcapil officer and a BPJS Kesehatan one of the demo building."""
    by_agency: dict[str, str] = {}
    for o in demo().officers:
        by_agency.setdefault(o.agency, o.id)
    return by_agency


def staff(v: Visit) -> None:
    ids = officer_ids()
    for counter, agency in (("L03", "DUKCAPIL"), ("L14", "BPJSKES")):
        v.run(LogIn(counter, ids[agency]), at("07:30"))
        v.run(OpenCounter(counter), at("07:30"))


def checked_in(v: Visit, cmd: BookVisit, now: str = "09:10", code: int = 0) -> list[Event]:
    events = v.run(CheckIn(cmd.codes[code], "KIOSK-1", "ticket-token-1"), at(now))
    return events


def test_check_in_of_the_lead_starts_the_visit_at_its_slot() -> None:
    v = Visit()
    cmd = v.book(("B", "J"))
    events = checked_in(v, cmd)
    issued, started, booked_in = events
    assert isinstance(issued, TicketIssued) and isinstance(started, VisitStarted)
    assert (issued.line, issued.booking, issued.slot, issued.visit, issued.stop) == (
        "B",
        cmd.codes[0],
        at("09:30"),
        "2026-12-07/KJ-001",
        0,
    )
    assert (started.stops, started.started_at, started.booking) == (
        ("B", "J"),
        at("09:30"),
        cmd.codes[0],
    )
    assert isinstance(booked_in, BookingCheckedIn) and booked_in.code == cmd.codes[0]
    # J's later stop holds no walk-in quota: its place is the member booking's.
    assert (v.q.used_walk_in["J"], v.q.used_priority["J"]) == (0, 0)
    member = v.q.bookings.get(cmd.codes[1])
    assert member is not None and member.state is BookingState.BOOKED
    # The member's code answers for the lead: already checked in (printing now).
    refusal = v.refused(CheckIn(cmd.codes[1], "KIOSK-1", "tt-2"), at("09:11"))
    assert refusal.code == "booking_printing"


def test_the_hand_on_uses_the_booked_place_and_checks_the_member_in() -> None:
    v = Visit()
    staff(v)
    cmd = v.book(("B", "J"))
    issued = checked_in(v, cmd)[0]
    v.run(ConfirmPrinted(issued.ticket), at("09:10"))  # type: ignore[attr-defined]
    v.run(CallTicket("L03", issued.ticket, "giliran"), at("09:31"))  # type: ignore[attr-defined]
    v.run(StartService("L03"), at("09:31"))
    events = v.run(FinishService("L03"), at("10:00"))
    kinds = [e.kind for e in events]
    assert kinds == [
        "service_finished",
        "visit_handed_on",
        "ticket_issued",
        "booking_checked_in",
        "ticket_printed",
    ]
    j_ticket = events[2]
    assert isinstance(j_ticket, TicketIssued)
    # Queued by the credit rule from the slot's start: max(09:30, 10:00 − 15 min) = 09:45.
    assert (j_ticket.line, j_ticket.booking, j_ticket.slot, j_ticket.queued_at) == (
        "J",
        cmd.codes[1],
        None,
        at("09:45"),
    )
    assert v.q.tickets[j_ticket.ticket].queued_at == at("09:45")
    assert (v.q.used_walk_in["J"], v.q.used_priority["J"]) == (0, 0)
    member = v.q.bookings.get(cmd.codes[1])
    assert member is not None and member.state is BookingState.CHECKED_IN
    assert member.ticket == j_ticket.ticket
    assert v.q.itineraries["2026-12-07/KJ-001"].stops[1].state == "waiting"
    assert v.q.bookings.printing == {}
    assert replay(demo(), v.log) == v.q


def test_a_skipped_booked_stop_cancels_its_member_in_the_same_command() -> None:
    v = Visit()
    staff(v)
    cmd = v.book(("B", "J"))
    issued = checked_in(v, cmd)[0]
    v.run(ConfirmPrinted(issued.ticket), at("09:10"))  # type: ignore[attr-defined]
    v.run(CallTicket("L03", issued.ticket, "giliran"), at("09:31"))  # type: ignore[attr-defined]
    events = v.run(SkipStop("L03", "J", "sudah terdaftar"), at("09:35"))
    assert [(e.kind, getattr(e, "code", None)) for e in events] == [
        ("stop_skipped", None),
        ("booking_cancelled", cmd.codes[1]),
    ]
    assert events[1].reason == "sudah terdaftar"  # type: ignore[attr-defined]
    assert ("J", MONDAY, t("09:30")) not in v.q.bookings.taken
    assert replay(demo(), v.log) == v.q


def test_a_member_lapses_with_its_booked_lead_in_the_same_tick() -> None:
    v = Visit()
    cmd = v.book(("B", "J"))
    # B 09:30's check-in closes at 09:45; J's own window (09:00–09:45) is never asked.
    assert v.run(Tick(), at("09:44")) == []
    events = v.run(Tick(), at("09:45"))
    # Nobody came: both lapse as absent (no reason), never "not reached".
    assert [(e.kind, e.code, e.reason) for e in events] == [  # type: ignore[attr-defined]
        ("booking_lapsed", cmd.codes[0], None),
        ("booking_lapsed", cmd.codes[1], None),
    ]
    assert [v.q.bookings.get(c).state for c in cmd.codes] == [BookingState.LAPSED] * 2  # type: ignore[union-attr]


def test_a_member_waits_for_its_stop_past_its_own_window() -> None:
    v = Visit()
    staff(v)
    cmd = v.book(("B", "J"))
    issued = checked_in(v, cmd)[0]
    v.run(ConfirmPrinted(issued.ticket), at("09:10"))  # type: ignore[attr-defined]
    # J 09:30's own window closed at 09:45: the member is still booked while its stop waits.
    assert [e for e in v.run(Tick(), at("11:00")) if e.kind == "booking_lapsed"] == []
    member = v.q.bookings.get(cmd.codes[1])
    assert member is not None and member.state is BookingState.BOOKED
    # J's place is held (J has no release time, but the rule is the pure one).
    j = demo().line("J")
    assert j is not None
    # 16 slots × 4 places, one held by the member.
    assert unused_places(demo(), j, MONDAY, v.q.bookings, at("11:00")) == 16 * 4 - 1


def test_a_visit_that_ends_before_a_booked_stop_lapses_it_at_the_next_tick() -> None:
    v = Visit()
    staff(v)
    cmd = v.book(("B", "J"))
    issued = checked_in(v, cmd)[0]
    v.run(ConfirmPrinted(issued.ticket), at("09:10"))  # type: ignore[attr-defined]
    v.run(CancelTicket(issued.ticket, "salah layanan"), at("09:20"))  # type: ignore[attr-defined]
    j = demo().line("J")
    assert j is not None
    # The visit ended: the member holds no place any more, and the tick lapses it — as not
    # reached (*tidak dilayani*): the citizen came, the visit ended before J.
    events = v.run(Tick(), at("09:21"))
    assert [(e.kind, e.code, e.reason) for e in events] == [  # type: ignore[attr-defined]
        ("booking_lapsed", cmd.codes[1], "not_reached")
    ]
    member = v.q.bookings.get(cmd.codes[1])
    assert member is not None and member.state is BookingState.NOT_REACHED
    # The floor's figures of J: one not reached, none lapsed, none expected.
    figures = day_figures(demo(), j, MONDAY, v.q.bookings, 0, at("09:22"))
    assert figures is not None
    assert (figures.expected, figures.lapsed, figures.not_reached) == (0, 0, 1)
    assert unused_places(demo(), j, MONDAY, v.q.bookings, at("09:22")) == 16 * 4
    assert replay(demo(), v.log) == v.q
    assert replay(demo(), [read_event(event_to_dict(e)) for e in v.log]) == v.q


def test_a_visit_under_way_at_the_day_close_leaves_its_member_not_reached() -> None:
    """B checked in at 09:10, never called; no tick until Tuesday 07:00 (the server was
    down): the close of Monday expires B's ticket and lapses J's member as not reached."""
    v = Visit()
    cmd = v.book(("B", "J"))
    issued = checked_in(v, cmd)[0]
    v.run(ConfirmPrinted(issued.ticket), at("09:10"))  # type: ignore[attr-defined]
    events = v.run(Tick(), at("07:00", MONDAY + timedelta(days=1)))
    lapses = [(e.code, e.reason) for e in events if e.kind == "booking_lapsed"]  # type: ignore[attr-defined]
    assert lapses == [(cmd.codes[1], "not_reached")]


def test_a_lapse_logged_before_the_reason_reads_as_a_plain_lapse() -> None:
    old = {"kind": "booking_lapsed", "at": at("09:45").isoformat(), "code": "V1JCODE1",
           "line": "J", "day": "2026-12-07", "slot": "09:30"}  # fmt: skip
    lapse = read_event(old)
    assert lapse.reason is None  # type: ignore[attr-defined]


def test_a_failed_print_leaves_the_lead_booked_and_the_member_with_it() -> None:
    v = Visit()
    cmd = v.book(("B", "J"))
    issued = checked_in(v, cmd)[0]
    v.run(PrintFailed(issued.ticket, "kertas habis"), at("09:10"))  # type: ignore[attr-defined]
    book = v.q.bookings
    assert [book.get(c).state for c in cmd.codes] == [BookingState.BOOKED] * 2  # type: ignore[union-attr]
    assert v.run(Tick(), at("09:11")) == []
    # Checked in again: a new visit, both stops again.
    again = v.run(CheckIn(cmd.codes[0], "KIOSK-1", "tt-again"), at("09:12"))
    assert isinstance(again[1], VisitStarted) and again[1].stops == ("B", "J")
    assert again[1].visit == "2026-12-07/KJ-002"
    assert replay(demo(), v.log) == v.q


def test_a_booked_visit_day_replays_through_the_wire_form() -> None:
    v = Visit()
    staff(v)
    cmd = v.book(("A", "B", "J"), slot="09:00")
    issued = checked_in(v, cmd, now="08:40")[0]
    v.run(ConfirmPrinted(issued.ticket), at("08:40"))  # type: ignore[attr-defined]
    v.run(CallTicket("L03", issued.ticket, "giliran"), at("09:01"))  # type: ignore[attr-defined]
    v.run(StartService("L03"), at("09:01"))
    handed = v.run(FinishService("L03"), at("09:15"))
    b_ticket = handed[2].ticket  # type: ignore[attr-defined]
    v.run(CallTicket("L03", b_ticket, "giliran"), at("09:16"))
    v.run(StartService("L03"), at("09:16"))
    v.run(FinishService("L03"), at("09:30"))
    wire = [read_event(event_to_dict(e)) for e in v.log]
    assert wire == v.log
    assert replay(demo(), wire) == v.q
    states = [v.q.bookings.get(c).state for c in cmd.codes]  # type: ignore[union-attr]
    assert states == [BookingState.CHECKED_IN] * 3
    assert [s.state for s in v.q.itineraries["2026-12-07/KJ-001"].stops] == [
        "done",
        "done",
        "waiting",
    ]
    # The book's copy and equality see the group.
    assert v.q.bookings.copy() == v.q.bookings


def fill_j_0930(v: Visit) -> None:
    """Three single bookings take J 09:30's 3 regular places."""
    for i in range(3):
        v.run(
            Book(
                line="J",
                day=MONDAY,
                slot=t("09:30"),
                priority=None,
                name="Warga",
                phone="+6281200000000",
                nik_last4="0000",
                nik_hash=f"h-j{i}",
                phone_hash=f"p-j{i}",
                code=f"JJJJ000{i}",
                token=f"tok-j-{i}",
                channel="web",
            ),
            at("10:00", BOOKED_ON),
        )


FULL_J = "Pendaftaran dan Perubahan Data: Jadwal Senin, 7 Desember 2026 pukul 09.30 WIB sudah penuh"


def test_a_full_later_stop_names_the_visits_next_arrival_not_its_own_free_slot() -> None:
    """J 09:30 full, J 10:00 free (J's own next), but no B slot leads to J 10:00: B 09:30 →
    J 09:30 (full), B 10:30 → J 10:30. The visit's next arrival is B 10:30; J's 10.00 is
    named nowhere — neither on the slot list nor in the booking's refusal."""
    v = Visit()
    fill_j_0930(v)
    now = at("10:05", BOOKED_ON)
    choices = visit_slot_choices(demo(), ("B", "J"), MONDAY, None, v.q.bookings, now)
    [nine] = [c for c in choices if c.slot == t("09:30")]
    hint = "; jam kedatangan berikutnya yang masih bisa dipesan untuk seluruh kunjungan pukul "
    assert (nine.bookable, nine.message) == (False, FULL_J + hint + "10.30 WIB")
    refusal = v.refused(v.command(("B", "J"), slot="09:30", nik="z"), now)
    assert refusal.message == FULL_J + hint + "10.30 WIB"
    assert refusal.details["next_arrival"] == "10:30"
    assert "next_slot" not in refusal.details


def test_a_full_stop_with_no_later_arrival_asks_for_another_time() -> None:
    """B 13:30 is B's last slot: J 13:30 full leaves no later arrival for the visit."""
    v = Visit()
    for i in range(3):
        v.book(("A", "J"), slot="13:30", nik=f"late{i}")  # A 13:30 → J 13:40 → 13:30
    refusal = v.refused(v.command(("B", "J"), slot="13:30", nik="z"), at("10:05", BOOKED_ON))
    assert refusal.message == (
        "Pendaftaran dan Perubahan Data: Jadwal Senin, 7 Desember 2026 pukul 13.30 WIB sudah "
        "penuh; silakan pilih jam kedatangan lain"
    )
    assert refusal.details["next_arrival"] is None
