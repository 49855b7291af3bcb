"""Inside the bench server process, for the booking storm (bench/storm.py): the arrival log.

`record_arrivals` wraps `BookingsApi.book`, the one entry point the public booking pages (and
the portal API) call for a booking, in the bench server process (as `_trace_commits` wraps the
store's writes), and numbers the calls twice: in the order they reach it (*arrival*: the POST
has been read in full, its form and its guards checked, and the server starts on the booking)
and in the order they return or raise (*acknowledgement*: the answer is decided, and for a
booking on disk). At exit it writes one tab-separated row per call: arrival, acknowledgement,
the phone number as typed (each storm attempt has its own, the key that joins the row to the
bench's attempt), the outcome (`booked` or the refusal's code), the booking code, and the two
instants (`time.monotonic`, system-wide on Linux: the bench compares them with its own).

Only `python -m bench.serverproc --arrivals PATH` installs it; `antre server` never does.
"""

from __future__ import annotations

import atexit
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server.core.model import DomainError

if TYPE_CHECKING:
    from server.bookings_api import BookingsApi

__all__ = ["read_arrivals", "record_arrivals"]


def record_arrivals(path: Path) -> None:
    """Number every `BookingsApi.book` call by arrival and by acknowledgement; write the rows
    to `path` at exit (module docstring)."""
    from server.bookings_api import BookingsApi

    book = BookingsApi.book
    rows: list[tuple[int, int, str, str, str, float, float]] = []
    counted = {"arrived": 0, "acked": 0}

    async def recorded(self: BookingsApi, *args: Any, phone: str, **kwargs: Any) -> Any:
        counted["arrived"] += 1
        arrived, at = counted["arrived"], time.monotonic()
        outcome, code = "error", ""
        try:
            view = await book(self, *args, phone=phone, **kwargs)
            outcome, code = "booked", view.code
            return view
        except DomainError as exc:
            outcome = exc.code
            raise
        finally:
            counted["acked"] += 1
            rows.append((arrived, counted["acked"], phone, outcome, code, at, time.monotonic()))

    BookingsApi.book = recorded  # type: ignore[method-assign]

    def write() -> None:
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write("\t".join(str(x) for x in row) + "\n")

    atexit.register(write)


def read_arrivals(path: Path) -> list[dict[str, Any]]:
    """The rows `record_arrivals` wrote, as dicts, in acknowledgement order."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        arrived, acked, phone, outcome, code, at, done = line.split("\t")
        out.append(
            {
                "arrived": int(arrived),
                "acked": int(acked),
                "phone": phone,
                "outcome": outcome,
                "code": code or None,
                "at": float(at),
                "done": float(done),
            }
        )
    return out
