"""Requests, client to server: the one table of their fields, and `validate` against it.

Validation is table-driven: `REQUESTS` names, per message type, its fields with their JSON types
and bounds, and `validate` checks a decoded message against it and raises `ProtocolError` with a
stable code and an Indonesian message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from server.core.events import PriorityGroup
from server.protocol.codes import ERR_BAD_MESSAGE, ERR_UNKNOWN_TYPE, ProtocolError

__all__ = [
    "HELLO_ROLES",
    "MUTATING_TYPES",
    "PRINTER_STATUSES",
    "PRIORITY_GROUPS",
    "REQUESTS",
    "REQUEST_TYPES",
    "Field",
    "message_ref",
    "validate",
]

# The core's priority groups, as the JSON strings a kiosk sends.
PRIORITY_GROUPS: Final = tuple(group.value for group in PriorityGroup)
PRINTER_STATUSES: Final = ("ok", "near_end", "paper_out", "offline", "error")
# `ticket`: the citizen's phone page (/t/<token>), read-only, for the one ticket whose public
# token (the QR code's) it names. `tablet`: the SKM survey's tablet facing the citizen at one
# counter (issue 20), a device with a token like a kiosk's.
HELLO_ROLES: Final = ("kiosk", "display", "officer", "manager", "ticket", "tablet")

# --------------------------------------------------------------------------------------------
# Requests: client -> server, one table
# --------------------------------------------------------------------------------------------

FieldKind = Literal["str", "int", "bool", "str_or_null", "int_list", "str_list", "json"]


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a request: its JSON kind, whether it must be present, and its bounds."""

    kind: FieldKind
    required: bool = True
    max_len: int = 200  # for strings (and int lists): no legitimate value is longer
    # For a string list: at most `max_len` items, each a string of 1..`item_len` characters.
    item_len: int = 200
    choices: tuple[str, ...] | None = None
    min_value: int = 0  # for ints


_REQUEST_ID = Field("str", max_len=100)
_TICKET = Field("str", max_len=64)  # "2026-11-23/A-017", or just the number "A-017"
_COUNTER_OPT = Field("str", required=False, max_len=32)  # an officer's own counter, if named
_REASON = Field("str", max_len=200)
# The citizen's voice: the texts' own limits (skm.SUGGESTION_MAX, complaints.TEXT_MAX) are the
# core's, with a sentence that says so; these bounds are twice as wide.
_TEXT_MAX = 4000
_SCORES_MAX = 20
_PROFILE = Field("str_or_null", required=False, max_len=16)
_COMPLAINT = Field("str", max_len=32)  # "ADU-261203-007"
_NOTE = Field("str_or_null", required=False, max_len=_TEXT_MAX)
# A visit's lines (issue 22), in order: line prefixes. The bound is wider than any building's
# `visit_max_stops` (2..6): how many stops a visit may have is the core's to say, in words.
_VISIT_LINES = Field("str_list", max_len=8, item_len=8)
_PRIORITY = Field("str_or_null", required=False, choices=PRIORITY_GROUPS)
# A building edit's entity: any JSON value (a table, a text, null), bounded by the frame's size
# and `_ENTITY_DEPTH`.
_ENTITY_DEPTH = 6

REQUESTS: Final[dict[str, dict[str, Field]]] = {
    # Every role.
    "hello": {
        "version": Field("int"),
        "role": Field("str", choices=HELLO_ROLES),
        "token": Field("str", required=False, max_len=200),  # kiosk, display, ticket, tablet
        "counter": Field("str", required=False, max_len=32),  # officer
        "officer": Field("str", required=False, max_len=32),  # officer
        "manager": Field("str", required=False, max_len=32),  # floor manager or admin
        "pin": Field("str", required=False, max_len=32),  # officer, manager
        # officer, manager: the cookie a welcome gave this device for this id (server/lockout.py)
        "device_cookie": Field("str", required=False, max_len=64),
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
    # One visit, several agencies (issue 22). `plan_visit` changes nothing: the proposed order
    # of the lines chosen, each stop's estimated wait and what would refuse it now.
    # `issue_visit`: the first stop's ticket, printed as `issue_ticket`'s, and the itinerary.
    "plan_visit": {"lines": _VISIT_LINES, "priority": _PRIORITY},
    "issue_visit": {"request_id": _REQUEST_ID, "lines": _VISIT_LINES, "priority": _PRIORITY},
    # A booked citizen at the kiosk (issue 19): the booking code as scanned or typed, with or
    # without its dash, any case ("K7QM-4TXA").
    "check_in": {"request_id": _REQUEST_ID, "code": Field("str", max_len=16)},
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
    # Counter-closure requests (issue 23; server/core/closures.py): the officer asks to close
    # their own counter with a reason, or withdraws the undecided request; a floor manager or
    # admin decides (`note` required when refusing, which the core checks: its words).
    "request_closure": {"request_id": _REQUEST_ID, "reason": _REASON, "counter": _COUNTER_OPT},
    "withdraw_closure": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "decide_closure": {
        "request_id": _REQUEST_ID,
        "counter": Field("str", max_len=32),
        "approve": Field("bool"),
        "note": Field("str_or_null", required=False, max_len=200),
    },
    "start_service": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "finish_service": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "no_show": {"request_id": _REQUEST_ID, "counter": _COUNTER_OPT},
    "transfer": {
        "request_id": _REQUEST_ID,
        "line": Field("str", max_len=8),
        "counter": _COUNTER_OPT,
    },
    "reactivate": {"request_id": _REQUEST_ID, "ticket": _TICKET},
    # A visit at the officer's counter (issue 22): add a stop to the active ticket's visit (a
    # plain ticket becomes one), skip one of its pending stops. A floor manager skips with
    # `visit` (the visit's id) instead of a counter, and may skip the current stop while its
    # ticket waits or is a no-show. `visit`: the itinerary of a ticket (no request_id).
    "add_stop": {
        "request_id": _REQUEST_ID,
        "line": Field("str", max_len=8),
        "counter": _COUNTER_OPT,
    },
    "skip_stop": {
        "request_id": _REQUEST_ID,
        "line": Field("str", max_len=8),
        "reason": _REASON,
        "counter": _COUNTER_OPT,
        "visit": Field("str", required=False, max_len=32),  # "2026-12-04/KJ-007"
    },
    "visit": {"ticket": _TICKET},
    # Who booked a booked ticket: name and masked NIK, to compare with the KTP (no request_id:
    # it changes nothing).
    "booking_holder": {"ticket": _TICKET},
    # Floor manager and admin.
    "cancel_ticket": {"request_id": _REQUEST_ID, "ticket": _TICKET, "reason": _REASON},
    # Forget an officer's or manager's wrong PINs (no request_id: it changes no queue, and a
    # second unlock is harmless).
    "unlock_pin": {"person": Field("str", max_len=32)},
    # The citizen's voice (issue 20). The counter tablet's answer to the survey it was offered;
    # what a valid answer is (nine scores 1..4, the profile's codes, the suggestion's length)
    # is the core's to say, in words (server/core/skm.py): the bounds here only stop junk.
    "answer_survey": {
        "request_id": _REQUEST_ID,
        "ticket": _TICKET,
        "scores": Field("int_list", max_len=_SCORES_MAX),
        "age": _PROFILE,
        "sex": _PROFILE,
        "education": _PROFILE,
        "occupation": _PROFILE,
        "suggestion": Field("str_or_null", required=False, max_len=_TEXT_MAX),
    },
    # The floor's complaint workflow (floor, admin); `file_complaint` also an officer's (the
    # help desk files a complaint on a citizen's behalf, about today's ticket `number`).
    "take_complaint": {"request_id": _REQUEST_ID, "complaint": _COMPLAINT, "note": _NOTE},
    "answer_complaint": {
        "request_id": _REQUEST_ID,
        "complaint": _COMPLAINT,
        "answer": Field("str", max_len=_TEXT_MAX),
    },
    "close_complaint": {"request_id": _REQUEST_ID, "complaint": _COMPLAINT, "note": _NOTE},
    # A complaint's contact, asked for when the manager needs it: never in a push (no
    # request_id: it changes nothing; the server's log notes who read it).
    "complaint_contact": {"complaint": _COMPLAINT},
    # Live administration (issue 23; role admin, a floor manager the targets FLOOR_EDIT_TARGETS
    # of server/roles.py). `before`/`after`: an entity's TOML table as JSON, a string, or null
    # (adding / removing); `version`: the building version the editor saw.
    "admin_state": {},
    # One entity (`target`, `before`, `after`), or several at once (`edits`: a list of such
    # objects, validated together: a new line and the counter that serves it).
    "admin_edit": {
        "request_id": _REQUEST_ID,
        "target": Field("str", required=False, max_len=64),
        "before": Field("json", required=False),
        "after": Field("json", required=False),
        "edits": Field("json", required=False),
        "version": Field("int"),
    },
    "admin_undo": {"request_id": _REQUEST_ID, "version": Field("int", min_value=1)},
    "admin_history": {"limit": Field("int", required=False, min_value=1)},
    "admin_reset_pin": {"request_id": _REQUEST_ID, "officer": Field("str", max_len=32)},
    "admin_new_device": {
        "request_id": _REQUEST_ID,
        "kind": Field("str", choices=("kiosk", "display", "tablet", "exit")),
        # The new device's id ("KIOSK-3"): `device`, since `id` is every frame's correlation id.
        "device": Field("str", max_len=32),
        "zone": Field("str_or_null", required=False, max_len=32),
        "counter": Field("str_or_null", required=False, max_len=32),
    },
    "admin_new_token": {"request_id": _REQUEST_ID, "device": Field("str", max_len=32)},
    "file_complaint": {
        "request_id": _REQUEST_ID,
        "category": Field("str", max_len=32),
        "text": Field("str", max_len=_TEXT_MAX),
        "number": Field("str_or_null", required=False, max_len=16),
        "name": Field("str_or_null", required=False, max_len=100),
        "phone": Field("str_or_null", required=False, max_len=32),
    },
}

REQUEST_TYPES: Final = frozenset(REQUESTS)
# Requests that change the queue: each carries a request_id (idempotency key), and a retry with
# the same request_id returns the first result instead of acting twice.
MUTATING_TYPES: Final = frozenset(t for t, f in REQUESTS.items() if "request_id" in f)


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
    if spec.kind == "bool":
        return None if isinstance(value, bool) else f"kolom '{name}' harus true atau false"
    if spec.kind == "json":
        return None if _json_depth(value) <= _ENTITY_DEPTH else f"kolom '{name}' terlalu bersarang"
    if spec.kind == "str_or_null" and value is None:
        return None
    if spec.kind == "str_list":
        if not isinstance(value, list) or len(value) > spec.max_len:
            return f"kolom '{name}' harus daftar berisi paling banyak {spec.max_len} teks"
        if any(not isinstance(v, str) or not v or len(v) > spec.item_len for v in value):
            return f"kolom '{name}' harus berisi teks 1 sampai {spec.item_len} karakter saja"
        return None
    if spec.kind == "int_list":
        if not isinstance(value, list) or len(value) > spec.max_len:
            return f"kolom '{name}' harus daftar berisi paling banyak {spec.max_len} bilangan"
        if any(not isinstance(v, int) or isinstance(v, bool) or abs(v) > 2**31 for v in value):
            return f"kolom '{name}' harus berisi bilangan bulat saja"
        return None
    if not isinstance(value, str):
        return f"kolom '{name}' harus berupa teks"
    if not value or len(value) > spec.max_len:
        return f"kolom '{name}' harus 1 sampai {spec.max_len} karakter"
    if spec.choices is not None and value not in spec.choices:
        return f"kolom '{name}' harus salah satu dari: {', '.join(spec.choices)}"
    return None


def _json_depth(value: Any) -> int:
    """How deep a decoded JSON value nests (a scalar: 0)."""
    if isinstance(value, dict):
        return 1 + max((_json_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_json_depth(v) for v in value), default=0)
    return 0


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
