"""Decode WhatsApp's binary XML (PROTOCOL.md §4) into a :class:`Node`.

Attribute values decode to ``str`` or :class:`~botkit.types.jid.JID`; BINARY_* content decodes
to ``bytes``, lists to child nodes, and string content (a token, a packed string, a JID) to its
UTF-8 bytes, because a node's content is ``None``, ``bytes`` or a list. A JID_PAIR with an empty
user decodes with ``pair=True`` and an AD_JID with ``ad=True``, so that re-encoding gives the
same bytes.

Every malformed input raises :class:`~botkit.errors.DecodeError`: truncation, unknown tags,
declared lengths beyond the input (never allocated: a slice is bounded by the input), invalid
UTF-8 or packed digits, nesting deeper than MAX_DEPTH, trailing bytes, a bad zlib stream or one
that inflates beyond MAX_INFLATED bytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

from botkit.core.binary.encoder import MAX_DEPTH
from botkit.core.binary.node import EMPTY_ATTRS, Node
from botkit.core.binary.tokens import DOUBLE_BYTE_TOKENS, SINGLE_BYTE_TOKENS
from botkit.errors import DecodeError
from botkit.types.jid import AD_DOMAINS, DEFAULT_USER_SERVER, INTEROP_SERVER, JID, MESSENGER_SERVER

__all__ = ["MAX_INFLATED", "decode_node"]

#: Largest payload a compressed frame may inflate to.
MAX_INFLATED = 32 << 20

_SINGLE = SINGLE_BYTE_TOKENS
_DOUBLE = DOUBLE_BYTE_TOKENS
_DOMAIN_SERVERS = {domain: server for server, domain in AD_DOMAINS.items()}
# AD_JID domain byte -> (server, raw agent); bytes that are no domain are raw agents.
_AD_FORMS = tuple(
    (_DOMAIN_SERVERS.get(b, DEFAULT_USER_SERVER), 0 if b in _DOMAIN_SERVERS else b)
    for b in range(256)
)
_NIBBLE_TEXT = str.maketrans({"a": "-", "b": ".", "c": None, "d": None, "e": None, "f": None})
_JID_TAGS = frozenset((0xF5, 0xF6, 0xF7, 0xFA))

_new = object.__new__


# Building a frozen dataclass costs one object.__setattr__ call per field, more than parsing
# the bytes does. The decoder fills a plain twin class with the same slots (plain attribute
# stores) and then turns it into the frozen class: same layout, same object, a third of the time.
class _NodeSlots:
    __slots__ = Node.__slots__


class _JIDSlots:
    __slots__ = JID.__slots__


def decode_node(data: bytes | bytearray | memoryview) -> Node:
    """Decode a frame plaintext: the flags byte, then the (possibly zlib-compressed) node.

    Returns the node. Raises DecodeError when the data is not exactly one valid node.
    """
    if type(data) is not bytes:
        data = bytes(data)
    if not data:
        raise DecodeError("empty frame: no flags byte")
    start = 1
    if data[0] & 0x02:
        data = _inflate(data[1:])
        start = 0
    try:
        node, pos = _read_node(data, start, 0)
    except IndexError:
        raise DecodeError("binary node is truncated") from None
    except RecursionError:
        raise DecodeError("binary node is nested too deeply") from None
    # Inline fast paths slice without a bounds check: a slice past the end comes back short and
    # leaves pos past the end, which is caught here before the node is returned.
    if pos > len(data):
        raise DecodeError("binary node is truncated")
    if pos < len(data):
        raise DecodeError(f"{len(data) - pos} unexpected bytes after the node")
    return node


def _inflate(payload: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(payload, MAX_INFLATED)
    except zlib.error as exc:
        raise DecodeError(f"invalid zlib data: {exc}") from exc
    if inflater.unconsumed_tail:
        raise DecodeError(f"compressed node inflates beyond {MAX_INFLATED} bytes")
    if not inflater.eof:
        raise DecodeError("compressed node is truncated")
    if inflater.unused_data:
        raise DecodeError("unexpected bytes after the compressed node")
    return out


def _read_node(data: bytes, pos: int, depth: int) -> tuple[Node, int]:
    # The hot path: single-byte tokens, packed numbers and ids, and raw bytes are read inline;
    # everything else goes through _read_value.
    single = _SINGLE
    kind = data[pos]
    if kind == 0xF8:
        size = data[pos + 1]
        pos += 2
    elif kind == 0xF9:
        size = data[pos + 1] << 8 | data[pos + 2]
        pos += 3
    else:
        raise DecodeError(f"expected a node at byte {pos}, found tag {kind}")
    if not size:
        raise DecodeError(f"empty node before byte {pos}")
    kind = data[pos]
    pos += 1
    if kind < 236:
        tag = single[kind]
    else:
        value, pos = _read_value(data, pos, kind)
        tag = value if type(value) is str else str(value)
    if not tag:
        raise DecodeError(f"node before byte {pos} has no tag")
    attrs: Mapping[str, str | JID] = EMPTY_ATTRS
    if size > 2:
        attrs = {}
        pairs = (size - 1) >> 1
        while pairs:  # cheaper than a range() for the usual one to four attributes
            pairs -= 1
            kind = data[pos]
            pos += 1
            if kind < 236:
                key = single[kind]
            else:
                value, pos = _read_value(data, pos, kind)
                key = value if type(value) is str else str(value)
            kind = data[pos]
            pos += 1
            if kind < 236:
                attrs[key] = single[kind]
            elif kind <= 0xEF:
                attrs[key] = _DOUBLE[kind - 236][data[pos]]
                pos += 1
            elif kind == 0xFF:
                start = data[pos]
                end = pos + 1 + (start & 0x7F)
                text = data[pos + 1 : end].hex()
                if start & 0x80 and text[-1:] == "f":
                    text = text[:-1]
                elif start & 0x80:
                    text = ""
                if not text.isdigit():
                    text, end = _read_tagged_string(data, pos, kind)
                attrs[key] = text
                pos = end
            elif kind == 0xFB:
                start = data[pos]
                end = pos + 1 + (start & 0x7F)
                text = data[pos + 1 : end].hex().upper()
                if start & 0x80:
                    text = text[:-1]
                if not text:
                    text, end = _read_tagged_string(data, pos, kind)
                attrs[key] = text
                pos = end
            else:
                attrs[key], pos = _read_value(data, pos, kind)
    node: Any = _new(_NodeSlots)
    node.tag = tag
    node.attrs = attrs
    if size & 1:
        node.content = None
        node.__class__ = Node
        return node, pos
    kind = data[pos]
    pos += 1
    content: bytes | list[Node]
    if kind == 0xFC:
        end = pos + 1 + data[pos]
        content = data[pos + 1 : end]
        pos = end
    elif kind == 0xF8 or kind == 0xF9 or kind == 0:
        if kind == 0xF8:
            count = data[pos]
            pos += 1
        elif kind == 0xF9:
            count = data[pos] << 8 | data[pos + 1]
            pos += 2
        else:
            count = 0
        if count and depth >= MAX_DEPTH:
            raise DecodeError(f"nodes nested deeper than {MAX_DEPTH}")
        content = []
        depth += 1
        while count:
            count -= 1
            child, pos = _read_node(data, pos, depth)
            content.append(child)
    elif kind == 0xFD or kind == 0xFE:
        length, pos = _read_length(data, pos, kind)
        end = pos + length
        if end > len(data):
            raise DecodeError(f"{length}-byte content runs past the end of the node")
        content = data[pos:end]
        pos = end
    elif kind < 236:
        content = single[kind].encode()
    else:
        value, pos = _read_value(data, pos, kind)
        content = (value if type(value) is str else str(value)).encode()
    node.content = content
    node.__class__ = Node
    return node, pos


def _read_length(data: bytes, pos: int, kind: int) -> tuple[int, int]:
    """Return the length after a BINARY_20 or BINARY_32 tag, and the position after it."""
    if kind == 0xFD:
        return (data[pos] & 0x0F) << 16 | data[pos + 1] << 8 | data[pos + 2], pos + 3
    if pos + 4 > len(data):
        raise IndexError
    return int.from_bytes(data[pos : pos + 4], "big"), pos + 4


def _read_value(data: bytes, pos: int, kind: int) -> tuple[str | JID, int]:
    """Return the string or JID that starts after tag ``kind`` (not a single-byte token)."""
    if kind == 0xFA or kind == 0xF7:
        if kind == 0xF7:
            domain = data[pos]
            device = data[pos + 1]
            pos += 2
        user_kind = data[pos]
        if user_kind == 0xFF:
            start = data[pos + 1]
            end = pos + 2 + (start & 0x7F)
            user = data[pos + 2 : end].hex()
            if start & 0x80 and user[-1:] == "f":
                user = user[:-1]
            elif start & 0x80:
                user = ""
            if user.isdigit():
                pos = end
            else:
                user, pos = _read_string(data, pos)
        elif user_kind < 236:
            user = _SINGLE[user_kind]
            pos += 1
        else:
            user, pos = _read_string(data, pos)
        jid: Any = _new(_JIDSlots)
        jid.user = user
        jid.integrator = 0
        if kind == 0xF7:
            jid.server, jid.agent = _AD_FORMS[domain]
            jid.device = device
            jid.ad = True
            jid.pair = False
            jid.__class__ = JID
            return jid, pos
        server_kind = data[pos]
        if server_kind < 236:
            server = _SINGLE[server_kind]
            pos += 1
        else:
            server, pos = _read_string(data, pos)
        if not server:
            raise DecodeError("JID pair without a server")
        jid.server = server
        jid.device = 0
        jid.agent = 0
        jid.ad = False
        jid.pair = not user
        jid.__class__ = JID
        return jid, pos
    if kind == 0xF6 or kind == 0xF5:
        user, pos = _read_string(data, pos)
        device = data[pos] << 8 | data[pos + 1]
        pos += 2
        integrator = 0
        if kind == 0xF5:
            integrator = data[pos] << 8 | data[pos + 1]
            pos += 2
        server, pos = _read_string(data, pos)
        expected = MESSENGER_SERVER if kind == 0xF6 else INTEROP_SERVER
        if server != expected:
            raise DecodeError(f"expected a JID on {expected!r}, found server {server!r}")
        return JID(user, server, device, integrator=integrator), pos
    return _read_tagged_string(data, pos, kind)


def _read_string(data: bytes, pos: int) -> tuple[str, int]:
    """Return the string (never a JID) at ``pos`` and the position after it."""
    kind = data[pos]
    if kind < 236:
        return _SINGLE[kind], pos + 1
    if kind == 0xFF:
        start = data[pos + 1]
        end = pos + 2 + (start & 0x7F)
        text = data[pos + 2 : end].hex()
        if start & 0x80 and text[-1:] == "f":
            text = text[:-1]
        elif start & 0x80:
            text = ""
        if text.isdigit() and end <= len(data):
            return text, end
    if kind in _JID_TAGS:
        raise DecodeError(f"a JID cannot be nested in a JID (byte {pos})")
    return _read_tagged_string(data, pos + 1, kind)


def _read_tagged_string(data: bytes, pos: int, kind: int) -> tuple[str, int]:
    if kind <= 0xEF:
        return _DOUBLE[kind - 236][data[pos]], pos + 1
    if kind == 0xFF or kind == 0xFB:
        start = data[pos]
        pos += 1
        end = pos + (start & 0x7F)
        if end > len(data):
            raise DecodeError("packed string runs past the end of the node")
        digits = data[pos:end].hex()
        if start & 0x80:
            if not digits:
                raise DecodeError("packed string of odd length has no digits")
            if kind == 0xFF and digits[-1] in "cde":
                raise DecodeError(f"invalid nibble in packed string at byte {pos}")
            digits = digits[:-1]
        if kind == 0xFB:
            return digits.upper(), end
        if digits.isdigit():
            return digits, end
        text = digits.translate(_NIBBLE_TEXT)
        if len(text) != len(digits):
            raise DecodeError(f"invalid nibble in packed string at byte {pos}")
        return text, end
    if kind == 0xFC:
        length = data[pos]
        pos += 1
    elif kind == 0xFD or kind == 0xFE:
        length, pos = _read_length(data, pos, kind)
    else:
        raise DecodeError(f"invalid tag {kind} at byte {pos - 1}")
    end = pos + length
    if end > len(data):
        raise DecodeError(f"{length}-byte string runs past the end of the node")
    try:
        return data[pos:end].decode("utf-8"), end
    except UnicodeDecodeError as exc:
        raise DecodeError(f"string at byte {pos} is not valid UTF-8") from exc
