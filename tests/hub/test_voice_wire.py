"""The citizen's voice on the wire (issue 20), on a real server with the demo building: the
counter tablet offered the ticket finished at its counter and answering it, refused any other;
the floor's complaint workflow and snapshot; floor-only events never reaching an officer, a TV
or a kiosk; a complaint's contact in no push.

What is expected comes from docs/protocol.md ("`answer_survey`", "Complaints", "`survey_offer`",
"Floor-only events") and the demo building: TABLET-L01 faces Loket 1 (Dukcapil), whose officer
is DKP01; Loket 2 is Dukcapil's too (DKP02).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from hubtest import Raw, Server, hello_for

from server import protocol as p
from server.core.events import FLOOR_ONLY

GOOD = [4, 4, 3, 4, 3, 4, 4, 3, 3]


async def served_at(
    server: Server, officer: Any, counter: str, kiosk: Raw | None = None
) -> dict[str, Any]:
    """A citizen of line A from the kiosk (KIOSK-1, or this session of it) to the end of the
    service at `counter`."""
    if kiosk is None:
        client = await server.client("KIOSK-1")
        ticket = await client.issue_ticket("A")
        await client.confirm_printed(ticket["id"])
    else:
        issued = await kiosk.reply(
            {"type": "issue_ticket", "id": "i", "request_id": "i", "line": "A", "priority": None}
        )
        ticket = issued["ticket"]
        await kiosk.reply(
            {"type": "confirm_printed", "id": "c", "request_id": "c", "ticket": ticket["id"]}
        )
    await officer.act("call_next")
    await officer.act("start_service")
    await officer.act("finish_service")
    assert server.engine.state.tickets[ticket["id"]].counter == counter
    return ticket


async def test_the_tablet_is_offered_the_ticket_finished_at_its_counter_and_answers_it(
    server: Server,
) -> None:
    tablet = await server.raw(hello_for("TABLET-L01"))
    assert tablet.welcome is not None
    assert tablet.welcome["principal"] == {
        "id": "TABLET-L01",
        "name": "TABLET-L01",
        "counter": "L01",
    }
    assert tablet.welcome["role"] == "tablet"
    floor = await server.raw(hello_for("LANTAI"))
    officer = await server.officer_at_work("DKP01@L01")
    ticket = await served_at(server, officer, "L01")

    offer = await tablet.expect("survey_offer")
    assert offer == {
        "type": "survey_offer",
        "ticket": ticket["id"],
        "number": ticket["number"],
        "line_name": "Perekaman dan Cetak KTP-el",
        "agency": "DUKCAPIL",
        "agency_name": "Dukcapil",
        "counter_name": "Loket 1",
        "idle_s": 90,
    }
    reply = await tablet.reply(
        {
            "type": "answer_survey",
            "id": "a1",
            "request_id": "r1",
            "ticket": ticket["id"],
            "scores": GOOD,
            "age": "30-39",
            "sex": "p",
            "suggestion": "Terima kasih.",
        }
    )
    assert reply["type"] == "ok" and reply["ticket"] == ticket["id"]
    assert server.engine.state.surveys.answered(ticket["id"])
    event = (await floor.expect("event"))["event"]
    while event["kind"] != "survey_answered":
        event = (await floor.expect("event"))["event"]
    assert (event["ticket"], event["channel"], event["scores"], event["officer"]) == (
        ticket["id"],
        "tablet:TABLET-L01",
        GOOD,
        "DKP01",
    )
    # The offer is over: the same answer again is not the tablet's to give.
    again = await tablet.reply(
        {
            "type": "answer_survey",
            "id": "a2",
            "request_id": "r2",
            "ticket": ticket["id"],
            "scores": GOOD,
        }
    )
    assert (again["type"], again["code"]) == ("error", "not_found")
    snapshot = await tablet.reply({"type": "snapshot", "id": "s"})
    assert (snapshot["counter"], snapshot["counter_name"], snapshot["offer"]) == (
        "L01",
        "Loket 1",
        None,
    )
    assert "tickets" not in snapshot and "lines" not in snapshot


async def test_a_tablets_answer_resent_after_a_lost_reply_is_the_same_answer(
    server: Server,
) -> None:
    """docs/protocol.md: "A request id already executed today returns the first result again,
    without acting twice — also after a reconnect." The tablet's link drops after the server
    recorded the answer but before its `ok` arrived; reconnected, the tablet sends the same
    request again: `ok` with the first answer's seq (not "tidak sedang ditawarkan", which
    would tell the citizen the answer was lost), and one answer on disk."""
    tablet = await server.raw(hello_for("TABLET-L01"))
    officer = await server.officer_at_work("DKP01@L01")
    ticket = await served_at(server, officer, "L01")
    await tablet.expect("survey_offer")
    request = {
        "type": "answer_survey",
        "id": "a1",
        "request_id": "tablet-answer-1",
        "ticket": ticket["id"],
        "scores": GOOD,
    }
    first = await tablet.reply(request)
    assert first["type"] == "ok"
    again = await server.raw(hello_for("TABLET-L01"))  # the same tablet, reconnected
    resent = await again.reply(request)
    assert (resent["type"], resent.get("seq"), resent.get("ticket")) == (
        "ok",
        first["seq"],
        ticket["id"],
    )
    db = sqlite3.connect(server.engine.db_path)
    try:
        answers = db.execute("SELECT count(*) FROM events WHERE kind = 'survey_answered'")
        assert answers.fetchone() == (1,)
    finally:
        db.close()


async def test_the_tablet_is_refused_another_counters_ticket_and_a_stale_offer(
    server: Server,
) -> None:
    tablet = await server.raw(hello_for("TABLET-L01"))
    colleague = await server.officer_at_work("DKP02@L02")
    elsewhere = await served_at(server, colleague, "L02")
    before = server.state_copy()
    reply = await tablet.reply(
        {
            "type": "answer_survey",
            "id": "a",
            "request_id": "r",
            "ticket": elsewhere["id"],
            "scores": GOOD,
        }
    )
    assert (reply["type"], reply["code"]) == ("error", "not_found")
    assert reply["message"] == (
        f"Survei untuk nomor {elsewhere['number']} tidak sedang ditawarkan di tablet ini."
    )
    assert server.state_copy() == before
    assert not any(m["type"] == "survey_offer" for m in tablet.seen)

    # Its own counter's ticket, but after the offer's 90 s: refused too, and nothing changed.
    officer = await server.officer_at_work("DKP01@L01")
    mine = await served_at(server, officer, "L01")
    await tablet.expect("survey_offer")
    server.clock.advance(91)
    before = server.state_copy()
    late = await tablet.reply(
        {
            "type": "answer_survey",
            "id": "b",
            "request_id": "r2",
            "ticket": mine["number"],
            "scores": GOOD,
        }
    )
    assert (late["type"], late["code"]) == ("error", "not_found")
    assert server.state_copy() == before


async def test_a_tablet_that_reconnects_finds_its_offer_in_its_snapshot(server: Server) -> None:
    officer = await server.officer_at_work("DKP01@L01")
    ticket = await served_at(server, officer, "L01")  # no tablet connected yet
    tablet = await server.raw(hello_for("TABLET-L01"))
    snapshot = next(m for m in tablet.seen if m["type"] == "snapshot")
    assert snapshot["offer"]["ticket"] == ticket["id"]
    reply = await tablet.reply(
        {
            "type": "answer_survey",
            "id": "a",
            "request_id": "r",
            "ticket": ticket["number"],
            "scores": [3] * 9,
        }
    )
    assert reply["type"] == "ok"


async def watchers(server: Server) -> dict[str, Raw]:
    return {
        "officer": await server.raw(hello_for("DKP02@L02")),
        "tv": await server.raw(hello_for("TV-1")),
        "kiosk": await server.raw(hello_for("KIOSK-1")),
        "floor": await server.raw(hello_for("LANTAI")),
    }


async def drained(raw: Raw) -> list[dict[str, Any]]:
    """Every frame the session got up to a ping's pong (pushes precede later replies)."""
    await raw.reply({"type": "ping", "id": "drain"})
    return raw.seen


async def test_floor_only_events_reach_the_floor_and_never_an_officer_tv_or_kiosk(
    server: Server,
) -> None:
    """An answer and a complaint's four steps about a Dukcapil citizen: a Dukcapil officer,
    the zone's TV and the kiosk that printed the ticket hear none of them."""
    seen = await watchers(server)
    officer = await server.officer_at_work("DKP01@L01")
    tablet = await server.raw(hello_for("TABLET-L01"))
    ticket = await served_at(server, officer, "L01", kiosk=seen["kiosk"])
    await tablet.expect("survey_offer")
    await tablet.reply(
        {
            "type": "answer_survey",
            "id": "a",
            "request_id": "r",
            "ticket": ticket["id"],
            "scores": GOOD,
        }
    )
    manager = await server.client("LANTAI")
    filed = await manager.file_complaint("petugas", "Petugas tidak ramah.", number=ticket["number"])
    cid = filed["complaint"]
    await manager.take_complaint(cid, note="Dicek.")
    await manager.answer_complaint(cid, "Petugas sudah ditegur.")
    await manager.close_complaint(cid)
    kinds = {
        who: [m["event"]["kind"] for m in await drained(raw) if m["type"] == "event"]
        for who, raw in seen.items()
    }
    assert sorted(k for k in kinds["floor"] if k in FLOOR_ONLY) == sorted(
        [
            "survey_answered",
            "complaint_filed",
            "complaint_taken",
            "complaint_answered",
            "complaint_closed",
        ]
    )
    for who in ("officer", "tv", "kiosk"):
        assert not FLOOR_ONLY & set(kinds[who]), (who, kinds[who])
    assert "service_finished" in kinds["officer"]  # (the officer does hear its agency's queue)


async def test_the_floor_works_a_complaint_and_its_contact_is_in_no_push_nor_the_log(
    server: Server, tmp_path: Any
) -> None:
    floor = await server.raw(hello_for("LANTAI"))
    officer = await server.officer_at_work("DKP01@L01")
    ticket = await served_at(server, officer, "L01")
    desk = await server.client("DKP01@L01")
    filed = await desk.file_complaint(
        "waktu",
        "Menunggu tiga jam.",
        number=ticket["number"],
        name="Siti Aminah",
        phone="0812 3456 7890",
    )
    cid = filed["complaint"]
    assert cid == "ADU-261123-001" and set(filed) >= {"complaint", "take_by", "seq"}
    manager = await server.client("LANTAI")
    snap = await manager.snapshot()
    (listed,) = snap["complaints"]
    assert (listed["id"], listed["state"], listed["has_contact"]) == (cid, "received", True)
    assert (listed["ticket"], listed["counter"], listed["officer"]) == (
        ticket["id"],
        "L01",
        "DKP01",
    )
    assert snap["skm_today"] == {"building": {"respondents": 0, "sums": [0] * 9}, "agencies": {}}
    taken = await manager.take_complaint(cid)
    assert taken["complaint"]["state"] == "in_progress"
    before = server.state_copy()
    blank = await floor.reply(
        {
            "type": "answer_complaint",
            "id": "x",
            "request_id": "x",
            "complaint": cid,
            "answer": "   ",
        }
    )
    assert (blank["type"], blank["code"]) == ("error", "complaint_invalid")
    assert server.state_copy() == before
    contact = await manager.complaint_contact(cid)
    assert (contact["name"], contact["phone"]) == ("Siti Aminah", "0812 3456 7890")

    frames = json.dumps(await drained(floor))
    assert cid in frames and "Siti" not in frames and "0812" not in frames
    db = sqlite3.connect(server.engine.db_path)
    payloads = " ".join(p for (p,) in db.execute("SELECT payload FROM events"))
    db.close()
    assert cid in payloads and "Siti" not in payloads and "0812" not in payloads


async def test_an_officer_files_only_about_its_own_agencys_tickets(server: Server) -> None:
    kiosk = await server.client("KIOSK-1")
    theirs = await kiosk.issue_ticket("A")  # Dukcapil's
    await kiosk.confirm_printed(theirs["id"])
    before = server.state_copy()
    raw = await server.raw(hello_for("SMS01@L08"))
    reply = await raw.reply(
        {
            "type": "file_complaint",
            "id": 1,
            "request_id": "f",
            "category": "waktu",
            "text": "Lama.",
            "number": theirs["number"],
        }
    )
    assert (reply["type"], reply["code"]) == ("error", "forbidden")
    assert server.state_copy() == before
    anonymous = await raw.reply(
        {
            "type": "file_complaint",
            "id": 2,
            "request_id": "g",
            "category": "sarana",
            "text": "Kursi rusak.",
        }
    )
    assert (anonymous["type"], anonymous["complaint"]) == ("ok", "ADU-261123-001")


async def test_the_floor_snapshot_counts_todays_answers(server: Server) -> None:
    officer = await server.officer_at_work("DKP01@L01")
    tablet = await server.raw(hello_for("TABLET-L01"))
    for scores in (GOOD, [1, 2, 3, 4, 1, 2, 3, 4, 1]):
        ticket = await served_at(server, officer, "L01")
        await tablet.expect("survey_offer")
        reply = await tablet.reply(
            {
                "type": "answer_survey",
                "id": ticket["number"],
                "request_id": ticket["number"],
                "ticket": ticket["id"],
                "scores": scores,
            }
        )
        assert reply["type"] == "ok", reply
    snap = await (await server.client("LANTAI")).snapshot()
    two = {"respondents": 2, "sums": [5, 6, 6, 8, 4, 6, 7, 7, 4]}
    assert snap["skm_today"] == {"building": two, "agencies": {"DUKCAPIL": two}}
    officers = await (await server.client("DKP02@L02")).snapshot()
    assert "skm_today" not in officers and "complaints" not in officers
    assert p.PROTOCOL_VERSION == 1
