"""Waiting from anywhere: a peak morning with 2,000 phone pages open; call → the called phone.

Antre: the demo building with every counter staffed (`bench.building.day_building`) in its own
process, its clock at 07:30 on a Monday. 20 kiosks issue 2,000 tickets over the 21 lines in turn;
then 2,000 phone pages (role `ticket`, each with its own ticket's token, as the QR code opens
it) connect and sync, three TVs watch, and the 31 counters are at work. Counters then call in
turn at a steady rate, each call followed a second later (the citizen walks up) by start and
finish as at a real counter: every call
reaches the called citizen's phone (its own event, pushed at once), the TVs, and — paced — the
people-ahead figure of every other phone of that line. The latency of one call is from just
before its `call_next` is sent to the moment the called ticket's phone has its first frame that
says `"state":"called"`.

Baseline: `bench.bare` (a bare websockets relay, `websockets.broadcast`) with the same number of
clients connected; a sender sends one frame per "call" at the same rate, of the same size as
the called phone's frame, which the relay fans out to every client. Two figures: from send to
the receipt by one designated client (the "called phone": client i for call i), and by the last
client. Read by the same reader code as Antre's phones.

Memory: the server's resident set (VmRSS from /proc) just before the phones connect and with all
of them connected, and its peak (VmHWM) at the end: what 2,000 phone pages cost the server.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import websockets

from bench.building import day_building
from bench.common import DisplayReader, Quantiles, gather_limited, quantiles
from bench.fanout import _no_gc_pauses
from bench.serverproc import ServerProcess, fresh_db
from server import protocol as p
from server.client import AntreClient

__all__ = ["PhoneReader", "PhonesResult", "run_phones"]

MONDAY_0730 = datetime.fromisoformat("2026-11-23T07:30:00+07:00")
_CALLED = b'"state":"called"'


@dataclass(frozen=True)
class PhonesResult:
    phones: int
    tvs: int
    counters: int
    calls: int
    rate_per_s: float
    antre: Quantiles  # call -> the called ticket's phone
    bare_one: Quantiles  # bare broadcast -> the designated client
    bare_last: Quantiles  # bare broadcast -> the last of all clients
    frame_bytes: int  # the called phone's frame, as the baseline pads its own to
    missing: int  # calls whose phone never said "called": must be 0
    frames_per_call: float  # ticket frames all phones received, per call (paced pushes included)
    rss_before_mib: float  # the server with the tickets, counters and TVs, no phone yet
    rss_phones_mib: float  # ... with every phone connected
    peak_rss_mib: float  # VmHWM over the whole run

    @property
    def kib_per_phone(self) -> float:
        return (self.rss_phones_mib - self.rss_before_mib) * 1024 / max(1, self.phones)


class PhoneReader(DisplayReader):
    """A phone page: hello with its ticket's token, then every `ticket` frame; notes when its
    ticket was first said to be called (`seen[number]`). As a baseline client (no hello), the
    frames are the bare relay's, each naming a call in `ticket.number`."""

    def on_text(self, payload: bytes, now: float, wire: object) -> None:
        synced = wire.synced  # type: ignore[attr-defined]
        if not synced.done():
            super().on_text(payload, now, wire)  # type: ignore[arg-type]
            return
        self.frames += 1
        if _CALLED in payload:
            ident = json.loads(payload)["ticket"]["number"]
            if ident not in self.seen:
                self.seen[ident] = now
                self.frame_bytes = len(payload)


async def _antre(
    url: str, phones: int, tvs: int, calls: int, rate: float, server: ServerProcess, walk_s: float
) -> tuple[Quantiles, int, int, float, float, float]:
    bb = day_building()
    lines = [line.prefix for line in bb.building.lines]
    kiosks = [
        AntreClient(url, p.hello_kiosk(t), heartbeat_s=None, request_timeout_s=60)
        for t in bb.kiosks.values()
    ]
    await asyncio.gather(*(k.connect(timeout=60) for k in kiosks))
    issued: list[dict] = []

    async def fill(k: int, kiosk: AntreClient) -> None:
        for i in range(k, phones, len(kiosks)):
            ticket = await kiosk.issue_ticket(lines[i % len(lines)])
            await kiosk.confirm_printed(ticket["id"])
            issued.append(ticket)

    await asyncio.gather(*(fill(k, kiosk) for k, kiosk in enumerate(kiosks)))

    async def officer(cid: str, oid: str, pin: str) -> AntreClient:
        c = AntreClient(url, p.hello_officer(cid, oid, pin), heartbeat_s=None, request_timeout_s=60)
        await c.connect(timeout=60)
        await c.act("login")
        await c.act("open_counter")
        return c

    officers = await gather_limited(
        [lambda c=cid, s=seat: officer(c, *s) for cid, seat in bb.officers.items()], 20
    )
    screens = [DisplayReader(url, p.hello_display(t)) for t in list(bb.displays.values())[:tvs]]
    await asyncio.gather(*(r.connect() for r in screens))
    await asyncio.sleep(1.0)
    rss_before = server.rss_mib()
    readers = [PhoneReader(url, p.hello_ticket(t["token"])) for t in issued]
    await gather_limited([r.connect for r in readers], 50)
    await asyncio.sleep(2.0)  # the connect storm's paced pushes drain
    rss_phones = server.rss_mib()
    phone_of = {t["number"]: r for t, r in zip(issued, readers, strict=True)}
    frames_before = sum(r.frames for r in readers)

    sent: dict[str, float] = {}

    async def cycle(c: AntreClient) -> None:
        t0 = time.perf_counter()
        reply = await c.act("call_next")
        sent[reply["ticket"]["number"]] = t0
        await asyncio.sleep(walk_s)  # a called state that lasts: a citizen walking up
        await c.act("start_service")
        await c.act("finish_service")

    cycles: list[asyncio.Task[None]] = []
    with _no_gc_pauses():
        start = time.perf_counter()
        for i in range(calls):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            cycles.append(asyncio.create_task(cycle(officers[i % len(officers)])))
        await asyncio.gather(*cycles)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(n not in phone_of[n].seen for n in sent):
        await asyncio.sleep(0.1)
    latencies = [phone_of[n].seen[n] - t0 for n, t0 in sent.items() if n in phone_of[n].seen]
    missing = len(sent) - len(latencies)
    frame_bytes = max((phone_of[n].frame_bytes for n in sent), default=0)
    frames = sum(r.frames for r in readers) - frames_before
    for c in [*officers, *kiosks]:
        await c.close()
    await asyncio.gather(*(r.close() for r in [*readers, *screens]))
    return (
        quantiles(latencies),
        frame_bytes,
        missing,
        frames / max(1, len(sent)),
        rss_before,
        rss_phones,
    )


async def _bare(
    url: str, clients: int, calls: int, rate: float, frame_bytes: int
) -> tuple[Quantiles, Quantiles]:
    readers = [PhoneReader(url, None) for _ in range(clients)]
    await gather_limited([r.connect for r in readers], 50)
    sender = await websockets.connect(url, compression=None)
    await asyncio.sleep(0.5)
    sent: dict[str, float] = {}

    def frame(key: str) -> str:
        body = {"type": "ticket", "ticket": {"number": key, "state": "called", "pad": ""}}
        pad = max(0, frame_bytes - len(json.dumps(body, separators=(",", ":"))))
        body["ticket"]["pad"] = "x" * pad
        return json.dumps(body, separators=(",", ":"))

    with _no_gc_pauses():
        start = time.perf_counter()
        for i in range(calls):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            key = f"call-{i}"
            sent[key] = time.perf_counter()
            await sender.send(frame(key))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(len(r.seen) < len(sent) for r in readers):
        await asyncio.sleep(0.1)
    one, last = [], []
    for i, (key, t0) in enumerate(sent.items()):
        designated = readers[i % len(readers)]
        if key in designated.seen:
            one.append(designated.seen[key] - t0)
        arrivals = [r.seen[key] for r in readers if key in r.seen]
        if len(arrivals) == len(readers):
            last.append(max(arrivals) - t0)
    await sender.close()
    await asyncio.gather(*(r.close() for r in readers))
    return quantiles(one), quantiles(last)


def run_phones(
    folder: Path,
    phones: int = 2000,
    tvs: int = 3,
    calls: int = 200,
    rate: float = 5.0,
    walk_s: float = 1.0,
) -> PhonesResult:
    server = ServerProcess("day", fresh_db(folder / "phones.db"), clock=MONDAY_0730).start()
    try:
        antre, frame_bytes, missing, per_call, before, with_phones = asyncio.run(
            _antre(server.url, phones, tvs, calls, rate, server, walk_s)
        )
        peak = server.peak_rss_mib()
    finally:
        server.stop()
    bare_proc = ServerProcess(
        "bare", folder / "bare-phones.db", command=[sys.executable, "-m", "bench.bare"]
    ).start()
    try:
        one, last = asyncio.run(_bare(bare_proc.url, phones, calls, rate, frame_bytes))
    finally:
        bare_proc.stop()
    counters = len(day_building().officers)
    return PhonesResult(
        phones,
        tvs,
        counters,
        calls,
        rate,
        antre,
        one,
        last,
        frame_bytes,
        missing,
        per_call,
        before,
        with_phones,
        peak,
    )
