"""Fixtures of the web tests: the hub tests' real server on a free port with a fake clock."""

from __future__ import annotations

import sys
from pathlib import Path

# The server fixtures live in tests/hub/hubtest.py; reuse them rather than copy them.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hub"))

from collections.abc import AsyncIterator
from typing import Any

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS
from hubtest import clock, server, start_server

__all__ = ["browser", "clock", "server", "start_server"]


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Debian's headless Chromium, driven by Playwright (never a downloaded browser)."""
    playwright_api = pytest.importorskip("playwright.async_api", reason="pip install -e '.[test]'")
    async with playwright_api.async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            await b.close()
