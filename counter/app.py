"""The officer's counter console: `antre counter --server URL --counter L05`.

Over ~500 lines on purpose: this is one Textual App whose connection, actions and rendering share
its reactive state and message queue; cutting its methods into mixins would only hide that. The
keys (counter/keys.py), the model (counter/view.py) and the texts (counter/texts.py) are apart.

Theory of operation: the console is bound to one counter. The officer logs in with id and PIN
(the protocol's officer `hello`), the console logs the officer in at the counter and opens it,
and from then on every action is one key (the footer lists them; keys that do not apply now are
greyed out, and the hint line says what comes next). `server.client.AntreClient` keeps the
connection: it reconnects by itself and resumes from the last sequence number, and while it is
away a red marker says so. Frames the server pushes become `ServerFrame` messages, so the model
(`counter.view.ConsoleModel`) changes only on the app's message queue, in arrival order; action
replies come back the same way (`ActionDone`), after the events that caused them.

No action is lost or doubled: each press gets one request id, and the request is re-sent with
that same id until the server answers — through blips and restarts — while the keys stay
disabled. The server answers a repeated id with the first result. The next numbers come from the
server: in the snapshot, in the `next` frame it pushes whenever the counter's list changes, and in
the reply to each of the officer's own actions (shown at once). After every reconnect the console
also asks for a fresh snapshot: the whole picture again, whatever happened while it was away.

A citizen's visit of several agencies (issue 22): under the active ticket the console shows its
itinerary, fetched with `visit` and fetched again after each visit event for it; K adds a
service to the visit (the building's lines by agency, searchable), L skips a stop not begun
yet with a reason, and a finish that hands the citizen on says where to ("B-031 selesai,
diteruskan ke BPJS Kesehatan (J-014)").

Closing the counter during service hours (issue 23): U asks the floor manager with a reason (a
quick pick or typed), and reads "Batalkan pengajuan" while the request waits; a line under the
counter's state says where the request stands (waiting, approved — finish the service first —,
refused with the manager's note) until the officer's next action. Where the building requires
approval, the server refuses Q in service hours and the console shows its words.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Digits, Footer, Static

from counter.keys import FOCUS_BINDINGS, HIDDEN_WHEN_OFF, KEY_ACTIONS, KEY_BINDINGS
from counter.screens import LoginScreen, PickScreen
from counter.texts import (
    ACTION_LABELS,
    CALL_REASONS,
    CLOSURE_REASON_MAX,
    CLOSURE_REASONS,
    PAUSE_REASONS,
    SKIP_REASONS,
    add_stop_options,
    call_options,
    closure_text,
    counter_state_text,
    done_text,
    hint_text,
    identity_text,
    lines_text,
    next_text,
    normalize_number,
    normalize_server_url,
    skip_stop_options,
    ticket_detail_text,
    transfer_options,
)
from counter.view import Action, ConsoleModel, allowed_actions, parse_time
from server import protocol as p
from server.client import (
    AntreClient,
    ClientClosed,
    ConnectionLost,
    ConnectionState,
    DeviceCookies,
    HelloRefused,
    RequestError,
    default_device_file,
)

__all__ = ["DEFAULT_SERVER", "CounterApp", "main", "run"]

DEFAULT_SERVER: Final = "ws://127.0.0.1:8700/ws"
CONNECT_TIMEOUT_S: Final = 10.0  # a login that has not reached the server by then says so
ACTION_RETRY_S: Final = 15.0  # after this, say "still waiting" and keep re-sending the same id
RESYNC_DELAY_S: Final = 0.3  # after a reconnect, a fresh snapshot this much later

_CLOSE_REASONS: Final = {
    p.CLOSE_REPLACED: "Sesi ini diambil alih oleh konsol lain (petugas dan loket yang sama).",
    p.CLOSE_AUTH_FAILED: "Server menolak sesi ini. Silakan masuk kembali.",
}


class ServerFrame(Message):
    """A frame the server pushed (snapshot, event, lines…) to the session `generation`."""

    def __init__(self, generation: int, frame: dict[str, Any]) -> None:
        super().__init__()
        self.generation = generation
        self.frame = frame


class ConnectionChanged(Message):
    def __init__(self, generation: int, state: ConnectionState) -> None:
        super().__init__()
        self.generation = generation
        self.state = state


class ActionDone(Message):
    """The server's answer to one action: a reply, or a refusal to show."""

    def __init__(
        self,
        generation: int,
        action: Action,
        number: str | None,
        fields: dict[str, Any],
        reply: dict[str, Any] | None,
        refusal: str | None,
    ) -> None:
        super().__init__()
        self.generation = generation
        self.action = action
        self.number = number  # the active ticket's number when the key was pressed
        self.fields = fields
        self.reply = reply
        self.refusal = refusal


class HolderKnown(Message):
    """The server's answer to `booking_holder` for a ticket: {name, nik_masked}, or {}."""

    def __init__(self, generation: int, ticket: str, holder: dict[str, Any]) -> None:
        super().__init__()
        self.generation = generation
        self.ticket = ticket
        self.holder = holder


class ItineraryKnown(Message):
    """The server's answer to `visit` for a ticket: its visit's itinerary view (or None),
    asked for when the visit had seen `changes` changes."""

    def __init__(
        self, generation: int, ticket: str, changes: int, view: dict[str, Any] | None
    ) -> None:
        super().__init__()
        self.generation = generation
        self.ticket = ticket
        self.changes = changes
        self.view = view


class CounterApp(App[None]):
    """One counter's console."""

    CSS_PATH = "app.tcss"
    TITLE = "Antre — Konsol Loket"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [*FOCUS_BINDINGS, *KEY_BINDINGS]

    connection: reactive[str] = reactive("closed", init=False)
    pending: reactive[Action | None] = reactive(None, init=False)
    logged_in: reactive[bool] = reactive(False, init=False)
    revision: reactive[int] = reactive(0, init=False)  # bumped on every model change

    def __init__(
        self,
        server_url: str,
        counter_id: str,
        *,
        officer: str = "",
        clock: Callable[[], datetime] | None = None,
        client_options: dict[str, Any] | None = None,
        device_file: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__()
        self.server_url = normalize_server_url(server_url)
        # The device cookies of every officer who logged in here, kept across logins (and, with
        # a file, across restarts): this computer stays a known device for them, which nobody
        # else's wrong PINs can hold up (docs/protocol.md, "Guessing PINs").
        self.device_cookies = DeviceCookies(device_file)
        self.counter_id = counter_id.upper()
        self.officer = officer.upper()  # prefilled on the login screen
        self.model = ConsoleModel(self.counter_id)
        self.client: AntreClient | None = None
        # Counts sessions (logins): frames, state changes and replies of an earlier session
        # still in the message queue are recognised as stale and dropped.
        self._generation = 0
        # The local clock (tests fix it); server time = local + offset, learnt at each welcome,
        # so timers are right even when this PC's clock is not.
        self._clock = clock or (lambda: datetime.now(UTC))
        self._offset = timedelta(0)
        # Extra AntreClient arguments (tests shorten the backoff).
        self._client_options = client_options or {}
        self._refresh_due = False  # a snapshot after a reconnect is already on its way
        # Next numbers taken from `next` pushes and snapshots so far: an action's reply carries
        # them too, but a list that came while the action was under way may be newer.
        self._next_updates = 0
        self._updates_at_send = 0
        # The booked ticket whose holder is being asked for now: one request per ticket.
        self._holder_asked: str | None = None
        # The (ticket, visit change count) whose itinerary is being asked for now.
        self._itinerary_asked: tuple[str, int] | None = None

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("TERPUTUS — menyambung ulang…", id="offline", markup=False)
        yield Static("", id="identity", markup=False)
        with Horizontal(id="status-row"):
            yield Static("", id="counter-state", markup=False)
            yield Static("", id="connection", markup=False)
        yield Static("", id="closure", markup=False)
        with Horizontal(id="body"):
            with Vertical(id="current") as current:
                current.border_title = "Nomor aktif"
                with Horizontal(id="big-number"):
                    yield Static("", id="ticket-prefix", markup=False)
                    yield Digits("", id="ticket-digits")
                yield Static("", id="ticket-detail", markup=False)
            with Vertical(id="queue") as queue:
                queue.border_title = "Antrean loket ini"
                yield Static("", id="lines", markup=False)
                yield Static("", id="next", markup=False)
        yield Static("", id="notice", markup=False)
        yield Static("", id="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._render_all()
        self.set_interval(1.0, self._render_ticket)  # the running timers
        self.push_screen(LoginScreen(self.counter_id, self.officer))

    @property
    def drawable(self) -> bool:
        """False once shutting down: frames still queued then find no widgets to draw on."""
        return self.is_running and bool(self.screen_stack)

    def part(self, widget_id: str) -> Widget:
        """A widget of the console (the bottom screen, whatever is on top of it)."""
        return self.screen_stack[0].query_one(f"#{widget_id}")

    def server_now(self) -> datetime:
        return self._clock() + self._offset

    # -- rendering --------------------------------------------------------------------------

    def watch_revision(self) -> None:
        self._render_all()
        self._ask_holder()
        self._ask_itinerary()

    def watch_logged_in(self) -> None:
        self.refresh_bindings()

    def watch_pending(self, action: Action | None) -> None:
        if action is not None:
            self._notice(f"Mengirim: {ACTION_LABELS[action]}…", "info")
        self.refresh_bindings()

    def watch_connection(self, state: str) -> None:
        if not self.drawable:
            return
        offline = state == ConnectionState.RECONNECTING.value
        self.screen_stack[0].set_class(offline, "-offline")
        label = {"connected": "● Terhubung", "reconnecting": "● Terputus", "connecting": "…"}
        self.part("connection").update(label.get(state, ""))

    def _render_all(self) -> None:
        if not self.drawable:
            return
        model = self.model
        self.part("identity").update(identity_text(model))
        state = self.part("counter-state")
        state.update(f"Loket: {counter_state_text(model)}")
        for name in ("open", "paused", "closed"):
            state.set_class(model.counter_state == name, f"-{name}")
        closure, said = self.part("closure"), closure_text(model)
        closure.update(said)
        closure.display = bool(said)
        refused = model.closure is None and not (model.closure_news or {}).get("approved", True)
        closure.set_class(model.closure_pending, "-pending")
        closure.set_class(refused, "-refused")
        self.part("lines").update(lines_text(model))
        self.part("next").update(next_text(model))
        self.part("hint").update(hint_text(model) if self.logged_in else "")
        self._render_ticket()
        self.refresh_bindings()

    def _render_ticket(self) -> None:
        if not self.drawable:
            return
        active = self.model.active
        number = active.get("number", "") if active else ""
        prefix, _, digits = number.partition("-")
        self.part("ticket-prefix").update(prefix)
        self.part("ticket-digits").update(f"-{digits}" if digits else "")
        self.part("ticket-detail").update(ticket_detail_text(self.model, self.server_now()))
        self.part("current").set_class(active is not None, "-active")

    def _notice(self, text: str, kind: str = "ok") -> None:
        if not self.drawable:
            return
        notice = self.part("notice")
        notice.update(text)
        for name in ("ok", "info", "error"):
            notice.set_class(kind == name, f"-{name}")

    # -- server frames ----------------------------------------------------------------------

    def _new_client(self, hello: dict[str, Any]) -> AntreClient:
        """A client for a new session whose frames and state changes become messages."""
        self._generation += 1
        gen = self._generation
        return AntreClient(
            self.server_url,
            hello,
            on_state=lambda state: self.post_message(ConnectionChanged(gen, state)),
            on_message=lambda frame: self.post_message(ServerFrame(gen, frame)),
            device_cookies=self.device_cookies,
            **self._client_options,
        )

    @on(ServerFrame)
    def _frame(self, message: ServerFrame) -> None:
        if message.generation != self._generation:
            return  # a session we already gave up on
        frame, kind = message.frame, message.frame.get("type")
        if kind == "snapshot":
            self.model.apply_snapshot(frame)
            self._next_updates += 1
        elif kind == "event":
            self.model.apply_event(frame.get("seq", 0), frame.get("event") or {})
        elif kind == "next":
            if not self.model.apply_next(frame):
                return
            self._next_updates += 1
        elif kind == "lines":
            if self.model.apply_lines(frame.get("lines", [])) and self._idle():
                self._new_ticket_alert()
        else:
            return
        self.revision += 1

    @on(ConnectionChanged)
    def _connection(self, message: ConnectionChanged) -> None:
        client = self.client
        if message.generation != self._generation or client is None:
            return
        self.connection = message.state.value
        if message.state is ConnectionState.CONNECTED:
            server_time = parse_time((client.welcome or {}).get("server_time"))
            if server_time is not None:
                self._offset = server_time - self._clock()
            if self.logged_in:
                self.refresh_snapshot()  # the whole picture again, whoever served meanwhile
        elif message.state is ConnectionState.CLOSED and self.logged_in:
            # The server ended the session for good (another console took over, or refused).
            reason = _CLOSE_REASONS.get(client.close_code or 0, "Koneksi ditutup server.")
            self._end_session(reason)

    # -- a booked ticket's holder ------------------------------------------------------------

    def _ask_holder(self) -> None:
        """A booked ticket became active here: ask who booked it, once (name, masked NIK)."""
        ticket = self.model.holder_wanted()
        if ticket is None or ticket == self._holder_asked or self.client is None:
            return
        self._holder_asked = ticket
        self._fetch_holder(self.client, self._generation, ticket)

    @work(group="holder")
    async def _fetch_holder(self, client: AntreClient, generation: int, ticket: str) -> None:
        try:
            reply = await client.booking_holder(ticket)
        except RequestError:
            reply = {}  # not a booking the server can name (any more): the detail says so
        except (TimeoutError, ClientClosed, ConnectionLost):
            # Asked again at the next change (the snapshot after a reconnect is one).
            self._holder_asked = None
            return
        holder = {k: reply.get(k) for k in ("name", "nik_masked")}
        self.post_message(HolderKnown(generation, ticket, holder))

    @on(HolderKnown)
    def _holder_known(self, message: HolderKnown) -> None:
        if message.generation != self._generation:
            return
        self._holder_asked = None
        self.model.apply_holder(message.ticket, message.holder)
        self.revision += 1

    # -- the active ticket's visit -----------------------------------------------------------

    def _ask_itinerary(self) -> None:
        """The active ticket is a stop of a visit whose itinerary is unknown or older than the
        visit events since: ask for it (`visit`), once per change."""
        wanted = self.model.itinerary_wanted()
        if wanted is None or wanted == self._itinerary_asked or self.client is None:
            return
        self._itinerary_asked = wanted
        self._fetch_itinerary(self.client, self._generation, *wanted)

    @work(group="itinerary")
    async def _fetch_itinerary(
        self, client: AntreClient, generation: int, ticket: str, changes: int
    ) -> None:
        try:
            reply = await client.request("visit", ticket=ticket)
        except RequestError:
            return  # refused: asked again only after the visit's next change
        except (TimeoutError, ClientClosed, ConnectionLost):
            # Asked again at the next change (the snapshot after a reconnect is one).
            self._itinerary_asked = None
            return
        view = reply.get("visit")
        self.post_message(
            ItineraryKnown(generation, ticket, changes, view if isinstance(view, dict) else None)
        )

    @on(ItineraryKnown)
    def _itinerary_known(self, message: ItineraryKnown) -> None:
        if message.generation != self._generation:
            return
        # `_itinerary_asked` stays: the same (ticket, change count) is not asked again.
        self.model.apply_itinerary(message.view, message.changes)
        self.revision += 1

    def _idle(self) -> bool:
        return self.model.counter_state == "open" and self.model.active is None

    def _new_ticket_alert(self) -> None:
        """A citizen arrived on an empty line while the officer waits: a beep and a flash."""
        if not self.drawable:
            return
        self.bell()
        queue = self.part("queue")
        queue.add_class("-flash")
        self.set_timer(1.5, lambda: queue.remove_class("-flash"))

    def refresh_snapshot(self) -> None:
        """Ask for a snapshot soon (after a reconnect), at most one at a time."""
        if not self._refresh_due:
            self._refresh_due = True
            self._refresh()

    @work(group="refresh")
    async def _refresh(self) -> None:
        await asyncio.sleep(RESYNC_DELAY_S)  # a flapping connection asks once
        self._refresh_due = False
        client = self.client
        if client is None or client.state is not ConnectionState.CONNECTED:
            return
        # The reply comes back through on_message as well, in order with the events.
        with contextlib.suppress(RequestError, TimeoutError, ClientClosed, ConnectionLost):
            await client.request("snapshot", timeout=5, retry=False)

    # -- login and logout -------------------------------------------------------------------

    @on(LoginScreen.Submitted)
    def _login_submitted(self, message: LoginScreen.Submitted) -> None:
        self.officer = message.officer
        self.login(message.officer, message.pin)

    @work(exclusive=True, group="login")
    async def login(self, officer: str, pin: str) -> None:
        """Hello, then log in at the counter and open it unless that is already so."""
        hello = {**p.hello_officer(self.counter_id, officer, pin), "client": "antre-counter"}
        client = self._new_client(hello)
        self.model = ConsoleModel(self.counter_id)
        self._itinerary_asked = None
        self.client = client
        try:
            await client.connect(timeout=CONNECT_TIMEOUT_S)
            self.model.apply_welcome((client.welcome or {}).get("principal", {}))
            snap = await client.snapshot()
            mine = next((c for c in snap.get("counters", []) if c["id"] == self.counter_id), {})
            if mine.get("officer") != officer:
                mine = (await client.act("login"))["counter"] or {}
            if mine.get("state") == "closed":
                await client.act("open_counter")
            await client.snapshot()  # the opened counter, through the frame path
        except HelloRefused as exc:
            await self._login_failed(client, exc.message)
        except RequestError as exc:
            await self._login_failed(client, exc.message)
        except (TimeoutError, ClientClosed, ConnectionLost):
            await self._login_failed(
                client, f"Server tidak dapat dihubungi di {self.server_url}. Coba lagi."
            )
        except asyncio.CancelledError:
            await client.close()  # a client left running would reconnect for ever
            raise
        else:
            self.logged_in = True
            if isinstance(self.screen, LoginScreen):
                self.pop_screen()
            self._notice(f"Selamat bekerja, {self.model.officer_name}.", "ok")
            self.revision += 1

    async def _login_failed(self, client: AntreClient, text: str) -> None:
        self._generation += 1  # whatever this client still says is no news
        self.client = None
        await client.close()
        self.connection = "closed"
        if isinstance(self.screen, LoginScreen):
            self.screen.show_error(text)

    def _end_session(self, text: str) -> None:
        """Back to the login screen (logged out, or the server ended the session)."""
        client, self.client = self.client, None
        self._generation += 1
        self.logged_in = False
        self.pending = None
        if client is not None:
            self.run_worker(client.close(), group="close")
        # A question still open belongs to the session that ended: drop it unanswered.
        self.workers.cancel_group(self, "ask")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        known_name = self.model.counter_defs.get(self.counter_id, {}).get("name")
        self.model = ConsoleModel(self.counter_id)
        self.connection = "closed"
        self._notice("")
        self.revision += 1
        self.push_screen(LoginScreen(self.counter_id, self.officer, text, name=known_name))

    # -- actions: guards --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Officer keys only when logged in; greyed out when they do not apply or one is sent."""
        act = KEY_ACTIONS.get(action)
        if act is None:
            return True
        if not self.logged_in:
            return False
        if act not in allowed_actions(self.model):
            return False if act in HIDDEN_WHEN_OFF else None
        return None if self.pending is not None else True

    def send(self, action: Action, **fields: Any) -> None:
        """Send one action with a fresh request id; keys stay disabled until it is answered."""
        if self.client is None or self.pending is not None:
            return
        self.pending = action
        # The last decision has been read once the officer moves on; an approval still waiting
        # for this service to end is not old news yet (its finish closes the counter).
        if self.model.closure_news is not None and not self.model.closure_approved:
            self.model.forget_news()
            self.revision += 1
        number = (self.model.active or {}).get("number")
        self._updates_at_send = self._next_updates
        self._send(self.client, self._generation, action, number, uuid.uuid4().hex, fields)

    # Not exclusive: cancelling a request in flight would lose its answer and invite a second
    # press. `pending` refuses new presses instead.
    @work(group="action")
    async def _send(
        self,
        client: AntreClient,
        generation: int,
        action: Action,
        number: str | None,
        request_id: str,
        fields: dict[str, Any],
    ) -> None:
        reply: dict[str, Any] | None = None
        refusal: str | None = None
        while reply is None and refusal is None:
            try:
                reply = await client.request(
                    action.value, request_id=request_id, timeout=ACTION_RETRY_S, **fields
                )
            except RequestError as exc:
                refusal = exc.message or exc.code
            except TimeoutError:
                # Not answered yet (server away): keep sending the same request id.
                self._notice(f"Menunggu server: {ACTION_LABELS[action]}…", "info")
            except (ClientClosed, ConnectionLost):
                refusal = "Koneksi ditutup sebelum server menjawab."
        self.post_message(ActionDone(generation, action, number, fields, reply, refusal))

    @on(ActionDone)
    def _action_done(self, message: ActionDone) -> None:
        if message.generation != self._generation:
            return
        self.pending = None
        if message.refusal is not None:
            self._notice(message.refusal, "error")
            return
        if message.action is Action.LOGOUT:
            self._end_session("Anda telah keluar. Sampai jumpa.")
            return
        # The reply's next numbers are the newest the console has, unless a `next` push or a
        # snapshot came in while the action was under way: that list may have been sent after
        # the reply (and the server pushes a list once), so it is kept. Had it been sent before
        # the reply, the server pushes the list again after the action if the action moved it.
        fresh = self._next_updates == self._updates_at_send
        self.model.apply_reply(message.reply or {}, with_next=fresh)
        self._notice(done_text(message.action, message.number, message.fields, self.model))
        self.revision += 1

    # -- actions: one key each --------------------------------------------------------------

    def action_call_next(self) -> None:
        self.send(Action.CALL_NEXT)

    def action_recall(self) -> None:
        self.send(Action.RECALL)

    def action_start(self) -> None:
        self.send(Action.START)

    def action_finish(self) -> None:
        self.send(Action.FINISH)

    def action_no_show(self) -> None:
        self.send(Action.NO_SHOW)

    def action_resume(self) -> None:
        self.send(Action.RESUME)

    def action_open(self) -> None:
        self.send(Action.OPEN)

    @work(exclusive=True, group="ask")
    async def action_transfer(self) -> None:
        options = transfer_options(self.model)
        known = {prefix for prefix, _ in options}

        def typed(text: str) -> str | None:
            prefix = text.strip().upper()
            return prefix if prefix in known else None

        number = (self.model.active or {}).get("number", "")
        line = await self.push_screen_wait(
            PickScreen(
                f"Alihkan {number} ke layanan",
                options,
                placeholder="Atau ketik huruf layanan, mis. E",
                check=typed,
                problem="Huruf layanan tidak dikenal.",
            )
        )
        if line:
            self.send(Action.TRANSFER, line=line)

    @work(exclusive=True, group="ask")
    async def action_pause(self) -> None:
        options = [(r, r.capitalize()) for r in PAUSE_REASONS]
        reason = await self.push_screen_wait(
            PickScreen("Alasan jeda", options, placeholder="Alasan lain…")
        )
        if reason:
            self.send(Action.PAUSE, reason=reason)

    @work(exclusive=True, group="ask")
    async def action_call_number(self) -> None:
        number = await self.push_screen_wait(
            PickScreen(
                "Panggil nomor tertentu",
                call_options(self.model),
                placeholder="Ketik nomor, mis. A-017",
                check=normalize_number,
                problem="Tulis nomor seperti A-017.",
            )
        )
        if not number:
            return
        reasons = [(r, r.capitalize()) for r in CALL_REASONS]
        reason = await self.push_screen_wait(
            PickScreen(
                f"Alasan memanggil {number} di luar urutan", reasons, placeholder="Alasan lain…"
            )
        )
        if reason:
            self.send(Action.CALL_TICKET, ticket=number, reason=reason)

    @work(exclusive=True, group="ask")
    async def action_reactivate(self) -> None:
        number = await self.push_screen_wait(
            PickScreen(
                "Aktifkan lagi nomor yang tidak hadir",
                [(t["number"], f"{t['number']}  (tidak hadir)") for t in self.model.no_shows()],
                placeholder="Ketik nomor, mis. A-004",
                check=normalize_number,
                problem="Tulis nomor seperti A-004.",
            )
        )
        if number:
            self.send(Action.REACTIVATE, ticket=number)

    @work(exclusive=True, group="ask")
    async def action_add_stop(self) -> None:
        """K: one more service in this citizen's visit, from any agency of the building."""
        options = add_stop_options(self.model)
        known = {prefix for prefix, _ in options if prefix is not None}

        def typed(text: str) -> str | None:
            prefix = text.strip().upper()
            return prefix if prefix in known else None

        number = (self.model.active or {}).get("number", "")
        line = await self.push_screen_wait(
            PickScreen(
                f"Tambah layanan untuk {number}",
                options,
                placeholder="Cari instansi atau layanan, atau ketik hurufnya, mis. E",
                check=typed,
                problem="Belum satu layanan: ketik lebih lengkap, atau pilih dengan ↑↓ Enter.",
                search=True,
            )
        )
        if line:
            self.send(Action.ADD_STOP, line=line)

    @work(exclusive=True, group="ask")
    async def action_skip_stop(self) -> None:
        """L: a stop of this visit not begun yet is no longer needed; the reason is kept."""
        line = await self.push_screen_wait(
            PickScreen("Lewati layanan kunjungan ini", skip_stop_options(self.model))
        )
        if not line:
            return
        reasons = [(r, r.capitalize()) for r in SKIP_REASONS]
        reason = await self.push_screen_wait(
            PickScreen(
                f"Alasan melewati {self.model.line_agency_name(line)}",
                reasons,
                placeholder="Alasan lain…",
            )
        )
        if reason:
            self.send(Action.SKIP_STOP, line=line, reason=reason)

    @work(exclusive=True, group="ask")
    async def action_request_closure(self) -> None:
        """U: ask the floor manager to close this counter, with a reason they read."""

        def typed(text: str) -> str | None:
            reason = text.strip()
            return reason if 0 < len(reason) <= CLOSURE_REASON_MAX else None

        reason = await self.push_screen_wait(
            PickScreen(
                "Ajukan tutup loket kepada pengelola — alasan",
                [(r, r) for r in CLOSURE_REASONS],
                placeholder="Alasan lain…",
                check=typed,
                problem=f"Tuliskan alasannya (paling panjang {CLOSURE_REASON_MAX} huruf).",
            )
        )
        if reason:
            self.send(Action.REQUEST_CLOSURE, reason=reason)

    def action_withdraw_closure(self) -> None:
        self.send(Action.WITHDRAW_CLOSURE)

    @work(exclusive=True, group="ask")
    async def action_logout(self) -> None:
        options = [("ya", "Ya, keluar (loket ditutup)"), ("batal", "Batal")]
        answer = await self.push_screen_wait(PickScreen("Keluar dari loket?", options))
        if answer == "ya":
            self.send(Action.LOGOUT)

    async def on_unmount(self) -> None:
        # Closing the console does not log the officer out: like a network blink, the counter
        # stays as it is until the officer comes back (or a floor manager closes it).
        if self.client is not None:
            self._generation += 1
            await self.client.close()


def run(
    server_url: str,
    counter_id: str,
    *,
    officer: str = "",
    device_file: str | os.PathLike[str] | None = None,
) -> int:
    """Run the console in this terminal until the officer quits (Ctrl+Q); returns the exit code."""
    CounterApp(server_url, counter_id, officer=officer, device_file=device_file).run()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="antre counter", description="Konsol petugas loket.")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="server (default: %(default)s)")
    parser.add_argument("--counter", required=True, help="the counter id, e.g. L05")
    parser.add_argument("--officer", default="", help="prefill the officer id (never the PIN)")
    parser.add_argument(
        "--device-file",
        default=str(default_device_file()),
        help="where this computer keeps its device cookies (default: %(default)s)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(args.server, args.counter, officer=args.officer, device_file=args.device_file)


if __name__ == "__main__":
    raise SystemExit(main())
