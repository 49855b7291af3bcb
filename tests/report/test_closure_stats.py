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

The live day (`live_day`): the hours are the live building's at each closure's instant, as the
server's rule judged them, not the file's (which says 07:30–16:00 and has no Loket 40):

at     what happens                                                 listed?
09:00  ADMIN adds special hours for today only: 07:30–12:00         (an edit)
09:05  ADMIN adds line Y and Loket 40 (BPJSTK) in one request        (two edits, one request)
09:10  BTK01 opens L40
11:00  DKP01 closes L01 on her own                                  yes: 60.0 to 12:00 (file: 300.0)
11:30  LANTAI closes L40, no request                                yes: Loket 40, BPJSTK, 30.0
13:00  DKP02 closes L02 on her own                                  no: after 12:00 (file: 180.0)
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from test_report import DOCS, _read_csv, _write_store, small_day

from server.config import load_demo_building
from server.report.cli import report_main
from server.report.closure_stats import OUTCOMES, day_closures, with_edits
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
    rows = closure_rows(day_closures(closure_day(), building).closures, building)
    assert [tuple(r[k] for k in KEYS) for r in rows] == EXPECTED
    assert {r["day"] for r in rows} == {"2026-11-23"}


def test_the_summary_line_counts_them_by_outcome() -> None:
    building = load_demo_building()
    rows = closure_rows(day_closures(closure_day(), building).closures, building)
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
    (row,) = closure_rows(day_closures(log, building).closures, building)
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


# The live day of the docstring: the admin's edits as the server logs them.
SPECIAL = {
    "name": "Pemadaman listrik",
    "start": "2026-11-23",
    "end": "2026-11-23",
    "monday": {"open": "07:30", "close": "12:00"},
}
NEW_LINE = {"prefix": "Y", "agency": "BPJSTK", "name": "Pendaftaran Peserta Baru",
            "target_service_min": 10}  # fmt: skip
NEW_COUNTER = {"id": "L40", "name": "Loket 40", "number": 40, "zone": "1", "agency": "BPJSTK",
               "serves": ["Y"]}  # fmt: skip


def live_day(special_before: Any = None) -> list[LogEntry]:
    """The live day of the docstring; `special_before`: what the special-hours edit says stood
    before it (None: nothing, as the file has)."""
    log: list[LogEntry] = []

    def ev(actor: str, kind: str, at: str, rid: str | None = None, **fields: Any) -> None:
        log.append(LogEntry(len(log) + 1, actor, {"kind": kind, "at": _t(at), **fields}, rid))

    def edited(at: str, rid: str, version: int, target: str, before: Any, after: Any) -> None:
        ev("manager:ADMIN", "building_edited", at, f"manager:ADMIN#{rid}", by="manager:ADMIN",
           version=version, target=target, before=before, after=after, undoes=None)  # fmt: skip

    for officer, counter in (("DKP01", "L01"), ("DKP02", "L02")):
        ev(f"officer:{officer}@{counter}", "officer_logged_in", "07:30:00", counter=counter,
           officer=officer)  # fmt: skip
        ev(f"officer:{officer}@{counter}", "counter_opened", "07:30:00", counter=counter)
    edited("09:00:00", "r1", 1, "special_hours:2026-11-23", special_before, SPECIAL)
    edited("09:05:00", "r2", 2, "line:Y", None, NEW_LINE)
    edited("09:05:00", "r2", 3, "counter:L40", None, NEW_COUNTER)
    ev("officer:BTK01@L40", "officer_logged_in", "09:10:00", counter="L40", officer="BTK01")
    ev("officer:BTK01@L40", "counter_opened", "09:10:00", counter="L40")
    ev("officer:DKP01@L01", "counter_closed", "11:00:00", counter="L01")
    ev("manager:LANTAI", "counter_closed", "11:30:00", counter="L40")
    ev("officer:DKP02@L02", "counter_closed", "13:00:00", counter="L02")
    return log


LIVE_EXPECTED = [
    ("L01", "Loket 1", "DUKCAPIL", "DKP01", "", "", "ditutup petugas", "", "", "",
     _at("11:00:00"), 60.0),
    ("L40", "Loket 40", "BPJSTK", "BTK01", "", "", "ditutup pengelola", _at("11:30:00"),
     "LANTAI", "", _at("11:30:00"), 30.0),
]  # fmt: skip


def test_closures_are_judged_by_the_live_building_of_their_instant() -> None:
    file = load_demo_building()
    closures, live = day_closures(live_day(), file)
    assert [tuple(r[k] for k in KEYS) for r in closure_rows(closures, live)] == LIVE_EXPECTED
    # The same when the edits were logged before the report's first day (the Friday before):
    # the start building is the file's with them.
    log = live_day()
    start = with_edits(file, log[4:7])
    closures, live = day_closures(log[:4] + log[7:], start)
    assert [tuple(r[k] for k in KEYS) for r in closure_rows(closures, live)] == LIVE_EXPECTED


def test_edits_a_take_file_start_dropped_leave_the_file_s_hours() -> None:
    """Through `history` (the store's edits_dropped_through) the file stands, as in the server:
    L01 at 11:00 has 300.0 minutes to 16:00, L02 at 13:00 180.0, and L40 has no hours."""
    file = load_demo_building()
    closures, live = day_closures(live_day(), file, history=7)
    assert [(c.counter, c.outcome, c.minutes_left) for c in closures] == [
        ("L01", "ditutup petugas", 300.0),
        ("L02", "ditutup petugas", 180.0),
    ]
    assert live is file


def test_an_edit_the_file_no_longer_takes_is_skipped_with_a_log_line(caplog) -> None:
    """The special-hours edit was made against a period the file does not have (another file
    than the server's): skipped, said in English; the counter edits still apply."""
    stale = {**SPECIAL, "monday": {"open": "07:30", "close": "14:00"}}
    with caplog.at_level(logging.WARNING, logger="server.report.closure_stats"):
        closures, _live = day_closures(live_day(special_before=stale), load_demo_building())
    assert [(c.counter, c.minutes_left) for c in closures] == [
        ("L01", 300.0),
        ("L40", 270.0),
        ("L02", 180.0),
    ]
    (record,) = caplog.records
    assert "seq 5 (version 1, special_hours:2026-11-23 by manager:ADMIN" in record.getMessage()
    assert "no longer applies to the building file" in record.getMessage()


async def test_live_edits_played_through_a_real_server(server, tmp_path, capsys) -> None:
    """The live day through the real server (closure_approval on in the demo): ADMIN's special
    hours close today at 12:00, Y and Loket 40 added in one request; DKP01 asks at 11:00 and
    LANTAI approves (idle: closed, 60 minutes before 12:00); LANTAI closes L40 at 11:30 (30);
    at 13:00 the server lets DKP02 close L02 on her own (out of the live hours), not listed."""
    admin = await server.client("ADMIN")
    l01 = await server.officer_at_work("DKP01@L01")
    l02 = await server.officer_at_work("DKP02@L02")
    floor = await server.client("LANTAI")
    await admin.request("admin_edit", version=0, target="special_hours:2026-11-23", before=None,
                        after=SPECIAL)  # fmt: skip
    await admin.request(
        "admin_edit",
        version=1,
        edits=[
            {"target": "line:Y", "before": None, "after": NEW_LINE},
            {"target": "counter:L40", "before": None, "after": NEW_COUNTER},
        ],
    )
    await server.officer_at_work("BTK01@L40")
    server.clock.advance(2 * 3600)  # 11:00
    await l01.act("request_closure", reason="Gangguan sistem instansi")
    await floor.act("decide_closure", counter="L01", approve=True)
    server.clock.advance(1800)
    await floor.act("close_counter", counter="L40")
    server.clock.advance(5400)  # 13:00
    await l02.act("close_counter")

    out = tmp_path / "out"
    db = str(server.engine.db_path)
    assert report_main(["--day", "2026-11-23", "--db", db, "--out", str(out)]) == 0
    rows = _read_csv(out / "closures.csv")
    assert [tuple(r[k] for k in KEYS) for r in rows] == [
        ("L01", "Loket 1", "DUKCAPIL", "DKP01", _at("11:00:00"), "Gangguan sistem instansi",
         "disetujui", _at("11:00:00"), "LANTAI", "", _at("11:00:00"), "60.0"),
        ("L40", "Loket 40", "BPJSTK", "BTK01", "", "",
         "ditutup pengelola", _at("11:30:00"), "LANTAI", "", _at("11:30:00"), "30.0"),
    ]  # fmt: skip
    assert (
        "Tutup loket pada jam layanan: 2 (disetujui 1, ditolak 0, ditarik 0, "
        "tidak diputuskan 0, tanpa pengajuan 1)" in capsys.readouterr().out
    )
