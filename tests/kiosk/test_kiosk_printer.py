"""Printer specs, DLE EOT status bytes, and the TCP and file printers against real sockets."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from kiosktest import TEST_TIMEOUTS, LoopbackPrinter, Mood

from kiosk.printer import FilePrinter, PrinterSpec, TcpPrinter, missing_library, open_printer
from kiosk.printer_status import PrinterState, is_status_byte, parse_status
from kiosk.ticket import LAYOUT_58MM, LAYOUT_80MM

JOB = b"\x1b@hello\n\x1dVB\x00"


# -- specs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "target"),
    [
        ("tcp://192.168.1.50:9100", "tcp", "192.168.1.50:9100"),
        ("tcp://printer.local", "tcp", "printer.local:9100"),
        ("usb:04B8:0E15", "usb", "04b8:0e15"),
        ("serial:/dev/ttyUSB0?baud=19200", "serial", "/dev/ttyUSB0"),
        ("file:/dev/usb/lp0", "file", "/dev/usb/lp0"),
        ("dummy:/tmp/tickets.bin", "dummy", "/tmp/tickets.bin"),
        ("dummy:", "dummy", ""),
    ],
)
def test_spec_parses_every_kind(text: str, kind: str, target: str) -> None:
    """Each documented printer spec parses to its kind and target."""
    spec = PrinterSpec.parse(text)
    assert (spec.kind, spec.target) == (kind, target)


def test_spec_options_choose_layout_profile_and_timeouts() -> None:
    """?paper=58 picks the 58 mm layout; profile, qr and timeouts are read from the query."""
    spec = PrinterSpec.parse(
        "tcp://10.0.0.5:9100?paper=58&profile=TM-T88V&qr=image&connect_timeout=1"
    )
    layout = spec.layout()
    assert layout.width_dots == LAYOUT_58MM.width_dots
    assert layout.profile == "TM-T88V" and not layout.native_qr
    assert spec.timeouts().connect_s == 1.0 and spec.timeouts().status_s == 1.0
    assert (spec.host, spec.port) == ("10.0.0.5", 9100)
    assert PrinterSpec.parse("dummy:").layout() == LAYOUT_80MM
    assert PrinterSpec.parse("serial:/dev/ttyS0?baud=19200").options["baud"] == "19200"


@pytest.mark.parametrize(
    "text",
    [
        "lpt1",
        "cups:tm-t20",
        "tcp://",
        "tcp://host:notaport",
        "usb:epson",
        "file:",
        "dummy:/tmp/t.bin?paper=76",
        "tcp://h?profile=NoSuchPrinter",
        "tcp://h?connect_timeout=soon",
    ],
)
def test_bad_specs_are_refused_with_a_reason(text: str) -> None:
    """A spec that makes no sense fails at start-up, not at the first citizen's ticket."""
    with pytest.raises(ValueError):
        PrinterSpec.parse(text)


# -- status bytes (Epson's DLE EOT replies) ---------------------------------------------------


@pytest.mark.parametrize(
    ("printer", "paper", "cause", "state"),
    [
        (0x12, 0x12, None, PrinterState.OK),
        (0x12, 0x1E, None, PrinterState.NEAR_END),
        (0x1A, 0x72, None, PrinterState.PAPER_OUT),  # without paper it is offline too
        (0x1A, 0x7E, None, PrinterState.PAPER_OUT),  # near end and out both set
        (0x1A, 0x12, 0x16, PrinterState.OFFLINE),  # cover open
        (0x1A, 0x12, None, PrinterState.OFFLINE),
    ],
)
def test_status_bytes(printer: int, paper: int, cause: int | None, state: PrinterState) -> None:
    """DLE EOT 1/4 (and 2) bytes map to the right state; paper out wins over offline."""
    assert parse_status(printer, paper, cause).state is state


def test_cover_open_is_named() -> None:
    """An offline printer whose cover is open says so in the detail, for the staff."""
    assert parse_status(0x1A, 0x12, 0x16).detail == "penutup printer terbuka"


def test_only_well_formed_bytes_count_as_status() -> None:
    """A reply byte has bits 1 and 4 set and bits 0 and 7 clear; anything else is skipped."""
    assert all(is_status_byte(b) for b in (0x12, 0x1A, 0x1E, 0x72, 0x7E, 0x16, 0x32))
    assert not any(is_status_byte(b) for b in (0x00, 0x10, 0x13, 0x92, 0xFF))


def test_printer_states_map_onto_the_protocol() -> None:
    """Timeouts are "offline" and a broken job "error" to the floor; only ok/near_end print."""
    assert PrinterState.TIMEOUT.protocol_status == "offline"
    assert PrinterState.RESET.protocol_status == "error"
    assert {s for s in PrinterState if s.printable} == {PrinterState.OK, PrinterState.NEAR_END}


# -- TCP, against the loopback printer ------------------------------------------------------


def tcp(lp: LoopbackPrinter) -> TcpPrinter:
    return TcpPrinter(PrinterSpec.parse(lp.spec), TEST_TIMEOUTS)


async def test_tcp_job_is_sent_between_two_status_checks(printer: LoopbackPrinter) -> None:
    """A job goes out only after DLE EOT 1 and 4 say ready, and is followed by a check."""
    result = await tcp(printer).print(JOB)
    assert result.state is PrinterState.OK
    assert printer.tickets == [JOB]
    assert printer.queries == [1, 4, 1, 4]


async def test_tcp_near_end_still_prints(printer: LoopbackPrinter) -> None:
    """Paper near its end prints (and reports near_end)."""
    printer.mood = Mood.NEAR_END
    assert (await tcp(printer).print(JOB)).state is PrinterState.NEAR_END
    assert printer.tickets == [JOB]


@pytest.mark.parametrize(
    ("mood", "state"),
    [(Mood.NO_PAPER, PrinterState.PAPER_OUT), (Mood.OFFLINE, PrinterState.OFFLINE)],
)
async def test_tcp_not_ready_gets_no_job(
    printer: LoopbackPrinter, mood: Mood, state: PrinterState
) -> None:
    """A printer without paper or with its cover open is told nothing but status queries."""
    printer.mood = mood
    assert (await tcp(printer).print(JOB)).state is state
    assert printer.tickets == []


async def test_tcp_silent_printer_times_out_quickly(printer: LoopbackPrinter) -> None:
    """A printer that accepts but never answers is a timeout after one status wait, no job."""
    printer.mood = Mood.SILENT
    result = await asyncio.wait_for(tcp(printer).print(JOB), TEST_TIMEOUTS.status_s * 8)
    assert result.state is PrinterState.TIMEOUT
    assert printer.tickets == []


async def test_tcp_reset_mid_job(printer: LoopbackPrinter) -> None:
    """A connection dropped in the middle of the job is a reset, never a success."""
    printer.mood = Mood.RESET
    printer.reset_after = 10
    result = await tcp(printer).print(JOB * 20)
    assert result.state is PrinterState.RESET
    assert not result.printable


async def test_tcp_nobody_listening_is_offline() -> None:
    """A refused connection (printer switched off) is offline, at once."""
    lp = LoopbackPrinter()
    await lp.start()
    await lp.stop()  # the port is free again: connecting is refused
    result = await tcp(lp).status()
    assert result.state is PrinterState.OFFLINE


# -- file and dummy -------------------------------------------------------------------------


async def test_dummy_appends_every_job(tmp_path: Path) -> None:
    """A dummy printer appends each job to its file (and keeps it in memory)."""
    path = tmp_path / "tickets.bin"
    device = open_printer(f"dummy:{path}")
    assert isinstance(device, FilePrinter)
    await device.print(b"one")
    await device.print(b"two")
    assert path.read_bytes() == b"onetwo" and device.jobs == [b"one", b"two"]


async def test_dummy_rehearses_a_failure(tmp_path: Path) -> None:
    """dummy:…?status=paper_out reports no paper and writes nothing."""
    path = tmp_path / "tickets.bin"
    device = open_printer(f"dummy:{path}?status=paper_out")
    assert (await device.print(b"x")).state is PrinterState.PAPER_OUT
    assert not path.exists()


async def test_missing_device_file_is_offline(tmp_path: Path) -> None:
    """file: on a device that is not there (printer unplugged) is offline."""
    device = open_printer(f"file:{tmp_path / 'lp0'}")
    assert (await device.status()).state is PrinterState.OFFLINE
    assert (await device.print(b"x")).state is PrinterState.OFFLINE


@pytest.mark.parametrize(
    ("spec", "module", "message"),
    [
        ("usb:04b8:0e15", "usb", "USB printers need pyusb: pip install 'antre[usb]'"),
        (
            "serial:/dev/ttyUSB0",
            "serial",
            "Serial printers need pyserial: pip install 'antre[serial]'",
        ),
    ],
)
async def test_usb_or_serial_without_its_library_says_what_to_install(
    spec: str, module: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No pyusb / pyserial: offline, the detail names the extra; no python-escpos device."""
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed (import fails)
    import escpos.printer

    def built(*args: object, **kwargs: object) -> None:
        raise AssertionError("a python-escpos device was built")

    monkeypatch.setattr(escpos.printer, "Usb", built)
    monkeypatch.setattr(escpos.printer, "Serial", built)
    assert missing_library(PrinterSpec.parse(spec).kind) == message
    device = open_printer(spec)
    for status in (await device.status(), await device.print(JOB)):
        assert (status.state, status.detail) == (PrinterState.OFFLINE, message)
    assert missing_library("tcp") is None and missing_library("file") is None
