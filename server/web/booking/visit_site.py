"""The steps of booking a visit of several services on `/pesan` (issue 22), GET and POST.

`VisitSteps` answers what `BookingSite` hands it: a `/pesan` request with `kunjungan=1`, and the
visit part of a visit booking's own page (changing its time). The state of the steps lives in the
query string — `kunjungan=1&layanan=B&layanan=J&tanggal=2026-11-24&jam=09:00`, the services in
the visit's order — never a personal value. Each step checks again what the one before it
offered (the services, their order against `requires`, the day, the slot): a changed address is
answered with the step it breaks and the core's Indonesian refusal, and nothing changes. The POST
is guarded by BookingSite exactly as the single form (its Origin, its `csrf` token) and books the
whole visit in one command through the desk (`BookingsApi.book_visit`), or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from http import HTTPStatus
from typing import TYPE_CHECKING

from websockets.http11 import Response

from server.core.model import DomainError
from server.web.booking import pages, visit_pages
from server.web.booking.asking import Asking, read_day, read_slot
from server.web.booking.csrf import FormGuard
from server.web.booking.fields import NAME_MAX, read_applicant
from server.web.booking.pages import PAGE_PREFIX, href
from server.web.booking.texts import Lang, problem_words, refusal_words, t
from server.web.booking.views import BookingView, ServiceChoice, VisitSlotChoice
from server.web.booking.visit_pages import visit_link

if TYPE_CHECKING:
    from server.web.booking.site import BookingSite

__all__ = ["VisitSteps"]


class VisitSteps:
    """The visit's steps for one BookingSite (its desk, clock, form guard and answers)."""

    def __init__(self, site: BookingSite) -> None:
        self.site = site
        self.desk = site.desk

    # -- GET /pesan?kunjungan=1… -------------------------------------------------------------

    def step(self, ask: Asking) -> Response:
        """The step the query reaches: the services to tick; the order and the days; the
        first stop's slots; the form."""
        q, lang = ask.query, ask.lang
        lines = ask.query_lists.get("layanan", [])
        if not lines:
            return self._services(ask)
        chosen_day = "tanggal" in q or "jam" in q
        problem = self.desk.visit_problem(lines)
        if problem is not None and problem.code == "visit_order" and not chosen_day:
            # Ticked in the building file's order: the order proposed is the page's to make.
            lines = self.desk.visit_order(lines)
            problem = self.desk.visit_problem(lines)
        if problem is not None:
            return self._refused(ask, lines, problem, HTTPStatus.OK)
        if not chosen_day:
            return self._days(ask, lines)
        day = read_day(q.get("tanggal"))
        slots = self._slots_of(lines, day)
        if day is None or slots is None:
            return self._days(ask, lines, t(lang, "bad_day"))
        slot = read_slot(q.get("jam"))
        if slot is None:
            return self._slots(ask, lines, day, slots)
        chosen = next((s for s in slots if s.start == slot and s.bookable), None)
        if chosen is None:
            return self._slots(ask, lines, day, slots, t(lang, "bad_slot"))
        return self._form(ask, lines, day, chosen, {}, {})

    def _stops(self, lines: list[str]) -> list[ServiceChoice]:
        return [s for line in lines if (s := self.desk.service(line)) is not None]

    def _slots_of(
        self, lines: list[str], day: date | None, token: str | None = None
    ) -> list[VisitSlotChoice] | None:
        if day is None:
            return None
        try:
            return self.desk.visit_slots(lines, day, token)
        except DomainError:
            return None  # the core's own reading of a day it has no slot for

    def _services(
        self,
        ask: Asking,
        ticked: list[str] | None = None,
        notice: str = "",
        status: HTTPStatus = HTTPStatus.OK,
    ) -> Response:
        page = visit_pages.visit_services_page(
            ask.lang,
            self.site.building.name,
            self.desk.services(),
            max_stops=self.desk.visit_max_stops,
            ticked=ticked or [],
            notice=notice,
        )
        return self.site._html(ask, status, page)

    def _refused(
        self, ask: Asking, lines: list[str], problem: DomainError, status: HTTPStatus
    ) -> Response:
        """A refusal of the services themselves: the services again, ticked as they came, with
        the core's words; of their order only: the order proposed, its days, and the words."""
        words = refusal_words(problem.code, problem.message, ask.lang, problem.details)
        proposed = self.desk.visit_order(lines)
        if problem.code == "visit_order" and self.desk.visit_problem(proposed) is None:
            return self._days(ask, proposed, words, status)
        return self._services(ask, lines, words, status)

    def _days(
        self,
        ask: Asking,
        lines: list[str],
        notice: str = "",
        status: HTTPStatus = HTTPStatus.OK,
    ) -> Response:
        def link(lang: Lang, day: date | None) -> str:
            return visit_link(lang, lines, tanggal=day.isoformat() if day else "")

        # The citizen's own order, as far as `requires` allows: each stop may go before the one
        # above it when the order that makes is one the core would book.
        move_up: list[str | None] = [None]
        for k in range(1, len(lines)):
            swapped = [*lines[: k - 1], lines[k], lines[k - 1], *lines[k + 1 :]]
            allowed = self.desk.visit_problem(swapped) is None
            move_up.append(visit_link(ask.lang, swapped) if allowed else None)
        page = self._days_page(ask, lines, link, notice=notice, title=None, move_up=move_up)
        return self.site._html(ask, status, page)

    def _days_page(
        self,
        ask: Asking,
        lines: list[str],
        link: Callable[[Lang, date | None], str],
        *,
        notice: str = "",
        title: str | None,
        move_up: list[str | None] | None = None,
    ) -> str:
        return visit_pages.visit_days_page(
            ask.lang,
            self.site.building.name,
            self._stops(lines),
            self.desk.visit_reasons(lines),
            self.desk.visit_days(lines, self.site.now()),
            link=link,
            title=title,
            notice=notice,
            move_up=move_up or [],
        )

    def _slots(
        self,
        ask: Asking,
        lines: list[str],
        day: date,
        slots: list[VisitSlotChoice],
        notice: str = "",
    ) -> Response:
        zone, stops = self.site.building.zone_label, self._stops(lines)

        def choose(lang: Lang, slot: VisitSlotChoice) -> str:
            target = visit_link(lang, lines, tanggal=day.isoformat(), jam=slot.key)
            label = visit_pages.visit_slot_label(lang, slot, stops, zone)
            return f'<a class="choice" href="{target}">{label}</a>'

        def here(lang: Lang) -> str:
            return visit_link(lang, lines, tanggal=day.isoformat())

        page = visit_pages.visit_slots_page(
            ask.lang,
            self.site.building.name,
            zone,
            stops,
            day,
            slots,
            choose=choose,
            here=here,
            notice=notice,
        )
        return self.site._html(ask, HTTPStatus.OK, page)

    def _form(
        self,
        ask: Asking,
        lines: list[str],
        day: date,
        slot: VisitSlotChoice,
        typed: dict[str, str],
        problems: dict[str, str],
        notice: str = "",
        status: HTTPStatus = HTTPStatus.OK,
    ) -> Response:
        csrf = self.site.guard.new_token(ask.form_cookie(self.site.guard), "pesan", self.site._s())
        page = visit_pages.visit_form_page(
            ask.lang,
            self.site.building.name,
            self.site.building.zone_label,
            self._stops(lines),
            day,
            slot,
            csrf=csrf,
            typed=typed,
            problems=problems,
            notice=notice,
            retention_days=self.site.building.booking.retention_days,
        )
        return self.site._html(ask, status, page)

    # -- POST /pesan with kunjungan=1 ----------------------------------------------------------

    async def book(self, ask: Asking, form: dict[str, str]) -> Response:
        """Book the whole visit (one command), or answer the step the form breaks."""
        lang = ask.lang
        lines = ask.form_lists.get("layanan", [])
        problem = self.desk.visit_problem(lines)
        if problem is not None:
            return self._refused(ask, lines, problem, HTTPStatus.CONFLICT)
        day, start = read_day(form.get("tanggal")), read_slot(form.get("jam"))
        slots = self._slots_of(lines, day)
        slot = next((s for s in slots or [] if s.start == start), None)
        if day is None or slot is None:
            return self.site._message(
                ask, HTTPStatus.BAD_REQUEST, "error_title", t(lang, "bad_slot")
            )
        typed = {k: form.get(k, "") for k in ("nama", "hp", "prioritas")}
        priority_places = min(s.priority_places for s in self._stops(lines))
        applicant, problems = read_applicant(form, priority_allowed=priority_places > 0)
        if applicant is None:
            words = {k: problem_words(v, lang, max=NAME_MAX) for k, v in problems.items()}
            return self._form(ask, lines, day, slot, typed, words, status=HTTPStatus.BAD_REQUEST)
        try:
            token = await self.desk.book_visit(
                lines,
                day,
                slot.start,
                applicant,
                channel="web",
                request_id="web-" + FormGuard.nonce(form["csrf"]),
            )
        except DomainError as exc:
            notice = refusal_words(exc.code, exc.message, lang, exc.details)
            return self._form(ask, lines, day, slot, typed, {}, notice, status=HTTPStatus.CONFLICT)
        query = "?baru=1" + ("&lang=en" if lang is Lang.EN else "")
        return self.site._see_other(ask, PAGE_PREFIX + token + query)

    # -- a visit booking's own page: a new time for the whole visit ------------------------------

    def change(self, ask: Asking, booking: BookingView, day: date | None) -> Response:
        """`?ubah=1` of a visit: the days the whole visit may move to, then (`tanggal`) that
        day's first-stop slots as POST buttons (the core moves every stop from there)."""
        page_path = PAGE_PREFIX + booking.token
        lines = [s.service.line for s in booking.stops]
        title = t(ask.lang, "change_title")
        slots = self._slots_of(lines, day, booking.token)
        if day is not None and slots is not None:
            return self._change_slots(ask, booking, lines, day, slots)

        def link(lang: Lang, d: date | None) -> str:
            return href(page_path, lang, ubah="1", tanggal=d.isoformat() if d else "")

        try:
            page = self._days_page(ask, lines, link, title=title)
        except DomainError:
            # The building's file changed since the booking (a stop's line no longer books,
            # `requires` forbids the booked order, fewer stops allowed): no new time can be
            # offered; the booking's page says so, cancel stays open.
            notice = t(ask.lang, "visit_change_refused")
            page = self.site._booking_page(ask, booking, notice)
        return self.site._html(ask, HTTPStatus.OK, page)

    def _change_slots(
        self,
        ask: Asking,
        booking: BookingView,
        lines: list[str],
        day: date,
        slots: list[VisitSlotChoice],
    ) -> Response:
        page_path = PAGE_PREFIX + booking.token
        guard = self.site.guard
        csrf = guard.new_token(ask.form_cookie(guard), f"ubah:{booking.token}", self.site._s())
        zone, stops = self.site.building.zone_label, self._stops(lines)

        def choose(lang: Lang, slot: VisitSlotChoice) -> str:
            label = visit_pages.visit_slot_label(lang, slot, stops, zone)
            if (day, slot.start) == (booking.day, booking.start):
                return f'<span class="unavailable">{label}</span>'
            return pages.move_button(page_path, csrf, day, slot.key, lang, label)

        def here(lang: Lang) -> str:
            return href(page_path, lang, ubah="1", tanggal=day.isoformat())

        page = visit_pages.visit_slots_page(
            ask.lang,
            self.site.building.name,
            zone,
            stops,
            day,
            slots,
            choose=choose,
            here=here,
            title=t(ask.lang, "change_title"),
        )
        return self.site._html(ask, HTTPStatus.OK, page)
