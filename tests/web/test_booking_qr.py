"""The booking code's QR as the page draws it: what a kiosk's scanner reads, and nothing unsafe.

Read back with tests/web/qr_read.py, a decoder written from the QR specification, not with the
`qrcode` package that draws it.
"""

from __future__ import annotations

from qr_read import modules_of_svg, read_qr

from server.web.booking.qr import qr_svg


def test_the_scanner_reads_the_code_the_qr_was_drawn_for() -> None:
    """ "ANTRE:K7QM4TXA" drawn, "ANTRE:K7QM4TXA" read: a 21 × 21 symbol (version 1)."""
    svg = qr_svg("ANTRE:K7QM4TXA", "Kode QR pesanan K7QM4TXA")
    grid = modules_of_svg(svg)
    assert len(grid) == 21
    assert read_qr(grid) == "ANTRE:K7QM4TXA"
    assert read_qr(modules_of_svg(qr_svg("ANTRE:CDEF3467", "x"))) == "ANTRE:CDEF3467"


def test_the_svg_is_inline_safe_and_labelled() -> None:
    """No XML declaration, no style or script (the page's CSP allows neither), a white quiet
    zone under the modules, and a label a screen reader says, escaped."""
    svg = qr_svg("ANTRE:K7QM4TXA", 'Kode "QR" <pesanan>')
    assert svg.startswith('<svg class="qr" viewBox="0 0 29 29"') and svg.endswith("</svg>")
    assert "<?xml" not in svg and "style" not in svg and "<script" not in svg
    assert 'aria-label="Kode &quot;QR&quot; &lt;pesanan&gt;"' in svg
    assert '<rect width="29" height="29" fill="#fff"/>' in svg
