"""Live administration on a real server (issue 23): the admin protocol, the edit live in every
session without a restart, stale edits, undo, credentials, roles, hostile requests, replay.

The demo building (server/demo/building.toml): line K "Klaim JHT dan Layanan Peserta" of
BPJSTK, walk-in quota 60, served at L16 and L17; officer BTK01 of BPJSTK; ADMIN is the admin and
LANTAI a floor manager (server/demo/credentials.txt).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hubtest import Server, hello_for, until

from server import protocol as p
from server.client import AntreClient, ConnectionState, RequestError

HIDDEN = "(disembunyikan)"


async def admin_of(server: Server, who: str = "ADMIN") -> AntreClient:
    return await server.client(who)


async def hello_refusal(server: Server, hello: dict[str, Any]) -> dict[str, Any]:
    """The error frame answering a hello that is refused."""
    raw = await server.raw()
    await raw.send({**hello, "id": "hello"})
    return await raw.expect("error")


async def state_of(admin: AntreClient) -> dict[str, Any]:
    reply = await admin.request("admin_state")
    return {k: v for k, v in reply.items() if k not in ("type", "ref")}


def value_of(state: dict[str, Any], kind: str, target: str) -> Any:
    return next(e["value"] for e in state["entities"][kind] if e["target"] == target)


async def edit(admin: AntreClient, target: str, before: Any, after: Any, version: int) -> Any:
    return await admin.request(
        "admin_edit", target=target, before=before, after=after, version=version
    )


async def test_state_lists_entities_without_credentials(server: Server) -> None:
    admin = await admin_of(server)
    state = await state_of(admin)
    assert state["version"] == 0
    line = value_of(state, "line", "line:K")
    assert line["name"] == "Klaim JHT dan Layanan Peserta" and line["quota_walk_in"] == 60
    officer = value_of(state, "officer", "officer:DKP01")
    assert officer["name"] == "Siti Rahmawati" and officer["pin_hash"] == HIDDEN
    for device in state["entities"]["device"]:
        assert device["value"]["token_sha256"] == HIDDEN
    assert "scrypt" not in str(state)


async def test_quota_lowered_below_issued_stops_issuing_and_every_session_hears(
    server: Server,
) -> None:
    """K-001..K-003 issued, then the quota cut to 2 (the blanko ran out): the kiosk's next K
    is refused in the quota's words; the kiosk got a fresh snapshot without reconnecting."""
    kiosk = await server.client("KIOSK-1")
    for _ in range(3):
        t = await kiosk.issue_ticket("K")
        await kiosk.confirm_printed(t["id"])
    admin = await admin_of(server)
    line = value_of(await state_of(admin), "line", "line:K")
    snapshots: list[dict[str, Any]] = []

    async def watch() -> None:
        async for msg in kiosk.messages():
            if msg.get("type") == "snapshot":
                snapshots.append(msg)

    watcher = asyncio.create_task(watch())
    try:
        reply = await edit(admin, "line:K", line, {**line, "quota_walk_in": 2}, 0)
        assert reply["version"] == 1 and reply["value"]["quota_walk_in"] == 2
        with pytest.raises(RequestError) as refused:
            await kiosk.issue_ticket("K")
        assert refused.value.code == "quota_exhausted"
        assert "Kuota layanan" in refused.value.message and "sudah habis" in refused.value.message
        await until(lambda: bool(snapshots), "the kiosk's fresh snapshot")
    finally:
        watcher.cancel()
    lines = {ln["prefix"]: ln for ln in await kiosk.list_lines()}
    assert lines["K"]["issuing"] is False
    # The other lines issue as before.
    assert (await kiosk.issue_ticket("A"))["number"] == "A-001"


async def test_stale_edit_refused_with_current_value_other_target_not(server: Server) -> None:
    one, two = await admin_of(server), await admin_of(server)
    line = value_of(await state_of(one), "line", "line:K")
    await edit(one, "line:K", line, {**line, "quota_walk_in": 50}, 0)
    with pytest.raises(RequestError) as stale:
        await edit(two, "line:K", line, {**line, "quota_walk_in": 40}, 0)
    assert stale.value.code == "edit_stale"
    assert stale.value.reply["details"]["current"]["quota_walk_in"] == 50
    # An edit of another target made against the same old version goes through.
    text = value_of(await state_of(two), "running_text", "running_text")
    reply = await edit(two, "running_text", text, "Selamat datang.", 0)
    assert reply["version"] == 2
    assert value_of(await state_of(one), "line", "line:K")["quota_walk_in"] == 50


async def test_undo_and_history(server: Server) -> None:
    admin = await admin_of(server)
    text = value_of(await state_of(admin), "running_text", "running_text")
    await edit(admin, "running_text", text, "Layanan tutup pukul 12.00 hari ini.", 0)
    undone = await admin.request("admin_undo", version=1)
    assert undone["version"] == 2 and undone["value"] == text
    history = (await admin.request("admin_history", limit=10))["history"]
    assert [h["version"] for h in history] == [2, 1]
    assert history[0]["undoes"] == 1 and history[0]["by"] == "manager:ADMIN"
    assert history[1]["after"] == "Layanan tutup pukul 12.00 hari ini."
    # Undoing version 1 again: its target changed since (by the undo itself).
    with pytest.raises(RequestError) as stale:
        await admin.request("admin_undo", version=1)
    assert stale.value.code == "edit_stale"


async def test_reset_pin_shown_once_and_works(server: Server) -> None:
    admin = await admin_of(server)
    reply = await admin.request("admin_reset_pin", officer="BTK01")
    pin = reply["pin"]
    assert len(pin) == 6 and pin.isdigit()
    history = (await admin.request("admin_history"))["history"]
    assert history[0]["text"] == "PIN petugas BTK01 diatur ulang"
    assert pin not in str(history) and "scrypt" not in str(history)
    officer = AntreClient(server.url, p.hello_officer("L16", "BTK01", pin), heartbeat_s=None)
    server.clients.append(officer)
    await officer.connect(timeout=10)
    await officer.act("login")
    refusal = await hello_refusal(server, hello_for("BTK01@L16"))  # the old PIN
    assert refusal["code"] == p.ERR_AUTH_FAILED


async def test_undoing_a_pin_reset_says_the_old_pin_is_valid_again(server: Server) -> None:
    """The PIN reset undone: the history says plainly that the old PIN is valid again, and the
    officer logs in with it (the new one is refused)."""
    admin = await admin_of(server)
    reset = await admin.request("admin_reset_pin", officer="BTK01")
    await admin.request("admin_undo", version=reset["version"])
    history = (await admin.request("admin_history"))["history"]
    assert [row["text"] for row in history] == [
        "Batal versi 1: PIN lama petugas BTK01 berlaku lagi",
        "PIN petugas BTK01 diatur ulang",
    ]
    refusal = await hello_refusal(server, p.hello_officer("L16", "BTK01", reset["pin"]))
    assert refusal["code"] == p.ERR_AUTH_FAILED
    officer = await server.client("BTK01@L16")  # the old PIN
    await officer.act("login")


async def test_an_officer_added_without_a_pin_gets_one_shown_once_and_logs_in(
    server: Server,
) -> None:
    """ADMIN adds BTK09 of BPJSTK with no PIN (the form cannot know one): the reply shows the
    server's new 6-digit PIN once; BTK09 logs in at L16 with it; the history never holds it."""
    admin = await admin_of(server)
    officer = {"id": "BTK09", "name": "Rina Wulandari", "agency": "BPJSTK"}
    reply = await edit(admin, "officer:BTK09", None, officer, 0)
    pin = reply["pins"]["BTK09"]
    assert len(pin) == 6 and pin.isdigit()
    assert reply["value"]["pin_hash"] == HIDDEN
    history = (await admin.request("admin_history"))["history"]
    assert pin not in str(history) and "scrypt" not in str(history)
    added = AntreClient(server.url, p.hello_officer("L16", "BTK09", pin), heartbeat_s=None)
    server.clients.append(added)
    await added.connect(timeout=10)
    await added.act("login")


async def test_disabled_officer_is_logged_out_and_refused(server: Server) -> None:
    officer = await server.officer_at_work("BTK01@L16")
    admin = await admin_of(server)
    before = value_of(await state_of(admin), "officer", "officer:BTK01")
    await edit(admin, "officer:BTK01", before, {**before, "disabled": True}, 0)
    await until(lambda: officer.state is ConnectionState.CLOSED, "the officer's session closed")
    # Logged out of L16: another officer of BPJSTK may log in there.
    floor = await server.client("LANTAI")
    snap = await floor.snapshot()
    l11 = next(c for c in snap["counters"] if c["id"] == "L16")
    assert l11.get("officer") is None
    refusal = await hello_refusal(server, hello_for("BTK01@L16"))
    assert refusal["message"] == "Akun Anda dinonaktifkan; hubungi admin."


async def test_roles(server: Server) -> None:
    officer = await server.officer_at_work("BTK01@L16")
    with pytest.raises(RequestError) as refused:
        await officer.request("admin_state")
    assert refused.value.code == p.ERR_FORBIDDEN
    floor = await server.client("LANTAI")
    state = await state_of(floor)
    line = value_of(state, "line", "line:K")
    with pytest.raises(RequestError) as refused:
        await edit(floor, "line:K", line, {**line, "quota_walk_in": 1}, 0)
    assert refused.value.code == "forbidden" and "admin" in refused.value.message
    with pytest.raises(RequestError) as refused:
        await floor.request("admin_reset_pin", officer="BTK01")
    assert refused.value.code == p.ERR_FORBIDDEN
    reply = await edit(floor, "running_text", value_of(state, "running_text", "running_text"),
                       "Hari ini layanan ramai.", 0)  # fmt: skip
    assert reply["version"] == 1


@pytest.mark.parametrize(
    ("target", "before", "after", "code"),
    [
        ("line:K", "current", {"prefix": "K", "quota_walk_in": -5}, "edit_invalid"),
        ("line:K", "current", "not a table", "edit_bad_value"),
        ("lift:3", None, {"id": "3"}, "edit_unknown_target"),
        ("line:K", {"prefix": "K"}, None, "edit_stale"),
    ],
)
async def test_bad_edits_change_nothing(
    server: Server, target: str, before: Any, after: Any, code: str
) -> None:
    admin = await admin_of(server)
    state = await state_of(admin)
    if before == "current":
        before = value_of(state, "line", "line:K")
    with pytest.raises(RequestError) as refused:
        await edit(admin, target, before, after, 0)
    assert refused.value.code == code and refused.value.message
    if code == "edit_invalid":  # the config check's words, in Indonesian for the admin
        assert refused.value.message.endswith("quota_walk_in: harus ≥ 0, tertulis -5")
    assert await state_of(admin) == state


async def test_malformed_admin_frames_are_refused(server: Server) -> None:
    raw = await server.raw(hello_for("ADMIN"))
    deep: Any = "x"
    for _ in range(20):
        deep = [deep]
    for msg in (
        {"type": "admin_edit", "request_id": "r1", "target": "line:K", "before": None,
         "after": deep, "version": 0},
        {"type": "admin_edit", "request_id": "r2", "target": "", "before": None, "after": None,
         "version": 0},
        {"type": "admin_edit", "request_id": "r3", "target": "line:K", "before": None,
         "after": None, "version": -1},
        {"type": "admin_undo", "request_id": "r4", "version": "1"},
        {"type": "admin_new_device", "request_id": "r5", "kind": "toaster", "device": "X"},
    ):  # fmt: skip
        reply = await raw.reply({**msg, "id": msg["request_id"]})
        assert reply["type"] == "error" and reply["code"] == p.ERR_BAD_MESSAGE, msg
    assert server.engine.version == 0


async def test_new_device_token_shown_once_and_works(server: Server) -> None:
    admin = await admin_of(server)
    reply = await admin.request("admin_new_device", kind="kiosk", device="KIOSK-9")
    token = reply["token"]
    kiosk = AntreClient(server.url, p.hello_kiosk(token), heartbeat_s=None)
    server.clients.append(kiosk)
    await kiosk.connect(timeout=10)
    assert (await kiosk.issue_ticket("A"))["number"] == "A-001"
    renewed = await admin.request("admin_new_token", device="KIOSK-9")
    assert renewed["token"] != token
    # The kiosk still on the old token is closed at once (the token is revoked).
    await until(lambda: kiosk.state is ConnectionState.CLOSED, "the old token's session closed")
    refusal = await hello_refusal(server, p.hello_kiosk(token))
    assert refusal["code"] == p.ERR_AUTH_FAILED


async def test_restart_replays_the_edits(start_server, tmp_path) -> None:
    db = str(tmp_path / "edits.db")
    server = await start_server(db=db)
    admin = await admin_of(server)
    line = value_of(await state_of(admin), "line", "line:K")
    await edit(admin, "line:K", line, {**line, "quota_walk_in": 7}, 0)
    await start_server.stop(server)
    server = await start_server(db=db)
    assert server.engine.version == 1
    assert server.engine.building.line("K").quota_walk_in == 7
    admin = await admin_of(server)
    state = await state_of(admin)
    assert state["version"] == 1 and value_of(state, "line", "line:K")["quota_walk_in"] == 7


NEW_LINE = {
    "prefix": "Y",
    "agency": "BPJSTK",
    "name": "Pendaftaran Peserta Baru",
    "target_service_min": 10,
}
NEW_COUNTER = {
    "id": "L40",
    "name": "Loket 40",
    "number": 40,
    "zone": "1",
    "agency": "BPJSTK",
    "serves": ["Y"],
}


async def add_line_and_counter(admin: AntreClient, version: int = 0) -> dict[str, Any]:
    return await admin.request(
        "admin_edit",
        version=version,
        edits=[
            {"target": "line:Y", "before": None, "after": NEW_LINE},
            {"target": "counter:L40", "before": None, "after": NEW_COUNTER},
        ],
    )


async def test_a_line_and_counter_added_live_issue_and_call(server: Server) -> None:
    """The kiosk, connected before the edit, offers line Y at once; Y-001 is called at the new
    Loket 40 by an officer of BPJSTK who logs in there. No restart, no reconnect."""
    kiosk = await server.client("KIOSK-1")
    admin = await admin_of(server)
    reply = await add_line_and_counter(admin)
    assert reply["version"] == 2 and [e["target"] for e in reply["edits"]] == [
        "line:Y",
        "counter:L40",
    ]
    assert "Y" in {ln["prefix"] for ln in await kiosk.list_lines()}
    ticket = await kiosk.issue_ticket("Y")
    assert ticket["number"] == "Y-001"
    await kiosk.confirm_printed(ticket["id"])
    officer = await server.officer_at_work("BTK01@L40")
    called = await officer.act("call_next")
    assert called["ticket"]["number"] == "Y-001"
    # Undo of either undoes both (one request), the counter first; Y-001 stays.
    undone = await admin.request("admin_undo", version=1)
    assert undone["version"] == 4 and [e["target"] for e in undone["edits"]] == [
        "counter:L40",
        "line:Y",
    ]
    assert server.engine.building.line("Y") is None
    assert any(t.number == "Y-001" for t in server.engine.state.tickets.values())


async def test_added_line_survives_a_restart(start_server, tmp_path) -> None:
    db = str(tmp_path / "added.db")
    server = await start_server(db=db)
    admin = await admin_of(server)
    await add_line_and_counter(admin)
    kiosk = await server.client("KIOSK-1")
    await kiosk.confirm_printed((await kiosk.issue_ticket("Y"))["id"])
    await start_server.stop(server)
    server = await start_server(db=db)
    assert server.engine.version == 2 and server.engine.building.line("Y") is not None
    kiosk = await server.client("KIOSK-1")
    assert (await kiosk.issue_ticket("Y"))["number"] == "Y-002"


async def test_a_counter_removed_while_serving_finishes_first(server: Server) -> None:
    """L17 serves K-001 when the admin removes it: the officer finishes K-001 there, and only
    then is L17 closed and the officer logged out (free to log in elsewhere)."""
    kiosk = await server.client("KIOSK-1")
    await kiosk.confirm_printed((await kiosk.issue_ticket("K"))["id"])
    officer = await server.officer_at_work("BTK01@L17")
    await officer.act("call_next")
    await officer.act("start_service")
    admin = await admin_of(server)
    counter = value_of(await state_of(admin), "counter", "counter:L17")
    await edit(admin, "counter:L17", counter, None, 0)
    assert "counter:L17" not in {
        e["target"] for e in (await state_of(admin))["entities"]["counter"]
    }
    # Still at work: the console finishes the citizen's service at L17.
    finished = await officer.act("finish_service")
    assert finished["events"][0]["event"]["kind"] == "service_finished"
    await until(
        lambda: server.engine.state.counters["L17"].officer is None, "L17 retired after the finish"
    )
    # Its console is told (the counter is gone) and closed.
    await until(lambda: officer.state is ConnectionState.CLOSED, "the L17 console closed")
    await server.officer_at_work("BTK01@L16")  # logged out of L17: free to move
    assert server.engine.state.counters["L16"].officer == "BTK01"


async def test_a_removed_line_keeps_its_waiting_tickets(server: Server) -> None:
    """Line Y added, Y-001 and Y-002 taken, then Y removed (with its counter): no new Y, the
    two wait on for the floor to cancel (docs/operations.md, as a restart on the file does)."""
    kiosk = await server.client("KIOSK-1")
    admin = await admin_of(server)
    await add_line_and_counter(admin)
    for _ in range(2):
        await kiosk.confirm_printed((await kiosk.issue_ticket("Y"))["id"])
    await admin.request(
        "admin_edit",
        version=2,
        edits=[
            {"target": "counter:L40", "before": NEW_COUNTER, "after": None},
            {"target": "line:Y", "before": NEW_LINE, "after": None},
        ],
    )
    with pytest.raises(RequestError):
        await kiosk.issue_ticket("Y")
    waiting = sorted(t.number for t in server.engine.state.tickets.values() if t.line == "Y")
    assert waiting == ["Y-001", "Y-002"]
    assert all(
        t.state.value == "waiting" for t in server.engine.state.tickets.values() if t.line == "Y"
    )
    floor = await server.client("LANTAI")
    cancelled = await floor.act("cancel_ticket", ticket="Y-001", reason="layanan ditutup")
    assert cancelled["events"][0]["event"]["kind"] == "ticket_cancelled"


async def test_a_disabled_officer_busy_with_a_ticket_is_logged_out_when_it_ends(
    server: Server,
) -> None:
    """BTK01 serves K-001 at L16 when disabled: the console is closed at once; the floor
    cancels K-001 (nobody can finish it for them), and L16 is then free for a colleague."""
    kiosk = await server.client("KIOSK-1")
    await kiosk.confirm_printed((await kiosk.issue_ticket("K"))["id"])
    officer = await server.officer_at_work("BTK01@L16")
    await officer.act("call_next")
    admin = await admin_of(server)
    before = value_of(await state_of(admin), "officer", "officer:BTK01")
    await edit(admin, "officer:BTK01", before, {**before, "disabled": True}, 0)
    await until(lambda: officer.state is ConnectionState.CLOSED, "the console closed")
    assert server.engine.state.counters["L16"].officer == "BTK01"  # K-001 is still theirs
    floor = await server.client("LANTAI")
    await floor.act("cancel_ticket", ticket="K-001", reason="petugas dinonaktifkan")
    await until(lambda: server.engine.state.counters["L16"].officer is None, "BTK01 logged out")


def test_a_webhook_never_receives_a_credential_of_an_edit() -> None:
    """A destination that takes every kind gets `building_edited` with the PIN hash withheld."""
    import json
    from zoneinfo import ZoneInfo

    from server.outbox.body import event_entry
    from server.store.deliveries import PendingEvent

    officer = {
        "id": "DKP01",
        "name": "Siti",
        "agency": "DUKCAPIL",
        "pin_hash": "scrypt$1$2$3$aa$bb",
    }
    payload = {"kind": "building_edited", "at": "2026-11-23T09:00:00+07:00", "by": "manager:ADMIN",
               "version": 1, "target": "officer:DKP01", "before": officer,
               "after": {**officer, "pin_hash": "scrypt$1$2$3$cc$dd"}, "undoes": None}  # fmt: skip
    pending = PendingEvent(
        1, payload["at"], "2026-11-23", "manager:ADMIN", "building_edited",
        json.dumps(payload), None,
    )  # fmt: skip
    entry = event_entry("mpp-uji", pending, ZoneInfo("Asia/Jakarta"), personal_data=True)
    assert entry["data"]["before"]["pin_hash"] == HIDDEN
    assert entry["data"]["after"]["pin_hash"] == HIDDEN
    assert "scrypt" not in json.dumps(entry)


async def test_edits_at_once_lose_nothing_and_tickets_go_on(server: Server) -> None:
    """Two admins save at the same instant (two targets) while a kiosk issues: both edits are
    there, at versions 1 and 2, and every ticket issued meanwhile is in the queue, numbered
    without a gap."""
    one, two = await admin_of(server), await admin_of(server)
    kiosk = await server.client("KIOSK-1")
    state = await state_of(one)
    line = value_of(state, "line", "line:K")
    text = value_of(state, "running_text", "running_text")

    async def issue_many() -> list[str]:
        return [(await kiosk.issue_ticket("A"))["number"] for _ in range(20)]

    numbers, first, second = await asyncio.gather(
        issue_many(),
        edit(one, "line:K", line, {**line, "quota_walk_in": 30}, 0),
        edit(two, "running_text", text, "Dua admin sekaligus.", 0),
    )
    assert sorted([first["version"], second["version"]]) == [1, 2]
    assert numbers == [f"A-{i:03d}" for i in range(1, 21)]
    state = await state_of(one)
    assert value_of(state, "line", "line:K")["quota_walk_in"] == 30
    assert value_of(state, "running_text", "running_text") == "Dua admin sekaligus."
    assert sum(t.line == "A" for t in server.engine.state.tickets.values()) == 20


# The demo building's lines in the file's order: the kiosk's list (docs/configuration.md).
DEMO_ORDER = ["A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S",
              "T", "U", "V", "W", "X"]  # fmt: skip


async def test_undoing_a_removed_line_puts_it_back_in_its_place(start_server, tmp_path) -> None:
    """Line N removed (with L21's service of it), then undone: the kiosk lists N between M and
    P again, not last; a restart replays the same order."""
    db = str(tmp_path / "order.db")
    server = await start_server(db=db)
    admin = await admin_of(server)
    state = await state_of(admin)
    line_n = value_of(state, "line", "line:N")
    l21 = value_of(state, "counter", "counter:L21")
    await admin.request(
        "admin_edit",
        version=0,
        edits=[
            {"target": "counter:L21", "before": l21, "after": {**l21, "serves": ["M"]}},
            {"target": "line:N", "before": line_n, "after": None},
        ],
    )
    kiosk = await server.client("KIOSK-1")
    without_n = [p for p in DEMO_ORDER if p != "N"]
    assert [ln["prefix"] for ln in (await kiosk.snapshot())["building"]["lines"]] == without_n
    await admin.request("admin_undo", version=2)
    assert [ln["prefix"] for ln in (await kiosk.snapshot())["building"]["lines"]] == DEMO_ORDER
    targets = [e["target"] for e in (await state_of(admin))["entities"]["line"]]
    assert targets == [f"line:{p}" for p in DEMO_ORDER]
    await start_server.stop(server)
    server = await start_server(db=db)
    assert server.engine.version == 4
    assert [ln.prefix for ln in server.engine.building.lines] == DEMO_ORDER
    kiosk = await server.client("KIOSK-1")
    assert [ln["prefix"] for ln in (await kiosk.snapshot())["building"]["lines"]] == DEMO_ORDER


async def test_an_undone_removal_goes_back_beside_its_neighbours_across_restarts(
    start_server, tmp_path
) -> None:
    """Counter L03 (between L02 and L04) removed, then L02; a restart; the first undone: L03
    stands between L01 and L04 (its old index, 2, would put it after L04). The engine found
    the place again from the log, and a second restart replays the same order."""
    db = str(tmp_path / "neighbours.db")
    server = await start_server(db=db)
    admin = await admin_of(server)
    state = await state_of(admin)
    l02, l03 = value_of(state, "counter", "counter:L02"), value_of(state, "counter", "counter:L03")
    await edit(admin, "counter:L03", l03, None, 0)
    await edit(admin, "counter:L02", l02, None, 1)
    await start_server.stop(server)
    server = await start_server(db=db)
    admin = await admin_of(server)
    await admin.request("admin_undo", version=1)
    first = ["L01", "L03", "L04", "L05"]
    targets = [e["target"] for e in (await state_of(admin))["entities"]["counter"]]
    assert targets[:4] == [f"counter:{c}" for c in first]
    await start_server.stop(server)
    server = await start_server(db=db)
    assert server.engine.version == 3
    assert [c.id for c in server.engine.building.counters][:4] == first
