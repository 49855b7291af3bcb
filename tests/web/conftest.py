"""Fixtures of the web tests: the hub tests' real server on a free port with a fake clock."""

from __future__ import annotations

import sys
from pathlib import Path

# The server fixtures live in tests/hub/hubtest.py; reuse them rather than copy them.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hub"))

from chromium import browser
from hubtest import clock, server, start_server

__all__ = ["browser", "clock", "server", "start_server"]
