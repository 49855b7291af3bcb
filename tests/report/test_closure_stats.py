"""closures.csv from a hand-written day (issue 23 G; docs/reports.md "closures.csv"): pure.

The demo building, Monday 23 November 2026: every counter's lines serve 07:30–16:00 WIB (the
building's hours; no line has hours of its own). Who does what, in the log's order:

ctr  officer  what happens                                                      listed?
L18  BNK01    opens 07:00, asks 07:20, LANTAI approves 07:40 (idle)             yes: closed in hours
L24  KPP01    opens 07:10, closes it on her own 07:25, opens again 07:30        no: before 07:30
L01  DKP01    asks 09:00, LANTAI approves 09:04 (idle): closed 09:04            yes
L02  DKP02    asks 10:00 serving A-001, ADMIN approves 10:02; closed 10:15:30   yes
              when A-001 is finished
L08  SMS01    asks 11:00, LANTAI refuses 11:05 ("Antrean E masih 12 orang")     yes
L09  SMS02    asks 12:00, withdraws 12:03                                       yes
L14  BKS01    pauses 13:00 ("Istirahat"), LANTAI closes it 13:30, no request    yes
L16  BTK01    closes it on his own 14:00 (the rule off), logs out               yes
L26  BPN01    asks 14:30, closes it on her own 14:40, before any decision       yes
L11  POL01    asks 15:30; nobody decides                                        yes
L29  PAM01    asks 15:50 serving V-001, LANTAI approves 15:52; closed 16:05     yes: asked in hours
L22  IMI01    asks 16:10, LANTAI approves 16:12                                 no: after 16:00
L20  DPM01    closes it on his own 16:20                                        no: after 16:00
At the day's end the system closes L24, L08, L09 and L11: no one's closure, not listed.

minutes_left, from the closure to 16:00: L18 07:40 → 500.0; L01 09:04 → 416.0; L02 10:15:30 →
344.5; L14 13:30 → 150.0; L16 14:00 → 120.0; L26 14:40 → 80.0; L29 16:05 → none (after 16:00).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from test_report import DOCS, _read_csv, _write_store, small_day

from server.config import load_demo_building
from server.report.cli import report_main
from server.report.closure_stats import OUTCOMES, day_closures
from server.report.summary import closure_summary
from server.report.tables import CLOSURE_COLUMNS, closure_rows
from server.store import LogEntry

WIB = timezone(timedelta(hours=7))
DAY_END = "23:59:59.999999"


def _t(clock: str) -> str:
    hms, _, micro = clock.partition(".")
    h, m, s = (int(x) for x in hms.split(":"))
    return datetime(2026, 11, 23, h, m, s, int(micro or 0), tzinfo=WIB).isoformat()


def closure_day() -> list[LogEntry]:
    """The day of the docstring's table, as the server logs it."""
    log: list[LogEntry] = []

    def ev(actor: str, kind: str, at: str, **fields: Any) -> None:
        log.append(LogEntry(len(log) + 1, actor, {"kind": kind, "at": _t(at), **fields}))

    def at_work(officer: str, counter: str, at: str) -> str:
        actor = f"officer:{officer}@{counter}"
        ev(actor, "officer_logged_in", at, counter=counter, officer=officer)
        ev(actor, "counter_opened", at, counter=counter)
        return actor

    def ask(actor: str, counter: str, at: str, reason: str) -> None:
        officer = actor.split(":")[1].split("@")[0]
        ev(actor, "closure_requested", at, counter=counter, officer=officer, reason=reason)

    def decide(manager: str, counter: str, officer: str, at: str, approved: bool, note=None):
        ev(
            f"manager:{manager}",
            "closure_decided",
            at,
            counter=counter,
            officer=officer,
            approved=approved,
            by=manager,
            note=note,
        )

    bnk = at_work("BNK01", "L18", "07:00:00")
    kpp = at_work("KPP01", "L24", "07:10:00")
    ask(bnk, "L18", "07:20:00", "Blanko/formulir habis")
    ev(kpp, "counter_closed", "07:25:00", counter="L24")
    ev(kpp, "counter_opened", "07:30:00", counter="L24")
    decide("LANTAI", "L18", "BNK01", "07:40:00", True)
    ev("manager:LANTAI", "counter_closed", "07:40:00", counter="L18")
    dkp1 = at_work("DKP01", "L01", "07:30:00")
    dkp2 = at_work("DKP02", "L02", "07:30:00")
    sms1 = at_work("SMS01", "L08", "07:30:00")
    sms2 = at_work("SMS02", "L09", "07:30:00")
    bks = at_work("BKS01", "L14", "07:30:00")
    btk = at_work("BTK01", "L16", "07:30:00")
    bpn = at_work("BPN01", "L26", "07:30:00")
    pol = at_work("POL01", "L11", "07:30:00")
    imi = at_work("IMI01", "L22", "07:30:00")
    pam = at_work("PAM01", "L29", "07:30:00")
    dpm = at_work("DPM01", "L20", "07:30:00")
    ask(dkp1, "L01", "09:00:00", "Gangguan sistem instansi")
    decide("LANTAI", "L01", "DKP01", "09:04:00", True)
    ev("manager:LANTAI", "counter_closed", "09:04:00", counter="L01")
    ticket = "2026-11-23/A-001"
    ev(dkp2, "ticket_called", "09:55:00", ticket=ticket, number="A-001", line="A", counter="L02",
       reason="fifo", note=None)  # fmt: skip
    ev(dkp2, "service_started", "09:56:00", ticket=ticket, counter="L02")
    ask(dkp2, "L02", "10:00:00", "Blanko/formulir habis")
    decide("ADMIN", "L02", "DKP02", "10:02:00", True)  # busy: the counter stays open
    ev(dkp2, "service_finished", "10:15:30", ticket=ticket, counter="L02")
    ev(dkp2, "counter_closed", "10:15:30", counter="L02")
    ask(sms1, "L08", "11:00:00", "Petugas sakit")
    decide("LANTAI", "L08", "SMS01", "11:05:00", False, "Antrean E masih 12 orang")
    ask(sms2, "L09", "12:00:00", "Pergantian petugas")
    ev(sms2, "closure_withdrawn", "12:03:00", counter="L09", officer="SMS02")
    ev(bks, "counter_paused", "13:00:00", counter="L14", reason="Istirahat")
    ev("manager:LANTAI", "counter_closed", "13:30:00", counter="L14")
    ev(btk, "counter_closed", "14:00:00", counter="L16")
    ev(btk, "officer_logged_out", "14:00:00", counter="L16", officer="BTK01")
    ask(bpn, "L26", "14:30:00", "Gangguan sistem instansi")
    ev(bpn, "counter_closed", "14:40:00", counter="L26")
    ask(pol, "L11", "15:30:00", "Gangguan sistem instansi")
    ticket = "2026-11-23/V-001"
    ev(pam, "ticket_called", "15:40:00", ticket=ticket, number="V-001", line="V", counter="L29",
       reason="fifo", note=None)  # fmt: skip
    ev(pam, "service_started", "15:41:00", ticket=ticket, counter="L29")
    ask(pam, "L29", "15:50:00", "Petugas sakit")
    decide("LANTAI", "L29", "PAM01", "15:52:00", True)
    ev(pam, "service_finished", "16:05:00", ticket=ticket, counter="L29")
    ev(pam, "counter_closed", "16:05:00", counter="L29")
    ask(imi, "L22", "16:10:00", "Petugas sakit")
    decide("LANTAI", "L22", "IMI01", "16:12:00", True)
    ev("manager:LANTAI", "counter_closed", "16:12:00", counter="L22")
    ev(dpm, "counter_closed", "16:20:00", counter="L20")
    for counter in ("L24", "L08", "L09", "L11"):  # the day's end, by the system
        ev("system", "counter_closed", DAY_END, counter=counter)
    ev("system", "day_closed", DAY_END, day="2026-11-23")
    return log


def _at(clock: str) -> str:
    return f"2026-11-23T{clock}+07:00"


# (counter, counter_name, agency, officer, requested_at, reason, outcome, decided_at, decided_by,
#  note, closed_at, minutes_left), worked out from the docstring's table.
EXPECTED = [
    ("L18", "Loket 18", "BANKDA", "BNK01", _at("07:20:00"), "Blanko/formulir habis",
     "disetujui", _at("07:40:00"), "LANTAI", "", _at("07:40:00"), 500.0),
    ("L01", "Loket 1", "DUKCAPIL", "DKP01", _at("09:00:00"), "Gangguan sistem instansi",
     "disetujui", _at("09:04:00"), "LANTAI", "", _at("09:04:00"), 416.0),
    ("L02", "Loket 2", "DUKCAPIL", "DKP02", _at("10:00:00"), "Blanko/formulir habis",
     "disetujui", _at("10:02:00"), "ADMIN", "", _at("10:15:30"), 344.5),
    ("L08", "Loket 8", "SAMSAT", "SMS01", _at("11:00:00"), "Petugas sakit",
     "ditolak", _at("11:05:00"), "LANTAI", "Antrean E masih 12 orang", "", ""),
    ("L09", "Loket 9", "SAMSAT", "SMS02", _at("12:00:00"), "Pergantian petugas",
     "ditarik", _at("12:03:00"), "SMS02", "", "", ""),
    ("L14", "Loket 14", "BPJSKES", "BKS01", "", "",
     "ditutup pengelola", _at("13:30:00"), "LANTAI", "", _at("13:30:00"), 150.0),
    ("L16", "Loket 16", "BPJSTK", "BTK01", "", "",
     "ditutup petugas", "", "", "", _at("14:00:00"), 120.0),
    ("L26", "Loket 26", "BPN", "BPN01", _at("14:30:00"), "Gangguan sistem instansi",
     "tidak diputuskan", "", "", "", _at("14:40:00"), 80.0),
    ("L11", "Loket 11", "POLRES", "POL01", _at("15:30:00"), "Gangguan sistem instansi",
     "tidak diputuskan", "", "", "", "", ""),
    ("L29", "Loket 29", "PDAM", "PAM01", _at("15:50:00"), "Petugas sakit",
     "disetujui", _at("15:52:00"), "LANTAI", "", _at("16:05:00"), ""),
]  # fmt: skip
KEYS = ("counter", "counter_name", "agency", "officer", "requested_at", "reason", "outcome")
KEYS += ("decided_at", "decided_by", "note", "closed_at", "minutes_left")


def test_the_days_closures_in_service_hours_row_by_row() -> None:
    building = load_demo_building()
    rows = closure_rows(day_closures(closure_day(), building), building)
    assert [tuple(r[k] for k in KEYS) for r in rows] == EXPECTED
    assert {r["day"] for r in rows} == {"2026-11-23"}


def test_the_summary_line_counts_them_by_outcome() -> None:
    building = load_demo_building()
    rows = closure_rows(day_closures(closure_day(), building), building)
    assert closure_summary(rows) == (
        "Tutup loket pada jam layanan: 10 (disetujui 4, ditolak 1, ditarik 1, "
        "tidak diputuskan 2, tanpa pengajuan 2)"
    )
    assert closure_summary([]) is None


def test_a_typed_reason_is_never_read_as_a_formula() -> None:
    """A reason or note an officer or manager typed that starts like a formula stays text."""
    building = load_demo_building()
    log = [
        LogEntry(1, "officer:DKP01@L01", {"kind": "counter_opened", "at": _t("08:00:00"),
                                          "counter": "L01"}),
        LogEntry(2, "officer:DKP01@L01", {"kind": "closure_requested", "at": _t("09:00:00"),
                                          "counter": "L01", "officer": "DKP01",
                                          "reason": "=HYPERLINK(\"x\")"}),
        LogEntry(3, "manager:LANTAI", {"kind": "closure_decided", "at": _t("09:01:00"),
                                       "counter": "L01", "officer": "DKP01", "approved": False,
                                       "by": "LANTAI", "note": "-tunggu"}),
    ]  # fmt: skip
    (row,) = closure_rows(day_closures(log, building), building)
    assert (row["reason"], row["note"]) == ('\'=HYPERLINK("x")', "'-tunggu")


async def test_antre_report_writes_closures_csv_from_a_real_store(tmp_path, capsys) -> None:
    """`antre report` reads the day from a real SQLite store and writes closures.csv, with the
    documented columns and the table's rows, and prints the summary line."""
    db = tmp_path / "antre.db"
    await _write_store(db, closure_day())
    out = tmp_path / "out"
    assert report_main(["--day", "2026-11-23", "--db", str(db), "--out", str(out)]) == 0
    rows = _read_csv(out / "closures.csv")
    assert list(rows[0]) == list(CLOSURE_COLUMNS)
    expected = [tuple(str(v) for v in row) for row in EXPECTED]
    assert [tuple(r[k] for k in KEYS) for r in rows] == expected
    assert (
        "Tutup loket pada jam layanan: 10 (disetujui 4, ditolak 1, ditarik 1, "
        "tidak diputuskan 2, tanpa pengajuan 2)" in capsys.readouterr().out
    )


async def test_a_day_without_closures_writes_the_header_and_no_line(tmp_path, capsys) -> None:
    db = tmp_path / "antre.db"
    await _write_store(db, small_day())
    out = tmp_path / "out"
    assert report_main(["--day", "2026-11-23", "--db", str(db), "--out", str(out)]) == 0
    header = (out / "closures.csv").read_text(encoding="utf-8-sig").splitlines()
    assert header == [",".join(CLOSURE_COLUMNS)]
    assert "Tutup loket" not in capsys.readouterr().out


def test_closure_columns_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### `closures.csv`") :]
    for column in CLOSURE_COLUMNS:
        assert f"| `{column}` |" in section, column
    for outcome in OUTCOMES:
        assert f"`{outcome}`" in section, outcome


async def test_closures_played_through_a_real_server(server, tmp_path, capsys) -> None:
    """The same file from a day the real server logged (the demo building, Monday 09:00;
    `closure_approval` is on there): DKP01 at L01 asks while serving A-001 and LANTAI approves
    at 09:02, so L01 closes when A-001 is finished at 09:10 (410 minutes before 16:00); DKP02
    at L02 asks at 09:10 and LANTAI refuses at 09:12; LANTAI closes SMS01's L08 at 09:15 without
    a request (405 minutes left)."""
    kiosk = await server.client("KIOSK-1")
    l01 = await server.officer_at_work("DKP01@L01")
    l02 = await server.officer_at_work("DKP02@L02")
    await server.officer_at_work("SMS01@L08")
    floor = await server.client("LANTAI")
    ticket = await kiosk.issue_ticket("A")
    await kiosk.confirm_printed(ticket["id"])
    await l01.act("call_next")
    await l01.act("start_service")
    await l01.act("request_closure", reason="Blanko/formulir habis")
    server.clock.advance(120)
    await floor.act("decide_closure", counter="L01", approve=True)
    server.clock.advance(480)
    await l01.act("finish_service")
    await l02.act("request_closure", reason="Petugas sakit")
    server.clock.advance(120)
    await floor.act("decide_closure", counter="L02", approve=False, note="Antrean A masih panjang")
    server.clock.advance(180)
    await floor.act("close_counter", counter="L08")

    out = tmp_path / "out"
    db = str(server.engine.db_path)
    assert report_main(["--day", "2026-11-23", "--db", db, "--out", str(out)]) == 0
    rows = _read_csv(out / "closures.csv")
    assert [tuple(r[k] for k in KEYS) for r in rows] == [
        ("L01", "Loket 1", "DUKCAPIL", "DKP01", _at("09:00:00"), "Blanko/formulir habis",
         "disetujui", _at("09:02:00"), "LANTAI", "", _at("09:10:00"), "410.0"),
        ("L02", "Loket 2", "DUKCAPIL", "DKP02", _at("09:10:00"), "Petugas sakit",
         "ditolak", _at("09:12:00"), "LANTAI", "Antrean A masih panjang", "", ""),
        ("L08", "Loket 8", "SAMSAT", "SMS01", "", "",
         "ditutup pengelola", _at("09:15:00"), "LANTAI", "", _at("09:15:00"), "405.0"),
    ]  # fmt: skip
    assert (
        "Tutup loket pada jam layanan: 3 (disetujui 1, ditolak 1, ditarik 0, "
        "tidak diputuskan 0, tanpa pengajuan 1)" in capsys.readouterr().out
    )
