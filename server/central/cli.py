"""`antre central --config central.toml [--port N]`: central reporting (docs/central.md).

`antre central forget-after --config central.toml --building ID --seq N`: delete a building's
events after seq N and fold its figures again (after the building's store was restored from a
back-up whose last seq is N: docs/operations.md, "Restoring a store that delivers").

`antre central hash-password [--stdin]`: the scrypt hash of a dashboard user's password, for
central.toml's `[[users]] password_hash` (asked twice without echo, or one line of stdin).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

__all__ = ["PASSWORD_MIN", "central_main", "forget_after_main", "hash_password_main"]

PASSWORD_MIN = 10  # characters: a dashboard on the internet, locked after a few wrong tries


def hash_password_main(argv: Sequence[str]) -> int:
    from server.auth import hash_password

    parser = argparse.ArgumentParser(
        prog="antre central hash-password",
        description="Print the hash of a dashboard user's password for central.toml.",
    )
    parser.add_argument("--stdin", action="store_true", help="read the password from stdin")
    args = parser.parse_args(argv)
    try:
        if args.stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password again: ") != password:
                print("error: the two passwords differ", file=sys.stderr)
                return 1
    except (EOFError, KeyboardInterrupt):
        print("error: no password given", file=sys.stderr)
        return 1
    if len(password) < PASSWORD_MIN:
        print(f"error: a password is at least {PASSWORD_MIN} characters", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


def forget_after_main(argv: Sequence[str]) -> int:
    import psycopg

    from server.central.config import ConfigError, load_central
    from server.central.ingest import UnknownBuilding, forget_after
    from server.central.schema import migrate

    parser = argparse.ArgumentParser(
        prog="antre central forget-after",
        description="Delete a building's events after a seq and fold its figures again: run "
        "it after restoring the building's store from a back-up whose last seq is that one.",
    )
    parser.add_argument("--config", required=True, help="central.toml (docs/central.md)")
    parser.add_argument("--building", required=True, help="the building's id")
    parser.add_argument("--seq", type=int, required=True, help="the restored store's last seq")
    args = parser.parse_args(argv)
    if args.seq < 0:
        print("error: --seq is a seq of the building's log, 0 or more", file=sys.stderr)
        return 2
    try:
        config = load_central(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    with psycopg.connect(config.database, autocommit=True) as conn:
        migrate(conn)
        try:
            deleted, contiguous = forget_after(conn, args.building, args.seq)
        except UnknownBuilding:
            print(f"error: central has no building {args.building!r}", file=sys.stderr)
            return 2
    print(f"{args.building}: {deleted} events after seq {args.seq} deleted; figures folded "
          f"again up to seq {contiguous}")  # fmt: skip
    return 0


def central_main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["hash-password"]:
        return hash_password_main(argv[1:])
    if argv[:1] == ["forget-after"]:
        return forget_after_main(argv[1:])
    from server.central.app import run
    from server.central.config import ConfigError, load_central

    parser = argparse.ArgumentParser(
        prog="antre central",
        description="Central reporting: buildings push their signed events; PostgreSQL keeps "
        "them and each building's figures per line and day.",
    )
    parser.add_argument("--config", required=True, help="central.toml (docs/central.md)")
    parser.add_argument("--port", type=int, help="listen on this port instead of the file's")
    args = parser.parse_args(argv)
    try:
        config = load_central(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.port is not None:
        from dataclasses import replace

        config = replace(config, port=args.port)
    return run(config)
