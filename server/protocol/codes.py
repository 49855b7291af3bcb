"""The protocol's numbers and codes: versions, limits, close codes, error codes, ProtocolError."""

from __future__ import annotations

from typing import Final

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
    "MAX_MESSAGE_BYTES",
    "PROTOCOL_VERSION",
    "SUPPORTED_VERSIONS",
    "WS_PATH",
    "ProtocolError",
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
