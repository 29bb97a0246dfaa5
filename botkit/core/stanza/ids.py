"""Message ids and request ids, as WhatsApp clients make them (PROTOCOL.md §9.1).

A message id is ``"3EB0"`` and 18 uppercase hex digits: the start of a SHA-256 over a fixed
44-byte buffer (the Unix time in seconds, 8 bytes big-endian; ``<own user>@c.us`` zero-padded to
20 bytes; 16 random bytes). That is WhatsApp Web's form, which Baileys'
``generateMessageIDV2`` reproduces; whatsmeow hashes the same fields without the padding. Both
give 22 characters, and receivers do not check how an id was made.

Request (IQ) ids are a per-connection prefix ``"<r1>.<r2>-"`` (two random bytes in decimal) and
a counter, e.g. ``"183.52-17"``.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["MESSAGE_ID_PREFIX", "is_message_id", "message_id", "request_id", "request_id_prefix"]

MESSAGE_ID_PREFIX = "3EB0"

_USER_FIELD = 20
_RANDOM_SIZE = 16
_MESSAGE_ID = re.compile(r"3EB0[0-9A-F]{18}")


def message_id(*, timestamp: int, random_bytes: bytes, own_user: str | None = None) -> str:
    """Return a new message id.

    ``timestamp`` is the Unix time in seconds, ``random_bytes`` 16 caller-drawn random bytes and
    ``own_user`` the user part of our phone-number JID (None before login).

    Raises:
        ValueError: ``random_bytes`` is not 16 bytes or ``timestamp`` is negative.
    """
    if len(random_bytes) != _RANDOM_SIZE:
        raise ValueError(f"a message id needs 16 random bytes, got {len(random_bytes)}")
    if timestamp < 0:
        raise ValueError(f"timestamp must not be negative, got {timestamp}")
    user = f"{own_user}@c.us".encode() if own_user else b""
    data = timestamp.to_bytes(8, "big") + user[:_USER_FIELD].ljust(_USER_FIELD, b"\0")
    digest = hashlib.sha256(data + random_bytes).hexdigest().upper()
    return MESSAGE_ID_PREFIX + digest[:18]


def is_message_id(text: str) -> bool:
    """Return True when ``text`` has the form of the ids :func:`message_id` makes."""
    return _MESSAGE_ID.fullmatch(text) is not None


def request_id_prefix(random_bytes: bytes) -> str:
    """Return the per-connection request-id prefix ``"<r1>.<r2>-"`` from two random bytes.

    Raises:
        ValueError: ``random_bytes`` is not 2 bytes.
    """
    if len(random_bytes) != 2:
        raise ValueError(f"a request-id prefix needs 2 random bytes, got {len(random_bytes)}")
    return f"{random_bytes[0]}.{random_bytes[1]}-"


def request_id(prefix: str, counter: int) -> str:
    """Return the request id number ``counter`` under ``prefix``."""
    return f"{prefix}{counter}"
