"""Central's ingest against a real PostgreSQL: idempotent, in sequence order, partitioned by month.

The day delivered is the report tests' kind of day, written here by hand: two tickets on line A,
one served at L01 by DKP01 (waited 10 min, served 8), one no-show at L02 (waited 15 min). Each
figure below is worked out from that story, not read from the code under test.
"""

from __future__ import annotations

import psycopg
import pytest
from centraltest import BUILDING, Logged, batch_body

from server.central.batch import BadBody, read_batch
from server.central.ingest import (
    SeqConflict,
    figures_of,
    ingest_batch,
    register_buildings,
)
from server.central.schema import LATEST_VERSION, SchemaTooNew, migrate


def _at(day: str, hhmm: str) -> str:
    return f"{day}T{hhmm}:00+07:00"


def story(day: str = "2026-11-23", first_seq: int = 1) -> list[Logged]:
    """Eight events of one day (module docstring)."""
    t1, t2 = f"{day}/A-001", f"{day}/A-002"
    rows = [
        ("officer:DKP01@L01", {"kind": "officer_logged_in", "at": _at(day, "08:00"),
                               "counter": "L01", "officer": "DKP01"}),
        ("kiosk:K1", {"kind": "ticket_issued", "at": _at(day, "09:00"), "ticket": t1,
                      "day": day, "number": "A-001", "seq": 1, "line": "A",
                      "priority": None, "token": "secret1", "kiosk": "K1"}),
        ("kiosk:K1", {"kind": "ticket_issued", "at": _at(day, "09:05"), "ticket": t2,
                      "day": day, "number": "A-002", "seq": 2, "line": "A",
                      "priority": None, "token": "secret2", "kiosk": "K1"}),
        ("officer:DKP01@L01", {"kind": "ticket_called", "at": _at(day, "09:10"), "ticket": t1,
                               "number": "A-001", "line": "A", "counter": "L01",
                               "reason": "fifo", "note": None}),
        ("officer:DKP01@L01", {"kind": "service_started", "at": _at(day, "09:12"),
                               "ticket": t1, "counter": "L01"}),
        ("officer:DKP01@L01", {"kind": "service_finished", "at": _at(day, "09:20"),
                               "ticket": t1, "counter": "L01"}),
        ("officer:DKP02@L02", {"kind": "ticket_called", "at": _at(day, "09:20"), "ticket": t2,
                               "number": "A-002", "line": "A", "counter": "L02",
                               "reason": "fifo", "note": None}),
        ("officer:DKP02@L02", {"kind": "ticket_no_show", "at": _at(day, "09:25"),
                               "ticket": t2, "counter": "L02"}),
    ]  # fmt: skip
    return [Logged(first_seq + i, day, actor, ev) for i, (actor, ev) in enumerate(rows)]


STORY_A = {  # the story's line A, worked out by hand
    "issued": 2,
    "called": 2,
    "served": 1,
    "no_show": 1,
    "waits": 2,
    "wait_median_s": 750.0,  # (600 + 900) / 2
    "wait_p90_s": 900.0,  # the 2nd smallest of 2 (nearest rank)
    "services": 1,
    "service_mean_s": 480.0,
}


@pytest.fixture
def conn(central_db: str):
    with psycopg.connect(central_db, autocommit=True) as c:
        register_buildings(c, [(BUILDING, "MPP Kota Contoh", "Kota Contoh")])
        yield c


def deliver(conn, events, building=BUILDING):
    return ingest_batch(conn, read_batch(batch_body(events, building)))


def count(conn, sql="SELECT count(*) FROM events") -> int:
    return conn.execute(sql).fetchone()[0]


def line_a(conn, day="2026-11-23") -> dict:
    figures = figures_of(conn, BUILDING, __import__("datetime").date.fromisoformat(day))
    return {k: figures["A"][k] for k in STORY_A} if "A" in figures else {}


def test_migrating_again_changes_nothing_and_a_newer_schema_is_refused(central_db):
    with psycopg.connect(central_db, autocommit=True) as c:
        assert migrate(c) == LATEST_VERSION
        assert count(c, "SELECT count(*) FROM schema_version") == LATEST_VERSION
        c.execute("INSERT INTO schema_version (version, why) VALUES (999, 'from the future')")
        with pytest.raises(SchemaTooNew, match="999"):
            migrate(c)


def test_a_day_is_stored_and_folded_into_the_report_figures(conn):
    result = deliver(conn, story())
    assert result.as_json() == {"stored": 8, "duplicates": 0, "contiguous_seq": 8}
    assert line_a(conn) == STORY_A
    # The citizen's page token never reaches central (the sender strips it; nothing here adds it).
    assert count(conn, "SELECT count(*) FROM events WHERE data ? 'token'") == 0


def test_the_same_batch_twice_changes_nothing(conn):
    deliver(conn, story())
    before = conn.execute("SELECT * FROM line_figures").fetchall()
    tickets = conn.execute("SELECT record FROM tickets ORDER BY ticket").fetchall()
    again = deliver(conn, story())
    assert again.as_json() == {"stored": 0, "duplicates": 8, "contiguous_seq": 8}
    assert count(conn) == 8
    assert conn.execute("SELECT * FROM line_figures").fetchall() == before
    assert conn.execute("SELECT record FROM tickets ORDER BY ticket").fetchall() == tickets
    # Overlapping batches too: seqs 5..8 again with nothing new.
    assert deliver(conn, story()[4:]).as_json()["duplicates"] == 4
    assert line_a(conn) == STORY_A


def test_a_later_batch_first_waits_for_the_earlier_one(conn):
    log = story()
    later = deliver(conn, log[4:])
    assert later.as_json() == {"stored": 4, "duplicates": 0, "contiguous_seq": 0}
    assert line_a(conn) == {}  # stored, not folded: nothing is counted out of order
    assert count(conn, "SELECT count(*) FROM tickets") == 0
    earlier = deliver(conn, log[:4])
    assert earlier.as_json() == {"stored": 4, "duplicates": 0, "contiguous_seq": 8}
    assert line_a(conn) == STORY_A


def test_a_gap_is_never_folded_until_it_is_filled(conn):
    log = story()
    deliver(conn, log[:3])  # two tickets issued, nobody called yet
    assert deliver(conn, log[4:]).contiguous_seq == 3  # seq 4 (the first call) is missing
    figures = line_a(conn)
    assert (figures["issued"], figures["called"], figures["served"]) == (2, 0, 0)
    assert deliver(conn, log[3:4]).contiguous_seq == 8
    assert line_a(conn) == STORY_A


def test_a_seq_sent_again_under_another_day_is_refused_and_nothing_is_stored(conn):
    deliver(conn, story())
    moved = [Logged(9, "2026-11-24", "system", {"kind": "day_closed",
                                                "at": _at("2026-11-24", "23:59"),
                                                "day": "2026-11-24"}),
             Logged(3, "2026-11-24", "kiosk:K1", story()[2].event)]  # fmt: skip
    with pytest.raises(SeqConflict, match="seq 3"):
        deliver(conn, moved)
    assert count(conn) == 8  # seq 9 of the refused batch was not kept either
    assert count(conn, "SELECT contiguous_seq FROM buildings") == 8


def test_a_seq_sent_again_with_another_event_is_refused_and_nothing_is_stored(conn):
    # A building store restored from a back-up numbers its new events from the back-up's last
    # seq: seq 3 comes again on the same day but is another ticket. Absorbing it as a duplicate
    # would lose the new ticket silently; central refuses it and keeps what it had.
    deliver(conn, story())
    before = conn.execute("SELECT * FROM line_figures").fetchall()
    reused = dict(story()[2].event, ticket="2026-11-23/A-003", number="A-003", seq=3,
                  at=_at("2026-11-23", "11:00"))  # fmt: skip
    again = [Logged(3, "2026-11-23", "kiosk:K1", reused),
             Logged(9, "2026-11-23", "system", {"kind": "day_closed",
                                                "at": _at("2026-11-23", "23:59"),
                                                "day": "2026-11-23"})]  # fmt: skip
    with pytest.raises(SeqConflict, match="seq 3"):
        deliver(conn, again)
    assert count(conn) == 8
    assert count(conn, "SELECT contiguous_seq FROM buildings") == 8
    assert conn.execute("SELECT * FROM line_figures").fetchall() == before
    # Only the data differing (same type and instant) is a conflict too.
    changed = dict(story()[1].event, line="B")
    with pytest.raises(SeqConflict, match="seq 2"):
        deliver(conn, [Logged(2, "2026-11-23", "kiosk:K1", changed)])
    # The same event again (a true re-send) is still a duplicate.
    assert deliver(conn, story()[1:3]).as_json()["duplicates"] == 2


def test_forget_after_takes_a_restored_store_s_new_events(conn, central_db, tmp_path, capsys):
    # The building's store is restored from a back-up whose last seq is 3; central has 1..8.
    # After `antre central forget-after --seq 3` the restored store's own seq 4.. are taken,
    # and the figures are those of what the restored store says happened.
    from centraltest import central_toml

    from server.central.cli import central_main

    deliver(conn, story())
    toml = central_toml(tmp_path, central_db)
    argv = ["forget-after", "--config", str(toml), "--building", BUILDING, "--seq", "3"]
    assert central_main(argv) == 0
    assert "5 events after seq 3 deleted" in capsys.readouterr().out
    assert count(conn) == 3
    figures = line_a(conn)  # two tickets issued, nobody called yet: by hand from seqs 1..3
    assert (figures["issued"], figures["called"], figures["served"]) == (2, 0, 0)
    restored = [
        Logged(4, "2026-11-23", "officer:DKP02@L02", story()[6].event),  # A-002 called
        Logged(5, "2026-11-23", "officer:DKP02@L02", story()[7].event),
    ]  # no-show
    assert deliver(conn, restored).as_json() == {"stored": 2, "duplicates": 0,
                                                 "contiguous_seq": 5}  # fmt: skip
    figures = line_a(conn)
    assert (figures["issued"], figures["called"], figures["no_show"], figures["served"]) == (
        2, 1, 1, 0)  # fmt: skip
    unknown = ["forget-after", "--config", str(toml), "--building", "mpp-x", "--seq", "3"]
    assert central_main(unknown) == 2


def test_partitions_by_month_across_a_month_boundary(conn):
    november = story("2026-11-30")
    december = story("2026-12-01", first_seq=9)
    deliver(conn, december)  # December first: its partition is made on demand
    deliver(conn, november)
    where = dict(
        conn.execute("SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1").fetchall()
    )
    assert where == {"events_2026_11": 8, "events_2026_12": 8}
    assert line_a(conn, "2026-11-30") == STORY_A
    assert line_a(conn, "2026-12-01") == STORY_A


def test_a_malformed_event_is_refused_before_anything_is_stored(conn):
    bad = story()
    bad[3] = Logged(4, bad[3].day, bad[3].actor, {**bad[3].event, "counter": None,
                                                   "reason": "not-a-reason"})  # fmt: skip
    with pytest.raises(BadBody, match=r"events\[3\]"):
        deliver(conn, bad)
    assert count(conn) == 0


def test_an_event_filed_under_a_later_day_is_not_counted_in_the_tickets_day(conn):
    """`antre report` replays one day's log: a ticket of 23 November cancelled by an event filed
    under the 24th is in neither day's figures (the 24th's replay has no such ticket)."""
    late = Logged(9, "2026-11-24", "manager:LANTAI", {
        "kind": "ticket_cancelled", "at": _at("2026-11-24", "08:00"),
        "ticket": "2026-11-23/A-002", "reason": "permintaan warga"})  # fmt: skip
    deliver(conn, [*story(), late])
    figures = figures_of(conn, BUILDING, __import__("datetime").date(2026, 11, 23))
    assert figures["A"]["cancelled"] == 0
    assert line_a(conn) == STORY_A
    assert line_a(conn, "2026-11-24") == {}


def test_the_local_postgresql_wants_its_password(postgres):
    # The tests' and the demo's PostgreSQL listens on 127.0.0.1: another user of the machine
    # must not get in as its superuser without the password kept beside its data (0600).
    import stat

    no_password = f"host=127.0.0.1 port={postgres.port} user=postgres dbname=postgres"
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(no_password, connect_timeout=10).close()
    assert stat.S_IMODE(postgres.password_file.stat().st_mode) == 0o600
    with psycopg.connect(postgres.dsn(), connect_timeout=10) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
