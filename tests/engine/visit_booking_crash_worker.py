"""A visit booked online, then checked in, on one database, for the SIGKILL test.

Usage: python tests/engine/visit_booking_crash_worker.py DB_PATH PHASE

The demo building; the clock stands still. PHASE "book" (Friday 2026-12-04 10:00 WIB) books the
visit "Kartu Keluarga (B) 09:30, then BPJS Kesehatan (J)" for Monday 7 December through
`BookingsApi.book_visit`; PHASE "check_in" (Monday 09:10) checks its lead in at a kiosk. One line
is printed (and flushed) only after the call returned, that is after the commit, then the
process waits to be killed:

    BOOKED <lead code> <member code> <lead token>
    CHECKED <ticket id> <visit id>
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date, datetime, time

from server.bookings_api import BookingsApi
from server.config import load_demo_building
from server.core.calendar import at_local
from server.core.model import CheckIn
from server.engine import Engine

MONDAY = date(2026, 12, 7)


def say(*words: object) -> None:
    sys.stdout.write(" ".join(map(str, words)) + "\n")
    sys.stdout.flush()


async def main(db_path: str, phase: str) -> None:
    building = load_demo_building()
    if phase == "book":
        now = at_local(building, date(2026, 12, 4), time(10, 0))
    else:
        now = at_local(building, MONDAY, time(9, 10))

    def clock() -> datetime:
        return now

    engine = Engine(building, db_path, clock=clock)
    await engine.start()
    if phase == "book":
        view = await BookingsApi(engine).book_visit(
            ["B", "J"],
            MONDAY,
            time(9, 30),
            name="Siti Aminah",
            phone="0812 3456 7890",
            nik="3171012301900001",
        )
        member = engine.state.bookings.members[view.code][0]
        say("BOOKED", view.code, member, view.token)
    else:
        lead = next(iter(engine.state.bookings.members))
        stored = await engine.execute(CheckIn(lead, "KIOSK-1", "tt-crash"), "kiosk:KIOSK-1")
        issued = stored[0].event
        say("CHECKED", issued.ticket, issued.visit)  # type: ignore[attr-defined]
    await asyncio.Event().wait()  # killed here


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
