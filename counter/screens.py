"""The console's secondary screens: the officer's login and one picker for every question.

Every question the console asks (which line to transfer to, why the counter pauses, which
number to call and why, which no-show to reactivate, whether to log out, which service to add
to a visit or skip and why, why the counter should close) is the same small modal: a list to
choose from with the arrow keys and Enter, optionally a line to type in, and Esc to cancel. One
widget, learnt once. A long list (every line of the building, by agency) may be searched: what
is typed narrows the list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.markup import escape
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
            yield Static(
                f"Antre — {self._name or 'Loket ' + self._counter_id}",
                id="login-title",
                markup=False,
            )
            yield Static("Masuk petugas", id="login-subtitle")
            yield Input(self._officer, placeholder="ID petugas", id="officer")
            yield Input(placeholder="PIN", password=True, id="pin")
            yield Static(self._message, id="login-error", markup=False)
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
    """Choose one option (Enter), or type one (Enter) when typing is allowed; Esc cancels.

    An option whose value is None is a heading (an agency above its lines): shown, never
    chosen, skipped by the arrow keys. With `search`, the typing line comes first and narrows
    the list to the options whose label (with their heading) holds every typed word; Enter
    there takes what `check` makes of the text, else the one option left; ↓ goes to the list.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "cancel", "Batal"),
        Binding("down", "to_list", "Daftar", show=False),
    ]

    def __init__(
        self,
        title: str,
        options: Sequence[tuple[str | None, str]],
        *,
        placeholder: str | None = None,
        check: Callable[[str], str | None] | None = None,
        problem: str = "Isian tidak dikenali.",
        search: bool = False,
    ) -> None:
        super().__init__()
        self._title = title
        self._options = list(options)  # (value, label); value None: a heading
        self._placeholder = placeholder  # None: choose from the list only
        # Turns typed text into the value to return, or None when it is not acceptable.
        self._check = check or (lambda text: text.strip() or None)
        self._problem = problem
        self._search = search and placeholder is not None

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box") as box:
            box.border_title = escape(self._title)  # names and numbers, never markup
            field = None
            if self._placeholder is not None:
                field = Input(placeholder=self._placeholder, id="pick-text")
            if field is not None and self._search:
                yield field
            if self._options:
                yield OptionList(*self._shown(""))
            if field is not None and not self._search:
                yield field
            yield Static("", id="pick-error", markup=False)
            help_text = "↑↓ Enter: pilih · " if self._options else ""
            if self._search:
                help_text = "Ketik untuk mencari · " + help_text
            yield Static(f"{help_text}Esc: batal", id="pick-help")

    def _matching(self, text: str) -> list[tuple[str | None, str]]:
        """The options (and their headings) holding every word typed, in their order."""
        words = text.lower().split()
        out: list[tuple[str | None, str]] = []
        heading: tuple[str | None, str] | None = None
        for value, label in self._options:
            if value is None:
                heading = (value, label)
                continue
            haystack = f"{heading[1] if heading else ''} {label}".lower()
            if all(word in haystack for word in words):
                if heading is not None and heading not in out:
                    out.append(heading)
                out.append((value, label))
        return out

    def _shown(self, text: str) -> list[Option]:
        return [
            Option(escape(label), id=value, disabled=value is None)
            for value, label in self._matching(text)
        ]

    @on(Input.Changed, "#pick-text")
    def _narrow(self, event: Input.Changed) -> None:
        if self._search and self._options:
            self.query_one(OptionList).set_options(self._shown(event.value))
            self.query_one("#pick-error", Static).update("")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # ↓ leaves the typing line for the list; in the list it is the list's own key.
        if action == "to_list":
            return isinstance(self.focused, Input) and bool(self._options)
        return True

    def action_to_list(self) -> None:
        options = self.query_one(OptionList)
        self.set_focus(options)
        if options.highlighted is None:
            options.action_first()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(event.option.id)

    @on(Input.Submitted, "#pick-text")
    def _typed(self, event: Input.Submitted) -> None:
        value = self._check(event.value)
        if value is None and self._search:
            left = [v for v, _ in self._matching(event.value) if v is not None]
            value = left[0] if len(left) == 1 else None
        if value is None:
            self.query_one("#pick-error", Static).update(self._problem)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
