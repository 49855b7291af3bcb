"""`antre simulate --live`'s driver against a real server: the day's clients as the real ones.

The kiosks and counters of `drive_day` are `AntreClient`s on a real websocket server (the hub
fixture: demo building, temporary SQLite store, a clock frozen at 09:00 on a Monday). The plan
is played at 36,000× (an hour in a tenth of a second), so a 60-ticket day takes about a second of
the driver's pacing; what the report says must be what the store holds.
"""

from __future__ import annotations

import sqlite3

from hubtest import Server, demo_building, demo_credentials

from server.simulate.day import SimParams, plan_day
from server.simulate.live import demo_seats, drive_day


async def test_a_driven_day_is_issued_called_and_ended_on_the_server(server: Server) -> None:
    """Every planned ticket is issued, printed and called once; the store agrees with the acks."""
    building = demo_building()
    plan = plan_day(building, 7, SimParams(tickets=60))
    seats = demo_seats(building, demo_credentials())
    assert seats.kiosks and len(seats.officers) >= 10  # the demo's officers, one seat each

    report = await drive_day(server.url, plan, seats, speed=36_000)

    assert len(report.issued) == 60 and report.confirmed == set(report.issued)
    called = [t for t, _c in report.calls]
    assert sorted(called) == sorted(report.issued)  # each ticket called exactly once
    assert report.served + report.no_shows == 60
    assert report.no_shows == sum(1 for pt in plan.tickets if pt.no_show)
    assert "0 never called" in report.summary()

    db = sqlite3.connect(server.engine.db_path)
    try:
        states = dict(db.execute("SELECT state, COUNT(*) FROM tickets GROUP BY state").fetchall())
        calls = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'ticket_called'").fetchone()
    finally:
        db.close()
    expected = {"done": report.served, "no_show": report.no_shows}
    assert states == {state: n for state, n in expected.items() if n}
    assert calls[0] == 60
