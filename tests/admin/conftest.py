"""Fixtures of the admin app tests: the hub tests' real loopback server, reused."""

import sys
from pathlib import Path

# The hub tests' helpers (a real server on 127.0.0.1, demo building, fake clock, key bursts) are
# the one way to start a test server; import them rather than keep a second copy.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hub"))

from hubtest import clock, server, start_server

__all__ = ["clock", "server", "start_server"]
