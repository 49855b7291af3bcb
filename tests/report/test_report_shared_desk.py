"""`antre report` on the second building: the shared desk's calls belong to the day's agency.

A real server in WITA serves MPP Kabupaten Contoh (docs/examples/) into a real SQLite file:
on Tuesday 24 November 2026 the KUA calls K-001 at Loket 7, on Thursday 26 the religious
court calls P-001 and P-002 there. The report, run as the operator runs it, must file each
call under the agency whose desk it was that day (figures counted by hand from that story).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hubtest import FakeClock, StartServer
from kabupaten import EXAMPLE, THU, TUE, at, client, start_kabupaten

from server.core.model import Tick
from server.report.cli import report_main


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
async def two_days(
    start_server: StartServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Path:
    """The store after the story above, its server stopped."""
    db = tmp_path / "antre.db"
    clock.now = at(TUE, "09:00")
    server = await start_kabupaten(start_server, monkeypatch, db=str(db))
    kiosk = await client(server, "KIOSK-1")
    for day, line, officer, count in ((TUE, "K", "KUA01", 1), (THU, "P", "PA01", 2)):
        if day == THU:
            clock.now = at(THU, "09:00")
            await server.hub.execute(Tick(), "system")
        for _ in range(count):
            ticket = await kiosk.issue_ticket(line)
            await kiosk.confirm_printed(ticket["id"])
        desk = await client(server, f"{officer}@L07")
        await desk.act("login")
        await desk.act("open_counter")
        for _ in range(count):
            clock.advance(60)
            await desk.act("call_next")
            await desk.act("start_service")
            clock.advance(300)
            await desk.act("finish_service")
        await desk.act("logout")
    for c in server.clients:
        await c.close()
    await start_server.stop(server)  # type: ignore[attr-defined]
    return db


@pytest.mark.parametrize(
    ("days", "agencies", "desk_agency", "desk_calls"),
    [
        (["--day", "2026-11-24"], {"KUA": "1"}, "KUA", "1"),
        (["--day", "2026-11-26"], {"PA": "2"}, "PA", "2"),
        (["--from", "2026-11-24", "--to", "2026-11-26"], {"KUA": "1", "PA": "2"}, "KUA/PA", "3"),
    ],
    ids=["tuesday", "thursday", "the-week"],
)
async def test_the_shared_desks_calls_go_to_the_days_agency(
    two_days: Path,
    tmp_path: Path,
    days: list[str],
    agencies: dict[str, str],
    desk_agency: str,
    desk_calls: str,
) -> None:
    """agencies.csv counts each day's calls for that day's agency, and counters.csv names the
    agencies Loket 7 worked for in the range."""
    out = tmp_path / "out"
    argv = ["--db", str(two_days), "--config", str(EXAMPLE), *days, "--out", str(out), "--quiet"]
    assert report_main(argv) == 0
    called = {r["key"]: r["called"] for r in rows(out / "agencies.csv")}
    assert called == agencies
    (desk,) = rows(out / "counters.csv")
    assert (desk["key"], desk["name"], desk["agency"], desk["called"], desk["served"]) == (
        "L07",
        "Loket 7",
        desk_agency,
        desk_calls,
        desk_calls,
    )


async def test_the_journal_files_each_ticket_under_its_days_agency(
    two_days: Path, tmp_path: Path
) -> None:
    """journal-DAY.csv: the ticket, the agency of its line, and the one desk that served it."""
    out = tmp_path / "out"
    argv = ["--db", str(two_days), "--config", str(EXAMPLE), "--from", "2026-11-24"]
    argv += ["--to", "2026-11-26", "--out", str(out), "--journal", "--quiet"]
    assert report_main(argv) == 0
    seen = [
        (r["number"], r["agency"], r["counter"], r["officer"])
        for day in ("2026-11-24", "2026-11-26")
        for r in rows(out / f"journal-{day}.csv")
    ]
    assert seen == [
        ("K-001", "KUA", "L07", "KUA01"),
        ("P-001", "PA", "L07", "PA01"),
        ("P-002", "PA", "L07", "PA01"),
    ]
