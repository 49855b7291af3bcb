"""Frames on the wire: JSON text in and out, the `error` reply, and each client's first `hello`."""

from __future__ import annotations

import json
from typing import Any

from server.protocol.codes import ERR_BAD_JSON, PROTOCOL_VERSION, ProtocolError

__all__ = [
    "decode",
    "encode",
    "error_message",
    "hello_display",
    "hello_kiosk",
    "hello_manager",
    "hello_officer",
    "hello_tablet",
    "hello_ticket",
]

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


def hello_tablet(token: str) -> dict[str, Any]:
    """A counter's SKM survey tablet (issue 20): its device token, as a TV's; no replay (it
    hears no event, only `survey_offer`)."""
    return _hello("tablet", None, None, token=token)


def hello_manager(
    manager: str, pin: str, last_seq: int | None = None, day: str | None = None
) -> dict[str, Any]:
    return _hello("manager", last_seq, day, manager=manager, pin=pin)
