"""Replayable randomness for the whole suite.

A test that draws random choices (the fault tests' kill moments, say) takes the `rng` fixture: a
`random.Random` seeded from `ANTRE_TEST_SEED` when that is set, or else from a fresh seed on each
run, so that CI keeps exploring other moments. A failing test that used it names its seed in the
report and in a section just above the short summary:

    ============ replay with the same random choices ============
    ANTRE_TEST_SEED=<n> .venv/bin/pytest 'tests/faults/test_fault_crash.py::test_...'

Running that command draws the same choices again.

Hypothesis property tests have their own replay: the profile loaded here prints, for a failure,
the `@reproduce_failure(...)` decorator that reruns exactly the failing example (the CI profile,
which Hypothesis loads by itself on CI, does the same and also derandomizes).
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Generator

import pytest
from hypothesis import settings

SEED_ENV = "ANTRE_TEST_SEED"
_SEED = pytest.StashKey[int]()

# On top of whichever profile is loaded (`default`, or `ci` on a CI machine): print the blob.
settings.register_profile("antre", settings(print_blob=True))
settings.load_profile("antre")


def _seed() -> int:
    given = os.environ.get(SEED_ENV, "").strip()
    if given:
        return int(given, 0)
    return secrets.randbits(32)


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> random.Random:
    """A `random.Random` whose seed a failure reports and `ANTRE_TEST_SEED` sets."""
    seed = _seed()
    request.node.stash[_SEED] = seed
    print(f"random choices: seed {seed} ({SEED_ENV}={seed} draws them again)")
    return random.Random(seed)


def replay_line(item: pytest.Item) -> str | None:
    """The command that replays `item`'s random choices, if it drew any."""
    seed = item.stash.get(_SEED, None)
    if seed is None:
        return None
    return f"{SEED_ENV}={seed} .venv/bin/pytest '{item.nodeid}'"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    line = replay_line(item)
    if report.failed and line is not None:
        report.sections.append(("replay", line))
        report.user_properties.append(("replay", line))  # also in a JUnit XML report
        crash = getattr(report.longrepr, "reprcrash", None)
        if crash is not None:  # the short summary's "FAILED test - message", when it fits
            crash.message = f"[{SEED_ENV}={item.stash[_SEED]}] {crash.message}"
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Just above the short summary: the command that replays each failure's random choices."""
    lines = [
        value
        for kind in ("failed", "error")
        for report in terminalreporter.stats.get(kind, [])
        for name, value in getattr(report, "user_properties", ())
        if name == "replay"
    ]
    if lines:
        terminalreporter.section("replay with the same random choices", sep="=")
        for line in dict.fromkeys(lines):
            terminalreporter.line(line)
