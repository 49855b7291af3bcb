"""The citizen's voice over HTTP (issue 20): a ticket's survey and complaints, the exit kiosk's
survey, the counter tablet's page, the public IKM page and the TVs' running text.

`VoiceSite.respond` answers one request (a coroutine websockets awaits, as for the booking
pages). Its paths:

    /t/<token>                 the phone page (server/web/phone.py) with, once the ticket's
                               service is done, the survey's and complaints' section; an earlier
                               day's ticket from the store, read-only (phone_part.py)
    /t/<token>/survei          the survey form, GET and POST
    /t/<token>/pengaduan       the complaint form and the ticket's complaints, GET and POST
    /keluar?token=…            the exit kiosk (exit_page.py)
    /tablet?token=…            the counter tablet's page (tablet.py)
    /ikm, /ikm/teks            the public IKM page and the TVs' running text (public.py)

The forms are guarded as the booking pages' are (server/web/booking/csrf.py): a cookie for the
form pages' path, a token per form bound to it and to the form's purpose, and the request's
Origin; a refused POST is 403 "Halaman kedaluwarsa" and changes nothing. Each client address may
ask the form pages `[survey] requests_per_minute` times a minute (then 429); the phone page
itself is not counted (without JavaScript it reloads every 20 s). A good POST runs one command
through the `VoiceApi` (server/voice_api.py), with the form token's nonce as its request id, and
answers 303 (a reload does not post twice).

The ticket's token in the path is its capability: it is never logged.
"""

from __future__ import annotations

import logging
import re
import time as clock_time
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from server.core import complaints as complaint_rules
from server.core.building import Building
from server.core.model import DomainError, TicketState, Visit
from server.core.visits import survey_visit
from server.roles import TICKET_TOKEN_RE
from server.web.booking.asking import Asking
from server.web.booking.csrf import FormGuard, cookie_header, same_origin
from server.web.booking.limits import RateLimiter, TrustedProxies, origins_of
from server.web.responses import response
from server.web.survey import pages
from server.web.survey.exit_page import EXIT_PATH, ExitPage
from server.web.survey.forms import read_complaint, read_survey
from server.web.survey.pages import COMPLAINT_SUFFIX, SURVEY_SUFFIX, TICKET_PREFIX
from server.web.survey.phone_part import COMPLAINT_STATES, PhonePart
from server.web.survey.public import IKM_PATH, IKM_TEXT_PATH, IkmBoardPage
from server.web.survey.tablet import TABLET_PATH, TabletPage
from server.web.survey.texts import Lang, refusal_words, t
from server.web.survey.views import ComplaintView, SurveyStatus, VisitView

if TYPE_CHECKING:
    from server.core.queue import QueueState
    from server.voice_api import VoiceApi

__all__ = ["CSP", "MAX_FIELDS", "VoiceSite"]

log = logging.getLogger("antre.voice")

FORM_COOKIE_PATH: Final = "/t/"
# The survey's form has 9 answers, 4 profile fields, the suggestion, csrf and lang; the exit
# kiosk's adds its device token and the ticket: 32 leaves room and bounds the parsing.
MAX_FIELDS: Final = 32
CSP: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_FORM_PATH: Final = re.compile(r"/t/([^/]+)(/survei|/pengaduan)")


class VoiceSite:
    """Every citizen's voice page of one server; built by server/app.py with the VoiceApi."""

    def __init__(
        self,
        building: Building,
        voice: VoiceApi,
        state: Callable[[], QueueState],
        now: Callable[[], datetime],
        *,
        monotonic: Callable[[], float] = clock_time.monotonic,
        trusted_proxies: TrustedProxies | None = None,
        guard: FormGuard | None = None,
    ) -> None:
        self.building = building
        self.voice = voice
        self.now = now  # the building's clock (a test's fake one)
        self.monotonic = monotonic  # the rate limiter's and the IKM cache's
        self.trusted = trusted_proxies or TrustedProxies()
        self.guard = guard or FormGuard.new()
        self.limiter = RateLimiter(building.survey.requests_per_minute)
        self.origins: set[str] = set()
        public = building.booking.public_url
        if public:
            parts = urlsplit(public)
            self.origins.add(f"{parts.scheme}://{parts.netloc}".lower())
        self.phone = PhonePart(self, state)
        self.exit = ExitPage(self)
        self.tablet = TabletPage(self)
        self.ikm = IkmBoardPage(self)

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): answer with the new building from now on — its
        rate, public address (the Origin check) and reverse proxies too."""
        self.building = building
        self.limiter.set_rate(building.survey.requests_per_minute)
        self.origins = origins_of(building.booking.public_url)
        self.trusted.set(building.booking.trusted_proxies)

    @staticmethod
    def handles(path: str) -> bool:
        return path.startswith(TICKET_PREFIX) or path in (
            EXIT_PATH,
            TABLET_PATH,
            IKM_PATH,
            IKM_TEXT_PATH,
        )

    # -- answers (shared by the parts) --------------------------------------------------------

    def asking(self, connection: ServerConnection, request: Request) -> Asking:
        return Asking(connection, request, self.trusted, self.origins, max_fields=MAX_FIELDS)

    def html(
        self,
        ask: Asking,
        status: HTTPStatus,
        text: str,
        *,
        cookie_path: str = FORM_COOKIE_PATH,
        csp: str = CSP,
        **headers: str,
    ) -> Response:
        extra = {
            "Content-Security-Policy": csp,
            "Referrer-Policy": "same-origin",  # a POST of a no-referrer page says Origin: null
            "X-Frame-Options": "DENY",
            "X-Robots-Tag": "noindex, nofollow",  # a ticket's page is reached by its QR alone
            **headers,
        }
        if ask.new_cookie is not None:
            extra["Set-Cookie"] = cookie_header(ask.new_cookie, secure=ask.https, path=cookie_path)
        return response(status, text.encode("utf-8"), "text/html; charset=utf-8", extra=extra)

    def message(
        self,
        ask: Asking,
        status: HTTPStatus,
        title_key: str,
        text: str,
        *,
        back: tuple[str, str] | None = None,
        ok: bool = False,
        **headers: str,
    ) -> Response:
        page = pages.message_page(
            ask.lang,
            self.building.name,
            t(ask.lang, title_key),
            text,
            here=lambda lang: pages.href(ask.path, lang, **self.kept_query(ask)),
            back=back,
            ok=ok,
        )
        return self.html(ask, status, page, **headers)

    @staticmethod
    def kept_query(ask: Asking) -> dict[str, str]:
        """What of the query a language switch keeps: a device's token, the exit's entry."""
        return {k: ask.query[k] for k in ("token", "nomor") if k in ask.query}

    def see_other(self, location: str) -> Response:
        return response(
            HTTPStatus.SEE_OTHER,
            b"",
            "text/plain; charset=utf-8",
            extra={"Location": location, "Referrer-Policy": "same-origin"},
        )

    def too_many(self, ask: Asking) -> Response | None:
        """The 429 page when this address asked too often, else None (and the ask is counted)."""
        wait_s = self.limiter.allow(ask.client, self.monotonic())
        if not wait_s:
            return None
        return self.message(
            ask,
            HTTPStatus.TOO_MANY_REQUESTS,
            "too_many_title",
            t(ask.lang, "too_many", seconds=wait_s),
            **{"Retry-After": str(wait_s)},
        )

    def form_allowed(self, ask: Asking, purpose: str) -> dict[str, str] | None:
        """The posted form when its Origin is ours and its token its cookie's for `purpose`."""
        form = ask.form
        if form is None or not same_origin(ask.origin, ask.fetch_site, ask.origins):
            return None
        if not self.guard.check(form.get("csrf"), ask.cookie, purpose, self.seconds()):
            return None
        return form

    def expired(self, ask: Asking) -> Response:
        log.info("survey form refused from %s (origin %r)", ask.client, ask.origin)
        return self.message(ask, HTTPStatus.FORBIDDEN, "expired_title", t(ask.lang, "expired"))

    def seconds(self) -> float:
        return self.now().timestamp()

    def new_csrf(self, ask: Asking, purpose: str) -> str:
        return self.guard.new_token(ask.form_cookie(self.guard), purpose, self.seconds())

    # -- what the pages show -------------------------------------------------------------------

    def visit_view(self, visit: Visit) -> VisitView:
        whole = self._whole_view(visit)
        if whole is not None:
            return whole
        line = self.building.line(visit.line)
        agency = self.building.agency(line.agency) if line else None
        return VisitView(
            visit.number,
            line.name if line else visit.line,
            agency.name if agency else "—",
            visit.day,
        )

    def whole_visit(self, visit: Visit) -> Visit:
        """The survey's visit for a ticket (issue 22): a stop of today's visit of several
        stops stands for the whole visit — its last served stop, its id, its open stops — so
        that the survey is asked once, when every stop is done or skipped."""
        state = self.phone.state()
        visit_id = state.itinerary_of.get(visit.ticket)
        itinerary = state.itineraries.get(visit_id) if visit_id is not None else None
        whole = survey_visit(itinerary, state.tickets) if itinerary is not None else None
        return whole if whole is not None else visit

    def _whole_view(self, visit: Visit) -> VisitView | None:
        """Today's visit of several stops as the survey names it: every stop served, in order
        ("B-001, J-001"; their services; their agencies) — the survey asks about them all."""
        if visit.itinerary is None:
            return None
        itinerary = self.phone.state().itineraries.get(visit.itinerary)
        if itinerary is None:
            return None  # an earlier day's: its last served stop names it
        served = [s for s in itinerary.stops if s.state == TicketState.DONE.value and s.number]
        if not served:
            return None
        lines = [self.building.line(s.line) for s in served]
        agencies: list[str] = []
        for line in lines:
            agency = self.building.agency(line.agency) if line else None
            if agency is not None and agency.name not in agencies:
                agencies.append(agency.name)
        return VisitView(
            ", ".join(s.number or "" for s in served),
            "; ".join(line.name if line else s.line for line, s in zip(lines, served, strict=True)),
            ", ".join(agencies) or "—",
            visit.day,
        )

    def survey_status(self, visit: Visit) -> SurveyStatus:
        if not self.building.survey.enabled:
            return SurveyStatus.DISABLED
        if self.voice.answered(visit.ticket) or (
            visit.itinerary is not None and self.voice.answered(visit.itinerary)
        ):
            return SurveyStatus.ANSWERED
        if visit.itinerary is not None and visit.stops_open > 0:
            return SurveyStatus.NOT_YET  # a stop of the visit is still to come
        if visit.state is not TicketState.DONE:
            return SurveyStatus.NOT_YET
        if not self.voice.survey_open(visit, self.now()):
            return SurveyStatus.CLOSED
        return SurveyStatus.OPEN

    def complaints(self, visit: Visit) -> list[ComplaintView]:
        local = self.building.local
        views = []
        for c in self.voice.complaints_of(visit.ticket):
            state = str(getattr(c.state, "value", c.state))
            deadline = c.take_by if state == "received" else c.answer_by
            views.append(
                ComplaintView(
                    c.id,
                    state,
                    c.category,
                    c.text,
                    local(c.filed_at),
                    local(deadline) if deadline is not None else None,
                    c.answer,
                )
            )
        return views

    async def find(self, token: str) -> Visit | None:
        if not TICKET_TOKEN_RE.fullmatch(token):
            return None
        found = await self.voice.visit(token)
        return found[0] if found else None

    def not_found(self, ask: Asking) -> Response:
        return self.message(ask, HTTPStatus.NOT_FOUND, "not_found_title", t(ask.lang, "not_found"))

    # -- the router's entry --------------------------------------------------------------------

    async def respond(self, connection: ServerConnection, request: Request) -> Response:
        """The answer to one request on a path that `handles` (never raises: the router logs)."""
        path = request.path.partition("?")[0]
        if self.exit.handles(path):
            return await self.exit.respond(self.asking(connection, request))
        if self.tablet.handles(path):
            return self.tablet.respond(self.asking(connection, request))
        if self.ikm.handles(path):
            return self.ikm.respond(self.asking(connection, request))
        form_path = _FORM_PATH.fullmatch(path)
        if form_path is None:
            return await self.phone.respond(self.asking(connection, request))
        ask = self.asking(connection, request)
        refused = self.too_many(ask)
        if refused is not None:
            return refused
        token, which = form_path.group(1), form_path.group(2)
        if ask.method not in ("GET", "POST"):
            return self.message(
                ask,
                HTTPStatus.METHOD_NOT_ALLOWED,
                "error_title",
                t(ask.lang, "not_allowed"),
                Allow="GET, POST",
            )
        if ask.method == "POST" and ask.body_too_large:
            return self.message(
                ask, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "error_title", t(ask.lang, "too_large")
            )
        visit = await self.find(token)
        if visit is None:
            return self.not_found(ask)
        if which == SURVEY_SUFFIX:
            return await self._survey(ask, token, self.whole_visit(visit))
        return await self._complaint(ask, token, visit)

    # -- /t/<token>/survei ---------------------------------------------------------------------

    def _ticket_link(self, token: str, lang: Lang) -> tuple[str, str]:
        # The phone page is in Indonesian only: the link does not carry the language.
        return pages.href(TICKET_PREFIX + token, Lang.ID), t(lang, "back_ticket")

    async def _survey(self, ask: Asking, token: str, visit: Visit) -> Response:
        lang = ask.lang
        back = self._ticket_link(token, lang)
        purpose = f"survei:{token}"
        form: dict[str, str] | None = None
        if ask.method == "POST":
            form = self.form_allowed(ask, purpose)
            if form is None:
                return self.expired(ask)
        status = self.survey_status(visit)
        if status is not SurveyStatus.OPEN:
            # GET: what the ticket's survey is now. POST: the same words, as a refusal.
            code = HTTPStatus.OK if form is None else HTTPStatus.CONFLICT
            answered = status is SurveyStatus.ANSWERED
            key = {
                SurveyStatus.ANSWERED: "thanks" if form is None else "survey_answered",
                SurveyStatus.NOT_YET: "survey_not_yet",
                SurveyStatus.CLOSED: "survey_closed",
                SurveyStatus.DISABLED: "survey_disabled",
            }[status]
            title = "thanks_title" if answered else "survey_title"
            return self.message(ask, code, title, t(lang, key), back=back, ok=answered)
        if form is None:
            return self._survey_form(ask, token, visit, {}, {})
        answer, problems = read_survey(form)
        if answer is None:
            return self._survey_form(ask, token, visit, form, problems, HTTPStatus.BAD_REQUEST)
        try:
            await self.voice.answer(
                visit,
                "phone",
                answer.scores,
                answer.age,
                answer.sex,
                answer.education,
                answer.occupation,
                answer.suggestion,
                request_id="web-" + FormGuard.nonce(form["csrf"]),
            )
        except DomainError as exc:
            words = refusal_words(exc.code, exc.message, lang)
            return self.message(ask, HTTPStatus.CONFLICT, "error_title", words, back=back)
        return self.see_other(pages.url(TICKET_PREFIX + token + SURVEY_SUFFIX, lang))

    def _survey_form(
        self,
        ask: Asking,
        token: str,
        visit: Visit,
        chosen: dict[str, str],
        problems: dict[str, str],
        status: HTTPStatus = HTTPStatus.OK,
    ) -> Response:
        path = TICKET_PREFIX + token + SURVEY_SUFFIX
        hidden = {"csrf": self.new_csrf(ask, f"survei:{token}"), "lang": ask.lang.value}
        form = pages.survey_form(
            ask.lang, action=path, hidden=hidden, chosen=chosen, problems=problems
        )
        page = pages.survey_page(
            ask.lang,
            self.building.name,
            self.visit_view(visit),
            form,
            here=lambda lang: pages.href(path, lang),
        )
        return self.html(ask, status, page)

    # -- /t/<token>/pengaduan ------------------------------------------------------------------

    async def _complaint(self, ask: Asking, token: str, visit: Visit) -> Response:
        lang = ask.lang
        if ask.method == "GET":
            sent = ask.query.get("terkirim", "")
            known = any(c.id == sent for c in self.complaints(visit))
            note = t(lang, "complaint_sent", id=sent) if known else ""
            return self._complaint_page(ask, token, visit, {}, {}, pages.notice(note, ok=True))
        form = self.form_allowed(ask, f"pengaduan:{token}")
        if form is None:
            return self.expired(ask)
        filed, problems = read_complaint(form)
        if filed is None:
            return self._complaint_page(
                ask, token, visit, form, problems, status=HTTPStatus.BAD_REQUEST
            )
        try:
            complaint = await self.voice.file_complaint(
                visit,
                filed.category,
                filed.text,
                "phone",
                filed.name,
                filed.phone,
                request_id="web-" + FormGuard.nonce(form["csrf"]),
            )
        except DomainError as exc:
            words = pages.notice(refusal_words(exc.code, exc.message, lang))
            return self._complaint_page(ask, token, visit, form, {}, words, HTTPStatus.CONFLICT)
        path = TICKET_PREFIX + token + COMPLAINT_SUFFIX
        return self.see_other(pages.url(path, lang, terkirim=complaint.id))

    def _complaint_page(
        self,
        ask: Asking,
        token: str,
        visit: Visit,
        typed: dict[str, str],
        problems: dict[str, str],
        lead: str = "",
        status: HTTPStatus = HTTPStatus.OK,
    ) -> Response:
        lang = ask.lang
        e = pages.html.escape
        path = TICKET_PREFIX + token + COMPLAINT_SUFFIX
        listed = self.complaints(visit)
        most = complaint_rules.PER_TICKET
        if len(listed) >= most:
            form = f'<p class="notice" id="limit">{e(t(lang, "complaint_limit", max=most))}</p>'
        elif visit.state not in COMPLAINT_STATES:
            form = f'<p class="notice" id="limit">{e(t(lang, "complaint_not_yet"))}</p>'
        else:
            hidden = {"csrf": self.new_csrf(ask, f"pengaduan:{token}"), "lang": lang.value}
            form = pages.complaint_form(
                lang, action=path, hidden=hidden, typed=typed, problems=problems
            )
        deadlines = self.building.complaints
        intro = t(lang, "complaint_intro", take=deadlines.take_days, answer=deadlines.answer_days)
        link, words = self._ticket_link(token, lang)
        body = (
            f"{lead}{pages.visit_summary(lang, self.visit_view(visit))}"
            f"{pages.complaints_list(lang, listed, self.building.zone_label)}"
            f"<h2>{e(t(lang, 'complaint_title'))}</h2>"
            f'<p id="complaint-intro">{e(intro)}</p>{form}'
            f'<p><a class="choice" id="back" href="{link}">{e(words)}</a></p>'
        )
        page = pages.shell(
            lang,
            self.building.name,
            t(lang, "section_complaints"),
            body,
            here=lambda lg: pages.href(path, lg),
        )
        return self.html(ask, status, page)
