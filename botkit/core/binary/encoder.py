"""Encode a :class:`Node` into WhatsApp's binary XML (PROTOCOL.md §4), byte-identical to Baileys.

The output starts with the frame flags byte ``0x00`` (not compressed), as Baileys'
``encodeBinaryNode`` does. Choices that decide the bytes, all matching Baileys 7.0.0-rc14:

* A string is written as a token (double-byte tokens win over single-byte ones, as in Baileys'
  ``TOKEN_MAP``; DictVersion 3 has no token in both), else NIBBLE_8 when it is 1-127 chars of
  ``0-9 - .``, else HEX_8 when it is 1-127 chars of ``0-9 A-F``, else raw UTF-8 with a
  BINARY_8/20/32 length. The empty string is raw (``FC 00``).
* Attributes are written in the mapping's order, including those whose value is ``""``
  (Baileys writes them; whatsmeow would drop them).
* Child lists: ``00`` when empty, LIST_8 under 256 entries, LIST_16 up to 65535.
  Bytes content is always raw with a BINARY_8/20/32 length.

**The typing rule for JIDs.** Baileys turns every string containing ``@`` into a JID on the
wire; here a ``str`` value always stays a string (as whatsmeow does) and only a
:class:`~botkit.types.jid.JID` value is written as a JID, so ``decode(encode(n)) == n``. A JID is
written exactly as Baileys writes its string form ``str(jid)``: ``user@server`` as a JID_PAIR,
``@server`` (``pair=True``) as a JID_PAIR with an empty user, a bare server as its plain string
(a token), and a device JID on ``s.whatsapp.net``/``lid``/``hosted``/``hosted.lid`` (device > 0,
a raw agent, or an explicit ``:0`` kept in ``ad=True``) as an AD_JID. The exceptions are the two
servers whose JIDs Baileys cannot express: ``msgr`` is always an FB_JID and ``interop`` always an
INTEROP_JID (whatsmeow's encoding). A JID whose device, agent or integrator its server cannot
carry raises :class:`~botkit.errors.LocalProtocolError`.
"""

from __future__ import annotations

import re

from botkit.core.binary.node import Node
from botkit.core.binary.tokens import TOKEN_BYTES
from botkit.errors import LocalProtocolError
from botkit.types.jid import AD_DOMAINS, DEFAULT_USER_SERVER, INTEROP_SERVER, JID, MESSENGER_SERVER

__all__ = ["MAX_DEPTH", "encode_node"]

#: Deepest nesting of nodes the encoder writes (and the decoder accepts).
MAX_DEPTH = 64

_LIST_8 = tuple(bytes((0xF8, n)) for n in range(256))
_BINARY_8 = tuple(bytes((0xFC, n)) for n in range(256))
_is_nibble = re.compile(r"[0-9.\-]{1,127}").fullmatch
_is_hex = re.compile(r"[0-9A-F]{1,127}").fullmatch
_NIBBLE_AS_HEX = str.maketrans("-.", "ab")
_DOMAIN_BYTES = frozenset(AD_DOMAINS.values())


def encode_node(node: Node) -> bytes:
    """Return the frame plaintext of ``node``: the flags byte ``0x00`` and the encoded node.

    Raises LocalProtocolError when the node cannot be encoded (empty or non-string tag, a value
    that is neither str nor JID, content that is not bytes or a list of nodes, more than 65535
    children, nesting deeper than MAX_DEPTH, strings that are not valid Unicode).
    """
    out = bytearray(b"\x00")
    try:
        _write_node(node, out, 0)
    except (TypeError, AttributeError) as exc:  # e.g. attrs that are not a mapping
        raise LocalProtocolError(f"invalid node: {exc}") from exc
    return bytes(out)


def _write_node(node: Node, out: bytearray, depth: int) -> None:
    if not isinstance(node, Node):
        raise LocalProtocolError(f"not a Node: {type(node).__name__}")
    tag = node.tag
    attrs = node.attrs
    content = node.content
    size = 2 * len(attrs) + (1 if content is None else 2)
    if size < 256:
        out += _LIST_8[size]
    elif size <= 0xFFFF:
        out += b"\xf9" + size.to_bytes(2, "big")
    else:
        raise LocalProtocolError(f"<{tag}> has too many attributes ({len(attrs)})")
    if not tag or not isinstance(tag, str):
        raise LocalProtocolError(f"invalid node tag {tag!r}")
    get = TOKEN_BYTES.get
    encoded = get(tag)
    out += _string(tag) if encoded is None else encoded
    for key, value in attrs.items():
        encoded = get(key)
        out += _string(key) if encoded is None else encoded
        if type(value) is str:
            encoded = get(value)
            out += _string(value) if encoded is None else encoded
        elif isinstance(value, JID):
            _write_jid(value, out)
        elif isinstance(value, str):
            _put_string(value, out)
        else:
            raise LocalProtocolError(
                f"<{tag}> attribute {key!r}: {type(value).__name__} is neither str nor JID"
            )
    if content is None:
        return
    if type(content) is list:
        count = len(content)
        if count == 0:
            out.append(0)
            return
        if count < 256:
            out += _LIST_8[count]
        elif count <= 0xFFFF:
            out += b"\xf9" + count.to_bytes(2, "big")
        else:
            raise LocalProtocolError(f"<{tag}> has too many children ({count})")
        if depth >= MAX_DEPTH:
            raise LocalProtocolError(f"nodes nested deeper than {MAX_DEPTH}")
        depth += 1
        for child in content:
            _write_node(child, out, depth)
    elif isinstance(content, bytes | bytearray):
        length = len(content)
        out += _BINARY_8[length] if length < 256 else _length_prefix(length)
        out += content
    else:
        raise LocalProtocolError(
            f"<{tag}> content must be None, bytes or a list of nodes, not {type(content).__name__}"
        )


def _string(text: str) -> bytes:
    """Return the encoding of a string that is not a token: packed or raw."""
    if not isinstance(text, str):
        raise LocalProtocolError(f"expected a string, got {type(text).__name__}")
    length = len(text)
    if length <= 127:
        if _is_nibble(text):
            digits = text.translate(_NIBBLE_AS_HEX)
            if length & 1:
                return bytes((0xFF, (length + 1) >> 1 | 0x80)) + bytes.fromhex(digits + "f")
            return bytes((0xFF, length >> 1)) + bytes.fromhex(digits)
        if _is_hex(text):
            if length & 1:
                return bytes((0xFB, (length + 1) >> 1 | 0x80)) + bytes.fromhex(text + "F")
            return bytes((0xFB, length >> 1)) + bytes.fromhex(text)
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise LocalProtocolError(f"string is not valid Unicode: {text!r}") from exc
    return _length_prefix(len(raw)) + raw


def _length_prefix(length: int) -> bytes:
    """Return the BINARY_8/20/32 tag and length for raw data of this many bytes."""
    if length < 256:
        return _BINARY_8[length]
    if length < 1 << 20:
        return bytes((0xFD, length >> 16, (length >> 8) & 0xFF, length & 0xFF))
    if length < 1 << 32:
        return b"\xfe" + length.to_bytes(4, "big")
    raise LocalProtocolError(f"{length} bytes is too long to encode")


def _put_string(text: str, out: bytearray) -> None:
    encoded = TOKEN_BYTES.get(text)
    out += _string(text) if encoded is None else encoded


def _write_jid(jid: JID, out: bytearray) -> None:
    user, server, device, agent = jid.user, jid.server, jid.device, jid.agent
    if not server or not isinstance(server, str) or not isinstance(user, str):
        raise LocalProtocolError(f"{jid!r} needs a string user and a server")
    if jid.integrator and server != INTEROP_SERVER:
        raise LocalProtocolError(f"{jid!r}: only interop JIDs carry an integrator")
    domain = AD_DOMAINS.get(server)
    if domain is not None and (device or agent or jid.ad):
        if agent:
            if server != DEFAULT_USER_SERVER or agent in _DOMAIN_BYTES or not 0 < agent < 256:
                raise LocalProtocolError(f"{jid!r}: invalid raw agent")
            domain = agent
        if not 0 <= device < 256:
            raise LocalProtocolError(f"{jid!r}: AD JID device must be 0-255")
        out += bytes((0xF7, domain, device))
        _put_string(user, out)
        return
    if agent:
        raise LocalProtocolError(f"{jid!r}: only s.whatsapp.net device JIDs carry an agent")
    if server in (MESSENGER_SERVER, INTEROP_SERVER):
        if not 0 <= device <= 0xFFFF or not 0 <= jid.integrator <= 0xFFFF:
            raise LocalProtocolError(f"{jid!r}: device and integrator must be 0-65535")
        out.append(0xF6 if server == MESSENGER_SERVER else 0xF5)
        _put_string(user, out)
        out += device.to_bytes(2, "big")
        if server == INTEROP_SERVER:
            out += jid.integrator.to_bytes(2, "big")
        _put_string(server, out)
        return
    if device:
        raise LocalProtocolError(f"{jid!r}: a {server} JID cannot carry a device")
    if user:
        out.append(0xFA)
        _put_string(user, out)
    elif jid.pair:
        out += b"\xfa\x00"
    _put_string(server, out)
