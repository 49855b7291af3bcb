"""The server's own ticker (`_tick` in server/app.py) moves the queue with time, unasked.

Every other in-process server runs with the ticker off and tests send `Tick` by hand; here a
real server ticks every 10 ms against a fake clock that the test moves, and nothing but the
ticker tells the core the time has passed. The numbers come from the building file's policy as
docs/configuration.md documents it: a printing reservation expires after `printing_timeout_s`
(120 s); waiting tickets expire `closing_grace_min` (60 min) after closing (16:00 on a Monday);
a day closes at local midnight, its `day_closed` stamped at the day's last instant.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from hubtest import MONDAY_9AM, WIB, FakeClock, Raw, Server, hello_for, until

TICKER_TASK = "antre-ticker"  # the name server/app.py gives the ticker's task


class TickerClock(FakeClock):
    """A fake clock that counts the times the ticker's own task read it: proof the loop ran."""

    def __init__(self, now: datetime = MONDAY_9AM) -> None:
        super().__init__(now)
        self.ticker_reads = 0

    def __call__(self) -> datetime:
        try:
            task = asyncio.current_task()
        except RuntimeError:  # not on the loop (a worker thread)
            task = None
        if task is not None and task.get_name() == TICKER_TASK:
            self.ticker_reads += 1
        return self.now

    async def ticked(self) -> None:
        """Wait until the ticker has read the clock (so ticked) at least once from now on."""
        seen = self.ticker_reads
        await until(lambda: self.ticker_reads > seen, "the ticker ticked")


@pytest.fixture
def clock() -> TickerClock:
    return TickerClock()


async def _event(raw: Raw, kind: str, timeout: float = 20) -> dict[str, Any]:
    """The next event of this kind the session hears."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                msg = await raw.expect("event", timeout=timeout)
                if msg["event"]["kind"] == kind:
                    return msg["event"]
    except TimeoutError:
        raise AssertionError(f"never heard {kind}") from None


async def _ticket_states(floor: Raw) -> dict[str, str]:
    """Today's tickets by number, from the floor's snapshot (taken once no command is in flight)."""
    snap = await floor.reply({"type": "snapshot", "id": "states"})
    return {t["number"]: t["state"] for t in snap["tickets"]}


async def _quota_left(floor: Raw, prefix: str) -> int:
    reply = await floor.reply({"type": "list_lines", "id": "quota"})
    return next(ln for ln in reply["lines"] if ln["prefix"] == prefix)["quota_left_walk_in"]


async def test_the_ticker_expires_a_reservation_the_printer_never_took(
    start_server, clock: TickerClock
) -> None:
    """A ticket left `printing` expires 120 s after issue — not at 119 s — by the ticker alone:
    the floor, the TV and its kiosk hear `ticket_expired`, and its quota place is free again."""
    server: Server = await start_server(tick_s=0.01)
    floor = await server.raw(hello_for("LANTAI"))
    tv = await server.raw(hello_for("TV-1"))
    kiosk = await server.raw(hello_for("KIOSK-1"))
    quota = await _quota_left(floor, "A")

    issued = await kiosk.reply(
        {"type": "issue_ticket", "id": 1, "request_id": "t1", "line": "A", "priority": None}
    )
    ticket = issued["ticket"]
    assert (ticket["number"], ticket["state"]) == ("A-001", "printing")
    assert await _quota_left(floor, "A") == quota - 1

    clock.advance(119)
    await clock.ticked()
    assert await _ticket_states(floor) == {"A-001": "printing"}

    clock.advance(1)
    expired = await _event(floor, "ticket_expired")
    assert expired["ticket"] == ticket["id"]
    assert expired["reason"] == "printing_timeout"
    assert expired["at"] == "2026-11-23T09:02:00+07:00"
    assert await _ticket_states(floor) == {"A-001": "expired"}
    assert await _quota_left(floor, "A") == quota
    on_tv = await _event(tv, "ticket_expired")
    assert on_tv == {
        "kind": "ticket_expired",
        "at": "2026-11-23T09:02:00+07:00",
        "ticket": ticket["id"],
        "reason": "printing_timeout",
    }
    assert (await _event(kiosk, "ticket_expired"))["ticket"] == ticket["id"]


async def test_the_ticker_expires_the_waiting_after_closing_and_closes_the_day(
    start_server, clock: TickerClock
) -> None:
    """At 17:00 (closing 16:00 + 60 min) a waiting ticket expires `closing`; past midnight the
    ticker closes the day: the counter closes, the officer is logged out, and every client hears
    `day_closed` of 23 November, stamped at its last instant."""
    server: Server = await start_server(tick_s=0.01)
    officer = await server.officer_at_work("DKP01@L01")
    kiosk = await server.raw(hello_for("KIOSK-1"))
    issued = await kiosk.reply(
        {"type": "issue_ticket", "id": 1, "request_id": "t1", "line": "A", "priority": None}
    )
    ticket = issued["ticket"]["id"]
    await kiosk.reply({"type": "confirm_printed", "id": 2, "request_id": "t2", "ticket": ticket})
    floor = await server.raw(hello_for("LANTAI"))
    tv = await server.raw(hello_for("TV-1"))
    del officer  # at work at L01; nothing more from it

    clock.now = datetime(2026, 11, 23, 16, 59, 59, tzinfo=WIB)
    await clock.ticked()
    assert await _ticket_states(floor) == {"A-001": "waiting"}
    clock.now = datetime(2026, 11, 23, 17, 0, 0, tzinfo=WIB)
    expired = await _event(floor, "ticket_expired")
    assert (expired["ticket"], expired["reason"]) == (ticket, "closing")

    clock.now = datetime(2026, 11, 24, 0, 0, 1, tzinfo=WIB)
    day_end = "2026-11-23T23:59:59.999999+07:00"
    closing = []
    while not closing or closing[-1]["kind"] != "day_closed":
        closing.append((await floor.expect("event"))["event"])
    assert [(e["kind"], e.get("counter")) for e in closing] == [
        ("counter_closed", "L01"),
        ("officer_logged_out", "L01"),
        ("day_closed", None),
    ]
    assert all(e["at"] == day_end for e in closing)
    assert closing[-1]["day"] == "2026-11-23"
    for raw in (tv, kiosk):
        heard = await _event(raw, "day_closed")
        assert heard == {"kind": "day_closed", "at": day_end, "day": "2026-11-23"}
    # A client arriving now is on the new day.
    late = await server.raw(hello_for("TV-2"))
    assert late.welcome is not None and late.welcome["day"] == "2026-11-24"
