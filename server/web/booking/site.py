"""The public booking pages: `/pesan` and the citizen's own `/pesan/<token>`, GET and POST.

`BookingSite.respond` answers one request (a coroutine websockets awaits, as for the TV's routes):

1. who asks (`limits.client_address`: the peer, or behind a trusted proxy its X-Forwarded-For)
   and whether that address may ask now (`[booking] requests_per_minute`; else 429 with
   Retry-After and a page that says in how many seconds);
2. GET renders a step (pages.py) from the desk's views; a page with a form gets the form cookie
   when the browser has none (csrf.py);
3. POST is refused with 403 "Halaman kedaluwarsa" and changes nothing unless its Origin is ours
   and its `csrf` token is the one its own cookie gives for that form; a good POST runs one
   command through the desk and answers 303 to the citizen's page (a reload does not post twice;
   the booking form's token is also the command's request id, so a double submission books once).

A visit of several services (issue 22, `kunjungan=1`) has its own steps and POST in
visit_site.py, guarded here like the single form; a visit booking's page is this page, listing
its stops, and its change of time lists the visit's first-stop slots (visit_site.py too).

The page token in `/pesan/<token>` is the booking's capability (random, 22 characters): it is
never logged; the NIK is read from the POST body, checked, and handed to the desk, never echoed.
"""

from __future__ import annotations

import logging
import time as clock_time
from collections.abc import Callable
from datetime import date, datetime
from http import HTTPStatus
from typing import Final
from urllib.parse import urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from server.core.booking_code import format_code
from server.core.building import Building
from server.core.model import DomainError
from server.web.booking import pages
from server.web.booking.asking import (
    LINE_RE,
    TOKEN_RE,
    Asking,
    max_fields_for,
    read_day,
    read_slot,
)
from server.web.booking.csrf import FormGuard, cookie_header, same_origin
from server.web.booking.desk import BookingDesk
from server.web.booking.fields import NAME_MAX, read_applicant
from server.web.booking.limits import RateLimiter, TrustedProxies, origins_of
from server.web.booking.pages import BOOK_PATH, PAGE_PREFIX, href
from server.web.booking.qr import qr_svg
from server.web.booking.texts import Lang, problem_words, refusal_words, t
from server.web.booking.views import BookingView, ServiceChoice, SlotChoice
from server.web.booking.visit_pages import VISIT_FLAG
from server.web.booking.visit_site import VisitSteps
from server.web.responses import response

__all__ = ["CSP", "REFERRER_POLICY", "BookingSite"]

log = logging.getLogger("antre.booking")

# No Referer to any other site (a booking's page address is its key), but one to ourselves:
# under "no-referrer" a browser sends `Origin: null` with the pages' own POSTs, and the Origin
# check could no longer tell them from a sandboxed frame's.
REFERRER_POLICY: Final = "same-origin"
CSP: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


class BookingSite:
    """Everything under /pesan for one server; built by server/app.py with the engine's desk."""

    def __init__(
        self,
        building: Building,
        desk: BookingDesk,
        now: Callable[[], datetime],
        *,
        monotonic: Callable[[], float] = clock_time.monotonic,
        trusted_proxies: TrustedProxies | None = None,
        guard: FormGuard | None = None,
    ) -> None:
        self.building = building
        self.desk = desk
        self.now = now  # the building's clock (a test's fake one)
        self.monotonic = monotonic  # the rate limiter's: seconds, never going back
        self.trusted = trusted_proxies or TrustedProxies()
        self.guard = guard or FormGuard.new()
        self.limiter = RateLimiter(building.booking.requests_per_minute)
        public = building.booking.public_url
        self.visits = VisitSteps(self)  # a visit of several services (issue 22)
        self.origins: set[str] = set()
        if public:
            parts = urlsplit(public)
            self.origins.add(f"{parts.scheme}://{parts.netloc}".lower())

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): answer with the new building from now on — its
        rate, public address (the Origin check) and reverse proxies too."""
        self.building = building
        self.limiter.set_rate(building.booking.requests_per_minute)
        self.origins = origins_of(building.booking.public_url)
        self.trusted.set(building.booking.trusted_proxies)

    @staticmethod
    def handles(path: str) -> bool:
        return path == BOOK_PATH or path.startswith(PAGE_PREFIX)

    # -- answers ------------------------------------------------------------------------------

    def _html(self, ask: Asking, status: HTTPStatus, text: str, **headers: str) -> Response:
        extra = {
            "Content-Security-Policy": CSP,
            "Referrer-Policy": REFERRER_POLICY,
            "X-Frame-Options": "DENY",
            # A booking's page is reached by its link alone: never in a search engine.
            "X-Robots-Tag": "noindex, nofollow",
            **headers,
        }
        if ask.new_cookie is not None:
            extra["Set-Cookie"] = cookie_header(ask.new_cookie, secure=ask.https)
        return response(status, text.encode("utf-8"), "text/html; charset=utf-8", extra=extra)

    def _message(
        self, ask: Asking, status: HTTPStatus, title_key: str, text: str, **headers: str
    ) -> Response:
        page = pages.message_page(ask.lang, self.building.name, t(ask.lang, title_key), text)
        return self._html(ask, status, page, **headers)

    def _see_other(self, ask: Asking, location: str) -> Response:
        return response(
            HTTPStatus.SEE_OTHER,
            b"",
            "text/plain; charset=utf-8",
            extra={"Location": location, "Referrer-Policy": REFERRER_POLICY},
        )

    async def respond(self, connection: ServerConnection, request: Request) -> Response:
        """The answer to one request under /pesan (never raises: the router logs a bug)."""
        fields = max_fields_for(self.building.policy.visit_max_stops)
        ask = Asking(connection, request, self.trusted, self.origins, max_fields=fields)
        wait_s = self.limiter.allow(ask.client, self.monotonic())
        if wait_s:
            return self._message(
                ask,
                HTTPStatus.TOO_MANY_REQUESTS,
                "too_many_title",
                t(ask.lang, "too_many", seconds=wait_s),
                **{"Retry-After": str(wait_s)},
            )
        if ask.method == "GET":
            return await self._get(ask)
        if ask.method == "POST":
            return await self._post(ask)
        return self._message(
            ask,
            HTTPStatus.METHOD_NOT_ALLOWED,
            "error_title",
            t(ask.lang, "not_allowed"),
            Allow="GET, POST",
        )

    # -- GET ----------------------------------------------------------------------------------

    async def _get(self, ask: Asking) -> Response:
        if ask.path == BOOK_PATH:
            return self._step(ask)
        token = ask.path.removeprefix(PAGE_PREFIX)
        booking = await self._booking(token)
        if booking is None:
            return self._not_found(ask)
        q = ask.query
        if q.get("batal") and booking.can_cancel:
            csrf = self.guard.new_token(ask.form_cookie(self.guard), f"batal:{token}", self._s())
            page = pages.cancel_page(ask.lang, self.building.name, self._zone, booking, csrf=csrf)
            return self._html(ask, HTTPStatus.OK, page)
        if q.get("ubah") and booking.can_change:
            if booking.stops:
                return self.visits.change(ask, booking, read_day(q.get("tanggal")))
            return self._change(ask, booking, read_day(q.get("tanggal")))
        notice = ""
        for flag, key in (
            ("baru", "booking_made"),
            ("diubah", "booking_moved"),
            ("dibatalkan", "booking_cancelled_now"),
        ):
            if q.get(flag):
                notice = t(ask.lang, key)
        return self._html(ask, HTTPStatus.OK, self._booking_page(ask, booking, notice))

    def _step(self, ask: Asking) -> Response:
        """`/pesan`: the services; with `layanan` its days, `tanggal` its slots, `jam` the form."""
        q, lang, name = ask.query, ask.lang, self.building.name
        if q.get(VISIT_FLAG):
            return self.visits.step(ask)
        line = q.get("layanan")
        if not line:
            return self._html(
                ask, HTTPStatus.OK, pages.services_page(lang, name, self.desk.services())
            )
        service = self.desk.service(line) if LINE_RE.fullmatch(line) else None
        if service is None:
            return self._message(
                ask, HTTPStatus.NOT_FOUND, "page_not_found", t(lang, "unknown_service")
            )
        day = read_day(q.get("tanggal"))
        if day is None:
            return self._days(ask, service)
        slots = self.desk.slots(service.line, day, self.now())
        if slots is None:
            return self._days(ask, service, t(lang, "bad_day"))
        slot = read_slot(q.get("jam"))
        if slot is None:
            return self._slots(ask, service, day, slots)
        chosen = next((s for s in slots if s.start == slot and s.left + s.priority_left), None)
        if chosen is None:
            return self._slots(ask, service, day, slots, t(lang, "bad_slot"))
        return self._form(ask, service, day, chosen, {}, {})

    def _days(self, ask: Asking, service: ServiceChoice, notice: str = "") -> Response:
        def link(lang: Lang, day: date | None) -> str:
            tanggal = day.isoformat() if day else ""
            return href(BOOK_PATH, lang, layanan=service.line, tanggal=tanggal)

        days = self.desk.days(service.line, self.now())
        page = pages.days_page(
            ask.lang, self.building.name, service, days, link=link, lead=_notice(notice)
        )
        return self._html(ask, HTTPStatus.OK, page)

    def _slots(
        self,
        ask: Asking,
        service: ServiceChoice,
        day: date,
        slots: list[SlotChoice],
        notice: str = "",
    ) -> Response:
        zone = self._zone

        def choose(lang: Lang, slot: SlotChoice) -> str:
            target = href(
                BOOK_PATH, lang, layanan=service.line, tanggal=day.isoformat(), jam=slot.key
            )
            return f'<a class="choice" href="{target}">{pages.slot_label(lang, slot, zone)}</a>'

        def here(lang: Lang) -> str:
            return href(BOOK_PATH, lang, layanan=service.line, tanggal=day.isoformat())

        page = pages.slots_page(
            ask.lang,
            self.building.name,
            zone,
            service,
            day,
            slots,
            choose=choose,
            here=here,
            lead=_notice(notice),
        )
        return self._html(ask, HTTPStatus.OK, page)

    def _form(
        self,
        ask: Asking,
        service: ServiceChoice,
        day: date,
        slot: SlotChoice,
        typed: dict[str, str],
        problems: dict[str, str],
        notice: str = "",
        status: HTTPStatus = HTTPStatus.OK,
    ) -> Response:
        csrf = self.guard.new_token(ask.form_cookie(self.guard), "pesan", self._s())
        page = pages.form_page(
            ask.lang,
            self.building.name,
            self._zone,
            service,
            day,
            slot,
            csrf=csrf,
            typed=typed,
            problems=problems,
            notice=notice,
            retention_days=self.building.booking.retention_days,
        )
        return self._html(ask, status, page)

    def _change(self, ask: Asking, booking: BookingView, day: date | None) -> Response:
        """`?ubah=1`: the days a booking may move to, then (`tanggal`) their slots as buttons."""
        page_path = PAGE_PREFIX + booking.token
        title = t(ask.lang, "change_title")
        if day is not None:
            slots = self.desk.slots(booking.service.line, day, self.now())
            if slots is not None:
                return self._change_slots(ask, booking, day, slots)

        def link(lang: Lang, d: date | None) -> str:
            return href(page_path, lang, ubah="1", tanggal=d.isoformat() if d else "")

        days = self.desk.days(booking.service.line, self.now())
        page = pages.days_page(
            ask.lang, self.building.name, booking.service, days, link=link, title=title
        )
        return self._html(ask, HTTPStatus.OK, page)

    def _change_slots(
        self, ask: Asking, booking: BookingView, day: date, slots: list[SlotChoice]
    ) -> Response:
        page_path = PAGE_PREFIX + booking.token
        csrf = self.guard.new_token(ask.form_cookie(self.guard), f"ubah:{booking.token}", self._s())
        zone = self._zone

        def choose(lang: Lang, slot: SlotChoice) -> str:
            if (day, slot.start) == (booking.day, booking.start):
                return f'<span class="unavailable">{pages.slot_label(lang, slot, zone)}</span>'
            label = pages.slot_label(lang, slot, zone)
            return pages.move_button(page_path, csrf, day, slot.key, lang, label)

        def here(lang: Lang) -> str:
            return href(page_path, lang, ubah="1", tanggal=day.isoformat())

        page = pages.slots_page(
            ask.lang,
            self.building.name,
            zone,
            booking.service,
            day,
            slots,
            choose=choose,
            here=here,
            title=t(ask.lang, "change_title"),
        )
        return self._html(ask, HTTPStatus.OK, page)

    # -- POST ---------------------------------------------------------------------------------

    async def _post(self, ask: Asking) -> Response:
        if ask.body_too_large:
            return self._message(
                ask, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "error_title", t(ask.lang, "too_large")
            )
        form = ask.form
        if ask.path == BOOK_PATH:
            purpose = "pesan"
        else:
            token = ask.path.removeprefix(PAGE_PREFIX)
            purpose = f"{(form or {}).get('aksi', '')}:{token}"
        allowed = (
            form is not None
            and same_origin(ask.origin, ask.fetch_site, ask.origins)
            and self.guard.check(form.get("csrf"), ask.cookie, purpose, self._s())
        )
        if not allowed or form is None:
            # Who sent a form the site did not give (never its fields: a NIK may be in them).
            log.info("booking form refused from %s (origin %r)", ask.client, ask.origin)
            return self._message(ask, HTTPStatus.FORBIDDEN, "expired_title", t(ask.lang, "expired"))
        if ask.path == BOOK_PATH and form.get(VISIT_FLAG):
            return await self.visits.book(ask, form)
        if ask.path == BOOK_PATH:
            return await self._book(ask, form)
        return await self._act(ask, ask.path.removeprefix(PAGE_PREFIX), form)

    async def _book(self, ask: Asking, form: dict[str, str]) -> Response:
        lang = ask.lang
        line = form.get("layanan", "")
        service = self.desk.service(line) if LINE_RE.fullmatch(line) else None
        day, slot_start = read_day(form.get("tanggal")), read_slot(form.get("jam"))
        slot = (
            self.desk.slot(line, day, slot_start, self.now())
            if service and day and slot_start
            else None
        )
        if service is None or day is None or slot is None:
            return self._message(ask, HTTPStatus.BAD_REQUEST, "error_title", t(lang, "bad_slot"))
        typed = {k: form.get(k, "") for k in ("nama", "hp", "prioritas")}
        applicant, problems = read_applicant(form, priority_allowed=service.priority_places > 0)
        if applicant is None:
            words = {k: problem_words(v, lang, max=NAME_MAX) for k, v in problems.items()}
            return self._form(ask, service, day, slot, typed, words, status=HTTPStatus.BAD_REQUEST)
        try:
            token = await self.desk.book(
                service.line,
                day,
                slot.start,
                applicant,
                channel="web",
                request_id="web-" + FormGuard.nonce(form["csrf"]),
            )
        except DomainError as exc:
            notice = refusal_words(exc.code, exc.message, lang, exc.details)
            return self._form(
                ask, service, day, slot, typed, {}, notice, status=HTTPStatus.CONFLICT
            )
        return self._see_other(ask, _page_url(token, lang, "baru"))

    async def _act(self, ask: Asking, token: str, form: dict[str, str]) -> Response:
        booking = await self._booking(token)
        if booking is None:
            return self._not_found(ask)
        action = form.get("aksi")
        try:
            if action == "batal":
                await self.desk.cancel(token, request_id="web-" + FormGuard.nonce(form["csrf"]))
                return self._see_other(ask, _page_url(token, ask.lang, "dibatalkan"))
            day, slot = read_day(form.get("tanggal")), read_slot(form.get("jam"))
            if day is None or slot is None:
                return self._message(
                    ask, HTTPStatus.BAD_REQUEST, "error_title", t(ask.lang, "bad_slot")
                )
            await self.desk.reschedule(
                token, day, slot, request_id="web-" + FormGuard.nonce(form["csrf"])
            )
        except DomainError as exc:
            page = self._booking_page(
                ask, booking, refusal_words(exc.code, exc.message, ask.lang, exc.details)
            )
            return self._html(ask, HTTPStatus.CONFLICT, page)
        return self._see_other(ask, _page_url(token, ask.lang, "diubah"))

    # -- helpers ------------------------------------------------------------------------------

    @property
    def _zone(self) -> str:
        return self.building.zone_label

    def _s(self) -> float:
        return self.now().timestamp()

    async def _booking(self, token: str) -> BookingView | None:
        if not TOKEN_RE.fullmatch(token):
            return None
        return await self.desk.booking(token)

    def _not_found(self, ask: Asking) -> Response:
        return self._message(ask, HTTPStatus.NOT_FOUND, "not_found_title", t(ask.lang, "not_found"))

    def _booking_page(self, ask: Asking, booking: BookingView, notice: str) -> str:
        link = pages.page_link(self.building.booking.public_url, ask.host, ask.https, booking.token)
        label = t(ask.lang, "qr_label", code=format_code(booking.code))
        qr = qr_svg(self.desk.qr_text(booking.code), label)
        return pages.booking_page(
            ask.lang, self.building.name, self._zone, booking, qr=qr, link=link, notice=notice
        )


def _notice(text: str) -> str:
    return (
        f'<div class="notice" id="notice" role="alert">{pages.html.escape(text)}</div>'
        if text
        else ""
    )


def _page_url(token: str, lang: Lang, flag: str) -> str:
    query = f"?{flag}=1" + ("&lang=en" if lang is Lang.EN else "")
    return PAGE_PREFIX + token + query
