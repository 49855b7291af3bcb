"""The citizen's voice pages' HTML: pure functions of view values (views.py) and the language.

Every value that comes from a person, the building file or the core goes through `html.escape`
(`_e`), in text and in attributes alike: a suggestion or a complaint that holds markup is shown
as the characters typed. The pages load no script (the counter tablet's page aside, whose script
is a file of ours: server/web/static/tablet.js) and work without JavaScript: links, and plain
POST forms with a hidden `csrf` token. `?lang=en` is carried by every link and form.

Large targets for every age: each worded answer is a whole labelled block to tap (its radio
button inside), at least 3.25 rem tall (server/web/static/survey.css).

The questionnaire is the regulation's (server/core/skm.py: the elements in the annex's order,
each question with its four worded answers, answer 1 scoring 1); the categories of a complaint
are server/core/complaints.py's.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Final
from urllib.parse import urlencode

from server.core import complaints, skm
from server.core.dates import format_clock
from server.web.survey.forms import PROFILE_FIELDS, SCORE_FIELDS
from server.web.survey.texts import Lang, date_words, t
from server.web.survey.views import ComplaintView, VisitView

__all__ = [
    "COMPLAINT_SUFFIX",
    "CSS_PATH",
    "SURVEY_SUFFIX",
    "TICKET_PREFIX",
    "category_label",
    "complaint_form",
    "complaints_list",
    "href",
    "message_page",
    "notice",
    "shell",
    "survey_form",
    "survey_page",
    "time_words",
    "url",
    "visit_summary",
]

CSS_PATH: Final = "/static/survey.css"
TICKET_PREFIX: Final = "/t/"  # + a ticket's token: its phone page (server/web/phone.py)
# A ticket's own pages, after its phone page's path (suffixes, not paths: routes.py names the
# routes "/t/<token>/survei" and "/t/<token>/pengaduan").
SURVEY_SUFFIX: Final = "/" + "survei"
COMPLAINT_SUFFIX: Final = "/" + "pengaduan"

_e = html.escape


def url(path: str, lang: Lang, **params: str) -> str:
    """The address of one of our pages, keeping the language (for a Location header)."""
    query = {k: v for k, v in params.items() if v}
    if lang is Lang.EN:
        query["lang"] = "en"
    return path + ("?" + urlencode(query) if query else "")


def href(path: str, lang: Lang, **params: str) -> str:
    """A link to one of our pages, keeping the language; escaped for an attribute."""
    return _e(url(path, lang, **params))


def shell(
    lang: Lang,
    building: str,
    title: str,
    body: str,
    *,
    here: Callable[[Lang], str],
    head: str = "",
    css: Iterable[str] = (CSS_PATH,),
    main_attrs: str = "",
) -> str:
    """The page around `body` (trusted HTML); `here(lang)` links this page in the other
    language; `head` is trusted markup for the head (a refresh, a script tag of ours)."""
    other = Lang.of(t(lang, "switch_lang"))
    sheets = "".join(f'<link rel="stylesheet" href="{_e(path)}">' for path in css)
    return f"""<!doctype html>
<html lang="{lang.value}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>{_e(title)} · {_e(building)}</title>
{sheets}{head}
</head>
<body>
<header><span class="site">{_e(building)}</span>
<a class="lang" id="lang" href="{here(other)}" hreflang="{other.value}">{_e(t(lang, "switch"))}</a>
</header>
<main{main_attrs}>
<h1 id="title">{_e(title)}</h1>
{body}
</main>
</body>
</html>
"""


def notice(text: str, *, ok: bool = False) -> str:
    """A box that says what happened (a refusal; with `ok`, a success)."""
    if not text:
        return ""
    role = "status" if ok else "alert"
    kind = "notice ok" if ok else "notice"
    return f'<div class="{kind}" id="notice" role="{role}">{_e(text)}</div>'


def visit_summary(lang: Lang, visit: VisitView) -> str:
    rows = [
        (t(lang, "number"), visit.number),
        (t(lang, "service"), visit.line_name),
        (t(lang, "agency"), visit.agency_name),
        (t(lang, "date"), date_words(visit.day, lang)),
    ]
    items = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in rows)
    return f'<dl class="summary" id="visit">{items}</dl>'


def time_words(lang: Lang, at: datetime, zone: str) -> str:
    """ "Kamis, 10 Desember 2026 · 23.59 WIB" (the same words in English but the date's)."""
    return f"{date_words(at.date(), lang)} · {format_clock(at)} {zone}"


def _problem(lang: Lang, name: str, problems: Mapping[str, str], **values: object) -> str:
    key = problems.get(name)
    if not key:
        return ""
    return f'<p class="problem" id="{name}-problem">{_e(t(lang, key, **values))}</p>'


def _radio(name: str, value: str, label: str, checked: bool, ident: str) -> str:
    mark = " checked" if checked else ""
    return (
        f'<label class="answer" for="{ident}"><input type="radio" id="{ident}" name="{name}" '
        f'value="{_e(value)}"{mark}><span>{_e(label)}</span></label>'
    )


def _hidden(fields: Mapping[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{_e(k)}" value="{_e(v)}">' for k, v in fields.items()
    )


def survey_form(
    lang: Lang,
    *,
    action: str,
    hidden: Mapping[str, str],
    chosen: Mapping[str, str],
    problems: Mapping[str, str],
) -> str:
    """The nine questions with their worded answers, the optional profile and suggestion.

    `action` is the POST's path (trusted); `hidden` the form's own fields (csrf, lang, …);
    `chosen` what was sent before (refilled after a problem); `problems` texts.py keys by field.
    """
    en = lang is Lang.EN
    parts: list[str] = []
    for element, name in zip(skm.ELEMENTS, SCORE_FIELDS, strict=True):
        answers = element.answers_en if en else element.answers
        radios = "".join(
            _radio(name, str(score), words, chosen.get(name) == str(score), f"{name}-{score}")
            for score, words in enumerate(answers, start=1)
        )
        state = ' class="element missing"' if name in problems else ' class="element"'
        parts.append(
            f'<fieldset{state} id="q-{name}"><legend><span class="code">{_e(element.code)}</span> '
            f"{_e(element.name_en if en else element.name)}</legend>"
            f'<p class="question">{_e(element.question_en if en else element.question)}</p>'
            f'<div class="answers">{radios}</div>{_problem(lang, name, problems)}</fieldset>'
        )
    profile: list[str] = []
    for name, key, options in PROFILE_FIELDS:
        given = chosen.get(name, "")
        radios = _radio(name, "", t(lang, "not_said"), not given, f"{name}-none") + "".join(
            _radio(name, code, label_en if en else label, given == code, f"{name}-{code}")
            for code, label, label_en in options
        )
        profile.append(
            f'<fieldset class="profile-item" id="q-{name}"><legend>{_e(t(lang, key))}</legend>'
            f'<div class="answers small">{radios}</div>{_problem(lang, name, problems)}</fieldset>'
        )
    most = skm.SUGGESTION_MAX
    parts.append(
        f'<section class="profile"><h2>{_e(t(lang, "profile_title"))}</h2>'
        f"<p>{_e(t(lang, 'profile_intro'))}</p>{''.join(profile)}</section>"
        f'<label for="saran">{_e(t(lang, "suggestion"))}'
        f'<span class="hint">{_e(t(lang, "suggestion_hint", max=most))}</span></label>'
        f'<textarea id="saran" name="saran" rows="4" maxlength="{most}">'
        f"{_e(chosen.get('saran', ''))}</textarea>"
        f"{_problem(lang, 'saran', problems, max=most)}"
    )
    warn = (
        f'<div class="problems" id="problems" role="alert">{_e(t(lang, "problems"))}</div>'
        if problems
        else ""
    )
    return (
        f'{warn}<form method="post" action="{_e(action)}" id="survey" class="survey" novalidate>'
        f"{_hidden(hidden)}{''.join(parts)}"
        f'<button type="submit" class="primary" id="send">{_e(t(lang, "submit_survey"))}</button>'
        "</form>"
    )


def survey_page(
    lang: Lang,
    building: str,
    visit: VisitView,
    form: str,
    *,
    here: Callable[[Lang], str],
    lead: str = "",
) -> str:
    """A ticket's survey: which visit it is about, then the form (trusted HTML)."""
    body = f"{lead}{visit_summary(lang, visit)}<p>{_e(t(lang, 'survey_intro'))}</p>{form}"
    return shell(lang, building, t(lang, "survey_title"), body, here=here)


def message_page(
    lang: Lang,
    building: str,
    title: str,
    text: str,
    *,
    here: Callable[[Lang], str],
    back: tuple[str, str] | None = None,
    ok: bool = False,
    head: str = "",
    extra: str = "",
) -> str:
    """A page that only says something; `back` is (a trusted link, its words); `extra` trusted
    HTML after the text (a ticket's complaints)."""
    box = f'<p id="message" class="{"thanks" if ok else "message"}">{_e(text)}</p>'
    link = f'<p><a class="choice" id="back" href="{back[0]}">{_e(back[1])}</a></p>' if back else ""
    return shell(lang, building, title, f"{box}{extra}{link}", here=here, head=head)


def category_label(lang: Lang, code: str) -> str:
    for known, label, label_en in complaints.CATEGORIES:
        if known == code:
            return label_en if lang is Lang.EN else label
    return code


def complaints_list(lang: Lang, items: Iterable[ComplaintView], zone: str) -> str:
    """A ticket's complaints: number, category, state, deadline while open, the answer."""
    cards = []
    for c in items:
        rows = [
            (t(lang, "complaint_id"), c.id, "id"),
            (t(lang, "category"), category_label(lang, c.category), "category"),
            (t(lang, "filed"), time_words(lang, c.filed_at, zone), "filed"),
            (t(lang, "state"), t(lang, f"state_{c.state}"), "state"),
        ]
        if c.deadline is not None and c.state in ("received", "in_progress"):
            rows.append((t(lang, "deadline"), time_words(lang, c.deadline, zone), "deadline"))
        listed = "".join(
            f'<div><dt>{_e(k)}</dt><dd class="c-{cls}">{_e(v)}</dd></div>' for k, v, cls in rows
        )
        answer = (
            f'<div class="answer-text"><h3>{_e(t(lang, "answer"))}</h3>'
            f'<p class="c-answer">{_e(c.answer)}</p></div>'
            if c.answer
            else ""
        )
        cards.append(
            f'<article class="complaint" data-id="{_e(c.id)}" data-state="{_e(c.state)}">'
            f'<dl class="summary">{listed}</dl><p class="c-text">{_e(c.text)}</p>{answer}</article>'
        )
    if not cards:
        return ""
    return (
        f'<section id="complaints"><h2>{_e(t(lang, "your_complaints"))}</h2>{"".join(cards)}'
        "</section>"
    )


def complaint_form(
    lang: Lang,
    *,
    action: str,
    hidden: Mapping[str, str],
    typed: Mapping[str, str],
    problems: Mapping[str, str],
) -> str:
    """The complaint form: a category (blocks to tap), the text, the optional contact."""
    chosen = typed.get("kategori", "")
    en = lang is Lang.EN
    radios = "".join(
        _radio("kategori", code, label_en if en else label, chosen == code, f"kategori-{code}")
        for code, label, label_en in complaints.CATEGORIES
    )
    most = complaints.TEXT_MAX
    warn = (
        f'<div class="problems" id="problems" role="alert">{_e(t(lang, "problems"))}</div>'
        if problems
        else ""
    )
    return (
        f'{warn}<form method="post" action="{_e(action)}" id="complaint" novalidate>'
        f"{_hidden(hidden)}"
        f'<fieldset class="element" id="q-kategori"><legend>{_e(t(lang, "category"))}</legend>'
        f'<div class="answers">{radios}</div>{_problem(lang, "kategori", problems)}</fieldset>'
        f'<label for="isi">{_e(t(lang, "text"))}'
        f'<span class="hint">{_e(t(lang, "text_hint", max=most))}</span></label>'
        f'<textarea id="isi" name="isi" rows="6" maxlength="{most}">'
        f"{_e(typed.get('isi', ''))}</textarea>{_problem(lang, 'isi', problems, max=most)}"
        f'<section class="contact"><h2>{_e(t(lang, "contact_title"))}</h2>'
        f"<p>{_e(t(lang, 'contact_intro'))}</p>"
        f'<label for="nama">{_e(t(lang, "name"))}</label>'
        f'<input type="text" id="nama" name="nama" maxlength="80" autocomplete="name" '
        f'value="{_e(typed.get("nama", ""))}">{_problem(lang, "nama", problems, max=80)}'
        f'<label for="hp">{_e(t(lang, "phone"))}'
        f'<span class="hint">{_e(t(lang, "phone_hint"))}</span></label>'
        f'<input type="tel" id="hp" name="hp" maxlength="20" autocomplete="tel" '
        f'value="{_e(typed.get("hp", ""))}">{_problem(lang, "hp", problems)}</section>'
        f'<button type="submit" class="primary" id="send">{_e(t(lang, "submit_complaint"))}'
        "</button></form>"
    )
