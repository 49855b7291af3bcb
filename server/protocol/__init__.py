"""The wire protocol between the Antre server and its clients: the published contract.

Theory of operation: every client (kiosk, counter console, TV, floor dashboard) speaks JSON text
frames over one websocket at `WS_PATH`. The first frame is `hello` (protocol version, role,
credentials, optionally the last sequence number seen); the server answers `welcome` and then
either a `snapshot` or the events the client missed, then `synced`. After that the client
sends requests, each with an `id` it chooses (echoed as `ref` in the `ok` / `error` reply), and
the server pushes `event` messages carrying the store's sequence number. docs/protocol.md shows
every message with an example.

This package is what clients import, by its one name `server.protocol`; its modules hold one job
each: `codes` (versions, limits, close and error codes), `requests` (the request table and
`validate`), `frames` (JSON in and out, hello builders), `messages` (what the server sends). It
imports nothing of the server but the pure core's event vocabulary (server/core/events.py,
standard library only), which it publishes: a client reads a pushed event with `read_event` into
the same typed event the core made, e.g. `match read_event(msg["event"]): case TicketCalled()`.
It publishes the core's way of writing dates and times too (server/core/dates.py), so that the
kiosk's ticket says "Senin, 23 November 2026" exactly as the phone page does, and the booking
code's reading (server/core/booking_code.py), so that the kiosk accepts exactly the codes the
server gives out. It publishes the SKM survey's questionnaire and figures (server/core/skm.py:
the nine elements and their worded answers, the profile options, `Tally`, the IKM, grades,
sample size, wait bands, periods) and the complaints' vocabulary (categories, states and their
labels, text limits) so that the floor dashboard reads and grades them as the server does.
"""

from __future__ import annotations

# Each module's public names are the package's: the star imports below take exactly their
# `__all__`, and the package's `__all__` is theirs put together.
from server.core import complaint_terms, dates, events, skm
from server.core.booking_code import (  # the booking code as typed, scanned and shown
    CODE_ALPHABET,
    CODE_LENGTH,
    QR_PREFIX,
    format_code,
    normalize_code,
)
from server.core.complaint_terms import CATEGORIES, ComplaintState  # complaints (issue 20)
from server.core.dates import *  # noqa: F403  (how dates and times are written, published)
from server.core.events import *  # noqa: F403  (the core's event vocabulary, published)
from server.core.skm import *  # noqa: F403  (the SKM questionnaire and figures, published)
from server.protocol import codes, frames, messages, requests
from server.protocol.codes import *  # noqa: F403
from server.protocol.frames import *  # noqa: F403
from server.protocol.messages import *  # noqa: F403
from server.protocol.requests import *  # noqa: F403

# The complaints' labels ("Diterima", "Diproses", "Dijawab", "Selesai") and limits, named for
# what they are once out of their module.
COMPLAINT_STATE_LABELS = complaint_terms.STATE_LABELS
COMPLAINT_STATE_LABELS_EN = complaint_terms.STATE_LABELS_EN
COMPLAINT_TEXT_MAX = complaint_terms.TEXT_MAX
COMPLAINT_ANSWER_MAX = complaint_terms.ANSWER_MAX
COMPLAINT_NOTE_MAX = complaint_terms.NOTE_MAX

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "QR_PREFIX",
    "format_code",
    "normalize_code",
    "CATEGORIES",
    "COMPLAINT_ANSWER_MAX",
    "COMPLAINT_NOTE_MAX",
    "COMPLAINT_STATE_LABELS",
    "COMPLAINT_STATE_LABELS_EN",
    "COMPLAINT_TEXT_MAX",
    "ComplaintState",
    *events.__all__,
    *skm.__all__,
    *dates.__all__,
    *codes.__all__,
    *requests.__all__,
    *frames.__all__,
    *messages.__all__,
]
