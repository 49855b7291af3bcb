"""`make run-central`: a local central for the demo building, on a PostgreSQL of its own.

Starts (and on first use makes) a PostgreSQL server in `var/central/pg` on 127.0.0.1:54329
(server/central/localpg.py: as `nobody` when run as root), creates the database `antre_central`,
writes `var/central/central.toml` naming the demo building with the published demo key
(server/demo/central-demo.key: a demo's key, like the demo's PINs, never a real building's),
with the demo dashboard user of server/demo/central-demo-login.txt (its password hashed,
scope "all", printed on start), and serves `antre central` on 127.0.0.1:8800 until Ctrl-C,
then stops that PostgreSQL. The data stays in var/central/pg for the next run; `make clean`
removes it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import psycopg

__all__ = ["DEMO_KEY", "DEMO_LOGIN", "demo_login", "demo_main"]

DEMO_KEY = Path(__file__).resolve().parent.parent / "demo" / "central-demo.key"
DEMO_LOGIN = DEMO_KEY.with_name("central-demo-login.txt")


def demo_login(path: Path = DEMO_LOGIN) -> tuple[str, str]:
    """(user id, password) of the demo dashboard user: `key = value` lines, # comments."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            values[key.strip()] = value.strip()
    return values["user"], values["password"]


DATABASE = "antre_central"


def demo_main(argv: Sequence[str] | None = None) -> int:
    from server.auth import hash_password
    from server.central.app import run
    from server.central.config import load_central
    from server.central.localpg import LocalPostgres

    parser = argparse.ArgumentParser(prog="python -m server.central.demo")
    parser.add_argument("--dir", default="var/central", help="where its files go")
    parser.add_argument("--pg-port", type=int, default=54329)
    parser.add_argument("--port", type=int, default=8800)
    args = parser.parse_args(argv)
    root = Path(args.dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    user, password = demo_login()
    pg = LocalPostgres(root / "pg", args.pg_port)
    pg.init()
    started = not pg.running()
    if started:
        pg.start()
    try:
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            if not conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
            ).fetchone():
                conn.execute(f"CREATE DATABASE {DATABASE}")
        toml = root / "central.toml"
        toml.write_text(
            "# Written by `make run-central` (server/central/demo.py); docs/central.md.\n"
            f'[central]\nhost = "127.0.0.1"\nport = {args.port}\n'
            f'database = "{pg.dsn(DATABASE)}"\n\n'
            '[[buildings]]\nid = "mpp-kota-contoh"\nname = "MPP Kota Contoh"\n'
            f'region = "Kota Contoh"\nkey_file = "{DEMO_KEY}"\n\n'
            f'[[users]]\nid = "{user}"\nname = "Pengguna Demo"\n'
            f'password_hash = "{hash_password(password)}"\nscope = "all"\n'
        )
        print(
            f"Dasbor sentral: http://127.0.0.1:{args.port}/ — masuk sebagai {user}, "
            f"kata sandi {password} (demo: server/demo/{DEMO_LOGIN.name})",
            flush=True,
        )
        return run(load_central(toml))
    finally:
        if started:
            pg.stop()


if __name__ == "__main__":
    raise SystemExit(demo_main())
