"""The console's secondary screens: the officer's login and one picker for every question.

Every question the console asks (which line to transfer to, why the counter pauses, which
number to call and why, which no-show to reactivate, whether to log out) is the same small
modal: a list to choose from with the arrow keys and Enter, optionally a line to type in, and
Esc to cancel. One widget, learnt once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

__all__ = ["LoginScreen", "PickScreen"]


class LoginScreen(Screen[None]):
    """Officer id and PIN for one counter; the app does the talking and reports back here.

    Every focus move happens in key order, so that keys typed in one burst (a fast typist on a
    busy console, a badge scanner) each land in the field they were typed for: Enter in the id
    field is a priority binding (run when the app reads the key, not after the key has bubbled
    back up, by which time the PIN's digits would have gone to the id field), and the focus is
    set at once (`set_focus`), never later (`Widget.focus` waits for the app's queue, behind the
    keys already in it). Tab is the app's own priority binding (counter/keys.py).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "to_pin", "PIN", show=False, priority=True)
    ]

    class Submitted(Message):
        """The officer pressed Enter on the PIN."""

        def __init__(self, officer: str, pin: str) -> None:
            super().__init__()
            self.officer = officer
            self.pin = pin

    def __init__(
        self, counter_id: str, officer: str = "", message: str = "", *, name: str | None = None
    ) -> None:
        super().__init__()
        self._counter_id = counter_id
        # The desk's name from the last snapshot ("Loket 3A"), after a logout; before the first
        # login the console knows only the id it was started with.
        self._name = name
        self._officer = officer  # prefilled from the command line, or the last one used
        self._message = message  # why we are here again (logged out, session taken over…)
        self._busy = False  # a login is under way: a second Enter must not start another

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Static(f"Antre — {self._name or 'Loket ' + self._counter_id}", id="login-title")
            yield Static("Masuk petugas", id="login-subtitle")
            yield Input(self._officer, placeholder="ID petugas", id="officer")
            yield Input(placeholder="PIN", password=True, id="pin")
            yield Static(self._message, id="login-error")
            yield Static("Enter: masuk", id="login-help")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#pin" if self._officer else "#officer", Input))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Enter in the PIN field is not ours: it reaches the field after the PIN's own digits.
        if action == "to_pin":
            return self.focused is not None and self.focused.id == "officer"
        return True

    def action_to_pin(self) -> None:
        self.set_focus(self.query_one("#pin", Input))

    @on(Input.Submitted, "#pin")
    def _pin_entered(self) -> None:
        if self._busy:
            return
        officer = self.query_one("#officer", Input).value.strip().upper()
        pin = self.query_one("#pin", Input).value.strip()
        if not officer or not pin:
            self.show_error("Isi ID petugas dan PIN.")
            return
        self.query_one("#login-error", Static).update("Menghubungkan…")
        self._busy = True
        self.post_message(self.Submitted(officer, pin))

    def show_error(self, text: str) -> None:
        """Show why the login failed; the PIN is cleared for the next attempt."""
        self._busy = False
        self.query_one("#login-error", Static).update(text)
        pin = self.query_one("#pin", Input)
        pin.value = ""
        self.set_focus(pin)


class PickScreen(ModalScreen[str | None]):
    """Choose one option (Enter), or type one (Enter) when typing is allowed; Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [("escape", "cancel", "Batal")]

    def __init__(
        self,
        title: str,
        options: Sequence[tuple[str, str]],
        *,
        placeholder: str | None = None,
        check: Callable[[str], str | None] | None = None,
        problem: str = "Isian tidak dikenali.",
    ) -> None:
        super().__init__()
        self._title = title
        self._options = list(options)  # (value, label)
        self._placeholder = placeholder  # None: choose from the list only
        # Turns typed text into the value to return, or None when it is not acceptable.
        self._check = check or (lambda text: text.strip() or None)
        self._problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box") as box:
            box.border_title = self._title
            if self._options:
                yield OptionList(*(Option(label, id=value) for value, label in self._options))
            if self._placeholder is not None:
                yield Input(placeholder=self._placeholder, id="pick-text")
            yield Static("", id="pick-error")
            help_text = "↑↓ Enter: pilih · " if self._options else ""
            yield Static(f"{help_text}Esc: batal", id="pick-help")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Input.Submitted, "#pick-text")
    def _typed(self, event: Input.Submitted) -> None:
        value = self._check(event.value)
        if value is None:
            self.query_one("#pick-error", Static).update(self._problem)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
