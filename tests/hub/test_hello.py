"""The first frame: hello, versions, credentials, lockout, timeouts and replaced sessions."""

from __future__ import annotations

import pytest
from hubtest import Server, demo_credentials, hello_for

from server import protocol as p
from server.client import AntreClient, HelloRefused
from server.roles import LockoutPolicy


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", p.ERR_BAD_JSON),
        ('{"type": "ping", "id": 1}', p.ERR_HELLO_REQUIRED),
        ('{"type": "hello", "role": "kiosk"}', p.ERR_BAD_MESSAGE),
        ('{"type": "hello", "version": 1, "role": "wizard"}', p.ERR_BAD_MESSAGE),
        (
            '{"type": "hello", "version": 1, "role": "officer", "officer": "DKP01"}',
            p.ERR_BAD_MESSAGE,
        ),
        ('{"type": "nonsense"}', p.ERR_UNKNOWN_TYPE),
        ("[1, 2, 3]", p.ERR_BAD_MESSAGE),
    ],
)
async def test_a_bad_first_frame_is_refused_with_4003(
    server: Server, frame: str, code: str
) -> None:
    """A first frame that is not a well-formed hello gets an error with a code, then close 4003."""
    raw = await server.raw()
    await raw.send(frame)
    error = await raw.recv()
    assert error["type"] == "error" and error["code"] == code, error
    assert await raw.closed() == p.CLOSE_HELLO_REQUIRED


async def test_an_unsupported_version_is_refused_with_4002(server: Server) -> None:
    """A client speaking protocol version 99 is told which versions the server speaks, then 4002."""
    raw = await server.raw()
    await raw.send({**hello_for("TV-1"), "version": 99, "id": "h"})
    error = await raw.recv()
    assert error["code"] == p.ERR_UNSUPPORTED_VERSION and error["ref"] == "h"
    assert error["supported"] == [p.PROTOCOL_VERSION]
    assert await raw.closed() == p.CLOSE_UNSUPPORTED_VERSION


@pytest.mark.parametrize(
    "hello",
    [
        p.hello_kiosk("wrong-token"),
        p.hello_display(demo_credentials()["KIOSK-1"]),  # a kiosk's token on a TV
        p.hello_officer("L01", "DKP01", "000000"),
        p.hello_officer("L01", "NOBODY", "123456"),
        p.hello_officer("L99", "DKP01", demo_credentials()["DKP01"]),
        p.hello_officer("L08", "DKP01", demo_credentials()["DKP01"]),  # Samsat's counter
        p.hello_manager("LANTAI", "000000"),
    ],
)
async def test_bad_credentials_are_refused_with_4001(server: Server, hello: dict) -> None:
    """Wrong tokens, wrong PINs, unknown ids and another agency's counter: an error, then 4001."""
    raw = await server.raw()
    await raw.send({**hello, "id": "h"})
    error = await raw.recv()
    assert error["type"] == "error"
    assert error["code"] in (p.ERR_AUTH_FAILED, p.ERR_FORBIDDEN)
    assert await raw.closed() == p.CLOSE_AUTH_FAILED


async def test_no_hello_in_time_closes_with_4003(start_server) -> None:
    """A connection that says nothing is told so and closed with 4003."""
    server = await start_server(hello_timeout_s=0.2)
    raw = await server.raw()
    error = await raw.recv()
    assert error["code"] == p.ERR_HELLO_REQUIRED
    assert await raw.closed() == p.CLOSE_HELLO_REQUIRED


async def test_repeated_wrong_pins_lock_the_account(start_server) -> None:
    """After 3 wrong PINs the officer is locked, even with the right PIN, and told when to retry."""
    server = await start_server(lockout=LockoutPolicy(max_failures=3, lockout_s=300))
    codes = []
    for _ in range(3):
        raw = await server.raw()
        await raw.send({**p.hello_officer("L01", "DKP01", "999999"), "id": "h"})
        codes.append((await raw.recv())["code"])
    assert codes == [p.ERR_AUTH_FAILED, p.ERR_AUTH_FAILED, p.ERR_LOCKED]
    raw = await server.raw()
    await raw.send({**hello_for("DKP01@L01"), "id": "h"})
    locked = await raw.recv()
    assert locked["code"] == p.ERR_LOCKED
    assert 0 < locked["retry_after_s"] <= 300
    assert "09.05 WIB" in locked["message"]  # the fake clock says 09.00
    assert await raw.closed() == p.CLOSE_AUTH_FAILED
    # A colleague is not affected.
    await server.raw(hello_for("DKP02@L02"))


async def test_the_client_stops_for_good_when_refused(server: Server) -> None:
    """AntreClient.connect raises HelloRefused for bad credentials instead of retrying forever."""
    client = AntreClient(server.url, p.hello_kiosk("wrong"), heartbeat_s=None)
    server.clients.append(client)
    with pytest.raises(HelloRefused) as refused:
        await client.connect(timeout=10)
    assert refused.value.code == p.ERR_AUTH_FAILED
    assert refused.value.close_code == p.CLOSE_AUTH_FAILED


async def test_a_second_session_of_one_kiosk_replaces_the_first(server: Server) -> None:
    """A kiosk reconnecting while its old connection lingers takes over; the old gets 4009."""
    old = await server.raw(hello_for("KIOSK-1"))
    await server.raw(hello_for("KIOSK-1"))
    assert await old.closed() == p.CLOSE_REPLACED
