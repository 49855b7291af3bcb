"""The booking book's rules against tables written out by hand (tests/core/booking_kit.py).

Line A on Monday 23 November 2026 (WIB): slots 07:30, 08:30 … 13:30, each with two regular
places and one priority place; bookable 7 days ahead from 06:00, until 60 minutes before the
slot; check-in from 30 minutes before the slot to 15 minutes after; unused places released at
11:00. Line P: half-hour slots of one place. Line B takes no bookings.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from server.core.bookings import BookingState
from server.core.building import Building, Holiday
from server.core.events import (
    BookingCheckedIn,
    BookingLapsed,
    BookingMade,
    BookingPlacesReleased,
    BookingRescheduled,
    DayClosed,
    Event,
    PriorityGroup,
    TicketExpired,
    TicketIssued,
    event_to_dict,
    read_event,
)
from server.core.model import (
    CancelBooking,
    Command,
    ConfirmPrinted,
    DomainError,
    IssueTicket,
    PrintFailed,
    Reschedule,
    Tick,
)
from server.core.queue import QueueState
from tests.core.booking_kit import RULES_P, book, booking_building, check_in, new_code, t
from tests.core.factory import MONDAY, at, issue, replay

TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
FRIDAY = MONDAY + timedelta(days=4)
SATURDAY = MONDAY + timedelta(days=5)
NEXT_MONDAY = MONDAY + timedelta(days=7)
NEXT_TUESDAY = MONDAY + timedelta(days=8)
LANSIA = PriorityGroup.LANSIA


def fresh(**settings: int) -> QueueState:
    return QueueState(booking_building(**settings))


class Recording(QueueState):
    """A state that keeps the events it decided: what the log holds, to replay elsewhere."""

    def __init__(self, building: Building) -> None:
        super().__init__(building)
        self.log: list[Event] = []

    def handle(self, command: Command, now: datetime) -> list[Event]:
        events = super().handle(command, now)
        self.log.extend(events)
        return events


def refusal(state: QueueState, now: str, *args: object, day: date = MONDAY, **kw: object):
    """The DomainError a booking made at `now` on Monday gets."""
    with pytest.raises(DomainError) as caught:
        book(state, at(now, day), *args, **kw)  # type: ignore[arg-type]
    return caught.value


# -- the booking window -----------------------------------------------------------------------

# (now on Monday, line, day, slot, expected code or None for booked, expected message or None)
WINDOW = [
    ("05:59", "A", NEXT_MONDAY, "09:30", "booking_not_open",
     "Pemesanan untuk Senin, 30 November 2026 belum dibuka; dibuka Senin, 23 November 2026 "
     "pukul 06.00 WIB"),
    ("06:00", "A", NEXT_MONDAY, "09:30", None, None),
    ("06:00", "A", NEXT_TUESDAY, "09:30", "booking_not_open",
     "Pemesanan untuk Selasa, 1 Desember 2026 belum dibuka; dibuka Selasa, 24 November 2026 "
     "pukul 06.00 WIB"),
    ("08:29", "A", MONDAY, "09:30", None, None),
    ("08:30", "A", MONDAY, "09:30", "booking_too_late",
     "Pemesanan untuk Senin, 23 November 2026 pukul 09.30 WIB sudah ditutup"),
    ("08:00", "A", MONDAY, "07:30", "booking_too_late", None),
    ("08:00", "A", MONDAY - timedelta(days=1), "09:30", "booking_too_late", None),
    ("08:00", "A", SATURDAY, "09:30", "slot_unknown",
     "Tidak ada jadwal layanan Perekaman KTP-el pada Sabtu, 28 November 2026 pukul 09.30 WIB"),
    ("08:00", "A", TUESDAY, "09:45", "slot_unknown", None),
    ("08:00", "A", FRIDAY, "11:30", "slot_unknown", None),  # the Friday prayer break
    ("08:00", "A", FRIDAY, "13:30", None, None),
    ("08:00", "A", MONDAY, "14:30", "slot_unknown", None),  # the cutoff: no slot starts there
    ("10:59", "A", MONDAY, "13:30", None, None),
    ("11:00", "A", MONDAY, "13:30", "booking_too_late", None),  # today's places released
    ("11:00", "A", TUESDAY, "13:30", None, None),  # tomorrow's are not
    ("08:00", "B", TUESDAY, "09:30", "booking_unavailable",
     "Layanan Kartu Keluarga tidak menerima pemesanan"),
    ("08:00", "P", TUESDAY, "12:30", None, None),
    ("12:00", "P", MONDAY, "12:30", "booking_too_late", None),  # P closes 30 min before
]  # fmt: skip


@pytest.mark.parametrize(("now", "line", "day", "slot", "code", "message"), WINDOW)
def test_the_booking_window(
    now: str, line: str, day: date, slot: str, code: str | None, message: str | None
) -> None:
    """Days ahead from 06:00, closing before the slot, released today, real slots only."""
    state = fresh()
    if code is None:
        booked = book(state, at(now), line, day, slot)
        assert state.bookings.get(booked).state is BookingState.BOOKED
        return
    error = refusal(state, now, line, day, slot)
    assert error.code == code
    if message is not None:
        assert error.message == message
    assert state.bookings.by_code == {}


@pytest.mark.parametrize(
    ("now", "line", "day", "slot", "code", "message"),
    # The rows of a slot the day has (yesterday, a Sunday, has none to list).
    [w for w in WINDOW if w[4] not in ("slot_unknown", "booking_unavailable") and w[2] >= MONDAY],
)
def test_a_days_slot_list_says_what_booking_would(
    now: str, line: str, day: date, slot: str, code: str | None, message: str | None
) -> None:
    """The slots a booking page lists (slot_availability) carry the window's answer of the
    same table for each of the day's slots; a day is offered (bookable_days) while one is."""
    state = fresh()
    listed = {a.slot: a for a in state.slot_availability(line, day, at(now))}
    shown = listed[t(slot)]
    assert (shown.bookable, shown.refusal_code) == (code is None, code)
    assert state.slot_availability(line, day, at(now), only=t(slot)) == [shown]  # a POST's one
    days = state.bookable_days(line, at(now))
    assert (day in days) == any(a.bookable for a in listed.values())
    if code is None:
        assert day in days


# -- places -----------------------------------------------------------------------------------

R, P = None, LANSIA
# A slot of two regular places and one priority place, booked in this order: who gets a place.
PLACES = [
    ([R, R, R], [True, True, False]),
    ([R, R, P, P], [True, True, True, False]),
    ([P, P, R, R], [True, True, True, False]),  # the second priority booking took a regular place
    ([P, R, R, P], [True, True, True, False]),
    ([P, P, P, P], [True, True, True, False]),
    ([R, P, R, R], [True, True, True, False]),
]


@pytest.mark.parametrize(("who", "placed"), PLACES)
def test_regular_and_priority_places(who: list[PriorityGroup | None], placed: list[bool]) -> None:
    """A priority citizen takes a priority place, else a regular one; nobody gets a fourth."""
    state = fresh()
    got = []
    for i, priority in enumerate(who):
        try:
            book(state, at("07:00"), "A", TUESDAY, "09:30", nik=f"n{i}", priority=priority)
            got.append(True)
        except DomainError as refused:
            assert refused.code == "slot_full"
            got.append(False)
    assert got == placed


def test_a_full_slot_names_the_next_free_one() -> None:
    """slot_full says which slot of the day still has a place; the details name it too."""
    state = fresh()
    for i, priority in enumerate([R, R, P]):
        book(state, at("07:00"), "A", TUESDAY, "09:30", nik=f"n{i}", priority=priority)
    for i in range(2):  # 10:30 is full for regular citizens only
        book(state, at("07:00"), "A", TUESDAY, "10:30", nik=f"m{i}")
    error = refusal(state, "07:00", "A", TUESDAY, "09:30", nik="x")
    assert error.message == (
        "Jadwal Selasa, 24 November 2026 pukul 09.30 WIB sudah penuh; jadwal berikutnya yang "
        "masih kosong pukul 11.30 WIB"
    )
    assert error.details["next_slot"] == "11:30"
    # A priority citizen is offered 10:30, where the priority place is still free.
    error = refusal(state, "07:00", "A", TUESDAY, "09:30", nik="y", priority=LANSIA)
    assert error.details["next_slot"] == "10:30"


def test_the_last_slot_full_names_no_next() -> None:
    state = fresh()
    book(state, at("07:00"), "P", TUESDAY, "12:30", nik="a")
    error = refusal(state, "07:00", "P", TUESDAY, "12:30", nik="b")
    assert error.message == "Jadwal Selasa, 24 November 2026 pukul 12.30 WIB sudah penuh"
    assert error.details["next_slot"] is None


def test_a_cancelled_place_is_free_again() -> None:
    state = fresh()
    first = book(state, at("07:00"), "P", TUESDAY, "09:00", nik="a")
    assert refusal(state, "07:00", "P", TUESDAY, "09:00", nik="b").code == "slot_full"
    state.handle(CancelBooking(token=f"tok-{first}", reason="berhalangan"), at("07:05"))
    book(state, at("07:06"), "P", TUESDAY, "09:00", nik="b")


# -- one booking per NIK per line per day; a phone's limit -----------------------------------


def test_one_booking_per_nik_per_line_per_day() -> None:
    state = fresh()
    first = book(state, at("07:00"), "A", TUESDAY, "09:30", nik="calo", phone="p1")
    error = refusal(state, "07:00", "A", TUESDAY, "12:30", nik="calo", phone="p2")
    assert error.code == "booking_nik_taken"
    assert error.message == (
        "NIK ini sudah dipakai untuk pesanan layanan Perekaman KTP-el pada Selasa, 24 November 2026"
    )
    book(state, at("07:00"), "A", WEDNESDAY, "09:30", nik="calo", phone="p2")  # another day
    book(state, at("07:00"), "P", TUESDAY, "09:30", nik="calo", phone="p3")  # another line
    state.handle(CancelBooking(token=f"tok-{first}", reason="salah pilih"), at("07:01"))
    book(state, at("07:02"), "A", TUESDAY, "12:30", nik="calo", phone="p4")


def test_a_checked_in_nik_still_holds_its_day() -> None:
    """A citizen served on a line today cannot book the same line again today."""
    state = fresh()
    code = book(state, at("07:00"), "A", MONDAY, "08:30", nik="n")
    check_in(state, code, at("08:10"))
    assert refusal(state, "08:15", "A", MONDAY, "10:30", nik="n").code == "booking_nik_taken"


def test_a_phone_number_holds_at_most_max_active_bookings() -> None:
    state = fresh()  # max_active_per_phone = 2
    first = book(state, at("07:00"), "A", MONDAY, "08:30", nik="a", phone="hp")
    book(state, at("07:00"), "A", TUESDAY, "08:30", nik="b", phone="hp")
    error = refusal(state, "07:00", "P", TUESDAY, "09:00", nik="c", phone="hp")
    assert error.code == "booking_phone_limit"
    assert error.message == ("Nomor telepon ini sudah dipakai untuk 2 pesanan yang belum digunakan")
    check_in(state, first, at("08:05"))  # used: no longer active
    book(state, at("08:06"), "P", TUESDAY, "09:00", nik="c", phone="hp")


# -- check-in ---------------------------------------------------------------------------------

# A booking of Monday 09:30 checked in at: -> refusal code (and its details), or None.
CHECK_IN = [
    ("08:59", "booking_too_early", {"time": "09.00 WIB"}),
    ("09:00", None, None),
    ("09:30", None, None),
    ("09:44:59", None, None),
    ("09:45", "booking_lapsed", {"line": "A", "walk_in": True}),
]


@pytest.mark.parametrize(("now", "code", "details"), CHECK_IN)
def test_the_check_in_window(now: str, code: str | None, details: dict | None) -> None:
    state = fresh()
    booking = book(state, at("07:00"), "A", MONDAY, "09:30")
    if code is None:
        events = check_in(state, booking, at(now))
        issued, checked = events
        assert isinstance(issued, TicketIssued) and isinstance(checked, BookingCheckedIn)
        assert (issued.number, issued.booking, issued.kiosk) == ("A-001", booking, "K1")
        assert issued.slot == at("09:30")
        assert checked.ticket == issued.ticket == "2026-11-23/A-001"
        ticket = state.tickets[issued.ticket]
        assert ticket.queued_at == at("09:30") and ticket.booking == booking
        assert state.bookings.get(booking).state is BookingState.CHECKED_IN
        assert state.used_walk_in["A"] == 0  # no quota used
        return
    with pytest.raises(DomainError) as caught:
        check_in(state, booking, at(now))
    assert caught.value.code == code and caught.value.details == details
    assert state.tickets == {}


def test_too_early_reads_when_to_come_back() -> None:
    state = fresh()
    booking = book(state, at("07:00"), "A", MONDAY, "09:30")
    with pytest.raises(DomainError) as caught:
        check_in(state, booking, at("08:15"))
    assert caught.value.message == (
        "Lapor kedatangan untuk pesanan ini dibuka pukul 09.00 WIB; silakan kembali nanti"
    )


def test_check_in_refusals() -> None:
    """Unknown, other day, cancelled, twice (naming the first number), lapsed without quota."""
    state = fresh()
    with pytest.raises(DomainError) as caught:
        check_in(state, "KAAAAAAA", at("09:00"))
    assert caught.value.code == "booking_not_found"

    tuesday = book(state, at("07:00"), "A", TUESDAY, "09:30", nik="t")
    with pytest.raises(DomainError) as caught:
        check_in(state, tuesday, at("09:10"))
    assert (caught.value.code, caught.value.details) == (
        "booking_other_day",
        {"day": "Selasa, 24 November 2026"},
    )
    assert caught.value.message == (
        "Pesanan ini untuk Selasa, 24 November 2026, bukan untuk hari ini"
    )

    gone = book(state, at("07:00"), "A", MONDAY, "09:30", nik="g")
    state.handle(CancelBooking(token=f"tok-{gone}", reason="batal"), at("07:10"))
    with pytest.raises(DomainError) as caught:
        check_in(state, gone, at("09:10"))
    assert caught.value.code == "booking_cancelled"

    twice = book(state, at("07:00"), "A", MONDAY, "09:30", nik="w")
    check_in(state, twice, at("09:10"))
    # Scanned again while the first kiosk still prints: the number is not the citizen's yet.
    with pytest.raises(DomainError) as caught:
        check_in(state, twice, at("09:10:05"), kiosk="K2")
    assert (caught.value.code, caught.value.details) == ("booking_printing", {"number": "A-001"})
    assert caught.value.message == (
        "Tiket pesanan ini sedang dicetak dengan nomor antrean A-001; silakan tunggu tiketnya "
        "keluar"
    )
    state.handle(ConfirmPrinted("2026-11-23/A-001"), at("09:10:06"))
    with pytest.raises(DomainError) as caught:
        check_in(state, twice, at("09:11"), kiosk="K2")
    assert (caught.value.code, caught.value.details) == ("booking_checked_in", {"number": "A-001"})
    assert caught.value.message == ("Pesanan ini sudah lapor kedatangan dengan nomor antrean A-001")
    assert len(state.tickets) == 1


def test_no_check_in_on_a_day_or_at_an_hour_nobody_serves() -> None:
    """A holiday announced after the booking was made, or a late window running past closing:
    the kiosk prints no number that nobody will call (the building's own refusal words)."""
    state = Recording(booking_building())
    holiday = book(state, at("07:00"), "A", MONDAY, "09:30", nik="h")
    closing = book(state, at("07:00"), "P", MONDAY, "12:30", nik="c")
    with_holiday = replace(
        state.building, holidays=(Holiday(MONDAY, "Cuti bersama yang baru diumumkan"),)
    )
    later = replay(with_holiday, state.log)
    with pytest.raises(DomainError) as caught:
        check_in(later, holiday, at("09:10"))
    assert (caught.value.code, caught.value.message) == (
        "holiday",
        "Hari ini libur: Cuti bersama yang baru diumumkan",
    )
    # Line P (cutoff 13:00) closes with the building at 16:00; a window 12:00–16:30 would
    # otherwise print a number at 16:10.
    late_window = replace(RULES_P, check_in_late_min=240)
    lines = tuple(
        replace(ln, booking=late_window) if ln.prefix == "P" else ln for ln in state.building.lines
    )
    late = replay(replace(state.building, lines=lines), state.log)
    with pytest.raises(DomainError) as caught:
        check_in(late, closing, at("16:10"))
    assert (caught.value.code, caught.value.message) == (
        "closed_hours",
        "Layanan hari ini sudah tutup pukul 16.00 WIB",
    )
    assert late.tickets == {}
    check_in(late, closing, at("13:10"))  # after the cutoff, inside the hours: checked in


def test_a_lapsed_booking_says_whether_a_walk_in_ticket_is_left() -> None:
    state = fresh()
    late = book(state, at("07:00"), "A", MONDAY, "08:30")
    for _ in range(5):  # line A's walk-in quota is 5
        issue(state, "A", at("08:00"))
    state.handle(Tick(), at("08:45"))
    assert state.bookings.get(late).state is BookingState.LAPSED
    with pytest.raises(DomainError) as caught:
        check_in(state, late, at("08:50"))
    assert caught.value.details == {"line": "A", "walk_in": False}
    assert caught.value.message == "Pesanan hangus karena batas waktu lapor kedatangan sudah lewat"


def test_a_booked_ticket_is_queued_at_its_slot_early_or_late() -> None:
    """Checked in at 09:05 (early) or 09:40 (late) for 09:30: its place is 09:30's."""
    state = fresh()
    early = book(state, at("07:00"), "A", MONDAY, "09:30", nik="e")
    late = book(state, at("07:00"), "A", MONDAY, "09:30", nik="l")
    walk_910 = issue(state, "A", at("09:10"))
    early_ticket = check_in(state, early, at("09:05"))[0].ticket  # type: ignore[attr-defined]
    # Before it is printed, the kiosk's figure: one walk-in queued before 09:30 is ahead.
    assert state.people_ahead(early_ticket, at("09:10")) == 1
    state.handle(ConfirmPrinted(early_ticket), at("09:11"))
    walk_935 = issue(state, "A", at("09:35"))
    late_ticket = check_in(state, late, at("09:40"))[0].ticket  # type: ignore[attr-defined]
    state.handle(ConfirmPrinted(late_ticket), at("09:40"))
    order = [t.id for t in state.waiting("A")]
    assert order == [walk_910, early_ticket, late_ticket, walk_935]


def test_a_failed_print_returns_the_booking_to_booked() -> None:
    state = fresh()
    code = book(state, at("07:00"), "A", MONDAY, "09:30")
    first = check_in(state, code, at("09:10"))[0].ticket  # type: ignore[attr-defined]
    state.handle(PrintFailed(first, "paper_out"), at("09:11"))
    assert state.bookings.get(code).state is BookingState.BOOKED
    assert state.bookings.get(code).ticket is None
    second = check_in(state, code, at("09:12"))[0].ticket  # type: ignore[attr-defined]
    assert (first, second) == ("2026-11-23/A-001", "2026-11-23/A-002")
    # A reservation that times out unprinted (printing_timeout_s) does the same.
    state.handle(Tick(), at("09:15"))
    assert state.tickets[second].state.value == "expired"
    assert state.bookings.get(code).state is BookingState.BOOKED
    # …and once the window closes, the tick lapses it.
    events = state.handle(Tick(), at("09:45"))
    assert [type(e) for e in events] == [BookingLapsed]


# -- lapses and the unused places -------------------------------------------------------------


def test_a_tick_lapses_a_booking_when_its_window_closes() -> None:
    state = fresh()
    code = book(state, at("07:00"), "A", MONDAY, "09:30")
    assert state.handle(Tick(), at("09:44:59")) == []
    events = state.handle(Tick(), at("09:45"))
    assert events == [
        BookingLapsed(at=at("09:45"), code=code, line="A", day=MONDAY, slot=t("09:30"))
    ]
    assert state.handle(Tick(), at("09:46")) == []


def test_unused_places_join_the_walk_in_quota_at_release_time() -> None:
    """21 places on Monday: at 11:00 all but the checked-in one and the 12:30 one are released;
    then each lapse or cancellation of today adds one."""
    state = fresh()
    used = book(state, at("06:20"), "A", MONDAY, "07:30", nik="a")
    book(state, at("06:30"), "A", MONDAY, "08:30", nik="b")  # lapses at 08:45
    book(state, at("06:30"), "A", MONDAY, "10:30", nik="c")  # lapses at 10:45
    noon = book(state, at("06:30"), "A", MONDAY, "12:30", nik="d")  # can still check in at 11
    gone = book(state, at("06:30"), "A", MONDAY, "13:30", nik="e")
    state.handle(CancelBooking(token=f"tok-{gone}", reason="batal"), at("06:40"))
    ticket = check_in(state, used, at("07:20"))[0].ticket  # type: ignore[attr-defined]
    state.handle(ConfirmPrinted(ticket), at("07:20"))
    assert [type(e) for e in state.handle(Tick(), at("08:45"))] == [BookingLapsed]
    assert state.line_view("A", at("10:59")).quota_left_walk_in == 5
    events = state.handle(Tick(), at("11:00"))
    assert [type(e) for e in events] == [BookingLapsed, BookingPlacesReleased]
    assert events[1] == BookingPlacesReleased(at=at("11:00"), line="A", day=MONDAY, places=19)
    assert state.line_view("A", at("11:00")).quota_left_walk_in == 5 + 19
    assert state.handle(Tick(), at("11:01")) == []  # released once a day
    assert state.handle(CancelBooking(token=f"tok-{noon}", reason="batal"), at("11:30"))
    view = state.line_view("A", at("11:30"))
    assert view.quota_left_walk_in == 5 + 20
    figures = view.bookings
    assert figures is not None
    assert (figures.places, figures.expected, figures.checked_in, figures.lapsed) == (21, 0, 1, 2)
    assert (figures.cancelled, figures.places_left, figures.released) == (2, 0, 20)


def test_no_release_on_a_day_without_slots() -> None:
    """Saturday: no slot, no booking place to give, no event."""
    state = fresh()
    assert state.handle(Tick(), at("11:00", SATURDAY)) == []


def test_a_line_without_release_keeps_its_places() -> None:
    state = fresh()
    book(state, at("06:30"), "P", MONDAY, "09:00")
    events = state.handle(Tick(), at("12:00"))
    assert [(type(e), e.line) for e in events] == [  # type: ignore[attr-defined]
        (BookingLapsed, "P"),
        (BookingPlacesReleased, "A"),  # A's release time has passed too
    ]
    assert state.line_view("P", at("12:00")).quota_left_walk_in == 3


def test_the_floor_figures_before_release() -> None:
    state = fresh()
    a = book(state, at("06:30"), "A", MONDAY, "08:30", nik="a")
    book(state, at("06:30"), "A", MONDAY, "09:30", nik="b")
    book(state, at("06:30"), "A", MONDAY, "09:30", nik="c", priority=LANSIA)
    ticket = check_in(state, a, at("08:10"))[0].ticket  # type: ignore[attr-defined]
    state.handle(ConfirmPrinted(ticket), at("08:10"))
    figures = state.line_view("A", at("08:20")).bookings
    assert figures is not None
    # Bookable at 08:20: 09:30 (three places, two taken: 1 left), then 10:30, 11:30, 12:30
    # and 13:30 (3 each): 13. (08:30 closed for booking at 07:30.)
    assert (figures.places, figures.expected, figures.checked_in, figures.places_left) == (
        21,
        2,
        1,
        13,
    )
    assert state.line_view("B", at("08:20")).bookings is None


# -- the day close ----------------------------------------------------------------------------


def test_the_day_close_lapses_today_keeps_the_days_ahead() -> None:
    state = fresh()
    issue(state, "A", at("08:00"))  # opens Monday
    monday = book(state, at("07:00"), "P", MONDAY, "12:30", nik="m")
    tuesday = book(state, at("07:00"), "A", TUESDAY, "09:30", nik="t")
    printing = book(state, at("07:00"), "A", MONDAY, "13:30", nik="p")
    check_in(state, printing, at("13:10"))  # its paper never comes out
    events = state.handle(Tick(), at("00:00:01", TUESDAY))
    lapsed = [e for e in events if isinstance(e, BookingLapsed)]
    assert {e.code for e in lapsed} == {monday, printing}
    assert all(e.at == at("23:59:59.999999") for e in lapsed)
    kinds = [(type(e), getattr(e, "ticket", None) or getattr(e, "code", None)) for e in events]
    # The booked ticket expires first, which returns its booking to booked; then it lapses.
    assert kinds.index((TicketExpired, "2026-11-23/A-002")) < kinds.index((BookingLapsed, printing))
    assert isinstance(events[-1], DayClosed)
    assert list(state.bookings.by_code) == [tuesday]  # Monday's are forgotten
    assert state.bookings.by_token(f"tok-{monday}") is None


def test_a_booking_decided_on_a_new_days_first_instant_sees_the_book() -> None:
    """The first command of a day runs after the day close, against the book it leaves."""
    state = fresh()
    issue(state, "A", at("08:00"))
    book(state, at("08:00"), "P", WEDNESDAY, "09:00", nik="a")
    with pytest.raises(DomainError) as caught:
        book(state, at("00:00:01", TUESDAY), "P", WEDNESDAY, "09:00", nik="b")
    assert caught.value.code == "slot_full"
    assert state.day == MONDAY  # a refusal changes nothing, the close included


# -- rescheduling and cancelling --------------------------------------------------------------


def test_reschedule_until_the_day_before() -> None:
    state = fresh()
    code = book(state, at("07:00"), "P", TUESDAY, "09:00", nik="a")
    book(state, at("07:00"), "P", TUESDAY, "10:00", nik="b")
    token = f"tok-{code}"
    with pytest.raises(DomainError) as caught:
        state.handle(Reschedule(token=token, day=TUESDAY, slot=t("10:00")), at("08:00"))
    assert caught.value.code == "slot_full"
    events = state.handle(Reschedule(token=token, day=WEDNESDAY, slot=t("09:30")), at("08:00"))
    assert events == [
        BookingRescheduled(
            at=at("08:00"),
            code=code,
            line="P",
            from_day=TUESDAY,
            from_slot=t("09:00"),
            day=WEDNESDAY,
            slot=t("09:30"),
        )
    ]
    book(state, at("08:01"), "P", TUESDAY, "09:00", nik="c")  # its old place is free
    assert state.handle(Reschedule(token=token, day=WEDNESDAY, slot=t("09:30")), at("08:02")) == []
    on_the_day = at("07:00", WEDNESDAY)
    with pytest.raises(DomainError) as caught:
        state.handle(Reschedule(token=token, day=WEDNESDAY, slot=t("10:00")), on_the_day)
    assert caught.value.message == (
        "Jadwal pesanan hanya dapat diubah paling lambat sehari sebelum Rabu, 25 November 2026"
    )


def test_reschedule_keeps_one_booking_per_nik() -> None:
    state = fresh()
    book(state, at("07:00"), "A", WEDNESDAY, "09:30", nik="n", phone="1")
    moving = book(state, at("07:00"), "A", TUESDAY, "09:30", nik="n", phone="2")
    with pytest.raises(DomainError) as caught:
        state.handle(Reschedule(token=f"tok-{moving}", day=WEDNESDAY, slot=t("10:30")), at("07:01"))
    assert caught.value.code == "booking_nik_taken"
    # Within its own day the booking does not stand in its own way.
    state.handle(Reschedule(token=f"tok-{moving}", day=TUESDAY, slot=t("10:30")), at("07:02"))


def test_cancel_and_act_on_a_finished_booking() -> None:
    state = fresh()
    code = book(state, at("07:00"), "A", TUESDAY, "09:30")
    with pytest.raises(DomainError) as caught:
        state.handle(CancelBooking(token=f"tok-{code}", reason="  "), at("07:01"))
    assert caught.value.code == "reason_required"
    state.handle(CancelBooking(token=f"tok-{code}", reason="sakit"), at("07:01"))
    for command in (
        CancelBooking(token=f"tok-{code}", reason="lagi"),
        Reschedule(token=f"tok-{code}", day=WEDNESDAY, slot=t("09:30")),
    ):
        with pytest.raises(DomainError) as caught:
            state.handle(command, at("07:02"))
        assert caught.value.code == "booking_cancelled"
    with pytest.raises(DomainError) as caught:
        state.handle(CancelBooking(token="no-such-token", reason="x"), at("07:02"))
    assert caught.value.code == "booking_not_found"


def test_codes_and_tokens_are_never_given_twice() -> None:
    state = fresh()
    code = book(state, at("07:00"), "A", TUESDAY, "09:30", nik="a")
    with pytest.raises(DomainError) as caught:
        book(state, at("07:00"), "A", TUESDAY, "10:30", nik="b", code=code)
    assert caught.value.code == "booking_code_taken"


# -- the events -------------------------------------------------------------------------------


def test_booking_events_replay_and_read_back() -> None:
    """Every event of a booking day replays into an equal state and reads back as itself."""
    state = fresh()
    log = []

    def run(command: object, now: str, day: date = MONDAY) -> None:
        log.extend(state.handle(command, at(now, day)))  # type: ignore[arg-type]

    codes = [new_code() for _ in range(4)]
    from server.core.model import Book

    for i, (slot, day) in enumerate(
        [("08:30", MONDAY), ("09:30", MONDAY), ("09:30", TUESDAY), ("12:30", MONDAY)]
    ):
        run(
            Book("A", day, t(slot), LANSIA if i == 1 else None, "Nama", "0812", "1234",
                 f"n{i}", f"p{i}", codes[i], f"tok{i}", "web"),
            "06:30",
        )  # fmt: skip
    run(IssueTicket("A", None, "walk", "K1"), "08:00")
    for event in check_in(state, codes[0], at("08:05")):
        log.append(event)
    run(Reschedule(token="tok2", day=WEDNESDAY, slot=t("10:30")), "08:10")
    run(Tick(), "09:45")
    run(CancelBooking(token="tok3", reason="batal"), "10:00")
    run(Tick(), "11:00")
    run(Tick(), "00:00:01", TUESDAY)
    assert replay(state.building, log) == state
    for event in log:
        assert read_event(event_to_dict(event)) == event
    made = next(e for e in log if isinstance(e, BookingMade))
    stored = event_to_dict(made)
    assert stored["slot"] == "08:30" and stored["nik_hash"] == "n0"
