"""Plain HTTP on the websocket port: health, the TV page, the citizen's ticket page.

websockets hands every request to `process_request` before the upgrade. A request for `WS_PATH`
goes on to the websocket handshake (a plain GET there gets websockets' own 426); anything else is
answered here with a small, complete HTTP response and the connection is closed. Nothing here can
raise into websockets: a failure becomes a 500 page without a traceback, logged on the server.

Routes (`ROUTES` lists each path; docs/protocol.md's table of them is held to it by a test):
    /ws           the websocket (anything else there: websockets' own 426)
    /healthz      JSON: ok, building, service day, sequence number, today's counts, connections
    /display      the TV page, and /static/<name>, /audio/call: its assets and each call's
                  audio, answered by the server's `TvPage` (server/web/tv.py, issue 6)
    /t/<token>    the citizen's ticket status: number, line, state, people ahead, estimated wait,
                  kept live by /static/ticket.js over the websocket (server/web/phone.py)
    /pesan, /pesan/<token>, /static/booking.css
                  online booking and the citizen's own booking page, GET and POST
                  (server/web/booking/site.py, issue 19)
    /api/v1/…     the integrators' JSON API (server/web/booking/api.py)
    /t/<token>/survei, /t/<token>/pengaduan, /keluar, /tablet, /ikm, /ikm/teks,
    /static/survey.css, /static/tablet.css, /static/tablet.js
                  the citizen's voice (issue 20): a ticket's survey and complaints (GET and
                  POST), the exit kiosk, the counter tablet, the public IKM and the TVs' line
                  (server/web/survey/); with it, /t/<token> also shows an earlier day's ticket
    /             a tiny index
"""

from __future__ import annotations

import html
import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from server import protocol as p
from server.core.model import TicketState
from server.web import phone
from server.web import tv as tv_routes
from server.web.booking.api import API_ROUTES, PortalApi
from server.web.booking.asking import stylesheet
from server.web.booking.pages import BOOK_PATH, CSS_PATH, PAGE_PREFIX
from server.web.booking.site import BookingSite
from server.web.responses import html_page, response
from server.web.survey import assets as voice_assets
from server.web.survey.exit_page import EXIT_PATH
from server.web.survey.pages import COMPLAINT_SUFFIX, SURVEY_SUFFIX
from server.web.survey.public import IKM_PATH, IKM_TEXT_PATH
from server.web.survey.site import VoiceSite
from server.web.survey.tablet import TABLET_PATH

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from server.hub import Hub

__all__ = ["HEALTH_PATH", "INDEX_PATH", "ROUTES", "TICKET_PREFIX", "WebRoutes", "health"]

log = logging.getLogger("antre.http")

HEALTH_PATH: Final = "/healthz"
TICKET_PREFIX: Final = "/t/"  # + the ticket's public token
INDEX_PATH: Final = "/"
# Every path answered here, written as docs/protocol.md writes them ("<token>": a ticket's public
# token). Anything else is a 404 page.
ROUTES: Final = (
    p.WS_PATH,
    HEALTH_PATH,
    TICKET_PREFIX + "<token>",
    *phone.ASSETS,
    BOOK_PATH,
    PAGE_PREFIX + "<token>",
    CSS_PATH,
    *API_ROUTES,
    TICKET_PREFIX + "<token>" + SURVEY_SUFFIX,
    TICKET_PREFIX + "<token>" + COMPLAINT_SUFFIX,
    EXIT_PATH,
    TABLET_PATH,
    IKM_PATH,
    IKM_TEXT_PATH,
    *voice_assets.ASSETS,
    *sorted(tv_routes.DISPLAY_PATHS),
    *(tv_routes.STATIC_PREFIX + name for name in tv_routes.STATIC_NAMES),
    tv_routes.AUDIO_CALL_PATH,
    INDEX_PATH,
)


def health(hub: Hub) -> dict[str, Any]:
    """The /healthz body: enough for a monitor and for a glance by the operator."""
    state = hub.engine.state
    tickets = state.tickets.values()
    counts = {
        "issued": len(state.tickets),
        "waiting": sum(1 for t in tickets if t.state is TicketState.WAITING),
        "served": sum(1 for t in tickets if t.state is TicketState.DONE),
        "counters_open": sum(1 for c in state.counters.values() if c.state.value == "open"),
    }
    return {
        "ok": True,
        "building": hub.building.name,
        "day": hub.today(),
        "seq": hub.engine.last_seq,
        "protocol": p.PROTOCOL_VERSION,
        "counts": counts,
        "connections": hub.stats(),
    }


def _json(status: HTTPStatus, data: dict[str, Any]) -> Response:
    return response(status, p.encode(data).encode("utf-8"), "application/json")


def _index(hub: Hub) -> Response:
    body = (
        f"<h1>{html.escape(hub.building.name)}</h1>"
        "<p>Server antrean Antre.</p>"
        '<ul><li><a href="/display">Layar antrean</a></li>'
        '<li><a href="/healthz">Status server</a></li></ul>'
    )
    return html_page(HTTPStatus.OK, "Antre", body)


class WebRoutes:
    """Everything the server answers a browser, for one hub; built and held by server/app.py."""

    def __init__(
        self,
        hub: Hub,
        tv: tv_routes.TvPage,
        booking: BookingSite | None = None,
        api: PortalApi | None = None,
        voice: VoiceSite | None = None,
    ) -> None:
        self.hub = hub
        self.tv = tv
        self.booking = booking  # /pesan…: the public booking pages
        self.api = api  # /api/v1/…: the integrators' JSON API
        self.voice = voice  # /t/…, /keluar, /tablet, /ikm: the survey and complaints

    def process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | Awaitable[Response] | None:
        """websockets' `process_request`: an HTTP answer, or None to upgrade to the websocket."""
        hub = self.hub
        path = request.path.partition("?")[0]
        try:
            if self.booking is not None and self.booking.handles(path):
                return _guarded(path, self.booking.respond(connection, request))  # GET and POST
            if self.api is not None and self.api.handles(path):
                return _guarded(path, self.api.respond(connection, request))
            if self.voice is not None and self.voice.handles(path):
                return _guarded(path, self.voice.respond(connection, request))  # GET and POST
            if request.method != "GET":
                body = "<h1>Metode tidak diizinkan</h1>"
                return html_page(HTTPStatus.METHOD_NOT_ALLOWED, "Tidak diizinkan", body)
            if path == p.WS_PATH:
                return None
            if path == HEALTH_PATH:
                return _json(HTTPStatus.OK, health(hub))
            if path in phone.ASSETS:  # before the TV's /static/: the phone page's assets
                return phone.asset_response(path)
            if path == CSS_PATH:  # the booking pages' style
                return stylesheet()
            if path in voice_assets.ASSETS:  # the survey pages' and the tablet's
                return voice_assets.asset_response(path)
            if tv_routes.handles(path):
                # /display, /static/<name>, /audio/call: a coroutine (websockets awaits it; the
                # audio is rendered by a subprocess) that answers errors itself, never raises.
                return self.tv.respond(request)
            if path.startswith(TICKET_PREFIX):
                token = path.removeprefix(TICKET_PREFIX)
                return phone.ticket_page(hub.engine.state, hub.building, hub.now(), token)
            if path == INDEX_PATH:
                return _index(hub)
            body = "<h1>Halaman tidak ditemukan</h1>"
            return html_page(HTTPStatus.NOT_FOUND, "Tidak ditemukan", body)
        except Exception:
            return _failed(path)


def _failed(path: str) -> Response:
    """A bug's answer: logged with the path (never a page's capability), a plain 500 page."""
    # A ticket's or a booking's page path is its capability: never into the log.
    shown = path[:200]
    for prefix in (TICKET_PREFIX, PAGE_PREFIX, "/api/v1/bookings/"):
        if path.startswith(prefix):
            shown = prefix + "…"
    log.exception("HTTP %s failed", shown)
    body = "<h1>Terjadi kesalahan di server</h1><p>Coba lagi sebentar lagi.</p>"
    return html_page(HTTPStatus.INTERNAL_SERVER_ERROR, "Kesalahan", body)


async def _guarded(path: str, answer: Awaitable[Response]) -> Response:
    """An async route's answer, or the 500 page if it raised (never into websockets)."""
    try:
        return await answer
    except Exception:
        return _failed(path)
