"""The console's picture of a visit (issue 22), pure: the model fed with frames, the texts.

The itinerary views and events below are written by hand in the forms docs/protocol.md gives
(the itinerary view, `visit_started`, `stop_added`, `visit_handed_on`), and so is every
expected text.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from countertest import NINE, SNAPSHOT, at, ev, ticket

from counter.texts import (
    add_stop_options,
    done_text,
    hint_text,
    skip_stop_options,
    ticket_detail_text,
    visit_text,
)
from counter.view import Action, ConsoleModel, allowed_actions

VISIT = "2026-11-23/KJ-007"
C001 = "2026-11-23/C-001"


def building_snapshot(**active: Any) -> dict[str, Any]:
    """The cut-down snapshot with BPJS Kesehatan's line J as well; C-001 active at L06 when
    `active` gives its state (and its visit summary)."""
    snap = copy.deepcopy(SNAPSHOT)
    snap["building"]["agencies"].append(
        {"code": "BPJSKES", "name": "BPJS Kesehatan", "short_name": "BPJS Kesehatan"}
    )
    snap["building"]["lines"].append(
        {"prefix": "J", "agency": "BPJSKES", "name": "Pendaftaran dan Perubahan Data"}
    )
    if active:
        snap["tickets"][0].update(counter="L06", called_at=at(21), calls=1, **active)
        snap["counters"][0].update(ticket=C001, number="C-001", ticket_state=active["state"])
        snap["next"] = [ticket("C-002")]
    return snap


def console_model(**active: Any) -> ConsoleModel:
    m = ConsoleModel("L06")
    m.apply_welcome({"id": "DKP02", "name": "Budi Santoso", "agency": "DUKCAPIL"})
    m.apply_snapshot(building_snapshot(**active))
    return m


def stop(line: str, state: str, number: str | None = None, **extra: Any) -> dict[str, Any]:
    names = {
        "C": ("Akta Kelahiran dan Kematian", "DUKCAPIL", "Dukcapil"),
        "E": ("Pajak Kendaraan Tahunan", "SAMSAT", "Samsat"),
        "J": ("Pendaftaran dan Perubahan Data", "BPJSKES", "BPJS Kesehatan"),
    }
    name, agency, agency_name = names[line]
    return {
        "line": line,
        "name": name,
        "agency": agency,
        "agency_name": agency_name,
        "state": state,
        "ticket": f"2026-11-23/{number}" if number else None,
        "number": number,
        "added": False,
        **extra,
    }


def itinerary(*stops: dict[str, Any], current: int = 0) -> dict[str, Any]:
    return {
        "id": VISIT,
        "label": "KJ-007",
        "started_at": at(0),
        "current": current,
        "stops": list(stops),
    }


SUMMARY = {"id": VISIT, "label": "KJ-007", "stop": 0, "stops": 2}


def test_a_called_visit_ticket_shows_its_itinerary_once_fetched() -> None:
    """C-001 is stop 1 of 2 of KJ-007: the summary first ("memuat"), the console asks for the
    itinerary once, then reads "berikutnya: BPJS Kesehatan" and each stop."""
    m = console_model(state="called", visit=SUMMARY)
    assert visit_text(m) == "Kunjungan KJ-007 · langkah 1 dari 2 · memuat rencana kunjungan…"
    assert m.itinerary_wanted() == (C001, 0)
    m.apply_itinerary(itinerary(stop("C", "called", "C-001"), stop("J", "pending")), 0)
    assert m.itinerary_wanted() is None
    assert visit_text(m) == (
        "Kunjungan KJ-007 · langkah 1 dari 2 · berikutnya: BPJS Kesehatan\n"
        "▶ 1. Dukcapil — Akta Kelahiran dan Kematian · C-001 · dipanggil\n"
        "  2. BPJS Kesehatan — Pendaftaran dan Perubahan Data · belum giliran"
    )
    detail = ticket_detail_text(m, NINE + timedelta(minutes=22)).splitlines()
    assert detail[0] == "C-001  ·  C Akta Kelahiran dan Kematian"
    assert "Kunjungan KJ-007 · langkah 1 dari 2 · berikutnya: BPJS Kesehatan" in detail
    # Called: the pending stop may be skipped already; a stop is added once serving.
    assert Action.SKIP_STOP in allowed_actions(m) and Action.ADD_STOP not in allowed_actions(m)
    assert hint_text(m) == (
        "C-001 dipanggil. S: mulai layani · R: panggil ulang · X: tidak hadir · T: alihkan"
        " · L: lewati layanan"
    )
    assert skip_stop_options(m) == [("J", "2. BPJS Kesehatan — Pendaftaran dan Perubahan Data")]


def test_a_visit_event_asks_again_and_an_older_answer_does_not_count() -> None:
    """A stop added elsewhere (`stop_added`) makes the kept itinerary old: it stays on screen
    while the console asks again; an answer asked for before that event does not end it."""
    m = console_model(state="serving", visit=SUMMARY)
    first = itinerary(stop("C", "serving", "C-001"), stop("J", "pending"))
    m.apply_itinerary(first, 0)
    m.apply_event(11, ev("stop_added", 25, visit=VISIT, line="E", position=1, counter="L06"))
    assert m.itinerary_wanted() == (C001, 1)
    assert "berikutnya: BPJS Kesehatan" in visit_text(m)  # the old picture meanwhile
    added = stop("E", "pending", added=True)
    m.apply_itinerary(itinerary(stop("C", "serving", "C-001"), added, stop("J", "pending")), 0)
    assert m.itinerary_wanted() == (C001, 1)  # asked before the event: still old
    m.apply_itinerary(itinerary(stop("C", "serving", "C-001"), added, stop("J", "pending")), 1)
    assert m.itinerary_wanted() is None
    assert visit_text(m).splitlines() == [
        "Kunjungan KJ-007 · langkah 1 dari 3 · berikutnya: Samsat",
        "▶ 1. Dukcapil — Akta Kelahiran dan Kematian · C-001 · sedang dilayani",
        "  2. Samsat — Pajak Kendaraan Tahunan · belum giliran · ditambahkan",
        "  3. BPJS Kesehatan — Pendaftaran dan Perubahan Data · belum giliran",
    ]
    assert hint_text(m) == (
        "Melayani C-001. F: selesai · T: alihkan · K: tambah layanan · L: lewati layanan"
    )
    # An answer asked for before the newest one, arriving after it, is dropped.
    m.apply_itinerary(first, 0)
    assert "berikutnya: Samsat" in visit_text(m) and m.itinerary_wanted() is None


def test_the_lines_to_add_are_grouped_by_agency_without_the_planned_ones() -> None:
    """A plain ticket: every line but its own, under its agency. In a visit: the lines ahead
    or under way are left out; a line whose stop is done may be added again."""
    m = console_model(state="serving")
    assert visit_text(m) == "" and m.itinerary_wanted() is None
    assert add_stop_options(m) == [
        (None, "Dukcapil"),
        ("D", "D  Aktivasi IKD dan Konsultasi"),
        (None, "Samsat"),
        ("E", "E  Pajak Kendaraan Tahunan"),
        (None, "BPJS Kesehatan"),
        ("J", "J  Pendaftaran dan Perubahan Data"),
    ]
    assert Action.SKIP_STOP not in allowed_actions(m)
    # The add_stop reply makes the plain ticket a visit: its itinerary comes with the reply.
    m.apply_reply(
        {"visit": itinerary(stop("E", "done", "E-003"), stop("C", "serving", "C-001"),
                            stop("J", "pending", added=True), current=1)}
    )  # fmt: skip
    assert m.itinerary_wanted() is None
    assert visit_text(m).splitlines()[0] == (
        "Kunjungan KJ-007 · langkah 2 dari 3 · berikutnya: BPJS Kesehatan"
    )
    assert [value for value, _ in add_stop_options(m)] == [None, "D", None, "E"]
    assert done_text(Action.ADD_STOP, "C-001", {"line": "J"}, m) == (
        "BPJS Kesehatan — Pendaftaran dan Perubahan Data ditambahkan ke kunjungan KJ-007."
    )
    reason = {"line": "J", "reason": "tidak diperlukan lagi"}
    assert done_text(Action.SKIP_STOP, "C-001", reason, m) == (
        "BPJS Kesehatan — Pendaftaran dan Perubahan Data dilewati (tidak diperlukan lagi)."
    )


def test_finishing_a_stop_with_a_next_one_says_where_the_citizen_goes() -> None:
    """The hand-on event comes before the finish's reply: the message names the next agency
    and number. The last stop finishes as any ticket does."""
    m = console_model(state="serving", visit=SUMMARY)
    m.apply_itinerary(itinerary(stop("C", "serving", "C-001"), stop("J", "pending")), 0)
    m.apply_event(11, ev("service_finished", 30, "C-001", counter="L06"))
    m.apply_event(
        12,
        ev("visit_handed_on", 30, "J-014", visit=VISIT, from_ticket=C001, from_number="C-001",
           from_line="C", counter="L06", line="J"),
    )  # fmt: skip
    assert m.active is None and m.itineraries == {}
    assert done_text(Action.FINISH, "C-001", {}, m) == (
        "C-001 selesai, diteruskan ke BPJS Kesehatan (J-014)."
    )
    assert done_text(Action.FINISH, "C-002", {}, m) == "C-002 selesai dilayani."


def test_the_next_agency_sees_the_handed_on_ticket_as_the_visits_last_step() -> None:
    """At BPJS Kesehatan the hand-on ticket comes with its visit and its credit-rule queue
    time; called there, it is step 2 of 2 and nothing follows."""
    m = ConsoleModel("L14")
    m.apply_welcome({"id": "BKS01", "name": "Rina", "agency": "BPJSKES"})
    snap = building_snapshot()
    snap["building"]["counters"] = [
        {"id": "L14", "name": "Loket 14", "agency": "BPJSKES", "serves": ["J"]}
    ]
    snap |= {"counters": [{"id": "L14", "state": "open", "ticket": None}], "tickets": []}
    m.apply_snapshot(snap)
    j014 = "2026-11-23/J-014"
    m.apply_event(11, ev("ticket_issued", 30, "J-014", line="J", priority=None, kiosk=None,
                         visit=VISIT, stop=1, queued_at=at(15)))  # fmt: skip
    m.apply_event(12, ev("ticket_printed", 30, "J-014"))
    assert m.tickets[j014]["queued_at"] == at(15) and m.tickets[j014]["state"] == "waiting"
    m.apply_event(13, ev("ticket_called", 33, "J-014", line="J", counter="L14", reason="fifo"))
    assert m.itinerary_wanted() == (j014, 0)
    assert visit_text(m) == "Kunjungan KJ-007 · memuat rencana kunjungan…"
    m.apply_itinerary(
        itinerary(stop("C", "done", "C-001"), stop("J", "called", "J-014"), current=1), 0
    )
    assert visit_text(m).splitlines() == [
        "Kunjungan KJ-007 · langkah 2 dari 2 · langkah terakhir",
        "  1. Dukcapil — Akta Kelahiran dan Kematian · C-001 · selesai",
        "▶ 2. BPJS Kesehatan — Pendaftaran dan Perubahan Data · J-014 · dipanggil",
    ]
    assert "Menunggu: 18 mnt" in ticket_detail_text(m, NINE + timedelta(minutes=34))
    assert Action.SKIP_STOP not in allowed_actions(m)
