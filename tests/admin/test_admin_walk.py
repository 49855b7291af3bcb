"""The admin walk on the real server with the real app (issue 23's "Done when"): log in as the
demo ADMIN, add a service line and a counter serving it, reset an officer's PIN (shown once),
add a holiday, undo one change from the history; a stale edit shows the current value, a
refusal its Indonesian message. The kiosk and the officer are real clients of the same server.

The demo building: agency IMIGRASI (zone 1) has line P; prefix Q is free; counters go up to
L31, so L32 is new. ADMIN's PIN is in server/demo/credentials.txt.
"""

from __future__ import annotations

import pytest
from hubtest import Server, demo_credentials
from test_admin_screens import SIZE, pick, rows, text, type_field, until
from textual.widgets import Digits, Static

from display.admin import AdminApp
from display.admin_screens import HistoryScreen, OnceScreen, RefusalScreen
from display.floor_screens import ConfirmScreen
from server import protocol as p
from server.client import AntreClient, HelloRefused, RequestError


def admin_app(server: Server, who: str = "ADMIN") -> AdminApp:
    return AdminApp(server.url, who, demo_credentials()[who])


async def test_a_new_line_and_its_counter_serve_a_citizen_without_a_restart(server: Server):
    kiosk = await server.client("KIOSK-1")
    app = admin_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model.loaded, timeout=10)
        await pick(pilot, app, "Layanan", "A —")
        await pilot.press("a")
        await type_field(pilot, app, "prefix", "Q")
        await type_field(pilot, app, "agency", "IMIGRASI")
        await type_field(pilot, app, "name", "Paspor Kilat")
        # A line no counter serves does not pass the config check: kept aside (k), it is sent
        # with the counter that serves it, in one request.
        await pilot.press("k")
        assert "1 ditahan: line:Q" in app.form_table.border_title
        await pick(pilot, app, "Loket", "L01")
        await pilot.press("a")
        await type_field(pilot, app, "id", "L32")
        await type_field(pilot, app, "name", "Loket 32")
        await type_field(pilot, app, "number", "32")
        await type_field(pilot, app, "agency", "IMIGRASI")
        await type_field(pilot, app, "serves", '["Q"]')
        await pilot.press("ctrl+s")
        await until(pilot, lambda: ["L32 — Loket 32 (Q)"] in rows(app, "entities"), timeout=10)
        assert app.model.version == 2
        assert app.model.targets("line")[-1] == ("line:Q", "Q — Paspor Kilat")
    # The kiosk offers Q and issues Q-001; the officer of IMIGRASI serves it at Loket 32.
    lines = await kiosk.list_lines()
    assert any(line["prefix"] == "Q" for line in lines)
    ticket = await kiosk.issue_ticket("Q")
    await kiosk.confirm_printed(ticket["id"])
    assert ticket["number"] == "Q-001"
    officer = await server.officer_at_work("IMI01@L32")
    called = await officer.act("call_next")
    assert "Q-001" in str(called)


async def test_reset_pin_is_shown_once_and_the_new_pin_logs_in(server: Server):
    app = admin_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model.loaded, timeout=10)
        await pick(pilot, app, "Petugas", "DKP02")
        assert ["pin_hash", "(disembunyikan)"] in rows(app, "form")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, OnceScreen), timeout=10)
        pin = app.screen.query_one("#secret", Digits).value
        assert len(pin) == 6 and pin.isdigit() and pin != demo_credentials()["DKP02"]
        assert "Catat sekarang" in str(app.screen.query_one("#once-note").render())
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, OnceScreen))
        assert pin not in repr(vars(app))  # shown once, kept nowhere in the app
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and rows(app, "history"))
        assert rows(app, "history")[0][3] == "PIN petugas DKP02 diatur ulang"
        assert pin not in str(rows(app, "history"))
    # The new PIN logs DKP02 in; the old one no longer does.
    officer = AntreClient(server.url, p.hello_officer("L02", "DKP02", pin), heartbeat_s=None)
    server.clients.append(officer)
    await officer.connect(timeout=10)
    old = AntreClient(
        server.url, p.hello_officer("L02", "DKP02", demo_credentials()["DKP02"]), heartbeat_s=None
    )
    server.clients.append(old)
    with pytest.raises(HelloRefused):
        await old.connect(timeout=10)


async def test_an_officer_added_gets_a_pin_shown_once_that_logs_in(server: Server):
    """`a` on Petugas, no PIN to type (nobody knows one yet): the save shows the server's new
    PIN once, big; the new officer logs in at L02 of DUKCAPIL with it."""
    app = admin_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model.loaded, timeout=10)
        await pick(pilot, app, "Petugas", "DKP02")
        await pilot.press("a")
        await type_field(pilot, app, "id", "DKP09")
        await type_field(pilot, app, "name", "Nur Aini")
        await type_field(pilot, app, "agency", "DUKCAPIL")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, OnceScreen), timeout=10)
        pin = app.screen.query_one("#secret", Digits).value
        assert len(pin) == 6 and pin.isdigit()
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, OnceScreen))
        assert pin not in repr(vars(app))
    officer = AntreClient(server.url, p.hello_officer("L02", "DKP09", pin), heartbeat_s=None)
    server.clients.append(officer)
    await officer.connect(timeout=10)


async def test_a_holiday_added_then_undone_from_the_history(server: Server):
    app = admin_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model.loaded, timeout=10)
        await pick(pilot, app, "Hari libur", "2026-01-01")
        await pilot.press("a")
        await type_field(pilot, app, "date", "2026-12-28")
        await type_field(pilot, app, "name", "Cuti bersama")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: ["2026-12-28 — Cuti bersama"] in rows(app, "entities"), 10)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and rows(app, "history"))
        first = rows(app, "history")[0]
        assert first[0] == "1" and first[2] == "ADMIN"
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: len(rows(app, "history")) == 2, timeout=10)
        assert rows(app, "history")[0][4] == "membatalkan versi 1"
        await pilot.press("escape")
        await until(pilot, lambda: ["2026-12-28 — Cuti bersama"] not in rows(app, "entities"))
        # A holiday removed (d, after a confirmation): New Year's Day becomes a working day.
        await pick(pilot, app, "Hari libur", "2026-01-01")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: app.model.version == 3, timeout=10)
        assert not [r for r in rows(app, "entities") if r[0].startswith("2026-01-01")]


async def test_a_wrong_pin_is_refused_in_words(server: Server):
    app = AdminApp(server.url, "ADMIN", "000000")
    async with app.run_test(size=SIZE) as pilot:
        await until(
            pilot, lambda: any(n.title == "Masuk ditolak" for n in app._notifications), timeout=10
        )
        said = [n.message for n in app._notifications if n.title == "Masuk ditolak"]
        assert len(said) == 1 and said[0].startswith("ID atau PIN salah.")  # the server's words
        assert not app.model.loaded


async def test_a_stale_edit_shows_the_current_value_and_a_refusal_its_words(server: Server):
    app = admin_app(server)
    other = await server.client("ADMIN")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model.loaded, timeout=10)
        await pick(pilot, app, "Layanan", "K —")
        seen = app.model.value("line:K")
        await type_field(pilot, app, "quota_walk_in", "50")
        # While this admin types, another cuts K's quota from 60 to 40 and saves first.
        await other.request(
            "admin_edit", target="line:K", before=seen, after=seen | {"quota_walk_in": 40},
            version=0,
        )  # fmt: skip
        await until(pilot, lambda: app.model.version == 1, timeout=10)  # the push arrived
        assert ["quota_walk_in", "50"] in rows(app, "form")  # the typing is not lost
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, RefusalScreen), timeout=10)
        assert "quota_walk_in = 40" in text(app, "refusal-current")
        await pilot.press("enter")
        await until(pilot, lambda: ["quota_walk_in", "40"] in rows(app, "form"))
        # A counter serving a line that does not exist: the config check's words, in Indonesian.
        await pick(pilot, app, "Loket", "L16")
        await type_field(pilot, app, "serves", '["K", "ZZ"]')
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, RefusalScreen), timeout=10)
        assert text(app, "refusal-message").startswith("Perubahan tidak disimpan")
        assert 'serves: melayani layanan "ZZ" yang tidak dikenal' in text(app, "refusal-problems")
    try:
        await other.request("admin_history", limit=5)
    except RequestError as exc:  # pragma: no cover - the history is the admin's
        raise AssertionError(exc) from exc


def kiosk_with(server: Server, token: str) -> AntreClient:
    kiosk = AntreClient(server.url, p.hello_kiosk(token), heartbeat_s=None, backoff_initial_s=0.05)
    server.clients.append(kiosk)
    return kiosk


async def test_a_new_kiosk_gets_its_token_once_and_a_new_token_replaces_it(server: Server):
    app = admin_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model.loaded, timeout=10)
        await pick(pilot, app, "Perangkat", "KIOSK-1")
        await pilot.press("a")
        await type_field(pilot, app, "id", "KIOSK-3")
        await type_field(pilot, app, "zone", "1")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, OnceScreen), timeout=10)
        first = str(app.screen.query_one("#secret", Static).render())
        await pilot.press("enter")
        await until(pilot, lambda: ["KIOSK-3 (kiosk)"] in rows(app, "entities"))
        kiosk = kiosk_with(server, first)
        await kiosk.connect(timeout=10)
        assert any(line["prefix"] == "A" for line in await kiosk.list_lines())
        # The token was seen by someone it should not have been: a new one, shown once.
        await pick(pilot, app, "Perangkat", "KIOSK-3")
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, OnceScreen), timeout=10)
        second = str(app.screen.query_one("#secret", Static).render())
        assert second != first
    await kiosk_with(server, second).connect(timeout=10)
    with pytest.raises(HelloRefused):
        await kiosk_with(server, first).connect(timeout=10)


async def test_a_floor_manager_changes_the_running_text_but_not_a_line(server: Server):
    app = admin_app(server, "LANTAI")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.model.loaded, timeout=10)
        await pick(pilot, app, "Teks berjalan", "Selamat datang")
        await type_field(pilot, app, "running_text", "Hari ini layanan paspor buka sampai 12.00")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.model.version == 1, timeout=10)
        assert rows(app, "entities") == [["Hari ini layanan paspor buka sampai 12.00"]]
        await pick(pilot, app, "Layanan", "A —")
        await type_field(pilot, app, "quota_walk_in", "250")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, RefusalScreen), timeout=10)
        assert text(app, "refusal-message").startswith(
            "Pengelola lantai hanya boleh mengubah teks berjalan, hari libur, dan jam khusus"
        )
