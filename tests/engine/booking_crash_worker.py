"""Citizens booking at once on one database, for the SIGKILL test: one line per acknowledged result.

Usage: python tests/engine/booking_crash_worker.py DB_PATH CLOCK_EPOCH SEED

The clock reads 06.30 WIB on Monday 2026-11-23 at CLOCK_EPOCH and runs with real time after it.
Twelve citizen tasks book Tuesday's first three slots of line A (two places each: six places in
all) through `BookingsApi`, and cancel some of their bookings again, all concurrently, so that
the writer has bookings in flight when the test kills the process. A line is printed (and
flushed) only after the call returned, that is after the commit:

    STARTED <last_seq>
    BOOKED <code> <slot>
    CANCELLED <code>
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time

# Run by path, so this file's folder is on sys.path and mpp_uji imports as a top-level module.
from mpp_uji import WIB, booking_building

from server.bookings_api import BookingsApi, BookingView
from server.core.model import DomainError
from server.engine import Engine

MORNING = datetime(2026, 11, 23, 6, 30, tzinfo=WIB)
TUESDAY = date(2026, 11, 24)
SLOTS = (clock_time(7, 30), clock_time(8, 30), clock_time(9, 30))


def say(*words: object) -> None:
    # One write per line, flushed at once: a line in the pipe is a result acknowledged on disk.
    sys.stdout.write(" ".join(map(str, words)) + "\n")
    sys.stdout.flush()


async def citizen(api: BookingsApi, rng: random.Random, who: str, mine: list[BookingView]) -> None:
    n = 0
    while True:
        n += 1
        if mine and rng.random() < 0.4:
            view = mine.pop(rng.randrange(len(mine)))
            await api.cancel(view.token)
            say("CANCELLED", view.code)
            continue
        slot = rng.choice(SLOTS)
        try:
            view = await api.book(
                "A",
                TUESDAY,
                slot,
                name=f"Warga {who}",
                phone=f"0812{rng.randrange(10**7):07d}",
                # Jakarta Pusat, a random date of birth and serial: a NIK of the right form.
                nik=f"317101{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}"
                f"{rng.randrange(100):02d}{rng.randint(1, 9999):04d}",
            )
        except DomainError as refused:
            if refused.code != "slot_full":
                raise
            await asyncio.sleep(0.001)  # all six places taken: wait for a cancellation
            continue
        mine.append(view)
        say("BOOKED", view.code, slot.isoformat(timespec="minutes"))


async def main(db_path: str, epoch: float, seed: int) -> None:
    def clock() -> datetime:
        return MORNING + timedelta(seconds=time.time() - epoch)

    engine = Engine(booking_building(), db_path, clock=clock)
    await engine.start()
    say("STARTED", engine.last_seq)
    api = BookingsApi(engine)
    rng = random.Random(seed)
    # The bookings the killed workers left are dealt out again: someone may cancel them, or
    # every place would stay taken for ever.
    left: list[list[BookingView]] = [[] for _ in range(12)]
    for i, booking in enumerate(engine.state.bookings.by_code.values()):
        view = await api.booking(booking.token)
        if view is not None and view.can_cancel:
            left[i % 12].append(view)
    await asyncio.gather(
        *(
            citizen(api, random.Random(rng.randrange(2**32)), f"{seed}-{i}", left[i])
            for i in range(12)
        )
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3])))
