"""One reading of an event: what the broadcast pushes to staff reads back as the core's event.

The floor dashboard (and any Python client) receives staff forms: the core's `event_to_dict`
without the WITHHELD token. `read_event` must turn each of them, for every event kind, back into
the event the core made, its withheld fields None; and a stored form back into the very event.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from hubtest import demo_building

from server.broadcast.broadcaster import Broadcaster
from server.core.events import (
    EVENT_TYPES,
    WITHHELD,
    CallReason,
    Event,
    PriorityGroup,
    TicketCalled,
    TicketIssued,
    event_to_dict,
)
from server.protocol import read_event
from server.store import StoredEvent

WIB = timezone(timedelta(hours=7))
AT = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)


def example(cls: type[Event]) -> Event:
    """An event of a class with every field set (none left to its default), by the field's name."""
    values: dict[str, Any] = {
        "at": AT,
        "day": date(2026, 11, 23),
        "seq": 17,
        "priority": PriorityGroup.LANSIA,
        "reason": CallReason.OFFICER if cls is TicketCalled else "closing",
        # Online booking: a ticket's slot is its aware start, a booking's a local time.
        "slot": AT if cls is TicketIssued else time(9, 30),
        "from_day": date(2026, 11, 24),
        "from_slot": time(10, 30),
        "places": 12,
        # The citizen's voice (issue 20): deadlines are instants, the SKM's nine scores a tuple.
        "take_by": AT + timedelta(days=3),
        "answer_by": AT + timedelta(days=8),
        "closes_at": AT + timedelta(days=18),
        "scores": (4, 3, 3, 4, 2, 4, 4, 3, 1),
        # One visit, several agencies (issue 22): a hand-on ticket's FIFO key and the visit's
        # start are instants, a stop's index a number, the stops a tuple of lines.
        "queued_at": AT - timedelta(minutes=15),
        "started_at": AT - timedelta(minutes=40),
        "stop": 1,
        "position": 1,
        "stops": ("B", "J"),
    }
    return cls(**{f.name: values.get(f.name, f"{f.name}-1") for f in dataclasses.fields(cls)})


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_every_kinds_staff_form_reads_back_as_its_event(kind: str) -> None:
    event = example(EVENT_TYPES[kind])
    state = SimpleNamespace(tickets={})
    broadcaster = Broadcaster(demo_building(), lambda: state, lambda: AT)  # type: ignore[arg-type]
    staff = broadcaster.staff_view(StoredEvent(1, event, "system", None))
    hidden = WITHHELD | type(event).push_withheld  # a visit booking's lead code too
    assert not hidden & staff.keys()
    withheld = {f.name: None for f in dataclasses.fields(event) if f.name in hidden}
    assert read_event(staff) == dataclasses.replace(event, **withheld)
    # The stored form keeps everything: it reads back as the very event.
    assert read_event(event_to_dict(event)) == event


def test_a_missing_field_that_is_not_withheld_is_refused() -> None:
    """Only withheld fields may be absent: a form without another field is not an event."""
    stored = event_to_dict(example(TicketCalled))
    del stored["counter"]
    with pytest.raises(KeyError):
        read_event(stored)
