"""A day with three visits of several stops, made by the real core (QueueState) from commands.

Monday 2026-11-23, demo building, times WIB. Worked by hand (test_report_visits.py checks it):

- KJ-001, kiosk 08:00, B (Kartu Keluarga, Dukcapil) then J (BPJS Kesehatan). B-001 served at
  L04 08:10–08:30 → handed on to J-002 at 08:30; J-001 (a single citizen, 08:00) is served at
  L14 08:05–08:35, then J-002 is called at 08:40 and served to 09:00. Complete: 60.0 minutes,
  J-002 waited 10.0 minutes since its previous stop.
- KJ-002, kiosk 08:20, T (BPHTB, Bapenda) then S (BPN). T-001 served at L27 08:25–08:45 →
  S-001 at 08:45; called at L26 08:50; the officer adds J (08:55) and skips it again (08:56);
  S-001 finished 09:10. Complete: 50.0 minutes, 5.0 since the previous stop; 1 added, 1 skipped.
- KJ-003, a plain ticket A-001 issued 08:30, called at L01 08:40; the officer adds B there
  (08:50): the ticket becomes a visit. A-001 finished 09:00 → B-002; never called that day.
  Not complete.

Hand-ons by agency: Bapenda → BPN 1, Dukcapil → BPJS Kesehatan 1, Dukcapil → Dukcapil 1.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from server.config import load_demo_building
from server.core.events import event_to_dict
from server.core.model import (
    AddStop,
    CallNext,
    CallTicket,
    Command,
    ConfirmPrinted,
    FinishService,
    IssueTicket,
    LogIn,
    MarkNoShow,
    OpenCounter,
    SkipStop,
    StartService,
    StartVisit,
)
from server.core.queue import QueueState
from server.store import LogEntry

WIB = timezone(timedelta(hours=7))
DAY = "2026-11-23"


def at(hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(2026, 11, 23, h, m, tzinfo=WIB)


def visit_day() -> list[LogEntry]:
    q = QueueState(load_demo_building())
    entries: list[LogEntry] = []

    def run(actor: str, command: Command, hhmm: str) -> list:
        events = q.handle(command, at(hhmm))
        for e in events:
            entries.append(LogEntry(len(entries) + 1, actor, event_to_dict(e)))
        return events

    desks = {"L01": "DKP02", "L04": "DKP01", "L14": "BKS01", "L26": "BPN01", "L27": "BPD01"}
    officer = {c: f"officer:{o}@{c}" for c, o in desks.items()}
    for counter, who in desks.items():
        run(officer[counter], LogIn(counter, who), "07:30")
        run(officer[counter], OpenCounter(counter), "07:30")

    def kiosk(command: Command, hhmm: str) -> None:
        (issued, *_rest) = run("kiosk:KIOSK-1", command, hhmm)
        run("kiosk:KIOSK-1", ConfirmPrinted(issued.ticket), hhmm)

    def desk(counter: str, command: Command, hhmm: str) -> None:
        run(officer[counter], command, hhmm)

    kiosk(StartVisit(("B", "J"), None, "v1", "KIOSK-1"), "08:00")  # KJ-001, B-001
    kiosk(IssueTicket("J", None, "t1", "KIOSK-1"), "08:00")  # J-001
    desk("L14", CallNext("L14"), "08:05")  # J-001
    desk("L14", StartService("L14"), "08:05")
    desk("L04", CallNext("L04"), "08:10")  # B-001
    desk("L04", StartService("L04"), "08:10")
    kiosk(StartVisit(("T", "S"), None, "v2", "KIOSK-1"), "08:20")  # KJ-002, T-001
    desk("L27", CallNext("L27"), "08:25")  # T-001
    desk("L27", StartService("L27"), "08:25")
    desk("L04", FinishService("L04"), "08:30")  # → J-002
    kiosk(IssueTicket("A", None, "t2", "KIOSK-1"), "08:30")
    desk("L14", FinishService("L14"), "08:35")
    desk("L14", CallNext("L14"), "08:40")  # J-002
    desk("L14", StartService("L14"), "08:40")
    desk("L01", CallNext("L01"), "08:40")
    desk("L01", StartService("L01"), "08:40")
    desk("L27", FinishService("L27"), "08:45")  # → S-001
    desk("L26", CallNext("L26"), "08:50")  # S-001
    desk("L26", StartService("L26"), "08:50")
    desk("L01", AddStop("L01", "B"), "08:50")  # A-001 becomes KJ-003
    desk("L26", AddStop("L26", "J"), "08:55")
    desk("L26", SkipStop("L26", "J", "sudah terdaftar"), "08:56")
    desk("L14", FinishService("L14"), "09:00")  # J-002: KJ-001 complete
    desk("L01", FinishService("L01"), "09:00")  # A-001 → B-002
    desk("L26", FinishService("L26"), "09:10")  # S-001: KJ-002 complete
    return entries


def skipped_day() -> list[LogEntry]:
    """Three visits, two of them sent on by the floor's skip of a stop never served:

    - KJ-001 (B, J), kiosk 08:00: B-001 still waits when the floor skips B at 08:10 → J-001
      (the hand-on names no counter);
    - KJ-002 (A, J), kiosk 08:00: A-001 called at L01 08:05, a no-show 08:10, skipped by the
      floor 08:12 → J-002 (from L01);
    - KJ-003 (T, S), kiosk 08:00: T-001 served at L27 08:05–08:20 → S-001.

    Hand-ons: 1 each. Hand-offs between agencies: only Bapenda → BPN 1.
    """
    q = QueueState(load_demo_building())
    entries: list[LogEntry] = []

    def run(command: Command, hhmm: str) -> list:
        events = q.handle(command, at(hhmm))
        entries.extend(LogEntry(len(entries) + 1, "test", event_to_dict(e)) for e in events)
        return events

    for counter, who in (("L01", "DKP02"), ("L27", "BPD01")):
        run(LogIn(counter, who), "07:30")
        run(OpenCounter(counter), "07:30")
    first = {}
    for token, lines in (("v1", ("B", "J")), ("v2", ("A", "J")), ("v3", ("T", "S"))):
        (issued, *_rest) = run(StartVisit(lines, None, token, "KIOSK-1"), "08:00")
        run(ConfirmPrinted(issued.ticket), "08:00")
        first[token] = issued.ticket
    run(CallTicket("L01", first["v2"], "giliran"), "08:05")
    run(CallTicket("L27", first["v3"], "giliran"), "08:05")
    run(StartService("L27"), "08:05")
    run(SkipStop(None, "B", "KK sudah jadi", visit=f"{DAY}/KJ-001", by="LANTAI"), "08:10")
    run(MarkNoShow("L01"), "08:10")
    run(SkipStop(None, "A", "warga ke BPJS dulu", visit=f"{DAY}/KJ-002", by="LANTAI"), "08:12")
    run(FinishService("L27"), "08:20")
    return entries
