"""The floor dashboard's half-hour chart: tickets issued and served per half hour of today."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, tzinfo

__all__ = ["half_hour_chart"]


def half_hour_chart(
    issued_at: Iterable[datetime],
    finished_at: Iterable[datetime],
    now: datetime,
    tz: tzinfo,
) -> tuple[list[str], list[int], list[int]]:
    """Local half-hour slots from the first ticket's to now's, with issues and services in each."""

    def slot(instant: datetime) -> str:
        local = instant.astimezone(tz)
        return f"{local.hour:02d}:{30 if local.minute >= 30 else 0:02d}"

    issued: dict[str, int] = defaultdict(int)
    served: dict[str, int] = defaultdict(int)
    for at in issued_at:
        issued[slot(at)] += 1
    for at in finished_at:
        served[slot(at)] += 1
    if not issued:
        return [], [], []
    first = min(issued)
    last = max(slot(now), *issued, *served)
    slots = []
    h, m = (int(x) for x in first.split(":"))
    while True:
        label = f"{h:02d}:{m:02d}"
        slots.append(label)
        if label >= last:
            break
        h, m = (h, 30) if m == 0 else (h + 1, 0)
    return slots, [issued.get(s, 0) for s in slots], [served.get(s, 0) for s in slots]
