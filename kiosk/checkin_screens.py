"""The booked citizen's way in: "Sudah pesan online" → scan or type the code → a ticket.

`CheckInScreen` takes the booking code from a USB barcode scanner (it types the QR's text and
Enter, like a keyboard, within a few milliseconds), a physical keyboard, or the on-screen keys.
Not one key of a scan may be lost, so the code field holds the focus for the screen's whole
life and nothing else on it can take it: every button here is touch-only (`can_focus=False`).
A touch on a key, on "Hapus" or on "Kembali" then never moves the focus away from the field,
and every key of the next scan still lands in it; the field's own Enter ends the code after
the characters before it, as they came through the same queue.

A code that cannot be one (kiosk/booking_code.py) is refused on the spot, in the kiosk's own
words, and the field is emptied for the next try; a well-formed one goes to the server
(`KioskApp.start_check_in`). `CheckInRefusedScreen` shows the server's refusal in its own
words: the number already printed for a booking checked in before (nothing is printed again:
a reprint is the floor staff's), or, for a lapsed booking when the line still takes walk-in
citizens, the way to a walk-in number (the line's priority question, as every walk-in ticket).
Both screens return to the start when left alone (the app's idle timeout).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Grid, Horizontal
from textual.widgets import Button, Footer, Input, Static

from kiosk.bigtext import big_text
from kiosk.booking_code import ALPHABET, BadCode, read_code
from kiosk.screens import KioskScreen, PriorityScreen, priority_only
from kiosk.texts import Lang, refusal_text

__all__ = ["CheckInRefusedScreen", "CheckInScreen", "touch_only", "walk_in_line"]

# Longer than any code in any of its forms, short enough that a scanner reading the wrong
# barcode (a long URL) cannot fill the screen; what is read is checked anyway.
_FIELD_MAX = 32


def touch_only(button: Button) -> Button:
    """A button that a touch presses but that never takes the keyboard's focus."""
    button.can_focus = False
    return button


class CheckInScreen(KioskScreen):
    """Scan the QR code or type the booking code; Enter (or "Lanjut") checks it in."""

    AUTO_FOCUS = "#code"
    # A scanner set to end with LF instead of CR (Enter) sends Ctrl+J: it ends the code too.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j", "submit_field", "Lanjut", show=False)
    ]

    def __init__(self, scanned: str = "") -> None:
        super().__init__()
        self._code_scanned = scanned  # scanned before this screen was up: checked in at once
        self._lang: Lang | None = None  # the language it was drawn in, once shown
        # A code went to the server from here: a second Enter (a scanner ending with CR and
        # LF) must not send it again and cancel the first on its way to the printer.
        self._sent = False

    def compose(self) -> ComposeResult:
        yield Static(self.tr("booked_online"), id="checkin-title", classes="title")
        yield Static(self.tr("checkin_prompt"), id="checkin-prompt", classes="subtitle")
        with Center():
            yield Input(
                placeholder=self.tr("checkin_placeholder"),
                id="code",
                max_length=_FIELD_MAX,
                select_on_focus=False,
            )
        yield Static("", id="code-problem", classes="problem")
        with Center(), Grid(id="keypad"):
            for char in ALPHABET:
                yield touch_only(Button(char, id=f"key-{char}", classes="key"))
        with Horizontal(id="keypad-actions"):
            yield touch_only(Button(self.tr("checkin_erase"), id="erase", classes="erase"))
            yield touch_only(
                Button(self.tr("checkin_go"), id="go", classes="go", variant="primary")
            )
        with Horizontal(classes="bar"):
            yield touch_only(Button(self.tr("back"), id="back", classes="back"))
        yield Footer()

    def on_mount(self) -> None:
        # At once, not at the app's next turn (`Widget.focus`): keys already queued behind this
        # screen's push must find the field focused.
        self.set_focus(self.field)

    def on_screen_resume(self) -> None:
        """Shown, or back from a refusal ("Ketik ulang kode"): the field empty and focused, in
        today's language; a code scanned meanwhile (`take_scan`) goes to the server at once."""
        self.set_focus(self.field)
        if self._lang is not None and self._lang is not self.kiosk.lang:
            self.call_later(self.redraw)
        self._lang = self.kiosk.lang
        self._sent = False
        self.field.value = ""
        self.query_one("#code-problem", Static).update("")
        if self._code_scanned:
            typed, self._code_scanned = self._code_scanned, ""
            self.submit(typed)

    def take_scan(self, typed: str) -> None:
        """A code scanned on the screen above this one: checked in when this one is back."""
        self._code_scanned = typed

    @property
    def field(self) -> Input:
        return self.query_one("#code", Input)

    async def redraw(self) -> None:
        """A new language keeps what was typed so far."""
        typed = self.field.value
        await super().redraw()
        self.field.value = typed
        self.set_focus(self.field)

    @on(Input.Submitted, "#code")
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit(event.value)

    @on(Button.Pressed, "#go")
    def _go(self) -> None:
        self.submit(self.field.value)

    def action_submit_field(self) -> None:
        self.submit(self.field.value)

    @on(Button.Pressed, ".key")
    def _key(self, event: Button.Pressed) -> None:
        self.field.insert_text_at_cursor((event.button.id or "").removeprefix("key-"))

    @on(Button.Pressed, "#erase")
    def _erase(self) -> None:
        self.field.action_delete_left()

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.kiosk.go_home()

    def submit(self, typed: str) -> None:
        """Check the code's form here; a good one goes to the server (once)."""
        if self._sent:
            return
        try:
            code = read_code(typed)
        except BadCode as bad:
            self.show_problem(bad)
            return
        self._sent = True
        self.kiosk.start_check_in(code)

    def show_problem(self, bad: BadCode) -> None:
        if bad.problem == "characters":
            chars = ", ".join(f"“{char}”" for char in bad.strangers)
            text = self.tr("code_characters", chars=chars, typed=bad.typed)
        elif bad.problem == "length":
            text = self.tr("code_length", n=bad.length, typed=bad.typed)
        else:
            text = self.tr("code_empty")
        self.query_one("#code-problem", Static).update(text)
        self.field.value = ""  # the next scan starts afresh


class CheckInRefusedScreen(KioskScreen):
    """The server's refusal of a check-in, with what the citizen can do next.

    Written from the refusal itself (code, Indonesian message, details) each time it is drawn,
    so that a change of language redraws it in the other one. A scan here (the right code after
    a wrong one) goes to the check-in screen under this one.
    """

    TAKES_SCAN = True

    def __init__(self, code: str, message: str | None, details: dict[str, Any] | None) -> None:
        super().__init__()
        self.code = code  # booking_not_found, booking_lapsed…
        self.message = message  # the server's own words
        self.details = details or {}
        number = self.details.get("number") if code == "booking_checked_in" else None
        # booking_checked_in: the number printed at the first check-in, shown, not printed.
        self.number = number if isinstance(number, str) and number else None
        # booking_lapsed: the line whose walk-in number the citizen may still take.
        self.walk_in = walk_in_line(self.details) if code == "booking_lapsed" else None

    def compose(self) -> ComposeResult:
        title = "already_printed" if self.number else "sorry"
        yield Static(self.tr(title), id="refused-title", classes="title")
        if self.number:
            with Center():
                yield Static(big_text(self.number), id="big-number")
            yield Static(self.number, id="number")
        text = refusal_text(self.code, self.message, self.kiosk.lang, self.details)
        yield Static(text, id="message-body", classes="message")
        if self.number:
            yield Static(self.tr("reprint_by_staff"), id="reprint-note", classes="note")
        if self.walk_in:
            view = self.kiosk.lines.get(self.walk_in, {})
            yield Static(self.tr("walk_in_possible"), id="walk-in-note", classes="subtitle")
            label = self.tr("walk_in_take", prefix=self.walk_in, name=view.get("name", ""))
            yield Button(label, id="walk-in", classes="line", variant="primary")
        with Horizontal(classes="bar"):
            if not self.number:
                yield Button(self.tr("code_again"), id="again")
            yield Button(self.tr("done"), id="home", classes="home")

    def scanned(self, typed: str) -> None:
        below = self.kiosk.screen_stack[-2]
        if isinstance(below, CheckInScreen):
            below.take_scan(typed)
            self.kiosk.pop_screen()
        else:  # pragma: no cover - a refusal is always shown over the check-in screen
            self.kiosk.open_check_in(typed)

    @on(Button.Pressed, "#walk-in")
    def _walk_in(self) -> None:
        line = self.walk_in or ""
        view = self.kiosk.lines.get(line, {})
        # The check-in screen under this one goes too: "Kembali" from the question is the start.
        self.kiosk.pop_screen()
        self.kiosk.switch_screen(PriorityScreen(line, only_priority=priority_only(view)))

    @on(Button.Pressed, "#again")
    def _again(self) -> None:
        self.kiosk.pop_screen()  # the check-in screen is under this one

    @on(Button.Pressed, "#home")
    def _home(self) -> None:
        self.kiosk.go_home()


def walk_in_line(details: dict[str, Any]) -> str | None:
    """The line a lapsed booking's citizen may still take a walk-in number of, if any."""
    line = details.get("line")
    return line if details.get("walk_in") is True and isinstance(line, str) and line else None
