"""The participant hash ``phash`` of a fan-out (PROTOCOL.md §9.7).

Every device JID of the fan-out (the sending device included) is written as
``user.agent:device@server``; the strings are sorted and concatenated without separator, and
the hash is ``"2:"`` and the unpadded standard base64 of the first 6 bytes of their SHA-256.
The same function gives the ``device_hash``/``dhash`` of device notifications.

Baileys sends a shorter variant (the first 6 base64 characters, over the JIDs in their plain
string form, without the sending device); the server only compares hashes to warn, so a
mismatch costs nothing but a dropped device cache.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from botkit.types.jid import JID

__all__ = ["participant_hash"]

_PREFIX = "2:"
_HASH_BYTES = 6


def participant_hash(devices: Iterable[JID]) -> str:
    """Return the ``phash`` of ``devices`` (the order of the input does not matter)."""
    joined = "".join(sorted(device.ad_string() for device in devices))
    digest = hashlib.sha256(joined.encode()).digest()[:_HASH_BYTES]
    return _PREFIX + base64.b64encode(digest).decode().rstrip("=")
