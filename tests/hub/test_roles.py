"""Who may do what: the role × command table, and the scope rules inside a permitted command."""

from __future__ import annotations

import itertools

import pytest
from hubtest import EXAMPLES, ROLE_PRINCIPALS, Server, hello_for

from server import protocol as p
from server.roles import ALLOWED, Role

# Every session role: the demo principals' roles, and `ticket` (the citizen's phone page, whose
# credential is a ticket issued during the test).
ROLES = sorted(r.value for r in Role)
FORBIDDEN_PAIRS = [
    (role, kind)
    for role, kind in itertools.product(ROLES, sorted(p.REQUEST_TYPES - {"hello"}))
    if kind not in ALLOWED[Role(role)]
]


async def hello_of(server: Server, role: str) -> dict:
    """The hello of a session of this role (for `ticket`: a freshly issued ticket's token)."""
    if role == "ticket":
        kiosk = await server.client("KIOSK-2")
        ticket = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(ticket["id"])
        return p.hello_ticket(ticket["token"])
    return hello_for(ROLE_PRINCIPALS[role])


def test_every_role_is_in_the_matrix() -> None:
    """A new role cannot slip past the matrix: every Role has a principal to test it with."""
    assert set(ROLES) == set(ROLE_PRINCIPALS) | {"ticket"}
    assert ALLOWED[Role.TICKET] == frozenset({"ping"})


def test_every_request_type_is_allowed_to_someone() -> None:
    """No request type is dead: each one is in some role's list (hello aside)."""
    allowed = set().union(*ALLOWED.values())
    assert allowed == p.REQUEST_TYPES - {"hello"}
    assert set(EXAMPLES) == p.REQUEST_TYPES - {"hello"}


@pytest.mark.parametrize("role", ROLES)
async def test_every_forbidden_command_of_a_role_is_refused(server: Server, role: str) -> None:
    """Each command a role may not send is answered `forbidden`, and nothing changes."""
    raw = await server.raw(await hello_of(server, role))
    before = server.state_copy()
    kinds = [kind for r, kind in FORBIDDEN_PAIRS if r == role]
    for i, kind in enumerate(kinds):
        reply = await raw.reply({"type": kind, "id": i, **EXAMPLES[kind]})
        assert reply["type"] == "error", (role, kind, reply)
        assert reply["code"] == p.ERR_FORBIDDEN, (role, kind, reply)
        assert reply["message"]
    assert server.state_copy() == before


def test_the_forbidden_matrix_is_not_empty_for_any_role() -> None:
    """Every role has something it may not do (the table is a real restriction)."""
    for role in ROLES:
        assert any(r == role for r, _ in FORBIDDEN_PAIRS), role
    assert len(FORBIDDEN_PAIRS) >= 50


async def test_a_second_hello_is_refused(server: Server) -> None:
    """hello on an authenticated session is `already_authenticated`; the session stays."""
    raw = await server.raw(hello_for("TV-1"))
    reply = await raw.reply({**hello_for("TV-1"), "id": 7})
    assert reply["code"] == p.ERR_ALREADY_AUTHENTICATED
    assert (await raw.reply({"type": "ping", "id": 8}))["type"] == "pong"


async def test_officer_cannot_act_on_another_counter(server: Server) -> None:
    """An officer bound to L01 naming L02 (or L20 of another agency) is refused `forbidden`."""
    officer = await server.raw(hello_for("DKP01@L01"))
    before = server.state_copy()
    for i, counter in enumerate(("L02", "L20")):
        reply = await officer.reply(
            {"type": "open_counter", "id": i, "request_id": f"x{i}", "counter": counter}
        )
        assert reply["code"] == p.ERR_FORBIDDEN
    assert server.state_copy() == before


async def test_officer_cannot_touch_another_agencys_tickets(server: Server) -> None:
    """Calling or reactivating a Samsat ticket from a Dukcapil counter is `forbidden`."""
    samsat = await server.officer_at_work("SMS01@L08")
    kiosk = await server.client("KIOSK-1")
    t = await kiosk.issue_ticket("E")
    await kiosk.confirm_printed(t["id"])
    await samsat.act("call_next")
    await samsat.act("no_show")
    await server.officer_at_work("DKP01@L01")
    dukcapil = await server.raw(hello_for("DKP01@L01"))
    before = server.state_copy()
    for i, kind in enumerate(("call_ticket", "reactivate")):
        msg = {"type": kind, "id": i, "request_id": f"y{i}", "ticket": t["number"]}
        if kind == "call_ticket":
            msg["reason"] = "coba"
        reply = await dukcapil.reply(msg)
        assert reply["code"] == p.ERR_FORBIDDEN, reply
    assert server.state_copy() == before


async def test_officer_must_be_the_one_logged_in(server: Server) -> None:
    """A colleague authenticated at a counter someone else is logged in at cannot act on it."""
    await server.officer_at_work("DKP01@L01")
    colleague = await server.raw(hello_for("DKP02@L01"))
    before = server.state_copy()
    reply = await colleague.reply({"type": "call_next", "id": 1, "request_id": "z1"})
    assert reply["code"] == "counter_occupied"
    reply = await colleague.reply({"type": "login", "id": 2, "request_id": "z2"})
    assert reply["type"] == "error"  # the core refuses a second login at an open counter
    assert server.state_copy() == before


async def test_officer_not_logged_in_cannot_call(server: Server) -> None:
    """Counter actions before `login` are refused with the core's `not_logged_in`."""
    officer = await server.raw(hello_for("DKP01@L01"))
    reply = await officer.reply({"type": "call_next", "id": 1, "request_id": "n1"})
    assert reply["code"] == "not_logged_in"


async def test_kiosk_cannot_confirm_another_kiosks_ticket(server: Server) -> None:
    """A kiosk may confirm, fail or reprint only the tickets it issued."""
    k1 = await server.client("KIOSK-1")
    t = await k1.issue_ticket("A")
    k2 = await server.raw(hello_for("KIOSK-2"))
    before = server.state_copy()
    reply = await k2.reply(
        {"type": "confirm_printed", "id": 1, "request_id": "k", "ticket": t["id"]}
    )
    assert reply["code"] == p.ERR_FORBIDDEN
    reply = await k2.reply(
        {"type": "print_failed", "id": 2, "request_id": "k2", "ticket": t["id"], "reason": "x"}
    )
    assert reply["code"] == p.ERR_FORBIDDEN
    reply = await k2.reply(
        {"type": "record_reprint", "id": 3, "request_id": "k3", "ticket": t["id"]}
    )
    assert reply["code"] == p.ERR_FORBIDDEN
    assert server.state_copy() == before


async def test_unknown_ids_are_not_found(server: Server) -> None:
    """Unknown tickets, lines and counters are `not_found`, and nothing changes."""
    floor = await server.raw(hello_for("LANTAI"))
    kiosk = await server.raw(hello_for("KIOSK-1"))
    before = server.state_copy()
    cases = [
        (floor, {"type": "cancel_ticket", "ticket": "Z-999", "reason": "x"}),
        (floor, {"type": "reactivate", "ticket": "2026-11-23/A-404"}),
        (floor, {"type": "close_counter", "counter": "L99"}),
        (kiosk, {"type": "issue_ticket", "line": "Q"}),
        (kiosk, {"type": "confirm_printed", "ticket": "A-777"}),
    ]
    for i, (raw, msg) in enumerate(cases):
        reply = await raw.reply({**msg, "id": i, "request_id": f"nf{i}"})
        assert reply["code"] == p.ERR_NOT_FOUND, (msg, reply)
    assert server.state_copy() == before


async def test_manager_close_counter_needs_a_counter(server: Server) -> None:
    """A manager's close_counter without `counter` is a bad message (officers may omit it)."""
    floor = await server.raw(hello_for("LANTAI"))
    reply = await floor.reply({"type": "close_counter", "id": 1, "request_id": "c"})
    assert reply["code"] == p.ERR_BAD_MESSAGE
