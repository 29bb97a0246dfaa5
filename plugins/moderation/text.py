"""Normalising text and domains, so that case, accents and look-alike tricks change nothing.

:func:`fold` is what banned words are matched against: compatibility-decomposed (NFKD, so
full-width letters and ligatures become plain ones), without combining marks (accents) and
invisible characters (zero-width spaces, soft hyphens), case-folded.

:func:`ascii_domain` is how domains are compared: lower-case ASCII, non-ASCII labels in punycode
(IDNA), full-width and ideographic dots read as dots. Accents are *not* removed from domains:
``exämple.com`` is another domain than ``example.com``, and a look-alike must not pass as the
real one.
"""

from __future__ import annotations

import unicodedata

__all__ = ["ascii_domain", "fold"]

_INVISIBLE = (
    "\u00ad\u034f\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
)
# One translate table removes both; built once (the BMP holds the marks that matter in chat).
_DROP: dict[int, None] = {
    code: None for code in range(0x10000) if unicodedata.combining(chr(code))
} | dict.fromkeys(map(ord, _INVISIBLE))

DOTS = "\u3002\uff0e\uff61"
"""Characters that IDNA reads as the label separator ``.``."""

_TO_DOT = str.maketrans(dict.fromkeys(DOTS, "."))


def fold(text: str) -> str:
    """Return ``text`` case-folded, without accents and invisible characters (see module doc)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.translate(_DROP).casefold()


def ascii_domain(host: str) -> str | None:
    """Return ``host`` as a lower-case ASCII domain (IDNA), or ``None`` if it is not one."""
    host = host.translate(_TO_DOT).strip(".").lower()
    if not host or ".." in host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return None
    if len(host) > 253 or any(not 0 < len(label) <= 63 for label in host.split(".")):
        return None
    return host
