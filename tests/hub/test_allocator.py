"""server.allocator: with its thresholds, asyncio-sized socket reads stop costing an mmap each.

Each case runs in a fresh Python process (the setting is process-wide, and the effect depends
on the process's heap), under strace (installed by scripts/system-deps.sh), and counts the
munmap calls made while reading 2,000 small messages with `recv(256 KiB)`, as asyncio's selector
transport reads. Without the setting every read maps and unmaps its buffer: that is the cost
the server and the bench's readers paid (docs/benchmarks.md, "The 256 KiB read").
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

READS = 2000

_READER = f"""
import socket, sys
from server.allocator import tune_for_socket_reads
if sys.argv[1] == "tuned":
    assert tune_for_socket_reads(), "mallopt refused"
a, b = socket.socketpair()
for _ in range({READS}):
    a.send(b"x" * 200)
    assert len(b.recv(256 * 1024)) == 200  # asyncio's _SelectorSocketTransport.max_size
"""


def munmaps(mode: str, tmp_path: Path) -> int:
    out = tmp_path / f"{mode}.strace"
    subprocess.run(
        ["strace", "-f", "-c", "-e", "trace=munmap", "-o", str(out),
         sys.executable, "-c", _READER, mode],
        check=True, cwd=Path(__file__).resolve().parents[2], timeout=60,
    )  # fmt: skip
    match = re.search(
        r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?munmap$", out.read_text(), re.M
    )
    return int(match.group(1)) if match else 0


def test_reads_map_memory_each_time_by_default_and_not_with_the_thresholds(tmp_path: Path) -> None:
    assert munmaps("default", tmp_path) >= READS // 2  # the cost is real on this system
    assert munmaps("tuned", tmp_path) < 20  # start-up and exit only
