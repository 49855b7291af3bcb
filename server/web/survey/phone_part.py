"""The phone page `/t/<token>` with the citizen's voice: the survey and the complaints (issue 20).

Today's ticket is the live page of server/web/phone.py (its script, its push); once its service
is done the page carries a section: "Survei kepuasan" with a link to `/t/<token>/survei` (or
"Terima kasih, jawaban Anda sudah tercatat." once answered; nothing once the survey is closed or
off), and "Pengaduan" with a link to `/t/<token>/pengaduan` and the ticket's complaints with
their state, deadline and answer. An earlier day's ticket is found in the store through the
VoiceApi and shown read-only with the same section: the survey stays open `[survey] days_open`
days, complaints `[complaints] days_open` days.

For a visit of several stops (issue 22) the survey is about the whole visit: offered once every
stop is done or skipped, answered once (`VoiceSite.whole_visit`); complaints stay the current
stop's ticket's.

The phone page is written in Indonesian only (as before); the forms it links to have the
English toggle.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from websockets.http11 import Response

from server.core.model import TicketState, Visit
from server.roles import TICKET_TOKEN_RE
from server.web import phone
from server.web.booking.asking import Asking
from server.web.responses import html_page, response
from server.web.survey import pages
from server.web.survey.texts import Lang, t
from server.web.survey.views import ComplaintView, SurveyStatus

if TYPE_CHECKING:
    from server.core.queue import QueueState
    from server.web.survey.site import VoiceSite

__all__ = ["COMPLAINT_STATES", "PhonePart", "section_html"]

# A complaint can be made about a ticket that reached a counter, or ended without one after
# waiting; the core decides finally (complaint_not_finished), the page only hides the link
# while the ticket still waits.
COMPLAINT_STATES: Final = frozenset(
    {TicketState.DONE, TicketState.NO_SHOW, TicketState.CANCELLED, TicketState.EXPIRED}
)
_e = html.escape


def section_html(
    token: str,
    survey: SurveyStatus,
    can_complain: bool,
    complaints: list[ComplaintView],
    zone: str,
) -> str:
    """The phone page's section (Indonesian): the survey's offer or thanks, the complaints."""
    lang = Lang.ID
    base = phone_path(token)
    parts = []
    if survey is SurveyStatus.OPEN:
        parts.append(
            f'<section class="voice" id="survey-offer"><h2>{_e(t(lang, "section_survey"))}</h2>'
            f"<p>{_e(t(lang, 'survey_invite'))}</p>"
            f'<p><a class="button" id="survey-link" href="{_e(base + pages.SURVEY_SUFFIX)}">'
            f"{_e(t(lang, 'survey_link'))}</a></p></section>"
        )
    elif survey is SurveyStatus.ANSWERED:
        parts.append(
            f'<section class="voice" id="survey-offer"><h2>{_e(t(lang, "section_survey"))}</h2>'
            f'<p class="thanks" id="survey-thanks">{_e(t(lang, "thanks"))}</p></section>'
        )
    if can_complain or complaints:
        link = (
            f"<p>{_e(t(lang, 'complaint_invite'))}</p>"
            f'<p><a class="button secondary" id="complaint-link" '
            f'href="{_e(base + pages.COMPLAINT_SUFFIX)}">{_e(t(lang, "complaint_link"))}</a></p>'
            if can_complain
            else ""
        )
        parts.append(
            f'<section class="voice" id="voice-complaints">'
            f"<h2>{_e(t(lang, 'section_complaints'))}</h2>{link}"
            f"{pages.complaints_list(lang, complaints, zone)}</section>"
        )
    return "".join(parts)


def phone_path(token: str) -> str:
    return pages.TICKET_PREFIX + token


class PhonePart:
    """`/t/<token>`: today's live page or an earlier day's, with the section."""

    def __init__(self, site: VoiceSite, state: Callable[[], QueueState]) -> None:
        self.site = site
        self.state = state  # the engine's queue state: today's tickets, the people ahead

    async def respond(self, ask: Asking) -> Response:
        if ask.method != "GET":
            body = "<h1>Metode tidak diizinkan</h1>"
            return html_page(HTTPStatus.METHOD_NOT_ALLOWED, "Tidak diizinkan", body)
        token = ask.path.removeprefix(pages.TICKET_PREFIX)
        if not TICKET_TOKEN_RE.fullmatch(token):
            return phone.not_found()
        site = self.site
        found = await site.voice.visit(token)
        if found is None:
            return phone.not_found()
        visit, ticket = found
        building = site.building
        state = self.state()
        now = site.now()
        section = self.section(token, visit)
        today = state.ticket_by_token(token)
        if today is not None:
            view = phone.public_view(today, state, building, now)
            page = phone.page_html(today, view, building, section=section)
        else:
            page = phone.page_html(
                ticket,
                phone.past_view(ticket, building),
                building,
                section=section,
                live=False,
                status=t(Lang.ID, "earlier_note"),
            )
        extra = {"Content-Security-Policy": phone.CSP, "Referrer-Policy": "no-referrer"}
        body = page.encode("utf-8")
        return response(HTTPStatus.OK, body, "text/html; charset=utf-8", extra=extra)

    def section(self, token: str, visit: Visit) -> str:
        site = self.site
        return section_html(
            token,
            site.survey_status(site.whole_visit(visit)),
            visit.state in COMPLAINT_STATES,
            site.complaints(visit),
            site.building.zone_label,
        )
