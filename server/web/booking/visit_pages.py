"""The HTML of a visit of several services booked at once (issue 22): pure, from views.py.

Steps, each a link (no script): `/pesan?kunjungan=1` (tick the services) → `&layanan=B&layanan=J`
(the order proposed, with why, and the days every stop can be booked) → `&tanggal=2026-11-24`
(the first stop's slots, each with every stop's time and whether the whole visit may be booked
there) → `&jam=09:00` (the same form as one service's) → POST `/pesan` → 303 to the lead's own
page. The order of `layanan` in the query is the visit's order. The citizen's page of a visit
(pages.booking_page) lists every stop; changing its time lists the visit's slots of a new day.

Every value from a person or the building file goes through `html.escape` (`_e`), as in pages.py.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from server.core.dates import format_clock
from server.web.booking.pages import BOOK_PATH, applicant_form, href, shell, summary_list
from server.web.booking.texts import Lang, date_words, refusal_words, t
from server.web.booking.views import (
    DayChoice,
    DayStatus,
    ServiceChoice,
    VisitSlotChoice,
    VisitStopSlot,
)

__all__ = [
    "VISIT_FLAG",
    "visit_days_page",
    "visit_form_page",
    "visit_services_page",
    "visit_slots_page",
]

VISIT_FLAG = "kunjungan"  # `?kunjungan=1`: the visit's steps, not one service's

_e = html.escape


def visit_link(lang: Lang, lines: Sequence[str], **params: str) -> str:
    """A link to a step of the visit's booking, its services in their order."""
    return href(BOOK_PATH, lang, kunjungan="1", layanan=list(lines), **params)


def _notice(text: str) -> str:
    return f'<div class="notice" id="notice" role="alert">{_e(text)}</div>' if text else ""


def visit_services_page(
    lang: Lang,
    building: str,
    services: list[ServiceChoice],
    *,
    max_stops: int,
    ticked: Sequence[str] = (),
    notice: str = "",
) -> str:
    """The services that take bookings as checkboxes; the form GETs the next step."""
    boxes = "".join(
        f'<li><label class="choice check"><input type="checkbox" name="layanan" '
        f'value="{_e(s.line)}"{" checked" if s.line in ticked else ""}>'
        f"<span>{_e(s.name)}<small>{_e(s.agency_name)}</small></span></label></li>"
        for s in services
    )
    body = (
        f"{_notice(notice)}<p>{_e(t(lang, 'visit_intro', min=2, max=max_stops))}</p>\n"
        f'<form method="get" action="{BOOK_PATH}" id="visit">'
        f'<input type="hidden" name="{VISIT_FLAG}" value="1">'
        + (f'<input type="hidden" name="lang" value="{lang.value}">' if lang is Lang.EN else "")
        + f'<ul class="choices" id="services">{boxes}</ul>'
        f'<button type="submit" class="primary">{_e(t(lang, "visit_next"))}</button></form>'
    )
    return shell(
        lang,
        building,
        t(lang, "visit_title"),
        body,
        here=lambda lg: href(BOOK_PATH, lg, kunjungan="1"),
    )


def _where(stop: ServiceChoice, stops: Sequence[ServiceChoice]) -> str:
    """How a slot names a stop: its agency's short name, or the service's name when two stops
    share an agency (KTP-el and Kartu Keluarga are both Dukcapil's)."""
    shared = sum(1 for s in stops if s.agency == stop.agency) > 1
    return stop.name if shared or not stop.agency else stop.agency


def order_part(
    lang: Lang,
    stops: Sequence[ServiceChoice],
    reasons: Sequence[tuple[ServiceChoice, ...]],
    move_up: Sequence[str | None] = (),
) -> str:
    """ "Urutan kunjungan": the services numbered in order, then why a stop comes after
    another ("BPJS Kesehatan setelah Kartu Keluarga …: memerlukan hasilnya lebih dulu").
    `move_up[k]`: a link (escaped) that puts stop k before the one above it, where `requires`
    allows it; None where it does not."""
    items = ""
    for k, s in enumerate(stops):
        link = move_up[k] if k < len(move_up) else None
        words = _e(t(lang, "visit_move_up"))
        move = f'<a class="move" id="move-{_e(s.line)}" href="{link}">{words}</a>' if link else ""
        items += f"<li>{_e(s.name)}<small>{_e(s.agency_name)}</small>{move}</li>"
    why = "".join(
        f'<p class="reason">{_e(t(lang, "visit_reason", after=_where(a, stops), before=b.name))}'
        "</p>"
        for a, b in reasons
    )
    return f'<h2>{_e(t(lang, "visit_order"))}</h2>\n<ol class="stops" id="order">{items}</ol>{why}'


def _day_words(lang: Lang, day: DayChoice) -> str:
    match day.status:
        case DayStatus.OPEN:
            return t(lang, "visit_day_open")
        case DayStatus.FULL:
            return t(lang, "day_full")
        case DayStatus.HOLIDAY:
            return t(lang, "day_holiday", name=day.holiday or "")
    return t(lang, "day_closed")


def visit_days_page(
    lang: Lang,
    building: str,
    stops: Sequence[ServiceChoice],
    reasons: Sequence[tuple[ServiceChoice, ...]],
    days: list[DayChoice],
    *,
    link: Callable[[Lang, date | None], str],
    title: str | None = None,
    notice: str = "",
    move_up: Sequence[str | None] = (),
) -> str:
    """The visit's order and the days it may be booked; `link(lang, day)` is where a day goes
    (None: this page); `move_up`: order_part's links to change the order (none once booked)."""
    items = []
    for day in days:
        words = f"{_e(date_words(day.day, lang))}<small>{_e(_day_words(lang, day))}</small>"
        if day.status is DayStatus.OPEN:
            items.append(f'<li><a class="choice" href="{link(lang, day.day)}">{words}</a></li>')
        else:
            items.append(f'<li><span class="unavailable">{words}</span></li>')
    listing = f'<ul class="choices" id="days">{"".join(items)}</ul>'
    if not any(d.status is DayStatus.OPEN for d in days):
        listing = f"<p>{_e(t(lang, 'no_days'))}</p>{listing}"
    order = order_part(lang, stops, reasons, move_up)
    body = f"{_notice(notice)}{order}\n<h2>{_e(t(lang, 'date'))}</h2>"
    body += f"\n{listing}\n{_documents(lang, stops)}"
    heading = title or t(lang, "days_title")
    return shell(lang, building, heading, body, here=lambda lg: link(lg, None))


def _documents(lang: Lang, stops: Sequence[ServiceChoice]) -> str:
    rows = [(s.name, s.documents) for s in stops if s.documents]
    if not rows:
        return ""
    items = "".join(f"<li>{_e(name)}: {_e(docs)}</li>" for name, docs in rows)
    return f'<h2>{_e(t(lang, "documents"))}</h2>\n<ul class="documents" id="documents">{items}</ul>'


def stop_times(slot: VisitSlotChoice, stops: Sequence[ServiceChoice]) -> str:
    """ "Dukcapil 09.00 · BPJS Kesehatan 09.00": where each stop is booked from this slot."""
    return " · ".join(f"{_where(s.service, stops)} {format_clock(s.start)}" for s in slot.stops)


def _first_words(slot: VisitSlotChoice, zone: str) -> str:
    first: VisitStopSlot = slot.stops[0]
    return f"{format_clock(first.start)}–{format_clock(first.end)} {zone}"


def _why(lang: Lang, slot: VisitSlotChoice) -> str:
    """Why the whole visit cannot be booked at this slot: the core's sentence naming the stop
    ("Pendaftaran dan Perubahan Data: Jadwal … sudah penuh"), or its English words."""
    message = slot.message or t(lang, "visit_slot_closed")
    named = next((s.service.name for s in slot.stops if message.startswith(s.service.name)), None)
    details = {"service": named} if named else {}
    return refusal_words(slot.refusal_code or "", message, lang, details)


def visit_slot_label(
    lang: Lang, slot: VisitSlotChoice, stops: Sequence[ServiceChoice], zone: str
) -> str:
    """A first-stop slot's words: its time, each stop's time, and why not when it cannot be
    booked, or that it is for the priority groups only (trusted HTML: every part escaped)."""
    why = ""
    if slot.priority_only:
        words = t(lang, "visit_slot_priority_only")
        why = f'<small class="why priority-only">{_e(words)}</small>'
    elif not slot.bookable:
        why = f'<small class="why">{_e(_why(lang, slot))}</small>'
    return f"{_e(_first_words(slot, zone))}<small>{_e(stop_times(slot, stops))}</small>{why}"


def visit_slots_page(
    lang: Lang,
    building: str,
    zone: str,
    stops: Sequence[ServiceChoice],
    day: date,
    slots: list[VisitSlotChoice],
    *,
    choose: Callable[[Lang, VisitSlotChoice], str],
    here: Callable[[Lang], str],
    title: str | None = None,
    notice: str = "",
) -> str:
    """The first stop's slots of one day; `choose` renders one the whole visit may be booked
    at (a link, or a POST form's button), a priority citizen's only too, marked so, as the
    one-service slots offer theirs; any other is shown with why, with nothing to press."""
    items = []
    for slot in slots:
        if slot.bookable:
            items.append(f"<li>{choose(lang, slot)}</li>")
        else:
            words = visit_slot_label(lang, slot, stops, zone)
            items.append(f'<li><span class="unavailable">{words}</span></li>')
    listing = (
        f'<ul class="choices" id="slots">{"".join(items)}</ul>'
        if items
        else f"<p>{_e(t(lang, 'no_slots'))}</p>"
    )
    head = summary_list([(t(lang, "date"), date_words(day, lang))])
    body = (
        f"{_notice(notice)}{order_part(lang, stops, ())}\n{head}\n"
        f"<p>{_e(t(lang, 'visit_slots_intro'))}</p>\n{listing}"
    )
    return shell(lang, building, title or t(lang, "slots_title"), body, here=here)


def visit_form_page(
    lang: Lang,
    building: str,
    zone: str,
    stops: Sequence[ServiceChoice],
    day: date,
    slot: VisitSlotChoice,
    *,
    csrf: str,
    typed: Mapping[str, str],
    problems: Mapping[str, str],
    notice: str = "",
    retention_days: int,
) -> str:
    """The booking form of a whole visit: what is booked (every stop with its time), then the
    fields of a single booking. A priority group is asked when every stop has priority places
    (the group is the citizen's, for each stop alike)."""
    lines = [s.line for s in stops]
    summary = summary_list(
        [(t(lang, "date"), date_words(day, lang))]
        + [
            (f"{k}. {s.service.name}", f"{s.service.agency_name}, {_slot_range(s, zone)}")
            for k, s in enumerate(slot.stops, 1)
        ]
    )
    if slot.priority_only:
        # Asked after the slot, as one service's form asks it: the slot says what it needs.
        words = _e(t(lang, "visit_priority_only"))
        summary += f'\n<p class="priority-only" id="priority-only">{words}</p>'
    hidden = f'<input type="hidden" name="{VISIT_FLAG}" value="1">'
    hidden += "".join(f'<input type="hidden" name="layanan" value="{_e(line)}">' for line in lines)
    hidden += (
        f'<input type="hidden" name="tanggal" value="{_e(day.isoformat())}">'
        f'<input type="hidden" name="jam" value="{_e(slot.key)}">'
    )
    body = applicant_form(
        lang,
        summary,
        hidden,
        csrf=csrf,
        typed=typed,
        problems=problems,
        notice=notice,
        priority_places=min(s.priority_places for s in stops),
        retention_days=retention_days,
    )
    body += f"\n{_documents(lang, stops)}"

    def here(lg: Lang) -> str:
        return visit_link(lg, lines, tanggal=day.isoformat(), jam=slot.key)

    return shell(lang, building, t(lang, "form_title"), body, here=here)


def _slot_range(stop: VisitStopSlot, zone: str) -> str:
    return f"{format_clock(stop.start)}–{format_clock(stop.end)} {zone}"
