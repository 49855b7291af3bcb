"""The dashboard's routes on central's HTTP edge: logins, pages, CSV and JSON (docs/central.md).

Theory of operation. Every page, CSV and JSON answer is for a logged-in central user and shows
only the buildings that user may see (`CentralUser.sees`: `scope = "all"`, or the buildings of
their `region`); a building outside them is answered exactly as a building that does not
exist, 404, so a regency user cannot even learn another's ids. Not logged in: a page sends the
browser to /masuk, a CSV or JSON answers 401.

The login form is guarded as the booking site's forms are (server/web/booking/csrf.py): a
cookie of its own (path /masuk), a token bound to it, and the Origin checked against central's
`public_url` (or, without one, the Host the browser asked). Wrong passwords are counted per
user id and per address (server/central/dashboard/logins.py). Passwords are checked with
scrypt in a thread, never on the event loop; an unknown user id costs the same as a known one.

Every HTML answer carries a Content-Security-Policy that allows our own stylesheet and script
only: the live overview's script (static/dasbor.js) fetches /bagian/ringkasan, the same table
rendered by the server, and swaps it in, so the page moves without a reload.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs

from psycopg_pool import ConnectionPool

from server.auth import hash_password, verify_password
from server.central.config import CentralBuilding, CentralConfig, CentralUser
from server.central.dashboard import pages
from server.central.dashboard.logins import LoginGuard, Sessions
from server.central.dashboard.reads import history, overview, ranking, states, zone_tz
from server.central.dashboard.tables import Table, csv_bytes, json_bytes, json_value
from server.central.edge import Request, Response, Routes, error
from server.web.booking.csrf import FormGuard, cookie_header, cookie_value, same_origin

__all__ = ["SESSION_COOKIE", "Dashboard"]

log = logging.getLogger("antre.central.dashboard")

SESSION_COOKIE: Final = "antre_sesi"
CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HISTORY_DAYS: Final = 30  # a building's page shows the last 30 days unless asked otherwise
MAX_RANGE_DAYS: Final = 366
_STATIC: Final = Path(__file__).resolve().parent / "static"
_ASSETS: Final = {
    "/aset/dasbor.css": ("dasbor.css", "text/css; charset=utf-8"),
    "/aset/dasbor.js": ("dasbor.js", "text/javascript; charset=utf-8"),
}
_PEER_HOST_RE: Final = re.compile(r"\('([^']*)'")
WRONG: Final = "Nama pengguna atau kata sandi salah."
STALE_FORM: Final = (
    "Formulir ini sudah kedaluwarsa atau tidak dikirim dari halaman ini. Silakan masuk lagi."
)


class _BadRange(ValueError):
    pass


class Dashboard:
    """The dashboard over central's pool and central.toml's users."""

    def __init__(
        self, config: CentralConfig, pool: ConnectionPool, clock: Callable[[], float] = time.time
    ) -> None:
        self.config, self.pool, self.clock = config, pool, clock
        self.sessions = Sessions()
        self.guard = LoginGuard()
        self.forms = FormGuard.new()
        self.secure = bool(config.public_url and config.public_url.startswith("https://"))
        self.refresh_s = 5.0  # how often the live overview asks for fresh figures
        self._dummy_hash: str | None = None  # checked for an unknown user id: the same cost

    def add_routes(self, routes: Routes) -> None:
        for path, handler in (
            ("/", self.overview_page),
            ("/bagian/ringkasan", self.overview_fragment),
            ("/ringkasan.csv", self.overview_csv),
            ("/ringkasan.json", self.overview_json),
            ("/gedung", self.building_page),
            ("/gedung.csv", self.building_csv),
            ("/gedung.json", self.building_json),
            ("/peringkat", self.ranking_page),
            ("/peringkat.csv", self.ranking_csv),
            ("/peringkat.json", self.ranking_json),
            ("/masuk", self.login_form),
        ):
            routes.add("GET", path, handler)
        routes.add("POST", "/masuk", self.login)
        routes.add("POST", "/keluar", self.logout)
        for path in _ASSETS:
            routes.add("GET", path, self.asset)

    # -- plumbing -----------------------------------------------------------------------------

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    async def _read(self, work: Callable[[Any], Any]) -> Any:
        def run() -> Any:
            with self.pool.connection(timeout=5.0) as conn:
                return work(conn)

        return await asyncio.to_thread(run)

    def _html(self, status: int, text: str, **headers: str) -> Response:
        return Response(
            status,
            text.encode("utf-8"),
            "text/html; charset=utf-8",
            {
                "Content-Security-Policy": CSP,
                "X-Frame-Options": "DENY",
                "Referrer-Policy": "same-origin",
                **headers,
            },
        )

    @staticmethod
    def _see_other(location: str, **headers: str) -> Response:
        return Response(303, b"", "text/plain; charset=utf-8", {"Location": location, **headers})

    def _session_value(self, request: Request) -> str | None:
        for part in (request.header("cookie") or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == SESSION_COOKIE:
                return value
        return None

    def _user(self, request: Request) -> CentralUser | None:
        session = self.sessions.get(self._session_value(request), self.clock())
        return None if session is None else self.config.users.get(session.user)

    def _visible(self, user: CentralUser) -> list[CentralBuilding]:
        return [b for b in self.config.buildings.values() if user.sees(b)]

    def _page(
        self, request: Request, user: CentralUser, status: int, title: str, body: str
    ) -> Response:
        # The logout form's token is bound to this session's cookie, as a login form's to its.
        session = self._session_value(request) or ""
        token = self.forms.new_token(session, "keluar", self.clock())
        return self._html(status, pages.page(title, body, user=user.name, logout_token=token))

    @staticmethod
    def _params(request: Request) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(request.query, max_num_fields=20).items()}

    def _range(self, request: Request, default_last: date, default_days: int) -> tuple[date, date]:
        params = self._params(request)
        try:
            last = date.fromisoformat(params["sampai"]) if params.get("sampai") else default_last
            first = (
                date.fromisoformat(params["dari"])
                if params.get("dari")
                else last - timedelta(days=default_days - 1)
            )
        except ValueError:
            raise _BadRange("Tanggal tidak valid: tulis sebagai TTTT-BB-HH.") from None
        if first > last:
            raise _BadRange("Tanggal awal jatuh setelah tanggal akhir.")
        if (last - first).days >= MAX_RANGE_DAYS:
            raise _BadRange(f"Rentang paling panjang {MAX_RANGE_DAYS} hari.")
        return first, last

    def _own_origins(self, request: Request) -> set[str]:
        if self.config.public_url:
            return {self.config.public_url.lower()}
        host = (request.header("host") or "").lower()
        return {f"http://{host}", f"https://{host}"} if host else set()

    @staticmethod
    def _address(request: Request) -> str:
        m = _PEER_HOST_RE.match(request.peer)
        return m.group(1) if m else request.peer

    def _clock_text(self, instant_s: float) -> str:
        local = datetime.fromtimestamp(instant_s, zone_tz(self.config.zone))
        return f"{local:%H.%M} {self.config.zone}"

    # -- logins -------------------------------------------------------------------------------

    def _login_answer(self, request: Request, status: int, message: str | None,
                      user_id: str = "") -> Response:  # fmt: skip
        cookie = cookie_value(request.header("cookie"))
        headers = {}
        if cookie is None:
            cookie = FormGuard.new_cookie()
            headers["Set-Cookie"] = cookie_header(cookie, secure=self.secure, path="/masuk")
        token = self.forms.new_token(cookie, "masuk", self.clock())
        return self._html(status, pages.login_page(token, message, user_id), **headers)

    async def login_form(self, request: Request) -> Response:
        if self._user(request) is not None:
            return self._see_other("/")
        return self._login_answer(request, 200, None)

    async def login(self, request: Request) -> Response:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace"),
                                              max_num_fields=10).items()}  # fmt: skip
        now = self.clock()
        user_id = form.get("pengguna", "").strip()[:100]
        if not same_origin(
            request.header("origin"), request.header("sec-fetch-site"), self._own_origins(request)
        ) or not self.forms.check(
            form.get("token"), cookie_value(request.header("cookie")), "masuk", now
        ):
            return self._login_answer(request, 403, STALE_FORM, user_id)
        address = self._address(request)
        locked = self.guard.locked_until(user_id, address, now)
        if locked is not None:
            return self._locked(request, locked, user_id)
        user = self.config.users.get(user_id)
        if self._dummy_hash is None:
            self._dummy_hash = await asyncio.to_thread(hash_password, "no user has this")
        stored = user.password_hash if user is not None else self._dummy_hash
        ok = await asyncio.to_thread(verify_password, form.get("sandi", ""), stored)
        if not ok or user is None:
            self.guard.failed(user_id, address, now)
            log.warning("failed login for %r from %s", user_id, address)
            locked = self.guard.locked_until(user_id, address, now)
            if locked is not None:
                return self._locked(request, locked, user_id)
            return self._login_answer(request, 401, WRONG, user_id)
        self.guard.succeeded(user_id)
        value = self.sessions.start(user.id, now)
        log.info("%s logged in from %s", user.id, address)
        secure = "; Secure" if self.secure else ""
        return self._see_other(
            "/",
            **{
                "Set-Cookie": f"{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{secure}"
            },
        )

    def _locked(self, request: Request, until_s: float, user_id: str) -> Response:
        message = (
            "Terlalu banyak percobaan masuk yang gagal. Silakan coba lagi setelah pukul "
            f"{self._clock_text(until_s + 59)}."  # rounded up to the minute shown
        )
        return self._login_answer(request, 429, message, user_id)

    async def logout(self, request: Request) -> Response:
        user = self._user(request)
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace"),
                                              max_num_fields=10).items()}  # fmt: skip
        if user is not None and (
            not same_origin(
                request.header("origin"),
                request.header("sec-fetch-site"),
                self._own_origins(request),
            )
            or not self.forms.check(
                form.get("token"), self._session_value(request), "keluar", self.clock()
            )
        ):
            return self._page(
                request, user, 403, "Keluar", f'<p class="galat">{pages.esc(STALE_FORM)}</p>'
            )
        self.sessions.end(self._session_value(request))
        secure = "; Secure" if self.secure else ""
        return self._see_other(
            "/masuk",
            **{"Set-Cookie": f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; "
               f"SameSite=Strict{secure}"},
        )  # fmt: skip

    # -- the overview ---------------------------------------------------------------------------

    async def _overview(self, user: CentralUser) -> tuple[Table, Table]:
        visible, now = self._visible(user), self._now()
        return await self._read(lambda conn: overview(conn, visible, now))

    def _live_section(self, tables: tuple[Table, Table]) -> str:
        per_building, per_line = tables
        stamp = datetime.fromtimestamp(self.clock(), zone_tz(self.config.zone))
        return (
            f'<div id="hidup" data-sumber="/bagian/ringkasan" data-setiap="{self.refresh_s}">'
            f'<p class="diperbarui">Diperbarui pukul {stamp:%H.%M.%S} {self.config.zone}. '
            "Baris bertanda ⚠ berada di bawah standar pelayanan dan ditampilkan lebih dulu.</p>"
            + pages.table_section(
                per_building,
                "/ringkasan.csv?tabel=gedung",
                section_id="gedung",
                links={"building": lambda r: pages.query("/gedung", id=r["building_id"])},
            )
            + pages.table_section(
                per_line,
                "/ringkasan.csv?tabel=layanan",
                section_id="layanan",
                links={"building": lambda r: pages.query("/gedung", id=r["building_id"])},
            )
            + "</div>"
        )

    async def overview_page(self, request: Request) -> Response:
        user = self._user(request)
        if user is None:
            return self._see_other("/masuk")
        body = self._live_section(await self._overview(user))
        return self._page(request, user, 200, "Ringkasan hari ini", body)

    async def overview_fragment(self, request: Request) -> Response:
        user = self._user(request)
        if user is None:
            return _login_required()
        return self._html(200, self._live_section(await self._overview(user)))

    async def overview_csv(self, request: Request) -> Response:
        user = self._user(request)
        if user is None:
            return _login_required()
        per_building, per_line = await self._overview(user)
        which = self._params(request).get("tabel", "layanan")
        return _csv(per_building if which == "gedung" else per_line)

    async def overview_json(self, request: Request) -> Response:
        user = self._user(request)
        if user is None:
            return _login_required()
        per_building, per_line = await self._overview(user)
        body = {"buildings": json_value(per_building), "lines": json_value(per_line)}
        return Response(200, json_bytes(body))

    # -- one building ---------------------------------------------------------------------------

    async def _history(self, request: Request) -> tuple[CentralUser | None, Any, Response | None]:
        user = self._user(request)
        if user is None:
            return None, None, _login_required()
        building = self.config.buildings.get(self._params(request).get("id", ""))
        if building is None or not user.sees(building):
            return user, None, error(404, "not_found", "Gedung tidak ditemukan.")
        now = self._now()

        def work(conn: Any) -> tuple[Any, Table]:
            state = states(conn, [building])[0]
            first, last = self._range(request, state.today(now), HISTORY_DAYS)
            return (state, first, last), history(conn, building, first, last)

        try:
            (state, first, last), table = await self._read(work)
        except _BadRange as bad:
            return user, None, error(400, "bad_range", str(bad))
        return user, (building, state, first, last, table), None

    async def building_page(self, request: Request) -> Response:
        if self._user(request) is None:
            return self._see_other("/masuk")
        user, found, refused = await self._history(request)
        assert user is not None
        if refused is not None:
            status = refused.status
            text = "Gedung tidak ditemukan." if status == 404 else _message_of(refused)
            return self._page(
                request, user, status, "Gedung", f'<p class="galat">{pages.esc(text)}</p>'
            )
        building, state, first, last, table = found
        params = {"id": building.id, "dari": first.isoformat(), "sampai": last.isoformat()}
        body = (
            f'<p class="keterangan">{pages.esc(state.region)} · zona {state.zone} · data '
            f"terakhir diterima {pages.esc(state.clock(state.last_received))}</p>"
            + pages.range_form("/gedung", first, last, {"id": building.id})
            + pages.table_section(
                table,
                pages.query("/gedung.csv", **params),
                section_id="riwayat",
                empty="Tidak ada data pada rentang ini.",
            )
        )
        return self._page(request, user, 200, state.name, body)

    async def building_csv(self, request: Request) -> Response:
        _user, found, refused = await self._history(request)
        return refused if refused is not None else _csv(found[-1])

    async def building_json(self, request: Request) -> Response:
        _user, found, refused = await self._history(request)
        if refused is not None:
            return refused
        building, _state, first, last, table = found
        value = {"building": building.id, "from": first.isoformat(), "to": last.isoformat(),
                 **json_value(table)}  # fmt: skip
        return Response(200, json_bytes(value))

    # -- the ranking ----------------------------------------------------------------------------

    async def _ranking(self, request: Request) -> tuple[CentralUser | None, Any, Response | None]:
        user = self._user(request)
        if user is None:
            return None, None, _login_required()
        today = self._now().astimezone(zone_tz(self.config.zone)).date()
        try:
            first, last = self._range(request, today, 1)
        except _BadRange as bad:
            return user, None, error(400, "bad_range", str(bad))
        visible = self._visible(user)
        table = await self._read(lambda conn: ranking(conn, visible, first, last))
        return user, (first, last, table), None

    async def ranking_page(self, request: Request) -> Response:
        if self._user(request) is None:
            return self._see_other("/masuk")
        user, found, refused = await self._ranking(request)
        assert user is not None
        if refused is not None:
            body = f'<p class="galat">{pages.esc(_message_of(refused))}</p>'
            return self._page(request, user, refused.status, "Peringkat layanan", body)
        first, last, table = found
        body = pages.range_form("/peringkat", first, last) + pages.table_section(
            table,
            pages.query("/peringkat.csv", dari=first.isoformat(), sampai=last.isoformat()),
            section_id="peringkat",
            links={"building": lambda r: pages.query("/gedung", id=r["building_id"])},
            empty="Belum ada waktu tunggu pada rentang ini.",
        )
        return self._page(request, user, 200, "Peringkat layanan", body)

    async def ranking_csv(self, request: Request) -> Response:
        _user, found, refused = await self._ranking(request)
        return refused if refused is not None else _csv(found[-1])

    async def ranking_json(self, request: Request) -> Response:
        _user, found, refused = await self._ranking(request)
        if refused is not None:
            return refused
        first, last, table = found
        value = {"from": first.isoformat(), "to": last.isoformat(), **json_value(table)}
        return Response(200, json_bytes(value))

    # -- files ----------------------------------------------------------------------------------

    async def asset(self, request: Request) -> Response:
        name, content_type = _ASSETS[request.path]
        return Response(200, (_STATIC / name).read_bytes(), content_type)


def _login_required() -> Response:
    return error(401, "login_required", "Silakan masuk terlebih dahulu.")


def _message_of(response: Response) -> str:
    import json

    return str(json.loads(response.body).get("message", ""))


def _csv(table: Table) -> Response:
    return Response(
        200,
        csv_bytes(table),
        "text/csv; charset=utf-8",
        {"Content-Disposition": f'attachment; filename="{table.name}.csv"'},
    )
