"""The console's picture of a closure request (issue 23), without a server: the snapshot's
`closure`, the three typed events, the U key and the status line the officer reads."""

from __future__ import annotations

import copy

from countertest import SNAPSHOT, at, ev, model

from counter.texts import closure_text
from counter.view import Action, allowed_actions

ASKED = ev("closure_requested", 1, counter="L06", officer="DKP02", reason="Petugas sakit")
WAITING = "Menunggu persetujuan pengelola: tutup loket (alasan: Petugas sakit)"


def approved(minute: float, **fields) -> dict:
    return ev("closure_decided", minute, counter="L06", officer="DKP02", approved=True,
              by="LANTAI", note=None, **fields)  # fmt: skip


def refused(minute: float, note: str) -> dict:
    return ev("closure_decided", minute, counter="L06", officer="DKP02", approved=False,
              by="LANTAI", note=note)  # fmt: skip


def test_u_asks_then_withdraws_while_the_floor_has_not_decided() -> None:
    """Open and idle: U asks. Asked: the line says it waits, U withdraws. Withdrawn: U asks."""
    m = model()
    assert closure_text(m) == ""
    assert Action.REQUEST_CLOSURE in allowed_actions(m)
    assert Action.WITHDRAW_CLOSURE not in allowed_actions(m)
    m.apply_event(11, ASKED)
    assert closure_text(m) == WAITING
    assert Action.WITHDRAW_CLOSURE in allowed_actions(m)
    assert Action.REQUEST_CLOSURE not in allowed_actions(m)
    m.apply_event(12, ev("closure_withdrawn", 2, counter="L06", officer="DKP02"))
    assert closure_text(m) == ""
    assert Action.REQUEST_CLOSURE in allowed_actions(m)


def test_a_refusal_stays_with_its_note_until_the_next_action() -> None:
    """Refused: the manager's note is shown and U may ask again; the next action clears it."""
    m = model()
    m.apply_event(11, ASKED)
    m.apply_event(12, refused(3, "Antrean C masih panjang"))
    assert closure_text(m) == "Permintaan tutup loket ditolak: Antrean C masih panjang"
    assert Action.REQUEST_CLOSURE in allowed_actions(m)
    m.apply_event(13, ev("counter_paused", 4, counter="L07", reason="salat"))  # not news
    assert closure_text(m).startswith("Permintaan tutup loket ditolak")
    m.forget_news()
    assert closure_text(m) == ""


def test_approval_while_serving_says_finish_first_then_closed() -> None:
    """Approved while C-001 is served: no U, no calls; a decision without the manager's name
    (an id the building lacks) says "pengelola" until a snapshot names them. After the finish
    and the closure the line says closed, and O opens the counter again."""
    m = model()
    m.apply_event(11, ev("ticket_called", 1, "C-001", counter="L06", reason="fifo"))
    m.apply_event(12, ev("service_started", 2, "C-001", counter="L06"))
    m.apply_event(13, ASKED)
    m.apply_event(14, approved(5))
    assert closure_text(m) == (
        "Penutupan disetujui oleh pengelola. Selesaikan layanan ini; loket lalu ditutup."
    )
    keys = allowed_actions(m)
    assert Action.FINISH in keys
    assert not keys & {Action.REQUEST_CLOSURE, Action.WITHDRAW_CLOSURE, Action.CALL_NEXT}
    snap = copy.deepcopy(SNAPSHOT)
    snap["seq"] = 14
    snap["tickets"][0].update(state="serving", counter="L06")
    snap["counters"][0].update(ticket="2026-11-23/C-001", number="C-001", ticket_state="serving")
    snap["counters"][0]["closure"] = {"officer": "DKP02", "reason": "Petugas sakit",
                                      "requested_at": ASKED["at"], "approved_at": at(5),
                                      "by": "LANTAI", "by_name": "Bambang Sutrisno"}  # fmt: skip
    m.apply_snapshot(snap)
    assert closure_text(m) == (
        "Penutupan disetujui oleh Bambang Sutrisno. Selesaikan layanan ini; loket lalu ditutup."
    )
    m.apply_event(15, ev("service_finished", 7, "C-001", counter="L06"))
    m.apply_event(16, ev("counter_closed", 7, counter="L06"))
    assert closure_text(m) == "Penutupan disetujui oleh Bambang Sutrisno. Loket ditutup."
    assert m.counter_state == "closed" and m.closure is None
    keys = allowed_actions(m)
    assert Action.OPEN in keys and Action.LOGOUT in keys
    assert Action.REQUEST_CLOSURE not in keys and Action.CALL_NEXT not in keys


def test_approval_of_an_idle_counter_reads_closed() -> None:
    """Approved with nobody at the counter: decided and closed in one command (the manager's
    name when an event or a snapshot gave it)."""
    m = model()
    m.apply_event(11, ASKED)
    m.apply_event(12, approved(2))
    m.apply_event(13, ev("counter_closed", 2, counter="L06"))
    assert closure_text(m) == "Penutupan disetujui oleh pengelola. Loket ditutup."
    m.manager_names["LANTAI"] = "Bambang Sutrisno"
    assert closure_text(m) == "Penutupan disetujui oleh Bambang Sutrisno. Loket ditutup."


def test_a_snapshot_brings_the_request_back_after_a_reconnect() -> None:
    """The snapshot's `closure` is the request as the server keeps it: pending, or approved with
    the manager's name."""
    snap = copy.deepcopy(SNAPSHOT)
    closure = {"officer": "DKP02", "officer_name": "Budi Santoso", "reason": "Petugas sakit",
               "requested_at": ASKED["at"], "approved_at": None, "by": None,
               "by_name": None}  # fmt: skip
    snap["counters"][0]["closure"] = closure
    m = model()
    m.apply_snapshot(snap)
    assert closure_text(m) == WAITING
    assert Action.WITHDRAW_CLOSURE in allowed_actions(m)
    snap["seq"] = 20
    snap["counters"][0].update(ticket="2026-11-23/C-001", number="C-001", ticket_state="serving")
    snap["counters"][0]["closure"] = {**closure, "approved_at": ASKED["at"], "by": "LANTAI",
                                      "by_name": "Bambang Sutrisno"}  # fmt: skip
    m.apply_snapshot(snap)
    assert closure_text(m) == (
        "Penutupan disetujui oleh Bambang Sutrisno. Selesaikan layanan ini; loket lalu ditutup."
    )


def test_other_counters_requests_and_the_end_of_the_request() -> None:
    """Another counter's request is not ours; a logout or the day's end drops ours."""
    m = model()
    m.apply_event(11, {**ASKED, "counter": "L07"})
    assert closure_text(m) == "" and m.closure is None
    m.apply_event(12, ASKED)
    m.apply_event(13, ev("officer_logged_out", 3, counter="L06", officer="DKP02"))
    assert m.closure is None
    m.apply_event(14, ASKED)
    m.apply_event(15, refused(4, "Tidak"))
    m.apply_event(16, ev("day_closed", 5))
    assert closure_text(m) == ""


def test_a_paused_counter_may_ask_a_closed_one_may_not() -> None:
    """U applies to an open or paused counter, not to a closed one."""
    m = model()
    m.apply_event(11, ev("counter_paused", 1, counter="L06", reason="istirahat"))
    assert Action.REQUEST_CLOSURE in allowed_actions(m)
    m.apply_event(12, ev("counter_closed", 2, counter="L06"))
    assert Action.REQUEST_CLOSURE not in allowed_actions(m)


def test_a_snapshot_of_a_new_day_forgets_yesterdays_decision() -> None:
    """Refused, then the console is offline at midnight (the day_closed never heard): a
    reconnect the same day still shows the note; the next day's snapshot shows nothing."""
    m = model()
    m.apply_event(11, ASKED)
    m.apply_event(12, refused(2, "Antrean masih panjang"))
    said = "Permintaan tutup loket ditolak: Antrean masih panjang"
    assert closure_text(m) == said
    snap = copy.deepcopy(SNAPSHOT)
    snap["seq"] = 12
    m.apply_snapshot(snap)
    assert closure_text(m) == said
    snap = copy.deepcopy(SNAPSHOT)
    snap.update(seq=1, day="2026-11-24")
    m.apply_snapshot(snap)
    assert closure_text(m) == ""
