"""Fixtures of the outbox tests: the hub tests' real server (tests/hub/hubtest.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hub"))

from hubtest import clock, start_server

__all__ = ["clock", "start_server"]
