"""Fixtures of the report tests: the hub tests' real loopback server and the web tests' Chromium,
reused."""

import sys
from pathlib import Path

# The hub tests' helpers (a real server on 127.0.0.1, demo building, fake clock) are the one
# way to start a test server; import them rather than keep a second copy. The same for Debian's
# headless Chromium (tests/web/chromium.py), which renders the printable SKM page.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hub"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))

from chromium import browser
from hubtest import clock, server, start_server

__all__ = ["browser", "clock", "server", "start_server"]
