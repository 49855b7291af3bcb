"""Fixtures of the hub tests; the helpers live in hubtest.py (importable by the test modules)."""

from hubtest import clock, server, start_server

__all__ = ["clock", "server", "start_server"]
