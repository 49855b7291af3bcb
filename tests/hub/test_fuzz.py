"""Hostile frames from every role never crash the server and never change the queue."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hubtest import EXAMPLES, ROLE_PRINCIPALS, Raw, Server, hello_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import protocol as p
from server.roles import ALLOWED, Role

# Any JSON value, kept small: size limits have their own test.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    sorted({name for spec in p.REQUESTS.values() for name in spec} | {"id", "type"})
)
type_names = st.sampled_from(sorted(p.REQUEST_TYPES)) | st.text(max_size=20)

# What each role may receive while it sends hostile frames: the answers, and the derived pushes
# of its role (officers their counter's next numbers, managers device presence).
_ANSWERS = ("error", "ok", "pong", "snapshot", "lines")
ALLOWED_PUSHES = {
    "kiosk": _ANSWERS,
    "display": _ANSWERS,
    "officer": (*_ANSWERS, "next"),
    "floor": (*_ANSWERS, "presence"),
    "admin": (*_ANSWERS, "presence"),
    "tablet": _ANSWERS,  # (a survey_offer only when a service finishes at its counter)
}


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A request of a known type with one or more fields broken, dropped or added."""
    kind = draw(st.sampled_from(sorted(EXAMPLES)))
    msg: dict[str, Any] = {"type": kind, **EXAMPLES[kind]}
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        action = draw(st.sampled_from(["drop", "retype", "add", "type"]))
        name = draw(field_names)
        if action == "drop":
            msg.pop(name, None)
        elif action == "retype":
            msg[name] = draw(json_values)
        elif action == "add":
            msg[draw(st.text(max_size=12))] = draw(json_values)
        else:
            msg["type"] = draw(type_names)
    return msg


def unknown_ids(server: Server) -> st.SearchStrategy[dict[str, Any]]:
    """Well-formed mutating requests naming a ticket, line or counter that does not exist."""
    state = server.engine.state
    numbers = {t.number for t in state.tickets.values()}
    ticket = st.text(min_size=1, max_size=20).filter(
        lambda s: s not in state.tickets and s not in numbers
    )
    line = st.text(min_size=1, max_size=8).filter(lambda s: server.hub.building.line(s) is None)
    counter = st.text(min_size=1, max_size=8).filter(
        lambda s: server.hub.building.counter(s) is None
    )
    cases = []
    for kind, spec in sorted(p.REQUESTS.items()):
        if kind not in p.MUTATING_TYPES:
            continue
        if "ticket" in spec:
            cases.append(st.fixed_dictionaries({"type": st.just(kind), "ticket": ticket}))
        if kind in ("issue_ticket", "transfer"):
            cases.append(st.fixed_dictionaries({"type": st.just(kind), "line": line}))
        if "counter" in spec:
            # For an officer any counter but its own is refused; for a manager an unknown one.
            other = counter | st.sampled_from(["L02", "L08", "L31"])
            cases.append(st.fixed_dictionaries({"type": st.just(kind), "counter": other}))
    return st.one_of(cases).map(lambda m: {**EXAMPLES[m["type"]], **m})


def could_change_state(role: str, msg: Any) -> bool:
    """True for a well-formed, permitted, mutating request: not a hostile frame."""
    try:
        kind = p.validate(msg)
    except p.ProtocolError:
        return False
    return kind != "hello" and kind in ALLOWED[Role(role)] and kind in p.MUTATING_TYPES


async def seed(server: Server) -> None:
    """Some tickets and an officer at work, so that real ids exist around the hostile ones."""
    officer = await server.officer_at_work("DKP01@L01")
    kiosk = await server.client("KIOSK-1")
    for _ in range(3):
        t = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(t["id"])
    await officer.act("call_next")


@pytest.mark.parametrize("role", sorted(ROLE_PRINCIPALS))
@settings(
    max_examples=150,
    deadline=None,
    # One server for all examples of a role, on purpose: state must survive all of them.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_hostile_frames_never_crash_or_change_state(
    server: Server, role: str, data: st.DataObject, caplog: pytest.LogCaptureFixture
) -> None:
    """Garbage, broken requests, forbidden commands and unknown ids: an error each, no change."""
    if not hasattr(server, "fuzz"):
        await seed(server)
        server.fuzz = {"before": server.state_copy(), "raw": None, "n": 0}  # type: ignore[attr-defined]
    fuzz = server.fuzz  # type: ignore[attr-defined]
    if fuzz["raw"] is None or fuzz["raw"].ws.close_code is not None:
        fuzz["raw"] = await server.raw(hello_for(ROLE_PRINCIPALS[role]))
    raw: Raw = fuzz["raw"]

    frame = data.draw(
        st.one_of(
            st.text(max_size=200),
            st.binary(max_size=64),
            json_values.map(json.dumps),
            mutated().filter(lambda m: not could_change_state(role, m)).map(json.dumps),
            unknown_ids(server).map(json.dumps),
            st.sampled_from([hello_for(ROLE_PRINCIPALS[role])]).map(json.dumps),
        ),
        label="frame",
    )
    fuzz["n"] += 1
    marker = f"alive-{fuzz['n']}"
    await raw.send(frame)
    # A ping right behind it: requests are handled in order, so its pong proves the hostile
    # frame was answered and the server is alive.
    await raw.send({"type": "ping", "id": marker})
    seen = []
    while True:
        msg = await raw.recv()
        if msg.get("type") == "pong" and msg.get("ref") == marker:
            break
        seen.append(msg)
    assert [m for m in seen if m["type"] not in ("lines", "next", "presence")], (
        "the hostile frame got no answer"
    )
    for msg in seen:
        assert msg["type"] in ALLOWED_PUSHES[role], msg
        if msg["type"] == "error":
            assert isinstance(msg["code"], str) and msg["message"]
            assert msg["code"] != p.ERR_INTERNAL, msg
    crashes = [r for r in caplog.records if r.name.startswith("antre") and r.levelno >= 40]
    assert not crashes, crashes[0].getMessage()
    last_seq, state = fuzz["before"]
    assert server.engine.last_seq == last_seq
    assert server.engine.state == state


def test_the_fuzz_filter_keeps_real_commands_out() -> None:
    """The harmlessness filter recognises a permitted mutating request (and only that)."""
    msg = {"type": "call_next", "request_id": "r"}
    assert could_change_state("officer", msg)
    assert not could_change_state("kiosk", msg)
    assert not could_change_state("officer", {**msg, "request_id": 5})
    assert not could_change_state("officer", {"type": "ping"})
    assert copy.deepcopy(msg) == msg
