"""Central's tests run against one real PostgreSQL server for the whole session.

`postgres` starts it once (server/central/localpg.py: initdb into a temporary directory, 127.0.0.1
on a free port, as `nobody` when the suite runs as root) and migrates a template database;
`central_db` gives each test a fresh database copied from that template (CREATE DATABASE …
TEMPLATE: milliseconds, where migrating each one would not be).
"""

from __future__ import annotations

import itertools
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from server.central.localpg import LocalPostgres, free_port
from server.central.schema import migrate

sys.path.insert(0, str(Path(__file__).resolve().parent))
for _beside in ("web", "report", "engine"):  # the browser, and the report's booking story
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / _beside))

from chromium import browser  # noqa: E402, F401  (a fixture: Debian's headless Chromium)
from test_report_bookings import story as booking_story  # noqa: E402, F401  (a fixture)

TEMPLATE = "central_template"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    root = Path(tempfile.mkdtemp(prefix="antre-pg-"))
    pg = LocalPostgres(root, free_port())
    pg.init()
    pg.start()
    try:
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        with psycopg.connect(pg.dsn(TEMPLATE), autocommit=True) as conn:
            migrate(conn)
        yield pg
    finally:
        try:
            pg.stop("fast")
        finally:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def central_db(postgres: LocalPostgres) -> Iterator[str]:
    """The connection string of a fresh, migrated central database."""
    name = f"central_{next(_names)}"
    with psycopg.connect(postgres.dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    yield postgres.dsn(name)
    with psycopg.connect(postgres.dsn(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
