"""`antre report` against a small day computed by hand (docs/reports.md defines each figure)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from server.config import load_demo_building
from server.core.events import read_event
from server.report.cli import print_summary, report_main
from server.report.stats import half_hours, replay_tickets, summarize
from server.report.tables import (
    BOOKING_COLUMNS,
    GROUP_COLUMNS,
    HALF_HOUR_COLUMNS,
    JOURNAL_COLUMNS,
    targets_of,
)
from server.store import LogEntry, Store, StoredEvent

WIB = timezone(timedelta(hours=7))
DAY = date(2026, 11, 23)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "reports.md"


def _t(hhmmss: str) -> str:
    h, m, s = (int(x) for x in hhmmss.split(":"))
    return datetime(2026, 11, 23, h, m, s, tzinfo=WIB).isoformat()


def _tid(n: int) -> str:
    return f"2026-11-23/A-{n:03d}"


def small_day() -> list[LogEntry]:
    """The hand-computed day: five tickets on line A at two counters (see the test docstrings)."""
    rows: list[tuple[str, dict[str, Any]]] = []

    def ev(actor: str, kind: str, at: str, **fields: Any) -> None:
        rows.append((actor, {"kind": kind, "at": _t(at), **fields}))

    def issue(n: int, at: str, priority: str | None = None) -> None:
        ev(
            "kiosk:KIOSK-1",
            "ticket_issued",
            at,
            ticket=_tid(n),
            day="2026-11-23",
            number=f"A-{n:03d}",
            seq=n,
            line="A",
            priority=priority,
            token=f"tok{n}",
            kiosk="KIOSK-1",
        )

    o1, o2 = "officer:DKP01@L01", "officer:DKP02@L02"
    ev(o1, "officer_logged_in", "08:00:00", counter="L01", officer="DKP01")
    ev(o1, "counter_opened", "08:00:00", counter="L01")
    ev(o2, "officer_logged_in", "08:00:00", counter="L02", officer="DKP02")
    ev(o2, "counter_opened", "08:00:00", counter="L02")
    issue(1, "09:00:00")
    ev("kiosk:KIOSK-1", "ticket_printed", "09:00:05", ticket=_tid(1))
    issue(2, "09:10:00")
    ev("kiosk:KIOSK-1", "ticket_printed", "09:10:05", ticket=_tid(2))
    ev("kiosk:KIOSK-1", "ticket_reprinted", "09:12:00", ticket=_tid(2), kiosk="KIOSK-1")
    issue(3, "09:20:00", "lansia")
    ev("kiosk:KIOSK-1", "ticket_printed", "09:20:05", ticket=_tid(3))
    issue(4, "09:35:00")
    ev("kiosk:KIOSK-1", "ticket_print_failed", "09:35:05", ticket=_tid(4), reason="paper_out")
    issue(5, "09:40:00")
    ev("kiosk:KIOSK-1", "ticket_printed", "09:40:05", ticket=_tid(5))
    ev(
        o1,
        "ticket_called",
        "09:40:00",
        ticket=_tid(1),
        number="A-001",
        line="A",
        counter="L01",
        reason="fifo",
        note=None,
    )
    ev(o1, "service_started", "09:41:00", ticket=_tid(1), counter="L01")
    ev(
        o2,
        "ticket_called",
        "09:45:00",
        ticket=_tid(3),
        number="A-003",
        line="A",
        counter="L02",
        reason="prioritas",
        note=None,
    )
    ev(o2, "ticket_recalled", "09:46:00", ticket=_tid(3), number="A-003", line="A", counter="L02")
    ev(o2, "ticket_no_show", "09:48:00", ticket=_tid(3), counter="L02")
    ev(o1, "service_finished", "09:49:00", ticket=_tid(1), counter="L01")
    ev(
        o1,
        "ticket_called",
        "09:50:00",
        ticket=_tid(2),
        number="A-002",
        line="A",
        counter="L01",
        reason="fifo",
        note=None,
    )
    ev(o1, "service_started", "09:51:00", ticket=_tid(2), counter="L01")
    ev(
        o1,
        "ticket_transferred",
        "09:55:00",
        ticket=_tid(2),
        from_line="A",
        to_line="E",
        counter="L01",
    )
    ev("manager:LANTAI", "ticket_reactivated", "10:00:00", ticket=_tid(3))
    ev(
        o2,
        "ticket_called",
        "10:05:00",
        ticket=_tid(3),
        number="A-003",
        line="A",
        counter="L02",
        reason="dipilih_petugas",
        note="warga kembali",
    )
    ev(o2, "service_started", "10:06:00", ticket=_tid(3), counter="L02")
    ev("manager:LANTAI", "ticket_cancelled", "10:10:00", ticket=_tid(5), reason="permintaan warga")
    ev(o2, "service_finished", "10:26:00", ticket=_tid(3), counter="L02")
    end = datetime(2026, 11, 23, 23, 59, 59, 999999, tzinfo=WIB).isoformat()
    rows.append(
        ("system", {"kind": "ticket_expired", "at": end, "ticket": _tid(2), "reason": "day_end"})
    )
    rows.append(("system", {"kind": "day_closed", "at": end, "day": "2026-11-23"}))
    return [LogEntry(i + 1, actor, event) for i, (actor, event) in enumerate(rows)]


@pytest.fixture(scope="module")
def figures():
    building = load_demo_building()
    targets = targets_of(building, 30.0)
    tickets = replay_tickets(small_day())
    return tickets, summarize([tickets], targets), targets


def test_line_counts(figures):
    """Line A: 5 issued (1 print failure), 4 calls + 1 recall, 2 served, 1 no-show, 1 cancelled."""
    _, groups, _ = figures
    a = groups["line"]["A"]
    assert (a.issued, a.print_failed, a.called, a.recalls) == (5, 1, 4, 1)
    assert (a.served, a.no_show, a.cancelled, a.transferred_out, a.expired) == (2, 1, 1, 1, 0)
    e = groups["line"]["E"]
    assert (e.issued, e.transferred_in, e.expired, e.served) == (0, 1, 1, 0)


def test_line_wait_and_service_stats(figures):
    """Waits 300/1500/2400/2400 s and services 240/480/1200 s give the hand-computed figures."""
    _, groups, _ = figures
    a = groups["line"]["A"]
    assert sorted(a.waits) == [300, 1500, 2400, 2400]
    assert a.stats("waits") == {"mean": 1650, "median": 1950, "p90": 2400, "max": 2400}
    assert sorted(a.services) == [240, 480, 1200]
    assert a.stats("services") == {"mean": 640, "median": 480, "p90": 1200, "max": 1200}
    assert a.share("waits") == 0.5  # 300 and 1500 are within 30 minutes
    assert a.share("services") == pytest.approx(2 / 3)  # 240 and 480 within 10 minutes


def test_counter_officer_agency(figures):
    """Each call, service and no-show is filed under the counter and the officer logged in."""
    _, groups, _ = figures
    l1, l2 = groups["counter"]["L01"], groups["counter"]["L02"]
    assert (l1.called, l1.served, l1.transferred_out, sorted(l1.waits)) == (2, 1, 1, [2400, 2400])
    assert (l2.called, l2.recalls, l2.no_show, l2.served) == (2, 1, 1, 1)
    assert sorted(l2.services) == [1200]
    assert groups["officer"]["DKP02"].stats("waits") == l2.stats("waits")
    dukcapil = groups["agency"]["DUKCAPIL"]
    assert (dukcapil.issued, dukcapil.served) == (5, 2)
    assert groups["agency"]["SAMSAT"].transferred_in == 1


def test_half_hours(figures):
    """Arrivals and calls (not recalls) fall in the local half hour they happened in."""
    tickets, _, _ = figures
    slots = half_hours(tickets, WIB)
    assert slots[("09:00", "A")] == {"arrivals": 3, "calls": 0}
    assert slots[("09:30", "A")] == {"arrivals": 2, "calls": 3}
    assert slots[("10:00", "A")] == {"arrivals": 0, "calls": 1}


async def _write_store(path: Path, entries: list[LogEntry]) -> None:
    store = await Store.open(path)
    building = load_demo_building()
    try:
        batch = [StoredEvent(e.seq, read_event(dict(e.event)), e.actor, None) for e in entries]
        await store.append(batch, [], [], building.service_day)
    finally:
        await store.close()


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


async def test_cli_writes_csv_and_journal(tmp_path):
    """The command reads a real store read-only and writes the documented CSV files."""
    db = tmp_path / "antre.db"
    await _write_store(db, small_day())
    out = tmp_path / "out"
    rc = report_main(
        ["--day", "2026-11-23", "--db", str(db), "--out", str(out), "--journal", "--quiet"]
    )
    assert rc == 0
    lines = {r["key"]: r for r in _read_csv(out / "lines.csv")}
    assert list(lines["A"]) == list(GROUP_COLUMNS)
    assert lines["A"]["wait_mean_s"] == "1650.0" and lines["A"]["waits_within_target_pct"] == "50.0"
    assert lines["A"]["agency"] == "DUKCAPIL"
    officers = {r["key"]: r for r in _read_csv(out / "officers.csv")}
    assert officers["DKP01"]["served"] == "1" and officers["DKP01"]["agency"] == "DUKCAPIL"
    slots = _read_csv(out / "halfhours.csv")
    assert list(slots[0]) == list(HALF_HOUR_COLUMNS)
    journal = {r["number"]: r for r in _read_csv(out / "journal-2026-11-23.csv")}
    assert list(journal["A-001"]) == list(JOURNAL_COLUMNS)
    a3 = journal["A-003"]
    assert a3["call_log"] == (
        "09:45:00 L02 DKP02 prioritas; 09:46:00 L02 DKP02 recall; "
        "10:05:00 L02 DKP02 dipilih_petugas (warga kembali)"
    )
    assert a3["reactivated"] == "10:00:00 manager:LANTAI" and a3["state"] == "done"
    assert journal["A-005"]["cancelled_by"] == "manager:LANTAI"
    assert journal["A-002"]["transfers"] == "09:55:00 A>E L01"
    assert journal["A-004"]["print_failed_reason"] == "paper_out"
    assert journal["A-002"]["reprints"] == "09:12:00 KIOSK-1" and journal["A-001"]["reprints"] == ""
    header = (out / "bookings.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split(",") == list(BOOKING_COLUMNS)


async def test_cli_range_and_summary(tmp_path, capsys):
    """A long range runs (with its progress bar) and prints the Indonesian summary."""
    db = tmp_path / "antre.db"
    await _write_store(db, small_day())
    rc = report_main(["--from", "2026-11-01", "--to", "2026-11-30", "--db", str(db)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "Per layanan" in text and "Per petugas" in text and "1 hari berisi data" in text


def test_cli_refuses_missing_db(tmp_path, capsys):
    """A missing store is a clear refusal (exit 2), not a new empty file."""
    rc = report_main(["--day", "2026-11-23", "--db", str(tmp_path / "none.db"), "--quiet"])
    assert rc == 2
    assert not (tmp_path / "none.db").exists()
    assert "tidak ada berkas" in capsys.readouterr().err


def test_summary_renders_without_data():
    """An empty report still prints its title."""
    buf = io.StringIO()
    print_summary("Laporan kosong", {"line": []}, out=buf)
    assert "Laporan kosong" in buf.getvalue()


def test_columns_documented():
    """Every CSV column is described in docs/reports.md."""
    text = DOCS.read_text(encoding="utf-8")
    for column in {*GROUP_COLUMNS, *HALF_HOUR_COLUMNS, *JOURNAL_COLUMNS, *BOOKING_COLUMNS}:
        assert f"`{column}`" in text, column


async def test_report_next_to_a_live_server(server, tmp_path):
    """A report reads a running server's store (read-only) and sees its committed day."""
    kiosk = await server.client("KIOSK-1")
    officer = await server.officer_at_work("DKP01@L01")
    for _ in range(2):
        ticket = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(ticket["id"])
    server.clock.advance(300)
    await officer.act("call_next")
    await officer.act("start_service")
    server.clock.advance(420)
    await officer.act("finish_service")
    out = tmp_path / "out"
    db = tmp_path / "antre-0.db"
    rc = report_main(["--day", "2026-11-23", "--db", str(db), "--out", str(out), "--quiet"])
    assert rc == 0
    row = {r["key"]: r for r in _read_csv(out / "lines.csv")}["A"]
    assert (row["issued"], row["served"], row["service_mean_s"]) == ("2", "1", "420.0")
    await officer.act("call_next")  # the server still writes after the report has read
