"""Paced pushes: recompute a derived frame at most every `flush_s` after a change, and every
`refresh_s` regardless (waits grow and cutoffs pass without any commit).

The hub's `lines`/`next` pushes and the phone page's `ticket` pushes both work this way; the
timer and the refresher live here once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

__all__ = ["Pacer"]


class Pacer:
    """Coalesces changes into one `flush()` per `flush_s`; calls `refresh()` every `refresh_s`."""

    def __init__(
        self,
        flush: Callable[[], None],
        refresh: Callable[[], None],
        *,
        flush_s: float,
        refresh_s: float,
        name: str,
    ) -> None:
        self._flush = flush
        self._refresh = refresh
        self.flush_s = flush_s
        self.refresh_s = refresh_s
        self._name = name  # the refresher task's name, for debugging a running server
        # At most one pending flush: changes arriving meanwhile ride on it.
        self._timer: asyncio.TimerHandle | None = None
        self._refresher: asyncio.Task[None] | None = None

    def schedule(self) -> None:
        """Flush once, `flush_s` from now, unless a flush is already pending."""
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.flush_s, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self._flush()

    def start(self) -> None:
        self._refresher = asyncio.create_task(self._refresh_loop(), name=self._name)

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
            self._refresher = None

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_s)
            self._refresh()
