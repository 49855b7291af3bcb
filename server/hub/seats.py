"""Who holds which place: one live session per officer at a counter, per kiosk and per survey
tablet, and a bounded number of phones per ticket.

A newer hello for a seat replaces the older session (4009): its connection is usually already
dead but not yet noticed. Phones are bounded per ticket (`HubLimits.phones_per_ticket`) because
the ticket's QR code is on paper that others can see.
"""

from __future__ import annotations

import logging

from server import protocol as p
from server.roles import Principal, Role
from server.sessions import Session

__all__ = ["Seats", "seat_of"]

log = logging.getLogger("antre.hub")


def seat_of(principal: Principal | None) -> str | None:
    """The seat a principal's session holds alone, or None when any number may connect."""
    if principal is None:
        return None
    if principal.role is Role.OFFICER:
        # The same officer again at the same counter: the old connection is stale. A colleague
        # at that counter is not a replacement; the core's login rules settle who works there.
        return f"counter:{principal.counter}:{principal.id}"
    if principal.role is Role.KIOSK:
        return f"kiosk:{principal.id}"
    if principal.role is Role.TABLET:
        return f"tablet:{principal.id}"  # a tablet reconnecting: the old socket is stale
    return None


class Seats:
    """The sessions holding each seat, and the phone sessions of each ticket."""

    def __init__(self, phones_per_ticket: int) -> None:
        self._phones_per_ticket = phones_per_ticket
        self._by_seat: dict[str, Session] = {}
        # Phone sessions per ticket id, oldest first.
        self._phones: dict[str, list[Session]] = {}

    def take(self, session: Session) -> None:
        """An authenticated session takes its seat, replacing an older holder (4009)."""
        principal = session.principal
        assert principal is not None
        seat = seat_of(principal)
        if seat is not None:
            old = self._by_seat.get(seat)
            if old is not None and old is not session:
                old.close(p.CLOSE_REPLACED, "replaced by a newer session")
            self._by_seat[seat] = session
        if principal.role is Role.TICKET:
            self._seat_phone(session, _phone_key(principal))

    def _seat_phone(self, session: Session, ticket_id: str) -> None:
        """Count a phone on its ticket; past the bound, the oldest phone makes room (4009)."""
        phones = self._phones.setdefault(ticket_id, [])
        phones.append(session)
        while len(phones) > self._phones_per_ticket:
            oldest = phones.pop(0)
            log.info("ticket %s: %r replaced by a newer phone", ticket_id, oldest)
            oldest.close(p.CLOSE_REPLACED, "replaced by a newer phone")

    def leave(self, session: Session) -> None:
        """A session ended: its seat is free unless a newer session already holds it."""
        seat = seat_of(session.principal)
        if seat is not None and self._by_seat.get(seat) is session:
            del self._by_seat[seat]
        principal = session.principal
        if principal is not None and principal.role is Role.TICKET:
            key = _phone_key(principal)
            phones = self._phones.get(key, [])
            if session in phones:
                phones.remove(session)
            if not phones:
                self._phones.pop(key, None)


def _phone_key(principal: Principal) -> str:
    """What the phones' bound counts per: the printed QR's token (its digest), which is one
    ticket's or, for a visit of several stops (issue 22), the whole visit's (its phones follow
    it from stop to stop) — also a plain ticket's phones opened before and after an officer's
    add_stop made it a visit."""
    return principal.qr or principal.visit or principal.id
