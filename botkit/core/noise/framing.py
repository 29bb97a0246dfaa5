"""Frames on the byte stream: a 3-byte big-endian length, then the payload (PROTOCOL.md §1.2-1.3).

The client starts the stream once with the 4-byte intro header ``WA 06 03``. Baileys may put an
edge-routing header in front of it (``ED 00 01``, a 3-byte length, the routing info); the server
side accepts that and keeps the routing info. Frames may arrive split or coalesced in any way:
:class:`FrameReader` buffers until a whole frame is there.
"""

from __future__ import annotations

from botkit.errors import FrameTooLarge, LocalProtocolError, RemoteProtocolError

__all__ = [
    "EDGE_ROUTING_MAGIC",
    "FRAME_LENGTH_SIZE",
    "INTRO_HEADER",
    "MAX_FRAME_SIZE",
    "FrameReader",
    "encode_frame",
]

INTRO_HEADER = b"WA\x06\x03"
EDGE_ROUTING_MAGIC = b"ED\x00\x01"
FRAME_LENGTH_SIZE = 3
MAX_FRAME_SIZE = 1 << 24


def encode_frame(payload: bytes) -> bytes:
    """Return ``payload`` with its 3-byte big-endian length prefix.

    Raises:
        LocalProtocolError: the payload is 16 MiB or more (the length cannot be encoded).
    """
    if len(payload) >= MAX_FRAME_SIZE:
        raise LocalProtocolError(f"frame payload of {len(payload)} bytes is over the 16 MiB limit")
    return len(payload).to_bytes(FRAME_LENGTH_SIZE, "big") + payload


class FrameReader:
    """Reassembles frames from stream bytes fed in pieces of any size.

    With ``expect_intro=True`` (the server reading the client) the stream must begin with the
    intro header, optionally preceded by Baileys' edge-routing header.
    """

    def __init__(self, *, expect_intro: bool, max_frame_size: int = MAX_FRAME_SIZE) -> None:
        self._buffer = bytearray()
        self._intro_pending = expect_intro
        self._max_frame_size = max_frame_size
        self.routing_info: bytes | None = None
        """The edge-routing info sent before the intro header, if the client sent one."""

    @property
    def buffered(self) -> int:
        """The number of bytes received but not yet returned as part of a frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> None:
        """Append stream bytes to the buffer."""
        self._buffer += data

    def next_frame(self) -> bytes | None:
        """Return the next complete frame payload, or None if more bytes are needed.

        Raises:
            RemoteProtocolError: the stream does not start with the intro header.
            FrameTooLarge: a frame declares a length at or over the frame-size limit; raised as
                soon as the length prefix arrives, before the payload is buffered.
        """
        if self._intro_pending and not self._consume_intro():
            return None
        if len(self._buffer) < FRAME_LENGTH_SIZE:
            return None
        length = int.from_bytes(self._buffer[:FRAME_LENGTH_SIZE], "big")
        if length >= self._max_frame_size:
            raise FrameTooLarge(
                f"frame of {length} bytes is over the limit of {self._max_frame_size - 1}"
            )
        end = FRAME_LENGTH_SIZE + length
        if len(self._buffer) < end:
            return None
        payload = bytes(self._buffer[FRAME_LENGTH_SIZE:end])
        del self._buffer[:end]
        return payload

    def _consume_intro(self) -> bool:
        """Strip the (edge-routing and) intro headers; return False if more bytes are needed."""
        buf = self._buffer
        start = 0
        if buf[:1] == EDGE_ROUTING_MAGIC[:1]:  # "E" (edge routing) vs "W" (intro) decides
            _check_prefix(buf[:4], EDGE_ROUTING_MAGIC, "edge-routing header")
            if len(buf) < 7:
                return False
            start = 7 + int.from_bytes(buf[4:7], "big")
        available = buf[start : start + len(INTRO_HEADER)]
        _check_prefix(available, INTRO_HEADER, "intro header")
        if len(available) < len(INTRO_HEADER):
            return False
        if start:
            self.routing_info = bytes(buf[7:start])
        del buf[: start + len(INTRO_HEADER)]
        self._intro_pending = False
        return True


def _check_prefix(data: bytes | bytearray, expected: bytes, what: str) -> None:
    """Raise unless ``data`` (at most as long as ``expected``) is a prefix of ``expected``.

    Raises:
        RemoteProtocolError: ``data`` diverges from ``expected``.
    """
    if not expected.startswith(bytes(data)):
        raise RemoteProtocolError(f"stream does not start with the {what} {expected.hex(' ')}")
