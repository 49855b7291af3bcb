"""The counter console's keys: one key per officer action, and which action each key performs.

The footer lists these bindings; `CounterApp.check_action` greys out (or, for the rare ones in
`HIDDEN_WHEN_OFF`, hides) a key whose action `counter.view.allowed_actions` says does not apply.
"""

from __future__ import annotations

from typing import Final

from textual.binding import Binding, BindingType

from counter.view import Action

__all__ = ["FOCUS_BINDINGS", "HIDDEN_WHEN_OFF", "KEY_ACTIONS", "KEY_BINDINGS"]

# Tab and Shift+Tab move the focus the moment the app reads the key, before it routes the next
# one. Textual's own Tab binding is not a priority binding: the app hands the Tab to the focused
# field, and the focus moves only when the key has bubbled back up to the app through each
# widget's queue — by then the rest of a burst (a fast typist on a busy console, a badge
# scanner) has already been routed to the old field: "DKP01" Tab PIN became "DKP01<PIN>" in the
# id field and an empty PIN. A priority binding runs in key order, so no key goes astray.
FOCUS_BINDINGS: Final[list[BindingType]] = [
    Binding("tab", "focus_next", "Berikutnya", show=False, priority=True),
    Binding("shift+tab", "focus_previous", "Sebelumnya", show=False, priority=True),
]

# Upper case too: Caps Lock left on must not make the console deaf.
KEY_BINDINGS: Final[list[BindingType]] = [
    Binding("n,N", "call_next", "Panggil"),
    Binding("r,R", "recall", "Panggil ulang"),
    Binding("s,S", "start", "Mulai"),
    Binding("f,F", "finish", "Selesai"),
    Binding("x,X", "no_show", "Tidak hadir"),
    Binding("t,T", "transfer", "Alihkan"),
    Binding("p,P", "pause", "Jeda"),
    Binding("p,P", "resume", "Lanjut"),
    Binding("c,C", "call_number", "Panggil nomor"),
    Binding("a,A", "reactivate", "Aktifkan lagi"),
    Binding("o,O", "open", "Buka loket"),
    Binding("q,Q", "logout", "Keluar"),
    Binding("k,K", "add_stop", "Tambah layanan"),
    Binding("l,L", "skip_stop", "Lewati layanan"),
    Binding("u,U", "request_closure", "Ajukan tutup"),
    Binding("u,U", "withdraw_closure", "Batalkan pengajuan"),
]

# Binding action name -> the officer action it performs (its guard comes from view.allowed_actions).
KEY_ACTIONS: Final = {
    "call_next": Action.CALL_NEXT,
    "recall": Action.RECALL,
    "start": Action.START,
    "finish": Action.FINISH,
    "no_show": Action.NO_SHOW,
    "transfer": Action.TRANSFER,
    "pause": Action.PAUSE,
    "resume": Action.RESUME,
    "call_number": Action.CALL_TICKET,
    "reactivate": Action.REACTIVATE,
    "open": Action.OPEN,
    "logout": Action.LOGOUT,
    "add_stop": Action.ADD_STOP,
    "skip_stop": Action.SKIP_STOP,
    "request_closure": Action.REQUEST_CLOSURE,
    "withdraw_closure": Action.WITHDRAW_CLOSURE,
}
# Shown only when they apply (P is pause or resume, U is ask to close or withdraw the ask; O
# is rare; K and L belong to a service under way, L only in a visit with a stop still ahead),
# instead of greyed out.
HIDDEN_WHEN_OFF: Final = frozenset(
    {
        Action.PAUSE,
        Action.RESUME,
        Action.OPEN,
        Action.ADD_STOP,
        Action.SKIP_STOP,
        Action.REQUEST_CLOSURE,
        Action.WITHDRAW_CLOSURE,
    }
)
