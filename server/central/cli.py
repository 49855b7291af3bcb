"""`antre central --config central.toml [--port N]`: central reporting (docs/central.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["central_main"]


def central_main(argv: Sequence[str] | None = None) -> int:
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
