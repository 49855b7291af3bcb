"""The TV page in a real browser: Debian's Chromium, headless, driven by Playwright.

A real server (demo building, fake clock) on a free port; the page opened as a kiosk TV would
open it; an officer's client calls. Playwright never downloads a browser here: it drives
/usr/bin/chromium (installed by scripts/system-deps.sh). Artifacts — a screenshot and the
measured call→screen times — go to test-artifacts/ (git-ignored).

That a display cannot send commands, and that zone filtering holds at the protocol level, is
tested in tests/hub (test_roles.py::test_every_forbidden_command_of_a_role_is_refused[display],
test_happy_paths.py::test_display_of_another_zone_does_not_see_the_call); here the zone rule is
checked end to end, on the screen and in what the page asks the server to say.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from chromium import ARTIFACTS, needs_chromium
from hubtest import FakeClock, Server, StartServer, demo_building, demo_credentials
from playwright.async_api import Error as PlaywrightError

from server import protocol as p
from server.client import AntreClient
from server.web.voice import espeak_available, wav_info

pytestmark = needs_chromium
# Headless Chromium lets every page play sound unasked (whatever --autoplay-policy says), and
# Playwright's evaluate counts as a user gesture. A TV's browser asks for a press: make the page
# see such a browser by hiding AudioContext, which it probes to learn whether it may play.
ASKS_FOR_A_PRESS = "delete window.AudioContext; delete window.webkitAudioContext;"
TV1 = demo_credentials()["TV-1"]


@dataclass
class Tv:
    """One TV page and what it asked the server for."""

    page: Any
    audio: list[tuple[str, int, bytes]] = field(default_factory=list)  # url, status, body
    url: str = ""

    async def turn_on(self) -> None:
        """Open the page, wait until it is in sync, press "Aktifkan suara" as a technician would."""
        await self.page.goto(self.url)
        await self.press_activate()

    async def press_activate(self) -> None:
        """The one-time "Aktifkan suara": the page is silent until it is pressed."""
        await self.wait_connected()
        await self.wait_js("window.antreTV.autoplay === 'blocked'")
        assert not await self.page.evaluate("window.antreTV.soundOn")
        await self.page.click("#activate-button")
        await self.wait_js("window.antreTV.soundOn")
        assert await self.page.is_hidden("#activate")

    async def turn_off(self) -> None:
        """The TV is switched off: the page is gone (its local storage stays)."""
        await self.page.goto("about:blank")

    async def text(self, selector: str) -> str:
        return (await self.page.text_content(selector)) or ""

    async def stats(self) -> dict[str, Any]:
        return await self.page.evaluate("window.antreTV.stats")

    async def wait_js(self, expression: str, timeout_s: float = 15) -> None:
        # A function, not a bare expression: Playwright would eval() a string, which the page's
        # Content-Security-Policy forbids (and the test must run under the page's real CSP).
        await self.page.wait_for_function(f"() => ({expression})", timeout=timeout_s * 1000)

    async def wait_current(self, number: str) -> None:
        await self.wait_js(
            f"document.getElementById('current-number').textContent === {json.dumps(number)}"
        )

    async def wait_connected(self, syncs: int = 1) -> None:
        await self.wait_js(
            f"window.antreTV && window.antreTV.connected "
            f"&& window.antreTV.stats.syncs.length >= {syncs}"
        )

    def audio_for(self, number: str) -> list[tuple[str, int, bytes]]:
        return [a for a in self.audio if f"number={number}&" in a[0]]


async def open_tv(
    browser: Any, server: Server, *, token: str = TV1, zone: str = "1", query: str = ""
) -> Tv:
    """A 1080p TV page on /display with its token, sound activated as a technician would."""
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    tv = Tv(page)

    async def pass_audio_through(route: Any) -> None:
        # The exact bytes the page receives: fetched from the server, kept, handed on unchanged.
        try:
            response = await route.fetch()
        except PlaywrightError:
            # The server went away mid-request (the restart test stops it while a call's audio
            # may still be on its way): the page gets the network error a browser would.
            await route.abort("connectionrefused")
            return
        body = await response.body()
        tv.audio.append((route.request.url, response.status, body))
        await route.fulfill(response=response, body=body)

    await page.route("**/audio/call?*", pass_audio_through)
    await page.add_init_script(ASKS_FOR_A_PRESS)
    tv.url = f"{server.running.http_url}/display?zone={zone}&token={token}{query}"
    await tv.turn_on()
    return tv


async def queue_tickets(server: Server, line: str, n: int) -> list[dict[str, Any]]:
    kiosk = await server.client("KIOSK-1")
    tickets = []
    for _ in range(n):
        t = await kiosk.issue_ticket(line)
        await kiosk.confirm_printed(t["id"])
        tickets.append(t)
    return tickets


async def call_next(officer: AntreClient, clock: FakeClock) -> str:
    """A few seconds later, the officer calls the next number (calls at one instant tie)."""
    clock.advance(5)
    return (await officer.act("call_next"))["ticket"]["number"]


async def timed_call(officer: AntreClient, tv: Tv, clock: FakeClock) -> tuple[str, float]:
    """Call next; return the number and the ms from sending the request to the page showing it."""
    clock.advance(5)
    sent = time.time() * 1000
    reply = await officer.act("call_next")
    number = reply["ticket"]["number"]
    await tv.wait_current(number)
    shown = (await tv.stats())["shownAt"][number]
    return number, shown - sent


def record(name: str, data: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_text(json.dumps(data, indent=2), encoding="utf-8")
    print(f"\n{name}: {json.dumps(data)}")


async def test_a_call_is_shown_and_announced_once_and_again_on_recall(
    server: Server, browser: Any, clock: FakeClock
) -> None:
    """The called number and counter appear at once; the server's WAV is fetched and played."""
    tv = await open_tv(browser, server)
    assert await tv.text("#current-number") == "—"  # nothing called yet today
    await queue_tickets(server, "C", 6)
    officer = await server.officer_at_work("DKP01@L05")

    number, ms = await timed_call(officer, tv, clock)
    assert number == "C-001"
    assert await tv.text("#current-counter") == "Loket 5"
    assert await tv.text("#current-agency") == "Dukcapil"
    row = tv.page.locator('#counters li[data-counter="L05"]')
    assert "dipanggil" in await row.inner_text() and "C-001" in await row.inner_text()
    await tv.wait_js(
        "document.querySelector('#waiting [data-agency=DUKCAPIL] .w-count')"
        ".textContent === '5 orang'"
    )
    assert "Senin, 23 November 2026" in await tv.text("#date")
    assert await tv.text("#running-text") == demo_building().running_text

    # The announcement: the page asked the server for this call's audio and played it to the end.
    await tv.wait_js("window.antreTV.stats.played.length >= 1", timeout_s=30)
    [(url, status, body)] = tv.audio_for("C-001")
    assert "counter=L05" in url
    if espeak_available():
        assert status == 200
        info = wav_info(body)
        assert info.channels == 1 and info.rms > 300
        assert 2.5 < info.duration_s < 10  # "Nomor antrean C nol nol satu, … loket lima"
        [played] = (await tv.stats())["played"]
        assert played["ms"] >= 0.9 * info.duration_s * 1000  # played to its end, not cut off
    else:  # the page reads the server's phrase with the browser's voice instead
        assert status == 503

    # Four more calls (for the timing record) and a recall: each call is queued for announcement
    # once, the recall once more; they are said one after the other, never over each other.
    times = [ms]
    for _ in range(4):
        await officer.act("no_show")
        times.append((await timed_call(officer, tv, clock))[1])
    await officer.act("recall")
    await tv.wait_js("window.antreTV.stats.queued.length === 6")
    stats = await tv.stats()
    queued = [a["number"] for a in stats["queued"]]
    assert queued == ["C-001", "C-002", "C-003", "C-004", "C-005", "C-005"]
    history = await tv.page.locator("#history li .number").all_inner_texts()
    assert history[:4] == ["C-004", "C-003", "C-002", "C-001"]
    await tv.wait_js("window.antreTV.stats.announced.length >= 2", timeout_s=30)
    first, second = (await tv.stats())["announced"][:2]
    assert second["at"] - first["at"] >= stats["played"][0]["ms"]
    ARTIFACTS.mkdir(exist_ok=True)
    await tv.page.screenshot(path=str(ARTIFACTS / "tv-call.png"))
    record(
        "tv-call-to-screen.json",
        {
            "what": "ms from an officer's call_next request to the TV page showing the number",
            "calls_ms": [round(t, 1) for t in times],
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
        },
    )


async def test_a_zone_1_tv_never_shows_nor_says_a_zone_2_call(
    server: Server, browser: Any, clock: FakeClock
) -> None:
    """A Lantai 2 call reaches neither the Lantai 1 screen nor its audio requests."""
    tv = await open_tv(browser, server)
    await queue_tickets(server, "P", 1)  # Imigrasi, Lantai 2
    await queue_tickets(server, "A", 1)
    imigrasi = await server.officer_at_work("IMI01@L22")
    await call_next(imigrasi, clock)
    dukcapil = await server.officer_at_work("DKP01@L01")
    number, _ = await timed_call(dukcapil, tv, clock)  # pushed after the zone-2 call: it went by
    assert number == "A-001"
    assert "P-001" not in await tv.page.content()
    assert "Loket 22" not in await tv.page.content()
    stats = await tv.stats()
    assert [a["number"] for a in stats["announced"]] == ["A-001"]
    assert all("P-001" not in a["url"] for a in stats["audio"])


async def test_the_tv_rides_out_a_restart_and_replays_the_call_it_missed(
    start_server: StartServer, browser: Any, tmp_path: Path, clock: FakeClock
) -> None:
    """Server down: last picture kept, "menyambung ulang…"; back: a call made meanwhile replays."""
    db = str(tmp_path / "tv.db")
    server = await start_server(db=db)
    port = server.running.port
    tv = await open_tv(browser, server)
    await queue_tickets(server, "A", 4)
    officer = await server.officer_at_work("DKP01@L01")
    await timed_call(officer, tv, clock)

    # 1. The server stops: the picture stays, the marker shows.
    await start_server.stop(server)  # type: ignore[attr-defined]
    await tv.wait_js("!document.getElementById('status').hidden")
    assert "menyambung ulang" in await tv.text("#status")
    assert await tv.text("#current-number") == "A-001"

    # 2. It comes back on the same port and database: the page reconnects by itself, and a call
    # made after that is pushed as usual.
    second = await start_server(port=port, db=db)
    await tv.wait_connected(syncs=2)
    assert await tv.page.is_hidden("#status")
    await officer.act("no_show")
    number, _ = await timed_call(officer, tv, clock)
    assert number == "A-002"

    # 3. The page is kept off the network while the server restarts and a call is made: on its
    # return it resumes from last_seq, and the replayed call is shown and (being recent) said.
    await tv.page.context.set_offline(True)
    await start_server.stop(second)  # type: ignore[attr-defined]
    await tv.wait_js("!document.getElementById('status').hidden")
    await start_server(port=port, db=db)
    await officer.act("no_show")
    missed = await call_next(officer, clock)
    assert missed == "A-003"
    assert await tv.text("#current-number") == "A-002"  # it cannot have seen it yet
    await tv.page.context.set_offline(False)
    await tv.wait_current(missed)
    await tv.wait_connected(syncs=3)
    last_sync = (await tv.stats())["syncs"][-1]
    assert last_sync["resume"] == "replay" and last_sync["replayed"] >= 1
    await tv.wait_js(f"window.antreTV.stats.audio.some(a => a.number === '{missed}')")
    assert [a["number"] for a in (await tv.stats())["queued"]] == ["A-001", "A-002", "A-003"]


async def test_a_reload_or_a_tv_switched_off_never_repeats_a_call(
    server: Server, browser: Any, clock: FakeClock
) -> None:
    """A reload shows the picture unannounced; off and on, only recent missed calls are said."""
    tv = await open_tv(browser, server)
    await queue_tickets(server, "A", 4)
    officer = await server.officer_at_work("DKP01@L01")
    await timed_call(officer, tv, clock)  # A-001, announced

    await tv.page.reload()  # a new page: its stats start empty
    await tv.press_activate()
    await tv.wait_current("A-001")  # the picture, from a snapshot the page asked for
    assert (await tv.stats())["syncs"][0]["resume"] == "replay"  # resumed from local storage
    assert (await tv.stats())["queued"] == []

    # Switched off while A-002 is called: on return it is shown and, being recent, announced.
    await tv.turn_off()
    await officer.act("no_show")
    await call_next(officer, clock)
    await tv.turn_on()
    await tv.wait_current("A-002")
    await tv.wait_js("window.antreTV.stats.queued.length === 1")
    [queued] = (await tv.stats())["queued"]
    assert queued["number"] == "A-002" and queued["replayed"] is True

    # Off while A-003 is called, and back two minutes later: shown, but not read out any more.
    await tv.turn_off()
    await officer.act("no_show")
    await call_next(officer, clock)
    clock.advance(120)
    await tv.turn_on()
    await tv.wait_current("A-003")
    assert (await tv.stats())["queued"] == []
    await officer.act("no_show")
    await timed_call(officer, tv, clock)  # and a live call is announced as always
    assert [q["number"] for q in (await tv.stats())["queued"]] == ["A-004"]
    await tv.wait_js("window.antreTV.stats.audio.some(a => a.number === 'A-004')")
    assert len(tv.audio_for("A-001")) == 1  # asked for once, before the reload, never again


async def test_the_page_notices_a_silent_connection_by_its_own_heartbeat(
    server: Server, browser: Any
) -> None:
    """When pongs stop coming (a dead link the socket does not report), the page reconnects."""
    tv = Tv(await (await browser.new_context()).new_page())
    swallow_pings = False

    def through_playwright(ws: Any) -> None:
        # The page's websocket goes through Playwright, which can lose the page's pings.
        upstream = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            if not (swallow_pings and '"type":"ping"' in str(message)):
                upstream.send(message)

        ws.on_message(from_page)

    await tv.page.route_web_socket(f"**{p.WS_PATH}", through_playwright)
    await tv.page.goto(f"{server.running.http_url}/display?zone=1&token={TV1}&heartbeat=2")
    await tv.wait_connected()
    swallow_pings = True  # the next ping gets no pong: within 2 + 4/3 s the page gives up on it
    await tv.wait_js("!document.getElementById('status').hidden", timeout_s=10)
    swallow_pings = False
    await tv.wait_connected(syncs=2)
    assert await tv.page.is_hidden("#status")
    assert (await tv.stats())["syncs"][-1]["resume"] == "replay"


async def test_a_tv_whose_own_clock_is_wrong_shows_the_building_s_day_at_once(
    server: Server, browser: Any
) -> None:
    """The date comes from the server's clock as soon as the TV hears it, not a tick later.

    The browser's clock is set to another year and stopped, so no one-second tick ever comes:
    only learning the server's time can put the demo Monday on the screen.
    """
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    wrong = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    await page.clock.install(time=wrong)
    await page.clock.pause_at(wrong + timedelta(seconds=1))
    tv = Tv(page)
    tv.url = f"{server.running.http_url}/display?zone=1&token={TV1}"
    await page.goto(tv.url)
    deadline = time.monotonic() + 15
    while not await page.evaluate("() => Boolean(window.antreTV && window.antreTV.connected)"):
        assert time.monotonic() < deadline, "the TV did not connect"
        await asyncio.sleep(0.05)
    assert "Senin, 23 November 2026" in await tv.text("#date")
    assert await tv.text("#time") == "09.00"
    await context.close()


async def test_a_tv_with_a_wrong_token_says_so(server: Server, browser: Any) -> None:
    """A refused token is shown on the screen in red, for the technician, and never connects."""
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{server.running.http_url}/display?zone=1&token=not-a-real-token")
    status = page.locator("#status")
    await status.wait_for(state="visible")
    await page.wait_for_function(
        "() => document.getElementById('status-text').textContent.includes('Token perangkat')"
    )
    assert "error" in (await status.get_attribute("class") or "")
    assert not await page.evaluate("window.antreTV.connected")
