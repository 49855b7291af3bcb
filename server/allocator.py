"""glibc's allocator, set for asyncio's socket reads (Linux; elsewhere nothing changes).

asyncio's selector transport reads every socket with `sock.recv(256 KiB)`: CPython allocates a
256 KiB bytes object, the kernel fills the few hundred bytes that arrived, and the object is
shrunk. 256 KiB is above glibc's initial mmap threshold (128 KiB), and the shrunk block is too
small to raise that threshold when freed, so in some processes every read becomes an mmap, a
page fault, an mremap and a munmap (CPython issue #85451). Measured on the bench machine: a
200-byte TCP read took 25 µs with a 256 KiB buffer against 8 µs with a 4 KiB one; with the
thresholds below, 8.5 µs. The server reads one such frame per kiosk or officer request, and
the bench's 500 TV readers one per frame they receive (docs/benchmarks.md, "The 256 KiB read").

Fixing the thresholds (which also turns off glibc's dynamic adjustment) keeps these buffers on
the heap: `M_MMAP_THRESHOLD` 1 MiB, so a 256 KiB request is served from the heap, and
`M_TRIM_THRESHOLD` 4 MiB, so freeing it does not hand the top of the heap back to the kernel
only to ask for it again on the next read. The cost is at most 4 MiB of freed memory kept.
"""

from __future__ import annotations

import ctypes
import logging
import sys

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "tune_for_socket_reads"]

log = logging.getLogger("antre.server")

# mallopt(3) parameters, from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 << 20
TRIM_THRESHOLD = 4 << 20


def tune_for_socket_reads() -> bool:
    """Set the thresholds for this whole process; True if the C library took them.

    Only for a process that is a server or a load generator and nothing else: the setting is
    process-wide and cannot be scoped to one event loop.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already uses
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    ok = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    if not ok:  # musl's mallopt does nothing and returns 0
        log.info("mallopt refused the thresholds: socket reads keep the C library's default")
    return ok
