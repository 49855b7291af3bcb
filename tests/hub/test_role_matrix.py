"""Who may send what, written out by hand: the table of docs/protocol.md against the code and wire.

The expectation here is `MATRIX`, typed from docs/protocol.md ("Who may send what") and the
product's intent — never built from `server.roles.ALLOWED`, which is what it checks. Three sources
must agree: this table, the doc's table (parsed), and `ALLOWED`; and a real server must refuse
every forbidden pair with `forbidden` and a change of nothing, and refuse no allowed pair so.
(tests/hub/test_roles.py derives its pairs from `ALLOWED` for coverage; this test stands beside.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hubtest import Server, hello_for

from server import protocol as p
from server.roles import ALLOWED, Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"

ROLES = ("kiosk", "display", "officer", "floor", "admin", "ticket", "tablet")

# x: the role may send the request type. Scope rules inside a permitted type (own counter, own
# agency, own kiosk's tickets) are the doc's footnotes and other tests' business.
_TABLE = """
request          kiosk  display  officer  floor  admin  ticket  tablet
ping               x       x        x       x      x      x      x
snapshot           x       x        x       x      x      .      x
list_lines         x       .        x       x      x      .      .
issue_ticket       x       .        .       .      .      .      .
confirm_printed    x       .        .       .      .      .      .
print_failed       x       .        .       .      .      .      .
record_reprint     x       .        .       .      .      .      .
printer_status     x       .        .       .      .      .      .
check_in           x       .        .       .      .      .      .
plan_visit         x       .        .       .      .      .      .
issue_visit        x       .        .       .      .      .      .
login              .       .        x       .      .      .      .
logout             .       .        x       .      .      .      .
open_counter       .       .        x       .      .      .      .
pause_counter      .       .        x       .      .      .      .
resume_counter     .       .        x       .      .      .      .
call_next          .       .        x       .      .      .      .
call_ticket        .       .        x       .      .      .      .
recall             .       .        x       .      .      .      .
start_service      .       .        x       .      .      .      .
finish_service     .       .        x       .      .      .      .
no_show            .       .        x       .      .      .      .
transfer           .       .        x       .      .      .      .
booking_holder     .       .        x       .      .      .      .
add_stop           .       .        x       .      .      .      .
skip_stop          .       .        x       x      x      .      .
visit              .       .        x       x      x      .      .
close_counter      .       .        x       x      x      .      .
request_closure    .       .        x       .      .      .      .
withdraw_closure   .       .        x       .      .      .      .
decide_closure     .       .        .       x      x      .      .
reactivate         .       .        x       x      x      .      .
cancel_ticket      .       .        .       x      x      .      .
unlock_pin         .       .        .       x      x      .      .
answer_survey      .       .        .       .      .      .      x
take_complaint     .       .        .       x      x      .      .
answer_complaint   .       .        .       x      x      .      .
close_complaint    .       .        .       x      x      .      .
complaint_contact  .       .        .       x      x      .      .
file_complaint     .       .        x       x      x      .      .
admin_state        .       .        .       x      x      .      .
admin_edit         .       .        .       x      x      .      .
admin_undo         .       .        .       x      x      .      .
admin_history      .       .        .       x      x      .      .
admin_reset_pin    .       .        .       .      x      .      .
admin_new_device   .       .        .       .      x      .      .
admin_new_token    .       .        .       .      x      .      .
"""


def _parse_hand_table() -> dict[str, frozenset[str]]:
    rows = [line.split() for line in _TABLE.strip().splitlines()]
    header, body = rows[0], rows[1:]
    assert tuple(header[1:]) == ROLES
    allowed: dict[str, set[str]] = {role: set() for role in ROLES}
    for kind, *marks in body:
        assert len(marks) == len(ROLES), kind
        for role, mark in zip(ROLES, marks, strict=True):
            assert mark in ("x", "."), (kind, role, mark)
            if mark == "x":
                allowed[role].add(kind)
    return {role: frozenset(kinds) for role, kinds in allowed.items()}


MATRIX = _parse_hand_table()
REQUEST_KINDS = tuple(line.split()[0] for line in _TABLE.strip().splitlines()[1:])


def _parse_doc_table() -> dict[str, frozenset[str]]:
    """The "Who may send what" table of docs/protocol.md: role -> request types with a ✓."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Who may send what", 1)[1]
    lines = [ln for ln in section.splitlines() if ln.strip()]
    table = []
    for ln in lines:
        if not ln.startswith("|"):
            if table:
                break
            continue
        table.append([cell.strip() for cell in ln.strip().strip("|").split("|")])
    header, _rule, *body = table
    roles = header[1:]
    allowed: dict[str, set[str]] = {role: set() for role in roles}
    for cells in body:
        kinds = re.findall(r"`([a-z_]+)`", cells[0])
        assert kinds, cells
        for role, cell in zip(roles, cells[1:], strict=True):
            if "✓" in cell:
                allowed[role].update(kinds)
            else:
                assert cell == "", (kinds, role, cell)
    return {role: frozenset(kinds) for role, kinds in allowed.items()}


def test_the_hand_table_names_every_request_type_once() -> None:
    """Each request type of the protocol (hello aside) has exactly one row, each role a column."""
    assert len(REQUEST_KINDS) == len(set(REQUEST_KINDS))
    assert set(REQUEST_KINDS) == p.REQUEST_TYPES - {"hello"}
    assert set(ROLES) == {role.value for role in Role}


def test_the_doc_table_is_the_hand_table() -> None:
    """docs/protocol.md's "Who may send what" says what this file's table says."""
    assert _parse_doc_table() == MATRIX


@pytest.mark.parametrize("role", ROLES)
def test_the_code_table_is_the_hand_table(role: str) -> None:
    """`server.roles.ALLOWED` grants each role exactly what the table grants it."""
    granted = ALLOWED[Role(role)]
    assert sorted(granted - MATRIX[role]) == [], f"{role} may send more than the protocol says"
    assert sorted(MATRIX[role] - granted) == [], f"{role} may send less than the protocol says"


# Well-formed requests aimed at the seeded state below, so that each one, if it were let through,
# would change something a citizen would notice (a ticket cancelled, printed, called, a counter
# closed).
REQUESTS: dict[str, dict[str, Any]] = {
    "ping": {},
    "snapshot": {},
    "list_lines": {},
    "issue_ticket": {"request_id": "m-issue", "line": "A", "priority": None},
    "confirm_printed": {"request_id": "m-conf", "ticket": "A-001"},
    "print_failed": {"request_id": "m-fail", "ticket": "A-001", "reason": "paper_out"},
    "record_reprint": {"request_id": "m-reprint", "ticket": "A-003"},
    "printer_status": {"status": "paper_out"},
    "check_in": {"request_id": "m-checkin", "code": "K7QM-4TXA"},
    # One visit, several agencies (issue 22).
    "plan_visit": {"lines": ["B", "J"]},
    "issue_visit": {"request_id": "m-visit", "lines": ["B", "J"]},
    "add_stop": {"request_id": "m-addstop", "line": "E"},
    "skip_stop": {"request_id": "m-skipstop", "line": "E", "reason": "sudah tidak perlu"},
    "visit": {"ticket": "A-003"},
    "login": {"request_id": "m-login"},
    "logout": {"request_id": "m-logout"},
    "open_counter": {"request_id": "m-open"},
    "pause_counter": {"request_id": "m-pause", "reason": "istirahat"},
    "resume_counter": {"request_id": "m-resume"},
    "call_next": {"request_id": "m-next"},
    "call_ticket": {"request_id": "m-callt", "ticket": "A-003", "reason": "berkas susulan"},
    "recall": {"request_id": "m-recall"},
    "start_service": {"request_id": "m-start"},
    "finish_service": {"request_id": "m-finish"},
    "no_show": {"request_id": "m-noshow"},
    "transfer": {"request_id": "m-transfer", "line": "E"},
    "close_counter": {"request_id": "m-close", "counter": "L02"},
    # Counter-closure requests (issue 23).
    "request_closure": {"request_id": "m-reqclose", "reason": "Gangguan sistem instansi"},
    "withdraw_closure": {"request_id": "m-withdraw"},
    "decide_closure": {"request_id": "m-decide", "counter": "L02", "approve": True},
    "reactivate": {"request_id": "m-react", "ticket": "A-002"},
    "booking_holder": {"ticket": "A-003"},
    "cancel_ticket": {"request_id": "m-cancel", "ticket": "A-003", "reason": "permintaan warga"},
    "unlock_pin": {"person": "DKP01"},
    # The citizen's voice (issue 20): an answer for A-003 (a tablet is refused unless offered),
    # a complaint about it, its steps.
    "answer_survey": {"request_id": "m-answer", "ticket": "A-003", "scores": [4] * 9},
    "take_complaint": {"request_id": "m-take", "complaint": "ADU-261123-001"},
    "answer_complaint": {
        "request_id": "m-answerc",
        "complaint": "ADU-261123-001",
        "answer": "Loket ditambah.",
    },
    "close_complaint": {"request_id": "m-closec", "complaint": "ADU-261123-001", "note": "ok"},
    "complaint_contact": {"complaint": "ADU-261123-001"},
    "file_complaint": {
        "request_id": "m-file",
        "category": "waktu",
        "text": "Menunggu lama.",
        "number": "A-003",
    },
    # Live administration (issue 23): each refused for what it says (stale, not found, exists),
    # so that the building stays the demo's for the requests after it.
    "admin_state": {},
    "admin_edit": {
        "request_id": "m-edit",
        "target": "running_text",
        "before": "…",
        "after": "Selamat datang.",
        "version": 0,
    },
    "admin_undo": {"request_id": "m-undo", "version": 99},
    "admin_history": {},
    "admin_reset_pin": {"request_id": "m-pin", "officer": "NOBODY"},
    "admin_new_device": {"request_id": "m-dev", "kind": "kiosk", "device": "KIOSK-1"},
    "admin_new_token": {"request_id": "m-tok", "device": "NOBODY"},
}

# The session of each role under test (for `ticket`: A-003's phone page).
PRINCIPALS = {
    "kiosk": "KIOSK-1",
    "display": "TV-1",
    "officer": "DKP01@L01",
    "floor": "LANTAI",
    "admin": "ADMIN",
    "tablet": "TABLET-L01",
}


async def _seed(server: Server) -> str:
    """A-001 printing (KIOSK-1), A-002 a no-show, A-003 waiting, L02 open with DKP02 at it.

    Returns A-003's public token (the phone page's credential).
    """
    kiosk = await server.client("KIOSK-1")
    await kiosk.issue_ticket("A")  # A-001 stays in the printer
    for _ in range(2):
        t = await kiosk.issue_ticket("A")
        await kiosk.confirm_printed(t["id"])
        if t["number"] == "A-002":
            colleague = await server.officer_at_work("DKP02@L02")
            await colleague.act("call_next")
            await colleague.act("no_show")
    states = {x.number: x.state.value for x in server.engine.state.tickets.values()}
    assert states == {"A-001": "printing", "A-002": "no_show", "A-003": "waiting"}
    return t["token"]


@pytest.mark.parametrize("role", ROLES)
async def test_the_wire_follows_the_hand_table(server: Server, role: str) -> None:
    """Every forbidden pair is `forbidden` and changes nothing; no allowed pair is `forbidden`."""
    token = await _seed(server)
    hello = p.hello_ticket(token) if role == "ticket" else hello_for(PRINCIPALS[role])
    raw = await server.raw(hello)
    assert raw.welcome is not None and raw.welcome["role"] == role

    before = server.state_copy()
    forbidden = [kind for kind in REQUEST_KINDS if kind not in MATRIX[role]]
    for i, kind in enumerate(forbidden):
        # Refused on its type alone, before its fields are looked at (so a bare one too).
        for j, msg in enumerate(({"type": kind}, {"type": kind, **REQUESTS[kind]})):
            reply = await raw.reply({**msg, "id": f"f{i}.{j}"})
            assert (reply["type"], reply.get("code")) == ("error", "forbidden"), (role, kind)
            assert reply["message"]
    assert server.state_copy() == before, f"a forbidden request of {role} changed the queue"
    assert raw.ws.close_code is None, "a forbidden request keeps the session"

    for i, kind in enumerate(kind for kind in REQUEST_KINDS if kind in MATRIX[role]):
        msg = {"type": kind, **REQUESTS[kind], "id": f"a{i}"}
        if role == "officer" and "counter" in msg:
            msg["counter"] = "L01"  # an officer names its own counter (another is a scope refusal)
        reply = await raw.reply(msg)
        assert reply["type"] in ("ok", "error", "pong", "snapshot"), reply
        assert reply.get("code") != "forbidden", (role, kind, reply)
