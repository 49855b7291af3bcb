"""Counter-closure requests on the floor (issue 23 F), without sockets: the book kept from the
snapshot's `closure` objects and the three events, the alert, the state cell's words, and each
request's lines with their waiting citizens and the other open counters — all against tables
worked out by hand from the demo building (docs/operations.md, "Closing a counter during
service hours").

The demo building's Dukcapil desks (hand-read from server/demo/mpp-kota-contoh.toml):
line A is served by Loket 1, 2, 3 and 7 (Prioritas); line B by Loket 3, 4 and 7.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from display.floor_alerts import AlertKind
from display.floor_closures import ago_words, state_words
from display.floor_model import FloorModel
from server.broadcast.views import building_view
from server.config import load_demo_building

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
DAY = "2026-11-23"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def counter(cid: str, state: str, officer: str | None, name: str | None, **extra: Any) -> dict:
    return {
        "id": cid,
        "state": state,
        "since": at(-60).isoformat(),
        "pause_reason": "sholat" if state == "paused" else None,
        "ticket": None,
        "number": None,
        "ticket_state": None,
        "officer": officer,
        "officer_name": name,
        "closure": None,
        **extra,
    }


def waiting(line: str, n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{DAY}/{line}-{i:03d}",
            "number": f"{line}-{i:03d}",
            "line": line,
            "state": "waiting",
            "priority": None,
            "issued_at": at(-30).isoformat(),
        }
        for i in range(1, n + 1)
    ]


def snapshot(counters: list[dict], tickets: list[dict] | None = None) -> dict[str, Any]:
    return {
        "type": "snapshot",
        "seq": 0,
        "day": DAY,
        "building": building_view(load_demo_building()),
        "lines": [],
        "counters": counters,
        "tickets": tickets or [],
        "calls": [],
        "printers": {},
    }


def ev(model: FloorModel, minute: float, kind: str, **fields: Any) -> None:
    event = {"kind": kind, "at": at(minute).isoformat(), **fields}
    model.handle({"type": "event", "seq": 0, "event": event}, at(minute))


def closure_alerts(model: FloorModel, now: datetime) -> list[tuple[str, datetime, str, bool]]:
    return [
        (a.subject, a.started, a.message, a.severe)
        for a in model.alerts(now)
        if a.kind is AlertKind.CLOSURE
    ]


SITI_ASKS = {
    "officer": "DKP01",
    "officer_name": "Siti Rahmawati",
    "reason": "Gangguan sistem instansi",
    "requested_at": at(-4).isoformat(),
    "approved_at": None,
    "by": None,
    "by_name": None,
}


def test_request_in_the_snapshot_shows_with_its_lines_and_the_warning():
    """A request pending before the dashboard started: from the snapshot's `closure`.

    Loket 3 serves A (2 waiting; Loket 1 open too) and B (3 waiting; Loket 4 paused, Loket 7
    closed): closing leaves B's 3 citizens without an open counter — the red alert and the
    warning say so."""
    model = FloorModel()
    snap = snapshot(
        [
            counter("L01", "open", "DKP02", "Budi Santoso"),
            counter("L03", "open", "DKP01", "Siti Rahmawati", closure=SITI_ASKS),
            counter("L04", "paused", "DKP03", "Rahmat"),
        ],
        waiting("A", 2) + waiting("B", 3),
    )
    model.handle(snap, T0)
    assert closure_alerts(model, T0) == [
        (
            "L03",
            at(-4),
            "Permintaan tutup loket: Loket 3 (Dukcapil, Siti Rahmawati) — "
            "Gangguan sistem instansi — 4 menit",
            True,
        )
    ]
    (row,) = model.closure_rows(T0)
    assert (row.counter_name, row.agency, row.officer_words, row.request.reason) == (
        "Loket 3",
        "Dukcapil",
        "Siti Rahmawati",
        "Gangguan sistem instansi",
    )
    assert row.ago_s == 240
    assert [ln.words() for ln in row.lines] == [
        "A 2 menunggu, loket lain yang buka: Loket 1",
        "B 3 menunggu, tidak ada loket lain yang buka",
    ]
    assert (
        row.warning() == "Menutup Loket 3 meninggalkan 3 warga di layanan B tanpa loket yang buka."
    )
    assert state_words(model.closures.requests.get("L03")) == "minta tutup"
    assert state_words(model.closures.requests.get("L01")) is None


def test_no_warning_when_every_line_keeps_an_open_counter_or_nobody_waits():
    """Loket 7 open covers A and B: a yellow alert, no warning. A line with nobody waiting
    never warns, even with no other counter open."""
    model = FloorModel()
    model.handle(
        snapshot(
            [
                counter("L03", "open", "DKP01", "Siti Rahmawati", closure=SITI_ASKS),
                counter("L07", "open", "DKP02", "Budi Santoso"),
            ],
            waiting("A", 1),
        ),
        T0,
    )
    (row,) = model.closure_rows(T0)
    assert [ln.words() for ln in row.lines] == [
        "A 1 menunggu, loket lain yang buka: Loket 7 (Prioritas)",
        "B 0 menunggu, loket lain yang buka: Loket 7 (Prioritas)",
    ]
    assert row.warning() is None
    assert [a[3] for a in closure_alerts(model, T0)] == [False]
    model.handle(
        snapshot([counter("L03", "open", "DKP01", "Siti Rahmawati", closure=SITI_ASKS)]), T0
    )
    (row,) = model.closure_rows(T0)
    assert [ln.words() for ln in row.lines] == [
        "A 0 menunggu, tidak ada loket lain yang buka",
        "B 0 menunggu, tidak ada loket lain yang buka",
    ]
    assert row.warning() is None


def test_an_approved_counter_is_leaving_and_covers_no_line():
    """Loket 7's closure is approved (it finishes its citizen, then closes): Loket 3's request
    counts no other open counter for B; the approved one shows in the state cell, not as an
    alert, and its row comes after the pending ones."""
    approved = SITI_ASKS | {
        "officer": "DKP02",
        "officer_name": "Budi Santoso",
        "reason": "Petugas sakit",
        "requested_at": at(-20).isoformat(),
        "approved_at": at(-10).isoformat(),
        "by": "LANTAI",
        "by_name": "Pengelola Lantai",
    }
    model = FloorModel()
    model.handle(
        snapshot(
            [
                counter("L03", "open", "DKP01", "Siti Rahmawati", closure=SITI_ASKS),
                counter("L07", "open", "DKP02", "Budi Santoso", closure=approved),
            ],
            waiting("B", 1),
        ),
        T0,
    )
    rows = model.closure_rows(T0)
    assert [(r.request.counter, r.request.approved) for r in rows] == [
        ("L03", False),
        ("L07", True),
    ]
    assert [ln.words() for ln in rows[0].lines] == [
        "A 0 menunggu, tidak ada loket lain yang buka",
        "B 1 menunggu, tidak ada loket lain yang buka",
    ]
    assert rows[1].request.by_name == "Pengelola Lantai"
    assert state_words(model.closures.requests["L07"]) == "tutup disetujui"
    assert [a[0] for a in closure_alerts(model, T0)] == ["L03"]


@pytest.fixture
def siti_at_work() -> FloorModel:
    """Siti at Loket 3 (open) when the dashboard starts; nobody has asked anything yet."""
    model = FloorModel()
    model.handle(snapshot([counter("L03", "open", "DKP01", "Siti Rahmawati")]), T0)
    return model


def ask(model: FloorModel, minute: float, reason: str = "Blanko/formulir habis") -> None:
    ev(model, minute, "closure_requested", counter="L03", officer="DKP01", reason=reason)


def test_request_then_approval_then_closing(siti_at_work):
    """Asked at 09.01 (the name from the snapshot's counter), 4 minutes at 09.05; approved at
    09.06: no alert, "tutup disetujui"; the counter closes at 09.08: gone."""
    model = siti_at_work
    ask(model, 1)
    assert closure_alerts(model, at(5)) == [
        (
            "L03",
            at(1),
            "Permintaan tutup loket: Loket 3 (Dukcapil, Siti Rahmawati) — "
            "Blanko/formulir habis — 4 menit",
            False,
        )
    ]
    ev(model, 6, "closure_decided", counter="L03", officer="DKP01", approved=True, by="LANTAI",
       note=None)  # fmt: skip
    request = model.closures.requests["L03"]
    assert (request.approved_at, request.by) == (at(6), "LANTAI")
    assert state_words(request) == "tutup disetujui"
    assert closure_alerts(model, at(7)) == []
    ev(model, 8, "counter_closed", counter="L03")
    assert model.closures.requests == {}
    assert model.closure_rows(at(8)) == []


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("closure_decided", {"officer": "DKP01", "approved": False, "by": "LANTAI",
                             "note": "Antrean masih panjang"}),
        ("closure_withdrawn", {"officer": "DKP01"}),
        ("officer_logged_out", {"officer": "DKP01"}),
        ("counter_closed", {}),
        ("day_closed", {"day": DAY}),
    ],
)  # fmt: skip
def test_what_drops_a_pending_request(siti_at_work, kind, fields):
    """A refusal, a withdrawal, the officer's logout, the counter's closing, the day's end."""
    model = siti_at_work
    ask(model, 1)
    assert list(model.closures.requests) == ["L03"]
    ev(model, 3, kind, **({"counter": "L03"} | fields if kind != "day_closed" else fields))
    assert model.closures.requests == {}
    assert closure_alerts(model, at(4)) == []


def test_an_officer_the_dashboard_never_saw_is_named_by_id():
    """Logged in after the snapshot: the pushed events carry the officer's id only."""
    model = FloorModel()
    model.handle(snapshot([]), T0)
    ev(model, 0, "officer_logged_in", counter="L05", officer="DKP02")
    ev(model, 0, "counter_opened", counter="L05")
    ev(model, 2, "closure_requested", counter="L05", officer="DKP02", reason="Petugas sakit")
    assert closure_alerts(model, at(2))[0][2] == (
        "Permintaan tutup loket: Loket 5 (Dukcapil, DKP02) — Petugas sakit — baru saja"
    )


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "baru saja"),
        (59, "baru saja"),
        (60, "1 menit"),
        (240, "4 menit"),
        (3599, "59 menit"),
        (3600, "1 jam"),
        (3900, "1 jam 5 menit"),
    ],
)
def test_ago_words(seconds, words):
    assert ago_words(seconds) == words
