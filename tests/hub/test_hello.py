"""The first frame: hello, versions, credentials, lockout, timeouts and replaced sessions."""

from __future__ import annotations

import pytest
from hubtest import Server, demo_credentials, hello_for

from server import protocol as p
from server.client import AntreClient, HelloRefused
from server.roles import LockoutPolicy


# The codes are typed from docs/protocol.md's Errors and Close codes tables, not taken from
# server.protocol: a renamed or swapped code must fail here.
@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_json"),
        ('{"type": "ping", "id": 1}', "hello_required"),
        ('{"type": "hello", "role": "kiosk"}', "bad_message"),
        ('{"type": "hello", "version": 1, "role": "wizard"}', "bad_message"),
        (
            '{"type": "hello", "version": 1, "role": "officer", "officer": "DKP01"}',
            "bad_message",
        ),
        ('{"type": "nonsense"}', "unknown_type"),
        ("[1, 2, 3]", "bad_message"),
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
    assert await raw.closed() == 4003


async def test_an_unsupported_version_is_refused_with_4002(server: Server) -> None:
    """A client speaking protocol version 99 is told which versions the server speaks, then 4002."""
    raw = await server.raw()
    await raw.send({**hello_for("TV-1"), "version": 99, "id": "h"})
    error = await raw.recv()
    assert error["code"] == "unsupported_version" and error["ref"] == "h"
    assert error["supported"] == [p.PROTOCOL_VERSION]
    assert await raw.closed() == 4002


@pytest.mark.parametrize(
    ("hello", "code"),
    [
        (p.hello_kiosk("wrong-token"), "auth_failed"),  # unknown device token
        (p.hello_display(demo_credentials()["KIOSK-1"]), "auth_failed"),  # a kiosk's token
        (p.hello_kiosk(demo_credentials()["TV-1"]), "auth_failed"),  # a TV's token
        (p.hello_officer("L01", "DKP01", "000000"), "auth_failed"),  # wrong PIN
        (p.hello_officer("L01", "NOBODY", "123456"), "auth_failed"),  # unknown id
        (p.hello_officer("L99", "DKP01", demo_credentials()["DKP01"]), "auth_failed"),  # counter
        # An officer at another agency's counter (Samsat's L08): known, right PIN, not here.
        (p.hello_officer("L08", "DKP01", demo_credentials()["DKP01"]), "forbidden"),
        (p.hello_manager("LANTAI", "000000"), "auth_failed"),  # wrong PIN
        (p.hello_manager("NOBODY", "123456"), "auth_failed"),  # unknown id
        (p.hello_ticket("Fwl6noCLF-rEgp4iVfFVXA"), "auth_failed"),  # no such ticket today
        (p.hello_ticket("not a token!"), "auth_failed"),  # malformed
        (p.hello_ticket(demo_credentials()["TV-1"]), "auth_failed"),  # a device token
    ],
)
async def test_bad_credentials_are_refused_with_4001(
    server: Server, hello: dict, code: str
) -> None:
    """Each refused hello gets the one code docs/protocol.md names for it, then close 4001."""
    raw = await server.raw()
    await raw.send({**hello, "id": "h"})
    error = await raw.recv()
    assert error["type"] == "error" and error["ref"] == "h"
    assert error["code"] == code, error
    assert error["message"]
    assert await raw.closed() == 4001


async def test_no_hello_in_time_closes_with_4003(start_server) -> None:
    """A connection that says nothing is told so and closed with 4003."""
    server = await start_server(hello_timeout_s=0.2)
    raw = await server.raw()
    error = await raw.recv()
    assert error["code"] == "hello_required"
    assert await raw.closed() == 4003


async def test_repeated_wrong_pins_lock_the_account(start_server) -> None:
    """After 3 wrong PINs from one device the officer is locked there, even with the right PIN,
    and told when to retry."""
    server = await start_server(lockout=LockoutPolicy(free_failures=3, first_wait_s=300))
    codes = []
    for _ in range(3):
        raw = await server.raw()
        await raw.send({**p.hello_officer("L01", "DKP01", "999999"), "id": "h"})
        codes.append((await raw.recv())["code"])
    assert codes == ["auth_failed", "auth_failed", "locked"]
    raw = await server.raw()
    await raw.send({**hello_for("DKP01@L01"), "id": "h"})
    locked = await raw.recv()
    assert locked["code"] == "locked"
    assert 0 < locked["retry_after_s"] <= 300
    assert "09.05 WIB" in locked["message"]  # the fake clock says 09.00
    assert await raw.closed() == 4001
    # A colleague is not affected.
    await server.raw(hello_for("DKP02@L02"))


async def test_the_client_stops_for_good_when_refused(server: Server) -> None:
    """AntreClient.connect raises HelloRefused for bad credentials instead of retrying forever."""
    client = AntreClient(server.url, p.hello_kiosk("wrong"), heartbeat_s=None)
    server.clients.append(client)
    with pytest.raises(HelloRefused) as refused:
        await client.connect(timeout=10)
    assert refused.value.code == "auth_failed"
    assert refused.value.close_code == 4001


async def test_a_second_session_of_one_kiosk_replaces_the_first(server: Server) -> None:
    """A kiosk reconnecting while its old connection lingers takes over; the old gets 4009."""
    old = await server.raw(hello_for("KIOSK-1"))
    await server.raw(hello_for("KIOSK-1"))
    assert await old.closed() == 4009
