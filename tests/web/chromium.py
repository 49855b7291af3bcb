"""Debian's Chromium for the browser tests: where it is, its flags, where pictures go."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

__all__ = ["ARTIFACTS", "CHROMIUM", "CHROMIUM_ARGS", "needs_chromium"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags from DOMAIN.md §8: Debian's chromium headless in a container, and nothing phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]
# Screenshots and measured figures for humans (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make system-deps)"
)
