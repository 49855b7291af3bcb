"""Power loss: no client hears of a ticket before the fsync that puts it on the disk.

A SIGKILL (test_fault_crash.py) leaves the operating system's page cache intact, so it proves
that the server commits before it acknowledges, not that the commit reached the disk. A power
cut loses whatever was written but not yet synced. Short of cutting power to a VM, the promise
can be checked where it is kept: in the order of the server's system calls. The real
`antre server` runs under strace under load (two kiosks issuing and confirming, an officer
calling, a TV watching), and the trace must show, for every ticket id the server sends on any
socket (an ack, a broadcast to the TV, the floor or the officer), that the WAL write that first
carried that id had been followed by a completed fdatasync/fsync of the WAL before the send
began. What a disk does after a successful fsync (a lying write cache) is the hardware's part:
docs/operations.md asks for a disk that honours flushes.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from faultkit import (
    MONDAY_0900,
    Acks,
    Watcher,
    demo_hello,
    free_port,
    kiosk_loop,
    officer_loop,
    quick_client,
    serving,
    start_server,
)

pytestmark = pytest.mark.skipif(
    shutil.which("strace") is None, reason="strace is not installed (make system-deps installs it)"
)

TICKET_ID = re.compile(rb"\d{4}-\d\d-\d\d/[A-Z]-\d{3}")
# "PID  name(args...) = result", or its halves when another thread's call came in between:
# "PID  name(args... <unfinished ...>" then "PID  <... name resumed>...) = result".
CALL = re.compile(rb"^(\d+) +(?:<\.\.\. (\w+) resumed>(.*)|(\w+)\((.*))$")
SYNCS = {b"fsync", b"fdatasync"}
SENDS = {b"sendto", b"sendmsg"}


@dataclass
class Order:
    """What the trace shows, read in the order strace saw it."""

    wal_fds: set[int] = field(default_factory=set)
    written: set[bytes] = field(default_factory=set)  # ids in WAL writes not yet synced
    synced: set[bytes] = field(default_factory=set)  # ids in WAL writes followed by a sync
    sent: set[bytes] = field(default_factory=set)  # ids that went out on a socket
    sends_checked: int = 0
    wal_syncs: int = 0
    early: list[str] = field(default_factory=list)  # sends of an id not yet synced

    def entry(self, name: bytes, args: bytes) -> None:
        if name in SENDS:
            ids = set(TICKET_ID.findall(args))
            if ids:
                self.sends_checked += 1
                self.sent |= ids
                for ident in ids - self.synced:
                    self.early.append(ident.decode())

    def exit(self, name: bytes, args: bytes, result: bytes) -> None:
        fd = _first_int(args)
        if name == b"openat" and b'-wal"' in args and result.strip().isdigit():
            self.wal_fds.add(int(result))
        elif name == b"close" and fd in self.wal_fds:
            self.wal_fds.discard(fd)
        elif name == b"pwrite64" and fd in self.wal_fds:
            self.written |= set(TICKET_ID.findall(args)) - self.synced
        elif name in SYNCS and fd in self.wal_fds and result.strip() == b"0":
            self.wal_syncs += 1
            self.synced |= self.written
            self.written = set()


def _first_int(args: bytes) -> int | None:
    """The first argument when it is a number (a file descriptor): "7, ...", "7)", "7 <unf..."."""
    m = re.match(rb"\s*(\d+)\b", args)
    return int(m.group(1)) if m else None


def read_trace(path: Path) -> Order:
    order = Order()
    pending: dict[bytes, tuple[bytes, bytes]] = {}  # pid -> (call, its arguments)
    for line in path.read_bytes().splitlines():
        m = CALL.match(line)
        if m is None:
            continue  # signals, exits
        pid = m.group(1)
        if m.group(2) is not None:  # the second half of a call
            name, args = pending.pop(pid, (m.group(2), b""))
            tail = m.group(3)
            order.exit(name, args, tail.rpartition(b"= ")[2].split(b" ")[0])
            continue
        name, rest = m.group(4), m.group(5)
        if rest.endswith(b"<unfinished ...>"):
            pending[pid] = (name, rest)
            order.entry(name, rest)
            continue
        args, _eq, result = rest.rpartition(b"= ")
        order.entry(name, args)
        order.exit(name, args, result.split(b" ")[0])
    return order


async def _load(port: int, acks: Acks, tickets: int, calls: int) -> None:
    """Work until `tickets` tickets and `calls` calls are acknowledged: a count, not a time, as
    a server under strace on a busy machine may be slow to answer at all."""
    url = f"ws://127.0.0.1:{port}/ws"
    kiosks = [quick_client(url, demo_hello(k)) for k in ("KIOSK-1", "KIOSK-2")]
    officer = quick_client(url, demo_hello("DKP01@L01"))
    tv = Watcher(url, demo_hello("TV-1"))
    clients = [*kiosks, officer, tv.client]
    await asyncio.gather(*(c.connect(timeout=60) for c in clients))
    stop = asyncio.Event()
    load = [asyncio.create_task(kiosk_loop(k, acks, stop)) for k in kiosks]
    load.append(asyncio.create_task(officer_loop(officer, "L01", acks, stop)))
    await serving(acks, 1, tickets=tickets, calls=calls)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*load), 60)
    for c in clients:
        await c.close()


def test_every_ticket_a_client_hears_of_was_synced_to_disk_first(tmp_path: Path) -> None:
    db, log, trace = tmp_path / "antre.db", tmp_path / "server.log", tmp_path / "trace"
    port = free_port()
    strace = ["strace", "-f", "-qq", "--seccomp-bpf", "-s", "65536", "-o", str(trace)]
    strace += ["-e", "trace=openat,close,pwrite64,fsync,fdatasync,sendto,sendmsg"]
    proc = start_server(db, port, MONDAY_0900, log, wrap=strace)
    acks = Acks()
    try:
        # About what three seconds gave on an idle machine.
        asyncio.run(asyncio.wait_for(_load(port, acks, tickets=80, calls=15), 180))
    finally:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        for child in children:  # the server itself: SIGTERM to strace would only detach it
            subprocess.run(["kill", "-TERM", child], check=False)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            raise

    order = read_trace(trace)
    issued = {t.encode() for t in acks.issued}
    print(
        f"{len(issued)} tickets acknowledged, {len(acks.calls)} calls; {order.sends_checked} "
        f"socket sends naming {len(order.sent)} tickets checked against {order.wal_syncs} WAL "
        "syncs"
    )
    assert len(issued) >= 80 and len(acks.calls) >= 15, "too little load to prove anything"
    assert order.wal_fds or order.wal_syncs, "the trace shows no WAL: did strace follow the server?"
    # Every acknowledged ticket went out on a socket (its ack at least), so each was checked.
    assert issued <= order.sent, sorted(issued - order.sent)[:5]
    assert not order.early, f"sent before its WAL write was synced: {order.early[:5]}"


def test_the_check_catches_a_send_before_the_sync(tmp_path: Path) -> None:
    """The reading of the trace, on a hand-made one: a send between write and sync is caught."""
    trace = tmp_path / "trace"
    ack = r'"\201~\0\326{\"type\":\"ok\",\"ticket\":{\"id\":\"2026-11-23/A-001\"}}", 40, 0, NULL, 0'
    trace.write_bytes(
        b"\n".join(
            line.encode()
            for line in (
                '10  openat(AT_FDCWD, "/x/antre.db-wal", O_RDWR|O_CREAT, 0644) = 7',
                '10  pwrite64(7, "\\0\\0002026-11-23/A-001\\0", 4096, 32 <unfinished ...>',
                f"11  sendto(12, {ack}) = 40",
                "10  <... pwrite64 resumed>) = 4096",
                "10  fdatasync(7 <unfinished ...>",
                f"11  sendto(13, {ack}) = 40",  # the sync has begun, not ended: still early
                "10  <... fdatasync resumed>) = 0",
                f"11  sendto(14, {ack}) = 40",  # now it is on the disk
            )
        )
        + b"\n"
    )
    order = read_trace(trace)
    assert order.wal_syncs == 1
    assert order.sends_checked == 3
    assert order.early == ["2026-11-23/A-001", "2026-11-23/A-001"]
    assert order.sent == {b"2026-11-23/A-001"}
