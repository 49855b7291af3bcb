"""The `antre` command: one entry point, a subcommand per part.

Each subcommand imports its part lazily, so `antre --help` stays fast and a part that is not
installed or not built yet cannot break the others.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import importlib.util
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from server import __version__

__all__ = [
    "DEFAULT_DB",
    "DEFAULT_PORT",
    "build_parser",
    "check_main",
    "export_main",
    "hash_pin_main",
    "main",
    "running_clock",
]

DEFAULT_PORT = 8700
DEFAULT_DB = "var/antre.db"

# Parts that parse their own arguments: `antre <part> ARGS…` hands ARGS to `module.function`.
# A part whose module is not installed is left out of the command, not broken.
PARTS: dict[str, tuple[str, str, str]] = {
    "kiosk": ("kiosk.cli", "main", "the citizen's ticket kiosk (touch screen and printer)"),
    "counter": ("counter.app", "main", "the officer's counter console"),
    "floor": ("display.floor", "main", "the floor manager's live dashboard"),
    "admin": ("display.admin", "main", "the building's live administration (admin app)"),
    "report": ("server.report.cli", "report_main", "the day's figures and ticket journal, as CSV"),
    "simulate": ("server.simulate.cli", "simulate_main", "replay a day on the queue core"),
    "central": ("server.central.cli", "central_main", "central reporting on PostgreSQL"),
}


def _installed_parts() -> dict[str, tuple[str, str, str]]:
    return {
        name: part for name, part in PARTS.items() if importlib.util.find_spec(part[0]) is not None
    }


def running_clock(start: datetime) -> Callable[[], datetime]:
    """A clock that reads `start` now and then advances in real time (monotonic)."""
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


def _parse_clock(text: str) -> datetime:
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date-time: {text!r}") from None
    if start.tzinfo is None:
        raise argparse.ArgumentTypeError("give the zone too, e.g. 2026-11-23T09:00+07:00")
    return start


def _cmd_server(args: argparse.Namespace) -> int:
    from server.app import run
    from server.config import ConfigError, demo_building_path, load_building_file

    config = Path(args.config) if args.config else demo_building_path()
    try:
        building, identity = load_building_file(config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    return run(
        building,
        args.db,
        args.host,
        args.port,
        config_path=config,
        show_demo_credentials=args.config is None,
        clock=running_clock(args.clock) if args.clock else None,
        identity=identity,
        accept_building=args.accept_building,
        take_file=args.take_file,
    )


def _cmd_backup(args: argparse.Namespace) -> int:
    from server.backup import backup_main

    return backup_main(args.db, args.dest)


def check_main(path: str, *, today: date | None = None) -> int:
    """`antre config check FILE`: print a summary and return 0, or every problem and return 1."""
    from server.config import ConfigError, load_building
    from server.config.booking import booking_warnings
    from server.config.desks import unspoken_names

    try:
        building = load_building(path)
    except ConfigError as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        return 1
    print(
        f"OK: {building.name}: {len(building.agencies)} agencies, {len(building.lines)} lines, "
        f"{len(building.counters)} counters, {len(building.devices)} devices, "
        f"{len(building.officers)} officers"
    )
    # Holidays change every year (SKB 3 Menteri); a stale list opens the building on a holiday.
    year = (today or date.today()).year
    if not any(h.day.year == year for h in building.holidays):
        print(
            f"warning: {path}: no holidays listed for {year}; add this year's national holidays",
            file=sys.stderr,
        )
    # A name that does not show the label: the TV and the voice would name the desk differently.
    for counter, words in unspoken_names(building):
        print(
            f'warning: {path}: counters[{counter.id}]: TVs show "{counter.name}" but the voice '
            f'says "{words}"; add spoken = "…" to say the desk as it is labelled',
            file=sys.stderr,
        )
    # Booking settings a building runs with, but whose slots would not keep their promise.
    for key, message in booking_warnings(building):
        print(f"warning: {path}: {key}: {message}", file=sys.stderr)
    return 0


def export_main(
    config: str | None, out: str | None, *, force: bool = False, when: datetime | None = None
) -> int:
    """`antre config export [--config FILE] [--out FILE]`: write the building as a building
    file (stdout without --out); 1 with the config's own problems, or when --out exists."""
    from server.config import ConfigError, demo_building_path, load_building
    from server.config.export import ExportError, building_toml

    source = config or str(demo_building_path())
    try:
        building = load_building(source)
    except ConfigError as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        return 1
    target = Path(out) if out is not None else None
    if target is not None and target.exists() and not force:
        print(f"error: {target} exists; choose another file or add --force", file=sys.stderr)
        return 1
    base = (target.parent if target is not None else Path()).resolve()
    try:
        text = building_toml(building, base=base, when=when or datetime.now(building.tz))
    except ExportError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if target is None:
        sys.stdout.write(text)
        return 0
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as e:
        print(f"error: cannot write {target}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"wrote {target}: {building.name}", file=sys.stderr)
    return 0


def hash_pin_main(pin: str | None) -> int:
    """`antre config hash-pin [PIN]`: print the scrypt hash of a PIN (asked for if not given)."""
    from server.auth import hash_pin
    from server.config.people import PIN_RE

    if pin is None:
        try:
            pin = getpass.getpass("PIN: ")
            again = getpass.getpass("PIN again: ")
        except (EOFError, KeyboardInterrupt):
            print("error: no PIN given", file=sys.stderr)
            return 1
        if pin != again:
            print("error: the two PINs differ", file=sys.stderr)
            return 1
    if not PIN_RE.fullmatch(pin):
        print("error: a PIN is 4 to 12 digits", file=sys.stderr)
        return 1
    print(hash_pin(pin))
    return 0


def _cmd_config_check(args: argparse.Namespace) -> int:
    return check_main(args.file)


def _cmd_config_export(args: argparse.Namespace) -> int:
    if args.db is not None:
        return export_live_main(args.db, args.out, force=args.force)
    return export_main(args.config, args.out, force=args.force)


def export_live_main(db: str, out: str | None, *, force: bool = False) -> int:
    """`antre config export --db DB [--out FILE]`: the live building of a store (its building
    file plus the live edits, as the server last kept it), to take back into the file."""
    import sqlite3

    from server.live_building import LIVE_TEXT, LIVE_VERSION

    try:
        con = sqlite3.connect(f"file:{Path(db).resolve()}?mode=ro", uri=True)
        try:
            rows = dict(
                con.execute(
                    "SELECT key, value FROM meta WHERE key IN (?, ?)", (LIVE_TEXT, LIVE_VERSION)
                ).fetchall()
            )
        finally:
            con.close()
    except sqlite3.Error as e:
        print(f"error: cannot read {db}: {e}", file=sys.stderr)
        return 1
    text = rows.get(LIVE_TEXT)
    if not text:
        # None: never edited live; "": a start with --take-file dropped the edits (or adopted
        # a file holding them), so the building is its file's again.
        print(
            f"error: {db} has no live edits (none made, or dropped by a start with "
            "--take-file): its building is its building file's (antre config export --config "
            "FILE)",
            file=sys.stderr,
        )
        return 1
    target = Path(out) if out is not None else None
    if target is not None and target.exists() and not force:
        print(f"error: {target} exists; choose another file or add --force", file=sys.stderr)
        return 1
    header = f"# The live building of {db}, version {rows.get(LIVE_VERSION, '?')} (antre admin)\n"
    if target is None:
        sys.stdout.write(header + text)
        return 0
    try:
        target.write_text(header + text, encoding="utf-8")
    except OSError as e:
        print(f"error: cannot write {target}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"wrote {target}: version {rows.get(LIVE_VERSION, '?')}", file=sys.stderr)
    return 0


def _cmd_config_hash_pin(args: argparse.Namespace) -> int:
    return hash_pin_main(args.pin)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="antre",
        description="Antre: the counter queue system for a Mal Pelayanan Publik.",
    )
    parser.add_argument("--version", action="version", version=f"antre {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    srv = sub.add_parser("server", help="run the queue server (websockets + HTTP on one port)")
    srv.add_argument("--config", help="building TOML file (default: the demo building)")
    srv.add_argument("--db", default=DEFAULT_DB, help=f"SQLite store (default: {DEFAULT_DB})")
    srv.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    srv.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default: %(default)s)")
    srv.add_argument(
        "--clock",
        type=_parse_clock,
        metavar="ISO",
        help="run the building's clock from this instant (demos and tests outside office "
        "hours), e.g. 2026-11-23T09:00+07:00; it then advances in real time",
    )
    srv.add_argument(
        "--accept-building",
        action="store_true",
        help="serve this building file although the store records another building's name "
        "(the building was renamed); see docs/operations.md",
    )
    srv.add_argument(
        "--take-file",
        action="store_true",
        help="serve this building file although it changed since live edits were made "
        "(antre admin): the file wins, the live edits are dropped; see docs/operations.md",
    )
    srv.set_defaults(func=_cmd_server)

    for name, (_module, _function, summary) in _installed_parts().items():
        sub.add_parser(name, help=summary, add_help=False)

    bak = sub.add_parser(
        "backup", help="copy the live store consistently (SQLite online backup) while serving"
    )
    bak.add_argument("dest", help="a file, or a directory for a dated file")
    bak.add_argument("--db", default=DEFAULT_DB, help=f"the live store (default: {DEFAULT_DB})")
    bak.set_defaults(func=_cmd_backup)

    cfg = sub.add_parser("config", help="building configuration tools")
    cfg_sub = cfg.add_subparsers(dest="config_command", metavar="ACTION")
    check = cfg_sub.add_parser("check", help="validate a building TOML file")
    check.add_argument("file")
    check.set_defaults(func=_cmd_config_check)
    exp = cfg_sub.add_parser(
        "export", help="write the building as a building file (every setting, no comments)"
    )
    exp.add_argument("--config", help="building TOML file (default: the demo building)")
    exp.add_argument("--out", help="the file to write (default: standard output)")
    exp.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    exp.add_argument(
        "--db",
        help="write the live building of this store instead (the file plus the live edits)",
    )
    exp.set_defaults(func=_cmd_config_export)
    hp = cfg_sub.add_parser("hash-pin", help="print the hash of a PIN for the config file")
    hp.add_argument("pin", nargs="?", help="the PIN (asked for when omitted)")
    hp.set_defaults(func=_cmd_config_hash_pin)
    cfg.set_defaults(func=lambda _args: (cfg.print_help(), 2)[1])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parts = _installed_parts()
    if argv and argv[0] in parts:
        module, function, _summary = parts[argv[0]]
        return int(getattr(importlib.import_module(module), function)(argv[1:]) or 0)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
