"""Plain HTTP on the websocket port: health, the TV page, the citizen's ticket page.

websockets hands every request to `process_request` before the upgrade. A request for `WS_PATH`
goes on to the websocket handshake (a plain GET there gets websockets' own 426); anything else is
answered here with a small, complete HTTP response and the connection is closed. Nothing here can
raise into websockets: a failure becomes a 500 page without a traceback, logged on the server.

Routes:
    /healthz      JSON: ok, building, service day, sequence number, today's counts, connections
    /display      the TV page, and /static/<name>, /audio/call: its assets and each call's
                  audio, answered by display/tv.py (issue 6)
    /t/<token>    the citizen's ticket status: number, line, state, people ahead, estimated wait,
                  kept live by /static/ticket.js over the websocket (server/ticket_page.py)
    /             a tiny index
"""

from __future__ import annotations

import email.utils
import html
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from display import tv as tv_display  # the TV page, its assets and its audio (issue 6)
from server import protocol as p
from server import ticket_page as ticket_ui
from server.core.model import TicketState
from server.roles import TICKET_TOKEN_RE

if TYPE_CHECKING:
    from server.hub import Hub

__all__ = ["health", "make_process_request", "ticket_page"]

log = logging.getLogger("antre.http")

_PAGE = """<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 32rem; padding: 0 1rem;
       color: #1a1a1a; }}
.number {{ font-size: 4rem; font-weight: 700; margin: .5rem 0; letter-spacing: .05em; }}
.state {{ font-size: 1.5rem; font-weight: 600; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; }}
dt {{ color: #555; }}
small {{ color: #666; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def _page(title: str, body: str) -> str:
    return _PAGE.format(title=html.escape(title), body=body)


def _response(
    status: HTTPStatus, body: bytes, content_type: str, extra: dict[str, str] | None = None
) -> Response:
    headers = Headers(
        [
            ("Date", email.utils.formatdate(usegmt=True)),
            ("Connection", "close"),
            ("Content-Length", str(len(body))),
            ("Content-Type", content_type),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            *(extra or {}).items(),
        ]
    )
    return Response(status.value, status.phrase, headers, body)


def _html(status: HTTPStatus, text: str) -> Response:
    return _response(status, text.encode("utf-8"), "text/html; charset=utf-8")


def _json(status: HTTPStatus, data: dict[str, Any]) -> Response:
    return _response(status, p.encode(data).encode("utf-8"), "application/json")


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


def _not_found() -> Response:
    body = (
        "<h1>Nomor antrean tidak ditemukan</h1>"
        "<p>Periksa kembali tautan atau kode QR pada tiket Anda. Tiket hanya berlaku pada hari "
        "diterbitkan.</p>"
    )
    return _html(HTTPStatus.NOT_FOUND, _page("Nomor antrean tidak ditemukan", body))


def ticket_page(hub: Hub, token: str) -> Response:
    """The citizen's status page for one ticket; 404 for any token that is not today's.

    Rendered by server/ticket_page.py, complete without JavaScript; its script keeps it live
    over the websocket (role `ticket`).
    """
    if not TICKET_TOKEN_RE.fullmatch(token):
        return _not_found()
    state = hub.engine.state
    ticket = state.ticket_by_token(token)
    if ticket is None:
        return _not_found()
    view = ticket_ui.public_view(ticket, state, hub.building, hub.now())
    body = ticket_ui.page_html(ticket, view, hub.building).encode("utf-8")
    extra = {"Content-Security-Policy": ticket_ui.CSP, "Referrer-Policy": "no-referrer"}
    return _response(HTTPStatus.OK, body, "text/html; charset=utf-8", extra)


def _ticket_asset(path: str) -> Response | None:
    found = ticket_ui.asset(path)
    if found is None:
        return None
    body, content_type = found
    return _response(HTTPStatus.OK, body, content_type)


def _index(hub: Hub) -> Response:
    body = (
        f"<h1>{html.escape(hub.building.name)}</h1>"
        "<p>Server antrean Antre.</p>"
        '<ul><li><a href="/display">Layar antrean</a></li>'
        '<li><a href="/healthz">Status server</a></li></ul>'
    )
    return _html(HTTPStatus.OK, _page("Antre", body))


def make_process_request(
    hub: Hub,
) -> Callable[[ServerConnection, Request], Response | Awaitable[Response] | None]:
    """websockets' `process_request` for this hub: HTTP routes, or None to upgrade."""

    def process_request(
        connection: ServerConnection, request: Request
    ) -> Response | Awaitable[Response] | None:
        path = request.path.partition("?")[0]
        try:
            if path == p.WS_PATH:
                return None
            if path == "/healthz":
                return _json(HTTPStatus.OK, health(hub))
            if path in ticket_ui.ASSETS:  # before the TV's /static/: the phone page's assets
                return _ticket_asset(path)
            if tv_display.handles(path):
                # /display, /static/<name>, /audio/call: a coroutine (websockets awaits it; the
                # audio is rendered by a subprocess) that answers errors itself, never raises.
                return tv_display.respond(hub.building, request)
            if path.startswith("/t/"):
                return ticket_page(hub, path[3:])
            if path == "/":
                return _index(hub)
            body = "<h1>Halaman tidak ditemukan</h1>"
            return _html(HTTPStatus.NOT_FOUND, _page("Tidak ditemukan", body))
        except Exception:
            # A ticket page's path is its capability: never into the log.
            shown = "/t/…" if path.startswith("/t/") else path[:200]
            log.exception("HTTP %s failed", shown)
            body = "<h1>Terjadi kesalahan di server</h1><p>Coba lagi sebentar lagi.</p>"
            return _html(HTTPStatus.INTERNAL_SERVER_ERROR, _page("Kesalahan", body))

    return process_request
