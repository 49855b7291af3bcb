"""The citizen's phone page: one ticket's public view, its HTML and its two static assets.

The QR code on a ticket opens `/t/<token>` (the ticket's random public token). The page is
rendered here on the server, complete and correct without JavaScript (then a `<noscript>` meta
refresh reloads it every 20 s). With JavaScript, `/static/ticket.js` connects to the websocket with
the read-only `ticket` role and keeps the same elements up to date from the `ticket` push.

`public_view` is the one place that decides what a phone may know about a ticket, for the page and
for the websocket alike: the number, the line, the agency's short name, the state, the people
ahead and the estimated wait while waiting (no wait while no counter of its line is open: the page
says "menunggu loket dibuka", as the ticket does), the counter while called or being served, and
for a regular ticket how many priority citizens went ahead of it and why (`priority_note`, from
the overtakings its call events recorded). Never the token, the priority group, the kiosk, an
officer, a note or another ticket: the priority citizens are a count, nobody named. The time the
ticket was taken reads as on paper: "Senin, 23 November 2026 · 09.00 WIB" (server/core/dates.py).

The citizen may leave the waiting room: the view carries the warning the page shows now
(`alert`: few people ahead, or called with the counter to go to — server/core/phone_alerts.py
decides when) and, for a ticket marked as not present, the building's reactivation rule
(`noshow_note`). The page's script announces each warning once with a chime it makes itself
(Web Audio) and a vibration, and remembers in the browser's storage, per ticket, what it has
announced, so that a reload does not ring again.

A ticket that is a stop of a visit (issue 22: one citizen, several agencies) carries the
itinerary (`visit`: each stop's agency, service, number once it has one, and state; the index of
the current stop — never an id, never the visit's label), and the page lists it. Every stop's
ticket has the visit's token, so `/t/<token>` is always the current stop's page; when a stop is
done and the next one joined its line, the page says "Silakan lanjut ke BPJS Kesehatan, nomor
J-014" (`next_words`) and follows the citizen there through its push (server/broadcast/
ticket_watch.py), without a reload.

Once the service is done the page also offers the SKM survey and complaints (issue 20): the
section is server/web/survey/phone_part.py's, passed in as `section`; an earlier day's ticket,
found in the store, is shown read-only (`past_view`, `live=False`: no script, no refresh). The
script reloads the page once when its ticket's service finishes, so that the section appears —
for a visit, once its last stop is done or skipped (the survey is about the whole visit).

The page loads nothing inline (CSP: scripts and styles only from this server) and sends no
Referer: its URL is the ticket's capability. Its script and style are server/web/static/.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Any, Final

from websockets.http11 import Response

from server.core.building import Building, PolicySettings
from server.core.dates import format_date_time
from server.core.model import Ticket, TicketState
from server.core.phone_alerts import AlertKind, alert_of, noshow_note
from server.core.queue import QueueState
from server.core.visits import (
    CLOSED_NOW,
    CLOSED_TODAY,
    DONE_STATES,
    OPEN_STATES,
    PENDING,
    SKIPPED,
    Itinerary,
)
from server.roles import TICKET_TOKEN_RE
from server.web.responses import html_page, response

__all__ = [
    "ASSETS",
    "CSP",
    "NO_COUNTER_WORDS",
    "SOUND_ASK",
    "STATE_LABELS",
    "STOP_LABELS",
    "asset",
    "asset_response",
    "next_words",
    "not_found",
    "page_html",
    "past_view",
    "priority_note",
    "public_view",
    "survey_due",
    "ticket_page",
]

STATIC_DIR: Final = Path(__file__).parent / "static"
# The only files this module serves: path -> (file in STATIC_DIR, content type). Matched before
# the TV's /static/ route, and named so as not to collide with it.
ASSETS: Final = {
    "/static/ticket.js": ("ticket.js", "text/javascript; charset=utf-8"),
    "/static/ticket.css": ("ticket.css", "text/css; charset=utf-8"),
}
CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
REFRESH_S: Final = 20

# The state in words, for the citizen (KBBI spelling). The page's script gets the same table.
STATE_LABELS: Final[dict[str, str]] = {
    TicketState.PRINTING.value: "Sedang dicetak",
    TicketState.WAITING.value: "Menunggu panggilan",
    TicketState.CALLED.value: "Dipanggil",
    TicketState.SERVING.value: "Sedang dilayani",
    TicketState.DONE.value: "Selesai dilayani",
    TicketState.NO_SHOW.value: "Tidak hadir saat dipanggil — hubungi petugas loket",
    TicketState.CANCELLED.value: "Dibatalkan",
    TicketState.EXPIRED.value: "Kedaluwarsa — tidak berlaku lagi",
}
# A stop the server skipped because the building had closed (past closing and its grace) or does not
# serve today (part-week): the phone page's own stop states, so that it says why — an officer's
# skip (free text, not for the public) reads "Tidak diperlukan".
CLOSED: Final = "closed"
CLOSED_TODAY_STATE: Final = "closed_today"
_CLOSED_BY_REASON: Final = {CLOSED_NOW: CLOSED, CLOSED_TODAY: CLOSED_TODAY_STATE}
# A visit's stop in the itinerary list: shorter words than the ticket's own state (KBBI).
STOP_LABELS: Final[dict[str, str]] = {
    PENDING: "Nanti, setelah langkah sebelumnya",
    SKIPPED: "Tidak diperlukan",
    CLOSED: "Tidak dilayani — layanan sudah tutup",
    CLOSED_TODAY_STATE: "Tidak dilayani — layanan tutup hari ini",
    TicketState.PRINTING.value: "Sedang dicetak",
    TicketState.WAITING.value: "Menunggu panggilan",
    TicketState.CALLED.value: "Dipanggil",
    TicketState.SERVING.value: "Sedang dilayani",
    TicketState.DONE.value: "Selesai",
    TicketState.NO_SHOW.value: "Tidak hadir — hubungi petugas loket",
    TicketState.CANCELLED.value: "Dibatalkan",
    TicketState.EXPIRED.value: "Kedaluwarsa",
}
# The wait row while no counter serving the line is open: no figure is promised (the kiosk's
# ticket prints the same words). The page's script gets them too.
NO_COUNTER_WORDS: Final = "menunggu loket dibuka"
_NO_SCRIPT_STATUS: Final = f"Halaman ini diperbarui otomatis setiap {REFRESH_S} detik."
# The one question about sound (browsers play nothing before the first touch); the script shows
# it, and says plainly whether sound is on (its words are in ticket.js).
SOUND_ASK: Final = "Ketuk untuk mengaktifkan suara"
_NO_SCRIPT_SOUND: Final = (
    "Tanpa JavaScript halaman ini tidak dapat berbunyi atau bergetar: lihat layar ini sesekali."
)
# Stops before the current one that show it was handed on to: done, or skipped (by anyone).
_LEFT_BEHIND = frozenset({TicketState.DONE.value, SKIPPED, CLOSED, CLOSED_TODAY_STATE})
_QUEUED = (TicketState.WAITING, TicketState.PRINTING)
_WAITING_VALUES = frozenset(t.value for t in _QUEUED)
_AT_COUNTER = (TicketState.CALLED, TicketState.SERVING)
_FINAL = (TicketState.DONE, TicketState.CANCELLED, TicketState.EXPIRED)


def public_view(ticket: Ticket, state: QueueState, building: Building, now: datetime) -> dict:
    """What a phone may know about its own ticket (the `ticket` push's and snapshot's `ticket`)."""
    line = building.line(ticket.line)
    agency = building.agency(line.agency) if line else None
    counter = (
        building.counter(ticket.counter) if ticket.counter and ticket.state in _AT_COUNTER else None
    )
    # A line removed from the building file mid-day has no counter: no place, no wait to promise.
    queued = ticket.state in _QUEUED and line is not None
    ahead = state.people_ahead(ticket.id, now) if queued else None
    alert = alert_of(
        ticket, ahead, counter.name if counter else None, building.phone.warn_when_ahead
    )
    return {
        "number": ticket.number,
        "line": ticket.line,
        "line_name": line.name if line else ticket.line,
        "agency": agency.short_name if agency else None,
        "state": ticket.state.value,
        "people_ahead": ahead,
        "estimated_wait_s": _seconds(state.estimated_wait_s(ticket.id, now)) if queued else None,
        # A whole number or null, as before labels; the label on the desk ("3A") is counter_label.
        "counter_number": counter.number if counter and isinstance(counter.number, int) else None,
        "counter_label": counter.label if counter else None,
        "counter_name": counter.name if counter else None,
        "calls": ticket.calls,  # moves on a recall: the page says it again
        "priority_note": priority_note(ticket, building.policy),
        # The warning shown now, announced once by the page: {kind, key, title, text} or None.
        "alert": alert.as_dict() if alert else None,
        "noshow_note": noshow_note(ticket, now, building),
        "visit": visit_view(state, building, ticket.id),
    }


def visit_view(state: QueueState, building: Building, ticket_id: str) -> dict[str, Any] | None:
    """The itinerary of the visit this ticket is a stop of, as the citizen may see it, or None.

    `{"stops": [{"agency", "service", "number", "state"}], "current": k}`: no ticket id, no visit
    id or label (staff words), nothing of the kiosk or the priority group."""
    visit_id = state.itinerary_of.get(ticket_id)
    itinerary = state.itineraries.get(visit_id) if visit_id is not None else None
    if itinerary is None:
        return None
    return {
        "stops": [
            _stop_view(building, stop.line, stop.number, _public_state(stop.state, stop.reason))
            for stop in itinerary.stops
        ],
        "current": itinerary.current,
    }


def _public_state(state: str, reason: str | None) -> str:
    """A stop's state as the phone shows it: a skip by the server names its closed line."""
    if state == SKIPPED and reason in _CLOSED_BY_REASON:
        return _CLOSED_BY_REASON[reason]
    return state


def _stop_view(building: Building, prefix: str, number: str | None, state: str) -> dict:
    line = building.line(prefix)
    agency = building.agency(line.agency) if line else None
    return {
        "agency": agency.short_name if agency else prefix,
        "service": line.name if line else prefix,
        "number": number,
        "state": state,
    }


def next_words(visit: dict[str, Any] | None) -> str:
    """ "Silakan lanjut ke BPJS Kesehatan, nomor J-014" while the citizen should walk on: the
    current stop was handed on to (a stop before it is done, or was skipped — the floor may skip
    a first stop whose ticket waited) and its number waits to be called; else ""."""
    if not visit:
        return ""
    stops, current = visit["stops"], visit["current"]
    if not 0 < current < len(stops):
        return ""
    stop = stops[current]
    handed_on = any(s["state"] in _LEFT_BEHIND for s in stops[:current])
    if not handed_on or not stop["number"] or stop["state"] not in _WAITING_VALUES:
        return ""
    return f"Silakan lanjut ke {stop['agency']}, nomor {stop['number']}"


def visit_over(itinerary: Itinerary) -> bool:
    """Every stop done or skipped (issue 22)."""
    return all(stop.state in DONE_STATES for stop in itinerary.stops)


def survey_due(view: dict[str, Any]) -> bool:
    """Whether the server offers the survey for this view's ticket, by the core's rule
    (server/core/surveys.py, `VoiceSite.survey_status`): a plain ticket once served; a visit
    once no stop is in play any more (pending, printing, waiting, called, serving, no-show) and
    one at least was served — also a visit ended early (a later stop cancelled or expired). The
    page's script reloads once when this turns true, for the section to appear."""
    visit = view.get("visit")
    if not visit:
        return view["state"] == TicketState.DONE.value
    states = [s["state"] for s in visit["stops"]]
    return not any(s in OPEN_STATES for s in states) and TicketState.DONE.value in states


def priority_note(ticket: Ticket, policy: PolicySettings) -> str | None:
    """For a regular ticket that priority citizens went ahead of: how many, why, and the limit.

    One line in plain Indonesian, from `Ticket.overtaken` less `Ticket.booked_ahead` (the
    priority calls that passed it, rebuilt from the call events; booked citizens who went ahead
    are not priority citizens) and the building's promise (docs/calling-policy.md: at most a
    quarter of its wait, or one priority citizen's service, whichever is longer). None for a
    priority ticket or one no priority citizen went ahead of.
    """
    passed = ticket.overtaken - ticket.booked_ahead
    if ticket.priority is not None or passed <= 0:
        return None
    why = (
        f"{passed} warga prioritas (lansia, penyandang disabilitas, ibu hamil, atau "
        "yang membawa balita) dilayani lebih dulu sesuai UU 25/2009"
    )
    if not policy.protect_regular:
        return why + "."
    pct = policy.regular_delay_pct
    limits = []
    if pct > 0:
        share = "seperempat" if pct == 25 else "separuh" if pct == 50 else f"{pct:g}%"
        limits.append(f"{share} waktu tunggu Anda")
    limits.append("sepanjang layanan satu warga prioritas")
    if policy.regular_delay_min > 0:
        limits.append(f"{policy.regular_delay_min:g} menit")
    limit = limits[0] if len(limits) == 1 else ", ".join(limits[:-1]) + " atau " + limits[-1]
    which = {1: "", 2: ", mana yang lebih lama"}.get(len(limits), ", mana yang paling lama")
    return f"{why}; giliran Anda tertunda paling lama {limit}{which}."


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def _wait_words(seconds: int | None) -> str:
    """The estimated wait, or, while no counter serving the line is open, that it waits for one."""
    if seconds is None:
        return NO_COUNTER_WORDS
    return f"± {max(1, round(seconds / 60))} menit"


def _state_words(view: dict[str, Any]) -> str:
    label = STATE_LABELS.get(view["state"], view["state"])
    if view["counter_name"]:
        label += f" — {view['counter_name']}"
    return label


def past_view(ticket: Ticket, building: Building) -> dict:
    """An earlier day's ticket as its phone page shows it (issue 20: the survey and complaints
    reach back days): what `public_view` gives, with nothing of a queue that is gone."""
    line = building.line(ticket.line)
    agency = building.agency(line.agency) if line else None
    return {
        "number": ticket.number,
        "line": ticket.line,
        "line_name": line.name if line else ticket.line,
        "agency": agency.short_name if agency else None,
        "state": ticket.state.value,
        "people_ahead": None,
        "estimated_wait_s": None,
        "counter_number": None,
        "counter_label": None,
        "counter_name": None,
        "calls": ticket.calls,
        "priority_note": None,
        "alert": None,
        "noshow_note": None,
        "visit": None,
    }


def _visit_html(visit: dict[str, Any] | None) -> str:
    """The itinerary and the "Silakan lanjut ke …" line (the script keeps both up to date)."""
    e = html.escape
    stops = visit["stops"] if visit else []
    items = []
    for i, stop in enumerate(stops):
        current = ' aria-current="step"' if visit and i == visit["current"] else ""
        number = stop["number"] or "nomor menyusul"
        items.append(
            f'<li data-state="{e(stop["state"])}"{current}>'
            f'<span class="stop-agency">{e(stop["agency"])}</span> — '
            f'<span class="stop-service">{e(stop["service"])}</span> '
            f'<span class="stop-number">({e(number)})</span>: '
            f'<span class="stop-state">{e(STOP_LABELS.get(stop["state"], stop["state"]))}</span>'
            "</li>"
        )
    hidden = "" if visit else " hidden"
    walk_on = next_words(visit)
    labels = e(json.dumps(STOP_LABELS, ensure_ascii=False), quote=True)
    return (
        f'<p class="visit-next" id="visit-next" role="status"{"" if walk_on else " hidden"}>'
        f"{e(walk_on)}</p>\n"
        f'<section class="visit" id="visit" data-labels="{labels}"{hidden}>'
        f'<h2>Kunjungan Anda</h2><ol id="visit-stops">{"".join(items)}</ol></section>\n'
    )


def page_html(
    ticket: Ticket,
    view: dict[str, Any],
    building: Building,
    *,
    section: str = "",
    live: bool = True,
    status: str = _NO_SCRIPT_STATUS,
) -> str:
    """The page for one ticket, complete without JavaScript (the script updates these elements).

    `section`: trusted HTML after the status (the survey's and complaints': server/web/survey/);
    `live=False` for an earlier day's ticket: no script, no refresh, `status` says why."""
    e = html.escape
    queued = view["people_ahead"] is not None
    ahead = f"{view['people_ahead']} orang" if queued else ""
    wait = _wait_words(view["estimated_wait_s"]) if queued else ""
    issued = building.local(ticket.issued_at)
    final = ticket.state in _FINAL or not live
    refresh = (
        "" if final else f'<noscript><meta http-equiv="refresh" content="{REFRESH_S}"></noscript>\n'
    )
    script = '<script src="/static/ticket.js" defer></script>\n' if live else ""
    sound = (
        f"""<section class="sound" id="sound" data-sound="off" hidden>
<button type="button" id="sound-on">{e(SOUND_ASK)}</button>
<p id="sound-state"></p>
</section>
<noscript><p class="sound-none">{e(_NO_SCRIPT_SOUND)}</p></noscript>
"""
        if live
        else ""
    )
    hidden = "" if queued else " hidden"
    note = view["priority_note"] or ""
    noshow = view["noshow_note"] or ""
    alert = view["alert"] or {}
    alert_kind = f' data-kind="{e(alert["kind"])}"' if alert else " hidden"
    labels = e(json.dumps(STATE_LABELS, ensure_ascii=False), quote=True)
    called = alert.get("kind") == AlertKind.CALLED.value
    title = e(("DIPANGGIL — " if called else "") + f"Antrean {view['number']}")
    return f"""<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
{refresh}<title>{title}</title>
<link rel="stylesheet" href="/static/ticket.css">
{script}</head>
<body>
<main id="ticket" data-state="{e(view["state"])}" data-labels="{labels}"
 data-survey-due="{"true" if survey_due(view) else "false"}"
 data-no-counter="{e(NO_COUNTER_WORDS)}" data-ticket="{e(ticket.id)}">
<p class="building">{e(building.name)}</p>
<section class="alert" id="alert" role="alert"{alert_kind}>
<p class="alert-title" id="alert-title">{e(alert.get("title", ""))}</p>
<p class="alert-text" id="alert-text">{e(alert.get("text", ""))}</p>
</section>
<p class="caption">Nomor antrean Anda</p>
<div class="number" id="number">{e(view["number"])}</div>
<p class="state" id="state">{e(_state_words(view))}</p>
<p class="note noshow" id="noshow-note"{"" if noshow else " hidden"}>{e(noshow)}</p>
{_visit_html(view.get("visit"))}{sound}<dl>
<div><dt>Layanan</dt><dd id="line-name">{e(view["line_name"])}</dd></div>
<div><dt>Instansi</dt><dd id="agency">{e(view["agency"] or "—")}</dd></div>
<div id="ahead-row"{hidden}><dt>Antrean di depan Anda</dt><dd id="ahead">{e(ahead)}</dd></div>
<div id="wait-row"{hidden}><dt>Perkiraan waktu tunggu</dt><dd id="wait">{e(wait)}</dd></div>
<div><dt>Diambil</dt><dd id="issued">{e(format_date_time(issued, building.zone_label))}</dd></div>
</dl>
<p class="note" id="priority-note"{"" if note else " hidden"}>{e(note)}</p>
<p class="status" id="status"><small>{e(status)}</small></p>
{section}</main>
</body>
</html>
"""


@cache
def _read(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


def asset(path: str) -> tuple[bytes, str] | None:
    """The body and content type of /static/ticket.js or /static/ticket.css; None otherwise."""
    entry = ASSETS.get(path)
    if entry is None:
        return None
    name, content_type = entry
    return _read(name), content_type


def asset_response(path: str) -> Response | None:
    """/static/ticket.js or /static/ticket.css as an HTTP answer; None for any other path."""
    found = asset(path)
    if found is None:
        return None
    body, content_type = found
    return response(HTTPStatus.OK, body, content_type)


def not_found() -> Response:
    """404 "Nomor antrean tidak ditemukan": an unknown token, or none."""
    body = (
        "<h1>Nomor antrean tidak ditemukan</h1>"
        "<p>Periksa kembali tautan atau kode QR pada tiket Anda.</p>"
    )
    return html_page(HTTPStatus.NOT_FOUND, "Nomor antrean tidak ditemukan", body)


def ticket_page(state: QueueState, building: Building, now: datetime, token: str) -> Response:
    """The citizen's status page for one ticket (`/t/<token>`); 404 for a token not of today."""
    if not TICKET_TOKEN_RE.fullmatch(token):
        return not_found()
    ticket = state.ticket_by_token(token)
    if ticket is None:
        return not_found()
    view = public_view(ticket, state, building, now)
    body = page_html(ticket, view, building).encode("utf-8")
    extra = {"Content-Security-Policy": CSP, "Referrer-Policy": "no-referrer"}
    return response(HTTPStatus.OK, body, "text/html; charset=utf-8", extra=extra)
