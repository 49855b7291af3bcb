"""The counter tablet's page: `/tablet?token=<tablet device token>` (issue 20).

A small tablet on the counter, facing the citizen. Its page idles with the counter's name; when
the officer finishes a ticket there, the server pushes `survey_offer` to it (docs/protocol.md)
and the page shows the survey for that number; the citizen taps the answers and "Kirim
jawaban", the page sends `answer_survey` over the websocket (role `tablet`, channel
`tablet:<device id>`), thanks, and returns to idle; an offer nobody answers goes back to idle
after `idle_s` (`[survey] tablet_idle_s`).

The server renders the whole page — the idle words, the survey form (the phone's, word for
word: pages.survey_form) hidden until an offer — and server/web/static/tablet.js shows, hides
and sends; every text it writes comes from the page's data attributes, set here, escaped. The
page belongs to a `[[devices]]` entry of `kind = "tablet"` (its `counter`): without its token,
403. `?lang=en` reloads the page in English; the snapshot brings an open offer back.
"""

from __future__ import annotations

import html
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from websockets.http11 import Response

from server import protocol as p
from server.core.building import DeviceKind
from server.web.booking.asking import Asking
from server.web.survey import pages
from server.web.survey.exit_page import device_of
from server.web.survey.texts import t

if TYPE_CHECKING:
    from server.web.survey.site import VoiceSite

__all__ = ["CSP", "TABLET_PATH", "THANKS_S", "TabletPage"]

TABLET_PATH: Final = "/tablet"
THANKS_S: Final = 6  # the thank-you stays this long before the idle screen
CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; "
    "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_e = html.escape


class TabletPage:
    """`/tablet`: the page a counter's tablet keeps open all day."""

    def __init__(self, site: VoiceSite) -> None:
        self.site = site

    @staticmethod
    def handles(path: str) -> bool:
        return path == TABLET_PATH

    def respond(self, ask: Asking) -> Response:
        site = self.site
        building = site.building
        token = ask.query.get("token")
        device = device_of(building.devices, DeviceKind.TABLET, token)
        if device is None or ask.method != "GET":
            refused = site.too_many(ask)
            if refused is not None:
                return refused
            if device is None:
                return site.message(
                    ask, HTTPStatus.FORBIDDEN, "device_title", t(ask.lang, "device_refused")
                )
            return site.message(
                ask,
                HTTPStatus.METHOD_NOT_ALLOWED,
                "error_title",
                t(ask.lang, "not_allowed"),
                Allow="GET",
            )
        assert token is not None
        lang = ask.lang
        counter = building.counter(device.counter or "")
        counter_name = counter.name if counter else (device.counter or "")
        form = pages.survey_form(lang, action=TABLET_PATH, hidden={}, chosen={}, problems={})
        words = {
            "for": t(lang, "tablet_for", number="{number}"),
            "sending": t(lang, "tablet_sending"),
            "failed": t(lang, "tablet_failed", message="{message}"),
            "offline": t(lang, "tablet_offline"),
            "missing": t(lang, "answer_missing"),
            "problems": t(lang, "problems"),
            "idle": t(lang, "tablet_idle", counter="{counter}"),
        }
        data = "".join(f' data-t-{k}="{_e(v)}"' for k, v in words.items())
        attrs = (
            f' id="tablet" data-ws-path="{_e(p.WS_PATH)}" data-protocol="{p.PROTOCOL_VERSION}"'
            f' data-idle-s="{building.survey.tablet_idle_s}" data-thanks-s="{THANKS_S}"'
            f' data-lang="{lang.value}" data-state="idle"{data}'
        )
        body = (
            '<section id="idle" class="idle">'
            f'<p class="idle-title" id="idle-title">'
            f"{_e(t(lang, 'tablet_idle', counter=counter_name))}</p>"
            f"<p>{_e(t(lang, 'tablet_idle_text'))}</p></section>"
            '<section id="offer" hidden>'
            '<p class="offer-for" id="offer-for"></p>'
            '<dl class="summary"><div><dt>'
            f'{_e(t(lang, "service"))}</dt><dd id="offer-line"></dd></div><div><dt>'
            f'{_e(t(lang, "agency"))}</dt><dd id="offer-agency"></dd></div></dl>'
            f"<p>{_e(t(lang, 'survey_intro'))}</p>{form}"
            '<p class="send-state" id="send-state" role="status"></p></section>'
            '<section id="thanks" class="thanks-box" hidden>'
            f'<p class="thanks" id="thanks-text">{_e(t(lang, "thanks"))}</p></section>'
            '<p class="link-state" id="link-state" hidden></p>'
        )
        page = pages.shell(
            lang,
            building.name,
            t(lang, "tablet_title"),
            body,
            here=lambda lg: pages.href(TABLET_PATH, lg, token=token),
            head='<script src="/static/tablet.js" defer></script>',
            css=(pages.CSS_PATH, "/static/tablet.css"),
            main_attrs=attrs,
        )
        return site.html(ask, HTTPStatus.OK, page, csp=CSP, **{"Referrer-Policy": "no-referrer"})
