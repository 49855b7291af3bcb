"""Keys as a USB barcode scanner or a fast typist sends them: all at once, into a Textual app.

`pilot.press` waits for the app to go idle after every key, so it can never show a key that is
lost because the next one arrived first. A scanner types a whole code and Enter within a few
milliseconds, and a busy console turns any fast typing into the same burst: the terminal driver
has every key in the app's message queue before the app handles the first.

`send_burst` does exactly what Textual's Linux driver does with the bytes it reads from the
terminal: the real xterm parser turns them into key events, and each event goes to the app's
queue through the driver, one after another, with no waiting in between. Text is written as
the terminal sends it: "\\t" is Tab, "\\r" is Enter, "\\x1b[Z" is Shift+Tab.
"""

from __future__ import annotations

from typing import Any

# Private to Textual, but it is the parser the real driver runs on the terminal's bytes: a
# copy of its key naming ("minus", "shift+tab"…) would be a second guess at the truth.
from textual._xterm_parser import XTermParser

__all__ = ["ENTER", "SHIFT_TAB", "TAB", "send_burst"]

TAB = "\t"
ENTER = "\r"
SHIFT_TAB = "\x1b[Z"


def send_burst(app: Any, typed: str) -> int:
    """Put every key of `typed` in the app's queue at once, as the terminal driver would;
    the number of key events sent."""
    driver = app._driver
    assert driver is not None, "the app is not running"
    parser = XTermParser()
    events = [*parser.feed(typed), *parser.tick()]
    for event in events:
        driver.process_message(event)  # sets the sender, then send_message: the driver's path
    return len(events)
