"""The admin app driven by keyboard, its requests answered in the contract's reply shapes by
tests/admin/adminfake.py: exactly what is sent (target, before, after, version) and what is
shown. Adding, the PIN shown once and undo are walked on the real server in
test_admin_walk.py, which also reuses this module's keyboard helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from adminfake import FakeAdminServer, install
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from display.admin import AdminApp
from display.admin_screens import OnceScreen, RefusalScreen
from display.floor_screens import ConfirmScreen

SIZE = (160, 45)


def admin_app() -> tuple[AdminApp, FakeAdminServer]:
    app = AdminApp("ws://127.0.0.1:9/ws", "ADMIN", "000000")
    return app, install(app, FakeAdminServer())


async def until(pilot: Pilot, cond: Callable[[], Any], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            if cond():
                return
        except Exception:  # a row or screen not there yet
            pass
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(0.02)


def rows(app: AdminApp, table: str) -> list[list[str]]:
    t = app.screen.query_one(f"#{table}", DataTable)
    return [[getattr(c, "plain", str(c)) for c in t.get_row(k)] for k in t.rows]


def text(app: AdminApp, widget: str) -> str:
    return str(app.screen.query_one(f"#{widget}", Static).render())


async def down_to(pilot: Pilot, there: Callable[[], bool], most: int = 60) -> None:
    """Arrow down until `there()`; a row that never comes fails instead of pressing on."""
    for _ in range(most):
        if there():
            return
        await pilot.press("down")
    raise AssertionError("row not found")


async def pick(pilot: Pilot, app: AdminApp, kind_label: str, entity_start: str) -> None:
    """Arrow down the kinds to one, Enter, arrow down its entities to one, Enter: the form."""
    app.kinds_table.focus()
    await until(pilot, lambda: app.kinds_table.row_count > 0)
    await pilot.press("ctrl+home")
    await down_to(pilot, lambda: rows(app, "kinds")[app.kinds_table.cursor_row][0] == kind_label)
    await pilot.press("enter")
    await until(pilot, lambda: app.focused is app.entities_table)
    await pilot.press("ctrl+home")
    await down_to(
        pilot,
        lambda: rows(app, "entities")[app.entities_table.cursor_row][0].startswith(entity_start),
    )
    await pilot.press("enter")
    await until(pilot, lambda: app.focused is app.form_table)


async def type_field(pilot: Pilot, app: AdminApp, key: str, value: str) -> None:
    """Down the form to a field, Enter, select the old value away, type, Enter."""
    await pilot.press("ctrl+home")
    await down_to(pilot, lambda: rows(app, "form")[app.form_table.cursor_row][0] == key)
    await pilot.press("enter")
    await until(pilot, lambda: app.screen.query_one("#value"))
    await pilot.press(*value, "enter")  # the old value is selected: typing replaces it
    await until(pilot, lambda: app.focused is app.form_table)


async def test_a_quota_typed_and_saved_is_one_edit_naming_what_was_seen():
    app, fake = admin_app()
    fake.change("policy", {"max_wait_min": 45})  # the building is at version 1 when loaded
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "Layanan", "A —")
        assert rows(app, "form") == [
            ["prefix", "A"], ["agency", "DUKCAPIL"], ["name", "KTP-el"], ["quota_walk_in", "300"],
        ]  # fmt: skip
        await type_field(pilot, app, "quota_walk_in", "250")
        assert "belum disimpan" in app.form_table.border_title
        await pilot.press("ctrl+s")
        await until(pilot, lambda: fake.sent[-1][0] == "admin_edit")
        assert fake.sent[-1][1] == {
            "target": "line:A",
            "before": {"prefix": "A", "agency": "DUKCAPIL", "name": "KTP-el", "quota_walk_in": 300},
            "after": {"prefix": "A", "agency": "DUKCAPIL", "name": "KTP-el", "quota_walk_in": 250},
            "version": 1,
        }
        await until(pilot, lambda: "belum disimpan" not in app.form_table.border_title)
        assert rows(app, "form")[3] == ["quota_walk_in", "250"]
        assert "versi gedung 2" in text(app, "status")


async def test_a_word_where_a_number_belongs_is_said_and_not_kept():
    app, _fake = admin_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "Layanan", "A —")
        await type_field(pilot, app, "quota_walk_in", "banyak")
        assert rows(app, "form")[3] == ["quota_walk_in", "300"]
        assert not app.dirty
        assert any("Tulis angka" in n.message for n in app._notifications)


async def test_a_stale_edit_shows_the_value_as_it_is_now():
    app, fake = admin_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "Layanan", "A —")
        # Another administrator lowers the quota while this one is typing.
        other = {"prefix": "A", "agency": "DUKCAPIL", "name": "KTP-el", "quota_walk_in": 200}
        fake.change("line:A", other)
        await type_field(pilot, app, "quota_walk_in", "250")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, RefusalScreen))
        assert "sudah diubah orang lain" in text(app, "refusal-message")
        assert "quota_walk_in = 200" in text(app, "refusal-current")
        await pilot.press("enter")
        await until(pilot, lambda: rows(app, "form")[3] == ["quota_walk_in", "200"])
        assert not app.dirty


async def test_an_invalid_edit_shows_each_problem_and_keeps_the_typing():
    app, fake = admin_app()
    fake.refuse_next = {
        "type": "error", "code": "edit_invalid",
        "message": "Perubahan tidak disimpan: periksa isian berikut.",
        "details": {"problems": [{"field": "serves", "message": "layanan 'Z' tidak dikenal"}]},
    }  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "Loket", "L01")
        await type_field(pilot, app, "serves", '["Z"]')
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, RefusalScreen))
        assert text(app, "refusal-message") == "Perubahan tidak disimpan: periksa isian berikut."
        assert "serves: layanan 'Z' tidak dikenal" in text(app, "refusal-problems")
        await pilot.press("escape")
        assert app.dirty and rows(app, "form")[3] == ["serves", '["Z"]']


async def test_esc_never_closes_the_pin_shown_once():
    """The PIN screen says "Tekan Enter bila sudah dicatat": Esc leaves it up, Enter closes."""
    app, _ = admin_app()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(OnceScreen("PIN baru DKP02", "482913"))
        await until(pilot, lambda: isinstance(app.screen, OnceScreen))
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert isinstance(app.screen, OnceScreen)
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, OnceScreen))


async def test_q_asks_before_losing_typing_not_saved():
    app, fake = admin_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, app, "Layanan", "A —")
        await type_field(pilot, app, "quota_walk_in", "250")
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one("#question").render())
        assert question == "Keluar? Isian yang belum disimpan akan hilang."
        await pilot.press("escape")  # Batal: still here, the typing too
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert app.is_running and rows(app, "form")[3] == ["quota_walk_in", "250"]
        assert all(sent[0] != "admin_edit" for sent in fake.sent)
