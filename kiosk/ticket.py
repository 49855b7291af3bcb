"""The printed ticket: `render_ticket(ticket, layout) -> bytes`, a pure function.

The bytes are built with python-escpos' `Dummy` printer (it only collects what the library would
send) and handed to `kiosk.printer`, which sends them itself with short timeouts and checks the
printer's status first. Nothing here touches a device, the network or the clock.

Decisions:
- Text is encoded in code page 437, selected explicitly (ESC t 0) so that the bytes do not depend
  on the library's encoding guesses. Indonesian needs only ASCII, plus "·" (0xFA in CP437).
- Centring is ESC a 1, sent by us: python-escpos ignores centring of images when the profile
  does not know its paper width, and refuses it for native QR codes.
- The QR code is native (GS ( k, model 2, level M): the printer draws it crisp at its own
  resolution from about a hundred bytes, instead of a raster image a hundred times larger; it
  is centred by the ESC a 1 before it (Epson TM printers apply the justification to 2D codes);
  and a test can read its payload straight from the bytes. `Layout.native_qr=False` prints a
  raster image instead (qrcode + Pillow, which python-escpos already depends on), centred by
  padding the image to the paper width ourselves, for the odd clone printer without GS ( k.
- The cut is GS V 66 0 (feed to the cutter, then a partial cut) sent whatever the profile says:
  a partial cut leaves the ticket hanging until the citizen takes it, and printers without a
  cutter ignore the command.
- Tickets are printed in Indonesian whatever language the screen was in: the officer who reads
  the ticket (and checks a priority claim) reads Indonesian.
- A ticket checked in from an online booking is the walk-in ticket plus one bold line under the
  number, "Pesanan online · jadwal 09.00 WIB": same queue, same paper.
- A visit (several services in one visit, issue 22) is ONE paper: the first stop's number big as
  usual, then "Kunjungan Anda:" and the numbered stops, left-aligned like a list, the first in
  bold with its number and "sekarang", each later one "nomor diberikan setelah langkah k
  selesai" (its number exists only once the step before it is finished). The agency and the
  service are joined by an ASCII " - ": CP437 has no em dash (python-escpos would print "?").
  The QR code is the same /t/<token> address: the visit's token follows the citizen from stop
  to stop, so one code serves the whole visit, and its caption says so.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import qrcode
import qrcode.constants
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy
from PIL import Image

from kiosk.texts import format_datetime_id, format_duration, priority_label

__all__ = [
    "LAYOUTS",
    "LAYOUT_58MM",
    "LAYOUT_80MM",
    "Layout",
    "TicketPrint",
    "VisitStop",
    "render_ticket",
    "stop_words",
]


@dataclass(frozen=True, slots=True)
class VisitStop:
    """One stop of a visit as the paper names it."""

    agency: str  # the agency's short name: "Dukcapil", "BPJS Kesehatan"
    service: str  # the line's name: "Kartu Keluarga dan Pindah Datang"
    number: str | None  # the stop's ticket number; None until it is that stop's turn


@dataclass(frozen=True, slots=True)
class TicketPrint:
    """Everything one ticket shows; the kiosk fills it from the server's issue reply."""

    building: str  # "MPP Kota Contoh"
    agency: str  # the agency's full name
    line_name: str  # "Perekaman dan Cetak KTP-el"
    number: str  # "A-017"
    issued_at: datetime  # local time of the building
    zone_label: str  # "WIB", "WITA", "WIT"
    people_ahead: int
    estimated_wait_s: float | None  # None: no counter of the line open ("menunggu loket dibuka")
    status_url: str  # the public status page of this ticket, carried by the QR code
    priority: str | None = None  # protocol priority group ("lansia"…), None for a regular ticket
    reprint: bool = False  # a copy printed by the floor staff, marked so on the paper
    # Checked in from an online booking: its slot's start as the server writes it ("09.00
    # WIB"); None for a walk-in ticket.
    booking_slot: str | None = None
    # A visit's stops in their accepted order (the first is this ticket's); () for a ticket of
    # one service.
    itinerary: tuple[VisitStop, ...] = ()


@dataclass(frozen=True, slots=True)
class Layout:
    """A paper width and the sizes that fit it."""

    name: str
    profile: str  # python-escpos profile: what the Dummy printer may emit
    width_dots: int  # printable width at 203 dpi
    columns: int  # Font A characters (12 dots wide) per line
    number_scale: int  # the ticket number's character size, width and height (1–8)
    qr_module: int  # QR module size in dots (1–16)
    native_qr: bool = True


# 80 mm paper prints 72 mm: 576 dots, 48 columns. The number at 7x is 21 mm tall; "A-1000" at
# 7x is 504 dots wide and still fits.
LAYOUT_80MM: Final = Layout("80mm", "TM-T20II", 576, 48, number_scale=7, qr_module=6)
# 58 mm paper prints 48 mm: 384 dots, 32 columns; "A-1000" at 5x is 360 dots.
# The profile only chooses the command set and the code page numbers; TM-T20II's are Epson's
# standard ones, which the common 58 mm printers copy (POS-5890's profile numbers CP437 as 52).
LAYOUT_58MM: Final = Layout("58mm", "TM-T20II", 384, 32, number_scale=5, qr_module=5)
LAYOUTS: Final = {"80": LAYOUT_80MM, "80mm": LAYOUT_80MM, "58": LAYOUT_58MM, "58mm": LAYOUT_58MM}

_FEED_BEFORE_CUT = 3  # lines, so that the last line clears the cutter


def render_ticket(ticket: TicketPrint, layout: Layout) -> bytes:
    """The complete ESC/POS job of one ticket, ending with the cut."""
    p = Dummy(profile=layout.profile)
    cols = layout.columns
    p.hw("INIT")  # ESC @: whatever the previous job left set (size, bold, inverse) is reset
    p.charcode("CP437")
    p.set(align="center")
    # Header: where and for what.
    p.set(bold=True, custom_size=True, width=1, height=2)
    _lines(p, ticket.building.upper(), cols)
    p.set(bold=False, custom_size=True, width=1, height=1)
    _lines(p, ticket.agency, cols)
    p.set(bold=True)
    _lines(p, ticket.line_name, cols)
    p.set(bold=False)
    p.textln("-" * cols)
    # The number: as large and as bold as the paper allows.
    p.textln("NOMOR ANTREAN")
    p.set(bold=True, custom_size=True, width=layout.number_scale, height=layout.number_scale)
    p.textln(ticket.number)
    p.set(bold=False, custom_size=True, width=1, height=1)
    if ticket.priority:
        # White on black: the officer sees at a glance that a priority claim is to be checked.
        p.set(bold=True, invert=True)
        p.textln(f" PRIORITAS: {priority_label(ticket.priority, ticket=True)} ")
        p.set(bold=False, invert=False)
    if ticket.booking_slot:
        # Otherwise the very ticket a walk-in citizen gets: the officer's console marks the
        # booking too, and the citizen sees the slot they booked.
        p.set(bold=True)
        _pair(p, "Pesanan online", f"jadwal {ticket.booking_slot}", cols, sep=" · ")
        p.set(bold=False)
    p.textln("-" * cols)
    if ticket.itinerary:
        _itinerary(p, ticket.itinerary, cols)
        p.textln("-" * cols)
    # When, and how long.
    date, _, clock = format_datetime_id(ticket.issued_at, ticket.zone_label).partition(" · ")
    _pair(p, date, clock, cols, sep=" · ")
    _pair(p, "Antrean di depan Anda:", f"{ticket.people_ahead} orang", cols)
    _pair(p, "Perkiraan waktu tunggu:", format_duration(ticket.estimated_wait_s), cols)
    p.ln()
    # The QR code of the public status page; ESC a 1 (still set) centres a native code.
    if layout.native_qr:
        p.qr(ticket.status_url, ec=QR_ECLEVEL_M, size=layout.qr_module, native=True)
    else:
        p.image(_qr_image(ticket.status_url, layout), center=False)
    p.ln()
    caption = "Pindai untuk mengikuti seluruh kunjungan Anda" if ticket.itinerary else None
    _lines(p, caption or "Pindai untuk melihat status antrean", cols)
    p.ln()
    p.set(bold=True)
    _lines(p, "Mohon menunggu nomor Anda dipanggil", cols)
    p.set(bold=False)
    if ticket.reprint:
        p.textln("(CETAK ULANG)")
    p.print_and_feed(_FEED_BEFORE_CUT)
    # feed=False makes python-escpos send GS V 66 0 (feed to the cutter, partial cut) without
    # consulting the profile: see the module's decisions.
    p.cut(feed=False)
    return bytes(p.output)


def stop_words(stop: VisitStop, step: int) -> tuple[str, str]:
    """A stop as the paper (and the kiosk's screen) lists it, `step` counting from 1: what
    ("Dukcapil - Kartu Keluarga dan Pindah Datang") and when ("B-031, sekarang"; for a later
    stop "nomor diberikan setelah langkah 1 selesai")."""
    what = f"{stop.agency} - {stop.service}"
    if step == 1 and stop.number:
        return what, f"{stop.number}, sekarang"
    if stop.number:  # a reprint late in the visit: that number is known by now
        return what, stop.number
    return what, f"nomor diberikan setelah langkah {step - 1} selesai"


def _itinerary(p: Dummy, stops: tuple[VisitStop, ...], columns: int) -> None:
    """ "Kunjungan Anda:" and the numbered stops, left-aligned; each stop's "when" on a line of
    its own under its words (a number is never split from its "sekarang"), the stop to go to
    now in bold."""
    p.set(align="left", bold=True)
    p.textln("Kunjungan Anda:")
    for step, stop in enumerate(stops, 1):
        p.set(bold=step == 1)
        head = f"{step}. "
        indent = " " * len(head)
        what, when = stop_words(stop, step)
        for line in textwrap.wrap(head + what, columns, subsequent_indent=indent):
            p.textln(line)
        wrapped = textwrap.wrap(
            f"({when})", columns, initial_indent=indent, subsequent_indent=indent
        )
        for line in wrapped:
            p.textln(line)
    p.set(bold=False)
    _lines(p, "Nomor langkah berikutnya diberikan otomatis; tidak perlu kembali ke kios.", columns)
    p.set(align="center")


def _pair(p: Dummy, label: str, value: str, columns: int, sep: str = " ") -> None:
    """The label and its value on one line when they fit, else on two."""
    if len(label) + len(sep) + len(value) <= columns:
        p.textln(f"{label}{sep}{value}")
    else:
        _lines(p, label, columns)
        _lines(p, value, columns)


def _qr_image(data: str, layout: Layout) -> Image.Image:
    """A QR code as a 1-bit image as wide as the paper, the code in the middle."""
    qr = qrcode.QRCode(
        box_size=max(1, layout.qr_module - 2),
        border=1,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    qr.add_data(data)
    qr.make(fit=True)
    code = qr.make_image().get_image().convert("1")
    page = Image.new("1", (layout.width_dots, code.height), 1)
    page.paste(code, ((layout.width_dots - code.width) // 2, 0))
    return page


def _lines(p: Dummy, text: str, columns: int) -> None:
    """Text wrapped at word boundaries to the paper's columns, one printed line each."""
    for line in textwrap.wrap(text, columns) or [""]:
        p.textln(line)
