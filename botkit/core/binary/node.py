"""The binary XML node: ``Node(tag, attrs, content)``, its helpers and its XML rendering.

Attribute values are ``str`` or :class:`~botkit.types.jid.JID`; content is ``None``, ``bytes``
or a list of child nodes. String content received from the wire (a token, a packed string, a
JID) is handed over as its UTF-8 bytes, so a reader never has to expect both ``str`` and
``bytes`` in the same place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from botkit.types.jid import JID

__all__ = ["EMPTY_ATTRS", "Node"]

#: The shared, read-only attribute mapping of nodes created without attributes.
EMPTY_ATTRS: Mapping[str, str | JID] = MappingProxyType({})

_RENDER_DEPTH = 64
_HEX_PREVIEW = 32


@dataclass(frozen=True, slots=True)
class Node:
    """One element of WhatsApp's binary XML.

    ``attrs`` keeps its insertion order, which is the order attributes are written in.
    """

    tag: str
    attrs: Mapping[str, str | JID] = field(default_factory=lambda: EMPTY_ATTRS)
    content: bytes | list[Node] | None = None

    @property
    def children(self) -> list[Node]:
        """The child nodes; an empty list when the content is bytes or absent."""
        content = self.content
        return content if isinstance(content, list) else []

    def get_child(self, tag: str) -> Node | None:
        """Return the first child with this tag, or None."""
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def get_children(self, tag: str) -> list[Node]:
        """Return every child with this tag, in order."""
        return [child for child in self.children if child.tag == tag]

    def get_path(self, *tags: str) -> Node | None:
        """Return the node reached by following first children with these tags, or None."""
        node: Node | None = self
        for tag in tags:
            if node is None:
                return None
            node = node.get_child(tag)
        return node

    def to_xml(self, indent: int | None = None) -> str:
        """Return a readable XML rendering (for logs and test failures); never raises.

        With ``indent`` children go on their own lines, indented by that many spaces per level.
        Bytes content shows as text when it is printable UTF-8, otherwise as hex (a prefix and
        the length when long).
        """
        parts: list[str] = []
        _render(self, parts, indent, 0)
        return "".join(parts)

    def __str__(self) -> str:
        return self.to_xml()


def _render(node: object, parts: list[str], indent: int | None, level: int) -> None:
    pad = "" if indent is None else " " * (indent * level)
    if not isinstance(node, Node):
        parts.append(f"{pad}<!-- not a node: {_safe_repr(node)} -->")
        return
    if level >= _RENDER_DEPTH:
        parts.append(f"{pad}<!-- deeper nodes not shown -->")
        return
    tag = _escape(_text(node.tag))
    head = tag
    try:
        items = list(node.attrs.items())
    except Exception:  # a rendering for logs must not fail on a broken mapping
        items = []
    for key, value in items:
        head += f' {_escape(_text(key))}="{_escape(_text(value))}"'
    content = node.content
    if content is None:
        parts.append(f"{pad}<{head}/>")
    elif isinstance(content, list):
        parts.append(f"{pad}<{head}>")
        for child in content:
            if indent is not None:
                parts.append("\n")
            _render(child, parts, indent, level + 1)
        if indent is not None and content:
            parts.append("\n" + pad)
        parts.append(f"</{tag}>")
    else:
        parts.append(f"{pad}<{head}>{_render_content(content)}</{tag}>")


def _render_content(content: object) -> str:
    if not isinstance(content, bytes | bytearray):
        return f"<!-- not bytes: {_safe_repr(content)} -->"
    try:
        text = bytes(content).decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text and text.isprintable():
        return _escape(text)
    if len(content) <= _HEX_PREVIEW:
        return f"[hex {bytes(content).hex()}]"
    return f"[{len(content)} bytes, {bytes(content[:_HEX_PREVIEW]).hex()}…]"


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, JID):
        try:
            return str(value)
        except Exception:  # a JID built with odd field types must still render
            return _safe_repr(value)
    return _safe_repr(value)


def _safe_repr(value: object) -> str:
    try:
        return repr(value)
    except Exception:  # repr of arbitrary objects may raise; the rendering never does
        return f"<{type(value).__name__}>"


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
