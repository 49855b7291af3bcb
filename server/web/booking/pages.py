"""The booking pages' HTML: pure functions of view values (views.py) and the language.

Every value that comes from a person or the building file goes through `html.escape` (`_e`), in
text and in attributes alike; URLs are built here with `urlencode`, never pasted from a request.
The pages work without JavaScript and load none: links for the steps, plain POST forms (each with
its hidden `csrf` token) for what changes something. `?lang=en` is carried by every link and form.

Steps: `/pesan` (service) → `?layanan=A` (date) → `&tanggal=2026-11-24` (time) → `&jam=09:00`
(the form) → POST `/pesan` → 303 to the citizen's own page `/pesan/<token>`, which shows the code,
its QR, when and where to check in, the documents, and links to change or cancel. A visit of
several services (issue 22) has its own steps (visit_pages.py) and the same form and page, which
then lists every stop.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Final
from urllib.parse import urlencode

from server.core.booking_code import format_code
from server.core.dates import format_clock
from server.web.booking.texts import Lang, date_words, t
from server.web.booking.views import BookingView, DayChoice, DayStatus, ServiceChoice, SlotChoice

__all__ = [
    "BOOK_PATH",
    "CSS_PATH",
    "PAGE_PREFIX",
    "PRIORITY_KEYS",
    "applicant_form",
    "booking_page",
    "cancel_page",
    "days_page",
    "form_page",
    "href",
    "message_page",
    "page_link",
    "services_page",
    "shell",
    "slots_page",
    "stops_list",
    "summary_list",
]

BOOK_PATH: Final = "/pesan"
PAGE_PREFIX: Final = "/pesan/"  # + the booking's token: the citizen's own page
CSS_PATH: Final = "/static/booking.css"
PRIORITY_KEYS: Final = ("lansia", "disabilitas", "ibu_hamil", "balita")

_e = html.escape


def href(path: str, lang: Lang, **params: str | Sequence[str]) -> str:
    """A link to one of our pages, keeping the language; escaped for an attribute. A list is
    the field repeated, in order (a visit's `layanan=B&layanan=J`)."""
    query: dict[str, str | Sequence[str]] = {k: v for k, v in params.items() if v}
    if lang is Lang.EN:
        query["lang"] = "en"
    return _e(path + ("?" + urlencode(query, doseq=True) if query else ""))


def page_link(public_url: str | None, host: str, https: bool, token: str) -> str:
    """The full address of a booking's own page: under `[booking] public_url` when the building
    set one (behind a proxy the server cannot know it), else the host the request named."""
    base = public_url.rstrip("/") if public_url else f"{'https' if https else 'http'}://{host}"
    return base + PAGE_PREFIX + token


def shell(lang: Lang, building: str, title: str, body: str, *, here: Callable[[Lang], str]) -> str:
    """The page around `body` (trusted HTML); `here(lang)` links this page in the other language."""
    other = Lang.of(t(lang, "switch_lang"))
    return f"""<!doctype html>
<html lang="{lang.value}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>{_e(title)} · {_e(building)}</title>
<link rel="stylesheet" href="{CSS_PATH}">
</head>
<body>
<header><a class="site" href="{href(BOOK_PATH, lang)}">{_e(building)} · {_e(t(lang, "site"))}</a>
<a class="lang" id="lang" href="{here(other)}" hreflang="{other.value}">{_e(t(lang, "switch"))}</a>
</header>
<main>
<h1>{_e(title)}</h1>
{body}
</main>
</body>
</html>
"""


def summary_list(rows: list[tuple[str, str]]) -> str:
    """Label and value pairs, as every page states what is booked."""
    items = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in rows)
    return f'<dl class="summary">{items}</dl>'


_summary = summary_list


def _slot_words(slot: SlotChoice | BookingView, zone: str) -> str:
    return f"{format_clock(slot.start)}–{format_clock(slot.end)} {zone}"


def services_page(lang: Lang, building: str, services: list[ServiceChoice]) -> str:
    if not services:
        body = f"<p>{_e(t(lang, 'no_services'))}</p>"
    else:
        items = "".join(
            f'<li><a class="choice" href="{href(BOOK_PATH, lang, layanan=s.line)}">'
            f"{_e(s.name)}<small>{_e(s.agency_name)}</small></a></li>"
            for s in services
        )
        body = f'<p>{_e(t(lang, "services_intro"))}</p>\n<ul class="choices">{items}</ul>'
        if len(services) >= 2:  # a visit holds two services or more (issue 22)
            body += (
                f'\n<p><a class="choice" id="visit" '
                f'href="{href(BOOK_PATH, lang, kunjungan="1")}">{_e(t(lang, "visit_entry"))}'
                f"<small>{_e(t(lang, 'visit_entry_hint'))}</small></a></p>"
            )
    title = t(lang, "services_title")
    return shell(lang, building, title, body, here=lambda lg: href(BOOK_PATH, lg))


def _documents(lang: Lang, service: ServiceChoice) -> str:
    if not service.documents:
        return ""
    return f'<h2>{_e(t(lang, "documents"))}</h2>\n<p id="documents">{_e(service.documents)}</p>'


def _day_status(lang: Lang, day: DayChoice) -> str:
    match day.status:
        case DayStatus.OPEN:
            return t(lang, "day_places", count=day.places_left)
        case DayStatus.FULL:
            return t(lang, "day_full")
        case DayStatus.HOLIDAY:
            return t(lang, "day_holiday", name=day.holiday or "")
        case DayStatus.NOT_OPEN:
            return t(lang, "day_not_open", time=day.opens_at or "")
    return t(lang, "day_closed")


def days_page(
    lang: Lang,
    building: str,
    service: ServiceChoice,
    days: list[DayChoice],
    *,
    link: Callable[[Lang, date | None], str],
    title: str | None = None,
    lead: str = "",
) -> str:
    """The days of a line; `link(lang, day)` is where choosing a day goes (None: this page)."""
    items = []
    for day in days:
        words = f"{_e(date_words(day.day, lang))}<small>{_e(_day_status(lang, day))}</small>"
        if day.status is DayStatus.OPEN:
            items.append(f'<li><a class="choice" href="{link(lang, day.day)}">{words}</a></li>')
        else:
            items.append(f'<li><span class="unavailable">{words}</span></li>')
    listing = (
        f'<ul class="choices" id="days">{"".join(items)}</ul>'
        if any(d.status is DayStatus.OPEN for d in days)
        else f'<p>{_e(t(lang, "no_days"))}</p><ul class="choices">{"".join(items)}</ul>'
    )
    head = _summary([(t(lang, "service"), service.name), (t(lang, "agency"), service.agency_name)])
    body = f"{lead}{head}\n{listing}\n{_documents(lang, service)}"
    heading = title or t(lang, "days_title")
    return shell(lang, building, heading, body, here=lambda lg: link(lg, None))


def slots_page(
    lang: Lang,
    building: str,
    zone: str,
    service: ServiceChoice,
    day: date,
    slots: list[SlotChoice],
    *,
    choose: Callable[[Lang, SlotChoice], str],
    here: Callable[[Lang], str],
    title: str | None = None,
    lead: str = "",
) -> str:
    """The slots of one day; `choose` renders an open slot (a link, or a POST form's button).
    A slot with no place left is shown as full, with nothing to press."""
    items = []
    for slot in slots:
        if slot.left + slot.priority_left > 0:
            items.append(f"<li>{choose(lang, slot)}</li>")
        else:
            words = f"{_e(_slot_words(slot, zone))}<small>{_e(t(lang, 'slot_full'))}</small>"
            items.append(f'<li><span class="unavailable">{words}</span></li>')
    listing = (
        f'<ul class="choices" id="slots">{"".join(items)}</ul>'
        if items
        else f"<p>{_e(t(lang, 'no_slots'))}</p>"
    )
    head = _summary(
        [
            (t(lang, "service"), service.name),
            (t(lang, "agency"), service.agency_name),
            (t(lang, "date"), date_words(day, lang)),
        ]
    )
    body = f"{lead}{head}\n{listing}"
    return shell(lang, building, title or t(lang, "slots_title"), body, here=here)


def slot_label(lang: Lang, slot: SlotChoice, zone: str) -> str:
    """An open slot's words inside its link or button: the time, then the places left."""
    if slot.left == 0:
        places = t(lang, "slot_priority_only", count=slot.priority_left)
    else:
        places = t(lang, "slot_places", count=slot.left)
        if slot.priority_left:
            places += " · " + t(lang, "slot_priority", count=slot.priority_left)
    return f"{_e(_slot_words(slot, zone))}<small>{_e(places)}</small>"


def move_button(page_path: str, csrf: str, day: date, slot_key: str, lang: Lang, label: str) -> str:
    """A slot of the booking's change page: a button that posts the move there (`aksi=ubah`),
    for a single booking and a visit alike. `label` is HTML already escaped."""
    e = html.escape
    return (
        f'<form method="post" action="{e(page_path)}" class="inline">'
        f'<input type="hidden" name="csrf" value="{e(csrf)}">'
        '<input type="hidden" name="aksi" value="ubah">'
        f'<input type="hidden" name="tanggal" value="{day.isoformat()}">'
        f'<input type="hidden" name="jam" value="{e(slot_key)}">'
        f'<input type="hidden" name="lang" value="{lang.value}">'
        f'<button type="submit">{label}</button></form>'
    )


def _field(name: str, label: str, hint: str, value: str, problem: str | None, kind: str) -> str:
    extra = ' inputmode="numeric" autocomplete="off"' if name == "nik" else ""
    if name == "hp":
        extra = ' autocomplete="tel"'
    if name == "nama":
        extra = ' autocomplete="name" maxlength="80"'
    error = f'<p class="problem" id="{name}-problem">{_e(problem)}</p>' if problem else ""
    described = f' aria-describedby="{name}-problem"' if problem else ""
    return (
        f'<label for="{name}">{_e(label)}<span class="hint">{_e(hint)}</span></label>'
        f'<input type="{kind}" id="{name}" name="{name}" value="{_e(value)}" required'
        f"{extra}{described}>{error}"
    )


def applicant_form(
    lang: Lang,
    summary: str,
    hidden: str,
    *,
    csrf: str,
    typed: Mapping[str, str],
    problems: Mapping[str, str],
    notice: str,
    priority_places: int,
    retention_days: int,
) -> str:
    """The form's notice, what is being booked (`summary`), the fields and the button: the same
    for one service and for a visit; `hidden` (trusted HTML) says what is booked."""
    warn = f'<div class="notice" id="notice" role="alert">{_e(notice)}</div>' if notice else ""
    if problems and not notice:
        warn = f'<div class="problems" id="notice" role="alert">{_e(t(lang, "problems"))}</div>'
    priority = ""
    if priority_places > 0:
        chosen = typed.get("prioritas", "")
        options = [f'<option value="">{_e(t(lang, "priority_none"))}</option>']
        for group in PRIORITY_KEYS:
            selected = " selected" if chosen == group else ""
            options.append(
                f'<option value="{group}"{selected}>{_e(t(lang, "prio_" + group))}</option>'
            )
        problem = problems.get("prioritas")
        error = f'<p class="problem" id="prioritas-problem">{_e(problem)}</p>' if problem else ""
        priority = (
            f'<label for="prioritas">{_e(t(lang, "priority"))}</label>'
            f'<select id="prioritas" name="prioritas">{"".join(options)}</select>{error}'
        )
    fields = "".join(
        [
            _field(
                "nama",
                t(lang, "name"),
                t(lang, "name_hint"),
                typed.get("nama", ""),
                problems.get("nama"),
                "text",
            ),
            _field("nik", t(lang, "nik"), t(lang, "nik_hint"), "", problems.get("nik"), "text"),
            _field(
                "hp",
                t(lang, "phone"),
                t(lang, "phone_hint"),
                typed.get("hp", ""),
                problems.get("hp"),
                "tel",
            ),
        ]
    )
    hidden = (
        f'<input type="hidden" name="csrf" value="{_e(csrf)}">{hidden}'
        f'<input type="hidden" name="lang" value="{lang.value}">'
    )
    return (
        f"{warn}{summary}\n<p>{_e(t(lang, 'form_intro'))}</p>\n"
        f'<form method="post" action="{BOOK_PATH}" id="book" novalidate>{hidden}{fields}'
        f"{priority}<p><small>{_e(t(lang, 'privacy', days=retention_days))}</small></p>"
        f'<button type="submit" class="primary">{_e(t(lang, "submit_book"))}</button></form>'
    )


def form_page(
    lang: Lang,
    building: str,
    zone: str,
    service: ServiceChoice,
    day: date,
    slot: SlotChoice,
    *,
    csrf: str,
    typed: Mapping[str, str],
    problems: Mapping[str, str],
    notice: str = "",
    retention_days: int,
) -> str:
    """The booking form. `typed` refills name, phone and priority after a refusal (never the
    NIK); `problems` are words by field, already in the page's language."""
    key = slot.key
    summary = _summary(
        [
            (t(lang, "service"), service.name),
            (t(lang, "agency"), service.agency_name),
            (t(lang, "date"), date_words(day, lang)),
            (t(lang, "time"), _slot_words(slot, zone)),
        ]
    )
    hidden = (
        f'<input type="hidden" name="layanan" value="{_e(service.line)}">'
        f'<input type="hidden" name="tanggal" value="{_e(day.isoformat())}">'
        f'<input type="hidden" name="jam" value="{_e(key)}">'
    )
    body = (
        applicant_form(
            lang,
            summary,
            hidden,
            csrf=csrf,
            typed=typed,
            problems=problems,
            notice=notice,
            priority_places=service.priority_places,
            retention_days=retention_days,
        )
        + f"\n{_documents(lang, service)}"
    )

    def here(lg: Lang) -> str:
        return href(BOOK_PATH, lg, layanan=service.line, tanggal=day.isoformat(), jam=key)

    return shell(lang, building, t(lang, "form_title"), body, here=here)


def stops_list(lang: Lang, booking: BookingView, zone: str) -> str:
    """A visit booking's stops on its page, in order: "Kartu Keluarga dan Pindah Datang —
    Dukcapil, 09.00–10.00 WIB" (the list numbers them), and a stop's own state once it is
    no longer booked (checked in with its number, cancelled, lapsed)."""
    items = []
    for stop in booking.stops:
        when = f"{format_clock(stop.start)}–{format_clock(stop.end)} {zone}"
        state = ""
        if stop.state != "booked":
            key = _STATES.get(stop.state, "state_lapsed")
            state = f"<small>{_e(t(lang, key, number=stop.ticket_number or ''))}</small>"
        agency = stop.service.agency or stop.service.agency_name
        where = (
            f"{stop.service.name} — {agency}, {when}" if agency else f"{stop.service.name}, {when}"
        )
        items.append(f"<li>{_e(where)}{state}</li>")
    return f'<ol class="stops" id="stops">{"".join(items)}</ol>'


def _stops_documents(lang: Lang, booking: BookingView) -> str:
    rows = [(s.service.name, s.service.documents) for s in booking.stops if s.service.documents]
    if not rows:
        return ""
    items = "".join(f"<li>{_e(name)}: {_e(docs)}</li>" for name, docs in rows)
    return f'<h2>{_e(t(lang, "documents"))}</h2>\n<ul class="documents" id="documents">{items}</ul>'


_STATES: Final = {
    "booked": "state_booked",
    "checked_in": "state_checked_in",
    "cancelled": "state_cancelled",
    "lapsed": "state_lapsed",
    # A visit's later stop the visit ended before (issue 22): the citizen came, never "hangus".
    "not_reached": "state_not_reached",
}


def booking_page(
    lang: Lang,
    building: str,
    zone: str,
    booking: BookingView,
    *,
    qr: str,
    link: str,
    notice: str = "",
) -> str:
    """The citizen's own page: the code, its QR (`qr`: trusted inline SVG), the slot, when to
    check in, the documents, the page's own link, and links to change or cancel."""
    page = PAGE_PREFIX + booking.token
    shown = format_code(booking.code)
    state = t(lang, _STATES.get(booking.state, "state_booked"), number=booking.ticket_number or "")
    ok = f'<div class="notice ok" id="notice" role="status">{_e(notice)}</div>' if notice else ""
    visit = bool(booking.stops)
    what = (
        [(t(lang, "date"), date_words(booking.day, lang))]
        if visit
        else [
            (t(lang, "service"), booking.service.name),
            (t(lang, "agency"), booking.service.agency_name),
            (t(lang, "date"), date_words(booking.day, lang)),
            (t(lang, "time"), _slot_words(booking, zone)),
        ]
    )
    summary = _summary(
        [
            (t(lang, "state"), state),
            *what,
            (t(lang, "holder"), booking.name),
            (t(lang, "nik_masked"), booking.nik_masked),
            (t(lang, "phone"), booking.phone_masked),
        ]
    )
    if visit:
        summary += (
            f"\n<h2>{_e(t(lang, 'visit'))}</h2>\n{stops_list(lang, booking, zone)}"
            f'\n<p id="one-code">{_e(t(lang, "visit_one_code"))}</p>'
        )
    active = booking.state == "booked"
    qr_part = f'<div id="qr">{qr}</div>' if active else ""
    check_in = (
        f'<h2>{_e(t(lang, "check_in"))}</h2>\n<p id="check-in">'
        + _e(
            t(
                lang,
                "check_in_text",
                building=building,
                start=booking.check_in_from,
                end=booking.check_in_until,
            )
        )
        + "</p>"
        if active
        else ""
    )
    actions = []
    if active and booking.can_change:
        actions.append(
            f'<a class="choice" id="change" href="{href(page, lang, ubah="1")}">'
            f"{_e(t(lang, 'change'))}</a>"
        )
    if active and booking.can_cancel:
        actions.append(
            f'<a class="choice" id="cancel" href="{href(page, lang, batal="1")}">'
            f"{_e(t(lang, 'cancel'))}</a>"
        )
    change_note = (
        f"<p><small>{_e(t(lang, 'change_until'))}</small></p>" if active and actions else ""
    )
    if visit and active and actions:
        change_note += f'<p id="whole"><small>{_e(t(lang, "visit_whole"))}</small></p>'
    documents = _stops_documents(lang, booking) if visit else _documents(lang, booking.service)
    keep = (
        f'<p>{_e(t(lang, "keep_link"))}</p>\n<p class="link" id="link">{_e(link)}</p>'
        if active
        else ""
    )
    body = (
        f"{ok}<p>{_e(t(lang, 'code'))}</p>\n"
        f'<p class="code" id="code">{_e(shown)}</p>\n{qr_part}\n{summary}\n{check_in}\n'
        f"{documents if active else ''}\n{keep}\n"
        f'<div class="actions">{"".join(actions)}</div>{change_note}'
    )
    return shell(lang, building, t(lang, "booking_title"), body, here=lambda lg: href(page, lg))


def cancel_page(lang: Lang, building: str, zone: str, booking: BookingView, *, csrf: str) -> str:
    """ "Batalkan pesanan?": the booking in brief and one POST button (and a way back)."""
    page = PAGE_PREFIX + booking.token
    summary = _summary(
        [
            (t(lang, "code"), format_code(booking.code)),
            (t(lang, "service"), booking.service.name),
            (t(lang, "date"), date_words(booking.day, lang)),
            (t(lang, "time"), _slot_words(booking, zone)),
        ]
        if not booking.stops
        else [
            (t(lang, "code"), format_code(booking.code)),
            (t(lang, "date"), date_words(booking.day, lang)),
        ]
    )
    if booking.stops:
        summary += f"\n{stops_list(lang, booking, zone)}\n<p>{_e(t(lang, 'visit_whole'))}</p>"
    body = (
        f"{summary}\n<p>{_e(t(lang, 'cancel_text'))}</p>\n"
        f'<form method="post" action="{_e(page)}" id="cancel-form" class="actions">'
        f'<input type="hidden" name="csrf" value="{_e(csrf)}">'
        f'<input type="hidden" name="aksi" value="batal">'
        f'<input type="hidden" name="lang" value="{lang.value}">'
        f'<button type="submit" class="danger">{_e(t(lang, "cancel_yes"))}</button></form>'
        f'<p><a class="choice" href="{href(page, lang)}">{_e(t(lang, "cancel_no"))}</a></p>'
    )
    return shell(
        lang, building, t(lang, "cancel_title"), body, here=lambda lg: href(page, lg, batal="1")
    )


def message_page(lang: Lang, building: str, title: str, text: str) -> str:
    """A page that only says something (not found, expired, too many requests, an error)."""
    body = (
        f'<p id="message">{_e(text)}</p>\n'
        f'<p><a class="choice" href="{href(BOOK_PATH, lang)}">{_e(t(lang, "home"))}</a></p>'
    )
    return shell(lang, building, title, body, here=lambda lg: href(BOOK_PATH, lg))
