"""The broadcast's routing by lookups agrees with `view_event`, and its frames are byte-identical.

`Broadcaster.publish` visits only the audiences entitled to an event (`_entitled`) and encodes
each form once; `view_event` is the rule book, and an encode per audience was the old way. These
tests hold the two to the same answers for every event kind, scope and audience.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

from hubtest import demo_building

from server import protocol as p
from server.broadcast.broadcaster import Broadcaster
from server.broadcast.views import Scope, public_form, view_event
from server.core.building import DeviceKind
from server.core.events import (
    EVENT_TYPES,
    CallReason,
    DayClosed,
    Event,
    ServiceStarted,
    TicketCalled,
    TicketIssued,
    event_to_dict,
)
from server.store import StoredEvent

WIB = timezone(timedelta(hours=7))
AT = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)


def audiences() -> list[str]:
    """Every audience the demo building can have, plus the TV of every zone."""
    b = demo_building()
    out = ["floor", "zone:*"]
    out += [f"agency:{a.code}" for a in b.agencies]
    out += [f"zone:{z.id}" for z in b.zones]
    out += [f"kiosk:{d.id}" for d in b.devices if d.kind is DeviceKind.KIOSK]
    return out


def scopes() -> list[Scope]:
    b = demo_building()
    agencies = [a.code for a in b.agencies][:3]
    zones = [z.id for z in b.zones]
    kiosks = [None, *(d.id for d in b.devices if d.kind is DeviceKind.KIOSK)]
    out = [Scope(frozenset(), frozenset(), None, everyone=True)]
    for n_agencies, n_zones, kiosk in itertools.product(range(3), range(len(zones) + 1), kiosks):
        out.append(
            Scope(frozenset(agencies[:n_agencies]), frozenset(zones[:n_zones]), kiosk, False)
        )
    return out


@dataclass(eq=False)  # hashable by identity, as a session is
class FakeSession:
    """What the broadcaster needs of a session: its audience, and where frames go."""

    audience: str
    frames: list[tuple[int, str]] = field(default_factory=list)
    principal: Any = None

    def __post_init__(self) -> None:
        self.principal = SimpleNamespace(audience=self.audience)

    def push_event(self, seq: int, frame: str, wire: bytes | None = None) -> None:
        self.frames.append((seq, frame))

    def advance(self, seq: int) -> None:
        pass


def broadcaster_with_everyone() -> tuple[Broadcaster, dict[str, FakeSession]]:
    state = SimpleNamespace(tickets={})
    br = Broadcaster(demo_building(), lambda: state, lambda: AT)  # type: ignore[arg-type]
    br.schedule_lines = lambda: None  # type: ignore[method-assign]  # no loop, no pacing here
    sessions = {a: FakeSession(a) for a in audiences()}
    for s in sessions.values():
        br.add(s)  # type: ignore[arg-type]
    return br, sessions


def test_entitled_audiences_and_forms_match_view_event() -> None:
    br, _ = broadcaster_with_everyone()
    present = set(audiences())
    for kind, scope in itertools.product(EVENT_TYPES, scopes()):
        # Every field a form may keep or drop, so that the form is told apart by its content.
        event = {"kind": kind, "at": "t", "ticket": "x", "token": "secret", "kiosk": "K",
                 "reason": "r", "officer": "o", "priority": "lansia"}  # fmt: skip
        staff = {k: v for k, v in event.items() if k != "token"}
        expected = {}
        for audience in present:
            view = view_event(audience, event, scope)
            if view is not None:
                expected[audience] = view
        routed = [(a, public) for a, public in br._entitled(kind, scope) if a in present]
        assert len(routed) == len({a for a, _ in routed}), (kind, scope, "an audience twice")
        got = {a: public_form(staff) if public else staff for a, public in routed}
        assert got == expected, (kind, scope)


def stored(seq: int, event: Event) -> StoredEvent:
    return StoredEvent(seq, event, "system", None)


def test_publish_sends_each_audience_the_frames_an_encode_per_audience_made() -> None:
    """Byte for byte what `p.encode` of `view_event` per audience gives, for every audience."""
    b = demo_building()
    line = b.lines[0]
    counter = next(c for c in b.counters if line.prefix in c.serves)
    kiosk = next(d.id for d in b.devices if d.kind is DeviceKind.KIOSK)
    ticket = f"2026-11-23/{line.prefix}-001"
    events = [
        TicketIssued(
            AT, ticket, date(2026, 11, 23), f"{line.prefix}-001", 1, line.prefix, None, "tok", kiosk
        ),
        TicketCalled(AT, ticket, f"{line.prefix}-001", line.prefix, counter.id, CallReason.FIFO),
        ServiceStarted(AT, ticket, counter.id),
        DayClosed(AT, date(2026, 11, 23)),
    ]
    batch = [stored(seq, e) for seq, e in enumerate(events, start=1)]
    br, sessions = broadcaster_with_everyone()
    br.publish(batch)
    for audience, session in sessions.items():
        expected = []
        for s in batch:
            view = view_event(audience, event_to_dict(s.event), br.scope(s.event))
            if view is not None:
                frame = {"type": "event", "seq": s.seq, "event": view}
                expected.append((s.seq, p.encode(frame)))
        assert session.frames == expected, audience
    # The reply to the request that made an event carries the broadcast's staff form.
    staff = event_to_dict(events[0])
    del staff["token"]
    assert br.staff_view(batch[0]) == staff
    assert br.staff_view(stored(1, events[1])) == event_to_dict(events[1])  # not another's form


# The citizen's voice (issue 20), by hand from docs/protocol.md "Floor-only events".
VOICE_KINDS = (
    "survey_answered",
    "complaint_filed",
    "complaint_taken",
    "complaint_answered",
    "complaint_closed",
)


def test_floor_only_events_are_the_floors_alone_in_both_rule_books() -> None:
    """Whatever the scope (even the agency, zone and kiosk of the visit it is about), a survey
    answer or a complaint's step goes to the floor and to no officer, TV or kiosk."""
    br, _ = broadcaster_with_everyone()
    present = set(audiences())
    for kind, scope in itertools.product(VOICE_KINDS, scopes()):
        event = {"kind": kind, "at": "t", "ticket": "x", "agency": "DUKCAPIL"}
        viewing = {a for a in present if view_event(a, event, scope) is not None}
        routed = {a for a, _ in br._entitled(kind, scope) if a in present}
        assert viewing == routed == {"floor"}, (kind, scope, viewing, routed)
