"""The printer's status: the DLE EOT queries, their reply bytes, and what state they mean.

Pure: the bytes are parsed following Epson's ESC/POS reference for DLE EOT: bits 1 and 4 are
always 1 and bits 0 and 7 always 0 in a reply; a byte that does not fit (an automatic status
back, line noise) is skipped by the senders in kiosk/printer.py (`is_status_byte`). Every
failure becomes one `PrinterState`, and `PrinterState.protocol_status` is what the server and
the floor manager are told.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = [
    "DLE_EOT_OFFLINE_CAUSE",
    "DLE_EOT_PAPER",
    "DLE_EOT_PRINTER",
    "OK",
    "PrinterState",
    "PrinterStatus",
    "is_status_byte",
    "parse_status",
    "reports_offline",
    "reports_paper_out",
]

DLE_EOT_PRINTER: Final = b"\x10\x04\x01"  # n=1: printer status (bit 3: offline)
DLE_EOT_OFFLINE_CAUSE: Final = b"\x10\x04\x02"  # n=2: why offline (bit 2 cover, bit 5 paper)
DLE_EOT_PAPER: Final = b"\x10\x04\x04"  # n=4: roll paper sensor (bits 2-3 near end, 5-6 out)

_OFFLINE = 0x08
_COVER_OPEN = 0x04
_NEAR_END = 0x0C
_PAPER_OUT = 0x60


class PrinterState(StrEnum):
    OK = "ok"
    NEAR_END = "near_end"  # printable; the floor is told to bring a roll
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"  # switched off, cover open, unplugged, or refusing connections
    TIMEOUT = "timeout"  # connected or connecting, but no answer in time
    RESET = "reset"  # the connection broke during the job

    @property
    def printable(self) -> bool:
        return self in (PrinterState.OK, PrinterState.NEAR_END)

    @property
    def protocol_status(self) -> str:
        """The `printer_status` value for the server (protocol.PRINTER_STATUSES)."""
        return _PROTOCOL_STATUS[self]


# The protocol knows ok / near_end / paper_out / offline / error: a printer that does not answer
# is offline to the floor manager; a broken job is an error (the detail says which).
_PROTOCOL_STATUS: Final = {
    PrinterState.OK: "ok",
    PrinterState.NEAR_END: "near_end",
    PrinterState.PAPER_OUT: "paper_out",
    PrinterState.OFFLINE: "offline",
    PrinterState.TIMEOUT: "offline",
    PrinterState.RESET: "error",
}


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """A printer state and, for the staff, a detail in Indonesian (cover open, no answer…)."""

    state: PrinterState
    detail: str | None = None

    @property
    def printable(self) -> bool:
        return self.state.printable


OK: Final = PrinterStatus(PrinterState.OK)


def is_status_byte(b: int) -> bool:
    """True if `b` can be a DLE EOT reply: bits 1 and 4 set, bits 0 and 7 clear."""
    return b & 0x93 == 0x12


def parse_status(printer: int, paper: int, cause: int | None = None) -> PrinterStatus:
    """The state from the DLE EOT 1, 4 (and, when offline, 2) reply bytes.

    Paper out wins over offline (a printer without paper also reports itself offline); near
    end is printable. A cover open or an error is named in the detail.
    """
    if paper & _PAPER_OUT:
        return PrinterStatus(PrinterState.PAPER_OUT, "sensor: kertas habis")
    if printer & _OFFLINE:
        detail = "printer tidak siap mencetak"
        if cause is not None and cause & _COVER_OPEN:
            detail = "penutup printer terbuka"
        elif cause is not None and cause & 0x40:
            detail = "printer melaporkan galat"
        return PrinterStatus(PrinterState.OFFLINE, detail)
    if paper & _NEAR_END:
        return PrinterStatus(PrinterState.NEAR_END, "sensor: kertas hampir habis")
    return OK


def reports_offline(printer: int) -> bool:
    """True if a DLE EOT 1 reply says offline: then DLE EOT 2 can say why."""
    return bool(printer & _OFFLINE)


def reports_paper_out(paper: int) -> bool:
    """True if a DLE EOT 4 reply says the roll is out."""
    return bool(paper & _PAPER_OUT)
