"""A visit's hand-on in a TV's snapshot (issue 22, docs/protocol.md "calls"): a TV that reloads
keeps "B-001 → J-001" among the earlier calls, as its own list made it from the event — and only
a TV of a zone the citizen leaves or goes to has it.

The demo building: B (Kartu Keluarga) is served at Loket 4 and J (BPJS Kesehatan) at Loket 14,
both on Lantai 1 (TV-1); Lantai 2's TV-2 shows neither.
"""

from __future__ import annotations

from hubtest import Server, hello_for
from visit_kit import start_visit


async def test_a_hand_on_is_among_the_calls_of_the_zones_tv_and_no_other(server: Server) -> None:
    visit = await start_visit(server, ("B", "J"))
    dukcapil = await server.officer_at_work("DKP01@L04")
    server.clock.advance(5)  # 09:00:05 the call
    assert (await dukcapil.act("call_next"))["ticket"]["number"] == visit.number == "B-001"
    await dukcapil.act("start_service")
    server.clock.advance(600)  # 09:10:05 the finish and the hand-on
    await dukcapil.act("finish_service")

    lantai1 = await server.raw(hello_for("TV-1"))
    calls = (await lantai1.reply({"type": "snapshot", "id": "s1"}))["calls"]
    assert [(c["number"], c.get("from_number"), c["counter"], c["at"]) for c in calls] == [
        ("J-001", "B-001", "L04", "2026-11-23T09:10:05+07:00"),  # the hand-on, newest
        ("B-001", None, "L04", "2026-11-23T09:00:05+07:00"),  # the call before it
    ]
    assert (calls[0]["line"], calls[0]["from_line"]) == ("J", "B")

    lantai2 = await server.raw(hello_for("TV-2"))
    assert (await lantai2.reply({"type": "snapshot", "id": "s2"}))["calls"] == []
