"""The floor's complaints from the snapshot and `complaint_*` events: states, deadlines, alerts.

The days, worked by hand (DOMAIN §10; the demo building's `[complaints]`: take_days 3,
answer_days 5, close_days 10, warn_days 1; working days Monday–Friday but holidays; warned once
the working day warn_days before the deadline's day has ended, as the core's `due_soon`):

    ADU-261123-001  filed Monday 23 November 2026 09.00 WIB (in the snapshot), at the desk
                    take_by: 3 working days after Monday = Thursday 26 November, 23.59.59
                    warned after the end of Wednesday 25 November (23.59.59): all Thursday,
                    overdue after Thursday's end
    ADU-261123-002  filed 09.30 by phone about A-017 (an event), take_by the same Thursday;
                    taken Tuesday 24 November 10.00: answer_by 5 working days after Tuesday =
                    Wed 25, Thu 26, Fri 27, Mon 30 Nov, Tue 1 December 23.59.59
    ADU-261120-004  answered (in the snapshot): it closes by itself, no one's deadline
    ADU-261118-002  closed Monday 23 November 08.00 (in the snapshot: closed today)

Christmas 2026: 24 and 25 December are the demo building's holidays, so a deadline on Monday 28
December is warned of after the end of Wednesday 23 December (the working day before Monday,
counting back past the weekend and both holidays); without them, after Friday 25 December.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from display.floor_alerts import AlertKind
from display.floor_complaints import Due, state_words, warn_from
from display.floor_model import FloorModel
from server.broadcast.views import building_view
from server.config import load_demo_building
from server.protocol import format_date_time

WIB = timezone(timedelta(hours=7))


def wib(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


def end_of(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 23, 59, 59, tzinfo=WIB)


def view(cid: str, state: str, filed: datetime, take_by: datetime, **more: Any) -> dict:
    base = {
        "id": cid, "state": state, "category": "petugas", "text": "Petugas tidak ramah.",
        "channel": "desk:LANTAI", "ticket": None, "line": None, "agency": None,
        "counter": None, "officer": None, "filed_at": filed.isoformat(),
        "take_by": take_by.isoformat(), "has_contact": False,
    }  # fmt: skip
    return base | {k: v.isoformat() if isinstance(v, datetime) else v for k, v in more.items()}


SNAPSHOT_COMPLAINTS = [
    view("ADU-261123-001", "received", wib(23, 9), end_of(26), has_contact=True),
    view("ADU-261120-004", "answered", wib(20, 10), end_of(25), taken_at=wib(20, 11),
         answer_by=end_of(27), answer="Sudah kami tegur.", answered_at=wib(23, 8),
         closes_at=wib(3, 8, month=12)),
    view("ADU-261118-002", "closed", wib(18, 10), end_of(23), closed_at=wib(23, 8),
         closed_by="LANTAI", note="Selesai di tempat."),
]  # fmt: skip


def snapshot() -> dict[str, Any]:
    return {
        "type": "snapshot",
        "seq": 0,
        "day": "2026-11-23",
        "building": building_view(load_demo_building()),
        "lines": [],
        "counters": [],
        "tickets": [],
        "calls": [],
        "printers": {},
        "skm_today": None,
        "complaints": SNAPSHOT_COMPLAINTS,
    }


def push(model: FloorModel, at: datetime, kind: str, **fields: Any) -> None:
    event = {"kind": kind, "at": at.isoformat()} | {
        k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()
    }
    model.handle({"type": "event", "seq": 1, "event": event}, at)


@pytest.fixture
def model() -> FloorModel:
    m = FloorModel()
    m.handle(snapshot(), wib(23, 9))
    push(m, wib(23, 9, 30), "complaint_filed", complaint="ADU-261123-002", category="waktu",
         text="Menunggu dua jam.", channel="phone", ticket="2026-11-23/A-017", line="A",
         agency="DUKCAPIL", counter="L03", officer="DKP03", take_by=end_of(26))  # fmt: skip
    return m


def table(model: FloorModel, now: datetime) -> list[tuple[str, str | None, str, str, Due]]:
    return [
        (r.complaint.id, r.complaint.number, state_words(r.complaint.state),
         format_date_time(r.deadline, "WIB") if r.deadline else "–", r.due)
        for r in model.complaint_rows(now)
    ]  # fmt: skip


def test_states_and_deadlines_as_people_read_them(model):
    """Open ones by their next deadline, the nearest first, then the one closed today."""
    assert table(model, wib(23, 10)) == [
        ("ADU-261123-001", None, "Diterima", "Kamis, 26 November 2026 · 23.59 WIB", Due.LATER),
        ("ADU-261123-002", "A-017", "Diterima", "Kamis, 26 November 2026 · 23.59 WIB", Due.LATER),
        ("ADU-261120-004", None, "Dijawab", "Kamis, 3 Desember 2026 · 08.00 WIB", Due.NONE),
        ("ADU-261118-002", None, "Selesai", "–", Due.NONE),
    ]
    push(model, wib(24, 10), "complaint_taken", complaint="ADU-261123-002", by="LANTAI",
         note="Dicek ke Dukcapil.", answer_by=end_of(1, month=12))  # fmt: skip
    rows = {r[0]: r for r in table(model, wib(24, 10))}
    assert rows["ADU-261123-002"][2:] == (
        "Diproses",
        "Selasa, 1 Desember 2026 · 23.59 WIB",
        Due.LATER,
    )
    c = model.complaints.items["ADU-261123-002"]
    assert (c.taken_by, c.note) == ("LANTAI", "Dicek ke Dukcapil.")
    push(model, wib(25, 11), "complaint_answered", complaint="ADU-261123-002", by="LANTAI",
         answer="Mohon maaf, loket ditambah.", closes_at=wib(5, 11, month=12))  # fmt: skip
    push(model, wib(25, 12), "complaint_closed", complaint="ADU-261123-002", by="LANTAI",
         note="Warga puas.")  # fmt: skip
    assert model.complaints.items["ADU-261123-002"].answer == "Mohon maaf, loket ditambah."
    assert table(model, wib(25, 12))[-1][2:] == ("Selesai", "–", Due.NONE)


def test_amber_on_the_deadlines_day_red_after(model):
    """ADU-261123-001: later until Wednesday's end, amber all Thursday, red from Friday; the
    alert starts when the amber or the red did."""
    due = {r[0]: r[4] for r in table(model, wib(25, 23, 59))}
    assert due["ADU-261123-001"] is Due.LATER
    due = {r[0]: r[4] for r in table(model, wib(26, 0, 0))}
    assert due["ADU-261123-001"] is Due.SOON

    def alert(now: datetime):  # type: ignore[no-untyped-def]
        return {a.subject: a for a in model.alerts(now) if a.kind is AlertKind.COMPLAINT}

    assert "ADU-261123-001" not in alert(wib(25, 23, 59))
    soon = alert(wib(26, 15))["ADU-261123-001"]
    assert (soon.started, soon.severe) == (end_of(25), False)
    assert soon.message == (
        "Pengaduan ADU-261123-001 (Perilaku petugas): belum diproses, batas "
        "Kamis, 26 November 2026 · 23.59 WIB"
    )
    late = alert(wib(27, 9))["ADU-261123-002"]
    assert (late.started, late.severe) == (end_of(26), True)
    assert late.message == (
        "Pengaduan ADU-261123-002 (Dukcapil · Waktu tunggu dan pelayanan): lewat batas "
        "diproses (Kamis, 26 November 2026 · 23.59 WIB)"
    )
    # Taken in hand: the next deadline is the answer's, far off: no alert.
    push(model, wib(27, 9, 5), "complaint_taken", complaint="ADU-261123-002", by="LANTAI",
         note=None, answer_by=end_of(4, month=12))  # fmt: skip
    assert "ADU-261123-002" not in alert(wib(27, 9, 5))
    # An answered one never alerts, even past its closing instant (the system closes it).
    assert "ADU-261120-004" not in alert(wib(4, 9, month=12))


def test_holidays_count_out_of_the_warning():
    """Christmas: a deadline on Monday 28 December warns after Wednesday 23 December."""
    deadline = end_of(28, month=12)
    holidays = frozenset({date(2026, 12, 24), date(2026, 12, 25)})
    assert warn_from(deadline, 1, WIB, holidays) == end_of(23, month=12)
    assert warn_from(deadline, 1, WIB) == end_of(25, month=12)
    assert warn_from(deadline, 0, WIB) == deadline  # only overdue alerts
    assert warn_from(end_of(26), 2, WIB) == end_of(24)  # Thursday, two back: Tuesday


def test_the_next_day_forgets_those_closed_today(model):
    """The day's close: the one closed on Monday leaves; the open ones stay."""
    end = datetime(2026, 11, 23, 23, 59, 59, 999999, tzinfo=WIB)
    push(model, end, "day_closed", day="2026-11-23")
    assert set(model.complaints.items) == {"ADU-261123-001", "ADU-261123-002", "ADU-261120-004"}


def test_contact_known_only_from_the_snapshot(model):
    """The snapshot says whether there is a contact; a pushed filing cannot (it withholds it)."""
    items = model.complaints.items
    assert items["ADU-261123-001"].has_contact is True
    assert items["ADU-261120-004"].has_contact is False
    assert items["ADU-261123-002"].has_contact is None
