"""A visit's next stop is queued exactly once, whatever instant the real server is killed at.

Issue 22: finishing a visit's stop and queuing its next stop are the events of ONE command, hence
of one commit (docs/reliability.md, "A visit's hand-on is exactly once"). A real `antre server`
process (the demo building: B, Kartu Keluarga at L04, then J, BPJS Kesehatan at L14) is killed
with SIGKILL

1. right after it acknowledged `finish_service` of a visit's first stop: it restarts with J's
   ticket queued once, the itinerary as it was (a second restart replays the same), and L14
   calls that ticket;
2. in a loop, at a random instant while a stop is being finished (the request sent, its reply
   not yet in): the officer's client resends the same request after the restart (as the console
   does), and each visit ends with its first stop done and exactly one ticket of J — never none,
   never two.

The instants come from the `rng` fixture (tests/conftest.py): a failure names its seed, and
`ANTRE_TEST_SEED` draws them again.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

from faultkit import MONDAY_0900, demo_hello, free_port, quick_client, start_server, stop_server

from server.client import AntreClient

KILLS = int(os.environ.get("ANTRE_FAULT_KILLS", "6"))


def visit_rows(db: Path, visit: str) -> list[tuple[str, str, str, int]]:
    """(number, line, state, stop) of each ticket row of a visit, in stop order."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT number, line, state, stop FROM tickets WHERE visit = ? ORDER BY stop",
            (visit,),
        ).fetchall()
    finally:
        con.close()


def hand_ons(db: Path, visit: str) -> list[dict[str, Any]]:
    """The visit_handed_on events of a visit in the log."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT payload FROM events WHERE kind = 'visit_handed_on' ORDER BY seq"
        ).fetchall()
    finally:
        con.close()
    return [e for e in (json.loads(r[0]) for r in rows) if e["visit"] == visit]


def stops(view: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(s["line"], s["state"], s["number"]) for s in view["stops"]]


class Building:
    """The real server and the clients of one run: a kiosk, Dukcapil at L04, the floor."""

    def __init__(self, tmp_path: Path) -> None:
        self.db, self.log = tmp_path / "antre.db", tmp_path / "server.log"
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}/ws"
        self.lives = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.clients: list[AntreClient] = []

    async def start(self) -> None:
        # Each life's clock starts later than the last ended, as a real clock would.
        clock = MONDAY_0900 + timedelta(minutes=2 * self.lives)
        self.proc = await asyncio.to_thread(start_server, self.db, self.port, clock, self.log)
        self.lives += 1

    async def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        await asyncio.to_thread(self.proc.wait)

    async def client(self, who: str) -> AntreClient:
        c = quick_client(self.url, demo_hello(who))
        self.clients.append(c)
        await c.connect(timeout=30)
        return c

    async def close(self) -> None:
        for c in self.clients:
            await c.close()
        if self.proc is not None:
            await stop_server(self.proc)


async def _first_stop_served(kiosk: AntreClient, dukcapil: AntreClient) -> dict[str, Any]:
    """A visit B then J, printed, its B ticket called and being served at L04."""
    issued = await kiosk.request("issue_visit", lines=["B", "J"])
    await kiosk.confirm_printed(issued["ticket"]["id"])
    called = await dukcapil.act("call_next")
    assert called["ticket"]["id"] == issued["ticket"]["id"]
    await dukcapil.act("start_service")
    return issued


async def _killed_after_the_ack(tmp_path: Path) -> None:
    run = Building(tmp_path)
    await run.start()
    try:
        kiosk = await run.client("KIOSK-1")
        dukcapil = await run.client("DKP01@L04")
        await dukcapil.act("login")
        await dukcapil.act("open_counter")
        issued = await _first_stop_served(kiosk, dukcapil)
        visit = issued["visit"]["id"]
        finished = await dukcapil.act("finish_service")
        await run.kill()  # the very next thing after the acknowledgement
        handed = next(
            e["event"] for e in finished["events"] if e["event"]["kind"] == "visit_handed_on"
        )
        assert handed["number"] == "J-001"

        # On disk: B done, J-001 queued once, as the visit's second stop.
        assert visit_rows(run.db, visit) == [
            ("B-001", "B", "done", 0),
            ("J-001", "J", "waiting", 1),
        ]
        assert len(hand_ons(run.db, visit)) == 1

        await run.start()
        floor = await run.client("LANTAI")
        expected = [
            ("B", "done", "B-001"),
            ("J", "waiting", "J-001"),
        ]
        after = (await floor.request("visit", ticket="B-001"))["visit"]
        assert stops(after) == expected and after["current"] == 1
        assert after["id"] == visit
        # A second life replays the same itinerary.
        assert run.proc is not None
        await stop_server(run.proc)
        await run.start()
        again = (await floor.request("visit", ticket="J-001"))["visit"]
        assert again == after
        bpjs = await run.client("BKS01@L14")
        await bpjs.act("login")
        await bpjs.act("open_counter")
        called = await bpjs.act("call_next")
        assert called["ticket"]["number"] == "J-001"
        assert called["ticket"]["visit"]["stop"] == 1
    finally:
        await run.close()


async def _killed_while_finishing(tmp_path: Path, rng: random.Random) -> None:
    run = Building(tmp_path)
    await run.start()
    try:
        kiosk = await run.client("KIOSK-1")
        dukcapil = await run.client("DKP01@L04")
        floor = await run.client("LANTAI")
        await dukcapil.act("login")
        await dukcapil.act("open_counter")
        before_ack = 0
        for _ in range(KILLS):
            issued = await _first_stop_served(kiosk, dukcapil)
            visit = issued["visit"]["id"]
            number = issued["ticket"]["number"]
            finishing = asyncio.create_task(dukcapil.act("finish_service"))
            # A finish takes a few milliseconds here: most kills land before its reply.
            await asyncio.sleep(rng.uniform(0, 0.01))
            before_ack += not finishing.done()
            await run.kill()
            await run.start()
            # The console resends its request (same request id) once back: done at most once.
            finished = await asyncio.wait_for(finishing, 60)
            kinds = [e["event"]["kind"] for e in finished["events"]]
            assert kinds == [
                "service_finished",
                "visit_handed_on",
                "ticket_issued",
                "ticket_printed",
            ]
            rows = visit_rows(run.db, visit)
            assert [(r[1], r[2]) for r in rows] == [("B", "done"), ("J", "waiting")], rows
            assert rows[0][0] == number
            assert len(hand_ons(run.db, visit)) == 1
            view = (await floor.request("visit", ticket=visit_ticket(issued)))["visit"]
            assert stops(view) == [("B", "done", number), ("J", "waiting", rows[1][0])]
        print(f"{before_ack} of {KILLS} kills landed before the finish was acknowledged")
    finally:
        await run.close()


def visit_ticket(issued: dict[str, Any]) -> str:
    return issued["ticket"]["id"]


def test_killed_right_after_finishing_a_stop_the_next_is_queued_once(tmp_path: Path) -> None:
    asyncio.run(_killed_after_the_ack(tmp_path))


def test_killed_at_random_while_finishing_a_stop_each_next_stop_is_queued_once(
    tmp_path: Path, rng: random.Random
) -> None:
    asyncio.run(_killed_while_finishing(tmp_path, rng))
