"""The exit kiosk's survey: `/keluar?token=<exit device token>` (issue 20).

A touch screen by the building's exit, for a citizen without a phone: they type the number on
their ticket (today's: "A-017", "a17" are read alike) or scan the ticket's QR code with a USB
scanner, which types the phone page's URL (`…/t/<token>`) into the same field and presses Enter
(the token is taken from it: an earlier day's ticket is found too). The field is a plain GET
form, so the page needs no script. The ticket's survey form follows (the phone's, word for
word); its POST answers once per ticket (channel `exit:<device id>`), then a thank-you that goes
back to the start by itself (a meta refresh), for the next citizen, in Indonesian.

The page belongs to a registered device: a `[[devices]]` entry of `kind = "exit"`, whose token
is in the URL (and in the form, hidden). Without it: 403, and the address is counted by the
survey's rate limit; a registered exit kiosk is not (one screen serves the whole building).
"""

from __future__ import annotations

import html
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from websockets.http11 import Response

from server.auth import verify_token
from server.core.building import Device, DeviceKind
from server.core.model import DomainError, Visit
from server.web.booking.asking import Asking
from server.web.booking.csrf import FormGuard
from server.web.survey import pages
from server.web.survey.forms import read_entry, read_survey
from server.web.survey.texts import Lang, refusal_words, t
from server.web.survey.views import SurveyStatus

if TYPE_CHECKING:
    from server.web.survey.site import VoiceSite

__all__ = ["EXIT_PATH", "FORM_IDLE_S", "THANKS_S", "ExitPage", "device_of"]

EXIT_PATH: Final = "/keluar"
THANKS_S: Final = 8  # the thank-you stays this long, then the start again
FORM_IDLE_S: Final = 600  # a form left half-filled goes back to the start for the next citizen
_e = html.escape


def device_of(devices: tuple[Device, ...], kind: DeviceKind, token: str | None) -> Device | None:
    """The registered device of `kind` whose token this is, or None."""
    if not token:
        return None
    for device in devices:
        if device.kind is kind and verify_token(token, device.token_sha256):
            return device
    return None


class ExitPage:
    """`/keluar`: the start (a number or a scan), the survey form, the thank-you."""

    def __init__(self, site: VoiceSite) -> None:
        self.site = site

    @staticmethod
    def handles(path: str) -> bool:
        return path == EXIT_PATH

    async def respond(self, ask: Asking) -> Response:
        site = self.site
        token = (ask.form or {}).get("token") or ask.query.get("token")
        device = device_of(site.building.devices, DeviceKind.EXIT, token)
        if device is None:
            refused = site.too_many(ask)
            if refused is not None:
                return refused
            return site.message(
                ask, HTTPStatus.FORBIDDEN, "device_title", t(ask.lang, "device_refused")
            )
        assert token is not None
        if ask.method == "POST":
            if ask.body_too_large:
                return site.message(
                    ask, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "error_title",
                    t(ask.lang, "too_large"),
                )  # fmt: skip
            return await self._post(ask, token, device)
        if ask.method != "GET":
            return site.message(
                ask,
                HTTPStatus.METHOD_NOT_ALLOWED,
                "error_title",
                t(ask.lang, "not_allowed"),
                Allow="GET, POST",
            )
        if ask.query.get("terima"):
            return self._thanks(ask, token)
        typed = ask.query.get("nomor", "")
        if not typed.strip():
            return self._start(ask, token)
        visit, problem = await self._visit(ask, typed)
        if visit is None:
            return self._start(ask, token, problem, status=HTTPStatus.NOT_FOUND)
        refusal = self._refusal(ask, visit)
        if refusal:
            return self._start(ask, token, refusal, status=HTTPStatus.CONFLICT)
        return self._form(ask, token, typed, visit, {}, {})

    async def _visit(self, ask: Asking, typed: str) -> tuple[Visit | None, str]:
        """The visit a typed number or a scanned URL names, or the words of why none."""
        entry = read_entry(typed)
        if entry is None:
            return None, t(ask.lang, "number_bad")
        if entry.number is not None:
            visit = await self.site.voice.visit_by_number(entry.number)
            return visit, "" if visit else t(ask.lang, "number_unknown", number=entry.number)
        visit = await self.site.find(entry.token or "")
        return visit, "" if visit else t(ask.lang, "not_found")

    def _refusal(self, ask: Asking, visit: Visit) -> str:
        status = self.site.survey_status(visit)
        match status:
            case SurveyStatus.OPEN:
                return ""
            case SurveyStatus.ANSWERED:
                return t(ask.lang, "already_answered", number=visit.number)
            case SurveyStatus.NOT_YET:
                return t(ask.lang, "survey_not_yet")
            case SurveyStatus.CLOSED:
                return t(ask.lang, "survey_closed")
        return t(ask.lang, "survey_disabled")

    async def _post(self, ask: Asking, token: str, device: Device) -> Response:
        site = self.site
        form = ask.form or {}
        typed = form.get("nomor", "")
        visit, problem = await self._visit(ask, typed)
        if visit is None:
            return self._start(ask, token, problem, status=HTTPStatus.NOT_FOUND)
        allowed = site.form_allowed(ask, f"keluar:{visit.ticket}")
        if allowed is None:
            return site.expired(ask)
        refusal = self._refusal(ask, visit)
        if refusal:
            return self._start(ask, token, refusal, status=HTTPStatus.CONFLICT)
        answer, problems = read_survey(allowed)
        if answer is None:
            return self._form(ask, token, typed, visit, allowed, problems, HTTPStatus.BAD_REQUEST)
        try:
            await site.voice.answer(
                visit,
                f"exit:{device.id}",
                answer.scores,
                answer.age,
                answer.sex,
                answer.education,
                answer.occupation,
                answer.suggestion,
                request_id="exit-" + FormGuard.nonce(allowed["csrf"]),
            )
        except DomainError as exc:
            words = refusal_words(exc.code, exc.message, ask.lang)
            return self._start(ask, token, words, status=HTTPStatus.CONFLICT)
        return site.see_other(pages.url(EXIT_PATH, ask.lang, token=token, terima="1"))

    # -- pages ---------------------------------------------------------------------------------

    def _html(self, ask: Asking, status: HTTPStatus, page: str) -> Response:
        return self.site.html(ask, status, page, cookie_path=EXIT_PATH)

    def _start(
        self, ask: Asking, token: str, problem: str = "", *, status: HTTPStatus = HTTPStatus.OK
    ) -> Response:
        lang = ask.lang
        keep = '<input type="hidden" name="lang" value="en">' if lang is Lang.EN else ""
        body = (
            f"{pages.notice(problem)}<p>{_e(t(lang, 'exit_intro'))}</p>"
            f'<form method="get" action="{EXIT_PATH}" id="entry">'
            f'<input type="hidden" name="token" value="{_e(token)}">{keep}'
            f'<label for="nomor">{_e(t(lang, "number"))}'
            f'<span class="hint">{_e(t(lang, "number_hint"))}</span></label>'
            '<input type="text" id="nomor" name="nomor" class="big" autofocus autocomplete="off" '
            'autocapitalize="characters" spellcheck="false" maxlength="200">'
            f'<button type="submit" class="primary" id="next">{_e(t(lang, "next"))}</button>'
            "</form>"
        )
        page = pages.shell(
            lang,
            self.site.building.name,
            t(lang, "exit_title"),
            body,
            here=lambda lg: pages.href(EXIT_PATH, lg, token=token),
        )
        return self._html(ask, status, page)

    def _form(
        self,
        ask: Asking,
        token: str,
        typed: str,
        visit: Visit,
        chosen: dict[str, str],
        problems: dict[str, str],
        status: HTTPStatus = HTTPStatus.OK,
    ) -> Response:
        site = self.site
        lang = ask.lang
        hidden = {
            "csrf": site.new_csrf(ask, f"keluar:{visit.ticket}"),
            "token": token,
            "nomor": typed,
            "lang": lang.value,
        }
        form = pages.survey_form(
            lang, action=EXIT_PATH, hidden=hidden, chosen=chosen, problems=problems
        )
        start = _e(pages.url(EXIT_PATH, Lang.ID, token=token))
        again = f'<p><a class="choice" id="back" href="{start}">{_e(t(lang, "exit_again"))}</a></p>'
        page = pages.shell(
            lang,
            site.building.name,
            t(lang, "survey_title"),
            f"{pages.visit_summary(lang, site.visit_view(visit))}"
            f"<p>{_e(t(lang, 'survey_intro'))}</p>{form}{again}",
            here=lambda lg: pages.href(EXIT_PATH, lg, token=token, nomor=typed),
            head=f'<meta http-equiv="refresh" content="{FORM_IDLE_S};url={start}">',
        )
        return self._html(ask, status, page)

    def _thanks(self, ask: Asking, token: str) -> Response:
        lang = ask.lang
        start = _e(pages.url(EXIT_PATH, Lang.ID, token=token))
        page = pages.message_page(
            lang,
            self.site.building.name,
            t(lang, "thanks_title"),
            t(lang, "thanks"),
            here=lambda lg: pages.href(EXIT_PATH, lg, token=token, terima="1"),
            back=(start, t(lang, "exit_again")),
            ok=True,
            head=f'<meta http-equiv="refresh" content="{THANKS_S};url={start}">',
            extra=f'<p id="soon">{_e(t(lang, "exit_soon", seconds=THANKS_S))}</p>',
        )
        return self._html(ask, HTTPStatus.OK, page)
