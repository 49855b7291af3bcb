"""Every ticket number fits the TV on one line, and the called counter is readable at 15 m.

The issue: at 1920×1080 and 1366×768, numbers with wide letters or four digits (`W-001`,
`M-001`, `A-1000`) broke onto two lines and pushed the previous calls off the screen. Here a real
server runs a building with a line for every letter A–Z (no quota, so a line reaches four digits),
two TV pages watch it in Debian's Chromium — one per size — and officers call one ticket of every
letter and then `W-1000`. After each call both pages are measured: in the big call, the list of
previous calls and the list of counters, the number's text lies on one line and inside its panel,
and the previous calls (up to six, docs/operations.md) are all on the screen.

The rule for the counter name under the big number, and for the number itself (expected values
come from it, not from the CSS): a character must subtend at least 15 minutes of arc, which
NUREG-0700 rev. 3, guideline 11.4.1.5-1, writes as "viewing distance multiplied by 0.004" — at
15 m, 6.0 cm of capital height. A 55-inch 16:9 panel is 55 × 2.54 × 9 / √(16² + 9²) = 68.5 cm
tall, so one CSS pixel of a page that fills it is 68.5 cm / (viewport height): 6.0 cm is 94.6 px
at 1080 and 67.3 px at 768. The capital height is measured on the font the page really uses (a
canvas `measureText` of "H" with the element's computed font), then converted to centimetres on
that panel.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import string
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from chromium import ARTIFACTS, needs_chromium
from hubtest import FakeClock

from server import protocol as p
from server.app import Running, serve
from server.auth import hash_pin, token_digest
from server.client import AntreClient
from server.config import load_building
from server.core.model import IssueTicket
from server.hub import HubLimits

pytestmark = needs_chromium

# --- the rule, from the sources named above -------------------------------------------------
PANEL_55_IN_HEIGHT_CM = 55 * 2.54 * 9 / math.hypot(16, 9)  # 68.49 cm
VIEWING_DISTANCE_CM = 1500
MIN_CAPITAL_CM = VIEWING_DISTANCE_CM * 0.004  # 6.0 cm
SIZES = ((1920, 1080), (1366, 768))
HISTORY_SHOWN = 6  # "The previous calls (up to six)", docs/operations.md

# --- a building with a line for every letter ------------------------------------------------
KIOSK_TOKEN = "long-numbers-kiosk-token-0123456789"
TV_TOKEN = "long-numbers-tv-token-0123456789abcdef"
PIN = "246810"
# Nineteen counters like the demo's first floor (ten rows of the counter list), with its longest
# name, a name of DOMAIN.md §11 and one too long for two lines; the calls go to eight of them, in
# turn per agency, so that M-001 (the widest letter of A–M) is called at "Loket 7 (Prioritas)",
# W-001 and W-1000 at "Gerai BPJS", and P, T and X at the longest.
COUNTER_NAMES = {n: f"Loket {n}" for n in range(1, 20)} | {
    7: "Loket 7 (Prioritas)",
    12: "Gerai BPJS",
    15: "Loket 15 Pengaduan dan Informasi Peserta",
}
FIRST_HALF = string.ascii_uppercase[:13]  # A–M: Dukcapil
SECOND_HALF = string.ascii_uppercase[13:]  # N–Z: BPJS Ketenagakerjaan, the longest short name
CALLING = {"DUKCAPIL": ["L07", "L01", "L09", "L03"], "BPJSTK": ["L10", "L12", "L15", "L19"]}


def building_toml() -> str:
    """The building file, written as an operator would from docs/configuration.md."""
    out = [
        '[building]\nname = "MPP Nomor Panjang"\ntimezone = "WIB"\n',
        "[hours]",
        *(f'{d} = {{ open = "07:30", close = "16:00" }}' for d in ("monday", "tuesday")),
        *(f'{d} = "closed"' for d in ("wednesday", "thursday", "friday", "saturday", "sunday")),
        '\n[[zones]]\nid = "1"\nname = "Lantai 1"\n',
        '[[agencies]]\ncode = "DUKCAPIL"\nname = "Dinas Kependudukan dan Pencatatan Sipil"',
        'short_name = "Dukcapil"\nzone = "1"\n',
        '[[agencies]]\ncode = "BPJSTK"\nname = "BPJS Ketenagakerjaan"\nzone = "1"\n',
    ]
    for letter in string.ascii_uppercase:
        agency = "DUKCAPIL" if letter in FIRST_HALF else "BPJSTK"
        out.append(
            f'[[lines]]\nprefix = "{letter}"\nagency = "{agency}"\n'
            f'name = "Layanan {letter}"\ntarget_service_min = 10\n'
        )
    for n, name in COUNTER_NAMES.items():
        agency, serves = ("DUKCAPIL", FIRST_HALF) if n <= 9 else ("BPJSTK", SECOND_HALF)
        out.append(
            f'[[counters]]\nid = "L{n:02d}"\nname = "{name}"\nagency = "{agency}"\n'
            f"serves = {json.dumps(list(serves))}\n"
        )
    out.append(
        f'[[devices]]\nid = "KIOSK-1"\nkind = "kiosk"\n'
        f'token_sha256 = "{token_digest(KIOSK_TOKEN)}"\n'
    )
    out.append(
        f'[[devices]]\nid = "TV-1"\nkind = "display"\nzone = "1"\n'
        f'token_sha256 = "{token_digest(TV_TOKEN)}"\n'
    )
    pin_hash = hash_pin(PIN)
    for agency, counters in CALLING.items():
        for counter in counters:
            out.append(
                f'[[officers]]\nid = "P{counter}"\nname = "Petugas {counter}"\n'
                f'agency = "{agency}"\npin_hash = "{pin_hash}"\n'
            )
    return "\n".join(out)


@contextlib.asynccontextmanager
async def running_server(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Running]:
    path = tmp_path / "nomor-panjang.toml"
    path.write_text(building_toml(), encoding="utf-8")
    building = load_building(path)
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[Running] = loop.create_future()
    limits = HubLimits(lines_flush_s=0.01, rate_per_s=10_000.0, rate_burst=10_000.0)
    task = asyncio.create_task(
        serve(
            building,
            str(tmp_path / "antre.db"),
            "127.0.0.1",
            0,
            ready=ready.set_result,
            clock=clock,
            limits=limits,
            tick_s=None,
        )
    )
    try:
        done, _ = await asyncio.wait({task, ready}, timeout=20, return_when="FIRST_COMPLETED")
        if task in done:
            task.result()
        yield ready.result()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# --- what a TV shows, measured in the page ---------------------------------------------------
# The text of a number is measured with a Range: one client rect per line box it occupies, and
# its full extent even where an ancestor clips it (an ellipsis or overflow: hidden would hide a
# part of it, not move it).
MEASURE = """() => {
  const rect = (r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
  const text = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0);
    return { text: el.textContent, lines: new Set(rects.map((r) => Math.round(r.top))).size,
             rect: rect(range.getBoundingClientRect()) };
  };
  const q = (s) => document.querySelector(s);
  const ctx = document.createElement('canvas').getContext('2d');
  const capital = (el) => {  // the height of "H" in the element's own font
    const style = getComputedStyle(el);
    ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const h = ctx.measureText('H');
    return h.actualBoundingBoxAscent + h.actualBoundingBoxDescent;
  };
  const name = q('#current-counter');
  return {
    viewport: { width: innerWidth, height: innerHeight },
    calls: rect(q('.calls').getBoundingClientRect()),
    side: rect(q('.side').getBoundingClientRect()),
    footer: rect(q('.ticker').getBoundingClientRect()),
    current: { ...text(q('#current-number')), capital_px: capital(q('#current-number')),
               panel: rect(q('#current').getBoundingClientRect()),
               about: [q('#current-agency'), q('#current-line')]
                 .filter((el) => el.getClientRects().length)
                 .map((el) => rect(el.getBoundingClientRect())) },
    history: [...document.querySelectorAll('#history li')].map((li) => ({
      ...text(li.querySelector('.number')), item: rect(li.getBoundingClientRect()) })),
    counters: [...document.querySelectorAll('#counters li')]
      .filter((li) => li.querySelector('.c-number').textContent)
      .map((li) => ({ ...text(li.querySelector('.c-number')), counter: li.dataset.counter,
                      item: rect(li.getBoundingClientRect()) })),
    // A name too long for two lines is cut at the end of the second (its box), not moved.
    name: { ...text(name), box: rect(name.getBoundingClientRect()),
            capital_px: capital(name) },
  };
}"""

SLACK_PX = 0.5  # sub-pixel rounding of layout


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["left"] >= outer["left"] - SLACK_PX
        and inner["right"] <= outer["right"] + SLACK_PX
        and inner["top"] >= outer["top"] - SLACK_PX
        and inner["bottom"] <= outer["bottom"] + SLACK_PX
    )


def problems(m: dict[str, Any], called: list[str], where: dict[str, str]) -> list[str]:
    """What is wrong on one TV after the calls in `called` (oldest first); [] when all is well.

    Each problem reads "<size> <panel>: <what> <number>", so that the summary can group them.
    """
    size = f"{m['viewport']['width']}x{m['viewport']['height']}"
    screen = {"left": 0, "top": 0, "right": m["viewport"]["width"], "bottom": m["footer"]["top"]}
    bad = []

    def check(panel: str, number: dict[str, Any], box: dict[str, float], column: dict[str, float]):
        if number["lines"] != 1:
            bad.append(f"{size} {panel}: on {number['lines']} lines {number['text']}")
        if not inside(number["rect"], box):
            bad.append(f"{size} {panel}: wider than its box {number['text']}")
        if not (inside(box, column) and inside(box, screen)):
            bad.append(f"{size} {panel}: pushed out of its panel or the screen {number['text']}")

    current = m["current"]
    assert current["text"] == called[-1]
    check("current call", current, current["panel"], m["calls"])
    shown = [h["text"] for h in m["history"]]
    expected = called[-2::-1][:HISTORY_SHOWN]
    if shown != expected:
        bad.append(f"{size} previous calls: shows {shown}, not {expected}")
    for h in m["history"]:
        check("previous calls", h, h["item"], m["calls"])
    # Each counter that called shows its latest number.
    expected_rows = {c: n for n, c in where.items()}
    for row in m["counters"]:
        assert row["text"] == expected_rows.get(row["counter"]), row
        check("counter list", row, row["item"], m["side"])
    if len(m["counters"]) != len(expected_rows):
        bad.append(
            f"{size} counter list: shows {len(m['counters'])} numbers, not {len(expected_rows)}"
        )

    # The number and the counter's name under it: readable at 15 m on a 55-inch panel.
    for what, capital_px in (
        ("called number", current["capital_px"]),
        ("counter name", m["name"]["capital_px"]),
    ):
        capital_cm = capital_px * PANEL_55_IN_HEIGHT_CM / m["viewport"]["height"]
        if capital_cm < MIN_CAPITAL_CM:
            bad.append(f"{size} {what}: capitals of {capital_cm:.2f} cm, not {MIN_CAPITAL_CM}")
    if not inside(m["name"]["box"], current["panel"]):
        bad.append(f"{size} counter name: outside the call panel {m['name']['text']!r}")
    if not all(inside(about, current["panel"]) for about in current["about"]):
        bad.append(f"{size} agency or service: outside the call panel {current['text']}")
    return bad


def summary(failures: list[str]) -> str:
    """The problems grouped by size, panel and kind, each with the numbers it hit, in order."""
    groups: dict[str, list[str]] = {}
    for f in failures:
        head, _, what = f.rpartition(" ")
        if what not in groups.setdefault(head, []):
            groups[head].append(what)
    return "\n".join(f"{head} {' '.join(whats)}" for head, whats in groups.items())


async def open_tv(browser: Any, url: str, width: int, height: int) -> Any:
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    # The call's audio is not what is measured here: answer at once as a server without
    # espeak-ng would (the page then tries the browser's voice), so that no call waits for it.
    await page.route("**/audio/call?*", lambda route: route.fulfill(status=503))
    await page.goto(url)
    await page.wait_for_function("() => window.antreTV && window.antreTV.connected")
    # "Aktifkan suara" is pressed once, as the technician does (docs/operations.md): nothing
    # covers the board any more.
    await page.wait_for_function("() => window.antreTV.autoplay !== 'unknown'")
    if await page.is_visible("#activate"):
        await page.click("#activate-button")
    await page.wait_for_function("() => document.getElementById('activate').hidden")
    return page


async def measured(page: Any, number: str) -> dict[str, Any]:
    """The page's measures, taken as soon as it shows `number` as the current call."""
    shown = await page.wait_for_function(
        f"(n) => document.getElementById('current-number').textContent === n && ({MEASURE})()",
        arg=number,
    )
    return await shown.json_value()


async def test_every_prefix_and_four_digits_fit_on_one_line_at_both_sizes(
    browser: Any, tmp_path: Path, clock: FakeClock
) -> None:
    """A–Z with three digits and W-1000: one line in every panel, the previous calls all shown."""
    async with running_server(tmp_path, clock) as running:
        clients: list[AntreClient] = []

        async def client(hello: dict[str, Any]) -> AntreClient:
            c = AntreClient(running.url, hello, heartbeat_s=None, backoff_initial_s=0.05)
            clients.append(c)
            await c.connect(timeout=10)
            return c

        try:
            kiosk = await client(p.hello_kiosk(KIOSK_TOKEN))
            officers = {}
            for counters in CALLING.values():
                for counter in counters:
                    officers[counter] = await client(p.hello_officer(counter, f"P{counter}", PIN))
                    await officers[counter].act("login")
                    await officers[counter].act("open_counter")
            url = f"{running.http_url}/display?zone=1&token={TV_TOKEN}"
            pages = await asyncio.gather(*(open_tv(browser, url, w, h) for w, h in SIZES))

            called: list[str] = []
            where: dict[str, str] = {}  # number -> counter, for the counters still showing it
            turn = {agency: 0 for agency in CALLING}
            failures: list[str] = []

            async def call(letter: str) -> None:
                agency = "DUKCAPIL" if letter in FIRST_HALF else "BPJSTK"
                counter = CALLING[agency][turn[agency] % len(CALLING[agency])]
                turn[agency] += 1
                ticket = await kiosk.issue_ticket(letter)
                await kiosk.confirm_printed(ticket["id"])
                officer = officers[counter]
                if counter in where.values():
                    await officer.act("no_show")  # the counter's previous citizen never came
                    where.pop(next(n for n, c in where.items() if c == counter))
                clock.advance(5)
                number = (await officer.act("call_next"))["ticket"]["number"]
                assert number == ticket["number"]
                called.append(number)
                where[number] = counter
                for m in await asyncio.gather(*(measured(page, number) for page in pages)):
                    failures.extend(problems(m, called, where))
                if number in ("M-001", "X-001"):  # a name on two lines; one cut after two
                    await screenshots(number.lower())

            async def screenshots(moment: str) -> None:
                """Pictures for humans, and the name's capitals in the test's output."""
                ARTIFACTS.mkdir(exist_ok=True)
                for page, (w, h) in zip(pages, SIZES, strict=True):
                    await page.screenshot(
                        path=str(ARTIFACTS / f"tv-long-numbers-{moment}-{w}x{h}.png")
                    )
                    m = await page.evaluate(MEASURE)
                    for what, px in (
                        ("called number", m["current"]["capital_px"]),
                        ("counter name", m["name"]["capital_px"]),
                    ):
                        cm = px * PANEL_55_IN_HEIGHT_CM / h
                        print(f"\n{moment} {w}x{h}: {what} capitals {px:.1f} px = {cm:.2f} cm")

            for letter in string.ascii_uppercase:
                await call(letter)
            assert called[22] == "W-001"
            # W-002 … W-999 are reserved for printing and never printed (so they stay out of the
            # queue), and the next W ticket is the first four-digit number, with the widest letter.
            # The reservations go to the hub's engine directly, as the kiosk's requests would:
            # asking for them one by one over the websocket takes seconds on a busy machine.
            reserve = IssueTicket(line="W", priority=None, token="", kiosk="KIOSK-1")
            await asyncio.gather(
                *(
                    running.hub.execute(replace(reserve, token=f"w{n}"), "kiosk:KIOSK-1")
                    for n in range(2, 1000)
                )
            )
            await call("W")
            assert called[-1] == "W-1000"

            await screenshots("w-1000")
            assert failures == [], summary(failures)
        finally:
            for c in clients:
                await c.close()
