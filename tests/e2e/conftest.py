"""Fixtures of the end-to-end walk: every part's own test helpers, reused, none copied.

The real server of the hub tests (tests/hub/hubtest.py), the kiosk's loopback ESC/POS printer
and its decoder (tests/kiosk/), the counter console's helpers (tests/counter/), Debian's
headless Chromium with the phone page's, survey's and tablet's helpers (tests/web/), the floor
dashboard's (tests/floor/) and the SKM report's (tests/report/).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hub"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "kiosk"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "counter"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "floor"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "report"))

from chromium import browser
from hubtest import clock, start_server
from kiosktest import printer

__all__ = ["browser", "clock", "printer", "start_server"]
