"""The console's pure part: formatting, the model fed with frames, and which keys apply."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from countertest import NINE, SNAPSHOT, ev, model, ticket

from counter.texts import (
    call_options,
    counter_state_text,
    format_timer,
    format_wait,
    hint_text,
    lines_text,
    next_text,
    normalize_number,
    normalize_server_url,
    ticket_detail_text,
    transfer_options,
)
from counter.view import Action, allowed_actions


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "< 1 mnt"), (59, "< 1 mnt"), (60, "1 mnt"), (720, "12 mnt"), (3600, "1 jam"),
     (3900, "1 jam 5 mnt"), (-5, "< 1 mnt")],
)  # fmt: skip
def test_waits_read_as_officers_say_them(seconds: float, shown: str) -> None:
    """Waiting times read "12 mnt", "1 jam 5 mnt"; under a minute "< 1 mnt"."""
    assert format_wait(seconds) == shown


def test_service_timer_counts_minutes_and_seconds_then_hours() -> None:
    """The service timer reads mm:ss, and h:mm:ss past an hour."""
    assert [format_timer(s) for s in (0, 65, 3599, 3725)] == ["00:00", "01:05", "59:59", "1:02:05"]


def test_typed_numbers_take_the_printed_form() -> None:
    """ "a7", "A 7" and "a-007" all mean A-007; anything else is not a number."""
    assert {normalize_number(t) for t in ("a7", "A 7", "a-007", " A-7 ")} == {"A-007"}
    assert normalize_number("7") is None and normalize_number("A-") is None


def test_server_addresses_become_websocket_urls() -> None:
    """host:port, http:// and ws:// addresses all lead to the server's /ws endpoint."""
    assert normalize_server_url("10.0.0.5:8700") == "ws://10.0.0.5:8700/ws"
    assert normalize_server_url("https://mpp.example:443/") == "wss://mpp.example:443/ws"
    assert normalize_server_url("ws://127.0.0.1:8700/ws") == "ws://127.0.0.1:8700/ws"


def test_snapshot_gives_lines_next_numbers_and_state() -> None:
    """From the snapshot: waiting per served line with the longest wait, next numbers, state."""
    m = model()
    assert lines_text(m) == (
        "C  Akta Kelahiran dan Kematian: 2 menunggu (1 prioritas) · terlama 21 mnt\n"
        "D  Aktivasi IKD dan Konsultasi: 0 menunggu"
    )
    assert next_text(m) == "Berikutnya: C-001★  C-002"
    assert counter_state_text(m) == "BUKA"
    assert m.agency_name == "Dukcapil" and m.counter_name == "Loket 6"


def test_next_numbers_come_from_the_push_and_the_action_replies() -> None:
    """A `next` frame for this counter replaces the list; another counter's is ignored; an
    action's reply brings the list after it, unless told to keep a newer one."""
    m = model()
    frame = {"type": "next", "counter": "L06", "at": NINE.isoformat(), "next": [ticket("C-002")]}
    assert m.apply_next(frame) is True
    assert next_text(m) == "Berikutnya: C-002"
    assert m.apply_next({**frame, "counter": "L05", "next": []}) is False
    assert next_text(m) == "Berikutnya: C-002"
    reply = {"counter": {"id": "L06", "state": "open", "ticket": None}, "next": []}
    m.apply_reply({**reply, "next": [ticket("D-001")]}, with_next=False)
    assert next_text(m) == "Berikutnya: C-002"
    m.apply_reply(reply)
    assert next_text(m) == "Berikutnya: —"
    m.apply_reply({"counter": {"id": "L06", "state": "open", "ticket": None}})  # no list: kept
    assert m.next == []


def test_the_keys_follow_the_ticket_through_its_day() -> None:
    """Each step of the service cycle offers exactly the keys that make sense."""
    m = model()
    A = Action
    U = A.REQUEST_CLOSURE  # asking to close applies to an open or paused counter, busy or not
    assert allowed_actions(m) == {A.CALL_NEXT, A.CALL_TICKET, A.PAUSE, A.REACTIVATE, A.LOGOUT, U}
    m.apply_event(11, ev("ticket_called", 21, "C-001", line="C", counter="L06", reason="prioritas"))
    assert m.active is not None and m.active["number"] == "C-001"
    assert allowed_actions(m) == {A.RECALL, A.START, A.NO_SHOW, A.TRANSFER, A.REACTIVATE, U}
    m.apply_event(12, ev("service_started", 22, "C-001", counter="L06"))
    assert allowed_actions(m) == {A.FINISH, A.TRANSFER, A.ADD_STOP, A.REACTIVATE, U}
    detail = ticket_detail_text(m, NINE + timedelta(minutes=26, seconds=5))
    assert "Kategori: Lansia" in detail and "Menunggu: 21 mnt" in detail
    assert "SEDANG DILAYANI  04:05" in detail
    m.apply_event(13, ev("service_finished", 30, "C-001", counter="L06"))
    assert m.active is None and "2026-11-23/C-001" not in m.tickets
    m.apply_event(14, ev("counter_paused", 31, counter="L06", reason="sholat"))
    assert counter_state_text(m) == "JEDA — sholat"
    assert allowed_actions(m) == {A.RESUME, A.REACTIVATE, A.LOGOUT, U}
    m.apply_event(15, ev("counter_closed", 40, counter="L06"))
    assert allowed_actions(m) == {A.OPEN, A.REACTIVATE, A.LOGOUT}


def test_the_hint_names_only_keys_that_apply() -> None:
    """The hint line's keys are always among the enabled ones (one table for both)."""
    keys = {
        "N": Action.CALL_NEXT, "C": Action.CALL_TICKET, "P": Action.PAUSE, "Q": Action.LOGOUT,
        "S": Action.START, "R": Action.RECALL, "X": Action.NO_SHOW, "T": Action.TRANSFER,
        "F": Action.FINISH, "O": Action.OPEN, "K": Action.ADD_STOP, "L": Action.SKIP_STOP,
    }  # fmt: skip
    m = model()
    states = [
        {"state": "open", "ticket": None},
        {"state": "open", "ticket": "2026-11-23/C-001"},
        {"state": "paused", "ticket": None, "pause_reason": "rapat"},
        {"state": "closed", "ticket": None},
    ]
    for counter in states:
        m.counter = counter
        for ticket_state in ("called", "serving"):
            m.tickets["2026-11-23/C-001"]["state"] = ticket_state
            hint, allowed = hint_text(m), allowed_actions(m)
            named = {keys[k] for k in keys if f"{k}:" in hint}
            resume = m.counter_state == "paused" and Action.RESUME in allowed
            assert named <= allowed | ({Action.PAUSE} if resume else set()), hint


def test_replayed_and_foreign_events_leave_the_picture_alone() -> None:
    """An event at or below the applied sequence is skipped; other counters' calls stay theirs."""
    m = model()
    call = ev("ticket_called", 1, "C-002", line="C", counter="L05", reason="fifo")
    m.apply_event(10, call)  # already in the snapshot (seq 10)
    assert m.tickets["2026-11-23/C-002"]["state"] == "waiting"
    m.apply_event(11, call)
    assert m.tickets["2026-11-23/C-002"]["state"] == "called" and m.active is None
    m.apply_event(11, {**call, "counter": "L06"})  # a duplicate of seq 11: ignored
    assert m.active is None


def test_a_transfer_to_another_agency_forgets_the_ticket() -> None:
    """A ticket sent to Samsat leaves this agency's picture; one sent here is picked up."""
    m = model()
    m.apply_event(
        11, ev("ticket_transferred", 2, "C-002", from_line="C", to_line="E", counter="L06")
    )
    assert "2026-11-23/C-002" not in m.tickets
    m.apply_event(
        12, ev("ticket_transferred", 3, "E-004", from_line="E", to_line="D", counter="L08")
    )
    moved = m.tickets["2026-11-23/E-004"]
    assert moved["number"] == "E-004" and moved["line"] == "D" and moved["state"] == "waiting"


def test_a_ticket_on_an_empty_served_line_wakes_the_officer() -> None:
    """Line figures going from 0 to 1 waiting on a served line ask for the alert, once."""
    m = model()
    assert m.apply_lines([{"prefix": "D", "waiting": 1}]) is True
    assert m.apply_lines([{"prefix": "D", "waiting": 2}]) is False
    assert m.apply_lines([{"prefix": "E", "waiting": 1}]) is False  # not served here


def test_pickers_offer_the_other_lines_and_the_callable_numbers() -> None:
    """Transfer lists every other line of the building; a call by number lists ours only."""
    m = model()
    m.apply_event(11, ev("ticket_called", 21, "C-001", line="C", counter="L06"))
    assert transfer_options(m) == [
        ("D", "D  Aktivasi IKD dan Konsultasi (Dukcapil)"),
        ("E", "E  Pajak Kendaraan Tahunan (Samsat)"),
    ]
    m.apply_event(12, ev("ticket_no_show", 23, "C-001", counter="L06"))
    assert call_options(m) == [("C-001", "C-001  (tidak hadir)"), ("C-002", "C-002  (menunggu)")]


def test_a_booked_ticket_shows_its_slot_and_its_holder_while_active() -> None:
    """C-003 was checked in from a booking for 09.30 (the event carries the slot's instant):
    called here, the detail says "Pesanan online · jadwal 09.30 WIB", asks for the holder once,
    shows the name and masked NIK to compare with the KTP-el, and forgets them when done."""
    m = model()
    slot = (NINE + timedelta(minutes=30)).isoformat()  # 09:30 WIB
    m.apply_event(11, ev("ticket_issued", 20, "C-003", line="C", priority=None, kiosk="K1",
                         booking="K7QM4TXA", slot=slot))  # fmt: skip
    m.apply_event(12, ev("ticket_printed", 20, "C-003"))
    assert m.tickets["2026-11-23/C-003"]["queued_at"] == slot  # queued at its slot's start
    assert m.holder_wanted() is None  # not called here yet: nothing to ask
    m.apply_event(13, ev("ticket_called", 34, "C-003", line="C", counter="L06", reason="fifo"))
    detail = ticket_detail_text(m, NINE + timedelta(minutes=35))
    assert "Pesanan online · jadwal 09.30 WIB" in detail.splitlines()
    assert "Pemesan: memuat…" in detail.splitlines()
    assert "Menunggu: 4 mnt" in detail  # from 09.30, not from the check-in at 09.20
    assert m.holder_wanted() == "2026-11-23/C-003"
    m.apply_holder("2026-11-23/C-003", {"name": "Siti Aminah", "nik_masked": "•••• •••• •••• 1234"})
    assert m.holder_wanted() is None
    assert (
        "Pemesan: Siti Aminah · NIK •••• •••• •••• 1234 — cocokkan dengan KTP-el"
        in ticket_detail_text(m, NINE + timedelta(minutes=35)).splitlines()
    )
    m.apply_event(14, ev("service_started", 35, "C-003", counter="L06"))
    assert "Siti Aminah" in ticket_detail_text(m, NINE + timedelta(minutes=36))
    m.apply_event(15, ev("service_finished", 40, "C-003", counter="L06"))
    assert m.holders == {}  # personal data leaves the console with the ticket
    m.apply_holder("2026-11-23/C-003", {"name": "late answer"})  # no longer active: dropped
    assert m.holders == {}


def test_a_walk_in_ticket_has_no_booking_lines_and_a_wita_building_says_wita() -> None:
    m = model()
    m.apply_event(11, ev("ticket_called", 21, "C-001", line="C", counter="L06", reason="fifo"))
    detail = ticket_detail_text(m, NINE + timedelta(minutes=22))
    assert "Pesanan" not in detail and "Pemesan" not in detail and m.holder_wanted() is None
    snap = copy.deepcopy(SNAPSHOT)
    snap["building"] |= {"timezone": "WITA", "utc_offset_min": 480}
    snap["tickets"].append(
        ticket(
            "C-009",
            "called",
            counter="L06",
            booking="K7QM4TXA",
            slot="2026-11-23T01:30:00+00:00",  # 09.30 WITA
        )
    )
    snap["counters"][0]["ticket"] = "2026-11-23/C-009"
    m.apply_snapshot(snap)
    assert "Pesanan online · jadwal 09.30 WITA" in ticket_detail_text(m, NINE).splitlines()
