"""Node: child helpers and the XML rendering."""

from __future__ import annotations

import pytest

from botkit.core.binary import Node
from botkit.types.jid import JID

IQ = Node(
    "iq",
    {"id": "1", "to": JID("", "s.whatsapp.net", pair=True)},
    [Node("usync", {}, [Node("list", {}, [Node("user", {"jid": JID("1", "lid")})])]),
     Node("user", {"n": "2"}), Node("user", {"n": "3"})],
)  # fmt: skip


def test_children_of_a_list() -> None:
    assert [child.tag for child in IQ.children] == ["usync", "user", "user"]


@pytest.mark.parametrize("content", [None, b"abc"])
def test_children_of_a_leaf_is_empty(content: bytes | None) -> None:
    assert Node("a", {}, content).children == []


def test_get_child_returns_the_first_match() -> None:
    assert IQ.get_child("user") == Node("user", {"n": "2"})


def test_get_child_returns_none_when_absent() -> None:
    assert IQ.get_child("nope") is None


def test_get_children_returns_every_match() -> None:
    assert [c.attrs["n"] for c in IQ.get_children("user")] == ["2", "3"]


def test_get_path_follows_first_children() -> None:
    assert IQ.get_path("usync", "list", "user") == Node("user", {"jid": JID("1", "lid")})
    assert IQ.get_path("usync", "nope", "user") is None


def test_default_attrs_and_content() -> None:
    node = Node("ping")
    assert (dict(node.attrs), node.content) == ({}, None)
    assert node == Node("ping", {}, None)


def test_to_xml_compact() -> None:
    assert IQ.to_xml() == (
        '<iq id="1" to="@s.whatsapp.net"><usync><list><user jid="1@lid"/></list></usync>'
        '<user n="2"/><user n="3"/></iq>'
    )


def test_to_xml_indented() -> None:
    node = Node("a", {}, [Node("b", {}, [Node("c")])])
    assert node.to_xml(indent=2) == "<a>\n  <b>\n    <c/>\n  </b>\n</a>"


@pytest.mark.parametrize(
    ("content", "rendered"),
    [
        (b"hello <you>", "hello &lt;you&gt;"),
        (b"\x00\x01\xff", "[hex 0001ff]"),
        (b"\xff" * 40, "[40 bytes, " + "ff" * 32 + "…]"),
        (b"", "[hex ]"),
    ],
)
def test_to_xml_bytes(content: bytes, rendered: str) -> None:
    assert Node("b", {}, content).to_xml() == f"<b>{rendered}</b>"


def test_to_xml_escapes_attributes() -> None:
    assert Node("a", {"q": '"<&>'}).to_xml() == '<a q="&quot;&lt;&amp;&gt;"/>'


class BrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no")


@pytest.mark.parametrize(
    "node",
    [
        Node("a", {"x": 5}),  # type: ignore[dict-item]
        Node("a", {"x": BrokenRepr()}),  # type: ignore[dict-item]
        Node("a", {}, "text"),  # type: ignore[arg-type]
        Node("a", {}, [1, BrokenRepr()]),  # type: ignore[list-item]
        Node(None, None, None),  # type: ignore[arg-type]
        Node("a", {"j": JID(None, None)}),  # type: ignore[arg-type]
    ],
)
def test_to_xml_never_raises(node: Node) -> None:
    assert isinstance(node.to_xml(indent=1), str)


def test_to_xml_stops_at_great_depth() -> None:
    node = Node("leaf")
    for _ in range(5000):
        node = Node("n", {}, [node])
    assert "deeper nodes not shown" in node.to_xml()


def test_str_is_the_compact_xml() -> None:
    assert str(Node("ping")) == "<ping/>"
