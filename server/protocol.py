"""The wire protocol between the Antre server and its clients: the published contract.

Theory of operation: every client (kiosk, counter console, TV, floor dashboard) speaks JSON text
frames over one websocket at `WS_PATH`. The first frame is `hello` (protocol version, role,
credentials, optionally the last sequence number seen); the server answers `welcome` and then
either a `snapshot` or the events the client missed, then `synced`. After that the client
sends requests, each with an `id` it chooses (echoed as `ref` in the `ok` / `error` reply), and
the server pushes `event` messages carrying the store's sequence number. docs/protocol.md shows
every message with an example.

This module is what clients import: it uses the standard library only and nothing else of the
server, so it re-states the few core values it needs (priority groups) as plain strings; a test
keeps them equal to the core's. Validation is table-driven: `REQUESTS` names, per message type,
its fields with their JSON types and bounds, and `validate` checks a decoded message against it
and raises `ProtocolError` with a stable code and an Indonesian message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final, Literal, NotRequired, TypedDict

__all__ = [
    "CLIENT_FATAL_CLOSE_CODES",
    "CLOSE_AUTH_FAILED",
    "CLOSE_GOING_AWAY",
    "CLOSE_HELLO_REQUIRED",
    "CLOSE_INTERNAL_ERROR",
    "CLOSE_MESSAGE_TOO_BIG",
    "CLOSE_NORMAL",
    "CLOSE_POLICY_VIOLATION",
    "CLOSE_REPLACED",
    "CLOSE_TOO_SLOW",
    "CLOSE_UNSUPPORTED_VERSION",
    "ERR_ALREADY_AUTHENTICATED",
    "ERR_AUTH_FAILED",
    "ERR_BAD_JSON",
    "ERR_BAD_MESSAGE",
    "ERR_FORBIDDEN",
    "ERR_HELLO_REQUIRED",
    "ERR_INTERNAL",
    "ERR_LOCKED",
    "ERR_NOT_FOUND",
    "ERR_RATE_LIMITED",
    "ERR_UNKNOWN_TYPE",
    "ERR_UNSUPPORTED_VERSION",
    "HELLO_ROLES",
    "MAX_MESSAGE_BYTES",
    "MUTATING_TYPES",
    "PRINTER_STATUSES",
    "PRIORITY_GROUPS",
    "PROTOCOL_VERSION",
    "PUSH_TYPES",
    "REQUESTS",
    "REQUEST_TYPES",
    "SUPPORTED_VERSIONS",
    "WS_PATH",
    "AlertMessage",
    "ErrorMessage",
    "EventMessage",
    "Field",
    "LinesMessage",
    "NextMessage",
    "OkMessage",
    "PongMessage",
    "PresenceMessage",
    "ProtocolError",
    "ServerMessage",
    "SnapshotMessage",
    "SyncedMessage",
    "TicketMessage",
    "WelcomeMessage",
    "decode",
    "encode",
    "error_message",
    "hello_display",
    "hello_kiosk",
    "hello_manager",
    "hello_officer",
    "hello_ticket",
    "message_ref",
    "validate",
]

# --------------------------------------------------------------------------------------------
# Versions and limits
# --------------------------------------------------------------------------------------------

PROTOCOL_VERSION: Final = 1
# Versions this server still speaks. A client on another version is refused at hello with
# `unsupported_version` and close code 4002 rather than half-understood.
SUPPORTED_VERSIONS: Final = frozenset({1})

WS_PATH: Final = "/ws"

# The largest frame the server accepts; a bigger one closes the connection with 1009. Every
# legitimate request is under 1 KiB; 64 KiB leaves room without letting one client eat memory.
MAX_MESSAGE_BYTES: Final = 64 * 1024

# Mirrors of core values (server.core.model.PriorityGroup); tests/hub checks they stay equal.
PRIORITY_GROUPS: Final = ("lansia", "disabilitas", "ibu_hamil", "balita")
PRINTER_STATUSES: Final = ("ok", "near_end", "paper_out", "offline", "error")
# `ticket`: the citizen's phone page (/t/<token>), read-only, for the one ticket whose public
# token (the QR code's) it names.
HELLO_ROLES: Final = ("kiosk", "display", "officer", "manager", "ticket")

# --------------------------------------------------------------------------------------------
# Close codes. 1xxx are the RFC 6455 ones; 4xxx are Antre's own (the range is for applications).
# --------------------------------------------------------------------------------------------

CLOSE_NORMAL: Final = 1000
CLOSE_GOING_AWAY: Final = 1001  # the server is shutting down or restarting: reconnect
CLOSE_POLICY_VIOLATION: Final = 1008  # persistent flooding after rate_limited errors
CLOSE_MESSAGE_TOO_BIG: Final = 1009  # a frame over MAX_MESSAGE_BYTES (sent by websockets itself)
CLOSE_INTERNAL_ERROR: Final = 1011
CLOSE_AUTH_FAILED: Final = 4001  # hello refused: credentials, lockout, or not allowed here
CLOSE_UNSUPPORTED_VERSION: Final = 4002  # hello with a protocol version this server does not speak
CLOSE_HELLO_REQUIRED: Final = 4003  # first frame was not a valid hello, or none came in time
CLOSE_TOO_SLOW: Final = 4008  # the client fell behind its send queue: reconnect with last_seq
CLOSE_REPLACED: Final = 4009  # a newer session took this counter or kiosk over

# A client must not reconnect after these: retrying cannot succeed (or would fight a newer session).
CLIENT_FATAL_CLOSE_CODES: Final = frozenset(
    {CLOSE_AUTH_FAILED, CLOSE_UNSUPPORTED_VERSION, CLOSE_HELLO_REQUIRED, CLOSE_REPLACED}
)

# --------------------------------------------------------------------------------------------
# Error codes: stable strings. Refusals from the queue rules (quota_exhausted, counter_closed…)
# pass through with the core's own codes; these are the protocol's.
# --------------------------------------------------------------------------------------------

ERR_BAD_JSON: Final = "bad_json"
ERR_BAD_MESSAGE: Final = "bad_message"
ERR_UNKNOWN_TYPE: Final = "unknown_type"
ERR_HELLO_REQUIRED: Final = "hello_required"
ERR_ALREADY_AUTHENTICATED: Final = "already_authenticated"
ERR_UNSUPPORTED_VERSION: Final = "unsupported_version"
ERR_AUTH_FAILED: Final = "auth_failed"
ERR_LOCKED: Final = "locked"
ERR_FORBIDDEN: Final = "forbidden"
ERR_NOT_FOUND: Final = "not_found"
ERR_RATE_LIMITED: Final = "rate_limited"
ERR_INTERNAL: Final = "internal_error"


class ProtocolError(Exception):
    """A frame the server cannot accept. `code` is one of the ERR_* strings."""

    def __init__(self, code: str, message: str, ref: str | int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.ref = ref  # the client's id, when the frame got far enough to have one


# --------------------------------------------------------------------------------------------
# Requests: client -> server, one table
# --------------------------------------------------------------------------------------------

FieldKind = Literal["str", "int", "str_or_null"]


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a request: its JSON kind, whether it must be present, and its bounds."""

    kind: FieldKind
    required: bool = True
    max_len: int = 200  # for strings: no legitimate value is longer
    choices: tuple[str, ...] | None = None
    min_value: int = 0  # for ints


_REQUEST_ID = Field("str", max_len=100)
_TICKET = Field("str", max_len=64)  # "2026-11-23/A-017", or just the number "A-017"
_COUNTER_OPT = Field("str", required=False, max_len=32)  # an officer's own counter, if named
_REASON = Field("str", max_len=200)

REQUESTS: Final[dict[str, dict[str, Field]]] = {
    # Every role.
    "hello": {
        "version": Field("int"),
        "role": Field("str", choices=HELLO_ROLES),
        "token": Field("str", required=False, max_len=200),  # kiosk, display, ticket
        "counter": Field("str", required=False, max_len=32),  # officer
        "officer": Field("str", required=False, max_len=32),  # officer
        "manager": Field("str", required=False, max_len=32),  # floor manager or admin
        "pin": Field("str", required=False, max_len=32),  # officer, manager
        "last_seq": Field("int", required=False),  # resume after this sequence number
        "day": Field("str", required=False, max_len=10),  # the service day of last_seq
        "client": Field("str", required=False, max_len=100),  # free text for the logs
    },
    "ping": {},
    "snapshot": {},
    "list_lines": {},
    # Kiosk.
    "issue_ticket": {
        "request_id": _REQUEST_ID,
        "line": Field("str", max_len=8),
        "priority": Field("str_or_null", required=False, choices=PRIORITY_GROUPS),
    },
    "confirm_printed": {"request_id": _REQUEST_ID, "ticket": _TICKET},
    "print_failed": {"request_id": _REQUEST_ID, "ticket": _TICKET, "reason": _REASON},
    "record_reprint": {"request_id": _REQUEST_ID, "ticket": _TICKET},
    "printer_status": {
        "status": Field("str", choices=PRINTER_STATUSES),
        "detail": Field("str", required=False, max_len=200),
    },
    # Officer at a counter (a floor manager or admin may also close a counter: then `counter`
    # is required, which the hub checks because it depends on the role).
    "login": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "logout": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "open_counter": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "pause_counter": {"request_id": _REQUEST_ID, "reason": _REASON, "counter": _COUNTER_OPT},
    "resume_counter": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "close_counter": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "call_next": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "call_ticket": {
        "request_id": _REQUEST_ID,
        "ticket": _TICKET,
        "reason": _REASON,
        "counter": _COUNTER_OPT,
    },
    "recall": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "start_service": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "finish_service": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "no_show": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "transfer": {
        "request_id": _REQUEST_ID,
        "line": Field("str", max_len=8),
        "counter": _COUNTER_OPT,
    },
    "reactivate": {"request_id": _REQUEST_ID, "ticket": _TICKET},
    # Floor manager and admin.
    "cancel_ticket": {"request_id": _REQUEST_ID, "ticket": _TICKET, "reason": _REASON},
}

REQUEST_TYPES: Final = frozenset(REQUESTS)
# Requests that change the queue: each carries a request_id (idempotency key), and a retry with
# the same request_id returns the first result instead of acting twice.
MUTATING_TYPES: Final = frozenset(t for t, f in REQUESTS.items() if "request_id" in f)

# Server -> client message types.
PUSH_TYPES: Final = frozenset(
    {
        "welcome",
        "ok",
        "error",
        "event",
        "snapshot",
        "synced",
        "lines",
        "next",
        "alert",
        "presence",
        "ticket",
        "pong",
    }
)

# Common optional envelope field of every request: the client's correlation id.
_ID_MAX_LEN = 64


def _check_field(name: str, spec: Field, value: Any) -> str | None:
    """None if the value fits the spec, else an Indonesian description of what is wrong."""
    if spec.kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            return f"kolom '{name}' harus bilangan bulat"
        if value < spec.min_value or value > 2**53:
            return f"kolom '{name}' di luar rentang"
        return None
    if spec.kind == "str_or_null" and value is None:
        return None
    if not isinstance(value, str):
        return f"kolom '{name}' harus berupa teks"
    if not value or len(value) > spec.max_len:
        return f"kolom '{name}' harus 1 sampai {spec.max_len} karakter"
    if spec.choices is not None and value not in spec.choices:
        return f"kolom '{name}' harus salah satu dari: {', '.join(spec.choices)}"
    return None


def message_ref(msg: Any) -> str | int | None:
    """The client's correlation id of a decoded message, if it has a usable one."""
    if isinstance(msg, dict):
        ref = msg.get("id")
        if isinstance(ref, int) and not isinstance(ref, bool) and abs(ref) <= 2**53:
            return ref
        if isinstance(ref, str) and len(ref) <= _ID_MAX_LEN:
            return ref
    return None


def validate(msg: Any) -> str:
    """Check a decoded request against `REQUESTS`; return its type or raise ProtocolError."""
    if not isinstance(msg, dict):
        raise ProtocolError(ERR_BAD_MESSAGE, "Pesan harus berupa objek JSON.")
    ref = message_ref(msg)
    if "id" in msg and ref is None:
        raise ProtocolError(
            ERR_BAD_MESSAGE, f"kolom 'id' harus teks (maks. {_ID_MAX_LEN}) atau bilangan bulat"
        )
    kind = msg.get("type")
    if not isinstance(kind, str):
        raise ProtocolError(ERR_BAD_MESSAGE, "kolom 'type' wajib berupa teks", ref)
    spec = REQUESTS.get(kind)
    if spec is None:
        shown = kind if len(kind) <= 40 else kind[:40] + "…"
        raise ProtocolError(ERR_UNKNOWN_TYPE, f"Jenis pesan tidak dikenal: {shown!r}.", ref)
    for name, field_spec in spec.items():
        if name not in msg:
            if field_spec.required:
                raise ProtocolError(ERR_BAD_MESSAGE, f"kolom '{name}' wajib diisi", ref)
            continue
        problem = _check_field(name, field_spec, msg[name])
        if problem is not None:
            raise ProtocolError(ERR_BAD_MESSAGE, problem, ref)
    return kind


# --------------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    # JSON has no NaN or Infinity; Python's json accepts them unless told otherwise.
    raise ValueError(f"not JSON: {name}")


def decode(data: str | bytes) -> Any:
    """Parse one frame; raise ProtocolError(bad_json) on anything that is not JSON text."""
    if isinstance(data, bytes | bytearray | memoryview):
        raise ProtocolError(ERR_BAD_JSON, "Kirim pesan teks JSON, bukan biner.")
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and int strings beyond Python's digit limit.
        raise ProtocolError(ERR_BAD_JSON, "Pesan tidak dapat dibaca: bukan JSON yang sah.") from exc


# Made once: `json.dumps` with options builds a new JSONEncoder on every call, and the server
# encodes several frames per request (docs/benchmarks.md, Profile findings).
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def encode(msg: dict[str, Any]) -> str:
    """One compact JSON text frame. Indonesian text stays readable (no \\u escapes)."""
    return _ENCODER.encode(msg)


def error_message(
    code: str, message: str, ref: str | int | None = None, **extra: Any
) -> dict[str, Any]:
    """An `error` reply."""
    return {"type": "error", "ref": ref, "code": code, "message": message, **extra}


# --------------------------------------------------------------------------------------------
# Hello builders: what each kind of client sends first
# --------------------------------------------------------------------------------------------


def _hello(role: str, last_seq: int | None, day: str | None, **creds: str) -> dict[str, Any]:
    msg: dict[str, Any] = {"type": "hello", "version": PROTOCOL_VERSION, "role": role, **creds}
    if last_seq is not None:
        msg["last_seq"] = last_seq
        if day is not None:
            msg["day"] = day
    return msg


def hello_kiosk(token: str, last_seq: int | None = None, day: str | None = None) -> dict[str, Any]:
    return _hello("kiosk", last_seq, day, token=token)


def hello_display(
    token: str, last_seq: int | None = None, day: str | None = None
) -> dict[str, Any]:
    return _hello("display", last_seq, day, token=token)


def hello_officer(
    counter: str, officer: str, pin: str, last_seq: int | None = None, day: str | None = None
) -> dict[str, Any]:
    return _hello("officer", last_seq, day, counter=counter, officer=officer, pin=pin)


def hello_ticket(token: str) -> dict[str, Any]:
    """The citizen's phone page: the ticket's public token (the QR code's) is the credential."""
    return _hello("ticket", None, None, token=token)


def hello_manager(
    manager: str, pin: str, last_seq: int | None = None, day: str | None = None
) -> dict[str, Any]:
    return _hello("manager", last_seq, day, manager=manager, pin=pin)


# --------------------------------------------------------------------------------------------
# Server -> client shapes, for type checkers and readers. docs/protocol.md has examples.
# --------------------------------------------------------------------------------------------


class WelcomeMessage(TypedDict):
    type: Literal["welcome"]
    ref: str | int | None
    version: int
    role: str  # kiosk / display / officer / floor / admin
    principal: dict[str, Any]  # who the server took you for: device, officer, counter, zone…
    seq: int  # the store's newest sequence number now (not yet your position: wait for synced)
    day: str  # the service day, ISO date
    resume: Literal["snapshot", "replay"]
    server_time: str


class OkMessage(TypedDict):
    type: Literal["ok"]
    ref: str | int | None
    # plus fields per request type: lines, ticket, counter, seq, events…


class ErrorMessage(TypedDict):
    type: Literal["error"]
    ref: str | int | None
    code: str
    message: str  # Indonesian, for the officer or the citizen
    retry_after_s: NotRequired[float]
    details: NotRequired[dict[str, Any]]


class EventMessage(TypedDict):
    type: Literal["event"]
    seq: int
    event: dict[str, Any]  # {"kind": ..., "at": ..., ...}, filtered for your role


class SnapshotMessage(TypedDict):
    type: Literal["snapshot"]
    seq: int  # the snapshot holds every event up to and including this one
    day: str
    # plus per-role content: building, lines, counters, tickets, calls, printers


class SyncedMessage(TypedDict):
    type: Literal["synced"]
    seq: int  # your position now: keep it as last_seq
    replayed: int  # events replayed (0 after a snapshot)
    resume: Literal["snapshot", "replay"]


class LinesMessage(TypedDict):
    type: Literal["lines"]
    at: str  # the server time the figures were computed at
    lines: list[dict[str, Any]]


class NextMessage(TypedDict):
    type: Literal["next"]  # officers only: their own counter's list
    counter: str  # the officer's counter
    at: str  # the server time the list was computed at, in the building's time zone
    # The tickets `call_next` would call, in order, at most 5, in the staff ticket form (the
    # same items as the officer snapshot's `next`). Sent after synced, then only when it changed.
    next: list[dict[str, Any]]


class AlertMessage(TypedDict):
    type: Literal["alert"]
    alert: str  # "printer"
    at: str


class PresenceMessage(TypedDict):
    type: Literal["presence"]  # floor and admin only
    at: str  # the server time of this frame
    # {"id": "KIOSK-1", "kind": "kiosk" | "display", "connected": bool,
    #  "since": ISO time it last connected or disconnected, or None if not seen since start}:
    # every kiosk and TV right after synced, then just the one whose connection changed.
    devices: list[dict[str, Any]]


class TicketMessage(TypedDict):
    type: Literal["ticket"]  # ticket sessions only: their own ticket, whenever its view changed
    at: str  # the server time the view was computed at, in the building's time zone
    # The public view of the session's ticket (no token, no personal data): number, line,
    # line_name, agency (short name), state, people_ahead and estimated_wait_s (while waiting,
    # else null), counter_number and counter_name (while called or serving, else null), calls.
    ticket: dict[str, Any]


class PongMessage(TypedDict):
    type: Literal["pong"]
    ref: str | int | None
    seq: int  # your position: every event up to here has been sent to you
    server_time: str


ServerMessage = (
    WelcomeMessage
    | OkMessage
    | ErrorMessage
    | EventMessage
    | SnapshotMessage
    | SyncedMessage
    | LinesMessage
    | NextMessage
    | AlertMessage
    | PresenceMessage
    | TicketMessage
    | PongMessage
)
