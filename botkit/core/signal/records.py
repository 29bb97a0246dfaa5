"""botkit's versioned byte format for stored Signal records (sessions and pre-keys).

A stored record is one format-version byte followed by a protobuf message from
``botkit/pb/signal_records.proto``. Adding a protobuf field never needs a new version (older
blobs simply lack it); a change that older readers would misread bumps :data:`FORMAT_VERSION`
and adds an upgrade to :data:`UPGRADES`, which turns a payload of one version into the payload of
the next, so every blob ever written keeps loading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from google.protobuf.message import DecodeError as ProtobufDecodeError

from botkit.errors import DecodeError

__all__ = ["FORMAT_VERSION", "UPGRADES", "dump_versioned", "load_versioned"]

FORMAT_VERSION = 1

# version -> function turning a payload of that version into a payload of version + 1.
UPGRADES: dict[int, Callable[[bytes], bytes]] = {}


class _ProtoMessage(Protocol):
    def SerializeToString(self) -> bytes: ...
    def ParseFromString(self, data: bytes) -> int: ...


_M = TypeVar("_M", bound=_ProtoMessage)


def dump_versioned(message: _ProtoMessage) -> bytes:
    """Return ``message`` as a stored blob: the current format version, then the protobuf."""
    return bytes([FORMAT_VERSION]) + message.SerializeToString()


def load_versioned(data: bytes, message_type: type[_M]) -> _M:
    """Return the protobuf ``message_type`` stored in ``data``, upgraded to the current format.

    Raises:
        DecodeError: ``data`` is empty, of an unknown format version, or not a valid protobuf.
    """
    if not data:
        raise DecodeError("empty Signal record")
    version, payload = data[0], bytes(data[1:])
    if not 1 <= version <= FORMAT_VERSION:
        raise DecodeError(f"Signal record format version {version} is not supported")
    while version < FORMAT_VERSION:
        payload = UPGRADES[version](payload)
        version += 1
    message = message_type()
    try:
        message.ParseFromString(payload)
    except ProtobufDecodeError as exc:
        raise DecodeError(f"invalid Signal record: {exc}") from exc
    return message
