"""A small ESC/POS decoder for the tests: what a ticket's bytes would print, and how.

Pure: bytes in, a `Decoded` out. It knows exactly the commands the kiosk's tickets use (and the
few python-escpos emits around them) and raises `ValueError` on anything else, so that a new,
unexpected command in a ticket fails a test instead of passing unread. Text is decoded from
code page 437 (the only table a ticket selects, ESC t 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Decoded", "Line", "decode"]

ESC, GS, DLE, LF, CR = 0x1B, 0x1D, 0x10, 0x0A, 0x0D


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line: its text and the style it started with."""

    text: str
    bold: bool = False
    width: int = 1  # character width multiplier
    height: int = 1
    invert: bool = False
    align: int = 0  # 0 left, 1 centre, 2 right


@dataclass(slots=True)
class Decoded:
    lines: list[Line] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)  # payloads of native QR codes printed
    images: int = 0  # raster images (GS v 0)
    cuts: list[str] = field(default_factory=list)  # "full" / "partial", in order
    cut_at_end: bool = False  # nothing printable after the last cut
    status_queries: list[int] = field(default_factory=list)  # DLE EOT n found in the job

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    def line(self, contains: str) -> Line:
        """The first line containing `contains`."""
        for line in self.lines:
            if contains in line.text:
                return line
        raise AssertionError(f"no line contains {contains!r}: {self.texts}")


@dataclass(slots=True)
class _Style:
    bold: bool = False
    width: int = 1
    height: int = 1
    invert: bool = False
    align: int = 0


def decode(data: bytes) -> Decoded:
    """Decode one ESC/POS job."""
    out = Decoded()
    style = _Style()
    text = bytearray()
    line_style: _Style | None = None
    qr_store: str | None = None
    printed_since_cut = False
    i = 0

    def flush() -> None:
        nonlocal line_style
        s = line_style or style
        out.lines.append(Line(text.decode("cp437"), s.bold, s.width, s.height, s.invert, s.align))
        text.clear()
        line_style = None

    def need(n: int) -> bytes:
        if i + n > len(data):
            raise ValueError(f"truncated command at byte {i}")
        return data[i : i + n]

    while i < len(data):
        b = data[i]
        if b == LF:
            flush()
            printed_since_cut = True
            i += 1
        elif b == CR:
            i += 1
        elif b == ESC:
            cmd = need(2)[1]
            if cmd == ord("@"):
                style = _Style()
                i += 2
            elif cmd in b"2":
                i += 2
            elif cmd in b"tE-aM!d3GJ{":
                n = need(3)[2]
                if cmd == ord("t") and n != 0:
                    raise ValueError(f"code table {n}: only CP437 (0) is expected")
                if cmd == ord("E"):
                    style.bold = bool(n & 1)
                elif cmd == ord("a"):
                    style.align = n % 48 if n >= 48 else n
                elif cmd == ord("!"):
                    style.bold = bool(n & 0x08)
                    style.height = 2 if n & 0x10 else 1
                    style.width = 2 if n & 0x20 else 1
                elif cmd == ord("d") and text:
                    flush()
                i += 3
            else:
                raise ValueError(f"unexpected ESC {chr(cmd)!r} at byte {i}")
        elif b == GS:
            cmd = need(2)[1]
            if cmd == ord("!"):
                n = need(3)[2]
                style.width, style.height = (n >> 4) + 1, (n & 0x0F) + 1
                i += 3
            elif cmd in b"Bb":
                n = need(3)[2]
                if cmd == ord("B"):
                    style.invert = bool(n & 1)
                i += 3
            elif cmd == ord("V"):
                m = need(3)[2]
                if m in (0, 48, 65, 97, 103):
                    kind = "full"
                elif m in (1, 49, 66, 98, 104):
                    kind = "partial"
                else:
                    raise ValueError(f"unknown cut mode {m}")
                i += 3 if m in (0, 1, 48, 49) else 4
                out.cuts.append(kind)
                printed_since_cut = False
            elif cmd == ord("("):
                head = need(5)
                fn_group, size = head[2], head[3] | head[4] << 8
                body = need(5 + size)[5:]
                if fn_group == ord("k"):
                    cn, fn = body[0], body[1]
                    if cn == ord("1") and fn == ord("P"):  # store QR data (after m = '0')
                        qr_store = body[3:].decode("utf-8")
                    elif cn == ord("1") and fn == ord("Q"):  # print the stored symbol
                        if qr_store is None:
                            raise ValueError("QR printed before data was stored")
                        out.qr_codes.append(qr_store)
                        printed_since_cut = True
                elif fn_group != ord("L"):
                    raise ValueError(f"unexpected GS ( {chr(fn_group)!r}")
                i += 5 + size
            elif cmd == ord("v"):
                head = need(8)
                width_bytes, rows = head[4] | head[5] << 8, head[6] | head[7] << 8
                i += 8 + width_bytes * rows
                out.images += 1
                printed_since_cut = True
            else:
                raise ValueError(f"unexpected GS {chr(cmd)!r} at byte {i}")
        elif b == DLE:
            head = need(3)
            if head[1] != 0x04:
                raise ValueError(f"unexpected DLE {head[1]:#x}")
            out.status_queries.append(head[2])
            i += 3
        elif b < 0x20:
            raise ValueError(f"unexpected control byte {b:#x} at {i}")
        else:
            if not text:
                line_style = _Style(
                    style.bold, style.width, style.height, style.invert, style.align
                )
            text.append(b)
            i += 1
    if text:
        flush()
        printed_since_cut = True
    out.cut_at_end = bool(out.cuts) and not printed_since_cut
    return out
