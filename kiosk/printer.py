"""The kiosk's printer: which one (a spec string), is it ready (DLE EOT), and send a job.

Theory of operation: a ticket is printed in one connection to the printer. First the printer's
real-time status is read (DLE EOT 1: online or offline; DLE EOT 4: the roll paper sensor; when
offline, DLE EOT 2 says why). Only a printer that is online with paper gets the job. After the
job, the status is read once more: a real-time reply can only come after the printer has read
every byte sent before the query, so an answer proves the job was taken — and says whether the
paper ran out on the way. Only then may the ticket be confirmed to the server.

Every failure becomes one `PrinterState`: ok, near_end (printable, but tell the floor), paper_out,
offline, timeout (nothing answers), reset (the connection broke mid-job). Every wait is short
(`Timeouts`: connect 2 s, a status reply 1 s, the job 3 s): a dead printer must not hold a
citizen in front of a frozen screen. python-escpos' own network printer waits 60 s and never
checks for paper, so for TCP the job bytes (built by `kiosk.ticket`) are sent here with asyncio
streams. USB and serial printers go through python-escpos' device classes in a worker thread
(they need pyusb or pyserial: the extras `antre[usb]`, `antre[serial]`; without them such a
printer stays offline and says which to install, see `missing_library`). A file or dummy
printer writes the bytes to a file, for development and for printers behind a device file.

The status bytes are parsed by the pure functions of kiosk/printer_status.py (`parse_status`),
which also holds the states; this module sends the queries and the jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal, Protocol
from urllib.parse import parse_qsl, urlsplit

from kiosk.printer_status import (
    DLE_EOT_OFFLINE_CAUSE,
    DLE_EOT_PAPER,
    DLE_EOT_PRINTER,
    OK,
    PrinterState,
    PrinterStatus,
    is_status_byte,
    parse_status,
    reports_offline,
    reports_paper_out,
)
from kiosk.ticket import LAYOUTS, Layout

__all__ = [
    "EscposDevicePrinter",
    "FilePrinter",
    "Printer",
    "PrinterSpec",
    "TcpPrinter",
    "Timeouts",
    "missing_library",
    "open_printer",
]

log = logging.getLogger("antre.kiosk.printer")


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect_s: float = 2.0
    status_s: float = 1.0  # for each status reply
    write_s: float = 3.0  # for the job to leave our buffers


# --------------------------------------------------------------------------------------------
# Specs
# --------------------------------------------------------------------------------------------

SpecKind = Literal["tcp", "usb", "serial", "file", "dummy"]
_EXAMPLES = (
    "tcp://192.168.1.50:9100, usb:04b8:0e15, serial:/dev/ttyUSB0?baud=19200, "
    "file:/dev/usb/lp0, dummy:/tmp/tickets.bin"
)


@dataclass(frozen=True, slots=True)
class PrinterSpec:
    """Where the printer is and how to talk to it, from one string (the --printer option).

    Every kind takes `?paper=80|58` (the layout), `profile=NAME` (a python-escpos profile),
    `qr=image` (a raster QR for printers without GS ( k) and the timeouts in seconds
    `connect_timeout`, `status_timeout`, `write_timeout`; serial takes `baud`; usb takes
    `in_ep`, `out_ep`, `interface`; a dummy takes `status` (ok, near_end, paper_out, offline…)
    to rehearse the failure screens.
    """

    kind: SpecKind
    target: str  # "host:port", "04b8:0e15", or a path ("" for an in-memory dummy)
    options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> PrinterSpec:
        """Parse a spec string; ValueError with examples when it makes no sense."""
        text = text.strip()
        scheme, sep, rest = text.partition(":")
        if not sep or scheme not in ("tcp", "usb", "serial", "file", "dummy"):
            raise ValueError(f"unknown printer {text!r}; examples: {_EXAMPLES}")
        body, _, query = rest.partition("?")
        options = dict(parse_qsl(query, keep_blank_values=True))
        kind: SpecKind = scheme  # type: ignore[assignment]
        if kind == "tcp":
            parts = urlsplit(f"tcp:{body}")
            if not parts.hostname:
                raise ValueError(f"printer {text!r}: give a host, e.g. tcp://192.168.1.50:9100")
            try:
                port = parts.port or 9100
            except ValueError:
                raise ValueError(f"printer {text!r}: bad port") from None
            host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
            spec = cls(kind, f"{host}:{port}", options)
        elif kind == "usb":
            vendor, _, product = body.partition(":")
            try:
                int(vendor, 16), int(product, 16)
            except ValueError:
                raise ValueError(
                    f"printer {text!r}: give vendor:product in hex, e.g. usb:04b8:0e15"
                ) from None
            spec = cls(kind, f"{vendor.lower()}:{product.lower()}", options)
        else:
            if not body and kind != "dummy":
                raise ValueError(f"printer {text!r}: give a path, e.g. {kind}:/dev/usb/lp0")
            spec = cls(kind, body, options)
        spec.layout()  # refuse a bad paper width or profile now, not at the first ticket
        spec.timeouts()
        return spec

    def __str__(self) -> str:
        sep = "//" if self.kind == "tcp" else ""
        query = "&".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.kind}:{sep}{self.target}" + (f"?{query}" if query else "")

    @property
    def host(self) -> str:
        return self.target.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.target.rpartition(":")[2])

    def layout(self) -> Layout:
        """The ticket layout for this printer's paper (80 mm unless `paper=58`)."""
        paper = self.options.get("paper", "80")
        layout = LAYOUTS.get(paper)
        if layout is None:
            raise ValueError(f"paper={paper!r}: use 80 or 58")
        profile = self.options.get("profile")
        if profile:
            from escpos.capabilities import get_profile

            try:
                get_profile(profile)
            except Exception:
                raise ValueError(f"profile={profile!r} is not a python-escpos profile") from None
            layout = replace(layout, profile=profile)
        if self.options.get("qr") == "image":
            layout = replace(layout, native_qr=False)
        return layout

    def timeouts(self) -> Timeouts:
        try:
            return Timeouts(
                connect_s=float(self.options.get("connect_timeout", 2.0)),
                status_s=float(self.options.get("status_timeout", 1.0)),
                write_s=float(self.options.get("write_timeout", 3.0)),
            )
        except ValueError:
            raise ValueError(
                f"printer {self}: timeouts are seconds, e.g. connect_timeout=2"
            ) from None


# --------------------------------------------------------------------------------------------
# Printers
# --------------------------------------------------------------------------------------------


class Printer(Protocol):
    """What the kiosk needs of a printer. Neither method raises: failures are states."""

    spec: PrinterSpec

    async def status(self) -> PrinterStatus:
        """The printer's state now."""
        ...

    async def print(self, job: bytes) -> PrinterStatus:
        """Send one job if the printer is ready; printable only if it was taken."""
        ...


class TcpPrinter:
    """A network printer (raw port 9100), spoken to with asyncio streams and short timeouts."""

    def __init__(self, spec: PrinterSpec, timeouts: Timeouts | None = None) -> None:
        self.spec = spec
        self.timeouts = timeouts or spec.timeouts()

    async def status(self) -> PrinterStatus:
        return await self._session(None)

    async def print(self, job: bytes) -> PrinterStatus:
        return await self._session(job)

    async def _session(self, job: bytes | None) -> PrinterStatus:
        t = self.timeouts
        try:
            async with asyncio.timeout(t.connect_s):
                reader, writer = await asyncio.open_connection(self.spec.host, self.spec.port)
        except TimeoutError:
            return PrinterStatus(PrinterState.TIMEOUT, f"tidak ada jawaban dari {self.spec}")
        except OSError as exc:
            return PrinterStatus(PrinterState.OFFLINE, f"tidak dapat terhubung: {exc.strerror}")
        try:
            before = await self._check(reader, writer)
            if job is None or not before.printable:
                return before
            writer.write(job)
            async with asyncio.timeout(t.write_s):
                await writer.drain()
            # The reply to this query comes only after the printer has read the whole job.
            return await self._check(reader, writer)
        except TimeoutError:
            return PrinterStatus(PrinterState.TIMEOUT, "printer tidak menjawab")
        except (asyncio.IncompleteReadError, OSError) as exc:
            return PrinterStatus(PrinterState.RESET, f"sambungan terputus: {exc!r}")
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(t.status_s):
                    await writer.wait_closed()

    async def _check(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> PrinterStatus:
        printer = await self._query(reader, writer, DLE_EOT_PRINTER)
        paper = await self._query(reader, writer, DLE_EOT_PAPER)
        cause = None
        if reports_offline(printer) and not reports_paper_out(paper):
            cause = await self._query(reader, writer, DLE_EOT_OFFLINE_CAUSE)
        return parse_status(printer, paper, cause)

    async def _query(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, command: bytes
    ) -> int:
        writer.write(command)
        async with asyncio.timeout(self.timeouts.status_s):
            await writer.drain()
            while True:
                b = (await reader.readexactly(1))[0]
                if is_status_byte(b):
                    return b
                # Not a reply (an automatic status back, or noise): keep reading.


class FilePrinter:
    """Writes each job to a file: `dummy:` appends (development), `file:` writes a device.

    A device file (/dev/usb/lp0) gives no status here: a printer that is unplugged shows as a
    missing or unwritable file (offline); one without paper is only noticed by its own light.
    A dummy reports the status its spec names (`?status=paper_out`), to rehearse failures.
    """

    def __init__(self, spec: PrinterSpec, timeouts: Timeouts | None = None) -> None:
        self.spec = spec
        self.timeouts = timeouts or spec.timeouts()
        # Every job printed by this process, for development tools and tests.
        self.jobs: list[bytes] = []

    def _declared(self) -> PrinterStatus:
        declared = self.spec.options.get("status", "ok")
        try:
            state = PrinterState(declared)
        except ValueError:
            state = PrinterState.OK
        return OK if state is PrinterState.OK else PrinterStatus(state, "dummy")

    async def status(self) -> PrinterStatus:
        if self.spec.kind == "dummy":
            return self._declared()
        path = Path(self.spec.target)
        if not path.exists() or not os.access(path, os.W_OK):
            return PrinterStatus(PrinterState.OFFLINE, f"{path} tidak ada atau tidak dapat ditulis")
        return OK

    async def print(self, job: bytes) -> PrinterStatus:
        before = await self.status()
        if not before.printable:
            return before
        if self.spec.target:
            mode = "ab" if self.spec.kind == "dummy" else "wb"
            try:
                # A device file can block forever when its printer stalls; the thread may linger
                # but the kiosk moves on after write_s.
                async with asyncio.timeout(self.timeouts.write_s):
                    await asyncio.to_thread(_write_file, self.spec.target, mode, job)
            except TimeoutError:
                return PrinterStatus(PrinterState.TIMEOUT, f"{self.spec.target} tidak menerima")
            except OSError as exc:
                return PrinterStatus(PrinterState.OFFLINE, f"{self.spec.target}: {exc.strerror}")
        self.jobs.append(job)
        return before


def _write_file(path: str, mode: str, job: bytes) -> None:
    with open(path, mode) as f:
        f.write(job)
        f.flush()


# python-escpos' USB and serial classes import these lazily and fail only when a job is sent
# (with a RuntimeError, and a traceback from the device's __del__ on stderr, over the screen).
_LIBRARIES: Final = {
    "usb": ("usb", "USB printers need pyusb: pip install 'antre[usb]'"),
    "serial": ("serial", "Serial printers need pyserial: pip install 'antre[serial]'"),
}


def missing_library(kind: str) -> str | None:
    """What to install for a `usb` or `serial` printer whose library is missing; else None."""
    needed = _LIBRARIES.get(kind)
    if needed is None:
        return None
    module, message = needed
    return message if importlib.util.find_spec(module) is None else None


class EscposDevicePrinter:
    """USB and serial printers through python-escpos' device classes, in a worker thread.

    Not covered by the tests (no device here) beyond a missing library: pyusb or pyserial, the
    extras `antre[usb]` and `antre[serial]`. Without it the printer is offline, the detail says
    what to install, and no python-escpos device is ever built.
    """

    def __init__(self, spec: PrinterSpec, timeouts: Timeouts | None = None) -> None:
        self.spec = spec
        self.timeouts = timeouts or spec.timeouts()
        self.missing = missing_library(spec.kind)
        if self.missing:
            log.error("printer %s: %s", spec, self.missing)

    def _device(self) -> Any:
        o = self.spec.options
        profile = self.spec.layout().profile
        if self.spec.kind == "usb":
            from escpos.printer import Usb

            vendor, product = (int(x, 16) for x in self.spec.target.split(":"))
            extra = {k: int(o[k], 0) for k in ("in_ep", "out_ep", "interface") if k in o}
            return Usb(
                vendor,
                product,
                timeout=int(self.timeouts.status_s * 1000),
                profile=profile,
                **extra,
            )
        from escpos.printer import Serial

        return Serial(
            devfile=self.spec.target,
            baudrate=int(o.get("baud", 9600)),
            timeout=self.timeouts.status_s,
            profile=profile,
        )

    def _run(self, job: bytes | None) -> PrinterStatus:
        device = self._device()
        try:
            device.open()
            before = self._check(device)
            if job is None or not before.printable:
                return before
            device._raw(job)
            return self._check(device)
        finally:
            with contextlib.suppress(Exception):
                device.close()

    @staticmethod
    def _check(device: Any) -> PrinterStatus:
        def query(command: bytes) -> int:
            reply = bytes(device.query_status(command) or b"")
            found = [b for b in reply if is_status_byte(b)]
            if not found:
                raise TimeoutError("no status reply")
            return found[-1]

        printer = query(DLE_EOT_PRINTER)
        paper = query(DLE_EOT_PAPER)
        cause = query(DLE_EOT_OFFLINE_CAUSE) if reports_offline(printer) else None
        return parse_status(printer, paper, cause)

    async def _guarded(self, job: bytes | None) -> PrinterStatus:
        if self.missing:
            return PrinterStatus(PrinterState.OFFLINE, self.missing)
        t = self.timeouts
        budget = t.connect_s + 3 * t.status_s + (t.write_s + 3 * t.status_s if job else 0)
        try:
            async with asyncio.timeout(budget):
                return await asyncio.to_thread(self._run, job)
        except TimeoutError:
            return PrinterStatus(PrinterState.TIMEOUT, "printer tidak menjawab")
        except ImportError as exc:
            return PrinterStatus(PrinterState.OFFLINE, f"pustaka tidak terpasang: {exc.name}")
        except Exception as exc:  # DeviceNotFoundError, USBError, SerialException…
            name = type(exc).__name__
            state = PrinterState.OFFLINE if "NotFound" in name else PrinterState.RESET
            return PrinterStatus(state, f"{name}: {exc}")

    async def status(self) -> PrinterStatus:
        return await self._guarded(None)

    async def print(self, job: bytes) -> PrinterStatus:
        return await self._guarded(job)


_FACTORIES: Final[dict[str, Callable[[PrinterSpec], Printer]]] = {
    "tcp": TcpPrinter,
    "usb": EscposDevicePrinter,
    "serial": EscposDevicePrinter,
    "file": FilePrinter,
    "dummy": FilePrinter,
}


def open_printer(spec: PrinterSpec | str) -> Printer:
    """The printer a spec names (nothing is opened until its first status or job)."""
    if isinstance(spec, str):
        spec = PrinterSpec.parse(spec)
    return _FACTORIES[spec.kind](spec)
