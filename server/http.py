"""Plain HTTP on the websocket port: health, the TV page, the citizen's ticket page.

websockets hands every request to `process_request` before the upgrade. A request for `WS_PATH`
goes on to the websocket handshake (a plain GET there gets websockets' own 426); anything else is
answered here with a small, complete HTTP response and the connection is closed. Nothing here can
raise into websockets: a failure becomes a 500 page without a traceback, logged on the server.

Routes:
    /healthz      JSON: ok, building, service day, sequence number, today's counts, connections
    /display      the TV page, and /static/<name>, /audio/call: its assets and each call's
                  audio, answered by display/tv.py (issue 6)
    /t/<token>    the citizen's ticket status: number, line, state, people ahead, estimated wait
    /             a tiny index
"""

from __future__ import annotations

import email.utils
import html
import logging
import re
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from display import tv as tv_display  # the TV page, its assets and its audio (issue 6)
from server import protocol as p
from server.core.model import TicketState

if TYPE_CHECKING:
    from server.hub import Hub

__all__ = ["health", "make_process_request", "ticket_page"]

log = logging.getLogger("antre.http")

# Tokens are secrets.token_urlsafe output; anything else cannot be a ticket.
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")

_STATE_LABELS = {
    TicketState.PRINTING: "Sedang dicetak",
    TicketState.WAITING: "Menunggu panggilan",
    TicketState.CALLED: "Dipanggil",
    TicketState.SERVING: "Sedang dilayani",
    TicketState.DONE: "Selesai dilayani",
    TicketState.NO_SHOW: "Tidak hadir saat dipanggil — hubungi petugas loket",
    TicketState.CANCELLED: "Dibatalkan",
    TicketState.EXPIRED: "Tidak berlaku lagi",
}

_PAGE = """<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}<title>{title}</title>
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


def _page(title: str, body: str, *, refresh_s: int | None = None) -> str:
    head = f'<meta http-equiv="refresh" content="{refresh_s}">\n' if refresh_s else ""
    return _PAGE.format(head=head, title=html.escape(title), body=body)


def _response(status: HTTPStatus, body: bytes, content_type: str) -> Response:
    headers = Headers(
        [
            ("Date", email.utils.formatdate(usegmt=True)),
            ("Connection", "close"),
            ("Content-Length", str(len(body))),
            ("Content-Type", content_type),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
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
    """The citizen's status page for one ticket; 404 for any token that is not today's."""
    if not _TOKEN_RE.fullmatch(token):
        return _not_found()
    state = hub.engine.state
    ticket = state.ticket_by_token(token)
    if ticket is None:
        return _not_found()
    building = hub.building
    line = building.line(ticket.line)
    agency = building.agency(line.agency) if line else None
    now = hub.now()
    rows = [
        ("Layanan", line.name if line else ticket.line),
        ("Instansi", agency.name if agency else "—"),
    ]
    state_label = _STATE_LABELS.get(ticket.state, ticket.state.value)
    if ticket.state in (TicketState.CALLED, TicketState.SERVING) and ticket.counter:
        counter = building.counter(ticket.counter)
        state_label += f" — {counter.name if counter else ticket.counter}"
    if ticket.state is TicketState.WAITING:
        ahead = state.people_ahead(ticket.id)
        minutes = max(1, round(state.estimated_wait_s(ticket.id, now) / 60))
        rows.append(("Antrean di depan Anda", f"{ahead} orang"))
        rows.append(("Perkiraan waktu tunggu", f"± {minutes} menit"))
    issued = building.local(ticket.issued_at)
    rows.append(("Diambil", f"{issued:%d-%m-%Y %H.%M} {building.zone_label}"))
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
    body = (
        f"<p>{html.escape(building.name)}</p>"
        f'<div class="number">{html.escape(ticket.number)}</div>'
        f'<p class="state">{html.escape(state_label)}</p>'
        f"<dl>{items}</dl>"
        "<p><small>Halaman ini diperbarui otomatis setiap 20 detik.</small></p>"
    )
    final = ticket.state in (TicketState.DONE, TicketState.CANCELLED, TicketState.EXPIRED)
    title = f"Antrean {ticket.number}"
    return _html(HTTPStatus.OK, _page(title, body, refresh_s=None if final else 20))


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
            log.exception("HTTP %s failed", path[:200])
            body = "<h1>Terjadi kesalahan di server</h1><p>Coba lagi sebentar lagi.</p>"
            return _html(HTTPStatus.INTERNAL_SERVER_ERROR, _page("Kesalahan", body))

    return process_request
