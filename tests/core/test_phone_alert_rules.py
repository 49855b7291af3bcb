"""When the phone page warns, and the no-show's reactivation rule (server/core/phone_alerts.py).

The expectations are written by hand from the brief of issue 19: warn once when at most
`warn_when_ahead` people are ahead (a waiting spell: issued, reactivated, transferred), and when
called, naming the counter; a recall is a new call. The no-show sentence is spelled out in full
for a worked example (marked 09.12 WIB, a 30-minute window: until 09.42 WIB), in WITA too, and
its deadline is held to the core's own: the instant `reactivate` is refused is the instant the
page says the window has passed.
"""

from __future__ import annotations

import pytest
from factory import at, call_next, issue, make_building, open_counter

from server.core.model import (
    DomainError,
    MarkNoShow,
    Reactivate,
    StartService,
    Ticket,
    TicketState,
    Transfer,
)
from server.core.phone_alerts import (
    AlertKind,
    alert_of,
    noshow_note,
    reactivation_deadline,
)
from server.core.queue import QueueState


def ticket(state: TicketState, calls: int = 0, transfers: tuple[str, ...] = ()) -> Ticket:
    t = at("08:00")
    return Ticket(
        id="2026-11-23/A-007",
        day=t.date(),
        number="A-007",
        seq=7,
        line="A",
        priority=None,
        state=state,
        issued_at=t,
        queued_at=t,
        token="tok",
        calls=calls,
        transfers=transfers,
    )


# (people ahead, threshold) -> the banner's large line, or None: no warning. By hand.
FEW_AHEAD = [
    (5, 3, None),
    (4, 3, None),
    (3, 3, "Tinggal 3 orang di depan Anda. Segera kembali ke ruang tunggu."),
    (1, 3, "Tinggal 1 orang di depan Anda. Segera kembali ke ruang tunggu."),
    (0, 3, "Anda berikutnya. Segera kembali ke ruang tunggu."),
    (1, 0, None),
    (0, 0, "Anda berikutnya. Segera kembali ke ruang tunggu."),
]


@pytest.mark.parametrize(("ahead", "threshold", "text"), FEW_AHEAD)
def test_a_waiting_ticket_is_warned_at_the_threshold_and_below(
    ahead: int, threshold: int, text: str | None
) -> None:
    alert = alert_of(ticket(TicketState.WAITING), ahead, None, threshold)
    if text is None:
        assert alert is None
        return
    assert alert is not None
    assert alert.kind is AlertKind.FEW_AHEAD
    assert alert.title == "Giliran Anda sebentar lagi"
    assert alert.text == text
    assert alert.key == "few_ahead-0-0"


def test_one_waiting_spell_has_one_key_and_a_new_spell_a_new_one() -> None:
    """The count moving within a spell keeps the key (one chime); a reactivation (after a
    call) or a transfer starts a new spell with its own key."""
    first = alert_of(ticket(TicketState.WAITING), 3, None, 3)
    closer = alert_of(ticket(TicketState.WAITING), 1, None, 3)
    back = alert_of(ticket(TicketState.WAITING, calls=1), 2, None, 3)
    moved = alert_of(ticket(TicketState.WAITING, calls=1, transfers=("A",)), 2, None, 3)
    assert first is not None and closer is not None and back is not None and moved is not None
    assert first.key == closer.key == "few_ahead-0-0"
    assert back.key == "few_ahead-1-0"
    assert moved.key == "few_ahead-1-1"


def test_a_called_ticket_is_told_where_to_go_and_each_recall_is_news() -> None:
    called = ticket(TicketState.CALLED, calls=1)
    alert = alert_of(called, None, "Loket 7", 3)
    assert alert is not None and alert.kind is AlertKind.CALLED
    assert (alert.title, alert.text, alert.key) == (
        "Nomor Anda dipanggil",
        "Silakan menuju Loket 7",
        "called-1",
    )
    recalled = ticket(TicketState.CALLED, calls=2)
    again = alert_of(recalled, None, "Loket 7", 3)
    assert again is not None
    assert (again.title, again.text, again.key) == (
        "Nomor Anda dipanggil lagi",
        "Silakan menuju Loket 7",
        "called-2",
    )
    assert again.as_dict() == {
        "kind": "called",
        "key": "called-2",
        "title": "Nomor Anda dipanggil lagi",
        "text": "Silakan menuju Loket 7",
    }


@pytest.mark.parametrize(
    "state",
    [
        TicketState.PRINTING,
        TicketState.SERVING,
        TicketState.DONE,
        TicketState.NO_SHOW,
        TicketState.CANCELLED,
        TicketState.EXPIRED,
    ],
)
def test_no_warning_in_any_other_state(state: TicketState) -> None:
    assert alert_of(ticket(state, calls=1), 0, "Loket 7", 3) is None


# The worked example: Dukcapil's line A, called and marked not present at 09.12 WIB.
OPEN = (
    "Nomor Anda dipanggil, tetapi Anda tidak hadir (dicatat pukul 09.12 WIB). Anda masih dapat "
    "meminta nomor ini diaktifkan kembali dalam 30 menit, sampai pukul 09.42 WIB: temui petugas "
    "loket Dukcapil atau petugas lantai. Nomor Anda kembali ke tempatnya semula dalam antrean. "
    "Lewat pukul 09.42 WIB, nomor ini tidak dapat diaktifkan lagi. Silakan ambil nomor antrean "
    "baru di kiosk bila layanan masih menerima nomor hari ini."
)
PASSED = (
    "Nomor Anda dipanggil, tetapi Anda tidak hadir (dicatat pukul 09.12 WIB). Batas waktu untuk "
    "mengaktifkan kembali nomor ini, pukul 09.42 WIB (30 menit), sudah lewat: nomor ini tidak "
    "dapat diaktifkan lagi. Silakan ambil nomor antrean baru di kiosk bila layanan masih "
    "menerima nomor hari ini."
)


def no_show_at(state: QueueState, hhmm: str) -> str:
    """A ticket of line A called at Loket 1 and marked not present at `hhmm`; its id."""
    b = state.building
    open_counter(state, "L01", "OF1", at("08:00", building=b))
    tid = issue(state, "A", at("08:01", building=b))
    call_next(state, "L01", at(hhmm, building=b))
    state.handle(MarkNoShow("L01"), at(hhmm, building=b))
    return tid


def test_the_no_show_reads_until_when_and_what_then_and_the_core_agrees() -> None:
    """Open until 09.42 WIB; past it, closed. The core refuses reactivation from the same
    instant the page says so (a second past the deadline)."""
    q = QueueState(make_building())
    tid = no_show_at(q, "09:12:00")
    t = q.tickets[tid]
    deadline = reactivation_deadline(t, 30)
    assert deadline == at("09:42")
    assert noshow_note(t, at("09:12"), q.building) == OPEN
    assert noshow_note(t, at("09:42"), q.building) == OPEN
    assert noshow_note(t, at("09:42:01"), q.building) == PASSED
    with pytest.raises(DomainError) as info:
        q.handle(Reactivate(tid), at("09:42:01"))
    assert info.value.code == "noshow_window_passed"
    q.handle(Reactivate(tid), at("09:42"))  # the last instant the page promised
    assert q.tickets[tid].state is TicketState.WAITING
    assert noshow_note(q.tickets[tid], at("09:42"), q.building) is None
    assert reactivation_deadline(q.tickets[tid], 30) is None


def test_times_are_the_buildings_wall_clock_in_its_zone() -> None:
    """A WITA building: the same instants read an hour later, with WITA; minutes as set."""
    b = make_building("WITA", noshow_window_min=15)
    q = QueueState(b)
    tid = no_show_at(q, "10:05:30")
    note = noshow_note(q.tickets[tid], at("10:06", building=b), b)
    assert note is not None
    assert "(dicatat pukul 10.05 WITA)" in note
    assert "dalam 15 menit, sampai pukul 10.20 WITA:" in note
    assert "Lewat pukul 10.20 WITA, nomor ini" in note


def test_a_building_without_a_window_says_there_is_none() -> None:
    b = make_building(noshow_window_min=0)
    q = QueueState(b)
    tid = no_show_at(q, "09:12")
    assert noshow_note(q.tickets[tid], at("09:12"), b) == (
        "Nomor Anda dipanggil, tetapi Anda tidak hadir (dicatat pukul 09.12 WIB). Nomor ini "
        "tidak dapat diaktifkan kembali. Silakan ambil nomor antrean baru di kiosk bila layanan "
        "masih menerima nomor hari ini."
    )


def test_a_half_minute_window_is_written_with_a_decimal_comma() -> None:
    b = make_building(noshow_window_min=7.5)
    q = QueueState(b)
    tid = no_show_at(q, "09:12")
    note = noshow_note(q.tickets[tid], at("09:13"), b)
    assert note is not None and "dalam 7,5 menit, sampai pukul 09.19 WIB:" in note


def test_only_a_no_show_gets_the_rule() -> None:
    q = QueueState(make_building())
    open_counter(q, "L01", "OF1", at("08:00"))
    tid = issue(q, "A", at("08:01"))
    assert noshow_note(q.tickets[tid], at("08:02"), q.building) is None
    call_next(q, "L01", at("08:03"))
    assert noshow_note(q.tickets[tid], at("08:03"), q.building) is None
    q.handle(StartService("L01"), at("08:04"))
    q.handle(Transfer("L01", "B"), at("08:05"))
    assert noshow_note(q.tickets[tid], at("08:06"), q.building) is None
    assert q.tickets[tid].no_show_at is None
    assert reactivation_deadline(q.tickets[tid], 30) is None
