"""The TV page over HTTP: the page, its whitelisted assets, and the audio endpoint's rules."""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.parse

import hubtest
import pytest
from hubtest import Server, StartServer, demo_building, demo_credentials
from websockets.datastructures import Headers
from websockets.http11 import Request
from webtest import http_get

from server.config import demo_building_path, parse_building
from server.core.building import VoiceConfig
from server.web import tv
from server.web.voice import VoiceRenderer, chime_wav, espeak_available, wav_info

WEB = tv.WEB_DIR
TV1 = demo_credentials()["TV-1"]
TV2 = demo_credentials()["TV-2"]
KIOSK = demo_credentials()["KIOSK-1"]


# --------------------------------------------------------------------------------------------
# Without a server
# --------------------------------------------------------------------------------------------


def test_the_page_names_the_building_and_loads_only_local_assets() -> None:
    """index.html is filled in, and every script, style and icon it loads is Antre's own."""
    page = tv.tv_page(demo_building(), "1").decode()
    assert "MPP Kota Contoh" in page and "Lantai 1" in page
    assert "{{" not in page
    assert 'data-ws-path="/ws"' in page
    for ref in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert ref.startswith("/static/") or ref.startswith("data:"), ref
        if ref.startswith("/static/"):
            assert tv.static_asset(ref.removeprefix("/static/")) is not None, ref


def test_no_file_of_the_page_reaches_for_the_internet() -> None:
    """No CDN, no font service, no absolute URL in the page's html, js or css."""
    for path in WEB.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://|//cdn|@import|googleapis", text), path.name


def test_the_building_name_is_escaped_in_the_page() -> None:
    """A building name with markup is shown as text, not run as html."""
    building = dataclasses.replace(demo_building(), name="<script>alert(1)</script>")
    page = tv.tv_page(building).decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "name",
    [
        "index.html",
        "../voice.py",
        "..%2Fvoice.py",
        "",
        "tv.js/",
        "TV.JS",
        "web/tv.js",
        "tv-announce.js/",
        "tv-other.js",
    ],
)
def test_static_serves_only_its_whitelist(name: str) -> None:
    """/static/ answers its four names and nothing else: no path ever reaches the disk."""
    assert tv.static_asset(name) is None


def test_static_whitelist_types() -> None:
    """The four assets come with their content types; the chime is a WAV."""
    for script in ("tv.js", "tv-announce.js"):
        assert tv.static_asset(script)[1].startswith("text/javascript")  # type: ignore[index]
    assert tv.static_asset("tv.css")[1].startswith("text/css")  # type: ignore[index]
    chime, kind = tv.static_asset("chime.wav")  # type: ignore[misc]
    assert kind == "audio/wav" and wav_info(chime).frames > 0


def _phrase(query: dict[str, str], token: str = TV1) -> str:
    return tv.phrase_for(demo_building(), query, token, VoiceConfig())


def test_the_server_builds_the_phrase_from_number_and_counter() -> None:
    """The phrase comes from the building: the counter's number and, if asked, its agency."""
    assert _phrase({"number": "C-017", "counter": "L05"}) == (
        "Nomor antrean C nol satu tujuh, silakan menuju loket lima"
    )
    assert _phrase({"number": "C-017", "counter": "L05", "style": "number", "agency": "1"}) == (
        "Nomor antrean C tujuh belas, silakan menuju loket lima, Dukcapil"
    )


@pytest.mark.parametrize(
    ("query", "token", "status"),
    [
        ({"number": "A-001", "counter": "L01"}, "", 403),  # no token
        ({"number": "A-001", "counter": "L01"}, KIOSK, 403),  # a kiosk's token is no TV's
        ({"number": "A-001", "counter": "L01"}, TV2, 403),  # a zone-2 TV asking for zone 1
        ({"number": "A-001"}, TV1, 400),
        ({"number": "say anything", "counter": "L01"}, TV1, 400),
        ({"number": "A-00001", "counter": "L01"}, TV1, 400),
        ({"number": "Z-001", "counter": "L01"}, TV1, 404),  # no line Z
        ({"number": "A-001", "counter": "L99"}, TV1, 404),
        ({"number": "A-001", "counter": "L01", "style": "shout"}, TV1, 400),
    ],
)
def test_audio_requests_are_checked(query: dict[str, str], token: str, status: int) -> None:
    """Only a display's token, a real line and counter of its zone, and a known style pass."""
    with pytest.raises(tv.AudioRequestError) as refused:
        _phrase(query, token)
    assert refused.value.status == status


async def test_respond_never_raises() -> None:
    """A malformed query string becomes a 400 answer, not an exception into websockets."""
    request = Request("/audio/call?" + "&".join(f"k{i}=v" for i in range(50)), Headers())
    response = await tv.TvPage(demo_building()).respond(request)
    assert response.status_code == 400


# --------------------------------------------------------------------------------------------
# Through the server (server/web/routes.py hands these paths to its TvPage)
# --------------------------------------------------------------------------------------------


async def test_the_server_serves_the_page_and_its_assets(server: Server) -> None:
    """/display and its four assets are served; an unlisted name is not; no other sources."""
    status, headers, body = await http_get(server, f"/display?zone=1&token={TV1}")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"MPP Kota Contoh" in body
    assert "default-src 'self'" in headers["content-security-policy"]
    for name in ("tv.js", "tv-announce.js", "tv.css", "chime.wav"):
        status, headers, body = await http_get(server, f"/static/{name}")
        assert status == 200 and body == tv.static_asset(name)[0]  # type: ignore[index]
    for path in (
        "/static/../display/tv.js",
        "/static/../server/web/voice.py",
        "/static/index.html",
        "/static/tv-other.js",
    ):
        status, _, _ = await http_get(server, path)
        assert status == 404


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")
async def test_the_audio_of_a_call_is_served_as_wav(server: Server) -> None:
    """/audio/call with a TV's token answers the phrase's WAV and the phrase for a fallback."""
    path = "/audio/call?number=B-017&counter=L04"
    status, headers, body = await http_get(server, path, {"X-Antre-Token": TV1})
    assert status == 200 and headers["content-type"] == "audio/wav"
    info = wav_info(body)
    assert info.channels == 1 and 2.5 < info.duration_s < 10 and info.rms > 300
    assert urllib.parse.unquote(headers["x-antre-phrase"]) == (
        "Nomor antrean be nol satu tujuh, silakan menuju loket empat"
    )
    status, _, _ = await http_get(server, path)  # no token
    assert status == 403


async def test_without_espeak_the_page_gets_the_phrase_to_speak_itself(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the server cannot speak, /audio/call says 503 with the phrase for the browser voice."""
    renderer = VoiceRenderer(executable="no-such-espeak")
    monkeypatch.setattr(server.running.web.tv, "renderer", renderer)
    status, headers, body = await http_get(
        server, "/audio/call?number=A-001&counter=L01", {"X-Antre-Token": TV1}
    )
    assert status == 503
    assert json.loads(body)["phrase"] == "Nomor antrean a nol nol satu, silakan menuju loket satu"
    assert "x-antre-phrase" in headers


class _RecordingRenderer:
    """Stands in for espeak-ng: answers a short WAV and remembers what it was asked to say."""

    def __init__(self) -> None:
        self.said: list[tuple[str, VoiceConfig]] = []

    async def render(self, text: str, settings: VoiceConfig) -> bytes:
        self.said.append((text, settings))
        return chime_wav()


async def test_the_buildings_voice_table_sets_the_reading_style(
    start_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """[voice] style = "number" in the building file makes /audio/call say "B tujuh belas"."""
    text = demo_building_path().read_text(encoding="utf-8")
    assert text.count('style = "digits"') == 1
    text = text.replace('style = "digits"', 'style = "number"').replace(
        "speed_wpm = 140", "speed_wpm = 120"
    )
    building = parse_building(text, "number.toml")
    assert building.voice.style == "number"
    monkeypatch.setattr(hubtest, "demo_building", lambda: building)
    server = await start_server()
    renderer = _RecordingRenderer()
    monkeypatch.setattr(server.running.web.tv, "renderer", renderer)

    path = "/audio/call?number=B-017&counter=L04"
    status, headers, body = await http_get(server, path, {"X-Antre-Token": TV1})
    assert status == 200 and wav_info(body).frames > 0
    spoken, settings = renderer.said[-1]
    assert spoken == "Nomor antrean B tujuh belas, silakan menuju loket empat"
    assert settings.speed_wpm == 120
    # The header carries the browser fallback's words, with the letter's Indonesian name.
    assert urllib.parse.unquote(headers["x-antre-phrase"]) == (
        "Nomor antrean be tujuh belas, silakan menuju loket empat"
    )
    # A TV's own style= still wins over the building's.
    status, _, _ = await http_get(server, path + "&style=digits", {"X-Antre-Token": TV1})
    assert status == 200
    assert renderer.said[-1][0] == "Nomor antrean B nol satu tujuh, silakan menuju loket empat"
