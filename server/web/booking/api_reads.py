"""The integrators' read-only answers (issue 21): today's services, one ticket, the day's figures.

`ApiReads` is what `PortalApi` (api.py) asks for the three versioned read paths; it answers
with plain JSON-ready dicts and knows nothing of HTTP:

- `today`: per line of the building, now: its agency and name, whether a ticket would be
  issued now (and why not), the open counters, the waiting count, the estimated wait of a
  ticket taken now — the core's `LineView.estimated_wait_s`, rounded to whole seconds as the
  kiosk and the TVs get it (server/broadcast/views.py `line_view`): one estimate everywhere,
  None while no counter serving the line is open — and, for a line that takes bookings, the
  next day a place can still be booked (server/web/booking/desk.py `days`).
- `ticket`: one of today's tickets by its public token, as its phone page sees it
  (server/web/phone.py `public_view`: the one place that decides what a token's holder may
  know), less the page's own words. The lookup is the queue's token dict and nothing else: an
  unknown token costs what a dict miss costs, a ticket number never finds a ticket, and no
  earlier day is looked up in the store (that would take longer for a miss than for a hit).
- `figures`: a service day's figures per line and for the building, by `antre report`'s
  definitions (day_figures.py).

Reads take no lock: the state changes only between two turns of the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from server.core.building import Building, Line
from server.web.booking.day_figures import DayFigures
from server.web.booking.desk import BookingDesk
from server.web.booking.views import DayStatus
from server.web.phone import STATE_LABELS, public_view

if TYPE_CHECKING:
    from server.core.queue import QueueState

__all__ = ["ApiReads"]


class ApiReads:
    """The answers of `/api/v1/today`, `/api/v1/tickets/<token>` and `/api/v1/figures`."""

    def __init__(
        self,
        building: Building,
        state: Callable[[], QueueState],
        desk: BookingDesk,
        figures: DayFigures,
        today: Callable[[], date],
    ) -> None:
        self.building = building
        self._state = state  # the engine's current state (a day close replaces parts of it)
        self.desk = desk  # the booking book's days, as the booking pages read them
        self.figures = figures  # a day's figures from the store's log, cached per log position
        self.today = today  # the service day the queue is on (the hub's)

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): answer with the new building from now on."""
        self.building = building

    def today_json(self, now: datetime) -> dict[str, Any]:
        state = self._state()
        lines = [self._line_now(state, line, now) for line in self.building.lines]
        return {
            "day": self.today().isoformat(),
            "at": self.building.local(now).isoformat(),
            "zone": self.building.zone_label,
            "lines": lines,
        }

    def _line_now(self, state: QueueState, line: Line, now: datetime) -> dict[str, Any]:
        view = state.line_view(line.prefix, now)
        agency = self.building.agency(line.agency)
        wait = view.estimated_wait_s
        return {
            "line": line.prefix,
            "name": line.name,
            "agency": agency.short_name if agency else line.agency,
            "agency_name": agency.name if agency else line.agency,
            "issuing": view.issuing,
            "closed_reason": view.refusal_code,
            "closed_message": view.refusal_message,
            "counters_open": view.counters_open,
            "waiting": view.waiting,
            "estimated_wait_s": None if wait is None else round(wait),
            "booking": self._booking_now(line, now),
        }

    def _booking_now(self, line: Line, now: datetime) -> dict[str, Any] | None:
        """None for a line without online booking; else the first day with a place left."""
        if line.booking is None or self.desk.service(line.prefix) is None:
            return None
        days = self.desk.days(line.prefix, now)
        first = next((d for d in days if d.status is DayStatus.OPEN), None)
        return {
            "open": first is not None,
            "next_day": first.day.isoformat() if first else None,
            "places_left": first.places_left if first else 0,
        }

    def ticket_json(self, token: str, now: datetime) -> dict[str, Any] | None:
        """Today's ticket of this public token as its holder may see it; None if none."""
        state = self._state()
        ticket = state.ticket_by_token(token)  # one dict lookup, hit or miss
        if ticket is None:
            return None
        view = public_view(ticket, state, self.building, now)
        at_counter = view["counter_name"] is not None
        return {
            "number": view["number"],
            "day": ticket.day.isoformat(),
            "line": view["line"],
            "line_name": view["line_name"],
            "agency": view["agency"],
            "state": view["state"],
            "state_label": STATE_LABELS.get(view["state"], view["state"]),
            "people_ahead": view["people_ahead"],
            "estimated_wait_s": view["estimated_wait_s"],
            "counter": (
                {"label": view["counter_label"], "name": view["counter_name"]}
                if at_counter
                else None
            ),
        }

    async def figures_json(self, day: date, line: str | None = None) -> dict[str, Any]:
        return await self.figures.of(day, self.today(), line)
