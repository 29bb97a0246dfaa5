"""A QR code drawn with text, for ``botkit pair`` to show in a terminal.

The QR code itself is encoded by ``segno``; this module only draws its modules. Each character
covers two rows (upper and lower half blocks), and light modules are drawn filled, for a
terminal's light-on-dark text, with a quiet zone of :data:`BORDER` modules around the code.
"""

from __future__ import annotations

import segno

__all__ = ["BORDER", "qr_modules", "render_qr"]

BORDER = 2

# (upper module dark, lower module dark) -> character; light modules are the filled parts
_HALVES = {
    (False, False): "█",
    (False, True): "▀",
    (True, False): "▄",
    (True, True): " ",
}


def qr_modules(text: str) -> list[list[bool]]:
    """Return the modules of the QR code of ``text`` with its quiet zone; ``True`` is dark."""
    qr = segno.make_qr(text, error="l")
    return [[bool(module) for module in row] for row in qr.matrix_iter(border=BORDER)]


def render_qr(text: str) -> str:
    """Return the QR code of ``text`` as lines of block characters (two module rows each)."""
    rows = qr_modules(text)
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    return "\n".join(
        "".join(_HALVES[upper, lower] for upper, lower in zip(top, bottom, strict=True))
        for top, bottom in zip(rows[::2], rows[1::2], strict=True)
    )
