"""Messages, server to client: their types, and their shapes for type checkers and readers."""

from __future__ import annotations

from typing import Any, Final, Literal, NotRequired, TypedDict

__all__ = [
    "PUSH_TYPES",
    "AlertMessage",
    "ErrorMessage",
    "EventMessage",
    "LinesMessage",
    "NextMessage",
    "OkMessage",
    "PongMessage",
    "PresenceMessage",
    "ServerMessage",
    "SnapshotMessage",
    "SurveyOfferMessage",
    "SyncedMessage",
    "TicketMessage",
    "WelcomeMessage",
]

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
        "survey_offer",
        "pong",
    }
)

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
    # "printer"; "pin_guessing" (with `guessing`: every id being guessed now); "delivery"
    # (issue 21, with `destinations`: each webhook or central whose alert is up, maybe none)
    alert: str
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
    # else null; the wait null too while no counter of the line is open), counter_number (a
    # whole number, or null for a label such as "3A"), counter_label and counter_name (these
    # three while called or serving, else null), calls.
    # priority_note (a regular ticket that priority citizens went ahead of: one line; else null).
    ticket: dict[str, Any]


class SurveyOfferMessage(TypedDict):
    type: Literal["survey_offer"]  # tablet sessions only: a service finished at its counter
    ticket: str  # the ticket's id, to answer with `answer_survey`
    number: str
    line_name: str
    agency: str | None  # the agency's code
    agency_name: str | None  # its short name, to show
    counter_name: str
    idle_s: int  # show it this long, then return to idle (`[survey] tablet_idle_s`)


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
    | SurveyOfferMessage
    | PongMessage
)
