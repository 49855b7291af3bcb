"""The booking code as a QR code, drawn inline as SVG (no image file, no Pillow, no CDN).

The QR carries the code without its dash ("K7QM4TXA"): a kiosk's USB scanner types what it reads,
and the kiosk takes the code with or without the dash. Eight characters of QR's alphanumeric set
fit the smallest symbol (21 × 21 modules) at error correction M, which a phone's screen shows
sharp enough for any scanner. The SVG is qrcode's path image: black modules as one path, with a
white quiet zone drawn under it so that a page in dark mode still scans, and nothing inline that
the page's CSP would refuse (attributes only, no style).
"""

from __future__ import annotations

import html
import re

import qrcode
import qrcode.constants
import qrcode.image.svg

__all__ = ["qr_svg"]

_SVG_OPEN = re.compile(r"<svg[^>]*>")


def qr_svg(text: str, label: str) -> str:
    """An inline `<svg>` of `text` as a QR code; `label` is what a screen reader says."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(text)
    code.make(fit=True)
    size = code.modules_count + 2 * code.border
    svg = code.make_image().to_string(encoding="unicode")
    svg = svg[svg.index("<svg") :]  # without the XML declaration: it is inside HTML
    opening = (
        f'<svg class="qr" viewBox="0 0 {size} {size}" xmlns="http://www.w3.org/2000/svg" '
        f'role="img" aria-label="{html.escape(label)}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
    )
    return _SVG_OPEN.sub(opening, svg, count=1)
