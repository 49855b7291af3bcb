"""docs/protocol.md is true to the code, section by section, in both directions.

The doc is read as a reader would (its tables, its example frames, its headings) and compared
with the code's own tables: every request type (server/protocol/requests.py and the hub's
request table) has an example frame; every push type its heading; every error and close code
its row, each core refusal with an example its template produces; every HTTP route
(server/web/routes.py) its row — and the doc names no type, code or path the code lacks. The
routes are asked of a live server too, so the router's list cannot drift from what it answers.
(Who may send what: tests/hub/test_role_matrix.py; the event table: tests/hub/test_event_docs.py;
the state tables: tests/core/test_state_moves.py.)
"""

from __future__ import annotations

import ast
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hubtest import Server, demo_credentials
from web_booking_kit import Citizen, book
from webtest import http_get

from server import protocol as p
from server.config import load_demo_building
from server.core.errors import MESSAGES
from server.core.model import CallNext, ConfirmPrinted, IssueTicket, LogIn, OpenCounter
from server.core.queue import QueueState
from server.web.phone import public_view
from server.web.routes import ROUTES

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "protocol.md").read_text(encoding="utf-8")
_NAME = re.compile(r"`([a-z_]+)`")


def section(title: str, level: str = "## ") -> str:
    """The text under a heading, up to the next heading of the same level."""
    start = DOC.index(f"\n{level}{title}\n")
    end = DOC.find(f"\n{level}", start + 1)
    return DOC[start : end if end >= 0 else len(DOC)]


def table(text: str) -> list[list[str]]:
    """The rows of the first markdown table in `text` (header and rule skipped), as cells."""
    rows: list[str] = []
    for line in text.splitlines():
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break  # the table ended
    return [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows[2:]]


def code_spans(text: str) -> list[str]:
    """The `code spans` of markdown prose (fenced blocks left out)."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    return re.findall(r"`([^`\n]+)`", prose)


def test_every_request_type_has_an_example_frame_and_no_other_type_does() -> None:
    """Client → server shows an example frame of each request type, and of nothing else."""
    # A frame the client sends starts a line; the replies shown beside them carry a `ref`.
    frames = re.findall(r'^\{"type": "(\w+)"(?![^\n]*"ref")', section("Client → server"), re.M)
    shown = set(frames)
    assert shown == p.REQUEST_TYPES


async def test_the_hubs_request_table_answers_exactly_the_protocols_types(server: Server) -> None:
    """The live hub has a handler for every request type but hello (answered before it)."""
    assert set(server.hub.requests.handlers) | {"hello"} == p.REQUEST_TYPES


def test_every_push_type_has_its_heading_and_no_heading_names_another() -> None:
    """Server → client has a ### heading for each message type the server sends."""
    headings = re.findall(r"^### (.+)$", section("Server → client"), re.MULTILINE)
    named = {name for heading in headings for name in _NAME.findall(heading)}
    assert named == p.PUSH_TYPES


def test_the_ticket_push_example_has_exactly_the_fields_a_phone_is_sent() -> None:
    """The `ticket` frame shown is a called ticket's view with the fields `public_view` makes,
    its `alert` with the fields of a warning, and nothing more (issue 19 added two)."""
    block = re.search(
        r"```json\n(.*?)```",
        section("`ticket` (ticket sessions: the phone page)", "### "),
        re.S,
    )
    assert block is not None
    shown = json.loads(block.group(1))
    building = load_demo_building()
    state = QueueState(building)
    now = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=7)))
    ticket = state.handle(IssueTicket("A", None, "t" * 22, "KIOSK-1"), now)[-1].ticket
    state.handle(ConfirmPrinted(ticket), now)
    state.handle(LogIn("L01", "DKP01"), now)
    state.handle(OpenCounter("L01"), now)
    state.handle(CallNext("L01"), now)
    view = public_view(state.tickets[ticket], state, building, now)
    assert set(shown) == {"type", "at", "ticket"}
    assert set(shown["ticket"]) == set(view)
    assert set(shown["ticket"]["alert"]) == set(view["alert"])
    assert shown["ticket"]["alert"] == view["alert"] | {"text": "Silakan menuju Loket 5"}


def test_the_error_table_is_the_protocols_error_codes() -> None:
    """One row per ERR_* code of server/protocol/codes.py, and no other."""
    codes = [_NAME.fullmatch(cells[0]).group(1) for cells in table(section("Errors"))]
    assert sorted(codes) == sorted(v for k, v in vars(p).items() if k.startswith("ERR_"))


def test_each_core_refusal_example_is_what_its_template_says() -> None:
    """The doc's example message of each core code fits that code's template exactly."""
    text = section("Errors")
    core = text[text.index("| code | message, for example |") :]
    rows = {_NAME.fullmatch(c[0]).group(1): c[1] for c in table(core)}
    assert sorted(rows) == sorted(MESSAGES)
    for code, example in rows.items():
        # The template with each {placeholder} free: the example fills them with something.
        pattern = re.escape(MESSAGES[code])
        pattern = re.sub(r"\\\{\w+\\\}", r".+", pattern)
        assert re.fullmatch(pattern, example), (code, example, MESSAGES[code])


def test_the_close_code_table_is_the_protocols_close_codes() -> None:
    rows = table(section("Close codes"))
    documented = sorted(int(cells[0].strip("`")) for cells in rows)
    assert documented == sorted({v for k, v in vars(p).items() if k.startswith("CLOSE_")})


def _path(span: str) -> str | None:
    """The path a code span names ("GET /display?zone=…" -> "/display"), or None."""
    match = re.fullmatch(r"(?:(?:GET|POST|DELETE) )?(/[^?\s]*)(?:[?\[].*)?", span)
    return match.group(1) if match else None


def test_the_http_table_is_the_routers_list() -> None:
    """ "HTTP on the same port" has a row for each of ROUTES, and no path the router lacks."""
    paths: list[str] = []
    for cells in table(section("HTTP on the same port")):
        paths += [path for span in code_spans(cells[0]) if (path := _path(span))]
    assert sorted(paths) == sorted(ROUTES)


def test_the_doc_names_no_path_that_is_not_a_route() -> None:
    """Any `/path` written anywhere in the doc is one of the router's."""
    named = {path for span in code_spans(DOC) if (path := _path(span))}
    assert named  # the scan reads the doc's paths
    assert named <= set(ROUTES), named - set(ROUTES)


def test_the_router_answers_no_path_literal_routes_does_not_name() -> None:
    """Every path literal in server/web/ is one of ROUTES or the prefix of some: a path answered
    by a new `if path == "/x"` without its place in ROUTES (and the doc) fails here."""
    literals = set()
    for source in (REPO / "server" / "web").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and re.fullmatch(r"/[a-z][a-z0-9/._-]*|/", text):
                literals.add(text)
    assert literals  # the scan sees the router
    for literal in literals:
        assert any(route == literal or route.startswith(literal) for route in ROUTES), literal


async def test_every_route_answers_on_a_live_server(server: Server) -> None:
    """Each of ROUTES answers a plain GET with something other than the 404 page."""
    kiosk = await server.client("KIOSK-1")
    ticket = await kiosk.issue_ticket("A")
    tv_token = demo_credentials()["TV-1"]
    booked = await book(Citizen(server))
    asked: dict[str, tuple[str, dict[str, str]]] = {
        "/t/<token>": (f"/t/{ticket['token']}", {}),
        "/audio/call": ("/audio/call?number=A-001&counter=L01", {"X-Antre-Token": tv_token}),
        "/display": (f"/display?zone=1&token={tv_token}", {}),
        "/pesan/<token>": (booked.headers["location"], {}),
        "/t/<token>/survei": (f"/t/{ticket['token']}/survei", {}),
        "/t/<token>/pengaduan": (f"/t/{ticket['token']}/pengaduan", {}),
        "/keluar": (f"/keluar?token={demo_credentials()['EXIT-1']}", {}),
        "/tablet": (f"/tablet?token={demo_credentials()['TABLET-L01']}", {}),
    }
    answers: dict[str, Any] = {}
    for route in ROUTES:
        path, headers = asked.get(route, (route, {}))
        status, _, _ = await http_get(server, path, headers)
        answers[route] = status
    # /ws without an upgrade is websockets' 426; /audio/call is 503 where espeak-ng is missing.
    assert answers.pop(p.WS_PATH) == 426
    assert answers.pop("/audio/call") in (200, 503)
    # The integrators' API answers JSON: 401 without a portal's token (the demo has none).
    api = {route: answers.pop(route) for route in ROUTES if route.startswith("/api/v1/")}
    assert api == dict.fromkeys(api, 401)
    assert answers == dict.fromkeys(answers, 200)
    status, _, _ = await http_get(server, "/no-such-page")
    assert status == 404  # the check above can tell a route from none
