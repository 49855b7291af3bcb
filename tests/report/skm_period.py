"""The hand-written period of the SKM report's tests: its story is test_report_skm.py's docstring.

`the_period()` is the log as written by hand (visits, survey answers, complaints of 20 to 30
November and December 2026); `write_store` appends it to a real SQLite store.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from server.config import load_demo_building
from server.core.events import read_event
from server.store import LogEntry, Store, StoredEvent

__all__ = [
    "INJECTION",
    "NOW",
    "SUGGESTION",
    "WIB",
    "read_csv",
    "rows_by",
    "the_period",
    "write_store",
]

WIB = timezone(timedelta(hours=7))
INJECTION = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
SUGGESTION = f"Ruang tunggu panas & sempit {INJECTION}"


def at(day: int, hhmm: str) -> str:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(2026, 11, day, h, m, tzinfo=WIB).isoformat()


def at_dec(day: int, hhmm: str) -> str:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(2026, 12, day, h, m, tzinfo=WIB).isoformat()


class Log:
    """Hand-written events, in order; `visit` writes a whole finished visit."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, dict[str, Any]]] = []

    def ev(self, actor: str, kind: str, when: str, **fields: Any) -> None:
        self.rows.append((actor, {"kind": kind, "at": when, **fields}))

    def login(self, day: int, counter: str, officer: str) -> None:
        actor = f"officer:{officer}@{counter}"
        self.ev(actor, "officer_logged_in", at(day, "07:30"), counter=counter, officer=officer)
        self.ev(actor, "counter_opened", at(day, "07:30"), counter=counter)

    def issue(self, day: int, number: str, line: str, when: str) -> str:
        ticket = f"2026-11-{day:02d}/{number}"
        self.ev(
            "kiosk:KIOSK-1",
            "ticket_issued",
            at(day, when),
            ticket=ticket,
            day=f"2026-11-{day:02d}",
            number=number,
            seq=int(number[2:]),
            line=line,
            priority=None,
            token=f"tok-{ticket}",
            kiosk="KIOSK-1",
        )
        self.ev("kiosk:KIOSK-1", "ticket_printed", at(day, when), ticket=ticket)
        return ticket

    def call(self, day: int, ticket: str, counter: str, officer: str, when: str) -> None:
        number = ticket.partition("/")[2]
        self.ev(
            f"officer:{officer}@{counter}",
            "ticket_called",
            at(day, when),
            ticket=ticket,
            number=number,
            line=number[0],
            counter=counter,
            reason="fifo",
            note=None,
        )

    def visit(self, day: int, number: str, counter: str, officer: str, times: str) -> None:
        """times: "issued called finished", e.g. "08:00 08:05 08:15"."""
        issued, called, finished = times.split()
        ticket = self.issue(day, number, number[0], issued)
        self.call(day, ticket, counter, officer, called)
        actor = f"officer:{officer}@{counter}"
        self.ev(actor, "service_started", at(day, called), ticket=ticket, counter=counter)
        self.ev(actor, "service_finished", at(day, finished), ticket=ticket, counter=counter)

    def answer(self, when: str, ticket: str, channel: str, scores: str, **more: Any) -> None:
        day = ticket.partition("/")[0]
        number = ticket.partition("/")[2]
        samsat = number.startswith("E")
        self.ev(
            "citizen",
            "survey_answered",
            when,
            ticket=ticket,
            day=day,
            line=number[0],
            agency="SAMSAT" if samsat else "DUKCAPIL",
            counter="L08" if samsat else "L01",
            officer="SMS01" if samsat else "DKP01",
            channel=channel,
            scores=[int(s) for s in scores.split()],
            **more,
        )

    def entries(self) -> list[LogEntry]:
        return [LogEntry(i + 1, actor, event) for i, (actor, event) in enumerate(self.rows)]


def complaint(log: Log, when: str, cid: str, ticket: str | None, channel: str, **kw: Any) -> None:
    number = ticket.partition("/")[2] if ticket else None
    log.ev(
        "citizen" if channel == "phone" else channel,
        "complaint_filed",
        when,
        complaint=cid,
        category=kw.get("category", "waktu"),
        text=kw.get("text", "Menunggu terlalu lama."),
        channel=channel,
        ticket=ticket,
        line=number[0] if number else None,
        agency="DUKCAPIL" if number else None,
        counter="L01" if number else None,
        officer="DKP01" if number else None,
        take_by=kw["take_by"],
    )


def the_period() -> list[LogEntry]:
    log = Log()
    # A visit of Friday 20 November (before the period), answered on Monday.
    log.login(20, "L01", "DKP01")
    log.visit(20, "A-009", "L01", "DKP01", "10:00 10:10 10:20")
    complaint(
        log, at(20, "11:00"), "ADU-261120-001", "2026-11-20/A-009", "phone", take_by=at(25, "23:59")
    )
    # Monday 23.
    log.login(23, "L01", "DKP01")
    log.visit(23, "A-001", "L01", "DKP01", "08:00 08:05 08:15")
    log.visit(23, "A-002", "L01", "DKP01", "08:00 08:20 08:30")
    log.visit(23, "A-003", "L01", "DKP01", "08:40 08:45 08:50")
    a4 = log.issue(23, "A-004", "A", "08:50")
    log.call(23, a4, "L01", "DKP01", "09:00")
    log.ev("officer:DKP01@L01", "ticket_no_show", at(23, "09:03"), ticket=a4, counter="L01")
    log.answer(
        at(23, "08:20"),
        "2026-11-23/A-001",
        "phone",
        "4 4 4 4 4 4 4 4 4",
        age="30-39",
        sex="p",
        education="sma",
        occupation="swasta",
        suggestion=SUGGESTION,
    )
    log.answer(at(23, "08:31"), "2026-11-23/A-002", "tablet:TAB-L01", "3 3 3 4 3 3 3 3 3", sex="l")
    log.answer(at(23, "09:30"), "2026-11-20/A-009", "phone", "1 1 1 1 1 1 1 1 1")
    complaint(
        log,
        at(23, "10:00"),
        "ADU-261123-001",
        "2026-11-23/A-001",
        "phone",
        text="Petugas <b>tidak</b> ada di loket.",
        take_by=at(26, "23:59"),
    )
    log.ev(
        "manager:M01",
        "complaint_taken",
        at(23, "10:05"),
        complaint="ADU-261120-001",
        by="M01",
        note=None,
        answer_by=at(30, "23:59"),
    )
    # Tuesday 24.
    log.login(24, "L08", "SMS01")
    log.visit(24, "E-001", "L08", "SMS01", "08:00 09:10 09:20")
    log.visit(24, "E-002", "L08", "SMS01", "09:00 09:20 09:30")
    complaint(
        log,
        at(24, "11:00"),
        "ADU-261124-001",
        None,
        "desk:M01",
        category="lainnya",
        text="Parkir penuh.",
        take_by=at(27, "23:59"),
    )
    log.ev(
        "manager:M01",
        "complaint_taken",
        at(24, "12:00"),
        complaint="ADU-261123-001",
        by="M01",
        note="Dicek ke loket",
        answer_by=at_dec(1, "23:59"),
    )
    # Wednesday 25: a visit after the period, answered; a complaint after the period.
    log.login(25, "L01", "DKP01")
    log.visit(25, "A-001", "L01", "DKP01", "08:00 08:05 08:15")
    log.answer(at(25, "08:20"), "2026-11-25/A-001", "phone", "4 4 4 4 4 4 4 4 4")
    complaint(
        log,
        at(25, "09:00"),
        "ADU-261125-001",
        "2026-11-25/A-001",
        "phone",
        take_by=at_dec(1, "23:59"),
    )
    # Friday 27: the Tuesday visit E-001 answered at the exit, three days later.
    log.answer(
        at(27, "10:00"),
        "2026-11-24/E-001",
        "exit:EXIT-1",
        "2 2 1 4 2 2 2 2 2",
        suggestion="Antrean Samsat lama sekali.",
    )
    # Monday 30 and December: the Monday complaint answered, then closed by the system.
    log.ev(
        "manager:M01",
        "complaint_answered",
        at(30, "14:00"),
        complaint="ADU-261123-001",
        by="M01",
        answer="Loket 1 kini dijaga dua petugas.",
        closes_at=at_dec(10, "14:00"),
    )
    log.ev(
        "system",
        "complaint_closed",
        at_dec(10, "14:00"),
        complaint="ADU-261123-001",
        by="system",
        note=None,
    )
    return log.entries()


async def write_store(path: Path, entries: list[LogEntry]) -> None:
    store = await Store.open(path)
    building = load_demo_building()
    try:
        batch = [StoredEvent(e.seq, read_event(dict(e.event)), e.actor, None) for e in entries]
        await store.append(batch, [], [], building.service_day)
    finally:
        await store.close()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def rows_by(path: Path, *key: str) -> dict[tuple[str, ...], dict[str, str]]:
    return {tuple(r[k] for k in key): r for r in read_csv(path)}


NOW = datetime(2026, 12, 15, 9, 0, tzinfo=WIB)  # after every event: the survey of the period closed
