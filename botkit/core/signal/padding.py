"""WhatsApp's random padding of the plaintext before Signal encryption (PROTOCOL.md §8.6).

A serialized ``waE2E.Message`` gets 1-15 bytes appended, each equal to the pad length, before it
is encrypted pairwise or with a sender key (``<enc v="2">``). Unpadding reads the length from the
last byte and checks every padding byte, as whatsmeow does. Peers are not all alike: Baileys pads
with 1-16 bytes, so :func:`unpad` accepts any length from 1 up to the size of the data.
"""

from __future__ import annotations

from botkit.errors import BadPadding

__all__ = ["pad", "unpad"]


def pad(plaintext: bytes, random_byte: int) -> bytes:
    """Return ``plaintext`` followed by its padding.

    The pad length is the low four bits of ``random_byte`` (a caller-drawn value 0-255), or 15
    when those bits are zero.

    Raises:
        ValueError: ``random_byte`` is not in 0-255.
    """
    if not 0 <= random_byte <= 0xFF:
        raise ValueError(f"random_byte must be 0-255, got {random_byte}")
    length = (random_byte & 0x0F) or 0x0F
    return plaintext + bytes([length]) * length


def unpad(data: bytes) -> bytes:
    """Return ``data`` with its padding removed.

    Raises:
        BadPadding: ``data`` is empty, its last byte is 0 or larger than ``data``, or the padding
            bytes are not all equal to the pad length.
    """
    if not data:
        raise BadPadding("cannot unpad empty data")
    length = data[-1]
    if length == 0 or length > len(data):
        raise BadPadding(f"pad length {length} does not fit {len(data)} bytes of data")
    if data[-length:] != bytes([length]) * length:
        raise BadPadding(f"the last {length} bytes are not all {length}")
    return bytes(data[:-length])
