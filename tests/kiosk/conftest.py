"""Fixtures of the kiosk tests: the hub tests' real server, plus a loopback ESC/POS printer."""

import sys
from pathlib import Path

# The hub tests' helpers (a real server on 127.0.0.1, demo building, fake clock) are the one way
# to start a test server; import them rather than keep a second copy.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hub"))

from hubtest import clock, server, start_server
from kiosk_bookings import booked_server
from kiosktest import printer

__all__ = ["booked_server", "clock", "printer", "server", "start_server"]
