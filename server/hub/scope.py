"""What a request may name: today's tickets and the building's lines by id, an officer's own
counter and agency, a kiosk's own tickets.

Pure checks on the principal, the request and the state: each returns what was named or raises
the refusal (`not_found`, `forbidden`, or the core's own error when the counter is not the
officer's to work at). Nothing here changes anything.
"""

from __future__ import annotations

from typing import Any

from server import protocol as p
from server import refusals
from server.core.building import Building
from server.core.errors import error as core_error
from server.core.model import Ticket
from server.core.queue import QueueState
from server.roles import Principal, Role

__all__ = ["kiosk_ticket", "known_line", "own_agency", "own_counter", "seated", "ticket_of_today"]


def ticket_of_today(state: QueueState, ref: str) -> Ticket:
    """A ticket of today by id ("2026-11-23/A-017") or by number ("A-017")."""
    tickets = state.tickets
    found = tickets.get(ref)
    if found is None and "/" not in ref:
        found = next((t for t in tickets.values() if t.number == ref), None)
    if found is None:
        number = ref.rpartition("/")[2]  # an id names its day: the officer knows the number
        raise p.ProtocolError(p.ERR_NOT_FOUND, refusals.say("ticket_not_today", number=number))
    return found


def known_line(building: Building, prefix: str) -> str:
    if building.line(prefix) is None:
        raise p.ProtocolError(p.ERR_NOT_FOUND, refusals.say("line_unknown", line=prefix))
    return prefix


def own_counter(principal: Principal, msg: dict[str, Any], building: Building) -> str:
    """An officer's bound counter; naming another counter is forbidden."""
    assert principal.counter is not None
    named = msg.get("counter")
    if named is not None and named != principal.counter:
        raise p.ProtocolError(
            p.ERR_FORBIDDEN,
            refusals.say(
                "other_counter",
                counter=_counter_name(building, principal.counter),
                other=_counter_name(building, named),
            ),
        )
    return principal.counter


def _counter_name(building: Building, counter: str) -> str:
    """A counter as the officer knows it ("Loket 5"), or its code when the building has none."""
    found = building.counter(counter)
    return found.name if found else f"loket {counter}"


def seated(principal: Principal, counter: str, state: QueueState, building: Building) -> None:
    """A counter action needs this officer logged in at the counter (not a colleague)."""
    status = state.counters.get(counter)
    if status is None or status.officer == principal.id:
        return  # an unknown counter is the core's to refuse
    label = _counter_name(building, counter)
    if status.officer is None:
        raise core_error("not_logged_in", counter=label)
    raise core_error("counter_occupied", counter=label)


def own_agency(principal: Principal, ticket: Ticket, building: Building) -> None:
    """An officer may act only on tickets of their own agency's lines."""
    if principal.role is not Role.OFFICER:
        return
    line = building.line(ticket.line)
    if line is None or line.agency != principal.agency:
        raise p.ProtocolError(
            p.ERR_FORBIDDEN, refusals.say("other_agency_ticket", number=ticket.number)
        )


def kiosk_ticket(principal: Principal, state: QueueState, ref: str) -> Ticket:
    """A ticket of today that this kiosk printed."""
    ticket = ticket_of_today(state, ref)
    if ticket.kiosk != principal.id:
        raise p.ProtocolError(
            p.ERR_FORBIDDEN, refusals.say("other_kiosk_ticket", number=ticket.number)
        )
    return ticket
