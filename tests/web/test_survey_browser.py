"""The survey, complaints and the counter tablet in a real browser: Debian's Chromium, headless.

A real server (demo building, fake clock), tickets served at a real counter. Two walks, each on
one browser: a citizen on a phone answers the survey and files a complaint, typing markup that
must show as the characters typed and run nothing (also once a manager answers with markup, and
on the public /ikm page, which shows no suggestion at all); and the counter tablet, offered the
survey when its counter finishes a ticket, answered by tapping, back to idle. Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from chromium import ARTIFACTS, needs_chromium
from hubtest import FakeClock, Server, StartServer, demo_building, demo_credentials, until
from survey_kit import TABLET_TOKEN, Desk

pytestmark = needs_chromium
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 800, "height": 1280}
TV = {"width": 1280, "height": 720}
# Markup a citizen might type, or paste to try: a script, an image whose error runs script.
INJECTION = (
    '<script>window.__pwned = 1; document.title = "pwned"</script>'
    '<img src="x" onerror="window.__pwned = 2"> & "kutip" </textarea>'
)
ANSWERS = ("Sangat sesuai", "Mudah", "Cepat", "Gratis", "Sesuai", "Sangat kompeten",
           "Sopan dan ramah", "Dikelola dengan baik", "Baik")  # fmt: skip
SCORES = (4, 3, 3, 4, 3, 4, 3, 4, 3)  # the same answers' scores, from the model form by hand


class Screen:
    """A browser tab, and what went wrong on it (script errors, dialogs, failed loads)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.failed: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        page.on("response", self._response)

    def _response(self, response: Any) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed.append(f"{response.status} {response.url}")

    async def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()

    async def tap(self, text: str) -> None:
        """Tap the link or button that says `text`, and wait for the next page."""
        async with self.page.expect_navigation():
            await self.page.locator("a, button").filter(has_text=text).first.click()

    async def text(self, selector: str) -> str:
        return (await self.page.text_content(selector)) or ""

    async def untouched(self) -> bool:
        """Nothing typed ran: no flag, no title change, no dialog."""
        pwned = await self.page.evaluate("() => window.__pwned === undefined")
        return pwned and await self.page.title() != "pwned" and self.dialogs == []


async def open_screen(browser: Any, url: str, viewport: dict[str, int], **kwargs: Any) -> Screen:
    context = await browser.new_context(viewport=viewport, **kwargs)
    screen = Screen(await context.new_page())
    await screen.page.goto(url)
    return screen


async def test_a_citizen_answers_and_complains_and_typed_markup_stays_text(
    start_server: StartServer, browser: Any
) -> None:
    """Phone page → "Isi survei kepuasan" → nine taps (every answer block at least 48 px tall),
    a suggestion with markup → "Terima kasih…". "Sampaikan pengaduan" → a category, a text with
    markup → the complaint shows the text as typed; the manager's answer (with markup) too; the
    public /ikm page shows the scores and no suggestion; a TV of a building that shows its IKM
    (`[survey] running_text`) has it in its running text. No script of it ran, anywhere."""
    demo = demo_building()
    shown = dataclasses.replace(demo.survey, running_text=True)
    server = await start_server(building=dataclasses.replace(demo, survey=shown))
    ticket = await Desk(server).finished()
    base = server.running.http_url
    phone = await open_screen(browser, f"{base}/t/{ticket['token']}", PHONE)
    assert await phone.text("#survey-link") == "Isi survei kepuasan"
    await phone.tap("Isi survei kepuasan")
    assert await phone.text("h1") == "Survei Kepuasan Masyarakat"
    heights = await phone.page.eval_on_selector_all(
        "label.answer", "labels => labels.map(l => l.getBoundingClientRect().height)"
    )
    assert len(heights) == 9 * 4 + 6 + 1 + 2 + 1 + 6 + 1 + 7 + 1 and min(heights) >= 48
    for i, words in enumerate(ANSWERS, start=1):
        await phone.page.locator(f"#q-u{i}").get_by_text(words, exact=True).click()
    await phone.page.click("#jk-p")
    await phone.page.fill("#saran", INJECTION)
    wide = "() => document.documentElement.scrollWidth <= window.innerWidth"
    assert await phone.page.evaluate(wide)  # nothing wider than the phone
    ARTIFACTS.mkdir(exist_ok=True)
    await phone.page.screenshot(path=str(ARTIFACTS / "survey-form.png"), full_page=True)
    await phone.tap("Kirim jawaban")
    assert await phone.text("#message") == "Terima kasih, jawaban Anda sudah tercatat."
    (answer,) = _answers(server)
    assert answer["scores"] == list(SCORES) and answer["sex"] == "p"
    assert answer["suggestion"] == INJECTION

    await phone.tap("Kembali ke halaman tiket")
    await phone.tap("Sampaikan pengaduan")
    await phone.page.click("#kategori-petugas")
    await phone.page.fill("#isi", INJECTION)
    await phone.tap("Kirim pengaduan")
    assert (await phone.text("#notice")).startswith("Pengaduan Anda sudah diterima dengan nomor")
    assert await phone.text("article.complaint .c-text") == INJECTION

    floor = await server.client("LANTAI")
    (complaint,) = server.engine.state.complaints.of_ticket(ticket["id"])
    await floor.act("take_complaint", complaint=complaint.id)
    await floor.act("answer_complaint", complaint=complaint.id, answer=INJECTION)
    await phone.page.goto(f"{base}/t/{ticket['token']}")
    assert await phone.text("article.complaint .c-answer") == INJECTION
    assert await phone.text("article.complaint .c-state") == "Dijawab"
    await phone.page.screenshot(path=str(ARTIFACTS / "phone-complaint.png"), full_page=True)
    assert await phone.untouched()

    await phone.page.goto(f"{base}/ikm")
    assert await phone.text('tr[data-unit="building"] td.ikm') == "86,11"  # 31 / 9 × 25 by hand
    content = await phone.page.content()
    assert "kutip" not in content and "pwned" not in content  # no suggestion on the public page
    assert await phone.untouched()
    assert phone.errors == [] and phone.failed == []

    tv = await open_screen(browser, f"{base}/display?zone=1&token={demo_credentials()['TV-1']}", TV)
    line = "IKM MPP Kota Contoh: 86,11 (B — Baik), 1 responden, Triwulan IV 2026"
    await tv.page.wait_for_function(
        f"() => document.getElementById('running-text').textContent.endsWith({line!r})"
    )
    assert (await tv.text("#running-text")).startswith(demo.running_text)


def _answers(server: Server) -> list[dict[str, Any]]:
    from server.store.offline import StoreReader

    with StoreReader.open(server.engine.db_path) as store:
        return [dict(e.event) for e in store.log("survey_answered")]


async def test_the_counter_tablet_offers_the_survey_when_its_counter_finishes(
    server: Server, browser: Any, clock: FakeClock
) -> None:
    """The tablet of L01 idles with the counter's name; the officer finishes A-001 there → the
    survey for A-001 at once; "Kirim jawaban" with questions left says so and sends nothing;
    answered → "Terima kasih…", the answer on disk (channel tablet:TABLET-L01), then idle. A
    second offer nobody answers goes back to idle after `tablet_idle_s`."""
    base = server.running.http_url
    tablet = await open_screen(browser, f"{base}/tablet?token=x", TABLET)
    assert await tablet.text("h1") == "Perangkat belum terdaftar"
    assert tablet.failed == [f"403 {base}/tablet?token=x"]
    tablet.failed.clear()
    await tablet.page.clock.install()
    await tablet.page.goto(f"{base}/tablet?token={TABLET_TOKEN}")
    await tablet.page.wait_for_function("() => window.antreTablet.connected")
    counter = server.hub.building.counter("L01")
    assert await tablet.text("#idle-title") == f"Selamat datang di {counter.name}"

    desk = Desk(server)
    first = await desk.finished()
    await tablet.page.wait_for_function("() => window.antreTablet.state === 'offer'")
    assert await tablet.text("#offer-for") == "Survei untuk nomor A-001"
    assert await tablet.text("#offer-line") == "Perekaman dan Cetak KTP-el"
    await tablet.page.locator("#q-u1").get_by_text("Sesuai", exact=True).click()
    await tablet.page.click("#send")
    assert await tablet.text("#q-u2 .problem") == "Pilih salah satu jawaban."
    assert await tablet.page.evaluate("() => window.antreTablet.sent.length") == 0
    for i, words in enumerate(ANSWERS, start=1):
        await tablet.page.locator(f"#q-u{i}").get_by_text(words, exact=True).click()
    await tablet.page.fill("#saran", INJECTION)
    await tablet.page.click("#send")
    await tablet.page.wait_for_function("() => window.antreTablet.state === 'thanks'")
    assert await tablet.text("#thanks-text") == "Terima kasih, jawaban Anda sudah tercatat."
    await until(lambda: server.engine.state.surveys.answered(first["id"]), "the tablet's answer")
    (answer,) = _answers(server)
    assert answer["channel"] == "tablet:TABLET-L01" and answer["scores"] == list(SCORES)
    await tablet.page.clock.fast_forward(7_000)
    await tablet.page.wait_for_function("() => window.antreTablet.state === 'idle'")

    await desk.finished()  # the citizen walks away
    await tablet.page.wait_for_function("() => window.antreTablet.state === 'offer'")
    assert await tablet.text("#offer-for") == "Survei untuk nomor A-002"
    await tablet.page.screenshot(path=str(ARTIFACTS / "tablet-offer.png"), full_page=True)
    clock.advance(server.hub.building.survey.tablet_idle_s + 1)
    await tablet.page.clock.fast_forward((server.hub.building.survey.tablet_idle_s + 1) * 1000)
    await tablet.page.wait_for_function("() => window.antreTablet.state === 'idle'")
    assert await tablet.untouched()
    assert tablet.errors == [] and tablet.failed == []
