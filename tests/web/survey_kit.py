"""What the survey and complaint tests share: a served ticket on the real server, a filled form.

The tickets are made as in the building: a kiosk issues and prints, an officer logs in at a
counter, calls, starts and finishes the service. The citizen is `web_booking_kit.Citizen` (plain
HTTP with its cookie and this site's Origin) or Chromium.
"""

from __future__ import annotations

from typing import Any

from hubtest import Server, demo_credentials

from server.client import AntreClient

__all__ = ["EXIT_TOKEN", "TABLET_TOKEN", "Desk", "survey_fields"]

EXIT_TOKEN = demo_credentials()["EXIT-1"]
TABLET_TOKEN = demo_credentials()["TABLET-L01"]  # the demo's tablet faces counter L01


class Desk:
    """A kiosk and an officer at one counter: tickets issued, called, served, finished."""

    def __init__(self, server: Server, who: str = "DKP01@L01", line: str = "A") -> None:
        self.server = server
        self.who = who
        self.line = line
        self.officer: AntreClient | None = None
        self.kiosk: AntreClient | None = None

    async def issue(self) -> dict[str, Any]:
        """A printed ticket, waiting: {id, number, token, …}."""
        if self.kiosk is None:
            self.kiosk = await self.server.client("KIOSK-1")
        ticket = await self.kiosk.issue_ticket(self.line)
        await self.kiosk.confirm_printed(ticket["id"])
        return ticket

    async def serve(self, ticket: dict[str, Any], *, finish: bool = True) -> None:
        """Call the ticket to the counter, serve it and (by default) finish it."""
        if self.officer is None:
            self.officer = await self.server.officer_at_work(self.who)
        self.server.clock.advance(60)
        called = await self.officer.act("call_ticket", ticket=ticket["number"], reason="uji")
        assert called["ticket"]["number"] == ticket["number"]
        self.server.clock.advance(30)
        await self.officer.act("start_service")
        if finish:
            self.server.clock.advance(240)
            await self.officer.act("finish_service")

    async def finished(self) -> dict[str, Any]:
        ticket = await self.issue()
        await self.serve(ticket)
        return ticket


def survey_fields(csrf: str, scores: tuple[int, ...], **extra: str) -> dict[str, str]:
    """The survey form as a citizen sends it: u1..u9 and what else is given."""
    fields = {"csrf": csrf, "lang": "id"} | {f"u{i}": str(s) for i, s in enumerate(scores, 1)}
    return fields | extra
