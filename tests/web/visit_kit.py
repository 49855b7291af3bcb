"""A visit of several stops (issue 22) for the web tests: taken through the engine as the
kiosk's `issue_visit` takes it (StartVisit, then the print confirmed), with a fresh token."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from hubtest import Server

from server.core.events import TicketIssued
from server.core.model import ConfirmPrinted, StartVisit

__all__ = ["VisitTicket", "start_visit"]


@dataclass(frozen=True)
class VisitTicket:
    """The first stop's printed ticket: its id, number and the visit's token (the QR's)."""

    ticket: str
    number: str
    token: str


async def start_visit(
    server: Server, lines: tuple[str, ...] = ("B", "J"), kiosk: str = "KIOSK-1"
) -> VisitTicket:
    token = secrets.token_urlsafe(16)
    actor = f"kiosk:{kiosk}"
    stored = await server.hub.execute(StartVisit(lines, None, token, kiosk), actor)
    [issued] = [s.event for s in stored if isinstance(s.event, TicketIssued)]
    await server.hub.execute(ConfirmPrinted(issued.ticket), actor)
    return VisitTicket(issued.ticket, issued.number, token)
