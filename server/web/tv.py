"""The TV page over HTTP: the page itself, its static assets, and the audio of each call.

Theory of operation: the server builds one `TvPage` for its building, with the building's
[voice] and a `VoiceRenderer`; server/web/routes.py hands it every request whose path `handles`,
and its `respond` returns a coroutine (websockets awaits what `process_request` returns). Three
kinds of answer, none of which needs anything from the internet:

    /display?zone=1&token=…   index.html with the building's name; the page then opens the
                               websocket with the token from its own URL (docs/operations.md)
    /static/<name>            tv.js, tv-announce.js, tv.css, chime.wav — a fixed whitelist,
                               never a file path (the browser code lives in display/web/, read
                               here as files)
    /audio/call?number=B-017&counter=L05[&style=number][&agency=1]
                               the announcement as a WAV, rendered by espeak-ng and cached
    /audio/call?kind=handon&from=A-017&number=J-014[&counter=L05][&style=number]
                               a visit's hand-on (issue 22): "Nomor antrean A nol satu tujuh,
                               silakan lanjut ke BPJS Kesehatan, nomor antrean J nol satu
                               empat." — the agency of J-014's line; rendered and cached alike.
                               `counter` is the desk the citizen just left (absent when the floor
                               skipped a waiting stop): a TV of its zone, or of the next line's
                               zone, may ask

The audio endpoint takes a ticket number and a counter id, not text: the server builds the
phrase itself from the building (the counter's label or spoken form, its agency), so nobody can
make the server say arbitrary words, and the cache holds at most one entry per (number, counter,
style).
It also requires a display's device token (header `X-Antre-Token`), like the websocket does.
When espeak-ng cannot speak, it answers 503 with the phrase as JSON so that the page can fall
back to the browser's own voice with exactly the words the server would have said.
"""

from __future__ import annotations

import html
import json
import logging
import re
import urllib.parse
from collections.abc import Awaitable, Mapping
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Final, Protocol

from websockets.http11 import Request, Response

from server import protocol as p
from server.auth import verify_token
from server.core.building import Building, DeviceKind, VoiceConfig
from server.core.voice_text import ReadingStyle
from server.web.responses import response
from server.web.voice import (
    VoiceRenderer,
    VoiceUnavailable,
    call_phrase,
    chime_wav,
    handon_phrase,
)

__all__ = [
    "AUDIO_CALL_PATH",
    "DISPLAY_PATHS",
    "STATIC_NAMES",
    "STATIC_PREFIX",
    "WEB_DIR",
    "AudioRequestError",
    "TvPage",
    "display_zone",
    "handles",
    "handon_phrase_for",
    "phrase_for",
    "static_asset",
    "tv_page",
]

log = logging.getLogger("antre.display")

# The TV's browser code is the display's (display/web/), shipped with the `display` package; it is
# read as files next to this package, in the source tree as in site-packages, never imported.
WEB_DIR: Final = Path(__file__).resolve().parents[2] / "display" / "web"
DISPLAY_PATHS: Final = frozenset({"/display", "/display/"})
STATIC_PREFIX: Final = "/static/"
AUDIO_CALL_PATH: Final = "/audio/call"

# The only files /static/ serves: name -> (file in WEB_DIR, content type). chime.wav is made in
# memory.
_STATIC: Final[Mapping[str, tuple[str, str]]] = {
    "tv.js": ("tv.js", "text/javascript; charset=utf-8"),
    "tv-announce.js": ("tv-announce.js", "text/javascript; charset=utf-8"),
    "tv.css": ("tv.css", "text/css; charset=utf-8"),
    "chime.wav": ("chime", "audio/wav"),
}
# The names under /static/ (server/web/routes.py lists each as a route).
STATIC_NAMES: Final = tuple(_STATIC)
_NUMBER_RE: Final = re.compile(r"[A-Z]{1,3}-[0-9]{1,4}")
_COUNTER_RE: Final = re.compile(r"[A-Za-z0-9_-]{1,32}")

# Everything the page loads comes from this server: scripts, styles, audio, the websocket.
_CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'"
)


def handles(path: str) -> bool:
    """True for the paths this module answers (path without the query string)."""
    return path in DISPLAY_PATHS or path.startswith(STATIC_PREFIX) or path == AUDIO_CALL_PATH


# --------------------------------------------------------------------------------------------
# Pure parts: the page, the assets, the phrase of a call
# --------------------------------------------------------------------------------------------


@cache
def _read_web(name: str) -> str:
    return (WEB_DIR / name).read_text(encoding="utf-8")


def tv_page(building: Building, zone: str | None = None) -> bytes:
    """index.html with the building's (and the zone's) name filled in, as UTF-8."""
    zone_name = next((z.name for z in building.zones if z.id == zone), "")
    values = {
        "building": html.escape(building.name),
        "zone": html.escape(zone_name),
        "ws_path": html.escape(p.WS_PATH),
        "protocol": str(p.PROTOCOL_VERSION),
    }
    page = _read_web("index.html")
    for key, value in values.items():
        page = page.replace("{{" + key + "}}", value)
    return page.encode("utf-8")


def static_asset(name: str) -> tuple[bytes, str] | None:
    """The bytes and content type of a whitelisted asset, or None."""
    entry = _STATIC.get(name)
    if entry is None:
        return None
    source, content_type = entry
    if source == "chime":
        return chime_wav(), content_type
    return _read_web(source).encode("utf-8"), content_type


def display_zone(building: Building, token: str) -> tuple[bool, str | None]:
    """(is a display's token, that display's zone or None for every zone)."""
    for device in building.devices:
        if device.kind is DeviceKind.DISPLAY and verify_token(token, device.token_sha256):
            return True, device.zone
    return False, None


class AudioRequestError(ValueError):
    """A refused /audio/call request: the HTTP status and a short Indonesian reason."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def phrase_for(
    building: Building,
    query: Mapping[str, str],
    token: str,
    settings: VoiceConfig,
    *,
    letter_names: bool = False,
) -> str:
    """The phrase an /audio/call request asks for; AudioRequestError when it is not allowed."""
    ok, zone = display_zone(building, token)
    if not ok:
        raise AudioRequestError(HTTPStatus.FORBIDDEN, "Token perangkat tidak dikenal.")
    number = query.get("number", "")
    counter_id = query.get("counter", "")
    if not _NUMBER_RE.fullmatch(number) or not _COUNTER_RE.fullmatch(counter_id):
        raise AudioRequestError(HTTPStatus.BAD_REQUEST, "Nomor atau loket tidak sah.")
    counter = building.counter(counter_id)
    line = building.line(number.partition("-")[0])
    if counter is None or line is None:
        raise AudioRequestError(HTTPStatus.NOT_FOUND, "Loket atau layanan tidak dikenal.")
    if zone is not None and counter.zone != zone:
        raise AudioRequestError(HTTPStatus.FORBIDDEN, "Loket ini tidak berada di zona layar ini.")
    style = query.get("style", settings.style)
    if style not in {s.value for s in ReadingStyle}:
        raise AudioRequestError(HTTPStatus.BAD_REQUEST, "Gaya baca tidak dikenal.")
    say_agency = query["agency"] == "1" if "agency" in query else settings.agency
    # The agency of the ticket's line: a counter's own, and for a desk shared by agencies on
    # different days, the one it belongs to on the day of the call.
    agency = building.agency(line.agency) if say_agency else None
    return call_phrase(
        number,
        counter.number,
        style,
        agency.short_name if agency else None,
        settings.template,
        spoken=counter.spoken,
        letter_names=letter_names,
    )


def handon_phrase_for(
    building: Building,
    query: Mapping[str, str],
    token: str,
    settings: VoiceConfig,
    *,
    letter_names: bool = False,
) -> str:
    """The sentence an /audio/handon request asks for; AudioRequestError when not allowed.

    Built from two ticket numbers and the building, never from text: the agency is the one of
    the next number's line, so the server says nothing but a hand-on of its own lines."""
    ok, zone = display_zone(building, token)
    if not ok:
        raise AudioRequestError(HTTPStatus.FORBIDDEN, "Token perangkat tidak dikenal.")
    from_number = query.get("from", "")
    number = query.get("number", "")
    counter_id = query.get("counter", "")
    if (
        not _NUMBER_RE.fullmatch(from_number)
        or not _NUMBER_RE.fullmatch(number)
        or (counter_id and not _COUNTER_RE.fullmatch(counter_id))
    ):
        raise AudioRequestError(HTTPStatus.BAD_REQUEST, "Nomor atau loket tidak sah.")
    line = building.line(number.partition("-")[0])
    agency = building.agency(line.agency) if line else None
    counter = building.counter(counter_id) if counter_id else None
    if agency is None or building.line(from_number.partition("-")[0]) is None:
        raise AudioRequestError(HTTPStatus.NOT_FOUND, "Layanan tidak dikenal.")
    if counter_id and counter is None:
        raise AudioRequestError(HTTPStatus.NOT_FOUND, "Loket atau layanan tidak dikenal.")
    # The TVs that announce a hand-on: the zone of the desk just left and the next line's zone.
    zones = {agency.zone} | ({counter.zone} if counter else set())
    if zone is not None and zone not in zones:
        raise AudioRequestError(HTTPStatus.FORBIDDEN, "Layanan ini tidak berada di zona layar ini.")
    style = query.get("style", settings.style)
    if style not in {s.value for s in ReadingStyle}:
        raise AudioRequestError(HTTPStatus.BAD_REQUEST, "Gaya baca tidak dikenal.")
    return handon_phrase(from_number, number, agency.short_name, style, letter_names=letter_names)


# --------------------------------------------------------------------------------------------
# HTTP adapter
# --------------------------------------------------------------------------------------------


def _json(status: HTTPStatus, data: dict[str, object]) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return response(status, body, "application/json; charset=utf-8")


def _not_found() -> Response:
    body = b"<!doctype html><meta charset=utf-8><h1>Halaman tidak ditemukan</h1>"
    return response(HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8")


def _query(target: str) -> dict[str, str]:
    # The first value of each key; keep_blank_values so that `agency=` is seen, not dropped.
    parsed = urllib.parse.parse_qs(
        urllib.parse.urlsplit(target).query, keep_blank_values=True, max_num_fields=20
    )
    return {k: v[0] for k, v in parsed.items() if v}


class _PhraseOf(Protocol):
    """phrase_for or handon_phrase_for: what an audio request asks the server to say."""

    def __call__(
        self,
        building: Building,
        query: Mapping[str, str],
        token: str,
        settings: VoiceConfig,
        *,
        letter_names: bool = False,
    ) -> str: ...


# What /audio/call's `kind` asks for: a call (the default) or a visit's hand-on (issue 22).
_PHRASES: Final[Mapping[str, _PhraseOf]] = {"call": phrase_for, "handon": handon_phrase_for}


class TvPage:
    """The TV routes of one building: its page, the page's assets, and each call's audio.

    Built by the server with the building and the renderer that keeps the calls' audio (its
    cache next to the database); the building's [voice] says how calls are read.
    """

    def __init__(self, building: Building, renderer: VoiceRenderer | None = None) -> None:
        self.building = building
        self.renderer = renderer if renderer is not None else VoiceRenderer()

    def set_building(self, building: Building) -> None:
        """A live building edit (issue 23): answer with the new building from now on."""
        self.building = building

    @property
    def voice(self) -> VoiceConfig:
        return self.building.voice

    def respond(self, request: Request) -> Awaitable[Response]:
        """The answer to a path that `handles`; the coroutine never raises (errors become 5xx)."""
        return self._respond(request)

    async def _respond(self, request: Request) -> Response:
        target = request.path
        path = target.partition("?")[0]
        try:
            if path in DISPLAY_PATHS:
                zone = _query(target).get("zone")
                return response(
                    HTTPStatus.OK,
                    tv_page(self.building, zone),
                    "text/html; charset=utf-8",
                    extra={"Content-Security-Policy": _CSP, "Referrer-Policy": "no-referrer"},
                )
            if path.startswith(STATIC_PREFIX):
                asset = static_asset(path.removeprefix(STATIC_PREFIX))
                if asset is None:
                    return _not_found()
                body, content_type = asset
                # no-cache: the TV revalidates after an upgrade instead of running yesterday's js.
                return response(HTTPStatus.OK, body, content_type, cache_control="no-cache")
            if path == AUDIO_CALL_PATH:
                query = _query(target)
                kind = query.get("kind", "call")
                if kind not in _PHRASES:
                    return _json(
                        HTTPStatus.BAD_REQUEST, {"error": "Jenis pengumuman tidak dikenal."}
                    )
                return await self._audio(request, query, _PHRASES[kind])
            return _not_found()
        except ValueError as exc:  # e.g. a query string with too many fields
            return _json(HTTPStatus.BAD_REQUEST, {"error": str(exc)[:200]})
        except Exception:
            log.exception("TV request %s failed", path[:200])
            body = {"error": "Terjadi kesalahan di server."}
            return _json(HTTPStatus.INTERNAL_SERVER_ERROR, body)

    async def _audio(
        self, request: Request, query: Mapping[str, str], phrase_of: _PhraseOf
    ) -> Response:
        token = request.headers.get("X-Antre-Token") or query.get("token", "")
        settings = self.voice
        try:
            phrase = phrase_of(self.building, query, token, settings)
            fallback = phrase_of(self.building, query, token, settings, letter_names=True)
        except AudioRequestError as exc:
            return _json(exc.status, {"error": exc.message})
        # The fallback phrase spells the letters ("be") for voices that would read "B" in English.
        quoted = urllib.parse.quote(fallback)
        try:
            wav = await self.renderer.render(phrase, settings)
        except VoiceUnavailable as exc:
            log.warning("no server voice for %r: %s", phrase, exc)
            body = {"error": "Suara server tidak tersedia.", "phrase": fallback}
            answer = _json(HTTPStatus.SERVICE_UNAVAILABLE, body)
            answer.headers["X-Antre-Phrase"] = quoted
            return answer
        return response(
            HTTPStatus.OK,
            wav,
            "audio/wav",
            # The same call's audio never changes while the server runs: a recall replays it free.
            cache_control="private, max-age=3600",
            extra={"X-Antre-Phrase": quoted},
        )
