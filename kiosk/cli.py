"""`antre kiosk`: the command line of the kiosk (argparse only, so `antre --help` stays fast).

The lead's `server/cli.py` wires it as a subcommand:

    kio = sub.add_parser("kiosk", help="run the ticket kiosk (touch screen + printer)")
    kiosk.cli.add_arguments(kio)
    kio.set_defaults(func=kiosk.cli.run_from_args)

and `python -m kiosk …` runs the same thing on its own.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["add_arguments", "main", "run_from_args"]

DEFAULT_LOG = "var/kiosk.log"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        default="ws://127.0.0.1:8700/ws",
        help="the Antre server: ws://HOST:PORT/ws, http://HOST:PORT or HOST:PORT "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("ANTRE_KIOSK_TOKEN"),
        help="this kiosk's device token (default: $ANTRE_KIOSK_TOKEN; prefer --token-file, "
        "a token on the command line shows in the process list)",
    )
    parser.add_argument("--token-file", help="read the device token from this file")
    parser.add_argument(
        "--printer",
        default="dummy:var/tickets.bin",
        help="tcp://HOST:9100, usb:VENDOR:PRODUCT, serial:/dev/ttyUSB0?baud=19200, "
        "file:/dev/usb/lp0 or dummy:FILE; options ?paper=58, ?profile=NAME, ?qr=image "
        "(default: %(default)s; see docs/operations.md)",
    )
    parser.add_argument(
        "--public-url",
        help="base address printed in the QR code, as citizens' phones reach the server "
        "(default: the server's own http address)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=45.0,
        metavar="S",
        help="return to the start after S seconds untouched (default: %(default)s)",
    )
    parser.add_argument(
        "--printer-check",
        type=float,
        default=30.0,
        metavar="S",
        help="ask the printer for its status every S seconds (default: %(default)s)",
    )
    parser.add_argument("--log", default=DEFAULT_LOG, help="log file (default: %(default)s)")


def run_from_args(args: argparse.Namespace) -> int:
    """Build the kiosk from parsed arguments and run it; the exit status."""
    token = args.token
    if args.token_file:
        token = Path(args.token_file).read_text(encoding="utf-8").strip()
    if not token:
        print("antre kiosk: give --token-file, --token or $ANTRE_KIOSK_TOKEN", file=sys.stderr)
        return 2
    from kiosk.printer import PrinterSpec, open_printer

    try:
        spec = PrinterSpec.parse(args.printer)
    except ValueError as exc:
        print(f"antre kiosk: {exc}", file=sys.stderr)
        return 2
    if spec.kind == "dummy" and spec.target:
        Path(spec.target).parent.mkdir(parents=True, exist_ok=True)
    # A full-screen app owns the terminal: logs go to a file, never to stderr.
    Path(args.log).parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=args.log,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,  # a library may have configured the root logger at import
    )
    from kiosk.app import KioskConfig, run

    config = KioskConfig(
        server_url=args.server,
        token=token,
        public_url=args.public_url,
        idle_timeout_s=args.idle_timeout,
        printer_check_s=args.printer_check,
    )
    logging.getLogger("antre.kiosk").info("kiosk starting: %s, printer %s", args.server, spec)
    return run(config, open_printer(spec))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="antre kiosk", description="The Antre ticket kiosk: touch screen and printer."
    )
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))
