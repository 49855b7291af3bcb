"""The second building, live: a real server in WITA with part-week agencies and one desk that
is the KUA's on Tuesdays and the religious court's on Thursdays (docs/examples/).

What officers, kiosks and TVs are told comes over real websockets; the voice's words over real
HTTP from /audio/call. Expected texts are written out by hand from docs/configuration.md.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import Any

import pytest
from hubtest import FakeClock, Server, StartServer
from kabupaten import THU, TUE, WED, at, client, credentials, hello, start_kabupaten

from server.client import RequestError
from server.core.building import VoiceConfig
from server.core.model import Tick
from server.web.voice import chime_wav

WRONG_DAY = "Hari ini Loket 7 dipakai KUA; Pengadilan Agama memakainya pada hari Kamis"
NOBODYS_DAY = (
    "Loket 7 tidak dipakai hari ini; loket ini dipakai KUA pada hari Selasa dan "
    "Pengadilan Agama pada hari Kamis"
)


async def refused(server: Server, who: str) -> dict[str, Any]:
    """The error a hello gets, after which the server closes with 4001."""
    raw = await server.raw()
    await raw.send({**hello(who), "id": "h"})
    error = await raw.recv()
    assert await raw.closed() == 4001
    return error


async def next_day(server: Server, clock: FakeClock, day_at: Any) -> None:
    """Move the clock and let the ticker close the old day, as at midnight."""
    clock.now = day_at
    await server.hub.execute(Tick(), "system")


async def test_only_the_days_agency_logs_in_at_the_shared_desk(
    start_server: StartServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tuesday the KUA officer is welcome at Loket 7 and the court's is refused, saying when
    the desk is theirs; Wednesday the desk is nobody's; Thursday it is the court's."""
    clock.now = at(TUE, "08:00")
    server = await start_kabupaten(start_server, monkeypatch)
    error = await refused(server, "PA01@L07")
    assert (error["code"], error["message"]) == ("forbidden", WRONG_DAY)
    await server.raw(hello("KUA01@L07"))  # welcome and synced
    clock.now = at(WED, "08:00")
    error = await refused(server, "KUA01@L07")
    assert (error["code"], error["message"]) == ("forbidden", NOBODYS_DAY)
    clock.now = at(THU, "08:00")
    await server.raw(hello("PA01@L07"))
    error = await refused(server, "KUA01@L07")
    assert error["message"] == (
        "Hari ini Loket 7 dipakai Pengadilan Agama; KUA memakainya pada hari Selasa"
    )


async def test_a_session_from_tuesday_may_not_log_in_again_on_thursday(
    start_server: StartServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The KUA officer's console left open from Tuesday: Thursday's login is refused."""
    clock.now = at(TUE, "08:00")
    server = await start_kabupaten(start_server, monkeypatch)
    kua = await client(server, "KUA01@L07")
    await kua.act("login")
    await next_day(server, clock, at(THU, "08:00"))  # the day's close logs everyone out
    with pytest.raises(RequestError) as caught:
        await kua.act("login")
    assert (caught.value.code, caught.value.message) == (
        "desk_other_day",
        "Hari ini Loket 7 dipakai Pengadilan Agama; KUA memakainya pada hari Selasa",
    )
    assert server.engine.state.counters["L07"].officer is None


class _Voice:
    """Stands in for espeak-ng: remembers the words it was asked to say."""

    def __init__(self) -> None:
        self.said: list[str] = []

    async def render(self, text: str, settings: VoiceConfig) -> bytes:
        self.said.append(text)
        return chime_wav()


async def _audio(server: Server, number: str, counter: str) -> int:
    """GET /audio/call as the TV does, with its device token; the HTTP status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.running.port)
    query = urllib.parse.urlencode({"number": number, "counter": counter})
    token = credentials()["TV-1"]
    request = f"GET /audio/call?{query} HTTP/1.1\r\nHost: antre\r\nX-Antre-Token: {token}\r\n\r\n"
    writer.write(request.encode())
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return int(raw.split(b" ", 2)[1])


async def _pushed(c: Any, kind: str) -> dict[str, Any]:
    """The next event of this kind pushed to a client."""
    async with asyncio.timeout(10):
        while True:
            msg = await c.next_message("event")
            if msg["event"]["kind"] == kind:
                return msg["event"]


async def test_the_shared_desk_is_called_and_spoken_as_one_desk(
    start_server: StartServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tuesday K-001 and Thursday P-001 are both called at Loket 7, number 7: the TV lists one
    such desk (the KUA's on Tuesday, the court's on Thursday), the kiosk refuses the other
    agency's line with its day, and the voice says "loket tujuh" with the day's agency."""
    clock.now = at(TUE, "09:00")
    server = await start_kabupaten(start_server, monkeypatch)
    voice = _Voice()
    monkeypatch.setattr(server.running.web.tv, "renderer", voice)
    kiosk = await client(server, "KIOSK-1")
    tv = await client(server, "TV-1")

    desks = [c for c in (await tv.snapshot())["building"]["counters"] if c["number"] == 7]
    assert [(d["id"], d["name"], d["agency"], d["serves"]) for d in desks] == [
        ("L07", "Loket 7", "KUA", ["K"])
    ]
    lines = {v["prefix"]: v for v in await kiosk.list_lines()}
    assert (lines["P"]["refusal_code"], lines["P"]["refusal_message"]) == (
        "service_off_day",
        "Hari ini tidak melayani — buka Kamis",
    )
    with pytest.raises(RequestError) as caught:
        await kiosk.issue_ticket("P")
    assert caught.value.code == "service_off_day"

    days = ((TUE, "K", "KUA01", "KUA"), (THU, "P", "PA01", "Pengadilan Agama"))
    for day, line, officer, agency_name in days:
        if day == THU:
            await next_day(server, clock, at(THU, "09:00"))
            desks = [c for c in (await tv.snapshot())["building"]["counters"] if c["number"] == 7]
            assert [(d["id"], d["agency"], d["serves"]) for d in desks] == [("L07", "PA", ["P"])]
        ticket = await kiosk.issue_ticket(line)
        await kiosk.confirm_printed(ticket["id"])
        desk = await client(server, f"{officer}@L07")
        await desk.act("login")
        await desk.act("open_counter")
        # The desk's events reach the audience of the day's agency (the officer's own).
        opened = await _pushed(desk, "counter_opened")
        assert opened["counter"] == "L07"
        mine = (await desk.snapshot())["counters"]
        assert [(c["id"], c["state"], c["officer"]) for c in mine] == [("L07", "open", officer)]
        reply = await desk.act("call_next")
        assert (reply["ticket"]["number"], reply["ticket"]["counter"]) == (f"{line}-001", "L07")
        called = await _pushed(tv, "ticket_called")
        assert (called["number"], called["counter"]) == (f"{line}-001", "L07")
        assert await _audio(server, called["number"], called["counter"]) == 200
        assert voice.said[-1] == (
            f"Nomor antrean {line} nol nol satu, silakan menuju loket tujuh, {agency_name}"
        )
        await desk.act("start_service")
        await desk.act("finish_service")
        await desk.act("logout")
