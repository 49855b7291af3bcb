"""The counter console against a real server on loopback: login, the service cycle, the keys."""

from __future__ import annotations

from countertest import (
    SIZE,
    at_work,
    building_closing_freely,
    call_and_start,
    choose,
    console,
    events_of,
    issue,
    log_in,
    picker,
    text,
    ticket_of,
    type_choice,
    until,
)
from hubtest import Server, demo_credentials
from keyburst import ENTER, SHIFT_TAB, TAB, send_burst
from textual.widgets import Input, Static

from counter.screens import LoginScreen


def login_error(app) -> str:
    return str(app.screen.query_one("#login-error", Static).render())


async def test_wrong_pin_is_refused_and_the_right_one_logs_in_and_opens(server: Server) -> None:
    """A wrong PIN is refused in Indonesian; the right one logs in and opens the counter."""
    app = console(server, "L05")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "DKP01", "000000")
        await until(pilot, lambda: "PIN salah" in login_error(app), "the refusal")
        assert isinstance(app.screen, LoginScreen) and not app.logged_in
        await log_in(pilot, "DKP01")
        await until(pilot, lambda: "BUKA" in text(app, "counter-state"), "the open counter")
        assert "Siti Rahmawati" in text(app, "identity")
        assert "Dukcapil" in text(app, "identity")
        assert "C Akta Kelahiran dan Kematian" in text(app, "identity")
        status = server.engine.state.counters["L05"]
        assert status.officer == "DKP01" and status.state.value == "open"


async def test_login_typed_in_one_burst_loses_no_key(server: Server) -> None:
    """Officer id, Tab, PIN, Enter typed within a millisecond (a fast typist on a busy console,
    or a badge scanner): the Tab lands between the two fields, and the officer is logged in.

    Before the fix the Tab moved the focus only after the PIN's digits had already been routed
    to the id field: "DKP01" + PIN in one field, the PIN empty, nobody logged in."""
    app = console(server, "L05")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.focused, Input), "the login form")
        send_burst(app, f"DKP01{TAB}{demo_credentials()['DKP01']}{ENTER}")
        await until(pilot, lambda: "BUKA" in text(app, "counter-state"), "the open counter")
        assert server.engine.state.counters["L05"].officer == "DKP01"


async def test_login_burst_with_enter_and_shift_tab_loses_no_key(server: Server) -> None:
    """The other ways between the fields, in one burst: Shift+Tab from the id to the PIN (the
    focus wraps), the PIN, Shift+Tab back, the id, Enter (to the PIN), Enter (log in)."""
    app = console(server, "L05")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.focused, Input), "the login form")
        pin = demo_credentials()["DKP01"]
        send_burst(app, f"{SHIFT_TAB}{pin}{SHIFT_TAB}DKP01{ENTER}{ENTER}")
        await until(pilot, lambda: "BUKA" in text(app, "counter-state"), "the open counter")
        assert server.engine.state.counters["L05"].officer == "DKP01"


async def test_repeated_wrong_pins_lock_the_officer_out(server: Server) -> None:
    """After five wrong PINs from this console even the right PIN is refused here, with the time
    to come back."""
    app = console(server, "L05")
    async with app.run_test(size=SIZE) as pilot:
        for attempt in range(5):
            await log_in(pilot, "DKP01", f"99999{attempt}")
            await until(pilot, lambda: "PIN salah" in login_error(app), "a refusal")
            app.screen.query_one("#login-error", Static).update("")
        await log_in(pilot, "DKP01")
        await until(pilot, lambda: "dikunci" in login_error(app), "the lockout")
        assert not app.logged_in
        assert server.engine.state.counters["L05"].officer is None


async def test_officer_of_another_agency_cannot_work_at_this_counter(server: Server) -> None:
    """A Samsat officer is refused at a Dukcapil counter; nothing is logged in there."""
    app = console(server, "L05")
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "SMS01")
        await until(pilot, lambda: login_error(app) not in ("", "Menghubungkan…"), "a refusal")
        assert not app.logged_in
        assert login_error(app) == "Petugas ini bukan dari instansi yang melayani Loket 5."
        assert server.engine.state.counters["L05"].officer is None


async def test_call_start_finish_with_guards(server: Server) -> None:
    """Call, start and finish a ticket; keys that do not apply send nothing."""
    await issue(server, "C", 2)
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await until(pilot, lambda: "2 menunggu" in text(app, "lines"), "the line figures")
        await until(pilot, lambda: "C-001" in text(app, "next"), "the next numbers")
        await pilot.press("f")  # finish before anything was called: greyed out, nothing sent
        await pilot.press("n")
        await until(pilot, lambda: "DIPANGGIL" in text(app, "ticket-detail"), "the call")
        assert "C-001" in text(app, "ticket-detail")
        assert "Reguler" in text(app, "ticket-detail")
        await until(pilot, lambda: "C-001" not in text(app, "next"), "the next numbers moved")
        await pilot.press("n")  # a second call while C-001 is active: refused by the console
        await pilot.press("f")  # finishing needs a started ticket
        assert app.pending is None and "C-001 dipanggil ke Loket 5" in text(app, "notice")
        await pilot.press("s")
        await until(pilot, lambda: "SEDANG DILAYANI" in text(app, "ticket-detail"), "service")
        assert ticket_of(server, "C-001").state.value == "serving"
        await pilot.press("f")
        await until(pilot, lambda: "Tidak ada nomor aktif" in text(app, "ticket-detail"), "done")
        assert "C-001 selesai dilayani" in text(app, "notice")
    assert ticket_of(server, "C-001").state.value == "done"
    assert ticket_of(server, "C-002").state.value == "waiting"
    assert len(await events_of(server, "ticket_called")) == 1


async def test_next_numbers_follow_the_push_without_asking_for_snapshots(
    server: Server,
) -> None:
    """Tickets issued and a colleague's call move the next numbers with no snapshot request."""
    asked: list[str] = []
    original = server.hub.requests.handlers["snapshot"]

    async def counted(session, msg):
        asked.append(session.principal.actor)
        return await original(session, msg)

    server.hub.requests.handlers["snapshot"] = counted
    async with at_work(server, "DKP01@L01") as (app, pilot):
        asked.clear()  # the login's own snapshots
        await issue(server, "A", 3)
        await until(pilot, lambda: "A-001  A-002  A-003" in text(app, "next"), "the push")
        colleague = await server.officer_at_work("DKP02@L02")
        await colleague.act("call_next")
        await until(pilot, lambda: "A-001" not in text(app, "next"), "the colleague's call")
        assert "A-002  A-003" in text(app, "next")
        await pilot.press("n")
        await until(pilot, lambda: "A-002 dipanggil" in text(app, "notice"), "our call")
        assert text(app, "next") == "Berikutnya: A-003"
        assert asked == []


async def test_the_servers_refusal_is_shown_in_indonesian(server: Server) -> None:
    """Calling with an empty queue shows the server's own refusal."""
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await pilot.press("n")
        await until(pilot, lambda: "Tidak ada antrean" in text(app, "notice"), "the refusal")
        assert app.pending is None


async def test_recall_announces_the_same_ticket_again(server: Server) -> None:
    """Recall keeps the ticket and counts a second call."""
    await issue(server, "C")
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await pilot.press("n")
        await until(pilot, lambda: "1× dipanggil" in text(app, "ticket-detail"), "the call")
        await pilot.press("r")
        await until(pilot, lambda: "2× dipanggil" in text(app, "ticket-detail"), "the recall")
        assert "C-001 dipanggil ulang" in text(app, "notice")
    assert ticket_of(server, "C-001").calls == 2
    assert len(await events_of(server, "ticket_recalled")) == 1


async def test_no_show_then_reactivate_puts_the_ticket_back(server: Server) -> None:
    """A no-show leaves the counter free; reactivating it puts the number back in the queue."""
    await issue(server, "C")
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await pilot.press("x")  # no-show before a call: nothing to mark
        await pilot.press("n")
        await until(pilot, lambda: "C-001" in text(app, "ticket-detail"), "the call")
        await pilot.press("x")
        await until(pilot, lambda: "Tidak ada nomor aktif" in text(app, "ticket-detail"), "free")
        assert ticket_of(server, "C-001").state.value == "no_show"
        await pilot.press("a")
        await choose(pilot, "C-001")
        await until(pilot, lambda: "kembali ke antrean" in text(app, "notice"), "reactivated")
        await until(pilot, lambda: "C-001" in text(app, "next"), "C-001 next again")
        assert ticket_of(server, "C-001").state.value == "waiting"


async def test_transfer_keeps_the_number_and_the_other_line_serves_it(server: Server) -> None:
    """Dukcapil sends C-001 on to Samsat's line E; Samsat's console calls the same number."""
    await issue(server, "C")
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await call_and_start(pilot, "C-001")
        await pilot.press("t")
        await type_choice(pilot, "e")
        await until(pilot, lambda: "dialihkan ke layanan E" in text(app, "notice"), "transfer")
        assert "Tidak ada nomor aktif" in text(app, "ticket-detail")
    moved = ticket_of(server, "C-001")
    assert moved.line == "E" and moved.state.value == "waiting"
    async with at_work(server, "SMS01@L08") as (samsat, pilot):
        await until(pilot, lambda: "C-001" in text(samsat, "next"), "C-001 on line E")
        assert "1 menunggu" in text(samsat, "lines")
        await pilot.press("n")
        await until(pilot, lambda: "C-001" in text(samsat, "ticket-detail"), "Samsat's call")
    assert ticket_of(server, "C-001").counter == "L08"


async def test_pause_with_a_reason_and_resume(server: Server) -> None:
    """P pauses with a chosen reason (no calls meanwhile); P again resumes."""
    await issue(server, "C")
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await pilot.press("p")
        await choose(pilot, "salat")
        await until(pilot, lambda: "JEDA — salat" in text(app, "counter-state"), "the pause")
        status = server.engine.state.counters["L05"]
        assert status.state.value == "paused" and status.pause_reason == "salat"
        await pilot.press("n")  # no calls while paused
        await pilot.press("p")
        await until(pilot, lambda: "BUKA" in text(app, "counter-state"), "resumed")
    assert server.engine.state.counters["L05"].state.value == "open"
    assert await events_of(server, "ticket_called") == []


async def test_out_of_order_call_is_recorded_with_its_reason(server: Server) -> None:
    """C calls a chosen number out of order; the call is logged with the officer's reason."""
    await issue(server, "C", 3)
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await until(pilot, lambda: "C-003" in text(app, "next"), "the queue")
        await pilot.press("c")
        await type_choice(pilot, "c3")
        await picker(pilot)
        await type_choice(pilot, "berkas susulan")
        await until(pilot, lambda: "C-003" in text(app, "ticket-detail"), "the call")
        assert "di luar urutan" in text(app, "ticket-detail")
    (called,) = await events_of(server, "ticket_called")
    assert called.number == "C-003"
    assert called.reason.value == "dipilih_petugas" and called.note == "berkas susulan"


async def test_officer_cannot_call_another_agencys_ticket(server: Server) -> None:
    """Calling a Samsat number from a Dukcapil counter shows the server's refusal."""
    await issue(server, "E")
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await pilot.press("c")
        await type_choice(pilot, "E-001")
        await choose(pilot, "kondisi darurat")
        await until(
            pilot, lambda: "E-001 adalah antrean instansi lain" in text(app, "notice"), "refusal"
        )
        assert "Tidak ada nomor aktif" in text(app, "ticket-detail")
    assert ticket_of(server, "E-001").state.value == "waiting"


async def test_log_out_closes_the_counter_and_returns_to_login(start_server) -> None:
    """Q asks first, then logs out: the counter closes and the login screen returns (in a
    building that needs no approval to close: tests/counter/test_counter_closure.py has Q
    refused where it does)."""
    server = await start_server(building=building_closing_freely())
    async with at_work(server, "DKP01@L05") as (app, pilot):
        await pilot.press("q")
        await choose(pilot, "ya")
        await until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
        assert "keluar" in login_error(app)
    status = server.engine.state.counters["L05"]
    assert status.officer is None and status.state.value == "closed"


async def test_a_newer_console_for_the_same_officer_takes_over(server: Server) -> None:
    """A second console of the same officer at the counter replaces the first, which says so."""
    async with (
        at_work(server, "DKP01@L05") as (first, pilot),
        at_work(server, "DKP01@L05") as (second, _),
    ):
        await until(pilot, lambda: isinstance(first.screen, LoginScreen), "the takeover")
        assert "diambil alih" in login_error(first)
        assert second.logged_in
