"""`make run-central`: the demo building delivering to a local central, in one command.

    python -m server.central.demo_building [--clock 2026-11-23T09:00+07:00] [--port 8700]
                                           [--webhook URL --webhook-secret FILE]

Runs `make run-central`'s central (server/central/demo.py: its own PostgreSQL in
var/central/pg, central on 127.0.0.1:8800) and, once central answers, the demo building's
`antre server` delivering to it: `var/central/building.toml` is the demo building file plus
`[central] url = "http://127.0.0.1:8800"` and `key_file` = the published demo key (the one
central.toml names for "mpp-kota-contoh"), with a store of its own, `var/central/building.db`
(a store's outbox positions belong to one building file's destinations: `make run`'s
var/antre.db stays out of it). While it runs, a line says what central holds each time it
changes — the events it has and today's tickets and served at central — so that
`antre simulate --live` is seen moving central. With `--webhook`, the building also delivers to
that webhook (id PORTAL-KAB) signed with the secret file's bytes: tools/webhook_receiver.py
prints them. Ctrl-C stops the three.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import psycopg

from server.central.demo import DATABASE, DEMO_KEY, demo_main
from server.central.localpg import LocalPostgres
from server.config import demo_building_path

__all__ = ["building_file", "main"]

BUILDING_ID = "mpp-kota-contoh"


def building_file(root: Path, central_url: str, webhook: tuple[str, Path] | None = None) -> Path:
    """`root/building.toml`: the demo building delivering to `central_url` with the demo key,
    and to a webhook (url, secret file) when given."""
    text = demo_building_path().read_text(encoding="utf-8")
    text += (
        "\n# Added by `make run-central` (server/central/demo_building.py): deliver to the local\n"
        "# central with the published demo key (docs/central.md).\n"
        f'[central]\nurl = "{central_url}"\nkey_file = "{DEMO_KEY}"\n'
    )
    if webhook is not None:
        url, secret = webhook
        text += f'\n[[webhooks]]\nid = "PORTAL-KAB"\nurl = "{url}"\nsecret_file = "{secret}"\n'
    path = root / "building.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return bool(json.loads(r.read()).get("ok"))
    except (OSError, ValueError):
        return False


def _watch(dsn: str, stop: threading.Event) -> None:
    """Print what central holds of the demo building whenever it changed (every 2 s)."""
    last = None
    while not stop.wait(2.0):
        with contextlib.suppress(psycopg.Error):
            with psycopg.connect(dsn, connect_timeout=2) as conn:
                seen = conn.execute(
                    "SELECT b.contiguous_seq, f.day, sum(f.issued), sum(f.served) "
                    "FROM buildings b LEFT JOIN line_figures f ON f.building = b.id "
                    "AND f.day = (SELECT max(day) FROM line_figures WHERE building = b.id) "
                    "WHERE b.id = %s GROUP BY b.contiguous_seq, f.day",
                    (BUILDING_ID,),
                ).fetchone()
            if seen is not None and seen != last and seen[0]:
                last = seen
                print(
                    f"central: {seen[0]} events of {BUILDING_ID}; {seen[1]}: "
                    f"{seen[2] or 0} tickets, {seen[3] or 0} served",
                    flush=True,
                )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.central.demo_building")
    parser.add_argument("--dir", default="var/central", help="where its files go")
    parser.add_argument("--pg-port", type=int, default=54329)
    parser.add_argument("--central-port", type=int, default=8800)
    parser.add_argument("--port", type=int, default=8700, help="the building's port")
    parser.add_argument("--clock", help="the building's clock starts here (make run's CLOCK)")
    parser.add_argument("--webhook", help="also deliver to this webhook URL (as PORTAL-KAB)")
    parser.add_argument("--webhook-secret", type=Path, help="the webhook's secret file")
    args = parser.parse_args(argv)
    if (args.webhook is None) != (args.webhook_secret is None):
        parser.error("--webhook and --webhook-secret go together")
    root = Path(args.dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    central = f"http://127.0.0.1:{args.central_port}"
    hook = None if args.webhook is None else (args.webhook, args.webhook_secret.resolve())
    config = building_file(root, central, hook)
    cmd = [sys.executable, "-m", "server.cli", "server", "--config", str(config)]
    cmd += ["--db", str(root / "building.db"), "--port", str(args.port)]
    cmd += ["--clock", args.clock] if args.clock else []
    building: list[subprocess.Popen[bytes]] = []
    stop = threading.Event()

    def start_building() -> None:
        # After central answers: the outbox would otherwise meet a refused connection and back
        # off for a few seconds before its first delivery.
        while not stop.is_set() and not _answers(central + "/healthz"):
            stop.wait(0.2)
        if not stop.is_set():
            building.append(subprocess.Popen(cmd))
            # demo_main's own PostgreSQL, with the password it made at initdb (localpg.py).
            _watch(LocalPostgres(root / "pg", args.pg_port).dsn(DATABASE), stop)

    threading.Thread(target=start_building, daemon=True).start()
    try:
        return demo_main(
            ["--dir", str(root), "--pg-port", str(args.pg_port), "--port", str(args.central_port)]
        )
    finally:
        stop.set()
        for proc in building:
            if proc.poll() is None:
                proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(20)
            if proc.poll() is None:
                proc.kill()


if __name__ == "__main__":
    raise SystemExit(main())
