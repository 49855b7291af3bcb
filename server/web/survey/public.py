"""The published SKM: the public page `/ikm` and the TVs' running text `/ikm/teks` (issue 20).

PermenPANRB 14/2017 asks every unit to publish its IKM. `/ikm` shows, for the building's public
period (`[survey] public_period`: the current one so far, and the last whole one), each agency's
IKM with its grade in the regulation's words ("B — Baik") and its respondents, and the building
as a whole. Scores only: never a suggestion, never a counter or an officer. In Indonesian, with
the English toggle.

`/ikm/teks` is the line the TVs add to their running text when `[survey] running_text` is set:
`{"text": "IKM MPP Kota Contoh: 86,52 (B — Baik), 1.234 responden, Triwulan IV 2026"}` (the
current period; while it has no answer yet, the last whole one), or `{"text": ""}`. The TV page
asks for it every few minutes (display/web/tv.js).

The figures come from the VoiceApi (`public_ikm`), computed at most once a minute whoever asks:
a public page may be asked often, the figures move slowly.
"""

from __future__ import annotations

import html
import json
from datetime import date
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from websockets.http11 import Response

from server.core import skm
from server.core.building import Building
from server.voice_api import IkmFigure as VoiceFigure
from server.voice_api import PublicIkm
from server.web.booking.asking import Asking
from server.web.responses import response
from server.web.survey import pages
from server.web.survey.texts import Lang, count_words, date_words, decimal_words, t
from server.web.survey.views import IkmBoard, IkmFigure, IkmRow

if TYPE_CHECKING:
    from server.web.survey.site import VoiceSite

__all__ = [
    "CACHE_S",
    "IKM_PATH",
    "IKM_TEXT_PATH",
    "IkmBoardPage",
    "board_of",
    "ikm_page",
    "running_text",
]

IKM_PATH: Final = "/ikm"
IKM_TEXT_PATH: Final = "/ikm/teks"
CACHE_S: Final = 60.0
_e = html.escape


def _figure_cells(lang: Lang, figure: IkmFigure) -> str:
    if figure.ikm is None or not figure.respondents:
        return (
            '<td class="ikm">—</td>'
            f'<td class="grade">{_e(t(lang, "no_answers"))}</td>'
            f'<td class="count">{_e(count_words(figure.respondents, lang))}</td>'
        )
    words = figure.words_en if lang is Lang.EN else figure.words
    return (
        f'<td class="ikm">{_e(decimal_words(figure.ikm, lang))}</td>'
        f'<td class="grade">{_e(f"{figure.letter} — {words}")}</td>'
        f'<td class="count">{_e(count_words(figure.respondents, lang))}</td>'
    )


def _table(lang: Lang, board: IkmBoard, which: str, caption: str) -> str:
    head = "".join(
        f'<th scope="col">{_e(t(lang, key))}</th>'
        for key in ("unit", "ikm", "grade", "respondents")
    )
    rows = "".join(
        f'<tr data-unit="{_e(row.name)}"><th scope="row">{_e(row.name)}</th>'
        f"{_figure_cells(lang, getattr(row, which))}</tr>"
        for row in board.agencies
    )
    total = (
        f'<tr class="total" data-unit="building"><th scope="row">'
        f"{_e(t(lang, 'whole_building'))}</th>{_figure_cells(lang, getattr(board.total, which))}"
        "</tr>"
    )
    return (
        f'<table class="ikm-table" id="ikm-{which}"><caption>{_e(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody><tfoot>{total}</tfoot></table>"
    )


def ikm_page(lang: Lang, board: IkmBoard) -> str:
    """The public page: this period so far, then the last whole one, then how it is computed."""
    now_caption = t(
        lang, "period_now", label=board.now_label, day=date_words(board.now_until, lang)
    )
    body = (
        f"<p>{_e(t(lang, 'ikm_intro', building=board.building))}</p>"
        f"{_table(lang, board, 'now', now_caption)}"
        f"{_table(lang, board, 'last', board.last_label)}"
        f'<p class="note" id="ikm-note">{_e(t(lang, "ikm_note"))}</p>'
    )
    return pages.shell(
        lang, board.building, t(lang, "ikm_title"), body, here=lambda lg: pages.href(IKM_PATH, lg)
    )


def running_text(board: IkmBoard) -> str:
    """The TVs' line (Indonesian): the current period's IKM, or the last whole one's while the
    current has no answer; "" when neither has."""
    for figure, label in ((board.total.now, board.now_label), (board.total.last, board.last_label)):
        if figure.ikm is not None and figure.respondents:
            return t(
                Lang.ID,
                "running_text",
                building=board.building,
                ikm=decimal_words(figure.ikm, Lang.ID),
                letter=figure.letter,
                words=figure.words,
                count=count_words(figure.respondents, Lang.ID),
                period=label,
            )
    return ""


def _figure(figure: VoiceFigure) -> IkmFigure:
    g = figure.grade
    if figure.ikm is None or g is None:
        return IkmFigure(figure.respondents, None)
    return IkmFigure(figure.respondents, figure.ikm, g.letter, g.words, g.words_en)


def board_of(public: PublicIkm, building: Building, today: date, lang: Lang) -> IkmBoard:
    """The page's values from the VoiceApi's figures: every agency of the building in its
    order, the building as a whole, the periods named in the page's language."""
    kind = building.survey.public_period
    now, last = public.current, public.previous
    rows = tuple(
        IkmRow(
            agency.name,
            _figure(now.agencies.get(agency.code) or VoiceFigure.of(skm.Tally())),
            _figure(last.agencies.get(agency.code) or VoiceFigure.of(skm.Tally())),
        )
        for agency in building.agencies
    )
    return IkmBoard(
        building.name,
        skm.period_of(now.first_day, kind, lang.value)[2],
        today,
        skm.period_of(last.first_day, kind, lang.value)[2],
        rows,
        IkmRow(building.name, _figure(now.building), _figure(last.building)),
    )


class IkmBoardPage:
    """`/ikm` and `/ikm/teks` of one server, over the VoiceApi's figures (cached a minute)."""

    def __init__(self, site: VoiceSite) -> None:
        self.site = site
        self._cached: tuple[float, PublicIkm, date] | None = None

    @staticmethod
    def handles(path: str) -> bool:
        return path in (IKM_PATH, IKM_TEXT_PATH)

    def board(self, lang: Lang) -> IkmBoard:
        site = self.site
        at = site.monotonic()
        if self._cached is None or at - self._cached[0] >= CACHE_S:
            now = site.now()
            self._cached = (at, site.voice.public_ikm(now), site.building.service_day(now))
        _, public, today = self._cached
        return board_of(public, site.building, today, lang)

    def respond(self, ask: Asking) -> Response:
        site = self.site
        if ask.method != "GET":
            return site.message(
                ask,
                HTTPStatus.METHOD_NOT_ALLOWED,
                "error_title",
                t(ask.lang, "not_allowed"),
                Allow="GET",
            )
        if ask.path == IKM_TEXT_PATH:
            survey = site.building.survey
            shown = survey.enabled and survey.running_text
            text = running_text(self.board(Lang.ID)) if shown else ""
            body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
            return response(HTTPStatus.OK, body, "application/json; charset=utf-8")
        page = ikm_page(ask.lang, self.board(ask.lang))
        # Published on purpose (the regulation asks it): search engines may list it.
        return site.html(ask, HTTPStatus.OK, page, **{"X-Robots-Tag": "all"})
