"""The integrators' JSON API under `/api/v1/`: a regency portal or MPP Digital offers our slots.

Every request carries `Authorization: Bearer <token>`; the token's SHA-256 must be one of the
building's `[[portals]]` (`token_sha256`, compared in constant time), and the request then acts
as that portal: role `portal`, channel `api:<portal id>` on every booking it makes. A portal may
read the services and their slots, book on a citizen's behalf (the same checks as the public
form: name, NIK, phone, one booking per NIK per service per day, the phone's limit), and cancel
a booking it made by its code, or any booking by its page token (the citizen's capability).

Errors are JSON, `{"error": {"code": …, "message": …, "details": {…}}}`, with the core's own
codes and Indonesian messages (server/core/errors.py) for refusals (409), `invalid_field` for a
field the form would refuse (422, the same Indonesian sentence), `bad_request` (400),
`unauthorized` (401), `not_found` (404), `method_not_allowed` (405), `too_large` (413) and
`too_many_requests` (429, with Retry-After: wrong tokens are counted per address). The
routes and examples are in docs/protocol.md, "Integrators' API".

Issue 21 adds the read-only paths (api_reads.py): `today` (the services now: waiting, the
estimated wait, booking), `tickets/<token>` (a ticket's status by the citizen's token, never by
its number) and `figures?date=` (a day's figures by `antre report`'s definitions); a portal of
`scope = "read"` may use only the reads (`forbidden`, 403, for a booking or a cancel), and each
portal has its own rate limit (`requests_per_minute`: then `too_many_requests`, 429).
"""

from __future__ import annotations

import hmac
import json
import re
import time as clock_time
from collections.abc import Callable
from datetime import date, datetime, time
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import unquote

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from server.auth import token_digest
from server.core.booking_code import format_code, normalize_code
from server.core.building import Building, Portal
from server.core.model import DomainError
from server.web.booking.api_reads import ApiReads
from server.web.booking.asking import TOKEN_RE, read_day, read_slot
from server.web.booking.day_figures import UnknownLine
from server.web.booking.desk import BookingDesk
from server.web.booking.fields import NAME_MAX, read_applicant
from server.web.booking.limits import RateLimiter, TrustedProxies, client_address
from server.web.booking.pages import page_link
from server.web.booking.texts import ID, Lang, problem_words
from server.web.booking.views import (
    BookingView,
    DayChoice,
    ServiceChoice,
    SlotChoice,
    StopView,
    VisitSlotChoice,
)
from server.web.request_body import body_of
from server.web.responses import response

__all__ = ["API_PREFIX", "API_ROUTES", "PortalApi"]

API_PREFIX: Final = "/api/v1/"
# The routes, as docs/protocol.md writes them.
API_ROUTES: Final = (
    "/api/v1/services",
    "/api/v1/services/<line>/days",
    "/api/v1/services/<line>/slots",
    "/api/v1/bookings",
    "/api/v1/bookings/<code>",
    "/api/v1/bookings/<code>/cancel",
    "/api/v1/visits/days",
    "/api/v1/visits/slots",
    "/api/v1/today",
    "/api/v1/tickets/<token>",
    "/api/v1/figures",
)
_SERVICE_DAYS: Final = re.compile(r"/api/v1/services/([A-Z][A-Z0-9]{0,7})/days")
_SERVICE_SLOTS: Final = re.compile(r"/api/v1/services/([A-Z][A-Z0-9]{0,7})/slots")
_BOOKING: Final = re.compile(r"/api/v1/bookings/([A-Za-z0-9_-]{8,64})(/cancel)?")
# A ticket's public token (secrets.token_urlsafe(16): 22 characters); no ticket number
# ("A-017", "PASPOR-0123") is ever this long, so a number never reaches the lookup.
_TICKET: Final = re.compile(r"/api/v1/tickets/([A-Za-z0-9_-]{16,64})")
_BODY_FIELDS: Final = ("line", "lines", "date", "slot", "name", "nik", "phone", "priority")
# A visit's services in a query (`lines=B,J`) or a body (`"lines": ["B", "J"]`): more than any
# building's `visit_max_stops` is not read at all (the core's limit refuses fewer, in words).
_MAX_LINES: Final = 16
# The Indonesian words of the API's own errors (the core's refusals bring theirs).
MESSAGES: Final = {
    "unauthorized": "Token portal tidak dikenal",
    "not_found": "Tidak ditemukan",
    "bad_request": "Permintaan tidak dapat dibaca",
    "method_not_allowed": "Metode ini tidak tersedia untuk alamat ini",
    "too_large": "Permintaan terlalu besar",
    "too_many_requests": "Terlalu banyak permintaan; coba lagi dalam {seconds} detik",
    "forbidden": "Portal ini hanya berhak membaca; memesan dan membatalkan tidak diizinkan",
    "ticket_not_found": "Tiket tidak ditemukan",
    "unknown_line": "Layanan tidak dikenal",
    "bad_date": "Tanggal tidak dapat dibaca; tulis YYYY-MM-DD",
    "future_date": "Tanggal itu belum tiba; angka tersedia untuk hari ini dan sebelumnya",
}


class _Refused(Exception):
    def __init__(self, status: HTTPStatus, code: str, message: str, **details: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.message, self.details = status, code, message, details


def _error(status: HTTPStatus, code: str, message: str, **details: Any) -> _Refused:
    return _Refused(status, code, message, **details)


def _own(code: str, **values: Any) -> _Refused:
    status = {
        "unauthorized": HTTPStatus.UNAUTHORIZED,
        "not_found": HTTPStatus.NOT_FOUND,
        "bad_request": HTTPStatus.BAD_REQUEST,
        "method_not_allowed": HTTPStatus.METHOD_NOT_ALLOWED,
        "too_large": HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        "too_many_requests": HTTPStatus.TOO_MANY_REQUESTS,
        "forbidden": HTTPStatus.FORBIDDEN,
        "ticket_not_found": HTTPStatus.NOT_FOUND,
        "unknown_line": HTTPStatus.NOT_FOUND,
        "bad_date": HTTPStatus.BAD_REQUEST,
        "future_date": HTTPStatus.BAD_REQUEST,
    }[code]
    return _Refused(status, code, MESSAGES[code].format(**values), **values)


def _json(status: HTTPStatus, data: dict[str, Any], **headers: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return response(status, body, "application/json; charset=utf-8", extra=headers)


def service_json(s: ServiceChoice) -> dict[str, Any]:
    return {
        "line": s.line,
        "name": s.name,
        "agency": s.agency,
        "agency_name": s.agency_name,
        "priority_places": s.priority_places,
        "documents": s.documents,
    }


def day_json(d: DayChoice) -> dict[str, Any]:
    return {
        "date": d.day.isoformat(),
        "status": d.status.value,
        "places_left": d.places_left,
        "holiday": d.holiday,
        "opens_at": d.opens_at,
    }


def visit_day_json(d: DayChoice) -> dict[str, Any]:
    """A visit's day: whether every stop may be booked then (no one count of places: each stop
    has its own, in the day's slots)."""
    return {"date": d.day.isoformat(), "status": d.status.value, "holiday": d.holiday}


def slot_json(s: SlotChoice) -> dict[str, Any]:
    return {
        "start": s.key,
        "end": s.end.strftime("%H:%M"),
        "places_left": s.left,
        "priority_places_left": s.priority_left,
    }


def stop_json(s: StopView) -> dict[str, Any]:
    return {
        "line": s.service.line,
        "name": s.service.name,
        "agency": s.service.agency,
        "slot": s.start.strftime("%H:%M"),
        "end": s.end.strftime("%H:%M"),
        "state": s.state,
        "ticket_number": s.ticket_number,
    }


def visit_slot_json(c: VisitSlotChoice) -> dict[str, Any]:
    return {
        "start": c.key,
        # Bookable by any citizen: a slot left to the priority groups only is not (as before;
        # `message` says why), though /pesan offers it to them.
        "bookable": c.bookable and not c.priority_only,
        "message": c.message,
        "stops": [
            {
                "line": s.service.line,
                "slot": s.start.strftime("%H:%M"),
                "end": s.end.strftime("%H:%M"),
                "places_left": s.places_left,
            }
            for s in c.stops
        ],
    }


def booking_json(b: BookingView, page_url: str) -> dict[str, Any]:
    """A booking as the API answers it; a visit's every stop in `stops` (the first is this
    booking's own line and slot), `[]` for a booking of one service."""
    return {
        "code": b.code,
        "code_shown": format_code(b.code),
        "page_url": page_url,
        "line": b.service.line,
        "date": b.day.isoformat(),
        "slot": b.start.strftime("%H:%M"),
        "state": b.state,
        "check_in_from": b.check_in_from,
        "check_in_until": b.check_in_until,
        "documents": b.service.documents,
        "stops": [stop_json(s) for s in b.stops],
    }


class PortalApi:
    """`/api/v1/…` for one server; built by server/app.py beside the booking pages."""

    def __init__(
        self,
        building: Building,
        desk: BookingDesk,
        now: Callable[[], datetime],
        *,
        monotonic: Callable[[], float] = clock_time.monotonic,
        trusted_proxies: TrustedProxies | None = None,
        reads: ApiReads | None = None,
    ) -> None:
        self.building = building
        self.desk = desk
        self.now = now
        self.monotonic = monotonic
        self.trusted = trusted_proxies or TrustedProxies()
        # Wrong tokens per address: a guesser gets the public paths' budget, then 429s.
        self.failures = RateLimiter(building.booking.requests_per_minute)
        # Each portal's own budget (issue 21): one integrator's loop cannot starve the others.
        self.budgets = {p.id: RateLimiter(p.requests_per_minute) for p in building.portals}
        self.reads = reads  # today, a ticket, the day's figures (None: those paths are 404)

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): answer with the new building from now on — a
        portal added gets its budget (one whose rate changed keeps what it spent), one removed
        loses it; the guessers' rate and the reverse proxies follow too."""
        self.building = building
        self.failures.set_rate(building.booking.requests_per_minute)
        budgets: dict[str, RateLimiter] = {}
        for portal in building.portals:
            budget = self.budgets.get(portal.id) or RateLimiter(portal.requests_per_minute)
            budget.set_rate(portal.requests_per_minute)
            budgets[portal.id] = budget
        self.budgets = budgets
        self.trusted.set(building.booking.trusted_proxies)

    @staticmethod
    def handles(path: str) -> bool:
        return path.startswith(API_PREFIX)

    def portal(self, authorization: str | None) -> Portal | None:
        """The portal whose token this Authorization header carries, or None."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        digest = token_digest(token.strip())
        found = None
        for portal in self.building.portals:  # every one compared: no early exit to time
            if hmac.compare_digest(digest, portal.token_sha256):
                found = portal
        return found

    async def respond(self, connection: ServerConnection, request: Request) -> Response:
        """The JSON answer to one API request (never raises: a bug is the router's 500)."""
        peer = connection.remote_address[0] if connection.remote_address else ""
        address = client_address(peer, request.headers.get("X-Forwarded-For"), self.trusted)
        try:
            wait_s = self.failures.waiting(address, self.monotonic())
            if wait_s:
                raise _own("too_many_requests", seconds=wait_s)
            portal = self.portal(request.headers.get("Authorization"))
            if portal is None:
                wait_s = self.failures.allow(address, self.monotonic())
                raise _own("too_many_requests", seconds=wait_s) if wait_s else _own("unauthorized")
            wait_s = self.budgets[portal.id].allow(portal.id, self.monotonic())
            if wait_s:
                raise _own("too_many_requests", seconds=wait_s)
            if getattr(connection, "body_too_large", False):
                raise _own("too_large")
            https = peer in self.trusted and (
                request.headers.get("X-Forwarded-Proto", "").lower() == "https"
            )
            host = request.headers.get("Host", "")
            public = self.building.booking.public_url

            def link(token: str) -> str:
                return page_link(public, host, https, token)

            return await self._route(
                portal,
                request.method,
                request.path,
                body_of(connection),
                request.headers.get("Idempotency-Key"),
                link,
            )
        except _Refused as refused:
            headers = {}
            if refused.status is HTTPStatus.UNAUTHORIZED:
                headers["WWW-Authenticate"] = 'Bearer realm="antre"'
            if refused.status is HTTPStatus.TOO_MANY_REQUESTS:
                headers["Retry-After"] = str(refused.details.get("seconds", 60))
            if refused.status is HTTPStatus.METHOD_NOT_ALLOWED:
                headers["Allow"] = refused.details.pop("allow", "GET")
            error = {"code": refused.code, "message": refused.message, "details": refused.details}
            return _json(refused.status, {"error": error}, **headers)

    async def _route(
        self,
        portal: Portal,
        method: str,
        target: str,
        body: bytes | None,
        key: str | None,
        link: Callable[[str], str],
    ) -> Response:
        path, _, query = target.partition("?")
        if path == "/api/v1/services":
            _method(method, "GET")
            services = [service_json(s) for s in self.desk.services()]
            return _json(HTTPStatus.OK, {"zone": self.building.zone_label, "services": services})
        if match := _SERVICE_DAYS.fullmatch(path):
            _method(method, "GET")
            service = self._service(match.group(1))
            days = [day_json(d) for d in self.desk.days(service.line, self.now())]
            return _json(HTTPStatus.OK, {"line": service.line, "days": days})
        if match := _SERVICE_SLOTS.fullmatch(path):
            _method(method, "GET")
            service = self._service(match.group(1))
            day = _date(_query_value(query, "date"))
            slots = self.desk.slots(service.line, day, self.now())
            if slots is None:
                raise _error(HTTPStatus.NOT_FOUND, "not_found", ID["bad_day"], date=day.isoformat())
            out = {"line": service.line, "date": day.isoformat(), "zone": self.building.zone_label}
            return _json(HTTPStatus.OK, out | {"slots": [slot_json(s) for s in slots]})
        if path == "/api/v1/visits/days":
            _method(method, "GET")
            lines = self._visit(_query_lines(query), order=True)
            days = [visit_day_json(d) for d in self.desk.visit_days(lines, self.now())]
            return _json(HTTPStatus.OK, {"lines": lines, "days": days})
        if path == "/api/v1/visits/slots":
            _method(method, "GET")
            lines = self._visit(_query_lines(query), order=True)
            day = _date(_query_value(query, "date"))
            found = self.desk.visit_slots(lines, day)
            if found is None:
                raise _error(HTTPStatus.NOT_FOUND, "not_found", ID["bad_day"], date=day.isoformat())
            out = {"lines": lines, "date": day.isoformat(), "zone": self.building.zone_label}
            return _json(HTTPStatus.OK, out | {"slots": [visit_slot_json(c) for c in found]})
        if path == "/api/v1/bookings":
            _method(method, "POST")
            _may_book(portal)
            return await self._book(portal, body, key, link)
        if match := _BOOKING.fullmatch(path):
            if match.group(2):
                _method(method, "POST")
            elif method == "GET":
                return await self._read_booking(portal, match.group(1), link)
            else:
                _method(method, "DELETE", also="GET")
            _may_book(portal)
            return await self._cancel(portal, match.group(1), key, link)
        if self.reads is not None:
            return await self._read(self.reads, method, path, query)
        raise _own("not_found")

    async def _read(self, reads: ApiReads, method: str, path: str, query: str) -> Response:
        """The read-only paths of issue 21 (api_reads.py); any portal may ask them."""
        if path == "/api/v1/today":
            _method(method, "GET")
            return _json(HTTPStatus.OK, reads.today_json(self.now()))
        if match := _TICKET.fullmatch(path):
            _method(method, "GET")
            ticket = reads.ticket_json(match.group(1), self.now())
            if ticket is None:
                raise _own("ticket_not_found")
            return _json(HTTPStatus.OK, ticket)
        if path == "/api/v1/figures":
            _method(method, "GET")
            text = _query_value(query, "date")
            day = reads.today() if not text else _iso_day(text)
            if day is None:
                raise _own("bad_date", field="date")
            if day > reads.today():
                raise _own("future_date", field="date", today=reads.today().isoformat())
            line = _query_value(query, "line") or None
            try:
                return _json(HTTPStatus.OK, await reads.figures_json(day, line))
            except UnknownLine:
                raise _own("unknown_line", line=line) from None
        if path.startswith("/api/v1/tickets/"):
            raise _own("ticket_not_found")  # not a token's shape: as unknown as a wrong one
        raise _own("not_found")

    def _service(self, line: str) -> ServiceChoice:
        service = self.desk.service(line)
        if service is None:
            raise _own("not_found")
        return service

    async def _book(
        self, portal: Portal, body: bytes | None, key: str | None, link: Callable[[str], str]
    ) -> Response:
        data = _json_body(body)
        if ("line" in data) == ("lines" in data):
            raise _own("bad_request", fields=["line", "lines"])  # one service, or a visit's
        lines = self._visit(_lines(data["lines"]), order=False) if "lines" in data else None
        service = self._service(lines[0] if lines else _field(data, "line"))
        priority_places = service.priority_places
        if lines:
            priority_places = min(self._service(line).priority_places for line in lines)
        day = _date(_field(data, "date"))
        slot = _slot(_field(data, "slot"))
        form = {
            "nama": _field(data, "name"),
            "nik": _field(data, "nik"),
            "hp": _field(data, "phone"),
            "prioritas": data.get("priority") or "",
        }
        if not isinstance(form["prioritas"], str):
            raise _own("bad_request", field="priority")
        applicant, problems = read_applicant(form, priority_allowed=priority_places > 0)
        if applicant is None:
            field, problem = next(iter(problems.items()))
            names = {"nama": "name", "nik": "nik", "hp": "phone", "prioritas": "priority"}
            raise _error(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "invalid_field",
                problem_words(problem, Lang.ID, max=NAME_MAX),
                field=names[field],
            )
        request_id = f"api:{portal.id}:{key}" if key else None
        try:
            if lines:
                token = await self.desk.book_visit(
                    lines, day, slot, applicant, channel=f"api:{portal.id}", request_id=request_id
                )
            else:
                token = await self.desk.book(
                    service.line,
                    day,
                    slot,
                    applicant,
                    channel=f"api:{portal.id}",
                    request_id=request_id,
                )
        except DomainError as exc:
            raise _error(HTTPStatus.CONFLICT, exc.code, exc.message, **exc.details) from None
        booking = await self.desk.booking(token)
        assert booking is not None  # just made
        data = booking_json(booking, link(token)) | {"token": token}
        return _json(HTTPStatus.CREATED, data)

    def _visit(self, lines: list[str], *, order: bool) -> list[str]:
        """A visit's services, checked as the core will check them (409 with its refusal);
        `order`: for a read, the order proposed (`requires` first, else as sent)."""
        if order:
            problem = self.desk.visit_problem(lines)
            if problem is None or problem.code == "visit_order":
                lines = self.desk.visit_order(lines)
        problem = self.desk.visit_problem(lines)
        if problem is not None:
            raise _error(HTTPStatus.CONFLICT, problem.code, problem.message, **problem.details)
        return lines

    async def _found(self, portal: Portal, which: str) -> tuple[str, BookingView]:
        """A booking by its code (one this portal made) or by its page token (any), and the
        token of its page: a visit member's code or token answers with its lead's booking,
        whose token (never the member's, which is never shown) makes the page_url."""
        code = normalize_code(which) if len(which) <= 9 else None
        if code is not None:
            token = self.desk.token_of(code, channel=f"api:{portal.id}")
        else:
            token = which if TOKEN_RE.fullmatch(which) else None
        booking = await self.desk.booking(token) if token else None
        if token is None or booking is None:
            raise _own("not_found")
        return booking.token, booking

    async def _read_booking(
        self, portal: Portal, which: str, link: Callable[[str], str]
    ) -> Response:
        token, booking = await self._found(portal, which)
        return _json(HTTPStatus.OK, booking_json(booking, link(token)))

    async def _cancel(
        self, portal: Portal, which: str, key: str | None, link: Callable[[str], str]
    ) -> Response:
        token, booking = await self._found(portal, which)
        request_id = f"api:{portal.id}:{key}" if key else None
        try:
            await self.desk.cancel(
                token, request_id=request_id, channel=f"api:{portal.id}", reason="dibatalkan portal"
            )
        except DomainError as exc:
            raise _error(HTTPStatus.CONFLICT, exc.code, exc.message, **exc.details) from None
        after = await self.desk.booking(token) or booking
        return _json(HTTPStatus.OK, booking_json(after, link(token)))


def _may_book(portal: Portal) -> None:
    """A read-only portal (`scope = "read"`) neither books nor cancels."""
    if portal.scope != "book":
        raise _own("forbidden", scope=portal.scope)


def _method(method: str, allowed: str, also: str = "") -> None:
    if method != allowed:
        raise _own("method_not_allowed", allow=", ".join(filter(None, (also, allowed))))


def _query_lines(query: str) -> list[str]:
    """`lines=B,J` (the comma may come as %2C)."""
    text = unquote(_query_value(query, "lines"))
    if not text:
        raise _own("bad_request", field="lines")
    return _lines(text.split(","))


def _lines(given: Any) -> list[str]:
    """A visit's services as sent: a list of strings, a few; else the request is unreadable."""
    if (
        not isinstance(given, list)
        or len(given) > _MAX_LINES
        or not all(isinstance(x, str) for x in given)
    ):
        raise _own("bad_request", field="lines")
    return [x.strip() for x in given]


def _query_value(query: str, name: str) -> str:
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == name:
            return value
    return ""


_ISO_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(text: str) -> date | None:
    """ "2026-11-23" as a date; None for anything else (a week date "2026-W48-1" too)."""
    return read_day(text) if _ISO_DAY.fullmatch(text) else None


def _json_body(body: bytes | None) -> dict[str, Any]:
    try:
        data = json.loads(body or b"")
    except (UnicodeDecodeError, ValueError):
        raise _own("bad_request") from None
    if not isinstance(data, dict) or set(data) - set(_BODY_FIELDS):
        raise _own("bad_request", fields=list(_BODY_FIELDS))
    return data


def _field(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise _own("bad_request", field=name)
    return value


def _date(text: str) -> date:
    day = read_day(text)
    if day is None:
        raise _own("bad_request", field="date")
    return day


def _slot(text: str) -> time:
    slot = read_slot(text)
    if slot is None:
        raise _own("bad_request", field="slot")
    return slot
